"""The table readers: a project form, a list of projects (专项资金), a
department form (部门整体支出绩效目标表), each turned into records.

Every reader works the same way on a :class:`TableView`: the structured
parts first (the spending plan, list regions such as 年度主要任务, the
indicator blocks), then the remaining labels as key–value pairs; each marks
what it understood, so :func:`unread_regions` can say what it did not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .funding import Funding, Printed, read_funding
from .indicators import Header, read_blocks
from .keyvalue import KeyValue, first, read_key_values, text_of
from .lists import ListRecord, ListTable, find_list_header, read_list
from .records import Department, Flag, FlagCode, Indicator, Project, Severity, SpendingPeriod, Task
from .spending import finish_plan, plan_labels, read_plan
from .table_view import TableView, as_label, cell_range
from .values import parse_amount, parse_money, parse_project_period, squash
from .vocabulary import AMOUNT_FIELDS, DEFAULT_UNIT, SPECIAL_FUND_WORDS, TEMPLATE_FILLERS, Field

#: 某县教育局（100001）: a name followed by its code.
_NAME_AND_CODE = re.compile(r"^(.+?)\s*[（(]\s*(\d{3,})\s*[）)]$")
#: How much of an unread cell's text a flag quotes.
_QUOTE = 24


@dataclass
class Read:
    """What one table yielded."""

    projects: list[Project] = field(default_factory=list)
    spending: list[SpendingPeriod] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    funding: list = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


def _printed_amounts(values: list[KeyValue]) -> list[Printed]:
    return [Printed(kv.label, kv.text, kv.unit, kv.row) for kv in values
            if kv.label.field in AMOUNT_FIELDS and kv.text is not None]


def _name_and_code(text: str | None) -> tuple[str | None, str | None]:
    m = _NAME_AND_CODE.match(text or "")
    return (m.group(1), m.group(2)) if m else (text, None)


def _goal(values: list[KeyValue]) -> str | None:
    return text_of(values, Field.GOAL) or text_of(values, Field.GOAL_GROUP)


def read_project_form(view: TableView, table_id: str, rows: range, project_seq: int, section: str | None,
                      headers: list[Header], doc_unit: str | None) -> Read:
    """One project form occupying ``rows`` of the table."""
    out = Read()
    plans = [read_plan(view, label, table_id, project_seq, doc_unit) for label in plan_labels(view, rows)[:1]]
    blocks = read_blocks(view, table_id, lambda _row: project_seq, headers, stop=rows.stop)
    values = read_key_values(view, rows)
    funding = read_funding(_printed_amounts(values), doc_unit, table_id, project_seq)
    name = first(values, Field.PROJECT_NAME)
    department, code = _name_and_code(text_of(values, Field.COMPETENT_DEPARTMENT))
    period_text = text_of(values, Field.PERIOD)
    start, end = parse_project_period(period_text)
    project = Project(
        table_id=table_id, project_seq=project_seq,
        project_name=text_of(values, Field.PROJECT_NAME),
        implementing_unit=text_of(values, Field.IMPLEMENTING_UNIT),
        competent_department=department, competent_department_code=code,
        overall_goal=_goal(values), midterm_goal=text_of(values, Field.MIDTERM_GOAL),
        section=section, page=view.page_of_row(name.row if name else rows.start),
        period_text=period_text, period_start=start, period_end=end,
        project_attribute=text_of(values, Field.PROJECT_ATTRIBUTE),
        project_leader=text_of(values, Field.PROJECT_LEADER),
        budget_execution_weight=parse_amount(squash(text_of(values, Field.BUDGET_EXECUTION_WEIGHT)).rstrip("%％")),
        plan_label=plans[0].label.text.strip() if plans else None,
        **_funding_fields(funding),
    )
    if name is not None and not name.text:
        out.flags.append(Flag(table_id, name.row, FlagCode.MISSING_FIELD, Severity.WARNING, "项目名称 is printed blank"))
    out.projects.append(project)
    out.funding += funding.lines
    out.flags += funding.flags
    for plan in plans:
        out.spending += plan.periods
        out.flags += finish_plan(plan, funding.budget, table_id)
    out.indicators += blocks.indicators
    out.flags += blocks.flags
    return out


def _funding_fields(funding: Funding) -> dict[str, object]:
    return {"budget_wan_yuan": funding.budget, "budget_text": funding.budget_text,
            "fiscal_funds_wan_yuan": funding.fiscal, "carryover_funds_wan_yuan": funding.carryover,
            "other_funds_wan_yuan": funding.other, "midterm_budget_wan_yuan": funding.midterm,
            "midterm_budget_text": funding.midterm_text, "amount_unit_printed": funding.unit_printed}


def _record_amounts(record: ListRecord) -> list[Printed]:
    out = []
    for fld, cells in record.values.items():
        if fld not in AMOUNT_FIELDS:
            continue
        for column, cell in cells:
            out.append(Printed(column.label, cell.text.strip() if cell is not None else "", column.unit,
                               cell.row if cell is not None else record.rows.start))
    return sorted(out, key=lambda p: p.label.cell.col)


def read_project_list(view: TableView, table_id: str, listing: ListTable, first_seq: int, section: str | None,
                      caption: str | None, headers: list[Header], doc_unit: str | None) -> Read:
    """A list of projects or special funds, each with its indicators."""
    out = Read()
    special = any(w in squash(listing.name_label.cell.text) + squash(caption) for w in SPECIAL_FUND_WORDS)
    seq_of_row: dict[int, int] = {}
    for record in listing.records:
        if record.is_total:
            continue
        seq = first_seq + len(out.projects)
        seq_of_row.update({row: seq for row in record.rows})
        funding = read_funding(_record_amounts(record), doc_unit, table_id, seq)
        department, code = _name_and_code(record.text(Field.COMPETENT_DEPARTMENT))
        out.projects.append(Project(
            table_id=table_id, project_seq=seq, project_name=record.name.text.strip(),
            implementing_unit=record.text(Field.IMPLEMENTING_UNIT), competent_department=department,
            competent_department_code=code, overall_goal=record.text(Field.GOAL) or record.text(Field.GOAL_GROUP),
            section=section, page=view.page_of_row(record.rows.start), special_fund=special,
            **_funding_fields(funding),
        ))
        out.funding += funding.lines
        out.flags += funding.flags
    blocks = read_blocks(view, table_id, seq_of_row.get, headers)
    out.indicators += blocks.indicators
    out.flags += blocks.flags
    return out


def read_department(view: TableView, table_id: str, headers: list[Header], doc_unit: str | None) -> Read:
    """A 部门整体支出绩效目标表: the department's budget, its 年度主要任务 and
    its indicators (which belong to no project)."""
    out = Read()
    rows = range(view.table.n_rows)
    tasks = _task_list(view, rows)
    blocks = read_blocks(view, table_id, lambda _row: None, headers)
    values = read_key_values(view, rows)
    printed = _printed_amounts(values)
    totals = next((r for r in tasks.records if r.is_total), None) if tasks else None
    if totals is not None and not any(p.label.field in (Field.BUDGET, Field.FUNDS) for p in printed):
        printed += _record_amounts(totals)
    funding = read_funding(printed, doc_unit, table_id, None)
    name = first(values, Field.DEPARTMENT_NAME)
    out.departments.append(Department(
        table_id=table_id, department_name=text_of(values, Field.DEPARTMENT_NAME),
        budget_wan_yuan=funding.budget, budget_text=funding.budget_text, fiscal_funds_wan_yuan=funding.fiscal,
        carryover_funds_wan_yuan=funding.carryover, other_funds_wan_yuan=funding.other,
        overall_goal=_goal(values), amount_unit_printed=funding.unit_printed,
        page=view.page_of_row(name.row if name else 0),
    ))
    out.funding += funding.lines
    out.flags += funding.flags
    if tasks is not None:
        out.tasks += _tasks(view, table_id, tasks, doc_unit)
        out.flags += _check_tasks(out.tasks, funding.budget, table_id)
    out.indicators += blocks.indicators
    out.flags += blocks.flags
    return out


def _task_list(view: TableView, rows: range) -> ListTable | None:
    """The 年度主要任务 list: within the rows its side label spans, if any."""
    for cell in view.cells_in_rows(rows):
        label = as_label(cell)
        if label is not None and label.field is Field.TASKS:
            view.mark(cell, label=True)
            span = range(cell.row, cell.row + cell.rowspan)
            header = find_list_header(view, span, frozenset({Field.TASK_NAME}))
            if header is not None:
                return read_list(view, header, span)
    header = find_list_header(view, rows, frozenset({Field.TASK_NAME}))
    return read_list(view, header, rows) if header is not None else None


def _amount_of(record: ListRecord, doc_unit: str | None, *fields: Field) -> Decimal | None:
    """The record's amount in the first of ``fields`` it has a column for."""
    amounts = {p.label.field: p for p in _record_amounts(record)}
    item = next((amounts[f] for f in fields if f in amounts), None)
    return parse_money(item.text, item.unit or doc_unit or DEFAULT_UNIT).wan_yuan if item else None


