"""Thread pools for small problems: run them on one thread.

BLAS (OpenBLAS, MKL), OpenMP (scikit-learn's trees and boosting) and torch start one thread per
core. On a small problem the threads cost more than they save, and on a busy machine they fight
over the same cores: ``evaluate_utility`` on the 344-row penguins table took 14.2 s with the
default pools and 0.30 s with one thread on a loaded 2-core machine. ``limit_threads_for(n)``
runs its block single-threaded when the problem has fewer than ``SMALL_CELLS`` cells (rows x
columns) and leaves the pools alone otherwise::

    with limit_threads_for(X.size):
        model.fit(X, y)

Blocks may nest and may run on several threads at once: the pools are limited when the first
block opens and restored when the last one closes. torch's intra-op threads are limited too when
torch is already imported (``torch.set_num_threads``), and restored afterwards.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

#: Problems with fewer cells than this (rows x columns) run on one thread.
SMALL_CELLS = 1_000_000

_lock = threading.Lock()
_depth = 0
_limiter = None
_torch_threads: int | None = None
_controller = None
_controller_modules = -1


def _get_controller():
    """threadpoolctl's view of the loaded pools, found again only when new modules were imported
    (finding them takes milliseconds, applying a limit a tenth of one)."""
    global _controller, _controller_modules
    n = len(sys.modules)
    if _controller is None or n != _controller_modules:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
        _controller_modules = n
    return _controller


def _enter() -> None:
    global _depth, _limiter, _torch_threads
    with _lock:
        _depth += 1
        torch = sys.modules.get("torch")
        if torch is not None and _torch_threads is None and hasattr(torch, "get_num_threads"):
            _torch_threads = torch.get_num_threads()  # before the OpenMP limit, which torch reports too
            torch.set_num_threads(1)
        if _depth == 1:
            _limiter = _get_controller().limit(limits=1)


def _exit() -> None:
    global _depth, _limiter, _torch_threads
    with _lock:
        _depth -= 1
        if _depth > 0:
            return
        if _limiter is not None:
            _limiter.restore_original_limits()
            _limiter = None
        if _torch_threads is not None:  # after the OpenMP pools, so that torch's own count wins
            torch = sys.modules.get("torch")
            if torch is not None:
                torch.set_num_threads(_torch_threads)
            _torch_threads = None


@contextmanager
def limit_threads_for(n_cells: int, small: int | None = None):
    """Run the block on one thread (BLAS, OpenMP, torch) when ``n_cells < small`` (default
    ``SMALL_CELLS``, read at each call: set ``simulacra._threads.SMALL_CELLS = 0`` to keep the pools)."""
    if n_cells >= (SMALL_CELLS if small is None else small):
        yield
        return
    _enter()
    try:
        yield
    finally:
        _exit()


def single_threaded() -> bool:
    """Whether a ``limit_threads_for`` block is open (for tests and diagnostics)."""
    return _depth > 0


__all__ = ["SMALL_CELLS", "limit_threads_for", "single_threaded"]
