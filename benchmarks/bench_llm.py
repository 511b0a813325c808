"""LLMSynthesizer beside CART, the Gaussian copula, CTGAN, TVAE and (when installed) GReaT and REaLTabFormer.

For each single table in ``shared/datasets/`` (``--tables`` to choose, ``--rows`` to cap, a seeded
sample) and each synthesizer (``--only`` to choose), in one run: fit seconds, seconds to sample
``len(table)`` rows, peak memory (``_measure.py``), sdmetrics quality (overall, Column Shapes,
Column Pair Trends), the share of rows returned of the rows asked, the share of returned rows whose
every cell is valid (categories seen in the real column, numbers and dates that parse, missing
values only where the real column has them), the generation efficiency of the language-model
anchors (rows kept / rows generated), and the copy rate beside the real table's own duplicate rate
(``bench_synthesizers``). Then each synthesizer against LLMSynthesizer: fit time ratio and quality
difference, and the issue's targets for LLMSynthesizer.

LLMSynthesizer runs with its defaults (its own epoch budget and early stopping). CTGAN, TVAE, GReaT
and REaLTabFormer train ``--epochs`` epochs. GReaT (``be-great``) and REaLTabFormer
(``realtabformer``) run in a subprocess of their own venv (``--anchor-python``; default
``/work/anchors/venv/bin/python`` when it exists, else they are skipped), on a GPT-2 built from a
config at LLMSynthesizer's default size (layers, width, heads), trained from scratch since nothing
is downloaded: GReaT gets a byte-level BPE tokenizer trained on its own "column is value" text of
the table. Both get LLMSynthesizer's batch size and learning rate; everything else is their
defaults. ``--anchor-budget`` stops their training after N seconds, or after LLMSynthesizer's fit
time on the same table (``llm``: the same wall budget). Tables travel as Parquet, results as JSON
(as ``bench_multi_table``); an anchor running after ``--anchor-timeout`` seconds is killed.

    python benchmarks/bench_llm.py --tables penguins --only llm,cart --epochs 20
    python benchmarks/bench_llm.py --epochs 20 --rows 500 --anchor-budget llm --anchor-timeout 150
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _measure import measure  # noqa: E402
from bench_multi_table import THREAD_VARS, load_tables, save_tables  # noqa: E402

TABLES = ("penguins", "seattle_weather", "breast_cancer", "email", "gapminder")
OURS = ("llm", "cart", "gaussian_copula", "ctgan", "tvae")
ANCHORS = ("great", "realtabformer")
ANCHOR_PYTHON = Path("/work/anchors/venv/bin/python")
#: LLMSynthesizer's defaults when it cannot be imported (read from its signature otherwise)
LLM_DEFAULTS = {"n_layer": 3, "n_embd": 128, "n_head": 4, "batch_size": 64, "learning_rate": 2e-3}
BREAK = "Breaking the generation loop"


def llm_defaults() -> dict:
    """Model size, batch size and learning rate of LLMSynthesizer's signature (the anchors get the same)."""
    try:
        from simulacra.generative.llm import LLMSynthesizer
    except Exception:  # noqa: BLE001 - not there yet: the documented defaults
        return dict(LLM_DEFAULTS)
    params = inspect.signature(LLMSynthesizer.__init__).parameters
    return {k: params[k].default if k in params else v for k, v in LLM_DEFAULTS.items()}


# ------------------------------------------------------------------ simulacra's synthesizers
def run_llm(meta: dict, data, seed: int):
    """LLMSynthesizer with its defaults: (sample, fit s, sample s, peak MiB, info)."""
    import simulacra
    from simulacra.generative.llm import LLMSynthesizer

    synth = LLMSynthesizer(simulacra.Metadata.load_from_dict(meta), cuda=False)
    fit, samp = {}, {}
    with measure(fit):
        synth.fit(data, seed=seed)
    with measure(samp):
        out = synth.sample(len(data), seed=seed, show_progress=False)
    info = dict(synth.fit_info_ or {})
    model = getattr(synth, "_model", None)
    if model is not None:
        info["params"] = sum(p.numel() for p in model.parameters())
    return out, fit["seconds"], samp["seconds"], max(fit["peak_mib"], samp["peak_mib"]), info


