"""Parquet in and out for `--points` (pyarrow, from the optional extra `diffcli[dask]`).

Input: a `.parquet` file or a folder of them (a partitioned data set: every `*.parquet` file
under it, in natural order — `part.2` before `part.10` — skipping names that start with `.` or
`_`), read one record batch at a time (bounded memory, as CSV). Each column used must be
numeric (integers, floats, booleans) with one number per row; a null or non-finite cell is an
error naming the file and row. Pandas' index columns are not variables. Output: float64
columns named as CSV output names them (`value`, `d_x`, `J[0;x]`, `H[x;y]`), one row group
per block written (ParquetSink). Nothing here imports pyarrow until a Parquet file is asked for.
"""

from __future__ import annotations

import os
import re
from typing import Any, Sequence

import numpy as np

from diffcli.data import datafile
from diffcli.data.inputs import note_input
from diffcli.errors import DiffcliError, suggest

EXTRA = "pip install 'diffcli[dask]'"
PART = "part.{:05d}.parquet"  # files of a data set written by diffcli: part.00000.parquet, ...


def arrow():
    """(pyarrow, pyarrow.parquet), or an error that names the extra to install."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise DiffcliError(f"Parquet needs pyarrow, which is not installed: {EXTRA}") from None
    return pyarrow, pyarrow.parquet


def is_parquet(path: str) -> bool:
    """A Parquet input: a `.parquet` file or a folder (of Parquet files)."""
    return path.lower().endswith(".parquet") or os.path.isdir(path)


def is_folder_target(path: str) -> bool:
    """An `--out` that names a folder (a data set): a trailing slash, or an existing folder."""
    return path.endswith(("/", os.sep)) or os.path.isdir(path)


def natural(path: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def files_of(path: str, what: str) -> list[str]:
    """The Parquet files of a data set, in natural order (a file is its own data set)."""
    if not os.path.isdir(path):
        return [path]
    found = []
    for folder, subfolders, names in os.walk(path):
        subfolders[:] = [d for d in subfolders if not d.startswith((".", "_"))]
        found += [os.path.join(folder, n) for n in names if n.endswith(".parquet") and not n.startswith((".", "_"))]
    if not found:
        raise DiffcliError(f"{what}: the folder has no .parquet files: give a Parquet file or a folder of them")
    return sorted(found, key=natural)


def schema_names(schema) -> list[str]:
    """The column names of a schema less the pandas index columns stored beside the data."""
    index = set()
    meta = schema.pandas_metadata or {}
    for column in meta.get("index_columns", []):
        if isinstance(column, str):
            index.add(column)
    return [name for name in schema.names if name not in index]


def duplicated(names: list[str]) -> str | None:
    """The first name that appears twice, or None."""
    seen = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def first_bad(values: np.ndarray, nulls: np.ndarray | None):
    """(row, reason) of the first null or non-finite number of a column, or None."""
    bad = ~np.isfinite(values)
    if nulls is not None:
        bad |= nulls
    if not bad.any():
        return None
    row = int(np.argmax(bad))
    if nulls is not None and nulls[row]:
        return row, "an empty (null) cell"
    return row, f"`{values[row]}` is not a finite number"


def bad_value(place: str, name: str, reason: str) -> DiffcliError:
    return DiffcliError(
        f"{place}, column `{name}`: {reason}: every cell used needs a finite number (remove or fill in that row)"
    )


class ParquetTable:
    """A Parquet file or data set with CsvTable's interface: `header`, `require`, `blocks`,
    `close` (the files are opened one at a time, by `blocks`)."""

    def __init__(self, path: str, what: str):
        self.path, self.what = path, what
        pa, self.pq = arrow()
        self.files = files_of(path, what)
        for file in (path, *self.files):
            note_input(file)
        try:
            self.schema = self.pq.read_schema(self.files[0])
        except (OSError, pa.ArrowException) as e:
            raise DiffcliError(f"{what}: {self._name(self.files[0])} is not a readable Parquet file: {e}") from None
        self.header = schema_names(self.schema)
        twice = duplicated(self.header)
        if twice:
            raise DiffcliError(f"{self._place(self.files[0])}: the column `{twice}` appears twice: rename one")
        self.header_line = 1  # for messages that share CsvTable's wording

    def __enter__(self) -> "ParquetTable":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        pass

    def _place(self, file: str) -> str:
        return self.what if len(self.files) == 1 else f"{self.what} ({self._name(file)})"

    def _name(self, file: str) -> str:
        return os.path.relpath(file, self.path) if file != self.path else os.path.basename(file)

    def require(self, name: str, hint: str = "") -> None:
        if name not in self.header:
            raise DiffcliError(
                f"{self.what}: no column `{name}`{suggest(name, self.header)}; the columns are "
                f"{', '.join(self.header)}{hint}"
            )

    def check(self, names: list[str], schema=None, place: str | None = None) -> None:
        """Each named column exists and holds one number per row (in `schema`: a file of the
        data set, named by `place`; the first file's by default)."""
        pa = arrow()[0]
        schema = schema or self.schema
        for name in names:
            self.require(name)
            if schema.get_field_index(name) < 0:
                continue  # missing from a later file: said where that file is read
            kind = schema.field(name).type
            if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)):
                raise DiffcliError(
                    f"{place or self.what}: column `{name}` holds {kind}, not numbers: a Parquet column "
                    "used must hold one number per row in every file"
                )

    def blocks(self, names: list[str], size: int | None = None, text: tuple = ()):
        """Yield {name: float64 array} for the named columns (and, for the `text` columns that
        --keep carries, numbers as float64 or anything else as str), file by file, a record
        batch of `size` rows (default: datafile.BLOCK) at a time."""
        self.check(names)
        for name in text:
            self.require(name)
        pa = arrow()[0]
        self._done = 0.0
        for k, file in enumerate(self.files):
            place = self._place(file)
            try:
                reader = self.pq.ParquetFile(file)
                missing = [n for n in [*names, *text] if n not in reader.schema_arrow.names]
                if missing:
                    raise DiffcliError(f"{place}: no column `{missing[0]}` in this file of the data set")
                twice = duplicated(reader.schema_arrow.names)
                if twice:
                    raise DiffcliError(f"{place}: the column `{twice}` appears twice: rename one")
                self.check(names, reader.schema_arrow, place)
                done, rows = 0, reader.metadata.num_rows
                for batch in reader.iter_batches(batch_size=size or datafile.BLOCK, columns=[*names, *text]):
                    block = {}
                    for name, column in zip(names, batch.columns):
                        values = column.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
                        nulls = column.is_null().to_numpy(zero_copy_only=False) if column.null_count else None
                        found = first_bad(values, nulls)
                        if found:
                            raise bad_value(f"{place}, row {done + found[0] + 1}", name, found[1])
                        block[name] = values
                    block.update((name, kept_values(column)) for name, column in zip(text, batch.columns[len(names) :]))
                    done += batch.num_rows
                    self._done = (k + done / rows) / len(self.files) if rows else (k + 1) / len(self.files)
                    if batch.num_rows:
                        yield block
            except (OSError, pa.ArrowException) as e:
                raise DiffcliError(f"{place}: not a readable Parquet file: {e}") from None

    def fraction(self) -> float:
        """How much of the data set has been read (for progress): files done, and the share of
        the current one."""
        return getattr(self, "_done", 0.0)


