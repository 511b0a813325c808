"""The fit-time privacy check, fit(holdout=), and protect_rare (synthesizers.privacy_check, .protection)."""

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.errors import ModelFileError, ParameterError
from simulacra.evaluation import evaluate_privacy
from simulacra.synthesizers import (
    BayesianNetworkSynthesizer,
    CARTSynthesizer,
    GaussianCopulaSynthesizer,
    privacy_check,
)

from ..conftest import DATASETS

if not (DATASETS / "seattle_weather.csv").exists():
    pytest.skip("../shared/datasets is not present", allow_module_level=True)
SEATTLE = pd.read_csv(DATASETS / "seattle_weather.csv")


def _split(df, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.permutation(len(df))
    k = round(0.2 * len(df))
    return df.iloc[p[k:]].reset_index(drop=True), df.iloc[p[:k]].reset_index(drop=True)


def _share(cls, train, hold, md, **kw):
    syn = cls(md, **kw).fit(train).sample(4 * len(hold), seed=0)
    r = evaluate_privacy(train, syn, md, holdout=hold, max_rows=len(syn), verbose=False).results
    return r["dcr_share"], r["membership_auc"]


@pytest.mark.parametrize("cls", [CARTSynthesizer, BayesianNetworkSynthesizer])
def test_the_check_brings_the_dcr_share_measured_on_a_holdout_down(cls):
    train, hold = _split(SEATTLE)
    md = Metadata.detect_from_dataframe(train)
    before, auc_before = _share(cls, train, hold, md, privacy_check=False)
    after, auc_after = _share(cls, train, hold, md)
    assert before > 0.55 and auc_before > 0.56  # both memorize these 1,169 days
    assert after < before - 0.02 and after < 0.54 and auc_after < 0.55
    info = cls(md).fit(train).get_info()["privacy_check"]
    assert info["passed"] and len(info["levels_tried"]) > 1 and info["level"] == len(info["levels_tried"]) - 1
    assert info["levels_tried"][0]["dcr_share"] > info["dcr_limit"] >= info["dcr_share"]
    assert "fidelity" in info["levels_tried"][0] and "column-shape fidelity" in info["summary"]


def test_the_chosen_level_is_saved_and_reloaded(tmp_path):
    train, _ = _split(SEATTLE)
    md = Metadata.detect_from_dataframe(train)
    s = CARTSynthesizer(md).fit(train)
    assert s.effective_min_samples_leaf > s.min_samples_leaf
    s.save(tmp_path / "m.zip")
    back = CARTSynthesizer.load(tmp_path / "m.zip")
    assert back.get_info()["privacy_check"] == s.get_info()["privacy_check"]
    pd.testing.assert_frame_equal(back.sample(50, seed=1), s.sample(50, seed=1))


def test_a_crafted_privacy_entry_is_refused(tmp_path):
    train, _ = _split(SEATTLE)
    md = Metadata.detect_from_dataframe(train)
    path = tmp_path / "m.zip"
    CARTSynthesizer(md).fit(train).save(path)
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    name = next(n for n in files if n.endswith(".json") and b'"privacy_check"' in files[n])
    doc = json.loads(files[name])

    def poison(node):
        if isinstance(node, dict):
            if "privacy_check" in node and isinstance(node["privacy_check"], dict):
                node["privacy_check"] = {"levels_tried": "x" * 10}
                return True
            return any(poison(v) for v in node.values())
        return isinstance(node, list) and any(poison(v) for v in node)

    assert poison(doc)
    files[name] = json.dumps(doc).encode()
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)
    with pytest.raises(ModelFileError):
        CARTSynthesizer.load(bad)


def test_fit_keeps_a_seeded_holdout_out():
    md = Metadata.detect_from_dataframe(SEATTLE)
    s = CARTSynthesizer(md, privacy_check=False).fit(SEATTLE, holdout=0.2, seed=3)
    tr, ho = s.training_data_, s.holdout_data_
    assert len(ho) == round(0.2 * len(SEATTLE)) and len(tr) + len(ho) == len(SEATTLE)
    assert not set(tr.index) & set(ho.index) and s.fitted_rows == len(tr)
    again = CARTSynthesizer(md, privacy_check=False).fit(SEATTLE, holdout=0.2, seed=3)
    assert again.holdout_data_.index.equals(ho.index)  # same seed, same holdout
    assert CARTSynthesizer(md).fit(SEATTLE, holdout=100).holdout_data_.shape[0] == 100
    # the report can say it
    syn = s.sample(4 * len(ho), seed=0)
    r = evaluate_privacy(tr, syn, md, holdout=ho, max_rows=len(syn), verbose=False).results
    assert r["distance_sample_holdout_rows"] == len(ho) and r["dcr_share_training_rows"] == len(ho)


