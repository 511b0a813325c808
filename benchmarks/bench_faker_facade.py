"""simulacra.fake.Faker against Faker: single calls in a loop, and whole columns (``n=``).

For each method, the time of 10,000 single calls (``for _ in range(10_000): fake.name()``) with
both libraries, and the time of one column of ``--rows`` values: ``fake.name(n=rows)`` here,
``[fake.name() for _ in range(rows)]`` with Faker (its only way). Both are seeded; the first call
(start-up, locale data) is made before timing.

    python benchmarks/bench_faker_facade.py [--rows 1000000] [--loop 10000]
"""

from __future__ import annotations

import argparse
import time

METHODS = ("name", "address", "email", "phone_number", "text", "company", "date_of_birth", "pyint", "uuid4")


def _loop(fn, k: int) -> float:
    t = time.perf_counter()
    for _ in range(k):
        fn()
    return time.perf_counter() - t


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--loop", type=int, default=10_000)
    ap.add_argument(
        "--faker-rows", type=int, default=100_000, help="Faker's column is timed on this many rows and scaled"
    )
    args = ap.parse_args(argv)

    from faker import Faker as RealFaker

    from simulacra.fake import Faker

    ours, theirs = Faker(), RealFaker()
    ours.seed_instance(0)
    theirs.seed_instance(0)
    print(
        f"{'method':<14} {'loop ours':>10} {'loop Faker':>11} {'x':>5}   {'column ours':>12} {'column Faker':>13} {'x':>6}"
    )
    for m in METHODS:
        a, b = getattr(ours, m), getattr(theirs, m)
        a(), b()
        la, lb = _loop(a, args.loop), _loop(b, args.loop)
        t = time.perf_counter()
        a(n=args.rows)
        ca = time.perf_counter() - t
        cb = _loop(b, args.faker_rows) * args.rows / args.faker_rows
        print(f"{m:<14} {la:>9.3f}s {lb:>10.3f}s {lb / la:>5.1f}   {ca:>11.2f}s {cb:>12.1f}s {cb / ca:>6.0f}")
    print(f"loop: {args.loop:,} single calls; column: {args.rows:,} values (Faker's from {args.faker_rows:,}, scaled)")


if __name__ == "__main__":
    main()
