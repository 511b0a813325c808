"""Constraints learned as one categorical column of codes: FixedCombinations and OneHot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError
from .base import Constraint, _state_dtype
from .kinds import require_sdtypes, require_values


class _CodedColumns(Constraint):
    """Several columns learned as one categorical column of codes (``_codes`` / ``_decode``)."""

    prefix = "#coded#"

    def __init__(self, column_names):
        if not isinstance(column_names, (list, tuple)) or len(column_names) < 2:
            raise ConstraintError(f"{type(self).__name__} needs a list of at least two column names")
        self.column_names = list(column_names)
        self.key = self.prefix + "#".join(self.column_names)

    @property
    def columns(self):
        return self.column_names

    def get_parameters(self):
        return {"column_names": self.column_names}

    def transform(self, data):
        out = data.drop(columns=self.column_names)
        out[self.key] = self._codes(data)
        return out

    def transform_columns(self, columns_meta):
        out = {c: m for c, m in columns_meta.items() if c not in self.column_names}
        out[self.key] = {"sdtype": "categorical"}
        return out

    def reverse_transform(self, data):
        codes = data[self.key].to_numpy().astype(np.int64)
        out = data.drop(columns=[self.key])
        for j, (c, values) in enumerate(zip(self.column_names, self._decode(codes))):
            col = pd.Series(values, index=data.index)
            try:
                col = col.astype(self.dtypes[j])
            except (TypeError, ValueError):
                pass
            out[c] = col
        return out


class FixedCombinations(_CodedColumns):
    """Only combinations of ``column_names`` seen in the real data.

    Transform-based: the columns are learned as one categorical column of their combinations.

    Parameters
    ----------
    column_names : list of str
        At least two columns.
    """

    prefix = "#combination#"

    def fit(self, data, columns_meta, check=False):
        missing = [c for c in self.columns if c not in data.columns]
        if missing:
            raise ConstraintError(f"{self}: column(s) {', '.join(map(repr, missing))} are not in the data")
        combos = self._plain(data).drop_duplicates()
        self.combos = [list(row) for row in combos.itertuples(index=False)]
        self.dtypes = [str(data[c].dtype) for c in self.column_names]
        self.meta = [dict(columns_meta[c]) for c in self.column_names]
        super().fit(data, columns_meta, check)

    def _plain(self, data) -> pd.DataFrame:
        """The columns as JSON values (what the model file stores): timestamps become text."""
        from ..utils.values import plain_values

        out = {}
        for c in self.column_names:
            col = data[c]
            if pd.api.types.is_datetime64_any_dtype(col.dtype):
                # str() of each distinct timestamp (few: sampled ones come from the known combinations)
                codes, uniques = pd.factorize(col)
                text = np.array([str(v) for v in uniques] + [None], dtype=object)
                col = pd.Series(text[codes], index=col.index, dtype=object)
            elif col.dtype == object:
                col = plain_values(col)
            out[c] = col.astype(object).where(col.notna(), None)
        return pd.DataFrame(out, index=data.index)

    def _codes(self, data) -> np.ndarray:
        keys = pd.MultiIndex.from_frame(self._plain(data))
        known = pd.MultiIndex.from_tuples([tuple(c) for c in self.combos])
        return known.get_indexer(keys)

    def is_valid(self, data):
        if not hasattr(self, "combos"):
            return np.ones(len(data), dtype=bool)
        return self._codes(data) >= 0

    def _decode(self, codes):
        table = np.array(self.combos, dtype=object)[codes]
        return [table[:, j] for j in range(len(self.column_names))]

    def get_state(self):
        return {"combos": self.combos, "dtypes": self.dtypes, "meta": self.meta}

    def set_state(self, st):
        self.combos = [list(r) for r in st["combos"]]
        self.dtypes = [_state_dtype(d) for d in st["dtypes"]]
        self.meta = list(st["meta"])
        if len(self.dtypes) != len(self.column_names) or any(len(r) != len(self.column_names) for r in self.combos):
            raise ValueError(f"the saved combinations do not have one value per column of {self.column_names}")


class OneHot(_CodedColumns):
    """Exactly one of ``column_names`` is 1 in each row (learned as one categorical column).

    Parameters
    ----------
    column_names : list of str
        At least two 0/1 columns.
    """

    prefix = "#onehot#"

    def check_metadata(self, columns_meta):
        require_sdtypes(self, columns_meta, self.columns, ("numerical", "boolean", "categorical"))

    def check_kinds(self, data):
        require_values(self, data, self.columns, ("number",), "; OneHot needs 0/1 columns")

    def fit(self, data, columns_meta, check=False):
        super().fit(data, columns_meta, check)
        self.dtypes = [str(data[c].dtype) for c in self.column_names]

    def is_valid(self, data):
        m = data[self.column_names].astype(float).to_numpy()
        return (np.isin(m, [0.0, 1.0]).all(axis=1)) & (m.sum(axis=1) == 1)

    def _codes(self, data):
        return data[self.column_names].astype(float).to_numpy().argmax(axis=1)

    def _decode(self, codes):
        return [(codes == j).astype(np.int64) for j in range(len(self.column_names))]

    def get_state(self):
        return {"dtypes": self.dtypes}

    def set_state(self, st):
        self.dtypes = [_state_dtype(d) for d in st["dtypes"]]
        if len(self.dtypes) != len(self.column_names):
            raise ValueError(f"the saved dtypes do not have one entry per column of {self.column_names}")
