"""Canonical records: what normalisation makes of a layout document.

One dataclass per dataset table (the Parquet schema in ``jixiao.schema``
mirrors these field for field). Amounts are ``Decimal`` in 万元 with two
places, shares are ``Decimal`` percent, missing values are ``None`` — a
blank printed cell is never turned into 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from jixiao.model import Document


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class FlagCode(str, Enum):
    SCHEDULE_SUM_NOT_100 = "SCHEDULE_SUM_NOT_100"
    SCHEDULE_SUM_NOT_BUDGET = "SCHEDULE_SUM_NOT_BUDGET"
    FUNDING_SUM_NOT_BUDGET = "FUNDING_SUM_NOT_BUDGET"
    VALUE_BLANK = "VALUE_BLANK"
    VALUE_NOT_A_VALUE = "VALUE_NOT_A_VALUE"
    LEVEL_SHIFT_REPAIRED = "LEVEL_SHIFT_REPAIRED"
    UNKNOWN_INDICATOR_NAME = "UNKNOWN_INDICATOR_NAME"
    INDICATOR_FROM_OTHER_PROJECT = "INDICATOR_FROM_OTHER_PROJECT"
    UNRECOGNIZED_TABLE = "UNRECOGNIZED_TABLE"
    MISSING_FIELD = "MISSING_FIELD"
    UNPARSED_AMOUNT = "UNPARSED_AMOUNT"
    EXTRACTION_NOTE = "EXTRACTION_NOTE"
    LOW_OCR_CONFIDENCE = "LOW_OCR_CONFIDENCE"


class TableTemplate(str, Enum):
    PROJECT = "project"  # 项目绩效目标表: one budget project
    DEPARTMENT = "department"  # 部门整体支出绩效目标表: the department as a whole
    UNRECOGNIZED = "unrecognized"


class ValueKind(str, Enum):
    QUANTITATIVE = "quantitative"
    QUALITATIVE = "qualitative"
    BLANK = "blank"


@dataclass
class DocumentMeta:
    title: str | None = None
    province: str | None = None
    city: str | None = None
    department: str | None = None
    year: int | None = None


@dataclass
class TableInfo:
    table_id: str
    template: TableTemplate
    section: str | None  # the heading the table sits under
    caption: str | None
    header_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col) of label cells


@dataclass
class Project:
    table_id: str
    project_seq: int  # 1-based, document order
    project_name: str | None
    implementing_unit: str | None
    competent_department: str | None  # 主管部门, when printed
    budget_wan_yuan: Decimal | None
    budget_text: str | None
    fiscal_funds_wan_yuan: Decimal | None  # 财政拨款
    carryover_funds_wan_yuan: Decimal | None  # 上年结转资金
    other_funds_wan_yuan: Decimal | None  # 其他资金
    overall_goal: str | None
    section: str | None
    page: int


@dataclass
class SpendingPeriod:
    table_id: str
    project_seq: int
    period_seq: int
    period_label: str  # as printed, whitespace removed: 3月底, 第一季度, 1月
    period_end_month: int | None
    share_percent: Decimal | None  # when the plan is printed in %
    amount_wan_yuan: Decimal | None  # when the plan is printed in 万元
    text: str  # the printed cell, '' when blank
    page: int


@dataclass
class Indicator:
    table_id: str
    project_seq: int | None  # None for a department-level table
    indicator_seq: int  # 1-based within the table
    level1: str | None  # printed names, each at its true level
    level2: str | None
    level3: str | None
    name_extra: str | None  # printed names no level could take (kept, never lost)
    level1_std: str | None  # 产出 / 效益 / 满意度 / 成本
    level2_std: str | None  # 数量 / 质量 / 时效 / 成本 / 经济效益 / …
    value_text: str | None
    value_op: str | None  # ≥ ≤ > < =
    value_num: float | None
    value_unit: str | None
    value_kind: ValueKind
    basis: str | None  # 指标值确定依据
    row: int
    page: int


@dataclass
class Flag:
    table_id: str | None
    row: int | None
    code: FlagCode
    severity: Severity
    message: str


@dataclass
class NormalizedDocument:
    """Everything the dataset holds about one document."""

    document: Document
    meta: DocumentMeta
    tables: list[TableInfo]
    projects: list[Project]
    spending: list[SpendingPeriod]
    indicators: list[Indicator]
    flags: list[Flag]
