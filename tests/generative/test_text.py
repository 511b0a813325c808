"""TextGenerator on real tiny models: seeded sampling, greedy decoding, both kinds, offline errors."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import ParameterError

PROMPTS = ["Review of the phone, rated 5/5:", "Review of the book", "", "Not worth", "The product works"] * 3


@pytest.fixture(scope="module")
def causal(tiny_causal):
    from simulacra.generative.text import TextGenerator

    return TextGenerator(tiny_causal, device="cpu")


@pytest.fixture(scope="module")
def seq2seq(tiny_seq2seq):
    from simulacra.generative.text import TextGenerator

    return TextGenerator(tiny_seq2seq)


def test_attributes(causal, seq2seq, tiny_causal):
    assert causal.kind == "causal" and seq2seq.kind == "seq2seq"
    assert causal.path == tiny_causal and causal.name == "causal"
    assert str(causal.device) == "cpu" and not causal.model.training
    assert "causal" in repr(causal)


@pytest.mark.parametrize("which", ["causal", "seq2seq"])
def test_seeded_sampling(request, which):
    gen = request.getfixturevalue(which)
    a = gen.generate(PROMPTS, max_new_tokens=12, seed=3)
    assert isinstance(a, list) and len(a) == len(PROMPTS) and all(isinstance(t, str) for t in a)
    assert gen.generate(PROMPTS, max_new_tokens=12, seed=3) == a
    assert gen.generate(PROMPTS, max_new_tokens=12, seed=4) != a
    # prompt i draws from child i of the seed: the batch size and the other prompts do not matter
    assert gen.generate(PROMPTS, max_new_tokens=12, seed=3, batch_size=1) == a
    assert gen.generate(PROMPTS, max_new_tokens=12, seed=3, batch_size=4) == a
    assert gen.generate(PROMPTS[:2], max_new_tokens=12, seed=3) == a[:2]
    # the same prompt repeated draws differently (its own child)
    assert len({a[i] for i in range(0, len(PROMPTS), 5)}) > 1


@pytest.mark.parametrize("which", ["causal", "seq2seq"])
def test_greedy(request, which):
    gen = request.getfixturevalue(which)
    a = gen.generate(PROMPTS[:5], max_new_tokens=8, temperature=0, seed=1)
    assert gen.generate(PROMPTS[:5], max_new_tokens=8, temperature=0, seed=2, batch_size=2) == a


def test_greedy_matches_transformers(causal):
    """Greedy decoding equals transformers' own generate (the KV-cache loop is the model's)."""
    import torch

    prompt = "Review of the phone"
    enc = causal.tokenizer([prompt], return_tensors="pt")
    with torch.no_grad():
        ref = causal.model.generate(
            **enc, max_new_tokens=8, do_sample=False, pad_token_id=causal.tokenizer.pad_token_id, suppress_tokens=[0]
        )
    want = causal.tokenizer.decode(ref[0, enc["input_ids"].shape[1] :], skip_special_tokens=True)
    assert causal.generate(prompt, max_new_tokens=8, temperature=0) == want


def test_top_p_narrows(causal):
    # a tiny top_p keeps only the most likely token: sampling becomes greedy
    greedy = causal.generate(PROMPTS[:5], max_new_tokens=6, temperature=0)
    assert causal.generate(PROMPTS[:5], max_new_tokens=6, top_p=1e-6, seed=9) == greedy
    assert causal.generate(PROMPTS[:5], max_new_tokens=6, top_p=0.9, seed=9) != greedy


def test_shapes_of_results(causal):
    s = pd.Series(["Review of the chair", "The"], index=[10, 3], name="p")
    out = causal.generate(s, max_new_tokens=4)
    assert isinstance(out, pd.Series) and list(out.index) == [10, 3] and out.name == "p"
    assert out.tolist() == causal.generate(s.tolist(), max_new_tokens=4)
    one = causal.generate("Review of the chair", max_new_tokens=4)
    assert isinstance(one, str) and one == out.iloc[0]
    assert causal.generate([], max_new_tokens=4) == []
    assert causal.generate(np.array(["The"]), max_new_tokens=4) == causal.generate(["The"], max_new_tokens=4)
    # new text only, bounded by max_new_tokens
    assert all(len(causal.tokenizer(t)["input_ids"]) <= 3 * 4 for t in causal.generate(PROMPTS, max_new_tokens=4))


def test_progress(causal, capsys):
    causal.generate(["The"] * 3, max_new_tokens=2, show_progress=True)
    assert "generating" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_new_tokens": 0},
        {"max_new_tokens": 1.5},
        {"temperature": -0.1},
        {"temperature": float("nan")},
        {"top_p": 0},
        {"top_p": 1.5},
        {"batch_size": 0},
        {"seed": -1},
        {"max_new_tokens": 10_000},
    ],
)
def test_bad_arguments(causal, kwargs):
    with pytest.raises(ParameterError):
        causal.generate(["The"], **kwargs)


@pytest.mark.parametrize("prompts", [[1, 2], ["ok", None], 3, pd.Series(["a", np.nan])])
def test_bad_prompts(causal, prompts):
    with pytest.raises(ParameterError, match="prompt"):
        causal.generate(prompts)


def test_spec_round_trip(causal):
    from simulacra.generative.text import TextGenerator

    spec = causal.to_spec()
    assert json.loads(json.dumps(spec)) == spec and spec["kind"] == "causal"
    again = TextGenerator.from_spec(spec)
    assert again.generate(PROMPTS[:3], max_new_tokens=5, seed=2) == causal.generate(
        PROMPTS[:3], max_new_tokens=5, seed=2
    )
    with pytest.raises(ParameterError, match="spec"):
        TextGenerator.from_spec({"path": "x"})


# ---------------------------------------------------------------------- offline errors
def test_missing_folder(tmp_path):
    from simulacra.generative.text import TextGenerator

    where = tmp_path / "no-such-model"
    with pytest.raises(ParameterError, match="does not exist") as e:
        TextGenerator(where)
    assert str(where) in str(e.value) and "make_tiny_model" in str(e.value)
    assert e.value.__cause__ is None and (e.value.__context__ is None or e.value.__suppress_context__)


def test_folder_without_config(tmp_path):
    from simulacra.generative.text import TextGenerator

    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match="config.json"):
        TextGenerator(tmp_path / "empty")


def test_pickled_weights_refused(tmp_path, tiny_causal):
    """A folder with weights only as pytorch_model.bin is refused before anything reads the file."""
    from simulacra.generative.text import TextGenerator

    folder = tmp_path / "pickled"
    folder.mkdir()
    for f in tiny_causal.iterdir():
        if f.suffix != ".safetensors":
            shutil.copy(f, folder / f.name)
    (folder / "pytorch_model.bin").write_bytes(b"not a real pickle: it must never be read")
    with pytest.raises(ParameterError, match="pickles") as e:
        TextGenerator(folder)
    assert "pytorch_model.bin" in str(e.value) and "safe_serialization=True" in str(e.value)


def test_uncached_hub_name(tmp_path, monkeypatch):
    from simulacra.generative.text import TextGenerator

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParameterError, match="local cache") as e:
        TextGenerator("bigscience/mt0-small")
    msg = str(e.value)
    assert "huggingface-cli download bigscience/mt0-small" in msg and str(tmp_path / "hf" / "hub") in msg
    assert e.value.__cause__ is None


def test_cached_hub_name(tmp_path, monkeypatch, tiny_seq2seq):
    """A hub name resolves from a local cache laid out as huggingface_hub lays it out (no network)."""
    from simulacra.generative.text import TextGenerator

    cache = tmp_path / "hub"
    repo = cache / "models--someone--tiny-t5"
    snap = repo / "snapshots" / ("a" * 40)
    shutil.copytree(tiny_seq2seq, snap)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.chdir(tmp_path)
    gen = TextGenerator("someone/tiny-t5")
    assert gen.kind == "seq2seq" and gen.from_hub and gen.path == snap
    assert gen.to_spec()["model"] == "someone/tiny-t5"
    assert gen.generate("Review of", max_new_tokens=4, seed=1) == TextGenerator(tiny_seq2seq).generate(
        "Review of", max_new_tokens=4, seed=1
    )


def test_bad_device_and_model(tiny_causal):
    from simulacra.generative.text import TextGenerator

    with pytest.raises(ParameterError, match="device"):
        TextGenerator(tiny_causal, device="tpu")
    with pytest.raises(ParameterError, match="model"):
        TextGenerator(3)


def test_estimated_params_is_close_for_built_in_configs():
    """The size check of a model file's pretrained config is within a small factor of the real count."""
    import torch
    import transformers

    from simulacra.generative.pretrained import estimated_params

    for model_type, kw in [
        ("gpt2", {"n_embd": 64, "n_layer": 2, "n_head": 2, "vocab_size": 500, "n_positions": 128}),
        (
            "llama",
            {
                "hidden_size": 64,
                "num_hidden_layers": 2,
                "num_attention_heads": 2,
                "intermediate_size": 172,
                "vocab_size": 500,
                "max_position_embeddings": 128,
            },
        ),
    ]:
        cfg = transformers.AutoConfig.for_model(model_type, **kw)
        with torch.device("meta"):
            real = sum(p.numel() for p in transformers.AutoModelForCausalLM.from_config(cfg).parameters())
        assert real / 2 < estimated_params(cfg) < 2 * real
