"""Tables from a prompt: fields from columns or metadata, the strict JSON schema, the record validator."""

import datetime as dt

import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.errors import ParameterError
from simulacra.generative.schema import (
    RecordError,
    Validator,
    json_schema,
    resolve_fields,
)

SEED_COLUMNS = {
    "customer_id": "id",
    "order_id": "id",
    "order_date": "datetime",
    "product_id": "id",
    "product_name": "categorical",
}


def by_name(fields):
    return {f.name: f for f in fields}


def test_seed_columns_become_fields_and_a_strict_schema():
    fields = resolve_fields(columns=SEED_COLUMNS)
    assert [f.name for f in fields] == list(SEED_COLUMNS)
    f = by_name(fields)
    assert f["customer_id"].kind == "string" and f["customer_id"].unique
    assert f["order_date"].kind == "date"
    assert f["product_name"].kind == "string" and not f["product_name"].unique
    s = json_schema(fields)
    assert s["type"] == "object" and s["required"] == ["records"] and s["additionalProperties"] is False
    items = s["properties"]["records"]["items"]
    assert s["properties"]["records"]["type"] == "array"
    assert items["required"] == list(SEED_COLUMNS) and items["additionalProperties"] is False
    assert items["properties"]["order_date"]["type"] == "string"
    assert items["properties"]["order_date"]["format"] == "date"
    assert all(not isinstance(p["type"], list) for p in items["properties"].values())  # nothing nullable


def test_types_enums_and_nullable_fields():
    fields = resolve_fields(
        columns={
            "qty": "integer",
            "price": {"sdtype": "numerical", "nullable": True, "min": 0, "max": 1000, "decimal_places": 2},
            "paid": "boolean",
            "when": "timestamp",
            "at": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M"},
            "status": ["paid", "shipped", None],
            "size": [1, 2, 3],
            "email": "email",
            "note": {"sdtype": "text", "description": "a short review"},
        }
    )
    props = json_schema(fields)["properties"]["records"]["items"]["properties"]
    assert props["qty"]["type"] == "integer"
    assert props["price"]["type"] == ["number", "null"]
    assert props["paid"]["type"] == "boolean"
    assert props["when"]["format"] == "date-time" and props["at"]["format"] == "date-time"
    assert props["status"] == {**props["status"], "type": ["string", "null"], "enum": ["paid", "shipped", None]}
    assert props["size"]["type"] == "integer" and props["size"]["enum"] == [1, 2, 3]
    assert props["email"]["type"] == "string" and "email" in props["email"]["description"]
    assert props["note"]["description"].startswith("a short review")
    f = by_name(fields)
    assert (f["price"].minimum, f["price"].maximum, f["price"].decimals) == (0, 1000, 2)


@pytest.mark.parametrize(
    "columns, match",
    [
        ({}, "non-empty dict"),
        ({"a": "nonsense"}, "unknown sdtype"),
        ({"a": []}, "empty"),
        ({"a": [{"x": 1}]}, "strings, numbers or booleans"),
        ({"a": {"sdtype": "numerical", "colour": 1}}, "unknown option"),
        ({"a": {"sdtype": "numerical", "min": 5, "max": 1}}, "above max"),
        ({"a": {"sdtype": "text", "min": 1}}, "numerical columns"),
        ({"a": {"nullable": True}}, "needs an 'sdtype'"),
        ({"a": {"sdtype": "integer", "nullable": "yes"}}, "nullable must be"),
        ({"": "id"}, "non-empty strings"),
        ({"a": 3}, "sdtype name"),
        ({"a": [float("nan")]}, "finite"),
    ],
)
def test_bad_column_specs_are_refused_clearly(columns, match):
    with pytest.raises(ParameterError, match=match):
        resolve_fields(columns=columns)


def test_exactly_one_of_columns_and_metadata():
    with pytest.raises(ParameterError, match="exactly one"):
        resolve_fields()
    md = Metadata.detect_from_dataframe(pd.DataFrame({"a": [1, 2]}))
    with pytest.raises(ParameterError, match="exactly one"):
        resolve_fields(columns={"a": "id"}, metadata=md)
    with pytest.raises(ParameterError, match="Metadata"):
        resolve_fields(metadata={"columns": {}})


