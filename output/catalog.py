"""The documents of a dataset as people name them: listing, lookup, the source PDF.

Every review command starts here. ``jixiao list`` shows what a dataset holds,
``--doc`` of ``rebuild``/``verify``/``report`` takes what a person has at hand
(an id prefix, the PDF's file name, the title) and :func:`find_source_pdf`
finds the PDF a document was read from even after the corpus or the dataset
moved, using the provenance columns the runner records.

The ``documents`` table is read defensively: the report and the list must
work on a dataset one bad document has damaged (a partition name that is not
a year a 32-bit column holds, a file that cannot be read), so the fast
pyarrow read falls back to reading file by file, and a file that cannot be
read becomes a row with status ``unreadable`` rather than an exception.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from jixiao.extract.pdf_open import sha256_of
from jixiao.schema import DOCUMENTS, TABLES, YEAR

Row = dict[str, Any]

#: Status of a ``documents`` file that could not be read at all.
UNREADABLE = "unreadable"

_PARTITION = re.compile(r"year=(-?\d+)")


class NotADatasetError(ValueError):
    """The folder holds no jixiao dataset (a usage error: exit code 2)."""


def require_dataset(root: Path) -> Path:
    """``root`` if it is a dataset folder (it has a ``documents`` table with
    at least one file), else :class:`NotADatasetError` saying what is
    missing and how to make one."""
    root = Path(root)
    if not root.is_dir():
        raise NotADatasetError(f"{root}: no such folder")
    if not any((root / "documents").glob("year=*/*.parquet")):
        raise NotADatasetError(
            f"{root}: not a jixiao dataset (no documents/year=*/*.parquet); "
            f"make one with `jixiao run CORPUS -o {root}`"
        )
    return root


def read_documents(root: Path) -> list[Row]:
    """Every ``documents`` row, with ``year`` from the partition as a Python
    int (None when the name is not a number). Columns a file lacks (written
    by an older jixiao) are None."""
    rows = read_rows(root, "documents")
    for row in rows:
        for name in DOCUMENTS.names:
            row.setdefault(name, None)
    return rows


def read_rows(root: Path, table: str) -> list[Row]:
    """Every row of a dataset table in file order, read as
    :func:`read_documents` reads ``documents``: one fast scan, or file by
    file when the scan fails; a ``documents`` file that cannot be read
    becomes a row with status ``unreadable``, another table's is skipped."""
    directory = Path(root) / table
    files = sorted(directory.glob("year=*/*.parquet"))
    if not files:
        return []
    try:
        return _read_fast(directory, TABLES[table])
    except (pa.ArrowException, OSError, ValueError):
        return [row for file in files for row in _read_file(file, table)]


def _read_fast(directory: Path, schema: pa.Schema) -> list[Row]:
    """All files in one pyarrow scan; the partition read as a string so a
    year no int32 holds does not fail the whole table."""
    known = pa.schema([*schema, pa.field(YEAR.name, pa.string())])
    partitioning = pads.partitioning(pa.schema([(YEAR.name, pa.string())]), flavor="hive")
    rows = pads.dataset(directory, schema=known, format="parquet", partitioning=partitioning).to_table().to_pylist()
    for row in rows:
        row[YEAR.name] = _year(row[YEAR.name])
    return rows


def _read_file(file: Path, table: str) -> list[Row]:
    match = _PARTITION.fullmatch(file.parent.name)
    year = int(match[1]) if match else None
    try:
        rows = pq.read_table(file).to_pylist()
    except (pa.ArrowException, OSError) as error:
        if table != "documents":
            return []
        return [{"doc_id": file.stem, "status": UNREADABLE, "error_code": UNREADABLE,
                 "error": f"{file}: cannot be read ({error})", YEAR.name: year}]
    for row in rows:
        row[YEAR.name] = year
    return rows


