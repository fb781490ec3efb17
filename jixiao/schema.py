"""The dataset schema, defined once: one Arrow schema per dataset table.

The writer (``jixiao.output.dataset``), the reader (``jixiao.dataset``), the
DuckDB export and ``docs/DATASET.md`` all follow these schemas; a test checks
that the data dictionary lists every column with the type and meaning given
here. Every field carries its meaning as field metadata ``{"zh": …, "en": …}``
so a Parquet file documents itself to any tool that shows field metadata.

Types are chosen for exactness and for BI tools: amounts are
``decimal128(18, 6)`` in 万元 — six places hold a 元 amount to the fen exactly
(``1,302,720.00`` 元 = 130.272 万元) — and shares ``decimal128(7, 2)`` in
percent (never float, so sums reconcile to the cent); bounding boxes are four flat float32
columns (BI tools handle structs badly); coordinates are in PDF points, origin
top-left, rounded to 1/100 pt by the extractor, which float32 holds exactly
enough to restore them (see ``jixiao.dataset.load_document``).

Files are hive-partitioned by the budget year: ``<table>/year=2023/<doc_id>.parquet``.
``year`` is not a column inside the files; an unknown year is written as
``year=0`` because pandas (and some other readers) cannot read a null hive
partition (``year=__HIVE_DEFAULT_PARTITION__``).

The layout model's diagnostics have no table of their own: they are rows of
``flags`` with code ``EXTRACTION_NOTE`` whose message encodes the diagnostic's
code and page (:func:`note_message`, :func:`note_from_message`), so the layout
document can be rebuilt from the dataset alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from jixiao.model import Diagnostic

#: Bumped whenever a column is added, removed or changes meaning.
SCHEMA_VERSION = "2.1"

#: Key-value metadata keys every Parquet file carries.
META_SCHEMA_VERSION = "jixiao.schema_version"
META_TABLE = "jixiao.table"

AMOUNT = pa.decimal128(18, 6)  # 万元, exact to the fen
SHARE = pa.decimal128(7, 2)  # percent
WEIGHT = pa.decimal128(9, 4)  # 权重 / 分值 as printed
POINT = pa.float32()  # PDF points


def _field(name: str, type_: pa.DataType, zh: str, en: str, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"zh": zh, "en": en})


def meaning(field: pa.Field) -> tuple[str, str]:
    """The field's meaning as (Chinese, English)."""
    metadata = field.metadata or {}
    return metadata[b"zh"].decode(), metadata[b"en"].decode()


#: The hive partition column: in the directory name only, added back by readers.
YEAR = _field("year", pa.int32(), "预算年度（0 = 未知）", "budget year (0 = unknown)", nullable=False)


def _doc_id() -> pa.Field:
    return _field("doc_id", pa.string(), "文档编号（PDF 内容 SHA-256 的前 16 位）",
                  "document id: first 16 hex digits of the PDF's SHA-256", nullable=False)


def _bbox(what: str, what_zh: str) -> list[pa.Field]:
    return [
        _field("bbox_x0", POINT, f"{what_zh}左边界（磅，页面左上角为原点）", f"left edge of the {what} (pt, origin top-left)"),
        _field("bbox_top", POINT, f"{what_zh}上边界（磅）", f"top edge of the {what} (pt)"),
        _field("bbox_x1", POINT, f"{what_zh}右边界（磅）", f"right edge of the {what} (pt)"),
        _field("bbox_bottom", POINT, f"{what_zh}下边界（磅）", f"bottom edge of the {what} (pt)"),
    ]


RUN = pa.struct([
    _field("text", pa.string(), "文字", "text"),
    _field("bold", pa.bool_(), "是否粗体", "bold"),
    _field("font", pa.string(), "字体名", "font name"),
    _field("size", POINT, "字号（磅）", "font size (pt)"),
])

FRAGMENT = pa.struct([
    _field("page", pa.int32(), "页码", "page number"),
    _field("first_row", pa.int32(), "本页第一行的行号（从 0 起）", "first grid row on this page (0-based)"),
    _field("n_rows", pa.int32(), "本页行数", "number of grid rows on this page"),
    *_bbox("table part on this page", "本页表格部分"),
])


def _table(name: str, zh: str, en: str, fields: list[pa.Field]) -> pa.Schema:
    return pa.schema(
        [_doc_id(), *fields],
        metadata={META_SCHEMA_VERSION: SCHEMA_VERSION, META_TABLE: name, "zh": zh, "en": en},
    )


