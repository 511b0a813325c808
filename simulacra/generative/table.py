"""A table from a prompt: records from an OpenAI-compatible chat endpoint or a local model, validated.

:func:`generate_table` asks for the records in batches, checks each against the columns (types,
allowed values, ranges, required fields), drops duplicates (whole records, and repeated values in
id columns), asks again for what is still missing (naming the ids already used), and returns a
DataFrame of exactly ``n`` rows, or raises one error and returns nothing.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..utils.progress import progress
from .api import ChatClient, build_messages, extract_json
from .schema import RecordError, Validator, field_schema, json_schema, resolve_fields

#: rounds in a row that add no new valid record before generate_table gives up
MAX_FRUITLESS_ROUNDS = 3
MAX_ROWS = 1_000_000


class _NoRecords(Exception):
    """An answer without usable records (refused, not JSON, no list of records)."""


class _ApiSource:
    """Records from a chat endpoint, through :class:`~simulacra.generative.api.ChatClient`."""

    def __init__(self, description, fields, client: ChatClient):
        self.description, self.fields, self.client = description, fields, client
        self.schema = json_schema(fields)

    def ask(self, count, missing, avoid, rng) -> list:
        def messages(schema_in_prompt):
            return build_messages(self.description, self.fields, count, missing, avoid, schema_in_prompt)

        msg = self.client.chat(messages, schema=self.schema, name="records", seed=int(rng.integers(2**31)))
        if msg.get("refusal"):
            raise _NoRecords(f"the model refused ({str(msg['refusal'])[:200]})")
        try:
            data = extract_json(msg.get("content"))
        except ValueError as e:
            raise _NoRecords(str(e)) from None
        return records_of(data)


class _LocalSource:
    """Records from a local model, decoded under the schema's constraints (always valid)."""

    def __init__(self, description, fields, local):
        self.description, self.fields, self.local = description, fields, local

    def ask(self, count, missing, avoid, rng) -> list:
        msgs = build_messages(self.description, self.fields, count, missing, avoid)
        prompt = "\n\n".join(m["content"] for m in msgs) + "\n"
        return self.local.generate(self.fields, count, prompt, rng, batch_size=min(count, 32))


