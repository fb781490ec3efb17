"""Lines and tables of all pages → the document's blocks in reading order.

Layout decisions are made from the document's own measurements: the body
font size (the commonest), the left edge of body text and the right edge a
full line reaches. With those:

* page 1 of a multi-page document without a table is the cover;
* a page titled 目录 holds table-of-contents entries (text, dot leaders,
  printed page label), their level read from their indentation;
* consecutive lines form a paragraph until a line is indented (first-line
  indent), the previous line stopped short of the right edge although the
  next word would have fitted, or the style or spacing changes. A paragraph
  whose last line on a page is full continues on the next page;
* an all-bold short paragraph is a heading, its level its depth in the
  numbering (第一部分 above 一、 above （一） above 1. above （1）: a document
  starting at 一、 has it at level 1), or from its size when unnumbered; a short centred or bold line right above a table is
  that table's caption.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace

from jixiao.model import BBox, Block, BlockKind, Run

from .page_layout import PageLayout
from .textlines import TextLine, join_lines, merge_runs

#: Heading numbering styles, outermost first (their rank is their index).
_NUMBERING_STYLES = [
    re.compile(r"^第[一二三四五六七八九十百零〇\d]+部分"),
    re.compile(r"^[一二三四五六七八九十百零〇]+、"),
    re.compile(r"^[（(][一二三四五六七八九十百零〇]+[）)]"),
    re.compile(r"^\d{1,2}[、.．](?!\d)"),
    re.compile(r"^[（(]\d{1,2}[）)]"),
]
_TOC_TITLE = re.compile(r"^目\s*录$|^contents$", re.IGNORECASE)
_TOC_ENTRY = re.compile(r"^(?P<text>.*?\S)\s*(?P<leader>[.·…．•‧_。\-\s]*?)\s*(?P<label>\d{1,4}|[ivxlcdmIVXLCDM]{1,7})$")
_LEADER_CHARS = set(".·…．•‧_。")
_CAPTION_TEXT = re.compile(r"^(表|图|附表)\s*[\d一二三四五六七八九十]|表$")
#: A page label this many ems or more after its entry's text is set flush
#: right after a leader.
_LEADER_EMS = 2.0
_MAX_HEADING_CHARS = 60
_MAX_CAPTION_CHARS = 50
_MAX_COVER_LINES = 15
#: Lines of one paragraph are at most this much further apart than the
#: document's usual gap between body lines; spaced paragraphs are further.
_GAP_SLACK = 1.25


@dataclass
class TableMark:
    """A table (first part) or a table continuation in the item stream."""

    table_id: str
    page: int
    bbox: BBox
    first_part: bool


@dataclass
class _Toc:
    title: TextLine
    entries: list[tuple[list[TextLine], str]]  # the entry's lines, its printed page label

    def line_ids(self) -> set[int]:
        return {id(self.title)} | {id(line) for lines, _ in self.entries for line in lines}


@dataclass
class _Metrics:
    body_size: float
    body_left: float
    right_edge: float
    line_gap: float

    def is_tight(self, prev: TextLine, line: TextLine) -> bool:
        """Are the two lines set at the document's usual line spacing?"""
        scale = max(prev.size, line.size) / self.body_size
        return line.top - prev.bottom <= _GAP_SLACK * self.line_gap * scale + 1.0

    def is_full(self, line: TextLine, next_line: TextLine) -> bool:
        """Would the next line's first token have overflowed this line?"""
        return line.x1 + next_line.first_token_width() > self.right_edge - 0.25 * line.size

    def is_indented(self, line: TextLine) -> bool:
        return line.x0 > self.body_left + 0.8 * line.size

    def is_centered(self, line: TextLine) -> bool:
        left = line.x0 - self.body_left
        right = self.right_edge - line.x1
        return left > line.size and abs(left - right) < 2 * line.size


def _metrics(layouts: list[PageLayout]) -> _Metrics:
    lines = [line for layout in layouts for line in layout.lines]
    if not lines:
        return _Metrics(12.0, 0.0, 0.0, 12.0)
    weight: Counter[float] = Counter()
    for line in lines:
        weight[round(line.size, 1)] += sum(ch.isalnum() for ch in line.text)  # not dot leaders
    body_size = weight.most_common(1)[0][0]
    body = [line for line in lines if abs(line.size - body_size) < 0.5] or lines
    lefts = Counter(round(line.x0) for line in body)
    body_left = float(min(lefts.most_common(3), key=lambda kv: kv[0])[0]) if lefts else 0.0
    long_lines = sorted(line.x1 for line in body if len(line.text) >= 10) or sorted(line.x1 for line in body)
    right_edge = long_lines[int(0.9 * (len(long_lines) - 1))]
    gaps: Counter[float] = Counter(
        round(b.top - a.bottom)
        for layout in layouts
        for a, b in zip(layout.lines, layout.lines[1:])
        if abs(a.size - body_size) < 0.5 and abs(b.size - body_size) < 0.5 and 0 < b.top - a.bottom < 2 * body_size
    )
    line_gap = float(gaps.most_common(1)[0][0]) if gaps else 0.75 * body_size
    return _Metrics(body_size=body_size, body_left=body_left, right_edge=right_edge, line_gap=line_gap)


