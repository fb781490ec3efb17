"""One page of a PDF with what extraction found drawn on top of it.

A reviewer checking a table or a heading against the page needs to see, in
one picture, where the extractor put every cell and every block: a missed
rule shows as two cells drawn as one (a merged cell that should not be), a
table that is really two as one grid, a caption read as a paragraph. The
page is rendered with pypdfium2 (the renderer the OCR path already uses) and
annotated with Pillow:

* every cell of every table fragment on the page is outlined in blue, and a
  merged cell (rowspan or colspan > 1) is shaded translucent orange, so a
  wrong merge stands out without hiding the text under it;
* every text block (cover line, toc entry, heading, paragraph, caption) is
  outlined in magenta with a small label of its kind. Table blocks are not
  outlined: their cells already are, and a second frame would hide the grid.

Coordinates in the model are PDF points from the page's top-left corner, the
same orientation as the rendered bitmap, so a box maps to pixels by scaling
with the rendered size over the page size the extractor recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from jixiao import read_pdf
from jixiao.atomic import atomic_path
from jixiao.model import BBox, BlockKind, Document, Page

from .page_image import PageImageError, render_page

CELL_COLOUR = (0, 90, 220, 255)
MERGED_FILL = (255, 150, 0, 80)
FRAGMENT_COLOUR = (0, 40, 160, 255)
BLOCK_COLOUR = (210, 0, 140, 255)
LABEL_TEXT = (255, 255, 255, 255)
#: The longest side of the picture in pixels: an A3 page at the default
#: 2 px/pt fits; a page that claims to be larger is drawn smaller (see
#: ``jixiao.output.page_image``).
MAX_SIDE_PX = 2400


@dataclass(frozen=True)
class OverlayStats:
    """What was drawn, so a caller (or a test) can check the picture shows
    everything the document holds for the page."""

    page: int
    cells_drawn: int
    merged_cells_drawn: int
    blocks_drawn: int


def render_overlay(
    pdf: Path, page: int, out: Path, document: Document | None = None, scale: float = 2.0
) -> OverlayStats:
    """Render page ``page`` (1-based) of ``pdf`` at ``scale`` pixels per
    point (less for a page larger than ``MAX_SIDE_PX`` allows), draw the table cells and text blocks ``document`` has on it and
    write the PNG to ``out`` atomically. ``document`` defaults to reading
    ``pdf`` again; pass the one you have to see exactly what it holds (e.g.
    one rebuilt from the dataset).

    Only what lies on this page is drawn: a cell or block is drawn on the
    page it starts on (its bbox is on that page), so the part of a merged
    cell or paragraph that runs on from the previous page is not."""
    if document is None:
        document = read_pdf(pdf)
    page_model = _page(document, page)
    if not (page_model.width > 0 and page_model.height > 0):
        raise PageImageError(f"{pdf}: page {page}: its size is {page_model.width:g} × {page_model.height:g} pt "
                             "(a zero or inverted MediaBox?); nothing to draw on")
    image = _render(Path(pdf), page, scale)
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    sx, sy = image.width / page_model.width, image.height / page_model.height

    def box(b: BBox) -> tuple[float, float, float, float]:
        return (b.x0 * sx, b.top * sy, b.x1 * sx, b.bottom * sy)

    drawn = sx  # pixels per point actually rendered
    line = max(1, round(drawn / 2))
    font = ImageFont.load_default(size=max(9, round(6 * drawn)))
    cells = merged = 0
    for table in document.tables:
        for fragment in table.fragments:
            if fragment.page == page:
                draw.rectangle(box(fragment.bbox), outline=FRAGMENT_COLOUR, width=line * 2)
                last = fragment.first_row + fragment.n_rows - 1
                tag = f"{table.id} rows {fragment.first_row}-{last}"
                _label(draw, box(fragment.bbox), tag, FRAGMENT_COLOUR, font, right=True)
        for cell in table.cells:
            if cell.page != page:
                continue
            is_merged = cell.rowspan > 1 or cell.colspan > 1
            fill = MERGED_FILL if is_merged else None
            draw.rectangle(box(cell.bbox), outline=CELL_COLOUR, width=line, fill=fill)
            cells += 1
            merged += is_merged
    blocks = 0
    for block in document.blocks:
        if block.page != page or block.kind == BlockKind.TABLE:
            continue
        draw.rectangle(box(block.bbox), outline=BLOCK_COLOUR, width=line)
        level = f" {block.level}" if block.level is not None else ""
        _label(draw, box(block.bbox), f"{block.kind.value}{level}", BLOCK_COLOUR, font, right=False)
        blocks += 1
    annotated = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    with atomic_path(out) as tmp:
        annotated.save(tmp, format="PNG", optimize=True)
    return OverlayStats(page=page, cells_drawn=cells, merged_cells_drawn=merged, blocks_drawn=blocks)


def _page(document: Document, number: int) -> Page:
    for page in document.pages:
        if page.number == number:
            return page
    raise ValueError(f"{document.doc_id}: no page {number} (the document has {len(document.pages)} pages)")


def _render(pdf: Path, page: int, scale: float) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        return render_page(document, page, scale, MAX_SIDE_PX)
    finally:
        document.close()


def _label(
    draw: ImageDraw.ImageDraw,
    box: tuple[float, float, float, float],
    text: str,
    colour: tuple[int, int, int, int],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    *,
    right: bool,
) -> None:
    """A small tag on the box's top edge, just above it where there is room
    (so it does not cover the first line of text), at the left for blocks
    and the right for tables so the two do not overprint."""
    left, top, x1, bottom = draw.textbbox((0, 0), text, font=font)
    width, height = x1 - left + 4, bottom - top + 4
    x = box[2] - width if right else box[0]
    y = box[1] - height if box[1] >= height else box[1]
    draw.rectangle((x, y, x + width, y + height), fill=colour)
    draw.text((x + 2 - left, y + 2 - top), text, fill=LABEL_TEXT, font=font)
