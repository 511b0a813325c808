"""How a fitted synthesizer makes rows: model -> decode -> constraints, batch by batch.

This is the glue between a synthesizer's model and :mod:`simulacra.sampling` (plans, contexts,
the re-draw loop, conditions), which knows no model. Every function takes the synthesizer and
the run's :class:`~simulacra.sampling.SamplingContext` explicitly: nothing about a run is kept
on the fitted object.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import ConstraintError
from ..sampling.conditions import (
    accept_known,
    check_condition_columns,
    check_conditions,
    condition_batches,
    fix_known,
    known_groups,
    split_known,
)
from ..sampling.context import SamplingContext
from ..sampling.redraw import MAX_TRIES, redraw
from ..utils.progress import progress
from . import rules, text_fill


def check_attached(synth) -> None:
    """A ConstraintError while a loaded model still misses the custom constraints it was fitted with."""
    if synth._missing_custom:
        raise ConstraintError(
            f"this model was fitted with custom constraint(s) {', '.join(synth._missing_custom)}; attach them again "
            "with add_constraints([...]) before sampling"
        )
    text_fill.check_attached(synth)


def draw_table(synth, n: int, rng: np.random.Generator, positions: np.ndarray, ctx, given=None) -> pd.DataFrame:
    """``n`` rows from the model, decoded, constraints reversed (no rejection yet)."""
    tr = synth._transformer
    if synth.model_input == "values":
        # the values path learns the real columns: constraints are met by rejection only (no reverse_transform)
        values = synth._sample_values(n, rng) if not given else synth._sample_values_given(n, rng, given)
        df = tr.fill_generated(values, rng, positions, ctx.run_state)
        if synth._learned:  # learned rules repaired in chain order, before the user's constraints filter
            df = rules.repair(synth, df[synth._columns] if list(df.columns) != synth._columns else df)
    else:
        X = synth._sample(n, rng) if not given else synth._sample_given(n, rng, given)
        df = tr.inverse(X, rng, positions, ctx.run_state)
        for c in reversed(rules.chain(synth)):  # learned rules first in the chain: reversed last
            df = c.reverse_transform(df)
    df = df[synth._columns] if list(df.columns) != synth._columns else df
    return text_fill.fill(synth, df, rng)  # text columns a language model writes, prompted from the row


def unique_by_construction(synth) -> list[str]:
    """The columns whose values are unique in any run by construction: the positional (id) columns."""
    return [s.column for s in synth._transformer.column_specs if s.positional]


def checked_constraints(synth) -> list:
    """The constraints the re-draw loop must check: those the ids' uniqueness does not already meet.

    Each constraint says so itself (``guaranteed_by(unique_columns)``; ``Unique`` on a set of columns
    that includes an id); no class is named here.
    """
    if not synth._constraints:
        return []
    unique = unique_by_construction(synth)
    return [c for c in synth._constraints if not (unique and c.guaranteed_by(unique))]


def sample_rows(synth, n, rng, positions, ctx, accept=None, given=None, max_tries: int = MAX_TRIES) -> pd.DataFrame:
    """``n`` rows that satisfy every constraint (and ``accept``), re-drawing rejected rows."""
    check_attached(synth)
    constraints = checked_constraints(synth)
    if not constraints and accept is None:
        return draw_table(synth, n, rng, positions, ctx, given)

    def draw(m):
        return draw_table(synth, m, rng, np.arange(m, dtype=np.int64), ctx, given)

    out = redraw(draw, n, constraints, accept, ctx, max_tries)
    # ids follow the final row positions so they stay unique across batches
    return synth._transformer.regenerate_positional(out, rng, positions, ctx.run_state)


def batch_rows(synth, plan, b: int, ctx, accept=None, max_tries: int = MAX_TRIES) -> pd.DataFrame:
    """Batch ``b`` of ``plan`` in the run context ``ctx``."""
    start, n, child = plan.batch(b)
    positions = np.arange(start, start + n, dtype=np.int64)
    return sample_rows(synth, n, np.random.default_rng(child), positions, ctx, accept, max_tries=max_tries)


def batch_alone(synth, plan, b: int, max_tries: int = MAX_TRIES) -> pd.DataFrame:
    """Batch ``b`` of ``plan`` made alone: its own context from the plan; refused for b > 0 with
    constraints that track rows across batches (Unique)."""
    check_attached(synth)
    plan.batch(b)  # an index outside the plan: ParameterError
    stateful = [c for c in checked_constraints(synth) if c.tracks_run]
    if b > 0 and stateful:
        raise ConstraintError(
            f"batch {b} cannot be made alone: {stateful[0]} tracks the rows of the batches before it; "
            "sample the batches in order (iter_batches or sample)"
        )
    return batch_rows(synth, plan, b, SamplingContext.for_plan(synth._transformer, plan), max_tries=max_tries)


def iter_plan(synth, plan, accept=None, max_tries: int = MAX_TRIES):
    """The batches of ``plan`` in order, in one context (children made as they are reached)."""
    batches = iter(plan)
    _, _, root = next(batches)
    ctx = SamplingContext.from_seed(synth._transformer, root, plan.num_rows)
    for start, n, child in batches:
        positions = np.arange(start, start + n, dtype=np.int64)
        yield sample_rows(synth, n, np.random.default_rng(child), positions, ctx, accept, max_tries=max_tries)


def collect(batches, num_rows: int, output_file_path=None, show_progress: bool = False):
    """Gather (or stream to ``output_file_path``) the batches of a run, with a progress bar when asked."""
    from ..io.files import TableWriter

    with progress(num_rows, show_progress) as bar:
        task = bar.add_task("sampling", total=num_rows) if bar is not None else None
        if output_file_path is not None:
            with TableWriter(output_file_path) as writer:
                for chunk in batches:
                    writer.write(chunk)
                    if bar is not None:
                        bar.advance(task, len(chunk))
            return Path(output_file_path)
        parts = []
        for chunk in batches:
            parts.append(chunk)
            if bar is not None:
                bar.advance(task, len(chunk))
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------- conditions
def check_generated(synth, known: dict) -> None:
    """A ConstraintError for a condition on a generated column (id, PII, text): a condition cannot fix those."""
    kinds = {s.column: s for s in synth._transformer.column_specs if not s.learned}
    for c in known:
        spec = kinds.get(c)
        if spec is not None:
            kind = (
                "an id" if spec.positional or spec.sdtype == "id" else ("a text" if spec.sdtype == "text" else "a PII")
            )
            raise ConstraintError(
                f"column {c!r} is {kind} column ({spec.sdtype}): its values are generated, a condition cannot fix "
                "them; condition on learned columns"
            )


def conditioned_rows(synth, n, known, seed_sequence, positions, ctx, batch_size=None, max_tries=MAX_TRIES):
    """``n`` rows with ``known`` values fixed: exactly by the model where it can, else by re-drawing.

    ``ctx`` is the call's one run context (ids and ``Unique`` run across all its conditions);
    ``positions`` are the rows' global positions in the call. The rows are drawn in batches of at
    most ``batch_size`` (see :func:`~simulacra.sampling.conditions.condition_batches`).
    """
    check_condition_columns(known, synth.metadata.get_columns(synth._table_name()))
    check_generated(synth, known)
    tr = synth._transformer
    redrawn = {c for con in synth._constraints for c in con.altered_columns} | set(tr.generated_columns)
    redrawn |= rules.read_columns(synth)  # a learned rule may change a conditioned column: checked, re-drawn
    rules.check_known(synth, known)
    direct, rest = split_known(known, redrawn)
    given = synth._condition_spec(direct) if direct else None  # None: the model cannot condition, re-draw
    if direct and given is None:
        rest = dict(known)
    accept = accept_known(rest) if rest else None
    parts = [
        sample_rows(synth, k, np.random.default_rng(ss), positions[off : off + k], ctx, accept, given, max_tries)
        for off, k, ss in condition_batches(n, batch_size, seed_sequence)
    ]
    out = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    return fix_known(out, known)


def call_children(synth, seed, n_parts: int, num_rows: int):
    """``(children, ctx)`` of one conditional call: child *i* for part *i* (condition or group), and the
    call's one run context from child ``n_parts`` (so the parts draw what they drew before)."""
    children = as_seed_sequence(seed).spawn(n_parts + 1)
    ctx = SamplingContext.from_seed(synth._transformer, children[-1], num_rows)
    return children[:-1], ctx


