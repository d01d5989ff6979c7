"""`diff --steps`: the derivation as a student writes it, each step naming its rule.

The expression is read as typed (its graph before any simplification), from the top: each
operation that depends on the variable is one step. A step applies its op's rule (the rule's
name is the op table's `rule`; a product with one constant factor is a constant multiple, a
function of anything but the variable itself is the chain rule, with the outer function's own
rule shown as d/du f(u) = f'(u)); it writes the derivative with the sub-derivatives it needs
left standing (`d/dx(x^2)*sin(3*x) + x^2*d/dx(sin(3*x))`: the op's derivative rule applied
with placeholders, then printed in textbook form), then the steps for those sub-derivatives,
then its result in textbook form. A shared subexpression is derived once. The last line is the
derivative `diff` prints. Higher orders differentiate the printed result again.

Anchor: SymPy Gamma's derivative steps (sympy_gamma app/logic/diffsteps.py); the rules here
are the op table's, not a table of their own.
"""

from __future__ import annotations

from typing import Any

from diffcli.algebra import precedence
from diffcli.algebra.guards import has_where, unguard
from diffcli.algebra.latex import to_latex
from diffcli.algebra.precedence import parenthesize
from diffcli.algebra.text import to_text
from diffcli.algebra.textbook import textbook
from diffcli.core import autodiff
from diffcli.core.graph import Node, topological
from diffcli.core.ops import OPS
from diffcli.errors import DiffcliError
from diffcli.syntax.parse import parse

STEPS_LIMIT = 400  # operations of one expression whose derivation is written out
PLACE = "~D~"  # the variable standing for a sub-derivative while a term is written (no name can be
# this), replaced by d/dx(...) in the text


def wrap(text: str, node: Node, latex: bool = False) -> str:
    """A factor in front of `*`: a sum in parentheses."""
    return parenthesize(text, precedence.of(node) <= precedence.SUM, latex)


def join(terms: list[str]) -> str:
    return " ".join([terms[0]] + [f"- {t[1:]}" if t.startswith("-") else f"+ {t}" for t in terms[1:]])


def derivation(problem, names: list[str]) -> list[dict]:
    """The steps of d/d names[0], then of d/d names[1] of that result, and so on."""
    f = problem.output
    inner = next((name for name in names if name in problem.parsed.names), None)
    if inner is not None:  # the derivation follows the text, whose variables are its names
        raise DiffcliError(
            f"--steps differentiates by variables, and `{inner}` is defined in the expression: "
            f"leave out --steps to differentiate by `{inner}`"
        )
    shapes = {n.name: n.shape for n in topological([f]) if n.op == "var"}
    out: list[dict] = []
    section: list[dict] = []
    for k, name in enumerate(names, start=1):
        if k > 1:  # the next order starts from the printed result, as on paper
            f = parse(
                section[0]["result"], {**shapes, name: ()}, graph=problem.graph, functions=problem.parsed.functions
            ).output
        section = Derivation(f, problem.graph.var(name), k).steps
        out += section
    return out


