"""Ruling lines: every drawn horizontal or vertical rule on a page, however
the producer drew it, snapped and joined.

A rule is whatever a reader sees as a line:

* a stroked line, the axis-aligned sides of a stroked rectangle or path (a
  table frame drawn as one closed path);
* a thin filled rectangle or filled path (how Excel, Chromium and many PDF
  producers draw borders);
* dashed and dotted borders: each dash or dot is a short piece, and pieces
  in a row join into one rule (a dot, square, counts for both directions
  until its neighbours decide);
* in any colour that stands out from what lies under it: a white rule over
  a dark cell fill is a rule, a white rule on the white page is not. Colour
  is judged as a person sees it — the lightness of the colour in its colour
  space; a spot (Separation) colour at full strength is full ink, not white.

What is not a rule: a filled area with some extent (cell shading, a page
background: it is a background for the rules painted over it), anything
invisible against its background, and the outlines of glyphs (cairo draws a
synthetic bold heading as text plus stroked glyph outlines: pieces lying
inside one glyph's box belong to the glyph).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

#: Strokes within this distance across their axis are the same rule
#: (LibreOffice draws a cell's edge 0.25–0.5 pt off its neighbour's).
SNAP_TOLERANCE = 3.0
#: Collinear pieces with at most this gap between them are one rule.
JOIN_TOLERANCE = 3.0
#: A filled shape thinner than this is a rule, not shading.
_THIN = 3.0
#: A rule (after joining dashes and dots) this short is a tick or a glyph
#: fragment, not a rule.
_MIN_LENGTH = 2.0
#: A shape at most this far off axis is axis-aligned.
_AXIS = 0.5
#: A rule must differ from what lies under it by this much lightness (0
#: black, 1 white) to be seen: white on the page is not a rule, white on a
#: cell fill is.
_MIN_CONTRAST = 0.08
#: The page itself, under everything.
_PAGE_LIGHTNESS = 1.0
#: A piece of path inside a glyph's box, grown by this share of the font
#: size (ink overshoots the font's ascent, a stroke its outline), is part of
#: the glyph.
_GLYPH_SLACK_EM = 0.25


@dataclass(slots=True)
class Segment:
    """An axis-aligned rule. For a horizontal one ``pos`` is its y and
    ``start``/``end`` its x extent; for a vertical one the other way round."""

    horizontal: bool
    pos: float
    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


def _components(color: Any) -> tuple[float, ...] | None:
    if isinstance(color, (int, float)):
        return (float(color),)
    if isinstance(color, (tuple, list)) and color and all(isinstance(c, (int, float)) for c in color):
        return tuple(float(c) for c in color)
    return None


def lightness(color: Any, space: str | None = None) -> float | None:
    """How light a colour looks, 0 (black) to 1 (white); None when it cannot
    be told (a pattern, an indexed palette).

    One component is a grey level in DeviceGray/CalGray but an amount of ink
    in Separation and DeviceN; three are RGB, four CMYK. Without a colour
    space name the count of components decides (the grey reading for one)."""
    if color is None:
        return 0.0  # the PDF default colour is black
    comps = _components(color)
    if comps is None or space in ("Pattern", "Indexed"):
        return None
    if space in ("Separation", "DeviceN"):
        return 1.0 - min(1.0, max(comps))
    if len(comps) == 1:
        return comps[0]
    if len(comps) == 3:
        r, g, b = comps
        return 0.299 * r + 0.587 * g + 0.114 * b
    if len(comps) == 4:
        c, m, y, k = comps
        return 0.299 * (1 - c) * (1 - k) + 0.587 * (1 - m) * (1 - k) + 0.114 * (1 - y) * (1 - k)
    return None


@dataclass(slots=True)
class _Fill:
    """A filled area: a background for whatever is painted over it."""

    seq: int
    x0: float
    top: float
    x1: float
    bottom: float
    lightness: float


@dataclass(slots=True)
class _Piece:
    segment: Segment
    seq: int
    lightness: float | None
    outline: bool  # a stroked rect or path side (could be a glyph outline)
    dot: bool = False


def _sides(points: Sequence[tuple[float, float]]) -> list[Segment]:
    """The axis-aligned sides of a path."""
    out = []
    for (ax, ay), (bx, by) in pairwise(points):
        if abs(ay - by) < _AXIS and abs(ax - bx) >= _AXIS:
            out.append(Segment(True, (ay + by) / 2, min(ax, bx), max(ax, bx)))
        elif abs(ax - bx) < _AXIS and abs(ay - by) >= _AXIS:
            out.append(Segment(False, (ax + bx) / 2, min(ay, by), max(ay, by)))
    return out


def _box_sides(x0: float, top: float, x1: float, bottom: float) -> list[Segment]:
    return [
        Segment(True, top, x0, x1),
        Segment(True, bottom, x0, x1),
        Segment(False, x0, top, bottom),
        Segment(False, x1, top, bottom),
    ]


def _thin_box(x0: float, top: float, x1: float, bottom: float) -> Segment:
    """The rule a thin shape draws, along its longer side."""
    if x1 - x0 >= bottom - top:
        return Segment(True, (top + bottom) / 2, x0, x1)
    return Segment(False, (x0 + x1) / 2, top, bottom)


def _is_dot(x0: float, top: float, x1: float, bottom: float) -> bool:
    """Thin both ways: a dot or dash of a dotted rule, whose direction only
    its neighbours tell."""
    return x1 - x0 <= _THIN and bottom - top <= _THIN


def _box(shape: dict) -> tuple[float, float, float, float]:
    return float(shape["x0"]), float(shape["top"]), float(shape["x1"]), float(shape["bottom"])


def _on_page(box: tuple[float, float, float, float], page_box: tuple[float, float, float, float] | None) -> bool:
    if page_box is None:
        return True
    x0, top, x1, bottom = box
    return x1 >= page_box[0] and x0 <= page_box[2] and bottom >= page_box[1] and top <= page_box[3]


def _shape_pieces(kind: str, shape: dict, seq: int, fills: list[_Fill]) -> list[_Piece]:
    """The rule pieces one painted shape draws (and its area, when it is a
    filled area, appended to ``fills``)."""
    x0, top, x1, bottom = _box(shape)
    stroke_light = lightness(shape.get("stroking_color"), shape.get("stroking_colorspace"))
    fill_light = lightness(shape.get("non_stroking_color"), shape.get("non_stroking_colorspace"))
    points = [(float(x), float(y)) for x, y in shape.get("pts") or []]
    pieces: list[_Piece] = []
    if kind == "line":
        return [_Piece(s, seq, stroke_light, False) for s in _sides(points)]
    thin = (x1 - x0) <= _THIN or (bottom - top) <= _THIN
    dot = _is_dot(x0, top, x1, bottom)
    if shape.get("fill"):
        if thin:
            pieces.append(_Piece(_thin_box(x0, top, x1, bottom), seq, fill_light, False, dot))
        elif fill_light is not None:
            fills.append(_Fill(seq, x0, top, x1, bottom, fill_light))
    if shape.get("stroke"):
        if thin and kind == "rect":
            pieces.append(_Piece(_thin_box(x0, top, x1, bottom), seq, stroke_light, True, dot))
        else:
            sides = _box_sides(x0, top, x1, bottom) if kind == "rect" else _sides(points)
            pieces += [_Piece(s, seq, stroke_light, True) for s in sides]
    return pieces


def _orient_dots(pieces: list[_Piece]) -> list[_Piece]:
    """Give each dot the direction of the row or column of dots it lies in
    (a neighbour on the same line within JOIN_TOLERANCE); a lone dot is a
    full stop or a speck, not a rule."""
    dots = [p for p in pieces if p.dot]
    if not dots:
        return pieces
    centre = {id(p): _centre(p.segment) for p in dots}
    in_row: set[int] = set()
    in_col: set[int] = set()
    for along, ids in ((0, in_row), (1, in_col)):
        across = 1 - along
        ordered = sorted(dots, key=lambda p: (round(centre[id(p)][across] / _AXIS), centre[id(p)][along]))
        for a, b in pairwise(ordered):
            ca, cb = centre[id(a)], centre[id(b)]
            if abs(ca[across] - cb[across]) < _AXIS and cb[along] - ca[along] <= JOIN_TOLERANCE + _THIN:
                ids.update((id(a), id(b)))
    out = [p for p in pieces if not p.dot]
    for p in dots:
        cx, cy = centre[id(p)]
        half = p.segment.length / 2  # a dot's longer side
        if id(p) in in_row:
            out.append(_Piece(Segment(True, cy, cx - half, cx + half), p.seq, p.lightness, p.outline))
        if id(p) in in_col:
            out.append(_Piece(Segment(False, cx, cy - half, cy + half), p.seq, p.lightness, p.outline))
    return out


def _centre(s: Segment) -> tuple[float, float]:
    mid = (s.start + s.end) / 2
    return (mid, s.pos) if s.horizontal else (s.pos, mid)


def _background(piece: _Piece, fills: list[_Fill]) -> float:
    """Lightness under a piece: the last filled area painted before it that
    holds its middle, else the page."""
    s = piece.segment
    mid = (s.start + s.end) / 2
    x, y = (mid, s.pos) if s.horizontal else (s.pos, mid)
    under = _PAGE_LIGHTNESS
    for f in fills:  # in paint order
        if f.seq >= piece.seq:
            break
        if f.x0 <= x <= f.x1 and f.top <= y <= f.bottom:
            under = f.lightness
    return under


class _GlyphBoxes:
    """Glyph boxes (grown by _GLYPH_SLACK_EM) sorted by top, for 'which
    glyph holds this piece'."""

    def __init__(self, chars: Iterable[dict]) -> None:
        boxes = []
        for i, c in enumerate(chars):
            if str(c.get("text", "")).isspace():
                continue
            slack = _GLYPH_SLACK_EM * float(c.get("size") or 0.0)
            boxes.append(
                (float(c["top"]) - slack, float(c["bottom"]) + slack, float(c["x0"]) - slack, float(c["x1"]) + slack, i)
            )
        boxes.sort()
        self.boxes = boxes
        self.tops = [b[0] for b in boxes]
        self.tallest = max((b[1] - b[0] for b in boxes), default=0.0)

    def holder(self, x0: float, top: float, x1: float, bottom: float) -> int | None:
        """Index (in ``chars``) of the glyph whose box holds the given box,
        the nearest by centre when grown boxes of neighbours overlap."""
        lo = bisect_left(self.tops, top - self.tallest)
        hi = bisect_right(self.tops, top)
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        best, best_d = None, 0.0
        for btop, bbottom, bx0, bx1, i in self.boxes[lo:hi]:
            if btop <= top and bottom <= bbottom and bx0 <= x0 and x1 <= bx1:
                d = abs((bx0 + bx1) / 2 - cx) + abs((btop + bbottom) / 2 - cy)
                if best is None or d < best_d:
                    best, best_d = i, d
        return best

    def holds(self, s: Segment) -> bool:
        if s.horizontal:
            return self.holder(s.start, s.pos, s.end, s.pos) is not None
        return self.holder(s.pos, s.start, s.pos, s.end) is not None


