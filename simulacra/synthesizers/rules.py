"""Learned rules of a synthesizer: found at fit, enforced when sampling, saved with the model.

With ``learn_rules=True`` (the default) ``fit`` runs
:func:`simulacra.constraints.learned.discover_rules` on the real table, reading no key, id, PII
or text column and no column a user constraint reads; the rules found (``synth._learned``) run
BEFORE the user's constraints in the chain (their reverse runs last, on raw values). On the
matrix path they reshape the table the model learns and are met by construction when decoding;
on the values path (CART, Bayesian network) each rule's ``repair`` is applied to the sampled
rows in chain order, before the user's constraints filter them.
"""

from __future__ import annotations

import pandas as pd

from ..errors import ConstraintError, ModelFileError


def generated_columns(columns: dict) -> list[str]:
    """The columns no model learns (ids, free text, PII), from the metadata alone."""
    from ..metadata.sdtypes import is_pii

    return [c for c, m in columns.items() if m["sdtype"] in ("id", "text", "unknown") or is_pii(m["sdtype"], m)]


def skip_columns(synth, columns: dict) -> frozenset:
    """Columns no learned rule may read: the primary key, generated columns, user-constraint columns."""
    skip = set(generated_columns(columns))
    pk = synth.metadata.primary_key
    if pk:
        skip.add(pk)
    for c in synth._constraints:
        skip.update(c.columns)
    skip.update(getattr(synth, "context_columns", None) or [])  # always given when sampling: never reshaped
    return frozenset(skip)


def _unreadable_columns(df: pd.DataFrame) -> set:
    """Columns the rules read as float that float cannot hold: integers beyond 2**53, objects that
    are not plain scalars (binary, nested); the transformer refuses or keeps those as they are."""
    out = set()
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_integer_dtype(s.dtype) and len(s) and s.notna().any():
            if max(abs(int(s.min())), abs(int(s.max()))) > 2**53:
                out.add(c)
        elif s.dtype == object:
            kinds = pd.api.types.infer_dtype(s, skipna=True)
            if kinds not in ("string", "empty", "boolean", "floating", "integer", "mixed-integer-float"):
                out.add(c)
    return out


def discover(synth, df: pd.DataFrame, columns: dict) -> list:
    """The unfitted rules ``fit`` would learn from the real table ``df`` (metadata columns only)."""
    from ..constraints.learned import discover_rules
    from .fitting import new_transformer

    for c in synth._constraints:  # the user's rules are checked on the real rows first, as without learning
        c.check_metadata(columns)
        c.check(df)
    new_transformer(columns, synth).fit(df)  # then the transformer's checks of the raw values
    skip = skip_columns(synth, columns) | _unreadable_columns(df)
    return discover_rules(df, columns, skip=skip)


def rules_for_fit(synth, df: pd.DataFrame, columns: dict) -> list:
    """The learned rules of this fit: the ones set by the user, else those discovered (none when off)."""
    given = getattr(synth, "_learned_given", None)
    if given is not None:
        return list(given)
    if not synth.learn_rules:
        return []
    return discover(synth, df, columns)


def check_rules(synth, rules) -> list:
    """``rules`` (LearnedRule objects, constraints or SDV 1 dicts) checked against the metadata."""
    from ..constraints import Constraint, constraint_from_dict

    if isinstance(rules, (Constraint, dict)):
        rules = [rules]
    if not isinstance(rules, (list, tuple)):
        raise ConstraintError(
            f"set_learned_rules takes a list of rules (LearnedRule or constraints), got {rules!r:.80}"
        )
    out = [constraint_from_dict(r) for r in rules]
    plain = [r for r in out if not getattr(type(r), "learned", False)]
    if plain:
        raise ConstraintError(
            f"{plain[0]} is not a learned rule (a LearnedRule from get_learned_rules or discover_rules); "
            "add your own constraints with add_constraints"
        )
    cols = synth.metadata.get_columns(synth._table_name())
    for r in out:
        unknown = [x for x in r.columns if x not in cols]
        if unknown:
            raise ConstraintError(f"{r}: column(s) {', '.join(map(repr, unknown))} are not in the metadata")
        r.check_metadata(cols)
    return out


def chain(synth) -> list:
    """The whole constraint chain: the learned rules first, then the user's constraints."""
    return list(getattr(synth, "_learned", [])) + list(synth._constraints)


def repair(synth, df: pd.DataFrame) -> pd.DataFrame:
    """Values path: each learned rule's ``repair`` applied to sampled rows, last rule first.

    That is the matrix path's order of ``reverse_transform``: a rule reading a column that a
    later rule derives (``time_hour`` from ``hour``, itself from ``sched_dep_time``) sees it made.
    """
    for r in reversed(getattr(synth, "_learned", [])):
        df = r.repair(df) if hasattr(r, "repair") else r.reverse_transform(r.transform(df))
    return df


def check_known(synth, known: dict) -> None:
    """A ConstraintError for a condition no learned rule lets happen: an unseen category of a column
    the rules read (checked by the transformer, which learns categories as they are) or a number
    outside the range a rule gives its column."""
    tr = synth._transformer
    meta = synth.metadata.get_columns(synth._table_name())
    ruled = read_columns(synth)
    cats = {
        c: v for c, v in known.items() if c in ruled and meta.get(c, {}).get("sdtype") in ("categorical", "boolean")
    }
    if cats and set(cats) <= set(tr.learned_columns):
        tr.encode_known(cats)
    for r in getattr(synth, "_learned", []):
        for c, v in known.items():
            span = r.value_range(c) if hasattr(r, "value_range") else None
            if span is not None and isinstance(v, (int, float)) and not span[0] - 1e-9 <= v <= span[1] + 1e-9:
                raise ConstraintError(
                    f"impossible condition {c}={v!r}: outside the learned range [{span[0]}, {span[1]}] "
                    f"({r.family} rule: {r.describe()})"
                )


def read_columns(synth) -> set:
    """Columns the learned rules read or re-represent (a condition on one is met by re-drawing)."""
    out: set = set()
    for r in getattr(synth, "_learned", []):
        out.update(r.columns)
        out.update(getattr(r, "consumed_columns", []) or [])
    return out


def to_state(synth) -> list:
    """The model file's ``"learned"`` list (one ``constraint_to_state`` entry per rule)."""
    from ..constraints import constraint_to_state

    return [constraint_to_state(r) for r in getattr(synth, "_learned", [])]


def from_state(entries) -> list:
    """The learned rules saved by :func:`to_state`; every entry's class must be a learned rule."""
    from ..constraints import constraints_from_state

    if not isinstance(entries, list):
        raise ModelFileError(f"model file: learned must be a list, got {type(entries).__name__}")
    if any(not isinstance(e, dict) or "custom" in e for e in entries):
        raise ModelFileError("model file: a learned rule entry must be a registered learned-rule class")
    rules, _ = constraints_from_state(entries)
    for r in rules:
        if not getattr(type(r), "learned", False):
            raise ModelFileError(f"model file: learned rule {type(r).__name__!r} is not a learned-rule class")
    return rules
