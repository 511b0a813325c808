"""Exact k nearest neighbours (Euclidean) for the oversamplers.

Small and wide problems use a blocked distance matrix: ``|a|^2 + |b|^2 - 2 a.b`` with one matrix
product per block of query rows (columns centred first, so that large offsets do not cancel),
``argpartition`` for the k smallest, then the exact squared distances of those k, sorted (ties by
row number). Blocks hold about 4 million distances (32 MB) and as many gathered values, so memory
stays bounded. No scikit-learn import is needed, which saves seconds on a first call. Larger
problems (more than 4 million query x row pairs) go to scikit-learn's ``NearestNeighbors``: a k-d
tree for few columns, its chunked brute-force search otherwise; both are faster there.
"""

from __future__ import annotations

import numpy as np

from .._threads import limit_threads_for

_BLOCK_CELLS = 1 << 22  # distances per block
#: all pairs are computed here when there are at most this many query x data pairs
_BRUTE_MAX_PAIRS = 4_000_000


def kneighbors(data: np.ndarray, k: int, queries: np.ndarray | None = None) -> np.ndarray:
    """Indices ``(m, k)`` of the ``k`` rows of ``data`` nearest to each query row, nearest first.

    ``queries`` are row numbers of ``data`` (default: every row); a query row is never its own
    neighbour (a duplicate of it can be). ``data`` must be finite floats and have more than ``k`` rows.
    """
    data = np.ascontiguousarray(data, dtype=float)
    n, d = data.shape
    q = np.arange(n) if queries is None else np.asarray(queries, dtype=np.intp)
    if not 0 < k < n:
        raise ValueError(f"k={k} needs between 1 and {n - 1} neighbours")
    with limit_threads_for(n * max(d, 1)):
        if len(q) * n <= _BRUTE_MAX_PAIRS:
            return _brute(data, k, q)
        return _tree(data, k, q)


def _brute(data: np.ndarray, k: int, q: np.ndarray) -> np.ndarray:
    n = len(data)
    C = data - data.mean(axis=0)
    sq = np.einsum("ij,ij->i", C, C)
    out = np.empty((len(q), k), dtype=np.intp)
    step = max(
        1, min(_BLOCK_CELLS // n, _BLOCK_CELLS // (k * max(C.shape[1], 1)))
    )  # distances and gathered rows both bounded
    for start in range(0, len(q), step):
        qb = q[start : start + step]
        A = C[qb]
        D = A @ C.T
        D *= -2.0
        D += sq[qb][:, None]
        D += sq[None, :]
        D[np.arange(len(qb)), qb] = np.inf
        cand = np.argpartition(D, k - 1, axis=1)[:, :k] if k < n - 1 else np.argsort(D, axis=1)[:, :k]
        diff = C[cand] - A[:, None, :]
        exact = np.einsum("bkd,bkd->bk", diff, diff)
        order = np.lexsort((cand, exact), axis=-1)
        out[start : start + len(qb)] = np.take_along_axis(cand, order, axis=1)
    return out


def _tree(data: np.ndarray, k: int, q: np.ndarray) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    dist, idx = NearestNeighbors(n_neighbors=k + 1).fit(data).kneighbors(data[q])
    is_self = idx == q[:, None]
    # the query row itself is usually first; where a duplicate displaced it, drop the farthest
    is_self[~is_self.any(axis=1), -1] = True
    first = is_self.argmax(axis=1)
    keep = np.ones_like(is_self)
    keep[np.arange(len(q)), first] = False
    idx, dist = idx[keep].reshape(len(q), k), dist[keep].reshape(len(q), k)
    order = np.lexsort((idx, dist), axis=-1)  # ties by row number, as in _brute
    return np.take_along_axis(idx, order, axis=1)


__all__ = ["kneighbors"]
