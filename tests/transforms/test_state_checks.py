"""Text fields of a transform's saved state that reach the output are checked on load.

AUDIT 10: an edited model (checksums recomputed) with datetime formats "%Q%Q" sampled the literal
"%Q%Q" on every row, format shares [0.3] loaded, and a NumericalTransform dtype "V8" or "object"
on an Int64 column gave 44.0. Each case is now a ModelFileError naming the column and the field.
"""

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import ModelFileError
from simulacra.metadata import Metadata
from simulacra.metadata.detection import DATETIME_FORMATS
from simulacra.synthesizers import GaussianCopulaSynthesizer
from simulacra.synthesizers.base import BaseSynthesizer
from simulacra.transforms._state_checks import check_numeric_dtype, check_shares, check_strftime, check_value_dtype
from ..conftest import write_model_file


@pytest.mark.parametrize("fmt", DATETIME_FORMATS + ("%H:%M:%S", "%H:%M:%S.%f", "%d %B %Y", "%Y%m%d", "%j/%Y"))
def test_every_format_simulacra_writes_passes(fmt):
    assert check_strftime(fmt, "format") == fmt


@pytest.mark.parametrize(
    "fmt,expected",
    [
        ("%Q%Q", "unknown strftime directive"),
        ("%Y-%m-%-d", "unknown strftime directive"),
        ("%Y-%k", "unknown"),
        ("%%Y", "no date or time directive"),
        ("date", "no date or time directive"),
        ("", "strftime format"),
        (7, "strftime format"),
        ("%Y" * 200, "at most 200"),
    ],
)
def test_bad_formats_are_refused(fmt, expected):
    with pytest.raises(ValueError, match=expected):
        check_strftime(fmt, "format")


def test_shares_must_match_and_sum_to_one():
    check_shares([0.25, 0.75], 2)
    for shares, n in (([0.3], 1), ([0.5, 0.6], 2), ([1.0], 2), ([1.5, -0.5], 2), ([float("nan")], 1)):
        with pytest.raises(ValueError, match="format_shares"):
            check_shares(shares, n)


def test_numeric_dtypes_are_a_whitelist_that_holds_the_bounds():
    for ok in ("int64", "Int64", "uint8", "UInt32", "float32", "Float64", "timedelta64[ns]"):
        check_numeric_dtype(ok, "Float" if ok.startswith(("f", "F", "t")) else "Int64", 0.0, 100.0)
    for bad in ("V8", "object", "<U3", "complex128", "datetime64[ns]", "category", "bool"):
        with pytest.raises(ValueError, match="not a numeric dtype"):
            check_numeric_dtype(bad, "Int64", 0.0, 1.0)
    with pytest.raises(ValueError, match="do not fit dtype 'int8'"):
        check_numeric_dtype("int8", "Int64", 0.0, 300.0)
    with pytest.raises(ValueError, match="does not fit computer_representation"):
        check_numeric_dtype("timedelta64[ns]", "Int64", 0.0, 1.0)


