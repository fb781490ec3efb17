"""Unusable text layers are found per font, on any parser's chars, and sent
to OCR; healthy documents never are.

Hand-made inputs: char dicts, and a PDF written here with pikepdf whose
page has a healthy Helvetica line, a ruled 2 x 2 table, and body text in a
Type 3 font whose glyphs have names no parser can map (what a font without
ToUnicode and with a custom encoding gives). Fixtures: the -ps2pdf variant
(a PostScript round trip: no ToUnicode anywhere) is flagged on every page
and read through OCR; every other fixture, Arabic and Japanese included, is
judged usable on every page by both pdfminer's and pdfium's chars.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURES, SAMPLE

import jixiao
from jixiao.errors import ErrorCode, InputError
from jixiao.extract import ocr_engines
from jixiao.extract.pdf_open import open_pdf, page_content
from jixiao.extract.text_quality import assess_text_layer, glyph_unmapped, tally_fonts

PS2PDF = FIXTURES / "corpus" / "hebei-chengde-gxq-zrzy-2023-ps2pdf"


def _char(text: str, x0: float = 0.0, width: float = 10.0, size: float = 10.0, font: str = "F", **extra) -> dict:
    return {"text": text, "fontname": font, "x0": x0, "x1": x0 + width, "top": 0.0, "bottom": size, "size": size,
            "upright": True, **extra}


def _line(text: str, font: str, em: float, size: float = 10.0) -> list[dict]:
    """One line of ``text`` in ``font``, every glyph ``em`` ems wide."""
    return [_char(ch, x0=i * em * size, width=em * size, size=size, font=font) for i, ch in enumerate(text)]


# --- glyphs ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["(cid:12)", "(cid:1)", "\x01", "\x85", "\ue000", "\U000f0001", "\ufffd", "\x1c"])
def test_unmapped_glyphs(text: str) -> None:
    assert glyph_unmapped(text)


@pytest.mark.parametrize("text", ["生", "A", "（", "لا", "ffi", "\uf0b7", "\uf0fe", " ", "\n", "⽣"])
def test_mapped_glyphs(text: str) -> None:
    """Ordinary text, a ligature of several characters, symbol-font bullets
    and check boxes (U+F0xx), generated whitespace and radicals are mapped."""
    assert not glyph_unmapped(text)


# --- pages of char dicts -------------------------------------------------------------------------------------


def test_healthy_cjk_and_latin_page_is_usable() -> None:
    chars = _line("项目绩效目标表年度总体目标", "SimSun", 1.0) + _line("Total 40.00 WWW", "Times", 0.5)
    verdict = assess_text_layer(chars)
    assert verdict.usable and verdict.broken_glyphs == 0 and verdict.reason == ""


def test_font_of_cid_glyphs_is_unusable() -> None:
    chars = [_char(f"(cid:{n})", x0=10 * n, font="ABCDEF+Broken") for n in range(1, 40)]
    verdict = assess_text_layer(chars)
    assert not verdict.usable
    assert "ABCDEF+Broken" in verdict.reason and "39 without a Unicode mapping" in verdict.reason


def test_control_characters_from_pdfium_are_unusable() -> None:
    """pdfium reports an unmapped code as the code itself: controls below 32."""
    chars = _line("".join(chr(c) for c in range(1, 31) if chr(c) not in "\t\n\r\x0b\x0c"), "Broken", 1.0)
    assert not assess_text_layer(chars).usable


def test_printable_garbage_drawn_full_width_is_unusable() -> None:
    """A broken font whose codes all happen to be printable: Latin letters
    and punctuation, each drawn a full em wide as the CJK glyphs they are."""
    chars = _line('hijklmno+pqrsstu#vNwxyb89+yz{|"}r~', "NotoSerifCJK", 1.0)
    verdict = assess_text_layer(chars)
    assert not verdict.usable and "drawn a full em wide" in verdict.reason


def test_garbage_font_takes_its_printable_glyphs_with_it() -> None:
    """Half of a font's glyphs unmapped: its other glyphs come from the same
    broken table, so all of them count as broken."""
    chars = _line("hijklm", "Broken", 0.5) + [_char(f"(cid:{n})", x0=100 + 10 * n, font="Broken") for n in range(6)]
    verdict = assess_text_layer(chars)
    assert not verdict.usable and verdict.broken_glyphs == 12


def test_a_stray_unmapped_symbol_keeps_the_page() -> None:
    """One unmapped glyph (a bullet from a symbol font) in a page of good text
    is not worth losing the page's exact text for."""
    chars = _line("项目绩效目标表年度总体目标完成情况" * 5, "SimSun", 1.0) + [_char("(cid:3)", font="Wingdings")]
    verdict = assess_text_layer(chars)
    assert verdict.usable and verdict.broken_glyphs == 1


