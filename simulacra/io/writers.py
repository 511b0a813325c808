"""Write tables and text atomically: a hidden temporary file in the same folder, moved into place
only when complete, removed on any failure (an exception, Ctrl-C, SIGTERM through the CLI).

Temporary files are named ``.<name>.<host>.<pid>.<random>.part``; a part left by a process of
this host that no longer runs (killed with SIGKILL, a crash, a power cut) is removed by the next
write of the same name into the same folder. Other files, other names' parts and other hosts'
parts (a folder shared over NFS) are never touched. A symbolic link is written through: its target is replaced and the link kept.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

import pandas as pd

from ..errors import FileFormatError


def _format_of(path, table):
    from .files import _format_of as format_of

    return format_of(Path(path), table)


def _write_formats() -> dict:
    from .files import WRITE_FORMATS

    return WRITE_FORMATS


def host_tag() -> str:
    """This machine's name as part names carry it: letters, digits and '-' only (at most 63)."""
    import socket

    try:
        name = socket.gethostname()
    except OSError:
        name = ""
    return re.sub(r"[^A-Za-z0-9-]", "-", name)[:63] or "localhost"


def part_pattern(name: str, suffix: str = "") -> re.Pattern:
    """The names of this host's parts for the final file ``name``; group 1 is the process id.

    ``suffix`` is a regular expression for what may follow ``.part`` (SQLite's journals).
    """
    return re.compile(re.escape(f".{name}.{host_tag()}.") + r"(\d+)\.[0-9a-f]{8}\.part" + suffix)


def _pid_alive(pid: int) -> bool:
    if pid <= 0 or os.name == "nt":  # never ours to judge (on Windows os.kill would end the process)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's live process, or cannot tell: keep the file
    return True


def remove_stale_parts(folder, name: str, suffix: str = "") -> list[Path]:
    """Remove the temporary ``.part`` files of ``name`` that dead processes left in ``folder``.

    A part is removed only when its name is ``.<name>.<host>.<pid>.<8 hex>.part`` (``suffix``
    may follow) with this host's name, the id of a process that no longer runs on this host, and
    the file belongs to the current user (a killed run's leftovers, e.g. after SIGKILL). Parts
    of other names and of other hosts, and any other file, are kept. Returns the removed paths.
    """
    removed = []
    uid = os.getuid() if hasattr(os, "getuid") else None
    pattern = part_pattern(name, suffix)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        m = pattern.fullmatch(e.name)
        if m is None or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        try:
            st = e.stat(follow_symlinks=False)
            if not e.is_file(follow_symlinks=False) or (uid is not None and st.st_uid != uid):
                continue
            os.unlink(e.path)
            removed.append(Path(e.path))
        except OSError:
            continue
    return removed


def temp_path(path) -> Path:
    """A new empty hidden file ``.<name>.<host>.<pid>.<random>.part`` in the folder of ``path``.

    Writers fill it and move it into place with ``os.replace`` when complete, or remove it on
    failure. Parts of the same name left by dead processes of this host are removed first. The file gets
    ordinary permissions (``0o666`` less the umask), like the final file would.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    remove_stale_parts(parent, path.name)
    return create_part(parent, path.name)


def create_part(folder: Path, name: str) -> Path:
    """Create (exclusively) and return the empty file ``folder/.<name>.<host>.<pid>.<random>.part``."""
    host = host_tag()
    for _ in range(100):
        tmp = folder / f".{name}.{host}.{os.getpid()}.{secrets.token_hex(4)}.part"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"cannot create a temporary file next to {str(folder / name)!r}")


def write_target(path) -> Path:
    """Where writing ``path`` really goes: a symbolic link is followed to its target.

    Writers replace the target and keep the link. Raises FileFormatError for a link loop.
    """
    path = Path(path)
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        return Path(os.path.realpath(path))  # a dangling link: write its target
    except OSError:
        raise FileFormatError(f"cannot write {str(path)!r}: it is a symbolic link loop") from None


@contextlib.contextmanager
def atomic_output(path, fsync: bool = True):
    """Write a file atomically: yield a new empty hidden temporary path next to ``path`` to fill.

    When the ``with`` block ends without an exception, the temporary file is flushed to disk (``fsync``)
    and moved over ``path`` with ``os.replace`` (readers see the old file or the new one, never a part).
    On any failure (an exception, ``KeyboardInterrupt``, a failed move) it is removed and an existing
    file at ``path`` is unchanged. A symbolic link at ``path`` is written through: its target is
    replaced and the link kept. The one way simulacra writes a file in place: text, tables, model
    files, reports and metadata JSON all go through it.

    Examples
    --------
    >>> with atomic_output("model.simulacra") as tmp:  # doctest: +SKIP
    ...     tmp.write_bytes(data)
    """
    target = write_target(path)
    tmp = temp_path(target)
    try:
        yield tmp
        if fsync:
            _fsync(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fsync(path: Path) -> None:
    """Flush a closed file's data to disk (nothing where the file system cannot: a FIFO, some network mounts)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text_atomically(path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_output`; nothing is left on failure."""
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return write_target(path)


