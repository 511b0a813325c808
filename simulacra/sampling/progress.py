"""A progress bar on stderr for long runs (rich), or nothing."""

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
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=False,
    )
