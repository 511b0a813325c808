"""The LLM synthesizer's optional backend: fine-tune a user's pretrained causal language model.

As GReaT does, the rows are learned by a model that already knows language; unlike GReaT, the
row vocabulary stays the codec's (:mod:`.codec`), so decoding stays constrained and every row
parses. The codec's tokens are added to the pretrained vocabulary, each starting from the mean
embedding of its text under the model's own tokenizer ("age is" for a column, "Biscoe" for a
category, the digit for a digit), so the model's knowledge of the names and values carries over.
:class:`OffsetLM` shows the decoder and the training loop only the codec's part of the logits.

The model loads through :class:`TextGenerator` (a local folder or the local cache, safetensors
only, no remote code); a saved model holds the fine-tuned weights as arrays and the config as
JSON, rebuilt from a built-in architecture of ``transformers`` (never code from the file).
"""

from __future__ import annotations

import json

from ..errors import ModelFileError, ParameterError
from ._deps import require_llm
from .codec import BOS, FILL, NULL, PAD, RowCodec


def token_texts(codec: RowCodec) -> list[str]:
    """The text each codec token stands for (its embedding starts from that text's)."""
    texts = ["\n"] * codec.vocab_size
    texts[PAD], texts[BOS], texts[NULL], texts[FILL] = "\n", "\n", " missing", ","
    for j, col in enumerate(codec.columns):
        texts[int(codec.col_token[j])] = f", {col['name']} is"
        if col["kind"] == "cat":
            for i, v in enumerate(col["values"]):
                texts[codec.value_base[j] + i] = f" {v}"
        elif col["kind"] == "date":
            y0, y1 = col["years"]
            for i, y in enumerate(range(y0, y1 + 1)):
                texts[codec.value_base[j] + i] = f" {y}"
    from .codec import MAX_DIGITS

    for p in range(MAX_DIGITS):
        for v in range(10):
            texts[codec.digit_base + 10 * p + v] = str(v)
    for part, base in codec.part_base.items():
        low = 1 if part in ("month", "day") else 0
        size = {"month": 12, "day": 31, "hour": 24, "minute": 60, "second": 60}[part]
        for i in range(size):
            texts[base + i] = f"-{low + i:02d}"
    return texts


class OffsetLM:
    """A causal LM whose rows' tokens are ``offset + codec token``; logits of the codec tokens only."""

    def __init__(self, lm, offset: int):
        import torch

        self.lm, self.offset = lm, int(offset)
        self._cache_arg = _cache_arg(lm)
        self._torch = torch

    @property
    def device(self):
        return self.lm.device

    def __call__(self, input_ids, cache=None, use_cache=False):
        from types import SimpleNamespace

        kw = {self._cache_arg: cache} if cache is not None else {}
        out = self.lm(input_ids=input_ids + self.offset, use_cache=use_cache, **kw)
        nxt = out.get("cache", None) or out.get("past_key_values", None)
        return SimpleNamespace(logits=out.logits[..., self.offset :], cache=nxt)

    # the training loop and the state read the wrapped model
    def parameters(self):
        return self.lm.parameters()

    def state_dict(self):
        return self.lm.state_dict()

    def load_state_dict(self, state):
        return self.lm.load_state_dict(state)

    def train(self):
        self.lm.train()

    def eval(self):
        self.lm.eval()

    def merge_lora(self) -> None:
        """Fold LoRA adapters (if any) into the weights: a plain model again, with its own forward arguments."""
        if hasattr(self.lm, "merge_and_unload"):
            self.lm = self.lm.merge_and_unload()
            self._cache_arg = _cache_arg(self.lm)
            self.lm.eval()


def _cache_arg(lm) -> str:
    """The name ``lm``'s forward takes its key/value cache by (under LoRA: the wrapped model's)."""
    base = lm.get_base_model() if hasattr(lm, "get_base_model") else lm
    return "cache" if "cache" in _forward_args(base) else "past_key_values"


def _forward_args(lm) -> set:
    import inspect

    return set(inspect.signature(lm.forward).parameters)


def fine_tunable(path, codec: RowCodec, device, lora: int = 0) -> tuple[OffsetLM, dict]:
    """``(model, config)``: the pretrained causal LM at ``path`` with the codec's tokens added (LoRA of rank ``lora``)."""
    torch, _ = require_llm("LLMSynthesizer(backend='pretrained')")
    from .text import TextGenerator

    gen = TextGenerator(path, device=device)
    if gen.kind != "causal":
        raise ParameterError(
            f"pretrained_model {str(path)!r} is a sequence-to-sequence model; the LLM synthesizer fine-tunes causal "
            "(GPT-style) models: pass one, or use backend='gpt'"
        )
    lm, tok = gen.model, gen.tokenizer
    positions = getattr(lm.config, "n_positions", None) or getattr(lm.config, "max_position_embeddings", None)
    if positions is not None and codec.seq_len > positions:
        raise ParameterError(
            f"a row is {codec.seq_len} tokens but the pretrained model reads at most {positions}; use backend='gpt' "
            "(its size follows the table) or a model with a longer context"
        )
    emb = lm.get_input_embeddings().weight
    offset = emb.shape[0]
    lm.resize_token_embeddings(offset + codec.vocab_size, mean_resizing=False)
    with torch.no_grad():
        inp = lm.get_input_embeddings().weight
        ids = tok(token_texts(codec), add_special_tokens=False)["input_ids"]
        for i, t in enumerate(ids):
            t = [x for x in t if x < offset] or [0]
            inp[offset + i] = inp[t].mean(0)
        out = lm.get_output_embeddings()
        if out is not None and out.weight.data_ptr() != inp.data_ptr():
            for i, t in enumerate(ids):
                t = [x for x in t if x < offset] or [0]
                out.weight[offset + i] = out.weight[t].mean(0)
    config = {"backend": "pretrained", "offset": int(offset), "hf_config": json.loads(lm.config.to_json_string())}
    if lora:
        lm = with_lora(lm, lora, range(offset, offset + codec.vocab_size))
    lm.train()
    return OffsetLM(lm, offset), config


