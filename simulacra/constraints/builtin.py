"""Built-in constraints (SDV's names and parameters)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError
from ..utils.validation import is_number
from ..utils.values import seconds_to_datetime
from .base import Constraint, _flag, _state_dtype
from .combinations import FixedCombinations, OneHot
from .datetext import guess_format, parse_dates, seconds
from .kinds import require_sdtypes, require_values, value_kind
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

    Transform-based: the synthesizer learns the gap ``high - low`` in place of ``high``, so no
    sampled row can break the rule. Dates may be datetime64 (naive or with a time zone), text in
    the metadata's ``datetime_format`` (as a CSV reads them; without a format, the one the real
    values are written in) or ``datetime.date`` objects; sampled dates come back the same way.

    Missing values: a row where either column is missing satisfies the rule. A missing ``high``
    stays missing (its gap is missing, learned at the real rate); where ``low`` is missing,
    ``high`` is learned as its gap to ``low``'s median and restored from it.

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
        self._formats: dict = {}  # column -> datetime_format (None: none given) of datetime columns
        self._text = False  # dates as text or date objects: the gap is learned as a number of seconds
        self._kind = "text"
        self.step = 1.0

    @property
    def columns(self):
        return [self.low, self.high]

    def get_parameters(self):
        return {"low_column_name": self.low, "high_column_name": self.high, "strict_boundaries": self.strict}

    def get_state(self):
        state = {"dates": bool(self._dates), "high_dtype": self.high_dtype, "fill": self.fill}
        if self._text:
            state.update(text=True, formats=dict(self._formats), step=float(self.step), kind=self._kind)
        return state

    def set_state(self, st):
        self._dates = bool(st.get("dates", False))
        self.high_dtype = _state_dtype(st.get("high_dtype", "float64"))
        self.fill = st.get("fill")
        self._text = bool(st.get("text", False))
        formats = st.get("formats") or {}
        if not isinstance(formats, dict) or not all(f is None or isinstance(f, str) for f in formats.values()):
            raise ValueError(f"Inequality state: formats must map columns to format text, got {formats!r:.80}")
        self._formats = {str(k): v for k, v in formats.items()}
        self.step = float(st.get("step", 1.0))
        if not 0 < self.step < float("inf"):
            raise ValueError(f"Inequality state: step must be a positive number, got {self.step!r}")
        self._kind = st.get("kind", "text")
        if self._kind not in ("text", "date"):
            raise ValueError(f"Inequality state: kind must be 'text' or 'date', got {self._kind!r}")

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
        self._formats = {
            c: columns_meta[c].get("datetime_format")
            for c in self.columns
            if columns_meta.get(c, {}).get("sdtype") == "datetime"
        }

    def check_kinds(self, data):
        kinds = []
        for col in self.columns:
            kind = value_kind(data[col])
            if kind != "datetime" and col in self._formats:  # dates as text or date objects
                parsed = parse_dates(data[col], self._formats[col])
                bad = parsed.isna() & data[col].notna().to_numpy()
                if bad.any():
                    fmt = self._formats[col]
                    raise ConstraintError(
                        f"{self}: {int(bad.sum())} values of {col!r} are not dates"
                        + (f" in its datetime_format {fmt!r}" if fmt else "")
                        + f" (e.g. row {int(np.flatnonzero(bad)[0])}); fix them or the column's datetime_format"
                    )
                kind = "datetime"
            elif kind not in _ORDERED_KINDS:
                hint = (
                    "; declare text dates 'datetime' (with their datetime_format) or convert them with pd.to_datetime"
                )
                require_values(self, data, [col], _ORDERED_KINDS, hint)
            kinds.append(kind)
        if kinds[0] != kinds[1]:
            raise ConstraintError(
                f"{self}: {self.low!r} holds {kinds[0]}s and {self.high!r} {kinds[1]}s; "
                "Inequality needs two columns of numbers or two of datetimes"
            )

    def fit(self, data, columns_meta, check=False):
        super().fit(data, columns_meta, check)
        self.check_metadata(columns_meta)
        high = data[self.high]
        self._dates = pd.api.types.is_datetime64_any_dtype(high.dtype)
        self._text = self.high in self._formats and not self._dates
        self.high_dtype = str(high.dtype)
        if self._text:
            self._fit_text(data)
            return
        low = data[self.low].dropna()
        # where low is missing, high is stored as its gap to low's median, and restored from it
        self.fill = (
            None if low.empty else (str(low.sort_values().iloc[len(low) // 2]) if self._dates else float(low.median()))
        )

    def _fit_text(self, data):
        """Dates as text (or date objects): formats, the gaps' resolution and low's median, from the real rows."""
        high = data[self.high]
        first = high.dropna()
        self._kind = "date" if len(first) and not isinstance(first.iloc[0], str) else "text"
        for col in self.columns:
            if self._formats.get(col) is None and self._kind == "text":
                self._formats[col] = guess_format(data[col])
        lo = parse_dates(data[self.low], self._formats.get(self.low))
        hi = parse_dates(high, self._formats.get(self.high))
        gaps = seconds(hi) - seconds(lo)
        gaps = gaps[~np.isnan(gaps)]
        # the largest of a day, an hour, a minute, a second that every real gap is a multiple of
        self.step = next((s for s in (86400.0, 3600.0, 60.0, 1.0) if np.all(np.mod(gaps, s) == 0)), 1e-6)
        lo = lo.dropna()
        self.fill = None if lo.empty else str(lo.sort_values().iloc[len(lo) // 2])

    def _low_filled(self, data):
        low = data[self.low]
        if self.fill is None or not low.isna().any():
            return low
        fill = pd.Timestamp(self.fill) if self._dates else self.fill
        if self._dates and isinstance(low.dtype, pd.DatetimeTZDtype) and fill.tzinfo is None:
            fill = fill.tz_localize(low.dt.tz)
        return low.where(low.notna(), fill)

    def _ordered(self, data, col):
        """The column as floats (nanoseconds for dates, whatever their representation)."""
        s = data[col]
        if col in self._formats and not pd.api.types.is_datetime64_any_dtype(s.dtype) and value_kind(s) != "number":
            return _num(parse_dates(s, self._formats[col]))
        return _num(s)

    def is_valid(self, data):
        lo, hi = self._ordered(data, self.low), self._ordered(data, self.high)
        ok = hi > lo if self.strict else hi >= lo
        return ok | np.isnan(lo) | np.isnan(hi)

    def _lowseconds(self, data):
        lo = seconds(parse_dates(data[self.low], self._formats.get(self.low)))
        if self.fill is not None:
            lo[np.isnan(lo)] = seconds(pd.Series([pd.Timestamp(self.fill)]))[0]
        return lo

    def transform(self, data):
        out = data.copy()
        if self._text:
            hi = seconds(parse_dates(data[self.high], self._formats.get(self.high)))
            out[self.high] = hi - self._lowseconds(data)
            return out
        low = self._low_filled(data)
        if pd.api.types.is_datetime64_any_dtype(data[self.high].dtype):
            out[self.high] = _EPOCH + (data[self.high] - low).to_numpy()
        else:
            out[self.high] = data[self.high] - low
        return out

    def transform_columns(self, columns_meta):
        if not self._text:
            return columns_meta
        out = dict(columns_meta)
        out[self.high] = {"sdtype": "numerical", "computer_representation": "Float"}
        return out

    def reverse_transform(self, data):
        out = data.copy()
        if self._text:
            out[self.high] = self._reverse_text(data)
            return out
        low = self._low_filled(data)
        if pd.api.types.is_datetime64_any_dtype(data[self.high].dtype):
            gap = data[self.high] - _EPOCH
            if self.strict:
                gap = gap.where(gap.isna() | (gap > pd.Timedelta(0)), pd.Timedelta(seconds=1))
            else:
                gap = gap.where(gap.isna() | (gap >= pd.Timedelta(0)), pd.Timedelta(0))
            high = low + gap.to_numpy()
        else:
            high = low + data[self.high].clip(lower=0)
        try:
            out[self.high] = high.astype(self.high_dtype)
        except (TypeError, ValueError):
            out[self.high] = high
        return out

    def _reverse_text(self, data) -> pd.Series:
        """High dates from the learned gaps, written as the real ones were (missing gaps stay missing)."""
        gap = pd.to_numeric(data[self.high], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        gap = np.round(gap / self.step) * self.step
        gap = np.maximum(gap, self.step if self.strict else 0.0)
        secs = self._lowseconds(data) + gap
        high = pd.Series(seconds_to_datetime(secs), index=data.index)
        if self._kind == "date":
            return high.dt.date.astype(object).where(high.notna(), None)
        text = high.dt.strftime(self._formats.get(self.high) or "%Y-%m-%d %H:%M:%S").astype(object)
        return text.where(high.notna(), np.nan)


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
