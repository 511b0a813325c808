"""A Faker-compatible facade over the vectorized engine: ``from faker import Faker`` becomes
``from simulacra.fake import Faker`` and the code runs as written.

>>> from simulacra.fake import Faker
>>> Faker.seed(0)
>>> fake = Faker()
>>> fake.name()                      # doctest: +SKIP
'Norma Fisher'
>>> fake.name(n=1_000_000)           # doctest: +SKIP
array(['Jorge Sullivan', ...], dtype=object)

- Locales: ``Faker()``, ``Faker('de_DE')``, ``Faker(['en_US', 'ja_JP'])`` or a dict of weights
  (each value from one locale drawn by weight); ``fake['ja_JP']`` is one locale's generator.
  Every locale of ``faker.config.AVAILABLE_LOCALES`` works.
- Seeds: ``Faker.seed(n)`` seeds the stream every instance shares, ``fake.seed_instance(n)`` gives
  one instance its own; the same seed and calls give the same values.
- ``fake.unique.<method>()`` never repeats a value (:class:`UniquenessException` when it cannot
  find a new one in 1,000 tries; ``fake.unique.clear()`` forgets them); ``fake.optional.<method>(prob=0.5)``.
- Every method also takes ``n=``: ``n`` values at once as a numpy array (strings as objects,
  dates as ``datetime64``), or a list where each value is a list or dict.

Single values come from a per-method buffer filled column-wise (16 values first, doubling to
4,096), so a loop of single calls costs about a list index each. The methods in
:mod:`simulacra.fake.faker_methods` are drawn by the engine; any other Faker method (``catch_phrase``,
``file_name``...) is made by Faker itself, seeded from this facade's stream, so it is reproducible too.
"""

from __future__ import annotations

import difflib
import hashlib
import inspect
import re
from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from ..errors import ParameterError
from .core import Fake, engine_for
from . import faker_dates, faker_random  # noqa: F401 - they register their methods
from .faker_methods import METHODS, Delegate
from .faker_unique import OptionalProxy, UniqueProxy, UniquenessException
from .locales import check_locale

_FIRST_BATCH = 16
_MAX_BATCH = 4096


def _rng_for(seed) -> np.random.Generator:
    """A Generator for any seed Faker takes (int, str, bytes, float; None for fresh entropy)."""
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, (bool, int, np.integer)):
        return np.random.default_rng(abs(int(seed)))
    if isinstance(seed, (str, bytes, bytearray, float)):
        raw = (
            seed.encode()
            if isinstance(seed, str)
            else bytes(seed)
            if not isinstance(seed, float)
            else repr(seed).encode()
        )
        return np.random.default_rng(int.from_bytes(hashlib.sha256(raw).digest()[:16], "little"))
    raise ParameterError(f"seed must be an int, str, bytes or None, got {type(seed).__name__}")


class _Stream:
    """A random stream and a token that changes each time it is seeded (so buffers refill)."""

    def __init__(self, seed=None):
        self.reseed(seed)

    def reseed(self, seed=None):
        self.rng = _rng_for(seed)
        self.token = object()


_SHARED = _Stream()


class _ClassSeed:
    """``Faker.seed(n)``; called on an instance it raises TypeError, as Faker does."""

    def __get__(self, obj, cls):
        if obj is not None:
            raise TypeError(
                "Calling `.seed()` on instances is deprecated. Use the class method `Faker.seed()` instead."
            )

        def seed(seed=None):
            """Seed the stream every ``Faker`` without its own seed draws from."""
            _SHARED.reseed(seed)

        return seed


def _to_list(raw) -> list:
    if isinstance(raw, (pa.Array, pa.ChunkedArray)):
        return raw.to_pylist()
    if isinstance(raw, np.ndarray):
        return raw.tolist()
    return list(raw)


def _to_batch(raw):
    if isinstance(raw, pa.ChunkedArray):
        raw = raw.combine_chunks()
    if isinstance(raw, pa.Array):
        return raw.to_numpy(zero_copy_only=False)
    return raw


