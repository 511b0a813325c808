import numpy as np
import pandas as pd
import pytest

from simulacra.constraints.learned import discover_rules
from simulacra.constraints.learned.inequality import LearnedInequality
from simulacra.constraints.registry import constraint_to_state, constraints_from_state
from simulacra.errors import ConstraintError


def _hotel(n=400, seed=0):
    rng = np.random.default_rng(seed)
    checkin = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    checkout = checkin + pd.to_timedelta(rng.integers(1, 10, n), unit="D")
    df = pd.DataFrame({"checkin": checkin, "checkout": checkout, "fee": rng.normal(size=n)})
    df.loc[rng.random(n) < 0.05, "checkout"] = pd.NaT
    return df


META = {"checkin": {"sdtype": "datetime"}, "checkout": {"sdtype": "datetime"}, "fee": {"sdtype": "numerical"}}


def test_hotel_checkin_checkout_found_and_enforced_with_missing_kept():
    df = _hotel()
    rules = discover_rules(df, META, families=["inequality"])
    assert [r.describe() for r in rules] == ["checkin <= checkout"]
    bad = df.copy()
    bad["checkout"] = bad["checkout"].sample(frac=1, random_state=3).to_numpy()
    assert not rules[0].is_valid(bad).all()
    fixed = rules[0].repair(bad)
    assert rules[0].is_valid(fixed).all()
    assert fixed["checkout"].isna().sum() == bad["checkout"].isna().sum()
    assert fixed["checkout"].dtype == df["checkout"].dtype


def test_chain_all_hold_after_repair():
    rng = np.random.default_rng(1)
    a = rng.normal(size=500)
    df = pd.DataFrame({"a": a, "b": a + rng.random(500), "c": a + 2 + rng.random(500)})
    meta = {c: {"sdtype": "numerical"} for c in df}
    (rule,) = discover_rules(df, meta, families=["inequality"])
    assert rule.describe() == "a <= b, b <= c"
    bad = pd.DataFrame({c: rng.normal(size=500) for c in "abc"})
    assert rule.is_valid(rule.repair(bad)).all()
    assert discover_rules(df, meta, skip={"b", "c"}, families=["inequality"]) == []


def test_round_trip_and_bad_parameters():
    rule = LearnedInequality([["a", "b"]])
    entries = [constraint_to_state(rule)]
    (back,), _ = constraints_from_state(entries)
    assert back.edges == [["a", "b"]] and back.learned
    with pytest.raises(ConstraintError, match="cycle"):
        LearnedInequality([["a", "b"], ["b", "a"]])
    with pytest.raises(ConstraintError):
        LearnedInequality([])
