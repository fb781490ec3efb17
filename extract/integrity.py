"""Nothing is ``ok`` unless it was read whole.

A damaged PDF often still parses: a parser that cannot find a stream's end,
or a page in a broken cross-reference table, returns pages without their
text, or fewer pages, and raises nothing. So every read is checked against a
second, independent reader — one that is not the parser in use (pdfium when
pdfminer parses, qpdf through pikepdf when pdfium parses) — on two things
that are cheap to ask and hard to get wrong:

* the number of pages, and
* for every page where the parser found no text at all, whether the
  independent reader finds visible text there (a scan has none for either).

When they disagree, or the parser fails on a page or finds no pages, the
file is repaired — qpdf rewrites it (cross-reference table, stream
lengths, page tree) into a temporary copy — and read again. What the second
read still misses is named in ``PAGES_UNREAD`` diagnostics, which make the
document ``partial`` in the dataset, never ``ok`` with data missing. The
copy lives in the process's temporary folder (inside the dataset's own
folder during a corpus run).
"""

from __future__ import annotations

import logging
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from jixiao.errors import ErrorCode, InputError
from jixiao.model import Diagnostic, Document
from jixiao.settings import Settings

log = logging.getLogger(__name__)

#: Diagnostic of a document read from a repaired copy.
REPAIRED = "REPAIRED"

#: Input errors a repaired copy may not have: a page the parser cannot
#: parse, a page tree or cross-reference table it cannot follow.
REPAIRABLE = (ErrorCode.MALFORMED, ErrorCode.NO_PAGES)

#: Form XObjects nest; deeper than this is a loop or a pathological file.
MAX_FORM_DEPTH = 8

#: Text render mode 3 draws nothing: the invisible text layer of an OCR'd scan.
INVISIBLE = 3

#: A stream that inflates beyond this is a decompression bomb: refused
#: before any reader inflates it whole (a page of content never needs as much).
MAX_INFLATED_MB = 512

#: Deflate inflates at most about 1032:1, so a smaller stream cannot be a bomb.
_DEFLATE_MAX_RATIO = 1032
_INFLATE_CHUNK = 1 << 20


class IndependentReader(Protocol):
    """What the cross-check asks of the second reader."""

    name: str
    page_count: int

    def has_text(self, page: int) -> bool:
        """Whether 1-based ``page`` shows any visible text."""
        ...

    def close(self) -> None: ...


class PdfiumReader:
    """pdfium (pypdfium2): text objects of the page and its forms."""

    name = "pdfium"

    def __init__(self, path: Path):
        import pypdfium2 as pdfium

        self._pdf = pdfium.PdfDocument(path)
        self.page_count = len(self._pdf)

    def has_text(self, page: int) -> bool:
        from pypdfium2 import raw

        pdf_page = self._pdf[page - 1]
        try:
            return any(
                raw.FPDFTextObj_GetTextRenderMode(obj.raw) != INVISIBLE
                for obj in pdf_page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=MAX_FORM_DEPTH)
            )
        finally:
            pdf_page.close()

    def close(self) -> None:
        self._pdf.close()


class QpdfReader:
    """qpdf (pikepdf): text-showing operators of the page's content streams
    and of the forms it draws, outside invisible text (``3 Tr``)."""

    name = "qpdf"

    def __init__(self, path: Path):
        import pikepdf

        self._pdf = pikepdf.open(path)
        self.page_count = len(self._pdf.pages)

    def has_text(self, page: int) -> bool:
        return _shows_text(self._pdf.pages[page - 1].obj, 0)

    def close(self) -> None:
        self._pdf.close()


def _shows_text(owner, depth: int) -> bool:
    import pikepdf

    resources = owner.get("/Resources", {})
    xobjects = resources.get("/XObject", {}) if isinstance(resources, pikepdf.Dictionary) else {}
    render_mode = 0
    for operands, operator in pikepdf.parse_content_stream(owner, "Tr Tj TJ ' \" Do"):
        op = str(operator)
        if op == "Tr" and operands:
            render_mode = int(operands[0])
        elif op == "Do":
            form = xobjects.get(operands[0]) if operands else None
            if (form is not None and form.get("/Subtype") == "/Form" and depth < MAX_FORM_DEPTH
                    and _shows_text(form, depth + 1)):
                return True
        elif render_mode != INVISIBLE and any(_has_string(operand) for operand in operands):
            return True
    return False


def _has_string(operand) -> bool:
    import pikepdf

    if isinstance(operand, pikepdf.Array):
        return any(_has_string(item) for item in operand)
    return isinstance(operand, pikepdf.String) and len(bytes(operand)) > 0


def independent_reader(path: Path, parser: str) -> IndependentReader | None:
    """The reader that is not ``parser``; None when it cannot open the file
    (then there is nothing to compare with, and the parser's read stands)."""
    try:
        return PdfiumReader(path) if parser == "pdfminer" else QpdfReader(path)
    except Exception as error:  # noqa: BLE001 - any failure only means: no second opinion
        log.info("%s: no cross-check (%s cannot open it: %s)", path, "pdfium" if parser == "pdfminer" else "qpdf",
                 error)
        return None


class Unread(Exception):
    """The first read missed pages or text: read a repaired copy instead."""


