"""Both parsers on every fixture, table by table and block by block.

pypdfium2 (the default) and pdfminer must make the same document of every
PDF whose text layer is what is printed. Where they differ, the difference
is a property of the PDF that one parser reads and the other does not, and
the tests below pin down which reading is the faithful one:

* LibreOffice Calc's ``-xlsx`` exports hold invisible copies of merged-cell
  text (clipped or off the page): pypdfium2 drops them, pdfminer cannot.
* A page furniture line clipped away (``peer-tabula-twotables_ja``) is not
  text on pypdfium2.
* Symbol-font glyphs (``peer-icdar2013-eu-021_p3``): pdfium reads the χ of
  χ² that pdfminer reads as "c".
* Chromium's Type 3 fonts (``-html``) keep their names only in the font
  descriptor, which pdfium does not expose: the text and tables agree, bold
  by font name is not seen on pypdfium2 (text in a bold face printed by
  Chromium comes out regular).
* ``-ps2pdf`` has no usable text layer (both parsers read garbage, each its
  own); ``-sideways`` prints text turned, whose glyph boxes across the
  baseline follow each parser's font descent (pdfminer reads LibreOffice's
  ``/Descent 0``, pdfium the font's own metrics); ``peer-tabula-mednine_ar``:
  pdfium decomposes Arabic presentation forms.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from conftest import FIXTURES, Fixture, read_cached

_WS = re.compile(r"\s+")

#: Fixtures whose two readings differ, and why (see the module docstring).
DIFFERENT = {
    "hebei-chengde-gxq-zrzy-2023-xlsx": "invisible merged-cell copies",
    "zhejiang-lishui-qingxi-wgltj-2022-xlsx": "invisible merged-cell copies",
    "peer-tabula-twotables_ja": "a clipped furniture line",
    "peer-icdar2013-eu-021_p3": "Symbol font",
    "hebei-chengde-gxq-zrzy-2023-html": "Type 3 font names (bold)",
    "sichuan-mianyang-city-nyncj-2023-html-booktabs": "Type 3 font names (bold)",
    "hebei-chengde-gxq-zrzy-2023-ps2pdf": "no usable text layer",
    "hebei-hengshui-city-wjw-2024-sideways": "turned text, font descent",
    "peer-tabula-mednine_ar": "Arabic presentation forms",
}


def _fixtures() -> list[Fixture]:
    dirs = sorted((FIXTURES / "corpus").iterdir()) + sorted((FIXTURES / "external").iterdir())
    return [Fixture(d.name, d) for d in dirs if not d.name.endswith("-scan")]


SAME = [fx for fx in _fixtures() if fx.name not in DIFFERENT]


def _blocks(doc) -> list[tuple]:
    return [(b.kind, b.page, b.level, [(r.text, r.bold) for r in b.runs]) for b in doc.blocks]


def _squash(text: str) -> str:
    return _WS.sub("", text)


@pytest.mark.parametrize("fx", SAME, ids=lambda f: f.name)
def test_parsers_make_the_same_tables(fx: Fixture) -> None:
    miner, pdfium = read_cached(fx.pdf, parser="pdfminer"), read_cached(fx.pdf, parser="pypdfium2")
    assert pdfium.tables_html() == miner.tables_html()


@pytest.mark.parametrize("fx", SAME, ids=lambda f: f.name)
def test_parsers_make_the_same_blocks(fx: Fixture) -> None:
    """Same blocks in the same order: kind, page, level, every run's text
    (spaces included) and bold."""
    miner, pdfium = read_cached(fx.pdf, parser="pdfminer"), read_cached(fx.pdf, parser="pypdfium2")
    assert _blocks(pdfium) == _blocks(miner)


@pytest.mark.slow  # Chromium draws every table border as thousands of small rects
@pytest.mark.parametrize("name", ["hebei-chengde-gxq-zrzy-2023-html", "sichuan-mianyang-city-nyncj-2023-html-booktabs"])
def test_type3_documents_agree_but_for_bold(name: str) -> None:
    """Same tables and block texts. pdfium reads the printed character
    where pdfminer reads the font's alias of it (― for —, ⼾ for 户: the
    truth's ``text_layer_aliases``)."""
    fx = Fixture(name, FIXTURES / "corpus" / name)
    miner, pdfium = read_cached(fx.pdf, parser="pdfminer"), read_cached(fx.pdf, parser="pypdfium2")
    from jixiao.extract.glyph_text import unified

    aliases = {}
    for alias in fx.truth_document()["text_layer_aliases"]:
        source, target = alias.split("->")
        aliases[source] = aliases[unified(source)] = target  # as the font aliases it, and as mapped

    def printed(text: str) -> str:
        return "".join(aliases.get(ch, ch) for ch in text)

    assert printed(pdfium.tables_html()) == printed(miner.tables_html())
    assert [printed(b.text) for b in pdfium.blocks] == [printed(b.text) for b in miner.blocks]


def test_arabic_tables_agree_as_text() -> None:
    """pdfium splits lam-alef and other presentation-form ligatures into
    their letters; compared after NFKC the cell letters are the same, only
    their order inside a ligature (read left to right) can differ."""
    fx = Fixture("peer-tabula-mednine_ar", FIXTURES / "external" / "peer-tabula-mednine_ar")
    miner, pdfium = read_cached(fx.pdf, parser="pdfminer"), read_cached(fx.pdf, parser="pypdfium2")

    def letters(doc) -> list[str]:
        return [sorted(unicodedata.normalize("NFKC", _squash(c.text))) for t in doc.tables for c in t.cells]

    assert letters(pdfium) == letters(miner)


