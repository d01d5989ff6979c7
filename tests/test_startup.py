"""One command-line path: cli/args.py reads every command line from the declarations in
cli/spec.py; the typer app (cli/app.py), built from the same declarations, only renders --help.
These tests keep the two in step: the app declares exactly the spec's options, typer's own
parsing of valid lines gives what diffcli's reader gives, a plain call never imports typer,
and --help goes to typer."""

from __future__ import annotations

import math
import subprocess
import sys
from enum import Enum

import pytest
import typer
from typer.testing import CliRunner

from conftest import invoke
from diffcli.cli import app as cli_app
from diffcli.cli import helptext, spec
from diffcli.cli.entry import guarded


@pytest.fixture(scope="module")
def click_app():
    return typer.main.get_command(cli_app.build())


def _kind(param) -> str:
    """The spec kind (text, list, flag, switch, int, float, choice) of a typer parameter."""
    annotation = param.type_descriptor.annotation
    if param.multiple:
        return "list"
    if annotation is bool:
        return "switch" if param.secondary_opts else "flag"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "choice"
    return {int: "int", float: "float", str: "text"}[annotation]


def _choices(param) -> tuple:
    annotation = param.type_descriptor.annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(member.value for member in annotation)
    return ()


def _default(param):
    value = param.default
    return value.value if isinstance(value, Enum) else value


# ---------------------------------------------------------------- (a) the app declares the spec


def test_the_app_has_exactly_the_spec_commands(click_app):
    assert list(click_app.commands) == [c.name for c in spec.COMMANDS]


@pytest.mark.parametrize("command", spec.COMMANDS, ids=[c.name for c in spec.COMMANDS])
def test_the_app_declares_exactly_the_spec_options(click_app, command):
    params = click_app.commands[command.name].params
    arguments = [p for p in params if not p.opts[0].startswith("-")]
    options = [p for p in params if p.opts[0].startswith("-")]
    assert [p.name for p in arguments] == [a.dest for a in command.arguments]
    assert all(p.required for p in arguments)
    got = [(p.opts, p.secondary_opts, _kind(p), _choices(p), _default(p), p.required, p.min, p.max) for p in options]
    declared = [
        (
            [o.flag],
            [spec.no(o)] if o.kind == "switch" else [],
            o.kind,
            tuple(o.choices),
            None if o.required else o.default,
            o.required,
            _finite(o.low),
            _finite(o.high),
        )
        for o in helptext.help_order(command)  # --help's order: by panel, the student's options first
    ]
    assert got == declared


def _finite(bound):
    """typer is given no infinite bound (a tolerance's high end is inf: no bound)."""
    return None if bound is None or math.isinf(bound) else bound


# ---------------------------------------------------------------- (b) typer's parsing = diffcli's

