"""Numerical columns: floats and integers of any width, numpy or pandas nullable."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from .base import ColumnTransform, check_bounds

_INT_RANGES = {
    "Int8": (-(2**7), 2**7 - 1),
    "Int16": (-(2**15), 2**15 - 1),
    "Int32": (-(2**31), 2**31 - 1),
    "Int64": (-(2**63), 2**63 - 1),
    "UInt8": (0, 2**8 - 1),
    "UInt16": (0, 2**16 - 1),
    "UInt32": (0, 2**32 - 1),
    "UInt64": (0, 2**64 - 1),
}


def learn_decimals(values: np.ndarray, max_decimals: int = 10) -> int | None:
    """Smallest number of decimals that writes every value exactly, or None if more than ``max_decimals``."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return None
    if v.size > 200_000:
        v = v[:: max(1, v.size // 200_000)]
    for d in range(max_decimals + 1):
        scaled = v * 10.0**d
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled)) * 1e-3 + 1e-7):
            return d
    return None


def as_float(name, series: pd.Series) -> np.ndarray:
    """The column as float64 with NaN for missing; clear errors for text or inf values."""
    s = series
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        conv = pd.to_numeric(s, errors="coerce")
        bad = conv.isna() & s.notna()
        if bad.any():
            ex = s[bad].iloc[0]
            raise InvalidDataError(
                f"numerical column {name!r} has {int(bad.sum())} non-numeric value(s) such as {ex!r}; "
                "clean them or declare the column 'categorical'"
            )
        s = conv
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype("float64")
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        return s.dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    try:
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise InvalidDataError(f"numerical column {name!r} cannot be read as numbers") from None
    inf = np.isinf(arr)
    if inf.any():
        raise InvalidDataError(
            f"numerical column {name!r} has {int(inf.sum())} infinite value(s); replace them with "
            "missing values (NaN) or finite numbers"
        )
    return arr


