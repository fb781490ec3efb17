"""One page → its ruled tables (with cell text) and the text lines outside them.

This is the per-page half of extraction; document-level work (stitching
tables across pages, headers and footers, paragraphs, headings) happens in
:mod:`.stitching` and :mod:`.reading_order` once every page is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jixiao.model import BBox, Cell, Diagnostic, Page

from .glyphs import Glyph, glyphs_from_chars
from .grids import Grid, RuledLines, find_grids
from .pdf_open import PageContent, ParsedPage, page_content
from .rules import page_segments, snap_and_join
from .textlines import TextLine, group_lines, join_lines, plain_text

#: A page whose images cover this share of it and which has no glyphs is a scan.
_SCAN_COVERAGE = 0.3


@dataclass
class PageTable(RuledLines):
    """A table as printed on one page: column/row rule positions and cells
    numbered within this page. Stitching turns these into model Tables."""

    page: int
    cells: list[Cell]
    #: (row, col) of cells whose last text line is full: text that may have
    #: been cut by the page end and go on in the next page's first row.
    full_cells: set[tuple[int, int]] = field(default_factory=set)

    @property
    def bbox(self) -> BBox:
        return BBox.rounded(*self.bounds)


@dataclass
class PageLayout:
    page: Page
    lines: list[TextLine]
    tables: list[PageTable]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def image_coverage(page: ParsedPage, content: PageContent) -> float:
    area = float(page.width * page.height) or 1.0
    covered = sum(
        max(0.0, float(min(im["x1"], page.bbox[2]) - max(im["x0"], page.bbox[0])))
        * max(0.0, float(min(im["bottom"], page.bbox[3]) - max(im["top"], page.bbox[1])))
        for im in content.images
    )
    return min(1.0, covered / area)


def page_model(page: ParsedPage, has_text: bool) -> Page:
    return Page(
        number=page.page_number,
        width=round(float(page.width), 2),
        height=round(float(page.height), 2),
        rotation=int(page.rotation),
        text_layer=has_text,
    )


def is_scanned(page: ParsedPage, content: PageContent, glyphs: list[Glyph]) -> bool:
    return not any(not g.text.isspace() for g in glyphs) and image_coverage(page, content) >= _SCAN_COVERAGE


def _cell_text(lines: list[TextLine], usable: float, right_limit: float, bottom: float) -> tuple[str, bool]:
    """Text of one cell, and whether it fills the cell: its last line is
    full and no further line would fit below it, so it may have been cut by
    the page end. A line broken although the next word fitted keeps its
    break as a newline (a forced break typed in the cell)."""
    if not lines:
        return "", False
    text = plain_text(join_lines(lines, right_limit=right_limit)).strip()
    last = lines[-1]
    filled = last.width + last.size > usable and bottom - last.bottom < 1.2 * last.size
    return text, filled


def fill_grid(grid: Grid, glyphs: list[Glyph], page: int) -> PageTable:
    """Assign glyphs to the grid's cells by their centre and read each cell.

    The cell padding is measured, not assumed: it is the smallest inset of
    any text line from its cell's left rule (left-aligned and full lines sit
    right at the padding)."""
    owner: dict[tuple[int, int], int] = {}
    for i, cell in enumerate(grid.cells):
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = i
    per_cell: list[list[Glyph]] = [[] for _ in grid.cells]
    for g in glyphs:
        pos = grid.locate(g.cx, g.cy)
        if pos is not None and pos in owner:
            per_cell[owner[pos]].append(g)
    lines = [group_lines(per_cell[i], page) for i in range(len(grid.cells))]
    insets = [line.x0 - gc.x0 for gc, cell_lines in zip(grid.cells, lines) for line in cell_lines]
    padding = max(0.0, min(insets)) if insets else 0.0
    table = PageTable(page=page, xs=grid.xs, ys=grid.ys, cells=[])
    for gc, cell_lines in zip(grid.cells, lines):
        text, full = _cell_text(cell_lines, gc.x1 - gc.x0 - 2 * padding, gc.x1 - padding, gc.bottom)
        table.cells.append(
            Cell(
                row=gc.row,
                col=gc.col,
                rowspan=gc.rowspan,
                colspan=gc.colspan,
                text=text,
                page=page,
                bbox=BBox.rounded(gc.x0, gc.top, gc.x1, gc.bottom),
            )
        )
        if full:
            table.full_cells.add((gc.row, gc.col))
    return table


def split_by_tables(glyphs: list[Glyph], boxes: list[BBox]) -> tuple[list[list[Glyph]], list[Glyph]]:
    """Glyphs inside each table box (by centre), and the rest."""
    inside: list[list[Glyph]] = [[] for _ in boxes]
    outside: list[Glyph] = []
    for g in glyphs:
        for i, b in enumerate(boxes):
            if b.x0 <= g.cx <= b.x1 and b.top <= g.cy <= b.bottom:
                inside[i].append(g)
                break
        else:
            outside.append(g)
    return inside, outside


def analyse_page(page: ParsedPage) -> tuple[PageLayout, list[Glyph]]:
    """Tables and body lines of one page with the pdfplumber engine. Also
    returns the page's glyphs so another table engine can reuse them."""
    content = page_content(page)
    glyphs = glyphs_from_chars(content.chars)
    number = page.page_number
    model = page_model(page, has_text=not is_scanned(page, content, glyphs))
    segments = snap_and_join(page_segments(content.lines, content.rects, content.curves))
    grids = find_grids(segments)
    boxes = [BBox.rounded(*g.bounds) for g in grids]
    inside, outside = split_by_tables(glyphs, boxes)
    tables = [fill_grid(grid, inside[i], number) for i, grid in enumerate(grids)]
    diagnostics = [
        Diagnostic(code="IRREGULAR_MERGE", page=number, message=f"table at y={grid.ys[0]:.0f}: {note}")
        for grid in grids
        for note in grid.notes
    ]
    return PageLayout(page=model, lines=group_lines(outside, number), tables=tables, diagnostics=diagnostics), glyphs
