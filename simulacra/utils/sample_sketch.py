"""Mergeable bounded random samples of rows (see :mod:`simulacra.utils.sketch`, which re-exports them).

Every row gets a random 63-bit key from the generator of its partition (:func:`partition_generator`,
a child of ``numpy.random.SeedSequence(seed)`` named by the partition's index); the sample is a
function of the keys only, so the same seed gives the same rows whatever the order the
partitions are read and merged in, and whichever worker read them. Ties of keys are broken by
the row's id (its partition index and position), so the result is exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import ParameterError

__all__ = ["BottomKSample", "StratifiedSample", "key_limit_for", "partition_generator", "row_ids", "row_keys"]

_ROW_BITS, _CHUNK_BITS, _TASK_BITS = 24, 16, 23


def partition_generator(seed, *index) -> np.random.Generator:
    """The generator of partition ``index`` (e.g. ``(task, chunk)``) under ``seed``.

    It is the child of ``numpy.random.SeedSequence(seed)`` with spawn key ``index`` (for a one-level
    index, the same as ``spawn`` gives), so a partition draws the same numbers whichever worker
    reads it and in whatever order.
    """
    ss = as_seed_sequence(seed)
    child = np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + tuple(int(i) for i in index))
    return np.random.default_rng(child)


def row_keys(seed, stream: int, first_row: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, ids)`` of rows ``first_row .. first_row + n - 1`` of stream ``stream`` (e.g. a file) under ``seed``.

    The keys are the raw 64-bit draws (shifted to 63 bits) of a PCG64 generator seeded by the child
    ``stream`` of ``numpy.random.SeedSequence(seed)`` and advanced to ``first_row``: a row's key
    depends only on the seed and its position, so any split of a file into partitions gives every
    row the same key. Ids are ``stream << 40 | row`` (int64).
    """
    if not (0 <= stream < 2**_TASK_BITS and 0 <= first_row and first_row + n <= 2**40):
        raise ParameterError(f"row keys hold up to {2**_TASK_BITS:,} streams of 2**40 rows; got stream {stream}")
    ss = as_seed_sequence(seed)
    bits = np.random.PCG64(np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (int(stream),)))
    bits.advance(int(first_row))
    keys = (bits.random_raw(n) >> np.uint64(1)).astype(np.int64)
    ids = (np.int64(stream) << 40) | (np.int64(first_row) + np.arange(n, dtype=np.int64))
    return keys, ids


def row_ids(n: int, task: int, chunk: int = 0) -> np.ndarray:
    """Ids of the ``n`` rows of chunk ``chunk`` of task ``task``: ``task << 40 | chunk << 24 | row`` (int64)."""
    if not (0 <= task < 2**_TASK_BITS and 0 <= chunk < 2**_CHUNK_BITS and n <= 2**_ROW_BITS):
        raise ParameterError(
            f"row ids hold up to {2**_TASK_BITS:,} tasks, {2**_CHUNK_BITS:,} chunks a task and "
            f"{2**_ROW_BITS:,} rows a chunk; got task {task}, chunk {chunk}, {n:,} rows"
        )
    return (np.int64(task) << (_ROW_BITS + _CHUNK_BITS)) | (np.int64(chunk) << _ROW_BITS) | np.arange(n, dtype=np.int64)


def key_limit_for(size: int, rows: int | None, margin: float = 1.25) -> int | None:
    """A ``key_limit`` under which about ``margin * size`` of ``rows`` keys fall (None: no limit is worth it).

    With ``size >= 1,000`` the chance that fewer than ``size`` keys fall under it is below 1e-9.
    """
    if rows is None or size < 1_000 or margin * size >= rows:
        return None
    return int(min(2**63 - 2, (margin * size / rows) * 2**63))


