"""Variables laid out as one flat vector: labels (`x`, `x[0]`, `W[0,1]`), packing, unpacking.

The one place where a name and a shape become element labels in C order, as SPEC's outputs
(Jacobian columns, Hessian rows, CSV headers) and the optimisers' flat parameter vector use them.
"""

from __future__ import annotations

import math

import numpy as np

from diffcli.errors import DiffcliError


def element_label(name: str, index: tuple) -> str:
    """`x` for a scalar, `x[0]`, `W[0,1]` for an element."""
    return f"{name}[{','.join(map(str, index))}]" if index else name


def labels(name: str, shape: tuple) -> list[str]:
    """One label per element of a value of `shape`, C order."""
    return [element_label(name, tuple(int(i) for i in index)) for index in np.ndindex(*shape)]


def labelled(name: str, value) -> list[tuple[str, float]]:
    """(label, number) for each element of `value`."""
    arr = np.asarray(value, dtype=float)
    return list(zip(labels(name, arr.shape), arr.reshape(-1).tolist()))


class Layout:
    """Named values of given shapes <-> one flat float64 vector (C order, in name order)."""

    __slots__ = ("names", "shapes")

    def __init__(self, names, shapes):
        self.names, self.shapes = tuple(names), tuple(tuple(s) for s in shapes)

    @classmethod
    def of(cls, variables) -> "Layout":
        """The layout of var nodes."""
        return cls([v.name for v in variables], [v.shape for v in variables])

    @property
    def size(self) -> int:
        return sum(math.prod(s) for s in self.shapes)

    def labels(self) -> list[str]:
        return [label for name, shape in zip(self.names, self.shapes) for label in labels(name, shape)]

    def pack(self, arrays) -> np.ndarray:
        parts = [np.asarray(a, dtype=np.float64) for a in arrays]
        # A constant derivative may come back with fewer axes than its variable: broadcast it.
        parts = [p if p.shape == s else np.broadcast_to(p, s) for p, s in zip(parts, self.shapes)]
        return np.concatenate([p.reshape(-1) for p in parts]) if parts else np.zeros(0)

    def unpack(self, flat: np.ndarray) -> dict:
        """name -> array; leading axes of `flat` (before the last) are kept."""
        flat = np.asarray(flat)
        lead, out, start = flat.shape[:-1], {}, 0
        for name, shape in zip(self.names, self.shapes):
            size = math.prod(shape)
            out[name] = flat[..., start : start + size].reshape(lead + shape)
            start += size
        return out


LEARNED = ("at", "params")  # minimize's final point, fit's parameters: name -> array
SUMMARY = ("loss", "steps", "converged")  # one number each


def columns(data: dict) -> list[tuple[str, float]]:
    """(label, number) pairs of a result in SPEC's column order: learned values, value(s), then
    derivatives (`d_x`, `J[0;x]`, `H[x;y]`), then summary numbers. CSV headers, `--points`
    tables and their files all name their columns so."""
    out: list[tuple[str, float]] = []
    for key in LEARNED:
        for name, v in data.get(key, {}).items():
            out.extend(labelled(name, v))
    if "value" in data:
        out.extend(labelled("value", data["value"]))
    for name, g in data.get("grad", {}).items():
        out.extend(labelled(f"d_{name}", g))
    names = data.get("labels") or data.get("wrt") or []
    for key, prefix in (("jacobian", "J"), ("hessian", "H")):
        if key in data and isinstance(data[key], np.ndarray):
            rows = data[key]
            row_names = names if key == "hessian" else [str(i) for i in range(len(rows))]
            for r, row in zip(row_names, rows):
                out.extend((f"{prefix}[{r};{c}]", float(v)) for c, v in zip(names, row))
    out.extend((key, float(data[key])) for key in SUMMARY if key in data)
    return out


META = ("wrt", "labels")  # names, not numbers: carried over as they are


def unflatten(template: dict, flat) -> dict:
    """The inverse of `columns`: a result shaped like `template` (same keys in the same order,
    the same shapes) holding the numbers of one row `flat` in SPEC's column order. A `--points`
    row becomes the object one point would print."""
    flat = np.asarray(flat)
    out: dict = {}
    start = 0

    def take(shape: tuple):
        nonlocal start
        size = math.prod(shape)
        part = flat[start : start + size].reshape(shape)
        start += size
        return part

    for key, v in template.items():
        if key in META:
            out[key] = v
        elif isinstance(v, dict):
            out[key] = {name: take(np.shape(x)) for name, x in v.items()}
        else:
            out[key] = take(np.shape(v))
    return out


def only(data: dict, key: str, command: str) -> dict:
    """`--only KEY`: the result with that one part (and the names that label it); the mark of
    an interrupted run (`interrupted`) stays, so a partial result never passes for a whole one."""
    parts = [k for k in data if k not in META and k != "interrupted"]
    if key not in parts:
        raise DiffcliError(f"--only {key}: {command} gives {', '.join(parts)}: choose one of those")
    return {
        k: v for k, v in data.items() if k in (key, "interrupted") or (k in META and key in ("jacobian", "hessian"))
    }
