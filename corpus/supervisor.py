"""Worker processes under supervision: bounded in time and memory, and a
death never stalls the run.

Each document is read in a worker process (``.child``). The supervisor
holds one end of a socket to each and waits on all of them at once
(``multiprocessing.connection.wait``), so it notices at the same moment a
document done, a worker that died (its socket closes: killed by the
out-of-memory killer, a crash in C code) and a document past its deadline
(``--timeout-per-doc``, enforced from outside because C code cannot be
interrupted from inside). A dead or killed worker's document is recorded as
failed — ``WORKER_DIED`` with the signal, or ``TIMEOUT`` — by another
worker, a fresh one is started in its place, and the run goes on.

Why not ``multiprocessing.Pool`` or ``ProcessPoolExecutor``: the pool hangs
forever when a worker is SIGKILLed, and the executor breaks as a whole
(``BrokenProcessPool``) and cannot kill one task that overruns; before
Python 3.12.3 it also never replaces a worker that retires while tasks are
queued (CPython gh-115634). Neither can be started from a Dask worker's
daemonic process, which this class can (``.dask_exec``).

This module runs in the run's parent process: it imports nothing heavy.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from jixiao.errors import ErrorCode
from jixiao.filenames import readable

from .child import HOUSEKEEPING, ChildConfig
from .discovery import CorpusItem
from .job import Job, Outcome

log = logging.getLogger(__name__)

#: A worker is replaced after this many documents, so that memory a
#: pathological PDF leaves behind is given back.
DOCS_PER_WORKER = 50

#: How long a worker may take to import the extraction stack and say so.
START_TIMEOUT_S = 300.0

#: How long a worker asked to exit may take before it is killed.
EXIT_GRACE_S = 2.0

#: A worker that dies by a signal after using this share of its memory
#: allowance ran out of memory (its document is TOO_LARGE, not WORKER_DIED).
MEMORY_USED_WHEN_DIED = 0.5

#: Workers that may die in a row while starting before the run gives up (an
#: installation that cannot import, rather than a machine short of memory).
START_FAILURES = 3

_BOOT = "from jixiao.corpus.child import main; main()"

WORKER = "jixiao.corpus.worker"
RECORDS = "jixiao.corpus.records"


class WorkerError(RuntimeError):
    """A worker could not be started, or failed outside any document (a bug or
    a broken installation: exit code 3)."""


def _name(item: CorpusItem) -> str:
    return readable(item.path)


def timeout_message(item: CorpusItem, job: Job) -> str:
    return f"{_name(item)}: took longer than {job.timeout_s:g} s (--timeout-per-doc)"


def death(child: Child, item: CorpusItem) -> tuple[str, str]:
    """The error code and message of a document whose worker died."""
    how = child.exit_description()
    if child.ran_out_of_memory():
        message = (f"{_name(item)}: needs more memory than a worker may use (--max-memory-per-doc "
                   f"{child.memory_mb} MB; its worker {how} at {child.peak_mb:.0f} MB)")
        return ErrorCode.TOO_LARGE.value, message
    return ErrorCode.WORKER_DIED.value, f"{_name(item)}: the worker process reading it {how}"


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "stopped answering"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if -returncode == signal.SIGKILL:
            return f"was killed ({name}; the out-of-memory killer does this)"
        return f"died ({name})"
    return f"exited with status {returncode}"


@dataclass
class Task:
    """A document being read in a worker."""

    item: CorpusItem
    args: tuple
    deadline: float | None = None  # time.monotonic()
    started: float = field(default_factory=time.monotonic)


def _error_file(path: Path | None) -> Any:
    """Where a worker's own error output goes (a crash in C code, say)."""
    if path is not None:
        try:
            return open(path, "ab")
        except OSError:
            pass
    return subprocess.DEVNULL


