"""Text from local language models: causal (GPT-2 style) and sequence-to-sequence (T5 style).

:class:`TextGenerator` loads a model folder (or a hub name already in the local Hugging Face
cache: nothing is downloaded) with ``use_safetensors=True`` and never runs remote code; the kind
comes from the config (``is_encoder_decoder``). :meth:`TextGenerator.generate` samples with its
own loop over the model's forward pass and KV cache, so that prompt *i* draws its tokens from
child *i* of ``numpy.random.SeedSequence(seed)``: the same prompts give the same texts for a seed
whatever the batch size (prompts are batched by length, causal models padded on the left), and
``temperature=0`` is greedy.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from .._random import as_seed_sequence, iter_spawn
from .._threads import limit_threads_for
from ..errors import ParameterError
from ..utils.progress import progress
from ._deps import device_for, require_llm
from .tiny import quiet

KINDS = ("causal", "seq2seq")
#: a hub model id ("name" or "owner/name"); anything else is only a folder
_HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,95}(/[A-Za-z0-9][A-Za-z0-9_.\-]{0,95})?")
_PICKLED = ("*.bin", "*.pt", "*.pth", "*.ckpt", "*.pkl")
#: files fetched when ``local_files_only=False`` (configs, tokenizers, safetensors weights: never pickles)
SAFE_PATTERNS = ["*.json", "*.safetensors", "*.model", "*.txt", "*.tiktoken"]
#: tokenizer files one of which a model folder needs (a fast tokenizer, BPE vocab+merges, sentencepiece, WordPiece)
_TOKENIZER_FILES = (
    ("tokenizer.json",),
    ("vocab.json", "merges.txt"),
    ("tokenizer.model",),
    ("spiece.model",),
    ("sentencepiece.bpe.model",),
    ("vocab.txt",),
)
#: most tokens written per prompt by a model without a position limit (sequence-to-sequence, relative positions)
MAX_NEW_TOKENS = 4096


def how_to_get(name: str = "<hub name>") -> str:
    """What to do when a model is not here (the message's second half)."""
    return (
        f"download it once on a machine with network (huggingface-cli download {name}, then copy the folder or "
        "the cache here) and pass the folder, or build a tiny local one with "
        "simulacra.generative.make_tiny_model(folder)"
    )


def hub_cache() -> str:
    """The Hugging Face hub cache read now: ``HF_HUB_CACHE``, else ``HF_HOME``/hub, else the default."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    if os.environ.get("HF_HOME"):
        return os.path.join(os.environ["HF_HOME"], "hub")
    from huggingface_hub import constants

    return constants.HF_HUB_CACHE


def resolve_model(model, local_files_only: bool = True) -> tuple[Path, str, bool]:
    """``(folder, name, from_hub)`` for a model folder or a hub name found in the local cache.

    Raises
    ------
    ParameterError
        No such folder and no cached copy (one message naming both and how to get the model).
    """
    if isinstance(model, os.PathLike):
        model = os.fspath(model)
    if not isinstance(model, str) or not model.strip():
        raise ParameterError(
            f"model must be a model folder or a hub name such as 'bigscience/mt0-small', got {model!r}"
        )
    folder = Path(model).expanduser()
    if folder.exists():
        return folder, folder.name, False
    if not _HUB_ID.fullmatch(model) or model.startswith(".") or "--" in model:
        raise ParameterError(f"model folder {str(folder)!r} does not exist: {how_to_get()}")
    cache = hub_cache()
    offline = local_files_only or os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
    try:
        from huggingface_hub import snapshot_download

        with quiet(require_llm("TextGenerator")[1]):
            snap = snapshot_download(model, cache_dir=cache, local_files_only=offline, allow_patterns=SAFE_PATTERNS)
    except ParameterError:
        raise
    except Exception:  # noqa: BLE001 - hub errors of every kind end in one message
        raise ParameterError(
            f"model {model!r} is neither a folder nor a hub model in the local cache ({cache}); "
            f"{'nothing is downloaded (local_files_only=True)' if offline else 'the download failed'}: {how_to_get(model)}"
        ) from None
    return Path(snap), model, True


def check_folder(folder: Path, name: str) -> None:
    """A ParameterError unless ``folder`` holds a config and safetensors weights (pickled weights are refused)."""
    if not folder.is_dir():
        raise ParameterError(f"model {str(folder)!r} is not a folder: pass the folder holding config.json")
    if not (folder / "config.json").is_file():
        raise ParameterError(
            f"model folder {str(folder)!r} holds no config.json: it is not a saved model ({how_to_get()})"
        )
    if not any(folder.glob("*.safetensors")):
        pickled = sorted(p.name for pat in _PICKLED for p in folder.glob(pat))
        if pickled:
            raise ParameterError(
                f"model folder {str(folder)!r} holds weights only as pickles ({', '.join(pickled[:3])}); simulacra "
                "never loads pickles: convert them once where you trust the file "
                "(model.save_pretrained(folder, safe_serialization=True)) and pass that folder"
            )
        raise ParameterError(f"model folder {str(folder)!r} holds no .safetensors weights ({how_to_get()})")
    if not any(all((folder / f).is_file() for f in files) for files in _TOKENIZER_FILES) and not any(
        folder.glob("*.tiktoken")
    ):
        raise ParameterError(
            f"model folder {str(folder)!r} holds no tokenizer files (expected tokenizer.json, or vocab.json and "
            "merges.txt, or a sentencepiece tokenizer.model / spiece.model, or vocab.txt): save the tokenizer "
            "with the model (tokenizer.save_pretrained(folder))"
        )
    check_weights(folder)


def check_weights(folder: Path) -> None:
    """A ParameterError naming the file unless every ``*.safetensors`` file in ``folder`` opens whole."""
    from safetensors import safe_open

    for path in sorted(folder.glob("*.safetensors")):
        try:
            with safe_open(str(path), framework="pt"):
                pass
        except Exception as e:  # noqa: BLE001 - a truncated or garbled file, whatever safetensors raises
            detail = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
            raise ParameterError(
                f"weights file {str(path)!r} is damaged or incomplete ({detail}): an interrupted download or copy? "
                "download or copy the model again"
            ) from None


class TextGenerator:
    """Text from a local causal or sequence-to-sequence language model.

    Parameters
    ----------
    model : str or Path
        A model folder (``config.json``, ``*.safetensors``, tokenizer files), or a hub name such as
        ``"bigscience/mt0-small"`` already in the local Hugging Face cache (``HF_HUB_CACHE`` /
        ``HF_HOME``).
    device : str, default "auto"
        ``"auto"`` (CUDA when present, else the CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    local_files_only : bool, default True
        Only the local cache is read. ``False`` lets a hub name missing from the cache be fetched
        (configs, tokenizer and safetensors files only) unless ``HF_HUB_OFFLINE`` is set.

    Attributes
    ----------
    kind : {"causal", "seq2seq"}
    model : transformers.PreTrainedModel
        In eval mode, on :attr:`device`.
    tokenizer : transformers tokenizer (fast)
    device : torch.device
    path : Path
        The local folder the model was loaded from.
    name : str
        The hub name, or the folder's name.

    Raises
    ------
    ParameterError
        A missing folder or no cached copy, a folder without a config, safetensors weights or
        tokenizer files, a damaged weights file (named), or a model transformers cannot load,
        such as one with a bad config value (one message naming the model).
    """

    def __init__(self, model, *, device="auto", local_files_only: bool = True):
        torch, transformers = require_llm("TextGenerator")
        if not isinstance(local_files_only, bool):
            raise ParameterError(f"local_files_only must be True or False, got {local_files_only!r}")
        self.path, self.name, self.from_hub = resolve_model(model, local_files_only)
        check_folder(self.path, self.name)
        self._device_arg = device if isinstance(device, str) else "auto"
        self.device = torch.device(device_for(device))
        where = repr(self.name if self.from_hub else str(self.path))
        opts = {"local_files_only": True, "trust_remote_code": False}
        try:
            with quiet(transformers):
                config = transformers.AutoConfig.from_pretrained(self.path, **opts)
                self.kind = "seq2seq" if getattr(config, "is_encoder_decoder", False) else "causal"
                auto = (
                    transformers.AutoModelForSeq2SeqLM if self.kind == "seq2seq" else transformers.AutoModelForCausalLM
                )
                self.model = auto.from_pretrained(self.path, config=config, use_safetensors=True, **opts)
                self.tokenizer = transformers.AutoTokenizer.from_pretrained(self.path, **opts)
            self.model.to(self.device).eval()
        except MemoryError:
            raise ParameterError(f"model {where} does not fit in memory on {self.device}") from None
        except Exception as e:  # noqa: BLE001 - a bad config value or file fails in many ways: one message
            detail = " ".join(str(e).split())[:300]
            raise ParameterError(
                f"model {where} could not be loaded as a causal or sequence-to-sequence model "
                f"({type(e).__name__}: {detail}); check its config.json, or pass a folder saved with save_pretrained (safetensors)"
            ) from None
        if len(self.tokenizer) < 2:
            raise ParameterError(
                f"model {where}: its tokenizer holds {len(self.tokenizer)} token(s); save the model's tokenizer "
                "into the folder (tokenizer.save_pretrained(folder))"
            )
        self._torch = torch
        self._setup_tokens()
        names = set(__import__("inspect").signature(self.model.forward).parameters)
        self._cache_arg = "cache" if "cache" in names else "past_key_values"
        self._n_params = sum(p.numel() for p in self.model.parameters())

    def _setup_tokens(self) -> None:
        tok, cfg = self.tokenizer, self.model.config
        gen = getattr(self.model, "generation_config", None)
        eos = set()
        for src in (tok.eos_token_id, getattr(cfg, "eos_token_id", None), getattr(gen, "eos_token_id", None)):
            eos.update([src] if isinstance(src, int) else list(src or []))
        if not eos:
            raise ParameterError(f"model {self.name!r} has no end-of-sequence token (eos_token_id): it cannot stop")
        self._eos = sorted(eos)
        pad = tok.pad_token_id if tok.pad_token_id is not None else getattr(cfg, "pad_token_id", None)
        self._pad = int(pad if pad is not None else self._eos[0])
        start = getattr(cfg, "decoder_start_token_id", None)
        if start is None and gen is not None:
            start = getattr(gen, "decoder_start_token_id", None)
        self._start = int(start if start is not None else self._pad)
        # a token a prompt can start from when it has none (an empty causal prompt)
        bos = tok.bos_token_id if tok.bos_token_id is not None else getattr(cfg, "bos_token_id", None)
        self._bos = int(bos if bos is not None else self._eos[0])
        self._vocab = len(tok)
        self._suppress = [self._pad] if self._pad not in self._eos else []
        limit = getattr(cfg, "n_positions", None) or getattr(cfg, "max_position_embeddings", None)
        self._max_positions = int(limit) if self.kind == "causal" and limit else None
        mml = getattr(tok, "model_max_length", None)
        self._max_source = int(mml) if isinstance(mml, int) and 0 < mml < 1_000_000 else None

    def __repr__(self):
        return f"TextGenerator({self.name!r}, kind={self.kind!r}, device={str(self.device)!r})"

    # ------------------------------------------------------------------ spec
    def to_spec(self) -> dict:
        """A JSON-able description (no weights): ``{"model", "path", "kind", "device"}``; see :meth:`from_spec`."""
        return {
            "model": self.name if self.from_hub else str(self.path),
            "path": str(self.path),
            "kind": self.kind,
            "device": self._device_arg,
        }

    @classmethod
    def from_spec(cls, spec: dict) -> TextGenerator:
        """The generator :meth:`to_spec` described, loaded again (the folder or cached model must still exist)."""
        if not isinstance(spec, dict) or not isinstance(spec.get("model"), str):
            raise ParameterError(f"a text generator spec is a dict with a 'model' string (see to_spec), got {spec!r}")
        gen = cls(spec["model"], device=spec.get("device", "auto"))
        if spec.get("kind") not in (None, gen.kind):
            raise ParameterError(f"model {spec['model']!r} is now a {gen.kind} model, the spec says {spec['kind']}")
        return gen

    # ------------------------------------------------------------------ generate
    def generate(
        self,
        prompts,
        max_new_tokens: int = 64,
        temperature: float = 1.0,
        top_p: float = 1.0,
        seed=0,
        batch_size: int = 16,
        show_progress=None,
    ):
        """The text the model writes after each prompt (the new text only).

        Parameters
        ----------
        prompts : str, list of str or pandas Series of str
        max_new_tokens : int, default 64
            Most tokens written per prompt (fewer when the model ends the text).
        temperature : float, default 1.0
            ``0``: greedy (the most likely token each step); higher: more varied text.
        top_p : float, default 1.0
            Nucleus sampling: draw from the smallest set of tokens holding this much probability.
        seed : int, SeedSequence or None, default 0
            Prompt *i* draws from child *i* of ``SeedSequence(seed)``: the same seed gives the same
            texts, whatever ``batch_size``.
        batch_size : int, default 16
            Prompts run through the model at once.
        show_progress : bool, optional
            A progress bar on stderr; by default shown for more than 200 prompts.

        Returns
        -------
        list of str, pandas Series (same index) or str
            As ``prompts`` came: a Series for a Series, one string for one string.
        """
        single = isinstance(prompts, str)
        texts, index, name = _as_prompts(prompts)
        max_new_tokens = _positive_int("max_new_tokens", max_new_tokens)
        batch_size = _positive_int("batch_size", batch_size)
        temperature = _number("temperature", temperature, low=0.0)
        top_p = _number("top_p", top_p, low=0.0, high=1.0)
        if top_p <= 0:
            raise ParameterError(f"top_p must be in (0, 1], got {top_p}")
        if self._max_positions is not None and max_new_tokens >= self._max_positions:
            raise ParameterError(
                f"max_new_tokens must be below the model's {self._max_positions} positions, got {max_new_tokens}"
            )
        if self._max_positions is None and max_new_tokens > MAX_NEW_TOKENS:
            raise ParameterError(
                f"max_new_tokens must be at most {MAX_NEW_TOKENS} for this {self.kind} model, got {max_new_tokens}"
            )
        children = iter_spawn(as_seed_sequence(seed), len(texts))
        uniforms = np.stack([np.random.default_rng(c).random(max_new_tokens) for c in children]) if texts else None
        out = [""] * len(texts)
        if texts:
            ids = self._encode(texts, max_new_tokens)
            order = np.argsort([len(t) for t in ids], kind="stable")
            show = len(texts) > 200 if show_progress is None else bool(show_progress)
            with progress(len(texts), show) as bar, limit_threads_for(self._n_params):
                task = bar.add_task("generating", total=len(texts)) if bar is not None else None
                for start in range(0, len(texts), batch_size):
                    rows = order[start : start + batch_size]
                    new = self._batch([ids[i] for i in rows], uniforms[rows], temperature, top_p, max_new_tokens)
                    for i, text in zip(rows, new):
                        out[i] = text
                    if bar is not None:
                        bar.advance(task, len(rows))
        if single:
            return out[0]
        if index is not None:
            import pandas as pd

            return pd.Series(out, index=index, name=name, dtype=object)
        return out

    def _encode(self, texts: list, max_new_tokens: int) -> list:
        ids = self.tokenizer(texts, add_special_tokens=True)["input_ids"]
        if self.kind == "causal":
            keep = self._max_positions - max_new_tokens if self._max_positions else None
            return [(list(t)[-keep:] if keep else list(t)) or [self._bos] for t in ids]
        keep = self._max_source
        return [(list(t)[:keep] if keep else list(t)) or [self._eos[0]] for t in ids]

    def _batch(self, ids: list, u: np.ndarray, temperature: float, top_p: float, max_new_tokens: int) -> list:
        """New text for one batch of token-id lists (``u``: the rows' uniforms, one per step)."""
        torch = self._torch
        dev, B, L = self.device, len(ids), max(len(t) for t in ids)
        inp = torch.full((B, L), self._pad, dtype=torch.long)
        mask = torch.zeros((B, L), dtype=torch.long)
        for r, t in enumerate(ids):
            if self.kind == "causal":  # left padding: every row's last token is at the end
                inp[r, L - len(t) :], mask[r, L - len(t) :] = torch.tensor(t), 1
            else:
                inp[r, : len(t)], mask[r, : len(t)] = torch.tensor(t), 1
        inp, mask = inp.to(dev), mask.to(dev)
        uu = torch.from_numpy(u).to(dev)
        eos = torch.tensor(self._eos, device=dev)
        tokens = torch.full((B, max_new_tokens), self._eos[0], dtype=torch.long, device=dev)
        done = torch.zeros(B, dtype=torch.bool, device=dev)
        with torch.inference_mode():
            if self.kind == "causal":
                pos = (mask.cumsum(-1) - 1).clamp(min=0)
                out = self.model(input_ids=inp, attention_mask=mask, position_ids=pos, use_cache=True)
                pos = pos[:, -1:]
            else:
                enc = self.model.get_encoder()(input_ids=inp, attention_mask=mask)
                start = torch.full((B, 1), self._start, dtype=torch.long, device=dev)
                out = self.model(encoder_outputs=enc, attention_mask=mask, decoder_input_ids=start, use_cache=True)
            n_steps = 0
            for step in range(max_new_tokens):
                nxt = self._pick(out.logits[:, -1, :].float(), uu[:, step], temperature, top_p)
                nxt = torch.where(done, eos[0], nxt)
                tokens[:, step] = nxt
                n_steps = step + 1
                done |= torch.isin(nxt, eos)
                if bool(done.all()) or step + 1 == max_new_tokens:
                    break
                cache = {self._cache_arg: out.get("cache", None) or out.get("past_key_values", None)}
                if self.kind == "causal":
                    mask = torch.cat([mask, torch.ones((B, 1), dtype=mask.dtype, device=dev)], 1)
                    pos = pos + 1
                    out = self.model(
                        input_ids=nxt[:, None], attention_mask=mask, position_ids=pos, use_cache=True, **cache
                    )
                else:
                    out = self.model(
                        encoder_outputs=enc,
                        attention_mask=mask,
                        decoder_input_ids=nxt[:, None],
                        use_cache=True,
                        **cache,
                    )
        tok = tokens[:, :n_steps].cpu().numpy()
        is_eos = np.isin(tok, self._eos)
        ends = np.where(is_eos.any(1), is_eos.argmax(1), tok.shape[1])
        return self.tokenizer.batch_decode([row[:e].tolist() for row, e in zip(tok, ends)], skip_special_tokens=True)

    def _pick(self, logits, u, temperature: float, top_p: float):
        """The next token of each row: greedy, or drawn with the row's uniform ``u`` from the top-p set."""
        torch = self._torch
        if logits.shape[-1] > self._vocab:  # padded embeddings: ids the tokenizer cannot decode
            logits[:, self._vocab :] = -torch.inf
        if self._suppress:
            logits[:, self._suppress] = -torch.inf
        if temperature == 0:
            return logits.argmax(-1)
        probs = torch.softmax(logits / temperature, dim=-1)
        sp, si = probs.sort(-1, descending=True)
        if top_p < 1:
            sp = sp * ((sp.cumsum(-1) - sp) < top_p)  # the smallest prefix holding top_p (never empty)
        cum = sp.double().cumsum(-1)
        r = u.double() * cum[:, -1]
        k = (cum < r[:, None]).sum(-1)
        k = torch.minimum(k, (sp > 0).sum(-1) - 1)
        return si.gather(-1, k[:, None])[:, 0]


def _as_prompts(prompts) -> tuple[list, object, object]:
    """``(texts, index, name)``: the prompts as a list of str (index and name kept from a Series)."""
    index = name = None
    if isinstance(prompts, str):
        items = [prompts]
    elif hasattr(prompts, "index") and hasattr(prompts, "tolist") and hasattr(prompts, "dtype"):
        if getattr(prompts, "ndim", 1) != 1:
            raise ParameterError("prompts must be one string, a list of strings or a Series of strings")
        if hasattr(prompts, "name"):  # a Series (a numpy array has .tolist and no .name)
            index, name = prompts.index, prompts.name
        items = prompts.tolist()
    elif isinstance(prompts, (list, tuple)) or hasattr(prompts, "__iter__"):
        items = list(prompts)
    else:
        raise ParameterError(f"prompts must be one string, a list of strings or a Series of strings, got {prompts!r}")
    for i, p in enumerate(items):
        if not isinstance(p, str):
            raise ParameterError(f"prompts must be strings: prompt {i} is {type(p).__name__} ({str(p)[:40]!r})")
    return items, index, name


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{name} must be an integer of at least 1, got {value!r}")
    return int(value)


def _number(name: str, value, low: float, high: float | None = None) -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    if not ok or not np.isfinite(value) or value < low or (high is not None and value > high):
        where = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ParameterError(f"{name} must be a finite number {where}, got {value!r}")
    return float(value)
