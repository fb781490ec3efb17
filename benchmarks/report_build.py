"""Build time, size and memory of ``jixiao report``: full, incremental, and on a huge page.

Three targets:

* rebuilding the report of an unchanged dataset takes under 10% of the time
  of building it from nothing (each document's page is skipped after a few
  ``stat`` calls; only the index and the list of flags are rebuilt),
* the report of a document with a 14,400-pt page (the largest MediaBox PDF
  allows) peaks within 150 MB of the report of the same document with its
  normal pages (pictures are bounded in pixels, not in points), and
* the report is under 700 KB per document of the sample corpus.

The script runs the sample corpus into a dataset (or uses ``--dataset``),
and a one-document dataset of the 2022 sample with its page 5 (which holds
tables) enlarged to 14,400 × 14,400 pt beside the same document untouched.
It then builds, in ``--rounds`` interleaved rounds, each in a fresh process
(so memory is per build): the sample's report from nothing, the same
report again (incremental), and the two one-document reports from nothing.
It prints the median wall time of each, the report's bytes and the peak
resident memory (``VmHWM``) of each build process, then the targets with
PASS/MISS. It is a report, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pikepdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
HUGE_PT = 14400
HUGE_PAGE = 5  # holds tables in the 2022 sample
INCREMENTAL_TARGET = 0.10
HUGE_EXTRA_MB_TARGET = 150
BYTES_PER_DOCUMENT_TARGET = 700_000

_BUILD = """
import sys, time
from pathlib import Path
from jixiao.output.report import write_report
t0 = time.perf_counter()
stats = write_report(Path(sys.argv[1]), Path(sys.argv[2]))
elapsed = time.perf_counter() - t0
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(elapsed, hwm / 1024, stats.documents, stats.built)
"""


def _run_corpus(corpus: Path, dataset: Path) -> None:
    subprocess.run([sys.executable, "-m", "jixiao", "run", str(corpus), "-o", str(dataset), "--workers", "1",
                    "--quiet"], check=True, stdout=subprocess.DEVNULL)


def _build(dataset: Path, out: Path) -> tuple[float, float, int]:
    """One build in a fresh process: (seconds, peak MB, report bytes)."""
    result = subprocess.run([sys.executable, "-c", _BUILD, str(dataset), str(out)], check=True,
                            capture_output=True, text=True)
    seconds, peak, *_ = result.stdout.split()
    size = sum(f.stat().st_size for f in out.parent.rglob("*") if f.is_file())
    return float(seconds), float(peak), size


def _huge_pair(base: Path) -> tuple[Path, Path]:
    """Datasets of the 2022 sample as it is and with page 5 made huge."""
    datasets = []
    for name, box in (("normal", None), ("huge", [0, 0, HUGE_PT, HUGE_PT])):
        corpus = base / f"{name}-corpus"
        corpus.mkdir()
        with pikepdf.open(SAMPLE / "hebei-huyang-county-jyj-2022.pdf") as pdf:
            if box is not None:
                page = pdf.pages[HUGE_PAGE - 1]
                page.MediaBox = pikepdf.Array(box)
                for other in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox"):
                    if other in page.obj:
                        del page.obj[other]
            pdf.save(corpus / f"{name}.pdf")
        _run_corpus(corpus, base / f"{name}-dataset")
        datasets.append(base / f"{name}-dataset")
    return datasets[0], datasets[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, help="a dataset to report on [default: the sample corpus, run now]")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="jixiao-report-bench-"))
    try:
        dataset = args.dataset
        if dataset is None:
            dataset = base / "sample-dataset"
            _run_corpus(SAMPLE, dataset)
        normal, huge = _huge_pair(base)
        runs: dict[str, list[tuple[float, float, int]]] = {k: [] for k in ("full", "incremental", "normal", "huge")}
        for r in range(args.rounds):
            out = base / f"round{r}"
            runs["full"].append(_build(dataset, out / "report.html"))
            runs["incremental"].append(_build(dataset, out / "report.html"))
            runs["normal"].append(_build(normal, out / "normal" / "report.html"))
            runs["huge"].append(_build(huge, out / "huge" / "report.html"))
        median = {k: tuple(statistics.median(v[i] for v in values) for i in range(3)) for k, values in runs.items()}
        documents = len(list((dataset / "documents").glob("year=*/*.parquet")))
        print(f"{'build':<12} {'seconds':>8} {'peak MB':>8} {'bytes':>11}")
        for name, (seconds, peak, size) in median.items():
            print(f"{name:<12} {seconds:8.2f} {peak:8.0f} {size:11,.0f}")
        ratio = median["incremental"][0] / median["full"][0]
        extra = median["huge"][1] - median["normal"][1]
        per_doc = median["full"][2] / documents
        for ok, text in (
            (ratio < INCREMENTAL_TARGET, f"incremental / full = {ratio:.1%} (target < {INCREMENTAL_TARGET:.0%})"),
            (extra < HUGE_EXTRA_MB_TARGET, f"huge page peak - normal = {extra:.0f} MB (target < {HUGE_EXTRA_MB_TARGET})"),
            (per_doc < BYTES_PER_DOCUMENT_TARGET,
             f"{per_doc:,.0f} bytes per document (target < {BYTES_PER_DOCUMENT_TARGET:,})"),
        ):
            print(f"{'PASS' if ok else 'MISS'}  {text}")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
