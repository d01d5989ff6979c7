"""uncertainty, solve and critical: derivatives at work (diffcli/work/).

Each command reads its options, builds the library's typed inputs, runs it, and hands the
`Result` to its presenter (render/work.py, render/solving.py).
"""

from __future__ import annotations

import math

import numpy as np

from diffcli.cli.commands.learn import trace_file
from diffcli.cli.spec import Options
from diffcli.compute.problem import load, read_expression
from diffcli.compute.request import Result
from diffcli.core.ops import CONSTANTS
from diffcli.data.datafile import CsvTable
from diffcli.errors import DiffcliError
from diffcli.render import critical as critical_view
from diffcli.render import solving as solving_view
from diffcli.render import work as work_view
from diffcli.render.present import present
from diffcli.syntax.parse import names_used
from diffcli.syntax.points import is_name, parse_at, parse_value, split_top
from diffcli.work import quantities as q
from diffcli.work.coverage import coverage_factor
from diffcli.work.critical import Box, critical_points
from diffcli.work.model import Model
from diffcli.work.montecarlo import monte_carlo
from diffcli.work.report import propagation_latex
from diffcli.work.solve import observed_order
from diffcli.work.solve import solve as run_solve
from diffcli.work.uncertainty import Setup, propagate


def expansion(o: Options) -> tuple[float | None, float | None]:
    if o.k is not None and o.level is not None:
        raise DiffcliError("give --k or --level, not both")
    if o.level is not None and not 0 < o.level < 1:
        raise DiffcliError(f"--level {o.level}: a coverage probability between 0 and 1, such as 0.95")
    return o.k, o.level


def uncertainty(o: Options) -> int:
    """Propagate the inputs' standard uncertainties through EXPR (GUM), at a point or per row."""
    k, level = expansion(o)
    if o.points:
        return uncertainty_points(o, k, level)
    if not o.at:
        raise DiffcliError('give the measured values with --at, such as --at "L=1.000±0.002,T=2.006±0.004"')
    given = q.parse_quantities(o.at)
    inputs = [x for x in given if x.u is not None]
    names = [x.name for x in inputs]
    if o.cov and o.corr:
        raise DiffcliError("give the correlations by --corr or the whole covariance by --cov, not both")
    problem = load(o.expr, [f"{x.name}={x.value!r}" for x in given], wrt=names, of=o.of)
    second = bool(o.second_order)
    model = Model(problem, order=2 if second else 1, third=second)
    if second and model.vector:
        raise DiffcliError("--second-order works on a scalar EXPR: give one output")
    u = np.array([x.u for x in inputs])
    if o.cov:
        cov = q.covariance_matrix(o.cov, inputs)
        corr = np.divide(cov, np.outer(u, u), out=np.eye(len(u)), where=np.outer(u, u) > 0)
    else:
        corr = q.correlation_matrix(o.corr, names)
        cov = corr * np.outer(u, u)
    dof = q.degrees_of_freedom(o.dof, names)
    kinds = q.distributions(o.dist, names)
    if (kinds or o.seed is not None) and not o.mc:
        raise DiffcliError("--dist and --seed are for the Monte Carlo method: add --mc N (such as --mc 1e6)")
    result = propagate(model, inputs, Setup(cov, dof, k, level, second))
    if o.mc:
        result.data["mc"] = monte_carlo(model, inputs, cov, kinds, dof, o.mc, o.seed, level or 0.95)
    if o.latex:
        if model.vector:
            raise DiffcliError("--latex writes the formula of a scalar EXPR")
        result.data["latex"] = propagation_latex(model, names, corr)
    return present(result, o.format, work_view, strict=o.strict, latex=bool(o.latex))


def uncertainty_points(o: Options, k: float | None, level: float | None) -> int:
    """One result per row of a lab table: columns NAME and u_NAME (the standard uncertainty)."""
    for option in ("mc", "second_order", "latex", "cov", "dist", "dof"):
        if getattr(o, option):
            raise DiffcliError(f"--{option.replace('_', '-')} works at one point: drop it or --points")
    text, source = read_expression(o.expr)
    used = set(names_used(text))
    with CsvTable(o.points, f"--points {o.points}") as table:
        columns = [h for h in table.header if h in used]
        uncertain = [h for h in columns if f"u_{h}" in table.header]
        if not uncertain:
            raise DiffcliError(
                f"--points {o.points}: no column u_NAME gives the uncertainty of a variable of EXPR "
                f"(the header has {', '.join(table.header)}): add columns such as u_{columns[0] if columns else 'L'}"
            )
        data = table.columns(columns + [f"u_{h}" for h in uncertain])
    rows = len(data[columns[0]])
    problem = load(o.expr, o.at, wrt=uncertain, of=o.of, points={h: () for h in columns}, read=(text, source))
    model = Model(problem)
    if model.vector:
        raise DiffcliError("uncertainty --points works on a scalar EXPR: give one output")
    value, *grads = model.many({h: data[h] for h in columns}, rows)
    corr = q.correlation_matrix(o.corr, uncertain)
    parts = np.stack([g * data[f"u_{h}"] for g, h in zip(grads, uncertain)], axis=1)
    u = np.sqrt(np.einsum("ri,ij,rj->r", parts, corr, parts))
    header, out = ["value", "u"], [value, u]
    factor = k if k is not None else coverage_factor(level) if level is not None else None
    if factor is not None:
        header.append("U")
        out.append(factor * u)
    result = Result("uncertainty", {"header": header, "rows": np.stack(out, axis=1).tolist()})
    bad = int((~np.isfinite(np.stack(out))).any(axis=0).sum())
    if bad:
        result.warnings.append(f"the value or its uncertainty is not finite in {bad} of {rows} rows")
    return present(result, o.format, work_view, strict=o.strict)


