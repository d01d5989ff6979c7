"""`--points FILE`: eval, grad, jacobian and hessian at every row of a file, streamed.

Rows are read a block at a time (CSV through datafile's reader, `.npy` memory-mapped, Parquet
through parquet.py), turned into a table by one compiled request (`request.Columns`), and
written out before the next block is read, so memory stays bounded however long the file.
Only the columns the expression uses (or `--wrt`/`--const` name) are variables; `--keep`
carries other input columns through. Columns follow SPEC: kept columns, the value(s), then the
gradient (Jacobian, Hessian) entries in variable order, named as in `--format csv`; a JSON line
is the object one point prints, plus `row`. Nothing here prints: `progress(rows, fraction)` is
the caller's. The Dask engine (cluster.py) opens and compiles the same way (`opened`,
`compiled`) and hands its tables to `run`.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import zipfile

import numpy as np

from . import datafile, parquet
from .datafile import CsvTable
from .errors import EXIT_NONFINITE, DiffcliError
from .fileio import STDOUT, atomic_folder, is_stdout, is_stream, output, scratch
from .layout import META, columns, only, unflatten
from .parse import names_used
from .points import parse_names
from .problem import load, read_expression
from .render.output import to_json_value
from .render.text import number
from .request import Columns, Request

THREADS = min(os.cpu_count() or 1, 4)  # a block's rows split over threads (ufuncs drop the GIL)
NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")
OUTPUTS = (".csv", ".npy", ".npz", ".parquet")
ROW_NOTE = "a result is not finite in this row"


class PointFile:
    """A points file: the variables it binds (the columns in `wanted`, in file order), their
    per-point shapes, the `keep` columns, and blocks of rows."""

    def __init__(self, path: str, wanted, keep: list[str] = ()):
        self.path = path
        self.what = f"--points {path}"
        if path != "-" and not os.path.exists(path):  # a pipe (/dev/stdin) is fine; a folder is Parquet
            raise DiffcliError(f"--points {path}: no such file")
        kind = os.path.splitext(path)[1].lower()
        self.table = None
        if kind in (".npy", ".npz"):
            self.arrays = self._arrays(kind)
            header = list(self.arrays)
        else:
            reader = parquet.ParquetTable if path != "-" and parquet.is_parquet(path) else CsvTable
            self.table = reader(path, self.what)
            header = self.table.header
        try:
            self._columns(header, wanted, keep)
        except BaseException:  # a bad --keep or column name: the file is closed all the same
            self.__exit__()
            raise

    def _columns(self, header: list[str], wanted, keep: list[str]) -> None:
        path = self.path
        self.names = [name for name in header if name in wanted]
        for name in keep:
            if name not in header:
                raise DiffcliError(f"--keep {name}: {path} has no column `{name}` (columns: {', '.join(header)})")
        self.keep = list(keep)
        self.text = [name for name in self.keep if name not in self.names]  # carried as written
        for name in self.names:
            if not NAME.match(name):
                raise DiffcliError(f"--points {path}: column `{name}` is not a variable name "
                                   "(names start with a letter, such as x or w_2)")
        if self.table is None:
            for name in self.names + self.keep:
                self._numeric(name)
            for name in self.text:
                if self.arrays[name].ndim != 1:
                    raise DiffcliError(f"--keep {name}: keep columns of one number per row")
        self.shapes = {name: () for name in self.names} if self.table else \
            {name: tuple(self.arrays[name].shape[1:]) for name in self.names}

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
        return arrays

    def _numeric(self, name: str) -> None:
        a = self.arrays[name]
        if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
            raise DiffcliError(f"{self.what}: `{name}` is not numeric ({a.dtype})")

    def __enter__(self) -> "PointFile":
        return self

    def __exit__(self, *exc) -> None:
        if self.table is not None:
            self.table.close()

    @property
    def rows(self) -> int | None:
        return None if self.table is not None else len(next(iter(self.arrays.values())))

    def fraction(self, done: int) -> float | None:
        if self.table is not None:
            return self.table.fraction()
        return done / self.rows if self.rows else None

    def blocks(self):
        """Yield {name: array with a leading row axis}, BLOCK rows at a time: the variables as
        float64, the text columns as str arrays (CSV) or numbers (.npy, .npz)."""
        if self.table is not None:
            yield from self.table.blocks(self.names, text=tuple(self.text))
            return
        size = datafile.BLOCK
        for start in range(0, self.rows, size):
            yield {name: np.asarray(self.arrays[name][start:start + size], dtype=np.float64)
                   for name in self.names + self.text}


# ---------------------------------------------------------------- sinks


class CsvSink:
    """A header row, then one row per point: kept cells as written, then numbers."""

    def __init__(self, stream, labels: list[str], kept: list[str]):
        self.stream, self.kept = stream, kept
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(kept + labels)

    def write(self, table: np.ndarray, kept: list) -> None:
        numbers = [list(map(number, row)) for row in table.tolist()]
        if not self.kept:
            self.stream.write("".join(",".join(row) + "\n" for row in numbers))  # numbers need no quotes
            return
        cells = [cell_text(k) for k in kept]
        self.writer.writerows([*(c[i] for c in cells), *row] for i, row in enumerate(numbers))


def cell_text(values: np.ndarray) -> list[str]:
    return values.tolist() if values.dtype.kind == "U" else list(map(number, values.tolist()))


def json_cell(values: np.ndarray) -> list:
    return values.tolist() if values.dtype.kind == "U" else [v if math.isfinite(v) else None for v in values.tolist()]


class JsonLinesSink:
    """One object per row: `row` (from 0), the kept columns, then exactly the object one point
    prints with `--format json` (non-finite numbers null, with a `warnings` list)."""

    def __init__(self, stream, template: dict, kept: list[str]):
        self.stream, self.template, self.kept, self.row = stream, template, kept, 0

    def write(self, table: np.ndarray, kept: list) -> None:
        finite = np.isfinite(table).all(axis=1)
        cells = [json_cell(k) for k in kept]
        lines = []
        for i, row in enumerate(table):
            obj = {"row": self.row + i}
            obj.update((name, c[i]) for name, c in zip(self.kept, cells))
            for key, v in unflatten(self.template, row).items():
                obj[key] = v if key in META else plain_json(v, finite[i])
            if not finite[i]:
                obj["warnings"] = [ROW_NOTE]
            lines.append(json.dumps(obj) + "\n")
        self.row += len(table)
        self.stream.write("".join(lines))


def plain_json(v, finite: bool):
    if isinstance(v, dict):
        return {k: plain_json(x, finite) for k, x in v.items()}
    return v.tolist() if finite else to_json_value(v)


def numeric_kept(kept: list, names: list[str]) -> list[np.ndarray]:
    """Kept columns as numbers, for the binary formats (they hold no text)."""
    out = []
    for name, values in zip(names, kept):
        if values.dtype.kind == "U":
            try:
                values = values.astype(np.float64)
            except ValueError:
                raise DiffcliError(f"--keep {name}: the column holds text, which .npy and .npz files do not "
                                   "hold here: write --out FILE.csv, or keep numeric columns") from None
        out.append(values)
    return out


class NpySink:
    """A structured .npy, one float64 field per column (named by the CSV header), written as it
    streams: the header has a fixed length and gets its final row count when the file is closed.
    A pipe or a device cannot seek back to the header: the rows wait in an unnamed temporary
    file (`spool()`, nothing is left behind) and follow the header at the end."""

    def __init__(self, stream, labels: list[str], kept: list[str], spool):
        self.out, self.kept, self.rows = stream, kept, 0
        self.descr = [(name, "<f8") for name in kept + labels]
        longest = len(self._text(10 ** 19))
        self.version, width = (1, 2) if longest < 65000 else (2, 4)
        self.size = -(-(8 + width + longest + 1) // 64) * 64  # numpy aligns headers to 64 bytes
        self.stream = stream if stream.seekable() else spool()
        if self.stream is stream:
            stream.write(b"\0" * self.size)

    def _text(self, rows: int) -> str:
        return "{'descr': %r, 'fortran_order': False, 'shape': (%d,), }" % (self.descr, rows)

    def _header(self, rows: int) -> bytes:
        width = 2 if self.version == 1 else 4
        text = self._text(rows)
        text = text.ljust(self.size - 8 - width - 1) + "\n"
        return b"\x93NUMPY" + bytes([self.version, 0]) + len(text).to_bytes(width, "little") + text.encode("latin1")

    def write(self, table: np.ndarray, kept: list) -> None:
        parts = [k.reshape(-1, 1) for k in numeric_kept(kept, self.kept)] + [table]
        self.stream.write(np.ascontiguousarray(np.hstack(parts), dtype="<f8").tobytes())
        self.rows += len(table)

    def close(self) -> None:
        header = self._header(self.rows)
        if self.stream is self.out:
            self.out.seek(0)
            self.out.write(header)
            return
        spool = self.stream
        try:
            self.out.write(header)
            spool.seek(0)
            while chunk := spool.read(1 << 20):
                self.out.write(chunk)
        finally:
            spool.close()


class NpzSink:
    """A .npz with one float64 array per column (named by the CSV header). Each column streams
    to an unnamed temporary file (`spool()`); closing copies them into the archive (which zipfile
    writes with data descriptors where the output cannot seek: a pipe, a device)."""

    def __init__(self, stream, labels: list[str], kept: list[str], spool):
        self.stream, self.kept, self.names, self.rows = stream, kept, kept + labels, 0
        self.parts = [spool() for _ in self.names]

    def write(self, table: np.ndarray, kept: list) -> None:
        columns_ = [k for k in numeric_kept(kept, self.kept)] + list(table.T)
        for fh, column in zip(self.parts, columns_):
            fh.write(np.ascontiguousarray(column, dtype="<f8").tobytes())
        self.rows += len(table)

    def close(self) -> None:
        with zipfile.ZipFile(self.stream, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name, fh in zip(self.names, self.parts):
                with archive.open(name + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array_header_2_0(member, {"descr": "<f8", "fortran_order": False,
                                                                  "shape": (self.rows,)})
                    fh.seek(0)
                    while chunk := fh.read(1 << 22):
                        member.write(chunk)
                fh.close()


# ---------------------------------------------------------------- the run


def run(command: str, o: dict, req: Request, progress=None, tables=None) -> dict:
    """Evaluate the request at every row of `--points`; results to stdout (CSV or JSON Lines)
    or to `--out`. Returns the counts of rows and of rows with a non-finite result.
    `progress(rows, fraction or None)` is called after every block. `tables(program, source)`,
    when given, yields (table, kept columns, fraction done) in row order in place of this
    machine's evaluation (the Dask engine gathers its partitions so)."""
    source, read = opened(o)
    with source:  # closed however the run ends
        return _run(source, command, o, req, read, progress, tables)


