"""`--points FILE`: eval, grad, jacobian and hessian at every row of a file, streamed.

Rows are read a block at a time (CSV through datafile's reader, `.npy` memory-mapped, Parquet
through parquet.py), turned
into a table by one compiled request (`request.Columns`), and written out before the next block
is read, so memory stays bounded however long the file. Columns follow SPEC: the value(s), then
the gradient (Jacobian, Hessian) entries in variable order, named as in `--format csv`.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys

import numpy as np

from . import datafile, parquet
from .datafile import CsvTable
from .errors import EXIT_NONFINITE, DiffcliError
from .fileio import atomic_folder, atomic_write
from .problem import load
from .render.text import number
from .request import Columns, Request

THREADS = min(os.cpu_count() or 1, 4)  # a block's rows split over threads (ufuncs drop the GIL)
NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")


class PointFile:
    """A points file: its variable names, per-point shapes and blocks of rows."""

    def __init__(self, path: str):
        self.path = path
        self.what = f"--points {path}"
        if path != "-" and not os.path.exists(path):  # a pipe (/dev/stdin) is fine; a folder is Parquet
            raise DiffcliError(f"--points {path}: no such file")
        kind = os.path.splitext(path)[1].lower()
        self.table = None
        if kind in (".npy", ".npz"):
            self.arrays = self._arrays(kind)
            self.names = list(self.arrays)
        else:
            self.table = (parquet.ParquetTable if parquet.is_parquet(path) else CsvTable)(path, self.what)
            self.names = self.table.header
        for name in self.names:
            if not NAME.match(name):
                raise DiffcliError(f"--points {path}: column `{name}` is not a variable name "
                                   "(names start with a letter, such as x or w_2)")
        self.shapes = {name: () for name in self.names} if self.table else \
            {name: tuple(a.shape[1:]) for name, a in self.arrays.items()}

    def _arrays(self, kind: str) -> dict:
        try:
            if kind == ".npy":
                data = np.load(self.path, mmap_mode="r", allow_pickle=False)
                if data.dtype.names is None:
                    raise DiffcliError(f"{self.what}: a .npy file needs named fields (a structured array such as "
                                       "dtype [('x', 'f8'), ('y', 'f8')]); or use .npz or CSV")
                arrays = {name: data[name] for name in data.dtype.names}
            else:
                archive = np.load(self.path, allow_pickle=False)
                arrays = {name: archive[name] for name in archive.files}
        except (OSError, ValueError) as e:
            raise DiffcliError(f"{self.what}: not a readable {kind} file: {e}") from None
        rows = {a.shape[0] if a.ndim else None for a in arrays.values()}
        if None in rows or len(rows) != 1:
            raise DiffcliError(f"{self.what}: every array needs the same number of rows "
                               f"(first axis); got {sorted(r for r in rows if r is not None)}")
        for name, a in arrays.items():
            if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
                raise DiffcliError(f"{self.what}: `{name}` is not numeric ({a.dtype})")
        return arrays

    def __enter__(self) -> "PointFile":
        return self

    def __exit__(self, *exc) -> None:
        if self.table is not None:
            self.table.close()

    def blocks(self):
        """Yield {name: array with a leading row axis}, BLOCK rows at a time."""
        if self.table is not None:
            yield from self.table.blocks(self.names)
            return
        rows, size = next(iter(self.arrays.values())).shape[0], datafile.BLOCK
        for start in range(0, rows, size):
            yield {name: np.asarray(a[start:start + size], dtype=np.float64) for name, a in self.arrays.items()}


class CsvSink:
    def __init__(self, stream, labels: list[str]):
        self.stream = stream
        stream.write(",".join(labels) + "\n")

    def write(self, block: np.ndarray) -> None:
        self.stream.write("".join(",".join(map(number, row)) + "\n" for row in block.tolist()))


class JsonLinesSink:
    """One object per row, {column label: number}; non-finite numbers are null as in --format json."""

    def __init__(self, stream, labels: list[str]):
        self.stream, self.labels = stream, labels

    def write(self, block: np.ndarray) -> None:
        labels = self.labels
        self.stream.write("".join(
            json.dumps(dict(zip(labels, [v if math.isfinite(v) else None for v in row]))) + "\n"
            for row in block.tolist()))


class NpySink:
    """A float64 .npy of shape (rows, columns), written as it streams: the header has a fixed
    length and gets its final row count when the file is closed."""

    HEADER = 128

    def __init__(self, stream, labels: list[str]):
        self.stream, self.width, self.rows = stream, len(labels), 0
        stream.write(b"\0" * self.HEADER)

    def write(self, block: np.ndarray) -> None:
        self.stream.write(np.ascontiguousarray(block, dtype="<f8").tobytes())
        self.rows += len(block)

    def close(self) -> None:
        text = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % (self.rows, self.width)
        text = text.ljust(self.HEADER - 10 - 1) + "\n"
        self.stream.seek(0)
        self.stream.write(b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1"))


def run(command: str, o: dict, req: Request, tables=None) -> dict:
    """Evaluate the request at every row of `--points`; results to stdout (CSV or JSON Lines)
    or to `--out`. Returns the counts of rows and of rows with a non-finite result.
    `tables(program, source)`, when given, yields the tables in row order in place of this
    machine's evaluation (the Dask engine gathers its partitions so)."""
    with PointFile(o["points"]) as source:  # closed however the run ends
        return _run(source, command, o, req, tables)