def records_of(data) -> list:
    """The records in a parsed answer: ``{"records": [...]}``, a bare list, an object's one list, or one record."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("records"), list):
            return data["records"]
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1 and all(isinstance(v, dict) for v in lists[0]):
            return lists[0]
        return [data]
    raise _NoRecords("the answer's JSON holds no records")


def _source(description, fields, model, base_url, api_key, seed, max_retries, timeout, temperature):
    local_obj = model is not None and not isinstance(model, (str, os.PathLike)) and hasattr(model, "tokenizer")
    if model is None:
        raise ParameterError(
            "pass model=: the name of a model at an OpenAI-compatible endpoint (with base_url= / api_key= or "
            "OPENAI_BASE_URL / OPENAI_API_KEY), a TextGenerator, or a local model folder"
        )
    if local_obj or (base_url is None and isinstance(model, os.PathLike)):
        if base_url is not None:
            raise ParameterError(
                "model is a local model and base_url an endpoint: pass base_url only with a model name the "
                "endpoint serves"
            )
        return _local(description, fields, model, temperature)
    if not isinstance(model, str):
        raise ParameterError(
            f"model must be a model name, a TextGenerator or a local model folder, got {type(model).__name__}"
        )
    if base_url is None and Path(model).expanduser().is_dir():
        return _local(description, fields, str(Path(model).expanduser()), temperature)
    endpoint = base_url or api_key or os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_KEY")
    if not endpoint:
        try:
            return _local(description, fields, model, temperature)
        except ParameterError as e:
            raise ParameterError(
                f"{e} To use an OpenAI-compatible endpoint instead, pass base_url= (and api_key=) or set "
                "OPENAI_BASE_URL / OPENAI_API_KEY"
            ) from None
    client = ChatClient(
        model, base_url, api_key, timeout=timeout, max_retries=max_retries, seed=seed, temperature=temperature
    )
    return _ApiSource(description, fields, client)


def _local(description, fields, model, temperature):
    from .local_json import LocalJSON

    return _LocalSource(description, fields, LocalJSON(model, temperature=1.0 if temperature is None else temperature))


def _key(value):
    if isinstance(value, float):
        return ("f", repr(value))
    if hasattr(value, "isoformat"):
        return ("t", value.isoformat())
    return (type(value).__name__, value)


def _collect(source, fields, n, batch_size, show, rng) -> list[dict]:
    """``n`` valid, distinct records (typed), asking again for what is missing; one ParameterError otherwise."""
    validator = Validator(fields)
    unique = [f.name for f in fields if f.unique]
    seen_rows, seen = set(), {c: set() for c in unique}
    used = {c: [] for c in unique}
    rows: list[dict] = []
    problems: Counter = Counter()
    size = min(batch_size, n)
    rounds = fruitless = 0
    max_rounds = 3 * math.ceil(n / batch_size) + MAX_FRUITLESS_ROUNDS
    with progress(n, show) as bar:
        task = bar.add_task("generating records", total=n) if bar is not None else None
        while len(rows) < n:
            need = n - len(rows)
            count = min(size, need)
            again = rounds > 0
            rounds += 1
            try:
                got = source.ask(count, need if again else None, used if again else None, rng)
            except _NoRecords as e:
                problems[str(e)] += 1
                got = []
                size = max(1, size // 2)  # a truncated or garbled answer: ask for fewer at a time
            added = 0
            for rec in got:
                try:
                    row = validator.convert(rec)
                except RecordError as e:
                    problems[str(e)] += 1
                    continue
                key = tuple(_key(row[f.name]) for f in fields)
                dup = next((c for c in unique if _key(row[c]) in seen[c]), None)
                if key in seen_rows or dup is not None:
                    problems["duplicate record" if dup is None else f"{dup}: duplicate value"] += 1
                    continue
                seen_rows.add(key)
                for c in unique:
                    seen[c].add(_key(row[c]))
                    used[c].append(row[c])
                rows.append(row)
                added += 1
                if len(rows) == n:
                    break
            if bar is not None and added:
                bar.advance(task, added)
            fruitless = 0 if added else fruitless + 1
            if added and got:
                size = min(batch_size, size * 2, n)  # answers parse again: back towards batch_size
            if len(rows) < n and (fruitless >= MAX_FRUITLESS_ROUNDS or rounds >= max_rounds):
                top = "; ".join(f"{p} ({k}x)" for p, k in problems.most_common(4)) or "no records in the answers"
                raise ParameterError(
                    f"generate_table got {len(rows)} of {n} valid, distinct records after {rounds} requests "
                    f"(problems: {top}); nothing was returned. Try a stronger model, fewer or simpler columns, "
                    "fewer allowed values to choose between, a smaller batch_size, or a smaller n"
                )
    return rows


def _column(f, values) -> pd.Series:
    null = any(v is None for v in values)
    kind = f.kind
    if kind == "enum":
        t = field_schema(f).get("type")
        t = [x for x in t if x != "null"][0] if isinstance(t, list) else t
        kind = {"integer": "integer", "number": "number", "boolean": "boolean"}.get(t, "string")
    if kind == "integer":
        return pd.Series(pd.array(values, dtype="Int64")) if null else pd.Series(np.array(values, dtype=np.int64))
    if kind == "number":
        return pd.Series(np.array([np.nan if v is None else v for v in values], dtype=np.float64))
    if kind == "boolean":
        return pd.Series(pd.array(values, dtype="boolean")) if null else pd.Series(np.array(values, dtype=bool))
    if kind in ("date", "datetime"):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object))).astype("datetime64[ns]")
    return pd.Series(values, dtype=object)


def _check(description, n, batch_size, max_retries, timeout, seed, temperature, show_progress):
    def whole(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))

    if not isinstance(description, str) or not description.strip():
        raise ParameterError("description must be a non-empty string saying what the table holds")
    if not whole(n) or not 1 <= n <= MAX_ROWS:
        raise ParameterError(f"n must be a whole number of rows from 1 to {MAX_ROWS:,}, got {n!r}")
    if not whole(batch_size) or batch_size < 1:
        raise ParameterError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    if not whole(max_retries) or max_retries < 0:
        raise ParameterError(f"max_retries must be a whole number >= 0, got {max_retries!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ParameterError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    if seed is not None and (not whole(seed) or seed < 0):
        raise ParameterError(f"seed must be a whole number >= 0 or None, got {seed!r}")
    if temperature is not None and (
        isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature >= 0
    ):
        raise ParameterError(f"temperature must be a number >= 0 or None, got {temperature!r}")
    if show_progress is not None and not isinstance(show_progress, bool):
        raise ParameterError(f"show_progress must be True, False or None, got {show_progress!r}")


def generate_table(
    description,
    columns=None,
    metadata=None,
    n=10,
    model=None,
    base_url=None,
    api_key=None,
    seed=0,
    batch_size=20,
    max_retries=5,
    timeout=60,
    show_progress=None,
    temperature=None,
):
    """A table of exactly ``n`` rows from a description, by an OpenAI-compatible endpoint or a local model.

    Parameters
    ----------
    description : str
        What the table holds, e.g. ``"customer orders of an online shop"``.
    columns : dict, optional
        Each column name mapped to an sdtype (``"id"``, ``"numerical"``, ``"integer"``, ``"datetime"``,
        ``"categorical"``, ``"text"``, ``"boolean"``, a PII sdtype such as ``"email"``), to a list of allowed
        values, or to a dict of options (``sdtype`` or ``values``, ``nullable``, ``description``, ``min``,
        ``max``, ``decimal_places``, ``datetime_format``); see :func:`~simulacra.generative.schema.resolve_fields`.
    metadata : Metadata, optional
        A single-table metadata instead of ``columns`` (keys unique and never null, other columns nullable).
    n : int
        Rows of the table.
    model : str or TextGenerator or path
        A model name served at the endpoint; or a local model (a TextGenerator, or a folder) whose
        decoding is constrained so that every record is valid.
    base_url : str, optional
        The endpoint, e.g. ``"http://127.0.0.1:8000/v1"`` (default ``OPENAI_BASE_URL``, else OpenAI's).
    api_key : str, optional
        Default ``OPENAI_API_KEY``; never printed.
    seed : int or None
        Seeds the requests (the ``seed`` sent, the retry jitter) and a local model's sampling.
    batch_size : int
        Records asked for per request.
    max_retries : int
        Retries of a request that timed out or failed (connection errors, HTTP 5xx, 429 honouring
        ``Retry-After``), with exponential backoff.
    timeout : float
        Seconds one request may take.
    show_progress : bool, optional
        A progress bar on stderr; default when ``n > 100``.
    temperature : float, optional
        Sampling temperature (default: the server's; 1.0 for a local model).

    Returns
    -------
    pandas.DataFrame
        ``n`` rows, the columns in order: integers int64 (Int64 with nulls), numbers float64, booleans
        bool (boolean with nulls), dates datetime64[ns], text and ids object.

    Raises
    ------
    ParameterError
        A bad argument or column spec; an endpoint that fails after the retries (unreachable, HTTP
        errors, a wrong key: HTTP 401) or keeps answering without enough valid records. Nothing is
        returned half-way.
    """
    _check(description, n, batch_size, max_retries, timeout, seed, temperature, show_progress)
    fields = resolve_fields(columns, metadata)
    source = _source(description, fields, model, base_url, api_key, seed, max_retries, timeout, temperature)
    show = n > 100 if show_progress is None else show_progress
    rows = _collect(source, fields, int(n), int(batch_size), show, np.random.default_rng(seed))
    return pd.DataFrame({f.name: _column(f, [r[f.name] for r in rows]) for f in fields})
