"""The base every synthesizer shares: ``fit(data)``, ``sample(num_rows, seed=)``, ``save``/``load``.

The base is thin orchestration over small parts:

- :mod:`.inputs`: what ``fit`` accepts (a DataFrame or ``{table: DataFrame}``, checked);
- :mod:`.fitting`: the fit pipeline (constraints chain -> TableTransformer -> model input);
- :mod:`.sampler` over :mod:`simulacra.sampling`: batch plans, the run's sampling context, the
  bounded re-draw loop and conditions;
- :mod:`.persistence`: the model file, one nested state per component.

A synthesizer implements one of two model paths. The encoded-matrix path (``model_input =
"matrix"``, the default): ``_fit(X, names, kinds)`` learns the float matrix the transforms make of
the learned columns and ``_sample(n, rng)`` returns such a matrix. The values path
(``model_input = "values"``, for models that think in values): ``_fit_values(table,
column_specs)`` learns the learned columns as they are and ``_sample_values(n, rng)`` returns a
DataFrame of them (conditions are then met by re-drawing). Either way the base does the metadata, constraints, generated columns (ids,
PII, text), batching, progress and persistence. Each batch draws from its own child of
``numpy.random.SeedSequence(seed)``, so the same seed and batch size give the same rows, and any
batch can be made alone (:meth:`BaseSynthesizer.plan`, :meth:`BaseSynthesizer.sample_batch`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError, NotFittedError, ParameterError
from ..metadata import Metadata
from ..sampling.conditions import Condition
from ..sampling.plan import BatchPlan, check_plan
from ..sampling.redraw import MAX_TRIES, check_max_tries
from ..utils.validation import check_int
from . import fitting, out_of_core, persistence, privacy_check, sampler, sdv_api, text_fill
from . import rules as _rules
from ._params import with_base_keywords
from .inputs import as_metadata, check_single_table, coerce_data

__all__ = ["BaseSynthesizer", "Condition", "DEFAULT_BATCH_CELLS"]

DEFAULT_BATCH_CELLS = 4_000_000


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
    learn_rules : bool, default True
        Discover the deterministic rules of the real table at fit (derived columns, clock formats,
        value grids, co-missingness, allowed combinations, inequalities) and enforce them when
        sampling (see :meth:`get_learned_rules`). Every synthesizer takes it as a keyword.
    protect_rare : bool, default True
        Before learning, pool the rare categories and clip the extreme values of PII-adjacent
        columns (quasi-identifiers such as ``city`` or ``age``; see
        ``simulacra.synthesizers.protection``). Every synthesizer takes it as a keyword.
    """

    #: short name in the registry (``simulacra.synthesizers.available()``)
    name = "base"
    #: the model path: ``"matrix"`` (``_fit`` / ``_sample``) or ``"values"`` (``_fit_values`` / ``_sample_values``)
    model_input = "matrix"

    def __init__(
        self,
        metadata,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales=None,
        *,
        pseudonymize: bool = False,
        pseudonymize_key=None,
        learn_rules: bool = True,
        protect_rare: bool = True,
    ):
        from ._params import check_bool, check_locales

        self.metadata = as_metadata(metadata)
        self.metadata.validate()
        check_single_table(self.metadata)
        self.enforce_min_max_values = check_bool("enforce_min_max_values", enforce_min_max_values)
        self.enforce_rounding = check_bool("enforce_rounding", enforce_rounding)
        self.locales = check_locales(locales)
        self.pseudonymize = check_bool("pseudonymize", pseudonymize)
        self._pseudonymize_key = pseudonymize_key
        self._fitted = False
        self._transformer = None
        self._constraints: list = []
        self.learn_rules = check_bool("learn_rules", learn_rules)
        self.protect_rare = check_bool("protect_rare", protect_rare)
        self._learned: list = []
        self._learned_given = None
        sdv_api.mark_created(self)
        self._missing_custom: list[str] = []
        self.fitted_rows = 0
        self.context_columns = None

    # ------------------------------------------------------------------ parameters
    def get_parameters(self) -> dict:
        """The constructor arguments (except ``metadata``)."""
        return {
            "enforce_min_max_values": self.enforce_min_max_values,
            "enforce_rounding": self.enforce_rounding,
            "locales": self.locales,
            "pseudonymize": self.pseudonymize,
            "learn_rules": self.learn_rules,
            "protect_rare": self.protect_rare,
        }

    def __init_subclass__(cls, **kwargs):
        """Every synthesizer takes ``learn_rules=`` and ``protect_rare=`` as keywords, whether its own ``__init__`` names them or not."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            cls.__init__ = with_base_keywords(init)

    def get_metadata(self) -> Metadata:
        """The metadata the synthesizer was built with."""
        return self.metadata

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        state = "fitted" if self._fitted else "not fitted"
        return f"{type(self).__name__}({params}) [{state}]"

    @classmethod
    def _parameter_names(cls) -> list[str]:
        """The constructor parameters a model file may hold: each once, from every class but ``object``,
        without ``metadata``, ``pseudonymize_key`` (a secret) and ``*args`` / ``**kwargs``."""
        import inspect

        names: list[str] = []
        for klass in cls.__mro__:
            if klass is object or "__init__" not in klass.__dict__:
                continue
            for p in inspect.signature(klass.__dict__["__init__"]).parameters.values():
                if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in ("self", "metadata", "pseudonymize_key"):
                    continue
                if p.name not in names:
                    names.append(p.name)
        return names

    # ------------------------------------------------------------------ data checks
    def _table_name(self) -> str:
        return self.metadata.table_name

    def _coerce_data(self, data) -> pd.DataFrame:
        return coerce_data(data, self._table_name())

    def validate(self, data) -> None:
        """Check ``data`` against the metadata; raise a clear error if it does not fit."""
        self.metadata.validate_data(self._coerce_data(data), self._table_name())

    # ------------------------------------------------------------------ fitting
    def fit(self, data, seed=0, context_columns=None, holdout=None) -> "BaseSynthesizer":
        """Learn the table ``data`` (a DataFrame, or SDV 2's ``{table_name: DataFrame}``).

        ``seed`` (int or SeedSequence, default 0) drives whatever is random in training (the
        neural synthesizers' weights and batches); the same data and seed give the same model.
        ``context_columns`` (a list of learned columns) are always given when sampling with
        :meth:`sample_given`: learned rules leave them alone and CART learns them first.
        ``holdout`` (a share such as 0.2, or a row count) keeps seeded rows out of the fit, as
        ``holdout_data_`` beside ``training_data_`` (not saved; see ``privacy_check``).
        """
        self.source_info_ = self.privacy_info_ = self.holdout_data_ = self.training_data_ = None
        if out_of_core.is_source_argument(data):  # read in partitions: neither checked nor protected yet
            if holdout is not None:
                raise ParameterError("holdout= needs a table in memory; split a partitioned source yourself")
            privacy_check.reset(self)
            return out_of_core.fit_source(self, data, seed, context_columns)
        privacy_check.fit(self, data, seed, context_columns, holdout)
        self._fitted = True
        sdv_api.mark_fitted(self)
        return self

    # ------------------------------------------------------------------ learned rules
    def get_learned_rules(self) -> list:
        """The rules learned at fit (each a constraint with ``describe()``), in chain order."""
        return list(self._learned)

    def set_learned_rules(self, rules) -> None:
        """Use ``rules`` (LearnedRule objects, e.g. a filtered ``discover_rules`` list) instead of discovery at fit.

        ``None`` goes back to discovery (as ``learn_rules`` says). Must be called before ``fit``.
        """
        if self._fitted:
            raise ConstraintError("set_learned_rules must be called before fit; build a new synthesizer and fit it")
        self._learned_given = None if rules is None else _rules.check_rules(self, rules)

    def discover_rules(self, data) -> list:
        """The rules ``fit`` would discover on ``data`` (unfitted, in chain order), without fitting."""
        df = self._coerce_data(data)
        self.metadata.validate_data(df, self._table_name())
        columns = self.metadata.get_columns(self._table_name())
        return _rules.discover(self, df[list(columns)], columns)

    def _adapt_transforms(self, df: pd.DataFrame, transformer) -> None:
        """Hook (matrix path): adjust fitted transforms to the data before the table is encoded."""

    def _fit(self, X: np.ndarray, names: list[str], kinds: list[str]) -> None:
        """Matrix path: learn the encoded matrix ``X`` (one column per output)."""
        raise NotImplementedError

    def _privacy_levels(self) -> list[dict]:
        """Levels of the fit-time privacy check (attribute settings, least regularized first)."""
        return []

    def _adapt_after_fit(self, df: pd.DataFrame, X: np.ndarray, kinds: list[str]) -> None:
        """Hook (matrix path): checks that need the fitted model and the real table (e.g. CART's copy check)."""

    def _fit_values(self, table: pd.DataFrame, column_specs: list) -> None:
        """Values path: learn ``table``, the learned columns as values (``column_specs``: every column's spec)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ constraints
    def add_constraints(self, constraints) -> None:
        """Add constraints (objects, or SDV 1 dicts ``{'constraint_class': ..., 'constraint_parameters': ...}``).

        Built-in constraints must be added before ``fit``. After ``load``, custom constraints the
        model was fitted with are attached again here (a model file never holds code).
        """
        fitting.add_constraints(self, sdv_api.resolve_constraints(self, constraints))

    def set_text_generator(self, column, generator, prompt=None, max_new_tokens=None, temperature=None, top_p=None):
        """Write text column ``column`` with ``generator`` (a TextGenerator; ``None``: fake sentences) when sampling,
        prompted per row by ``prompt`` (``"Review of {product}:"``); see :mod:`simulacra.synthesizers.text_fill`."""
        text_fill.set_text_generator(self, column, generator, prompt, max_new_tokens, temperature, top_p)

    def get_constraints(self) -> list:
        """The constraints, in the order they apply."""
        return list(self._constraints)

    # ------------------------------------------------------------------ SDV's methods (see sdv_api)
    def add_custom_constraint_class(self, class_object, class_name: str) -> None:
        """Know the constraint class ``class_object`` by ``class_name`` (SDV's dict form of add_constraints)."""
        sdv_api.add_custom_constraint_class(self, class_object, class_name)

    def load_custom_constraint_classes(self, filepath, class_names) -> None:
        """Import the ``.py`` file ``filepath`` and add its constraint classes ``class_names``."""
        sdv_api.load_custom_constraint_classes(self, filepath, class_names)

    def get_info(self) -> dict:
        """SDV's ``get_info``: class name, creation and fit dates, fitted version."""
        return sdv_api.get_info(self)

    def reset_sampling(self) -> None:
        """Restart the stream of calls without a seed (they give the same rows again)."""
        sdv_api.reset_sampling(self)

    def get_transformers(self) -> dict:
        """``{column: transform}`` (fitted, or those the metadata chooses before fit)."""
        return sdv_api.get_transformers(self)

    def update_transformers(self, column_name_to_transformer: dict) -> None:
        """Change how columns are learned, before fit (each transform becomes the column's metadata)."""
        sdv_api.update_transformers(self, column_name_to_transformer)

    # ------------------------------------------------------------------ model hooks of sampling
    def _sample(self, num_rows: int, rng: np.random.Generator) -> np.ndarray:
        """Matrix path: ``num_rows`` encoded rows."""
        raise NotImplementedError

    def _sample_values(self, num_rows: int, rng: np.random.Generator) -> pd.DataFrame:
        """Values path: ``num_rows`` rows of the learned columns, as values."""
        raise NotImplementedError

    def _sample_given(self, n: int, rng: np.random.Generator, given: dict) -> np.ndarray:
        """Float rows with some output columns conditioned (``given`` from :meth:`_condition_spec`)."""
        raise NotImplementedError

    def _sample_values_given(self, n: int, rng: np.random.Generator, given) -> pd.DataFrame:
        """Values path: rows of the learned columns with the known values of ``given`` (from :meth:`_condition_spec`)."""
        raise NotImplementedError

    def _sample_context(self, C: np.ndarray, outputs: list, rng: np.random.Generator) -> np.ndarray:
        """Matrix path: encoded rows, row *i* given the encoded context ``C[i]`` on ``outputs`` (nearest of k)."""
        from .given import nearest_of_k

        return nearest_of_k(self, C, outputs, rng)

    def _condition_spec(self, known: dict):
        """How to condition on ``known`` {column: value} exactly; None when only rejection works."""
        return None

    def _known_outputs(self, known: dict) -> dict:
        """{output index: float value in the transformed space} for conditioned columns.

        Raises ConstraintError for values the model can never produce.
        """
        return self._transformer.encode_known(known)

    # ------------------------------------------------------------------ sampling
    def _check_fitted(self):
        if not self._fitted:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(data) before sample()")

    def _batch_size(self, batch_size) -> int:
        if batch_size is None:
            width = max(1, len(self._transformer.columns))
            return int(np.clip(DEFAULT_BATCH_CELLS // width, 1_000, 200_000))
        return check_int("batch_size", batch_size, minimum=1)

    def plan(self, num_rows: int, batch_size: int | None = None, seed=None) -> BatchPlan:
        """The batch plan of a run: which rows each batch makes and from which seed.

        ``pd.concat([synth.sample_batch(plan, b) for b in range(plan.n_batches)], ignore_index=True)``
        equals ``synth.sample(num_rows, seed=seed, batch_size=batch_size)`` row for row; ``batch_size``
        defaults to about 4 million cells per batch; ``seed`` is an int, SeedSequence or Generator.
        """
        self._check_fitted()
        return BatchPlan(num_rows, self._batch_size(batch_size), seed)

    def sample_dask(self, num_rows: int, seed=None, partition_rows: int | None = None, max_tries_per_batch=None):
        """``sample(num_rows, seed=seed, batch_size=partition_rows)`` as a lazy ``dask.dataframe`` (``dd.from_map``).

        Partition *i* is batch *i*, made on a worker from the model file and the plan alone: the
        same rows whatever the workers. ``partition_rows`` defaults to about 100 MB a partition.
        Needs the dask extra (``pip install 'simulacra[dask]'``).
        """
        from . import dask_sampling

        return dask_sampling.sample_dask(self, num_rows, seed, partition_rows, max_tries_per_batch)

    def sample_batch(self, plan: BatchPlan, b: int, max_tries_per_batch: int | None = None) -> pd.DataFrame:
        """Batch ``b`` of ``plan`` (from :meth:`plan`), made alone: it equals batch ``b`` of the full run.

        The batch needs only the fitted synthesizer, the plan and ``b`` (the run's context is
        rebuilt from the plan), so it can be made in another process or on another machine.

        Raises
        ------
        ConstraintError
            For ``b > 0`` when a constraint tracks rows across the batches of a run (``Unique``:
            a batch alone cannot know what the batches before it drew); sample those runs in
            order with :meth:`iter_batches` or :meth:`sample`.
        ParameterError
            ``plan`` is not a BatchPlan (or was changed after it was made), or ``b`` is not an integer
            batch index of the plan (0 to ``plan.n_batches - 1``).
        """
        self._check_fitted()
        check_plan(plan)
        max_tries = check_max_tries(max_tries_per_batch)
        return sampler.batch_alone(self, plan, b, max_tries)

    def iter_batches(self, num_rows: int, seed=None, batch_size=None, accept=None, max_tries_per_batch=None):
        """Sampled DataFrames of at most ``batch_size`` rows, ``num_rows`` in all, made in order in one run context.

        ``accept(rows) -> bool array`` is an extra test rows must pass (re-drawn otherwise);
        ``max_tries_per_batch`` bounds the rounds of re-drawing (default 100). The arguments are
        checked at once; the batches are made as they are taken.
        """
        self._check_fitted()
        seed = sdv_api.sampling_seed(self, seed)
        plan = BatchPlan(num_rows, self._batch_size(batch_size), seed)  # O(1) memory in num_rows
        return sampler.iter_plan(self, plan, accept, check_max_tries(max_tries_per_batch))

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
        max_tries_per_batch : int, optional
            Rounds of re-drawing rows that break a constraint, per batch (default 100).

        Returns
        -------
        pandas.DataFrame, or the output path when ``output_file_path`` is given.

        Raises
        ------
        ParameterError
            A bad argument, or (checked up front) rows that would not fit the free disk space of
            ``output_file_path`` or, without it, the available memory.
        """
        self._check_fitted()
        from ..io.files import check_writable
        from ..sampling.plan import check_memory_rows, check_num_rows, check_output_rows

        max_tries = check_max_tries(max_tries_per_batch)
        if output_file_path is not None:
            check_writable(output_file_path)
            check_output_rows(self, num_rows, output_file_path)
        num_rows = check_num_rows(num_rows)  # a bad count (or 2**63) is refused before any progress bar is drawn
        self._batch_size(batch_size)
        if output_file_path is None:
            check_memory_rows(self, num_rows)  # rows that cannot fit in memory: refused up front
        if show_progress is None:
            show_progress = num_rows > 200_000
        seed = sdv_api.sampling_seed(self, seed)
        batches = self.iter_batches(num_rows, seed=seed, batch_size=batch_size, max_tries_per_batch=max_tries)
        return sampler.collect(batches, num_rows, output_file_path, show_progress)

    # ------------------------------------------------------------------ conditional sampling
    def sample_from_conditions(
        self,
        conditions,
        batch_size: int | None = None,
        max_tries_per_batch: int = MAX_TRIES,
        output_file_path=None,
        seed=None,
    ):
        """Rows that meet each :class:`Condition` (``column_values`` fixed, ``num_rows`` rows each).

        Exact for the Gaussian copula (conditional Gaussian) and CART (sequential importance
        resampling) on learned columns; by re-drawing otherwise. An impossible condition raises a
        ConstraintError. Condition *i* draws from child *i* of ``seed``; with ``batch_size`` its
        rows are drawn in batches of at most that many rows, each from its own child seed (the
        default, one batch per condition). ``max_tries_per_batch`` bounds the rounds of re-drawing.
        """
        self._check_fitted()
        batch_size = check_int("batch_size", batch_size, minimum=1, allow_none=True)
        max_tries = check_max_tries(max_tries_per_batch)
        seed = sdv_api.sampling_seed(self, seed)
        out = sampler.sample_conditions(self, conditions, batch_size, max_tries, seed)
        return self._write(out, output_file_path)

    def sample_remaining_columns(
        self,
        known_columns,
        batch_size: int | None = None,
        max_tries_per_batch: int = MAX_TRIES,
        output_file_path=None,
        seed=None,
    ):
        """Fill in the other columns of ``known_columns`` (a DataFrame), row by row.

        Rows with equal known values form one group; group *i* draws from child *i* of ``seed``,
        in batches of at most ``batch_size`` rows when given.
        """
        self._check_fitted()
        batch_size = check_int("batch_size", batch_size, minimum=1, allow_none=True)
        max_tries = check_max_tries(max_tries_per_batch)
        seed = sdv_api.sampling_seed(self, seed)
        out = sampler.sample_remaining(self, known_columns, batch_size, max_tries, seed)
        return self._write(out, output_file_path)

    def sample_given(self, context: pd.DataFrame, seed=None, max_tries: int = MAX_TRIES) -> pd.DataFrame:
        """One row per row of ``context`` (same order, index 0..n-1, every column), each drawn given that
        row's values of the ``context_columns`` of ``fit`` (kept as given). Same ``seed``, same rows;
        rows breaking a constraint are re-drawn with their context, at most ``max_tries`` rounds
        (then a ConstraintError). A ParameterError when fitted without context or a column lacks.
        """
        from .given import sample_given

        return sample_given(self, context, seed, check_max_tries(max_tries, allow_none=False))

    def impute(self, data, seed=None, max_tries_per_batch: int | None = None) -> pd.DataFrame:
        """A copy of ``data`` (real rows) whose missing learned cells are drawn given each row's present cells.

        Present cells and generated columns stay as given; a filled cell is never missing. Rows
        with one missing pattern draw from one child of ``seed`` (same seed, same values). See
        :mod:`simulacra.synthesizers.impute`.
        """
        from .impute import impute

        return impute(self, data, seed, check_max_tries(max_tries_per_batch))

    @staticmethod
    def _write(out: pd.DataFrame, output_file_path):
        if output_file_path is not None:
            from ..io.files import write_table

            write_table(out, output_file_path)
        return out

    # ------------------------------------------------------------------ persistence
    def _get_model_state(self) -> dict:
        """The model component's state (JSON values and numeric arrays)."""
        raise NotImplementedError

    def _set_model_state(self, state: dict) -> None:
        """Rebuild the model component from :meth:`_get_model_state`'s state (checking it)."""
        raise NotImplementedError

    def _to_state(self) -> dict:
        """The fitted synthesizer as one nestable entry ``{"synthesizer", "parameters", "metadata", "state"}``.

        ``state`` nests each component's state (transformer, model, constraints); a multi-table
        or sequential synthesizer nests several such entries in one model file.
        """
        self._check_fitted()
        return persistence.to_state(self)

    @classmethod
    def _from_state(cls, entry: dict, where: str = "'model state'") -> "BaseSynthesizer":
        """A fitted synthesizer from :meth:`_to_state`'s entry, checked (ModelFileError naming ``where``)."""
        return persistence.from_state(cls, entry, where)

    def save(self, filepath, key=None) -> None:
        """Save the fitted synthesizer as a model file (zip of JSON + numeric arrays; no pickle).

        ``key`` (text or bytes, at least 16 bytes; default: ``SIMULACRA_MODEL_KEY`` if set) signs
        the file with HMAC-SHA256, so that ``load(path, key=...)`` can tell it was not edited.
        """
        self._check_fitted()
        persistence.save(self, filepath, key=key)

    @classmethod
    def load(cls, filepath, key=None) -> "BaseSynthesizer":
        """Load a synthesizer saved with :meth:`save`. No code in the file is ever run.

        With ``key`` (default: ``SIMULACRA_MODEL_KEY`` if set) the file must be signed with that
        key; without one, a signed file loads on its checksum alone.
        """
        return persistence.load(cls, filepath, key=key)
