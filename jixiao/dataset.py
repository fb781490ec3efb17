"""Read the Parquet dataset: tables as DataFrames, and layout documents back.

``open_dataset(path)`` gives every table (``jixiao.schema.TABLES``) as a
pandas DataFrame with Arrow-backed dtypes, so decimals stay decimals and a
NULL stays ``<NA>`` (numpy dtypes would turn amounts into floats and NULL
integers into NaN floats). The hive partition ``year`` comes back as an int32
column.

``load_document(path, doc_id)`` rebuilds the layout :class:`Document` from the
dataset alone — it is what ``jixiao rebuild`` runs, so every field of the
model has a column, and float32 columns are widened back to the exact float
the extractor wrote (see :func:`_f32`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from jixiao.model import BBox, Block, BlockKind, Cell, Document, Page, Run, SourceInfo, Table, TableFragment
from jixiao.schema import EXTRACTION_NOTE, TABLES, YEAR, document_files, note_from_message

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]
log = logging.getLogger(__name__)
_INT32_MAX = 2**31 - 1


class Dataset:
    """The dataset at ``path``: ``ds["projects"]`` or ``ds.projects`` is a
    DataFrame, ``ds.arrow("projects")`` the ``pyarrow.dataset.Dataset`` for
    filtering or streaming without pandas. Each access reads the files
    afresh; keep the frame in a variable rather than re-reading it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def arrow(self, table: str) -> pads.Dataset:
        """The table as a pyarrow dataset over its files, with the ``year``
        partition column; an empty in-memory dataset when no file exists.

        Only ``year=<int32>`` folders are read: one folder with another name
        (a year a manifest got wrong, written by an older jixiao) would make
        pyarrow fail on the whole table, so it is skipped with a warning."""
        if table not in TABLES:
            raise KeyError(f"no table {table!r}; the dataset has {', '.join(TABLES)}")
        schema = TABLES[table].append(YEAR)
        directory = self.path / table
        files = _partition_files(directory)
        if not files:
            return pads.dataset(schema.empty_table())
        partitioning = pads.partitioning(pa.schema([YEAR]), flavor="hive")
        return pads.dataset(files, schema=schema, format="parquet", partitioning=partitioning,
                            partition_base_dir=str(directory))

    def __getitem__(self, table: str) -> pd.DataFrame:
        import pandas as pd  # here, not at import: the corpus runner reads the dataset without pandas

        return self.arrow(table).to_table().to_pandas(types_mapper=pd.ArrowDtype)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in TABLES:
            return self[name]
        raise AttributeError(name)

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *TABLES]

    def __repr__(self) -> str:
        return f"Dataset({str(self.path)!r})"


def _partition_files(directory: Path) -> list[str]:
    """The Parquet files of a table in partitions whose year an int32 holds."""
    files: list[str] = []
    if not directory.is_dir():
        return files
    for partition in sorted(directory.glob(f"{YEAR.name}=*")):
        value = partition.name.partition("=")[2]
        if not (value.isdigit() and int(value) <= _INT32_MAX):
            log.warning("%s: not a year partition; its files are not read", partition)
            continue
        files += [str(f) for f in sorted(partition.glob("*.parquet"))]
    return files


def open_dataset(path: str | Path) -> Dataset:
    """The dataset written by ``jixiao.output.dataset`` under ``path``."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no dataset directory")
    return Dataset(path)


def load_document(path: str | Path, doc_id: str) -> Document:
    """The layout document ``doc_id`` as it was written, rebuilt from the
    ``documents``, ``pages``, ``blocks``, ``tables``, ``cells`` and ``flags``
    (``EXTRACTION_NOTE`` rows → diagnostics) files of that document.

    Raises KeyError when the dataset does not hold the document, ValueError
    when its processing failed (there is no layout to rebuild). A ``partial``
    document is rebuilt with the pages that were read."""
    root = Path(path)
    if not document_files(root, "documents", doc_id):
        raise KeyError(f"{doc_id}: no such document in {root}")
    (doc,) = _doc_rows(root, "documents", doc_id)
    if doc["status"] == "failed":
        raise ValueError(f"{doc_id}: processing failed ({doc['error_code']}: {doc['error']}); nothing to rebuild")
    cells: dict[str, list[Cell]] = {}
    for row in _doc_rows(root, "cells", doc_id):
        cells.setdefault(row["table_id"], []).append(_cell(row))
    return Document(
        schema_version=doc["layout_schema_version"],
        doc_id=doc_id,
        source=SourceInfo(
            path=doc["source_path"], sha256=doc["sha256"], size_bytes=doc["size_bytes"],
            producer=doc["producer"], creator=doc["creator"], title=doc["pdf_title"],
        ),
        engine=doc["engine"],
        pages=[_page(row) for row in _doc_rows(root, "pages", doc_id)],
        blocks=[_block(row) for row in sorted(_doc_rows(root, "blocks", doc_id), key=lambda r: r["seq"])],
        tables=[_table(row, cells.get(row["table_id"], [])) for row in _doc_rows(root, "tables", doc_id)],
        diagnostics=[
            note_from_message(row["message"]) for row in _doc_rows(root, "flags", doc_id) if row["code"] == EXTRACTION_NOTE
        ],
    )


def _doc_rows(root: Path, table: str, doc_id: str) -> list[Row]:
    """The document's rows of one table in the order they were written.
    The writer gives every table a file, so a missing one means the dataset
    was damaged: fail rather than rebuild a document with parts missing."""
    files = document_files(root, table, doc_id)
    if len(files) != 1:
        raise FileNotFoundError(f"{doc_id}: expected one file in {root / table}, found {len(files)}")
    return pq.ParquetFile(files[0]).read().to_pylist()


def _f32(value: float) -> float:
    """A float32 column value widened back to the float that was written:
    the shortest decimal that identifies the float32. Exact for any value of
    up to 6 significant digits (coordinates rounded to 1/100 pt, font sizes,
    OCR confidences to 6 places)."""
    return float(str(np.float32(value)))


def _bbox(row: Row) -> BBox:
    return BBox(x0=_f32(row["bbox_x0"]), top=_f32(row["bbox_top"]), x1=_f32(row["bbox_x1"]),
                bottom=_f32(row["bbox_bottom"]))


def _page(row: Row) -> Page:
    return Page(number=row["page"], width=_f32(row["width"]), height=_f32(row["height"]), rotation=row["rotation"],
                label=row["label"], text_layer=row["text_layer"])


def _block(row: Row) -> Block:
    runs = [Run(text=r["text"], bold=r["bold"], font=r["font"], size=_f32(r["size"])) for r in row["runs"]]
    return Block(kind=BlockKind(row["kind"]), runs=runs, level=row["level"], page_label=row["page_label"],
                 table_id=row["table_id"], page=row["page"], page_end=row["page_end"], bbox=_bbox(row),
                 confidence=_confidence(row))


def _confidence(row: Row) -> float | None:
    return None if row["confidence"] is None else _f32(row["confidence"])


def _cell(row: Row) -> Cell:
    return Cell(row=row["row"], col=row["col"], rowspan=row["rowspan"], colspan=row["colspan"], text=row["text"],
                page=row["page"], bbox=_bbox(row), confidence=_confidence(row))


def _table(row: Row, cells: list[Cell]) -> Table:
    fragments = [TableFragment(page=f["page"], bbox=_bbox(f), first_row=f["first_row"], n_rows=f["n_rows"])
                 for f in row["fragments"]]
    return Table(id=row["table_id"], n_rows=row["n_rows"], n_cols=row["n_cols"], cells=cells, fragments=fragments,
                 engine=row["engine"])
