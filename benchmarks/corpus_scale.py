"""Throughput, parallel scaling, worker memory and incremental re-runs of ``jixiao run``.

Three targets for running a whole corpus:

* two local worker processes get through a corpus at least 1.8x as fast as
  one (documents are independent, so the work should split evenly),
* no worker process holds more than 400 MB resident at any moment, and
* a second run over an unchanged corpus, where every document is skipped,
  takes under 5% of the time of the run that did the work.

This script builds a corpus of ``--docs`` distinct PDFs from the
repository's born-digital PDFs (the sample corpus and the test fixtures,
less the image-only ``-scan`` one). Each copy differs from the others only in
its docinfo ``/Subject``, which jixiao does not read, so every copy has its
own sha256 (jixiao merges identical files into one document) but extracts
exactly like its source. The copies are spread over a few subfolders.

It then calls :func:`jixiao.corpus.runner.run_corpus` on that corpus into a
fresh dataset with one worker, into another fresh dataset with two, and once
more into the two-worker dataset. Each run happens in a freshly spawned
runner process, as ``jixiao run`` would, timed there from just before
``run_corpus`` to just after it (interpreter start-up and imports excluded).
For each run it prints the wall time, documents/s, pages/s (pages as
reported by the documents' outcomes), CPU time and peak resident memory,
then the three targets with PASS/MISS. It is a report, not a test: nothing
is asserted.

CPU: the runner process's CPU time plus that of its reaped workers, over the
wall time, is the number of cores the run actually got. On a shared machine
it tells a run that did not scale apart from one that was not given the
cores to scale on.

Memory: with one worker the runner processes documents in its own process,
so that run's worker peak is the runner's own. With two it spawns worker
processes (replaced after ``DOCS_PER_WORKER`` documents); a background thread
of this script reads every 0.1 s the ``VmHWM`` of every such worker below it.
``VmHWM`` is the kernel's own high-water mark of a process's resident set,
so a spike between two readings still counts; only growth after a worker's
last reading, just before it exits, could be missed. The runner reports its
own ``VmHWM`` at the end of its run. (Not ``ru_maxrss``: on Linux a child's
starts at its parent's high-water mark.) Linux only.

Stalls: if a multi-worker run's worker processes are all gone for
``STALL_S`` before the run is done, nothing will finish it. (On Pythons with
CPython bug gh-115634, 3.11 among them, ``ProcessPoolExecutor`` with
``max_tasks_per_child`` does not replace a worker that retires while tasks
are still queued.) The runner is then killed, the run reported as stalled
with the number of documents it wrote, and its targets as not met.

Usage: ``python benchmarks/corpus_scale.py [--docs N] [--workdir DIR] [--keep]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import jixiao
from jixiao.corpus.discovery import discover
from jixiao.corpus.runner import DOCS_PER_WORKER, RunSummary, done_documents, run_corpus
from jixiao.corpus.worker import Job

REPO_ROOT = Path(__file__).resolve().parent.parent
SUBFOLDERS = 4
SAMPLE_INTERVAL_S = 0.1
TARGET_SPEEDUP = 1.8
TARGET_WORKER_MB = 400.0
TARGET_RERUN_FRACTION = 0.05
STALL_S = 30.0  # no worker process alive for this long, mid-run: the run has stalled
ONE, TWO, AGAIN = "workers=1", "workers=2", "workers=2 again (unchanged)"


def source_pdfs() -> list[Path]:
    """The sample corpus and the fixture PDFs, less the image-only ``-scan`` one."""
    fixtures = sorted((REPO_ROOT / "tests/fixtures/corpus").glob("*/document.pdf"))
    return sorted((REPO_ROOT / "corpus/sample").glob("*.pdf")) + [
        pdf for pdf in fixtures if not pdf.parent.name.endswith("-scan")
    ]


def source_name(pdf: Path) -> str:
    """A fixture is ``<name>/document.pdf``; a sample PDF is ``<name>.pdf``."""
    return pdf.parent.name if pdf.stem == "document" else pdf.stem


def build_corpus(root: Path, sources: list[Path], count: int) -> int:
    """Write ``count`` distinct copies of ``sources`` under ``root``,
    round-robin over the sources and over ``SUBFOLDERS`` folders; return
    their total number of pages."""
    import pikepdf

    pages = 0
    for first, source in enumerate(sources):
        with pikepdf.open(source) as pdf:
            for index in range(first, count, len(sources)):
                pdf.docinfo["/Subject"] = f"jixiao corpus_scale copy {index}"
                folder = root / f"batch-{index % SUBFOLDERS}"
                folder.mkdir(parents=True, exist_ok=True)
                pdf.save(folder / f"{source_name(source)}-{index:04d}.pdf")
                pages += len(pdf.pages)
    return pages


def status_mb(pid: int | str, key: str) -> float | None:
    """A ``/proc/<pid>/status`` memory field in MB; None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) / 1024  # kB
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def cpu_seconds() -> float:
    """User and system CPU time of this process and of its reaped children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class RunnerResult:
    """What a runner process reports about its run."""

    wall_s: float
    cpu_s: float  # the runner's and its workers'
    peak_rss_mb: float  # the runner's own
    summary: RunSummary


def run_in_runner(corpus: Path, dataset: Path, workers: int) -> RunnerResult:
    """Run in a fresh runner process: one timed :func:`run_corpus`."""
    job = Job(dataset=dataset, engine="pdfplumber", pipeline_version=jixiao.__version__)
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    summary = run_corpus(corpus, job, workers=workers)
    wall_s = time.perf_counter() - start
    peak = status_mb("self", "VmHWM")
    assert peak is not None  # this process is alive
    return RunnerResult(wall_s, cpu_seconds() - cpu_before, peak, summary)


def children(pid: int) -> list[int]:
    """Child processes of ``pid`` (of any of its threads)."""
    found: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in listing.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread ended meanwhile
    return found


def is_spawned(pid: int) -> bool:
    """A multiprocessing ``spawn`` child, not e.g. a resource tracker."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False


