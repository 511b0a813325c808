"""``Fake``: the entry point of the fake-data engine (in the spirit of Faker's ``Faker`` and
mimesis' ``Generic``): ``Fake(locale="en_US", seed=42).person.full_name(n=1000)``.

Every method takes ``n=`` and returns a column (a numpy array; strings as ``object`` arrays);
without ``n`` it returns one value. Common options of every method:

- ``unique=True``: distinct values, or a ``ParameterError`` naming the field and about how many
  distinct values it can make;
- ``locale=``: another locale for this call, or several mixed in one column with weights
  (``{"en_US": 0.7, "de_DE": 0.3}``).

The same seed and the same simulacra version give the same values (see README, "Reproducibility").

Start-up is kept short: pandas is imported only when a column (``n=``) is asked for, not for one
value, and a locale's data is read from Faker when it is first used.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping

import numpy as np

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported lazily (start-up time)
    import pandas as pd
import pyarrow as pa

from .._random import as_generator
from . import _compute
from ._arrow import array
from ..errors import ParameterError
from ..utils.validation import check_int
from .engine import Engine
from .locales import available_locales, check_locale

_ENGINES: dict[str, Engine] = {}
_MAX_UNIQUE_ROUNDS = 40


def engine_for(locale: str) -> Engine:
    loc = check_locale(locale)
    if loc not in _ENGINES:
        _ENGINES[loc] = Engine(loc)
    return _ENGINES[loc]


def check_n(n) -> int:
    return check_int("n", n, minimum=0)


def parse_locales(locale) -> tuple[list[str], np.ndarray | None]:
    if isinstance(locale, str):
        return [check_locale(locale)], None
    if isinstance(locale, dict):
        if not locale:
            raise ParameterError("locale weights must not be empty")
        locs = [check_locale(k) for k in locale]
        w = np.array([float(v) for v in locale.values()])
        if (w < 0).any() or w.sum() <= 0 or not np.isfinite(w).all():
            raise ParameterError(f"locale weights must be non-negative with a positive sum, got {locale!r}")
        return locs, w / w.sum()
    if isinstance(locale, (list, tuple)) and locale:
        locs = [check_locale(k) for k in locale]
        return locs, np.full(len(locs), 1 / len(locs))
    raise ParameterError(f"locale must be a name, a list of names or a dict of weights, got {locale!r}")


def _combine(pieces: list[tuple[np.ndarray, pd.Series]], n: int) -> pd.Series:
    """Put per-locale pieces back into row order."""
    import pandas as pd

    if not pieces:
        return pd.Series([], dtype="string[pyarrow]")
    positions = np.concatenate([idx for idx, _ in pieces])
    inverse = np.empty(n, dtype=np.int64)
    inverse[positions] = np.arange(n)
    combined = pd.concat([s for _, s in pieces], ignore_index=True)
    return combined.iloc[inverse].reset_index(drop=True)


def column(name: str | None = None, per_row: tuple = ()):
    """Decorator: turn ``fn(self, n, rng, engine, **opts) -> array`` into a public column method.

    ``per_row`` names options that hold one value per row (e.g. ``email(name=...)``): they are
    sliced with the rows whenever only some rows are made (duplicates re-drawn, mixed locales).
    """

    def deco(fn):
        field = name or fn.__name__

        @functools.wraps(fn)
        def wrapper(self, n=None, *, unique: bool = False, locale=None, **opts):
            fake = self._fake
            count = 1 if n is None else check_n(n)
            locs, weights = (fake._locales, fake._weights) if locale is None else parse_locales(locale)
            rng = fake._rng

            def make(k: int, rows=None) -> np.ndarray:
                o = opts if rows is None else take_rows(opts, per_row, rows, count)
                if len(locs) == 1 or k == 0:
                    return to_series(fn(self, k, rng, engine_for(locs[0]), **o))
                choice = rng.choice(len(locs), size=k, p=weights)
                pieces = []
                for j, loc in enumerate(locs):
                    idx = np.flatnonzero(choice == j)
                    if idx.size:
                        pieces.append(
                            (idx, to_series(fn(self, idx.size, rng, engine_for(loc), **take_rows(o, per_row, idx, k))))
                        )
                return _combine(pieces, k)

            if n is None:
                # one value, drawn exactly as make(1) draws it, without pandas where the type allows
                if len(locs) == 1:
                    raw = fn(self, 1, rng, engine_for(locs[0]), **opts)
                else:
                    j = int(rng.choice(len(locs), size=1, p=weights)[0])
                    raw = fn(
                        self, 1, rng, engine_for(locs[j]), **take_rows(opts, per_row, np.zeros(1, dtype=np.int64), 1)
                    )
                v = _first(raw)
                if (
                    v is _NO_VALUE
                    and field in ("date", "birthdate")
                    and isinstance(raw, np.ndarray)
                    and raw.dtype == "datetime64[D]"
                    and len(raw)
                    and not np.isnat(raw[0])
                ):
                    return raw[0].astype(object)  # a datetime.date, as Timestamp.date() gives
                if v is _NO_VALUE:
                    import pandas as pd

                    v = to_series(raw).iloc[0]
                    if isinstance(v, pd.Timestamp) and field in ("date", "birthdate"):
                        return v.date()
                return v.item() if isinstance(v, np.generic) else v
            arr = make(count)
            if unique:
                arr = _make_unique(arr, make, f"{type(self).__name__.lower()}.{field}")
            return arr

        wrapper._is_column = True
        wrapper._field = field
        wrapper._dates = field in ("date", "birthdate")
        wrapper.field = field
        wrapper.raw = fn  # the provider function itself: fn(provider, n, rng, engine, **options) -> raw column
        return wrapper

    return deco


_NO_VALUE = object()


def _first(raw):
    """The first value of a provider's raw column as ``to_series(raw).iloc[0]`` gives it, for the
    types that need no pandas (Arrow strings, numpy numbers and strings); ``_NO_VALUE`` otherwise."""
    if isinstance(raw, (pa.Array, pa.ChunkedArray)):
        if len(raw) == 0 or raw.null_count:
            return _NO_VALUE
        first = raw[0] if pa.types.is_string(raw.type) else _compute.cast(raw.slice(0, 1), pa.string())[0]
        return first.as_py()
    if isinstance(raw, np.ndarray) and raw.ndim == 1 and len(raw):
        if raw.dtype.kind in "biuf":
            return raw[0].item()
        if raw.dtype.kind == "U":
            return str(raw[0])
    return _NO_VALUE


def to_series(arr) -> pd.Series:
    """Columns leave the engine as pandas Series; strings stay in Arrow (``string[pyarrow]``)."""
    import pandas as pd

    if isinstance(arr, pd.Series):
        return arr.reset_index(drop=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if isinstance(arr, pa.Array):
        if not pa.types.is_string(arr.type):
            arr = arr.cast(pa.string())
        return pd.Series(pd.arrays.ArrowStringArray(arr))
    if isinstance(arr, str):
        raise TypeError("a provider returned a scalar")
    arr = np.asarray(arr)
    if arr.dtype.kind == "U":
        return pd.Series(pd.arrays.ArrowStringArray(pa.array(arr.tolist(), type=pa.string())))
    return pd.Series(arr)


def take_rows(opts: dict, names, rows: np.ndarray, length: int) -> dict:
    """``opts`` with its per-row options (those in ``names`` holding ``length`` values) cut to ``rows``."""
    out = dict(opts)
    for key in names:
        v = out.get(key)
        if v is None or isinstance(v, (str, bytes)) or not hasattr(v, "__len__") or len(v) != length:
            continue  # a scalar, or a wrong length that the provider reports itself
        pd = sys.modules.get("pandas")  # a Series only exists once pandas is imported
        if pd is not None and isinstance(v, pd.Series):
            out[key] = v.iloc[rows].reset_index(drop=True)
        elif isinstance(v, (pa.Array, pa.ChunkedArray)):
            out[key] = v.take(array(rows, type=pa.int64()))
        else:
            out[key] = np.asarray(v, dtype=object)[rows]
    return out


def _make_unique(arr: pd.Series, make, field: str) -> pd.Series:
    arr = arr.copy()
    for _ in range(_MAX_UNIQUE_ROUNDS):
        dup = arr.duplicated().to_numpy()
        if not dup.any():
            return arr
        arr[dup] = make(int(dup.sum()), np.flatnonzero(dup)).to_numpy()
    distinct = int(arr.nunique())
    raise ParameterError(
        f"cannot make {len(arr):,} distinct values of {field}: it gives only about {distinct:,} distinct values; "
        "ask for fewer rows or drop unique=True"
    )


class Provider:
    """Base of the topic providers: holds the ``Fake`` it belongs to."""

    topic = "base"

    def __init__(self, fake: "Fake"):
        self._fake = fake

    def __getattr__(self, name: str):
        # a field named like a Python builtin is defined as ``name_`` (``basic.float`` is ``float_``)
        fn = getattr(type(self), name + "_", None) if not name.startswith("_") else None
        if fn is not None and getattr(fn, "_is_column", False) and fn._field == name:
            return getattr(self, name + "_")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @classmethod
    def methods(cls) -> list[str]:
        return sorted(v._field for k, v in vars(cls).items() if getattr(v, "_is_column", False))

    @classmethod
    def column_function(cls, field: str):
        """The function behind the column method ``field``: ``fn(provider, n, rng, engine, **options)``."""
        fn = next((v for v in vars(cls).values() if getattr(v, "_is_column", False) and v.field == field), None)
        if fn is None:
            raise ParameterError(
                f"provider {cls.topic!r} has no field {field!r}; its fields: {', '.join(cls.methods())}"
            )
        return fn.raw

    def generate(self, field: str, n: int, rng, engine, **options):
        """``n`` values of this provider's column ``field``, drawn with ``rng`` from ``engine``'s locale data.

        The internal call between providers: no argument handling of the public method (count check,
        locale mix, ``unique``, conversion to pandas); the provider's raw column (Arrow or numpy) comes
        back, drawn exactly as the public method draws it for one locale.
        """
        return type(self).column_function(field)(self, n, rng, engine, **options)

    @property
    def fake(self) -> "Fake":
        """The ``Fake`` this provider belongs to (its random stream, its locales, the other providers)."""
        return self._fake


class _ProviderSet(Mapping):
    """A ``Fake``'s providers by name, each made when first asked for."""

    def __init__(self, fake: "Fake"):
        from .providers import PROVIDERS

        self._fake = fake
        self._classes = PROVIDERS
        self._made: dict = {}

    def __getitem__(self, name):
        if name not in self._made:
            self._made[name] = self._classes[name](self._fake)
        return self._made[name]

    def __iter__(self):
        return iter(self._classes)

    def __len__(self):
        return len(self._classes)

    def __contains__(self, name):
        return name in self._classes


