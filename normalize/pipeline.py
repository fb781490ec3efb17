"""Layout document → canonical records (:class:`NormalizedDocument`).

Each table is recognised by what its labels say:

* a list whose header names records (专项资金名称 | 主管部门 | 资金总额及构成 …)
  and carries indicator columns: one project per row group;
* a list of projects without indicators (汇总表): the projects of the
  document's own forms, cross-checked and not recorded twice;
* one or more project forms (项目名称 and its fields; a table that prints
  several forms one after another is split at each 项目名称);
* a department form (部门名称, 年度预算, 年度主要任务, 年度绩效指标);
* none of these: the table keeps its cells in the dataset and gets one
  UNRECOGNIZED_TABLE notice; it never produces a half-filled project.

A recognised table whose cells were not all understood gets one
UNREAD_REGION flag per region left unread — a statement about jixiao, never
about the document.
"""

from __future__ import annotations

import re

from jixiao.model import BlockKind, Document

from .cross_checks import other_project_flags
from .forms import Read, read_department, read_project_form, read_project_list, unread_regions
from .indicators import find_headers
from .lists import ListTable, find_list_header, read_list
from .metadata import document_meta
from .records import Flag, FlagCode, NormalizedDocument, Project, Severity, TableInfo, TableTemplate
from .table_view import TableView, as_label
from .values import parse_money, squash
from .vocabulary import DEFAULT_UNIT, UNIT_FACTORS, Field

#: OCR'd text read with less confidence than this is flagged for review.
LOW_CONFIDENCE = 0.8
_UNIT_LINE = re.compile(rf"(?:金额)?单位[:：]\s*({'|'.join(sorted(UNIT_FACTORS, key=len, reverse=True))})")
_PROJECT_NAMES = frozenset({Field.PROJECT_NAME})


def low_confidence_flags(document: Document) -> list[Flag]:
    """LOW_OCR_CONFIDENCE for every OCR'd cell and block below LOW_CONFIDENCE."""
    flags = []
    for table in document.tables:
        for cell in table.cells:
            if cell.confidence is not None and cell.confidence < LOW_CONFIDENCE:
                flags.append(Flag(table.id, cell.row, FlagCode.LOW_OCR_CONFIDENCE, Severity.WARNING,
                                  f"cell ({cell.row}, {cell.col}) on page {cell.page} read with confidence "
                                  f"{cell.confidence:.2f}: {cell.text!r}"))
    for block in document.blocks:
        if block.confidence is not None and block.confidence < LOW_CONFIDENCE:
            flags.append(Flag(None, None, FlagCode.LOW_OCR_CONFIDENCE, Severity.WARNING,
                              f"{block.kind.value} on page {block.page} read with confidence {block.confidence:.2f}: "
                              f"{block.text[:40]!r}"))
    return flags


