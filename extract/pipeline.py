"""``read_pdf``: a PDF file → :class:`~jixiao.model.Document`.

Page by page (so memory stays flat on long documents): glyphs, rules, ruled
grids, lines. Then the document-level passes: page furniture, stitching of
tables across pages, reading order. The camelot engine replaces only the
table finder; text outside its tables is read the same way, so the two
engines differ in tables alone and can be compared on any PDF.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jixiao.errors import ErrorCode, InputError
from jixiao.model import Document, Page
from jixiao.settings import ENGINES, OCR_MODES, Engine, OcrMode, Settings

from .furniture import remove_furniture
from .integrity import PageCheck, read_whole
from .page_layout import PageLayout, analyse_page, page_model, split_by_tables
from .pdf_open import open_pdf, source_info
from .reading_order import TableMark, read_blocks
from .stitching import stitch_tables
from .textlines import group_lines

if TYPE_CHECKING:  # multiprocessing is imported only when pages are OCR'd in a pool
    from concurrent.futures import Executor
    from multiprocessing.context import BaseContext

#: Where the parsers' own exception classes live: such an exception means
#: "the parser could not read this page's content"; any other is a bug of ours.
_PARSER_MODULES = ("pdfminer", "pdfplumber", "pypdfium2")

#: One DEBUG record per page read, with ``page`` and ``pages``: the corpus
#: runner's progress bar counts pages from them.
_progress = logging.getLogger("jixiao.progress")


@dataclass
class _Pending:
    """A page being OCR'd: its number (for errors) and its future layout."""

    page: int
    future: Future


class _Scanner:
    """OCR for the pages that need it, set up on the first such page: the
    page renderer and the OCR engine are heavy, and most PDFs never need them.

    With ``workers`` > 1 the pages are OCR'd in that many processes while
    the rest of the document is read (OCR is one onnxruntime thread per
    process, so a page per core is how a lone document uses the machine);
    with 1 they are OCR'd in this process, as the corpus runner wants (it
    already runs a document per core)."""

    def __init__(self, path: Path, workers: int = 1):
        self.path = path
        self.workers = workers
        self._engine: str | None = None
        self._document = None  # this process's pdfium document, when OCR-ing in process
        self._pool: Executor | None = None

    def analyse(self, page: Page, drawn: PageLayout | None = None) -> Future:
        """Start OCR of one page (``drawn``: its layout from a text layer that
        cannot be used, whose tables keep their ruled geometry); the future
        gives its layout and OCR lines."""
        if self._engine is None:
            from .ocr_engines import OcrUnavailable, get_engine

            try:
                self._engine = get_engine().name
            except OcrUnavailable as e:
                raise InputError(self.path, f"no text layer (scanned?) and no OCR engine: {e}", page=page.number,
                                 code=ErrorCode.NO_TEXT_LAYER) from e
        from .scan_page import ocr_page

        tables = drawn.tables if drawn is not None else None
        notes = drawn.diagnostics if drawn is not None else []
        if self.workers > 1:
            if self._pool is None:
                from concurrent.futures import ProcessPoolExecutor

                self._pool = ProcessPoolExecutor(self.workers, mp_context=_pool_context())
            return self._pool.submit(ocr_page, str(self.path), page, self._engine, tables, notes)
        if self._document is None:
            import pypdfium2 as pdfium

            self._document = pdfium.PdfDocument(self.path)
        done: Future = Future()
        done.set_result(ocr_page(self._document, page, self._engine, tables, notes))
        return done

    def finish(self, layouts: list[PageLayout | _Pending]) -> list[PageLayout]:
        """The layouts with every OCR'd page in place, bold decided over all
        of the document's OCR lines."""
        if not any(isinstance(layout, _Pending) for layout in layouts):
            self.close()
            return layouts  # nothing OCR'd: the OCR stack (OpenCV, numpy) stays unimported
        from .scan_page import mark_bold_lines

        try:
            out, lines = [], []
            for layout in layouts:
                if isinstance(layout, _Pending):
                    try:
                        page_layout, page_lines = layout.future.result()
                    except Exception as e:
                        raise InputError(self.path, f"cannot OCR page ({type(e).__name__}: {e})", page=layout.page,
                                         code=ErrorCode.MALFORMED) from e
                    lines += page_lines
                    layout = page_layout
                out.append(layout)
            mark_bold_lines(lines)
            return out
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._document is not None:
            self._document.close()


