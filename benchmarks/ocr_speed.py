"""Speed and accuracy of whole-document OCR, on one core and on two.

Each run is a fresh process reading the scanned fixture
(``tests/fixtures/corpus/hebei-chengde-gxq-zrzy-2023-scan``, 16 pages) with
``read_pdf(..., ocr_workers=N)``, as ``jixiao extract`` does: model loading
and worker start-up are included. Runs with 1 and with 2 workers are
interleaved, so a change in the machine's load hits both alike, and every
run reports:

* pages per wall-clock second;
* CPU seconds per page, counting the worker processes (the figure that
  still compares runs when other work shares the machine);
* accuracy against the fixture's truth: TEDS-S and TEDS of every table
  (lowest shown), paragraph CER, CER of the whole text against
  ``truth/text.txt`` (whitespace removed), and ``jixiao verify`` similarity
  against the published text.

The machine's load average is printed before and after: on a shared
machine, read the CPU column. ``--fixture`` also takes the ``-ps2pdf``
variant (a text layer without Unicode, read through OCR).

To compare with the code before a change, pass that commit (or a folder
holding its source tree) with ``--compare-with REF``: it is read on one
worker, in turns with this checkout, imported whole from its own tree
(``tree_import.py``; the editable install would otherwise serve this
checkout's modules under its name).

Usage: ``python benchmarks/ocr_speed.py [--runs 2] [--workers 1 2] [--fixture NAME] [--compare-with REF]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = Path(__file__).resolve().parent
CORPUS = REPO_ROOT / "tests" / "fixtures" / "corpus"
sys.path.insert(0, str(REPO_ROOT / "tests"))  # teds.py: the suite's TEDS

_WS = re.compile(r"\s+")
_READ = """
import inspect, sys
from pathlib import Path
if sys.argv[4]:
    sys.path.insert(0, sys.argv[5])  # benchmarks/
    from tree_import import use_tree
    use_tree(Path(sys.argv[4]))
from jixiao.extract import read_pdf
parallel = "ocr_workers" in inspect.signature(read_pdf).parameters
doc = read_pdf(sys.argv[1], **({"ocr_workers": int(sys.argv[2])} if parallel else {}))
open(sys.argv[3], "w", encoding="utf-8").write(doc.to_json())
"""


@dataclass
class Run:
    label: str
    workers: int
    pages: int
    wall: float
    cpu: float
    teds_s: float
    teds: float
    prose_cer: float
    text_cer: float
    similarity: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _accuracy(document_json: str, fixture: Path) -> tuple[float, float, float, float, float, int]:
    from teds import tables_from_html, teds

    from jixiao.model import BlockKind, Document
    from jixiao.output.render_text import render_text
    from jixiao.output.verify import verify_text

    doc = Document.from_json(document_json)
    predicted = tables_from_html(f"<html><body>{doc.tables_html()}</body></html>")
    truth = tables_from_html((fixture / "truth/tables.html").read_text(encoding="utf-8"))
    pairs = list(zip(predicted, truth))
    structure = min((teds(p, t, structure_only=True) for p, t in pairs), default=0.0)
    full = min((teds(p, t) for p, t in pairs), default=0.0)
    if len(predicted) != len(truth):
        structure = full = 0.0
    blocks = json.loads((fixture / "truth/document.json").read_text(encoding="utf-8"))["blocks"]
    expected = "".join(_WS.sub("", "".join(r["text"] for r in b["runs"])) for b in blocks if b["type"] == "paragraph")
    got = "".join(_WS.sub("", b.text) for b in doc.blocks_of(BlockKind.PARAGRAPH))
    prose = Levenshtein.distance(expected, got) / len(expected)
    text = render_text(doc)
    truth_text = _WS.sub("", (fixture / "truth/text.txt").read_text(encoding="utf-8"))
    text_cer = Levenshtein.distance(truth_text, _WS.sub("", text)) / len(truth_text)
    source = CORPUS / "hebei-chengde-gxq-zrzy-2023" / "source.txt"
    similarity = verify_text(text, source.read_text(encoding="utf-8")).similarity
    return structure, full, prose, text_cer, similarity, len(doc.pages)


def run_once(pdf: Path, workers: int, fixture: Path, code: str = "") -> Run:
    """One whole-document read in a fresh process; ``code``: another
    jixiao source tree to run instead (e.g. an older commit's)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "doc.json"
        cpu0, wall0 = _children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-c", _READ, str(pdf), str(workers), str(out), code, str(BENCHMARKS)],
                       check=True)
        wall, cpu = time.perf_counter() - wall0, _children_cpu() - cpu0
        structure, full, prose, text_cer, similarity, pages = _accuracy(out.read_text(encoding="utf-8"), fixture)
    label = f"{'other' if code else 'this'} code, {workers} worker{'s' if workers > 1 else ''}"
    return Run(label, workers, pages, wall, cpu, structure, full, prose, text_cer, similarity)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--fixture", default="hebei-chengde-gxq-zrzy-2023-scan")
    parser.add_argument("--compare-with", default="", metavar="REF",
                        help="also run (interleaved, one process) jixiao at this git commit or source folder")
    args = parser.parse_args()
    fixture = CORPUS / args.fixture
    pdf = fixture / "document.pdf"
    print(f"{args.fixture}; cores usable: {len(os.sched_getaffinity(0))}; load average before: {os.getloadavg()}")
    plan = [(workers, "") for workers in args.workers]
    if args.compare_with:
        from extract_speed import source_tree

        plan.append((1, str(source_tree(args.compare_with))))
    runs: list[Run] = []
    for round_ in range(args.runs):
        for workers, code in plan if round_ % 2 == 0 else plan[::-1]:
            runs.append(run_once(pdf, workers, fixture, code))
            r = runs[-1]
            print(f"  round {round_ + 1}, {r.label}: {r.pages / r.wall:.2f} pages/s, "
                  f"{r.cpu / r.pages:.2f} CPU s/page (load {os.getloadavg()[0]:.1f})", flush=True)
    print(f"load average after: {os.getloadavg()}\n")
    header = ("run", "pages/s", "CPU s/page", "min TEDS-S", "min TEDS", "prose CER", "text CER", "verify")
    rows = []
    best: dict[str, float] = {}
    for label in dict.fromkeys(r.label for r in runs):
        mine = [r for r in runs if r.label == label]
        best[label] = max(r.pages / r.wall for r in mine)
        last = mine[-1]
        rows.append((label, f"{best[label]:.2f}", f"{min(r.cpu / r.pages for r in mine):.2f}", f"{last.teds_s:.4f}",
                     f"{last.teds:.4f}", f"{last.prose_cer:.3%}", f"{last.text_cer:.3%}", f"{last.similarity:.4f}"))
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    first = next(iter(best))
    print(f"\nspeed relative to '{first}':", ", ".join(f"{label}: {s / best[first]:.2f}x" for label, s in best.items()))
    print("(pages/s and CPU s/page: best of the runs; accuracy: the last run, which every run repeats)")


if __name__ == "__main__":
    main()
