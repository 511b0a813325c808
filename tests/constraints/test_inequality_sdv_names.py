"""SDV's other inequality-family names: ScalarInequality, Range (two chained Inequality rules), OneHotEncoding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.constraints import OneHot, OneHotEncoding, Range, ScalarInequality
from simulacra.errors import ConstraintError

FMT = "%d %b %Y"


def trips(n=400, seed=0):
    rng = np.random.default_rng(seed)
    booked = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    checkin = booked + pd.to_timedelta(rng.integers(0, 30, n), unit="D")
    checkout = pd.Series(checkin + pd.to_timedelta(rng.integers(1, 9, n), unit="D"))
    checkout[rng.random(n) < 0.05] = pd.NaT
    df = pd.DataFrame({"booked": booked, "checkin": checkin, "checkout": checkout, "age": rng.integers(18, 80, n)})
    for c in ("booked", "checkin", "checkout"):
        df[c] = df[c].dt.strftime(FMT).astype(object).where(df[c].notna(), np.nan)
    return df


def metadata():
    cols = {c: {"sdtype": "datetime", "datetime_format": FMT} for c in ("booked", "checkin", "checkout")}
    cols["age"] = {"sdtype": "numerical", "computer_representation": "Int64"}
    return Metadata.load_from_dict({"tables": {"trips": {"columns": cols}}})


def test_range_on_text_dates_holds_on_every_row_and_reloads(tmp_path):
    real = trips()
    synth = GaussianCopulaSynthesizer(metadata())
    synth.add_constraints(
        [
            {"constraint_class": "Range", "constraint_parameters": {
                "low_column_name": "booked", "middle_column_name": "checkin", "high_column_name": "checkout"}},
            ScalarInequality("age", ">=", 21),
        ]
    )  # fmt: skip
    synth.fit(real[real["age"] >= 21])
    out = synth.sample(2000, seed=0)
    b, i, o = (pd.to_datetime(out[c], format=FMT) for c in ("booked", "checkin", "checkout"))
    assert (i >= b).all() and (o.dropna() >= i[o.notna()]).all()
    assert 0.02 < o.isna().mean() < 0.10  # real 5% missing checkouts
    assert (out["age"] >= 21).all()
    synth.save(tmp_path / "m.zip")
    pd.testing.assert_frame_equal(GaussianCopulaSynthesizer.load(tmp_path / "m.zip").sample(2000, seed=0), out)


def test_scalar_inequality_strict_and_bad_arguments():
    c = ScalarInequality("x", ">", 0)
    assert c.is_valid(pd.DataFrame({"x": [1.0, 0.0, np.nan]})).tolist() == [True, False, True]
    with pytest.raises(ConstraintError, match="relation"):
        ScalarInequality("x", "=>", 0)
    with pytest.raises(ConstraintError, match="number or a date"):
        ScalarInequality("x", ">", "soon")


def test_one_hot_encoding_is_sdvs_name_of_one_hot():
    assert issubclass(OneHotEncoding, OneHot) and Range.__name__ == "Range"
    df = pd.DataFrame({"a": [1, 0], "b": [0, 1]})
    assert OneHotEncoding(["a", "b"]).is_valid(df).all()
