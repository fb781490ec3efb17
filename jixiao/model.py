"""The document model: the one contract between extract, normalize and output.

A :class:`Document` is what a PDF *says*, in reading order, with provenance:
pages, then blocks (cover lines, table-of-contents entries, headings,
paragraphs, captions, table references), then the tables themselves as grids
of cells with their row/column spans. Every block and cell carries the page it
starts on and its bounding box in PDF points (origin top-left, like
pdfplumber), so any value in the dataset can be traced back to the page.

The model is deliberately flat (docling-core's ``DoclingDocument`` keeps the
body as a list of typed items that point at tables the same way): a table
block only references its :class:`Table` by id, so tables can be stitched,
normalised and written without touching the reading order.

The classes are plain dataclasses: extraction makes tens of thousands of
them per document, and a whole-process command (``jixiao tables``) should
not pay for a validation library it does not use. JSON goes through
pydantic (``TypeAdapter``), imported only when a document is written or
read back, so what is read from a file is validated the same strict way
(unknown fields refused); ``Document.from_json(d.to_json())`` gives back an
equal document.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pandas and pydantic are heavy; only the methods that need them import them
    import pandas as pd
    from pydantic import TypeAdapter

#: Bumped whenever a field is added, removed or changes meaning.
LAYOUT_SCHEMA_VERSION = "1.0"


#: What pydantic reads from a dataclass when it (de)serialises it: a field
#: the model does not have is an error, not silently dropped.
_PYDANTIC_CONFIG = {"extra": "forbid"}

_Class = TypeVar("_Class", bound=type)


def _model(cls: _Class | None = None, *, frozen: bool = False) -> Any:
    """A model class: a dataclass with fields by keyword only (as pydantic
    required) and __slots__ (memory and attribute speed), which pydantic
    reads strictly."""

    def make(cls: _Class) -> _Class:
        cls.__pydantic_config__ = _PYDANTIC_CONFIG
        return dataclass(kw_only=True, slots=True, frozen=frozen)(cls)

    return make if cls is None else make(cls)


@_model(frozen=True)
class BBox:
    """A box in PDF points, origin at the page's top-left corner."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def union(self, other: BBox) -> BBox:
        return BBox(
            x0=min(self.x0, other.x0),
            top=min(self.top, other.top),
            x1=max(self.x1, other.x1),
            bottom=max(self.bottom, other.bottom),
        )

    @staticmethod
    def rounded(x0: float, top: float, x1: float, bottom: float) -> BBox:
        """A box with coordinates rounded to 1/100 pt: enough for provenance,
        and it keeps JSON small and stable across runs. Plain floats, whatever
        the caller computed with (numpy's, on OCR'd pages)."""
        return BBox(x0=round(float(x0), 2), top=round(float(top), 2), x1=round(float(x1), 2),
                    bottom=round(float(bottom), 2))


@_model
class Page:
    number: int  # 1-based page number in the PDF
    width: float
    height: float
    rotation: int = 0
    label: str | None = None  # printed page number (footer/header), e.g. '10'
    #: False when the page's text was not read from a text layer but by OCR:
    #: a scan, or a text layer without usable Unicode (a TEXT_LAYER_UNUSABLE
    #: diagnostic says why).
    text_layer: bool = True


@_model
class Run:
    """A stretch of text in one style. Bold covers real bold fonts, glyphs
    overprinted to fake bold, and text stroked as well as filled."""

    text: str
    bold: bool = False
    font: str = ""
    size: float = 0.0


class BlockKind(str, Enum):
    COVER = "cover"
    TOC_TITLE = "toc_title"
    TOC_ENTRY = "toc_entry"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    CAPTION = "caption"
    TABLE = "table"


@_model
class Block:
    """One item of the body in reading order.

    ``level`` is the heading level (第一部分 → 1, 一、 → 2, （一） → 3) or the
    indentation level of a toc entry. ``page_label`` is the page number a toc
    entry prints. ``table_id`` links a table block, and a caption, to its
    :class:`Table`. A paragraph that runs over a page break is one block with
    ``page_end`` > ``page``.
    """

    kind: BlockKind
    runs: list[Run] = field(default_factory=list)
    level: int | None = None
    page_label: str | None = None
    table_id: str | None = None
    page: int
    page_end: int | None = None
    bbox: BBox
    confidence: float | None = None  # OCR confidence 0..1 (lowest of its lines); None for a text layer

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def last_page(self) -> int:
        return self.page_end if self.page_end is not None else self.page


