"""List tables: one record per row group under a header of labels.

Some forms print records as rows rather than as a key–value form: a
专项资金绩效目标表 lists funds (专项资金名称 | 主管部门 | 资金总额及构成 (合计 |
中央 | 省级 | 市县级) | 年度绩效目标 | 绩效指标…), a 部门整体 table lists its
年度主要任务 (任务名称 | 主要内容 | 预算金额), a 汇总表 lists the projects of the
document. A list is found by its header: a record-name label (项目名称,
专项资金名称, 任务名称) whose right neighbour is another label. Each column
takes the most specific header label above it (合计 under 资金总额及构成) and
that group's unit. Each cell of the name column is one record, spanning the
rows its cell spans; a row named 合计 totals the list. A header printed again
after a page break is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jixiao.model import Cell

from .indicators import header_role, is_repeated_header
from .table_view import Label, TableView, as_label
from .values import label_unit, squash
from .vocabulary import TOTAL_ROW_WORDS, Field


@dataclass(frozen=True)
class ListColumn:
    col: int
    label: Label
    unit: str | None


@dataclass
class ListRecord:
    name: Cell
    rows: range
    values: dict[Field, list[tuple[ListColumn, Cell | None]]] = field(default_factory=dict)

    @property
    def is_total(self) -> bool:
        return squash(self.name.text) in TOTAL_ROW_WORDS

    def text(self, fld: Field) -> str | None:
        cells = self.values.get(fld, [])
        return next((c.text.strip() for _, c in cells if c is not None and c.text.strip()), None)


@dataclass
class ListTable:
    name_label: Label
    header_rows: range
    columns: list[ListColumn]
    records: list[ListRecord]

    @property
    def rows(self) -> set[int]:
        out = set(self.header_rows)
        for record in self.records:
            out.update(record.rows)
        return out


def _is_header_cell(cell: Cell | None) -> bool:
    return cell is not None and bool(cell.text.strip()) and (as_label(cell) is not None or header_role(cell.text))


def find_list_header(view: TableView, rows: range, name_fields: frozenset[Field]) -> Label | None:
    """The record-name label of a list header in ``rows``, or None."""
    for cell in view.cells_in_rows(rows):
        label = as_label(cell)
        if label is None or label.field not in name_fields or label.inline is not None:
            continue
        right = view.at(cell.row, cell.col + cell.colspan)
        if right is not None and right.row == cell.row and _is_header_cell(right):
            return label
    return None


def _columns(view: TableView, header_rows: range, first_col: int) -> list[ListColumn]:
    columns = []
    for col in range(first_col, view.table.n_cols):
        chosen: Label | None = None
        unit = None
        for row in header_rows:
            cell = view.at(row, col)
            label = as_label(cell) if cell is not None else None
            if label is None:
                continue
            view.mark(cell, label=True)
            unit = label_unit(cell.text) or unit
            chosen = label
        if chosen is not None and (not columns or columns[-1].label.cell is not chosen.cell):
            columns.append(ListColumn(col, chosen, unit))
    return columns


def read_list(view: TableView, name_label: Label, rows: range) -> ListTable:
    """The list whose header holds ``name_label``; data rows within ``rows``."""
    top = name_label.cell.row
    bottom = top
    for rc in view.row_cells(top):
        if not rc.inherited and rc.col >= name_label.cell.col and _is_header_cell(rc.cell):
            bottom = max(bottom, rc.cell.row + rc.cell.rowspan - 1)
    header_rows = range(top, bottom + 1)
    first_col = name_label.cell.col
    while (left := view.at(top, first_col - 1)) is not None and left.row == top and _is_header_cell(left) \
            and left.row + left.rowspan - 1 <= bottom:
        first_col = left.col  # 序号 and other headed columns left of the names
    columns = _columns(view, header_rows, first_col)
    for row in header_rows:  # every cell of the header is a heading (绩效指标 over its columns included)
        for rc in view.row_cells(row):
            if rc.col >= first_col:
                view.mark(rc.cell, label=True)
    table = ListTable(name_label, header_rows, columns, [])
    name_col = name_label.cell.col
    for row in range(bottom + 1, rows.stop):
        if is_repeated_header(view, row):
            for rc in view.row_cells(row):
                view.mark(rc.cell, label=True)
            continue
        cell = view.starting_at(row, name_col)
        if cell is None or not cell.text.strip():
            continue
        record = ListRecord(name=cell, rows=range(row, min(row + cell.rowspan, rows.stop)))
        view.mark(cell)
        for column in columns:
            value = view.at(row, column.col)
            if value is not None and value.row < row:
                value = None  # a cell of the header or of the record above
            view.mark(value)
            record.values.setdefault(column.label.field, []).append((column, value))
        table.records.append(record)
    return table
