"""The synthesizer contract: what every registered synthesizer promises (scikit-learn's check_estimator in spirit).

Parametrized over ``simulacra.synthesizers.available()``: a new synthesizer in the registry gets
every check for free. Each runs on a small mixed table (numbers with missing values, integers,
categories, a boolean, dates, a text primary key, an email PII column) and on the shared penguins
table. The neural synthesizers train 2 epochs of tiny networks: the contract is about behaviour
(parameters, determinism, persistence, dtypes, batches, constraints, conditions), not fidelity.
"""

from __future__ import annotations

import functools
import importlib.util as importlib_util
import inspect
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.constraints import FixedCombinations, Inequality, ScalarRange, Unique, create_custom_constraint_class
from simulacra.errors import ConstraintError, NotFittedError, ParameterError
from simulacra.sampling import Condition
from simulacra.synthesizers import available, get_synthesizer_class
from simulacra.synthesizers.base import BaseSynthesizer

from ..conftest import DATASETS, REPO, need_datasets
from .test_base_values_path import ResamplerSynthesizer


class ValuesPathSynthesizer(ResamplerSynthesizer):
    """The values-path test synthesizer, with dates in its state too (the mixed table has a date column)."""

    name = "contract_values_path"

    def _get_model_state(self):
        dates = {c: v for c, v in self._values.items() if pd.api.types.is_datetime64_any_dtype(v.dtype)}
        others, self._values = self._values, {c: v for c, v in self._values.items() if c not in dates}
        try:
            state = super()._get_model_state()
        finally:
            self._values = others
        for c, v in dates.items():
            state[c] = {"ns": v.to_numpy(dtype="datetime64[ns]").astype(np.int64), "dtype": str(v.dtype)}
        return {c: state[c] for c in self._values}

    def _set_model_state(self, state):
        dates = {c: s for c, s in state.items() if "ns" in s}
        super()._set_model_state({c: s for c, s in state.items() if c not in dates})
        for c, s in dates.items():
            self._values[c] = pd.Series(np.asarray(s["ns"], dtype=np.int64).view("datetime64[ns]")).astype(s["dtype"])
        self._values = {c: self._values[c] for c in state}


#: the registry, plus a synthesizer on the values model path (registered for these tests only)
NAMES = available() + [ValuesPathSynthesizer.name]
_TINY_NET = {"epochs": 2, "batch_size": 50, "embedding_dim": 8, "cuda": False}
#: small, fast parameters per synthesizer (a synthesizer not listed runs with its defaults)
FAST = {
    "ctgan": dict(_TINY_NET, generator_dim=(16,), discriminator_dim=(16,)),
    "tvae": dict(_TINY_NET, compress_dims=(16,), decompress_dims=(16,)),
    "copulagan": dict(_TINY_NET, generator_dim=(16,), discriminator_dim=(16,)),
    "llm": {"epochs": 2, "n_layer": 1, "n_embd": 16, "n_head": 2, "cuda": False},
}
NEEDS_TORCH = {"ctgan", "tvae", "copulagan", "llm"}

ROWS = 200


def _mixed_table() -> pd.DataFrame:
    rng = np.random.default_rng(12)
    x = rng.normal(50, 10, ROWS).round(2)
    x[rng.random(ROWS) < 0.15] = np.nan
    cat = rng.choice(["red", "green", "blue"], ROWS, p=[0.5, 0.3, 0.2])
    low = rng.normal(10, 2, ROWS).round(2)
    return pd.DataFrame(
        {
            "id": [f"C{i:05d}" for i in range(ROWS)],
            "x": x,
            "count": rng.integers(0, 20, ROWS),
            "low": low,
            "high": (low + rng.gamma(2, 1, ROWS)).round(2),
            "cat": cat,
            "size": np.where(cat == "red", rng.choice(["S", "M"], ROWS), rng.choice(["L", "XL"], ROWS)),
            "flag": rng.random(ROWS) < 0.3,
            "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1000, ROWS), unit="D"),
            "email": [f"member.{i}.real@club-example.org" for i in range(ROWS)],
        }
    )