def test_fields_from_metadata():
    md = Metadata.load_from_dict(
        {
            "columns": {
                "order_id": {"sdtype": "id"},
                "qty": {"sdtype": "numerical", "computer_representation": "Int64", "range_min": 1},
                "price": {"sdtype": "numerical", "decimal_places": 2},
                "size": {"sdtype": "categorical", "order": ["S", "M", "L"]},
                "product": {"sdtype": "categorical"},
                "when": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M:%S"},
                "day": {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"},
                "email": {"sdtype": "email"},
                "ok": {"sdtype": "boolean"},
            },
            "primary_key": "order_id",
        }
    )
    f = by_name(resolve_fields(metadata=md))
    assert f["order_id"].kind == "string" and f["order_id"].unique and not f["order_id"].nullable
    assert f["qty"].kind == "integer" and f["qty"].minimum == 1 and f["qty"].nullable
    assert f["price"].kind == "number" and f["price"].decimals == 2
    assert f["size"].kind == "enum" and f["size"].options == ("S", "M", "L")
    assert f["product"].kind == "string"  # a categorical without a value list: strings
    assert f["when"].kind == "datetime" and f["day"].kind == "date"
    assert f["email"].kind == "string" and f["ok"].kind == "boolean"
    props = json_schema(list(f.values()))["properties"]["records"]["items"]["properties"]
    assert props["order_id"]["type"] == "string" and props["qty"]["type"] == ["integer", "null"]


def test_multi_table_metadata_is_refused():
    md = Metadata.detect_from_dataframes({"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"y": [2]})})
    with pytest.raises(ParameterError, match="2 tables"):
        resolve_fields(metadata=md)


@pytest.fixture(scope="module")
def validator():
    return Validator(
        resolve_fields(
            columns={
                "id": "id",
                "qty": {"sdtype": "integer", "min": 0},
                "price": {"sdtype": "numerical", "nullable": True, "decimal_places": 1},
                "day": "date",
                "at": "timestamp",
                "status": ["paid", "shipped"],
                "ok": "boolean",
            }
        )
    )


GOOD = {
    "id": "A1",
    "qty": 3,
    "price": 9.97,
    "day": "2024-02-29",
    "at": "2024-01-05T10:30:00Z",
    "status": "paid",
    "ok": True,
}


def test_validator_converts_to_typed_values(validator):
    row = validator.convert({**GOOD, "extra": "ignored"})
    assert row == {
        "id": "A1",
        "qty": 3,
        "price": 10.0,
        "day": dt.datetime(2024, 2, 29),
        "at": dt.datetime(2024, 1, 5, 10, 30),
        "status": "paid",
        "ok": True,
    }
    loose = validator.convert({**GOOD, "id": 17, "qty": "4", "price": None, "status": "Shipped", "ok": "false"})
    assert (loose["id"], loose["qty"], loose["price"], loose["status"], loose["ok"]) == (
        "17",
        4,
        None,
        "shipped",
        False,
    )
    assert validator.convert({**GOOD, "at": "2024-01-05T12:30:00+02:00"})["at"] == dt.datetime(2024, 1, 5, 10, 30)
    assert validator.convert({**GOOD, "qty": 5.0})["qty"] == 5


@pytest.mark.parametrize(
    "change, match",
    [
        ({"qty": 2.5}, "qty: expected an integer"),
        ({"qty": -1}, "qty: out of range"),
        ({"qty": True}, "qty: expected a number"),
        ({"qty": "many"}, "qty: expected a number"),
        ({"qty": None}, "qty: null"),
        ({"price": float("inf")}, "price: not a finite"),
        ({"day": "2023-02-29"}, "day: not an ISO date"),
        ({"day": "yesterday"}, "day: not an ISO date"),
        ({"day": "0900-01-01"}, "day: date out of range"),
        ({"day": 20240101}, "day: expected a date string"),
        ({"status": "lost"}, "status: not one of"),
        ({"ok": "maybe"}, "ok: expected true or false"),
        ({"id": "  "}, "id: empty string"),
        ({"id": ["A"]}, "id: expected a string"),
    ],
)
def test_validator_refuses_bad_values(validator, change, match):
    with pytest.raises(RecordError, match=match):
        validator.convert({**GOOD, **change})


def test_validator_refuses_missing_fields_and_non_objects(validator):
    rec = dict(GOOD)
    del rec["status"]
    with pytest.raises(RecordError, match="status: missing"):
        validator.convert(rec)
    with pytest.raises(RecordError, match="not an object"):
        validator.convert(["A1", 3])


def test_enum_values_keep_their_types():
    v = Validator(resolve_fields(columns={"n": [1, 2], "b": [True, False], "x": [0.5, 1.5]}))
    assert v.convert({"n": 2, "b": False, "x": 1.5}) == {"n": 2, "b": False, "x": 1.5}
    with pytest.raises(RecordError, match="n: not one of"):
        v.convert({"n": True, "b": False, "x": 0.5})  # True == 1 in Python, not in the schema
