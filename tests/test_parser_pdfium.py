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


def test_glyphs_outside_the_crop_box_are_not_text(tmp_path: Path) -> None:
    content = b"BT /F1 12 Tf 72 300 Td (OnPage) Tj ET BT /F1 12 Tf 72 700 Td (OffPage) Tj ET"
    pdf = make_pdf(tmp_path / "crop.pdf", content, cropbox=(0, 0, 595, 500))
    assert text_of(content_of(pdf, "pypdfium2")) == "OnPage"


def test_a_page_box_of_no_area_hides_nothing(tmp_path: Path) -> None:
    """A zero MediaBox ([0 0 0 0]) is a broken box, not an empty page: its
    glyphs stay text, as pdfminer reads them."""
    pdf = make_pdf(tmp_path / "zero.pdf", b"BT /F1 12 Tf 72 300 Td (Kept) Tj ET")
    with pikepdf.open(pdf, allow_overwriting_input=True) as doc:
        doc.pages[0].MediaBox = Array([0, 0, 0, 0])
        doc.save(pdf)
    assert text_of(content_of(pdf, "pypdfium2")) == text_of(content_of(pdf, "pdfminer")) == "Kept"


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


CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Test def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
3 beginbfchar <01> <2F6C> <02> <2ED4> <03> <00660069> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"""


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