MIXED = _mixed_table()
MIXED_MD = {
    "columns": {
        "id": {"sdtype": "id"},
        "x": {"sdtype": "numerical"},
        "count": {"sdtype": "numerical"},
        "low": {"sdtype": "numerical"},
        "high": {"sdtype": "numerical"},
        "cat": {"sdtype": "categorical"},
        "size": {"sdtype": "categorical"},
        "flag": {"sdtype": "boolean"},
        "when": {"sdtype": "datetime"},
        "email": {"sdtype": "email", "pii": True},
    },
    "primary_key": "id",
}
X_LOW, X_HIGH = float(MIXED["x"].min()), float(MIXED["x"].max())  # exactly the real range
REAL_EMAILS = set(MIXED["email"])


def _rare_email(columns, data):
    """Accepts the real rows and about 1 in 20 fake emails (by a stable hash): rows a model meets rarely."""
    col = data[columns[0]]
    rare = (pd.util.hash_pandas_object(col.astype(str), index=False).to_numpy() % 20) == 0
    return col.isin(REAL_EMAILS).to_numpy() | rare


RareEmail = create_custom_constraint_class(_rare_email)


def _builtin_constraints():
    return [Inequality("low", "high"), FixedCombinations(["cat", "size"]), ScalarRange("x", X_LOW, X_HIGH)]


def _klass(name):
    if name in NEEDS_TORCH:
        pytest.importorskip("torch")
    return get_synthesizer_class(name)


def register_values_path_synthesizer(patch) -> None:
    """Make ``load`` find the values-path test synthesizer by its name (as a registered one is found)."""
    import simulacra.synthesizers as registry

    original = registry.get_synthesizer_class
    patch.setattr(
        registry,
        "get_synthesizer_class",
        lambda name: ValuesPathSynthesizer if name == ValuesPathSynthesizer.name else original(name),
    )


@pytest.fixture(scope="module", autouse=True)
def _registered():
    global get_synthesizer_class
    with pytest.MonkeyPatch.context() as patch:
        register_values_path_synthesizer(patch)
        import simulacra.synthesizers as registry

        get_synthesizer_class = registry.get_synthesizer_class
        yield
    get_synthesizer_class = registry.get_synthesizer_class


def _build(name, metadata, **extra):
    return _klass(name)(metadata, **FAST.get(name, {}), **extra)


@functools.cache
def _read_penguins() -> pd.DataFrame:
    from simulacra.io.files import read_table

    return read_table(DATASETS / "penguins.csv")


def penguins_table() -> pd.DataFrame:
    """The shared real table (../shared/datasets/penguins.csv); the test using it skips without it."""
    need_datasets()
    return _read_penguins()


@pytest.fixture(scope="module")
def models():
    """Fitted synthesizers, made on first use and shared: models(name, kind)."""
    cache = {}

    def get(name, kind="mixed"):
        if (name, kind) not in cache:
            if kind == "penguins":
                md = Metadata.detect_from_dataframe(penguins_table(), table_name="penguins")
                s = _build(name, md).fit(penguins_table(), seed=0)
            elif kind == "mixed":
                s = _build(name, MIXED_MD).fit(MIXED, seed=0)
            elif kind == "constrained":  # the model alone would leave [X_LOW, X_HIGH]: no clipping to min/max
                s = _build(name, MIXED_MD, enforce_min_max_values=False)
                s.add_constraints(_builtin_constraints())
                s.fit(MIXED, seed=0)
            elif kind == "rare":
                s = _build(name, MIXED_MD)
                s.add_constraints([RareEmail(column_names=["email"])])
                s.fit(MIXED, seed=0)
            elif kind == "unique":  # on learned columns
                s = _build(name, MIXED_MD)
                s.add_constraints([Unique(["low", "high"])])
                s.fit(MIXED, seed=0)
            elif kind == "unique_id":
                s = _build(name, MIXED_MD)
                s.add_constraints([Unique(["id"])])
                s.fit(MIXED, seed=0)
            cache[name, kind] = s
        return cache[name, kind]

    return get


def _real(kind):
    return penguins_table() if kind == "penguins" else MIXED


def _assert_same_shape(out: pd.DataFrame, real: pd.DataFrame):
    assert list(out.columns) == list(real.columns)
    pd.testing.assert_series_equal(out.dtypes, real.dtypes, check_names=False)


