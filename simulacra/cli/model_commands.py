"""``demo``, ``metadata``, ``fit`` and ``sample``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import ParameterError
from .app import cli
from .options import (
    ROWS,
    build_synthesizer,
    check_engine,
    cluster_options,
    engine_options,
    metadata_option,
    overwrite_option,
    parameter_names,
    read_data,
    sep_option,
    synthesizer_kwargs,
    synthesizer_options,
)
from .outputs import echo_privacy, prepare_output, prepare_table_output, split_targets, warn_extension, write_split

#: ``demo`` samples in memory and scores what it sampled
DEMO_MAX_ROWS = 1_000_000
#: one batch's float matrix stays below this many cells (``sample --batch-size``)
MAX_BATCH_CELLS = 250_000_000


def console():
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def quality_tables(report, out, title="Quality"):
    from rich.table import Table

    props = report.get_properties()
    score = report.get_score()
    t = Table(title=f"{title}: overall {'n/a' if score != score else f'{score * 100:.1f}%'}")
    t.add_column("Property")
    t.add_column("Score", justify="right")
    for _, row in props.iterrows():
        t.add_row(row["Property"], "n/a" if row["Score"] != row["Score"] else f"{row['Score'] * 100:.1f}%")
    out.print(t)
    shapes = report.get_details("Column Shapes")
    t2 = Table(title="Column shapes")
    t2.add_column("Column")
    t2.add_column("Metric")
    t2.add_column("Score", justify="right")
    for _, row in shapes.iterrows():
        t2.add_row(str(row["Column"]), row["Metric"], "n/a" if row["Score"] != row["Score"] else f"{row['Score']:.3f}")
    out.print(t2)


def load_metadata(path, df, table_name):
    from ..metadata import Metadata

    if path:
        md = Metadata.load_from_json(path)
        md.validate_data(df, md.table_name)
        return md
    return Metadata.detect_from_dataframe(df, table_name=table_name)


@cli.command()
@click.option(
    "-n",
    "--rows",
    type=click.IntRange(min=1),
    default=None,
    help=f"Rows to sample (default: as many as the demo table; at most {DEMO_MAX_ROWS:,}).",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed.")
@click.option(
    "-d",
    "--output-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Folder for the synthetic CSV and the model file.",
)
@click.option(
    "-s",
    "--synthesizer",
    default="cart",
    show_default=True,
    help="Synthesizer to learn with (see 'simulacra synthesizers'); cart is the most faithful we have.",
)
@synthesizer_options
def demo(rows, seed, output_dir, synthesizer, epochs, params):
    """Learn the embedded penguins table, sample it, print its quality, write CSV and model.

    The two files, synthetic_penguins.csv and penguins_model.zip, are replaced on a re-run
    in the same folder (it says so).
    """
    import time

    from ..datasets import load_demo
    from ..evaluation import evaluate_quality, rule_validity
    from ..io.writers import write_table
    from ..synthesizers import get_synthesizer_class

    klass = get_synthesizer_class(synthesizer)
    kwargs = synthesizer_kwargs(klass, params, epochs)
    if rows is not None and rows > DEMO_MAX_ROWS:
        raise ParameterError(
            f"demo samples at most {DEMO_MAX_ROWS:,} rows in memory, got -n {rows:,}; for more, 'simulacra sample {Path(output_dir) / 'penguins_model.zip'} -n {rows} -o big.parquet' streams them to a file"
        )
    out = Path(output_dir)
    if not out.is_dir():
        raise ParameterError(f"output folder {output_dir!r} does not exist")
    csv_path, model_path = out / "synthetic_penguins.csv", out / "penguins_model.zip"
    replaced = [p for p in (csv_path, model_path) if os.path.lexists(p)]
    csv_target = prepare_output(csv_path, "data", True)
    model_target = prepare_output(model_path, "model", True)
    con = console()
    real, metadata = load_demo("penguins", metadata=True)
    con.print(
        f"[bold]Real data[/bold]: Palmer penguins, {len(real)} rows x {real.shape[1]} columns (embedded demo table)"
    )
    con.print(metadata.visualize())
    t0 = time.perf_counter()
    synth = build_synthesizer(klass, metadata, kwargs)
    synth.fit(real)
    t1 = time.perf_counter()
    n = rows or len(real)
    synthetic = synth.sample(n, seed=seed)
    t2 = time.perf_counter()
    con.print(f"Fitted {klass.__name__} in {t1 - t0:.3f}s; sampled {n} rows in {t2 - t1:.3f}s (seed {seed})")
    privacy = synth.get_info().get("privacy_check") or {}
    if privacy.get("summary"):
        con.print(f"[bold]Privacy check[/bold] (against rows held out of trial fits): {privacy['summary']}")
    con.print(synthetic.head(8).to_string(index=False))
    learned = synth.get_learned_rules() if hasattr(synth, "get_learned_rules") else []
    if learned:
        con.print(f"[bold]Learned rules[/bold] ({len(learned)}), enforced on every sampled row:")
        for rule in learned:
            con.print(f"  {rule.family}: {rule.describe()}")
    report = evaluate_quality(real, synthetic, metadata, verbose=False)
    quality_tables(report, con)
    validity = rule_validity(real, synthetic, metadata)
    con.print(
        f"Rule validity: {validity.score:.1%} of sampled rows keep every rule that holds on all real rows "
        f"({len(validity.rules)} rules)"
    )
    write_table(synthetic, csv_target)
    synth.save(model_target)
    con.print(f"Wrote {csv_path} and {model_path}" + (" (replacing the previous demo files)" if replaced else ""))
    con.print(f"Next: simulacra sample {model_path} -n 1000000 -o big.parquet")


@cli.command("metadata")
@click.argument("data", type=click.Path())
@click.option(
    "-o", "--output", type=click.Path(), default=None, help="Write the metadata JSON here (default: print it)."
)
@click.option("--table-name", default=None, help="Table name (default: the file name).")
@overwrite_option
@sep_option
@click.option("--tables", default=None, metavar="A,B,C", help="DATA a folder or database URL: only these tables.")
def metadata_cmd(data, output, table_name, overwrite, sep, tables):
    """Detect the column types of a data file and write them as JSON.

    DATA a folder of table files (one per table, named by the file) or a database URL
    (sqlite:///file.db): the multi-table metadata, with keys and relationships.
    """
    from ..io.writers import write_text_atomically
    from ..metadata import Metadata
    from .multi_tables import is_multi_input

    if is_multi_input(data):
        from .multi_commands import multi_metadata_cmd

        return multi_metadata_cmd(data, output, overwrite, sep, tables)
    if tables is not None:
        raise ParameterError(f"--tables is for a folder or a database URL; {data!r} is one table")
    target = prepare_output(output, "metadata", overwrite, [data]) if output else None
    df = read_data(data, sep)
    md = Metadata.detect_from_dataframe(df, table_name=table_name or Path(data).stem)
    if target is None:
        click.echo(md.to_json())
        return
    write_text_atomically(target, md.to_json() + "\n")
    click.echo(md.visualize())
    click.echo(f"wrote {output}")
    warn_extension(output, "metadata")


@cli.command()
@click.argument("data", type=click.Path())
@click.option("-o", "--output", "model", required=True, type=click.Path(), help="Model file to write (.zip).")
@metadata_option("detect")
@click.option(
    "-s",
    "--synthesizer",
    default="gaussian_copula",
    show_default=True,
    help="Synthesizer name (see 'simulacra synthesizers').",
)
@click.option("--preset", "preset_name", default=None, help="Preset instead of --synthesizer: fast, best or FAST_ML.")
@click.option("--distribution", default=None, help="Default marginal distribution of the Gaussian copula.")
@synthesizer_options
@overwrite_option
@sep_option
@click.option(
    "--key-file",
    type=click.Path(),
    default=None,
    help="Sign the model file with the key in this file (default: SIMULACRA_MODEL_KEY, if set).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show the training epochs and losses of a neural synthesizer (its verbose; default: on a terminal).",
)
@click.option(
    "--orphans",
    type=click.Choice(["error", "drop", "keep_as_missing"]),
    default=None,
    help="Multi-table: foreign key values with no parent row: refuse (default), drop those rows, keep without parent.",
)
@click.option(
    "--tables", default=None, metavar="A,B,C", help="Multi-table: only these tables of the folder or database."
)
@click.option("--sequence-key", default=None, help="Sequences: the column naming each row's entity (patient, country).")
@click.option("--sequence-index", default=None, help="Sequences: the column ordering each entity's rows (date, year).")
@click.option(
    "--context-columns", default=None, metavar="A,B", help="Sequences: columns constant per entity (default: detected)."
)
@click.option(
    "--holdout",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=None,
    help="Keep this share of the rows (seeded) out of the fit; the privacy check measures against them.",
)
@click.option(
    "--split-output",
    type=click.Path(),
    default=None,
    help="With --holdout: write the rows as DIR/train.csv and DIR/holdout.csv, for 'simulacra report DIR/train.csv SYNTH --holdout DIR/holdout.csv'.",
)
@cluster_options
def fit(
    data,
    model,
    metadata_path,
    synthesizer,
    preset_name,
    distribution,
    epochs,
    params,
    overwrite,
    sep,
    key_file,
    progress,
    orphans,
    tables,
    sequence_key,
    sequence_index,
    context_columns,
    holdout,
    split_output,
    engine,
    scheduler,
    workers,
):
    """Learn DATA and save the synthesizer to a model file.

    DATA a folder of Parquet files (a Parquet dataset), or any folder or file with --engine dask,
    is one table read in partitions (larger than memory): the Gaussian copula and the Bayesian
    network learn from statistics of every row, other synthesizers from a stratified sample sized
    to the memory (the console says which).

    DATA a folder of table files (one per table, named by the file) or a database URL
    (sqlite:///file.db, postgresql://user@host/db): every table is learned with its keys and
    relationships (multi-table; default synthesizer cart), for 'simulacra sample MODEL --scale'.
    With --sequence-key (or a metadata file with a sequence key) DATA is a table of sequences,
    learned with the sequential synthesizer (-s is the synthesizer of its entity and step models).
    """
    import time

    from ..io.modelfile import read_key_file
    from .multi_tables import is_multi_input

    key = read_key_file(key_file) if key_file else None
    if split_output is not None and holdout is None:
        raise ParameterError("--split-output writes the rows --holdout keeps aside; give --holdout SHARE too")

    from ..synthesizers import PRESETS, get_synthesizer_class

    check_engine(engine, scheduler, workers)
    from .dask_commands import check_partitioned_fit_options, is_one_table_source, partitioned_fit

    one_table = is_one_table_source(data, engine)
    if engine == "dask" and not one_table:
        raise ParameterError(
            f"--engine dask fits one table read in partitions: a folder or file of its rows, not {data!r}"
        )
    if holdout is not None and (one_table or is_multi_input(data) or sequence_key is not None):
        raise ParameterError("--holdout keeps rows of one table in memory out of the fit; split other inputs yourself")
    if is_multi_input(data) and not one_table:
        from .multi_commands import DEFAULT_SYNTHESIZER, multi_fit

        if distribution is not None:
            raise ParameterError("--distribution is for one table; for several, give --param default_distribution=...")
        source = click.get_current_context().get_parameter_source("synthesizer")
        name = preset_name or (DEFAULT_SYNTHESIZER if source == click.core.ParameterSource.DEFAULT else synthesizer)
        return multi_fit(
            data, model, metadata_path, name, epochs, params, orphans, tables, overwrite, sep, key, progress
        )
    for opt, value in (("--orphans", orphans), ("--tables", tables)):
        if value is not None:
            raise ParameterError(f"{opt} is for a folder of tables or a database URL; {data!r} is one table")
    if one_table:
        check_partitioned_fit_options(
            data,
            **{
                "--sequence-key": sequence_key,
                "--sequence-index": sequence_index,
                "--context-columns": context_columns,
            },
        )
    sequences = (sequence_key, sequence_index, context_columns)
    if any(v is not None for v in sequences):  # sequences asked for: the single-table checks do not apply
        target = prepare_output(model, "model", overwrite, [data, metadata_path, key_file])
        df = read_data(data, sep)
        md = load_metadata(metadata_path, df, Path(data).stem)
        return _fit_sequences(df, md, model, target, synthesizer, preset_name, params, epochs, key, progress, sequences)

    if preset_name is not None and preset_name not in PRESETS:
        raise ParameterError(f"unknown preset {preset_name!r}; choose one of {', '.join(PRESETS)}")
    if (
        preset_name is not None
        and click.get_current_context().get_parameter_source("synthesizer") != click.core.ParameterSource.DEFAULT
    ):
        raise click.UsageError(
            f"--preset {preset_name} and -s/--synthesizer {synthesizer} exclude each other: a preset chooses the synthesizer; give one of them"
        )
    klass = get_synthesizer_class(PRESETS[preset_name][0] if preset_name else synthesizer)
    if distribution is not None and "default_distribution" not in parameter_names(klass):
        raise ParameterError(
            f"--distribution applies to the Gaussian copula (and copulagan); {klass.__name__} has no marginal distributions"
        )
    kwargs = synthesizer_kwargs(klass, params, epochs, default_distribution=distribution)
    if "verbose" in parameter_names(klass) and "verbose" not in kwargs:  # --param verbose=... wins
        kwargs["verbose"] = sys.stderr.isatty() if progress is None else progress
    target = prepare_output(model, "model", overwrite, [data, metadata_path, key_file])
    if one_table:
        check_partitioned_fit_options(data, **{"--sep": sep})
        return partitioned_fit(
            data,
            model,
            target,
            metadata_path,
            klass,
            kwargs,
            preset_name,
            engine,
            scheduler,
            workers,
            key,
            Path(data).stem,
        )
    df = read_data(data, sep)
    md = load_metadata(metadata_path, df, Path(data).stem)
    if md.get_sequence_key() is not None:  # a metadata file (or detection) that names a sequence key
        return _fit_sequences(df, md, model, target, synthesizer, preset_name, params, epochs, key, progress)
    splits = split_targets(split_output, overwrite, [data, metadata_path, key_file, model])
    t0 = time.perf_counter()
    synth = build_synthesizer(klass, md, kwargs, preset=preset_name)
    synth.fit(df, holdout=holdout)
    synth.save(target, key=key)
    if splits:  # after the model: a failed save leaves no split behind
        write_split(splits, synth.training_data_, synth.holdout_data_)
    n = len(synth.training_data_) if holdout is not None else len(df)
    click.echo(
        f"fitted {type(synth).__name__} on {n} rows x {df.shape[1]} columns in {time.perf_counter() - t0:.2f}s; wrote {model}"
        + (
            f" ({len(df) - n} holdout rows kept out" + (f", written to {split_output}" if splits else "") + ")"
            if holdout
            else ""
        )
    )
    echo_privacy(synth)
    warn_extension(model, "model")


def _fit_sequences(df, md, model, target, synthesizer, preset_name, params, epochs, key, progress, roles=(None,) * 3):
    """``fit`` of a table of sequences: ``roles`` are --sequence-key, --sequence-index, --context-columns."""
    from .sequence_commands import sequence_fit, set_sequence_roles

    sequence_key, sequence_index, context_columns = roles
    if epochs is not None:
        raise ParameterError("--epochs is for the neural synthesizers; the sequential model's are set by -s/--param")
    set_sequence_roles(md, sequence_key, sequence_index)
    if md.get_sequence_key() is None:
        raise ParameterError("--sequence-index and --context-columns are for sequences: give --sequence-key too")
    source = click.get_current_context().get_parameter_source("synthesizer")
    name = preset_name or ("cart" if source == click.core.ParameterSource.DEFAULT else synthesizer)
    sequence_fit(df, md, model, target, name, params, context_columns, key, progress)
    warn_extension(model, "model")


@cli.command()
@click.argument("model", type=click.Path())
@click.option(
    "-n",
    "--num-rows",
    type=ROWS,
    default=None,
    help="Rows to sample (checked against the free disk space first); a multi-table model takes --scale.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(),
    help="Output file: .csv, .tsv, .parquet or .jsonl (.gz for text); multi-table: a folder or a database URL.",
)
@click.option("--scale", type=float, default=None, help="Multi-table model: size relative to the real data (1.0).")
@click.option(
    "--sequence-length",
    type=click.IntRange(min=1),
    default=None,
    help="Sequential model: rows of every sequence (default: as learned; -n counts sequences).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "parquet"]), default=None, help="Multi-table folder: file format."
)
@click.option(
    "--if-exists",
    type=click.Choice(["fail", "replace"]),
    default=None,
    help="Multi-table database output: refuse (default) or replace tables that exist.",
)
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Random seed (same seed, same rows).")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Rows per batch (memory bound).")
@click.option(
    "--progress/--no-progress", default=None, help="Show a progress bar (default: for big runs on a terminal)."
)
@overwrite_option
@click.option(
    "--key-file",
    type=click.Path(),
    default=None,
    help="Accept only a model file signed with the key in this file (default: SIMULACRA_MODEL_KEY, if set).",
)
@engine_options
def sample(
    model,
    num_rows,
    output,
    seed,
    batch_size,
    progress,
    overwrite,
    key_file,
    scale,
    fmt,
    if_exists,
    sequence_length,
    engine,
    scheduler,
    workers,
    partition_rows,
):
    """Sample rows from a model file, streamed to OUTPUT in batches.

    A multi-table model (fitted on a folder or a database) samples every table: --scale 1.0
    (default) as many rows as the real data; OUTPUT a folder (one file per table) or a database URL.
    With --engine dask, OUTPUT is a folder of Parquet files, one per partition, made on a Dask
    cluster (--workers N local processes, or --scheduler ADDRESS): the same rows whatever the workers.
    """
    import time

    from ..io.modelfile import read_key_file
    from ..sampling import check_num_rows
    from ..synthesizers import BaseSynthesizer
    from .multi_commands import is_multi_model, model_name, multi_sample
    from .multi_tables import is_database_url

    if num_rows is not None:
        check_num_rows(num_rows, "-n")  # first: over 2**63 - 1 is that, not a lack of disk space
    if Path(model).is_dir():
        raise ParameterError(f"model {model!r} is a folder; give the model file (.zip) that simulacra fit wrote")
    key = read_key_file(key_file) if key_file else None
    check_engine(engine, scheduler, workers, partition_rows)
    if engine == "dask":
        from .dask_commands import dask_sample

        for opt, value in (
            ("--scale", scale),
            ("--format", fmt),
            ("--if-exists", if_exists),
            ("--sequence-length", sequence_length),
        ):
            if value is not None:
                raise ParameterError(
                    f"{opt} is not for --engine dask, which samples one table's rows to a Parquet dataset folder"
                )
        return dask_sample(
            model, num_rows, output, seed, batch_size, partition_rows, scheduler, workers, progress, overwrite, key
        )
    if is_multi_model(model):
        if num_rows is not None or batch_size is not None:
            raise ParameterError(
                f"{model!r} is a multi-table model: it samples every table by --scale (1.0: as many rows as the real data), not -n/--batch-size"
            )
        return multi_sample(model, scale, output, seed, fmt, if_exists, overwrite, key)
    for opt, value in (("--scale", scale), ("--format", fmt), ("--if-exists", if_exists)):
        if value is not None:
            raise ParameterError(f"{opt} is for a multi-table model; {model!r} holds one table: give -n ROWS")
    if is_database_url(output):
        raise ParameterError(
            f"{model!r} holds one table: -o is a file (.csv, .parquet, ...); a database URL takes a multi-table model"
        )
    if model_name(model) == "sequential":
        from .sequence_commands import sequence_sample

        prepare_table_output(output, overwrite, [model, key_file])
        return sequence_sample(model, num_rows, sequence_length, output, seed, batch_size, key)
    if sequence_length is not None and Path(model).is_file():
        raise ParameterError(f"--sequence-length is for a sequential model; {model!r} holds one table of rows")
    if num_rows is None:
        raise click.UsageError("Missing option '-n' / '--num-rows'.")
    prepare_table_output(output, overwrite, [model, key_file])
    synth = BaseSynthesizer.load(model, key=key)
    width = max(1, len(synth.metadata.get_columns()))
    if batch_size is not None and batch_size * width > MAX_BATCH_CELLS:
        raise ParameterError(
            f"--batch-size {batch_size:,} x {width} columns is over {MAX_BATCH_CELLS:,} cells per batch; use at most {max(1, MAX_BATCH_CELLS // width):,}"
        )
    if progress is None:
        progress = num_rows > 200_000 and sys.stderr.isatty()
    t0 = time.perf_counter()
    synth.sample(num_rows, seed=seed, batch_size=batch_size, output_file_path=output, show_progress=progress)
    click.echo(f"sampled {num_rows:,} rows in {time.perf_counter() - t0:.2f}s; wrote {output}")
