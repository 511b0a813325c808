"""Model files of single-table synthesizers: each component's state, nested in one manifest.

A fitted synthesizer's state (:func:`to_state`) is ``{"synthesizer", "parameters", "metadata",
"state"}``, where ``state`` nests one entry per component: ``"transformer"`` (the
TableTransformer), ``"model"`` (the synthesizer's ``_get_model_state``), ``"constraints"`` (one
entry per constraint: ``constraint_to_state``) and the fitted ``"columns"`` and ``"fitted_rows"``. That is exactly what a
model file's manifest holds, so a multi-table or sequential synthesizer can nest several of these
entries (``{"components": {name: entry}}``) in one file and rebuild each with :func:`from_state`.
"""

from __future__ import annotations

import numpy as np

from ..constraints import constraint_to_state, constraints_from_state
from ..errors import MetadataError, ModelFileError, ParameterError
from ..metadata import Metadata


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
        },
    }


def from_state(cls, entry: dict, where: str):
    """A fitted synthesizer of class ``cls`` (or a subclass named by ``entry``) from :func:`to_state`'s entry.

    Everything is checked (``where`` names the file in messages); any failure is a ModelFileError.
    """
    from ..transforms import TableTransformer
    from . import get_synthesizer_class
    from ._model_checks import check_parameters, check_restored
    from .base import BaseSynthesizer

    name = entry["synthesizer"]
    try:
        klass = get_synthesizer_class(name)
    except ParameterError:
        raise ModelFileError(f"{where} holds an unknown synthesizer {name!r}") from None
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
    try:
        obj = klass(Metadata.load_from_dict(entry["metadata"]), **params)
        state = entry["state"]
        obj._transformer = TableTransformer._from_state(state["transformer"])
        obj._set_model_state(state["model"])
        obj.fitted_rows = int(state["fitted_rows"])
        obj._columns = [str(c) for c in state.get("columns", obj.metadata.get_columns())]
        obj._constraints, obj._missing_custom = constraints_from_state(state.get("constraints", []))
        check_restored(obj, where)
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


def check_can_sample(obj, where: str) -> None:
    """Draw a few rows: a crafted file can pass every structural check and still hold values no
    sampler accepts, and must fail on load, as a ModelFileError."""
    from ..sampling.context import SamplingContext
    from .sampler import draw_table

    try:
        ctx = SamplingContext.from_seed(obj._transformer, np.random.SeedSequence(0), 8)
        draw_table(obj, 8, np.random.default_rng(0), np.arange(8, dtype=np.int64), ctx)
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

    manifest = load_model(filepath, key=key, array_limits=array_limits)
    return from_state(cls, manifest, repr(str(filepath)))
