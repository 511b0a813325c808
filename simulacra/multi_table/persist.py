"""Model files of the relational synthesizer: one file, every table's model nested under ``components``.

The manifest's state is ``{"components": {"t0": entry, ...}, "tables": [names in plan order],
"plan": plan, "orphans": {...}}``; each entry is a single-table synthesizer's state
(:func:`simulacra.synthesizers.persistence.to_state`) and is checked as a model file of its own
on load. The plan is checked against the metadata (every table, edge and internal column it names)
before anything is rebuilt: a crafted file is a ModelFileError, never a traceback.
"""

from __future__ import annotations

import re

from ..errors import ModelFileError
from ..synthesizers.persistence import components_from_state, load_composite, to_state
from ..utils.validation import is_int
from . import plan as planning

SYNTHESIZER_NAME = "relational"
STATE_KEYS = {"components", "tables", "plan", "orphans"}
PLAN_KEYS = {"order", "edges", "tables"}
TABLE_KEYS = {"rows", "columns", "dtypes", "pk", "primary", "context", "missing_primary"}
EDGE_KEYS = {"parent", "child", "pk", "fk", "role", "nullable", "link", "parents_used"}
MAX_ROWS = 10**12


def save(synth, filepath, key=None):
    from ..io.modelfile import save_model

    order = synth._plan["order"]
    components = {f"t{i}": to_state(synth._models[name]) for i, name in enumerate(order)}
    state = {"components": components, "tables": list(order), "plan": synth._plan, "orphans": synth.orphan_report}
    return save_model(filepath, SYNTHESIZER_NAME, synth.get_parameters(), synth.metadata.to_dict(), state, key=key)


def load(cls, filepath, key=None):
    where = repr(str(filepath))
    wrong = (
        "this file holds a single-table {found!r} model, not a multi-table "
        "one; load it with BaseSynthesizer.load (or the synthesizer's own class)"
    )
    manifest, metadata = load_composite(filepath, key, SYNTHESIZER_NAME, wrong, STATE_KEYS, "multi-table")
    state = manifest["state"]
    params = manifest["parameters"]
    if not isinstance(params, dict) or set(params) - {
        "synthesizer",
        "synthesizer_parameters",
        "orphans",
        "locales",
        "verbose",
    }:
        raise ModelFileError(f"{where}: unknown parameters of a RelationalSynthesizer")
    plan = state["plan"]
    check_plan(plan, metadata, where)
    tables = state["tables"]
    if tables != plan["order"]:
        raise ModelFileError(f"{where}: the components' tables do not match the plan")
    models = components_from_state(state["components"], where)
    if list(models) != [f"t{i}" for i in range(len(tables))]:
        raise ModelFileError(f"{where}: components must be t0..t{len(tables) - 1}, one per table")
    try:
        obj = cls(metadata, **params)
    except Exception as e:  # noqa: BLE001 - any bad parameter is a bad file
        raise ModelFileError(f"{where}: invalid parameters ({e})") from None
    obj._models = {name: models[f"t{i}"] for i, name in enumerate(tables)}
    for name, m in obj._models.items():
        check_component(name, m, plan, where)
    obj._plan = plan
    obj.orphan_report = dict(state["orphans"]) if isinstance(state["orphans"], dict) else {}
    obj._fitted = True
    return obj


#: the dtypes a table's columns may be given back as
_DTYPE = re.compile(
    r"(u?int(8|16|32|64)|U?Int(8|16|32|64)|float(32|64)|Float(32|64)|bool|boolean|object|string|str|category"
    r"|datetime64\[(ns|us|ms|s)(, [A-Za-z0-9_/+:-]{1,40})?\]|timedelta64\[(ns|us|ms|s)\])"
)


