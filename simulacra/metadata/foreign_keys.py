"""Foreign keys found from the data: key-naming conventions and value containment.

SDV's ``column_name_match`` (a child column named as a parent's primary key, in
:func:`~simulacra.metadata.relationships.detect_relationships`) misses ``flights.origin ->
airports.faa``. :func:`detect_foreign_keys` also relates a child column to a parent's single-column
primary key when

* its name follows a key convention for the parent: ``<table>_id``, ``<table>Id``, ``<Table>ID``,
  ``<table>_key``/``_code``/``_fk``, ``<table>_<pk>``, the singular or plural of the table's name, or the
  primary key's own name; and every non-missing value of the column is a value of the key; or
* it has no such name but holds text (sdtype 'id', 'categorical' or the key's PII sdtype) whose
  distinct values, at least two of them, all lie in exactly one parent's text key.

A numeric column needs a name hint (small integers 1..12 lie in any integer id 1..1000). A table is
its own parent only through an explicit name (``manager_id``, ``parent_id``, ``reports_to``, ...). A
relationship that would close a cycle between tables is never detected. The foreign key column takes
the parent key's sdtype. Everything works on each column's distinct values (``pd.unique``).
"""

from __future__ import annotations

import re

import pandas as pd

from ..errors import MetadataError
from .relationships import RELATIONSHIP_KEYS, check_relationship, check_with_others, find_cycle

#: sdtypes a text column related by its values alone may have (besides the parent key's own sdtype)
_VALUE_ONLY_SDTYPES = ("id", "categorical")
#: sdtypes a column related by its name may have (besides the parent key's own sdtype)
_NAMED_SDTYPES = ("id", "categorical", "numerical", "text")
#: suffixes a foreign key name puts after its parent's name
_SUFFIXES = ("id", "ids", "key", "fk", "code", "ref", "no", "num", "number")
#: words that name a row of the same table (a self-reference)
_SELF_WORDS = (
    "parent",
    "manager",
    "boss",
    "supervisor",
    "reportsto",
    "referredby",
    "referrer",
    "mentor",
    "spouse",
    "partner",
    "predecessor",
    "successor",
    "previous",
    "prev",
    "next",
    "replaces",
    "replacedby",
    "duplicateof",
    "root",
    "head",
    "lead",
    "leader",
)
#: score of each kind of hint; higher wins when a column could refer to several parents
_EXACT, _CONVENTION, _STEM, _VALUES = 4, 3, 2, 1


def _norm(name) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _stems(table: str) -> set[str]:
    """The table's name, its singular and its plural, normalized (``people``/``person`` too)."""
    t = _norm(table)
    out = {t}
    if t.endswith("ies") and len(t) > 3:
        out.add(t[:-3] + "y")
    elif t.endswith(("ses", "xes", "zes", "ches", "shes")):
        out.add(t[:-2])
    elif t.endswith("s") and not t.endswith("ss"):
        out.add(t[:-1])
    if t.endswith("y") and len(t) > 1:
        out.add(t[:-1] + "ies")
    out.add(t + "s")
    out.update({"person", "people"} if t in ("person", "people") else ())
    return {s for s in out if len(s) >= 2}


def name_hint(column: str, parent: str, pk: str, self_reference: bool) -> int:
    """How strongly a column's name says it refers to ``parent``'s primary key ``pk`` (0: not at all)."""
    c, k = _norm(column), _norm(pk)
    if self_reference:
        if c == k:
            return 0
        stripped = re.sub(r"(id|key|fk|ref|no)$", "", c)
        if stripped in _SELF_WORDS or c in _SELF_WORDS:
            return _CONVENTION
        if any(c.startswith(w) and c.endswith(k) for w in _SELF_WORDS):
            return _CONVENTION
        return 0
    if c == k:
        return _EXACT
    stems = _stems(parent)
    if any(c == s + suffix for s in stems for suffix in _SUFFIXES) or any(c == s + k for s in stems):
        return _CONVENTION
    if c in stems:
        return _STEM
    # e.g. 'home_team_id' -> teams.id, 'origin_airport_id' -> airports.airport_id
    if any(c.endswith(s + suffix) for s in stems for suffix in ("id", "key")):
        return _STEM
    return 0


def _kind(s: pd.Series) -> str | None:
    if pd.api.types.is_bool_dtype(s.dtype):
        return None
    if pd.api.types.is_numeric_dtype(s.dtype):
        return "number"
    if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        return "text"
    return None


def _integral(values: pd.Index) -> bool:
    """True when numeric values are whole numbers (an id stored as float because of missing values)."""
    arr = values.to_numpy(dtype=float, na_value=float("nan"))
    return bool(((arr % 1) == 0).all())