@pytest.mark.parametrize(
    "bad", [0, 1.0, -0.1, 1.5, 10_000, 10**18, "0.2", True, 0.0001, float("nan"), float("inf"), [0.2]]
)
def test_bad_holdout_values_are_one_clear_error(bad):
    md = Metadata.detect_from_dataframe(SEATTLE)
    with pytest.raises(ParameterError, match="holdout"):
        CARTSynthesizer(md).fit(SEATTLE, holdout=bad)


def test_small_tables_and_copula_are_not_checked():
    small = SEATTLE.iloc[:40]
    md = Metadata.detect_from_dataframe(SEATTLE)
    assert CARTSynthesizer(md).fit(small).get_info().get("privacy_check") is None
    assert GaussianCopulaSynthesizer(md).fit(SEATTLE).get_info().get("privacy_check") is None


def test_neural_training_stops_on_two_failing_checks(monkeypatch):
    pytest.importorskip("torch")
    from simulacra.synthesizers import TVAESynthesizer

    calls = []

    def memorizing(*args):  # every check sees a model that copies its rows
        calls.append(args)
        return 0.9, 0.9, 1.0

    monkeypatch.setattr(privacy_check, "measure", memorizing)
    md = Metadata.detect_from_dataframe(SEATTLE)
    s = TVAESynthesizer(md, epochs=10, cuda=False).fit(SEATTLE)
    info = s.get_info()["privacy_check"]
    assert [h["epoch"] for h in info["early_stopping"]] == [2, 4]  # every 10 // 5 epochs; two failures stop
    assert len(s.get_loss_values()) == 4 and "first 2 checks" in info["summary"]
    assert len(s.sample(20, seed=0)) == 20
    monkeypatch.undo()
    free = TVAESynthesizer(md, epochs=10, cuda=False).fit(SEATTLE)
    assert len(free.get_loss_values()) == 10 and len(free.get_info()["privacy_check"]["early_stopping"]) == 5


# ------------------------------------------------------------------------------------- protect_rare


