"""Output files written atomically: a temporary file beside the target, then a rename, so a
failure leaves no partial file and never touches an input the result was computed from."""

from __future__ import annotations

import os
import tempfile
from typing import Callable

from .errors import DiffcliError


def atomic_write(path: str, write: Callable[[str], None], inputs: tuple[str, ...] = ()) -> None:
    """Call `write(tmp_path)` to produce the file, then move it over `path`.

    `inputs` are paths the result was computed from; writing over one of them is refused.
    """
    target = os.path.abspath(path)
    for source in inputs:
        if source and os.path.exists(source) and os.path.exists(target) and os.path.samefile(source, target):
            raise DiffcliError(f"refusing to write over the input `{path}`: choose another output file")
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise DiffcliError(f"cannot write `{path}`: the folder `{os.path.dirname(path)}` does not exist")
    if os.path.isdir(target):
        raise DiffcliError(f"cannot write `{path}`: it is a directory")
    fd, tmp = tempfile.mkstemp(prefix=".diffcli-", suffix=os.path.splitext(target)[1], dir=folder)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _mode_for(target))  # mkstemp makes 0600; give what a plain open() would
        os.replace(tmp, target)
    except OSError as e:
        raise DiffcliError(f"cannot write `{path}`: {e.strerror or e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _mode_for(target: str) -> int:
    """The existing file's permissions, else 0666 less the umask, as open(path, "w") gives."""
    if os.path.exists(target):
        return os.stat(target).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path: str, text: str, inputs: tuple[str, ...] = ()) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    atomic_write(path, write, inputs)


PICTURES = (".png", ".svg", ".pdf")


def picture_format(path: str, option: str, default: str) -> str:
    """The format a picture file gets: its extension's (.png, .svg, .pdf), the option's own
    format for a name without an extension (`/dev/stdout`), and an error for any other."""
    extension = os.path.splitext(path)[1].lower()
    if extension in PICTURES:
        return extension[1:]
    if not extension:
        return default
    raise DiffcliError(f"{option} {path}: a picture is PNG, SVG or PDF, chosen by the file's extension: "
                       "name it .png, .svg or .pdf")
