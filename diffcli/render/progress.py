"""Progress on stderr for long work: a Rich line with a bar (when the share done is known), a
spinner otherwise, and a caller's text (rows per second, the current loss, an ETA).

Shown only when stderr is a terminal, and only once the work has run for `DELAY` seconds, so
quick commands never flash a bar; it disappears when the work ends. The library reports through
callbacks; the command layer turns them into `Tracker.update` calls. Nothing is printed in a pipe.
"""

from __future__ import annotations

import math
import os
import sys
import time
from contextlib import contextmanager

from diffcli.errors import DiffcliError, shorten

DELAY = None  # seconds of work before anything shows: DIFFCLI_PROGRESS_DELAY, 0.5 by default (`delay`)


def delay() -> float:
    """DELAY, or DIFFCLI_PROGRESS_DELAY read now (a bad value is the user's error, exit 2)."""
    if DELAY is not None:
        return DELAY
    text = os.environ.get("DIFFCLI_PROGRESS_DELAY", "0.5")
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise DiffcliError(
            f"DIFFCLI_PROGRESS_DELAY={shorten(text, 40)}: give a number of seconds, such as 0.5 (or unset it)"
        )
    return seconds


SCALE = 1000  # the bar's resolution


def on_terminal(stream=None) -> bool:
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Tracker:
    """What a command updates; does nothing when not on a terminal."""

    def __init__(self, progress=None, task=None):
        self.progress, self.task, self.start = progress, task, time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def update(self, fraction: float | None = None, info: str = "", label: str | None = None) -> None:
        if self.progress is None:
            return
        fields: dict[str, object] = {"info": info}
        if label is not None:
            fields["description"] = label
        if fraction is not None:
            fields.update(total=SCALE, completed=min(max(fraction, 0.0), 1.0) * SCALE)
        self.progress.update(self.task, **fields)

    def eta(self, fraction: float | None) -> str:
        """`ETA 0:12` from the share done so far, or empty when unknown."""
        if not fraction or fraction >= 1:
            return ""
        left = self.elapsed * (1 - fraction) / fraction
        return f"ETA {int(left // 60)}:{int(left % 60):02d}"


@contextmanager
def tracker(label: str, stream=None):
    """A `Tracker` for the work inside the block: a live line on a terminal after DELAY seconds."""
    stream = stream or sys.stderr
    wait = delay()
    if not on_terminal(stream):
        yield Tracker()
        return
    import threading  # only on a terminal: start-up of a piped command stays lean

    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=30),
        TextColumn("{task.fields[info]}"),
        console=Console(file=stream),
        transient=True,
    )
    task = progress.add_task(label, total=None, info="")
    lock = threading.Lock()
    shown: list[bool] = []

    def show() -> None:
        with lock:
            if shown == []:
                progress.start()
                shown.append(True)

    timer = threading.Timer(wait, show)
    timer.daemon = True
    timer.start()
    try:
        yield Tracker(progress, task)
    finally:
        timer.cancel()
        with lock:
            if shown:
                progress.stop()
            shown.append(False)


def rate(count: float, seconds: float, unit: str) -> str:
    """`1.2M rows/s`: a count per second in a few digits."""
    per = count / seconds if seconds > 0 else 0.0
    for size, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if per >= size:
            return f"{per / size:.3g}{prefix} {unit}/s"
    return f"{per:.3g} {unit}/s"


def summary(text: str, stream=None) -> None:
    """One closing line on stderr (a terminal only): what was done, how fast, where it went."""
    stream = stream or sys.stderr
    if on_terminal(stream):
        print(text, file=stream)
