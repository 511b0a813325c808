"""Multi-table JSON: SDV 1 (MULTI_TABLE_V1) and SDV 2 files are read, written back and round-tripped."""

import json

import pandas as pd
import pytest

from simulacra import Metadata

SDV1_MULTI = {
    "METADATA_SPEC_VERSION": "MULTI_TABLE_V1",
    "tables": {
        "users": {
            "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
            "columns": {"user_id": {"sdtype": "id"}, "email": {"sdtype": "email", "pii": True}},
            "primary_key": "user_id",
        },
        "orders": {
            "columns": {
                "order_id": {"sdtype": "id"},
                "user_id": {"sdtype": "id"},
                "amount": {"sdtype": "numerical", "computer_representation": "Float"},
            },
            "primary_key": "order_id",
        },
    },
    "relationships": [
        {
            "parent_table_name": "users",
            "child_table_name": "orders",
            "parent_primary_key": "user_id",
            "child_foreign_key": "user_id",
        }
    ],
}


def test_sdv1_multi_table_file_loads_and_round_trips(tmp_path):
    path = tmp_path / "sdv1.json"
    path.write_text(json.dumps(SDV1_MULTI))
    md = Metadata.load_from_json(path)
    assert list(md.tables) == ["users", "orders"] and md.get_table_order() == ["users", "orders"]
    assert "METADATA_SPEC_VERSION" not in md.tables["users"]
    assert md.relationships == SDV1_MULTI["relationships"]
    md.save_to_json(tmp_path / "out.json")
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["METADATA_SPEC_VERSION"] == "V1"
    assert out["tables"]["orders"] == SDV1_MULTI["tables"]["orders"]
    assert Metadata.load_from_json(tmp_path / "out.json") == md


def test_sdv2_reference_json_round_trips(tmp_path):
    sdv = pytest.importorskip("sdv")
    from sdv.metadata import Metadata as SDVMetadata

    users = pd.DataFrame({"user_id": [1, 2, 3], "age": [30, 40, 50]})
    orders = pd.DataFrame({"order_id": [10, 11, 12], "user_id": [1, 3, 3], "amount": [5.0, 6.0, 7.0]})
    ref = SDVMetadata.detect_from_dataframes({"users": users, "orders": orders})
    ref.save_to_json(tmp_path / "sdv.json")
    md = Metadata.load_from_json(tmp_path / "sdv.json")
    assert md.relationships == ref.to_dict()["relationships"]
    assert md.tables["users"]["primary_key"] == "user_id"
    md.save_to_json(tmp_path / "ours.json")
    back = SDVMetadata.load_from_json(tmp_path / "ours.json")  # SDV reads what simulacra writes
    assert back.to_dict()["relationships"] == ref.to_dict()["relationships"]
    assert sdv.__version__
