"""The record of one operation (`Op`) and of one of its kinks (`Kink`), and the registry.

Every fact about an op is a field of its entry: shape rule, forward rule, derivative rule,
simplification, folding, cheap kernels, linearity and no-grad flags, print form (with a named
precedence), LaTeX form, PyTorch-style `grad_fn` name, domain and kinks, one line of doc. The
entries themselves live in the modules of this package grouped by family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Sequence

from diffcli.core.graph import REGISTRY, Node, broadcast_shapes
from diffcli.core.ops import elements as element_maps

OPS: dict[str, "Op"] = REGISTRY


class Print:
    """How an op is written. `kind`: "infix" (a symbol between two operands), "prefix" (a
    symbol before one), "call" (`name(args)`, `symbol` overriding the name), "primed" (a call
    whose payload counts derivatives: `sinc''(x)`, `f'(u)`; see ops/special.py), or one of the
    forms the printers know (number, name, index, list, reduction, padded, full_sum); `precedence`
    names a row of the printers' table (render/precedence.py): compare, sum, product, unary,
    power, atom. (A plain class: one per op, read-only by convention.)"""

    __slots__ = ("kind", "symbol", "precedence")

    def __init__(self, kind: str = "call", symbol: str = "", precedence: str = "atom"):
        self.kind, self.symbol, self.precedence = kind, symbol, precedence


CALL = Print()


@dataclass
class Op:
    name: str
    arity: int | None  # None: any number of arguments
    # forward rule: the name of a function of the array namespace (a ufunc where numpy has one),
    # or a callable (device, node, *values); `overrides` maps a backend name (numpy, cupy) to
    # a callable used on that backend instead
    forward: Callable | str
    vjp: Callable | None  # (node, g, needs) -> one contribution (or None) per argument
    doc: str
    shape: Callable | None = None  # (arg shapes, payload) -> shape; default: broadcast
    elementwise: bool = True
    simplify: Callable | None = None  # (args, payload, shape) -> Node | None
    fold: Callable | None = None  # Python-float version for folding constants (cheaper than numpy)
    exact: Callable | None = None  # exact version on Fractions (None: no exact result), folds typed decimals
    kernel: Callable | None = None  # node -> (ufunc name, argument positions): a cheaper call
    linear: bool | Callable = False  # linear in its inputs (or (node, needs) -> bool): no Hessian coupling
    # node -> per argument, which of its elements each element of the node draws on (ops/elements.py);
    # None: broadcasting for an elementwise op, every element of every argument for another
    elements: Callable | None = None
    no_grad: bool = False  # the result never requires grad (comparisons, detach)
    grad_fn: str | Callable = ""  # PyTorch 2.13's name, or node -> name where it depends on the arguments
    rule: str = ""  # the derivative rule's name in a textbook (`diff --steps`): "product", "trigonometric"
    print: Print = CALL
    latex: str = ""  # format string over the printed arguments {0}, {1}, ...
    domain: tuple = (-2.0, 2.0)  # where tests sample the arguments (derivative defined there)
    defined: str = ""  # where the value is real and finite, in words, for the reference ("" everywhere)
    user: bool = True  # callable by name from an expression
    kinks: tuple = ()  # Kink entries: points where the op is not differentiable
    overrides: dict = field(default_factory=dict)
    aliases: tuple = ()  # other names a user may call it by (ln for log, numpy's arcsin for asin)
    # forward-mode rule: (node, tangents) -> the node's tangent, tangents[i] None where argument
    # i has none. None: derived from `vjp` with g = 1 (elementwise ops, see forward.py)
    jvp: Callable | None = None

    def __post_init__(self) -> None:
        if self.shape is None:
            self.shape = lambda shapes, payload: broadcast_shapes(shapes, f"`{self.name}`")
        if not self.grad_fn:
            self.grad_fn = self.name.title().replace("_", "") + "Backward0"
        if not self.rule:
            self.rule = f"{self.name}'s"  # `diff --steps`: "by the erf's rule"
        if not self.latex:  # LaTeX has its own commands for the classic functions; every argument is shown
            command = LATEX_NAMES.get(self.name, "\\operatorname{{%s}}" % self.name)
            arguments = ", ".join("{%d}" % i for i in range(self.arity or 1))
            self.latex = "%s\\left(%s\\right)" % (command, arguments)

    def pullback(self, n: Node, g: Node, needs: Sequence[bool]) -> Sequence[Node | None]:
        """The vector-Jacobian product: one contribution (or None) per argument of n. Every op
        with arguments has a derivative rule; only the leaves (const, var) have none."""
        if self.vjp is None:
            raise TypeError(f"{self.name} has no derivative rule: it has no arguments")
        return self.vjp(n, g, needs)

    def backward_name(self, n: Node) -> str:
        """The `grad_fn` name PyTorch gives this node (`PowBackward2` for 2^x)."""
        return self.grad_fn(n) if callable(self.grad_fn) else self.grad_fn

    def is_linear(self, n: Node, needs: set) -> bool:
        """Whether n is linear in those of its inputs that depend on the variables (`needs`:
        ids of such nodes); a linear node couples no pair of variables in a Hessian."""
        return self.linear(n, needs) if callable(self.linear) else self.linear

    def element_maps(self, n: Node) -> list:
        """Per argument, the chain of `elements.Step`s from its elements to n's (sparsity)."""
        if self.elements is not None:
            return self.elements(n)
        if self.elementwise:
            return element_maps.elementwise(n)
        return [element_maps.dense(a.size, n.size) for a in n.args]

    def forward_on(self, backend: str) -> Callable:
        """The forward rule as a callable (device, node, *values) for this backend."""
        found = self.overrides.get(backend, self.forward)
        if isinstance(found, str):
            return lambda dev, n, *xs: getattr(dev.xp, found)(*xs)
        return found

    def ufunc(self, n: Node) -> tuple[str, tuple] | None:
        """(function name, argument positions) when node n is one call of a namespace function
        that can write into a buffer (`out=`); None when its forward is a rule of its own."""
        if self.kernel is not None:
            special = self.kernel(n)
            if special is not None:
                return special
        return (self.forward, tuple(range(len(n.args)))) if isinstance(self.forward, str) else None


class Kink(NamedTuple):
    """A point where an op has no derivative: what each side gives, what diffcli returns.

    `on(node)` builds a node that is nonzero where the node's inputs sit on the kink (None when
    the kink cannot be located, e.g. a `where` whose condition is not a comparison). `left` and
    `right` are the one-sided derivatives (tests check them by one-sided differences on `case`),
    `torch` and `jax` what those frameworks return there (checked when they are installed).
    """

    at: str  # where, in the op's argument names: "x = 0"
    on: Callable
    left: str
    right: str
    rule: str  # the convention diffcli follows there
    case: tuple  # (expression, --at point, variable element): the README table's example
    torch: str = ""
    jax: str = ""


LATEX_NAMES = {name: "\\" + name for name in ("sin", "cos", "tan", "sinh", "cosh", "tanh", "sec", "csc", "cot", "coth")}
LATEX_NAMES.update(asin="\\arcsin", acos="\\arccos", atan="\\arctan")


def register(*ops: Op) -> None:
    for op in ops:
        OPS[op.name] = op
