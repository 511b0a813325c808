"""Datetime columns: datetime64 (naive or with a time zone) or text in one or several formats.

Values are learned as wall-clock seconds (float). Samples come back in the input's dtype (same
unit and time zone) or, for text input, as text in the learned formats, mixed in the learned
shares, at the learned resolution (whole days stay whole days).
"""

from __future__ import annotations

import datetime as _dt
import warnings

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from ..metadata.dateparse import parse_out_of_range
from ..utils.dtypes import as_dtype, dtype_name
from .base import ColumnTransform, check_bounds, check_rate

_NS = 10**9
_NAT = np.iinfo(np.int64).min
# the datetime64[ns] range, as datetimes of a coarser unit compare
_NS_MIN = np.datetime64(pd.Timestamp.min.ceil("us").to_datetime64(), "us")
_NS_MAX = np.datetime64(pd.Timestamp.max.floor("us").to_datetime64(), "us")
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
#: candidate resolutions in nanoseconds: day, hour, minute, second, ms, us, ns
_STEPS_NS = (86400 * _NS, 3600 * _NS, 60 * _NS, _NS, 10**6, 10**3, 1)


def _parse(series: pd.Series, fmt: str) -> pd.Series:
    utc = "%z" in fmt or fmt.endswith("Z")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(series, format=fmt, errors="coerce", utc=utc)


