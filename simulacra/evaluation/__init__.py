"""Evaluation of synthetic data: quality (column shapes, pair trends)."""

from .quality import QualityReport, evaluate_quality

__all__ = ["QualityReport", "evaluate_quality"]
