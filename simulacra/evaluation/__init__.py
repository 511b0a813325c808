"""Evaluation of synthetic data: quality, diagnostics, privacy, ML utility, statistical tests."""

from .diagnostic import DiagnosticReport, run_diagnostic
from .privacy import PrivacyReport, evaluate_privacy
from .quality import QualityReport, evaluate_quality
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
]
