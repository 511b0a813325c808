"""Constraints: rules every synthetic row must follow.

Built-ins (SDV's names): :class:`Inequality`, :class:`ScalarRange`, :class:`Positive`,
:class:`Negative`, :class:`FixedCombinations`, :class:`OneHot`, :class:`Unique`,
:class:`FixedIncrements`, :class:`ScalarInequality`, :class:`Range`, :class:`OneHotEncoding`; and :class:`CustomConstraint` / :func:`create_custom_constraint_class`
for user rules. They are transform-based where possible (the synthesizer learns a reshaped
table in which the rule cannot be broken) and checked on every sampled row otherwise, with
rejected rows re-drawn a bounded number of times.

A sampler treats every constraint alike: ``run_filter(rows, ctx)`` says which drawn rows to
keep and ``run_accept(rows, ctx)`` records the kept ones in the run's sampling context (how
:class:`Unique` holds across batches; ``tracks_run`` tells such rules apart). Built-ins are
registered by name (:func:`register`, :func:`get_constraint_class`) and saved in model files
with :func:`constraint_to_state` / :func:`constraints_from_state`; a custom constraint comes
back as a :class:`MissingCustom` placeholder until it is attached again.
"""

from .base import (
    Constraint,
    CustomConstraint,
    MissingCustom,
    constraint_from_dict,
    create_custom_constraint_class,
    run_store,
)
from .builtin import FixedCombinations, FixedIncrements, Inequality, Negative, OneHot, Positive, ScalarRange, Unique
from .sdv_names import OneHotEncoding, Range, ScalarInequality
from .registry import BUILTINS, constraint_to_state, constraints_from_state, get_constraint_class, register

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
    "OneHotEncoding",
    "ScalarInequality",
    "Range",
    "Unique",
    "FixedIncrements",
    "MissingCustom",
    "BUILTINS",
    "register",
    "get_constraint_class",
    "constraint_to_state",
    "constraints_from_state",
    "run_store",
]
