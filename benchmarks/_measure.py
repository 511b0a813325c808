"""Wall time and peak memory of a block, in one process.

Peak memory is the peak resident set size (VmHWM) reached during the block minus the resident
size before it; the peak is reset before each block through ``/proc/self/clear_refs`` (Linux),
so every library's allocations count (numpy, Arrow and Python objects alike).
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


@contextmanager
def measure(result: dict):
    gc.collect()
    _reset_peak()
    before = _status("VmRSS")
    t0 = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - t0
        result["peak_mib"] = max(0, _status("VmHWM") - before) / 2**20
