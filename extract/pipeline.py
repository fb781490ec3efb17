"""``read_pdf``: a PDF file → :class:`~jixiao.model.Document`.

Page by page (so memory stays flat on long documents): glyphs, rules, ruled
grids, lines. Then the document-level passes: page furniture, stitching of
tables across pages, reading order. The camelot engine replaces only the
table finder; text outside its tables is read the same way, so the two
engines differ in tables alone and can be compared on any PDF.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException
from pypdfium2 import PdfiumError

from jixiao.errors import ErrorCode, InputError
from jixiao.model import Document
from jixiao.settings import ENGINES, OCR_MODES, Engine, OcrMode, Settings

from .furniture import remove_furniture
from .integrity import PageCheck, read_whole
from .page_layout import PageLayout, analyse_page, split_by_tables
from .pdf_open import open_pdf, source_info
from .reading_order import TableMark, read_blocks
from .stitching import stitch_tables
from .textlines import group_lines

#: Exceptions that mean "the parser could not read this page's content".
_PARSER_ERRORS = (PdfminerException, PSException, PdfiumError)

#: One DEBUG record per page read, with ``page`` and ``pages``: the corpus
#: runner's progress bar counts pages from them.
_progress = logging.getLogger("jixiao.progress")


class _Scanner:
    """OCR for the pages that need it, set up on the first such page: the
    page renderer and the OCR engine are heavy, and most PDFs never need them."""

    def __init__(self, path: Path):
        self.path = path
        self._setup: tuple | None = None
        self.lines: list = []  # every OCR line, for the document-level bold decision

    def analyse(self, page) -> PageLayout:
        from .scan_page import analyse_scanned_page

        if self._setup is None:
            import pypdfium2 as pdfium

            from .ocr_engines import OcrUnavailable, get_engine

            try:
                engine = get_engine()
            except OcrUnavailable as e:
                raise InputError(self.path, f"no text layer (scanned?) and no OCR engine: {e}", page=page.page_number,
                                 code=ErrorCode.NO_TEXT_LAYER) from e
            self._setup = (pdfium.PdfDocument(self.path), engine)
        document, engine = self._setup
        layout, lines = analyse_scanned_page(document, page, engine)
        self.lines += lines
        return layout

    def finish(self) -> None:
        if self._setup is not None:
            from .scan_page import mark_bold_lines

            mark_bold_lines(self.lines)
            self._setup[0].close()


def _use_camelot_tables(path: Path, layouts: list[PageLayout], glyphs_by_page: list[list]) -> None:
    from .camelot_engine import camelot_tables

    found = camelot_tables(path, [layout.page for layout in layouts])
    for layout, glyphs in zip(layouts, glyphs_by_page):
        if not layout.page.text_layer:
            continue  # a scan: its tables came from the page image
        tables = found.get(layout.page.number, [])
        _, outside = split_by_tables(glyphs, [t.bbox for t in tables])
        layout.tables = tables
        layout.lines = group_lines(outside, layout.page.number)
        layout.diagnostics = []


def _edges(layout: PageLayout) -> tuple[bool, bool]:
    """(first table opens the page, last table closes it), page furniture
    already removed."""
    if not layout.tables:
        return False, False
    first, last = layout.tables[0], layout.tables[-1]
    opens = not any(line.bottom <= first.ys[0] + 1 for line in layout.lines)
    closes = not any(line.top >= last.ys[-1] - 1 for line in layout.lines)
    return opens, closes


def read_pdf(path: str | Path, settings: Settings | None = None, **overrides: Any) -> Document:
    """Read a PDF into the document model.

    ``settings`` (or keyword overrides of its fields, ``engine="camelot"``)
    say how; see :class:`~jixiao.settings.Settings`. Raises
    :class:`~jixiao.errors.InputError` for unusable input (not a PDF, empty,
    truncated, encrypted, a scanned page that cannot be OCR'd) and
    ``pydantic.ValidationError`` for an unknown setting value. The read is
    cross-checked by an independent reader (``integrity``): a damaged file
    is read from a repaired copy, and pages it still cannot read are named
    in ``PAGES_UNREAD`` diagnostics."""
    settings = Settings.model_validate({**(settings or Settings()).model_dump(), **overrides})
    return read_whole(Path(path), settings, _read)


def _read(path: Path, settings: Settings, check: PageCheck) -> Document:
    engine, ocr = settings.engine, settings.ocr
    layouts: list[PageLayout] = []
    glyphs_by_page: list[list] = []
    scanner = _Scanner(path)
    with open_pdf(path) as (pdf, pages):
        check.pages(len(pages))
        source = source_info(path, pdf)
        for page in pages:
            _progress.debug("page %d of %d", page.page_number, len(pages),
                            extra={"page": page.page_number, "pages": len(pages)})
            try:
                layout, glyphs = (None, []) if ocr == "force" else analyse_page(page)
                if layout is not None:
                    check.page(page.page_number, found_text=bool(glyphs))
                if layout is None or not layout.page.text_layer:
                    if ocr == "off":
                        raise InputError(path, "no text layer (scanned?); OCR is off (--ocr off)",
                                         page=page.page_number, code=ErrorCode.NO_TEXT_LAYER)
                    layout = scanner.analyse(page)
            except _PARSER_ERRORS as e:  # the parser failed on this page; any other exception is a bug of ours
                if isinstance(e.__cause__, MemoryError):
                    raise e.__cause__  # the worker's memory cap, not a malformed page
                raise InputError(path, f"cannot read page ({type(e).__name__}: {e})", page=page.page_number,
                                 code=ErrorCode.MALFORMED) from e
            finally:
                page.close()
            layouts.append(layout)
            glyphs_by_page.append(glyphs if engine == "camelot" else [])
        scanner.finish()
    if engine == "camelot":
        _use_camelot_tables(path, layouts, glyphs_by_page)
    return assemble(source.sha256[:16], source, layouts, engine)


def assemble(doc_id: str, source, layouts: list[PageLayout], engine: str) -> Document:
    """Document-level passes over analysed pages."""
    remove_furniture(layouts)
    edges = [_edges(layout) for layout in layouts]
    tables, owner = stitch_tables(
        [layout.tables for layout in layouts],
        last_on_page=[closes for _, closes in edges],
        first_on_page=[opens for opens, _ in edges],
        engine=engine,
    )
    marks: dict[int, list[TableMark]] = {}
    seen: set[str] = set()
    for i, layout in enumerate(layouts):
        for j, part in enumerate(layout.tables):
            table_id = owner[(i, j)]
            marks.setdefault(layout.page.number, []).append(
                TableMark(table_id=table_id, page=layout.page.number, bbox=part.bbox, first_part=table_id not in seen)
            )
            seen.add(table_id)
    blocks = read_blocks(layouts, marks)
    return Document(
        doc_id=doc_id,
        source=source,
        engine=engine,
        pages=[layout.page for layout in layouts],
        blocks=blocks,
        tables=tables,
        diagnostics=[d for layout in layouts for d in layout.diagnostics],
    )


__all__ = ["ENGINES", "OCR_MODES", "Engine", "OcrMode", "assemble", "read_pdf"]
