"""The LLM synthesizer's default model: a small GPT-2 built from a config, trained from scratch on token rows.

Training minimises the next-token loss on the value slots only (column tokens, the leading ``BOS``
and the ``FILL`` after ``NULL`` are forced when sampling, so they are not learned), with the
logits restricted to each slot's tokens, as the decoder restricts them. Weights are kept as numpy
arrays (model files hold arrays and JSON, never a pickle).
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelFileError
from ._deps import require_llm
from .codec import BOS, FILL, NULL, PAD, RowCodec

#: largest model a file may describe (layers, width, heads)
MAX_LAYERS, MAX_WIDTH, MAX_HEADS = 48, 4096, 64


def config_of(codec: RowCodec, n_layer: int, n_embd: int, n_head: int, dropout: float) -> dict:
    """The JSON config of the model for ``codec``."""
    return {
        "vocab_size": int(codec.vocab_size),
        "n_positions": int(codec.seq_len),
        "n_layer": int(n_layer),
        "n_embd": int(n_embd),
        "n_head": int(n_head),
        "dropout": float(dropout),
    }


def build(config: dict, seed: int = 0, device="cpu"):
    """A GPT-2 language model from ``config`` (random weights drawn from ``seed``)."""
    torch, transformers = require_llm("LLMSynthesizer")
    try:
        V, P, L, E, H = (int(config[k]) for k in ("vocab_size", "n_positions", "n_layer", "n_embd", "n_head"))
        dropout = float(config["dropout"])
    except (KeyError, TypeError, ValueError):
        raise ModelFileError("model file: the LLM config lacks a field or holds a non-number") from None
    if not (0 < L <= MAX_LAYERS and 0 < H <= MAX_HEADS and 0 < E <= MAX_WIDTH and E % H == 0 and 0 <= dropout < 1):
        raise ModelFileError(f"model file: invalid LLM config (layers {L}, width {E}, heads {H})")
    cfg = transformers.GPT2Config(
        vocab_size=V,
        n_positions=P,
        n_embd=E,
        n_layer=L,
        n_head=H,
        resid_pdrop=dropout,
        embd_pdrop=dropout,
        attn_pdrop=0.0,  # attention dropout takes the slow attention kernel on CPU; residual dropout regularizes
        bos_token_id=BOS,
        eos_token_id=BOS,
        pad_token_id=PAD,
        activation_function="gelu_pytorch_tanh",
        loss_type="ForCausalLM",
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed) % (2**63))
        model = transformers.GPT2LMHeadModel(cfg)
    return model.to(device)


def check_arrays(config: dict, arrays) -> None:
    """The saved arrays describe the model ``config`` says (width, vocabulary, layers), checked before it is built.

    A crafted config cannot make :func:`build` allocate a model far larger than the weights the file holds.
    """
    try:
        V, E, L = (int(config[k]) for k in ("vocab_size", "n_embd", "n_layer"))
    except (KeyError, TypeError, ValueError):
        raise ModelFileError("model file: the LLM config lacks a field or holds a non-number") from None
    wte = arrays.get("transformer.wte.weight") if isinstance(arrays, dict) else None
    layers = {k.split(".")[2] for k in arrays if k.startswith("transformer.h.")} if isinstance(arrays, dict) else ()
    if wte is None or tuple(np.shape(wte)) != (V, E) or len(layers) != L:
        raise ModelFileError(
            f"model file: the LLM config (vocabulary {V}, width {E}, {L} layers) does not match its weights; "
            "the file was edited or crafted"
        )


def targets(codec: RowCodec, tokens: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """Labels of next-token training: the value tokens, -100 elsewhere (forced when sampling)."""
    lab = tokens[:, 1:].copy()
    s = slots[:, 1:]
    lab[(s <= len(codec.columns)) | (lab == FILL)] = -100
    return lab


def loss_of(model, codec_allowed, tokens, slots, labels, torch, codec: RowCodec | None = None):
    """Mean next-token loss of a batch (logits restricted to each slot's tokens).

    With ``codec`` and a GPT-2 head the logits are computed only for each target's own tokens (one
    product per ``codec.groups`` group), not over the whole vocabulary: the same loss, much less work
    with many categories.
    """
    head = getattr(model, "lm_head", None)
    if codec is not None and head is not None and getattr(head, "bias", None) is None and hasattr(model, "transformer"):
        return _grouped_loss(model, codec, tokens, slots, labels, torch)
    inp = torch.from_numpy(tokens[:, :-1])
    out = model(input_ids=inp.to(model.device)).logits
    mask = codec_allowed[torch.from_numpy(slots[:, 1:]).to(model.device)]
    out = out.masked_fill(~mask, -1e4)
    lab = torch.from_numpy(labels).to(model.device)
    return torch.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), lab.reshape(-1), ignore_index=-100)


def _grouped_loss(model, codec, tokens, slots, labels, torch):
    group_of, groups = codec.slot_group, codec.groups
    dev = model.device
    hidden = model.transformer(input_ids=torch.from_numpy(tokens[:, :-1]).to(dev)).last_hidden_state
    keep = labels != -100
    if not keep.any():
        return hidden.sum() * 0.0
    H = hidden[torch.from_numpy(keep).to(dev)]
    s, y = slots[:, 1:][keep], labels[keep]
    g = group_of[s]
    W = model.lm_head.weight
    total = hidden.new_zeros(())
    for k in np.unique(g):
        a, b, nullable = groups[k]
        rows = np.flatnonzero(g == k)
        Hk = H[torch.from_numpy(rows).to(dev)]
        yk = y[rows]
        if len(nullable):
            logits = Hk @ torch.cat([W[a:b], W[NULL : NULL + 1]]).T
            no_null = torch.from_numpy(~np.isin(s[rows], nullable)).to(dev)
            logits[:, -1] = logits[:, -1].masked_fill(no_null, float("-inf"))
            local = np.where(yk == NULL, b - a, yk - a)
        else:
            logits = Hk @ W[a:b].T
            local = yk - a
        total = total + torch.nn.functional.cross_entropy(logits, torch.from_numpy(local).to(dev), reduction="sum")
    return total / len(y)


def weights(model) -> dict:
    """``{name: float32 array}`` of the model's parameters."""
    return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}


def load_weights(model, arrays: dict) -> None:
    """Put ``arrays`` into ``model``, checking every name, shape and value (ModelFileError otherwise)."""
    import torch

    own = model.state_dict()
    if not isinstance(arrays, dict) or set(arrays) != set(own):
        missing = sorted(set(own) - set(arrays or {}))[:3]
        raise ModelFileError(f"model file: the LLM weights do not match its config (missing {missing})")
    new = {}
    for k, ref in own.items():
        a = np.asarray(arrays[k])
        if a.shape != tuple(ref.shape) or a.dtype.kind != "f" or not np.all(np.isfinite(a)):
            raise ModelFileError(f"model file: LLM weight {k!r} has the wrong shape or non-finite values")
        new[k] = torch.from_numpy(a.astype(np.float32)).to(ref.dtype)
    model.load_state_dict(new)
    model.eval()
