"""SDV's other constraint names: ``ScalarInequality``, ``Range`` and ``OneHotEncoding``.

- :class:`ScalarInequality` (SDV 1): a column against a constant (``'>'``, ``'>='``, ``'<'``, ``'<='``).
- :class:`Range` (SDV 1 and 2): ``low <= middle <= high``, two :class:`Inequality` rules chained, so
  it works on every representation they do (numbers, datetimes, text dates, date objects).
- :class:`OneHotEncoding` (SDV's name of :class:`OneHot`).
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

from ..errors import ConstraintError
from ..utils.validation import is_number
from .base import Constraint, _flag
from .builtin import Inequality, _num
from .combinations import OneHot
from .kinds import require_sdtypes, require_values
from .registry import register

_RELATIONS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


class ScalarInequality(Constraint):
    """``column relation value``, e.g. ``ScalarInequality('age', '>=', 18)`` (numbers or datetimes).

    Numbers are clipped to a non-strict bound; dates and strict bounds are met by re-drawing rows.
    Missing values satisfy the rule.

    Parameters
    ----------
    column_name : str
    relation : {'>', '>=', '<', '<='}
    value : number or date
    """

    def __init__(self, column_name: str, relation: str, value):
        if relation not in _RELATIONS:
            raise ConstraintError(
                f"ScalarInequality({column_name!r}): relation must be one of {', '.join(_RELATIONS)}, got {relation!r}"
            )
        if not is_number(value):
            try:
                pd.Timestamp(value)
            except (TypeError, ValueError):
                raise ConstraintError(
                    f"ScalarInequality({column_name!r}): value must be a number or a date, got {value!r}"
                ) from None
        self.column, self.relation, self.value = column_name, relation, value

    @property
    def columns(self):
        return [self.column]

    def get_parameters(self):
        return {"column_name": self.column, "relation": self.relation, "value": self.value}

    def check_metadata(self, columns_meta):
        require_sdtypes(self, columns_meta, self.columns, ("numerical", "datetime"))

    def check_kinds(self, data):
        require_values(self, data, self.columns, ("number", "datetime"))

    def _bound(self, s):
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            return float(pd.Timestamp(self.value).value)
        return float(self.value)

    def is_valid(self, data):
        v = _num(data[self.column])
        return _RELATIONS[self.relation](v, self._bound(data[self.column])) | np.isnan(v)

    def reverse_transform(self, data):
        s = data[self.column]
        if self.relation in (">", "<") or pd.api.types.is_datetime64_any_dtype(s.dtype):
            return data  # re-drawn
        out = data.copy()
        out[self.column] = s.clip(lower=self.value) if self.relation == ">=" else s.clip(upper=self.value)
        return out


class Range(Constraint):
    """``low_column_name`` <= ``middle_column_name`` <= ``high_column_name`` (< with ``strict_boundaries``).

    Two chained :class:`Inequality` rules (middle learned as its gap to low, high as its gap to
    middle), so no sampled row breaks it; missing values as :class:`Inequality` keeps them.
    """

    def __init__(self, low_column_name: str, middle_column_name: str, high_column_name: str, strict_boundaries=False):
        self.low, self.middle, self.high = low_column_name, middle_column_name, high_column_name
        self.strict = _flag(f"Range({low_column_name!r}, {middle_column_name!r}, {high_column_name!r})",
                            "strict_boundaries", strict_boundaries)  # fmt: skip
        self._upper = Inequality(middle_column_name, high_column_name, self.strict)
        self._lower = Inequality(low_column_name, middle_column_name, self.strict)

    @property
    def columns(self):
        return [self.low, self.middle, self.high]

    @property
    def altered_columns(self):
        return [self.middle, self.high]

    def get_parameters(self):
        return {
            "low_column_name": self.low,
            "middle_column_name": self.middle,
            "high_column_name": self.high,
            "strict_boundaries": self.strict,
        }

    def get_state(self):
        return {"upper": self._upper.get_state(), "lower": self._lower.get_state()}

    def set_state(self, st):
        if not isinstance(st.get("upper"), dict) or not isinstance(st.get("lower"), dict):
            raise ValueError("Range state: 'upper' and 'lower' must be Inequality states")
        self._upper.set_state(st["upper"])
        self._lower.set_state(st["lower"])

    def check_metadata(self, columns_meta):
        self._upper.check_metadata(columns_meta)
        self._lower.check_metadata(columns_meta)

    def check_kinds(self, data):
        self._upper.check_kinds(data)
        self._lower.check_kinds(data)

    def fit(self, data, columns_meta, check=False):
        super().fit(data, columns_meta, check)
        self._upper.fit(data, columns_meta)  # high -> gap to middle, on the raw middle
        self._lower.fit(self._upper.transform(data), self._upper.transform_columns(columns_meta))

    def is_valid(self, data):
        return np.asarray(self._upper.is_valid(data)) & np.asarray(self._lower.is_valid(data))

    def transform(self, data):
        return self._lower.transform(self._upper.transform(data))

    def transform_columns(self, columns_meta):
        return self._lower.transform_columns(self._upper.transform_columns(columns_meta))

    def reverse_transform(self, data):
        return self._upper.reverse_transform(self._lower.reverse_transform(data))


@register
class OneHotEncoding(OneHot):
    """SDV's name of :class:`OneHot`: exactly one of ``column_names`` is 1 in each row."""


register(ScalarInequality)
register(Range)

__all__ = ["ScalarInequality", "Range", "OneHotEncoding"]
