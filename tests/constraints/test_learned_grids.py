import numpy as np
import pandas as pd

from simulacra.constraints.learned import grids
from simulacra.metadata import Metadata


def _meta(d):
    return Metadata.detect_from_dataframe(d).get_columns("table")


def test_found_on_penguins_and_gapminder():
    d = pd.read_csv("/work/shared/datasets/penguins.csv")
    (rule,) = grids.discover(d, _meta(d), frozenset())
    assert rule.column == "body_mass_g" and rule.step == 25
    assert rule.describe().startswith("body_mass_g in steps of 25")
    assert rule.is_valid(d).all()
    g = pd.read_csv("/work/shared/datasets/gapminder.csv")
    assert [(r.column, r.step) for r in grids.discover(g, _meta(g), frozenset())] == [("year", 5.0)]


def test_not_found_on_noise():
    d = pd.read_csv("/work/shared/datasets/breast_cancer.csv")
    assert grids.discover(d, _meta(d), frozenset()) == []
    rng = np.random.default_rng(0)
    n = pd.DataFrame({"a": rng.integers(0, 1000, 2000), "b": rng.normal(size=2000).round(3)})
    assert grids.discover(n, _meta(n), frozenset()) == []


def test_repair_round_trip_and_state():
    rule = grids.GridColumn("m", 2700.0, 25.0, 144, "float64")
    rng = np.random.default_rng(1)
    bad = pd.DataFrame({"m": np.r_[rng.uniform(0, 9000, 500), np.nan]})
    fixed = rule.repair(bad)
    assert rule.is_valid(fixed).all() and fixed["m"].isna().sum() == 1
    assert fixed["m"].min() >= 2700 and fixed["m"].max() <= 6300
    good = pd.DataFrame({"m": [2700.0, 3725.0, 6300.0, np.nan]})
    pd.testing.assert_frame_equal(rule.reverse_transform(rule.transform(good)), good)
    assert grids.GridColumn(**rule.get_parameters()).get_parameters() == rule.get_parameters()
