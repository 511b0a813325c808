"""Fit refuses values that do not fit the computer_representation the metadata declares (it used
to write a model that sample then refused as damaged); values that fit are learned and sampled."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.errors import InvalidDataError
from simulacra.synthesizers.base import BaseSynthesizer
from simulacra.transforms.numerical import NumericalTransform


def _metadata(rep: str) -> Metadata:
    return Metadata.load_from_dict(
        {
            "tables": {
                "t": {
                    "columns": {
                        "a": {"sdtype": "numerical"},
                        "b": {"sdtype": "numerical", "computer_representation": rep},
                    }
                }
            }
        }
    )


@pytest.mark.parametrize(
    "rep, value, shown, wider",
    [
        ("Int8", 200, "from 4 to 200", "Int16"),
        ("Int8", -200, "from -200 to 8", "Int16"),
        ("UInt8", -5, "from -5 to 8", "Int8"),
        ("Int16", 40000, "from 4 to 40,000", "Int32"),
        ("UInt16", 70000, "from 4 to 70,000", "UInt32"),
        ("Int8", 127.5, "from 4 to 127.5", "Float"),
        ("Int8", 200.0, "from 4 to 200", "Int16"),
    ],
)
def test_fit_refuses_values_outside_the_declared_representation(tmp_path, rep, value, shown, wider):
    df = pd.DataFrame({"a": [1, 3, 5, 7], "b": [value, 4, 6, 8]})
    with pytest.raises(InvalidDataError) as e:
        GaussianCopulaSynthesizer(_metadata(rep)).fit(df)
    msg = str(e.value)
    assert f"'b' has values {shown}" in msg and f"computer_representation {rep}" in msg
    assert f"'{wider}'" in msg and "or fix the data" in msg


def test_fit_refuses_on_exact_integers_beyond_float_precision():
    s = pd.Series(np.array([0, 2**63 + 10], dtype=np.uint64), name="b")
    with pytest.raises(InvalidDataError, match=r"do not fit its computer_representation Int64 .*'UInt64'"):
        NumericalTransform("b", "Int64").fit(s)
    NumericalTransform("b", "UInt64").fit(s)
    with pytest.raises(InvalidDataError, match="Float"):
        NumericalTransform("b", "Int8").fit(pd.Series([-1, 2**64 - 1], dtype=object).astype(float))


@pytest.mark.parametrize("rep, lo, hi", [("Int8", -128, 127), ("UInt8", 0, 255), ("Int16", -32768, 32767)])
def test_values_at_the_limits_fit_and_the_model_samples(tmp_path, rep, lo, hi):
    df = pd.DataFrame({"a": [1, 3, 5, 7, 9], "b": pd.array([lo, hi, None, 3, 4], dtype="Int64")})
    GaussianCopulaSynthesizer(_metadata(rep)).fit(df).save(tmp_path / "m.zip")
    out = BaseSynthesizer.load(tmp_path / "m.zip").sample(50, seed=1)
    b = out["b"].dropna().astype(float)
    assert b.between(lo, hi).all()


def test_the_audit_case_through_the_cli(tmp_path):
    from click.testing import CliRunner

    from simulacra.cli import cli

    (tmp_path / "i.csv").write_text("a,b\n1,200\n3,4\n5,6\n7,8\n")
    md = {
        "METADATA_SPEC_VERSION": "V1",
        "tables": {
            "i": {
                "columns": {
                    "a": {"sdtype": "numerical"},
                    "b": {"sdtype": "numerical", "computer_representation": "Int8"},
                }
            }
        },
    }
    (tmp_path / "md.json").write_text(json.dumps(md))
    r = CliRunner().invoke(
        cli, ["fit", str(tmp_path / "i.csv"), "-m", str(tmp_path / "md.json"), "-o", str(tmp_path / "i.zip")]
    )
    assert r.exit_code == 1 and not (tmp_path / "i.zip").exists()
    lines = r.stderr.splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith("error: numerical column 'b' has values from 4 to 200")
        and "Int16" in lines[0]
    ), r.stderr


@pytest.mark.parametrize("rep", ["UInt8", "Int8", "Int64"])
def test_audit2_fit_refuses_fractions_for_an_integer_representation(rep):
    """Audit 2 #5: UInt8 with 6.5 fitted and sampled floats (6.0, 4.0)."""
    df = pd.DataFrame({"a": [1, 3, 5, 7], "b": [100, 4, 6.5, 8]})
    with pytest.raises(
        InvalidDataError,
        match=rf"'b' has fractional values \(such as 6.5\).*computer_representation {rep}.*'Float', or round the data",
    ):
        GaussianCopulaSynthesizer(_metadata(rep)).fit(df)


def test_audit2_whole_floats_fit_an_integer_representation():
    df = pd.DataFrame({"a": [1, 3, 5, 7], "b": [1e2, 4.0, 6.0, np.nan]})
    s = GaussianCopulaSynthesizer(_metadata("Int8"))
    s.fit(df)
    out = s.sample(50, seed=1)["b"].dropna()
    assert len(out) and (out == np.floor(out)).all() and out.between(4, 100).all()
