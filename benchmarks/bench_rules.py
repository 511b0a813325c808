"""Rule validity of every synthesizer on the shared tables (issue 13).

For each table x synthesizer: rows breaking any mined rule (rules holding on 100% of the real
rows, :func:`simulacra.evaluation.rule_validity`) with learn_rules=True and learn_rules=False
(where the synthesizers take that parameter), the quality score (evaluate_quality overall), fit
seconds, and SDV's same synthesizer (same epochs) for quality and rule-breaking. Then the issue's
hand checks as an independent oracle. Run: python benchmarks/bench_rules.py --quick
"""

from __future__ import annotations

import argparse
import inspect
import time
from pathlib import Path

import numpy as np
import pandas as pd

import simulacra
from simulacra import Metadata, evaluate_quality
from simulacra.evaluation import rule_validity
from simulacra.evaluation.rule_validity import mine_rules

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"
if not DATA.exists():
    DATA = Path("/work/shared/datasets")
TABLES = ["penguins", "breast_cancer", "email", "gapminder", "seattle_weather", "nycflights13_flights"]
NEURAL = {"ctgan", "tvae", "copulagan"}
SDV = {
    "gaussian_copula": "GaussianCopulaSynthesizer",
    "ctgan": "CTGANSynthesizer",
    "tvae": "TVAESynthesizer",
    "copulagan": "CopulaGANSynthesizer",
}


def make(name, meta, epochs, learn_rules):
    from simulacra.synthesizers import get_synthesizer_class

    cls = get_synthesizer_class(name)
    kw = {}
    params = inspect.signature(cls).parameters
    if name in NEURAL and "epochs" in params:
        kw["epochs"] = epochs
    if learn_rules is not None:
        if "learn_rules" not in params:
            return None
        kw["learn_rules"] = learn_rules
    return cls(meta, **kw)


