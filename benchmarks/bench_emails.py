"""Unique e-mails: simulacra's ``Fake.email(n, unique=True)`` against Faker's ``fake.unique.email()``.

Prints seconds and distinct values for plain and unique e-mails (en_US), the speed ratio, and
the duplicate rate of plain e-mails at 5k / 100k / 1M rows against Faker's ``email()`` (Faker
measured up to ``--faker-max`` rows: it makes one value per call).
Usage: ``python benchmarks/bench_emails.py [-n 100000] [--repeat 3] [--locales en_US ja_JP]
[--faker-max 1000000]`` (pin thread pools to one).
"""

from __future__ import annotations

import argparse
import time


def best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--locales", nargs="+", default=["en_US"])
    ap.add_argument("--faker-max", type=int, default=1_000_000)
    a = ap.parse_args()
    from faker import Faker

    from simulacra.fake import Fake

    f = Fake(seed=0)
    f.email(n=10)  # locale data loaded once, outside the timings
    plain_s, plain = best(lambda: f.email(n=a.n), a.repeat)
    uniq_s, uniq = best(lambda: f.email(n=a.n, unique=True), a.repeat)
    fk = Faker("en_US")

    def faker_unique():
        fk.seed_instance(0)
        fk.unique.clear()
        return [fk.unique.email() for _ in range(a.n)]

    faker_s, faker_vals = best(faker_unique, 1)
    print(f"{'':28} {'seconds':>8} {'distinct':>10}")
    print(f"{'simulacra email(n)':28} {plain_s:8.2f} {plain.nunique():>10,}")
    print(f"{'simulacra email(n, unique)':28} {uniq_s:8.2f} {uniq.nunique():>10,}")
    print(f"{'Faker unique.email() x n':28} {faker_s:8.2f} {len(set(faker_vals)):>10,}")
    print(f"unique e-mails, n={a.n:,}: simulacra is {faker_s / uniq_s:.1f}x Faker's speed")
    dup_rates(a.locales, a.faker_max)


def dup_rates(locales, faker_max):
    """Share of duplicate values (1 - distinct / rows) among plain e-mails, simulacra and Faker."""
    from faker import Faker

    from simulacra.fake import Fake

    sizes = (5_000, 100_000, 1_000_000)
    print(f"\n{'duplicate e-mails':28} " + " ".join(f"{n:>10,}" for n in sizes))
    for loc in locales:
        ours = [1 - Fake(locale=loc, seed=0).email(n=n).nunique() / n for n in sizes]
        print(f"{'simulacra ' + loc:28} " + " ".join(f"{r:10.2%}" for r in ours))
        fk = Faker(loc)
        fk.seed_instance(0)
        vals = [fk.email() for _ in range(min(max(sizes), faker_max))]
        theirs = [f"{1 - len(set(vals[:n])) / n:10.2%}" if n <= len(vals) else f"{'-':>10}" for n in sizes]
        print(f"{'Faker ' + loc:28} " + " ".join(theirs))


if __name__ == "__main__":
    main()
