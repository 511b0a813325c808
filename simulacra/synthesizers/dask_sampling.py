"""Sampling on Dask: a fitted single-table synthesizer's batch plan as a ``dask.dataframe``.

Partition *i* is batch *i* of the run's :class:`~simulacra.sampling.BatchPlan` (``partition_rows``
rows, drawn from its own child of the run's ``SeedSequence``), made by a worker from the model file
and the plan alone. So ``synth.sample_dask(n, seed=s, partition_rows=p).compute()`` equals
``synth.sample(n, seed=s, batch_size=p)`` row for row, whatever the number of workers, threads or
machines. Workers get the model as its model-file bytes (the same safe, validated format as
``save``/``load``), loaded once per worker process.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading

import numpy as np
import pandas as pd

from ..errors import ConstraintError, ParameterError
from ..utils.validation import is_int
from ..io.dask_engine import MAX_PARTITION_ROWS, check_partition_count, partition_rows_for, require_dask
from ..sampling.plan import BatchPlan
from ..sampling.redraw import MAX_TRIES, check_max_tries
from . import sampler, sdv_api, text_fill

#: rows drawn (with a fixed seed) to measure the row size and the dtypes of a run
PROBE_ROWS = 512
_CACHE: dict[str, object] = {}
_CACHE_LOCK = threading.Lock()


def model_bytes(synth) -> bytes:
    """The fitted synthesizer as model-file bytes (what ``save`` writes)."""
    with tempfile.TemporaryDirectory(prefix="simulacra-") as d:
        path = os.path.join(d, "model.zip")
        synth.save(path, key=False)  # unsigned: the workers' SIMULACRA_MODEL_KEY may differ from this process's
        with open(path, "rb") as f:
            return f.read()


def _load(data: bytes, digest: str):
    """The synthesizer of model-file bytes, loaded once per process (the latest two models kept)."""
    with _CACHE_LOCK:
        if digest in _CACHE:
            return _CACHE[digest]
    from .base import BaseSynthesizer

    with tempfile.TemporaryDirectory(prefix="simulacra-") as d:
        path = os.path.join(d, "model.zip")
        with open(path, "wb") as f:
            f.write(data)
        synth = BaseSynthesizer.load(path, key=False)
    with _CACHE_LOCK:
        while len(_CACHE) >= 2:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[digest] = synth
    return synth


class PartitionSampler:
    """Partition ``i`` of a run: batch ``i`` of ``plan``, indexed by its global row positions.

    Small and picklable (model-file bytes, the plan, the re-draw bound); a worker calls it with ``i``.
    """

    def __init__(self, data: bytes, plan: BatchPlan, max_tries: int = MAX_TRIES):
        self.data = data
        self.digest = hashlib.sha256(data).hexdigest()
        self.plan = plan
        self.max_tries = max_tries

    def __call__(self, i: int) -> pd.DataFrame:
        synth = _load(self.data, self.digest)
        start, n, _ = self.plan.batch(int(i))
        out = synth.sample_batch(self.plan, int(i), max_tries_per_batch=self.max_tries)
        out.index = pd.RangeIndex(start, start + len(out))
        return out


def probe(synth) -> pd.DataFrame:
    """A few rows drawn with a fixed seed: the run's dtypes and row size."""
    return synth.sample_batch(BatchPlan(PROBE_ROWS, PROBE_ROWS, 0), 0)


def check_partitionable(synth, n_partitions: int) -> None:
    """A ConstraintError when a constraint tracks rows across batches (Unique) and the run has several."""
    stateful = [c for c in sampler.checked_constraints(synth) if c.tracks_run]
    if n_partitions > 1 and stateful:
        raise ConstraintError(
            f"{stateful[0]} tracks the rows of every batch before it, so partitions cannot be made apart; "
            "sample in one process (sample or the default engine), or drop that constraint"
        )


def partition_plan(synth, num_rows: int, seed=None, partition_rows: int | None = None):
    """``(plan, probe rows)`` of a partitioned run: partitions sized for about 100 MB unless given."""
    synth._check_fitted()
    if text_fill.fills(synth):
        raise ParameterError(
            f"text generators are attached to {', '.join(map(repr, text_fill.fills(synth)))}; a model file does not "
            "hold them, so workers cannot make those columns: sample in one process (sample)"
        )
    if partition_rows is not None and is_int(partition_rows) and partition_rows > MAX_PARTITION_ROWS:
        raise ParameterError(
            f"partition_rows {int(partition_rows):,} is over {MAX_PARTITION_ROWS:,} rows (a partition is made in a "
            "worker's memory); use a smaller --partition-rows"
        )
    rows = probe(synth)
    if partition_rows is None:
        per_row = float(rows.memory_usage(index=False, deep=True).sum()) / max(1, len(rows))
        partition_rows = partition_rows_for(per_row)
    plan = BatchPlan(num_rows, synth._batch_size(partition_rows), sdv_api.sampling_seed(synth, seed))
    check_partition_count(plan.n_batches, plan.batch_size)
    check_partitionable(synth, plan.n_batches)
    return plan, rows


def sample_dask(synth, num_rows: int, seed=None, partition_rows: int | None = None, max_tries_per_batch=None):
    """See :meth:`BaseSynthesizer.sample_dask`."""
    _, dd, _ = require_dask("sample_dask")
    plan, rows = partition_plan(synth, num_rows, seed, partition_rows)
    make = PartitionSampler(model_bytes(synth), plan, check_max_tries(max_tries_per_batch))
    meta = rows.iloc[:0]
    p = plan.batch_size
    divisions = tuple(int(x) for x in np.arange(plan.n_batches) * p) + (max(0, plan.num_rows - 1),)
    return dd.from_map(make, list(range(plan.n_batches)), meta=meta, divisions=divisions, label="simulacra-sample")


def write_dataset(
    synth,
    num_rows: int,
    out,
    seed=None,
    partition_rows=None,
    client=None,
    show_progress=False,
    overwrite=False,
    planned=None,
):
    """Sample ``num_rows`` rows into the Parquet dataset folder ``out`` (one file per partition).

    Written in a staging folder moved into place at the end: a failed run leaves nothing at ``out``.
    ``planned`` is ``partition_plan``'s ``(plan, probe rows)`` when made already. Returns
    ``(plan, rows per partition)``.
    """
    import pyarrow as pa

    from ..io.dask_engine import run_partitions, staged_dataset
    from ..io.writers import arrow_schema

    require_dask()
    plan, rows = planned if planned is not None else partition_plan(synth, num_rows, seed, partition_rows)
    make = PartitionSampler(model_bytes(synth), plan)
    schema = arrow_schema(pa.Table.from_pandas(rows, preserve_index=False).schema)
    with staged_dataset(out, overwrite=overwrite) as folder:
        counts = run_partitions(make, plan.n_batches, folder, client, show_progress, "sampling partitions", schema)
    return plan, counts
