"""Page furniture: page numbers and running headers/footers are not body text.

A page number ("— 10 —", "- 6 -", "第 3 页", "iv") printed above or below
all other content is removed from the body and kept as the page's label.
A line in the top or bottom band that repeats (digits aside) on several
pages at the same height (within a few points) is a running header or footer
and is dropped.
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


def remove_furniture(layouts: list[PageLayout]) -> None:
    """Strip page numbers (setting ``page.label``) and running headers and
    footers from every page's lines, in place."""
    repeats: Counter[tuple[str, str]] = Counter()
    for layout in layouts:
        seen = set()
        for line in layout.lines:
            band = _in_band(line, layout.page.height)
            if band:
                seen.add((band, _key(line)))
        repeats.update(seen)
    for layout in layouts:
        height = layout.page.height
        drop: set[int] = set()
        for i in _outermost(layout):
            line = layout.lines[i]
            label = _page_number(line)
            if label is not None and _in_band(line, height):
                layout.page.label = label
                drop.add(i)
        if len(layouts) > 1:
            for i, line in enumerate(layout.lines):
                band = _in_band(line, height)
                if band and repeats[(band, _key(line))] >= _MIN_REPEATS and _page_number(line) is None:
                    drop.add(i)
        layout.lines = [line for i, line in enumerate(layout.lines) if i not in drop]