@_model
class Cell:
    """A grid cell. ``row``/``col`` are where it starts; covered grid
    positions of a merged cell have no Cell of their own (HTML semantics)."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str = ""
    page: int
    bbox: BBox
    confidence: float | None = None  # OCR confidence 0..1; None for a text layer


@_model
class TableFragment:
    """The part of a logical table printed on one page."""

    page: int
    bbox: BBox
    first_row: int
    n_rows: int


@_model
class Table:
    id: str
    n_rows: int
    n_cols: int
    cells: list[Cell]
    fragments: list[TableFragment]
    engine: str = "pdfplumber"

    @property
    def page_start(self) -> int:
        return self.fragments[0].page

    @property
    def page_end(self) -> int:
        return self.fragments[-1].page

    @property
    def bbox(self) -> BBox:
        """The box on the first page."""
        return self.fragments[0].bbox

    def grid(self) -> list[list[Cell | None]]:
        """n_rows × n_cols positions; a covered position holds its spanning
        cell, a position no cell covers holds None."""
        grid: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    grid[r][c] = cell
        return grid

    def rows(self) -> Iterator[list[Cell]]:
        """The cells that start in each row, left to right."""
        by_row: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            by_row[cell.row].append(cell)
        for row in by_row:
            yield sorted(row, key=lambda c: c.col)

    def to_pandas(self) -> pd.DataFrame:
        """The grid as a DataFrame with merged cells expanded: every covered
        position carries the spanning cell's text (camelot's ``copy_text``)."""
        import pandas as pd

        return pd.DataFrame(
            [[cell.text if cell else "" for cell in row] for row in self.grid()], dtype="string"
        )

    def to_html(self) -> str:
        """One ``<table>`` with rowspan/colspan, like truth/tables.html."""
        attrs = f' data-id="{self.id}" data-page-start="{self.page_start}" data-page-end="{self.page_end}"'
        out = [f"<table{attrs}>"]
        for row in self.rows():
            tds = []
            for cell in row:
                span = ""
                if cell.rowspan > 1:
                    span += f' rowspan="{cell.rowspan}"'
                if cell.colspan > 1:
                    span += f' colspan="{cell.colspan}"'
                text = html.escape(cell.text).replace("\n", "<br>")
                tds.append(f"<td{span}>{text}</td>")
            out.append("<tr>" + "".join(tds) + "</tr>")
        out.append("</table>")
        return "\n".join(out)


@_model
class SourceInfo:
    path: str
    sha256: str
    size_bytes: int
    producer: str | None = None
    creator: str | None = None
    title: str | None = None


@_model
class Diagnostic:
    """Something the extractor noticed but could work around (a table-like
    drawing it did not take as a table, a merged region that is not a
    rectangle...). Never silently dropped: they travel with the document."""

    code: str
    page: int | None = None
    message: str


@_model
class Document:
    schema_version: str = LAYOUT_SCHEMA_VERSION
    doc_id: str
    source: SourceInfo
    engine: str
    pages: list[Page]
    blocks: list[Block]
    tables: list[Table]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def table(self, table_id: str) -> Table:
        for table in self.tables:
            if table.id == table_id:
                return table
        raise KeyError(table_id)

    def blocks_of(self, *kinds: BlockKind) -> list[Block]:
        return [b for b in self.blocks if b.kind in kinds]

    def to_json(self, indent: int | None = None) -> str:
        return _adapter(Document).dump_json(self, indent=indent).decode()

    @classmethod
    def from_json(cls, data: str | bytes) -> Document:
        """The document in ``data``, validated: a field of the wrong type or
        one the model does not have raises ``pydantic.ValidationError``."""
        return _adapter(cls).validate_json(data)

    def tables_html(self) -> str:
        return "\n".join(t.to_html() for t in self.tables)


def to_plain(item: Any) -> Any:
    """A model object as JSON-ready data (enums as their values, boxes as
    dicts), through the same serialiser as :meth:`Document.to_json`."""
    return _adapter(type(item)).dump_python(item, mode="json")


@cache
def _adapter(cls: type) -> TypeAdapter:
    """pydantic's (de)serialiser for a model class, built on first use."""
    from pydantic import TypeAdapter

    return TypeAdapter(cls)
