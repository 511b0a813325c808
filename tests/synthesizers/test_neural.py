"""CTGAN, TVAE and CopulaGAN train a few epochs on a small table (skipped only without torch)."""

import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from simulacra import CopulaGANSynthesizer, CTGANSynthesizer, TVAESynthesizer, evaluate_quality  # noqa: E402
from simulacra.constraints import Inequality  # noqa: E402
from simulacra.errors import ParameterError  # noqa: E402
from simulacra.synthesizers.base import BaseSynthesizer  # noqa: E402

KINDS = [
    (
        CTGANSynthesizer,
        dict(epochs=20, batch_size=100, generator_dim=(64, 64), discriminator_dim=(64, 64), embedding_dim=32),
    ),
    (
        TVAESynthesizer,
        dict(epochs=40, batch_size=100, compress_dims=(64, 64), decompress_dims=(64, 64), embedding_dim=32),
    ),
    (
        CopulaGANSynthesizer,
        dict(epochs=20, batch_size=100, generator_dim=(64, 64), discriminator_dim=(64, 64), embedding_dim=32),
    ),
]


@pytest.mark.parametrize("klass, kw", KINDS, ids=[k.__name__ for k, _ in KINDS])
def test_train_sample_save_load(klass, kw, penguins, penguins_metadata, tmp_path):
    s = klass(penguins_metadata, cuda=False, **kw)
    s.fit(penguins)
    losses = s.get_loss_values()
    assert len(losses) == kw["epochs"] and losses.notna().all().all()
    syn = s.sample(500, seed=0)
    assert syn.shape == (500, penguins.shape[1]) and (syn.dtypes == penguins.dtypes).all()
    for c in ["bill_length_mm", "body_mass_g"]:  # enforce_min_max_values
        assert syn[c].min() >= penguins[c].min() and syn[c].max() <= penguins[c].max()
    assert set(syn["species"]) <= set(penguins["species"])
    q = evaluate_quality(penguins, syn, penguins_metadata, verbose=False).get_score()
    assert q > 0.4  # a few epochs: worse than the copula, far better than nothing
    pd.testing.assert_frame_equal(s.sample(200, seed=3), s.sample(200, seed=3))
    path = tmp_path / "n.zip"
    s.save(path)
    back = BaseSynthesizer.load(path)
    assert type(back) is klass
    pd.testing.assert_frame_equal(back.sample(200, seed=3), s.sample(200, seed=3))


def test_same_seed_same_model(penguins, penguins_metadata):
    kw = dict(epochs=3, batch_size=100, generator_dim=(32,), discriminator_dim=(32,), embedding_dim=16, cuda=False)
    a = CTGANSynthesizer(penguins_metadata, **kw).fit(penguins).sample(100, seed=1)
    b = CTGANSynthesizer(penguins_metadata, **kw).fit(penguins).sample(100, seed=1)
    pd.testing.assert_frame_equal(a, b)


def test_constraints_and_parameters(penguins, penguins_metadata):
    s = TVAESynthesizer(penguins_metadata, epochs=5, batch_size=100, cuda=False)
    s.add_constraints([Inequality("bill_depth_mm", "bill_length_mm")])
    s.fit(penguins)
    out = s.sample(300, seed=0)
    ok = out[["bill_depth_mm", "bill_length_mm"]].dropna()
    assert (ok["bill_length_mm"] >= ok["bill_depth_mm"]).all()
    with pytest.raises(ParameterError, match="multiple of pac"):
        CTGANSynthesizer(penguins_metadata, batch_size=55, pac=10)
    with pytest.raises(ParameterError, match="epochs"):
        CTGANSynthesizer(penguins_metadata, epochs=0)
