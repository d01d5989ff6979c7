"""The value of a matrix term at a point (numpy): the matrix-notation answer's own numbers,
compared with reverse mode's by the check."""

from __future__ import annotations

from typing import Callable

import numpy as np

from diffcli.matrix.terms import NoMatrixForm, Term

ELEMENTWISE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0.0),
    "softplus": lambda x: np.logaddexp(0.0, x),
}


def value(t: Term, env: dict) -> np.ndarray:
    memo: dict = {}
    return _value(t, env, memo)


def _value(t: Term, env: dict, memo: dict):
    found = memo.get(t)
    if found is not None:
        return found
    a = [_value(x, env, memo) for x in t.args]
    found = memo[t] = np.asarray(compute(t, a, env), dtype=float)
    return found


def compute(t: Term, a: list, env: dict):
    kind = t.kind
    if kind == "var":
        return env[t.data]
    if kind == "num":
        return np.full(t.shape, t.data)
    if kind == "fill":
        return np.broadcast_to(a[0], t.shape)
    if kind == "eye":
        return np.eye(t.shape[0])
    if kind == "add":
        return sum(a[1:], a[0])
    if kind == "scale":
        return t.data * a[0]
    if kind == "had":
        out = a[0]
        for x in a[1:]:
            out = out * x
        return out
    if kind == "div":
        return a[0] / a[1]
    if kind == "pow":
        return a[0] ** t.data
    if kind == "mm":
        out = a[0]
        for x in a[1:]:
            out = out @ x
        return out
    if kind == "T":
        return a[0].T
    if kind == "outer":
        return np.outer(a[0], a[1])
    if kind == "diag":
        return np.diag(a[0])
    if kind == "col":
        return a[0][:, None]
    if kind == "sum":
        return np.sum(a[0])
    if kind == "fn":
        return call(t.data, a)
    raise NoMatrixForm(f"no value for a `{kind}` term")


def call(name: str, a: list):
    if name in ELEMENTWISE:
        return ELEMENTWISE[name](a[0])
    x = a[0]
    table = {
        "norm": lambda: np.sqrt(np.sum(x * x)),
        "softmax": lambda: np.exp(x - np.max(x)) / np.sum(np.exp(x - np.max(x))),
        "logsumexp": lambda: np.max(x) + np.log(np.sum(np.exp(x - np.max(x)))),
        "trace": lambda: np.trace(x),
        "det": lambda: np.linalg.det(x),
        "logdet": lambda: np.linalg.slogdet(x)[1],
        "inv": lambda: np.linalg.inv(x),
        "solve": lambda: np.linalg.solve(x, a[1]),
        "kron": lambda: np.kron(x, a[1]),
        "where": lambda: np.where(x, a[1], a[2]),
    }
    if name not in table:
        raise NoMatrixForm(f"no value for `{name}` in matrix notation")
    return table[name]()
