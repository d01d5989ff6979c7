"""Tables of numbers read from files: CSV (one reader for `--points` and `fit --data`), and
`.npy`/`.npz` arrays for `--points`.

CSV: the first non-blank line is the header (quoted names, as R's write.csv writes them, are
fine); `-` is standard input. Rows are read a block at a time, so memory stays bounded however
long the file; a block goes through numpy's C reader, and only when that fails is it read again
with the csv module to name the line and column that is wrong. Only the columns a caller asks
for must hold numbers, so a text column may stay in the file. Blank lines are skipped; a
quoted cell may not span lines. Reads are bounded: a line longer than `limits.MAX_LINE`
characters (`/dev/zero`, a binary file) stops with an error before it fills the memory, and
`columns` (the data `fit` keeps in memory) stops after `limits.MAX_ELEMENTS` rows.
"""

from __future__ import annotations

import csv
import io
import math
import os
import sys

import numpy as np

from diffcli import limits
from diffcli.data.inputs import note_input, standard_input
from diffcli.errors import DiffcliError, suggest

BLOCK = 65536  # rows read (and evaluated, and written) at a time


class CsvTable:
    """The file stays open from the header to the end of `blocks`; use the table as a context
    manager (`with CsvTable(...) as table:`) so that it is closed however the caller stops."""

    def __init__(self, path: str, what: str):
        self.path, self.what = path, what  # what: how messages name the file (`--points p.csv`)
        self._fh = _open_text(path, what)
        try:
            self._read_header()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "CsvTable":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._fh.close()

    def _read_header(self) -> None:
        what = self.what
        self.line = 0
        while True:
            lines = self._read(1)
            if not lines:
                raise DiffcliError(
                    f"{what} is empty: a CSV file needs a header line of column names, then rows of numbers"
                )
            if lines[0].strip():
                self.header = [cell.strip() for cell in _cells(lines[0], f"{what}, line {self.line}")]
                break
        self.header_line = self.line
        _check_header(self.header, lines[0], f"{what}, line {self.line}")
        seen = set()  # linear: a header of 100,000 columns is checked at once
        for i, name in enumerate(self.header):
            if not name:
                raise DiffcliError(f"{what}, line {self.line}, column {i + 1}: the header has an empty column name")
            if name in seen:
                raise DiffcliError(f"{what}, line {self.line}: the column `{name}` appears twice in the header")
            seen.add(name)
        self._index = {name: i for i, name in enumerate(self.header)}

    def require(self, name: str, hint: str = "") -> None:
        if name not in self._index:
            raise DiffcliError(
                f"{self.what}, line {self.header_line}: no column `{name}`{suggest(name, self.header)}; "
                f"the header has {', '.join(self.header)}{hint}"
            )

    def blocks(self, names: list[str], size: int | None = None, text: tuple = ()):
        """Yield {name: float64 array} for the named columns (and {name: str array} of the
        cells as written, trimmed, for the `text` columns), `size` rows (default BLOCK, read at
        call time) at a time."""
        size = size or BLOCK
        for name in [*names, *text]:
            self.require(name)
        where = [self._index[n] for n in names]
        cells = [self._index[n] for n in text]
        with self._fh:
            while True:
                first = self.line + 1
                lines = self._read(size)
                if not lines:
                    return
                numbered = [(first + k, t) for k, t in enumerate(lines) if t.strip()]
                if numbered:
                    table = self._parse(numbered, where)
                    block = {name: table[:, k] for k, name in enumerate(names)}
                    if cells:
                        words = np.char.strip(
                            np.loadtxt(
                                [t for _, t in numbered],
                                dtype=str,
                                delimiter=",",
                                quotechar='"',
                                comments=None,
                                usecols=cells,
                                ndmin=2,
                            )
                        )
                        block.update({name: words[:, k] for k, name in enumerate(text)})
                    yield block

    def fraction(self) -> float | None:
        """How much of the file has been read (for progress), or None when unknown (stdin)."""
        try:
            size = os.fstat(self._fh.buffer.fileno()).st_size
            return min(self._fh.buffer.tell() / size, 1.0) if size else None
        except (AttributeError, OSError, ValueError):
            return None

    def columns(self, names: list[str], most: int | None = None, progress=None) -> dict[str, np.ndarray]:
        """The named columns whole (for data kept in memory: `fit`), at most `most` rows
        (default limits.MAX_ELEMENTS, the largest value diffcli makes); `progress(rows,
        fraction)` is called after each block."""
        most = most or limits.MAX_ELEMENTS
        parts, rows = [], 0
        for part in self.blocks(names):
            parts.append(part)
            rows += len(next(iter(part.values()))) if part else 0
            if rows > most:
                raise DiffcliError(
                    f"{self.what} has more than {most:,} rows, the most diffcli keeps in memory to fit "
                    "a model: fit a sample of the rows"
                )
            if progress is not None:
                progress(rows, self.fraction())
        if not parts:
            raise DiffcliError(f"{self.what} has a header but no rows of data")
        return {n: np.concatenate([p[n] for p in parts]) for n in names}

    def _read(self, size: int) -> list[str]:
        """Up to `size` lines, none longer than MAX_LINE characters (bounded memory)."""
        lines, most, read = [], limits.MAX_LINE, self._fh.readline
        try:
            for _ in range(size):
                line = read(most + 1)
                if not line:
                    break
                if len(line) > most:
                    self._raise_long_line(line)
                lines.append(line)
        except UnicodeDecodeError as e:
            raise DiffcliError(f"{self.what} is not UTF-8 text (byte {e.start}): save it as UTF-8 CSV") from None
        self.line += len(lines)
        return lines

    def _raise_long_line(self, start: str):
        where = f"{self.what}, line {self.line + 1}"
        if "\0" in start:
            raise DiffcliError(f"{where}: a NUL byte: this is a binary file, not CSV text")
        raise DiffcliError(
            f"{where} is longer than {limits.MAX_LINE:,} characters: a CSV row of numbers is far "
            "shorter; is this a CSV file?"
        )

    def _parse(self, numbered: list[tuple[int, str]], where: list[int]) -> np.ndarray:
        lines = [t for _, t in numbered]
        quoted = any('"' in t for t in lines)
        widths = (
            {len(_cells(t, f"{self.what}, line {n}")) for n, t in numbered}
            if quoted
            else {t.count(",") + 1 for t in lines}
        )
        if widths != {len(self.header)}:
            self._raise_bad_row(numbered, where)
        try:
            with np.errstate(all="ignore"):
                table = np.loadtxt(
                    lines, delimiter=",", quotechar='"', comments=None, dtype=np.float64, usecols=where, ndmin=2
                )
        except ValueError:
            self._raise_bad_row(numbered, where)
        if not np.isfinite(table).all():
            self._raise_bad_row(numbered, where)
        return table.reshape(-1, len(where))

    def _raise_bad_row(self, numbered: list[tuple[int, str]], where: list[int]):
        """Find the first bad row of a block (only on failure: the fast path is numpy's)."""
        for line, text in numbered:
            place = f"{self.what}, line {line}"
            cells = _cells(text, place)
            if len(cells) != len(self.header):
                raise DiffcliError(
                    f"{place}: {len(cells)} cell{'s' * (len(cells) != 1)}, but the header has "
                    f"{len(self.header)} columns: give every row one cell per column"
                )
            for i in where:
                _number(cells[i].strip(), f"{place}, column {i + 1} (`{self.header[i]}`)")
        raise DiffcliError(f"{self.what}: cannot read the rows after line {numbered[0][0]}")


