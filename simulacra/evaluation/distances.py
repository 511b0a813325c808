"""Row distances of the privacy metrics: a mixed-type Gower encoder, nearest neighbours and Gower sums in blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .views import CONTINUOUS, DISCRETE, Views, lookup, numeric_view, top_categories, views_for


class MixedEncoder:
    """Rows as points whose Gower distance (summed over the columns) is an L1 distance.

    Numerical and datetime columns are scaled by their real range (values outside it are clipped
    to it), so two values lie ``|v - w|`` apart; a missing value is 1 away from any value and 0
    from another missing value (see :func:`embed`). Categories are integer codes and cost 1 when
    they differ; the 20 most frequent categories of a column are kept (ties in order of first
    appearance), the others share one code (so two rare values count as equal), and a missing
    value is a category of its own.

    The encoder reads the columns through ``views`` (a report's :class:`Views`, the real table
    first; views of ``real`` alone when none are given), and :meth:`encode_rows` encodes rows of
    those tables by position without converting them again.
    """

    def __init__(
        self, real: pd.DataFrame, meta: dict, columns=None, max_categories: int = 20, views: Views | None = None
    ):
        self.cols = [
            c for c, m in meta.items() if m["sdtype"] in CONTINUOUS + DISCRETE and (columns is None or c in columns)
        ]
        self.meta = meta
        self.views = views_for([real], meta, views)
        self.spec = {}
        for c in self.cols:
            if meta[c]["sdtype"] in CONTINUOUS:
                v = self.views.num(c)[0]
                lo, hi = np.nanmin(v) if np.isfinite(v).any() else 0.0, np.nanmax(v) if np.isfinite(v).any() else 1.0
                self.spec[c] = ("num", lo, (hi - lo) or 1.0)
            else:
                lut, values = top_categories(self.views, c, max_categories)
                self.spec[c] = ("cat", values, lut)

    def encode(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(scaled numbers in [0, 1] with NaN for missing, shape (n, numerical columns); category codes, shape (n, categorical columns))."""
        num, cat = [], []
        for c in self.cols:
            spec = self.spec[c]
            if spec[0] == "num":
                num.append(np.clip((numeric_view(df[c], self.meta[c]) - spec[1]) / spec[2], 0.0, 1.0))
            else:
                cat.append(lookup(spec[1], df[c]))
        return self._stack(num, cat, len(df))

    def encode_rows(self, table: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`encode` of the rows at positions ``rows`` of table number ``table`` of the views."""
        num, cat = [], []
        for c in self.cols:
            spec = self.spec[c]
            if spec[0] == "num":
                num.append(np.clip((self.views.num(c)[table][rows] - spec[1]) / spec[2], 0.0, 1.0))
            else:
                cat.append(spec[2][self.views.codes(c)[0][table][rows]])
        return self._stack(num, cat, len(rows))

    @staticmethod
    def _stack(num, cat, n):
        return (
            np.column_stack(num) if num else np.zeros((n, 0)),
            np.column_stack(cat).astype(np.int32) if cat else np.zeros((n, 0), np.int32),
        )

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        """One dense matrix whose plain L1 distance is the same Gower sum (categories one-hot, weight 1/2)."""
        num, cat = self.encode(df)
        parts = [embed(num)]
        for j, c in enumerate(c for c in self.cols if self.spec[c][0] == "cat"):
            onehot = np.zeros((len(df), len(self.spec[c][1]) + 1))
            onehot[np.arange(len(df)), cat[:, j]] = 0.5
            parts.append(onehot)
        out = np.hstack(parts)
        return out if out.shape[1] else np.zeros((len(df), 1))

    @property
    def n_columns(self) -> int:
        return max(1, len(self.cols))


def embed(num: np.ndarray) -> np.ndarray:
    """Scaled numbers as points for a city-block distance: each column becomes ``(v/2, -v/2)``, a missing value ``(1/2, 1/2)``.

    Two values lie ``|v - w|`` apart, a missing value 1 from any value in [0, 1] and 0 from
    another missing value.
    """
    miss = np.isnan(num)
    return np.hstack([np.where(miss, 0.5, num / 2), np.where(miss, 0.5, -num / 2)])


def _smallest(d: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` smallest values of each row of ``d``, sorted; ``d`` may be overwritten."""
    if k == 1:
        return d.min(axis=1)[:, None]
    if k <= 4:  # a few passes of argmin beat a partition of the whole block
        rows = np.arange(len(d))
        out = np.empty((len(d), k))
        for i in range(k):
            j = d.argmin(axis=1)
            out[:, i] = d[rows, j]
            d[rows, j] = np.inf
        return out
    return np.sort(np.partition(d, k - 1, axis=1)[:, :k], axis=1)


class _GowerParts:
    """The two pieces of the Gower sums between query rows and reference rows.

    Numbers: SciPy's C city-block distance between the scaled values, a missing value put at 0.
    The rest are matrix products: the categorical columns count the number of columns minus the
    matching codes (a product of one-hot blocks), and a column with missing values adds the
    difference between its rule (1 from any value, 0 from another missing value) and what the
    city-block part counted for the 0 put in its place: ``1 - v`` when only one side is missing.
    """

    def __init__(self, reference, queries):
        (rn, rc), (qn, qc) = reference, queries
        miss = np.isnan(rn).any(axis=0) | np.isnan(qn).any(axis=0)
        self.R, self.Q = np.nan_to_num(rn, nan=0.0), np.nan_to_num(qn, nan=0.0)
        self.ncat = rc.shape[1]
        self.cat = self.miss = None
        if self.ncat:  # one-hot blocks in float32: counts of matches are exact, and the product is fast
            sizes = np.maximum(rc.max(axis=0, initial=0), qc.max(axis=0, initial=0)) + 1
            offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])

            def onehot(codes):
                out = np.zeros((len(codes), int(sizes.sum())), np.float32)
                out[np.arange(len(codes))[:, None], codes + offsets] = 1.0
                return out

            self.cat = (onehot(qc), onehot(rc).T.copy())
        if miss.any():  # in float64: these are fractions
            mq, mr = np.isnan(qn[:, miss]), np.isnan(rn[:, miss])
            left = np.hstack([mq, ~mq * (1 - self.Q[:, miss])]).astype(
                float
            )  # query missing: + (1 - r) where r is present
            right = np.hstack([~mr * (1 - self.R[:, miss]), mr]).astype(
                float
            )  # reference missing: + (1 - q) where q is present
            self.miss = (left, right.T.copy())

    def block(self, start: int, stop: int) -> np.ndarray:
        """Gower sums of query rows ``start:stop`` to every reference row."""
        if self.R.shape[1]:
            from scipy.spatial.distance import cdist

            d = cdist(self.Q[start:stop], self.R, "cityblock")
        else:
            d = np.zeros((stop - start, len(self.R)))
        if self.cat is not None:
            d += self.ncat - self.cat[0][start:stop] @ self.cat[1]
        if self.miss is not None:
            d += self.miss[0][start:stop] @ self.miss[1]
        return d


