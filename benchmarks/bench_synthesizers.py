"""Every simulacra synthesizer beside SDV's (and MOSTLY AI's TabularARGN when installed), per table.

For each table in ``shared/datasets/`` (``--tables`` to choose) and each synthesizer (``--only`` to
choose), in one process run: fit seconds, seconds to sample ``len(table)`` rows, peak memory of the
whole phase (see ``_measure.py``), sdmetrics quality of the sample (overall, Column Shapes, Column
Pair Trends) and the *copy rate*: the share of synthetic rows equal to a real row, printed beside
the real table's own duplicate rate (the share of real rows that equal another real row).
Neural synthesizers train ``--epochs`` epochs (same number for ours and SDV's).

    python benchmarks/bench_synthesizers.py --tables penguins,email --only cart,sdv_gc --epochs 100
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _measure import measure  # noqa: E402
from bench_gaussian_copula import build_metadata, quality, sdv_copy, undo_sdv_copy  # noqa: E402

OURS = {
    "gaussian_copula": ("GaussianCopulaSynthesizer", {}),
    "cart": ("CARTSynthesizer", {}),
    "bayesian_network": ("BayesianNetworkSynthesizer", {}),
    "ctgan": ("CTGANSynthesizer", {"neural": True}),
    "tvae": ("TVAESynthesizer", {"neural": True}),
    "copulagan": ("CopulaGANSynthesizer", {"neural": True}),
}
SDV = {
    "sdv_gc": "GaussianCopulaSynthesizer",
    "sdv_ctgan": "CTGANSynthesizer",
    "sdv_tvae": "TVAESynthesizer",
    "sdv_copulagan": "CopulaGANSynthesizer",
}


def row_keys(df: pd.DataFrame) -> pd.Series:
    return pd.util.hash_pandas_object(df.astype(str), index=False)


def copy_rate(real: pd.DataFrame, syn: pd.DataFrame) -> float:
    return float(row_keys(syn[real.columns]).isin(set(row_keys(real))).mean())


def self_duplicate_rate(real: pd.DataFrame) -> float:
    return float(row_keys(real).duplicated(keep=False).mean())


def run_ours(key, meta, data, epochs, seed=0):
    import simulacra

    cls_name, opts = OURS[key]
    md = simulacra.Metadata.load_from_dict(meta)
    kw = {"epochs": epochs, "cuda": False} if opts.get("neural") else {}
    syn = getattr(simulacra, cls_name)(md, **kw)
    r: dict = {}
    with measure(r):
        syn.fit(data, seed=seed)
    fit_s, mem = r["seconds"], r["peak_mib"]
    with measure(r):
        out = syn.sample(len(data), seed=seed, show_progress=False)
    return out, fit_s, r["seconds"], max(mem, r["peak_mib"])


def run_sdv(key, meta, data, table, epochs, seed=0):
    import random

    import numpy as np
    import sdv.single_table as st
    from sdv.metadata import Metadata

    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:
        pass
    md = Metadata.load_from_dict(meta, single_table_name=table)
    kw = {"epochs": epochs} if key != "sdv_gc" else {}
    syn = getattr(st, SDV[key])(md, **kw)
    sdv_data, back = sdv_copy(data, meta)
    r: dict = {}
    with measure(r):
        syn.fit({table: sdv_data})
    fit_s, mem = r["seconds"], r["peak_mib"]
    with measure(r):
        out = syn.sample(num_rows=len(data))
    out = out[table] if isinstance(out, dict) else out
    return undo_sdv_copy(out, back), fit_s, r["seconds"], max(mem, r["peak_mib"])


def run_argn(meta, data, epochs):
    """MOSTLY AI's TabularARGN (``pip install mostlyai-engine``; needs CPU torch first)."""
    import logging
    import tempfile

    from mostlyai import engine

    logging.getLogger("mostlyai").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as ws:
        r: dict = {}
        with measure(r):
            engine.split(tgt_data=data, workspace_dir=ws)
            engine.analyze(workspace_dir=ws)
            engine.encode(workspace_dir=ws)
            engine.train(max_epochs=epochs, workspace_dir=ws, device="cpu")
        fit_s, mem = r["seconds"], r["peak_mib"]
        with measure(r):
            engine.generate(sample_size=len(data), workspace_dir=ws, device="cpu")
            out = pd.read_parquet(Path(ws) / "SyntheticData")
    return out, fit_s, r["seconds"], max(mem, r["peak_mib"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default=str(HERE.parents[1] / "shared" / "datasets"))
    ap.add_argument("--tables", default=None, help="comma-separated table names (default: all)")
    ap.add_argument("--only", default=None, help="comma-separated synthesizers: " + ", ".join([*OURS, *SDV, "argn"]))
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--max-rows", type=int, default=None, help="use the first N rows of bigger tables")
    ap.add_argument("--seeds", type=int, default=1, help="fit each synthesizer with seeds 0..N-1 and print the means")
    args = ap.parse_args(argv)
    from simulacra.io import read_table

    catalog = json.loads((Path(args.datasets) / "catalog.json").read_text())
    names = [*OURS, *SDV, "argn"] if args.only is None else args.only.split(",")
    wanted = None if args.tables is None else set(args.tables.split(","))
    results = []
    if any(k in names for k in ("ctgan", "tvae", "copulagan", "sdv_ctgan", "sdv_tvae", "sdv_copulagan", "argn")):
        try:  # the first torch optimizer in a process imports torch._dynamo (about 1 s): not part of any fit
            import torch

            torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
        except ImportError:
            pass
    print(
        f"{'table':<24}{'synthesizer':<18}{'fit s':>9}{'samp s':>8}{'MiB':>7}{'quality':>9}{'shapes':>8}{'trends':>8}{'copies':>8}{'real dup':>9}"
    )
    for entry in catalog["tables"]:
        table = entry["file"].removesuffix(".csv")
        if wanted and table not in wanted:
            continue
        data = read_table(Path(args.datasets) / entry["file"])
        if args.max_rows:
            data = data.iloc[: args.max_rows].reset_index(drop=True)
        meta, _ = build_metadata(entry)
        dup = self_duplicate_rate(data)
        for key, seed in [(k, sd) for k in names for sd in range(args.seeds)]:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if key in OURS:
                        syn, fit_s, samp_s, mem = run_ours(key, meta, data, args.epochs, seed)
                    elif key in SDV:
                        syn, fit_s, samp_s, mem = run_sdv(key, meta, data, table, args.epochs, seed)
                    else:
                        syn, fit_s, samp_s, mem = run_argn(meta, data, args.epochs)
                q = quality(data, syn[list(data.columns)], meta)
            except Exception as e:  # noqa: BLE001 - report and go on
                print(f"{table:<24}{key:<18} ERROR {type(e).__name__}: {str(e).splitlines()[0][:80]}")
                continue
            rec = {
                "table": table,
                "synthesizer": key,
                "seed": seed,
                "fit_s": fit_s,
                "sample_s": samp_s,
                "peak_mib": mem,
                "quality": q.get("score"),
                "shapes": q.get("Column Shapes"),
                "trends": q.get("Column Pair Trends"),
                "copy_rate": copy_rate(data, syn),
                "real_duplicate_rate": dup,
            }
            results.append(rec)
            f = lambda v: "n/a" if v is None or v != v else f"{v:.3f}"  # noqa: E731
            print(
                f"{table:<24}{key:<18}{fit_s:>9.2f}{samp_s:>8.2f}{mem:>7.0f}{f(rec['quality']):>9}{f(rec['shapes']):>8}{f(rec['trends']):>8}{rec['copy_rate']:>8.4f}{dup:>9.4f}",
                flush=True,
            )
    if args.seeds > 1 and results:
        df = pd.DataFrame(results)
        agg = df.groupby(["table", "synthesizer"], sort=False).agg(
            runs=("quality", "size"),
            quality_mean=("quality", "mean"),
            quality_sd=("quality", "std"),
            fit_s_mean=("fit_s", "mean"),
        )
        print(f"\nmeans over {args.seeds} seeds")
        print(agg.round(3).to_string())
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "synthesizers.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
