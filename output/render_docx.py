"""Document → a Word document (.docx) an office can open, edit and print.

The layout follows the national standard for official documents (GB/T 9704,
党政机关公文格式) that 绩效文本 are printed in: A4, margins 37/26/35/28 mm
(top/right/bottom/left), body in a 三号 (16 pt) serif with a fixed 28 pt
line pitch, first-line indent of two characters, justified; part headings
二号 (22 pt) centred; 绩效目标表 in 五号 (10.5 pt) with visible rules; page
numbers as "— N —" in the footer, none on the cover.

The file is also meant to survive a round trip: LibreOffice turns it into a
PDF and ``jixiao.read_pdf`` must read back the same headings, paragraphs and
table cells. That is why

* headings use Word's Heading N styles (the navigation pane) *and* are bold
  with their numbering kept, because the reader takes an all-bold short
  paragraph as a heading and its level from 第一部分 / 一、 / （一）; level-1
  headings are larger than body text because an unnumbered heading
  (预算项目绩效目标) gets level 1 from its size;
* every body paragraph starts with a first-line indent: the reader starts
  a new paragraph at an indented line;
* tables keep the source grid: explicit column widths taken from the
  source's cell boxes (every grid column stays a distinct column, even where
  only merged cells cross it), real merged cells (``cell.merge``) with the
  text written once, the caption directly before its table;
* a heading, caption or 目录 that started a new page in the source starts
  one here too, so tables stay on their own pages as printed;
* nothing is added that is not in the document except the page-number
  footer, which the reader recognises as page furniture.

Fonts are named for both scripts: python-docx's ``font.name`` sets only the
Latin font, and without ``w:eastAsia`` LibreOffice and Word pick a
fallback for Chinese.
"""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import _Row
from docx.text.paragraph import Paragraph

from jixiao.atomic import atomic_path
from jixiao.model import Block, BlockKind, Document, Table

from .blocks import block_groups
from .render_html import document_title, title_blocks

SERIF_CJK = "Noto Serif CJK SC"
SANS_CJK = "Noto Sans CJK SC"
#: Metric-compatible with Liberation Serif, which LibreOffice substitutes.
SERIF_LATIN = "Times New Roman"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = Mm(37), Mm(26), Mm(35), Mm(28)
TEXT_WIDTH = Length(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)

BODY_PT = 16.0
TOC_PT = 14.0
TABLE_PT = 10.5
PART_HEADING_PT = 22.0
#: Cover lines whose source size is unknown.
COVER_PT = 22.0
#: Rows of a 绩效目标表 are at least this tall, as printed forms are.
ROW_MIN = Mm(8)
#: Cell padding left and right (Word's default 0.19 cm, in points).
CELL_PADDING_PT = 5.4


# -- styles ---------------------------------------------------------------
def _set_fonts(rpr, latin: str, east_asian: str) -> None:
    """Set the Latin and East-Asian fonts on a ``w:rPr``, dropping theme
    fonts, which would otherwise win over the names."""
    rfonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)


def _paragraph_style(
    docx: DocxDocument,
    name: str,
    *,
    size: float,
    east_asian: str = SERIF_CJK,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
    first_line_indent: Length | None = None,
    line_pitch: float | None = None,
    space_before: float = 0.0,
    space_after: float = 0.0,
    keep_with_next: bool = False,
) -> ParagraphStyle:
    """Get or add a paragraph style and set every property this renderer
    relies on, so the template's defaults (blue headings, theme fonts,
    10 pt spacing after) never leak into the print."""
    styles = docx.styles
    style = styles[name] if name in styles else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if style.base_style is None and name != "Normal":
        style.base_style = styles["Normal"]
    _set_fonts(style.element.get_or_add_rPr(), SERIF_LATIN, east_asian)
    font = style.font
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = first_line_indent
    fmt.left_indent = None
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(space_after)
    if line_pitch is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing = Pt(line_pitch)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.keep_with_next = keep_with_next
    return style


