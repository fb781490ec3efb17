"""The pdfminer parser backend (through pdfplumber), kept selectable with
``--parser pdfminer``.

pdfplumber (pdfminer.six underneath) does not report a glyph's text render
mode, so a glyph drawn bold by filling *and* stroking its outline (``2 Tr``,
what ReportLab and LibreOffice's synthetic bold emit) is indistinguishable
from a regular one. :class:`RenderModePage` records the mode on every char as
``render_mode`` by hooking the one place pdfminer still knows it.

:func:`page_content` reads the page's layout objects into plain dicts with
pdfplumber's coordinates (top-left origin, MediaBox offsets applied) but only
the keys extraction uses: pdfplumber's generic ``page.objects`` resolves
every attribute of every object and costs a fifth of the extraction time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTImage, LTLine, LTPage, LTRect
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent, fix_fontname_bytes
from pdfplumber.utils.exceptions import PdfminerException

from jixiao.errors import ErrorCode, InputError

from .pdf_open import PageContent

_METADATA_KEYS = ("Producer", "Creator", "Title")


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

    def paint_path(self, gstate, stroke, fill, evenodd, path) -> None:  # type: ignore[no-untyped-def]
        """Tags each new shape with the colour spaces it was painted in: a
        one-component colour is a grey level in DeviceGray but an amount of
        ink in a Separation (spot) colour space."""
        before = len(self.cur_item._objs)
        super().paint_path(gstate, stroke, fill, evenodd, path)
        for obj in self.cur_item._objs[before:]:
            obj.stroking_colorspace = gstate.scs.name
            obj.non_stroking_colorspace = gstate.ncs.name


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

    def content(self) -> PageContent:
        return page_content(self)


def _color(value: Any) -> Any:
    return value if isinstance(value, tuple) else (value,)


def page_content(page: RenderModePage) -> PageContent:
    mb_x0, mb_top = float(page.mediabox[0]), float(page.mediabox[1])
    height = float(page.height)
    content = PageContent()

    def box(obj: Any) -> dict[str, Any]:
        return {
            "x0": obj.x0 + mb_x0,
            "x1": obj.x1 + mb_x0,
            "top": height - obj.y1 + mb_top,
            "bottom": height - obj.y0 + mb_top,
        }

    def points(obj: Any) -> list[tuple[float, float]]:
        return [(mb_x0 + x, mb_top + height - y) for x, y in obj.pts]

    seq = 0

    def walk(objs: list[Any]) -> None:
        nonlocal seq
        for obj in objs:
            seq += 1
            if isinstance(obj, LTChar):
                fontname = obj.fontname
                if isinstance(fontname, bytes):
                    fontname = fix_fontname_bytes(fontname)
                content.chars.append(
                    {
                        **box(obj),
                        "text": obj.get_text(),
                        "size": obj.size,
                        "fontname": fontname,
                        "upright": obj.upright,
                        "render_mode": getattr(obj, "render_mode", 0),
                        "matrix": obj.matrix,  # its baseline tells the text direction
                    }
                )
            elif isinstance(obj, (LTLine, LTRect, LTCurve)):
                shape = {
                    **box(obj),
                    "pts": points(obj),
                    "fill": obj.fill,
                    "stroke": obj.stroke,
                    "stroking_color": _color(obj.stroking_color),
                    "non_stroking_color": _color(obj.non_stroking_color),
                    # paint order, colour spaces and dash pattern: what a
                    # rule looks like depends on what was painted under it
                    "seq": seq,
                    "stroking_colorspace": getattr(obj, "stroking_colorspace", None),
                    "non_stroking_colorspace": getattr(obj, "non_stroking_colorspace", None),
                    "linewidth": obj.linewidth,
                    "dash": getattr(obj, "dashing_style", None),
                }
                kind = content.lines if isinstance(obj, LTLine) else content.rects if isinstance(obj, LTRect) else content.curves
                kind.append(shape)
            elif isinstance(obj, LTImage):
                content.images.append(box(obj))
            elif isinstance(obj, LTContainer):
                walk(obj._objs)

    walk(page.layout._objs)
    return content


def _classify_open_error(path: Path, error: Exception) -> InputError:
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    name = type(cause).__name__
    if "Password" in name or "Encryption" in name:
        return InputError(path, "password-protected PDF (cannot decrypt)", code=ErrorCode.ENCRYPTED)
    if name in ("PSEOF",):
        return InputError(path, "truncated PDF (unexpected end of file)", code=ErrorCode.TRUNCATED)
    return InputError(path, f"malformed PDF ({name}: {cause})", code=ErrorCode.MALFORMED)


def _metadata(pdf: pdfplumber.PDF) -> dict[str, str | None]:
    meta = pdf.metadata or {}

    def text(key: str) -> str | None:
        value = meta.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        return str(value) if value else None

    return {key: text(key) for key in _METADATA_KEYS}


@contextmanager
def open_pdfminer(path: Path) -> Iterator[tuple[dict[str, str | None], list[RenderModePage]]]:
    """The document's metadata and its pages as :class:`RenderModePage`."""
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
        yield _metadata(pdf), pages
    finally:
        pdf.close()
