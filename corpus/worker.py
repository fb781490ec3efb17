"""One document, start to finish: extract → normalise → write its Parquet files.

This is the unit of work every executor runs (the local process pool and
Dask alike), so it takes and returns only small picklable values and writes
its own files: nothing but an :class:`Outcome` travels back. It never
raises for a bad document — the failure becomes the document's ``documents``
row with status ``failed``, an error code and a message naming the page.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType

from jixiao.extract import read_pdf
from jixiao.normalize import normalize_document
from jixiao.normalize.records import DocumentMeta, NormalizedDocument
from jixiao.output.dataset import document_record, failed_record, write_document, write_failed

from jixiao.errors import ErrorCode, JixiaoError

from .discovery import CorpusItem


@dataclass(frozen=True)
class Job:
    """How to process documents: the same for every document of a run."""

    dataset: Path
    engine: str
    pipeline_version: str
    timeout_s: float | None = None
    ocr: str = "auto"
    parser: str = "pypdfium2"


@dataclass(frozen=True)
class Outcome:
    doc_id: str
    path: str
    status: str  # "ok" | "failed"
    pages: int
    seconds: float
    error_code: str | None = None
    error: str | None = None


class _Timeout(BaseException):
    """Raised by the alarm. A BaseException, like KeyboardInterrupt, so that
    no ``except Exception`` on the way (a page that fails to parse is
    reported as malformed) can mistake it for the document's fault."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout()


_YEAR_IN_PATH = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _apply_manifest(nd: NormalizedDocument, item: CorpusItem) -> None:
    """Values from manifest.csv win over what the document's text says; a
    year the text does not give is taken from the file's path (archives are
    often filed by year: 2019/…, …_2019.pdf)."""
    m = item.manifest
    nd.meta = replace(
        nd.meta,
        **{k: v for k, v in vars(m).items() if k in vars(DocumentMeta()) and v is not None},
    )
    if nd.meta.year is None:
        found = _YEAR_IN_PATH.findall(str(item.path))
        if found:
            nd.meta = replace(nd.meta, year=int(found[-1]))


def process(item: CorpusItem, job: Job) -> Outcome:
    """Extract, normalise and write one document; record a failure instead
    of raising. A timeout (SIGALRM, so only where this runs in a process's
    main thread) keeps one pathological PDF from stalling the run."""
    started = time.perf_counter()
    now = datetime.now(timezone.utc)
    paths = [str(p) for p in item.all_paths]
    alarm = job.timeout_s is not None and _can_alarm()
    if alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, job.timeout_s)
    try:
        document = read_pdf(item.path, engine=job.engine, ocr=job.ocr, parser=job.parser)  # type: ignore[arg-type]
        nd = normalize_document(document)
        _apply_manifest(nd, item)
        seconds = time.perf_counter() - started
        record = document_record(
            nd, source_paths=paths, pipeline_version=job.pipeline_version, extracted_at=now, seconds=seconds
        )
        write_document(job.dataset, nd, record)
        return Outcome(document.doc_id, str(item.path), "ok", len(document.pages), seconds)
    except (_Timeout, Exception) as error:  # noqa: BLE001 - a bad document must not stop the run
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)  # no alarm while the failure is written
        code, message = _describe(error, item, job)
        seconds = time.perf_counter() - started
        record = failed_record(
            item.path, item.sha256, item.size_bytes, code, message, source_paths=paths,
            pipeline_version=job.pipeline_version, extracted_at=now, seconds=seconds, year=item.manifest.year,
        )
        write_failed(job.dataset, record)
        return Outcome(record.doc_id, str(item.path), "failed", 0, seconds, code, message)
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _describe(error: BaseException, item: CorpusItem, job: Job) -> tuple[str, str]:
    if isinstance(error, _Timeout):
        return ErrorCode.TIMEOUT.value, f"{item.path}: took longer than {job.timeout_s:g} s (--timeout-per-doc)"
    if isinstance(error, JixiaoError):
        return error.code.value, str(error)
    if isinstance(error, MemoryError):
        return ErrorCode.INTERNAL.value, f"{item.path}: out of memory"
    return ErrorCode.INTERNAL.value, f"{item.path}: {type(error).__name__}: {error}"


def _can_alarm() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
