"""The pypdfium2 backend on small PDFs made here (pikepdf), against pdfminer
and against what is drawn: char boxes and shapes in pdfminer's conventions,
the glyphs pdfium's text page leaves out restored, and a faithful text layer
(clipped, off-page and covered glyphs are not text)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, Pdf, Stream

from jixiao.extract.glyphs import glyphs_from_chars
from jixiao.extract.orientation import glyph_turn
from jixiao.extract.pdf_open import PageContent, open_pdf

#: Char and shape coordinates agree to float32 storage (pdfium keeps floats).
TOLERANCE = 0.01
#: Test font: a non-embedded sans (not one of the standard 14, whose metrics
#: pdfminer takes from its own tables) with explicit widths and metrics, so
#: both parsers measure glyphs from the same numbers.
WIDTH = 600
ASCENT, DESCENT = 718, -207


def _font(pdf: Pdf) -> Dictionary:
    descriptor = Dictionary(Type=Name.FontDescriptor, FontName=Name("/JixiaoTestSans"), Flags=32, ItalicAngle=0,
                            Ascent=ASCENT, Descent=DESCENT, CapHeight=718, StemV=88,
                            FontBBox=Array([-166, -225, 1000, 931]))
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name("/JixiaoTestSans"), FirstChar=32,
                                        LastChar=126, Widths=Array([WIDTH] * 95),
                                        FontDescriptor=pdf.make_indirect(descriptor),
                                        Encoding=Name.WinAnsiEncoding))


def make_pdf(path: Path, content: bytes, *, mediabox: tuple = (0, 0, 595, 842), cropbox: tuple | None = None,
             rotate: int | None = None, forms: dict[str, tuple[bytes, list, list]] | None = None,
             fonts: Callable[[Pdf], dict[str, Dictionary]] | None = None,
             gstates: dict[str, Dictionary] | None = None) -> Path:
    """One page with ``content``; ``forms``: name → (content, BBox, Matrix);
    ``fonts`` makes more fonts (name → font) in the new PDF."""
    pdf = Pdf.new()
    font = _font(pdf)
    resources = Dictionary(Font=Dictionary(F1=font, **(fonts(pdf) if fonts else {})))
    if gstates:
        resources.ExtGState = Dictionary(**gstates)
    if forms:
        xobjects = Dictionary()
        for name, (form_content, bbox, matrix) in forms.items():
            form = Stream(pdf, form_content)
            form.Type, form.Subtype = Name.XObject, Name.Form
            form.BBox, form.Matrix = Array(bbox), Array(matrix)
            form.Resources = Dictionary(Font=Dictionary(F1=font))
            xobjects["/" + name] = form
        resources.XObject = xobjects
    page = pdf.add_blank_page(page_size=(mediabox[2] - mediabox[0], mediabox[3] - mediabox[1]))
    page.MediaBox = Array(list(mediabox))
    if cropbox:
        page.CropBox = Array(list(cropbox))
    if rotate:
        page.Rotate = rotate
    page.Contents = Stream(pdf, content)
    page.Resources = resources
    pdf.save(path)
    return path


def content_of(path: Path, parser: str) -> PageContent:
    with open_pdf(path, parser) as (_, pages):
        return pages[0].content()


def text_of(content: PageContent) -> str:
    return "".join(c["text"] for c in content.chars)


def assert_same_chars(a: PageContent, b: PageContent) -> None:
    assert [c["text"] for c in a.chars] == [c["text"] for c in b.chars]
    for x, y in zip(a.chars, b.chars):
        for key in ("x0", "x1", "top", "bottom", "size"):
            assert abs(x[key] - y[key]) < TOLERANCE, (x["text"], key, x[key], y[key])
        assert x["upright"] == y["upright"]
        assert x["render_mode"] == y["render_mode"]
        assert glyph_turn(x["matrix"]) == glyph_turn(y["matrix"])  # the same text direction


TEXT_SAMPLER = b"""
BT /F1 12 Tf 72 700 Td (Plain text) Tj ET
BT /F1 10 Tf 150 Tz 2 Tc 72 650 Td (Scaled) Tj 100 Tz 0 Tc ET
BT /F1 9 Tf 0 1 -1 0 300 400 Tm (Turned) Tj ET
BT /F1 11 Tf 2 Tr 72 600 Td (Stroked) Tj 0 Tr ET
BT /F1 12 Tf 72 550 Td [(Ker) -250 (ning)] TJ ET
q 1 0 0 1 30 40 cm /X1 Do Q
"""
FORM = (b"q 2 0 0 2 0 0 cm BT /F1 8 Tf 5 5 Td (In form) Tj ET Q", [0, 0, 300, 100], [1, 0, 0, 1, 100, 200])


@pytest.mark.parametrize("page", [
    {},
    {"mediabox": (20, 30, 615, 872)},
    {"rotate": 90},
    {"rotate": 270, "mediabox": (10, 0, 605, 842)},
    {"rotate": 180},
], ids=["plain", "mediabox-offset", "rotate90", "rotate270-offset", "rotate180"])
def test_char_boxes_match_pdfminer(tmp_path: Path, page: dict) -> None:
    """pdfminer's box convention on horizontal, scaled, turned, stroked and
    form text, under every page rotation and a MediaBox not at the origin."""
    pdf = make_pdf(tmp_path / "t.pdf", TEXT_SAMPLER, forms={"X1": FORM}, **page)
    miner, pdfium = content_of(pdf, "pdfminer"), content_of(pdf, "pypdfium2")
    assert text_of(miner).replace(" ", "") == "PlaintextScaledTurnedStrokedKerningInform"
    assert_same_chars(miner, pdfium)


def test_page_attributes_match_pdfminer(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "t.pdf", b"", mediabox=(10, 20, 410, 620), rotate=90)
    with open_pdf(pdf, "pdfminer") as (_, (miner,)), open_pdf(pdf, "pypdfium2") as (_, (pdfium,)):
        assert (pdfium.width, pdfium.height, pdfium.rotation) == (miner.width, miner.height, miner.rotation)
        assert all(abs(a - b) < TOLERANCE for a, b in zip(pdfium.bbox, miner.bbox))


SHAPES = b"""
0 0 1 RG 2 w 50 700 m 300 700 l S
0.5 g 50 600 200 0.5 re f
1 0 0 RG 60 500 100 50 re S
0 g 50 400 m 150 400 l 150 450 l 100 480 l h f
50 300 m 80 350 120 350 150 300 c S
q 1 0 0 1 20 10 cm /X1 Do Q
"""
SHAPE_FORM = (b"q 0.5 0 0 0.5 0 0 cm 0 w 0 G 0 0 200 40 re S 0 20 m 200 20 l S Q", [0, 0, 300, 100],
              [1, 0, 0, 1, 300, 100])


@pytest.mark.parametrize("page", [{}, {"rotate": 90}, {"mediabox": (20, 30, 615, 872)}], ids=["plain", "rotate90", "offset"])
def test_shapes_match_pdfminer(tmp_path: Path, page: dict) -> None:
    """Lines, rects and curves: pdfminer's classification of each subpath,
    its points through every matrix (a form's included), fill and stroke."""
    pdf = make_pdf(tmp_path / "s.pdf", SHAPES, forms={"X1": SHAPE_FORM}, **page)
    miner, pdfium = content_of(pdf, "pdfminer"), content_of(pdf, "pypdfium2")
    for kind in ("lines", "rects", "curves"):
        a, b = getattr(miner, kind), getattr(pdfium, kind)
        assert len(a) == len(b) > 0, kind
        for x, y in zip(a, b):
            for key in ("x0", "x1", "top", "bottom"):
                assert abs(x[key] - y[key]) < TOLERANCE, (kind, key)
            assert len(x["pts"]) == len(y["pts"])
            assert all(abs(p - q) < TOLERANCE for pt, qt in zip(x["pts"], y["pts"]) for p, q in zip(pt, qt))
            assert (bool(x["fill"]), bool(x["stroke"])) == (bool(y["fill"]), bool(y["stroke"]))
            assert abs(x["linewidth"] - y["linewidth"]) < TOLERANCE
    every = [(s["seq"], kind) for kind in ("lines", "rects", "curves") for s in getattr(miner, kind)]
    assert [k for _, k in sorted(every)] == [k for _, k in sorted(
        (s["seq"], kind) for kind in ("lines", "rects", "curves") for s in getattr(pdfium, kind))]  # paint order


def test_forms_inherit_the_graphics_state(tmp_path: Path) -> None:
    """A Form XObject is drawn in the graphics state of its ``Do``: a rule
    it strokes keeps the width and colour set before. (pdfminer starts a
    form from a fresh state: width 0, black.)"""
    form = (b"0 20 m 200 20 l S", [0, 0, 300, 100], [1, 0, 0, 1, 100, 100])
    pdf = make_pdf(tmp_path / "f.pdf", b"3 w 1 0 0 RG /X1 Do", forms={"X1": form})
    (line,) = content_of(pdf, "pypdfium2").lines
    assert (line["linewidth"], line["stroking_color"]) == (3.0, (1.0, 0.0, 0.0))


def test_shape_colours_are_rgb(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "c.pdf", b"0 0 1 RG 1 0 0 rg 50 50 100 100 re B")
    (rect,) = content_of(pdf, "pypdfium2").rects
    assert rect["stroking_color"] == (0.0, 0.0, 1.0)
    assert rect["non_stroking_color"] == (1.0, 0.0, 0.0)


def _square_font() -> bytes:
    """A TrueType font of three square glyphs for 一 二 三, one em wide."""
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(1000, isTTF=True)
    names = [".notdef", "one", "two", "three"]
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0x4E00: "one", 0x4E8C: "two", 0x4E09: "three"})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        pen.moveTo((100, -100))
        pen.lineTo((100, 800))
        pen.lineTo((900, 800))
        pen.lineTo((900, -100))
        pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (1000, 100) for name in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Square", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


