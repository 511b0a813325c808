"""Built-in constraints (SDV's names and parameters)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError
from .base import Constraint

_EPOCH = pd.Timestamp("1970-01-01")


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
    """

    builtin = True

    def __init__(self, low_column_name: str, high_column_name: str, strict_boundaries: bool = False):
        self.low = low_column_name
        self.high = high_column_name
        self.strict = bool(strict_boundaries)

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

    def fit(self, data, columns_meta):
        super().fit(data, columns_meta)
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
            out[self.high] = high.astype(getattr(self, "high_dtype", str(high.dtype)))
        except (TypeError, ValueError):
            out[self.high] = high
        return out


class ScalarRange(Constraint):
    """``low_value`` <= column <= ``high_value`` (strict with ``strict_boundaries``)."""

    builtin = True

    def __init__(self, column_name: str, low_value, high_value, strict_boundaries: bool = False):
        if low_value >= high_value:
            raise ConstraintError(
                f"ScalarRange({column_name!r}): low_value {low_value} must be below high_value {high_value}"
            )
        self.column = column_name
        self.low, self.high = low_value, high_value
        self.strict = bool(strict_boundaries)

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
    builtin = True
    sign = 1

    def __init__(self, column_name: str, strict: bool = False):
        self.column = column_name
        self.strict = bool(strict)

    @property
    def columns(self):
        return [self.column]

    def get_parameters(self):
        return {"column_name": self.column, "strict": self.strict}

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
    """Column >= 0 (> 0 with ``strict``)."""

    sign = 1


class Negative(_Sign):
    """Column <= 0 (< 0 with ``strict``)."""

    sign = -1


class _CodedColumns(Constraint):
    """Several columns learned as one categorical column of codes (``_codes`` / ``_decode``)."""

    builtin = True
    prefix = "#coded#"

    def __init__(self, column_names):
        if not isinstance(column_names, (list, tuple)) or len(column_names) < 2:
            raise ConstraintError(f"{type(self).__name__} needs a list of at least two column names")
        self.column_names = list(column_names)
        self.key = self.prefix + "#".join(self.column_names)

    @property
    def columns(self):
        return self.column_names

    def get_parameters(self):
        return {"column_names": self.column_names}

    def transform(self, data):
        out = data.drop(columns=self.column_names)
        out[self.key] = self._codes(data)
        return out

    def transform_columns(self, columns_meta):
        out = {c: m for c, m in columns_meta.items() if c not in self.column_names}
        out[self.key] = {"sdtype": "categorical"}
        return out

    def reverse_transform(self, data):
        codes = data[self.key].to_numpy().astype(np.int64)
        out = data.drop(columns=[self.key])
        for j, (c, values) in enumerate(zip(self.column_names, self._decode(codes))):
            col = pd.Series(values, index=data.index)
            try:
                col = col.astype(self.dtypes[j])
            except (TypeError, ValueError):
                pass
            out[c] = col
        return out


