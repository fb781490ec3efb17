"""Affine matrices and the page's device transform.

Matrices are PDF's ``(a, b, c, d, e, f)``, applied to row vectors:
``x' = a·x + c·y + e``, ``y' = b·x + d·y + f``; ``mul(m, n)`` is "m, then n"
(pdfminer's ``mult_matrix(m, n)``, pdfium's ``m * n``).

:func:`device_matrix` maps PDF user space to the coordinates every later stage
works in — pdfplumber's: pdfminer turns the page by its /Rotate and moves the
MediaBox's lower-left corner to the origin, then pdfplumber flips the y axis
(``top`` grows downwards) and adds back its own MediaBox offsets. Both steps
are reproduced here number for number, so a char or a rule lands where the
pdfminer path puts it.
"""

from __future__ import annotations

from dataclasses import dataclass

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def mul(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def transform_box(m: Matrix, box: Box) -> Box:
    """The axis-aligned box around ``box``'s four corners after ``m``."""
    x0, y0, x1, y1 = box
    xs, ys = zip(apply(m, x0, y0), apply(m, x1, y0), apply(m, x0, y1), apply(m, x1, y1))
    return (min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True, slots=True)
class PageGeometry:
    """A page's size and boxes as pdfplumber reports them, and the matrix
    from PDF user space to pdfplumber's coordinates."""

    rotation: int
    width: float
    height: float
    bbox: Box  # pdfplumber's page.bbox (its MediaBox, top-left origin)
    device: Matrix  # PDF user space → pdfplumber's coordinates
    ctm: Matrix  # PDF user space → pdfminer's page space (rotated, y up): where its char matrices live


def _pdfminer_page_ctm(mediabox: Box, rotation: int) -> Matrix:
    """pdfminer's ``PDFPageInterpreter.process_page`` base matrix."""
    x0, y0, x1, y1 = mediabox
    if rotation == 90:
        return (0.0, -1.0, 1.0, 0.0, -y0, x1)
    if rotation == 180:
        return (-1.0, 0.0, 0.0, -1.0, x1, y1)
    if rotation == 270:
        return (0.0, 1.0, -1.0, 0.0, y1, -x0)
    return (1.0, 0.0, 0.0, 1.0, -x0, -y0)


def page_geometry(mediabox: Box, rotation: int) -> PageGeometry:
    """``mediabox`` as stored (any two opposite corners), ``rotation`` the
    page's /Rotate modulo 360."""
    x0, x1 = sorted((mediabox[0], mediabox[2]))
    y0, y1 = sorted((mediabox[1], mediabox[3]))
    normal = (y0, x0, y1, x1) if rotation in (90, 270) else (x0, y0, x1, y1)
    mb_height = normal[3] - normal[1]
    bbox = (normal[0], mb_height - normal[3], normal[2], mb_height - normal[1])
    width, height = bbox[2] - bbox[0], bbox[3] - bbox[1]
    flip: Matrix = (1.0, 0.0, 0.0, -1.0, bbox[0], bbox[1] + height)
    ctm = _pdfminer_page_ctm(mediabox, rotation)
    return PageGeometry(rotation=rotation, width=width, height=height, bbox=bbox, device=mul(ctm, flip), ctm=ctm)
