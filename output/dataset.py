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
again). Each file is written to a temporary file in the dataset's private
folder (``jixiao.workdirs``: a run's own folder, or a shared one) and renamed
into place, so no reader ever sees a half-written file and cleaning up never
touches a file jixiao did not make.

A document's status is ``ok``, ``partial`` (read, but the extractor could not
read some pages or their text: diagnostics with code ``PAGES_UNREAD`` name
them) or ``failed`` (only its ``documents`` row).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from jixiao.errors import ErrorCode
from jixiao.filenames import readable, safe_text
from jixiao.model import BBox, BlockKind, Document
from jixiao.normalize.records import DocumentMeta, Flag, FlagCode, NormalizedDocument, Severity, TableInfo
from jixiao.schema import SCHEMA_VERSION, TABLES, document_file, document_files, note_message
from jixiao.workdirs import tmp_root

Row = dict[str, Any]
Status = Literal["ok", "partial", "failed"]

# doc_id becomes a file name; pyarrow skips names starting with '.' or '_'
_SAFE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]*")

#: A partition is ``year=<YYYY>``; anything else (a year read wrongly from a
#: manifest) would break every reader's partition parsing.
MAX_YEAR = 9999


@dataclass(frozen=True)
class Provenance:
    """Where a document came from and what it was made with, as the corpus
    runner knows it: the path relative to the corpus root and the root
    itself (so the PDF can be found again after the corpus moves), the
    manifest's ``source_url``, the path's exact bytes when it is not UTF-8,
    the settings as JSON and the input key (what decides a re-run). Each
    field is the ``documents`` column of the same name."""

    source_relpath: str | None = None
    corpus_root: str | None = None
    source_url: str | None = None
    source_path_bytes: bytes | None = None
    settings: str | None = None
    input_key: str | None = None


@dataclass
class DocumentRecord:
    """The ``documents`` row of one document (fields in column order), plus
    ``year``: the partition it is filed under, which is not a column."""

    doc_id: str
    source_path: str
    source_paths: list[str]
    source_relpath: str | None
    corpus_root: str | None
    source_url: str | None
    source_path_bytes: bytes | None
    sha256: str | None
    size_bytes: int | None
    pages: int | None
    unread_pages: list[int] | None
    ocr_pages: int | None
    title: str | None
    pdf_title: str | None
    province: str | None
    city: str | None
    department: str | None
    doc_key: str | None
    duplicate_of: str | None
    producer: str | None
    creator: str | None
    engine: str | None
    settings: str | None
    input_key: str | None
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
        """The row as written: text columns never hold a lone surrogate (a
        file name that is not UTF-8 is shown decoded; its bytes are in
        ``source_path_bytes``)."""
        row = asdict(self)
        del row["year"]
        for name, value in row.items():
            if isinstance(value, str):
                row[name] = safe_text(value)
            elif name == "source_paths" and value is not None:
                row[name] = [safe_text(v) for v in value]
        return row


def document_key(department: str | None, year: int | None, title: str | None) -> str | None:
    """The key that marks renderings of one document (a re-export, a scan):
    department, year and title, each NFKC-normalised (which also maps the
    Kangxi radicals some converters emit to the ideographs they look like)
    with whitespace and punctuation removed. None when any is unknown: a
    title alone (``2023年绩效目标``) is shared by many documents."""
    import unicodedata

    if not department or not year or not title:
        return None

    def norm(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKC", text)
                       if not unicodedata.category(c).startswith(("P", "Z", "C")))

    return f"{norm(department)}/{year}/{norm(title)}"


def _unread(doc: Document) -> tuple[list[int], str | None]:
    """Pages the extractor could not read, and its messages about them."""
    notes = [d for d in doc.diagnostics if d.code == ErrorCode.PAGES_UNREAD.value]
    pages = sorted({d.page for d in notes if d.page is not None})
    return pages, "; ".join(d.message for d in notes) or None


