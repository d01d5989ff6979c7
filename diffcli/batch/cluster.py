"""`--engine dask`: `--points` over the partitions of a Parquet data set on a Dask cluster.

The request is compiled once, here (`stream.opened` and `stream.compiled`: the same columns
read, the same `Columns` the local engine runs), and scattered once to every worker; a pickled
`Columns` is its plan's flat step list, the hoisted values and what `table` reads (no graph, no
parser). `dask.dataframe.read_parquet` reads only the columns used (and those --keep carries)
and splits the input into partitions; `map_partitions` runs `Columns.table` on each, one thread
per task, so the numbers are the local engine's, bit for bit where the operations are the same.

- `--out DIR/` (a folder): each partition writes its own `part.NNNNN.parquet` (kept columns,
  then the --only result columns) into a temporary folder beside the target
  (`fileio.atomic_folder`), renamed at the end: a failure or an interruption leaves no partial
  data set. The folder must be one every worker can write (one machine, or a shared file system).
- Anything else (CSV or JSON Lines on stdout or `-`, `--out` `.csv`, `.npy`, `.npz`,
  `.parquet`): the partitions' tables come back to this machine in order and go through
  `stream`'s writers (for output that fits through one machine).

Without `--scheduler` a `LocalCluster` sized to this machine (one single-threaded worker
process per core, on 127.0.0.1, no dashboard) starts and stops with the command. Progress is
`progress(rows, fraction of the partitions done)`. Nothing here is imported unless `--engine
dask` is asked for; Dask's own modules are imported inside `run`.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Any

import numpy as np

from diffcli.batch import dask_connection, stream  # its CONNECT_TIMEOUT read on use: one setting for probe and Client
from diffcli.batch.dask_connection import cause, gone, lost, mute_children, probe, quiet
from diffcli.batch.job import PointsJob
from diffcli.data import datafile, parquet
from diffcli.data.fileio import atomic_folder
from diffcli.data.fileio import cause as os_cause
from diffcli.errors import EXIT_NONFINITE, DiffcliError, OutputError

RETRIES = 3  # times a partition is run again after its worker died (or it failed) before the run fails


def modules():
    """(dask.dataframe, distributed, pandas), or the error that names the extra to install."""
    try:
        import dask.dataframe
        import distributed
        import pandas
        import pyarrow  # noqa: F401  (read_parquet needs it; say so now rather than on a worker)
    except ImportError as e:
        raise DiffcliError(f"--engine dask needs Dask, and `{e.name}` is not installed: {parquet.EXTRA}") from None
    return dask.dataframe, distributed, pandas


def run(command: str, job: PointsJob, req, progress=None) -> dict:
    """`--points` on a Dask cluster; `progress(rows, fraction of the partitions done)` as
    `stream.run` calls it. Returns the counts of rows and of rows with a non-finite result, as
    `stream.run` does."""
    points, out = job.points, job.out
    if job.engine != "dask":
        raise DiffcliError("--scheduler goes with --engine dask: add --engine dask, or drop --scheduler")
    if points is None:
        raise DiffcliError(
            "--engine dask evaluates the rows of --points on a cluster: give --points DATA.parquet "
            "(a file or a folder of them)"
        )
    if points == "-" or not parquet.is_parquet(points):
        raise DiffcliError(
            f"--engine dask reads Parquet (a .parquet file or a folder of them), not `{points}`: "
            "convert it, or drop --engine dask to stream it on this machine"
        )
    if job.device != "cpu":
        raise DiffcliError("--engine dask runs on the workers' CPUs: drop --device gpu")
    distributed = modules()[1]  # imported before quiet(): its import sets Dask's own logger levels
    try:
        with quiet(), Cluster(job.scheduler, distributed) as cluster:  # Dask's logs: its failures come back as errors
            if out is not None and parquet.is_folder_target(out):
                source, read = stream.opened(job)
                with source:
                    program, _, labels, pick = stream.compiled(
                        source, command, job, req, read
                    )  # before any cluster starts
                    counts: dict = {}
                    atomic_folder(
                        out,
                        lambda folder: counts.update(
                            written(cluster, program, source, (labels, pick, out), job, folder, progress)
                        ),
                        (points,),
                    )
                    return counts
            return stream.run(
                command, job, req, progress, tables=lambda program, source: gathered(cluster, program, source)
            )
    except DiffcliError:
        raise
    except Exception as e:  # noqa: BLE001  the scheduler lost while futures were asked for
        if not gone(e):
            raise
        raise lost(f"--points {points}", e) from None


class Cluster:
    """The client of a running scheduler (`--scheduler`), or of a LocalCluster made for the
    command; connected on first use (a bad expression starts nothing), closed on exit."""

    def __init__(self, address: str | None, distributed):
        self.address, self.distributed = address, distributed
        # distributed's Client and LocalCluster (dask is an optional install, imported on use)
        self.client: Any = None
        self.local: Any = None

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        for part in (self.client, self.local):
            if part is not None:
                with quiet():
                    part.close()

    def connect(self):
        if self.client is not None:
            return self.client
        distributed = self.distributed
        with quiet():
            if self.address is None:
                try:
                    with mute_children():
                        self.local = distributed.LocalCluster(
                            n_workers=os.cpu_count() or 1,
                            threads_per_worker=1,
                            processes=True,
                            host="127.0.0.1",
                            dashboard_address="127.0.0.1:0",
                            silence_logs=logging.CRITICAL,
                        )  # no port to clash
                except Exception as e:  # noqa: BLE001  whatever stops worker processes from starting
                    raise DiffcliError(
                        f"--engine dask: cannot start a local Dask cluster ({cause(e)}): start one "
                        "by hand (`dask scheduler`, `dask worker`) and give --scheduler"
                    ) from None
                self.client = distributed.Client(self.local, set_as_default=False)
                return self.client
            probe(self.address, distributed)  # fail fast, before a Client retries for its whole timeout
            try:
                self.client = distributed.Client(
                    self.address, timeout=dask_connection.CONNECT_TIMEOUT, set_as_default=False
                )
            except (OSError, TimeoutError, ValueError, TypeError) as e:
                if "Worker." in str(e) or "Nanny." in str(e):  # it answered a scheduler's call as one of those
                    kind = "Worker" if "Worker." in str(e) else "Nanny"
                    raise DiffcliError(
                        f"--scheduler {self.address}: that is a Dask {kind}, not a scheduler: give the scheduler's "
                        "address (`dask scheduler` prints it)"
                    ) from None
                raise DiffcliError(
                    f"--scheduler {self.address}: no Dask scheduler answered within "
                    f"{dask_connection.CONNECT_TIMEOUT:g} s ({cause(e)}): start one with `dask scheduler`, or check "
                    "the address (tcp://HOST:PORT)"
                ) from None
            try:
                self.client.wait_for_workers(1, timeout=dask_connection.CONNECT_TIMEOUT)
            except (OSError, TimeoutError):
                raise DiffcliError(
                    f"--scheduler {self.address}: the scheduler has no workers: start some with "
                    f"`dask worker {self.address}`"
                ) from None
        return self.client

    def partitions(
        self, program, source, mode: str, folder: str | None = None, layout=None, strict: bool = False
    ) -> list:
        """One future per partition of the input, in order, each running `partition` on the
        columns the request uses and those --keep carries."""
        dd, _, pandas = modules()
        names, text = source.names, source.text
        source.table.check(names)  # each column numeric, said here rather than by a worker
        client = self.connect()
        width = len(source.keep) + len(program.labels)
        meta = (
            pandas.DataFrame({c: pandas.Series(dtype="float64") for c in range(width)})
            if mode == "table"
            else pandas.DataFrame({c: pandas.Series(dtype="int64") for c in ("rows", "nonfinite")})
        )
        with client.as_current():  # Dask builds graphs with futures in them against the current client
            frame = dd.read_parquet(source.table.files, columns=names + text, index=False, dtype_backend="pyarrow")
            shipped = client.scatter(program, broadcast=True, hash=False)  # pickled once, one copy per worker
            done = frame.map_partitions(
                partition,
                shipped,
                (names, text, source.keep),
                mode,
                folder,
                layout,
                strict,
                source.what,
                meta=meta,
                enforce_metadata=False,
                align_dataframes=False,
            )
            return client.compute(done.to_delayed(), retries=RETRIES)  # a lost worker's partitions run again


def partition(
    frame, program, columns: tuple, mode: str, folder: str | None, layout, strict: bool, what: str, partition_info=None
):
    """On a worker: one partition's rows through the shipped program. `columns`: the variables,
    the other columns --keep carries, and the --keep order. mode "table": the kept columns then
    the program's table, columns numbered; mode "file": the kept columns and the columns
    `layout` (labels, pick) names, written block by block to folder/part.NNNNN.parquet (bounded
    memory beside the partition), the counts returned. A null or non-finite input names the
    partition (0-based, as the part files) and the row (1-based); so does a non-finite result
    under --strict."""
    import pandas
    import pyarrow

    names, text, keep = columns
    number = partition_info["number"] if partition_info else 0
    block = {}
    for name in names:
        column = frame[name]
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        found = parquet.first_bad(values, column.isna().to_numpy() if column.hasnans else None)
        if found:
            raise parquet.bad_value(f"{what}, partition {number}, row {found[0] + 1}", name, found[1])
        block[name] = values
    carried = {name: parquet.kept_values(pyarrow.chunked_array(pyarrow.array(frame[name]))) for name in text}
    kept = [carried[name] if name in carried else block[name] for name in keep]
    rows = len(frame)
    if mode == "table":
        table = program.table(block, 1) if rows else np.zeros((0, len(program.labels)))
        return pandas.DataFrame(dict(enumerate(kept + list(table.T))), columns=range(len(keep) + table.shape[1]))
    labels, pick, out = layout
    nonfinite, size, name = 0, datafile.BLOCK, parquet.PART.format(number)
    assert folder is not None  # mode "file" writes into the output folder
    sink = parquet.ParquetSink(os.path.join(folder, name), labels, keep)
    try:
        for start in range(0, rows, size):
            table = program.table({name: a[start : start + size] for name, a in block.items()}, 1)
            table = table if pick is None else table[:, pick]
            bad = ~np.isfinite(table).all(axis=1)
            if strict and bad.any():
                raise DiffcliError(
                    f"a result is not finite at partition {number}, row "
                    f"{start + int(np.argmax(bad)) + 1} of {what.removeprefix('--points ')} "
                    "(--strict)",
                    exit_code=EXIT_NONFINITE,
                )
            nonfinite += int(bad.sum())
            sink.write(table, [k[start : start + size] for k in kept])
        sink.close()
    except BaseException as e:
        sink.abandon()
        if isinstance(e, OSError):  # the folder full, gone, not writable from this worker
            raise OutputError(f"cannot write `{out}` ({name}, on a worker): {os_cause(e)}") from None
        raise
    return pandas.DataFrame({"rows": [rows], "nonfinite": [nonfinite]})


def gathered(cluster: Cluster, program, source):
    """The partitions' (table, kept columns, fraction done), in order, for stream's writers."""
    futures = cluster.partitions(program, source, "table")
    k_kept = len(source.keep)
    with settled(cluster, futures, source):
        for k in range(len(futures)):
            frame = result(futures, k, source)
            kept = [frame[i].to_numpy() for i in range(k_kept)]
            kept = [a if a.dtype.kind == "f" else a.astype(str) for a in kept]
            yield frame.iloc[:, k_kept:].to_numpy(dtype=np.float64), kept, (k + 1) / len(futures)


def written(cluster: Cluster, program, source, layout, job: PointsJob, folder: str, progress) -> dict:
    """Every partition written to `folder` by the workers; the summed counts."""
    futures = cluster.partitions(program, source, "file", os.path.abspath(folder), layout, job.strict)
    counts = {"rows": 0, "nonfinite": 0}
    position = {future.key: k for k, future in enumerate(futures)}
    with settled(cluster, futures, source), cluster.client.as_current():
        for done, future in enumerate(cluster.distributed.as_completed(futures), 1):
            numbers = result(futures, position[future.key], source)
            counts["rows"] += int(numbers["rows"].sum())
            counts["nonfinite"] += int(numbers["nonfinite"].sum())
            if progress is not None:
                progress(counts["rows"], done / len(futures))
    return counts


def result(futures: list, k: int, source):
    """Partition k's result, released from the cluster; a failure there as one DiffcliError."""
    try:
        value = futures[k].result()
    except DiffcliError:
        raise
    except Exception as e:  # noqa: BLE001  a worker lost, a file unreadable there, ...
        if gone(e):
            raise lost(source.what, e) from None
        raise DiffcliError(f"{source.what}: partition {k} failed on the cluster ({cause(e)})") from None
    futures[k] = None
    return value


@contextmanager
def settled(cluster: Cluster, futures: list, source):
    """On a failure, what is still queued is cancelled (running tasks end by themselves)."""
    try:
        yield
    except BaseException:
        with quiet():
            cluster.client.cancel([f for f in futures if f is not None])
        raise
