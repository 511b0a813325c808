import json

import numpy as np
import pandas as pd
import pytest

from simulacra.constraints.learned import discover_rules
from simulacra.constraints.learned.lookup import LearnedLookup
from simulacra.constraints.registry import constraint_to_state, constraints_from_state
from simulacra.errors import ConstraintError

META = {
    "origin": {"sdtype": "categorical"},
    "dest": {"sdtype": "categorical"},
    "distance": {"sdtype": "numerical"},
    "delay": {"sdtype": "numerical"},
}


def _routes(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    origin = rng.choice(["EWR", "JFK", "LGA"], n)
    dest = rng.choice([f"D{i}" for i in range(30)], n)
    base = {"EWR": 0, "JFK": 7, "LGA": 13}
    distance = np.array([base[o] for o in origin]) + 100 * pd.Series(dest).str[1:].astype(int).to_numpy() + 50
    return pd.DataFrame({"origin": origin, "dest": dest, "distance": distance, "delay": rng.normal(size=n).round(1)})


def test_route_distance_is_found_and_repaired():
    df = _routes()
    (rule,) = discover_rules(df, META, families=["lookup"])
    assert rule.keys == ["origin", "dest"] and rule.target == "distance"
    assert rule.consumed_columns == ["distance"] and rule.is_valid(df).all()
    rule.fit(df, META)
    bad = df.copy()
    bad["dest"] = bad["dest"].sample(frac=1, random_state=1).to_numpy()
    bad.loc[:9, "dest"] = "nowhere"  # a key never seen: takes a seen route of the same origin
    assert not rule.is_valid(bad).all()
    fixed = rule.repair(bad)
    assert rule.is_valid(fixed).all() and fixed["distance"].dtype == df["distance"].dtype
    assert (fixed.loc[:9, "origin"] == bad.loc[:9, "origin"]).all()
    back = rule.reverse_transform(rule.transform(df))
    pd.testing.assert_frame_equal(back[df.columns], df)


def test_a_near_function_keeps_its_second_values_valid_and_noise_is_not_a_lookup():
    df = _routes()
    df.loc[0, "distance"] += 1  # one route with two distances a mile apart (as flights EGE)
    (rule,) = discover_rules(df, META, families=["lookup"])
    assert rule.is_valid(df).all()
    noisy = df.assign(distance=np.random.default_rng(2).integers(0, 5000, len(df)))
    assert discover_rules(noisy, META, families=["lookup"]) == []


def test_state_round_trip_and_bad_parameters():
    df = _routes()
    (rule,) = discover_rules(df, META, families=["lookup"])
    entries = json.loads(json.dumps([constraint_to_state(rule)]))
    (back,), _ = constraints_from_state(entries)
    assert back.get_parameters() == rule.get_parameters() and back.is_valid(df).all()
    with pytest.raises(ConstraintError):
        LearnedLookup(["a"], "a", [["x", 1]])
    with pytest.raises(ConstraintError):
        LearnedLookup(["a"], "b", [["x", float("nan")]])
    with pytest.raises(ConstraintError):
        LearnedLookup(["a", "b", "c"], "d", [["x", "y", "z", 1]])
