"""The formula commands: diff, and grad/hessian/jacobian as formulas (without a full --at
point, or with --det, --latex, --check), and the verdict of --check on a student's answer."""

from __future__ import annotations

from diffcli.cli.spec import Options
from diffcli.compute.problem import load
from diffcli.core.ops import CONSTANTS
from diffcli.errors import DiffcliError
from diffcli.matrix import derive as matrix_derive
from diffcli.render import formulas as view
from diffcli.render import matrixcalc, steps
from diffcli.render import verdict as verdict_view
from diffcli.render.present import present, write
from diffcli.symbolic import matrices
from diffcli.symbolic.checking import check_derivative
from diffcli.symbolic.diff import diff as derivative
from diffcli.symbolic.diff import formula
from diffcli.syntax.points import parse_at, parse_names
from diffcli.syntax.slips import constant_name


def symbolic(command: str, o: Options, read: tuple) -> int:
    """grad, hessian, jacobian as formulas (symbolic/matrices.py): without --at, or in the names
    --at leaves free (the others replaced by their numbers); --det, --latex and --check too."""
    for option in ("v", "classify", "sparse", "only"):
        if getattr(o, option, None):
            raise DiffcliError(f"--{option} needs numbers: give every name a value with --at")
    values = parse_at(o.at)
    for name in values:
        if name in CONSTANTS:
            raise DiffcliError(constant_name(name, f"--at {name}"))
    problem = load(o.expr, None, o.wrt, of=o.of, free=True, read=read, wrt_present=True)
    consts = set(parse_names(o.const, "--const"))
    if consts:  # --const: held fixed, no entry
        kept = [(v, n) for v, n in zip(problem.wrt, problem.names()) if n not in consts]
        problem.wrt, problem.wrt_names = [v for v, _ in kept], [n for _, n in kept]
    if o.check is not None:
        return verdict(matrices.check(problem, command, values, o.check), o.format)
    result = matrices.formulas(problem, command, values, det=getattr(o, "det", False))
    return present(result, o.format, view=view, latex=o.latex)


def verdict(result, fmt: str) -> int:
    """--check's answer: exit 0 when correct, 1 when not (SPEC: a check mismatch)."""
    present(result, fmt, view=verdict_view)
    return 0 if result.data["correct"] else 1


def diff(o: Options) -> int:
    """The derivative as a formula (and its value with --at), or the verdict on an answer (--check)."""
    implicit = o.implicit
    if o.shape or (o.at and not implicit and not o.function and by_array(o)):
        return matrix_diff(o)
    problem = load(
        o.expr,
        o.at,
        None if implicit else o.wrt,
        of=o.of,
        free=True,
        functions=o.function,
        equation=bool(implicit),
        wrt_present=True,
    )
    write(problem.constant_notes())
    if o.check is not None:
        if o.steps:
            raise DiffcliError("--check compares an answer: leave out --steps")
        node = formula(problem, o.order, o.wrt, implicit)
        return verdict(check_derivative(problem, node, o.check), o.format)
    result = derivative(problem, o.order, o.wrt, kinks=o.kinks != "quiet", steps=o.steps, implicit=implicit)
    return present(result, o.format, view=steps if o.steps else None, strict=o.strict, kinks=o.kinks, latex=o.latex)


def by_array(o: Options) -> bool:
    """Whether diff --at differentiates by a vector or a matrix (matrix notation then)."""
    try:
        problem = load(o.expr, o.at, o.wrt, of=o.of, free=True)
    except DiffcliError:
        return False  # the scalar path reports it, in its own words
    return any(v.shape != () for v in problem.wrt) and len(problem.wrt) == 1


def matrix_diff(o: Options) -> int:
    """diff in matrix notation (--shape, or --at with a vector or matrix variable)."""
    if o.implicit or o.function:
        raise DiffcliError("--shape (matrix notation) goes without --implicit and --function")
    ask = matrix_derive.Ask(o.expr, tuple(o.shape or ()), tuple(o.at or ()), tuple(o.wrt or ()), o.order, o.of, o.steps)
    result = matrix_derive.matrix_diff(ask)
    return present(result, o.format, view=matrixcalc, strict=o.strict, kinks=o.kinks, latex=o.latex)
