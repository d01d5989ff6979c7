"""Run one golden case in-process and compare recorded results tolerantly.

A case (see cases.py) is a dict:
  id       unique readable name (category:argv...)
  category a short group name, for the report
  argv     list of arguments after `diffcli`
  stdin    text fed on standard input (or None)
  files    {relative path: str | bytes} created in the working folder before the run
  read     relative paths of output files to read back after the run
  env      extra environment variables (None removes one)

Every case runs with the working folder set to a fresh temporary folder that holds a copy of
the repository's samples/ (so `samples/rosenbrock.dc` resolves), `diffcli.cli.main(argv)`
inside `typer.testing.CliRunner().isolation(...)`, exactly as tests/conftest.py does.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLES = ROOT / "samples"
EXPECTED = HERE / "expected.jsonl"

# A fixed, colourless, 100-column environment for Rich and typer, whatever the caller's shell has.
ENV = {
    "COLUMNS": "100",
    "LINES": "50",
    "TERM": "dumb",
    "NO_COLOR": None,
    "FORCE_COLOR": None,
    "PY_COLORS": None,
    "CLICOLOR_FORCE": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "JUPYTER_COLUMNS": None,
    "JUPYTER_LINES": None,
    "TERMINAL_WIDTH": None,
    "DIFFCLI_DEBUG": None,
}

# Python shows a user RuntimeWarning and UserWarning (numpy's "overflow encountered", say) but
# hides these; ResourceWarning also fires whenever the garbage collector runs, not per case.
HIDDEN_WARNINGS = (ResourceWarning, DeprecationWarning, PendingDeprecationWarning, ImportWarning)

PICTURES = (".png", ".svg", ".pdf")  # read back as existence (and kind) only


def _read_back(path: Path):
    """None for a missing file; a short tag for pictures; `.npy` as dtype, shape and values; else text."""
    if not path.exists():
        return None
    if path.is_dir():
        return "<directory>"
    data = path.read_bytes()
    if path.suffix.lower() in PICTURES:
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            kind = "PNG"
        elif b"<svg" in data[:2000]:
            kind = "SVG"
        elif data.startswith(b"%PDF"):
            kind = "PDF"
        else:
            kind = "unknown format"
        return f"<picture: {kind}, {'non-empty' if data else 'empty'}>"
    if path.suffix.lower() == ".npy":
        import io

        import numpy as np

        try:
            arr = np.load(io.BytesIO(data), allow_pickle=False)
        except Exception as e:  # noqa: BLE001  a broken file is a result too
            return f"<unreadable .npy: {type(e).__name__}>"
        return f"<npy dtype={arr.dtype.str} shape={list(arr.shape)}>\n" + json.dumps(arr.tolist())
    return data.decode("utf-8", errors="backslashreplace")


def _listing(work: Path) -> list[str]:
    """Every file and folder in the working folder after the run, as relative paths; the copy
    of samples/ only where a file there is new or changed."""
    found = []
    for dirpath, dirnames, filenames in os.walk(work):
        rel = Path(dirpath).relative_to(work)
        dirnames.sort()
        for name in dirnames:
            if (rel / name).as_posix() != "samples":
                found.append((rel / name).as_posix() + "/")
        for name in filenames:
            path = (rel / name).as_posix()
            if path.startswith("samples/"):
                original = SAMPLES / path.removeprefix("samples/")
                if original.is_file() and original.read_bytes() == (work / path).read_bytes():
                    continue
            found.append(path)
    return sorted(found)


def _quiet_typer_globals():
    """typer reads FORCE_COLOR / GITHUB_ACTIONS / TERMINAL_WIDTH once at import; neutralise them
    for the run (help output must not depend on the caller's environment). Returns an undo."""
    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover
        return lambda: None
    saved = {k: getattr(rich_utils, k) for k in ("FORCE_TERMINAL", "MAX_WIDTH") if hasattr(rich_utils, k)}
    for k in saved:
        setattr(rich_utils, k, None)

    def undo():
        for k, v in saved.items():
            setattr(rich_utils, k, v)

    return undo


def run_case(case: dict) -> dict:
    """Run one case; return the record that expected.jsonl holds for it."""
    from typer.testing import CliRunner

    from diffcli.cli import main

    tmp = tempfile.mkdtemp(prefix="diffcli-golden-")
    work = Path(tmp) / "work"
    try:
        shutil.copytree(SAMPLES, work / "samples")
        for name, content in (case.get("files") or {}).items():
            target = work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        old = os.getcwd()
        undo = _quiet_typer_globals()
        os.chdir(work)
        exception = None
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for hidden in HIDDEN_WARNINGS:  # hidden from users by Python's default filters
                    warnings.simplefilter("ignore", hidden)
                runner = CliRunner()
                with runner.isolation(input=case.get("stdin"), env={**ENV, **(case.get("env") or {})}) as streams:
                    try:
                        code = main(list(case["argv"]))
                    except SystemExit as e:  # main() should return, never exit: recorded if it does
                        code = e.code if isinstance(e.code, int) else 1
                        exception = f"SystemExit({e.code!r})"
                    except Exception as e:  # noqa: BLE001
                        code = None
                        exception = f"{type(e).__name__}: {e}"
                    sys.stdout.flush()
                    sys.stderr.flush()
                    out = streams[0].getvalue().decode("utf-8", errors="backslashreplace")
                    err = streams[1].getvalue().decode("utf-8", errors="backslashreplace")
        finally:
            os.chdir(old)
            undo()
        files = {name: _read_back(work / name) for name in case.get("read") or ()}
        listing = _listing(work)
        pywarnings = [f"{w.category.__name__}: {w.message}" for w in caught]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    record = {
        "id": case["id"],
        "argv": list(case["argv"]),
        "stdin": case.get("stdin"),
        "exit": code,
        "stdout": out,
        "stderr": err,
        "files": files,
        "listing": listing,
        "python_warnings": pywarnings,
    }
    if exception:
        record["exception"] = exception
    return _unpath(record, [str(work), os.path.realpath(work), tmp, os.path.realpath(tmp)])


def _unpath(obj, paths):
    """Replace the temporary folder's absolute path with <WORK> (or <TMP>) everywhere."""
    if isinstance(obj, str):
        for p, tag in sorted(
            ((p, "<WORK>" if p.endswith("work") else "<TMP>") for p in set(paths)), key=lambda t: -len(t[0])
        ):
            obj = obj.replace(p, tag)
        return obj
    if isinstance(obj, list):
        return [_unpath(x, paths) for x in obj]
    if isinstance(obj, dict):
        return {k: _unpath(v, paths) for k, v in obj.items()}
    return obj


# ---------------------------------------------------------------- tolerant comparison

# A number token: decimal or scientific, optionally signed; or inf/infinity/nan as a whole word.
NUMBER = re.compile(
    r"([-+]?(?:(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"
    r"|(?<![A-Za-z_])(?:inf(?:inity)?|nan)(?![A-Za-z_0-9])))",
    re.IGNORECASE,
)
REL = 1e-12
ABS = 1e-300
# `check` prints central differences and their errors: ulp differences of f on another CPU
# (numpy's SIMD kernels, OpenBLAS's) come out of a difference quotient magnified by 1/h, so
# those numbers agree within this absolute noise (the check's own tolerance is far larger).
DIFFERENCE_NOISE = 1e-7
# Rich tables size their columns and rules to the widest number: one digit more or less on
# another CPU moves the padding, so layout runs (spaces, rules) compare as one character.
_LAYOUT = re.compile(r"([ \u2500-\u257f])\1+")


def numbers_agree(a: str, b: str, noise: float = 0.0) -> bool:
    """Two number tokens agree when their texts are equal; or when they are different floats
    within rel 1e-12 (abs 1e-300, or `noise`), since the last digits may differ on another CPU.
    Equal floats printed differently (`12` and `12.0`, `0` and `-0`) are a format change and do
    not agree."""
    if a == b:
        return True
    x, y = float(a), float(b)
    if x == y:
        return False  # same number, other text: the printing changed
    if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
        return False
    return abs(x - y) <= max(REL * max(abs(x), abs(y)), ABS, noise)


def compare_text(expected: str | None, actual: str | None, noise: float = 0.0, layout: bool = False) -> str | None:
    """None when `actual` matches `expected` (text between numbers exactly, numbers within
    tolerance; with `layout`, runs of spaces and box-drawing rules count as one character);
    else a short description of the first difference."""
    if expected is None or actual is None:
        return None if expected is actual else f"expected {expected!r:.200}, got {actual!r:.200}"
    if expected == actual:
        return None
    e, a = NUMBER.split(expected), NUMBER.split(actual)
    if len(e) != len(a):
        return _first_difference(expected, actual, "a different number of number tokens")
    for i, (x, y) in enumerate(zip(e, a)):
        if i % 2 == 0:
            if layout:
                x, y = _LAYOUT.sub(r"\1", x), _LAYOUT.sub(r"\1", y)
            if x != y:
                return _first_difference(expected, actual, f"text differs: {x[:80]!r} != {y[:80]!r}")
        elif not numbers_agree(x, y, noise):
            return _first_difference(expected, actual, f"number differs: {x} != {y}")
    return None


def _first_difference(expected: str, actual: str, why: str) -> str:
    i = next((k for k, (p, q) in enumerate(zip(expected, actual)) if p != q), min(len(expected), len(actual)))
    lo = max(0, i - 60)
    return f"{why}; at char {i}: expected ...{expected[lo : i + 60]!r}... got ...{actual[lo : i + 60]!r}..."


def compare_records(expected: dict, actual: dict) -> list[str]:
    """Every difference between two records (empty when they match)."""
    problems = []
    if expected["argv"] != actual["argv"] or expected.get("stdin") != actual.get("stdin"):
        problems.append("the case's argv/stdin changed since freezing: run tests/golden/freeze.py")
    if expected["exit"] != actual["exit"]:
        problems.append(f"exit code: expected {expected['exit']}, got {actual['exit']}")
    argv = expected["argv"]
    noise = DIFFERENCE_NOISE if argv[:1] == ["check"] else 0.0
    layout = "rich" in argv or "--format=rich" in argv
    for key in ("stdout", "stderr"):
        why = compare_text(expected[key], actual[key], noise, layout)
        if why:
            problems.append(f"{key}: {why}")
    if set(expected["files"]) != set(actual["files"]):
        problems.append(f"read-back files: expected {sorted(expected['files'])}, got {sorted(actual['files'])}")
    for name in sorted(set(expected["files"]) & set(actual["files"])):
        why = compare_text(expected["files"][name], actual["files"][name], noise)
        if why:
            problems.append(f"file {name}: {why}")
    if expected["listing"] != actual["listing"]:
        problems.append(f"files in the working folder: expected {expected['listing']}, got {actual['listing']}")
    why = compare_text("\n".join(expected["python_warnings"]), "\n".join(actual["python_warnings"]))
    if why:
        problems.append(f"Python warnings: {why}")
    if expected.get("exception") != actual.get("exception"):
        problems.append(f"exception: expected {expected.get('exception')}, got {actual.get('exception')}")
    return problems


def load_expected(path: Path = EXPECTED) -> dict[str, dict]:
    records = {}
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    records[rec["id"]] = rec
    return records
