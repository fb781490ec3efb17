"""Clip paths of page objects, as regions that answer "is this point visible?".

pdfium keeps a clip path on an object only where it matters: after parsing
it drops every single-rectangle clip that contains the whole object
(``CPDF_ContentParser::CheckClip``), so most objects carry none and reading
them is cheap. A Form XObject's children have their coordinates and clip
paths in the form's space (its /Matrix and /BBox baked in) and sit inside
the form object's own clip, in its parent's space.

A region is the intersection of clip paths; a path is the union of its
subpaths, each taken as the polygon of its points (a Bézier's control
points included: clip paths in real documents are rectangles, and a curve's
hull is a close enough bound for deciding where a glyph's centre lies).
"""

from __future__ import annotations

from ctypes import byref, c_float
from dataclasses import dataclass
from typing import Any

import pypdfium2.raw as pdfium_c

from .pdfium_geometry import Box, Matrix, apply
from .pdfium_handles import pdfium

Point = tuple[float, float]
Polygon = tuple[Point, ...]

#: Corners this close count as the same coordinate (float32 storage).
_EPS = 1e-3


def _is_rectangle(poly: Polygon) -> bool:
    """Four corners joined by horizontal and vertical edges."""
    corners = poly[:-1] if len(poly) > 1 and _same(poly[0], poly[-1]) else poly
    if len(corners) != 4:
        return False
    edges = zip(corners, corners[1:] + corners[:1])
    return all(abs(ax - bx) < _EPS or abs(ay - by) < _EPS for (ax, ay), (bx, by) in edges) and len(
        {(round(x / _EPS), round(y / _EPS)) for x, y in corners}) == 4


def _same(a: Point, b: Point) -> bool:
    return abs(a[0] - b[0]) < _EPS and abs(a[1] - b[1]) < _EPS


def _inside(poly: Polygon, x: float, y: float) -> bool:
    """Even-odd ray casting."""
    inside = False
    n = len(poly)
    for i in range(n):
        ax, ay = poly[i]
        bx, by = poly[(i + 1) % n]
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


@dataclass(frozen=True, slots=True)
class ClipRegion:
    """The visible area left by one or more clip paths (device coordinates).

    ``bbox`` bounds it; ``shapes`` are the paths that are not a single
    axis-aligned rectangle (a rectangle is fully described by ``bbox``)."""

    bbox: Box
    shapes: tuple[tuple[Polygon, ...], ...] = ()

    def contains(self, x: float, y: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 - _EPS <= x <= x1 + _EPS and y0 - _EPS <= y <= y1 + _EPS):
            return False
        return all(any(_inside(poly, x, y) for poly in path) for path in self.shapes)

    def intersect(self, other: ClipRegion | None) -> ClipRegion:
        if other is None:
            return self
        a, b = self.bbox, other.bbox
        return ClipRegion(
            bbox=(max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])),
            shapes=self.shapes + other.shapes,
        )


def _subpaths(clip: Any, index: int, to_device: Matrix, point: tuple[c_float, c_float]) -> list[Polygon]:
    x, y = point
    polygons: list[list[Point]] = []
    for s in range(pdfium.FPDFClipPath_CountPathSegments(clip, index)):
        segment = pdfium.FPDFClipPath_GetPathSegment(clip, index, s)
        if not segment or not pdfium.FPDFPathSegment_GetPoint(segment, byref(x), byref(y)):
            continue
        if pdfium.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO or not polygons:
            polygons.append([])
        polygons[-1].append(apply(to_device, x.value, y.value))
    return [tuple(p) for p in polygons if len(p) >= 3]


def read_clip(obj: Any, to_device: Matrix) -> ClipRegion | None:
    """The clip region of one object (without its enclosing forms' clips),
    or None when pdfium keeps none for it."""
    clip = pdfium.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    count = pdfium.FPDFClipPath_CountPaths(clip)
    if count <= 0:
        return None
    point = (c_float(), c_float())
    x0 = y0 = float("-inf")
    x1 = y1 = float("inf")
    shapes: list[tuple[Polygon, ...]] = []
    for index in range(count):
        polygons = _subpaths(clip, index, to_device, point)
        if not polygons:  # an empty clip path (0 0 0 0 re W n): nothing is visible
            return ClipRegion(bbox=(0.0, 0.0, -1.0, -1.0))
        xs = [px for poly in polygons for px, _ in poly]
        ys = [py for poly in polygons for _, py in poly]
        x0, y0, x1, y1 = max(x0, min(xs)), max(y0, min(ys)), min(x1, max(xs)), min(y1, max(ys))
        if not (len(polygons) == 1 and _is_rectangle(polygons[0])):
            shapes.append(tuple(polygons))
    return ClipRegion(bbox=(x0, y0, x1, y1), shapes=tuple(shapes))


def combine(own: ClipRegion | None, inherited: ClipRegion | None) -> ClipRegion | None:
    if own is None:
        return inherited
    return own.intersect(inherited)


__all__ = ["ClipRegion", "combine", "read_clip"]
