"""Checks of user arguments, with one wording everywhere.

A wrong type is a :class:`~simulacra.errors.ParameterError` naming the argument, never a silently
different result: ``bool("False")`` is True, so text is refused where a boolean is wanted, and
``True`` is not an integer here although Python says it is.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import ParameterError


def is_int(value) -> bool:
    """``value`` is a Python or numpy integer (booleans are not)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value) -> bool:
    """``value`` is a real number (Python, numpy, ``fractions``; booleans are not), finite or not."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_bool(name: str, value) -> bool:
    """``True`` or ``False`` (numpy's too); anything else, text included, is a ParameterError."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ParameterError(f"{name} must be True or False, got {value!r}")


def int_range_text(minimum=None, maximum=None) -> str:
    """How :func:`check_int` words a range: 'a positive integer', 'an integer from 1 to 9', ..."""
    if minimum is not None and maximum is not None:
        return f"an integer from {minimum:,} to {maximum:,}"
    if minimum == 1:
        return "a positive integer"
    if minimum == 0:
        return "a non-negative integer"
    if minimum is not None:
        return f"an integer of at least {minimum:,}"
    if maximum is not None:
        return f"an integer of at most {maximum:,}"
    return "an integer"


def check_int(name: str, value, minimum=None, maximum=None, allow_none: bool = False):
    """``value`` as an int within [minimum, maximum] (either may be None); a ParameterError otherwise."""
    if value is None and allow_none:
        return None
    if not is_int(value) or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        extra = " or None" if allow_none else ""
        raise ParameterError(f"{name} must be {int_range_text(minimum, maximum)}{extra}, got {value!r}")
    return int(value)


def check_number(name: str, value, minimum=None, maximum=None, strict: bool = False, allow_none: bool = False):
    """A finite real number within [minimum, maximum] (open at both ends when ``strict``)."""
    if value is None and allow_none:
        return None
    ok = is_number(value)
    v = float(value) if ok else math.nan
    if ok:
        ok = math.isfinite(v)
        if ok and minimum is not None:
            ok = v > minimum if strict else v >= minimum
        if ok and maximum is not None:
            ok = v < maximum if strict else v <= maximum
    if not ok:
        if minimum is not None and maximum is not None:
            where = f" strictly between {minimum:g} and {maximum:g}" if strict else f" from {minimum:g} to {maximum:g}"
        elif minimum is not None:
            where = f" {'above' if strict else 'at least'} {minimum:g}"
        elif maximum is not None:
            where = f" {'below' if strict else 'at most'} {maximum:g}"
        else:
            where = ""
        raise ParameterError(f"{name} must be a finite number{where}{' or None' if allow_none else ''}, got {value!r}")
    return v
