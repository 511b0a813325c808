"""Reading tables: nothing is read wrongly without an error (issue #11, 'data read wrongly, silently')."""

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import FileFormatError, ParameterError
from simulacra.io import read_table, write_table


def _csv(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "text, line, fields",
    [
        ("a,b\n1,2,3,4\n5\n6,7\n", 2, 4),  # pandas took 1,2 as a hidden index
        ("a,b\n1,2\n5\n6,7\n", 3, 1),  # pandas padded the short row with NaN
        ("a,b\n1,2\n3,4,\n", 3, 3),  # a trailing delimiter is one field too many
        ('a,b\n"x,\ny",1\n\n2,3\n4\n', 6, 1),  # a quoted newline and a blank line before the bad row
    ],
)
def test_ragged_rows_name_the_line(tmp_path, text, line, fields):
    p = _csv(tmp_path, text)
    with pytest.raises(FileFormatError, match=rf"line {line} has {fields} field\(s\) but the header has 2"):
        read_table(p)


def test_quoted_delimiters_and_newlines_are_not_miscounted(tmp_path):
    p = _csv(tmp_path, 'a,b,c\n"x, y",1,"multi\nline, text"\n"say ""hi"", ok",2,plain\n')
    df = read_table(p)
    assert df.columns.tolist() == ["a", "b", "c"]
    assert df["a"].tolist() == ["x, y", 'say "hi", ok']
    assert df["c"].tolist() == ["multi\nline, text", "plain"]
    assert df["b"].tolist() == [1, 2]


def test_ragged_gzip_file(tmp_path):
    p = tmp_path / "d.csv.gz"
    with gzip.open(p, "wt") as f:
        f.write("a,b\n1,2\n3\n")
    with pytest.raises(FileFormatError, match="line 3 has 1 field"):
        read_table(p)


@pytest.mark.parametrize("sep", [";", "\t", "|", ","])
def test_delimiter_is_detected(tmp_path, sep):
    rows = [sep.join(["id", "price", "city"])] + [
        sep.join([str(i), f"{i},5" if sep == ";" else f"{i}.5", f"c{i % 3}"]) for i in range(30)
    ]
    p = _csv(tmp_path, "\n".join(rows) + "\n")
    df = read_table(p)
    assert df.columns.tolist() == ["id", "price", "city"]
    assert len(df) == 30 and df["city"].iloc[4] == "c1"
    assert df["id"].tolist() == list(range(30))


def test_txt_is_detected_and_tsv_is_tab(tmp_path):
    p = _csv(tmp_path, "a;b\n1;2\n3;4\n", name="d.txt")
    assert read_table(p).columns.tolist() == ["a", "b"]
    p = _csv(tmp_path, "a,b\tc\n1,2\t3\n", name="d.tsv")
    assert read_table(p).columns.tolist() == ["a,b", "c"]


def test_sep_parameter(tmp_path):
    p = _csv(tmp_path, "a;b,c\n1;2,3\n4;5,6\n")  # comma and semicolon both split it: ambiguous
    with pytest.raises(FileFormatError, match="pass sep="):
        read_table(p)
    assert read_table(p, sep=";").columns.tolist() == ["a", "b,c"]
    assert read_table(p, sep=",").columns.tolist() == ["a;b", "c"]
    assert read_table(_csv(tmp_path, "a\tb\n1\t2\n", name="t.csv"), sep="tab").columns.tolist() == ["a", "b"]
    assert read_table(_csv(tmp_path, "a\tb\n1\t2\n", name="t.csv"), sep="\\t").columns.tolist() == ["a", "b"]
    with pytest.raises(ParameterError, match="single character"):
        read_table(p, sep=";;")
    with pytest.raises(FileFormatError, match="line 2 has 1 field"):  # the wrong delimiter, given
        read_table(_csv(tmp_path, "a|b\n1;2\n", name="w.csv"), sep="|")
    pq = tmp_path / "d.parquet"
    write_table(pd.DataFrame({"a": [1, 2]}), pq)
    with pytest.raises(ParameterError, match="sep= applies to CSV"):
        read_table(pq, sep=";")


def test_one_column_file(tmp_path):
    df = read_table(_csv(tmp_path, "word\nalpha\nbeta\n"))
    assert df.columns.tolist() == ["word"] and df["word"].tolist() == ["alpha", "beta"]


