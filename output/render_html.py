"""Document → one standalone HTML5 page that reads like the printed 绩效文本.

The page needs nothing but itself: no script, no external font or style
sheet (a page saved by a government office must still open offline years
later). The embedded style imitates the print: a CJK serif body, sans-serif
headings, and 绩效目标表 tables with collapsed 1px black rules and centred
cell text. Headings are real ``<h1>``–``<h6>`` elements, so the page has an
outline; the 目录 is a ``<nav>`` whose entries link to the headings and
captions they name; each table is a ``<figure>`` with its caption as
``<figcaption>``, its merged cells as rowspan/colspan (``Table.to_html()``).
"""

from __future__ import annotations

import html
import re

from jixiao.model import Block, BlockKind, Document, Run

from .blocks import block_groups

_STYLE = """
:root { color-scheme: light; }
body {
  margin: 0 auto;
  max-width: 210mm;
  padding: 2.5em 2em 4em;
  box-sizing: border-box;
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", serif;
  font-size: 17px;
  line-height: 1.8;
  color: #000;
  background: #fff;
}
h1, h2, h3, h4, h5, h6, figcaption, .toc-title {
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "SimHei", sans-serif;
  font-weight: bold;
}
h1 { font-size: 1.5em; text-align: center; margin: 1.2em 0 0.6em; }
h2, h3, h4, h5, h6 { font-size: 1em; text-indent: 2em; margin: 0.6em 0 0.2em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
.cover { text-align: center; margin: 6em 0 8em; }
.cover p { text-indent: 0; text-align: center; font-size: 1.2em; margin: 0.3em 0; }
.cover .cover-title { font-size: 1.6em; }
.cover .cover-title + p:not(.cover-title) { margin-top: 5em; }
nav { margin: 2em 0 3em; }
.toc-title { text-indent: 0; text-align: center; font-size: 1.5em; margin-bottom: 0.6em; }
nav ol { list-style: none; margin: 0; padding: 0; }
nav li { display: flex; align-items: baseline; }
nav li a { color: inherit; text-decoration: none; }
nav .leader { flex: 1; border-bottom: 1px dotted #000; margin: 0 0.3em; }
nav .level-2 { padding-left: 2em; }
nav .level-3 { padding-left: 4em; }
nav .level-4, nav .level-5, nav .level-6 { padding-left: 6em; }
figure { margin: 1em 0 1.5em; }
figcaption { text-align: center; margin-bottom: 0.4em; }
table { border-collapse: collapse; width: 100%; font-size: 0.82em; line-height: 1.5; }
td { border: 1px solid #000; padding: 0.35em 0.4em; text-align: center; vertical-align: middle; }
@media print {
  @page { size: A4; margin: 37mm 26mm 35mm 28mm; }
  body { max-width: none; padding: 0; font-size: 16pt; line-height: 28pt; }
  table { font-size: 10.5pt; line-height: 1.4; }
  nav { font-size: 14pt; line-height: 22pt; }
  .cover, nav { break-after: page; }
  h1, h2, h3, h4, h5, h6, figcaption { break-after: avoid; }
  figure, tr { break-inside: avoid; }
}
"""

_WS = re.compile(r"\s+")


def title_blocks(document: Document) -> list[Block]:
    """The cover lines that form the title: those printed in the largest
    size (the editor and reviewer lines below are smaller); when sizes are
    unknown, the bold lines; else the first line."""
    cover = document.blocks_of(BlockKind.COVER)
    sizes = {id(b): max((r.size for r in b.runs), default=0.0) for b in cover}
    largest = max(sizes.values(), default=0.0)
    if largest > 0:
        return [b for b in cover if sizes[id(b)] >= largest - 0.5]
    bold = [b for b in cover if b.runs and all(r.bold for r in b.runs if r.text.strip())]
    return bold or cover[:1]


def document_title(document: Document) -> str:
    """The document's title as one line: the cover's title lines joined by
    a space, or the PDF's own title, or the document id."""
    lines = [b.text.strip() for b in title_blocks(document) if b.text.strip()]
    return " ".join(lines) or document.source.title or document.doc_id


def inline_html(runs: list[Run]) -> str:
    """Escaped runs, bold ones as ``<strong>``; neighbouring bold runs (a
    font change inside bold text) share one element."""
    out: list[str] = []
    bold_open = False
    for run in runs:
        bold = run.bold and bool(run.text.strip())
        if bold != bold_open:
            out.append("<strong>" if bold else "</strong>")
            bold_open = bold
        out.append(html.escape(run.text))
    if bold_open:
        out.append("</strong>")
    return "".join(out).strip().replace("\n", "<br>")


