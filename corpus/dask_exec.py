"""Documents on a Dask cluster, supervised on each worker as they are locally.

The output path is resolved where the run starts and handed to the workers
as an absolute path; before anything is submitted, every worker is asked
whether it sees the dataset folder (a file the run just wrote there) and
the corpus, so a cluster without a shared file system is refused up front
instead of writing the dataset into each worker's working folder.

A Dask task runs in a worker thread, where neither a signal nor a memory
limit can stop one document, so each Dask worker thread keeps a worker
process of its own (``.supervisor.Child``) and runs the document there,
with the run's deadline and memory cap; a document that overruns or kills
its process is recorded as failed by a fresh one, and the task returns its
outcome like any other. The summary is therefore the same as a local run's.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator

from jixiao.errors import ErrorCode
from jixiao.filenames import readable

from .child import ChildConfig
from .discovery import CorpusItem
from .job import Job, Outcome
from .supervisor import RECORDS, Child, WorkerError, death, replay, timeout_message

log = logging.getLogger(__name__)


class ClusterError(RuntimeError):
    """The cluster cannot run this job (a usage error: exit code 2)."""


_local = threading.local()


def _child(config: ChildConfig) -> Child:
    child = getattr(_local, "child", None)
    if child is None or child.process.poll() is not None:
        child = _local.child = Child(config)
    return child


def _forward(message: tuple) -> None:
    if message[0] == "log":
        replay(message)


def run_on_worker(item: CorpusItem, job: Job, config: ChildConfig) -> Outcome:
    """One document, in this Dask worker thread's own worker process."""
    started = time.monotonic()
    child = _child(config)
    try:
        return child.call("process", item, job, timeout=job.timeout_s, on_message=_forward)
    except TimeoutError:
        code, message = ErrorCode.TIMEOUT.value, timeout_message(item, job)
    except EOFError:
        code, message = death(child, item)
    except WorkerError as error:
        code, message = ErrorCode.INTERNAL.value, f"{readable(item.path)}: internal error: {error}"
    child.kill()
    _local.child = None
    log.warning("%s; recorded as failed", message)
    return _child(config).call("record_failure", item, job, code, message, time.monotonic() - started,
                               module=RECORDS, on_message=_forward)


def _sees(probe: str, expected: str, corpus_file: str | None) -> str | None:
    """On a worker: None when it sees the run's probe file and the corpus."""
    try:
        with open(probe, encoding="utf-8") as fh:
            if fh.read() != expected:
                return f"{probe} holds another run's probe"
    except OSError as error:
        return f"cannot see the dataset folder ({error})"
    if corpus_file is not None and not os.access(corpus_file, os.R_OK):
        return f"cannot read the corpus ({corpus_file})"
    return None


def check_visible(client, job: Job, items: list[CorpusItem]) -> None:
    """Raise ClusterError unless every worker sees the dataset and the corpus."""
    probe = job.tmp_dir / "visible-from-workers"
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_text(job.run_id, encoding="utf-8")
    try:
        answers = client.run(_sees, str(probe), job.run_id, str(items[0].path) if items else None)
    finally:
        probe.unlink(missing_ok=True)
    blind = {worker: answer for worker, answer in answers.items() if answer is not None}
    if not answers or blind:
        detail = "; ".join(f"{worker}: {answer}" for worker, answer in blind.items()) or "no workers"
        raise ClusterError(f"the Dask workers must see {job.dataset} and the corpus at the same paths as this "
                           f"machine (a shared file system): {detail}")


def dask_outcomes(items: list[CorpusItem], job: Job, *, local_workers: int | None, scheduler: str | None,
                  log_level: int) -> Iterator[Outcome]:
    """Each item's outcome, processed on a Dask cluster: a new local one of
    ``local_workers`` processes, or the one at ``scheduler``."""
    from distributed import Client, LocalCluster, as_completed

    config = ChildConfig(memory_mb=job.memory_mb, log_level=log_level, tmp_dir=job.tmp_dir, die_with_parent=False)
    cluster = (LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True, dashboard_address=None)
               if local_workers else None)
    client = Client(cluster if cluster is not None else scheduler)
    try:
        check_visible(client, job, items)
        futures = [client.submit(run_on_worker, item, job, config, pure=False, key=f"jixiao-{job.run_id}-{item.doc_id}")
                   for item in items]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:  # stopped early (Ctrl-C, a full disk): what has not started does not start
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


__all__ = ["ClusterError", "check_visible", "dask_outcomes", "run_on_worker"]
