"""Sequential data: entities with time-ordered rows (a patient's visits, a country's years).

:class:`SequentialSynthesizer` (SDV's name: :class:`PARSynthesizer`) learns the entities and an
autoregressive model of each step given the ones before; see :mod:`.synthesizer`.
"""

from .synthesizer import PARSynthesizer, SequentialSynthesizer

__all__ = ["PARSynthesizer", "SequentialSynthesizer"]
