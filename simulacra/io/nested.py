"""Nested values (lists, structs, maps) from Parquet become JSON text, one column each.

JSON files get the same treatment (``_flatten_nested`` in files.py): a synthesizer learns the
text as a category or id, and samples come back as JSON text.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd


def _plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="backslashreplace")
    return str(v)


def nested_parquet_columns(path) -> list[str]:
    """Names of the list, struct and map columns of a Parquet file (from its schema)."""
    import pyarrow.parquet as pq
    import pyarrow.types as pt

    schema = pq.read_schema(str(path))
    return [f.name for f in schema if pt.is_nested(f.type)]


def nested_to_json(df: pd.DataFrame, columns) -> pd.DataFrame:
    """The given object columns (lists/arrays/dicts) -> JSON text; missing values stay missing."""
    for c in columns:
        if c not in df.columns or df[c].dtype != object:
            continue
        s = df[c]
        keep = s.isna().to_numpy()
        text = s.map(lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True, default=_plain), na_action="ignore")
        df[c] = text.where(~keep, None).astype(object)
    return df
