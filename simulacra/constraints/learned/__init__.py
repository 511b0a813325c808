"""Rules learned from the real table: found at fit, enforced when sampling (see :func:`discover_rules`)."""

from .framework import FAMILIES, LearnedRule, discover_rules

__all__ = ["FAMILIES", "LearnedRule", "discover_rules"]
