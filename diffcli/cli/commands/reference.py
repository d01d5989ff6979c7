"""functions: the language reference (every function and operator), from the op table."""

from __future__ import annotations

from diffcli.cli.spec import Options
from diffcli.explain.reference import reference
from diffcli.render import reference as view
from diffcli.render.present import present


def functions(o: Options) -> int:
    return present(reference(), o.format, view)