class Child:
    """The supervisor's handle on one worker process."""

    def __init__(self, config: ChildConfig, stderr: Path | None = None):
        mine, theirs = socket.socketpair()
        errors = _error_file(stderr)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
                start_new_session=True,  # the terminal's Ctrl-C goes to the supervisor, which stops this
            )
        finally:
            theirs.close()
            if errors is not subprocess.DEVNULL:
                errors.close()
        self.conn = Connection(mine.detach())
        self.conn.send(config)
        self.memory_mb = config.memory_mb
        self.ready = False
        self.resident_mb = 0.0  # after its imports (from its "ready")
        self.peak_mb = 0.0  # its peak resident memory, once it has exited
        self.task: Task | None = None
        self.documents = 0
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, task: Task) -> None:
        self.task = task
        self.conn.send((WORKER, "process", task.args))

    def exit_description(self) -> str:
        """How it ended (waiting up to EXIT_GRACE_S for it to do so)."""
        deadline = time.monotonic() + EXIT_GRACE_S
        while self.process.returncode is None:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.process.returncode = os.waitstatus_to_exitcode(status)
                self.peak_mb = usage.ru_maxrss / 1024  # kB on Linux
            elif time.monotonic() > deadline:
                self.kill()
                return "closed its connection and was killed"
            else:
                time.sleep(0.01)
        return describe_exit(self.process.returncode)

    def ran_out_of_memory(self) -> bool:
        """After it died by a signal: whether it had used most of its memory
        allowance by then (a C++ library that cannot allocate aborts the
        process rather than raise: std::bad_alloc, pdfium's allocator)."""
        return (self.memory_mb is not None and self.process.returncode is not None
                and self.process.returncode < 0
                and self.peak_mb - self.resident_mb >= MEMORY_USED_WHEN_DIED * self.memory_mb)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.conn.close()

    def stop(self) -> None:
        """Ask it to exit after the call it runs; kill it if it does not."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        try:
            self.process.wait(timeout=EXIT_GRACE_S)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def call(self, function: str, *args: Any, module: str = WORKER, timeout: float | None = None,
             on_message: Callable[[tuple], None] | None = None) -> Any:
        """Run ``module.function(*args)`` in the worker and return its result,
        waiting for it to start first. Raises TimeoutError (the worker is
        killed), EOFError (it died) or WorkerError (the call raised)."""
        while not self.ready:
            self._receive(on_message, time.monotonic() + START_TIMEOUT_S)
        deadline = None if timeout is None else time.monotonic() + timeout  # the imports are not the call's
        self.conn.send((module, function, args))
        while True:
            reply = self._receive(on_message, deadline)
            if reply is not None:
                return reply[1]

    def _receive(self, on_message: Callable[[tuple], None] | None, deadline: float | None) -> tuple | None:
        """The next message: returned if it is a call's result, else handled."""
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not self.conn.poll(remaining):
            self.kill()
            raise TimeoutError
        message = self.conn.recv()  # EOFError when it died
        kind = message[0]
        if kind == "ready":
            self.ready, self.resident_mb = True, message[1]
        elif kind == "result":
            return message
        elif kind == "error":
            raise WorkerError(message[1])
        elif on_message is not None:
            on_message(message)
        return None


def replay(message: tuple) -> None:
    """A worker's log record, logged here as if it had been made here."""
    _, level, name, text = message
    record = logging.makeLogRecord({"name": name, "levelno": level, "levelname": logging.getLevelName(level),
                                    "msg": text, "document_prefix": ""})
    logging.getLogger(name).handle(record)


@dataclass
class Events:
    """What the run wants to hear about while documents are processed."""

    started: Callable[[CorpusItem], None] = lambda item: None
    progress: Callable[[CorpusItem, int, int], None] = lambda item, page, pages: None


