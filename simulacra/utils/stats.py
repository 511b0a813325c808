"""Statistics shared by models and evaluation (numpy only): the pairwise-complete Pearson correlation.

One implementation of "Pearson over the rows where both columns are present": the Gaussian copula's
normal-score correlation and the quality report's Column Pair Trends both use it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pairwise_pearson", "pearson_pairs"]


def pairwise_pearson(X: np.ndarray) -> np.ndarray:
    """Pearson correlation of every pair of columns of ``X`` over the rows where both are present.

    The same numbers as a per-pair Pearson on the complete rows, from four matrix products: for columns i
    and j, sums over the rows where j is present are ``X0.T @ M`` (X0: X with missing as 0,
    M: the presence mask). NaN where a pair has fewer than two rows or no spread.
    """
    X = np.asarray(X, dtype=float)
    M = (~np.isnan(X)).astype(float)
    X0 = np.where(M > 0, X, 0.0)
    # centre each column on its own mean first, so that the sums of squares do not cancel
    X0 = np.where(M > 0, X0 - (X0.sum(0) / np.maximum(M.sum(0), 1)), 0.0)
    n = M.T @ M
    sx = X0.T @ M  # sx[i, j]: sum of column i over the rows where j is present
    sxx = (X0 * X0).T @ M
    sxy = X0.T @ X0
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n
        den = np.sqrt(var_i * var_i.T)
        r = cov / den
    ss = np.maximum(np.diag(sxx), 1e-300)  # each column's own sum of squares: the scale of "no spread"
    tiny = (var_i <= 1e-12 * ss[:, None]) | (var_i.T <= 1e-12 * ss[None, :])
    r[(n < 2) | tiny | ~np.isfinite(r)] = np.nan
    return np.clip(r, -1.0, 1.0)


def pearson_pairs(X: np.ndarray, i: np.ndarray, j: np.ndarray, block_cells: int = 2_000_000) -> np.ndarray:
    """:func:`pairwise_pearson` of the column pairs ``(i[k], j[k])`` of ``X`` only (the same numbers, pair by pair), in blocks of about ``block_cells`` values."""
    X = np.asarray(X, dtype=float)
    present = ~np.isnan(X)
    # each column centred on its own mean and its own sum of squares, as in pairwise_pearson
    X0 = np.where(present, X - np.nansum(X, axis=0) / np.maximum(present.sum(0), 1), 0.0)
    ss = np.maximum((X0 * X0).sum(axis=0), 1e-300)
    out = np.empty(len(i))
    step = max(1, block_cells // max(1, len(X)))
    for start in range(0, len(i), step):
        a, b = i[start : start + step], j[start : start + step]
        m = (present[:, a] & present[:, b]).astype(float)
        xa, xb = X0[:, a] * m, X0[:, b] * m
        n = m.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            sa, sb = xa.sum(axis=0), xb.sum(axis=0)
            cov = (xa * xb).sum(axis=0) - sa * sb / n
            va = (xa * xa).sum(axis=0) - sa * sa / n
            vb = (xb * xb).sum(axis=0) - sb * sb / n
            r = cov / np.sqrt(va * vb)
        bad = (n < 2) | (va <= 1e-12 * ss[a]) | (vb <= 1e-12 * ss[b]) | ~np.isfinite(r)
        r[bad] = np.nan
        out[start : start + step] = np.clip(r, -1.0, 1.0)
    return out
