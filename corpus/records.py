"""Writing a document's outcome: the failure row a worker, or the
supervisor after it stopped one, records, and the line between a document's
failure and the dataset's (a full disk is not the document's fault).

Imports Parquet but not the extraction, so the run's housekeeping worker
records the failure of a document whose worker died at once, while a fresh
worker starts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone

from jixiao.filenames import readable
from jixiao.output.dataset import failed_record, write_failed

from .discovery import CorpusItem
from .identity import provenance
from .job import UNWRITTEN, Job, Outcome

log = logging.getLogger(__name__)


def record_failure(item: CorpusItem, job: Job, code: str, message: str, seconds: float,
                   when: datetime | None = None) -> Outcome:
    """Write the ``documents`` row of a failed document (also for the
    supervisor, after it killed the worker that was reading it)."""
    log.info("failed: %s: %s", code, message)
    manifest = item.manifest
    record = failed_record(
        item.path, item.sha256, item.size_bytes, code, message, source_paths=[str(p) for p in item.all_paths],
        provenance=provenance(item, job), pipeline_version=job.pipeline_version,
        extracted_at=when or datetime.now(timezone.utc), seconds=seconds, year=manifest.year,
        province=manifest.province, city=manifest.city, department=manifest.department,
    )
    outcome = Outcome(record.doc_id, readable(item.path), "failed", 0, seconds, code, message)
    return written(lambda: write_failed(job.dataset, record, tmp_dir=job.tmp_dir), outcome)


def written(write: Callable[[], None], outcome: Outcome) -> Outcome:
    """``outcome`` once ``write()`` succeeded; an ``unwritten`` one when the
    dataset cannot take the files (no space, no permission, read-only)."""
    try:
        write()
    except OSError as error:
        log.error("cannot write to the dataset: %s", error)
        return replace(outcome, status=UNWRITTEN, error_code=type(error).__name__,
                       error=f"cannot write to the dataset: {error}")
    return outcome
