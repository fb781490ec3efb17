"""Run a whole corpus into the dataset: incremental, parallel, resumable.

* Incremental: a document whose bytes (sha256), pipeline version and engine
  match a ``documents`` row already in the dataset is skipped; ``--force``
  redoes it. Failed documents are skipped too (they would fail the same
  way) unless ``retry_failed``.
* Resumable: a document's ``documents`` row is written after all its other
  files, so a run killed at any moment leaves only documents that are either
  complete or absent; the next run redoes the absent ones. Stray temporary
  files of the killed run are removed at start.
* Parallel: local worker processes by default (recycled after a number of
  documents so a leak cannot grow), or a Dask cluster (``dask_local`` starts
  a ``distributed.LocalCluster``, ``dask_scheduler`` joins an existing one).
  Every task writes its own document's files, so executors differ only in
  where :func:`jixiao.corpus.worker.process` runs. The per-document timeout
  is a SIGALRM in the worker's main thread: it holds for local runs; Dask
  runs tasks in worker threads, where the cluster's own limits apply.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

import pyarrow.dataset as pads

from .discovery import CorpusItem, discover
from .worker import Job, Outcome, process

#: Worker processes are replaced after this many documents.
DOCS_PER_WORKER = 50


@dataclass
class RunSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(o.status == "ok" for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    @property
    def pages(self) -> int:
        return sum(o.pages for o in self.outcomes)

    def table(self) -> str:
        rate = self.pages / self.seconds if self.seconds else 0.0
        rows = [
            ("documents ok", str(self.ok)),
            ("documents failed", str(len(self.failed))),
            ("documents skipped (unchanged)", str(self.skipped)),
            ("pages", str(self.pages)),
            ("pages/s", f"{rate:.1f}"),
            ("wall time", f"{self.seconds:.1f} s"),
        ]
        width = max(len(k) for k, _ in rows)
        lines = [f"{k:<{width}}  {v}" for k, v in rows]
        for o in self.failed:
            lines.append(f"FAILED {o.error_code}: {o.error}")
        return "\n".join(lines)


class Done(NamedTuple):
    """What the dataset says about a document already processed."""

    sha256: str | None
    pipeline_version: str | None
    engine: str | None
    status: str


def done_documents(dataset: Path) -> dict[str, Done]:
    """doc_id → what the dataset holds about every document already in it."""
    directory = dataset / "documents"
    if not directory.is_dir():
        return {}
    table = pads.dataset(directory, format="parquet", partitioning="hive").to_table(
        columns=["doc_id", "sha256", "pipeline_version", "engine", "status"]
    )
    return {
        row["doc_id"]: Done(row["sha256"], row["pipeline_version"], row["engine"], row["status"])
        for row in table.to_pylist()
    }


def plan(items: list[CorpusItem], job: Job, *, force: bool, retry_failed: bool) -> tuple[list[CorpusItem], int]:
    """(documents to process, number skipped as unchanged)."""
    if force:
        return items, 0
    done = done_documents(job.dataset)
    todo = []
    for item in items:
        previous = done.get(item.doc_id)
        unchanged = previous is not None and (previous.sha256, previous.pipeline_version) == (
            item.sha256, job.pipeline_version)
        if unchanged and previous.status == "failed" and not retry_failed:
            continue
        if unchanged and previous.status == "ok" and previous.engine == job.engine:
            continue
        todo.append(item)
    return todo, len(items) - len(todo)


def remove_stale_temporaries(dataset: Path) -> None:
    """Temporary files a killed run left behind (readers skip them anyway)."""
    if dataset.is_dir():
        for tmp in dataset.rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def _local(items: list[CorpusItem], job: Job, workers: int) -> Iterator[Outcome]:
    """Documents in this process (one worker) or in a pool of spawned
    processes, each replaced after DOCS_PER_WORKER documents so that memory
    a pathological PDF leaves behind is given back. A ``multiprocessing.Pool``
    rather than ProcessPoolExecutor: before Python 3.12.3 the executor never
    replaces a worker that retires while tasks are queued (CPython
    gh-115634), so a long run would stall."""
    if workers <= 1:
        for item in items:
            yield process(item, job)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, maxtasksperchild=DOCS_PER_WORKER) as pool:
        yield from pool.imap_unordered(partial(process, job=job), items)


def _dask(items: list[CorpusItem], job: Job, *, local_workers: int | None, scheduler: str | None) -> Iterator[Outcome]:
    from distributed import Client, LocalCluster, as_completed as dask_completed

    cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True) if local_workers else None
    client = Client(cluster if cluster is not None else scheduler)
    try:
        futures = [client.submit(process, item, job, pure=False, key=f"jixiao-{item.doc_id}") for item in items]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_corpus(
    root: Path,
    job: Job,
    *,
    workers: int | None = None,
    dask_local: int | None = None,
    dask_scheduler: str | None = None,
    force: bool = False,
    retry_failed: bool = False,
    progress: Callable[[int], object] | None = None,
) -> RunSummary:
    """Process every document under ``root`` into ``job.dataset``.

    ``progress`` is called with the total number of documents to process and
    must return an object with ``update(n)``, ``set_postfix_str(s)`` and
    ``close()`` (a tqdm bar); None runs silently."""
    started = time.perf_counter()
    remove_stale_temporaries(job.dataset)
    items = discover(root)
    todo, skipped = plan(items, job, force=force, retry_failed=retry_failed)
    summary = RunSummary(skipped=skipped)
    if dask_local or dask_scheduler:
        outcomes = _dask(todo, job, local_workers=dask_local, scheduler=dask_scheduler)
    else:
        outcomes = _local(todo, job, workers if workers is not None else min(os.cpu_count() or 1, len(todo)))
    bar = progress(len(todo)) if progress is not None and todo else None
    for outcome in outcomes:
        summary.outcomes.append(outcome)
        if bar is not None:
            elapsed = time.perf_counter() - started
            bar.set_postfix_str(f"{summary.pages / elapsed:.1f} pages/s, {len(summary.failed)} failed")
            bar.update(1)
    if bar is not None:
        bar.close()
    summary.seconds = time.perf_counter() - started
    return summary