def compiled(source: PointFile, o: dict, req: Request) -> Columns:
    """The request compiled once for the rows of `source`: the program every engine runs."""
    problem = load(o["expr"], o["at"], o.get("wrt"), o.get("const"), o["of"], o["dtype"], points=source.shapes,
                   device=o["device"])
    return Columns(problem, Request(req.value, req.gradient, req.v, req.jacobian, req.hessian), source.names)


def _run(source: PointFile, command: str, o: dict, req: Request, tables=None) -> dict:
    points, out, strict = o["points"], o["out"], o["strict"]
    program = compiled(source, o, req)
    labels = program.labels
    state = {"rows": 0, "nonfinite": 0}
    evaluated = tables(program, source) if tables else (program.table(block, THREADS) for block in source.blocks())

    def stream_to(make_sink):
        sink = None  # made once the first block has been read: a bad first row prints nothing
        for table in evaluated:
            bad = ~np.isfinite(table).all(axis=1)
            if bad.any():
                if strict:
                    raise DiffcliError(f"a result is not finite at row {state['rows'] + int(np.argmax(bad)) + 1} "
                                       f"of {points} (--strict)", exit_code=EXIT_NONFINITE)
                state["nonfinite"] += int(bad.sum())
            state["rows"] += len(table)
            sink = sink or make_sink()
            sink.write(table)
        return sink or make_sink()

    if out is None:
        sink_type = JsonLinesSink if o["format"] == "json" else CsvSink
        stream_to(lambda: sink_type(sys.stdout, labels))
    elif parquet.is_folder_target(out) or out.lower().endswith(".parquet"):
        def fill(path: str) -> None:  # a folder: a data set of one file (Dask writes one per partition)
            where = os.path.join(path, parquet.PART.format(0)) if os.path.isdir(path) else path
            stream_to(lambda: parquet.ParquetSink(where, labels)).close()

        (atomic_folder if parquet.is_folder_target(out) else atomic_write)(out, fill, inputs=(points,))
    else:
        extension = os.path.splitext(out)[1].lower()
        if extension not in (".csv", ".npy"):
            raise DiffcliError(f"--out {out}: write a .csv, .npy or .parquet file, or a folder (`{out}/`: "
                               "a Parquet data set)")

        def write(tmp: str) -> None:
            binary = extension == ".npy"
            with open(tmp, "wb" if binary else "w", encoding=None if binary else "utf-8") as fh:
                sink = stream_to(lambda: (NpySink if binary else CsvSink)(fh, labels))
                if binary:
                    sink.close()

        atomic_write(out, write, inputs=(points,))
    return state
