"""Internet: e-mail (optionally from a person's name), user name, domain, URL, IP addresses, user agent."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ParameterError
from ..core import Provider, column
from ..engine import TOKEN  # the engine's {{token}} pattern, so both split formats alike
from ._util import HEX2, NUM_STR, TWO_DIGITS, _arrow, ascii_map, join, take, where

_HEX4 = None
#: share of the default e-mails at a free domain (Faker's two ``email_formats``: one in two)
FREE_SHARE = 0.5


def _hex4():
    global _HEX4
    if _HEX4 is None:
        _HEX4 = pa.array([f"{i:x}" for i in range(65536)])
    return _HEX4


class Internet(Provider):
    topic = "internet"

    @column(per_row=("name", "domain"))
    def email(self, n, rng, engine, name=None, domain=None, free: bool | None = None):
        """E-mail addresses; with ``name=`` (full names, one per row) the user part comes from each name.

        ``free=None`` (the default) mixes as Faker's ``email_formats`` do: half of the addresses at
        a free e-mail domain (``gmail.com``), half at a domain made from a last name
        (``smith.com``), so far fewer repeat; ``free=True`` keeps free domains only, ``False``
        last-name domains only.
        """
        if name is not None:
            names = _arrow(name)
            if len(names) != n:
                raise ParameterError(f"email(name=...) got {len(names)} names for {n} rows")
            user = _user_from_names(names, rng, engine)
        else:
            user = user_names(n, rng, engine)
        if domain is not None:
            dom = domain if isinstance(domain, str) else _arrow(list(map(str, domain)))
        else:
            dom = self._domains(n, rng, engine, free)
        return join(user, "@", dom)

    def _domains(self, n, rng, engine, free):
        e = engine.elements("free_email_domain") if free is None or free else None
        if e is None:
            return self.generate("domain", n, rng, engine)
        if free:
            return engine.draw(e, n, rng)
        mixed = rng.random(n) < FREE_SHARE
        return where(mixed, engine.draw(e, n, rng), self.generate("domain", n, rng, engine))

    @column()
    def username(self, n, rng, engine):
        return user_names(n, rng, engine)

    @column()
    def domain(self, n, rng, engine):
        from .person import romanized_names

        last = _arrow(engine.gen("last_name", n, rng))
        roman = romanized_names(engine)
        words = ascii_map(_romanize(last, roman)[0] if roman else last, engine)  # ja_JP: 鈴木 -> suzuki
        words = pc.if_else(pc.greater(pc.utf8_length(words), 0), words, "example")
        tld = engine.gen("tld", n, rng) if engine.elements("tld") is not None else "com"
        return join(words, ".", tld)

    @column()
    def url(self, n, rng, engine):
        scheme = where(rng.random(n) < 0.2, "http://", "https://")
        www = where(rng.random(n) < 0.6, "www.", "")
        return join(scheme, www, self.generate("domain", n, rng, engine), "/")

    @column()
    def ipv4(self, n, rng, engine, private: bool = False):
        o = rng.integers(0, 256, (n, 4))
        if private:
            o[:, 0] = 10
        else:
            o[:, 0] = rng.integers(1, 224, n)  # unicast, not 0.x
        return join(
            take(NUM_STR, o[:, 0]),
            ".",
            take(NUM_STR, o[:, 1]),
            ".",
            take(NUM_STR, o[:, 2]),
            ".",
            take(NUM_STR, o[:, 3]),
        )

    @column()
    def ipv6(self, n, rng, engine):
        return _colon_groups(_hex4(), rng.integers(0, 65536, (n, 8)))

    @column()
    def mac_address(self, n, rng, engine):
        return _colon_groups(HEX2, rng.integers(0, 256, (n, 6)))

    @column()
    def user_agent(self, n, rng, engine):
        return engine.pool("user_agent", n, rng)


def _colon_groups(table, idx: np.ndarray) -> pa.Array:
    """Rows of ``table[idx[:, j]]`` joined by colons."""
    parts = []
    for j in range(idx.shape[1]):
        if j:
            parts.append(":")
        parts.append(take(table, idx[:, j]))
    return join(*parts)


def _user_from_names(names: pa.Array, rng, engine) -> pa.Array:
    """first.last / firstlast / f.last / first_last, plus two digits for about a third of them."""
    n = len(names)
    first_raw = pc.fill_null(pc.struct_field(pc.extract_regex(names, r"^\s*(?P<w>\S+)"), [0]), "")
    last_raw = pc.fill_null(pc.struct_field(pc.extract_regex(names, r"(?P<w>\S+)\s*$"), [0]), "")
    unknown = None
    from .person import romanized_names

    roman = romanized_names(engine)
    if roman:  # ja_JP: 鈴木 -> Suzuki (the locale's romanization, not a Chinese reading of the kanji)
        first_raw, unknown_first = _romanize(first_raw, roman)
        last_raw, unknown_last = _romanize(last_raw, roman)
        unknown = unknown_first | unknown_last
    first = ascii_map(first_raw, engine)
    last = ascii_map(last_raw, engine)
    style = rng.integers(0, 4, n)
    initial = pc.utf8_slice_codeunits(first, 0, 1)
    user = where(
        style == 0,
        join(first, ".", last),
        where(style == 1, join(first, last), where(style == 2, join(initial, ".", last), join(first, "_", last))),
    )
    user = where(rng.random(n) < 0.35, join(user, take(TWO_DIGITS, rng.integers(0, 100, n))), user)
    user = pc.utf8_trim(user, "._")
    empty = pc.equal(pc.utf8_length(user), 0).to_numpy(zero_copy_only=False)
    if unknown is not None:
        empty = empty | unknown  # a name the locale cannot romanize: one of its own user names
    if empty.any():
        filler = user_names(n, rng, engine)
        user = where(empty, filler, user)
    return user


def _romanize(tokens: pa.Array, roman: dict):
    """``tokens`` through ``roman`` (per distinct value), and a mask of the non-ASCII tokens it lacks."""
    enc = pc.dictionary_encode(tokens)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    words = enc.dictionary.to_pylist()
    mapped = [roman.get(w, w) for w in words]
    unknown = np.array([w not in roman and not w.isascii() for w in words], dtype=bool)
    idx = enc.indices.to_numpy(zero_copy_only=False)
    return pc.take(pa.array(mapped, type=pa.string()), enc.indices), unknown[idx] if len(words) else np.zeros(0, bool)


_LITERAL = re.compile(r"[^a-z0-9_\-#%$!@?]")  # what Faker's slugify keeps of a format's text, and placeholders
_USER_NAME_FORMATS: dict = {}  # locale -> cleaned formats or None


def _user_name_formats(engine):
    """The locale's ``user_name_formats`` cleaned as Faker's ``user_name`` cleans its output, or None.

    None when the locale's ``user_name`` is not Faker's generic one (``el_GR`` latinizes in its own
    method): its values are then Faker's own, through the engine's pool.
    """
    if engine.locale in _USER_NAME_FORMATS:
        return _USER_NAME_FORMATS[engine.locale]
    found = None
    cls = engine.providers["internet"] if "internet" in engine.providers else None
    base = next((k for k in reversed(getattr(cls, "__mro__", ())) if k.__module__ == "faker.providers.internet"), None)
    if base is not None and all(
        getattr(cls, m, None) is getattr(base, m, None) for m in ("user_name", "_to_ascii", "bothify")
    ):
        f = engine.formats("user_name")
        if f is not None:  # "{{first_name}}.{{last_name}}" -> "{{first_name}}{{last_name}}": slugify drops the dot
            clean = [
                "".join(
                    "{{" + p + "}}" if i % 2 else _LITERAL.sub("", p.lower()) for i, p in enumerate(TOKEN.split(fmt))
                )
                for fmt in f[0]
            ]
            found = (clean, f[1])
    _USER_NAME_FORMATS[engine.locale] = found
    return found


def user_names(n: int, rng, engine) -> pa.Array:
    """``n`` user names shaped as Faker's ``user_name`` makes them, drawn column-wise.

    Faker picks one of the locale's ``user_name_formats`` (``{{first_name}}{{last_name}}``,
    ``{{first_name}}##``, ``?{{last_name}}``...), fills it, transliterates it to ASCII, lower-cases it
    and drops what is not a letter, digit, ``_`` or ``-``. The same is done here for all rows at
    once from the locale's name lists with numpy draws, so distinct values are as many as the
    lists allow (a pool of Faker's own values would repeat 2,000 of them).
    """
    fmts = _user_name_formats(engine)
    if fmts is None:
        return engine.gen("user_name", n, rng, ascii=True)
    user = engine.expand(fmts[0], fmts[1], n, rng, ascii=True)
    empty = pc.equal(pc.utf8_length(user), 0).to_numpy(zero_copy_only=False)
    if empty.any():  # a name that transliterates to nothing: Faker's own values for those rows
        user = where(empty, engine.gen("user_name", n, rng, ascii=True), user)
    return user
