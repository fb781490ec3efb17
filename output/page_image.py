"""A PDF page as a picture whose size is bounded, whatever the page says it is.

A page's size comes from its MediaBox, which is input like any other: a
14,400-pt page (the largest PDF allows) rendered at 2 px/pt is 28,800 px
square, 3.3 GB of RGBA; a zero or inverted box has no area at all. Every
picture jixiao draws of a page (the review report, ``jixiao inspect``)
therefore goes through :func:`render_page`, which scales the page down so
its longer side stays within a pixel budget and refuses a page with no
usable size with :class:`PageImageError` — one odd page costs its own
picture, not the whole report.
"""

from __future__ import annotations

import math

import pypdfium2 as pdfium
from PIL import Image


class PageImageError(Exception):
    """The page cannot be drawn (no usable size, or pdfium refused it)."""


def bounded_scale(width_pt: float, height_pt: float, scale: float, max_side_px: int) -> float:
    """Pixels per point: ``scale``, or less so that neither side of the
    picture exceeds ``max_side_px``. A size that is not a positive finite
    number is a :class:`PageImageError`."""
    if not all(math.isfinite(v) and v > 0 for v in (width_pt, height_pt)):
        raise PageImageError(f"the page's size is {width_pt:g} × {height_pt:g} pt (a zero or inverted MediaBox?)")
    return min(scale, max_side_px / max(width_pt, height_pt))


def render_page(
    pdf: pdfium.PdfDocument,
    number: int,
    scale: float,
    max_side_px: int,
    region: tuple[float, float, float, float] | None = None,
    frame: tuple[float, float] | None = None,
) -> Image.Image:
    """Page ``number`` (1-based) of an open document as an RGB picture at
    ``scale`` pixels per point, scaled down to fit ``max_side_px``.

    ``region`` (x0, top, x1, bottom, origin top-left) draws only that part
    of the page, in the coordinates of a page ``frame`` (width, height) pt
    large — the size the extractor recorded, which the region's numbers
    refer to; pdfium's own page size may differ (it repairs a broken
    MediaBox), so the region is scaled from one to the other. Only the
    region is rasterised: a table on a 14,400-pt page is drawn at full
    resolution without drawing the page."""
    if not 1 <= number <= len(pdf):
        raise PageImageError(f"no page {number} (the PDF has {len(pdf)} pages)")
    page = pdf[number - 1]
    try:
        width, height = (abs(v) for v in page.get_size())
        if region is None:
            factor = bounded_scale(width, height, scale, max_side_px)
            return page.render(scale=factor).to_pil().convert("RGB")
        frame_w, frame_h = frame or (width, height)
        bounded_scale(frame_w, frame_h, scale, max_side_px)  # a frame with no size is refused
        fx, fy = width / frame_w, height / frame_h
        x0, top, x1, bottom = (max(0.0, region[0] * fx), max(0.0, region[1] * fy),
                               min(width, region[2] * fx), min(height, region[3] * fy))
        if x1 <= x0 or bottom <= top:
            raise PageImageError(f"the region {region} lies outside the page ({frame_w:g} × {frame_h:g} pt)")
        factor = bounded_scale(x1 - x0, bottom - top, scale, max_side_px)
        crop = (x0, height - bottom, width - x1, top)  # pdfium: cut off left, bottom, right, top
        return page.render(scale=factor, crop=crop).to_pil().convert("RGB")
    except pdfium.PdfiumError as error:
        raise PageImageError(f"pdfium cannot render the page ({error})") from error
    finally:
        page.close()
