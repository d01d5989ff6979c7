"""A long sum of scalar terms differentiated without parsing every term: the terms are found
at the text level (syntax/repeated.py), one term per shape is parsed, and the shapes are
evaluated over index arrays (core/template.py).

The general path parses the whole text (about 2 us a token: 0.8 s for the extended Rosenbrock
at n = 10,000) before core/template.py recognises the same templates in the graph; here the
text's terms are grouped by their shape directly. The answers are the template path's: the
same term DAGs (each shape's first term, parsed as the whole text would parse it), the same
evaluation. Anything less plain (a name --at does not bind, a --at name the text does not use,
a vector, a kink, a term that does not parse, a value that is not finite) gives None, and the
caller takes the general path, which then says what is wrong.
"""

from __future__ import annotations

import numpy as np

from diffcli.compute.request import Request, Result, templated_result
from diffcli.core import template
from diffcli.core.graph import Graph
from diffcli.errors import DiffcliError
from diffcli.syntax import repeated
from diffcli.syntax.parse import parse


def compute(text: str, bindings: dict, req: Request, command: str) -> Result | None:
    """grad or hessian of `text` at `bindings` (every variable a bound scalar, in wrt order),
    or None: the general path."""
    if req.jacobian or req.v is not None or not (req.gradient or req.hessian):
        return None
    if any(np.ndim(v) != 0 for v in bindings.values()):
        return None
    found = repeated.terms(text)
    if found is None or len(found) < template.MIN_TERMS:
        return None
    shapes: dict[tuple, list[int]] = {}
    for place, term in enumerate(found):
        shapes.setdefault(term.shape, []).append(place)
    if len(shapes) > template.MAX_SHAPES:
        return None
    position = {name: k for k, name in enumerate(bindings)}
    if {name for term in found for name in term.names} != set(position):
        return None  # an unbound name, or a bound one the text does not use: the general path says so
    groups = [group(found, places, position) for places in shapes.values()]
    if any(g is None for g in groups):
        return None
    point = np.array([float(v) for v in bindings.values()], dtype=np.float64)
    result = template.evaluate([g for g in groups if g is not None], point, bool(req.hessian))
    return None if result is None else templated_result(result, list(bindings), req, command)


def group(found: list[repeated.Term], places: list[int], position: dict) -> template.Group | None:
    """The terms at `places` (one shape) as a template group: the first one parsed, its slots
    in the order its DAG visits them, each term's variables gathered into that order."""
    first = found[places[0]]
    try:
        term = parse(first.text, {name: () for name in first.names}, None, Graph()).output
    except DiffcliError:
        return None
    variables = {v: first.names.index(v.name) for v in template.variables(term)}
    signed = template.signature(term, variables)
    if signed is None:
        return None
    columns = signed[1]  # text slots, in the DAG's order
    slots = np.array([[position[found[p].names[c]] for c in columns] for p in places], dtype=np.intp)
    signs = np.array([found[p].sign for p in places])
    return template.Group(term, slots, signs, np.array(places))
