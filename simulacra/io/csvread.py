"""Checks that keep a delimited text file from being read wrongly without a word.

- the delimiter is detected from a sample (``,`` ``;`` tab ``|``) unless given;
- the header row is read as it is written: duplicate or empty column names are errors
  (pandas would rename them ``a.1`` and ``Unnamed: 5``);
- every row must have as many fields as the header: pandas would take extra leading fields as a
  hidden index and pad short rows with missing values. The field count is checked by Arrow's CSV
  parser (C++, quotes and embedded newlines handled), not by a Python loop over the rows.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from ..errors import FileFormatError, ParameterError

#: delimiters that are detected; any other one must be given (``sep=``, ``--sep`` on the CLI)
CANDIDATE_SEPS = (",", "\t", ";", "|")
_SEP_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
_SEP_ALIASES = {"\\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}
_SAMPLE_BYTES = 64 * 1024


def sep_name(sep: str) -> str:
    return _SEP_NAMES.get(sep, repr(sep))


def normalize_sep(sep) -> str:
    """A user-given delimiter as one character (``'\\t'``, ``'tab'``, ``'semicolon'`` are accepted)."""
    if not isinstance(sep, str):
        raise ParameterError(f"sep must be a one-character string such as ',' ';' or '\\t', got {sep!r}")
    sep = _SEP_ALIASES.get(sep.lower(), sep) if len(sep) > 1 else sep
    if len(sep) != 1 or sep in '"\r\n':
        raise ParameterError(f"sep must be a single character such as ',' ';' '|' or '\\t' (or 'tab'), got {sep!r}")
    return sep


def _open_text(path: Path):
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _sample(path: Path) -> tuple[str, bool]:
    """The first ~64 KB of text and whether the file goes on after it."""
    with _open_text(path) as f:
        text = f.read(_SAMPLE_BYTES)
        more = bool(f.read(1))
    return text, more


def _records(text: str, sep: str, truncated: bool) -> list[list[str]]:
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if r]
    if truncated and rows:
        rows = rows[:-1]  # the last record may be cut in the middle
    return rows


def detect_sep(path: Path) -> str:
    """The delimiter of a CSV file, chosen among ``, tab ; |`` from the first 64 KB.

    A candidate counts when it splits the header into two or more fields; the one whose rows most
    often have the header's number of fields wins (ties: the order above). A file with none of
    them in its header is one column. When a header splits on two candidates equally well, the
    choice is ambiguous and an error asks for ``sep=``. Irregular rows are reported afterwards
    by :func:`check_field_counts`, with the line.
    """
    text, more = _sample(path)
    scores = []
    for k, sep in enumerate(CANDIDATE_SEPS):
        try:
            rows = _records(text, sep, more)
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:] or rows
        share = sum(len(r) == width for r in body) / len(body)
        scores.append((share, -k, width, sep))
    if not scores:
        return ","
    scores.sort(reverse=True)
    best = scores[0]
    if len(scores) > 1 and scores[1][0] == best[0] == 1.0 and scores[1][2] == best[2]:
        raise FileFormatError(
            f"{str(path)!r}: cannot tell whether the fields are separated by {sep_name(best[3])} or "
            f"{sep_name(scores[1][3])}; pass sep= (--sep on the command line)"
        )
    return best[3]


def excel_sep_line(path: Path) -> str | None:
    """The delimiter named by an Excel ``sep=;`` first line (``"sep=;"`` quoted too), or None."""
    import re

    with _open_text(path) as f:
        first = f.readline(64)
    m = re.fullmatch(r'"?sep=([^\r\n"])"?\r?\n?', first)
    return m.group(1) if m else None


def read_header(path: Path, sep: str, skip: int = 0) -> list[str]:
    """The header row as written (no renaming); raise for duplicate or empty names.

    ``skip``: lines before the header that are not data (an Excel ``sep=`` line)."""
    with _open_text(path) as f:
        for _ in range(skip):
            f.readline()
        try:
            header = next(
                (row for row in csv.reader(f, delimiter=sep) if row), None
            )  # blank lines skipped, as pandas does
        except csv.Error as e:
            raise FileFormatError(f"{str(path)!r}: the header row cannot be read as CSV: {e}") from None
    if not header:
        return []
    empty = [i + 1 for i, h in enumerate(header) if not h.strip()]
    if empty and len(header) > 1:
        where = ", ".join(str(i) for i in empty[:5]) + (" ..." if len(empty) > 5 else "")
        raise FileFormatError(
            f"{str(path)!r}: column(s) {where} of {len(header)} have no name in the header row; "
            "give every column a name (or remove the empty columns, or a trailing delimiter); "
            "pandas would have called them 'Unnamed: N'"
        )
    seen, dups = set(), []
    for h in header:
        if h in seen and h not in dups:
            dups.append(h)
        seen.add(h)
    if dups:
        raise FileFormatError(
            f"{str(path)!r}: column name(s) {', '.join(repr(d) for d in dups[:5])} appear more than once in the "
            "header row; give every column its own name (pandas would have renamed the copies 'name.1')"
        )
    return header


def check_other_delimiter(path: Path, sep: str, header: list[str], skip: int = 0, excel: str | None = None) -> None:
    """Refuse a delimiter (given, or named by an Excel ``sep=`` line) that merges the columns.

    When another candidate delimiter (``, tab ; |``) that appears in the header splits the header
    and every row of the first 64 KB into the same number of fields, more than ``sep`` gives,
    the file is that delimiter's: read with ``sep`` it would be one column ``"a,b"`` whose values
    (``1,2``) read as decimal-comma numbers (1.2), so the data would be silently changed.
    ``skip``: lines before the header (an Excel ``sep=`` line).
    """
    others = [c for c in CANDIDATE_SEPS if c != sep and any(c in h for h in header)]
    if not others:
        return
    text, more = _sample(path)
    for _ in range(skip):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    for c in others:
        try:
            rows = _records(text, c, more)
        except csv.Error:
            continue
        if len(rows) < 2 or len(rows[0]) <= len(header) or any(len(r) != len(rows[0]) for r in rows[1:]):
            continue
        why = f"its first line 'sep={excel}' names the wrong delimiter (remove that line); " if excel == sep else ""
        raise FileFormatError(
            f"{str(path)!r}: read with {sep_name(sep)} as the delimiter, the header is {len(header)} column(s) "
            f"({header[0][:40]!r}), but {sep_name(c)} splits the header and every row into {len(rows[0])} fields; "
            f"{why}the file looks {c!r}-separated; pass --sep {c!r} (sep={c!r} from Python)"
        )


def check_field_counts(path: Path, sep: str, width: int, skip: int = 0) -> None:
    """Raise FileFormatError naming the first line whose number of fields differs from the header's.

    ``skip``: lines before the header that are not data (an Excel ``sep=`` line)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad = []

    def handler(row):
        bad.append((row.number, row.actual_columns, row.text))
        return "skip" if len(bad) < 3 else "error"

    names = [f"c{i}" for i in range(width)]
    try:
        pacsv.read_csv(
            str(path),
            read_options=pacsv.ReadOptions(
                use_threads=False, column_names=names, skip_rows=1 + skip, block_size=1 << 22
            ),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(include_columns=names[:1], column_types={names[0]: pa.binary()}),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        if not bad:
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise FileFormatError(f"{str(path)!r} could not be parsed as CSV: {msg}") from None
    if not bad:
        return
    record, fields, text = bad[0]
    line = _physical_line(path, sep, record) if record is not None else None
    where = f"line {line}" if line is not None else "a row"
    text = text if len(text) <= 60 else text[:57] + "..."
    raise FileFormatError(
        f"{str(path)!r}: {where} has {fields} field(s) but the header has {width} ({text!r}); "
        f"every row needs one value per column (fields separated by {sep_name(sep)}; "
        "quote values that contain the delimiter, or pass sep= / --sep if the delimiter is another one)"
    )


def _physical_line(path: Path, sep: str, record: int, limit: int = 5_000_000) -> int | None:
    """Line number (1-based, as an editor shows it) where the ``record``-th non-blank record ends.

    Runs only to build an error message; counts records with the csv module up to that one.
    """
    if record > limit:
        return None
    with _open_text(path) as f:
        reader = csv.reader(f, delimiter=sep)
        k = 0
        try:
            for row in reader:
                if row:
                    k += 1
                    if k == record:
                        return reader.line_num
        except csv.Error:
            return None
    return None
