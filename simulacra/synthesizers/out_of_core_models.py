"""The Gaussian copula and the Bayesian network learned from per-partition statistics (see :mod:`.out_of_core`).

Both start from pass A's sample (:func:`simulacra.synthesizers.out_of_core.scan_source`): the rules
and constraints are fitted and the transforms learned on it as in memory, with each categorical
column's categories and frequencies, and each column's share of missing values, replaced by the
full data's counts. Then every partition goes through the constraint chain and the transforms,
and only these statistics come back (merged in partition order):

- pass B, each model-input column (not the encoded categories): exact counts at 8,192 edges
  chosen from the sample (:class:`~simulacra.utils.sketch.EdgeCounts`: the full data's cdf, exact
  at every edge, linear between; its measured rank error is reported) and the exact count of each
  value while there are at most 256. Why not KLL: its compactions use a random generator that
  cannot be seeded, so the same data and seed would give a different model on each run; the
  edge counts are exact integer sums (merged in any order, the same) and more precise for the
  same size. The copula's marginal of each column is the one the in-memory fit chooses, fitted to
  the full data's quantile function: discrete columns (and the null flags) exactly from their
  value counts; the others from 20,000 to 40,000 evenly spaced quantiles (min and max exact), and an
  empirical marginal (``Empirical``, 2,048 knots) straight from the counts' quantile function;
- pass C, the copula: pairwise-complete sums of products of the normal scores
  (:class:`~simulacra.utils.sketch.PairMoments`) -> their correlation; the Bayesian network: the
  columns are discretized with the full data's bins (quantiles from pass B), the structure is
  chosen on the sample (as in memory, on up to 50,000 rows), and the conditional tables are the
  full data's contingency counts.

Rows whose value of a column reshaped by a constraint was never seen in the sample cannot be
encoded; they are left out of the statistics and counted (``source_info_["rows_left_out"]``).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import special

from ..io.partitions import map_tasks
from ..transforms.full_data import known_category_mask, numeric_columns, use_full_counts, use_full_range
from ..utils.sketch import EdgeCounts, PairMoments

__all__ = ["fits_from_statistics", "fit_copula", "fit_marginal", "marginal_stats", "prepare"]

EDGES = 8192
PSEUDO_POINTS = 20_000  # the in-memory KS test's sample size; see pseudo_points
EXACT_VALUES = 256
_CLIP = 1e-10


def fits_from_statistics(synth):
    """The statistics-based fit for ``synth`` (copula, Bayesian network), or None (it fits on a sample)."""
    from .bayesian_network import BayesianNetworkSynthesizer
    from .gaussian_copula import GaussianCopulaSynthesizer

    model_fit = type(synth)._fit
    if isinstance(synth, GaussianCopulaSynthesizer) and model_fit is GaussianCopulaSynthesizer._fit:
        return fit_copula
    if isinstance(synth, BayesianNetworkSynthesizer) and model_fit is BayesianNetworkSynthesizer._fit:
        from .out_of_core_bn import fit_bayesian_network

        return fit_bayesian_network
    return None


# ---------------------------------------------------------------------- the transforms from the sample
def prepare(synth, scan: dict, seed, context_columns):
    """Fit rules, constraints and transforms on the sample, with full-data frequencies; returns the encoder."""
    from . import rules
    from .fitting import fit_constraints, learn_columns, new_transformer
    from .given import check_fitted_context

    df, columns = learn_columns(synth, scan["table"], seed, context_columns)
    chain = synth._learned + synth._constraints
    df, reshaped = fit_constraints(df, columns, chain)
    transformer = new_transformer(reshaped, synth).fit(df)
    touched = {c for con in chain for c in list(con.columns) + list(con.altered_columns)}
    counts = {c: x.counts for c, x in scan["categories"].items()}
    exact = use_full_counts(transformer, scan["rows"], scan["nulls"], counts, skip=touched)
    synth._transformer = transformer
    check_fitted_context(synth)
    synth._adapt_transforms(df, transformer)
    check = [c for c in transformer.learned_columns if c not in exact]
    # the passes read what the chain and the transforms read: not the generated columns (ids, PII, text)
    generated = set(rules.generated_columns(columns)) - {c for con in chain for c in con.columns}
    needed = [c for c in columns if c not in generated] or list(columns)[:1]
    encoder = _Encoder(needed, chain, list(synth._constraints), transformer, check)
    return encoder, df


class _Encoder:
    """What a worker needs to encode a partition as the model's input (picklable)."""

    def __init__(self, columns, chain, user, transformer, check):
        self.columns, self.chain, self.user, self.transformer, self.check = columns, chain, user, transformer, check
        # the columns without an encoded category, and the positions of their outputs in the full matrix
        self.numeric, self.numeric_outputs = numeric_columns(transformer)

    def encode(self, df: pd.DataFrame, numeric_only: bool = False):
        """``(X, left_out)``: the encoded matrix of ``df`` (only :attr:`numeric_outputs` with ``numeric_only``)
        and the number of rows it left out (unseen values of a column a constraint reshaped)."""
        df = df[self.columns]
        for c in self.user:  # the user's rules hold on every real row, as in memory
            c.check(df)
        for c in self.chain:
            df = c.transform(df)
        keep = known_category_mask(self.transformer, df, self.check)
        if not keep.all():
            df = df.iloc[np.flatnonzero(keep)]
        X = self.transformer.transform(df, self.numeric) if numeric_only else self.transformer.transform(df)
        return X, int((~keep).sum())


