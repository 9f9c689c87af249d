"""Reading and writing state files: YAML with errors that name the line, checked before any request."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, cast

import jsonschema_rs
import yaml

from cal_attributes.errors import PicklableError
from cal_attributes.state.model import JSON, AttributeSpec, AttributeType, Held, OptionSpec, State

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str


class StateFileError(PicklableError, ValueError):
    """A state file that cannot be used; ``problems`` lists every fault with its line."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}:{p.line or 1}: {p.message}" for p in problems))


def state_schema() -> dict[str, JSON]:
    """The JSON Schema of the state file, as shipped in the package."""
    text = resources.files("cal_attributes.state").joinpath("state.schema.json").read_text(encoding="utf-8")
    return cast(dict[str, JSON], json.loads(text))


_SCHEMA = state_schema()
_validator = jsonschema_rs.validator_for(_SCHEMA)


def load_state(path: str) -> State:
    with open(path, encoding="utf-8") as source:
        return parse_state(source.read(), path)


def parse_state(text: str, source: str = "<state>") -> State:
    """Parse and check a state file's text; every problem found is reported at once."""
    data, lines = _compose(text, source)
    if data is None:  # an empty or truncated file must not read as "no attributes" (--prune would delete them all)
        raise StateFileError(
            source, [Problem(1, "the file is empty; an organization with nothing is `attributes: []`")]
        )
    problems = [Problem(_line_of(lines, _path(data, e)), _schema_message(e)) for e in _validator.iter_errors(data)]
    if problems:
        raise StateFileError(source, problems)
    state, problems = _build(data, lines)
    if problems:
        raise StateFileError(source, problems)
    return state


# -- YAML with line numbers ------------------------------------------------------------------


MAX_DEPTH = 32  # a state file nests 6 levels; deeper input is hostile (PyYAML composes recursively)
_YAML11_NUMBERS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)(\.[0-9]*)?([eE][-+]?[0-9]+)?")  # read as the number it looks like


