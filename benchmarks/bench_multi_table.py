"""simulacra's multi-table synthesizer beside SDV's HMASynthesizer, in one run, then a schema HMA refuses.

1. nycflights13 (airlines, airports, planes, flights; the full files in ``shared/datasets`` when
   there, else the copy shipped with simulacra) with flights cut to ``--flights-rows``: each tool
   fits and samples (``scale=1``) in its own spawned child process, so its peak memory is the
   child's own ``ru_maxrss`` (the whole process: interpreter, imports, data, model, sample). Thread
   pools are pinned (``OMP/MKL/OPENBLAS_NUM_THREADS``, ``--threads``, default 1) before any child
   starts. A child still running after ``--timeout`` seconds is killed and reported as 'did not
   finish' (with its fit time when the fit had ended, and its peak so far from ``/proc``).
2. The deep schema (:func:`simulacra.datasets.relational.make_deep_schema`: 10 tables, 5 deep):
   HMA is tried (its refusal is recorded) and simulacra fits and samples it.

Each sample is scored against the real tables by SDMetrics' multi-table QualityReport (overall,
Column Shapes, Column Pair Trends, Cardinality, Intertable Trends) and referential integrity (the
share of non-missing foreign-key values found in their parent, over all relationships). Output: a
Markdown table per part (and ``--json`` with every number).

    python benchmarks/bench_multi_table.py                      # 10,000 flights, both tools
    python benchmarks/bench_multi_table.py --quick --no-sdv     # 2,000 flights, simulacra only
    python benchmarks/bench_multi_table.py --flights-rows 2000 --only sdv --timeout 600
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import multiprocessing as mp
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "datasets"
PROPERTIES = ("Column Shapes", "Column Pair Trends", "Cardinality", "Intertable Trends")
TOOLS = ("simulacra", "sdv")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _hwm_mb(pid: int) -> float | None:
    """Peak resident size so far of a running process (VmHWM), in MB."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _write(path: Path, result: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result))
    tmp.replace(path)


