"""Matrix terms as text that parses back (`2*transpose(X)@(X@w - y)`) and as LaTeX
(`2 X^\\top \\left(X w - y\\right)`), size symbols written as declared (`eye(n)`).

Text follows the language's grammar: `*`, `/` and `@` share one precedence level and group to
the left, so a right operand that is itself a product is bracketed. The outer product, `diag`,
`trace`, `det`, `inv`, `logdet`, `solve` and `kron` print by the names the language reads
(issue 28's spellings, built from the op table's primitives).
"""

from __future__ import annotations

from diffcli.matrix.terms import Term

SUM, PRODUCT, UNARY, POWER, ATOM = range(5)

LATEX_CALLS = {
    "exp": "\\exp",
    "log": "\\log",
    "sin": "\\sin",
    "cos": "\\cos",
    "tanh": "\\tanh",
    "det": "\\det",
    "trace": "\\operatorname{tr}",
    "logdet": "\\log\\det",
    "sum": "\\operatorname{sum}",
    "diag": "\\operatorname{diag}",
}


def number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(v)


class Printer:
    """Text (latex=False) or LaTeX of a term; `symbols` maps a stand-in size to its symbol."""

    def __init__(self, symbols: dict | None = None, latex: bool = False):
        self.symbols = symbols or {}
        self.latex = latex

    def size(self, k: int) -> str:
        return self.symbols.get(k, str(k))

    def __call__(self, t: Term) -> str:
        return self.show(t)[0]

    def wrap(self, t: Term, least: int) -> str:
        text, level = self.show(t)
        if level >= least:
            return text
        return f"\\left({text}\\right)" if self.latex else f"({text})"

    def show(self, t: Term) -> tuple[str, int]:
        """(text, precedence level of its outermost operation)."""
        return getattr(self, "show_" + t.kind)(t)

    def show_var(self, t):
        return t.data, ATOM

    def show_num(self, t):
        if t.shape and t.data == 0.0:
            return self.zeros(t.shape)
        text = number(abs(t.data))
        body = (text, ATOM) if t.data >= 0 else ("-" + text, UNARY)
        return body if not t.shape else self.show_fill(Term("fill", (Term("num", (), t.data),), None, t.shape))

    def zeros(self, shape):
        """0 of a shape: the language has no zeros(n); written from rows of the identity."""
        if self.latex:
            return "0", ATOM
        sizes = [self.size(k) for k in shape]
        if len(shape) == 1:
            return f"0*eye({sizes[0]})[0]", PRODUCT
        if shape[0] == shape[1]:
            return f"0*eye({sizes[0]})", PRODUCT
        return f"0*transpose([eye({sizes[0]})[0]])@[eye({sizes[1]})[0]]", PRODUCT

    def show_fill(self, t):
        """A scalar filling a shape (the gradient of sum(x) is a vector of ones)."""
        inner = self.wrap(t.args[0], PRODUCT)
        if self.latex:
            return ("\\mathbf{1}", ATOM) if inner == "1" else (f"{inner} \\mathbf{{1}}", PRODUCT)
        return f"{inner} + {self.zeros(t.shape)[0]}", SUM

    def show_eye(self, t):
        if self.latex:
            return "I", ATOM
        return f"eye({self.size(t.shape[0])})", ATOM

    def show_add(self, t):
        out = []
        for i, u in enumerate(t.args):
            text, _ = self.show(u)
            if i and text.startswith("-"):
                out.append(" - " + self.wrap(negated(u), SUM + 1 if False else PRODUCT))
            else:
                out.append((" + " if i else "") + self.wrap(u, SUM))
        return "".join(out), SUM

    def show_scale(self, t):
        k, base = t.data, t.args[0]
        if k == -1.0:
            return "-" + self.wrap(base, PRODUCT), UNARY
        sign = "-" if k < 0 else ""
        coefficient = number(abs(k))
        if self.latex:
            return f"{sign}{coefficient} {self.wrap(base, PRODUCT)}", UNARY if sign else PRODUCT
        return f"{sign}{coefficient}*{self.wrap(base, PRODUCT)}", UNARY if sign else PRODUCT

    def show_had(self, t):
        if self.latex:
            scalars = [self.wrap(u, POWER) for u in t.args if u.shape == ()]
            arrays = [self.wrap(u, POWER) for u in t.args if u.shape != ()]
            return " ".join(scalars + [" \\odot ".join(arrays)] if arrays else scalars), PRODUCT
        return self.products(t.args, "*"), PRODUCT

    def products(self, args, symbol):
        first, *rest = args
        return symbol.join([self.wrap(first, PRODUCT)] + [self.wrap(u, POWER) for u in rest])

    def show_mm(self, t):
        if t.rank == 2 and all(u.kind == "T" for u in t.args):  # transpose(inv(X)@B@A@inv(X)), the Cookbook's
            inner = Term("mm", tuple(u.args[0] for u in reversed(t.args)), None, t.shape[::-1])
            return self.show_T(Term("T", (inner,), None, t.shape))
        if self.latex:
            parts = [self.wrap(u, POWER) for u in t.args]
            if t.shape == () and t.args[0].rank == 1:
                parts[0] = self.sup(t.args[0], "\\top")
            return " ".join(parts), PRODUCT
        return self.products(t.args, "@"), PRODUCT

    def sup(self, t, what):
        base = self.wrap(t, ATOM)
        return "%s^{%s}" % (base if len(base) == 1 else "{%s}" % base, what)

    def show_T(self, t):
        inner = t.args[0]
        if self.latex and inner.kind == "fn" and inner.data == "inv":  # the Cookbook's X^{-T}
            return self.sup(inner.args[0], "-\\top"), POWER
        if self.latex:
            return self.sup(inner, "\\top"), POWER
        return f"transpose({self(t.args[0])})", ATOM

    def show_div(self, t):
        a, b = t.args
        if self.latex:
            return "\\frac{%s}{%s}" % (self(a), self(b)), ATOM
        return f"{self.wrap(a, PRODUCT)}/{self.wrap(b, POWER)}", PRODUCT

    def show_pow(self, t):
        base = self.wrap(t.args[0], ATOM)
        exponent = number(t.data)
        if self.latex:
            return "{%s}^{%s}" % (base, exponent), POWER
        return f"{base}^{exponent if t.data >= 0 else '(' + exponent + ')'}", POWER

    def show_outer(self, t):
        u, v = t.args
        if self.latex:
            return f"{self.wrap(u, POWER)} {self.sup(v, chr(92) + 'top')}", PRODUCT
        return f"outer({self(u)}, {self(v)})", ATOM

    def show_diag(self, t):
        if self.latex:
            return f"\\operatorname{{diag}}\\left({self(t.args[0])}\\right)", ATOM
        return f"diag({self(t.args[0])})", ATOM

    def show_col(self, t):
        inner = self(t.args[0])
        return (f"{inner}\\mathbf{{1}}^\\top" if self.latex else f"transpose([{inner}])"), ATOM

    def show_sum(self, t):
        return self.call("sum", t.args), ATOM

    def show_fn(self, t):
        if self.latex:
            if t.data == "inv":
                return self.sup(t.args[0], "-1"), POWER
            if t.data == "norm":
                return f"\\left\\|{self(t.args[0])}\\right\\|", ATOM
        return self.call(t.data, t.args), ATOM

    def call(self, name, args):
        inside = ", ".join(self(u) for u in args)
        if self.latex:
            head = LATEX_CALLS.get(name, f"\\operatorname{{{name}}}")
            return f"{head}\\left({inside}\\right)"
        return f"{name}({inside})"


def negated(t: Term) -> Term:
    if t.kind == "scale":
        return t.args[0] if t.data == -1.0 else Term("scale", t.args, -t.data, t.shape)
    if t.kind == "num":
        return Term("num", (), -t.data, t.shape)
    return t


def text(t: Term, symbols: dict | None = None) -> str:
    return Printer(symbols)(t)


def latex(t: Term, symbols: dict | None = None) -> str:
    return Printer(symbols, latex=True)(t)
