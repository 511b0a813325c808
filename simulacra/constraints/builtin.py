"""Built-in constraints (SDV's names and parameters)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError
from ..utils.validation import is_number
from .base import Constraint, _flag, _state_dtype
from .combinations import FixedCombinations, OneHot
from .kinds import require_sdtypes, require_values
from .registry import BUILTINS, register
from .unique import Unique

_EPOCH = pd.Timestamp("1970-01-01")

#: the sdtypes and value kinds of the rules on numbers or dates
_ORDERED_SDTYPES = ("numerical", "datetime")
_ORDERED_KINDS = ("number", "datetime")


def _num(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        v = s.astype("datetime64[ns]").astype("int64").astype(float)
        v[s.isna().to_numpy()] = np.nan
        return v
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


class Inequality(Constraint):
    """``low_column_name`` <= ``high_column_name`` (or < with ``strict_boundaries``); numbers or dates.

    Transform-based: the synthesizer learns the gap ``high - low`` in place of ``high``.

    Parameters
    ----------
    low_column_name, high_column_name : str
        The columns (both numbers, or both datetimes).
    strict_boundaries : bool, default False
        ``low < high`` instead of ``low <= high``.
    """

    def __init__(self, low_column_name: str, high_column_name: str, strict_boundaries: bool = False):
        self.low = low_column_name
        self.high = high_column_name
        self.strict = _flag(
            f"Inequality({low_column_name!r}, {high_column_name!r})", "strict_boundaries", strict_boundaries
        )

    @property
    def columns(self):
        return [self.low, self.high]

    def get_parameters(self):
        return {"low_column_name": self.low, "high_column_name": self.high, "strict_boundaries": self.strict}

    def get_state(self):
        return {"dates": bool(self._dates), "high_dtype": self.high_dtype, "fill": self.fill}

    def set_state(self, st):
        self._dates = bool(st.get("dates", False))
        self.high_dtype = _state_dtype(st.get("high_dtype", "float64"))
        self.fill = st.get("fill")

    @property
    def altered_columns(self):
        return [self.high]

    def check_metadata(self, columns_meta):
        require_sdtypes(self, columns_meta, self.columns, _ORDERED_SDTYPES)
        low, high = (columns_meta.get(c, {}).get("sdtype") for c in self.columns)
        if low and high and low != high:
            raise ConstraintError(
                f"{self}: {self.low!r} is {low!r} and {self.high!r} is {high!r} in the metadata; "
                "Inequality needs two numerical or two datetime columns"
            )

    def check_kinds(self, data):
        low, high = require_values(
            self, data, self.columns, _ORDERED_KINDS, "; convert text dates with pd.to_datetime before fitting"
        )
        if low != high:
            raise ConstraintError(
                f"{self}: {self.low!r} holds {low}s and {self.high!r} {high}s; "
                "Inequality needs two columns of numbers or two of datetimes"
            )

    def fit(self, data, columns_meta, check=False):
        super().fit(data, columns_meta, check)
        self._dates = pd.api.types.is_datetime64_any_dtype(data[self.high].dtype)
        self._text_dates = columns_meta.get(self.high, {}).get("sdtype") == "datetime" and not self._dates
        if self._text_dates:
            raise ConstraintError(
                f"{self}: convert the text dates of {self.high!r} to datetimes (pd.to_datetime) before fitting"
            )
        self.high_dtype = str(data[self.high].dtype)
        low = data[self.low].dropna()
        # where low is missing, high is stored as its gap to low's median, and restored from it
        self.fill = (
            None if low.empty else (str(low.sort_values().iloc[len(low) // 2]) if self._dates else float(low.median()))
        )

    def _low_filled(self, data):
        low = data[self.low]
        if self.fill is None or not low.isna().any():
            return low
        fill = pd.Timestamp(self.fill) if self._dates else self.fill
        if self._dates and isinstance(low.dtype, pd.DatetimeTZDtype) and fill.tzinfo is None:
            fill = fill.tz_localize(low.dt.tz)
        return low.where(low.notna(), fill)

    def is_valid(self, data):
        lo, hi = _num(data[self.low]), _num(data[self.high])
        ok = hi > lo if self.strict else hi >= lo
        return ok | np.isnan(lo) | np.isnan(hi)

    def transform(self, data):
        out = data.copy()
        low = self._low_filled(data)
        if pd.api.types.is_datetime64_any_dtype(data[self.high].dtype):
            out[self.high] = _EPOCH + (data[self.high] - low).to_numpy()
        else:
            out[self.high] = data[self.high] - low
        return out

    def reverse_transform(self, data):
        out = data.copy()
        low = self._low_filled(data)
        if pd.api.types.is_datetime64_any_dtype(data[self.high].dtype):
            gap = data[self.high] - _EPOCH
            if self.strict:
                gap = gap.where(gap > pd.Timedelta(0), pd.Timedelta(seconds=1))
            else:
                gap = gap.where(gap >= pd.Timedelta(0), pd.Timedelta(0))
            high = low + gap.to_numpy()
        else:
            high = low + data[self.high].clip(lower=0)
        try:
            out[self.high] = high.astype(self.high_dtype)
        except (TypeError, ValueError):
            out[self.high] = high
        return out


class ScalarRange(Constraint):
    """``low_value`` <= column <= ``high_value`` (strict with ``strict_boundaries``).

    Sampled numbers are clipped into the range (whole numbers for integer columns); dates outside
    it, and values on a strict bound, are re-drawn.

    Parameters
    ----------
    column_name : str
        The column (numbers or datetimes).
    low_value, high_value : number or date
        The bounds; ``low_value`` must be below ``high_value``.
    strict_boundaries : bool, default False
        Exclude the bounds themselves.
    """

    def __init__(self, column_name: str, low_value, high_value, strict_boundaries: bool = False):
        owner = f"ScalarRange({column_name!r})"
        try:
            below = not (pd.isna(low_value) or pd.isna(high_value)) and bool(low_value < high_value)
        except (TypeError, ValueError):
            raise ConstraintError(
                f"{owner}: low_value and high_value must be numbers (or dates), got {low_value!r} and {high_value!r}"
            ) from None
        if not below:
            raise ConstraintError(
                f"ScalarRange({column_name!r}): low_value {low_value} must be below high_value {high_value}"
            )
        self.column = column_name
        self.low, self.high = low_value, high_value
        self.strict = _flag(owner, "strict_boundaries", strict_boundaries)

    @property
    def columns(self):
        return [self.column]

    def get_parameters(self):
        return {
            "column_name": self.column,
            "low_value": self.low,
            "high_value": self.high,
            "strict_boundaries": self.strict,
        }

    def check_metadata(self, columns_meta):
        require_sdtypes(self, columns_meta, self.columns, _ORDERED_SDTYPES)
        sdtype = columns_meta.get(self.column, {}).get("sdtype")
        if sdtype == "numerical" and not (is_number(self.low) and is_number(self.high)):
            raise ConstraintError(
                f"{self}: {self.column!r} is numerical in the metadata; low_value and high_value must be numbers"
            )
        if sdtype == "datetime":
            try:
                pd.Timestamp(self.low), pd.Timestamp(self.high)
            except (TypeError, ValueError):
                raise ConstraintError(
                    f"{self}: {self.column!r} is datetime in the metadata; low_value and high_value must be dates"
                ) from None

    def check_kinds(self, data):
        require_values(self, data, self.columns, _ORDERED_KINDS)

    def _bounds(self, s):
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            return float(pd.Timestamp(self.low).value), float(pd.Timestamp(self.high).value)
        return float(self.low), float(self.high)

    def is_valid(self, data):
        v = _num(data[self.column])
        lo, hi = self._bounds(data[self.column])
        ok = (v > lo) & (v < hi) if self.strict else (v >= lo) & (v <= hi)
        return ok | np.isnan(v)

    def reverse_transform(self, data):
        s = data[self.column]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            return data
        out = data.copy()
        lo, hi = self._bounds(s)
        if s.dtype.kind in "iu" or str(s.dtype) in (
            "Int64",
            "Int32",
            "UInt8",
            "UInt16",
            "UInt32",
            "UInt64",
            "Int8",
            "Int16",
        ):
            lo, hi = np.ceil(lo + (1 if self.strict else 0) * 1e-9), np.floor(hi - (1 if self.strict else 0) * 1e-9)
        out[self.column] = s.clip(lower=lo, upper=hi)
        return out


class _Sign(Constraint):
    """Positive and Negative: the column's sign, clipped back unless strict."""

    sign = 1

    def __init__(self, column_name: str, strict: bool = False):
        self.column = column_name
        self.strict = _flag(f"{type(self).__name__}({column_name!r})", "strict", strict)

    @property
    def columns(self):
        return [self.column]

    def get_parameters(self):
        return {"column_name": self.column, "strict": self.strict}

    def check_metadata(self, columns_meta):
        require_sdtypes(self, columns_meta, self.columns, _ORDERED_SDTYPES)

    def check_kinds(self, data):
        require_values(self, data, self.columns, _ORDERED_KINDS)

    def is_valid(self, data):
        v = _num(data[self.column]) * self.sign
        return (v > 0 if self.strict else v >= 0) | np.isnan(v)

    def reverse_transform(self, data):
        s = data[self.column]
        if self.strict or pd.api.types.is_datetime64_any_dtype(s.dtype):
            return data  # strict bounds are enforced by re-drawing rows
        out = data.copy()
        out[self.column] = s.clip(lower=0) if self.sign > 0 else s.clip(upper=0)
        return out


