"""``fake.unique`` and ``fake.optional`` of :class:`simulacra.fake.Faker`, as Faker has them."""

from __future__ import annotations

import numpy as np
from faker.exceptions import UniquenessException as _FakerUniqueness

from ..errors import ParameterError, SimulacraError

_UNIQUE_TRIES = 1000  # Faker's _UNIQUE_ATTEMPTS


class UniquenessException(SimulacraError, _FakerUniqueness):
    """``fake.unique.<method>()`` found no value it had not given yet (as Faker's exception of that name)."""


def _key(v):
    try:
        hash(v)
        return v
    except TypeError:
        return repr(v)


class UniqueProxy:
    """``fake.unique``: the same methods, never giving a value twice (per method and arguments)."""

    def __init__(self, owner):
        self._owner = owner
        self._seen: dict = {}

    def clear(self):
        """Forget every value given so far."""
        self._seen.clear()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        getattr(self._owner, name)  # AttributeError with close matches for an unknown name
        owner = self._owner

        def unique_method(*args, n=None, **kwargs):
            seen = self._seen.setdefault(_key((name, args, tuple(sorted(kwargs.items())))), set())
            if n is None:
                for _ in range(_UNIQUE_TRIES):
                    v = owner.single(name, args, kwargs)
                    if _key(v) not in seen:
                        seen.add(_key(v))
                        return v
                raise UniquenessException(
                    f"Got duplicated values after {_UNIQUE_TRIES:,} iterations of {name}(): it has no new values; "
                    "call fake.unique.clear() to forget the values given, or ask for fewer"
                )
            return _unique_batch(owner, name, n, args, kwargs, seen)

        unique_method.__name__ = name
        return unique_method


def _unique_batch(owner, name, n, args, kwargs, seen):
    out, stalls = [], 0
    while len(out) < n:
        before = len(out)
        batch = owner.batch(name, n - len(out), args, kwargs)
        for v in batch.tolist() if isinstance(batch, np.ndarray) else batch:
            if _key(v) not in seen:
                seen.add(_key(v))
                out.append(v)
        stalls = stalls + 1 if len(out) == before else 0
        if stalls >= 20:
            raise UniquenessException(
                f"cannot make {n:,} new distinct values of {name}(): {len(out):,} found; "
                "call fake.unique.clear() to forget the values given, or ask for fewer"
            )
    return np.array(out, dtype=object) if not any(isinstance(v, (list, dict)) for v in out[:1]) else out


class OptionalProxy:
    """``fake.optional.<method>(prob=0.5)``: the method's value with probability ``prob``, else None."""

    def __init__(self, owner):
        self._owner = owner

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        meth = getattr(self._owner, name)

        def optional_method(*args, prob: float = 0.5, **kwargs):
            if not 0 < prob <= 1:
                raise ParameterError(f"prob must be between 0 (excluded) and 1, got {prob}")
            return (
                meth(*args, **kwargs) if self._owner.single("random_int", (0, 999_999), {}) < prob * 1_000_000 else None
            )

        optional_method.__name__ = name
        return optional_method


__all__ = ["UniqueProxy", "OptionalProxy", "UniquenessException"]
