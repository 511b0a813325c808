"""Imputation: the missing cells of real rows filled with values drawn given each row's present cells.

:func:`impute` serves ``BaseSynthesizer.impute``. Only missing cells of learned columns change;
present cells, and generated columns (ids, PII, text), are kept exactly as given. Three routes:

- a model with ``_impute_values(known, missing, rng)`` (the LLM synthesizer) fills every row at
  once from child 0 of the seed, and its values are finished as sampling finishes them: decoded
  by the transformer (rounding, learned range, dtype), learned rules repaired, the user's
  constraints checked (a row breaking one through a filled cell is drawn again). A present value
  the model can never produce is refused first, as on the other paths;
- the encoded-matrix path: rows are grouped by their pattern of missing cells; pattern *i*
  draws from child *i* of ``numpy.random.SeedSequence(seed)``. The real rows go through the
  constraint chain (learned rules first) and are encoded; the outputs of columns that depend on
  present cells only are the known context, and the missing columns' missing-value indicators
  are fixed to "present", so a filled cell is a value. The model conditions per row, vectorized
  over the pattern's rows: the Gaussian copula through its conditional normal, CART by sequential
  importance resampling of particles (:func:`cart_rows`), the Bayesian network by likelihood
  weighting (:func:`network_rows`), any other model through its ``_sample_context`` hook (nearest
  of k candidates);
- any other values-path model: ``sample_remaining_columns`` per pattern (one draw per group of
  equal known values).

A cell the model still fills with a missing value is drawn again with its row's context, at most
``max_tries`` rounds (then a ConstraintError naming the row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import ConstraintError, InvalidDataError
from ..sampling.redraw import MAX_TRIES

_NA = object()  # one missing marker, equal to itself, when comparing a rule's input and output


# ---------------------------------------------------------------------- entry point
def impute(synth, data, seed=None, max_tries: int = MAX_TRIES) -> pd.DataFrame:
    """``data`` with its missing learned cells filled (see ``BaseSynthesizer.impute``)."""
    from . import sampler, sdv_api
    from .rules import generated_columns

    synth._check_fitted()
    sampler.check_attached(synth)
    df = _as_frame(synth, data)
    columns = synth.metadata.get_columns(synth._table_name())
    unknown = [c for c in df.columns if c not in columns]
    if unknown:
        raise InvalidDataError(
            f"impute: column(s) {', '.join(map(repr, unknown[:5]))} are not in the metadata of table "
            f"{synth._table_name()!r}; drop them or impute with a model of that table"
        )
    generated = set(generated_columns(columns))
    learned = [c for c in columns if c not in generated]
    absent = [c for c in learned if c not in df.columns]
    if absent:
        raise InvalidDataError(
            f"impute: data lacks the learned column(s) {', '.join(map(repr, absent[:5]))}; give every learned "
            "column (blank cells are what impute fills)"
        )
    out = df.copy()
    if not learned or not len(df):
        return out
    M = df[learned].isna().to_numpy()
    todo = np.flatnonzero(M.any(axis=1))
    if not len(todo):
        return out
    root = as_seed_sequence(sdv_api.sampling_seed(synth, seed))
    rows = df.iloc[todo][learned].reset_index(drop=True)
    if hasattr(synth, "_impute_values"):
        given = df.iloc[todo].reset_index(drop=True)
        fills = _fast_path(synth, rows, M[todo], learned, root, max_tries, df.index[todo], given)
    else:
        fills = _by_pattern(synth, rows, M[todo], learned, root, max_tries, df.index[todo])
    return _write(out, fills, todo, M[todo], learned)


def _as_frame(synth, data) -> pd.DataFrame:
    if isinstance(data, dict) and len(data) == 1:
        data = next(iter(data.values()))
    elif isinstance(data, dict) and synth._table_name() in data:
        data = data[synth._table_name()]
    if not isinstance(data, pd.DataFrame):
        raise InvalidDataError(f"impute takes a pandas DataFrame of real rows, got {type(data).__name__}")
    if data.columns.duplicated().any():
        dup = data.columns[data.columns.duplicated()][0]
        raise InvalidDataError(f"impute: data has the column {dup!r} more than once; give each column once")
    return data


def _write(out: pd.DataFrame, fills: pd.DataFrame, todo, M, learned) -> pd.DataFrame:
    """``out`` with the missing cells of rows ``todo`` taken from ``fills`` (one row per todo row)."""
    for k, c in enumerate(learned):
        m = M[:, k]
        if not m.any():
            continue
        where = todo[m]
        values = pd.Series(fills[c].to_numpy(dtype=object)[m])
        col = out[c]
        try:  # the column's own dtype when the filled values fit it, else object
            cast = values.astype(col.dtype) if col.dtype != object else values
            if cast.isna().any():
                raise ValueError("a value does not fit the dtype")
            merged = col.copy()
            merged.iloc[where] = cast.to_numpy()
            if merged.dtype != col.dtype:
                raise TypeError("the dtype changed")
        except (TypeError, ValueError, OverflowError):
            merged = col.astype(object)
            merged.iloc[where] = values.to_numpy()
        out[c] = merged
    return out


def _check_filled(vals: pd.DataFrame, M: np.ndarray, learned) -> np.ndarray:
    """Rows (positions) where a cell to fill is still missing."""
    return (vals[learned].isna().to_numpy() & M).any(axis=1)


def _label(x):
    """A row label as the user wrote it (a numpy scalar as its Python value)."""
    return x.item() if isinstance(x, np.generic) else x


def _give_up(bad_rows, labels, M, vals, learned, max_tries):
    r = int(bad_rows[0])
    cols = [c for k, c in enumerate(learned) if M[r, k] and pd.isna(vals[c].iloc[r])]
    raise ConstraintError(
        f"impute: row {_label(labels[r])!r} still has no value for {', '.join(map(repr, cols))} after {max_tries} rounds "
        "of re-drawing (the model rarely gives that column a value there); fill it by hand or refit"
    )


# ---------------------------------------------------------------------- the fast path
def _fast_path(synth, rows, M, learned, root, max_tries, labels, given) -> pd.DataFrame:
    """``_impute_values`` on every row at once (child 0 of the seed), finished as sampling finishes
    values: the transformer's decode (rounding, learned range, dtype), the learned rules repaired,
    the user's constraints checked. Present values the model can never produce are refused first;
    rows still missing a cell or breaking a constraint through a filled cell are drawn again."""
    from ..sampling.context import SamplingContext
    from .sampler import checked_constraints

    tr = synth._transformer
    names = list(tr.learned_columns)
    Mn = M[:, [learned.index(c) for c in names]]
    known = rows[names].reset_index(drop=True)
    _check_present(synth, known, Mn, names, labels)
    child, extra = root.spawn(2)
    rng = np.random.default_rng(child)
    ctx = SamplingContext.from_seed(tr, extra, len(known))
    constraints = checked_constraints(synth)

    def draw(sel) -> pd.DataFrame:
        vals = synth._impute_values(known.iloc[sel].reset_index(drop=True), Mn[sel], rng)
        table = _finish(synth, vals[names], rng, sel.astype(np.int64), ctx, given.iloc[sel], Mn[sel], names)
        return table.set_axis(sel)

    table = draw(np.arange(len(known)))
    for attempt in range(max_tries + 1):
        empty = _check_filled(table, Mn, names)
        broken = _broken(constraints, table, Mn, names)
        bad = np.flatnonzero(empty | (broken >= 0))
        if not len(bad) or attempt == max_tries:
            break
        table = pd.concat([table.drop(index=bad), draw(bad)]).sort_index()
    if empty.any():
        _give_up(np.flatnonzero(empty), labels, Mn, table, names, max_tries)
    if len(bad):
        r = int(bad[0])
        con = constraints[int(broken[r])]
        raise ConstraintError(
            f"impute: row {_label(labels[r])!r} still breaks {con!r} after {max_tries} rounds of re-drawing its "
            "missing cells (the model rarely gives them values the rule allows there); fill them by hand, "
            "check the constraint or refit"
        )
    return table[names].reset_index(drop=True)


def _check_present(synth, known, M, names, labels) -> None:
    """Refuse a present value the model can never produce, in the columns the model conditions on
    (those that depend on present cells only; on the matrix path, after the constraint chain)."""
    tr = synth._transformer
    table, steps = (known, []) if synth.model_input == "values" else _forward(synth, known)
    keys, inverse = np.unique(M, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    rows_of = {c: [] for c in tr.learned_columns if c in table.columns}
    for p, miss in enumerate(keys):
        idx = np.flatnonzero(inverse == p)
        tainted = _tainted(synth, steps, [c for c, m in zip(names, miss) if m], idx)
        for c in rows_of:
            if c not in tainted:
                rows_of[c].append(idx)
    for c, parts in rows_of.items():
        if parts:
            _check_values(synth, table, c, np.sort(np.concatenate(parts)), labels)


def _finish(synth, vals, rng, positions, ctx, given, M, names) -> pd.DataFrame:
    """The model's values finished as sampling finishes values: the transformer's decode, then the learned
    rules repaired (values path). A matrix-path model's transformer works on the constraint chain's
    table, so a hook there is trusted to return finished real values (they are taken as given)."""
    from .rules import repair

    vals = _keep_present(vals.reset_index(drop=True), given, M, names)
    if synth.model_input != "values":
        return vals
    table = _keep_present(synth._transformer.fill_generated(vals, rng, positions, ctx.run_state), given, M, names)
    if not synth._learned:
        return table
    table = table[synth._columns] if list(table.columns) != synth._columns else table
    return _keep_present(repair(synth, table), given, M, names)


def _keep_present(table: pd.DataFrame, given: pd.DataFrame, M: np.ndarray, names) -> pd.DataFrame:
    """``table`` with the present learned cells and the given generated columns of ``given`` put back."""
    table = table.reset_index(drop=True)
    given = given.reset_index(drop=True)
    for c in given.columns:
        if c not in table.columns:
            continue
        if c not in names:  # an id, PII or text column: as the user gave it
            table[c] = given[c]
            continue
        keep = ~M[:, names.index(c)]
        if not keep.any():
            continue
        a, b = table[c].to_numpy(), given[c].to_numpy()
        if a.dtype == b.dtype and a.dtype != object:
            table[c] = pd.Series(np.where(keep, b, a), dtype=table[c].dtype)
        else:
            x, y = table[c].astype(object).to_numpy(), given[c].astype(object).to_numpy()  # Timestamps, not ints
            table[c] = pd.Series(np.where(keep, y, x), dtype=object).infer_objects()
    return table


def _broken(constraints, table: pd.DataFrame, M: np.ndarray, names) -> np.ndarray:
    """Per row, the index of the first constraint it breaks through a filled cell (-1: none). A rule
    whose learned columns are all present in a row is not held against it: drawing cannot change it."""
    out = np.full(len(table), -1)
    for i, con in enumerate(constraints):
        cols = [names.index(c) for c in con.columns if c in names]
        fillable = M[:, cols].any(axis=1) if con.columns else M.any(axis=1)
        if not fillable.any():
            continue
        bad = ~np.asarray(con.is_valid(table), dtype=bool) & fillable & (out < 0)
        out[bad] = i
    return out


# ---------------------------------------------------------------------- by missing pattern
def _by_pattern(synth, rows, M, learned, root, max_tries, labels) -> pd.DataFrame:
    keys, inverse = np.unique(M, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    first = np.full(len(keys), len(M))
    np.minimum.at(first, inverse, np.arange(len(M)))
    order = np.argsort(first, kind="stable")  # patterns in order of first appearance
    children = root.spawn(len(keys) + 2)
    groups = [(np.flatnonzero(inverse == p), keys[p].astype(bool), children[i]) for i, p in enumerate(order)]
    if synth.model_input == "matrix":
        return _matrix_rows(synth, rows, M, learned, groups, children[-2:], max_tries, labels)
    fills = pd.DataFrame(index=range(len(rows)), columns=learned, dtype=object)
    for idx, miss, child in groups:
        vals = _remaining_pattern(synth, rows.iloc[idx].reset_index(drop=True), miss, learned, child, max_tries)
        fills.iloc[idx] = vals[learned].to_numpy(dtype=object)
    return fills


def _remaining_pattern(synth, part, miss, learned, child, max_tries) -> pd.DataFrame:
    """Values path without ``_impute_values``: ``sample_remaining_columns`` on the present columns."""
    present = [c for c, m in zip(learned, miss) if not m]
    if not present:
        return synth.sample(len(part), seed=child, max_tries_per_batch=max_tries)
    return synth.sample_remaining_columns(part[present], max_tries_per_batch=max_tries, seed=child)


def _forward(synth, rows: pd.DataFrame):
    """``(rows through the constraint chain, [(columns read, {column: rows where the rule changed it})])``;
    ``None`` for the steps when a rule cannot read the blank cells."""
    from .rules import chain

    table = rows.copy()
    for c in synth._columns:
        if c not in table.columns:  # generated columns: no rule reads them
            table[c] = pd.Series([None] * len(table), dtype=object)
    table = table[synth._columns]
    steps = []
    try:
        for con in chain(synth):
            before, table = table, con.transform(table)
            changed = {}
            for c in table.columns:
                if c in before.columns and c not in con.altered_columns:
                    continue
                if c not in before.columns:
                    changed[c] = np.ones(len(table), dtype=bool)
                    continue
                x, y = (np.where(pd.isna(v), _NA, v) for v in (before[c].to_numpy(object), table[c].to_numpy(object)))
                changed[c] = ~np.array(x == y, dtype=bool).reshape(-1)
            steps.append((set(con.columns), changed))
    except (TypeError, ValueError, KeyError, InvalidDataError, ConstraintError):
        return rows, None
    return table, steps


def _tainted(synth, steps, missing_cols, idx) -> set:
    """Encoded-table columns that depend on a missing cell of rows ``idx``: a rule reading a tainted
    column taints what it changed on those rows (``steps`` None: every column a rule reads)."""
    tainted = set(missing_cols)
    if steps is None:
        from .rules import chain

        tainted |= {c for con in chain(synth) for c in con.columns}
        return tainted | {c for c in synth._transformer.columns if c not in synth._columns}
    for reads, changed in steps:
        if tainted & reads:
            tainted |= {c for c, ch in changed.items() if ch[idx].any()}
    return tainted


def _check_values(synth, table, c, rows, labels) -> None:
    """A ConstraintError naming the first of ``rows`` whose known value of ``c`` the model can never produce."""
    from .given import _known_mask

    tr = synth._transformer
    s = next(sp for sp in tr.output_specs if sp.column == c)
    col = table[c].iloc[rows].reset_index(drop=True)
    if s.is_category:
        ok = _known_mask(tr, col)
    elif s.low is not None:
        x = tr.transform(col.to_frame(), [c])[:, 0]
        tol = 1e-9 * max(1.0, abs(s.low), abs(s.high))
        ok = np.isnan(x) | ((x >= s.low - tol) & (x <= s.high + tol))
    else:
        return
    if not ok.all():
        r = int(np.flatnonzero(~ok)[0])
        try:
            tr.encode_known({c: _label(col.iloc[r])})
            why = f"outside the learned range [{s.low}, {s.high}]"
        except ConstraintError as e:
            why = str(e)
        raise ConstraintError(
            f"impute: row {_label(labels[rows[r]])!r} has {c}={_label(col.iloc[r])!r}, which the model can never produce ({why}); "
            "fix that cell or blank it to have it imputed"
        )


def _matrix_rows(synth, rows, M, learned, groups, extra, max_tries, labels) -> pd.DataFrame:
    """Encoded-matrix path: the known outputs of every row encoded once, each pattern drawn by the model
    given them, all rows decoded at once; rows whose fills are still missing drawn again by pattern."""
    from ..sampling.context import SamplingContext
    from .given import decodable
    from .rules import chain

    tr = synth._transformer
    specs = tr.output_specs
    table, steps = _forward(synth, rows)
    n, cols = len(rows), list(tr.learned_columns)
    plans, known_rows = [], {c: [] for c in cols}
    for idx, miss, child in groups:
        missing_cols = [c for c, m in zip(learned, miss) if m]
        tainted = _tainted(synth, steps, missing_cols, idx)
        known = {c for c in cols if c not in tainted and c in table.columns}
        for c in known:
            known_rows[c].append(idx)
        outputs = [
            j for j, sp in enumerate(specs) if sp.column in known or (sp.kind == "null" and sp.column in missing_cols)
        ]
        plans.append((idx, miss, outputs, _null_codes(synth, missing_cols), np.random.default_rng(child)))
    E = np.zeros((n, len(specs)))  # known outputs (a missing column's indicator stays 0: "present")
    for c, parts in known_rows.items():
        if parts:
            r = np.sort(np.concatenate(parts))
            _check_values(synth, table, c, r, labels)
            E[np.ix_(r, [j for j, sp in enumerate(specs) if sp.column == c])] = tr.transform(table.iloc[r], [c])
    ctx = SamplingContext.from_seed(tr, extra[0], n)
    decode_rng, cache = np.random.default_rng(extra[1]), {}
    X = np.zeros((n, len(specs)))

    def draw(sel_of) -> pd.DataFrame:
        for (idx, miss, outputs, avoid, rng), sel in zip(plans, sel_of):
            if not len(sel):
                continue
            if outputs:
                Ci = E[np.ix_(sel, outputs)]
                Xi = _context_rows(synth, Ci, outputs, rng, cache, avoid)
                Xi[:, outputs] = decodable(Ci, outputs, specs)
            else:
                Xi = synth._sample(len(sel), rng)
            X[sel] = Xi
        which = np.sort(np.concatenate(sel_of))
        df = tr.inverse(X[which], decode_rng, which.astype(np.int64), ctx.run_state)
        for con in reversed(chain(synth)):
            df = con.reverse_transform(df)
        return df[learned].set_axis(which).astype(object)

    vals = draw([p[0] for p in plans]).sort_index()
    for _ in range(max_tries + 1):
        bad = np.flatnonzero(_check_filled(vals, M, learned))
        if not len(bad) or _ == max_tries:
            break
        again = draw([np.intersect1d(p[0], bad) for p in plans])
        vals.iloc[again.index] = again.to_numpy(dtype=object)
    if len(bad):
        _give_up(bad, labels, M, vals, learned, max_tries)
    return vals


def _null_codes(synth, missing_cols) -> dict:
    """{output: code} of the missing-value category of each category output of ``missing_cols`` that has one."""
    tr = synth._transformer
    out = {}
    for j, s in enumerate(tr.output_specs):
        if s.is_category and s.column in missing_cols:
            try:
                out[j] = int(tr.category_codes(pd.DataFrame({s.column: [np.nan]}, dtype=object), s.column)[0])
            except (InvalidDataError, TypeError, ValueError):
                pass
    return out


def _context_rows(synth, C, outputs, rng, cache, avoid) -> np.ndarray:
    """Encoded rows given ``C`` on ``outputs``; ``avoid`` {output: code} are codes the filled cells must not take."""
    from .bayesian_network import BayesianNetworkSynthesizer
    from .cart import CARTSynthesizer
    from .impute_models import cart_rows, network_rows

    if isinstance(synth, CARTSynthesizer):
        return cart_rows(synth, C, outputs, rng, cache, avoid)
    if isinstance(synth, BayesianNetworkSynthesizer):
        return network_rows(synth, C, outputs, rng, avoid)
    return synth._sample_context(C, outputs, rng)
