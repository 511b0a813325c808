"""Learned rules, clock family: integer columns written as HHMM times of day (1530 = 15:30).

The synthesizer learns such a column as minutes since midnight (monotone: order comparisons of
other rules still hold) and sampled minutes come back as HHMM, so a value like 1565 cannot occur.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..registry import register
from .framework import LearnedRule, as_column
from .framework import float_values as _values

#: fewest distinct values (and hours) a column needs before it is read as a clock
MIN_DISTINCT = 50
MIN_HOURS = 4


def hhmm_valid(v: np.ndarray) -> np.ndarray:
    """True where ``v`` is a whole HHMM time (0 <= HH <= 24, MM < 60) or missing."""
    with np.errstate(invalid="ignore"):
        ok = (v >= 0) & (v == np.round(v)) & (np.mod(v, 100) < 60) & (v // 100 <= 24)
    return ok | np.isnan(v)


def to_minutes(v: np.ndarray) -> np.ndarray:
    """HHMM -> minutes since midnight (missing stays missing)."""
    return (v // 100) * 60 + np.mod(v, 100)


def from_minutes(m: np.ndarray) -> np.ndarray:
    """Minutes since midnight -> HHMM (missing stays missing)."""
    m = np.round(m)
    return (m // 60) * 100 + np.mod(m, 60)


@register
class ClockColumn(LearnedRule):
    """``column`` holds HHMM times of day; learned as minutes in ``[low, high]``.

    Missing values: a missing value satisfies the rule and stays missing.

    Parameters
    ----------
    column_name : str
        The column.
    low, high : int
        The real minimum and maximum, in minutes since midnight.
    dtype : str
        The real column's dtype (restored by ``reverse_transform``).
    """

    family = "clock"
    reshapes_in_place = True

    def __init__(self, column_name: str, low: int, high: int, dtype: str = "float64"):
        self.column = str(column_name)
        self.low, self.high, self.dtype = int(low), int(high), str(dtype)

    @property
    def columns(self):
        return [self.column]

    def describe(self) -> str:
        return f"{self.column} is a time of day written HHMM"

    def get_parameters(self):
        return {"column_name": self.column, "low": self.low, "high": self.high, "dtype": self.dtype}

    def is_valid(self, data):
        return hhmm_valid(_values(data[self.column]))

    def transform(self, data):
        out = data.copy()
        out[self.column] = to_minutes(_values(data[self.column]))
        return out

    def reverse_transform(self, data):
        out = data.copy()
        m = np.clip(np.round(_values(data[self.column])), self.low, self.high)
        v = from_minutes(m)
        out[self.column] = as_column(v, self.dtype, data.index)
        return out


def discover(data: pd.DataFrame, columns_meta: dict, skip=frozenset()) -> list:
    """Clock rules: numerical columns whose every value is an HHMM time, with many distinct values."""
    rules = []
    for col, meta in columns_meta.items():
        if col in skip or col not in data or meta.get("sdtype") != "numerical":
            continue
        v = _values(data[col])
        v = v[~np.isnan(v)]
        if len(v) == 0 or not hhmm_valid(v).all():
            continue
        if len(np.unique(v)) < MIN_DISTINCT or len(np.unique(v // 100)) < MIN_HOURS:
            continue
        m = to_minutes(v)
        rules.append(ClockColumn(col, int(m.min()), int(m.max()), str(data[col].dtype)))
    return rules
