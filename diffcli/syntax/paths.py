"""Which command-line argument names a file: SPEC's rule, kept light (os and re only) so the
command layer can apply it before a command's modules are imported."""

from __future__ import annotations

import os
import re

EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,9}\Z")  # .dc, .txt, .expr
PATH_MAX = 4096  # a longer argument is never a path (Linux's PATH_MAX)


def looks_like_path(arg: str) -> bool:
    """An argument with a `/` or a file extension names a file."""
    return len(arg) <= PATH_MAX and ("/" in arg or EXTENSION.search(arg) is not None)


def shadowed_file(arg: str) -> str | None:
    """The note for an argument read as an expression while a file of that name exists."""
    if arg == "-" or looks_like_path(arg) or not os.path.isfile(arg):
        return None
    return f"`{arg}` is read as an expression, not as the file of that name: write ./{arg} to read the file"
