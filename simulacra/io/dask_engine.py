"""The Dask engine: a client for a run, and Parquet datasets written one file per partition.

simulacra does not schedule work itself: partitions are Dask tasks, run on this process's threads,
on a ``distributed.LocalCluster`` or on a real cluster given its scheduler address. A partition is
made from its index alone (the caller's ``make(i)``: a batch of a sampling plan, a chunk of a fake
schema), so the bytes of a run do not depend on how many workers made it.

A dataset is written into a staging folder next to the output (``.<name>.<host>.<pid>.<random>.part``),
each partition to a temporary name moved into place when complete; the staging folder becomes the
output in one rename when every partition is written. A failed or interrupted run removes the
staging folder: no partial dataset is ever left at the output path. The workers must see the output
folder (one machine, or a file system shared by the cluster).
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

from ..errors import ParameterError, SimulacraError
from .writers import host_tag

INSTALL = "pip install 'simulacra[dask]'"
#: target size of one partition in memory (the issue's "about 100 MB")
PARTITION_BYTES = 100_000_000
#: partitions are never smaller or larger than this many rows (whatever the row size)
MIN_PARTITION_ROWS = 1_000
MAX_PARTITION_ROWS = 10_000_000
#: the file name of partition i in a dataset folder
PART_NAME = "part-{:05d}.parquet"


def require_dask(who: str = "--engine dask"):
    """``(dask, dask.dataframe, distributed)``, or one ParameterError naming ``who`` and what to install."""
    try:
        import dask
        import dask.dataframe as dd
        import distributed
    except ImportError as e:
        missing = getattr(e, "name", None) or "dask"
        raise ParameterError(f"{who} needs the dask extra ({missing} is not installed): {INSTALL}") from None
    return dask, dd, distributed


def partition_rows_for(bytes_per_row: float, target_bytes: int = PARTITION_BYTES) -> int:
    """Rows per partition for about ``target_bytes`` of memory per partition."""
    rows = int(target_bytes // max(1.0, float(bytes_per_row)))
    return int(min(MAX_PARTITION_ROWS, max(MIN_PARTITION_ROWS, rows)))


#: a run of more partitions than this is refused (the scheduler holds one task per partition)
MAX_PARTITIONS = 200_000


def check_partition_count(n_partitions: int, partition_rows: int) -> None:
    """A ParameterError for a run of over :data:`MAX_PARTITIONS` partitions, saying what to raise."""
    if n_partitions > MAX_PARTITIONS:
        raise ParameterError(
            f"{n_partitions:,} partitions of {partition_rows:,} rows is over {MAX_PARTITIONS:,} (one task each on "
            "the scheduler); ask for fewer rows or raise --partition-rows (partition_rows=)"
        )


@contextmanager
def open_client(scheduler: str | None = None, workers: int | None = None, threads_per_worker: int = 1):
    """A ``distributed.Client`` for a run, closed (with its cluster) when the block ends.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``): the run's tasks go to its workers.
    workers : int, optional
        Start a ``LocalCluster`` of this many worker processes (``threads_per_worker`` threads each).
        With neither, a LocalCluster of one single-threaded worker per core.
    """
    _, _, distributed = require_dask()
    if scheduler is not None and workers is not None:
        raise ParameterError(
            "give either --scheduler ADDRESS (a running cluster) or --workers N (a local one), not both"
        )
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout="15s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise ParameterError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({type(e).__name__}: {e}); start it "
                "(dask scheduler) or check the address, or use --workers N for a local cluster"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    n = workers if workers is not None else max(1, os.cpu_count() or 1)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ParameterError(f"--workers must be a positive number of worker processes, got {workers!r}")
    cluster = distributed.LocalCluster(
        n_workers=n, threads_per_worker=threads_per_worker, processes=True, dashboard_address=":0"
    )
    try:
        client = distributed.Client(cluster, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _write_part(make, i: int, folder: str, schema=None) -> int:
    """Make partition ``i`` and write it to ``folder`` (temporary name first); its row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    final = os.path.join(folder, PART_NAME.format(i))
    tmp = os.path.join(folder, f".{PART_NAME.format(i)}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        df = make(i)
        table = pa.Table.from_pandas(df, preserve_index=False, schema=schema)
        pq.write_table(table, tmp)
        os.replace(tmp, final)
    except Exception as e:  # the partition's index in the one error the run gives
        raise _failed(e, i) from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return len(df)


def staging_folder(out: Path) -> Path:
    """A new empty staging folder beside ``out`` (hidden, named after it, this host and process)."""
    parent = out.parent if str(out.parent) else Path(".")
    tmp = parent / f".{out.name}.{host_tag()}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part"
    tmp.mkdir()
    return tmp


@contextmanager
def staged_dataset(out, overwrite: bool = False):
    """A staging folder that becomes ``out`` when the block ends without an error, else is removed.

    ``out`` must not exist, or (with ``overwrite``) be a folder, which is replaced only after the new
    dataset is complete. Several datasets (one per table) may be written under the staging folder.
    """
    out = Path(out)
    if out.exists() and not overwrite:
        raise ParameterError(f"{str(out)!r} exists; choose a new output folder, or pass --overwrite to replace it")
    if out.exists() and not out.is_dir():
        raise ParameterError(f"{str(out)!r} is a file; the dask engine writes a folder of Parquet files")
    tmp = staging_folder(out)
    try:
        yield tmp
        if out.exists():
            old = tmp.with_name(tmp.name[:-5] + ".old")
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def run_partitions(
    make, n_partitions: int, folder, client=None, show_progress: bool = False, label="partitions", schema=None
):
    """Write partitions ``0 .. n_partitions - 1`` of ``make`` into ``folder``; their row counts, in order.

    With ``client`` (a ``distributed.Client``) the partitions are tasks on its workers, else on this
    process's threads (the Dask threaded scheduler). ``make`` must be picklable (a module-level
    function or a small object). The first failing partition stops the run: the others are
    cancelled and one SimulacraError says which partition failed and why.
    """
    from ..utils.progress import progress

    dask, _, distributed = require_dask()
    folder = str(folder)
    rows = [0] * n_partitions
    with progress(n_partitions, show_progress) as bar:
        task = bar.add_task(label, total=n_partitions) if bar is not None else None
        if client is None:
            from dask.callbacks import Callback

            tasks = [dask.delayed(_write_part, pure=False)(make, i, folder, schema) for i in range(n_partitions)]

            class _Bar(Callback):
                def _posttask(self, key, result, dsk, state, id):
                    if bar is not None and isinstance(result, int):
                        bar.advance(task, 1)

            try:
                with _Bar():
                    rows = list(dask.compute(*tasks, scheduler="threads"))
            except Exception as e:
                raise _failed(e, None, folder) from None
            return rows
        token = uuid.uuid4().hex[:8]
        futures = client.map(
            _write_part,
            [make] * n_partitions,
            range(n_partitions),
            [folder] * n_partitions,
            [schema] * n_partitions,
            key=[f"simulacra-part-{token}-{i}" for i in range(n_partitions)],
            pure=False,
        )
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for future in distributed.as_completed(futures, loop=client.loop):
                i = index[future.key]
                if future.status == "error":
                    raise _failed(future.exception(), i, folder)
                rows[i] = future.result()
                if bar is not None:
                    bar.advance(task, 1)
        except BaseException:
            client.cancel(futures)
            raise
    return rows


def _failed(e: BaseException, i, folder=None) -> SimulacraError:
    """One error for a failed partition: simulacra's own kind kept, its message first."""
    where = f"partition {i}" if i is not None else "a partition"
    if isinstance(e, SimulacraError) and str(e).startswith("partition ") and "nothing was written" in str(e):
        return e  # made by _write_part already
    if isinstance(e, SimulacraError):
        return type(e)(f"{where} failed: {e}; nothing was written")
    return SimulacraError(f"{where} failed on a worker ({type(e).__name__}: {e}); nothing was written")
