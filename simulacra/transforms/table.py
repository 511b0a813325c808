"""``TableTransformer``: one reversible transform per column, chosen from the metadata."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ModelFileError
from ..metadata.detection import learnable_kind
from ..metadata.sdtypes import is_pii
from ..utils.dtypes import as_dtype
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
    """The (unfitted) transform of ``column`` for its metadata ``meta`` (``{"sdtype": ..., ...}``)."""
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
    """Fit per-column transforms; map a table to a float matrix and back.

    Models read what it declares (:attr:`output_specs`, :attr:`column_specs`) and ask it for the
    operations they need (:meth:`category_codes`, :meth:`reorder_categories`, :meth:`encode_known`,
    :meth:`fill_generated`); they never look at the transforms themselves.

    Parameters
    ----------
    columns_meta : dict
        ``{column: column metadata}`` in table order.
    enforce_min_max_values, enforce_rounding : bool, default True
        Clip decoded values to the learned [min, max]; round them to the learned decimals.
    locales : list of str, optional
        Locales of the fake values of PII and text columns.
    pseudonymize_key : bytes, optional
        Key of the pseudonyms of PII columns (pseudonymization on).
    primary_key : str, optional
        The table's primary key. When it is a PII column (an e-mail, a phone number...), its values
        are made from the rows' global positions through a permutation drawn once per run, so no
        two rows of a run share one whatever the batches (ids are unique in any case).
    """

    def __init__(
        self,
        columns_meta: dict,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=None,
        pseudonymize_key=None,
        primary_key=None,
    ):
        self.columns = list(columns_meta)
        self.transforms = [
            transform_for(c, m, enforce_min_max_values, enforce_rounding, locales, pseudonymize_key)
            for c, m in columns_meta.items()
        ]
        self.primary_key = None if primary_key is None else str(primary_key)
        self._mark_key()

    def _mark_key(self) -> None:
        """Make the primary key's PII transform positional (unique values per run)."""
        for t in self.transforms:
            if isinstance(t, PIITransform) and not isinstance(t, TextTransform):
                t.is_key = t.column == self.primary_key

    def fit(self, df: pd.DataFrame) -> "TableTransformer":
        """Fit every column's transform on ``df``; returns self (InvalidDataError naming a column it cannot learn)."""
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
        """Names of the encoded matrix's columns (the same as ``[s.name for s in output_specs]``)."""
        return [n for t in self.transforms for n in t.output_names]

    @property
    def output_kinds(self) -> list[str]:
        """The kind of each output as stored in model files (``[s.kind.value for s in output_specs]``)."""
        return [k for t in self.transforms for k in t.output_kinds]

    def transform(self, df: pd.DataFrame, columns=None) -> np.ndarray:
        """The encoded float matrix of ``df``: one column per output, in :attr:`output_specs` order.

        Parameters
        ----------
        df : pandas.DataFrame
            A table with (at least) the learned columns.
        columns : list of str, optional
            Encode only these table columns (their outputs, in table order); all by default.

        Returns
        -------
        numpy.ndarray of shape (len(df), number of outputs)
        """
        keep = None if columns is None else set(columns)
        parts = [
            t.forward(df[t.column]) for t in self.transforms if t.output_names and (keep is None or t.column in keep)
        ]
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

    @property
    def learned_columns(self) -> list[str]:
        """Columns a model learns (they have outputs), in table order."""
        return [t.column for t in self.transforms if t.output_names]

    def _transform_of(self, column: str) -> ColumnTransform:
        by_column = getattr(self, "_by_column", None)
        if by_column is None or len(by_column) != len(self.transforms):  # built once (wide tables ask per column)
            by_column = self._by_column = {t.column: t for t in self.transforms}
        if column not in by_column:
            raise KeyError(f"no column {column!r} in the transformer")
        return by_column[column]

    # -- operations a model may ask for (data in, data out) -------------------
    def category_codes(self, df: pd.DataFrame, column: str) -> np.ndarray:
        """Category code (``0..k-1``, in the column's current order) of each value of ``df[column]``.

        Parameters
        ----------
        df : pandas.DataFrame
        column : str
            A column whose first output is of kind ``OutputKind.CATEGORY``.

        Returns
        -------
        numpy.ndarray of int64

        Raises
        ------
        InvalidDataError
            For a value (or a missing value) not seen when fitting.
        ValueError
            When the column is not encoded as categories.
        """
        return self._transform_of(column).codes_of(df[column])

    def reorder_categories(self, column: str, order) -> None:
        """Put the categories of ``column`` in a new order: code ``i`` becomes old code ``order[i]``.

        The category probabilities (and so the interval of each category in the encoded (0, 1)
        space) follow; :attr:`output_specs` made after the call describe the new order.

        Parameters
        ----------
        column : str
            A column whose first output is of kind ``OutputKind.CATEGORY``.
        order : sequence of int
            A permutation of ``0..k-1``.

        Raises
        ------
        ValueError
            When ``order`` is not a permutation, or the column is not encoded as categories.
        """
        self._transform_of(column).reorder(order)

    def fill_generated(
        self,
        values: pd.DataFrame,
        rng: np.random.Generator,
        positions: np.ndarray,
        run_state: dict,
        decode: bool = True,
    ) -> pd.DataFrame:
        """The table of a batch from the learned columns' values (for models that sample values).

        With ``decode`` (the default) the learned columns of ``values`` go through the same
        decoding as an encoded matrix (dtypes, formats, rounding, enforced bounds: they are
        encoded, then decoded); without it they are taken as they are. The generated columns
        (ids, PII, free text) are made by their transforms, as :meth:`inverse` makes them.

        Parameters
        ----------
        values : pandas.DataFrame
            One row per position, with (at least) every column of :attr:`learned_columns`.
        rng : numpy.random.Generator
        positions : numpy.ndarray
            Global row numbers of the batch's rows.
        run_state : dict
            From :meth:`new_run_state`.
        decode : bool, default True
            Encode and decode the learned values (False: keep them as they are).

        Returns
        -------
        pandas.DataFrame
            Every column, in table order.

        Raises
        ------
        InvalidDataError
            For a learned column that is absent, or a value the column cannot take (an unseen
            category, a value that does not parse).
        """
        from ..errors import InvalidDataError

        absent = [c for c in self.learned_columns if c not in values.columns]
        if absent:
            raise InvalidDataError(f"the sampled values lack the learned column(s) {', '.join(map(repr, absent[:5]))}")
        if len(values) != len(positions):
            raise InvalidDataError(f"{len(values)} rows of values for {len(positions)} positions")
        values = values.reset_index(drop=True)
        if decode:
            return self.inverse(self.transform(values, self.learned_columns), rng, positions, run_state)
        out = {}
        empty = np.empty((len(positions), 0))
        for t in self.transforms:
            if t.output_names:
                out[t.column] = _positional(values[t.column])
            else:
                col = t.inverse(empty, rng, positions, run_state.get(t.column))
                out[t.column] = _positional(_as_recorded(t, col))
        return pd.DataFrame(out, columns=self.columns, copy=False)

    def metadata_mismatch(self, columns_meta: dict) -> str | None:
        """What disagrees between these (restored) transforms and ``columns_meta``; None when they agree.

        Used when a model file is loaded: the columns must be the metadata's, and each column's
        transform the one :func:`transform_for` chooses for its metadata.
        """
        if self.columns != list(columns_meta):
            return f"the model's transforms cover {self.columns[:5]}, its metadata {list(columns_meta)[:5]}"
        for t in self.transforms:
            expected = type(transform_for(t.column, columns_meta[t.column]))
            if type(t) is not expected:
                return (
                    f"column {t.column!r} is {columns_meta[t.column].get('sdtype')} in the metadata but restored "
                    f"as a {type(t).__name__}"
                )
        return None

    def new_run_state(self, rng: np.random.Generator, num_rows: int | None = None) -> dict:
        """Per-run state of every transform that has one ({column: state}), drawn from ``rng`` once per run."""
        out = {}
        keys = []
        for t in self.transforms:
            if t.positional and isinstance(t, PIITransform):
                keys.append(t)  # drawn after the others, which keep the draws they had before keys were unique
                continue
            state = t.new_run_state(rng, num_rows)
            if state is not None:
                out[t.column] = state
        for t in keys:
            out[t.column] = t.new_run_state(rng, num_rows)
        return out

    def inverse(self, X: np.ndarray, rng: np.random.Generator, positions: np.ndarray, run_state: dict) -> pd.DataFrame:
        """The table of the float rows ``X`` (global row ``positions``), with ``run_state`` from :meth:`new_run_state`."""
        out = {}
        j = 0
        for t in self.transforms:
            k = len(t.output_names)
            col = t.inverse(X[:, j : j + k], rng, positions, run_state.get(t.column))
            out[t.column] = _positional(_as_recorded(t, col))
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
        """Plain data (JSON values and numpy arrays) that rebuilds the fitted transformer (:meth:`from_state`)."""
        return {
            "columns": self.columns,
            "primary_key": self.primary_key,
            "transforms": [{"type": type(t).__name__, "state": t.get_state()} for t in self.transforms],
        }

    def _to_state(self) -> dict:
        """The transformer's state as a component of a model file (the dict of :meth:`get_state`)."""
        return self.get_state()

    @classmethod
    def _from_state(cls, state: dict) -> "TableTransformer":
        """The transformer of :meth:`_to_state`'s dict (see :meth:`from_state`)."""
        return cls.from_state(state)

    @classmethod
    def from_state(cls, state: dict) -> "TableTransformer":
        """The transformer of :meth:`get_state`'s dict; a ModelFileError for unknown types or mismatched columns."""
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
        key = state.get("primary_key")  # files made before keys were unique have none
        if key is not None and (not isinstance(key, str) or key not in obj.columns):
            raise ModelFileError(f"model file: primary key {key!r} is not one of the columns")
        obj.primary_key = key
        obj._mark_key()
        return obj


def _positional(col: pd.Series) -> pd.Series:
    """``col`` on a 0..n-1 index, its dtype kept (pandas 3 would infer ``str`` from an object array of text)."""
    return pd.Series(col.array, index=pd.RangeIndex(len(col)), dtype=col.dtype, name=col.name, copy=False)


def _as_recorded(t, col: pd.Series) -> pd.Series:
    """A generated column (ids, PII, text) made as objects, in the text dtype the real column had (pandas 3's ``str``)."""
    name = getattr(t, "dtype", None)
    if col.dtype == object and isinstance(name, str) and (name == "str" or name.startswith("string")):
        return col.astype(as_dtype(name))
    return col
