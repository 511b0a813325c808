"""The fit pipeline: real table -> constraints chain -> TableTransformer -> model input.

``fit_table`` runs it for a synthesizer: the rules are checked on the real rows, each constraint
is fitted on the table the ones before it reshaped, the transformer is fitted on the result, and
the model learns either the encoded matrix (``model_input = "matrix"``: ``_fit(X, names, kinds)``)
or the learned columns as values (``model_input = "values"``: ``_fit_values(table, column_specs)``).
"""

from __future__ import annotations

import pandas as pd

from .._random import as_seed_sequence
from .._threads import limit_threads_for
from ..errors import ConstraintError, ParameterError

#: the two model paths
MODEL_INPUTS = ("matrix", "values")


def add_constraints(synth, constraints) -> None:
    """Add ``constraints`` (objects or SDV 1 dicts) to ``synth`` (see ``BaseSynthesizer.add_constraints``).

    Before ``fit`` any constraint on the metadata's columns; after it (a loaded model) only the
    custom constraints the model was fitted with, each in its placeholder's place.
    """
    from ..constraints import MissingCustom, constraint_from_dict
    from ..constraints.registry import is_registered

    new = [constraint_from_dict(c) for c in (constraints if isinstance(constraints, (list, tuple)) else [constraints])]
    if synth._fitted:
        for c in new:
            name = type(c).__name__
            if is_registered(type(c)) or name not in synth._missing_custom:
                raise ConstraintError(
                    f"{c} cannot be added to a fitted synthesizer; add constraints before fit "
                    "(after load, only the custom constraints it was fitted with can be attached again)"
                )
            places = [x for x in synth._constraints if isinstance(x, MissingCustom) and x.class_name == name]
            idx = next(
                (i for i, x in enumerate(synth._constraints) if isinstance(x, MissingCustom) and x.matches(c)), None
            )
            if idx is None:  # e.g. another lambda rule: every create_custom_constraint_class(lambda) is '<lambda>'
                saved = " or ".join(str(x.saved_columns) for x in places)
                raise ConstraintError(
                    f"{c} reads {[str(x) for x in c.columns]}, but the {name} this model was fitted with read "
                    f"{saved}; attach that one"
                )
            synth._constraints[idx] = c
            synth._missing_custom.remove(name)
        return
    cols = synth.metadata.get_columns(synth._table_name())
    for c in new:
        unknown = [x for x in c.columns if x not in cols]
        if unknown:
            raise ConstraintError(f"{c}: column(s) {', '.join(map(repr, unknown))} are not in the metadata")
        c.check_metadata(cols)  # e.g. Inequality on a categorical column: refused now, not at fit or sample
    synth._constraints.extend(new)


def fit_constraints(df: pd.DataFrame, columns: dict, constraints, reshape: bool = True) -> tuple[pd.DataFrame, dict]:
    """Check every rule on the real rows, then fit each on the table the ones before it reshaped.

    Each rule is checked against the metadata (``check_metadata``) and the real rows (``check``)
    first, then fitted with ``fit(table, columns_meta)``: the two-argument call a user's override
    takes (``fit`` only learns). With ``reshape=False`` (the values path) no rule reshapes the
    table: each is fitted on the real rows and met by rejection when sampling.

    Returns the table and column metadata the transformer learns.
    """
    for c in constraints:  # every rule is checked on the real rows, as the user wrote them
        c.check_metadata(columns)
        c.check(df)
    for c in constraints:
        c.fit(df, columns)
        if reshape:
            df = c.transform(df)
            columns = c.transform_columns(columns)
    return df, columns


def new_transformer(columns: dict, synth):
    """An unfitted TableTransformer for ``columns`` with the synthesizer's decoding options."""
    from ..transforms import TableTransformer

    key = None
    if synth.pseudonymize:
        from ..fake.pseudonym import new_key

        key = synth._pseudonymize_key or new_key()
    # a composition (multi-table) needs unique primary keys: children copy them as foreign keys
    pk = synth.metadata.primary_key if getattr(synth, "unique_primary_key", False) else None
    return TableTransformer(
        columns, synth.enforce_min_max_values, synth.enforce_rounding, synth.locales, key, primary_key=pk
    )


def learn_columns(synth, df, seed, context_columns):
    """The first steps of every fit (in memory or from a partitioned source's sample): the data
    checked against the metadata, ``context_columns`` checked, the rules learned; returns
    ``(df cut to the metadata's columns, columns)``."""
    from . import rules
    from .given import check_context_columns

    synth._fit_seed = seed
    table = synth._table_name()
    synth.metadata.validate_data(df, table)
    columns = synth.metadata.get_columns(table)
    synth.context_columns = check_context_columns(synth, context_columns, columns)
    df = df[list(columns)]
    synth._columns = list(columns)
    synth._learned = rules.rules_for_fit(synth, df, columns)
    return df, columns


def fit_table(synth, data, seed, context_columns=None) -> None:
    """Run the fit pipeline of ``synth`` on ``data`` (sets its transformer, columns, fitted rows and
    ``context_columns``: checked, left out of rule discovery, saved with the model)."""
    as_seed_sequence(seed)  # a bad seed fails here, not after the work
    if synth.model_input not in MODEL_INPUTS:
        raise ParameterError(f"{type(synth).__name__}.model_input must be one of {MODEL_INPUTS}")
    from .given import check_fitted_context

    df, columns = learn_columns(synth, synth._coerce_data(data), seed, context_columns)
    if synth.model_input == "matrix":
        df, columns = fit_constraints(df, columns, synth._learned + synth._constraints)
    else:  # values path: each rule fitted on the real rows (learned ones repair sampled rows, user ones filter)
        fit_constraints(df, columns, synth._learned, reshape=False)
        df, columns = fit_constraints(df, columns, synth._constraints, reshape=False)
    transformer = new_transformer(columns, synth)
    transformer.fit(df)
    synth._transformer = transformer
    check_fitted_context(synth)
    if synth.model_input == "values":
        synth._transformer = transformer
        values = df[transformer.learned_columns]
        with limit_threads_for(values.size):
            synth._fit_values(values, transformer.column_specs)
    else:
        synth._adapt_transforms(df, transformer)
        X = transformer.transform(df)
        synth._transformer = transformer
        with limit_threads_for(X.size):  # small tables: one thread (BLAS/OpenMP threads only fight)
            synth._fit(X, transformer.output_names, transformer.output_kinds)
            synth._adapt_after_fit(df, X, transformer.output_kinds)
    synth.fitted_rows = len(df)
