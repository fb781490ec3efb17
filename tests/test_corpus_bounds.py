"""Bounded work and signals (issue #13 items 5 and 8): a worker killed with
SIGKILL, a decompression bomb and a document past its deadline each end as
a failed row with its code while the run goes on; Ctrl-C and SIGTERM stop
the workers, keep what is written, print the summary and exit 130 / 143.

The runs are real ``jixiao run`` processes on PDFs generated here; the test
finds the worker reading a document by the file it holds open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import duckdb
import pikepdf
import pytest
from conftest import FIXTURES, SAMPLE

from jixiao.corpus.job import Outcome
from jixiao.corpus.runner import LONG_DOCUMENT_S, _Progress
from jixiao.schema import TABLES

PROSE = SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf"
SMALL = [FIXTURES / "external" / name / "document.pdf" for name in ("pdfplumber-issue-842", "row_span_1")]
RUN_TIMEOUT_S = 300


def long_pdf(path: Path, pages: int) -> Path:
    """``pages`` copies of a page of prose: long to read, quick to make."""
    with pikepdf.open(PROSE) as source:
        out = pikepdf.new()
        for _ in range(pages):
            out.pages.append(source.pages[2])
        out.save(path)
    return path


def bomb_pdf(path: Path, inflated_mib: int) -> Path:
    """One page whose content stream is ``inflated_mib`` MiB of spaces,
    deflated to about a thousandth of that: identical deflate blocks after a
    full flush, then the right Adler-32, so every reader must inflate it all."""
    chunk = b" " * (1 << 24)
    compressor = zlib.compressobj(9)
    head = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = inflated_mib >> 4
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(chunk, adler)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, head + block * (count - 1) + b"\x03\x00" + adler.to_bytes(4, "big"))
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].Contents = pdf.make_indirect(stream)
    pdf.save(path, compress_streams=False)
    return path


def small_corpus(root: Path) -> Path:
    root.mkdir(parents=True)
    for i, pdf in enumerate(SMALL):
        (root / f"small-{i}.pdf").write_bytes(pdf.read_bytes())
    return root


def start_run(corpus: Path, dataset: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jixiao.cli", "run", str(corpus), "-o", str(dataset), "--quiet",
                             *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def descendants(pid: int) -> list[int]:
    """Processes below ``pid`` (from /proc's parent ids)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        frontier += children
    return found


def holder(run: subprocess.Popen, pdf: Path, deadline_s: float = 120) -> int:
    """The worker process that has ``pdf`` open (it is reading it)."""
    deadline = time.monotonic() + deadline_s
    target = str(pdf)
    while time.monotonic() < deadline and run.poll() is None:
        for pid in descendants(run.pid):
            try:
                if any(os.readlink(fd) == target for fd in Path(f"/proc/{pid}/fd").iterdir()):
                    return pid
            except OSError:
                continue
        time.sleep(0.02)
    raise AssertionError(f"no worker opened {pdf} (run exit code {run.poll()})")


def rows(dataset: Path) -> dict[str, tuple]:
    con = duckdb.connect()
    found = con.execute(f"SELECT source_relpath, status, error_code, error, pages FROM read_parquet("
                        f"'{dataset}/documents/*/*.parquet', hive_partitioning = true)").fetchall()
    return {row[0]: row[1:] for row in found}


def documents_complete(dataset: Path) -> None:
    """Every document that has a documents row has all its files; no
    temporary file outside jixiao's own folder."""
    ids = {p.stem for p in dataset.glob("documents/*/*.parquet")}
    con = duckdb.connect()
    ok = {r[0] for r in con.execute(f"SELECT doc_id FROM read_parquet('{dataset}/documents/*/*.parquet') "
                                    "WHERE status <> 'failed'").fetchall()}
    for table in TABLES:
        assert ok <= {p.stem for p in dataset.glob(f"{table}/*/*.parquet")}, table
    assert ids
    assert not [p for p in dataset.rglob("*.tmp") if ".jixiao" not in p.parts]


@pytest.mark.slow
def test_a_sigkilled_worker_costs_its_document_and_the_run_goes_on(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    victim = long_pdf(corpus / "0-long.pdf", 400)  # first in order: the others come after its death
    dataset = tmp_path / "dataset"
    run = start_run(corpus, dataset, "--workers", "1")
    worker = holder(run, victim)
    os.kill(worker, signal.SIGKILL)
    killed = time.monotonic()
    recorded = None
    while run.poll() is None:
        if recorded is None and "0-long.pdf" in (rows(dataset) if list(dataset.glob("documents/*/*")) else {}):
            recorded = time.monotonic()
        time.sleep(0.05)
    out, err = run.communicate(timeout=RUN_TIMEOUT_S)
    assert run.returncode == 1, out + err
    found = rows(dataset)
    status, code, error, _ = found["0-long.pdf"]
    assert (status, code) == ("failed", "WORKER_DIED") and "SIGKILL" in error and "0-long.pdf" in error
    assert [found[f"small-{i}.pdf"][0] for i in range(len(SMALL))] == ["ok"] * len(SMALL)
    assert "FAILED WORKER_DIED" in out
    recorded = recorded or time.monotonic()
    print(f"\nworker SIGKILLed → its failure recorded and the run going on: {recorded - killed:.2f} s")
    documents_complete(dataset)


def _peak_of_descendants(run: subprocess.Popen) -> float:
    """Highest VmHWM (MB) of any process below the run, sampled until it ends."""
    peak = 0.0
    while run.poll() is None:
        for pid in descendants(run.pid):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
            except OSError:
                pass
        time.sleep(0.02)
    return peak


@pytest.mark.slow
@pytest.mark.parametrize(("inflated_mib", "options", "message"), [
    # refused before it is read: a stream beyond MAX_INFLATED_MB is a bomb whatever the memory cap
    (2048, (), "inflates to more than 512 MB: a decompression bomb"),
    # below that, the worker's memory cap stops it: a MemoryError in Python (pdfminer), or an abort in C++
    # (pdfium) after the worker used most of its allowance
    (448, ("--max-memory-per-doc", "256", "--parser", "pdfminer"),
     "needs more memory than a worker may use (--max-memory-per-doc 256 MB)"),
    (448, ("--max-memory-per-doc", "256", "--parser", "pypdfium2"),
     "needs more memory than a worker may use (--max-memory-per-doc 256 MB"),
], ids=["bomb", "over-the-cap-pdfminer", "over-the-cap-pdfium"])
def test_a_decompression_bomb_fails_fast_as_too_large(inflated_mib: int, options: tuple[str, ...], message: str,
                                                       tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    bomb_pdf(corpus / "bomb.pdf", inflated_mib)
    assert (corpus / "bomb.pdf").stat().st_size < (inflated_mib << 20) // 500
    dataset = tmp_path / "dataset"
    started = time.monotonic()
    run = start_run(corpus, dataset, "--workers", "1", *options)
    peak = _peak_of_descendants(run)
    out, err = run.communicate(timeout=RUN_TIMEOUT_S)
    assert run.returncode == 1, out + err
    found = rows(dataset)
    status, code, error, _ = found["bomb.pdf"]
    assert (status, code) == ("failed", "TOO_LARGE") and message in error, error
    assert [found[f"small-{i}.pdf"][0] for i in range(len(SMALL))] == ["ok"] * len(SMALL)
    print(f"\n{inflated_mib} MiB bomb: peak RSS of any worker {peak:.0f} MB, run {time.monotonic() - started:.1f} s")
    assert peak < 1024, "neither the bomb check nor the memory cap held"


@pytest.mark.slow
def test_the_deadline_holds_inside_c_code_too(tmp_path: Path) -> None:
    """A document that takes far longer than its deadline is stopped from
    outside at the deadline (a timer inside the process cannot interrupt
    C code): the run ends soon after, the document failed TIMEOUT."""
    corpus = small_corpus(tmp_path / "corpus")
    long_pdf(corpus / "0-long.pdf", 1500)
    dataset = tmp_path / "dataset"
    started = time.monotonic()
    run = start_run(corpus, dataset, "--workers", "1", "--timeout-per-doc", "3")
    out, err = run.communicate(timeout=RUN_TIMEOUT_S)
    elapsed = time.monotonic() - started
    assert run.returncode == 1, out + err
    status, code, error, _ = rows(dataset)["0-long.pdf"]
    assert (status, code) == ("failed", "TIMEOUT") and "longer than 3 s" in error
    assert rows(dataset)["small-0.pdf"][0] == "ok"
    assert elapsed < 60, f"the run took {elapsed:.0f} s: the deadline did not stop the document"


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_workers_keeps_what_is_written_and_prints_the_summary(
        signum: int, code: int, tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    long = long_pdf(corpus / "z-long.pdf", 1500)  # last: the small ones are written before the signal
    dataset = tmp_path / "dataset"
    run = start_run(corpus, dataset, "--workers", "1")
    holder(run, long)
    workers = descendants(run.pid)
    run.send_signal(signum)
    out, err = run.communicate(timeout=RUN_TIMEOUT_S)
    assert run.returncode == code, out + err
    assert f"STOPPED: interrupted ({signal.Signals(signum).name})" in out and "documents processed" in out
    assert "Traceback" not in err
    time.sleep(0.5)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()
                and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]]
    found = rows(dataset)
    assert [found[f"small-{i}.pdf"][0] for i in range(len(SMALL))] == ["ok"] * len(SMALL)
    assert "z-long.pdf" not in found
    documents_complete(dataset)
    # what was stopped is done by the next run
    again = subprocess.run([sys.executable, "-m", "jixiao.cli", "run", str(corpus), "-o", str(dataset), "--quiet",
                            "--workers", "1", "--timeout-per-doc", "1"], capture_output=True, text=True,
                           timeout=RUN_TIMEOUT_S, check=False)
    assert "documents processed             1" in again.stdout


class _Bar:
    def __init__(self) -> None:
        self.n, self.postfix, self.closed = 0, "", False

    def update(self, n: int = 1) -> None:
        self.n += n

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        self.postfix = s

    def close(self) -> None:
        self.closed = True


def test_the_progress_bar_counts_pages_and_names_a_long_document(monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.corpus import runner
    from jixiao.corpus.discovery import CorpusItem

    monkeypatch.setattr(runner, "REDRAW_S", 0.0)
    bar = _Bar()
    progress = _Progress(bar, time.perf_counter())
    big = CorpusItem(path=Path("/a/big.pdf"), relpath="2023/big.pdf", sha256="a" * 64, size_bytes=1)
    small = CorpusItem(path=Path("/a/small.pdf"), relpath="small.pdf", sha256="b" * 64, size_bytes=1)
    progress.start(big)
    progress.start(small)
    progress.page(big, 120, 2000)
    assert bar.postfix.startswith("120 pages,") and "now:" not in bar.postfix
    monkeypatch.setattr(runner, "LONG_DOCUMENT_S", -1.0)
    progress.page(small, 3, 4)
    assert bar.postfix.startswith("123 pages,") and "now: 2023/big.pdf page 120/2000" in bar.postfix
    progress.done(Outcome(small.doc_id, "small.pdf", "ok", 4, 1.0))
    assert (bar.n, bar.postfix.split(",")[0]) == (1, "124 pages")
    progress.done(Outcome(big.doc_id, "big.pdf", "failed", 0, 1.0, "TIMEOUT", "x"))
    assert bar.postfix.endswith("1 failed") and LONG_DOCUMENT_S > 0