DOCUMENTS = _table("documents", "文档：每个 PDF 一行，含处理状态", "documents: one row per PDF, with its processing status", [
    _field("source_path", pa.string(), "读取的 PDF 路径（绝对路径）", "absolute path the PDF was read from"),
    _field("source_paths", pa.list_(pa.string()), "内容相同的文件所在的全部路径", "every path the same bytes were found under"),
    _field("source_relpath", pa.string(), "相对语料根目录的路径（/ 分隔）",
           "path relative to the corpus root (/ separators)"),
    _field("corpus_root", pa.string(), "运行时语料根目录的绝对路径", "absolute path of the corpus root at run time"),
    _field("source_url", pa.string(), "来源网址（manifest.csv）", "where the PDF was published (manifest.csv)"),
    _field("source_path_bytes", pa.binary(), "路径的原始字节（仅当路径不是 UTF-8 时）",
           "the path's exact bytes (only when it is not UTF-8; source_path then shows it decoded)"),
    _field("sha256", pa.string(), "PDF 内容的 SHA-256", "SHA-256 of the PDF's bytes"),
    _field("size_bytes", pa.int64(), "文件大小（字节）", "file size in bytes"),
    _field("pages", pa.int32(), "读出的页数", "number of pages read"),
    _field("unread_pages", pa.list_(pa.int32()), "未能读出（或未能读出文字）的页码",
           "pages that could not be read, or whose text could not be (status partial)"),
    _field("ocr_pages", pa.int32(), "经 OCR 识别的页数", "number of pages read by OCR"),
    _field("title", pa.string(), "文档标题（封面）", "document title (from the cover)"),
    _field("pdf_title", pa.string(), "PDF 元数据中的标题", "title in the PDF's metadata"),
    _field("province", pa.string(), "省", "province"),
    _field("city", pa.string(), "市", "city"),
    _field("department", pa.string(), "部门（单位）", "department (budget unit)"),
    _field("doc_key", pa.string(), "文档键：部门/年度/标题（规范化），同一文档的不同版本相同",
           "document key: department/year/title, normalised; equal for renderings of one document"),
    _field("duplicate_of", pa.string(), "同一文档另一版本的 doc_id（本行为重复时）",
           "doc_id of the rendering counted instead of this one (null: count this row)"),
    _field("producer", pa.string(), "PDF 生成软件（Producer）", "PDF producer"),
    _field("creator", pa.string(), "PDF 创建软件（Creator）", "PDF creator"),
    _field("engine", pa.string(), "表格识别引擎", "table engine (pdfplumber or camelot)"),
    _field("settings", pa.string(), "提取设置（JSON）", "extraction settings (JSON: engine, parser, ocr)"),
    _field("input_key", pa.string(), "输入指纹：内容、设置、清单值与版本的哈希",
           "hash of what the rows depend on: the PDF's bytes, settings, manifest values, versions"),
    _field("pipeline_version", pa.string(), "jixiao 版本", "jixiao version that wrote the rows"),
    _field("schema_version", pa.string(), "数据集结构版本", "dataset schema version", nullable=False),
    _field("layout_schema_version", pa.string(), "版面模型结构版本", "layout model schema version"),
    _field("extracted_at", pa.timestamp("us", tz="UTC"), "处理时间（UTC）", "when the document was processed (UTC)"),
    _field("status", pa.string(), "处理状态：ok、partial 或 failed", "processing status: ok, partial or failed",
           nullable=False),
    _field("error_code", pa.string(), "错误代码（失败或部分读出时）", "error code (when failed or partial)"),
    _field("error", pa.string(), "错误信息（失败或部分读出时）", "error message (when failed or partial)"),
    _field("n_tables", pa.int32(), "表格数", "number of tables"),
    _field("n_projects", pa.int32(), "项目数", "number of projects"),
    _field("n_indicators", pa.int32(), "绩效指标数", "number of indicators"),
    _field("n_flags", pa.int32(), "质量标记数", "number of flags"),
    _field("seconds", pa.float64(), "处理耗时（秒）", "processing time (seconds)"),
])

PAGES = _table("pages", "页面", "pages", [
    _field("page", pa.int32(), "页码（从 1 起）", "page number (1-based)", nullable=False),
    _field("width", POINT, "页宽（磅）", "page width (pt)"),
    _field("height", POINT, "页高（磅）", "page height (pt)"),
    _field("rotation", pa.int16(), "旋转角度", "rotation (degrees)"),
    _field("label", pa.string(), "印刷页码", "printed page number"),
    _field("text_layer", pa.bool_(), "是否有文字层（否 = 扫描页）", "has a text layer (false = scanned page)"),
])

