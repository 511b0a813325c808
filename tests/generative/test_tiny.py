"""make_tiny_model: a tokenizer and a model built locally, saved as safetensors, loadable offline."""

import json

import pytest

from simulacra.errors import ParameterError


def test_causal_folder(tiny_causal):
    import transformers

    names = {p.name for p in tiny_causal.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= names
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in names)
    cfg = json.loads((tiny_causal / "config.json").read_text())
    assert cfg["model_type"] == "gpt2" and cfg["n_layer"] == 2 and cfg["n_embd"] == 64
    tok = transformers.AutoTokenizer.from_pretrained(tiny_causal, local_files_only=True)
    assert tok.pad_token == "<pad>" and tok.eos_token == "</s>" and tok.bos_token == "<s>"
    assert tok.decode(tok("Review of the phone")["input_ids"]) == "Review of the phone"
    model = transformers.AutoModelForCausalLM.from_pretrained(tiny_causal, use_safetensors=True, local_files_only=True)
    assert model.config.vocab_size == len(tok)


def test_seq2seq_folder(tiny_seq2seq):
    import transformers

    cfg = transformers.AutoConfig.from_pretrained(tiny_seq2seq, local_files_only=True)
    assert cfg.is_encoder_decoder and cfg.model_type == "t5" and cfg.d_model == 64
    assert cfg.decoder_start_token_id == cfg.pad_token_id
    model = transformers.AutoModelForSeq2SeqLM.from_pretrained(
        tiny_seq2seq, use_safetensors=True, local_files_only=True
    )
    assert model.config.num_layers == 2


def test_seeded(tmp_path):
    from simulacra.generative.tiny import make_tiny_model

    a = make_tiny_model(tmp_path / "a", corpus=["one two three", "four five six"], vocab_size=300, seed=3)
    b = make_tiny_model(tmp_path / "b", corpus=["one two three", "four five six"], vocab_size=300, seed=3)
    assert (a / "model.safetensors").read_bytes() == (b / "model.safetensors").read_bytes()


@pytest.mark.parametrize(
    "kwargs",
    [{"kind": "bert"}, {"vocab_size": 10}, {"n_embd": 33}, {"corpus": []}, {"train_steps": -1}, {"n_layer": 0}],
)
def test_bad_arguments(tmp_path, kwargs):
    from simulacra.generative.tiny import make_tiny_model

    with pytest.raises(ParameterError):
        make_tiny_model(tmp_path / "m", **kwargs)
