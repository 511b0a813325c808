"""Learned rules: the base class, the family order and :func:`discover_rules`.

A *family* module (``derived``, ``clock``, ``grids``, ``missing``, ``categorical``,
``inequality``) exposes ``discover(data, columns_meta, skip) -> list[Constraint]``: the rules that
hold on every real row, never reading a column in ``skip``. :func:`discover_rules` runs the
families in :data:`FAMILIES` order; the columns a family's rules consume are skipped by the
families after it.
"""

from __future__ import annotations

import importlib

import pandas as pd

from ...errors import ConstraintError
from ..base import Constraint

#: The families in chain order (a family module missing from the package is skipped).
FAMILIES: tuple[str, ...] = ("derived", "clock", "grids", "missing", "lookup", "categorical", "inequality")


class LearnedRule(Constraint):
    """A rule discovered on the real table (see :func:`discover_rules`).

    Subclasses set ``family`` and implement ``is_valid`` (on the raw table), ``transform`` /
    ``reverse_transform`` (raw at the chain boundary; ``reverse_transform(transform(x))`` satisfies
    the rule on every row) and :meth:`describe`.
    """

    learned = True
    family = ""
    #: True when ``transform`` re-represents its columns in place (clock minutes, grid index):
    #: order comparisons with other columns do not hold there, so the inequality family skips them.
    reshapes_in_place = False

    @property
    def consumed_columns(self) -> list[str]:
        """Columns that ``transform`` drops (computed again by ``reverse_transform``)."""
        return []

    def describe(self) -> str:
        """One line a user reads, e.g. ``"hour == sched_dep_time // 100"``."""
        return repr(self)

    def value_range(self, column: str):
        """``(low, high)`` of the raw values the rule can give ``column`` after fit, or None when it
        does not bound it (a condition outside it is impossible)."""
        return None

    def repair(self, data: pd.DataFrame) -> pd.DataFrame:
        """``data`` with the rule enforced on every row: ``reverse_transform(transform(data))``.

        Parameters
        ----------
        data : pandas.DataFrame
            Rows in the raw representation (e.g. sampled by a values-path synthesizer).

        Returns
        -------
        pandas.DataFrame
            The rows, each satisfying the rule.
        """
        return self.reverse_transform(self.transform(data))


def float_values(s: pd.Series):
    """A column's values as float (NaN where missing or not a number): what the numeric rules read."""
    import numpy as np

    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def as_column(values, dtype, index) -> pd.Series:
    """Float ``values`` (NaN = missing) as a column of ``dtype``: numpy integer dtypes stay float
    where a value is missing; pandas' nullable ones (``Int64``) hold the missing values as ``<NA>``."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    dtype = pd.api.types.pandas_dtype(dtype)
    col = pd.Series(values, index=index)
    if np.isnan(values).any() and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return col
    if pd.api.types.is_integer_dtype(dtype):
        col = col.round()
    return col.astype(dtype)


def family_module(name: str):
    """The module of family ``name``, or None when it is not in the package (yet)."""
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ModuleNotFoundError as e:
        if e.name == f"{__package__}.{name}":
            return None
        raise


def discover_rules(data: pd.DataFrame, columns_meta: dict, skip=(), families=None) -> list[Constraint]:
    """The deterministic rules that hold on every row of the real table ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
        The real table (raw representation).
    columns_meta : dict
        ``{column: column metadata}`` (at least ``{"sdtype": ...}`` per column).
    skip : iterable of str, default ()
        Columns no rule may read (keys, ids, PII, user-constraint columns).
    families : iterable of str, optional
        The families to run (default: all of :data:`FAMILIES`, in that order).

    Returns
    -------
    list of Constraint
        Unfitted learned rules in chain order (each with ``learned = True``, ``family`` and ``describe()``).

    Raises
    ------
    ConstraintError
        ``data`` is not a DataFrame, or a family name is unknown.
    """
    if not isinstance(data, pd.DataFrame):
        raise ConstraintError(f"discover_rules needs a pandas DataFrame, got {type(data).__name__}")
    if families is None:
        names = FAMILIES
    else:
        names = tuple([families] if isinstance(families, str) else families)
        unknown = [f for f in names if f not in FAMILIES]
        if unknown:
            raise ConstraintError(f"unknown rule family {unknown[0]!r}; the families are: {', '.join(FAMILIES)}")
        names = tuple(f for f in FAMILIES if f in names)
    meta = {c: m for c, m in (columns_meta or {}).items() if c in data.columns}
    skipped = frozenset(skip) | frozenset(c for c in data.columns if c not in meta)
    rules: list[Constraint] = []
    reshaped: frozenset = frozenset()
    for name in names:
        module = family_module(name)
        if module is None:
            continue
        try:
            found = module.discover(data, meta, skipped | reshaped if name == "inequality" else skipped)
        except (TypeError, ValueError, AttributeError, OverflowError, KeyError):
            found = []  # values a family cannot read (mixed time zones, odd objects): it rules nothing here
        for rule in found:
            skipped = skipped | frozenset(getattr(rule, "consumed_columns", []))
            if getattr(rule, "reshapes_in_place", False):
                reshaped = reshaped | frozenset(rule.columns)
        rules.extend(found)
    return rules
