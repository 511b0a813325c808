"""``simulacra sample`` streams: the first bytes come at once and memory does not follow ``-n``.

For each ``-n`` the script starts ``simulacra sample MODEL -n N -o out.csv`` in its own process,
waits for the first bytes of the temporary part file, lets it write ``--mb`` MB, reads its
resident memory, stops it with SIGTERM (exit 143, nothing left behind), and prints one row per
``-n``: seconds to the first bytes, peak RSS, and the RSS ratio to the smallest ``-n``. Absurd
sizes (more than the free disk space) are refused up front: their row shows the refusal time.

    python benchmarks/bench_cli_stream.py [--sizes 1e6,1e8,1e9,1e12] [--mb 40]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(model: Path, folder: Path, n: int, mb: float) -> dict:
    out = folder / f"out{n}.csv"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulacra", "sample", str(model), "-n", str(n), "--seed", "0", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    first = None
    while proc.poll() is None:
        parts = list(folder.glob(f".{out.name}.{proc.pid}.*.part"))
        size = parts[0].stat().st_size if parts else 0
        if size and first is None:
            first = time.perf_counter() - t0
        if size >= mb * 1e6:
            rss = peak_rss_mb(proc.pid)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate()
            left = sorted(p.name for p in folder.iterdir() if p.name != model.name)
            return {
                "n": n,
                "first_s": first,
                "rss_mb": rss,
                "rc": proc.returncode,
                "left": left,
                "note": err.strip()[:60],
            }
        time.sleep(0.02)
    _, err = proc.communicate()
    return {
        "n": n,
        "first_s": first,
        "rss_mb": float("nan"),
        "rc": proc.returncode,
        "left": [],
        "note": err.strip()[:90],
        "refused_s": time.perf_counter() - t0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e6,1e8,1e9,1e12")
    ap.add_argument("--mb", type=float, default=40.0, help="MB written before the run is stopped")
    args = ap.parse_args()
    from simulacra import GaussianCopulaSynthesizer, Metadata
    from simulacra.datasets import load_demo

    with tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp:
        folder = Path(tmp)
        real = load_demo()
        model = folder / "penguins.zip"
        GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(real)).fit(real).save(model)
        rows = [run(model, folder, int(float(s)), args.mb) for s in args.sizes.split(",")]
    base = next((r["rss_mb"] for r in rows if r["rss_mb"] == r["rss_mb"]), float("nan"))
    print(f"{'-n':>16} {'first bytes s':>14} {'peak RSS MB':>12} {'RSS / smallest':>15} {'exit':>5}  note")
    for r in rows:
        if "refused_s" in r:
            print(
                f"{r['n']:>16,} {'-':>14} {'-':>12} {'-':>15} {r['rc']:>5}  refused in {r['refused_s']:.2f} s: {r['note']}"
            )
        else:
            print(
                f"{r['n']:>16,} {r['first_s']:>14.2f} {r['rss_mb']:>12.0f} {r['rss_mb'] / base:>15.2f} {r['rc']:>5}  left behind: {r['left'] or 'nothing'}"
            )


if __name__ == "__main__":
    main()
