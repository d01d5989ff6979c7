"""CSV data for `fit`: a header of column names, then rows of numbers.

The file (or `-`, standard input) is read once; blank lines are skipped. Only the columns a
caller asks for must hold numbers, so a CSV may keep a text column (names, labels) that the
model does not use. Every error names the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import math
import sys

import numpy as np

from .errors import DiffcliError, suggest


class Table:
    def __init__(self, path: str):
        self.path = path
        reader = csv.reader(io.StringIO(_read_text(path), newline=""), strict=True)
        # (line number, cells) of every non-blank line; the line count follows quoted newlines.
        lines = [(reader.line_num, row) for row in _rows(reader, path) if any(cell.strip() for cell in row)]
        if not lines:
            raise DiffcliError(f"{path} is empty: a CSV file needs a header line of column names, then rows of numbers")
        self.header_line, first = lines[0]
        self.header = [cell.strip() for cell in first]
        self.rows = lines[1:]
        for i, name in enumerate(self.header):
            if not name:
                raise DiffcliError(f"{path}, line {self.header_line}, column {i + 1}: the header has an empty column name")
            if name in self.header[:i]:
                raise DiffcliError(f"{path}, line {self.header_line}: the column `{name}` appears twice in the header")

    def require(self, name: str, hint: str = "") -> None:
        if name not in self.header:
            raise DiffcliError(f"{self.path}, line {self.header_line}: no column `{name}`{suggest(name, self.header)}; "
                               f"the header has {', '.join(self.header)}{hint}")

    def columns(self, names: list[str]) -> dict[str, np.ndarray]:
        """The named columns as float64 arrays."""
        for name in names:
            self.require(name)
        if not self.rows:
            raise DiffcliError(f"{self.path} has a header but no rows of data")
        where = [self.header.index(n) for n in names]
        out = np.empty((len(names), len(self.rows)))
        for r, (line, row) in enumerate(self.rows):
            if len(row) != len(self.header):
                raise DiffcliError(f"{self.path}, line {line}: {len(row)} cell{'s' * (len(row) != 1)}, but the header "
                                   f"has {len(self.header)} columns: give every row one cell per column")
            for k, i in enumerate(where):
                out[k, r] = self._number(row[i], line, i)
        return dict(zip(names, out))

    def _number(self, cell: str, line: int, i: int) -> float:
        text = cell.strip()
        place = f"{self.path}, line {line}, column {i + 1} (`{self.header[i]}`)"
        try:
            value = float(text)
        except ValueError:
            what = "an empty cell" if not text else f"`{text[:30]}` is not a number"
            raise DiffcliError(f"{place}: {what}: every cell the model uses needs a number") from None
        if not math.isfinite(value):
            raise DiffcliError(f"{place}: `{text}` is not a finite number: remove or fill in that row")
        return value


def _rows(reader, path: str):
    try:
        yield from reader
    except csv.Error as e:  # e.g. a quote left open at the end of the file
        raise DiffcliError(f"{path}, line {reader.line_num}: {e}: check the quotes of that line") from None


def _read_text(path: str) -> str:
    try:
        if path == "-":
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except FileNotFoundError:
        raise DiffcliError(f"cannot read `{path}`: no such file: give the path of a CSV file") from None
    except OSError as e:
        raise DiffcliError(f"cannot read `{path}`: {e.strerror}") from None
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DiffcliError(f"{path} is not UTF-8 text (byte {e.start}): save it as UTF-8 CSV") from None
