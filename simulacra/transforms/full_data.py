"""A transformer fitted on a sample, corrected with statistics of the full data (out-of-core fitting).

``simulacra.synthesizers.out_of_core`` fits the transforms on a bounded sample of a table larger
than memory, then gives them what the sample cannot know exactly, counted over every row:

- :func:`use_full_counts`: each categorical / boolean column's categories and frequencies, and each
  other column's share of missing values;
- :func:`use_full_range`: each numerical / datetime output's [min, max] (for columns a constraint
  reshaped, whose extremes the sample may miss);
- :func:`known_category_mask`: which rows of a partition have only values the transforms know (a
  column not corrected with full counts may meet a category the sample did not hold);
- :func:`numeric_columns`: the columns whose outputs are not encoded categories, and where their
  outputs sit in the encoded matrix.

The models never see the transforms; they call these functions with the transformer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..utils.values import to_jsonable

__all__ = ["known_category_mask", "numeric_columns", "use_full_counts", "use_full_range"]


def use_full_counts(transformer, rows: int, nulls: dict, categories: dict, skip=()) -> set:
    """Give the transforms of columns not in ``skip`` the full data's frequencies; returns the categorical
    columns whose categories are now the full data's.

    Parameters
    ----------
    transformer : TableTransformer
        Fitted (on a sample holding every category of the full data, and its missing values).
    rows : int
        Rows of the full data.
    nulls : dict
        ``{column: missing values}`` over the full data.
    categories : dict
        ``{column: pandas.Series of counts indexed by value}`` of the categorical columns.
    skip : set
        Columns left as the sample made them (those a constraint reads or reshapes).
    """
    done = set()
    for t in transformer.transforms:
        c = t.column
        if c in skip or c not in nulls:
            continue
        n_null = int(nulls[c])
        if hasattr(t, "categories") and c in categories:
            counts = categories[c]
            keys = [to_jsonable(k) for k in counts.index]
            # the order CategoricalTransform.fit makes: most frequent first, ties by the value as text
            order = sorted(range(len(keys)), key=lambda i: (-int(counts.iloc[i]), str(keys[i])))
            cats, freq = [keys[i] for i in order], [int(counts.iloc[i]) for i in order]
            if n_null:
                cats.append(None)
                freq.append(n_null)
            if set(map(repr, t.categories)) <= set(map(repr, cats)) and bool(n_null) == t.has_missing:
                t.categories, t.probabilities = cats, np.asarray(freq, dtype=float) / rows
                done.add(c)
        elif hasattr(t, "null_rate") and (t.null_rate > 0) == (n_null > 0):
            t.null_rate = float(n_null / rows)
    return done


def use_full_range(transformer, low: list, high: list, null_share: list) -> None:
    """Widen each numerical / datetime transform's [min, max] to the full data's, per output of the encoded
    matrix (``low[j]`` / ``high[j]``: NaN or None when unknown), and set its share of missing values
    (``null_share[j]`` of its null-flag output ``j``, None when unknown)."""
    j = 0
    for t in transformer.transforms:
        k = len(t.output_names)
        lo, hi = (low[j], high[j]) if k else (None, None)
        if lo is not None and hi is not None and np.isfinite(lo) and np.isfinite(hi) and hasattr(t, "min"):
            if getattr(t, "offset", None) is None:  # an offset column's bounds are exact integers already
                t.min, t.max = min(float(t.min), float(lo)), max(float(t.max), float(hi))
        if k == 2 and hasattr(t, "null_rate") and null_share[j + 1] is not None:
            t.null_rate = float(null_share[j + 1])
        j += k


def known_category_mask(transformer, df: pd.DataFrame, columns) -> np.ndarray:
    """Rows of ``df`` whose values of the categorical ``columns`` the transforms know (missing ones too when learned)."""
    keep = np.ones(len(df), dtype=bool)
    wanted = set(columns)
    for t in transformer.transforms:
        if t.column not in wanted or not hasattr(t, "categories"):
            continue
        known = pd.Index([v for v in t.categories if v is not None])
        s = df[t.column]
        keep &= s.isin(known).to_numpy() | (s.isna().to_numpy() & bool(t.has_missing))
    return keep


def numeric_columns(transformer) -> tuple[list, list]:
    """``(columns, outputs)``: the learned columns without an encoded category, and the positions of their
    outputs in the full encoded matrix (``transformer.transform(df, columns)`` gives those outputs)."""
    columns, outputs, j = [], [], 0
    for t in transformer.transforms:
        k = len(t.output_names)
        if k and not any(s.is_category for s in t.output_specs()):
            columns.append(t.column)
            outputs.extend(range(j, j + k))
        j += k
    return columns, outputs
