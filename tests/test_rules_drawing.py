"""Rules however they are drawn, on small PDFs made here with reportlab: the
same 3 × 3 table drawn with stroked lines, thin filled rectangles, rows of
dots, white rules over a dark fill, a spot colour, no outer frame, printed
sideways; and what is not a table (white on white, a chart's gridlines)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.lib.colors import CMYKColorSep, Color
from reportlab.pdfgen.canvas import Canvas

import jixiao
from jixiao.extract.rules import Segment, lightness, page_segments, snap_and_join

PAGE_W, PAGE_H = 595.0, 842.0
#: The table's grid in reportlab's bottom-left coordinates.
XS = [100.0, 200.0, 300.0, 400.0]
YS = [700.0, 670.0, 640.0, 610.0]  # top to bottom
TEXTS = [["Name", "Plan", "Done"], ["Roads", "12", "10"], ["Bridges", "3", "3"]]

Draw = Callable[[Canvas, float, float, float, float], None]


def _stroked(c: Canvas, x0: float, y0: float, x1: float, y1: float) -> None:
    c.setLineWidth(0.5)
    c.line(x0, y0, x1, y1)


def _filled(c: Canvas, x0: float, y0: float, x1: float, y1: float) -> None:
    w = 0.6
    if y0 == y1:
        c.rect(x0, y0 - w / 2, x1 - x0, w, stroke=0, fill=1)
    else:
        c.rect(x0 - w / 2, min(y0, y1), w, abs(y1 - y0), stroke=0, fill=1)


def _dotted(c: Canvas, x0: float, y0: float, x1: float, y1: float) -> None:
    """Dots 0.8 pt square every 2 pt, as Chromium draws a dotted border."""
    d, step = 0.8, 2.0
    n = int(max(abs(x1 - x0), abs(y1 - y0)) / step) + 1
    for i in range(n):
        if y0 == y1:
            c.rect(x0 + i * step - d / 2, y0 - d / 2, d, d, stroke=0, fill=1)
        else:
            c.rect(x0 - d / 2, min(y0, y1) + i * step - d / 2, d, d, stroke=0, fill=1)


def _grid_pdf(path: Path, draw: Draw, *, frame: bool = True, text: bool = True, before: Callable | None = None,
              color: Color | None = None) -> Path:
    c = Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    if before:
        before(c)
    if color is not None:
        c.setStrokeColor(color)
        c.setFillColor(color)
    xs = XS if frame else XS[1:-1]
    ys = YS
    for y in ys:
        draw(c, XS[0], y, XS[-1], y)
    for x in xs:
        draw(c, x, ys[0], x, ys[-1])
    if text:
        c.setFillColorRGB(0, 0, 0)
        c.setFont("Helvetica", 10)
        for r, row in enumerate(TEXTS):
            for k, t in enumerate(row):
                c.drawString(XS[k] + 6, YS[r] - 20, t)
    c.showPage()
    c.save()
    return path


def _cells(path: Path) -> list[list[tuple[int, int, str]]]:
    doc = jixiao.read_pdf(path)
    return [sorted((cell.row, cell.col, cell.text) for cell in t.cells) for t in doc.tables]


EXPECTED = [[(r, k, TEXTS[r][k]) for r in range(3) for k in range(3)]]


@pytest.mark.parametrize("draw", [_stroked, _filled, _dotted], ids=["stroked", "filled-rects", "dotted"])
def test_rules_however_drawn_make_the_same_table(tmp_path: Path, draw: Draw) -> None:
    assert _cells(_grid_pdf(tmp_path / "t.pdf", draw)) == EXPECTED


def test_white_rules_over_a_dark_fill_are_rules(tmp_path: Path) -> None:
    """Cell backgrounds with white rules painted over them (camelot's
    background_lines): the white lines are the grid."""

    def shade(c: Canvas) -> None:
        c.setFillColorRGB(0.55, 0.7, 0.9)
        c.rect(XS[0], YS[-1], XS[-1] - XS[0], YS[0] - YS[-1], stroke=0, fill=1)

    path = _grid_pdf(tmp_path / "t.pdf", _stroked, before=shade, color=Color(1, 1, 1))
    assert _cells(path) == EXPECTED


def test_white_rules_on_the_white_page_are_not_seen(tmp_path: Path) -> None:
    path = _grid_pdf(tmp_path / "t.pdf", _stroked, color=Color(1, 1, 1))
    assert _cells(path) == []


def test_a_spot_colour_at_full_strength_is_ink(tmp_path: Path) -> None:
    """A Separation colour's one component is ink (1 = full), not a grey
    level (1 = white)."""
    spot = CMYKColorSep(0, 0, 0, 1, spotName="RuleBlack", density=1)
    assert _cells(_grid_pdf(tmp_path / "t.pdf", _filled, color=spot)) == EXPECTED


def test_a_grid_without_outer_frame_keeps_its_outer_columns(tmp_path: Path) -> None:
    """Only the inner vertical rules are drawn; the horizontal rules show
    where the outer columns end."""
    assert _cells(_grid_pdf(tmp_path / "t.pdf", _stroked, frame=False)) == EXPECTED


def test_gridlines_without_text_are_not_a_table(tmp_path: Path) -> None:
    """A chart's gridlines: ruled like a table, nothing written in them."""
    assert _cells(_grid_pdf(tmp_path / "t.pdf", _stroked, text=False)) == []