def hand_checks(table: str, df: pd.DataFrame, real: pd.DataFrame) -> dict:
    """The issue's checks: share of rows failing each (percent)."""
    out = {}
    if table == "penguins":
        allowed = set(zip(real.species, real.island))
        out["island not of species"] = 100 * (~pd.Series(list(zip(df.species, df.island))).isin(allowed)).mean()
        cols = [c for c in ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g") if c in df]
        out["missing a measurement"] = 100 * df[cols].isna().any(axis=1).mean()
    if table == "nycflights13_flights":
        ok = df.hour.notna() & df.sched_dep_time.notna()
        out["hour==sched//100"] = 100 * (ok & (df.hour != df.sched_dep_time // 100)).mean()
        if {"time_hour", "year", "month", "day"} <= set(df):
            th = pd.to_datetime(df.time_hour, errors="coerce", utc=True).dt.tz_localize(None)
            date = pd.to_datetime(dict(year=df.year, month=df.month, day=df.day), errors="coerce")
            exp = date + pd.to_timedelta(df.hour, unit="h")
            out["time_hour==date+hour"] = 100 * (th.notna() & exp.notna() & (th != exp)).mean()

        def minutes(x):
            return (x // 100) * 60 + x % 100

        d = minutes(df.dep_time) - minutes(df.sched_dep_time)
        diff = ((d - df.dep_delay + 720) % 1440) - 720  # across midnight
        ok = df.dep_delay.notna() & df.dep_time.notna()
        out["dep_delay ±1 min"] = 100 * (ok & (diff.abs() > 1)).mean()
        route = real.dropna(subset=["distance"]).groupby(["origin", "dest"]).distance.first()
        key = pd.MultiIndex.from_arrays([df.origin, df.dest])
        exp = route.reindex(key).to_numpy()
        out["distance matches route"] = 100 * (~np.isclose(exp, df.distance.to_numpy()) | np.isnan(exp)).mean()
    if table == "fake_hotel_guests":
        a = pd.to_datetime(df.checkin_date, errors="coerce")
        b = pd.to_datetime(df.checkout_date, errors="coerce")
        out["checkout < checkin"] = 100 * (a.notna() & b.notna() & (b < a)).mean()
    return out


def load(table, rows):
    if table == "fake_hotel_guests":
        try:
            df, meta = simulacra.datasets.download_demo(modality="single_table", dataset_name="fake_hotel_guests")
        except Exception:  # noqa: BLE001 - demo absent
            return None, None
    else:
        df = pd.read_csv(DATA / f"{table}.csv")
        meta = None
    if rows and len(df) > rows:
        df = df.sample(rows, random_state=0).reset_index(drop=True)
    if meta is None:
        meta = Metadata.detect_from_dataframe(df, table_name=table)
    return df, meta


def sdv_run(name, df, meta, epochs, n):
    try:
        import sdv.single_table as st
        from sdv.metadata import Metadata as SMeta

        smeta = SMeta.load_from_dict(meta.to_dict())
        cls = getattr(st, SDV[name])
        kw = {"epochs": epochs} if name in NEURAL else {}
        s = cls(smeta, **kw)
        s.fit(df)
        return s.sample(n)
    except Exception as e:  # noqa: BLE001 - reported as n/a
        print(f"  sdv {name} on this table: {type(e).__name__}: {str(e)[:80]}")
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tables", nargs="*", default=TABLES + ["fake_hotel_guests"])
    ap.add_argument("--synthesizers", nargs="*", default=simulacra.available_synthesizers())
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="2,000 rows, 3 epochs, no SDV")
    ap.add_argument("--no-sdv", action="store_true")
    a = ap.parse_args(argv)
    if a.quick:
        a.rows, a.epochs, a.no_sdv = 2000, 3, True
    lines, oracle = [], []
    for t in a.tables:
        df, meta = load(t, a.rows)
        if df is None:
            print(f"{t}: absent, skipped")
            continue
        t0 = time.perf_counter()
        rules = mine_rules(df, meta)
        mine_s = time.perf_counter() - t0
        print(f"{t}: {len(df):,} rows, {len(rules)} rules mined in {mine_s:.2f}s")
        for s in a.synthesizers:
            row = {"table": t, "synth": s}
            for lr, tag in ((True, "on"), (False, "off")):
                try:
                    m = make(s, meta, a.epochs, lr)
                    if m is None and tag == "on":  # no learn_rules parameter yet: the default model
                        m = make(s, meta, a.epochs, None)
                    if m is None:
                        row[f"break% {tag}"] = np.nan
                        continue
                    t0 = time.perf_counter()
                    m.fit(df)
                    fit_s = time.perf_counter() - t0
                    syn = m.sample(len(df), seed=0)
                    row[f"break% {tag}"] = rule_validity(df, syn, meta, rules=rules).breaking_any_pct
                    if tag == "on":
                        row["quality"] = evaluate_quality(df, syn, meta, verbose=False).get_score()
                        row["fit s"] = fit_s
                        oracle.append({"table": t, "synth": s, **hand_checks(t, syn, df)})
                except Exception as e:  # noqa: BLE001 - one failing cell must not stop the table
                    print(f"  {s} learn_rules={tag}: {type(e).__name__}: {str(e)[:100]}")
                    row[f"break% {tag}"] = np.nan
            if not a.no_sdv and s in SDV:
                syn = sdv_run(s, df, meta, a.epochs, len(df))
                if syn is not None:
                    row["sdv quality"] = evaluate_quality(df, syn, meta, verbose=False).get_score()
                    row["sdv break%"] = rule_validity(df, syn, meta, rules=rules).breaking_any_pct
                    oracle.append({"table": t, "synth": "sdv " + s, **hand_checks(t, syn, df)})
            lines.append(row)
            print("  ", {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}, flush=True)
    res = pd.DataFrame(lines)
    if "sdv quality" in res and "quality" in res:
        res["quality / sdv"] = res["quality"] / res["sdv quality"]
    pd.set_option("display.width", 200)
    print("\nRows breaking any mined rule (%), quality, fit seconds\n")
    print(res.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    ora = pd.DataFrame(oracle).dropna(axis=1, how="all")
    if len(ora.columns) > 2:
        print("\nHand checks (issue 13), % of rows failing\n")
        print(ora.to_string(index=False, float_format=lambda v: f"{v:.1f}"))


if __name__ == "__main__":
    main()
