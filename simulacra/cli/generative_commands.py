"""Generative commands: ``generate-text``, ``prompt-table`` and ``impute``.

``simulacra generate-text MODEL_DIR --prompt TEXT`` writes what a local language model (a folder,
or a hub name already in the local cache) writes after each prompt; ``simulacra prompt-table
"DESCRIPTION" --column name:sdtype -n N`` asks an OpenAI-compatible endpoint (or a local model)
for a table of exactly N valid rows (the API key comes from ``OPENAI_API_KEY`` only);
``simulacra impute MODEL.zip DATA.csv -o OUT.csv`` fills the missing cells of real rows with a
fitted model. torch, transformers and pandas are imported inside the commands.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import ParameterError
from .app import cli
from .options import overwrite_option, read_data, sep_option
from .outputs import prepare_table_output

#: the output formats of generate-text's --output
TEXT_FORMATS = (".csv", ".jsonl")


def _prompts(prompt, prompts_file) -> list[str]:
    """The prompts of ``--prompt`` then ``--prompts-file`` (one per line, blank lines skipped)."""
    out = list(prompt)
    if prompts_file is not None:
        path = Path(prompts_file)
        if not path.is_file():
            raise ParameterError(
                f"--prompts-file {prompts_file!r} is not a file; give a text file of one prompt a line"
            )
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise ParameterError(f"--prompts-file {prompts_file!r} is not UTF-8 text") from None
        out.extend(line for line in lines if line.strip())
    if not out:
        raise ParameterError("give at least one prompt: --prompt TEXT or --prompts-file FILE (one prompt a line)")
    return out


@cli.command("generate-text")
@click.argument("model_dir")
@click.option("--prompt", "prompt", multiple=True, help="A prompt (repeat for more).")
@click.option("--prompts-file", type=click.Path(), default=None, help="A text file of prompts, one a line.")
@click.option(
    "--max-new-tokens", type=click.IntRange(min=1), default=64, show_default=True, help="Most tokens per text."
)
@click.option("--temperature", type=click.FloatRange(min=0), default=1.0, show_default=True, help="0: greedy.")
@click.option("--top-p", type=click.FloatRange(min=0, max=1, min_open=True), default=1.0, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Same seed, same texts.")
@click.option("--batch-size", type=click.IntRange(min=1), default=16, show_default=True, help="Prompts at once.")
@click.option(
    "-o", "--output", default=None, type=click.Path(), help="Write prompt,text rows to a .csv or .jsonl file."
)
@overwrite_option
def generate_text(
    model_dir, prompt, prompts_file, max_new_tokens, temperature, top_p, seed, batch_size, output, overwrite
):
    """Text a local language model writes after each prompt.

    MODEL_DIR is a model folder (causal or sequence-to-sequence, weights as safetensors) or a hub
    name already in the local cache; nothing is downloaded. Without --output each text is one
    line on stdout (a newline inside a text is written as \\n).
    """
    texts = _prompts(prompt, prompts_file)
    if output is not None:
        if not str(output).lower().endswith(TEXT_FORMATS):
            raise ParameterError(f"--output {output!r}: give a .csv or .jsonl file")
        prepare_table_output(output, overwrite, [prompts_file])
    from ..generative.text import TextGenerator

    gen = TextGenerator(model_dir)
    out = gen.generate(
        texts, max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p, seed=seed, batch_size=batch_size
    )
    if output is None:
        for t in out:
            click.echo(t.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n"))
        return 0
    import pandas as pd

    from ..io.files import write_table

    write_table(pd.DataFrame({"prompt": texts, "text": out}), output)
    click.echo(f"wrote {len(out):,} texts to {output}", err=True)
    return 0


def parse_column(item: str) -> tuple[str, object]:
    """``name:sdtype`` -> (name, sdtype); ``name:a|b|c`` -> (name, [a, b, c])."""
    name, sep, spec = item.partition(":")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec:
        raise ParameterError(
            f"--column {item!r}: write NAME:SDTYPE (e.g. order_date:datetime) or NAME:A|B|C (the allowed values)"
        )
    if "|" in spec:
        values = [v.strip() for v in spec.split("|")]
        if any(not v for v in values):
            raise ParameterError(f"--column {item!r}: an empty allowed value; write NAME:A|B|C")
        return name, values
    return name, spec


@cli.command("prompt-table")
@click.argument("description")
@click.option("--column", "column", multiple=True, metavar="NAME:SDTYPE", help="A column: NAME:SDTYPE or NAME:A|B|C.")
@click.option("--metadata", "metadata_file", type=click.Path(), default=None, help="Single-table metadata (JSON).")
@click.option("-n", "--num-rows", type=click.IntRange(min=1), required=True, help="Rows of the table.")
@click.option("--model", default=None, help="Model name at the endpoint, or a local model folder.")
@click.option("--base-url", default=None, help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed.")
@click.option("--batch-size", type=click.IntRange(min=1), default=20, show_default=True, help="Records per request.")
@click.option("--max-retries", type=click.IntRange(min=0), default=5, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True)
@click.option("-o", "--output", default=None, type=click.Path(), help="Output file (.csv, .parquet, .jsonl...).")
@overwrite_option
def prompt_table(
    description,
    column,
    metadata_file,
    num_rows,
    model,
    base_url,
    seed,
    batch_size,
    max_retries,
    timeout,
    output,
    overwrite,
):
    """A table of exactly N rows from a description: every record checked against the columns.

    The API key is read from OPENAI_API_KEY only (never an option, never printed). Without
    --output the table is written to stdout as CSV.
    """
    if bool(column) == bool(metadata_file):
        raise ParameterError("give the columns: --column NAME:SDTYPE (repeatable) or --metadata FILE, one of the two")
    columns = None
    if column:
        columns = {}
        for item in column:
            name, spec = parse_column(item)
            if name in columns:
                raise ParameterError(f"--column {name!r} is given twice")
            columns[name] = spec
    if output is not None:
        prepare_table_output(output, overwrite, [metadata_file])
    metadata = None
    if metadata_file is not None:
        from ..metadata import Metadata

        if not Path(metadata_file).is_file():
            raise ParameterError(f"--metadata {metadata_file!r} is not a file; give a metadata JSON file")
        metadata = Metadata.load_from_json(metadata_file)
    if model is not None and Path(model).is_dir():
        model = Path(model)
    from ..generative.table import generate_table

    df = generate_table(
        description,
        columns=columns,
        metadata=metadata,
        n=num_rows,
        model=model,
        base_url=base_url,
        api_key=os.environ.get("OPENAI_API_KEY"),
        seed=seed,
        batch_size=batch_size,
        max_retries=max_retries,
        timeout=timeout,
    )
    if output is None:
        click.echo(df.to_csv(index=False), nl=False)
        return 0
    from ..io.files import write_table

    write_table(df, output)
    click.echo(f"wrote {len(df):,} rows to {output}", err=True)
    return 0


@cli.command()
@click.argument("model", type=click.Path())
@click.argument("data", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="Output file (.csv, .parquet, .jsonl...).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Random seed (same seed, same values).")
@click.option(
    "--key-file",
    type=click.Path(),
    default=None,
    help="Accept only a model file signed with the key in this file (default: SIMULACRA_MODEL_KEY, if set).",
)
@overwrite_option
@sep_option
def impute(model, data, output, seed, key_file, overwrite, sep):
    """Fill the missing cells of the real rows in DATA with MODEL (a fitted single-table model).

    Each missing cell of a learned column is drawn given the row's present cells; present cells,
    ids, PII and text columns are written as they were.
    """
    import time

    from ..io.files import write_table
    from ..io.modelfile import read_key_file
    from ..synthesizers import BaseSynthesizer
    from .multi_commands import is_multi_model

    if Path(model).is_dir():
        raise ParameterError(f"model {model!r} is a folder; give the model file (.zip) that simulacra fit wrote")
    if not Path(model).is_file():
        raise ParameterError(f"model file {model!r} does not exist; fit one with 'simulacra fit DATA -o MODEL.zip'")
    if not Path(data).exists():
        raise ParameterError(f"data file {data!r} does not exist")
    prepare_table_output(output, overwrite, [model, data, key_file])
    if is_multi_model(model):
        raise ParameterError(f"{model!r} is a multi-table model; impute takes a single-table model")
    key = read_key_file(key_file) if key_file else None
    synth = BaseSynthesizer.load(model, key=key)
    df = read_data(data, sep)
    t0 = time.perf_counter()
    missing = int(df.isna().to_numpy().sum())
    out = synth.impute(df, seed=seed)
    filled = missing - int(out.isna().to_numpy().sum())
    write_table(out, output)
    click.echo(
        f"filled {filled:,} missing cells of {len(df):,} rows in {time.perf_counter() - t0:.2f}s; wrote {output}"
    )
    return 0
