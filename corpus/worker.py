"""One document, start to finish: extract → normalise → write its Parquet files.

This runs in a worker process (``.child``), locally or on a Dask worker,
and writes its own document's files: only an :class:`~.job.Outcome` travels
back. It never raises for a bad document — the failure becomes the
document's ``documents`` row with status ``failed``, an error code and a
message naming the page. Only errors of reading the PDF are input errors; an
exception of jixiao's own code is ``INTERNAL``, its traceback in the log.
Limits on time and memory are enforced from outside, by the process that
runs this one (``.supervisor``); a ``MemoryError`` under the worker's memory
cap is ``TOO_LARGE``. A document whose rows cannot be written (a full disk)
is not recorded as failed — it is not the document's fault — but comes back
``unwritten``, so the run stops and a re-run does it.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from datetime import datetime, timezone

from jixiao.errors import ErrorCode, JixiaoError
from jixiao.extract import read_pdf
from jixiao.filenames import readable
from jixiao.log import current_document
from jixiao.normalize import normalize_document
from jixiao.normalize.records import DocumentMeta, NormalizedDocument
from jixiao.output.dataset import document_record, write_document

from .discovery import CorpusItem
from .identity import provenance
from .job import Job, Outcome
from .records import record_failure, written

log = logging.getLogger(__name__)

_YEAR_IN_PATH = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _apply_manifest(nd: NormalizedDocument, item: CorpusItem) -> None:
    """Values from manifest.csv win over what the document's text says; a
    year the text does not give is taken from the file's path (archives are
    often filed by year: 2019/…, …_2019.pdf). Either is marked as not
    printed (``document_meta``): the value is not the document's."""
    given = {k: v for k, v in item.manifest.values().items() if k in vars(DocumentMeta())}
    if nd.meta.year is None and "year" not in given:
        found = _YEAR_IN_PATH.findall(item.relpath)
        if found:
            given["year"] = int(found[-1])
    nd.meta = replace(nd.meta, **given, printed={**nd.meta.printed, **dict.fromkeys(given, False)})


def process(item: CorpusItem, job: Job) -> Outcome:
    """Extract, normalise and write one document; record a failure instead
    of raising."""
    started = time.perf_counter()
    now = datetime.now(timezone.utc)
    name = readable(item.path)
    token = current_document.set(name)
    try:
        try:
            document = read_pdf(item.path, job.settings)
            nd = normalize_document(document)
            _apply_manifest(nd, item)
        except JixiaoError as error:
            code, message = error.code.value, str(error)
        except Exception as error:  # a bug must not stop the run: it is recorded, as ours
            if _out_of_memory(error):
                code, message = _too_large(name, job)
            else:
                code, message = ErrorCode.INTERNAL.value, f"{name}: internal error: {type(error).__name__}: {error}"
                log.error("%s (a bug in jixiao; traceback in the log at DEBUG level)", message)
                log.debug("traceback", exc_info=True)
        else:
            seconds = time.perf_counter() - started
            record = document_record(nd, source_paths=[str(p) for p in item.all_paths],
                                     provenance=provenance(item, job), pipeline_version=job.pipeline_version,
                                     extracted_at=now, seconds=seconds)
            outcome = Outcome(record.doc_id, name, record.status, len(document.pages), seconds,
                              record.error_code, record.error)
            return written(lambda: write_document(job.dataset, nd, record, tmp_dir=job.tmp_dir), outcome)
        return record_failure(item, job, code, message, time.perf_counter() - started, now)
    finally:
        current_document.reset(token)


#: How C++ libraries (onnxruntime, OpenCV, pdfium) say an allocation failed.
_OUT_OF_MEMORY = ("std::bad_alloc", "Insufficient memory", "out of memory")


def _out_of_memory(error: BaseException | None) -> bool:
    """A failed allocation — the worker's memory cap reached — anywhere in
    the chain of causes, as Python's MemoryError or a C++ library's message."""
    while error is not None:
        if isinstance(error, MemoryError) or any(text in str(error) for text in _OUT_OF_MEMORY):
            return True
        error = error.__cause__ or error.__context__
    return False


def _too_large(name: str, job: Job) -> tuple[str, str]:
    cap = f" (--max-memory-per-doc {job.memory_mb} MB)" if job.memory_mb else ""
    return ErrorCode.TOO_LARGE.value, f"{name}: needs more memory than a worker may use{cap}"
