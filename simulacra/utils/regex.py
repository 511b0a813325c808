"""Infer the shape of identifier strings as a small regex, and generate unique strings from it.

Only a safe subset of regular expressions is supported — literals, escapes (``\\d``, ``\\w``,
``\\.``), character classes with ranges (``[A-Z0-9]``) and fixed quantifiers (``{n}``, or
``{m,n}`` which generates ``n`` characters) — because every generated string must come from a
finite space that can be enumerated without repetition.
"""

from __future__ import annotations

import math
import re
import string

import numpy as np

from ..errors import ParameterError

_DIGITS = string.digits
_UPPER = string.ascii_uppercase
_LOWER = string.ascii_lowercase
_WORD = _DIGITS + _UPPER + _LOWER + "_"

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UUID_REGEX = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_TOKEN_RE = re.compile(r"[0-9]+|[A-Z]+|[a-z]+|.", re.S)


def _class_for(chars: set[str]) -> str:
    if chars <= set(_DIGITS):
        return "[0-9]"
    if chars <= set("0123456789abcdef"):
        return "[0-9a-f]"
    if chars <= set(_UPPER):
        return "[A-Z]"
    if chars <= set(_LOWER):
        return "[a-z]"
    if chars <= set(_DIGITS + _UPPER):
        return "[A-Z0-9]"
    if chars <= set(_DIGITS + _LOWER):
        return "[a-z0-9]"
    if chars <= set(_DIGITS + _UPPER + _LOWER):
        return "[A-Za-z0-9]"
    return None


def infer_regex(values, max_values: int = 5000) -> str | None:
    """Return a regex (in the supported subset) that describes ``values``, or None.

    Strings that share one token structure (runs of digits, capitals, small letters and single
    other characters) give a regex where constant tokens stay literal and varying ones become
    classes with the observed length, e.g. ``AB-0001`` -> ``AB\\-[0-9]{4}``.
    """
    vals = [str(v) for v in values[:max_values]]
    if not vals:
        return None
    if all(_UUID_RE.match(v) for v in vals):
        return UUID_REGEX
    tokenized = [_TOKEN_RE.findall(v) for v in vals]

    def kind(tok: str) -> str:
        c = tok[0]
        if c.isdigit():
            return "d"
        if c in _UPPER:
            return "U"
        if c in _LOWER:
            return "l"
        return "o:" + tok

    sigs = {tuple((kind(t), len(t)) for t in toks) for toks in tokenized}
    if len(sigs) == 1:
        parts = []
        for pos in range(len(tokenized[0])):
            toks = {toks[pos] for toks in tokenized}
            if len(toks) == 1:
                parts.append(re.escape(next(iter(toks))))
            else:
                k = kind(next(iter(toks)))
                n = len(next(iter(toks)))
                cls = {"d": "[0-9]", "U": "[A-Z]", "l": "[a-z]"}[k]
                parts.append(cls + (f"{{{n}}}" if n > 1 else ""))
        return "".join(parts)
    # Fall back to per-position classes over the most common length.
    lengths = np.array([len(v) for v in vals])
    common = int(np.bincount(lengths).argmax())
    same = [v for v in vals if len(v) == common]
    parts = []
    for pos in range(common):
        chars = {v[pos] for v in same}
        if len(chars) == 1:
            parts.append(re.escape(next(iter(chars))))
            continue
        cls = _class_for(chars)
        if cls is None:
            return None
        parts.append(cls)
    # merge repeated classes: [0-9][0-9] -> [0-9]{2}
    merged: list[list] = []
    for p in parts:
        if merged and merged[-1][0] == p and p.startswith("["):
            merged[-1][1] += 1
        else:
            merged.append([p, 1])
    return "".join(p + (f"{{{k}}}" if k > 1 else "") for p, k in merged)


def _expand_class(body: str, pattern: str) -> str:
    chars: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            esc = body[i + 1]
            chars.extend({"d": _DIGITS, "w": _WORD}.get(esc, esc))
            i += 2
            continue
        if i + 2 < len(body) and body[i + 1] == "-":
            lo, hi = ord(c), ord(body[i + 2])
            if hi < lo:
                raise ParameterError(f"invalid range {c}-{body[i + 2]} in regex_format {pattern!r}")
            chars.extend(chr(x) for x in range(lo, hi + 1))
            i += 3
            continue
        chars.append(c)
        i += 1
    out = "".join(dict.fromkeys(chars))
    if not out:
        raise ParameterError(f"empty character class in regex_format {pattern!r}")
    return out


