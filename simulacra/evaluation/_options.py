"""Checks of the evaluation API's options: a wrong type is a ParameterError, never a silently
different result (``bool("False")`` is True: ``pair_threshold='False'`` used to act as True)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import ParameterError


def check_bool(name: str, value) -> bool:
    """``True`` or ``False`` (numpy's too); anything else, text included, is a ParameterError."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ParameterError(f"{name} must be True or False, got {value!r}")


def check_count(name: str, value, minimum: int = 1, allow_none: bool = False):
    """A whole number of at least ``minimum`` (numpy integers fine; bools and floats refused)."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(
            f"{name} must be a whole number of at least {minimum:,}{' or None' if allow_none else ''}, got {value!r}"
        )
    return int(value)


def check_share(name: str, value, low: float = 0.0, high: float = 1.0, open_interval: bool = False) -> float:
    """A real number in [low, high] (``open_interval``: strictly inside)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (low < v < high if open_interval else low <= v <= high)
    if not ok:
        where = f"strictly between {low:g} and {high:g}" if open_interval else f"from {low:g} to {high:g}"
        raise ParameterError(f"{name} must be a number {where}, got {value!r}")
    return v
