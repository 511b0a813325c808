"""Model files of the sequential synthesizer: one file, the entity and step models nested under ``components``.

The manifest's state is ``{"components": {"entity": entry[, "steps": entry]}, "layout": {...},
"lengths": [count per length]}``; each entry is a single-table synthesizer's state, checked as a
model file of its own on load. The layout is checked against the metadata (every column it names,
each number's bounds, the index unit) before anything is rebuilt: a crafted file is a
ModelFileError, never a traceback.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ModelFileError
from ..synthesizers.persistence import components_from_state, load_composite, to_state
from ..utils.validation import is_int, is_number
from .frames import DATETIME_UNITS, NUMBER_UNITS, Layout

SYNTHESIZER_NAME = "sequential"
STATE_KEYS = {"components", "layout", "lengths"}
LAYOUT_KEYS = {
    "key",
    "index",
    "context",
    "steps",
    "numbers",
    "dtypes",
    "order",
    "index_kind",
    "index_format",
    "index_parse",
    "unit",
    "gap",
    "min_gap",
}
NUMBER_KEYS = {"log", "levels", "min", "max", "decimals", "missing"}
#: the longest sequence a model file may declare
MAX_LENGTH = 10**6


def save(synth, filepath, key=None):
    from ..io.modelfile import save_model

    components = {"entity": to_state(synth._entity)}
    if synth._steps is not None:
        components["steps"] = to_state(synth._steps)
    state = {
        "components": components,
        "layout": synth._layout.to_dict(),
        "lengths": [int(x) for x in synth._lengths],
    }
    return save_model(filepath, SYNTHESIZER_NAME, synth.get_parameters(), synth.metadata.to_dict(), state, key=key)


def load(cls, filepath, key=None):
    where = repr(str(filepath))
    wrong = "this file holds a {found!r} model, not a sequential one; load it with its own class"
    manifest, metadata = load_composite(filepath, key, SYNTHESIZER_NAME, wrong, STATE_KEYS, "sequential")
    state = manifest["state"]
    params = manifest["parameters"]
    try:
        obj = cls(metadata, **params)
    except Exception as e:  # noqa: BLE001 - any bad parameter is a bad file
        raise ModelFileError(f"{where}: invalid parameters ({str(e)[:200]})") from None
    layout = check_layout(state["layout"], metadata, where)
    lengths = state["lengths"]
    if (
        not isinstance(lengths, list)
        or not 2 <= len(lengths) <= MAX_LENGTH + 1
        or not all(is_int(x) and x >= 0 for x in lengths)
        or sum(lengths) == 0
    ):
        raise ModelFileError(f"{where}: invalid lengths (counts of sequences per length)")
    comps = state["components"]
    if not isinstance(comps, dict) or set(comps) not in ({"entity"}, {"entity", "steps"}):
        raise ModelFileError(f"{where}: components must be 'entity' and, for sequences longer than 1, 'steps'")
    models = components_from_state(comps, where)
    entity, steps = models["entity"], models.get("steps")
    cols = metadata.get_columns()
    if list(entity.metadata.get_columns()) != list(layout.entity_columns(cols)):
        raise ModelFileError(f"{where}: the entity model does not learn the layout's columns; the file was edited")
    if (steps is None) != (len(lengths) <= 2):
        raise ModelFileError(f"{where}: a step model is needed exactly when some sequence is longer than one row")
    if steps is not None:
        step_cols, ctx = layout.step_columns(cols)
        if list(steps.metadata.get_columns()) != list(step_cols) or steps.context_columns != ctx:
            raise ModelFileError(f"{where}: the step model does not learn the layout's columns; the file was edited")
    obj._entity, obj._steps, obj._layout = entity, steps, layout
    obj._lengths = np.asarray(lengths, dtype=np.int64)
    obj.fitted_sequences = int(sum(lengths))
    obj.fitted_rows = int(sum(i * n for i, n in enumerate(lengths)))
    obj._fitted = True
    return obj


def _bad(where, what):
    return ModelFileError(f"{where}: invalid layout ({what}); the file was edited or damaged: fit and save again")


def check_layout(lay, metadata, where: str) -> Layout:
    """A Layout, or a ModelFileError unless ``lay`` is one fit could have made for ``metadata``."""
    if not isinstance(lay, dict) or set(lay) != LAYOUT_KEYS:
        raise _bad(where, "keys")
    cols = metadata.get_columns()
    if lay["key"] != metadata.get_sequence_key() or lay["index"] != metadata.get_sequence_index():
        raise _bad(where, "the sequence key and index must be the metadata's")
    if lay["order"] != list(cols):
        raise _bad(where, "columns")
    rest = [c for c in cols if c not in (lay["key"], lay["index"])]
    ctx, steps = lay["context"], lay["steps"]
    if not isinstance(ctx, list) or not isinstance(steps, list) or sorted(ctx + steps) != sorted(rest):
        raise _bad(where, "context and step columns must split the other columns")
    if [c for c in rest if c not in ctx] != steps:
        raise _bad(where, "step columns")
    nums = lay["numbers"]
    if not isinstance(nums, dict) or any(c not in steps or cols[c]["sdtype"] != "numerical" for c in nums):
        raise _bad(where, "numbers")
    for c, spec in nums.items():
        if not isinstance(spec, dict) or set(spec) != NUMBER_KEYS:
            raise _bad(where, f"number {c!r}")
        lo, hi, d = spec["min"], spec["max"], spec["decimals"]
        if not (is_number(lo) and is_number(hi) and math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
            raise _bad(where, f"number {c!r} bounds")
        flags = (spec["log"], spec["missing"], spec["levels"])
        if not all(isinstance(f, bool) for f in flags) or (spec["log"] and lo <= 0):
            raise _bad(where, f"number {c!r} scale")
        if d is not None and not (is_int(d) and 0 <= d <= 9):
            raise _bad(where, f"number {c!r} decimals")
    if not isinstance(lay["dtypes"], dict) or set(lay["dtypes"]) != set(cols):
        raise _bad(where, "dtypes")
    from ..utils.dtypes import check_value_dtype

    for c, name in lay["dtypes"].items():
        try:
            check_value_dtype(name, f"column {c!r} dtype")
        except Exception:  # noqa: BLE001 - any bad dtype is a bad file
            raise _bad(where, f"column {c!r} dtype") from None
    if lay["index"] is None:
        if any(lay[k] is not None for k in ("index_kind", "index_format", "index_parse", "unit", "gap", "min_gap")):
            raise _bad(where, "index settings without an index")
    else:
        kind = lay["index_kind"]
        want = "datetime" if cols[lay["index"]]["sdtype"] == "datetime" else "number"
        if kind != want or lay["unit"] not in (DATETIME_UNITS if kind == "datetime" else NUMBER_UNITS):
            raise _bad(where, "index kind or unit")
        for k in ("index_format", "index_parse"):
            fmt = lay[k]
            if fmt is not None and (kind != "datetime" or not isinstance(fmt, str) or len(fmt) > 100 or "%" not in fmt):
                raise _bad(where, "index format")
        for k in ("gap", "min_gap"):
            v = lay[k]
            if v is not None and not (is_number(v) and math.isfinite(v) and v > 0):
                raise _bad(where, f"index {k}")
    return Layout(lay)