def save_tables(folder: Path, tables: dict, meta: dict | None = None) -> Path:
    """Tables as Parquet files (dtypes kept) and the metadata as JSON: data between processes, never pickle."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "tables.json").write_text(json.dumps({"tables": list(tables), "metadata": meta}))
    return folder


def load_tables(folder: Path) -> tuple[dict, dict | None]:
    import pandas as pd

    folder = Path(folder)
    index = json.loads((folder / "tables.json").read_text())
    return {t: pd.read_parquet(folder / f"{t}.parquet") for t in index["tables"]}, index["metadata"]


def worker(tool: str, data_path: str, out_dir: str, seed: int) -> None:
    """In a spawned child: load the data, fit, sample; write times, peak memory and the sample."""
    import random
    import resource
    import warnings

    import numpy as np

    warnings.simplefilter("ignore")  # SDV's deprecation notes on every column would bury the results
    out = Path(out_dir)
    status = out / f"{tool}.json"
    result: dict = {"tool": tool}
    try:
        tables, meta = load_tables(Path(data_path))
        t0 = time.perf_counter()
        if tool == "simulacra":
            from simulacra.metadata import Metadata
            from simulacra.multi_table import RelationalSynthesizer

            synth = RelationalSynthesizer(Metadata.load_from_dict(meta))
        else:
            from sdv.metadata import Metadata
            from sdv.multi_table import HMASynthesizer

            random.seed(seed)
            np.random.seed(seed)
            synth = HMASynthesizer(Metadata.load_from_dict(meta), verbose=False)
        result["setup_s"] = time.perf_counter() - t0
        result["import_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        _write(status, result)
        t0 = time.perf_counter()
        if tool == "simulacra" and "seed" in inspect.signature(synth.fit).parameters:
            synth.fit(tables, seed=seed)
        else:
            synth.fit(tables)
        result["fit_s"] = time.perf_counter() - t0
        _write(status, result)
        t0 = time.perf_counter()
        if tool == "simulacra":
            sample = synth.sample(scale=1.0, seed=seed)
        else:  # SDV 2 calls it sample_scale (sample takes num_rows of one table)
            sample = synth.sample_scale(scale=1.0) if hasattr(synth, "sample_scale") else synth.sample(scale=1.0)
        result["sample_s"] = time.perf_counter() - t0
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["work_mb"] = result["peak_mb"] - result["import_rss_mb"]  # beyond the interpreter, imports and data
        save_tables(out / f"{tool}-sample", sample)
    except BaseException as e:  # noqa: BLE001 - any failure is a result to report
        result["error"] = f"{type(e).__name__}: {e}"
        result["traceback"] = traceback.format_exc(limit=6)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _write(status, result)


def run_child(target, job: tuple, status: Path, timeout: float, fitted) -> tuple[dict, int | None, float]:
    """Run ``target(*job)`` in a spawned child, polling its peak RSS, killed after ``timeout`` s.

    Returns the result the child wrote to ``status`` (JSON; ``{"tool": ...}``-less when it wrote
    none), its exit code (None when it was killed: ``did_not_finish`` then says whether it was
    fitting or sampling, by ``fitted(result)``) and the peak MB seen from outside.
    """
    ctx = mp.get_context("spawn")
    proc = ctx.Process(target=target, args=job, daemon=False)
    t0 = time.perf_counter()
    proc.start()
    peak = 0.0
    while proc.is_alive() and time.perf_counter() - t0 < timeout:
        peak = max(peak, _hwm_mb(proc.pid) or 0.0)
        proc.join(0.5)
    result = json.loads(status.read_text()) if status.exists() else {}
    if proc.is_alive():
        peak = max(peak, _hwm_mb(proc.pid) or 0.0)
        proc.kill()
        proc.join()
        result["did_not_finish"] = f"killed after {timeout:.0f} s" + (
            " (while sampling)" if fitted(result) else " (while fitting)"
        )
        return result, None, peak
    return result, proc.exitcode, peak


def run_tool(tool: str, data_path: Path, out_dir: Path, seed: int, timeout: float) -> tuple[dict, dict | None]:
    """Run ``worker`` in a spawned child, killing it after ``timeout`` s; (result, synthetic tables)."""
    job = (tool, str(data_path), str(out_dir), seed)
    result, code, peak = run_child(worker, job, out_dir / f"{tool}.json", timeout, lambda r: "fit_s" in r)
    result.setdefault("tool", tool)
    if code is None:
        result["peak_mb"] = peak
        return result, None
    if "error" in result or not (out_dir / f"{tool}-sample" / "tables.json").exists():
        result.setdefault("error", f"child exited with code {code} and no result")
        return result, None
    return result, load_tables(out_dir / f"{tool}-sample")[0]


def referential_integrity(synthetic: dict, meta: dict) -> float:
    """Share (%) of non-missing foreign-key values that are a key of their parent, all relationships."""
    found = total = 0
    for r in meta["relationships"]:
        child = synthetic[r["child_table_name"]][r["child_foreign_key"]].dropna()
        found += int(child.isin(synthetic[r["parent_table_name"]][r["parent_primary_key"]]).sum())
        total += len(child)
    return 100.0 * found / total if total else 100.0


def quality(real: dict, synthetic: dict, meta: dict) -> dict:
    """SDMetrics' multi-table QualityReport: overall and per property."""
    import warnings

    from sdmetrics.reports.multi_table import QualityReport

    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real, {t: synthetic[t] for t in real}, meta, verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    return {"Overall": float(report.get_score()), **{p: float(props.get(p, math.nan)) for p in PROPERTIES}}


def bench(name: str, tables: dict, meta: dict, tools, args, work: Path) -> dict:
    """Run each tool on one database; score what each sampled."""
    data_path = save_tables(work / f"{name}-data", tables, meta)
    results = {}
    for tool in tools:
        out_dir = work / f"{name}-{tool}"
        out_dir.mkdir()
        print(f"[{name}] {tool}: fit + sample ...", file=sys.stderr, flush=True)
        r, synthetic = run_tool(tool, data_path, out_dir, args.seed, args.timeout)
        if synthetic is not None:
            t0 = time.perf_counter()
            r["quality"] = quality(tables, synthetic, meta)
            r["ri_pct"] = referential_integrity(synthetic, meta)
            r["rows"] = {t: len(df) for t, df in synthetic.items()}
            r["score_s"] = time.perf_counter() - t0
        r.pop("traceback", None) if "error" not in r else print(r["traceback"], file=sys.stderr)
        print(f"[{name}] {tool}: {json.dumps({k: v for k, v in r.items() if k != 'traceback'})}", file=sys.stderr)
        results[tool] = r
    return results


def _num(value, fmt: str) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, fmt)


