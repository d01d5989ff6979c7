"""Ctrl-C (SIGINT) and SIGTERM: one exception for both, raised at a safe moment.

The CLI installs `handlers()` around a run. A signal then raises `Interrupted` (exit 128 +
signal: 130, 143) where the program stands, except inside a `held()` section (making a
temporary file and remembering its name), which finishes first, and inside an import (numpy's
C extensions turn any exception while they load into an ImportError), after which the signal
is sent again (and `check`, at the end of a run, raises one still waiting). After the first
signal the run is stopping: it writes what it reached (`minimize` and `fit` print their point,
a trace is completed, a temporary file is removed), and further signals are noted but raise
nothing, so that finishing cannot itself be cut short and leave a stray file. The finishing is
short (a flush and a rename, or one picture).

This is the one piece of process-wide state in the package, because signals are process-wide.
Without the handlers (diffcli used as a library, or from a thread other than the main one),
Python's own KeyboardInterrupt stands in and `held()` does nothing.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from typing import Any

from diffcli.errors import Interrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)
RETRY = 0.02  # seconds after which a signal that arrived during an import is sent again
_state: dict[str, Any] = {"installed": False, "held": 0, "pending": None, "stopping": False, "raised": None}


def _handler(signum, frame) -> None:
    if _state["stopping"]:
        return
    if _state["held"]:
        _state["pending"] = _state["pending"] or signum
        return
    if _importing(frame):  # an exception inside an import can turn into an ImportError or
        _state["pending"] = _state["pending"] or signum  # leave a half-made module: the signal
        _again(signum)  # comes again once it is done (or `check` finds it pending)
        return
    _state.update(stopping=True, pending=None, raised=signum)
    raise Interrupted(signum)


def _importing(frame) -> bool:
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _again(signum: int) -> None:
    timer = threading.Timer(RETRY, _resend, (signum,))
    timer.daemon = True
    timer.start()


def _resend(signum: int) -> None:
    if _state["installed"] and not _state["stopping"] and _state["pending"] is not None:
        os.kill(os.getpid(), signum)


def install() -> bool:
    """Install the handlers (main thread only; not again where they are): True if this call did."""
    if _state["installed"] or threading.current_thread() is not threading.main_thread():
        return False
    _state.update(installed=True, held=0, pending=None, stopping=False, raised=None)
    for s in SIGNALS:
        signal.signal(s, _handler)
    return True


@contextmanager
def handlers():
    """The handlers for the duration of a run, then the ones before (in-process callers)."""
    before = {s: signal.getsignal(s) for s in SIGNALS}
    installed = install()
    try:
        yield
    finally:
        if installed:
            for s, h in before.items():
                signal.signal(s, h)
            _state.update(installed=False, held=0, pending=None, stopping=False)


def check() -> None:
    """Raise a signal that waited (in a held section, or while a module was loading)."""
    if _state["pending"] is not None and not _state["stopping"] and not _state["held"]:
        signum = _state["pending"]
        _state.update(pending=None, stopping=True, raised=signum)
        raise Interrupted(signum)


def raised() -> int | None:
    """The signal this run raised as `Interrupted`, if any: a library that turned it into an
    exception of its own (matplotlib while it draws) still ends the run as interrupted."""
    return _state["raised"]


def finished() -> None:
    """The run is over: signals from now on are noted, not raised (the process is exiting)."""
    _state["stopping"] = True


@contextmanager
def held():
    """A section that a signal does not cut: the signal raises when the section ends."""
    _state["held"] += 1
    try:
        yield
    finally:
        _state["held"] -= 1
        check()


def as_interrupted(e: BaseException) -> Interrupted:
    """The `Interrupted` for an interruption caught as `e` (Interrupted or KeyboardInterrupt);
    from now on the run is stopping."""
    if _state["installed"]:
        _state["stopping"] = True
    return e if isinstance(e, Interrupted) else Interrupted(signal.SIGINT)
