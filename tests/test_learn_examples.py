"""The `--help` example of minimize, fit and plot runs as written, in a real shell and process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer

from diffcli.cli.app import build

COMMANDS = ["minimize", "fit", "plot"]


def example(name: str) -> str:
    command = typer.main.get_command(build()).commands[name]
    assert command.epilog.startswith("Example: ")
    return command.epilog[len("Example: ") :]


@pytest.mark.parametrize("name", COMMANDS)
def test_help_example_runs_as_written(name, tmp_path):
    if name == "plot":
        pytest.importorskip("matplotlib")
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(example(name), shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    if name == "plot":
        assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"
    else:
        assert len(done.stdout.splitlines()) == (4 if name == "minimize" else 2)