class Derivation:
    def __init__(self, f: Node, x: Node, order: int):
        self.x, self.order = x, order
        nodes = topological([f])
        if len(nodes) > STEPS_LIMIT:
            raise DiffcliError(
                f"--steps writes out derivations of at most {STEPS_LIMIT} operations; this one has "
                f"{len(nodes)}: leave out --steps, or lower --order"
            )
        if any(n.shape != () for n in nodes):
            raise DiffcliError(
                "--steps needs a scalar expression of scalar variables: leave out --steps for vectors and matrices"
            )
        self.keep = has_where(f)  # the input's own where: the guards in its rules are its own
        self.depends: set[int] = set()
        for n in nodes:
            if n is x or (not OPS[n.op].no_grad and any(id(a) in self.depends for a in n.args)):
                self.depends.add(id(n))
        taken = {n.name for n in nodes if n.op == "var"} | {x.name}
        self.u = next(u for u in ("u", "v", "w", "u1", "u2", "u3") if u not in taken)
        self.done: set[int] = set()
        self.steps: list[dict] = []
        self.visit(f, 0)

    def textbook(self, n: Node) -> Node:
        """n as the textbook prints it, without the rules' guards (algebra/guards.py)."""
        return textbook(n if self.keep else unguard(n)[0])

    def d(self, text: str, latex: bool = False) -> str:
        name = self.x.name
        return f"\\frac{{d}}{{d{name}}}\\left({text}\\right)" if latex else f"d/d{name}({text})"

    def visit(self, n: Node, level: int) -> None:
        expr = {"text": to_text(n, share=False), "latex": to_latex(n, share=False)}
        result = self.textbook(autodiff.gradient(n, [self.x])[0]) if id(n) in self.depends else n.graph.const(0.0)
        step: dict[str, Any] = {
            "order": self.order,
            "wrt": self.x.name,
            "level": level,
            "expr": expr["text"],
            "result": to_text(result, share=False),
            "formula": None,
            "detail": None,
            "latex": {"expr": expr["latex"], "result": to_latex(result, share=False), "formula": None, "detail": None},
        }
        self.steps.append(step)
        if id(n) not in self.depends or n is self.x:
            step["rule"] = "constant" if id(n) not in self.depends else "variable"
            return
        if id(n) in self.done:
            step["rule"] = "shown above"
            return
        self.done.add(id(n))
        needs = [id(a) in self.depends for a in n.args]
        partials = OPS[n.op].pullback(n, n.graph.const(1.0), needs)
        inner = [a for a, need in zip(n.args, needs) if need and a is not self.x]
        step["rule"], detail = self.rule(n, needs)
        if detail is not None:
            step["detail"], step["latex"]["detail"] = detail
        if inner:
            step["formula"], step["latex"]["formula"] = self.formula(n, needs, partials, step["rule"] == "chain")
        for a in inner:
            self.visit(a, level + 1)

    def formula(self, n: Node, needs: list, partials, chain: bool) -> tuple[str, str]:
        """The op's rule applied, term by term in the order of its arguments: each partial
        derivative times the sub-derivative it needs, left standing (the chain rule writes
        f'(u) first, the others as the textbook form of the product: d/dx(x^2)*sin(3*x),
        d/dx(sin(x))/x)."""
        texts, latexes = [], []
        for a, need, partial in zip(n.args, needs, partials):
            if not need or partial is None:
                continue
            shown: Node | None
            if a is self.x:
                shown = self.textbook(partial)
            elif chain:
                written = self.textbook(partial)
                shown = None if written.op == "const" and written.value == 1 else written
            else:
                shown = self.textbook(partial * n.graph.var(PLACE))
            text = to_text(shown, share=False) if shown is not None else ""
            latex = to_latex(shown, share=False) if shown is not None else ""
            if a is not self.x:
                d_text, d_latex = self.d(to_text(a, share=False)), self.d(to_latex(a, share=False), latex=True)
                if chain:
                    text = (wrap(text, shown) + "*" if shown is not None else "") + d_text
                    latex = (wrap(latex, shown, True) + " \\cdot " if shown is not None else "") + d_latex
                else:
                    text, latex = text.replace(PLACE, d_text), latex.replace(PLACE, d_latex)
            texts.append(text)
            latexes.append(latex)
        if not texts:  # derivative 0 everywhere (sign, floor, heaviside): nothing to chain
            return "0", "0"
        return join(texts), join(latexes)

    def rule(self, n: Node, needs: list) -> tuple[str, tuple | None]:
        """The rule's name, and for the chain rule the outer function's own rule as text and LaTeX."""
        op = OPS[n.op]
        count = sum(needs)
        if (n.op == "mul" and count == 1) or (n.op == "div" and not needs[1]):
            return "constant multiple", None
        if n.op == "pow" and needs[0] and needs[1]:
            return "general power (exp and log)", None
        name = "exponential" if n.op == "pow" and not needs[0] else op.rule
        inner = [a for a, need in zip(n.args, needs) if need]
        if n.op in ("add", "sub", "neg", "mul", "div") or count != 1 or inner[0] is self.x:
            return name, None
        u = n.graph.var(self.u)
        outer = n.graph.node(n.op, tuple(u if need else a for a, need in zip(n.args, needs)), n.payload)
        derivative = self.textbook(autodiff.gradient(outer, [u])[0])
        text = f"{name} rule: d/d{self.u} {to_text(outer, share=False)} = {to_text(derivative, share=False)}"
        latex = (
            f"\\text{{{name} rule: }} \\frac{{d}}{{d{self.u}}} {to_latex(outer, share=False)} = "
            f"{to_latex(derivative, share=False)}"
        )
        return "chain", (text, latex)
