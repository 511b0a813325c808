"""What every command that writes a file checks first, and how it reports what it wrote.

The policy, the same for every command (``demo`` aside, which replaces its own two files):

- an existing output (a file, or a symbolic link, even a dangling one) is refused unless
  ``--overwrite`` is given, before any work is done;
- with ``--overwrite``, a symbolic link is written through: its target is replaced, the link
  stays (a link loop, a folder or a special file such as a device is refused);
- the output's folder must exist and be writable;
- a misleading extension (a model not ending in ``.zip``, a report not ending in ``.html``,
  metadata not ending in ``.json``) gets a one-line warning on stderr once the file is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import ParameterError, SimulacraError

#: kind of output -> the extensions its name should end in
EXTENSIONS = {"model": (".zip",), "report": (".html", ".htm"), "metadata": (".json",)}


def prepare_output(path, kind: str, overwrite: bool, inputs=()) -> Path:
    """Check ``path`` before any work; return the file that writing it must replace.

    ``inputs`` are the files the command reads: writing over one of them is refused even with
    ``--overwrite``. Raises ParameterError naming the option to pass.
    """
    from ..io.writers import write_target

    p = Path(path)
    if p.is_dir():
        raise ParameterError(f"cannot write {kind} {str(path)!r}: it is a folder; give a file name")
    if os.path.lexists(p) and not overwrite:
        what = "a symbolic link" if p.is_symlink() else "a file"
        raise ParameterError(f"{kind} output {str(path)!r} already exists ({what}); pass --overwrite to replace it")
    try:
        target = write_target(p)
    except SimulacraError as e:
        raise ParameterError(str(e)) from None
    via = f" (the target of the link {str(path)!r})" if target != p else ""
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ParameterError(f"cannot write {kind} {str(target)!r}{via}: folder {str(parent)!r} does not exist")
    if target.is_dir():
        raise ParameterError(f"cannot write {kind} {str(target)!r}{via}: it is a folder")
    if os.path.exists(target) and not target.is_file():
        raise ParameterError(f"cannot write {kind} {str(target)!r}{via}: it is not a regular file")
    if not os.access(parent, os.W_OK):
        raise ParameterError(f"cannot write {kind} {str(target)!r}{via}: folder {str(parent)!r} is not writable")
    for src in inputs:
        if src is not None and _same_file(target, src):
            raise ParameterError(
                f"cannot write {kind} {str(path)!r}: it is the input {str(src)!r} of this command; give another output name"
            )
    return target


def _same_file(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def prepare_table_output(path, overwrite: bool, inputs=()) -> Path:
    """:func:`prepare_output` for a data file, whose format its extension names."""
    from ..io.writers import check_writable

    prepare_output(path, "data", overwrite, inputs)
    check_writable(path)  # known extension
    return Path(path)


def warn_extension(path, kind: str) -> None:
    """One stderr line when ``path`` does not end in the extension of its kind."""
    exts = EXTENSIONS.get(kind, ())
    name = Path(path).name.lower()
    if exts and not name.endswith(exts):
        click.echo(
            f"warning: {str(path)!r} holds a {kind} file but does not end in {' or '.join(exts)}; a name ending in {exts[0]} says what it is",
            err=True,
        )


def split_targets(split_output, overwrite, inputs):
    """(train file, holdout file) in the folder ``split_output`` (``fit --split-output``), checked before any work; None without it."""
    if split_output is None:
        return None
    folder = Path(split_output)
    taken = {os.path.abspath(p) for p in inputs if p}
    if os.path.abspath(folder) in taken:
        raise ParameterError(
            f"--split-output {split_output!r} is a file this command reads or writes; give another folder"
        )
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"--split-output {split_output!r} is a file; give a folder")
    if not folder.exists():
        parent = folder.parent if str(folder.parent) else Path(".")
        if not parent.is_dir() or not os.access(parent, os.W_OK):
            raise ParameterError(
                f"--split-output {split_output!r}: folder {str(parent)!r} does not exist or is not writable"
            )
        return [folder / "train.csv", folder / "holdout.csv"]
    return [prepare_output(folder / f"{n}.csv", "data", overwrite, inputs) for n in ("train", "holdout")]


def write_split(paths, train, holdout) -> None:
    """Write the training and holdout rows of ``fit --holdout`` (the folder is made now, after the fit)."""
    from ..io.writers import write_table

    paths[0].parent.mkdir(exist_ok=True)
    write_table(train, paths[0])
    write_table(holdout, paths[1])


def echo_privacy(synth) -> None:
    """One line for the fit-time privacy check, one per protected column (nothing when neither ran)."""
    info = synth.get_info().get("privacy_check")
    if not info:
        return
    if info.get("summary"):
        click.echo("privacy check: " + info["summary"])
    for c, what in info.get("protection", {}).items():
        click.echo(f"protected {c}: " + ", ".join(f"{k}={v}" for k, v in what.items()))
