"""Audit 2 #6: the evaluation API's options are checked: ``pair_threshold='False'`` acted as True
(``bool('False')``); text for a boolean, a float for a count or an alpha outside (0, 1) is a
ParameterError naming the option; numpy booleans and integers are fine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import ParameterError
from simulacra.evaluation import evaluate_privacy, evaluate_quality, evaluate_utility, run_diagnostic, statistical_tests
from simulacra.evaluation.report import build_report
from simulacra.metadata import Metadata

RNG = np.random.default_rng(0)
REAL = pd.DataFrame({"x": RNG.normal(size=60), "y": RNG.normal(size=60), "c": RNG.choice(list("abc"), 60)})
SYN = pd.DataFrame({"x": RNG.normal(size=60), "y": RNG.normal(size=60), "c": RNG.choice(list("abc"), 60)})
MD = Metadata.detect_from_dataframe(REAL)


@pytest.mark.parametrize("bad", ["False", "True", 0, 1, None, "no"])
def test_boolean_options_refuse_non_booleans(bad):
    with pytest.raises(ParameterError, match=r"pair_threshold must be True or False"):
        evaluate_quality(REAL, SYN, MD, pair_threshold=bad, verbose=False)
    with pytest.raises(ParameterError, match=r"verbose must be True or False"):
        evaluate_quality(REAL, SYN, MD, verbose=bad)
    with pytest.raises(ParameterError, match=r"verbose must be True or False"):
        run_diagnostic(REAL, SYN, MD, verbose=bad)
    with pytest.raises(ParameterError, match=r"verbose must be True or False"):
        evaluate_privacy(REAL, SYN, MD, verbose=bad)
    with pytest.raises(ParameterError, match=r"verbose must be True or False"):
        evaluate_utility(REAL, SYN, REAL, "c", MD, verbose=bad)


def test_numpy_booleans_are_booleans():
    a = evaluate_quality(REAL, SYN, MD, pair_threshold=np.False_, verbose=np.bool_(False))
    b = evaluate_quality(REAL, SYN, MD, pair_threshold=False, verbose=False)
    assert a.get_score() == b.get_score()
    assert a.pair_threshold is False


@pytest.mark.parametrize(
    "name, bad", [("max_rows", 10.0), ("max_rows", 0), ("max_reference_rows", "100"), ("max_reference_rows", True)]
)
def test_privacy_counts(name, bad):
    with pytest.raises(ParameterError, match=name):
        evaluate_privacy(REAL, SYN, MD, verbose=False, **{name: bad})
    assert evaluate_privacy(REAL, SYN, MD, verbose=False, **{name: np.int64(50)}).get_score() >= 0


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, "0.05", True, float("nan")])
def test_statistical_tests_alpha(bad):
    with pytest.raises(ParameterError, match="alpha must be a number strictly between 0 and 1"):
        statistical_tests(REAL, SYN, MD, alpha=bad)


def test_statistical_tests_correction_and_a_good_alpha():
    with pytest.raises(ParameterError, match="correction"):
        statistical_tests(REAL, SYN, MD, correction=None)
    out = statistical_tests(REAL, SYN, MD, alpha=np.float32(0.1))
    assert set(out["Column"]) == {"x", "y", "c"}


@pytest.mark.parametrize("bad", [2.0, -1, "8", True])
def test_report_max_column_plots(bad):
    with pytest.raises(ParameterError, match="max_column_plots"):
        build_report(REAL, SYN, MD, max_column_plots=bad)
