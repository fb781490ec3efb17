"""A read-only view of a model Table for normalisation: cells by position,
labels found by their printed text, rows read as the cells that cover them.

A merged cell covers several positions; "blank merged cells inherit from
the span" falls out of reading positions rather than starting cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jixiao.model import Cell, Table

_WS = re.compile(r"\s+")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
_LEAD = re.compile(r"^(其中[:：]?)")


def label_key(text: str) -> str:
    """'年度申请资金额度 (万元)' → '年度申请资金额度'; '其中：财政拨款' → '财政拨款'."""
    s = _WS.sub("", text)
    s = _BRACKETED.sub("", s)
    s = _LEAD.sub("", s)
    return s.rstrip(":：")


@dataclass(frozen=True)
class RowCell:
    """A cell as seen from one row: ``inherited`` when it starts above."""

    cell: Cell
    inherited: bool

    @property
    def text(self) -> str:
        return self.cell.text.strip()

    @property
    def col(self) -> int:
        return self.cell.col

    @property
    def col_end(self) -> int:
        return self.cell.col + self.cell.colspan


class TableView:
    def __init__(self, table: Table):
        self.table = table
        self.grid = table.grid()
        self.row_page = [f.page for f in table.fragments for _ in range(f.n_rows)]

    def at(self, row: int, col: int) -> Cell | None:
        if 0 <= row < self.table.n_rows and 0 <= col < self.table.n_cols:
            return self.grid[row][col]
        return None

    def row_cells(self, row: int) -> list[RowCell]:
        """Distinct cells covering ``row``, left to right."""
        out: list[RowCell] = []
        for cell in self.grid[row]:
            if cell is not None and (not out or out[-1].cell is not cell):
                out.append(RowCell(cell, inherited=cell.row < row))
        return out

    def find(self, *keys: str, prefix: bool = False) -> list[Cell]:
        """Cells whose label key equals (or starts with) one of ``keys``."""
        hits = []
        for cell in self.table.cells:
            k = label_key(cell.text)
            if any(k == key or (prefix and k.startswith(key)) for key in keys):
                hits.append(cell)
        return sorted(hits, key=lambda c: (c.row, c.col))

    def right_of(self, cell: Cell, row: int | None = None) -> list[Cell]:
        """Cells to the right of ``cell`` in ``row`` (default: its first row)."""
        r = cell.row if row is None else row
        return [rc.cell for rc in self.row_cells(r) if rc.col >= cell.col + cell.colspan]

    def page_of_row(self, row: int) -> int:
        return self.row_page[row] if row < len(self.row_page) else self.table.page_start