def opened(o: dict) -> tuple[PointFile, tuple]:
    """The --points file opened for the columns the request uses (the expression's names,
    --wrt, --const) and --keep; and the expression as read."""
    points = o["points"]
    if points == "-" and o["expr"] == "-":
        raise DiffcliError("EXPR and --points cannot both come from standard input (-): put one in a file")
    read = read_expression(o["expr"])
    wanted = set(names_used(read[0])) | set(parse_names(o.get("wrt"), "--wrt")) | \
        set(parse_names(o.get("const"), "--const"))
    source = PointFile(points, wanted, parse_names(o.get("keep"), "--keep"))
    if not source.names:
        source.__exit__()
        raise DiffcliError(f"--points {points}: none of its columns is a name the expression uses")
    return source, read


def compiled(source: PointFile, command: str, o: dict, req: Request, read) -> tuple[Columns, dict, list, list]:
    """The request compiled once for the rows of `source` (the program every engine runs), the
    result's template and column labels after --only, and the program's columns they pick (or
    None for all)."""
    problem = load(o["expr"], o["at"], o.get("wrt"), o.get("const"), o["of"], o["dtype"], points=source.shapes,
                   device=o["device"], read=read)
    program = Columns(problem, Request(req.value, req.gradient, req.v, req.jacobian, req.hessian), source.names)
    template, labels = program.template, program.labels
    pick = None
    if o.get("only"):
        template = only(template, o["only"], command)
        wanted = [label for label, _ in columns(template)]
        pick = [labels.index(label) for label in wanted]
        labels = wanted
    for name in source.keep:
        if name in labels or name == "row":
            raise DiffcliError(f"--keep {name}: the output already has a column `{name}`: rename that column")
    return program, template, labels, pick


