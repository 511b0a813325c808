"""Options shared by several commands, and building a synthesizer from ``--param NAME=VALUE``."""

from __future__ import annotations

import json

import click

from ..errors import ParameterError, SimulacraError
from .app import one_line

NEURAL = ("ctgan", "tvae", "copulagan")


def overwrite_option(f):
    return click.option(
        "--overwrite",
        is_flag=True,
        help="Replace an existing output file (a symbolic link is written through to its target).",
    )(f)


class RowCount(click.ParamType):
    """A row count written as an integer or in exponent form: ``1000000``, ``1_000_000``, ``1e9``."""

    name = "ROWS"

    def convert(self, value, param, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            n = value
        else:
            text = str(value).strip().replace("_", "")
            try:
                n = int(text)
            except ValueError:
                try:
                    f = float(text)
                except ValueError:
                    self.fail(f"{value!r} is not a row count (an integer such as 1000000, or 1e9)", param, ctx)
                if not f.is_integer() or f != f:
                    self.fail(f"{value!r} is not a whole number of rows", param, ctx)
                if f > 2**63 - 1:
                    self.fail(f"{value!r} is over 2**63 - 1 rows (row positions are 64-bit)", param, ctx)
                n = int(f)
        if n < 0:
            self.fail(f"{value!r} is negative; give 0 or more rows", param, ctx)
        return n


ROWS = RowCount()


def engine_options(f):
    """``--engine stream|dask``, ``--scheduler ADDRESS``, ``--workers N``, ``--partition-rows N``."""
    f = click.option(
        "--partition-rows",
        type=ROWS,
        default=None,
        help="--engine dask: rows per partition, one Parquet file each (default: about 100 MB a partition).",
    )(f)
    return cluster_options(f)


def cluster_options(f):
    """``--engine stream|dask``, ``--scheduler ADDRESS``, ``--workers N``."""
    f = click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="--engine dask: start a local cluster of N worker processes (default: one per core).",
    )(f)
    f = click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="--engine dask: the address of a running Dask scheduler (tcp://host:8786).",
    )(f)
    f = click.option(
        "--engine",
        type=click.Choice(["stream", "dask"]),
        default="stream",
        show_default=True,
        help="stream: one process, batches streamed to one file; dask: partitions on a Dask cluster, "
        "written as a Parquet dataset folder (pip install 'simulacra[dask]').",
    )(f)
    return f


def check_engine(engine, scheduler, workers, partition_rows=None) -> None:
    """A ParameterError when a dask-only option is given with the default engine."""
    if engine != "dask":
        for opt, v in (("--scheduler", scheduler), ("--workers", workers), ("--partition-rows", partition_rows)):
            if v is not None:
                raise ParameterError(f"{opt} is for --engine dask; add --engine dask, or leave {opt} out")


def metadata_option(default_text: str = "detect from REAL"):
    """``-m/--metadata FILE`` (into ``metadata_path``), shared by the commands that read a table."""
    return click.option(
        "-m",
        "--metadata",
        "metadata_path",
        type=click.Path(),
        default=None,
        help=f"Metadata JSON (default: {default_text}).",
    )


def sep_option(f):
    return click.option(
        "--sep",
        default=None,
        metavar="CHAR",
        help="Field delimiter of the CSV/TXT files read (',' ';' 'tab' '|' ...; default: detected).",
    )(f)


def synthesizer_options(f):
    f = click.option(
        "--param",
        "params",
        multiple=True,
        metavar="NAME=VALUE",
        help="A synthesizer parameter (repeatable); VALUE is read as JSON when it parses (50, true, [64,64]), else as text.",
    )(f)
    f = click.option(
        "--epochs",
        type=click.IntRange(min=1),
        default=None,
        help="Training epochs of a neural synthesizer (ctgan, tvae, copulagan).",
    )(f)
    return f


def parse_params(items) -> dict:
    """``['epochs=5', 'generator_dim=[64,64]']`` -> ``{'epochs': 5, 'generator_dim': [64, 64]}``."""
    out = {}
    for item in items:
        name, eq, text = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise ParameterError(f"--param {item!r}: write NAME=VALUE, e.g. --param epochs=50")
        if name in out:
            raise ParameterError(f"--param {name} is given twice")
        try:
            value = json.loads(text)
        except RecursionError:
            raise ParameterError(f"--param {name}: the value is nested too deeply") from None
        except ValueError as e:
            if text.lstrip()[:1] in ("[", "{", '"'):  # meant as JSON: say why it is not
                raise ParameterError(f"--param {name}: the value is not valid JSON ({e})") from None
            value = text
        out[name] = value
    return out


