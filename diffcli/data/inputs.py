"""The input set: every file a command reads (EXPR, `--points`, `--data`, each `--at x=@FILE`,
the files of a Parquet data set, standard input) is noted here (`note_input`) as it is opened,
and every output (`fileio.output`, `fileio.atomic_folder`) is checked against that one set, by
device and inode (a hard link, standard input's `fstat(0)`) and by resolved path (symlinks
followed): exit 2, "refusing to write over the input", nothing touched (`check_not_input`).

Also here: which names are this process's own descriptors (`descriptor`: `/dev/stdin`,
`/dev/fd/N`, `/proc/self/fd/N`), since standard input is one of them.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from contextlib import suppress

from diffcli.errors import DiffcliError

STDIN = "-"  # standard input's name on the command line (and standard output's, for an output)
_INPUTS: dict = {}  # every input read by this command: (st_dev, st_ino) or resolved path -> the name as given
# This process's own descriptors, reached by name: /dev/stdout, /dev/fd/N, /proc/self/fd/N.
_OWN_FD = re.compile(r"/(?:dev/fd|proc/(?:self|thread-self|%d)/fd)/(\d+)\Z" % os.getpid())
_STD = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def forget_inputs() -> None:
    """A new command (the CLI's entry point): no input read yet."""
    _INPUTS.clear()


def note_input(path: str) -> None:
    """Remember that this command reads `path` (`-` is standard input): no output may replace it."""
    if not path:
        return
    if path == STDIN or descriptor(path) == 0:
        with suppress(OSError, ValueError):
            st = os.fstat(0)
            if stat.S_ISREG(st.st_mode):  # a pipe or a terminal cannot be written over
                _INPUTS[(st.st_dev, st.st_ino)] = "standard input"
        return
    shown = path
    with suppress(OSError, ValueError):
        st = os.stat(path)
        if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
            _INPUTS[(st.st_dev, st.st_ino)] = shown
    if os.path.exists(path):
        _INPUTS[os.path.realpath(path)] = shown


def inputs_read() -> list[str]:
    """The inputs noted so far, resolved paths (for the folder check)."""
    return [key for key in _INPUTS if isinstance(key, str)]


def check_not_input(path: str, inputs: tuple = ()) -> None:
    """Refuse (exit 2) an output `path` that is one of the inputs read (or of `inputs`, noted
    here too): the same device and inode, or the same resolved path."""
    for source in inputs:
        if source:
            note_input(source)
    found = input_named(path)
    if found is not None:
        also = "" if found == path else f" (read as {found})" if found == "standard input" else f" (read as `{found}`)"
        raise DiffcliError(f"refusing to write over the input `{path}`{also}: choose another output file")


def input_named(path: str) -> str | None:
    with suppress(OSError, ValueError):
        st = os.stat(path)
        found = _INPUTS.get((st.st_dev, st.st_ino))
        if found is not None:
            return found
    with suppress(OSError, ValueError):
        return _INPUTS.get(os.path.realpath(path))
    return None


def standard_input(what: str):
    """Standard input's byte stream (noted as an input); an error (exit 2) when it is closed
    (`<&-`: Python then has no sys.stdin)."""
    if sys.stdin is None:
        where = "standard input" if what == STDIN else f"{what}: standard input"
        raise DiffcliError(f"{where} is closed: pipe or redirect the input in, or give a file")
    note_input(STDIN)
    return getattr(sys.stdin, "buffer", sys.stdin)


def check_folder_not_input(final: str, inputs: tuple = ()) -> None:
    """Refuse (exit 2) an output folder (resolved: `final`) that is an input, holds one, or is
    inside an input folder (`inputs` are noted here too)."""
    for source in inputs:
        note_input(source)
    found = input_named(final)
    for source in inputs_read():
        inside = os.path.commonpath([final, source])
        if inside == final or (os.path.isdir(source) and inside == source):
            found = _INPUTS[source]
    if found is not None:
        raise DiffcliError(f"refusing to write over or into the input `{found}`: choose another output folder")


def descriptor(path: str) -> int | None:
    """N when `path` names this process's descriptor N (also through symlinks to such names)."""
    here = path
    for _ in range(40):
        here = os.path.abspath(here)
        if here in _STD:
            return _STD[here]
        found = _OWN_FD.match(here)
        if found:
            return int(found.group(1))
        try:
            here = os.path.join(os.path.dirname(here), os.readlink(here))
        except OSError:  # not a link (or not to be read): an ordinary name
            return None
    return None
