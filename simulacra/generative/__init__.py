"""Generative data from language models: text from local models, an LLM tabular synthesizer, tables from a prompt.

Everything here needs the optional extra ``pip install "simulacra[llm]"`` (torch, transformers,
tokenizers, safetensors), imported only when used: ``import simulacra.generative`` costs nothing,
and each entry point without the extra raises one ParameterError saying what to install.

- :class:`TextGenerator` (``text``): text from a local causal or sequence-to-sequence model.
- :class:`LLMSynthesizer` (``llm``): rows as token sequences of a small transformer, decoded under
  constraints so every sampled row is valid.
- :func:`generate_table` (``table``): a table from a description, through an OpenAI-compatible
  chat endpoint or a local model, validated against the columns or metadata.
- :func:`make_tiny_model` (``tiny``): a tiny model and tokenizer built locally from a config (tests, demos).
"""

from __future__ import annotations

import importlib

_LAZY = {
    "TextGenerator": "text",
    "LLMSynthesizer": "llm",
    "generate_table": "table",
    "make_tiny_model": "tiny",
}

__all__ = list(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'simulacra.generative' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
