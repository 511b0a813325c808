"""``evaluate``, ``report``, ``fake`` and ``synthesizers``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ParameterError
from .app import cli
from .model_commands import console, load_metadata, quality_tables
from .options import ROWS, check_engine, engine_options, metadata_option, overwrite_option, read_data, sep_option
from .outputs import prepare_output, prepare_table_output, warn_extension


@cli.command()
@click.argument("real", type=click.Path())
@click.argument("synthetic", type=click.Path())
@metadata_option()
@click.option("--all-pairs", is_flag=True, help="Average Column Pair Trends over all pairs (SDMetrics < 0.32).")
@click.option(
    "--max-pairs",
    type=click.IntRange(min=0),
    default=50_000,
    show_default=True,
    help="Score every column pair up to this many; above, a seeded random sample of this many (0: every pair).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@sep_option
def evaluate(real, synthetic, metadata_path, all_pairs, max_pairs, as_json, sep):
    """Score SYNTHETIC against REAL: column shapes, column pair trends, overall."""
    import json

    from ..evaluation import evaluate_quality

    # a folder (Parquet dataset, CSV / Parquet files) is read in partitions by evaluate_quality
    r, s = (p if Path(p).is_dir() else read_data(p, sep) for p in (real, synthetic))
    if isinstance(r, str):  # metadata detected from its first rows (pass --metadata to be sure)
        from ..io.partitions import open_source

        md = load_metadata(metadata_path, open_source(r).head(10_000), Path(real).stem)
    else:
        md = load_metadata(metadata_path, r, Path(real).stem)
    report = evaluate_quality(r, s, md, verbose=False, pair_threshold=not all_pairs, max_pairs=max_pairs)
    if as_json:
        props = report.get_properties()
        score = lambda v: None if v != v else float(v)  # noqa: E731 - n/a scores are null (not by text replacement: names may hold "NaN")
        out = {
            "overall": score(report.get_score()),
            "properties": {k: score(v) for k, v in zip(props["Property"], props["Score"])},
            "column_pairs": report.pair_sampling,
            "warnings": report.warnings,
        }
        if report.sample_sizes:  # read in partitions: rows read, sketch error bound, samples
            out["sample_sizes"] = report.sample_sizes
        click.echo(json.dumps(out, indent=2, default=float, allow_nan=False))
    else:
        quality_tables(report, console())
        if report.sample_sizes:
            click.echo(report.sample_sizes["statement"] + ".")
        if report.pair_sampling_text():  # wide tables: say that the pair score is over a sample
            click.echo(report.pair_sampling_text(option="--max-pairs ", every="0") + ".")
        if report.pair_threshold_text():  # why Column Pair Trends is n/a
            click.echo(report.pair_threshold_text(option="--all-pairs") + ".")


@cli.command()
@click.argument("real", type=click.Path())
@click.argument("synthetic", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="HTML file to write.")
@metadata_option()
@click.option(
    "--holdout",
    type=click.Path(),
    default=None,
    help="Real rows not used for fitting (privacy baseline, utility test set).",
)
@click.option("--target", default=None, help="Column to predict for the ML-utility section.")
@click.option(
    "--max-pairs",
    type=click.IntRange(min=0),
    default=50_000,
    show_default=True,
    help="Score every column pair up to this many; above, a seeded random sample of this many (0: every pair).",
)
@overwrite_option
@sep_option
def report(real, synthetic, output, metadata_path, holdout, target, max_pairs, overwrite, sep):
    """Write one self-contained HTML page: quality, diagnostics, privacy, utility, tests, plots."""
    from ..evaluation.report import build_report
    from ..io.writers import write_text_atomically

    dest = prepare_output(output, "report", overwrite, [real, synthetic, holdout, metadata_path])
    r = read_data(real, sep)
    s = read_data(synthetic, sep)
    h = read_data(holdout, sep) if holdout else None
    md = load_metadata(metadata_path, r, Path(real).stem)
    if target is not None and target not in md.columns:
        raise ParameterError(f"--target {target!r} is not a column of {real!r}")
    write_text_atomically(dest, build_report(r, s, md, holdout=h, target=target, max_pairs=max_pairs))
    click.echo(f"wrote {output}")
    warn_extension(output, "report")


@cli.command()
@click.argument("schema", type=click.Path())
@click.option(
    "-n",
    "--rows",
    type=ROWS,
    default=None,
    help="Rows (for a one-table schema; else for tables without 'rows'); 1000000, 1_000_000 or 1e6.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default=None,
    help="Output file (.csv/.tsv/.parquet/.jsonl), or a folder for several tables (--engine dask: a new folder).",
)
@click.option(
    "--to", "url", default=None, help="Database URL (sqlite:///file.db, postgresql://user@host/db) instead of files."
)
@click.option("--table", "table_name", default=None, help="Table name in the database (one-table schemas).")
@click.option(
    "--if-exists",
    type=click.Choice(["fail", "append", "replace"]),
    default="fail",
    show_default=True,
    help="What to do when a database table exists.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "tsv", "parquet", "jsonl"]),
    default="csv",
    show_default=True,
    help="File format when OUTPUT is a folder.",
)
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Random seed (same seed, same rows).")
@click.option("--locale", default=None, help="Default locale (e.g. de_DE).")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1, max=10_000_000),
    default=100_000,
    show_default=True,
    help="Rows per chunk (memory bound).",
)
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@overwrite_option
@engine_options
def fake(
    schema,
    rows,
    output,
    url,
    table_name,
    if_exists,
    fmt,
    seed,
    locale,
    chunk_size,
    progress,
    overwrite,
    engine,
    scheduler,
    workers,
    partition_rows,
):
    """Generate fake tables from a SCHEMA file (JSON or YAML) into files or a database.

    With --engine dask, OUTPUT is a new folder of Parquet files, one per partition
    (OUTPUT/<table>/part-*.parquet for several tables), made on a Dask cluster (--workers N local
    processes, or --scheduler ADDRESS): the same rows for a seed and --partition-rows whatever the
    workers; keys stay unique across partitions and foreign keys point at existing parent keys.
    """
    import contextlib
    import time

    from ..fake.schema import Schema
    from ..io.writers import TableWriter
    from ..sampling import check_num_rows
    from ..utils.progress import progress as progress_bar

    check_engine(engine, scheduler, workers, partition_rows)
    if engine == "dask":
        given = click.get_current_context().get_parameter_source
        dask_opts = {o: given(o) != click.core.ParameterSource.DEFAULT for o in ("fmt", "chunk_size", "if_exists")}
        return fake_dask(
            schema,
            rows,
            output,
            url,
            table_name,
            fmt,
            seed,
            locale,
            progress,
            overwrite,
            dask_opts,
            scheduler,
            workers,
            partition_rows,
        )
    if (output is None) == (url is None):
        raise ParameterError("give either -o OUTPUT (file or folder) or --to DATABASE_URL")
    if table_name is not None and not table_name.strip():
        raise ParameterError(
            "--table gives an empty table name; give the table a name, or leave --table out to use the schema's"
        )
    sch = Schema.from_file(schema)
    if table_name is not None and len(sch.tables) != 1:
        raise ParameterError("--table renames the table of a one-table schema; this schema has several")
    if locale is not None:
        from ..fake.locales import check_locale

        check_locale(locale)
    counts = {t: sch.rows_for(t, rows) for t in sch.order}
    for t, k in counts.items():  # before the space check: an -n over 2**63 - 1 is that, not a lack of space
        check_num_rows(k, f"the rows of table {t!r}" if len(counts) > 1 else "-n")
    total = sum(counts.values())
    targets = {}
    if output is not None:
        out = Path(output)
        if len(sch.tables) > 1:
            if not out.is_dir():
                raise ParameterError(f"{output!r} must be an existing folder for a schema with several tables")
            check_table_file_names(sch, output)
            targets = {t: out / f"{t}.{fmt}" for t in sch.order}
        else:
            fmt_given = click.get_current_context().get_parameter_source("fmt") != click.core.ParameterSource.DEFAULT
            if fmt_given and not out.is_dir() and _format_of(out) != fmt:
                raise ParameterError(
                    f"--format {fmt} is for a folder of tables; {output!r} is a file, whose extension says its format: name it with .{fmt}, or leave --format out"
                )
            targets = {sch.order[0]: out}
        for p in targets.values():
            prepare_table_output(p, overwrite, [schema])
        check_fake_space(sch, counts, targets, locale)  # absurd sizes: refused with the estimate and the free space
    elif (db_file := sqlite_file(url)) is not None and db_file.parent.is_dir():
        as_csv = {t: db_file.parent / f"{t}.csv" for t in sch.order}  # SQLite rows take about their CSV size
        check_fake_space(
            sch, counts, as_csv, locale, shown=db_file, what=f"rows ({len(as_csv)} table(s), measured as CSV)"
        )
    if progress is None:
        progress = sys.stderr.isatty()
    t0 = time.perf_counter()
    with progress_bar(total, progress) as bar, contextlib.ExitStack() as stack:
        task = bar.add_task("fake rows", total=total) if bar is not None else None
        db = stack.enter_context(_db_writer(url, if_exists)) if url is not None else None
        if db is not None:  # --if-exists replace: the run's tables go first, children before parents
            db.drop_for_replace([table_name or t for t in sch.order])
        writers = {t: stack.enter_context(TableWriter(p)) for t, p in targets.items()}
        for tname, chunks in sch.iter_tables(seed=seed, n=rows, locale=locale, chunk_size=chunk_size):
            spec = sch.tables[tname]
            dbname = table_name or tname
            fks = {c: tuple(cs.foreign_key.split(".")) for c, cs in spec.columns.items() if cs.foreign_key}
            first = True
            for chunk in chunks:
                if db is not None:
                    if first:
                        db.create(dbname, chunk, primary_key=spec.primary_key, foreign_keys=fks)
                    db.insert(dbname, chunk)
                else:
                    writers[tname].write(chunk)
                first = False
                if bar is not None:
                    bar.advance(task, len(chunk))
    where = output if url is None else url.split("@")[-1]
    click.echo(f"wrote {total:,} rows of {len(sch.tables)} table(s) in {time.perf_counter() - t0:.2f}s to {where}")


def fake_dask(
    schema, rows, output, url, table_name, fmt, seed, locale, progress, overwrite, given, scheduler, workers, p_rows
):
    """``fake --engine dask``: the tables as a folder of Parquet files, their partitions made on a Dask cluster.

    ``given``: whether ``fmt``, ``chunk_size`` and ``if_exists`` were given on the command line.
    """
    import time

    from ..fake.partitioned import plan_fake, write_fake_dataset
    from ..fake.schema import Schema
    from ..io.dask_engine import open_client, require_dask
    from ..sampling import check_num_rows

    if url is not None:
        raise ParameterError(
            "--to DATABASE is for the stream engine; --engine dask writes a folder of Parquet files: give -o FOLDER"
        )
    if output is None:
        raise ParameterError("--engine dask writes a folder of Parquet files: give -o FOLDER")
    if table_name is not None:
        raise ParameterError("--table names a database table (--to); with --engine dask, leave it out")
    for opt, name, instead in (
        ("--if-exists", "if_exists", "--overwrite"),
        ("--chunk-size", "chunk_size", "--partition-rows"),
    ):
        if given[name]:
            raise ParameterError(
                f"{opt} is for the stream engine; with --engine dask use {instead}, or leave {opt} out"
            )
    if given["fmt"] and fmt != "parquet":
        raise ParameterError(f"--format {fmt}: --engine dask writes Parquet files only; leave --format out")
    out = Path(output)
    if out.exists() and not out.is_dir():
        raise ParameterError(
            f"{output!r} is a file; --engine dask writes a folder of Parquet files: give a folder name"
        )
    if _format_of(out) not in ("", "parquet"):
        raise ParameterError(
            f"-o {output!r} names a {_format_of(out)} file; --engine dask writes a folder of Parquet files "
            "(one per partition): give a folder name such as out/"
        )
    require_dask()
    if out.exists() and not overwrite:
        raise ParameterError(f"{output!r} exists; choose a new output folder, or pass --overwrite to replace it")
    here, target = Path.cwd().resolve(), out.resolve()
    if target == here or target in here.parents or Path(schema).resolve().is_relative_to(target):
        raise ParameterError(f"-o {output!r} holds the schema or the current folder; give a new folder for the dataset")
    sch = Schema.from_file(schema)
    if len(sch.tables) > 1:
        check_table_file_names(sch, output, "folder")
    if locale is not None:
        from ..fake.locales import check_locale

        check_locale(locale)
    counts = {t: sch.rows_for(t, rows) for t in sch.order}
    for t, k in counts.items():
        check_num_rows(k, f"the rows of table {t!r}" if len(counts) > 1 else "-n")
    plan = plan_fake(sch, n=rows, seed=seed, locale=locale, partition_rows=p_rows)
    parent = out.parent if str(out.parent) else Path(".")
    targets = {t: parent / f"{t}.parquet" for t in sch.order}  # the format and the disk that count
    check_fake_space(sch, counts, targets, locale, shown=out, probes=plan.probes)
    if progress is None:
        progress = sys.stderr.isatty()
    t0 = time.perf_counter()
    with open_client(scheduler, workers) as client:
        parts = write_fake_dataset(plan, out, client, progress, overwrite)
    files = sum(len(v) for v in parts.values())
    click.echo(
        f"wrote {plan.total_rows:,} rows of {len(sch.tables)} table(s) in {time.perf_counter() - t0:.2f}s "
        f"to {output} ({files:,} Parquet file(s), one per partition)"
    )


def check_table_file_names(sch, output, what: str = "file") -> None:
    """Table names usable as file (or folder) names in ``output``, apart even where case is ignored."""
    for t in sch.order:  # a table name is a file name here: never a path out of the folder
        if Path(t).name != t or t in (".", "..") or "\\" in t:
            raise ParameterError(
                f"table name {t!r} cannot be a {what} name in folder {output!r}; rename the table (no / or \\)"
            )
    folded: dict = {}  # one file per table: t.csv and T.csv are one file where case is ignored (macOS, Windows)
    for t in sch.order:
        if folded.setdefault(t.casefold(), t) != t:
            raise ParameterError(
                f"table names {folded[t.casefold()]!r} and {t!r} differ only in case: their {what}s in {output!r} would be one {what} on many systems; rename one of them"
            )


def check_fake_space(
    sch, counts: dict, targets: dict, locale, probe_rows: int = 512, shown=None, what=None, probes=None
) -> None:
    """Refuse a fake run whose files would not fit the free disk space (measured on a few rows).

    ``targets``: table -> file whose format and folder count; ``shown`` names the output;
    ``probes``: table -> a few rows already made (else made here by the stream engine).
    """
    import copy

    from ..io.writers import estimate_bytes_per_row
    from ..sampling.plan import SPACE_CHECK_ROWS, check_output_space

    total = sum(counts[t] for t in targets)
    if total <= SPACE_CHECK_ROWS:
        return
    if probes is None:
        import pandas as pd

        probe = copy.deepcopy(sch)
        for t, spec in probe.tables.items():
            spec.rows = min(counts[t], probe_rows)
        probes = {}
        for tname, chunks in probe.iter_tables(seed=0, n=None, locale=locale, chunk_size=probe_rows):
            parts = list(chunks)
            if parts:
                probes[tname] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    estimate, sampled = 0.0, 0
    for tname, df in probes.items():
        if tname in targets:
            estimate += counts[tname] * estimate_bytes_per_row(df, targets[tname])
            sampled += len(df)
    first = next(iter(targets.values()))
    what = what or ("rows" if len(targets) == 1 else f"rows of {len(targets)} tables")
    check_output_space(
        first,
        total,
        estimate / max(total, 1),
        sampled,
        what=what,
        shown=shown or (first if len(targets) == 1 else first.parent),
    )


def _format_of(path: Path) -> str:
    """The format a data file's extension names (``.csv.gz`` -> csv), as ``--format`` spells it."""
    from ..io.files import WRITE_FORMATS

    suffixes = [x.lower() for x in path.suffixes]
    if len(suffixes) > 1 and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return WRITE_FORMATS.get(suffixes[-1], "") if suffixes else ""


def sqlite_file(url) -> Path | None:
    """The local file of a ``sqlite:///path`` URL (None for other databases and in-memory SQLite)."""
    try:
        import sqlalchemy as sa

        u = sa.engine.make_url(url)
    except Exception:  # noqa: BLE001 - a bad URL is reported by the database writer
        return None
    if not u.drivername.startswith("sqlite") or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _db_writer(url, if_exists):
    from ..io.databases import DatabaseWriter

    return DatabaseWriter(url, if_exists)


@cli.command()
def synthesizers():
    """List the available synthesizers."""
    from ..synthesizers import available

    for name in available():
        click.echo(name)
