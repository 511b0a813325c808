"""RelationalSynthesizer: a whole relational database in, a synthetic copy with every key intact out.

Tables are learned parents first (see :mod:`.plan`). A root table is learned as it is; every other
table's model learns its columns given its primary parent's columns, and every parent's model
learns how many children each of its rows has along each relationship, so cardinality follows the
parent and trends across the join survive. Sampling goes the same way: the roots' rows, then each
child's rows made per sampled parent row (as many as the parent row asked for), their other foreign
keys linked to the parent rows that fit them best (:mod:`.linking`). Every foreign key is copied
from a sampled parent key, so referential integrity holds by construction. There is no cap on the
number of tables or the depth; time and memory grow with the total number of rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import NotFittedError, ParameterError
from ..metadata import Metadata
from ..utils.progress import progress
from . import frames
from . import plan as planning


def _seed_int(ss: np.random.SeedSequence) -> int:
    return int(ss.generate_state(1, dtype=np.uint32)[0])


class RelationalSynthesizer:
    """Learn linked tables and sample a synthetic copy (SDV users know it as ``HMASynthesizer``).

    Parameters
    ----------
    metadata : Metadata
        Multi-table metadata: tables, primary keys and relationships (composite keys,
        several foreign keys to one parent, self-references and nullable cycles are fine).
    synthesizer : str, default "cart"
        The single-table synthesizer each table is learned with (a registry name such as
        ``"cart"``, ``"gaussian_copula"``, ``"bayesian_network"``, ``"ctgan"``; or a preset name,
        ``"best"`` or ``"fast"``). ``set_table_synthesizer`` changes it for one table.
    synthesizer_parameters : dict, optional
        Parameters for every table's synthesizer (e.g. ``{"epochs": 50}``).
    orphans : {"error", "drop", "keep_as_missing"}, default "error"
        What fit does with a foreign key value that is not a key of its parent: raise an error
        naming the relationship, drop those child rows, or keep them without a parent.
    locales : str or list, optional
        Locales of generated values (ids, PII), as for single-table synthesizers.
    verbose : bool, default False
        A progress bar per table while fitting and sampling.
    """

    name = "relational"

    def __init__(
        self,
        metadata,
        synthesizer: str = "cart",
        synthesizer_parameters=None,
        orphans="error",
        locales=None,
        verbose=False,
    ):
        if not isinstance(metadata, Metadata):
            raise ParameterError(
                f"metadata must be a simulacra Metadata, got {type(metadata).__name__}; "
                "use Metadata.detect_from_dataframes({name: df}) or Metadata.load_from_json(path)"
            )
        metadata.validate()
        if orphans not in planning.ORPHANS:
            raise ParameterError(f"orphans must be one of {', '.join(map(repr, planning.ORPHANS))}, got {orphans!r}")
        if synthesizer_parameters is not None and not isinstance(synthesizer_parameters, dict):
            raise ParameterError("synthesizer_parameters must be a dict of parameter -> value")
        self.metadata = metadata
        self.synthesizer = synthesizer
        self.synthesizer_parameters = dict(synthesizer_parameters or {})
        self.orphans = orphans
        self.locales = locales
        self.verbose = bool(verbose)
        self._table_choice: dict = {}
        _check_parameters(synthesizer, self.synthesizer_parameters, "synthesizer_parameters")
        self._models: dict = {}
        self._plan: dict | None = None
        self.orphan_report: dict = {}
        self._fitted = False

    # ------------------------------------------------------------------ configuration
    def set_table_synthesizer(self, table_name: str, synthesizer: str, **parameters) -> None:
        """Learn ``table_name`` with ``synthesizer`` (and these parameters) instead of the default."""
        self._check_table(table_name)
        _check_parameters(synthesizer, {**self.synthesizer_parameters, **parameters}, f"table {table_name!r}")
        self._table_choice[table_name] = (synthesizer, dict(parameters))

    def set_table_parameters(self, table_name: str, table_parameters: dict) -> None:
        """SDV's spelling: parameters for the synthesizer of ``table_name``."""
        self._check_table(table_name)
        if not isinstance(table_parameters, dict):
            raise ParameterError("table_parameters must be a dict of parameter -> value")
        name, params = self._table_choice.get(table_name, (self.synthesizer, {}))
        params = {**params, **table_parameters}
        _check_parameters(name, {**self.synthesizer_parameters, **params}, f"table {table_name!r}")
        self._table_choice[table_name] = (name, params)

    def get_table_parameters(self, table_name: str) -> dict:
        """``{"synthesizer_name", "synthesizer_parameters"}`` of the synthesizer learning ``table_name``."""
        self._check_table(table_name)
        if table_name in self._models:
            m = self._models[table_name]
            return {"synthesizer_name": type(m).__name__, "synthesizer_parameters": m.get_parameters()}
        name, params = self._choice(table_name)
        return {"synthesizer_name": _synth_class(name).__name__, "synthesizer_parameters": params}

    def get_metadata(self) -> Metadata:
        return self.metadata

    def get_parameters(self) -> dict:
        return {
            "synthesizer": self.synthesizer,
            "synthesizer_parameters": self.synthesizer_parameters,
            "orphans": self.orphans,
            "locales": self.locales,
            "verbose": self.verbose,
        }

    def _check_table(self, table_name):
        if table_name not in self.metadata.tables:
            raise ParameterError(
                f"no table named {table_name!r}; the metadata's tables: {', '.join(map(repr, self.metadata.tables))}"
            )

    def _choice(self, table_name):
        name, params = self._table_choice.get(table_name, (self.synthesizer, {}))
        base_name, preset_params = _resolve(name)
        return base_name, {**preset_params, **self.synthesizer_parameters, **params}

    # ------------------------------------------------------------------ fitting
    def validate(self, data: dict) -> None:
        """Raise a clear error if ``data`` cannot be learned with this metadata (tables, keys, orphans)."""
        planning.check_tables(self.metadata, data)
        data, _ = planning.handle_orphans(self.metadata, data, self.orphans)
        planning.build(self.metadata, data)

    def fit(self, data: dict, seed=0) -> "RelationalSynthesizer":
        """Learn the tables ``data`` (``{table_name: DataFrame}``, every table of the metadata).

        Orphan foreign keys are counted per relationship (``orphan_report``) and handled as
        ``orphans`` says. ``seed`` drives whatever is random in training.
        """
        planning.check_tables(self.metadata, data)
        data = {k: v.reset_index(drop=True) for k, v in data.items()}
        data, self.orphan_report = planning.handle_orphans(self.metadata, data, self.orphans)
        plan = planning.build(self.metadata, data)
        seeds = as_seed_sequence(seed).spawn(len(plan["order"]))
        models = {}
        with progress(len(plan["order"]), self.verbose) as bar:
            task = bar.add_task("fitting tables", total=len(plan["order"])) if bar is not None else None
            for name, ss in zip(plan["order"], seeds):
                if bar is not None:
                    bar.update(task, description=f"fitting {name}")
                frame, cols, context = frames.training_frame(name, data, plan, self.metadata)
                synth_name, params = self._choice(name)
                cls = _synth_class(synth_name)
                md = frames.table_metadata(name, cols, plan["tables"][name]["pk"])
                if "privacy_check" in cls._parameter_names():  # per-table frames carry the keys' columns:
                    params = {"privacy_check": False, **params}  # the fit-time check is off unless asked for
                model = cls(md, locales=self.locales, **params)
                model.unique_primary_key = True  # children copy these keys: a PII key (an e-mail) must not repeat
                model.fit(frame, seed=_seed_int(ss), context_columns=context or None)
                models[name] = model
                if bar is not None:
                    bar.advance(task)
        self._models, self._plan, self._fitted = models, plan, True
        return self

    # ------------------------------------------------------------------ sampling
    def sample(self, scale: float = 1.0, seed=None) -> dict:
        """A synthetic copy of the database: ``{table_name: DataFrame}``.

        Parameters
        ----------
        scale : float, default 1.0
            Size relative to the real data: 0.1 makes a smaller database, 3.0 a bigger one, with the
            same shape (the root tables are scaled; children follow their parents).
        seed : int, optional
            Same seed, same tables.
        """
        self._check_fitted()
        if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, (int, float, np.integer, np.floating)):
            raise ParameterError(f"scale must be a positive number (1.0: as many rows as the real data), got {scale!r}")
        if not np.isfinite(scale) or scale <= 0:
            raise ParameterError(f"scale must be a positive number (1.0: as many rows as the real data), got {scale!r}")
        plan = self._plan
        order = plan["order"]
        root = as_seed_sequence(seed)
        children = root.spawn(len(order) + 1)
        seeds = dict(zip(order, children))
        link_rng = np.random.default_rng(children[-1])
        sampled: dict = {}
        with progress(len(order), self.verbose) as bar:
            task = bar.add_task("sampling tables", total=len(order)) if bar is not None else None
            for name in order:
                if bar is not None:
                    bar.update(task, description=f"sampling {name}")
                try:
                    sampled[name] = self._sample_table(name, sampled, scale, seeds[name], link_rng)
                except MemoryError:
                    rows = frames.scaled(plan["tables"][name]["rows"], scale)
                    raise ParameterError(
                        f"not enough memory to sample table {name!r} ({rows:,} rows at scale {scale}); lower scale"
                    ) from None
                if bar is not None:
                    bar.advance(task)
        for i, e in enumerate(plan["edges"]):
            if e["role"] == "late":
                frames.link_edge(i, sampled[e["child"]], sampled[e["parent"]], plan, link_rng, scale)
                if e["parent"] == e["child"]:
                    frames.break_cycles(sampled[e["child"]], e)
        return {name: frames.finish(sampled[name], plan["tables"][name]) for name in self.metadata.tables}

    def sample_scale(self, scale: float = 1.0, seed=None) -> dict:
        """SDV's other spelling of :meth:`sample`."""
        return self.sample(scale=scale, seed=seed)

    def _sample_table(self, name, sampled, scale, ss, link_rng) -> pd.DataFrame:
        plan = self._plan
        t = plan["tables"][name]
        model = self._models[name]
        draw_seed, redraw_seed, count_seed = ss.spawn(3)
        ctx = None
        if t["primary"] is None:
            rows = model.sample(frames.scaled(t["rows"], scale), seed=draw_seed)
        else:
            e = plan["edges"][t["primary"]]
            parent = sampled[e["parent"]]
            ctx, pos = frames.context_rows(name, plan, parent, scale, np.random.default_rng(count_seed))
            rows = model.sample_given(ctx, seed=draw_seed)
            frames.set_keys(rows, e, parent, pos)
        rows = rows.reset_index(drop=True)
        if len(t["pk"]) > 1 and all(c in rows.columns for c in t["pk"]):
            rows = _unique_composite(rows, t["pk"], model, ctx, redraw_seed)
        for i, e in enumerate(plan["edges"]):
            if e["child"] == name and e["role"] == "secondary":
                frames.link_edge(i, rows, sampled[e["parent"]], plan, link_rng, scale)
        if len(t["pk"]) > 1:  # a key made of linked foreign keys (a junction table): a pair once
            rows = rows.loc[~rows.duplicated(t["pk"])].reset_index(drop=True)
        return rows

    def _check_fitted(self):
        if not self._fitted:
            raise NotFittedError("RelationalSynthesizer is not fitted yet; call fit({table_name: DataFrame}) first")

    # ------------------------------------------------------------------ inspection
    def get_info(self) -> dict:
        """What was learned: tables, rows, per-table synthesizers, relationships and their roles."""
        info = {"class_name": "RelationalSynthesizer", "is_fit": self._fitted, "tables": {}}
        if self._fitted:
            for name in self._plan["order"]:
                t = self._plan["tables"][name]
                info["tables"][name] = {"rows": t["rows"], "synthesizer": type(self._models[name]).__name__}
            info["relationships"] = [
                {"relationship": planning.describe(e), "role": e["role"]} for e in self._plan["edges"]
            ]
            info["orphans"] = dict(self.orphan_report)
        return info

    # ------------------------------------------------------------------ persistence
    def save(self, filepath, key=None):
        """Write the fitted synthesizer as one model file (every table's model nested in it)."""
        from .persist import save

        self._check_fitted()
        return save(self, filepath, key)

    @classmethod
    def load(cls, filepath, key=None) -> "RelationalSynthesizer":
        """Read a model file written by :meth:`save` (validated; nothing in it runs code)."""
        from .persist import load

        return load(cls, filepath, key)


