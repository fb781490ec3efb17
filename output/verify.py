"""Does a rebuilt document say what its source says — in its words and in its tables' shape?

**Text.** Both texts are compared with all whitespace removed: line breaks,
the page-break splits of the published text and the spacing a PDF producer
puts around Latin runs are layout, not content. The similarity is the
normalised Indel similarity (rapidfuzz); the differences are reported as the
first few edit spans with some context on each side.

**Structure.** Removing whitespace also removes the TABs between a table's
fields, and a merged cell's span is not text at all: a cell cut from six
columns to one reads the same. So the tables are checked separately:

* every table's grid must be a grid: each position covered by exactly one
  cell and no cell reaching past the table's edge (a span cut short leaves
  a position nothing covers; a span made longer covers one twice);
* against a source **document model** (a PDF read again, or a layout JSON)
  every table's exact cell list — position, rowspan, colspan and text with
  whitespace removed — must be the same;
* against a source **text** in the format of ``truth/text.txt`` (one line
  per grid row, fields joined by TAB, a covered position an empty field) the
  TAB-separated lines must have the same fields in the same order.

The first structural difference names the table, row and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz.distance import Indel, Levenshtein

from jixiao.model import Cell, Document, Table

from .render_text import text_chunks

_WS = re.compile(r"\s+")
_CONTEXT = 20
#: Differences of each kind printed before "... N more".
REPORT_LIMIT = 5


def squash(text: str) -> str:
    return _WS.sub("", text)


@dataclass(frozen=True)
class Difference:
    offset: int  # position in the whitespace-free source
    source: str  # the source's text around the difference
    rebuilt: str  # the rebuild's text around it


@dataclass(frozen=True)
class Verification:
    similarity: float
    differences: list[Difference]
    source_chars: int
    rebuilt_chars: int

    @property
    def identical(self) -> bool:
        return not self.differences

    def report(self, limit: int = REPORT_LIMIT) -> str:
        lines = [
            (f"similarity {self.similarity:.6f} ({self.source_chars} source chars, {self.rebuilt_chars} rebuilt "
             "chars, whitespace removed)")
        ]
        if self.identical:
            lines.append("identical after whitespace removal")
        for d in self.differences[:limit]:
            lines += [f"@@ char {d.offset} @@", f"- {d.source}", f"+ {d.rebuilt}"]
        if len(self.differences) > limit:
            lines.append(f"... {len(self.differences) - limit} more differences")
        return "\n".join(lines)


def verify_text(rebuilt: str, source: str) -> Verification:
    """Compare two texts with whitespace removed; ``**`` bold markers count,
    so a bold run lost in the rebuild is a difference."""
    a, b = squash(source), squash(rebuilt)
    differences = []
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        differences.append(
            Difference(
                offset=op.src_start,
                source=_window(a, op.src_start, op.src_end),
                rebuilt=_window(b, op.dest_start, op.dest_end),
            )
        )
    return Verification(
        similarity=Indel.normalized_similarity(a, b),
        differences=differences,
        source_chars=len(a),
        rebuilt_chars=len(b),
    )


def _window(text: str, start: int, end: int) -> str:
    left = text[max(0, start - _CONTEXT) : start]
    right = text[end : end + _CONTEXT]
    return f"…{left}[{text[start:end]}]{right}…"


# --- structure --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellDifference:
    """One place where the tables differ: ``where`` names the table and the
    cell (``t3 row 5 col 2``), ``source`` and ``dataset`` say what each has."""

    where: str
    source: str
    dataset: str


@dataclass(frozen=True)
class StructureCheck:
    against: str  # what the tables were compared with
    tables: int
    cells: int
    differences: list[CellDifference]

    @property
    def identical(self) -> bool:
        return not self.differences

    def report(self, limit: int = REPORT_LIMIT) -> str:
        """The first difference, then up to ``limit`` more: the first of
        each table before any table's second, so one broken table does not
        hide another."""
        lines = [f"structure: {self.tables} tables, {self.cells} cells checked against {self.against}"]
        if self.identical:
            lines.append("tables identical (cells, spans and grid)")
            return "\n".join(lines)
        lines.append(f"first differing cell: {self.differences[0].where}")
        firsts = list({_table_of(d.where): d for d in reversed(self.differences)}.values())[::-1]
        shown = (firsts + [d for d in self.differences if d not in firsts])[:limit]
        for d in sorted(shown, key=self.differences.index):
            lines += [f"@@ {d.where} @@", f"- source:  {d.source}", f"+ dataset: {d.dataset}"]
        if len(self.differences) > limit:
            lines.append(f"... {len(self.differences) - limit} more structural differences")
        return "\n".join(lines)


def _table_of(where: str) -> str:
    """``table t3`` of ``table t3 row 5 col 2`` (or the whole label)."""
    return " ".join(where.split()[:2])


def _describe(cell: Cell | None) -> str:
    if cell is None:
        return "no cell"
    return f"rowspan {cell.rowspan} colspan {cell.colspan} {squash(cell.text)!r}"


def _at(table_id: str, row: int, col: int) -> str:
    return f"table {table_id} row {row} col {col}"


def grid_problems(table: Table) -> list[CellDifference]:
    """Positions of ``table`` no cell covers or two cells cover, and cells
    reaching past the table's edge, in row-major order. A printed table is
    a grid, so each is a defect of the dataset whatever the source."""
    owners: dict[tuple[int, int], list[Cell]] = {}
    problems: list[CellDifference] = []
    for cell in table.cells:
        if cell.row + cell.rowspan > table.n_rows or cell.col + cell.colspan > table.n_cols:
            problems.append(CellDifference(
                _at(table.id, cell.row, cell.col), f"a grid of {table.n_rows} rows × {table.n_cols} columns",
                f"{_describe(cell)} reaches past it"))
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owners.setdefault((r, c), []).append(cell)
    for r in range(table.n_rows):
        for c in range(table.n_cols):
            cells = owners.get((r, c), [])
            if not cells:
                problems.append(CellDifference(
                    _at(table.id, r, c), "every grid position covered by one cell",
                    f"no cell covers this position ({_neighbours(owners, r, c)})"))
            elif len(cells) > 1:
                starts = ", ".join(f"({x.row}, {x.col}) {_describe(x)}" for x in cells)
                problems.append(CellDifference(
                    _at(table.id, r, c), "every grid position covered by one cell", f"covered by {starts}"))
    return problems


def _neighbours(owners: dict[tuple[int, int], list[Cell]], row: int, col: int) -> str:
    """The cells left of and above an uncovered position: the one whose
    span was cut short is usually one of them."""
    out = []
    for label, positions in (("left", [(row, c) for c in range(col - 1, -1, -1)]),
                             ("above", [(r, col) for r in range(row - 1, -1, -1)])):
        cell = next((owners[p][0] for p in positions if owners.get(p)), None)
        if cell is not None:
            out.append(f"{label}: the cell at row {cell.row} col {cell.col}, {_describe(cell)}")
    return "; ".join(out) or "a span cut short?"


def compare_tables(source: Document, dataset: Document, *, text: bool = True) -> StructureCheck:
    """Every table of ``dataset`` against the same table of ``source`` (in
    document order): size, then each cell's span and (with ``text``) its
    text; plus the grid check of every dataset table. Without ``text`` only
    the layout counts: a cell whose text differs is the text comparison's
    business (e.g. when it tolerates OCR errors)."""
    differences: list[CellDifference] = []
    cells = 0
    if len(source.tables) != len(dataset.tables):
        differences.append(CellDifference(
            "tables", f"{len(source.tables)} tables ({_ids(source)})", f"{len(dataset.tables)} tables ({_ids(dataset)})"))
    for theirs, ours in zip(source.tables, dataset.tables):
        if (theirs.n_rows, theirs.n_cols) != (ours.n_rows, ours.n_cols):
            differences.append(CellDifference(
                f"table {ours.id}", f"{theirs.n_rows} rows × {theirs.n_cols} columns",
                f"{ours.n_rows} rows × {ours.n_cols} columns"))
        a = {(c.row, c.col): c for c in theirs.cells}
        b = {(c.row, c.col): c for c in ours.cells}
        cells += len(a)
        for row, col in sorted(a.keys() | b.keys()):
            x, y = a.get((row, col)), b.get((row, col))
            if x is None or y is None or _cell_key(x, text) != _cell_key(y, text):
                differences.append(CellDifference(_at(ours.id, row, col), _describe(x), _describe(y)))
        differences += grid_problems(ours)
    for ours in dataset.tables[len(source.tables):]:
        differences += grid_problems(ours)
    return StructureCheck("the source document's tables", len(dataset.tables), cells, differences)


def _cell_key(cell: Cell, text: bool) -> tuple[int, int, str | bool]:
    return cell.rowspan, cell.colspan, squash(cell.text) if text else bool(squash(cell.text))


def _ids(document: Document) -> str:
    return ", ".join(t.id for t in document.tables) or "none"


def compare_table_lines(dataset: Document, source_text: str, *, text: bool = True) -> StructureCheck:
    """The dataset's tables against a source text: the grid check, then the
    TAB-separated lines of both texts, field by field (whitespace removed
    inside a field; without ``text`` only whether each field is filled).
    Lines without a TAB (paragraphs, one-column rows) are left to the text
    comparison; a toc entry (``text<TAB>page``) is compared like a table
    row."""
    ours = list(_tab_lines(dataset))
    theirs = [line.split("\t") for line in source_text.splitlines() if "\t" in line]
    differences = [problem for table in dataset.tables for problem in grid_problems(table)]
    for i in range(max(len(ours), len(theirs))):
        if i >= len(theirs):
            label, fields = ours[i]
            differences.append(CellDifference(label, "no more TAB-separated lines", "\t".join(fields)))
            continue
        if i >= len(ours):
            differences.append(CellDifference(f"TAB line {i + 1} of the source", "\t".join(theirs[i]),
                                              "no more table rows"))
            continue
        label, fields = ours[i]
        source_fields = [squash(f) for f in theirs[i]]
        fields = [squash(f) for f in fields]
        a, b = ([f if text else bool(f) for f in row] for row in (source_fields, fields))
        if a == b:
            continue
        col = next((c for c, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        differences.append(CellDifference(
            f"{label} col {col}",
            f"{len(source_fields)} fields, field {col} {_field(source_fields, col)!r}",
            f"{len(fields)} fields, field {col} {_field(fields, col)!r}"))
    return StructureCheck("the source text's TAB-separated lines", len(dataset.tables),
                          sum(len(t.cells) for t in dataset.tables), differences)


def _field(fields: list[str], col: int) -> str:
    return fields[col] if col < len(fields) else "(none)"


def _tab_lines(document: Document) -> Iterator[tuple[str, list[str]]]:
    """The rebuilt text's TAB-separated lines with what each is: a table's
    grid row or a toc entry."""
    for table, lines in text_chunks(document):
        for r, line in enumerate(lines):
            if "\t" in line:
                yield (f"table {table.id} row {r}" if table is not None else f"line {line.split(chr(9))[0]!r}",
                       line.split("\t"))
