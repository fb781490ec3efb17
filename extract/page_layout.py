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
from .orientation import page_turn, turn_page
from .pdf_open import PageContent, ParsedPage, page_content
from .rules import outlined_glyphs, page_segments, snap_and_join
from .text_quality import assess_text_layer
from .text_tables import rule_stacks, text_grid
from .textlines import TextLine, group_lines, join_lines, plain_text

#: The text render mode of a glyph filled and stroked (synthetic bold).
_FILL_STROKE = 2
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
    #: no rule along the top / bottom edge (see Grid)
    open_top: bool = False
    open_bottom: bool = False

    @property
    def bbox(self) -> BBox:
        return BBox.rounded(*self.bounds)


@dataclass
class PageLayout:
    page: Page
    lines: list[TextLine]
    tables: list[PageTable]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Why the page's text layer cannot be used ("" when it can): its text
    #: must come from OCR; its tables' geometry (empty cells) still holds.
    unusable_text: str = ""


def image_coverage(page: ParsedPage, content: PageContent) -> float:
    area = float(page.width * page.height) or 1.0
    covered = sum(
        max(0.0, float(min(im["x1"], page.bbox[2]) - max(im["x0"], page.bbox[0])))
        * max(0.0, float(min(im["bottom"], page.bbox[3]) - max(im["top"], page.bbox[1])))
        for im in content.images
    )
    return min(1.0, covered / area)


def page_model(page: ParsedPage, has_text: bool, turn: int = 0) -> Page:
    """The page as read: turned ``turn`` degrees clockwise (text printed
    sideways), its size and rotation are those of the turned page."""
    width, height = float(page.width), float(page.height)
    if turn in (90, 270):
        width, height = height, width
    return Page(
        number=page.page_number,
        width=round(width, 2),
        height=round(height, 2),
        rotation=(int(page.rotation) + turn) % 360,
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
    table = PageTable(page=page, xs=grid.xs, ys=grid.ys, cells=[], open_top=grid.open_top, open_bottom=grid.open_bottom)
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
    number = page.page_number
    verdict = assess_text_layer(content.chars)
    turn = page_turn(content.chars)
    page_box = tuple(float(v) for v in page.bbox)
    if turn:
        content, width, height = turn_page(content, float(page.width), float(page.height), turn)
        page_box = (0.0, 0.0, width, height)
    outlined = outlined_glyphs(content.chars, content.rects, content.curves)
    chars = [{**c, "render_mode": _FILL_STROKE} if i in outlined else c for i, c in enumerate(content.chars)]
    # an unusable text layer gives no glyphs: OCR reads the page, on the grids the rules draw
    glyphs = glyphs_from_chars(chars) if verdict.usable else []
    model = page_model(page, has_text=verdict.usable and not is_scanned(page, content, glyphs), turn=turn)
    segments = snap_and_join(page_segments(content.lines, content.rects, content.curves, content.chars, page_box))
    grids = find_grids(segments)
    stacks = rule_stacks(segments) if verdict.usable else []
    if stacks:
        _, unruled = split_by_tables(glyphs, [BBox.rounded(*g.bounds) for g in grids])
        grids += [g for g in (text_grid(st, unruled, number) for st in stacks) if g is not None]
        grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    boxes = [BBox.rounded(*g.bounds) for g in grids]
    inside, outside = split_by_tables(glyphs, boxes)
    # gridlines with nothing written in them are a chart or a drawing (known only where the text layer is usable)
    kept = [i for i in range(len(grids)) if any(not g.text.isspace() for g in inside[i])]
    if verdict.usable and len(kept) < len(grids):
        grids = [grids[i] for i in kept]
        inside, outside = split_by_tables(glyphs, [boxes[i] for i in kept])
    tables = [fill_grid(grid, inside[i], number) for i, grid in enumerate(grids)]
    diagnostics = [
        Diagnostic(code="IRREGULAR_MERGE", page=number, message=f"table at y={grid.ys[0]:.0f}: {note}")
        for grid in grids
        for note in grid.notes
    ]
    if not verdict.usable:
        diagnostics.append(Diagnostic(code="TEXT_LAYER_UNUSABLE", page=number, message=verdict.reason))
    layout = PageLayout(page=model, lines=group_lines(outside, number), tables=tables, diagnostics=diagnostics,
                        unusable_text=verdict.reason)
    return layout, glyphs