class _LocaleSource:
    """One locale: its engine, providers and the random stream of the facade it belongs to."""

    def __init__(self, owner, locale: str):
        self.owner = owner
        self.locale = locale
        self.engine = engine_for(locale)
        self.fake = Fake(locale=locale, seed=0)
        self._faker = None
        self._own: _Stream | None = None
        self._buffers: dict = {}
        self._kinds: dict = {}

    # ----------------------------------------------------------------- streams
    @property
    def stream(self) -> _Stream:
        return self._own or self.owner.stream

    @property
    def rng(self) -> np.random.Generator:
        return self.stream.rng

    def seed_instance(self, seed=None):
        self._own = _Stream(seed)
        self._buffers.clear()

    def faker(self):
        """Faker's own generator for this locale (for the methods the engine does not draw)."""
        if self._faker is None:
            from faker import Faker as _RealFaker

            self._faker = _RealFaker(self.locale)
        return self._faker

    # ----------------------------------------------------------------- drawing
    def gen(self, field: str, n: int, **options):
        """``n`` raw values of the engine's field (``'person.full_name'``) for this locale."""
        return self.fake.generate(field, n, self.rng, self.engine, **options)

    def kind(self, name: str):
        """How ``name`` is made: ``('impl', fn)``, ``('token', None)`` or ``('faker', None)``; AttributeError if unknown."""
        found = self._kinds.get(name)
        if found is None:
            if name in METHODS and name not in self.owner._custom:
                found = ("impl", METHODS[name])
            else:
                attr = getattr(self.faker(), name, None) if not name.startswith("_") else None
                if attr is None or not callable(attr) or name in _NOT_METHODS:
                    raise AttributeError(_unknown(name, self))
                found = ("faker", None)
                try:
                    no_args = not inspect.signature(attr).parameters
                except (TypeError, ValueError):
                    no_args = False
                if no_args and name not in self.owner._custom and self.engine.plan(name)[0] != "pool":
                    found = ("token", None)
            self._kinds[name] = found
        return found

    def raw(self, name: str, n: int, args: tuple, kwargs: dict):
        """``n`` values of Faker's method ``name`` as a column (Arrow/numpy array or list)."""
        kind, fn = self.kind(name)
        if kind == "impl":
            try:
                return fn(self, n, *args, **kwargs)
            except Delegate:
                pass
            except TypeError as e:
                if _bad_arguments(fn, args, kwargs):
                    raise TypeError(f"{name}() {e}".replace(f"{fn.__name__}() ", "")) from None
                raise
        elif kind == "token" and not args and not kwargs:
            return self.engine.gen(name, n, self.rng)
        f = self.faker()
        f.seed_instance(int(self.rng.integers(0, 2**63)))
        meth = getattr(f, name)
        return [meth(*args, **kwargs) for _ in range(n)]

    def values(self, name: str, n: int, *args, **kwargs) -> list:
        return _to_list(self.raw(name, n, args, kwargs))

    def batch(self, name, n, args, kwargs):
        from ..utils.validation import check_int

        return _to_batch(self.raw(name, check_int("n", n, minimum=0), args, kwargs))

    def single(self, name: str, args: tuple, kwargs: dict):
        try:
            key = (name, args, tuple(kwargs.items())) if kwargs else (name, args)
            buf = self._buffers.get(key)
        except TypeError:  # an unhashable argument (a list of elements): no buffer
            return self.values(name, 1, *args, **kwargs)[0]
        stream = self.stream
        if buf is not None and buf[0] is stream.token and buf[2] < len(buf[1]):
            v = buf[1][buf[2]]
            buf[2] += 1
            return v
        size = _FIRST_BATCH if buf is None or buf[0] is not stream.token else min(2 * len(buf[1]), _MAX_BATCH)
        vals = self.values(name, size, *args, **kwargs)
        self._buffers[key] = [stream.token, vals, 1]
        return vals[0]

    # ----------------------------------------------------------------- Faker's generator API
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        self.kind(name)
        return _bound(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(METHODS))

    def __repr__(self):
        return f"<simulacra.fake.Faker generator for {self.locale}>"


_NOT_METHODS = {"seed", "seed_instance", "seed_locale", "add_provider", "get_providers", "provider", "set_formatter"}


def _bad_arguments(fn, args, kwargs) -> bool:
    try:
        inspect.signature(fn).bind(None, 1, *args, **kwargs)
    except TypeError:
        return True
    return False


