"""Multi-table commands: ``db-synth``, and the multi-table paths of ``metadata``, ``fit`` and ``sample``.

``simulacra db-synth SOURCE_URL TARGET_URL`` reflects the source database (its keys and
relationships from its PRIMARY KEY and FOREIGN KEY constraints), learns every table with a
:class:`simulacra.multi_table.RelationalSynthesizer`, samples a synthetic copy and writes it into
the target with the same keys as real constraints, in one transaction: a failure leaves the target
as it was. ``--tables`` must name every parent of the tables it lists (the error names the parent
left out and the option to give); the source is only read.

``fit``, ``sample`` and ``metadata`` come here when DATA is a folder of table files or a database
URL, or when the model file holds a multi-table model.
"""

from __future__ import annotations

import json
import sys
import time
import zipfile

import click

from ..errors import ParameterError
from .app import cli
from .multi_tables import (
    FOLDER_FORMATS,
    is_database_url,
    prepare_folder_output,
    read_tables,
    rows_summary,
    safe_url,
    shown,
    table_names_option,
    write_tables,
)

ORPHANS = ("error", "drop", "keep_as_missing")
#: the multi-table default: the most faithful single-table synthesizer for every table
DEFAULT_SYNTHESIZER = "cart"


def is_multi_model(path) -> bool:
    """Whether the model file at ``path`` holds a multi-table model (see :func:`model_name`)."""
    return model_name(path) == "relational"


def model_name(path) -> str | None:
    """The synthesizer name in the model file at ``path`` (a quick look at its manifest).

    Anything unreadable is ``None``: the loader then says what is wrong with it.
    """
    import os
    import re
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a named pipe or device is never opened here
            return None
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("manifest.json")
            if info.file_size > 256 * 2**20:
                return None
            with z.open(info) as fh:
                head = fh.read(4096).decode("utf-8", "replace")
            found = re.search(r'"synthesizer"\s*:\s*"([A-Za-z0-9_]{1,40})"', head)
            if found:
                return found.group(1)
            with z.open(info) as fh:
                name = json.load(fh).get("synthesizer")
            return name if isinstance(name, str) else None
    except Exception:  # noqa: BLE001 - not ours to judge here
        return None


def check_scale(scale) -> float:
    if scale is None:
        return 1.0
    if not (scale > 0) or scale != scale or scale == float("inf"):
        raise ParameterError(f"--scale must be a positive number (1.0: as many rows as the real data), got {scale}")
    return float(scale)


def build_relational(metadata, synthesizer, params, epochs, orphans, progress):
    """A RelationalSynthesizer whose per-table synthesizer gets ``--param`` / ``--epochs``."""
    from ..multi_table import RelationalSynthesizer
    from ..synthesizers import PRESETS, get_synthesizer_class
    from .options import synthesizer_kwargs

    base = PRESETS[synthesizer][0] if synthesizer in PRESETS else synthesizer
    klass = get_synthesizer_class(base)
    kwargs = synthesizer_kwargs(klass, params, epochs)
    verbose = sys.stderr.isatty() if progress is None else bool(progress)
    return RelationalSynthesizer(
        metadata, synthesizer=synthesizer, synthesizer_parameters=kwargs, orphans=orphans or "error", verbose=verbose
    )


def fit_tables(tables, metadata, synthesizer, params, epochs, orphans, progress, seed=0):
    synth = build_relational(metadata, synthesizer, params, epochs, orphans, progress)
    synth.fit(tables, seed=seed)
    for rel, n in (synth.orphan_report or {}).items():
        if n:
            click.echo(f"warning: {rel}: {n:,} orphan foreign key value(s), handled as --orphans {orphans}", err=True)
    return synth


def multi_metadata_cmd(data, output, overwrite, sep, tables):
    """``simulacra metadata FOLDER|URL``: the multi-table metadata JSON."""
    from ..io.writers import write_text_atomically
    from .multi_tables import multi_metadata
    from .outputs import prepare_output, warn_extension

    names = table_names_option(tables)
    target = prepare_output(output, "metadata", overwrite) if output else None
    data_tables = read_tables(data, names, sep)
    md = multi_metadata(data, data_tables)
    if target is None:
        click.echo(md.to_json())
        return
    write_text_atomically(target, md.to_json() + "\n")
    click.echo(f"{len(md.tables)} tables, {len(md.relationships)} relationships; wrote {output}")
    warn_extension(output, "metadata")


def multi_fit(data, model, metadata_path, synthesizer, epochs, params, orphans, tables, overwrite, sep, key, progress):
    """``simulacra fit FOLDER|URL -o model.zip``: learn every table with a RelationalSynthesizer."""
    from .multi_tables import multi_metadata
    from .outputs import prepare_output, warn_extension

    names = table_names_option(tables)
    target = prepare_output(model, "model", overwrite, [metadata_path])
    t0 = time.perf_counter()
    data_tables = read_tables(data, names, sep)
    md = multi_metadata(data, data_tables, metadata_path)
    synth = fit_tables(data_tables, md, synthesizer, params, epochs, orphans, progress)
    synth.save(target, key=key)
    click.echo(
        f"fitted RelationalSynthesizer on {len(md.tables)} tables ({rows_summary(data_tables)} rows) "
        f"in {time.perf_counter() - t0:.2f}s; wrote {model}"
    )
    warn_extension(model, "model")