def document_record(
    nd: NormalizedDocument,
    *,
    source_paths: Sequence[str] | None = None,
    provenance: Provenance = Provenance(),
    pipeline_version: str,
    extracted_at: datetime,
    seconds: float | None,
) -> DocumentRecord:
    """The ``documents`` row of a document that was read: status ``ok``, or
    ``partial`` when its diagnostics say pages or their text could not be read.

    ``source_paths`` lists every path the same bytes were found under, the
    one read first (default: the path it was read from); ``extracted_at``
    should be timezone-aware (a naive datetime is taken as UTC). The counts
    are the number of rows the document gets in each table; ``n_flags``
    includes the extraction notes."""
    doc, meta = nd.document, nd.meta
    paths = [readable(p) for p in source_paths] if source_paths is not None else [readable(doc.source.path)]
    unread, message = _unread(doc)
    return DocumentRecord(
        doc_id=doc.doc_id,
        source_path=paths[0],
        source_paths=paths,
        **asdict(provenance),
        sha256=doc.source.sha256,
        size_bytes=doc.source.size_bytes,
        pages=len(doc.pages),
        unread_pages=unread,
        ocr_pages=sum(not page.text_layer for page in doc.pages),
        title=meta.title,
        pdf_title=doc.source.title,
        province=meta.province,
        city=meta.city,
        department=meta.department,
        doc_key=document_key(meta.department, meta.year, meta.title),
        duplicate_of=None,
        producer=doc.source.producer,
        creator=doc.source.creator,
        engine=doc.engine,
        pipeline_version=pipeline_version,
        schema_version=SCHEMA_VERSION,
        layout_schema_version=doc.schema_version,
        extracted_at=extracted_at,
        status="partial" if message else "ok",
        error_code=ErrorCode.PAGES_UNREAD.value if message else None,
        error=message,
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
    return "path-" + hashlib.sha256(os.fsencode(path)).hexdigest()[:16]


def failed_record(
    path: str | Path,
    sha256: str | None,
    size_bytes: int | None,
    error_code: str,
    error: str,
    *,
    source_paths: Sequence[str] | None = None,
    provenance: Provenance = Provenance(),
    pipeline_version: str,
    extracted_at: datetime,
    seconds: float | None = None,
    year: int | None = None,
    province: str | None = None,
    city: str | None = None,
    department: str | None = None,
) -> DocumentRecord:
    """The ``documents`` row of a document that failed. ``error_code`` is an
    :class:`jixiao.errors.ErrorCode` (or its value); counts stay NULL because
    nothing was counted, and the year is unknown (partition ``year=0``)
    unless given (from the manifest, with the other manifest values)."""
    paths = [readable(p) for p in source_paths] if source_paths is not None else [readable(path)]
    return DocumentRecord(
        doc_id=failed_doc_id(path, sha256),
        source_path=paths[0],
        source_paths=paths,
        **asdict(provenance),
        sha256=sha256,
        size_bytes=size_bytes,
        pages=None,
        unread_pages=None,
        ocr_pages=None,
        title=None,
        pdf_title=None,
        province=province,
        city=city,
        department=department,
        doc_key=None,
        duplicate_of=None,
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


def write_document(dataset_dir: Path, nd: NormalizedDocument, record: DocumentRecord, *,
                   tmp_dir: Path | None = None) -> None:
    """Write (or replace) every table's rows of one document, filed under
    ``record.year``; files the document left in other year partitions are
    removed first. ``tmp_dir`` is where its files are written before they
    are renamed into place (default: the dataset's shared temporary folder)."""
    doc = nd.document
    if record.status == "failed" or record.doc_id != doc.doc_id:
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
    _replace(Path(dataset_dir), doc.doc_id, record.year, rows, tmp_dir)


def write_failed(dataset_dir: Path, record: DocumentRecord, *, tmp_dir: Path | None = None) -> None:
    """Write the ``documents`` row of a failed document and remove every
    other row it had from an earlier, successful run."""
    if record.status != "failed":
        raise ValueError(f"{record.doc_id}: write_failed needs a failed record, not status {record.status!r}")
    _replace(Path(dataset_dir), record.doc_id, record.year, {"documents": [record.row()]}, tmp_dir)


def remove_document(dataset_dir: Path, doc_id: str) -> int:
    """Remove every file of a document (its ``documents`` row first, so a
    reader never sees the row without its other files); the number removed."""
    removed = 0
    for table in TABLES:  # "documents" comes first
        for path in document_files(Path(dataset_dir), table, doc_id):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def rewrite_documents_row(dataset_dir: Path, doc_id: str, changes: Row, *, tmp_dir: Path | None = None) -> bool:
    """Replace some values of a document's ``documents`` row (new paths for
    a file that moved, ``duplicate_of``) without touching its other files.
    False when the document has no row."""
    files = document_files(Path(dataset_dir), "documents", doc_id)
    if len(files) != 1:
        return False
    (row,) = pq.ParquetFile(files[0]).read().to_pylist()
    unknown = changes.keys() - row.keys()
    if unknown:
        raise ValueError(f"{doc_id}: no documents column {sorted(unknown)}")
    row.update(changes)
    _write_file(files[0], pa.Table.from_pylist([row], schema=TABLES["documents"]),
                tmp_dir or tmp_root(dataset_dir))
    return True


def _replace(dataset_dir: Path, doc_id: str, year: int | None, rows: dict[str, list[Row]],
             tmp_dir: Path | None) -> None:
    """Remove the document's ``documents`` file and every file not about to
    be rewritten, then write ``rows``, the ``documents`` row last. The rows
    are converted first, so a value the schema cannot hold (an amount with
    three decimals, say) fails before anything on disk has changed."""
    if not _SAFE_ID.fullmatch(doc_id):
        raise ValueError(f"doc_id {doc_id!r} cannot be a file name")
    if year is not None and not 0 <= year <= MAX_YEAR:
        raise ValueError(f"{doc_id}: year {year} cannot be a partition (year=0 … year={MAX_YEAR})")
    arrow = {table: pa.Table.from_pylist(rows[table], schema=TABLES[table]) for table in rows}
    targets = {table: document_file(dataset_dir, table, year, doc_id) for table in rows}
    for table in TABLES:  # "documents" comes first
        for path in document_files(dataset_dir, table, doc_id):
            if table == "documents" or path != targets.get(table):
                path.unlink(missing_ok=True)
    tmp_dir = tmp_dir or tmp_root(dataset_dir)
    for table in sorted(arrow, key=lambda name: name == "documents"):
        _write_file(targets[table], arrow[table], tmp_dir)


def _write_file(target: Path, table: pa.Table, tmp_dir: Path) -> None:
    """Write to a temporary file in ``tmp_dir`` (on the dataset's file
    system) and rename it into place. zstd: the best size for text-heavy
    columns at a speed that does not matter next to PDF parsing. The
    schema's metadata (schema version, table name, column meanings) goes
    into the file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{target.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.parquet.tmp"
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
         "runs": [asdict(run) for run in b.runs], "page_label": b.page_label, "table_id": b.table_id,
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
