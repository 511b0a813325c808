"""Mergeable, serializable statistics of a table read in partitions.

Each class here is built empty, ``update``-d with one partition at a time (vectorized numpy /
pandas), ``merge``-d with another of its kind (associative: merging in any grouping gives the same
counts; sums of floats agree to rounding, and are bit-identical when merged in the same order),
and turned into plain data with ``to_state()`` (numpy arrays, bytes, lists of plain values) and
back with ``from_state`` -- so a Dask worker returns only plain data, never our objects.

- :class:`EdgeCounts`: exact, deterministic counts below, at and between fixed edges (chosen from a
  sample, e.g. :meth:`EdgeCounts.from_sample`); the cdf is exact at every edge and its error in
  between is at most the largest gap's share of rows, which it reports (:attr:`EdgeCounts.rank_error`).
  Used instead of a random quantile sketch (such as DataSketches' KLL, whose compactions cannot
  be seeded) so that fits and scores are bit-for-bit reproducible.
- :class:`CategoryCounts`: counts of values (merged value counts) with a cap on the number kept.
- :class:`PairMoments`: pairwise-complete sums of products of a matrix with missing values ->
  the Pearson correlation over the rows where both columns are present.
- :class:`StratifiedSample` / :class:`BottomKSample`: a bounded random sample of rows, the rows of
  smallest random keys; keys come from a generator per partition (:func:`partition_generator`),
  so the sample for a seed does not depend on the order the partitions are read or merged in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .sample_sketch import BottomKSample, StratifiedSample, key_limit_for, partition_generator, row_ids, row_keys

__all__ = [
    "BottomKSample",
    "CategoryCounts",
    "EdgeCounts",
    "PairMoments",
    "StratifiedSample",
    "as_float_array",
    "key_limit_for",
    "merge_all",
    "partition_generator",
    "row_ids",
    "row_keys",
]

#: distinct values a CategoryCounts keeps before it lumps the rarest together
DEFAULT_MAX_CATEGORIES = 10_000
_BLOCK_ROWS = 262_144  # rows per block of the sums of products (bounds the temporaries)


def merge_all(items):
    """Fold ``a.merge(b)`` over ``items`` in order (the first is updated in place and returned)."""
    it = iter(items)
    try:
        out = next(it)
    except StopIteration:
        raise ParameterError("merge_all needs at least one item") from None
    for x in it:
        out.merge(x)
    return out


def as_float_array(values) -> np.ndarray:
    """Values as float64 with NaN for missing: numbers, nullable integers, booleans, datetimes (ns since epoch)."""
    if isinstance(values, pd.Series) or isinstance(values, pd.Index):
        dt = values.dtype
        if dt.kind == "M" or isinstance(dt, pd.DatetimeTZDtype):
            v = values.to_numpy(dtype="datetime64[ns]") if dt.kind == "M" else values.dt.tz_convert(None).to_numpy()
            out = v.view("int64").astype(float)
            out[np.isnat(v)] = np.nan
            return out
        if dt.kind == "m":
            v = values.to_numpy()
            out = v.view("int64").astype(float)
            out[np.isnat(v)] = np.nan
            return out
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(values, dtype=float)


class EdgeCounts:
    """Exact counts of one numeric column below, at and between fixed ``edges`` (deterministic, mergeable).

    ``counts`` has ``2 * len(edges) + 1`` bins: ``[< e0, == e0, (e0, e1), == e1, ..., == e_last, > e_last]``.
    With the exact min and max, the cdf is known exactly at every edge and is interpolated
    linearly inside each open gap (atoms at edges keep their exact mass); the error of a rank is at
    most the largest open gap's share of the rows (:attr:`rank_error`, exact, known after the pass).
    """

    def __init__(self, edges):
        e = np.unique(np.asarray(edges, dtype=float))
        self.edges = e[np.isfinite(e)]
        self.counts = np.zeros(2 * len(self.edges) + 1, dtype=np.int64)
        self.min = float("inf")
        self.max = float("-inf")

    @classmethod
    def from_sample(cls, sample, n_edges: int = 8192) -> "EdgeCounts":
        """Edges at ``n_edges`` evenly spaced quantiles of ``sample`` (its distinct values when fewer)."""
        v = as_float_array(sample)
        v = np.sort(v[np.isfinite(v)])
        if len(v) == 0:
            return cls([])
        u = np.unique(v)
        if len(u) <= n_edges:
            return cls(u)
        idx = np.round(np.linspace(0, len(v) - 1, n_edges)).astype(np.intp)
        return cls(v[idx])

    def update(self, values) -> "EdgeCounts":
        v = as_float_array(values)
        v = v[np.isfinite(v)]
        if not len(v):
            return self
        self.min = min(self.min, float(v.min()))
        self.max = max(self.max, float(v.max()))
        if not len(self.edges):
            self.counts[0] += len(v)
            return self
        i = np.searchsorted(self.edges, v, side="left")
        at = self.edges[np.minimum(i, len(self.edges) - 1)] == v
        self.counts += np.bincount(2 * i + at, minlength=len(self.counts))
        return self

    def merge(self, other: "EdgeCounts") -> "EdgeCounts":
        if len(other.edges) != len(self.edges) or not np.array_equal(other.edges, self.edges):
            raise ParameterError("EdgeCounts with different edges cannot be merged")
        self.counts += other.counts
        self.min, self.max = min(self.min, other.min), max(self.max, other.max)
        return self

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @property
    def rank_error(self) -> float:
        """Largest share of rows inside one open gap (the most a linearly interpolated rank can be off)."""
        return float(self.counts[0::2].max() / self.n) if self.n else 0.0

    def cdf_points(self) -> tuple[np.ndarray, np.ndarray]:
        """``(xs, ps)``: the piecewise-linear cdf through (min, 0), each edge's left and right limits, (max, 1)."""
        n = self.n
        if not n:
            return np.array([]), np.array([])
        c = np.cumsum(self.counts) / n
        B = len(self.edges)
        left = np.r_[0.0, c][1 : 2 * B : 2]  # share below each edge
        right = c[1 : 2 * B : 2]  # share at or below each edge
        xs = np.r_[self.min, np.repeat(self.edges, 2), self.max]
        ps = np.r_[0.0, np.column_stack([left, right]).ravel(), 1.0]
        keep = (xs >= self.min) & (xs <= self.max)
        return xs[keep], np.maximum.accumulate(ps[keep])

    def cdf(self, points) -> np.ndarray:
        xs, ps = self.cdf_points()
        x = np.asarray(points, dtype=float)
        if not len(xs):
            return np.full(x.shape, np.nan)
        # right-continuous at an atom: the share at or below it
        j = np.searchsorted(xs, x, side="right")
        out = np.interp(x, xs, ps)
        at = (j > 0) & (xs[np.maximum(j - 1, 0)] == x)
        out[at] = ps[j[at] - 1]
        return out

    def quantiles(self, qs) -> np.ndarray:
        """The values at ranks ``qs``: the inverse of the piecewise-linear cdf (an atom's value across its mass)."""
        xs, ps = self.cdf_points()
        qs = np.asarray(qs, dtype=float)
        if not len(xs):
            return np.full(qs.shape, np.nan)
        return np.interp(qs, ps, xs)

    def to_state(self) -> dict:
        return {"edges": self.edges, "counts": self.counts, "min": self.min, "max": self.max}

    @classmethod
    def from_state(cls, state: dict) -> "EdgeCounts":
        out = cls(state["edges"])
        out.counts = np.asarray(state["counts"], dtype=np.int64).copy()
        out.min, out.max = float(state["min"]), float(state["max"])
        return out


