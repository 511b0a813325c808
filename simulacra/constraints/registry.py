"""The constraint classes a model file may name, and the model-file round trip of a constraint chain.

A model file names built-in constraints by class name (``{"class": ..., "parameters": ...,
"state": ...}``) and custom ones by name only (``{"custom": name}``): loading looks the names up
here, so nothing in a file names code to run.
"""

from __future__ import annotations

from ..errors import ConstraintError, ModelFileError
from .base import Constraint, MissingCustom

#: name -> class of every registered constraint (the built-ins register themselves on import)
BUILTINS: dict[str, type] = {}


def register(cls: type) -> type:
    """Register a constraint class under its class name, so model files save and load it by name.

    Usable as a class decorator. The class must derive from :class:`Constraint` and round-trip
    through ``get_parameters`` (its constructor arguments) and ``get_state`` / ``set_state``.

    Parameters
    ----------
    cls : type
        A :class:`Constraint` subclass.

    Returns
    -------
    type
        ``cls``.

    Raises
    ------
    ConstraintError
        ``cls`` is not a Constraint subclass, or another class is registered under its name.
    """
    if not isinstance(cls, type) or not issubclass(cls, Constraint):
        raise ConstraintError(f"only Constraint subclasses can be registered, got {cls!r}")
    name = cls.__name__
    if BUILTINS.get(name, cls) is not cls:
        raise ConstraintError(f"a constraint class named {name!r} is already registered")
    BUILTINS[name] = cls
    return cls


def is_registered(cls: type) -> bool:
    """True when ``cls`` itself (not a subclass of it) is registered under its name."""
    return BUILTINS.get(getattr(cls, "__name__", None)) is cls


def load_learned() -> None:
    """Import every learned-rule family module, so their classes are registered (model files name them)."""
    from .learned.framework import FAMILIES, family_module

    for family in FAMILIES:
        family_module(family)


def get_constraint_class(name) -> type:
    """The registered constraint class called ``name``.

    Raises
    ------
    ConstraintError
        ``unknown constraint class 'name'; built-ins: ...``.
    """
    cls = BUILTINS.get(name) if isinstance(name, str) else None
    if cls is None and isinstance(name, str):
        load_learned()
        cls = BUILTINS.get(name)
    if cls is None:
        raise ConstraintError(f"unknown constraint class {name!r}; built-ins: {', '.join(BUILTINS)}")
    return cls


def constraint_to_state(c) -> dict:
    """The model-file entry of constraint ``c`` (``c._to_state()``): a JSON object.

    ``{"class": name, "parameters": {...}, "state": {...}}`` for a registered class;
    ``{"custom": name}`` for a custom constraint or a :class:`MissingCustom` placeholder.
    """
    return c._to_state()


def constraints_from_state(entries) -> tuple[list, list[str]]:
    """The constraint chain saved by :func:`constraint_to_state`, fitted again.

    Parameters
    ----------
    entries : list of dict
        The model file's ``constraints`` list.

    Returns
    -------
    constraints : list
        One constraint per entry, in order; a :class:`MissingCustom` placeholder for each custom one.
    missing_custom_names : list of str
        The class names of the custom constraints to attach again before sampling.

    Raises
    ------
    ModelFileError
        Not a list of objects, an unknown class name, or parameters the class refuses.
    ValueError
        A constraint's ``set_state`` refuses its saved state (the loader names the file).
    """
    if not isinstance(entries, list):
        raise ModelFileError(f"model file: constraints must be a list, got {type(entries).__name__}")
    out, missing = [], []
    for e in entries:
        if not isinstance(e, dict):
            raise ModelFileError(f"model file: a constraint entry must be an object, got {e!r:.80}")
        if "custom" in e:
            name, cols = e["custom"], e.get("columns")
            if not isinstance(name, str) or not 0 < len(name) <= 200:
                raise ModelFileError(f"model file: a custom constraint's name must be text, got {str(name)[:60]!r}")
            if cols is not None and (
                not isinstance(cols, list) or len(cols) > 100_000 or not all(isinstance(c, str) for c in cols)
            ):
                raise ModelFileError(f"model file: custom constraint {name!r} columns must be a list of names")
            out.append(MissingCustom(name, cols))
            missing.append(name)
            continue
        name = e.get("class")
        try:
            cls = get_constraint_class(name)
        except ConstraintError:
            raise ModelFileError(f"model file names an unknown constraint {name!r}") from None
        out.append(cls._from_state(e))
    return out, missing
