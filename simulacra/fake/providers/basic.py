"""Basic values for schemas: integers, floats, booleans, choices, sequences."""

from __future__ import annotations

import numpy as np

from ...errors import ParameterError
from ..core import Provider, column


class Basic(Provider):
    topic = "basic"

    @column()
    def integer(self, n, rng, engine, minimum: int = 0, maximum: int = 100):
        if minimum > maximum:
            raise ParameterError(f"minimum {minimum} is larger than maximum {maximum}")
        return rng.integers(minimum, maximum + 1, n)

    @column(name="float")
    def float_(self, n, rng, engine, minimum: float = 0.0, maximum: float = 1.0, decimals: int | None = 2):
        if minimum > maximum:
            raise ParameterError(f"minimum {minimum} is larger than maximum {maximum}")
        v = minimum + rng.random(n) * (maximum - minimum)
        return np.round(v, decimals) if decimals is not None else v

    @column()
    def normal(self, n, rng, engine, mean: float = 0.0, std: float = 1.0, decimals: int | None = 2):
        if std < 0:
            raise ParameterError(f"std must be non-negative, got {std}")
        v = rng.normal(mean, std, n)
        return np.round(v, decimals) if decimals is not None else v

    @column()
    def boolean(self, n, rng, engine, probability: float = 0.5):
        if not 0 <= probability <= 1:
            raise ParameterError(f"probability must be between 0 and 1, got {probability}")
        return rng.random(n) < probability

    @column()
    def choice(self, n, rng, engine, values=None, weights=None):
        if not values:
            raise ParameterError("choice needs a non-empty list of values")
        p = None
        if weights is not None:
            w = np.asarray(weights, dtype=float)
            if len(w) != len(values) or (w < 0).any() or w.sum() <= 0:
                raise ParameterError("choice weights must be non-negative, one per value, with a positive sum")
            p = w / w.sum()
        idx = rng.choice(len(values), size=n, p=p)
        arr = np.asarray(values, dtype=object)[idx]
        if all(isinstance(v, str) for v in values):
            import pyarrow as pa

            from .._arrow import array

            return array(arr.tolist(), type=pa.string())
        return np.asarray(values)[idx]
