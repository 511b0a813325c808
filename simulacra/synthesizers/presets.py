"""Presets: ready-made synthesizer settings under one name (SDV's ``SingleTablePreset``)."""

from __future__ import annotations

from ..errors import ParameterError
from .gaussian_copula import GaussianCopulaSynthesizer

#: preset name -> settings of the Gaussian copula
PRESETS = {
    "FAST_ML": {"default_distribution": "norm"},
    "fast": {"default_distribution": "norm"},
}


class SingleTablePreset(GaussianCopulaSynthesizer):
    """A synthesizer chosen by name: ``SingleTablePreset(metadata, name='FAST_ML')``.

    ``FAST_ML`` (SDV's name) and ``fast``: a Gaussian copula with normal marginals, the quickest
    to fit and sample.
    """

    name = "preset"

    def __init__(self, metadata, name: str = "FAST_ML", locales=None, enforce_min_max_values: bool = True, enforce_rounding: bool = True, *, pseudonymize: bool = False, pseudonymize_key=None):
        if name not in PRESETS:
            raise ParameterError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
        self.preset_name = name
        super().__init__(metadata, enforce_min_max_values=enforce_min_max_values, enforce_rounding=enforce_rounding, locales=locales, pseudonymize=pseudonymize, pseudonymize_key=pseudonymize_key, **PRESETS[name])

    def get_parameters(self) -> dict:
        return {
            "name": self.preset_name,
            "locales": self.locales,
            "enforce_min_max_values": self.enforce_min_max_values,
            "enforce_rounding": self.enforce_rounding,
            "pseudonymize": self.pseudonymize,
        }

    @classmethod
    def _parameter_names(cls):
        return ["name", "locales", "enforce_min_max_values", "enforce_rounding", "pseudonymize"]

    @classmethod
    def list_available_presets(cls) -> dict:
        return {k: SingleTablePreset.__doc__.strip().splitlines()[0] for k in PRESETS}
