"""Text columns written by a language model, prompted from the other columns of each sampled row.

By default a ``text`` column is filled with fast fake sentences. ``set_text_generator(column,
generator, prompt=...)`` makes the sampler write it with a text generator instead (a
:class:`~simulacra.generative.TextGenerator`, or any object with the same two methods, treated
duck-typed so that this layer never imports the generative one):

- ``generate(prompts, max_new_tokens=, temperature=, top_p=, seed=, show_progress=)`` -> one str per prompt;
- ``to_spec()`` -> a JSON-able dict naming the model (``{"model": ..., ...}``).

Each batch's table is made first; then the prompts are formatted from the rows' values
(``"Review of {product}, rated {rating}/5:"``; ``str.format`` fields name columns, a missing value
is an empty string) and the new text is written where the fake text was (missing cells stay
missing). The generator's seed is derived from the batch's random state without advancing it:
the other columns are the same as without a generator, and the same seed gives the same text.

A model file keeps only the settings and the generator's spec, never the model: after ``load``,
sampling raises a ParameterError naming the model until ``set_text_generator(column, generator)``
attaches it again (the saved prompt and settings are kept when not given again).
"""

from __future__ import annotations

import hashlib
import json
import math
import string
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ModelFileError, ParameterError

DEFAULTS = {"max_new_tokens": 40, "temperature": 1.0, "top_p": 0.95}
#: keys of one saved entry
ENTRY_KEYS = ("column", "prompt", "max_new_tokens", "temperature", "top_p", "generator")
MAX_PROMPT = 10_000
MAX_SPEC_CHARS = 20_000
MAX_NEW_TOKENS = 100_000


@dataclass
class TextFill:
    """One text column's generator (``None`` after ``load`` until attached again), prompt and settings."""

    column: str
    prompt: str
    max_new_tokens: int
    temperature: float
    top_p: float
    spec: dict
    generator: object = None


def fills(synth) -> dict:
    """``{column: TextFill}`` of ``synth`` (an empty dict when none was set)."""
    return getattr(synth, "_text_fills", None) or {}


def _text_columns(synth) -> dict:
    return {c: m for c, m in synth.metadata.get_columns(synth._table_name()).items() if m.get("sdtype") == "text"}


def default_prompt(synth, column: str) -> str:
    """``"product: {product}, rating: {rating}\\nreview:"``: the other non-text columns, then the column."""
    cols = synth.metadata.get_columns(synth._table_name())
    others = [c for c, m in cols.items() if c != column and m.get("sdtype") != "text" and _plain(c)]
    head = ", ".join(f"{c}: {{{c}}}" for c in others)
    return f"{head}\n{column}:" if head else f"{column}:"


def _plain(name) -> bool:
    return isinstance(name, str) and not any(ch in name for ch in "{}[].:!")


def prompt_fields(prompt: str) -> list:
    """The ``str.format`` fields of ``prompt`` as ``(literal, field, conversion, spec)`` (ParameterError if malformed)."""
    try:
        return [(lit, f, conv, spec) for lit, f, spec, conv in string.Formatter().parse(prompt)]
    except ValueError as e:
        raise ParameterError(
            f"prompt {prompt[:80]!r} is not a valid format string ({e}); write '{{{{' for a brace"
        ) from None


def check_prompt(synth, column: str, prompt) -> str:
    """``prompt`` checked: a string whose fields each name another column of the table."""
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > MAX_PROMPT:
        raise ParameterError(
            f"prompt must be a non-empty string of at most {MAX_PROMPT:,} characters, got {prompt!r:.80}"
        )
    cols = synth.metadata.get_columns(synth._table_name())
    for _, field, _, spec in prompt_fields(prompt):
        if field is None:
            continue
        if field == column:
            raise ParameterError(
                f"the prompt for {column!r} names {{{column}}}: a column cannot be prompted with its own value; "
                "name the other columns it depends on"
            )
        if field not in cols:
            shown = ", ".join(map(repr, list(cols)[:12]))
            raise ParameterError(
                f"the prompt for {column!r} names {{{field}}}, which is not a column of the table "
                f"(the columns: {shown}); fields are column names, write '{{{{' for a literal brace"
            )
        if spec and "{" in spec:
            raise ParameterError(
                f"the prompt for {column!r} nests a field in a format spec ({spec!r}); use plain fields"
            )
    return prompt


