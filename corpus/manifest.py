"""``manifest.csv``: what the archive knows about each file that the file's
own text may not say.

An optional ``manifest.csv`` at the corpus root has a ``path`` column (the
file's path relative to the root) and any of ``province``, ``city``,
``department``, ``year`` and ``source_url``; its values override what jixiao
infers from the document. Researchers write it in Excel, which on Chinese
Windows saves CSV as GBK: the encoding is detected (a UTF-8 or UTF-16 byte
order mark, else UTF-8, else GB18030, the superset of GBK). A value that
cannot be right — an unknown column, a year that is not a budget year, the
same path twice — is an error naming the line, before anything is processed.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from jixiao.filenames import readable

MANIFEST = "manifest.csv"
MANIFEST_FIELDS = ("province", "city", "department", "year", "source_url")

#: Budget years a manifest may give; anything else is a typo (or a date in the wrong column).
MIN_YEAR, MAX_YEAR = 1949, 2100

#: Encodings tried, in order, on a manifest without a byte order mark.
ENCODINGS = ("utf-8", "gb18030")


class ManifestError(ValueError):
    """manifest.csv cannot be used (a usage error: exit code 2)."""


@dataclass(frozen=True)
class ManifestEntry:
    province: str | None = None
    city: str | None = None
    department: str | None = None
    year: int | None = None
    source_url: str | None = None

    def values(self) -> dict[str, str | int]:
        """The values it gives (part of a document's identity)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


def decode(data: bytes, file: Path) -> str:
    """The manifest's text, whatever encoding a spreadsheet saved it in."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as e:
                raise ManifestError(f"{readable(file)}: not valid {encoding} after its byte order mark: {e}") from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise ManifestError(f"{readable(file)}: neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8")


def manifest_key(relpath: str) -> str:
    """How a path is matched: relative to the root, normalised, ``/``-separated."""
    return os.path.normpath(relpath).replace(os.sep, "/")


def read_manifest(root: Path) -> dict[str, ManifestEntry]:
    """Entries of ``root/manifest.csv`` keyed by :func:`manifest_key` of their path."""
    file = root / MANIFEST
    if not file.is_file():
        return {}
    try:
        text = decode(file.read_bytes(), file)
    except OSError as e:
        raise ManifestError(f"{readable(file)}: cannot read it: {e.strerror}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in reader.fieldnames or []]
    if "path" not in columns:
        raise ManifestError(f"{readable(file)}: line 1: needs a 'path' column (and any of {', '.join(MANIFEST_FIELDS)})")
    unknown = [c for c in columns if c not in ("path", *MANIFEST_FIELDS)]
    if unknown:
        raise ManifestError(f"{readable(file)}: line 1: unknown column(s) {', '.join(map(repr, unknown))}; "
                            f"the columns are path, {', '.join(MANIFEST_FIELDS)}")
    reader.fieldnames = columns
    entries: dict[str, ManifestEntry] = {}
    lines: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:  # more values than columns
            raise ManifestError(f"{readable(file)}: line {line}: more values than the {len(columns)} columns")
        where = f"{readable(file)}: line {line}"
        path = (row.get("path") or "").strip()
        if not path:
            raise ManifestError(f"{where}: empty path")
        key = manifest_key(path)
        if key in lines:
            raise ManifestError(f"{where}: {path} is listed twice (also on line {lines[key]})")
        lines[key] = line
        values = {k: (row.get(k) or "").strip() or None for k in MANIFEST_FIELDS}
        entries[key] = ManifestEntry(year=_year(values.pop("year"), where), **values)
    return entries


def _year(text: str | None, where: str) -> int | None:
    if text is None:
        return None
    try:
        year = int(text)
    except ValueError:
        raise ManifestError(f"{where}: year {text!r} is not a number") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ManifestError(f"{where}: year {year} is not a budget year ({MIN_YEAR}–{MAX_YEAR})")
    return year