class DatetimeTransform(ColumnTransform):
    """Datetimes, dates, times and date text as seconds (plus a null indicator when values are missing).

    Decoding rounds to the learned step, clips to the learned [min, max]
    (``enforce_min_max_values``) and restores the input's dtype, time zone or text formats.
    """

    sdtype = "datetime"

    def __init__(self, column, datetime_format=None, enforce_min_max_values=True):
        super().__init__(column)
        self.datetime_format = datetime_format
        self.enforce_min_max_values = enforce_min_max_values

    # wall-clock ticks of the column's own unit (int64) and the mask of missing values
    def _to_ticks(self, series: pd.Series, fitting: bool):
        s = series = _aware_as_utc(series)
        if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s.dtype):
            wall = s.dt.tz_localize(None) if isinstance(s.dtype, pd.DatetimeTZDtype) else s
            arr = wall.to_numpy()
            unit = np.datetime_data(arr.dtype)[0]
            if unit not in _PER_SECOND:
                arr = arr.astype("datetime64[s]")
                unit = "s"
            missing = np.isnat(arr)
            return arr.view("int64").copy(), missing, unit
        if self.is_time:
            return _time_ticks(self.column, s)
        if self.is_date:
            return _date_ticks(self.column, s)
        if pd.api.types.is_numeric_dtype(s.dtype):
            raise InvalidDataError(
                f"datetime column {self.column!r} holds numbers; convert them to dates or declare the column 'numerical'"
            )
        ticks, unit = self._parse_text(series, fitting)
        missing = ticks == _NAT
        return np.where(missing, 0, ticks), missing, unit

    def _to_seconds(self, series: pd.Series, fitting: bool) -> np.ndarray:
        ticks, missing, unit = self._to_ticks(series, fitting)
        sec = ticks / _PER_SECOND[unit]
        sec[missing] = np.nan
        return sec

    def _parse_text(self, series: pd.Series, fitting: bool) -> np.ndarray:
        s = series
        text = s.astype("string")
        notna = text.notna().to_numpy()
        result = np.full(len(s), _NAT, dtype=np.int64)
        remaining = notna.copy()
        fmts = list(self.formats) if not fitting else None
        if fitting:
            from ..metadata.detection import detect_datetime_formats

            order = []
            if self.datetime_format:
                order.append(self.datetime_format)
            shares = detect_datetime_formats(text[notna].astype(str)) or {}
            order += [f for f in sorted(shares, key=shares.get, reverse=True) if f not in order]
            fmts = order
        counts = {}
        offsets = []
        # dates outside datetime64[ns] (before 1677, after 2262), parsed by Arrow, in microseconds
        wide = np.full(len(s), _NAT, dtype=np.int64)
        for fmt in fmts:
            if not remaining.any():
                break
            parsed = _parse(text[remaining], fmt)
            ok = parsed.notna().to_numpy()
            idx = np.flatnonzero(remaining)[ok]
            if ok.any():
                p = parsed[ok]
                if getattr(p.dt, "tz", None) is not None:
                    p = p.dt.tz_convert("UTC").dt.tz_localize(None)
                arr = p.to_numpy()
                # pandas 3 parses dates outside datetime64[ns] (before 1677, after 2262) in a coarser unit:
                # those go with Arrow's, in microseconds, instead of wrapping around in nanoseconds
                inside = (arr >= _NS_MIN) & (arr <= _NS_MAX)
                result[idx[inside]] = arr[inside].astype("datetime64[ns]").astype("int64")
                wide[idx[~inside]] = arr[~inside].astype("datetime64[us]").astype("int64")
            rest = np.flatnonzero(remaining)[~ok]
            if len(rest):
                w = parse_out_of_range(text.iloc[rest].astype(str), fmt)
                good = ~np.isnat(w)
                wide[rest[good]] = w[good].astype("int64")
                idx = np.concatenate([idx, rest[good]])
            if not len(idx):
                continue
            if "%z" in fmt:
                # learn the offset written in the text (most common one)
                raw = text.iloc[idx[:1000]].astype(str).str.extract(r"([+-]\d{2}:?\d{2})$")[0].dropna()
                offsets.extend(raw.tolist())
            counts[fmt] = counts.get(fmt, 0) + len(idx)
            remaining[idx] = False
        has_wide = bool((wide != _NAT).any())
        unit = ("us" if has_wide else "ns") if fitting else self.unit
        if unit == "us":
            result = np.where(result == _NAT, wide, result // 1000)
        elif has_wide:
            ex = s[wide != _NAT].iloc[0]
            raise InvalidDataError(
                f"datetime column {self.column!r}: {ex!r} lies outside the dates the column was fitted on "
                "(and outside 1677-2262); use dates within the learned range"
            )
        if remaining.any():
            ex = s[remaining].iloc[0]
            raise InvalidDataError(
                f"datetime column {self.column!r}: {int(remaining.sum())} value(s) such as {ex!r} do not match "
                f"the format {self.datetime_format or 'detected'}; fix them or set datetime_format in the metadata"
            )
        if fitting:
            total = sum(counts.values())
            self.formats = [f for f in counts]
            self.format_shares = [counts[f] / total for f in self.formats] if total else []
            self.utc_offset = pd.Series(offsets).mode().iloc[0] if offsets else None
        return result, unit

    def fit(self, series):
        self.dtype = _dtype_name(series.dtype)
        series = _aware_as_utc(series)  # Timestamps (in several zones) come back as Timestamps (in UTC)
        self.is_text = not (
            isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series.dtype)
        )
        self.tz = str(series.dt.tz) if isinstance(series.dtype, pd.DatetimeTZDtype) else None
        # datetime.time values (Parquet time columns): nanoseconds since midnight, back as datetime.time
        kind = pd.api.types.infer_dtype(series, skipna=True) if series.dtype == object else None
        self.is_time = kind == "time"
        # datetime.date values (Parquet date columns): whole days, back as datetime.date
        self.is_date = kind == "date"
        if self.is_time or self.is_date:
            self.is_text = False
        self.formats, self.format_shares, self.utc_offset = [], [], None
        ticks, missing, unit = self._to_ticks(series, fitting=True)
        ok = ~missing
        if not ok.any():
            raise InvalidDataError(f"column {self.column!r} has no values (all missing); drop it or fill it")
        v = ticks[ok]
        self.unit = unit
        ns_per_tick = _NS // _PER_SECOND[unit]
        self.step = 1
        for step_ns in _STEPS_NS:
            if step_ns % ns_per_tick:
                continue
            step = step_ns // ns_per_tick
            if np.all(v % step == 0):
                self.step = int(step)
                break
        self.min = float(v.min()) / _PER_SECOND[unit]
        self.max = float(v.max()) / _PER_SECOND[unit]
        self.null_rate = float(1 - ok.mean())
        self.output_names = [self.column]
        self.output_kinds = ["continuous" if len(np.unique(v[:100_000])) > 32 else "discrete"]
        if self.null_rate > 0:
            self.output_names.append(self.column + "#null")
            self.output_kinds.append("null")
        return self

    def output_specs(self):
        """The value output carries the learned [min, max] when they are enforced."""
        from .spec import OutputSpec

        lo, hi = (self.min, self.max) if self.enforce_min_max_values else (None, None)
        return [
            OutputSpec(n, self.column, k, low=lo if i == 0 else None, high=hi if i == 0 else None)
            for i, (n, k) in enumerate(zip(self.output_names, self.output_kinds))
        ]

    def known_series(self, value):
        """A condition's value: text as text for a text column, else parsed as a timestamp."""
        if isinstance(value, (pd.Timestamp, str)):
            return pd.Series([value]) if self.is_text else pd.Series(pd.to_datetime([value]))
        return super().known_series(value)

    def forward(self, series):
        sec = self._to_seconds(series, fitting=False)
        if self.null_rate > 0:
            return np.column_stack([sec, np.isnan(sec).astype(float)])
        return sec[:, None]

    def inverse(self, values, rng, positions, run_state=None):
        sec = values[:, 0].astype(float, copy=True)
        if self.enforce_min_max_values:
            np.clip(sec, self.min, self.max, out=sec)
        per = _PER_SECOND[self.unit]
        steps = np.round(sec * per / self.step)
        nulls = values[:, 1] > 0.5 if self.null_rate > 0 else np.zeros(len(sec), dtype=bool)
        nulls = nulls | np.isnan(steps)
        # integer arithmetic after the rounding: float64 cannot hold nanosecond ticks exactly
        ticks = np.where(nulls, 0, steps).astype("int64") * np.int64(self.step)
        dt = pd.Series(ticks.view(f"datetime64[{self.unit}]"), name=self.column)
        dt[nulls] = pd.NaT
        if self.is_time:
            times = np.empty(len(dt), dtype=object)
            times[:] = None
            times[~nulls] = dt[~nulls].dt.time.to_numpy()
            return pd.Series(times, name=self.column, dtype=object)
        if self.is_date:
            dates = np.empty(len(dt), dtype=object)
            dates[:] = None
            dates[~nulls] = dt[~nulls].to_numpy().astype("datetime64[D]").astype(object)
            return pd.Series(dates, name=self.column, dtype=object)
        if not self.is_text:
            if self.tz is not None:
                dt = dt.dt.tz_localize(self.tz, ambiguous=np.zeros(len(dt), dtype=bool), nonexistent="shift_forward")
            try:
                return dt.astype(self.dtype)
            except (TypeError, ValueError):
                return dt
        # text output in the learned formats
        out = np.empty(len(dt), dtype=object)
        out[:] = np.nan
        if len(self.formats) == 1:
            choice = np.zeros(len(dt), dtype=int)
        else:
            choice = rng.choice(
                len(self.formats), size=len(dt), p=np.asarray(self.format_shares) / sum(self.format_shares)
            )
        for k, fmt in enumerate(self.formats):
            sel = (choice == k) & ~nulls
            if not sel.any():
                continue
            part = dt[sel]
            if "%z" in fmt or fmt.endswith("Z"):
                part = part.dt.tz_localize("UTC")
                if "%z" in fmt and self.utc_offset:
                    off = self.utc_offset.replace(":", "")
                    minutes = (int(off[1:3]) * 60 + int(off[3:5])) * (1 if off[0] == "+" else -1)
                    part = part.dt.tz_convert(_dt.timezone(_dt.timedelta(minutes=minutes)))
            text = _strftime(part, fmt, nanoseconds=self.unit == "ns" and self.step % 1000 != 0)
            if "%z" in fmt and self.utc_offset and ":" in self.utc_offset:
                text = text.str.replace(r"([+-]\d{2})(\d{2})$", r"\1:\2", regex=True)
            out[sel] = text.to_numpy()
        return pd.Series(out, name=self.column, dtype=object if self.dtype == "object" else as_dtype(self.dtype))

    def get_state(self):
        st = super().get_state()
        st.update(
            datetime_format=self.datetime_format,
            enforce_min_max_values=bool(self.enforce_min_max_values),
            dtype=self.dtype,
            is_text=self.is_text,
            is_time=bool(self.is_time),
            is_date=bool(self.is_date),
            tz=self.tz,
            formats=self.formats,
            format_shares=self.format_shares,
            utc_offset=self.utc_offset,
            step=int(self.step),
            unit=self.unit,
            min=self.min,
            max=self.max,
            null_rate=self.null_rate,
        )
        return st

    def set_state(self, st):
        super().set_state(st)
        self.datetime_format = st["datetime_format"]
        self.enforce_min_max_values = bool(st["enforce_min_max_values"])
        self.dtype = str(st["dtype"])
        self.is_text = bool(st["is_text"])
        self.is_time = bool(st.get("is_time", False))
        self.is_date = bool(st.get("is_date", False))
        if self.is_time and self.is_date:
            raise ValueError("a column holds times of day or dates, not both")
        self.tz = st["tz"]
        self.formats = [str(f) for f in st["formats"]]
        self.format_shares = [float(x) for x in st["format_shares"]]
        if self.is_text and (not self.formats or len(self.formats) != len(self.format_shares)):
            raise ValueError("text datetimes need formats with shares")
        from ._state_checks import (
            check_datetime_dtype,
            check_shares,
            check_strftime,
            check_utc_offset,
            check_value_dtype,
        )

        for f in self.formats + ([] if self.datetime_format is None else [self.datetime_format]):
            check_strftime(f, f"datetime format of column {self.column!r}")
        if self.is_text:
            check_shares(self.format_shares, len(self.formats), f"format_shares of column {self.column!r}")
        self.utc_offset = st["utc_offset"]
        self.unit = str(st["unit"])
        if self.unit not in _PER_SECOND:
            raise ValueError(f"bad unit {self.unit!r}")
        self.step = int(st["step"])
        if self.step < 1 or self.step * (_NS // _PER_SECOND[self.unit]) not in _STEPS_NS:
            raise ValueError(f"bad step {self.step}")
        if self.tz is not None:
            pd.Timestamp("2000-01-01").tz_localize(self.tz)
        (check_datetime_dtype if not (self.is_text or self.is_time or self.is_date) else check_value_dtype)(
            self.dtype, "dtype"
        )
        check_utc_offset(self.utc_offset, "utc_offset")
        self.min, self.max = check_bounds(st["min"], st["max"])
        if max(abs(self.min), abs(self.max)) * _PER_SECOND[self.unit] >= 2**63:
            raise ValueError(f"bounds [{self.min}, {self.max}] are out of range for unit {self.unit!r}")
        self.null_rate = check_rate(st["null_rate"])
        if (self.null_rate > 0) != (len(self.output_names) == 2) or len(self.output_names) not in (1, 2):
            raise ValueError("null_rate does not match the outputs")


def _strftime(part: pd.Series, fmt: str, nanoseconds: bool) -> pd.Series:
    """``part.dt.strftime(fmt)`` with ``%Y`` zero-padded to four digits (pandas writes the year 577
    as '577') and, with ``nanoseconds``, ``%f`` as nine digits (pandas writes six)."""
    years = part.dt.year.to_numpy()
    fills = {}
    if "%Y" in fmt and len(years) and (years < 1000).any():
        fills["%Y"] = pd.Series(years, index=part.index).astype(str).str.zfill(4)
    if nanoseconds and "%f" in fmt:
        ns = part.dt.microsecond.to_numpy().astype(np.int64) * 1000 + part.dt.nanosecond.to_numpy()
        fills["%f"] = pd.Series(ns, index=part.index).astype(str).str.zfill(9)
    if not fills:
        return part.dt.strftime(fmt)
    marks = {d: f"\ue000{k}\ue000" for k, d in enumerate(fills)}
    for d, m in marks.items():
        fmt = fmt.replace(d, m)
    text = part.dt.strftime(fmt)
    for d, m in marks.items():
        for _ in range(fmt.count(m)):  # once per directive in the format, not per row
            cut = text.str.partition(m)
            text = cut[0] + fills[d] + cut[2]
    return text


def _date_ticks(column, s: pd.Series):
    """datetime.date values -> (seconds since the epoch, missing mask, "s"); any year."""
    missing = s.isna().to_numpy()
    ticks = np.zeros(len(s), dtype=np.int64)
    if (~missing).any():
        vals = s[~missing]
        try:
            days = np.array(vals.tolist(), dtype="datetime64[D]")
        except (TypeError, ValueError):
            raise InvalidDataError(
                f"date column {column!r} has values that are not dates; make every value a datetime.date (or missing)"
            ) from None
        ticks[~missing] = days.astype("datetime64[s]").astype("int64")
    return ticks, missing, "s"


def _time_ticks(column, s: pd.Series):
    """datetime.time values -> (nanoseconds since midnight, missing mask, "ns")."""
    missing = s.isna().to_numpy()
    ticks = np.zeros(len(s), dtype=np.int64)
    if (~missing).any():
        vals = s[~missing]
        bad = ~vals.map(lambda v: isinstance(v, _dt.time)).to_numpy(dtype=bool)
        if bad.any():
            raise InvalidDataError(
                f"time-of-day column {column!r} has value {vals[bad].iloc[0]!r}, which is not a time; "
                "make every value a datetime.time (or missing)"
            )
        if any(v.tzinfo is not None for v in vals.iloc[:1000]):
            raise InvalidDataError(
                f"time-of-day column {column!r} has times with a time zone; drop the time zone first"
            )
        # pandas 3 infers the resolution (e.g. microseconds): ask for nanoseconds
        ticks[~missing] = pd.to_timedelta(vals.astype(str)).to_numpy().astype("timedelta64[ns]").astype("int64")
    return ticks, missing, "ns"


def _aware_as_utc(series: pd.Series) -> pd.Series:
    """An object column of Timestamps as datetime64: in UTC when they have time zones (one or several), naive when none has; other columns as they are."""
    if series.dtype != object:
        return series
    head = series.dropna().iloc[:1000]
    if head.empty or not head.map(lambda v: isinstance(v, _dt.datetime)).all():
        return series
    aware = head.map(lambda v: v.tzinfo is not None)
    if aware.any() and not aware.all():
        return series  # naive and aware values mixed: read as text (and reported there)
    try:
        return pd.to_datetime(series, utc=bool(aware.all()))
    except (TypeError, ValueError, OverflowError):  # other values further down: read as text (and reported there)
        return series


def _dtype_name(dtype) -> str:
    """A dtype name that pandas_dtype() turns back into the same dtype (keeps string storage, pandas 3's ``str``)."""
    return dtype_name(dtype)
