"""Faker's number, choice, template (numerify/lexify/bothify) and text methods, column-wise (see faker_methods)."""

from __future__ import annotations

import string
from collections.abc import Mapping

import numpy as np
import pyarrow.compute as pc

from ..errors import ParameterError
from ._arrow import strings
from .faker_methods import Delegate, method
from .providers._util import join, take, where
from .providers.text import lorem_words, sentence_column


# ---------------------------------------------------------------- numbers, choices, templates
def _int_range(src, n, lo, hi, step):
    if step < 1 or lo > hi:
        raise ParameterError(f"need min <= max and step >= 1, got min={lo}, max={hi}, step={step}")
    return lo + step * src.rng.integers(0, (hi - lo) // step + 1, n)


@method()
def random_int(src, n, min=0, max=9999, step=1):  # noqa: A002 - Faker's names
    return _int_range(src, n, min, max, step)


@method()
def pyint(src, n, min_value=0, max_value=9999, step=1):
    return _int_range(src, n, min_value, max_value, step)


@method()
def random_digit(src, n):
    return src.rng.integers(0, 10, n)


@method()
def random_digit_not_null(src, n):
    return src.rng.integers(1, 10, n)


@method()
def random_number(src, n, digits=None, fix_len=False):
    rng = src.rng
    if digits is None:
        digits = int(rng.integers(1, 10))
    if digits < 0:
        raise ParameterError(f"digits must be non-negative, got {digits}")
    if digits > 18:
        raise Delegate
    if fix_len:
        if digits == 0:
            raise ParameterError("a fixed-length number needs at least 1 digit")
        return rng.integers(10 ** (digits - 1), 10**digits, n)
    return rng.integers(0, 10**digits, n)


@method()
def boolean(src, n, chance_of_getting_true=50):
    return src.rng.integers(0, 100, n) < chance_of_getting_true


@method()
def pybool(src, n, truth_probability=50):
    return boolean(src, n, truth_probability)


@method()
def pyfloat(src, n, left_digits=None, right_digits=None, positive=None, min_value=None, max_value=None):
    """Floats with at most ``left_digits`` digits before the point and ``right_digits`` after it."""
    for what, v in (("left_digits", left_digits), ("right_digits", right_digits)):
        if v is not None and v < 0:
            raise ParameterError(f"{what} must be non-negative, got {v}")
    if min_value is not None and max_value is not None and min_value > max_value:
        raise ParameterError(f"min_value {min_value} is larger than max_value {max_value}")
    rng = src.rng
    left = 10 ** (left_digits if left_digits is not None else rng.integers(1, 5, n))
    lo = np.where(positive, 0, -left) if min_value is None else np.full(n, float(min_value))
    hi = (left - 1e-12) if max_value is None else np.full(n, float(max_value))
    if positive:
        lo = np.maximum(lo, 0)
    right = right_digits if right_digits is not None else rng.integers(1, 8, n)
    v = lo + rng.random(n) * (hi - lo)
    scale = 10.0**right
    v = np.trunc(v * scale) / scale
    if positive:
        v = np.where(v <= 0, 1 / scale, v)
    return v.astype(float)


@method()
def pystr(src, n, min_chars=None, max_chars=20, prefix="", suffix=""):
    if max_chars < 0 or (min_chars is not None and min_chars > max_chars):
        raise ParameterError(f"need 0 <= min_chars <= max_chars, got {min_chars} and {max_chars}")
    rng = src.rng
    out = _letters(rng, n, max_chars, string.ascii_letters)
    if min_chars is not None:
        length = rng.integers(min_chars, max_chars + 1, n)
        out = np.array([s[:k] for s, k in zip(out.to_pylist(), length.tolist())], dtype=object)
        return prefix + out + suffix if (prefix or suffix) else out
    return join(prefix, out, suffix) if (prefix or suffix) else out


def _letters(rng, n, length, letters):
    codes = np.frombuffer(letters.encode("ascii"), dtype=np.uint8)
    if length == 0:
        return strings([""] * n)
    mat = codes[rng.integers(0, len(codes), (n, length))]
    return strings(mat.view(f"S{length}").ravel().astype(f"U{length}").tolist())


@method()
def random_letter(src, n):
    return _letters(src.rng, n, 1, string.ascii_letters)


@method()
def random_letters(src, n, length=16):
    chars = np.array(list(string.ascii_letters), dtype=object)[src.rng.integers(0, 52, (n, length))]
    return [list(row) for row in chars]


def _template(src, n, text, letters=None, digits=True, hexchars=None):
    """``text`` with placeholders filled, as Faker's numerify (#, %, $, !, @), lexify (?) and hexify (^) do."""
    rng = src.rng
    pieces, lit = [], []

    def flush():
        if lit:
            pieces.append("".join(lit))
            lit.clear()

    for ch in text:
        if digits and ch in "#%$!@":
            flush()
            lo = {"#": 0, "%": 1, "$": 2, "!": 0, "@": 1}[ch]
            d = take(list(string.digits), rng.integers(lo, 10, n))
            pieces.append(where(rng.random(n) < 0.5, d, "") if ch in "!@" else d)
        elif letters is not None and ch == "?":
            flush()
            pieces.append(take(list(letters), rng.integers(0, len(letters), n)))
        elif hexchars is not None and ch == "^":
            flush()
            pieces.append(take(list(hexchars), rng.integers(0, 16, n)))
        else:
            lit.append(ch)
    flush()
    if not any(not isinstance(p, str) for p in pieces):
        return strings(["".join(pieces)] * n)
    return join(*pieces)


@method()
def numerify(src, n, text="###"):
    return _template(src, n, text)


@method()
def lexify(src, n, text="????", letters=string.ascii_letters):
    if not letters:
        raise ParameterError("lexify needs at least one letter to choose from")
    return _template(src, n, text, letters=letters, digits=False)


@method()
def bothify(src, n, text="## ??", letters=string.ascii_letters):
    if not letters:
        raise ParameterError("bothify needs at least one letter to choose from")
    return _template(src, n, text, letters=letters)


@method()
def hexify(src, n, text="^^^^", upper=False):
    return _template(src, n, text, digits=False, hexchars="0123456789ABCDEF" if upper else "0123456789abcdef")


def _elements(elements):
    """(values as an object array, probabilities or None) of Faker's ``elements`` argument."""
    if isinstance(elements, Mapping):
        keys = list(elements)
        w = np.array([float(v) for v in elements.values()])
        if not keys or (w < 0).any() or w.sum() <= 0:
            raise ParameterError("elements must map values to non-negative weights with a positive sum")
        p = w / w.sum()
    else:
        keys, p = list(elements), None
        if not keys:
            raise ParameterError("elements must not be empty")
    arr = np.empty(len(keys), dtype=object)
    arr[:] = keys
    return arr, p


@method()
def random_element(src, n, elements=("a", "b", "c")):
    arr, p = _elements(elements)
    rng = src.rng
    return arr[rng.integers(0, len(arr), n) if p is None else rng.choice(len(arr), n, p=p)]


@method()
def random_elements(src, n, elements=("a", "b", "c"), length=None, unique=False, use_weighting=None):
    arr, p = _elements(elements)
    if use_weighting is False:
        p = None
    rng, m = src.rng, len(arr)
    if unique and length is not None and length > m:
        raise ParameterError(f"cannot pick {length} unique elements from {m}")
    lengths = rng.integers(1, m + 1, n) if length is None else np.full(n, length)
    width = int(lengths.max()) if n else 0
    if unique:
        if p is not None:
            raise Delegate
        idx = np.argsort(rng.random((n, m)), axis=1)[:, :width]
    elif p is None:
        idx = rng.integers(0, m, (n, width))
    else:
        idx = rng.choice(m, (n, width), p=p)
    picked = arr[idx]
    return [list(row[:k]) for row, k in zip(picked, lengths.tolist())]


@method()
def random_choices(src, n, elements=("a", "b", "c"), length=None):
    return random_elements(src, n, elements, length)


@method()
def random_sample(src, n, elements=("a", "b", "c"), length=None):
    return random_elements(src, n, elements, length, unique=True)


# ---------------------------------------------------------------- text
def _word_table(src, ext_word_list):
    return None if ext_word_list is None else strings([str(w) for w in ext_word_list])


@method()
def word(src, n, part_of_speech=None, ext_word_list=None):
    if part_of_speech is not None:
        raise Delegate
    if ext_word_list is None:
        return src.gen("text.word", n)
    return take(_word_table(src, ext_word_list), src.rng.integers(0, len(ext_word_list), n))


@method()
def words(src, n, nb=3, ext_word_list=None, part_of_speech=None, unique=False):
    if part_of_speech is not None:
        raise Delegate
    pool = ext_word_list if ext_word_list is not None else lorem_words(src.engine).to_pylist()
    return random_elements(src, n, list(pool), length=nb, unique=unique)


def _sentence_range(nb, variable):
    if not variable:
        return nb, nb
    return max(1, int(nb * 0.6)), max(1, int(nb * 1.4))


@method()
def sentence(src, n, nb_words=6, variable_nb_words=True, ext_word_list=None):
    if nb_words <= 0:
        return strings([""] * n)
    lo, hi = _sentence_range(nb_words, variable_nb_words)
    return sentence_column(src.engine, n, src.rng, lo, hi, _word_table(src, ext_word_list))


@method()
def sentences(src, n, nb=3, ext_word_list=None):
    cols = [sentence(src, n, ext_word_list=ext_word_list).to_pylist() for _ in range(nb)]
    return [list(row) for row in zip(*cols)] if nb > 0 else [[] for _ in range(n)]


@method()
def paragraph(src, n, nb_sentences=3, variable_nb_sentences=True, ext_word_list=None):
    if nb_sentences <= 0:
        return strings([""] * n)
    lo, hi = _sentence_range(nb_sentences, variable_nb_sentences)
    k = src.rng.integers(lo, hi + 1, n)
    out = sentence(src, n, ext_word_list=ext_word_list)
    for j in range(1, int(k.max()) if n else 0):
        out = where(k > j, join(out, " ", sentence(src, n, ext_word_list=ext_word_list)), out)
    return out


@method()
def paragraphs(src, n, nb=3, ext_word_list=None):
    cols = [paragraph(src, n, ext_word_list=ext_word_list).to_pylist() for _ in range(nb)]
    return [list(row) for row in zip(*cols)] if nb > 0 else [[] for _ in range(n)]


@method()
def text(src, n, max_nb_chars=200, ext_word_list=None):
    """Words (under 25 characters), sentences (under 100) or paragraphs joined while shorter than ``max_nb_chars``."""
    if max_nb_chars < 5:
        raise ParameterError("text() can only generate text of at least 5 characters")
    if max_nb_chars < 25:
        unit, sep = (lambda k: word(src, k, ext_word_list=ext_word_list)), " "
    elif max_nb_chars < 100:
        unit, sep = (lambda k: sentence(src, k, ext_word_list=ext_word_list)), " "
    else:
        unit, sep = (lambda k: paragraph(src, k, ext_word_list=ext_word_list)), "\n"
    out = unit(n)
    for _ in range(200):  # a first piece that is too long is drawn again, as Faker does
        long = pc.greater_equal(pc.utf8_length(out), max_nb_chars).to_numpy(zero_copy_only=False)
        if not long.any():
            break
        out = where(long, unit(n), out)
    else:
        raise ParameterError(f"cannot make text shorter than {max_nb_chars} characters from these words")
    alive = np.ones(n, dtype=bool)
    while alive.any():
        cand = join(out, sep, unit(n))
        fits = alive & pc.less(pc.utf8_length(cand), max_nb_chars).to_numpy(zero_copy_only=False)
        out = where(fits, cand, out)
        alive = fits
    if max_nb_chars < 25:
        out = join(pc.utf8_capitalize(pc.utf8_slice_codeunits(out, 0, 1)), pc.utf8_slice_codeunits(out, 1), ".")
    return out


@method()
def license_plate(src, n):
    import faker.providers.automotive as base

    cls = src.engine.providers["automotive"] if "automotive" in src.engine.providers else None
    if cls is None or cls.license_plate is not base.Provider.license_plate:
        raise Delegate  # the locale makes its plates in its own way
    fmts = list(cls.license_formats)
    pick = src.rng.integers(0, len(fmts), n)
    out = np.empty(n, dtype=object)
    for k, fmt in enumerate(fmts):
        rows = np.flatnonzero(pick == k)
        if rows.size:
            out[rows] = _template(src, rows.size, fmt, letters=string.ascii_uppercase).to_numpy(zero_copy_only=False)
    return out
