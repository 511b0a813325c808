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

    Numerical and datetime columns are scaled by their real range; categories are one-hot
    encoded with weight 1/2 (a mismatch costs 1); the 20 most frequent categories of a column are
    kept, the others share one code (so two rare values count as equal). Missing values are a category of their own (numerical:
    distance 1 to any value, 0 to another missing value).
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
                self.spec[c] = ("cat", list(top))

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        parts = []
        for c in self.cols:
            spec = self.spec[c]
            if spec[0] == "num":
                v = (_numeric_view(df[c], self.meta[c]) - spec[1]) / spec[2]
                miss = np.isnan(v)
                # a missing value sits 1 away from every value and 0 from another missing value
                parts.append(np.where(miss, 0.0, np.clip(v, -1, 2))[:, None])
                parts.append(miss.astype(float)[:, None])
            else:
                vals = df[c].astype(object).where(df[c].notna(), "__missing__")
                codes = pd.Index(spec[1]).get_indexer(pd.Index(vals))
                k = len(spec[1]) + 1
                codes = np.where(codes < 0, k - 1, codes)
                onehot = np.zeros((len(df), k))
                onehot[np.arange(len(df)), codes] = 0.5
                parts.append(onehot)
        if not parts:
            return np.zeros((len(df), 1))
        return np.hstack(parts)

    @property
    def n_columns(self) -> int:
        return max(1, len(self.cols))


def nearest(reference: np.ndarray, queries: np.ndarray, k: int = 1) -> np.ndarray:
    """L1 distances from each query to its ``k`` nearest reference points, shape (n, k)."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(reference))
    nn = NearestNeighbors(n_neighbors=k, metric="manhattan", algorithm="brute", n_jobs=1).fit(reference.astype(np.float32))
    dist, _ = nn.kneighbors(queries.astype(np.float32))
    return dist


def row_hashes(df: pd.DataFrame, columns) -> pd.Series:
    return pd.util.hash_pandas_object(df[columns].astype(str), index=False)