def _run(source: PointFile, command: str, o: dict, req: Request, read, progress, tables) -> dict:
    points, out, strict = o["points"], o["out"], o["strict"]
    program, template, labels, pick = compiled(source, command, o, req, read)
    state = {"rows": 0, "nonfinite": 0}

    def local():
        for block in source.blocks():
            kept = [block.pop(name) if name in source.text else block[name] for name in source.keep]
            table = program.table(block, THREADS)
            yield table, kept, source.fraction(state["rows"] + len(table))

    def stream_to(make_sink):
        sink = None  # made once the first block has been read: a bad first row prints nothing
        try:
            for table, kept, fraction in (tables(program, source) if tables else local()):
                if pick is not None:
                    table = table[:, pick]
                bad = ~np.isfinite(table).all(axis=1)
                if bad.any():
                    if strict:
                        raise DiffcliError(f"a result is not finite at row {state['rows'] + int(np.argmax(bad))} "
                                           f"(counted from 0) of {points} (--strict)", exit_code=EXIT_NONFINITE)
                    state["nonfinite"] += int(bad.sum())
                state["rows"] += len(table)
                sink = sink or make_sink()
                sink.write(table, kept)
                if progress is not None:
                    progress(state["rows"], fraction)
        except BaseException:
            getattr(sink, "abandon", lambda: None)()  # a Parquet writer let go before its file is removed
            raise
        return sink or make_sink()

    if out is None or is_stdout(out):  # `--out -` (or /dev/stdout): standard output, as without --out
        with output(STDOUT) as fh:
            if o["format"] == "json":
                stream_to(lambda: JsonLinesSink(fh, template, source.keep))
            else:
                stream_to(lambda: CsvSink(fh, labels, source.keep))
        return state
    if parquet.is_folder_target(out):  # a data set of one file (Dask writes one per partition)
        atomic_folder(out, lambda folder: stream_to(lambda: parquet.ParquetSink(
            os.path.join(folder, parquet.PART.format(0)), labels, source.keep)).close(), (points,))
        return state
    extension = os.path.splitext(out)[1].lower()
    if extension not in OUTPUTS and is_stream(out):
        extension = ".csv"  # a pipe or a device named without an extension (/dev/fd/3) gets CSV
    if extension not in OUTPUTS:
        raise DiffcliError(f"--out {out}: write a .csv, .npy, .npz or .parquet file, or a folder (`{out}/`: "
                           "a Parquet data set)")
    binary = extension != ".csv"
    with output(out, (points,), binary) as fh:
        if extension == ".csv":
            stream_to(lambda: CsvSink(fh, labels, source.keep))
        elif extension == ".parquet":
            stream_to(lambda: parquet.ParquetSink(fh, labels, source.keep)).close()
        elif extension == ".npy":
            stream_to(lambda: NpySink(fh, labels, source.keep, lambda: scratch(out))).close()
        else:
            stream_to(lambda: NpzSink(fh, labels, source.keep, lambda: scratch(out))).close()
    return state
