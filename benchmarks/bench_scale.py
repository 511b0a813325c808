"""Scale: sampling 100M rows single-process and on a 2-worker LocalCluster; fitting a copula out of core.

In one run, each step in its own spawned child (peak resident size polled from outside):

1. ``make``: a 10-column fake table (numbers, categories, a date, a flag; ``--fit-rows`` rows,
   default 95M, about 5 GB of Parquet) written by the fake engine on a 2-worker LocalCluster
   (``fake --engine dask``).
2. ``stream``: a Gaussian copula fitted on a 1M-row sample of it samples ``--rows`` rows (default
   100M) to one Parquet file in one process (the default engine); rows/s and peak RSS.
3. ``dask``: the same model samples the same rows as a Parquet dataset on a 2-worker LocalCluster
   (``sample --engine dask``); rows/s, peak RSS of the client and of each worker (the workers'
   own ``ru_maxrss``).
4. ``fit``: ``GaussianCopulaSynthesizer(md).fit(folder)`` on the whole dataset (out of core, from
   mergeable sketches and sums); seconds and peak RSS (target < 1.5 GiB). Then the quality
   (simulacra.evaluate_quality against a 1M-row sample of the real table, 100k sampled rows) of
   that model beside a copula fitted in memory on the 1M-row sample.
5. ``sdv``: SDV's GaussianCopulaSynthesizer on the 1M-row sample: fit seconds, and rows/s of
   ``sample(--sdv-rows, batch_size=..., output_folder_path=...)``, CSV (SDV holds a fit's data in pandas;
   it has no out-of-core fit and no distributed sampling).

Then, on paper, the cost of 10B rows on N workers from the measured per-worker rate. Output: a
Markdown table (and ``--json``). Nothing is asserted. Thread pools are pinned to one thread.

    python benchmarks/bench_scale.py                                  # the full run (about 40 min on 2 cores)
    python benchmarks/bench_scale.py --rows 2e6 --fit-rows 2e6 --sdv-rows 2e5   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_multi_table import THREAD_VARS, run_child  # noqa: E402

# full-precision numbers (8 incompressible bytes each): about 53 bytes a row in Parquet (measured), so 5 GB is ~95M rows
SCHEMA = {
    "tables": {
        "events": {
            "columns": {
                "amount": {"provider": "normal", "mean": 120.0, "std": 35.0, "decimals": None},
                "score": {"provider": "float", "minimum": 0.0, "maximum": 1.0, "decimals": None},
                "weight": {"provider": "normal", "mean": 70.0, "std": 12.0, "decimals": None},
                "height": {"provider": "normal", "mean": 170.0, "std": 9.0, "decimals": None},
                "ratio": {"provider": "float", "minimum": -5.0, "maximum": 5.0, "decimals": None},
                "balance": {"provider": "normal", "mean": 0.0, "std": 1000.0, "decimals": None},
                "age": {"provider": "integer", "minimum": 18, "maximum": 90},
                "channel": {
                    "provider": "choice",
                    "values": ["web", "app", "store", "phone"],
                    "weights": [5, 3, 1.5, 0.5],
                },
                "day": {"provider": "datetime.date", "start": "2020-01-01", "end": "2025-12-31"},
                "active": {"provider": "boolean", "probability": 0.7},
            }
        }
    }
}


def _pin(threads: int = 1) -> None:
    for v in THREAD_VARS:
        os.environ[v] = str(threads)


def _save(status: str, result: dict) -> None:
    Path(status).write_text(json.dumps(result))


def _worker_peaks(client) -> list[float]:
    import resource

    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return sorted(float(v) for v in peaks.values())


def step(name: str, work: str, rows: int, fit_rows: int, sdv_rows: int, status: str) -> None:
    """One step in a child process; its numbers go to ``status`` (JSON)."""
    _pin()
    result: dict = {"step": name}
    try:
        import pandas as pd

        from simulacra import GaussianCopulaSynthesizer

        work = Path(work)
        data, model = work / "data", work / "model.zip"
        if name == "make":
            from distributed import Client, LocalCluster

            from simulacra.fake.partitioned import plan_fake, write_fake_dataset

            plan = plan_fake(SCHEMA, n=fit_rows, seed=0)
            with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c, Client(c) as client:
                t0 = time.perf_counter()
                write_fake_dataset(plan, data, client=client)
                result["s"] = time.perf_counter() - t0
            result["bytes"] = sum(p.stat().st_size for p in data.rglob("*.parquet"))
            result["rows"] = fit_rows
            sample = pd.read_parquet(data / "part-00000.parquet")
            files = sorted(data.glob("*.parquet"))
            parts, got = [], 0
            for f in files:  # the first 1M rows (the partitions are random rows already)
                if got >= 1_000_000:
                    break
                parts.append(pd.read_parquet(f))
                got += len(parts[-1])
            sample = pd.concat(parts, ignore_index=True).iloc[:1_000_000]
            sample.to_parquet(work / "sample.parquet")
        elif name == "in_memory":
            from simulacra import Metadata

            sample = pd.read_parquet(work / "sample.parquet")
            md = Metadata.detect_from_dataframe(sample)
            md.save_to_json(work / "metadata.json")
            t0 = time.perf_counter()
            synth = GaussianCopulaSynthesizer(md).fit(sample)
            result["fit_s"] = time.perf_counter() - t0
            synth.save(model)
            result["quality"] = _quality(synth, sample, md)
        elif name == "stream":
            synth = GaussianCopulaSynthesizer.load(model)
            t0 = time.perf_counter()
            synth.sample(rows, seed=1, output_file_path=work / "stream.parquet")
            result["s"] = time.perf_counter() - t0
            result["rows_per_s"] = rows / result["s"]
            (work / "stream.parquet").unlink()
        elif name == "dask":
            from distributed import Client, LocalCluster

            from simulacra.synthesizers.dask_sampling import write_dataset

            synth = GaussianCopulaSynthesizer.load(model)
            with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c, Client(c) as client:
                t0 = time.perf_counter()
                plan, counts = write_dataset(synth, rows, work / "sampled", seed=1, client=client)
                result["s"] = time.perf_counter() - t0
                result["worker_peak_mb"] = _worker_peaks(client)
            result["rows_per_s"] = rows / result["s"]
            result["partitions"] = plan.n_batches
            result["partition_rows"] = plan.batch_size
            shutil.rmtree(work / "sampled")
        elif name == "fit":
            from simulacra import Metadata

            md = Metadata.load_from_json(work / "metadata.json")
            t0 = time.perf_counter()
            synth = GaussianCopulaSynthesizer(md).fit(data)
            result["fit_s"] = time.perf_counter() - t0
            sample = pd.read_parquet(work / "sample.parquet")
            result["quality"] = _quality(synth, sample, md)
        elif name == "sdv":
            from sdv.metadata import Metadata as SDVMetadata
            from sdv.single_table import GaussianCopulaSynthesizer as SDVCopula

            sample = pd.read_parquet(work / "sample.parquet")
            md = SDVMetadata.detect_from_dataframes({"events": sample})
            t0 = time.perf_counter()
            synth = SDVCopula(md)
            synth.fit({"events": sample})  # SDV 2's single-table fit takes {table: DataFrame}
            result["fit_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            out = work / "sdv_out"
            out.mkdir(exist_ok=True)
            synth.sample(sdv_rows, batch_size=100_000, output_folder_path=str(out))  # CSV, in batches
            result["s"] = time.perf_counter() - t0
            result["rows_per_s"] = sdv_rows / result["s"]
            shutil.rmtree(out)
    except Exception as e:  # the table says it failed
        result["error"] = f"{type(e).__name__}: {e}"
        traceback.print_exc()
    _save(status, result)


def _quality(synth, real, md) -> float:
    from simulacra import evaluate_quality

    fake = synth.sample(100_000, seed=2)
    return float(evaluate_quality(real.sample(100_000, random_state=0), fake, md, verbose=False).get_score())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=float, default=1e8, help="rows to sample (default 100M)")
    ap.add_argument(
        "--fit-rows", type=float, default=9.5e7, help="rows of the fake table to fit on (default 95M, about 5 GB)"
    )
    ap.add_argument("--sdv-rows", type=float, default=2e6, help="rows SDV samples for its rate (default 2M)")
    ap.add_argument("--work", default=None, help="folder for the data (default: a temporary folder)")
    ap.add_argument("--steps", default="make,in_memory,stream,dask,fit,sdv")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="simulacra-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    res = {}
    for name in args.steps.split(","):
        status = work / f"{name}.json"
        status.unlink(missing_ok=True)
        job = (name, str(work), int(args.rows), int(args.fit_rows), int(args.sdv_rows), str(status))
        t0 = time.perf_counter()
        r, code, peak = run_child(step, job, status, args.timeout, lambda r: True)
        r["peak_mb"], r["exit"], r["wall_s"] = peak, code, time.perf_counter() - t0
        res[name] = r
        print(f"{name}: {json.dumps(r)}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    print(table(res, int(args.rows)))


def table(res: dict, rows: int) -> str:
    g = lambda step, key: res.get(step, {}).get(key)  # noqa: E731
    lines = ["| measure | simulacra | other | ratio |", "|---|---|---|---|"]

    def row(name, a, b=None, fmt="{:,.0f}", better=""):
        if a is None:
            lines.append(f"| {name} | - | - | - |")
            return
        other = fmt.format(b) if b is not None else "-"
        ratio = f"{a / b:.2f}{better}" if b else "-"
        lines.append(f"| {name} | {fmt.format(a)} | {other} | {ratio} |")

    row(f"sample {rows:,} rows, 2 workers vs 1 process (rows/s)", g("dask", "rows_per_s"), g("stream", "rows_per_s"))
    row("stream engine vs SDV sample to file (rows/s)", g("stream", "rows_per_s"), g("sdv", "rows_per_s"))
    row("peak RSS, 1-process sampling (MB)", g("stream", "peak_mb"))
    row("peak RSS, dask client (MB)", g("dask", "peak_mb"))
    peaks = g("dask", "worker_peak_mb")
    row("peak RSS, largest dask worker (MB)", max(peaks) if peaks else None)
    row(
        f"out-of-core copula fit on {g('make', 'bytes') or 0:,} bytes of Parquet (s)",
        g("fit", "fit_s"),
        None,
        "{:,.1f}",
    )
    row("peak RSS of that fit (MB)", g("fit", "peak_mb"))
    row("in-memory fit on 1M rows: simulacra vs SDV (s)", g("in_memory", "fit_s"), g("sdv", "fit_s"), "{:,.2f}")
    row("quality: out-of-core fit vs in-memory 1M fit", g("fit", "quality"), g("in_memory", "quality"), "{:.3f}")
    rate = (g("dask", "rows_per_s") or 0) / 2
    if rate:
        lines.append("")
        lines.append(f"10B rows at {rate:,.0f} rows/s per worker: " + ", ".join(
            f"{n} workers {1e10 / (rate * n) / 3600:,.1f} h" for n in (2, 16, 64, 256)
        ))  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    main()