def _year(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def file_name(doc: Row) -> str:
    """The PDF's file name as the corpus had it (relative path's last part,
    or the recorded path's), or the id when nothing was recorded."""
    for key in ("source_relpath", "source_path"):
        value = doc.get(key)
        if value:
            return PurePosixPath(str(value).replace("\\", "/")).name
    return str(doc["doc_id"])


def _names(doc: Row) -> set[str]:
    """Every file name and path a person may use for the document."""
    names: set[str] = set()
    for value in (doc.get("source_relpath"), doc.get("source_path"), *(doc.get("source_paths") or [])):
        if value:
            path = PurePosixPath(str(value).replace("\\", "/"))
            names.update({str(path), path.name, path.stem})
    return names


class DocumentNotFound(LookupError):
    """``--doc`` names no document, or more than one (a usage error)."""


def resolve_doc(documents: Iterable[Row], query: str) -> Row:
    """The one document ``query`` names: its id or an id prefix, its file
    name (with or without ``.pdf``) or relative path, or its exact title.
    An exact id wins; otherwise every kind of match counts, and more than
    one document is an error listing them, never a guess."""
    documents = list(documents)
    exact = [d for d in documents if d["doc_id"] == query]
    if exact:
        return exact[0]
    matches = [
        d for d in documents
        if d["doc_id"].startswith(query) or query in _names(d) or (d.get("title") or None) == query
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise DocumentNotFound(f"--doc {query!r}: no document has that id, id prefix, file name or title "
                               "(`jixiao list DATASET` shows them)")
    listed = "; ".join(f"{d['doc_id']} {file_name(d)}" for d in matches[:10])
    more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
    raise DocumentNotFound(f"--doc {query!r} is ambiguous: {len(matches)} documents match ({listed}{more}); "
                           "give more of the id")


def source_candidates(doc: Row, dataset: Path) -> list[Path]:
    """Where the document's PDF may be, most trusted first: the path it was
    read from (and every other path with the same bytes), the corpus root
    recorded at run time plus the path relative to it, then the same
    relative path under the dataset's parent folder and under a folder named
    like the old corpus root next to the dataset — the two ways a corpus and
    its dataset are usually moved together."""
    out: list[Path] = []
    for value in (doc.get("source_path"), *(doc.get("source_paths") or [])):
        if value:
            out.append(Path(value))
    relpath = doc.get("source_relpath")
    if relpath:
        relative = Path(*PurePosixPath(relpath).parts)
        root = doc.get("corpus_root")
        parent = Path(dataset).resolve().parent
        if root:
            out.append(Path(root) / relative)
            out.append(parent / PurePosixPath(str(root).replace("\\", "/")).name / relative)
        out.append(parent / relative)
    return list(dict.fromkeys(out))


def find_source_pdf(doc: Row, dataset: Path) -> tuple[Path | None, str]:
    """The first candidate file whose SHA-256 is the one extracted (a
    changed file would mislead), or None and a sentence saying why."""
    present = [p for p in source_candidates(doc, dataset) if p.is_file()]
    for path in present:
        if doc.get("sha256") is None or sha256_of(path) == doc["sha256"]:
            return path, ""
    if present:
        return None, (f"源 PDF 在提取后已改变 / the PDF at {present[0]} has changed since it was extracted "
                      "(SHA-256 differs)")
    tried = ", ".join(str(p) for p in source_candidates(doc, dataset)) or "no path recorded"
    return None, f"源 PDF 找不到 / the source PDF is not at any recorded place ({tried})"


#: The columns of ``jixiao list``.
LIST_COLUMNS = ("id", "file", "title", "department", "year", "status")


def listing(documents: Iterable[Row]) -> list[dict[str, str]]:
    """One row per document for ``jixiao list``, by year, file and id; an
    unknown year (0) and a missing value show as ``-``."""
    def order(doc: Row) -> tuple[int, str, str]:
        return (doc.get(YEAR.name) or 0, file_name(doc), doc["doc_id"])

    return [
        {"id": doc["doc_id"], "file": file_name(doc), "title": doc.get("title") or "-",
         "department": doc.get("department") or "-", "year": str(doc.get(YEAR.name) or "-"),
         "status": doc.get("status") or "-"}
        for doc in sorted(documents, key=order)
    ]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def aligned(rows: list[dict[str, str]], columns: tuple[str, ...] = LIST_COLUMNS) -> str:
    """The rows as a text table with a header, columns padded to the widest
    value as a terminal shows it (so Chinese titles line up)."""
    widths = {c: max([display_width(c), *(display_width(r[c]) for r in rows)]) for c in columns}

    def line(values: dict[str, str]) -> str:
        return "  ".join(v + " " * (widths[c] - display_width(v)) for c, v in values.items()).rstrip()

    return "\n".join([line({c: c for c in columns}), *(line({c: r[c] for c in columns}) for r in rows)])
