"""Tiny language models built locally from a config, for tests and demos (no download, ever).

:func:`make_tiny_model` trains a byte-level BPE tokenizer with the ``tokenizers`` library on a
small corpus, wraps it as a ``transformers.PreTrainedTokenizerFast``, builds a GPT-2
(``kind="causal"``) or a T5 (``kind="seq2seq"``) from a config with seeded random weights,
optionally takes a few Adam steps on the corpus so that its text is not pure noise, and saves
both with ``save_pretrained(safe_serialization=True)`` into one folder that
:class:`~simulacra.generative.text.TextGenerator` (or ``from_pretrained``) loads offline.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from ..errors import ParameterError
from ._deps import require_llm

KINDS = ("causal", "seq2seq")
SPECIAL_TOKENS = {"pad_token": "<pad>", "eos_token": "</s>", "bos_token": "<s>", "unk_token": "<unk>"}

#: The default corpus: short English product reviews and sentences.
CORPUS = [
    "The product works well and the price is fair.",
    "Great quality, fast delivery, I would buy it again.",
    "The battery lasts all day and the screen is bright.",
    "Terrible experience, the item broke after one week.",
    "It is a good phone for the money, rated four out of five.",
    "The shoes are comfortable and the size is right.",
    "Customer service answered quickly and solved the problem.",
    "The book was long but the story was worth it.",
    "Review of the laptop: light, quiet and very fast.",
    "Review of the chair: solid, easy to build, rated five out of five.",
    "The coffee tastes bitter and the bag was half empty.",
    "Nice color, soft fabric, the shirt fits well.",
    "The order arrived late and the box was damaged.",
    "A simple tool that does exactly what it says.",
    "The headphones sound clear and the noise canceling is good.",
    "Not worth the price, I returned it the next day.",
    "My kids love this game and play it every evening.",
    "The kitchen knife is sharp and feels balanced.",
    "The camera takes sharp pictures even at night.",
    "Instructions were unclear but the result is fine.",
]


def make_tiny_model(
    path,
    kind: str = "causal",
    corpus=None,
    vocab_size: int = 400,
    n_layer: int = 2,
    n_embd: int = 64,
    train_steps: int = 0,
    seed: int = 0,
) -> Path:
    """Build and save a tiny model and its tokenizer into ``path``.

    Parameters
    ----------
    path : str or Path
        The folder to write (created if needed; files of the same names are replaced).
    kind : {"causal", "seq2seq"}
        ``"causal"``: a ``GPT2LMHeadModel``; ``"seq2seq"``: a ``T5ForConditionalGeneration``.
    corpus : list of str, optional
        Text the tokenizer is trained on (and the model, when ``train_steps > 0``); default
        :data:`CORPUS`.
    vocab_size : int
        Size of the BPE vocabulary (at least 300: the 256 bytes, the special tokens and some merges).
    n_layer, n_embd : int
        Layers (each of the encoder and decoder for T5) and hidden size (even, at least 8).
    train_steps : int
        Adam steps on the corpus (0: random weights).
    seed : int
        Seeds the weights and the training.

    Returns
    -------
    Path
        The folder, ready for ``TextGenerator(path)``.
    """
    torch, transformers = require_llm("make_tiny_model")
    if kind not in KINDS:
        raise ParameterError(f"kind must be 'causal' or 'seq2seq', got {kind!r}")
    corpus = list(CORPUS if corpus is None else corpus)
    if not corpus or not all(isinstance(t, str) for t in corpus):
        raise ParameterError("corpus must be a non-empty list of strings")
    for name, value, low in (("vocab_size", vocab_size, 300), ("n_layer", n_layer, 1), ("n_embd", n_embd, 8)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ParameterError(f"{name} must be an integer of at least {low}, got {value!r}")
    if n_embd % 2:
        raise ParameterError(f"n_embd must be even (two attention heads), got {n_embd}")
    if isinstance(train_steps, bool) or not isinstance(train_steps, int) or train_steps < 0:
        raise ParameterError(f"train_steps must be an integer of at least 0, got {train_steps!r}")
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)

    tok = _tokenizer(corpus, vocab_size, transformers)
    vocab = len(tok)
    pad, eos, bos = tok.pad_token_id, tok.eos_token_id, tok.bos_token_id
    torch.manual_seed(seed)
    if kind == "causal":
        cfg = transformers.GPT2Config(
            vocab_size=vocab,
            n_positions=256,
            n_embd=n_embd,
            n_layer=n_layer,
            n_head=2,
            n_inner=2 * n_embd,
            bos_token_id=bos,
            eos_token_id=eos,
            pad_token_id=pad,
        )
        model = transformers.GPT2LMHeadModel(cfg)
    else:
        cfg = transformers.T5Config(
            vocab_size=vocab,
            d_model=n_embd,
            d_kv=n_embd // 2,
            d_ff=2 * n_embd,
            num_layers=n_layer,
            num_decoder_layers=n_layer,
            num_heads=2,
            pad_token_id=pad,
            eos_token_id=eos,
            bos_token_id=bos,
            decoder_start_token_id=pad,
        )
        model = transformers.T5ForConditionalGeneration(cfg)
    with quiet(transformers):
        if train_steps:
            _train(model, tok, corpus, kind, train_steps, seed, torch)
        model.eval()
        model.save_pretrained(path, safe_serialization=True)
        tok.save_pretrained(path)
    return path


@contextmanager
def quiet(transformers):
    """transformers' warnings and progress bars (loading and writing shards) off inside the block."""
    log = transformers.utils.logging
    level, bars = log.get_verbosity(), log.is_progress_bar_enabled()
    log.set_verbosity_error()
    log.disable_progress_bar()
    try:
        yield
    finally:
        log.set_verbosity(level)
        if bars:
            log.enable_progress_bar()


def _tokenizer(corpus, vocab_size, transformers):
    """A byte-level BPE tokenizer trained on ``corpus``, as a ``PreTrainedTokenizerFast``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    specials = list(SPECIAL_TOKENS.values())
    raw = Tokenizer(models.BPE(unk_token=SPECIAL_TOKENS["unk_token"]))
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    raw.train_from_iterator(corpus, trainer=trainer)
    return transformers.PreTrainedTokenizerFast(tokenizer_object=raw, model_max_length=256, **SPECIAL_TOKENS)


def _train(model, tok, corpus, kind, steps, seed, torch):
    """A few Adam steps on the corpus (whole corpus per step, it is small)."""
    gen = torch.Generator().manual_seed(seed)
    eos = tok.eos_token
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    texts = [t + eos for t in corpus]
    for _ in range(steps):
        idx = torch.randperm(len(texts), generator=gen)[: min(32, len(texts))].tolist()
        batch = [texts[i] for i in idx]
        if kind == "causal":
            enc = tok(batch, return_tensors="pt", padding=True)
            labels = enc["input_ids"].masked_fill(enc["attention_mask"] == 0, -100)
            out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], labels=labels)
        else:  # the first words as the source, the rest as the target
            src = [" ".join(t.split()[:3]) for t in batch]
            tgt = [" ".join(t.split()[3:]) for t in batch]
            enc = tok(src, return_tensors="pt", padding=True)
            lab = tok(tgt, return_tensors="pt", padding=True)
            labels = lab["input_ids"].masked_fill(lab["attention_mask"] == 0, -100)
            out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], labels=labels)
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        opt.step()
    model.eval()
