"""Person names in synthetic data: are real first names and surnames copied, and how long detection takes.

Builds a table of people shaped like the baseball ``people`` table (``playerID``, ``nameFirst``,
``nameLast``, ``nameGiven`` in camelCase, birth places, bats/throws, height, weight, debut date),
or reads one (``--csv``), detects its metadata, fits a Gaussian copula and samples as many rows.
Prints the detected sdtypes of the name columns, the detection time (the first call, which builds
the name lookup sets, and the best of three later calls) and, for each name column, the share of
synthetic values that are *rare real values* (a value that appears at most twice in the real
table, i.e. points at one or two real people).

The built table's names come from Faker's name lists of other locales than en_US, minus every
en_US name, and 30% of the surnames are invented: the default fake engine (en_US) can never make
them, so every rare real name in the sample was copied from the table.

    python benchmarks/bench_names.py [--rows 20000] [--csv people.csv]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

NAME_COLUMNS = ("nameFirst", "nameLast", "nameGiven")


def _names(attrs, locales):
    import importlib

    out = set()
    for loc in locales:
        prov = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for a in attrs:
            src = getattr(prov, a, ())
            if isinstance(src, (dict, list, tuple, set, frozenset)):
                out.update(str(x) for x in src)
    return out


def people_table(n: int, seed: int = 0) -> pd.DataFrame:
    """A people table with Zipf-distributed names that the en_US fake engine never makes."""
    rng = np.random.default_rng(seed)
    others = ("de_DE", "it_IT", "es_ES", "pl_PL", "fr_FR", "nl_NL", "sv_SE", "pt_BR")
    first_attrs = ("first_names", "first_names_male", "first_names_female")
    last_attrs = ("last_names",)
    us_first = {x.lower() for x in _names(first_attrs, ("en_US",))}
    us_last = {x.lower() for x in _names(last_attrs, ("en_US",))}
    first_pool = sorted(x for x in _names(first_attrs, others) if x.lower() not in us_first and x.isalpha())
    last_pool = sorted(x for x in _names(last_attrs, others) if x.lower() not in us_last and x.isalpha())
    syl = np.array(
        ["ka", "ro", "ven", "dul", "mar", "sto", "bel", "tri", "gan", "hov", "ski", "ler", "man", "ton", "wic"]
    )
    invented = {"".join(rng.choice(syl, 3)).capitalize() for _ in range(3000)}
    invented = sorted(x for x in invented if x.lower() not in us_last)
    rng.shuffle(first_pool)
    rng.shuffle(last_pool)

    def zipf(pool, size, a=1.05):
        w = 1.0 / np.arange(1, len(pool) + 1) ** a
        return np.asarray(pool, dtype=object)[rng.choice(len(pool), size, p=w / w.sum())]

    first = zipf(first_pool, n, 0.8)
    last = np.where(rng.random(n) < 0.3, zipf(invented, n, 0.5), zipf(last_pool, n, 0.5))
    middle = zipf(first_pool, n)
    given = np.where(rng.random(n) < 0.7, pd.Series(first) + " " + pd.Series(middle), first)
    year = rng.integers(1850, 2001, n)
    countries = ["USA"] * 85 + ["D.R."] * 5 + ["Venezuela"] * 3 + ["CAN", "CAN", "P.R.", "P.R.", "Cuba", "Mexico"]
    country = np.asarray(countries, dtype=object)[rng.integers(0, len(countries), n)]
    rare_country = rng.random(n) < 0.003
    country[rare_country] = np.asarray(
        ["Aruba", "Belgium", "Curacao", "Greece", "Jamaica", "Norway", "Peru"], dtype=object
    )[rng.integers(0, 7, rare_country.sum())]
    pid = pd.Series(last).str.lower().str[:5] + pd.Series(first).str.lower().str[:2]
    pid = pid + (pid.groupby(pid).cumcount() + 1).map("{:02d}".format)
    debut = pd.to_datetime(pd.Series(year + 22).astype(str) + "-04-01") + pd.to_timedelta(
        rng.integers(0, 180, n), unit="D"
    )
    return pd.DataFrame(
        {
            "playerID": pid,
            "birthYear": year,
            "birthCountry": country,
            "nameFirst": first,
            "nameLast": last,
            "nameGiven": given,
            "weight": np.round(rng.normal(185, 20, n)).astype(int),
            "height": np.round(rng.normal(72, 2.5, n)).astype(int),
            "bats": rng.choice(np.array(["R", "L", "B"], dtype=object), n, p=[0.6, 0.3, 0.1]),
            "throws": rng.choice(np.array(["R", "L"], dtype=object), n, p=[0.75, 0.25]),
            "debut": debut.dt.strftime("%Y-%m-%d"),
        }
    )


def rare_copied_share(real: pd.Series, synthetic: pd.Series, k: int = 2) -> float:
    """Share of present synthetic values that appear at most ``k`` times in ``real``."""
    counts = real.dropna().value_counts()
    rare = counts.index[counts <= k]
    syn = synthetic.dropna()
    return float(syn.isin(rare).mean()) if len(syn) else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--csv", help="a real people table with nameFirst/nameLast columns")
    args = ap.parse_args()
    from simulacra import GaussianCopulaSynthesizer, Metadata

    real = pd.read_csv(args.csv) if args.csv else people_table(args.rows)
    t0 = time.perf_counter()
    md = Metadata.detect_from_dataframe(real)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(3):
        t0 = time.perf_counter()
        Metadata.detect_from_dataframe(real)
        warm.append(time.perf_counter() - t0)
    print(f"table: {len(real):,} rows x {real.shape[1]} columns")
    print(f"detection: first call {cold:.3f} s, later calls {min(warm):.3f} s (best of 3)")
    syn = GaussianCopulaSynthesizer(md).fit(real, seed=0).sample(len(real), seed=0)
    print("column      sdtype       synthetic values that are rare real values (<= 2 real rows)")
    for c in NAME_COLUMNS + ("birthCountry",):
        if c in real.columns:
            print(f"{c:<11} {md.columns[c]['sdtype']:<12} {rare_copied_share(real[c], syn[c]):.1%}")


if __name__ == "__main__":
    main()
