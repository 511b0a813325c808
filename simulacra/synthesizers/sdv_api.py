"""SDV's synthesizer methods, as functions of a synthesizer (``BaseSynthesizer`` calls each in one line).

- :func:`add_custom_constraint_class` / :func:`load_custom_constraint_classes`: custom rule classes
  a synthesizer knows by name, so ``add_constraints([{'constraint_class': name, ...}])`` finds them
  (:func:`resolve_constraints`). Model files stay code-free: a custom rule is saved by its class
  name and columns and attached again after ``load``.
- :func:`get_info`: SDV's ``class_name``, ``creation_date``, ``is_fit``, ``last_fit_date``, and
  ``fitted_simulacra_version`` in place of ``fitted_sdv_version`` (:func:`mark_created`,
  :func:`mark_fitted` record the dates).
- :func:`reset_sampling` / :func:`sampling_seed`: calls without a seed draw from the synthesizer's
  own stream, which ``reset_sampling`` restarts (the same calls then give the same rows again).
- :func:`get_transformers` / :func:`update_transformers`: the per-column transforms, and changing
  one by what the metadata can say (sdtype and its options).
"""

from __future__ import annotations

import copy

import datetime as _dt
import hashlib
import importlib.util
import keyword
import sys
import threading
from pathlib import Path

import numpy as np

from .._version import __version__
from ..errors import ConstraintError, ParameterError

_LOCK = threading.Lock()


# ---------------------------------------------------------------------- custom constraint classes
def add_custom_constraint_class(synth, class_object, class_name: str) -> None:
    """Let ``synth`` find the constraint class ``class_object`` by the name ``class_name``.

    ``synth.add_constraints([{'constraint_class': class_name, 'constraint_parameters': {...}}])``
    then builds it (SDV's dict form). The rule is saved in a model file by ``class_name`` and its
    columns, never as code; after ``load``, add the class again and attach the rule.

    Parameters
    ----------
    synth : BaseSynthesizer
    class_object : type
        A subclass of :class:`simulacra.constraints.Constraint` (e.g. made by
        :func:`simulacra.constraints.create_custom_constraint_class`).
    class_name : str
        A Python identifier, not the name of a built-in constraint.

    Raises
    ------
    ConstraintError
        ``class_object`` is not a constraint class, or ``class_name`` is not an identifier or is a
        built-in's name.
    """
    from ..constraints import BUILTINS, Constraint

    if not isinstance(class_name, str) or not class_name.isidentifier() or keyword.iskeyword(class_name):
        raise ConstraintError(f"class_name must be a Python identifier like 'MyRule', got {class_name!r}")
    if not (isinstance(class_object, type) and issubclass(class_object, Constraint)):
        raise ConstraintError(
            f"{class_name}: class_object must be a Constraint subclass (simulacra.constraints.CustomConstraint or "
            f"create_custom_constraint_class(...)), got {class_object!r:.80}"
        )
    if class_name in BUILTINS:
        raise ConstraintError(f"{class_name!r} is a built-in constraint; give the custom class another name")
    if class_object.__name__ != class_name:  # saved by this name, matched by it after load
        class_object = type(class_name, (class_object,), {"__module__": class_object.__module__})
    with _LOCK:
        classes = dict(getattr(synth, "_custom_constraint_classes", {}))
        classes[class_name] = class_object
        synth._custom_constraint_classes = classes


