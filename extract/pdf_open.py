"""The boundary where a PDF parser's objects become jixiao's page content.

Two parsers can read a PDF: pypdfium2 (the default, :mod:`.pdfium_document`)
and pdfminer through pdfplumber (:mod:`.pdfminer_page`, selectable with
``--parser pdfminer``). Each turns a page into a :class:`PageContent` — plain
dicts in pdfplumber's coordinates and conventions — and everything after this
boundary reads only that, so the two parsers can be compared on any PDF.

:func:`open_pdf` turns every way a file can be unusable into one specific
:class:`~jixiao.errors.InputError`. Nothing here imports a parser until a
file is opened with it: a process that reads with pypdfium2 never loads
pdfminer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from jixiao.errors import ErrorCode, InputError
from jixiao.model import SourceInfo

_EOF_WINDOW = 2048


@dataclass
class PageContent:
    """What extraction needs of a page, in pdfplumber's coordinates.

    Every parser fills ``chars`` (``x0 x1 top bottom text size fontname
    upright render_mode``, and ``matrix``: the text matrix in pdfminer's
    page space, /Rotate applied, whose baseline tells the text direction),
    the shapes ``lines`` / ``rects`` / ``curves`` (box, ``pts``, ``fill``,
    ``stroke``, ``stroking_color`` / ``non_stroking_color`` with their
    ``stroking_colorspace`` / ``non_stroking_colorspace`` names, ``seq``
    (paint order on the page), ``linewidth``, ``dash``) and ``images``
    (box). pypdfium2 gives every colour as the RGB it paints (``DeviceRGB``:
    a spot colour converted through its alternate space). A parser may add
    keys (pypdfium2: ``seq`` and ``clip`` on chars, alphas on shapes); a
    consumer must not depend on them."""

    chars: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    rects: list[dict[str, Any]] = field(default_factory=list)
    curves: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)


class ParsedPage(Protocol):
    """A page as either parser opens it (pdfplumber's page attributes)."""

    page_number: int  # 1-based

    @property
    def width(self) -> Any: ...

    @property
    def height(self) -> Any: ...

    @property
    def bbox(self) -> Any: ...  # (x0, top, x1, bottom)

    @property
    def rotation(self) -> Any: ...

    def content(self) -> PageContent: ...

    def close(self) -> None: ...


def page_content(page: ParsedPage) -> PageContent:
    return page.content()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(path: Path) -> None:
    """Cheap checks before any parsing: exists, not empty, looks like a PDF,
    not cut short. A PDF cut in half still half-parses (parsers scan for
    objects when the xref is gone) and would silently lose pages, so a
    missing ``%%EOF`` is an error here."""
    if not path.is_file():
        raise InputError(path, "file not found", code=ErrorCode.NOT_FOUND)
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "empty file (0 bytes)", code=ErrorCode.EMPTY_FILE)
    with open(path, "rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - _EOF_WINDOW))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise InputError(path, "not a PDF (no %PDF- header)", code=ErrorCode.NOT_PDF)
    if b"%%EOF" not in tail:
        raise InputError(path, f"truncated PDF (no %%EOF marker; {size} bytes)", code=ErrorCode.TRUNCATED)


@contextmanager
def open_pdf(path: str | Path, parser: str = "pypdfium2") -> Iterator[tuple[dict[str, str | None], list[ParsedPage]]]:
    """Open ``path`` with ``parser`` and yield the document's metadata
    (Producer, Creator, Title) and its pages. Raises :class:`InputError`
    for unusable files."""
    path = Path(path)
    check_file(path)
    if parser == "pdfminer":
        from .pdfminer_page import open_pdfminer as opener
    else:
        from .pdfium_document import open_pdfium as opener
    with opener(path) as (metadata, pages):
        yield metadata, pages


def source_info(path: Path, metadata: dict[str, str | None]) -> SourceInfo:
    return SourceInfo(
        path=str(path),
        sha256=sha256_of(path),
        size_bytes=path.stat().st_size,
        producer=metadata.get("Producer"),
        creator=metadata.get("Creator"),
        title=metadata.get("Title"),
    )


def __getattr__(name: str) -> Any:
    """``RenderModePage`` moved to :mod:`.pdfminer_page`; importing it from
    here still works but loads pdfminer."""
    if name == "RenderModePage":
        from .pdfminer_page import RenderModePage

        return RenderModePage
    raise AttributeError(name)