class NumericalTransform(ColumnTransform):
    """Float value plus a null indicator when the column has missing values.

    ``inverse`` clips to the learned [min, max] (``enforce_min_max_values``), rounds to the learned
    number of decimals (``enforce_rounding``) and restores the input dtype, including pandas
    nullable and unsigned integer dtypes.
    """

    sdtype = "numerical"

    def __init__(self, column, computer_representation=None, enforce_min_max_values=True, enforce_rounding=True):
        super().__init__(column)
        self.computer_representation = computer_representation
        self.enforce_min_max_values = enforce_min_max_values
        self.enforce_rounding = enforce_rounding

    def fit(self, series):
        v = as_float(self.column, series)
        ok = ~np.isnan(v)
        if not ok.any():
            raise InvalidDataError(f"column {self.column!r} has no values (all missing); drop it or fill it")
        self.dtype = str(series.dtype) if series.dtype != object else "float64"
        if pd.api.types.is_timedelta64_dtype(series.dtype):
            self.computer_representation = self.computer_representation or "Float"
        rep = self.computer_representation
        if rep is None:
            from ..metadata.detection import numerical_representation

            rep = numerical_representation(series) if series.dtype != object else "Float"
        self.representation = rep
        self.min = float(v[ok].min())
        self.max = float(v[ok].max())
        self.decimals = 0 if rep != "Float" else learn_decimals(v[ok])
        self.null_rate = float(1 - ok.mean())
        self.output_names = [self.column]
        self.output_kinds = ["continuous"]
        nunique = len(np.unique(v[ok][:100_000]))
        if nunique <= 32:
            self.output_kinds = ["discrete"]
        if self.null_rate > 0:
            self.output_names.append(self.column + "#null")
            self.output_kinds.append("null")
        return self

    def forward(self, series):
        v = as_float(self.column, series)
        if self.null_rate > 0:
            return np.column_stack([v, np.isnan(v).astype(float)])
        return v[:, None]

    def inverse(self, values, rng, positions):
        x = values[:, 0].astype(float, copy=True)
        if self.enforce_min_max_values:
            np.clip(x, self.min, self.max, out=x)
        if self.representation != "Float":
            lo, hi = _INT_RANGES[self.representation]
            # the float bounds must themselves fit the integer type (float(2**63 - 1) == 2**63)
            lo_f, hi_f = float(lo), float(hi)
            if hi_f > hi:
                hi_f = float(np.nextafter(hi_f, 0.0))
            if lo_f < lo:
                lo_f = float(np.nextafter(lo_f, 0.0))
            np.clip(x, lo_f, hi_f, out=x)
            x = np.round(x)
        elif self.enforce_rounding and self.decimals is not None:
            x = np.round(x, self.decimals)
        nulls = values[:, 1] > 0.5 if self.null_rate > 0 else None
        return _restore_numeric(self.column, x, nulls, self.dtype)

    def get_state(self):
        st = super().get_state()
        st.update(
            computer_representation=self.computer_representation,
            enforce_min_max_values=bool(self.enforce_min_max_values),
            enforce_rounding=bool(self.enforce_rounding),
            dtype=self.dtype,
            representation=self.representation,
            min=self.min,
            max=self.max,
            decimals=self.decimals,
            null_rate=self.null_rate,
        )
        return st

    def set_state(self, st):
        super().set_state(st)
        self.computer_representation = st["computer_representation"]
        self.enforce_min_max_values = bool(st["enforce_min_max_values"])
        self.enforce_rounding = bool(st["enforce_rounding"])
        self.dtype = str(st["dtype"])
        pd.api.types.pandas_dtype(self.dtype)  # validates the dtype name
        self.representation = str(st["representation"])
        if self.representation != "Float" and self.representation not in _INT_RANGES:
            raise ValueError(f"unknown representation {self.representation!r}")
        self.min, self.max = check_bounds(st["min"], st["max"])
        if self.representation in _INT_RANGES:
            lo, hi = _INT_RANGES[self.representation]
            if self.min < lo or self.max > hi:
                raise ValueError(f"bounds [{self.min}, {self.max}] do not fit {self.representation}")
        if len(self.output_names) not in (1, 2):
            raise ValueError("a numerical column has one output and an optional null indicator")
        self.decimals = None if st["decimals"] is None else int(st["decimals"])
        if self.decimals is not None and not 0 <= self.decimals <= 15:
            raise ValueError(f"decimals must be between 0 and 15, got {self.decimals}")
        self.null_rate = float(st["null_rate"])
        if not 0.0 <= self.null_rate <= 1.0 or (self.null_rate > 0) != (len(self.output_names) == 2):
            raise ValueError("null_rate does not match the outputs")


def _restore_numeric(name, x: np.ndarray, nulls, dtype: str) -> pd.Series:
    dt = pd.api.types.pandas_dtype(dtype)
    mask = nulls if nulls is not None else np.zeros(len(x), dtype=bool)
    has_null = bool(mask.any())
    if dt.kind == "m":
        td = pd.Series(pd.to_timedelta(np.round(x, 9), unit="s"), name=name)
        td[mask] = pd.NaT
        return td.astype(dt)
    if isinstance(dt, pd.api.extensions.ExtensionDtype):
        npdt = getattr(dt, "numpy_dtype", None)
        if npdt is not None and npdt.kind in "iu":
            values = np.where(mask, 0, np.round(x)).astype(npdt)
            return pd.Series(pd.arrays.IntegerArray(values, mask.copy()), name=name)
        if npdt is not None and npdt.kind == "f":
            return pd.Series(pd.arrays.FloatingArray(np.where(mask, 0, x).astype(npdt), mask.copy()), name=name)
        s = pd.Series(x, name=name)
        if has_null:
            s[mask] = np.nan
        return s.astype(dt)
    if dt.kind in "iu":
        if has_null:
            nullable = pd.api.types.pandas_dtype({"i": "Int", "u": "UInt"}[dt.kind] + str(dt.itemsize * 8))
            values = np.where(mask, 0, np.round(x)).astype(dt)
            return pd.Series(pd.arrays.IntegerArray(values, mask.copy()), name=name, dtype=nullable)
        return pd.Series(np.round(x).astype(dt), name=name)
    x = x.astype(dt) if dt.kind == "f" else x
    if has_null:
        x = x.copy()
        x[mask] = np.nan
    return pd.Series(x, name=name)
