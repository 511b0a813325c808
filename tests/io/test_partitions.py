"""Reading a source in bounded partitions (simulacra.io.partitions): Parquet, CSV folders, Dask."""

import pickle

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from simulacra.errors import FileFormatError, InvalidDataError
from simulacra.io.partitions import PartitionTask, is_partitioned_source, iter_task, map_tasks, open_source, read_task


def _frame(n, seed):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.choice(["a", "b", "c"], n),
            "i": rng.integers(0, 100, n),
            "m": rng.integers(0, 5, n).astype(float),
        }
    )
    df.loc[::7, "m"] = np.nan
    return df


@pytest.fixture
def parquet_folder(tmp_path):
    frames = [_frame(5000, s) for s in range(3)]
    for s, df in enumerate(frames):
        pq.write_table(
            pa.Table.from_pandas(df, preserve_index=False), tmp_path / f"part{s}.parquet", row_group_size=1200
        )
    (tmp_path / "_SUCCESS").write_text("")
    return tmp_path, pd.concat(frames, ignore_index=True)


def test_detects_sources(tmp_path, parquet_folder):
    folder, _ = parquet_folder
    assert is_partitioned_source(folder) and is_partitioned_source(str(folder))
    assert is_partitioned_source(folder / "part0.parquet") and is_partitioned_source("x.csv")
    assert not is_partitioned_source(pd.DataFrame({"a": [1]}))
    assert not is_partitioned_source(tmp_path / "notes.md") and not is_partitioned_source(3)


def test_parquet_partitions_are_bounded_and_complete(parquet_folder):
    folder, full = parquet_folder
    src = open_source(folder, max_rows=2500)
    assert src.columns == ["x", "k", "i", "m"]
    assert src.num_rows == 15000 and src.describe() == "3 files, 15,000 rows"
    parts = list(src.iter_partitions())
    assert max(len(p) for p in parts) <= 2500 and len(parts) > 6
    got = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(got[["x", "k", "i"]], full[["x", "k", "i"]])
    assert str(got["m"].dtype) == "Int64" and got["m"].isna().sum() == full["m"].isna().sum()
    tasks = src.partition_tasks()
    assert all(isinstance(t, PartitionTask) and len(pickle.dumps(t)) < 1000 for t in tasks)
    again = pd.concat([read_task(pickle.loads(pickle.dumps(t))) for t in tasks], ignore_index=True)
    pd.testing.assert_frame_equal(again, got)


def test_big_row_group_is_read_in_batches(tmp_path):
    df = _frame(10000, 1)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp_path / "one.parquet")  # one row group
    src = open_source(tmp_path / "one.parquet", columns=["x", "k"], max_rows=3000)
    (task,) = src.partition_tasks()
    sizes = [len(p) for p in iter_task(task)]
    assert sizes == [3000, 3000, 3000, 1000]
    assert list(src.head(4).columns) == ["x", "k"]


def test_default_partition_is_about_100_mb(parquet_folder):
    folder, _ = parquet_folder
    src = open_source(folder)
    assert 500_000 <= src.max_rows <= 4_000_000  # 4 columns, one of text: ~100 MB / (3 * 9 + 64) bytes


def test_csv_folder_keeps_reading_conventions(tmp_path):
    a = pd.DataFrame({"n": [1, 2, 3] * 400, "zip": ["00501", "02134", "10001"] * 400, "d": ["2021-03-04"] * 1200})
    b = a.assign(n=[1.5, 2.0, None] * 400)
    a.to_csv(tmp_path / "a.csv", index=False)
    b.to_csv(tmp_path / "b.csv", sep=";", index=False)
    src = open_source(tmp_path, max_rows=500)
    assert src.num_rows is None and src.describe() == "2 files, rows unknown"
    parts = list(src.iter_partitions())
    assert [len(p) for p in parts] == [500, 500, 200, 500, 500, 200]
    assert parts[0]["zip"].iloc[0] == "00501" and parts[0]["d"].iloc[0] == "2021-03-04"
    assert parts[0]["n"].dtype == np.int64 and parts[3]["n"].dtype == np.float64
    assert list(map_tasks(src, lambda t, frames: sum(len(f) for f in frames))) == [1200, 1200]


