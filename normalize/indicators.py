"""绩效指标 blocks: one Indicator per innermost row, read by what the headers say.

A block starts at a header row: a row that names at least one name column
(一级指标 / 二级指标 / 三级指标 / 指标内容…) and a value column (指标值 /
目标值…). Every column's role comes from its header text
(:data:`jixiao.normalize.vocabulary.INDICATOR_HEADERS`), so split value
columns (指标性质 | 指标值 | 度量单位 | 权重) are read as such wherever they
sit. A table may hold several blocks (中期绩效指标 and 年度绩效指标, each with
its own header row): a block runs to the next header row, to a footer or
form row (填报人, 审核意见), or to the end of the table. The cell left of the
name columns that spans the block (绩效指标, 年度绩效指标) is the block's
label — it gives the block's ``horizon`` — never an 一级 name. A header row
printed again at a page break continues its block.

Printed tables are irregular, so a row's names are also matched against
the standard framework: a 二级 name printed in the 一级 column (数量指标
where 产出指标 belongs), or a 一级 name printed left of the 一级 column
(满意度指标 in the 绩效指标 column), is put back at its true level and the
repair is flagged LEVEL_SHIFT_REPAIRED. The printed text is always kept;
the framework's reading goes to level1_std/level2_std. Names the framework
does not know are kept as printed and flagged UNKNOWN_INDICATOR_NAME; a name
no level can take goes to ``name_extra``.

When the 指标值 cell is blank and the column to its right holds two texts
under one header cell, the first is the value: the template's value column
drifted one column right (the 2023 Hebei form prints 指标值确定依据 over two
columns and the values under its left half).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.model import Cell

from . import framework
from .records import Flag, FlagCode, Indicator, Severity, ValueKind
from .table_view import RowCell, TableView, as_label, label_key
from .values import ParsedValue, parse_amount, parse_indicator_value, squash, strip_op
from .vocabulary import HORIZONS, INDICATOR_HEADERS, NAME_ROLES, TEMPLATE_FILLERS, Role

_ROLE_OF: dict[str, Role] = {key: role for role, keys in INDICATOR_HEADERS.items() for key in keys}
#: 指标性质 texts that say the value is described in words.
_QUALITATIVE_NATURE = ("定性",)


def header_role(text: str) -> Role | None:
    return _ROLE_OF.get(label_key(text))


@dataclass
class Header:
    """An indicator header row: the columns of each role and the block's label."""

    row: int
    roles: dict[Role, tuple[int, int]]  # role -> (first col, end col) of its header cell
    side: Cell | None  # the block label spanning the block, left of the name columns
    horizon: str | None

    @property
    def name_start(self) -> int:
        return min(self.roles[r][0] for r in NAME_ROLES if r in self.roles)

    @property
    def value_start(self) -> int:
        """First column right of the names (指标性质 or 指标值)."""
        return min(c0 for role, (c0, _) in self.roles.items() if role not in NAME_ROLES)

    def same_columns(self, other: Header) -> bool:
        return self.roles == other.roles


def _horizon(*texts: str) -> str | None:
    for text in texts:
        key = squash(text)
        for word, horizon in HORIZONS:
            if word in key:
                return horizon
    return None


def find_headers(view: TableView) -> list[Header]:
    """Every indicator header row of the table, top to bottom."""
    headers = []
    for row in range(view.table.n_rows):
        roles: dict[Role, tuple[int, int]] = {}
        for rc in view.row_cells(row):
            role = header_role(rc.text) if not rc.inherited else None
            if role is not None and role not in roles:
                roles[role] = (rc.col, rc.col_end)
        if Role.VALUE not in roles or not any(r in roles for r in NAME_ROLES):
            continue
        name_start = min(roles[r][0] for r in NAME_ROLES if r in roles)
        left = view.at(row, name_start - 1) if name_start > 0 else None
        side = left if left is not None and left.row + left.rowspan - 1 > row else None
        texts = [side.text] if side is not None else []
        headers.append(Header(row=row, roles=roles, side=side, horizon=_horizon(*texts)))
    return headers


