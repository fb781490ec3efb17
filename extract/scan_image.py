"""A scanned page as an image: render, deskew, binarise, find the ruled lines.

The ruled grid of a scanned table is found the way camelot's lattice parser
finds it: morphological opening with long horizontal and vertical kernels
keeps only strokes longer than any glyph stroke. Each remaining line becomes
a :class:`~jixiao.extract.rules.Segment` in PDF points, so a scan's grid is
built by exactly the code that builds a born-digital one (snapping, joining,
merged cells from missing rules) — cells and spans come out the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium

from .rules import Segment

#: Archive scans are 200–300 dpi. RapidOCR reads 10.5 pt table text exactly
#: at 200 dpi; 300 dpi costs a third more for no gain (docs/OCR.md).
DPI = 200
#: Shortest rule to keep, in points: longer than any glyph stroke of body or
#: table text (≤ 16 pt), shorter than the narrowest table column.
_MIN_RULE_PT = 20.0
_MAX_SKEW_DEG = 3.0


@dataclass
class PageImage:
    """A deskewed page: ``gray`` (uint8, paper white) and ``ink`` (binary,
    255 where there is ink), with ``scale`` pixels per PDF point."""

    gray: np.ndarray
    ink: np.ndarray
    scale: float
    skew_degrees: float

    def to_points(self, px: float) -> float:
        return px / self.scale


def render_page(pdf: pdfium.PdfDocument, index: int, dpi: int = DPI) -> np.ndarray:
    """The page as an RGB array. A red seal is removed before grey
    conversion: red ink on a cover would otherwise OCR as noise."""
    bitmap = pdf[index].render(scale=dpi / 72)
    rgb = bitmap.to_numpy()[:, :, :3].copy()
    r, g, b = (rgb[:, :, i].astype(np.int16) for i in range(3))
    red = (r - np.maximum(g, b) > 60) & (r > 120)
    rgb[red] = 255
    return rgb


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink mask (255 = ink): Otsu's threshold after a light blur removes
    scanner speckle without thinning strokes."""
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def estimate_skew(ink: np.ndarray) -> float:
    """Skew angle in degrees (positive = rotated counter-clockwise), found
    where the horizontal projection of a downscaled ink mask is sharpest:
    text lines and rules line up with the rows at the true angle."""
    factor = 800 / max(ink.shape)
    small = cv2.resize(ink, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    center = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(center, angle, 1.0)
        rotated = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        return float(np.var(rotated.sum(axis=1, dtype=np.float64)))

    best = max(np.arange(-_MAX_SKEW_DEG, _MAX_SKEW_DEG + 0.01, 0.25), key=sharpness)
    fine = np.arange(best - 0.25, best + 0.26, 0.05)
    return float(max(fine, key=sharpness))


def rotate(image: np.ndarray, angle: float, border: int) -> np.ndarray:
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)


def prepare(rgb: np.ndarray, dpi: int = DPI) -> PageImage:
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    angle = estimate_skew(binarize(gray))
    if abs(angle) >= 0.05:
        gray = rotate(gray, angle, border=255)
    return PageImage(gray=gray, ink=binarize(gray), scale=dpi / 72, skew_degrees=angle)


def render_drawn_page(pdf: pdfium.PdfDocument, index: int, dpi: int = DPI) -> PageImage:
    """A page drawn from vector content (a text layer that cannot be used,
    its glyphs still print), in grey. Unlike a scan it is level and its
    colour is the author's (red text is text, not a seal), so it is neither
    deskewed nor cleaned."""
    gray = pdf[index].render(scale=dpi / 72, grayscale=True).to_numpy()
    if gray.ndim == 3:
        gray = np.ascontiguousarray(gray[:, :, 0])
    return PageImage(gray=gray, ink=binarize(gray), scale=dpi / 72, skew_degrees=0.0)


#: Blank rows (in points) that still join two bands of ink into one region for
#: text detection: about a line of body text, so a paragraph is one region
#: and the detector sees each line with its neighbours' spacing.
_BAND_GAP_PT = 14.0
#: Paper (in points) kept around a band of ink, so the detector sees text
#: with the margin it was trained on.
_BAND_MARGIN_PT = 8.0
#: Ink blobs smaller than this (px) are speckle, not text to detect.
_SPECKLE_PX = 10


def ink_bands(image: PageImage, ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Regions (x0, top, x1, bottom, in pixels) of ``ink`` (a mask over the
    page image) that hold text: runs of rows with ink, joined across short
    gaps, each cut to the columns its ink spans and given a margin. Text
    detection then runs on these alone, not on the blank paper around them
    nor on the tables already read cell by cell."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= _SPECKLE_PX
    keep[0] = False
    mask = keep[labels]
    rows = np.flatnonzero(mask.any(axis=1))
    if not len(rows):
        return []
    gap, margin = int(_BAND_GAP_PT * image.scale), int(_BAND_MARGIN_PT * image.scale)
    height, width = mask.shape
    breaks = np.flatnonzero(np.diff(rows) > gap)
    starts = np.concatenate(([rows[0]], rows[breaks + 1]))
    ends = np.concatenate((rows[breaks], [rows[-1]])) + 1
    bands = []
    for top, bottom in zip(starts, ends):
        cols = np.flatnonzero(mask[top:bottom].any(axis=0))
        bands.append((max(0, int(cols[0]) - margin), max(0, int(top) - margin),
                      min(width, int(cols[-1]) + 1 + margin), min(height, int(bottom) + margin)))
    return bands


def _line_mask(ink: np.ndarray, length: int, horizontal: bool) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
    mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    # close the small gaps noise and JPEG leave in a rule
    bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1) if horizontal else (1, 9))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, bridge)


def rule_segments(image: PageImage) -> list[Segment]:
    """Ruled lines of the page image, in PDF points."""
    length = int(_MIN_RULE_PT * image.scale)
    segments: list[Segment] = []
    for horizontal in (True, False):
        mask = _line_mask(image.ink, length, horizontal)
        n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            x, y, w, h, _ = stats[i]
            if (w if horizontal else h) < length:
                continue
            cx, cy = centroids[i]
            if horizontal:
                segments.append(Segment(True, image.to_points(cy), image.to_points(x), image.to_points(x + w)))
            else:
                segments.append(Segment(False, image.to_points(cx), image.to_points(y), image.to_points(y + h)))
    return segments
