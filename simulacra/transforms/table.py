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


def transform_for(
    column: str, meta: dict, enforce_min_max_values=True, enforce_rounding=True, locales=None, pseudonymize_key=None
) -> ColumnTransform:
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

    def __init__(
        self,
        columns_meta: dict,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=None,
        pseudonymize_key=None,
    ):
        self.columns = list(columns_meta)
        self.transforms = [
            transform_for(c, m, enforce_min_max_values, enforce_rounding, locales, pseudonymize_key)
            for c, m in columns_meta.items()
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

    @property
    def output_specs(self) -> list:
        """One :class:`~simulacra.transforms.spec.OutputSpec` per column of the encoded matrix."""
        return [spec for t in self.transforms for spec in t.output_specs()]

    @property
    def column_specs(self) -> list:
        """One :class:`~simulacra.transforms.spec.ColumnSpec` per table column, in order."""
        from .spec import ColumnSpec

        return [ColumnSpec(t.column, t.sdtype, tuple(t.output_specs()), t.positional) for t in self.transforms]

    @property
    def generated_columns(self) -> list[str]:
        """Columns no model learns (ids, PII, free text): made at decode time."""
        return [t.column for t in self.transforms if not t.output_names]

    def new_run_state(self, rng: np.random.Generator, num_rows: int | None = None) -> dict:
        """Per-run state of every transform that has one ({column: state}), drawn from ``rng`` once per run."""
        out = {}
        for t in self.transforms:
            state = t.new_run_state(rng, num_rows)
            if state is not None:
                out[t.column] = state
        return out

    def inverse(self, X: np.ndarray, rng: np.random.Generator, positions: np.ndarray, run_state: dict) -> pd.DataFrame:
        """The table of the float rows ``X`` (global row ``positions``), with ``run_state`` from :meth:`new_run_state`."""
        out = {}
        j = 0
        n = X.shape[0]
        for t in self.transforms:
            k = len(t.output_names)
            col = t.inverse(X[:, j : j + k], rng, positions, run_state.get(t.column))
            out[t.column] = col.array if len(col) == n else col.reset_index(drop=True).array
            j += k
        return pd.DataFrame(out, columns=self.columns, copy=False)

    def regenerate_positional(self, df: pd.DataFrame, rng: np.random.Generator, positions: np.ndarray, run_state: dict):
        """Remake the columns that depend on row positions (ids) for the final rows of a batch, in place."""
        empty = np.empty((len(positions), 0))
        for t in self.transforms:
            if t.positional and t.column in df.columns:
                df[t.column] = t.inverse(empty, rng, positions, run_state.get(t.column)).to_numpy()
        return df

    def encode_known(self, known: dict) -> dict:
        """{output index: encoded value} of the condition ``known`` ({column: value}).

        Raises ConstraintError for a value the model can never produce (an unseen category, a
        value outside the enforced [min, max]). Generated columns have no outputs and are skipped.
        """
        from ..errors import ConstraintError, InvalidDataError

        out = {}
        j = 0
        for t in self.transforms:
            specs = t.output_specs()
            k = len(specs)
            if t.column in known and k:
                v = known[t.column]
                try:
                    row = t.forward(t.known_series(v))[0]
                except (InvalidDataError, ValueError, TypeError) as e:
                    raise ConstraintError(f"impossible condition {t.column}={v!r}: {e}") from None
                for i in range(k):
                    if not np.isnan(row[i]):
                        out[j + i] = float(row[i])
                lo, hi = specs[0].low, specs[0].high
                if lo is not None and not np.isnan(row[0]):
                    if not lo - 1e-9 * max(1, abs(lo)) <= row[0] <= hi + 1e-9 * max(1, abs(hi)):
                        raise ConstraintError(
                            f"impossible condition {t.column}={v!r}: outside the learned range [{lo}, {hi}] "
                            "(enforce_min_max_values=True)"
                        )
            j += k
        return out

    def get_state(self) -> dict:
        return {
            "columns": self.columns,
            "transforms": [{"type": type(t).__name__, "state": t.get_state()} for t in self.transforms],
        }

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
