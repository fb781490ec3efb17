"""Tables that run over a page break become one logical table.

A table continues on the next page when it is the last thing on its page
(page furniture aside), the next page opens with a table, and the two share
their left and right edges. Joining then:

* puts both parts on one set of columns (the union of their rule positions),
* drops header rows the continuation repeats (same texts, same spans as the
  table's first rows),
* when the break runs through a row — neither part draws a rule at the
  break (Chromium lets a row split) — puts the continuation's first row
  back into the last row, cell by cell;
* otherwise rejoins merged cells the page break cut in two. The rules say
  so where the producer leaves the table's bottom edge open under a cell it
  cuts while drawing it under the rows that end there (LibreOffice Calc):
  that cell goes on in the next part's first row (after any repeated
  header rows), whatever its column, and its text is what the two pages
  show of it — Calc prints a cut cell's text once, centred in the whole
  cell, so it can lie on either page. LibreOffice Writer and Word close
  a vertically merged cell at the page end and reopen it, empty, on the next
  page; every empty cell at the top of a continuation could be such a stub.
  It is taken as one when the cell above it has text and its column is a
  grouping column — some cell of exactly that column range spans several
  rows (一级/二级指标, 绩效指标). A blank leaf cell under a one-row cell (a
  二级指标 the author left empty) stays a cell of its own. When the cut
  cell held more text than fitted, the rest goes on in the stub: a stub
  with text is joined too when the cell above ended in a full line and the
  cells to its left were rejoined (the whole row group goes on) and the
  continuation's first row is drawn on the same columns as the row the break
  cut: a first row with other column rules is a new row after a clean break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from jixiao.model import Cell, Table, TableFragment

from .page_layout import PageTable
from .rules import cluster_positions
from .textlines import is_wide

#: Continuation parts share their outer edges within this many points.
_EDGE_TOLERANCE = 5.0
_MAX_HEADER_ROWS = 3
_WS = re.compile(r"\s+")


@dataclass
class _Builder:
    """A logical table under construction, in page order."""

    xs: list[float]
    cells: list[Cell]
    fragments: list[TableFragment] = field(default_factory=list)
    n_rows: int = 0
    #: cells (by page and top-left corner) whose last text line is full
    full_ends: set[tuple[int, float, float]] = field(default_factory=set)
    #: cells (same keys) the page end cuts: no rule under them (PageTable.cut_cells)
    cut_ends: set[tuple[int, float, float]] = field(default_factory=set)

    @classmethod
    def start(cls, part: PageTable) -> _Builder:
        builder = cls(xs=list(part.xs), cells=[])
        builder._append(part, list(part.cells), part.n_rows, first_row_offset=0)
        return builder

    def _append(self, part: PageTable, cells: list[Cell], n_rows: int, first_row_offset: int) -> None:
        self.full_ends.update(
            (part.page, c.bbox.x0, c.bbox.top) for c in part.cells if (c.row, c.col) in part.full_cells
        )
        self.cut_ends.update((part.page, c.bbox.x0, c.bbox.top) for c in part.cells if (c.row, c.col) in part.cut_cells)
        for c in cells:
            self.cells.append(replace(c, row=c.row - first_row_offset + self.n_rows))
        self.fragments.append(
            TableFragment(page=part.page, bbox=part.bbox, first_row=self.n_rows, n_rows=n_rows)
        )
        self.n_rows += n_rows

    def continues_with(self, part: PageTable) -> bool:
        return abs(self.xs[0] - part.xs[0]) <= _EDGE_TOLERANCE and abs(self.xs[-1] - part.xs[-1]) <= _EDGE_TOLERANCE

    def extend(self, part: PageTable, row_cut: bool) -> None:
        """Add a continuation part; ``row_cut`` when the break runs through
        a row (neither part draws a rule at the break)."""
        self.xs = cluster_positions(self.xs + part.xs)
        self.cells = [self._recolumn(c) for c in self.cells]
        incoming = [self._recolumn(c) for c in part.cells]
        skip = self._repeated_header_rows(incoming)
        kept = [c for c in incoming if c.row >= skip]
        if row_cut and skip == 0 and self._join_cut_row(kept):
            kept = [c for c in kept if c.row > 0]
            self._append(part, kept, part.n_rows - 1, first_row_offset=1)
            return
        kept = self._rejoin_cut_cells(kept, first_row=skip)
        self._append(part, kept, part.n_rows - skip, first_row_offset=skip)

    def _join_cut_row(self, incoming: list[Cell]) -> bool:
        """Put the continuation's first row back into the table's last row,
        cell by cell (each goes on in the cell above it, same columns). False,
        and nothing changed, when the first row is drawn on other columns."""
        last_row = self.n_rows - 1
        covering = {
            (c.col, c.colspan): i for i, c in enumerate(self.cells) if c.row <= last_row < c.row + c.rowspan
        }
        first = [c for c in incoming if c.row == 0]
        if not first or {(c.col, c.colspan) for c in first} != set(covering):
            return False
        for c in first:
            i = covering[(c.col, c.colspan)]
            above = self.cells[i]
            text = _continue_text(above.text, c.text) if above.text.strip() and c.text.strip() else above.text + c.text
            self.cells[i] = replace(above, rowspan=above.rowspan + c.rowspan - 1, text=text)
        return True

    def _column_of(self, x: float) -> int:
        return min(range(len(self.xs)), key=lambda i: abs(self.xs[i] - x))

    def _recolumn(self, cell: Cell) -> Cell:
        col, end = self._column_of(cell.bbox.x0), self._column_of(cell.bbox.x1)
        return replace(cell, col=col, colspan=max(1, end - col))

    def _signature(self, cells: list[Cell], k: int, row0: int) -> list[tuple]:
        return sorted(
            (c.row - row0, c.col, c.colspan, min(c.rowspan, k - (c.row - row0)), _WS.sub("", c.text))
            for c in cells
            if row0 <= c.row < row0 + k
        )

    def _repeated_header_rows(self, incoming: list[Cell]) -> int:
        """How many of the continuation's first rows repeat the table's first
        rows (0 when none). Rows holding only empty cells never count."""
        for k in range(_MAX_HEADER_ROWS, 0, -1):
            head = self._signature(self.cells, k, 0)
            if head and any(text for *_, text in head) and head == self._signature(incoming, k, 0):
                return k
        return 0

    def _rejoin_cut_cells(self, incoming: list[Cell], first_row: int) -> list[Cell]:
        last_row = self.n_rows - 1
        covering: dict[tuple[int, int], int] = {}
        for i, c in enumerate(self.cells):
            if c.row <= last_row < c.row + c.rowspan:
                covering[(c.col, c.colspan)] = i
        grouping = {(c.col, c.colspan) for c in self.cells + incoming if c.rowspan > 1}
        # A row the break really cuts goes on with the same vertical rules;
        # a first row drawn on other columns is a new row (a clean break).
        same_columns = set(covering) == {(c.col, c.colspan) for c in incoming if c.row == first_row}
        out: list[Cell] = []
        left_joined = True  # the table's left edge counts as a rejoined neighbour
        for c in sorted(incoming, key=lambda c: (c.row, c.col)):
            idx = covering.get((c.col, c.colspan))
            above = self.cells[idx] if idx is not None else None
            joined = False
            if c.row == first_row and above is not None and (above.page, above.bbox.x0, above.bbox.top) in self.cut_ends:
                self.cells[idx] = replace(above, rowspan=above.rowspan + c.rowspan,
                                         text=_join_text(above.text, c.text))
                joined = True
            elif c.row == first_row and above is not None and above.text.strip() and (c.col, c.colspan) in grouping:
                if not c.text.strip():
                    self.cells[idx] = replace(above, rowspan=above.rowspan + c.rowspan)
                    joined = True
                elif same_columns and left_joined and (above.page, above.bbox.x0, above.bbox.top) in self.full_ends:
                    self.cells[idx] = replace(above, rowspan=above.rowspan + c.rowspan,
                                             text=_continue_text(above.text, c.text))
                    joined = True
            if c.row == first_row:
                left_joined = joined
            if not joined:
                out.append(c)
        return out

    def build(self, table_id: str, engine: str) -> Table:
        cells = sorted(self.cells, key=lambda c: (c.row, c.col))
        return Table(
            id=table_id,
            n_rows=self.n_rows,
            n_cols=len(self.xs) - 1,
            cells=cells,
            fragments=self.fragments,
            engine=engine,
        )


def _join_text(head: str, tail: str) -> str:
    """The text of a cell the page break cut: what each page shows of it
    (either part may be empty: a spreadsheet prints a cut cell's text once,
    centred in the whole cell, so it lies on one page or across the two)."""
    if head.strip() and tail.strip():
        return _continue_text(head, tail)
    return head.strip() or tail.strip()


def _continue_text(head: str, tail: str) -> str:
    """Text cut by the page break, put back together like a wrapped line."""
    head, tail = head.rstrip(), tail.lstrip()
    sep = "" if is_wide(head[-1]) or is_wide(tail[0]) else " "
    return head + sep + tail


def stitch_tables(
    pages: list[list[PageTable]],
    last_on_page: list[bool],
    first_on_page: list[bool],
    engine: str,
) -> tuple[list[Table], dict[tuple[int, int], str]]:
    """Join page tables into logical tables.

    ``pages[i]`` are page i's tables top to bottom; ``last_on_page[i]`` says
    whether page i's last table ends the page's content, ``first_on_page[i]``
    whether page i's first table opens it. Returns the tables (ids t1, t2 …
    in document order) and, for every (page index, table index) part, the id
    of the logical table it belongs to.
    """
    builders: list[_Builder] = []
    owner: dict[tuple[int, int], int] = {}
    for i, parts in enumerate(pages):
        for j, part in enumerate(parts):
            prev = builders[-1] if builders else None
            if (
                j == 0
                and prev is not None
                and i > 0
                and pages[i - 1]
                and last_on_page[i - 1]
                and first_on_page[i]
                and owner.get((i - 1, len(pages[i - 1]) - 1)) == len(builders) - 1
                and prev.continues_with(part)
            ):
                prev.extend(part, row_cut=pages[i - 1][-1].open_bottom and part.open_top)
            else:
                builders.append(_Builder.start(part))
            owner[(i, j)] = len(builders) - 1
    tables = [b.build(f"t{k + 1}", engine) for k, b in enumerate(builders)]
    return tables, {key: tables[k].id for key, k in owner.items()}