# ---------------------------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("name", NAMES)
def test_parameters_round_trip_through_the_constructor(name):
    klass = _klass(name)
    synth = _build(name, MIXED_MD)
    params = synth.get_parameters()
    assert params["locales"] == ["en_US"] and params["enforce_min_max_values"] is True
    constructor = set(inspect.signature(klass).parameters)
    assert set(params) <= constructor, f"get_parameters() names no constructor argument: {set(params) - constructor}"
    again = klass(MIXED_MD, **params)
    assert again.get_parameters() == params
    for k, v in FAST.get(name, {}).items():  # what was passed is what is reported
        assert params[k] == (list(v) if isinstance(v, tuple) else v), k

    names = klass._parameter_names()
    assert len(names) == len(set(names)), f"duplicates in _parameter_names(): {names}"
    assert not {"self", "metadata", "args", "kwargs"} & set(names), names
    assert set(names) <= constructor
    assert set(params) <= set(names), "a saved parameter that load() would refuse"


# ---------------------------------------------------------------------------------------------- fit and seeds


@pytest.mark.parametrize("name", NAMES)
def test_fit_returns_self_and_unfitted_sampling_is_refused(name, models):
    synth = _build(name, MIXED_MD)
    with pytest.raises(NotFittedError, match="fit"):
        synth.sample(5, seed=0)
    with pytest.raises(NotFittedError, match="fit"):
        synth.sample_from_conditions([Condition({"cat": "red"}, 3)], seed=0)
    data = MIXED.copy()
    assert synth.fit(data, seed=0) is synth
    pd.testing.assert_frame_equal(data, MIXED)  # the user's table is not changed
    # a fresh synthesizer fitted with the same data and seed is the same model
    expected = models(name).sample(60, seed=4)
    pd.testing.assert_frame_equal(synth.sample(60, seed=4), expected)
    # fitting again replaces the model: after a fit on other rows, a fit on the table gives the same model again
    synth.fit(MIXED.iloc[::2].reset_index(drop=True), seed=1).fit(MIXED, seed=0)
    pd.testing.assert_frame_equal(synth.sample(60, seed=4), expected)


@pytest.mark.parametrize("kind", ["mixed", "penguins"])
@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_rows_other_seed_other_rows(name, kind, models):
    synth = models(name, kind)
    a = synth.sample(120, seed=7)
    pd.testing.assert_frame_equal(a, synth.sample(120, seed=7))
    pd.testing.assert_frame_equal(a, synth.sample(120, seed=np.random.SeedSequence(7)))
    b = synth.sample(120, seed=8)
    learned = [c for c in a.columns if c != "id"]  # integer-like ids may follow positions only
    assert not a[learned].equals(b[learned]), "seed 7 and seed 8 gave the same rows"


# ---------------------------------------------------------------------------------------------- persistence


@pytest.mark.parametrize("kind", ["mixed", "constrained"])
@pytest.mark.parametrize("name", NAMES)
def test_save_load_gives_the_same_samples(name, kind, models, tmp_path):
    synth = models(name, kind)
    path = tmp_path / f"{name}.zip"
    synth.save(path)
    for loader in (BaseSynthesizer, type(synth)):
        back = loader.load(path)
        assert type(back) is type(synth)
        assert back.get_parameters() == synth.get_parameters()
        assert [repr(c) for c in back.get_constraints()] == [repr(c) for c in synth.get_constraints()]
        pd.testing.assert_frame_equal(back.sample(80, seed=5), synth.sample(80, seed=5))
        pd.testing.assert_frame_equal(back.sample(80, seed=5, batch_size=30), synth.sample(80, seed=5, batch_size=30))


# ---------------------------------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("kind", ["mixed", "penguins"])
@pytest.mark.parametrize("name", NAMES)
def test_sampled_columns_and_dtypes_are_the_real_tables(name, kind, models):
    real = _real(kind)
    out = models(name, kind).sample(
        2000, seed=1
    )  # penguins' body mass is missing in 2 of 344 rows: enough draws to see it
    assert len(out) == 2000
    _assert_same_shape(out, real)
    for c in real.columns:
        if real[c].isna().any():  # missing values are learned, not dropped or filled
            assert out[c].isna().any(), f"{c} has missing values in the real table but none sampled"
        else:
            assert out[c].notna().all(), f"{c} has no missing value in the real table but sampled ones"
    for c in real.select_dtypes(exclude="number").columns.drop(["id", "email", "when"], errors="ignore"):
        assert set(out[c].dropna()) <= set(real[c].dropna()), f"{c}: categories not in the real table"


