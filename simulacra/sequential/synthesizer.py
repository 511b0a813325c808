"""SequentialSynthesizer: entities with histories (SDV users know it as ``PARSynthesizer``).

The model is a composition of two single-table synthesizers (trees by default, see
:mod:`.frames`): an **entity model** of one row per sequence (its key, context columns, length,
start and first step) and an autoregressive **step model** of each later step given the entity's
context, its position and the step before (values, changes, the index gap). Sampling draws the
entities, then grows all their sequences together, one vectorized ``sample_given`` call per
position (:mod:`.rollout`). Time and memory are linear in the rows; nothing is held per row beyond
the output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import NotFittedError, ParameterError
from ..metadata import Metadata
from ..utils.validation import check_int
from . import frames, rollout
from .frames import LENGTH, Layout

#: cells per sampling batch (sequences x steps x columns)
BATCH_CELLS = 2_000_000
#: the longest sequence one call makes (each position is one step of the step model)
MAX_SEQUENCE_LENGTH = 1_000_000


def _length(name, value):
    if value is None:
        return None
    n = check_int(name, value, minimum=1)
    if n > MAX_SEQUENCE_LENGTH:
        raise ParameterError(
            f"{name}={n:,} is over {MAX_SEQUENCE_LENGTH:,} rows a sequence; make long series in parts "
            "with continue_sequences"
        )
    return n


class SequentialSynthesizer:
    """Learn a table of sequences (one sequence key, an optional sequence index) and sample new ones.

    Parameters
    ----------
    metadata : Metadata
        Single-table metadata with a sequence key (``set_sequence_key``) and, usually, a sequence
        index (``set_sequence_index``: a numerical or datetime column ordering each sequence).
    context_columns : list of str, optional
        Columns constant within each sequence (a patient's sex, a country's continent). Detected
        when not given: every column constant within every real sequence.
    synthesizer : str, default "cart"
        The single-table synthesizer (registry name) of the entity and step models.
    synthesizer_parameters : dict, optional
        Its parameters (e.g. ``{"min_samples_leaf": 10}``).
    enforce_min_max_values, enforce_rounding : bool, default True
        Passed to both models; numbers grown step by step are always kept in the learned range
        and precision.
    locales : list of str, optional
        Locales of generated values (keys, PII).
    verbose : bool, default False
        Progress while fitting and sampling (the models' own bars).
    """

    name = "sequential"

    def __init__(
        self,
        metadata,
        context_columns=None,
        synthesizer: str = "cart",
        synthesizer_parameters=None,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales=None,
        verbose: bool = False,
    ):
        if not isinstance(metadata, Metadata):
            raise ParameterError(
                f"metadata must be a simulacra Metadata, got {type(metadata).__name__}; "
                "use Metadata.detect_from_dataframe(df) and set_sequence_key(column)"
            )
        if len(metadata.tables) != 1:
            raise ParameterError("a sequential synthesizer learns one table: give single-table metadata")
        if metadata.get_sequence_key() is None:
            raise ParameterError(
                "the metadata has no sequence key: call metadata.set_sequence_key(column) (the column naming the "
                "entity each row belongs to) and, usually, metadata.set_sequence_index(column) (what orders its rows)"
            )
        if context_columns is not None:
            if isinstance(context_columns, str) or not isinstance(context_columns, (list, tuple)):
                raise ParameterError(f"context_columns must be a list of column names, got {context_columns!r:.80}")
            cols = metadata.get_columns()
            for c in context_columns:
                if c not in cols:
                    raise ParameterError(f"context_columns: {c!r} is not a column of the metadata")
                if c in (metadata.get_sequence_key(), metadata.get_sequence_index()):
                    raise ParameterError(f"context_columns: {c!r} is the sequence key or index, not a context column")
            context_columns = list(context_columns)
        if synthesizer_parameters is not None and not isinstance(synthesizer_parameters, dict):
            raise ParameterError("synthesizer_parameters must be a dict of parameter -> value")
        pk = metadata.primary_key
        if pk is not None:  # not yet: its values would repeat across the steps of a sequence
            raise ParameterError(
                f"the table has a primary key ({pk!r}) besides its sequence key; a sequential model cannot keep a "
                "row key unique yet: remove it (metadata.remove_primary_key(), the column then gets fresh ids per "
                "row) or drop the column and number the rows after sampling"
            )
        self.metadata = metadata
        self.context_columns = context_columns
        self.synthesizer = synthesizer
        self.synthesizer_parameters = dict(synthesizer_parameters or {})
        self.enforce_min_max_values = bool(enforce_min_max_values)
        self.enforce_rounding = bool(enforce_rounding)
        self.locales = locales
        self.verbose = bool(verbose)
        self._synth_class()  # an unknown synthesizer name fails now
        self._entity = self._steps = self._layout = None
        self._lengths = None
        self._fitted = False

    def get_parameters(self) -> dict:
        return {
            "context_columns": self.context_columns,
            "synthesizer": self.synthesizer,
            "synthesizer_parameters": self.synthesizer_parameters,
            "enforce_min_max_values": self.enforce_min_max_values,
            "enforce_rounding": self.enforce_rounding,
            "locales": self.locales,
            "verbose": self.verbose,
        }

    def get_metadata(self) -> Metadata:
        return self.metadata

    def _synth_class(self):
        from ..synthesizers import get_synthesizer_class
        from ..synthesizers.presets import PRESETS

        name, params = self.synthesizer, {}
        if isinstance(name, str) and name in PRESETS:
            name, params = PRESETS[name]
        return get_synthesizer_class(name), {**params, **self.synthesizer_parameters}

    def _new_model(self, columns: dict, pk):
        cls, params = self._synth_class()
        table = {"columns": columns}
        if pk is not None:
            table["primary_key"] = pk
        md = Metadata.load_from_dict({"METADATA_SPEC_VERSION": "V1", "tables": {list(self.metadata.tables)[0]: table}})
        if (
            "privacy_check" in cls._parameter_names()
        ):  # entity and step frames: the fit-time check is off unless asked for
            params = {"privacy_check": False, **params}
        return cls(
            md,
            enforce_min_max_values=self.enforce_min_max_values,
            enforce_rounding=self.enforce_rounding,
            locales=self.locales,
            **params,
        )

    # ------------------------------------------------------------------ fit
    def _prepare(self, data, prefixes=False) -> tuple[pd.DataFrame, dict]:
        from ..metadata.sequences import check_sequence_data

        if not isinstance(data, pd.DataFrame):
            raise ParameterError(f"data must be a pandas DataFrame of sequences, got {type(data).__name__}")
        md = self.metadata
        md.validate_data(data)
        key, index = md.get_sequence_key(), md.get_sequence_index()
        check_sequence_data(data, key, index, self.context_columns, prefixes=prefixes)
        columns = md.get_columns()
        return data[list(columns)], columns

    def fit(self, data: pd.DataFrame, seed=0) -> "SequentialSynthesizer":
        """Learn the sequences of ``data`` (rows of many entities; any row order)."""
        from ..metadata.sequences import detect_context_columns

        df, columns = self._prepare(data)
        md = self.metadata
        key, index = md.get_sequence_key(), md.get_sequence_index()
        ss = as_seed_sequence(seed)
        context = self.context_columns
        if context is None:
            context = detect_context_columns(df, key, index)
        reading = frames.index_reading(df, columns, index)
        df = frames.sort_sequences(df, key, index, *reading)
        layout = Layout.learn(df, columns, key, index, context, reading)
        ents = frames.entity_table(df, layout)
        steps = frames.step_table(df, layout, columns)
        e_seed, s_seed = ss.spawn(2)
        entity = self._new_model(layout.entity_columns(columns), key)
        entity.unique_primary_key = True
        ctx = layout.learned_context(columns) or None
        entity.fit(ents, seed=int(e_seed.generate_state(1)[0]), context_columns=ctx)
        step_model = None
        if len(steps):
            step_cols, step_ctx = layout.step_columns(columns)
            step_model = self._new_model(step_cols, None)
            step_model.fit(steps[list(step_cols)], seed=int(s_seed.generate_state(1)[0]), context_columns=step_ctx)
        self._entity, self._steps, self._layout = entity, step_model, layout
        self._lengths = np.bincount(ents[LENGTH].to_numpy(dtype=np.int64))
        self._fitted = True
        self.fitted_sequences = len(ents)
        self.fitted_rows = len(df)
        return self

    def _check_fitted(self):
        if not self._fitted:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(data) first")

    # ------------------------------------------------------------------ sampling
    def sample(self, num_sequences: int, sequence_length=None, seed=None, batch_size=None) -> pd.DataFrame:
        """``num_sequences`` new sequences, each with a new unique key.

        Parameters
        ----------
        num_sequences : int
            How many entities to make.
        sequence_length : int, optional
            Rows of every sequence (default: lengths drawn as learned, given each entity's context).
        seed : int, optional
            Same seed and ``batch_size``, same rows (as for single tables: a run is its batch plan).
        batch_size : int, optional
            Sequences grown together (default: about 2 million cells a batch).
        """
        self._check_fitted()
        n = check_int("num_sequences", num_sequences, minimum=0)
        length = _length("sequence_length", sequence_length)
        root = as_seed_sequence(seed)
        size = self._batch_size(batch_size)
        e_root, s_root = root.spawn(2)
        plan = self._entity.plan(n, size, seed=e_root)
        parts = []
        for b in range(plan.n_batches):
            ents = self._entity.sample_batch(plan, b)
            parts.append(self._grow(ents, length, s_root, b))
        return self._finish(parts)

    def sample_sequential_columns(self, context_columns: pd.DataFrame, sequence_length=None, seed=None):
        """A sequence for each row of ``context_columns`` (SDV's name): the context kept as given, the rest
        drawn given it. A given sequence key column is kept; otherwise new keys are made."""
        self._check_fitted()
        lay = self._layout
        learned = lay.learned_context(self.metadata.get_columns())
        if not isinstance(context_columns, pd.DataFrame):
            raise ParameterError("context_columns must be a DataFrame with one row per sequence to make")
        if not learned:
            raise ParameterError(
                "this model learned no context columns, so there is nothing to condition on; use sample(num_sequences)"
            )
        missing = [c for c in learned if c not in context_columns.columns]
        if missing:
            raise ParameterError(
                f"context_columns lacks {', '.join(map(repr, missing))}; give every context column: {learned}"
            )
        length = _length("sequence_length", sequence_length)
        given = context_columns.reset_index(drop=True)
        if lay.key in given.columns and given[lay.key].duplicated().any():
            raise ParameterError(f"context_columns: the sequence key {lay.key!r} repeats; give each sequence once")
        e_root, s_root = as_seed_sequence(seed).spawn(2)
        ents = self._entity.sample_given(given[learned], seed=e_root)
        for c in [lay.key] + lay.context:
            if c in given.columns:
                ents[c] = given[c].to_numpy()
        return self._finish([self._grow(ents, length, s_root, 0)])

    def continue_sequences(self, data: pd.DataFrame, num_steps=None, seed=None) -> pd.DataFrame:
        """The next rows of given sequences (their rows so far: key, index and every column).

        ``num_steps`` rows per sequence; by default each grows to a length drawn from the learned
        lengths longer than it already is (none when no real sequence was longer). Only the new rows
        are returned, each sequence's index going on from its last value.
        """
        self._check_fitted()
        df, columns = self._prepare(data, prefixes=True)
        lay = self._layout
        df = frames.sort_sequences(df, lay.key, lay.index, lay.index_kind, lay.index_parse)
        steps = _length("num_steps", num_steps)
        codes, pos, length = frames.positions(df, lay.key)
        first = df.loc[pos == 0].reset_index(drop=True)
        have = length[pos == 0].astype(np.int64)
        draw_root, grow_root = as_seed_sequence(seed).spawn(2)
        total = have + steps if steps is not None else self._longer(have, np.random.default_rng(draw_root))
        ents = first[[lay.key] + lay.context].copy()
        ents[LENGTH] = total
        state = rollout.State.from_prefixes(df, ents, lay, columns)
        pieces = rollout.grow(state, self._steps, grow_root, 0) if self._steps is not None else []
        return self._finish([(state, pieces)])

    def _longer(self, have: np.ndarray, rng) -> np.ndarray:
        """Per sequence, a length drawn from the learned lengths above its own (its own when none is)."""
        total = have.copy()
        for h in np.unique(have):
            counts = self._lengths.astype(float).copy()
            counts[: h + 1] = 0
            if counts.sum() == 0:
                continue
            sel = np.flatnonzero(have == h)
            total[sel] = rng.choice(len(counts), size=len(sel), p=counts / counts.sum())
        return total

    def _batch_size(self, batch_size) -> int:
        if batch_size is not None:
            return check_int("batch_size", batch_size, minimum=1)
        mean_len = max(1.0, float(np.average(np.arange(len(self._lengths)), weights=self._lengths)))
        return int(np.clip(BATCH_CELLS // (mean_len * max(1, len(self._layout.order))), 100, 100_000))

    def _grow(self, ents: pd.DataFrame, length, s_root, b):
        if length is not None:
            ents[LENGTH] = length
        state, first = rollout.State.first_steps(ents, self._layout, self.metadata.get_columns())
        pieces = [first] + (rollout.grow(state, self._steps, s_root, b) if self._steps is not None else [])
        return state, pieces

    def _finish(self, parts) -> pd.DataFrame:
        """The grown pieces of every batch as one table: sequences in order, rows in index order."""
        lay = self._layout
        out = []
        for state, pieces in parts:
            if not pieces:
                continue
            ent = np.concatenate([p["entity"] for p in pieces])
            pos = np.concatenate([p["pos"] for p in pieces])
            order = np.lexsort([pos, ent])
            cols = {}
            for c in [lay.key] + lay.context:
                cols[c] = state.entities[c].iloc[ent[order]].reset_index(drop=True)
            if lay.index is not None:
                secs = np.concatenate([p["__secs"] for p in pieces])[order]
                cols[lay.index] = frames.index_series(secs, lay, lay.index)
            for c in lay.steps:
                vals = pd.concat([pd.Series(p[c]).reset_index(drop=True) for p in pieces], ignore_index=True)
                cols[c] = vals.iloc[order].reset_index(drop=True)
            out.append(pd.DataFrame(cols)[lay.order])
        if not out:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in lay.order})
        table = pd.concat(out, ignore_index=True)
        return _restore_dtypes(table, lay)

    # ------------------------------------------------------------------ persistence
    def save(self, filepath, key=None):
        """Write the fitted model as one file (both models nested; JSON and arrays, never pickle)."""
        from .persist import save

        self._check_fitted()
        return save(self, filepath, key)

    @classmethod
    def load(cls, filepath, key=None):
        """Read a model file written by :meth:`save` (validated; nothing in it runs code)."""
        from .persist import load

        return load(cls, filepath, key)

    def get_info(self) -> dict:
        info = {"class_name": type(self).__name__, "is_fit": self._fitted}
        if self._fitted:
            lay = self._layout
            info.update(
                sequences=self.fitted_sequences,
                rows=self.fitted_rows,
                sequence_key=lay.key,
                sequence_index=lay.index,
                context_columns=list(lay.context),
                synthesizer=type(self._entity).__name__,
            )
        return info


def _restore_dtypes(table: pd.DataFrame, lay: Layout) -> pd.DataFrame:
    """Each column back in the real column's dtype (integers with missing values as Int64)."""
    from ..utils.dtypes import as_dtype

    for c, name in lay.dtypes.items():
        if c == lay.index or str(table[c].dtype) == name:
            continue
        try:
            dt = as_dtype(name)
            if isinstance(dt, np.dtype) and dt.kind in "iu" and table[c].isna().any():
                dt = "Int64"
            table[c] = table[c].astype(dt)
        except (TypeError, ValueError):
            pass  # e.g. text in a column the real data held as categories: kept as drawn
    return table


class PARSynthesizer(SequentialSynthesizer):
    """SDV's name and constructor for :class:`SequentialSynthesizer` (the same model).

    ``epochs``, ``segment_size``, ``sample_size`` and ``cuda`` are SDV's neural-network settings: they
    are accepted so SDV code runs as written, and kept in ``get_parameters``; the tree models have no
    epochs. ``context_columns``, ``enforce_min_max_values``, ``enforce_rounding``, ``locales`` and
    ``verbose`` mean what they mean in SDV.
    """

    def __init__(
        self,
        metadata,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=None,
        context_columns=None,
        segment_size=None,
        epochs=128,
        sample_size=1,
        cuda=True,
        verbose=False,
        synthesizer="cart",
        synthesizer_parameters=None,
    ):
        super().__init__(
            metadata,
            context_columns=context_columns,
            synthesizer=synthesizer,
            synthesizer_parameters=synthesizer_parameters,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales,
            verbose=verbose,
        )
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.segment_size, self.sample_size, self.cuda = segment_size, sample_size, cuda

    def get_parameters(self) -> dict:
        p = super().get_parameters()
        p.update(epochs=self.epochs, segment_size=self.segment_size, sample_size=self.sample_size, cuda=self.cuda)
        return p
