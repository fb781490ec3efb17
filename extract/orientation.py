"""Text direction: a page whose text runs up or down the page (a table
printed sideways, with no /Rotate to say so) is read in the frame where its
text is upright.

The direction of each glyph is its text matrix's baseline (a, b): pdfminer
gives it in the displayed page's space, /Rotate already applied, so a page
stored turned with /Rotate 90 is upright here and left alone. When most of
a page's ink runs another way, the whole page — glyphs, shapes, images — is
turned so that that way becomes left-to-right; tables, lines and reading
order then work as on any upright page and come out in reading order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from .pdf_open import PageContent

#: Share of a page's glyphs that must run one way for the page to be read
#: in that direction.
_MAJORITY = 0.6

Point = Callable[[float, float], tuple[float, float]]


def glyph_turn(matrix: Any) -> int:
    """Clockwise quarter turns (0, 90, 180, 270) that make a glyph with
    this text matrix upright. Top-left page coordinates: a baseline going up
    the page (text bottom-to-top) needs a 90° clockwise turn."""
    if not matrix or len(matrix) < 2:
        return 0
    a, b = float(matrix[0]), float(matrix[1])
    if abs(a) >= abs(b):
        return 0 if a >= 0 else 180
    return 90 if b > 0 else 270


def page_turn(chars: list[dict]) -> int:
    """The turn that makes most of the page's glyphs upright (0 when most
    are already, or the page has no text)."""
    if sum(1 for c in chars if c.get("upright", True)) >= _MAJORITY * len(chars):
        return 0  # the common case, decided without reading every matrix
    votes: Counter[int] = Counter()
    for c in chars:
        if not str(c.get("text", "")).isspace():
            votes[glyph_turn(c.get("matrix"))] += 1
    total = sum(votes.values())
    if not total:
        return 0
    turn, count = votes.most_common(1)[0]
    return turn if turn and count >= _MAJORITY * total else 0


def _mapper(turn: int, width: float, height: float) -> Point:
    if turn == 90:  # text ran up: the page's left edge becomes its top
        return lambda x, y: (height - y, x)
    if turn == 270:  # text ran down: the right edge becomes the top
        return lambda x, y: (y, width - x)
    return lambda x, y: (width - x, height - y)


def _box(obj: dict[str, Any], point: Point) -> dict[str, float]:
    xa, ya = point(float(obj["x0"]), float(obj["top"]))
    xb, yb = point(float(obj["x1"]), float(obj["bottom"]))
    return {"x0": min(xa, xb), "x1": max(xa, xb), "top": min(ya, yb), "bottom": max(ya, yb)}


def turn_page(content: PageContent, width: float, height: float, turn: int) -> tuple[PageContent, float, float]:
    """The page content seen turned ``turn`` degrees clockwise, and the
    turned page's width and height. Glyphs that were upright in the turned
    frame are marked upright and their size is their height there."""
    if not turn:
        return content, width, height
    point = _mapper(turn, width, height)

    def shape(obj: dict[str, Any]) -> dict[str, Any]:
        out = {**obj, **_box(obj, point)}
        if "pts" in obj:
            out["pts"] = [point(float(x), float(y)) for x, y in obj["pts"]]
        return out

    chars = []
    for c in content.chars:
        box = _box(c, point)
        upright = glyph_turn(c.get("matrix")) == turn
        chars.append({**c, **box, "upright": upright, "size": box["bottom"] - box["top"] if upright else c["size"]})
    turned = PageContent(
        chars=chars,
        lines=[shape(o) for o in content.lines],
        rects=[shape(o) for o in content.rects],
        curves=[shape(o) for o in content.curves],
        images=[{**o, **_box(o, point)} for o in content.images],
    )
    return (turned, height, width) if turn in (90, 270) else (turned, width, height)
