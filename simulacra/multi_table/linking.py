"""Linking sampled child rows to sampled parent rows: nearest by columns, each parent up to its capacity.

A child's model learns, for each secondary foreign key, the columns of the parent it points to
(``__l{i}__<col>``); the parent's model learns how many children each of its rows has along that
key (``__n{i}``). Linking matches the two: every child row goes to a parent row whose columns are
near what it asked for, and every parent row takes as many children as its model gave it (scaled
so the total is the number of children). Vectorized: one nearest-neighbour query, then rounds in
which the unlinked rows propose to their next-nearest parent and each parent accepts, in a random
order, as many as it has room for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: how many nearest parents each child row may propose to before taking any free place
NEIGHBORS = 16


def capacities(counts, total: int, rng: np.random.Generator) -> np.ndarray:
    """Integer capacities proportional to ``counts`` that add up to exactly ``total``."""
    w = np.nan_to_num(np.asarray(counts, dtype=float), nan=0.0)
    w = np.clip(w, 0, None)
    if total <= 0:
        return np.zeros(len(w), dtype=np.int64)
    if w.sum() <= 0:
        w = np.ones(len(w))
    exact = w / w.sum() * total
    cap = np.floor(exact).astype(np.int64)
    short = int(total - cap.sum())
    if short > 0:  # largest remainders first, ties broken at random
        rem = np.where(w > 0, exact - cap + rng.random(len(w)) * 1e-9, -np.inf)  # a row asking none gets none
        cap[np.argsort(-rem, kind="stable")[:short]] += 1
    return cap


def by_demand(capacity: np.ndarray, child: np.ndarray, parent: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same capacities, handed to the parent rows the children ask for most.

    The parents' models give how many children their rows have (the cardinality); which rows get
    the large counts follows the children: each child row's nearest parent row is counted, and
    the largest capacity goes to the most asked-for row, and so on (ties: the row's own count,
    then at random). So the count distribution is the parents' and the join keeps the children's
    trends (a flight from New York goes to a New York airport, not to the airport the airports'
    model happened to give many flights).
    """
    cap = np.asarray(capacity, dtype=np.int64)
    if not len(child) or not child.shape[1] or len(cap) < 2:
        return cap
    from sklearn.neighbors import NearestNeighbors

    pts = parent + rng.normal(scale=1e-6, size=parent.shape)
    nearest = NearestNeighbors(n_neighbors=1).fit(pts).kneighbors(child, return_distance=False)[:, 0]
    demand = np.bincount(nearest, minlength=len(cap))
    order = np.lexsort((rng.random(len(cap)), -cap, -demand))  # most asked-for first
    out = np.empty_like(cap)
    out[order] = np.sort(cap)[::-1]
    return out


def features(frames: list[pd.DataFrame], columns: list[str]) -> list[np.ndarray]:
    """The same numeric encoding of ``columns`` for each frame, scaled on the last frame (the parents').

    Numbers and dates are standardized (missing -> the mean), categories one-hot encoded over the
    parents' categories (at most 32).
    """
    ref = frames[-1]
    blocks: list[list[np.ndarray]] = [[] for _ in frames]
    for c in columns:
        r = ref[c]
        if pd.api.types.is_bool_dtype(r) or not (
            pd.api.types.is_numeric_dtype(r) or pd.api.types.is_datetime64_any_dtype(r)
        ):
            cats = pd.Series(r.astype("object")).value_counts().index[:32]
            for k, f in enumerate(frames):
                col = pd.Series(f[c].astype("object")) if c in f else pd.Series([None] * len(f))
                codes = pd.Categorical(col, categories=cats).codes
                onehot = np.zeros((len(f), len(cats)))
                ok = codes >= 0
                onehot[np.flatnonzero(ok), codes[ok]] = 1.0
                blocks[k].append(onehot * np.sqrt(0.5))
            continue
        vals = [_numbers(f[c]) if c in f else np.full(len(f), np.nan) for f in frames]
        mu = np.nanmean(vals[-1]) if np.isfinite(vals[-1]).any() else 0.0
        sd = np.nanstd(vals[-1]) if np.isfinite(vals[-1]).any() else 1.0
        sd = sd if sd > 0 else 1.0
        for k, v in enumerate(vals):
            blocks[k].append(np.nan_to_num((v - mu) / sd, nan=0.0)[:, None])
    return [np.hstack(b) if b else np.zeros((len(f), 0)) for b, f in zip(blocks, frames)]


def _numbers(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.astype("int64").to_numpy(dtype=float) / 1e9
        out[s.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def link(child: np.ndarray, parent: np.ndarray, capacity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The parent row of each child row.

    Parameters
    ----------
    child : ndarray (m, d)
        What each child row wants of its parent (encoded as :func:`features`).
    parent : ndarray (k, d)
        Each parent row's columns, encoded the same way.
    capacity : ndarray of int (k,)
        How many children each parent row takes; must add up to ``m``.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int (m,)
        Index of each child row's parent.
    """
    m = len(child)
    out = np.full(m, -1, dtype=np.int64)
    remaining = np.asarray(capacity, dtype=np.int64).copy()
    eligible = np.flatnonzero(remaining > 0)
    unlinked = np.arange(m, dtype=np.int64)
    if m and len(eligible) and child.shape[1]:
        from sklearn.neighbors import NearestNeighbors

        k = min(NEIGHBORS, len(eligible))
        pts = parent[eligible] + rng.normal(scale=1e-6, size=(len(eligible), parent.shape[1]))  # ties at random
        _, near = NearestNeighbors(n_neighbors=k).fit(pts).kneighbors(child)
        priority = rng.random(m)
        for j in range(k):
            if not len(unlinked):
                break
            wanted = eligible[near[unlinked, j]]
            o = np.lexsort((priority[unlinked], wanted))
            wanted, rows = wanted[o], unlinked[o]
            starts = np.flatnonzero(np.r_[True, wanted[1:] != wanted[:-1]])
            rank = np.arange(len(wanted)) - np.repeat(starts, np.diff(np.r_[starts, len(wanted)]))
            ok = rank < remaining[wanted]
            out[rows[ok]] = wanted[ok]
            remaining -= np.bincount(wanted[ok], minlength=len(remaining))
            unlinked = rows[~ok]
    if len(unlinked):  # the rest take the free places at random
        slots = np.repeat(np.arange(len(remaining)), np.clip(remaining, 0, None))
        rng.shuffle(slots)
        if len(slots) < len(unlinked):  # capacities short (cannot happen with capacities()): any parent
            slots = np.r_[slots, rng.integers(0, max(len(remaining), 1), len(unlinked) - len(slots))]
        out[unlinked] = slots[: len(unlinked)]
    return out
