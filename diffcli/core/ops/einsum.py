"""Entry: einsum (numpy's, over named indices), and how the ops with static parameters print.

Its payload is "ab,bc->ac": an explicit output and no index repeated within one operand (the
builder cuts such an operand to its diagonal first). The adjoint of an operand is the einsum of
the output's adjoint with the other operands, onto that operand's indices (an index summed in
that operand alone is broadcast back through a ones operand), so every order follows.
"""

from __future__ import annotations

import numpy as np

from diffcli.core.graph import Node, apply
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
    found: list[Node | None] = []
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


def _simplify(args, spec, shape):
    """Operands that are the number 1 drop out; one operand left with its own indices is itself."""
    inputs, output = parse_subscripts(spec)
    kept = [(s, a) for s, a in zip(inputs, args) if not (s == "" and a.is_const and a.value == 1.0)]
    if not kept:
        return None
    if len(kept) == 1 and kept[0][0] == output:
        return kept[0][1]
    if len(kept) < len(args):
        return apply("einsum", *[a for _, a in kept], payload=",".join(s for s, _ in kept) + "->" + output)
    return None


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
        simplify=_simplify,
    ),
)


def _cumsum_text(a: str, p) -> str:
    """cumsum(x, axis=k), or the reversed one (cumsum's adjoint) as flips around it."""
    axis, reverse = p
    if not reverse:
        return f"cumsum({a}, axis={axis})"
    flip = "[" + ", ".join([":"] * axis + ["::-1"]) + "]"
    inner = a if a.replace("_", "").isalnum() else f"({a})"
    return f"cumsum({inner}{flip}, axis={axis}){flip}"


def params_call(n, args: list[str]) -> tuple[str, bool]:
    """How a PARAMS node is written: (text, whether the language reads it back). Each is
    written as the user's spelling where one means the same (transpose(x, axes=...) for a
    permute); the others (the reversed cumsum of cumsum's adjoint, put, a rectangular
    diag_embed) show their parameters as keywords of the op's own name."""
    p = n.payload
    a = ", ".join(args)
    found = {
        "reshape": lambda: (f"reshape({a}, shape={list(p)})", True),
        "permute": lambda: (f"transpose({a}, axes={list(p)})", True),
        "concat": lambda: (f"concatenate({a}, axis={p})", True),
        "take": lambda: (f"take({a}, {list(p[1])}, axis={p[0]})", True),
        "put": lambda: (f"put({a}, axis={p[0]}, indices={list(p[1])}, size={p[2]})", False),
        "cumsum": lambda: (_cumsum_text(a, p), True),
        "cumprod": lambda: (f"cumprod({a}, axis={p})", True),
        "tri": lambda: (f"{'triu' if p[1] else 'tril'}({a}, k={p[0]})", True),
        "diagonal": lambda: (f"diagonal({a}, offset={p})", True),
        "diag_embed": lambda: (f"diag({a}, k={p[2]})", p[0] == p[1] == n.args[0].shape[-1] + abs(p[2])),
        "einsum": lambda: (f'einsum("{p}", {a})', True),
    }[n.op]
    return found()
