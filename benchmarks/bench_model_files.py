"""Hostile and honest model files: time and peak memory of loading each, in a fresh process.

    python benchmarks/bench_model_files.py [--honest-mib 256]

Prints one row per file: what happened (loaded / the error's first words), seconds, peak RSS.
The hostile files are the audit's: a bzip2 bomb with a lying size, a deflate member lying about
its size, honest deflate headers declaring 3.7 GB, a .npy header declaring 7.28 TiB.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.io.test_model_bombs import (  # noqa: E402
    BZIP2_BOMB,
    _huge_honest,
    _inner,
    _model,
    _npy_with_header,
    _npz,
    _patch_size,
    _raw_deflate_member,
)

PROBE = """
import resource, sys, time
from simulacra.io.modelfile import load_model
t = time.perf_counter()
try:
    m = load_model(sys.argv[1]); what = "loaded"
except Exception as e:
    what = type(e).__name__ + ": " + str(e).replace(sys.argv[1], "FILE")[:70]
dt = time.perf_counter() - t
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(f"{dt:.3f}\\t{hwm / 1024:.0f}\\t{what}")
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--honest-mib", type=int, default=256)
    args = ap.parse_args()
    d = Path(tempfile.mkdtemp())
    files = {}
    p = _model(d / "bz.zip", BZIP2_BOMB, method=zipfile.ZIP_BZIP2)
    p.write_bytes(_patch_size(p.read_bytes(), b"arrays.npz", 1000))
    files["bzip2 bomb, 1.9 GB declared as 1,000 bytes"] = p
    files["deflate member, 256 MiB declared as 1,000 bytes"] = _raw_deflate_member(
        d / "lie.zip", "arrays.npz", [bytes(1 << 20)] * 256, 1000, 0
    )
    p = _model(d / "big.zip", _npz(a0=np.zeros(3)))
    p.write_bytes(_patch_size(p.read_bytes(), b"arrays.npz", 3_700_000_000))
    files["deflate member declaring 3.7 GB"] = p
    files[".npy header declaring 7.28 TiB"] = _model(
        d / "tib.zip", _inner({"a0.npy": _npy_with_header((10**12,), body=bytes(64))})
    )
    files[f"honest zeros, {args.honest_mib} MiB of arrays"] = _huge_honest(d / "honest.zip", args.honest_mib * 2**20)
    rng = np.random.default_rng(0)
    files["honest random floats, 64 MiB"] = _model(d / "rand.zip", _npz(a0=rng.standard_normal(8 * 2**20)))
    print(f"{'file':52} {'seconds':>8} {'peak MiB':>9}  outcome")
    for name, path in files.items():
        out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True).stdout.strip()
        dt, rss, what = out.split("\t", 2)
        print(f"{name:52} {float(dt):8.3f} {float(rss):9.0f}  {what}")


if __name__ == "__main__":
    main()
