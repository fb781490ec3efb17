"""A review report of a dataset: an index page and one HTML page per document.

Reviewing extraction means comparing what the dataset holds with what the
page prints, so each document page shows every extracted table (its grid
rebuilt from the dataset, merged cells as rowspan/colspan) beside a crop of
the PDF page it came from, and every flag links to the table row it names.
A failed document's page says plainly why it failed.

The report reads nothing but the dataset and, for the crops, the source PDFs
at ``documents.source_path`` (or another of ``source_paths``) — only when
the file there still has the bytes that were extracted (its SHA-256 is
checked), since a crop of a changed file would mislead; otherwise the page
says why there is no crop.

It is built to be archived and passed around: one small index plus one file
per document (a corpus of 1,000 documents is 1,000 pages a browser opens
one at a time, not one page it cannot), and each file stands alone — CSS
inline, crops embedded as base64 PNG, no script, nothing fetched.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pypdfium2 as pdfium
from PIL import Image

from jixiao.atomic import write_text_atomic
from jixiao.dataset import load_document, open_dataset
from jixiao.model import Document, Table, TableFragment
from jixiao.schema import DOCUMENTS, YEAR, document_files, meaning

Row = dict[str, Any]

#: Crop resolution in pixels per point (108 dpi): table text stays legible
#: and the page of a document with seven tables stays under a megabyte.
CROP_SCALE = 1.5
#: Colours a crop is reduced to: printed tables are black on white with a
#: few tints, so 16 keep the text crisp at under a third of the bytes.
CROP_COLOURS = 16
#: Margin around a fragment's bbox in the crop, in points, so the outer
#: rules are visible and a box that is slightly off shows as such.
CROP_MARGIN = 6.0

#: The documents columns the index shows as counts, in its column order.
_INDEX_COUNTS = ("pages", "n_tables", "n_projects", "n_indicators", "n_flags")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

_STYLE = """
:root { color-scheme: light; }
body { margin: 0; padding: 1.5em 2em 4em; color: #111; background: #fff; font-size: 15px; line-height: 1.5;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
h1 { font-size: 1.5em; margin: 0.2em 0; }
h2 { font-size: 1.2em; margin: 1.6em 0 0.5em; border-bottom: 2px solid #333; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.8em 0 0.3em; }
a { color: #0645ad; }
.sub, .meta { color: #555; margin: 0.2em 0; }
.null { color: #999; font-style: italic; }
table { border-collapse: collapse; }
th, td { border: 1px solid #999; padding: 0.25em 0.45em; vertical-align: top; text-align: left; }
thead th { background: #eee; }
.numbers td.n, .index td.n { text-align: right; font-variant-numeric: tabular-nums; }
.status-failed { color: #fff; background: #c0392b; font-weight: bold; }
.error { border: 2px solid #c0392b; background: #fdecea; padding: 0.6em 1em; margin: 1em 0; }
.error pre { white-space: pre-wrap; margin: 0.4em 0 0; font-size: 1em; }
.sev-error td:first-child { border-left: 4px solid #c0392b; }
.sev-warning td:first-child { border-left: 4px solid #e69500; }
.sev-info td:first-child { border-left: 4px solid #7f8c8d; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5em; align-items: start; }
@media (max-width: 1000px) { .pair { grid-template-columns: minmax(0, 1fr); } }
table.extracted { width: 100%; font-size: 0.88em; }
table.extracted td { border-color: #333; text-align: center; vertical-align: middle; }
table.extracted td.label { background: #f3f6fb; }
table.extracted td.void {
  background: repeating-linear-gradient(45deg, #fff, #fff 4px, #f4c7c3 4px, #f4c7c3 8px); }
table.extracted th.rn { color: #777; background: #fafafa; font-weight: normal; font-size: 0.85em;
  border-color: #ccc; text-align: right; vertical-align: middle; }
table.extracted tr.flagged th.rn { background: #ffe9a8; color: #000; }
table.extracted tr:target { outline: 3px solid #c0392b; outline-offset: -1px; background: #fff6cf; }
table.metadata th { background: #f7f7f7; }
table.metadata td.meaning { color: #666; font-size: 0.85em; }
table.flags td.where { white-space: nowrap; }
.crops figure { margin: 0 0 1em; }
.crops img { display: block; max-width: 100%; height: auto; border: 1px solid #ccc; }
.crops figcaption, .missing { color: #555; font-size: 0.9em; }
.missing { border: 1px dashed #999; padding: 0.8em; }
"""


@dataclass(frozen=True)
class ReportStats:
    """What the report holds: document pages written, tables and flags shown."""

    documents: int
    tables: int
    flags: int


@dataclass(frozen=True)
class _Page:
    html: str
    tables: int
    flags: int


def write_report(dataset: Path, out: Path) -> ReportStats:
    """Write the index ``out`` and one page per document in
    ``<out stem>_files/<doc_id>.html`` for the dataset at ``dataset``.

    Crops come from ``documents.source_path`` as recorded (a relative path
    is taken from the current directory, as the run that recorded it did).
    Each file is written atomically, the document pages first and the index
    last, so the index never links to a page that is not there yet; pages of
    documents no longer in the dataset are removed, so the folder always
    matches the index."""
    root = Path(dataset)
    out = Path(out)
    documents = sorted(open_dataset(root).arrow("documents").to_table().to_pylist(), key=_order)
    pages_dir = out.parent / f"{out.stem}_files"
    tables = flags = 0
    for doc in documents:
        page = _document_page(root, doc, index=f"../{out.name}")
        write_text_atomic(pages_dir / f"{doc['doc_id']}.html", page.html)
        tables += page.tables
        flags += page.flags
    current = {f"{doc['doc_id']}.html" for doc in documents}
    for stale in pages_dir.glob("*.html"):
        if stale.name not in current:
            stale.unlink()
    write_text_atomic(out, _index(documents, pages_dir.name))
    return ReportStats(documents=len(documents), tables=tables, flags=flags)


def _order(doc: Row) -> tuple[bool, int, str, str, str]:
    """Failed documents first (they need attention), then by year,
    department and title."""
    return (doc["status"] != "failed", doc[YEAR.name], doc["department"] or "", doc["title"] or "",
            doc["doc_id"])


def _e(value: object) -> str:
    return html.escape(str(value))


def _text(value: object) -> str:
    """A value as it reads in a cell: NULL visibly so, never as an empty
    string (a blank printed cell and a missing value are not the same)."""
    if value is None:
        return '<span class="null">NULL</span>'
    if isinstance(value, list):
        return "<br>".join(_e(v) for v in value)
    if isinstance(value, datetime):
        return _e(value.isoformat(sep=" ", timespec="seconds"))
    if isinstance(value, float):
        return _e(f"{value:.2f}")
    return _e(value).replace("\n", "<br>")


def _doc_title(doc: Row) -> str:
    return doc["title"] or Path(doc["source_path"] or doc["doc_id"]).name


def _html_page(title: str, body: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])


def _index(documents: list[Row], pages_dir: str) -> str:
    failed = sum(doc["status"] == "failed" for doc in documents)
    flags = sum(doc["n_flags"] or 0 for doc in documents)
    rows = []
    for doc in documents:
        if doc["status"] == "failed":
            status_cell = f'<td class="status-failed">failed: {_e(doc["error_code"])}</td>'
        else:
            status_cell = f"<td>{_e(doc['status'])}</td>"
        href = _e(f"{pages_dir}/{doc['doc_id']}.html")
        counts = "".join(f'<td class="n">{_text(doc[c])}</td>' for c in _INDEX_COUNTS)
        rows.append(
            f'<tr><td><a href="{href}">{_e(_doc_title(doc))}</a></td><td>{_text(doc["department"])}</td>'
            f'<td class="n">{_e(doc[YEAR.name] or "—")}</td>{status_cell}{counts}'
            f'<td><a href="{href}">{_e(doc["doc_id"])}</a></td></tr>'
        )
    head = ("标题 title", "部门 department", "年度 year", "状态 status", "页数 pages", "表格 tables",
            "项目 projects", "指标 indicators", "标记 flags", "报告 report")
    body = [
        "<h1>绩效文本提取审阅报告 / Extraction review report</h1>",
        f'<p class="sub">{len(documents)} 个文档 documents · {len(documents) - failed} ok · {failed} failed · '
        f"{flags} 个质量标记 flags</p>",
        '<table class="index"><thead><tr>' + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody></table>",
    ]
    return _html_page("绩效文本提取审阅报告 / Extraction review report", body)


def _doc_rows(root: Path, table: str, doc_id: str) -> list[Row]:
    """The document's rows of one table, read from its own file: reading
    one file per document keeps a 1,000-document report from scanning every
    file for every document. A failed document has no file: no rows."""
    files = document_files(root, table, doc_id)
    return pq.read_table(files[0]).to_pylist() if files else []


def _document_page(root: Path, doc: Row, index: str) -> _Page:
    doc_id = doc["doc_id"]
    body = [
        f'<p><a href="{_e(index)}">← 索引 / Index</a></p>',
        f"<h1>{_e(_doc_title(doc))}</h1>",
        '<p class="sub">' + " · ".join([
            *([_e(doc["department"])] if doc["department"] else []),
            _e(doc[YEAR.name] or "年度未知 / year unknown"),
            f"<code>{_e(doc_id)}</code>",
        ]) + "</p>",
    ]
    if doc["status"] != "ok":
        body.append(
            '<section class="error"><strong>处理失败 / Processing failed: '
            f'<code>{_text(doc["error_code"])}</code></strong><pre>{_text(doc["error"])}</pre></section>'
        )
    body += _metadata(doc)
    flags = _doc_rows(root, "flags", doc_id)
    body += _summary(doc, flags)
    if doc["status"] != "ok":
        body.append("<h2>表格 / Tables</h2><p>处理失败，没有表格。No tables: processing failed.</p>")
        return _Page(_html_page(_doc_title(doc), body), tables=0, flags=0)
    document = load_document(root, doc_id)
    info = {row["table_id"]: row for row in _doc_rows(root, "tables", doc_id)}
    labels = {(c["table_id"], c["row"], c["col"]) for c in _doc_rows(root, "cells", doc_id) if c["is_header"]}
    targets = _targets(document)
    body += _flags(flags, targets)
    body.append("<h2>表格 / Tables</h2>")
    if not document.tables:
        body.append("<p>没有表格。No tables were extracted.</p>")
    flagged: dict[tuple[str, int], list[int]] = {}
    for i, flag in enumerate(flags):
        if flag["table_id"] is not None and flag["row"] is not None:
            flagged.setdefault((flag["table_id"], flag["row"]), []).append(i)
    with _Source(doc) as source:
        for table in document.tables:
            body += _table_section(table, info.get(table.id, {}), labels, flags, flagged, document, source)
    return _Page(_html_page(_doc_title(doc), body), tables=len(document.tables), flags=len(flags))


def _metadata(doc: Row) -> list[str]:
    rows = []
    for name, value in doc.items():
        field = YEAR if name == YEAR.name else DOCUMENTS.field(name)
        zh, en = meaning(field)
        rows.append(f'<tr><th><code>{_e(name)}</code></th><td>{_text(value)}</td>'
                    f'<td class="meaning">{_e(zh)} · {_e(en)}</td></tr>')
    return ["<h2>元数据 / Metadata</h2>", '<table class="metadata"><tbody>', *rows, "</tbody></table>"]


def _summary(doc: Row, flags: list[Row]) -> list[str]:
    counts = [("表格 tables", "n_tables"), ("项目 projects", "n_projects"), ("绩效指标 indicators", "n_indicators"),
              ("质量标记 flags", "n_flags")]
    out = ["<h2>概要 / Summary</h2>", '<table class="numbers"><tbody>']
    out += [f'<tr><th>{label}</th><td class="n">{_text(doc[column])}</td></tr>' for label, column in counts]
    out.append("</tbody></table>")
    by_code = Counter((flag["code"], flag["severity"]) for flag in flags)
    if by_code:
        out.append("<h3>按代码统计的质量标记 / Flags by code</h3>")
        out.append('<table class="numbers"><thead><tr><th>代码 code</th><th>严重程度 severity</th><th>数量 count</th>'
                   "</tr></thead><tbody>")
        ranked = sorted(by_code.items(), key=lambda kv: (_SEVERITY_ORDER.get(kv[0][1], 9), -kv[1], kv[0][0]))
        for (code, severity), n in ranked:
            out.append(f'<tr class="sev-{_e(severity)}"><td><code>{_e(code)}</code></td>'
                       f'<td>{_e(severity)}</td><td class="n">{n}</td></tr>')
        out.append("</tbody></table>")
    return out


def _targets(document: Document) -> set[str]:
    """Every id the tables section gives: a table and each of its rows."""
    ids = set()
    for table in document.tables:
        ids.add(table.id)
        ids.update(_row_id(table.id, r) for r in range(table.n_rows))
    return ids


def _row_id(table_id: str, row: int) -> str:
    return f"{table_id}-r{row}"


def _flags(flags: list[Row], targets: set[str]) -> list[str]:
    """The flags table. A flag that names a table (and row) links to it;
    one whose table or row the document does not have says so unlinked
    rather than pointing nowhere."""
    out = ['<h2 id="flags">质量标记 / Flags</h2>']
    if not flags:
        return [*out, "<p>没有质量标记。No flags.</p>"]
    out.append('<table class="flags"><thead><tr><th>代码 code</th><th>严重程度 severity</th><th>位置 where</th>'
               "<th>说明 message</th></tr></thead><tbody>")
    for i, flag in enumerate(flags):
        table_id, row = flag["table_id"], flag["row"]
        where = ""
        if table_id is not None:
            target = table_id if row is None else _row_id(table_id, row)
            label = _e(table_id if row is None else f"{table_id} 行 row {row}")
            if target in targets:
                where = f'<a href="#{_e(target)}">{label}</a>'
            else:
                where = f"{label} (不在表格中 not found)"
        out.append(f'<tr id="flag-{i}" class="sev-{_e(flag["severity"])}">'
                   f'<td><code>{_e(flag["code"])}</code></td><td>{_e(flag["severity"])}</td>'
                   f'<td class="where">{where}</td><td>{_text(flag["message"])}</td></tr>')
    out.append("</tbody></table>")
    return out


def _table_section(
    table: Table,
    info: Row,
    labels: set[tuple[str, int, int]],
    flags: list[Row],
    flagged: dict[tuple[str, int], list[int]],
    document: Document,
    source: _Source,
) -> list[str]:
    title = " — ".join(_e(t) for t in (info.get("caption"), info.get("section")) if t)
    pages = str(table.page_start)
    if table.page_end != table.page_start:
        pages += f"–{table.page_end}"
    meta = (f"模板 template: {_text(info.get('template'))} · {table.n_rows} 行 rows × {table.n_cols} 列 cols · "
            f"第 {pages} 页 page {pages} · {_e(table.engine)}")
    crops = "".join(source.crop(document, table, fragment) for fragment in table.fragments)
    return [
        f"<h3>{_e(table.id)} · {title}</h3>",
        f'<p class="meta">{meta}</p>',
        '<div class="pair">',
        f"<div>{_grid(table, labels, flags, flagged)}</div>",
        f'<div class="crops">{crops}</div>',
        "</div>",
    ]


def _grid(
    table: Table,
    labels: set[tuple[str, int, int]],
    flags: list[Row],
    flagged: dict[tuple[str, int], list[int]],
) -> str:
    """The table as extracted, one ``<tr id="t1-r3">`` per grid row with a
    leading row number (the number flags name). A grid position no cell
    covers gets a hatched empty cell, so it shows instead of shifting the
    rest of the row left."""
    grid = table.grid()
    out = [f'<table class="extracted" id="{_e(table.id)}"><tbody>']
    for r in range(table.n_rows):
        flag_ids = flagged.get((table.id, r), [])
        if flag_ids:
            codes = ", ".join(sorted({flags[i]["code"] for i in flag_ids}))
            attrs = f' class="flagged" title="{_e(codes)}"'
            number = f'<a href="#flag-{flag_ids[0]}">{r}</a>'
        else:
            attrs, number = "", str(r)
        cells = [f'<th class="rn" scope="row">{number}</th>']
        for c in range(table.n_cols):
            cell = grid[r][c]
            if cell is None:
                cells.append('<td class="void"></td>')
            elif (cell.row, cell.col) == (r, c):
                span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                    f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
                label = ' class="label"' if (table.id, r, c) in labels else ""
                cells.append(f"<td{span}{label}>{_e(cell.text).replace(chr(10), '<br>')}</td>")
        out.append(f'<tr id="{_e(_row_id(table.id, r))}"{attrs}>{"".join(cells)}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


class _Source:
    """The document's source PDF, opened once for all its crops — or the
    reason there is none (moved, changed since extraction, unreadable)."""

    def __init__(self, doc: Row) -> None:
        self._doc = doc
        self._pdf: pdfium.PdfDocument | None = None
        self._pages: dict[int, Image.Image] = {}
        self.problem = ""

    def __enter__(self) -> _Source:
        doc = self._doc
        candidates = dict.fromkeys([doc["source_path"], *(doc["source_paths"] or [])])
        present = [Path(p) for p in candidates if p and Path(p).is_file()]
        match = next((p for p in present if _sha256(p) == doc["sha256"]), None)
        if match is None and present:
            self.problem = (f"源 PDF 在提取后已改变 / the PDF at {present[0]} has changed since it was extracted "
                            "(SHA-256 differs); no crop")
        elif match is None:
            self.problem = f"源 PDF 已不在 / the source PDF is no longer at {doc['source_path']}; no crop"
        else:
            try:
                self._pdf = pdfium.PdfDocument(match)
            except pdfium.PdfiumError as error:
                self.problem = f"源 PDF 无法打开 / {match} could not be opened ({error}); no crop"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pdf is not None:
            self._pdf.close()

    def crop(self, document: Document, table: Table, fragment: TableFragment) -> str:
        """A ``<figure>`` with the fragment's region of its page as an
        embedded PNG, or a note saying why there is none."""
        if self._pdf is None:
            return f'<p class="missing">{_e(self.problem)}</p>'
        page = next(p for p in document.pages if p.number == fragment.page)
        if fragment.page not in self._pages:
            self._pages[fragment.page] = self._pdf[fragment.page - 1].render(scale=CROP_SCALE).to_pil()
        image = self._pages[fragment.page]
        sx, sy = image.width / page.width, image.height / page.height
        box = fragment.bbox
        region = (
            max(0, round((box.x0 - CROP_MARGIN) * sx)),
            max(0, round((box.top - CROP_MARGIN) * sy)),
            min(image.width, round((box.x1 + CROP_MARGIN) * sx)),
            min(image.height, round((box.bottom + CROP_MARGIN) * sy)),
        )
        buffer = io.BytesIO()
        image.crop(region).quantize(CROP_COLOURS).save(buffer, format="PNG")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        last = fragment.first_row + fragment.n_rows - 1
        rows = f"{fragment.first_row}–{last}"
        caption = f"第 {fragment.page} 页，第 {rows} 行 / page {fragment.page}, rows {rows}"
        return (f'<figure><img src="data:image/png;base64,{data}" alt="{_e(table.id)} {_e(caption)}" '
                f'width="{region[2] - region[0]}" height="{region[3] - region[1]}"><figcaption>{_e(caption)}'
                "</figcaption></figure>")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