def check_writable(path) -> Path:
    """Raise FileFormatError unless ``path`` can be written (folder exists, format known)."""
    path = Path(path)
    _format_of(path, _write_formats())
    target = write_target(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise FileFormatError(f"cannot write {str(path)!r}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise FileFormatError(f"cannot write {str(path)!r}: folder {str(parent)!r} is not writable")
    if target.is_dir():
        raise FileFormatError(f"cannot write {str(path)!r}: it is a folder")
    if target.exists() and not target.is_file():
        raise FileFormatError(f"cannot write {str(path)!r}: it exists and is not a regular file")
    return path


def _null_as_text(schema) -> list:
    """The fields of an Arrow schema, a column of type null (all missing) made text."""
    import pyarrow as pa

    return [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in schema]


def arrow_schema(schema):
    """An Arrow schema every chunk of a table is cast to: all-missing (null) columns made text."""
    import pyarrow as pa

    return pa.schema(_null_as_text(schema), metadata=schema.metadata)


def estimate_bytes_per_row(df: pd.DataFrame, path) -> float:
    """Bytes one more row of ``df``'s kind adds to a file like ``path`` (format by extension).

    Measured by writing the first half and the whole of ``df`` in memory and dividing the
    difference by the number of added rows, which cancels headers and file metadata.
    """
    import io

    fmt = _format_of(Path(path), _write_formats())
    gz = Path(path).suffix.lower() == ".gz"

    def size(part: pd.DataFrame) -> int:
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            buf = io.BytesIO()
            table = pa.Table.from_pandas(part, preserve_index=False)
            table = table.cast(pa.schema(_null_as_text(table.schema)))
            pq.write_table(table, buf)
            return buf.tell()
        if fmt == "jsonl":
            text = part.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
        else:
            text = part.to_csv(index=False, sep="\t" if fmt == "tsv" else ",")
        data = text.encode("utf-8")
        if gz:
            import zlib

            return len(zlib.compress(data, 6))
        return len(data)

    n = len(df)
    if n < 2:
        return float(size(df)) if n else 0.0
    half = n // 2
    return max(0.0, (size(df) - size(df.iloc[:half])) / (n - half))


class TableWriter:
    """Write a table chunk by chunk to CSV, TSV, Parquet or JSON lines, atomically.

    Use as a context manager: the file appears at ``path`` only when the block ends without an
    exception; otherwise the temporary file (``.<name>.<host>.<pid>.<random>.part``, in the same
    folder) is removed. When ``path`` is a symbolic link, its target is replaced and the link
    kept.
    """

    def __init__(self, path):
        self.path = check_writable(path)
        self.fmt = _format_of(self.path, _write_formats())
        self._target = write_target(self.path)
        self._tmp: Path | None = None
        self._out = None
        self._fh = None
        self._pq = None
        self._schema = None
        self.rows = 0

    def __enter__(self):
        self._out = atomic_output(self._target)
        self._tmp = self._out.__enter__()
        try:
            if self.fmt in ("csv", "tsv", "jsonl"):
                if self.path.suffix.lower() == ".gz":
                    import gzip

                    self._fh = gzip.open(self._tmp, "wt", encoding="utf-8", newline="")
                else:
                    self._fh = open(self._tmp, "w", encoding="utf-8", newline="")
        except BaseException as e:
            self._finish(type(e), e, e.__traceback__)
            raise
        return self

    def write(self, chunk: pd.DataFrame) -> None:
        if self.fmt in ("csv", "tsv"):
            chunk.to_csv(self._fh, index=False, header=self.rows == 0, sep="\t" if self.fmt == "tsv" else ",")
        elif self.fmt == "jsonl":
            text = chunk.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
            self._fh.write(text if text.endswith("\n") or not text else text + "\n")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            if self._pq is None:
                table = pa.Table.from_pandas(chunk, preserve_index=False)
                self._schema = arrow_schema(table.schema)
                table = table.cast(self._schema)
                self._pq = pq.ParquetWriter(str(self._tmp), self._schema)
            else:
                table = pa.Table.from_pandas(chunk, preserve_index=False, schema=self._schema)
            self._pq.write_table(table)
        self.rows += len(chunk)

    def _finish(self, exc_type, exc, tb) -> None:
        """Hand the outcome to :func:`atomic_output`: move the file into place, or remove it."""
        out, self._out, self._tmp = self._out, None, None
        if out is not None:
            out.__exit__(exc_type, exc, tb)

    def __exit__(self, exc_type, exc, tb):
        try:
            try:
                if self._fh is not None:
                    self._fh.close()
            finally:
                if self._pq is not None:
                    self._pq.close()
        except BaseException as e:
            # an error on close (disk full): nothing is left
            self._finish(type(e), e, e.__traceback__)
            raise
        self._finish(exc_type, exc, tb)
        return False


def write_table(df: pd.DataFrame, path) -> Path:
    """Write ``df`` to ``path`` (format by extension), atomically."""
    with TableWriter(path) as w:
        w.write(df)
    return Path(path)