def _fold(source, func, client, make):
    """``func``'s task results, each made into a statistic by ``make`` and merged as it arrives, in
    task order (memory for one statistic, not one per task)."""
    out = None
    for state in map_tasks(source, func, client):
        out = make(state) if out is None else out.merge(make(state))
    return out


# ---------------------------------------------------------------------- pass B: each column's distribution
def marginal_stats(source, encoder, sample_X, client):
    """Pass B: per output, EdgeCounts and exact value counts (None for encoded categories); rows, rows left out."""
    specs = encoder.transformer.output_specs
    edges = [
        None if s.is_category else EdgeCounts.from_sample(sample_X[:, j], EDGES).edges for j, s in enumerate(specs)
    ]
    work = functools.partial(_marginal_task, encoder=encoder, edges=edges)
    out = {"rows": 0, "left_out": 0, "edges": [None] * len(edges), "values": [None] * len(edges)}
    first = True
    for st in map_tasks(source.select(encoder.columns), work, client):  # folded as they arrive, in task order
        out["rows"] += st["rows"]
        out["left_out"] += st["left_out"]
        for j, e in enumerate(edges):
            if e is None:
                continue
            ec = EdgeCounts.from_state(st["edges"][j])
            out["edges"][j] = ec if first else out["edges"][j].merge(ec)
            out["values"][j] = st["values"][j] if first else _merge_values([out["values"][j], st["values"][j]])
        first = False
    if first:
        out["edges"] = [None if e is None else EdgeCounts(e) for e in edges]
    full_range(encoder.transformer, out)
    return out


def full_range(transformer, stats) -> None:
    """Each numerical / datetime transform's bounds and share of missing values from the full data's pass-B
    statistics (the sample holds each raw column's extremes, not those of a column a constraint reshaped)."""
    low = [None if ec is None or not ec.n else ec.min for ec in stats["edges"]]
    high = [None if ec is None or not ec.n else ec.max for ec in stats["edges"]]
    share = [
        None if v is None or not v[1].sum() else float(v[1][v[0] == 1.0].sum() / v[1].sum()) for v in stats["values"]
    ]
    use_full_range(transformer, low, high, share)


def _marginal_task(task, frames, *, encoder, edges):
    counts = [None if e is None else EdgeCounts(e) for e in edges]
    values = [None if e is None else (np.empty(0), np.empty(0, dtype=np.int64)) for e in edges]
    rows = left = 0
    for df in frames:
        X, dropped = encoder.encode(df, numeric_only=True)  # the categories' outputs need no statistics
        rows, left = rows + len(X), left + dropped
        for i, j in enumerate(encoder.numeric_outputs):
            x = X[:, i]
            counts[j].update(x)
            if values[j] is not None:
                v, k = np.unique(x[~np.isnan(x)], return_counts=True)
                values[j] = _merge_values([values[j], (v, k)])
    return {
        "rows": rows,
        "left_out": left,
        "edges": [None if ec is None else ec.to_state() for ec in counts],
        "values": values,
    }


def _merge_values(parts):
    """Exact value counts ``(values, counts)`` merged; None once there are more than 256 values."""
    if any(p is None for p in parts):
        return None
    v = np.concatenate([p[0] for p in parts])
    k = np.concatenate([p[1] for p in parts])
    u, inv = np.unique(v, return_inverse=True)
    if len(u) > EXACT_VALUES:
        return None
    return u, np.bincount(inv, weights=k, minlength=len(u)).astype(np.int64)


