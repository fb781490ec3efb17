"""``jixiao run`` as a user runs it: start-up, parallel scaling, memory.

Targets (issue #11 item 2 and 4, issue #13):

* the run's parent process starts up on at most 0.5 CPU s (its own CPU
  over a whole re-run of an unchanged corpus: imports, discovery, hashing,
  supervision and the summary — its workers' CPU is reported beside it) and
  holds at most 60 MB resident;
* two local workers get through a corpus of at least 100 documents at least
  1.8x as fast as one;
* no worker process holds more than 400 MB resident at any moment;
* a re-run over the unchanged corpus takes under 5% of the time of the run
  that did the work.

The corpus is ``--docs`` distinct PDFs made from the repository's
born-digital PDFs (the sample corpus and the fixtures, less those with a
page that needs OCR: a scan, a text layer without usable Unicode): each
copy differs only in its docinfo ``/Subject``, which jixiao does not read,
so every copy is its own document and extracts exactly like its source. Every run is a real ``jixiao run`` process with
``--summary-json``; runs with one and two workers alternate (1, 2, then 2, 1,
…, ``--repeat`` pairs), each into a fresh dataset, so that a change in the
machine's load falls on both alike. The median of each is compared.

A shared machine: the script prints the load average before and after each
run and, for each run, its CPU time (the parent's and all its workers',
from ``wait4``) next to its wall time. CPU / wall is the number of cores the
run actually got: a 2-worker run that got 1.2 cores did not fail to scale,
it was not given the second core. CPU per page tells whether two workers
did the same work as one (supervision overhead would show there). It is a
report, not a test: nothing is asserted.

Memory: the parent reports its own peak (``ru_maxrss`` of RUSAGE_SELF) in
the summary JSON; a background thread reads every 0.05 s the ``VmHWM`` (the
kernel's own high-water mark, so a spike between two readings still counts)
of every process below it.

Usage: ``python benchmarks/corpus_scale.py [--docs N] [--repeat R] [--workdir DIR] [--keep]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SUBFOLDERS = 4
SAMPLE_INTERVAL_S = 0.05
TARGET_SPEEDUP = 1.8
TARGET_WORKER_MB = 400.0
TARGET_RERUN_FRACTION = 0.05
TARGET_STARTUP_CPU_S = 0.5
TARGET_PARENT_MB = 60.0
RERUN = "unchanged re-run"  # failed documents are retried by it, so it may still process a few


def source_pdfs() -> tuple[list[Path], list[Path]]:
    """The sample corpus and the fixture PDFs whose every page reads from
    its text layer, and those left out: the ones with a page that needs
    OCR (a scan, a text layer without usable Unicode). OCR costs a hundred
    times a text-layer page and is measured by ``ocr_speed.py``; mixed in
    here, a few such copies would decide every figure of this report."""
    from jixiao.errors import ErrorCode, InputError
    from jixiao.extract import read_pdf

    fixtures = sorted((REPO_ROOT / "tests/fixtures/corpus").glob("*/document.pdf"))
    text_layer, left_out = [], []
    for pdf in sorted((REPO_ROOT / "corpus/sample").glob("*.pdf")) + fixtures:
        try:
            read_pdf(pdf, ocr="off")
        except InputError as error:
            if error.code is not ErrorCode.NO_TEXT_LAYER:
                raise
            left_out.append(pdf)
        else:
            text_layer.append(pdf)
    return text_layer, left_out


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


def descendants(pid: int) -> list[int]:
    """Processes below ``pid``."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for listing in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children = [int(child) for child in listing.read_text().split()]
            except OSError:
                continue
            found += children
            frontier += children
    return found


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class WorkerPeaks:
    """The highest VmHWM of any process below ``pid`` while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL_S):
            for child in descendants(self.pid):
                peak = vm_hwm_mb(child)
                if peak is not None:
                    self.peak_mb = max(self.peak_mb, peak)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


@dataclass(frozen=True)
class Result:
    label: str
    workers: int
    wall_s: float
    cpu_s: float  # the parent's and its workers'
    parent_cpu_s: float
    parent_mb: float
    worker_mb: float
    processed: int
    unchanged: int
    pages: int
    failed: int
    load: tuple[float, float]  # 1-minute load average before, after

    @property
    def cores(self) -> float:
        return self.cpu_s / self.wall_s


def jixiao_run(label: str, corpus: Path, dataset: Path, workers: int) -> Result:
    summary_file = dataset.parent / f"{dataset.name}.summary.json"
    load_before = os.getloadavg()[0]
    command = [sys.executable, "-m", "jixiao.cli", "run", str(corpus), "-o", str(dataset), "--quiet",
               "--workers", str(workers), "--summary-json", str(summary_file)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = WorkerPeaks(process.pid)
    _, status, usage = os.wait4(process.pid, 0)  # usage: the process and every child it waited for
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    worker_mb = peaks.stop()
    errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode not in (0, 1) or not summary_file.exists():
        raise RuntimeError(f"{label}: jixiao run exited {process.returncode}: {errors[-2000:]}")
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    result = Result(label, workers, wall, usage.ru_utime + usage.ru_stime, summary["parent_cpu_s"],
                    summary["parent_peak_mb"], worker_mb, summary["processed"], summary["unchanged"],
                    summary["pages"], len(summary["failed_this_run"]), (load_before, os.getloadavg()[0]))
    for failure in summary["failed_this_run"]:
        print(f"  FAILED {failure['error_code']}: {failure['error']}")
    print(f"  {label}: {result.processed} processed, {result.unchanged} unchanged, {result.failed} failed, "
          f"{wall:.1f} s wall, {result.cpu_s:.1f} CPU s ({result.cores:.2f} cores), "
          f"load {result.load[0]:.1f} → {result.load[1]:.1f}", flush=True)
    return result


def aligned(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"{row[0]:<{widths[0]}}" + "".join(f"  {v:>{w}}" for v, w in zip(row[1:], widths[1:])) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return lines


def report(results: list[Result]) -> list[str]:
    header = ("run", "docs", "pages", "wall s", "pages/s", "CPU s", "cores used", "CPU ms/page", "parent CPU s",
              "parent MB", "worker peak MB", "load before→after")
    rows = [header]
    for r in results:
        per_page = f"{1000 * r.cpu_s / r.pages:.1f}" if r.pages else "-"
        rows.append((r.label, str(r.processed), str(r.pages), f"{r.wall_s:.1f}",
                     f"{r.pages / r.wall_s:.1f}" if r.pages else "-", f"{r.cpu_s:.1f}", f"{r.cores:.2f}", per_page,
                     f"{r.parent_cpu_s:.2f}", f"{r.parent_mb:.0f}", f"{r.worker_mb:.0f}",
                     f"{r.load[0]:.1f}→{r.load[1]:.1f}"))
    lines = aligned(rows)
    reruns = [r for r in results if r.label.startswith(RERUN)]
    one = [r for r in results if r.workers == 1 and r not in reruns]
    two = [r for r in results if r.workers == 2 and r not in reruns]
    wall1, wall2 = statistics.median(r.wall_s for r in one), statistics.median(r.wall_s for r in two)
    speedup = wall1 / wall2
    cores1, cores2 = statistics.median(r.cores for r in one), statistics.median(r.cores for r in two)
    cpu_ratio = statistics.median(r.cpu_s for r in two) / statistics.median(r.cpu_s for r in one)
    startup = statistics.median(r.parent_cpu_s for r in reruns)
    rerun_fraction = statistics.median(r.wall_s for r in reruns) / wall2
    worker_peak = max(r.worker_mb for r in results)
    parent_peak = max(r.parent_mb for r in results)
    lines += ["", (f"cores used (median): 1 worker {cores1:.2f}, 2 workers {cores2:.2f}. Where 1 worker got less than a "
                  "core, the machine was busy and the wall-clock ratio measures its load as much as jixiao."),
              (f"CPU of 2 workers / CPU of 1 worker: {cpu_ratio:.2f} (1.00: the same work; more: per-worker costs, "
              "or two processes slowing each other on a shared machine)"),
              f"speedup if each worker had a core of its own: 2 / {cpu_ratio:.2f} = {2 / cpu_ratio:.2f}x", ""]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    lines += aligned([
        ("target", "goal", "measured", "verdict"),
        ("parent start-up CPU (unchanged re-run)", f"<= {TARGET_STARTUP_CPU_S} s", f"{startup:.2f} s",
         verdict(startup <= TARGET_STARTUP_CPU_S)),
        ("parent peak RSS (any run)", f"<= {TARGET_PARENT_MB:.0f} MB", f"{parent_peak:.0f} MB",
         verdict(parent_peak <= TARGET_PARENT_MB)),
        ("speedup of 2 workers over 1 (median walls)", f">= {TARGET_SPEEDUP}x", f"{speedup:.2f}x",
         verdict(speedup >= TARGET_SPEEDUP)),
        ("peak RSS of any worker", f"< {TARGET_WORKER_MB:.0f} MB", f"{worker_peak:.0f} MB",
         verdict(worker_peak < TARGET_WORKER_MB)),
        ("unchanged re-run / 2-worker run", f"< {TARGET_RERUN_FRACTION:.0%}", f"{rerun_fraction:.1%}",
         verdict(rerun_fraction < TARGET_RERUN_FRACTION)),
    ])
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=120, help="distinct PDFs in the corpus (default 120)")
    parser.add_argument("--repeat", type=int, default=2, help="pairs of 1- and 2-worker runs (default 2)")
    parser.add_argument("--workdir", type=Path, help="empty or new directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory afterwards")
    args = parser.parse_args(argv)
    if args.workdir is not None and args.workdir.exists() and any(args.workdir.iterdir()):
        parser.error(f"--workdir {args.workdir} is not empty")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="jixiao-corpus-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "corpus"
    try:
        sources, left_out = source_pdfs()
        pages = build_corpus(corpus, sources, args.docs)
        print(f"left out, a page needs OCR: {', '.join(source_name(pdf) for pdf in left_out) or 'none'}")
        print(f"CPUs: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))}); "
              f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"corpus: {args.docs} distinct PDFs, {pages} pages, copies of {len(sources)} sources: {corpus}")
        results: list[Result] = []
        for repetition in range(args.repeat):
            order = (1, 2) if repetition % 2 == 0 else (2, 1)
            for workers in order:
                dataset = workdir / f"dataset-{workers}-{repetition}"
                results.append(jixiao_run(f"workers={workers} #{repetition + 1}", corpus, dataset, workers))
        last_two = workdir / f"dataset-2-{args.repeat - 1}"
        for repetition in range(2):
            results.append(jixiao_run(f"{RERUN} #{repetition + 1}", corpus, last_two, 2))
        print()
        print("\n".join(report(results)))
    finally:
        if args.keep:
            print(f"\nkept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