def outlined_glyphs(chars: list[dict], rects: Iterable[dict], curves: Iterable[dict]) -> set[int]:
    """Indexes of the glyphs over which the glyph's outline is stroked as a
    path: how cairo re-draws text shown fill+stroke (synthetic bold)."""
    outlines = [shape for shape in (*rects, *curves) if shape.get("stroke") and not shape.get("fill")]
    if not outlines:
        return set()
    glyphs = _GlyphBoxes(chars)
    out: set[int] = set()
    for shape in outlines:
            i = glyphs.holder(*_box(shape))
            if i is not None:
                out.add(i)
    return out


def page_segments(
    lines: Iterable[dict],
    rects: Iterable[dict],
    curves: Iterable[dict],
    chars: Iterable[dict] = (),
    page_box: tuple[float, float, float, float] | None = None,
) -> list[Segment]:
    """Rule pieces from a page's ``lines``, ``rects`` and ``curves`` (the
    :class:`~jixiao.extract.pdf_open.PageContent` dicts, top-left origin),
    in paint order when the shapes carry ``seq``. ``chars`` are the page's
    glyphs (pieces inside one are glyph outlines); shapes wholly outside
    ``page_box`` (x0, top, x1, bottom) are not seen. Pieces are not yet
    joined: :func:`snap_and_join` makes rules of them."""
    shapes = [("line", s) for s in lines] + [("rect", s) for s in rects] + [("curve", s) for s in curves]
    order = sorted(range(len(shapes)), key=lambda i: shapes[i][1].get("seq", i))
    fills: list[_Fill] = []
    pieces: list[_Piece] = []
    for rank, i in enumerate(order):
        kind, shape = shapes[i]
        if _on_page(_box(shape), page_box):
            pieces += _shape_pieces(kind, shape, rank, fills)
    pieces = _orient_dots(pieces)
    glyphs = _GlyphBoxes(chars if any(p.outline for p in pieces) else ())
    out = []
    for p in pieces:
        if p.lightness is not None and abs(p.lightness - _background(p, fills)) < _MIN_CONTRAST:
            continue  # invisible against what lies under it
        if p.outline and glyphs.holds(p.segment):
            continue
        out.append(p.segment)
    return out


