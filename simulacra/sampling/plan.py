"""The batch plan of a sampling run, and the checks made before a run starts.

A plan maps (``num_rows``, ``batch_size``, seed) to batches: batch *b* covers rows
``[b * batch_size, min((b + 1) * batch_size, num_rows))`` and draws from child ``b + 1`` of the
run's ``SeedSequence`` (child 0 seeds the run's context: id permutations and the like). Nothing in
a plan is proportional to ``num_rows``: children are made as the batches are reached, so a run of
10**12 rows starts writing at once, in the memory of one batch.
"""

from __future__ import annotations

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
