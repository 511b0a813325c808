"""Fake tables in partitions: any partition of any table made alone, on any worker, from the plan.

A :class:`FakePlan` splits each table's rows into partitions of a fixed number of rows (by
default about 100 MB in memory, measured on a 512-row probe made with a fixed seed). Partition
*i* of table *t* draws from ``SeedSequence(entropy, spawn_key=root + (0, hash(t), i))``: child *i*
of a sequence derived from the run's seed and the table's *name*, which is computed without
spawning the children before it. Each column then draws from its own child of that, as the
stream engine does per chunk. So partition *i* depends only on (schema, seed, partition size,
*i*): the rows are the same whatever the number of workers, threads or machines, and whatever
order the partitions are made in.

Unique columns and primary keys are unique across partitions **by construction**, not by a set
of the values already made:

- ``sequence`` / ``id``: ``start + step * global_position``.
- ``basic.integer`` and ``codes.uuid4``: a keyed permutation of the global row position
  (:mod:`simulacra.fake.keyspace`, a Feistel network keyed from the seed, the table and the
  column): distinct positions give distinct values, random-looking ones. An integer is
  ``minimum + perm(position)`` over ``[minimum, maximum]`` (more rows than that range holds is a
  SchemaError); a UUID (version 4) carries ``perm(position)`` in 64 of its random bits.
- e-mails and user names (``internet.email``, ``person.email``, ``*.username``): distinct within
  their partition as in the stream engine (duplicates re-drawn, from the same rows when derived
  with ``from``), then, when the table has several partitions, every value of partition *i* takes
  the same tag: a fixed-width decimal number, a keyed permutation of *i* (``kevinjohnson`` ->
  ``kevinjohnson042``, ``ann.lee@gmail.com`` -> ``ann.lee042@gmail.com``, just before the last
  ``@``). All tags of a table have one width and differ, so two partitions' values can never be
  equal: the tag is read back from the end of the value (before the last ``@``).
- a unique foreign key (one-to-one): the parent positions are a keyed permutation of the child's
  row positions, so at most as many rows as the parent has.
- any other unique column is unique within one partition only, so it is refused
  (``SchemaError``, naming the column and what to do) when its table has several partitions.

Foreign keys draw parent row *positions* in ``[0, parent_rows)`` and compute the parent key of
each position: in closed form for the keys above (sequence, integer, UUID) when the parent
column has no ``nulls``; for any other parent column, from the parent's partition seeds when the
parent table has one partition (its column is made once per worker process and kept). A foreign
key to a column of a parent with several partitions that is not such a key is a SchemaError.
"""

from __future__ import annotations

import copy
import inspect
import threading
import uuid
from collections import OrderedDict

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import SchemaError
from ..utils.validation import is_int
from .keyspace import Permutation, integer_keys, name_hash, position_tag, uuid_keys
from .schema import Schema, check_sequence_rows, with_nulls

#: rows of the probe that sizes the partitions and fixes the Parquet schema of each table
PROBE_ROWS = 512
#: provider -> how its unique values are made unique across partitions
UNIQUE_BY = {
    "basic.integer": "integer",
    "codes.uuid4": "uuid",
    "internet.email": "email",
    "person.email": "email",
    "internet.username": "user",
    "person.username": "user",
}
#: column kinds whose value is a function of the row position and the plan alone
POSITIONAL = ("sequence", "integer", "uuid")
_PARENTS: OrderedDict = OrderedDict()  # (plan token, table, column) -> parent values, per process
_PARENTS_LOCK = threading.Lock()
_PARENTS_KEPT = 4


def canonical_provider(spec) -> str | None:
    """``topic.field`` of a column's provider (``email`` -> ``person.email``); None without one."""
    if spec.provider is None or spec.provider in ("sequence", "id"):
        return spec.provider
    from .core import Fake

    fn = Fake().method(spec.provider)
    return f"{fn.__self__.topic}.{fn.field}"


