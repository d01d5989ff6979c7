"""Ctrl-C (SIGINT) and SIGTERM: one exception for both, raised at a safe moment.

The CLI installs `handlers()` around a run. A signal then raises `Interrupted` (exit 128 +
signal: 130, 143) where the program stands, except inside a `held()` section (making a
temporary file and remembering its name), which finishes first. After the first signal the
run is stopping: it writes what it reached (`minimize` and `fit` print their point, a trace is
completed, a temporary file is removed), and further signals are noted but raise nothing, so
that finishing cannot itself be cut short and leave a stray file. The finishing is short (a
flush and a rename, or one picture).

This is the one piece of process-wide state in the package, because signals are process-wide.
Without the handlers (diffcli used as a library, or from a thread other than the main one),
Python's own KeyboardInterrupt stands in and `held()` does nothing.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from .errors import Interrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_state = {"installed": False, "held": 0, "pending": None, "stopping": False}


def _handler(signum, frame) -> None:
    if _state["stopping"]:
        return
    if _state["held"]:
        _state["pending"] = _state["pending"] or signum
        return
    _state["stopping"] = True
    raise Interrupted(signum)


def install() -> bool:
    """Install the handlers (main thread only; not again where they are): True if this call did."""
    if _state["installed"] or threading.current_thread() is not threading.main_thread():
        return False
    _state.update(installed=True, held=0, pending=None, stopping=False)
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
        if not _state["held"] and _state["pending"] is not None and not _state["stopping"]:
            signum = _state["pending"]
            _state.update(pending=None, stopping=True)
            raise Interrupted(signum)


def as_interrupted(e: BaseException) -> Interrupted:
    """The `Interrupted` for an interruption caught as `e` (Interrupted or KeyboardInterrupt);
    from now on the run is stopping."""
    if _state["installed"]:
        _state["stopping"] = True
    return e if isinstance(e, Interrupted) else Interrupted(signal.SIGINT)
