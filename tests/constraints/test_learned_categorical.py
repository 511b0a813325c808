import numpy as np
import pandas as pd
import pytest

from simulacra.constraints.learned import discover_rules
from simulacra.constraints.learned.categorical import LearnedCombinations
from simulacra.constraints.registry import constraint_to_state, constraints_from_state
from simulacra.errors import ConstraintError


def _penguins(n=600, seed=0):
    rng = np.random.default_rng(seed)
    species = rng.choice(["Adelie", "Gentoo", "Chinstrap"], n)
    island = np.where(
        species == "Gentoo",
        "Biscoe",
        np.where(species == "Chinstrap", "Dream", rng.choice(["Biscoe", "Dream", "Torgersen"], n)),
    )
    sex = rng.choice(["male", "female", None], n)
    return pd.DataFrame({"species": species, "island": island, "sex": sex})


META = {c: {"sdtype": "categorical"} for c in ["species", "island", "sex"]}


def test_species_island_found_and_enforced():
    df = _penguins()
    (rule,) = discover_rules(df, META, families=["categorical"])
    assert rule.columns == ["species", "island"]
    bad = df.copy()
    bad["island"] = bad["island"].sample(frac=1, random_state=1).to_numpy()
    assert not rule.is_valid(bad).all()
    fixed = rule.repair(bad)
    assert rule.is_valid(fixed).all()
    assert (fixed["species"] == bad["species"]).all()
    assert not ((fixed["species"] == "Gentoo") & (fixed["island"] != "Biscoe")).any()
    assert discover_rules(df, META, skip={"island"}, families=["categorical"]) == []


def test_round_trip_and_bad_parameters():
    rule = LearnedCombinations(["a", "b"], [["x", 1], ["y", None]])
    (back,), _ = constraints_from_state([constraint_to_state(rule)])
    assert back.combinations == [["x", 1], ["y", None]]
    assert back.is_valid(pd.DataFrame({"a": ["x", "y", "x"], "b": [1, None, None]})).tolist() == [True, True, False]
    with pytest.raises(ConstraintError):
        LearnedCombinations(["a"], [["x"]])