class LocalPool:
    """``size`` worker processes on this machine."""

    def __init__(self, size: int, config: ChildConfig, job: Job, *, events: Events | None = None,
                 stderr: Path | None = None):
        self.config, self.job, self.stderr = config, job, stderr
        self.events = events or Events()
        self.children: list[Child] = []
        self._keeper: Child | None = None  # for calls outside any document
        self._start_failures = 0
        self.resize(size)

    def __enter__(self) -> LocalPool:  # noqa: PYI034 - Python 3.10 has no typing.Self
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (a run that is interrupted kills them mid-document:
        each file is written whole or not at all)."""
        for child in self.children:
            child.kill()
        self.children.clear()
        if self._keeper is not None:
            self._keeper.kill()

    def resize(self, size: int) -> None:
        while len(self.children) < size:
            self.children.append(Child(self.config, self.stderr))
        while len(self.children) > size:
            self.children.pop().stop()

    def call(self, function: str, *args: Any, module: str) -> Any:
        """A call outside any document (planning, tidying the dataset) in a
        worker of its own, which imports Parquet but not the extraction."""
        if self._keeper is None:
            self._keeper = Child(replace(self.config, preload=HOUSEKEEPING, memory_mb=None), self.stderr)
        try:
            return self._keeper.call(function, *args, module=module, on_message=self._on_message_of(None))
        except EOFError:
            raise WorkerError(f"a worker process {self._keeper.exit_description()} "
                              f"during {function}{self._stderr_hint()}") from None

    def _stderr_hint(self) -> str:
        return f" (its error output is in {self.stderr})" if self.stderr is not None else ""

    def _on_message_of(self, item: CorpusItem | None) -> Callable[[tuple], None]:
        def on_message(message: tuple) -> None:
            if message[0] == "log":
                replay(message)
            elif message[0] == "progress" and item is not None:
                self.events.progress(item, message[1], message[2])

        return on_message

    def process(self, items: Iterable[CorpusItem]) -> Iterator[Outcome]:
        """Each item's outcome, in the order they finish."""
        queue = deque(items)
        while True:
            self._dispatch(queue)
            busy = [c for c in self.children if c.task is not None]
            if not busy and not queue:
                return
            deadlines = [c.task.deadline for c in busy if c.task is not None and c.task.deadline is not None]
            timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            ready = wait([c.conn for c in self.children], timeout)
            for child in list(self.children):
                if child.conn in ready:
                    yield from self._drain(child)
            yield from self._overdue()

    def _dispatch(self, queue: deque[CorpusItem]) -> None:
        for child in self.children:
            if not child.ready or child.task is not None:
                continue
            if queue:
                item = queue.popleft()
                deadline = None if self.job.timeout_s is None else time.monotonic() + self.job.timeout_s
                self.events.started(item)
                child.send(Task(item, (item, self.job), deadline))

    def _drain(self, child: Child) -> Iterator[Outcome]:
        try:
            while child.conn.poll():
                message = child.conn.recv()
                if message[0] == "ready":
                    child.ready, child.resident_mb = True, message[1]
                    self._start_failures = 0
                elif message[0] in ("result", "error"):
                    break  # the rest (if any) after the outcome: the child may be replaced
                else:
                    self._on_message_of(child.task.item if child.task else None)(message)
            else:
                return
        except (EOFError, OSError):
            yield from self._died(child)
            return
        yield from self._finished(child, message)

    def _finished(self, child: Child, message: tuple) -> Iterator[Outcome]:
        task, child.task = child.task, None
        assert task is not None, "a worker answered a call it was not given"
        child.documents += 1
        if message[0] == "error":  # the call itself raised: a bug of ours
            log.error("%s: internal error in the worker: %s", _name(task.item), message[1])
            outcome = self.record(task.item, ErrorCode.INTERNAL.value,
                                  f"{_name(task.item)}: internal error: {message[1]}", time.monotonic() - task.started)
        else:
            outcome = message[1]
        if child.documents >= DOCS_PER_WORKER or outcome.error_code == ErrorCode.TOO_LARGE.value:
            self._replace(child, stop=True)
        yield outcome

    def _died(self, child: Child) -> Iterator[Outcome]:
        how = child.exit_description()
        task = child.task
        if not child.ready:
            self._start_failures += 1
            if self._start_failures >= START_FAILURES:
                raise WorkerError(f"worker processes {how} while starting, {START_FAILURES} times in a row"
                                  f"{self._stderr_hint()}")
            log.warning("a worker process %s while starting; trying another", how)
            self._replace(child, stop=False)
            return
        self._replace(child, stop=False)
        if task is None:
            log.warning("an idle worker process %s; started another", how)
            return
        code, message = death(child, task.item)
        log.warning("%s; recorded as failed, the run goes on", message)
        yield self.record(task.item, code, message, time.monotonic() - task.started)

    def _overdue(self) -> Iterator[Outcome]:
        now = time.monotonic()
        for child in list(self.children):
            task = child.task
            if task is None or task.deadline is None or now < task.deadline:
                continue
            message = timeout_message(task.item, self.job)
            log.warning("%s; its worker was stopped", message)
            self._replace(child, stop=False)
            yield self.record(task.item, ErrorCode.TIMEOUT.value, message, now - task.started)

    def record(self, item: CorpusItem, code: str, message: str, seconds: float) -> Outcome:
        """The failure of a document whose worker was stopped or died, written
        at once by the housekeeping worker (a fresh one is still starting)."""
        return self.call("record_failure", item, self.job, code, message, seconds, module=RECORDS)

    def _replace(self, child: Child, *, stop: bool) -> None:
        """A fresh worker in place of ``child`` (stopped, or killed)."""
        index = self.children.index(child)
        child.task = None
        if stop:
            child.stop()
        else:
            child.kill()
        self.children[index] = Child(self.config, self.stderr)


