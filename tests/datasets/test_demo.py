"""The shipped demos: download_demo / get_available_demos as SDV has them, and the hotel-guests table."""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd
import pytest

from simulacra.datasets import demo_metadata, download_demo, get_available_demos, hotel, load_demo
from simulacra.errors import ParameterError


def test_available_demos_have_sdvs_columns():
    demos = get_available_demos(modality="single_table")
    assert list(demos.columns) == ["dataset_name", "size_MB", "num_tables"]
    assert {"fake_hotel_guests", "penguins"} <= set(demos["dataset_name"])
    assert (demos["size_MB"] > 0).all() and (demos["num_tables"] == 1).all()
    assert {"nycflights13", "fake_hotels"} <= set(get_available_demos("multi_table")["dataset_name"])
    with pytest.raises(ParameterError, match="modality"):
        get_available_demos("tables")


def test_fake_hotel_guests_table_and_metadata():
    data, metadata = download_demo(modality="single_table", dataset_name="fake_hotel_guests")
    assert len(data) == 500 and list(data.columns) == list(hotel.METADATA["tables"]["fake_hotel_guests"]["columns"])
    assert metadata.primary_key == "guest_email" and data["guest_email"].is_unique
    cols = metadata.get_columns()
    assert {c for c, m in cols.items() if m.get("pii")} == {"guest_email", "billing_address", "credit_card_number"}
    assert cols["checkin_date"]["datetime_format"] == hotel.DATE_FORMAT
    ci = pd.to_datetime(data["checkin_date"], format=hotel.DATE_FORMAT)
    co = pd.to_datetime(data["checkout_date"], format=hotel.DATE_FORMAT)
    assert data["checkin_date"].map(type).eq(str).all() and ci.notna().all()
    assert (co.dropna() > ci[co.notna()]).all()
    assert 0.02 < data["checkout_date"].isna().mean() < 0.10
    assert 0.03 < data["amenities_fee"].isna().mean() < 0.15
    assert set(data["room_type"]) == {"BASIC", "DELUXE", "SUITE"}
    assert data["has_rewards"].dtype == bool
    assert pd.api.types.is_integer_dtype(data["credit_card_number"])  # as pandas reads it: PII all the same
    metadata.validate_data(data)


def test_shipped_json_is_the_generators_metadata():
    text = resources.files("simulacra.datasets").joinpath("data", "fake_hotel_guests.metadata.json").read_text()
    assert json.loads(text) == hotel.METADATA
    assert demo_metadata("fake_hotel_guests").to_dict()["tables"] == hotel.METADATA["tables"]


def test_generator_is_seeded():
    a, b = hotel.make_fake_hotel_guests(60, seed=3), hotel.make_fake_hotel_guests(60, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(hotel.make_fake_hotel_guests(60, seed=4))
    assert a["guest_email"].is_unique


def test_download_demo_writes_the_output_folder(tmp_path):
    data, metadata = download_demo("single_table", "penguins", output_folder_name=tmp_path / "demo")
    assert (tmp_path / "demo" / "penguins.csv").exists() and (tmp_path / "demo" / "metadata.json").exists()
    assert len(pd.read_csv(tmp_path / "demo" / "penguins.csv")) == len(data) == len(load_demo())
    with pytest.raises(ParameterError, match="already exists"):
        download_demo("single_table", "penguins", output_folder_name=tmp_path / "demo")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"modality": "multi_table", "dataset_name": "adult"}, "adult"),
        ({"modality": "single_table", "dataset_name": "adult"}, "unknown demo dataset 'adult'"),
        ({"modality": "single_table", "dataset_name": "penguins", "s3_bucket_name": "x"}, "nothing is downloaded"),
    ],
)
def test_download_demo_refuses_what_is_not_shipped(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        download_demo(**kwargs)