def run_local(key: str, meta: dict, data, epochs: int, seed: int):
    if key == "llm":
        return run_llm(meta, data, seed)
    from bench_synthesizers import run_ours

    out, fit_s, samp_s, mem = run_ours(key, meta, data, epochs, seed)
    return out, fit_s, samp_s, mem, {"epochs_run": epochs} if key in ("ctgan", "tvae") else {}


# ------------------------------------------------------------------ anchors (their own venv)
def great_text(df) -> list[str]:
    """Rows as GReaT writes them ("col is value, col is value"), for training the tokenizer."""
    return functools.reduce(lambda a, b: a + ", " + b, [c + " is " + df[c].astype(str) for c in df.columns]).tolist()


def tiny_gpt2(folder: Path, texts: list[str], size: dict, seed: int) -> int:
    """A byte-level BPE tokenizer trained on ``texts``, a random GPT-2 of ``size``, in ``folder``; longest text."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    eos = "<|endoftext|>"  # GReaT strips this string from decoded rows
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    trainer = trainers.BpeTrainer(vocab_size=1024, special_tokens=[eos], initial_alphabet=alphabet, show_progress=False)
    tok.train_from_iterator(texts, trainer)
    PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=eos, eos_token=eos, unk_token=eos).save_pretrained(folder)
    longest = max(len(e.ids) for e in tok.encode_batch(texts))
    eos_id = tok.token_to_id(eos)
    cfg = GPT2Config(
        vocab_size=tok.get_vocab_size(),
        n_positions=max(1024, 2 * longest),
        **{k: size[k] for k in ("n_layer", "n_embd", "n_head")},
        bos_token_id=eos_id,
        eos_token_id=eos_id,
    )
    torch.manual_seed(seed)
    GPT2LMHeadModel(cfg).save_pretrained(folder)
    return longest


class WallBudget(Exception):
    """Raised inside a Hugging Face training loop when the anchor's training budget is spent."""


def wall_budget(seconds, state: dict) -> None:
    """Stop every ``transformers.Trainer`` after ``seconds`` (None: never), weights kept; epochs in ``state``."""
    import time

    import transformers

    end = math.inf if seconds is None else time.perf_counter() + seconds

    class Budget(transformers.TrainerCallback):
        def on_step_end(self, args, st, control, **kw):
            state["epochs_run"] = st.epoch
            if time.perf_counter() > end:
                state["stopped"] = f"training budget of {seconds:.0f} s spent"
                raise WallBudget

    init = transformers.Trainer.__init__

    def with_budget(self, *a, **k):
        init(self, *a, **k)
        self.add_callback(Budget())

    transformers.Trainer.__init__ = with_budget


def fit_great(df, job: dict, work: Path):
    import be_great.great as bg

    longest = tiny_gpt2(work / "gpt2", great_text(df), job["size"], job["seed"])
    size = job["size"]
    hf = dict(learning_rate=size["learning_rate"], save_strategy="no", logging_strategy="no", seed=job["seed"])
    model = bg.GReaT(str(work / "gpt2"), str(work / "great"), job["epochs"], size["batch_size"], **hf, use_cpu=True)
    try:
        model.fit(df)
    except WallBudget:
        pass
    # a row is cut when generation stops before its end: allow the longest training row and a margin
    return model, {"max_length": int(longest * 1.25) + 16}


