"""A worker process: imports the extraction stack once, caps its own memory,
then runs the calls its supervisor sends, one at a time.

Started by :class:`.supervisor.Child` as ``python -c … <fd>`` with one end of
a socket pair (not through ``multiprocessing``, whose processes cannot be
started from a Dask worker's daemonic process). Messages are pickled
tuples: the supervisor sends ``(module, function, args)`` or None (exit);
the worker answers ``("ready", resident MB)`` once, then per call any number of
``("log", level, logger, text)`` and ``("progress", page, pages)`` and
finally ``("result", value)`` or ``("error", text)``.

The memory cap is a data limit (``RLIMIT_DATA``: private writable
memory) set after the imports, at what they took plus the run's allowance,
so the worker can always start yet a document that needs more fails with
``MemoryError`` (inside C code, an allocation that fails) instead of taking
the machine's memory. The worker ignores Ctrl-C (its supervisor stops it) and dies with
its parent when that is a local run's process.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import resource
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from jixiao import log as jlog

#: Modules a worker imports before it says it is ready (and before its
#: memory cap): the extraction stack for documents, Parquet for planning.
DOCUMENTS = ("jixiao.corpus.worker",)
HOUSEKEEPING = ("jixiao.corpus.plan", "jixiao.corpus.records")

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ChildConfig:
    memory_mb: int | None  # private memory allowed on top of the imports; None: no cap
    log_level: int  # records at this level and above are sent to the supervisor
    tmp_dir: Path  # this run's temporary folder (tempfile.gettempdir() in the worker)
    die_with_parent: bool  # only when the parent is the thread that waits for this process
    preload: tuple[str, ...] = DOCUMENTS
    parent: int = field(default_factory=os.getpid)  # the supervisor's pid


class _Forward(logging.Handler):
    """Log records and progress, sent to the supervisor as text."""

    def __init__(self, conn: Connection, lock: threading.Lock):
        super().__init__()
        self.conn, self._send_lock = conn, lock  # not "lock": logging.Handler has its own
        self.addFilter(jlog.DocumentContext())
        self.setFormatter(logging.Formatter("%(document_prefix)s%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.name == jlog.PROGRESS:
                message: tuple = ("progress", getattr(record, "page", 0), getattr(record, "pages", 0))
            else:
                message = ("log", record.levelno, record.name, self.format(record))
            with self._send_lock:
                self.conn.send(message)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


def _die_with_parent(parent: int) -> None:
    """Linux: SIGKILL this process when its parent dies, so a parent killed
    with SIGKILL leaves no orphan writing to the dataset (and exit now if it
    died before this was in place)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def _resident_mb() -> float:
    """What the imports left resident: the supervisor measures a dead
    worker's peak against it."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _cap_memory(allowance_mb: int) -> None:
    """Cap the private writable memory (RLIMIT_DATA: heap and anonymous
    mappings, counted when they become writable) at what the imports took
    plus the allowance. Not the address space (RLIMIT_AS): allocators
    reserve large inaccessible ranges up front (pdfium's, onnxruntime's),
    which would fail under an address-space cap although they use nothing."""
    used = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmData:"):
                used = int(line.split()[1]) * 1024
    limit = used + allowance_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def serve(conn: Connection) -> None:
    config: ChildConfig = conn.recv()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if config.die_with_parent:
        _die_with_parent(config.parent)
    lock = threading.Lock()
    forward = _Forward(conn, lock)
    forward.setLevel(config.log_level)
    root = logging.getLogger()
    root.setLevel(min(config.log_level, logging.INFO))
    root.addHandler(forward)
    jlog.quiet_libraries()
    jlog.listen_to_progress(_Forward(conn, lock))
    logging.captureWarnings(True)
    config.tmp_dir.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(config.tmp_dir)
    for module in config.preload:
        importlib.import_module(module)
    if config.memory_mb and sys.platform.startswith("linux"):
        _cap_memory(config.memory_mb)
    with lock:
        conn.send(("ready", _resident_mb()))
    while True:
        try:
            call = conn.recv()
        except EOFError:
            return
        if call is None:
            return
        module, name, args = call
        try:
            reply: tuple = ("result", getattr(importlib.import_module(module), name)(*args))
        except BaseException as error:
            logging.getLogger(__name__).debug("traceback", exc_info=True)
            reply = ("error", f"{type(error).__name__}: {error}")
        with lock:
            conn.send(reply)


def main() -> None:
    fd = int(sys.argv[1])
    os.set_inheritable(fd, False)
    serve(Connection(fd))


if __name__ == "__main__":
    main()