def fit_marginal(name: str, counts: EdgeCounts, values, discrete: bool):
    """The copula marginal the in-memory fit would choose for a column, from its full-data statistics.

    ``values`` (exact value counts, or None past 256 values) give discrete marginals exactly; the
    other families are fitted to evenly spaced quantiles of ``counts`` (:func:`pseudo_points`).
    """
    from . import univariate

    name = univariate.canonical(name)
    if values is not None:  # at most 256 values: Empirical.fit would keep each with its exact frequency
        n = len(values[0])
        if n <= 1 or name == "empirical" or (name == "auto" and (discrete or n <= 32)):
            return _discrete(values)
    if name == "empirical" or (discrete and name == "auto"):
        return _quantile_marginal(counts)
    pseudo = counts.quantiles(np.linspace(0.0, 1.0, pseudo_points(counts.n)))
    dist = univariate.fit_distribution(name, pseudo, discrete=discrete)
    if isinstance(dist, univariate.Empirical) and not dist.discrete:
        return _quantile_marginal(counts)
    return dist


def pseudo_points(n: int) -> int:
    """How many evenly spaced quantiles stand for ``n`` values: as many as the in-memory ``auto`` choice
    tests its families on (every ``n // 20,000``-th sorted value), so the KS threshold is the same."""
    if n <= PSEUDO_POINTS:
        return max(int(n), 2)
    step = n // PSEUDO_POINTS
    return -(-n // step)


def _discrete(values):
    from .univariate import Empirical

    d = Empirical()
    d.discrete, d.xs = True, np.asarray(values[0], dtype=float)
    d.ps = np.cumsum(values[1]) / values[1].sum()
    return d


def _quantile_marginal(counts: EdgeCounts):
    from .univariate import MAX_KNOTS, Empirical

    d = Empirical()
    qs = np.linspace(0.0, 1.0, MAX_KNOTS)
    d.discrete, d.xs, d.ps = False, np.maximum.accumulate(counts.quantiles(qs)), qs
    return d


# ---------------------------------------------------------------------- the copula
def fit_copula(synth, source, scan, seed, context_columns, client):
    """Fit a GaussianCopulaSynthesizer from pass-A ``scan`` and passes B and C over ``source``."""
    from ..transforms.spec import OutputKind
    from .gaussian_copula import _cholesky, nearest_correlation

    encoder, df = prepare(synth, scan, seed, context_columns)
    transformer = encoder.transformer
    sample_X = transformer.transform(df)
    names, kinds = transformer.output_names, transformer.output_kinds
    stats = marginal_stats(source, encoder, sample_X, client)
    marginals = []
    for j, (name, kind) in enumerate(zip(names, kinds)):
        if kind == OutputKind.CATEGORY:
            marginals.append(None)
            continue
        dist = (
            "empirical"
            if kind == OutputKind.NULL
            else synth.numerical_distributions.get(name, synth.default_distribution)
        )
        discrete = kind in (OutputKind.DISCRETE, OutputKind.NULL)
        marginals.append(fit_marginal(dist, stats["edges"][j], stats["values"][j], discrete))
    synth._names, synth._kinds, synth._marginals = list(names), list(kinds), marginals
    work = functools.partial(_score_task, encoder=encoder, marginals=marginals)
    moments = _fold(source.select(encoder.columns), work, client, PairMoments.from_state)
    corr = moments.correlation()
    corr[~np.isfinite(corr)] = 0.0
    corr = np.clip(corr, -1.0, 1.0)
    np.fill_diagonal(corr, 1.0)
    synth._factor = None
    synth._correlation = nearest_correlation(corr) if len(names) else np.zeros((0, 0))
    synth._cholesky = _cholesky(synth._correlation)
    synth.fitted_rows = stats["rows"]
    synth._ooc_details = _details(stats, passes=3)


def _details(stats, passes):
    errors = [ec.rank_error for ec in stats["edges"] if ec is not None and ec.n]
    return {
        "passes": passes,
        "rows_left_out": int(stats["left_out"]),
        "max_rank_error": round(float(max(errors)), 6) if errors else 0.0,
    }


def _score_task(task, frames, *, encoder, marginals):
    moments = PairMoments(len(marginals))
    for df in frames:
        X, _ = encoder.encode(df)
        Z = np.empty_like(X)
        for j, dist in enumerate(marginals):
            col = X[:, j]
            if dist is None:
                u = col
            else:
                with np.errstate(all="ignore"):
                    u = dist.cdf(col)
            Z[:, j] = special.ndtri(np.clip(u, _CLIP, 1 - _CLIP))
            Z[np.isnan(col), j] = np.nan
        moments.update(Z)
    return moments.to_state()