def test_symbol_font_bullets_are_neither_good_nor_bad() -> None:
    chars = _line("\uf0b7\uf0fe\uf0a8" * 10, "Wingdings", 1.0) + _line("是否", "SimSun", 1.0)
    verdict = assess_text_layer(chars)
    assert verdict.usable and verdict.glyphs == 2


def test_rotated_latin_is_not_judged_by_its_box_width() -> None:
    """A sideways glyph's box is as wide as the line is tall."""
    chars = [_char(ch, x0=0.0, width=10.0, upright=False) for ch in "Sideways table header"]
    assert assess_text_layer(chars).usable


def test_a_few_wide_capitals_are_not_evidence() -> None:
    chars = _line("WM", "Times", 1.0) + _line("ordinary text in a proportional font", "Times", 0.45)
    fonts = tally_fonts(chars)
    assert not fonts["Times"].broken and assess_text_layer(chars).usable


# --- a hand-made PDF ------------------------------------------------------------------------------------------

#: Glyph names of the Type 3 font: not in the Adobe Glyph List, so no parser can map them.
_GLYPHS = [f"/g{n}" for n in range(1, 25)]


def _broken_text_pdf(path: Path, pages: int = 2) -> Path:
    """Pages of: a healthy Helvetica title, a ruled 2 x 2 table, and two
    lines of body text in a Type 3 font (each glyph a filled box, named
    /gN, no ToUnicode) — the table's cells hold text of the broken font too."""
    pdf = pikepdf.new()
    procs = pikepdf.Dictionary({name: pdf.make_stream(b"600 0 0 0 500 700 d1 50 0 400 700 re f")
                                for name in _GLYPHS})
    type3 = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3, FontBBox=[0, 0, 600, 700],
        FontMatrix=[0.001, 0, 0, 0.001, 0, 0], CharProcs=procs, FirstChar=1, LastChar=len(_GLYPHS),
        Widths=[600] * len(_GLYPHS), Resources=pikepdf.Dictionary(),
        Encoding=pikepdf.Dictionary(Type=pikepdf.Name.Encoding,
                                    Differences=[1, *(pikepdf.Name(n) for n in _GLYPHS)])))
    helvetica = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                     BaseFont=pikepdf.Name.Helvetica))
    body = bytes(range(1, 25))

    def show(x: int, y: int, codes: bytes) -> bytes:
        return b"BT /T3 12 Tf %d %d Td <%s> Tj ET\n" % (x, y, codes.hex().encode())

    content = b"BT /F1 14 Tf 72 760 Td (Performance targets) Tj ET\n"
    content += show(72, 720, body) + show(72, 700, body[::-1])
    content += b"1 w 72 560 m 472 560 l 72 600 m 472 600 l 72 640 m 472 640 l "
    content += b"72 560 m 72 640 l 272 560 m 272 640 l 472 560 m 472 640 l S\n"
    content += show(80, 615, body[:8]) + show(280, 615, body[8:14]) + show(80, 575, body[14:20])
    for _ in range(pages):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=helvetica, T3=type3))
        page.Contents = pdf.make_stream(content)
    pdf.save(path)
    return path


def test_hand_made_broken_font_is_judged_unusable(tmp_path: Path) -> None:
    with open_pdf(_broken_text_pdf(tmp_path / "broken.pdf")) as (_, pages):
        chars = page_content(pages[0]).chars
    assert any(c["text"] == "P" for c in chars)  # the Helvetica title is read as it is
    verdict = assess_text_layer(chars)
    assert not verdict.usable and verdict.broken_glyphs == 68 and "Helvetica" not in verdict.reason


def test_ocr_off_refuses_the_page_naming_file_and_page(tmp_path: Path) -> None:
    pdf = _broken_text_pdf(tmp_path / "broken.pdf")
    with pytest.raises(InputError) as caught:
        jixiao.read_pdf(pdf, ocr="off")
    error = caught.value
    assert error.code is ErrorCode.NO_TEXT_LAYER and error.page == 1 and str(pdf) in str(error)
    assert "text layer unusable" in str(error) and "--ocr off" in str(error)


