"""Extraction speed and peak memory of jixiao against the tools it is measured by.

The project states two speed targets for table extraction:

* jixiao reads at least 5x as many pages per second as camelot's lattice
  flavour (the usual tool for ruled tables), and
* jixiao takes at most 1.5x the time of bare pdfplumber ``extract_tables``
  (the library jixiao's default engine is built on), i.e. what jixiao adds on
  top of pdfplumber -- merged cells, stitching, reading order -- stays cheap.

This script measures, on the same PDFs in one run, four extractors:
jixiao with its default engine, jixiao with the camelot engine, camelot
lattice alone and bare pdfplumber. For each it prints pages/s (total pages
over the wall time of one pass over all PDFs, best of ``--repeat`` passes)
and peak resident memory, then the two target ratios with PASS/MISS. It is a
report, not a test: nothing is asserted.

Each extractor runs in its own freshly spawned process, which imports only
what that extractor needs (before any timing) and reports its own peak RSS.
On Linux that is the process's ``VmHWM``: its ``ru_maxrss`` would not do,
because the kernel carries the parent's high-water mark across ``exec``
into the child, so a child's ``ru_maxrss`` is never below its parent's.

Usage: ``python benchmarks/extract_speed.py [--repeat N] [PDF ...]``; with
no PDFs it reads the repository's sample corpus and born-digital fixtures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

Extract = Callable[[Path], object]


def _load_jixiao_default() -> Extract:
    import jixiao.extract  # jixiao.read_pdf would import it lazily, inside the timing

    return jixiao.read_pdf


def _load_jixiao_camelot() -> Extract:
    import jixiao.extract.camelot_engine  # the pipeline would import it lazily, inside the timing

    return partial(jixiao.read_pdf, engine="camelot")


def _load_camelot_lattice() -> Extract:
    import camelot

    def extract(path: Path) -> object:
        return camelot.read_pdf(str(path), flavor="lattice", pages="all")

    return extract


def _load_bare_pdfplumber() -> Extract:
    import pdfplumber

    def extract(path: Path) -> object:
        tables = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                tables.extend(page.extract_tables())
                page.close()
        return tables

    return extract


# name -> loader; a loader imports everything its extractor needs and returns it.
EXTRACTORS: dict[str, Callable[[], Extract]] = {
    "jixiao (default engine)": _load_jixiao_default,
    "jixiao (camelot engine)": _load_jixiao_camelot,
    "camelot lattice": _load_camelot_lattice,
    "bare pdfplumber": _load_bare_pdfplumber,
}
JIXIAO, CAMELOT, PDFPLUMBER = "jixiao (default engine)", "camelot lattice", "bare pdfplumber"


@dataclass(frozen=True)
class Measurement:
    seconds: float  # best wall time of one pass over all PDFs
    peak_rss_mb: float  # peak resident memory of the process that ran the extractor


def default_pdfs() -> list[Path]:
    """The sample corpus and the fixture PDFs, less the image-only ``-scan`` one."""
    fixtures = sorted((REPO_ROOT / "tests/fixtures/corpus").glob("*/document.pdf"))
    return sorted((REPO_ROOT / "corpus/sample").glob("*.pdf")) + [
        pdf for pdf in fixtures if not pdf.parent.name.endswith("-scan")
    ]


def page_count(path: Path) -> int:
    import pypdfium2  # here, not at the top: spawned children import this module too

    pdf = pypdfium2.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def peak_rss_mb() -> float:
    """This process's own peak resident set size, in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except FileNotFoundError:  # not Linux: ru_maxrss is bytes on macOS, kB elsewhere
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 1024


def measure(name: str, pdfs: list[Path], repeat: int) -> Measurement:
    """Run in a fresh process: import, then time ``repeat`` passes over ``pdfs``."""
    extract = EXTRACTORS[name]()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for pdf in pdfs:
            extract(pdf)
        best = min(best, time.perf_counter() - start)
    return Measurement(seconds=best, peak_rss_mb=peak_rss_mb())


def measure_in_child(name: str, pdfs: list[Path], repeat: int) -> Measurement:
    """:func:`measure` in a new process of its own (a crash there raises here)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(measure, name, pdfs, repeat).result()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: dict[str, Measurement | str], pages: int) -> list[str]:
    """The table of measurements (a failed extractor gets its error instead),
    then the target ratios."""
    header = ("extractor", "best s", "pages/s", "peak RSS MB")
    cells = {
        name: (f"{r.seconds:.2f}", f"{pages / r.seconds:.1f}", f"{r.peak_rss_mb:.0f}")
        for name, r in results.items() if isinstance(r, Measurement)
    }
    rows = [header, *((name, *values) for name, values in cells.items())]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    widths[0] = max(widths[0], *(len(name) for name in results))

    def line(name: str, values: tuple[str, ...]) -> str:
        return f"{name:<{widths[0]}}" + "".join(f"  {v:>{w}}" for v, w in zip(values, widths[1:]))

    lines = [line(header[0], header[1:]), "-" * sum(w + 2 for w in widths)]
    for name, result in results.items():
        lines.append(line(name, cells[name]) if name in cells else f"{name:<{widths[0]}}  failed: {result}")

    jixiao, camelot, plumber = (results.get(name) for name in (JIXIAO, CAMELOT, PDFPLUMBER))
    ratios: list[tuple[str, float, bool]] = []
    if isinstance(jixiao, Measurement) and isinstance(camelot, Measurement):
        speedup = camelot.seconds / jixiao.seconds  # the ratio of pages/s, on the same pages
        ratios.append(("jixiao / camelot lattice pages/s (target >= 5x)", speedup, speedup >= 5))
    if isinstance(jixiao, Measurement) and isinstance(plumber, Measurement):
        overhead = jixiao.seconds / plumber.seconds
        ratios.append(("jixiao time / bare pdfplumber extract_tables time (target <= 1.5x)", overhead,
                       overhead <= 1.5))
    label_width = max((len(label) for label, _, _ in ratios), default=0)
    lines.append("")
    lines += [f"{label:<{label_width}}  {ratio:5.2f}x  {verdict(ok)}" for label, ratio, ok in ratios]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes per extractor; the best counts (default 3)")
    parser.add_argument("pdfs", nargs="*", type=Path, metavar="PDF",
                        help="PDFs to read (default: corpus/sample/*.pdf and the born-digital test fixtures)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    pdfs = [pdf.resolve() for pdf in args.pdfs] or default_pdfs()
    pages = sum(page_count(pdf) for pdf in pdfs)

    print(f"{len(pdfs)} PDFs, {pages} pages, best of {args.repeat} passes, one spawned process per extractor")
    for pdf in pdfs:
        print(f"  {pdf.relative_to(REPO_ROOT) if pdf.is_relative_to(REPO_ROOT) else pdf}")
    print()

    results: dict[str, Measurement | str] = {}
    for name in EXTRACTORS:
        try:
            results[name] = measure_in_child(name, pdfs, args.repeat)
        except Exception as e:  # one extractor failing (e.g. not written yet) leaves the others' report
            results[name] = f"{type(e).__name__}: {e}"
    print("\n".join(report(results, pages)))


if __name__ == "__main__":
    main()
