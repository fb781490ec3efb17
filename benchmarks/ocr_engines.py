"""Accuracy and speed of the OCR engines on the scanned fixture.

The fixture ``tests/fixtures/corpus/hebei-chengde-gxq-zrzy-2023-scan`` is a
16-page 200-dpi grayscale JPEG scan (skewed 0.3–0.8°, noisy, a red seal on
the cover) of a document whose text and tables are known exactly. Two
reads are measured, the two the scanned-page pipeline makes:

* prose — pages 3–9 are deskewed, binarised and read with ``read_lines``;
  the lines of all pages, in order, are compared with the truth headings and
  paragraphs of those pages. A paragraph that runs over a page break has no
  known split point, so the error is counted over the whole run of pages
  and attributed to each page through the alignment (``--per-page``).
  Page-number lines (``— 3 —``) are dropped: they are not in the truth.
* cells — on pages 10–16 (one ruled table each) the cells are found from the
  ruled lines (opening with long horizontal and vertical kernels as camelot's
  lattice parser does; every closed region between the rules is a cell),
  cropped inside their rules and read with ``read_cell``; the texts in
  reading order are compared one by one with the truth cells in (row, col)
  order.

CER is the Levenshtein distance over the truth length with all whitespace
removed. "folded" CER also applies NFKC to both sides, so fullwidth and
halfwidth punctuation (（ vs ( , ： vs :) count as equal: the truth mixes
both (（一） in prose, (万元) in tables) and an engine cannot tell them apart
on a page.

Speed is measured for OCR alone (render, deskew and cell finding are the
same for every engine and reported separately), after one warm-up call so
model loading is not counted, separately for prose pages (one
``read_lines`` per page) and table pages (one ``read_cell`` per cell): as
pages per wall-clock second and as CPU seconds per page, the figure that
still compares engines when other work shares the machine.

Usage: ``python benchmarks/ocr_engines.py [--dpi 200 300] [--engine NAME ...] [--per-page]``
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from rapidfuzz.distance import Levenshtein

from jixiao.extract.ocr_engines import OcrEngine, available_engines, get_engine

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "corpus" / "hebei-chengde-gxq-zrzy-2023-scan"
PROSE_PAGES = range(3, 10)
TABLE_PAGES = range(10, 17)

#: Largest skew searched for, in degrees: well past what a scanner's feeder leaves.
_MAX_SKEW = 5.0
#: Rules are strokes longer than this (inches): longer than any glyph stroke, shorter than any cell side.
_MIN_RULE_IN = 0.3
#: Regions between rules smaller than this (inches) on a side are rule crossings, not cells.
_MIN_CELL_IN = 0.08
#: Pixels (at 200 dpi) cropped off each side of a cell so no rule remains in the crop.
_CELL_INSET_200 = 3
_PAGE_NUMBER = re.compile(r"^[\s\-—–一_~·.]*\d{1,3}[\s\-—–一_~·.]*$")


# --- image preparation ------------------------------------------------------------------------------------


def binarize(gray: np.ndarray) -> np.ndarray:
    """Black text on white (0/255). The paper is flattened first — divided
    by its own estimate, the page with strokes removed by a max filter — so
    Otsu's single threshold also holds on unevenly lit or yellowed scans."""
    paper = cv2.medianBlur(cv2.dilate(gray, np.ones((15, 15), np.uint8)), 21)
    flat = cv2.divide(gray, paper, scale=255)
    _, bw = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return bw