def _heading_style(docx: DocxDocument, level: int) -> ParagraphStyle:
    """Heading N: part headings (level 1) 22 pt centred in a sans face;
    lower levels body size, indented like a paragraph, as printed."""
    if level == 1:
        return _paragraph_style(
            docx, "Heading 1", size=PART_HEADING_PT, east_asian=SANS_CJK, bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER, space_after=14, keep_with_next=True,
        )
    return _paragraph_style(
        docx, f"Heading {level}", size=BODY_PT, east_asian=SANS_CJK, bold=True,
        first_line_indent=Pt(2 * BODY_PT), line_pitch=28, keep_with_next=True,
    )


def _toc_style(docx: DocxDocument, level: int) -> ParagraphStyle:
    """Word's built-in "toc N" styles (so Word treats the entries as a
    table of contents): indented two characters per level, the page label
    at a right tab stop with a dot leader."""
    style = _paragraph_style(docx, f"toc {level}", size=TOC_PT, line_pitch=22)
    style.paragraph_format.left_indent = Pt(2 * TOC_PT * (level - 1))
    tabs = style.paragraph_format.tab_stops
    tabs.clear_all()
    tabs.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    return style


def _setup_styles(docx: DocxDocument, heading_levels: set[int], toc_levels: set[int]) -> None:
    """The document defaults and every style the blocks use: fonts on the
    defaults (theme fonts removed), no spacing after paragraphs, then
    Normal, body text, headings, captions, cover, 目录 and table text.

    The East-Asian language stays the template's: marked zh-CN, LibreOffice
    applies its Chinese punctuation rules and its PDF export then drops a
    comma it hangs at the end of a line (seen with LibreOffice 7.4)."""
    defaults = docx.styles.element.find(qn("w:docDefaults"))
    _set_fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), SERIF_LATIN, SERIF_CJK)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    if spacing is not None:
        ppr.remove(spacing)
    _paragraph_style(docx, "Normal", size=BODY_PT)
    _paragraph_style(
        docx, "Body Text", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        first_line_indent=Pt(2 * BODY_PT), line_pitch=28,
    )
    _paragraph_style(
        docx, "Caption", size=BODY_PT, east_asian=SANS_CJK, bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER, line_pitch=28, keep_with_next=True,
    )
    _paragraph_style(docx, "Cover", size=COVER_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    for level in sorted(heading_levels):
        _heading_style(docx, level)
    for level in sorted(toc_levels):
        _toc_style(docx, level)
    # the template's TOC Heading is at outline level 9: formatted like a
    # part heading, but kept out of the navigation pane
    _paragraph_style(
        docx, "TOC Heading", size=PART_HEADING_PT, east_asian=SANS_CJK, bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER, space_after=14,
    )
    _paragraph_style(docx, "Table Text", size=TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(docx, "Footer", size=14, align=WD_ALIGN_PARAGRAPH.CENTER)


def _setup_page(docx: DocxDocument) -> None:
    """A4 with the standard margins; page number "— N —" centred in the
    footer of every page but the cover (a different first-page footer that
    stays empty)."""
    section = docx.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.right_margin = MARGIN_TOP, MARGIN_RIGHT
    section.bottom_margin, section.left_margin = MARGIN_BOTTOM, MARGIN_LEFT
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20)
    section.different_first_page_header_footer = True
    footer = section.footer.paragraphs[0]
    footer.style = docx.styles["Footer"]
    footer.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" —")


# -- blocks -----------------------------------------------------------------
def _starts_page(block: Block, previous: Block | None) -> bool:
    """Does the block open a new page, as it did in the source? The cover
    and the 目录 always end their page; a heading, caption or 目录 title
    that the source printed at the top of a later page did so on purpose
    (a new part, one table per page). Paragraphs flow: where one started a
    page in the source is an accident of line breaking."""
    if previous is None or block.page <= previous.last_page:
        return False
    if previous.kind in (BlockKind.COVER, BlockKind.TOC_ENTRY):
        return block.kind is not previous.kind
    return block.kind in (BlockKind.HEADING, BlockKind.CAPTION, BlockKind.TOC_TITLE)


