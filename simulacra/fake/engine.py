"""A vectorized template engine over Faker's locale data.

Faker builds one value per Python call from templates such as ``{{first_name}} {{last_name}}`` or
``###-###-####``. The engine builds whole columns: it picks a template per row (with Faker's
weights), draws every token for all rows at once from the locale's lists with numpy indices,
fills ``#``/``%``/``$``/``?`` placeholders with random numbers and letters, and joins the pieces
with Arrow string kernels (called through ``_compute``), which are several times faster than
numpy's fixed-width strings. Tokens without list or template data fall back to a pool of values
made by Faker itself and sampled with numpy. Columns are Arrow string arrays until they leave the
engine. Arrays are built by ``_arrow`` so that one value needs neither pandas nor pyarrow.compute.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from . import _compute as pc
from ._arrow import array, as_arg, scalar, strings
from .locales import TOPICS, check_locale, locale_providers

#: a format's {{token}} placeholders (providers split formats with it too)
TOKEN = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_DIGITS = np.array(list(string.digits))
_PLACEHOLDERS = {
    "#": np.array(list(string.digits)),
    "%": np.array(list("123456789")),
    "$": np.array(list("23456789")),
    "!": np.array(list(string.digits)),
    "@": np.array(list("123456789")),
    "?": np.array(list(string.ascii_uppercase)),
}
_POOL_SIZE = 2000

# tokens whose data lives under an attribute of another name, per topic
_TOPIC_FORMATS = {"name": ("person", "formats"), "phone_number": ("phone_number", "formats")}
_SKIP_ATTRS = {"formats"}


def to_ascii(values: np.ndarray, replacements=()) -> np.ndarray:
    """Lower-case ASCII slugs (for user names and e-mails), transliterated as Faker does."""
    from faker.decode import unidecode

    out = []
    for v in values.tolist():
        s = str(v)
        for search, replace in replacements:
            s = s.replace(search, replace)
        s = unidecode(unicodedata.normalize("NFKC", s)).lower()
        out.append(re.sub(r"[^a-z0-9]", "", s))
    return np.array(out, dtype=object)


_RUN = re.compile(r"#+|[%$!@?]")
_UPPER = strings(list(string.ascii_uppercase))
_LOWER = strings(list(string.ascii_lowercase))


def fill_literal(lit: str, n: int, rng: np.random.Generator, lower: bool = False):
    """``lit`` with numerify/bothify placeholders replaced, for ``n`` rows (``lit`` itself if none).

    A run of ``#`` becomes a zero-padded random number of that many digits; ``%``/``@`` a digit
    1-9, ``$`` a digit 2-9, ``!`` a digit, ``?`` a letter (lower-case with ``lower=True``).
    """
    if not any(c in _PLACEHOLDERS for c in lit):
        return lit
    pieces = []
    pos = 0
    for m in _RUN.finditer(lit):
        if m.start() > pos:
            pieces.append(lit[pos : m.start()])
        tok = m.group()
        if tok[0] == "#":
            k = len(tok)
            if k <= 18:
                vals = array(rng.integers(0, 10**k, n))
                pieces.append(pc.utf8_lpad(pc.cast(vals, pa.string()), k, "0"))
            else:
                for _ in range(k):
                    pieces.append(pc.cast(array(rng.integers(0, 10, n)), pa.string()))
        elif tok == "?":
            pieces.append(pc.take(_LOWER if lower else _UPPER, array(rng.integers(0, 26, n))))
        else:
            lo = {"%": 1, "@": 1, "$": 2, "!": 0}[tok]
            pieces.append(pc.cast(array(rng.integers(lo, 10, n)), pa.string()))
        pos = m.end()
    if pos < len(lit):
        pieces.append(lit[pos:])
    return join(pieces, n)


def join(pieces, n: int):
    """Concatenate Arrow string arrays and Python strings element-wise."""
    arrays = [p for p in pieces if not isinstance(p, str)]
    if not arrays:
        return "".join(pieces)
    if len(pieces) == 1:
        return pieces[0]
    return pc.binary_join_element_wise(*map(as_arg, pieces), scalar(""))


def as_arrow(values) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return array(np.asarray(values, dtype=object) if not isinstance(values, list) else values, type=pa.string())


class Engine:
    """Generates columns of one locale's tokens."""

    def __init__(self, locale: str):
        self.locale = check_locale(locale)
        self.providers = locale_providers(self.locale)
        self._elements: dict = {}
        self._derived: dict = {}
        self._formats: dict = {}
        self._depth: dict = {}
        self._plan: dict = {}
        self._faker = None

    # ------------------------------------------------------------------ data lookup
    def attr(self, name: str, topics=None):
        return self.attr_depth(name, topics)[0]

    def attr_depth(self, name: str, topics=None, want_callable: bool = False):
        """(value, depth in the provider's class hierarchy) of the first provider defining ``name``."""
        for topic in self.providers if not topics else [t for t in TOPICS if t in topics and t in self.providers]:
            cls = self.providers[topic]
            for depth, klass in enumerate(cls.__mro__):
                if name in klass.__dict__:
                    v = klass.__dict__[name]
                    if callable(v) == want_callable or (want_callable and isinstance(v, (staticmethod, classmethod))):
                        return v, depth
                    break
        return None, 99

    @staticmethod
    def _plurals(token: str) -> list[str]:
        parts = token.split("_")
        cands = []
        for i in range(len(parts)):
            p = parts[i]
            forms = [p + "s", p + "es"]
            if p.endswith("y"):
                forms.insert(0, p[:-1] + "ies")
            if p.endswith("x") or p.endswith("s"):
                forms.insert(0, p + "es")
            for f in forms:
                cands.append("_".join(parts[:i] + [f] + parts[i + 1 :]))
        return cands[::-1]

    def elements(self, token: str, ascii: bool = False):
        """(values array, probabilities or None) for a list-valued token, or None."""
        key = (token, ascii)
        if key in self._elements:
            return self._elements[key]
        found, depth = None, 99
        for cand in self._plurals(token):
            if cand in _SKIP_ATTRS:
                continue
            v, d = self.attr_depth(cand)
            if v is None:
                continue
            found = self.as_elements(v)
            if found is not None:
                depth = d
                break
        self._depth[("e", token)] = depth
        if found is not None and ascii:
            vals, probs = found
            vals = to_ascii(
                np.array(vals.to_pylist(), dtype=object), self.attr("replacements", topics=("internet",)) or ()
            )
            keep = np.array([len(v) > 0 for v in vals.tolist()], dtype=bool)
            if not keep.any():
                found = None
            else:
                vals = array(vals[keep].tolist(), type=pa.string())
                probs = None if probs is None else probs[keep] / probs[keep].sum()
                found = (vals, probs)
        if found is not None:  # (values, probabilities, cumulative probabilities)
            found = (found[0], found[1], None if found[1] is None else np.cumsum(found[1]))
        self._elements[key] = found
        return found

    def cached(self, key, make):
        """``make()``, computed once per ``key`` for this locale and kept (month names, lorem words...).

        Providers keep what they derive from the locale's data here instead of recomputing it on
        every call; ``key`` is any hashable value naming what is kept.
        """
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]

    @staticmethod
    def as_elements(v):
        """(Arrow string array, probabilities or None) from a Faker list or weighted dict."""
        if isinstance(v, Mapping):
            keys = [k for k in v if isinstance(k, str)]
            if not keys:
                return None
            try:
                w = np.array([float(v[k]) for k in keys])
            except (TypeError, ValueError):
                return None  # not weights (es_CL maps region codes to names): Faker's own method decides
            return array(keys, type=pa.string()), w / w.sum()
        if isinstance(v, (list, tuple)):
            vals = [x for x in v if isinstance(x, str)]
            if not vals or len(vals) != len(v):
                return None
            return array(vals, type=pa.string()), None
        return None

    def formats(self, token: str):
        """(formats, probabilities or None) for a template-valued token, or None."""
        if token in self._formats:
            return self._formats[token]
        found = None
        if token in _TOPIC_FORMATS:
            topic, attr = _TOPIC_FORMATS[token]
            v, d = self.attr_depth(attr, topics=(topic,))
        else:
            v, d = self.attr_depth(token + "_formats")
        self._depth[("f", token)] = d
        if v is not None:
            if isinstance(v, Mapping):
                fmts = [k for k in v]
                w = np.array([float(v[k]) for k in fmts])
                found = (fmts, w / w.sum())
            elif isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v):
                found = (list(v), None)
        self._formats[token] = found
        return found

    # ------------------------------------------------------------------ generation
    def draw(self, elements, n: int, rng: np.random.Generator) -> pa.Array:
        vals, probs = elements[0], elements[1]
        if probs is None:
            idx = rng.integers(0, len(vals), n)
        else:
            cum = elements[2] if len(elements) > 2 else np.cumsum(probs)
            idx = np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), len(vals) - 1)
        return pc.take(vals, array(idx))

    def gen(self, token: str, n: int, rng: np.random.Generator, ascii: bool = False) -> pa.Array:
        """``n`` values of ``token`` as an Arrow string array.

        The data defined closest to the locale wins: a locale's own list beats a template it
        inherits, and a method the locale defines beside its templates (custom logic) is run by
        Faker itself through the pool.
        """
        kind, data = self.plan(token, ascii)
        if kind == "formats":
            return self.expand(data[0], data[1], n, rng, ascii=ascii)
        if kind == "elements":
            return self.draw(data, n, rng)
        return self.pool(token, n, rng, ascii=ascii)

    def plan(self, token: str, ascii: bool = False) -> tuple:
        """How :meth:`gen` makes ``token``: ``("formats", (formats, probs))``, ``("elements", data)``
        from the locale's lists, or ``("pool", None)`` when Faker's own method makes the values."""
        plan = self._plan.get((token, ascii))
        if plan is None:
            f = self.formats(token)
            e = self.elements(token, ascii=ascii)
            fd = self._depth.get(("f", token), 99) if f is not None else 99
            ed = self._depth.get(("e", token), 99) if e is not None else 99
            _, md = self.attr_depth(token, want_callable=True)
            if f is not None and fd <= ed and fd < md:
                plan = ("formats", f)
            elif e is not None and ed <= md:
                plan = ("elements", e)
            elif f is not None and fd <= md and not (ed < 99 and e is None):
                plan = ("formats", f) if md > fd else ("pool", None)
            else:
                plan = ("pool", None)
            self._plan[(token, ascii)] = plan
        return plan

    def expand(self, formats, probs, n: int, rng: np.random.Generator, ascii: bool = False) -> pa.Array:
        if len(formats) == 1:
            choice = None
        elif probs is None:
            choice = rng.integers(0, len(formats), n)
        else:
            choice = np.minimum(np.searchsorted(np.cumsum(probs), rng.random(n), side="right"), len(formats) - 1)
        groups, order = [], []
        for k, fmt in enumerate(formats):
            if choice is None:
                idx = None
                m = n
            else:
                idx = np.flatnonzero(choice == k)
                m = idx.size
                if m == 0:
                    continue
            sub = rng.subset(idx, k) if idx is not None and hasattr(rng, "subset") else rng
            pieces = []
            for i, part in enumerate(TOKEN.split(fmt)):
                if i % 2 == 0:
                    if part:
                        pieces.append(fill_literal(part, m, sub, lower=ascii))
                else:
                    pieces.append(self.gen(part, m, sub, ascii=ascii))
            acc = join(pieces, m) if pieces else ""
            if isinstance(acc, str):
                acc = array([acc] * m, type=pa.string())
            groups.append(acc)
            if idx is not None:
                order.append(idx)
        if choice is None:
            return groups[0]
        return scatter(groups, order, n)

    def faker(self):
        if self._faker is None:
            from faker import Faker

            self._faker = Faker(self.locale)
        return self._faker

    def pool(self, method: str, n: int, rng: np.random.Generator, ascii: bool = False, **kwargs) -> np.ndarray:
        """Values made by Faker's own ``method`` (a pool of up to 2,000, sampled with numpy)."""
        f = self.faker()
        fn = getattr(f, method, None)
        if fn is None or not callable(fn):
            from ..errors import ParameterError

            raise ParameterError(f"locale {self.locale} has no data for {method!r}")
        f.seed_instance(int(rng.integers(0, 2**31)))
        # a hash-driven generator needs a pool that does not depend on n
        k = _POOL_SIZE if hasattr(rng, "subset") else min(n, _POOL_SIZE)
        vals = [str(fn(**kwargs)) for _ in range(k)]
        if ascii:
            vals = to_ascii(
                np.array(vals, dtype=object), self.attr("replacements", topics=("internet",)) or ()
            ).tolist()
        arr = array(vals, type=pa.string())
        if n <= k and not hasattr(rng, "subset"):
            return arr.slice(0, n)
        return pc.take(arr, array(rng.integers(0, k, n)))


def scatter(groups: list, order: list, n: int) -> pa.Array:
    """Put Arrow arrays made for row groups (``order[i]`` are the rows of ``groups[i]``) back in row order."""
    if not groups:  # no rows (n == 0): no group was made
        return pa.array([], type=pa.string())
    combined = pa.concat_arrays([pc.cast(g, pa.string()) for g in groups])
    positions = np.concatenate(order)
    inverse = np.empty(n, dtype=np.int64)
    inverse[positions] = np.arange(n)
    return pc.take(combined, array(inverse))
