"""simulacra's PARSynthesizer (sequential) beside SDV's PARSynthesizer, in one run, on gapminder.

gapminder (``shared/datasets/gapminder.csv``: 142 countries x 12 years; sequence key ``country``,
sequence index ``year``, context column ``continent``). Each tool fits once and samples 142
sequences per seed (``--seeds``, default 2: seeds 0 and 1) in its own spawned child process; the
simulacra child fits again for each seed too (it takes seconds), SDV's PAR fits once (its torch
seed 0) and samples once per seed (``random``/``numpy``/``torch`` seeded before each sample).
Thread pools are pinned (``OMP/MKL/OPENBLAS_NUM_THREADS`` and ``torch.set_num_threads``,
``--threads``, default 1). PAR trains ``--epochs`` epochs (default 128, SDV's default); a child
still running after ``--timeout`` seconds (default 1800) is killed and reported as 'did not finish'.

Measured per tool: the first fit's seconds (imports done inside the fit included, both tools), the
mean of simulacra's later fits, the mean seconds of a sample; and

- peak memory: the child's peak resident size (VmHWM, the whole process: interpreter, imports,
  data, model, samples), and the peak above the resident size before each fit or sample block
  (``_measure.py``), the largest block;
- flattened quality: SDMetrics' single-table QualityReport (overall, Column Shapes, Column Pair
  Trends) on the rows, the ``country`` key left out;
- sequence properties: :func:`simulacra.evaluation.sequential.sequential_properties` (Sequence
  Length, Context Shapes, Autocorrelation, Gaps, Trends) with simulacra's metadata, for both tools.

Scores are the mean over the seeds. Output: a Markdown table (metric, simulacra, SDV PAR,
simulacra / PAR for times and memory, simulacra - PAR for scores) and ``--json`` with every number.
Nothing is asserted: times depend on the machine.

    python benchmarks/bench_sequential.py                    # both tools, PAR at 128 epochs
    python benchmarks/bench_sequential.py --only simulacra   # seconds
    python benchmarks/bench_sequential.py --epochs 16 --seeds 1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _measure import _status, measure  # noqa: E402
from bench_multi_table import THREAD_VARS, _write, run_child  # noqa: E402

DATA = HERE.parent.parent / "shared" / "datasets" / "gapminder.csv"
KEY, INDEX, CONTEXT = "country", "year", ["continent"]
TOOLS = ("simulacra", "sdv")
QUALITY = ("Overall", "Column Shapes", "Column Pair Trends")
SEQUENCE = ("Sequence Length", "Context Shapes", "Autocorrelation", "Gaps", "Trends")


def simulacra_metadata(df):
    """simulacra's metadata of gapminder, as the brief's code makes it (detected, key/index set if not)."""
    from simulacra import Metadata

    md = Metadata.detect_from_dataframe(df)
    if md.get_sequence_key() is None:
        md.update_column(KEY, sdtype="id")
        md.set_sequence_key(KEY)
        md.set_sequence_index(INDEX)
    return md


def sdv_metadata(df, simulacra_columns: dict):
    """SDV 2 metadata: detected, then corrected to the simulacra sdtypes (SDV's detection makes the
    unique ``pop`` column an id and primary key) with ``country`` an id, the sequence key and index set."""
    from sdv.metadata import Metadata

    md = Metadata.detect_from_dataframes({"gapminder": df})
    table = md.to_dict()["tables"]["gapminder"]
    if table.get("primary_key"):
        md.remove_primary_key("gapminder")
    for c, m in table["columns"].items():
        want = "id" if c == KEY else simulacra_columns[c]["sdtype"]
        if m["sdtype"] != want:
            md.update_column(column_name=c, table_name="gapminder", sdtype=want)
    md.set_sequence_key(column_name=KEY, table_name="gapminder")
    md.set_sequence_index(column_name=INDEX, table_name="gapminder")
    md.validate()
    return md


def worker(tool: str, data_path: str, out_dir: str, seeds: list, epochs: int, threads: int) -> None:
    """In a spawned child: load the data, fit, sample per seed; write times, peak memory and the samples."""
    import random
    import warnings

    import numpy as np
    import pandas as pd

    warnings.simplefilter("ignore")  # SDV's deprecation notes would bury the results
    out = Path(out_dir)
    status = out / f"{tool}.json"
    result: dict = {"tool": tool, "fit_s_each": [], "sample_s_each": [], "block_peak_mb": 0.0}
    hwm = [0.0]  # measure() resets VmHWM before each block: the whole-process peak is the max of the peaks seen

    def block(r: dict):
        hwm[0] = max(hwm[0], _status("VmHWM") / 2**20)
        return measure(r)

    def done(r: dict) -> float:
        hwm[0] = max(hwm[0], _status("VmHWM") / 2**20)
        result["block_peak_mb"] = max(result["block_peak_mb"], r["peak_mib"])
        result["peak_mb"] = hwm[0]
        return r["seconds"]

    try:
        df = pd.read_csv(data_path)
        md = simulacra_metadata(df)
        if tool == "simulacra":
            from simulacra import PARSynthesizer

            # CART models: no torch imported (it would only add to the child's memory)
            for seed in seeds:
                fit, samp = {}, {}
                with block(fit):
                    synth = PARSynthesizer(md, context_columns=CONTEXT).fit(df, seed=seed)
                result["fit_s_each"].append(done(fit))
                _write(status, result)
                with block(samp):
                    sample = synth.sample(num_sequences=df[KEY].nunique(), seed=seed)
                result["sample_s_each"].append(done(samp))
                sample.to_parquet(out / f"{tool}-{seed}.parquet", index=False)
                _write(status, result)
        else:
            import torch
            from sdv.sequential import PARSynthesizer

            torch.set_num_threads(threads)
            meta = sdv_metadata(df, md.get_columns())
            result["sdv_metadata"] = meta.to_dict()
            result["epochs"] = epochs
            for f in (random.seed, np.random.seed, torch.manual_seed):
                f(seeds[0])
            synth = PARSynthesizer(meta, context_columns=CONTEXT, epochs=epochs, cuda=False, verbose=False)
            fit = {}
            with block(fit):
                synth.fit({"gapminder": df})  # SDV 2: a dict of one table
            result["fit_s_each"].append(done(fit))
            _write(status, result)
            for seed in seeds:
                for f in (random.seed, np.random.seed, torch.manual_seed):
                    f(seed)
                samp = {}
                with block(samp):
                    sample = synth.sample_sequences(num_sequences=df[KEY].nunique())
                result["sample_s_each"].append(done(samp))
                if isinstance(sample, dict):  # SDV 2 returns {table name: rows}
                    (sample,) = sample.values()
                sample.to_parquet(out / f"{tool}-{seed}.parquet", index=False)
                _write(status, result)
    except BaseException as e:  # noqa: BLE001 - any failure is a result to report
        result["error"] = f"{type(e).__name__}: {e}"
        result["traceback"] = traceback.format_exc(limit=6)
    result["peak_mb"] = max(hwm[0], _status("VmHWM") / 2**20)
    _write(status, result)


def run_tool(tool: str, args, out_dir: Path) -> tuple[dict, list]:
    """Run ``worker`` in a spawned child, killing it after ``--timeout`` s; (result, samples)."""
    import pandas as pd

    job = (tool, str(args.data), str(out_dir), list(range(args.seeds)), args.epochs, args.threads)
    fitted = lambda r: bool(r.get("fit_s_each"))  # noqa: E731
    result, code, peak = run_child(worker, job, out_dir / f"{tool}.json", args.timeout, fitted)
    result.setdefault("tool", tool)
    if code is None:
        result["peak_mb"] = max(peak, result.get("peak_mb") or 0.0)
    elif "error" not in result and code:
        result["error"] = f"child exited with code {code}"
    files = [out_dir / f"{tool}-{s}.parquet" for s in range(args.seeds)]
    return result, [pd.read_parquet(f) for f in files if f.exists()]


def flat_quality(real, synthetic, columns: dict) -> dict:
    """SDMetrics' single-table QualityReport of the rows, the sequence key left out."""
    import warnings

    with warnings.catch_warnings():  # sdmetrics 0.2x notes that the single-table report moved
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import QualityReport

    meta = {"columns": {c: {"sdtype": m["sdtype"]} for c, m in columns.items() if c != KEY}}
    cols = list(meta["columns"])
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real[cols], synthetic[cols], meta, verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    return {"Overall": float(report.get_score()), **{p: float(props.get(p, math.nan)) for p in QUALITY[1:]}}


