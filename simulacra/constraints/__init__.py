"""Constraints: rules every synthetic row must follow.

Built-ins (SDV's names): :class:`Inequality`, :class:`ScalarRange`, :class:`Positive`,
:class:`Negative`, :class:`FixedCombinations`, :class:`OneHot`, :class:`Unique`,
:class:`FixedIncrements`; and :class:`CustomConstraint` / :func:`create_custom_constraint_class`
for user rules. They are transform-based where possible (the synthesizer learns a reshaped
table in which the rule cannot be broken) and checked on every sampled row otherwise, with
rejected rows re-drawn a bounded number of times.
"""

from .base import Constraint, CustomConstraint, constraint_from_dict, create_custom_constraint_class
from .builtin import FixedCombinations, FixedIncrements, Inequality, Negative, OneHot, Positive, ScalarRange, Unique

__all__ = [
    "Constraint",
    "CustomConstraint",
    "create_custom_constraint_class",
    "constraint_from_dict",
    "Inequality",
    "ScalarRange",
    "Positive",
    "Negative",
    "FixedCombinations",
    "OneHot",
    "Unique",
    "FixedIncrements",
]