VALID = [
    ["grad", "x*x*y", "--at", "x=2,y=3", "--format", "plain"],
    ["grad", "x*x*y", "--at=x=2,y=3", "--format=json", "--wrt", "y,x"],
    ["grad", "x*x*y", "--at", "x=2", "--at", "y=3", "--const", "y", "--format", "csv"],
    ["grad", "[x*y, x]", "--at", "x=2,y=3", "--v", "1,2", "--format", "json", "--dtype", "float32"],
    ["grad", "x", "--format", "json", "--format", "csv", "--at", "x=1"],  # the last one wins
    ["eval", "--at", "x=0", "log(x)", "--format", "plain"],
    ["eval", "log(x)", "--at", "x=0", "--strict"],
    ["eval", "--at", "x=1", "--", "-x"],
    ["eval", "-", "--at", "x=2", "--format", "json"],  # `-` is an argument (stdin, empty here)
    ["eval", "x*2", "--at", "x=[1,2]", "--device", "cpu", "--format", "csv"],
    ["hessian", "x^3*y", "--at", "x=2,y=3", "--format", "json"],
    ["hessian", "100*(x2-x1^2)^2 + (1-x1)^2", "--at", "x1=1,x2=2", "--sparse", "--format", "plain"],
    ["hessian", "sqrt(x)*y", "--at", "x=0,y=1", "--strict"],
    ["jacobian", "[x^2, x*y]", "--at", "x=2,y=3", "--format", "plain"],
    ["jacobian", "[relu(x), x]", "--at", "x=0", "--kinks=quiet", "--format", "json"],
    ["grad", "x*", "--at", "x=2"],
    ["grad", "sni(x)", "--at", "x=2"],
    ["eval", "x", "--at", "y=2"],
    ["grad", "abs(x) + max(x, y)", "--at", "x=0,y=0"],  # a kink: the report must match too
    ["grad", "abs(x)", "--at", "x=0", "--kinks", "error"],
    ["diff", "x*x*y", "--wrt", "x"],
    ["diff", "x*x*y", "--wrt", "x", "--order", "2", "--at", "x=2,y=3", "--format", "json"],
    ["diff", "sin(x)^2", "--wrt", "x", "--latex", "--format", "plain"],
    ["diff", "x^3*y^2", "--wrt", "x,x,y", "--order=1", "--kinks", "quiet"],
    ["explain", "(x+1)*(x+2)", "--at", "x=2", "--format", "plain"],
    ["graph", "(x+1)*(x+2)", "--at", "x=2", "--format", "json"],
    ["check", "x*x*y", "--at", "x=2,y=3", "--no-hessian", "--rtol", "1e-6", "--atol", "0", "--format", "json"],
    ["check", "x^3", "--at", "x=2", "--hessian", "--format", "plain"],
    ["minimize", "x^2", "--at", "x=10", "--lr", "0.1", "--steps", "20", "--optimizer", "adam", "--format", "json"],
    [
        "fit",
        "w*x + b",
        "--data",
        "data.csv",
        "--params",
        "w=0,b=0",
        "--lr",
        "0.1",
        "--epochs",
        "5",
        "--batch-size",
        "2",
        "--seed",
        "3",
        "--format",
        "json",
    ],
    ["--version"],
]


def _through_typer(click_app, argv: list[str]):
    """typer's (click's) own parsing; its command callbacks call the same dispatch."""
    with CliRunner().isolation() as streams:
        code = guarded(lambda: click_app.main(args=list(argv), prog_name="diffcli", standalone_mode=False))
        sys.stdout.flush()
        sys.stderr.flush()
        return code, streams[0].getvalue().decode(), streams[1].getvalue().decode()


@pytest.mark.parametrize("argv", VALID, ids=[" ".join(a)[:60] for a in VALID])
def test_typer_parsing_gives_what_diffcli_gives(click_app, argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("x,y\n0,1\n1,3\n2,5\n")
    ours = invoke(*argv)
    assert _through_typer(click_app, argv) == (ours.code, ours.stdout, ours.stderr)


# ---------------------------------------------------------------- (c) start-up stays light


def test_a_plain_call_imports_neither_typer_rich_pydantic_click_nor_lark():
    """The import budget of the plain grad path (README, "start-up"): numpy and diffcli's own
    modules; the parser runs Lark's generated tables without importing Lark."""
    heavy = ("typer", "rich", "pydantic", "click", "lark", "hashlib", "logging")
    code = (
        "import sys; from diffcli.cli import main; c = main(['grad', 'x*x*y', '--at', 'x=2,y=3', "
        f"'--format', 'plain']); print(c, sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == "0 []"
    assert done.stdout.startswith("12\n12 4\n")


# ---------------------------------------------------------------- (d) --help is typer's


@pytest.mark.parametrize("command", spec.COMMANDS, ids=[c.name for c in spec.COMMANDS])
def test_help_of_every_command_goes_to_typer(command, monkeypatch):
    calls = []
    real = cli_app.run_typer
    monkeypatch.setattr(cli_app, "run_typer", lambda argv: calls.append(argv) or real(argv))
    for flag in ("--help", "-h"):
        r = invoke(command.name, flag)
        assert r.code == 0 and r.stderr == "", r.stderr
        assert f"Usage: diffcli {command.name} [OPTIONS]" in r.stdout
        assert f"Example: {command.example}"[:60] in " ".join(r.stdout.split())
    assert calls == [[command.name, "--help"], [command.name, "-h"]]
