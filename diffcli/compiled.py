"""Batch evaluation: one compiled program run over many points, chunk by chunk.

`Batch` compiles output nodes once. Nodes that depend on no per-point variable are evaluated
once (hoisted); the rest run per chunk of points. Elementwise steps whose forward rule is a
ufunc (`ops.fn`) write into preallocated buffers with `out=`; a buffer is handed to a later
step as soon as the last reader of its value has run, so a chunk touches a few cache-sized
arrays instead of allocating full-size temporaries. Steps whose rule may return a view of an
argument (indexing, broadcasting) keep that argument's buffer alive for as long as the view.

Other array namespaces (array-api-strict, ...) have no `out=`: there every step calls its
forward rule as `evaluate.Program` does, still chunk by chunk.
"""

from __future__ import annotations

import numpy as np

from .errors import DiffcliError
from .graph import EvalContext, Node, topological
from .ops import OPS

CHUNK = 8192  # points per chunk: a step's buffer is 64 KiB in float64, a handful fit in L2

# pow with these constant exponents calls a cheaper ufunc (same values, no libm pow)
_POWERS = {2.0: "square", 0.5: "sqrt", -1.0: "reciprocal"}


def context(device: str, dtype: str = "float64") -> EvalContext:
    """The array namespace for `--device`: numpy on the CPU, CuPy on a GPU."""
    if device == "cpu":
        return EvalContext(np, getattr(np, dtype))
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            raise RuntimeError("no GPU")
    except Exception:  # not installed, no driver, or no device: all mean "no GPU here"
        raise DiffcliError("--device gpu needs CuPy and a CUDA GPU, and this machine has none usable: "
                           "install cupy on a machine with a GPU, or use --device cpu") from None
    return EvalContext(cupy, getattr(cupy, dtype))


def to_numpy(value):
    """A result back on the host as a numpy array (CuPy arrays copy from the device)."""
    get = getattr(value, "get", None)
    return get() if callable(get) and not isinstance(value, np.ndarray) else np.asarray(value)


def _supports_out(xp) -> bool:
    return xp is np or getattr(xp, "__name__", "") == "cupy"