SEPARATORS = {";": "semicolons (;)", "\t": "tabs"}


def _check_header(header: list[str], line: str, place: str) -> None:
    """A header that is not one: a file separated by `;` or tabs (read here as one column), or
    a first line of numbers (a file without a header)."""
    if len(header) == 1:
        for separator, name in SEPARATORS.items():
            if separator in line:
                raise DiffcliError(
                    f"{place}: the columns are separated by {name}; diffcli reads comma-separated CSV: "
                    f"convert it, such as with `tr '{separator}' ',' < FILE > FILE.csv`".replace("'\t'", "'\\t'")
                )
    if all(_is_number(cell) for cell in header):
        raise DiffcliError(
            f"{place}: the first line holds numbers, not column names: the first line must name the "
            f"variables, such as `{','.join(f'x{i + 1}' for i in range(len(header)))}` (add that line to the file)"
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(text: str, place: str) -> float:
    try:
        value = float(text)
    except ValueError:
        what = "an empty cell" if not text else f"`{text[:30]}` is not a number"
        raise DiffcliError(f"{place}: {what}: every cell used needs a number") from None
    if not math.isfinite(value):
        raise DiffcliError(f"{place}: `{text}` is not a finite number: remove or fill in that row")
    return value


def _cells(text: str, place: str) -> list[str]:
    try:
        return next(csv.reader([text], strict=True))
    except csv.Error as e:
        raise DiffcliError(f"{place}: {e}: check the quotes of that line") from None


def _open_text(path: str, what: str):
    if path == "-":
        stream = standard_input(what)
        return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="") if stream is not sys.stdin else stream
    note_input(path)
    if os.path.isdir(path):
        raise DiffcliError(f"{what}: `{path}` is a directory: give a CSV file")
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise DiffcliError(f"{what}: no such file: give the path of a CSV file") from None
    except OSError as e:
        raise DiffcliError(f"{what}: cannot read it: {e.strerror}") from None
