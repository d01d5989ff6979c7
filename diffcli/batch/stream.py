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

import math
import os
import zipfile
import zlib
from typing import Sequence

import numpy as np

from diffcli.batch.job import PointsJob
from diffcli.compute.problem import load, read_expression
from diffcli.compute.request import Columns, Request
from diffcli.core.layout import columns, only
from diffcli.data import datafile, parquet
from diffcli.data.datafile import CsvTable
from diffcli.data.fileio import STDOUT, atomic_folder, is_stdout, is_stream, output, scratch
from diffcli.data.inputs import note_input
from diffcli.data.sinks import CsvSink, JsonLinesSink, NpySink, NpzSink
from diffcli.errors import EXIT_NONFINITE, DiffcliError
from diffcli.syntax.parse import names_used
from diffcli.syntax.points import NUMERIC, is_name, parse_names

THREADS = min(os.cpu_count() or 1, 4)  # a block's rows split over threads (ufuncs drop the GIL)
OUTPUTS = (".csv", ".npy", ".npz", ".parquet")


class PointFile:
    """A points file: the variables it binds (the columns in `wanted`, in file order), their
    per-point shapes, the `keep` columns, and blocks of rows."""

    def __init__(self, path: str, wanted, keep: Sequence[str] = ()):
        self.path = path
        self.what = f"--points {path}"
        if path != "-" and not os.path.exists(path):  # a pipe (/dev/stdin) is fine; a folder is Parquet
            raise DiffcliError(f"--points {path}: no such file")
        kind = os.path.splitext(path)[1].lower()
        self.table = None
        if kind in (".npy", ".npz"):
            note_input(path)
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

    def _columns(self, header: list[str], wanted, keep: Sequence[str]) -> None:
        path = self.path
        self.header = list(header)
        self.names = [name for name in header if name in wanted]
        for name in keep:
            if name not in header:
                raise DiffcliError(f"--keep {name}: {path} has no column `{name}` (columns: {', '.join(header)})")
        self.keep = list(keep)
        self.text = [name for name in self.keep if name not in self.names]  # carried as written
        for name in self.names:
            if not is_name(name):
                raise DiffcliError(
                    f"--points {path}: column `{name}` is not a variable name "
                    "(names start with a letter, such as x, w_2 or θ)"
                )
        if self.table is None:
            for name in self.names + self.keep:
                self._numeric(name)
            for name in self.text:
                if self.arrays[name].ndim != 1:
                    raise DiffcliError(f"--keep {name}: keep columns of one number per row")
        self.shapes = (
            {name: () for name in self.names}
            if self.table
            else {name: tuple(self.arrays[name].shape[1:]) for name in self.names}
        )

    def _arrays(self, kind: str) -> dict:
        what = self.what
        try:
            with open(self.path, "rb") as fh:
                magic = fh.read(6)
        except OSError as e:
            raise DiffcliError(f"{what}: cannot read it: {(e.strerror or str(e)).lower()}") from None
        if kind == ".npy" and magic != b"\x93NUMPY":
            empty = "the file is empty" if not magic else "no NumPy header"
            raise DiffcliError(f"{what}: not a .npy file ({empty}): save it with numpy.save")
        if kind == ".npz" and not magic.startswith(b"PK"):
            empty = "the file is empty" if not magic else "not a zip archive"
            raise DiffcliError(f"{what}: not a .npz file ({empty}): save it with numpy.savez")
        try:
            if kind == ".npy":
                data = np.load(self.path, mmap_mode="r", allow_pickle=False)
                if data.dtype.names is None:
                    raise DiffcliError(
                        f"{self.what}: a .npy file needs named fields (a structured array such as "
                        "dtype [('x', 'f8'), ('y', 'f8')]); or use .npz or CSV"
                    )
                arrays = {name: data[name] for name in data.dtype.names}
            else:
                archive = np.load(self.path, allow_pickle=False)
                arrays = {name: stored_member(self.path, archive, name) for name in archive.files}
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as e:  # cut short, damaged
            raise DiffcliError(f"{what}: not a readable {kind} file: {str(e).rstrip('.')}") from None
        rows = {a.shape[0] if a.ndim else None for a in arrays.values()}
        if None in rows or len(rows) != 1:
            raise DiffcliError(
                f"{self.what}: every array needs the same number of rows "
                f"(first axis); got {sorted(r for r in rows if r is not None)}"
            )
        return arrays

    def _numeric(self, name: str) -> None:
        """Real numbers only: complex (whose imaginary part a cast drops) and timedelta (an
        integer to numpy) are refused, as `--at x=@FILE` refuses them."""
        a = self.arrays[name]
        if a.dtype.kind not in NUMERIC:
            kind = {"c": "complex numbers", "m": "time spans (timedelta)", "M": "dates", "U": "text"}.get(
                a.dtype.kind, f"dtype {a.dtype}"
            )
            raise DiffcliError(f"{self.what}: `{name}` holds {kind}; a column used must hold real numbers")

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
        size, rows = datafile.BLOCK, len(next(iter(self.arrays.values())))
        for start in range(0, rows, size):
            yield {
                name: np.asarray(self.arrays[name][start : start + size], dtype=np.float64)
                for name in self.names + self.text
            }


# ---------------------------------------------------------------- .npz input