def _check_events(text: str) -> list[Problem]:
    """Anchors and aliases (self-reference, "billion laughs") and deep nesting, found by the
    iterative parser before the recursive composer runs."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            return [Problem(line, "YAML anchors and aliases (&name, *name) are not supported in a state file")]
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return [Problem(line, f"nested more than {MAX_DEPTH} levels deep")]
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return []


def _compose(text: str, source: str) -> tuple[Any, dict[Path, int]]:
    """The document as plain data (member ids as strings, as JSON has them) and each path's line."""
    loader = yaml.SafeLoader(text)
    try:
        hostile = _check_events(text)
        if hostile:
            raise StateFileError(source, hostile)
        root = loader.get_single_node()
        if root is None:
            return None, {}
        lines: dict[Path, int] = {}
        problems: list[Problem] = []
        data = _plain(loader, root, (), lines, problems)
    except RecursionError:  # a backstop: _check_events caps the nesting first
        raise StateFileError(source, [Problem(None, "nested too deeply")]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise StateFileError(source, [Problem(mark.line + 1 if mark else None, f"not valid YAML: {error}")]) from None
    finally:
        loader.dispose()
    if problems:
        raise StateFileError(source, problems)
    return data, lines


def _plain(
    loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int], problems: list[Problem]
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            name = str(key) if isinstance(key, int | str) and not isinstance(key, bool) else repr(key)
            if name in result:
                problems.append(Problem(key_node.start_mark.line + 1, f"duplicate key {name!r}"))
            result[name] = _plain(loader, value_node, (*path, name), lines, problems)
            lines[(*path, name)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(loader, item, (*path, i), lines, problems) for i, item in enumerate(node.value)]
    if path[:1] == ("members",) and _yaml11_surprise(node):
        if path[-1] != "weight":
            return node.value  # as written: YAML 1.1 reads 01234 as 668, 9:30 as 570, 2024-01-01 as a date
        problems.append(
            Problem(lines[path], f"weight {node.value!r} is not a plain decimal integer (YAML 1.1 reads 010 as 8)")
        )
        return None
    value = loader.construct_object(node, deep=True)
    if not isinstance(value, str | int | float | bool | None):
        problems.append(Problem(lines[path], f"{node.value!r} is read as {type(value).__name__}: quote it"))
        return None
    return value


def _yaml11_surprise(node: yaml.Node) -> bool:
    """A plain (unquoted) scalar YAML 1.1 reads as a number or date that is not the decimal it looks like."""
    plain = isinstance(node, yaml.ScalarNode) and node.style is None
    return plain and node.tag in _YAML11_NUMBERS and not _DECIMAL.fullmatch(node.value)


def _path(data: Any, error: jsonschema_rs.ValidationError) -> Path:
    """The error's place as our paths spell it (jsonschema-rs gives numeric object keys as ints)."""
    path: list[str | int] = []
    for part in error.instance_path:
        key = str(part) if isinstance(data, dict) else part
        path.append(key)
        data = data[key]
    return tuple(path)


def _line_of(lines: Mapping[Path, int], path: Path) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _schema_message(error: jsonschema_rs.ValidationError) -> str:
    where = "/".join(str(p) for p in error.instance_path) or "the file"
    return f"{where}: {error.message}{_did_you_mean(error)}"


def _did_you_mean(error: jsonschema_rs.ValidationError) -> str:
    """For a key the schema does not allow, the closest key it does (``wieght`` -> ``weight``)."""
    unexpected = getattr(error.kind, "unexpected", None)
    if not isinstance(error.kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties) or not unexpected:
        return ""
    schema: Any = _SCHEMA
    for part in list(error.schema_path)[:-1]:  # the object schema whose `additionalProperties` refused it
        schema = schema[part] if isinstance(schema, dict) else None
    allowed = sorted(schema.get("properties", {})) if isinstance(schema, dict) else []
    hints = [
        f"{close[0]!r}" + (f" for {key!r}" if len(unexpected) > 1 else "")
        for key in unexpected
        if (close := difflib.get_close_matches(str(key), allowed, n=1))
    ]
    return f" (did you mean {', '.join(hints)}?)" if hints else ""


# -- meaning ---------------------------------------------------------------------------------


def _build(data: Mapping[str, Any], lines: Mapping[Path, int]) -> tuple[State, list[Problem]]:
    problems: list[Problem] = []
    attributes = tuple(_attributes(data.get("attributes", []), lines, problems))
    by_slug = {a.slug: a for a in attributes}
    members: dict[int, dict[str, tuple[Held, ...]]] = {}
    for user, values in data.get("members", {}).items():
        members[int(user)] = {
            slug: _member_values(by_slug, user, slug, raw, lines, problems) for slug, raw in values.items()
        }
    return State(attributes, members, data.get("organization")), problems


def _attributes(
    raw: list[dict[str, Any]], lines: Mapping[Path, int], problems: list[Problem]
) -> Iterator[AttributeSpec]:
    seen: set[str] = set()
    for i, item in enumerate(raw):
        slug = item["slug"]
        if slug in seen:
            problems.append(Problem(lines.get(("attributes", i)), f"duplicate attribute slug {slug!r}"))
        seen.add(slug)
        options = tuple(OptionSpec(o["slug"], o["value"]) for o in item.get("options", []))
        attribute = AttributeSpec(
            slug, item["name"], cast(AttributeType, item["type"]), item.get("enabled", True), options
        )
        if options and not attribute.is_select:
            problems.append(
                Problem(
                    lines.get(("attributes", i, "options")),
                    f"{slug}: options are only for SINGLE_SELECT and MULTI_SELECT attributes (a {attribute.type} attribute's values are given per member)",
                )
            )
        option_slugs: set[str] = set()
        for j, option in enumerate(options):
            if option.slug in option_slugs:
                problems.append(
                    Problem(
                        lines.get(("attributes", i, "options", j)), f"{slug}: duplicate option slug {option.slug!r}"
                    )
                )
            option_slugs.add(option.slug)
        yield attribute


def _member_values(
    attributes: Mapping[str, AttributeSpec],
    user: str,
    slug: str,
    raw: Any,
    lines: Mapping[Path, int],
    problems: list[Problem],
) -> tuple[Held, ...]:
    where = ("members", user, slug)
    attribute = attributes.get(slug)
    if attribute is None:
        problems.append(
            Problem(lines.get(where), f"member {user}: attribute {slug!r} is not declared under attributes")
        )
        return ()
    items = raw if isinstance(raw, list) else [raw]
    held = tuple(_held(item) for item in items)
    if len(held) > 1 and attribute.type != "MULTI_SELECT":
        problems.append(
            Problem(
                lines.get(where),
                f"member {user}: {slug} is {attribute.type} and takes one value, not a list of {len(held)}",
            )
        )
    options = {o.slug for o in attribute.options}
    seen: set[str] = set()
    for i, h in enumerate(held):
        line = _line_of(lines, (*where, i) if isinstance(raw, list) else where)
        if h.value in seen:
            problems.append(Problem(line, f"member {user}: {slug} lists {h.value!r} twice"))
        seen.add(h.value)
        if attribute.is_select and h.value not in options:
            problems.append(
                Problem(
                    line,
                    f"member {user}: {h.value!r} is not an option slug of {slug} (declared: {', '.join(sorted(options)) or 'none'})",
                )
            )
    return held


def _held(item: Any) -> Held:
    if isinstance(item, dict):
        return Held(_text(item["value"]), item.get("weight"))
    return Held(_text(item))


def _text(value: str | int | float) -> str:
    return value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)


# -- writing ---------------------------------------------------------------------------------


def state_to_data(state: State) -> dict[str, Any]:
    """Plain data in a stable order: attributes, options, members and their values sorted."""
    data: dict[str, Any] = {}
    if state.organization is not None:
        data["organization"] = state.organization
    data["attributes"] = [_attribute_data(a) for a in sorted(state.attributes, key=lambda a: a.slug)]
    data["members"] = {
        user: {slug: _values_data(held) for slug, held in sorted(values.items()) if held}
        for user, values in sorted(state.members.items())
    }
    return data


def _attribute_data(attribute: AttributeSpec) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": attribute.slug,
        "name": attribute.name,
        "type": attribute.type,
        "enabled": attribute.enabled,
    }
    if attribute.options:
        data["options"] = [{"slug": o.slug, "value": o.value} for o in sorted(attribute.options, key=lambda o: o.slug)]
    return data


def _values_data(held: tuple[Held, ...]) -> Any:
    items = [
        h.value if h.weight is None else {"value": h.value, "weight": h.weight}
        for h in sorted(held, key=lambda h: h.value)
    ]
    return items[0] if len(items) == 1 else items


def dump_state(state: State) -> str:
    return yaml.safe_dump(state_to_data(state), sort_keys=False, allow_unicode=True, default_flow_style=False)
