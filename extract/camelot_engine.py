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
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jixiao.errors import ErrorCode, InputError
from jixiao.model import BBox, Cell, Page

from .page_layout import PageTable
from .textlines import is_wide

#: A merged region: top row, left column, rowspan, colspan.
_Span = tuple[int, int, int, int]


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
    cells = []
    for row, col, rowspan, colspan in _spans(grid):
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


def _spans(grid: list[list[Any]]) -> list[_Span]:
    """Merged regions of a camelot cell grid, in reading order.

    Grid cells with no rule between them are united; a group that is not a
    rectangle (a rule ends inside the table) is split into its horizontal
    runs, one per row."""
    n_rows, n_cols = len(grid), len(grid[0])
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not grid[r][c].right:
                parent[find(r * n_cols + c + 1)] = find(r * n_cols + c)
            if r + 1 < n_rows and not grid[r][c].bottom:
                parent[find((r + 1) * n_cols + c)] = find(r * n_cols + c)

    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))

    spans: list[_Span] = []
    for members in groups.values():  # each in row-major order
        rows = [r for r, _ in members]
        cols = [c for _, c in members]
        top, left = min(rows), min(cols)
        rowspan, colspan = max(rows) - top + 1, max(cols) - left + 1
        if len(members) == rowspan * colspan:
            spans.append((top, left, rowspan, colspan))
            continue
        runs: list[_Span] = []
        for r, c in members:
            if runs and runs[-1][0] == r and runs[-1][1] + runs[-1][3] == c:
                runs[-1] = (r, runs[-1][1], 1, runs[-1][3] + 1)
            else:
                runs.append((r, c, 1, 1))
        spans.extend(runs)
    return sorted(spans)


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
