"""Person: names (gender-aware), user name, title, age, birth date."""

from __future__ import annotations

import numpy as np

from ..core import Provider, column
from ._util import normalize_gender

#: Reference date for ages and birth dates, fixed so that a seed gives the same dates every day.
REFERENCE_DATE = np.datetime64("2026-01-01")


class Person(Provider):
    topic = "person"

    @column()
    def first_name(self, n, rng, engine, gender=None):
        g = normalize_gender(gender)
        token = "first_name" if g is None else f"first_name_{g}"
        return engine.gen(token, n, rng)

    @column()
    def last_name(self, n, rng, engine, gender=None):
        g = normalize_gender(gender)
        if g is not None and engine.elements(f"last_name_{g}") is not None:
            return engine.gen(f"last_name_{g}", n, rng)
        return engine.gen("last_name", n, rng)

    @column()
    def full_name(self, n, rng, engine, gender=None):
        g = normalize_gender(gender)
        if g is not None:
            fmts = engine.attr(f"formats_{g}", topics=("person",))
            if fmts:
                probs = None
                if hasattr(fmts, "values"):
                    w = np.array(list(fmts.values()), dtype=float)
                    probs, fmts = w / w.sum(), list(fmts)
                return engine.expand(list(fmts), probs, n, rng)
        return engine.gen("name", n, rng)

    @column()
    def username(self, n, rng, engine):
        from .internet import user_names

        return user_names(n, rng, engine)

    @column()
    def title(self, n, rng, engine, gender=None):
        g = normalize_gender(gender)
        token = "prefix" if g is None else f"prefix_{g}"
        if engine.elements(token) is None and engine.formats(token) is None:
            token = "prefix"
        return engine.gen(token, n, rng)

    @column()
    def age(self, n, rng, engine, minimum: int = 18, maximum: int = 90):
        _check_range(minimum, maximum, "age")
        return rng.integers(minimum, maximum + 1, n)

    @column()
    def birthdate(self, n, rng, engine, minimum_age: int = 18, maximum_age: int = 90, reference=None):
        """Birth dates of people aged ``minimum_age``..``maximum_age`` on ``reference`` (default 2026-01-01)."""
        _check_range(minimum_age, maximum_age, "age")
        ref = REFERENCE_DATE if reference is None else np.datetime64(reference, "D")
        oldest = ref - np.timedelta64(int(round((maximum_age + 1) * 365.2425)), "D") + np.timedelta64(1, "D")
        youngest = ref - np.timedelta64(int(round(minimum_age * 365.2425)), "D")
        span = int((youngest - oldest) / np.timedelta64(1, "D")) + 1
        return oldest + rng.integers(0, span, n).astype("timedelta64[D]")

    @column(per_row=("name", "domain"))
    def email(self, n, rng, engine, name=None, domain=None, free: bool | None = None):
        """Same as ``internet.email``."""
        return self.fake.internet.generate("email", n, rng, engine, name=name, domain=domain, free=free)


_ROMANIZED: dict = {}  # locale -> {name: romanization} or None


def romanized_names(engine) -> dict | None:
    """``{name: romanization}`` from the locale's person provider, or None when it has none.

    Faker's ``ja_JP`` keeps ``first_names`` / ``first_romanized_names`` and ``last_names`` /
    ``last_romanized_names`` (and the ``_female`` / ``_male`` lists) in the same order; a pair of
    lists of the same length is read as ``name -> romanization`` (``鈴木 -> Suzuki``).
    """
    if engine.locale in _ROMANIZED:
        return _ROMANIZED[engine.locale]
    cls = engine.providers.get("person") if hasattr(engine.providers, "get") else None
    found = {}
    for part in ("first", "last"):
        for suffix in ("", "_female", "_male"):
            names = getattr(cls, f"{part}_names{suffix}", None)
            roman = getattr(cls, f"{part}_romanized_names{suffix}", None)
            if isinstance(names, (list, tuple)) and isinstance(roman, (list, tuple)) and len(names) == len(roman):
                found.update((str(a), str(b)) for a, b in zip(names, roman) if str(a) != str(b))
    _ROMANIZED[engine.locale] = found or None
    return _ROMANIZED[engine.locale]


def _check_range(lo, hi, what):
    from ...errors import ParameterError

    if lo > hi:
        raise ParameterError(f"minimum {what} {lo} is larger than maximum {hi}")