def _tasks(view: TableView, table_id: str, tasks: ListTable, doc_unit: str | None) -> list[Task]:
    out = []
    for record in tasks.records:
        if record.is_total:
            continue
        out.append(Task(table_id=table_id, task_seq=len(out) + 1, task_name=record.name.text.strip(),
                        content=record.text(Field.TASK_CONTENT),
                        budget_wan_yuan=_amount_of(record, doc_unit, Field.BUDGET, Field.FUNDS),
                        fiscal_funds_wan_yuan=_amount_of(record, doc_unit, Field.FISCAL),
                        other_funds_wan_yuan=_amount_of(record, doc_unit, Field.OTHER),
                        row=record.rows.start, page=view.page_of_row(record.rows.start)))
    return out


def _check_tasks(tasks: list[Task], budget: Decimal | None, table_id: str) -> list[Flag]:
    amounts = [t.budget_wan_yuan for t in tasks]
    if budget is None or not amounts or any(a is None for a in amounts):
        return []
    total = sum(amounts, Decimal(0))
    if total == budget:
        return []
    return [Flag(table_id, None, FlagCode.TASKS_SUM_NOT_BUDGET, Severity.WARNING,
                 f"年度主要任务 add up to {total} 万元, the department's budget is {budget} 万元")]


def unread_regions(view: TableView, table_id: str) -> list[Flag]:
    """One UNREAD_REGION flag per run of consecutive rows holding printed
    cells no reader understood: jixiao's limit, not the document's defect.
    Cells the template left unfilled (……) say nothing and are not counted."""
    unread = sorted((c for c in view.table.cells if squash(c.text) and squash(c.text) not in TEMPLATE_FILLERS
                     and not view.is_read(c)), key=lambda c: (c.row, c.col))
    regions: list[list] = []
    for cell in unread:
        if regions and cell.row <= max(c.row + c.rowspan for c in regions[-1]):
            regions[-1].append(cell)
        else:
            regions.append([cell])
    flags = []
    for cells in regions:
        r0, r1 = min(c.row for c in cells), max(c.row + c.rowspan - 1 for c in cells)
        c0, c1 = min(c.col for c in cells), max(c.col + c.colspan - 1 for c in cells)
        quoted = "; ".join(c.text.strip()[:_QUOTE] for c in cells[:3])
        flags.append(Flag(table_id, r0, FlagCode.UNREAD_REGION, Severity.INFO,
                          f"cells {cell_range(r0, c0, r1, c1)} on page {view.page_of_row(r0)} were not understood "
                          f"and are kept only as cells: {quoted}", cell_range=cell_range(r0, c0, r1, c1)))
    return flags
