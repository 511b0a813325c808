"""Faker's date and time methods, column-wise (see faker_methods); relative dates ('-30y', 'today') are read as Faker reads them, from the current time."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from ..errors import ParameterError
from .faker_methods import _field, method
from .providers._util import TWO_DIGITS, join, take


# ---------------------------------------------------------------- dates and times
_REL = re.compile(
    r"^(?:(?P<years>[-+]?\d+)y)?(?:(?P<months>[-+]?\d+)M)?(?:(?P<weeks>[-+]?\d+)w)?(?:(?P<days>[-+]?\d+)d)?"
    r"(?:(?P<hours>[-+]?\d+)h)?(?:(?P<minutes>[-+]?\d+)m)?(?:(?P<seconds>[-+]?\d+)s)?$"
)


def when(value, now: dt.datetime) -> float:
    """Seconds since 1970 (naive, local as Faker reads them) for Faker's date arguments:
    a date or datetime, a timedelta from now, a timestamp, ``'now'``/``'today'`` or ``'-30y'``/``'+2w3d'``."""
    if value is None or (isinstance(value, str) and value in ("now", "today")):
        return _ts(now)
    if isinstance(value, dt.datetime):
        return _ts(value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone().replace(tzinfo=None))
    if isinstance(value, dt.date):
        return _ts(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, dt.timedelta):
        return _ts(now) + value.total_seconds()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        m = _REL.match(value.strip())
        if m and value.strip():
            g = {k: int(v) for k, v in m.groupdict().items() if v}
            days = g.get("years", 0) * 365.25 + g.get("months", 0) * 30.42 + g.get("weeks", 0) * 7 + g.get("days", 0)
            secs = g.get("hours", 0) * 3600 + g.get("minutes", 0) * 60 + g.get("seconds", 0)
            return _ts(now) + days * 86400 + secs
    raise ParameterError(f"cannot read {value!r} as a date: give a date, datetime, timedelta, 'now', or '-30y'/'+2w3d'")


def _ts(d: dt.datetime) -> float:
    return (d - dt.datetime(1970, 1, 1)).total_seconds()


def _seconds(src, n, start, end) -> np.ndarray:
    now = dt.datetime.now()
    a, b = int(np.floor(when(start, now))), int(np.floor(when(end, now)))
    if a > b:
        raise ParameterError(f"start {start!r} is after end {end!r}")
    return (a + src.rng.integers(0, b - a + 1, n)).astype("datetime64[s]")


def _with_tz(secs: np.ndarray, tzinfo):
    if tzinfo is None:
        return secs
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return [(epoch + dt.timedelta(seconds=int(s))).astimezone(tzinfo) for s in secs.astype(np.int64).tolist()]


@method()
def date_time(src, n, tzinfo=None, end_datetime=None):
    return _with_tz(_seconds(src, n, 0, end_datetime), tzinfo)


@method()
def date_time_between(src, n, start_date="-30y", end_date="now", tzinfo=None):
    return _with_tz(_seconds(src, n, start_date, end_date), tzinfo)


@method("date_time_ad")
def date_time_ad(src, n, tzinfo=None, end_datetime=None, start_datetime=None):
    return _with_tz(
        _seconds(src, n, start_datetime if start_datetime is not None else -62135596800, end_datetime), tzinfo
    )


def _days(src, n, start, end) -> np.ndarray:
    now = dt.datetime.now()
    a = int(np.floor(when(start, now) / 86400))
    b = int(np.floor(when(end, now) / 86400))
    if a > b:
        raise ParameterError(f"start {start!r} is after end {end!r}")
    return (a + src.rng.integers(0, b - a + 1, n)).astype("datetime64[D]")


@method()
def date_between(src, n, start_date="-30y", end_date="today"):
    return _days(src, n, start_date, end_date)


@method()
def future_date(src, n, end_date="+30d"):
    return _days(src, n, "+1d", end_date)


@method()
def past_date(src, n, start_date="-30d", tzinfo=None):
    return _days(src, n, start_date, "-1d")


@method()
def date_object(src, n, end_datetime=None):
    return _days(src, n, 0, end_datetime)


def _strftime(values: np.ndarray, pattern: str):
    import pandas as pd

    return pd.DatetimeIndex(values).strftime(pattern).to_numpy(dtype=object)


@method()
def date(src, n, pattern="%Y-%m-%d", end_datetime=None):
    days = _days(src, n, 0, end_datetime)
    return np.datetime_as_string(days).astype(object) if pattern == "%Y-%m-%d" else _strftime(days, pattern)


@method()
def time(src, n, pattern="%H:%M:%S", end_datetime=None):
    secs = _seconds(src, n, 0, end_datetime)
    if pattern != "%H:%M:%S":
        return _strftime(secs, pattern)
    s = secs.astype(np.int64) % 86400
    return join(take(TWO_DIGITS, s // 3600), ":", take(TWO_DIGITS, s // 60 % 60), ":", take(TWO_DIGITS, s % 60))


@method()
def iso8601(src, n, tzinfo=None, end_datetime=None, sep="T", timespec="auto"):
    values = _with_tz(_seconds(src, n, 0, end_datetime), tzinfo)
    if tzinfo is None and timespec in ("auto", "seconds"):
        out = np.datetime_as_string(values, unit="s").astype(object)
        return out if sep == "T" else np.array([v.replace("T", sep) for v in out], dtype=object)
    if isinstance(values, np.ndarray):
        values = values.tolist()
    return [v.isoformat(sep, timespec) for v in values]


@method()
def year(src, n):
    return _strftime(_seconds(src, n, 0, None), "%Y")


@method()
def month(src, n):
    return _strftime(_seconds(src, n, 0, None), "%m")


@method()
def day_of_month(src, n):
    return _strftime(_seconds(src, n, 0, None), "%d")


_field("month_name", "datetime.month")
_field("day_of_week", "datetime.day_of_week")


def _change_year(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@method()
def date_of_birth(src, n, tzinfo=None, minimum_age=0, maximum_age=115):
    """Birth dates of people ``minimum_age`` to ``maximum_age`` years old today (as Faker)."""
    if not isinstance(minimum_age, int) or not isinstance(maximum_age, int):
        raise ParameterError("minimum_age and maximum_age must be integers")
    if maximum_age < 0 or minimum_age > maximum_age:
        raise ParameterError(f"need 0 <= minimum_age <= maximum_age, got {minimum_age} and {maximum_age}")
    today = dt.datetime.now(tzinfo).date()
    start = np.datetime64(_change_year(today, -(maximum_age + 1)), "D")
    end = np.datetime64(_change_year(today, -minimum_age), "D")
    span = int((end - start) / np.timedelta64(1, "D"))
    return start + (1 + src.rng.integers(0, max(span, 1), n)).astype("timedelta64[D]")
