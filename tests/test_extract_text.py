"""Text outside tables: blocks, order, bold, fake bold, page furniture."""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURES, PARSERS, Fixture, corpus_fixtures, read_cached

from jixiao.model import BlockKind

BORN_DIGITAL = corpus_fixtures()
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    return _WS.sub("", text)


def _truth_body(fx: Fixture) -> list[tuple]:
    out = []
    for b in fx.truth_document()["blocks"]:
        if b["type"] == "heading":
            out.append(("heading", b["level"], squash(b["text"]), ()))
        elif b["type"] == "paragraph":
            text = squash("".join(r["text"] for r in b["runs"]))
            bold = tuple(squash(r["text"]) for r in b["runs"] if r.get("bold"))
            out.append(("paragraph", None, text, bold))
    return out


def _extracted_body(fx: Fixture, parser: str) -> list[tuple]:
    out = []
    for b in read_cached(fx.pdf, parser=parser).blocks:
        if b.kind is BlockKind.HEADING:
            out.append(("heading", b.level, squash(b.text), ()))
        elif b.kind is BlockKind.PARAGRAPH:
            bold = tuple(squash(r.text) for r in b.runs if r.bold and r.text.strip())
            out.append(("paragraph", None, squash(b.text), bold))
    return out


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("fx", BORN_DIGITAL, ids=lambda f: f.name)
def test_headings_and_paragraphs_match_truth(fx: Fixture, parser: str) -> None:
    """Same blocks, same order, same text, same heading levels and bold runs
    (六是 in the 2023 document, 绩效目标： in 衡水, 加强组织领导 in 滹阳)."""
    assert _extracted_body(fx, parser) == _truth_body(fx)


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("fx", BORN_DIGITAL, ids=lambda f: f.name)
def test_paragraph_pages_match_truth(fx: Fixture, parser: str) -> None:
    """A paragraph running over a page break is one block with page_end."""
    truth = [(b["page"], b["page_end"]) for b in fx.truth_document()["blocks"] if b["type"] == "paragraph"]
    got = [(b.page, b.last_page) for b in read_cached(fx.pdf, parser=parser).blocks if b.kind is BlockKind.PARAGRAPH]
    assert got == truth


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("fx", BORN_DIGITAL, ids=lambda f: f.name)
def test_cover_and_toc_match_truth(fx: Fixture, parser: str) -> None:
    truth = fx.truth_document()["blocks"]
    doc = read_cached(fx.pdf, parser=parser)
    cover = [squash(line["text"]) for b in truth if b["type"] == "cover" for line in b["lines"]]
    assert [squash(b.text) for b in doc.blocks_of(BlockKind.COVER)] == cover
    toc = [(squash(e["text"]), e["page"], e["level"]) for b in truth if b["type"] == "toc" for e in b["entries"]]
    got = [(squash(b.text), b.page_label, b.level) for b in doc.blocks_of(BlockKind.TOC_ENTRY)]
    assert got == toc


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("fx", BORN_DIGITAL, ids=lambda f: f.name)
def test_captions_point_at_their_tables(fx: Fixture, parser: str) -> None:
    truth = [(b["caption"], b["id"]) for b in fx.truth_document()["blocks"] if b["type"] == "table"]
    got = [(squash(b.text), b.table_id) for b in read_cached(fx.pdf, parser=parser).blocks_of(BlockKind.CAPTION)]
    assert got == [(squash(c), i) for c, i in truth]


def test_page_numbers_are_labels_not_text(doc2023) -> None:
    """The footer "— 10 —" is page 10's label and appears in no block."""
    assert doc2023.pages[9].label == "10"
    assert doc2023.pages[0].label is None  # the cover prints no number
    assert not any("—10—" in squash(b.text) for b in doc2023.blocks)


@pytest.mark.parametrize("parser", PARSERS)
def test_stroked_text_is_bold(parser: str) -> None:
    """The -reportlab variant draws 六是 with text render mode 2 (fill and
    stroke) in a regular font; it must come out as a bold run."""
    fx = next(f for f in BORN_DIGITAL if f.name.endswith("-reportlab"))
    runs = [r for b in read_cached(fx.pdf, parser=parser).blocks for r in b.runs if "六是" in r.text]
    assert [r.text for r in runs] == ["六是"]
    assert runs[0].bold
    assert "Bold" not in runs[0].font


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("name", ["pdfplumber-issue-71", "pdfplumber-issue-842"])
def test_fake_bold_glyphs_come_out_once(name: str, parser: str) -> None:
    """Glyphs printed 2× (issue 71) or 4× (842) at nearly the same spot: the
    text equals the truth, every character once, and those runs are bold;
    legitimate repeats (嘻嘻嘻, 2011年年度) survive. pdfium's text page drops
    the repeated copies; the pypdfium2 backend restores them."""
    fx = Fixture(name, FIXTURES / "external" / name)
    doc = read_cached(fx.pdf, parser=parser)
    text = "".join(b.text for b in doc.blocks)
    assert squash(text) == squash((fx.truth / "text.txt").read_text(encoding="utf-8"))
    assert any(r.bold for b in doc.blocks for r in b.runs)
    assert ("嘻嘻嘻嘻嘻嘻" in text) or ("2011年年度报告" in squash(text))


