import numpy as np
import pandas as pd
import pytest

from simulacra.constraints.learned import clock
from simulacra.metadata import Metadata

FLIGHTS = "/work/shared/datasets/nycflights13_flights.csv"


def _meta(d):
    return Metadata.detect_from_dataframe(d).get_columns("table")


def test_found_on_flights():
    d = pd.read_csv(FLIGHTS, nrows=5000)
    found = {r.column for r in clock.discover(d, _meta(d), frozenset())}
    assert {"dep_time", "sched_dep_time", "arr_time", "sched_arr_time"} <= found
    assert "distance" not in found and "flight" not in found


def test_not_found_on_noise():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"a": rng.integers(0, 2400, 3000), "b": rng.normal(size=3000)})
    assert clock.discover(d, _meta(d), frozenset()) == []


def test_repair_round_trip_and_state():
    rule = clock.ClockColumn("t", 0, 1439, "float64")
    rng = np.random.default_rng(1)
    bad = pd.DataFrame({"t": np.r_[rng.uniform(-100, 3000, 500), np.nan, 1565.0]})
    fixed = rule.reverse_transform(rule.transform(bad))
    assert rule.is_valid(fixed).all() and fixed["t"].isna().sum() == 1
    good = pd.DataFrame({"t": [0.0, 59.0, 1530.0, 2359.0, np.nan]})
    back = rule.reverse_transform(rule.transform(good))
    pd.testing.assert_frame_equal(back, good)
    again = clock.ClockColumn(**rule.get_parameters())
    assert again.get_parameters() == rule.get_parameters()
    assert not rule.is_valid(pd.DataFrame({"t": [1565.0]})).any()


@pytest.mark.parametrize("x", [1565.0, 2460.0])
def test_transform_accepts_broken_rows(x):
    rule = clock.ClockColumn("t", 0, 1440, "float64")
    assert rule.is_valid(rule.repair(pd.DataFrame({"t": [x]}))).all()
