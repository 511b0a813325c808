"""``TableTransformer``: one reversible transform per column, chosen from the metadata."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ModelFileError
from ..metadata.detection import learnable_kind
from ..metadata.sdtypes import is_pii
from .base import ColumnTransform
from .categorical import BooleanTransform, CategoricalTransform
from .datetime import DatetimeTransform
from .generated import IdTransform, PIITransform, TextTransform
from .numerical import NumericalTransform

TRANSFORMS = {
    "NumericalTransform": NumericalTransform,
    "CategoricalTransform": CategoricalTransform,
    "BooleanTransform": BooleanTransform,
    "DatetimeTransform": DatetimeTransform,
    "IdTransform": IdTransform,
    "PIITransform": PIITransform,
    "TextTransform": TextTransform,
}


def transform_for(column: str, meta: dict, enforce_min_max_values=True, enforce_rounding=True, locales=None, pseudonymize_key=None) -> ColumnTransform:
    sdtype = meta["sdtype"]
    if sdtype == "numerical":
        return NumericalTransform(column, meta.get("computer_representation"), enforce_min_max_values, enforce_rounding)
    if sdtype == "categorical":
        return CategoricalTransform(column)
    if sdtype == "boolean":
        return BooleanTransform(column)
    if sdtype == "datetime":
        return DatetimeTransform(column, meta.get("datetime_format"), enforce_min_max_values)
    if sdtype == "id":
        return IdTransform(column, meta.get("regex_format"))
    if sdtype == "text":
        return TextTransform(column, locales)
    if is_pii(sdtype, meta) or sdtype == "unknown":
        return PIITransform(column, sdtype, locales, pseudonymize_key)
    # a PII sdtype the user marked pii=False: learn it as categorical
    return CategoricalTransform(column)


class TableTransformer:
    """Fit per-column transforms; map a table to a float matrix and back."""

    def __init__(self, columns_meta: dict, enforce_min_max_values=True, enforce_rounding=True, locales=None, pseudonymize_key=None):
        self.columns = list(columns_meta)
        self.transforms = [
            transform_for(c, m, enforce_min_max_values, enforce_rounding, locales, pseudonymize_key) for c, m in columns_meta.items()
        ]

    def fit(self, df: pd.DataFrame) -> "TableTransformer":
        for t in self.transforms:
            if df[t.column].dtype == object and df[t.column].notna().any():
                learnable_kind(t.column, df[t.column].dropna())  # nested values and bytes: an error naming the column
            t.fit(df[t.column])
        # an internal output name (e.g. "a#null") must not clash with a user column
        taken = set(self.columns)
        for t in self.transforms:
            for i, name in enumerate(t.output_names):
                if i == 0:
                    continue
                while name in taken:
                    name = name + "#"
                t.output_names[i] = name
                taken.add(name)
        return self

    @property
    def output_names(self) -> list[str]:
        return [n for t in self.transforms for n in t.output_names]

    @property
    def output_kinds(self) -> list[str]:
        return [k for t in self.transforms for k in t.output_kinds]

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        parts = [t.forward(df[t.column]) for t in self.transforms if t.output_names]
        if not parts:
            return np.empty((len(df), 0))
        return np.column_stack(parts).astype(float)

    def prepare(self, rng: np.random.Generator, num_rows: int | None = None) -> None:
        for t in self.transforms:
            if hasattr(t, "prepare"):
                t.prepare(rng, num_rows)

    def inverse(self, X: np.ndarray, rng: np.random.Generator, positions: np.ndarray) -> pd.DataFrame:
        out = {}
        j = 0
        n = X.shape[0]
        for t in self.transforms:
            k = len(t.output_names)
            col = t.inverse(X[:, j : j + k], rng, positions)
            out[t.column] = col.array if len(col) == n else col.reset_index(drop=True).array
            j += k
        return pd.DataFrame(out, columns=self.columns, copy=False)

    def get_state(self) -> dict:
        return {"columns": self.columns, "transforms": [{"type": type(t).__name__, "state": t.get_state()} for t in self.transforms]}

    @classmethod
    def from_state(cls, state: dict) -> "TableTransformer":
        obj = cls.__new__(cls)
        obj.columns = [str(c) for c in state["columns"]]
        obj.transforms = []
        for entry in state["transforms"]:
            typ = entry.get("type")
            if typ not in TRANSFORMS:
                raise ModelFileError(f"unknown transform type {typ!r} in model file")
            obj.transforms.append(TRANSFORMS[typ].from_state(entry["state"]))
        if [t.column for t in obj.transforms] != obj.columns:
            raise ModelFileError("model file: transforms do not match the columns")
        return obj