@pytest.mark.parametrize(
    "header, match",
    [
        ("a,a,b", r"'a' appear more than once"),
        ("a,b,,c", r"column\(s\) 3 of 4 have no name"),
        ("a,b, ", r"column\(s\) 3 of 3 have no name"),
    ],
)
def test_duplicate_and_empty_headers(tmp_path, header, match):
    p = _csv(tmp_path, header + "\n" + ",".join(str(i) for i in range(header.count(",") + 1)) + "\n")
    with pytest.raises(FileFormatError, match=match):
        read_table(p)


def test_header_names_that_pandas_would_not_mangle_are_kept(tmp_path):
    df = read_table(_csv(tmp_path, "a,a.1,Unnamed: 0\n1,2,3\n"))
    assert df.columns.tolist() == ["a", "a.1", "Unnamed: 0"]


def test_bom_and_windows_newlines(tmp_path):
    p = tmp_path / "d.csv"
    p.write_bytes("\ufeffa;b\r\n1;x\r\n2;y\r\n".encode())
    df = read_table(p)
    assert df.columns.tolist() == ["a", "b"] and df["b"].tolist() == ["x", "y"]


def test_parquet_nested_columns_become_json_text(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = tmp_path / "n.parquet"
    t = pa.table(
        {
            "l": pa.array([[1, 2], [3], None, []]),
            "s": pa.array([{"x": 1, "y": "a"}, {"x": 2, "y": "b"}, None, {"x": 3, "y": None}]),
            "m": pa.array([[("k", 1)], [], None, [("k", 2), ("j", 3)]], type=pa.map_(pa.string(), pa.int64())),
            "v": [1, 2, 3, 4],
        }
    )
    pq.write_table(t, p)
    df = read_table(p)
    assert df["l"].tolist()[:2] == ["[1, 2]", "[3]"] and df["l"].isna().tolist() == [False, False, True, False]
    assert json.loads(df["s"].iloc[0]) == {"x": 1, "y": "a"}
    assert json.loads(df["m"].iloc[3]) == [["k", 2], ["j", 3]]
    assert df["v"].tolist() == [1, 2, 3, 4]
    from simulacra import GaussianCopulaSynthesizer, Metadata

    data = pd.concat([df] * 10, ignore_index=True)
    md = Metadata.detect_from_dataframe(data)
    out = GaussianCopulaSynthesizer(md).fit(data).sample(20, seed=1)
    assert set(out["l"].dropna()) <= set(df["l"].dropna())


def test_large_file_reads_the_same_as_pandas(tmp_path):
    rng = np.random.default_rng(0)
    n = 20_000
    df = pd.DataFrame(
        {"x": rng.normal(size=n).round(3), "k": rng.choice(["a", "b, c", 'q"uote'], n), "i": np.arange(n)}
    )
    p = tmp_path / "big.csv"
    df.to_csv(p, index=False)
    back = read_table(p)
    pd.testing.assert_frame_equal(back, df)
    with open(p, "a") as f:
        f.write("1.0,a,2,3\n")
    with pytest.raises(FileFormatError, match=f"line {n + 2} has 4 field"):
        read_table(p)


def test_parquet_types_round_trip_through_fit_and_write(tmp_path):
    import datetime
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    from simulacra import GaussianCopulaSynthesizer, Metadata

    n = 60
    rng = np.random.default_rng(0)
    src = tmp_path / "in.parquet"
    pq.write_table(
        pa.table(
            {
                "price": pa.array([decimal.Decimal(f"{v:.2f}") for v in rng.uniform(1, 100, n)], pa.decimal128(10, 2)),
                "opens": pa.array([datetime.time(8 + i % 10, i % 60, 0) for i in range(n)]),
                "day": pa.array(
                    [datetime.date(1500, 1, 1) + datetime.timedelta(days=int(d)) for d in rng.integers(0, 9000, n)],
                    pa.date32(),
                ),
                "big": pa.array([2**63 + int(k) for k in rng.integers(0, 500, n)], pa.uint64()),
                "x": rng.normal(size=n),
            }
        ),
        src,
    )
    df = read_table(src)
    out = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(df)).fit(df).sample(200, seed=0)
    dst = tmp_path / "out.parquet"
    write_table(out, dst)
    schema = pq.read_schema(dst)
    assert pa.types.is_decimal(schema.field("price").type) and schema.field("price").type.scale == 2
    assert pa.types.is_time(schema.field("opens").type)
    assert pa.types.is_date32(schema.field("day").type)
    assert schema.field("big").type == pa.uint64()
    back = pq.read_table(dst).to_pydict()
    assert min(back["day"]) >= min(df["day"]) and max(back["day"]) <= max(df["day"])
    assert min(back["big"]) >= int(df["big"].min()) and max(back["big"]) <= int(df["big"].max())
    assert len(set(back["big"])) > 50