@pytest.mark.parametrize("kind", ["mixed", "penguins"])
@pytest.mark.parametrize("name", NAMES)
def test_sample_zero_rows_is_an_empty_table_of_the_right_shape(name, kind, models):
    out = models(name, kind).sample(0, seed=0)
    assert isinstance(out, pd.DataFrame) and len(out) == 0
    _assert_same_shape(out, _real(kind))


# ---------------------------------------------------------------------------------------------- batches


@pytest.mark.parametrize("name", NAMES)
def test_batch_size_changes_no_row_count_no_validity_and_ids_stay_unique(name, models):
    synth = models(name, "constrained")
    for batch_size in (1, 37, 1000):
        out = synth.sample(150, seed=2, batch_size=batch_size)
        assert len(out) == 150, batch_size
        _assert_same_shape(out, MIXED)
        assert out["id"].notna().all() and out["id"].is_unique, batch_size
        _assert_builtin_constraints(out)
    rare = models(name, "rare").sample(40, seed=3, batch_size=9)  # re-drawn rows: ids follow final positions
    assert len(rare) == 40 and rare["id"].is_unique and _rare_email(["email"], rare).all()


@pytest.mark.parametrize("kind", ["mixed", "rare"])
@pytest.mark.parametrize("name", NAMES)
def test_one_batch_alone_equals_that_batch_of_a_full_run(name, kind, models, tmp_path):
    synth = models(name, kind)
    num_rows, batch_size, seed = 230, 60, 11
    full = synth.sample(num_rows, seed=seed, batch_size=batch_size)
    plan = synth.plan(num_rows, batch_size=batch_size, seed=seed)
    assert plan.n_batches == 4
    parts = [synth.sample_batch(plan, b) for b in range(plan.n_batches)]
    assert [len(p) for p in parts] == [60, 60, 60, 50]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), full)

    path = tmp_path / "model.zip"  # another process: a fresh load, only batch 2
    synth.save(path)
    worker = BaseSynthesizer.load(path)
    if kind == "rare":
        worker.add_constraints([RareEmail(column_names=["email"])])
    alone = worker.sample_batch(worker.plan(num_rows, batch_size=batch_size, seed=seed), 2)
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), full.iloc[120:180].reset_index(drop=True))


# ---------------------------------------------------------------------------------------------- constraints


def _assert_builtin_constraints(out: pd.DataFrame):
    both = out[["low", "high"]].dropna()
    assert (both["high"] >= both["low"]).all(), "Inequality(low, high) broken"
    pairs = set(map(tuple, out[["cat", "size"]].dropna().to_numpy()))
    assert pairs <= set(map(tuple, MIXED[["cat", "size"]].to_numpy())), "FixedCombinations(cat, size) broken"
    x = out["x"].dropna()
    assert ((x >= X_LOW) & (x <= X_HIGH)).all(), "ScalarRange(x) broken"


@pytest.mark.parametrize("name", NAMES)
def test_constraints_are_honoured(name, models):
    synth = models(name, "constrained")
    out = synth.sample(300, seed=0)
    _assert_same_shape(out, MIXED)
    _assert_builtin_constraints(out)
    conditioned = synth.sample_from_conditions([Condition({"cat": "blue"}, 40)], seed=0)
    assert (conditioned["cat"] == "blue").all() and conditioned["size"].isin(["L", "XL"]).all()
    _assert_builtin_constraints(conditioned)
    rare = models(name, "rare").sample(30, seed=0)  # a custom rule met by about 1 row in 20
    assert len(rare) == 30 and _rare_email(["email"], rare).all()


