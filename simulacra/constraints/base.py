"""The constraint protocol."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError


class Constraint:
    """A rule on the rows of a table.

    Subclasses implement ``is_valid(data) -> bool array``; transform-based ones also
    ``transform`` (real table -> table the synthesizer learns), ``reverse_transform`` and
    ``transform_columns`` (how the column metadata changes). ``get_parameters`` gives the
    constructor arguments, which is how built-in constraints are saved in model files.
    """

    #: saved in model files by name (built-ins only)
    builtin = False

    @property
    def columns(self) -> list[str]:
        return []

    @property
    def altered_columns(self) -> list[str]:
        """Columns that the synthesizer learns in a reshaped form (conditions on them are re-drawn)."""
        return self.columns if type(self).transform is not Constraint.transform else []

    #: ``fit`` checks the rows it is given; a synthesizer that checked the real rows itself first
    #: (before earlier constraints reshaped them) turns this off while it fits the chain
    check_on_fit = True

    def fit(self, data: pd.DataFrame, columns_meta: dict) -> None:
        if self.check_on_fit:
            self.check(data)

    def check(self, data: pd.DataFrame) -> None:
        """Raise a ConstraintError unless every row of the real table ``data`` satisfies the rule."""
        missing = [c for c in self.columns if c not in data.columns]
        if missing:
            raise ConstraintError(f"{self}: column(s) {', '.join(map(repr, missing))} are not in the data")
        bad = ~np.asarray(self.is_valid(data), dtype=bool)
        if bad.any():
            raise ConstraintError(
                f"{self}: {int(bad.sum())} of the {len(data)} real rows break it (e.g. row {int(np.flatnonzero(bad)[0])}); "
                "fix the data or drop the constraint"
            )

    def is_valid(self, data: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        return data

    def reverse_transform(self, data: pd.DataFrame) -> pd.DataFrame:
        return data

    def transform_columns(self, columns_meta: dict) -> dict:
        return columns_meta

    def get_parameters(self) -> dict:
        return {}

    def get_state(self) -> dict:
        return {}

    def set_state(self, state: dict) -> None:
        pass

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        return f"{type(self).__name__}({params})"


class CustomConstraint(Constraint):
    """A user rule: subclass it and write ``is_valid`` (and optionally ``transform`` /
    ``reverse_transform``), or build one with :func:`create_custom_constraint_class`.

    Custom constraints are not saved in model files (a model file never holds code): after
    :meth:`load`, attach them again with ``synthesizer.add_constraints([...])``.
    """

    def __init__(self, column_names=None, **kwargs):
        self.column_names = list(column_names or [])
        self.kwargs = kwargs

    @property
    def columns(self):
        return self.column_names

    def get_parameters(self):
        return {"column_names": self.column_names, **self.kwargs}


def create_custom_constraint_class(is_valid_fn, transform_fn=None, reverse_transform_fn=None):
    """SDV's factory: a constraint class from functions ``fn(column_names, data, **kwargs)``."""

    class _Custom(CustomConstraint):
        def is_valid(self, data):
            return np.asarray(is_valid_fn(self.column_names, data, **self.kwargs), dtype=bool)

        def transform(self, data):
            return transform_fn(self.column_names, data, **self.kwargs) if transform_fn else data

        def reverse_transform(self, data):
            return reverse_transform_fn(self.column_names, data, **self.kwargs) if reverse_transform_fn else data

    _Custom.__name__ = getattr(is_valid_fn, "__name__", "CustomConstraint")
    return _Custom


def constraint_from_dict(d) -> Constraint:
    """A constraint from SDV 1's dict form ``{'constraint_class': ..., 'constraint_parameters': {...}}``."""
    from . import builtin

    if isinstance(d, Constraint):
        return d
    if not isinstance(d, dict) or "constraint_class" not in d:
        raise ConstraintError(f"a constraint is a Constraint object or a dict with 'constraint_class', got {d!r}")
    name = d["constraint_class"]
    cls = builtin.BUILTINS.get(name)
    if cls is None:
        raise ConstraintError(f"unknown constraint class {name!r}; built-ins: {', '.join(builtin.BUILTINS)}")
    params = d.get("constraint_parameters", {}) or {}
    try:
        return cls(**params)
    except TypeError as e:
        raise ConstraintError(f"{name}: bad parameters {params!r}: {e}") from None