class TablePlan:
    """The partitions of one table: ``rows`` in partitions of ``partition_rows`` (at least one)."""

    def __init__(self, name: str, rows: int, partition_rows: int):
        self.name = name
        self.rows = int(rows)
        self.partition_rows = int(partition_rows)
        self.n_partitions = max(1, -(-self.rows // self.partition_rows))

    def bounds(self, i: int) -> tuple[int, int]:
        """``(first global row, rows)`` of partition ``i``."""
        if not 0 <= i < self.n_partitions:
            raise IndexError(f"table {self.name!r} has partitions 0..{self.n_partitions - 1}, not {i}")
        start = i * self.partition_rows
        return start, max(0, min(self.partition_rows, self.rows - start))

    def __repr__(self):
        return f"TablePlan({self.name!r}, rows={self.rows}, partition_rows={self.partition_rows})"


class FakePlan:
    """How a schema's tables are made in partitions (small, picklable: what a worker gets).

    Build it with :func:`plan_fake`; ``plan.make(table, i)`` is partition ``i`` of ``table``.
    """

    def __init__(self, schema: Schema, rows: dict, partition_rows: dict, seed, locale=None):
        self.schema = schema
        self.order = list(schema.order)
        self.tables = {t: TablePlan(t, rows[t], partition_rows[t]) for t in self.order}
        ss = as_seed_sequence(seed)
        self.entropy, self.root = ss.entropy, tuple(ss.spawn_key)
        self.locale = locale
        self.token = uuid.uuid4().hex
        self.probes: dict = {}
        self.arrow_schemas: dict = {}
        self.kinds = {t: {c: self._kind(t, c) for c in schema.tables[t].columns} for t in self.order}
        self.specs = {t: self._specs(t) for t in self.order}
        self.fk_modes = {t: self._fk_modes(t) for t in self.order}
        self.keys: dict = {}
        for t in self.order:
            for c, kind in self.kinds[t].items():
                if kind in ("integer", "uuid"):
                    self.keys[t, c] = self._key_function(t, c, kind)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["probes"] = {}  # the probe frames stay with the client
        return state

    # ------------------------------------------------------------------ seeds
    def partition_seed(self, table: str, i: int) -> np.random.SeedSequence:
        """Child ``i`` of the table's sequence: the seed of partition ``i``."""
        return np.random.SeedSequence(self.entropy, spawn_key=self.root + (0, name_hash(table), int(i)))

    def key_seed(self, table: str, column: str) -> np.random.SeedSequence:
        """The key of a column's permutation (or partition tags), apart from every partition seed."""
        return np.random.SeedSequence(self.entropy, spawn_key=self.root + (1, name_hash(table), name_hash(column)))

    # ------------------------------------------------------------------ checks
    def _key(self, table: str, column: str) -> bool:
        spec = self.schema.tables[table].columns[column]
        return bool(spec.unique) or column == self.schema.tables[table].primary_key

    def _kind(self, table: str, column: str) -> str:
        spec = self.schema.tables[table].columns[column]
        tp = self.tables[table]
        if spec.provider in ("sequence", "id"):
            check_sequence_rows(spec.start, spec.step, tp.rows, spec.where)
            return "sequence"
        if spec.foreign_key is not None:
            return "foreign"
        if not self._key(table, column):
            return "plain"
        how = UNIQUE_BY.get(canonical_provider(spec)) if spec.provider is not None else None
        if how in ("integer", "uuid"):
            return how
        if how is not None and tp.n_partitions > 1:
            return how
        if tp.n_partitions > 1:
            what = f"provider {spec.provider!r}" if spec.provider is not None else "a template"
            raise SchemaError(
                f"{spec.where}: the values of {what} are unique within one partition only, and table "
                f"{table!r} has {tp.n_partitions:,} partitions: the dask engine keeps unique only sequence/id, "
                "basic.integer, codes.uuid4, e-mail and user-name columns; use one of those, drop unique, "
                f"give --partition-rows {tp.rows} or more (one partition), or use --engine stream"
            )
        return "plain"

    def _specs(self, table: str) -> dict:
        """The column specs the partitions are made with: a primary key is made distinct in its partition."""
        t = self.schema.tables[table]
        out = dict(t.columns)
        if t.primary_key and not t.columns[t.primary_key].unique and self.kinds[table][t.primary_key] != "foreign":
            out[t.primary_key] = copy.copy(t.columns[t.primary_key])
            out[t.primary_key].unique = True
        return out

    def _fk_modes(self, table: str) -> dict:
        """``{column: 'closed' | 'recompute'}`` of the table's foreign keys, or a SchemaError."""
        modes = {}
        for c, spec in self.schema.tables[table].columns.items():
            if spec.foreign_key is None:
                continue
            pt, pcol = spec.foreign_key.split(".")
            parent, pspec = self.tables[pt], self.schema.tables[pt].columns[pcol]
            if parent.rows == 0 and self.tables[table].rows > 0:
                raise SchemaError(f"{spec.where}: parent table {pt!r} has no rows to reference")
            if self.kinds[pt][pcol] in POSITIONAL and pspec.nulls == 0:
                modes[c] = "closed"
            elif parent.n_partitions == 1 and pt != table:
                modes[c] = "recompute"
            else:
                why = "has nulls" if self.kinds[pt][pcol] in POSITIONAL else "is not a function of the row position"
                where = "of its own table" if pt == table else f"of a table with {parent.n_partitions:,} partitions"
                raise SchemaError(
                    f"{spec.where}: foreign_key {spec.foreign_key} points at a column {where} that {why}: "
                    "the dask engine cannot look its values up; point it at a sequence/id, a unique "
                    "basic.integer or a unique codes.uuid4 column without nulls (the primary key), "
                    + (f"give {pt!r} one partition (--partition-rows {parent.rows} or more), " if pt != table else "")
                    + "or use --engine stream"
                )
            if self._key(table, c):
                if not self._key(pt, pcol):
                    raise SchemaError(
                        f"{spec.where}: a unique foreign_key must point at a unique column or primary key; "
                        f"{spec.foreign_key} is neither: make it unique, or drop unique here"
                    )
                if self.tables[table].rows > parent.rows:
                    raise SchemaError(
                        f"{spec.where}: a unique foreign_key takes each parent key at most once, and table "
                        f"{table!r} has {self.tables[table].rows:,} rows for {parent.rows:,} in {pt!r}; "
                        "ask for fewer rows or drop unique"
                    )
        return modes

    def _key_function(self, table: str, column: str, kind: str):
        """``(permutation, minimum or noise)`` of an integer or UUID key column."""
        spec = self.schema.tables[table].columns[column]
        ss = self.key_seed(table, column)
        if kind == "uuid":
            perm_seed, noise_seed = ss.spawn(2)
            return Permutation(2**64, perm_seed), noise_seed.generate_state(1, np.uint64)[0]
        from .core import Fake

        defaults = inspect.signature(Fake().method(spec.provider).raw).parameters
        lo = int(spec.options.get("minimum", defaults["minimum"].default))
        hi = int(spec.options.get("maximum", defaults["maximum"].default))
        size = hi - lo + 1
        if size < max(1, self.tables[table].rows):
            raise SchemaError(
                f"{spec.where}: {self.tables[table].rows:,} distinct integers asked for between {lo:,} and {hi:,}, "
                f"which hold only {max(0, size):,}; widen minimum..maximum, ask for fewer rows or drop unique"
            )
        return Permutation(size, ss), lo

    # ------------------------------------------------------------------ values
    def key_values(self, table: str, column: str, positions) -> pd.Series:
        """The values of a positional column (sequence, unique integer or UUID) at global ``positions``."""
        kind = self.kinds[table][column]
        positions = np.asarray(positions, dtype=np.int64)
        if kind == "sequence":
            spec = self.schema.tables[table].columns[column]
            return pd.Series(spec.start + spec.step * positions)
        if kind == "integer":
            perm, lo = self.keys[table, column]
            return integer_keys(perm, lo, positions)
        if kind == "uuid":
            perm, noise = self.keys[table, column]
            return uuid_keys(perm, noise, positions)
        raise SchemaError(f"table {table!r}, column {column!r} is not a function of the row position")

    def parent_values(self, table: str, column: str) -> pd.Series:
        """The non-missing values of ``column`` of a one-partition ``table`` (made once per process)."""
        key = (self.token, table, column)
        with _PARENTS_LOCK:
            if key in _PARENTS:
                _PARENTS.move_to_end(key)
                return _PARENTS[key]
        values = self.make(table, 0, only=[column])[column].dropna().reset_index(drop=True)
        with _PARENTS_LOCK:
            _PARENTS[key] = values
            while len(_PARENTS) > _PARENTS_KEPT:
                _PARENTS.popitem(last=False)
        return values

    def _foreign(self, table: str, spec, rng, start: int, m: int) -> pd.Series:
        pt, pcol = spec.foreign_key.split(".")
        unique = self._key(table, spec.name)
        if self.fk_modes[table][spec.name] == "closed":
            size = self.tables[pt].rows
            values = None
        else:
            values = self.parent_values(pt, pcol)
            size = len(values)
            if size == 0 and m:
                raise SchemaError(f"{spec.where}: parent table {pt!r} has no rows to reference")
            if unique and size < self.tables[table].rows:
                raise SchemaError(
                    f"{spec.where}: a unique foreign_key takes each parent key at most once, and {pt!r} has "
                    f"{size:,} keys for {self.tables[table].rows:,} rows; ask for fewer rows or drop unique"
                )
        if m == 0:
            at = np.zeros(0, dtype=np.int64)
        elif unique:
            at = Permutation(size, self.key_seed(table, spec.name))(np.arange(start, start + m)).astype(np.int64)
        else:
            at = rng.integers(0, size, m)
        out = self.key_values(pt, pcol, at) if values is None else values.iloc[at].reset_index(drop=True)
        return with_nulls(out, spec.nulls, rng)

    def _tagged(self, table: str, column: str, kind: str, i: int, out: pd.Series) -> pd.Series:
        """``out`` with partition ``i``'s tag (at the end of a user name, before the last ``@`` of an e-mail)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        tag = position_tag(i, self.tables[table].n_partitions, self.key_seed(table, column))
        arr = pa.array(out.astype("string[pyarrow]"), type=pa.string(), from_pandas=True)
        if kind == "email":
            arr = pc.replace_substring_regex(arr, pattern="^(.*)@", replacement=r"\1" + tag + "@")
        else:
            arr = pc.binary_join_element_wise(arr, tag, "")
        return pd.Series(pd.arrays.ArrowStringArray(arr))

    def make(self, table: str, i: int, only=None) -> pd.DataFrame:
        """Partition ``i`` of ``table`` (indexed by its global row positions); ``only``: those
        columns (and what they derive from), drawn as in the whole partition."""
        from .core import Fake

        t = self.schema.tables[table]
        start, m = self.tables[table].bounds(int(i))
        seeds = dict(zip(t.columns, self.partition_seed(table, i).spawn(len(t.columns))))
        wanted = set(t.columns) if only is None else _closure(t, only)
        data: dict[str, pd.Series] = {}
        for cname in (c for c in t.order if c in wanted):
            spec, kind = self.specs[table][cname], self.kinds[table][cname]
            fake = Fake(locale=spec.locale or t.locale or self.locale or "en_US", seed=seeds[cname])
            if kind == "foreign":
                out = self._foreign(table, spec, fake.rng, start, m)
            elif kind in ("integer", "uuid"):
                out = with_nulls(self.key_values(table, cname, np.arange(start, start + m)), spec.nulls, fake.rng)
            else:
                out = self.schema._column(fake, spec, m, start, data, {})
                if kind in ("email", "user"):
                    out = self._tagged(table, cname, kind, int(i), out)
                elif spec.template is not None and self._key(table, cname) and out.dropna().duplicated().any():
                    raise SchemaError(
                        f"{spec.where}: the template gives duplicate values for a unique column or primary key; "
                        "build it from a unique column, or drop unique"
                    )
            data[cname] = out
        df = pd.DataFrame({c: data[c] for c in t.columns if c in data})
        df.index = pd.RangeIndex(start, start + m)
        return df

    @property
    def total_rows(self) -> int:
        return sum(tp.rows for tp in self.tables.values())

    def __repr__(self):
        return f"FakePlan({', '.join(map(repr, self.tables.values()))})"


def _closure(t, columns) -> set:
    """``columns`` of table spec ``t`` and every column they derive from."""
    out, todo = set(), list(columns)
    while todo:
        c = todo.pop()
        if c not in out:
            out.add(c)
            todo += t.columns[c].depends_on
    return out


class TableMaker:
    """``maker(i)``: partition ``i`` of one table of a plan (what ``run_partitions`` sends to a worker)."""

    def __init__(self, plan: FakePlan, table: str):
        self.plan = plan
        self.table = table

    def __call__(self, i: int) -> pd.DataFrame:
        return self.plan.make(self.table, int(i))


def plan_fake(schema, n: int | None = None, seed=None, locale=None, partition_rows: int | None = None) -> FakePlan:
    """The partition plan of a fake run: every table's rows, partition size and checks.

    Parameters
    ----------
    schema : Schema, dict or path
        The schema (see :mod:`simulacra.fake.schema`).
    n : int, optional
        Rows of a one-table schema, or of the tables without ``rows``.
    seed : int, SeedSequence or Generator, optional
        Same seed and partition size, same rows, whatever the workers.
    locale : str, optional
        Default locale of the columns.
    partition_rows : int, optional
        Rows per partition of every table; default about 100 MB in memory per partition, measured
        on a probe of 512 rows made with a fixed seed (so the same for every seed).

    Returns
    -------
    FakePlan
        With ``probes`` (the probe frame of each table) and ``arrow_schemas`` (each table's Parquet schema).
    """
    import pyarrow as pa

    from ..io.dask_engine import MAX_PARTITION_ROWS, check_partition_count, partition_rows_for
    from ..io.writers import arrow_schema

    sch = Schema.from_any(schema)
    if partition_rows is not None and (not is_int(partition_rows) or partition_rows < 1):
        raise SchemaError(f"partition_rows must be a positive number of rows, got {partition_rows!r}")
    rows = {t: sch.rows_for(t, n) for t in sch.order}
    probe_rows = {t: min(r, PROBE_ROWS) for t, r in rows.items()}
    probe = FakePlan(sch, probe_rows, dict.fromkeys(rows, PROBE_ROWS), 0, locale)
    probes = {t: probe.make(t, 0) for t in sch.order}
    if partition_rows is None:
        sizes = {
            t: partition_rows_for(float(df.memory_usage(index=False, deep=True).sum()) / max(1, len(df)))
            for t, df in probes.items()
        }
    else:
        sizes = dict.fromkeys(rows, int(partition_rows))
    for t, size in sizes.items():
        if size > MAX_PARTITION_ROWS:
            raise SchemaError(
                f"partition_rows {size:,} is over {MAX_PARTITION_ROWS:,} rows (a partition is made in a worker's "
                "memory); use a smaller --partition-rows"
            )
    plan = FakePlan(sch, rows, sizes, seed, locale)
    check_partition_count(sum(plan.tables[t].n_partitions for t in plan.order), min(sizes.values(), default=1))
    plan.probes = probes
    plan.arrow_schemas = {
        t: arrow_schema(pa.Table.from_pandas(df, preserve_index=False).schema) for t, df in probes.items()
    }
    return plan


def write_fake_dataset(plan: FakePlan, out, client=None, show_progress: bool = False, overwrite: bool = False):
    """Write every table of ``plan`` as Parquet files, one per partition, into the folder ``out``.

    A one-table schema makes ``out/part-00000.parquet``, ...; several tables make
    ``out/<table>/part-*.parquet``. All are written in one staging folder that becomes ``out``
    when every partition is written: a failed run leaves nothing at ``out`` (see
    :func:`simulacra.io.dask_engine.staged_dataset`).

    Parameters
    ----------
    plan : FakePlan
        From :func:`plan_fake`.
    out : path
        The dataset folder (must not exist, unless ``overwrite``).
    client : distributed.Client, optional
        Run the partitions on its workers; default this process's threads.
    show_progress : bool
        A progress bar over each table's partitions.
    overwrite : bool
        Replace an existing ``out`` folder (only once the new dataset is complete).

    Returns
    -------
    dict
        ``{table: [rows of each partition]}``.
    """
    from pathlib import Path

    from ..io.dask_engine import require_dask, run_partitions, staged_dataset

    require_dask()
    counts = {}
    with staged_dataset(out, overwrite=overwrite) as folder:
        for t in plan.order:
            dest = Path(folder) if len(plan.order) == 1 else Path(folder) / t
            dest.mkdir(exist_ok=True)
            n = plan.tables[t].n_partitions
            label = f"fake {t}" if len(plan.order) > 1 else "fake partitions"
            counts[t] = run_partitions(
                TableMaker(plan, t), n, dest, client, show_progress, label, plan.arrow_schemas.get(t)
            )
    return counts