def stored_member(path: str, archive, name: str) -> np.ndarray:
    """An .npz member as a read-only memory map where it is stored uncompressed (np.savez's
    way), so its rows are read as the blocks reach them, without a copy of the whole column or
    a CRC pass; np.load's copy otherwise (compressed, object, Fortran order)."""
    info = archive.zip.getinfo(name + ".npy")
    if info.compress_type != zipfile.ZIP_STORED:
        return archive[name]
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if local[:4] != b"PK\x03\x04":
            return archive[name]
        start = (
            info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
        )
        fh.seek(start)
        try:
            read = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}.get(
                np.lib.format.read_magic(fh)
            )
            if read is None:
                return archive[name]
            shape, fortran, dtype = read(fh)
        except ValueError:
            return archive[name]
        offset = fh.tell()
    if fortran or dtype.hasobject or offset - start + dtype.itemsize * math.prod(shape) > info.file_size:
        return archive[name]
    _check_crc(path, info, start)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)


def _check_crc(path: str, info, start: int) -> None:
    """The member's CRC-32, checked in one streamed pass (about a second per GB): a damaged
    file is refused rather than read as wrong numbers."""
    crc, left = 0, info.file_size
    with open(path, "rb") as fh:
        fh.seek(start)
        while left > 0:
            chunk = fh.read(min(left, 1 << 22))
            if not chunk:
                raise ValueError(f"the member {info.filename} is cut short (a truncated file)")
            crc, left = zlib.crc32(chunk, crc), left - len(chunk)
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for {info.filename}: the file is damaged")


# ---------------------------------------------------------------- the run


def run(command: str, job: PointsJob, req: Request, progress=None, tables=None) -> dict:
    """Evaluate the request at every row of `--points`; results to stdout (CSV or JSON Lines)
    or to `--out`. Returns the counts of rows and of rows with a non-finite result.
    `progress(rows, fraction or None)` is called after every block. `tables(program, source)`,
    when given, yields (table, kept columns, fraction done) in row order in place of this
    machine's evaluation (the Dask engine gathers its partitions so)."""
    source, read = opened(job)
    with source:  # closed however the run ends
        return _run(source, command, job, req, read, progress, tables)


def opened(job: PointsJob) -> tuple[PointFile, tuple]:
    """The --points file opened for the columns the request uses (the expression's names,
    --wrt, --const) and --keep; and the expression as read."""
    points = job.points
    if points == "-" and job.expr == "-":
        raise DiffcliError("EXPR and --points cannot both come from standard input (-): put one in a file")
    read = read_expression(job.expr)
    wanted = set(names_used(read[0])) | set(parse_names(job.wrt, "--wrt")) | set(parse_names(job.const, "--const"))
    source = PointFile(points, wanted, parse_names(job.keep, "--keep"))
    if not source.names:
        source.__exit__()
        raise DiffcliError(
            f"--points {points}: none of its columns ({', '.join(source.header) or 'none'}) is a name the "
            f"expression uses ({', '.join(sorted(wanted)) or 'none'}): rename the columns in the header, or the names"
        )
    return source, read


def compiled(
    source: PointFile, command: str, job: PointsJob, req: Request, read
) -> tuple[Columns, dict, list[str], list[int] | None]:
    """The request compiled once for the rows of `source` (the program every engine runs), the
    result's template and column labels after --only, and the program's columns they pick (or
    None for all)."""
    problem = load(
        job.expr, job.at, job.wrt, job.const, job.of, job.dtype, points=source.shapes, device=job.device, read=read
    )
    program = Columns(problem, Request(req.value, req.gradient, req.v, req.jacobian, req.hessian), source.names)
    template, labels = program.template, program.labels
    pick = None
    if job.only:
        template = only(template, job.only, command)
        wanted = [label for label, _ in columns(template)]
        pick = [labels.index(label) for label in wanted]
        labels = wanted
    for name in source.keep:
        if name in labels or name == "row":
            raise DiffcliError(f"--keep {name}: the output already has a column `{name}`: rename that column")
    return program, template, labels, pick


def _run(source: PointFile, command: str, job: PointsJob, req: Request, read, progress, tables) -> dict:
    points, out, strict = job.points, job.out, job.strict
    program, template, labels, pick = compiled(source, command, job, req, read)
    state = {"rows": 0, "nonfinite": 0}

    def local():
        for block in source.blocks():
            kept = [block.pop(name) if name in source.text else block[name] for name in source.keep]
            table = program.table(block, THREADS)
            yield table, kept, source.fraction(state["rows"] + len(table))

    def stream_to(make_sink):
        sink = None  # made once the first block has been read: a bad first row prints nothing
        try:
            for table, kept, fraction in tables(program, source) if tables else local():
                if pick is not None:
                    table = table[:, pick]
                if not np.isfinite(table).all():  # the usual case in one fast pass; rows only then
                    bad = ~np.isfinite(table).all(axis=1)
                    if strict:
                        raise DiffcliError(
                            f"a result is not finite at row {state['rows'] + int(np.argmax(bad))} "
                            f"(counted from 0) of {points} (--strict)",
                            exit_code=EXIT_NONFINITE,
                        )
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
            if job.format == "json":
                stream_to(lambda: JsonLinesSink(fh, template, source.keep))
            else:
                stream_to(lambda: CsvSink(fh, labels, source.keep))
        return state
    if parquet.is_folder_target(out):  # a data set of one file (Dask writes one per partition)
        atomic_folder(
            out,
            lambda folder: stream_to(
                lambda: parquet.ParquetSink(os.path.join(folder, parquet.PART.format(0)), labels, source.keep)
            ).close(),
            (points,),
        )
        return state
    extension = os.path.splitext(out)[1].lower()
    if extension not in OUTPUTS and is_stream(out):
        extension = ".csv"  # a pipe or a device named without an extension (/dev/fd/3) gets CSV
    if extension not in OUTPUTS:
        raise DiffcliError(
            f"--out {out}: write a .csv, .npy, .npz or .parquet file, or a folder (`{out}/`: a Parquet data set)"
        )
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