def _init_parameters(klass):
    """``(name, inspect.Parameter)`` of every ``__init__`` along ``klass``'s MRO, nearest first."""
    import inspect

    for k in klass.__mro__:
        if "__init__" in k.__dict__ and k is not object:
            yield from inspect.signature(k.__dict__["__init__"]).parameters.items()


def parameter_names(klass) -> list[str]:
    """The constructor parameters a user may set (``metadata`` and secrets aside)."""
    names = []
    for n, prm in _init_parameters(klass):
        if (
            prm.kind in (prm.VAR_POSITIONAL, prm.VAR_KEYWORD)
            or n in ("self", "metadata", "pseudonymize_key")
            or n in names
        ):
            continue
        names.append(n)
    return names


#: how ``--param NAME=VALUE`` may spell a boolean (case-insensitive)
BOOL_SPELLINGS = {
    "true": True,
    "yes": True,
    "1": True,
    "on": True,
    "false": False,
    "no": False,
    "0": False,
    "off": False,
}


def bool_parameters(klass) -> set[str]:
    """The constructor parameters whose default is a boolean (``enforce_rounding``, ``cuda``...)."""
    return {n for n, prm in _init_parameters(klass) if isinstance(prm.default, bool)}


def as_bool_param(name: str, value):
    """``--param`` text for a boolean parameter -> True/False: true/false, yes/no, 1/0, on/off.

    Anything else is a ParameterError (``bool('False')`` is True: text is never read as a truth
    value), except device names for ``cuda`` ('cuda:0', 'cpu'), which the synthesizer checks.
    """
    if isinstance(value, bool):
        return value
    key = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if key in BOOL_SPELLINGS:
        return BOOL_SPELLINGS[key]
    if name == "cuda" and isinstance(value, str):
        return value
    raise ParameterError(
        f"--param {name}={value!r}: {name} is true or false (also yes/no, 1/0, on/off), e.g. --param {name}=false"
    )


def warn_cpu_only(kwargs) -> None:
    """``--param cuda=true`` on a machine without CUDA: one warning line, and the CPU is used (as SDV does)."""
    if kwargs.get("cuda") is not True:
        return
    import warnings

    try:
        import torch
    except ImportError:
        return  # the synthesizer says how to install PyTorch
    if not torch.cuda.is_available():
        warnings.warn("--param cuda=true: no CUDA device is available; training on the CPU", stacklevel=2)


def synthesizer_kwargs(klass, params, epochs=None, **fixed) -> dict:
    """Keyword arguments for ``klass(metadata, **kwargs)`` from ``--param`` items and ``--epochs``."""
    kwargs = {k: v for k, v in fixed.items() if v is not None}
    names = parameter_names(klass)
    given = parse_params(params)
    unknown = [n for n in given if n not in names]
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} for {klass.__name__}; its parameters are: {', '.join(names)}"
        )
    for k in given:
        if k in kwargs:
            raise ParameterError(f"--param {k} repeats an option given on its own; give it once")
    booleans = bool_parameters(klass)
    given = {k: as_bool_param(k, v) if k in booleans else v for k, v in given.items()}
    warn_cpu_only(given)
    kwargs.update(given)
    if epochs is not None:
        if "epochs" not in names:
            raise ParameterError(
                f"--epochs applies to the neural synthesizers ({', '.join(NEURAL)}); {klass.__name__} has no epochs"
            )
        if "epochs" in kwargs:
            raise ParameterError("give the epochs once: --epochs or --param epochs=")
        kwargs["epochs"] = epochs
    return kwargs


def build_synthesizer(klass, metadata, kwargs, preset=None):
    """``klass(metadata, **kwargs)`` (or the preset's), with a bad value as a ParameterError."""
    try:
        if preset is not None:
            from ..synthesizers import SingleTablePreset

            return SingleTablePreset(metadata, name=preset, **kwargs)
        return klass(metadata, **kwargs)
    except SimulacraError:
        raise
    except (TypeError, ValueError, OverflowError) as e:
        shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        raise ParameterError(f"invalid parameter for {klass.__name__} ({shown}): {one_line(e)}") from None


_TEXT = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")


def read_data(path, sep=None):
    """``read_table(path)``; ``--sep`` goes to the text (CSV/TSV/TXT) files only."""
    from pathlib import Path

    from ..io.files import read_table

    if sep is not None and Path(path).name.lower().endswith(_TEXT):
        return read_table(path, sep=sep)
    return read_table(path)
