"""Layout document → canonical records (:class:`NormalizedDocument`).

Each table is recognised by its labels: a project table (项目名称 and an
一级指标 header), a department-level table (部门名称 and an 一级指标 header),
or neither. An unrecognised table keeps its cells in the dataset and gets an
UNRECOGNIZED_TABLE flag; it never produces a half-filled project.
"""

from __future__ import annotations

from jixiao.model import BlockKind, Document

from .cross_checks import other_project_flags
from .indicators import read_indicators
from .metadata import document_meta
from .project_fields import NAME, read_project_head
from .records import Flag, FlagCode, NormalizedDocument, Severity, TableInfo, TableTemplate
from .table_view import TableView

_DEPARTMENT = ("部门名称", "部门（单位）名称", "单位名称", "部门(单位)名称")
#: OCR'd text read with less confidence than this is flagged for review.
LOW_CONFIDENCE = 0.8


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


def _sections_and_captions(document: Document) -> tuple[dict[str, str], dict[str, str]]:
    sections: dict[str, str] = {}
    captions: dict[str, str] = {}
    heading: str | None = None
    for block in document.blocks:
        if block.kind is BlockKind.HEADING:
            heading = block.text.strip()
        elif block.kind is BlockKind.CAPTION and block.table_id:
            captions[block.table_id] = block.text.strip()
        elif block.kind is BlockKind.TABLE and block.table_id and heading:
            sections[block.table_id] = heading
    return sections, captions


def normalize_document(document: Document) -> NormalizedDocument:
    sections, captions = _sections_and_captions(document)
    result = NormalizedDocument(
        document=document, meta=document_meta(document), tables=[], projects=[], spending=[], indicators=[], flags=[]
    )
    for table in document.tables:
        view = TableView(table)
        section = sections.get(table.id)
        info = TableInfo(table_id=table.id, template=TableTemplate.UNRECOGNIZED, section=section,
                         caption=captions.get(table.id))
        result.tables.append(info)
        is_project = bool(view.find(*NAME))
        is_department = not is_project and bool(view.find(*_DEPARTMENT))
        project_seq = len(result.projects) + 1 if is_project else None
        block = read_indicators(view, table.id, project_seq) if (is_project or is_department) else None
        if block is None:
            result.flags.append(
                Flag(table.id, None, FlagCode.UNRECOGNIZED_TABLE, Severity.INFO,
                     f"table {captions.get(table.id) or table.id!r} on page {table.page_start} is not a "
                     "绩效目标表 this version reads; its cells are kept")
            )
            continue
        info.header_cells |= block.header_cells
        result.indicators += block.indicators
        result.flags += block.flags
        if is_project:
            info.template = TableTemplate.PROJECT
            head = read_project_head(view, table.id, project_seq, section)
            info.header_cells |= head.label_cells
            result.projects.append(head.project)
            result.spending += head.spending
            result.flags += head.flags
        else:
            info.template = TableTemplate.DEPARTMENT
            info.header_cells |= {(c.row, c.col) for c in view.find(*_DEPARTMENT)}
    result.flags += other_project_flags(result.projects, result.indicators)
    result.flags += low_confidence_flags(document)
    return result
