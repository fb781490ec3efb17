"""Ruling lines: every drawn horizontal or vertical stroke on a page, from
pdfplumber's lines, rects and curves, snapped and joined.

What counts as a rule: a stroked line; a thin filled rectangle (how Excel
and many PDF producers draw borders); the edges of a stroked rectangle; the
axis-aligned sides of a stroked path (a table frame drawn as one closed
path). What does not: a filled rectangle with some area (cell shading, a
page background, a sidebar), anything drawn in white.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

#: Strokes within this distance across their axis are the same rule
#: (LibreOffice draws a cell's edge 0.25–0.5 pt off its neighbour's).
SNAP_TOLERANCE = 3.0
#: Collinear pieces with at most this gap between them are one rule.
JOIN_TOLERANCE = 3.0
#: A filled rectangle thinner than this is a rule, not shading.
_THIN = 3.0
#: A vector this short is a tick or a glyph fragment, not a rule.
_MIN_LENGTH = 2.0


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


def _is_white(color: Any) -> bool:
    if color is None:
        return False
    if isinstance(color, (int, float)):
        color = (color,)
    if not isinstance(color, (tuple, list)) or not all(isinstance(c, (int, float)) for c in color):
        return False
    if len(color) == 1:
        return color[0] >= 0.95
    if len(color) == 3:
        return min(color) >= 0.95
    if len(color) == 4:  # CMYK: white is no ink
        return max(color) <= 0.05
    return False


def _from_box(x0: float, top: float, x1: float, bottom: float) -> list[Segment]:
    return [
        Segment(True, top, x0, x1),
        Segment(True, bottom, x0, x1),
        Segment(False, x0, top, bottom),
        Segment(False, x1, top, bottom),
    ]


def _from_thin_box(x0: float, top: float, x1: float, bottom: float) -> list[Segment]:
    if x1 - x0 >= bottom - top:
        return [Segment(True, (top + bottom) / 2, x0, x1)]
    return [Segment(False, (x0 + x1) / 2, top, bottom)]


def _from_points(points: list[tuple[float, float]]) -> list[Segment]:
    out = []
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        if abs(ay - by) < 0.5:
            out.append(Segment(True, (ay + by) / 2, min(ax, bx), max(ax, bx)))
        elif abs(ax - bx) < 0.5:
            out.append(Segment(False, (ax + bx) / 2, min(ay, by), max(ay, by)))
    return out


def page_segments(lines: Iterable[dict], rects: Iterable[dict], curves: Iterable[dict]) -> list[Segment]:
    """Raw segments from pdfplumber's ``page.lines``, ``page.rects`` and
    ``page.curves`` (top-left origin)."""
    segs: list[Segment] = []
    for ln in lines:
        if _is_white(ln.get("stroking_color")):
            continue
        segs.extend(_from_points([(float(x), float(y)) for x, y in ln["pts"]]))
    for r in rects:
        x0, top, x1, bottom = (float(r[k]) for k in ("x0", "top", "x1", "bottom"))
        thin = (x1 - x0) <= _THIN or (bottom - top) <= _THIN
        if thin and (r.get("fill") or r.get("stroke")):
            color = r.get("non_stroking_color") if r.get("fill") else r.get("stroking_color")
            if not _is_white(color):
                segs.extend(_from_thin_box(x0, top, x1, bottom))
        elif r.get("stroke") and not _is_white(r.get("stroking_color")):
            segs.extend(_from_box(x0, top, x1, bottom))
    for c in curves:
        if c.get("stroke") and not _is_white(c.get("stroking_color")):
            segs.extend(_from_points([(float(x), float(y)) for x, y in c["pts"]]))
    return [s for s in segs if s.length >= _MIN_LENGTH]


def snap_and_join(segments: list[Segment]) -> list[Segment]:
    """Snap rules lying within SNAP_TOLERANCE of each other onto their mean
    position, then join collinear pieces separated by ≤ JOIN_TOLERANCE."""
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
    return out


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
