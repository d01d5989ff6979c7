"""Size limits: what diffcli accepts, checked cheaply so hostile input gets a clear error
(exit 2) instead of a hang or an exhausted machine.

- the input text: at most MAX_CHARS characters, MAX_TOKENS tokens (names, numbers, operators,
  brackets, commas: an upper bound on the nodes written) and MAX_DEPTH nested brackets, checked
  in one pass over the text before the parser sees it;
- the graph one command builds (input plus derivatives): at most MAX_NODES new nodes, counted
  by `graph.intern` (an O(1) check on node creation only), which stops a derivative that swells
  (`diff --order 20`, the Hessian of a long vector) before it eats the memory;
- a value (a nested list in the input or in `--at`): at most MAX_RANK axes, and at most
  MAX_ELEMENTS elements where broadcasting, a list or `@` makes a value larger than its inputs;
- a line of a CSV file: at most MAX_LINE characters, and the rows `fit` keeps in memory: at
  most MAX_ELEMENTS (`datafile.py`), so `fit --data /dev/zero` stops at once;
- a printed formula: at most MAX_PRINT characters written while printing it (shared
  subexpressions are written out in full, so a small DAG can print exponentially long).

All work on the DAG is iterative, so depth is no danger to Python's stack; MAX_DEPTH refuses
absurd nesting early, at a bound that is tested. Printing is quadratic in depth, so the formula
of a very deep input can still be refused by MAX_PRINT; its value and gradient cannot.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from diffcli.errors import DiffcliError

MAX_CHARS = 4_000_000
MAX_TOKENS = 1_000_000
MAX_DEPTH = 10_000
MAX_NODES = 1_000_000
MAX_PRINT = 100_000_000
MAX_ELEMENTS = 10_000_000  # elements of one value (80 MB); broadcasting, lists and @ can multiply sizes
MAX_LINE = 1_000_000  # characters of one line of a CSV file (`--points`, `fit --data`)
ORDER_LISTED = 1000  # a derivative's JSON `wrt` lists the names applied up to this order; beyond, once
MAX_PICTURE_NODES = 2_000  # nodes of a graph drawn by Graphviz (--png/--svg); --dot text has no limit
MAX_RANK = 16  # axes of a value (numpy allows 64, some of its functions only 32; batches add one)

# A run of name/number characters is one token; every other visible character is one.
_TOKEN = re.compile(r"[A-Za-z_0-9.]+|[^\sA-Za-z_0-9.]")
_BRACKET = re.compile(r"[][()]")


def check_text(text: str) -> None:
    """Refuse an input longer, larger or deeper than the limits (before parsing it)."""
    if len(text) > MAX_CHARS:
        raise DiffcliError(
            f"the input has {len(text):,} characters; diffcli accepts at most {MAX_CHARS:,}: "
            "split the work or simplify the expression"
        )
    tokens = len(_TOKEN.findall(text))
    if tokens > MAX_TOKENS:
        raise DiffcliError(
            f"the input has {tokens:,} tokens (names, numbers, operators); diffcli accepts at most "
            f"{MAX_TOKENS:,}: split the work or simplify the expression"
        )
    depth = deepest = 0
    for bracket in _BRACKET.findall(text):
        if bracket in "([":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    if deepest > MAX_DEPTH:
        raise DiffcliError(
            f"the input nests brackets {deepest:,} deep; diffcli accepts at most {MAX_DEPTH:,}: "
            "name intermediate results in a file (`a = ...` one per line) to flatten it"
        )


# True while a graph is built for its shapes only (matrix notation's stand-in sizes, primes
# above 200: kron(A, B) of n*n and m*m is then a 4-axis value of 2e9 elements that is never made)
_SHAPES_ONLY: ContextVar[bool] = ContextVar("shapes_only", default=False)


@contextmanager
def shapes_only() -> Iterator[None]:
    """Build a graph whose values are never computed: the element limit does not apply."""
    token = _SHAPES_ONLY.set(True)
    try:
        yield
    finally:
        _SHAPES_ONLY.reset(token)


def check_elements(shape: tuple) -> tuple:
    """Refuse a value of more than MAX_ELEMENTS elements (called where a shape can grow)."""
    if math.prod(shape) > MAX_ELEMENTS and not _SHAPES_ONLY.get():
        raise DiffcliError(
            f"a value of shape {shape} would have {math.prod(shape):,} elements; diffcli accepts "
            f"at most {MAX_ELEMENTS:,} per value: check the shapes being combined"
        )
    return shape


def too_many_nodes() -> DiffcliError:
    return DiffcliError(
        f"the computation needs more than {MAX_NODES:,} graph nodes (the expression or its "
        "derivatives are too large): lower --order, differentiate fewer variables, or simplify"
    )


def check_print(order: list, named: set | frozenset = frozenset(), weight: int = 1) -> None:
    """Refuse to print the nodes `order` (children first) if the printer would write more than
    MAX_PRINT characters: every node's text holds its children's (but a `named` node's, which
    its parents refer to by name), so add up the estimates. The estimate is within a factor 3
    of the plain printer's; LaTeX passes `weight` 4."""
    size: dict[int, int] = {}
    sizes = 0
    for n in order:
        own = len(n.payload[0]) if n.op == "var" else 4 if n.op == "const" else len(n.op) + 2 * len(n.args)
        text = own + sum(size[id(a)] for a in n.args)
        sizes += text
        size[id(n)] = 4 if id(n) in named else text
    sizes *= weight
    if sizes > MAX_PRINT:
        raise DiffcliError(
            f"the formula is too large to print ({sizes:,} characters of text; the limit is "
            f"{MAX_PRINT:,}): lower --order; for values at a point, grad, hessian or taylor --at print numbers, "
            "not the formula"
        )
