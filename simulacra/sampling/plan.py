"""The batch plan of a sampling run, and the checks made before a run starts.

A plan maps (``num_rows``, ``batch_size``, seed) to batches: batch *b* covers rows
``[b * batch_size, min((b + 1) * batch_size, num_rows))`` and draws from child ``b + 1`` of the
run's ``SeedSequence`` (child 0 seeds the run's context: id permutations and the like). Nothing in
a plan is proportional to ``num_rows``: children are made as the batches are reached, so a run of
10**12 rows starts writing at once, in the memory of one batch.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from .._random import as_seed_sequence, iter_spawn
from ..errors import ParameterError
from ..utils.validation import check_int, is_int

#: row positions are int64
MAX_ROWS = 2**63 - 1


def check_num_rows(num_rows, name: str = "num_rows") -> int:
    """``num_rows`` as an int, or a ParameterError (negative, not an integer, over 2**63 - 1)."""
    check_int(name, num_rows, minimum=0)
    if num_rows > MAX_ROWS:
        raise ParameterError(f"{name} must be at most 2**63 - 1 (row positions are 64-bit), got {int(num_rows):,}")
    return int(num_rows)


class BatchPlan:
    """Batches of at most ``batch_size`` rows, ``num_rows`` in all (one empty batch for 0 rows).

    Batch *b* covers rows ``[b * batch_size, min((b + 1) * batch_size, num_rows))`` and draws
    from child ``b + 1`` of the run's ``SeedSequence``; child 0 seeds the run's context. A plan
    is small and picklable: a worker given the model file, the plan and ``b`` makes batch *b*
    exactly as a full run does (``BaseSynthesizer.sample_batch``).

    Parameters
    ----------
    num_rows : int
        Rows of the run (0 to 2**63 - 1).
    batch_size : int
        Rows per batch (at least 1).
    seed : int, SeedSequence or Generator, optional
        The run's seed; a SeedSequence's children are counted from those it had already spawned.

    Attributes
    ----------
    num_rows, batch_size, n_batches : int
    seed_sequence : numpy.random.SeedSequence
    """

    def __init__(self, num_rows: int, batch_size: int, seed=None):
        self.num_rows = check_num_rows(num_rows)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.seed_sequence = as_seed_sequence(seed)
        self._base = self.seed_sequence.n_children_spawned
        self.n_batches = max(1, -(-self.num_rows // self.batch_size))

    def child(self, i: int) -> np.random.SeedSequence:
        """Child ``i`` of the run's sequence, as ``SeedSequence.spawn`` would make it (0: context)."""
        ss = self.seed_sequence
        return np.random.SeedSequence(
            ss.entropy, spawn_key=tuple(ss.spawn_key) + (self._base + i,), pool_size=ss.pool_size
        )

    def batch(self, b: int) -> tuple[int, int, np.random.SeedSequence]:
        """``(start, rows, seed sequence)`` of batch ``b``: made alone, it equals that batch of a full run."""
        if not is_int(b):
            raise ParameterError(
                f"b must be an integer batch index from 0 to {self.n_batches - 1:,} (the plan's batches), got {b!r}"
            )
        if not 0 <= b < self.n_batches:
            raise ParameterError(f"batch {b} is outside the plan's {self.n_batches} batches")
        start = b * self.batch_size
        return start, min(self.batch_size, self.num_rows - start), self.child(b + 1)

    def __iter__(self):
        """``(start, rows, seed sequence)`` for the context (first, with ``start`` -1) and each batch.

        The same children as one ``spawn(n_batches + 1)``, made as they are reached; a caller's
        SeedSequence advances the same way.
        """
        children = iter_spawn(self.seed_sequence, self.n_batches + 1)
        yield -1, 0, next(children)
        for b, child in enumerate(children):
            start = b * self.batch_size
            yield start, min(self.batch_size, self.num_rows - start), child


