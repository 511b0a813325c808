"""Bounded JSON and YAML parsing for files a user did not write: model files, metadata, schemas.

Python's parsers trust their input: 10,000 nested brackets raise ``RecursionError``, a
100,000-digit number a ``ValueError`` (or minutes of arithmetic), and a YAML "billion laughs"
document of a few hundred bytes expands to 10**9 values through its aliases. These loaders
check, before anything is built from the text:

- nesting depth (``max_depth``, default 100 levels);
- the length of every number literal (``max_number_length``, default 100 characters);
- for YAML, the number of values the document holds once its aliases are expanded
  (``max_values``, default 1,000,000 when aliases are used), and recursive aliases;
- duplicate keys in one mapping (JSON objects and YAML mappings; a YAML merge ``<<`` may still be
  overridden), which Python's parsers resolve silently by keeping the last;
- in JSON, ``NaN``/``Infinity`` literals and numbers out of the float range (not JSON; pass
  ``allow_nan=True`` to read them);

and raise the given :class:`~simulacra.errors.SimulacraError` subclass naming ``what`` (the file
or option) and what is wrong.
"""

from __future__ import annotations

import functools
import json

import numpy as np

from ..errors import SimulacraError

MAX_DEPTH = 100
MAX_NUMBER_LENGTH = 100
MAX_VALUES = 1_000_000


def json_depth(text) -> int:
    """Deepest bracket nesting of a JSON text (brackets inside strings do not count).

    Vectorized over the positions of quotes, backslashes and brackets only: a quote preceded by
    an odd run of backslashes is escaped; a bracket after an odd number of unescaped quotes is
    inside a string (UTF-8 continuation bytes never look like these ASCII characters).
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if b"[" not in data and b"{" not in data:
        return 0
    b = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(b == 0x22)
    if b"\\" in data and quotes.size:
        bs = np.flatnonzero(b == 0x5C)
        # runs of consecutive backslashes: their ends and lengths
        breaks = np.flatnonzero(np.diff(bs) != 1)
        run_end = np.append(bs[breaks], bs[-1])
        run_len = run_end - np.insert(bs[breaks + 1], 0, bs[0]) + 1
        k = np.searchsorted(run_end, quotes - 1)
        k_ok = k < len(run_end)
        ends_here = np.zeros(len(quotes), dtype=bool)
        ends_here[k_ok] = run_end[k[k_ok]] == quotes[k_ok] - 1
        escaped = np.zeros(len(quotes), dtype=bool)
        escaped[ends_here] = (run_len[k[ends_here]] & 1) == 1
        quotes = quotes[~escaped]
    opens = np.flatnonzero((b == 0x5B) | (b == 0x7B))
    closes = np.flatnonzero((b == 0x5D) | (b == 0x7D))
    opens = opens[(np.searchsorted(quotes, opens) & 1) == 0]
    closes = closes[(np.searchsorted(quotes, closes) & 1) == 0]
    pos = np.concatenate([opens, closes])
    step = np.concatenate([np.ones(len(opens), dtype=np.int64), -np.ones(len(closes), dtype=np.int64)])
    levels = np.cumsum(step[np.argsort(pos, kind="stable")])
    return int(levels.max(initial=0))


def load_json_text(
    text,
    what: str,
    error: type = SimulacraError,
    *,
    max_depth: int = MAX_DEPTH,
    max_number_length: int = MAX_NUMBER_LENGTH,
    unique_keys: bool = True,
    allow_nan: bool = False,
):
    """Parse JSON ``text`` (str or UTF-8 bytes) within the bounds above; errors are ``error(...)`` naming ``what``."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise error(f"{what} is not UTF-8 text ({e})") from None
    depth = json_depth(text)
    if depth > max_depth:
        raise error(f"{what} nests {depth} levels deep (at most {max_depth} are allowed)")

    def number(s):
        if len(s) > max_number_length:
            raise error(f"{what} holds a number of {len(s):,} characters (at most {max_number_length} are allowed)")
        return s

    def parse_int(s):
        return int(number(s))

    def parse_float(s):
        v = float(number(s))
        if not allow_nan and not np.isfinite(v):
            raise error(f"{what} holds a number out of the float range ({s[:20]}); write a finite number")
        return v

    def parse_constant(s):
        if not allow_nan:
            raise error(f"{what} holds {s}, which JSON does not allow; write a finite number or null")
        return float(s)

    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise error(f"{what} has a duplicate key {_short(k)}; give each key once")
            out[k] = v
        return out

    try:
        return json.loads(
            text,
            parse_int=parse_int,
            parse_float=parse_float,
            parse_constant=parse_constant,
            object_pairs_hook=pairs if unique_keys else None,
        )
    except json.JSONDecodeError as e:
        raise error(f"{what} is not valid JSON: {e}") from None
    except (RecursionError, MemoryError):
        raise error(f"{what} is too deeply nested or too large to read") from None