def _add_runs(paragraph: Paragraph, block: Block) -> None:
    """The block's runs with their weight; whitespace at the block's ends
    is dropped (a first-line indent, not spaces, starts a paragraph)."""
    runs = [r for r in block.runs if r.text]
    for n, run in enumerate(runs):
        text = run.text
        if n == 0:
            text = text.lstrip()
        if n == len(runs) - 1:
            text = text.rstrip()
        if text:
            paragraph.add_run(text).bold = True if run.bold else None


def _add_cover(docx: DocxDocument, document: Document, blocks: list[Block]) -> None:
    """Cover lines centred at their printed size and weight: the title about
    a third of the free space down the page, the editor lines after a larger
    gap, the spacing shrunk so the cover never spills onto a second page."""
    titles = {id(b) for b in title_blocks(document)}
    sizes = [max((r.size for r in b.runs), default=0.0) or COVER_PT for b in blocks]
    usable = Length(PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM).pt
    # a CJK font's single line is about 1.45 em; keep a line's worth spare
    free = max(0.0, usable - sum(2.45 * size for size in sizes) - 2 * COVER_PT)
    title_seen = False
    for n, (block, size) in enumerate(zip(blocks, sizes)):
        paragraph = docx.add_paragraph(style="Cover")
        is_title = id(block) in titles
        if n == 0:
            before = 0.35 * free
        elif title_seen and not is_title and id(blocks[n - 1]) in titles:
            before = 0.6 * free
        else:
            before = size  # an em apart: set as separate lines, not one wrapped line
        title_seen = title_seen or is_title
        paragraph.paragraph_format.space_before = Pt(round(before))
        for run in block.runs:
            if run.text:
                added = paragraph.add_run(run.text)
                added.bold = run.bold
                added.font.size = Pt(round(2 * (run.size or size)) / 2)


def _level(block: Block) -> int:
    """Word has nine heading and toc levels."""
    return min(max(block.level or 1, 1), 9)


def _add_block(docx: DocxDocument, block: Block) -> Paragraph:
    """One non-table, non-cover block as a paragraph in its style."""
    kind = block.kind
    if kind is BlockKind.HEADING:
        paragraph = docx.add_paragraph(style=f"Heading {_level(block)}")
        paragraph.add_run(block.text.strip())
    elif kind is BlockKind.TOC_ENTRY:
        paragraph = docx.add_paragraph(style=f"toc {_level(block)}")
        label = f"\t{block.page_label}" if block.page_label else ""
        paragraph.add_run(block.text.strip() + label)  # python-docx writes "\t" as <w:tab/>
    elif kind is BlockKind.TOC_TITLE:
        paragraph = docx.add_paragraph(block.text.strip(), style="TOC Heading")
    elif kind is BlockKind.CAPTION:
        paragraph = docx.add_paragraph(block.text.strip(), style="Caption")
    else:
        paragraph = docx.add_paragraph(style="Body Text")
        _add_runs(paragraph, block)
    return paragraph


