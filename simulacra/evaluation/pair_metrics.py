"""Column-pair metrics of the quality report: SDMetrics' binning, the pair sample of wide tables, contingency similarity from integer codes, and the readable share of pairs with unreadable values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..utils.validation import is_int
from .views import Views


def bin_codes(v: np.ndarray) -> np.ndarray:
    """SDMetrics' pair-trend binning: 10 equal-width bins over this table's own range; NaN -> 11."""
    finite = v[~np.isnan(v)]
    if len(finite) and finite.min() == finite.max():
        # numpy bins a constant column over [x - 0.5, x + 0.5]: every value in the middle bin
        return np.where(np.isnan(v), 11, 6)
    try:
        edges = np.histogram_bin_edges(finite) if len(finite) else np.linspace(0, 1, 11)
    except ValueError:  # a range too narrow for float64 bins
        return np.where(np.isnan(v), 11, 6)
    with np.errstate(invalid="ignore"):
        return np.digitize(v, edges)


def readable_share(num_s: list, views: Views, i: np.ndarray, j: np.ndarray, block_cells: int = 2_000_000) -> np.ndarray:
    """For the continuous column pairs ``(i[k], j[k])`` (positions in ``num_s``, a list of (column, synthetic numbers)): the share of the synthetic rows where both values are present that are readable in both (0 when no row has both).

    Pairs go in blocks of about ``block_cells`` values; each block stacks only its own columns.
    """
    out = np.empty(len(i))
    n_rows = len(num_s[0][1]) if num_s else 0
    step = max(1, block_cells // max(1, 2 * n_rows))
    for start in range(0, len(i), step):
        a, b = i[start : start + step], j[start : start + step]
        cols, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
        ok = np.column_stack([~np.isnan(num_s[k][1]) for k in cols])
        present = ok.copy()
        for n, k in enumerate(cols):
            if (unread := views.unreadable(num_s[k][0])[1]) is not None:
                present[:, n] |= unread
        pa, pb = inv[: len(a)], inv[len(a) :]
        both_ok = (ok[:, pa] & ok[:, pb]).sum(axis=0)
        both = (present[:, pa] & present[:, pb]).sum(axis=0)
        out[start : start + step] = np.where(both > 0, both_ok / np.maximum(both, 1), 0.0)
    return out


def choose_pairs(n_columns: int, max_pairs: int | None, seed=0) -> tuple[np.ndarray, np.ndarray, int]:
    """(first, second column positions of the pairs to score, in ``itertools.combinations`` order; the number of all pairs).

    Every pair when there are at most ``max_pairs`` (or ``max_pairs`` is None), else a uniform
    random sample of ``max_pairs`` distinct pairs drawn with ``numpy.random.default_rng(seed)``.
    """
    total = n_columns * (n_columns - 1) // 2
    if max_pairs is None or total <= max_pairs:
        i, j = np.triu_indices(n_columns, k=1)
        return i, j, total
    k = np.sort(np.random.default_rng(seed).choice(total, size=int(max_pairs), replace=False))
    # pairs (i, .) start at offset(i) = i * n - i * (i + 1) / 2 in combinations order
    rows = np.arange(n_columns, dtype=np.int64)
    offsets = rows * n_columns - rows * (rows + 1) // 2
    i = np.searchsorted(offsets, k, side="right") - 1
    return i, k - offsets[i] + i + 1, total


def check_max_pairs(max_pairs):
    """``max_pairs`` as the quality report reads it: None (or 0) for every pair, else a positive count."""
    if max_pairs is None:
        return None
    if not is_int(max_pairs) or max_pairs < 0:
        raise ParameterError(
            f"max_pairs must be a non-negative whole number of column pairs (0 or None: every pair), got {max_pairs!r}"
        )
    return int(max_pairs) or None


def contingency_codes(a, b) -> tuple[float, float]:
    """(ContingencySimilarity score, real Cramér's V) of one pair, from precomputed integer codes.

    Cramér's V is computed from the observed cells only: over the unobserved cells of the full
    table (O - E)^2 / E sums to their expected counts, which is n minus the observed cells' E.
    """
    (xr, xs, kx), (yr, ys, ky) = a, b
    nr, ns = len(xr), len(xs)
    key_r = xr.astype(np.int64) * ky + yr
    key_s = xs.astype(np.int64) * ky + ys
    rows = np.bincount(xr, minlength=kx)
    cols = np.bincount(yr, minlength=ky)
    if (rows > 0).sum() < 2 or (cols > 0).sum() < 2:
        return np.nan, np.nan
    if kx * ky <= 200_000:
        cr = np.bincount(key_r, minlength=kx * ky)
        cs = np.bincount(key_s, minlength=kx * ky)
        cells = np.flatnonzero(cr)
        obs = cr[cells]
        tvd = 0.5 * np.abs(cr / nr - cs / ns).sum()
    else:
        inv, both = pd.factorize(np.concatenate([key_r, key_s]))  # hashing: no sort of the keys
        cr = np.bincount(inv[:nr], minlength=len(both))
        cs = np.bincount(inv[nr:], minlength=len(both))
        seen = cr > 0
        cells, obs = both[seen], cr[seen]
        tvd = 0.5 * np.abs(cr / nr - cs / ns).sum()
    expected = rows[cells // ky] * cols[cells % ky] / nr
    chi2 = float(((obs - expected) ** 2 / expected - expected).sum() + nr)
    k = min((rows > 0).sum(), (cols > 0).sum()) - 1
    v = float(np.sqrt(max(chi2, 0.0) / nr / k))
    return float(1 - tvd), v