BLOCKS = _table("blocks", "正文块：按阅读顺序", "blocks of the body, in reading order", [
    _field("seq", pa.int32(), "阅读顺序（从 0 起）", "reading order (0-based)", nullable=False),
    _field("kind", pa.string(), "块类型", "block kind (cover, toc_title, toc_entry, heading, paragraph, caption, table)",
           nullable=False),
    _field("level", pa.int16(), "标题级别或目录缩进级别", "heading level or toc indentation level"),
    _field("text", pa.string(), "文字（各段文字连接）", "text (the runs joined)"),
    _field("runs", pa.list_(RUN), "同一样式的文字段", "stretches of text in one style"),
    _field("page_label", pa.string(), "目录条目印出的页码", "page number a toc entry prints"),
    _field("table_id", pa.string(), "表格块、表题所指的表格", "table a table block or caption refers to"),
    _field("page", pa.int32(), "起始页码", "page the block starts on", nullable=False),
    _field("page_end", pa.int32(), "结束页码（跨页时）", "page the block ends on (when it crosses a page break)"),
    *_bbox("block on its first page", "块在首页的"),
    _field("confidence", pa.float32(), "OCR 置信度 0–1（取各行最低值；有文字层时为空）",
           "OCR confidence 0–1 (the lowest of its lines; null for a text layer)"),
])

TABLES_TABLE = _table("tables", "表格（跨页表格已拼接）", "tables (stitched across pages)", [
    _field("table_id", pa.string(), "表格编号", "table id", nullable=False),
    _field("seq", pa.int32(), "表格块的阅读顺序", "reading order (blocks.seq) of the table's block"),
    _field("template", pa.string(), "表格模板：project、department 或 unrecognized",
           "table template: project, department or unrecognized"),
    _field("section", pa.string(), "表格所在的标题", "heading the table sits under"),
    _field("caption", pa.string(), "表题", "caption"),
    _field("n_rows", pa.int32(), "行数", "number of grid rows"),
    _field("n_cols", pa.int32(), "列数", "number of grid columns"),
    _field("page_start", pa.int32(), "起始页码", "first page"),
    _field("page_end", pa.int32(), "结束页码", "last page"),
    _field("engine", pa.string(), "表格识别引擎", "table engine"),
    _field("fragments", pa.list_(FRAGMENT), "每页上的表格部分", "the part of the table printed on each page"),
])

CELLS = _table("cells", "单元格（合并单元格只记一次）", "cells (a merged cell is one row)", [
    _field("table_id", pa.string(), "表格编号", "table id", nullable=False),
    _field("row", pa.int32(), "起始行（从 0 起）", "first grid row (0-based)", nullable=False),
    _field("col", pa.int32(), "起始列（从 0 起）", "first grid column (0-based)", nullable=False),
    _field("rowspan", pa.int32(), "跨行数", "rows spanned"),
    _field("colspan", pa.int32(), "跨列数", "columns spanned"),
    _field("text", pa.string(), "文字", "text"),
    _field("page", pa.int32(), "页码", "page number"),
    *_bbox("cell", "单元格"),
    _field("is_header", pa.bool_(), "是否为标签单元格（表头）", "label cell (header), not a value"),
    _field("confidence", pa.float32(), "OCR 置信度 0–1（有文字层时为空）", "OCR confidence 0–1 (null for a text layer)"),
])

