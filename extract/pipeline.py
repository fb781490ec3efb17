"""``read_pdf``: a PDF file → :class:`~jixiao.model.Document`.

Page by page (so memory stays flat on long documents): glyphs, rules, ruled
grids, lines. Then the document-level passes: page furniture, stitching of
tables across pages, reading order. The camelot engine replaces only the
table finder; text outside its tables is read the same way, so the two
engines differ in tables alone and can be compared on any PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from jixiao.errors import ErrorCode, InputError
from jixiao.model import Document

from .furniture import remove_furniture
from .page_layout import PageLayout, PageTable, analyse_page, split_by_tables
from .pdf_open import open_pdf, source_info
from .reading_order import TableMark, read_blocks
from .stitching import stitch_tables
from .textlines import group_lines

Engine = Literal["pdfplumber", "camelot"]
ENGINES: tuple[str, ...] = ("pdfplumber", "camelot")


def _use_camelot_tables(path: Path, layouts: list[PageLayout], glyphs_by_page: list[list]) -> None:
    from .camelot_engine import camelot_tables

    found = camelot_tables(path, [layout.page for layout in layouts])
    for layout, glyphs in zip(layouts, glyphs_by_page):
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


def read_pdf(path: str | Path, engine: Engine = "pdfplumber") -> Document:
    """Read a born-digital PDF into the document model.

    Raises :class:`~jixiao.errors.InputError` for unusable input (not a PDF,
    empty, truncated, encrypted, a page with no text layer)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    path = Path(path)
    layouts: list[PageLayout] = []
    glyphs_by_page: list[list] = []
    with open_pdf(path) as (pdf, pages):
        source = source_info(path, pdf)
        for page in pages:
            try:
                layout, glyphs = analyse_page(page)
            except InputError:
                raise
            except Exception as e:  # pdfminer can fail on one broken page
                raise InputError(path, f"cannot read page ({type(e).__name__}: {e})", page=page.page_number,
                                 code=ErrorCode.MALFORMED) from e
            finally:
                page.close()
            if not layout.page.text_layer:
                raise InputError(
                    path, "no text layer (scanned?); OCR is needed to read this page",
                    page=layout.page.number, code=ErrorCode.NO_TEXT_LAYER,
                )
            layouts.append(layout)
            glyphs_by_page.append(glyphs if engine == "camelot" else [])
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


__all__ = ["read_pdf", "assemble", "ENGINES", "Engine", "PageTable"]
