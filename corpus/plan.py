"""What a run does with the dataset it finds, and how it leaves it.

Before: each document of the corpus is compared with the dataset's
``documents`` row of the same bytes. It is redone when there is no row, when
its input key changed (``.identity``), or when it failed for a reason that
lies outside the file and jixiao (a timeout may pass with a longer limit, a
worker killed by the out-of-memory killer may pass on a quieter machine:
``jixiao.errors.REPEATABLE`` are the others, redone only when the key
changes, or with ``--force``); otherwise it is skipped, and only its paths
are updated if the file moved. A row whose path now holds other bytes belongs to
a replaced file; a row of this corpus none of whose paths exists any more
belongs to a deleted one.

After: the replaced documents' rows are removed (the file's current bytes
are the document now), the deleted ones' with ``--prune`` (else counted),
and renderings of the same document are marked (``duplicate_of``) across
the whole dataset, so that counting rows whose ``duplicate_of`` is NULL
counts each document once. The summary's counts are what the dataset holds
for the corpus after the run.

These run in a worker process: they read and write Parquet.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jixiao.dataset import open_dataset
from jixiao.errors import REPEATABLE
from jixiao.filenames import readable
from jixiao.output.dataset import remove_document, rewrite_documents_row

from .discovery import CorpusItem
from .identity import input_key
from .identity import provenance as provenance_of
from .job import Final, Job, Plan

_STATE_COLUMNS = ["doc_id", "input_key", "status", "source_path", "source_paths", "source_path_bytes",
                  "corpus_root", "doc_key", "duplicate_of", "ocr_pages", "error_code", "error"]

#: Which rendering of a document counts: a complete one before a partial
#: one, before a failed one.
_STATUS_RANK = {"ok": 0, "partial": 1, "failed": 2}


def _state(dataset: Path) -> dict[str, dict[str, Any]]:
    """doc_id → the ``documents`` values planning needs."""
    table = open_dataset(dataset).arrow("documents").to_table(columns=_STATE_COLUMNS)
    return {row["doc_id"]: row for row in table.to_pylist()}


def _paths(item: CorpusItem) -> list[str]:
    return [readable(p) for p in item.all_paths]


def _retry(row: dict[str, Any]) -> bool:
    """A failure that may not recur on this machine now."""
    return row["status"] == "failed" and row["error_code"] not in REPEATABLE


def _exists(row: dict[str, Any]) -> bool:
    """Whether any of the row's files is still there (by its exact bytes when
    the name is not UTF-8)."""
    raw = row["source_path_bytes"]
    return any(os.path.lexists(path) for path in row["source_paths"] or []) or (
        raw is not None and os.path.lexists(os.fsdecode(raw)))


def plan_run(items: list[CorpusItem], job: Job, force: bool) -> Plan:
    """Which documents to process, and what the dataset holds that the
    corpus no longer does."""
    state = _state(job.dataset) if job.dataset.is_dir() else {}
    current = {item.doc_id for item in items}
    plan = Plan(todo=[], unchanged=0)
    for item in items:
        row = state.get(item.doc_id)
        if force or row is None or row["input_key"] != input_key(item, job) or _retry(row):
            plan.todo.append(item)
            continue
        plan.unchanged += 1
        if sorted(row["source_paths"] or []) != sorted(_paths(item)):
            plan.moved.append(item)
    now_at = {path for item in items for path in _paths(item)}
    root = readable(job.corpus_root)
    for doc_id, row in state.items():
        if doc_id in current:
            continue
        paths = row["source_paths"] or []
        if any(path in now_at for path in paths):
            plan.replaced.append(doc_id)
        elif row["corpus_root"] == root and not _exists(row):
            plan.gone.append(doc_id)
    return plan


def finish_run(plan: Plan, items: list[CorpusItem], job: Job, prune: bool) -> Final:
    """Tidy the dataset after the documents were processed, and count it."""
    for item in plan.moved:
        paths = _paths(item)
        provenance = provenance_of(item, job)
        rewrite_documents_row(job.dataset, item.doc_id, {
            "source_path": paths[0], "source_paths": paths, "source_relpath": provenance.source_relpath,
            "corpus_root": provenance.corpus_root, "source_path_bytes": provenance.source_path_bytes,
        }, tmp_dir=job.tmp_dir)
    removed = [*plan.replaced, *(plan.gone if prune else [])]
    for doc_id in removed:
        remove_document(job.dataset, doc_id)
    state = _state(job.dataset) if job.dataset.is_dir() else {}
    _mark_duplicates(job, state)
    rows = [state[item.doc_id] for item in items if item.doc_id in state]
    return Final(
        ok=sum(row["status"] == "ok" for row in rows),
        partial=sum(row["status"] == "partial" for row in rows),
        failed=[(row["source_path"], row["error_code"], row["error"]) for row in rows if row["status"] == "failed"],
        duplicates=sum(row["duplicate_of"] is not None for row in rows),
        removed=len(removed),
        gone=0 if prune else len(plan.gone),
    )


def _mark_duplicates(job: Job, state: dict[str, dict[str, Any]]) -> None:
    """Set ``duplicate_of`` on every rendering of a document but the one that
    counts: the most complete (ok, then partial), then the one read with the
    fewest OCR pages (a text layer is exact, OCR is not), then the smallest
    doc_id (so the choice does not depend on the order of processing)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in state.values():
        if row["doc_key"] is not None and row["status"] != "failed":
            groups.setdefault(row["doc_key"], []).append(row)
    wanted: dict[str, str | None] = dict.fromkeys(state)
    for rows in groups.values():
        first = min(rows, key=lambda r: (_STATUS_RANK[r["status"]], r["ocr_pages"] or 0, r["doc_id"]))
        for row in rows:
            wanted[row["doc_id"]] = None if row is first else first["doc_id"]
    for doc_id, row in state.items():
        if row["duplicate_of"] != wanted[doc_id]:
            rewrite_documents_row(job.dataset, doc_id, {"duplicate_of": wanted[doc_id]}, tmp_dir=job.tmp_dir)
            row["duplicate_of"] = wanted[doc_id]