def _pool_context() -> BaseContext:
    """Fork where the platform has it: a forked worker starts at once with
    jixiao already imported. Safe even after this process has OCR'd: its
    onnxruntime sessions run no threads of their own to be lost in a fork."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _use_camelot_tables(path: Path, layouts: list[PageLayout], glyphs_by_page: list[list]) -> None:
    from .camelot_engine import camelot_tables

    found = camelot_tables(path, [layout.page for layout in layouts])
    for layout, glyphs in zip(layouts, glyphs_by_page):
        if not layout.page.text_layer:
            continue  # a scan: its tables came from the page image
        tables = found.get(layout.page.number, [])
        _, outside = split_by_tables(glyphs, [t.bbox for t in tables])
        layout.tables = tables
        layout.lines = group_lines(outside, layout.page.number)
        layout.diagnostics = []


def _edges(layout: PageLayout) -> tuple[bool, bool]:
    """(first table opens the page, last table closes it), page furniture
    already removed."""
    if not layout.tables:
        return False, False
    first, last = layout.tables[0], layout.tables[-1]
    opens = not any(line.bottom <= first.ys[0] + 1 for line in layout.lines)
    closes = not any(line.top >= last.ys[-1] - 1 for line in layout.lines)
    return opens, closes


def _ocr(scanner: _Scanner, page, layout: PageLayout | None, ocr: str, path: Path) -> _Pending:
    """Route a page without a usable text layer to OCR (or, with OCR off,
    refuse it: the error says why the page needs it)."""
    why = layout.unusable_text if layout is not None and layout.unusable_text else "no text layer (scanned?)"
    if ocr == "off":
        raise InputError(path, f"{why}; OCR is off (--ocr off)", page=page.page_number, code=ErrorCode.NO_TEXT_LAYER)
    drawn = layout if layout is not None and layout.unusable_text else None
    model = drawn.page if drawn is not None else page_model(page, has_text=False)
    return _Pending(page.page_number, scanner.analyse(model, drawn))


def read_pdf(path: str | Path, settings: Settings | None = None, *, ocr_workers: int = 1, **overrides: Any) -> Document:
    """Read a PDF into the document model.

    ``settings`` (or keyword overrides of its fields, ``engine="camelot"``)
    say how; see :class:`~jixiao.settings.Settings`. ``ocr_workers``: how
    many processes OCR the pages that need it (it changes only the speed;
    leave it at 1 where documents already run in parallel). Raises
    :class:`~jixiao.errors.InputError` for unusable input (not a PDF, empty,
    truncated, encrypted, a scanned page that cannot be OCR'd) and
    ``ValueError`` for an unknown setting value. The read is
    cross-checked by an independent reader (``integrity``): a damaged file
    is read from a repaired copy, and pages it still cannot read are named
    in ``PAGES_UNREAD`` diagnostics."""
    settings = (settings or Settings()).with_changes(**overrides)
    return read_whole(Path(path), settings, partial(_read, ocr_workers=ocr_workers))


def _read(path: Path, settings: Settings, check: PageCheck, *, ocr_workers: int) -> Document:
    engine, ocr = settings.engine, settings.ocr
    found: list[PageLayout | _Pending] = []
    glyphs_by_page: list[list] = []
    scanner = _Scanner(path, ocr_workers)
    with open_pdf(path, settings.parser) as (metadata, pages):
        check.pages(len(pages))
        source = source_info(path, metadata)
        try:
            for page in pages:
                _progress.debug("page %d of %d", page.page_number, len(pages),
                                extra={"page": page.page_number, "pages": len(pages)})
                try:
                    layout, glyphs = (None, []) if ocr == "force" else analyse_page(page)
                    if layout is not None:  # text judged unusable (and OCR'd) was read, not missed
                        check.page(page.page_number, found_text=bool(glyphs or layout.unusable_text))
                    found.append(layout if layout is not None and layout.page.text_layer
                                 else _ocr(scanner, page, layout, ocr, path))
                except InputError:
                    raise
                except Exception as e:
                    if not type(e).__module__.startswith(_PARSER_MODULES):
                        raise  # a bug of ours: INTERNAL, never a malformed page
                    if isinstance(e.__cause__, MemoryError):
                        raise e.__cause__ from None  # the worker's memory cap, not a malformed page
                    raise InputError(path, f"cannot read page ({type(e).__name__}: {e})", page=page.page_number,
                                     code=ErrorCode.MALFORMED) from e
                finally:
                    page.close()
                glyphs_by_page.append(glyphs if engine == "camelot" else [])
        except BaseException:
            scanner.close()
            raise
        layouts = scanner.finish(found)
    if engine == "camelot":
        _use_camelot_tables(path, layouts, glyphs_by_page)
    return assemble(source.sha256[:16], source, layouts, engine)


def assemble(doc_id: str, source, layouts: list[PageLayout], engine: str) -> Document:
    """Document-level passes over analysed pages."""
    remove_furniture(layouts)
    edges = [_edges(layout) for layout in layouts]
    tables, owner = stitch_tables(
        [layout.tables for layout in layouts],
        last_on_page=[closes for _, closes in edges],
        first_on_page=[opens for opens, _ in edges],
        engine=engine,
    )
    marks: dict[int, list[TableMark]] = {}
    seen: set[str] = set()
    for i, layout in enumerate(layouts):
        for j, part in enumerate(layout.tables):
            table_id = owner[(i, j)]
            marks.setdefault(layout.page.number, []).append(
                TableMark(table_id=table_id, page=layout.page.number, bbox=part.bbox, first_part=table_id not in seen)
            )
            seen.add(table_id)
    blocks = read_blocks(layouts, marks)
    return Document(
        doc_id=doc_id,
        source=source,
        engine=engine,
        pages=[layout.page for layout in layouts],
        blocks=blocks,
        tables=tables,
        diagnostics=[d for layout in layouts for d in layout.diagnostics],
    )


__all__ = ["ENGINES", "OCR_MODES", "Engine", "OcrMode", "assemble", "read_pdf"]
