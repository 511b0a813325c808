"""Digests of seeded samples from every registered synthesizer, to show a refactor changed no rows.

    python benchmarks/sample_digests.py --write digests.json   # before
    python benchmarks/sample_digests.py --check digests.json   # after: lists what differs

Each scenario fits one synthesizer on a shared table (or a small mixed table with ids, PII, text,
booleans and dates), then samples with a fixed seed and batch size, with and without constraints
and conditions; the digest hashes values and dtypes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets"


FRAMES: dict = {}
EXCLUDE: list = []  # --exclude: columns left out of the digests (to show a change touched only them)


def digest(df: pd.DataFrame, key: str | None = None) -> str:
    if key is not None:
        FRAMES[key] = df
    df = df.drop(columns=[c for c in EXCLUDE if c in df.columns])
    h = hashlib.sha256()
    h.update(repr(list(df.columns)).encode())
    h.update(repr([str(t) for t in df.dtypes]).encode())
    h.update(pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def mixed_table(n=300) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "user_id": [f"U-{i:05d}" for i in range(n)],
            "n_id": np.arange(100, 100 + n),
            "email": [f"person{i}@example.com" for i in range(n)],
            "note": ["some words here " * int(k) for k in rng.integers(1, 4, n)],
            "flag": rng.random(n) < 0.3,
            "when": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "low": (np.arange(n) * 0.05 + rng.normal(0, 0.01, n)).round(4),
            "high": (np.arange(n) * 0.05 + rng.gamma(2.0, 1.0, n)).round(2) + 0.5,
            "kind": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
            "count": rng.poisson(3, n),
        }
    )


def scenarios():
    from simulacra import Metadata

    penguins = pd.read_csv(DATA / "penguins.csv")
    weather = pd.read_csv(DATA / "seattle_weather.csv")
    mixed = mixed_table()
    md_p = Metadata.detect_from_dataframe(penguins)
    md_w = Metadata.detect_from_dataframe(weather)
    md_m = Metadata.detect_from_dataframe(mixed)
    md_m.update_column("user_id", sdtype="id")
    md_m.update_column("n_id", sdtype="id")
    md_m.update_column("email", sdtype="email", pii=True)
    md_m.update_column("note", sdtype="text")
    md_m.set_primary_key("user_id")
    return {"penguins": (penguins, md_p), "weather": (weather, md_w), "mixed": (mixed, md_m)}


def fast_params(name):
    if name in ("ctgan", "tvae", "copulagan"):
        return {"epochs": 2, "batch_size": 100}
    return {}


def run() -> dict:
    from simulacra import Condition
    from simulacra.constraints import FixedCombinations, Inequality, Unique
    from simulacra.synthesizers import available, get_synthesizer_class

    out = {}
    tables = scenarios()
    for name in available():
        cls = get_synthesizer_class(name)
        for tname, (df, md) in tables.items():
            s = cls(md, **fast_params(name))
            if tname == "mixed":
                s.add_constraints([Inequality("low", "high"), FixedCombinations(["kind", "flag"])])
            s.fit(df, seed=3)
            key = f"{name}/{tname}"
            out[key + "/sample"] = digest(s.sample(137, seed=5, batch_size=50), key + "/sample")
            out[key + "/sample_seed_none_len"] = str(len(s.sample(3)))
            col = "species" if tname == "penguins" else ("weather" if tname == "weather" else "kind")
            val = df[col].dropna().iloc[0]
            try:
                out[key + "/conditions"] = digest(
                    s.sample_from_conditions(
                        [Condition({col: val}, num_rows=20), Condition({col: df[col].dropna().iloc[-1]}, num_rows=7)],
                        seed=9,
                    )
                )
            except Exception as e:  # noqa: BLE001
                out[key + "/conditions"] = f"error {type(e).__name__}: {e}"
            known = df[[col]].dropna().head(25).reset_index(drop=True)
            try:
                out[key + "/remaining"] = digest(s.sample_remaining_columns(known, seed=11))
            except Exception as e:  # noqa: BLE001
                out[key + "/remaining"] = f"error {type(e).__name__}: {e}"
        if name == "gaussian_copula":
            df, md = tables["mixed"]
            s = cls(md)
            s.add_constraints([Unique(["low"])])
            s.fit(df, seed=3)
            try:
                out[name + "/mixed/unique"] = digest(s.sample(15, seed=5, batch_size=4))
            except Exception as e:  # noqa: BLE001
                out[name + "/mixed/unique"] = f"error {type(e).__name__}: {e}"
        print(name, "done", file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write")
    g.add_argument("--check")
    ap.add_argument("--exclude", default="", help="comma-separated columns left out of every digest")
    a = ap.parse_args()
    EXCLUDE.extend(c for c in a.exclude.split(",") if c)
    got = run()
    if a.write:
        Path(a.write).write_text(json.dumps(got, indent=1) + "\n")
        frames = Path(a.write).with_suffix(".frames")
        frames.mkdir(exist_ok=True)
        for k, df in FRAMES.items():
            df.to_parquet(frames / (k.replace("/", "__") + ".parquet"))
        print(f"{len(got)} digests written to {a.write}")
        return 0
    want = json.loads(Path(a.check).read_text())
    bad = [k for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]
    frames = Path(a.check).with_suffix(".frames")
    for k in bad:
        print(f"DIFFERS {k}: before {want.get(k)} after {got.get(k)}")
        old = frames / (k.replace("/", "__") + ".parquet")
        if k in FRAMES and old.exists():
            before, after = pd.read_parquet(old), FRAMES[k]
            if before.shape == after.shape:
                cells = (before.astype(str).to_numpy() != after.astype(str).to_numpy()).mean()
                print(f"    {cells:.2%} of the cells differ")
    print(f"{len(got) - len(bad)} of {len(got)} digests unchanged")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
