"""Turning an HR export (CSV: user_id,attribute,value[,weight]) into a state file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace

from cal_attributes.state.model import Held, State, is_number
from cal_attributes.state.snapshot import Snapshot
from cal_attributes.state.stateio import Problem, StateFileError

COLUMNS = ("user_id", "attribute", "value")


def import_csv(text: str, current: Snapshot, source: str = "<csv>") -> State:
    """The organization's attributes as they are, with each listed member holding exactly the rows'
    values. Attribute slugs and option slugs (or option values) are matched to the organization's;
    every unknown one is reported with its line."""
    base = current.to_state()
    attributes = {a.slug: a for a in base.attributes}
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))  # a BOM, if the text was read without -sig
    problems: list[Problem] = []
    rows = _rows(reader, problems)
    header = [h.strip() for h in next(rows, [])]
    if not problems and (tuple(header[:3]) != COLUMNS or header[3:] not in ([], ["weight"])):
        raise StateFileError(
            source, [Problem(1, "the header must be user_id,attribute,value or user_id,attribute,value,weight")]
        )
    members: dict[int, dict[str, list[Held]]] = {}
    for row in rows:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) not in (3, len(header)):
            problems.append(Problem(line, f"expected {len(header)} columns, found {len(row)}"))
            continue
        user_text, slug, value = (cell.strip() for cell in row[:3])
        weight_text = row[3].strip() if len(row) > 3 else ""
        if not _is_whole(user_text) or int(user_text) < 1:
            problems.append(Problem(line, f"user_id {user_text!r} is not a positive integer"))
            continue
        attribute = attributes.get(slug)
        if attribute is None:
            problems.append(
                Problem(line, f"unknown attribute {slug!r} (the organization has: {', '.join(sorted(attributes))})")
            )
            continue
        if attribute.is_select:
            by_value = {o.value: o.slug for o in attribute.options}
            slugs = {o.slug for o in attribute.options}
            key = value if value in slugs else by_value.get(value)
            if key is None:
                problems.append(
                    Problem(line, f"{slug}: unknown option {value!r} (options: {', '.join(sorted(slugs))})")
                )
                continue
            value = key
        elif not value:
            problems.append(Problem(line, f"{slug}: empty value"))
            continue
        elif attribute.type == "NUMBER" and not is_number(value):
            problems.append(Problem(line, f"{slug} is NUMBER but {value!r} is not a number"))
            continue
        if weight_text and not (_is_whole(weight_text) and int(weight_text) <= 2**31 - 1):
            problems.append(Problem(line, f"weight {weight_text!r} is not an integer from 0 to 2147483647"))
            continue
        held = members.setdefault(int(user_text), {}).setdefault(slug, [])
        if any(h.value == value for h in held):
            problems.append(Problem(line, f"user {user_text}: {slug} {value!r} is listed twice"))
        elif held and attribute.type != "MULTI_SELECT":
            problems.append(Problem(line, f"user {user_text}: {slug} is {attribute.type} and takes one value"))
        else:
            held.append(Held(value, int(weight_text) if weight_text else None))
    if problems:
        raise StateFileError(source, problems)
    return replace(base, members={u: {s: tuple(h) for s, h in v.items()} for u, v in members.items()})


def _rows(reader: Iterator[list[str]], problems: list[Problem]) -> Iterator[list[str]]:
    """The rows, until one the csv module cannot read (say, a field over its size limit), which is a problem."""
    try:
        yield from reader
    except csv.Error as error:
        problems.append(Problem(getattr(reader, "line_num", None), f"not valid CSV: {error}"))


def _is_whole(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²', which int() refuses."""
    return text.isascii() and text.isdecimal()