def sequence_scores(real, synthetic, md) -> dict:
    """simulacra's sequential properties: {property: score} (with simulacra's metadata)."""
    from simulacra.evaluation.sequential import sequential_properties

    return {name: float(score) for name, (score, _details) in sequential_properties(real, synthetic, md).items()}


def score(result: dict, real, samples: list, md) -> None:
    """Mean (and per seed) scores of a tool's samples, into ``result``."""
    columns = md.get_columns()
    per_seed = []
    for s in samples:
        scores = {f"quality: {k}": v for k, v in flat_quality(real, s, columns).items()}
        try:
            scores.update({f"sequence: {k}": v for k, v in sequence_scores(real, s, md).items()})
        except ImportError as e:  # written beside this benchmark; absent in an older checkout
            result["sequence_error"] = f"{type(e).__name__}: {e}"
        scores["sequences"] = float(s[KEY].nunique())
        scores["rows"] = float(len(s))
        per_seed.append(scores)
    result["scores_each"] = per_seed
    keys = {k for d in per_seed for k in d}
    result["scores"] = {k: float(sum(d.get(k, math.nan) for d in per_seed) / len(per_seed)) for k in keys}


def _mean(xs) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _num(value, fmt: str) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, fmt)


ROWS = [
    ("fit s (first fit in the child)", "fit_s", ".2f"),
    ("fit s (later seeds' fits, mean)", "fit_s_later", ".2f"),
    ("sample s (142 sequences)", "sample_s", ".2f"),
    ("peak MB (child VmHWM)", "peak_mb", ".0f"),
    ("MB above the RSS before fit/sample", "block_peak_mb", ".0f"),
    ("sequences / rows sampled", "size", ""),
]
ROWS += [(f"quality: {k}", f"quality: {k}", ".3f") for k in QUALITY]
ROWS += [(f"sequence: {k}", f"sequence: {k}", ".3f") for k in SEQUENCE]


