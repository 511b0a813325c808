"""Categories as integer codes, for synthesizers that model them as classes (CART, neural, Bayesian network).

The transforms encode a category as a point of its frequency interval in (0, 1); these helpers
turn such columns into codes 0..k-1 and back (to the interval midpoints).
"""

from __future__ import annotations

import numpy as np


def category_midpoints(transformer) -> list:
    """Per output column: the category interval midpoints if it is an encoded category, else None."""
    from ..transforms.categorical import CategoricalTransform

    out = []
    for t in transformer.transforms:
        for k, _ in enumerate(t.output_names):
            if isinstance(t, CategoricalTransform) and k == 0:
                p = t.probabilities
                out.append(np.cumsum(p) - p / 2)
            else:
                out.append(None)
    return out


def bounds_from_midpoints(mids: np.ndarray) -> np.ndarray:
    """Upper bounds of the category intervals from their midpoints (the last one open)."""
    widths = np.empty_like(mids)
    prev = 0.0
    for i, m in enumerate(mids):
        widths[i] = 2 * (m - prev)
        prev += widths[i]
    upper = np.cumsum(widths)
    upper[-1] = np.inf
    return upper


def to_codes(X: np.ndarray, mids_list: list) -> np.ndarray:
    """Copy of ``X`` with encoded categories replaced by their integer codes."""
    M = X.astype(float, copy=True)
    for j, mids in enumerate(mids_list):
        if mids is not None:
            M[:, j] = np.searchsorted(bounds_from_midpoints(mids), np.clip(X[:, j], 0, 1), side="right").clip(
                0, len(mids) - 1
            )
    return M


def from_codes(M: np.ndarray, mids_list: list) -> np.ndarray:
    """Copy of ``M`` with category codes replaced by their interval midpoints."""
    X = M.copy()
    for j, mids in enumerate(mids_list):
        if mids is not None:
            X[:, j] = mids[np.round(M[:, j]).astype(np.int64).clip(0, len(mids) - 1)]
    return X
