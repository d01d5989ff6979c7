"""Output files written atomically: a temporary file beside the target, then a rename, so a
failure leaves no partial file and never touches an input the result was computed from."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Callable

from .errors import DiffcliError, OutputError


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
    return 0o666 & ~_umask()


def atomic_write_text(path: str, text: str, inputs: tuple[str, ...] = ()) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    atomic_write(path, write, inputs)


def atomic_folder(path: str, write: Callable[[str], None], inputs: tuple[str, ...] = ()) -> None:
    """Call `write(tmp_folder)` to fill a new folder (a data set), then rename it to `path`.

    A failure leaves nothing behind. An existing folder is replaced only when it holds nothing
    but Parquet files (and `_`-names such as `_metadata`): an earlier result, never a folder of
    other files, never an input (nor one holding an input).
    """
    target = os.path.abspath(path.rstrip("/" + os.sep) or path)
    shown = path
    for source in inputs:
        if not source or not os.path.exists(source):
            continue
        inside = os.path.commonpath([target, os.path.abspath(source)])
        if inside == target or (os.path.isdir(source) and inside == os.path.abspath(source)):
            raise DiffcliError(f"refusing to write over or into the input `{source}`: choose another output folder")
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise OutputError(f"cannot write `{shown}`: the folder `{parent}` does not exist")
    if os.path.exists(target):
        if not os.path.isdir(target):
            raise OutputError(f"cannot write `{shown}`: it is a file, and a data set is a folder")
        others = [e.name for e in os.scandir(target)
                  if not (e.is_file() and (e.name.endswith(".parquet") or e.name.startswith("_")))]
        if others:
            raise OutputError(f"cannot write `{shown}`: the folder holds `{sorted(others)[0]}`, not only Parquet "
                              "files: choose a new or empty folder")
    try:
        tmp = tempfile.mkdtemp(prefix=".diffcli-", dir=parent)
    except OSError as e:
        raise OutputError(f"cannot write `{shown}`: {e.strerror or e}") from None
    old = tmp + ".old"
    try:
        write(tmp)
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; give what mkdir would
        if os.path.exists(target):
            os.rename(target, old)
        os.rename(tmp, target)
    except OSError as e:
        raise OutputError(f"cannot write `{shown}`: {e.strerror or e}") from None
    finally:
        if os.path.exists(old) and not os.path.exists(target):
            os.rename(old, target)  # put the earlier result back
        for leftover in (tmp, old):
            shutil.rmtree(leftover, ignore_errors=True)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
