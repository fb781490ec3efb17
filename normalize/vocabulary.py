"""What 绩效目标表 templates print, as data: the one place a label variant,
a unit word or a column header is listed.

Every reader in ``jixiao.normalize`` finds things by looking their printed
text up here, never by position and never by a string test of its own, so a
template family that words a label differently is taught to jixiao by adding
the variant to one tuple below.

Labels are matched on their *key*: whitespace removed, bracketed parts
removed (``项目资金（万元）`` → ``项目资金``; the bracket is read separately
for a unit), a leading ``其中：`` removed and a trailing colon dropped (see
:func:`jixiao.normalize.table_view.label_key`).

The variants come from the template families of the project's fixtures and
from the central and provincial forms they follow (财预〔2015〕88号 申报表,
财预〔2021〕101号 指标表, provincial 项目支出绩效目标表 and 部门整体支出绩效目标表,
专项转移支付绩效目标申报表).
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum


class Field(str, Enum):
    """Canonical fields a label can name."""

    PROJECT_NAME = "project_name"
    IMPLEMENTING_UNIT = "implementing_unit"
    COMPETENT_DEPARTMENT = "competent_department"
    PROJECT_LEADER = "project_leader"
    PROJECT_ATTRIBUTE = "project_attribute"
    PERIOD = "period"
    DEPARTMENT_NAME = "department_name"
    #: A label over sub-labels (资金情况, 项目资金) that may also carry the budget itself.
    FUNDS = "funds"
    BUDGET = "budget"
    MIDTERM_BUDGET = "midterm_budget"
    FISCAL = "fiscal"
    CARRYOVER = "carryover"
    OTHER = "other"
    #: A share of the budget by government level (中央 / 省级 / 市县级).
    LEVEL_SHARE = "level_share"
    #: 资金来源: a label over source lines; no value of its own.
    SOURCES = "sources"
    PLAN = "plan"
    GOAL_GROUP = "goal_group"
    GOAL = "goal"
    MIDTERM_GOAL = "midterm_goal"
    BUDGET_EXECUTION_WEIGHT = "budget_execution_weight"
    TASKS = "tasks"
    TASK_NAME = "task_name"
    TASK_CONTENT = "task_content"
    SERIAL = "serial"
    #: 填报人, 联系电话, 审核意见…: the form's footer, never a record.
    FOOTER = "footer"


#: Label variants of each field (keys, see module docstring).
FIELD_LABELS: dict[Field, tuple[str, ...]] = {
    Field.PROJECT_NAME: ("项目名称", "专项资金名称", "专项名称", "资金名称", "项目（资金）名称"),
    Field.IMPLEMENTING_UNIT: ("实施单位", "项目实施单位", "项目单位", "预算单位", "项目承担单位", "执行单位"),
    Field.COMPETENT_DEPARTMENT: ("主管部门", "主管单位", "项目主管部门", "主管部门及代码", "主管部门名称"),
    Field.PROJECT_LEADER: ("项目负责人", "负责人"),
    Field.PROJECT_ATTRIBUTE: ("项目属性", "项目类型", "项目性质"),
    Field.PERIOD: ("项目期", "项目实施期", "实施期限", "项目周期", "实施周期", "项目实施周期", "项目起止时间"),
    Field.DEPARTMENT_NAME: ("部门名称", "单位名称", "部门", "预算部门", "部门单位名称"),
    Field.FUNDS: ("项目资金", "资金情况", "预算金额", "资金总额及构成", "年度预算", "部门预算", "项目资金情况",
                  "资金投入情况", "预算情况"),
    Field.BUDGET: ("年度资金总额", "资金总额", "年度预算总额", "年度申请资金额度", "申请资金额度", "预算总额",
                   "年度预算资金", "项目资金总额", "部门预算总额", "年度总额", "合计", "总额", "金额合计"),
    Field.MIDTERM_BUDGET: ("中期资金总额", "中长期资金总额", "项目期资金总额", "实施期资金总额"),
    Field.FISCAL: ("财政拨款", "财政资金", "本级财政资金", "上级财政资金", "财政拨款资金", "一般公共预算拨款",
                   "一般公共预算", "政府性基金预算拨款", "政府性基金拨款", "政府性基金", "国有资本经营预算拨款",
                   "财政专户拨款", "纳入财政专户管理的收入", "财政补助"),
    Field.CARRYOVER: ("上年结转", "上年结转资金", "上年结余", "上年结余收入", "结转资金", "结转结余资金"),
    Field.OTHER: ("其他资金", "其他来源资金", "自筹资金", "单位自筹", "单位自有资金", "社会资金", "事业收入",
                  "其他收入"),
    Field.LEVEL_SHARE: ("中央", "省级", "市县级", "市级", "县级", "中央资金", "省级资金", "市级资金", "县级资金",
                        "市县级资金", "中央财政补助", "地方分担", "省级财政", "市县财政"),
    Field.SOURCES: ("资金来源", "其中"),
    Field.PLAN: ("资金支出计划", "资金支出进度计划", "累计支出计划", "支出计划", "预算执行进度", "用款计划",
                 "资金使用计划", "资金支付计划", "支出进度计划", "预算支出进度", "资金执行进度"),
    Field.GOAL_GROUP: ("总体目标", "项目总体目标", "绩效目标", "项目绩效目标"),
    Field.GOAL: ("年度目标", "年度绩效目标", "年度总体目标", "年度总体绩效目标", "部门年度总体目标"),
    Field.MIDTERM_GOAL: ("中期目标", "中长期目标", "长期目标", "项目期目标", "实施期目标", "中期绩效目标",
                         "长期绩效目标", "实施期绩效目标"),
    Field.BUDGET_EXECUTION_WEIGHT: ("预算执行率权重",),
    Field.TASKS: ("年度主要任务", "主要任务", "年度重点工作任务", "年度主要工作任务"),
    Field.TASK_NAME: ("任务名称", "任务", "工作任务"),
    Field.TASK_CONTENT: ("主要内容", "任务内容", "工作内容"),
    Field.SERIAL: ("序号", "编号"),
    Field.FOOTER: ("填报人", "联系电话", "填报日期", "审核意见", "主管部门审核意见", "财政部门审核意见",
                   "其他说明的问题", "备注说明", "单位负责人", "财务负责人", "填表人", "联系人"),
}

#: Source fields whose lines are kept in ``funding_detail``.
SOURCE_FIELDS = frozenset({Field.FISCAL, Field.CARRYOVER, Field.OTHER, Field.LEVEL_SHARE})
#: Fields whose value is an amount of money.
AMOUNT_FIELDS = frozenset({Field.BUDGET, Field.MIDTERM_BUDGET, Field.FUNDS} | SOURCE_FIELDS)
#: Fields that only group sub-labels and never hold a value themselves.
GROUP_ONLY_FIELDS = frozenset({Field.SOURCES, Field.GOAL_GROUP, Field.TASKS})
#: Words of a project-name label that mark a list of special funds (专项资金).
SPECIAL_FUND_WORDS = ("专项资金", "专项", "转移支付")

#: Rows that total a list (合计 row of 年度主要任务, 专项资金 lists).
TOTAL_ROW_WORDS = frozenset({"合计", "总计", "金额合计", "小计", "合计金额"})


class Role(str, Enum):
    """The role of a column of an indicator block, from its header text."""

    LEVEL1 = "level1"
    LEVEL2 = "level2"
    LEVEL3 = "level3"
    NATURE = "nature"
    VALUE = "value"
    UNIT = "unit"
    WEIGHT = "weight"
    SCORE = "score"
    SCORING_RULE = "scoring_rule"
    BASIS = "basis"


#: Header texts of indicator columns. 指标内容 / 指标名称 name the innermost
#: level in templates that print only two named levels.
INDICATOR_HEADERS: dict[Role, tuple[str, ...]] = {
    Role.LEVEL1: ("一级指标", "一级", "一级指标名称"),
    Role.LEVEL2: ("二级指标", "二级", "二级指标名称"),
    Role.LEVEL3: ("三级指标", "三级", "三级指标名称", "指标内容", "指标名称", "具体指标", "绩效指标名称"),
    Role.NATURE: ("指标性质", "计算符号", "符号", "比较符", "指标方向", "运算符号"),
    Role.VALUE: ("指标值", "目标值", "年度指标值", "绩效指标值", "预期目标值", "中期指标值", "年度目标值",
                 "指标目标值", "绩效目标值", "目标值（中期）", "目标值（年度）"),
    Role.UNIT: ("度量单位", "计量单位", "单位", "指标单位"),
    Role.WEIGHT: ("权重", "指标权重", "分值权重"),
    Role.SCORE: ("分值", "指标分值", "满分值"),
    Role.SCORING_RULE: ("评分标准", "评分规则", "评分方法", "评分办法", "计分方法"),
    Role.BASIS: ("指标值确定依据", "确定依据", "指标值设定依据", "指标解释", "备注", "指标说明",
                 "指标值说明", "设定依据"),
}
#: Roles that name the indicator (the left part of a row).
NAME_ROLES = (Role.LEVEL1, Role.LEVEL2, Role.LEVEL3)

#: Words of a block label or header that give an indicator block's horizon.
HORIZONS: tuple[tuple[str, str], ...] = (("中长期", "中期"), ("中期", "中期"), ("长期", "长期"),
                                         ("实施期", "中期"), ("年度", "年度"))
#: Text of cells that mark a row the template left unfilled (……).
TEMPLATE_FILLERS = frozenset({"…", "……", "...", "......", "…………", "--", "—", "——", "-", "/"})

#: Amount units: printed word → factor to 万元.
UNIT_FACTORS: dict[str, Decimal] = {
    "元": Decimal("0.0001"),
    "万元": Decimal(1),
    "亿元": Decimal(10000),
    "千元": Decimal("0.1"),
}
#: The unit a form means when neither label, value nor document says.
DEFAULT_UNIT = "万元"

#: Words of a plan label that say the periods are running totals.
CUMULATIVE_WORDS = ("累计", "执行进度", "截至", "累积")

#: Comparators of an indicator value, as symbols or words before the number.
OP_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("≥", ("≥", "≧", ">=", "＞＝", "不低于", "不少于", "不小于", "至少", "达到", "大于等于", "大于或等于")),
    ("≤", ("≤", "≦", "<=", "＜＝", "不超过", "不高于", "不多于", "不大于", "小于等于", "小于或等于", "控制在")),
    (">", (">", "＞", "大于", "高于", "超过", "多于")),
    ("<", ("<", "＜", "小于", "低于", "少于")),
    ("=", ("=", "＝", "等于")),
)
#: Comparators written after the number (90%以上).
OP_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("≥", ("以上", "及以上", "或以上")),
    ("≤", ("以下", "以内", "及以下", "或以下")),
)
#: Words that name a unit or a quantity rather than give a value (百分比 in
#: the 指标值 column is a template left unfilled).
NOT_A_VALUE = frozenset(
    {"百分比", "百分率", "比例", "比率", "数量", "数值", "个数", "人数", "次数", "金额", "万元", "元", "%", "％", "天", "个",
     "人", "次"}
)
