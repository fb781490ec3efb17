"""Document → plain text in the style of the published source text.

One block per paragraph, blocks separated by a blank line; cover lines and
table-of-contents entries (``text<TAB>page``) one per line in their group;
bold runs as ``**…**``; a table as its caption, a blank line, then one line
per grid row with fields joined by TAB and a position covered by a merged
cell left empty. This is the format of the fixtures' ``truth/text.txt``.
"""

from __future__ import annotations

from jixiao.model import Block, BlockKind, Document, Run, Table

_GROUPED = (BlockKind.COVER, BlockKind.TOC_ENTRY)


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


def render_text(document: Document) -> str:
    chunks: list[str] = []
    previous: BlockKind | None = None
    for block in document.blocks:
        if block.kind is BlockKind.TABLE:
            chunks.append("\n".join(table_rows(document.table(block.table_id or ""))))
        elif block.kind in _GROUPED and previous is block.kind:
            chunks[-1] += "\n" + _block_text(block)
        else:
            chunks.append(_block_text(block))
        previous = block.kind
    return "\n\n".join(chunks) + "\n"
