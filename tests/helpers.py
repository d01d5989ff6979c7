"""Library-level helpers for tests: value and gradient of a text at a point."""

from __future__ import annotations

import numpy as np

from diffcli.core import autodiff
from diffcli.core.engine import Plan
from diffcli.core.numcheck import central_gradient
from diffcli.syntax.parse import parse


def evaluate(outputs: list, bindings: dict, dev=None) -> list:
    """Values of `outputs` at `bindings`, whole arrays (one engine plan)."""
    return Plan(list(outputs), dev=dev).run(bindings)


def value_of(text: str, point: dict) -> np.ndarray:
    p = parse(text, {k: np.shape(v) for k, v in point.items()})
    (v,) = evaluate([p.output], point)
    return np.asarray(v)


def grad_of(text: str, point: dict, names: list[str] | None = None) -> dict:
    shapes = {k: np.shape(v) for k, v in point.items()}
    p = parse(text, shapes)
    names = names or list(point)
    wrt = [p.graph.var(n, shapes[n]) for n in names]
    grads = evaluate(autodiff.gradient(p.output, wrt), point)
    return {n: np.asarray(g) for n, g in zip(names, grads)}


def numeric_grad_of(text: str, point: dict, names: list[str] | None = None) -> dict:
    return central_gradient(lambda pt: value_of(text, pt), point, names or list(point))
