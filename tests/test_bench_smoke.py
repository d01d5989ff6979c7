"""The benchmark harness runs end to end at tiny sizes, so it never rots (no timing is asserted)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


@pytest.mark.slow
def test_bench_smoke(tmp_path, capsys):
    module = runpy.run_path(str(BENCH))
    results = tmp_path / "RESULTS.md"
    assert module["main"](["--smoke", "--results", str(results)]) == 0
    text = results.read_text()
    for workload in (
        "1 start-up",
        "2 batch",
        "3 Rosenbrock gradient",
        "4 Rosenbrock Hessian, dense",
        "4 Rosenbrock Hessian, sparse",
        "5 no swell",
        "6 memory",
        "7 parse",
        "8 batch, whole process",
        "9 extended Rosenbrock",
        "10 vector Rosenbrock",
    ):
        assert workload in text
    assert "| diffcli compiled program |" in text and "peak RSS" in text
    assert capsys.readouterr().out.startswith("| workload |")
