"""The constraint protocol: fitting, checking, reshaping, sampling hooks and the model-file round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError, ModelFileError, ParameterError
from ..utils.dtypes import check_value_dtype
from ..utils.validation import check_bool


def run_store(ctx, key) -> dict:
    """The per-run dict that the sampling context ``ctx`` keeps under ``key``.

    ``ctx`` is duck-typed (constraints sit below the sampling layer): an object with a
    ``store(key) -> dict`` method (the sampling context), or a plain ``dict`` (``setdefault``).

    Parameters
    ----------
    ctx : object with ``store(key)``, or dict
        The run's sampling context.
    key : hashable
        The constraint's key (e.g. ``("unique", ("id",))``); equal keys share one store.

    Returns
    -------
    dict
        The same dict for the same ``ctx`` and ``key`` for the whole run.
    """
    store = getattr(ctx, "store", None)
    if callable(store):
        return store(key)
    if isinstance(ctx, dict):
        return ctx.setdefault(key, {})
    raise TypeError(f"a sampling context has a store(key) method, got {type(ctx).__name__}")


def _state_dtype(name) -> str:
    """A constraint's dtype name from a model file (``ValueError`` unless it holds whole values)."""
    return check_value_dtype(name, "constraint dtype")


def _flag(owner: str, name: str, value) -> bool:
    """A constructor's boolean argument: True or False (numpy's too); text such as "False" is refused."""
    try:
        return check_bool(name, value)
    except ParameterError as e:
        raise ConstraintError(f"{owner}: {e}") from None


