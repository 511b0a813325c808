import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulacra.augment import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, RandomOverSampler, balance, bootstrap, resample
from simulacra.errors import InvalidDataError, ParameterError


def test_bootstrap_matches_scipy():
    x = np.random.default_rng(0).exponential(size=250)
    for method in ("BCa", "percentile"):
        ours = bootstrap(x, np.mean, n_resamples=20_000, method=method, seed=1)
        ref = stats.bootstrap((x,), np.mean, n_resamples=20_000, method=method, random_state=1).confidence_interval
        assert ours.confidence_interval[0] == pytest.approx(ref.low, abs=0.01)
        assert ours.confidence_interval[1] == pytest.approx(ref.high, abs=0.01)
    assert bootstrap(x, np.median, seed=3).confidence_interval == bootstrap(x, np.median, seed=3).confidence_interval
    q90 = bootstrap(pd.Series(x), lambda v: np.quantile(v, 0.9), n_resamples=500, seed=0)
    assert q90.confidence_interval[0] < np.quantile(x, 0.9) < q90.confidence_interval[1]
    with pytest.raises(InvalidDataError):
        bootstrap([1.0], np.mean)
    with pytest.raises(ParameterError):
        bootstrap(x, np.mean, method="studentized")


def test_bootstrap_interval_has_scipy_field_names():
    x = np.random.default_rng(0).normal(size=100)
    res = bootstrap(x, np.mean, n_resamples=2_000, seed=0)
    ci = res.confidence_interval
    assert ci.low < res.estimate < ci.high
    low, high = ci  # unpacking keeps working
    assert (low, high) == (ci.low, ci.high) == (ci[0], ci[1]) and isinstance(ci, tuple)
    ref = stats.bootstrap((x,), np.mean, n_resamples=2_000, random_state=0).confidence_interval
    assert ci._fields == type(ref)._fields
    assert f"CI=({ci.low:.6g}, {ci.high:.6g})" in repr(res)


def test_bootstrap_quantiles_match_scipy_and_the_generic_path():
    import functools
    import importlib

    x = np.random.default_rng(5).gamma(2.0, size=301)
    for stat in (np.median, functools.partial(np.quantile, q=0.9), functools.partial(np.percentile, q=25)):
        ours = bootstrap(x, stat, n_resamples=20_000, seed=2)
        ref = stats.bootstrap((x,), stat, n_resamples=20_000, random_state=2)
        # a quantile's bootstrap distribution sits on the data values, so interval ends may differ by one step
        assert ours.standard_error == pytest.approx(ref.standard_error, rel=0.05)
        assert ours.confidence_interval[0] == pytest.approx(ref.confidence_interval.low, abs=0.2)
        assert ours.confidence_interval[1] == pytest.approx(ref.confidence_interval.high, abs=0.2)
    # the counting shortcut gives exactly numpy's linear-interpolated quantile of each resample
    mod = importlib.import_module("simulacra.augment.bootstrap")
    idx = np.random.default_rng(1).integers(0, len(x), (50, len(x)))
    xs = np.sort(x)
    for q in (0.0, 0.1, 0.37, 0.5, 1.0):
        np.testing.assert_array_equal(mod._quantile_block(xs, idx, q), np.quantile(xs[idx], q, axis=-1))


def test_bootstrap_quantile_shortcut_draws_the_same_resamples_as_the_generic_path():
    """On unsorted data the shortcut must see data[idx], not sorted_data[idx] (same seed, same values)."""
    x = np.random.default_rng(9).lognormal(size=257)
    for stat, generic in ((np.median, lambda v, axis: np.median(v, axis=axis)),):
        fast = bootstrap(x, stat, n_resamples=3000, seed=4)
        slow = bootstrap(x, generic, n_resamples=3000, seed=4)
        np.testing.assert_array_equal(fast.bootstrap_distribution, slow.bootstrap_distribution)
        assert tuple(fast.confidence_interval) == tuple(slow.confidence_interval)


def test_resample_stratified(penguins):
    out = resample(penguins, 1000, stratify="species", seed=0)
    share = out["species"].value_counts(normalize=True)
    real = penguins["species"].value_counts(normalize=True)
    assert (abs(share - real) < 0.002).all()
    assert len(resample(penguins, seed=1)) == len(penguins)


@pytest.fixture(scope="module")
def imbalanced():
    rng = np.random.default_rng(0)
    n0, n1 = 900, 60
    X = pd.DataFrame(
        {
            "a": np.concatenate([rng.normal(0, 1, n0), rng.normal(2, 1, n1)]),
            "b": np.concatenate([rng.integers(0, 10, n0), rng.integers(5, 15, n1)]).astype("int64"),
            "c": np.concatenate([rng.choice(["x", "y"], n0), rng.choice(["y", "z"], n1)]),
        }
    )
    y = pd.Series([0] * n0 + [1] * n1, name="label")
    return X, y


