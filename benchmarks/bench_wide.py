"""Benchmark: wide tables (thousands of columns) through the CLI and the Python API, and against SDV.

Makes seeded wide tables like real wide data (mostly float and integer columns driven by a few
shared factors, some categorical text columns, every 20th column with 10% missing values), writes
them as CSV and times, for each size given with ``--sizes`` (default ``50x5000,1000x5000``):

* the CLI path a user takes, each step in its own process: ``simulacra metadata``, ``fit``,
  ``sample -n 50``, ``evaluate`` and ``report`` (seconds and the process's peak RSS, from
  ``wait4``); a step that runs past ``--timeout`` seconds (default 300) is killed and shown as ``>T``;
* the Python API equivalents in one child process (``Metadata.detect_from_dataframe``,
  ``GaussianCopulaSynthesizer.fit``, ``sample(50)``, ``QualityReport.generate``,
  ``DiagnosticReport.generate``, ``build_report``), each with its wall time and peak RSS increase
  (see ``_measure.py``).

Then, for each size of ``--sdv-sizes`` (default ``50x500,50x1000,50x5000``), SDV's
``GaussianCopulaSynthesizer`` fit + sample(50) and SDMetrics' ``QualityReport`` in a child process
killed after ``--timeout`` seconds, beside simulacra's fit + sample(50) and ``QualityReport`` on the
same table and metadata, and the ratios ``SDV / simulacra`` at equal size; then SDV's sample is also
scored by simulacra's ``QualityReport(max_pairs=None)`` (every pair, as SDMetrics), to show the two
scores agree and compare the report times on the same work.

Usage: ``python benchmarks/bench_wide.py [--sizes 50x5000,1000x5000] [--sdv-sizes ...] [--timeout 300]
[--repeat 1] [--skip-sdv] [--skip-cli] [--skip-api]`` (``--repeat N``: each CLI step N times, the fastest kept). Thread pools are left as the environment sets them (the
header prints them and the load average: the machine may be shared). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def make_wide(rows: int, cols: int, seed: int = 0) -> pd.DataFrame:
    """A seeded wide table: 60% float, 28% integer, 12% categorical text columns; every 20th column has 10% missing values."""
    rng = np.random.default_rng(seed)
    k = 5
    factors = rng.standard_normal((rows, k))
    data = {}
    kinds = rng.choice(["float", "int", "cat"], size=cols, p=[0.6, 0.28, 0.12])
    for j, kind in enumerate(kinds):
        w = rng.normal(size=k) * rng.uniform(0, 1)
        z = factors @ w + rng.standard_normal(rows)
        if kind == "float":
            v = np.exp(z * 0.5) * rng.uniform(1, 100) if j % 3 == 0 else z * rng.uniform(1, 50) + rng.uniform(-100, 100)
            s = pd.Series(np.round(v, 3))
        elif kind == "int":
            s = pd.Series(np.floor(z * rng.uniform(1, 20) + 50).astype(np.int64))
        else:
            levels = np.array([f"lvl_{chr(97 + i)}" for i in range(int(rng.integers(2, 8)))])
            cuts = np.quantile(z, np.linspace(0, 1, len(levels) + 1)[1:-1])
            s = pd.Series(levels[np.searchsorted(cuts, z)])
        if j % 20 == 7:
            s = s.where(rng.random(rows) > 0.1)
        data[f"c{j:05d}_{kind}"] = s
    return pd.DataFrame(data)


def parse_sizes(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        if part.strip():
            r, c = part.lower().split("x")
            out.append((int(r), int(c)))
    return out


def run_timed(cmd: list[str], timeout: float, cwd: str) -> dict:
    """Run ``cmd``; its wall time, peak RSS (MiB, from wait4) and exit status, or a timeout."""
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=fo, stderr=fe, text=True)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t0
        timer.cancel()
        p.returncode = rc = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    return {
        "seconds": seconds,
        "peak_mib": usage.ru_maxrss / 1024,
        "rc": rc,
        "timed_out": rc == -9 and seconds >= timeout,
        "stdout": out,
        "stderr": err,
    }


def _fmt(res: dict, timeout: float) -> str:
    if res.get("timed_out"):
        return f">{timeout:.0f}"
    if res.get("rc", 0) not in (0, None):
        return "error"
    return f"{res['seconds']:.2f}"


# ---------------------------------------------------------------------------------- children
def api_child(csv: str, steps: str) -> dict:
    """The Python API steps on ``csv`` in this process: {step: {seconds, peak_mib}} (+ notes)."""
    from _measure import measure

    from simulacra import read_table
    from simulacra.evaluation import DiagnosticReport, QualityReport
    from simulacra.evaluation.report import build_report
    from simulacra.metadata import Metadata
    from simulacra.synthesizers import GaussianCopulaSynthesizer

    df = read_table(csv)
    out: dict = {}
    with measure(out.setdefault("detect", {})):
        md = Metadata.detect_from_dataframe(df)
    with measure(out.setdefault("fit", {})):
        synth = GaussianCopulaSynthesizer(md)
        synth.fit(df)
    with measure(out.setdefault("sample", {})):
        syn = synth.sample(50, seed=0)
    with measure(out.setdefault("quality", {})):
        q = QualityReport()
        q.generate(df, syn, md, verbose=False)
    out["quality"]["score"] = q.get_score()
    out["quality"]["pairs"] = getattr(q, "pair_sampling", None)
    if "all" in steps:
        with measure(out.setdefault("diagnostic", {})):
            DiagnosticReport().generate(df, syn, md, verbose=False)
        with measure(out.setdefault("report", {})):
            text = build_report(df, syn, md)
        out["report"]["html_mib"] = len(text.encode()) / 2**20
    return out


def sdv_child(csv: str, meta_json: str) -> dict:
    """SDV's GaussianCopulaSynthesizer fit + sample(50) and SDMetrics' QualityReport on ``csv``."""
    import warnings

    warnings.filterwarnings("ignore")
    from _measure import measure
    from sdmetrics.reports.single_table import QualityReport
    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer

    df = pd.read_csv(csv)
    meta = json.loads(Path(meta_json).read_text())
    md = Metadata.load_from_dict(meta, single_table_name="wide")
    out: dict = {}
    with measure(out.setdefault("fit_sample", {})):
        synth = GaussianCopulaSynthesizer(md)
        synth.fit({"wide": df})  # SDV 2.0 takes {table name: DataFrame}
        syn = synth.sample(num_rows=50)
        syn = syn["wide"] if isinstance(syn, dict) else syn
    print(json.dumps({"partial": out}), flush=True)
    with measure(out.setdefault("quality", {})):
        rep = QualityReport()
        rep.generate(df, syn, meta, verbose=False)
    out["quality"]["score"] = rep.get_score()
    print(json.dumps({"partial": out}, default=float), flush=True)
    # the same synthetic sample scored by simulacra over every pair: the scores must agree
    from simulacra.evaluation import QualityReport as SimQuality

    with measure(out.setdefault("simulacra_all_pairs", {})):
        q = SimQuality(max_pairs=None)
        q.generate(df, syn, meta, verbose=False)
    out["simulacra_all_pairs"]["score"] = q.get_score()
    return out


def sdv_metadata(df: pd.DataFrame) -> dict:
    """One SDV-style metadata dict used by both tools (simulacra's detection, as plain sdtypes)."""
    from simulacra.metadata import Metadata

    md = Metadata.detect_from_dataframe(df)
    cols = {}
    for c, m in md.columns.items():
        sd = m["sdtype"] if m["sdtype"] in ("numerical", "categorical", "boolean", "datetime") else "categorical"
        cols[c] = {"sdtype": sd}
    return {"columns": cols}


def simulacra_equal_child(csv: str, meta_json: str) -> dict:
    """simulacra's fit + sample(50) and QualityReport on ``csv`` with the same metadata as SDV's."""
    from _measure import measure

    from simulacra.evaluation import QualityReport
    from simulacra.metadata import Metadata
    from simulacra.synthesizers import GaussianCopulaSynthesizer

    df = pd.read_csv(csv)
    meta = json.loads(Path(meta_json).read_text())
    md = Metadata.load_from_dict(meta)
    out: dict = {}
    with measure(out.setdefault("fit_sample", {})):
        synth = GaussianCopulaSynthesizer(md)
        synth.fit(df)
        syn = synth.sample(50, seed=0)
    with measure(out.setdefault("quality", {})):
        q = QualityReport()
        q.generate(df, syn, meta, verbose=False)
    out["quality"]["score"] = q.get_score()
    out["quality"]["pairs"] = getattr(q, "pair_sampling", None)
    return out


def run_child(kind: str, args: list[str], timeout: float) -> tuple[dict | None, dict]:
    res = run_timed([sys.executable, __file__, "--child", kind, *args], timeout, cwd=str(HERE.parent))
    payload = None
    for line in res["stdout"].splitlines():
        if line.startswith("{"):
            try:
                payload = json.loads(line)
            except json.JSONDecodeError:
                pass
    if payload is not None and "partial" in payload and len(payload) == 1:
        payload = payload["partial"]
    return payload, res


# ---------------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="50x5000,1000x5000", help="ROWSxCOLUMNS,... for the CLI and API timings")
    ap.add_argument("--sdv-sizes", default="50x500,50x1000,50x5000", help="ROWSxCOLUMNS,... for the SDV comparison")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds before a step is killed")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each CLI step this many times and keep the fastest (the machine may be shared)",
    )
    ap.add_argument("--skip-sdv", action="store_true")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--skip-api", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        fn = {"api": api_child, "sdv": sdv_child, "sim": simulacra_equal_child}[kind]
        print(json.dumps(fn(*rest), default=float), flush=True)
        return

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
    ).stdout.strip()
    threads = {k: os.environ.get(k, "-") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    print(
        f"bench_wide  commit {commit}  cpus {os.cpu_count()}  load {os.getloadavg()[0]:.2f}  threads {threads}  timeout {args.timeout:.0f}s"
    )
    simulacra_bin = str(Path(sys.executable).with_name("simulacra"))
    with tempfile.TemporaryDirectory(prefix="bench-wide-") as tmp:
        for rows, cols in parse_sizes(args.sizes):
            name = f"w{rows}x{cols}"
            csv = str(Path(tmp) / f"{name}.csv")
            make_wide(rows, cols).to_csv(csv, index=False)
            print(
                f"\n== {rows} rows x {cols} columns ({os.path.getsize(csv) / 2**20:.1f} MiB CSV; load {os.getloadavg()[0]:.2f}; CLI: best of {max(1, args.repeat)})"
            )
            if not args.skip_cli:
                steps = [
                    ("metadata", ["metadata", csv, "-o", f"{name}.json", "--overwrite"]),
                    ("fit", ["fit", csv, "-o", f"{name}.zip"]),
                    ("sample", ["sample", f"{name}.zip", "-n", "50", "-o", f"{name}.syn.csv"]),
                    ("evaluate", ["evaluate", csv, f"{name}.syn.csv"]),
                    ("report", ["report", csv, f"{name}.syn.csv", "-o", f"{name}.html"]),
                ]
                print(f"{'CLI step':<10} {'seconds':>9} {'peak MiB':>9}  note")
                total = 0.0
                for step, argv in steps:
                    runs = [
                        run_timed(
                            [simulacra_bin, *argv, *(["--overwrite"] if step in ("fit", "sample", "report") else [])],
                            args.timeout,
                            cwd=tmp,
                        )
                        for k in range(max(1, args.repeat))
                    ]
                    res = min(runs, key=lambda r: (r["rc"] != 0, r["seconds"]))
                    note = ""
                    if res["rc"] not in (0, None) and not res["timed_out"]:
                        note = (res["stderr"].strip().splitlines() or [""])[-1][:100]
                    elif step == "evaluate":
                        note = next((ln.strip() for ln in res["stdout"].splitlines() if "pairs" in ln.lower()), "")[
                            :110
                        ]
                    elif step == "fit":
                        note = (
                            f"model {os.path.getsize(Path(tmp) / f'{name}.zip') / 2**20:.1f} MiB"
                            if (Path(tmp) / f"{name}.zip").exists()
                            else ""
                        )
                    if step in ("fit", "sample", "evaluate"):
                        total += res["seconds"]
                    print(f"{step:<10} {_fmt(res, args.timeout):>9} {res['peak_mib']:>9.0f}  {note}")
                print(f"{'fit+sample+evaluate':<20} {total:.2f} s (target: under 60 s)")
            if not args.skip_api:
                out, res = run_child("api", [csv, "all"], args.timeout * 3)
                print(f"{'API step':<10} {'seconds':>9} {'peak MiB':>9}  note")
                if out is None:
                    print(
                        f"  API run failed or timed out after {res['seconds']:.0f}s: {(res['stderr'].strip().splitlines() or [''])[-1][:120]}"
                    )
                else:
                    for step, r in out.items():
                        note = ""
                        if step == "quality":
                            note = f"score {r['score']:.4f}" + (f"; {r['pairs']}" if r.get("pairs") else "")
                        if step == "report":
                            note = f"page {r['html_mib']:.1f} MiB"
                        print(f"{step:<10} {r['seconds']:>9.2f} {r['peak_mib']:>9.0f}  {note}")
        if args.skip_sdv:
            return
        print("\n== SDV GaussianCopulaSynthesizer + SDMetrics QualityReport vs simulacra, same table and metadata")
        print(
            f"{'size':<11} {'tool':<10} {'fit+samp s':>10} {'quality s':>10} {'score':>7} {'MiB':>7}   ratio SDV/simulacra (fit+sample, quality)"
        )
        for rows, cols in parse_sizes(args.sdv_sizes):
            df = make_wide(rows, cols)
            csv = str(Path(tmp) / f"sdv{rows}x{cols}.csv")
            meta_json = str(Path(tmp) / f"sdv{rows}x{cols}.json")
            df.to_csv(csv, index=False)
            Path(meta_json).write_text(json.dumps(sdv_metadata(df)))
            sim, _ = run_child("sim", [csv, meta_json], args.timeout)
            sdv, res = run_child("sdv", [csv, meta_json], args.timeout)
            size = f"{rows}x{cols}"

            def cell(d, key):
                if d is None or key not in d:
                    return f">{args.timeout:.0f}" if res["timed_out"] else "-"
                return f"{d[key]['seconds']:.2f}"

            for label, d in (("simulacra", sim), ("SDV", sdv)):
                score = d["quality"]["score"] if d and "quality" in d else float("nan")
                mib = max((v.get("peak_mib", 0) for v in d.values()), default=0) if d else float("nan")
                ratio = ""
                if label == "SDV" and sim is not None:
                    parts = []
                    for key in ("fit_sample", "quality"):
                        if sdv is not None and key in sdv:
                            parts.append(f"{sdv[key]['seconds'] / max(sim[key]['seconds'], 1e-9):.1f}x")
                        else:
                            spent = sum(sdv[k]["seconds"] for k in sdv) if sdv else 0.0  # what ran before the timeout
                            parts.append(
                                f">{(args.timeout - spent) / max(sim[key]['seconds'], 1e-9):.1f}x"
                                if res["timed_out"]
                                else "n/a"
                            )
                    ratio = ", ".join(parts)
                print(
                    f"{size:<11} {label:<10} {cell(d, 'fit_sample'):>10} {cell(d, 'quality'):>10} {score:>7.4f} {mib:>7.0f}   {ratio}"
                )
            if sim and sim["quality"].get("pairs"):
                print(f"{'':<11} simulacra pairs: {sim['quality']['pairs']}")
            if sdv and "simulacra_all_pairs" in sdv:
                a, b = sdv["quality"], sdv["simulacra_all_pairs"]
                print(
                    f"{'':<11} SDV's sample scored by both, every pair: SDMetrics {a['score']:.6f} in {a['seconds']:.2f}s, "
                    f"simulacra {b['score']:.6f} in {b['seconds']:.2f}s (ratio {a['seconds'] / max(b['seconds'], 1e-9):.1f}x)"
                )


if __name__ == "__main__":
    main()
