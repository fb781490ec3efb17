"""Document → Markdown (CommonMark with raw HTML, as GitHub renders it).

Headings become ``#`` … ``######`` by their level, paragraphs keep bold runs
as ``**…**``, the 目录 becomes a nested list with each entry's printed page
label, and tables are raw HTML blocks (``Table.to_html()``): a pipe table
cannot express the merged cells every 绩效目标表 has.

Chinese text is written as it is: no space is ever inserted next to CJK
characters. Only characters Markdown would read as syntax are escaped, and a
bold run whose ``**`` could not open or close where it stands (CommonMark's
flanking rules fail next to CJK punctuation, e.g. ``**六是：**完成``) is
written as ``<strong>…</strong>`` instead of being padded with spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from jixiao.model import Block, BlockKind, Document, Run

from .render_html import inline_html
from .render_text import runs_markup

#: Characters that can start inline syntax anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|#])")
#: A line start that would make a list item or thematic break (``#``, ``>``
#: and ``*`` are already escaped as inline specials).
_BLOCK_START = re.compile(r"^(?:[+\-]|\d{1,9}(?=[.)]))")


def _escape(text: str) -> str:
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def _escape_line_start(text: str) -> str:
    """Escape what would turn the start of a line into block syntax; an
    ordered-list number is kept and its ``.``/``)`` escaped instead."""
    m = _BLOCK_START.match(text)
    if not m:
        return text
    at = m.end() if text[0].isdigit() else 0
    return text[:at] + "\\" + text[at:]


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _can_delimit(before: str, inner_first: str, inner_last: str, after: str) -> bool:
    """Would ``**`` open before ``inner_first`` and close after ``inner_last``?
    ``before``/``after`` are the neighbouring characters ("" at a line end)."""
    def space_or_punct(ch: str) -> bool:
        return not ch or ch.isspace() or _is_punctuation(ch)

    opens = not inner_first.isspace() and (not _is_punctuation(inner_first) or space_or_punct(before))
    closes = not inner_last.isspace() and (not _is_punctuation(inner_last) or space_or_punct(after))
    return opens and closes


def _merge_bold(runs: list[Run]) -> list[Run]:
    """Neighbouring runs of the same weight as one run, so delimiters are
    placed (and checked) only where the weight really changes."""
    out: list[Run] = []
    for run in runs:
        if out and out[-1].bold == run.bold:
            out[-1] = replace(out[-1], text=out[-1].text + run.text)
        elif run.text:
            out.append(run)
    return out


def inline_markdown(runs: list[Run]) -> str:
    """Runs as escaped Markdown inline text with bold runs emphasised."""
    runs = [replace(r, text=_escape(r.text)) for r in _merge_bold(runs)]
    prepared: list[Run] = []
    for i, run in enumerate(runs):
        inner = run.text.strip()
        if run.bold and inner:
            lead = run.text[: len(run.text) - len(run.text.lstrip())]
            trail = run.text[len(run.text.rstrip()) :]
            before = lead[-1:] or (runs[i - 1].text[-1:] if i > 0 else "")
            after = trail[:1] or (runs[i + 1].text[:1] if i + 1 < len(runs) else "")
            if not _can_delimit(before, inner[0], inner[-1], after):
                run = Run(text=f"{lead}<strong>{inner}</strong>{trail}")
        prepared.append(run)
    return _escape_line_start(runs_markup(prepared).strip())


def _cover(blocks: list[Block]) -> str:
    """The cover as one centred raw-HTML block (Markdown cannot centre)."""
    lines = "\n".join(f"<p>{inline_html(block.runs)}</p>" for block in blocks)
    return f'<div align="center">\n{lines}\n</div>'


def _toc(entries: list[Block]) -> str:
    """Entries as a nested list. A level may deepen by one step at a time:
    a deeper jump would indent the item far enough to become a lazy
    continuation line of the item above."""
    lines = []
    depth = 0
    for entry in entries:
        depth = min(max(entry.level or 1, 1), depth + 1)
        label = f" …… {entry.page_label}" if entry.page_label else ""
        lines.append("  " * (depth - 1) + f"- {_escape_line_start(_escape(entry.text.strip()))}{label}")
    return "\n".join(lines)


def render_markdown(document: Document) -> str:
    """The document as Markdown: blocks separated by a blank line, in
    reading order."""
    chunks: list[str] = []
    blocks = document.blocks
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind in (BlockKind.COVER, BlockKind.TOC_ENTRY):
            j = i
            while j < len(blocks) and blocks[j].kind is block.kind:
                j += 1
            chunks.append(_cover(blocks[i:j]) if block.kind is BlockKind.COVER else _toc(blocks[i:j]))
            i = j
            continue
        if block.kind is BlockKind.HEADING:
            level = min(max(block.level or 1, 1), 6)
            chunks.append("#" * level + " " + _escape(block.text.strip()))
        elif block.kind is BlockKind.TABLE:
            chunks.append(document.table(block.table_id or "").to_html())
        elif block.kind in (BlockKind.TOC_TITLE, BlockKind.CAPTION):
            chunks.append(inline_markdown([Run(text=block.text.strip(), bold=True)]))
        else:
            chunks.append(inline_markdown(block.runs))
        i += 1
    return "\n\n".join(chunk for chunk in chunks if chunk) + "\n"
