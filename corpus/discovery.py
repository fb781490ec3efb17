"""Find the documents of a corpus folder.

Every file ending in .pdf (any case) below the root is a candidate; other
files are ignored. Files with identical bytes are one document, found under
several paths. An optional ``manifest.csv`` at the root (columns path,
province, city, department, year, source_url) says what the file's own text
may not: its values override what is inferred from the document.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.extract.pdf_open import sha256_of

MANIFEST = "manifest.csv"
MANIFEST_FIELDS = ("province", "city", "department", "year", "source_url")


@dataclass(frozen=True)
class ManifestEntry:
    province: str | None = None
    city: str | None = None
    department: str | None = None
    year: int | None = None
    source_url: str | None = None


@dataclass
class CorpusItem:
    """One document to process: its bytes' hash and every path they were found under."""

    path: Path  # the first path, in sorted order
    sha256: str
    size_bytes: int
    other_paths: list[Path] = field(default_factory=list)
    manifest: ManifestEntry = field(default_factory=ManifestEntry)

    @property
    def doc_id(self) -> str:
        return self.sha256[:16]

    @property
    def all_paths(self) -> list[Path]:
        return [self.path, *self.other_paths]


class ManifestError(ValueError):
    """manifest.csv cannot be used (a usage error: exit code 2)."""


def read_manifest(root: Path) -> dict[Path, ManifestEntry]:
    """Entries of ``root/manifest.csv`` keyed by resolved path."""
    file = root / MANIFEST
    if not file.is_file():
        return {}
    entries: dict[Path, ManifestEntry] = {}
    with open(file, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "path" not in reader.fieldnames:
            raise ManifestError(f"{file}: needs a 'path' column (and any of {', '.join(MANIFEST_FIELDS)})")
        for line, row in enumerate(reader, start=2):
            values = {k: (row.get(k) or "").strip() or None for k in MANIFEST_FIELDS}
            year = values.pop("year")
            try:
                year_int = int(year) if year else None
            except ValueError:
                raise ManifestError(f"{file}: line {line}: year {year!r} is not a number") from None
            entries[(root / row["path"].strip()).resolve()] = ManifestEntry(year=year_int, **values)
    return entries


def find_pdfs(root: Path) -> list[Path]:
    """PDF files below ``root`` (case-insensitive extension), sorted."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf" and not p.name.startswith("."))


def discover(root: Path) -> list[CorpusItem]:
    """The documents under ``root``, identical files merged, manifest applied."""
    manifest = read_manifest(root) if root.is_dir() else {}
    by_hash: dict[str, CorpusItem] = {}
    for path in find_pdfs(root):
        digest = sha256_of(path)
        item = by_hash.get(digest)
        if item is None:
            entry = manifest.get(path.resolve(), ManifestEntry())
            by_hash[digest] = CorpusItem(path=path, sha256=digest, size_bytes=path.stat().st_size, manifest=entry)
        else:
            item.other_paths.append(path)
            if item.manifest == ManifestEntry() and path.resolve() in manifest:
                item.manifest = manifest[path.resolve()]
    return list(by_hash.values())
