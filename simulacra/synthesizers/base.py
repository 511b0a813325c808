"""The base every synthesizer shares: ``fit(data)``, ``sample(num_rows, seed=)``, ``save``/``load``.

A synthesizer learns on the float matrix that the per-column transforms make of the table and
samples float matrices that the transforms turn back into a table. Sampling runs in batches of
bounded size; each batch draws from its own child of ``numpy.random.SeedSequence(seed)``, so the
same seed and batch size give the same rows, and memory does not grow with ``num_rows`` when the
rows go to a file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import InvalidDataError, MetadataError, ModelFileError, NotFittedError, ParameterError
from ..metadata import Metadata
from ..utils.progress import progress as _progress

DEFAULT_BATCH_CELLS = 4_000_000


def _as_metadata(metadata) -> Metadata:
    if isinstance(metadata, Metadata):
        return metadata
    if isinstance(metadata, dict):
        return Metadata.load_from_dict(metadata)
    # SDV objects expose to_dict(): accept them too
    if hasattr(metadata, "to_dict"):
        return Metadata.load_from_dict(metadata.to_dict())
    raise MetadataError(f"metadata must be a simulacra Metadata (or its dict), got {type(metadata).__name__}")


class BaseSynthesizer:
    """Common API of all single-table synthesizers.

    Parameters
    ----------
    metadata : Metadata
        What each column is (see :class:`simulacra.Metadata`).
    enforce_min_max_values : bool, default True
        Keep sampled numerical and datetime values within the learned [min, max].
    enforce_rounding : bool, default True
        Round sampled numbers to the number of decimals seen in the real data.
    locales : list of str, optional
        Locales of the fake values of PII columns (default ``['en_US']``).
    pseudonymize : bool, default False
        Replace each real PII value by a keyed pseudonym (the same real value always gives the
        same fake value under the same key) and sample from the pseudonyms with the real
        frequencies, instead of drawing new fake values.
    pseudonymize_key : str, optional
        The secret key (kept out of model files). Drawn at random when not given.
    """

    #: short name in the registry (``simulacra.synthesizers.available()``)
    name = "base"

    def __init__(
        self,
        metadata,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales=None,
        *,
        pseudonymize: bool = False,
        pseudonymize_key=None,
    ):
        from ._params import check_bool, check_locales

        self.metadata = _as_metadata(metadata)
        self.metadata.validate()
        self.enforce_min_max_values = check_bool("enforce_min_max_values", enforce_min_max_values)
        self.enforce_rounding = check_bool("enforce_rounding", enforce_rounding)
        self.locales = check_locales(locales)
        self.pseudonymize = check_bool("pseudonymize", pseudonymize)
        self._pseudonymize_key = pseudonymize_key
        self._fitted = False
        self._transformer = None
        self._constraints: list = []
        self._missing_custom: list[str] = []
        self.fitted_rows = 0

    # ------------------------------------------------------------------ parameters
    def get_parameters(self) -> dict:
        """The constructor arguments (except ``metadata``)."""
        return {
            "enforce_min_max_values": self.enforce_min_max_values,
            "enforce_rounding": self.enforce_rounding,
            "locales": self.locales,
            "pseudonymize": self.pseudonymize,
        }

    def get_metadata(self) -> Metadata:
        return self.metadata

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        state = "fitted" if self._fitted else "not fitted"
        return f"{type(self).__name__}({params}) [{state}]"

    # ------------------------------------------------------------------ data checks
    def _table_name(self) -> str:
        return self.metadata.table_name

    def _coerce_data(self, data) -> pd.DataFrame:
        if isinstance(data, dict):  # SDV 2: {table_name: DataFrame}
            if len(data) == 1:
                data = next(iter(data.values()))
            elif self._table_name() in data:
                data = data[self._table_name()]
            else:
                raise InvalidDataError(
                    f"got tables {', '.join(map(repr, data))}; this single-table synthesizer learns table {self._table_name()!r}"
                )
        if not isinstance(data, pd.DataFrame):
            raise InvalidDataError(
                f"data must be a pandas DataFrame (or {{table_name: DataFrame}}), got {type(data).__name__}"
            )
        if data.shape[1] == 0:
            raise InvalidDataError("the table has no columns")
        if len(data) == 0:
            raise InvalidDataError("the table has no rows; a synthesizer needs real rows to learn from")
        if len(data) < 2:
            raise InvalidDataError(
                "the table has a single row; a synthesizer needs at least 2 rows to learn distributions"
            )
        if not all(isinstance(c, str) for c in data.columns):
            data = data.rename(columns=str)
        if data.columns.duplicated().any():
            dup = data.columns[data.columns.duplicated()][0]
            raise InvalidDataError(f"column name {dup!r} appears more than once; rename the duplicates")
        return data

    def validate(self, data) -> None:
        """Check ``data`` against the metadata; raise a clear error if it does not fit."""
        df = self._coerce_data(data)
        self.metadata.validate_data(df, self._table_name())

    # ------------------------------------------------------------------ fitting
    def fit(self, data, seed=0) -> "BaseSynthesizer":
        """Learn the table ``data`` (a DataFrame, or SDV 2's ``{table_name: DataFrame}``).

        ``seed`` (int or SeedSequence, default 0) drives whatever is random in training (the
        neural synthesizers' weights and batches); the same data and seed give the same model.
        """
        from ..transforms import TableTransformer

        as_seed_sequence(seed)  # a bad seed fails here, not after the work
        self._fit_seed = seed

        df = self._coerce_data(data)
        self.metadata.validate_data(df, self._table_name())
        columns = self.metadata.get_columns(self._table_name())
        df = df[list(columns)]
        self._columns = list(columns)
        for c in self._constraints:  # every rule is checked on the real rows, as the user wrote them
            c.check(df)
        for c in self._constraints:  # then each is fitted on the table the ones before it reshaped
            c.check_on_fit = False
            try:
                c.fit(df, columns)
            finally:
                c.check_on_fit = True
            df = c.transform(df)
            columns = c.transform_columns(columns)
        key = None
        if self.pseudonymize:
            from ..fake.pseudonym import new_key

            key = self._pseudonymize_key or new_key()
        transformer = TableTransformer(columns, self.enforce_min_max_values, self.enforce_rounding, self.locales, key)
        transformer.fit(df)
        self._adapt_transforms(df, transformer)
        X = transformer.transform(df)
        self._transformer = transformer
        from .._threads import limit_threads_for

        with limit_threads_for(X.size):  # small tables: one thread (BLAS/OpenMP threads only fight)
            self._fit(X, transformer.output_names, transformer.output_kinds)
            self._adapt_after_fit(df, X, transformer.output_kinds)
        self.fitted_rows = len(df)
        self._fitted = True
        return self

    def _adapt_transforms(self, df: pd.DataFrame, transformer) -> None:
        """Hook: adjust fitted transforms to the data before the table is encoded."""

    def _fit(self, X: np.ndarray, names: list[str], kinds: list[str]) -> None:
        raise NotImplementedError

    def _adapt_after_fit(self, df: pd.DataFrame, X: np.ndarray, kinds: list[str]) -> None:
        """Hook: checks that need the fitted model and the real table (e.g. CART's copy check)."""

    # ------------------------------------------------------------------ constraints
    def add_constraints(self, constraints) -> None:
        """Add constraints (objects, or SDV 1 dicts ``{'constraint_class': ..., 'constraint_parameters': ...}``).

        Built-in constraints must be added before ``fit``. After ``load``, custom constraints the
        model was fitted with are attached again here (a model file never holds code).
        """
        from ..constraints import CustomConstraint, constraint_from_dict
        from ..errors import ConstraintError

        new = [
            constraint_from_dict(c) for c in (constraints if isinstance(constraints, (list, tuple)) else [constraints])
        ]
        if self._fitted:
            for c in new:
                name = type(c).__name__
                if not isinstance(c, CustomConstraint) or name not in self._missing_custom:
                    raise ConstraintError(
                        f"{c} cannot be added to a fitted synthesizer; add constraints before fit "
                        "(after load, only the custom constraints it was fitted with can be attached again)"
                    )
                idx = next(
                    i for i, x in enumerate(self._constraints) if isinstance(x, _MissingCustom) and x.class_name == name
                )
                self._constraints[idx] = c
                self._missing_custom.remove(name)
            return
        cols = self.metadata.get_columns(self._table_name())
        for c in new:
            unknown = [x for x in c.columns if x not in cols]
            if unknown:
                raise ConstraintError(f"{c}: column(s) {', '.join(map(repr, unknown))} are not in the metadata")
        self._constraints.extend(new)

    def get_constraints(self) -> list:
        return list(self._constraints)

    def _draw_table(
        self, n: int, rng: np.random.Generator, positions: np.ndarray, given=None, run_state=None
    ) -> pd.DataFrame:
        X = self._sample(n, rng) if not given else self._sample_given(n, rng, given)
        df = self._transformer.inverse(X, rng, positions, run_state if run_state is not None else {})
        for c in reversed(self._constraints):
            df = c.reverse_transform(df)
        return df[self._columns] if list(df.columns) != self._columns else df

    # ------------------------------------------------------------------ conditional sampling
    def _sample_given(self, n: int, rng: np.random.Generator, given: dict) -> np.ndarray:
        """Float rows with some output columns conditioned (``given`` from :meth:`_condition_spec`)."""
        raise NotImplementedError

    def _condition_spec(self, known: dict):
        """How to condition on ``known`` {column: value} exactly; None when only rejection works."""
        return None

    def _known_outputs(self, known: dict) -> dict:
        """{output index: float value in the transformed space} for conditioned columns.

        Raises ConstraintError for values the model can never produce.
        """
        return self._transformer.encode_known(known)

    def _conditioned_sample(self, n: int, known: dict, rng, ctx, positions):
        from ..errors import ConstraintError

        cols = self.metadata.get_columns(self._table_name())
        for c in known:
            if c not in cols:
                raise ConstraintError(f"condition names column {c!r}, which is not in the metadata")
        altered = {c for con in self._constraints for c in getattr(con, "altered_columns", [])}
        generated = {t.column for t in self._transformer.transforms if not t.output_names}
        direct = {c: v for c, v in known.items() if c not in altered and c not in generated}
        rest = {c: v for c, v in known.items() if c not in direct}
        given = self._condition_spec(direct) if direct else None
        if direct and given is None:
            rest = dict(known)

        def accept(df):
            ok = np.ones(len(df), dtype=bool)
            for c, v in rest.items():
                col = df[c]
                ok &= col.isna().to_numpy() if _is_missing(v) else (col == v).fillna(False).to_numpy(dtype=bool)
            return ok

        out = self._sample_rows(n, rng, positions, ctx, accept if rest else None, given=given)
        for c, v in known.items():
            if c in direct or c in rest:
                dtype = out[c].dtype
                out[c] = (
                    pd.Series([v] * len(out), dtype=object).astype(dtype)
                    if not _is_missing(v)
                    else pd.Series([None] * len(out), dtype=dtype)
                )
        return out

    def sample_from_conditions(
        self,
        conditions,
        batch_size: int | None = None,
        max_tries_per_batch: int = 100,
        output_file_path=None,
        seed=None,
    ):
        """Rows that meet each :class:`Condition` (``column_values`` fixed, ``num_rows`` rows each).

        Exact for the Gaussian copula (conditional Gaussian) and CART (sequential importance
        resampling) on learned columns; by re-drawing otherwise. An impossible condition raises a
        ConstraintError.
        """
        self._check_fitted()
        conditions = list(conditions) if isinstance(conditions, (list, tuple)) else [conditions]
        ss = as_seed_sequence(seed)
        parts = []
        for cond, child in zip(conditions, ss.spawn(len(conditions))):
            if not isinstance(cond, Condition):
                raise ParameterError(f"conditions must be Condition objects, got {type(cond).__name__}")
            start = sum(len(p) for p in parts)
            run = self._transformer.new_run_state(np.random.default_rng(child.spawn(1)[0]), start + cond.num_rows)
            rng = np.random.default_rng(child)
            parts.append(
                self._conditioned_sample(
                    cond.num_rows, cond.column_values, rng, {"run": run}, np.arange(start, start + cond.num_rows)
                )
            )
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=self._columns)
        if output_file_path is not None:
            from ..io.files import write_table

            write_table(out, output_file_path)
        return out

    def sample_remaining_columns(
        self,
        known_columns,
        batch_size: int | None = None,
        max_tries_per_batch: int = 100,
        output_file_path=None,
        seed=None,
    ):
        """Fill in the other columns of ``known_columns`` (a DataFrame), row by row."""
        self._check_fitted()
        if not isinstance(known_columns, pd.DataFrame) or known_columns.empty:
            raise ParameterError("known_columns must be a non-empty DataFrame")
        keys = list(known_columns.columns)
        groups = known_columns.reset_index(drop=True).groupby(keys, dropna=False, sort=False).indices
        ss = as_seed_sequence(seed)
        pieces = []
        for (key, idx), child in zip(groups.items(), ss.spawn(len(groups))):
            key = key if isinstance(key, tuple) else (key,)
            known = {c: (None if _is_missing(v) else v) for c, v in zip(keys, key)}
            run = self._transformer.new_run_state(np.random.default_rng(child.spawn(1)[0]), len(known_columns))
            rows = self._conditioned_sample(
                len(idx), known, np.random.default_rng(child), {"run": run}, np.asarray(idx)
            )
            rows.index = idx
            pieces.append(rows)
        out = pd.concat(pieces).sort_index().reset_index(drop=True)
        if output_file_path is not None:
            from ..io.files import write_table

            write_table(out, output_file_path)
        return out

    def _sample_rows(
        self, n: int, rng: np.random.Generator, positions: np.ndarray, ctx: dict, accept=None, given=None
    ) -> pd.DataFrame:
        """``n`` rows that satisfy every constraint (and ``accept``), re-drawing rejected rows."""
        from ..errors import ConstraintError

        if self._missing_custom:
            raise ConstraintError(
                f"this model was fitted with custom constraint(s) {', '.join(self._missing_custom)}; attach them again "
                "with add_constraints([...]) before sampling"
            )
        if not self._constraints and accept is None:
            return self._draw_table(n, rng, positions, given, ctx["run"])
        parts, have, rejected = [], 0, {}
        for attempt in range(MAX_TRIES):
            need = n - have
            if need <= 0:
                break
            m = need if attempt == 0 else min(max(need * 4, 64), 20 * n + 64)
            df = self._draw_table(m, rng, np.arange(m, dtype=np.int64), given, ctx["run"])
            ok = np.ones(len(df), dtype=bool)
            for c in self._constraints:
                if type(c).__name__ == "Unique":
                    valid = _unique_ok(c, df, ctx)
                else:
                    valid = np.asarray(c.is_valid(df), dtype=bool)
                rejected[repr(c)] = rejected.get(repr(c), 0) + int((ok & ~valid).sum())
                ok &= valid
            if accept is not None:
                valid = np.asarray(accept(df), dtype=bool)
                rejected["the conditions"] = rejected.get("the conditions", 0) + int((ok & ~valid).sum())
                ok &= valid
            good = df[ok].iloc[:need]
            for c in self._constraints:
                if type(c).__name__ == "Unique":
                    _unique_remember(c, good, ctx)
            parts.append(good)
            have += len(good)
        if have < n:
            worst = max(rejected, key=rejected.get) if rejected else "the constraints"
            raise ConstraintError(
                f"could only make {have} of {n} rows that satisfy {worst} after {MAX_TRIES} rounds of re-drawing; "
                "the rule may be impossible for this model (check the constraint or the conditions)"
            )
        out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
        # ids follow the final row positions so they stay unique across batches
        return self._transformer.regenerate_positional(out, rng, positions, ctx["run"])

    # ------------------------------------------------------------------ sampling
    def _sample(self, num_rows: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _check_fitted(self):
        if not self._fitted:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(data) before sample()")

    def _batch_size(self, batch_size) -> int:
        if batch_size is None:
            width = max(1, len(self._transformer.columns))
            return int(np.clip(DEFAULT_BATCH_CELLS // width, 1_000, 200_000))
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ParameterError(f"batch_size must be a positive integer, got {batch_size!r}")
        return int(batch_size)

    def iter_batches(self, num_rows: int, seed=None, batch_size=None, accept=None):
        """Yield sampled DataFrames of at most ``batch_size`` rows, ``num_rows`` in all."""
        from ..sampling.plan import BatchPlan

        self._check_fitted()
        plan = BatchPlan(num_rows, self._batch_size(batch_size), seed)  # O(1) memory in num_rows
        batches = iter(plan)
        _, _, root = next(batches)
        ctx: dict = {"run": self._transformer.new_run_state(np.random.default_rng(root), plan.num_rows)}
        for start, n, child in batches:
            rng = np.random.default_rng(child)
            positions = np.arange(start, start + n, dtype=np.int64)
            yield self._sample_rows(n, rng, positions, ctx, accept)

    def sample(
        self,
        num_rows: int,
        seed=None,
        batch_size: int | None = None,
        output_file_path=None,
        show_progress: bool | None = None,
        max_tries_per_batch: int | None = None,
    ):
        """Sample ``num_rows`` new rows.

        Parameters
        ----------
        num_rows : int
            Number of rows.
        seed : int, SeedSequence or Generator, optional
            Same seed (and batch size), same rows. ``None`` draws fresh randomness.
        batch_size : int, optional
            Rows per batch (default: about 4 million cells per batch).
        output_file_path : str or Path, optional
            Stream the rows to this CSV / TSV / Parquet / JSON-lines file instead of returning
            them; memory stays bounded whatever ``num_rows`` is. The file appears only when
            complete.
        show_progress : bool, optional
            Show a progress bar (default: for more than 200,000 rows).

        Returns
        -------
        pandas.DataFrame, or the output path when ``output_file_path`` is given.
        """
        self._check_fitted()
        from ..io.files import TableWriter, check_writable
        from ..sampling.plan import check_num_rows, check_output_rows

        if output_file_path is not None:
            check_writable(output_file_path)
            check_output_rows(self, num_rows, output_file_path)
        check_num_rows(num_rows)  # a bad count (or 2**63) is refused before any progress bar is drawn
        self._batch_size(batch_size)
        if show_progress is None:
            show_progress = num_rows > 200_000 if isinstance(num_rows, (int, np.integer)) else False
        batches = self.iter_batches(num_rows, seed=seed, batch_size=batch_size)
        progress = _progress(num_rows, show_progress)
        with progress as bar:
            task = bar.add_task("sampling", total=num_rows) if bar is not None else None
            if output_file_path is not None:
                with TableWriter(output_file_path) as writer:
                    for chunk in batches:
                        writer.write(chunk)
                        if bar is not None:
                            bar.advance(task, len(chunk))
                return Path(output_file_path)
            parts = []
            for chunk in batches:
                parts.append(chunk)
                if bar is not None:
                    bar.advance(task, len(chunk))
        if len(parts) == 1:
            return parts[0]
        return pd.concat(parts, ignore_index=True)

    # ------------------------------------------------------------------ persistence
    def _get_model_state(self) -> dict:
        raise NotImplementedError

    def _set_model_state(self, state: dict) -> None:
        raise NotImplementedError

    def save(self, filepath, key=None) -> None:
        """Save the fitted synthesizer as a model file (zip of JSON + numeric arrays; no pickle).

        ``key`` (text or bytes, at least 16 bytes; default: ``SIMULACRA_MODEL_KEY`` if set) signs
        the file with HMAC-SHA256, so that ``load(path, key=...)`` can tell it was not edited.
        """
        self._check_fitted()
        from ..io.modelfile import save_model

        state = {
            "transformer": self._transformer.get_state(),
            "model": self._get_model_state(),
            "fitted_rows": int(self.fitted_rows),
            "columns": self._columns,
            "constraints": [_constraint_state(c) for c in self._constraints],
        }
        save_model(filepath, self.name, self.get_parameters(), self.metadata.to_dict(), state, key=key)

    @classmethod
    def load(cls, filepath, key=None) -> "BaseSynthesizer":
        """Load a synthesizer saved with :meth:`save`. No code in the file is ever run.

        With ``key`` (default: ``SIMULACRA_MODEL_KEY`` if set) the file must be signed with that
        key; without one, a signed file loads on its checksum alone.
        """
        from ..io.modelfile import load_model
        from ..transforms import TableTransformer
        from . import get_synthesizer_class

        from ._array_bounds import array_limits

        manifest = load_model(filepath, key=key, array_limits=array_limits)
        name = manifest["synthesizer"]
        try:
            klass = get_synthesizer_class(name)
        except ParameterError:
            raise ModelFileError(f"{str(filepath)!r} holds an unknown synthesizer {name!r}") from None
        if not (issubclass(klass, cls) or cls is BaseSynthesizer or issubclass(cls, klass)):
            raise ModelFileError(
                f"{str(filepath)!r} holds a {klass.__name__}, not a {cls.__name__}; load it with {klass.__name__}.load"
            )
        params = manifest["parameters"]
        if not isinstance(params, dict):
            raise ModelFileError(f"{str(filepath)!r}: parameters must be an object")
        allowed = set(klass._parameter_names())
        unknown = set(params) - allowed
        if unknown:
            raise ModelFileError(
                f"{str(filepath)!r}: unknown parameter(s) {', '.join(sorted(unknown))} for {klass.__name__}"
            )
        from ._model_checks import check_parameters, check_restored

        check_parameters(params, repr(str(filepath)))
        try:
            metadata = Metadata.load_from_dict(manifest["metadata"])
            obj = klass(metadata, **params)
            state = manifest["state"]
            obj._transformer = TableTransformer.from_state(state["transformer"])
            obj._set_model_state(state["model"])
            obj.fitted_rows = int(state["fitted_rows"])
            obj._columns = [str(c) for c in state.get("columns", obj.metadata.get_columns())]
            obj._constraints, obj._missing_custom = _constraints_from_state(state.get("constraints", []))
            check_restored(obj, repr(str(filepath)))
        except ModelFileError as e:
            if str(filepath) in str(e):
                raise
            detail = str(e).removeprefix("model file: ")
            raise ModelFileError(
                f"{str(filepath)!r}: invalid model ({detail}); the file was edited or damaged: re-create it with fit and save"
            ) from None
        except (MetadataError, ParameterError) as e:
            raise ModelFileError(f"{str(filepath)!r}: invalid model: {e}") from None
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            raise ModelFileError(f"{str(filepath)!r}: invalid model state ({type(e).__name__}: {e})") from None
        except MemoryError:
            raise ModelFileError(f"{str(filepath)!r}: not enough memory to rebuild this model") from None
        obj._fitted = True
        # a crafted file can pass every structural check and still hold values no sampler
        # accepts: draw a few rows now so that it fails here, as a ModelFileError
        try:
            run = obj._transformer.new_run_state(np.random.default_rng(0), 8)
            obj._draw_table(8, np.random.default_rng(0), np.arange(8, dtype=np.int64), None, run)
        except Exception as e:  # noqa: BLE001 - any failure means the file is not a valid model
            raise ModelFileError(
                f"{str(filepath)!r}: the model cannot sample ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); re-create it with fit and save"
            ) from None
        return obj

    @classmethod
    def _parameter_names(cls) -> list[str]:
        import inspect

        names = []
        for klass in cls.__mro__:
            if "__init__" in klass.__dict__:
                sig = inspect.signature(klass.__dict__["__init__"])
                names += [
                    p
                    for p in sig.parameters
                    if p not in ("self", "metadata", "pseudonymize_key")
                    and sig.parameters[p].kind != inspect.Parameter.VAR_KEYWORD
                ]
        return names


MAX_TRIES = 100


class Condition:
    """Rows to sample with some column values fixed (SDV's ``sdv.sampling.Condition``)."""

    def __init__(self, column_values: dict, num_rows: int = 1):
        if not isinstance(column_values, dict) or not column_values:
            raise ParameterError("Condition needs column_values, a non-empty dict {column: value}")
        if isinstance(num_rows, bool) or not isinstance(num_rows, (int, np.integer)) or num_rows < 1:
            raise ParameterError(f"Condition num_rows must be a positive integer, got {num_rows!r}")
        self.column_values = dict(column_values)
        self.num_rows = int(num_rows)

    def __repr__(self):
        return f"Condition(column_values={self.column_values!r}, num_rows={self.num_rows})"


def _is_missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


class _MissingCustom:
    """Placeholder for a custom constraint that a loaded model needs attached again."""

    def __init__(self, class_name):
        self.class_name = class_name
        self.columns = []

    def reverse_transform(self, df):
        return df

    def is_valid(self, df):
        return np.ones(len(df), dtype=bool)


def _constraint_state(c) -> dict:
    if getattr(c, "builtin", False):
        return {"class": type(c).__name__, "parameters": c.get_parameters(), "state": c.get_state()}
    if isinstance(c, _MissingCustom):
        return {"custom": c.class_name}
    return {"custom": type(c).__name__}


def _constraints_from_state(entries):
    from ..constraints.builtin import BUILTINS

    out, missing = [], []
    for e in entries:
        if "custom" in e:
            out.append(_MissingCustom(str(e["custom"])))
            missing.append(str(e["custom"]))
            continue
        cls = BUILTINS.get(e.get("class"))
        if cls is None:
            raise ModelFileError(f"model file names an unknown constraint {e.get('class')!r}")
        c = cls(**e["parameters"])
        c.set_state(e.get("state") or {})
        out.append(c)
    return out, missing


def _unique_ok(c, df, ctx) -> np.ndarray:
    seen = ctx.setdefault(("unique", tuple(c.column_names)), set())
    h = pd.util.hash_pandas_object(df[c.column_names], index=False).to_numpy()
    first = ~pd.Series(h).duplicated().to_numpy()
    return first & ~np.isin(
        h, np.fromiter(seen, dtype=np.uint64, count=len(seen)) if seen else np.empty(0, dtype=np.uint64)
    )


def _unique_remember(c, df, ctx) -> None:
    seen = ctx.setdefault(("unique", tuple(c.column_names)), set())
    seen.update(pd.util.hash_pandas_object(df[c.column_names], index=False).tolist())
