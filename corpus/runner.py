"""Run a whole corpus into the dataset: incremental, parallel, resumable,
bounded, and honest about what the dataset holds afterwards.

* One writer: the run holds the dataset's lock (``.lock``) and writes its
  temporary files only in its own folder of ``DATASET/.jixiao/tmp``.
* Incremental: ``.plan`` compares each document's input key (bytes,
  settings, manifest values, versions) with its row; failed documents are
  retried by a plain re-run.
* Resumable: a document's ``documents`` row is written after all its other
  files, so a run killed at any moment leaves only documents that are either
  complete or absent; the next run redoes the absent ones.
* Bounded: every document is read in a worker process with a memory cap
  and, with ``timeout_s``, a deadline, both enforced from outside; a worker
  that dies or overruns costs its document, never the run (``.supervisor``).
* Parallel: local worker processes, or a Dask cluster (``.dask_exec``), where
  the same supervision runs on each Dask worker.
* Interruptible: SIGINT and SIGTERM stop the workers (what is written
  stays), and the summary still says what was done.

This module runs in the run's parent process, which imports nothing of the
extraction stack, pandas or pyarrow: discovery and supervision only. Planning
and tidying the dataset run in a worker process.
"""

from __future__ import annotations

import logging
import os
import resource
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from jixiao.filenames import readable
from jixiao.settings import DEFAULT_MEMORY_MB, Settings
from jixiao.workdirs import log_dir, private_dir

from .child import ChildConfig
from .discovery import CorpusItem, HashCache, Skipped, discover
from .job import UNWRITTEN, Job, Outcome
from .lock import DatasetLock, remove_stale_temporaries, run_log
from .supervisor import Events, LocalPool

log = logging.getLogger(__name__)

PLAN = "jixiao.corpus.plan"

#: A document running longer than this is named in the progress bar.
LONG_DOCUMENT_S = 5.0

#: The progress bar is redrawn at most this often for page progress.
REDRAW_S = 0.5


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived (a BaseException, like KeyboardInterrupt,
    so that no ``except Exception`` on the way swallows it)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Bar(Protocol):
    """What the runner asks of a progress bar (tqdm has it)."""

    def update(self, n: int = 1) -> object: ...

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> object: ...

    def close(self) -> object: ...


