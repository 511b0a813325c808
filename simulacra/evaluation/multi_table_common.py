"""What the multi-table reports share: checked inputs, per-table metadata, key codes, cardinalities, joins.

A multi-table evaluation takes ``real`` and ``synthetic`` as dicts of table name -> DataFrame and
multi-table metadata (a simulacra :class:`~simulacra.metadata.Metadata` or an SDV-style dict with
``tables`` and ``relationships``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidDataError, MetadataError
from .views import CONTINUOUS, DISCRETE


def metadata_dict(metadata) -> dict:
    """Multi-table metadata as a dict with ``tables`` and ``relationships``."""
    from ..metadata import Metadata

    if isinstance(metadata, Metadata):
        d = metadata.to_dict()
    elif isinstance(metadata, dict):
        d = metadata
    elif hasattr(metadata, "to_dict"):
        d = metadata.to_dict()
    else:
        raise MetadataError(
            f"metadata must be a simulacra Metadata or an SDV-style multi-table dict, got {type(metadata).__name__}"
        )
    if not isinstance(d.get("tables"), dict) or not d["tables"]:
        raise MetadataError(
            "multi-table evaluation needs metadata with a 'tables' entry (table name -> columns); "
            "detect it with Metadata.detect_from_dataframes({name: df, ...})"
        )
    return {"tables": d["tables"], "relationships": list(d.get("relationships") or [])}


def check_tables(real, synthetic, meta: dict) -> tuple[dict, dict]:
    """The two dicts of tables, checked against the metadata (every table there, a DataFrame with rows and the metadata's columns)."""
    for label, tables in (("real_data", real), ("synthetic_data", synthetic)):
        if not isinstance(tables, dict):
            raise InvalidDataError(
                f"{label} must be a dict of table name -> pandas DataFrame for multi-table metadata, got {type(tables).__name__}"
            )
    out = []
    for label, tables in (("real data", real), ("synthetic data", synthetic)):
        checked = {}
        for name, tmeta in meta["tables"].items():
            if name not in tables:
                raise InvalidDataError(
                    f"the {label} has no table {name!r} (the metadata names it); pass every table of the metadata"
                )
            df = tables[name]
            if not isinstance(df, pd.DataFrame):
                raise InvalidDataError(
                    f"table {name!r} of the {label} must be a pandas DataFrame, got {type(df).__name__}"
                )
            if len(df) == 0:
                raise InvalidDataError(f"table {name!r} of the {label} has no rows")
            if not all(isinstance(c, str) for c in df.columns):
                df = df.rename(columns=str)
            missing = [c for c in tmeta.get("columns", {}) if c not in df.columns]
            if missing:
                raise MetadataError(
                    f"the metadata names column(s) {', '.join(map(repr, missing))} of table {name!r} that the {label} does not have"
                )
            checked[name] = df
        out.append(checked)
    for rel in meta["relationships"]:
        for key, table in (("parent_primary_key", "parent_table_name"), ("child_foreign_key", "child_table_name")):
            name = rel[table]
            if name not in meta["tables"]:
                raise MetadataError(
                    f"relationship {rel_label(rel)} names table {name!r}, which the metadata does not have"
                )
            for col in as_list(rel[key]):
                if col not in out[0][name].columns or col not in out[1][name].columns:
                    raise MetadataError(
                        f"relationship {rel_label(rel)} names column {col!r}, which table {name!r} does not have"
                    )
    return out[0], out[1]


def as_list(key) -> list:
    return list(key) if isinstance(key, (list, tuple)) else [key]


def rel_label(rel: dict) -> str:
    """``child (fk) -> parent`` as the reports name a relationship."""
    fk = ", ".join(map(str, as_list(rel["child_foreign_key"])))
    return f"{rel['child_table_name']} ({fk}) -> {rel['parent_table_name']}"


def fk_text(rel: dict) -> str:
    """The foreign key as SDMetrics writes it in details (``str`` of the metadata value)."""
    return str(rel["child_foreign_key"])


def table_meta(meta: dict, name: str) -> dict:
    """One table's metadata as a single-table dict (columns, primary key)."""
    t = meta["tables"][name]
    return {"columns": t.get("columns", {}), "primary_key": t.get("primary_key")}


def scored_columns(tmeta: dict) -> list[str]:
    return [c for c, m in tmeta.get("columns", {}).items() if m.get("sdtype") in CONTINUOUS + DISCRETE]


def key_codes(parent: pd.DataFrame, pk: list, child: pd.DataFrame, fk: list) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the parent keys and of the child's foreign keys in one code book (-1: a missing key part)."""
    n = len(parent)
    if len(pk) == 1:
        # 1 and 1.0 are one key (an integer key column read as floats because of missing values)
        codes = pd.factorize(pd.concat([parent[pk[0]], child[fk[0]]], ignore_index=True))[0]
    else:
        frame = pd.concat(
            [parent[pk].set_axis(range(len(pk)), axis=1), child[fk].set_axis(range(len(pk)), axis=1)],
            ignore_index=True,
        )
        codes = frame.groupby(list(range(len(pk))), dropna=True, sort=False).ngroup().to_numpy()
        codes = np.where(frame.isna().any(axis=1).to_numpy(), -1, codes)
    return codes[:n].astype(np.int64), codes[n:].astype(np.int64)


def cardinality(parent: pd.DataFrame, pk: list, child: pd.DataFrame, fk: list) -> np.ndarray:
    """The number of child rows of each parent row (parents without children count 0), as SDMetrics' ``get_cardinality_distribution``."""
    pcodes, ccodes = key_codes(parent, pk, child, fk)
    size = int(max(pcodes.max(initial=-1), ccodes.max(initial=-1))) + 1
    counts = np.bincount(ccodes[ccodes >= 0], minlength=size)
    return np.where(pcodes >= 0, counts[np.maximum(pcodes, 0)], 0).astype(float)


def prefixes(rel: dict) -> tuple[str, str]:
    """(child, parent) column-name prefixes of the join (a self-reference's parent side gets ``table(parent).``)."""
    parent, child = rel["parent_table_name"], rel["child_table_name"]
    return f"{child}.", (f"{parent}(parent)." if parent == child else f"{parent}.")


def denormalize(tables: dict, rel: dict, columns: tuple[list, list] | None = None) -> pd.DataFrame:
    """The child rows joined to their parent rows (inner join on the key, as SDMetrics' Intertable Trends), columns named ``table.column``.

    ``columns`` (optional): (child, parent) columns to keep besides the keys.
    """
    parent, child = rel["parent_table_name"], rel["child_table_name"]
    pk, fk = as_list(rel["parent_primary_key"]), as_list(rel["child_foreign_key"])
    cp, pp = prefixes(rel)
    cdf, pdf = tables[child], tables[parent]
    if columns is not None:
        cdf = cdf[list(dict.fromkeys(fk + [c for c in columns[0] if c not in fk]))]
        pdf = pdf[list(dict.fromkeys(pk + [c for c in columns[1] if c not in pk]))]
    p, c = pdf.add_prefix(pp), cdf.add_prefix(cp)
    return c.merge(p, left_on=[cp + k for k in fk], right_on=[pp + k for k in pk])


def check_table_name(meta: dict, table_name) -> None:
    if table_name is not None and table_name not in meta["tables"]:
        raise InvalidDataError(f"unknown table {table_name!r}; choose one of {', '.join(map(repr, meta['tables']))}")
