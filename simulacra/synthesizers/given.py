"""Sampling rows conditioned on per-row context values (``fit(..., context_columns=)`` / ``sample_given``).

A model fitted with ``context_columns`` (e.g. a child table's model fitted on its own columns plus
its parent's) can draw one row per context row, each conditioned on that row's own context
values, vectorized over the rows:

- the context is encoded with the fitted transformer (unseen categories and unlearned missing
  values of categorical columns become the most frequent category; numbers outside the learned
  range are left to the model, whose trees or marginals clip them naturally);
- the model hook ``synth._sample_context(C, outputs, rng)`` returns the encoded rows given the
  encoded context ``C`` on the output indices ``outputs``. CART and the Gaussian copula condition
  exactly; the Bayesian network weights particles per row; any other model uses
  :func:`nearest_of_k` (``k`` unconditional candidates per row, the nearest context kept);
- the rows are decoded and go through the constraint chain in reverse as ``sample`` does; the
  context columns are then set to the given values exactly, and rows that break a constraint
  are re-drawn with their own context (at most ``max_tries`` rounds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import ConstraintError, InvalidDataError, ParameterError

#: unconditional candidates per context row of the generic path
CANDIDATES = 8
#: the squared distance of a context output that does not match at all (another category, missing vs present)
_MISMATCH = 16.0


# ---------------------------------------------------------------------- fit
def check_context_columns(synth, context_columns, columns: dict):
    """``context_columns`` as a list of learned metadata columns (None when not given).

    Raises
    ------
    ParameterError
        Not a list of column names, a repeated or unknown column, or a column whose values are
        generated (id, PII, free text) or the primary key.
    """
    if context_columns is None:
        return None
    if isinstance(context_columns, str) or not isinstance(context_columns, (list, tuple)):
        raise ParameterError(
            f"context_columns must be a list of column names of the table, got {context_columns!r:.80}"
        )
    from .rules import generated_columns

    out = []
    generated = set(generated_columns(columns))
    table = synth._table_name()
    for c in context_columns:
        if not isinstance(c, str):
            raise ParameterError(f"context_columns: {c!r} is not a column name (a string)")
        if c not in columns:
            raise ParameterError(f"context_columns: column {c!r} is not in the metadata of table {table!r}")
        if c in generated or c == synth.metadata.primary_key:
            raise ParameterError(
                f"context_columns: column {c!r} of table {table!r} is {columns[c]['sdtype']} (an id, key, PII or "
                "text column whose values are generated, not learned); give only learned columns"
            )
        if c in out:
            raise ParameterError(f"context_columns: column {c!r} is given twice")
        out.append(c)
    return out or None


def check_fitted_context(synth) -> None:
    """After the transformer is fitted: every context column is learned as it is (no constraint reshapes it)."""
    ctx = synth.context_columns
    if not ctx:
        return
    from . import rules

    learned = set(synth._transformer.learned_columns)
    altered = {c for con in rules.chain(synth) for c in con.altered_columns}
    for c in ctx:
        if c in altered or c not in learned:
            raise ParameterError(
                f"context_columns: column {c!r} is reshaped by a constraint or learned rule, so the model cannot "
                "be conditioned on it; drop the constraint on it or leave it out of context_columns"
            )


def check_state(synth, value, columns) -> list | None:
    """The saved ``context_columns`` of a model file, checked (ModelFileError-friendly ValueError otherwise)."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value) or len(set(value)) != len(value):
        raise ValueError("context_columns must be a list of distinct column names")
    learned = set(synth._transformer.learned_columns)
    bad = [c for c in value if c not in columns or c not in learned]
    if bad:
        raise ValueError(f"context column {bad[0]!r} is not a learned column of the model")
    return list(value)


def context_outputs(transformer, context_columns) -> list[int]:
    """Output indices of the context columns: in ``context_columns`` order, each column's outputs in order."""
    specs = transformer.output_specs
    out = []
    for c in context_columns:
        out.extend(j for j, s in enumerate(specs) if s.column == c)
    return out