class Constraint:
    """A rule on the rows of a table.

    Subclasses implement ``is_valid(data) -> bool array``; transform-based ones also
    ``transform`` (real table -> table the synthesizer learns), ``reverse_transform`` and
    ``transform_columns`` (how the column metadata changes). ``get_parameters`` gives the
    constructor arguments and ``get_state`` / ``set_state`` what ``fit`` learned: that is how
    registered (built-in) constraints are saved in model files (:meth:`_to_state`).

    A sampler treats every constraint alike through two hooks: :meth:`run_filter` (which rows of
    a drawn batch to keep) and :meth:`run_accept` (the rows it kept). Rules that look at more than
    one batch (:class:`Unique`) keep their per-run memory in the sampling context, never on the
    constraint, and say so with :attr:`tracks_run`.
    """

    @property
    def columns(self) -> list[str]:
        """The columns the rule reads."""
        return []

    @property
    def altered_columns(self) -> list[str]:
        """Columns that the synthesizer learns in a reshaped form (conditions on them are re-drawn)."""
        return self.columns if type(self).transform is not Constraint.transform else []

    @property
    def tracks_run(self) -> bool:
        """True when whether a row is kept depends on earlier batches of the run (see :meth:`run_filter`).

        A batch made alone then differs from that batch of a full run unless the sampler gives it
        the run's context as the batches before it left it.
        """
        return False

    def guaranteed_by(self, unique_columns) -> bool:
        """True when the rule always holds because the columns ``unique_columns`` are unique by construction.

        A sampler passes the columns it makes unique in any run (ids); a rule it guarantees is left
        out of the re-draw loop. Default False; :class:`Unique` is guaranteed when its columns
        include one of them.

        Parameters
        ----------
        unique_columns : iterable of str
            Columns whose values never repeat within a run.
        """
        return False

    def check_metadata(self, columns_meta: dict) -> None:
        """Raise a ConstraintError unless the metadata's sdtypes of the rule's columns can hold it.

        Called by ``add_constraints`` and again at ``fit``; nothing is checked by default.

        Parameters
        ----------
        columns_meta : dict
            ``{column: column metadata}`` of the table (every column the rule reads is in it).
        """

    def check_kinds(self, data: pd.DataFrame) -> None:
        """Raise a short ConstraintError unless the columns of ``data`` hold values the rule can read.

        Called by :meth:`check` before the rows are checked; nothing is checked by default.
        """

    def fit(self, data: pd.DataFrame, columns_meta: dict, check: bool = False) -> None:
        """Learn what the rule needs from ``data`` (the table as the constraints before it reshaped it).

        ``fit`` only learns: the synthesizer checks every rule on the real rows first, with
        :meth:`check`, before any rule reshapes the table, and then calls ``fit(data, columns_meta)``.
        A subclass may override it with that two-argument signature (``super().fit(data,
        columns_meta)`` learns what the class learns).

        Parameters
        ----------
        data : pandas.DataFrame
            The table.
        columns_meta : dict
            ``{column: column metadata}`` of ``data``.
        check : bool, default False
            Also :meth:`check` ``data`` first (for a direct call on a real table; the synthesizer
            never passes it).
        """
        if check:
            self.check(data)

    def check(self, data: pd.DataFrame) -> None:
        """Raise a ConstraintError unless every row of the real table ``data`` satisfies the rule."""
        missing = [c for c in self.columns if c not in data.columns]
        if missing:
            raise ConstraintError(f"{self}: column(s) {', '.join(map(repr, missing))} are not in the data")
        self.check_kinds(data)
        bad = ~np.asarray(self.is_valid(data), dtype=bool)
        if bad.any():
            raise ConstraintError(
                f"{self}: {int(bad.sum())} of the {len(data)} real rows break it "
                f"(e.g. row {int(np.flatnonzero(bad)[0])}); fix the data or drop the constraint"
            )

    def is_valid(self, data: pd.DataFrame) -> np.ndarray:
        """A boolean array: which rows of ``data`` satisfy the rule."""
        raise NotImplementedError

    def run_filter(self, data: pd.DataFrame, ctx) -> np.ndarray:
        """Which rows of a drawn batch to keep, in a sampling run with context ``ctx``.

        Parameters
        ----------
        data : pandas.DataFrame
            The decoded rows of one draw (after every ``reverse_transform``).
        ctx : object
            The run's sampling context (``ctx.store(key) -> dict``); unused by rules that look at
            one row at a time.

        Returns
        -------
        numpy.ndarray of bool
            ``is_valid(data)`` unless the rule tracks the run (:attr:`tracks_run`).
        """
        return np.asarray(self.is_valid(data), dtype=bool)

    def run_accept(self, data: pd.DataFrame, ctx) -> None:
        """Record the rows the sampler kept (``data``) in the run's context ``ctx``; nothing by default."""

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """The table the synthesizer learns (identity unless the rule is transform-based)."""
        return data

    def reverse_transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """Sampled rows of the learned table back in the real table's shape."""
        return data

    def transform_columns(self, columns_meta: dict) -> dict:
        """The column metadata of :meth:`transform`'s output."""
        return columns_meta

    def get_parameters(self) -> dict:
        """The constructor arguments."""
        return {}

    def get_state(self) -> dict:
        """What ``fit`` learned, as JSON values."""
        return {}

    def set_state(self, state: dict) -> None:
        """Restore what ``fit`` learned (checks it; ``ValueError`` naming the field when it is wrong)."""

    def _to_state(self) -> dict:
        """This constraint's model-file entry.

        ``{"class": name, "parameters": ..., "state": ...}`` for a registered class,
        ``{"custom": name, "columns": [...]}`` otherwise (a model file never holds code: custom rules
        are attached again after loading, matched by class name and columns).
        """
        from .registry import is_registered

        if is_registered(type(self)):
            return {"class": type(self).__name__, "parameters": self.get_parameters(), "state": self.get_state()}
        return {"custom": type(self).__name__, "columns": [str(c) for c in self.columns]}

    @classmethod
    def _from_state(cls, entry: dict) -> "Constraint":
        """A fitted constraint of this class from its model-file entry (see :meth:`_to_state`).

        Raises
        ------
        ModelFileError
            The parameters or the state are not objects, or the constructor refuses the parameters.
        ValueError
            ``set_state`` refuses the state (the loader names the file).
        """
        name = cls.__name__
        params = entry.get("parameters", {})
        if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
            raise ModelFileError(f"model file: constraint {name} parameters must be an object, got {params!r:.80}")
        state = entry.get("state") or {}
        if not isinstance(state, dict):
            raise ModelFileError(f"model file: constraint {name} state must be an object, got {state!r:.80}")
        try:
            c = cls(**params)
        except (TypeError, ConstraintError) as e:
            raise ModelFileError(f"model file: constraint {name} has bad parameters {params!r:.120}: {e}") from None
        c.set_state(state)
        return c

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        return f"{type(self).__name__}({params})"