def check_settings(max_new_tokens, temperature, top_p) -> tuple[int, float, float]:
    """The generation settings checked (ParameterError naming the bad one)."""
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, (int, np.integer)):
        raise ParameterError(f"max_new_tokens must be an integer of at least 1, got {max_new_tokens!r}")
    if not 1 <= max_new_tokens <= MAX_NEW_TOKENS:
        raise ParameterError(f"max_new_tokens must be between 1 and {MAX_NEW_TOKENS:,}, got {max_new_tokens}")
    for name, v, low, high in (("temperature", temperature, 0.0, None), ("top_p", top_p, 0.0, 1.0)):
        ok = not isinstance(v, bool) and isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(v)
        if not ok or v < low or (high is not None and v > high) or (name == "top_p" and v <= 0):
            where = "in (0, 1]" if name == "top_p" else "a finite number of at least 0"
            raise ParameterError(f"{name} must be {where}, got {v!r}")
    return int(max_new_tokens), float(temperature), float(top_p)


def check_spec(spec, where: str = "generator.to_spec()") -> dict:
    """A generator spec: a JSON-able dict with a ``"model"`` string, small."""
    if not isinstance(spec, dict) or not isinstance(spec.get("model"), str):
        raise ParameterError(f"{where} must be a dict with a 'model' string naming the model, got {spec!r:.120}")
    try:
        text = json.dumps(spec, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ParameterError(f"{where} must hold JSON values only ({e})") from None
    if len(text) > MAX_SPEC_CHARS:
        raise ParameterError(f"{where} is {len(text):,} characters of JSON, more than {MAX_SPEC_CHARS:,}")
    return json.loads(text)


def set_text_generator(synth, column, generator, prompt=None, max_new_tokens=None, temperature=None, top_p=None):
    """Fill text column ``column`` with ``generator`` (``None``: back to fake sentences); see the module."""
    texts = _text_columns(synth)
    if column not in texts:
        cols = synth.metadata.get_columns(synth._table_name())
        what = f"a {cols[column].get('sdtype')} column" if column in cols else "not a column of the table"
        raise ParameterError(
            f"set_text_generator fills text columns (sdtype 'text'); {column!r} is {what}"
            + (f". The text columns: {', '.join(map(repr, texts))}" if texts else "; the table has no text column")
        )
    current = dict(fills(synth))
    if generator is None:
        current.pop(column, None)
        synth._text_fills = current
        return
    if not callable(getattr(generator, "generate", None)) or not callable(getattr(generator, "to_spec", None)):
        raise ParameterError(
            "generator must be a simulacra.generative.TextGenerator (or an object with generate(prompts, ..., seed=) "
            f"and to_spec()), got {type(generator).__name__}"
        )
    spec = check_spec(generator.to_spec())
    saved = current.get(column)
    pick = {  # not given: the saved setting (a model loaded from a file), else the default
        "prompt": prompt if prompt is not None else (saved.prompt if saved else default_prompt(synth, column)),
        "max_new_tokens": max_new_tokens
        if max_new_tokens is not None
        else (saved.max_new_tokens if saved else DEFAULTS["max_new_tokens"]),
        "temperature": temperature
        if temperature is not None
        else (saved.temperature if saved else DEFAULTS["temperature"]),
        "top_p": top_p if top_p is not None else (saved.top_p if saved else DEFAULTS["top_p"]),
    }
    text_prompt = check_prompt(synth, column, pick["prompt"])
    n, t, p = check_settings(pick["max_new_tokens"], pick["temperature"], pick["top_p"])
    current[column] = TextFill(column, text_prompt, n, t, p, spec, generator)
    synth._text_fills = current


def check_attached(synth) -> None:
    """A ParameterError while a loaded model's text column misses the generator it was saved with."""
    for f in fills(synth).values():
        if f.generator is None:
            model = f.spec.get("model")
            raise ParameterError(
                f"column {f.column!r} was filled by a text generator from {model!r}, which a model file does not "
                f"hold; attach it again with set_text_generator({f.column!r}, TextGenerator({model!r})) before "
                f"sampling, or set_text_generator({f.column!r}, None) for fake sentences"
            )


def render(prompt: str, df: pd.DataFrame) -> np.ndarray:
    """The prompt of each row of ``df`` (object array of str), formatted column by column."""
    out = np.full(len(df), "", dtype=object)
    for literal, field, conv, spec in prompt_fields(prompt):
        if literal:
            out = out + literal
        if field is None:
            continue
        col = df[field]
        present = col.notna().to_numpy()
        if conv or spec:
            fn = {"r": repr, "a": ascii, "s": str, None: lambda v: v}[conv]
            vals = np.array([format(fn(v), spec) if ok else "" for v, ok in zip(col.tolist(), present)], dtype=object)
        else:
            vals = col.astype(object).where(present, "").astype(str).to_numpy(dtype=object)
        out = out + vals
    return out


def derived_seeds(rng: np.random.Generator, k: int) -> list[int]:
    """``k`` seeds from the generator's current state, without advancing it."""
    state = json.dumps(rng.bit_generator.state, sort_keys=True, default=str).encode()
    root = np.random.SeedSequence(int.from_bytes(hashlib.blake2b(state, digest_size=16).digest(), "little"))
    return [int(c.generate_state(1, dtype=np.uint64)[0]) for c in root.spawn(k)]


def fill(synth, df: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``df`` with each attached generator's column written by the model (the present cells only)."""
    active = [f for f in fills(synth).values() if f.generator is not None and f.column in df.columns]
    if not active or not len(df):
        return df
    df = df.copy()
    for f, seed in zip(active, derived_seeds(rng, len(active))):
        present = df[f.column].notna().to_numpy()
        if not present.any():
            continue
        prompts = render(f.prompt, df.loc[present]).tolist()
        texts = f.generator.generate(
            prompts,
            max_new_tokens=f.max_new_tokens,
            temperature=f.temperature,
            top_p=f.top_p,
            seed=seed,
            show_progress=False,
        )
        texts = list(texts)
        if len(texts) != len(prompts) or not all(isinstance(t, str) for t in texts):
            raise ParameterError(
                f"the text generator of {f.column!r} returned {len(texts)} values for {len(prompts)} prompts; "
                "generate(prompts) must return one string per prompt"
            )
        col = df[f.column].astype(object)
        col[present] = pd.Series(texts, dtype=object).str.strip().to_numpy()
        df[f.column] = col
    return df


# ---------------------------------------------------------------------- model files
def to_state(synth) -> dict:
    """``{"text_generators": [...]}`` for a model file (settings and specs only), or ``{}`` when none is set."""
    entries = [
        {
            "column": f.column,
            "prompt": f.prompt,
            "max_new_tokens": f.max_new_tokens,
            "temperature": f.temperature,
            "top_p": f.top_p,
            "generator": f.spec,
        }
        for f in fills(synth).values()
    ]
    return {"text_generators": entries} if entries else {}


def from_state(synth, entries) -> dict:
    """The saved text columns as ``{column: TextFill}`` without generators (ModelFileError for a bad entry)."""
    if entries is None:
        return {}
    texts = _text_columns(synth)
    if not isinstance(entries, list) or len(entries) > len(texts):
        raise ModelFileError("model file: text_generators must be a list of at most one entry per text column")
    out = {}
    for e in entries:
        if not isinstance(e, dict) or set(e) != set(ENTRY_KEYS):
            raise ModelFileError(f"model file: a text_generators entry holds exactly {', '.join(ENTRY_KEYS)}")
        column = e["column"]
        if column not in texts or column in out:
            raise ModelFileError(
                f"model file: text_generators names {str(column)[:60]!r}, not a text column (or twice)"
            )
        try:
            prompt = check_prompt(synth, column, e["prompt"])
            n, t, p = check_settings(e["max_new_tokens"], e["temperature"], e["top_p"])
            spec = check_spec(e["generator"], "the saved generator")
        except ParameterError as err:
            raise ModelFileError(f"model file: text_generators entry for {column!r}: {err}") from None
        out[column] = TextFill(column, prompt, n, t, p, spec, None)
    return out