def test_value_dtypes_that_cut_or_void_values_are_refused():
    for ok in ("object", "category", "string", "bool", "boolean", "Int64", "float64", "datetime64[ns]"):
        check_value_dtype(ok, "dtype")
    for bad in ("V8", "<U1", "S2", "complex64", "no-such-dtype"):
        with pytest.raises(ValueError, match="dtype"):
            check_value_dtype(bad, "dtype")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    rng = np.random.default_rng(0)
    n = 40
    df = pd.DataFrame(
        {
            "when": (pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "count": pd.array(rng.integers(1, 50, n), dtype="Int64"),
            "kind": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "mail": [f"user{i}@example.com" for i in range(n)],
            "flag": rng.random(n) < 0.5,
        }
    )
    md = Metadata.detect_from_dataframe(df)
    md.update_column("mail", sdtype="email", pii=True)
    path = tmp_path_factory.mktemp("state") / "m.zip"
    GaussianCopulaSynthesizer(md).fit(df).save(path)
    return path


def _tamper(src, dst, column, **fields):
    with zipfile.ZipFile(src) as z:
        manifest = json.loads(z.read("manifest.json"))
        arrays = z.read("arrays.npz")
    st = next(t["state"] for t in manifest["state"]["transformer"]["transforms"] if t["state"]["column"] == column)
    st.update(fields)
    return write_model_file(dst, manifest, arrays)


def test_the_honest_model_loads(model):
    s = BaseSynthesizer.load(model).sample(20, seed=1)
    assert pd.to_datetime(s["when"], format="%Y-%m-%d").notna().all()
    assert str(s["count"].dtype) == "Int64"
    assert s["flag"].dtype == bool


CASES = {
    "10a formats": (
        "when",
        {"formats": ["%Q%Q"], "datetime_format": "%Q%Q"},
        r"column 'when'.*unknown strftime directive\(s\) %Q",
    ),
    "10a datetime_format": ("when", {"datetime_format": "%Q"}, "unknown strftime directive"),
    "10a literal": ("when", {"formats": ["%%Y-%%m"]}, "no date or time directive"),
    "10b shares": (
        "when",
        {"format_shares": [0.3]},
        r"format_shares of column 'when' \[0.3\] must be non-negative and sum to 1",
    ),
    "10b length": ("when", {"format_shares": [0.5, 0.5]}, "formats with shares"),
    "10c V8": ("count", {"dtype": "V8"}, "dtype 'V8' is not a numeric dtype"),
    "10c object": ("count", {"dtype": "object"}, "dtype 'object' is not a numeric dtype"),
    "10c representation": ("count", {"computer_representation": "Int8"}, "computer_representation 'Int8' differs"),
    "offset": ("when", {"utc_offset": "+1:00x"}, "not a UTC offset"),
    "category dtype": ("kind", {"dtype": "<U1"}, "cannot hold the column's values"),
    "category values": ("kind", {"dtype_categories": ["a", "b"]}, "missing from dtype_categories"),
    "category type": ("flag", {"categories": ["yes", True]}, r"category 'yes' does not fit the column's dtype 'bool'"),
    "pii locale": ("mail", {"locales": ["xx_YY"]}, "unknown locale 'xx_YY'"),
    "pii dtype": ("mail", {"dtype": "V3"}, "dtype 'V3'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_edited_text_fields_are_refused_on_load(model, tmp_path, case):
    column, fields, expected = CASES[case]
    p = _tamper(model, tmp_path / "x.zip", column, **fields)
    with pytest.raises(ModelFileError, match=expected):
        BaseSynthesizer.load(p)


@pytest.mark.parametrize(
    "fields, expected",
    [
        (
            {"dtype": "float16"},
            r"column 'count'.*dtype 'float16' is not an integer dtype.*learned as exact integers \(Int64",
        ),
        ({"dtype": "float64"}, "dtype 'float64' is not an integer dtype"),
        (
            {"dtype": "float16", "int_bounds": None, "max": 70000.0},
            r"bounds \[1.0, 70000.0\] do not fit dtype 'float16'",
        ),
    ],
)
def test_audit2_float_dtype_on_an_integer_column_is_refused(model, tmp_path, fields, expected):
    """Audit 2 #8: dtype float16 on an Int64 column loaded and sampled 5.0, 2.0."""
    p = _tamper(model, tmp_path / "x.zip", "count", **fields)
    with pytest.raises(ModelFileError, match=expected):
        BaseSynthesizer.load(p)


def test_float_dtypes_hold_their_bounds():
    check_numeric_dtype("float16", "Float", -65504.0, 65504.0)
    check_numeric_dtype("Float32", "Float", 0.0, 1e38)
    with pytest.raises(ValueError, match="do not fit dtype 'float32'"):
        check_numeric_dtype("float32", "Float", 0.0, 1e39)