# ---------------------------------------------------------------------- encoding the context
def _known_mask(transformer, values: pd.Series) -> np.ndarray:
    """Which values of a categorical column the transformer knows (a loop over distinct values only)."""
    col = values.name
    try:
        transformer.category_codes(values.to_frame(), col)
        return np.ones(len(values), dtype=bool)
    except InvalidDataError:
        pass
    uniq = pd.unique(values)
    bad = []
    for u in uniq:
        try:
            transformer.category_codes(pd.DataFrame({col: pd.Series([u], dtype=values.dtype)}), col)
        except (InvalidDataError, TypeError, ValueError):
            bad.append(u)
    missing = values.isna().to_numpy()
    bad_present = [u for u in bad if not pd.isna(u)]
    mask = ~values.isin(bad_present).to_numpy()
    if any(pd.isna(u) for u in bad):
        mask &= ~missing
    return mask


def encode_context(synth, values: pd.DataFrame, outputs: list[int]) -> np.ndarray:
    """The encoded context ``(rows, len(outputs))``, columns in the order of ``outputs``.

    Categorical values the model never saw (and missing values where it saw none) take the most
    frequent category; other values are encoded as they are (missing ones through the column's
    missing-value outputs).
    """
    tr = synth._transformer
    specs = tr.output_specs
    n = len(values)
    parts = {}
    for c in synth.context_columns:
        s = values[c].reset_index(drop=True)
        idx = [j for j, sp in enumerate(specs) if sp.column == c]
        first = specs[idx[0]]
        try:
            if first.is_category:
                ok = _known_mask(tr, s)
                block = np.empty((n, len(idx)))
                block[:] = first.midpoints()[int(np.argmax(first.probabilities))]
                if ok.any():
                    block[ok] = tr.transform(s[ok].reset_index(drop=True).to_frame(), [c])
            else:
                block = tr.transform(s.to_frame(), [c])
        except (InvalidDataError, TypeError, ValueError) as e:
            raise ParameterError(
                f"sample_given: the context column {c!r} has values the model cannot read: {e}"
            ) from None
        for j, col in zip(idx, block.T):
            parts[j] = col
    return np.column_stack([parts[j] for j in outputs]) if outputs else np.empty((n, 0))


def decodable(C: np.ndarray, outputs: list[int], specs) -> np.ndarray:
    """``C`` with missing values of outputs that have no missing indicator replaced by a value the
    decoding accepts (the column's median): the decoded context is replaced by the given one anyway."""
    C = C.copy()
    kinds = [specs[j] for j in outputs]
    for i, j in enumerate(outputs):
        miss = np.isnan(C[:, i])
        if not miss.any():
            continue
        has_null = j + 1 < len(specs) and specs[j + 1].column == specs[j].column and specs[j + 1].kind == "null"
        if has_null:
            continue
        finite = C[~miss, i]
        sp = kinds[i]
        fill = float(np.median(finite)) if len(finite) else (sp.low if sp.low is not None else 0.0)
        C[miss, i] = fill
    return C


# ---------------------------------------------------------------------- the generic path
def context_distance(C: np.ndarray, cand: np.ndarray, specs) -> np.ndarray:
    """Squared standardized distance ``(rows, k)`` of candidates ``cand`` ``(rows, k, d)`` to the context ``C`` ``(rows, d)``.

    Numbers are scaled by the candidates' spread; categories count 0 when the code matches, else
    a large constant, as does missing against present.
    """
    n, k, d = cand.shape
    out = np.zeros((n, k))
    for i, sp in enumerate(specs):
        a = C[:, i][:, None]
        b = cand[:, :, i]
        if sp.is_category:
            term = np.where(sp.codes(np.nan_to_num(a, nan=0.5)) == sp.codes(np.nan_to_num(b, nan=0.5)), 0.0, _MISMATCH)
        else:
            sd = np.nanstd(b) if np.isfinite(b).any() else 1.0
            sd = sd if np.isfinite(sd) and sd > 0 else 1.0
            with np.errstate(invalid="ignore"):
                term = ((a - b) / sd) ** 2
            na, nb = np.isnan(a), np.isnan(b)
            term = np.where(na & nb, 0.0, np.where(na | nb, _MISMATCH, term))
        out += term
    return out


def nearest_of_k(synth, C: np.ndarray, outputs: list[int], rng: np.random.Generator, k: int = CANDIDATES):
    """Encoded rows given the context ``C``: ``k`` unconditional candidates per row (one model call), the
    one whose context outputs are nearest kept, its context outputs set to ``C``."""
    n = len(C)
    X = synth._sample(n * k, rng)
    d = X.shape[1]
    specs = synth._transformer.output_specs
    X = X.reshape(n, k, d)
    dist = context_distance(C, X[:, :, outputs], [specs[j] for j in outputs])
    pick = np.argmin(dist + rng.random(dist.shape) * 1e-9, axis=1)
    X = X[np.arange(n), pick].copy()
    X[:, outputs] = C
    return X


