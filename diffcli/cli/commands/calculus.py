"""jvp, taylor, div, curl and laplacian: forward mode, local models and vector calculus.

Each command gets the option values read by the CLI (cli/spec.py declares them), asks the
library for a `Result` and hands it to the presenter with render/calculus.py as the view."""

from __future__ import annotations

from diffcli.cli.commands.core import inputs
from diffcli.cli.spec import Options
from diffcli.compute.problem import load
from diffcli.compute.request import kink_probes
from diffcli.data import arrays
from diffcli.errors import DiffcliError
from diffcli.learn import plotting
from diffcli.render import calculus as view
from diffcli.render.present import present
from diffcli.symbolic.jvp import jvp as product
from diffcli.symbolic.taylor import curves
from diffcli.symbolic.taylor import taylor as polynomial
from diffcli.symbolic.vectorcalc import compute


def jvp(o: Options) -> int:
    if o.out is not None:
        arrays.file_format(o.out)  # a format it cannot write is refused before the work
    problem = load(o.expr, o.at, o.wrt, o.const, o.of, o.dtype)
    result = product(problem, o.u, kink_probes(problem) if o.kinks != "quiet" else [])
    if o.out is not None:  # J u to the file, the value printed
        arrays.write(o.out, "jvp", result.data.pop("jvp"), problem.labels, inputs=inputs(o))
    return present(result, o.format, view, strict=o.strict, kinks=o.kinks)


def taylor(o: Options) -> int:
    if o.plot:
        plotting.require("--plot")
    problem = load(o.expr, o.at, o.wrt, o.const, o.of)
    result = polynomial(problem, o.order, o.u, kink_probes(problem) if o.kinks != "quiet" else [])
    if o.plot:
        if "coefficients" not in result.data:
            raise DiffcliError("--plot draws a polynomial in one variable: give one variable, or a direction with --u")
        along = "u" in result.data
        name = "t" if along else result.data["wrt"][0]
        centre = 0.0 if along else result.data["at"][name]
        low, high = (centre - (1 if along else 2), centre + (1 if along else 2))
        if o.range:
            _, low, high = plotting.parse_range(o.range)
        grid, values, model = curves(problem, result, low, high)
        plotting.draw_taylor(
            o.plot,
            grid,
            values,
            model,
            name,
            result.data["order"],
            problem.text,
            (problem.source,) if problem.source else (),
        )
    return present(result, o.format, view, strict=o.strict, kinks=o.kinks, latex=o.latex)


def field(command: str, o: Options) -> int:
    if command != "laplacian" and not (o.wrt or o.at):
        raise DiffcliError(f"{command} needs the variable of each component, in order: --wrt x,y,z")
    problem = load(o.expr, o.at, o.wrt, of=o.of, free=True)
    result = compute(problem, command, o.kinks != "quiet")
    return present(result, o.format, view, strict=o.strict, kinks=o.kinks, latex=o.latex)


def div(o: Options) -> int:
    return field("div", o)


def curl(o: Options) -> int:
    return field("curl", o)


def laplacian(o: Options) -> int:
    return field("laplacian", o)