def _skew_angle(bw: np.ndarray) -> float:
    """The page's skew (degrees, counter-clockwise positive as in OpenCV):
    minus the rotation that makes the rows of the page sharpest, since text
    lines and ruled lines give a row-sum profile of sharp peaks and gaps
    only when they lie level. Found on a ~800 px copy in 0.1° steps, then
    refined in 0.01° steps."""
    ink = (bw == 0).astype(np.float32)
    factor = 800 / max(ink.shape)
    small = cv2.resize(ink, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    size = (small.shape[1], small.shape[0])
    centre = (size[0] / 2, size[1] / 2)

    def sharpness(angle: float) -> float:
        turn = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(small, turn, size, flags=cv2.INTER_LINEAR)
        return float(np.sum(np.diff(rotated.sum(axis=1)) ** 2))

    coarse = max(np.arange(-_MAX_SKEW, _MAX_SKEW + 1e-9, 0.1), key=sharpness)
    return -float(max(np.arange(coarse - 0.1, coarse + 0.1 + 1e-9, 0.01), key=sharpness))


def deskew(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The page rotated level, and the skew that was removed (degrees,
    counter-clockwise positive). The rotation fills with white."""
    angle = _skew_angle(binarize(image))
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255), angle


def find_cells(bw: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """Cells of the page's largest ruled table as (x0, top, x1, bottom), in
    reading order. Rules are what survives an opening with long horizontal
    or vertical kernels (camelot's lattice method); every region the rules
    enclose is one cell, merged cells included, so no grid model is needed."""
    ink = 255 - bw
    length = int(_MIN_RULE_IN * dpi)
    rules = np.zeros_like(ink)
    for kernel in ((length, 1), (1, length)):
        rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
    rules = cv2.dilate(rules, np.ones((5, 5), np.uint8))  # close the gaps noise leaves in a rule
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    if n < 2:
        return []
    table = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    tx, ty, tw, th = stats[table, :4]
    inside = (labels[ty : ty + th, tx : tx + tw] != table).astype(np.uint8)
    m, _, regions, _ = cv2.connectedComponentsWithStats(inside, connectivity=4)
    smallest = int(_MIN_CELL_IN * dpi)
    cells = []
    for x, y, w, h, _ in regions[1:m]:
        touches_frame = x == 0 or y == 0 or x + w >= tw or y + h >= th
        if not touches_frame and w >= smallest and h >= smallest:
            cells.append((tx + x, ty + y, tx + x + w, ty + y + h))
    return _reading_order(cells, tolerance=smallest)


def _reading_order(boxes: list[tuple[int, int, int, int]], tolerance: int) -> list[tuple[int, int, int, int]]:
    """Row by row (cells whose tops lie within ``tolerance`` share a row), left to right."""
    rows: list[list[tuple[int, int, int, int]]] = []
    for box in sorted(boxes, key=lambda b: b[1]):
        if rows and box[1] - rows[-1][0][1] < tolerance:
            rows[-1].append(box)
        else:
            rows.append([box])
    return [box for row in rows for box in sorted(row)]


@dataclass
class PreparedPage:
    """A page as every engine reads it: deskewed and binarised, with its table cells."""

    number: int
    image: np.ndarray  # deskewed, binarised
    skew: float
    cells: list[tuple[int, int, int, int]] = field(default_factory=list)


def prepare(
    pdf: pdfium.PdfDocument, numbers: Iterable[int], dpi: int, with_cells: bool
) -> list[PreparedPage]:
    """Render, deskew and binarise the pages once per resolution: every
    engine then reads the same images."""
    pages = []
    for number in numbers:
        gray = pdf[number - 1].render(scale=dpi / 72, grayscale=True).to_numpy()
        if gray.ndim == 3:
            gray = gray[:, :, 0]
        level, angle = deskew(gray)
        bw = binarize(level)
        pages.append(PreparedPage(number, bw, angle, find_cells(bw, dpi) if with_cells else []))
    return pages


# --- truth and scoring ------------------------------------------------------------------------------------


def _squash(text: str, fold: bool) -> str:
    """Text as CER compares it: without whitespace, and width-folded (NFKC) when ``fold``."""
    text = "".join(text.split())
    return unicodedata.normalize("NFKC", text) if fold else text


def prose_truth() -> str:
    """Headings and paragraphs of the prose pages, in document order."""
    document = json.loads((FIXTURE / "truth" / "document.json").read_text(encoding="utf-8"))
    parts = []
    for block in document["blocks"]:
        if block.get("page") in PROSE_PAGES and block["type"] in ("heading", "paragraph"):
            parts.append(block.get("text") or "".join(run["text"] for run in block["runs"]))
    return "".join(parts)


def table_truth() -> list[list[str]]:
    """Cell texts of each table in (row, col) order."""
    tables = json.loads((FIXTURE / "truth" / "tables.json").read_text(encoding="utf-8"))
    return [[c["text"] for c in sorted(t["cells"], key=lambda c: (c["row"], c["col"]))] for t in tables]


def prose_errors(pages: list[str], truth: str) -> tuple[int, list[tuple[int, int]]]:
    """Edit distance of the pages' text (concatenated) from the truth, and
    per page (errors, truth characters) attributed through the alignment."""
    text = "".join(pages)
    starts = np.cumsum([0] + [len(p) for p in pages])
    per_page = [[0, 0] for _ in pages]
    for op in Levenshtein.opcodes(text, truth):
        # an op is charged to the page its OCR position falls in (an insertion past the end to the last page)
        page = min(int(np.searchsorted(starts, op.src_start, side="right")) - 1, len(pages) - 1)
        per_page[page][1] += op.dest_end - op.dest_start
        if op.tag != "equal":
            per_page[page][0] += max(op.src_end - op.src_start, op.dest_end - op.dest_start)
    return Levenshtein.distance(text, truth), [(e, n) for e, n in per_page]


def cell_errors(read: list[str], truth: list[str], fold: bool) -> tuple[int, int]:
    """(errors, truth characters) of one table: cell by cell when the cell
    counts agree, else over the concatenation (cells found wrongly)."""
    read, truth = [_squash(t, fold) for t in read], [_squash(t, fold) for t in truth]
    if len(read) == len(truth):
        return sum(Levenshtein.distance(a, b) for a, b in zip(read, truth)), sum(map(len, truth))
    return Levenshtein.distance("".join(read), "".join(truth)), sum(map(len, truth))


# --- runs -------------------------------------------------------------------------------------------------


@dataclass
class Speed:
    """Pages per wall-clock second, and CPU seconds per page (this process
    and its children, i.e. Tesseract): the CPU figure still compares engines
    when other work shares the machine."""

    pages_per_s: float
    cpu_s_per_page: float


@dataclass
class Result:
    engine: str
    dpi: int
    cer_prose: float
    cer_prose_folded: float
    cer_cells: float
    cer_cells_folded: float
    cells_found: str
    pages_per_s: float
    prose_speed: Speed
    table_speed: Speed
    per_page: list[tuple[int, float]]


class _Clock:
    """Wall-clock and CPU time of a ``with`` block."""

    def __enter__(self):  # returns self (typing.Self needs Python 3.11)
        self._wall, self._cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self._wall, _cpu_seconds() - self._cpu

    def speed(self, pages: int) -> Speed:
        return Speed(pages / self.wall, self.cpu / pages)


def _cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _inset(image: np.ndarray, box: tuple[int, int, int, int], dpi: int) -> np.ndarray:
    inset = max(1, round(_CELL_INSET_200 * dpi / 200))
    x0, top, x1, bottom = box
    return image[top + inset : bottom - inset, x0 + inset : x1 - inset]


def run(engine: OcrEngine, dpi: int, prose: list[PreparedPage], tables: list[PreparedPage]) -> Result:
    engine.read_cell(tables[0].image[:200, :600])  # warm-up: load models outside the timing
    with _Clock() as prose_clock:
        page_texts = [
            "".join(ln.text for ln in engine.read_lines(page.image) if not _PAGE_NUMBER.match(ln.text))
            for page in prose
        ]
    with _Clock() as table_clock:
        cell_texts = [
            [engine.read_cell(_inset(page.image, box, dpi)).text for box in page.cells] for page in tables
        ]

    cer = {}
    for fold in (False, True):
        truth = _squash(prose_truth(), fold)
        errors, per_page = prose_errors([_squash(t, fold) for t in page_texts], truth)
        cer[("prose", fold)] = errors / len(truth)
        if not fold:
            page_cer = [(p.number, e / max(n, 1)) for p, (e, n) in zip(prose, per_page)]
        scored = [cell_errors(read, truth, fold) for read, truth in zip(cell_texts, table_truth())]
        cer[("cells", fold)] = sum(e for e, _ in scored) / sum(n for _, n in scored)
    found = sum(len(p.cells) for p in tables)
    expected = sum(len(t) for t in table_truth())
    pages_per_s = (len(prose) + len(tables)) / (prose_clock.wall + table_clock.wall)
    return Result(engine.name, dpi, cer[("prose", False)], cer[("prose", True)], cer[("cells", False)],
                  cer[("cells", True)], f"{found}/{expected}", pages_per_s, prose_clock.speed(len(prose)),
                  table_clock.speed(len(tables)), page_cer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 300], help="render resolutions to try")
    parser.add_argument("--engine", nargs="+", default=None, help="engines (default: every installed one)")
    parser.add_argument("--per-page", action="store_true", help="also print the prose CER of each page")
    args = parser.parse_args()
    engines = [get_engine(name) for name in (args.engine or available_engines())]
    if not engines:
        sys.exit("no OCR engine installed: see docs/OCR.md")

    pdf = pdfium.PdfDocument(FIXTURE / "document.pdf")
    results = []
    for dpi in args.dpi:
        started = time.perf_counter()
        prose = prepare(pdf, PROSE_PAGES, dpi, with_cells=False)
        tables = prepare(pdf, TABLE_PAGES, dpi, with_cells=True)
        prep = (time.perf_counter() - started) / (len(prose) + len(tables))
        skews = ", ".join(f"{p.skew:+.2f}" for p in prose + tables)
        print(f"{dpi} dpi: render + deskew + binarise (+ cells) {prep:.2f} s/page; skew found (°): {skews}")
        for engine in engines:
            results.append(run(engine, dpi, prose, tables))
            print(f"  {engine.name} done", flush=True)

    header = ("engine", "dpi", "CER prose", "folded", "CER cells", "folded", "cells found", "pages/s",
              "prose pages/s", "CPU s/page", "table pages/s", "CPU s/page")
    rows = [
        (r.engine, str(r.dpi), f"{r.cer_prose:.2%}", f"{r.cer_prose_folded:.2%}", f"{r.cer_cells:.2%}",
         f"{r.cer_cells_folded:.2%}", r.cells_found, f"{r.pages_per_s:.2f}",
         f"{r.prose_speed.pages_per_s:.2f}", f"{r.prose_speed.cpu_s_per_page:.1f}",
         f"{r.table_speed.pages_per_s:.2f}", f"{r.table_speed.cpu_s_per_page:.1f}")
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print()
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    if args.per_page:
        print()
        for r in results:
            pages = ", ".join(f"p{n} {c:.2%}" for n, c in r.per_page)
            print(f"{r.engine} {r.dpi} dpi prose CER by page: {pages}")


if __name__ == "__main__":
    main()
