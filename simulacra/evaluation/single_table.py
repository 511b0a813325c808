"""SDV's ``sdv.evaluation.single_table`` path.

``from simulacra.evaluation.single_table import evaluate_quality, run_diagnostic, get_column_plot,
get_column_pair_plot``: the same functions as :mod:`simulacra.evaluation`, with SDV's arguments
(``real_data``, ``synthetic_data``, ``metadata`` and ``column_name`` / ``column_names``, by keyword
or in SDV's order).
"""

from .diagnostic import DiagnosticReport, run_diagnostic
from .plots import get_column_pair_plot, get_column_plot
from .quality import QualityReport, evaluate_quality

__all__ = [
    "evaluate_quality",
    "run_diagnostic",
    "get_column_plot",
    "get_column_pair_plot",
    "QualityReport",
    "DiagnosticReport",
]