def solve(o: Options) -> int:
    """f(x) = 0 by Newton's method (secant, Halley for one equation) from the --at point, with
    the iteration table; exit 3 with the point reached when it does not converge."""
    if not o.at:
        raise DiffcliError("give the starting point with --at, such as --at x=2")
    problem = load(o.expr, o.at, of=o.of, equation=True)
    model = Model(problem, order=2 if o.method == "halley" else 1)
    with trace(o.trace, model.names, problem.source) as row:
        solution = run_solve(model, o.method, o.tol, o.max_iter, not o.no_line_search, callback=row)
    p, words, rate = observed_order(solution)
    last = solution.last
    result = Result(
        "solve",
        {
            "root": dict(zip(model.names, last["x"])),
            "residual": last["residual"],
            "iterations": last["k"],
            "converged": solution.converged,
            "method": o.method,
            "order": p,
            "order_words": words,
            "table": solution.rows,
        },
    )
    if solution.failure:
        result.data["failure"] = solution.failure
    code = present(result, o.format, solving_view)
    if not solution.converged:
        point = ", ".join(f"{n}={v!r}" for n, v in zip(model.names, last["x"]))
        raise DiffcliError(f"no root found: {solution.failure}; the point reached: {point}", exit_code=3)
    return code


def trace(path, names, source):
    """--trace FILE: one row per iteration (k, the variables, |f|), as minimize writes its steps."""

    class Rows:
        def __init__(self):
            self.context = trace_file(path, list(names), (source,) if source else (), "k", "residual")

        def __enter__(self):
            write = self.context.__enter__()
            return lambda row: write(row["k"], row["x"], row["residual"])

        def __exit__(self, *exc):
            return self.context.__exit__(*exc)

    return Rows()


def parse_box(text: str, names: list[str]) -> Box:
    """--range `x=-3:3,y=-3:3` -> a box; every variable of EXPR not bound by --at needs one."""
    low, high, seen = [], [], []
    for part in split_top(text):
        name, eq, bounds = (s.strip() for s in part.partition("="))
        lo, colon, hi = bounds.partition(":")
        if not eq or not colon or not is_name(name):
            raise DiffcliError(f"--range: write NAME=LOW:HIGH for each variable, such as x=-3:3,y=-3:3, not `{part}`")
        a, b = (float(parse_value(v, f"--range {name}")) for v in (lo, hi))
        if not (math.isfinite(a) and math.isfinite(b) and a < b):
            raise DiffcliError(f"--range {name}: LOW must be below HIGH, both finite, not {lo}:{hi}")
        if name in seen:
            raise DiffcliError(f"--range: `{name}` is given twice")
        seen.append(name)
        low.append(a)
        high.append(b)
    missing = [n for n in names if n not in seen]
    if missing:
        raise DiffcliError(
            f"--range: `{missing[0]}` has no interval: give one for every variable, such as {missing[0]}=-3:3 "
            "(or fix it with --at)"
        )
    return Box(tuple(seen), np.array(low), np.array(high))


def lagrangian(text: str, constraints: list[str], taken: set) -> tuple[str, list[str]]:
    """`(f) - lambda1*((lhs) - (rhs)) - ...` and the multipliers' names."""
    names, terms = [], []
    for k, equation in enumerate(constraints, 1):
        sides = equation.split("=")
        if len(sides) != 2 or not sides[0].strip() or not sides[1].strip():
            raise DiffcliError(
                f'--subject-to: give an equation with one `=`, such as "x^2 + y^2 = 1", not `{equation}`'
            )
        name = f"lambda{k}"
        while name in taken:
            name = "_" + name
        names.append(name)
        terms.append(f" - {name}*(({sides[0]}) - ({sides[1]}))")
    return f"({text})" + "".join(terms), names


def critical(o: Options) -> int:
    """Every critical point of EXPR in the --range box, classified; --subject-to: constrained."""
    text, source = read_expression(o.expr)
    used = names_used(text) + [n for c in o.subject_to or [] for n in names_used(c.replace("=", "-", 1))]
    fixed = parse_at(o.at)
    free = [n for n in dict.fromkeys(used) if n not in fixed and n not in CONSTANTS]
    box = parse_box(o.range, free)
    if o.subject_to:
        if o.of or "\n" in text.strip() or ";" in text:
            raise DiffcliError("--subject-to works with EXPR as one expression (not a file of statements)")
        if len(o.subject_to) >= len(box.names):
            raise DiffcliError("--subject-to: give fewer constraints than variables")
        text, lambdas = lagrangian(text, o.subject_to, set(used))
    else:
        lambdas = []
    centre = (box.low + box.high) / 2
    at = [*(o.at or []), *(f"{n}={v!r}" for n, v in zip(box.names, centre.tolist())), *(f"{n}=0" for n in lambdas)]
    problem = load(o.expr, at, wrt=[*box.names, *lambdas], of=o.of, read=(text, source))
    model = Model(problem, order=2)
    if model.vector:
        raise DiffcliError("critical needs a scalar EXPR")
    found = critical_points(model, box, len(lambdas), o.starts, o.tol, o.seed)
    result = Result("critical", {k: v for k, v in found.items() if k != "notes"})
    result.data["range"] = {n: [float(a), float(b)] for n, a, b in zip(box.names, box.low, box.high)}
    result.data["constraints"] = list(o.subject_to or [])
    result.notes.extend(found["notes"])
    return present(result, o.format, critical_view)