class WorkerPeaks:
    """While active, records the peak RSS (``VmHWM``) of every worker process,
    i.e. every process spawned by a process this one spawned, read every
    ``SAMPLE_INTERVAL_S`` in a background thread; and notices when a run's
    workers are all gone."""

    def __init__(self) -> None:
        self.peaks_mb: dict[int, float] = {}
        self.runner_pid: int | None = None  # the process this one spawned (only one at a time)
        self._workers: dict[int, bool] = {}  # pid -> is a worker
        self._last_worker_seen: float | None = None  # time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="worker-peaks", daemon=True)

    def __enter__(self) -> WorkerPeaks:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def workerless_for(self) -> float:
        """Seconds since the last worker process was seen alive; 0 until one was."""
        seen = self._last_worker_seen
        return 0.0 if seen is None else time.monotonic() - seen

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL_S):
            self._sample()

    def _sample(self) -> None:
        pending = [(pid, 1) for pid in children(os.getpid())]
        while pending:
            pid, depth = pending.pop()
            pending += [(child, depth + 1) for child in children(pid)]
            if pid not in self._workers:
                spawned = is_spawned(pid)
                self._workers[pid] = depth >= 2 and spawned
                if depth == 1 and spawned:
                    self.runner_pid = pid
            peak = status_mb(pid, "VmHWM") if self._workers[pid] else None  # None once it has exited
            if peak is not None:
                self.peaks_mb[pid] = max(peak, self.peaks_mb.get(pid, 0.0))
                self._last_worker_seen = time.monotonic()


@dataclass(frozen=True)
class Run:
    label: str
    workers: int
    result: RunnerResult | None  # None: the run stalled and was killed
    worker_peaks_mb: list[float]  # one per spawned worker process, ascending
    stall: str = ""  # what happened, when it stalled

    @property
    def peak_mb(self) -> float:
        """The largest peak of any process that processed documents: the
        runner itself with one worker, else its worker processes."""
        if self.workers == 1:
            return self.result.peak_rss_mb if self.result is not None else 0.0
        return max(self.worker_peaks_mb, default=0.0)


def run(label: str, corpus: Path, dataset: Path, workers: int) -> Run:
    """:func:`run_in_runner` in a new process of its own, watching its workers'
    memory; if its worker processes are gone for ``STALL_S`` before it is
    done, the runner is killed and the run reported as stalled."""
    print(f"{label}: running ...", flush=True)
    start = time.perf_counter()
    with WorkerPeaks() as sampler, ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        future = pool.submit(run_in_runner, corpus, dataset, workers)
        stalled = False
        while not stalled and not wait([future], timeout=1.0).done:
            stalled = sampler.workerless_for() > STALL_S
        if stalled:
            assert sampler.runner_pid is not None  # seen before its workers
            os.kill(sampler.runner_pid, signal.SIGKILL)  # the pool then fails the future
        result = None if stalled else future.result()
    peaks = sorted(sampler.peaks_mb.values())
    if result is None:
        written = len(done_documents(dataset))
        stall = (f"STALLED: {written} documents written, then no worker process for {STALL_S:g} s; "
                 f"runner killed after {time.perf_counter() - start:.0f} s")
        print(f"{label}: {stall}", flush=True)
        return Run(label, workers, None, peaks, stall)
    summary = result.summary
    print(f"{label}: {len(summary.outcomes)} processed, {len(summary.failed)} failed, "
          f"{summary.skipped} skipped in {result.wall_s:.1f} s", flush=True)
    for outcome in summary.failed:
        print(f"  FAILED {outcome.path}: {outcome.error_code}: {outcome.error}")
    return Run(label, workers, result, peaks)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def aligned(rows: list[tuple[str, ...]]) -> list[str]:
    """The rows as lines under a rule after the first (the header): the first
    column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        f"{row[0]:<{widths[0]}}" + "".join(f"  {v:>{w}}" for v, w in zip(row[1:], widths[1:])) for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return lines


def run_row(r: Run) -> tuple[str, ...]:
    """A run's figures, "-" where there are none."""
    worker_peak = f"{max(r.worker_peaks_mb):.0f}" if r.worker_peaks_mb else "-"
    if r.result is None:
        return (r.label, *["-"] * 10, worker_peak)
    summary, wall = r.result.summary, r.result.wall_s
    documents = len(summary.outcomes)
    # the workers' time extracting and normalising (not writing, starting or waiting) over their wall time
    busy = f"{sum(o.seconds for o in summary.outcomes) / (wall * r.workers):.0%}" if documents else "-"
    return (
        r.label, str(documents), str(summary.skipped), str(summary.pages), f"{wall:.2f}",
        f"{documents / wall:.2f}", f"{summary.pages / wall:.1f}", f"{r.result.cpu_s:.1f}",
        f"{r.result.cpu_s / wall:.2f}", busy, f"{r.result.peak_rss_mb:.0f}",
        worker_peak if r.worker_peaks_mb or not documents else "(runner)",
    )


