"""Sampling with no model code: batch plans, the run's context, the re-draw loop and conditions.

- :class:`BatchPlan`: (``num_rows``, ``batch_size``, seed) -> per-batch seed and global row positions;
- :class:`SamplingContext`: the per-run state (transformer run state, constraints' trackers),
  built once per run and passed explicitly;
- :func:`redraw`: the bounded re-draw loop (``max_tries_per_batch``);
- :class:`Condition` (as ``sdv.sampling.Condition``) and the helpers that resolve conditions.

See DESIGN.md ("Sampling").
"""

from .conditions import Condition
from .context import SamplingContext
from .plan import (
    MAX_ROWS,
    BatchPlan,
    check_num_rows,
    check_output_rows,
    check_output_space,
)
from .redraw import MAX_TRIES, redraw

__all__ = [
    "MAX_ROWS",
    "MAX_TRIES",
    "BatchPlan",
    "Condition",
    "SamplingContext",
    "check_num_rows",
    "check_output_rows",
    "check_output_space",
    "redraw",
]