class Positive(_Sign):
    """Column >= 0 (> 0 with ``strict``).

    Parameters
    ----------
    column_name : str
        The column.
    strict : bool, default False
        Exclude 0 (rows are then re-drawn instead of clipped).
    """

    sign = 1


class Negative(_Sign):
    """Column <= 0 (< 0 with ``strict``).

    Parameters
    ----------
    column_name : str
        The column.
    strict : bool, default False
        Exclude 0 (rows are then re-drawn instead of clipped).
    """

    sign = -1


class FixedIncrements(Constraint):
    """Values are multiples of ``increment_value`` (learned divided by it, rounded back).

    Parameters
    ----------
    column_name : str
        The column.
    increment_value : number
        The step, positive.
    """

    def __init__(self, column_name: str, increment_value):
        if not is_number(increment_value) or not 0 < increment_value < float("inf"):
            raise ConstraintError(
                f"FixedIncrements({column_name!r}): increment_value must be positive (a number), got {increment_value!r}"
            )
        self.column = column_name
        self.increment = increment_value

    @property
    def columns(self):
        return [self.column]

    def get_parameters(self):
        return {"column_name": self.column, "increment_value": self.increment}

    def check_metadata(self, columns_meta):
        require_sdtypes(self, columns_meta, self.columns, ("numerical",))

    def check_kinds(self, data):
        require_values(self, data, self.columns, ("number",))

    def fit(self, data, columns_meta, check=False):
        super().fit(data, columns_meta, check)
        self.dtype = str(data[self.column].dtype)

    def is_valid(self, data):
        v = _num(data[self.column])
        r = np.mod(v, self.increment)
        return np.isclose(r, 0, atol=1e-9) | np.isclose(r, self.increment, atol=1e-9) | np.isnan(v)

    def transform(self, data):
        out = data.copy()
        out[self.column] = (data[self.column].astype(float) / self.increment).round()
        return out

    def transform_columns(self, columns_meta):
        out = dict(columns_meta)
        out[self.column] = {"sdtype": "numerical", "computer_representation": "Float"}
        return out

    def reverse_transform(self, data):
        out = data.copy()
        v = data[self.column].astype(float).round() * self.increment
        try:
            out[self.column] = v.astype(self.dtype)
        except (TypeError, ValueError):
            out[self.column] = v
        return out

    def get_state(self):
        return {"dtype": self.dtype}

    def set_state(self, st):
        self.dtype = _state_dtype(st["dtype"])


for _cls in (Inequality, ScalarRange, Positive, Negative, FixedCombinations, OneHot, Unique, FixedIncrements):
    register(_cls)
del _cls

__all__ = [
    "BUILTINS",
    "Inequality",
    "ScalarRange",
    "Positive",
    "Negative",
    "FixedCombinations",
    "OneHot",
    "Unique",
    "FixedIncrements",
]