@dataclass
class RunSummary:
    """What a run did, and what the dataset holds for the corpus afterwards."""

    corpus: str
    dataset: str
    run_id: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    ok: int | None = None  # in the dataset after the run (None: not counted, the run was stopped)
    partial: int | None = None
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    duplicates: int = 0
    removed: int = 0
    gone: int = 0
    seconds: float = 0.0
    log_file: str | None = None
    stopped: str | None = None  # why the run stopped early
    signal: int | None = None
    parent_cpu_s: float = 0.0  # this process's own CPU time (its workers' not included)
    parent_peak_mb: float = 0.0  # this process's own peak resident memory

    @property
    def processed(self) -> int:
        return len(self.outcomes)

    @property
    def pages(self) -> int:
        return sum(o.pages for o in self.outcomes)

    @property
    def unwritten(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == UNWRITTEN]

    @property
    def failed_now(self) -> list[Outcome]:
        """Documents this run recorded as failed."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0: every document of the corpus is in the dataset, ok or partial;
        1: some are failed or were not written; 128 + signal when stopped by one."""
        if self.signal is not None:
            return 128 + self.signal
        return 1 if self.failed or self.unwritten or self.stopped or self.ok is None else 0

    def table(self) -> str:
        rate = self.pages / self.seconds if self.seconds else 0.0
        rows = [
            ("documents processed", str(self.processed)),
            ("documents unchanged (skipped)", str(self.unchanged)),
        ]
        if self.ok is not None:
            rows += [
                ("in the dataset: ok", str(self.ok)),
                ("in the dataset: partial", str(self.partial)),
                ("in the dataset: failed", str(len(self.failed))),
                ("duplicates (other renderings)", str(self.duplicates)),
            ]
        else:
            rows += [("failed in this run", str(len(self.failed_now)))]
        if self.unwritten:
            rows.append(("not written", str(len(self.unwritten))))
        rows += [
            ("removed (replaced or pruned)", str(self.removed)),
            ("gone from the corpus (--prune)", str(self.gone)),
            ("entries not read", str(len(self.skipped))),
            ("pages", str(self.pages)),
            ("pages/s", f"{rate:.1f}"),
            ("wall time", f"{self.seconds:.1f} s"),
        ]
        width = max(len(k) for k, _ in rows)
        lines = [f"{k:<{width}}  {v}" for k, v in rows]
        failures = self.failed if self.ok is not None else [(o.path, o.error_code, o.error) for o in self.failed_now]
        lines += [f"FAILED {code}: {message}" for _, code, message in failures]
        lines += [f"NOT READ {entry}" for entry in self.skipped]
        lines += [f"NOT WRITTEN {o.path}: {o.error}" for o in self.unwritten]
        if self.stopped:
            lines.append(f"STOPPED: {self.stopped}")
        if self.log_file:
            lines.append(f"log: {self.log_file}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON data (``--summary-json``)."""
        return {
            "corpus": self.corpus, "dataset": self.dataset, "run_id": self.run_id,
            "processed": self.processed, "unchanged": self.unchanged,
            "dataset_ok": self.ok, "dataset_partial": self.partial,
            "dataset_failed": [{"path": p, "error_code": c, "error": e} for p, c, e in self.failed],
            "failed_this_run": [{"path": o.path, "error_code": o.error_code, "error": o.error}
                                for o in self.failed_now],
            "not_written": [{"path": o.path, "error": o.error} for o in self.unwritten],
            "duplicates": self.duplicates, "removed": self.removed, "gone": self.gone,
            "not_read": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "pages": self.pages, "seconds": round(self.seconds, 3), "log_file": self.log_file,
            "stopped": self.stopped, "exit_code": self.exit_code,
            "parent_cpu_s": round(self.parent_cpu_s, 3), "parent_peak_mb": round(self.parent_peak_mb, 1),
        }


class _Progress:
    """Documents done in the bar; pages, pages/s, failures and the document
    that takes long in its postfix."""

    def __init__(self, bar: Bar | None, started: float):
        self.bar, self.started = bar, started
        self.pages_done = 0
        self.failed = 0
        self.running: dict[str, tuple[CorpusItem, float, int, int]] = {}  # doc_id → (item, since, page, pages)
        self._drawn = 0.0

    def start(self, item: CorpusItem) -> None:
        self.running[item.doc_id] = (item, time.monotonic(), 0, 0)

    def page(self, item: CorpusItem, page: int, pages: int) -> None:
        if item.doc_id in self.running:
            self.running[item.doc_id] = (item, self.running[item.doc_id][1], page, pages)
        if time.monotonic() - self._drawn > REDRAW_S:
            self._draw()

    def done(self, outcome: Outcome) -> None:
        self.running.pop(outcome.doc_id, None)
        self.pages_done += outcome.pages
        self.failed += outcome.status == "failed"
        if self.bar is not None:
            self.bar.update(1)
        self._draw()

    def _draw(self) -> None:
        if self.bar is None:
            return
        self._drawn = now = time.monotonic()
        in_flight = sum(page for _, _, page, _ in self.running.values())
        pages = self.pages_done + in_flight
        rate = pages / max(time.perf_counter() - self.started, 1e-9)
        text = f"{pages} pages, {rate:.1f} pages/s, {self.failed} failed"
        slow = [(since, item, page, total) for item, since, page, total in self.running.values()
                if now - since > LONG_DOCUMENT_S]
        if slow:
            _, item, page, total = min(slow, key=lambda s: s[0])
            text += f", now: {item.relpath} page {page}/{total}" if total else f", now: {item.relpath}"
        self.bar.set_postfix_str(text)


def _on_signal(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def _signals_raise() -> dict[int, Any] | None:
    """SIGINT and SIGTERM raise :class:`Interrupted` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return {signum: signal.signal(signum, _on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}


def _restore(previous: dict[int, Any] | None) -> None:
    for signum, handler in (previous or {}).items():
        signal.signal(signum, handler)


def _peak_rss_mb(own: resource.struct_rusage) -> float:
    """This process's peak resident memory: the kernel's VmHWM, which starts
    afresh at exec (``ru_maxrss`` starts at the forking parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return own.ru_maxrss / 1024  # kB on Linux


def _usable_cpus() -> int:
    """The CPUs this process may run on (a container's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def new_run_id() -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"


def run_corpus(
    root: Path,
    dataset: Path,
    settings: Settings | None = None,
    *,
    workers: int | None = None,
    dask_local: int | None = None,
    dask_scheduler: str | None = None,
    force: bool = False,
    prune: bool = False,
    timeout_s: float | None = None,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    pipeline_version: str | None = None,
    log_to_dataset: bool = False,
    log_level: int = logging.INFO,
    progress: Callable[[int], Bar] | None = None,
) -> RunSummary:
    """Process every document under ``root`` into ``dataset``.

    ``progress`` is called with the number of documents to process and
    returns a progress bar (tqdm); None runs silently. ``log_to_dataset``
    logs the run into ``DATASET/.jixiao/logs/``. Raises ManifestError or
    DatasetBusy for unusable input (before anything is written), WorkerError
    when a worker process cannot start or fails outside any document."""
    import jixiao

    started = time.perf_counter()
    dataset = Path(os.path.abspath(dataset))
    hashes = HashCache(private_dir(dataset) / "hashes.json")
    corpus = discover(root, hashes)
    job = Job(dataset=dataset, corpus_root=corpus.root, settings=settings or Settings(),
              pipeline_version=pipeline_version or jixiao.__version__, run_id=new_run_id(),
              timeout_s=timeout_s, memory_mb=memory_mb)
    summary = RunSummary(corpus=readable(corpus.root), dataset=readable(dataset), run_id=job.run_id,
                         skipped=corpus.skipped)
    for entry in corpus.skipped:
        log.warning("not read: %s", entry)
    handler = None
    previous = _signals_raise()
    try:
        with DatasetLock(dataset):
            remove_stale_temporaries(dataset)
            hashes.save()
            if log_to_dataset:
                handler = _log_into(run_log(dataset, job.run_id), summary)
            log.info("run %s: %s → %s (%s)", job.run_id, summary.corpus, summary.dataset, job.settings)
            try:
                _run(corpus.items, job, summary, workers=workers, dask_local=dask_local,
                     dask_scheduler=dask_scheduler, force=force, prune=prune, log_level=log_level,
                     progress=progress, started=started)
            except Interrupted as interruption:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
                summary.signal = interruption.signum
                summary.stopped = f"interrupted ({interruption}); what was written is kept, run again to go on"
                log.warning("%s", summary.stopped)
            finally:
                shutil.rmtree(job.tmp_dir, ignore_errors=True)
    finally:
        _restore(previous)
        summary.seconds = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF)
        summary.parent_cpu_s = own.ru_utime + own.ru_stime
        summary.parent_peak_mb = _peak_rss_mb(own)
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()
    return summary


def _log_into(path: Path, summary: RunSummary) -> logging.Handler | None:
    """Log the run into ``path`` (the workers' error output beside it)."""
    from jixiao.log import add_log_file

    try:
        handler = add_log_file(path)
    except OSError as error:
        log.warning("cannot write the run log %s: %s", path, error)
        return None
    summary.log_file = readable(path)
    return handler


def _run(items: list[CorpusItem], job: Job, summary: RunSummary, *, workers: int | None, dask_local: int | None,
         dask_scheduler: str | None, force: bool, prune: bool, log_level: int,
         progress: Callable[[int], Bar] | None, started: float) -> None:
    local = not (dask_local or dask_scheduler)
    config = ChildConfig(memory_mb=job.memory_mb, log_level=log_level, tmp_dir=job.tmp_dir, die_with_parent=True)
    stderr = log_dir(job.dataset) / f"run-{job.run_id}.workers.stderr"
    ticker = _Progress(None, started)
    with LocalPool(0, config, job, events=Events(started=ticker.start, progress=ticker.page), stderr=stderr) as pool:
        plan = pool.call("plan_run", items, job, force, module=PLAN)
        summary.unchanged = plan.unchanged
        if progress is not None and plan.todo:
            ticker.bar = progress(len(plan.todo))
        try:
            if not plan.todo:
                outcomes: Iterator[Outcome] = iter(())
            elif local:
                pool.resize(min(workers or _usable_cpus(), len(plan.todo)))
                outcomes = pool.process(plan.todo)
            else:
                from .dask_exec import dask_outcomes

                outcomes = dask_outcomes(plan.todo, job, local_workers=dask_local, scheduler=dask_scheduler,
                                         log_level=log_level)
            for outcome in outcomes:
                summary.outcomes.append(outcome)
                ticker.done(outcome)
                if outcome.status == UNWRITTEN:  # every next document would fail the same way
                    summary.stopped = (f"{outcome.error}; the documents not written are not in the dataset: "
                                       "make room and run again")
                    log.error("%s", summary.stopped)
                    break
        finally:
            if ticker.bar is not None:
                ticker.bar.close()
        if summary.stopped is None:
            pool.resize(0)
            final = pool.call("finish_run", plan, items, job, prune, module=PLAN)
            summary.ok, summary.partial, summary.failed = final.ok, final.partial, final.failed
            summary.duplicates, summary.removed, summary.gone = final.duplicates, final.removed, final.gone