@pytest.mark.parametrize("klass", [SMOTE, BorderlineSMOTE, ADASYN, RandomOverSampler])
def test_numeric_oversamplers(klass, imbalanced):
    X, y = imbalanced
    Xn = X[["a", "b"]]
    Xr, yr = klass(random_state=0).fit_resample(Xn, y)
    assert list(Xr.columns) == ["a", "b"] and (Xr.dtypes == Xn.dtypes).all()
    assert yr.name == "label" and (yr == 1).sum() >= 60
    if klass is not BorderlineSMOTE:
        assert (yr == 1).sum() == 900
    new = Xr.iloc[len(X) :]
    minority = Xn[y == 1]
    assert new["a"].between(minority["a"].min(), minority["a"].max()).all()
    a, b = klass(random_state=5).fit_resample(Xn, y), klass(random_state=5).fit_resample(Xn, y)
    pd.testing.assert_frame_equal(a[0], b[0])


def test_smotenc_keeps_categories(imbalanced):
    X, y = imbalanced
    Xr, yr = SMOTENC(categorical_features=["c"], random_state=0).fit_resample(X, y)
    new = Xr.iloc[len(X) :]
    assert set(new["c"]) <= {"y", "z"}
    assert (yr == 1).sum() == 900


def test_strategies_and_errors(imbalanced):
    X, y = imbalanced
    Xn = X[["a", "b"]]
    _, yr = SMOTE(sampling_strategy=0.5, random_state=0).fit_resample(Xn, y)
    assert (yr == 1).sum() == 450
    _, yr = SMOTE(sampling_strategy={1: 100}, random_state=0).fit_resample(Xn, y)
    assert (yr == 1).sum() == 100
    with pytest.raises(InvalidDataError, match="single class"):
        SMOTE().fit_resample(Xn, np.zeros(len(Xn)))
    with pytest.raises(InvalidDataError, match="not numeric.*SMOTENC"):
        SMOTE().fit_resample(X, y)
    few = y.copy()
    few[:] = 0
    few.iloc[:3] = 1
    with pytest.raises(InvalidDataError, match="fewer than k_neighbors"):
        SMOTE().fit_resample(Xn, few)


def test_missing_values_are_kept(imbalanced):
    X, y = imbalanced
    Xn = X[["a", "b"]].astype(float)
    Xn.loc[y[y == 1].index[:10], "a"] = np.nan
    Xr, yr = SMOTE(random_state=0).fit_resample(Xn, y)
    new = Xr.iloc[len(X) :]
    assert 0 < new["a"].isna().mean() < 0.5
    with pytest.raises(InvalidDataError, match="missing"):
        SMOTE(missing="error").fit_resample(Xn, y)


def test_balance_with_a_synthesizer(penguins):
    out = balance(penguins, "species", method="cart", seed=0)
    counts = out["species"].value_counts()
    assert counts.nunique() == 1
    smote = balance(penguins.dropna(), "species", seed=0)
    assert smote["species"].value_counts().nunique() == 1


def test_noise_and_privacy_mechanisms(penguins):
    from simulacra.augment import (
        add_noise,
        gaussian_mechanism,
        generalize,
        laplace_mechanism,
        shuffle_columns,
        swap_categories,
    )

    noisy = add_noise(penguins, ["body_mass_g", "bill_length_mm"], scale=0.1, seed=0)
    assert str(noisy["body_mass_g"].dtype) == "Int64"
    diff = (noisy["bill_length_mm"] - penguins["bill_length_mm"]).dropna()
    assert 0 < diff.std() < 0.2 * penguins["bill_length_mm"].std()
    swapped = swap_categories(penguins, "island", p=0.3, seed=0)
    changed = (swapped["island"] != penguins["island"]).mean()
    assert 0.1 < changed < 0.3 and set(swapped["island"]) <= set(penguins["island"])
    sh = shuffle_columns(penguins, ["species"], seed=0)
    assert sorted(sh["species"]) == sorted(penguins["species"])
    g = generalize(penguins, "body_mass_g", bins=4)
    assert g["body_mass_g"].nunique() <= 5
    top = generalize(penguins, "body_mass_g", top=0.9)
    assert top["body_mass_g"].max() <= penguins["body_mass_g"].quantile(0.9)
    r = laplace_mechanism(np.arange(1000), "count", epsilon=1.0, seed=0)
    assert abs(r.value - 1000) < 20 and r.epsilon == 1.0
    m = gaussian_mechanism(np.arange(1000) % 10, "mean", epsilon=0.5, delta=1e-5, bounds=(0, 9), seed=0)
    assert abs(m.value - 4.5) < 0.5 and m.delta == 1e-5
    with pytest.raises(ParameterError, match="bounds"):
        laplace_mechanism([1, 2, 3], "mean")