@pytest.mark.parametrize("angle", [90, -90], ids=["anticlockwise", "clockwise"])
def test_a_table_printed_sideways_comes_out_upright(tmp_path: Path, angle: int) -> None:
    """The whole table turned a quarter on an upright page (no /Rotate):
    cells in reading order, text upright."""

    def turn(c: Canvas) -> None:
        c.translate(PAGE_W / 2, PAGE_H / 2)
        c.rotate(angle)
        c.translate(-PAGE_W / 2, -PAGE_H / 2)

    path = _grid_pdf(tmp_path / "t.pdf", _stroked, before=turn)
    assert _cells(path) == EXPECTED


# -- the pieces, on dicts ----------------------------------------------------

def test_lightness_is_judged_in_the_colour_space() -> None:
    assert lightness((1.0,), "DeviceGray") == 1.0
    assert lightness((1.0,), "Separation") == 0.0  # full ink
    assert lightness((0.0, 0.0, 0.0, 0.0), "DeviceCMYK") == pytest.approx(1.0)
    assert lightness((1.0, 1.0, 1.0)) == pytest.approx(1.0)
    assert lightness((0.2, 0.2, 0.2), "DeviceRGB") == pytest.approx(0.2)
    assert lightness(None) == 0.0  # the default colour is black
    assert lightness((0.5,), "Pattern") is None


def _rect(x0: float, top: float, x1: float, bottom: float, seq: int, fill=(0.0,), **kw) -> dict:
    return {"x0": x0, "top": top, "x1": x1, "bottom": bottom, "fill": True, "stroke": False,
            "non_stroking_color": fill, "stroking_color": (0.0,), "pts": [], "seq": seq, **kw}


def test_a_light_grey_fill_is_shading_and_a_grey_band_under_white_is_a_background() -> None:
    """A light-grey cell fill has area: it is shading, not a rule; a thin
    white rule painted over it is seen, the same rule on the page is not."""
    shading = _rect(0, 0, 100, 40, seq=1, fill=(0.85,))
    white_over = _rect(0, 19.8, 100, 20.2, seq=2, fill=(1.0,))
    white_beside = _rect(200, 19.8, 300, 20.2, seq=3, fill=(1.0,))
    segs = snap_and_join(page_segments([], [shading, white_over, white_beside], []))
    assert segs == [Segment(True, 20.0, 0, 100)]


def test_dots_in_a_column_make_a_vertical_rule_and_a_lone_dot_none() -> None:
    dots = [_rect(50, y, 50.8, y + 0.8, seq=i) for i, y in enumerate(range(0, 40, 2))]
    lone = _rect(300, 300, 300.8, 300.8, seq=99)
    segs = snap_and_join(page_segments([], dots + [lone], []))
    assert len(segs) == 1 and not segs[0].horizontal
    assert segs[0].pos == pytest.approx(50.4) and segs[0].start == pytest.approx(0) and segs[0].end == pytest.approx(38.8)


def test_a_stroked_glyph_outline_is_not_a_rule() -> None:
    """cairo strokes the outline of a synthetic-bold glyph over the glyph."""
    char = {"text": "口", "x0": 10, "x1": 24, "top": 10, "bottom": 24, "size": 14}
    outline = {"x0": 11, "x1": 23, "top": 9, "bottom": 23, "fill": False, "stroke": True, "stroking_color": (0,),
               "non_stroking_color": (0,), "pts": [(11, 9), (23, 9), (23, 23), (11, 23), (11, 9)], "seq": 1}
    assert page_segments([], [], [outline], [char]) == []
    assert len(page_segments([], [], [outline], [])) == 4
