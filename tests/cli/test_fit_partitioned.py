"""simulacra fit FOLDER: one table read in partitions (a Parquet dataset, or any folder with --engine dask)."""

import pandas as pd
import pytest

from .conftest import assert_one_error_line, invoke

pytest.importorskip("dask")


@pytest.fixture
def dataset(tmp_path, penguins):
    """penguins x 20 as a Parquet dataset of 4 files."""
    big = pd.concat([penguins] * 20, ignore_index=True)
    folder = tmp_path / "penguins_ds"
    folder.mkdir()
    for i, part in enumerate(range(0, len(big), len(big) // 4 + 1)):
        big.iloc[part : part + len(big) // 4 + 1].to_parquet(folder / f"part-{i}.parquet")
    return folder


def test_fit_a_parquet_dataset_folder_says_how_it_learned(dataset, tmp_path):
    r = invoke("fit", dataset, "-o", tmp_path / "m.zip")
    assert r.exit_code == 0, r.output
    assert "fitted from per-partition statistics of all 6,880 rows" in r.output
    assert "4 files, 6,880 rows" in r.output
    r = invoke("sample", tmp_path / "m.zip", "-n", "500", "-o", tmp_path / "s.csv", "--seed", "0")
    assert r.exit_code == 0, r.output
    out = pd.read_csv(tmp_path / "s.csv")
    assert len(out) == 500 and set(out["species"].dropna()) <= {"Adelie", "Gentoo", "Chinstrap"}


def test_fit_a_dataset_with_cart_reports_its_sample(dataset, tmp_path):
    r = invoke("fit", dataset, "-o", tmp_path / "m.zip", "-s", "cart")
    assert r.exit_code == 0, r.output
    assert "fitted on a stratified sample of" in r.output and "memory budget" in r.output


def test_fit_a_folder_on_a_local_cluster(dataset, tmp_path):
    pytest.importorskip("distributed")
    r = invoke("fit", dataset, "-o", tmp_path / "m.zip", "--engine", "dask", "--workers", "2")
    assert r.exit_code == 0, r.output
    assert ", dask;" in r.output


def test_a_folder_of_tables_stays_multi_table_and_bad_combinations_are_one_line(tmp_path, penguins):
    folder = tmp_path / "csvs"
    folder.mkdir()
    penguins.to_csv(folder / "penguins.csv", index=False)
    assert_one_error_line(invoke("fit", folder, "-o", tmp_path / "m.zip", "--workers", "2"), "--engine dask")
    r = invoke("fit", folder, "-o", tmp_path / "m.zip", "--engine", "dask", "--partition-rows", "10")
    assert r.exit_code == 2 and "No such option" in r.output  # fit reads partitions of its own size
    r = invoke("fit", folder, "-o", tmp_path / "m.zip")  # a folder of CSV tables: multi-table, as before
    assert r.exit_code == 0, r.output
    assert "per-partition" not in r.output


def test_a_folder_of_parquet_tables_is_multi_table(tmp_path, penguins):
    folder = tmp_path / "tables"
    folder.mkdir()
    penguins.to_parquet(folder / "penguins.parquet")
    penguins[["species", "island"]].drop_duplicates().to_parquet(folder / "islands.parquet")
    r = invoke("fit", folder, "-o", tmp_path / "m.zip")
    assert r.exit_code == 0, r.output
    assert "per-partition" not in r.output and "stratified" not in r.output


def test_options_a_partitioned_fit_cannot_use_are_one_line(dataset, tmp_path):
    assert_one_error_line(invoke("fit", dataset, "-o", tmp_path / "m.zip", "--sep", ";"), "--sep does not apply")
    assert_one_error_line(
        invoke("fit", dataset, "-o", tmp_path / "m.zip", "--sequence-key", "island"), "--sequence-key does not apply"
    )
