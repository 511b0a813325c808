"""Learned rules, grids family: numeric columns whose values are ``offset + k * step``.

The step is larger than the column's own rounding (body mass in steps of 25 g, years every 5):
the synthesizer learns the index ``k`` (monotone) and sampled values are put back on the grid,
within the real minimum and maximum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..registry import register
from .framework import LearnedRule, as_column
from .framework import float_values as _values

#: fewest distinct values a grid needs (fewer is a category, not a grid)
MIN_DISTINCT = 5
MAX_DECIMALS = 6


@register
class GridColumn(LearnedRule):
    """``column`` takes values ``offset + k * step`` for whole ``k`` in ``[0, count]``.

    Missing values: a missing value satisfies the rule and stays missing.

    Parameters
    ----------
    column_name : str
    offset, step : float
        The smallest real value and the grid's step.
    count : int
        The largest real index ``(max - offset) / step``.
    dtype : str
        The real column's dtype.
    """

    family = "grids"
    reshapes_in_place = True

    def __init__(self, column_name: str, offset: float, step: float, count: int, dtype: str = "float64"):
        self.column = str(column_name)
        self.offset, self.step, self.count, self.dtype = float(offset), float(step), int(count), str(dtype)

    @property
    def columns(self):
        return [self.column]

    def describe(self) -> str:
        return f"{self.column} in steps of {self.step:g} from {self.offset:g}"

    def get_parameters(self):
        return {
            "column_name": self.column,
            "offset": self.offset,
            "step": self.step,
            "count": self.count,
            "dtype": self.dtype,
        }

    def value_range(self, column):
        return (self.offset, self.offset + self.count * self.step) if column == self.column else None

    def is_valid(self, data):
        v = _values(data[self.column])
        k = (v - self.offset) / self.step
        with np.errstate(invalid="ignore"):
            ok = np.isclose(k, np.round(k), atol=1e-6) & (k > -1e-6) & (k < self.count + 1e-6)
        return ok | np.isnan(v)

    def transform(self, data):
        out = data.copy()
        out[self.column] = (_values(data[self.column]) - self.offset) / self.step
        return out

    def reverse_transform(self, data):
        out = data.copy()
        k = np.clip(np.round(_values(data[self.column])), 0, self.count)
        v = self.offset + k * self.step
        out[self.column] = as_column(v, self.dtype, data.index)
        return out


def _decimals(v: np.ndarray):
    for d in range(MAX_DECIMALS + 1):
        s = v * 10.0**d
        if np.allclose(s, np.round(s), rtol=0, atol=1e-6 * 10.0**d):
            return d
    return None


def discover(data: pd.DataFrame, columns_meta: dict, skip=frozenset()) -> list:
    """Grid rules: numerical columns with >= MIN_DISTINCT values, all on a step coarser than their rounding."""
    rules = []
    for col, meta in columns_meta.items():
        if col in skip or col not in data or meta.get("sdtype") != "numerical":
            continue
        v = _values(data[col])
        v = np.unique(v[~np.isnan(v)])
        if len(v) < MIN_DISTINCT or not np.isfinite(v).all():
            continue
        d = _decimals(v)
        if d is None:
            continue
        iv = np.round(v * 10.0**d).astype(np.int64)
        g = int(np.gcd.reduce(iv - iv[0]))
        if g <= 1:
            continue
        step = g / 10.0**d
        count = int(round((v[-1] - v[0]) / step))
        if count > 10 * len(v):  # a sparse grid is a float coincidence (e.g. 5-decimal steps), not a rule
            continue
        rules.append(GridColumn(col, float(v[0]), step, count, str(data[col].dtype)))
    return rules
