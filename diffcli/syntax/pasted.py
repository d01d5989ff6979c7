"""Code pasted from elsewhere, named and mended before parsing: PyTorch statements, a Python
`def` or `lambda`, Wolfram's `Sin[x]` and `D[f, x]`, SymPy's `diff(f, x)`, a textbook's
`d/dx x^2`, a glued `2πx`. Each answer is the diffcli way to write it. The parser asks only
after the text failed to parse (syntax/parse.py), so valid diffcli text is never refused, and
the answer is a `Written`, so an argument that fails this way is not reported as a missing file."""

from __future__ import annotations

import difflib
import re

TORCH_OPERATORS = {"add": "+", "sub": "-", "subtract": "-", "mul": "*", "multiply": "*", "div": "/", "divide": "/"}
TORCH_LINE = re.compile(r"(?m)^[ \t]*(?:import[ \t]+torch|from[ \t]+torch|.*\btorch\.|.*\.backward\(|.*requires_grad)")
TENSOR = re.compile(r"(?m)^[ \t]*([^\W\d]\w*)[ \t]*=[ \t]*torch\.tensor\(([^,)]+)")
COMPUTED = re.compile(r"(?m)^[ \t]*(?:[^\W\d]\w*[ \t]*=[ \t]*)?(.*torch\.(?!tensor\b)\w+\(.*)$")
PYTORCH = re.compile(r"\bimport[ \t]+torch\b|requires_grad|=[ \t]*torch\.tensor\(")
DEF = re.compile(r"(?m)^[ \t]*def[ \t]+\w+[ \t]*\(")
RETURN = re.compile(r"(?m)^[ \t]*return[ \t]+(.+)$")
LAMBDA = re.compile(r"\blambda\b[^:]*:[ \t]*(.+)")
WOLFRAM_CALL = re.compile(r"\b([A-Z][a-z]+)\[")
WOLFRAM_D = re.compile(r"^\s*D\[(.*),\s*([^\W\d]\w*)\s*\]\s*$", re.S)
SYMPY_DIFF = re.compile(r"^\s*(?:sympy\.|sp\.)?(?:diff|Derivative)\((.*),\s*([^\W\d]\w*)\s*\)\s*$", re.S)
D_BY = re.compile(r"^\s*d\s*/\s*d([^\W\d]\w*)\s*(.+)$", re.S)
D_OF = re.compile(r"^\s*d\s*\((.+)\)\s*/\s*d([^\W\d]\w*)\s*$", re.S)
WHOLE_DOT = re.compile(r"(?<=\d)\.$")  # torch.tensor(2.): the value 2
GLUED_PI = re.compile(r"(?<=[\w)])π|π(?=[\w(])")


def check(text: str, functions) -> tuple[int, str] | None:
    """(offset, message) for pasted code, or None."""
    for finder in (_torch, _python, _wolfram, _derivative, _glued_pi, _degrees):
        found = finder(text, functions)
        if found is not None:
            return found
    return None


def _python_to_diffcli(expr: str) -> str:
    return expr.strip().replace("**", "^")


def _torch(text: str, functions):
    line = TORCH_LINE.search(text)
    if line is None or PYTORCH.search(text) is None:  # a lone torch.sin(x): hints.dot answers it
        return None
    computed = COMPUTED.findall(text)
    written = _translate(computed[-1]) if computed else None
    point = ",".join(f"{name}={WHOLE_DOT.sub('', value.strip())}" for name, value in TENSOR.findall(text))
    at = f" --at {point}" if point else ""
    if written:
        return line.start(), (
            f"this is PyTorch code: diffcli reads the expression alone, not Python statements: "
            f'write `diffcli grad "{written}"{at}`'
        )
    return line.start(), (
        "this is PyTorch code: diffcli reads the expression alone (such as (x + 1)*(x + 2)), "
        f"and the tensors' values with --at{at or ' x=2'}"
    )


def _translate(expr: str) -> str | None:
    """torch.mul(torch.add(x, 1), torch.add(x, 2)) -> (x + 1)*(x + 2); None if it does not fit."""
    expr = expr.strip()
    call = re.match(r"torch\.(\w+)\(", expr)
    if call is None:
        return _python_to_diffcli(expr) if "torch" not in expr else None
    end = _matching(expr, call.end() - 1)
    if end != len(expr) - 1:
        return None
    args = _split(expr[call.end() : end])
    translated = [_translate(a) for a in args]
    parts = [p for p in translated if p is not None]
    if len(parts) != len(translated):
        return None
    name = call.group(1)
    if name in TORCH_OPERATORS and len(parts) == 2:
        op = TORCH_OPERATORS[name]
        if op in "+-":
            return f"({parts[0]} {op} {parts[1]})"
        return f"{parts[0]}{op}{parts[1]}"
    if name == "pow" and len(parts) == 2:
        return f"{parts[0]}^{parts[1]}"
    return f"{name}({', '.join(parts)})"


