"""``read_pdf``: a PDF file → :class:`~jixiao.model.Document`.

Page by page (so memory stays flat on long documents): glyphs, rules, ruled
grids, lines. Then the document-level passes: page furniture, stitching of
tables across pages, reading order. The camelot engine replaces only the
table finder; text outside its tables is read the same way, so the two
engines differ in tables alone and can be compared on any PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jixiao.errors import ErrorCode, InputError
from jixiao.model import Document
from jixiao.settings import ENGINES, OCR_MODES, Engine, OcrMode, Settings

from .furniture import remove_furniture
from .page_layout import PageLayout, analyse_page, split_by_tables
from .pdf_open import open_pdf, source_info
from .reading_order import TableMark, read_blocks
from .stitching import stitch_tables
from .textlines import group_lines


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
    ``pydantic.ValidationError`` for an unknown setting value."""
    settings = Settings.model_validate({**(settings or Settings()).model_dump(), **overrides})
    engine, ocr = settings.engine, settings.ocr
    path = Path(path)
    layouts: list[PageLayout] = []
    glyphs_by_page: list[list] = []
    scanner = _Scanner(path)
    with open_pdf(path, settings.parser) as (metadata, pages):
        source = source_info(path, metadata)
        for page in pages:
            try:
                layout, glyphs = (None, []) if ocr == "force" else analyse_page(page)
                if layout is None or not layout.page.text_layer:
                    if ocr == "off":
                        raise InputError(path, "no text layer (scanned?); OCR is off (--ocr off)",
                                         page=page.page_number, code=ErrorCode.NO_TEXT_LAYER)
                    layout = scanner.analyse(page)
            except InputError:
                raise
            except Exception as e:  # a parser can fail on one broken page
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
