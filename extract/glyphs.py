"""Glyphs: pdfplumber chars reduced to what layout analysis needs, with
overprinted fake bold collapsed and every kind of bold marked.

Word and WPS exports of Chinese documents often fake bold by printing each
glyph two or four times a fraction of a point apart; pdfplumber's
``dedupe_chars`` compares sizes exactly and so misses the four-fold case
(sizes differ in the last float bits). Here a glyph is a duplicate of an
earlier one with the same text within ``_TWIN_TOLERANCE``
points on both axes; the survivor is marked bold. Legitimate repeats
(嘻嘻嘻, 2011年年度) sit a full advance apart and survive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .glyph_text import printed_characters

#: Fake-bold twins seen in the wild sit 0.24–0.34 pt apart; the closest
#: legitimate repeat of a glyph is a full advance (≥ 4 pt) away.
_TWIN_TOLERANCE = 1.0
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold|,b$|-b$|_b$", re.IGNORECASE)
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
_FILL_STROKE = 2
#: Characters below this code point are never rewritten by glyph_text (the
#: radical blocks start at U+2E80): the common case skips the lookup.
_FIRST_MAPPED = 0x2E80


@dataclass(slots=True)
class Glyph:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    bold: bool
    order: int  # position in the content stream: a stable tie-breaker
    confidence: float | None = None  # OCR'd glyphs only

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def font_family(fontname: str) -> str:
    """'DAAAAA+NotoSerifCJKjp-Regular-VKana' → 'NotoSerifCJKjp-Regular-VKana'."""
    return _SUBSET_PREFIX.sub("", fontname)


@lru_cache(maxsize=1024)
def _font_style(fontname: str) -> tuple[str, bool]:
    """(family, bold by name), once per font name rather than per glyph."""
    family = font_family(str(fontname))
    return family, bool(_BOLD_FONT.search(family))


def glyphs_from_chars(chars: Iterable[dict[str, Any]]) -> list[Glyph]:
    """Convert pdfplumber chars, collapse overprints, mark bold. A char whose
    text is several characters becomes several glyphs sharing its box (see
    :func:`~.glyph_text.printed_characters`)."""
    glyphs: list[Glyph] = []
    append = glyphs.append
    for i, ch in enumerate(chars):
        text = ch["text"]
        if not text:
            continue
        font, bold = _font_style(ch.get("fontname") or "")
        if not bold and ch.get("render_mode") == _FILL_STROKE:
            bold = True
        x0, x1, top, bottom = ch["x0"], ch["x1"], ch["top"], ch["bottom"]
        size = round(ch.get("size", 0.0), 2)
        if len(text) == 1 and ord(text) < _FIRST_MAPPED:
            append(Glyph(text, x0, x1, top, bottom, size, font, bold, i))
            continue
        printed = printed_characters(text)
        step = (x1 - x0) / len(printed)
        for k, char in enumerate(printed):
            append(Glyph(char, x0 + k * step, x0 + (k + 1) * step, top, bottom, size, font, bold, i))
    return collapse_overprints(glyphs)


#: Overprint buckets are twice the tolerance wide (see collapse_overprints).
_BUCKET = 2 * _TWIN_TOLERANCE


def collapse_overprints(glyphs: list[Glyph]) -> list[Glyph]:
    """Keep the first of each group of same-text glyphs printed at (nearly)
    the same spot and mark it bold. Spaces are collapsed too (842 prints
    them four times) but not marked bold.

    A spatial hash makes this linear: twins can be far apart in the content
    stream (a whole line is often printed, then printed again shifted). With
    buckets twice the tolerance wide, a twin lies in the glyph's own bucket
    or the one next to it on the nearer side, on each axis."""
    kept: list[Glyph] = []
    buckets: dict[tuple[str, int, int], list[Glyph]] = {}
    for g in glyphs:
        bx, fx = divmod(g.x0, _BUCKET)
        by, fy = divmod(g.top, _BUCKET)
        bx, by = int(bx), int(by)
        twin = _find_twin(g, buckets, (bx, bx - 1 if fx < _TWIN_TOLERANCE else bx + 1),
                          (by, by - 1 if fy < _TWIN_TOLERANCE else by + 1))
        if twin is not None:
            if not g.text.isspace():
                twin.bold = True
            continue
        key = (g.text, bx, by)
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = [g]
        else:
            bucket.append(g)
        kept.append(g)
    return kept


def _find_twin(g: Glyph, buckets: dict[tuple[str, int, int], list[Glyph]], xs: tuple[int, int],
               ys: tuple[int, int]) -> Glyph | None:
    text = g.text
    for x in xs:
        for y in ys:
            bucket = buckets.get((text, x, y))
            if bucket:
                for k in bucket:
                    if abs(k.x0 - g.x0) <= _TWIN_TOLERANCE and abs(k.top - g.top) <= _TWIN_TOLERANCE:
                        return k
    return None
