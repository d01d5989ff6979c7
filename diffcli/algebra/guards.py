"""The guards that keep a derivative's numbers finite at the edges, taken out of the printed formula.

Three derivative rules mask by a condition so that the evaluated DAG has PyTorch's values where
the textbook formula has none: pow's exponent rule takes log 0 as 0 (`log(where(a == 0, 1, a))`,
autograd's replace_zero: d/db 0^b is 0, not 0*log(0)), and hypot's rule takes x/hypot(x, y) as
0 at the origin (`where(h == 0, 0, g/h)`), and pow's base rule takes d/da a^b as 0 at a = b = 0
(`where((a == 0)*(b == 0), 0, b*a^(b - 1))`, PyTorch's value). A textbook writes `log(a)` and `x/hypot(x, y)`:
At higher orders where's own rule carries each guard's condition into the next derivative
(where(a == 0, 0, g/where(a == 0, 1, a)), where(a == 0, 0, (b - 1)*b*a^(b - 2))), and the
log's rule divides by the guarded operand itself: those are guards too.
`unguard` rebuilds a derivative with each guard replaced by the textbook operand and lists the
guards, so the caller can say (in a note under the formula) when the point sits on one. The
evaluated DAG keeps its guards; only the printed one loses them, and it gives the same numbers
wherever the function is differentiable.
"""

from __future__ import annotations

from typing import NamedTuple

from diffcli.core.graph import Node, is_one, is_zero, topological

NORMS = ("hypot", "norm")  # the ops whose rules guard x/|x| at 0


class Guard(NamedTuple):
    """A guard taken out: `kind` ("log" or "zero") and the node that is 0 on the edge."""

    kind: str
    edge: Node


def guard_of(n: Node) -> tuple[Guard, Node] | None:
    """(the guard, the textbook operand) when n is one of the rules' guards, else None."""
    if n.op != "where":
        return None
    cond, if_edge, otherwise = n.args
    conds = cond.args if cond.op == "mul" else (cond,)
    if not is_zero(if_edge) or not all(c.op == "eq" and is_zero(c.args[1]) for c in conds):
        return None
    edge = conds[0].args[0]
    if edge.op in NORMS:
        # where(h == 0, 0, g/h): g/h, for the norms
        return (Guard("zero", edge), otherwise) if divides(otherwise, edge) else None
    if n.shape != ():
        return None  # prod's rule masks a quotient too, and there the mask is the formula
    # In a scalar derivative only pow's rules mask by a == 0: its base rule at 0^0
    # (where((a == 0)*(b == 0), 0, b*a^(b - 1)), where(x == 0, 0, ...) for x^x) and, at
    # higher orders, where's own rule over either guard (where(a == 0, 0, g/where(a == 0, 1, a))
    # for the log guard's operand), whatever the simplifier made of the masked term.
    return Guard("log" if holds_log_guard(otherwise, edge) else "power", edge), otherwise


def log_guard(n: Node) -> tuple[Guard, Node] | None:
    """(the guard, log(a)) when n is pow's log(where(a == 0, 1, a)), else None. Only under a
    log: prod's rule guards its quotient the same way, and there the guard is the formula."""
    if n.op == "log" and log_operand(n.args[0]) is not None:
        return Guard("log", n.args[0].args[2]), n.args[0].args[2]
    return None


def operand_guard(n: Node) -> tuple[Guard, Node] | None:
    """(the guard, a) when n is a scalar where(a == 0, 1, a) outside a log: the log guard's
    operand, which the log's own rule divides by at higher orders (g/where(a == 0, 1, a))."""
    a = log_operand(n) if n.shape == () else None
    return None if a is None else (Guard("log", a), a)


def log_operand(n: Node) -> Node | None:
    """a when n is pow's where(a == 0, 1, a), the operand its log guard keeps nonzero."""
    if n.op != "where":
        return None
    cond, if_edge, otherwise = n.args
    if cond.op == "eq" and is_zero(cond.args[1]) and is_one(if_edge) and otherwise is cond.args[0]:
        return otherwise
    return None


def holds_log_guard(n: Node, edge: Node) -> bool:
    """Whether n holds pow's where(edge == 0, 1, edge)."""
    return any(log_operand(m) is edge for m in topological([n]))


def divides(n: Node, edge: Node) -> bool:
    """Whether `edge` is a denominator in n (g/h, g/h^3, h^-1): the guard keeps a 0/0 out."""
    for m in topological([n]):
        if m.op == "div" and (m.args[1] is edge or (m.args[1].op == "pow" and m.args[1].args[0] is edge)):
            return True
        if m.op == "pow" and m.args[0] is edge and m.args[1].is_const and m.args[1].value < 0:
            return True
    return False


def has_where(root: Node) -> bool:
    """Whether a node (the user's input) holds a `where` of its own: its guards are then its own."""
    return any(n.op == "where" for n in topological([root]))


def unguard(root: Node) -> tuple[Node, list[Guard]]:
    """root with every guard replaced by its textbook operand (simplified again), and the
    guards taken out, in order of appearance."""
    done: dict[int, Node] = {}
    guards: list[Guard] = []
    graph = root.graph
    for n in topological([root]):
        found = guard_of(n) or operand_guard(n)
        logged = log_guard(n)
        if found is not None:
            guards.append(found[0])
            done[id(n)] = done[id(found[1])]
        elif logged is not None:
            guards.append(logged[0])
            done[id(n)] = graph.node("log", (done[id(logged[1])],), n.payload, True)
        elif not n.args:
            done[id(n)] = n
        else:
            args = tuple(done[id(a)] for a in n.args)
            done[id(n)] = n if all(a is b for a, b in zip(args, n.args)) else graph.node(n.op, args, n.payload, True)
    return done[id(root)], guards


NOTES = {
    "log": "the formula's log({edge}) is undefined where {edge} = 0, as at this point; the value printed is "
    "the limit convention diffcli and PyTorch use there (log 0 taken as 0: the exponent's term is 0 where the base is 0)",
    "power": "the formula's power {edge}^(exponent - 1) is undefined at {edge} = 0 with the exponent 0, as at "
    "this point; the value printed is 0, the derivative of {edge}^0 = 1 (PyTorch's value there)",
    "zero": "the formula divides by {edge} = 0 at this point; the value printed takes that term as 0 "
    "(the convention diffcli and PyTorch use at the edge)",
}


def note(guard: Guard, edge_text: str) -> str:
    """The note under a formula whose point sits on a guard's edge."""
    return NOTES[guard.kind].format(edge=edge_text)