# ---------------------------------------------------------------------- categories
class CategoryCounts:
    """Counts of each value of a column (missing values counted apart), merged by adding.

    At most ``max_categories`` values are kept: past that the rarest are lumped into ``other``
    (rows) and ``overflow`` is set; the kept counts are then exact only for values that were
    never dropped (the frequent ones). Ties in the cut go to the smaller value (as text), so the
    result does not depend on the merge order.
    """

    def __init__(self, max_categories: int = DEFAULT_MAX_CATEGORIES):
        self.max_categories = int(max_categories)
        self.counts = pd.Series(dtype=np.int64)
        self.nulls = 0
        self.other = 0
        self.overflow = False

    def update(self, values) -> "CategoryCounts":
        s = values if isinstance(values, pd.Series) else pd.Series(values)
        vc = s.value_counts(dropna=True, sort=False)
        self.nulls += int(len(s) - vc.sum())
        return self._add(vc.astype(np.int64))

    def _add(self, vc: pd.Series) -> "CategoryCounts":
        if len(self.counts):
            vc = self.counts.add(vc, fill_value=0).astype(np.int64)
        if len(vc) > self.max_categories:
            order = np.lexsort((vc.index.astype(str).to_numpy(), -vc.to_numpy()))
            drop = order[self.max_categories :]
            self.other += int(vc.iloc[drop].sum())
            self.overflow = True
            vc = vc.iloc[np.sort(order[: self.max_categories])]
        self.counts = vc
        return self

    def merge(self, other: "CategoryCounts") -> "CategoryCounts":
        self.nulls += other.nulls
        self.other += other.other
        self.overflow = self.overflow or other.overflow
        return self._add(other.counts)

    @property
    def n(self) -> int:
        """Rows counted (missing values included)."""
        return int(self.counts.sum()) + self.other + self.nulls

    def frequencies(self) -> pd.Series:
        """Counts sorted by count (descending), then value (as text)."""
        vc = self.counts
        order = np.lexsort((vc.index.astype(str).to_numpy(), -vc.to_numpy()))
        return vc.iloc[order]

    def to_state(self) -> dict:
        return {
            "values": self.counts.index.tolist(),
            "counts": self.counts.to_numpy(dtype=np.int64),
            "nulls": self.nulls,
            "other": self.other,
            "overflow": self.overflow,
            "max_categories": self.max_categories,
        }

    @classmethod
    def from_state(cls, state: dict) -> "CategoryCounts":
        out = cls(state["max_categories"])
        out.counts = pd.Series(
            np.asarray(state["counts"], dtype=np.int64), index=pd.Index(state["values"], dtype=object)
        )
        out.nulls, out.other, out.overflow = int(state["nulls"]), int(state["other"]), bool(state["overflow"])
        return out


