"""Model files of single-table synthesizers: each component's state, nested in one manifest.

A fitted synthesizer's state (:func:`to_state`) is ``{"synthesizer", "parameters", "metadata",
"state"}``, where ``state`` nests one entry per component: ``"transformer"`` (the
TableTransformer), ``"model"`` (the synthesizer's ``_get_model_state``), ``"constraints"`` (one
entry per constraint: ``constraint_to_state``) and the fitted ``"columns"`` and ``"fitted_rows"``. That is exactly what a
model file's manifest holds, so a multi-table or sequential synthesizer can nest several of these
entries (``{"components": {name: entry}}``) in one file and rebuild each with
:func:`components_from_state` (names, shape and depth checked, then :func:`from_state` per entry).
A single-table state holds exactly the keys of :data:`STATE_KEYS`: anything else is refused.
"""

from __future__ import annotations

import re

import numpy as np

from ..constraints import constraint_to_state, constraints_from_state
from ..errors import MetadataError, ModelFileError, ParameterError
from ..metadata import Metadata
from . import rules, text_fill
from .given import check_state as check_context_state
from .out_of_core import check_source_info
from .privacy_check import check_info as check_privacy_info

#: the keys of a single-table synthesizer's state (an older file may lack "columns", "constraints" or "learned";
#: "text_generators" is there only when a text column is written by a language model)
STATE_KEYS = (
    "transformer",
    "model",
    "fitted_rows",
    "columns",
    "constraints",
    "learned",
    "context_columns",
    "text_generators",
    "source_info",
    "privacy_check",
)
#: the keys of one component entry (the manifest fields a model file holds for one synthesizer)
ENTRY_KEYS = ("synthesizer", "parameters", "metadata", "state")
#: how deep components may nest, and how many one state may hold
MAX_COMPONENT_DEPTH = 4
MAX_COMPONENTS = 1_000
#: a component name: a plain name (letters, digits, _ . - and spaces; no path separators, no "..")
_COMPONENT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\- ]{0,127}")


def to_state(synth) -> dict:
    """The fitted synthesizer as ``{"synthesizer", "parameters", "metadata", "state"}`` (arrays kept as arrays)."""
    return {
        "synthesizer": synth.name,
        "parameters": synth.get_parameters(),
        "metadata": synth.metadata.to_dict(),
        "state": {
            "transformer": synth._transformer._to_state(),
            "model": synth._get_model_state(),
            "fitted_rows": int(synth.fitted_rows),
            "columns": synth._columns,
            "constraints": [constraint_to_state(c) for c in synth._constraints],
            "learned": rules.to_state(synth),
            "context_columns": synth.context_columns,
            **text_fill.to_state(synth),  # settings and the generator's spec, never the model
            **({"source_info": synth.source_info_} if getattr(synth, "source_info_", None) else {}),  # out-of-core fits
            **({"privacy_check": synth.privacy_info_} if getattr(synth, "privacy_info_", None) else {}),
        },
    }


