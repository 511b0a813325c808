"""Categories as integer codes, for synthesizers that model them as classes (CART, neural, Bayesian network).

The transforms encode a category as a point of its interval in (0, 1) and declare those intervals
in their output specs (``OutputSpec.upper``, exact cumulative probabilities). These helpers turn
such outputs into codes 0..k-1 (``OutputSpec.codes``) and codes back into encoded values (the
interval midpoints, ``OutputSpec.midpoints``). They read the specs only, never the transforms.
"""

from __future__ import annotations

import numpy as np


def category_specs(specs) -> list:
    """Per output: its spec if it is an encoded category (``OutputKind.CATEGORY``), else None."""
    return [s if s.is_category else None for s in specs]


def category_midpoints(transformer) -> list:
    """Per output of ``transformer``: the category interval midpoints if it is an encoded category, else None.

    Models store these in their files (``cats``); a restored model is checked against them.
    """
    return [None if s is None else s.midpoints() for s in category_specs(transformer.output_specs)]


def code_of(spec, x: float) -> int:
    """The category code of one encoded value ``x`` (exact interval bounds)."""
    return int(spec.codes(np.array([x], dtype=float))[0])


def to_codes(X: np.ndarray, cats: list) -> np.ndarray:
    """Copy of ``X`` with encoded categories (``cats[j]`` a spec, from :func:`category_specs`) as integer codes."""
    M = X.astype(float, copy=True)
    for j, spec in enumerate(cats):
        if spec is not None:
            M[:, j] = spec.codes(X[:, j])
    return M


def from_codes(M: np.ndarray, cats: list) -> np.ndarray:
    """Copy of ``M`` with category codes replaced by their interval midpoints (``cats`` as in :func:`to_codes`)."""
    X = M.copy()
    for j, spec in enumerate(cats):
        if spec is not None:
            mids = spec.midpoints()
            X[:, j] = mids[np.round(M[:, j]).astype(np.int64).clip(0, len(mids) - 1)]
    return X
