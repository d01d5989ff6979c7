"""`div`, `curl` and `laplacian`: vector calculus as formulas (like `diff`) and at a point.

The components of a vector field are the elements of a list output `[F1, F2, F3]`; component i
goes with the i-th --wrt variable. Every partial derivative is reverse mode on the component's
own graph; the results print as text that parses back and as LaTeX, and evaluate at --at.

- divergence: sum_i dF_i/dx_i (any number of components, one variable each);
- curl: three components, (dF3/dy - dF2/dz, dF1/dz - dF3/dx, dF2/dx - dF1/dy); for two
  components the scalar curl dF2/dx - dF1/dy (the plane's rotation);
- laplacian: sum_i d^2 f/dx_i^2 of a scalar f (all its variables unless --wrt names them).
"""

from __future__ import annotations

from diffcli.algebra.latex import to_latex
from diffcli.algebra.text import writable_text
from diffcli.algebra.textbook import textbook
from diffcli.compute.problem import Problem
from diffcli.compute.request import Result, evaluate, kink_probes
from diffcli.core import autodiff
from diffcli.core.graph import Node, apply
from diffcli.errors import DiffcliError

HINTS = {"div": 'div "[x*y, y^2, z]" --wrt x,y,z', "curl": 'curl "[-y, x, 0]" --wrt x,y,z'}


def components(problem: Problem, command: str) -> tuple[list[Node], list[Node]]:
    """(the field's components as scalar nodes, the variable of each), checked."""
    f = problem.output
    if len(f.shape) != 1:
        raise DiffcliError(
            f"{command} needs a vector field written as a list, such as [x*y, y^2, z], not a value of shape {f.shape}"
        )
    wrt = problem.wrt
    if any(w.shape != () for w in wrt):
        raise DiffcliError(f"{command} differentiates by scalar variables: give them with --wrt x,y,z")
    parts = list(f.args) if f.op == "stack" and all(a.shape == () for a in f.args) else autodiff.flat_entries(f)
    if len(parts) != len(wrt):
        raise DiffcliError(
            f"{command}: the field has {len(parts)} components but there are {len(wrt)} variables "
            f"({', '.join(problem.names()) or 'none'}): name one per component in order, as in "
            f"`{HINTS.get(command, command)}`"
        )
    return parts, wrt


def partial(n: Node, v: Node) -> Node:
    (d,) = autodiff.gradient(n, [v])
    return d


def divergence(problem: Problem) -> Node:
    parts, wrt = components(problem, "div")
    total = None
    for component, v in zip(parts, wrt):
        d = partial(component, v)
        total = d if total is None else apply("add", total, d)
    if total is None:
        raise DiffcliError("div needs a vector field of at least one component")
    return total


def curl(problem: Problem) -> list[Node]:
    parts, wrt = components(problem, "curl")
    if len(parts) == 2:
        (p, q), (x, y) = parts, wrt
        return [apply("sub", partial(q, x), partial(p, y))]
    if len(parts) != 3:
        raise DiffcliError(f"curl needs a field of three components (or two, for the plane), not {len(parts)}")
    (p, q, r), (x, y, z) = parts, wrt
    return [
        apply("sub", partial(r, y), partial(q, z)),
        apply("sub", partial(p, z), partial(r, x)),
        apply("sub", partial(q, x), partial(p, y)),
    ]


def laplacian(problem: Problem) -> Node:
    f = problem.output
    if f.shape != ():
        raise DiffcliError(
            f"laplacian needs a scalar expression, but this one has shape {f.shape}; for a field "
            "take the laplacian of each component"
        )
    if any(w.shape != () for w in problem.wrt):
        raise DiffcliError("laplacian differentiates by scalar variables: give them with --wrt x,y,z")
    if problem.intermediates():  # a second derivative by a name defined in the expression
        raise DiffcliError(
            f"laplacian differentiates by variables, and `{problem.intermediates()[0]}` is defined "
            "in the expression: leave it out of --wrt"
        )
    total = f.graph.zeros(())
    for v in problem.wrt:
        total = apply("add", total, partial(partial(f, v), v))
    return total


def compute(problem: Problem, command: str, kinks: bool = True) -> Result:
    """The formula (text, LaTeX), the variables, and the value where --at gives the point."""
    if command == "curl":
        nodes = curl(problem)
    else:
        nodes = [divergence(problem) if command == "div" else laplacian(problem)]
    key = {"div": "divergence", "curl": "curl", "laplacian": "laplacian"}[command]
    printed = [textbook(n) for n in nodes]  # as `diff` prints its derivatives
    texts = [writable_text(n) for n in printed]
    latex = [to_latex(n) for n in printed]
    vector = command == "curl" and len(nodes) == 3
    result = Result(
        command,
        {
            key: texts if vector else texts[0],
            "latex": ("\\begin{bmatrix} " + " \\\\ ".join(latex) + " \\end{bmatrix}") if vector else latex[0],
            "wrt": problem.names(),
        },
    )
    if problem.bindings:
        values = evaluate(problem, nodes, result, kink_probes(problem) if kinks else [])
        result.data["value"] = values if vector else values[0]
    return result