def _threads(fn, starts, workers):
    """``[fn(s) for s in starts]``, on up to ``workers`` threads (SciPy's cdist and BLAS release the GIL).

    On threads, each block's matrix products run on one BLAS thread: BLAS threads on top of ours
    would share the same cores.
    """
    from concurrent.futures import ThreadPoolExecutor

    if workers > 1 and len(starts) > 1:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(min(workers, len(starts))) as pool:
            return list(pool.map(fn, starts))
    return [fn(s) for s in starts]


def _workers(workers):
    import os

    return workers or min(4, os.cpu_count() or 1)


def _blocks(parts: _GowerParts, workers, block_cells: int = 1_000_000):
    """(query block starts, block size, workers): about ``block_cells`` distances a block, at least one block per worker."""
    workers = _workers(workers)
    n, nref = len(parts.Q), len(parts.R)
    step = max(1, min(block_cells // max(1, nref), -(-n // workers)))
    return range(0, n, step), step, workers


def nearest(reference, queries, k: int = 1, block_cells: int = 1_000_000, workers: int | None = None) -> np.ndarray:
    """Gower sums from each query row to its ``k`` nearest reference rows, shape (n, k), sorted.

    ``reference`` and ``queries`` are ``MixedEncoder.encode`` pairs. Queries go in blocks of
    about ``block_cells`` distances, on ``workers`` threads (default: the CPU count, at most 4);
    see :class:`_GowerParts` for how a block is computed.
    """
    parts = _GowerParts(reference, queries)
    nq, k = len(parts.Q), max(1, min(k, len(parts.R)))
    starts, step, workers = _blocks(parts, workers, block_cells)
    out = _threads(lambda start: _smallest(parts.block(start, min(nq, start + step)), k), starts, workers)
    return np.vstack(out) if out else np.empty((0, k))


def gower_sums(a, b, workers: int | None = None) -> np.ndarray:
    """All Gower sums between the rows of ``a`` and of ``b`` (``encode`` pairs), shape (len(a), len(b))."""
    parts = _GowerParts(b, a)
    n = len(parts.Q)
    starts, step, workers = _blocks(parts, workers)
    out = _threads(lambda start: parts.block(start, min(n, start + step)), starts, workers)
    return np.vstack(out) if out else np.empty((0, len(parts.R)))
