"""The 绩效指标 block: one Indicator per innermost row, read by meaning.

Printed tables are irregular, so a row is not read by header position alone:

* 指标值 and 指标值确定依据 are taken from the row's right end (the last
  cell is the basis, the one before it the value). When the 指标值 cell is
  empty and the basis region holds two texts, the first is the value — the
  2023 template prints 指标值确定依据 over two columns and the values under
  its left half.
* The cells before the value are names. Each is matched against the
  standard framework: a 一级 name opens the row; a 二级 name printed in the
  一级 column (数量指标 where 产出指标 belongs), or a 一级 name printed left
  of the 一级 column (满意度指标 in the 绩效指标 column), is put back at its
  true level and the repair is flagged LEVEL_SHIFT_REPAIRED. The printed
  text is always kept; the framework's reading goes to level1_std/level2_std.
* Names the framework does not know are kept as printed and flagged
  UNKNOWN_INDICATOR_NAME; a name no level can take goes to ``name_extra``.
* A merged cell covering several rows gives its text to each of them (it is
  the group's 一级/二级); a truly blank cell stays None.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import framework
from .records import Flag, FlagCode, Indicator, Severity
from .table_view import RowCell, TableView, label_key
from .values import parse_indicator_value

_HEADER = {
    "一级指标": "l1",
    "二级指标": "l2",
    "三级指标": "l3",
    "指标值": "value",
    "指标值确定依据": "basis",
    "确定依据": "basis",
    "指标值设定依据": "basis",
    "备注": "basis",
}


@dataclass
class IndicatorBlock:
    indicators: list[Indicator]
    flags: list[Flag]
    header_cells: set[tuple[int, int]]


@dataclass(frozen=True)
class _Header:
    row: int
    cols: dict[str, tuple[int, int]]  # role -> (first col, end col)
    area_cell_id: int | None  # id() of the 绩效指标 label cell spanning the block


def find_header(view: TableView) -> _Header | None:
    """The row holding 一级指标 … 指标值, and the columns of each role."""
    for cell in view.find("一级指标"):
        cols: dict[str, tuple[int, int]] = {}
        for rc in view.row_cells(cell.row):
            role = _HEADER.get(label_key(rc.text))
            if role and role not in cols:
                cols[role] = (rc.col, rc.col_end)
        if "value" in cols:
            left = view.at(cell.row, cell.col - 1)
            area = id(left) if left is not None and left.rowspan > 1 else None
            return _Header(row=cell.row, cols=cols, area_cell_id=area)
    return None


class _RowReader:
    def __init__(self, view: TableView, header: _Header, table_id: str, project_seq: int | None):
        self.view = view
        self.header = header
        self.table_id = table_id
        self.project_seq = project_seq
        self.flags: list[Flag] = []
        self.prev_level1_std: str | None = None

    def flag(self, row: int, code: FlagCode, message: str) -> None:
        self.flags.append(Flag(self.table_id, row, code, Severity.WARNING, message))

    def split_value(self, cells: list[RowCell]) -> tuple[list[RowCell], RowCell | None, RowCell | None]:
        """(name cells, value cell, basis cell) of one row."""
        has_basis = "basis" in self.header.cols
        v0, v1 = self.header.cols["value"]
        value_cells = [rc for rc in cells if rc.col == v0 and rc.col_end == v1]
        if has_basis and value_cells and not value_cells[0].text:
            b0, b1 = self.header.cols["basis"]
            in_basis = [rc for rc in cells if rc.col >= b0 and rc.col_end <= b1]
            if len(in_basis) >= 2 and all(rc.text for rc in in_basis[:2]):
                names = [rc for rc in cells if rc.col_end <= v0]
                return names, in_basis[0], in_basis[1]
        if has_basis:
            if len(cells) < 2:
                return [], cells[0] if cells else None, None
            return cells[:-2], cells[-2], cells[-1]
        return cells[:-1], cells[-1] if cells else None, None

    def names(self, row: int, cells: list[RowCell]) -> tuple[list[str | None], str | None]:
        """([level1, level2, level3], name_extra): the printed names placed
        at their true levels; flags repairs and unknown names."""
        texts = [rc.text or None for rc in cells]
        if not cells:
            return [None, None, None], None
        l1_col = self.header.cols.get("l1", (cells[0].col, cells[0].col))[0]
        first, nxt = texts[0], texts[1] if len(texts) > 1 else None
        if framework.level1_of(first, nxt):
            level1, rest, rest_cells = first, texts[1:], cells[1:]
            if cells[0].col < l1_col and not cells[0].inherited:
                self.flag(row, FlagCode.LEVEL_SHIFT_REPAIRED,
                          f"{first} printed left of the 一级指标 column; the row is read one column to the right")
        elif framework.level2_of(first) and cells[0].col <= l1_col:
            level1, rest, rest_cells = None, texts, cells
            if not cells[0].inherited:
                self.flag(row, FlagCode.LEVEL_SHIFT_REPAIRED,
                          f"二级指标 {first} printed in the 一级指标 column; read as 二级")
        else:
            level1, rest, rest_cells = first, texts[1:], cells[1:]
            if first and not cells[0].inherited:
                self.flag(row, FlagCode.UNKNOWN_INDICATOR_NAME, f"一级指标 {first!r} is not in the framework")
        level2 = level3 = extra = None
        if len(rest) == 1:
            if framework.level2_of(rest[0]):
                level2 = rest[0]
            else:
                level3 = rest[0]
        elif len(rest) >= 2:
            level2, level3 = rest[0], rest[-1]
            middle = [t for t in rest[1:-1] if t]
            extra = " / ".join(middle) or None
            if level2 and not framework.level2_of(level2) and not rest_cells[0].inherited:
                self.flag(row, FlagCode.UNKNOWN_INDICATOR_NAME, f"二级指标 {level2!r} is not in the framework")
            for rc in rest_cells[1:-1]:
                if rc.text and not rc.inherited:
                    self.flag(row, FlagCode.UNKNOWN_INDICATOR_NAME,
                              f"{rc.text!r} has no place in 一级/二级/三级; kept in name_extra")
        return [level1, level2, level3], extra

    def read(self) -> list[Indicator]:
        out: list[Indicator] = []
        view = self.view
        for row in range(self.header.row + 1, view.table.n_rows):
            cells = [rc for rc in view.row_cells(row) if id(rc.cell) != self.header.area_cell_id]
            names, value, basis = self.split_value(cells)
            if not any(rc.text for rc in cells):
                continue
            (level1, level2, level3), extra = self.names(row, names)
            level1_std = framework.level1_of(level1, level2)
            level2_std = framework.level2_of(level2)
            if level1_std is None:
                level1_std = framework.parent_of(level2_std) or self.prev_level1_std
            self.prev_level1_std = level1_std
            value_text = value.text if value is not None and value.text else None
            parsed = parse_indicator_value(value_text)
            if parsed.not_a_value:
                self.flag(row, FlagCode.VALUE_NOT_A_VALUE, f"指标值 {value_text!r} names a unit, not a value")
            elif value_text is None:
                self.flag(row, FlagCode.VALUE_BLANK, f"指标值 of {level3 or level2 or level1!r} is blank")
            out.append(
                Indicator(
                    table_id=self.table_id,
                    project_seq=self.project_seq,
                    indicator_seq=len(out) + 1,
                    level1=level1,
                    level2=level2,
                    level3=level3,
                    name_extra=extra,
                    level1_std=level1_std,
                    level2_std=level2_std,
                    value_text=value_text,
                    value_op=parsed.op,
                    value_num=parsed.num,
                    value_unit=parsed.unit,
                    value_kind=parsed.kind,
                    basis=(basis.text or None) if basis is not None else None,
                    row=row,
                    page=view.page_of_row(row),
                )
            )
        return out


def read_indicators(view: TableView, table_id: str, project_seq: int | None) -> IndicatorBlock | None:
    """Indicators of a table with an 一级指标 header row, or None."""
    header = find_header(view)
    if header is None:
        return None
    reader = _RowReader(view, header, table_id, project_seq)
    indicators = reader.read()
    header_cells = {(rc.cell.row, rc.cell.col) for rc in view.row_cells(header.row)}
    return IndicatorBlock(indicators=indicators, flags=reader.flags, header_cells=header_cells)
