"""Evaluation of synthetic data: quality, diagnostics, privacy, ML utility, statistical tests."""

from .diagnostic import DiagnosticReport, run_diagnostic
from .plots import SVGFigure, get_column_pair_plot, get_column_plot, get_correlation_difference_plot
from .privacy import PrivacyReport, evaluate_privacy
from .quality import QualityReport, evaluate_quality
from .rule_validity import RuleValidityResult, rule_validity
from .stats import statistical_tests
from .utility import UtilityReport, evaluate_utility

__all__ = [
    "QualityReport",
    "evaluate_quality",
    "DiagnosticReport",
    "run_diagnostic",
    "PrivacyReport",
    "evaluate_privacy",
    "UtilityReport",
    "evaluate_utility",
    "statistical_tests",
    "rule_validity",
    "RuleValidityResult",
    "get_column_plot",
    "get_column_pair_plot",
    "get_correlation_difference_plot",
    "SVGFigure",
]
