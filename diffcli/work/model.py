"""An expression of scalar inputs compiled once with the derivatives a method needs.

The value, the Jacobian (or gradient), and where asked the Hessian and the third derivatives
d^3 f / dx_i dx_j^2 are built as DAG nodes by reverse mode (a derivative of a derivative is
one more backward pass over its graph) and become ONE engine `Plan`; every iteration of
Newton's method, every point of a lab table and every Monte Carlo draw then only runs that plan
on new numbers, nothing is parsed again.
"""

from __future__ import annotations

import numpy as np

from diffcli.compute.problem import Problem
from diffcli.core import autodiff
from diffcli.core.engine import Plan, to_numpy
from diffcli.core.graph import Node
from diffcli.errors import DiffcliError


class Model:
    """f: R^n -> R^m (m = 1 for a scalar EXPR) of the problem's scalar variables."""

    def __init__(self, problem: Problem, order: int = 1, third: bool = False):
        for name, v in zip(problem.names(), problem.wrt):
            if v.op != "var" or v.shape != ():
                raise DiffcliError(f"`{name}` is not a scalar variable: this command works with scalar inputs")
        if len(problem.output.shape) > 1:
            raise DiffcliError(f"EXPR has shape {problem.output.shape}: give a scalar or a vector [f1, f2, ...]")
        self.problem = problem
        self.names = problem.names()
        self.n = len(self.names)
        self.outputs = autodiff.flat_entries(problem.output)
        self.m = len(self.outputs)
        self.vector = problem.output.shape != ()
        wrt = problem.wrt
        self.jacobian = [autodiff.gradient(f, wrt) for f in self.outputs] if order >= 1 else []
        nodes: list[Node] = [*self.outputs, *(g for row in self.jacobian for g in row)]
        self.hessian: list = []
        self.third: list = []
        if order >= 2:
            grad = self.jacobian[0]
            self.hessian = [autodiff.gradient(g, wrt) for g in grad]
            nodes += [h for row in self.hessian for h in row]
            if third:  # T[i][j] = d/dx_i of H[j][j]
                columns = [autodiff.gradient(self.hessian[j][j], wrt) for j in range(self.n)]
                self.third = [[columns[j][i] for j in range(self.n)] for i in range(self.n)]
                nodes += [t for row in self.third for t in row]
        self.nodes = nodes
        self.plan = Plan(nodes, dev=problem.device)
        self.bindings = dict(problem.bindings)
        self._value_plan: Plan | None = None
        self._batch_plan: Plan | None = None

    def start(self) -> np.ndarray:
        return np.array([float(self.bindings[n]) for n in self.names])

    def at(self, x) -> dict:
        """Value (m,), Jacobian (m, n), Hessian (n, n) and third (n, n) at the point x."""
        self.bindings.update({name: np.float64(v) for name, v in zip(self.names, np.asarray(x, dtype=float))})
        with np.errstate(all="ignore"):
            flat = np.array([float(to_numpy(v)) for v in self.plan.run(self.bindings)])
        m, n = self.m, self.n
        out = {"value": flat[:m], "jacobian": flat[m : m + m * n].reshape(m, n)}
        k = m + m * n
        if self.hessian:
            out["hessian"] = flat[k : k + n * n].reshape(n, n)
            k += n * n
        if self.third:
            out["third"] = flat[k : k + n * n].reshape(n, n)
        return out

    def many(self, columns: dict, rows: int, derivatives: bool = True) -> list[np.ndarray]:
        """Every output (and, with `derivatives`, the Jacobian entries) at `rows` points: the
        named inputs are (rows,) columns (the batch axis), the others keep their --at values."""
        nodes = self.nodes[: self.m + self.m * self.n] if derivatives else self.outputs
        plan = Plan(nodes, set(columns), self.problem.device)
        with np.errstate(all="ignore"):
            values = plan.evaluate({**self.bindings, **columns}, rows)
        return [np.broadcast_to(to_numpy(v).astype(float).reshape(rows, -1)[:, 0], (rows,)) for v in values]

    def values(self, columns: dict, rows: int) -> np.ndarray:
        """The outputs alone at `rows` points, (rows, m): the Monte Carlo pass."""
        if self._value_plan is None:
            self._value_plan = Plan(self.outputs, set(self.names), self.problem.device)
        with np.errstate(all="ignore"):
            values = self._value_plan.evaluate({**self.bindings, **columns}, rows)
        return np.stack([to_numpy(v).astype(float).reshape(rows) for v in values], axis=1)

    def batch(self, xs: np.ndarray) -> dict:
        """Value (N, m), Jacobian (N, m, n) and Hessian (N, n, n) at N points at once (rows of
        xs): the variables batched, one run of the plan for all (Newton from many starts)."""
        if self._batch_plan is None:
            self._batch_plan = Plan(self.nodes, set(self.names), self.problem.device)
        rows, (m, n) = len(xs), (self.m, self.n)
        columns = {name: xs[:, k] for k, name in enumerate(self.names)}
        with np.errstate(all="ignore"):
            values = self._batch_plan.run({**self.bindings, **columns})
        flat = np.stack([np.broadcast_to(to_numpy(v).astype(float).reshape(-1), (rows,)) for v in values], axis=1)
        out = {"value": flat[:, :m], "jacobian": flat[:, m : m + m * n].reshape(rows, m, n)}
        if self.hessian:
            k = m + m * n
            out["hessian"] = flat[:, k : k + n * n].reshape(rows, n, n)
        return out