def _unknown(name: str, src) -> str:
    names = set(METHODS) | {m for m in dir(src.faker()) if not m.startswith("_")}
    close = difflib.get_close_matches(name, sorted(names), n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"'Faker' object has no attribute {name!r}{hint}"


def _bound(target, name):
    """``target.<name>`` as Faker's method, with ``n=`` for many values at once."""

    def faker_method(*args, n=None, **kwargs):
        if n is None:
            return target.single(name, args, kwargs)
        return target.batch(name, n, args, kwargs)

    faker_method.__name__ = faker_method.__qualname__ = name
    fn = METHODS.get(name)
    faker_method.__doc__ = (fn.__doc__ if fn is not None else None) or f"Faker's ``{name}``; ``n=`` gives many values."
    return faker_method


def _parse_locales(locale):
    if locale is None:
        return ["en_US"], None
    if isinstance(locale, str) or hasattr(locale, "value"):
        return [check_locale(locale)], None
    if isinstance(locale, Mapping):
        if not locale:
            raise ParameterError("locale weights must not be empty")
        w = np.array([float(v) for v in locale.values()])
        if (w < 0).any() or w.sum() <= 0:
            raise ParameterError(f"locale weights must be non-negative with a positive sum, got {dict(locale)!r}")
        return [check_locale(k) for k in locale], w / w.sum()
    if isinstance(locale, (list, tuple)) and locale:
        return list(dict.fromkeys(check_locale(k) for k in locale)), None
    raise ParameterError(f"locale must be a name like 'en_US', a list of names or a dict of weights, got {locale!r}")


class Faker:
    """Faker's ``Faker`` over simulacra's vectorized engine.

    Parameters
    ----------
    locale : str, list of str or dict, optional
        One locale (default ``'en_US'``), several, or ``{locale: weight}``.
    providers, generator, includes, use_weighting, **config
        Accepted for Faker compatibility; extra providers are added with :meth:`add_provider`.
    """

    seed = _ClassSeed()

    def __init__(self, locale=None, providers=None, generator=None, includes=None, use_weighting=True, **config):
        self._locales, self._weights = _parse_locales(locale)
        self._own: _Stream | None = None
        self._custom: set = set()
        self._sources = {loc: _LocaleSource(self, loc) for loc in self._locales}
        self._choices = None
        self._first = self._sources[self._locales[0]]
        self.unique = UniqueProxy(self)
        self.optional = OptionalProxy(self)
        for p in providers or ():
            self.add_provider(p)

    # ----------------------------------------------------------------- seeds and locales
    @property
    def stream(self) -> _Stream:
        return self._own or _SHARED

    def seed_instance(self, seed=None):
        """Give this instance its own random stream (``Faker.seed`` no longer moves it)."""
        self._own = _Stream(seed)
        for src in self._sources.values():
            src._buffers.clear()
        self._choices = None
        return self

    def seed_locale(self, locale: str, seed=None):
        """Give one locale's generator its own random stream."""
        self[locale].seed_instance(seed)

    @property
    def locales(self) -> list[str]:
        return list(self._locales)

    @property
    def weights(self):
        return None if self._weights is None else self._weights.tolist()

    def __getitem__(self, locale) -> _LocaleSource:
        loc = check_locale(locale)
        if loc not in self._sources:
            raise KeyError(locale)
        return self._sources[loc]

    def add_provider(self, provider):
        """Add a Faker provider (class or instance); its methods are made by Faker itself."""
        cls = provider if isinstance(provider, type) else type(provider)
        self._custom |= {m for m in dir(cls) if not m.startswith("_") and callable(getattr(cls, m))}
        for src in self._sources.values():
            src.faker().add_provider(provider)
            src._kinds.clear()
        for name in self._custom:
            self.__dict__.pop(name, None)

    # ----------------------------------------------------------------- drawing
    def _pick(self) -> _LocaleSource:
        if len(self._locales) == 1:
            return self._first
        stream = self.stream
        if self._choices is None or self._choices[0] is not stream.token or self._choices[2] >= len(self._choices[1]):
            self._choices = [stream.token, self._draw_locales(256).tolist(), 0]
        i = self._choices[1][self._choices[2]]
        self._choices[2] += 1
        return self._sources[self._locales[i]]

    def _draw_locales(self, n: int) -> np.ndarray:
        rng, k = self.stream.rng, len(self._locales)
        return rng.integers(0, k, n) if self._weights is None else rng.choice(k, n, p=self._weights)

    def single(self, name, args, kwargs):
        return self._pick().single(name, args, kwargs)

    def batch(self, name, n, args, kwargs):
        if len(self._locales) == 1:
            return self._first.batch(name, n, args, kwargs)
        from ..utils.validation import check_int

        n = check_int("n", n, minimum=0)
        choice = self._draw_locales(n)
        parts = []
        for j, loc in enumerate(self._locales):
            rows = np.flatnonzero(choice == j)
            if rows.size:
                parts.append((rows, self._sources[loc].batch(name, rows.size, args, kwargs)))
        if any(isinstance(v, list) for _, v in parts):
            out = [None] * n
            for rows, vals in parts:
                for r, v in zip(rows.tolist(), _to_list(vals)):
                    out[r] = v
            return out
        kinds = {v.dtype.kind for _, v in parts}
        out = np.empty(n, dtype=parts[0][1].dtype if len(kinds) == 1 and parts else object)
        for rows, vals in parts:
            out[rows] = vals
        return out

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        self._first.kind(name)
        meth = _bound(self, name)
        self.__dict__[name] = meth  # the next lookup is a plain attribute
        return meth

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(METHODS))

    def format(self, formatter: str, *args, **kwargs):
        """``fake.format('name')`` is ``fake.name()``."""
        return getattr(self, formatter)(*args, **kwargs)

    def parse(self, text: str) -> str:
        """``'{{first_name}} lives in {{city}}'`` with each token replaced by a fake value."""
        return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(getattr(self, m.group(1))()), text)

    def __repr__(self):
        return f"<simulacra.fake.Faker locales={self._locales}>"


__all__ = ["Faker", "UniquenessException"]
