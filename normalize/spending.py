"""资金支出计划: the spending plan of a project, one record per printed period.

The plan label (资金支出计划（%）, 累计支出计划（万元）, 资金支出进度计划（累计执行进度）)
spans the plan's rows. Inside them, a row whose cells name periods (3月底,
第一季度, 截至9月底, 7月…) is a header row and the row below it holds the
values: a plan printed as two header/value row pairs (1–6月, then 7–12月)
is one plan of twelve periods. 合计 / 全年 columns are not periods; they are
checked against the periods.

Shares or amounts: the label's bracket says so ((%) or (万元)/(元)), else a
value printed with % is a share. ``cumulative`` is decided from the label
(累计, 执行进度) or from the values themselves (non-decreasing, ending at 100%
or at the budget, and not adding up to it as per-period values would).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from jixiao.model import Cell

from .records import Flag, FlagCode, Severity, SpendingPeriod
from .table_view import TableView, as_label
from .values import (
    is_total_label,
    label_says_percent,
    label_unit,
    parse_money,
    parse_percent,
    period_end_month,
    squash,
)
from .vocabulary import CUMULATIVE_WORDS, Field

_HUNDRED = Decimal(100)
#: Period words that say a value is a running total (截至9月底).
_RUNNING_PERIOD = ("截至", "截止")


@dataclass
class Plan:
    label: Cell
    periods: list[SpendingPeriod]
    in_percent: bool
    unit: str | None
    totals: list[tuple[str, Decimal | None]] = field(default_factory=list)  # (printed, value) of 合计 columns
    rows: set[int] = field(default_factory=set)

    @property
    def label_text(self) -> str:
        return squash(self.label.text)


def plan_labels(view: TableView, rows: range) -> list[Cell]:
    out = []
    for cell in view.cells_in_rows(rows):
        label = as_label(cell)
        if label is not None and label.field is Field.PLAN and label.inline is None:
            out.append(cell)
    return out


def _is_header_row(view: TableView, row: int, label: Cell) -> bool:
    cells = [rc for rc in view.row_cells(row) if not rc.inherited and rc.col >= label.col + label.colspan and rc.text]
    return bool(cells) and all(period_end_month(rc.text) or is_total_label(rc.text) for rc in cells)


def read_plan(view: TableView, label: Cell, table_id: str, project_seq: int, unit: str | None) -> Plan:
    """The periods of the plan under ``label`` (values not yet judged
    cumulative: see :func:`finish_plan`)."""
    view.mark(label, label=True)
    last = min(label.row + max(label.rowspan, 2), view.table.n_rows)
    rows = range(label.row, last)
    in_percent = label_says_percent(label.text)
    plan_unit = label_unit(label.text) or unit
    plan = Plan(label=label, periods=[], in_percent=in_percent, unit=plan_unit, rows=set(rows))
    cells: list[tuple[str, str, int]] = []  # (period, value text, value row)
    for row in rows:
        if not _is_header_row(view, row, label) or row + 1 >= view.table.n_rows:
            continue
        value_row = row + 1
        for rc in view.row_cells(row):
            if rc.inherited or rc.col < label.col + label.colspan or not rc.text:
                continue
            view.mark(rc.cell, label=True)
            value = view.at(value_row, rc.col)
            text = value.text.strip() if value is not None and value.row == value_row else ""
            if value is not None and value.row == value_row:
                view.mark(value)
            cells.append((squash(rc.text), text, value_row))
    if any(text.endswith(("%", "％")) for _, text, _ in cells):
        plan.in_percent = True
    for period, text, value_row in cells:
        if is_total_label(period):
            plan.totals.append((text, _value(plan, text)))
            continue
        amount = None if plan.in_percent else parse_money(text, plan.unit).wan_yuan
        plan.periods.append(SpendingPeriod(
            table_id=table_id, project_seq=project_seq, period_seq=len(plan.periods) + 1, period_label=period,
            period_end_month=period_end_month(period),
            share_percent=parse_percent(text) if plan.in_percent else None,
            amount_wan_yuan=amount, text=text, cumulative=None, page=view.page_of_row(value_row),
        ))
    return plan


def _value(plan: Plan, text: str) -> Decimal | None:
    return parse_percent(text) if plan.in_percent else parse_money(text, plan.unit).wan_yuan


def _amount(period: SpendingPeriod) -> Decimal | None:
    return period.share_percent if period.share_percent is not None else period.amount_wan_yuan


def finish_plan(plan: Plan, budget: Decimal | None, table_id: str) -> list[Flag]:
    """Decide ``cumulative`` and check the plan against 100% or the budget
    and against its printed 合计; returns the anomalies found."""
    values = [v for p in plan.periods if (v := _amount(p)) is not None]
    target = _HUNDRED if plan.in_percent else budget
    says = any(w in plan.label_text for w in CUMULATIVE_WORDS) or any(
        p.period_label.startswith(_RUNNING_PERIOD) for p in plan.periods)
    rising = len(values) >= 2 and all(a <= b for a, b in pairwise(values))
    running = rising and target is not None and values[-1] == target and sum(values) != target
    cumulative = says or running
    for p in plan.periods:
        p.cumulative = cumulative if p.text else None

    def flag(code: FlagCode, message: str) -> Flag:
        return Flag(table_id, None, code, Severity.WARNING, message)

    unit = "%" if plan.in_percent else " 万元"
    flags = []
    if plan.periods and not values:
        return [flag(FlagCode.SCHEDULE_BLANK, f"spending plan {plan.label_text!r} is printed blank")]
    if not values:
        return flags
    reached = values[-1] if cumulative else sum(values)
    if cumulative and not rising:
        flags.append(flag(FlagCode.SCHEDULE_NOT_CUMULATIVE,
                          f"cumulative plan {plan.label_text!r} falls from one period to the next"))
    if target is not None and reached != target:
        code = FlagCode.SCHEDULE_SUM_NOT_100 if plan.in_percent else FlagCode.SCHEDULE_SUM_NOT_BUDGET
        what = "reaches" if cumulative else "sums to"
        flags.append(flag(code, f"spending plan {what} {reached}{unit}, the budget is {target}{unit}"))
    for printed, total in plan.totals:
        if total is not None and total != reached:
            flags.append(flag(FlagCode.SCHEDULE_TOTAL_MISMATCH,
                              f"the plan's printed total {printed} is not its periods' {reached}{unit}"))
    return flags
