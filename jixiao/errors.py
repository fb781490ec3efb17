"""Errors every stage raises, with the file, the page and the cause in one line.

The CLI maps :class:`InputError` to exit code 2 ("this input is unusable"),
and the corpus runner records ``code`` and ``str(error)`` in the error ledger,
so the message must be specific enough to act on without opening the file.
Only problems of the input are input errors; an exception of jixiao's own
code is ``INTERNAL`` (exit code 3 on the single-document commands), so a bug
is never reported as a malformed PDF.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from jixiao.filenames import readable


class ErrorCode(str, Enum):
    NOT_FOUND = "NOT_FOUND"
    EMPTY_FILE = "EMPTY_FILE"
    NOT_PDF = "NOT_PDF"
    TRUNCATED = "TRUNCATED"
    ENCRYPTED = "ENCRYPTED"
    MALFORMED = "MALFORMED"
    NO_PAGES = "NO_PAGES"
    NO_TEXT_LAYER = "NO_TEXT_LAYER"
    ENGINE_UNAVAILABLE = "ENGINE_UNAVAILABLE"
    TIMEOUT = "TIMEOUT"
    TOO_LARGE = "TOO_LARGE"  # the document needed more memory than a worker may use
    WORKER_DIED = "WORKER_DIED"  # the worker process ended while reading it (a crash, a kill)
    PAGES_UNREAD = "PAGES_UNREAD"  # status partial: pages or their text could not all be read
    INTERNAL = "INTERNAL"



#: Failures that recur as long as the file, the settings and jixiao are the
#: same (a re-run skips them; the others — a timeout, a worker's death, a
#: missing OCR engine — depend on the machine and are retried).
REPEATABLE = frozenset(code.value for code in (
    ErrorCode.EMPTY_FILE, ErrorCode.NOT_PDF, ErrorCode.TRUNCATED, ErrorCode.ENCRYPTED, ErrorCode.MALFORMED,
    ErrorCode.NO_PAGES, ErrorCode.INTERNAL,
))


class JixiaoError(Exception):
    """Base class: ``path``, optional 1-based ``page``, and a short ``cause``."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, path: str | Path, cause: str, *, page: int | None = None, code: ErrorCode | None = None):
        self.path = readable(path)  # a message is text: a name that is not UTF-8 is shown decoded
        self.page = page
        self.cause = cause
        if code is not None:
            self.code = code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: page {self.page}" if self.page is not None else self.path
        return f"{where}: {self.cause}"

    def __reduce__(self):  # keep pickling (multiprocessing, Dask) lossless
        return (_rebuild_error, (type(self), self.path, self.cause, self.page, self.code))


def _rebuild_error(cls, path, cause, page, code):
    return cls(path, cause, page=page, code=code)


class InputError(JixiaoError):
    """The input cannot be used: not a PDF, truncated, encrypted, scanned..."""
