"""Local derivatives, derived from the ops' own derivative rules (`Op.vjp`), for `explain`.

An op's rule is called once on a node built over placeholder variables in a throwaway
`Graph()` (x for one argument; a, b, c, ... for more), with the shapes and payload of the node
being explained; the derivative rule's simplifying constructors shape the result. Three kinds:

- "factor": an elementwise op, called with g = the constant 1. Each result is the local
  derivative, a factor of the incoming adjoint: sin gives cos(x), tanh gives 1 - y^2 once the
  node itself is written y.
- "whole": any other op, called with g a placeholder variable shaped like the node. Each result
  names g and is the whole contribution (softmax: y*(g - sum(g*y)); [a, b] gives g[0], g[1]).
- "route": a one-argument op whose rule only moves g (x[i], a transpose, the broadcasts that
  derivative rules insert, a full sum): the local derivative is 1 per moved element, and the
  renderer shows where the rule routes the adjoint. The expression language cannot write most
  of these moves (scatter, transpose), so a factor 1 is what reads.

Templates are rebuilt over other nodes with `substitute`: names for display (where the
broadcast of a single number is left implicit, as in numpy), the real arguments for numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from diffcli.core.graph import Graph, Node, topological
from diffcli.core.ops import OPS

ARG_NAMES = {1: ("x",), 2: ("a", "b"), 3: ("a", "b", "c")}
NODE_NAME = "y"  # the node itself, in a template's text
ADJOINT_NAME = "g"  # the incoming adjoint, in a "whole" template's text


@dataclass(frozen=True)
class Local:
    """An op's derivative rule over placeholders: `parts[i]` is argument i's template (None
    where the rule gives no derivative); `kind` is factor, whole or route."""

    kind: str
    node: Node  # the op over the placeholders
    args: tuple  # the placeholder variables
    g: Node  # the adjoint the rule was called with: the constant 1 or a placeholder
    parts: tuple

    def bind(self, node: Node, args: Sequence[Node], g: Node | None = None) -> dict:
        """A substitution map: the node and the placeholders to `node`, `args` (and g to `g`)."""
        mapping = {id(self.node): node}
        mapping.update((id(p), a) for p, a in zip(self.args, args))
        if g is not None and self.kind == "whole":
            mapping[id(self.g)] = g
        return mapping


def arg_names(count: int) -> tuple:
    return ARG_NAMES.get(count) or tuple(f"a{i + 1}" for i in range(count))


def derive(op_name: str, shapes: tuple, payload: Any = None) -> Local:
    """The local derivatives of op `op_name` with arguments of `shapes` (and its payload)."""
    op = OPS[op_name]
    graph = Graph()
    args = tuple(graph.var(name, tuple(shape)) for name, shape in zip(arg_names(len(shapes)), shapes))
    node = graph.node(op_name, args, payload)
    if op.elementwise:
        g = graph.const(1.0)
        return Local("factor", node, args, g, tuple(op.pullback(node, g, (True,) * len(args))))
    g = graph.var(ADJOINT_NAME, node.shape)
    parts = tuple(op.pullback(node, g, (True,) * len(args)))
    if len(args) == 1 and any(p is not None for p in parts) and all(p is None or moves(p, g) for p in parts):
        return Local("route", node, args, g, tuple(None if p is None else graph.const(1.0) for p in parts))
    return Local("whole", node, args, g, parts)


def moves(part: Node, g: Node) -> bool:
    """Whether `part` is g with its elements moved and nothing computed: every node between is a
    one-argument linear op that no one calls by name (index, scatter, transpose, the
    broadcasts), or a sum over axes of length 1."""
    for n in topological([part]):
        if n is g:
            continue
        op = OPS[n.op]
        moving = op.arity == 1 and op.linear is True and not op.elementwise and not op.user
        unit_sum = n.op == "sum" and all(k == 1 for k in n.args[0].shape[len(n.shape) :])
        if not (moving or unit_sum):
            return False
    return True


def substitute(
    template: Node,
    mapping: dict,
    graph: Graph,
    simplify: bool = False,
    implicit: bool = False,
    spell: Callable[[Node], Node] | None = None,
) -> Node:
    """`template` rebuilt bottom up in `graph` with the nodes of `mapping` (id -> node)
    replaced. `simplify` lets `2*x^1` read `2*x` once numbers are in; `implicit` (display)
    drops the broadcast of a single number, which a formula leaves to numpy's rules; `spell`
    replaces the other `expand` nodes (axes appended on the right, which numpy's broadcasting
    of the printed `g + [[0], [0]]` would not line up), e.g. by a name that says expand(g)."""
    done: dict[int, Node] = {}
    for n in topological([template]):
        if id(n) in mapping:
            done[id(n)] = mapping[id(n)]
        elif n.is_const:
            done[id(n)] = graph.const(n.value, n.shape)
        elif n.op == "var":
            done[id(n)] = graph.var(n.name, n.shape)
        else:
            args = tuple(done[id(a)] for a in n.args)
            if implicit and OPS[n.op].print.kind == "padded" and args[0].shape == ():
                done[id(n)] = args[0]
            else:
                done[id(n)] = graph.node(n.op, args, n.payload, simplify)
                if spell is not None and done[id(n)].op == "expand":
                    done[id(n)] = spell(done[id(n)])
    return done[id(template)]


def shown(local: Local, i: int) -> Node | None:
    """Argument i's template as displayed: the node written y, broadcasts of numbers implicit
    (in a graph of its own, so that the template's node is not rebuilt)."""
    part = local.parts[i]
    if part is None:
        return None
    graph = Graph()
    mapping = local.bind(
        graph.var(NODE_NAME, local.node.shape),
        [graph.var(a.name, a.shape) for a in local.args],
        graph.var(ADJOINT_NAME, local.g.shape),
    )
    return substitute(part, mapping, graph, implicit=True)