def test_blank_lines_before_the_header_and_layout_options(tmp_path):
    with pytest.raises(FileFormatError, match="'a' appear more than once"):
        read_table(_csv(tmp_path, "\n\na,a\n1,2\n"))
    p = _csv(tmp_path, "# a comment line\nx,y\n1,2\n3,4\n", name="c.csv")
    assert read_table(p, comment="#").columns.tolist() == ["x", "y"]  # pandas options that change the layout


def test_big_integers_with_missing_values_are_read_exactly(tmp_path):
    p = _csv(tmp_path, "u,i,z\n9223372036854775809,9007199254740993,007\n,,\n9223372036854775813,-9007199254740995,2\n")
    df = read_table(p)
    assert str(df["u"].dtype) == "UInt64" and df["u"].tolist()[::2] == [2**63 + 1, 2**63 + 5]  # was text with ''
    assert str(df["i"].dtype) == "Int64" and df["i"].tolist()[::2] == [2**53 + 1, -(2**53) - 3]  # was rounded float64
    assert df["z"].tolist()[::2] == ["007", "2"]  # codes with leading zeros stay text
    assert df["u"].isna().tolist() == [False, True, False]


def test_decimal_commas_in_semicolon_files(tmp_path):
    p = _csv(tmp_path, "price;code;n\n7,32;007,5;1\n-2,5;1;2\n3;2,0;3\n")
    df = read_table(p)
    assert df["price"].tolist() == [7.32, -2.5, 3.0]
    assert df["code"].tolist() == ["007,5", "1", "2,0"]  # a leading zero: stays text
    assert df["n"].tolist() == [1, 2, 3]
    q = _csv(tmp_path, 'a,b\n"7,32",1\n', name="comma.csv")
    assert read_table(q)["a"].tolist() == ["7,32"]  # comma-separated files keep quoted commas as text


def test_leading_zeros_found_by_the_raw_scan(tmp_path):
    """The leading-zeros re-read is skipped only when no field can start with 0 and a digit; each way a field can start is seen."""
    from simulacra.io.files import _may_have_leading_zeros

    for text, expected in [
        ("a,b\n1,05\n", True),
        ('a,b\n1,"05"\n', True),
        ("a,b\n05,1\n", True),
        ("a,b\n1,-05\n", True),
        ("a,b\n1, 05\n", True),
        ("a,b\r\n1,2\r\n0,03\r\n", True),
        ("a,b\n1,0.5\n2,0\n-0.25,10\n", False),
    ]:
        assert _may_have_leading_zeros(_csv(tmp_path, text), ",") is expected, text
    assert _may_have_leading_zeros(_csv(tmp_path, "a;b\n1;05\n", name="semi.csv"), ";")
    df = read_table(_csv(tmp_path, "a,b,c\n1,0.5,-0.25\n2,0,10\n", name="plain.csv"))
    assert df["b"].tolist() == [0.5, 0.0] and df["a"].dtype.kind == "i"
    assert read_table(_csv(tmp_path, "a,b\n1,0012\n2,7\n", name="zeros.csv"))["b"].tolist() == ["0012", "7"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("pop\tcity\n999\tb\n12,500\tc\n3,000\td\n", [999, 12500, 3000]),  # US thousands in a TSV (was 12.5, 3.0)
        ("n;c\n1,234;a\n1,234,567;b\n-2,000.5;c\n", [1234, 1234567, -2000.5]),  # thousands commas, decimal dot
        ("n;c\n" + "".join(f"{8 + i % 3}.{93 + i:03d},{i % 90 + 10};x\n" for i in range(80)), None),  # 8.093,10
        ("n;c\n12,500;a\n7,32;b\n0,750;c\n", [12.5, 7.32, 0.75]),  # a decimal comma elsewhere: one reading
    ],
)
def test_thousands_separators_and_decimal_commas_read_as_written(tmp_path, text, expected):
    p = _csv(tmp_path, text, name="t.tsv" if "\t" in text else "d.csv")
    got = read_table(p)[p.read_text().split("\t" if "\t" in text else ";")[0]]
    if expected is None:  # thousands dots and a decimal comma (was an id with a regex, sampled as strings)
        rows = [line.split(";")[0] for line in text.splitlines()[1:]]
        expected = [float(r.replace(".", "").replace(",", ".")) for r in rows]
        assert got.iloc[0] == 8093.10 and got.dtype == "float64"
    assert got.tolist() == expected