# -- tables -----------------------------------------------------------------
def _column_widths(table: Table) -> list[Length]:
    """Column widths from the source: each grid line's x is the median of
    the cell edges that lie on it. Scaled down to the text width when wider;
    equal widths when the boxes say nothing usable (e.g. a rebuilt
    document without geometry)."""
    edges: list[list[float]] = [[] for _ in range(table.n_cols + 1)]
    for cell in table.cells:
        edges[cell.col].append(cell.bbox.x0)
        edges[min(cell.col + cell.colspan, table.n_cols)].append(cell.bbox.x1)
    text_width = TEXT_WIDTH.pt
    if all(edges):
        xs = [sorted(e)[len(e) // 2] for e in edges]
        widths = [b - a for a, b in itertools.pairwise(xs)]
        if min(widths) >= 2 * CELL_PADDING_PT + TABLE_PT / 2:
            scale = min(1.0, text_width / sum(widths))
            return [Pt(w * scale) for w in widths]
    return [Pt(text_width / table.n_cols)] * table.n_cols


def _text_width_pt(text: str) -> float:
    """Printed width of one line at table size: full width for CJK and
    full-width forms, about half an em for Latin letters and digits."""
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    return (wide + 0.55 * (len(text) - wide)) * TABLE_PT


def _keep_row_together(row: _Row) -> None:
    """No row breaks across a page, and rows are at least ``ROW_MIN`` tall."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))  # before trHeight, as the schema orders them
    row.height = ROW_MIN
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def _add_table(docx: DocxDocument, table: Table) -> None:
    """The table with the source grid: n_cols grid columns of the source's
    widths, each merged region one real merged cell holding the text once,
    cell text centred (left-aligned when it wraps), every row but the last
    kept with the next so the table stays on one page where it fits."""
    widths = _column_widths(table)
    out = docx.add_table(rows=table.n_rows, cols=table.n_cols)
    out.style = docx.styles["Table Grid"]
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    out.autofit = False
    for column, width in zip(out.columns, widths):
        column.width = width
    # Cells are taken once, before merging, and formatted one by one: python-docx's
    # table.cell() and paragraph.style look-ups rescan the table and the styles
    # on every call, which costs seconds on a long document. A merge keeps the
    # region's top-left cell and never touches another region's cells.
    table_text = docx.styles["Table Text"].style_id
    grid = [list(row.cells) for row in out.rows]
    for r, (row, cells) in enumerate(zip(out.rows, grid)):
        _keep_row_together(row)
        for docx_cell, width in zip(cells, widths):
            docx_cell.width = width
            docx_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = docx_cell.paragraphs[0]
            paragraph._p.style = table_text
            paragraph.paragraph_format.keep_with_next = r < table.n_rows - 1
    for cell in table.cells:
        docx_cell = grid[cell.row][cell.col]
        if cell.rowspan > 1 or cell.colspan > 1:
            last_row = min(cell.row + cell.rowspan, table.n_rows) - 1
            last_col = min(cell.col + cell.colspan, table.n_cols) - 1
            docx_cell = docx_cell.merge(grid[last_row][last_col])
        if not cell.text:
            continue
        paragraph = docx_cell.paragraphs[0]
        room = docx_cell.width.pt - 2 * CELL_PADDING_PT
        if any(_text_width_pt(line) > room for line in cell.text.split("\n")):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        paragraph.add_run(cell.text)  # python-docx writes "\n" as a line break (<w:br/>)


def render_docx(document: Document, path: Path) -> None:
    """Write the document as an A4 .docx at ``path`` (atomically: a reader
    never sees half a file)."""
    docx = new_docx()
    _setup_styles(
        docx,
        {_level(b) for b in document.blocks_of(BlockKind.HEADING)},
        {_level(b) for b in document.blocks_of(BlockKind.TOC_ENTRY)},
    )
    _setup_page(docx)
    docx.core_properties.title = document_title(document)
    docx.core_properties.author = ""
    previous: Block | None = None
    for _, group in block_groups(document.blocks):
        if group[0].kind is BlockKind.COVER:
            _add_cover(docx, document, group)
            previous = group[-1]
            continue
        for block in group:
            if block.kind is BlockKind.TABLE:
                if previous is not None and previous.kind is BlockKind.TABLE:
                    # two tables with nothing between them are one table to Word
                    docx.add_paragraph(style="Table Text")
                _add_table(docx, document.table(block.table_id or ""))
            else:
                paragraph = _add_block(docx, block)
                # a table cannot carry a page break; its caption or heading does
                paragraph.paragraph_format.page_break_before = _starts_page(block, previous) or None
            previous = block
    with atomic_path(path) as tmp:
        docx.save(str(tmp))