class _Parent:
    """A table that can be a parent: its single-column primary key and that key's distinct values."""

    def __init__(self, name: str, table: dict, df: pd.DataFrame):
        self.name = name
        self.pk = table["primary_key"]
        self.meta = table["columns"][self.pk]
        col = df[self.pk]
        self.kind = _kind(col)
        self.values = pd.Index(pd.unique(col.dropna()))


def _candidates(tables: dict, data: dict, parents: list) -> list[tuple]:
    """(score, child, column, parent) for every column that could be a foreign key, best first."""
    found = []
    order = {t: i for i, t in enumerate(tables)}
    for child, ctable in tables.items():
        df = data.get(child)
        if df is None:
            continue
        own = ctable.get("primary_key")
        own = {own} if isinstance(own, str) else set(own or ())
        for pos, (col, meta) in enumerate(ctable["columns"].items()):
            if col in own or col not in df.columns:
                continue
            s = df[col]
            kind = _kind(s)
            if kind is None:
                continue
            values = None
            best = []
            for par in parents:
                if par.kind != kind or len(par.values) < 2:
                    continue
                score = name_hint(col, par.name, par.pk, par.name == child)
                sdtype_ok = meta["sdtype"] == par.meta["sdtype"] or meta["sdtype"] in (
                    _NAMED_SDTYPES if score else _VALUE_ONLY_SDTYPES
                )
                if not sdtype_ok or (not score and (kind == "number" or par.name == child)):
                    continue
                if values is None:
                    values = pd.Index(pd.unique(s.dropna()))
                    if len(values) == 0 or (kind == "number" and not _integral(values)):
                        break
                if not score and len(values) < 2:
                    continue
                if values.isin(par.values).all():
                    best.append((score or _VALUES, par))
            if not best:
                continue
            top = max(b[0] for b in best)
            winners = [p for sc, p in best if sc == top]
            if len(winners) == 1:  # two parents that fit as well: ambiguous, left to the user
                found.append((top, order[child], pos, child, col, winners[0]))
    found.sort(key=lambda f: (-f[0], f[1], f[2]))
    return [(f[0], f[3], f[4], f[5]) for f in found]


def values_overlap(rel: dict, data: dict, share: float = 0.5) -> bool:
    """True when at least ``share`` of the foreign key's distinct values are keys of the parent.

    The test of SDV's name rule on data: a column named as a parent's key whose values are mostly
    not its keys (``items.code`` 'K0001' vs ``codes.code`` 'AA') is no foreign key; some orphans are
    allowed (real databases have them; the synthesizer reports and handles them at fit).
    """
    p, c, pk, fk = (rel[k] for k in RELATIONSHIP_KEYS)
    if p not in data or c not in data or pk not in data[p].columns or fk not in data[c].columns:
        return True
    child, parent = data[c][fk], data[p][pk]
    if _kind(child) != _kind(parent):
        return False
    values = pd.Index(pd.unique(child.dropna()))
    if len(values) == 0:
        return True
    return bool(values.isin(pd.unique(parent.dropna())).mean() >= share)


def detect_foreign_keys(tables: dict, relationships: list, data: dict) -> list[dict]:
    """Relationships found from names and values (see the module's docstring), added to ``relationships``.

    Parameters
    ----------
    tables : dict
        ``{table_name: table metadata}``; a foreign key column's metadata becomes its parent key's sdtype.
    relationships : list
        The relationships already there (kept; a column already a foreign key is not related again).
    data : dict
        ``{table_name: DataFrame}``.

    Returns
    -------
    list of dict
        The new relationships.
    """
    parents = [
        _Parent(name, t, data[name])
        for name, t in tables.items()
        if isinstance(t.get("primary_key"), str) and name in data and t["primary_key"] in data[name].columns
    ]
    taken = {
        (r["child_table_name"], r["child_foreign_key"])
        for r in relationships
        if isinstance(r["child_foreign_key"], str)
    }
    found = []
    for _, child, col, par in _candidates(tables, data, parents):
        if (child, col) in taken:
            continue
        rel = dict(zip(RELATIONSHIP_KEYS, (par.name, child, par.pk, col)))
        cols = tables[child]["columns"]
        old = cols[col]
        cols[col] = {k: v for k, v in par.meta.items() if k in ("sdtype", "pii")}
        try:
            check_relationship(tables, rel)
            check_with_others(rel, relationships)
            if find_cycle(relationships + [rel]):
                raise MetadataError("cycle")
        except MetadataError:
            cols[col] = old
            continue
        relationships.append(rel)
        found.append(rel)
        taken.add((child, col))
    return found
