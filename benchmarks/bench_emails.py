"""Unique e-mails: simulacra's ``Fake.email(n, unique=True)`` against Faker's ``fake.unique.email()``.

Prints seconds and distinct values for plain and unique e-mails (en_US), and the speed ratio.
Usage: ``python benchmarks/bench_emails.py [-n 100000] [--repeat 3]`` (pin thread pools to one).
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


if __name__ == "__main__":
    main()
