"""The one progress bar: rich, on stderr, for long runs (sampling, writing, training); or nothing."""

from __future__ import annotations

import sys


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False


def progress(total, show):
    """A context manager giving a rich ``Progress`` on stderr when ``show``, else ``None``."""
    if not show:
        return _NoProgress()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=False,
    )


class LossProgress:
    """A bar over training epochs that shows the latest losses (when ``verbose``), built on :func:`progress`."""

    def __init__(self, epochs: int, verbose: bool, title: str):
        self.verbose = verbose
        self.epochs = epochs
        self.title = title

    def __enter__(self):
        if self.verbose:
            self.progress = progress(self.epochs, True)
            self.progress.__enter__()
            self.task = self.progress.add_task(self.title, total=self.epochs)
        return self

    def update(self, **losses):
        if self.verbose:
            text = " ".join(f"{k} {v:+.3f}" for k, v in losses.items())
            self.progress.update(self.task, advance=1, description=f"{self.title} {text}")

    def __exit__(self, *exc):
        if self.verbose:
            self.progress.__exit__(*exc)
        return False
