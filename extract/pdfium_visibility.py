"""A faithful text layer: only the glyphs a reader can see are text.

A PDF's text layer can hold glyphs that are never seen. LibreOffice Calc
draws a merged cell that a page break cuts on every page it touches,
positioned for the whole cell and clipped to the part on that page: the rest
of its text is painted outside the clip, or above the page's top edge.
Other producers paint a white box over text they mean to hide. Kept as
text, such copies duplicate cell text, break the joining of table parts
and make captions look like running headers. A glyph is not text when

* its centre lies outside the page's crop box (it is off the page),
* its centre lies outside the clip region in force when it was painted, or
* an opaque fill painted after it covers it (a fill of any colour hides
  what is under it; a fill with transparency does not).

Glyph boxes are pdfminer's em boxes (advance × one em), so a glyph counts
as covered when a fill contains its box less :data:`_COVER_MARGIN` of its
size on each side: a cell background drawn after its text with the cell's
padding of zero still sits inside the row's box.
"""

from __future__ import annotations

from typing import Any

from .pdfium_clip import ClipRegion
from .pdfium_geometry import Box

#: Share of a glyph's size at each side that a covering fill may leave out.
_COVER_MARGIN = 0.15
#: A fill smaller than this (points) on either side is a rule, not a cover.
_MIN_COVER = 1.0
#: Fully opaque, as pdfium reports alpha (0–1).
_OPAQUE = 1.0


#: An opaque fill's painted box and paint order: ``(z, x0, top, x1, bottom)``.
Occluder = tuple[int, float, float, float, float]


def may_occlude(box: Box, alpha: float, z: int, first_text_z: int | None) -> bool:
    """Whether a filled rectangle ``(x0, top, x1, bottom)`` can hide text:
    opaque, larger than a rule, and painted after some text."""
    return (alpha >= _OPAQUE and first_text_z is not None and z > first_text_z
            and box[2] - box[0] >= _MIN_COVER and box[3] - box[1] >= _MIN_COVER)


def occluder(box: Box, z: int, clip: ClipRegion | None) -> Occluder | None:
    """The fill's painted area, cut to its clip when that is a rectangle; a
    fill clipped by any other shape is left out (its painted area is not
    known well enough to hide text), and so is one clipped to nothing."""
    x0, top, x1, bottom = box
    if clip is not None:
        if clip.shapes:
            return None
        cx0, ctop, cx1, cbottom = clip.bbox
        x0, top, x1, bottom = max(x0, cx0), max(top, ctop), min(x1, cx1), min(bottom, cbottom)
    if x1 - x0 < _MIN_COVER or bottom - top < _MIN_COVER:
        return None
    return (z, x0, top, x1, bottom)


def _covered(char: dict[str, Any], occluders: list[Occluder]) -> bool:
    z = char["seq"]
    margin = _COVER_MARGIN * char["size"]
    x0, x1 = char["x0"] + margin, char["x1"] - margin
    top, bottom = char["top"] + margin, char["bottom"] - margin
    return any(
        oz > z and ox0 <= x0 and x1 <= ox1 and otop <= top and bottom <= obottom
        for oz, ox0, otop, ox1, obottom in occluders
    )


def visible_chars(chars: list[dict[str, Any]], occluders: list[Occluder], crop: Box | None) -> list[dict[str, Any]]:
    """``chars`` less the glyphs nobody can see. ``crop``: the crop box in
    the chars' coordinates, ``(x0, top, x1, bottom)``, or None for no crop
    test; ``occluders``: the opaque fills of the page (see :func:`occluder`)."""
    inf = float("inf")
    cx0, ctop, cx1, cbottom = crop or (-inf, -inf, inf, inf)
    kept = []
    for char in chars:
        x = (char["x0"] + char["x1"]) / 2
        y = (char["top"] + char["bottom"]) / 2
        if not (cx0 <= x <= cx1 and ctop <= y <= cbottom):
            continue
        clip = char.get("clip")
        if clip is not None and not clip.contains(x, y):
            continue
        if occluders and _covered(char, occluders):
            continue
        kept.append(char)
    return kept
