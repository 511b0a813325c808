"""The sequential paths of ``fit`` and ``sample``.

``simulacra fit DATA -o model.zip --sequence-key KEY [--sequence-index COL] [--context-columns A,B]``
(or a metadata file with a sequence key) learns DATA with a
:class:`simulacra.sequential.SequentialSynthesizer`; ``simulacra sample model.zip -n N -o OUT
[--sequence-length L]`` then makes N new sequences.
"""

from __future__ import annotations

import time

import click

from ..errors import ParameterError


def set_sequence_roles(md, sequence_key, sequence_index) -> None:
    """``--sequence-key`` / ``--sequence-index`` on the metadata (the key becomes an 'id' column if it was not a key)."""
    from ..metadata.tables import KEY_SDTYPES

    cols = md.get_columns()
    if sequence_key is not None:
        if sequence_key not in cols:
            raise ParameterError(f"--sequence-key {sequence_key!r} is not a column; the columns: {', '.join(cols)}")
        if cols[sequence_key]["sdtype"] not in KEY_SDTYPES:
            md.update_column(sequence_key, sdtype="id")
        md.set_sequence_key(sequence_key)
    if sequence_index is not None:
        if md.get_sequence_key() is None:
            raise ParameterError("--sequence-index orders the rows of each sequence: give --sequence-key too")
        md.set_sequence_index(sequence_index)


def sequence_fit(df, md, model_path, target, synthesizer, params, context_columns, key, progress):
    """Fit a SequentialSynthesizer on ``df`` and save it; one line on the console."""
    from ..sequential import SequentialSynthesizer
    from .options import parse_params

    context = None if context_columns is None else [c.strip() for c in context_columns.split(",") if c.strip()]
    t0 = time.perf_counter()
    synth = SequentialSynthesizer(
        md,
        context_columns=context,
        synthesizer=synthesizer,
        synthesizer_parameters=parse_params(params) or None,
        verbose=bool(progress),
    )
    synth.fit(df)
    synth.save(target, key=key)
    info = synth.get_info()
    click.echo(
        f"fitted SequentialSynthesizer on {info['sequences']:,} sequences ({info['rows']:,} rows, context "
        f"{', '.join(info['context_columns']) or 'none'}) in {time.perf_counter() - t0:.2f}s; wrote {model_path}"
    )


def sequence_sample(model, num_sequences, sequence_length, output, seed, batch_size, key):
    """``simulacra sample model.zip -n N -o OUT`` for a sequential model: N sequences."""
    from ..io.files import write_table
    from ..sequential import SequentialSynthesizer

    if num_sequences is None:
        raise click.UsageError("Missing option '-n' / '--num-rows' (for a sequential model: how many sequences).")
    synth = SequentialSynthesizer.load(model, key=key)
    t0 = time.perf_counter()
    rows = synth.sample(num_sequences, sequence_length=sequence_length, seed=seed, batch_size=batch_size)
    write_table(rows, output)
    click.echo(
        f"sampled {num_sequences:,} sequences ({len(rows):,} rows) in {time.perf_counter() - t0:.2f}s; wrote {output}"
    )