@dataclass
class Blocks:
    indicators: list[Indicator] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    #: rows read as indicators (and header rows), for the callers' coverage
    rows: set[int] = field(default_factory=set)


def _is_filler(texts: list[str]) -> bool:
    """A row the template left unfilled ('…' in every printed cell)."""
    printed = [squash(t) for t in texts if squash(t)]
    return bool(printed) and all(t in TEMPLATE_FILLERS for t in printed)


def is_repeated_header(view: TableView, row: int) -> bool:
    """A row of labels only (a list's header printed again after a page break)."""
    cells = [rc for rc in view.row_cells(row) if not rc.inherited and rc.text]
    return bool(cells) and all(as_label(rc.cell) is not None or header_role(rc.text) for rc in cells)


def _ends_block(view: TableView, row: int, header: Header) -> bool:
    """A row that starts with a form label (填报人, 审核意见, 年度总体目标…)
    left of or in the name columns ends the block."""
    if is_repeated_header(view, row):
        return False
    for rc in view.row_cells(row):
        if rc.inherited or rc.col > header.name_start:
            continue
        if not rc.text:
            continue
        label = as_label(rc.cell)
        return label is not None
    return False


class _BlockReader:
    def __init__(self, view: TableView, header: Header, table_id: str,
                 project_of_row: Callable[[int], int | None]):
        self.view = view
        self.header = header
        self.table_id = table_id
        self.project_of_row = project_of_row
        self.flags: list[Flag] = []
        self.prev_level1_std: str | None = None
        self.prev_project: int | None = None

    def flag(self, row: int, code: FlagCode, message: str) -> None:
        self.flags.append(Flag(self.table_id, row, code, Severity.WARNING, message))

    def assign(self, cells: list[RowCell]) -> tuple[list[RowCell], dict[Role, list[RowCell]]]:
        """(name cells, cells of each other role) of one row.

        Names are the cells left of the value columns: those in the name
        columns, and those left of them that start in this row and print a
        framework name. Such a row is shifted left as a whole, so its last
        cells are matched to the value-side roles from the right (one cell
        each, in header order); otherwise every role takes the cells under
        its header cell."""
        h = self.header
        cells = [rc for rc in cells if rc.cell is not h.side]
        shifted = any(rc.col < h.name_start and not rc.inherited and framework.is_known(rc.text) for rc in cells)
        value_roles = sorted((r for r in h.roles if r not in NAME_ROLES), key=lambda r: h.roles[r][0])
        if shifted and len(cells) > len(value_roles):
            tail = cells[len(cells) - len(value_roles):]
            return cells[:len(cells) - len(value_roles)], {role: [rc] for role, rc in zip(value_roles, tail)}
        names = [rc for rc in cells if rc.col_end <= h.value_start and rc.col >= h.name_start]
        by_role = {}
        for role in value_roles:
            c0, c1 = h.roles[role]
            by_role[role] = [rc for rc in cells if rc.col < c1 and rc.col_end > c0 and rc.col >= h.value_start]
        return names, by_role

    def place_names(self, row: int, cells: list[RowCell]) -> tuple[list[str | None], str | None]:
        """([level1, level2, level3], name_extra): the printed names put at
        their true levels; repairs and unknown names are flagged."""
        if not cells:
            return [None, None, None], None
        texts = [rc.text or None for rc in cells]
        has_l1 = Role.LEVEL1 in self.header.roles
        l1_col = self.header.roles[Role.LEVEL1][0] if has_l1 else self.header.name_start
        first, nxt = texts[0], texts[1] if len(texts) > 1 else None
        level1: str | None = None
        if framework.level1_of(first, nxt):
            level1, rest, rest_cells = first, texts[1:], cells[1:]
            if cells[0].col < l1_col and not cells[0].inherited:
                self.flag(row, FlagCode.LEVEL_SHIFT_REPAIRED,
                          f"{first} printed left of the 一级指标 column; the row is read one column to the right")
        elif has_l1 and framework.level2_of(first) and cells[0].col <= l1_col:
            rest, rest_cells = texts, cells
            if not cells[0].inherited:
                self.flag(row, FlagCode.LEVEL_SHIFT_REPAIRED, f"二级指标 {first} printed in the 一级指标 column; read as 二级")
        elif has_l1:
            level1, rest, rest_cells = first, texts[1:], cells[1:]
            if first and not cells[0].inherited:
                self.flag(row, FlagCode.UNKNOWN_INDICATOR_NAME, f"一级指标 {first!r} is not in the framework")
        else:
            rest, rest_cells = texts, cells
        level2 = level3 = extra = None
        if len(rest) == 1:
            if framework.level2_of(rest[0]) or Role.LEVEL3 not in self.header.roles:
                level2 = rest[0]
            else:
                level3 = rest[0]
        elif len(rest) >= 2:
            level2, level3 = rest[0], rest[-1]
            extra = " / ".join(t for t in rest[1:-1] if t) or None
            head = rest_cells[0]
            if level2 and not framework.level2_of(level2) and not head.inherited:
                self.flag(row, FlagCode.UNKNOWN_INDICATOR_NAME, f"二级指标 {level2!r} is not in the framework")
            elif level2 is None and not head.inherited:
                self.flag(row, FlagCode.MISSING_FIELD, f"二级指标 of {level3!r} is printed empty")
            for rc in rest_cells[1:-1]:
                if rc.text and not rc.inherited:
                    self.flag(row, FlagCode.UNKNOWN_INDICATOR_NAME,
                              f"{rc.text!r} has no place in 一级/二级/三级; kept in name_extra")
        return [level1, level2, level3], extra

    @staticmethod
    def value_and_basis(by_role: dict[Role, list[RowCell]]) -> tuple[RowCell | None, str | None]:
        values = by_role.get(Role.VALUE, [])
        value = values[0] if values else None
        basis_cells = by_role.get(Role.BASIS, [])
        if value is not None and not value.text and len(basis_cells) >= 2 and basis_cells[0].text:
            value, basis_cells = basis_cells[0], basis_cells[1:]
        basis = "\n".join(rc.text for rc in basis_cells if rc.text) or None
        return value, basis

    def read_row(self, row: int, seq: int) -> Indicator | None:
        view = self.view
        cells = view.row_cells(row)
        if not any(rc.text for rc in cells if rc.cell is not self.header.side):
            return None
        if _is_filler([rc.text for rc in cells]) or is_repeated_header(view, row):
            return None
        names, by_role = self.assign(cells)
        (level1, level2, level3), extra = self.place_names(row, names)
        value, basis = self.value_and_basis(by_role)
        for rc in names + [rc for found in by_role.values() for rc in found]:
            view.mark(rc.cell)

        def text(role: Role) -> str | None:
            return "\n".join(rc.text for rc in by_role.get(role, []) if rc.text) or None

        level2_std = framework.level2_of(level2)
        level1_std = framework.level1_of(level1, level2) or framework.parent_of(level2_std)
        project = self.project_of_row(row)
        if level1_std is None and project == self.prev_project:
            level1_std = self.prev_level1_std
        self.prev_level1_std, self.prev_project = level1_std, project
        value_text = value.text if value is not None and value.text else None
        nature = text(Role.NATURE)
        unit = text(Role.UNIT)
        parsed = _parse(value_text, nature, unit, Role.UNIT in self.header.roles)
        if parsed.not_a_value:
            self.flag(row, FlagCode.VALUE_NOT_A_VALUE, f"指标值 {value_text!r} names a unit, not a value")
        elif value_text is None:
            self.flag(row, FlagCode.VALUE_BLANK, f"指标值 of {level3 or level2 or level1!r} is blank")
        return Indicator(
            table_id=self.table_id,
            project_seq=project,
            indicator_seq=seq,
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
            basis=basis,
            row=row,
            page=view.page_of_row(row),
            horizon=self.header.horizon,
            nature=nature,
            weight=_number(text(Role.WEIGHT)),
            score=_number(text(Role.SCORE)),
            scoring_rule=text(Role.SCORING_RULE),
        )