PROJECTS = _table("projects", "项目（项目绩效目标表；专项资金表每项资金一行）",
                  "projects (one per project form; one per fund of a special-fund list)", [
    _field("table_id", pa.string(), "表格编号", "table id", nullable=False),
    _field("project_seq", pa.int32(), "项目序号（从 1 起，文档顺序）", "project number (1-based, document order)",
           nullable=False),
    _field("project_name", pa.string(), "项目名称", "project name"),
    _field("implementing_unit", pa.string(), "实施单位（项目单位、预算单位）", "implementing unit (项目单位, 预算单位)"),
    _field("competent_department", pa.string(), "主管部门", "competent department"),
    _field("budget_wan_yuan", AMOUNT, "年度资金总额（万元）", "the year's budget (10k yuan)"),
    _field("budget_text", pa.string(), "年度资金总额原文（含单位时保留单位）", "the budget as printed (with its unit when printed)"),
    _field("fiscal_funds_wan_yuan", AMOUNT, "财政拨款（万元，各财政来源合计）",
           "fiscal funds (10k yuan, every fiscal source line added up)"),
    _field("carryover_funds_wan_yuan", AMOUNT, "上年结转资金（万元）", "funds carried over from last year (10k yuan)"),
    _field("other_funds_wan_yuan", AMOUNT, "其他资金（万元）", "other funds (10k yuan)"),
    _field("overall_goal", pa.string(), "年度（总体）目标", "the year's (overall) goal"),
    _field("section", pa.string(), "所在标题", "heading the table sits under"),
    _field("page", pa.int32(), "页码（项目第一行所在页）", "page of the project's first row", nullable=False),
    _field("period_text", pa.string(), "项目期（原文）", "project period as printed"),
    _field("period_start", pa.string(), "项目期起（YYYY-MM）", "project period start (YYYY-MM)"),
    _field("period_end", pa.string(), "项目期止（YYYY-MM）", "project period end (YYYY-MM)"),
    _field("midterm_goal", pa.string(), "中期（长期）目标", "midterm (long-term) goal"),
    _field("midterm_budget_wan_yuan", AMOUNT, "中期资金总额（万元）", "midterm budget (10k yuan)"),
    _field("midterm_budget_text", pa.string(), "中期资金总额原文", "midterm budget as printed"),
    _field("project_attribute", pa.string(), "项目属性（新增、延续…）", "project attribute (new, continuing…)"),
    _field("competent_department_code", pa.string(), "主管部门代码", "competent department code"),
    _field("project_leader", pa.string(), "项目负责人", "project leader"),
    _field("budget_execution_weight", WEIGHT, "预算执行率权重（%）", "weight of the budget execution rate (%)"),
    _field("amount_unit_printed", pa.string(), "金额单位及其印处（'元'、'万元 in the value'…）",
           "amount unit and where it is printed (label unit, 'in the value', or the document's unit line)"),
    _field("plan_label", pa.string(), "资金支出计划的标签原文", "the spending plan's label as printed"),
    _field("special_fund", pa.bool_(), "是否专项资金（专项资金表中的一项）", "a special fund (a row group of a 专项资金 list)"),
])

FUNDING = _table("funding", "资金来源明细：预算的每一行来源", "funding lines: every printed source line of a budget", [
    _field("table_id", pa.string(), "表格编号", "table id", nullable=False),
    _field("project_seq", pa.int32(), "项目序号（部门整体预算为空）", "project number (null for a department's budget)"),
    _field("line_seq", pa.int32(), "行序号（从 1 起）", "line number (1-based)", nullable=False),
    _field("label", pa.string(), "来源名称（原文，去“其中：”）", "source label as printed, 其中： removed", nullable=False),
    _field("source", pa.string(), "来源类别：fiscal、carryover、other 或 level（中央/省级/市县级）",
           "source kind: fiscal, carryover, other or level (中央 / 省级 / 市县级)", nullable=False),
    _field("amount_wan_yuan", AMOUNT, "金额（万元；空白为空）", "amount (10k yuan; null when printed blank)"),
    _field("text", pa.string(), "单元格原文", "the printed cell", nullable=False),
    _field("row", pa.int32(), "表格行号", "grid row", nullable=False),
])

DEPARTMENTS = _table("departments", "部门整体支出绩效目标表", "department-level performance tables", [
    _field("table_id", pa.string(), "表格编号", "table id", nullable=False),
    _field("department_name", pa.string(), "部门（单位）名称", "department name"),
    _field("budget_wan_yuan", AMOUNT, "年度预算总额（万元）", "the year's budget (10k yuan)"),
    _field("budget_text", pa.string(), "年度预算总额原文", "the budget as printed"),
    _field("fiscal_funds_wan_yuan", AMOUNT, "财政拨款（万元）", "fiscal funds (10k yuan)"),
    _field("carryover_funds_wan_yuan", AMOUNT, "上年结转（万元）", "carried over (10k yuan)"),
    _field("other_funds_wan_yuan", AMOUNT, "其他资金（万元）", "other funds (10k yuan)"),
    _field("overall_goal", pa.string(), "年度总体目标", "the year's overall goal"),
    _field("amount_unit_printed", pa.string(), "金额单位及其印处", "amount unit and where it is printed"),
    _field("page", pa.int32(), "页码", "page number", nullable=False),
])