def _cell(r: dict, key: str) -> str:
    if key in ("fit_s", "sample_s"):
        if key == "sample_s" and "did_not_finish" in r and "fit_s" in r:
            return f"did not finish ({r['did_not_finish']})"
        if key not in r:
            refused = "SDV Enterprise" in r.get("error", "")
            return r.get("did_not_finish") or ("refused" if refused else "failed" if "error" in r else "—")
        return _num(r[key], ".1f")
    if key in ("peak_mb", "work_mb"):
        return _num(r.get(key), ".0f")
    if key == "ri_pct":
        return _num(r.get("ri_pct"), ".2f")
    return _num(r.get("quality", {}).get(key), ".3f")


ROWS = [
    ("fit s", "fit_s"),
    ("sample s", "sample_s"),
    ("peak MB (child ru_maxrss)", "peak_mb"),
    ("MB above imports and data", "work_mb"),
]
ROWS += [(f"quality: {k}", k) for k in ("Overall", *PROPERTIES)] + [("referential integrity %", "ri_pct")]


def markdown(title: str, results: dict) -> str:
    tools = list(results)
    ratio = "simulacra" in results and "sdv" in results
    head = ["metric", *tools] + (["simulacra / SDV"] if ratio else [])
    lines = [f"### {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, key in ROWS:
        row = [label, *(_cell(results[t], key) for t in tools)]
        if ratio:
            a, b = (results[t].get(key, results[t].get("quality", {}).get(key)) for t in ("simulacra", "sdv"))
            ok = isinstance(a, (int, float)) and isinstance(b, (int, float)) and b
            row.append(_num(a / b, ".3g") if ok else "—")
        lines.append("| " + " | ".join(row) + " |")
    for t, r in results.items():
        if "error" in r:
            lines.append(f"\n{t}: {r['error'].splitlines()[0][:400]}")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--flights-rows", type=int, default=10_000, help="flights kept (seeded sample; default 10,000)")
    p.add_argument("--no-sdv", action="store_true", help="run simulacra only")
    p.add_argument("--only", choices=TOOLS, help="run one tool only")
    p.add_argument("--timeout", type=float, default=1800, help="kill a tool after this many seconds (default 1800)")
    p.add_argument("--quick", action="store_true", help="2,000 flights, deep schema at scale 0.2, timeout 600 s")
    p.add_argument("--deep-scale", type=float, default=1.0, help="scale of the deep schema (default 1.0)")
    p.add_argument("--no-deep", action="store_true", help="skip the deep schema")
    p.add_argument("--threads", type=int, default=1, help="OMP/MKL/OPENBLAS threads (default 1)")
    p.add_argument("--data", type=Path, default=SHARED if SHARED.is_dir() else None, help="nycflights13 folder")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="write every number here")
    args = p.parse_args(argv)
    if args.quick:
        args.flights_rows, args.deep_scale, args.timeout = min(args.flights_rows, 2000), 0.2, min(args.timeout, 600)
    for var in THREAD_VARS:  # before any child starts (spawned children inherit it)
        os.environ[var] = str(args.threads)
    tools = [args.only] if args.only else [t for t in TOOLS if not (args.no_sdv and t == "sdv")]

    from simulacra.datasets.relational import load_nycflights13, make_deep_schema, schema_depth

    out: dict = {"threads": args.threads, "cpus": os.cpu_count(), "flights_rows": args.flights_rows}
    sections = []
    with tempfile.TemporaryDirectory(prefix="bench_multi_table_") as tmp:
        work = Path(tmp)
        tables, md = load_nycflights13(num_flights=args.flights_rows, folder=args.data)
        out["nycflights13"] = bench("nycflights13", tables, md.to_dict(), tools, args, work)
        rows = ", ".join(f"{t} {len(df):,}" for t, df in tables.items())
        sections.append(
            markdown(f"nycflights13 ({rows}; {args.threads} thread(s), {os.cpu_count()} CPUs)", out["nycflights13"])
        )
        if not args.no_deep:
            tables, md = make_deep_schema(seed=args.seed, scale=args.deep_scale)
            total = sum(map(len, tables.values()))
            out["deep"] = bench("deep", tables, md.to_dict(), tools, args, work)
            title = (
                f"deep schema ({len(tables)} tables, {len(md.relationships)} relationships, depth "
                f"{schema_depth(md)} in SDV's count, {total:,} rows, scale {args.deep_scale})"
            )
            sections.append(markdown(title, out["deep"]))
    text = "\n\n".join(sections)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
