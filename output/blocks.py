"""Blocks as renderers meet them: runs of blocks that belong together.

Every renderer shows the cover lines as one block of lines and the table of
contents (its 目录 title and its entries) as one list, and everything else
block by block; :func:`block_groups` does that grouping once for all.
"""

from __future__ import annotations

from collections.abc import Iterator

from jixiao.model import Block, BlockKind


def block_groups(blocks: list[Block]) -> Iterator[tuple[int, list[Block]]]:
    """(index of the first block, the blocks) for: consecutive cover lines;
    a 目录 title with the entries after it (or entries alone); any other
    single block."""
    i = 0
    while i < len(blocks):
        kind = blocks[i].kind
        j = i + 1
        if kind is BlockKind.COVER:
            while j < len(blocks) and blocks[j].kind is BlockKind.COVER:
                j += 1
        elif kind in (BlockKind.TOC_TITLE, BlockKind.TOC_ENTRY):
            while j < len(blocks) and blocks[j].kind is BlockKind.TOC_ENTRY:
                j += 1
        yield i, blocks[i:j]
        i = j