DEPARTMENT_TASKS = _table("department_tasks", "部门年度主要任务", "a department's main tasks of the year", [
    _field("table_id", pa.string(), "表格编号", "table id", nullable=False),
    _field("task_seq", pa.int32(), "任务序号（从 1 起）", "task number (1-based)", nullable=False),
    _field("task_name", pa.string(), "任务名称", "task name"),
    _field("content", pa.string(), "主要内容", "content"),
    _field("budget_wan_yuan", AMOUNT, "预算金额（万元）", "budget (10k yuan)"),
    _field("fiscal_funds_wan_yuan", AMOUNT, "其中财政拨款（万元）", "of which fiscal funds (10k yuan)"),
    _field("other_funds_wan_yuan", AMOUNT, "其中其他资金（万元）", "of which other funds (10k yuan)"),
    _field("row", pa.int32(), "表格行号", "grid row", nullable=False),
    _field("page", pa.int32(), "页码", "page number", nullable=False),
])

DOCUMENT_META = _table("document_meta", "文档的地区与部门：印出的还是推断的", "where and by whom: printed or inferred", [
    _field("title", pa.string(), "文档标题", "document title"),
    _field("department", pa.string(), "部门", "department"),
    _field("department_printed", pa.bool_(), "部门是否印出", "the department is printed"),
    _field("year_printed", pa.bool_(), "年度（分区列 year）是否印出", "the year (the partition column) is printed"),
    _field("province", pa.string(), "省级行政区", "province-level division"),
    _field("province_printed", pa.bool_(), "省是否印出（否 = 由行政区划推断）", "the province is printed (false: inferred from the gazetteer)"),
    _field("city", pa.string(), "地级行政区", "prefecture-level division"),
    _field("city_printed", pa.bool_(), "市是否印出", "the city is printed"),
    _field("county", pa.string(), "县级行政区", "county-level division"),
    _field("county_printed", pa.bool_(), "县是否印出", "the county is printed"),
    _field("level", pa.string(), "行政层级：province、city、county 或 township", "administrative level: province, city, county or township"),
])

SPENDING_PLAN = _table("spending_plan", "资金支出计划（预算执行进度）", "spending plan (budget execution schedule)", [
    _field("table_id", pa.string(), "表格编号", "table id", nullable=False),
    _field("project_seq", pa.int32(), "项目序号", "project number", nullable=False),
    _field("period_seq", pa.int32(), "期间序号（从 1 起）", "period number (1-based)", nullable=False),
    _field("period_label", pa.string(), "期间（原文，去空白）", "period as printed, whitespace removed", nullable=False),
    _field("period_end_month", pa.int16(), "期间截止月份", "month the period ends in"),
    _field("share_percent", SHARE, "支出比例（%）", "share of the budget (percent)"),
    _field("amount_wan_yuan", AMOUNT, "支出金额（万元）", "amount (10k yuan)"),
    _field("text", pa.string(), "单元格原文（空白为空串）", "the printed cell ('' when blank)", nullable=False),
    _field("page", pa.int32(), "页码", "page number", nullable=False),
    _field("cumulative", pa.bool_(), "是否累计数（空白单元格为空）", "a running total (null when the cell is blank)"),
])

INDICATORS = _table("indicators", "绩效指标", "performance indicators", [
    _field("table_id", pa.string(), "表格编号", "table id", nullable=False),
    _field("project_seq", pa.int32(), "项目序号（部门整体表为空）", "project number (null for a department table)"),
    _field("indicator_seq", pa.int32(), "指标序号（表内从 1 起）", "indicator number (1-based within the table)",
           nullable=False),
    _field("level1", pa.string(), "一级指标（原文）", "level-1 indicator as printed"),
    _field("level2", pa.string(), "二级指标（原文）", "level-2 indicator as printed"),
    _field("level3", pa.string(), "三级指标（原文）", "level-3 indicator as printed"),
    _field("name_extra", pa.string(), "无法归入任何级别的指标名称", "printed names no level could take"),
    _field("level1_std", pa.string(), "一级指标（标准名）", "level-1 indicator, standard name"),
    _field("level2_std", pa.string(), "二级指标（标准名）", "level-2 indicator, standard name"),
    _field("value_text", pa.string(), "指标值（原文）", "indicator value as printed"),
    _field("value_op", pa.string(), "比较符（≥ ≤ > < =）", "comparison operator (≥ ≤ > < =)"),
    _field("value_num", pa.float64(), "指标值数值", "numeric value"),
    _field("value_unit", pa.string(), "计量单位", "unit"),
    _field("value_kind", pa.string(), "指标值类型：quantitative、qualitative 或 blank",
           "value kind: quantitative, qualitative or blank", nullable=False),
    _field("basis", pa.string(), "指标值确定依据（指标解释、备注）", "basis for the value (or its explanation, remark)"),
    _field("row", pa.int32(), "表格行号（从 0 起）", "grid row in the table (0-based)", nullable=False),
    _field("page", pa.int32(), "页码", "page number", nullable=False),
    _field("horizon", pa.string(), "指标期限：长期、中期或年度（表内分块时）",
           "horizon: 长期, 中期 or 年度 (where the table prints separate blocks)"),
    _field("nature", pa.string(), "指标性质（原文：≥ ≤ ＝ 定性）", "the printed 指标性质 / 计算符号 cell (≥ ≤ ＝ 定性)"),
    _field("weight", WEIGHT, "权重", "weight"),
    _field("score", WEIGHT, "分值", "score"),
    _field("scoring_rule", pa.string(), "评分标准", "scoring rule"),
])

