"""Seed handling: every random operation takes ``seed`` and uses ``numpy.random.Generator``."""

from __future__ import annotations

import numbers

import numpy as np

from .errors import ParameterError


def as_seed_sequence(seed) -> np.random.SeedSequence:
    """Turn ``seed`` (None, int, SeedSequence or Generator) into a ``SeedSequence``."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        # Draw entropy from the generator so that the caller's generator advances.
        return np.random.SeedSequence(seed.integers(0, 2**63 - 1, size=4).tolist())
    if isinstance(seed, (bool, np.bool_)):
        raise ParameterError(f"seed must be an integer, not {seed!r}")
    if isinstance(seed, numbers.Integral):
        if seed < 0:
            raise ParameterError(f"seed must be a non-negative integer, got {seed}")
        return np.random.SeedSequence(int(seed))
    raise ParameterError(
        f"seed must be None, a non-negative integer, a numpy SeedSequence or Generator; got {type(seed).__name__}"
    )


def as_generator(seed) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``seed``."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(as_seed_sequence(seed))


def child_seeds(seed, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent child sequences of ``seed`` (one per batch, column, ...)."""
    return as_seed_sequence(seed).spawn(n)


def int_seed(ss: np.random.SeedSequence) -> int:
    """A 32-bit integer drawn from a SeedSequence, for libraries that want an int (Faker)."""
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def tagged_generator(seed, tag: int) -> np.random.Generator:
    """A generator of its own for one helper of a run (``tag`` names it): the same ``seed`` and
    ``tag``, the same draws, independent of the seed's other uses (``seed`` is not advanced unless
    it is a Generator)."""
    base = int(seed) if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)) else None
    if base is None or base < 0:
        base = int_seed(as_seed_sequence(seed))  # a bad seed raises here
    return np.random.default_rng(np.random.SeedSequence([base, tag]))


def iter_spawn(ss: np.random.SeedSequence, n: int, block: int = 1024):
    """The children of ``ss.spawn(n)``, one at a time, without a list of ``n`` of them.

    Spawns in blocks of ``block``: the same children in the same order, and ``ss`` advances as
    with one ``spawn(n)`` once all are taken, so a run of 10**12 rows needs no 10**7-long list.
    """
    while n > 0:
        k = min(n, block)
        yield from ss.spawn(k)
        n -= k
