"""The one progress bar: rich, on stderr, for long runs (sampling, writing, training); or nothing.

Training (:class:`LossProgress`) follows SDV's ``verbose``: quiet unless asked; when asked, a live
bar with the epoch and the latest losses on a terminal or in a notebook, and one plain line per
epoch elsewhere (a log file, CI), so the losses are never lost to a bar that cannot redraw.
"""

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


def format_losses(losses: dict) -> str:
    """``{"G": -0.5, "D": 0.25}`` -> ``"G -0.500 | D +0.250"`` (what the bar and the lines show)."""
    return " | ".join(f"{k} {v:+.3f}" for k, v in losses.items())


class LossProgress:
    """Training progress over ``epochs`` with the latest losses, shown when ``verbose`` (on stderr).

    Parameters
    ----------
    epochs : int
        Epochs the training runs (the bar's total).
    verbose : bool
        Show the progress (SDV's ``verbose``); False: nothing is written.
    title : str
        What trains (e.g. ``"CTGAN"``), first on the bar and on each line.

    Notes
    -----
    Where stderr is a terminal or a notebook the progress is a rich bar (``CTGAN  epoch 12/300
    G -0.512 | D +0.130``, elapsed and remaining time); anywhere else each epoch writes one line
    (``CTGAN epoch 12/300: G -0.512 | D +0.130``). Use it as a context manager and call
    :meth:`update` once per epoch.
    """

    def __init__(self, epochs: int, verbose: bool, title: str):
        self.verbose = bool(verbose)
        self.epochs = int(epochs)
        self.title = title
        self.epoch = 0
        self.live = False
        self._bar = None

    def __enter__(self):
        if not self.verbose:
            return self
        from rich.console import Console

        console = Console(file=sys.stderr)
        self.live = bool(console.is_terminal or console.is_jupyter)
        if self.live:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("epoch {task.completed}/{task.total}"),
                TextColumn("{task.fields[losses]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(self.title, total=self.epochs, losses="")
        return self

    def update(self, **losses):
        """One epoch done, with its losses (``name=value``)."""
        self.epoch += 1
        if not self.verbose:
            return
        text = format_losses(losses)
        if self._bar is not None:
            self._bar.update(self._task, advance=1, losses=text)
        else:
            sys.stderr.write(f"{self.title} epoch {self.epoch}/{self.epochs}: {text}\n")
            sys.stderr.flush()

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
            self._bar = None
        return False