def load_yaml_text(
    text,
    what: str,
    error: type = SimulacraError,
    *,
    max_depth: int = MAX_DEPTH,
    max_number_length: int = MAX_NUMBER_LENGTH,
    max_values: int = MAX_VALUES,
):
    """Parse one YAML document safely (plain data only) within the bounds above."""
    try:
        import yaml
    except ImportError:
        raise error(f"reading {what} needs PyYAML: pip install pyyaml (or write it as JSON)") from None
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise error(f"{what} is not UTF-8 text ({e})") from None
    loader = _unique_key_loader()(text)  # the pure-Python loader: its recursion is bounded and catchable
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise error(f"{what} is nested too deeply (at most {max_depth} levels are allowed)") from None
        if node is None:
            return None
        _check_yaml_nodes(node, what, error, max_depth, max_number_length, max_values)
        try:
            return loader.construct_document(node)
        except RecursionError:
            raise error(f"{what} is nested too deeply (at most {max_depth} levels are allowed)") from None
    except _DuplicateKey as e:
        key, line = e.args
        raise error(f"{what} has a duplicate key {_short(key)} (line {line}); give each key once") from None
    except yaml.YAMLError as e:
        raise error(f"{what} is not valid YAML: {' '.join(str(e).split())[:300]}") from None
    except (ValueError, OverflowError) as e:  # e.g. an int the constructor refuses
        raise error(f"{what} holds a value that cannot be read: {e}") from None
    finally:
        loader.dispose()


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _DuplicateKey(Exception):
    """A YAML mapping gives one key twice: ``args`` = (key, line number)."""


def _short(value, limit: int = 60) -> str:
    r = repr(value)
    return r if len(r) <= limit else r[: limit - 3] + "..."


@functools.lru_cache(maxsize=1)
def _unique_key_loader():
    """PyYAML's SafeLoader refusing a key given twice in one mapping (PyYAML keeps the last)."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                seen = set()
                for key_node, _ in node.value:
                    if key_node.tag == _MERGE_TAG:
                        continue  # keys merged in with << may be overridden: that is what merging is for
                    key = self.construct_object(key_node, deep=True)
                    try:
                        dup = key in seen
                    except TypeError:  # an unhashable key: the constructor reports it
                        continue
                    if dup:
                        raise _DuplicateKey(key, key_node.start_mark.line + 1)
                    seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def _check_yaml_nodes(root, what, error, max_depth, max_number_length, max_values) -> None:
    """Depth, number lengths, recursion and alias expansion of a composed YAML node graph (iterative)."""
    import yaml

    size: dict[int, int] = {}  # id(node) -> values it holds once expanded
    on_path: set[int] = set()
    distinct = 0
    limit = max_values
    # (node, depth, children-visited flag)
    stack = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            else:
                children = [x for pair in node.value for x in pair]
            total = 1 + sum(size[id(c)] for c in children)
            size[key] = total
            if total > max(limit, distinct):
                raise error(
                    f"{what} expands to more than {limit:,} values through its aliases (an alias bomb?); "
                    "write the values out or use fewer aliases"
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise error(f"{what} has a recursive alias (an anchor used inside itself)")
        if depth > max_depth:
            raise error(f"{what} is nested {depth} levels deep (at most {max_depth} are allowed)")
        distinct += 1
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _NUMBER_TAGS and len(node.value) > max_number_length:
                raise error(
                    f"{what} holds a number of {len(node.value):,} characters (at most {max_number_length} are allowed)"
                )
            size[key] = 1
            continue
        on_path.add(key)
        stack.append((node, depth, True))
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = [x for pair in node.value for x in pair]
        for c in reversed(children):
            if id(c) in on_path:
                raise error(f"{what} has a recursive alias (an anchor used inside itself)")
            if id(c) not in size:
                stack.append((c, depth + 1, False))