#: rounds of re-drawing the rows whose composite primary key repeats an earlier row's
KEY_TRIES = 10


def _unique_composite(rows, pk, model, ctx, seed) -> pd.DataFrame:
    """Rows whose composite key repeats an earlier row's re-drawn (their learned columns), then dropped."""
    learned = [c for c in model.metadata.get_columns() if c in rows.columns]
    for child in seed.spawn(KEY_TRIES):
        dup = rows.duplicated(pk).to_numpy()
        if not dup.any():
            return rows
        idx = np.flatnonzero(dup)
        new = model.sample(len(idx), seed=child) if ctx is None else model.sample_given(ctx.iloc[idx], seed=child)
        rows.loc[idx, learned] = new[learned].to_numpy()
    return rows.loc[~rows.duplicated(pk)].reset_index(drop=True)


def _resolve(name):
    from ..synthesizers.presets import PRESETS

    if isinstance(name, str) and name in PRESETS:
        return PRESETS[name]
    return name, {}


def _check_parameters(name, params: dict, where: str) -> None:
    """A ParameterError now (not half-way through fit) for a parameter the synthesizer does not take."""
    cls = _synth_class(name)
    allowed = set(cls._parameter_names()) - {"metadata", "locales"}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ParameterError(
            f"{where}: {cls.__name__} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters: {', '.join(sorted(allowed))}"
        )


def _synth_class(name):
    from ..synthesizers import get_synthesizer_class

    base, _ = _resolve(name)
    return get_synthesizer_class(base)


#: SDV's name for the multi-table synthesizer
HMASynthesizer = RelationalSynthesizer
