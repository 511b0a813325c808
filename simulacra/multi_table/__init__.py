"""Multi-table synthesis: a relational database in, a synthetic copy with every key intact out.

``RelationalSynthesizer`` (SDV's name ``HMASynthesizer`` is the same class) learns any number of
linked tables, at any depth, parents first; see :mod:`simulacra.multi_table.synthesizer`.
"""

from .synthesizer import HMASynthesizer, RelationalSynthesizer

__all__ = ["RelationalSynthesizer", "HMASynthesizer"]
