"""The head of a 绩效目标表: project name, units, budget and funding, the
spending plan, the overall goal.

Fields are found by their printed labels, not by position: templates differ
between provinces and years (年度申请资金额度 vs 项目资金/年度资金总额; a
资金支出计划 by month-end in % or by quarter in 万元; 总体目标/年度目标 vs
年度绩效目标), so each field is the first text to the right of its label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.model import Cell

from .records import Flag, FlagCode, Project, Severity, SpendingPeriod
from .table_view import TableView, label_key
from .values import is_total_label, parse_amount, parse_percent, period_end_month, squash

NAME = ("项目名称",)
UNIT = ("实施单位", "项目实施单位")
AUTHORITY = ("主管部门", "主管单位", "项目主管部门")
BUDGET = ("年度申请资金额度", "年度资金总额", "资金总额", "项目资金", "申请资金额度", "年度预算", "预算金额")
FISCAL = ("财政拨款", "财政资金", "本级财政资金")
CARRYOVER = ("上年结转资金", "上年结转")
OTHER = ("其他资金",)
SCHEDULE = "资金支出计划"
GOAL = ("年度绩效目标", "总体目标", "年度总体目标", "项目总体目标")
GOAL_SUBLABELS = ("年度目标", "中长期目标")
FUNDING_SOURCE = ("资金来源", "其中")
ALL_LABELS = frozenset(NAME + UNIT + AUTHORITY + BUDGET + FISCAL + CARRYOVER + OTHER + GOAL + GOAL_SUBLABELS + FUNDING_SOURCE)


@dataclass
class ProjectHead:
    project: Project
    spending: list[SpendingPeriod]
    flags: list[Flag]
    label_cells: set[tuple[int, int]] = field(default_factory=set)


def _is_label(cell: Cell) -> bool:
    k = label_key(cell.text)
    return k in ALL_LABELS or k.startswith(SCHEDULE) or k.endswith("指标")


def _value_after(view: TableView, label: Cell) -> Cell | None:
    """The first non-empty, non-label cell to the right of ``label``."""
    for cell in view.right_of(label):
        if cell.text.strip() and not _is_label(cell):
            return cell
    return None


class _HeadReader:
    def __init__(self, view: TableView, table_id: str, project_seq: int):
        self.view = view
        self.table_id = table_id
        self.seq = project_seq
        self.labels: set[tuple[int, int]] = set()
        self.flags: list[Flag] = []

    def text_of(self, keys: tuple[str, ...]) -> tuple[str | None, Cell | None]:
        for label in self.view.find(*keys):
            self.labels.add((label.row, label.col))
            value = _value_after(self.view, label)
            if value is not None:
                return value.text.strip(), value
        return None, None

    def amount_of(self, keys: tuple[str, ...]) -> tuple[Decimal | None, str | None]:
        text, cell = self.text_of(keys)
        amount = parse_amount(text)
        if text is not None and amount is None:
            self.flags.append(
                Flag(self.table_id, cell.row if cell else None, FlagCode.UNPARSED_AMOUNT, Severity.WARNING,
                     f"amount for {keys[0]} is not a number: {text!r}")
            )
        return amount, text

    def goal(self) -> str | None:
        """The texts right of the goal label within its rows, sub-labels
        such as 年度目标 left out."""
        for label in self.view.find(*GOAL):
            self.labels.add((label.row, label.col))
            texts = []
            for r in range(label.row, label.row + label.rowspan):
                for cell in self.view.right_of(label, r):
                    if cell.row != r:
                        continue
                    if label_key(cell.text) in GOAL_SUBLABELS:
                        self.labels.add((cell.row, cell.col))
                    elif cell.text.strip():
                        texts.append(cell.text.strip())
            if texts:
                return "\n".join(texts)
        return None

    def schedule(self) -> list[SpendingPeriod]:
        """Periods from the row of the 资金支出计划 label, values from the
        row below; in % or in 万元 as the label says."""
        labels = self.view.find(SCHEDULE, prefix=True)
        if not labels:
            return []
        label = labels[0]
        self.labels.add((label.row, label.col))
        in_percent = "%" in label.text or "％" in label.text
        head_row, value_row = label.row, label.row + 1
        periods: list[SpendingPeriod] = []
        for cell in self.view.right_of(label, head_row):
            if cell.row != head_row or not cell.text.strip():
                continue
            self.labels.add((cell.row, cell.col))
            period = squash(cell.text)
            if is_total_label(period):
                continue
            value = self.view.at(value_row, cell.col)
            text = value.text.strip() if value is not None and value.row == value_row else ""
            periods.append(
                SpendingPeriod(
                    table_id=self.table_id,
                    project_seq=self.seq,
                    period_seq=len(periods) + 1,
                    period_label=period,
                    period_end_month=period_end_month(period),
                    share_percent=parse_percent(text) if in_percent else None,
                    amount_wan_yuan=None if in_percent else parse_amount(text),
                    text=text,
                    page=self.view.page_of_row(value_row),
                )
            )
        return periods


def read_project_head(view: TableView, table_id: str, project_seq: int, section: str | None) -> ProjectHead:
    reader = _HeadReader(view, table_id, project_seq)
    name, name_cell = reader.text_of(NAME)
    unit, _ = reader.text_of(UNIT)
    authority, _ = reader.text_of(AUTHORITY)
    budget, budget_text = reader.amount_of(BUDGET)
    fiscal, _ = reader.amount_of(FISCAL)
    carryover, _ = reader.amount_of(CARRYOVER)
    other, _ = reader.amount_of(OTHER)
    reader.text_of(FUNDING_SOURCE)  # marks the label cell only
    project = Project(
        table_id=table_id,
        project_seq=project_seq,
        project_name=name,
        implementing_unit=unit,
        competent_department=authority,
        budget_wan_yuan=budget,
        budget_text=budget_text,
        fiscal_funds_wan_yuan=fiscal,
        carryover_funds_wan_yuan=carryover,
        other_funds_wan_yuan=other,
        overall_goal=reader.goal(),
        section=section,
        page=view.page_of_row(name_cell.row if name_cell else 0),
    )
    spending = reader.schedule()
    flags = reader.flags + _checks(project, spending, table_id)
    return ProjectHead(project=project, spending=spending, flags=flags, label_cells=reader.labels)


def _checks(project: Project, spending: list[SpendingPeriod], table_id: str) -> list[Flag]:
    flags = []
    for field_name in ("project_name", "budget_wan_yuan"):
        if getattr(project, field_name) is None:
            flags.append(Flag(table_id, None, FlagCode.MISSING_FIELD, Severity.ERROR, f"{field_name} not found"))
    shares = [p.share_percent for p in spending if p.share_percent is not None]
    if shares and sum(shares) != Decimal(100):
        flags.append(
            Flag(table_id, None, FlagCode.SCHEDULE_SUM_NOT_100, Severity.WARNING,
                 f"spending plan shares sum to {sum(shares)}%, not 100%")
        )
    amounts = [p.amount_wan_yuan for p in spending if p.amount_wan_yuan is not None]
    if amounts and project.budget_wan_yuan is not None and sum(amounts) != project.budget_wan_yuan:
        flags.append(
            Flag(table_id, None, FlagCode.SCHEDULE_SUM_NOT_BUDGET, Severity.WARNING,
                 f"spending plan sums to {sum(amounts)} 万元, budget is {project.budget_wan_yuan} 万元")
        )
    parts = [project.fiscal_funds_wan_yuan, project.carryover_funds_wan_yuan, project.other_funds_wan_yuan]
    known = [p for p in parts if p is not None]
    if known and project.budget_wan_yuan is not None and sum(known) != project.budget_wan_yuan:
        flags.append(
            Flag(table_id, None, FlagCode.FUNDING_SUM_NOT_BUDGET, Severity.WARNING,
                 f"funding sources sum to {sum(known)} 万元, budget is {project.budget_wan_yuan} 万元")
        )
    return flags