def _key(text: str) -> str:
    return _WS.sub("", text)


def _anchors(document: Document) -> tuple[dict[int, str], dict[int, str]]:
    """Ids for headings and captions, and for each toc entry the id of the
    heading or caption it names: the next one after the previous match whose
    text is the same (whitespace aside), as the 目录 lists them in order."""
    targets = [
        (i, b) for i, b in enumerate(document.blocks) if b.kind in (BlockKind.HEADING, BlockKind.CAPTION)
    ]
    ids = {i: f"s{n + 1}" for n, (i, _) in enumerate(targets)}
    links: dict[int, str] = {}
    start = 0
    for i, block in enumerate(document.blocks):
        if block.kind is not BlockKind.TOC_ENTRY:
            continue
        key = _key(block.text)
        for n in range(start, len(targets)):
            if _key(targets[n][1].text) == key:
                links[i] = ids[targets[n][0]]
                start = n + 1
                break
    return ids, links


def _toc_entry(block: Block, href: str | None) -> str:
    level = min(max(block.level or 1, 1), 6)
    text = html.escape(block.text.strip())
    if href:
        text = f'<a href="#{href}">{text}</a>'
    page = html.escape(block.page_label or "")
    leader = '<span class="leader"></span>'
    return f'<li class="level-{level}">{text}{leader}<span class="page">{page}</span></li>'


def _cover(blocks: list[Block], titles: set[int]) -> str:
    title = ' class="cover-title"'
    lines = [f"<p{title if id(b) in titles else ''}>{inline_html(b.runs)}</p>" for b in blocks]
    return '<header class="cover">\n' + "\n".join(lines) + "\n</header>"


def _nav(items: list[tuple[int, Block]], links: dict[int, str]) -> str:
    out = ['<nav aria-label="目录">']
    titles = [b for _, b in items if b.kind is BlockKind.TOC_TITLE]
    out += [f'<p class="toc-title">{html.escape(b.text.strip())}</p>' for b in titles]
    out.append("<ol>")
    out += [_toc_entry(b, links.get(i)) for i, b in items if b.kind is BlockKind.TOC_ENTRY]
    out.append("</ol>\n</nav>")
    return "\n".join(out)


def _body(document: Document) -> list[str]:
    ids, links = _anchors(document)
    titles = {id(b) for b in title_blocks(document)}
    blocks = document.blocks
    captions = {
        b.table_id: (i, b) for i, b in enumerate(blocks) if b.kind is BlockKind.CAPTION and b.table_id
    }
    placed = {b.table_id for b in blocks if b.kind is BlockKind.TABLE}
    out: list[str] = []
    for i, group in block_groups(blocks):
        block = group[0]
        if block.kind is BlockKind.COVER:
            out.append(_cover(group, titles))
            continue
        if block.kind in (BlockKind.TOC_TITLE, BlockKind.TOC_ENTRY):
            out.append(_nav(list(enumerate(group, start=i)), links))
            continue
        if block.kind is BlockKind.HEADING:
            level = min(max(block.level or 1, 1), 6)
            out.append(f'<h{level} id="{ids[i]}">{html.escape(block.text.strip())}</h{level}>')
        elif block.kind is BlockKind.CAPTION and block.table_id not in placed:
            out.append(f'<p class="caption" id="{ids[i]}">{inline_html(block.runs)}</p>')
        elif block.kind is BlockKind.TABLE:
            out.append(_figure(document, block, captions.get(block.table_id or ""), ids))
        elif block.kind is BlockKind.PARAGRAPH:
            out.append(f"<p>{inline_html(block.runs)}</p>")
        # a caption whose table is in the body is written as that table's figcaption
    return out


def _figure(document: Document, block: Block, caption: tuple[int, Block] | None, ids: dict[int, str]) -> str:
    table = document.table(block.table_id or "")
    if caption is None:
        return f"<figure>\n{table.to_html()}\n</figure>"
    i, cap = caption
    return (
        f'<figure id="{ids[i]}">\n<figcaption>{html.escape(cap.text.strip())}</figcaption>\n'
        f"{table.to_html()}\n</figure>"
    )


def render_html(document: Document) -> str:
    """The document as one standalone HTML5 page (UTF-8)."""
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(document_title(document))}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<main>"
    )
    return head + "\n" + "\n".join(_body(document)) + "\n</main>\n</body>\n</html>\n"