class PageCheck:
    """The cross-check of one read. The pipeline reports what the parser
    found; on the first read a shortfall raises :class:`Unread`, on the read
    of a repaired copy it is recorded as ``PAGES_UNREAD`` diagnostics."""

    def __init__(self, path: Path, parser: str, *, final: bool):
        self.path = path
        self.final = final
        self.notes: list[Diagnostic] = []
        self._reader = independent_reader(path, parser)

    def pages(self, parsed: int) -> None:
        """The parser found ``parsed`` pages."""
        if self._reader is None or parsed >= self._reader.page_count:
            return
        expected = self._reader.page_count
        message = (f"{parsed} of the {expected} pages {self._reader.name} finds were read; "
                   f"pages {parsed + 1}–{expected} are missing")
        if not self.final:
            raise Unread(message)
        self.notes += [Diagnostic(code=ErrorCode.PAGES_UNREAD.value, page=page, message=message)
                       for page in range(parsed + 1, expected + 1)]

    def page(self, number: int, *, found_text: bool) -> None:
        """The parser found text on page ``number``, or none."""
        if found_text or self._reader is None or number > self._reader.page_count:
            return
        if not self._reader.has_text(number):
            return
        message = f"page {number}: {self._reader.name} finds text the parser could not read"
        if not self.final:
            raise Unread(message)
        self.notes.append(Diagnostic(code=ErrorCode.PAGES_UNREAD.value, page=number, message=message))

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()


def _inflates_beyond(raw: bytes, limit: int) -> bool:
    """Whether zlib data inflates to more than ``limit`` bytes, found out by
    inflating it a chunk at a time and throwing the chunks away."""
    inflater = zlib.decompressobj()
    total = 0
    data = raw
    try:
        while data and total <= limit:
            total += len(inflater.decompress(data, _INFLATE_CHUNK))
            data = inflater.unconsumed_tail
    except zlib.error:
        return False  # not for us to judge: the parser will report a broken stream
    return total > limit


def refuse_bombs(path: Path) -> None:
    """Raise ``TOO_LARGE`` for a Flate stream that inflates beyond
    MAX_INFLATED_MB, in a second or so and little memory, instead of letting
    a parser inflate it whole until the worker's memory cap stops it."""
    import pikepdf

    limit = MAX_INFLATED_MB << 20
    try:
        pdf = pikepdf.open(path)
    except Exception:  # noqa: BLE001 - the parser will say what is wrong with the file
        return
    with pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Stream):
                continue
            length = obj.get("/Length")
            filters = obj.get("/Filter")
            first = filters[0] if isinstance(filters, pikepdf.Array) and len(filters) else filters
            if (not isinstance(length, int) and not isinstance(length, pikepdf.Object)) or first != "/FlateDecode":
                continue
            try:
                if int(length) * _DEFLATE_MAX_RATIO <= limit:
                    continue
                raw = obj.read_raw_bytes()
            except (TypeError, ValueError, pikepdf.PdfError):
                continue
            if _inflates_beyond(raw, limit):
                raise InputError(path, f"a stream (object {obj.objgen[0]}) inflates to more than "
                                       f"{MAX_INFLATED_MB} MB: a decompression bomb", code=ErrorCode.TOO_LARGE)


Read = Callable[[Path, Settings, PageCheck], Document]


def read_whole(path: Path, settings: Settings, read: Read) -> Document:
    """``read(path, settings, check)``, cross-checked; on a shortfall or a
    malformed page, the same read of a repaired copy, with what it still
    misses named in the document's diagnostics. A decompression bomb is
    refused before anything is read."""
    refuse_bombs(path)
    check = PageCheck(path, settings.parser, final=False)
    try:
        return read(path, settings, check)
    except Unread as shortfall:
        reason: Exception = shortfall
    except InputError as error:
        if error.code not in REPAIRABLE:
            raise
        reason = error
    finally:
        check.close()
    log.info("%s: %s; reading a repaired copy", path, reason)
    with repaired_copy(path) as copy:
        if copy is None:  # qpdf cannot open it either
            if isinstance(reason, InputError):
                raise reason
            return _read_final(path, path, settings, read, [])
        note = Diagnostic(code=REPAIRED, page=None,
                          message=f"damaged file ({reason}); read from a copy qpdf repaired")
        return _read_final(path, copy, settings, read, [note])


def _read_final(original: Path, path: Path, settings: Settings, read: Read, notes: list[Diagnostic]) -> Document:
    check = PageCheck(path, settings.parser, final=True)
    try:
        document = read(path, settings, check)
    except InputError as error:
        raise InputError(original, f"{error.cause} (also in a repaired copy)", page=error.page,
                         code=error.code) from error
    finally:
        check.close()
    return _as_original(document, original, notes + check.notes)


def _as_original(document: Document, original: Path, notes: list[Diagnostic]) -> Document:
    """The document read from a copy, as the original file's: its id, path,
    hash and size, the copy's notes added."""
    from .pdf_open import sha256_of

    sha256 = sha256_of(original)
    source = replace(document.source, path=str(original), sha256=sha256, size_bytes=original.stat().st_size)
    return replace(document, doc_id=sha256[:16], source=source, diagnostics=[*document.diagnostics, *notes])


@contextmanager
def repaired_copy(path: Path) -> Iterator[Path | None]:
    """A copy of ``path`` that qpdf rewrote (repairing what it can while
    reading), in a temporary folder removed afterwards; None when qpdf
    cannot open the file."""
    import pikepdf

    with tempfile.TemporaryDirectory(prefix="jixiao-repair-") as folder:
        copy = Path(folder) / "repaired.pdf"
        try:
            with pikepdf.open(path) as pdf:
                pdf.save(copy)
        except Exception as error:  # noqa: BLE001 - qpdf's verdict: beyond repair
            log.info("%s: qpdf cannot repair it: %s", path, error)
            yield None
            return
        yield copy
