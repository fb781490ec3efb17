"""Key–value reading on the grid: labels and the values they name.

A label's value is where the form puts it, found from the grid rather than
from a position fixed per template:

* inside the label's own cell after a colon (``年度资金总额：260.00``,
  ``其中：上级财政资金：326.50万元``);
* the cell to its right, when that cell is not itself a label
  (``项目名称 | 高标准农田建设项目``); a blank cell there is a value printed
  blank;
* the cell below it, when the label has a label (or nothing) to its right:
  a row of labels over a row of values (``资金情况：中期资金总额 | 年度资金总额 |
  其中：财政拨款 | 其他资金`` with the amounts on the next row).

A label whose right neighbour is another label and that has no value below
is a group label (资金情况, 项目资金（元）, 资金来源, 总体目标): the labels to its
right are its sub-labels and take its unit. Labels are looked up in
:mod:`jixiao.normalize.vocabulary`; every label and value found is marked
read on the view, so what is left unread can be reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.model import Cell

from .table_view import Label, TableView, as_label
from .values import label_unit
from .vocabulary import GROUP_ONLY_FIELDS, TOTAL_ROW_WORDS, Field

#: Budget label words that mean the budget only under a funds group (合计 of 资金总额及构成).
_GENERIC_TOTALS = TOTAL_ROW_WORDS | {"总额", "年度总额"}


@dataclass(frozen=True)
class KeyValue:
    """A label and the value it names. ``text`` is None when the form has
    no value for the label, '' when the value is printed blank."""

    label: Label
    cell: Cell | None
    text: str | None
    unit: str | None  # amount unit from the label or its group label

    @property
    def row(self) -> int:
        return self.cell.row if self.cell is not None else self.label.cell.row


def _group_unit(view: TableView, label: Label) -> str | None:
    """The unit of the nearest label to the left that covers the label's row
    (项目资金（元） over 其中：一般公共预算拨款)."""
    for rc in reversed(view.row_cells(label.cell.row)):
        if rc.col >= label.cell.col:
            continue
        unit = label_unit(rc.cell.text)
        if unit and as_label(rc.cell) is not None:
            return unit
    return None


def _under_funds_group(view: TableView, label: Label) -> bool:
    for rc in view.row_cells(label.cell.row):
        if rc.col < label.cell.col:
            left = as_label(rc.cell)
            if left is not None and left.field is Field.FUNDS:
                return True
    above = view.at(label.cell.row - 1, label.cell.col)
    left_above = as_label(above) if above is not None else None
    return left_above is not None and left_above.field is Field.FUNDS


def _is_label(cell: Cell | None) -> bool:
    return cell is not None and as_label(cell) is not None


def read_key_values(view: TableView, rows: range) -> list[KeyValue]:
    """Every label in ``rows`` not yet read, with its value, in reading order."""
    out: list[KeyValue] = []
    for cell in view.cells_in_rows(rows):
        if view.is_read(cell) or not cell.text.strip():
            continue
        label = as_label(cell)
        if label is None:
            continue
        if label.field is Field.BUDGET and label.key in _GENERIC_TOTALS and not _under_funds_group(view, label):
            continue
        view.mark(cell, label=True)
        unit = label_unit(cell.text) or _group_unit(view, label)
        if label.inline is not None:
            out.append(KeyValue(label, None, label.inline.strip(), unit))
            continue
        if label.field in GROUP_ONLY_FIELDS:
            continue
        value = _value_cell(view, cell, rows)
        if value is None:
            if label.field is Field.FOOTER:
                continue
            if not _is_label(view.at(cell.row, cell.col + cell.colspan)):
                out.append(KeyValue(label, None, None, unit))
            continue
        view.mark(value)
        out.append(KeyValue(label, value, value.text.strip(), unit))
    return out


def _value_cell(view: TableView, label: Cell, rows: range) -> Cell | None:
    right = view.at(label.row, label.col + label.colspan)
    if right is not None and right.row == label.row and not _is_label(right) and not view.is_read(right):
        return right
    if right is not None and right.row != label.row:
        return None
    below_row = label.row + label.rowspan
    below = view.at(below_row, label.col) if below_row in rows else None
    if below is not None and below.row == below_row and below.col == label.col and not _is_label(below) \
            and not view.is_read(below):
        return below
    return None


def first(values: list[KeyValue], *fields: Field) -> KeyValue | None:
    """The first value of any of ``fields`` that is printed (non-blank),
    else the first found at all."""
    found = [kv for kv in values if kv.label.field in fields]
    return next((kv for kv in found if kv.text), found[0] if found else None)


def text_of(values: list[KeyValue], *fields: Field) -> str | None:
    kv = first(values, *fields)
    return (kv.text or None) if kv is not None else None