FLAGS = _table("flags", "质量标记：校验问题与提取说明", "flags: validation findings and extraction notes", [
    _field("table_id", pa.string(), "表格编号（与表格无关时为空）", "table id (null when no table is concerned)"),
    _field("row", pa.int32(), "表格行号", "grid row"),
    _field("code", pa.string(), "标记代码", "flag code", nullable=False),
    _field("severity", pa.string(), "严重程度：error、warning 或 info", "severity: error, warning or info",
           nullable=False),
    _field("message", pa.string(), "说明", "message", nullable=False),
    _field("kind", pa.string(), "类别：anomaly（文档缺陷）、notice（提示）或 unread（jixiao 未能读懂）",
           "kind: anomaly (a defect of the document), notice, or unread (jixiao could not read the region)"),
    _field("cell_range", pa.string(), "单元格范围（r行c列:r行c列，从 0 起）", "cell range (rRcC:rRcC, 0-based, inclusive)"),
])

#: Every dataset table, in the order the data dictionary lists them.
TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "pages": PAGES,
    "blocks": BLOCKS,
    "tables": TABLES_TABLE,
    "cells": CELLS,
    "projects": PROJECTS,
    "funding": FUNDING,
    "spending_plan": SPENDING_PLAN,
    "indicators": INDICATORS,
    "departments": DEPARTMENTS,
    "department_tasks": DEPARTMENT_TASKS,
    "document_meta": DOCUMENT_META,
    "flags": FLAGS,
}


def partition(year: int | None) -> str:
    """The partition directory name; an unknown year is 0 because pandas
    cannot read a null hive partition."""
    return f"year={year or 0}"


def document_file(dataset_dir: Path, table: str, year: int | None, doc_id: str) -> Path:
    """Where one document's rows of one table live."""
    return Path(dataset_dir) / table / partition(year) / f"{doc_id}.parquet"


def document_files(dataset_dir: Path, table: str, doc_id: str) -> list[Path]:
    """The document's files of one table across year partitions: at most one,
    since a write removes the others before it writes."""
    return sorted((Path(dataset_dir) / table).glob(f"year=*/{doc_id}.parquet"))


#: Flag code of the rows that carry the layout model's diagnostics.
EXTRACTION_NOTE = "EXTRACTION_NOTE"

_NOTE = re.compile(r"\[(?P<code>[^\]]*)\](?: page (?P<page>\d+))?: (?P<message>.*)", re.DOTALL)


def note_message(diagnostic: Diagnostic) -> str:
    """The flag message for a diagnostic: ``[CODE] page N: message``, readable
    as it stands and parsed back by :func:`note_from_message`."""
    page = f" page {diagnostic.page}" if diagnostic.page is not None else ""
    return f"[{diagnostic.code}]{page}: {diagnostic.message}"


def note_from_message(message: str) -> Diagnostic:
    """The diagnostic an ``EXTRACTION_NOTE`` flag carries. A message in
    another form (a note someone else wrote) is kept whole, with no page."""
    match = _NOTE.fullmatch(message)
    if match is None:
        return Diagnostic(code=EXTRACTION_NOTE, page=None, message=message)
    page = match["page"]
    return Diagnostic(code=match["code"], page=int(page) if page else None, message=match["message"])