def sample_great(model, n: int, info: dict, progress):
    import be_great.great as bg

    seen = {"generated": 0, "parsed": 0}
    parse = bg._convert_text_to_tabular_data

    def counting(text, columns):  # rows generated, and parsed with every column, so far: kept if killed
        out = parse(text, columns)
        seen["generated"] += len(text)
        seen["parsed"] += int((~(out == "placeholder").any(axis=1)).sum())
        progress(seen)
        return out

    bg._convert_text_to_tabular_data = counting
    try:
        out = model.sample(n_samples=n, max_length=info["max_length"], device="cpu")
    finally:
        bg._convert_text_to_tabular_data = parse
    return out, {**seen, "kept": len(out)}


def fit_rtf(df, job: dict, work: Path):
    from realtabformer import REaLTabFormer
    from transformers import GPT2Config

    size = job["size"]
    config = GPT2Config(n_layer=size["n_layer"], n_embd=size["n_embd"], n_head=size["n_head"])
    dirs = {f"{k}_dir": str(work / f"rtf_{k}") for k in ("checkpoints", "samples_save", "full_save")}
    hf = dict(
        gradient_accumulation_steps=1, learning_rate=size["learning_rate"], use_cpu=True, random_state=job["seed"]
    )
    model = REaLTabFormer("tabular", config, **dirs, epochs=job["epochs"], batch_size=size["batch_size"], **hf)
    try:
        model.fit(df, device="cpu", gen_kwargs={})  # its default None breaks sample(**gen_kwargs)
    except WallBudget:  # its privacy loop is cut too: the model as trained so far
        pass
    return model, {}


def sample_rtf(model, n: int, info: dict, progress):
    from realtabformer.rtf_sampler import TabularSampler

    made = []
    build = TabularSampler.sampler_from_model

    def keep(*a, **k):
        made.append(build(*a, **k))
        return made[-1]

    TabularSampler.sampler_from_model = keep
    try:
        out = model.sample(n_samples=n, device="cpu")
    finally:
        TabularSampler.sampler_from_model = build
    s = made[-1]
    return out, {"generated": s.total_gen_samples, "kept": s.total_gen_samples - s.invalid_gen_samples}


def anchor_worker(data_dir: str, out_dir: str) -> None:
    """In the anchors' venv: fit and sample one anchor; write result.json and the sample (Parquet)."""
    import random

    import numpy as np
    import torch

    warnings.simplefilter("ignore")
    out = Path(out_dir)
    tables, job = load_tables(Path(data_dir))
    df = tables[job["table"]]
    for c in df.columns:  # nullable integers as floats, as a CSV reader gives them
        if str(df[c].dtype) in ("Int64", "Int32", "boolean"):
            df[c] = df[c].astype("float64")
    torch.set_num_threads(job["threads"])
    for seed in (random.seed, np.random.seed, torch.manual_seed):
        seed(job["seed"])
    fit_fn, sample_fn = (fit_great, sample_great) if job["tool"] == "great" else (fit_rtf, sample_rtf)
    result: dict = {"tool": job["tool"]}
    status = out / "result.json"
    try:
        fit, samp, state = {}, {}, {}
        wall_budget(job["budget"], state)
        with measure(fit):
            model, info = fit_fn(df, job, out)
        result.update(fit_s=fit["seconds"], peak_mib=fit["peak_mib"], **info, **state)
        result["params"] = sum(p.numel() for p in model.model.parameters())
        status.write_text(json.dumps(result, default=str))
        with measure(samp):
            syn, counts = sample_fn(model, len(df), info, lambda c: status.write_text(json.dumps({**result, **c})))
        result.update(sample_s=samp["seconds"], peak_mib=max(fit["peak_mib"], samp["peak_mib"]), **counts)
        save_tables(out / "sample", {"sample": syn.reset_index(drop=True).astype(object).astype(str)})
    except BaseException as e:  # noqa: BLE001 - any failure is a result to report
        result["error"] = f"{type(e).__name__}: {e}"
        result["traceback"] = traceback.format_exc(limit=8)
    status.write_text(json.dumps(result, default=str))