def from_state(cls, entry: dict, where: str):
    """A fitted synthesizer of class ``cls`` (or a subclass named by ``entry``) from :func:`to_state`'s entry.

    Everything is checked (``where`` names the file in messages); any failure is a ModelFileError.
    """
    from ..transforms import TableTransformer
    from ._model_checks import check_parameters, check_restored
    from .base import BaseSynthesizer

    if not isinstance(entry, dict) or any(k not in entry for k in ENTRY_KEYS):
        raise ModelFileError(f"{where}: a model state is an object with {', '.join(ENTRY_KEYS)}")
    klass = synthesizer_class(entry["synthesizer"], where)
    if not (issubclass(klass, cls) or cls is BaseSynthesizer or issubclass(cls, klass)):
        raise ModelFileError(
            f"{where} holds a {klass.__name__}, not a {cls.__name__}; load it with {klass.__name__}.load"
        )
    params = entry["parameters"]
    if not isinstance(params, dict):
        raise ModelFileError(f"{where}: parameters must be an object")
    unknown = set(params) - set(klass._parameter_names())
    if unknown:
        raise ModelFileError(f"{where}: unknown parameter(s) {', '.join(sorted(unknown))} for {klass.__name__}")
    check_parameters(params, where)
    check_state_keys(entry["state"], where)
    try:
        obj = klass(Metadata.load_from_dict(entry["metadata"]), **params)
        state = entry["state"]
        obj._transformer = TableTransformer._from_state(state["transformer"])
        obj._set_model_state(state["model"])
        obj.fitted_rows = int(state["fitted_rows"])
        obj._columns = [str(c) for c in state.get("columns", obj.metadata.get_columns())]
        obj._constraints, obj._missing_custom = constraints_from_state(state.get("constraints", []))
        obj._learned = rules.from_state(state.get("learned", []))  # a file from before learned rules: none
        obj.context_columns = check_context_state(obj, state.get("context_columns"), obj._columns)
        obj._text_fills = text_fill.from_state(obj, state.get("text_generators"))  # attached again by the user
        obj.source_info_ = check_source_info(state.get("source_info"))
        obj.privacy_info_ = check_privacy_info(state.get("privacy_check"))
        user, obj._constraints = obj._constraints, rules.chain(obj)  # the checks read the whole chain
        try:
            check_restored(obj, where)
        finally:
            obj._constraints = user
    except ModelFileError as e:
        if where[1:-1] in str(e):
            raise
        detail = str(e).removeprefix("model file: ")
        raise ModelFileError(
            f"{where}: invalid model ({detail}); the file was edited or damaged: re-create it with fit and save"
        ) from None
    except (MetadataError, ParameterError) as e:
        raise ModelFileError(f"{where}: invalid model: {e}") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise ModelFileError(f"{where}: invalid model state ({type(e).__name__}: {e})") from None
    except MemoryError:
        raise ModelFileError(f"{where}: not enough memory to rebuild this model") from None
    obj._fitted = True
    check_can_sample(obj, where)
    return obj


def synthesizer_class(name, where: str):
    """The registered synthesizer class ``name`` names (ModelFileError naming ``where`` otherwise)."""
    from . import get_synthesizer_class

    if name == "relational":
        raise ModelFileError(
            f"{where} holds a multi-table model; load it with RelationalSynthesizer.load (HMASynthesizer.load)"
        )
    try:
        if not isinstance(name, str):
            raise ParameterError(name)
        return get_synthesizer_class(name)
    except ParameterError:
        raise ModelFileError(f"{where} holds an unknown synthesizer {str(name)[:60]!r}") from None


def check_state_keys(state, where: str) -> None:
    """A ModelFileError unless ``state`` is an object holding only a single-table synthesizer's keys."""
    if not isinstance(state, dict):
        raise ModelFileError(f"{where}: state must be an object")
    unknown = sorted((str(k) for k in state if k not in STATE_KEYS), key=str)
    if unknown:
        raise ModelFileError(
            f"{where}: the state holds unknown key(s) {', '.join(repr(k[:40]) for k in unknown[:5])}; "
            f"a single-table synthesizer's state holds {', '.join(STATE_KEYS)}"
        )


def components_from_state(components, where: str, depth: int = 1) -> dict:
    """The fitted synthesizers of a composite state's ``components``, each checked as a model file is.

    Parameters
    ----------
    components : dict
        ``{name: {"synthesizer", "parameters", "metadata", "state"}}`` (each entry as :func:`to_state`
        writes it).
    where : str
        Names the file (or the enclosing component) in messages.
    depth : int, default 1
        How deep these components sit (1 for a file's own; a composite component reading its own
        components passes ``depth + 1``).

    Returns
    -------
    dict
        ``{name: fitted synthesizer}`` in the file's order.

    Raises
    ------
    ModelFileError
        Too deep or too many components, a name that is not a plain name (path separators,
        ``..``), an entry of the wrong shape, an unknown synthesizer, or any check of
        :func:`from_state` on an entry.
    """
    from .base import BaseSynthesizer

    if depth > MAX_COMPONENT_DEPTH:
        raise ModelFileError(f"{where}: components nest more than {MAX_COMPONENT_DEPTH} levels")
    if not isinstance(components, dict) or not components:
        raise ModelFileError(f"{where}: components must be an object of name -> model state")
    if len(components) > MAX_COMPONENTS:
        raise ModelFileError(f"{where}: {len(components):,} components, more than {MAX_COMPONENTS:,}")
    for name in components:
        if not isinstance(name, str) or not _COMPONENT_NAME.fullmatch(name) or ".." in name:
            raise ModelFileError(
                f"{where}: component name {str(name)[:60]!r} is not a plain name "
                "(letters, digits, _ . - and spaces, no path separators or '..')"
            )
    out = {}
    for name, entry in components.items():
        part = f"{where} component {name!r}"
        if not isinstance(entry, dict) or set(entry) != set(ENTRY_KEYS):
            keys = sorted(map(str, entry))[:6] if isinstance(entry, dict) else type(entry).__name__
            raise ModelFileError(f"{part}: an entry holds exactly {', '.join(ENTRY_KEYS)}, got {keys}")
        out[name] = from_state(BaseSynthesizer, entry, part)
    return out


