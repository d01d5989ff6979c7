"""One meaning for a name in every mode: the constants `e` and `pi`, and the slips a free name
can be (`sinx`, `cos^2`, `PI`), refused with the fix whether or not --at binds the variables.

Without --at (`diff "x*sinx"`) every unknown name used to become a variable, so a slip printed a
wrong formula in silence; with --at the same slip was an error. Here is the one rule both modes
use. A name is a slip when it is a function name (`cos` in `cos^2(x)`), another notation's
spelling of a constant (`PI`, `E`, `π`), or a function name glued to its argument (`sinx`,
`lnx`, `cos2x`), where the argument is one letter, a Greek letter's name, a constant or a name
the expression uses elsewhere. A variable that really has such a name (`cost`) is renamed
(`c_t`), or bound with --at, where the names bound are taken as written.
"""

from __future__ import annotations

import re

from diffcli.syntax import hints

GREEK = set(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron rho sigma tau "
    "upsilon phi chi psi omega".split()
)
CONSTANT_MEANING = {"e": "Euler's number e = 2.71828...", "pi": "pi = 3.14159..."}
NAMES = re.compile(r"[^\W\d]\w*")


def constant_name(name: str, where: str) -> str:
    """The error for a constant's name used as a variable's (`--at e=1`, `--wrt pi`)."""
    return (
        f"{where}: `{name}` is {CONSTANT_MEANING[name]}, a constant in every expression, not a variable: "
        f"name your variable otherwise (such as {name}_ or {name}1)"
    )


def glued_argument(name: str, others: set, constants) -> set:
    """The tails of `name` that read as an argument: one letter (after digits: `cos2x`), a Greek
    letter's name, a constant, or a name the expression uses elsewhere."""
    tails = {name[k:] for k in range(1, len(name))}
    return {t for t in tails if len(t) == 1 or t in GREEK or t in constants or t in others}


def free_slip(name: str, text: str, end: int, functions, constants) -> str | None:
    """The error for a free name that reads as a slip when no --at point binds names, or None
    for a name that is a variable."""
    if name in functions:
        power = hints.function_power(text, end, name, functions)
        return power or f"`{name}` is a function: call it as {name}(...)"
    if name in hints.CONSTANT_SPELLINGS:
        return f"`{name}` is not a name diffcli knows: the constant is written `{hints.CONSTANT_SPELLINGS[name]}`"
    others = set(NAMES.findall(text)) - {name}
    glued = hints.glued_call(name, glued_argument(name, others, constants), functions)
    if glued is not None:
        head = glued.split("(")[0]
        return (
            f"`{name}` reads as a function glued to its argument: did you mean `{glued}`? "
            f"(a variable named `{name}`: rename it, such as `{head}_{name[len(head) :]}`)"
        )
    return None


def missing_wrt(name: str, variables: list[str], option: str = "--wrt") -> str:
    """The error for a --wrt name that the expression does not contain, listing its variables;
    `xy` for the variables x and y is read as the mixed partial: `--wrt x,y`."""
    have = ", ".join(variables) or "none"
    message = f"{option} {name}: the expression has no variable `{name}` (its variables: {have})"
    split = _split(name, set(variables))
    if split:
        return f"{message}: did you mean `{option} {','.join(split)}`?"
    close = [v for v in variables if v.lower() == name.lower()]
    return message + (f": did you mean `{option} {close[0]}`?" if close else "")


def _split(name: str, variables: set) -> list[str] | None:
    """`xy` as x, y (each piece a variable), shortest pieces first; None when it is no such run."""
    if not name:
        return []
    for k in range(1, len(name) + 1):
        if name[:k] in variables:
            rest = _split(name[k:], variables)
            if rest is not None:
                return [name[:k], *rest]
    return None
