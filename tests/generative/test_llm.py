"""LLMSynthesizer: every row valid, exact conditions, round trips, learning, early stopping, clear errors."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from simulacra import Condition, Metadata, evaluate_quality, load_demo
from simulacra.errors import ConstraintError, ModelFileError, ParameterError

pytest.importorskip("transformers")

from simulacra.generative import LLMSynthesizer  # noqa: E402

TINY = {"n_layer": 1, "n_embd": 32, "n_head": 4, "cuda": False}


@pytest.fixture(scope="module")
def penguins():
    df = load_demo()  # the embedded penguins table (the shared datasets may be absent)
    md = Metadata.detect_from_dataframe(df)
    synth = LLMSynthesizer(md, epochs=30, **TINY).fit(df, seed=0)
    return df, md, synth


def _mixed(n=300, seed=4):
    rng = np.random.default_rng(seed)
    when = pd.Timestamp("2019-12-20") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    when = pd.Series(when)
    when[rng.random(n) < 0.1] = pd.NaT
    x = rng.normal(-5, 30, n).round(2)
    x[rng.random(n) < 0.2] = np.nan
    return pd.DataFrame(
        {
            "cat": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]),
            "x": x,
            "count": rng.integers(0, 1000, n),
            "flag": rng.random(n) < 0.3,
            "when": when,
            "stamp": pd.Timestamp("2021-03-01 08:00") + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s"),
        }
    )


@pytest.fixture(scope="module")
def mixed():
    df = _mixed()
    md = Metadata.detect_from_dataframe(df)
    md.update_column("count", sdtype="numerical")
    md.update_column("when", sdtype="datetime")
    md.update_column("stamp", sdtype="datetime")
    return df, md, LLMSynthesizer(md, epochs=3, **TINY).fit(df, seed=1)


def test_every_sampled_row_is_valid_even_at_a_high_temperature(mixed):
    df, md, synth = mixed
    synth.temperature = 3.0  # far from the learned distribution: still only valid tokens
    try:
        out = synth.sample(2_000, seed=0)
    finally:
        synth.temperature = 1.0
    assert len(out) == 2_000
    assert set(out["cat"]) <= set(df["cat"])
    assert set(out["flag"]) <= {True, False}
    x = out["x"].dropna()
    assert x.between(df["x"].min(), df["x"].max()).all()
    assert out["x"].isna().any() and not out["cat"].isna().any() and not out["stamp"].isna().any()
    assert np.allclose(x, x.round(2))
    assert out["count"].between(0, 999).all() and (out["count"] == out["count"].round()).all()
    when = out["when"].dropna()
    assert pd.api.types.is_datetime64_any_dtype(out["when"])
    assert when.between(df["when"].min(), df["when"].max()).all()
    assert out["stamp"].between(df["stamp"].min(), df["stamp"].max()).all()


def test_the_model_learns_the_table(penguins):
    df, md, synth = penguins
    out = synth.sample(len(df), seed=0)
    report = evaluate_quality(df, out, md, verbose=False)
    assert report.get_score() > 0.85
    # the species decide the bill: Gentoo's bills are deep-less (about 15 mm), the others' deeper
    by = out.groupby("species")["bill_depth_mm"].mean()
    assert by["Gentoo"] < by["Adelie"] - 2


def test_same_seed_same_rows_other_seed_other_rows(penguins):
    _, _, synth = penguins
    a, b, c = synth.sample(200, seed=5), synth.sample(200, seed=5), synth.sample(200, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_conditions_are_met_exactly_and_impossible_ones_refused(penguins):
    _, _, synth = penguins
    out = synth.sample_from_conditions(
        [Condition({"species": "Gentoo", "island": "Biscoe"}, num_rows=50), Condition({"sex": "female"}, num_rows=30)],
        seed=0,
    )
    assert len(out) == 80
    assert (out["species"].iloc[:50] == "Gentoo").all() and (out["island"].iloc[:50] == "Biscoe").all()
    assert (out["sex"].iloc[50:] == "female").all()
    with pytest.raises(ConstraintError, match="Emperor"):
        synth.sample_from_conditions([Condition({"species": "Emperor"}, num_rows=5)])


def test_sample_remaining_columns_keeps_the_known_values_and_follows_them(penguins):
    _, _, synth = penguins
    known = pd.DataFrame({"species": ["Gentoo"] * 100 + ["Adelie"] * 100})
    out = synth.sample_remaining_columns(known, seed=0)
    assert (out["species"] == known["species"]).all()
    mass = out.groupby("species")["body_mass_g"].mean()
    assert mass["Gentoo"] > mass["Adelie"] + 500  # Gentoo penguins are heavier by about 1,300 g


def test_impute_fills_only_the_missing_cells(penguins):
    df, _, synth = penguins
    rng = np.random.default_rng(0)
    holes = df.copy()
    mask = pd.DataFrame(rng.random(df.shape) < 0.2, columns=df.columns)
    mask["species"] = False
    holes = holes.mask(mask)
    filled = synth.impute(holes, seed=0)
    present = holes.notna()
    pd.testing.assert_frame_equal(filled[present].astype(object), holes[present].astype(object))
    learned = ["island", "bill_length_mm", "flipper_length_mm", "body_mass_g", "year"]
    assert not filled[learned].isna().any().any()
    assert set(filled["island"]) <= set(df["island"].dropna())


def test_save_load_gives_the_same_rows_and_a_crafted_file_is_refused(penguins, tmp_path):
    _, _, synth = penguins
    path = tmp_path / "llm.zip"
    synth.save(path)
    loaded = LLMSynthesizer.load(path)
    pd.testing.assert_frame_equal(loaded.sample(100, seed=2), synth.sample(100, seed=2))
    assert loaded.fit_info_["epochs_run"] == synth.fit_info_["epochs_run"]
    with zipfile.ZipFile(path) as z:
        names = {i.filename: z.read(i.filename) for i in z.infolist()}
    assert not any(n.endswith((".pkl", ".pt", ".bin")) for n in names)
    manifest = next(n for n in names if n.endswith(".json"))
    state = json.loads(names[manifest])
    text = json.dumps(state).replace('"n_embd": 32', '"n_embd": 64')
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        for n, data in names.items():
            z.writestr(n, text if n == manifest else data)
    with pytest.raises(ModelFileError):
        LLMSynthesizer.load(bad)


def test_fit_reports_epochs_and_why_training_stopped(penguins):
    _, _, synth = penguins
    info = synth.fit_info_
    assert 1 <= info["epochs_run"] <= 30 and info["holdout_rows"] == 34
    assert isinstance(info["stop_reason"], str) and info["stop_reason"]
    assert len(info["history"]) == info["epochs_run"]
    assert all("holdout_loss" in row for row in info["history"])
    assert 0 <= info["dcr_share"] <= 1


def test_the_privacy_check_stops_training_and_keeps_the_safe_weights():
    from simulacra.generative import train

    df = _mixed(120)[["cat", "count"]]
    md = Metadata.detect_from_dataframe(df)
    md.update_column("count", sdtype="numerical")
    synth = LLMSynthesizer(md, epochs=20, privacy_check=False, **TINY).fit(df)
    calls = []

    def check(model):  # passes twice, then sampled rows "sit on" the training rows
        calls.append(1)
        return (0.5, 0.53) if len(calls) <= 2 else (0.9, 0.53)

    codec = synth._codec
    tokens = codec.encode_table(df)
    opts = {"epochs": 20, "batch_size": 32, "learning_rate": 1e-3, "patience": 0, "check_every": 2, "verbose": False}
    report = train.run(synth._model, codec, tokens, None, opts, np.random.default_rng(0), check)
    assert report["epochs_run"] == 8  # checks at 2 and 4 pass, 6 and 8 fail: two in a row stop it
    assert report["stop_reason"].startswith("privacy") and "epochs 6 and 8" in report["stop_reason"]
    assert "last check that passed" in report["stop_reason"]


def test_bad_parameters_and_missing_extra_give_one_clear_error(monkeypatch):
    md = Metadata.detect_from_dataframe(pd.DataFrame({"a": [1.0, 2.0]}))
    with pytest.raises(ParameterError, match="n_embd"):
        LLMSynthesizer(md, n_embd=30, n_head=4)
    with pytest.raises(ParameterError, match="holdout"):
        LLMSynthesizer(md, holdout=0.9)
    import builtins

    real_import = builtins.__import__

    def no_transformers(name, *args, **kwargs):
        if name == "transformers":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_transformers)
    with pytest.raises(ParameterError, match=r"simulacra\[llm\]"):
        LLMSynthesizer(md)


def test_sample_given_draws_one_row_per_context_row_for_multi_table_children():
    df = _mixed(200)
    md = Metadata.detect_from_dataframe(df)
    md.update_column("count", sdtype="numerical")
    synth = LLMSynthesizer(md, epochs=3, **TINY).fit(df, context_columns=["cat", "count"])
    context = pd.DataFrame({"cat": ["c", "a", "c", "b"] * 10, "count": [5, 900, 17, 300] * 10})
    out = synth.sample_given(context, seed=0)
    assert len(out) == 40
    assert (out["cat"] == context["cat"]).all() and (out["count"] == context["count"]).all()
    assert set(out["flag"]) <= {True, False}


def test_the_pretrained_backend_fine_tunes_a_local_causal_model_and_stays_valid(tiny_causal, tiny_seq2seq, tmp_path):
    df = load_demo()  # the embedded penguins table (the shared datasets may be absent)
    md = Metadata.detect_from_dataframe(df)
    synth = LLMSynthesizer(
        md, backend="pretrained", pretrained_model=tiny_causal, epochs=4, learning_rate=1e-3, cuda=False
    ).fit(df)
    out = synth.sample(300, seed=0)
    assert set(out["species"]) <= set(df["species"]) and out["body_mass_g"].dropna().between(2700, 6300).all()
    path = tmp_path / "ft.zip"
    synth.save(path)
    pd.testing.assert_frame_equal(LLMSynthesizer.load(path).sample(50, seed=1), synth.sample(50, seed=1))
    with pytest.raises(ParameterError, match="sequence-to-sequence"):
        LLMSynthesizer(md, backend="pretrained", pretrained_model=tiny_seq2seq, epochs=1).fit(df)
    with pytest.raises(ParameterError, match="pretrained_model"):
        LLMSynthesizer(md, backend="pretrained")


def test_lora_trains_adapters_and_the_row_tokens_then_saves_plain_weights(tiny_causal, tmp_path, monkeypatch):
    pytest.importorskip("peft")
    df = load_demo()
    md = Metadata.detect_from_dataframe(df)
    kw = dict(backend="pretrained", pretrained_model=tiny_causal, epochs=3, learning_rate=2e-3, cuda=False)
    synth = LLMSynthesizer(md, lora=True, **kw).fit(df)
    assert not hasattr(synth._model.lm, "merge_and_unload")  # merged after training: a plain model
    out = synth.sample(300, seed=0)
    assert set(out["species"]) <= set(df["species"]) and out["body_mass_g"].dropna().between(2700, 6300).all()
    synth.save(tmp_path / "lora.zip")
    again = LLMSynthesizer.load(tmp_path / "lora.zip")
    assert again.lora is True
    pd.testing.assert_frame_equal(again.sample(50, seed=1), synth.sample(50, seed=1))
    with pytest.raises(ParameterError, match="backend='pretrained'"):
        LLMSynthesizer(md, lora=True)
    with pytest.raises(ParameterError, match="rank"):
        LLMSynthesizer(md, lora=0.5, **kw)
    import builtins

    real_import = builtins.__import__

    def no_peft(name, *a, **k):
        if name == "peft":
            raise ImportError("no peft")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_peft)
    with pytest.raises(ParameterError, match="pip install peft"):
        LLMSynthesizer(md, lora=4, **kw).fit(df)


def test_a_table_without_learned_columns_samples_the_rows_asked():
    df = pd.DataFrame({"code": [f"C{i:03d}" for i in range(40)], "note": ["some words here"] * 40})
    md = Metadata.detect_from_dataframe(df)
    md.update_column("code", sdtype="id")
    md.set_primary_key("code")
    md.update_column("note", sdtype="text")
    out = LLMSynthesizer(md, epochs=1, **TINY).fit(df).sample(25, seed=0)
    assert len(out) == 25 and out["code"].is_unique and list(out.columns) == ["code", "note"]
