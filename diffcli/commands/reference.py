"""functions: the language reference (every function and operator), from the op table."""

from __future__ import annotations

from ..reference import reference
from ..render import reference as view
from ..render.present import present


def functions(o: dict) -> int:
    return present(reference(), o["format"], view)