def _number(text: str | None) -> Decimal | None:
    """A weight or score: '10', '10%', '10.5分' → Decimal."""
    s = squash(text).rstrip("%％分")
    return parse_amount(s) if s else None


def _parse(value_text: str | None, nature: str | None, unit: str | None, split_unit: bool) -> ParsedValue:
    """The value read with its split columns: the op from 指标性质, the unit
    from 度量单位 (null when that column is printed blank); 定性 means the
    value is described in words."""
    parsed = parse_indicator_value(value_text)
    if nature is None or parsed.kind is ValueKind.BLANK or parsed.not_a_value:
        if split_unit and parsed.kind is ValueKind.QUANTITATIVE and parsed.unit is None:
            return ParsedValue(parsed.op, parsed.num, unit, parsed.kind)
        return parsed
    if any(word in squash(nature) for word in _QUALITATIVE_NATURE):
        return ParsedValue(None, None, None, ValueKind.QUALITATIVE)
    if parsed.kind is not ValueKind.QUANTITATIVE:
        return parsed
    op, _ = strip_op(squash(nature))
    own_op, _ = strip_op(squash(value_text))
    return ParsedValue(own_op or op or parsed.op, parsed.num, parsed.unit or unit, parsed.kind)


def read_blocks(view: TableView, table_id: str, project_of_row: Callable[[int], int | None],
                headers: list[Header], stop: int | None = None) -> Blocks:
    """Indicators of the blocks under ``headers`` (rows before ``stop``).
    ``project_of_row`` gives the project a row belongs to (None in a
    department table)."""
    stop = view.table.n_rows if stop is None else stop
    out = Blocks()
    seq = 0
    horizons = {h.horizon for h in headers if h.horizon}
    current: Header | None = None
    for i, header in enumerate(headers):
        view.mark(header.side, label=True)
        for rc in view.row_cells(header.row):
            if not rc.inherited and rc.cell is not header.side and header_role(rc.text):
                view.mark(rc.cell, label=True)
        out.rows.add(header.row)
        if current is None or not (header.same_columns(current) and header.side in (None, current.side)):
            current = header
        end = headers[i + 1].row if i + 1 < len(headers) else stop
        reader = _BlockReader(view, current, table_id, project_of_row)
        if len(horizons) < 2:
            reader.header = Header(current.row, current.roles, current.side, None)
        for row in range(header.row + 1, end):
            if view.repeats_earlier_row(row) and _has_label(view, row):  # a form row printed again
                _mark_row(view, row)
                out.rows.add(row)
                continue
            if _ends_block(view, row, current):
                break
            seq += 1
            indicator = reader.read_row(row, seq)
            if indicator is None:
                seq -= 1
                if not _is_blank_row(view, row, current):
                    out.rows.add(row)
                    _mark_row(view, row)
                continue
            out.rows.add(row)
            out.indicators.append(indicator)
        out.flags += reader.flags
    return out


def _has_label(view: TableView, row: int) -> bool:
    return any(as_label(rc.cell) is not None or header_role(rc.text) for rc in view.row_cells(row) if not rc.inherited)


def _is_blank_row(view: TableView, row: int, header: Header) -> bool:
    return not any(rc.text for rc in view.row_cells(row) if rc.cell is not header.side)


def _mark_row(view: TableView, row: int) -> None:
    """A template row (……) is understood: it holds no indicator."""
    for rc in view.row_cells(row):
        if not rc.inherited:
            view.mark(rc.cell)