def _context(document: Document) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The heading each table sits under, its caption, and the amount unit
    a 金额单位 line between the previous table and this one declares."""
    sections: dict[str, str] = {}
    captions: dict[str, str] = {}
    units: dict[str, str] = {}
    heading: str | None = None
    unit: str | None = None
    for block in document.blocks:
        if block.kind in (BlockKind.CAPTION, BlockKind.PARAGRAPH) and (m := _UNIT_LINE.search(squash(block.text))):
            unit = m.group(1)
        if block.kind is BlockKind.HEADING:
            heading = block.text.strip()
        elif block.kind is BlockKind.CAPTION and block.table_id:
            captions[block.table_id] = block.text.strip()
        elif block.kind is BlockKind.TABLE and block.table_id:
            if heading:
                sections[block.table_id] = heading
            if unit:
                units[block.table_id] = unit
            unit = None
    return sections, captions, units


def _form_segments(view: TableView) -> list[range]:
    """The rows of each project form: a table printing several forms one
    after another is cut at each 项目名称 label in its first column. A row
    printed again at a page break (the form's first row repeated) starts no
    new form."""
    starts = []
    for cell in view.table.cells:
        label = as_label(cell)
        if label is not None and label.field is Field.PROJECT_NAME and cell.col == 0:
            if view.repeats_earlier_row(cell.row):
                for rc in view.row_cells(cell.row):
                    view.mark(rc.cell, label=True)
            else:
                starts.append(cell.row)
    starts = sorted(set(starts)) or [0]
    starts[0] = 0
    ends = starts[1:] + [view.table.n_rows]
    return [range(a, b) for a, b in zip(starts, ends)]


def _is_department(view: TableView) -> bool:
    return any((label := as_label(c)) is not None and label.field is Field.DEPARTMENT_NAME for c in view.table.cells)


def _has_project_form(view: TableView) -> bool:
    return any((label := as_label(c)) is not None and label.field is Field.PROJECT_NAME for c in view.table.cells)


def _summary_flags(table_id: str, listing: ListTable, projects: list[Project], unit: str | None) -> list[Flag] | None:
    """Flags of a list of projects printed elsewhere in the document, or None
    when it lists projects the document has no form for."""
    by_name = {squash(p.project_name): p for p in projects if p.project_name}
    records = [r for r in listing.records if not r.is_total]
    if not records or any(squash(r.name.text) not in by_name for r in records):
        return None
    flags = []
    for record in records:
        project = by_name[squash(record.name.text)]
        column = next((c for c, cell in record.values.get(Field.BUDGET, []) if cell is not None), None)
        text = record.text(Field.BUDGET)
        amount = parse_money(text, (column.unit if column else None) or unit or DEFAULT_UNIT).wan_yuan
        if amount is not None and project.budget_wan_yuan is not None and amount != project.budget_wan_yuan:
            flags.append(Flag(table_id, record.rows.start, FlagCode.SUMMARY_MISMATCH, Severity.WARNING,
                              f"{record.name.text.strip()!r} is listed with {amount} 万元; its own table "
                              f"{project.table_id} prints {project.budget_wan_yuan} 万元"))
    return flags


def _add(result: NormalizedDocument, read: Read) -> None:
    result.projects += read.projects
    result.spending += read.spending
    result.indicators += read.indicators
    result.departments += read.departments
    result.tasks += read.tasks
    result.funding += read.funding
    result.flags += read.flags


def normalize_document(document: Document) -> NormalizedDocument:
    sections, captions, units = _context(document)
    result = NormalizedDocument(
        document=document, meta=document_meta(document), tables=[], projects=[], spending=[], indicators=[], flags=[]
    )
    summaries: list[tuple[TableInfo, TableView, ListTable]] = []
    for table in document.tables:
        view = TableView(table)
        section, caption, unit = sections.get(table.id), captions.get(table.id), units.get(table.id)
        info = TableInfo(table_id=table.id, template=TableTemplate.UNRECOGNIZED, section=section, caption=caption)
        result.tables.append(info)
        headers = find_headers(view)
        rows = range(table.n_rows)
        list_label = find_list_header(view, rows, _PROJECT_NAMES)
        read: Read | None = None
        if list_label is not None:
            listing = read_list(view, list_label, rows)
            if headers:
                info.template = TableTemplate.PROJECT_LIST
                read = read_project_list(view, table.id, listing, len(result.projects) + 1, section, caption,
                                         headers, unit)
            else:
                summaries.append((info, view, listing))
                continue
        elif _has_project_form(view):
            info.template = TableTemplate.PROJECT
            read = Read()
            for segment in _form_segments(view):
                part = read_project_form(view, table.id, segment, len(result.projects) + len(read.projects) + 1,
                                         section, [h for h in headers if h.row in segment], unit)
                for name in ("projects", "spending", "indicators", "funding", "flags"):
                    getattr(read, name).extend(getattr(part, name))
        elif _is_department(view) and headers:
            info.template = TableTemplate.DEPARTMENT
            read = read_department(view, table.id, headers, unit)
        if read is None:
            result.flags.append(_unrecognized(table.id, caption, table.page_start))
            continue
        _add(result, read)
        result.flags += unread_regions(view, table.id)
        info.header_cells |= view.labels
    for info, view, listing in summaries:
        flags = _summary_flags(info.table_id, listing, result.projects, units.get(info.table_id))
        if flags is None:
            result.flags.append(_unrecognized(info.table_id, info.caption, view.table.page_start))
            continue
        info.template = TableTemplate.SUMMARY
        info.header_cells |= view.labels
        result.flags += flags + unread_regions(view, info.table_id)
    result.flags += other_project_flags(result.projects, result.indicators)
    result.flags += low_confidence_flags(document)
    return result


def _unrecognized(table_id: str, caption: str | None, page: int) -> Flag:
    return Flag(table_id, None, FlagCode.UNRECOGNIZED_TABLE, Severity.INFO,
                f"table {caption or table_id!r} on page {page} is not a 绩效目标表 this version reads; its cells are kept")