def _people(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    city = rng.choice(["Paris", "Lyon", "Nice"], n).astype(object)
    city[:7] = [f"Hamlet{i}" for i in range(7)]
    age = rng.integers(18, 80, n)
    age[:3] = [101, 104, 2]
    return pd.DataFrame({"city": city, "age": age, "score": rng.normal(size=n)})


def _md(df):
    md = Metadata.detect_from_dataframe(df)
    md.update_column("city", sdtype="city", pii=False)  # a learned quasi-identifier
    return md


@pytest.mark.parametrize("cls", [GaussianCopulaSynthesizer, CARTSynthesizer])
def test_rare_categories_are_pooled_and_extremes_clipped(cls):
    df = _people()
    keep = df.copy()
    s = cls(_md(df)).fit(df)
    pd.testing.assert_frame_equal(df, keep)  # the user's table is left as it was
    out = s.sample(20_000, seed=0)
    assert set(out.city) == {"Paris", "Lyon", "Nice"}
    assert 18 <= out.age.min() and out.age.max() <= 79
    prot = s.get_info()["privacy_check"]["protection"]
    assert prot["city"] == {"action": "pooled rare categories", "categories": 7, "rows": 7}
    assert prot["age"]["action"] == "clipped extremes" and prot["age"]["rows"] == 3
    assert "score" not in prot  # not PII-adjacent: left alone
    free = cls(_md(df), protect_rare=False).fit(df).sample(20_000, seed=0)
    assert set(free.city) > {"Paris", "Lyon", "Nice"} or cls is GaussianCopulaSynthesizer
    assert free.age.max() > 79


def test_protect_rare_is_a_parameter_of_every_synthesizer():
    from simulacra.synthesizers import available, get_synthesizer_class

    md = _md(_people())
    for name in available():
        cls = get_synthesizer_class(name)
        if name in ("ctgan", "tvae", "copulagan", "llm"):
            pytest.importorskip("torch")
        try:
            s = cls(md, protect_rare=False)
        except ImportError:
            continue
        assert s.get_parameters()["protect_rare"] is False, name


# ------------------------------------------------------------------------------- review regressions


def test_nullable_numbers_with_missing_values_are_clipped():
    df = _people()
    df["age"] = df["age"].astype("Int64")
    df.loc[10:14, "age"] = pd.NA
    s = GaussianCopulaSynthesizer(_md(df)).fit(df)
    assert s.get_info()["privacy_check"]["protection"]["age"]["rows"] == 3
    out = s.sample(2000, seed=0)
    assert out.age.max() <= 79 and out.age.isna().any()


def test_columns_a_constraint_reads_are_not_protected():
    from simulacra.constraints import Inequality

    df = _people()
    df["retired_age"] = df["age"] + 30
    s = GaussianCopulaSynthesizer(_md(df))
    s.add_constraints([Inequality(low_column_name="age", high_column_name="retired_age")])
    s.fit(df)  # the real rows keep the rule; a clipped copy of age alone would not have
    prot = s.get_info()["privacy_check"]["protection"]
    assert "age" not in prot and "city" in prot


def test_no_level_stays_applied_after_a_fit_without_the_check():
    train, _ = _split(SEATTLE)
    md = Metadata.detect_from_dataframe(train)
    s = CARTSynthesizer(md).fit(train)
    assert s.effective_min_samples_leaf > 5
    s.privacy_check = False
    s.fit(train)
    assert (
        s.effective_min_samples_leaf == CARTSynthesizer(md, privacy_check=False).fit(train).effective_min_samples_leaf
    )
    assert s.get_info().get("privacy_check") is None


def test_seed_none_draws_a_fresh_holdout_and_a_generator_advances():
    md = Metadata.detect_from_dataframe(SEATTLE)
    a = CARTSynthesizer(md, privacy_check=False).fit(SEATTLE, holdout=0.1, seed=None).holdout_data_.index
    b = CARTSynthesizer(md, privacy_check=False).fit(SEATTLE, holdout=0.1, seed=None).holdout_data_.index
    assert not a.equals(b)
    g = np.random.default_rng(5)
    c = CARTSynthesizer(md, privacy_check=False).fit(SEATTLE, holdout=0.1, seed=g).holdout_data_.index
    d = CARTSynthesizer(md, privacy_check=False).fit(SEATTLE, holdout=0.1, seed=g).holdout_data_.index
    assert not c.equals(d)
    with pytest.raises(ParameterError, match="seed"):
        CARTSynthesizer(md).fit(SEATTLE, seed=-1)


@pytest.mark.parametrize(
    "entry",
    [
        {"levels_tried": [1, "x", None]},
        {"levels_tried": [], "summary": 5},
        {"levels_tried": [], "protection": [1, 2]},
        {"levels_tried": [[[[[]]]]]},
        {"levels_tried": [{}] * 1000},
        "x",
    ],
)
def test_crafted_privacy_entries_are_model_file_errors(entry):
    with pytest.raises(ModelFileError, match="privacy_check"):
        privacy_check.check_info(entry)


def test_hostile_column_names_and_a_wide_table():
    rng = np.random.default_rng(3)
    n = 400
    df = pd.DataFrame({f"x{i}": rng.normal(size=n).round(3) for i in range(60)})
    df["'; DROP TABLE city; --"] = rng.choice(["a", "b", "c"], n).astype(object)
    df.loc[:3, "'; DROP TABLE city; --"] = ["r1", "r2", "r3", "r4"]  # rare values of a city-named column
    md = Metadata.detect_from_dataframe(df)
    md.update_column("'; DROP TABLE city; --", sdtype="categorical")  # learned, not faked
    s = CARTSynthesizer(md).fit(df)
    info = s.get_info()["privacy_check"]
    assert info["protection"]["'; DROP TABLE city; --"]["categories"] == 4
    assert info["levels_tried"] and 0 <= info["dcr_share"] <= 1
    out = s.sample(500, seed=0)
    assert list(out.columns) == list(df.columns) and set(out["'; DROP TABLE city; --"]) <= {"a", "b", "c"}
