"""Synthesizers and their registry.

Adding a synthesizer: one module with a ``BaseSynthesizer`` subclass and one line in ``_REGISTRY``.
"""

from __future__ import annotations

import importlib

from ..errors import ParameterError

# short name -> (module, class)
_REGISTRY = {
    "gaussian_copula": ("gaussian_copula", "GaussianCopulaSynthesizer"),
    "cart": ("cart", "CARTSynthesizer"),
    "bayesian_network": ("bayesian_network", "BayesianNetworkSynthesizer"),
    "ctgan": ("ctgan", "CTGANSynthesizer"),
    "tvae": ("tvae", "TVAESynthesizer"),
    "copulagan": ("copulagan", "CopulaGANSynthesizer"),
    # a synthesizer of a higher layer registers by its full module path, imported only when asked for
    "llm": ("simulacra.generative.llm", "LLMSynthesizer"),
}


def available() -> list[str]:
    """Short names of the synthesizers (for ``--synthesizer`` and :func:`get_synthesizer_class`)."""
    return list(_REGISTRY)


def get_synthesizer_class(name: str):
    """The synthesizer class registered as ``name`` (short name like ``'cart'`` or class name).

    Raises
    ------
    ParameterError
        For an unknown name (the message lists the available ones).
    """
    key = str(name).lower().replace("-", "_")
    if key.endswith("synthesizer"):
        key = {v[1].lower(): k for k, v in _REGISTRY.items()}.get(key, key)
    if key not in _REGISTRY:
        raise ParameterError(f"unknown synthesizer {name!r}; available: {', '.join(available())}")
    module, cls = _REGISTRY[key]
    return getattr(importlib.import_module(_module_path(module)), cls)


def _module_path(module: str) -> str:
    return module if module.startswith("simulacra.") else f"{__name__}.{module}"


def __getattr__(attr):
    for module, cls in _REGISTRY.values():
        if cls == attr:
            return getattr(importlib.import_module(_module_path(module)), cls)
    if attr in ("SingleTablePreset", "preset", "PRESETS"):
        from . import presets

        return getattr(presets, attr)
    if attr == "BaseSynthesizer":
        from .base import BaseSynthesizer

        return BaseSynthesizer
    raise AttributeError(attr)


__all__ = [
    "available",
    "get_synthesizer_class",
    "BaseSynthesizer",
    *(cls for _, cls in _REGISTRY.values()),
    "SingleTablePreset",
    "preset",
    "PRESETS",
]


def __dir__():
    return sorted(set(globals()) | set(__all__))
