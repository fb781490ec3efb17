"""A page without a text layer → the same PageLayout a born-digital page gives.

The page image is deskewed and binarised, its ruled grid found from the
image (:mod:`.scan_image`) and built into cells by the born-digital grid
code. Each cell is OCR'd from its own crop, inset from the rules, so text
cannot bleed across a rule (recognition only, all cells of a page in one
batch); text outside tables is found by text detection on the bands of the
page that hold ink. A born-digital page whose text layer is unusable
(:mod:`.text_quality`) goes the same way, except that its tables come from
its vector rules, which are sound. OCR
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

import functools
import statistics
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium

from jixiao.model import Cell, Diagnostic, Page

from .glyphs import Glyph
from .grids import find_grids
from .ocr_engines import OcrEngine, OcrLine, get_engine
from .page_layout import PageLayout, PageTable, fill_grid
from .rules import snap_and_join
from .scan_image import PageImage, ink_bands, prepare, render_drawn_page, render_page, rule_segments
from .textlines import TextLine, group_lines

#: Points kept clear of a cell's rules when cropping it for OCR.
_CELL_INSET_PT = 1.5
#: Points around a table blanked before the rest of the page is read: its
#: outer rules, thickened and left a little askew by the scan, must not
#: leave ink that text detection would then search.
_TABLE_MARGIN_PT = 3.0
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


def _cell_crop(cell: Cell, image: PageImage) -> np.ndarray:
    """The cell's pixels, inset from its rules so none of them is read."""
    inset = int(_CELL_INSET_PT * image.scale)
    x0, top = int(cell.bbox.x0 * image.scale) + inset, int(cell.bbox.top * image.scale) + inset
    x1, bottom = int(cell.bbox.x1 * image.scale) - inset, int(cell.bbox.bottom * image.scale) - inset
    return image.gray[top:max(top, bottom), x0:max(x0, x1)]


def read_table_cells(tables: list[PageTable], image: PageImage, engine: OcrEngine) -> None:
    """Fill every cell of the page's tables with its OCR'd text and
    confidence. All cells of the page are read in one batch."""
    cells = [cell for table in tables for cell in table.cells]
    for cell, read in zip(cells, engine.read_cells([_cell_crop(cell, image) for cell in cells])):
        cell.text, cell.confidence = read.text, round(read.confidence, 4)


def read_page_text(image: PageImage, tables: list[PageTable], engine: OcrEngine) -> list[OcrLine]:
    """OCR lines of the page outside its tables (whose cells are read on
    their own): text detection runs only on the bands of the page that
    hold ink, each band read as one region."""
    gray, ink = image.gray.copy(), image.ink.copy()
    margin = int(_TABLE_MARGIN_PT * image.scale)
    for table in tables:
        x0, top, x1, bottom = (int(v * image.scale) for v in table.bounds)
        region = (slice(max(0, top - margin), bottom + margin), slice(max(0, x0 - margin), x1 + margin))
        gray[region], ink[region] = 255, 0
    found = []
    for x0, top, x1, bottom in ink_bands(image, ink):
        for line in engine.read_lines(gray[top:bottom, x0:x1]):
            lx0, ltop, lx1, lbottom = line.box
            found.append(OcrLine(line.text, (lx0 + x0, ltop + top, lx1 + x0, lbottom + top), line.confidence))
    return [ocr for ocr in found if ocr.text.strip()]


def analyse_scanned_page(
    document: pdfium.PdfDocument, page: Page, engine: OcrEngine, drawn_tables: list[PageTable] | None = None
) -> tuple[PageLayout, list[OcrTextLine]]:
    """OCR one page. Returns its layout and its OCR lines (whose bold is
    decided once the whole document is read).

    A scan (``drawn_tables`` None) is deskewed and its ruled grid found
    from the image. A page whose text layer is unusable but whose drawing
    is sound passes the tables found from its vector rules: their cells are
    OCR'd where the rules put them, and the page is not deskewed."""
    number = page.number
    if drawn_tables is None:
        image = prepare(render_page(document, number - 1))
        grids = find_grids(snap_and_join(rule_segments(image)))
        tables = [fill_grid(grid, [], number) for grid in grids]
        note = f"OCR ({engine.name}); page deskewed by {image.skew_degrees:.2f}°"
    else:
        image = render_drawn_page(document, number - 1)
        tables = drawn_tables
        note = f"OCR ({engine.name}) of the text; tables from the page's ruled lines"
    read_table_cells(tables, image, engine)
    lines = _text_lines(read_page_text(image, tables, engine), image, number)
    layout = PageLayout(page=page, lines=[ln.line for ln in lines], tables=tables,
                        diagnostics=[Diagnostic(code="OCR", page=number, message=note)])
    return layout, lines


@functools.lru_cache(maxsize=1)
def _worker_document(path: str) -> pdfium.PdfDocument:
    """The document a pool worker renders pages of (one per process)."""
    return pdfium.PdfDocument(path)


def ocr_page(
    document: pdfium.PdfDocument | str,
    page: Page,
    engine: str,
    drawn_tables: list[PageTable] | None = None,
    notes: list[Diagnostic] | None = None,
) -> tuple[PageLayout, list[OcrTextLine]]:
    """:func:`analyse_scanned_page` by engine name, on an open document or
    (in a pool worker) a path, with the page's earlier diagnostics (why its
    text layer was unusable) kept in front of the OCR note."""
    if isinstance(document, str):
        document = _worker_document(document)
    layout, lines = analyse_scanned_page(document, page, get_engine(engine), drawn_tables)
    layout.diagnostics = [*(notes or []), *layout.diagnostics]
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