CID_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Test def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar <0001> <4E00> <0002> <4E8C> <0003> <4E09> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"""


def _cid_font(pdf: Pdf, encoding: str) -> dict[str, Dictionary]:
    descriptor = pdf.make_indirect(Dictionary(
        Type=Name.FontDescriptor, FontName=Name("/Square"), Flags=4, ItalicAngle=0, Ascent=880, Descent=-120,
        CapHeight=880, StemV=80, FontBBox=Array([100, -100, 900, 800]), FontFile2=Stream(pdf, _square_font())))
    cid = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/Square"), FontDescriptor=descriptor, DW=1000,
        CIDSystemInfo=Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0), DW2=Array([880, -1000]),
        CIDToGIDMap=Name.Identity))
    return {"V": pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/Square"),
                                              Encoding=Name(encoding), DescendantFonts=Array([cid]),
                                              ToUnicode=Stream(pdf, CID_CMAP)))}


@pytest.mark.parametrize("encoding", ["/Identity-V", "/Identity-H"], ids=["vertical", "horizontal"])
def test_cid_writing_modes_match_pdfminer(tmp_path: Path, encoding: str) -> None:
    """Vertical writing (Identity-V): each glyph one em wide, centred on
    the pen, stepping down by its vertical advance; pdfium places the glyph
    origin at the em square's corner, pdfminer at the pen."""
    pdf = make_pdf(tmp_path / "cid.pdf", b"BT /V 20 Tf 300 700 Td <000100020003> Tj ET",
                   fonts=lambda pdf: _cid_font(pdf, encoding))
    miner, pdfium = content_of(pdf, "pdfminer"), content_of(pdf, "pypdfium2")
    assert text_of(miner) == "一二三"
    assert_same_chars(miner, pdfium)


