"""Schema-driven fake tables.

A schema maps column names to providers with options, plus derived columns, a share of nulls,
keys and foreign keys. It is a Python dict, or a JSON / YAML file::

    tables:
      customers:
        rows: 1000
        primary_key: customer_id
        columns:
          customer_id: {provider: sequence, start: 1}
          name: {provider: person.full_name, gender: female}
          email: {provider: internet.email, from: name}      # derived from the name
          city: address.city
          signup: {provider: datetime.date, start: 2020-01-01, end: 2024-12-31, nulls: 0.1}
      orders:
        rows: 5000
        primary_key: order_id
        columns:
          order_id: {provider: codes.uuid4, unique: true}
          customer_id: {foreign_key: customers.customer_id}
          amount: {provider: finance.price, minimum: 5, maximum: 500}
          label: {template: "{customer_id}-{order_id}"}

A single table can be given as ``{"columns": {...}}`` or simply ``{column: spec}``.
Column options: ``provider`` (any ``Fake`` field, e.g. ``email`` or ``person.full_name``, or
``sequence`` for consecutive integers), its own options, ``nulls`` (share of missing values),
``unique``, ``locale``, ``from`` (a column passed to the provider, e.g. a name for an e-mail),
``template`` (text built from other columns), ``foreign_key`` (``table.column`` of a parent).
Every option is checked when the schema is read (``schema_options``): a wrong type, range or name
is a ``SchemaError`` naming the table, column and option, before any row is made.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._random import as_seed_sequence, iter_spawn
from ..errors import ParameterError, SchemaError
from ..utils.validation import is_int
from .schema_options import (
    as_bool,
    check_provider_options,
    check_schema_locale,
    check_sequence,
    check_sequence_rows,
    check_share,
    provider_method,
    show,
)

_COLUMN_KEYS = {"provider", "nulls", "unique", "locale", "from", "template", "foreign_key", "start", "step"}
_TEMPLATE_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]+)\}|[{}]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: providers that take a source column through ``from`` -> their argument name
_FROM_ARGS = {"internet.email": "name", "person.email": "name", "email": "name"}
DEFAULT_ROWS = 100


def check_name(name: str, what: str) -> str:
    """A table or column name usable in every sink (file, folder, database), else a SchemaError."""
    if not name.strip():
        raise SchemaError(f"{what} name {name!r} is empty; give it a name")
    bad = _CONTROL.search(name)
    if bad:
        raise SchemaError(f"{what} name {name!r} contains the control character {bad.group()!r}; rename it")
    return name


def topological_order(nodes, deps, what: str) -> list[str]:
    """``nodes`` ordered so that each comes after its ``deps(node)``; SchemaError names a cycle."""
    order, state = [], {}

    def visit(node, path):
        if state.get(node) == "done":
            return
        if state.get(node) == "active":
            cycle = path[path.index(node) :] + [node]
            raise SchemaError(f"{what} form a cycle: {' -> '.join(cycle)}")
        state[node] = "active"
        for d in deps(node):
            visit(d, path + [node])
        state[node] = "done"
        order.append(node)

    for node in nodes:
        visit(node, [])
    return order


class ColumnSpec:
    def __init__(self, name: str, spec, table: str):
        self.name = check_name(name, f"table {table!r}: column")
        where = f"table {table!r}, column {name!r}"
        if isinstance(spec, str):
            spec = {"provider": spec}
        if not isinstance(spec, dict):
            raise SchemaError(f"{where}: a column is a provider name or a mapping, got {spec!r}")
        spec = dict(spec)
        self.nulls = check_share(spec.pop("nulls", 0.0), where, "nulls")
        self.unique = as_bool(spec.pop("unique", False), where, "unique")
        self.locale = check_schema_locale(spec.pop("locale", None), where)
        self.source = spec.pop("from", None)
        if self.source is not None and not isinstance(self.source, str):
            raise SchemaError(f"{where}: option 'from' must be the name of another column, got {show(self.source)}")
        self.template = spec.pop("template", None)
        self.foreign_key = spec.pop("foreign_key", None)
        self.provider = spec.pop("provider", None)
        if self.provider is None and self.template is None and self.foreign_key is None:
            raise SchemaError(f"{where}: give a provider, a template or a foreign_key")
        if sum(x is not None for x in (self.provider, self.template, self.foreign_key)) > 1:
            raise SchemaError(f"{where}: give only one of provider, template and foreign_key")
        if self.template is not None and not isinstance(self.template, str):
            raise SchemaError(f"{where}: template must be a string like '{{first}}.{{last}}'")
        self.template_parts = template_parts(self.template, where) if self.template is not None else []
        for (field,) in (p for p in self.template_parts if isinstance(p, tuple)):
            if ":" in field and field.split(":", 1)[1] != "lower":
                raise SchemaError(
                    f"{where}: template field {{{field}}}: the only modifier is ':lower', as in {{{field.split(':')[0]}:lower}}"
                )
        if self.provider is not None and not isinstance(self.provider, str):
            raise SchemaError(
                f"{where}: provider must be a provider name like 'person.full_name', got {show(self.provider)}"
            )
        if self.foreign_key is not None:
            if not isinstance(self.foreign_key, str) or self.foreign_key.count(".") != 1:
                raise SchemaError(f"{where}: foreign_key must be 'table.column', got {self.foreign_key!r}")
        self.options = spec
        self.where = where
        if self.provider is None and self.options:
            what = "template" if self.template is not None else "foreign_key"
            raise SchemaError(
                f"{where}: a {what} column takes no option {show(str(next(iter(self.options))))}; only nulls, unique and locale"
            )
        if self.provider in ("sequence", "id"):
            self.start, self.step = check_sequence(self.options, where)
            self.options = {}
        if self.source is not None and self.provider is not None and self.provider not in _FROM_ARGS:
            raise SchemaError(
                f"{where}: provider {self.provider!r} cannot be derived with 'from'; only {', '.join(sorted(_FROM_ARGS))} can"
            )
        if self.provider is not None and self.provider not in ("sequence", "id"):
            try:
                fn = provider_method(self.provider)
            except ParameterError as e:
                raise SchemaError(f"{where}: {e}") from None
            _, self.options = check_provider_options(fn, self.options, where)

    @property
    def depends_on(self) -> list[str]:
        deps = []
        if self.source is not None:
            deps.append(self.source)
        if self.template is not None:
            deps += [p[0].split(":")[0] for p in self.template_parts if isinstance(p, tuple)]
        return deps


class TableSpec:
    def __init__(self, name: str, spec: dict):
        self.name = check_name(name, "table")
        if not isinstance(spec, dict):
            raise SchemaError(f"table {name!r}: expected a mapping with 'columns', got {type(spec).__name__}")
        cols = spec.get("columns")
        if not isinstance(cols, dict) or not cols:
            raise SchemaError(f"table {name!r}: needs a non-empty 'columns' mapping")
        rows = spec.get("rows")
        if rows is not None and (not is_int(rows) or rows < 0):
            raise SchemaError(f"table {name!r}: rows must be a non-negative integer, got {rows!r}")
        self.rows = rows
        self.locale = check_schema_locale(spec.get("locale"), f"table {name!r}")
        extra = set(spec) - {"columns", "rows", "locale", "primary_key"}
        if extra:
            raise SchemaError(
                f"table {name!r}: unknown key(s) {', '.join(sorted(extra))}; allowed: columns, rows, locale, primary_key"
            )
        self.columns = {
            c: ColumnSpec(c, s, name) for c, s in zip(key_names(cols, f"table {name!r}: column"), cols.values())
        }
        self.primary_key = spec.get("primary_key")
        if self.primary_key is not None and not isinstance(self.primary_key, str):
            raise SchemaError(
                f"table {name!r}: primary_key must be the name of one column, got {show(self.primary_key)}"
            )
        if self.primary_key is not None and self.primary_key not in self.columns:
            raise SchemaError(f"table {name!r}: primary_key {self.primary_key!r} is not one of its columns")
        for c in self.columns.values():
            for d in c.depends_on:
                if d not in self.columns:
                    raise SchemaError(f"{c.where}: refers to column {d!r}, which the table does not have")
        self.order = self._order()

    def _order(self) -> list[str]:
        """Columns in dependency order; a SchemaError names a cycle of derived columns."""
        return topological_order(
            self.columns, lambda c: self.columns[c].depends_on, f"table {self.name!r}: derived columns"
        )

    @property
    def parents(self) -> list[str]:
        return sorted({c.foreign_key.split(".")[0] for c in self.columns.values() if c.foreign_key})


class Schema:
    """Parsed and validated schema of one or more fake tables."""

    def __init__(self, tables: dict[str, TableSpec]):
        self.tables = tables
        for t in tables.values():
            for c in t.columns.values():
                if c.foreign_key:
                    pt, pc_ = c.foreign_key.split(".")
                    if pt not in tables:
                        raise SchemaError(f"{c.where}: foreign_key names table {pt!r}, which the schema does not have")
                    if pc_ not in tables[pt].columns:
                        raise SchemaError(
                            f"{c.where}: foreign_key names column {pc_!r}, which table {pt!r} does not have"
                        )
        self.order = self._table_order()

    def _table_order(self) -> list[str]:
        return topological_order(self.tables, lambda t: [p for p in self.tables[t].parents if p != t], "foreign keys")

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_any(cls, schema) -> "Schema":
        if isinstance(schema, Schema):
            return schema
        if isinstance(schema, (str, Path)):
            return cls.from_file(schema)
        if not isinstance(schema, dict):
            raise SchemaError(f"a schema is a dict or a JSON/YAML file, got {type(schema).__name__}")
        return cls.from_dict(schema)

    @classmethod
    def from_dict(cls, d: dict) -> "Schema":
        if not d:
            raise SchemaError("the schema is empty")
        if "tables" in d:
            if not isinstance(d["tables"], dict) or not d["tables"]:
                raise SchemaError("'tables' must be a non-empty mapping {table_name: table}")
            return cls({k: TableSpec(k, v) for k, v in zip(key_names(d["tables"], "table"), d["tables"].values())})
        if "columns" in d:
            name = d.get("name", "table")
            if not isinstance(name, str):
                raise SchemaError(f"the schema's 'name' must be a table name (text), got {show(name)}")
            spec = {k: v for k, v in d.items() if k != "name"}
            return cls({name: TableSpec(name, spec)})
        return cls({"table": TableSpec("table", {"columns": d})})

    @classmethod
    def from_file(cls, path) -> "Schema":
        path = Path(path)
        if not path.is_file():
            raise SchemaError(f"schema file {str(path)!r} does not exist")
        from ..io.safe_load import load_json_text, load_yaml_text

        if path.suffix.lower() in (".yaml", ".yml"):
            d = load_yaml_text(path.read_bytes(), f"schema file {str(path)!r}", SchemaError)
        elif path.suffix.lower() == ".json":
            d = load_json_text(path.read_bytes(), f"schema file {str(path)!r}", SchemaError)
        else:
            raise SchemaError(f"schema file {str(path)!r}: use a .json, .yaml or .yml file")
        if not isinstance(d, dict):
            raise SchemaError(f"schema file {str(path)!r} must hold a mapping")
        return cls.from_dict(d)

    # ------------------------------------------------------------------ generation
    def rows_for(self, table: str, n: int | None) -> int:
        t = self.tables[table]
        rows = t.rows if t.rows is not None else (n if n is not None else DEFAULT_ROWS)
        if len(self.tables) == 1 and n is not None:
            rows = n
        if not is_int(rows) or rows < 0:
            raise SchemaError(f"the number of rows must be a non-negative integer, got {rows!r}")
        return int(rows)

    def iter_tables(self, seed=None, n: int | None = None, locale=None, chunk_size: int = 100_000):
        """Yield ``(table_name, chunk iterator)`` in foreign-key order; chunks are DataFrames."""
        for tname in self.order:  # before any table is made: a run fails whole, not half-written
            for c in self.tables[tname].columns.values():
                if c.provider in ("sequence", "id"):
                    check_sequence_rows(c.start, c.step, self.rows_for(tname, n), c.where)
        ss = as_seed_sequence(seed)
        children = ss.spawn(len(self.order))
        keys: dict[str, dict[str, pd.Series]] = {}
        for tname, child in zip(self.order, children):
            yield tname, self._iter_chunks(tname, child, self.rows_for(tname, n), locale, chunk_size, keys)

    def _iter_chunks(self, tname, ss, rows, locale, chunk_size, keys):
        from .core import Fake

        t = self.tables[tname]
        if chunk_size < 1:
            raise SchemaError(f"chunk_size must be positive, got {chunk_size}")
        needed = {
            fk.split(".")[1]
            for tt in self.tables.values()
            for c in tt.columns.values()
            if (fk := c.foreign_key) and fk.split(".")[0] == tname
        }
        if t.primary_key:
            needed.add(t.primary_key)
        seen = {c: set() for c, spec in t.columns.items() if spec.unique or c == t.primary_key}
        kept = {c: [] for c in needed}
        n_chunks = max(1, -(-rows // chunk_size))
        for b, chunk_ss in enumerate(iter_spawn(ss, n_chunks)):  # lazily: no list as long as the run
            start = b * chunk_size
            m = min(chunk_size, rows - start)
            if m < 0:
                break
            col_seeds = chunk_ss.spawn(len(t.columns))
            seeds = dict(zip(t.columns, col_seeds))
            data: dict[str, pd.Series] = {}
            for cname in t.order:
                spec = t.columns[cname]
                fake = Fake(locale=spec.locale or t.locale or locale or "en_US", seed=seeds[cname])
                data[cname] = self._column(fake, spec, m, start, data, keys)
                if cname in seen and spec.provider not in ("sequence", "id"):
                    data[cname] = _unique_across_chunks(
                        data[cname],
                        seen[cname],
                        lambda rows, f=fake, s=spec: self._column(
                            f, s, len(rows), start, data, keys, plain=True, rows=rows
                        ),
                        spec,
                    )
            df = pd.DataFrame({c: data[c].reset_index(drop=True) for c in t.columns})
            for c in kept:
                kept[c].append(df[c])
            yield df
        for c, parts in kept.items():
            keys.setdefault(tname, {})[c] = (
                pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)
            )

    def _column(
        self, fake, spec: ColumnSpec, m: int, start: int, data: dict, keys: dict, plain: bool = False, rows=None
    ) -> pd.Series:
        """``m`` values of one column; ``rows`` (positions in the chunk) re-makes only those rows,
        with the columns it derives from cut to the same rows."""
        rng = fake.rng
        if rows is not None:
            data = {c: data[c].iloc[rows].reset_index(drop=True) for c in spec.depends_on}
        if spec.foreign_key:
            pt, pcol = spec.foreign_key.split(".")
            parent = keys.get(pt, {}).get(pcol)
            if parent is None or len(parent) == 0:
                raise SchemaError(f"{spec.where}: parent table {pt!r} has no rows to reference")
            parent = parent.dropna().reset_index(drop=True)
            out = parent.iloc[rng.integers(0, len(parent), m)].reset_index(drop=True)
        elif spec.template is not None:
            out = _render_template(spec.template_parts, data, m)
        elif spec.provider in ("sequence", "id"):
            pos = np.arange(m, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
            out = pd.Series(spec.start + spec.step * (start + pos))
        else:
            try:
                fn = fake.method(spec.provider)
            except ParameterError as e:
                raise SchemaError(f"{spec.where}: {e}") from None
            opts = dict(spec.options)
            if spec.source is not None:
                opts[_FROM_ARGS[spec.provider]] = data[spec.source]
            try:
                out = fn(m, unique=spec.unique and not plain, **opts)
            except TypeError as e:
                raise SchemaError(f"{spec.where}: bad option for provider {spec.provider!r}: {e}") from None
            except ParameterError as e:
                raise SchemaError(f"{spec.where}: {e}") from None
        return with_nulls(out, spec.nulls, rng)

    def generate(self, fake=None, n: int | None = None, seed=None, locale=None):
        """All tables in memory: a DataFrame for a one-table schema, else ``{name: DataFrame}``."""
        if fake is not None:
            seed = fake.rng
            locale = locale or fake.locale
        out = {}
        for tname, chunks in self.iter_tables(seed=seed, n=n, locale=locale, chunk_size=10**9):
            parts = list(chunks)
            out[tname] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        if len(self.tables) == 1:
            return next(iter(out.values()))
        return {k: out[k] for k in self.tables}


def with_nulls(out: pd.Series, share: float, rng) -> pd.Series:
    """``out`` with about ``share`` of its values missing, drawn with ``rng`` (one draw per row when
    ``share > 0``); integers and booleans become nullable (Int64, UInt64, boolean) when a value is."""
    m = len(out)
    if share > 0 and m:
        mask = rng.random(m) < share
        if mask.any():
            out = out.copy()
            if out.dtype.kind in "iub":
                out = out.astype({"i": "Int64", "u": "UInt64", "b": "boolean"}[out.dtype.kind])
            out[mask] = None
    return out.reset_index(drop=True)


def template_parts(template: str, where: str) -> list:
    """``template`` as literal texts and ``(field,)`` tuples: ``{name}`` or ``{name:lower}`` is a
    column, ``{{`` and ``}}`` are literal braces; any other brace is a SchemaError (never written as is)."""
    parts, pos = [], 0
    for match in _TEMPLATE_TOKEN.finditer(template):
        if match.start() > pos:
            parts.append(template[pos : match.start()])
        token = match.group()
        if match.group(1) is not None:
            parts.append((match.group(1),))
        elif token in ("{{", "}}"):
            parts.append(token[0])
        else:
            raise SchemaError(
                f"{where}: template {template!r} has an unmatched {token!r} at position {match.start()}; "
                f"put a column name in braces, as {{name}}, and write {{{{ or }}}} for a brace as text"
            )
        pos = match.end()
    if pos < len(template):
        parts.append(template[pos:])
    return parts


def key_names(mapping: dict, what: str) -> list[str]:
    """The keys of a schema mapping as table or column names (text), in order.

    A YAML ``1:`` names column ``"1"``; a key YAML reads as true/false (``true``, ``yes``, ``on``) or
    null (``~``, ``null``) is refused (quote it), and two keys giving one name (``1`` and ``"1"``)
    are a SchemaError naming both, never one silently kept.
    """
    names: dict[str, object] = {}
    for k in mapping:
        if isinstance(k, bool) or k is None:
            raise SchemaError(
                f'{what} key {k!r}: YAML reads an unquoted {"true/false, yes/no or on/off" if k is not None else "null or ~"} as {k!r}, not as a name; quote it, e.g. "on":'
            )
        name = k if isinstance(k, str) else str(k)
        if name in names:
            raise SchemaError(
                f"{what} keys {names[name]!r} and {k!r} both give the name {name!r}; give each {what.split(': ')[-1]} once"
            )
        names[name] = k
    return list(names)


def _render_template(template_parts: list, data: dict, m: int) -> pd.Series:
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for part in template_parts:
        if isinstance(part, str):
            if parts and isinstance(parts[-1], str):
                parts[-1] += part
            else:
                parts.append(part)
            continue
        arr = pa.array(
            data[part[0].split(":")[0]].astype("string[pyarrow]").fillna(""), type=pa.string(), from_pandas=True
        )
        if part[0].endswith(":lower"):
            arr = pc.utf8_lower(arr)
        parts.append(arr)
    arrays = [p for p in parts if not isinstance(p, str)]
    if not arrays:
        return pd.Series(["".join(parts)] * m, dtype="string[pyarrow]")
    res = pc.binary_join_element_wise(*parts, "")
    return pd.Series(pd.arrays.ArrowStringArray(res))


def _unique_across_chunks(values: pd.Series, seen: set, regenerate, spec) -> pd.Series:
    values = values.copy()
    for _ in range(50):
        dup = values.isin(seen).to_numpy() | values.duplicated().to_numpy()
        dup &= values.notna().to_numpy()
        if not dup.any():
            seen.update(values.dropna().tolist())
            return values
        values[dup] = regenerate(np.flatnonzero(dup)).to_numpy()
    raise SchemaError(
        f"{spec.where}: cannot make more distinct values (about {len(seen):,} made); ask for fewer rows or drop unique"
    )
