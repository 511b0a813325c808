"""Benchmark: simulacra's GaussianCopulaSynthesizer against SDV's, side by side, in one process.

For every CSV table in ``shared/datasets/`` (``../shared/datasets`` seen from the repository root;
change it with ``--datasets DIR``) both synthesizers are fitted on the same DataFrame and then
sample ``len(table)`` rows and ``--big-rows`` rows (default 1,000,000). Printed per table and tool:

* ``fit s``         seconds for ``fit`` (best of ``--repeat`` runs, default 3),
* ``samp n s``      seconds to sample ``len(table)`` rows (best of ``--repeat`` runs),
* ``samp 1M s``     seconds to sample ``--big-rows`` rows (one run),
* ``MiB fit+n``     peak memory of the fit + sample(len(table)) phase,
* ``MiB 1M``        peak memory of the sample(--big-rows) phase,
* ``quality``       sdmetrics' ``QualityReport`` score of the ``len(table)``-row sample
                    (with its two properties, Column Shapes and Column Pair Trends),

and, on the simulacra row, the ratios ``SDV time / simulacra time`` for fit + sample(len(table))
and for fit + sample(--big-rows), and the quality difference (simulacra - SDV). The last line says
whether the target is met: fit + sample at least 5x faster than SDV on every table (both ratios),
with sdmetrics quality no lower than SDV's (tables that sdmetrics cannot score, because they have no
numerical/categorical/boolean/datetime column, count for speed only). Results also go to
``benchmarks/results/gaussian_copula.json``.

Metadata
    One SDV-1-style single-table dict ``{"columns": {name: {"sdtype": ...}}, "primary_key": ...}``
    is built per table from ``catalog.json`` and given unchanged to simulacra, to SDV (as a
    single-table dict via ``Metadata.load_from_dict(d, single_table_name=...)``) and to sdmetrics.
    Catalog types map one to one to sdtypes, with ``datetime_format`` for datetime columns, except:
    columns typed ``id`` that are not the table's primary key (gapminder's ``country``; flights'
    ``carrier``, ``tailnum``, ``origin``, ``dest``: foreign keys / entity ids with repeating values)
    are treated as ``categorical`` in this single-table benchmark, on both sides; the primary key
    (if any) stays ``id``. ``text`` columns stay ``text`` on both sides (SDV 2.0 accepts it: as an
    sdtype it has no own kwargs it is handled like a PII column, i.e. fake values; sdmetrics does
    not score ``id``/``text`` columns).

Data
    Each CSV is read once with ``simulacra.read_table`` (integer columns with missing values become
    ``Int64``). simulacra gets that DataFrame as is. SDV gets a copy that differs only in boolean
    columns: SDV 2.0 rejects booleans written as 0/1 or 'no'/'yes' ("Invalid values found for
    boolean column"), so in SDV's copy they are mapped to False/True, and SDV's samples are mapped
    back to the original values (untimed) before quality scoring. SDV 2.0 handles ``Int64`` columns,
    so they are left alone. Datetime columns are strings in both (formats given in the metadata).

Memory
    Default ``--memory rss``: peak resident set size of the process during the phase minus the
    resident size at its start (after ``gc.collect()`` and glibc ``malloc_trim(0)``), read from the
    kernel's high-water mark ``VmHWM`` in ``/proc/self/status``, which is reset at the start of the
    phase by writing ``5`` to ``/proc/self/clear_refs`` (Linux >= 4.0). This costs nothing while
    the code runs, so the timings are not disturbed. (tracemalloc was tried first: it made both
    synthesizers about 4x slower.) Where ``clear_refs`` cannot be written, a thread polls
    ``VmRSS`` every millisecond instead. ``--memory tracemalloc`` instead repeats each phase once
    more, untimed, under ``tracemalloc`` and reports the traced peak (Python + NumPy allocations;
    slow). ``--memory none`` skips memory.

Checks
    Each tool's len(table)-row sample is also checked against the real table (columns, dtypes,
    missing shares, numerical ranges, unseen categories, datetime format, primary-key uniqueness),
    and sdmetrics column shapes / pair trends where simulacra scores 0.05 / 0.1 below SDV are
    listed. An error in one tool's big sample is reported and the other numbers are kept.
    The header gives the git commit and load average: the machine is shared, so timings can vary.

Import time
    Measured once at start, in this process, simulacra first: ``import simulacra`` plus first use
    (resolving its lazily imported ``Metadata``, ``GaussianCopulaSynthesizer``, ``read_table``),
    then ``import sdv.single_table`` (+ ``sdv.metadata``). Approximate: SDV's number benefits from
    numpy/pandas/scipy being already loaded by simulacra. For reference, cold imports in fresh
    interpreters (subprocesses) are also measured.

Usage::

    python benchmarks/bench_gaussian_copula.py [--tables penguins,email] [--big-rows 1000000]
        [--datasets DIR] [--skip-sdv] [--repeat 3] [--memory rss|tracemalloc|none] [--json PATH]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import logging
import os
import platform
import subprocess
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
DEFAULT_DATASETS = HERE.parents[2] / "shared" / "datasets"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "gaussian_copula.json"
SPEED_TARGET = 5.0
TARGET_TEXT = "fit + sample at least 5x faster than SDV on every table, with sdmetrics quality no lower than SDV's"


# ---------------------------------------------------------------------------------------------
# import timing (must run before numpy / pandas are imported by this script)
# ---------------------------------------------------------------------------------------------
def time_imports(skip_sdv: bool) -> dict:
    out = {}
    t0 = time.perf_counter()
    import simulacra

    simulacra.Metadata, simulacra.GaussianCopulaSynthesizer, simulacra.read_table  # first use
    out["simulacra_s"] = time.perf_counter() - t0
    if not skip_sdv:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            import sdv.metadata  # noqa: F401
            import sdv.single_table  # noqa: F401

            out["sdv_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import QualityReport  # noqa: F401
    out["sdmetrics_s"] = time.perf_counter() - t0
    return out


def git_state() -> dict:
    """Commit of the repository and whether simulacra/ differs from it (results depend on both)."""

    def git(*a):
        r = subprocess.run(["git", *a], capture_output=True, text=True, cwd=REPO, timeout=30)
        return r.stdout.strip() if r.returncode == 0 else None

    try:
        return {
            "commit": git("rev-parse", "--short", "HEAD"),
            "simulacra_modified": bool(git("status", "--porcelain", "--", "simulacra")),
        }
    except Exception:  # noqa: BLE001
        return {"commit": None, "simulacra_modified": None}


def time_imports_cold(skip_sdv: bool) -> dict:
    """Import times in fresh interpreters (each includes numpy/pandas/scipy)."""
    snippets = {
        "simulacra_s": "import simulacra; simulacra.Metadata, simulacra.GaussianCopulaSynthesizer, simulacra.read_table",
    }
    if not skip_sdv:
        snippets["sdv_s"] = "import sdv.metadata, sdv.single_table"
    out = {}
    for key, code in snippets.items():
        prog = (
            "import time, warnings; warnings.simplefilter('ignore'); t0 = time.perf_counter(); "
            f"{code}; print(time.perf_counter() - t0)"
        )
        try:
            r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, timeout=120, cwd=REPO)
            out[key] = float(r.stdout.strip().splitlines()[-1])
        except Exception as e:  # noqa: BLE001
            out[key] = None
            out[key.replace("_s", "_error")] = repr(e)
    return out


# ---------------------------------------------------------------------------------------------
# memory measurement
# ---------------------------------------------------------------------------------------------
_LIBC = None


def _malloc_trim():
    global _LIBC
    try:
        if _LIBC is None:
            _LIBC = ctypes.CDLL("libc.so.6")
        _LIBC.malloc_trim(0)
    except Exception:  # noqa: BLE001
        pass


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _can_reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        _status_kib("VmHWM")
        return True
    except Exception:  # noqa: BLE001
        return False


class PeakRSS:
    """Peak RSS above the RSS at entry, in MiB (``.mib`` after the block)."""

    method = None  # "VmHWM" or "poll", decided once

    def __enter__(self):
        gc.collect()
        _malloc_trim()
        if PeakRSS.method is None:
            PeakRSS.method = "VmHWM" if _can_reset_hwm() else "poll"
        self.base = _status_kib("VmRSS")
        if PeakRSS.method == "VmHWM":
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        else:
            self._peak = self.base
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def _poll(self):
        while not self._stop.is_set():
            self._peak = max(self._peak, _status_kib("VmRSS"))
            time.sleep(0.001)

    def __exit__(self, *exc):
        if PeakRSS.method == "VmHWM":
            peak = _status_kib("VmHWM")
        else:
            self._stop.set()
            self._thread.join()
            peak = max(self._peak, _status_kib("VmRSS"))
        self.mib = max(0, peak - self.base) / 1024
        return False


class NoMem:
    mib = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class TraceMem:
    def __enter__(self):
        import tracemalloc

        gc.collect()
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        import tracemalloc

        self.mib = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return False


# ---------------------------------------------------------------------------------------------
# metadata and data
# ---------------------------------------------------------------------------------------------
def build_metadata(entry: dict) -> tuple[dict, list[str]]:
    """SDV-1 single-table metadata dict from a catalog entry, plus notes about changes."""
    pk = entry.get("primary_key")
    if isinstance(pk, list):
        pk = pk[0] if len(pk) == 1 else None
    notes = []
    cols = {}
    for c in entry["column_details"]:
        name, typ = c["name"], c["type"]
        if typ == "id" and name != pk:
            notes.append(f"{name}: id (not the primary key) -> categorical")
            typ = "categorical"
        m = {"sdtype": typ}
        if typ == "datetime" and c.get("datetime_format"):
            m["datetime_format"] = c["datetime_format"]
        cols[name] = m
    return {"columns": cols, "primary_key": pk}, notes


_BOOL_MAP = {
    0: False,
    1: True,
    "0": False,
    "1": True,
    "no": False,
    "yes": True,
    "false": False,
    "true": True,
    "n": False,
    "y": True,
    "f": False,
    "t": True,
}


def sdv_copy(df, meta: dict):
    """Copy of ``df`` that SDV 2.0 accepts, and per-column maps to undo the change on samples."""
    import pandas as pd

    out = df.copy()
    back = {}
    for name, m in meta["columns"].items():
        if m["sdtype"] != "boolean":
            continue
        s = df[name]
        if s.dtype == bool or str(s.dtype) == "boolean":
            continue
        vals = list(pd.unique(s.dropna()))
        fwd = {}
        for v in vals:
            key = v.lower() if isinstance(v, str) else v
            if key not in _BOOL_MAP:
                break
            fwd[v] = _BOOL_MAP[key]
        else:
            out[name] = s.map(fwd).astype("boolean" if s.isna().any() else bool)
            inv = {b: v for v, b in fwd.items()}
            back[name] = (inv, s.dtype)
    return out, back


def undo_sdv_copy(df, back: dict):
    for name, (inv, dtype) in back.items():
        s = df[name].map(lambda b, inv=inv: inv.get(bool(b)) if b is not None and b == b else None)
        try:
            s = s.astype(dtype)
        except (TypeError, ValueError):
            pass
        df[name] = s
    return df


# ---------------------------------------------------------------------------------------------
# tools
# ---------------------------------------------------------------------------------------------
class SimulacraTool:
    name = "simulacra"

    def __init__(self, meta: dict, table: str):
        from simulacra import Metadata

        self.md = Metadata.load_from_dict(meta)

    def new(self):
        from simulacra import GaussianCopulaSynthesizer

        return GaussianCopulaSynthesizer(self.md)

    def fit(self, syn, data):
        syn.fit(data)

    def sample(self, syn, n):
        return syn.sample(n, seed=0, show_progress=False)


class SDVTool:
    name = "SDV"

    def __init__(self, meta: dict, table: str):
        from sdv.metadata import Metadata

        self.table = table
        self.md = Metadata.load_from_dict(meta, single_table_name=table)
        self.md.validate()

    def new(self):
        from sdv.single_table import GaussianCopulaSynthesizer

        return GaussianCopulaSynthesizer(self.md)  # defaults: default_distribution='beta'

    def fit(self, syn, data):
        syn.fit({self.table: data})

    def sample(self, syn, n):
        out = syn.sample(num_rows=n)
        return out[self.table] if isinstance(out, dict) else out


def run_tool(tool, data, n_rows: int, big_rows: int, repeat: int, mem_mode: str) -> dict:
    """Fit + sample(n_rows) ``repeat`` times (best time kept), then sample(big_rows) once."""
    mem_cls = {"rss": PeakRSS, "none": NoMem, "tracemalloc": NoMem}[mem_mode]
    fit_times, samp_times = [], []
    syn = small = None
    mem_small = None
    for _ in range(max(1, repeat)):
        syn = small = None
        with mem_cls() as mem:
            syn = tool.new()
            t0 = time.perf_counter()
            tool.fit(syn, data)
            t1 = time.perf_counter()
            small = tool.sample(syn, n_rows)
            t2 = time.perf_counter()
        fit_times.append(t1 - t0)
        samp_times.append(t2 - t1)
        mem_small = mem.mib
    res = {"fit_s": min(fit_times), "sample_n_s": min(samp_times), "fit_s_all": fit_times, "sample_n_s_all": samp_times}
    big = big_info = mem_big = None
    try:
        with mem_cls() as mem:
            t0 = time.perf_counter()
            big = tool.sample(syn, big_rows)
            t1 = time.perf_counter()
        res["sample_big_s"] = t1 - t0
        mem_big = mem.mib
        big_info = {"rows": len(big), "dtypes": {c: str(t) for c, t in big.dtypes.items()}}
    except Exception as e:  # noqa: BLE001  (reported; fit / sample n results are kept)
        res["sample_big_error"] = f"{type(e).__name__}: {e}"
        res["sample_big_traceback"] = traceback.format_exc()
        print(res["sample_big_traceback"], file=sys.stderr, flush=True)
    del big
    gc.collect()
    if mem_mode == "tracemalloc":  # separate untimed pass
        with TraceMem() as mem:
            s2 = tool.new()
            tool.fit(s2, data)
            x = tool.sample(s2, n_rows)
        mem_small = mem.mib
        del x
        if "sample_big_error" not in res:
            with TraceMem() as mem:
                x = tool.sample(s2, big_rows)
            mem_big = mem.mib
            del x
        del s2
        gc.collect()
    res["mem_fit_sample_n_mib"] = mem_small
    res["mem_sample_big_mib"] = mem_big
    return res, small, big_info


# ---------------------------------------------------------------------------------------------
# checks and quality
# ---------------------------------------------------------------------------------------------
def sanity_checks(real, synth, meta: dict, big_info: dict | None, big_rows: int, remapped=()) -> list[str]:
    """Cheap checks of a sample against the real table; returns human-readable problems.

    ``remapped``: columns whose values were changed for the tool and mapped back on the small
    sample only (their big-sample dtype is not compared).
    """
    import pandas as pd

    problems = []
    big_info = big_info or {"rows": big_rows, "dtypes": {}}
    if list(synth.columns) != list(real.columns):
        problems.append(f"columns differ: {list(synth.columns)} vs real {list(real.columns)}")
    if len(synth) != len(real):
        problems.append(f"sampled {len(synth)} rows, asked for {len(real)}")
    if big_info["rows"] != big_rows:
        problems.append(f"big sample has {big_info['rows']} rows, asked for {big_rows}")
    for c in real.columns:
        if c not in synth.columns:
            continue
        rd, sd = str(real[c].dtype), str(synth[c].dtype)
        if rd != sd:
            problems.append(f"{c}: dtype {sd}, real {rd}")
        bd = big_info["dtypes"].get(c)
        if bd is not None and bd != sd and c not in remapped:
            problems.append(f"{c}: dtype {bd} in the big sample, {sd} in the small one")
        st = meta["columns"][c]["sdtype"]
        rmiss, smiss = float(real[c].isna().mean()), float(synth[c].isna().mean())
        if abs(rmiss - smiss) > 0.05:
            problems.append(f"{c}: missing share {smiss:.3f}, real {rmiss:.3f}")
        if st == "numerical":
            rv = pd.to_numeric(real[c], errors="coerce").dropna()
            sv = pd.to_numeric(synth[c], errors="coerce")
            if sv.isna().sum() > synth[c].isna().sum():
                problems.append(f"{c}: {int(sv.isna().sum() - synth[c].isna().sum())} non-numeric values")
            sv = sv.dropna()
            if len(rv) and len(sv) and (sv.min() < rv.min() or sv.max() > rv.max()):
                problems.append(f"{c}: range [{sv.min()}, {sv.max()}] outside real [{rv.min()}, {rv.max()}]")
        elif st in ("categorical", "boolean"):
            new = set(synth[c].dropna().unique()) - set(real[c].dropna().unique())
            if new:
                problems.append(f"{c}: {len(new)} values not in the real data, e.g. {sorted(map(str, new))[:3]}")
        elif st == "datetime":
            fmt = meta["columns"][c].get("datetime_format")
            sv = pd.to_datetime(synth[c], format=fmt, errors="coerce")
            bad = int(sv.isna().sum() - synth[c].isna().sum())
            if bad:
                problems.append(f"{c}: {bad} values not in format {fmt!r}")
        elif st == "id" and c == meta.get("primary_key"):
            if synth[c].duplicated().any():
                problems.append(f"{c}: primary key has duplicates")
    return problems


def quality(real, synth, meta: dict) -> dict:
    from sdmetrics.reports.single_table import QualityReport

    t0 = time.perf_counter()
    scored = [
        c for c, m in meta["columns"].items() if m["sdtype"] in ("numerical", "categorical", "boolean", "datetime")
    ]
    if not scored:
        return {"score": None, "note": "no column sdmetrics can score (only id/text)", "seconds": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = QualityReport()
        rep.generate(real, synth, meta, verbose=False)
        props = rep.get_properties()
        shapes = rep.get_details("Column Shapes")
        try:
            pairs = rep.get_details("Column Pair Trends")
        except Exception:  # noqa: BLE001
            pairs = None
    out = {"score": float(rep.get_score())}
    for _, row in props.iterrows():
        out[row["Property"]] = None if row["Score"] != row["Score"] else float(row["Score"])
    out["column_shapes"] = {r["Column"]: float(r["Score"]) for _, r in shapes.iterrows()}
    if pairs is not None and len(pairs):
        out["column_pair_trends"] = {
            f"{r['Column 1']} | {r['Column 2']}": None if r["Score"] != r["Score"] else float(r["Score"])
            for _, r in pairs.iterrows()
        }
    out["seconds"] = time.perf_counter() - t0
    return out


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
def fmt(v, spec=".2f", none="-"):
    if v is None or (isinstance(v, float) and v != v):
        return none
    return format(v, spec)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS, help="folder with the CSVs and catalog.json")
    ap.add_argument("--tables", default=None, help="comma-separated table names (file stems) to run")
    ap.add_argument("--big-rows", type=int, default=1_000_000, help="rows for the big sample (default 1,000,000)")
    ap.add_argument(
        "--repeat", type=int, default=7, help="runs of fit + sample(len(table)); best time kept (default 7)"
    )
    ap.add_argument(
        "--memory", choices=("rss", "tracemalloc", "none"), default="rss", help="how to measure peak memory"
    )
    ap.add_argument("--skip-sdv", action="store_true", help="run simulacra only")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write results (default {DEFAULT_JSON})")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()

    imports = time_imports(args.skip_sdv)
    git_info = git_state()
    load_start = os.getloadavg()

    import numpy as np
    import pandas as pd

    import simulacra
    from simulacra import read_table

    warnings.filterwarnings("ignore")
    for name in ("sdv", "rdt", "copulas", "sdmetrics", "SingleTableSynthesizer", "MultiTableSynthesizer"):
        logging.getLogger(name).setLevel(logging.ERROR)
    imports_cold = time_imports_cold(args.skip_sdv)

    ds = args.datasets.resolve()
    catalog_path = ds / "catalog.json"
    if not catalog_path.is_file():
        print(f"error: {catalog_path} not found", file=sys.stderr)
        return 2
    catalog = {t["file"]: t for t in json.loads(catalog_path.read_text())["tables"]}
    files = sorted(ds.glob("*.csv"))
    wanted = None if not args.tables else [t.strip() for t in args.tables.split(",") if t.strip()]
    if wanted:
        known = {f.stem for f in files}
        missing = [w for w in wanted if w not in known and w.removesuffix(".csv") not in known]
        if missing:
            print(f"error: no table(s) {missing} in {ds}; have {sorted(known)}", file=sys.stderr)
            return 2
        files = [f for f in files if f.stem in {w.removesuffix(".csv") for w in wanted}]

    versions = {"simulacra": simulacra.__version__, "numpy": np.__version__, "pandas": pd.__version__}
    for mod in ("sdv", "sdmetrics", "rdt", "copulas", "scipy"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001
            pass

    tools = [SimulacraTool] + ([] if args.skip_sdv else [SDVTool])
    results = []
    for path in files:
        entry = catalog.get(path.name)
        table = path.stem
        if entry is None:
            print(f"[skip] {path.name}: not in catalog.json", flush=True)
            results.append({"table": table, "skipped": "not in catalog.json"})
            continue
        meta, meta_notes = build_metadata(entry)
        df = read_table(path)
        sdv_df, sdv_back = sdv_copy(df, meta)
        rec = {
            "table": table,
            "rows": len(df),
            "columns": df.shape[1],
            "metadata": meta,
            "metadata_notes": meta_notes,
            "sdv_data_changes": {c: "mapped to bool" for c in sdv_back},
            "tools": {},
        }
        print(f"[{time.perf_counter() - t_start:7.1f}s] {table}: {len(df)} x {df.shape[1]}", flush=True)
        for T in tools:
            r = {}
            try:
                tool = T(meta, table)
                data = df if T is SimulacraTool else sdv_df
                np.random.seed(0)
                timing, small, big_info = run_tool(tool, data, len(df), args.big_rows, args.repeat, args.memory)
                r.update(timing)
                if T is SDVTool:
                    small = undo_sdv_copy(small, sdv_back)
                r["problems"] = sanity_checks(
                    df, small, meta, big_info, args.big_rows, remapped=set(sdv_back) if T is SDVTool else ()
                )
                r["sample_dtypes"] = {c: str(t) for c, t in small.dtypes.items()}
                r["quality"] = quality(df, small, meta)
            except Exception as e:  # noqa: BLE001
                r["error"] = f"{type(e).__name__}: {e}"
                r["traceback"] = traceback.format_exc()
                print(r["traceback"], file=sys.stderr, flush=True)
            rec["tools"][T.name] = r
            q = r.get("quality", {}).get("score")
            print(
                f"    {T.name:9s} fit {fmt(r.get('fit_s'), '.3f')}s  sample n {fmt(r.get('sample_n_s'), '.3f')}s  "
                f"sample {args.big_rows:,} {fmt(r.get('sample_big_s'), '.2f')}s  quality {fmt(q, '.4f')}"
                + (f"  ERROR {r['error']}" if "error" in r else "")
                + (f"  BIG SAMPLE ERROR {r['sample_big_error']}" if "sample_big_error" in r else ""),
                flush=True,
            )
            gc.collect()
        sim, sdv = rec["tools"].get("simulacra", {}), rec["tools"].get("SDV")
        if sdv is not None and "error" not in sim and "error" not in sdv:
            rec["speedup_fit_sample_n"] = (sdv["fit_s"] + sdv["sample_n_s"]) / (sim["fit_s"] + sim["sample_n_s"])
            if "sample_big_s" in sim and "sample_big_s" in sdv:
                rec["speedup_fit_sample_big"] = (sdv["fit_s"] + sdv["sample_big_s"]) / (
                    sim["fit_s"] + sim["sample_big_s"]
                )
            qa, qb = sim["quality"].get("score"), sdv["quality"].get("score")
            rec["quality_diff"] = None if qa is None or qb is None else qa - qb
            shapes_a, shapes_b = sim["quality"].get("column_shapes", {}), sdv["quality"].get("column_shapes", {})
            rec["column_shapes_worse_than_sdv"] = {
                c: {"simulacra": shapes_a[c], "SDV": shapes_b[c]}
                for c in shapes_a
                if c in shapes_b and shapes_a[c] < shapes_b[c] - 0.05
            }
            pa, pb = sim["quality"].get("column_pair_trends", {}), sdv["quality"].get("column_pair_trends", {})
            worse = sorted(
                (
                    (pb[k] - pa[k], k)
                    for k in pa
                    if k in pb and pa[k] is not None and pb[k] is not None and pa[k] < pb[k] - 0.1
                ),
                reverse=True,
            )
            rec["column_pairs_worse_than_sdv"] = {k: {"simulacra": pa[k], "SDV": pb[k]} for _, k in worse}
        results.append(rec)
        del df, sdv_df
        gc.collect()

    total = time.perf_counter() - t_start
    load_end = os.getloadavg()

    # ----------------------------------------------------------------- table
    big_label = f"{args.big_rows / 1e6:g}M" if args.big_rows % 100_000 == 0 else f"{args.big_rows:,}"
    head = [
        "table",
        "rows",
        "tool",
        "fit s",
        "samp n s",
        f"samp {big_label} s",
        "MiB fit+n",
        f"MiB {big_label}",
        "quality",
        "shapes",
        "trends",
        "x fit+n",
        f"x fit+{big_label}",
        "dQ",
    ]
    rows_out = []
    for rec in results:
        if "skipped" in rec:
            continue
        for tname, r in rec["tools"].items():
            q = r.get("quality", {})
            is_sim = tname == "simulacra"
            if "error" in r:
                rows_out.append([rec["table"], f"{rec['rows']:,}", tname, "ERROR"] + ["-"] * (len(head) - 4))
                continue
            rows_out.append(
                [
                    rec["table"],
                    f"{rec['rows']:,}",
                    tname,
                    fmt(r["fit_s"], ".3f"),
                    fmt(r["sample_n_s"], ".3f"),
                    fmt(r.get("sample_big_s"), ".2f", "ERROR"),
                    fmt(r["mem_fit_sample_n_mib"], ".0f"),
                    fmt(r.get("mem_sample_big_mib"), ".0f"),
                    fmt(q.get("score"), ".4f", "n/a"),
                    fmt(q.get("Column Shapes"), ".3f", "n/a"),
                    fmt(q.get("Column Pair Trends"), ".3f", "n/a"),
                    fmt(rec.get("speedup_fit_sample_n"), ".1f") if is_sim else "",
                    fmt(rec.get("speedup_fit_sample_big"), ".1f") if is_sim else "",
                    fmt(rec.get("quality_diff"), "+.4f", "n/a") if is_sim and "speedup_fit_sample_n" in rec else "",
                ]
            )
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows_out)] if rows_out else [len(h) for h in head]
    left = {0, 2}

    def line(cells):
        return "  ".join(
            str(c).ljust(w) if i in left else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
        )

    print()
    print(
        f"GaussianCopulaSynthesizer: simulacra {versions['simulacra']} vs SDV {versions.get('sdv', '-')} "
        f"(sdmetrics {versions.get('sdmetrics', '-')}), {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"git {git_info['commit']}{' + local changes in simulacra/' if git_info['simulacra_modified'] else ''}, "
        f"load average {load_start[0]:.1f} at start / {load_end[0]:.1f} at end"
    )
    print(
        f"times: best of {args.repeat} for fit and sample n (n = len(table)), one run for sample {args.big_rows:,}; "
        f"memory: {args.memory}"
        + (f" ({PeakRSS.method})" if args.memory == "rss" else "")
        + "; x = SDV time / simulacra time; dQ = simulacra quality - SDV quality"
    )
    print()
    print(line(head))
    print(line(["-" * w for w in widths]))
    prev = None
    for row in rows_out:
        if prev is not None and row[0] != prev:
            print()
        print(line(row))
        prev = row[0]
    print()
    print(
        f"import (approximate, this process, simulacra first): simulacra + first use {fmt(imports.get('simulacra_s'), '.2f')}s, "
        f"sdv.single_table {fmt(imports.get('sdv_s'), '.2f')}s (numpy/pandas/scipy already loaded); "
        f"fresh interpreters: simulacra {fmt(imports_cold.get('simulacra_s'), '.2f')}s, sdv {fmt(imports_cold.get('sdv_s'), '.2f')}s"
    )

    problems_lines = []
    for rec in results:
        for tname, r in rec.get("tools", {}).items():
            if "error" in r:
                problems_lines.append(f"{rec['table']} / {tname}: ERROR {r['error']}")
            if "sample_big_error" in r:
                problems_lines.append(
                    f"{rec['table']} / {tname}: sample({args.big_rows:,}) failed: {r['sample_big_error']}"
                )
            for p in r.get("problems", []):
                problems_lines.append(f"{rec['table']} / {tname}: {p}")
        for c, v in rec.get("column_shapes_worse_than_sdv", {}).items():
            problems_lines.append(
                f"{rec['table']} / simulacra: column shape of {c} {v['simulacra']:.3f} vs SDV {v['SDV']:.3f}"
            )
        pw = rec.get("column_pairs_worse_than_sdv", {})
        if pw:
            shown = ", ".join(f"{k} {v['simulacra']:.2f} vs {v['SDV']:.2f}" for k, v in list(pw.items())[:5])
            problems_lines.append(
                f"{rec['table']} / simulacra: {len(pw)} column pair trend(s) 0.1+ below SDV's, worst: {shown}"
            )
    if problems_lines:
        print(
            "problems / checks (the len(table)-row sample vs the real table; sdmetrics column shapes 0.05+ / pair trends 0.1+ below SDV's):"
        )
        for p in problems_lines:
            print("  - " + p)

    # ----------------------------------------------------------------- target
    verdict = None
    if not args.skip_sdv:
        failures = []
        ran = [r for r in results if "tools" in r]
        for rec in ran:
            if "speedup_fit_sample_n" not in rec:
                failures.append(f"{rec['table']}: not measured (error)")
                continue
            for key, label in (
                ("speedup_fit_sample_n", "fit + sample n"),
                ("speedup_fit_sample_big", f"fit + sample {big_label}"),
            ):
                if key not in rec:
                    failed = [t for t, r in rec["tools"].items() if "sample_big_error" in r]
                    failures.append(f"{rec['table']}: {label} not measured ({', '.join(failed) or '?'} failed)")
                elif rec[key] < SPEED_TARGET:
                    failures.append(f"{rec['table']}: {label} only {rec[key]:.1f}x faster")
            if rec.get("quality_diff") is not None and rec["quality_diff"] < 0:
                failures.append(f"{rec['table']}: quality {rec['quality_diff']:+.4f} below SDV")
        verdict = {"met": not failures and bool(ran), "failures": failures}
        print(f"total runtime {total:.0f}s")
        print(
            f"TARGET ({TARGET_TEXT}): "
            + ("MET" if verdict["met"] else "NOT MET")
            + ("" if verdict["met"] else " -- " + "; ".join(failures))
        )
    else:
        print(f"total runtime {total:.0f}s")
        print(f"TARGET ({TARGET_TEXT}): not evaluated (--skip-sdv)")

    out = {
        "benchmark": "GaussianCopulaSynthesizer: simulacra vs SDV",
        "target": TARGET_TEXT,
        "target_result": verdict,
        "args": {
            "datasets": str(ds),
            "tables": wanted,
            "big_rows": args.big_rows,
            "repeat": args.repeat,
            "memory": args.memory,
            "memory_method": PeakRSS.method if args.memory == "rss" else args.memory,
            "skip_sdv": args.skip_sdv,
        },
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "versions": versions,
            "git": git_info,
            "loadavg_1_5_15_start": load_start,
            "loadavg_1_5_15_end": load_end,
        },
        "import_seconds": {"in_process": imports, "fresh_interpreter": imports_cold},
        "total_seconds": total,
        "tables": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2, default=str))
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
