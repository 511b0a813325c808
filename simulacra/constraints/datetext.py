"""Dates as a table may hold them for a rule: text in a ``datetime_format``, date objects, datetime64.

The ordered rules (:class:`~simulacra.constraints.Inequality`) read dates in whatever
representation the metadata allows, through these vectorized helpers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd


def parse_dates(s: pd.Series, fmt) -> pd.Series:
    """Dates written as text in ``fmt`` (inferred when None) or as date objects, as naive datetime64 (NaT if not)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt is not None and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            out = pd.to_datetime(s, format=fmt, errors="coerce", utc="%z" in fmt)
        else:
            out = pd.to_datetime(s, errors="coerce", format="mixed")
    if isinstance(out.dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def guess_format(s: pd.Series):
    """The datetime format the first value of ``s`` is written in (None when pandas cannot tell)."""
    first = s.dropna()
    if first.empty:
        return None
    from pandas.tseries.api import guess_datetime_format

    return guess_datetime_format(str(first.iloc[0]))


def seconds(s: pd.Series) -> np.ndarray:
    """Naive datetimes as float seconds since the epoch (NaN where missing)."""
    v = s.to_numpy(dtype="datetime64[ns]").view("int64").astype(float) / 1e9
    v[s.isna().to_numpy()] = np.nan
    return v
