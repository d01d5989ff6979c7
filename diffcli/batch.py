"""`--points FILE`: eval, grad, jacobian and hessian at every row of a file, streamed.

Rows are read a block at a time (CSV through numpy's C reader, `.npy` memory-mapped), run
through one compiled `Batch` program, and written out before the next block is read, so memory
stays bounded however long the file. Columns follow SPEC: the value(s), then the gradient
(Jacobian, Hessian) entries in variable order, named as in `--format csv`.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import sys

import numpy as np

from . import api, autodiff
from .compiled import Batch, context, to_numpy
from .errors import EXIT_NONFINITE, DiffcliError
from .fileio import atomic_write
from .points import _NAME
from .render.output import columns
from .render.text import number

BLOCK = 65536  # rows read, evaluated and written at a time
THREADS = min(os.cpu_count() or 1, 4)  # a block's rows split over threads (ufuncs drop the GIL)


# ---------------------------------------------------------------- reading


class PointFile:
    """A points file: its variable names, per-point shapes and blocks of rows."""

    def __init__(self, path: str):
        self.path = path
        if not os.path.exists(path) or os.path.isdir(path):  # a pipe (/dev/stdin) is fine for CSV
            raise DiffcliError(f"--points {path}: no such file")
        self.kind = os.path.splitext(path)[1].lower()
        if self.kind == ".npy":
            self._open_npy()
        elif self.kind == ".npz":
            self._open_npz()
        else:
            self._open_csv()
        for name in self.names:
            if not _NAME.match(name):
                raise DiffcliError(f"--points {path}: column `{name}` is not a variable name "
                                   "(names start with a letter, such as x or w_2)")
        if len(set(self.names)) != len(self.names):
            raise DiffcliError(f"--points {path}: a column name is repeated")

    def _open_csv(self) -> None:
        try:
            self._fh = open(self.path, encoding="utf-8-sig", newline="")
            header = self._fh.readline()
        except (OSError, UnicodeDecodeError) as e:
            raise DiffcliError(f"--points {self.path}: cannot read it: {e}") from None
        self.names = [h.strip() for h in header.strip().split(",")]
        if not header.strip() or not all(self.names):
            raise DiffcliError(f"--points {self.path} line 1: the header must name the variables, such as x,y")
        self.shapes = {name: () for name in self.names}

    def _open_npy(self) -> None:
        try:
            data = np.load(self.path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as e:
            raise DiffcliError(f"--points {self.path}: not a readable .npy file: {e}") from None
        if data.dtype.names is None:
            raise DiffcliError(f"--points {self.path}: a .npy file needs named fields (a structured "
                               "array such as dtype [('x', 'f8'), ('y', 'f8')]); or use .npz or CSV")
        self.names = list(data.dtype.names)
        self.arrays = {name: data[name] for name in self.names}
        self._finish_arrays()

    def _open_npz(self) -> None:
        try:
            archive = np.load(self.path, allow_pickle=False)
            self.names = list(archive.files)
            self.arrays = {name: archive[name] for name in self.names}
        except (OSError, ValueError) as e:
            raise DiffcliError(f"--points {self.path}: not a readable .npz file: {e}") from None
        self._finish_arrays()

    def _finish_arrays(self) -> None:
        rows = {a.shape[0] if a.ndim else None for a in self.arrays.values()}
        if None in rows or len(rows) != 1:
            raise DiffcliError(f"--points {self.path}: every array needs the same number of rows "
                               f"(first axis); got {sorted(r for r in rows if r is not None)}")
        for name, a in self.arrays.items():
            if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
                raise DiffcliError(f"--points {self.path}: `{name}` is not numeric ({a.dtype})")
        self.shapes = {name: tuple(a.shape[1:]) for name, a in self.arrays.items()}

    def blocks(self):
        """Yield {name: array with a leading row axis}, BLOCK rows at a time."""
        if self.kind in (".npy", ".npz"):
            rows = next(iter(self.arrays.values())).shape[0]
            for start in range(0, rows, BLOCK):
                yield {name: np.asarray(a[start:start + BLOCK], dtype=np.float64) for name, a in self.arrays.items()}
            return
        line = 1
        with self._fh:
            while True:
                lines = list(itertools.islice(self._fh, BLOCK))
                if not lines:
                    return
                table = self._parse_csv(lines, line)
                line += len(lines)
                if len(table):
                    yield {name: table[:, k] for k, name in enumerate(self.names)}

    def _parse_csv(self, lines: list[str], before: int) -> np.ndarray:
        try:
            table = np.loadtxt(lines, delimiter=",", dtype=np.float64, ndmin=2)
        except ValueError:
            self._raise_bad_row(lines, before)
        if table.size and table.shape[1] != len(self.names):
            self._raise_bad_row(lines, before)
        return table.reshape(-1, len(self.names))

    def _raise_bad_row(self, lines: list[str], before: int):
        """Find the first bad row of a block (only on failure: the fast path is numpy's)."""
        for k, text in enumerate(lines):
            fields = text.strip().split(",")
            if not text.strip():
                continue
            where = f"--points {self.path} line {before + k + 1}"
            if len(fields) != len(self.names):
                raise DiffcliError(f"{where}: {len(fields)} values, but the header names {len(self.names)} "
                                   f"({','.join(self.names)})")
            for name, field in zip(self.names, fields):
                try:
                    float(field)
                except ValueError:
                    raise DiffcliError(f"{where}: `{field.strip()}` (column {name}) is not a number") from None
        raise DiffcliError(f"--points {self.path}: cannot read rows after line {before}")


# ---------------------------------------------------------------- what to compute


def outputs(command: str, problem: api.Problem, v: str | None):
    """(nodes, column labels): per point, the value(s) then derivative entries, flattened."""
    out = problem.output
    shapes = {name: node.shape for name, node in zip(problem.names(), problem.wrt)}
    template = api.Result({"value": np.zeros(out.shape)}, command=command)
    if command == "eval":
        return [out], [label for label, _ in columns(template)]
    if command == "grad":
        seed = api._seed(problem, v)
        nodes = [out] + autodiff.gradient(out, problem.wrt, seed)
        template.data["grad"] = {name: np.zeros(shape) for name, shape in shapes.items()}
    elif command == "jacobian":
        rows = autodiff.jacobian(out, problem.wrt)
        nodes = [out] + [e for row in rows for e in row]
        width = len(problem.labels())
        template.data.update(wrt=problem.names(), jacobian=np.zeros((len(rows), width)))
    else:
        if out.shape != ():
            raise DiffcliError(f"hessian needs a scalar output, but this one has shape {out.shape}")
        grads, rows = autodiff.hessian(out, problem.wrt)
        nodes = [out] + grads + [e for row in rows for e in row]
        width = len(problem.labels())
        template.data.update(grad={name: np.zeros(shape) for name, shape in shapes.items()},
                             wrt=problem.names(), hessian=np.zeros((width, width)))
    if any(s != () for s in shapes.values()):
        template.data["labels"] = problem.labels()
    return nodes, [label for label, _ in columns(template)]


# ---------------------------------------------------------------- writing


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


# ---------------------------------------------------------------- the command


def run(command: str, expr: str, points: str, at=None, wrt=None, const=None, of=None, v=None,
        dtype: str = "float64", fmt: str = "csv", out: str | None = None, strict: bool = False,
        device: str = "cpu") -> int:
    """Evaluate `command` at every row of `points`; results to stdout (CSV or JSON Lines) or `out`."""
    source = PointFile(points)
    problem = api.load(expr, at, wrt, const, of, dtype, points=source.shapes)
    problem.ev = context(device, dtype)
    nodes, labels = outputs(command, problem, v)
    batch = Batch(nodes, set(source.names), problem.ev)
    fixed = batch.fixed_values(problem.bindings)
    state = {"rows": 0, "nonfinite": 0}

    def stream_to(make_sink):
        sink = None  # made once the first block has been read: a bad first row prints nothing
        for block in source.blocks():
            rows = len(next(iter(block.values())))
            values = batch.evaluate(block, rows, THREADS, fixed)
            table = np.concatenate([to_numpy(v).reshape(rows, -1) for v in values], axis=1)
            bad = ~np.isfinite(table).all(axis=1)
            if bad.any():
                if strict:
                    raise DiffcliError(f"a result is not finite at row {state['rows'] + int(np.argmax(bad)) + 1} "
                                       f"of {points} (--strict)", exit_code=EXIT_NONFINITE)
                state["nonfinite"] += int(bad.sum())
            state["rows"] += rows
            sink = sink or make_sink()
            sink.write(table)
        return sink or make_sink()

    if out is None:
        sink_type = JsonLinesSink if fmt == "json" else CsvSink
        stream_to(lambda: sink_type(sys.stdout, labels))
    else:
        extension = os.path.splitext(out)[1].lower()
        if extension not in (".csv", ".npy"):
            raise DiffcliError(f"--out {out}: write a .csv or a .npy file")

        def write(tmp: str) -> None:
            with open(tmp, "wb" if extension == ".npy" else "w", encoding=None if extension == ".npy" else "utf-8") as fh:
                sink = stream_to(lambda: (NpySink if extension == ".npy" else CsvSink)(fh, labels))
                if extension == ".npy":
                    sink.close()

        atomic_write(out, write, inputs=(points,))
    if state["nonfinite"]:
        print(f"warning: a result is not finite in {state['nonfinite']} of {state['rows']} rows", file=sys.stderr)
    return 0
