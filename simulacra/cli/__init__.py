"""Command line: ``simulacra demo | metadata | fit | sample | evaluate | report | fake | synthesizers``.

Every user error is a :class:`simulacra.errors.SimulacraError`: printed as one line on stderr,
exit status 1 (see :mod:`simulacra.cli.app` for the statuses and signals, and
:mod:`simulacra.cli.outputs` for the overwrite policy). Heavy modules are imported inside the
commands so ``simulacra --help`` is instant.
"""

from . import data_commands, model_commands  # noqa: F401 - registers the commands
from . import multi_commands  # noqa: F401 - db-synth; multi-table fit/sample/metadata
from . import generative_commands  # noqa: F401 - generate-text, prompt-table, impute
from .app import cli, main

__all__ = ["cli", "main"]
