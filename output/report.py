"""A review report of a dataset: an index, a list of every flag, one page per document.

``report.html`` lists the documents (search, filter by status, year and
department, sort by any column); ``report_files/flags.html`` lists every
flag of every document (search, filter by document, table, code and
severity, sort), each linked to its mark on the page image in the
document's page ``report_files/<doc_id>.html`` (see
:mod:`jixiao.output.report_page`), whose page images are in
``report_files/<doc_id>/``. The folder is the report: it opens offline,
fetches nothing, and can be archived or passed around as it is.

**Incremental.** A corpus is reported again after every run, so a
document's page is rebuilt only when something it shows may have changed:
``report_files/report-state.json`` keeps, per document, a fingerprint of its
``documents`` row, the size and modification time of each of its dataset
files, of each place its PDF may be, and of the report's own code. An
unchanged document costs a few ``stat`` calls; the index and the flags list
are rebuilt every time (they read two small tables).

**One bad document never breaks the report.** The ``documents`` table is
read so that an odd partition or an unreadable file costs one row (see
:mod:`jixiao.output.catalog`); a document whose page cannot be built gets a
page saying why, is listed in :attr:`ReportStats.problems`, and is tried
again on the next run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import jixiao
from jixiao.atomic import write_text_atomic
from jixiao.schema import SCHEMA_VERSION, YEAR

from .catalog import UNREADABLE, file_name, read_documents, read_rows, source_candidates
from .report_html import Row, e, html_page, value_html
from .report_page import build_document_page, document_label, title_of

#: The state file, in the report's ``_files`` folder.
STATE_FILE = "report-state.json"
#: The list of all flags, in the report's ``_files`` folder.
FLAGS_PAGE = "flags.html"
#: The modules and assets whose content decides what a page looks like: a
#: change in any of them rebuilds every page.
_CODE = ("report.py", "report_page.py", "report_html.py", "page_image.py", "catalog.py",
         "report_assets/report.css", "report_assets/report.js")
_INDEX_COUNTS = ("pages", "n_tables", "n_projects", "n_indicators")


@dataclass(frozen=True)
class ReportStats:
    """What the report holds and what this run did."""

    documents: int
    built: int
    unchanged: int
    tables: int
    flags: int
    images: int
    problems: list[tuple[str, str]] = field(default_factory=list)


def write_report(dataset: Path, out: Path, *, only: set[str] | None = None) -> ReportStats:
    """Write the index ``out``, ``<out stem>_files/flags.html`` and a page
    per document in ``<out stem>_files/``. Pages of unchanged documents are
    kept; with ``only``, just those documents' pages are (re)built. Each
    file is written atomically, the index last, so it never links to a page
    that is not there yet; pages of documents no longer in the dataset are
    removed."""
    root = Path(dataset)
    out = Path(out)
    files_dir = out.parent / f"{out.stem}_files"
    documents = sorted(read_documents(root), key=_order)
    old = _load_state(files_dir)
    state: dict[str, str] = {}
    code = _code_version()
    partitions = [d for d in root.glob("*/year=*") if d.is_dir()]
    built = unchanged = images = 0
    problems: list[tuple[str, str]] = []
    for doc in documents:
        doc_id = doc["doc_id"]
        fingerprint = _fingerprint(root, doc, code, partitions)
        page_file = files_dir / f"{doc_id}.html"
        if only is not None and doc_id not in only:
            if doc_id in old:
                state[doc_id] = old[doc_id]
            continue
        if only is None and old.get(doc_id) == fingerprint and page_file.is_file():
            state[doc_id] = fingerprint
            unchanged += 1
            continue
        try:
            page = build_document_page(root, doc, files_dir, index=f"../{out.name}", flags_page=FLAGS_PAGE)
        except Exception as error:  # noqa: BLE001 — one document's data must not stop the others' pages
            problems.append((doc_id, f"{type(error).__name__}: {error}"))
            write_text_atomic(page_file, _problem_page(doc, error, out.name))
            continue
        write_text_atomic(page_file, page.html)
        state[doc_id] = fingerprint
        built += 1
        images += page.images
    _remove_stale(files_dir, {doc["doc_id"] for doc in documents})
    flags = read_rows(root, "flags")
    write_text_atomic(files_dir / FLAGS_PAGE, _flags_page(documents, flags, out.name))
    write_text_atomic(files_dir / STATE_FILE, json.dumps({"documents": state}, indent=0, sort_keys=True))
    pages = {doc["doc_id"] for doc in documents if (files_dir / f"{doc['doc_id']}.html").is_file()}
    write_text_atomic(out, _index(documents, pages, files_dir.name, len(flags)))
    return ReportStats(
        documents=len(documents), built=built, unchanged=unchanged,
        tables=sum(doc.get("n_tables") or 0 for doc in documents), flags=len(flags), images=images,
        problems=problems,
    )


def _order(doc: Row) -> tuple[bool, int, str, str, str]:
    """Documents that need attention first (failed, then partly read),
    then by year, department and title."""
    return (doc.get("status") == "ok", doc.get(YEAR.name) or 0, doc.get("department") or "",
            doc.get("title") or "", doc["doc_id"])


def _code_version() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256(f"{jixiao.__version__}\0{SCHEMA_VERSION}".encode())
    for name in _CODE:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def _fingerprint(root: Path, doc: Row, code: str, partitions: list[Path]) -> str:
    """What the document's page depends on, cheaply: its row, the size and
    mtime of its files in every table and of every place its PDF may be,
    and the report's code. A file rewritten by a re-run changes its mtime."""
    digest = hashlib.sha256(code.encode())
    digest.update(json.dumps(doc, sort_keys=True, default=str).encode())
    places = [d / f"{doc['doc_id']}.parquet" for d in partitions] + source_candidates(doc, root)
    for path in places:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _load_state(files_dir: Path) -> dict[str, str]:
    """The fingerprints of the last run; none when there is no state or it
    cannot be read (every page is then rebuilt, which is always correct)."""
    try:
        state = json.loads((files_dir / STATE_FILE).read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in state["documents"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _remove_stale(files_dir: Path, current: set[str]) -> None:
    """Pages and image folders of documents no longer in the dataset."""
    if not files_dir.is_dir():
        return
    for path in files_dir.iterdir():
        if path.suffix == ".html" and path.name != FLAGS_PAGE and path.stem not in current:
            path.unlink()
        elif path.is_dir() and path.name not in current:
            shutil.rmtree(path)


def _problem_page(doc: Row, error: Exception, index: str) -> str:
    trace = "".join(traceback.format_exception(error))
    return html_page(title_of(doc), [
        f'<nav class="top"><a href="../{e(index)}">← 索引 / Index</a></nav>',
        f"<h1>{e(title_of(doc))}</h1>",
        ('<section class="error"><strong>本页无法生成 / This page could not be built</strong>'
         f"<p>{e(type(error).__name__)}: {e(error)} — a bug in jixiao or a damaged dataset; please report it "
         f"with the details below.</p><pre>{e(trace)}</pre></section>"),
    ])


def _status_cell(doc: Row) -> str:
    status = doc.get("status") or "-"
    if status == "ok":
        return "<td>ok</td>"
    return f'<td class="status-{e(status)}">{e(status)}: {value_html(doc.get("error_code"))}</td>'


def _index(documents: list[Row], pages: set[str], pages_dir: str, n_flags: int) -> str:
    by_status = {s: sum(doc.get("status") == s for doc in documents) for s in ("ok", "partial", "failed")}
    rows = []
    for doc in documents:
        doc_id = doc["doc_id"]
        href = e(f"{pages_dir}/{doc_id}.html")
        title = f'<a href="{href}">{e(title_of(doc))}</a>' if doc_id in pages else e(title_of(doc))
        counts = "".join(f'<td class="n">{value_html(doc.get(c))}</td>' for c in _INDEX_COUNTS)
        flags = value_html(doc.get("n_flags"))
        if doc.get("n_flags"):
            flags = f'<a href="{e(pages_dir)}/{FLAGS_PAGE}?document={e(quote(document_label(doc)))}">{flags}</a>'
        year = doc.get(YEAR.name) or ""
        rows.append(
            f'<tr data-status="{e(doc.get("status") or "")}" data-year="{e(year)}" '
            f'data-department="{e(doc.get("department") or "")}">'
            f"<td>{title}</td><td>{e(file_name(doc))}</td><td>{value_html(doc.get('department'))}</td>"
            f'<td class="n">{e(year or "—")}</td>{_status_cell(doc)}{counts}<td class="n">{flags}</td>'
            f"<td><code>{e(doc_id)}</code></td></tr>"
        )
    head = ('<th>标题 title</th><th>文件 file</th><th data-filter="department">部门 department</th>'
            '<th data-filter="year">年度 year</th><th data-filter="status">状态 status</th><th>页数 pages</th>'
            "<th>表格 tables</th><th>项目 projects</th><th>指标 indicators</th><th>标记 flags</th><th>编号 id</th>")
    summary = " · ".join(f"{n} {s}" for s, n in by_status.items() if n or s == "ok")
    others = len(documents) - sum(by_status.values())
    if others:
        summary += f" · {others} {UNREADABLE}"
    body = [
        "<h1>绩效文本提取审阅报告 / Extraction review report</h1>",
        f'<p class="sub">{len(documents)} 个文档 documents · {summary} · {n_flags} 个质量标记 flags</p>',
        f'<nav class="top"><a href="{e(pages_dir)}/{FLAGS_PAGE}">全部质量标记 / All flags ({n_flags})</a></nav>',
        f'<table class="index filterable"><thead><tr>{head}</tr></thead><tbody>',
        *rows,
        "</tbody></table>",
    ]
    return html_page("绩效文本提取审阅报告 / Extraction review report", body)


def _flags_page(documents: list[Row], flags: list[Row], index: str) -> str:
    """Every flag of the dataset in document order; ``#m<i>`` in the
    document's page is the mark of its i-th flag (the order of its file)."""
    by_doc: dict[str, list[Row]] = {}
    for flag in flags:
        by_doc.setdefault(flag["doc_id"], []).append(flag)
    rows = []
    for doc in documents:
        label = document_label(doc)
        for i, flag in enumerate(by_doc.get(doc["doc_id"], [])):
            href = e(f"{doc['doc_id']}.html#m{i}")
            rows.append(
                f'<tr class="sev-{e(flag["severity"])}" data-document="{e(label)}" data-code="{e(flag["code"])}" '
                f'data-severity="{e(flag["severity"])}" data-table="{e(flag["table_id"] or "—")}">'
                f"<td>{e(label)}<br><small>{e(title_of(doc))}</small></td><td>{value_html(flag['table_id'])}</td>"
                f'<td class="n">{value_html(flag["row"])}</td><td><code>{e(flag["code"])}</code></td>'
                f"<td>{e(flag['severity'])}</td><td>{value_html(flag['message'])}</td>"
                f'<td><a class="to-image" href="{href}">页面 / on the page</a></td></tr>'
            )
    head = ('<th data-filter="document">文档 document</th><th data-filter="table">表格 table</th><th>行 row</th>'
            '<th data-filter="code">代码 code</th><th data-filter="severity">严重程度 severity</th>'
            "<th>说明 message</th><th>查看 view</th>")
    body = [
        f'<nav class="top"><a href="../{e(index)}">← 索引 / Index</a></nav>',
        "<h1>质量标记 / Flags</h1>",
        (f'<p class="sub">{len(rows)} 个质量标记 flags in {len(by_doc)} documents; each links to its place on '
         "the page image</p>"),
        f'<table class="flags filterable"><thead><tr>{head}</tr></thead><tbody>',
        *rows,
        "</tbody></table>",
    ]
    return html_page("质量标记 / Flags", body)
