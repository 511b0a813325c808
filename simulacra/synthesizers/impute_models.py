"""The per-row conditional draws of imputation for CART and the Bayesian network, vectorized over rows.

Each row of ``C`` (known encoded outputs) gets its own particles: CART's by sequential importance
resampling (:func:`cart_rows`), the network's by likelihood weighting (:func:`network_rows`). A
``avoid`` map ``{output: code}`` keeps a category code (the missing-value category of a column
being filled) out of the draws.
"""

from __future__ import annotations

import numpy as np

#: particles per row of CART's sequential importance resampling
CART_PARTICLES = 16
#: particles per row of the Bayesian network's likelihood weighting
NETWORK_PARTICLES = 32
#: grid points of each smoothed CART leaf's kernel density (its weights of a known number)
KDE_GRID = 128
_KDE_CELLS = 2_000_000  # donors x grid points evaluated at once


# ---------------------------------------------------------------------- weighted particles
def resample(logw: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flat particle indices ``(n, P)``: row *r*'s P particles drawn again by weight from its own P.

    A row whose particles all have weight zero keeps them equally likely.
    """
    n, P = logw.shape
    top = logw.max(axis=1, keepdims=True)
    dead = ~np.isfinite(top[:, 0])
    w = np.exp(logw - np.where(np.isfinite(top), top, 0.0))
    w[dead] = 1.0
    cum = np.cumsum(w, axis=1)
    cum /= cum[:, -1:]
    base = np.arange(n)[:, None]
    flat = (cum + base).ravel()
    target = (base + rng.random((n, P)) * (1 - 1e-12)).ravel()
    pos = np.searchsorted(flat, target, side="right").reshape(n, P)
    return np.clip(pos, base * P, base * P + P - 1)


def cart_rows(synth, C, outputs, rng, cache=None, avoid=None, particles: int = CART_PARTICLES) -> np.ndarray:
    """CART rows given per-row known outputs: ``particles`` per row walk the trees in order; at a
    known column each row's particles are weighted by how likely their leaf makes its value and
    resampled (sequential importance resampling, exact as particles grow); a code of ``avoid``
    ({output: code}) gets weight zero the same way. Encoded rows ``(n, d)``."""
    from ._encoding import from_codes, to_codes
    from .cart import _draw, _walk

    cache, avoid = ({} if cache is None else cache), (avoid or {})
    n, d = len(C), len(synth._order)
    K = np.repeat(to_codes(C, [synth._cat_specs[j] for j in outputs]), particles, axis=0)
    S = np.full((n * particles, d), np.nan)
    S[:, outputs] = K
    where = {j: i for i, j in enumerate(outputs)}
    for t, tree in enumerate(synth._trees):
        j = tree["column"]
        leaf = _walk(tree, S) if len(tree["predictors"]) else np.zeros(len(S), dtype=np.int64)
        if j not in where:
            S[:, j] = _draw(tree, leaf, rng)
            if j in avoid:
                pick = resample(np.where(S[:, j] == avoid[j], -np.inf, 0.0).reshape(n, particles), rng).ravel()
                S, K = S[pick], K[pick]
            continue
        v = K[:, where[j]]
        logw = np.where(np.isnan(v), 0.0, leaf_log_weights(tree, leaf, v, cache.setdefault(t, {})))
        pick = resample(logw.reshape(n, particles), rng).ravel()
        S, K = S[pick], K[pick]
    return from_codes(S[::particles], synth._cat_specs)


def leaf_log_weights(tree: dict, leaf: np.ndarray, v: np.ndarray, cache: dict) -> np.ndarray:
    """Log probability (or density) of value ``v[i]`` in leaf ``leaf[i]``: exact counts in unsmoothed
    leaves, a kernel density on a grid in smoothed ones (a Gaussian tail beyond it)."""
    donors, counts, bw = tree["donors"], tree["counts"], tree["bandwidth"]
    out = np.full(len(leaf), -np.inf)
    smooth = bw[leaf] > 0
    if "keys" not in cache:
        node = np.repeat(np.arange(len(counts)), counts)
        uniq = np.unique(donors)
        cache["uniq"] = uniq
        cache["keys"] = np.sort(node * (len(uniq) + 1) + np.searchsorted(uniq, donors))
    exact = ~smooth
    if exact.any():
        uniq, keys = cache["uniq"], cache["keys"]
        r = np.searchsorted(uniq, v[exact]).clip(0, max(len(uniq) - 1, 0))
        hit = np.isclose(uniq[r], v[exact]) if len(uniq) else np.zeros(int(exact.sum()), dtype=bool)
        q = leaf[exact] * (len(uniq) + 1) + r
        cnt = np.searchsorted(keys, q, side="right") - np.searchsorted(keys, q, side="left")
        with np.errstate(divide="ignore"):
            out[exact] = np.where(hit, np.log(cnt) - np.log(np.maximum(counts[leaf[exact]], 1)), -np.inf)
    if smooth.any():
        lo, step, dens = _kde_grid(tree, cache)
        lf, x = leaf[smooth], v[smooth]
        h = bw[lf]
        pos = (x - lo[lf]) / step[lf]
        inside = (pos >= 0) & (pos <= KDE_GRID - 1)
        k = np.clip(np.floor(pos), 0, KDE_GRID - 2).astype(np.int64)
        frac = np.clip(pos - k, 0.0, 1.0)
        val = dens[lf, k] * (1 - frac) + dens[lf, k + 1] * frac
        edge = np.where(pos < 0, lo[lf] + 4 * h, lo[lf] + step[lf] * (KDE_GRID - 1) - 4 * h)
        tail = -0.5 * ((x - edge) / h) ** 2 - np.log(h * np.sqrt(2 * np.pi))
        with np.errstate(divide="ignore"):
            out[smooth] = np.where(inside & (val > 0), np.log(np.maximum(val, 1e-300)), tail)
    return out


def _kde_grid(tree: dict, cache: dict):
    """Per node: grid start, step and the kernel density of its donors on ``KDE_GRID`` points."""
    if "kde" in cache:
        return cache["kde"]
    donors, counts, offsets, bw = tree["donors"], tree["counts"], tree["offsets"], tree["bandwidth"]
    n_nodes = len(counts)
    lo, step = np.zeros(n_nodes), np.ones(n_nodes)
    dens = np.zeros((n_nodes, KDE_GRID))
    nodes = np.flatnonzero((counts > 0) & (bw > 0))
    if len(nodes):
        padded = np.append(donors, 0.0)  # reduceat over [start, end) pairs: every other result is a node's
        bounds = np.column_stack([offsets[nodes], offsets[nodes] + counts[nodes]]).ravel()
        mins = np.minimum.reduceat(padded, bounds)[::2]
        maxs = np.maximum.reduceat(padded, bounds)[::2]
        lo[nodes] = mins - 4 * bw[nodes]
        step[nodes] = np.maximum((maxs - mins + 8 * bw[nodes]) / (KDE_GRID - 1), 1e-12)
        grid = np.arange(KDE_GRID)
        per = max(1, _KDE_CELLS // KDE_GRID)
        total = np.cumsum(counts[nodes])
        start = 0
        while start < len(nodes):  # blocks of whole nodes, about ``per`` donors each
            done = total[start - 1] if start else 0
            stop = max(start + 1, int(np.searchsorted(total, done + per, side="right")))
            block = nodes[start:stop]
            node_of = np.repeat(block, counts[block])
            first = np.cumsum(counts[block]) - counts[block]
            d = donors[np.repeat(offsets[block] - first, counts[block]) + np.arange(len(node_of))]
            h = bw[node_of][:, None]
            g = lo[node_of][:, None] + step[node_of][:, None] * grid[None, :]
            vals = np.exp(-0.5 * ((g - d[:, None]) / h) ** 2) / (h * np.sqrt(2 * np.pi))
            dens[block] = np.add.reduceat(vals, first, axis=0) / counts[block][:, None]
            start = stop
    cache["kde"] = (lo, step, dens)
    return cache["kde"]


def network_rows(synth, C, outputs, rng, avoid=None, particles: int = NETWORK_PARTICLES) -> np.ndarray:
    """Bayesian-network rows given per-row known outputs: ``particles`` per row drawn ancestrally with the
    known columns set to their codes, weighted by the probability of those codes given their parents,
    and one kept per row by weight (likelihood weighting). The codes of ``avoid`` ({output: code}) are
    not drawn (the rest of their distribution renormalized). Encoded rows ``(n, d)``."""
    n, d = len(C), len(synth._cols)
    m = n * particles
    known = {j: np.repeat(_network_codes(synth, j, C[:, i]), particles) for i, j in enumerate(outputs)}
    codes = np.zeros((m, d), dtype=np.int64)
    logw = np.zeros(m)
    for a, par, table in zip(synth._order, synth._parents, synth._tables):
        idx = np.zeros(m, dtype=np.int64)
        for p in par:
            idx = idx * synth._cards[p] + codes[:, p]
        if a in known:
            codes[:, a] = known[a]
            with np.errstate(divide="ignore"):
                logw += np.log(table[idx, known[a]])
            continue
        k = table.shape[1]
        if a in (avoid or {}) and k > 1:
            table = table.copy()
            table[:, avoid[a]] = 0.0
            empty = table.sum(axis=1) == 0
            table[empty] = 1.0
            table[empty, avoid[a]] = 0.0
        cum = np.cumsum(table, axis=1)
        cum = cum / cum[:, -1:]
        flat = (cum + np.arange(table.shape[0])[:, None]).ravel()
        pos = np.searchsorted(flat, idx + rng.random(m) * (1 - 1e-12), side="right")
        codes[:, a] = (pos - idx * k).clip(0, k - 1)
    pick = resample(logw.reshape(n, particles), rng)[:, 0]
    return synth._decode(codes[pick], rng)


def _network_codes(synth, j: int, x: np.ndarray) -> np.ndarray:
    """The network's code of each encoded value ``x`` of output ``j`` (nearest seen value or bin)."""
    col = synth._cols[j]
    x = np.nan_to_num(x, nan=0.0)
    if col["type"] == "category":
        return synth._transformer.output_specs[j].codes(x).astype(np.int64)
    if col["type"] == "values":
        vals = col["values"]
        if len(vals) < 2:
            return np.zeros(len(x), dtype=np.int64)
        r = np.clip(np.searchsorted(vals, x), 1, len(vals) - 1)
        return np.where(x - vals[r - 1] <= vals[r] - x, r - 1, r).astype(np.int64)
    w = col["within"]
    edges = np.concatenate([w[:, 0], [w[-1, -1]]])
    return np.clip(np.searchsorted(edges[1:-1], x, side="right"), 0, len(w) - 1).astype(np.int64)
