import json

import numpy as np
import pandas as pd
import pytest
from faker import Faker

from simulacra import Metadata
from simulacra.errors import InvalidDataError, MetadataError
from simulacra.io import read_table

from ..conftest import DATASETS, catalog, dataset_names, need_datasets


def test_penguins_types(penguins):
    md = Metadata.detect_from_dataframe(penguins, table_name="penguins")
    cols = md.columns
    assert {c: m["sdtype"] for c, m in cols.items()} == {
        "species": "categorical",
        "island": "categorical",
        "bill_length_mm": "numerical",
        "bill_depth_mm": "numerical",
        "flipper_length_mm": "numerical",
        "body_mass_g": "numerical",
        "sex": "categorical",
        "year": "numerical",
    }
    assert cols["bill_length_mm"]["computer_representation"] == "Float"
    assert cols["flipper_length_mm"]["computer_representation"] == "Int64"
    assert md.primary_key is None


@pytest.mark.parametrize("file", dataset_names())
def test_detection_agrees_with_catalog(file):
    """Detected sdtypes match the catalog's, except that repeated keys may be seen as categorical."""
    need_datasets()
    t = next(t for t in catalog()["tables"] if t["file"] == file)
    df = read_table(DATASETS / file)
    md = Metadata.detect_from_dataframe(df, table_name=file)
    agree = 0
    for c in t["column_details"]:
        got = md.columns[c["name"]]["sdtype"]
        want = c["type"]
        ok = got == want or (want == "id" and got == "categorical") or (want == "categorical" and got == "numerical" and df[c["name"]].dtype.kind in "iu")
        ok = ok or (want == "text" and got in ("name", "company"))
        agree += ok
        if want == "datetime":
            assert got == "datetime"
            assert md.columns[c["name"]]["datetime_format"] == c["datetime_format"]
    assert agree == len(t["column_details"])
    if t.get("primary_key"):
        assert md.primary_key == t["primary_key"]


def test_pii_detection():
    fake = Faker("en_US")
    fake.seed_instance(0)
    n = 200
    df = pd.DataFrame(
        {
            "contact": [fake.email() for _ in range(n)],
            "phone": [fake.phone_number() for _ in range(n)],
            "first_name": [fake.first_name() for _ in range(n)],
            "last_name": [fake.last_name() for _ in range(n)],
            "customer": [fake.name() for _ in range(n)],
            "address": [fake.street_address() for _ in range(n)],
            "city": [fake.city() for _ in range(n)],
            "zip": [fake.postcode() for _ in range(n)],
            "card": [fake.credit_card_number() for _ in range(n)],
            "ip": [fake.ipv4() for _ in range(n)],
            "iban": [fake.iban() for _ in range(n)],
            "ssn": [fake.ssn() for _ in range(n)],
            "amount": np.arange(n) * 1.5,
        }
    )
    cols = Metadata.detect_from_dataframe(df).columns
    got = {c: m["sdtype"] for c, m in cols.items()}
    assert got == {
        "contact": "email",
        "phone": "phone_number",
        "first_name": "first_name",
        "last_name": "last_name",
        "customer": "name",
        "address": "address",
        "city": "city",
        "zip": "postcode",
        "card": "credit_card_number",
        "ip": "ipv4_address",
        "iban": "iban",
        "ssn": "ssn",
        "amount": "numerical",
    }
    assert all(cols[c].get("pii") for c in got if c != "amount")


def test_other_sdtypes():
    n = 120
    df = pd.DataFrame(
        {
            "order_id": [f"AB-{i:04d}" for i in range(n)],
            "flag": np.tile([0, 1], n // 2),
            "answer": np.tile(["yes", "no", "yes"], n // 3),
            "when": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%d/%m/%Y"),
            "stamp": pd.date_range("2020-01-01", periods=n, freq="h"),
            "review": ["this product was great and I would buy it again number %d" % i for i in range(n)],
            "color": np.tile(["red", "green", "blue"], n // 3),
        }
    )
    md = Metadata.detect_from_dataframe(df)
    cols = md.columns
    assert cols["order_id"] == {"sdtype": "id", "regex_format": "AB\\-[0-9]{4}"}
    assert md.primary_key == "order_id"
    assert cols["flag"]["sdtype"] == "boolean"
    assert cols["answer"]["sdtype"] == "boolean"
    assert cols["when"] == {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"}
    assert cols["stamp"]["sdtype"] == "datetime"
    assert cols["review"]["sdtype"] == "text"
    assert cols["color"]["sdtype"] == "categorical"


def test_update_and_keys(penguins):
    md = Metadata.detect_from_dataframe(penguins)
    md.update_column("year", sdtype="categorical")
    assert md.columns["year"] == {"sdtype": "categorical"}
    md.update_column("body_mass_g", computer_representation="Float")
    assert md.columns["body_mass_g"]["sdtype"] == "numerical"
    with pytest.raises(MetadataError, match="unknown sdtype"):
        md.update_column("year", sdtype="colour")
    with pytest.raises(MetadataError, match="no column named 'nope'"):
        md.update_column("nope", sdtype="numerical")
    with pytest.raises(MetadataError, match="computer_representation"):
        md.update_column("bill_length_mm", computer_representation="Int3")
    with pytest.raises(MetadataError, match="unknown option"):
        md.update_column("species", sdtype="categorical", datetime_format="%Y")
    md.add_column("row", sdtype="id")
    md.set_primary_key("row")
    assert md.primary_key == "row"
    with pytest.raises(MetadataError, match="no column named"):
        md.set_primary_key("missing")
    md.validate()


def test_json_round_trip_and_sdv_formats(tmp_path, penguins):
    md = Metadata.detect_from_dataframe(penguins, table_name="penguins")
    path = tmp_path / "meta.json"
    md.save_to_json(path)
    with pytest.raises(MetadataError, match="already exists"):
        md.save_to_json(path)
    back = Metadata.load_from_json(path)
    assert back == md
    d = json.loads(path.read_text())
    assert d["METADATA_SPEC_VERSION"] == "V1" and "penguins" in d["tables"]
    # SDV 1 single-table dict
    sdv1 = {"columns": {"a": {"sdtype": "numerical"}, "b": {"sdtype": "id"}}, "primary_key": "b", "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1"}
    m1 = Metadata.load_from_dict(sdv1)
    assert m1.primary_key == "b" and m1.columns["a"]["sdtype"] == "numerical"


def test_validate_messages(tmp_path):
    bad = {"columns": {"a": {"sdtype": "numerical"}}, "primary_key": "zz"}
    with pytest.raises(MetadataError, match="primary key 'zz'"):
        Metadata.load_from_dict(bad).validate()
    p = tmp_path / "m.json"
    p.write_text("{not json")
    with pytest.raises(MetadataError, match="not valid JSON"):
        Metadata.load_from_json(p)
    with pytest.raises(MetadataError, match="does not exist"):
        Metadata.load_from_json(tmp_path / "none.json")
    md = Metadata.load_from_dict({"columns": {"a": {"sdtype": "numerical"}, "gone": {"sdtype": "categorical"}}})
    with pytest.raises(MetadataError, match="'gone'"):
        md.validate_data(pd.DataFrame({"a": [1, 2]}))


def test_mixed_types_rejected():
    df = pd.DataFrame({"x": [1, 2, "three", 4]})
    with pytest.raises(InvalidDataError, match="mixes numbers and strings"):
        Metadata.detect_from_dataframe(df)
