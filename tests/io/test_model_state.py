"""Learned state is checked for meaning on load, not only for its checksum.

Each test edits a real saved model the way an attacker would (change values, re-write the
arrays, recompute both SHA-256 checksums) and expects a ModelFileError naming what is wrong.
"""

import io
import json
import zipfile

import numpy as np
import pytest

from simulacra.errors import ModelFileError
from simulacra.synthesizers import get_synthesizer_class
from simulacra.synthesizers.base import BaseSynthesizer
from ..conftest import npz_bytes, read_model_arrays, read_model_file, write_model_file

FAMILIES = {
    "gaussian_copula": {},
    "cart": {},
    "bayesian_network": {},
    "ctgan": {
        "epochs": 1,
        "batch_size": 100,
        "embedding_dim": 8,
        "generator_dim": (16,),
        "discriminator_dim": (16,),
        "cuda": False,
    },
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory, penguins, penguins_metadata):
    out = {}
    d = tmp_path_factory.mktemp("models")
    for name, params in FAMILIES.items():
        if name == "ctgan":
            pytest.importorskip("torch")
        s = get_synthesizer_class(name)(penguins_metadata, **params).fit(penguins.head(200))
        path = d / f"{name}.zip"
        s.save(path)
        out[name] = path
    return out


def tamper(src, dst, edit):
    """Apply ``edit(manifest, arrays)`` and re-write the file with valid checksums."""
    manifest, raw = read_model_file(src)
    arrays = read_model_arrays(raw)
    edit(manifest, arrays)
    return write_model_file(dst, manifest, npz_bytes(arrays))


def transform(manifest, column):
    return next(t["state"] for t in manifest["state"]["transformer"]["transforms"] if t["state"]["column"] == column)


def arr(arrays, ref):
    return arrays[ref["__array__"]]


def put(arrays, ref, value):
    arrays[ref["__array__"]] = np.asarray(value)


# ---------------------------------------------------------------- shared: transforms and metadata
def _min_above_max(m, a):
    st = transform(m, "bill_length_mm")
    st["min"], st["max"] = st["max"] + 10, st["min"]


def _probabilities_off(m, a):
    st = transform(m, "species")
    put(a, st["probabilities"], arr(a, st["probabilities"]) * 2)


def _negative_probability(m, a):
    st = transform(m, "island")
    p = arr(a, st["probabilities"]).copy()
    p[0], p[1] = -0.5, p[1] + p[0] + 0.5
    put(a, st["probabilities"], p)


def _null_rate(m, a):
    transform(m, "body_mass_g")["null_rate"] = 1.5


def _metadata_sdtype(m, a):
    m["metadata"]["tables"]["penguins"]["columns"]["year"] = {"sdtype": "categorical"}


def _huge_int_bounds(m, a):
    transform(m, "year")["max"] = 1e30


SHARED = {
    "min .* is greater than max": _min_above_max,
    "sum to 1": _probabilities_off,
    "non-negative": _negative_probability,
    "body_mass_g.*null_rate": _null_rate,
    "categorical in the metadata but restored as a NumericalTransform": _metadata_sdtype,
    "do not fit Int64": _huge_int_bounds,
}


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("expected", list(SHARED))
def test_shared_state_corruption(saved, tmp_path, family, expected):
    p = tamper(saved[family], tmp_path / "x.zip", SHARED[expected])
    with pytest.raises(ModelFileError, match=expected):
        BaseSynthesizer.load(p)


def test_honest_models_load_and_sample_the_same_rows(saved, tmp_path, penguins_metadata):
    for family, path in saved.items():
        s = BaseSynthesizer.load(path)
        # a file re-written by the tamper helper without edits is honest too
        t = BaseSynthesizer.load(tamper(path, tmp_path / f"{family}.zip", lambda m, a: None))
        assert s.sample(50, seed=3).equals(t.sample(50, seed=3))


# ---------------------------------------------------------------- per family
def _copula_diagonal(m, a):
    c = m["state"]["model"]["correlation"]
    put(a, c, arr(a, c) * 0.5)


def _copula_asymmetric(m, a):
    c = m["state"]["model"]["correlation"]
    x = arr(a, c).copy()
    x[0, 1] += 0.3
    put(a, c, x)


def _copula_not_psd(m, a):
    c = m["state"]["model"]["correlation"]
    x = np.full_like(arr(a, c), -0.9)
    np.fill_diagonal(x, 1.0)
    put(a, c, x)


def _copula_marginal(m, a):
    st = m["state"]["model"]
    j = next(i for i, d in enumerate(st["marginals"]) if d is not None)
    d = st["marginals"][j]
    if "scale" in d:
        d["scale"] = -1.0
    else:
        put(a, d["xs"], arr(a, d["xs"])[::-1].copy())


def _copula_kind(m, a):
    st = m["state"]["model"]
    st["marginals"][0] = {"name": "norm", "loc": 0.0, "scale": 1.0}


COPULA = {
    "unit diagonal": _copula_diagonal,
    "symmetric": _copula_asymmetric,
    "positive": _copula_not_psd,
    "must be positive|must be increasing": _copula_marginal,
    "has a marginal distribution": _copula_kind,
}


def _tree(m, idx=-1):
    return m["state"]["model"]["trees"][idx]


def _cart_cycle(m, a):
    t = next(t for t in m["state"]["model"]["trees"] if len(arr(a, t["cl"])) > 1)
    cl = arr(a, t["cl"]).copy()
    cl[0] = 0
    put(a, t["cl"], cl)


