"""Logging for the command line and the corpus runner's workers.

Every record carries the document it is about: :data:`current_document` is
set while a document is read, and :class:`DocumentContext` prefixes the
message with it, so a parser's warning ("Could not get FontBBox …") names
the file. Third-party warnings go to the log file only (``--log-file``, or
the run's own log in the dataset folder); the terminal shows jixiao's own
warnings and errors, everything with ``--verbose``. A traceback is logged at
DEBUG level: in the log file, on the terminal only with ``--verbose``.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from pathlib import Path

#: The document being read in this process (its readable path), if any.
current_document: ContextVar[str | None] = ContextVar("jixiao_current_document", default=None)

#: Per-page records of ``read_pdf`` (DEBUG), for the runner's progress bar.
PROGRESS = "jixiao.progress"

#: Third-party loggers that log per token or per object below WARNING.
_CHATTY = ("pdfminer", "pdfplumber", "camelot", "PIL", "matplotlib", "asyncio", "distributed", "bokeh", "fsspec")

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(document_prefix)s%(message)s"

#: The handlers :func:`configure` installed (replaced when it runs again, as in tests).
_installed: list[logging.Handler] = []


class DocumentContext(logging.Filter):
    """Adds ``document_prefix`` ("path: " or "") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "document_prefix"):
            document = current_document.get()
            named = document is None or record.getMessage().startswith(document)
            record.document_prefix = "" if named else f"{document}: "
        return True


class _OwnOnly(logging.Filter):
    """jixiao's own records (the terminal's default)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == "jixiao" or record.name.startswith("jixiao.")


class _TqdmHandler(logging.StreamHandler):
    """Writes above a progress bar instead of through it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            tqdm.write(self.format(record), file=self.stream)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


class _QuietFileHandler(logging.FileHandler):
    """A log file that stops, once, when it cannot be written (a full disk)
    instead of printing a logging traceback per record."""

    broken = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.broken:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if not self.broken:
            self.broken = True
            print(f"jixiao: warning: cannot write the log {self.baseFilename}; logging to it stopped",
                  file=sys.stderr)


def quiet_libraries() -> None:
    """Chatty libraries log WARNING and above; per-page progress records
    are made only where someone listens (:func:`listen_to_progress`)."""
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger(PROGRESS).setLevel(logging.INFO)
    logging.getLogger(PROGRESS).propagate = False


def configure(*, verbose: bool = False, log_file: Path | None = None) -> None:
    """The command line's logging: the terminal (jixiao's warnings, or
    everything at DEBUG with ``verbose``) and an optional log file."""
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    root.setLevel(logging.DEBUG)
    quiet_libraries()
    logging.captureWarnings(True)
    terminal = _TqdmHandler(sys.stderr)
    terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
    terminal.setFormatter(logging.Formatter("jixiao: %(levelname)s: %(document_prefix)s%(message)s"))
    terminal.addFilter(DocumentContext())
    if not verbose:
        terminal.addFilter(_OwnOnly())
    root.addHandler(terminal)
    _installed.append(terminal)
    if log_file is not None:
        _installed.append(add_log_file(log_file))


def add_log_file(path: Path) -> logging.Handler:
    """Everything (DEBUG and up) into ``path``, appended."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _QuietFileHandler(path, encoding="utf-8", errors="backslashreplace")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(DocumentContext())
    logging.getLogger().addHandler(handler)
    return handler


def listen_to_progress(handler: logging.Handler) -> None:
    """Send ``read_pdf``'s per-page records to ``handler``."""
    progress = logging.getLogger(PROGRESS)
    progress.setLevel(logging.DEBUG)
    progress.addHandler(handler)
