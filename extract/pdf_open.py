"""Open a PDF with pdfplumber, turning every way a file can be unusable into
one specific :class:`~jixiao.errors.InputError`.

pdfplumber (pdfminer.six underneath) does not report a glyph's text render
mode, so a glyph drawn bold by filling *and* stroking its outline (``2 Tr``,
what ReportLab and LibreOffice's synthetic bold emit) is indistinguishable
from a regular one. :class:`RenderModePage` records the mode on every char as
``render_mode`` by hooking the one place pdfminer still knows it.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pdfplumber
from pdfminer.layout import LTChar, LTPage
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent
from pdfplumber.utils.exceptions import PdfminerException

from jixiao.errors import ErrorCode, InputError
from jixiao.model import SourceInfo

_EOF_WINDOW = 2048


class _RenderModeAggregator(PDFPageAggregatorWithMarkedContent):
    """Tags each LTChar with the text render mode in force when it was shown."""

    _render_mode: int = 0

    def render_string(self, textstate, seq, ncs, graphicstate) -> None:  # type: ignore[no-untyped-def]
        self._render_mode = textstate.render
        super().render_string(textstate, seq, ncs, graphicstate)

    def render_char(self, *args, **kwargs) -> float:  # type: ignore[no-untyped-def]
        adv = super().render_char(*args, **kwargs)
        self.cur_item._objs[-1].render_mode = self._render_mode  # type: ignore[attr-defined]
        return adv


class RenderModePage(Page):
    """A pdfplumber page whose chars carry ``render_mode`` (0 fill, 1 stroke,
    2 fill+stroke, 3 invisible, ...)."""

    @property
    def layout(self) -> LTPage:
        if hasattr(self, "_layout"):
            return self._layout
        device = _RenderModeAggregator(self.pdf.rsrcmgr, pageno=self.page_number, laparams=self.pdf.laparams)
        interpreter = PDFPageInterpreter(self.pdf.rsrcmgr, device)
        try:
            interpreter.process_page(self.page_obj)
        except Exception as e:  # pdfminer raises anything from deep inside
            raise PdfminerException(e) from e
        self._layout = device.get_result()
        return self._layout

    def process_object(self, obj):  # type: ignore[no-untyped-def]
        attr = super().process_object(obj)
        if isinstance(obj, LTChar):
            attr["render_mode"] = getattr(obj, "render_mode", 0)
        return attr


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(path: Path) -> None:
    """Cheap checks before any parsing: exists, not empty, looks like a PDF,
    not cut short. A PDF cut in half still half-parses in pdfminer (it scans
    for objects when the xref is gone) and would silently lose pages, so a
    missing ``%%EOF`` is an error here."""
    if not path.is_file():
        raise InputError(path, "file not found", code=ErrorCode.NOT_FOUND)
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "empty file (0 bytes)", code=ErrorCode.EMPTY_FILE)
    with open(path, "rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - _EOF_WINDOW))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise InputError(path, "not a PDF (no %PDF- header)", code=ErrorCode.NOT_PDF)
    if b"%%EOF" not in tail:
        raise InputError(path, f"truncated PDF (no %%EOF marker; {size} bytes)", code=ErrorCode.TRUNCATED)


def _classify_open_error(path: Path, error: Exception) -> InputError:
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    name = type(cause).__name__
    if "Password" in name or "Encryption" in name:
        return InputError(path, "password-protected PDF (cannot decrypt)", code=ErrorCode.ENCRYPTED)
    if name in ("PSEOF",):
        return InputError(path, "truncated PDF (unexpected end of file)", code=ErrorCode.TRUNCATED)
    return InputError(path, f"malformed PDF ({name}: {cause})", code=ErrorCode.MALFORMED)


@contextmanager
def open_pdf(path: str | Path) -> Iterator[tuple[pdfplumber.PDF, list[RenderModePage]]]:
    """Open ``path`` and yield the pdfplumber PDF with its pages as
    :class:`RenderModePage`. Raises :class:`InputError` for unusable files."""
    path = Path(path)
    check_file(path)
    try:
        pdf = pdfplumber.open(path)
    except Exception as e:
        raise _classify_open_error(path, e) from e
    try:
        try:
            plain_pages = pdf.pages
        except Exception as e:
            raise _classify_open_error(path, e) from e
        if not plain_pages:
            raise InputError(path, "PDF has no pages", code=ErrorCode.NO_PAGES)
        pages = [
            RenderModePage(pdf, p.page_obj, page_number=p.page_number, initial_doctop=p.initial_doctop)
            for p in plain_pages
        ]
        yield pdf, pages
    finally:
        pdf.close()


def source_info(path: Path, pdf: pdfplumber.PDF) -> SourceInfo:
    meta = pdf.metadata or {}

    def text(key: str) -> str | None:
        value = meta.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        return str(value) if value else None

    return SourceInfo(
        path=str(path),
        sha256=sha256_of(path),
        size_bytes=path.stat().st_size,
        producer=text("Producer"),
        creator=text("Creator"),
        title=text("Title"),
    )
