"""A budget and its sources, from labelled amounts: the year's total, the
source lines (财政拨款, 一般公共预算拨款, 上年结转, 其他资金, 中央 / 省级 / 市县级)
and the checks between them.

Each amount is read in 万元 with its unit: printed in the cell (486.30万元),
else in the label's bracket or its group label's (项目资金（元）), else on
the document's 金额单位 line, else 万元 (the forms' standard unit).
``fiscal`` adds up every fiscal line (一般公共预算拨款 + 政府性基金预算拨款 are
both 财政拨款); a line printed blank is kept with no amount and never counts
as 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .records import Flag, FlagCode, FundingLine, Severity
from .table_view import Label
from .values import Money, parse_money
from .vocabulary import DEFAULT_UNIT, Field

#: Source field → the ``source`` word of its funding lines.
SOURCE_NAMES = {Field.FISCAL: "fiscal", Field.CARRYOVER: "carryover", Field.OTHER: "other",
                Field.LEVEL_SHARE: "level"}


@dataclass(frozen=True)
class Printed:
    """One labelled amount as printed: ``text`` '' when printed blank."""

    label: Label
    text: str
    unit: str | None
    row: int


@dataclass
class Funding:
    budget: Decimal | None = None
    budget_text: str | None = None
    unit_printed: str | None = None
    midterm: Decimal | None = None
    midterm_text: str | None = None
    fiscal: Decimal | None = None
    carryover: Decimal | None = None
    other: Decimal | None = None
    lines: list[FundingLine] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def _unit_printed(item: Printed, money: Money, doc_unit: str | None) -> str | None:
    if money.unit_in_value:
        return f"{money.unit} in the value"
    return item.unit or doc_unit


def read_funding(items: list[Printed], doc_unit: str | None, table_id: str, project_seq: int | None) -> Funding:
    """The budget (the first printed 年度资金总额-like amount, else a funds
    label's own value), the midterm total and every source line."""
    out = Funding()

    def money(item: Printed) -> Money:
        parsed = parse_money(item.text, item.unit or doc_unit or DEFAULT_UNIT)
        if item.text and parsed.wan_yuan is None:
            out.flags.append(Flag(table_id, item.row, FlagCode.UNPARSED_AMOUNT, Severity.WARNING,
                                  f"{item.label.key} is not an amount: {item.text!r}"))
        return parsed

    budgets = [i for i in items if i.label.field is Field.BUDGET] or [i for i in items if i.label.field is Field.FUNDS]
    if budgets:
        item = next((i for i in budgets if i.text), budgets[0])
        parsed = money(item)
        out.budget, out.budget_text = parsed.wan_yuan, item.text or None
        out.unit_printed = _unit_printed(item, parsed, doc_unit)
        if not item.text:
            out.flags.append(Flag(table_id, item.row, FlagCode.MISSING_FIELD, Severity.WARNING,
                                  f"{item.label.key} is printed blank"))
    midterm = next((i for i in items if i.label.field is Field.MIDTERM_BUDGET), None)
    if midterm is not None:
        out.midterm, out.midterm_text = money(midterm).wan_yuan, midterm.text or None
    by_source: dict[Field, list[Decimal | None]] = {}
    for item in items:
        if item.label.field not in SOURCE_NAMES:
            continue
        amount = money(item).wan_yuan
        by_source.setdefault(item.label.field, []).append(amount)
        out.lines.append(FundingLine(table_id=table_id, project_seq=project_seq, line_seq=len(out.lines) + 1,
                                     label=item.label.key, source=SOURCE_NAMES[item.label.field],
                                     amount_wan_yuan=amount, text=item.text, row=item.row))
    out.fiscal = _sum(by_source.get(Field.FISCAL, []))
    out.carryover = _sum(by_source.get(Field.CARRYOVER, []))
    out.other = _sum(by_source.get(Field.OTHER, []))
    out.flags += _check_sources(out, table_id)
    return out


def _check_sources(funding: Funding, table_id: str) -> list[Flag]:
    """Sources (and, separately, shares by level) that do not add up to the budget."""
    if funding.budget is None:
        return []
    flags = []
    for kinds, what in ((("fiscal", "carryover", "other"), "funding sources"), (("level",), "shares by level")):
        total = _sum([line.amount_wan_yuan for line in funding.lines if line.source in kinds])
        if total is not None and total != funding.budget:
            flags.append(Flag(table_id, None, FlagCode.FUNDING_SUM_NOT_BUDGET, Severity.WARNING,
                              f"{what} sum to {total} 万元, the budget is {funding.budget} 万元"))
    return flags