class StratifiedSample:
    """A bounded random sample of rows that keeps rare categories, mergeable across partitions.

    Allocation: the sample is the union of

    - the ``size`` rows of smallest keys over the whole table: a uniform sample without
      replacement, so every category gets about its share of ``size`` (proportional allocation);
    - for each column of ``strata`` and each of its values (missing is a value too), the
      ``min_per_stratum`` rows of that value of smallest keys: a floor, so a category with fewer
      rows than its proportional share would give still appears ``min(rows, min_per_stratum)``
      times.

    So it holds at most ``size + min_per_stratum * (values over the strata columns)`` rows. The
    floor over-represents rare values (by at most ``min_per_stratum`` rows each; at most
    ``min_per_stratum * max_strata`` rows a column in all); a column with more than ``max_strata``
    distinct values (ids, free text) gets no floor, and is listed in ``unstratified``.

    ``key_limit`` (a key in ``0 .. 2**63 - 1``): only rows with a key at most this enter the
    uniform part, so a partition sends back about ``rows * key_limit / 2**63`` rows instead of up
    to ``size``; the uniform part is still exactly the ``size`` smallest keys when at least
    ``size`` rows fall under the limit (:attr:`exact`; choose the limit from the row count, e.g.
    :func:`key_limit_for`).

    ``update(df, seed, task, chunk)`` adds the rows of one partition; ``merge`` adds another
    sample's rows (the rows of different partitions: the partition index names the rows).
    """

    def __init__(self, size: int, strata=(), min_per_stratum: int = 0, max_strata: int = 1000, key_limit=None):
        if int(size) < 1:
            raise ParameterError(f"sample size must be at least 1, got {size}")
        self.size = int(size)
        self.strata = [str(c) for c in strata]
        self.min_per_stratum = int(min_per_stratum) if self.strata else 0
        self.max_strata = int(max_strata)
        self.key_limit = None if key_limit is None else int(key_limit)
        self.unstratified: list[str] = []
        self.seen = 0
        self.under_limit = 0
        self.keys = np.empty(0, dtype=np.int64)
        self.ids = np.empty(0, dtype=np.int64)
        self.rows: pd.DataFrame | None = None

    def update(self, df: pd.DataFrame, seed, task: int, chunk: int = 0, *, first_row=None) -> "StratifiedSample":
        """Offer the rows of partition ``(task, chunk)``; their keys come from :func:`partition_generator`.

        With ``first_row``, the rows are rows ``first_row ..`` of stream ``task`` (a file) and their keys
        come from :func:`row_keys` instead (``chunk`` unused): the sample then does not depend on
        how the stream was cut into partitions either.
        """
        n = len(df)
        self.seen += n
        if not n:
            return self
        if first_row is None:
            keys = partition_generator(seed, task, chunk).integers(0, 2**63 - 1, size=n, dtype=np.int64)
            ids = row_ids(n, task, chunk)
        else:
            keys, ids = row_keys(seed, task, int(first_row), n)
        if self.key_limit is not None:
            self.under_limit += int((keys <= self.key_limit).sum())
        df = df.reset_index(drop=True)
        keep = self._members(keys, ids, df)  # the partition's own candidates first: bounded work
        if len(self.keys) >= self.size:  # a row above the size-th key kept so far enters only through a floor
            cut = np.partition(self.keys, self.size - 1)[self.size - 1]
            floor = self._members_floor(keys, ids, df) if self.min_per_stratum else np.zeros(n, dtype=bool)
            keep &= (keys <= cut) | floor
        return self._combine(keys[keep], ids[keep], df.iloc[np.flatnonzero(keep)], 0)

    def _members_floor(self, keys, ids, rows) -> np.ndarray:
        size, self.size = self.size, 0
        try:
            return self._members(keys, ids, rows)
        finally:
            self.size = size

    @property
    def exact(self) -> bool:
        """Whether the uniform part is the ``size`` smallest keys of every row seen (always without ``key_limit``)."""
        return self.key_limit is None or self.under_limit >= min(self.size, self.seen)

    def merge(self, other: "StratifiedSample") -> "StratifiedSample":
        self.under_limit += other.under_limit
        if other.rows is None:
            self.seen += other.seen
            return self
        self.unstratified = sorted(set(self.unstratified) | set(other.unstratified))
        return self._combine(other.keys, other.ids, other.rows, other.seen)

    def _combine(self, keys, ids, rows, seen) -> "StratifiedSample":
        self.seen += seen
        if self.rows is None:
            all_keys, all_ids, all_rows = keys, ids, rows.reset_index(drop=True)
        else:
            all_keys = np.concatenate([self.keys, keys])
            all_ids = np.concatenate([self.ids, ids])
            all_rows = pd.concat([self.rows, rows], ignore_index=True)
            _, first = np.unique(all_ids, return_index=True)  # a row offered twice counts once
            if len(first) < len(all_ids):
                first.sort()
                all_keys, all_ids, all_rows = all_keys[first], all_ids[first], all_rows.iloc[first]
                all_rows = all_rows.reset_index(drop=True)
        keep = np.flatnonzero(self._members(all_keys, all_ids, all_rows))
        self.keys, self.ids = all_keys[keep], all_ids[keep]
        self.rows = all_rows.iloc[keep].reset_index(drop=True)
        return self

    def _members(self, keys, ids, rows: pd.DataFrame) -> np.ndarray:
        order = np.lexsort((ids, keys))  # one sort by key; each stratum's rows are then in key order too
        keep = np.zeros(len(keys), dtype=bool)
        glob = order[: self.size]
        if self.key_limit is not None:
            glob = glob[keys[glob] <= self.key_limit]
        keep[glob] = True
        m = self.min_per_stratum
        for c in self.strata if m else ():
            if c in self.unstratified:
                continue
            codes, uniques = pd.factorize(rows[c], use_na_sentinel=True)
            if len(uniques) > self.max_strata:
                self.unstratified.append(c)
                continue
            sc = codes[order]
            o = np.argsort(sc, kind="stable")  # by stratum, in key order within each
            sc = sc[o]
            start = np.r_[0, np.flatnonzero(sc[1:] != sc[:-1]) + 1]
            pos = np.arange(len(o)) - np.repeat(start, np.diff(np.r_[start, len(o)]))
            keep[order[o[pos < m]]] = True
        return keep

    def frame(self) -> pd.DataFrame:
        """The sampled rows in the order they were read (by partition, then row); index 0..n-1."""
        if self.rows is None:
            return pd.DataFrame()
        order = np.argsort(self.ids, kind="stable")
        return self.rows.iloc[order].reset_index(drop=True)

    def __len__(self) -> int:
        return 0 if self.rows is None else len(self.rows)

    def to_state(self) -> dict:
        """Plain data: the keys and ids (int64 arrays), the rows (a pandas DataFrame) and the settings."""
        return {
            "size": self.size,
            "strata": list(self.strata),
            "min_per_stratum": self.min_per_stratum,
            "max_strata": self.max_strata,
            "unstratified": list(self.unstratified),
            "seen": self.seen,
            "key_limit": self.key_limit,
            "under_limit": self.under_limit,
            "keys": self.keys,
            "ids": self.ids,
            "rows": self.rows,
        }

    @classmethod
    def from_state(cls, state: dict) -> "StratifiedSample":
        out = cls(state["size"], state["strata"], state["min_per_stratum"], state["max_strata"], state["key_limit"])
        out.unstratified = list(state["unstratified"])
        out.seen, out.under_limit = int(state["seen"]), int(state["under_limit"])
        out.keys = np.asarray(state["keys"], dtype=np.int64)
        out.ids = np.asarray(state["ids"], dtype=np.int64)
        out.rows = state["rows"]
        return out


class BottomKSample(StratifiedSample):
    """A uniform random sample of ``size`` rows without replacement (the rows of smallest keys), mergeable."""

    def __init__(self, size: int):
        super().__init__(size)

    @classmethod
    def from_state(cls, state: dict) -> "BottomKSample":
        out = cls(state["size"])
        out.key_limit = state["key_limit"]
        out.seen, out.under_limit = int(state["seen"]), int(state["under_limit"])
        out.keys = np.asarray(state["keys"], dtype=np.int64)
        out.ids = np.asarray(state["ids"], dtype=np.int64)
        out.rows = state["rows"]
        return out