def test_hive_folder_adds_key_columns(tmp_path):
    for year in (2020, 2021):
        (tmp_path / f"year={year}").mkdir()
        pq.write_table(pa.table({"v": [1.0, 2.0]}), tmp_path / f"year={year}" / "p.parquet")
    df = pd.concat(list(open_source(tmp_path).iter_partitions()), ignore_index=True)
    assert df["year"].tolist() == ["2020", "2020", "2021", "2021"]


def test_clear_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidDataError, match="holds no data files"):
        open_source(tmp_path / "empty")
    with pytest.raises(FileFormatError, match="does not exist"):
        open_source(tmp_path / "nope")
    d = tmp_path / "mixed"
    d.mkdir()
    pq.write_table(pa.table({"a": [1], "b": [2]}), d / "one.parquet")
    pq.write_table(pa.table({"a": [1], "c": [2]}), d / "two.parquet")
    with pytest.raises(FileFormatError, match=r"'b' only in .*one.parquet.*'c' only in .*two.parquet"):
        open_source(d)
    (d / "two.parquet").unlink()
    (d / "notes.md").write_text("hello")
    with pytest.raises(FileFormatError, match=r"notes.md.*unknown file extension"):
        open_source(d)
    (d / "notes.md").unlink()
    (d / "bad.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(FileFormatError, match=r"bad.parquet.*corrupt"):
        open_source(d)
    (d / "bad.parquet").unlink()
    pq.write_table(pa.table({"a": ["x"], "b": [2]}), d / "three.parquet")
    with pytest.raises(FileFormatError, match=r"column 'a' is int64 in .*one.parquet.* but string"):
        open_source(d)


def test_csv_row_with_wrong_field_count_names_the_file(tmp_path):
    (tmp_path / "ok.csv").write_text("a,b\n1,2\n3,4\n")
    (tmp_path / "short.csv").write_text("a,b\n1,2\n3\n")
    src = open_source(tmp_path)
    with pytest.raises(FileFormatError, match=r"short.csv.*1 field\(s\) but the header has 2"):
        list(src.iter_partitions())
    (tmp_path / "short.csv").write_text("a,b\nx,2\n")
    with pytest.raises(FileFormatError, match=r"short.csv.*column types"):
        list(open_source(tmp_path).iter_partitions())
    (tmp_path / "short.csv").write_text("a,a\n1,2\n")
    with pytest.raises(FileFormatError, match="more than once"):
        open_source(tmp_path)


def test_dask_frame_partitions():
    dd = pytest.importorskip("dask.dataframe")
    df = _frame(3000, 2)
    ddf = dd.from_pandas(df, npartitions=3)
    assert is_partitioned_source(ddf)
    src = open_source(ddf, columns=["x", "k"])
    assert src.columns == ["x", "k"] and len(src.partition_tasks()) == 3 and src.kind == "dask"
    got = pd.concat(list(src.iter_partitions()), ignore_index=True)
    pd.testing.assert_frame_equal(got, df[["x", "k"]])


def test_a_pandas_index_stored_in_the_files_is_not_a_column(tmp_path):
    """df.iloc[rows].to_parquet(...) stores the index as __index_level_0__ in some files only (found on real tables)."""
    from simulacra.io.partitions import open_source

    df = pd.DataFrame({"a": np.arange(30), "b": list("xyz") * 10})
    df.iloc[:10].to_parquet(tmp_path / "p0.parquet")  # a RangeIndex: kept in the metadata only
    df.iloc[np.arange(10, 30)].to_parquet(tmp_path / "p1.parquet")  # an integer index: stored as a column
    src = open_source(tmp_path)
    assert list(src.columns) == ["a", "b"]
    got = pd.concat(list(src.iter_partitions()), ignore_index=True)
    pd.testing.assert_frame_equal(got.sort_values("a", ignore_index=True), df, check_dtype=False)