def _numbering_rank(text: str) -> int | None:
    """Rank of a heading's numbering style (0 第X部分, 1 一、, 2 （一）, 3 1.,
    4 （1）), None when it is not numbered."""
    stripped = text.strip()
    return next((rank for rank, pattern in enumerate(_NUMBERING_STYLES) if pattern.match(stripped)), None)


class _HeadingLevels:
    """Heading levels as nesting: a numbered heading sits one level below
    the nearest heading before it with a higher-ranked numbering style, so a
    document that starts at 一、 has 一、 at level 1 and （一） at 2, and one
    with 第X部分 above them has them at 2 and 3. An unnumbered heading is
    level 1 when set large, else 2, and counts as the style of that level."""

    def __init__(self, metrics: _Metrics) -> None:
        self.metrics = metrics
        self.stack: list[tuple[int, int]] = []  # (numbering rank, level)

    def level(self, text: str, size: float) -> int:
        rank = _numbering_rank(text)
        if rank is None:
            level = 1 if size >= 1.25 * self.metrics.body_size else 2
            self.stack = [entry for entry in self.stack if entry[1] < level]
            self.stack.append((level - 1, level))
            return level
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        level = self.stack[-1][1] + 1 if self.stack else 1
        self.stack.append((rank, level))
        return level


def _bbox(lines: list[TextLine]) -> BBox:
    page = lines[0].page
    on_page = [line for line in lines if line.page == page]
    return BBox.rounded(
        min(line.x0 for line in on_page),
        min(line.top for line in on_page),
        max(line.x1 for line in on_page),
        max(line.bottom for line in on_page),
    )


def _block(kind: BlockKind, lines: list[TextLine], runs: list[Run] | None = None, **extra) -> Block:
    page_end = lines[-1].page
    confidences = [line.confidence for line in lines if line.confidence is not None]
    return Block(
        kind=kind,
        runs=runs if runs is not None else join_lines(lines),
        page=lines[0].page,
        page_end=page_end if page_end != lines[0].page else None,
        bbox=_bbox(lines),
        confidence=min(confidences) if confidences else None,
        **extra,
    )


