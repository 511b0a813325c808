"""Command line: ``simulacra demo | metadata | fit | sample | evaluate``.

Every user error is a :class:`simulacra.errors.SimulacraError`: printed as one line on stderr,
exit status 1. Heavy modules are imported inside the commands so ``simulacra --help`` is instant.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import ParameterError, SimulacraError


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SimulacraError as e:
            msg = " ".join(str(e).split())
            click.echo(f"error: {msg}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            ctx.exit(130)
        except OSError as e:  # disk full, permission denied while writing, broken pipe
            click.echo(f"error: {e.strerror or e} ({e.filename})" if getattr(e, "filename", None) else f"error: {e}", err=True)
            ctx.exit(1)


def _console():
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def _quality_tables(report, console, title="Quality"):
    from rich.table import Table

    props = report.get_properties()
    t = Table(title=f"{title}: overall {report.get_score() * 100:.1f}%")
    t.add_column("Property")
    t.add_column("Score", justify="right")
    for _, row in props.iterrows():
        t.add_row(row["Property"], "n/a" if row["Score"] != row["Score"] else f"{row['Score'] * 100:.1f}%")
    console.print(t)
    shapes = report.get_details("Column Shapes")
    t2 = Table(title="Column shapes")
    t2.add_column("Column")
    t2.add_column("Metric")
    t2.add_column("Score", justify="right")
    for _, row in shapes.iterrows():
        t2.add_row(str(row["Column"]), row["Metric"], "n/a" if row["Score"] != row["Score"] else f"{row['Score']:.3f}")
    console.print(t2)


def _load_metadata(path, df, table_name):
    from .metadata import Metadata

    if path:
        md = Metadata.load_from_json(path)
        md.validate_data(df, md.table_name)
        return md
    return Metadata.detect_from_dataframe(df, table_name=table_name)


def _check_new_file(path: str, kind: str):
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise ParameterError(f"cannot write {kind} {path!r}: folder {str(parent)!r} does not exist")
    if p.is_dir():
        raise ParameterError(f"cannot write {kind} {path!r}: it is a folder")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="simulacra", prog_name="simulacra")
def cli():
    """simulacra: learn real tables and sample synthetic ones; fake data; augmentation."""


def main(args=None):
    """Console entry point: usage errors, like every other error, are one line on stderr."""
    try:
        rv = cli.main(args=args, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(1)
    except click.ClickException as e:
        msg = " ".join(e.format_message().split())
        hint = f" (see 'simulacra {e.ctx.info_name} --help')" if getattr(e, "ctx", None) is not None and e.ctx.info_name != "simulacra" else " (see 'simulacra --help')"
        click.echo(f"error: {msg}{hint}", err=True)
        sys.exit(e.exit_code)
    if isinstance(rv, int) and rv:
        sys.exit(rv)
    return 0


@cli.command()
@click.option("-n", "--rows", type=click.IntRange(min=1), default=None, help="Rows to sample (default: as many as the demo table).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed.")
@click.option("-d", "--output-dir", type=click.Path(file_okay=False), default=".", show_default=True, help="Folder for the synthetic CSV and the model file.")
@click.option("-s", "--synthesizer", default="gaussian_copula", show_default=True, help="Synthesizer to learn with (see 'simulacra synthesizers').")
def demo(rows, seed, output_dir, synthesizer):
    """Learn the embedded penguins table, sample it, print its quality, write CSV and model."""
    import time

    from .datasets import load_demo
    from .evaluation import evaluate_quality
    from .io.files import write_table
    from .synthesizers import get_synthesizer_class

    klass = get_synthesizer_class(synthesizer)
    out = Path(output_dir)
    if not out.is_dir():
        raise ParameterError(f"output folder {output_dir!r} does not exist")
    console = _console()
    real, metadata = load_demo("penguins", metadata=True)
    console.print(f"[bold]Real data[/bold]: Palmer penguins, {len(real)} rows x {real.shape[1]} columns (embedded demo table)")
    console.print(metadata.visualize())
    t0 = time.perf_counter()
    synth = klass(metadata)
    synth.fit(real)
    t1 = time.perf_counter()
    n = rows or len(real)
    synthetic = synth.sample(n, seed=seed)
    t2 = time.perf_counter()
    console.print(f"Fitted {klass.__name__} in {t1 - t0:.3f}s; sampled {n} rows in {t2 - t1:.3f}s (seed {seed})")
    console.print(synthetic.head(8).to_string(index=False))
    report = evaluate_quality(real, synthetic, metadata, verbose=False)
    _quality_tables(report, console)
    csv_path = out / "synthetic_penguins.csv"
    model_path = out / "penguins_model.zip"
    write_table(synthetic, csv_path)
    synth.save(model_path)
    console.print(f"Wrote {csv_path} and {model_path}")
    console.print(f"Next: simulacra sample {model_path} -n 1000000 -o big.parquet")


@cli.command("metadata")
@click.argument("data", type=click.Path())
@click.option("-o", "--output", type=click.Path(), default=None, help="Write the metadata JSON here (default: print it).")
@click.option("--table-name", default=None, help="Table name (default: the file name).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
def metadata_cmd(data, output, table_name, overwrite):
    """Detect the column types of a data file and write them as JSON."""
    from .io.files import read_table
    from .metadata import Metadata

    df = read_table(data)
    md = Metadata.detect_from_dataframe(df, table_name=table_name or Path(data).stem)
    if output:
        _check_new_file(output, "metadata")
        if Path(output).exists() and not overwrite:
            raise ParameterError(f"{output!r} already exists; pass --overwrite to replace it")
        md.save_to_json(output, mode="overwrite" if overwrite else "write")
        click.echo(md.visualize())
        click.echo(f"wrote {output}")
    else:
        click.echo(md.to_json())


@cli.command()
@click.argument("data", type=click.Path())
@click.option("-o", "--output", "model", required=True, type=click.Path(), help="Model file to write.")
@click.option("-m", "--metadata", "metadata_path", type=click.Path(), default=None, help="Metadata JSON (default: detect).")
@click.option("-s", "--synthesizer", default="gaussian_copula", show_default=True, help="Synthesizer name (see 'simulacra synthesizers').")
@click.option("--preset", "preset_name", default=None, help="Preset instead of --synthesizer: fast, best or FAST_ML.")
@click.option("--distribution", default=None, help="Default marginal distribution of the Gaussian copula.")
def fit(data, model, metadata_path, synthesizer, preset_name, distribution):
    """Learn DATA and save the synthesizer to a model file."""
    import time

    from .io.files import read_table
    from .synthesizers import get_synthesizer_class

    from .synthesizers.presets import PRESETS, SingleTablePreset

    if preset_name is not None and preset_name not in PRESETS:
        raise ParameterError(f"unknown preset {preset_name!r}; choose one of {', '.join(PRESETS)}")
    klass = get_synthesizer_class(synthesizer)
    _check_new_file(model, "model")
    df = read_table(data)
    md = _load_metadata(metadata_path, df, Path(data).stem)
    kwargs = {"default_distribution": distribution} if distribution else {}
    t0 = time.perf_counter()
    synth = SingleTablePreset(md, name=preset_name, **kwargs) if preset_name else klass(md, **kwargs)
    klass = type(synth)
    synth.fit(df)
    synth.save(model)
    click.echo(f"fitted {klass.__name__} on {len(df)} rows x {df.shape[1]} columns in {time.perf_counter() - t0:.2f}s; wrote {model}")


@cli.command()
@click.argument("model", type=click.Path())
@click.option("-n", "--num-rows", type=click.IntRange(min=0), required=True, help="Rows to sample.")
@click.option("-o", "--output", required=True, type=click.Path(), help="Output file: .csv, .tsv, .parquet or .jsonl.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Random seed (same seed, same rows).")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Rows per batch (memory bound).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: for big runs).")
def sample(model, num_rows, output, seed, batch_size, progress):
    """Sample rows from a model file, streamed to OUTPUT in batches."""
    import time

    from .synthesizers.base import BaseSynthesizer

    synth = BaseSynthesizer.load(model)
    t0 = time.perf_counter()
    synth.sample(num_rows, seed=seed, batch_size=batch_size, output_file_path=output, show_progress=progress)
    click.echo(f"sampled {num_rows} rows in {time.perf_counter() - t0:.2f}s; wrote {output}")


@cli.command()
@click.argument("real", type=click.Path())
@click.argument("synthetic", type=click.Path())
@click.option("-m", "--metadata", "metadata_path", type=click.Path(), default=None, help="Metadata JSON (default: detect from REAL).")
@click.option("--all-pairs", is_flag=True, help="Average Column Pair Trends over all pairs (SDMetrics < 0.32).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate(real, synthetic, metadata_path, all_pairs, as_json):
    """Score SYNTHETIC against REAL: column shapes, column pair trends, overall."""
    import json

    from .evaluation import evaluate_quality
    from .io.files import read_table

    r = read_table(real)
    s = read_table(synthetic)
    md = _load_metadata(metadata_path, r, Path(real).stem)
    report = evaluate_quality(r, s, md, verbose=False, pair_threshold=not all_pairs)
    if as_json:
        props = report.get_properties()
        out = {"overall": report.get_score(), "properties": dict(zip(props["Property"], props["Score"]))}
        click.echo(json.dumps(out, indent=2, default=float).replace("NaN", "null"))
    else:
        _quality_tables(report, _console())


@cli.command()
@click.argument("schema", type=click.Path())
@click.option("-n", "--rows", type=int, default=None, help="Rows (for a one-table schema; else for tables without 'rows').")
@click.option("-o", "--output", type=click.Path(), default=None, help="Output file (.csv/.tsv/.parquet/.jsonl), or a folder for several tables.")
@click.option("--to", "url", default=None, help="Database URL (sqlite:///file.db, postgresql://user@host/db) instead of files.")
@click.option("--table", "table_name", default=None, help="Table name in the database (one-table schemas).")
@click.option("--if-exists", type=click.Choice(["fail", "append", "replace"]), default="fail", show_default=True, help="What to do when a database table exists.")
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "parquet", "jsonl"]), default="csv", show_default=True, help="File format when OUTPUT is a folder.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Random seed (same seed, same rows).")
@click.option("--locale", default=None, help="Default locale (e.g. de_DE).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=100_000, show_default=True, help="Rows per chunk (memory bound).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
def fake(schema, rows, output, url, table_name, if_exists, fmt, seed, locale, chunk_size, progress):
    """Generate fake tables from a SCHEMA file (JSON or YAML) into files or a database."""
    import contextlib
    import time

    from .fake.schema import Schema
    from .io.files import TableWriter

    if rows is not None and rows < 0:
        raise ParameterError(f"-n must be a non-negative number of rows, got {rows}")
    if (output is None) == (url is None):
        raise ParameterError("give either -o OUTPUT (file or folder) or --to DATABASE_URL")
    sch = Schema.from_file(schema)
    if table_name is not None:
        if len(sch.tables) != 1:
            raise ParameterError("--table renames the table of a one-table schema; this schema has several")
    if locale is not None:
        from .fake.locales import check_locale

        check_locale(locale)
    total = sum(sch.rows_for(t, rows) for t in sch.order)
    if progress is None:
        progress = sys.stderr.isatty()
    multi = len(sch.tables) > 1
    targets = {}
    if output is not None:
        out = Path(output)
        if multi:
            if not out.is_dir():
                raise ParameterError(f"{output!r} must be an existing folder for a schema with several tables")
            targets = {t: out / f"{t}.{fmt}" for t in sch.order}
        else:
            targets = {sch.order[0]: out}
    from .synthesizers.base import _progress

    t0 = time.perf_counter()
    with _progress(total, progress) as bar, contextlib.ExitStack() as stack:
        task = bar.add_task("fake rows", total=total) if bar is not None else None
        db = stack.enter_context(_db_writer(url, if_exists)) if url is not None else None
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
    where = url if url is None else url.split("@")[-1]
    click.echo(f"wrote {total:,} rows of {len(sch.tables)} table(s) in {time.perf_counter() - t0:.2f}s to {output or where}")


def _db_writer(url, if_exists):
    from .io.databases import DatabaseWriter

    return DatabaseWriter(url, if_exists)


@cli.command()
@click.argument("real", type=click.Path())
@click.argument("synthetic", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="HTML file to write.")
@click.option("-m", "--metadata", "metadata_path", type=click.Path(), default=None, help="Metadata JSON (default: detect from REAL).")
@click.option("--holdout", type=click.Path(), default=None, help="Real rows not used for fitting (privacy baseline, utility test set).")
@click.option("--target", default=None, help="Column to predict for the ML-utility section.")
def report(real, synthetic, output, metadata_path, holdout, target):
    """Write one self-contained HTML page: quality, diagnostics, privacy, utility, tests, plots."""
    from .evaluation.report import save_report
    from .io.files import read_table

    _check_new_file(output, "report")
    r = read_table(real)
    s = read_table(synthetic)
    h = read_table(holdout) if holdout else None
    md = _load_metadata(metadata_path, r, Path(real).stem)
    if target is not None and target not in md.columns:
        raise ParameterError(f"--target {target!r} is not a column of {real!r}")
    save_report(r, s, md, output, holdout=h, target=target)
    click.echo(f"wrote {output}")


@cli.command()
def synthesizers():
    """List the available synthesizers."""
    from .synthesizers import available

    for name in available():
        click.echo(name)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
