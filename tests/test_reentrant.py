"""The library keeps no process-global state: two threads parse and differentiate at once and
both get their own answers (each command has its own Graph)."""

from __future__ import annotations

import threading

import numpy as np

from diffcli.compute.problem import load
from diffcli.compute.request import Request, compute

CASES = {
    "a": ("x*x*y + sin(x)*(x + 1)", "x=2,y=3"),
    "b": ("sum(w^3) + prod(w)*log(1 + w[0]^2)", "w=[1.5,-0.5,2]"),
}


def answer(name: str):
    text, at = CASES[name]
    result = compute(load(text, [at]), Request(hessian="dense"), "hessian")
    return float(result.data["value"]), result.data["hessian"]


def test_two_threads_parse_and_differentiate_at_once():
    expected = {name: answer(name) for name in CASES}
    start = threading.Barrier(2)
    found: dict = {name: [] for name in CASES}

    def work(name: str):
        start.wait()
        for _ in range(25):
            found[name].append(answer(name))

    threads = [threading.Thread(target=work, args=(name,)) for name in CASES]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name, runs in found.items():
        assert len(runs) == 25
        for value, matrix in runs:
            assert value == expected[name][0]
            assert np.array_equal(matrix, expected[name][1])


def test_graphs_of_two_commands_share_no_node():
    first = load("x*x + 1", ["x=2"])
    second = load("x*x + 1", ["x=2"])
    assert first.graph is not second.graph
    assert first.output is not second.output
    assert first.output.graph is first.graph
