"""Dates and times within ranges."""

from __future__ import annotations

import numpy as np

from ...errors import ParameterError
from ..core import Provider, column

_DEFAULT_START = "1970-01-01"
_DEFAULT_END = "2025-12-31"


def _bounds(start, end, unit):
    try:
        a = np.datetime64(start, unit)
        b = np.datetime64(end, unit)
    except (ValueError, TypeError) as e:
        raise ParameterError(f"start/end must be dates like '2020-01-31': {e}") from None
    if a > b:
        raise ParameterError(f"start {start} is after end {end}")
    return a, b


class Datetime(Provider):
    topic = "datetime"

    @column()
    def date(self, n, rng, engine, start=_DEFAULT_START, end=_DEFAULT_END):
        a, b = _bounds(start, end, "D")
        span = int((b - a) / np.timedelta64(1, "D")) + 1
        return a + rng.integers(0, span, n).astype("timedelta64[D]")

    @column()
    def datetime(self, n, rng, engine, start=_DEFAULT_START, end=_DEFAULT_END):
        a, b = _bounds(start, end, "s")
        span = int((b - a) / np.timedelta64(1, "s")) + 1
        return a + rng.integers(0, span, n).astype("timedelta64[s]")

    @column()
    def time(self, n, rng, engine):
        sec = rng.integers(0, 86400, n)
        h, m, s = sec // 3600, sec // 60 % 60, sec % 60
        from ._util import TWO_DIGITS, join, take

        return join(take(TWO_DIGITS, h), ":", take(TWO_DIGITS, m), ":", take(TWO_DIGITS, s))

    @column()
    def year(self, n, rng, engine, minimum: int = 1970, maximum: int = 2025):
        if minimum > maximum:
            raise ParameterError(f"minimum year {minimum} is after maximum {maximum}")
        return rng.integers(minimum, maximum + 1, n)

    @column()
    def month(self, n, rng, engine):
        """Month names in the locale's language."""
        from ._util import take

        return take(_month_names(engine).tolist(), rng.integers(0, 12, n))

    @column()
    def day_of_week(self, n, rng, engine):
        from ._util import take

        return take(_day_names(engine).tolist(), rng.integers(0, 7, n))


def _month_names(engine) -> np.ndarray:
    """The locale's 12 month names (kept on the engine)."""

    def make():
        f = engine.faker()
        return np.array(
            [
                f.date_time_provider_month(m) if hasattr(f, "date_time_provider_month") else _faker_month(f, m)
                for m in range(1, 13)
            ]
        )

    return engine.cached("month_names", make)


def _faker_month(f, m):
    import datetime as dt

    prov = next(
        (
            p
            for p in f.providers
            if hasattr(p, "month_name") and type(p).__module__.startswith("faker.providers.date_time")
        ),
        None,
    )
    if prov is not None and hasattr(prov, "MONTH_NAMES"):
        return prov.MONTH_NAMES.get(f"{m:02d}", dt.date(2000, m, 1).strftime("%B"))
    return dt.date(2000, m, 1).strftime("%B")


def _day_names(engine) -> np.ndarray:
    """The locale's 7 day names, Monday first (kept on the engine)."""

    def make():
        import datetime as dt

        f = engine.faker()
        prov = next((p for p in f.providers if type(p).__module__.startswith("faker.providers.date_time")), None)
        names = []
        for d in range(7):
            en = dt.date(2024, 1, 1 + d).strftime("%A")
            if prov is not None and hasattr(prov, "DAY_NAMES"):
                names.append(prov.DAY_NAMES.get(str((d + 1) % 7), en))
            else:
                names.append(en)
        return np.array(names)

    return engine.cached("day_names", make)