@pytest.mark.parametrize("name", NAMES)
def test_max_tries_per_batch_bounds_the_redraws(name, models):
    synth = models(name, "rare")
    assert len(synth.sample(5, seed=0)) == 5  # the default number of tries finds the rare rows
    with pytest.raises(ConstraintError, match=r"(?i)tr(y|ies)|re-?draw"):
        synth.sample(5, seed=0, max_tries_per_batch=1)
    cond = [Condition({"cat": "green"}, 5)]
    assert len(synth.sample_from_conditions(cond, seed=0)) == 5
    with pytest.raises(ConstraintError, match=r"(?i)tr(y|ies)|re-?draw"):
        synth.sample_from_conditions(cond, seed=0, max_tries_per_batch=1)
    known = pd.DataFrame({"cat": ["green"] * 5})
    assert len(synth.sample_remaining_columns(known, seed=0)) == 5
    with pytest.raises(ConstraintError, match=r"(?i)tr(y|ies)|re-?draw"):
        synth.sample_remaining_columns(known, seed=0, max_tries_per_batch=1)
    with pytest.raises(ParameterError, match="max_tries_per_batch"):
        synth.sample(5, seed=0, max_tries_per_batch=0)


# ---------------------------------------------------------------------------------------------- conditions


@pytest.mark.parametrize("name", NAMES)
def test_conditions_are_honoured(name, models):
    synth = models(name)
    out = synth.sample_from_conditions([Condition({"cat": "green"}, 30), Condition({"flag": True}, 20)], seed=0)
    assert len(out) == 50
    assert (out["cat"].iloc[:30] == "green").all() and out["flag"].iloc[30:].all()
    _assert_same_shape(out, MIXED)
    assert out["id"].is_unique
    pd.testing.assert_frame_equal(
        out, synth.sample_from_conditions([Condition({"cat": "green"}, 30), Condition({"flag": True}, 20)], seed=0)
    )
    batched = synth.sample_from_conditions([Condition({"cat": "green"}, 30)], seed=0, batch_size=7)
    assert len(batched) == 30 and (batched["cat"] == "green").all()


@pytest.mark.parametrize("name", NAMES)
def test_conditions_on_a_real_table(name, models):
    gentoo = models(name, "penguins").sample_from_conditions([Condition({"species": "Gentoo"}, 25)], seed=0)
    assert len(gentoo) == 25 and (gentoo["species"] == "Gentoo").all()
    _assert_same_shape(gentoo, penguins_table())


@pytest.mark.parametrize("name", NAMES)
def test_sample_remaining_columns_keeps_the_given_columns(name, models):
    # flag False with every category: pairs each model makes (a 2-epoch TVAE almost never makes green & True)
    known = pd.DataFrame({"cat": MIXED["cat"].iloc[:40].to_numpy(), "flag": False})
    given = known.copy()
    out = models(name).sample_remaining_columns(known, seed=0)
    pd.testing.assert_frame_equal(known, given)  # the user's frame is not changed
    assert len(out) == 40
    _assert_same_shape(out, MIXED)
    pd.testing.assert_frame_equal(out[["cat", "flag"]], known)
    assert out["id"].is_unique and out["x"].notna().any()


# ---------------------------------------------------------------------------------------------- PII


@pytest.mark.parametrize("name", NAMES)
def test_pii_columns_never_copy_a_real_value(name, models):
    synth = models(name)
    out = pd.concat([synth.sample(300, seed=0), synth.sample_remaining_columns(MIXED[["cat"]], seed=0)])
    assert out["email"].notna().all() and out["email"].str.contains("@").all()
    copied = set(out["email"]) & REAL_EMAILS
    assert not copied, f"real emails in the synthetic data: {sorted(copied)[:3]}"
    assert out["email"].nunique() > len(out) // 2  # fake values, not one repeated placeholder


@pytest.mark.parametrize("name", NAMES)
def test_pseudonymized_pii_columns_never_copy_a_real_value(name):
    synth = _build(name, MIXED_MD, pseudonymize=True, pseudonymize_key="contract-test-key").fit(MIXED, seed=0)
    out = synth.sample(300, seed=0)
    assert out["email"].notna().all() and not set(out["email"]) & REAL_EMAILS
    # pseudonyms keep the real frequencies: 200 distinct real values give at most 200 distinct pseudonyms
    assert out["email"].nunique() <= MIXED["email"].nunique()


# ---------------------------------------------------------------------------------------------- sharing and batches


