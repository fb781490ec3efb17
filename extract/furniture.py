"""Page furniture: page numbers and running headers/footers are not body text.

A page number ("— 10 —", "- 6 -", "第 3 页", "iv") printed above or below
all other content is removed from the body and kept as the page's label.
A line in the top or bottom band that repeats (digits aside) on several
pages at the same height (within a few points) is a running header or footer
and is dropped — except its first printing when that stands right above a
table: then it is the table's title, which a spreadsheet repeats on the
pages the table goes on to. Title rows repeated above the continuation of a
table are dropped there too when they lie outside the band (printed twice,
read once).
"""

from __future__ import annotations

import re
from collections import Counter

from .page_layout import PageLayout
from .textlines import TextLine

_PAGE_NUMBER = re.compile(
    r"^[\-—–－一~·_\s]*(?:第\s*)?(\d{1,4}|[ivxlcdmIVXLCDM]{1,7})(?:\s*页)?(?:\s*/\s*共?\s*\d+\s*页?)?[\-—–－一~·_\s]*$"
)
#: Share of the page height, from the top and from the bottom, where furniture lives.
_BAND = 0.12
_MIN_REPEATS = 2
#: Lines of a table's title block are at most this many line heights apart.
_TITLE_GAP = 2.0


def _page_number(line: TextLine) -> str | None:
    m = _PAGE_NUMBER.match(line.text.strip())
    return m.group(1) if m else None


def _in_band(line: TextLine, height: float) -> str | None:
    if line.bottom <= height * _BAND:
        return "top"
    if line.top >= height * (1 - _BAND):
        return "bottom"
    return None


def _outermost(layout: PageLayout) -> set[int]:
    """Indexes of the first and last line when they lie outside every table."""
    lines = layout.lines
    if not lines:
        return set()
    tops = [t.ys[0] for t in layout.tables]
    bottoms = [t.ys[-1] for t in layout.tables]
    first = min(range(len(lines)), key=lambda i: lines[i].top)
    last = max(range(len(lines)), key=lambda i: lines[i].bottom)
    out = set()
    if not tops or lines[first].bottom <= min(tops):
        out.add(first)
    if not bottoms or lines[last].top >= max(bottoms):
        out.add(last)
    return out


def _key(line: TextLine) -> str:
    """Text with digits masked, plus the height it is printed at."""
    masked = re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))
    return f"{masked}@{round(line.top / 4)}"


def _title_block(layout: PageLayout, table_top: float) -> list[int]:
    """Indexes of the lines right above a table, top to bottom: going up
    from the table, each within _TITLE_GAP line heights of the one below."""
    above = sorted(
        (i for i, line in enumerate(layout.lines) if line.bottom <= table_top + 1),
        key=lambda i: layout.lines[i].bottom,
        reverse=True,
    )
    block: list[int] = []
    edge = table_top
    for i in above:
        line = layout.lines[i]
        if edge - line.bottom > _TITLE_GAP * (line.bottom - line.top):
            break
        block.append(i)
        edge = line.top
    return block[::-1]


def _first_titles(layouts: list[PageLayout]) -> set[tuple[int, int]]:
    """(page index, line index) of the first printing of each repeated
    top-band line when it stands right above a table: there it is the
    table's title or heading (a spreadsheet repeats it on the pages the
    table goes on to, where it is dropped like a running header)."""
    titles = {(p, i) for p, layout in enumerate(layouts) for t in layout.tables for i in _title_block(layout, t.ys[0])}
    first: dict[str, tuple[int, int]] = {}
    for p, layout in enumerate(layouts):
        for i, line in enumerate(layout.lines):
            if _in_band(line, layout.page.height) == "top":
                first.setdefault(_key(line), (p, i))
    return {pos for pos in first.values() if pos in titles}


def _repeated_title_rows(layouts: list[PageLayout]) -> set[tuple[int, int]]:
    """Title rows a spreadsheet prints again above the continuation of a
    table (Calc "rows to repeat"): the lines above a page's first table
    repeat, same texts at the same heights, the lines above the previous
    page's last table, that table ends its page, and the new part opens
    with the empty stub of a merged cell the break cut (its first cell is
    blank): the same table goes on."""
    out: set[tuple[int, int]] = set()
    for p in range(1, len(layouts)):
        prev, layout = layouts[p - 1], layouts[p]
        if not prev.tables or not layout.tables:
            continue
        last, first = prev.tables[-1], layout.tables[0]
        block = _title_block(layout, first.ys[0])
        prev_block = _title_block(prev, last.ys[0])
        if not block or [_key(layout.lines[i]) for i in block] != [_key(prev.lines[i]) for i in prev_block]:
            continue
        ends_page = not any(line.top >= last.ys[-1] - 1 and not _in_band(line, prev.page.height) for line in prev.lines)
        corner = next((c for c in first.cells if c.row == 0 and c.col == 0), None)
        if ends_page and corner is not None and not corner.text.strip():
            out.update((p, i) for i in block)
    return out


def remove_furniture(layouts: list[PageLayout]) -> None:
    """Strip page numbers (setting ``page.label``), running headers and
    footers, and title rows repeated above a table's continuation from every
    page's lines, in place."""
    titles = _first_titles(layouts)
    repeated_titles = _repeated_title_rows(layouts)
    repeats: Counter[tuple[str, str]] = Counter()
    for layout in layouts:
        seen = set()
        for line in layout.lines:
            band = _in_band(line, layout.page.height)
            if band:
                seen.add((band, _key(line)))
        repeats.update(seen)
    for p, layout in enumerate(layouts):
        height = layout.page.height
        drop: set[int] = {i for q, i in repeated_titles if q == p}
        for i in _outermost(layout):
            line = layout.lines[i]
            label = _page_number(line)
            if label is not None and _in_band(line, height):
                layout.page.label = label
                drop.add(i)
        if len(layouts) > 1:
            for i, line in enumerate(layout.lines):
                band = _in_band(line, height)
                if (
                    band
                    and repeats[(band, _key(line))] >= _MIN_REPEATS
                    and _page_number(line) is None
                    and (p, i) not in titles
                ):
                    drop.add(i)
        layout.lines = [line for i, line in enumerate(layout.lines) if i not in drop]