class Fake:
    """Vectorized fake data in many locales, reproducible by seed.

    Parameters
    ----------
    locale : str, list of str or dict, default 'en_US'
        One locale, several mixed evenly, or ``{locale: weight}``.
    seed : int, SeedSequence or Generator, optional
        Same seed, same values.
    """

    def __init__(self, locale="en_US", seed=None):
        self._locales, self._weights = parse_locales(locale)
        self._seed = seed
        self._rng = as_generator(seed)
        self._providers = _ProviderSet(self)

    @property
    def rng(self) -> np.random.Generator:
        """The random stream every column of this ``Fake`` draws from."""
        return self._rng

    @property
    def locales(self) -> list[str]:
        """The locales this ``Fake`` mixes (the first is its main one)."""
        return list(self._locales)

    def generate(self, name: str, n: int, rng, engine, **options):
        """``n`` raw values of the field ``name`` (as :meth:`method` resolves it) from ``engine``, with ``rng``.

        See :meth:`Provider.generate`: the internal API for code that draws columns itself
        (pseudonyms, records); the public column methods are the API for users.
        """
        fn = self.method(name)
        return fn.__self__.generate(fn.field, n, rng, engine, **options)

    @property
    def locale(self):
        return self._locales[0] if len(self._locales) == 1 else dict(zip(self._locales, self._weights))

    def with_locale(self, locale) -> "Fake":
        """A ``Fake`` for another locale that shares this one's random stream."""
        other = Fake.__new__(Fake)
        other._locales, other._weights = parse_locales(locale)
        other._seed = self._seed
        other._rng = self._rng
        other._providers = _ProviderSet(other)
        return other

    def reseed(self, seed) -> None:
        self._seed = seed
        self._rng = as_generator(seed)

    # ------------------------------------------------------------------ lookup
    def method(self, name: str):
        """The column method called ``name`` (``'email'``, ``'person.full_name'``, or an alias)."""
        from .providers import ALIASES

        if not isinstance(name, str) or not name:
            raise ParameterError(f"field must be a provider method name, got {name!r}")
        if "." in name:
            topic, meth = name.split(".", 1)
            prov = self._providers.get(topic)
            if prov is None:
                raise ParameterError(f"unknown provider {topic!r}; providers: {', '.join(self._providers)}")
            meth = ALIASES.get(meth, meth)
            fn = getattr(prov, meth, None) or getattr(prov, meth + "_", None)
            if fn is None or not getattr(fn, "_is_column", False):
                raise ParameterError(
                    f"provider {topic!r} has no field {meth!r}; its fields: {', '.join(type(prov).methods())}"
                )
            return fn
        key = ALIASES.get(name, name)
        for prov in self._providers.values():
            fn = getattr(prov, key, None) or getattr(prov, key + "_", None)
            if fn is not None and getattr(fn, "_is_column", False):
                return fn
        raise ParameterError(f"unknown field {name!r}; fields: {', '.join(self.fields_available())}")

    def fields_available(self) -> list[str]:
        return [f"{t}.{m}" for t, p in self._providers.items() for m in type(p).methods()]

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._providers))

    def __getattr__(self, name):
        # flat access: fake.email(n=...), fake.full_name(n=...)
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._providers:  # fake.person: the provider is made (and its module imported) on first use
            prov = self._providers[name]
            setattr(self, name, prov)
            return prov
        try:
            return self.method(name)
        except ParameterError:
            raise AttributeError(f"'Fake' has no field {name!r}") from None

    # ------------------------------------------------------------------ bulk
    def fields(self, *names, n: int = 10, key=None, unique: bool = False, **options):
        """Bulk values like mimesis' ``Fieldset``: ``fake.fields("email", n=100, key=str.upper)``.

        One name gives an array; several give a DataFrame with one column each. ``key`` is
        applied to each column: a vectorized function of the whole array, or a per-value one.
        """
        if not names:
            raise ParameterError("fields() needs at least one field name")
        cols = {}
        for name in names:
            arr = self.method(name)(n, unique=unique, **options)
            if key is not None:
                arr = _apply_key(key, arr)
            cols[name] = arr
        if len(names) == 1:
            return cols[names[0]]
        import pandas as pd

        return pd.DataFrame(cols)

    def table(self, schema, n: int | None = None):
        """A DataFrame (or ``{table: DataFrame}`` for several tables) from a schema; see ``simulacra.fake.schema``."""
        from .schema import Schema

        sch = schema if isinstance(schema, Schema) else Schema.from_any(schema)
        return sch.generate(self, n=n)

    def __repr__(self):
        return f"Fake(locale={self.locale!r}, seed={self._seed!r})"


def _apply_key(key, arr: pd.Series):
    import pandas as pd

    if not callable(key):
        raise ParameterError(f"key must be callable, got {key!r}")
    try:
        out = key(arr)
        if isinstance(out, (np.ndarray, pd.Series, list)) and len(out) == len(arr):
            return pd.Series(out)
    except (TypeError, AttributeError, ValueError):
        pass
    return arr.map(key)


__all__ = ["Fake", "Provider", "column", "available_locales"]
