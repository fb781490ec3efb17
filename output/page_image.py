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


def render_page(pdf: pdfium.PdfDocument, number: int, scale: float, max_side_px: int) -> Image.Image:
    """Page ``number`` (1-based) of an open document as an RGB picture at
    ``scale`` pixels per point, scaled down to fit ``max_side_px``."""
    if not 1 <= number <= len(pdf):
        raise PageImageError(f"no page {number} (the PDF has {len(pdf)} pages)")
    page = pdf[number - 1]
    try:
        width, height = page.get_size()
        factor = bounded_scale(abs(width), abs(height), scale, max_side_px)
        return page.render(scale=factor).to_pil().convert("RGB")
    except pdfium.PdfiumError as error:
        raise PageImageError(f"pdfium cannot render the page ({error})") from error
    finally:
        page.close()
