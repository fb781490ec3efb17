"""Ruled tables found by camelot's lattice parser, as :class:`PageTable`\\ s.

This engine exists as a baseline: jixiao's own table finder works on the
PDF's vector rules with pdfplumber (:mod:`.grids`), and camelot's lattice
parser, which renders each page and finds the rules with OpenCV, is the
best-known independent tool for the same job. ``read_pdf(..., engine=
"camelot")`` swaps only the table finder, so the two can be scored against
the same truth on any PDF.

Camelot gives a full grid per table and marks which edges of each grid cell
are drawn; its own output (``table.df``) has no merged cells. The spans are
rebuilt here: neighbouring grid cells with no rule between them are one
merged cell. Camelot works in PDF user space (origin bottom-left); the
tables are turned into jixiao's top-left coordinates with the page height.

Cell text is camelot's own. Camelot 2 reads text with playa, which drops
each glyph by its font's declared descent; the Noto CJK subsets LibreOffice
embeds declare about -1.05 em, so their lines sit a line below where they
are printed and the last line of a tight cell lands in the row below. On
such PDFs compare structure (TEDS-S), not text.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jixiao.errors import ErrorCode, InputError
from jixiao.model import BBox, Cell, Page

from .grids import merged_regions
from .page_layout import PageTable
from .textlines import is_wide


def camelot_tables(path: Path, pages: list[Page]) -> dict[int, list[PageTable]]:
    """Every ruled table camelot finds in the file: page number → that
    page's tables, top to bottom.

    Raises :class:`InputError` (``ENGINE_UNAVAILABLE``) when camelot or the
    renderer its lattice parser needs (pdfium, ghostscript or poppler) is
    missing."""
    try:
        import camelot
        from camelot.backends.image_conversion import ImageConversionError
    except ImportError as e:
        raise _unavailable(path, e) from e
    try:
        # suppress_stdout: camelot warns "No tables found on page-N" for
        # every page of prose.
        found = camelot.read_pdf(str(path), flavor="lattice", pages="all", suppress_stdout=True)
    except ImageConversionError as e:
        raise _unavailable(path, e) from e
    heights = {page.number: page.height for page in pages}
    tables: dict[int, list[PageTable]] = {}
    for table in found:
        number = int(table.page)  # 1-based; older camelot releases give a str
        tables.setdefault(number, []).append(_page_table(table, number, heights[number]))
    for page_tables in tables.values():
        page_tables.sort(key=lambda t: t.ys[0])
    return tables


def _unavailable(path: Path, cause: Exception) -> InputError:
    reason = " ".join(str(cause).split())  # camelot's messages span lines
    return InputError(path, f"camelot engine unavailable: {reason}", code=ErrorCode.ENGINE_UNAVAILABLE)


def _page_table(table: Any, page: int, height: float) -> PageTable:
    """One camelot table → a PageTable with its merged cells rebuilt.

    ``table.cols`` are (left, right) pairs left to right and ``table.rows``
    (top, bottom) pairs top to bottom, in PDF user space."""
    xs = [table.cols[0][0], *(right for _, right in table.cols)]
    ys = [height - table.rows[0][0], *(height - bottom for _, bottom in table.rows)]
    grid = table.cells
    cells: list[Cell] = []
    spans, _ = merged_regions(
        len(grid), len(grid[0]), open_right=lambda r, c: not grid[r][c].right, open_down=lambda r, c: not grid[r][c].bottom
    )
    for row, col, rowspan, colspan in spans:
        texts = (grid[r][c].text for r in range(row, row + rowspan) for c in range(col, col + colspan))
        cells.append(
            Cell(
                row=row,
                col=col,
                rowspan=rowspan,
                colspan=colspan,
                text=_join_lines(texts),
                page=page,
                bbox=BBox.rounded(xs[col], ys[row], xs[col + colspan], ys[row + rowspan]),
            )
        )
    return PageTable(page=page, xs=xs, ys=ys, cells=cells)


def _join_lines(texts: Iterable[str]) -> str:
    """The texts of a merged cell's grid cells as one text. Camelot ends each
    printed line with ``\\n``; lines are joined with nothing when either side
    of the break is CJK, else with one space."""
    out = ""
    for line in (line.strip() for text in texts for line in text.split("\n")):
        if not line:
            continue
        if out and not (is_wide(out[-1]) or is_wide(line[0])):
            out += " "
        out += line
    return out
