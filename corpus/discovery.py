"""Find the documents of a corpus folder.

Every regular file ending in .pdf (any case) below the root is a candidate;
other files, and names starting with a dot, are ignored. Folders reached
through symbolic links are followed, except into themselves (a loop).
Files with identical bytes are one document, found under several paths. An
optional ``manifest.csv`` at the root (:mod:`.manifest`) says what the
file's own text may not.

Nothing is passed over in silence: a folder that cannot be listed, a
``.pdf`` that is a FIFO or a broken link, a file that cannot be read, a
symbolic-link loop — each is a :class:`Skipped` entry the run's summary
lists. Paths are absolute (so workers on other machines, and a report opened
from another folder, find the same file) and may be any bytes; relative
paths and messages show them as text (``jixiao.filenames``).

This module runs in the run's parent process: it imports nothing heavy.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.filenames import readable

from .manifest import ManifestEntry, ManifestError, manifest_key, read_manifest

__all__ = ["Corpus", "CorpusItem", "HashCache", "ManifestError", "Skipped", "discover"]

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Skipped:
    """An entry below the root that is not read, and why."""

    path: str  # readable
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class CorpusItem:
    """One document to process: its bytes' hash and every path they were
    found under (absolute), with their paths relative to the corpus root."""

    path: Path  # the first path, in sorted order
    relpath: str  # readable, '/'-separated
    sha256: str
    size_bytes: int
    other_paths: list[Path] = field(default_factory=list)
    other_relpaths: list[str] = field(default_factory=list)
    manifest: ManifestEntry = field(default_factory=ManifestEntry)

    @property
    def doc_id(self) -> str:
        return self.sha256[:16]

    @property
    def all_paths(self) -> list[Path]:
        return [self.path, *self.other_paths]


@dataclass
class Corpus:
    """The documents of a corpus (iterating it gives them), and what was skipped."""

    root: Path  # absolute
    items: list[CorpusItem]
    skipped: list[Skipped]

    def __iter__(self) -> Iterator[CorpusItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def _broken(error: OSError, link: bool) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if link and error.errno == errno.ENOENT:
        return "broken symbolic link"
    return f"cannot read it: {error.strerror}"


def find_pdfs(root: Path) -> tuple[list[Path], list[Skipped]]:
    """PDF files below ``root`` in sorted order, and the entries skipped."""
    found: list[Path] = []
    skipped: list[Skipped] = []

    def visit(directory: Path, ancestors: frozenset[tuple[int, int]]) -> None:
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: os.fsencode(e.name))
        except OSError as e:
            skipped.append(Skipped(readable(directory), f"cannot list it: {e.strerror}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            is_pdf = entry.name.lower().endswith(".pdf")
            try:
                info = entry.stat()  # follows a symbolic link
            except OSError as e:
                if is_pdf or entry.is_symlink():
                    skipped.append(Skipped(readable(path), _broken(e, entry.is_symlink())))
                continue
            if stat.S_ISDIR(info.st_mode):
                key = (info.st_dev, info.st_ino)
                if key in ancestors:
                    skipped.append(Skipped(readable(path), "symbolic link loop (a folder inside itself)"))
                else:
                    visit(path, ancestors | {key})
            elif is_pdf and stat.S_ISREG(info.st_mode):
                found.append(path)
            elif is_pdf:
                skipped.append(Skipped(readable(path), _kind(info.st_mode)))

    if root.is_file():
        return [root], skipped
    top = root.stat()
    visit(root, frozenset({(top.st_dev, top.st_ino)}))
    return found, skipped


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, as readable '/'-separated text."""
    return readable(os.path.relpath(path, root)).replace(os.sep, "/")


class HashCache:
    """The sha256 of files already hashed, keyed by path and trusted while
    the file's size, inode, modification and change times are the same (the
    change time moves on any write, and cannot be set back), so a re-run of
    an unchanged archive reads no PDF. Kept as JSON in the dataset's folder."""

    def __init__(self, file: Path | None = None):
        self.file = file
        self.known: dict[str, list] = {}
        if file is not None:
            try:
                self.known = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.known = {}
        self.seen: dict[str, list] = {}

    def sha256(self, path: Path) -> tuple[str, int]:
        info = path.stat()
        stamp = [info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]
        cached = self.known.get(str(path))
        digest = cached[4] if cached is not None and cached[:4] == stamp else _file_sha256(path)
        self.seen[str(path)] = [*stamp, digest]
        return digest, info.st_size

    def save(self) -> None:
        """Keep what this discovery saw (files gone are forgotten)."""
        if self.file is None:
            return
        tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(self.seen), encoding="utf-8")  # ASCII: any file name survives
            os.replace(tmp, self.file)
        except OSError:
            tmp.unlink(missing_ok=True)  # only a cache


def discover(root: Path, hashes: HashCache | None = None) -> Corpus:
    """The documents under ``root``, identical files merged, manifest applied.
    ``root`` may also be one PDF file (its folder is then the corpus root)."""
    root = Path(os.path.abspath(root))
    base = root.parent if root.is_file() else root
    manifest = read_manifest(base) if root.is_dir() else {}
    paths, skipped = find_pdfs(root)
    hashes = hashes or HashCache()
    by_hash: dict[str, CorpusItem] = {}
    for path in paths:
        try:
            digest, size = hashes.sha256(path)
        except OSError as e:
            skipped.append(Skipped(readable(path), f"cannot read it: {e.strerror}"))
            continue
        relpath = relative(path, base)
        entry = manifest.get(manifest_key(relpath))
        item = by_hash.get(digest)
        if item is None:
            by_hash[digest] = CorpusItem(path=path, relpath=relpath, sha256=digest, size_bytes=size,
                                         manifest=entry or ManifestEntry())
        else:
            item.other_paths.append(path)
            item.other_relpaths.append(relpath)
            if item.manifest == ManifestEntry() and entry is not None:
                item.manifest = entry
    return Corpus(root=base, items=list(by_hash.values()), skipped=skipped)