# -- mechanisms on small inputs ------------------------------------------------

def test_heading_levels_are_depth_in_the_numbering() -> None:
    """A document starting at 一、 has it at level 1 and （一） at 2; under a
    第X部分 they are 2 and 3; an unnumbered large heading is level 1 and
    what follows it nests under it."""
    from jixiao.extract.reading_order import _HeadingLevels, _Metrics

    metrics = _Metrics(body_size=12.0, body_left=0.0, right_edge=500.0, line_gap=6.0)
    flat = _HeadingLevels(metrics)
    assert [flat.level(t, 12.0) for t in ["一、概况", "（一）职能", "（二）机构", "二、目标", "1.项目"]] == [1, 2, 2, 1, 2]
    deep = _HeadingLevels(metrics)
    got = [deep.level(t, s) for t, s in [("第一部分", 16.0), ("一、概况", 12.0), ("（一）职能", 12.0),
                                         ("第二部分", 16.0), ("专项资金绩效目标", 16.0), ("一、项目", 12.0)]]
    assert got == [1, 2, 3, 1, 1, 2]


def test_toc_entries_with_drawn_leaders(tmp_path) -> None:
    """A table of contents whose leaders are dotted rules (Chromium draws a
    dotted CSS border): each line is an entry with its page label."""
    from reportlab.pdfgen.canvas import Canvas

    import jixiao

    path = tmp_path / "toc.pdf"
    c = Canvas(str(path), pagesize=(595, 842))
    for page in range(4):
        c.setFont("Helvetica", 12)
        if page == 0:
            c.drawString(200, 600, "Annual performance report")
        elif page == 1:
            c.drawString(270, 780, "Contents")
            for k, (title, label) in enumerate([("Part one", "2"), ("Overview", "2"), ("Part two", "3")]):
                y = 740 - 24 * k
                c.drawString(80, y, title)
                c.drawRightString(515, y, label)
                for x in range(150, 500, 2):  # the dotted leader, drawn
                    c.rect(x, y + 1, 0.8, 0.8, stroke=0, fill=1)
        else:
            for k in range(30):
                c.drawString(80, 780 - 20 * k, "Body text of the document that runs across the page width, line " + str(k))
        c.showPage()
    c.save()
    doc = jixiao.read_pdf(path)
    entries = [(squash(b.text), b.page_label) for b in doc.blocks_of(BlockKind.TOC_ENTRY)]
    assert entries == [("Partone", "2"), ("Overview", "2"), ("Parttwo", "3")]


def test_a_title_repeated_above_each_sheet_is_kept_once(tmp_path) -> None:
    """A workbook prints the same heading above a table and again above its
    continuation: the first is the table's heading, the second is dropped;
    a running header repeated on every page is dropped everywhere."""
    from jixiao.extract.furniture import remove_furniture
    from jixiao.extract.glyphs import Glyph
    from jixiao.extract.page_layout import PageLayout, PageTable
    from jixiao.extract.textlines import TextLine

    from jixiao.model import Page

    def line(text: str, top: float, page: int) -> TextLine:
        glyphs = [Glyph(ch, 100 + 12 * i, 112 + 12 * i, top, top + 12, 12.0, "F", False, i) for i, ch in enumerate(text)]
        return TextLine(glyphs, page)

    layouts = []
    for n in (1, 2):
        lines = [line("部门绩效文本", 20, n), line("六、土地管理专项", 60, n)]
        table = PageTable(page=n, xs=[80.0, 500.0], ys=[90.0, 700.0], cells=[])
        layouts.append(PageLayout(page=Page(number=n, width=595, height=842), lines=lines, tables=[table]))
    remove_furniture(layouts)
    assert [[ln.text for ln in lay.lines] for lay in layouts] == [["六、土地管理专项"], []]
