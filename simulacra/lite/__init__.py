"""SDV's ``sdv.lite`` path: ``from simulacra.lite import SingleTablePreset``.

``SingleTablePreset(metadata, name='FAST_ML', locales=[...])`` returns an ordinary synthesizer
(see :mod:`simulacra.synthesizers.presets`); ``SingleTablePreset.load(path)`` reads a model file.
"""

from ..synthesizers.presets import PRESETS, SingleTablePreset

__all__ = ["PRESETS", "SingleTablePreset"]
