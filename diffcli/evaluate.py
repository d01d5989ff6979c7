"""Evaluation: a DAG (function and derivative nodes alike) becomes a flat program of steps.

A `Program` is built once from the requested output nodes: the topological order, each step's
argument slots, and the step after which each slot is last read so its buffer can be dropped.
Running it is one loop over the steps, on any array namespace (`ev.xp`); variables may carry
leading batch axes (many points at once), which every forward rule respects.
"""

from __future__ import annotations


import numpy as np

from .errors import DiffcliError
from .graph import EvalContext, Node, topological
from .ops import OPS


class Program:
    def __init__(self, outputs: list[Node]):
        self.outputs = list(outputs)
        self.order = topological(self.outputs)
        index = {id(n): i for i, n in enumerate(self.order)}
        self.arg_slots = [tuple(index[id(a)] for a in n.args) for n in self.order]
        self.output_slots = [index[id(n)] for n in self.outputs]
        last_use = list(range(len(self.order)))
        for i, slots in enumerate(self.arg_slots):
            for s in slots:
                last_use[s] = i
        for s in self.output_slots:
            last_use[s] = len(self.order)
        self.frees = [[] for _ in self.order]
        for s, i in enumerate(last_use):
            if i < len(self.order):
                self.frees[i].append(s)

    def run(self, bindings: dict, ev: EvalContext | None = None, keep: bool = False):
        """Output values (in request order); with keep=True also every node's value by slot."""
        ev = ev or EvalContext()
        values: list = [None] * len(self.order)
        with np.errstate(all="ignore"):
            for i, n in enumerate(self.order):
                if n.op == "var":
                    values[i] = bind(ev, n, bindings)
                else:
                    values[i] = OPS[n.op].forward(ev, n, *[values[s] for s in self.arg_slots[i]])
                if not keep:
                    for s in self.frees[i]:
                        values[s] = None
        outs = [values[s] for s in self.output_slots]
        return (outs, values) if keep else outs


def bind(ev: EvalContext, n: Node, bindings: dict):
    name = n.payload[0]
    if name not in bindings:
        raise DiffcliError(f"name `{name}` has no value: give it with --at {name}=VALUE")
    return ev.xp.asarray(bindings[name], dtype=ev.dtype)


def evaluate(outputs: list[Node], bindings: dict, ev: EvalContext | None = None) -> list:
    return Program(outputs).run(bindings, ev)


def is_finite(value) -> bool:
    return bool(np.all(np.isfinite(np.asarray(value))))


def first_nonfinite(order: list[Node], values: list) -> Node | None:
    """The first node (in evaluation order) that turned non-finite with finite inputs."""
    position = {id(n): i for i, n in enumerate(order)}
    for i, n in enumerate(order):
        if values[i] is None or is_finite(values[i]):
            continue
        if all(is_finite(values[position[id(a)]]) for a in n.args):
            return n
    return None


