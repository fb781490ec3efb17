"""Write documents into the Parquet dataset (schema: ``jixiao.schema``).

Layout on disk: one file per document and table,
``DATASET/<table>/year=<YYYY or 0>/<doc_id>.parquet``. One file per document
makes a re-run cheap and exact: the document's files are replaced, never
appended to, so rows are never duplicated, and documents can be written by
parallel workers without a lock. Every table gets a file even when the
document has no rows for it, so a re-run that finds fewer rows still replaces
the old ones.

The ``documents`` row is removed first and written last: when a reader sees a
document's ``documents`` row, that document's other files are complete (a
crash in between leaves the document without its row, so it is processed
again). Each file is written to a temporary name and renamed into place
(``jixiao.atomic``); temporary names start with a dot and end in ``.tmp``, so
pyarrow, DuckDB and polars globs never read a half-written file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from jixiao.normalize.records import DocumentMeta, Flag, FlagCode, NormalizedDocument, Severity, TableInfo

from jixiao.atomic import atomic_path
from jixiao.model import BBox, BlockKind, Document
from jixiao.schema import SCHEMA_VERSION, TABLES, document_file, document_files, note_message

Row = dict[str, Any]
Status = Literal["ok", "failed"]

# doc_id becomes a file name; pyarrow skips names starting with '.' or '_'
_SAFE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]*")


@dataclass
class DocumentRecord:
    """The ``documents`` row of one document (fields in column order), plus
    ``year``: the partition it is filed under, which is not a column."""

    doc_id: str
    source_path: str
    source_paths: list[str]
    sha256: str | None
    size_bytes: int | None
    pages: int | None
    title: str | None
    pdf_title: str | None
    province: str | None
    city: str | None
    department: str | None
    producer: str | None
    creator: str | None
    engine: str | None
    pipeline_version: str
    schema_version: str
    layout_schema_version: str | None
    extracted_at: datetime
    status: Status
    error_code: str | None
    error: str | None
    n_tables: int | None
    n_projects: int | None
    n_indicators: int | None
    n_flags: int | None
    seconds: float | None
    year: int | None = None

    def row(self) -> Row:
        row = asdict(self)
        del row["year"]
        return row


def document_record(
    nd: NormalizedDocument,
    *,
    source_paths: Sequence[str] | None = None,
    pipeline_version: str,
    extracted_at: datetime,
    seconds: float | None,
) -> DocumentRecord:
    """The ``documents`` row of a successfully processed document.

    ``source_paths`` lists every path the same bytes were found under
    (default: the path it was read from); ``extracted_at`` should be
    timezone-aware (a naive datetime is taken as UTC). The counts are the
    number of rows the document gets in each table; ``n_flags`` includes the
    extraction notes."""
    doc, meta = nd.document, nd.meta
    return DocumentRecord(
        doc_id=doc.doc_id,
        source_path=doc.source.path,
        source_paths=list(source_paths) if source_paths is not None else [doc.source.path],
        sha256=doc.source.sha256,
        size_bytes=doc.source.size_bytes,
        pages=len(doc.pages),
        title=meta.title,
        pdf_title=doc.source.title,
        province=meta.province,
        city=meta.city,
        department=meta.department,
        producer=doc.source.producer,
        creator=doc.source.creator,
        engine=doc.engine,
        pipeline_version=pipeline_version,
        schema_version=SCHEMA_VERSION,
        layout_schema_version=doc.schema_version,
        extracted_at=extracted_at,
        status="ok",
        error_code=None,
        error=None,
        n_tables=len(doc.tables),
        n_projects=len(nd.projects),
        n_indicators=len(nd.indicators),
        n_flags=len(nd.flags) + len(doc.diagnostics),
        seconds=seconds,
        year=meta.year,
    )


def failed_doc_id(path: str | Path, sha256: str | None) -> str:
    """The doc_id of a document that could not be read: the content id
    ``read_pdf`` would have given it, or, when the bytes could not even be
    hashed, an id derived from the path (prefixed so it never looks like a
    content id)."""
    if sha256:
        return sha256[:16]
    return "path-" + hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:16]


def failed_record(
    path: str | Path,
    sha256: str | None,
    size_bytes: int | None,
    error_code: str,
    error: str,
    *,
    source_paths: Sequence[str] | None = None,
    pipeline_version: str,
    extracted_at: datetime,
    seconds: float | None = None,
    year: int | None = None,
) -> DocumentRecord:
    """The ``documents`` row of a document that failed. ``error_code`` is an
    :class:`jixiao.errors.ErrorCode` (or its value); counts stay NULL because
    nothing was counted, and the year is unknown (partition ``year=0``)
    unless given."""
    return DocumentRecord(
        doc_id=failed_doc_id(path, sha256),
        source_path=str(path),
        source_paths=list(source_paths) if source_paths is not None else [str(path)],
        sha256=sha256,
        size_bytes=size_bytes,
        pages=None,
        title=None,
        pdf_title=None,
        province=None,
        city=None,
        department=None,
        producer=None,
        creator=None,
        engine=None,
        pipeline_version=pipeline_version,
        schema_version=SCHEMA_VERSION,
        layout_schema_version=None,
        extracted_at=extracted_at,
        status="failed",
        error_code=_plain(error_code),
        error=error,
        n_tables=None,
        n_projects=None,
        n_indicators=None,
        n_flags=None,
        seconds=seconds,
        year=year,
    )


def write_document(dataset_dir: Path, nd: NormalizedDocument, record: DocumentRecord) -> None:
    """Write (or replace) every table's rows of one document, filed under
    ``record.year``; files the document left in other year partitions are
    removed first."""
    doc = nd.document
    if record.status != "ok" or record.doc_id != doc.doc_id:
        raise ValueError(f"{doc.doc_id}: record is not a successful record of this document "
                         f"(doc_id {record.doc_id}, status {record.status})")
    infos = _table_infos(nd)
    rows = {
        "pages": _page_rows(doc),
        "blocks": _block_rows(doc),
        "tables": _table_rows(doc, infos),
        "cells": _cell_rows(doc, infos),
        "projects": _record_rows(doc.doc_id, nd.projects),
        "funding": _record_rows(doc.doc_id, nd.funding),
        "spending_plan": _record_rows(doc.doc_id, nd.spending),
        "indicators": _record_rows(doc.doc_id, nd.indicators),
        "departments": _record_rows(doc.doc_id, nd.departments),
        "department_tasks": _record_rows(doc.doc_id, nd.tasks),
        "document_meta": [_meta_row(doc.doc_id, nd.meta)],
        "flags": _record_rows(doc.doc_id, nd.flags + _extraction_notes(doc)),
        "documents": [record.row()],
    }
    _replace(Path(dataset_dir), doc.doc_id, record.year, rows)


def write_failed(dataset_dir: Path, record: DocumentRecord) -> None:
    """Write the ``documents`` row of a failed document and remove every
    other row it had from an earlier, successful run."""
    if record.status != "failed":
        raise ValueError(f"{record.doc_id}: write_failed needs a failed record, not status {record.status!r}")
    _replace(Path(dataset_dir), record.doc_id, record.year, {"documents": [record.row()]})


def _replace(dataset_dir: Path, doc_id: str, year: int | None, rows: dict[str, list[Row]]) -> None:
    """Remove the document's ``documents`` file and every file not about to
    be rewritten, then write ``rows``, the ``documents`` row last. The rows
    are converted first, so a value the schema cannot hold (an amount with
    three decimals, say) fails before anything on disk has changed."""
    if not _SAFE_ID.fullmatch(doc_id):
        raise ValueError(f"doc_id {doc_id!r} cannot be a file name")
    arrow = {table: pa.Table.from_pylist(rows[table], schema=TABLES[table]) for table in rows}
    targets = {table: document_file(dataset_dir, table, year, doc_id) for table in rows}
    for table in TABLES:  # "documents" comes first
        for path in document_files(dataset_dir, table, doc_id):
            if table == "documents" or path != targets.get(table):
                path.unlink(missing_ok=True)
    for table in sorted(arrow, key=lambda name: name == "documents"):
        _write_file(targets[table], arrow[table])


def _write_file(target: Path, table: pa.Table) -> None:
    """zstd: the best size for text-heavy columns at a speed that does not
    matter next to PDF parsing. The schema's metadata (schema version, table
    name, column meanings) goes into the file."""
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _plain(value: Any) -> Any:
    """Enum members are written as their values."""
    return value.value if isinstance(value, Enum) else value


def _record_rows(doc_id: str, records: Sequence[Any]) -> list[Row]:
    """Rows of the canonical dataclasses, field for field (the schema mirrors
    them), ``doc_id`` first."""
    return [{"doc_id": doc_id, **{f.name: _plain(getattr(r, f.name)) for f in fields(r)}} for r in records]


def _meta_row(doc_id: str, meta: DocumentMeta) -> Row:
    """Where the document comes from, each place marked printed or inferred."""
    printed = meta.printed
    return {"doc_id": doc_id, "title": meta.title, "department": meta.department,
            "department_printed": printed.get("department"), "year_printed": printed.get("year"),
            "province": meta.province, "province_printed": printed.get("province"),
            "city": meta.city, "city_printed": printed.get("city"),
            "county": meta.county, "county_printed": printed.get("county"), "level": meta.level}


def _extraction_notes(doc: Document) -> list[Flag]:
    """The layout diagnostics, as flags ``load_document`` can turn back."""
    return [
        Flag(table_id=None, row=None, code=FlagCode.EXTRACTION_NOTE, severity=Severity.INFO, message=note_message(d))
        for d in doc.diagnostics
    ]


def _bbox(bbox: BBox) -> Row:
    return {"bbox_x0": bbox.x0, "bbox_top": bbox.top, "bbox_x1": bbox.x1, "bbox_bottom": bbox.bottom}


def _table_infos(nd: NormalizedDocument) -> dict[str, TableInfo]:
    infos = {info.table_id: info for info in nd.tables}
    unknown = infos.keys() - {table.id for table in nd.document.tables}
    if unknown:
        raise ValueError(f"{nd.document.doc_id}: table info for tables the document lacks: {sorted(unknown)}")
    return infos


def _page_rows(doc: Document) -> list[Row]:
    return [
        {"doc_id": doc.doc_id, "page": p.number, "width": p.width, "height": p.height, "rotation": p.rotation,
         "label": p.label, "text_layer": p.text_layer}
        for p in doc.pages
    ]


def _block_rows(doc: Document) -> list[Row]:
    return [
        {"doc_id": doc.doc_id, "seq": seq, "kind": b.kind.value, "level": b.level, "text": b.text,
         "runs": [run.model_dump() for run in b.runs], "page_label": b.page_label, "table_id": b.table_id,
         "page": b.page, "page_end": b.page_end, **_bbox(b.bbox), "confidence": b.confidence}
        for seq, b in enumerate(doc.blocks)
    ]


def _table_rows(doc: Document, infos: dict[str, TableInfo]) -> list[Row]:
    """A table without TableInfo (normalisation said nothing about it) gets
    NULL template, section and caption."""
    block_seq: dict[str, int] = {}
    for seq, block in enumerate(doc.blocks):
        if block.kind is BlockKind.TABLE and block.table_id is not None:
            block_seq.setdefault(block.table_id, seq)
    rows = []
    for t in doc.tables:
        info = infos.get(t.id)
        rows.append({
            "doc_id": doc.doc_id, "table_id": t.id, "seq": block_seq.get(t.id),
            "template": info.template.value if info else None,
            "section": info.section if info else None,
            "caption": info.caption if info else None,
            "n_rows": t.n_rows, "n_cols": t.n_cols, "page_start": t.page_start, "page_end": t.page_end,
            "engine": t.engine,
            "fragments": [{"page": f.page, "first_row": f.first_row, "n_rows": f.n_rows, **_bbox(f.bbox)}
                          for f in t.fragments],
        })
    return rows


def _cell_rows(doc: Document, infos: dict[str, TableInfo]) -> list[Row]:
    rows = []
    for t in doc.tables:
        header = infos[t.id].header_cells if t.id in infos else set()
        rows.extend(
            {"doc_id": doc.doc_id, "table_id": t.id, "row": c.row, "col": c.col, "rowspan": c.rowspan,
             "colspan": c.colspan, "text": c.text, "page": c.page, **_bbox(c.bbox),
             "is_header": (c.row, c.col) in header, "confidence": c.confidence}
            for c in t.cells
        )
    return rows
