"""What normalisation adds to extraction, per page.

Target: normalising a document (layout document → projects, plans,
indicators, departments, flags, metadata) takes under 10 % of the time it
took to extract it, so reading templates by their labels stays cheap next to
reading the PDF.

For each PDF, in one run and interleaved (extract, normalise, extract,
normalise… so both see the same machine load), it times extraction
(``jixiao.read_pdf``) and normalisation (``normalize_document`` of that
extraction), best of ``--repeat`` passes each, and prints milliseconds per
page of both and their ratio, then the total ratio with PASS/MISS. One-off
costs are paid before timing (imports, the gazetteer read once per process),
as a corpus run pays them once per worker. A report, not a test: nothing is
asserted.

Usage: ``python benchmarks/normalize_speed.py [--repeat N] [PDF ...]``; with no
PDFs it reads every born-digital fixture document that has records.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.10


def _fixtures() -> list[Path]:
    out = []
    for doc in sorted((REPO_ROOT / "tests" / "fixtures" / "corpus").iterdir()):
        if not (doc / "truth" / "records.json").exists():
            continue
        pdf = doc / "document.pdf"
        if not pdf.exists():
            pdf = REPO_ROOT / "corpus" / "sample" / f"{doc.name}.pdf"
        if pdf.exists():
            out.append(pdf)
    return out


def _best(seconds: list[float]) -> float:
    return min(seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    pdfs = args.pdfs or _fixtures()

    import jixiao
    from jixiao.errors import JixiaoError
    from jixiao.normalize import normalize_document
    from jixiao.normalize.places import gazetteer

    gazetteer()  # read once per process, as a worker does
    total_pages = 0
    total_extract = total_normalize = 0.0
    print(f"{'document':58} {'pages':>5} {'extract ms/p':>12} {'normalise ms/p':>14} {'ratio':>7}")
    for pdf in pdfs:
        name = pdf.parent.name if pdf.name == "document.pdf" else pdf.stem
        try:
            jixiao.read_pdf(pdf)
        except JixiaoError as error:
            print(f"{name:58} not extracted: {error}")
            continue
        extract_times, normalize_times = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            document = jixiao.read_pdf(pdf)
            extract_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            normalize_document(document)
            normalize_times.append(time.perf_counter() - started)
        pages = len(document.pages)
        extract, normalize = _best(extract_times), _best(normalize_times)
        total_pages += pages
        total_extract += extract
        total_normalize += normalize
        print(f"{name:58} {pages:5d} {1000 * extract / pages:12.1f} {1000 * normalize / pages:14.2f} "
              f"{normalize / extract:7.1%}")
    ratio = total_normalize / total_extract
    print(f"\n{total_pages} pages: extraction {1000 * total_extract / total_pages:.1f} ms/page, normalisation "
          f"{1000 * total_normalize / total_pages:.2f} ms/page = {ratio:.1%} of extraction "
          f"(target < {TARGET:.0%}): {'PASS' if ratio < TARGET else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