# ------------------------------------------------------------ what pdfium's text page leaves out


def test_overprinted_copies_are_restored(tmp_path: Path) -> None:
    """Fake bold: the word printed twice 0.3 pt apart and another four
    times. pdfium's text page keeps one copy; the backend restores the
    others, so the glyph stage collapses them and marks the text bold."""
    content = b"BT /F1 12 Tf 72 700 Td (Twice) Tj ET BT /F1 12 Tf 72.3 700 Td (Twice) Tj ET "
    for dx, dy in ((0, 0), (-0.24, 0), (0, 0.24), (-0.24, 0.24)):
        content += b"BT /F1 12 Tf %.2f %.2f Td (Four) Tj ET " % (72 + dx, 600 + dy)
    pdf = make_pdf(tmp_path / "bold.pdf", content)
    pdfium = content_of(pdf, "pypdfium2")
    assert text_of(pdfium) == text_of(content_of(pdf, "pdfminer")) == "Twice" * 2 + "Four" * 4
    glyphs = glyphs_from_chars(pdfium.chars)
    assert "".join(g.text for g in glyphs) == "TwiceFour"
    assert all(g.bold for g in glyphs)


def test_space_objects_are_spaces(tmp_path: Path) -> None:
    """A text object holding only a space has no ink, so pdfium's text page
    skips it (and may generate a space of its own); it is still an encoded
    space, which decides where the words of a line break apart."""
    content = b"BT /F1 12 Tf 72 700 Td (AB) Tj ET BT /F1 12 Tf 86.4 700 Td ( ) Tj ET BT /F1 12 Tf 93.6 700 Td (CD) Tj ET"
    pdf = make_pdf(tmp_path / "space.pdf", content)
    assert text_of(content_of(pdf, "pypdfium2")) == "AB CD" == text_of(content_of(pdf, "pdfminer"))


