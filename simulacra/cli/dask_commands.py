"""``--engine dask``: a model's rows as a Parquet dataset made on a Dask cluster."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..errors import ParameterError


def check_dataset_output(output, overwrite: bool, inputs=()) -> Path:
    """``output`` as the folder of a new Parquet dataset, or a ParameterError saying what to give."""
    out = Path(output)
    if out.suffix.lower() in (".csv", ".tsv", ".parquet", ".jsonl", ".gz", ".json", ".zip"):
        raise ParameterError(
            f"--engine dask writes a folder of Parquet files (one per partition), not {str(output)!r}; "
            "give a folder name such as out/"
        )
    for i in inputs:
        if i is not None and Path(i).exists() and out.exists() and Path(i).resolve() == out.resolve():
            raise ParameterError(f"-o {str(output)!r} is an input of this run; choose another folder")
    if out.exists() and not overwrite:
        raise ParameterError(f"{str(output)!r} exists; choose a new folder, or pass --overwrite to replace it")
    if out.exists() and not out.is_dir():
        raise ParameterError(f"{str(output)!r} is a file; --engine dask writes a folder of Parquet files")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ParameterError(f"the folder of {str(output)!r} ({str(parent)!r}) does not exist; create it first")
    return out


def dask_sample(
    model, num_rows, output, seed, batch_size, partition_rows, scheduler, workers, progress, overwrite, key
):
    """``simulacra sample MODEL -n ROWS -o FOLDER --engine dask``: one Parquet file per partition."""
    from ..io.dask_engine import open_client, require_dask
    from ..sampling import check_num_rows
    from ..sampling.plan import check_output_space
    from ..synthesizers import BaseSynthesizer
    from ..synthesizers.dask_sampling import partition_plan, write_dataset
    from .multi_commands import model_name

    require_dask()
    if num_rows is None:
        raise click.UsageError("Missing option '-n' / '--num-rows'.")
    check_num_rows(num_rows, "-n")
    if batch_size is not None:
        raise ParameterError("--batch-size is for the stream engine; --engine dask takes --partition-rows")
    if model_name(model) in ("relational", "sequential"):
        raise ParameterError(
            f"{model!r} is a {model_name(model)} model; --engine dask samples single-table models (leave --engine out)"
        )
    out = check_dataset_output(output, overwrite, [model])
    synth = BaseSynthesizer.load(model, key=key)
    plan, rows = partition_plan(synth, num_rows, seed, partition_rows)  # checks the sizes before any work
    if num_rows > 100_000:
        from ..io.writers import estimate_bytes_per_row

        check_output_space(out, num_rows, estimate_bytes_per_row(rows, "x.parquet"), len(rows), shown=out)
    if progress is None:
        progress = sys.stderr.isatty()
    t0 = time.perf_counter()
    with open_client(scheduler, workers) as client:
        n_workers = len(client.scheduler_info(n_workers=-1)["workers"]) if client is not None else 1
        plan, counts = write_dataset(
            synth, num_rows, out, client=client, show_progress=progress, overwrite=overwrite, planned=(plan, rows)
        )
    took = time.perf_counter() - t0
    click.echo(
        f"sampled {sum(counts):,} rows in {len(counts):,} partitions of {plan.batch_size:,} rows on "
        f"{n_workers} worker(s) in {took:.2f}s ({sum(counts) / max(took, 1e-9):,.0f} rows/s); wrote {out}/"
    )
