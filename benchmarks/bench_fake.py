"""Fake people side by side: simulacra vs Faker vs mimesis, in one process run.

Each tool makes rows of (full name, email, street address, city, birth date, phone number) as a
pandas DataFrame. simulacra makes 1,000,000 rows; Faker (one Python call per value) is measured
on --faker-rows rows and mimesis (Fieldset, one call per column) on --mimesis-rows rows, and
their rows/second are what is compared. Peak memory is the peak RSS growth of each run
(see _measure.py); it is reported for the row count each tool ran.

Cold start: the first fake value (a full name) in a fresh subprocess, from the import on
(``from simulacra.fake import Fake; Fake(seed=0).person.full_name()`` vs ``from faker import
Faker; Faker("en_US").name()``), tools alternating, min and median of --cold-runs.

    python benchmarks/bench_fake.py [--rows 1000000] [--faker-rows 20000] [--mimesis-rows 200000] [--cold-runs 9] [--cold-only]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import measure  # noqa: E402

COLUMNS = ["full_name", "email", "street_address", "city", "birthdate", "phone_number"]


def run_simulacra(n: int):
    from simulacra.fake import Fake

    schema = {c: c for c in COLUMNS}
    return Fake(locale="en_US", seed=0).table(schema, n=n)


def run_faker(n: int):
    from faker import Faker

    f = Faker("en_US")
    f.seed_instance(0)
    rows = [(f.name(), f.email(), f.street_address(), f.city(), f.date_of_birth(), f.phone_number()) for _ in range(n)]
    return pd.DataFrame(rows, columns=COLUMNS)


def run_mimesis(n: int):
    from mimesis import Fieldset
    from mimesis.locales import Locale

    fs = Fieldset(locale=Locale.EN, i=n, seed=0)
    return pd.DataFrame(
        {
            "full_name": fs("full_name"),
            "email": fs("email"),
            "street_address": fs("address"),
            "city": fs("city"),
            "birthdate": fs("birthdate"),
            "phone_number": fs("telephone"),
        }
    )


COLD = {
    "simulacra": "from simulacra.fake import Fake\nv = Fake(seed=0).person.full_name()",
    "Faker": "from faker import Faker\nf = Faker('en_US')\nf.seed_instance(0)\nv = f.name()",
    "mimesis": "from mimesis import Person\nfrom mimesis.locales import Locale\nv = Person(Locale.EN, seed=0).full_name()",
}


def cold_first_value(runs: int) -> None:
    times: dict = {}
    for _ in range(runs):
        for tool, body in COLD.items():
            code = "import time\nt = time.perf_counter()\n" + body + "\nprint(time.perf_counter() - t)\n"
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if out.returncode == 0:
                times.setdefault(tool, []).append(float(out.stdout.strip().splitlines()[-1]))
    print(f"cold start, first value in a fresh process ({runs} runs each):")
    print(f"{'tool':<10} {'min s':>7} {'median s':>9}")
    for tool, ts in times.items():
        print(f"{tool:<10} {min(ts):>7.3f} {statistics.median(ts):>9.3f}")
    if "Faker" in times and "simulacra" in times:
        ratio = statistics.median(times["simulacra"]) / statistics.median(times["Faker"])
        print(
            f"simulacra's first value takes {ratio:.2f}x Faker's time (medians); target under 0.3 s: "
            f"{'met' if statistics.median(times['simulacra']) < 0.3 else 'NOT met'} on this machine now"
        )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--faker-rows", type=int, default=20_000)
    ap.add_argument("--mimesis-rows", type=int, default=200_000)
    ap.add_argument("--cold-runs", type=int, default=9)
    ap.add_argument("--cold-only", action="store_true", help="only the cold-start comparison")
    args = ap.parse_args(argv)
    cold_first_value(args.cold_runs)
    if args.cold_only:
        return
    runs = [
        ("simulacra", run_simulacra, args.rows),
        ("mimesis", run_mimesis, args.mimesis_rows),
        ("Faker", run_faker, args.faker_rows),
    ]
    results = []
    for name, fn, n in runs:
        try:
            r: dict = {}
            with measure(r):
                df = fn(n)
            assert len(df) == n and list(df.columns) == COLUMNS
            results.append(
                {
                    "tool": name,
                    "rows": n,
                    "seconds": r["seconds"],
                    "rows_per_s": n / r["seconds"],
                    "peak_mib": r["peak_mib"],
                }
            )
        except ImportError as e:
            print(f"skipping {name}: {e}")
    base = {r["tool"]: r["rows_per_s"] for r in results}
    print(f"{'tool':<10} {'rows':>10} {'seconds':>9} {'rows/s':>12} {'peak MiB':>9}  simulacra speed-up")
    for r in results:
        ratio = base["simulacra"] / r["rows_per_s"]
        print(
            f"{r['tool']:<10} {r['rows']:>10,} {r['seconds']:>9.2f} {r['rows_per_s']:>12,.0f} {r['peak_mib']:>9.0f}  {ratio:>6.1f}x"
        )
    if "Faker" in base and "mimesis" in base:
        ok = base["simulacra"] >= 100 * base["Faker"] and base["simulacra"] >= 5 * base["mimesis"]
        print(f"target (>= 100x Faker and >= 5x mimesis rows/s): {'met' if ok else 'NOT met'}")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "fake.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