class Batch:
    """Outputs of a DAG for many points; `batched` names the variables that vary per point."""

    def __init__(self, outputs: list[Node], batched: set[str], ev: EvalContext | None = None,
                 chunk: int = CHUNK):
        self.ev = ev or EvalContext()
        self.chunk = chunk
        self.outputs = list(outputs)
        self.order = order = topological(self.outputs)
        index = {id(n): i for i, n in enumerate(order)}
        self.arg_slots = [tuple(index[id(a)] for a in n.args) for n in order]
        self.output_slots = [index[id(n)] for n in self.outputs]
        self.per_point = [False] * len(order)
        for i, n in enumerate(order):
            if n.op == "var":
                self.per_point[i] = n.payload[0] in batched
            else:
                self.per_point[i] = any(self.per_point[s] for s in self.arg_slots[i])
        self.steps = self._plan(_supports_out(self.ev.xp))

    def _ufunc(self, i: int):
        """(ufunc name, argument slots) when step i can write into a buffer, else None."""
        n = self.order[i]
        name = getattr(OPS[n.op].forward, "ufunc", None)
        if name is None:
            return None
        slots = self.arg_slots[i]
        if n.op == "pow" and n.args[1].is_const and n.args[1].shape == () and n.args[1].value in _POWERS:
            return _POWERS[n.args[1].value], slots[:1]
        return name, slots

    def _pads(self, i: int, slots: tuple):
        """Per argument, how many length-1 axes go after its point axis so that it lines up
        with the others: numpy broadcasting aligns from the right, which would pair a scalar's
        point axis with a vector's element axis. None when every argument already lines up."""
        n = self.order[i]
        if not (OPS[n.op].elementwise or n.op == "stack"):
            return None  # matmul and friends index their axes themselves
        rank = max(len(self.order[s].shape) for s in slots)
        pads = tuple(rank - len(self.order[s].shape) if self.per_point[s] else 0 for s in slots)
        return pads if any(pads) else None

    def _plan(self, use_out: bool) -> list:
        """(slot, kind, detail) per per-point step; kind 'var', 'ufunc' (detail: name, args,
        buffer) or 'rule'. Buffers are assigned by liveness, one pool per static shape."""
        n_steps = len(self.order)
        kinds = {}
        for i, n in enumerate(self.order):
            if self.per_point[i] and n.op != "var":
                kinds[i] = self._ufunc(i) if use_out else None
        # the step after which each value is last needed; a rule step's result may be a view
        # of its arguments, so they live as long as it does (reverse order settles chains)
        last = list(range(n_steps))
        for i, slots in enumerate(self.arg_slots):
            for s in slots:
                last[s] = max(last[s], i)
        for s in self.output_slots:
            last[s] = n_steps
        for i in reversed(range(n_steps)):
            if i in kinds and kinds[i] is None:
                for s in self.arg_slots[i]:
                    last[s] = max(last[s], last[i])
        releases: dict[int, list] = {}
        for s, i in enumerate(last):
            releases.setdefault(i, []).append(s)
        free: dict[tuple, list] = {}
        self.buffer_shapes: list[tuple] = []
        owner: dict[int, int] = {}
        steps = []
        for i, n in enumerate(self.order):
            if self.per_point[i]:
                if n.op == "var":
                    steps.append((i, "var", n.payload[0]))
                elif kinds[i] is None:
                    steps.append((i, "rule", self._pads(i, self.arg_slots[i])))
                else:
                    for s in set(kinds[i][1]):  # an input dying here may take the result in place
                        if last[s] == i and s in owner:
                            free[self.order[s].shape].append(owner.pop(s))
                    pool = free.setdefault(n.shape, [])
                    if pool:
                        buffer = pool.pop()
                    else:
                        buffer = len(self.buffer_shapes)
                        self.buffer_shapes.append(n.shape)
                    owner[i] = buffer
                    name, slots = kinds[i]
                    steps.append((i, "ufunc", (getattr(self.ev.xp, name), slots, buffer, self._pads(i, slots))))
            for s in releases.get(i, ()):  # after step i has run, its dead inputs' buffers return
                if s in owner:
                    free[self.order[s].shape].append(owner.pop(s))
        return steps

    def fixed_values(self, bindings: dict) -> list:
        """Values of the nodes that are the same at every point (computed once)."""
        from .evaluate import bind

        ev = self.ev
        values: list = [None] * len(self.order)
        with np.errstate(all="ignore"):
            for i, n in enumerate(self.order):
                if self.per_point[i]:
                    continue
                if n.op == "var":
                    values[i] = bind(ev, n, bindings)
                else:
                    values[i] = OPS[n.op].forward(ev, n, *[values[s] for s in self.arg_slots[i]])
        return values

    def direct(self) -> dict:
        """Step index -> output index, for outputs a ufunc can write straight into a result."""
        found: dict = {}
        ufunc_steps = {i for i, kind, _ in self.steps if kind == "ufunc"}
        for k, s in enumerate(self.output_slots):
            if s in ufunc_steps and s not in found:
                found[s] = k
        return found

    def run(self, points: dict, fixed: list, start: int, stop: int, targets: list | None = None):
        """Yield (start, stop, output values) per chunk of rows start..stop; `points` maps each
        batched name to an array whose first axis runs over the points. Yielded arrays are
        reused by the next chunk: consume them before asking for more. With `targets` (one
        array per output, rows on the first axis) the outputs of `direct()` are written there."""
        xp, dtype, ev = self.ev.xp, self.ev.dtype, self.ev
        buffers = [xp.empty((self.chunk,) + tuple(shape), dtype=dtype) for shape in self.buffer_shapes]
        values = list(fixed)
        get = values.__getitem__
        direct = self.direct() if targets is not None else {}
        steps = [(i, "target", detail[:2] + (direct[i],) + detail[3:]) if i in direct else (i, kind, detail)
                 for i, kind, detail in self.steps]
        with np.errstate(all="ignore"):
            for begin in range(start, stop, self.chunk):
                end = min(begin + self.chunk, stop)
                m = end - begin
                views = buffers if m == self.chunk else [b[:m] for b in buffers]
                for i, kind, detail in steps:
                    if kind == "ufunc":
                        ufunc, slots, buffer, pads = detail
                        args = map(get, slots) if pads is None else _aligned(xp, map(get, slots), pads)
                        values[i] = ufunc(*args, out=views[buffer])
                    elif kind == "target":  # an output: no copy afterwards
                        ufunc, slots, k, pads = detail
                        args = map(get, slots) if pads is None else _aligned(xp, map(get, slots), pads)
                        values[i] = ufunc(*args, out=targets[k][begin:end, ...])
                    elif kind == "var":
                        values[i] = xp.asarray(points[detail][begin:end, ...], dtype=dtype)
                    else:
                        n = self.order[i]
                        args = map(get, self.arg_slots[i])
                        values[i] = OPS[n.op].forward(ev, n, *(args if detail is None else _aligned(xp, args, detail)))
                yield begin, end, [self._full(values[s], s, m) for s in self.output_slots]

    def _full(self, value, slot: int, m: int):
        """An output with its leading point axis, even where it is the same at every point."""
        if self.per_point[slot]:
            return value
        shape = (m,) + tuple(self.order[slot].shape)
        return self.ev.xp.broadcast_to(self.ev.xp.asarray(value, dtype=self.ev.dtype), shape)

    def evaluate(self, bindings: dict, rows: int, threads: int = 1, fixed: list | None = None) -> list:
        """Every output for all rows at once (arrays with a leading point axis). With
        threads > 1 the rows are split into that many contiguous parts run side by side (the
        ufuncs release the GIL); each part has its own buffers. `fixed`: `fixed_values(...)`
        computed earlier for the same non-point bindings."""
        xp = self.ev.xp
        fixed = self.fixed_values(bindings) if fixed is None else fixed
        results = [xp.empty((rows,) + tuple(n.shape), dtype=self.ev.dtype) for n in self.outputs]

        written = set(self.direct().values())

        def part(start: int, stop: int) -> None:
            for begin, end, outs in self.run(bindings, fixed, start, stop, results):
                for k, (result, value) in enumerate(zip(results, outs)):
                    if k not in written:
                        result[begin:end, ...] = value

        cuts = [rows * k // max(threads, 1) for k in range(max(threads, 1) + 1)]
        if threads <= 1 or rows < 4 * self.chunk:
            part(0, rows)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(threads) as pool:
                for done in [pool.submit(part, a, b) for a, b in zip(cuts, cuts[1:])]:
                    done.result()
        return results


def _aligned(xp, values, pads) -> list:
    return [v if k == 0 else xp.reshape(v, (v.shape[0],) + (1,) * k + tuple(v.shape[1:]))
            for v, k in zip(values, pads)]
