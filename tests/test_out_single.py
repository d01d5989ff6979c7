"""--out FILE at one point (no --points): grad, jacobian, hessian (dense and sparse) and jvp
write their large result as .npy, .npz, .csv or .parquet, the rest is printed; the same
output rules as --points (atomic, never over an input)."""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest

from conftest import invoke

ROSENBROCK = "sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)"


def rosenbrock_gradient(x: np.ndarray) -> np.ndarray:
    d = x[1:] - x[:-1] ** 2
    g = np.zeros_like(x)
    g[:-1] += -400 * x[:-1] * d - 2 * (1 - x[:-1])
    g[1:] += 200 * d
    return g


def read(path, key: str) -> np.ndarray:
    """What the file holds, as an array, by its format."""
    path = str(path)
    if path.endswith(".npy"):
        return np.load(path)
    if path.endswith(".npz"):
        with np.load(path) as z:
            return z[key]
    if path.endswith(".csv"):
        table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
        return table[:, 0] if table.shape[1] == 1 else table
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(path)
    columns = [np.asarray(table.column(k)) for k in range(table.num_columns)]
    return columns[0] if len(columns) == 1 else np.column_stack(columns)


FORMATS = [".npy", ".npz", ".csv", ".parquet"]


@pytest.mark.parametrize("ext", FORMATS)
def test_grad_vector_to_file(tmp_path, ext):
    x = np.random.default_rng(3).uniform(-1, 1, 50)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / f"g{ext}"
    run = invoke("grad", ROSENBROCK, "--at", f"x=@{tmp_path / 'x.npy'}", "--out", str(out), "--format", "json")
    assert run.code == 0, run.stderr
    assert set(run.json()) == {"value"}  # the gradient went to the file
    np.testing.assert_allclose(read(out, "grad"), rosenbrock_gradient(x), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("ext", FORMATS)
def test_grad_several_variables_is_the_plain_order(tmp_path, ext):
    out = tmp_path / f"g{ext}"
    run = invoke("grad", "sum(x^2)*y + W[0,1]", "--at", "x=[1,2],y=3,W=[[1,2],[3,4]]", "--out", str(out))
    assert run.code == 0, run.stderr
    plain = invoke("grad", "sum(x^2)*y + W[0,1]", "--at", "x=[1,2],y=3,W=[[1,2],[3,4]]", "--format", "plain")
    expected = np.array(plain.stdout.splitlines()[1].split(), dtype=float)
    np.testing.assert_array_equal(read(out, "grad"), expected)
    assert run.stdout == plain.stdout.splitlines()[0] + "\n"  # the value alone is printed


@pytest.mark.parametrize("ext", FORMATS)
def test_jacobian_and_dense_hessian_to_file(tmp_path, ext):
    at = "x=[1,2,3],y=-0.5"
    for command, expr, key in (
        ("jacobian", "[x*y, exp(x)*y^2]", "jacobian"),
        ("hessian", "sum(x^3)*y + sin(y)*x[0]", "hessian"),
    ):
        out = tmp_path / f"{command}{ext}"
        run = invoke(command, expr, "--at", at, "--out", str(out), "--format", "json")
        assert run.code == 0, run.stderr
        assert key not in run.json()
        expected = np.array(invoke(command, expr, "--at", at, "--format", "json").json()[key])
        np.testing.assert_array_equal(read(out, key), expected)
        if ext in (".csv", ".parquet"):  # a column per input element
            head = out.read_text().splitlines()[0] if ext == ".csv" else None
            labels = ["x[0]", "x[1]", "x[2]", "y"]
            if head is not None:
                assert head.split(",") == labels
            else:
                assert pytest.importorskip("pyarrow.parquet").read_table(out).column_names == labels


@pytest.mark.parametrize("ext", FORMATS)
def test_sparse_hessian_to_file(tmp_path, ext):
    x = np.random.default_rng(4).uniform(-1, 1, 20)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / f"h{ext}"
    run = invoke("hessian", "--sparse", ROSENBROCK, "--at", f"x=@{tmp_path / 'x.npy'}", "--out", str(out))
    assert run.code == 0, run.stderr
    data = invoke("hessian", "--sparse", ROSENBROCK, "--at", f"x=@{tmp_path / 'x.npy'}", "--format", "json")
    h = data.json()["hessian"]
    if ext == ".npz":
        sparse = pytest.importorskip("scipy.sparse").load_npz(out).tocoo()
        got = (sparse.row, sparse.col, sparse.data)
    elif ext == ".npy":
        records = np.load(out)
        assert records.dtype.names == ("row", "col", "value") and records["row"].dtype == np.int64
        got = (records["row"], records["col"], records["value"])
    else:
        table = read(out, "h")
        got = (table[:, 0], table[:, 1], table[:, 2])
    np.testing.assert_array_equal(got[0], h["rows"])
    np.testing.assert_array_equal(got[1], h["cols"])
    np.testing.assert_array_equal(got[2], h["values"])


@pytest.mark.parametrize("ext", FORMATS)
def test_jvp_to_file(tmp_path, ext):
    out = tmp_path / f"p{ext}"
    args = ("jvp", "[x^2*y, sin(x), x*y]", "--at", "x=2,y=3", "--u", "1,-1")
    run = invoke(*args, "--out", str(out), "--format", "json")
    assert run.code == 0, run.stderr
    assert "jvp" not in run.json() and run.json()["value"] == [12.0, float(np.sin(2.0)), 6.0]
    np.testing.assert_array_equal(read(out, "jvp"), invoke(*args, "--format", "json").json()["jvp"])


def test_out_is_never_an_input(tmp_path):
    x = tmp_path / "x.npy"
    np.save(x, np.arange(5.0))
    before = x.read_bytes()
    run = invoke("grad", "sum(x^2)", "--at", f"x=@{x}", "--out", str(x))
    assert run.code == 2 and "refusing to write over the input" in run.stderr
    assert x.read_bytes() == before


def test_out_replaces_a_file_whole(tmp_path):
    out = tmp_path / "g.npy"
    out.write_bytes(b"old")
    os.chmod(out, 0o640)
    assert invoke("grad", "sum(x^2)", "--at", "x=[1,2]", "--out", str(out)).code == 0
    np.testing.assert_array_equal(np.load(out), [2.0, 4.0])
    assert os.stat(out).st_mode & 0o777 == 0o640  # the target's mode kept
    assert [p.name for p in tmp_path.iterdir()] == ["g.npy"]  # no temporary left


def test_a_format_it_cannot_write_is_refused_first(tmp_path):
    out = tmp_path / "g.txt"
    run = invoke("grad", "sum(x^2)", "--at", "x=[1,2]", "--out", str(out))
    assert run.code == 2 and ".npy, .npz, .csv or .parquet" in run.stderr and not out.exists()
    run = invoke("eval", "x", "--at", "x=1", "--out", str(tmp_path / "v.npy"))
    assert run.code == 2 and run.stderr == "error: --out goes with --points: give --points FILE too\n"
    run = invoke("grad", "x*x", "--at", "x=1", "--keep", "x")
    assert run.code == 2 and "--keep goes with --points" in run.stderr


def test_help_says_what_out_writes():
    from diffcli.cli.spec import COMMANDS

    helps = {c.name: c.option("--out").help for c in COMMANDS if c.option("--out") is not None}
    for command, words in (("grad", "the gradient"), ("jacobian", "the Jacobian"), ("hessian", "--sparse")):
        assert words in helps[command] and helps[command].startswith("With --points")
    assert "J u" in helps["jvp"] and "--points" not in helps["jvp"]
    assert "One point" not in helps["eval"]


def test_installed_command_writes_npy(tmp_path):
    diffcli = shutil.which("diffcli") or pytest.skip("the diffcli command is not installed")
    x = np.random.default_rng(5).uniform(-1, 1, 10**4)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "g.npy"
    done = subprocess.run(
        [diffcli, "grad", ROSENBROCK, "--at", f"x=@{tmp_path / 'x.npy'}", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == pytest.approx(
        float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)), rel=1e-12
    )
    np.testing.assert_allclose(np.load(out), rosenbrock_gradient(x), rtol=1e-12, atol=1e-9)


def console_examples(text: str) -> list[tuple[str, str, int]]:
    """(command, expected stdout then stderr, exit code) of each `$ ` line of ```console blocks."""
    found = []
    for block in text.split("```console\n")[1:]:
        lines = block.split("```")[0].splitlines()
        starts = [k for k, line in enumerate(lines) if line.startswith("$ ")] + [len(lines)]
        for k, stop in zip(starts, starts[1:]):
            out = lines[k + 1 : stop]
            code = int(out.pop()[6:-1]) if out and out[-1].startswith("[exit ") else 0
            found.append((lines[k][2:], "".join(line + "\n" for line in out), code))
    return found


def test_speed_doc_examples_are_real():
    import shlex
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "speed.md"
    examples = console_examples(doc.read_text(encoding="utf-8"))
    assert len(examples) >= 3
    for command, expected, code in examples:
        run = invoke(*shlex.split(command)[1:])
        assert (run.stdout + run.stderr, run.code) == (expected, code), command
