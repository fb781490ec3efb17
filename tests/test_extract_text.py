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