@pytest.mark.parametrize(
    "text, match",
    [
        ("n;c\n1,234;a\n1.234;b\n", "'n' has numbers such as '1,234' and '1.234' that read either"),
        (
            "n;c\n1,234.5;a\n7,32;b\n",
            r"'n' mixes numbers written with thousands commas \('1,234.5'\) and with a decimal comma \('7,32'\)",
        ),
        (
            "n;c\n2.5;a\n1.234.567;b\n",
            r"'n' mixes numbers written with a decimal dot \('2.5'\) and with thousands dots \('1.234.567'\)",
        ),
    ],
)
def test_numbers_that_read_two_ways_are_an_error_naming_the_column(tmp_path, text, match):
    with pytest.raises(FileFormatError, match=match):
        read_table(_csv(tmp_path, text))
    # the caller's choice: pandas reads it (as text: object, or str on pandas 3)
    assert not pd.api.types.is_numeric_dtype(read_table(_csv(tmp_path, text), decimal=",")["n"])


def test_json_values_stay_as_written(tmp_path):
    """read_json's default coercion turned "007" into 7 and true next to floats into 1.0."""
    from simulacra.errors import InvalidDataError
    from simulacra.metadata import Metadata

    p = tmp_path / "m.jsonl"
    p.write_text('{"v": true, "s": "007", "n": 1}\n{"v": 0.25, "s": "12", "n": 2}\n{"v": true, "s": "x", "n": 3}\n')
    df = read_table(p)
    assert df["v"].tolist() == [True, 0.25, True] and df["s"].tolist() == ["007", "12", "x"]
    assert df["n"].tolist() == [1, 2, 3] and df["n"].dtype.kind == "i"
    with pytest.raises(InvalidDataError, match="'v' mixes true/false with numbers"):
        Metadata.detect_from_dataframe(df)


@pytest.mark.parametrize("name", ["big.jsonl", "big.json"])
def test_json_integers_beyond_64_bits_are_a_clear_error(tmp_path, name):
    p = tmp_path / name
    p.write_text('{"v": 18446744073709551616, "w": 0}\n{"v": 1, "w": 1}\n')
    with pytest.raises(FileFormatError, match="integer too big for 64 bits.*JSON strings"):
        read_table(p)


def test_excel_sep_line_names_the_delimiter_and_is_skipped(tmp_path):
    """Excel writes 'sep=;' as the first line: it was read as the header ('column(s) 2 of 2 have no name')."""
    df = read_table(_csv(tmp_path, "sep=;\na;b\n1;2,5\n3;007\n"))
    assert list(df.columns) == ["a", "b"] and df["a"].tolist() == [1, 3] and df["b"].tolist() == ["2,5", "007"]
    df = read_table(_csv(tmp_path, '"sep=|"\r\nx|y\r\n1|2\r\n', name="q.csv"))
    assert list(df.columns) == ["x", "y"] and df["y"].tolist() == [2]
    with pytest.raises(FileFormatError, match=r"line 4 has 3 field\(s\)"):
        read_table(_csv(tmp_path, "sep=;\na;b\n1;2\n3;4;5\n", name="bad.csv"))


def test_parquet_times_with_nanoseconds_name_the_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = tmp_path / "t.parquet"
    pq.write_table(pa.table({"x": [1, 2], "clock": pa.array([1_000_000_001, 2_000_000_000], pa.time64("ns"))}), p)
    with pytest.raises(FileFormatError, match=r"column\(s\) 'clock' have nanoseconds.*time64\('us'\)"):
        read_table(p)
    pq.write_table(pa.table({"clock": pa.array([1_000_000_000, 2_000_000_000], pa.time64("ns"))}), p)
    assert [str(v) for v in read_table(p)["clock"]] == ["00:00:01", "00:00:02"]  # whole microseconds read as before


def test_grouped_whole_numbers_are_read_exactly(tmp_path):
    df = read_table(_csv(tmp_path, "n;m;c\n9.007.199.254.740.993;1,5;a\n;2;b\n1.000;3;c\n"))
    assert str(df["n"].dtype) == "Int64" and df["n"].tolist()[::2] == [2**53 + 1, 1000]  # not rounded through float64
    assert df["m"].tolist() == [1.5, 2.0, 3.0]
    df = read_table(_csv(tmp_path, "n;c\n123.456.789.012.345.678.901;a\n1.000;b\n", name="big.csv"))
    assert df["n"].tolist() == ["123.456.789.012.345.678.901", "1.000"]  # beyond 64 bits: text, never rounded