def parse_regex(pattern: str) -> list[str]:
    """Parse ``pattern`` into a list of per-position alphabets."""
    if not isinstance(pattern, str) or not pattern:
        raise ParameterError(f"regex_format must be a non-empty string, got {pattern!r}")
    atoms: list[str] = []
    i = 0
    p = pattern
    if p.startswith("^"):
        p = p[1:]
    if p.endswith("$") and not p.endswith("\\$"):
        p = p[:-1]
    while i < len(p):
        c = p[i]
        if c == "\\":
            if i + 1 >= len(p):
                raise ParameterError(f"regex_format {pattern!r} ends with a backslash")
            esc = p[i + 1]
            atoms.append({"d": _DIGITS, "w": _WORD}.get(esc, esc))
            i += 2
        elif c == "[":
            j = p.find("]", i + 1)
            if j < 0:
                raise ParameterError(f"unclosed '[' in regex_format {pattern!r}")
            atoms.append(_expand_class(p[i + 1 : j], pattern))
            i = j + 1
        elif c == "{":
            j = p.find("}", i)
            if j < 0 or not atoms:
                raise ParameterError(f"misplaced '{{' in regex_format {pattern!r}")
            body = p[i + 1 : j]
            try:
                nums = [int(x) for x in body.split(",")]
            except ValueError:
                raise ParameterError(f"bad quantifier {{{body}}} in regex_format {pattern!r}") from None
            n = nums[-1]
            if n < 1 or n > 256 or len(nums) > 2:
                raise ParameterError(f"bad quantifier {{{body}}} in regex_format {pattern!r}")
            atoms.extend([atoms[-1]] * (n - 1))
            i = j + 1
        elif c in "()|*+?.":
            raise ParameterError(
                f"regex_format {pattern!r} uses {c!r}, which is not supported; use literals, "
                "character classes like [A-Z0-9] and fixed counts like {4}"
            )
        else:
            atoms.append(c)
            i += 1
    if not atoms:
        raise ParameterError(f"regex_format {pattern!r} generates only empty strings")
    return atoms


def space_size(atoms: list[str]) -> int:
    return math.prod(len(a) for a in atoms)


def generate_unique(atoms: list[str], positions: np.ndarray, multiplier: int, offset: int) -> np.ndarray:
    """Strings number ``positions`` of an affine permutation of the regex space.

    ``(multiplier * position + offset) mod size`` with ``multiplier`` coprime to ``size`` is a
    bijection, so distinct positions give distinct strings, whichever batch they are made in.
    """
    size = space_size(atoms)
    n = len(positions)
    L = len(atoms)
    out = np.empty((n, L), dtype="<U1")
    if size < 2**62:
        if size < 2**31:  # the product fits in int64
            idx = (positions.astype(np.int64) * (multiplier % size) + offset % size) % size
        else:  # Python integers do not overflow
            idx = np.array([(int(p) * multiplier + offset) % size for p in positions], dtype=np.int64)
        for pos in range(L - 1, -1, -1):
            alphabet = np.array(list(atoms[pos]))
            base = len(atoms[pos])
            out[:, pos] = alphabet[idx % base]
            idx = idx // base
    else:  # astronomically large space: random draws, duplicates practically impossible
        rng = np.random.default_rng([multiplier % 2**63, offset % 2**63, int(positions[0]) if n else 0])
        for pos in range(L):
            alphabet = np.array(list(atoms[pos]))
            out[:, pos] = alphabet[rng.integers(0, len(alphabet), n)]
    return out.view(f"<U{L}").ravel()


def coprime_multiplier(size: int, rng: np.random.Generator) -> int:
    """A random multiplier coprime to ``size`` (for the affine permutation)."""
    if size <= 2:
        return 1
    for _ in range(1000):
        m = int(rng.integers(1, min(size, 2**62)))
        if math.gcd(m, size) == 1:
            return m
    return 1