# ---------------------------------------------------------------------- correlations
class PairMoments:
    """Pairwise-complete sums of a ``d``-column matrix with missing values (NaN), merged by adding.

    For columns i and j over the rows where both are present: ``n[i, j]``, ``s[i, j]`` (sum of
    column i; ``s.T`` is the sum of column j), ``ss[i, j]`` (sum of squares of i) and ``sp[i, j]``
    (sum of products), all float64 from masked matrix products, in blocks of rows. ``shift``
    (one value a column, e.g. a rough mean) is subtracted first so the sums do not cancel.
    """

    def __init__(self, d: int, shift=None):
        self.d = int(d)
        self.shift = np.zeros(self.d) if shift is None else np.asarray(shift, dtype=float).copy()
        z = np.zeros((self.d, self.d))
        self.n, self.s, self.ss, self.sp = z.copy(), z.copy(), z.copy(), z.copy()

    def update(self, X) -> "PairMoments":
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.d:
            raise ParameterError(f"PairMoments of {self.d} columns got an array of shape {X.shape}")
        for start in range(0, len(X), _BLOCK_ROWS):
            B = X[start : start + _BLOCK_ROWS] - self.shift
            M = (~np.isnan(B)).astype(float)
            B0 = np.where(M > 0, B, 0.0)
            self.n += M.T @ M
            self.s += B0.T @ M
            self.ss += (B0 * B0).T @ M
            self.sp += B0.T @ B0
        return self

    def merge(self, other: "PairMoments") -> "PairMoments":
        if other.d != self.d or not np.array_equal(other.shift, self.shift):
            raise ParameterError("PairMoments of different columns or shifts cannot be merged")
        self.n += other.n
        self.s += other.s
        self.ss += other.ss
        self.sp += other.sp
        return self

    def correlation(self) -> np.ndarray:
        """Pearson correlation of every pair over its complete rows; NaN with fewer than 2 rows or no spread
        (as :func:`simulacra.utils.stats.pairwise_pearson` on all the rows at once)."""
        n, s, ss = self.n, self.s, self.ss
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = self.sp - s * s.T / n
            var = ss - s * s / n
            r = cov / np.sqrt(var * var.T)
        scale = np.maximum(np.diag(ss), 1e-300)
        tiny = (var <= 1e-12 * scale[:, None]) | (var.T <= 1e-12 * scale[None, :])
        r[(n < 2) | tiny | ~np.isfinite(r)] = np.nan
        return np.clip(r, -1.0, 1.0)

    def to_state(self) -> dict:
        return {"shift": self.shift, "n": self.n, "s": self.s, "ss": self.ss, "sp": self.sp}

    @classmethod
    def from_state(cls, state: dict) -> "PairMoments":
        out = cls(len(state["shift"]), state["shift"])
        for k in ("n", "s", "ss", "sp"):
            setattr(out, k, np.asarray(state[k], dtype=float).copy())
        return out
