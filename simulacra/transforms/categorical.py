"""Categorical and boolean columns, encoded without one-hot blow-up.

Each category (missing values are a category of their own) owns an interval of (0, 1) whose
width is its frequency. A value is encoded as a point inside its category's interval, spread
evenly by its rank among the rows of that category, so the encoded column is uniform on (0, 1)
and the encoding is deterministic. Decoding looks a number up among the intervals, so samples only
ever contain learned categories, with the learned frequencies. Memory is O(number of categories).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from ..utils.dtypes import as_dtype
from ..utils.values import plain_values, to_jsonable
from .base import ColumnTransform


class CategoricalTransform(ColumnTransform):
    """Categories (missing values a category of their own) as points of their frequency interval in (0, 1).

    One output of kind ``OutputKind.CATEGORY`` whose spec carries the learned probability of each
    category (see the module docstring).

    Parameters
    ----------
    column : str
    max_distinct_share : float, default 0.95
        A column with more distinct values than this share of its rows (and at least
        ``min_rows_for_check`` rows) is refused: it is an id, text or PII, not a category.
    min_rows_for_check : int, default 1000
    """

    sdtype = "categorical"

    def __init__(self, column, max_distinct_share: float = 0.95, min_rows_for_check: int = 1000):
        super().__init__(column)
        self.max_distinct_share = max_distinct_share
        self.min_rows_for_check = min_rows_for_check

    def fit(self, series: pd.Series):
        s = series
        if s.dtype == object:
            s = plain_values(s)
        nonnull = s.dropna()
        if nonnull.empty:
            raise InvalidDataError(f"column {self.column!r} has no values (all missing); drop it or fill it")
        counts = nonnull.value_counts(sort=False)
        if len(nonnull) >= self.min_rows_for_check and len(counts) > self.max_distinct_share * len(nonnull):
            raise InvalidDataError(
                f"column {self.column!r} is declared {self.sdtype} but {len(counts):,} of its {len(nonnull):,} "
                "values are distinct, so a synthesizer could only copy real values; declare it 'id', "
                "'text' or a PII sdtype (e.g. 'email') in the metadata"
            )
        # deterministic order: most frequent first, ties by string form
        keys = [to_jsonable(k) for k in counts.index]
        order = sorted(range(len(keys)), key=lambda i: (-int(counts.iloc[i]), str(keys[i])))
        self.categories = [keys[i] for i in order]
        freq = [int(counts.iloc[i]) for i in order]
        n_missing = int(s.isna().sum())
        self.has_missing = n_missing > 0
        if self.has_missing:
            self.categories.append(None)
            freq.append(n_missing)
        self.probabilities = np.asarray(freq, dtype=float) / float(len(s))
        from .datetime import _dtype_name

        self.dtype = _dtype_name(series.dtype)
        if isinstance(s.dtype, pd.CategoricalDtype):
            self.dtype = "category"
            self.dtype_categories = [to_jsonable(c) for c in s.dtype.categories]
        else:
            self.dtype_categories = None
        self.output_names = [self.column]
        self.output_kinds = ["uniform01"]
        return self

    def reorder(self, order) -> None:
        """Put the categories in a new order (a permutation of their indices)."""
        order = [int(i) for i in order]
        if sorted(order) != list(range(len(self.categories))):
            raise ValueError("order must be a permutation of the category indices")
        self.categories = [self.categories[i] for i in order]
        self.probabilities = self.probabilities[order]

    def codes_of(self, series: pd.Series) -> np.ndarray:
        """The category code (position in ``categories``) of each value; unseen values are an error."""
        # positions in self.categories (None may sit anywhere after reorder)
        where = np.array([i for i, c in enumerate(self.categories) if c is not None], dtype=np.int64)
        lookup = pd.Index([self.categories[i] for i in where])
        if series.dtype == object:
            series = plain_values(series)
        found = lookup.get_indexer(pd.Index(series))
        codes = np.where(found >= 0, where[np.maximum(found, 0)] if len(where) else -1, -1)
        missing = series.isna().to_numpy()
        if self.has_missing:
            codes[missing] = self.categories.index(None)
        bad = (codes < 0) & ~missing
        if bad.any():
            ex = series[bad].iloc[0]
            raise InvalidDataError(f"column {self.column!r}: value {ex!r} was not seen when fitting")
        if (codes < 0).any():
            raise InvalidDataError(f"column {self.column!r}: missing values were not seen when fitting")
        return codes

    def forward(self, series):
        codes = self.codes_of(series)
        n = len(codes)
        upper = np.cumsum(self.probabilities)
        start = upper - self.probabilities
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]
        counts = np.bincount(codes, minlength=len(self.categories))
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.empty(n, dtype=float)
        rank[order] = np.arange(n) - first[sorted_codes]
        width = self.probabilities[codes]
        u = start[codes] + (rank + 0.5) / np.maximum(counts[codes], 1) * width
        return u[:, None]

    def output_specs(self):
        """One category output with the learned probability of each code."""
        from .spec import OutputSpec

        return [OutputSpec(self.output_names[0], self.column, self.output_kinds[0], probabilities=self.probabilities)]

    def decode_codes(self, u: np.ndarray) -> np.ndarray:
        """Category codes of encoded values (as ``OutputSpec.codes``)."""
        upper = np.cumsum(self.probabilities)
        upper[-1] = np.inf
        return np.searchsorted(upper, np.clip(u, 0.0, 1.0), side="right").clip(0, len(self.categories) - 1)

    def inverse(self, values, rng, positions, run_state=None):
        codes = self.decode_codes(values[:, 0])
        cats = np.empty(len(self.categories), dtype=object)
        cats[:] = self.categories
        out = cats[codes]
        return _restore_object(self.column, out, self.dtype, self.dtype_categories)

    def get_state(self):
        st = super().get_state()
        st.update(
            categories=self.categories,
            probabilities=self.probabilities,
            has_missing=self.has_missing,
            dtype=self.dtype,
            dtype_categories=self.dtype_categories,
        )
        return st

    def set_state(self, st):
        super().set_state(st)
        self.categories = list(st["categories"])
        self.probabilities = np.asarray(st["probabilities"], dtype=float)
        if len(self.probabilities) != len(self.categories) or len(self.categories) == 0:
            raise ValueError("categories and probabilities differ in length")
        if (
            self.probabilities.ndim != 1
            or not np.all(np.isfinite(self.probabilities))
            or (self.probabilities < 0).any()
        ):
            raise ValueError("probabilities must be finite and non-negative")
        if abs(float(self.probabilities.sum()) - 1.0) > 1e-6:
            raise ValueError(f"probabilities must sum to 1 (they sum to {float(self.probabilities.sum()):.6g})")
        if len(self.output_names) != 1:
            raise ValueError("a categorical column has exactly one output")
        self.has_missing = bool(st["has_missing"])
        if self.categories.count(None) != int(self.has_missing):
            raise ValueError("has_missing does not match the categories")
        if len({(type(c), c) for c in self.categories}) != len(self.categories):
            raise ValueError("categories repeat")
        self.dtype = str(st["dtype"])
        self.dtype_categories = st["dtype_categories"]
        if self.dtype_categories is not None and not isinstance(self.dtype_categories, list):
            raise ValueError("dtype_categories must be a list")
        for c in self.categories + list(self.dtype_categories or []):
            if c is not None and not isinstance(c, (str, int, float, bool)):
                raise ValueError("categories must be JSON scalars")
        from ._state_checks import check_categories_fit, check_value_dtype

        check_value_dtype(self.dtype, "dtype")
        check_categories_fit(self.categories, self.dtype)
        if self.dtype == "category" and not set(c for c in self.categories if c is not None) <= set(
            self.dtype_categories or []
        ):
            raise ValueError("categories missing from dtype_categories would be sampled as missing values")


class BooleanTransform(CategoricalTransform):
    """Booleans (True/False, 0/1, 'yes'/'no', ...) are categories with their dtype restored."""

    sdtype = "boolean"

    def fit(self, series):
        nonnull = series.dropna()
        if nonnull.nunique() > 2:
            vals = ", ".join(repr(v) for v in nonnull.unique()[:4])
            raise InvalidDataError(
                f"boolean column {self.column!r} has more than two distinct values ({vals}); declare it 'categorical'"
            )
        return super().fit(series)


def _restore_object(name, out: np.ndarray, dtype: str, dtype_categories) -> pd.Series:
    s = pd.Series(out, name=name, dtype=object)
    if dtype == "category":
        return s.astype(pd.CategoricalDtype(categories=dtype_categories))
    if dtype == "object":
        return s.where(s.notna(), np.nan) if s.isna().any() else s
    try:
        dt = as_dtype(dtype)
    except TypeError:
        return s
    if isinstance(dt, np.dtype) and dt.kind in "iub" and s.isna().any():
        nullable = {"i": "Int64", "u": "UInt64", "b": "boolean"}[dt.kind]
        return s.astype(nullable)
    if isinstance(dt, np.dtype) and dt.kind == "f":
        return s.astype(float).astype(dt)
    try:
        return s.astype(dt)
    except (TypeError, ValueError):
        return s
