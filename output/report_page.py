"""One document's page of the review report.

Reviewing extraction means comparing what the dataset holds with what the
page prints, so the page shows, for each extracted table, its grid rebuilt
from the dataset (merged cells as rowspan/colspan) beside the part of the PDF
page it came from, and under them the values normalisation read from it
(project, budget, spending plan, indicators with their parsed operator,
number, unit and standard names — whatever columns the dataset has).

Every flag links to its place on a page image: the flagged row (or cell,
when the flag names a column) is outlined on the crop beside its table; a
flag about a table as a whole outlines the table; a flag not tied to a table
points at its page (the page it names, else the cover, where the title,
department and year a document-level flag is about are printed). When there
is no image to point at (the PDF is gone or changed, or the page has no
usable size), the link goes to the grid row or the flag itself, and the page
says why there is no image.

Pictures are files next to the page, bounded in pixels (see
``jixiao.output.page_image``): each table fragment is rasterised alone, at a
resolution where its text is legible even on a page that claims to be
14,400 pt wide, and a whole page is drawn only for flags not tied to a
table. A flag's mark is a box positioned over the picture in percent of it,
so it needs no second picture.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyarrow as pa
import pyarrow.parquet as pq
import pypdfium2 as pdfium
from PIL import Image

from jixiao.atomic import atomic_path
from jixiao.dataset import load_document
from jixiao.model import BBox, Document, Table, TableFragment
from jixiao.schema import DOCUMENTS, EXTRACTION_NOTE, TABLES, YEAR, document_files, note_from_message

from .catalog import UNREADABLE, file_name, find_source_pdf
from .page_image import PageImageError, render_page
from .report_html import Row, e, html_page, meaning_of, rows_table, value_html

#: Page images in pixels per point (108 dpi): table text stays legible.
IMAGE_SCALE = 1.5
#: The longest side of a page image in pixels, whatever size the page claims
#: (an A3 page at IMAGE_SCALE fits; a 14,400-pt page is scaled down to it).
MAX_IMAGE_SIDE_PX = 2000
#: Colours a page image is reduced to: printed tables are black on white
#: with a few tints, so 16 keep the text crisp at a third of the bytes.
IMAGE_COLOURS = 16
#: Margin around a table fragment in its crop, in points, so the outer
#: rules are visible and a box that is slightly off shows as such.
CROP_MARGIN = 6.0
#: The tables of normalised records shown under each extracted table, when
#: the dataset has them (``departments`` is newer than some datasets).
RECORD_TABLES = ("projects", "spending_plan", "indicators", "departments")
#: Columns not repeated in the records under a table: they name the table.
_IMPLIED = {"doc_id", "table_id"}
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class DocumentPage:
    html: str
    tables: int
    flags: int
    images: int


@dataclass(frozen=True)
class _Place:
    """Where a flag points: a page and a box on it in points (None: the
    whole page), the table fragment the box is in, and the grid row."""

    page: int | None
    box: BBox | None = None
    table_id: str | None = None
    fragment: int | None = None
    row: int | None = None


@dataclass(frozen=True)
class _Image:
    """A picture file (relative to the document's page) of ``region`` of a
    page, in the points the dataset's boxes are in."""

    src: str
    region: BBox


def _rows(root: Path, table: str, doc_id: str) -> list[Row]:
    """The document's rows of one table, read from its own file (one file
    per document keeps a 1,000-document report from scanning every file for
    every document); no file, no rows."""
    files = document_files(root, table, doc_id)
    return pq.read_table(files[0]).to_pylist() if files else []


def title_of(doc: Row) -> str:
    return doc.get("title") or file_name(doc)


def document_label(doc: Row) -> str:
    """How lists name a document: its file name and the start of its id
    (two files may share a name in different folders)."""
    return f"{file_name(doc)} · {doc['doc_id'][:8]}"


def build_document_page(root: Path, doc: Row, files_dir: Path, *, index: str, flags_page: str) -> DocumentPage:
    """The HTML of ``doc``'s page, its page images written to
    ``files_dir/<doc_id>/`` (the page itself goes to ``files_dir`` too, so
    image paths are relative to it)."""
    doc_id = doc["doc_id"]
    body = [
        (f'<nav class="top"><a href="{e(index)}">← 索引 / Index</a>'
         f'<a href="{e(flags_page)}?document={e(quote(document_label(doc)))}">全部标记 / this document in the list of '
         "all flags</a></nav>"),
        f"<h1>{e(title_of(doc))}</h1>",
        '<p class="sub">' + " · ".join([
            *([e(doc["department"])] if doc.get("department") else []),
            e(doc.get(YEAR.name) or "年度未知 / year unknown"),
            e(file_name(doc)),
            f"<code>{e(doc_id)}</code>",
        ]) + "</p>",
    ]
    status = doc.get("status")
    if status in ("failed", UNREADABLE):
        body.append('<section class="error"><strong>处理失败 / Processing failed: '
                    f'<code>{value_html(doc.get("error_code"))}</code></strong><pre>{value_html(doc.get("error"))}</pre>'
                    "</section>")
    elif status != "ok":
        body.append(f'<section class="warning"><strong>部分读取 / {e(status)}: '
                    f'<code>{value_html(doc.get("error_code"))}</code></strong><pre>{value_html(doc.get("error"))}</pre>'
                    "</section>")
    body += _metadata(doc)
    flags = _rows(root, "flags", doc_id)
    body += _summary(doc, flags)
    document = None
    if status not in ("failed", UNREADABLE):
        try:
            document = load_document(root, doc_id)
        except ValueError as error:  # the reader refuses the status (a damaged file is not this: it propagates)
            if isinstance(error, pa.ArrowException):
                raise
            body.append(f'<p class="missing">版面无法重建 / the layout cannot be rebuilt: {e(error)}</p>')
    if document is None:
        body += _flags(flags, [_Place(None)] * len(flags), {}, set())
        body.append("<h2>表格 / Tables</h2><p>没有表格。No tables: the document was not read.</p>")
        return DocumentPage(html_page(title_of(doc), body), tables=0, flags=len(flags), images=0)

    places = [_place(document, flag) for flag in flags]
    with _Pictures(root, doc, document, files_dir / doc_id).opened() as pictures:
        crops = {(t.id, i): pictures.crop(t, i) for t in document.tables for i in range(len(t.fragments))}
        pages = {n: pictures.page(n) for n in sorted({p.page for p in places if p.table_id is None and p.page})}
    anchors = _anchor_kinds(document, places, crops, pages)
    body += _flags(flags, places, anchors, {t.id for t in document.tables})
    body.append("<h2>表格 / Tables</h2>")
    if not document.tables:
        body.append("<p>没有表格。No tables were extracted.</p>")
    info = {row["table_id"]: row for row in _rows(root, "tables", doc_id)}
    labels = {(c["table_id"], c["row"], c["col"]) for c in _rows(root, "cells", doc_id) if c["is_header"]}
    records = {name: _rows(root, name, doc_id) for name in RECORD_TABLES}
    for table in document.tables:
        body += _table_section(table, info.get(table.id, {}), labels, flags, places, anchors, crops, records)
    body += _other_records(records, {t.id for t in document.tables})
    body += _pages_section(flags, places, anchors, pages)
    return DocumentPage(html_page(title_of(doc), body), tables=len(document.tables), flags=len(flags),
                        images=len(pictures.written))


# --- where flags point ------------------------------------------------------------------------------------


def _flag_page(flag: Row) -> int | None:
    """The page a flag not tied to a table names: its own ``page`` column
    where the dataset has one, else the page an extraction note encodes."""
    if flag.get("page") is not None:
        return int(flag["page"])
    if flag["code"] == EXTRACTION_NOTE:
        return note_from_message(flag["message"]).page
    return None


def _place(document: Document, flag: Row) -> _Place:
    table = next((t for t in document.tables if t.id == flag["table_id"]), None)
    if table is None:
        page = _flag_page(flag)
        if page is None and document.pages:
            page = document.pages[0].number  # a document-level flag: the cover says what it is about
        return _Place(page)
    row, col = flag["row"], flag.get("col")
    if row is None or not 0 <= row < table.n_rows:
        return _Place(table.page_start, table.fragments[0].bbox, table.id, 0)
    index, fragment = _fragment_of(table, row)
    cell = table.grid()[row][col] if col is not None and 0 <= col < table.n_cols else None
    if cell is not None and cell.page == fragment.page:
        return _Place(fragment.page, cell.bbox, table.id, index, row)
    return _Place(fragment.page, _row_band(table, row, fragment), table.id, index, row)


def _row_band(table: Table, row: int, fragment: TableFragment) -> BBox:
    """The grid row as a band across the table: as high as the row's own
    cells (those that start in it, one-row cells first — a merged cell
    from above or reaching below would make the band several rows high),
    as wide as the table."""
    starting = [c for c in table.cells if c.row == row and c.page == fragment.page]
    single = [c for c in starting if c.rowspan == 1] or starting
    if not single:
        return fragment.bbox
    return BBox(x0=fragment.bbox.x0, top=min(c.bbox.top for c in single), x1=fragment.bbox.x1,
                bottom=min(c.bbox.bottom for c in single))


def _fragment_of(table: Table, row: int) -> tuple[int, TableFragment]:
    for i, fragment in enumerate(table.fragments):
        if fragment.first_row <= row < fragment.first_row + fragment.n_rows:
            return i, fragment
    return 0, table.fragments[0]


def _anchor_kinds(
    document: Document, places: list[_Place], crops: dict[tuple[str, int], _Image | str], pages: dict[int, _Image | str]
) -> dict[int, str]:
    """Where each flag's anchor ``m<i>`` goes: "crop" (a mark on its
    table's crop), "page" (a mark on a page picture), "grid" (the grid row:
    no picture) or "flag" (the flag's own row: nothing else to point at)."""
    rows = {(t.id, r) for t in document.tables for r in range(t.n_rows)}
    kinds = {}
    for i, place in enumerate(places):
        if place.table_id is not None and isinstance(crops.get((place.table_id, place.fragment or 0)), _Image):
            kinds[i] = "crop"
        elif place.table_id is None and isinstance(pages.get(place.page or 0), _Image):
            kinds[i] = "page"
        elif (place.table_id, place.row) in rows:
            kinds[i] = "grid"
        else:
            kinds[i] = "flag"
    return kinds


# --- page images ------------------------------------------------------------------------------------------


def _usable(width: float, height: float) -> bool:
    return all(math.isfinite(v) and v > 0 for v in (width, height))


class _Pictures:
    """The document's source PDF, opened once, drawing table crops and
    whole pages into ``out_dir`` while :meth:`opened` — or, for each picture
    it cannot draw, the sentence saying why. Pictures of an earlier build
    that are not drawn again are removed when it closes."""

    def __init__(self, root: Path, doc: Row, document: Document, out_dir: Path) -> None:
        self._root, self._doc, self._out = root, doc, out_dir
        self._sizes = {p.number: (p.width, p.height) for p in document.pages}
        self._pdf: pdfium.PdfDocument | None = None
        self.problem = ""
        self.written: set[str] = set()

    @contextmanager
    def opened(self) -> Iterator[_Pictures]:
        path, self.problem = find_source_pdf(self._doc, self._root)
        if path is not None:
            try:
                self._pdf = pdfium.PdfDocument(path)
            except pdfium.PdfiumError as error:
                self.problem = f"源 PDF 无法打开 / {path} could not be opened ({error})"
        try:
            yield self
        finally:
            if self._pdf is not None:
                self._pdf.close()
            if self._out.is_dir():
                for stale in self._out.glob("*.png"):
                    if stale.name not in self.written:
                        stale.unlink()

    def crop(self, table: Table, index: int) -> _Image | str:
        """Fragment ``index`` of ``table`` with a margin, as its own picture."""
        fragment = table.fragments[index]
        width, height = self._sizes.get(fragment.page, (0.0, 0.0))
        box = fragment.bbox
        region = BBox(x0=max(0.0, box.x0 - CROP_MARGIN), top=max(0.0, box.top - CROP_MARGIN),
                      x1=min(width, box.x1 + CROP_MARGIN), bottom=min(height, box.bottom + CROP_MARGIN))
        return self._draw(fragment.page, f"{table.id}-{index}.png", region)

    def page(self, number: int) -> _Image | str:
        width, height = self._sizes.get(number, (0.0, 0.0))
        return self._draw(number, f"p{number:04d}.png", BBox(x0=0.0, top=0.0, x1=width, bottom=height))

    def _draw(self, number: int, name: str, region: BBox) -> _Image | str:
        if self._pdf is None:
            return f"{self.problem}；没有图像 / no picture"
        width, height = self._sizes.get(number, (0.0, 0.0))
        if not _usable(width, height):
            return (f"第 {number} 页 / page {number}: its size in the dataset is {width:g} × {height:g} pt "
                    "(a zero or inverted MediaBox?); no picture")
        try:
            picture = render_page(self._pdf, number, IMAGE_SCALE, MAX_IMAGE_SIDE_PX,
                                  region=(region.x0, region.top, region.x1, region.bottom), frame=(width, height))
        except PageImageError as error:
            return f"第 {number} 页 / page {number}: {error}; no picture"
        with atomic_path(self._out / name) as tmp:
            picture.quantize(IMAGE_COLOURS, method=Image.Quantize.FASTOCTREE).save(tmp, format="PNG")
        self.written.add(name)
        return _Image(f"{self._out.name}/{name}", region)


def _pct(value: float) -> str:
    return f"{value * 100:.3f}%"


def _mark(i: int, flag: Row, box: BBox | None, region: BBox) -> str:
    """A flag's outline on a picture of ``region`` (points); clicking it
    goes back to the flag. No box: the whole picture."""
    box = box or region
    w, h = region.width, region.height
    style = (f"left:{_pct((box.x0 - region.x0) / w)};top:{_pct((box.top - region.top) / h)};"
             f"width:{_pct(box.width / w)};height:{_pct(box.height / h)}")
    return (f'<a class="mark sev-{e(flag["severity"])}" id="m{i}" href="#flag-{i}" style="{style}" '
            f'title="{e(flag["code"])}: {e(flag["message"])}"></a>')


def _sheet(image: _Image, marks: list[tuple[int, Row, BBox | None]], alt: str) -> str:
    """The picture with the flag marks that fall on it."""
    return (f'<div class="sheet"><img src="{e(image.src)}" alt="{e(alt)}" loading="lazy">'
            f'{"".join(_mark(i, flag, box, image.region) for i, flag, box in marks)}</div>')


# --- sections ---------------------------------------------------------------------------------------------


def _metadata(doc: Row) -> list[str]:
    rows = []
    for name, value in doc.items():
        known = DOCUMENTS if name in DOCUMENTS.names else pa.schema([YEAR]) if name == YEAR.name else None
        rows.append(f'<tr><th><code>{e(name)}</code></th><td>{value_html(value)}</td>'
                    f'<td class="meaning">{e(meaning_of(known, name))}</td></tr>')
    return ["<h2>元数据 / Metadata</h2>", '<table class="metadata"><tbody>', *rows, "</tbody></table>"]


def _summary(doc: Row, flags: list[Row]) -> list[str]:
    counts = [("表格 tables", "n_tables"), ("项目 projects", "n_projects"), ("绩效指标 indicators", "n_indicators"),
              ("质量标记 flags", "n_flags")]
    out = ["<h2>概要 / Summary</h2>", '<table class="numbers"><tbody>']
    out += [f'<tr><th>{label}</th><td class="n">{value_html(doc.get(column))}</td></tr>' for label, column in counts]
    out.append("</tbody></table>")
    by_code = Counter((flag["code"], flag["severity"]) for flag in flags)
    if by_code:
        out.append("<h3>按代码统计的质量标记 / Flags by code</h3>")
        out.append('<table class="numbers"><thead><tr><th>代码 code</th><th>严重程度 severity</th><th>数量 count</th>'
                   "</tr></thead><tbody>")
        ranked = sorted(by_code.items(), key=lambda kv: (_SEVERITY_ORDER.get(kv[0][1], 9), -kv[1], kv[0][0]))
        for (code, severity), n in ranked:
            out.append(f'<tr class="sev-{e(severity)}"><td><code>{e(code)}</code></td>'
                       f'<td>{e(severity)}</td><td class="n">{n}</td></tr>')
        out.append("</tbody></table>")
    return out


def _flags(flags: list[Row], places: list[_Place], anchors: dict[int, str], tables: set[str]) -> list[str]:
    """The flags table, searchable and filterable by table, code and
    severity. Each flag links to its mark on the page image (``#m<i>``)
    and, when it names one, to the grid row."""
    out = ['<h2 id="flags">质量标记 / Flags</h2>']
    if not flags:
        return [*out, "<p>没有质量标记。No flags.</p>"]
    out.append('<table class="flags filterable"><thead><tr><th>#</th><th data-filter="code">代码 code</th>'
               '<th data-filter="severity">严重程度 severity</th><th data-filter="table">表格 table</th>'
               "<th>行 row</th><th>页 page</th><th>说明 message</th><th>位置 where</th></tr></thead><tbody>")
    for i, (flag, place) in enumerate(zip(flags, places)):
        table_id, row = flag["table_id"], flag["row"]
        links = []
        kind = anchors.get(i, "flag")
        if kind in ("crop", "page"):
            links.append(f'<a class="to-image" href="#m{i}">页 {place.page} 图 / page image</a>')
        if table_id is not None and table_id in tables:
            target = table_id if row is None else f"{table_id}-r{row}"
            links.append(f'<a class="to-row" href="#{e(target)}">{e(table_id if row is None else f"{table_id} 行 {row}")}</a>')
        elif table_id is not None:
            links.append(f"{e(table_id)} (不在表格中 not found)")
        anchor = f'<span class="anchor" id="m{i}"></span>' if kind == "flag" else ""
        out.append(
            f'<tr id="flag-{i}" class="sev-{e(flag["severity"])}" data-code="{e(flag["code"])}" '
            f'data-severity="{e(flag["severity"])}" data-table="{e(table_id or "—")}">'
            f'<td class="n">{anchor}{i}</td><td><code>{e(flag["code"])}</code></td><td>{e(flag["severity"])}</td>'
            f"<td>{value_html(table_id)}</td><td class=\"n\">{value_html(row)}</td>"
            f'<td class="n">{value_html(place.page)}</td><td>{value_html(flag["message"])}</td>'
            f'<td class="where">{"".join(links)}</td></tr>'
        )
    out.append("</tbody></table>")
    return out


def _table_section(
    table: Table,
    info: Row,
    labels: set[tuple[str, int, int]],
    flags: list[Row],
    places: list[_Place],
    anchors: dict[int, str],
    crops: dict[tuple[str, int], _Image | str],
    records: dict[str, list[Row]],
) -> list[str]:
    title = " — ".join(e(t) for t in (info.get("caption"), info.get("section")) if t)
    pages = str(table.page_start) + (f"–{table.page_end}" if table.page_end != table.page_start else "")
    meta = (f"模板 template: {value_html(info.get('template'))} · {table.n_rows} 行 rows × {table.n_cols} 列 cols · "
            f"第 {pages} 页 page {pages} · {e(table.engine)}")
    mine = [i for i, p in enumerate(places) if p.table_id == table.id]
    figures = []
    for index, fragment in enumerate(table.fragments):
        last = fragment.first_row + fragment.n_rows - 1
        caption = f"第 {fragment.page} 页，第 {fragment.first_row}–{last} 行 / page {fragment.page}, rows {fragment.first_row}–{last}"
        image = crops[(table.id, index)]
        if not isinstance(image, _Image):
            figures.append(f'<p class="missing">{e(caption)}: {e(image)}</p>')
            continue
        marks = [(i, flags[i], places[i].box) for i in mine if anchors[i] == "crop" and places[i].fragment == index]
        figures.append(f"<figure>{_sheet(image, marks, f'{table.id} {caption}')}"
                       f"<figcaption>{e(caption)}</figcaption></figure>")
    grid_anchors: dict[int, list[int]] = {}
    for i in mine:
        if anchors[i] == "grid" and places[i].row is not None:
            grid_anchors.setdefault(places[i].row, []).append(i)
    return [
        f'<section id="sec-{e(table.id)}">',
        f"<h3>{e(table.id)} · {title}</h3>",
        f'<p class="meta">{meta}</p>',
        '<div class="pair">',
        f"<div>{_grid(table, labels, flags, grid_anchors)}</div>",
        f'<div class="crops">{"".join(figures)}</div>',
        "</div>",
        *_records(table.id, records),
        "</section>",
    ]


def _grid(table: Table, labels: set[tuple[str, int, int]], flags: list[Row], anchors: dict[int, list[int]]) -> str:
    """The table as extracted, one ``<tr id="t1-r3">`` per grid row with a
    leading row number (the number flags name, linked to the first flag on
    the row). A grid position no cell covers gets a hatched empty cell, so
    it shows instead of shifting the rest of the row left."""
    flagged: dict[int, list[int]] = {}
    for i, flag in enumerate(flags):
        if flag["table_id"] == table.id and flag["row"] is not None:
            flagged.setdefault(flag["row"], []).append(i)
    grid = table.grid()
    out = [f'<table class="extracted" id="{e(table.id)}"><tbody>']
    for r in range(table.n_rows):
        spans = "".join(f'<span class="anchor" id="m{i}"></span>' for i in anchors.get(r, []))
        if flagged.get(r):
            codes = ", ".join(sorted({flags[i]["code"] for i in flagged[r]}))
            attrs = f' class="flagged" title="{e(codes)}"'
            number = f'<a href="#flag-{flagged[r][0]}">{r}</a>'
        else:
            attrs, number = "", str(r)
        cells = [f'<th class="rn" scope="row">{spans}{number}</th>']
        for c in range(table.n_cols):
            cell = grid[r][c]
            if cell is None:
                cells.append('<td class="void"></td>')
            elif (cell.row, cell.col) == (r, c):
                span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                    f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
                label = ' class="label"' if (table.id, r, c) in labels else ""
                cells.append(f"<td{span}{label}>{e(cell.text).replace(chr(10), '<br>')}</td>")
        out.append(f'<tr id="{e(table.id)}-r{r}"{attrs}>{"".join(cells)}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _record_title(name: str) -> str:
    schema = TABLES.get(name)
    zh = (schema.metadata or {}).get(b"zh", b"").decode() if schema is not None else ""
    return f"{zh} / {name}" if zh else name


def _records(table_id: str | None, records: dict[str, list[Row]], known: set[str] | None = None) -> list[str]:
    """The normalised records read from one table (``table_id``), or with
    ``known`` those tied to no table of the document; every column the
    dataset has, a grid row number linked to the row."""
    out = []
    for name, rows in records.items():
        if known is None:
            mine = [r for r in rows if r.get("table_id") == table_id]
        else:
            mine = [r for r in rows if r.get("table_id") not in known]
        if not mine:
            continue
        columns = [c for c in mine[0] if c not in _IMPLIED or (known is not None and c == "table_id")]

        def cell(row: Row, column: str, table: str | None = table_id) -> str | None:
            if column == "row" and table is not None and row.get("row") is not None:
                return f'<a href="#{e(table)}-r{row["row"]}">{row["row"]}</a>'
            return None

        out.append(f'<div data-records="{e(name)}"><h4>{e(_record_title(name))} ({len(mine)})</h4>'
                   f"{rows_table(mine, columns, TABLES.get(name), cell=cell)}</div>")
    if not out:
        return [] if known is not None else ['<p class="meta">没有规范化记录 / no normalised records from this table</p>']
    return ['<div class="records">', *out, "</div>"]


def _other_records(records: dict[str, list[Row]], tables: set[str]) -> list[str]:
    out = _records(None, records, known=tables)
    return ["<h2>其他记录 / Records tied to no table</h2>", *out] if out else []


def _pages_section(
    flags: list[Row], places: list[_Place], anchors: dict[int, str], pages: dict[int, _Image | str]
) -> list[str]:
    """Whole pages for the flags not tied to a table, each flag a mark over
    the page it points at (or a note saying why there is no picture)."""
    out = []
    for number, image in sorted(pages.items()):
        if not isinstance(image, _Image):
            out.append(f'<p class="missing">{e(image)}</p>')
            continue
        indices = [i for i, place in enumerate(places) if anchors.get(i) == "page" and place.page == number]
        codes = ", ".join(sorted({flags[i]["code"] for i in indices}))
        marks = [(i, flags[i], places[i].box) for i in indices]
        out.append(f'<figure class="page" id="page-{number}">{_sheet(image, marks, f"page {number}")}'
                   f"<figcaption>第 {number} 页 / page {number}: {e(codes)}</figcaption></figure>")
    return ["<h2>页面 / Pages</h2>", *out] if out else []
