"""Where `--points` rows go: CSV, JSON Lines, a structured .npy and an .npz, each written
block by block as stream.py hands the tables over (the Parquet writer is parquet.py's)."""

from __future__ import annotations

import csv
import json
import math
import zipfile

import numpy as np

from diffcli.algebra.text import number, to_json_value
from diffcli.core.layout import META, unflatten
from diffcli.errors import DiffcliError

ROW_NOTE = "a result is not finite in this row"


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
            obj: dict[str, object] = {"row": self.row + i}
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
                raise DiffcliError(
                    f"--keep {name}: the column holds text, which .npy and .npz files do not "
                    "hold here: write --out FILE.csv, or keep numeric columns"
                ) from None
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
        longest = len(self._text(10**19))
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
        rows = np.ascontiguousarray(np.hstack(parts) if len(parts) > 1 else table, dtype="<f8")
        if rows.size:  # an empty block (a Dask partition may have none) has no bytes to cast
            # the table's own bytes, no copy (numpy's stubs give ndarray the buffer protocol for 3.12+ only)
            self.stream.write(memoryview(rows).cast("B"))  # type: ignore[arg-type]
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
                    np.lib.format.write_array_header_2_0(
                        member, {"descr": "<f8", "fortran_order": False, "shape": (self.rows,)}
                    )
                    fh.seek(0)
                    while chunk := fh.read(1 << 22):
                        member.write(chunk)
                fh.close()