def _matching(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def _split(args: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(args):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(args[start:i])
            start = i + 1
    parts.append(args[start:])
    return [p.strip() for p in parts if p.strip() and "=" not in p]


def _python(text: str, functions):
    found = DEF.search(text)
    if found is not None:
        body = RETURN.search(text)
        fix = f": `{_python_to_diffcli(body.group(1))}`" if body else ""
        return found.start(), f"a Python function: write only the expression it returns{fix}"
    found = LAMBDA.search(text)
    if found is not None:
        return found.start(), f"a Python lambda: write only the expression: `{_python_to_diffcli(found.group(1))}`"
    return None


def _wolfram(text: str, functions):
    found = WOLFRAM_D.match(text)
    if found is not None:
        return 0, (
            f"Wolfram's D[f, x]: give the expression and the variable: "
            f'`diffcli diff "{found.group(1).strip()}" --wrt {found.group(2)}`'
        )
    for call in WOLFRAM_CALL.finditer(text):
        name = call.group(1)
        if name.lower() in functions:
            end = _matching(text, call.end() - 1)
            inner = text[call.end() : end] if end > 0 else "x"
            return call.start(), (
                f"Wolfram's `{name}[{inner}]` is written `{name.lower()}({inner})`: "
                "functions are lower case, their arguments in parentheses"
            )
    return None


def _derivative(text: str, functions):
    for pattern, expr_group, var_group, who in (
        (SYMPY_DIFF, 1, 2, "SymPy's diff(f, x)"),
        (D_BY, 2, 1, "d/dx"),
        (D_OF, 1, 2, "d(f)/dx"),
    ):
        found = pattern.match(text)
        if found is not None:
            expr, var = _python_to_diffcli(found.group(expr_group)), found.group(var_group)
            return 0, f'{who}: give the expression and the variable: `diffcli diff "{expr}" --wrt {var}`'
    return None


def _glued_pi(text: str, functions):
    found = GLUED_PI.search(text)
    if found is None:
        return None
    fixed = re.sub(r"(?<=[\w)])π", "*π", text)
    fixed = re.sub(r"π(?=[\w(])", "π*", fixed).replace("π", "pi")
    return found.start(), f"π glued to a name or number: write the products with *: `{fixed.strip()}`"


DEGREES = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?)[ \t]*(?:°|deg\b|degrees?\b)|(?<!\w)([^\W\d]\w*)[ \t]*°")


def _degrees(text: str, functions):
    found = DEGREES.search(text)
    if found is None:
        return None
    number = found.group(1) or found.group(2)
    return found.start(), (f"diffcli works in radians: write {number}° as `{number}*pi/180` (or `deg2rad({number})`)")


# Functions of other libraries that are operators here, and constructors of arrays.
OPERATOR_FUNCTIONS = {
    "add": "a + b",
    "sub": "a - b",
    "subtract": "a - b",
    "mul": "a*b",
    "multiply": "a*b",
    "div": "a/b",
    "divide": "a/b",
    "true_divide": "a/b",
}
CONSTRUCTORS = {"tensor", "Tensor", "array", "asarray", "as_tensor", "FloatTensor"}
DEGREE_FUNCTIONS = {"sind", "cosd", "tand", "asind", "acosd", "atand", "secd", "cscd", "cotd"}
CALLED = re.compile(r"(?<![\w.])([^\W\d]\w*)[ \t]*\(")


def unknown_function(name: str, text: str, functions, declared=()) -> str | None:
    """The error for a call of `name`, which is no function of diffcli, when it has a meaning.
    A slip of a declared function's name (`fo` for `foo`) is left to the usual suggestion."""
    if name in OPERATOR_FUNCTIONS:
        return f"unknown function `{name}`: diffcli writes it as the operator: `{OPERATOR_FUNCTIONS[name]}`"
    if name in CONSTRUCTORS:
        return (
            f"unknown function `{name}`: there are no tensors to make: write the name, and give its "
            "value with --at, such as --at 'x=[1,2,3]'"
        )
    if name in DEGREE_FUNCTIONS:
        plain = name[:-1]
        return (
            f"unknown function `{name}` (degrees): diffcli works in radians: write `{plain}(x*pi/180)` "
            f"or `{plain}(deg2rad(x))`"
        )
    if len(name) <= 2 and not difflib.get_close_matches(name, list(declared)):  # f(x)*g(x), as in a calculus text
        undefined = sorted({n for n in CALLED.findall(text) if n not in functions and len(n) <= 2})
        listed = ",".join(undefined or [name])
        return (
            f"unknown function `{name}`: for functions left undefined, `diffcli diff` takes "
            f"--function {listed} (f(x^2) differentiates to 2*x*f'(x^2))"
        )
    return None
