"""Ruled grids: rules → connected drawings → grid lines → cells with spans.

A drawing of touching rules becomes a grid from the union of its rule
positions. Every elementary cell of that grid is joined to its neighbour
when the rule between them is missing, so a merged cell comes out as one
cell with its rowspan and colspan — the same reading a person makes of the
printed rules (and the method the truth files were made with).

A grid drawn without its outer frame (rules across running on past the
outermost rules along) gets its outer cells from where those rules end.

Only real tables come out: a drawing needs at least two rows or two columns
of cells to be a table, so page frames, boxed notes and underlines are not.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from .rules import SNAP_TOLERANCE, Segment, cluster_positions

#: A boundary is drawn when rules cover at least this share of it.
_DRAWN = 0.6
#: Grids smaller than this (pt) in either direction are glyph art, not tables.
_MIN_EXTENT = 8.0


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class RuledLines:
    """Where a table's rules are: column boundaries ``xs`` and row
    boundaries ``ys``, ascending, in points from the page's top-left."""

    xs: list[float]
    ys: list[float]

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


@dataclass
class Grid(RuledLines):
    """One ruled table as drawn on one page."""

    cells: list[GridCell]
    notes: list[str]
    #: no rule drawn along the top / bottom edge (the rules across end
    #: there): a table cut by a page break in the middle of a row, or drawn
    #: without a frame
    open_top: bool = False
    open_bottom: bool = False

    def locate(self, x: float, y: float) -> tuple[int, int] | None:
        """Elementary (row, col) containing the point, or None outside."""
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return None
        col = min(bisect_right(self.xs, x) - 1, self.n_cols - 1)
        row = min(bisect_right(self.ys, y) - 1, self.n_rows - 1)
        return row, col


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _touch(h: Segment, v: Segment) -> bool:
    t = SNAP_TOLERANCE
    return h.start - t <= v.pos <= h.end + t and v.start - t <= h.pos <= v.end + t


def connected_drawings(segments: list[Segment]) -> list[list[Segment]]:
    """Groups of rules that touch each other (a table and nothing else)."""
    hs = [s for s in segments if s.horizontal]
    vs = [s for s in segments if not s.horizontal]
    uf = _UnionFind(len(hs) + len(vs))
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if _touch(h, v):
                uf.union(i, len(hs) + j)
    groups: dict[int, list[Segment]] = {}
    for i, seg in enumerate(hs + vs):
        groups.setdefault(uf.find(i), []).append(seg)
    return [g for g in groups.values() if any(s.horizontal for s in g) and any(not s.horizontal for s in g)]


def is_drawn(segments: list[Segment], pos: float, start: float, end: float) -> bool:
    """Do the rules at ``pos`` cover enough of [start, end] to draw that boundary?"""
    return _coverage(segments, pos, start, end) >= _DRAWN


def _coverage(segments: list[Segment], pos: float, start: float, end: float) -> float:
    """Share of [start, end] at ``pos`` covered by the given rules."""
    length = end - start
    if length <= 0:
        return 1.0
    covered = 0.0
    cursor = start
    for s in sorted(
        (s for s in segments if abs(s.pos - pos) <= SNAP_TOLERANCE and s.end > start and s.start < end),
        key=lambda s: s.start,
    ):
        lo, hi = max(s.start, cursor), min(s.end, end)
        if hi > lo:
            covered += hi - lo
            cursor = hi
    return covered / length


#: A merged region: top row, left column, rowspan, colspan.
Span = tuple[int, int, int, int]


def merged_regions(
    n_rows: int, n_cols: int, open_right: Callable[[int, int], bool], open_down: Callable[[int, int], bool]
) -> tuple[list[Span], list[str]]:
    """Unite elementary cells across the boundaries that are open (no rule)
    and return the merged regions in reading order, with a note for every
    region that is not a rectangle (a rule ends inside the table): such a
    region is split into its horizontal runs, one per row, rather than
    inventing a rectangle that overlaps its neighbours."""
    uf = _UnionFind(n_rows * n_cols)
    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and open_right(r, c):
                uf.union(r * n_cols + c, r * n_cols + c + 1)
            if r + 1 < n_rows and open_down(r, c):
                uf.union(r * n_cols + c, (r + 1) * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(uf.find(r * n_cols + c), []).append((r, c))
    spans: list[Span] = []
    notes: list[str] = []
    for members in groups.values():  # each in row-major order
        rows = [r for r, _ in members]
        cols = [c for _, c in members]
        top, left = min(rows), min(cols)
        rowspan, colspan = max(rows) - top + 1, max(cols) - left + 1
        if len(members) == rowspan * colspan:
            spans.append((top, left, rowspan, colspan))
            continue
        notes.append(f"merged region at rows {top}-{top + rowspan - 1}, cols {left}-{left + colspan - 1} "
                     "is not a rectangle; split by row")
        runs: list[Span] = []
        for r, c in members:
            if runs and runs[-1][0] == r and runs[-1][1] + runs[-1][3] == c:
                runs[-1] = (r, runs[-1][1], 1, runs[-1][3] + 1)
            else:
                runs.append((r, c, 1, 1))
        spans.extend(runs)
    return sorted(spans), notes


def _open_edges(positions: list[float], crossing: list[Segment]) -> list[float]:
    """Outer edges of a grid drawn without an outer frame: when most rules
    across (at least two) run on past the first or last rule along, the
    outer cells end where those rules end."""
    if not positions or len(crossing) < 2:
        return positions
    out = list(positions)
    need = max(2, len(crossing) // 2)
    before = [s.start for s in crossing if s.start < positions[0] - _MIN_EXTENT]
    after = [s.end for s in crossing if s.end > positions[-1] + _MIN_EXTENT]
    if len(before) >= need:
        out.insert(0, min(before))
    if len(after) >= need:
        out.append(max(after))
    return out


def build_grid(drawing: list[Segment]) -> Grid | None:
    """The grid of one drawing, or None when it is not a table."""
    hs = [s for s in drawing if s.horizontal]
    vs = [s for s in drawing if not s.horizontal]
    xs = _open_edges(cluster_positions(s.pos for s in vs), hs)
    drawn_ys = cluster_positions(s.pos for s in hs)
    ys = _open_edges(drawn_ys, vs)
    open_top = bool(drawn_ys) and ys[0] < drawn_ys[0]
    open_bottom = bool(drawn_ys) and ys[-1] > drawn_ys[-1]
    if len(xs) < 2 or len(ys) < 2:
        return None
    if xs[-1] - xs[0] < _MIN_EXTENT or ys[-1] - ys[0] < _MIN_EXTENT:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows * n_cols < 2:
        return None  # a single box: page frame, boxed note, text frame
    spans, notes = merged_regions(
        n_rows,
        n_cols,
        open_right=lambda r, c: not is_drawn(vs, xs[c + 1], ys[r], ys[r + 1]),
        open_down=lambda r, c: not is_drawn(hs, ys[r + 1], xs[c], xs[c + 1]),
    )
    if len(spans) < 2:
        return None
    cells = [GridCell(r, c, rs, cs, xs[c], ys[r], xs[c + cs], ys[r + rs]) for r, c, rs, cs in spans]
    return Grid(xs=xs, ys=ys, cells=cells, notes=notes, open_top=open_top, open_bottom=open_bottom)


def find_grids(segments: list[Segment]) -> list[Grid]:
    """All ruled tables among a page's rules, top to bottom."""
    grids = [g for g in (build_grid(d) for d in connected_drawings(segments)) if g is not None]
    return sorted(grids, key=lambda g: (g.ys[0], g.xs[0]))
