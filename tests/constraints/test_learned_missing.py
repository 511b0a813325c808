import numpy as np
import pandas as pd
import pytest

from simulacra.constraints.learned import discover_rules
from simulacra.constraints.learned.missing import LearnedMissingness
from simulacra.constraints.registry import constraint_to_state, constraints_from_state
from simulacra.errors import ConstraintError


def _flights(n=500, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({c: rng.normal(size=n) for c in ["dep_time", "arr_time", "air_time", "other"]})
    cancelled = rng.random(n) < 0.1
    df.loc[cancelled, ["dep_time", "arr_time", "air_time"]] = np.nan
    df.loc[~cancelled & (rng.random(n) < 0.05), "air_time"] = np.nan  # air_time also missing alone
    df.loc[rng.random(n) < 0.1, "other"] = np.nan
    return df


def test_cancelled_flights_rule_found_and_enforced():
    df = _flights()
    meta = {c: {"sdtype": "numerical"} for c in df}
    (rule,) = discover_rules(df, meta, families=["missing"])
    assert "arr_time missing <-> dep_time missing" in rule.describe()
    assert "dep_time missing -> air_time missing" in rule.describe()
    assert "other" not in rule.columns and ["air_time", "dep_time"] not in rule.implications
    bad = df.copy()
    for i, c in enumerate(bad):
        bad[c] = bad[c].sample(frac=1, random_state=i).to_numpy()
    assert not rule.is_valid(bad).all()
    assert rule.is_valid(rule.repair(bad)).all()
    assert discover_rules(df, meta, skip={"arr_time", "air_time"}, families=["missing"]) == []


def test_round_trip_and_bad_parameters():
    (back,), _ = constraints_from_state([constraint_to_state(LearnedMissingness([["a", "b"]]))])
    assert back.implications == [["a", "b"]] and back.describe() == "a missing -> b missing"
    with pytest.raises(ConstraintError):
        LearnedMissingness([])
    with pytest.raises(ConstraintError):
        LearnedMissingness(5)
