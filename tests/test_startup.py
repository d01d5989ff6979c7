"""The typer-free fast path of the entry point gives exactly what the typer commands give."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import invoke
from diffcli import quick

SAME = [
    ["grad", "x*x*y", "--at", "x=2,y=3", "--format", "plain"],
    ["grad", "x*x*y", "--at=x=2,y=3", "--format=json", "--wrt", "y,x"],
    ["grad", "x*x*y", "--at", "x=2", "--at", "y=3", "--const", "y", "--format", "csv"],
    ["grad", "[x*y, x]", "--at", "x=2,y=3", "--v", "1,2", "--format", "json", "--dtype", "float32"],
    ["eval", "--at", "x=0", "log(x)", "--format", "plain"],
    ["eval", "log(x)", "--at", "x=0", "--strict"],
    ["hessian", "x^3*y", "--at", "x=2,y=3", "--format", "json"],
    ["jacobian", "[x^2, x*y]", "--at", "x=2,y=3", "--format", "plain"],
    ["grad", "x*", "--at", "x=2"],
    ["grad", "sni(x)", "--at", "x=2"],
    ["eval", "x", "--at", "y=2"],
    ["grad", "abs(x) + max(x, y)", "--at", "x=0,y=0"],  # a kink: any report must match too
    ["hessian", "sqrt(x)*y", "--at", "x=0,y=1", "--strict"],
    ["grad", "abs(x)", "--at", "x=0", "--kinks", "error"],
    ["jacobian", "[relu(x), x]", "--at", "x=0", "--kinks=quiet", "--format", "json"],
]


def fast(argv: list[str]):
    with CliRunner().isolation() as streams:
        code = quick.main(argv)
        sys.stdout.flush()
        sys.stderr.flush()
        return code, streams[0].getvalue().decode(), streams[1].getvalue().decode()


@pytest.mark.parametrize("argv", SAME)
def test_fast_path_matches_typer(argv):
    code, out, err = fast(argv)
    typer_run = invoke(*argv)
    assert (code, out, err) == (typer_run.code, typer_run.stdout, typer_run.stderr)


@pytest.mark.parametrize("argv", [
    ["--help"], ["grad", "--help"], ["diff", "x*x", "--wrt", "x"], ["grad", "x", "--points", "p.csv"],
    ["grad", "x", "--at", "x=1", "--format", "yaml"], ["grad", "x", "--format", "json", "--format", "csv"],
    ["eval", "--at", "x=1", "--", "-x"], ["eval", "x", "y"], ["eval", "x", "--wrt", "x"], ["grad"],
    ["grad", "x", "--at"], ["grad", "x", "--no-strict"], ["eval", "x", "--at", "x=1", "--kinks", "warn"],
])
def test_everything_else_goes_to_typer(argv):
    assert quick.read_args(argv) is None


def test_fast_path_imports_neither_typer_nor_rich():
    code = ("import sys; from diffcli import quick; c = quick.main(['grad', 'x*x*y', '--at', 'x=2,y=3', "
            "'--format', 'plain']); print(c, sorted(m for m in ('typer', 'rich', 'pydantic', 'click') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == "0 []"
    assert done.stdout.startswith("12\n12 4\n")