@pytest.mark.skipif(not ocr_engines.available_engines(), reason="no OCR engine installed (jixiao[ocr])")
def test_broken_pages_are_ocrd_with_their_drawn_tables(tmp_path: Path) -> None:
    """Under --ocr auto the page is OCR'd and flagged; its table keeps the
    geometry of its vector rules (2 x 2 cells at the drawn positions)."""
    doc = jixiao.read_pdf(_broken_text_pdf(tmp_path / "broken.pdf", pages=1))
    assert [p.text_layer for p in doc.pages] == [False]
    flags = [d for d in doc.diagnostics if d.code == "TEXT_LAYER_UNUSABLE"]
    assert len(flags) == 1 and flags[0].page == 1 and "/g" not in flags[0].message
    (table,) = doc.tables
    assert (table.n_rows, table.n_cols) == (2, 2)
    assert sorted((c.bbox.x0, c.bbox.top, c.bbox.x1, c.bbox.bottom) for c in table.cells) == [
        (72, 202, 272, 242), (72, 242, 272, 282), (272, 202, 472, 242), (272, 242, 472, 282)]
    assert all(c.confidence is not None for c in table.cells)
    assert "Performance targets" in " ".join(b.text for b in doc.blocks)


# --- fixtures ------------------------------------------------------------------------------------------------


def _pdfium_chars(page) -> list[dict]:
    """A page's chars as pdfium reads them, in the char-dict convention (box
    from the loose char box, size = font size x the text matrix's scale)."""
    from pypdfium2 import raw

    textpage = page.get_textpage()
    height = page.get_height()
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    chars = []
    for i in range(textpage.count_chars()):
        if raw.FPDFText_IsGenerated(textpage, i):
            continue
        box, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
        raw.FPDFText_GetLooseCharBox(textpage, i, box)
        raw.FPDFText_GetMatrix(textpage, i, matrix)
        raw.FPDFText_GetFontInfo(textpage, i, name, len(name), flags)
        code = raw.FPDFText_GetUnicode(textpage, i)
        chars.append({
            "text": chr(code) if code < 0x110000 else "\ufffd", "fontname": name.value.decode("utf-8", "replace"),
            "x0": box.left, "x1": box.right, "top": height - box.top, "bottom": height - box.bottom,
            "size": raw.FPDFText_GetFontSize(textpage, i) * (matrix.c**2 + matrix.d**2) ** 0.5,
            "upright": abs(raw.FPDFText_GetCharAngle(textpage, i)) < 0.01,
        })
    return chars


def _healthy_pdfs() -> list[Path]:
    corpus = [d / "document.pdf" for d in sorted((FIXTURES / "corpus").iterdir())
              if (d / "document.pdf").exists() and d.name.rsplit("-", 1)[-1] not in ("ps2pdf", "scan")]
    external = [d / "document.pdf" for d in sorted((FIXTURES / "external").iterdir())]
    return [*corpus, *external, *sorted(SAMPLE.glob("*.pdf"))]


@pytest.mark.slow  # every fixture page through both parsers
def test_no_healthy_fixture_page_is_judged_unusable() -> None:
    """No false positive on any fixture, whichever parser read the page:
    Chinese from every producer, Arabic (ligatures), Japanese, Latin."""
    import pypdfium2 as pdfium

    wrong = []
    for path in _healthy_pdfs():
        with open_pdf(path) as (_, pages):
            for page in pages:
                verdict = assess_text_layer(page_content(page).chars)
                if not verdict.usable:
                    wrong.append(f"{path.parent.name} p{page.page_number} pdfminer: {verdict.reason}")
        document = pdfium.PdfDocument(path)
        for index in range(len(document)):
            verdict = assess_text_layer(_pdfium_chars(document[index]))
            if not verdict.usable:
                wrong.append(f"{path.parent.name} p{index + 1} pdfium: {verdict.reason}")
        document.close()
    assert wrong == []


def test_every_ps2pdf_page_is_judged_unusable_by_both_parsers() -> None:
    import pypdfium2 as pdfium

    path = PS2PDF / "document.pdf"
    with open_pdf(path) as (_, pages):
        assert all(not assess_text_layer(page_content(page).chars).usable for page in pages)
    document = pdfium.PdfDocument(path)
    assert all(not assess_text_layer(_pdfium_chars(document[i])).usable for i in range(len(document)))
    document.close()