def check_can_sample(obj, where: str) -> None:
    """Draw a few rows: a crafted file can pass every structural check and still hold values no
    sampler accepts, and must fail on load, as a ModelFileError."""
    from ..sampling.context import SamplingContext
    from .sampler import draw_table

    try:
        ctx = SamplingContext.from_seed(obj._transformer, np.random.SeedSequence(0), 8)
        rows = draw_table(obj, 8, np.random.default_rng(0), np.arange(8, dtype=np.int64), ctx)
        for c in rules.chain(obj):  # every rule can read the rows it will filter
            c.run_filter(rows, ctx)
    except Exception as e:  # noqa: BLE001 - any failure means the file is not a valid model
        raise ModelFileError(
            f"{where}: the model cannot sample ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
            "re-create it with fit and save"
        ) from None


def save(synth, filepath, key=None):
    """Write ``synth`` as a model file (see :meth:`BaseSynthesizer.save`)."""
    from ..io.modelfile import save_model

    entry = to_state(synth)
    save_model(filepath, entry["synthesizer"], entry["parameters"], entry["metadata"], entry["state"], key=key)


def load(cls, filepath, key=None):
    """Read a model file into a fitted synthesizer (see :meth:`BaseSynthesizer.load`)."""
    from ..io.modelfile import load_model
    from ._array_bounds import array_limits

    def limits(manifest):
        # the synthesizer and the state's keys first: the sizes are derived from a known layout
        name = manifest.get("synthesizer")
        synthesizer_class(name, "this file")
        check_state_keys(manifest.get("state"), "model file")
        return array_limits(manifest)

    manifest = load_model(filepath, key=key, array_limits=limits)
    return from_state(cls, manifest, repr(str(filepath)))


def components_array_limits(state) -> dict:
    """``{array name: most values}`` for the arrays of a composite state's components (for ``load_model``).

    Each component's sizes are derived from its own metadata, parameters and state, as for a
    single-table file; a state that is not a composite of such entries is a ModelFileError.
    """
    from ._array_bounds import array_limits

    components = state.get("components") if isinstance(state, dict) else None
    if not isinstance(components, dict) or not components or len(components) > MAX_COMPONENTS:
        raise ModelFileError("model file: a composite state holds components: an object of name -> model state")
    out: dict = {}
    for entry in components.values():
        if not isinstance(entry, dict) or set(entry) != set(ENTRY_KEYS):
            raise ModelFileError(f"model file: a component entry holds exactly {', '.join(ENTRY_KEYS)}")
        synthesizer_class(entry["synthesizer"], "model file")
        check_state_keys(entry["state"], "model file")
        out.update(array_limits(entry))
    return out


def load_composite(filepath, key, synthesizer_name: str, wrong_kind: str, state_keys: set, what: str):
    """``(manifest, metadata)`` of a composite model file (multi-table, sequential), checked so far.

    The file must hold ``synthesizer_name`` (else ``wrong_kind``, formatted with ``found``: the name
    it holds, is the error), a state of exactly ``state_keys`` and valid metadata; each component's
    arrays are held to the sizes its own state implies. The caller checks the rest of its state.
    """
    from ..io.modelfile import load_model

    where = repr(str(filepath))

    def limits(manifest):
        if manifest.get("synthesizer") != synthesizer_name:
            raise ModelFileError(wrong_kind.format(found=str(manifest.get("synthesizer"))[:40]))
        return components_array_limits(manifest.get("state"))

    manifest = load_model(filepath, key=key, array_limits=limits)
    state = manifest["state"]
    if not isinstance(state, dict) or set(state) != state_keys:
        raise ModelFileError(f"{where}: a {what} state holds exactly {', '.join(sorted(state_keys))}")
    try:
        metadata = Metadata.load_from_dict(manifest["metadata"])
        metadata.validate()
    except MetadataError as e:
        raise ModelFileError(f"{where}: invalid metadata: {e}") from None
    return manifest, metadata
