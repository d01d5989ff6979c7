"""`--at x=@FILE`: a variable's value from a .npy file or a text file of numbers (SPEC: Points),
so a vector of a million elements need not go through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import invoke
from diffcli import limits


def test_npy_vector_matches_the_literal(tmp_path):
    x = np.array([0.5, -1.25, 3.0, 1e-300])
    np.save(tmp_path / "x.npy", x)
    by_file = invoke("grad", "sum(x^2)*y", "--at", f"x=@{tmp_path / 'x.npy'},y=2", "--format", "json")
    literal = invoke("grad", "sum(x^2)*y", "--at", f"x=[{','.join(repr(float(v)) for v in x)}],y=2", "--format", "json")
    assert by_file.code == 0, by_file.stderr
    assert by_file.stdout == literal.stdout


@pytest.mark.parametrize(
    "array",
    [np.arange(6, dtype=np.int32).reshape(2, 3), np.array([True, False]), np.float32([1.5, 2.25]), np.array(4.0)],
)
def test_npy_numbers_of_any_shape_are_float64(tmp_path, array):
    np.save(tmp_path / "a.npy", array)
    r = invoke("eval", "x*1", "--at", f"x=@{tmp_path / 'a.npy'}", "--format", "json")
    assert r.code == 0, r.stderr
    assert np.array_equal(np.array(r.json()["value"]), array.astype(np.float64))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 2 3\n", [1, 2, 3]),
        ("1, 2, 3\n", [1, 2, 3]),
        ("# a comment\n1\n2\n3\n", [1, 2, 3]),
        ("1 2\n3 4\n", [[1, 2], [3, 4]]),
        ("1,2 # two\n3,4\n", [[1, 2], [3, 4]]),
        ("7\n", 7),
        ("1e-3 -inf nan\n", [1e-3, -np.inf, np.nan]),
    ],
)
def test_text_files_of_numbers(tmp_path, text, expected):
    (tmp_path / "v.txt").write_text(text)
    r = invoke("eval", "x*1", "--at", f"x=@{tmp_path / 'v.txt'}", "--format", "json", "--strict")
    value = np.array(r.json()["value"] if r.code == 0 else np.nan)
    if np.all(np.isfinite(expected)):
        assert r.code == 0, r.stderr
        assert np.array_equal(value, np.array(expected, dtype=float))
    else:
        assert r.code == 3  # a non-finite value in the point: reported, as a literal's would be


def test_value_file_beside_other_bindings_and_in_minimize(tmp_path):
    np.save(tmp_path / "x.npy", np.array([3.0, -4.0]))
    r = invoke(
        "minimize",
        "sum((x - c)^2)",
        "--at",
        f"x=@{tmp_path / 'x.npy'}",
        "--at",
        "c=1",
        "--const",
        "c",
        "--steps",
        "200",
        "--lr",
        "0.1",
        "--format",
        "json",
    )
    assert r.code == 0, r.stderr
    assert np.allclose(r.json()["at"]["x"], [1, 1])


def _error(tmp_path, name: str, content=None) -> str:
    path = tmp_path / name
    if isinstance(content, np.ndarray):
        np.save(path, content, allow_pickle=content.dtype == object)
    elif isinstance(content, (bytes, str)):
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    r = invoke("eval", "sum(x)", "--at", f"x=@{path}")
    assert r.code == 2 and r.stdout == "", (r.code, r.stdout)
    assert r.stderr.startswith(f"error: --at x=@{path}: ") and r.stderr.count("\n") == 1, r.stderr
    return r.stderr


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("missing.npy", None, "no such file"),
        ("c.npy", np.arange(3) + 1j, "complex numbers"),
        ("s.npy", np.zeros(3, dtype=[("x", "f8")]), "a structured array"),
        ("o.npy", np.array([1, None], dtype=object), "Python objects"),
        ("u.npy", np.array(["a", "b"]), "text"),
        ("e.npy", np.zeros(0), "no numbers"),
        ("fake.npy", "1 2 3\n", "not a .npy file"),
        ("bad.txt", "1 a\n", "could not convert string 'a'"),
        ("ragged.txt", "1 2\n3\n", "the number of columns changed"),
        ("empty.txt", "# nothing\n", "no numbers"),
        ("binary.dat", b"1 2\x00\x01", "a binary file"),
        ("latin.txt", b"1 2 \xe9\n", "not UTF-8"),
    ],
)
def test_bad_value_files(tmp_path, name, content, says):
    assert says in _error(tmp_path, name, content)


def test_a_directory_and_a_bare_at(tmp_path):
    assert "is a directory" in _error(tmp_path, ".")
    r = invoke("eval", "x", "--at", "x=@")
    assert r.code == 2 and "give a file after @" in r.stderr


def test_a_truncated_npy(tmp_path):
    np.save(tmp_path / "t.npy", np.arange(100.0))
    data = (tmp_path / "t.npy").read_bytes()
    assert "not a complete .npy file" in _error(tmp_path, "t.npy", data[:200])
    assert "not a readable .npy file" in _error(tmp_path, "t.npy", data[:40])


def test_too_many_elements_is_refused_before_reading(tmp_path, monkeypatch):
    """The header's shape is checked first: a header claiming 10^12 elements (and no data)
    is refused by the limit, not by a failed read of a terabyte."""
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    with open(tmp_path / "huge.npy", "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, header)
    assert f"{10**12:,} elements; diffcli accepts at most {limits.MAX_ELEMENTS:,}" in _error(tmp_path, "huge.npy")
    monkeypatch.setattr(limits, "MAX_ELEMENTS", 10)
    np.save(tmp_path / "eleven.npy", np.zeros(11))
    assert "11 elements" in _error(tmp_path, "eleven.npy")
    (tmp_path / "eleven.txt").write_text(" ".join(["1"] * 11))
    assert "11 elements" in _error(tmp_path, "eleven.txt")
    (tmp_path / "long.txt").write_text("1" * 400)  # more bytes than 10 numbers need
    assert "save the value as .npy" in _error(tmp_path, "long.txt")


def test_a_million_elements_through_the_installed_command(tmp_path):
    n = 10**6
    x = np.linspace(-1, 1, n)
    np.save(tmp_path / "x.npy", x)
    diffcli = str(Path(sys.executable).with_name("diffcli"))
    done = subprocess.run(
        [diffcli, "grad", "sum(x^2)/2", "--at", f"x=@{tmp_path / 'x.npy'}", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    assert np.array_equal(np.array(result["grad"]["x"]), x)
