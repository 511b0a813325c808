"""Regressions for bugs the second independent review found."""

import numpy as np
import pandas as pd
import pytest

from simulacra import (
    CARTSynthesizer,
    Condition,
    GaussianCopulaSynthesizer,
    Metadata,
    evaluate_privacy,
    evaluate_utility,
    load_demo,
)
from simulacra.constraints import FixedCombinations, Inequality
from simulacra.errors import MetadataError


@pytest.mark.parametrize("klass", [GaussianCopulaSynthesizer, CARTSynthesizer])
def test_inequality_with_time_zones(klass):
    d = pd.DataFrame({"a": pd.date_range("2021", periods=300, freq="h", tz="Europe/Paris")})
    d["b"] = d["a"] + pd.to_timedelta(np.arange(300) % 7 + 1, unit="min")
    s = klass(Metadata.detect_from_dataframe(d))
    s.add_constraints([Inequality("a", "b")])
    out = s.fit(d).sample(200, seed=0)
    assert str(out["b"].dtype) == str(d["b"].dtype) and (out["b"] >= out["a"]).all()


def test_inequality_keeps_high_when_low_is_missing():
    rng = np.random.default_rng(0)
    lo = rng.normal(10, 2, 300)
    lo[::6] = np.nan
    d = pd.DataFrame({"lo": lo, "hi": np.nan_to_num(lo, nan=10) + rng.gamma(2, 1, 300)})
    s = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(d))
    s.add_constraints([Inequality("lo", "hi")])
    out = s.fit(d).sample(1000, seed=0)
    assert out["hi"].notna().all()
    assert ((out["hi"] >= out["lo"]) | out["lo"].isna()).all()


def test_fixed_combinations_with_dates(tmp_path):
    d = pd.DataFrame(
        {"c": pd.to_datetime(["2020-01-01", "2020-02-01"] * 50), "s": ["x", "y"] * 50, "v": np.arange(100.0)}
    )
    s = CARTSynthesizer(Metadata.detect_from_dataframe(d))
    s.add_constraints([FixedCombinations(["c", "s"])])
    out = s.fit(d).sample(100, seed=0)
    assert set(zip(out["c"].astype(str), out["s"])) <= {("2020-01-01", "x"), ("2020-02-01", "y")}
    assert out["c"].dtype == d["c"].dtype


def test_cart_conditions_on_observed_values_never_fail():
    pen = load_demo()
    s = CARTSynthesizer(Metadata.detect_from_dataframe(pen)).fit(pen)
    known = pen[["body_mass_g"]].dropna().sample(200, random_state=0)
    for seed in range(3):
        out = s.sample_remaining_columns(known, seed=seed)
        assert (out["body_mass_g"].to_numpy() == known["body_mass_g"].to_numpy()).all()
    for seed in range(50):
        s.sample_from_conditions([Condition({"body_mass_g": 6300.0}, 1)], seed=seed)


def test_evaluation_clear_errors_and_empty_features():
    pen = load_demo()
    md = Metadata.detect_from_dataframe(pen)
    with pytest.raises(MetadataError, match="synthetic data"):
        evaluate_privacy(pen, pen.drop(columns=["island"]), md, verbose=False)
    syn = pen.copy()
    syn["bill_depth_mm"] = np.nan
    r = evaluate_utility(pen, syn, pen, "species", md, verbose=False)
    assert r.get_score() > 0.5
    one = pen.copy()
    one["species"] = "Adelie"
    assert 0 < evaluate_utility(pen, one, pen, "species", md, verbose=False).get_score() < 0.6
