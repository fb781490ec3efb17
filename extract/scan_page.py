"""A page without a text layer → the same PageLayout a born-digital page gives.

The page image is deskewed and binarised, its ruled grid found from the
image (:mod:`.scan_image`) and built into cells by the born-digital grid
code. Each cell is OCR'd from its own crop, inset from the rules, so text
cannot bleed across a rule; text outside tables is OCR'd line by line. OCR
lines become :class:`TextLine`\\ s of synthetic glyphs spread over the line's
box, so paragraphs, headings and page furniture are read by the same
reading-order code as everywhere else. Every cell and line keeps the
engine's confidence (a line made of several OCR boxes keeps the lowest).

Bold cannot be read from a font name on a scan; it is judged from stroke
width. A line's mean stroke width (in points) is measured here and compared
across the whole document (:func:`mark_bold_lines`): on one page most lines
may be bold headings, but a document's commonest stroke is its regular body
text. (Relative to the line's height it would not do: an OCR box around a
large heading has more margin than one around body text.)
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium

from jixiao.model import BBox, Cell, Diagnostic

from .glyphs import Glyph
from .grids import Grid, find_grids
from .ocr_engines import OcrEngine, OcrLine
from .page_layout import PageLayout, PageTable, page_model
from .pdf_open import ParsedPage
from .rules import snap_and_join
from .scan_image import PageImage, prepare, render_page, rule_segments
from .textlines import TextLine, group_lines

#: Pixels kept clear of a cell's rules when cropping it for OCR.
_CELL_INSET_PT = 1.5
#: A crop with less ink than this share of its area is a blank cell.
_BLANK_INK = 0.004
#: A line is bold when its stroke is this much wider than the document's
#: usual: bold lines of the fixture measure 2.5–3.1 pt, regular ones 1.1–1.3.
_BOLD_RATIO = 1.5


@dataclass
class OcrTextLine:
    """An OCR'd line: ``stroke`` is its mean stroke width in points, for
    the document-level bold decision."""

    line: TextLine
    stroke: float


def _stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels: twice the ink area over its contour
    length approximates the width of thin strokes."""
    if ink.size == 0 or not ink.any():
        return 0.0
    contours, _ = cv2.findContours(ink, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours) or 1.0
    return 2.0 * float(np.count_nonzero(ink)) / perimeter


def _glyphs(ocr: OcrLine, image: PageImage, first_order: int) -> list[Glyph]:
    """Synthetic glyphs, one per character, spread evenly over the box."""
    x0, top, x1, bottom = (image.to_points(v) for v in ocr.box)
    step = (x1 - x0) / max(len(ocr.text), 1)
    size = round(bottom - top, 1)
    return [
        Glyph(text=ch, x0=x0 + i * step, x1=x0 + (i + 1) * step, top=top, bottom=bottom, size=size, font="OCR",
              bold=False, order=first_order + i, confidence=ocr.confidence)
        for i, ch in enumerate(ocr.text)
    ]


def _text_lines(found: list[OcrLine], image: PageImage, page: int) -> list[OcrTextLine]:
    """OCR boxes → printed lines. An engine often cuts one printed line in
    pieces (a 目录 entry, its dot leader and its page number; a footer's
    dashes and number); grouping the pieces' glyphs like a text layer's puts
    them back on one line."""
    glyphs: list[Glyph] = []
    for ocr in found:
        glyphs += _glyphs(ocr, image, len(glyphs))
    lines = []
    for line in group_lines(glyphs, page):
        x0, top, x1, bottom = (int(v * image.scale) for v in (line.x0, line.top, line.x1, line.bottom))
        lines.append(OcrTextLine(line, image.to_points(_stroke_width(image.ink[top:bottom, x0:x1]))))
    return lines


def _ocr_grid(grid: Grid, image: PageImage, engine: OcrEngine, page: int) -> PageTable:
    inset = int(_CELL_INSET_PT * image.scale)
    cells = []
    for gc in grid.cells:
        x0, top = int(gc.x0 * image.scale) + inset, int(gc.top * image.scale) + inset
        x1, bottom = int(gc.x1 * image.scale) - inset, int(gc.bottom * image.scale) - inset
        ink = image.ink[top:bottom, x0:x1]
        if ink.size == 0 or np.count_nonzero(ink) < _BLANK_INK * ink.size:
            text, confidence = "", 1.0
        else:
            read = engine.read_cell(image.gray[top:bottom, x0:x1])
            text, confidence = read.text, read.confidence
        cells.append(
            Cell(row=gc.row, col=gc.col, rowspan=gc.rowspan, colspan=gc.colspan, text=text, page=page,
                 bbox=BBox.rounded(gc.x0, gc.top, gc.x1, gc.bottom), confidence=round(confidence, 4))
        )
    return PageTable(page=page, xs=grid.xs, ys=grid.ys, cells=cells)


def analyse_scanned_page(
    document: pdfium.PdfDocument, page: ParsedPage, engine: OcrEngine
) -> tuple[PageLayout, list[OcrTextLine]]:
    """OCR one page. Returns its layout and its OCR lines (whose bold is
    decided once the whole document is read)."""
    number = page.page_number
    image = prepare(render_page(document, number - 1))
    grids = find_grids(snap_and_join(rule_segments(image)))
    tables = [_ocr_grid(grid, image, engine, number) for grid in grids]
    outside = image.gray.copy()
    for grid in grids:
        x0, top, x1, bottom = (int(v * image.scale) for v in grid.bounds)
        outside[max(0, top - 2) : bottom + 2, max(0, x0 - 2) : x1 + 2] = 255
    lines = _text_lines([ocr for ocr in engine.read_lines(outside) if ocr.text.strip()], image, number)
    diagnostics = [
        Diagnostic(code="OCR", page=number, message=f"OCR ({engine.name}); page deskewed by {image.skew_degrees:.2f}°")
    ]
    layout = PageLayout(page=page_model(page, has_text=False), lines=[ln.line for ln in lines], tables=tables,
                        diagnostics=diagnostics)
    return layout, lines


def mark_bold_lines(lines: list[OcrTextLine]) -> None:
    """Mark lines bold whose stroke is clearly wider than the document's
    usual stroke (its median, the regular body text)."""
    strokes = [ln.stroke for ln in lines if ln.stroke > 0]
    if len(strokes) < 3:
        return
    usual = statistics.median(strokes)
    for ln in lines:
        if ln.stroke > _BOLD_RATIO * usual:
            ln.line.restyle(bold=True)
