"""Thread pools on small problems, in one process run: default pools vs ``limit_threads_for``.

Run it without OMP_NUM_THREADS/OPENBLAS_NUM_THREADS/MKL_NUM_THREADS set (the default pools,
one thread per core). Each step runs with simulacra's rule (problems under
``simulacra._threads.SMALL_CELLS`` cells on one thread) and with the rule switched off
(``SMALL_CELLS = 0``), alternating, best of ``--repeat``:

- ``evaluate_utility`` on penguins (train on one half, test on the other);
- ``CARTSynthesizer.fit``, ``GaussianCopulaSynthesizer.fit`` and ``BayesianNetworkSynthesizer.fit`` on penguins.

    python benchmarks/bench_threads.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    pinned = {
        v: os.environ[v] for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS") if v in os.environ
    }
    if pinned:
        print(f"note: {pinned} is set, so the default pools are already small")
    import warnings

    from threadpoolctl import threadpool_info

    import simulacra._threads as threads
    from simulacra import (
        BayesianNetworkSynthesizer,
        CARTSynthesizer,
        GaussianCopulaSynthesizer,
        Metadata,
        evaluate_utility,
    )
    from simulacra.datasets import load_demo

    warnings.simplefilter("ignore")
    df = load_demo()
    meta = Metadata.detect_from_dataframe(df)
    train, test = df.iloc[::2].reset_index(drop=True), df.iloc[1::2].reset_index(drop=True)
    steps = {
        "evaluate_utility(penguins)": lambda: evaluate_utility(
            train, train, test, target="species", metadata=meta, verbose=False
        ),
        "CARTSynthesizer.fit(penguins)": lambda: CARTSynthesizer(meta).fit(df),
        "GaussianCopulaSynthesizer.fit(penguins)": lambda: GaussianCopulaSynthesizer(meta).fit(df),
        "BayesianNetworkSynthesizer.fit(penguins)": lambda: BayesianNetworkSynthesizer(meta).fit(df),
    }
    for fn in steps.values():  # warm up: imports, first-call caches
        fn()
    pools = sorted({(p["internal_api"], p["num_threads"]) for p in threadpool_info()})
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; pools {pools}")
    small = threads.SMALL_CELLS
    print(f"{'step':<42}{'default pools s':>16}{'one thread s':>14}{'ratio':>8}")
    for name, fn in steps.items():
        best = {"default": float("inf"), "one": float("inf")}
        for _ in range(args.repeat):
            for mode in ("default", "one"):
                threads.SMALL_CELLS = 0 if mode == "default" else small
                t = time.perf_counter()
                fn()
                best[mode] = min(best[mode], time.perf_counter() - t)
        threads.SMALL_CELLS = small
        print(f"{name:<42}{best['default']:>16.3f}{best['one']:>14.3f}{best['default'] / best['one']:>7.1f}x")


if __name__ == "__main__":
    sys.exit(main())
