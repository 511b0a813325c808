"""Review of issue 15 (generative part): reproducers of the bugs found, as regression tests.

Tests marked ``xfail(strict=True)`` fail while the bug is present; remove the mark with the fix.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import socketserver
import threading
import zipfile

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.errors import ConstraintError, ModelFileError, ParameterError

pytest.importorskip("transformers")

from simulacra.generative import LLMSynthesizer, TextGenerator, generate_table  # noqa: E402

TINY = {"epochs": 2, "n_layer": 1, "n_embd": 16, "n_head": 2, "cuda": False}


def _table(n=120, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(10, 3, n).round(2), "c": rng.choice(list("ab"), n)})


@pytest.fixture(scope="module")
def small():
    df = _table()
    md = Metadata.detect_from_dataframe(df)
    return df, md, LLMSynthesizer(md, **TINY).fit(df, seed=0)


def _recraft(src, dst, edit):
    """A copy of model file ``src`` with its manifest edited by ``edit`` and the checksums made to match."""
    from simulacra.io.modelfile import _canonical

    with zipfile.ZipFile(src) as z:
        manifest, arrays = json.loads(z.read("manifest.json")), z.read("arrays.npz")
    edit(manifest)
    manifest.pop("checksum", None)
    manifest["arrays_sha256"] = hashlib.sha256(arrays).hexdigest()
    manifest["checksum"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("arrays.npz", arrays)
    return dst


# ---------------------------------------------------------------------- LLMSynthesizer
def test_a_model_with_the_default_epochs_loads_after_save(small, tmp_path):
    _, _, synth = small
    synth.epochs = None  # as LLMSynthesizer(md) or `simulacra fit --synthesizer llm` leave it
    try:
        synth.save(tmp_path / "m.zip")
    finally:
        synth.epochs = TINY["epochs"]
    loaded = LLMSynthesizer.load(tmp_path / "m.zip")
    assert len(loaded.sample(5, seed=0)) == 5


def test_llm_impute_keeps_an_inequality_constraint():
    from simulacra.constraints import Inequality

    rng = np.random.default_rng(0)
    lo = rng.uniform(0, 100, 200).round(1)
    df = pd.DataFrame({"lo": lo, "hi": (lo + rng.uniform(0, 5, 200)).round(1)})
    synth = LLMSynthesizer(Metadata.detect_from_dataframe(df), privacy_check=False, **TINY)
    synth.add_constraints([Inequality("lo", "hi")])
    synth.fit(df, seed=0)
    assert (synth.sample(200, seed=0).eval("lo <= hi")).all()  # sampling keeps it
    filled = synth.impute(df.assign(hi=np.nan), seed=0)
    assert (filled.lo <= filled.hi).all()


def test_llm_impute_values_are_rounded_and_within_the_learned_range():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.normal(10, 3, 200).round(2),
            "when": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 40, 200), unit="D"),
        }
    )
    md = Metadata.detect_from_dataframe(df)
    md.update_column("when", sdtype="datetime")
    synth = LLMSynthesizer(md, privacy_check=False, **TINY).fit(df, seed=0)
    q = df.copy()
    q["x"] = np.nan
    q.loc[::2, "when"] = pd.NaT
    filled = synth.impute(q, seed=0)
    assert (filled.x == filled.x.round(2)).all()  # sample() gives exact 2-decimal values; impute 7.3999999999999995
    assert filled.when.between(df.when.min(), df.when.max()).all()  # impute gave 2021-12-31 (max 2021-02-09)


def test_llm_impute_refuses_a_present_value_it_can_never_produce(small):
    df, _, synth = small
    q = df.head(4).copy()
    q["c"] = None
    q["x"] = 1e9  # GaussianCopula and CART raise ConstraintError naming the row
    with pytest.raises(ConstraintError):
        synth.impute(q, seed=0)


def test_dates_are_decoded_within_the_range_not_clipped_onto_its_end():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": pd.date_range("2020-01-01", periods=200, freq="h"), "b": rng.normal(size=200)})
    synth = LLMSynthesizer(Metadata.detect_from_dataframe(df), privacy_check=False, **TINY).fit(df, seed=0)
    out = synth.sample(500, seed=0)
    assert (out["a"] == df["a"].max()).mean() < 0.1  # 1 of 200 real rows is at the max; ~94% of sampled ones were


def test_a_crafted_huge_config_is_refused_before_the_model_is_built(small, tmp_path, monkeypatch):
    from transformers.models.gpt2 import modeling_gpt2

    _, _, synth = small
    synth.save(tmp_path / "m.zip")

    def edit(m):
        m["state"]["model"]["config"].update(n_layer=48, n_embd=4096, n_head=64)  # ~10G parameters, ~39 GB

    bad = _recraft(tmp_path / "m.zip", tmp_path / "bad.zip", edit)
    real = modeling_gpt2.GPT2LMHeadModel.__init__

    def guarded(self, cfg, *a, **k):
        if cfg.n_layer * cfg.n_embd**2 > 1e8:
            raise AssertionError("a ~39 GB model was being built from a file holding a few KB of weights")
        real(self, cfg, *a, **k)

    monkeypatch.setattr(modeling_gpt2.GPT2LMHeadModel, "__init__", guarded)
    with pytest.raises(ModelFileError):
        LLMSynthesizer.load(bad)


@pytest.mark.parametrize(
    "hf",
    [
        {"n_layer": 1, "n_head": 0},  # ZeroDivisionError
        {"n_layer": "x", "n_head": 2},  # StrictDataclassFieldValidationError
        {"n_layer": 1, "n_head": 2, "_attn_implementation": "flash_attention_2"},  # ImportError
    ],
)
def test_a_crafted_pretrained_config_gives_model_file_error(small, tmp_path, hf):
    _, _, synth = small
    synth.save(tmp_path / "m.zip")
    vocab = synth._codec.vocab_size

    def edit(m):
        cfg = {"model_type": "gpt2", "n_positions": 64, "n_embd": 16, "vocab_size": 10 + vocab, **hf}
        m["state"]["model"]["config"] = {"backend": "pretrained", "offset": 10, "hf_config": cfg}

    bad = _recraft(tmp_path / "m.zip", tmp_path / "bad.zip", edit)
    with pytest.raises(ModelFileError):
        LLMSynthesizer.load(bad)


# ---------------------------------------------------------------------- TextGenerator
def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def test_a_truncated_weights_file_is_one_parameter_error(tiny_causal, tmp_path):
    d = _copy(tiny_causal, tmp_path / "m")
    w = next(d.glob("*.safetensors"))
    w.write_bytes(w.read_bytes()[: w.stat().st_size // 2])  # an interrupted download or copy
    with pytest.raises(ParameterError):
        TextGenerator(d, device="cpu")


def test_a_bad_config_value_is_one_parameter_error(tiny_causal, tmp_path):
    d = _copy(tiny_causal, tmp_path / "m")
    cfg = json.loads((d / "config.json").read_text())
    cfg["n_head"] = 0
    (d / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ParameterError):
        TextGenerator(d, device="cpu")


def test_a_folder_without_a_tokenizer_is_refused(tiny_causal, tmp_path):
    d = _copy(tiny_causal, tmp_path / "m")
    for p in d.glob("tokenizer*"):
        p.unlink()
    with pytest.raises(ParameterError):
        TextGenerator(d, device="cpu")  # loaded: every prompt encodes to [] and the texts are noise


def test_seq2seq_huge_max_new_tokens_is_a_parameter_error(tiny_seq2seq):
    gen = TextGenerator(tiny_seq2seq, device="cpu")
    with pytest.raises(ParameterError):
        gen.generate("hi", max_new_tokens=10**12)  # MemoryError: Unable to allocate 7.28 TiB


# ---------------------------------------------------------------------- generate_table
def _serve(handler):
    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            handler(self)

        def do_GET(self):
            self.server.seen.append(self.headers.get("Authorization"))
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), H)
    srv.daemon_threads, srv.seen = True, []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


def test_the_api_key_is_not_sent_to_the_host_of_a_redirect():
    other, other_url = _serve(lambda h: None)

    def redirect(h):
        h.send_response(302)
        h.send_header("Location", other_url + "/collect")
        h.send_header("Content-Length", "0")
        h.end_headers()

    first, first_url = _serve(redirect)
    try:
        with pytest.raises(ParameterError):
            generate_table(
                "people",
                columns={"id": "id"},
                n=1,
                model="m",
                base_url=first_url + "/v1",
                api_key="sk-SECRET",
                max_retries=0,
            )
        assert "Bearer sk-SECRET" not in other.seen
    finally:
        first.shutdown()
        other.shutdown()


def test_a_deeply_nested_answer_is_one_parameter_error():
    def nested(h):
        body = json.dumps({"choices": [{"message": {"content": "[" * 100_000 + "]" * 100_000}}]}).encode()
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    srv, url = _serve(nested)
    try:
        with pytest.raises(ParameterError):
            generate_table("people", columns={"id": "id"}, n=1, model="m", base_url=url + "/v1", max_retries=0)
    finally:
        srv.shutdown()
