"""The sampling context: the per-run state of one sampling run, built once and passed explicitly.

A fitted synthesizer holds what it learned and nothing about a run. What a run needs across its
batches lives here: the transformer's run state (id permutations and the like, drawn once from
the plan's context child) and a scratch space per owner (``store(key)``) where constraints keep
cross-batch trackers (the rows a ``Unique`` constraint has already accepted). Two concurrent runs
have two contexts; a worker that makes one batch alone builds the same context from the same
(model, plan), so its batch equals that batch of a full run.
"""

from __future__ import annotations

import numpy as np


class SamplingContext:
    """Per-run sampling state.

    Parameters
    ----------
    run_state : dict, optional
        The transformer's run state, ``{column: state}`` (``TableTransformer.new_run_state``).

    Attributes
    ----------
    run_state : dict
        Passed to ``TableTransformer.inverse`` and ``regenerate_positional``.
    """

    def __init__(self, run_state: dict | None = None):
        self.run_state = {} if run_state is None else run_state
        self._stores: dict = {}

    @classmethod
    def for_plan(cls, transformer, plan) -> "SamplingContext":
        """The context of a run of ``plan`` (a :class:`~simulacra.sampling.BatchPlan`) with ``transformer``.

        Drawn from the plan's context child (``plan.child(0)``) only: a pure function of the
        fitted transformer and the plan, whoever builds it.
        """
        return cls.from_seed(transformer, plan.child(0), plan.num_rows)

    @classmethod
    def from_seed(cls, transformer, seed_sequence: np.random.SeedSequence, num_rows: int) -> "SamplingContext":
        """The context of a run of ``num_rows`` rows whose run state is drawn from ``seed_sequence``."""
        if transformer is None:
            return cls()
        return cls(transformer.new_run_state(np.random.default_rng(seed_sequence), num_rows))

    def store(self, key) -> dict:
        """The scratch dict of ``key`` (any hashable, e.g. ``("unique", ("a", "b"))``), empty on first use.

        The same key gives the same dict for the whole run; nothing in it outlives the run.
        """
        try:
            return self._stores[key]
        except KeyError:
            return self._stores.setdefault(key, {})

    def __repr__(self) -> str:
        return f"SamplingContext(run_state={sorted(self.run_state)}, stores={len(self._stores)})"
