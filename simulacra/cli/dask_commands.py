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
        n_workers = len(client.nthreads()) if client is not None else 1
        plan, counts = write_dataset(
            synth, num_rows, out, client=client, show_progress=progress, overwrite=overwrite, planned=(plan, rows)
        )
    took = time.perf_counter() - t0
    click.echo(
        f"sampled {sum(counts):,} rows in {len(counts):,} partitions of {plan.batch_size:,} rows on "
        f"{n_workers} worker(s) in {took:.2f}s ({sum(counts) / max(took, 1e-9):,.0f} rows/s); wrote {out}/"
    )


#: one file bigger than this share of the available memory is read in partitions by ``fit``
BIG_FILE_SHARE = 0.25


def is_one_table_source(data, engine: str) -> bool:
    """Whether ``fit DATA`` reads one table in partitions: a folder of Parquet files (a Parquet
    dataset), any folder with --engine dask, or one data file too big to read into memory."""
    from ..io.partitions import is_partitioned_source
    from ..sampling.plan import available_memory
    from .multi_tables import is_database_url

    if is_database_url(data) or not is_partitioned_source(data):
        return False
    p = Path(data)
    if p.is_dir():
        if engine == "dask":
            return True
        files = [f for f in p.rglob("*") if f.is_file() and not f.name.startswith((".", "_"))]
        if not files or any(f.suffix.lower() != ".parquet" for f in files):
            return False  # a folder of CSV files (or of several kinds): tables, as before
        return _same_columns(files)  # Parquet files of one table's columns; else tables (customers.parquet, ...)
    free = available_memory()
    return engine == "dask" or (free is not None and p.is_file() and p.stat().st_size > BIG_FILE_SHARE * free)


def _same_columns(files) -> bool:
    """Whether every Parquet file has the same column names (their footers only are read)."""
    import pyarrow.parquet as pq

    names = None
    for f in files:
        try:
            these = pq.read_schema(f).names
        except Exception:  # an unreadable file: the reader names it
            return True
        if names is not None and these != names:
            return False
        names = these
    return True


def check_partitioned_fit_options(data, **given) -> None:
    """A ParameterError for an option that one table read in partitions cannot use."""
    for opt, value in given.items():
        if value is not None:
            raise ParameterError(
                f"{opt} does not apply to {data!r}, one table read in partitions (a Parquet dataset, or --engine dask); "
                "leave it out"
            )


def partitioned_fit(data, model, target, md_path, klass, kwargs, preset, engine, scheduler, workers, key, table_name):
    """``fit DATA`` of one table read in partitions (out of core): on this process or a Dask cluster."""
    import contextlib

    from ..io.partitions import open_source
    from ..metadata import Metadata
    from ..synthesizers.out_of_core import fit_summary
    from .options import build_synthesizer

    source = open_source(data)
    if md_path:
        md = Metadata.load_from_json(md_path)
    else:  # detected from the first rows (a sample of the data; give -m for a reviewed metadata file)
        md = Metadata.detect_from_dataframe(source.head(10_000), table_name=table_name)
    if md.get_sequence_key() is not None:
        raise ParameterError(
            f"{data!r} is read in partitions, which learns rows, not sequences; fit sequences from one file"
        )
    t0 = time.perf_counter()
    synth = build_synthesizer(klass, md, kwargs, preset=preset)
    if engine == "dask":
        from ..io.dask_engine import open_client

        clients = open_client(scheduler, workers)
    else:
        clients = contextlib.nullcontext(None)
    with clients as client:
        if client is not None:
            from ..synthesizers.out_of_core import fit_source

            fit_source(synth, data, client=client)
        else:
            synth.fit(data)
    synth.save(target, key=key)
    click.echo(fit_summary(synth))
    click.echo(
        f"fitted {type(synth).__name__} on {source.describe()} in {time.perf_counter() - t0:.2f}s; wrote {model}"
    )
