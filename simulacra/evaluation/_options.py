"""Checks of the evaluation API's options: a wrong type is a ParameterError, never a silently
different result (``bool("False")`` is True: ``pair_threshold='False'`` used to act as True).

Thin wrappers over :mod:`simulacra.utils.validation` keeping the evaluation's wording ("a whole number
of rows", "a number from 0 to 1").
"""

from __future__ import annotations

import math

from ..errors import ParameterError
from ..utils.validation import check_bool, is_int, is_number

__all__ = ["check_bool", "check_count", "check_share"]


def check_count(name: str, value, minimum: int = 1, allow_none: bool = False):
    """A whole number of at least ``minimum`` (numpy integers fine; bools and floats refused)."""
    if value is None and allow_none:
        return None
    if not is_int(value) or value < minimum:
        raise ParameterError(
            f"{name} must be a whole number of at least {minimum:,}{' or None' if allow_none else ''}, got {value!r}"
        )
    return int(value)


def check_share(name: str, value, low: float = 0.0, high: float = 1.0, open_interval: bool = False) -> float:
    """A real number in [low, high] (``open_interval``: strictly inside)."""
    ok = is_number(value)
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (low < v < high if open_interval else low <= v <= high)
    if not ok:
        where = f"strictly between {low:g} and {high:g}" if open_interval else f"from {low:g} to {high:g}"
        raise ParameterError(f"{name} must be a number {where}, got {value!r}")
    return v
