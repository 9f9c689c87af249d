"""Mistakes mypy --strict must reject in code using the SDK, each with the error it gives.

All snippets are checked by one mypy run over a folder (one file each), to keep the test fast;
it starts from a copy of the repository run's cache, so it analyses only them (tests/typecheck.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.typecheck import check_user_code

PRELUDE = "from cal_attributes import AsyncCalAttributes, CalAttributes\ncal = CalAttributes()\n"

# name -> (code after the prelude, a regular expression the error on its last line must match)
MUST_FAIL = {
    "misspelled_keyword": ('cal.attributes.create(nme="n", slug="s", type_="TEXT", options=[])', r'Unexpected keyword argument "nme"'),
    "wrong_type": ('cal.attributes.retrieve(123)', r'Argument 1 to "retrieve" of "Attributes" has incompatible type "int"; expected "str"'),
    "missing_required": ('cal.attributes.create(name="n", type_="TEXT", options=[])', r'Missing named argument "slug"'),
    "unknown_enum_value": ('cal.attributes.create(name="n", slug="s", type_="COLOUR", options=[])', r'incompatible type "Literal\[.COLOUR.\]"'),
    "nested_typed_dict": ('cal.attributes.create(name="n", slug="s", type_="TEXT", options=[{"value": "v"}])', r'Missing key "slug"'),
    "unknown_request_option": ('cal.attributes.list(retries=3)', r'Unexpected keyword argument "retries"|No overload variant'),
    "missing_path_argument": ('cal.attributes.options.delete("a")', r'Too few arguments for "delete" of "AttributesOptions"'),
    "both_selectors": ('cal.attributes.options.list_assigned(attribute_id="a", attribute_slug="s")', r'No overload variant of "list_assigned"'),
    "result_attribute": ('cal.attributes.retrieve("a").slug', r'Item "None" of "Attribute \| None" has no attribute "slug"'),
    "async_without_await": ('async def f(a: AsyncCalAttributes) -> None:\n    (await a.attributes.list()).itemz', r'"AsyncPage\[Attribute\]" has no attribute "itemz"'),
}  # fmt: skip


def test_mypy_rejects_each_mistake_with_its_error(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    for name, (code, _) in MUST_FAIL.items():
        (snippets / f"{name}.py").write_text(PRELUDE + code + "\n", encoding="utf-8")
    result = check_user_code(snippets, tmp_path_factory, tmp_path)
    errors: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        match = re.match(r".*?(\w+)\.py:\d+: error: (.*)", line)
        if match:
            errors.setdefault(match.group(1), []).append(match.group(2))
    for name, (_, expected) in MUST_FAIL.items():
        assert any(re.search(expected, error) for error in errors.get(name, [])), (
            name,
            errors.get(name),
            result.stdout,
        )