def value(r: dict, key: str):
    if key == "fit_s":  # the first fit: lazy imports and first-call costs included, as in PAR's one fit
        return (r.get("fit_s_each") or [None])[0]
    if key == "fit_s_later":
        return _mean((r.get("fit_s_each") or [])[1:])
    if key == "sample_s":
        return _mean(r.get("sample_s_each") or [])
    if key in ("peak_mb", "block_peak_mb"):
        return r.get(key)
    return r.get("scores", {}).get(key)


def cell(r: dict, key: str, fmt: str) -> str:
    if key == "size":
        s = r.get("scores", {})
        return f"{s['sequences']:.0f} / {s['rows']:.0f}" if "rows" in s else "—"
    v = value(r, key)
    if v is None and key == "fit_s_later":
        return "— (one fit)" if r.get("fit_s_each") else "—"
    if v is None and key in ("fit_s", "sample_s"):
        if "did_not_finish" in r:
            return f"did not finish ({r['did_not_finish']})"
        return "failed" if "error" in r else "—"
    return _num(v, fmt)


def markdown(title: str, results: dict) -> str:
    names = {"simulacra": "simulacra", "sdv": "SDV PAR"}
    tools = list(results)
    both = "simulacra" in results and "sdv" in results
    head = ["metric", *(names[t] for t in tools)] + (["simulacra / PAR (scores: simulacra − PAR)"] if both else [])
    lines = [f"### {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, key, fmt in ROWS:
        row = [label, *(cell(results[t], key, fmt) for t in tools)]
        if both:
            a, b = value(results["simulacra"], key), value(results["sdv"], key)
            ok = isinstance(a, float) and isinstance(b, float) and not (math.isnan(a) or math.isnan(b))
            if key == "size" or not ok:
                row.append("—")
            elif key.startswith(("quality", "sequence")):
                row.append(f"{a - b:+.3f}")
            else:
                row.append(_num(a / b if b else math.nan, ".3g"))
        lines.append("| " + " | ".join(row) + " |")
    if both:
        lines.append("")
        lines.append(targets(results))
    for t, r in results.items():
        for k in ("error", "sequence_error"):
            if k in r:
                lines.append(f"\n{names[t]}: {r[k].splitlines()[0][:400]}")
    return "\n".join(lines)


def targets(results: dict) -> str:
    """The issue's targets, as a line (not asserted): every score above PAR's, fit under 1/20 of PAR's."""
    a, b = results["simulacra"], results["sdv"]
    fa, fb = value(a, "fit_s"), value(b, "fit_s")
    fit = "—" if fa is None or fb is None else f"{fa / fb:.3g} ({'met' if fa / fb < 1 / 20 else 'missed'})"
    above, equal, below = [], [], []
    for label, key, _ in ROWS:
        x, y = value(a, key), value(b, key)
        if key.startswith(("quality", "sequence")) and isinstance(x, float) and isinstance(y, float):
            (above if x > y + 5e-4 else below if x < y - 5e-4 else equal).append(label.split(": ", 1)[1])
    scores = f"above PAR's on {len(above)} of {len(above) + len(equal) + len(below)} scores"
    scores += f"; equal (within 0.0005) on {', '.join(equal)}" if equal else ""
    scores += f"; below on {', '.join(below)}" if below else ""
    return f"Targets: simulacra's fit time / PAR's under 1/20: {fit}; {scores}."


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA, help="gapminder CSV (default shared/datasets/gapminder.csv)")
    p.add_argument("--only", choices=TOOLS, help="run one tool only")
    p.add_argument("--epochs", type=int, default=128, help="PAR's epochs (default 128, SDV's default)")
    p.add_argument("--seeds", type=int, default=2, help="seeds 0..N-1 sampled (and fitted, simulacra) (default 2)")
    p.add_argument("--timeout", type=float, default=1800, help="kill a tool after this many seconds (default 1800)")
    p.add_argument("--threads", type=int, default=1, help="OMP/MKL/OPENBLAS and torch threads (default 1)")
    p.add_argument("--json", type=Path, help="write every number here")
    args = p.parse_args(argv)
    for var in THREAD_VARS:  # before any child starts (spawned children inherit it)
        os.environ[var] = str(args.threads)
    tools = [args.only] if args.only else list(TOOLS)

    import pandas as pd

    real = pd.read_csv(args.data)
    md = simulacra_metadata(real)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench_sequential_") as tmp:
        for tool in tools:
            out_dir = Path(tmp) / tool
            out_dir.mkdir()
            print(f"[gapminder] {tool}: fit + sample ...", file=sys.stderr, flush=True)
            r, samples = run_tool(tool, args, out_dir)
            if samples and "error" not in r and "did_not_finish" not in r:
                t0 = time.perf_counter()
                score(r, real, samples, md)
                r["score_s"] = time.perf_counter() - t0
            if "traceback" in r:
                print(r.pop("traceback"), file=sys.stderr)
            brief = {k: v for k, v in r.items() if k not in ("sdv_metadata", "scores_each")}
            print(f"[gapminder] {tool}: {json.dumps(brief)}", file=sys.stderr, flush=True)
            results[tool] = r
    n_seq, n_len = real[KEY].nunique(), real.groupby(KEY).size().max()
    par = f"PAR {args.epochs} epochs" + (" (SDV's default)" if args.epochs == 128 else " (below SDV's default 128)")
    title = (
        f"gapminder ({n_seq} sequences x {n_len} years, {len(real):,} rows; {par}; mean of {args.seeds} seed(s); "
        f"{args.threads} thread(s), {os.cpu_count()} CPUs)"
    )
    print(markdown(title, results))
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args), "results": results}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
