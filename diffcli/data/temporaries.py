"""Temporaries of atomic writes: their names (`.diffcli-PID-...`), and the sweeping of those a
killed run left behind.

A SIGKILL cannot be caught: it can leave a `.diffcli-PID-*` temporary behind. The next write
into that folder removes such leftovers of ours, and only those: our prefix, a process id that
is no longer alive, older than this process (`sweep`). Also the small file-system helpers an
atomic rename needs (`sync_folder`, `umask`).
"""

from __future__ import annotations

import os
import re
import time
from contextlib import suppress

TEMP_PREFIX = ".diffcli-"
_STARTED = time.time()


def temp_prefix() -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-"


_LEFTOVER = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-[A-Za-z0-9_]+(?:\.tmp|\.old)?\Z")


def sweep(folder: str) -> None:
    """Remove the temporaries a SIGKILLed diffcli left in `folder`: only names of our own form
    (`.diffcli-PID-...`), only of a process that is gone, only older than this process."""
    import shutil

    with suppress(OSError):
        for entry in os.scandir(folder):
            found = _LEFTOVER.match(entry.name)
            if not found or int(found.group(1)) == os.getpid() or _alive(int(found.group(1))):
                continue
            with suppress(OSError):
                if entry.stat(follow_symlinks=False).st_mtime >= _STARTED:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process (EPERM), or a number we cannot ask about: leave it
    return True


def sync_folder(folder: str) -> None:
    """Make the rename durable (best effort: not every file system can open a folder)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def umask() -> int:
    """The process's umask, read without changing it where Linux tells it."""
    with suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
