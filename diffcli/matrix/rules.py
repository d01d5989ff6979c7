"""The matrix rules a derivative uses, for `diff --steps` in matrix notation: one step per
operation between the variable and the output, outermost first, each rule named with its
differential (text that parses as the language writes it, and LaTeX)."""

from __future__ import annotations

import re

from diffcli.algebra.latex import to_latex
from diffcli.algebra.text import to_text
from diffcli.core.autodiff import requires_grad
from diffcli.core.graph import Node, topological
from diffcli.matrix import printer
from diffcli.matrix.reading import from_node
from diffcli.matrix.terms import NoMatrixForm

ELEMENTWISE_RULE = ("chain rule, elementwise", "d f(U) = f'(U)*dU", "d f(U) = f'(U) \\odot dU")

# op -> (rule, differential as text, as LaTeX); U, V are the arguments, dU their differentials
RULES = {
    "matmul": ("product rule for matrices", "d(U@V) = dU@V + U@dV", "d(UV) = dU\\,V + U\\,dV"),
    "mul": ("product rule, elementwise", "d(U*V) = dU*V + U*dV", "d(U \\odot V) = dU \\odot V + U \\odot dV"),
    "div": (
        "quotient rule, elementwise",
        "d(U/V) = dU/V - U*dV/V^2",
        "d(U \\oslash V) = dU \\oslash V - U \\odot dV \\oslash V^{2}",
    ),
    "add": ("sum rule", "d(U + V) = dU + dV", "d(U + V) = dU + dV"),
    "sub": ("sum rule", "d(U - V) = dU - dV", "d(U - V) = dU - dV"),
    "neg": ("sum rule", "d(-U) = -dU", "d(-U) = -dU"),
    "transpose": ("transpose rule", "d transpose(U) = transpose(dU)", "d(U^\\top) = (dU)^\\top"),
    "sum": ("sum rule", "d sum(U) = sum(dU)", "d\\,\\mathbf{1}^\\top U = \\mathbf{1}^\\top dU"),
    "pow": ("power rule, elementwise", "d U^p = p*U^(p - 1)*dU", "d\\,U^{p} = p\\,U^{p-1} \\odot dU"),
    "norm": ("norm rule", "d norm(U) = U@dU/norm(U)", "d\\|U\\| = \\frac{U^\\top dU}{\\|U\\|}"),
    "softmax": (
        "softmax rule",
        "d softmax(U) = (diag(s) - outer(s, s))@dU, s = softmax(U)",
        "d\\,s = (\\operatorname{diag}(s) - s s^\\top)\\,dU",
    ),
    "logsumexp": (
        "log-sum-exp rule",
        "d logsumexp(U) = softmax(U)@dU",
        "d \\log \\mathbf{1}^\\top e^{U} = \\operatorname{softmax}(U)^\\top dU",
    ),
    "trace": (
        "trace rule (cycling)",
        "d trace(U) = trace(dU); trace(A@B) = trace(B@A)",
        "d\\operatorname{tr}U = \\operatorname{tr}dU",
    ),
    "det": (
        "chain rule through det",
        "d det(U) = det(U)*trace(inv(U)@dU)",
        "d\\det U = \\det U\\,\\operatorname{tr}(U^{-1} dU)",
    ),
    "logdet": ("log-det rule", "d logdet(U) = trace(inv(U)@dU)", "d\\log\\det U = \\operatorname{tr}(U^{-1} dU)"),
    "inv": ("inverse rule", "d inv(U) = -inv(U)@dU@inv(U)", "d\\,U^{-1} = -U^{-1}\\,dU\\,U^{-1}"),
    "solve": (
        "inverse rule (solve)",
        "d solve(U, V) = solve(U, dV - dU@solve(U, V))",
        "d(U^{-1}V) = U^{-1}(dV - dU\\,U^{-1}V)",
    ),
    "kron": (
        "product rule for the Kronecker product",
        "d kron(U, V) = kron(dU, V) + kron(U, dV)",
        "d(U \\otimes V) = dU \\otimes V + U \\otimes dV",
    ),
    "outer": (
        "product rule (outer)",
        "d outer(U, V) = outer(dU, V) + outer(U, dV)",
        "d(UV^\\top) = dU\\,V^\\top + U\\,dV^\\top",
    ),
    "diag": ("linear rule", "d diag(U) = diag(dU)", "d\\operatorname{diag}U = \\operatorname{diag}dU"),
    "einsum": (
        "product rule (multilinear)",
        "d einsum(U, V) = einsum(dU, V) + einsum(U, dV)",
        "d(U \\cdot V) = dU \\cdot V + U \\cdot dV",
    ),
    "reshape": ("linear rule", "d reshape(U) = reshape(dU)", "d\\operatorname{vec}U = \\operatorname{vec}dU"),
}
# issue 28's primitives, named by the matrix operation they spell
PRIMITIVE = {"diagonal": "diag", "diag_embed": "diag", "permute": "transpose"}


def steps(f: Node, v: Node, symbols: dict) -> list[dict]:
    """One step per operation on a path from v to f, outermost first."""
    order = topological([f])
    needs = requires_grad(order, [v])
    out: list[dict] = []
    traced: set = set()
    for n in reversed(order):
        if id(n) not in needs or not n.args or n.op in ("var", "const"):
            continue
        if n.op == "diagonal" and id(n) in traced:
            continue  # the trace's own diagonal, named with the trace
        kind = rule_of(n)
        if kind == "trace":
            traced.add(id(n.args[0]))
        rule, text, latex = RULES.get(kind, ELEMENTWISE_RULE)
        shown = written(n, symbols)
        out.append(
            {
                "rule": rule,
                "expr": shown[0],
                "formula": text,
                "latex": {"expr": shown[1], "formula": latex},
            }
        )
    return out


def rule_of(n: Node) -> str:
    """The matrix rule of an operation: sum(diagonal(U)) is the trace, einsum(i,j->ij) the outer product."""
    if n.op == "sum" and n.args[0].op == "diagonal":
        return "trace"
    if n.op == "einsum" and str(n.payload) == "i,j->ij":
        return "outer"
    return PRIMITIVE.get(n.op, n.op)


def written(n: Node, symbols: dict) -> tuple[str, str]:
    """A subexpression in matrix notation where it has one (trace(A@X), not sum(diagonal(...))),
    else as the textbook printer writes it."""
    try:
        term = from_node(n)
        return printer.text(term, symbols), printer.latex(term, symbols)
    except NoMatrixForm:
        return sized(to_text(n), symbols), sized(to_latex(n), symbols)


def sized(text: str, symbols: dict) -> str:
    """A printed subexpression with stand-in sizes (a literal's shape) written as symbols."""
    for k, name in symbols.items():
        text = re.sub(rf"\b{k}\b", name, text)
    return text
