"""Row distances of the privacy metrics: a mixed-type Gower encoder, nearest neighbours and Gower sums in blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..utils.gower import embed, gower_sums, nearest  # noqa: F401 (re-exported)
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
