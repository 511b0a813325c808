"""Inequality on every date representation the metadata allows, with missing values kept in step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.constraints import Inequality
from simulacra.errors import ConstraintError

FMT = "%d %b %Y"


def stays(n: int = 400, seed: int = 0, missing: float = 0.05) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    checkin = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    checkout = pd.Series(checkin + pd.to_timedelta(rng.integers(1, 9, n), unit="D"))
    checkout[rng.random(n) < missing] = pd.NaT
    return pd.DataFrame({"checkin_date": checkin, "checkout_date": checkout, "rate": rng.normal(100, 10, n)})


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in ("checkin_date", "checkout_date"):
        out[c] = df[c].dt.strftime(FMT).astype(object).where(df[c].notna(), np.nan)
    return out


def text_metadata(fmt=FMT) -> Metadata:
    cols = {
        "checkin_date": {"sdtype": "datetime"},
        "checkout_date": {"sdtype": "datetime"},
        "rate": {"sdtype": "numerical"},
    }
    if fmt:
        for c in ("checkin_date", "checkout_date"):
            cols[c]["datetime_format"] = fmt
    return Metadata.load_from_dict({"tables": {"stays": {"columns": cols}}})


def fit_sample(real, metadata, n=3000, strict=False):
    synth = GaussianCopulaSynthesizer(metadata)
    synth.add_constraints([Inequality("checkin_date", "checkout_date", strict_boundaries=strict)])
    synth.fit(real)
    return synth, synth.sample(n, seed=1)


@pytest.mark.parametrize("fmt", [FMT, None])
def test_text_dates_fit_and_every_row_holds(fmt):
    real = as_text(stays())
    synth, out = fit_sample(real, text_metadata(fmt))
    assert out["checkout_date"].dropna().map(type).eq(str).all()
    ci = pd.to_datetime(out["checkin_date"], format=FMT)
    co = pd.to_datetime(out["checkout_date"], format=FMT)
    assert (co.dropna() >= ci[co.notna()]).all()
    assert synth.get_constraints()[0].is_valid(out).all()
    # whole days stay whole days: text comes back in the column's own format
    assert (co.dropna() == co.dropna().dt.normalize()).all()


@pytest.mark.parametrize("kind", ["text", "datetime64", "date"])
def test_missing_high_dates_stay_at_the_real_rate(kind):
    base = stays(missing=0.05)
    real = {"text": as_text(base), "datetime64": base}.get(kind)
    if kind == "date":
        real = base.assign(
            checkin_date=base["checkin_date"].dt.date,
            checkout_date=base["checkout_date"].dt.date.astype(object).where(base["checkout_date"].notna(), None),
        )
    metadata = text_metadata(FMT if kind == "text" else None)
    _, out = fit_sample(real, metadata, n=4000)
    rate = out["checkout_date"].isna().mean()
    assert 0.02 < rate < 0.10, rate  # real 5%: not 0% (a missing gap must not become a zero gap)
    lo, hi = (
        pd.to_datetime(out["checkin_date"], format=FMT if kind == "text" else None),
        pd.to_datetime(out["checkout_date"], format=FMT if kind == "text" else None),
    )
    assert (hi.dropna() >= lo[hi.notna()]).all()


def test_strict_text_dates_are_at_least_one_step_apart():
    _, out = fit_sample(as_text(stays()), text_metadata(), strict=True)
    ci = pd.to_datetime(out["checkin_date"], format=FMT)
    co = pd.to_datetime(out["checkout_date"], format=FMT)
    assert (co.dropna() > ci[co.notna()]).all()


def test_is_valid_reads_text_dates_in_the_format():
    c = Inequality("a", "b")
    c.check_metadata(
        {"a": {"sdtype": "datetime", "datetime_format": FMT}, "b": {"sdtype": "datetime", "datetime_format": FMT}}
    )
    df = pd.DataFrame({"a": ["02 Jan 2020", "05 Jan 2020", None], "b": ["03 Jan 2020", "01 Jan 2020", "01 Jan 2020"]})
    assert c.is_valid(df).tolist() == [True, False, True]


def test_real_rows_breaking_the_rule_or_not_dates_are_refused():
    real = as_text(stays())
    bad = real.copy()
    bad.loc[0, "checkout_date"] = "01 Jan 2020"  # before its checkin
    synth = GaussianCopulaSynthesizer(text_metadata())
    synth.add_constraints([Inequality("checkin_date", "checkout_date")])
    with pytest.raises(ConstraintError, match="real rows break it"):
        synth.fit(bad)
    bad = real.copy()
    bad.loc[0, "checkout_date"] = "2021-02-30"
    with pytest.raises(Exception, match="checkout_date"):
        synth.fit(bad)


def test_text_date_rule_survives_the_model_file(tmp_path):
    synth, out = fit_sample(as_text(stays()), text_metadata(), n=200)
    synth.save(tmp_path / "m.zip")
    loaded = GaussianCopulaSynthesizer.load(tmp_path / "m.zip")
    pd.testing.assert_frame_equal(loaded.sample(200, seed=1), out)
