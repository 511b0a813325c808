"""Text: words, sentences, paragraphs from the locale's lorem word list."""

from __future__ import annotations

import pyarrow.compute as pc

from ...errors import ParameterError
from ..core import Provider, column
from ._util import join, take, where


def _lorem(engine):
    """(words, word connector, sentence punctuation) of the locale, cached on the engine."""
    return engine.cached("lorem", lambda: _make_lorem(engine))


def _make_lorem(engine):
    from ..engine import Engine

    words = Engine.as_elements(engine.attr("word_list", topics=("lorem",)) or ())
    if words is None:
        words = Engine.as_elements(Engine("en_US").attr("word_list", topics=("lorem",)))
    connector = engine.attr("word_connector", topics=("lorem",))
    punct = engine.attr("sentence_punctuation", topics=("lorem",))
    return (words[0], " " if connector is None else connector, "." if punct is None else punct)


def lorem_words(engine):
    """The locale's lorem words (English where it has none), an Arrow string array kept on the engine."""
    return _lorem(engine)[0]


def sentence_column(engine, n, rng, low, high, words=None):
    """``n`` sentences of ``low``..``high`` words each (drawn per row) from the locale's lorem words
    (or ``words``), capitalized and ended with the locale's punctuation; an Arrow string array."""
    return _sentences(engine, n, rng, low, high, words)


def _sentences(engine, n, rng, low, high, words=None):
    lorem, conn, punct = _lorem(engine)
    words = lorem if words is None else words
    k = rng.integers(low, high + 1, n)
    kmax = int(k.max()) if n else 1
    out = take(words, rng.integers(0, len(words), n))
    if conn == " ":
        out = pc.utf8_capitalize(out)
    for j in range(1, kmax):
        nxt = take(words, rng.integers(0, len(words), n))
        out = where(k > j, join(out, conn, nxt), out)
    return join(out, punct)


class Text(Provider):
    topic = "text"

    @column()
    def word(self, n, rng, engine):
        words, _, _ = _lorem(engine)
        return take(words, rng.integers(0, len(words), n))

    @column()
    def words(self, n, rng, engine, quantity: int = 5):
        if quantity < 1:
            raise ParameterError(f"quantity must be at least 1, got {quantity}")
        words, conn, _ = _lorem(engine)
        out = take(words, rng.integers(0, len(words), n))
        for _ in range(1, quantity):
            out = join(out, conn, take(words, rng.integers(0, len(words), n)))
        return out

    @column()
    def sentence(self, n, rng, engine, nb_words: int = 8):
        if nb_words < 1:
            raise ParameterError(f"nb_words must be at least 1, got {nb_words}")
        lo = max(1, int(nb_words * 0.6))
        hi = max(lo, int(round(nb_words * 1.4)))
        return _sentences(engine, n, rng, lo, hi)

    @column()
    def paragraph(self, n, rng, engine, nb_sentences: int = 3):
        if nb_sentences < 1:
            raise ParameterError(f"nb_sentences must be at least 1, got {nb_sentences}")
        _, conn, _ = _lorem(engine)
        out = _sentences(engine, n, rng, 4, 12)
        for _ in range(nb_sentences - 1):
            out = join(out, conn, _sentences(engine, n, rng, 4, 12))
        return out

    @column()
    def quote(self, n, rng, engine):
        """A made-up quotation: a sentence in quotation marks."""
        return join("\u201c", _sentences(engine, n, rng, 5, 14), "\u201d")
