"""Presets: a synthesizer chosen by purpose (SDV's ``SingleTablePreset``).

- ``FAST_ML`` (SDV's name): a Gaussian copula with normal marginals, the quickest to fit.
- ``fast``: the Gaussian copula with automatic marginals: fits and samples a 30,000 x 15 table in
  about a second.
- ``best``: the most faithful synthesizer we have that trains within minutes on a laptop CPU;
  today the CART synthesizer, which won the side-by-side benchmark in ``benchmarks/``.
"""

from __future__ import annotations

from ..errors import ParameterError

PRESETS = {
    "FAST_ML": ("gaussian_copula", {"default_distribution": "norm"}),
    "fast": ("gaussian_copula", {}),
    "best": ("cart", {}),
}


class SingleTablePreset:
    """``SingleTablePreset(metadata, name='FAST_ML')`` returns the preset's synthesizer, ready to fit.

    The object is an ordinary synthesizer (``fit``, ``sample``, ``save``); ``SingleTablePreset.load``
    reads any model file.
    """

    def __new__(cls, metadata, name: str = "FAST_ML", locales=None, **kwargs):
        from . import get_synthesizer_class

        if name not in PRESETS:
            raise ParameterError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
        synth_name, params = PRESETS[name]
        obj = get_synthesizer_class(synth_name)(metadata, locales=locales, **{**params, **kwargs})
        obj.preset_name = name
        return obj

    @classmethod
    def load(cls, filepath, key=None):
        from .base import BaseSynthesizer

        return BaseSynthesizer.load(filepath, key=key)

    @staticmethod
    def list_available_presets() -> dict:
        return {
            "FAST_ML": "Gaussian copula with normal marginals (fastest)",
            "fast": "Gaussian copula with automatic marginals",
            "best": "CART sequential trees (most faithful)",
        }


def preset(metadata, preset: str = "best", **kwargs):
    """Our spelling: ``simulacra.synthesizers.preset(metadata, preset="fast" | "best")``."""
    return SingleTablePreset(metadata, name=preset, **kwargs)