def test_clipped_furniture_is_not_text() -> None:
    """The printer's slug line under the page (決算短信（宝印刷）…) lies outside
    the page's clip path: nothing of it is rendered, so it is not text."""
    fx = Fixture("peer-tabula-twotables_ja", FIXTURES / "external" / "peer-tabula-twotables_ja")
    slug = "決算短信（宝印刷）"
    assert any(slug in _squash(b.text) for b in read_cached(fx.pdf, parser="pdfminer").blocks)
    assert not any(slug in _squash(b.text) for b in read_cached(fx.pdf, parser="pypdfium2").blocks)


def test_symbol_font_is_read() -> None:
    """χ² = 61.24 on page 3, set in the Symbol font."""
    fx = Fixture("peer-icdar2013-eu-021_p3", FIXTURES / "external" / "peer-icdar2013-eu-021_p3")
    text = "".join(b.text for b in read_cached(fx.pdf, parser="pypdfium2").blocks)
    assert "χ" in text and "61.24" in text


# ------------------------------------------------------------ the faithful text layer on producer variants


def _page_texts(fx: Fixture, parser: str) -> list[str]:
    from jixiao.extract.glyphs import glyphs_from_chars
    from jixiao.extract.pdf_open import open_pdf

    with open_pdf(fx.pdf, parser) as (_, pages):
        return ["".join(g.text for g in glyphs_from_chars(p.content().chars) if not g.text.isspace()) for p in pages]


@pytest.mark.parametrize("name", ["hebei-chengde-gxq-zrzy-2023-xlsx", "zhejiang-lishui-qingxi-wgltj-2022-xlsx"])
def test_invisible_merged_cell_copies_are_not_text(name: str) -> None:
    """Calc prints a merged cell cut by a page break on both pages, clipped
    to each page's part; the truth lists every such cell
    (``text_layer_hidden_duplicates``) with the pages its text layer holds
    it on. Its text is visible once, so the faithful text layer holds one
    copy fewer on those pages than the raw one (pdfminer's) — the same text
    can also stand in other cells, so copies are counted, not located."""
    fx = Fixture(name, FIXTURES / "corpus" / name)
    raw, visible = _page_texts(fx, "pdfminer"), _page_texts(fx, "pypdfium2")
    hidden = fx.truth_document()["text_layer_hidden_duplicates"]
    assert hidden
    for entry in hidden:
        pages = entry["pages"]
        raw_copies = sum(raw[p - 1].count(entry["text"]) for p in pages)
        visible_copies = sum(visible[p - 1].count(entry["text"]) for p in pages)
        # a hidden 经济效益指标 also hides one 效益指标
        hidden_copies = sum(1 for other in hidden if other["pages"] == pages and entry["text"] in other["text"])
        assert visible_copies == raw_copies - hidden_copies, entry


def test_without_the_invisible_copies_the_table_parts_join() -> None:
    """zhejiang -xlsx: with the clipped copies read as text every table
    broke into extra parts; without them the four tables of the truth."""
    name = "zhejiang-lishui-qingxi-wgltj-2022-xlsx"
    fx = Fixture(name, FIXTURES / "corpus" / name)
    truth = fx.truth_document()["blocks"]
    assert len(read_cached(fx.pdf).tables) == sum(1 for b in truth if b["type"] == "table") == 4


@pytest.mark.slow
@pytest.mark.parametrize("parser", ["pypdfium2", "pdfminer"])
@pytest.mark.parametrize("name", ["hebei-chengde-gxq-zrzy-2023-html", "sichuan-mianyang-city-nyncj-2023-html-booktabs"])
def test_radical_code_points_become_the_printed_ideographs(name: str, parser: str) -> None:
    """Chromium's CJK subsets map ordinary ideographs to Kangxi and
    CJK-radical code points (⽬ for 目, ⻔ for 门); the truth counts every
    alias (``text_layer_aliases``). None is left, and each printed
    ideograph is there at least as often as its alias was. (pdfminer reads
    the radicals from the ToUnicode map and they are mapped to Unicode's
    equivalent ideograph, which for ⼾ is the traditional 戶 where the
    simplified face prints 户; pdfium reads the printed character.)"""
    fx = Fixture(name, FIXTURES / "corpus" / name)
    text = "".join(_page_texts(fx, parser))
    assert not [ch for ch in text if 0x2E80 <= ord(ch) <= 0x2FDF]
    for alias, count in fx.truth_document()["text_layer_aliases"].items():
        source, target = alias.split("->")
        if 0x2E80 <= ord(source) <= 0x2FDF and (parser == "pypdfium2" or source != "⼾"):
            assert text.count(target) >= count, alias


def test_parser_is_selectable_on_the_cli() -> None:
    """``--parser pdfminer`` reads with the previous parser: the same tables,
    merged cells, pages and cell boxes as the default."""
    import json

    from click.testing import CliRunner
    from conftest import SAMPLE

    from jixiao.cli import main

    pdf = str(SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf")
    default = CliRunner().invoke(main, ["tables", pdf, "--format", "json"])
    miner = CliRunner().invoke(main, ["tables", pdf, "--format", "json", "--parser", "pdfminer"])
    assert default.exit_code == miner.exit_code == 0
    assert json.loads(default.stdout) == json.loads(miner.stdout)
    assert CliRunner().invoke(main, ["tables", pdf, "--parser", "mupdf"]).exit_code == 2
