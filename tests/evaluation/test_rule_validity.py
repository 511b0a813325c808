import numpy as np
import pandas as pd
import pytest

from simulacra.constraints.builtin import Inequality
from simulacra.evaluation import rule_validity, run_diagnostic

META = {"columns": {"a": {"sdtype": "numerical"}, "b": {"sdtype": "numerical"}}}


def _tables():
    rng = np.random.default_rng(0)
    a = rng.normal(size=200)
    real = pd.DataFrame({"a": a, "b": a + rng.uniform(0, 1, 200)})
    syn = real.copy()
    syn.loc[:49, "b"] = syn.loc[:49, "a"] - 1  # 50 of 200 rows break a <= b
    return real, syn


def test_counts_rows_breaking_a_given_rule():
    real, syn = _tables()
    rule = Inequality(low_column_name="a", high_column_name="b")
    res = rule_validity(real, syn, META, rules=[rule])
    assert res.breaking_any_pct == pytest.approx(25.0)
    assert res.score == pytest.approx(0.75)
    assert res.details["Breaking %"].iloc[0] == pytest.approx(25.0)
    assert res.details["Real breaking %"].iloc[0] == 0.0


def test_no_rules_scores_one():
    real, syn = _tables()
    res = rule_validity(real, syn, META, rules=[])
    assert res.score == 1.0 and res.breaking_any_pct == 0.0


def test_diagnostic_lists_rule_validity():
    real, syn = _tables()
    rep = run_diagnostic(real, syn, META, verbose=False)
    assert "Rule Validity" in list(rep.get_properties()["Property"])
    assert "Breaking %" in rep.get_details("Rule Validity").columns
