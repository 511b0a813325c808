"""The reversible column transform protocol.

A transform is fit on one real column and maps it to zero or more float columns (``forward``);
``inverse`` maps float columns produced by a synthesizer back to a column of the input's dtype.
Columns that are not learned (ids, PII, free text) have no float columns: ``inverse`` generates
them. Every transform can describe itself as plain data (``get_state``) and be rebuilt from it
(``from_state``), which is how model files store them: no pickling.

Each float output is described by an :class:`~simulacra.transforms.spec.OutputSpec`
(:meth:`ColumnTransform.output_specs`): its kind (:class:`~simulacra.transforms.spec.OutputKind`),
the probabilities of its categories, its enforced bounds. Models read those, never the classes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ModelFileError


#: the output kinds a model file may name (the values of :class:`~simulacra.transforms.spec.OutputKind`)
OUTPUT_KINDS = {"continuous", "discrete", "uniform01", "null"}


def check_rate(x, what: str = "null_rate") -> float:
    """A share in [0, 1] (ValueError otherwise); used when restoring states."""
    x = float(x)
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"{what} must be in [0, 1], got {x}")
    return x


def check_bounds(lo, hi) -> tuple[float, float]:
    """Finite, ordered learned bounds (ValueError otherwise)."""
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"min and max must be finite, got {lo} and {hi}")
    if lo > hi:
        raise ValueError(f"min ({lo}) is greater than max ({hi})")
    return lo, hi


class ColumnTransform:
    """A reversible transform of one column (the protocol every transform follows; see the module docstring).

    Parameters
    ----------
    column : str
        The table column it transforms.

    Attributes
    ----------
    output_names : list of str
        Names of its float outputs (empty for generated columns).
    output_kinds : list of str
        The kind of each output (an :class:`~simulacra.transforms.spec.OutputKind` value); what
        models read is :meth:`output_specs`.
    """

    sdtype = "unknown"

    def __init__(self, column: str):
        self.column = column
        self.output_names: list[str] = []
        self.output_kinds: list[str] = []

    # -- learning ---------------------------------------------------------
    def fit(self, series: pd.Series) -> "ColumnTransform":
        """Learn the column ``series``; returns self.

        Raises
        ------
        InvalidDataError
            For values the transform cannot learn (all missing, infinite, of mixed types ...).
        """
        raise NotImplementedError

    def forward(self, series: pd.Series) -> np.ndarray:
        """The float outputs of ``series``: an array of shape ``(len(series), len(output_names))``."""
        return np.empty((len(series), 0))

    def inverse(self, values: np.ndarray, rng: np.random.Generator, positions: np.ndarray, run_state=None) -> pd.Series:
        """Column of ``len(positions)`` values from float outputs (``values`` may have 0 columns).

        ``positions`` are the global row numbers of the rows in the batch (used by ids to stay
        unique across batches); ``run_state`` is what :meth:`new_run_state` made for this run.
        """
        raise NotImplementedError

    # -- what the outputs are (read by models) -----------------------------
    #: the column's values depend on the rows' global positions (ids): regenerated once a run's rows are final
    positional = False

    def output_specs(self) -> list:
        """One :class:`~simulacra.transforms.spec.OutputSpec` per float output."""
        from .spec import OutputSpec

        return [OutputSpec(n, self.column, k) for n, k in zip(self.output_names, self.output_kinds)]

    def codes_of(self, series: pd.Series) -> np.ndarray:
        """Category codes of ``series`` (columns encoded as categories only; ValueError otherwise)."""
        raise ValueError(f"column {self.column!r} ({self.sdtype}) is not encoded as categories")

    def reorder(self, order) -> None:
        """Put the categories in a new order (columns encoded as categories only; ValueError otherwise)."""
        raise ValueError(f"column {self.column!r} ({self.sdtype}) has no categories to reorder")

    def new_run_state(self, rng: np.random.Generator, num_rows: int | None = None):
        """Per-run state drawn once per sampling run (ids' permutations); None when there is none.

        It is passed back to :meth:`inverse` explicitly and never kept on the transform, so one
        fitted transform serves concurrent runs, and one batch can be decoded alone.
        """
        return None

    def known_series(self, value) -> pd.Series:
        """A one-row Series of a condition's ``value``, as :meth:`forward` reads the column."""
        if isinstance(value, pd.Timestamp):
            return pd.Series(pd.to_datetime([value]))
        numeric = isinstance(value, (int, float, np.number))
        return pd.Series([value], dtype=None if numeric else object)

    # -- persistence --------------------------------------------------------
    def get_state(self) -> dict:
        """Plain data (JSON values and numpy arrays) that rebuilds this transform."""
        return {"column": self.column, "output_names": self.output_names, "output_kinds": self.output_kinds}

    def set_state(self, state: dict) -> None:
        """Restore from :meth:`get_state`'s dict, checking every field (ValueError, KeyError or TypeError otherwise)."""
        self.column = state["column"]
        self.output_names = list(state["output_names"])
        self.output_kinds = list(state["output_kinds"])
        if not isinstance(self.column, str) or not all(isinstance(n, str) for n in self.output_names):
            raise ValueError("column and output names must be text")
        if len(self.output_kinds) != len(self.output_names) or not set(self.output_kinds) <= OUTPUT_KINDS:
            raise ValueError(f"output kinds {self.output_kinds[:4]} do not match the outputs")

    @classmethod
    def from_state(cls, state: dict) -> "ColumnTransform":
        """A transform rebuilt from :meth:`get_state`'s dict; a ModelFileError naming the column if it is invalid."""
        obj = cls.__new__(cls)
        try:
            obj.set_state(state)
        except (KeyError, TypeError, ValueError, IndexError, OverflowError) as e:
            col = state.get("column") if isinstance(state, dict) else None
            where = f"column {col!r}" if isinstance(col, str) else "a column"
            raise ModelFileError(f"invalid state for {where} ({cls.__name__}): {type(e).__name__}: {e}") from None
        return obj


def missing_mask(series: pd.Series) -> np.ndarray:
    """Boolean array: which values of ``series`` are missing."""
    return series.isna().to_numpy()


def apply_missing(values: pd.Series, null_indicator: np.ndarray | None) -> pd.Series:
    """``values`` with missing values where the decoded null indicator is above 0.5 (unchanged without one)."""
    if null_indicator is None:
        return values
    mask = null_indicator > 0.5
    if mask.any():
        values = values.copy()
        values[mask] = None
    return values
