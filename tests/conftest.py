"""Shared helpers: run the CLI in-process and read its streams."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from diffcli.cli import main

# Hypothesis, derandomized by default: every run of the suite tries the same examples whatever
# the seed, so the suite's colour depends on the code alone. A hunt for new bugs is opt-in:
# DIFFCLI_HYPOTHESIS=deep (or pytest --hypothesis-profile deep) draws at random, and
# DIFFCLI_FUZZ_SCALE=20 multiplies the fuzzers' examples. A find goes into a test as an example.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("deep", derandomize=False, deadline=None)
settings.load_profile(os.environ.get("DIFFCLI_HYPOTHESIS", "ci"))


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
