import numpy as np
import pandas as pd
import pytest

from simulacra import BayesianNetworkSynthesizer, Condition, evaluate_quality
from simulacra.errors import ParameterError
from simulacra.synthesizers.base import BaseSynthesizer


def test_fidelity_and_round_trip(penguins, penguins_metadata, tmp_path):
    s = BayesianNetworkSynthesizer(penguins_metadata).fit(penguins)
    syn = s.sample(3000, seed=0)
    assert (syn.dtypes == penguins.dtypes).all()
    q = evaluate_quality(penguins, syn, penguins_metadata, verbose=False)
    assert q.get_score() > 0.88
    assert syn.groupby("species")["flipper_length_mm"].median()["Gentoo"] > 205
    pd.testing.assert_frame_equal(s.sample(300, seed=5), s.sample(300, seed=5))
    s.save(tmp_path / "bn.zip")
    back = BaseSynthesizer.load(tmp_path / "bn.zip")
    pd.testing.assert_frame_equal(back.sample(300, seed=5), s.sample(300, seed=5))


def test_epsilon_adds_noise_but_keeps_validity(penguins, penguins_metadata):
    exact = BayesianNetworkSynthesizer(penguins_metadata).fit(penguins)
    private = BayesianNetworkSynthesizer(penguins_metadata, epsilon=0.5).fit(penguins)
    differs = exact._order != private._order or any(
        a.shape != b.shape or not np.allclose(a, b) for a, b in zip(exact._tables, private._tables)
    )
    assert differs
    # the noise is secret: two private fits of the same data differ
    again = BayesianNetworkSynthesizer(penguins_metadata, epsilon=0.5).fit(penguins)
    assert not again.sample(100, seed=0).equals(private.sample(100, seed=0))
    for t in private._tables:
        assert np.allclose(t.sum(axis=1), 1.0) and (t >= 0).all()
    syn = private.sample(1000, seed=0)
    assert set(syn["species"]) <= set(penguins["species"])
    q_exact = evaluate_quality(penguins, exact.sample(1000, seed=0), penguins_metadata, verbose=False).get_score()
    q_private = evaluate_quality(penguins, syn, penguins_metadata, verbose=False).get_score()
    assert q_private < q_exact


def test_conditions_by_redrawing(penguins, penguins_metadata):
    s = BayesianNetworkSynthesizer(penguins_metadata).fit(penguins)
    out = s.sample_from_conditions([Condition({"species": "Chinstrap"}, 100)], seed=0)
    assert (out["species"] == "Chinstrap").all()


def test_parameters(penguins_metadata):
    with pytest.raises(ParameterError, match="epsilon"):
        BayesianNetworkSynthesizer(penguins_metadata, epsilon=0)
    with pytest.raises(ParameterError, match="max_bins"):
        BayesianNetworkSynthesizer(penguins_metadata, max_bins=1)


@pytest.mark.parametrize("name", ["gaussian_copula", "cart", "bayesian_network", "ctgan", "tvae"])
def test_tables_with_nothing_to_learn(name, tmp_path):
    from simulacra import Metadata
    from simulacra.synthesizers import get_synthesizer_class

    if name in ("ctgan", "tvae"):
        pytest.importorskip("torch")
    df = pd.DataFrame(
        {"code": [f"C{i:02d}" for i in range(16)], "name": [f"Company number {i} of the list" for i in range(16)]}
    )
    md = Metadata.detect_from_dataframe(df)
    s = get_synthesizer_class(name)(md).fit(df)
    out = s.sample(40, seed=0)
    assert out["code"].is_unique and len(out) == 40
    s.save(tmp_path / "m.zip")
    assert len(BaseSynthesizer.load(tmp_path / "m.zip").sample(5, seed=1)) == 5
