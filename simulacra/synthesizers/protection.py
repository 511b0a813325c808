"""Protection of PII-adjacent columns before a synthesizer learns them (``protect_rare=True``, the default).

A value that few real people share points at them: the one 97-year-old, the only employee of a
small company, the town with three residents. For *PII-adjacent* columns, the ones whose values
identify people without being PII themselves, the rows are changed before learning (never the
user's table, and never columns the synthesizer does not learn):

- **rare categories pooled**: a category found in fewer than ``RARE_COUNT`` real rows is replaced
  by a frequent category of the same column, drawn by the frequent ones' frequencies (seeded), as
  mostlyai's rare-category protection does; the model never learns, so never samples, a rare value;
- **extremes clipped**: numbers and dates below the ``k``-th smallest or above the ``k``-th largest
  real value (``k = max(RARE_COUNT, 0.1% of the rows)``) become those values.

PII-adjacent columns are learned columns of a PII sdtype (``city``, ``country``, ``postcode``...
declared with ``pii=False``), categorical columns whose names say they place or describe a person
(:data:`QUASI_WORDS`: ``zip``, ``city``, ``nationality``, ``occupation``...), and numerical or
datetime columns whose names say they measure one (:data:`MEASURE_WORDS`: ``age``, ``income``,
``salary``, ``birth``...). ``protection_info()`` says what was done, per column; it is kept in
``get_info()["privacy_check"]["protection"]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import tagged_generator
from ..metadata.names import name_words
from ..metadata.sdtypes import PII_SDTYPES, is_pii

#: a category in fewer real rows than this is rare (and the k of the clipped extremes, at least)
RARE_COUNT = 5
#: share of the rows beyond each clipped extreme on big tables
EXTREME_SHARE = 0.001
#: words of categorical column names that place or describe a person (quasi-identifiers)
QUASI_WORDS = frozenset(
    "zip zipcode postcode postal city town village county district municipality region country nationality "
    "citizenship birthplace ethnicity ethnic race religion occupation job profession employer company "
    "workplace school university department title marital language".split()
)
#: words of numerical or datetime column names that measure a person
MEASURE_WORDS = frozenset(
    "age income salary wage wages earnings pay bonus wealth networth savings balance debt height weight bmi "
    "birth birthday birthdate dob born children dependents".split()
)


def adjacent_columns(metadata_columns: dict, learned: list) -> dict:
    """``{column: "pool" | "clip"}`` of the PII-adjacent columns among ``learned`` (see the module docstring)."""
    out = {}
    for c in learned:
        m = metadata_columns.get(c, {})
        sd = m.get("sdtype")
        words = set(name_words(c))
        if sd in PII_SDTYPES and not is_pii(sd, m):
            out[c] = "pool"
        elif sd in ("categorical", "ordinal") and words & QUASI_WORDS:
            out[c] = "pool"
        elif sd in ("numerical", "datetime") and words & MEASURE_WORDS:
            out[c] = "clip"
    return out


def protect(df: pd.DataFrame, columns: dict, seed) -> tuple[pd.DataFrame, dict]:
    """``df`` with the columns' rare categories pooled and extremes clipped, and what was done per column.

    ``df`` is not changed (a copy is made when a column changes). A column whose values are all
    rare is left alone, with a note: it should be PII (faked), not learned.
    """
    rng = tagged_generator(seed, 0x50524F54)  # "PROT"
    info, out = {}, df
    for c, how in columns.items():
        if c not in df.columns:
            continue
        s = df[c]
        if how == "pool":
            counts = s.value_counts(dropna=True)
            rare = counts.index[counts.to_numpy() < RARE_COUNT]
            if not len(rare):
                continue
            common = counts[counts.to_numpy() >= RARE_COUNT]
            if not len(common):
                info[c] = {
                    "action": "none",
                    "note": f"every value is in fewer than {RARE_COUNT} rows: declare it a PII sdtype to have it faked",
                }
                continue
            hit = s.isin(rare).to_numpy()
            new = rng.choice(common.index.to_numpy(dtype=object), int(hit.sum()), p=common.to_numpy() / common.sum())
            col = s.astype(object).copy()
            col[hit] = new
            out = out.copy() if out is df else out
            out[c] = col.astype(s.dtype) if s.dtype != object else col
            info[c] = {"action": "pooled rare categories", "categories": int(len(rare)), "rows": int(hit.sum())}
        else:
            if s.dtype.kind not in "iufmM":  # numbers or dates stored as text: the transforms read them as they are
                continue
            v = s
            present = v.dropna()
            k = max(RARE_COUNT, int(np.ceil(EXTREME_SHARE * len(present))))
            if len(present) < 4 * k:
                continue
            ordered = present.sort_values(kind="stable")
            lo, hi = ordered.iloc[k - 1], ordered.iloc[-k]
            low = v.lt(lo).to_numpy(dtype=bool, na_value=False)
            high = v.gt(hi).to_numpy(dtype=bool, na_value=False)
            if not (low.any() or high.any()):
                continue
            out = out.copy() if out is df else out
            out[c] = s.mask(low, lo).mask(high, hi)
            info[c] = {
                "action": "clipped extremes",
                "low": str(lo),
                "high": str(hi),
                "rows": int(low.sum() + high.sum()),
            }
    return out, info
