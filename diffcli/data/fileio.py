"""Output files: the one place that opens what diffcli writes (`--trace`, `--out`, `--dot`,
`--svg`, `--png`, `--plot`) and says why a write failed.

- `-` is standard output (so are `/dev/stdout`, `/dev/fd/1` and `/proc/self/fd/1`; `/dev/fd/N`
  and `/proc/self/fd/N` are this process's descriptor N).
- A regular file, or a new one, is written atomically: a temporary file in the same folder,
  flushed and synced, given the target's mode (and owner, where diffcli may), then renamed
  over the target. A failure or an interruption removes the temporary; the target is either
  the old file or the whole new one.
- A symlink is followed: its target is written so, and the link stays a link.
- Anything else (a FIFO, a character or block device, a socket) is opened and written
  directly, never replaced.
- A folder (a Parquet data set, `atomic_folder`) is filled as a temporary folder beside it and
  renamed over it at the end.

Inputs are never written over: every output (`output`, `atomic_folder`) is checked against
the set of files the command read (inputs.py). A temporary a killed run left behind is swept
by the next write into its folder (temporaries.py).

Every failure is an `OutputError` (exit 4) naming the file and the cause; a reader of stdout
that goes away (`| head`) is left to the CLI (BrokenPipeError, exit 0). A picture's format is
its name's extension (`picture_format`); parts of an output that wait for its end go to an
unnamed temporary file (`scratch`).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
import time
from contextlib import contextmanager, suppress

from diffcli.data import interrupt
from diffcli.data.inputs import check_folder_not_input, check_not_input, descriptor
from diffcli.data.temporaries import sweep, sync_folder, temp_prefix, umask
from diffcli.errors import DiffcliError, OutputError

STDOUT = "-"
CAUSES = {  # errno -> the cause as the error line says it
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "the file is too large for the file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.EPIPE: "broken pipe (the reader went away)",
    errno.EBADF: "the stream is closed",
    errno.EISDIR: "it is a directory",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENXIO: "no reader or device on the other end",
    errno.ECONNREFUSED: "nothing is listening on the socket",
}


def cause(e: OSError) -> str:
    return (CAUSES.get(e.errno) if e.errno is not None else None) or (e.strerror or str(e)).lower()


def is_stdout(path: str) -> bool:
    return path == STDOUT or descriptor(path) == 1


def is_stream(path: str) -> bool:
    """True for an output written in place: standard output, a descriptor, a FIFO, a device, a
    socket (what has no file name extension to pick a format by)."""
    if path == STDOUT or descriptor(path) is not None:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextmanager
def output(path: str, inputs: tuple = (), binary: bool = False):
    """Yield a file object to write the output `path` (text in UTF-8, or bytes); see the module
    docstring for what each kind of path gets. `inputs` are paths the result was computed
    from: writing over one of them is refused (exit 2)."""
    if not path:
        raise DiffcliError("an output file name is empty: give a file name, or - for standard output")
    fd = 1 if path == STDOUT else descriptor(path)
    if fd is not None and fd not in (1, 2):
        check_not_input(path, inputs)  # /dev/fd/N opened on an input
    if fd in (1, 2):
        with _standard(fd, path, binary) as fh:
            yield fh
        return
    if fd is not None:
        with _direct(path, lambda: os.fdopen(os.dup(fd), "wb"), binary) as fh:
            yield fh
        return
    final = os.path.realpath(path)
    check_not_input(path, inputs)
    try:
        st = os.stat(final)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError(f"cannot write `{path}`: {cause(e)}") from None
    if st is None or stat.S_ISREG(st.st_mode):
        with _atomic(path, final, st, binary) as fh:
            yield fh
    elif stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write `{path}`: it is a directory")
    elif stat.S_ISSOCK(st.st_mode):
        with _direct(path, lambda: _socket(final), binary) as fh:
            yield fh
    else:  # a FIFO or a device: written in place (opening a FIFO waits for its reader)
        with _direct(path, lambda: open(path, "wb"), binary) as fh:
            yield fh


def write_text(path: str, text: str, inputs: tuple = ()) -> None:
    with output(path, inputs) as fh:
        fh.write(text)


def write_bytes(path: str, data: bytes, inputs: tuple = ()) -> None:
    with output(path, inputs, binary=True) as fh:
        fh.write(data)


def write_npz(path: str, arrays: dict, inputs: tuple = ()) -> None:
    """Named arrays as one `.npz` (numpy.savez's format), written as every output is."""
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes(path, buffer.getvalue(), inputs)


def scratch(path: str):
    """An unnamed temporary file (it leaves nothing behind) for parts of the output `path` that
    wait for its end (`.npz` columns, `.npy` rows bound for a pipe): beside `path` when it is a
    file (the same file system), in the system's temporary folder for standard output, a pipe
    or a device."""
    import tempfile

    folder = None if is_stream(path) else os.path.dirname(os.path.realpath(path))
    try:
        with interrupt.held():
            return _Sink(tempfile.TemporaryFile(dir=folder), path)
    except OSError as e:
        raise OutputError(f"cannot write `{path}`: {cause(e)}") from None


@contextmanager
def stdout_errors():
    """Turn a failed write to standard output into an OutputError (exit 4); a reader that went
    away stays a BrokenPipeError (exit 0: it has what it wanted)."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): print() would drop the output silently
        raise OutputError(f"cannot write standard output: {CAUSES[errno.EBADF]}")
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as e:
        raise OutputError(f"cannot write standard output: {cause(e)}") from None


class _Sink:
    """A file object whose failed writes are OutputErrors naming the file."""

    def __init__(self, fh, path: str):
        self._fh, self._path = fh, path

    def _failed(self, e: OSError):
        if isinstance(e, BrokenPipeError) and self._path == STDOUT:
            raise e
        where = "standard output" if self._path == STDOUT else f"`{self._path}`"
        raise OutputError(f"cannot write {where}: {cause(e)}") from None

    def write(self, data):
        try:
            return self._fh.write(data)
        except OSError as e:
            self._failed(e)

    def flush(self):
        try:
            self._fh.flush()
        except OSError as e:
            self._failed(e)

    def seekable(self) -> bool:
        try:
            return self._fh.seekable()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:  # writers that find a descriptor write around write(): keep them here
        raise io.UnsupportedOperation("fileno")

    def __getattr__(self, name):  # seek, tell, ... of the file object itself
        return getattr(self._fh, name)


def _text(raw, binary: bool):
    return raw if binary else io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)


@contextmanager
def _standard(fd: int, path: str, binary: bool):
    """Standard output (or error): the stream the rest of the output goes to, flushed after."""
    with stdout_errors():
        pass  # a closed stdout fails here
    stream = sys.stdout if fd == 1 else sys.stderr
    name = STDOUT if fd == 1 else path
    if binary:
        _Sink(stream, name).flush()  # what was printed before comes before the bytes
        stream = stream.buffer
    sink = _Sink(stream, name)
    yield sink
    sink.flush()


@contextmanager
def _direct(path: str, opener, binary: bool):
    """A FIFO, a device, a socket or a descriptor: opened and written in place."""
    try:
        raw = opener()
    except OSError as e:
        raise OutputError(f"cannot write `{path}`: {cause(e)}") from None
    fh = _text(raw, binary)
    try:
        sink = _Sink(fh, path)
        yield sink
        sink.flush()
    finally:
        with suppress(OSError):
            fh.close()


def _socket(path: str):
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        return sock.makefile("wb")
    finally:
        sock.close()  # the file object keeps the connection open


@contextmanager
def _atomic(path: str, final: str, st, binary: bool):
    """A temporary beside `final`, synced, given the mode, renamed over it."""
    folder = os.path.dirname(final)
    if not os.path.isdir(folder):
        shown = os.path.dirname(path) or folder
        raise OutputError(f"cannot write `{path}`: the folder `{shown}` does not exist")
    import tempfile  # here: start-up of the commands that write no file

    sweep(folder)
    tmp = None
    try:
        try:
            with interrupt.held():  # the name is known before a signal can leave the file behind
                fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".tmp", dir=folder)
            fh = _text(os.fdopen(fd, "wb"), binary)
        except OSError as e:
            raise OutputError(f"cannot write `{path}`: {cause(e)}") from None
        try:
            sink = _Sink(fh, path)
            yield sink
            sink.flush()
            try:
                os.fsync(fh.fileno())
            except OSError as e:
                if e.errno not in (errno.EINVAL, errno.ENOTSUP):  # a file system that cannot sync
                    raise OutputError(f"cannot write `{path}`: {cause(e)}") from None
        finally:
            with suppress(OSError):
                fh.close()
        try:
            os.chmod(tmp, st.st_mode & 0o777 if st else 0o666 & ~umask())
            if st is not None and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                with suppress(OSError):  # only root may give a file to another user
                    os.chown(tmp, st.st_uid, st.st_gid)
            os.replace(tmp, final)
        except OSError as e:
            raise OutputError(f"cannot write `{path}`: {cause(e)}") from None
        tmp = None
        sync_folder(folder)
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)


def atomic_folder(path: str, write, inputs: tuple = ()) -> None:
    """Call `write(folder)` to fill a new folder (a Parquet data set), made beside `path`, then
    rename it to `path` (a symlink's target, the link kept). A failure or an interruption
    removes the temporary folder; an earlier folder there stays until the rename. An existing
    folder is replaced only when it holds nothing but Parquet files (and `_`-names such as
    `_metadata`): never a folder of other files, never an input or a folder holding one (exit
    2). Every other failure is an `OutputError` (exit 4) naming the folder and the cause."""
    import shutil
    import tempfile

    final = os.path.realpath(path.rstrip("/" + os.sep) or path)
    check_folder_not_input(final, inputs)
    parent = os.path.dirname(final)
    if not os.path.isdir(parent):
        shown = os.path.dirname(path.rstrip("/" + os.sep)) or parent
        raise OutputError(f"cannot write `{path}`: the folder `{shown}` does not exist")
    if os.path.exists(final):
        if not os.path.isdir(final):
            raise OutputError(f"cannot write `{path}`: it is a file, and a data set is a folder")
        others = [
            e.name
            for e in os.scandir(final)
            if not (e.is_file() and (e.name.endswith(".parquet") or e.name.startswith("_")))
        ]
        if others:
            raise OutputError(
                f"cannot write `{path}`: the folder holds `{sorted(others)[0]}`, not only Parquet "
                "files: choose a new or empty folder"
            )
    sweep(parent)
    tmp: str | None = None
    old: str | None = None
    try:
        try:
            with interrupt.held():  # the name is known before a signal can leave the folder behind
                tmp = tempfile.mkdtemp(prefix=temp_prefix(), dir=parent)
            write(tmp)
            with interrupt.held():  # the swap is not cut in half
                os.chmod(tmp, 0o777 & ~umask())  # mkdtemp makes 0700; give what mkdir would
                if os.path.exists(final):
                    old = tmp + ".old"
                    os.rename(final, old)
                os.rename(tmp, final)
                tmp = None
        except OSError as e:
            raise OutputError(f"cannot write `{path}`: {cause(e)}") from None
        sync_folder(parent)
    finally:
        if old is not None and not os.path.exists(final):
            with suppress(OSError):
                os.rename(old, final)  # put the earlier result back
        for leftover in (tmp, old):
            if leftover is None:
                continue
            for _ in range(5):  # again if a writer (a Dask worker) added a file meanwhile
                shutil.rmtree(leftover, ignore_errors=True)
                if not os.path.lexists(leftover):
                    break
                time.sleep(0.1)


PICTURES = (".png", ".svg", ".pdf")


def picture_format(path: str, option: str, default: str) -> str:
    """The format a picture file gets: its extension's (.png, .svg, .pdf); the option's own
    format for standard output (`-`), a descriptor, a FIFO or device (`is_stream`) or a name
    without an extension; an error for a file with any other extension."""
    extension = os.path.splitext(path)[1].lower()
    if extension in PICTURES:
        return extension[1:]
    if not extension or is_stream(path):
        return default
    raise DiffcliError(
        f"{option} {path}: a picture is PNG, SVG or PDF, chosen by the file's extension: name it .png, .svg or .pdf"
    )