def test_json_lines_big_integers_with_missing_values_are_read_exactly(tmp_path):
    """pandas rounded them through float64 (9223372036854775809 -> 9.223372036854776e18)."""
    p = tmp_path / "b.jsonl"
    p.write_text(
        '{"u": 9223372036854775809, "v": 9007199254740993, "f": 1e17}\n{"u": null, "v": -5, "f": null}\n'
        '{"u": 18446744073709551615, "v": null, "f": 2}\n'
    )
    df = read_table(p)
    assert str(df["u"].dtype) == "UInt64" and df["u"].tolist()[::2] == [2**63 + 1, 2**64 - 1]
    assert str(df["v"].dtype) == "Int64" and df["v"].tolist()[:2] == [2**53 + 1, -5]
    assert df["f"].tolist()[::2] == [1e17, 2.0]  # written as a float: pandas' reading stands


@pytest.mark.parametrize("name", ["small.jsonl", "small.json"])
def test_json_integers_below_minus_2_63_are_a_clear_error(tmp_path, name):
    """Audit 2, 11a: an integer below -2**63 gave a bare 'Value is too small' (the above-2**64 case had the hint)."""
    p = tmp_path / name
    p.write_text('{"v": -9223372036854775809}\n{"v": 2}\n')
    with pytest.raises(
        FileFormatError, match=r"integer too big for 64 bits \(outside -2\*\*63 .. 2\*\*64-1\).*JSON strings"
    ):
        read_table(p)


@pytest.mark.parametrize(
    "text, name, sep, likely",
    [
        ("a,b\n1,2\n3,4\n5,6\n", "d.csv", ";", ","),  # was one column 'a,b' of 1.2, 3.4, 5.6
        ("sep=;\na,b\n1,2\n3,4\n", "d.csv", None, ","),  # a wrong Excel 'sep=' line: the same merge
        ("a,b\n1,2\n3,4\n", "d.tsv", None, ","),  # a comma file named .tsv
        ("a;b\n1;2\n3;4\n", "d.csv", ",", ";"),  # one text column 'a;b' otherwise
        ("x|y|z\n1|2,5|3\n", "d.csv", "\t", "|"),
    ],
)
def test_a_delimiter_that_merges_the_columns_is_refused(tmp_path, text, name, sep, likely):
    """Audit 2, item 1: a wrong --sep (or Excel line) merged a comma CSV into decimal-comma floats, silently."""
    p = _csv(tmp_path, text, name=name)
    with pytest.raises(
        FileFormatError,
        match=rf"splits the header and every row into \d fields.*looks {likely!r}-separated; pass --sep {likely!r}",
    ):
        read_table(p, sep=sep)
    df = read_table(p, sep=likely)  # the named delimiter reads the file (an Excel line is still skipped)
    assert len(df.columns) >= 2 and df.iloc[0, 0] == 1


def test_a_wrong_excel_sep_line_is_named(tmp_path):
    p = _csv(tmp_path, "sep=;\na,b\n1,2\n3,4\n")
    with pytest.raises(FileFormatError, match=r"first line 'sep=;' names the wrong delimiter"):
        read_table(p)


@pytest.mark.parametrize(
    "text, sep, columns",
    [
        ("id;amount, EUR\n1;7,32\n2;8,5\n", ";", ["id", "amount, EUR"]),  # a comma in a name, as many fields either way
        ('"a,b"\n1,5\n2,5\n', ";", ["a,b"]),  # a quoted header: one column as written
        ("a;b\n1,5;2\n3;4,5\n", ";", ["a", "b"]),  # commas in the rows only
    ],
)
def test_commas_in_a_semicolon_file_are_not_taken_for_the_delimiter(tmp_path, text, sep, columns):
    df = read_table(_csv(tmp_path, text), sep=sep)
    assert list(df.columns) == columns


def test_merged_columns_are_refused_by_the_cli(tmp_path):
    from click.testing import CliRunner

    from simulacra.cli import cli

    p = _csv(tmp_path, "a,b\n1,2\n3,4\n5,6\n")
    out = tmp_path / "t.zip"
    r = CliRunner().invoke(cli, ["fit", str(p), "--sep", ";", "-o", str(out)])
    assert r.exit_code == 1 and not out.exists()
    err = r.stderr if hasattr(r, "stderr") else r.output
    assert "looks ','-separated; pass --sep ','" in err