def check_plan(plan) -> BatchPlan:
    """``plan`` if it is a consistent :class:`BatchPlan`; a ParameterError saying what to pass otherwise.

    A plan may come from another process (pickled): its row count, batch size, number of batches
    and seed are checked to agree with each other, as ``BatchPlan`` made them.
    """
    if not isinstance(plan, BatchPlan):
        raise ParameterError(
            f"plan must be a BatchPlan, as synth.plan(num_rows, batch_size=..., seed=...) returns, "
            f"got {type(plan).__name__}"
        )
    redo = "make a new one with synth.plan(num_rows, batch_size=..., seed=...)"
    try:
        num_rows = check_num_rows(getattr(plan, "num_rows", None), "the plan's num_rows")
        batch_size = check_int("the plan's batch_size", getattr(plan, "batch_size", None), minimum=1)
    except ParameterError as e:
        raise ParameterError(f"{e}; {redo}") from None
    n_batches = getattr(plan, "n_batches", None)
    if not is_int(n_batches) or n_batches != max(1, -(-num_rows // batch_size)):
        raise ParameterError(
            f"the plan's n_batches ({n_batches!r}) does not match its {num_rows:,} rows in batches of "
            f"{batch_size:,}; {redo}"
        )
    seed_sequence = getattr(plan, "seed_sequence", None)
    if not isinstance(seed_sequence, np.random.SeedSequence) or not is_int(getattr(plan, "_base", None)):
        raise ParameterError(f"the plan's seed_sequence is not a numpy SeedSequence; {redo}")
    return plan


def _human(nbytes: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB", "EB"):
        if nbytes < 1000 or unit == "EB":
            return f"{nbytes:,.0f} {unit}" if unit == "bytes" else f"{nbytes:,.1f} {unit}"
        nbytes /= 1000
    return f"{nbytes:.1f} EB"  # pragma: no cover


def check_output_space(path, rows: int, bytes_per_row: float, sampled: int, what: str = "rows", shown=None) -> float:
    """Refuse (ParameterError) a run whose estimated output does not fit the free space of ``path``'s folder.

    ``bytes_per_row`` was measured on ``sampled`` rows; ``shown`` names the output in the message
    (default ``path``). Returns the estimated size in bytes.
    """
    path = Path(path)
    shown = str(path) if shown is None else str(shown)
    folder = path.parent if str(path.parent) else Path(".")
    estimate = float(rows) * float(bytes_per_row)
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return estimate
    if estimate > free:
        raise ParameterError(
            f"{rows:,} {what} would make {shown!r} about {_human(estimate)} (about {bytes_per_row:,.1f} bytes per row, "
            f"measured on {sampled} sampled rows) but its folder has {_human(free)} free; ask for fewer rows (-n) "
            "or write to a disk with more space"
        )
    return estimate


#: runs to a file above this many rows are checked against the free disk space first
SPACE_CHECK_ROWS = 100_000
SPACE_PROBE_ROWS = 512


def check_output_rows(synthesizer, num_rows, path) -> None:
    """Before a run of a fitted ``synthesizer`` to the file ``path``: refuse it (ParameterError)
    when ``num_rows`` is not a row count or its estimated size exceeds the free disk space.

    The size per row is measured on a few rows drawn with a fixed seed and written in memory in
    the file's format; runs of at most ``SPACE_CHECK_ROWS`` rows are not measured.
    """
    from ..io.writers import estimate_bytes_per_row

    if not is_int(num_rows) or num_rows < 0:
        check_num_rows(num_rows)  # raises
    if num_rows > SPACE_CHECK_ROWS:
        probe = next(synthesizer.iter_batches(SPACE_PROBE_ROWS, seed=0, batch_size=SPACE_PROBE_ROWS))
        check_output_space(path, int(num_rows), estimate_bytes_per_row(probe, path), len(probe))
    check_num_rows(num_rows)


#: in-memory runs above this many rows are checked against the available memory first
MEMORY_CHECK_ROWS = 1_000_000


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux ``MemAvailable``, else free pages); None if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def check_memory_rows(synthesizer, num_rows: int) -> None:
    """Before an in-memory run of ``num_rows`` rows (no output file): refuse it (ParameterError) when
    the rows cannot fit in the available memory.

    The size per row is measured (``DataFrame.memory_usage(deep=True)``) on a few rows drawn with a
    fixed seed; runs of at most ``MEMORY_CHECK_ROWS`` rows are not measured (no cost for them).
    """
    if num_rows <= MEMORY_CHECK_ROWS:
        return
    free = available_memory()
    if free is None:
        return
    probe = next(synthesizer.iter_batches(SPACE_PROBE_ROWS, seed=0, batch_size=SPACE_PROBE_ROWS))
    per_row = float(probe.memory_usage(index=False, deep=True).sum()) / max(1, len(probe))
    estimate = float(num_rows) * per_row
    if estimate > free:
        raise ParameterError(
            f"{num_rows:,} rows would take about {_human(estimate)} of memory (about {per_row:,.1f} bytes per row, "
            f"measured on {len(probe)} sampled rows) but {_human(free)} is available; pass output_file_path to "
            "stream the rows to a file, or ask for fewer rows"
        )