# ---------------------------------------------------------------------- sampling
def _as_learned(given: pd.Series, decoded: pd.Series) -> pd.Series:
    """The given values in the decoded column's dtype when they fit it exactly, else as given."""
    given = given.reset_index(drop=True)
    try:
        out = given.astype(decoded.dtype)
    except (TypeError, ValueError, OverflowError):
        return given
    if (out.isna().to_numpy() != given.isna().to_numpy()).any():
        return given
    return out


def check_context(synth, context) -> pd.DataFrame:
    """The context columns of ``context`` (a DataFrame), on a 0..n-1 index."""
    ctx = synth.context_columns
    if not ctx:
        raise ParameterError(
            f"{type(synth).__name__} was fitted without context_columns; fit(data, context_columns=[...]) "
            "to sample rows given context values"
        )
    if not isinstance(context, pd.DataFrame):
        raise ParameterError(
            f"sample_given takes a DataFrame of the context columns {ctx}, got {type(context).__name__}"
        )
    absent = [c for c in ctx if c not in context.columns]
    if absent:
        raise ParameterError(
            f"sample_given: the context lacks the context column(s) {', '.join(map(repr, absent))}; "
            f"give one value per row of each of {ctx}"
        )
    return context[ctx].reset_index(drop=True)


def sample_given(synth, context, seed=None, max_tries: int = 100) -> pd.DataFrame:
    """One row per row of ``context``, in order (see :meth:`BaseSynthesizer.sample_given`)."""
    from ..sampling.context import SamplingContext
    from . import rules, sampler, sdv_api, text_fill

    synth._check_fitted()
    sampler.check_attached(synth)
    values = check_context(synth, context)
    n = len(values)
    tr = synth._transformer
    ss_ctx, ss_draw = as_seed_sequence(sdv_api.sampling_seed(synth, seed)).spawn(2)
    run = SamplingContext.from_seed(tr, ss_ctx, n)
    rng = np.random.default_rng(ss_draw)
    outputs = context_outputs(tr, synth.context_columns)
    C = encode_context(synth, values, outputs)
    specs = tr.output_specs
    positions = np.arange(n, dtype=np.int64)

    def draw(idx: np.ndarray) -> pd.DataFrame:
        if synth.model_input == "values":  # the model conditions on the values row by row (LLM)
            known = values.iloc[idx].reset_index(drop=True)
            df = tr.fill_generated(synth._sample_values_context(known, rng), rng, positions[idx], run.run_state)
            df = rules.repair(synth, df[synth._columns]) if synth._learned else df
        else:
            Ci = C[idx]
            X = synth._sample_context(Ci, outputs, rng)
            X[:, outputs] = decodable(Ci, outputs, specs)
            df = tr.inverse(X, rng, positions[idx], run.run_state)
            for c in reversed(rules.chain(synth)):
                df = c.reverse_transform(df)
        df = df[synth._columns] if list(df.columns) != synth._columns else df
        for c in synth.context_columns:
            df[c] = _as_learned(values[c].iloc[idx], df[c]).to_numpy()
        return text_fill.fill(synth, df, rng)  # text columns a language model writes, prompted from the row

    constraints = sampler.checked_constraints(synth)
    if not constraints or n == 0:
        return draw(positions).reset_index(drop=True)
    pending, parts, rejected = positions, [], {}
    for _ in range(max_tries):
        df = draw(pending)
        ok = np.ones(len(df), dtype=bool)
        for c in constraints:
            valid = np.asarray(c.run_filter(df, run), dtype=bool)
            rejected[repr(c)] = rejected.get(repr(c), 0) + int((ok & ~valid).sum())
            ok &= valid
        good = df[ok]
        for c in constraints:
            c.run_accept(good, run)
        parts.append(good.set_axis(pending[ok]))
        pending = pending[~ok]
        if not len(pending):
            break
    if len(pending):
        worst = max(rejected, key=rejected.get) if rejected else "the constraints"
        raise ConstraintError(
            f"sample_given could only make {n - len(pending)} of {n} rows that satisfy {worst} after {max_tries} "
            "rounds of re-drawing with their context; the rule may be impossible for these context values"
        )
    return pd.concat(parts).sort_index().reset_index(drop=True)
