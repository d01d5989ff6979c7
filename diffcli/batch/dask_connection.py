"""Talking to a Dask cluster safely: the `--scheduler` probe (a TCP connection and the 8-byte
handshake length, nothing unpickled), Dask's loggers and worker processes kept off stderr, and
what a failure there means (`gone`: the connection lost; `lost`: the error, exit 4, it becomes).
Dask itself is imported only inside `probe` (cluster.py imports this module only for --engine dask).
"""

from __future__ import annotations

import logging
import os
import socket
from contextlib import contextmanager

from diffcli.errors import DiffcliError, OutputError

QUIET = ("distributed", "distributed.client", "distributed.core", "distributed.comm", "distributed.worker")
CONNECT_TIMEOUT = 5.0  # seconds to reach a scheduler (and for it to have a worker) before giving up


def probe(address: str, distributed) -> None:
    """Something listens at the address within CONNECT_TIMEOUT, or one error line says what is
    wrong: a refused connection fails at once, a silent port after the timeout (a Client alone
    would retry far longer). Only a TCP connection, nothing read: Dask's protocol unpickles what
    the other end sends, so nothing is asked of the address until the user's trust takes over
    (the Client: --scheduler must be a cluster one trusts, as an SSH host is)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except ValueError as e:
        raise DiffcliError(f"--scheduler {address}: not a scheduler address ({e}): give tcp://HOST:PORT") from None
    if scheme not in ("tcp", "tls"):
        return  # inproc://, ucx://: the Client checks those
    try:
        connection = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    except OSError as e:
        reason = "timed out" if isinstance(e, TimeoutError) else (e.strerror or str(e))
        raise DiffcliError(
            f"--scheduler {address}: cannot connect ({reason}): is `dask scheduler` running "
            "there? Start one, or check the address"
        ) from None
    with connection:
        if scheme == "tcp" and not greets(connection):
            raise DiffcliError(
                f"--scheduler {address}: no Dask scheduler answered within {CONNECT_TIMEOUT:g} s: check the "
                "address (the scheduler's, not the dashboard's)"
            )


def greets(connection) -> bool:
    """Whether the other end opens as a Dask server does, with its handshake's 8-byte length
    (little-endian, a few hundred bytes): read as a number, never decoded or unpickled."""
    head = b""
    try:
        while len(head) < 8:
            chunk = connection.recv(8 - len(head))
            if not chunk:
                return False
            head += chunk
    except OSError:  # a timeout: a port that listens and says nothing
        return False
    return 0 < int.from_bytes(head, "little") < 1 << 20


@contextmanager
def mute_children():
    """The local cluster's worker processes get /dev/null as their stderr (they inherit it
    when they start): a Ctrl-C at the terminal goes to the whole process group, and each
    worker would print its KeyboardInterrupt traceback there; diffcli, which got it too, says
    `error: interrupted` once and stops them. DIFFCLI_DEBUG=1 leaves their stderr alone."""
    if os.environ.get("DIFFCLI_DEBUG"):
        yield
        return
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextmanager
def quiet():
    """Dask's loggers say nothing on stderr while diffcli talks to the cluster (its failures
    come back as exceptions, said once as `error:`)."""
    loggers = [logging.getLogger(name) for name in QUIET]  # Dask's config gives some their own level
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def lost(what: str, e: BaseException) -> OutputError:
    """The error (exit 4) for a cluster that went away under the run."""
    return OutputError(
        f"{what}: the Dask cluster went away during the run ({cause(e)}): the run is abandoned, an --out file or "
        "folder left as it was; start the cluster again and rerun"
    )


def gone(e: BaseException) -> bool:
    """Whether a failure is the scheduler's connection lost (not a partition's own error)."""
    names = {type(e).__name__ for e in _chain(e)}
    return bool(names & {"CommClosedError", "StreamClosedError", "FutureCancelledError", "CancelledError"}) or any(
        isinstance(x, (ConnectionError, TimeoutError)) for x in _chain(e)
    )


def _chain(e: BaseException):
    seen = 0
    found: BaseException | None = e
    while found is not None and seen < 10:
        yield found
        found, seen = found.__cause__ or found.__context__, seen + 1


def cause(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {text[:200]}" if text else type(e).__name__
