"""argparse types shared by the project's commands (cal-attributes, cal-attributes-fuzz)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

N = TypeVar("N", int, float)


def number(
    convert: Callable[[str], N], wanted: str, least: N, most: N | None = None, *, above: bool = False
) -> Callable[[str], N]:
    """An argparse type: a finite number from ``least`` (or ``above`` it) to ``most``, else a usage
    error that says ``wanted``: nan, inf or 1e-9 requests a minute would make a run wait forever."""

    def parse(text: str) -> N:
        try:
            value: N | None = convert(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value < least or (above and value == least):
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        if most is not None and value > most:
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        return value

    return parse