def with_lora(lm, rank: int, new_tokens):
    """``lm`` with LoRA adapters of ``rank`` on its default target layers, and ``new_tokens``' embeddings trainable."""
    try:
        import peft
    except ImportError:
        raise ParameterError("lora= needs the peft package: pip install peft (or pass lora=False)") from None
    import warnings

    cfg = peft.LoraConfig(
        r=int(rank),
        lora_alpha=2 * int(rank),
        lora_dropout=0.0,
        trainable_token_indices=list(new_tokens),
        task_type="CAUSAL_LM",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # peft's notes on Conv1D layers and deprecated names
            return peft.get_peft_model(lm, cfg)
    except Exception as e:
        raise ParameterError(
            f"LoRA could not wrap this model ({type(e).__name__}: {str(e)[:200]}); pass lora=False"
        ) from None


#: most parameters a model file's pretrained config may ask for (~8 GB of float32 weights)
MAX_PARAMS = 2_000_000_000


def _size(key: str, v, high: int, required: bool = True) -> int:
    """``v`` (the config's ``key``) as an int in ``[1, high]`` (ModelFileError otherwise); 0 when absent and optional."""
    if v is None and not required:
        return 0
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= high:
        raise ModelFileError(
            f"model file: the pretrained LLM config's {key} must be an integer in 1..{high}, got {v!r}"
        )
    return v


def estimated_params(cfg) -> int:
    """A rough parameter count of the transformer a ``transformers`` config describes (nothing is allocated).

    Embeddings (twice when untied) and positions, plus ~4 x width^2 of attention and 3 x width x
    inner of feed-forward per layer: within a small factor of the real count for GPT-2, Llama,
    Mistral, Qwen2, Phi and the like.
    """
    width = _size("hidden_size", getattr(cfg, "hidden_size", None), 65_536)
    layers = _size("num_hidden_layers", getattr(cfg, "num_hidden_layers", None), 1_000)
    vocab = _size("vocab_size", getattr(cfg, "vocab_size", None), 10_000_000)
    positions = _size("max_position_embeddings", getattr(cfg, "max_position_embeddings", None), 10**7, False)
    inner = getattr(cfg, "intermediate_size", None) or getattr(cfg, "n_inner", None) or 4 * width
    inner = _size("intermediate_size", inner, 64 * width)
    tied = getattr(cfg, "tie_word_embeddings", True) is not False
    return vocab * width * (1 if tied else 2) + positions * width + layers * (4 * width * width + 3 * width * inner)


def rebuild(config: dict, codec: RowCodec, device, n_saved: int | None = None):
    """The fine-tuned model's architecture from a model file's ``config`` (a built-in transformers class only).

    The config's sizes are checked before the model is allocated: at most :data:`MAX_PARAMS`
    parameters (:func:`estimated_params`) and, when ``n_saved`` (the saved weights' total size)
    is given, not many more than the file holds. Private settings (``_attn_implementation``, ...)
    are dropped. A config transformers cannot build is a ModelFileError naming the problem.
    """
    _, transformers = require_llm("LLMSynthesizer(backend='pretrained')")
    hf = config.get("hf_config")
    offset = config.get("offset")
    if not isinstance(hf, dict) or isinstance(offset, bool) or not isinstance(offset, int) or offset < 1:
        raise ModelFileError("model file: the pretrained LLM config lacks hf_config or offset")
    # private settings choose attention kernels or paths: never taken from a file
    hf = {k: v for k, v in hf.items() if k not in ("auto_map", "transformers_version") and not str(k).startswith("_")}
    model_type = hf.pop("model_type", None)
    if not isinstance(model_type, str) or model_type not in transformers.CONFIG_MAPPING:
        raise ModelFileError(f"model file: {str(model_type)[:40]!r} is not a built-in transformers architecture")
    if hf.get("vocab_size") != offset + codec.vocab_size:
        raise ModelFileError("model file: the pretrained LLM vocabulary does not match its codec")
    with _as_model_file_error():
        cfg = transformers.AutoConfig.for_model(model_type, **hf)  # a config only: nothing large is allocated
    n = estimated_params(cfg)
    if n > MAX_PARAMS:
        raise ModelFileError(
            f"model file: the pretrained LLM config asks for ~{n:.2g} parameters (at most {MAX_PARAMS:.0e})"
        )
    if n_saved is not None and n > 4 * int(n_saved) + 1_000_000:
        raise ModelFileError(
            f"model file: the pretrained LLM config asks for ~{n:.2g} parameters but the file holds {int(n_saved)}"
        )
    with _as_model_file_error():
        lm = transformers.AutoModelForCausalLM.from_config(cfg, trust_remote_code=False).to(device)
    return OffsetLM(lm, offset)


class _as_model_file_error:
    """Any error but MemoryError (the loader reports it) as one ModelFileError: a crafted config fails many ways."""

    def __enter__(self):
        return self

    def __exit__(self, kind, e, tb):
        if kind is None or not issubclass(kind, Exception) or issubclass(kind, (MemoryError, ModelFileError)):
            return False
        detail = " ".join(str(e).split())[:200]
        raise ModelFileError(
            f"model file: the pretrained LLM config does not build ({kind.__name__}: {detail})"
        ) from None


__all__ = ["fine_tunable", "rebuild", "estimated_params", "OffsetLM", "token_texts", "MAX_PARAMS"]
