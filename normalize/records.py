"""Canonical records: what normalisation makes of a layout document.

One dataclass per dataset table (the Parquet schema in ``jixiao.schema``
mirrors these field for field). Amounts are exact ``Decimal`` in 万元 (at
least two places; 元 amounts keep every decimal), shares are ``Decimal``
percent, missing values are ``None`` — a blank printed cell is never turned
into 0.
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


class FlagKind(str, Enum):
    """Whom a flag is about. An ``anomaly`` is a defect of the document
    itself; a ``notice`` is worth a look but no error; ``unread`` says that
    jixiao could not read a region (the document may be fine)."""

    ANOMALY = "anomaly"
    NOTICE = "notice"
    UNREAD = "unread"


class FlagCode(str, Enum):
    SCHEDULE_SUM_NOT_100 = "SCHEDULE_SUM_NOT_100"
    SCHEDULE_SUM_NOT_BUDGET = "SCHEDULE_SUM_NOT_BUDGET"
    SCHEDULE_BLANK = "SCHEDULE_BLANK"
    SCHEDULE_TOTAL_MISMATCH = "SCHEDULE_TOTAL_MISMATCH"
    SCHEDULE_NOT_CUMULATIVE = "SCHEDULE_NOT_CUMULATIVE"
    FUNDING_SUM_NOT_BUDGET = "FUNDING_SUM_NOT_BUDGET"
    TASKS_SUM_NOT_BUDGET = "TASKS_SUM_NOT_BUDGET"
    SUMMARY_MISMATCH = "SUMMARY_MISMATCH"
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
    UNREAD_REGION = "UNREAD_REGION"


#: The kind of each code: what a flag with it asserts.
FLAG_KINDS: dict[FlagCode, FlagKind] = {
    **{code: FlagKind.ANOMALY for code in FlagCode},
    FlagCode.UNKNOWN_INDICATOR_NAME: FlagKind.NOTICE,
    FlagCode.UNRECOGNIZED_TABLE: FlagKind.NOTICE,
    FlagCode.EXTRACTION_NOTE: FlagKind.NOTICE,
    FlagCode.LOW_OCR_CONFIDENCE: FlagKind.NOTICE,
    FlagCode.UNREAD_REGION: FlagKind.UNREAD,
}


class TableTemplate(str, Enum):
    PROJECT = "project"  # 项目绩效目标表: one budget project
    PROJECT_LIST = "project_list"  # a list of projects or special funds, one row group each, with indicators
    SUMMARY = "summary"  # a list of projects printed elsewhere (汇总表): cross-checked, no records
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
    county: str | None = None
    level: str | None = None  # province / city / county / township
    #: For each field that has a value: True when the document prints it,
    #: False when it was inferred (a city from its county, a province from its city).
    printed: dict[str, bool] = field(default_factory=dict)


@dataclass
class TableInfo:
    table_id: str
    template: TableTemplate
    section: str | None  # the heading the table sits under
    caption: str | None
    header_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col) of label cells


@dataclass
class FundingLine:
    """One printed source line of a budget (其中：财政拨款 440.00; 中央 1,000.00)."""

    table_id: str
    project_seq: int | None  # None for a department's budget
    line_seq: int
    label: str  # as printed, 其中： and brackets removed
    source: str  # fiscal / carryover / other / level
    amount_wan_yuan: Decimal | None  # None when printed blank
    text: str  # the printed cell ('' when blank)
    row: int


@dataclass
class Project:
    table_id: str
    project_seq: int  # 1-based, document order
    project_name: str | None
    implementing_unit: str | None
    competent_department: str | None  # 主管部门, when printed
    budget_wan_yuan: Decimal | None
    budget_text: str | None
    fiscal_funds_wan_yuan: Decimal | None  # 财政拨款 (every fiscal line added up)
    carryover_funds_wan_yuan: Decimal | None  # 上年结转资金
    other_funds_wan_yuan: Decimal | None  # 其他资金
    overall_goal: str | None
    section: str | None
    page: int
    period_text: str | None = None
    period_start: str | None = None  # YYYY-MM
    period_end: str | None = None
    midterm_goal: str | None = None
    midterm_budget_wan_yuan: Decimal | None = None
    midterm_budget_text: str | None = None
    project_attribute: str | None = None
    competent_department_code: str | None = None
    project_leader: str | None = None
    budget_execution_weight: Decimal | None = None
    amount_unit_printed: str | None = None
    plan_label: str | None = None
    special_fund: bool = False


@dataclass
class Department:
    """A 部门整体支出绩效目标表: the department's budget as a whole."""

    table_id: str
    department_name: str | None
    budget_wan_yuan: Decimal | None
    budget_text: str | None
    fiscal_funds_wan_yuan: Decimal | None
    carryover_funds_wan_yuan: Decimal | None
    other_funds_wan_yuan: Decimal | None
    overall_goal: str | None
    amount_unit_printed: str | None
    page: int


@dataclass
class Task:
    """One 年度主要任务 row of a department table (the 合计 row is not a task)."""

    table_id: str
    task_seq: int
    task_name: str | None
    content: str | None
    budget_wan_yuan: Decimal | None
    fiscal_funds_wan_yuan: Decimal | None
    other_funds_wan_yuan: Decimal | None
    row: int
    page: int


@dataclass
class SpendingPeriod:
    table_id: str
    project_seq: int
    period_seq: int
    period_label: str  # as printed, whitespace removed: 3月底, 第一季度, 1月
    period_end_month: int | None
    share_percent: Decimal | None  # when the plan is printed in %
    amount_wan_yuan: Decimal | None  # when the plan is printed in 万元 or 元
    text: str  # the printed cell, '' when blank
    page: int
    cumulative: bool | None = None  # running totals; None when the cell is blank


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
    basis: str | None  # 指标值确定依据 / 指标解释 / 备注
    row: int
    page: int
    horizon: str | None = None  # 长期 / 中期 / 年度 where the table prints separate blocks
    nature: str | None = None  # the printed 指标性质 / 计算符号 cell
    weight: Decimal | None = None  # 权重
    score: Decimal | None = None  # 分值
    scoring_rule: str | None = None  # 评分标准


@dataclass
class Flag:
    table_id: str | None
    row: int | None
    code: FlagCode
    severity: Severity
    message: str
    kind: FlagKind | None = None  # from the code when not given
    cell_range: str | None = None  # 'r3c0:r5c4' (0-based grid rows and columns, inclusive)

    def __post_init__(self) -> None:
        if self.kind is None:
            self.kind = FLAG_KINDS[FlagCode(self.code)]


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
    departments: list[Department] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    funding: list[FundingLine] = field(default_factory=list)
