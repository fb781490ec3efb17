"""One writer at a time: the dataset's lock, and the run's own folders.

``jixiao run`` takes an exclusive ``flock`` on ``DATASET/.jixiao/lock`` for
its whole duration; a second run on the same dataset is refused with a
message naming the first (its pid and start time, written into the file).
The kernel releases the lock when the holder exits, however it exits, so a
killed run never leaves a stale lock. Holding the lock, a run may remove
what earlier runs left in the dataset's temporary folder: no other writer is
alive.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

from jixiao.workdirs import lock_file, log_dir, tmp_root

#: Run logs kept in the dataset folder (older ones are removed).
KEEP_LOGS = 20


class DatasetBusy(RuntimeError):
    """Another run holds the dataset's lock (a usage error: exit code 2)."""


class DatasetUnwritable(RuntimeError):
    """The dataset folder cannot be written at all (exit code 2)."""


class DatasetLock:
    """The exclusive lock on a dataset, held while the object is open."""

    def __init__(self, dataset: Path):
        self.path = lock_file(dataset)
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise DatasetUnwritable(f"{self.path.parent.parent}: cannot write the dataset there: {error}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise DatasetBusy(f"{self.path.parent.parent}: another jixiao run is writing this dataset "
                              f"({holder}); wait for it to finish, or write to another -o folder") from None
        self._fd = fd
        try:  # who holds it, for the message a second run shows; the lock holds without it
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        except OSError:
            pass

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None

    def __enter__(self) -> DatasetLock:  # noqa: PYI034 - Python 3.10 has no typing.Self
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def remove_stale_temporaries(dataset: Path) -> None:
    """What killed runs left in the dataset's temporary folder (call only
    while holding the lock)."""
    root = tmp_root(dataset)
    if root.is_dir():
        for entry in root.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def run_log(dataset: Path, run_id: str) -> Path:
    """The run's log file; older run logs beyond KEEP_LOGS are removed."""
    folder = log_dir(dataset)
    if folder.is_dir():
        logs = sorted(folder.glob("run-*.log"))
        for old in logs[: max(0, len(logs) - KEEP_LOGS + 1)]:
            old.unlink(missing_ok=True)
    return folder / f"run-{run_id}.log"
