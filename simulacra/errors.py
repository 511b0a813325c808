"""Errors raised by simulacra.

Every error a user can cause derives from :class:`SimulacraError`; its message names the column,
file or option at fault and says what to do. The CLI prints the message on one line and exits
with a non-zero status.
"""


class SimulacraError(Exception):
    """Base class of every error simulacra raises on purpose."""


class InvalidDataError(SimulacraError, ValueError):
    """The input table cannot be used as it is (empty, inf values, mixed types, ...)."""


class MetadataError(SimulacraError, ValueError):
    """The metadata is invalid or does not match the data."""


class ModelFileError(SimulacraError, ValueError):
    """A model file is missing, truncated, edited, of another format or version, or hostile."""


class NotFittedError(SimulacraError, RuntimeError):
    """A synthesizer was asked to sample (or save) before it was fitted."""


class FileFormatError(SimulacraError, ValueError):
    """A data file cannot be read or written in the format its name suggests."""


class ParameterError(SimulacraError, ValueError):
    """An argument has an invalid value."""


class ConstraintError(SimulacraError, ValueError):
    """A constraint is invalid or cannot be satisfied."""


class SchemaError(SimulacraError, ValueError):
    """A fake-data schema is invalid."""


__all__ = [
    "SimulacraError",
    "InvalidDataError",
    "MetadataError",
    "ModelFileError",
    "NotFittedError",
    "FileFormatError",
    "ParameterError",
    "ConstraintError",
    "SchemaError",
]


class DatabaseError(SimulacraError, RuntimeError):
    """A database refused the connection or the write (nothing was committed)."""


__all__.append("DatabaseError")
