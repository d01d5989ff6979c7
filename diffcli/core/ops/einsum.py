"""Entry: einsum (numpy's, over named indices), and how the ops with static parameters print.

Its payload is "ab,bc->ac": an explicit output and no index repeated within one operand (the
builder cuts such an operand to its diagonal first). The adjoint of an operand is the einsum of
the output's adjoint with the other operands, onto that operand's indices (an index summed in
that operand alone is broadcast back through a ones operand), so every order follows.
"""

from __future__ import annotations

import numpy as np

from diffcli.core.graph import apply
from diffcli.core.ops.table import Op
from diffcli.core.ops.tensors import PARAMS
from diffcli.errors import ShapeError
from diffcli.limits import check_elements


def parse_subscripts(spec: str) -> tuple[list[str], str]:
    inputs, output = spec.split("->")
    return inputs.split(","), output


def _einsum_shape(shapes, spec):
    inputs, output = parse_subscripts(spec)
    sizes: dict = {}
    for labels, shape in zip(inputs, shapes):
        for label, size in zip(labels, shape):
            if sizes.setdefault(label, size) != size:
                raise ShapeError(f"einsum: index `{label}` has sizes {sizes[label]} and {size} ({spec})")
    return check_elements(tuple(sizes[label] for label in output))


def _einsum(dev, n, *xs):
    inputs, output = parse_subscripts(n.payload)
    spec = ",".join("..." + s for s in inputs) + "->..." + output
    return dev.xp.einsum(spec, *xs) if hasattr(dev.xp, "einsum") else np.einsum(spec, *xs)


def einsum_node(spec_inputs: list[str], output: str, *args):
    return apply("einsum", *args, payload=",".join(spec_inputs) + "->" + output)


def _einsum_vjp(n, g, needs):
    inputs, output = parse_subscripts(n.payload)
    found = []
    for k, (labels, a) in enumerate(zip(inputs, n.args)):
        if not needs[k]:
            found.append(None)
            continue
        others = [(s, b) for j, (s, b) in enumerate(zip(inputs, n.args)) if j != k]
        present = set(output).union(*[set(s) for s, _ in others])
        missing = "".join(label for label in labels if label not in present)
        terms = [(output, g)] + others
        if missing:  # summed over in a alone: the adjoint is broadcast along it
            size = dict(zip(labels, a.shape))
            terms.append((missing, n.graph.const(1.0, tuple(size[m] for m in missing))))
        found.append(einsum_node([s for s, _ in terms], labels, *[b for _, b in terms]))
    return tuple(found)


def _einsum_jvp(n, tangents):
    total = None
    for k, t in enumerate(tangents):
        if t is not None:
            args = list(n.args)
            args[k] = t
            term = apply("einsum", *args, payload=n.payload)
            total = term if total is None else total + term
    return total


def _grad_fn(n) -> str:
    """PyTorch's name for its einsum result: a sum or a permutation of one operand, a product
    without summation, else the view after its batched matrix product."""
    inputs, output = parse_subscripts(n.payload)
    if len(inputs) == 1:
        return "SumBackward1" if len(output) < len(inputs[0]) else "PermuteBackward0"
    return "MulBackward0" if set("".join(inputs)) <= set(output) else "ViewBackward0"


def _multilinear(n, needs) -> bool:
    return sum(1 for a in n.args if id(a) in needs) <= 1


ENTRIES = (
    Op(
        "einsum",
        None,
        _einsum,
        _einsum_vjp,
        'einsum("ij,j->i", A, x): sums of products over named indices (numpy\'s einsum)',
        shape=_einsum_shape,
        elementwise=False,
        linear=_multilinear,
        user=False,
        grad_fn=_grad_fn,
        print=PARAMS,
        jvp=_einsum_jvp,
    ),
)


def params_text(n) -> str:
    """The keywords a PARAMS node prints after its arguments."""
    p = n.payload
    found = {
        "reshape": lambda: f"shape={list(p)}",
        "permute": lambda: f"axes={list(p)}",
        "concat": lambda: f"axis={p}",
        "take": lambda: f"axis={p[0]}, indices={list(p[1])}",
        "put": lambda: f"axis={p[0]}, indices={list(p[1])}, size={p[2]}",
        "cumsum": lambda: f"axis={p[0]}" + (", reverse=1" if p[1] else ""),
        "cumprod": lambda: f"axis={p}",
        "tri": lambda: f"k={p[0]}, upper={int(p[1])}",
        "diagonal": lambda: f"k={p}",
        "diag_embed": lambda: f"shape={list(p[:2])}, k={p[2]}",
        "einsum": lambda: f'"{p}"',
    }.get(n.op)
    return found() if found else ""
