"""Every bad input gets a clear simulacra error naming the column or file, and writes nothing."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.cli import cli as main
from simulacra.errors import (
    FileFormatError,
    InvalidDataError,
    MetadataError,
    ModelFileError,
    NotFittedError,
    SimulacraError,
)
from simulacra.io import read_table


def fit(df):
    md = Metadata.detect_from_dataframe(df)
    return GaussianCopulaSynthesizer(md).fit(df)


def cli_fails(args, match):
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1, r.output
    err = r.stderr if hasattr(r, "stderr") else r.output
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert match in lines[0], lines[0]
    return lines[0]


def test_empty_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("")
    with pytest.raises(InvalidDataError, match="empty"):
        read_table(p)
    cli_fails(["fit", str(p), "-o", str(tmp_path / "m.zip")], "empty")
    assert not (tmp_path / "m.zip").exists()


def test_header_only(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("a,b,c\n")
    with pytest.raises(InvalidDataError, match="no data rows"):
        read_table(p)
    cli_fails(["metadata", str(p)], "no data rows")


def test_single_row():
    with pytest.raises(InvalidDataError, match="single row"):
        fit(pd.DataFrame({"a": [1.0], "b": ["x"]}))


def test_all_missing_column():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [np.nan] * 3})
    md = Metadata.detect_from_dataframe(df)
    md.update_column("b", sdtype="numerical")
    with pytest.raises(InvalidDataError, match="'b' has no values"):
        GaussianCopulaSynthesizer(md).fit(df)


def test_all_missing_column_cli(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b\n1,\n2,\n3,\n")
    cli_fails(["fit", str(p), "-o", str(tmp_path / "m.zip")], "'b'")
    assert not (tmp_path / "m.zip").exists()


def test_mixed_numbers_and_strings(tmp_path):
    with pytest.raises(InvalidDataError, match="'x' mixes numbers and strings"):
        fit(pd.DataFrame({"x": [1, 2, "three", 4.5]}))
    p = tmp_path / "mixed.csv"
    p.write_text("x\n" + "\n".join([str(i) for i in range(50)] + ["n/a?", "oops"]) + "\n")
    cli_fails(["fit", str(p), "-o", str(tmp_path / "m.zip")], "'x' is numeric except")


def test_inf_values():
    with pytest.raises(InvalidDataError, match="'v' has 1 infinite value"):
        fit(pd.DataFrame({"v": [1.0, np.inf, 3.0, 4.0]}))


def test_categorical_with_100k_distinct_values():
    n = 100_000
    df = pd.DataFrame({"code": np.char.add("c", np.arange(n).astype(str)), "x": np.arange(n) % 7})
    md = Metadata.detect_from_dataframe(df)
    assert md.columns["code"]["sdtype"] == "id"  # detection does not call it categorical
    md.update_column("code", sdtype="categorical")
    with pytest.raises(InvalidDataError, match="'code' is declared categorical but 100,000"):
        GaussianCopulaSynthesizer(md).fit(df)


def test_unicode_and_odd_column_names(tmp_path):
    df = pd.DataFrame(
        {
            "名前": ["東京", "大阪", "京都"] * 20,
            "a,b": np.arange(60) * 1.5,
            " spaced ": np.arange(60) % 3,
            'with "quote"': ["x", "ÿ", "ž"] * 20,
            "😀": np.arange(60),
            "1": np.arange(60) % 2 == 0,
        }
    )
    s = fit(df)
    syn = s.sample(100, seed=0)
    assert list(syn.columns) == list(df.columns)
    assert set(syn["名前"]) <= {"東京", "大阪", "京都"}
    s.save(tmp_path / "m.zip")
    out = tmp_path / "o.csv"
    GaussianCopulaSynthesizer.load(tmp_path / "m.zip").sample(50, seed=1, output_file_path=out)
    assert list(read_table(out).columns) == list(df.columns)


def test_non_csv_file(tmp_path):
    p = tmp_path / "image.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(FileFormatError, match="not a text CSV"):
        read_table(p)
    x = tmp_path / "book.xlsx"
    x.write_bytes(b"PK\x03\x04")
    with pytest.raises(FileFormatError, match="unsupported file extension"):
        read_table(x)
    cli_fails(["metadata", str(p)], "not a text CSV")


def test_metadata_names_missing_column(tmp_path, penguins):
    md = Metadata.detect_from_dataframe(penguins)
    md.add_column("wingspan", sdtype="numerical")
    with pytest.raises(MetadataError, match="'wingspan'"):
        GaussianCopulaSynthesizer(md).fit(penguins)
    mp = tmp_path / "meta.json"
    md.save_to_json(mp)
    data = tmp_path / "p.csv"
    penguins.to_csv(data, index=False)
    cli_fails(["fit", str(data), "-m", str(mp), "-o", str(tmp_path / "m.zip")], "'wingspan'")
    assert not (tmp_path / "m.zip").exists()


def test_unfitted_synthesizer(penguins_metadata):
    with pytest.raises(NotFittedError):
        GaussianCopulaSynthesizer(penguins_metadata).sample(3)


def test_corrupted_model_file(tmp_path):
    p = tmp_path / "m.zip"
    p.write_bytes(b"PK\x03\x04garbage" * 10)
    with pytest.raises(ModelFileError):
        GaussianCopulaSynthesizer.load(p)
    cli_fails(["sample", str(p), "-n", "5", "-o", str(tmp_path / "o.csv")], str(p))
    assert not (tmp_path / "o.csv").exists()


def test_failed_sampling_leaves_no_output(tmp_path):
    df = pd.DataFrame({"id": np.arange(100, dtype="int8"), "x": np.arange(100.0)})
    s = fit(df)  # int8 ids: at most 128 distinct values from 0
    out = tmp_path / "o.csv"
    with pytest.raises(SimulacraError, match="cannot hold"):
        s.sample(300, seed=0, batch_size=100, output_file_path=out)
    assert list(tmp_path.iterdir()) == []


def test_short_id_shapes_grow_instead_of_repeating():
    df = pd.DataFrame({"code": [f"A{i}" for i in range(10)], "x": np.arange(10.0)})
    s = fit(df)  # ids shaped A[0-9]: only 10 distinct values
    out = s.sample(500, seed=0, batch_size=100)
    assert out["code"].is_unique and out["code"].str.match(r"^A\d+$").all()


def test_bad_num_rows_and_seed(penguins, penguins_metadata):
    s = GaussianCopulaSynthesizer(penguins_metadata).fit(penguins)
    with pytest.raises(SimulacraError, match="num_rows"):
        s.sample(-1)
    with pytest.raises(SimulacraError, match="seed"):
        s.sample(3, seed="abc")