def kept_values(column) -> np.ndarray:
    """A column --keep carries as it is: numbers as float64 (a null is nan), anything else as
    text (a null is empty)."""
    pa = arrow()[0]
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        return column.cast(pa.float64()).fill_null(float("nan")).to_numpy(zero_copy_only=False)
    return np.array(["" if v is None else str(v) for v in column.to_pylist()], dtype=str)


def arrow_table(table: np.ndarray, labels: list[str], kept: Sequence = (), kept_names: Sequence[str] = ()):
    """The kept columns (text as strings, numbers as float64), then rows x columns float64,
    as an Arrow table with one named column per label."""
    pa = arrow()[0]
    arrays = [pa.array(k.tolist() if k.dtype.kind == "U" else np.asarray(k, dtype=np.float64)) for k in kept]
    arrays += [pa.array(np.ascontiguousarray(table[:, k])) for k in range(len(labels))]
    return pa.Table.from_arrays(arrays, names=[*kept_names, *labels])


class ParquetSink:
    """Rows written to one Parquet file (a path, or a file object from fileio.output) as they
    stream: one row group per block. Snappy, and no dictionary encoding (computed floats rarely
    repeat: trying costs ten times the write). The kept columns come first, typed by the first
    block (text stays text)."""

    def __init__(self, where, labels: list[str], kept: Sequence[str] = ()):
        self.where, self.labels, self.kept = where, labels, list(kept)
        self.writer: Any = None  # a pyarrow ParquetWriter (pyarrow is imported on use)

    def write(self, block: np.ndarray, kept: Sequence = ()) -> None:
        data = arrow_table(block, self.labels, kept, self.kept)
        if self.writer is None:
            self.writer = arrow()[1].ParquetWriter(self.where, data.schema, use_dictionary=False)
        self.writer.write_table(data)

    def close(self) -> None:
        if self.writer is None:  # no rows: an empty file with the columns all the same
            pa = arrow()[0]
            schema = pa.schema([(name, pa.float64()) for name in [*self.kept, *self.labels]])
            self.writer = arrow()[1].ParquetWriter(self.where, schema, use_dictionary=False)
        self.writer.close()

    def abandon(self) -> None:
        """After a failure: let the file go unfinished (its folder or temporary is removed)."""
        writer, self.writer = self.writer, None
        if writer is not None:
            try:
                writer.close()
            except Exception:  # noqa: BLE001  the failure already being reported says it
                pass
