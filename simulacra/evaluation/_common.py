"""Helpers shared by the evaluation reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidDataError, MetadataError
from .quality import _columns_meta, _numeric_view

CONTINUOUS = ("numerical", "datetime")
DISCRETE = ("categorical", "boolean", "ordinal")


def prepare(real, synthetic, metadata, name_real="real_data", name_syn="synthetic_data"):
    """Checked copies of the two tables (text column names) and the column metadata."""
    for name, df in ((name_real, real), (name_syn, synthetic)):
        if not isinstance(df, pd.DataFrame):
            raise InvalidDataError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
        if len(df) == 0:
            raise InvalidDataError(f"{name} has no rows")
    real = real.rename(columns=str)
    synthetic = synthetic.rename(columns=str)
    meta = _columns_meta(metadata)
    for label, df in (("real data", real), ("synthetic data", synthetic)):
        missing = [c for c in meta if c not in df.columns]
        if missing:
            raise MetadataError(f"the metadata names column(s) {', '.join(map(repr, missing))} that the {label} does not have")
    return real, synthetic, meta


class MixedEncoder:
    """Rows as points whose L1 distance divided by the number of columns is Gower's distance.

    Numerical and datetime columns are scaled by their real range (values outside it are clipped
    to it) and embedded as ``(v/2, -v/2)``, so two values lie ``|v - w|`` apart; a missing value
    is the point ``(1/2, 1/2)``: distance 1 to any value and 0 to another missing value.
    Categories are integer codes and cost 1 when they differ; the 20 most frequent categories of a
    column are kept, the others share one code (so two rare values count as equal), and a
    missing value is a category of its own.
    """

    def __init__(self, real: pd.DataFrame, meta: dict, columns=None, max_categories: int = 20):
        self.cols = [c for c, m in meta.items() if m["sdtype"] in CONTINUOUS + DISCRETE and (columns is None or c in columns)]
        self.meta = meta
        self.spec = {}
        for c in self.cols:
            m = meta[c]
            if m["sdtype"] in CONTINUOUS:
                v = _numeric_view(real[c], m)
                lo, hi = np.nanmin(v) if np.isfinite(v).any() else 0.0, np.nanmax(v) if np.isfinite(v).any() else 1.0
                self.spec[c] = ("num", lo, (hi - lo) or 1.0)
            else:
                top = real[c].astype(object).where(real[c].notna(), "__missing__").value_counts().index[:max_categories]
                self.spec[c] = ("cat", pd.Index(list(top)))

    def encode(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(numerical embedding, shape (n, 2 x numerical columns); category codes, shape (n, categorical columns))."""
        num, cat = [], []
        for c in self.cols:
            spec = self.spec[c]
            if spec[0] == "num":
                v = np.clip((_numeric_view(df[c], self.meta[c]) - spec[1]) / spec[2], 0.0, 1.0)
                miss = np.isnan(v)
                num.append(np.where(miss, 0.5, v / 2))
                num.append(np.where(miss, 0.5, -v / 2))
            else:
                vals = df[c].astype(object).where(df[c].notna(), "__missing__")
                codes = spec[1].get_indexer(pd.Index(vals))
                cat.append(np.where(codes < 0, len(spec[1]), codes))
        n = len(df)
        return (np.column_stack(num) if num else np.zeros((n, 0)), np.column_stack(cat).astype(np.int32) if cat else np.zeros((n, 0), np.int32))

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        """One dense matrix whose plain L1 distance is the same Gower sum (categories one-hot, weight 1/2)."""
        num, cat = self.encode(df)
        parts = [num]
        for j, c in enumerate(c for c in self.cols if self.spec[c][0] == "cat"):
            onehot = np.zeros((len(df), len(self.spec[c][1]) + 1))
            onehot[np.arange(len(df)), cat[:, j]] = 0.5
            parts.append(onehot)
        out = np.hstack(parts)
        return out if out.shape[1] else np.zeros((len(df), 1))

    @property
    def n_columns(self) -> int:
        return max(1, len(self.cols))


def nearest(reference, queries, k: int = 1, block_cells: int = 4_000_000) -> np.ndarray:
    """Gower sums (L1 over the encoded columns) from each query row to its ``k`` nearest reference rows, shape (n, k).

    ``reference`` and ``queries`` are ``MixedEncoder.encode`` pairs. Queries go in blocks of
    about ``block_cells`` distances: the numerical part with SciPy's C city-block distance, the
    categorical part as a count of differing codes.
    """
    from scipy.spatial.distance import cdist

    (rn, rc), (qn, qc) = reference, queries
    nref, nq = len(rn), len(qn)  # encode gives both parts every row, even with no columns
    k = max(1, min(k, nref))
    out = np.empty((nq, k))
    step = max(1, block_cells // max(1, nref))
    for start in range(0, nq, step):
        stop = min(nq, start + step)
        d = cdist(qn[start:stop], rn, "cityblock") if rn.shape[1] else np.zeros((stop - start, nref))
        for j in range(rc.shape[1]):
            d += qc[start:stop, j, None] != rc[None, :, j]
        part = np.partition(d, k - 1, axis=1)[:, :k] if k < nref else d
        out[start:stop] = np.sort(part, axis=1)[:, :k]
    return out


def row_keys(frames, columns) -> list[np.ndarray]:
    """One uint64 key per row of each frame: equal rows (over ``columns``) get equal keys.

    Each column is factorized over all frames together (missing values are a value), and the
    codes of a row are hashed; values compare as pandas compares them (1 equals 1.0).
    """
    sizes = [len(f) for f in frames]
    codes = {}
    for c in columns:
        both = pd.concat([f[c] for f in frames], ignore_index=True)
        if both.dtype == object:
            both = both.astype(str).where(both.notna(), None)
        codes[c] = pd.factorize(both, use_na_sentinel=False)[0]
    keys = pd.util.hash_pandas_object(pd.DataFrame(codes), index=False).to_numpy() if codes else np.zeros(sum(sizes), np.uint64)
    return np.split(keys, np.cumsum(sizes)[:-1])