def _cart_donors(m, a):
    t = _tree(m)
    d = arr(a, t["donors"]).copy()
    d[0] = np.nan
    put(a, t["donors"], d)


def _cart_counts(m, a):
    t = _tree(m)
    c = arr(a, t["counts"]).copy()
    c[0] = -3
    put(a, t["counts"], c)


def _cart_category_codes(m, a):
    t = _tree(m, 0)  # the first column is categorical: donors are category codes
    put(a, t["donors"], arr(a, t["donors"]) + 7.5)


CART = {
    "cycle": _cart_cycle,
    "non-finite donors": _cart_donors,
    "negative donor counts": _cart_counts,
    "not category codes": _cart_category_codes,
}


def _bn_rows(m, a):
    t = m["state"]["model"]["tables"][-1]
    put(a, t, arr(a, t) * 3)


def _bn_negative(m, a):
    t = m["state"]["model"]["tables"][0]
    x = arr(a, t).copy()
    x[0, 0] = -0.2
    put(a, t, x)


def _bn_values(m, a):
    c = next(
        c for c in m["state"]["model"]["cols"] if c["type"] in ("values", "category") and len(arr(a, c["values"])) > 1
    )
    put(a, c["values"], arr(a, c["values"])[::-1].copy())


def _bn_bins(m, a):
    c = next(c for c in m["state"]["model"]["cols"] if c["type"] == "bins")
    w = arr(a, c["within"]).copy()
    w[0, 0] = np.inf
    put(a, c["within"], w)


BAYES = {
    "do not sum to 1": _bn_rows,
    "inconsistent": _bn_negative,
    "increasing": _bn_values,
    "bins of output .* not finite": _bn_bins,
}


def _nn_embedding(m, a):
    m["parameters"]["embedding_dim"] = 10**9


def _nn_embedding_in_range(m, a):
    m["parameters"]["embedding_dim"] = 4096


def _nn_layers(m, a):
    m["parameters"]["generator_dim"] = [65536] * 1000


def _nn_epochs(m, a):
    m["parameters"]["epochs"] = "many"


def _nn_mixture(m, a):
    c = next(c for c in m["state"]["model"]["mode"]["columns"] if c["type"] == "continuous")
    put(a, c["weights"], arr(a, c["weights"]) * 0.5)


def _nn_stds(m, a):
    c = next(c for c in m["state"]["model"]["mode"]["columns"] if c["type"] == "continuous")
    put(a, c["stds"], -arr(a, c["stds"]))


NEURAL = {
    r"embedding_dim=1000000000 is invalid \(an integer from 1 to 65,536\)": _nn_embedding,
    "describe a generator of .* weights but it holds": _nn_embedding_in_range,
    "generator_dim": _nn_layers,
    "epochs=many": _nn_epochs,
    "weights summing to 1": _nn_mixture,
    "positive spreads": _nn_stds,
}

CASES = [("gaussian_copula", k, f) for k, f in COPULA.items()] + [("cart", k, f) for k, f in CART.items()]
CASES += [("bayesian_network", k, f) for k, f in BAYES.items()] + [("ctgan", k, f) for k, f in NEURAL.items()]


@pytest.mark.parametrize("family,expected,edit", CASES, ids=[f"{c[0]}:{c[1][:30]}" for c in CASES])
def test_family_state_corruption(saved, tmp_path, family, expected, edit):
    p = tamper(saved[family], tmp_path / "x.zip", edit)
    with pytest.raises(ModelFileError, match=expected):
        BaseSynthesizer.load(p)


def _cart_with_missing_split(tmp_path):
    """A CART model where scikit-learn split missing from present values (an infinite threshold)."""
    import pandas as pd

    from simulacra.metadata import Metadata

    rng = np.random.default_rng(1)
    for n in (3, 12, 200):  # the draws of the case found by a sweep
        df = pd.DataFrame(
            {
                "x": rng.normal(size=n),
                "i": rng.integers(0, 5, n),
                "c": rng.choice(list("abcdefghij"), n),
                "t": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
                "nul": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
                "b": rng.random(n) < 0.5,
            }
        )
    path = tmp_path / "cart.zip"
    # a faithful tree (privacy_check=False): the check's bigger leaves may not split on missingness
    get_synthesizer_class("cart")(Metadata.detect_from_dataframe(df), privacy_check=False).fit(df).save(path)
    return path


def test_cart_tree_with_an_infinite_threshold_loads_and_nan_is_refused(tmp_path):
    path = _cart_with_missing_split(tmp_path)
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        with np.load(io.BytesIO(z.read("arrays.npz")), allow_pickle=False) as npz:
            arrays = {k: npz[k].copy() for k in npz.files}
    trees = manifest["state"]["model"]["trees"]
    inf_tree = next(i for i, t in enumerate(trees) if np.isinf(arr(arrays, t["threshold"])).any())
    assert len(BaseSynthesizer.load(path).sample(20, seed=0)) == 20  # was "non-finite threshold"

    def nan_threshold(m, a):
        t = m["state"]["model"]["trees"][inf_tree]
        th = arr(a, t["threshold"]).copy()
        th[np.isinf(th)] = np.nan
        put(a, t["threshold"], th)

    with pytest.raises(ModelFileError, match="non-finite threshold"):
        BaseSynthesizer.load(tamper(path, tmp_path / "x.zip", nan_threshold))