def check_component(name: str, model, plan: dict, where: str) -> None:
    """A ModelFileError unless table ``name``'s model learned what the plan says it did."""
    t = plan["tables"][name]
    what = f"{where}: the model of table {name!r}"
    cols = list(model.metadata.get_columns())
    fks = {c for e in plan["edges"] if e["child"] == name for c in e["fk"]}
    own = [c for c in t["columns"] if c not in fks]
    if any(c not in cols for c in own) or any(c not in own and not planning.is_internal(c) for c in cols):
        raise ModelFileError(f"{what} does not learn the table's columns; the file was edited or damaged")
    if int(model.fitted_rows) != t["rows"] or t["missing_primary"] > t["rows"]:
        raise ModelFileError(f"{what} was fitted on {int(model.fitted_rows):,} rows, not the plan's {t['rows']:,}")
    want = None
    if t["primary"] is not None:
        n = planning.count_column(t["primary"])
        want = [planning.context_column(c) for c in t["context"]] + [planning.context_column(n)]
    if (getattr(model, "context_columns", None) or None) != want:
        raise ModelFileError(f"{what} was not fitted with its parent's columns as the plan says")


def _bad(where, what):
    return ModelFileError(
        f"{where}: invalid plan ({what}); the file was edited or damaged: re-create it with fit and save"
    )


def _names(x, allowed, where, what):
    if not isinstance(x, list) or not all(isinstance(c, str) for c in x) or any(c not in allowed for c in x):
        raise _bad(where, what)


def check_plan(plan, metadata, where: str) -> None:
    """A ModelFileError unless ``plan`` is a plan :func:`plan.build` could have made for ``metadata``."""
    if not isinstance(plan, dict) or set(plan) != PLAN_KEYS:
        raise _bad(where, "keys")
    order, edges, tables = plan["order"], plan["edges"], plan["tables"]
    if (
        not isinstance(order, list)
        or sorted(map(str, order)) != sorted(metadata.tables)
        or len(set(order)) != len(order)
    ):
        raise _bad(where, "the order must name every table once")
    expected = planning.edges_of(metadata)
    if not isinstance(edges, list) or len(edges) != len(expected):
        raise _bad(where, "edges")
    for e, want in zip(edges, expected):
        if not isinstance(e, dict) or set(e) != EDGE_KEYS or {k: e[k] for k in want} != want:
            raise _bad(where, "an edge does not match the metadata's relationships")
        if e["role"] not in ("primary", "secondary", "late") or not isinstance(e["nullable"], bool):
            raise _bad(where, "edge role")
        if not is_int(e["parents_used"]) or not 0 <= e["parents_used"] <= MAX_ROWS:
            raise _bad(where, "edge parents_used")
        _names(e["link"], metadata.tables[e["parent"]]["columns"], where, "link columns")
    if not isinstance(tables, dict) or set(tables) != set(metadata.tables):
        raise _bad(where, "tables")
    position = {t: i for i, t in enumerate(order)}
    for name, t in tables.items():
        cols = metadata.tables[name]["columns"]
        if not isinstance(t, dict) or set(t) != TABLE_KEYS:
            raise _bad(where, f"table {name!r} keys")
        for k in ("rows", "missing_primary"):
            if not is_int(t[k]) or not 0 <= t[k] <= MAX_ROWS:
                raise _bad(where, f"table {name!r} {k}")
        _names(t["columns"], cols, where, f"table {name!r} columns")
        if len(set(t["columns"])) != len(t["columns"]):
            raise _bad(where, f"table {name!r} repeats a column")
        _names(t["pk"], cols, where, f"table {name!r} key")
        if not isinstance(t["dtypes"], dict) or set(t["dtypes"]) - set(t["columns"]):
            raise _bad(where, f"table {name!r} dtypes")
        if not all(isinstance(v, str) and _DTYPE.fullmatch(v) for v in t["dtypes"].values()):
            raise _bad(where, f"table {name!r} dtypes")
        p = t["primary"]
        if p is not None:
            if not is_int(p) or not 0 <= p < len(edges) or edges[p]["child"] != name or edges[p]["role"] != "primary":
                raise _bad(where, f"table {name!r} primary edge")
            if position[edges[p]["parent"]] >= position[name]:
                raise _bad(where, f"table {name!r} comes before its parent")
            _names(t["context"], metadata.tables[edges[p]["parent"]]["columns"], where, f"table {name!r} context")
        elif t["context"]:
            raise _bad(where, f"table {name!r} context without a parent")
    for i, e in enumerate(edges):
        if e["role"] == "secondary" and position[e["parent"]] >= position[e["child"]]:
            raise _bad(where, "a secondary edge's parent comes after its child")
        if (e["role"] == "primary") != (tables[e["child"]]["primary"] == i):
            raise _bad(where, "primary edges")