def report(runs: list[Run], corpus_docs: int) -> list[str]:
    """The table of runs, each run's worker peaks or stall, then the targets
    (a target whose runs did not complete is not met)."""
    header = ("run", "docs", "skipped", "pages", "wall s", "docs/s", "pages/s", "CPU s", "cores used", "busy",
              "runner peak MB", "worker peak MB")
    lines = aligned([header, *(run_row(r) for r in runs)])
    lines.append("")
    for r in runs:
        if r.worker_peaks_mb:
            peaks = ", ".join(f"{mb:.0f}" for mb in r.worker_peaks_mb)
            lines.append(f"{r.label}: {len(r.worker_peaks_mb)} worker processes "
                         f"(replaced every {DOCS_PER_WORKER} documents), peak RSS MB each: {peaks}")
        if r.stall:
            lines.append(f"{r.label}: {r.stall}")
    lines.append("")

    walls = {r.label: r.result.wall_s for r in runs if r.result is not None}
    targets: list[tuple[str, str, str, bool]] = []
    if ONE in walls and TWO in walls:
        speedup = walls[ONE] / walls[TWO]
        targets.append(("speedup of 2 workers over 1", f">= {TARGET_SPEEDUP:g}x", f"{speedup:.2f}x",
                        speedup >= TARGET_SPEEDUP))
    else:
        targets.append(("speedup of 2 workers over 1", f">= {TARGET_SPEEDUP:g}x", "not measured", False))
    worker_peak = max(r.peak_mb for r in runs)
    targets.append(("peak RSS of any worker", f"< {TARGET_WORKER_MB:.0f} MB", f"{worker_peak:.0f} MB",
                    worker_peak < TARGET_WORKER_MB))
    again = next((r.result for r in runs if r.label == AGAIN and r.result is not None), None)
    if again is not None and TWO in walls:
        fraction = again.wall_s / walls[TWO]
        all_skipped = again.summary.skipped == corpus_docs and not again.summary.outcomes
        targets.append(("unchanged re-run / first 2-worker run", f"< {TARGET_RERUN_FRACTION:.0%}",
                        f"{fraction:.1%}" + ("" if all_skipped else " (not all skipped)"),
                        fraction < TARGET_RERUN_FRACTION and all_skipped))
    else:
        targets.append(("unchanged re-run / first 2-worker run", f"< {TARGET_RERUN_FRACTION:.0%}",
                        "not measured", False))
    lines += aligned([("target", "goal", "measured", "verdict"),
                      *((name, goal, measured, verdict(ok)) for name, goal, measured, ok in targets)])
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200, help="distinct PDFs in the corpus (default 200)")
    parser.add_argument("--workdir", type=Path,
                        help="empty or new directory for the corpus and datasets (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory afterwards")
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    if args.workdir is not None and args.workdir.exists() and any(args.workdir.iterdir()):
        parser.error(f"--workdir {args.workdir} is not empty")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="jixiao-corpus-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "corpus"
    try:
        sources = source_pdfs()
        start = time.perf_counter()
        pages = build_corpus(corpus, sources, args.docs)
        distinct = len(discover(corpus))
        if distinct != args.docs:
            raise RuntimeError(f"{corpus}: {distinct} distinct documents, not {args.docs}")
        print(f"CPUs: {os.cpu_count()} (usable by this process: {len(os.sched_getaffinity(0))}); "
              f"load average at start: {os.getloadavg()[0]:.2f}")
        print(f"corpus: {args.docs} distinct PDFs, {pages} pages, copies of {len(sources)} sources "
              f"in {SUBFOLDERS} folders, built in {time.perf_counter() - start:.1f} s: {corpus}")
        for source in sources:
            print(f"  {source.relative_to(REPO_ROOT)}")
        print()
        runs = [
            run(ONE, corpus, workdir / "dataset-1", workers=1),
            run(TWO, corpus, workdir / "dataset-2", workers=2),
        ]
        if runs[-1].result is not None:  # a stalled run leaves nothing to compare a re-run with
            runs.append(run(AGAIN, corpus, workdir / "dataset-2", workers=2))
        print()
        print("\n".join(report(runs, args.docs)))
    finally:
        if args.keep:
            print(f"\nkept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
