"""Each reading heuristic on a small hand-made grid: a ``jixiao.model.Table``
built in the test, put in a one-table Document and normalised. Expected
values are what the grid prints, worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.model import BBox, Block, BlockKind, Cell, Document, Page, Run, SourceInfo, Table, TableFragment
from jixiao.normalize import normalize_document
from jixiao.normalize.records import FlagCode, FlagKind, NormalizedDocument, TableTemplate, ValueKind

_BOX = BBox(x0=0, top=0, x1=10, bottom=10)
Spec = "str | tuple[str, int, int]"  # text, or (text, rowspan, colspan)


def table(rows: list[list], table_id: str = "t1") -> Table:
    """A table from rows written like HTML: each row lists the cells that
    start in it, left to right, skipping positions covered from above."""
    taken: set[tuple[int, int]] = set()
    cells = []
    n_cols = 0
    for r, row in enumerate(rows):
        c = 0
        for spec in row:
            text, rowspan, colspan = (spec, 1, 1) if isinstance(spec, str) else spec
            while (r, c) in taken:
                c += 1
            cells.append(Cell(row=r, col=c, rowspan=rowspan, colspan=colspan, text=text, page=1, bbox=_BOX))
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
            n_cols = max(n_cols, c)
    fragment = TableFragment(page=1, bbox=_BOX, first_row=0, n_rows=len(rows))
    return Table(id=table_id, n_rows=len(rows), n_cols=n_cols, cells=cells, fragments=[fragment])


def normalise(*tables: Table, before: list[str] = ()) -> NormalizedDocument:
    blocks = [Block(kind=BlockKind.COVER, runs=[Run(text="绵阳市农业农村局")], page=1, bbox=_BOX)]
    blocks += [Block(kind=BlockKind.PARAGRAPH, runs=[Run(text=t)], page=1, bbox=_BOX) for t in before]
    blocks += [Block(kind=BlockKind.TABLE, table_id=t.id, page=1, bbox=_BOX) for t in tables]
    doc = Document(doc_id="0" * 16, source=SourceInfo(path="x.pdf", sha256="0" * 64, size_bytes=1), engine="test",
                   pages=[Page(number=1, width=595, height=842)], blocks=blocks, tables=list(tables))
    return normalize_document(doc)


def codes(nd: NormalizedDocument) -> list[str]:
    return sorted(f.code.value for f in nd.flags)


INDICATORS = [
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "完成数量", "≥4个"],
]


# --- key–value reading -----------------------------------------------------------------------------------------


def test_value_right_of_its_label_and_amount_in_the_label_unit() -> None:
    nd = normalise(table([
        ["项目名称", ("水库加固", 1, 3)],
        ["主管部门", "某县水利局", "实施单位", "某中心"],
        [("项目资金（元）", 3, 1), "资金总额", ("3,256,800.00", 1, 2)],
        ["其中：一般公共预算拨款", ("1,302,720.00", 1, 2)],
        ["政府性基金预算拨款", ("1,954,080.00", 1, 2)],
        *INDICATORS,
    ]))
    (p,) = nd.projects
    assert (p.project_name, p.competent_department, p.implementing_unit) == ("水库加固", "某县水利局", "某中心")
    assert (p.budget_wan_yuan, p.budget_text, p.amount_unit_printed) == (Decimal("325.68"), "3,256,800.00", "元")
    assert p.fiscal_funds_wan_yuan == Decimal("325.68")  # both fiscal lines added
    assert [(f.label, f.amount_wan_yuan, f.source) for f in nd.funding] == [
        ("一般公共预算拨款", Decimal("130.272"), "fiscal"), ("政府性基金预算拨款", Decimal("195.408"), "fiscal")]
    assert codes(nd) == []


def test_values_below_a_row_of_labels_and_a_blank_one_is_null() -> None:
    nd = normalise(table([
        ["项目名称", ("文化项目", 1, 4)],
        [("资金情况（万元）", 2, 1), "中期资金总额", "年度资金总额", "其中：财政拨款", "其他资金"],
        ["1,380.00", "460.00", "460.00", ""],
        [("总体目标", 2, 1), ("中期目标（2021年—2023年）", 1, 2), ("年度目标（2022年）", 1, 2)],
        [("三年目标", 1, 2), ("今年目标", 1, 2)],
        ["一级指标", "二级指标", "三级指标", "指标值", "备注"],
        ["产出指标", "数量指标", "完成数量", "≥4个", ""],
    ]))
    (p,) = nd.projects
    assert (p.budget_wan_yuan, p.midterm_budget_wan_yuan, p.fiscal_funds_wan_yuan) == (
        Decimal("460.00"), Decimal("1380.00"), Decimal("460.00"))
    assert p.other_funds_wan_yuan is None  # printed blank: null, never 0
    assert [(f.label, f.amount_wan_yuan, f.text) for f in nd.funding] == [
        ("财政拨款", Decimal("460.00"), "460.00"), ("其他资金", None, "")]
    assert (p.overall_goal, p.midterm_goal) == ("今年目标", "三年目标")
    assert codes(nd) == []


def test_composite_cells_unit_in_the_value_and_name_with_code() -> None:
    nd = normalise(table([
        ["项目名称", ("河道保洁", 1, 3)],
        ["主管部门及代码", "某县文化局（312001）", "项目期", "2021年3月—2021年11月"],
        ["项目资金", "年度资金总额：486.30万元", "其中：上级财政资金：326.50万元", "其他资金：159.80万元"],
        *INDICATORS,
    ]))
    (p,) = nd.projects
    assert (p.competent_department, p.competent_department_code) == ("某县文化局", "312001")
    assert (p.period_start, p.period_end) == ("2021-03", "2021-11")
    assert (p.budget_wan_yuan, p.budget_text, p.amount_unit_printed) == (
        Decimal("486.30"), "486.30万元", "万元 in the value")
    assert (p.fiscal_funds_wan_yuan, p.other_funds_wan_yuan) == (Decimal("326.50"), Decimal("159.80"))


def test_document_unit_line_applies_to_unlabelled_amounts() -> None:
    nd = normalise(table([["项目名称", "甲"], ["年度资金总额", "12,000.00"], *[r[:2] + r[3:] for r in INDICATORS]]),
                   before=["金额单位：元"])
    assert nd.projects[0].budget_wan_yuan == Decimal("1.20")


def test_sources_that_do_not_add_up_are_an_anomaly() -> None:
    nd = normalise(table([
        ["项目名称", "甲"], ["年度资金总额", "100.00"], ["其中：财政拨款", "90.00"], ["上年结转", "20.00"],
        ["一级指标", "三级指标", "指标值"], ["产出指标", "完成数量", "4个"],
    ]))
    (flag,) = nd.flags
    assert (flag.code, flag.kind, flag.row) == (FlagCode.FUNDING_SUM_NOT_BUDGET, FlagKind.ANOMALY, None)


def test_an_unknown_label_is_one_unread_region_not_an_anomaly() -> None:
    nd = normalise(table([
        ["项目名称", "甲", "项目编码", "A-01"],
        ["项目联系人", "张三", "联系地址", "某路 1 号"],
        ["年度资金总额", ("10.00", 1, 3)],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "完成数量", "4个"],
    ]))
    unread = [f for f in nd.flags if f.code is FlagCode.UNREAD_REGION]
    assert len(nd.flags) == len(unread) == 1
    assert (unread[0].kind, unread[0].cell_range) == (FlagKind.UNREAD, "r0c0:r1c3")
    assert nd.projects[0].budget_wan_yuan == Decimal("10.00")


# --- indicator blocks ------------------------------------------------------------------------------------------


def test_split_value_columns_are_read_by_their_headers() -> None:
    nd = normalise(table([
        ["项目名称", ("甲", 1, 7)],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重（%）", "指标解释"],
        [("产出指标", 2, 1), ("数量指标", 2, 1), "新建面积", "≥", "8.5", "万亩", "10", "反映任务"],
        ["完成时间", "定性", "2023年12月31日前", "", "5", "反映进度"],
        ["效益指标", "生态效益指标", "灌溉水利用系数", "＝", "0.55", "", "6", ""],
    ]))
    a, b, c = nd.indicators
    assert (a.value_text, a.value_op, a.value_num, a.value_unit, a.nature, a.weight, a.basis) == (
        "8.5", "≥", 8.5, "万亩", "≥", Decimal(10), "反映任务")
    assert (b.value_kind, b.value_op, b.value_num, b.nature) == (ValueKind.QUALITATIVE, None, None, "定性")
    assert (c.value_op, c.value_num, c.value_unit, c.level2_std) == ("=", 0.55, None, "生态效益")
    assert [i.level1 for i in nd.indicators] == ["产出指标", "产出指标", "效益指标"]


def test_two_blocks_with_side_labels_get_their_horizon_and_the_footer_is_no_indicator() -> None:
    nd = normalise(table([
        ["项目名称", ("甲", 1, 4)],
        [("中期绩效指标", 2, 1), "一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "建成数量", "≥120个"],
        [("年度绩效指标", 3, 1), "一级指标", "二级指标", "三级指标", "指标值"],
        [("产出指标", 2, 1), "数量指标", "新建数量", "40个"],
        ["成本指标", "单个补助标准", "≤30万元"],
        ["填报人", "王某", "联系电话", ("0578-1", 1, 2)],
        ["审核意见", ("经审核，同意。", 1, 4)],
        ["……", "……", "……", "……", "……"],
    ]))
    assert [(i.horizon, i.level1, i.level3, i.row) for i in nd.indicators] == [
        ("中期", "产出指标", "建成数量", 2), ("年度", "产出指标", "新建数量", 4), ("年度", "产出指标", "单个补助标准", 5)]
    assert (nd.indicators[2].level1_std, nd.indicators[2].level2_std) == ("产出", "成本")  # 成本 as a 二级 of 产出
    assert codes(nd) == []


def test_one_block_has_no_horizon_and_cost_as_level1_with_a_cost_level2() -> None:
    nd = normalise(table([
        ["项目名称", ("甲", 1, 4)],
        [("年度绩效指标", 3, 1), "一级指标", "二级指标", "三级指标", "指标值"],
        ["成本指标", "经济成本指标", "单位成本", "≤1.2万元"],
        ["效益指标", "环境效益指标", "水质达标率", "100%"],
    ]))
    assert [(i.horizon, i.level1_std, i.level2_std) for i in nd.indicators] == [
        (None, "成本", "经济成本"), (None, "效益", "生态效益")]


def test_a_row_shifted_left_is_repaired_and_flagged() -> None:
    nd = normalise(table([
        ["项目名称", ("甲", 1, 5)],
        [("绩效指标", 2, 1), "一级指标", "二级指标", "三级指标", "指标值", "指标值确定依据"],
        ["产出指标", "数量指标", "完成数量", "4个", "计划"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", ("调查", 1, 2)],
    ]))
    last = nd.indicators[-1]
    assert (last.level1, last.level2, last.level3, last.value_text, last.basis) == (
        "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "调查")
    assert codes(nd) == ["LEVEL_SHIFT_REPAIRED"]


def test_an_empty_level2_cell_is_null_and_flagged() -> None:
    nd = normalise(table([
        ["项目名称", ("甲", 1, 3)],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        [("产出指标", 3, 1), "数量指标", "检测样品数量", "≥3000个"],
        ["", "合格率", "≥97%"],
        ["时效指标", "报送时间", "每季度末10日内"],
    ]))
    assert (nd.indicators[1].level2, nd.indicators[1].level2_std, nd.indicators[1].level1_std) == (None, None, "产出")
    (flag,) = nd.flags
    assert (flag.code, flag.row, flag.kind) == (FlagCode.MISSING_FIELD, 3, FlagKind.ANOMALY)


# --- spending plans --------------------------------------------------------------------------------------------


def _plan_doc(plan_rows: list[list], budget: str = "120.00") -> NormalizedDocument:
    return normalise(table([["项目名称", ("甲", 1, 6)], ["年度资金总额", (budget, 1, 6)], *plan_rows,
                            ["一级指标", "二级指标", ("三级指标", 1, 4), "指标值"],
                            ["产出指标", "数量指标", ("完成数量", 1, 4), "4个"]]))


def test_two_header_value_row_pairs_are_one_plan_of_twelve_months() -> None:
    months = [f"{m}月" for m in range(1, 13)]
    nd = _plan_doc([[("资金支出计划（万元）", 4, 1), *months[:6]], ["10.00"] * 6, months[6:], ["10.00"] * 6])
    assert [p.period_end_month for p in nd.spending] == list(range(1, 13))
    assert {p.amount_wan_yuan for p in nd.spending} == {Decimal("10.00")}
    assert {p.cumulative for p in nd.spending} == {False}
    assert codes(nd) == []


def test_cumulative_by_label_and_by_values() -> None:
    by_label = _plan_doc([[("资金支出进度计划（累计执行进度）", 2, 1), "截至3月底", "截至6月底", "截至9月底", "截至12月底"],
                          ["25%", "50%", "75%", "100%"]])
    assert [(p.share_percent, p.cumulative) for p in by_label.spending] == [
        (Decimal("25.00"), True), (Decimal("50.00"), True), (Decimal("75.00"), True), (Decimal("100.00"), True)]
    by_values = _plan_doc([[("支出计划（万元）", 2, 1), "第一季度末", "第二季度末", "第三季度末", "第四季度末"],
                           ["30.00", "60.00", "90.00", "120.00"]])
    assert {p.cumulative for p in by_values.spending} == {True}
    assert codes(by_label) == codes(by_values) == []


def test_total_column_is_no_period_and_is_checked() -> None:
    nd = _plan_doc([[("资金支出计划（元）", 2, 1), "第一季度", "第二季度", "第三季度", "第四季度", "合计"],
                    ["300,000.00", "300,000.00", "300,000.00", "300,000.00", "1,300,000.00"]])
    assert [p.period_label for p in nd.spending] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert nd.spending[0].amount_wan_yuan == Decimal("30.00")
    assert codes(nd) == ["SCHEDULE_TOTAL_MISMATCH"]


def test_plan_missing_the_budget_and_a_blank_plan() -> None:
    short = _plan_doc([[("资金支出计划（万元）", 2, 1), "1月", "2月", "3月"], ["", "50.00", "50.00"]])
    assert [p.cumulative for p in short.spending] == [None, False, False]
    assert codes(short) == ["SCHEDULE_SUM_NOT_BUDGET"]
    blank = _plan_doc([[("资金支出计划（%）", 2, 1), "3月底", "6月底"], ["", ""]])
    assert codes(blank) == ["SCHEDULE_BLANK"]


# --- lists and department tables -------------------------------------------------------------------------------


def test_special_fund_list_gives_one_project_per_row_group() -> None:
    nd = normalise(table([
        [("专项资金名称", 2, 1), ("主管部门", 2, 1), ("资金总额及构成（万元）", 1, 3), ("绩效指标", 1, 4)],
        ["合计", "中央", "省级", "一级指标", "二级指标", "三级指标", "指标值"],
        [("甲资金", 2, 1), ("某局", 2, 1), ("100.00", 2, 1), ("60.00", 2, 1), ("40.00", 2, 1), ("产出指标", 2, 1),
         "数量指标", "数量", "2个"],
        ["质量指标", "合格率", "≥90%"],
        ["乙资金", "某局", "50.00", "50.00", "0.00", "满意度指标", "服务对象满意度指标", "满意度", "≥90%"],
    ]))
    assert nd.tables[0].template is TableTemplate.PROJECT_LIST
    assert [(p.project_name, p.budget_wan_yuan, p.special_fund, p.competent_department) for p in nd.projects] == [
        ("甲资金", Decimal("100.00"), True, "某局"), ("乙资金", Decimal("50.00"), True, "某局")]
    assert [(f.project_seq, f.label, f.source) for f in nd.funding] == [
        (1, "中央", "level"), (1, "省级", "level"), (2, "中央", "level"), (2, "省级", "level")]
    assert [i.project_seq for i in nd.indicators] == [1, 1, 2]
    assert codes(nd) == []


def test_summary_list_is_cross_checked_not_recorded_twice() -> None:
    form = table([["项目名称", "甲项目"], ["年度资金总额", "100.00"], ["一级指标", "三级指标", "指标值"],
                  ["产出指标", "数量", "2个"]], "t2")
    summary = table([["序号", "项目名称", "年度资金总额（万元）"], ["1", "甲项目", "90.00"]], "t1")
    nd = normalise(summary, form)
    assert [t.template for t in nd.tables] == [TableTemplate.SUMMARY, TableTemplate.PROJECT]
    assert len(nd.projects) == 1
    (flag,) = nd.flags
    assert (flag.code, flag.table_id, flag.row) == (FlagCode.SUMMARY_MISMATCH, "t1", 1)


def test_department_table_with_tasks_and_totals() -> None:
    nd = normalise(table([
        [("部门（单位）名称", 1, 2), ("某局", 1, 4)],
        [("年度主要任务", 5, 1), ("任务名称", 2, 1), ("主要内容", 2, 2), ("预算金额（万元）", 1, 3)],
        ["总额", "财政拨款", "其他资金"],
        ["人员保障", ("工资", 1, 2), "70.00", "70.00", "0.00"],
        ["公用经费", ("运转", 1, 2), "30.00", "20.00", "10.00"],
        [("金额合计", 1, 3), "100.00", "90.00", "10.00"],
        ["年度总体目标", ("保障运转", 1, 5)],
        [("年度绩效指标", 2, 1), "一级指标", "二级指标", ("三级指标", 1, 2), "指标值"],
        ["产出指标", "数量指标", ("保障人数", 1, 2), "≥100人"],
    ]))
    (d,) = nd.departments
    assert (d.department_name, d.budget_wan_yuan, d.fiscal_funds_wan_yuan, d.other_funds_wan_yuan, d.overall_goal) == (
        "某局", Decimal("100.00"), Decimal("90.00"), Decimal("10.00"), "保障运转")
    assert [(t.task_name, t.content, t.budget_wan_yuan) for t in nd.tasks] == [
        ("人员保障", "工资", Decimal("70.00")), ("公用经费", "运转", Decimal("30.00"))]
    assert [(i.project_seq, i.level3) for i in nd.indicators] == [(None, "保障人数")]
    assert codes(nd) == []


def test_a_table_of_no_known_form_keeps_its_cells_and_says_so_once() -> None:
    nd = normalise(table([["序号", "股室", "主要绩效指标", "指标值"], ["1", "办公室", "办理及时率", "100%"]]))
    assert (nd.projects, nd.indicators) == ([], [])
    (flag,) = nd.flags
    assert (flag.code, flag.kind) == (FlagCode.UNRECOGNIZED_TABLE, FlagKind.NOTICE)


@pytest.mark.parametrize(("department", "expected"), [
    ("绵阳市农业农村局", ("四川省", "绵阳市", None, "city", {"province": False, "city": True})),
    ("青溪县文化和广电旅游体育局", (None, None, "青溪县", "county", {"county": True})),
    ("南京市鼓楼区财政局", ("江苏省", "南京市", "鼓楼区", "county", {"province": False, "city": True, "county": True})),
    ("鼓楼区财政局", (None, None, None, None, {})),  # four 鼓楼区: none is chosen without context
])
def test_places_from_the_department_name(department: str, expected: tuple) -> None:
    doc = Document(doc_id="0" * 16, source=SourceInfo(path="x.pdf", sha256="0" * 64, size_bytes=1), engine="test",
                   pages=[Page(number=1, width=595, height=842)],
                   blocks=[Block(kind=BlockKind.COVER, runs=[Run(text=f"{department}编制")], page=1, bbox=_BOX)],
                   tables=[])
    from jixiao.normalize.metadata import document_meta

    meta = document_meta(doc)
    printed = {k: v for k, v in meta.printed.items() if k in ("province", "city", "county")}
    assert (meta.province, meta.city, meta.county, meta.level, printed) == expected


def test_a_form_row_printed_again_after_a_page_break_starts_no_new_project() -> None:
    nd = normalise(table([
        ["项目名称", ("甲", 1, 3)],
        ["年度资金总额", ("10.00", 1, 3)],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "完成数量", "4个"],
        ["项目名称", ("甲", 1, 3)],
        ["产出指标", "质量指标", "合格率", "100%"],
    ]))
    assert [p.project_name for p in nd.projects] == ["甲"]
    assert [i.level3 for i in nd.indicators] == ["完成数量", "合格率"]
    assert codes(nd) == []