def _model_file_members(synth, path) -> dict:
    """The saved model file's members (a zip entry's time stamp is the clock's, so not the raw bytes)."""
    synth.save(path)
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


@pytest.mark.parametrize("name", NAMES)
def test_threads_can_share_one_fitted_model(name, models, tmp_path):
    synth = models(name, "rare")
    before = _model_file_members(synth, tmp_path / "before.zip")
    seeds = list(range(6))
    expected = [synth.sample(90, seed=s, batch_size=40) for s in seeds]
    with ThreadPoolExecutor(3) as pool:
        got = list(pool.map(lambda s: synth.sample(90, seed=s, batch_size=40), seeds))
    for s, a, b in zip(seeds, got, expected):
        pd.testing.assert_frame_equal(a, b, obj=f"seed {s} in a thread")
    assert _model_file_members(synth, tmp_path / "after.zip") == before, "sampling changed the fitted model"


@pytest.mark.parametrize("name", NAMES)
def test_batch_size_changes_the_rows_not_their_validity(name, models):
    synth = models(name, "constrained")
    a, b = synth.sample(120, seed=5, batch_size=40), synth.sample(120, seed=5, batch_size=120)
    learned = [c for c in a.columns if c not in ("id", "email")]
    assert not a[learned].equals(b[learned]), "batch sizes 40 and 120 gave the same rows: are batches seeded?"
    for out in (a, b):
        _assert_builtin_constraints(out)


@pytest.mark.parametrize("kind", ["unique", "unique_id"])
@pytest.mark.parametrize("name", NAMES)
def test_unique_holds_across_batches(name, kind, models):
    synth = models(name, kind)
    cols = ["low", "high"] if kind == "unique" else ["id"]
    out = synth.sample(150, seed=0, batch_size=40)
    assert len(out) == 150 and not out.duplicated(cols).any()
    _assert_same_shape(out, MIXED)
    plan = synth.plan(150, batch_size=40, seed=0)
    pd.testing.assert_frame_equal(synth.sample_batch(plan, 0), out.iloc[:40])
    if kind == "unique":
        with pytest.raises(ConstraintError, match="alone|order"):  # Unique needs the batches before it
            synth.sample_batch(plan, 1)
    else:  # ids are unique by construction: a batch alone may be made, and then it is the full run's batch
        try:
            alone = synth.sample_batch(plan, 1)
        except ConstraintError as e:
            assert "alone" in str(e) or "order" in str(e)
        else:
            pd.testing.assert_frame_equal(alone.reset_index(drop=True), out.iloc[40:80].reset_index(drop=True))


_WORKER = """
import sys
sys.path.insert(0, sys.argv[1])
import pytest
from simulacra.synthesizers.base import BaseSynthesizer
from tests.synthesizers import test_contract as contract

with pytest.MonkeyPatch.context() as patch:
    contract.register_values_path_synthesizer(patch)
    for path in sys.argv[2:]:
        worker = BaseSynthesizer.load(path)
        worker.add_constraints([contract.RareEmail(column_names=["email"])])
        plan = worker.plan(230, batch_size=60, seed=11)
        worker.sample_batch(plan, 2).to_parquet(path + ".batch2.parquet")
"""


@pytest.fixture(scope="module")
def other_process_batches(models, tmp_path_factory):
    """Batch 2 of each model with the ~1/20 custom rule, made by another Python process from the model file."""
    folder = tmp_path_factory.mktemp("worker")
    paths = {}
    for name in NAMES:
        if name in NEEDS_TORCH and importlib_util.find_spec("torch") is None:
            continue
        paths[name] = folder / f"{name}.zip"
        models(name, "rare").save(paths[name])
    subprocess.run(
        [sys.executable, "-c", _WORKER, str(REPO), *map(str, paths.values())], check=True, cwd=REPO, timeout=300
    )
    return {name: pd.read_parquet(f"{path}.batch2.parquet") for name, path in paths.items()}


@pytest.mark.parametrize("name", NAMES)
def test_one_batch_made_in_another_process_equals_that_batch_of_a_full_run(name, models, other_process_batches):
    synth = models(name, "rare")
    full = synth.sample(230, seed=11, batch_size=60)
    alone = other_process_batches[name]
    assert len(alone) == 60
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), full.iloc[120:180].reset_index(drop=True))