class FixedCombinations(_CodedColumns):
    """Only combinations of ``column_names`` seen in the real data.

    Transform-based: the columns are learned as one categorical column of their combinations.
    """

    prefix = "#combination#"

    def fit(self, data, columns_meta):
        missing = [c for c in self.columns if c not in data.columns]
        if missing:
            raise ConstraintError(f"{self}: column(s) {', '.join(map(repr, missing))} are not in the data")
        combos = self._plain(data).drop_duplicates()
        self.combos = [list(row) for row in combos.itertuples(index=False)]
        self.dtypes = [str(data[c].dtype) for c in self.column_names]
        self.meta = [dict(columns_meta[c]) for c in self.column_names]
        super().fit(data, columns_meta)

    def _plain(self, data) -> pd.DataFrame:
        """The columns as JSON values (what the model file stores): timestamps become text."""
        from ..utils.values import plain_values

        out = {}
        for c in self.column_names:
            col = data[c]
            if pd.api.types.is_datetime64_any_dtype(col.dtype):
                col = col.map(lambda v: None if pd.isna(v) else str(v))
            elif col.dtype == object:
                col = plain_values(col)
            out[c] = col.astype(object).where(col.notna(), None)
        return pd.DataFrame(out, index=data.index)

    def _codes(self, data) -> np.ndarray:
        keys = pd.MultiIndex.from_frame(self._plain(data))
        known = pd.MultiIndex.from_tuples([tuple(c) for c in self.combos])
        return known.get_indexer(keys)

    def is_valid(self, data):
        if not hasattr(self, "combos"):
            return np.ones(len(data), dtype=bool)
        return self._codes(data) >= 0

    def _decode(self, codes):
        table = np.array(self.combos, dtype=object)[codes]
        return [table[:, j] for j in range(len(self.column_names))]

    def get_state(self):
        return {"combos": self.combos, "dtypes": self.dtypes, "meta": self.meta}

    def set_state(self, st):
        self.combos = [list(r) for r in st["combos"]]
        self.dtypes = [_state_dtype(d) for d in st["dtypes"]]
        self.meta = list(st["meta"])
        if len(self.dtypes) != len(self.column_names) or any(len(r) != len(self.column_names) for r in self.combos):
            raise ValueError(f"the saved combinations do not have one value per column of {self.column_names}")


class OneHot(_CodedColumns):
    """Exactly one of ``column_names`` is 1 in each row (learned as one categorical column)."""

    prefix = "#onehot#"

    def fit(self, data, columns_meta):
        super().fit(data, columns_meta)
        self.dtypes = [str(data[c].dtype) for c in self.column_names]

    def is_valid(self, data):
        m = data[self.column_names].astype(float).to_numpy()
        return (np.isin(m, [0.0, 1.0]).all(axis=1)) & (m.sum(axis=1) == 1)

    def _codes(self, data):
        return data[self.column_names].astype(float).to_numpy().argmax(axis=1)

    def _decode(self, codes):
        return [(codes == j).astype(np.int64) for j in range(len(self.column_names))]

    def get_state(self):
        return {"dtypes": self.dtypes}

    def set_state(self, st):
        self.dtypes = [_state_dtype(d) for d in st["dtypes"]]
        if len(self.dtypes) != len(self.column_names):
            raise ValueError(f"the saved dtypes do not have one entry per column of {self.column_names}")


class Unique(Constraint):
    """No two synthetic rows share the values of ``column_names`` (checked; duplicates are re-drawn)."""

    builtin = True

    def __init__(self, column_names):
        self.column_names = [column_names] if isinstance(column_names, str) else list(column_names)

    @property
    def columns(self):
        return self.column_names

    def get_parameters(self):
        return {"column_names": self.column_names}

    def is_valid(self, data):
        return ~data.duplicated(subset=self.column_names, keep="first").to_numpy()


class FixedIncrements(Constraint):
    """Values are multiples of ``increment_value`` (learned divided by it, rounded back)."""

    builtin = True

    def __init__(self, column_name: str, increment_value):
        if not increment_value or increment_value <= 0:
            raise ConstraintError(f"FixedIncrements({column_name!r}): increment_value must be positive")
        self.column = column_name
        self.increment = increment_value

    @property
    def columns(self):
        return [self.column]

    def get_parameters(self):
        return {"column_name": self.column, "increment_value": self.increment}

    def fit(self, data, columns_meta):
        super().fit(data, columns_meta)
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


def _state_dtype(name) -> str:
    """A dtype name from a model file that pandas knows and that holds whole values (no void, fixed-width text or complex)."""
    name = str(name)
    try:
        dt = pd.api.types.pandas_dtype(name)
    except (TypeError, ValueError):
        raise ValueError(f"constraint dtype {name[:40]!r} is not a dtype name") from None
    if getattr(dt, "kind", "O") in "VSUc":
        raise ValueError(f"constraint dtype {name[:40]!r} cannot hold the column's values")
    return name


BUILTINS = {
    c.__name__: c
    for c in (Inequality, ScalarRange, Positive, Negative, FixedCombinations, OneHot, Unique, FixedIncrements)
}
