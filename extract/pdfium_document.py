"""Open a PDF with pypdfium2 and give its pages the interface the pipeline
reads (:class:`~.pdf_open.ParsedPage`).

pdfium also repairs damaged cross-reference tables that pdfminer gives up
on; what it cannot open is classified into one specific
:class:`~jixiao.errors.InputError` here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from ctypes import byref, c_float
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from jixiao.errors import ErrorCode, InputError

from .pdf_open import PageContent
from .pdfium_geometry import Box, PageGeometry, page_geometry, transform_box
from .pdfium_page import FontCache, read_page

_LETTER: Box = (0.0, 0.0, 612.0, 792.0)  # pdfminer's and pdfium's default MediaBox
#: pdfium is not thread-safe: a process reads one document at a time (a Dask
#: worker with several threads would otherwise call into it concurrently).
_PDFIUM_LOCK = threading.RLock()
_METADATA_KEYS = ("Producer", "Creator", "Title")


def _box(getter: Any, page: Any) -> Box | None:
    left, bottom, right, top = c_float(), c_float(), c_float(), c_float()
    if not getter(page, byref(left), byref(bottom), byref(right), byref(top)):
        return None
    return (left.value, bottom.value, right.value, top.value)


def _page_bbox(page: Any) -> Box:
    """pdfium's own page box (CropBox ∩ MediaBox, inherited through the page
    tree, which the box getters are not)."""
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDF_GetPageBoundingBox(page, byref(rect)):
        return _LETTER
    return (rect.left, rect.bottom, rect.right, rect.top)


def _intersect(a: Box, b: Box) -> Box:
    ax0, ax1 = sorted((a[0], a[2]))
    ay0, ay1 = sorted((a[1], a[3]))
    bx0, bx1 = sorted((b[0], b[2]))
    by0, by1 = sorted((b[1], b[3]))
    return (max(ax0, bx0), max(ay0, by0), min(ax1, bx1), min(ay1, by1))


class PdfiumPage:
    """One page of a pypdfium2 document, loaded on first use."""

    def __init__(self, path: Path, document: pdfium.PdfDocument, index: int, fonts: FontCache):
        self._path = path
        self._document = document
        self._index = index
        self._fonts = fonts
        self._raw: Any = None
        self._geometry: PageGeometry | None = None
        self.page_number = index + 1

    def _page(self) -> Any:
        if self._raw is None:
            raw = pdfium_c.FPDF_LoadPage(self._document.raw, self._index)
            if not raw:
                raise InputError(self._path, "cannot load page (pdfium)", page=self.page_number,
                                 code=ErrorCode.MALFORMED)
            self._raw = raw
        return self._raw

    @property
    def geometry(self) -> PageGeometry:
        if self._geometry is None:
            page = self._page()
            mediabox = _box(pdfium_c.FPDFPage_GetMediaBox, page) or _page_bbox(page)
            rotation = (pdfium_c.FPDFPage_GetRotation(page) * 90) % 360
            self._geometry = page_geometry(mediabox, rotation)
        return self._geometry

    @property
    def width(self) -> float:
        return self.geometry.width

    @property
    def height(self) -> float:
        return self.geometry.height

    @property
    def bbox(self) -> Box:
        return self.geometry.bbox

    @property
    def rotation(self) -> int:
        return self.geometry.rotation

    def content(self) -> PageContent:
        page = self._page()
        geometry = self.geometry
        mediabox = _box(pdfium_c.FPDFPage_GetMediaBox, page) or _page_bbox(page)
        cropbox = _box(pdfium_c.FPDFPage_GetCropBox, page) or mediabox
        visible = _intersect(cropbox, mediabox)
        # a page box of no area (a zero or broken MediaBox) says nothing about what is on the page
        crop = transform_box(geometry.device, visible) if visible[2] > visible[0] and visible[3] > visible[1] else None
        return read_page(page, geometry, crop, self._fonts)

    def close(self) -> None:
        if self._raw is not None:
            pdfium_c.FPDF_ClosePage(self._raw)
            self._raw = None


def _open_error(path: Path, error: pdfium.PdfiumError) -> InputError:
    code = getattr(error, "err_code", None)
    if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
        return InputError(path, "password-protected PDF (cannot decrypt)", code=ErrorCode.ENCRYPTED)
    return InputError(path, f"malformed PDF (pdfium: {error})", code=ErrorCode.MALFORMED)


@contextmanager
def open_pdfium(path: Path) -> Iterator[tuple[dict[str, str | None], list[PdfiumPage]]]:
    """The document's metadata and its pages; closes everything on exit."""
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as e:
            raise _open_error(path, e) from e
        pages: list[PdfiumPage] = []
        try:
            if len(document) == 0:
                raise InputError(path, "PDF has no pages", code=ErrorCode.NO_PAGES)
            metadata = {key: document.get_metadata_value(key) or None for key in _METADATA_KEYS}
            fonts = FontCache()
            pages = [PdfiumPage(path, document, i, fonts) for i in range(len(document))]
            yield metadata, pages
        finally:
            for page in pages:
                page.close()
            document.close()