# ------------------------------------------------------------ a faithful text layer


def test_clipped_glyphs_are_not_text(tmp_path: Path) -> None:
    """A clip rectangle that shows 'Seen' and hides 'Hidden' (Calc draws a
    merged cell cut by a page break this way): only the visible glyphs are
    text; a glyph whose centre is inside the clip is visible."""
    content = b"q 50 690 120 30 re W n BT /F1 12 Tf 72 700 Td (Seen) Tj 0 -40 Td (Hidden) Tj ET Q"
    pdf = make_pdf(tmp_path / "clip.pdf", content)
    assert text_of(content_of(pdf, "pypdfium2")) == "Seen"
    assert text_of(content_of(pdf, "pdfminer")) == "SeenHidden"  # pdfminer has no clip paths


def test_glyphs_cut_by_the_clip_keep_their_visible_half(tmp_path: Path) -> None:
    """Glyphs of 7.2 pt advance from x = 72; the clip ends at x = 90: glyphs
    0-1 are inside, glyph 2 (centre 89.6) just inside, glyph 3 outside."""
    content = b"q 0 0 90 842 re W n BT /F1 12 Tf 72 700 Td (ABCD) Tj ET Q"
    pdf = make_pdf(tmp_path / "cut.pdf", content)
    assert text_of(content_of(pdf, "pypdfium2")) == "ABC"


def test_clip_paths_of_any_shape(tmp_path: Path) -> None:
    """A triangular clip (its hypotenuse from (50, 600) to (350, 750)) and
    a second clip intersected with it: only glyphs inside both are text."""
    content = (b"q 50 600 m 350 600 l 350 750 l h W n 0 0 300 842 re W n "
               b"BT /F1 12 Tf 250 605 Td (In) Tj ET BT /F1 12 Tf 60 700 Td (Above) Tj ET "
               b"BT /F1 12 Tf 320 605 Td (Right) Tj ET Q")
    pdf = make_pdf(tmp_path / "tri.pdf", content)
    assert text_of(content_of(pdf, "pypdfium2")) == "In"


def test_form_bbox_clips_its_text(tmp_path: Path) -> None:
    """A Form XObject's /BBox clips what it draws."""
    form = (b"BT /F1 10 Tf 5 5 Td (Inside) Tj 0 200 Td (Outside) Tj ET", [0, 0, 200, 50], [1, 0, 0, 1, 100, 300])
    pdf = make_pdf(tmp_path / "form.pdf", b"/X1 Do", forms={"X1": form})
    assert text_of(content_of(pdf, "pypdfium2")) == "Inside"


@pytest.mark.parametrize("page", [{}, {"rotate": 90}, {"mediabox": (20, 30, 615, 872)}], ids=["plain", "rotate90", "offset"])
def test_paths_wholly_off_the_page_are_not_read(tmp_path: Path, page: dict) -> None:
    """A browser's print can carry thousands of paths laid out beyond the
    page; they paint nothing and are not read. Paths on the page, one that
    only touches its edge, and one off the page that a form's matrix brings
    onto it are read as pdfminer reads them."""
    x0, y0, x1, y1 = page.get("mediabox", (0, 0, 595, 842))
    content = (f"0 w 100 {y0 + 100} 50 50 re S "  # on the page
               f"{x0 - 10} {y0 + 200} 10 10 re f "  # touching its left edge
               f"100 {y1 + 3000} 0.7 0.7 re f 200 {y1 + 3000} 0.7 0.7 re f "  # far above it
               f"{x1 + 50} {y0 + 300} m {x1 + 90} {y0 + 300} l S "  # beyond its right edge
               "q 1 0 0 1 0 0 cm /X1 Do Q").encode()
    form = (f"0 w 100 {-3000} 20 20 re S".encode(), [0, -4000, 600, 1000], [1, 0, 0, 1, x0, y0 + 3500])
    pdf = make_pdf(tmp_path / "off.pdf", content, forms={"X1": form}, **page)
    miner, pdfium = content_of(pdf, "pdfminer"), content_of(pdf, "pypdfium2")
    assert (len(pdfium.lines), len(pdfium.rects), len(pdfium.curves)) == (0, 3, 0)
    assert (len(miner.lines), len(miner.rects)) == (1, 5)  # pdfminer reads them all; the rule finder drops them
    with open_pdf(pdf, "pdfminer") as (_, pages):
        left, top, right, bottom = pages[0].bbox
    on_page = [r for r in miner.rects if r["x1"] >= left and r["x0"] <= right and r["bottom"] >= top
               and r["top"] <= bottom]
    assert len(on_page) == 3
    for x, y in zip(sorted(on_page, key=lambda r: r["seq"]), pdfium.rects):
        assert all(abs(x[key] - y[key]) < TOLERANCE for key in ("x0", "x1", "top", "bottom"))