def run_anchor(tool: str, table: str, data, args, size: dict, work: Path, budget=None):
    """One anchor in a subprocess of ``--anchor-python``: (sample as strings or None, info)."""
    job = {"tool": tool, "table": table, "epochs": args.epochs, "seed": args.seed, "threads": args.threads}
    job["budget"] = budget
    data_dir = save_tables(work / f"{table}-data", {table: data}, {**job, "size": size})
    out_dir = work / f"{table}-{tool}"
    out_dir.mkdir()
    env = {**os.environ, **dict.fromkeys(THREAD_VARS, str(args.threads)), "TOKENIZERS_PARALLELISM": "false"}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", WANDB_DISABLED="true")
    cmd = [str(args.anchor_python), __file__, "--anchor-worker", str(data_dir), str(out_dir)]
    with open(out_dir / "log.txt", "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            proc.wait(timeout=args.anchor_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the worker and only its children
            proc.wait()
    status = out_dir / "result.json"
    info = json.loads(status.read_text()) if status.exists() else {}
    text = (out_dir / "log.txt").read_text(errors="replace")
    info["breaks"] = text.count(BREAK)
    if proc.returncode and proc.returncode < 0:
        info["error"] = f"killed after {args.anchor_timeout:.0f} s" + (" (after fitting)" if "fit_s" in info else "")
    elif "error" not in info and not (out_dir / "sample" / "tables.json").exists():
        info["error"] = f"exit code {proc.returncode}: " + (text.strip().splitlines() or ["no output"])[-1]
    if "error" in info:
        print(info.pop("traceback", "") or text[-2000:], file=sys.stderr)
        return None, info
    return load_tables(out_dir / "sample")[0]["sample"], info


# ------------------------------------------------------------------ scoring
MISSING = ("None", "nan", "NaN", "<NA>", "")


def as_real(real, syn):
    """The anchors' string sample with the real dtypes, and the cells that were written but do not parse."""
    import pandas as pd

    out, bad = {}, {}
    for c in real.columns:
        s = syn[c].where(~syn[c].isin(MISSING), None) if c in syn else pd.Series([None] * len(syn), dtype=object)
        if pd.api.types.is_numeric_dtype(real[c]) and not pd.api.types.is_bool_dtype(real[c]):
            num = pd.to_numeric(s, errors="coerce")
            if pd.api.types.is_integer_dtype(real[c]) and bool((num.dropna() % 1 == 0).all()):
                num = num.astype("Int64" if num.isna().any() or str(real[c].dtype) == "Int64" else real[c].dtype)
            bad[c], out[c] = s.notna() & num.isna(), num
        else:
            bad[c], out[c] = pd.Series(False, index=syn.index), s.astype(object)
    return pd.DataFrame(out, index=syn.index), pd.DataFrame(bad, index=syn.index)


def valid_share(real, syn, meta: dict, bad=None) -> float:
    """Share of sampled rows whose every cell is valid for its column (see the module docstring)."""
    import numpy as np
    import pandas as pd

    if not len(syn):
        return math.nan
    ok = np.ones(len(syn), dtype=bool)
    for c, m in meta["columns"].items():
        s, r = syn[c], real[c]
        if m["sdtype"] in ("categorical", "boolean", "id"):
            good = s.astype(str).isin(set(r.dropna().astype(str))).to_numpy()
        elif m["sdtype"] == "datetime":
            good = pd.to_datetime(s, errors="coerce", format=m.get("datetime_format")).notna().to_numpy()
        else:
            good = np.ones(len(s), dtype=bool)
        missing_ok = np.full(len(s), bool(r.isna().any())) & (True if bad is None else ~bad[c].to_numpy())
        ok &= np.where(s.isna().to_numpy(), missing_ok, good)
    return float(ok.mean())


def score(real, syn, meta: dict, bad=None) -> dict:
    from bench_gaussian_copula import quality
    from bench_synthesizers import copy_rate

    rec = {"rows": len(syn) / len(real), "valid": valid_share(real, syn, meta, bad)}
    if len(syn):
        q = quality(real, syn[list(real.columns)], meta)
        rec.update(quality=q.get("score"), shapes=q.get("Column Shapes"), trends=q.get("Column Pair Trends"))
        rec["copy_rate"] = copy_rate(real, syn)
    return rec


# ------------------------------------------------------------------ tables
def f(v, spec=".3f") -> str:
    return "—" if v is None or (isinstance(v, float) and v != v) else format(v, spec)


HEAD = ("table", "synthesizer", "fit s", "samp s", "MiB", "quality", "shapes", "trends", "rows %")
HEAD += ("valid %", "gen eff %", "copies", "real dup", "epochs", "params k")


def line(r: dict) -> str:
    eff = r.get("kept", r.get("parsed", 0)) / r["generated"] if r.get("generated") else None
    cells = [r["table"], r["synthesizer"], f(r.get("fit_s"), ".1f"), f(r.get("sample_s"), ".1f")]
    cells += [f(r.get("peak_mib"), ".0f"), f(r.get("quality")), f(r.get("shapes")), f(r.get("trends"))]
    cells += [f(100 * r["rows"], ".1f") if "rows" in r else "—", f(100 * r.get("valid", math.nan), ".1f")]
    cells += [f(None if eff is None else 100 * eff, ".1f"), f(r.get("copy_rate"), ".4f"), f(r["real_dup"], ".4f")]
    cells += [f(r.get("epochs_run"), ".0f"), f(r["params"] / 1000 if r.get("params") else None, ".0f")]
    return "| " + " | ".join(cells) + " |"


def ratios(results: list[dict]) -> list[str]:
    """Each synthesizer against LLMSynthesizer on the same table, then the issue's targets."""
    out = [
        "| table | synthesizer | fit s / LLM fit s | quality − LLM | shapes − LLM | trends − LLM |",
        "|" + "---|" * 6,
    ]
    targets = []
    for table in dict.fromkeys(r["table"] for r in results):
        rows = [r for r in results if r["table"] == table and "quality" in r]
        llm = next((r for r in rows if r["synthesizer"] == "llm"), None)
        if llm is None:
            continue
        for r in rows:
            if r is not llm:
                d = [
                    f(r[k] - llm[k] if r.get(k) is not None and llm.get(k) is not None else None, "+.3f")
                    for k in ("quality", "shapes", "trends")
                ]
                out.append(
                    f"| {table} | {r['synthesizer']} | {f(r['fit_s'] / llm['fit_s'], '.2f')} | " + " | ".join(d) + " |"
                )
        best = max([r["quality"] for r in rows if r["synthesizer"] in ("ctgan", "tvae")], default=None)
        per10k = llm["fit_s"] * 10_000 / llm["n"]
        q_ok = "—" if best is None else ("yes" if llm["quality"] >= best else "NO")
        targets.append(
            f"| {table} | {f(llm['quality'])} | {f(best)} | {q_ok} | {f(100 * llm['rows'], '.1f')} / {f(100 * llm['valid'], '.1f')} | "
            f"{per10k:.0f} s ({'yes' if per10k < 120 else 'NO'}) |"
        )
    head = "| table | LLM quality | best CTGAN/TVAE | LLM ≥ best | LLM rows % / valid % | LLM fit s per 10,000 rows, linear (< 120) |"
    return out + ["", head, "|" + "---|" * 6, *targets]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=Path, default=HERE.parents[1] / "shared" / "datasets")
    ap.add_argument("--tables", default=",".join(TABLES), help="comma-separated (default: %(default)s)")
    ap.add_argument("--only", default=None, help="comma-separated: " + ", ".join(OURS + ANCHORS))
    ap.add_argument("--rows", type=int, default=None, help="a seeded sample of N rows of bigger tables")
    ap.add_argument("--epochs", type=int, default=50, help="epochs of CTGAN, TVAE, GReaT, REaLTabFormer")
    ap.add_argument("--threads", type=int, default=2, help="torch/BLAS threads (default 2)")
    ap.add_argument("--anchor-python", type=Path, default=ANCHOR_PYTHON if ANCHOR_PYTHON.exists() else None)
    ap.add_argument("--anchor-timeout", type=float, default=600, help="seconds per anchor and table (default 600)")
    ap.add_argument("--anchor-budget", help="seconds of anchor fit, or 'llm': LLMSynthesizer's fit s on the table")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, help="write every number here")
    ap.add_argument("--anchor-worker", nargs=2, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.anchor_worker:  # inside the anchors' venv: no simulacra needed
        anchor_worker(*args.anchor_worker)
        return 0
    for var in THREAD_VARS:
        os.environ[var] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])  # torch._dynamo's import (about 1 s) is no fit's
    from bench_gaussian_copula import build_metadata
    from bench_synthesizers import self_duplicate_rate

    from simulacra.io import read_table

    names = (args.only or ",".join(OURS + ANCHORS)).split(",")
    try:
        import simulacra.generative.llm  # noqa: F401
    except Exception as e:  # noqa: BLE001
        if "llm" in names:
            print(f"skipping llm: simulacra.generative.llm does not import ({type(e).__name__}: {e})", file=sys.stderr)
            names.remove("llm")
    if any(a in names for a in ANCHORS) and args.anchor_python is None:
        print(f"skipping GReaT and REaLTabFormer: no --anchor-python (and no {ANCHOR_PYTHON})", file=sys.stderr)
        names = [n for n in names if n not in ANCHORS]
    size = llm_defaults()
    print(f"model size of LLMSynthesizer and the anchors: {size}; {args.threads} threads", file=sys.stderr)
    catalog = {
        e["file"].removesuffix(".csv"): e for e in json.loads((args.datasets / "catalog.json").read_text())["tables"]
    }
    results: list[dict] = []
    print("| " + " | ".join(HEAD) + " |\n|" + "---|" * len(HEAD), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_llm_") as tmp:
        for table in args.tables.split(","):
            entry = catalog[table]
            data = read_table(args.datasets / entry["file"])
            if args.rows and len(data) > args.rows:
                data = data.sample(args.rows, random_state=args.seed).reset_index(drop=True)
            meta, _ = build_metadata(entry)
            base = {"table": table, "n": len(data), "real_dup": self_duplicate_rate(data)}
            for key in names:
                rec = {**base, "synthesizer": key}
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        if key in ANCHORS:
                            llm = [r.get("fit_s") for r in results if r["table"] == table and r["synthesizer"] == "llm"]
                            budget = args.anchor_budget
                            budget = (llm[0] if llm else None) if budget == "llm" else budget and float(budget)
                            raw, info = run_anchor(key, table, data, args, size, Path(tmp), budget)
                            rec.update(info)
                            if raw is not None:
                                syn, bad = as_real(data, raw)
                                rec.update(score(data, syn, meta, bad))
                        else:
                            syn, fit_s, samp_s, mem, info = run_local(key, meta, data, args.epochs, args.seed)
                            rec.update(info, fit_s=fit_s, sample_s=samp_s, peak_mib=mem)
                            rec.update(score(data, syn, meta))
                except Exception as e:  # noqa: BLE001 - report and go on
                    rec["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
                results.append(rec)
                print(line(rec) + (f" ERROR {rec['error'][:160]}" if "error" in rec else ""), flush=True)
    print("\n" + "\n".join(ratios(results)))
    for r in results:
        if r.get("breaks"):
            print(f"{r['table']} {r['synthesizer']}: '{BREAK}' printed {r['breaks']} time(s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"size": size, "threads": args.threads, "results": results}, indent=2, default=str)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
