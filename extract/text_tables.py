"""Tables drawn with horizontal rules only (booktabs style: a heavy rule on
top and at the bottom, a lighter one under the header, maybe thin ones
between rows), whose columns show only in how their text lines up.

A stack of horizontal rules that touch no vertical rule and share their
extent bounds a region (at least three rule positions, the top and bottom
ones across the whole width). Inside it:

* rows are the bands between the rules; where a rule is interrupted, the
  cells above and below it are one cell (a merged cell running on);
* columns are the gaps that the text leaves free in (nearly) every band —
  the idea of pdfplumber's text strategy and camelot's stream parser: a
  column boundary is a vertical corridor through the text. A text that runs
  across a corridor in one band (a group header centred over its columns,
  a 合计 over the label columns) makes that cell span those columns.

The result is a :class:`~jixiao.extract.grids.Grid` like a ruled table's, so
its cells are read the same way. A region whose text does not fall into at
least two columns and two rows is prose between rules, not a table; nor is
one whose bands hold several rows set apart (section rules over lists): a
band between two rules must be one row of cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from .glyphs import Glyph
from .grids import Grid, GridCell, is_drawn, merged_regions
from .rules import SNAP_TOLERANCE, Segment, cluster_positions
from .textlines import group_lines

#: Rules of one stack overlap the stack's extent by at least this share of
#: their own length.
_SHARED_EXTENT = 0.5
#: The top and bottom rules span at least this share of the stack's width.
_FULL_WIDTH = 0.9
#: At least this many rule positions bound a rules-only table.
_MIN_RULES = 3
#: Two rules of one table are at most this far apart (pt): a taller band is
#: a page of prose between two separators.
_MAX_BAND = 200.0
#: A gap of at least this many ems inside a printed line separates two
#: cells' texts (a word space is ~0.25 em).
_WORD_GAP_EM = 0.6
#: A column corridor may be crossed by text in at most this share of the
#: bands that hold text (group headers, 合计 rows spanning columns).
_CROSSING_SHARE = 0.25
#: A corridor narrower than this (pt) is a letter gap, not a column gap.
_MIN_CORRIDOR = 2.0
#: Step (pt) of the scan for corridors.
_STEP = 0.5
#: Lines of one cell are at most this share of a line height apart.
_ROW_GAP_SHARE = 0.6
#: A text is centred over columns when its middle is this close (pt, or
#: this share of their width) to theirs.
_CENTRED = 3.0
_CENTRED_SHARE = 0.05


@dataclass
class _Word:
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


def _touches_vertical(h: Segment, verticals: list[Segment]) -> bool:
    t = SNAP_TOLERANCE
    return any(h.start - t <= v.pos <= h.end + t and v.start - t <= h.pos <= v.end + t for v in verticals)


def rule_stacks(segments: list[Segment]) -> list[list[Segment]]:
    """Groups of horizontal rules, touching no vertical rule, that could
    bound one rules-only table, top to bottom."""
    verticals = [s for s in segments if not s.horizontal]
    lone = sorted((s for s in segments if s.horizontal and not _touches_vertical(s, verticals)), key=lambda s: s.pos)
    stacks: list[list[Segment]] = []
    for s in lone:
        for stack in stacks:
            left, right = min(r.start for r in stack), max(r.end for r in stack)
            overlap = min(right, s.end) - max(left, s.start)
            if s.pos - stack[-1].pos <= _MAX_BAND and overlap >= _SHARED_EXTENT * s.length:
                stack.append(s)
                break
        else:
            stacks.append([s])
    return [st for st in stacks if _bounds_a_table(st)]


def _bounds_a_table(stack: list[Segment]) -> bool:
    positions = cluster_positions(s.pos for s in stack)
    if len(positions) < _MIN_RULES:
        return False
    left, right = min(s.start for s in stack), max(s.end for s in stack)
    full = [s for s in stack if s.length >= _FULL_WIDTH * (right - left)]
    return bool(full) and abs(min(s.pos for s in full) - positions[0]) <= SNAP_TOLERANCE and abs(
        max(s.pos for s in full) - positions[-1]
    ) <= SNAP_TOLERANCE


def _words(glyphs: list[Glyph], page: int) -> list[_Word]:
    """Pieces of printed lines separated by a column-sized gap."""
    words: list[_Word] = []
    for line in group_lines(glyphs, page):
        ink = [g for g in line.glyphs if not g.text.isspace()]
        start = ink[0]
        prev = ink[0]
        for g in ink[1:]:
            if g.x0 - prev.x1 >= _WORD_GAP_EM * max(g.size, prev.size):
                words.append(_Word(start.x0, prev.x1, line.top, line.bottom))
                start = g
            prev = g
        words.append(_Word(start.x0, prev.x1, line.top, line.bottom))
    return words


def _band_of(y: float, ys: list[float]) -> int | None:
    for i in range(len(ys) - 1):
        if ys[i] <= y < ys[i + 1]:
            return i
    return None


def _corridors(words: list[_Word], bands: list[int | None], left: float, right: float) -> list[float]:
    """Column boundaries: the x ranges that the text leaves free in all but a
    few of the bands holding text, with text on both sides. Inside such a
    range the boundary goes where the fewest texts cross it (a spanning
    header overhangs part of the range)."""
    text_bands = {b for b in bands if b is not None}
    if not text_bands:
        return []
    allowed = int(_CROSSING_SHARE * len(text_bands))
    n = int((right - left) / _STEP) + 1
    covered: list[set[int]] = [set() for _ in range(n)]
    for w, b in zip(words, bands):
        if b is None:
            continue
        for i in range(max(0, int((w.x0 - left) / _STEP)), min(n, int((w.x1 - left) / _STEP) + 1)):
            covered[i].add(b)
    counts = [len(c) for c in covered]
    busy = [i for i in range(n) if counts[i] > allowed]
    runs = [
        (left + (a + 1) * _STEP, left + (b - 1) * _STEP, a + 1, b)
        for a, b in pairwise(busy)
        if b - a - 1 >= _MIN_CORRIDOR / _STEP
    ]
    # a text crossing a whole corridor spans columns anyway; one reaching
    # into a corridor without crossing any must not be cut
    placed = [
        (w, band)
        for w, band in zip(words, bands)
        if band is not None and not any(w.x0 <= lo_x and w.x1 >= hi_x for lo_x, hi_x, _, _ in runs)
    ]
    out: list[float] = []
    for lo_x, hi_x, start, end in runs:
        cut = [0] * n
        for w, _ in placed:
            if w.x1 > lo_x and w.x0 < hi_x:
                for i in range(max(start, int((w.x0 - left) / _STEP)), min(end, int((w.x1 - left) / _STEP) + 1)):
                    cut[i] += 1
        out.append(left + _STEP * _quietest_middle(cut, start, end))
    return out


def _quietest_middle(counts: list[int], start: int, end: int) -> float:
    """Middle index of the longest run in [start, end) with the fewest
    texts cut."""
    low = min(counts[start:end])
    best: tuple[int, float] = (0, (start + end - 1) / 2)
    run = None
    for i in range(start, end + 1):
        if i < end and counts[i] == low:
            run = i if run is None else run
        elif run is not None:
            if i - run > best[0]:
                best = (i - run, (run + i - 1) / 2)
            run = None
    return best[1]


def _bands_are_rows(words: list[_Word], bands: list[int | None], xs: list[float]) -> bool:
    """Is each band between two rules one row of cells? In every column the
    band's lines follow each other at line spacing (a wrapped cell); lines
    set apart are rows the rules do not separate — section rules over a
    page of lists, which are not a table this reader can make."""
    by_cell: dict[tuple[int, int], list[_Word]] = {}
    for w, b in zip(words, bands):
        if b is not None:
            by_cell.setdefault((b, _column_of((w.x0 + w.x1) / 2, xs)), []).append(w)
    for cell_words in by_cell.values():
        lines = sorted(cell_words, key=lambda w: w.top)
        for prev, nxt in pairwise(lines):
            if nxt.top - prev.bottom > _ROW_GAP_SHARE * (prev.bottom - prev.top):
                return False
    return True


def _column_of(x: float, xs: list[float]) -> int:
    return max(0, min(len(xs) - 2, next((i for i in range(len(xs) - 1) if x < xs[i + 1]), len(xs) - 2)))


def _centred_spans(words: list[_Word], bands: list[int | None], xs: list[float]) -> dict[int, list[tuple[int, int]]]:
    """Per band, column ranges (first, last) that one text is centred over
    although it crosses no boundary: a 合计 set in the middle of three label
    columns whose other cells in that band are empty."""
    out: dict[int, list[tuple[int, int]]] = {}
    for band in {b for b in bands if b is not None}:
        in_band = [w for w, b in zip(words, bands) if b == band]
        used = {_column_of((w.x0 + w.x1) / 2, xs) for w in in_band}
        for w in in_band:
            col = _column_of((w.x0 + w.x1) / 2, xs)
            if sum(_column_of((v.x0 + v.x1) / 2, xs) == col for v in in_band) != 1:
                continue
            centre = (w.x0 + w.x1) / 2

            def off(lo: int, hi: int, centre: float = centre) -> float:
                return abs((xs[lo] + xs[hi + 1]) / 2 - centre)

            best = (off(col, col), col, col)
            lo = col
            while lo - 1 >= 0 and lo - 1 not in used:
                lo -= 1
            hi = col
            while hi + 1 < len(xs) - 1 and hi + 1 not in used:
                hi += 1
            for a in range(lo, col + 1):
                for b in range(col, hi + 1):
                    if (a, b) != (col, col) and off(a, b) < best[0]:
                        best = (off(a, b), a, b)
            _, a, b = best
            if (a, b) != (col, col) and best[0] <= max(_CENTRED, _CENTRED_SHARE * (xs[b + 1] - xs[a])):
                out.setdefault(band, []).append((a, b))
    return out


def text_grid(stack: list[Segment], glyphs: list[Glyph], page: int) -> Grid | None:
    """The grid of a rules-only table bounded by ``stack``, from the glyphs
    inside it; None when its text does not make a table."""
    ys = cluster_positions(s.pos for s in stack)
    left, right = min(s.start for s in stack), max(s.end for s in stack)
    inside = [g for g in glyphs if left <= g.cx <= right and ys[0] <= g.cy <= ys[-1]]
    if not inside:
        return None
    words = _words(inside, page)
    bands = [_band_of(w.cy, ys) for w in words]
    xs = [left, *_corridors(words, bands, left, right), right]
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_cols < 2 or len({b for b in bands if b is not None}) < 2:
        return None

    if not _bands_are_rows(words, bands, xs):
        return None
    centred = _centred_spans(words, bands, xs)

    def crossed(r: int, c: int) -> bool:
        x = xs[c + 1]
        return any(b == r and w.x0 < x < w.x1 for w, b in zip(words, bands)) or any(
            lo <= c < hi for lo, hi in centred.get(r, [])
        )

    spans, notes = merged_regions(
        n_rows,
        n_cols,
        open_right=crossed,
        open_down=lambda r, c: not is_drawn(stack, ys[r + 1], xs[c], xs[c + 1]),
    )
    cells = [GridCell(r, c, rs, cs, xs[c], ys[r], xs[c + cs], ys[r + rs]) for r, c, rs, cs in spans]
    return Grid(xs=xs, ys=ys, cells=cells, notes=notes)