def test_glyphs_outside_the_crop_box_are_not_text(tmp_path: Path) -> None:
    content = b"BT /F1 12 Tf 72 300 Td (OnPage) Tj ET BT /F1 12 Tf 72 700 Td (OffPage) Tj ET"
    pdf = make_pdf(tmp_path / "crop.pdf", content, cropbox=(0, 0, 595, 500))
    assert text_of(content_of(pdf, "pypdfium2")) == "OnPage"


@pytest.mark.parametrize("parser", ["pypdfium2", "pdfminer"])
@pytest.mark.parametrize(("stored", "viewed"), [
    ([0, 0, 0, 0], (0, 0, 612, 792)),  # no area: a viewer shows the default page (US Letter)
    ([595, 842, 0, 0], (0, 0, 595, 842)),  # corners the other way round: the same page
], ids=["zero", "inverted"])
def test_broken_page_boxes_read_as_a_viewer_shows_them(tmp_path: Path, parser: str, stored: list,
                                                        viewed: tuple) -> None:
    """A zero or inverted MediaBox is a broken box, not an empty page: the
    page has the size a viewer gives it and its glyphs are where they are on
    a page of that size."""
    content = b"BT /F1 12 Tf 72 300 Td (Kept) Tj ET"
    broken = make_pdf(tmp_path / "broken.pdf", content)
    with pikepdf.open(broken, allow_overwriting_input=True) as doc:
        doc.pages[0].MediaBox = Array(stored)
        doc.save(broken)
    sane = make_pdf(tmp_path / "sane.pdf", content, mediabox=viewed)
    with open_pdf(broken, parser) as (_, pages):
        assert (pages[0].width, pages[0].height) == (viewed[2] - viewed[0], viewed[3] - viewed[1])
    assert_same_chars(content_of(broken, parser), content_of(sane, parser))
    assert text_of(content_of(broken, parser)) == "Kept"


def test_glyphs_under_an_opaque_fill_are_not_text(tmp_path: Path) -> None:
    """White boxes painted over text hide it; a box painted before the text
    (a cell background) or a translucent one does not."""
    content = (
        b"BT /F1 12 Tf 72 700 Td (Covered) Tj ET 1 g 60 690 100 30 re f "
        b"0.9 g 60 590 100 30 re f 0 g BT /F1 12 Tf 72 600 Td (Background) Tj ET "
        b"BT /F1 12 Tf 72 500 Td (Tinted) Tj ET q /Half gs 1 g 60 490 100 30 re f Q "
        b"BT /F1 12 Tf 72 400 Td (Ruled) Tj ET 0 g 60 398 100 0.5 re f"
    )
    pdf = make_pdf(tmp_path / "cover.pdf", content, gstates={"Half": Dictionary(Type=Name.ExtGState, ca=0.5)})
    assert text_of(content_of(pdf, "pypdfium2")) == "BackgroundTintedRuled"


# ------------------------------------------------------------ what a glyph says


def _type3_font(pdf: Pdf, to_unicode: bytes) -> Dictionary:
    """Three square glyphs, codes 1-3, with the given ToUnicode CMap."""
    procs = Dictionary({f"/g{i}": Stream(pdf, b"1000 0 0 0 750 750 d1 0 0 750 750 re f") for i in (1, 2, 3)})
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type3, FontBBox=Array([0, 0, 750, 750]), FontMatrix=Array([0.001, 0, 0, 0.001, 0, 0]),
        CharProcs=procs, Encoding=Dictionary(Type=Name.Encoding, Differences=Array([1, Name.g1, Name.g2, Name.g3])),
        FirstChar=1, LastChar=3, Widths=Array([1000, 1000, 1000]), Resources=Dictionary(),
        ToUnicode=Stream(pdf, to_unicode),
    ))


