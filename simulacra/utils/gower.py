"""Gower distances between rows, and the distance statistics of privacy checks.

Shared by the evaluation (``evaluation.distances``, ``evaluation.privacy``) and by the
synthesizers' fit-time privacy check (``synthesizers.privacy_check``), so both measure the same
thing the same way:

- :func:`nearest` and :func:`gower_sums`: exact brute-force Gower sums in blocks, on threads;
- :class:`FrameEncoder`: rows of DataFrames as ``(numbers, codes)`` pairs for those functions
  (numbers scaled by the reference range, categories matched exactly);
- :func:`dcr_share` and :func:`membership_auc`: the DCR share against an equal-size holdout and a
  distance-based membership attack.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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


_MISSING = "\x00missing"


def numbers_of(s: pd.Series) -> np.ndarray:
    """A column as floats: datetimes as seconds, NaN for missing or unreadable values."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        arr = s.to_numpy()
        v = arr.view("int64") / {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}.get(np.datetime_data(arr.dtype)[0], 1.0)
        v[np.isnat(arr)] = np.nan
        return v
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        return s.dt.total_seconds().to_numpy(dtype=float, na_value=np.nan)
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isinf(v), np.nan, v)


def labels_of(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), _MISSING)


class FrameEncoder:
    """Rows of DataFrames as ``(numbers, codes)`` pairs for :func:`nearest` (Gower's distance).

    ``kinds`` maps each column to ``"num"`` (numbers and datetimes: scaled by the reference's
    range, clipped to it) or ``"cat"`` (every other column). Categories are matched as the
    evaluation's encoder matches them: the ``max_categories`` most frequent reference values keep
    their own codes (ties in order of first appearance), every other value shares one, and a
    missing value is a value of its own; equal codes cost 0, others 1.
    """

    def __init__(self, reference: pd.DataFrame, kinds: dict, max_categories: int = 20):
        self.kinds = {c: k for c, k in kinds.items() if c in reference.columns}
        self.spec = {}
        for c, k in self.kinds.items():
            if k == "num":
                v = numbers_of(reference[c])
                ok = np.isfinite(v)
                lo, hi = (float(v[ok].min()), float(v[ok].max())) if ok.any() else (0.0, 1.0)
                self.spec[c] = (lo, (hi - lo) or 1.0)
            else:
                present = reference[c][reference[c].notna()].astype(object)
                counts = present.value_counts(sort=False)  # in order of first appearance
                top = counts.iloc[np.argsort(-counts.to_numpy(), kind="stable")[:max_categories]]
                self.spec[c] = pd.Index(top.index)

    @property
    def n_columns(self) -> int:
        return max(1, len(self.kinds))

    def encode(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        num, cat = [], []
        for c, k in self.kinds.items():
            if k == "num":
                lo, span = self.spec[c]
                num.append(np.clip((numbers_of(df[c]) - lo) / span, 0.0, 1.0))
            else:
                top = self.spec[c]
                codes = top.get_indexer(df[c].astype(object))
                codes = np.where(codes < 0, len(top) + 1, codes)  # any other value
                cat.append(np.where(df[c].isna().to_numpy(), len(top), codes))  # missing: a value of its own
        n = len(df)
        return (
            np.column_stack(num) if num else np.zeros((n, 0)),
            np.column_stack(cat).astype(np.int32) if cat else np.zeros((n, 0), np.int32),
        )


def dcr_share(to_train: np.ndarray, to_holdout: np.ndarray) -> float:
    """Share of rows closer to a training row than to any holdout row (ties count half).

    With as many training rows as holdout rows in the references, 0.5 means the synthetic rows
    are no closer to the rows the model learned than to rows it never saw.
    """
    if not len(to_train):
        return float("nan")
    return float(np.mean(to_train < to_holdout) + 0.5 * np.mean(to_train == to_holdout))


def membership_auc(to_members: np.ndarray, to_nonmembers: np.ndarray) -> float:
    """ROC AUC of the attack "a real row closer to the synthetic data is a training member".

    Inputs are each real row's distance to its closest synthetic row; 0.5 is chance.
    """
    from scipy.stats import rankdata

    n1, n0 = len(to_members), len(to_nonmembers)
    if not n1 or not n0:
        return float("nan")
    ranks = rankdata(-np.concatenate([to_members, to_nonmembers]))
    return float((ranks[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def quantiles(values: np.ndarray, qs=(0.05, 0.25, 0.5, 0.75, 0.95)) -> dict:
    """``{"p5": ..., "p25": ..., ...}`` of ``values`` (NaN when empty)."""
    if not len(values):
        return {f"p{round(q * 100)}": float("nan") for q in qs}
    return {f"p{round(q * 100)}": float(v) for q, v in zip(qs, np.quantile(values, qs))}


def count_closer(reference, queries, bounds: np.ndarray, workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per query row: how many reference rows lie closer than its bound, and how many exactly at it (Gower sums)."""
    parts = _GowerParts(reference, queries)
    n = len(parts.Q)
    starts, step, workers = _blocks(parts, workers)

    def block(start):
        d = parts.block(start, min(n, start + step))
        b = bounds[start : start + len(d), None]
        close = np.isclose(d, b, rtol=0, atol=1e-9)
        return np.column_stack([((d < b) & ~close).sum(axis=1), close.sum(axis=1)])

    out = _threads(block, starts, workers)
    both = np.vstack(out) if out else np.zeros((0, 2), np.int64)
    return both[:, 0], both[:, 1]


def _none_drawn(N: int, k: np.ndarray, m: int) -> np.ndarray:
    """Probability that a random ``m`` of ``N`` rows holds none of ``k`` given rows (hypergeometric)."""
    from scipy.special import gammaln

    k = np.asarray(k, dtype=float)
    ok = N - k >= m
    kk = np.where(ok, k, 0.0)
    logp = gammaln(N - kk + 1) - gammaln(N - kk - m + 1) - gammaln(N + 1) + gammaln(N - m + 1)
    return np.where(ok, np.exp(logp), 0.0)


def equal_size_dcr_share(train, holdout, synthetic, workers: int | None = None) -> float:
    """The DCR share against as many training rows as holdout rows, averaged over every such training sample.

    ``train``, ``holdout`` and ``synthetic`` are encode pairs, ``train`` at least as long as
    ``holdout``. A synthetic row counts 1 when its closest row among the holdout and a random
    equal-size sample of ``train`` is a training row (half on a tie); the expectation over the
    samples is exact (hypergeometric), so the share has no noise from which training rows were drawn.
    """
    N, m = len(train[0]), len(holdout[0])
    if not len(synthetic[0]) or not m:
        return float("nan")
    if N < m:
        raise ValueError("the training reference needs at least as many rows as the holdout")
    to_hold = nearest(holdout, synthetic, k=1, workers=workers)[:, 0]
    less, equal = count_closer(train, synthetic, to_hold, workers=workers)
    p_none_less = _none_drawn(N, less, m)
    p_win = 1 - p_none_less
    p_tie = p_none_less - _none_drawn(N, less + equal, m)
    return float(np.mean(p_win + 0.5 * p_tie))
