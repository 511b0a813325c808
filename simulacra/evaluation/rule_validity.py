"""Rule Validity: mine the rules that hold on every real row and count synthetic rows that break them.

The rules come from :func:`simulacra.constraints.learned.discover_rules` (functional dependencies,
inequalities, derived columns, value grids, clock formats, co-missingness). A synthetic row breaks
a rule where the rule's ``is_valid`` is False on it (each rule states its missing-value semantics).
The score is ``1 - share of synthetic rows that break any rule`` (1.0 when no rule was found).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from .views import prepare


@dataclass
class RuleValidityResult:
    """What :func:`rule_validity` measured.

    Attributes
    ----------
    details : pandas.DataFrame
        One row a rule: ``Rule`` (its ``describe()``), ``Family``, ``Breaking %`` (share of
        synthetic rows breaking it, in percent), ``Real breaking %`` (0 for mined rules).
    breaking_any_pct : float
        Share of synthetic rows breaking at least one rule, in percent.
    score : float
        ``1 - breaking_any_pct / 100``.
    rules : list
        The rules (constraints) checked.
    """

    details: pd.DataFrame
    breaking_any_pct: float
    score: float
    rules: list = field(default_factory=list)


def _describe(rule) -> str:
    d = getattr(rule, "describe", None)
    return str(d()) if callable(d) else type(rule).__name__


def _valid(rule, data: pd.DataFrame) -> np.ndarray:
    try:
        ok = np.asarray(rule.is_valid(data), dtype=bool).reshape(-1)
    except (KeyError, ValueError, TypeError):  # a column the table lacks or values of another kind: broken
        return np.zeros(len(data), dtype=bool)
    return ok if len(ok) == len(data) else np.zeros(len(data), dtype=bool)


def mine_rules(real_data: pd.DataFrame, metadata) -> list:
    """The rules that hold on every row of ``real_data`` (``discover_rules`` of the learned constraints).

    Parameters
    ----------
    real_data : pandas.DataFrame
        The real table.
    metadata : Metadata or dict
        Its metadata (single table).

    Returns
    -------
    list of Constraint
        Rules whose ``is_valid`` is True on every real row.
    """
    real, _, meta = prepare(real_data, real_data.head(1), metadata)
    try:
        from ..constraints.learned import discover_rules
    except ImportError as e:  # the learned-rules package is not there
        raise InvalidDataError(
            "rule mining needs simulacra.constraints.learned.discover_rules, which this install lacks; "
            "pass rules= explicitly"
        ) from e
    rules = list(discover_rules(real, meta))
    return [r for r in rules if _valid(r, real).all()]  # 100% of the real rows, whatever discovery tolerated


def rule_validity(real_data: pd.DataFrame, synthetic_data: pd.DataFrame, metadata, rules=None) -> RuleValidityResult:
    """Share of synthetic rows that break a rule holding on every real row.

    Parameters
    ----------
    real_data, synthetic_data : pandas.DataFrame
        The real and the synthetic table.
    metadata : Metadata or dict
        The table's metadata.
    rules : list of Constraint, optional
        Rules to check (fitted); mined from ``real_data`` with :func:`mine_rules` when omitted.

    Returns
    -------
    RuleValidityResult
        Per-rule breaking shares, the share of rows breaking any rule and the 0..1 score.
    """
    real, syn, _ = prepare(real_data, synthetic_data, metadata)
    if rules is None:
        rules = mine_rules(real, metadata)
    rows, any_bad = [], np.zeros(len(syn), dtype=bool)
    for r in rules:
        bad_s = ~_valid(r, syn)
        any_bad |= bad_s
        rows.append(
            (_describe(r), getattr(r, "family", "user"), 100.0 * bad_s.mean(), 100.0 * (~_valid(r, real)).mean())
        )
    details = pd.DataFrame(rows, columns=["Rule", "Family", "Breaking %", "Real breaking %"])
    pct = 100.0 * float(any_bad.mean()) if len(syn) else 0.0
    return RuleValidityResult(details=details, breaking_any_pct=pct, score=1.0 - pct / 100.0, rules=list(rules))
