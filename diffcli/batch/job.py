"""What a `--points` run is asked to do, as the command line gave it: the library's typed view
of the options (the CLI builds it; nothing in this folder reads the CLI's values)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PointsJob:
    expr: str  # EXPR: text, a file, or - for standard input
    points: str  # --points: a CSV/.npy/.npz/.parquet file, a folder of .parquet, or -
    at: list[str]  # --at items: the values of names the file does not hold
    of: str | None = None
    wrt: list[str] | None = None
    const: list[str] | None = None
    keep: list[str] | None = None
    only: str | None = None
    out: str | None = None  # None: standard output
    dtype: str = "float64"
    device: str = "cpu"
    format: str = "auto"
    strict: bool = False
    engine: str = "local"
    scheduler: str | None = None
