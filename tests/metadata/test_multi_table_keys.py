"""Composite keys, self-references, cycles and the table order."""

import json

import pytest

from simulacra import Metadata
from simulacra.errors import MetadataError
from simulacra.metadata.relationships import table_order


def _orders_lines():
    md = Metadata()
    md.add_table("orders")
    md.add_column("shop", "orders", sdtype="id")
    md.add_column("order_no", "orders", sdtype="id")
    md.add_column("total", "orders", sdtype="numerical")
    md.add_table("lines")
    md.add_column("line_id", "lines", sdtype="id")
    md.add_column("shop", "lines", sdtype="id")
    md.add_column("order_no", "lines", sdtype="id")
    md.add_column("qty", "lines", sdtype="numerical")
    md.set_primary_key("line_id", "lines")
    return md


def test_composite_primary_key_relationship_and_json_round_trip(tmp_path):
    md = _orders_lines()
    md.set_primary_key(["shop", "order_no"], "orders")
    assert md.tables["orders"]["primary_key"] == ["shop", "order_no"]
    md.add_relationship("orders", "lines", ["shop", "order_no"], ["shop", "order_no"])
    md.validate()
    md.save_to_json(tmp_path / "m.json")
    saved = json.loads((tmp_path / "m.json").read_text())
    assert saved["tables"]["orders"]["primary_key"] == ["shop", "order_no"]
    assert saved["tables"]["lines"]["primary_key"] == "line_id"  # a single key stays a string
    assert saved["relationships"][0]["child_foreign_key"] == ["shop", "order_no"]
    back = Metadata.load_from_json(tmp_path / "m.json")
    assert back == md and back.get_table_order() == ["orders", "lines"]
    assert "primary key: shop, order_no" in md.visualize()
    # removing one column of the composite key removes the key and its relationships
    with pytest.warns(UserWarning, match="no primary key any more"):
        md.remove_column("order_no", "orders")
    assert md.tables["orders"]["primary_key"] is None and md.relationships == []


def test_composite_key_errors():
    md = _orders_lines()
    with pytest.raises(MetadataError, match="no column named 'nope'"):
        md.set_primary_key(["shop", "nope"], "orders")
    with pytest.raises(MetadataError, match="a column appears twice"):
        md.set_primary_key(["shop", "shop"], "orders")
    with pytest.raises(MetadataError, match="non-empty list of column names"):
        md.set_primary_key([], "orders")
    md.set_primary_key(("shop", "order_no"), "orders")  # a tuple is kept as a list
    assert md.tables["orders"]["primary_key"] == ["shop", "order_no"]
    with pytest.raises(MetadataError, match="the primary key has 2 column\\(s\\) and the foreign key 1"):
        md.add_relationship("orders", "lines", ["shop", "order_no"], "shop")
    with pytest.raises(MetadataError, match="\\['order_no', 'shop'\\] is not the primary key"):
        md.add_relationship("orders", "lines", ["order_no", "shop"], ["order_no", "shop"])
    with pytest.raises(MetadataError, match="the child table 'lines' has no column 'x'"):
        md.add_relationship("orders", "lines", ["shop", "order_no"], ["shop", "x"])
    with pytest.raises(MetadataError, match="key column 'order_no' has sdtype 'id' and the column 'qty' 'numerical'"):
        md.add_relationship("orders", "lines", ["shop", "order_no"], ["shop", "qty"])
    assert md.relationships == []
    with pytest.raises(MetadataError, match="primary_key.*non-empty list of column names"):
        Metadata.load_from_dict({"tables": {"t": {"columns": {"a": {"sdtype": "id"}}, "primary_key": ["a", 1]}}})


def test_sdv1_set_primary_key_spellings():
    md = _orders_lines()
    md.set_primary_key(table_name="lines", column_name="line_id")  # SDV 1 keywords
    md.set_primary_key("orders", "shop")  # SDV 1 multi-table order: table first
    assert md.tables["orders"]["primary_key"] == "shop"
    md.set_primary_key(column_name=["shop", "order_no"], table_name="orders")
    assert md.tables["orders"]["primary_key"] == ["shop", "order_no"]
    with pytest.raises(MetadataError, match="cannot make 'total' the primary key: its sdtype is 'numerical'"):
        md.set_primary_key("total", "orders")


def test_self_reference_and_cycles_are_allowed_and_ordered():
    md = Metadata()
    md.add_table("employees")
    for c in ("employee_id", "manager_id", "team_id"):
        md.add_column(c, "employees", sdtype="id")
    md.set_primary_key("employee_id", "employees")
    md.add_relationship("employees", "employees", "employee_id", "manager_id")
    md.add_table("teams")
    md.add_column("team_id", "teams", sdtype="id")
    md.add_column("lead_id", "teams", sdtype="id")
    md.set_primary_key("team_id", "teams")
    md.add_relationship("teams", "employees", "team_id", "team_id")
    md.validate()
    assert md.get_table_order() == ["teams", "employees"]  # the self-reference is ignored
    md.add_relationship("employees", "teams", "employee_id", "lead_id")  # a team's lead: a cycle
    md.validate()
    with pytest.raises(MetadataError, match="cycle: 'teams' -> 'employees' -> 'teams'.*remove_relationship"):
        md.get_table_order()
    lead = md.get_relationships("teams")[-1]
    assert lead["child_foreign_key"] == "lead_id"
    assert table_order(md.tables, md.relationships, skip=[lead]) == ["teams", "employees"]
    team = next(r for r in md.relationships if r["child_foreign_key"] == "team_id")
    assert table_order(list(md.tables), md.relationships, skip=[team]) == ["employees", "teams"]
    back = Metadata.load_from_dict(md.to_dict())
    back.validate()
    assert back.relationships == md.relationships
    with pytest.raises(MetadataError, match="a table's primary key cannot refer to itself"):
        md.add_relationship("employees", "employees", "employee_id", "employee_id")
