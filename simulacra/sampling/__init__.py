"""Sampling plans: batches with their own seeds and global row positions (see DESIGN.md)."""

from .plan import (
    MAX_ROWS,
    BatchPlan,
    check_num_rows,
    check_output_rows,
    check_output_space,
)

__all__ = ["MAX_ROWS", "BatchPlan", "check_num_rows", "check_output_rows", "check_output_space"]