def prepare_multi_output(output, names, fmt, if_exists, overwrite):
    if is_database_url(output):
        if fmt is not None:
            raise ParameterError("--format is for a folder output; a database URL holds the tables itself")
        return
    if if_exists is not None:
        raise ParameterError("--if-exists is for a database output; for a folder, pass --overwrite to replace files")
    prepare_folder_output(output, names, fmt or "csv", overwrite)


def multi_sample(model, scale, output, seed, fmt, if_exists, overwrite, key):
    """``simulacra sample model.zip --scale S -o FOLDER|URL`` for a multi-table model."""
    from ..multi_table import RelationalSynthesizer

    scale = check_scale(scale)
    synth = RelationalSynthesizer.load(model, key=key)
    names = list(synth.get_metadata().tables)
    prepare_multi_output(output, names, fmt, if_exists, overwrite)
    t0 = time.perf_counter()
    sampled = synth.sample(scale=scale, seed=seed)
    where = write_tables(output, sampled, synth.get_metadata(), fmt or "csv", if_exists or "fail")
    click.echo(
        f"sampled {len(sampled)} tables ({rows_summary(sampled)} rows) at scale {scale:g} "
        f"in {time.perf_counter() - t0:.2f}s; wrote {where}"
    )


@cli.command("db-synth")
@click.argument("source_url")
@click.argument("target_url")
@click.option("--scale", type=float, default=1.0, show_default=True, help="Size of the copy relative to the source.")
@click.option("--tables", default=None, metavar="A,B,C", help="Only these tables (every parent of one must be listed).")
@click.option(
    "--if-exists",
    type=click.Choice(["fail", "replace"]),
    default="fail",
    show_default=True,
    help="When a table exists in the target: refuse, or replace it (in the same transaction).",
)
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Random seed (same seed, same copy).")
@click.option(
    "-s",
    "--synthesizer",
    default=DEFAULT_SYNTHESIZER,
    show_default=True,
    help="Synthesizer of each table (see 'simulacra synthesizers'), or a preset (best, fast).",
)
@click.option(
    "--orphans",
    type=click.Choice(ORPHANS),
    default="error",
    show_default=True,
    help="Foreign key values with no parent row in the source: refuse, drop those rows, or keep them without a parent.",
)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A per-table synthesizer parameter.")
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="Epochs of a neural synthesizer.")
@click.option("--progress/--no-progress", default=None, help="A progress bar per table (default: on a terminal).")
def db_synth(source_url, target_url, scale, tables, if_exists, seed, synthesizer, orphans, params, epochs, progress):
    """Learn the database at SOURCE_URL and write a synthetic copy, keys intact, to TARGET_URL.

    The target gets the same tables with column types and PRIMARY KEY / FOREIGN KEY constraints,
    loaded parents first in one transaction; on any failure it is left as it was. Example:
    simulacra db-synth sqlite:///real.db sqlite:///synthetic.db --scale 0.5
    """
    for what, url in (("SOURCE_URL", source_url), ("TARGET_URL", target_url)):
        if not is_database_url(url):
            raise ParameterError(
                f"{what} {url!r} is not a database URL; write it as sqlite:///file.db or postgresql://user@host/db"
            )
    if safe_url(source_url) == safe_url(target_url):
        raise ParameterError(
            f"SOURCE_URL and TARGET_URL are the same database ({safe_url(source_url)}); give another target"
        )
    scale = check_scale(scale)
    names = table_names_option(tables)
    from .multi_tables import multi_metadata

    t0 = time.perf_counter()
    data_tables = read_tables(source_url, names)
    md = multi_metadata(source_url, data_tables)
    t1 = time.perf_counter()
    synth = fit_tables(data_tables, md, synthesizer, params, epochs, orphans, progress)
    t2 = time.perf_counter()
    sampled = synth.sample(scale=scale, seed=seed)
    t3 = time.perf_counter()
    where = write_tables(target_url, sampled, md, if_exists=if_exists)
    t4 = time.perf_counter()
    click.echo(f"source {shown(source_url)}: {len(data_tables)} tables ({rows_summary(data_tables)} rows)")
    for name, df in sampled.items():
        click.echo(f"  {name}: {len(df):,} rows (source {len(data_tables[name]):,})")
    click.echo(
        f"wrote {where} at scale {scale:g}: read {t1 - t0:.2f}s, fit {t2 - t1:.2f}s, sample {t3 - t2:.2f}s, "
        f"write {t4 - t3:.2f}s, total {t4 - t0:.2f}s"
    )


__all__ = [
    "FOLDER_FORMATS",
    "db_synth",
    "is_multi_model",
    "model_name",
    "multi_fit",
    "multi_metadata_cmd",
    "multi_sample",
]