def to_unicode(*targets: str) -> bytes:
    """A ToUnicode CMap mapping codes 1, 2, 3 to the given UTF-16 hex strings."""
    entries = " ".join(f"<{code:02X}> <{target}>" for code, target in enumerate(targets, start=1))
    return f"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Test def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
{len(targets)} beginbfchar {entries} endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end""".encode()


CMAP = to_unicode("2F6C", "2ED4", "00660069")


@pytest.mark.parametrize("parser", ["pypdfium2", "pdfminer"])
def test_radicals_and_ligatures_are_the_printed_characters(tmp_path: Path, parser: str) -> None:
    """A font that maps its glyphs to the Kangxi radical ⽬ (U+2F6C) and the
    radical-supplement ⻔ (U+2ED4) prints 目 and 门; a glyph mapped to "fi" is
    two characters sharing its box."""
    path = make_pdf(tmp_path / "t3.pdf", b"BT /T3 20 Tf 72 700 Td <010203> Tj ET",
                    fonts=lambda pdf: {"T3": _type3_font(pdf, CMAP)})
    glyphs = glyphs_from_chars(content_of(path, parser).chars)
    assert [g.text for g in glyphs] == ["目", "门", "f", "i"]
    f, i = glyphs[2], glyphs[3]
    assert f.x1 == pytest.approx(i.x0) and i.x1 - f.x0 == pytest.approx(20.0, abs=TOLERANCE)


def test_unmapped_glyphs_are_one_unknown_character() -> None:
    """pdfminer reports a glyph without a Unicode mapping as "(cid:N)"; the
    glyph stage reads one character of unknown text, not eight."""
    chars = [{"text": "(cid:17)", "x0": 0, "x1": 10, "top": 0, "bottom": 10, "size": 10, "fontname": "X"}]
    assert [g.text for g in glyphs_from_chars(chars)] == ["\ufffd"]


def test_full_width_punctuation_stays_as_printed() -> None:
    chars = [{"text": t, "x0": 10 * k, "x1": 10 * k + 10, "top": 0, "bottom": 10, "size": 10, "fontname": "X"}
             for k, t in enumerate("（目）：，。")]
    assert "".join(g.text for g in glyphs_from_chars(chars)) == "（目）：，。"


def test_compatibility_ideographs_become_unified() -> None:
    from jixiao.extract.glyph_text import unified

    assert unified("\uf900") == "\u8c48"  # CJK COMPATIBILITY IDEOGRAPH-F900 → 豈
    assert unified("\u2f00") == "\u4e00"  # KANGXI RADICAL ONE → 一
    assert unified("\u2e80") == "\u2e80"  # CJK RADICAL REPEAT has no equivalent ideograph
    assert unified("―") == "―"  # not a CJK block: untouched


# ------------------------------------------------------------ errors


def test_damaged_file_is_a_specific_input_error(tmp_path: Path) -> None:
    from jixiao.errors import ErrorCode, InputError

    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"garbage " * 100 + b"\n%%EOF\n")
    with pytest.raises(InputError) as caught, open_pdf(path, "pypdfium2"):
        pass
    assert caught.value.code is ErrorCode.MALFORMED and str(path) in str(caught.value)


def test_encrypted_file_is_an_input_error(tmp_path: Path) -> None:
    from jixiao.errors import ErrorCode, InputError

    path = make_pdf(tmp_path / "plain.pdf", b"BT /F1 12 Tf 72 700 Td (x) Tj ET")
    with pikepdf.open(path) as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(InputError) as caught, open_pdf(tmp_path / "locked.pdf", "pypdfium2"):
        pass
    assert caught.value.code is ErrorCode.ENCRYPTED


def _named_type3(name: str) -> Callable[[Pdf], Dictionary]:
    """A Type 3 font (no /BaseFont, like Chromium's) whose descriptor names it."""

    def make(pdf: Pdf) -> Dictionary:
        font = _type3_font(pdf, CMAP)
        font.FontDescriptor = pdf.make_indirect(Dictionary(
            Type=Name.FontDescriptor, FontName=Name("/" + name), Flags=4, ItalicAngle=0, Ascent=750, Descent=0,
            CapHeight=750, StemV=80, FontBBox=Array([0, 0, 750, 750])))
        return font

    return make


REGULAR, BOLD = "AAAAAA+TestSerif-Regular", "BAAAAA+TestSerif-Bold"


def _regular_and_bold(pdf: Pdf) -> dict[str, Dictionary]:
    return {"R": _named_type3(REGULAR)(pdf), "B": _named_type3(BOLD)(pdf)}


@pytest.mark.parametrize("parser", ["pypdfium2", "pdfminer"])
def test_type3_fonts_are_named_by_their_descriptor(tmp_path: Path, parser: str) -> None:
    """pdfium gives a Type 3 font no name; its descriptor's /FontName is the
    name (as pdfminer reads it), so bold from a bold face is bold."""
    content = (b"BT /R 20 Tf 72 700 Td <01> Tj /B 20 Tf <02> Tj ET "
               b"BT /R 20 Tf 72 600 Td [<01> -100 <02>] TJ () Tj [-50] TJ ET")
    chars = content_of(make_pdf(tmp_path / "t3.pdf", content, fonts=_regular_and_bold), parser).chars
    assert [c["fontname"] for c in chars] == [REGULAR, BOLD, REGULAR, REGULAR]
    assert [(g.text, g.bold) for g in glyphs_from_chars(chars)] == [("目", False), ("门", True), ("目", False),
                                                                     ("门", False)]


def test_type3_fonts_in_forms_are_named(tmp_path: Path) -> None:
    """Text in a form is paired with its font too: a form painted with the
    font set before it (the text state is part of the graphics state a form
    inherits), and fonts looked up in the page's resources when the form's
    have none (as pdfium looks them up)."""
    content = b"BT /B 20 Tf 72 500 Td ET /X1 Do BT /R 20 Tf 72 300 Td <02> Tj ET"
    form = (b"BT 72 400 Td <01> Tj /R 20 Tf <02> Tj ET", [0, 0, 595, 842], [1, 0, 0, 1, 0, 0])
    path = make_pdf(tmp_path / "t3.pdf", content, fonts=_regular_and_bold, forms={"X1": form})
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        del pdf.pages[0].Resources.XObject.X1.Resources.Font
        pdf.save(path)
    chars = content_of(path, "pypdfium2").chars
    assert [c["fontname"] for c in chars] == [BOLD, REGULAR, REGULAR]


def test_fonts_pair_only_one_to_one() -> None:
    """The content walk names pdfium's fonts only where each pdfium font meets
    one font dictionary and back; any disagreement names nothing."""
    from jixiao.extract.font_descriptors import pair_fonts

    pdf = Pdf.new()
    a, b = pdf.make_indirect(Dictionary(Type=Name.Font)), pdf.make_indirect(Dictionary(Type=Name.Font))
    assert pair_fonts([1, 2, 1], [a, b, a]) == {1: a, 2: b}
    assert pair_fonts([1, 2], [a, b, a]) is None  # not as many objects as operators
    assert pair_fonts([1, 1], [a, b]) is None  # one pdfium font, two dictionaries
    assert pair_fonts([1, 2], [a, a]) is None  # two pdfium fonts, one dictionary


ARABIC_CMAP = to_unicode("0028", "0642", "0029")  # (, ق, )


@pytest.mark.parametrize("parser", ["pypdfium2", "pdfminer"])
def test_right_to_left_text_as_printed_then_in_reading_order(tmp_path: Path, parser: str) -> None:
    """The glyphs "(ق)ق" printed left to right: both parsers give the text
    layer's characters where they are printed (pdfium's text page mirrors
    brackets in a right-to-left run; undone), and the line reads right to
    left with the brackets mirrored by the reading: ق(ق)."""
    import jixiao

    path = make_pdf(tmp_path / "rtl.pdf", b"BT /T3 20 Tf 72 700 Td <01020302> Tj ET",
                    fonts=lambda pdf: {"T3": _type3_font(pdf, ARABIC_CMAP)})
    chars = sorted(content_of(path, parser).chars, key=lambda c: c["x0"])
    assert [c["text"] for c in chars] == ["(", "ق", ")", "ق"]
    assert [b.text for b in jixiao.read_pdf(path, parser=parser).blocks] == ["ق(ق)"]
