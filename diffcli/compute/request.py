"""Requests: what a command needs (value, gradient or VJP, Jacobian, Hessian, kink probes,
extra nodes) turned into output nodes, evaluated by one engine plan, returned as one `Result`.

One backward pass serves the gradient, the Hessian's products and the kink probes; the value
and the gradient are computed once (in a Hessian request they are hoisted out of the batch of
directions). At many points (`Columns`), the same nodes become the columns of a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, NamedTuple, Sequence

import numpy as np

from diffcli import limits
from diffcli.compute import kinks
from diffcli.compute.anomaly import nonfinite_note
from diffcli.compute.problem import Problem
from diffcli.core import autodiff, forward, template
from diffcli.core.engine import Plan, is_finite, to_numpy
from diffcli.core.graph import Node
from diffcli.core.layout import columns
from diffcli.errors import DiffcliError
from diffcli.syntax.points import parse_vector

if TYPE_CHECKING:  # imported where a Hessian is requested (start-up of the other commands)
    from diffcli.core import hessian


@dataclass
class Result:
    """What a command computed: SPEC's JSON keys in `data`, non-finite warnings (JSON
    `warnings`, stderr), kink findings (stderr only) and other notes (stderr only, never fatal:
    a fit whose loss keeps growing), for the presenter to render."""

    command: str
    data: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    kinks: list = field(default_factory=list)
    notes: list = field(default_factory=list)


class Request(NamedTuple):
    """What a command needs computed at its point(s)."""

    value: bool = True
    gradient: bool = False
    v: str | None = None  # weights of a non-scalar output: the gradient is then a VJP
    jacobian: bool = False
    hessian: str | None = None  # "dense" or "sparse"
    kinks: bool = False
    mode: str = "auto"  # the Jacobian's: forward, reverse, or auto (forward with fewer inputs than outputs)


def forward_mode(problem: Problem, mode: str) -> bool:
    """Whether the Jacobian is built column by column in forward mode: asked for, or chosen by
    shape (fewer input elements than output elements, as torch's strategy="forward-mode" pays)."""
    return mode == "forward" or (mode == "auto" and problem.layout.size < problem.output.size)


class Built:
    """A request's nodes: outputs in one list, with where each part starts (`parts`: part name
    -> slice of `outputs`), and what a Hessian needs (its products, sparsity and directions)."""

    def __init__(self, outputs: list, bindings: dict):
        self.outputs = outputs
        self.bindings = bindings  # seeds and directions, beside the point's own values
        self.batched: set = set()  # direction names (the batch axis)
        self.parts: dict = {}
        self.jacobian_rows = 0
        self.products: hessian.Products | None = None
        self.sparsity: hessian.Sparsity | None = None
        self.basis: np.ndarray | None = None
        self.probes: list = []

    def add(self, part: str, nodes: list) -> None:
        self.parts[part] = slice(len(self.outputs), len(self.outputs) + len(nodes))
        self.outputs.extend(nodes)


def vjp_seed(problem: Problem, v: str | None) -> tuple[Node | None, dict]:
    """(seed variable, its binding) for --v; (None, {}) for a scalar output without --v."""
    out = problem.output
    if v is None:
        if out.shape != ():
            raise DiffcliError(
                f"grad needs a scalar output, but this one has shape {out.shape}: weight the outputs "
                "with --v (e.g. --v "
                + ",".join(["1"] * min(out.size, 3))
                + ("..." if out.size > 3 else "")
                + "), reduce with sum(...) or mean(...), or use `diffcli jacobian`"
            )
        return None, {}
    (seed,) = problem.fresh(("v", out.shape))
    return seed, {seed.name: parse_vector(v, out.shape)}


def scalar_output(problem: Problem, command: str) -> None:
    if problem.output.shape != ():
        raise DiffcliError(
            f"{command} needs a scalar output, but this one has shape {problem.output.shape}: "
            "reduce it with sum(...) or mean(...), or pick one element with [i]"
        )


def second_by_variables(problem: Problem) -> None:
    """Hessian-vector products differentiate the simplified gradient, which may no longer hold an
    intermediate's node (d/da (a*a) = 2*a is 2*x + 2): by an intermediate that would read 0."""
    inner = problem.intermediates()
    if inner:
        raise DiffcliError(
            f"hessian differentiates twice by variables, and `{inner[0]}` is defined in the file: "
            f"give the variables to --wrt, or take a second derivative by it with `diff FILE --wrt "
            f"{inner[0]},{inner[0]} --at ...`"
        )


Stage = Callable[[str], None]  # hears each phase of the work: "differentiating", ...


def build(problem: Problem, req: Request, directions: bool = True, stage: Stage | None = None) -> Built:
    """The nodes of a request. `directions=False` leaves the Hessian's direction variables
    unbound (the caller binds them, as the points path does). `stage(text)` hears each phase
    (for progress on long work)."""
    stage = stage or (lambda text: None)
    f, wrt = problem.output, problem.wrt
    stage("differentiating")
    built = Built([f], {})
    adj = None
    if req.gradient or req.hessian:
        if req.hessian:
            scalar_output(problem, "hessian")
            second_by_variables(problem)
            if req.hessian != "sparse":
                dense_within_limit(problem.layout.size)
        seed, built.bindings = vjp_seed(problem, req.v)
        adj = autodiff.backward([(f, seed if seed is not None else f.graph.const(1.0, f.shape))], wrt)
        built.add("grad", [adj.of(w) for w in wrt])
    if req.jacobian:
        rows = (forward.jacobian if forward_mode(problem, req.mode) else autodiff.jacobian)(f, wrt)
        built.jacobian_rows = len(rows)
        built.add("jacobian", [e for row in rows for e in row])
    if req.hessian:
        from diffcli.core import hessian

        us = problem.fresh(*(("u", w.shape) for w in wrt))
        prods = built.products = hessian.products(built.outputs[built.parts["grad"]], wrt, us)
        built.batched = {u.name for u in us}
        built.add("hessian", prods.products)
        if req.hessian == "sparse":
            stage("finding the sparsity pattern")
            built.sparsity = hessian.Sparsity.of(f, wrt)
            built.basis = built.sparsity.basis()
        else:
            built.basis = np.eye(problem.layout.size)
        if directions:
            built.bindings.update(prods.bindings(wrt, built.basis))
    if req.kinks:
        if adj is None or req.v is not None:  # the probes want d(sum of outputs)/d(node)
            adj = autodiff.backward([(f, f.graph.const(1.0, f.shape))], wrt)
        built.probes = kinks.probes(adj)
    return built


def dense_within_limit(size: int) -> None:
    """Refuse a dense Hessian larger than one value may be (limits.MAX_ELEMENTS), before any of
    it is built: 10,000 variables would be 10^8 entries and gigabytes."""
    if size * size > limits.MAX_ELEMENTS:
        raise DiffcliError(
            f"a dense Hessian of {size:,} variables has {size * size:,} entries, more than the "
            f"{limits.MAX_ELEMENTS:,} diffcli makes in one value: use hessian --sparse (its non-zeros, "
            "written with --out H.npz), or fewer variables"
        )


def compute(problem: Problem, req: Request, command: str, stage: Stage | None = None) -> Result:
    """The request at the problem's point, in one evaluation; `stage(text)` hears each phase."""
    quick = templated(problem, req, command)
    if quick is not None:
        return quick
    built = build(problem, req, stage=stage)
    if stage is not None:
        stage("evaluating")
    result = Result(command)
    values = evaluate(problem, built.outputs, result, built.probes, built.bindings, built.batched)
    fill(result.data, problem, built, values)
    return result


def templated(problem: Problem, req: Request, command: str) -> Result | None:
    """A long sum of scalar terms of a few shapes: each shape differentiated once and evaluated
    over all its terms (core/template.py). None: the general path (also for a value that is not
    finite, which it then names)."""
    dev = problem.device
    if req.jacobian or req.v is not None or not (req.gradient or req.hessian) or dev.xp is not np:
        return None
    if dev.dtype != np.float64:
        return None
    groups = template.split(problem.output, problem.wrt)
    if groups is None:
        return None
    point = np.array([problem.bindings[w.name] for w in problem.wrt], dtype=np.float64)
    found = template.evaluate(groups, point, bool(req.hessian))
    return None if found is None else templated_result(found, problem.names(), req, command)


def templated_result(found: template.Found, names: list[str], req: Request, command: str) -> Result:
    """The Result of a templated evaluation over scalar variables `names` (in wrt order)."""
    result = Result(command)
    result.data["value"] = np.asarray(found.value)
    result.data["grad"] = dict(zip(names, [np.asarray(g) for g in found.grad.tolist()]))
    if req.hessian:
        from diffcli.core import hessian

        assert found.hessian is not None, "evaluate was asked for the Hessian"
        rows, cols, values = found.hessian
        result.data["wrt"] = names
        if req.hessian == "sparse":
            result.data["hessian"] = hessian.SparseHessian(len(names), rows, cols, values)
        else:
            dense = result.data["hessian"] = np.zeros((len(names), len(names)))
            dense[rows, cols] = values
    return result


def fill(data: dict, problem: Problem, built: Built, values: list) -> None:
    """SPEC's keys, in SPEC's order, from the values of `built.outputs`."""
    names = problem.names()
    data["value"] = values[0]
    if "grad" in built.parts:
        data["grad"] = dict(zip(names, values[built.parts["grad"]]))
    width = problem.layout.size
    if "jacobian" in built.parts:
        entries = [np.asarray(x, dtype=float) for x in values[built.parts["jacobian"]]]
        data["wrt"] = names
        data["jacobian"] = np.array(entries).reshape(built.jacobian_rows, width)
    if "hessian" in built.parts:
        from diffcli.core import hessian

        assert built.basis is not None  # set with the hessian part
        products = hessian.matrix(values[built.parts["hessian"]], len(built.basis), [w.shape for w in problem.wrt])
        data["wrt"] = names
        if built.sparsity is None:
            data["hessian"] = hessian.symmetric(products) if width else np.zeros((0, 0))
        else:
            data["hessian"] = built.sparsity.matrix(products)
    if ("jacobian" in built.parts or "hessian" in built.parts) and any(w.shape != () for w in problem.wrt):
        data["labels"] = problem.labels()


def kink_probes(problem: Problem) -> list:
    """Probes for the kinks of the output's nodes (a backward pass seeded with ones)."""
    f = problem.output
    return kinks.probes(autodiff.backward([(f, f.graph.const(1.0, f.shape))], problem.wrt))


def evaluate(
    problem: Problem,
    nodes: list[Node],
    result: Result,
    probes: Sequence = (),
    bindings: dict | None = None,
    batched: set[str] | frozenset[str] = frozenset(),
) -> list:
    """Values of any nodes at the problem's point (plus `bindings`, with `batched` names
    carrying a batch axis), in one plan with the kink `probes`; a non-finite value adds a
    warning naming the node that produced it, a kink a finding."""
    plan = Plan(list(nodes) + [p for _, _, p in probes], batched, problem.device)
    everything, every = plan.run({**problem.bindings, **(bindings or {})}, keep=True)
    values = [to_numpy(v) for v in everything[: len(nodes)]]
    result.kinks.extend(kinks.findings(problem.text, probes, everything[len(nodes) :]))
    if not all(is_finite(v) for v in values):
        result.warnings.append(nonfinite_note(problem.text, problem.output, plan.order, every))
    return values


class Columns:
    """A request compiled once for many points: each block of rows becomes a table whose
    columns are the value(s) then the derivative entries, flattened (SPEC's column order)."""

    def __init__(self, problem: Problem, req: Request, point_names: list[str]):
        if req.hessian == "sparse":
            raise DiffcliError("--sparse gives one Hessian's coordinates: drop --points, or drop --sparse")
        self.problem, self.req = problem, req
        self.built = build(problem, req, directions=False)
        directions = self.built.batched
        self.plan = Plan(self.built.outputs, set(point_names) | directions, problem.device)
        fixed = {k: v for k, v in {**problem.bindings, **self.built.bindings}.items() if k not in point_names}
        self.hoisted = self.plan.hoisted(fixed)
        template: dict = {}
        fill(
            template,
            problem,
            self.built,
            [np.zeros(n.shape) for n in self.built.outputs] if not directions else self._template_values(),
        )
        self.template = template  # the keys and shapes of one point's result, for JSON Lines
        self.labels = [label for label, _ in columns(template)]
        # what `table` reads besides the plan (and all that a pickled Columns carries)
        self.directions: dict = {}
        if directions:
            products, basis = self.built.products, self.built.basis
            assert products is not None and basis is not None  # set with the hessian part
            self.directions = products.bindings(problem.wrt, basis)
        self.head = self.built.parts["hessian"].start if directions else len(self.built.outputs)

    def __getstate__(self) -> dict:
        """Pickled (Dask ships it to every worker), a Columns is its plan (steps, no graph, no
        parser: see `Plan.__reduce__`), the hoisted values and what `table` reads."""
        return {key: self.__dict__[key] for key in ("plan", "hoisted", "labels", "directions", "head")}

    def _template_values(self) -> list:
        assert self.built.basis is not None  # a Hessian with directions has its basis
        k = len(self.built.basis)
        return [
            np.zeros((k,) + n.shape) if i >= self.built.parts["hessian"].start else np.zeros(n.shape)
            for i, n in enumerate(self.built.outputs)
        ]

    def table(self, block: dict, threads: int = 1) -> np.ndarray:
        """rows x columns for one block of points (name -> array with a leading row axis)."""
        rows = len(next(iter(block.values())))
        if not self.directions:
            values = [to_numpy(v) for v in self.plan.evaluate(block, rows, threads, self.hoisted)]
            return np.concatenate([v.reshape(rows, -1) for v in values], axis=1)
        return self._hessian_table(block, rows, threads)

    def _hessian_table(self, block: dict, rows: int, threads: int) -> np.ndarray:
        """Every (point, direction) pair is one row of the batch: points repeated, directions
        tiled; the value and gradient are read from each point's first direction."""
        k = len(next(iter(self.directions.values())))
        pairs = {name: np.repeat(a, k, axis=0) for name, a in block.items()}
        for name, a in self.directions.items():
            pairs[name] = np.tile(a, (rows,) + (1,) * (a.ndim - 1))
        values = [to_numpy(v) for v in self.plan.evaluate(pairs, rows * k, threads, self.hoisted)]
        head = [v[::k].reshape(rows, -1) for v in values[: self.head]]
        products = np.concatenate([np.asarray(v).reshape(rows, k, -1) for v in values[self.head :]], axis=2)
        dense = np.triu(products) + np.swapaxes(np.triu(products, 1), 1, 2)
        return np.concatenate(head + [dense.reshape(rows, -1)], axis=1)
