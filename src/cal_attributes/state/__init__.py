"""Attributes as code: a state file, a plan of the changes that make the organization match it, and apply.

```python
from cal_attributes import CalAttributes
from cal_attributes.state import State

cal = CalAttributes(org_id=1)  # CAL_API_KEY
plan = cal.state.plan(State.load("attributes.yaml"))
report = cal.state.apply(plan)
```
"""

from cal_attributes.state.api import AsyncStateManager, StateManager
from cal_attributes.state.changes import (
    Assign,
    Change,
    CreateAttribute,
    CreateOption,
    DeleteAttribute,
    DeleteOption,
    Phase,
    Unassign,
    UpdateAttribute,
    UpdateOption,
    UpdateWeight,
)
from cal_attributes.state.engine import ApplyReport, Outcome, Progress, RefusedPlanError, Result
from cal_attributes.state.model import AttributeSpec, Held, OptionSpec, State
from cal_attributes.state.ops import (
    AssignedRow,
    AttributeRow,
    OperationError,
    OptionRow,
    OrgOperations,
    Page,
    WeightSeen,
)
from cal_attributes.state.planner import LeftAlone, NotAMemberError, NotANumberError, Plan, PlanOptions, make_plan
from cal_attributes.state.runner import RunSettings
from cal_attributes.state.snapshot import CurrentAttribute, DuplicateOptionSlugError, Snapshot
from cal_attributes.state.stateio import Problem, StateFileError, dump_state, parse_state, state_schema

__all__ = [
    "ApplyReport",
    "Assign",
    "AssignedRow",
    "AsyncStateManager",
    "AttributeRow",
    "AttributeSpec",
    "Change",
    "CreateAttribute",
    "CreateOption",
    "CurrentAttribute",
    "DeleteAttribute",
    "DeleteOption",
    "DuplicateOptionSlugError",
    "Held",
    "LeftAlone",
    "NotAMemberError",
    "NotANumberError",
    "OperationError",
    "OptionRow",
    "OptionSpec",
    "OrgOperations",
    "Outcome",
    "Page",
    "Phase",
    "Plan",
    "PlanOptions",
    "Problem",
    "Progress",
    "RefusedPlanError",
    "Result",
    "RunSettings",
    "Snapshot",
    "State",
    "StateFileError",
    "StateManager",
    "Unassign",
    "UpdateAttribute",
    "UpdateOption",
    "UpdateWeight",
    "WeightSeen",
    "dump_state",
    "make_plan",
    "parse_state",
    "state_schema",
]
