"""The Markdown, HTML and Word renderers on the 2023 document.

Each output must carry the document's structure, not just its words:
heading levels, bold runs, and every table with its merged cells (checked
with TEDS against the hand-made truth). The Word document is also printed
by LibreOffice and read back, because that is how these documents are
really produced: what jixiao reads from that PDF must be what it read from
the original.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from itertools import groupby
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES, SAMPLE, read_cached
from docx.oxml.ns import qn
from lxml import html as lxml_html
from teds import tables_from_html, teds

import jixiao
from jixiao.model import BlockKind, Document, Run
from jixiao.output.render_docx import render_docx
from jixiao.output.render_html import document_title, render_html
from jixiao.output.render_markdown import inline_markdown, render_markdown

TRUTH_2023 = FIXTURES / "corpus" / "hebei-chengde-gxq-zrzy-2023" / "truth"
TITLE_2023 = "承德市自然资源和规划局 高新技术产业开发区分局 2023 年绩效文本"
#: A cell with a line break typed in it (hebei-hengshui-city-wjw-2024, t1).
HENGSHUI_CELL = "高血压患者基层规范管理服务率\n（按国家基本公共卫生服务规范）"
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    return _WS.sub("", text)


@pytest.fixture(scope="module")
def doc(doc2023: Document) -> Document:
    return doc2023


@pytest.fixture(scope="module")
def truth_tables() -> list:
    return tables_from_html((TRUTH_2023 / "tables.html").read_text(encoding="utf-8"))


def _bold_spans(runs: list[Run]) -> list[str]:
    """Bold text as stretches (how it is split into runs by font is not
    the point)."""
    spans = groupby(runs, key=lambda r: r.bold)
    return [squash("".join(r.text for r in group)) for bold, group in spans if bold]


def _headings(document: Document) -> list[tuple[int, str]]:
    return [(b.level or 0, b.text.strip()) for b in document.blocks_of(BlockKind.HEADING)]


def _assert_tables_match_truth(markup: str, truth: list) -> None:
    tables = tables_from_html(markup)
    assert len(tables) == len(truth) == 7
    scores = [teds(pred, ref) for pred, ref in zip(tables, truth)]
    assert scores == [1.0] * 7


# -- Markdown -----------------------------------------------------------------
@pytest.fixture(scope="module")
def markdown(doc: Document) -> str:
    return render_markdown(doc)


def test_markdown_headings_have_their_levels(doc: Document, markdown: str) -> None:
    lines = [line for line in markdown.splitlines() if line.startswith("#")]
    got = [(len(line) - len(line.lstrip("#")), line.lstrip("#").strip()) for line in lines]
    assert got == _headings(doc)
    assert "# 第一部分" in lines
    assert "## 一、 总体绩效目标" in lines
    assert "### （一）土地利用科" in lines


def test_markdown_bold_toc_and_tables(markdown: str, truth_tables: list) -> None:
    assert "**六是**完成上板城镇" in markdown
    assert "- 第一部分 …… 3" in markdown
    assert "    - （四） 党政办公室 …… 5" in markdown  # level 3 entry, nested twice
    assert markdown.count("<table") == 7
    _assert_tables_match_truth(markdown, truth_tables)
    assert '<div align="center">' in markdown.split("**目录**")[0]  # the cover, centred


def test_markdown_escapes_without_spacing_chinese() -> None:
    assert inline_markdown([Run(text="完成率*100%，见[附表]")]) == r"完成率\*100%，见\[附表\]"
    assert inline_markdown([Run(text="1. 总则")]) == r"1\. 总则"
    # ** cannot close after a full-width colon that is followed by a letter
    # (CommonMark flanking rules); the bold run falls back to <strong>
    runs = [Run(text="二是"), Run(text="六是：", bold=True), Run(text="完成")]
    assert inline_markdown(runs) == "二是<strong>六是：</strong>完成"
    runs = [Run(text="。"), Run(text="六是", bold=True), Run(text="完成")]
    assert inline_markdown(runs) == "。**六是**完成"


# -- HTML -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def page(doc: Document) -> str:
    return render_html(doc)


def test_html_page_is_standalone(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>\n")
    root = lxml_html.fromstring(page)
    assert root.get("lang") == "zh-CN"
    assert root.find(".//meta").get("charset") == "utf-8"
    assert root.findtext(".//title") == TITLE_2023
    style = root.findtext(".//style")
    assert "border-collapse: collapse" in style and "1px solid #000" in style
    assert "Noto Serif CJK SC" in style and "@media print" in style
    assert "<script" not in page and "src=" not in page and "http" not in page


def test_html_structure(doc: Document, page: str, truth_tables: list) -> None:
    root = lxml_html.fromstring(page)
    headings = [(int(h.tag[1]), h.text_content()) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert headings == _headings(doc)
    assert {level for level, _ in headings} == {1, 2, 3}
    assert "<strong>六是</strong>" in page
    nav = root.find(".//nav")
    assert len(nav.findall(".//li")) == len(doc.blocks_of(BlockKind.TOC_ENTRY))
    figures = root.findall(".//figure")
    assert [f.findtext("figcaption") for f in figures] == ["绩效目标表"] * 7
    assert all(f.find("table") is not None for f in figures)
    _assert_tables_match_truth(page, truth_tables)


def test_html_is_valid_html5(page: str) -> None:
    html5lib = pytest.importorskip("html5lib")
    html5lib.HTMLParser(strict=True).parse(page)  # raises on any parse error


def test_html_and_markdown_keep_forced_line_breaks_in_cells() -> None:
    document = read_cached(SAMPLE / "hebei-hengshui-city-wjw-2024.pdf")
    expected = HENGSHUI_CELL.replace("\n", "<br>")
    assert expected in render_html(document)
    assert expected in render_markdown(document)


# -- Word ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def docx_path(doc: Document, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "document.docx"
    render_docx(doc, path)
    return path


def test_docx_is_written_atomically(docx_path: Path) -> None:
    assert [p.name for p in docx_path.parent.iterdir()] == ["document.docx"]


def test_docx_page_and_styles(docx_path: Path) -> None:
    word = docx.Document(str(docx_path))
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.different_first_page_header_footer  # no page number on the cover
    assert 'w:instr="PAGE"' in section.footer.paragraphs[0]._p.xml
    assert word.core_properties.title == TITLE_2023
    fonts = word.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Noto Serif CJK SC"


def test_docx_headings_and_bold_runs(doc: Document, docx_path: Path) -> None:
    word = docx.Document(str(docx_path))
    headings = [
        (int(p.style.name.split()[-1]), p.text) for p in word.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings == _headings(doc)
    assert all(word.styles[f"Heading {n}"].font.bold for n in (1, 2, 3))
    bold = [r.text for p in word.paragraphs for r in p.runs if r.bold]
    assert "六是" in bold
    body = [p for p in word.paragraphs if p.style.name == "Body Text"]
    assert len(body) == len(doc.blocks_of(BlockKind.PARAGRAPH))
    toc = [p.text for p in word.paragraphs if p.style.name.startswith("toc ")]
    assert toc[0] == "第一部分\t3"


def test_docx_tables_have_real_merged_cells(doc: Document, docx_path: Path) -> None:
    word = docx.Document(str(docx_path))
    assert len(word.tables) == len(doc.tables) == 7
    for source, table in zip(doc.tables, word.tables):
        assert table.style.name == "Table Grid"
        assert len(table._tbl.tblGrid.gridCol_lst) == source.n_cols
        assert all(len(row.cells) == source.n_cols for row in table.rows)
        owners = []  # keeps the lxml proxies alive, so `is` compares elements
        for cell in source.cells:
            tc = table.cell(cell.row, cell.col)._tc
            covered = [
                table.cell(r, c)._tc
                for r in range(cell.row, cell.row + cell.rowspan)
                for c in range(cell.col, cell.col + cell.colspan)
            ]
            assert all(x is tc for x in covered), (source.id, cell.row, cell.col)
            assert all(tc is not other for other in owners)
            assert table.cell(cell.row, cell.col).text == cell.text
            owners.append(tc)
    t1 = word.tables[0]
    assert t1.cell(6, 0).text == "绩效指标"
    assert all(t1.cell(r, 0)._tc is t1.cell(6, 0)._tc for r in range(6, 13))
    assert t1.cell(13, 0)._tc is not t1.cell(6, 0)._tc
    assert t1.cell(2, 4).text == "12 月底"
    assert all(t1.cell(2, c)._tc is t1.cell(2, 4)._tc for c in (4, 5, 6))


def test_docx_keeps_forced_line_breaks_in_cells(tmp_path: Path) -> None:
    document = read_cached(SAMPLE / "hebei-hengshui-city-wjw-2024.pdf")
    render_docx(document, tmp_path / "hengshui.docx")
    cell = docx.Document(str(tmp_path / "hengshui.docx")).tables[0].cell(17, 3)
    assert cell.text == HENGSHUI_CELL
    assert len(cell.paragraphs) == 1 and "<w:br/>" in cell._tc.xml


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) not installed; CI installs libreoffice-writer-nogui",
)
def test_docx_printed_by_libreoffice_reads_back_the_same(
    doc: Document, docx_path: Path, truth_tables: list, tmp_path: Path
) -> None:
    # a private profile: a LibreOffice already running (another test run, a
    # desktop session) would otherwise take the job or lock the profile
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(docx_path)],
        check=True, capture_output=True, timeout=300,
    )
    printed = jixiao.read_pdf(tmp_path / "document.pdf")
    _assert_tables_match_truth(printed.tables_html(), truth_tables)

    def body(document: Document) -> list[tuple]:
        return [
            (b.kind, b.level, squash(b.text), b.page_label, _bold_spans(b.runs))
            for b in document.blocks
            if b.kind in (BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.CAPTION, BlockKind.TOC_ENTRY)
        ]

    assert body(printed) == body(doc)
    assert [squash(b.text) for b in printed.blocks_of(BlockKind.COVER)] == [
        squash(b.text) for b in doc.blocks_of(BlockKind.COVER)
    ]
    assert document_title(printed) == TITLE_2023
