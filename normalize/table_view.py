"""A read-only view of a model Table for normalisation: cells by position,
labels looked up in the vocabulary by their printed text, rows read as the
cells that cover them, and a record of which cells a reader has understood.

A merged cell covers several positions; "blank merged cells inherit from
the span" falls out of reading positions rather than starting cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from jixiao.model import Cell, Table

from .vocabulary import FIELD_LABELS, Field

_WS = re.compile(r"\s+")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
_LEAD = re.compile(r"^其中[:：]?")
_COLON = re.compile(r"[:：]")

#: Label key → field, built once from the vocabulary.
_LABELS: dict[str, Field] = {key: fld for fld, keys in FIELD_LABELS.items() for key in keys}


def label_key(text: str) -> str:
    """'年度申请资金额度 (万元)' → '年度申请资金额度'; '其中：财政拨款' → '财政拨款'."""
    s = _BRACKETED.sub("", _WS.sub("", text))
    lead = _LEAD.sub("", s)
    return (lead or s).rstrip(":：")


@dataclass(frozen=True)
class Label:
    """A cell read as a label: the field it names, the key it printed and,
    for a composite cell ('年度资金总额：260.00'), the value it holds."""

    cell: Cell
    field: Field
    key: str
    inline: str | None = None


@lru_cache(maxsize=4096)
def _lookup(text: str) -> tuple[Field, str, str | None] | None:
    key = label_key(text)
    if key in _LABELS:
        return _LABELS[key], key, None
    squashed = _LEAD.sub("", _WS.sub("", text))
    parts = _COLON.split(squashed, maxsplit=1)
    if len(parts) == 2 and parts[1]:
        key = label_key(parts[0])
        if key in _LABELS:
            return _LABELS[key], key, parts[1]
    return None


def as_label(cell: Cell) -> Label | None:
    """The label a cell prints, or None when its text is no known label."""
    found = _lookup(cell.text.strip()) if cell.text.strip() else None
    if found is None:
        return None
    fld, key, inline = found
    return Label(cell, fld, key, inline)


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


def cell_range(row0: int, col0: int, row1: int, col1: int) -> str:
    """'r3c0:r5c4': a rectangle of grid positions, both corners inclusive."""
    return f"r{row0}c{col0}:r{row1}c{col1}"


class TableView:
    def __init__(self, table: Table):
        self.table = table
        self.grid = table.grid()
        self.row_page = [f.page for f in table.fragments for _ in range(f.n_rows)]
        #: (row, col) of the cells a reader has understood (labels, values, names).
        self.read: set[tuple[int, int]] = set()
        #: (row, col) of the cells that are labels rather than values.
        self.labels: set[tuple[int, int]] = set()
        self._signatures: list[tuple] | None = None

    def at(self, row: int, col: int) -> Cell | None:
        if 0 <= row < self.table.n_rows and 0 <= col < self.table.n_cols:
            return self.grid[row][col]
        return None

    def starting_at(self, row: int, col: int) -> Cell | None:
        """The cell that starts at (row, col), or None."""
        cell = self.at(row, col)
        return cell if cell is not None and cell.row == row and cell.col == col else None

    def row_cells(self, row: int) -> list[RowCell]:
        """Distinct cells covering ``row``, left to right."""
        out: list[RowCell] = []
        for cell in self.grid[row]:
            if cell is not None and (not out or out[-1].cell is not cell):
                out.append(RowCell(cell, inherited=cell.row < row))
        return out

    def cells_in_rows(self, rows: range) -> list[Cell]:
        """Cells that start in ``rows``, in reading order."""
        return sorted((c for c in self.table.cells if c.row in rows), key=lambda c: (c.row, c.col))

    def repeats_earlier_row(self, row: int) -> bool:
        """The row prints again, cell for cell, a row above it: a header or
        first row a producer repeats at the top of a continuation page."""
        if self._signatures is None:
            self._signatures = [
                tuple((c.col, c.colspan, _WS.sub("", c.text)) for c in cells) for cells in self.table.rows()
            ]
        own = self._signatures[row]
        return any(t for _, _, t in own) and own in self._signatures[:row]

    def mark(self, cell: Cell | None, *, label: bool = False) -> None:
        if cell is not None:
            self.read.add((cell.row, cell.col))
            if label:
                self.labels.add((cell.row, cell.col))

    def is_read(self, cell: Cell) -> bool:
        return (cell.row, cell.col) in self.read

    def page_of_row(self, row: int) -> int:
        return self.row_page[row] if row < len(self.row_page) else self.table.page_start