def snap_and_join(segments: list[Segment]) -> list[Segment]:
    """Snap rules lying within SNAP_TOLERANCE of each other onto their mean
    position, then join collinear pieces separated by ≤ JOIN_TOLERANCE
    (dashes and dots become one rule). What is still shorter than
    ``_MIN_LENGTH`` after joining is a tick, not a rule."""
    out: list[Segment] = []
    for horizontal in (True, False):
        group = sorted((s for s in segments if s.horizontal == horizontal), key=lambda s: s.pos)
        for cluster in _clusters(group, lambda s: s.pos, SNAP_TOLERANCE):
            pos = sum(s.pos for s in cluster) / len(cluster)
            pieces = sorted(cluster, key=lambda s: s.start)
            cur = Segment(horizontal, pos, pieces[0].start, pieces[0].end)
            for s in pieces[1:]:
                if s.start <= cur.end + JOIN_TOLERANCE:
                    cur.end = max(cur.end, s.end)
                else:
                    out.append(cur)
                    cur = Segment(horizontal, pos, s.start, s.end)
            out.append(cur)
    return [s for s in out if s.length >= _MIN_LENGTH]


def _clusters(items: list, key, tolerance: float) -> list[list]:
    """Split items sorted by ``key`` wherever consecutive keys differ by
    more than ``tolerance``."""
    clusters: list[list] = []
    for item in items:
        if clusters and key(item) - key(clusters[-1][-1]) <= tolerance:
            clusters[-1].append(item)
        else:
            clusters.append([item])
    return clusters


def cluster_positions(values: Iterable[float], tolerance: float = SNAP_TOLERANCE) -> list[float]:
    """Distinct positions: sorted values merged within ``tolerance``."""
    return [sum(c) / len(c) for c in _clusters(sorted(values), lambda v: v, tolerance)]