def sample_conditions(synth, conditions, batch_size=None, max_tries=MAX_TRIES, seed=None) -> pd.DataFrame:
    """The rows of each Condition in turn; condition *i* draws from child *i* of the seed, all in one run context."""
    conditions = check_conditions(conditions)
    check_attached(synth)
    for cond in conditions:  # refused before any row is drawn
        check_condition_columns(cond.column_values, synth.metadata.get_columns(synth._table_name()))
        check_generated(synth, cond.column_values)
    total = sum(cond.num_rows for cond in conditions)
    children, ctx = call_children(synth, seed, len(conditions), total)
    parts, start = [], 0
    for cond, child in zip(conditions, children):
        positions = np.arange(start, start + cond.num_rows, dtype=np.int64)
        parts.append(
            conditioned_rows(synth, cond.num_rows, cond.column_values, child, positions, ctx, batch_size, max_tries)
        )
        start += cond.num_rows
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=synth._columns)


def sample_remaining(synth, known_columns, batch_size=None, max_tries=MAX_TRIES, seed=None) -> pd.DataFrame:
    """The other columns of each row of ``known_columns``; group *i* of equal rows draws from child *i*,
    all groups in one run context (row *r* of the result is at position *r*)."""
    groups = known_groups(known_columns)
    check_attached(synth)
    if groups:
        check_condition_columns(groups[0][0], synth.metadata.get_columns(synth._table_name()))
        check_generated(synth, groups[0][0])
    children, ctx = call_children(synth, seed, len(groups), len(known_columns))
    pieces = []
    for (known, idx), child in zip(groups, children):
        rows = conditioned_rows(synth, len(idx), known, child, idx.astype(np.int64), ctx, batch_size, max_tries)
        rows.index = idx
        pieces.append(rows)
    return pd.concat(pieces).sort_index().reset_index(drop=True)
