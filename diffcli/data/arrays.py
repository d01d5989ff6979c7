"""One point's result too big for text, written as a file (`--out FILE` without `--points`):
the gradient of grad, the matrix of jacobian and hessian, the coordinates of hessian --sparse,
the product of jvp. The format is the file name's extension:

- `.npy`: the array itself (a vector, a rows x columns matrix; sparse coordinates as one
  record per non-zero with fields row, col, value);
- `.npz`: the array under its JSON key (grad, jacobian, hessian, jvp); a sparse Hessian in
  scipy.sparse's CSR form (`scipy.sparse.load_npz` reads it);
- `.csv`: a header row, then a vector one number per row, a matrix one matrix row per row
  (columns named by the input elements), coordinates as row,col,value;
- `.parquet`: the same columns as the CSV (needs pyarrow, diffcli[parquet]).

Standard output (`--out -`) takes `.npy` (`.npz` for a sparse Hessian). Every file is written
through `fileio.output`: atomically, and never over one of the inputs."""

from __future__ import annotations

import io
from typing import Callable

import numpy as np

from diffcli.algebra.text import number
from diffcli.data.fileio import is_stream, output
from diffcli.errors import DiffcliError

FORMATS = (".npy", ".npz", ".csv", ".parquet")


def file_format(path: str, option: str = "--out") -> str:
    """The output format of `path` by its extension; refused (exit 2) before any work when
    it is none of FORMATS."""
    if is_stream(path):
        return ""
    for ext in FORMATS:
        if path.lower().endswith(ext):
            return ext
    raise DiffcliError(f"{option} {path}: write a result to a .npy, .npz, .csv or .parquet file (by its extension)")


def write(path: str, key: str, array, labels: Callable[[], list[str]], inputs: tuple = ()) -> None:
    """`array` (a vector, a matrix, or a sparse Hessian with rows, cols, values and csr())
    to `path`; `labels()` names a matrix's columns (called only for a .csv or .parquet)."""
    ext = file_format(path) or (".npz" if hasattr(array, "csr") else ".npy")
    if ext == ".parquet":
        from diffcli.data import parquet

        table = _arrow(parquet.arrow()[0], key, array, labels)
        with output(path, inputs, binary=True) as fh:
            parquet.arrow()[1].write_table(table, fh, use_dictionary=False)
        return
    if ext == ".csv":
        with output(path, inputs) as fh:
            fh.write(_csv(key, array, labels))
        return
    sparse = hasattr(array, "csr")
    with output(path, inputs, binary=True) as fh:
        if ext == ".npz":  # a zip archive is assembled in memory: the output may be a stream
            buffer = io.BytesIO()
            np.savez(buffer, **(array.csr() if sparse else {key: np.asarray(array)}))
            fh.write(buffer.getbuffer())
        else:
            np.save(fh, _records(array) if sparse else np.asarray(array))


def _records(h) -> np.ndarray:
    out = np.empty(len(h.rows), dtype=[("row", np.int64), ("col", np.int64), ("value", np.float64)])
    out["row"], out["col"], out["value"] = h.rows, h.cols, h.values
    return out


def _csv(key: str, array, labels) -> str:
    if hasattr(array, "csr"):
        rows = zip(_list(array.rows), _list(array.cols), map(number, _list(array.values)))
        return "row,col,value\n" + "".join(f"{r},{c},{v}\n" for r, c, v in rows)
    values = np.asarray(array, dtype=float)
    if values.ndim <= 1:
        return key + "\n" + "".join(f"{number(v)}\n" for v in values.reshape(-1).tolist())
    return ",".join(labels()) + "\n" + "".join(",".join(map(number, row)) + "\n" for row in values.tolist())


def _list(a) -> list:
    return np.asarray(a).tolist()


def _arrow(pa, key: str, array, labels):
    """The CSV's columns as an Arrow table (coordinates as int64 row, col and float64 value)."""
    columns: dict[str, np.ndarray]  # int64 coordinates beside float64 values
    if hasattr(array, "csr"):
        columns = {"row": np.asarray(array.rows, np.int64), "col": np.asarray(array.cols, np.int64)}
        columns["value"] = np.asarray(array.values, np.float64)
    else:
        values = np.asarray(array, dtype=np.float64)
        if values.ndim <= 1:
            columns = {key: values.reshape(-1)}
        else:
            columns = {name: np.ascontiguousarray(values[:, k]) for k, name in enumerate(labels())}
    return pa.Table.from_arrays([pa.array(c) for c in columns.values()], names=list(columns))
