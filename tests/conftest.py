"""Shared helpers: run the CLI in-process and read its streams."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from diffcli.cli import main


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def invoke(*args: str, input: str | None = None, env: dict | None = None) -> Run:
    """Run `diffcli ARGS` in this process, as a script would see it (stdout not a terminal)."""
    runner = CliRunner()
    with runner.isolation(input=input, env=env) as streams:
        code = main(list(args))
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return Run(code, out.decode(), err.decode())


@pytest.fixture
def cli():
    return invoke