def load_custom_constraint_classes(synth, filepath, class_names) -> None:
    """Import the Python file ``filepath`` and add its classes ``class_names`` (SDV's method).

    Importing the file runs its code: that is the caller's own action, as with any ``import``.
    Nothing of it goes into a model file.

    Parameters
    ----------
    synth : BaseSynthesizer
    filepath : str or Path
        A ``.py`` file defining the classes.
    class_names : list of str
        The classes to add, each by its own name.

    Raises
    ------
    ParameterError
        The file does not exist or is not a ``.py`` file, or ``class_names`` is not a list of names.
    ConstraintError
        A name is not defined in the file, or not a constraint class.
    """
    path = Path(filepath)
    if path.suffix != ".py" or not path.is_file():
        raise ParameterError(f"filepath must be an existing Python file (.py), got {str(filepath)!r}")
    if isinstance(class_names, str) or not all(isinstance(n, str) for n in class_names):
        raise ParameterError(f"class_names must be a list of class names, got {class_names!r:.80}")
    resolved = path.resolve()
    module_name = "simulacra_custom_constraints_" + hashlib.sha256(str(resolved).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # classes defined there (dataclasses, pickling-free reprs) need it
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    missing = [n for n in class_names if not hasattr(module, n)]
    if missing:
        raise ConstraintError(f"{path.name} defines no {', '.join(map(repr, missing))}")
    for name in class_names:
        add_custom_constraint_class(synth, getattr(module, name), name)


def resolve_constraints(synth, constraints):
    """``constraints`` with SDV dicts naming ``synth``'s custom classes built (the others as given).

    ``BaseSynthesizer.add_constraints`` passes its argument through this first.
    """
    classes = getattr(synth, "_custom_constraint_classes", None) or {}
    items = constraints if isinstance(constraints, (list, tuple)) else [constraints]
    out = []
    for c in items:
        if isinstance(c, dict) and c.get("constraint_class") in classes:
            params = c.get("constraint_parameters", {}) or {}
            if not isinstance(params, dict):
                raise ConstraintError(f"{c['constraint_class']}: constraint_parameters must be a dict, got {params!r}")
            try:
                c = classes[c["constraint_class"]](**params)
            except TypeError as e:
                raise ConstraintError(f"{c['constraint_class']}: bad parameters {params!r}: {e}") from None
        out.append(c)
    return out


# ---------------------------------------------------------------------- info
def _today() -> str:
    return _dt.date.today().isoformat()


def mark_created(synth) -> None:
    """Record the creation date (``BaseSynthesizer.__init__`` calls it)."""
    synth._creation_date = _today()


def mark_fitted(synth) -> None:
    """Record the fit date and the version fitted with (``fit`` calls it after the model is learned)."""
    synth._last_fit_date = _today()
    synth._fitted_version = __version__


def get_info(synth) -> dict:
    """SDV's ``get_info``: what the synthesizer is and when it was made and fitted.

    Returns
    -------
    dict
        ``class_name``, ``creation_date`` (ISO date), ``is_fit``, ``last_fit_date`` (None until
        fitted, or when a loaded model file did not record it) and ``fitted_simulacra_version``
        (SDV's ``fitted_sdv_version``; None until fitted); ``source_info`` too after a fit from a
        partitioned source (how it was read and what the model learned from); ``privacy_check``
        after a fit-time privacy check (each level tried, its DCR share and fidelity; see
        ``simulacra.synthesizers.privacy_check``).
    """
    fitted = bool(getattr(synth, "_fitted", False))
    return {
        "class_name": type(synth).__name__,
        "creation_date": getattr(synth, "_creation_date", None),
        "is_fit": fitted,
        "last_fit_date": getattr(synth, "_last_fit_date", None) if fitted else None,
        "fitted_simulacra_version": getattr(synth, "_fitted_version", None) if fitted else None,
        **({"source_info": dict(synth.source_info_)} if fitted and getattr(synth, "source_info_", None) else {}),
        **(
            {"privacy_check": copy.deepcopy(synth.privacy_info_)}
            if fitted and getattr(synth, "privacy_info_", None)
            else {}
        ),
    }


# ---------------------------------------------------------------------- sampling stream
def reset_sampling(synth) -> None:
    """Restart the synthesizer's stream: the next calls without a seed give the rows the first ones gave."""
    with _LOCK:
        synth._sampling_calls = 0


def sampling_seed(synth, seed):
    """The seed a sampling call uses: ``seed`` when given, else the next child of the synthesizer's stream.

    The stream is drawn fresh for each synthesizer object (calls without a seed differ from one
    object to the next, as before); :func:`reset_sampling` restarts it.

    Returns
    -------
    int, SeedSequence or Generator
        ``seed`` itself, or a ``numpy.random.SeedSequence``.
    """
    if seed is not None:
        return seed
    with _LOCK:
        entropy = getattr(synth, "_sampling_entropy", None)
        if entropy is None:
            entropy = synth._sampling_entropy = np.random.SeedSequence().entropy
        k = getattr(synth, "_sampling_calls", 0)
        synth._sampling_calls = k + 1
    return np.random.SeedSequence(entropy, spawn_key=(k,))


# ---------------------------------------------------------------------- transformers
#: RDT transformer classes (by name) -> the column metadata that asks simulacra for the same treatment
_RDT_SDTYPES = {
    "FloatFormatter": "numerical",
    "GaussianNormalizer": "numerical",
    "ClusterBasedNormalizer": "numerical",
    "LogScaler": "numerical",
    "UnixTimestampEncoder": "datetime",
    "OptimizedTimestampEncoder": "datetime",
    "LabelEncoder": "categorical",
    "OrderedLabelEncoder": "categorical",
    "UniformEncoder": "categorical",
    "OrderedUniformEncoder": "categorical",
    "OneHotEncoder": "categorical",
    "FrequencyEncoder": "categorical",
    "BinaryEncoder": "boolean",
    "RegexGenerator": "id",
    "IDGenerator": "id",
}


def get_transformers(synth) -> dict:
    """``{column: transform}``: the fitted per-column transforms, or before ``fit`` those the metadata chooses.

    After ``fit`` the columns are those the model learned (a constraint may have reshaped some);
    generated columns (ids, PII, text) have their generating transform.
    """
    if getattr(synth, "_fitted", False) and synth._transformer is not None:
        return {t.column: t for t in synth._transformer.transforms}
    from ..transforms import transform_for

    cols = synth.metadata.get_columns(synth._table_name())
    return {
        c: transform_for(c, m, synth.enforce_min_max_values, synth.enforce_rounding, synth.locales)
        for c, m in cols.items()
    }


def _column_meta(column: str, transformer) -> dict:
    """The column metadata that gives ``column`` the treatment ``transformer`` names."""
    from ..transforms import (
        BooleanTransform,
        CategoricalTransform,
        DatetimeTransform,
        IdTransform,
        NumericalTransform,
        PIITransform,
        TextTransform,
    )

    if transformer is None:
        raise ParameterError(
            f"update_transformers: {column!r}: None (no transform) is not supported; every column is learned "
            "through its sdtype's transform"
        )
    own = getattr(transformer, "column", column)
    if isinstance(transformer, (NumericalTransform, DatetimeTransform, CategoricalTransform, IdTransform)) and (
        own != column
    ):
        raise ParameterError(f"update_transformers: the transform for {column!r} was made for column {own!r}")
    if isinstance(transformer, NumericalTransform):
        rep = transformer.computer_representation
        return {"sdtype": "numerical", **({"computer_representation": rep} if rep else {})}
    if isinstance(transformer, DatetimeTransform):
        fmt = transformer.datetime_format
        return {"sdtype": "datetime", **({"datetime_format": fmt} if fmt else {})}
    if isinstance(transformer, BooleanTransform):
        return {"sdtype": "boolean"}
    if isinstance(transformer, CategoricalTransform):
        return {"sdtype": "categorical"}
    if isinstance(transformer, IdTransform):
        fmt = transformer.regex_format
        return {"sdtype": "id", **({"regex_format": fmt} if fmt else {})}
    if isinstance(transformer, TextTransform):
        return {"sdtype": "text"}
    if isinstance(transformer, PIITransform):
        return {"sdtype": transformer.sdtype, "pii": True}
    name = type(transformer).__name__
    if name in ("AnonymizedFaker", "PseudoAnonymizedFaker"):
        from ..metadata import ALL_SDTYPES

        fn = getattr(transformer, "function_name", None)
        if fn not in ALL_SDTYPES:
            raise ParameterError(
                f"update_transformers: {column!r}: {name}(function_name={fn!r}) has no simulacra sdtype; "
                "set the column's sdtype (a PII sdtype like 'email', 'address') with metadata.update_column"
            )
        return {"sdtype": fn, "pii": True}
    if name in _RDT_SDTYPES:
        meta = {"sdtype": _RDT_SDTYPES[name]}
        for attr, key in (("datetime_format", "datetime_format"), ("regex_format", "regex_format")):
            if getattr(transformer, attr, None):
                meta[key] = getattr(transformer, attr)
        return meta
    raise ParameterError(
        f"update_transformers: {column!r}: {name} is not a transform simulacra knows; give a simulacra.transforms "
        "transform (e.g. NumericalTransform, CategoricalTransform, DatetimeTransform(column, datetime_format)) "
        "or change the column's metadata"
    )


def update_transformers(synth, column_name_to_transformer: dict) -> None:
    """Change how columns are learned, before ``fit``: each transform becomes the column's metadata.

    simulacra chooses each column's transform from its metadata, so a transform given here (a
    :mod:`simulacra.transforms` transform, or an RDT transformer named as SDV users write them:
    ``FloatFormatter``, ``UnixTimestampEncoder(datetime_format=...)``, ``LabelEncoder``,
    ``AnonymizedFaker(function_name='email')``, ``RegexGenerator(regex_format=...)`` ...) updates the
    column's sdtype and options (``computer_representation``, ``datetime_format``, ``regex_format``,
    ``pii``). The change is in ``synth.get_metadata()`` and saved with the model.

    Raises
    ------
    ParameterError
        Called after ``fit``, a column that is not in the metadata, or a transform with no metadata
        equivalent (the message says what to do instead).
    """
    if getattr(synth, "_fitted", False):
        raise ParameterError(
            "update_transformers must be called before fit; build a new synthesizer to learn the table another way"
        )
    if not isinstance(column_name_to_transformer, dict):
        raise ParameterError(
            f"column_name_to_transformer must be a dict {{column: transform}}, got {column_name_to_transformer!r:.80}"
        )
    table = synth._table_name()
    cols = synth.metadata.get_columns(table)
    unknown = [c for c in column_name_to_transformer if c not in cols]
    if unknown:
        raise ParameterError(f"update_transformers: no column(s) {', '.join(map(repr, unknown))} in the metadata")
    updates = {c: _column_meta(c, t) for c, t in column_name_to_transformer.items()}  # all checked first
    for c, meta in updates.items():
        synth.metadata.update_column(c, table_name=table, **meta)
    synth.metadata.validate()


__all__ = [
    "add_custom_constraint_class",
    "load_custom_constraint_classes",
    "resolve_constraints",
    "mark_created",
    "mark_fitted",
    "get_info",
    "reset_sampling",
    "sampling_seed",
    "get_transformers",
    "update_transformers",
]
