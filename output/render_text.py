"""Document → plain text in the style of the published source text.

One block per paragraph, blocks separated by a blank line; cover lines and
table-of-contents entries (``text<TAB>page``) one per line in their group;
bold runs as ``**…**``; a table as its caption, a blank line, then one line
per grid row with fields joined by TAB and a position covered by a merged
cell left empty. This is the format of the fixtures' ``truth/text.txt``.
"""

from __future__ import annotations

from collections.abc import Iterator

from jixiao.model import Block, BlockKind, Document, Run, Table

from .blocks import block_groups


def runs_markup(runs: list[Run]) -> str:
    """Runs with bold ones wrapped in ``**``; whitespace stays outside the
    markers so ``**六是**`` never becomes ``** 六是**``."""
    out = []
    for run in runs:
        if run.bold and run.text.strip():
            lead = run.text[: len(run.text) - len(run.text.lstrip())]
            trail = run.text[len(run.text.rstrip()) :]
            out.append(f"{lead}**{run.text.strip()}**{trail}")
        else:
            out.append(run.text)
    return "".join(out).replace("****", "")


def _block_text(block: Block) -> str:
    if block.kind is BlockKind.TOC_ENTRY:
        return f"{block.text}\t{block.page_label or ''}"
    if block.kind is BlockKind.PARAGRAPH:
        return runs_markup(block.runs).strip()
    return block.text.strip()


def table_rows(table: Table) -> list[str]:
    """One TAB-joined line per grid row; covered positions are empty."""
    lines = []
    for r, row in enumerate(table.grid()):
        fields = []
        for c, cell in enumerate(row):
            starts_here = cell is not None and cell.row == r and cell.col == c
            fields.append(cell.text.replace("\n", "") if starts_here else "")
        lines.append("\t".join(fields))
    return lines


def text_chunks(document: Document) -> Iterator[tuple[Table | None, list[str]]]:
    """The text's chunks in order, each a list of lines, with the table a
    chunk shows (None for other blocks): ``verify`` compares a table's lines
    field by field and needs to know which grid row a line is."""
    for _, group in block_groups(document.blocks):
        first = group[0]
        if first.kind is BlockKind.TABLE:
            table = document.table(first.table_id or "")
            yield table, table_rows(table)
            continue
        if first.kind is BlockKind.TOC_TITLE:
            yield None, [_block_text(first)]
            group = group[1:]
        if group:
            yield None, [_block_text(block) for block in group]


def render_text(document: Document) -> str:
    return "\n\n".join("\n".join(lines) for _, lines in text_chunks(document)) + "\n"