class _Reader:
    def __init__(self, layouts: list[PageLayout], marks: dict[int, list[TableMark]]):
        self.layouts = layouts
        self.metrics = _metrics(layouts)
        self.stream: list[TextLine | TableMark] = []
        for layout in layouts:
            items: list[tuple[float, int, TextLine | TableMark]] = [(line.top, 1, line) for line in layout.lines]
            items += [(m.bbox.top, 0, m) for m in marks.get(layout.page.number, [])]
            self.stream.extend(item for _, _, item in sorted(items, key=lambda t: (t[0], t[1])))
        self.blocks: list[Block] = []
        self.headings = _HeadingLevels(self.metrics)

    # -- cover and table of contents -------------------------------------
    def _cover(self) -> set[int]:
        first = self.layouts[0]
        if len(self.layouts) < 2 or first.tables or not first.lines or len(first.lines) > _MAX_COVER_LINES:
            return set()
        lines = first.lines
        group = [lines[0]]
        for prev, line in itertools.pairwise(lines):
            if abs(prev.size - line.size) < 0.5 and self.metrics.is_tight(prev, line) and self.metrics.is_full(prev, line):
                group.append(line)
                continue
            self.blocks.append(_block(BlockKind.COVER, group))
            group = [line]
        self.blocks.append(_block(BlockKind.COVER, group))
        return {id(line) for line in lines}

    def _find_toc(self, cover: set[int]) -> _Toc | None:
        """The line titled 目录 and the entries after it: on its page, and on
        following pages while lines keep reading as entries. An entry too
        long for one line is its lines up to the one with the page label."""
        lines = [item for item in self.stream if isinstance(item, TextLine) and id(item) not in cover]
        start = next((i for i, line in enumerate(lines) if _TOC_TITLE.match(line.text.replace(" ", ""))), None)
        if start is None:
            return None
        title = lines[start]
        entries: list[tuple[list[TextLine], str]] = []
        pending: list[TextLine] = []
        for line in lines[start + 1 :]:
            label = self._toc_label(line)
            if label is None:
                if line.page != title.page and not pending:
                    break  # the TOC ended with the previous page
                pending.append(line)
                if len(pending) > 2:
                    break
                continue
            entries.append((pending + [line], label))
            pending = []
        return _Toc(title, entries) if entries else None

    def _toc_label(self, line: TextLine) -> str | None:
        m = _TOC_ENTRY.match(line.text.strip())
        if not m:
            return None
        leader = m.group("leader")
        has_dots = sum(ch in _LEADER_CHARS for ch in leader) >= 3
        at_right = line.x1 >= self.metrics.right_edge - 2 * line.size and _leader_gap(line, m.group("label"))
        return m.group("label") if has_dots or at_right else None

    def _toc_blocks(self, toc: _Toc) -> list[Block]:
        title, entries = toc.title, toc.entries
        blocks = [_block(BlockKind.TOC_TITLE, [title])]
        indents = sorted({round(lines[0].x0) for lines, _ in entries})
        levels: dict[int, int] = {}
        for x in indents:
            near = next((lvl for known, lvl in levels.items() if abs(known - x) <= 4), None)
            levels[x] = near if near is not None else len(set(levels.values())) + 1
        for lines, label in entries:
            runs = join_lines(lines)
            text = "".join(r.text for r in runs)
            m = _TOC_ENTRY.match(text.strip())
            entry_text = m.group("text") if m else text
            blocks.append(
                _block(
                    BlockKind.TOC_ENTRY,
                    lines,
                    runs=_truncate_runs(runs, entry_text),
                    level=levels[round(lines[0].x0)],
                    page_label=label,
                )
            )
        return blocks

    # -- body ------------------------------------------------------------
    def _continues(self, prev: TextLine, line: TextLine) -> bool:
        m = self.metrics
        # an OCR'd line's size is its box height: a noisy estimate
        size_tolerance = 0.5 if prev.confidence is None else 0.2 * prev.size
        if abs(prev.size - line.size) > size_tolerance or prev.bold != line.bold:
            return False
        if m.is_indented(line) or not m.is_full(prev, line):
            return False
        if prev.page != line.page:
            return line.page == prev.page + 1
        return self.metrics.is_tight(prev, line)

    def read(self) -> list[Block]:
        cover = self._cover()
        toc = self._find_toc(cover)
        toc_lines = toc.line_ids() if toc else set()
        items: list[list[TextLine] | TableMark | _Toc] = []
        for item in self.stream:
            if isinstance(item, TableMark):
                items.append(item)
            elif id(item) in cover:
                continue
            elif id(item) in toc_lines:
                if toc is not None and item is toc.title:
                    items.append(toc)
            elif items and isinstance(items[-1], list) and self._continues(items[-1][-1], item):
                items[-1].append(item)
            else:
                items.append([item])
        for i, item in enumerate(items):
            if isinstance(item, _Toc):
                self.blocks.extend(self._toc_blocks(item))
            elif isinstance(item, TableMark):
                if item.first_part:
                    self.blocks.append(Block(kind=BlockKind.TABLE, table_id=item.table_id, page=item.page, bbox=item.bbox))
            else:
                self.blocks.append(self._classify(item, items[i + 1] if i + 1 < len(items) else None))
        return self.blocks

    def _classify(self, lines: list[TextLine], nxt) -> Block:
        runs = join_lines(lines)
        text = "".join(r.text for r in runs).strip()
        first = lines[0]
        centered = self.metrics.is_centered(first)
        if (
            isinstance(nxt, TableMark)
            and nxt.first_part
            and len(lines) == 1
            and len(text) <= _MAX_CAPTION_CHARS
            and (first.bold or centered or _CAPTION_TEXT.search(text))
        ):
            return _block(BlockKind.CAPTION, lines, runs=runs, table_id=nxt.table_id)
        if all(line.bold for line in lines) and len(text) <= _MAX_HEADING_CHARS and len(lines) <= 2:
            return _block(BlockKind.HEADING, lines, runs=runs, level=self.headings.level(text, first.size))
        return _block(BlockKind.PARAGRAPH, lines, runs=runs)


def _leader_gap(line: TextLine, label: str) -> bool:
    """Is the page label set apart from the entry's text by a leader's width
    (spaces, or dots drawn as rules rather than characters)?"""
    ink = [g for g in line.glyphs if not g.text.isspace()]
    n = len(label)
    if len(ink) <= n:
        return False
    return ink[-n].x0 - ink[-n - 1].x1 >= _LEADER_EMS * line.size


def _truncate_runs(runs: list[Run], text: str) -> list[Run]:
    """The leading runs covering ``text`` (drops dot leaders and the label)."""
    out: list[Run] = []
    remaining = len(text)
    for run in runs:
        if remaining <= 0:
            break
        piece = run.text[:remaining]
        out.append(replace(run, text=piece))
        remaining -= len(piece)
    return merge_runs(out)


def read_blocks(layouts: list[PageLayout], marks: dict[int, list[TableMark]]) -> list[Block]:
    """The document's blocks in reading order. ``marks`` gives, per page
    number, where each table part sits."""
    return _Reader(layouts, marks).read()