class CustomConstraint(Constraint):
    """A user rule: subclass it and write ``is_valid`` (and optionally ``transform`` /
    ``reverse_transform``), or build one with :func:`create_custom_constraint_class`.

    Custom constraints are not saved in model files (a model file never holds code): after
    :meth:`load`, attach them again with ``synthesizer.add_constraints([...])``.

    Parameters
    ----------
    column_names : list of str, optional
        The columns the rule reads.
    **kwargs
        Passed to the rule's functions.
    """

    def __init__(self, column_names=None, **kwargs):
        self.column_names = list(column_names or [])
        self.kwargs = kwargs

    @property
    def columns(self):
        return self.column_names

    def get_parameters(self):
        return {"column_names": self.column_names, **self.kwargs}


class MissingCustom(Constraint):
    """Placeholder for a custom constraint that a loaded model needs attached again.

    It keeps the rule's place in the chain; it lets every row through and reshapes nothing, and
    a synthesizer refuses to sample while one is left (``missing_custom_names`` of
    :func:`~simulacra.constraints.constraints_from_state`).

    Parameters
    ----------
    class_name : str
        The custom constraint's class name, as the model file holds it.
    saved_columns : list of str, optional
        The columns the custom constraint read (None for files that did not record them): the
        constraint attached again must read the same ones.
    """

    def __init__(self, class_name: str, saved_columns=None):
        self.class_name = str(class_name)
        self.saved_columns = None if saved_columns is None else [str(c) for c in saved_columns]

    def matches(self, constraint) -> bool:
        """True when ``constraint`` can take this placeholder's place: same class name (and columns, when saved)."""
        return type(constraint).__name__ == self.class_name and (
            self.saved_columns is None or [str(c) for c in constraint.columns] == self.saved_columns
        )

    def is_valid(self, data):
        return np.ones(len(data), dtype=bool)

    def _to_state(self):
        if self.saved_columns is None:
            return {"custom": self.class_name}
        return {"custom": self.class_name, "columns": list(self.saved_columns)}

    def __repr__(self):
        return f"MissingCustom({self.class_name!r})"


def create_custom_constraint_class(is_valid_fn, transform_fn=None, reverse_transform_fn=None):
    """SDV's factory: a constraint class from functions ``fn(column_names, data, **kwargs)``.

    Parameters
    ----------
    is_valid_fn : callable
        ``is_valid_fn(column_names, data, **kwargs) -> bool array``.
    transform_fn, reverse_transform_fn : callable, optional
        ``fn(column_names, data, **kwargs) -> DataFrame``: the table the synthesizer learns, and back.

    Returns
    -------
    type
        A :class:`CustomConstraint` subclass named after ``is_valid_fn``.
    """

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
    """A constraint from SDV 1's dict form ``{'constraint_class': ..., 'constraint_parameters': {...}}``.

    Parameters
    ----------
    d : Constraint or dict
        A constraint (returned as is) or its dict form; the class is looked up in the registry.

    Returns
    -------
    Constraint

    Raises
    ------
    ConstraintError
        Not a dict with ``constraint_class``, an unknown class name, or parameters it refuses.
    """
    from .registry import get_constraint_class

    if isinstance(d, Constraint):
        return d
    if not isinstance(d, dict) or "constraint_class" not in d:
        raise ConstraintError(f"a constraint is a Constraint object or a dict with 'constraint_class', got {d!r}")
    name = d["constraint_class"]
    cls = get_constraint_class(name)
    params = d.get("constraint_parameters", {}) or {}
    try:
        return cls(**params)
    except TypeError as e:
        raise ConstraintError(f"{name}: bad parameters {params!r}: {e}") from None