def test_image_augmentation_on_digits():
    from pathlib import Path

    from simulacra.augment import ImageAugmenter

    path = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "digits.npz"
    if not path.exists():
        pytest.skip("digits.npz not present")
    d = np.load(path)
    X, y = d["X"], d["y"]
    aug = ImageAugmenter(
        rotation_range=15,
        width_shift_range=0.1,
        height_shift_range=0.1,
        zoom_range=0.1,
        shear_range=10,
        horizontal_flip=True,
        brightness_range=(0.8, 1.2),
        noise_std=0.5,
        crop_pad=1,
    )
    out = aug.augment(X, seed=3)
    assert out.shape == X.shape and out.dtype == X.dtype
    assert out.min() >= X.min() and out.max() <= X.max()
    assert (out != X).mean() > 0.3
    np.testing.assert_array_equal(out, aug.augment(X, seed=3))
    rgb = np.repeat(X[:10, :, :, None], 3, axis=3).astype(np.float32) / 16
    out_rgb = ImageAugmenter(rotation_range=30, seed=0).augment(rgb)
    assert out_rgb.shape == rgb.shape and out_rgb.dtype == np.float32 and out_rgb.max() <= 1.0
    xb, yb = next(aug.flow(X, y, batch_size=64, seed=0))
    assert xb.shape == (64, 8, 8) and len(yb) == 64
    with pytest.raises(InvalidDataError):
        aug.augment(np.zeros((8, 8)))


def test_example_png_grid(tmp_path):
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    if not (root.parent / "shared" / "datasets" / "digits.npz").exists():
        pytest.skip("digits.npz not present")
    spec = importlib.util.spec_from_file_location("augment_digits", root / "examples" / "augment_digits.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "grid.png"
    mod.main(str(out), rows=3, copies=2)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 200


def test_bootstrap_refuses_missing_text_and_absurd_sizes():
    with pytest.raises(InvalidDataError, match="missing value"):
        bootstrap([1.0, 2.0, np.nan, 4.0], seed=1)
    res = bootstrap([1.0, 2.0, np.nan, 4.0], seed=1, missing="omit", n_resamples=200)
    assert res.confidence_interval.low <= res.confidence_interval.high
    with pytest.raises(InvalidDataError, match="not"):
        bootstrap(pd.Series([1, 2, "x", 4], dtype=object), seed=1)
    with pytest.raises(InvalidDataError, match="infinite"):
        bootstrap([1.0, np.inf, 3.0], seed=1)
    with pytest.raises(ParameterError, match="at most"):
        bootstrap([1.0, 2.0, 3.0], n_resamples=10**12, seed=1)
    with pytest.raises(ParameterError):
        bootstrap([1.0, 2.0, 3.0], missing="drop", seed=1)


# ------------------------------------------------------------------ options checked (one validation helper)
@pytest.mark.parametrize(
    "options, match",
    [
        ({"horizontal_flip": "False"}, "horizontal_flip must be True or False"),
        ({"crop_pad": 1.5}, "crop_pad must be a non-negative integer"),
        ({"p": "0.5"}, "p must be a finite number from 0 to 1"),
        ({"noise_std": float("nan")}, "noise_std must be a finite number"),
        ({"rotation_range": -5}, "rotation_range must be a finite number at least 0"),
    ],
)
def test_image_augmenter_options_are_checked(options, match):
    from simulacra.augment import ImageAugmenter

    with pytest.raises(ParameterError, match=match):
        ImageAugmenter(**options)


def test_noise_and_privacy_options_are_checked():
    from simulacra.augment import noise

    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": list("aab")})
    with pytest.raises(ParameterError, match="scale must be a finite number at least 0, got '1'"):
        noise.add_noise(df, ["x"], scale="1")
    with pytest.raises(ParameterError, match="scale must be a finite number at least 0, got nan"):
        noise.add_noise(df, ["x"], scale=float("nan"))
    with pytest.raises(ParameterError, match="relative must be True or False, got 'False'"):
        noise.add_noise(df, ["x"], relative="False")
    with pytest.raises(ParameterError, match="p must be a finite number from 0 to 1, got 1.5"):
        noise.swap_categories(df, ["c"], p=1.5)
    with pytest.raises(ParameterError, match="epsilon must be a finite number above 0, got 0"):
        noise.laplace_mechanism([1, 2, 3], epsilon=0)
    with pytest.raises(ParameterError, match="delta must be a finite number strictly between 0 and 1"):
        noise.gaussian_mechanism([1, 2, 3], epsilon=0.5, delta=1)
