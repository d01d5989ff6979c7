"""The engine: output nodes compiled once into a `Plan`, run at one point or at many.

A plan holds the topological order, each step's argument slots and forward rule, and which
steps depend on the batched variables (the per-point steps); the others are hoisted: computed
once, whatever the number of points. It runs two ways:

- whole-array (`run`): every step once on whole arrays; batched variables carry one leading
  axis of points. One point is the case with no batched variable.
- chunked (`evaluate`): hoisted steps once, then the per-point steps over chunks of CHUNK
  points. A step that is one ufunc call writes with `out=` into a buffer chosen by liveness (a
  buffer returns to its pool once the last reader of its value has run), so a chunk touches a
  few cache-sized arrays instead of allocating full-size temporaries; rows may be split over
  threads (ufuncs release the GIL). Steps whose rule may return a view of an argument
  (indexing, broadcasting) keep that argument's buffer alive as long as the view.

The array namespace and dtype (`graph.Device`: numpy, CuPy, any array-API namespace) are
chosen here; namespaces without `out=` run every step through its forward rule.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from diffcli.core.graph import Device, Graph, Node, topological
from diffcli.core.ops import OPS
from diffcli.errors import DiffcliError

CHUNK = 8192  # points per chunk: a step's buffer is 64 KiB in float64, a handful fit in L2
DTYPES = ("float64", "float32")


def device(name: str = "cpu", dtype: str = "float64") -> Device:
    """The array namespace for `--device`: numpy on the CPU, CuPy on a GPU."""
    if name == "cpu":
        return Device(np, getattr(np, dtype))
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            raise RuntimeError("no GPU")
    except Exception:  # not installed, no driver, or no device: all mean "no GPU here"
        raise DiffcliError(
            "--device gpu needs CuPy and a CUDA GPU, and this machine has none usable: "
            "install cupy on a machine with a GPU, or use --device cpu"
        ) from None
    return Device(cupy, getattr(cupy, dtype))


def to_numpy(value):
    """A result back on the host as a numpy array (CuPy arrays copy from the device)."""
    get = getattr(value, "get", None)
    return get() if callable(get) and not isinstance(value, np.ndarray) else np.asarray(value)


def is_finite(value) -> bool:
    return bool(np.all(np.isfinite(to_numpy(value))))


class Plan:
    """Output nodes compiled once; `batched` names the variables that vary per point."""

    def __init__(self, outputs: list[Node], batched=frozenset(), dev: Device | None = None, chunk: int = CHUNK):
        self.device = dev or Device()
        self.chunk = chunk
        self.outputs = list(outputs)
        self.order = order = topological(self.outputs)
        index = {n: i for i, n in enumerate(order)}  # nodes hash by identity
        self.arg_slots = arg_slots = [tuple([index[a] for a in n.args]) if n.args else () for n in order]
        self.output_slots = [index[n] for n in self.outputs]
        self.per_point = per_point = [False] * len(order)
        for i, n in enumerate(order):
            if n.op == "var":
                per_point[i] = n.name in batched
            else:
                for s in arg_slots[i]:
                    if per_point[s]:
                        per_point[i] = True
                        break
        backend = self.device.backend
        rules: dict = {}  # op -> its forward rule on this backend, looked up once per op
        for n in order:
            if n.op not in rules:
                rules[n.op] = None if n.op == "var" else OPS[n.op].forward_on(backend)
        self.forwards = [rules[n.op] for n in order]
        self.pads = [self._pads(i) if per_point[i] and n.op != "var" else None for i, n in enumerate(order)]
        self.last_use = self._last_use()
        self._chunk_steps: tuple[list[tuple[int, str, Any]], list[tuple]] | None = None

    def __reduce__(self):
        """A plan pickles as its steps (op, argument slots, payload, shape), flat and in order:
        no graph, no recursion through the DAG, nothing a receiver must parse. `rebuilt` makes
        the nodes again in a fresh graph (Dask ships plans to its workers so)."""
        steps = [(n.op, slots, n.payload, n.shape) for n, slots in zip(self.order, self.arg_slots)]
        batched = sorted(n.name for n, p in zip(self.order, self.per_point) if n.op == "var" and p)
        return rebuilt, (
            steps,
            self.output_slots,
            batched,
            self.device.xp.__name__,
            np.dtype(self.device.dtype).name,
            self.chunk,
        )

    def _pads(self, i: int):
        """Per argument, how many length-1 axes go after its point axis so that it lines up
        with the others: numpy broadcasting aligns from the right, which would pair a scalar's
        point axis with a vector's element axis. None when every argument already lines up."""
        n = self.order[i]
        slots = self.arg_slots[i]
        if not n.shape and OPS[n.op].elementwise:
            return None  # scalars: every argument is one too
        if not slots or not (OPS[n.op].elementwise or n.op == "stack"):
            return None  # matmul and friends index their axes themselves
        rank = max(len(self.order[s].shape) for s in slots)
        pads = tuple(rank - len(self.order[s].shape) if self.per_point[s] else 0 for s in slots)
        return pads if any(pads) else None

    def _last_use(self) -> list:
        """The step after which each value is last read (outputs: never)."""
        last = list(range(len(self.order)))
        for i, slots in enumerate(self.arg_slots):
            for s in slots:
                last[s] = i
        for s in self.output_slots:
            last[s] = len(self.order)
        return last

    # ---------------------------------------------------------------- whole arrays

    def bind(self, n: Node, bindings: dict):
        name = n.name
        if name not in bindings:
            raise DiffcliError(f"name `{name}` has no value: give it with --at {name}=VALUE")
        return self.device.xp.asarray(bindings[name], dtype=self.device.dtype)

    def step(self, i: int, values: list):
        """The value of step i from the values of its arguments."""
        n = self.order[i]
        args = [values[s] for s in self.arg_slots[i]]
        if self.pads[i] is not None:
            args = aligned(self.device.xp, args, self.pads[i])
        return self.forwards[i](self.device, n, *args)

    def run(self, bindings: dict, keep: bool = False):
        """Output values (in request order); with keep=True also every node's value by slot.
        Batched variables carry a leading axis of points; hoisted outputs do not."""
        values: list = [None] * len(self.order)
        with np.errstate(all="ignore"):
            for i, n in enumerate(self.order):
                values[i] = self.bind(n, bindings) if n.op == "var" else self.step(i, values)
                if not keep:
                    for s in self.arg_slots[i]:
                        if self.last_use[s] == i:
                            values[s] = None
        outs = [values[s] for s in self.output_slots]
        return (outs, values) if keep else outs

    def hoisted(self, bindings: dict) -> list:
        """Values of the steps that are the same at every point (computed once)."""
        values: list = [None] * len(self.order)
        with np.errstate(all="ignore"):
            for i, n in enumerate(self.order):
                if not self.per_point[i]:
                    values[i] = self.bind(n, bindings) if n.op == "var" else self.step(i, values)
        return values

    # ---------------------------------------------------------------- chunks with out= buffers

    def evaluate(self, bindings: dict, rows: int, threads: int = 1, hoisted: list | None = None) -> list:
        """Every output for all rows (arrays with a leading point axis), chunk by chunk. With
        threads > 1 the rows are split into that many contiguous parts run side by side, each
        with its own buffers. `hoisted`: `hoisted(...)` computed earlier for the same
        non-point bindings."""
        xp = self.device.xp
        hoisted = self.hoisted(bindings) if hoisted is None else hoisted
        results = [xp.empty((rows,) + tuple(n.shape), dtype=self.device.dtype) for n in self.outputs]
        written = set(self._direct().values())

        def part(start: int, stop: int) -> None:
            for begin, end, outs in self.chunks(bindings, hoisted, start, stop, results):
                for k, (result, value) in enumerate(zip(results, outs)):
                    if k not in written:
                        result[begin:end, ...] = value

        threads = max(threads, 1)
        if threads == 1 or rows < 4 * self.chunk:
            part(0, rows)
        else:
            from concurrent.futures import ThreadPoolExecutor

            cuts = [rows * k // threads for k in range(threads + 1)]
            with ThreadPoolExecutor(threads) as pool:
                for done in [pool.submit(part, a, b) for a, b in zip(cuts, cuts[1:])]:
                    done.result()
        return results

    def chunks(self, points: dict, hoisted: list, start: int, stop: int, targets: list | None = None):
        """Yield (start, stop, output values) per chunk of rows start..stop; `points` maps each
        batched name to an array whose first axis runs over the points. Yielded arrays are
        reused by the next chunk: consume them before asking for more. With `targets` (one
        array per output, rows on the first axis) outputs a ufunc computes are written there."""
        xp, dtype = self.device.xp, self.device.dtype
        steps, shapes = self._chunk_plan()
        buffers = [xp.empty((self.chunk,) + tuple(shape), dtype=dtype) for shape in shapes]
        values = list(hoisted)
        direct = self._direct() if targets is not None else {}
        with np.errstate(all="ignore"):
            for begin in range(start, stop, self.chunk):
                end = min(begin + self.chunk, stop)
                m = end - begin
                views = buffers if m == self.chunk else [b[:m] for b in buffers]
                for i, kind, detail in steps:
                    if kind == "ufunc":
                        ufunc, slots, buffer, pads = detail
                        args = [values[s] for s in slots]
                        if pads is not None and any(pads):
                            args = aligned(xp, args, pads)
                        out = (
                            targets[direct[i]][begin:end, ...] if targets is not None and i in direct else views[buffer]
                        )
                        values[i] = ufunc(*args, out=out)
                    elif kind == "var":
                        values[i] = xp.asarray(points[detail][begin:end, ...], dtype=dtype)
                    else:
                        values[i] = self.step(i, values)
                yield begin, end, [self._full(values[s], s, m) for s in self.output_slots]

    def _full(self, value, slot: int, m: int):
        """An output with its leading point axis, even where it is the same at every point."""
        if self.per_point[slot]:
            return value
        shape = (m,) + tuple(self.order[slot].shape)
        return self.device.xp.broadcast_to(self.device.xp.asarray(value, dtype=self.device.dtype), shape)

    def _direct(self) -> dict:
        """Step index -> output index, for outputs a ufunc can write straight into a result."""
        found: dict = {}
        ufunc_steps = {i for i, kind, _ in self._chunk_plan()[0] if kind == "ufunc"}
        for k, s in enumerate(self.output_slots):
            if s in ufunc_steps and s not in found:
                found[s] = k
        return found

    def _chunk_plan(self):
        """(steps, buffer shapes): (slot, kind, detail) per per-point step, kind 'var', 'ufunc'
        (detail: function, argument slots, buffer) or 'rule'. Buffers are assigned by
        liveness, one pool per static shape."""
        if self._chunk_steps is not None:
            return self._chunk_steps
        use_out = self.device.xp is np or self.device.backend == "cupy"
        kinds: dict[int, tuple | None] = {}
        for i, n in enumerate(self.order):
            if self.per_point[i] and n.op != "var":
                found = OPS[n.op].ufunc(n) if use_out else None
                kinds[i] = None if found is None else (found[0], found[1])
        last = list(self.last_use)
        for i in reversed(range(len(self.order))):  # a rule's result may view its arguments
            if i in kinds and kinds[i] is None:
                for s in self.arg_slots[i]:
                    last[s] = max(last[s], last[i])
        releases: dict[int, list] = {}
        for s, i in enumerate(last):
            releases.setdefault(i, []).append(s)
        free: dict[tuple, list] = {}
        shapes: list[tuple] = []
        owner: dict[int, int] = {}
        steps: list[tuple[int, str, Any]] = []
        for i, n in enumerate(self.order):
            if self.per_point[i]:
                if n.op == "var":
                    steps.append((i, "var", n.name))
                elif (kind := kinds[i]) is None:
                    steps.append((i, "rule", None))
                else:
                    name, positions = kind
                    slots = tuple(self.arg_slots[i][k] for k in positions)
                    pad = self.pads[i]
                    pads = None if pad is None else tuple(pad[k] for k in positions)
                    for s in set(slots):  # an input dying here may take the result in place
                        if last[s] == i and s in owner:
                            free[self.order[s].shape].append(owner.pop(s))
                    pool = free.setdefault(n.shape, [])
                    buffer = pool.pop() if pool else len(shapes)
                    if buffer == len(shapes):
                        shapes.append(n.shape)
                    owner[i] = buffer
                    steps.append((i, "ufunc", (getattr(self.device.xp, name), slots, buffer, pads)))
            for s in releases.get(i, ()):  # after step i has run, its dead inputs' buffers return
                if s in owner:
                    free[self.order[s].shape].append(owner.pop(s))
        self._chunk_steps = (steps, shapes)
        return self._chunk_steps


def rebuilt(steps: list, output_slots: list, batched: list, namespace: str, dtype: str, chunk: int) -> Plan:
    """The plan `Plan.__reduce__` took apart: one node per step, in a graph of its own."""
    graph = Graph(max_nodes=len(steps) + 1)
    nodes: list = []
    for i, (op, slots, payload, shape) in enumerate(steps):
        nodes.append(graph.intern(op, tuple(nodes[s] for s in slots), payload, shape, key=i))
    xp = np if namespace == "numpy" else importlib.import_module(namespace)
    plan = Plan([nodes[s] for s in output_slots], set(batched), Device(xp, getattr(xp, dtype)), chunk)
    if [n.op for n in plan.order] != [step[0] for step in steps]:
        raise DiffcliError("internal: a shipped plan did not rebuild to the same steps")
    return plan


def aligned(xp, values, pads) -> list:
    return [v if k == 0 else xp.reshape(v, (v.shape[0],) + (1,) * k + tuple(v.shape[1:])) for v, k in zip(values, pads)]
