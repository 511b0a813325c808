"""The Bayesian network from per-partition statistics (see :mod:`.out_of_core_models`).

As in memory (:class:`~simulacra.synthesizers.bayesian_network.BayesianNetworkSynthesizer`), but:
each numerical output is discretized with the full data's bins (``max_bins`` quantile bins from
pass B's edge counts, or its values when it has at most ``max_bins``), the greedy structure is
chosen on pass A's sample (up to 50,000 rows, as in memory), and every conditional table is the
full data's contingency counts (pass C, one ``bincount`` per table and partition, added).
"""

from __future__ import annotations

import functools

import numpy as np

from ..io.partitions import map_tasks
from .bayesian_network import _WITHIN, learn_structure
from .out_of_core_models import marginal_stats, prepare

__all__ = ["fit_bayesian_network"]


def fit_bayesian_network(synth, source, scan, seed, context_columns, client):
    """Fit a BayesianNetworkSynthesizer from pass-A ``scan`` and passes B and C over ``source``."""
    from ._encoding import category_specs

    encoder, df = prepare(synth, scan, seed, context_columns)
    sample_X = encoder.transformer.transform(df)
    stats = marginal_stats(source, encoder, sample_X, client)
    specs = category_specs(encoder.transformer.output_specs)
    cols, edges = [], []
    for j, spec in enumerate(specs):
        col, e = _column(spec, stats["edges"][j], stats["values"][j], synth.max_bins)
        cols.append(col)
        edges.append(e)
    d = len(cols)
    synth._cols, synth.fitted_rows = cols, stats["rows"]
    synth._ooc_details = {"passes": 3, "rows_left_out": int(stats["left_out"])}
    if d == 0:
        synth._order, synth._parents, synth._tables, synth._cards = [], [], [], []
        return
    cards = [synth._card(c) for c in cols]
    codes = discretize(sample_X, specs, cols, edges)
    order, parents = _structure(synth, codes, cards)
    work = functools.partial(_count_task, encoder=encoder, specs=specs, cols=cols, edges=edges, order=order,
                             parents=parents, cards=cards)  # fmt: skip
    counts = None
    for state in map_tasks(source.select(encoder.columns), work, client):
        counts = state if counts is None else [a + b for a, b in zip(counts, state)]
    private = synth.epsilon is not None
    rng = np.random.default_rng()  # fresh entropy: only used with a privacy budget
    tables = []
    for a, flat in zip(order, counts):
        par = parents[a]
        n_conf = int(np.prod([cards[p] for p in par])) if par else 1
        c = flat.reshape(n_conf, cards[a]).astype(float)
        if private:
            scale = 2.0 * d / (synth.epsilon / 2)
            c = np.clip(c + rng.laplace(0.0, scale, c.shape), 0.0, None)
        marginal = c.sum(axis=0) + 1e-9
        c[c.sum(axis=1) == 0] = marginal
        tables.append(c / c.sum(axis=1, keepdims=True))
    synth._order, synth._parents = order, [parents[a] for a in order]
    synth._tables, synth._cards = tables, cards


def _column(spec, counts, values, max_bins):
    """One output's discretization, as ``_discretize`` makes it in memory, from full-data statistics."""
    if spec is not None:
        return {"type": "category", "values": spec.midpoints()}, None
    if counts is None or counts.n == 0:
        return {"type": "values", "values": np.zeros(1)}, None
    if values is not None and len(values[0]) <= max_bins:
        return {"type": "values", "values": np.asarray(values[0], dtype=float)}, None
    e = np.unique(counts.quantiles(np.linspace(0, 1, max_bins + 1)))
    within = np.empty((len(e) - 1, _WITHIN))
    below = counts.cdf(np.nextafter(e, -np.inf))  # share of values under each edge
    for b in range(len(e) - 1):
        lo = below[b] if b else 0.0
        hi = below[b + 1] if b + 1 < len(e) - 1 else 1.0
        if hi > lo:
            within[b] = np.maximum.accumulate(counts.quantiles(np.linspace(lo, hi, _WITHIN)))
        else:
            within[b] = np.linspace(e[b], e[b + 1], _WITHIN)
    return {"type": "bins", "within": within}, e


def discretize(X, specs, cols, edges) -> np.ndarray:
    """Codes of the encoded rows ``X`` with the learned columns (as the in-memory network codes them)."""
    from ._encoding import to_codes

    M = to_codes(X, specs)
    codes = np.zeros(X.shape, dtype=np.int64)
    for j, col in enumerate(cols):
        x = X[:, j]
        ok = ~np.isnan(x)
        if specs[j] is not None:
            codes[:, j] = M[:, j].astype(np.int64)
        elif col["type"] == "values":
            uniq = col["values"]
            codes[:, j] = np.searchsorted(uniq, np.where(ok, x, uniq[0])).clip(0, len(uniq) - 1)
        else:
            e = edges[j]
            codes[:, j] = np.searchsorted(e[1:-1], np.where(ok, x, e[0]), side="right")
    return codes


def _structure(synth, codes, cards):
    """The greedy PrivBayes order and parents on (up to 50,000 of) the sample's codes, as in memory."""
    order, parents, _ = learn_structure(codes, cards, synth.degree, synth.epsilon)
    return order, parents


def _count_task(task, frames, *, encoder, specs, cols, edges, order, parents, cards):
    """Pass C of the network: each table's contingency counts over one task's rows (int64, flat)."""
    sizes = [(int(np.prod([cards[p] for p in parents[a]])) if parents[a] else 1) * cards[a] for a in order]
    counts = [np.zeros(s, dtype=np.int64) for s in sizes]
    for df in frames:
        X, _ = encoder.encode(df)
        codes = discretize(X, specs, cols, edges)
        for t, a in enumerate(order):
            idx = np.zeros(len(codes), dtype=np.int64)
            for p in parents[a]:
                idx = idx * cards[p] + codes[:, p]
            counts[t] += np.bincount(idx * cards[a] + codes[:, a], minlength=sizes[t])
    return counts
