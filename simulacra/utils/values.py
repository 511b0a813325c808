"""Plain values: numpy and pandas scalars as JSON values, and odd object values as their text."""

from __future__ import annotations

import numpy as np
import pandas as pd


def to_jsonable(value):
    """A Python/numpy scalar as a JSON value (NaN/None -> None)."""
    if value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (int, str)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def plain_values(s: pd.Series) -> pd.Series:
    """Object values that are not str/int/float/bool (Decimal, dates, ...) as their text, like the stored categories."""
    sample = s.iloc[:1000].dropna()
    # infer_dtype answers in C for the usual text and number columns; the per-value check is for the rest
    plain = pd.api.types.infer_dtype(sample, skipna=False) in (
        "string",
        "integer",
        "floating",
        "boolean",
        "mixed-integer-float",
        "empty",
    )
    if (
        plain or sample.map(lambda v: isinstance(v, (str, bool, int, float, np.bool_, np.integer, np.floating))).all()
    ) and len(sample) == min(1000, s.notna().sum()):
        rest = s.iloc[1000:].dropna()
        if rest.empty or rest.map(type).isin([str, int, float, bool]).all():
            return s
    return s.map(lambda v: v if v is None or (isinstance(v, float) and np.isnan(v)) else to_jsonable(v))


def seconds_to_datetime(seconds) -> np.ndarray:
    """Float seconds since 1970 (NaN for missing) as ``datetime64[ns]`` (NaT for missing).

    ``pd.to_datetime(floats, unit="s")`` reads uninitialized memory for NaN entries in pandas 2.x
    (its ``cast_from_unit_vectorized`` rounds an unfilled array), which can raise an overflow at random;
    the integer path below never sees a NaN.
    """
    return _seconds_to_ns(seconds).view("datetime64[ns]")


def seconds_to_timedelta(seconds) -> np.ndarray:
    """Float seconds (NaN for missing) as ``timedelta64[ns]`` (NaT for missing), as ``seconds_to_datetime``."""
    return _seconds_to_ns(seconds).view("timedelta64[ns]")


def _seconds_to_ns(seconds) -> np.ndarray:
    x = np.asarray(seconds, dtype=float)
    missing = ~np.isfinite(x)
    whole = np.floor(np.where(missing, 0.0, x))
    frac = np.round((np.where(missing, 0.0, x) - whole) * 1e9)
    ns = whole.astype("int64") * np.int64(1_000_000_000) + frac.astype("int64")
    ns[missing] = np.iinfo("int64").min  # NaT
    return ns
