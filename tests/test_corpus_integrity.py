"""Nothing is `ok` unless it was read whole (issue #13 item 1): damaged but
readable files, generated here from a fixture by byte edits, are read from a
repaired copy or flagged `partial` with the pages named; a scan or invisible
text is not mistaken for damage; a bug of ours is not a malformed page."""

from __future__ import annotations

import hashlib
import re
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURES, SAMPLE, read_cached
from pdfplumber.utils.exceptions import PdfminerException

from jixiao.errors import ErrorCode, InputError
from jixiao.extract import integrity, pipeline, read_pdf
from jixiao.extract.integrity import REPAIRED, PageCheck, PdfiumReader, QpdfReader, Unread
from jixiao.normalize import normalize_document
from jixiao.output.dataset import document_record

#: 14 pages of prose and tables; pdfminer reads none of its text once the
#: file is damaged in either way below, and says nothing.
PDF = SAMPLE / "hebei-hengshui-city-wjw-2024.pdf"
SCAN = FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023-scan/document.pdf"


def blank_endstreams(data: bytes) -> bytes:
    """Every ``endstream`` keyword overwritten with spaces (same length, so
    the cross-reference offsets stay right): only /Length says where a
    stream ends."""
    return data.replace(b"endstream", b" " * len(b"endstream"))


def shift_xref_offsets(data: bytes) -> bytes:
    """Every third offset of the cross-reference table off by 7 bytes."""
    start = int(re.search(rb"startxref\s+(\d+)", data[-300:]).group(1))
    count = [0]

    def shift(m: re.Match) -> bytes:
        count[0] += 1
        return (b"%010d" % (int(m.group(1)) + 7) if count[0] % 3 == 0 else m.group(1)) + m.group(2)

    return data[:start] + re.sub(rb"(\d{10})( 00000 n)", shift, data[start:])


def texts(document) -> tuple[list[str], list[list[str]]]:
    return [b.text for b in document.blocks], [[c.text for c in t.cells] for t in document.tables]


#: The same damage makes pdfminer fail on this one ("cannot read page",
#: "PDF has no pages"): the repair is tried for those errors too.
LOUD = SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf"


@pytest.mark.parametrize("source", [PDF, LOUD], ids=["silent", "loud"])
@pytest.mark.parametrize("damage", [blank_endstreams, shift_xref_offsets])
def test_damaged_file_is_read_whole_from_a_repaired_copy(damage, source: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(damage(source.read_bytes()))
    original = read_cached(source)
    with pikepdf.open(damaged) as pdf:
        assert len(pdf.pages) == len(original.pages)
    document = read_pdf(damaged, parser="pdfminer")
    assert texts(document) == texts(original)
    assert [d.code for d in document.diagnostics if d.code == REPAIRED] == [REPAIRED]
    assert not [d for d in document.diagnostics if d.code == ErrorCode.PAGES_UNREAD.value]
    # the document is the damaged file's, not the temporary copy's
    assert document.source.path == str(damaged)
    assert document.doc_id == hashlib.sha256(damaged.read_bytes()).hexdigest()[:16]
    assert document.source.size_bytes == damaged.stat().st_size


@contextmanager
def _no_repair(path: Path):
    yield path  # as if qpdf's copy were as damaged as the file


def test_text_that_cannot_be_read_makes_the_document_partial(monkeypatch, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(blank_endstreams(PDF.read_bytes()))
    monkeypatch.setattr(integrity, "repaired_copy", _no_repair)
    document = read_pdf(damaged, parser="pdfminer")
    unread = [d for d in document.diagnostics if d.code == ErrorCode.PAGES_UNREAD.value]
    assert [d.page for d in unread] == list(range(1, 15))
    assert "pdfium finds text" in unread[0].message
    record = document_record(normalize_document(document), pipeline_version="test",
                             extracted_at=datetime.now(timezone.utc), seconds=None)
    assert (record.status, record.error_code, record.unread_pages) == ("partial", "PAGES_UNREAD", list(range(1, 15)))
    assert "page 1" in record.error


def test_fewer_pages_than_the_independent_reader_finds() -> None:
    first = PageCheck(PDF, "pdfminer", final=False)
    with pytest.raises(Unread, match="3 of the 14 pages"):
        first.pages(3)
    final = PageCheck(PDF, "pdfminer", final=True)
    final.pages(3)
    assert [(d.code, d.page) for d in final.notes] == [("PAGES_UNREAD", page) for page in range(4, 15)]
    final.pages(14)  # all there: nothing more to say
    assert len(final.notes) == 11
    for check in (first, final):
        check.close()


def _page_with_text(render_mode: int, *, in_form: bool = False) -> Path:
    """One page showing "hello" in Helvetica with the given text render
    mode, in the page's content stream or in a form XObject it draws."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0]
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    text = f"BT /F1 12 Tf {render_mode} Tr 20 100 Td (hello) Tj ET".encode()
    fonts = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    if in_form:
        form = pikepdf.Stream(pdf, text)
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        form.BBox, form.Resources = [0, 0, 200, 200], fonts
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm1=pdf.make_indirect(form)))
        page.Contents = pdf.make_indirect(pikepdf.Stream(pdf, b"q /Fm1 Do Q"))
    else:
        page.Resources = fonts
        page.Contents = pdf.make_indirect(pikepdf.Stream(pdf, text))
    return pdf


@pytest.mark.parametrize("reader", [PdfiumReader, QpdfReader])
@pytest.mark.parametrize(("render_mode", "in_form", "visible"), [(0, False, True), (3, False, False),
                                                                   (0, True, True), (3, True, False)])
def test_independent_readers_see_visible_text_only(reader, render_mode, in_form, visible, tmp_path: Path) -> None:
    path = tmp_path / "page.pdf"
    _page_with_text(render_mode, in_form=in_form).save(path)
    opened = reader(path)
    try:
        assert (opened.page_count, opened.has_text(1)) == (1, visible)
    finally:
        opened.close()


@pytest.mark.parametrize("reader", [PdfiumReader, QpdfReader])
def test_a_scan_has_no_text_for_the_independent_readers(reader) -> None:
    scan, text = reader(SCAN), reader(PDF)
    try:
        assert (scan.has_text(1), text.has_text(1)) == (False, True)
    finally:
        scan.close()
        text.close()


def test_a_bug_of_ours_is_not_a_malformed_page(monkeypatch) -> None:
    def broken(page):
        raise TypeError("a bug in jixiao")

    monkeypatch.setattr(pipeline, "analyse_page", broken)
    with pytest.raises(TypeError, match="a bug in jixiao"):
        read_pdf(PDF)


def test_memory_exhausted_inside_the_parser_is_not_a_malformed_page(monkeypatch) -> None:
    def exhausted(page):
        try:
            raise MemoryError()
        except MemoryError as error:
            raise PdfminerException(error) from error

    monkeypatch.setattr(pipeline, "analyse_page", exhausted)
    with pytest.raises(MemoryError):
        read_pdf(PDF)


def test_a_parser_failure_is_malformed_and_names_the_page(monkeypatch, tmp_path: Path) -> None:
    def fails(page):
        raise PdfminerException(ValueError("bad operand"))

    monkeypatch.setattr(pipeline, "analyse_page", fails)
    monkeypatch.setattr(integrity, "repaired_copy", _no_repair)
    with pytest.raises(Exception) as caught:
        read_pdf(PDF)
    assert getattr(caught.value, "code", None) is ErrorCode.MALFORMED
    assert str(caught.value).startswith(f"{PDF}: page 1: cannot read page") and "repaired copy" in str(caught.value)


def test_a_decompression_bomb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from test_corpus_bounds import bomb_pdf

    bomb = bomb_pdf(tmp_path / "bomb.pdf", 1024)
    integrity.refuse_bombs(PDF)  # an ordinary file passes
    started = time.monotonic()
    with pytest.raises(InputError, match=r"inflates to more than 512 MB: a decompression bomb") as refused:
        read_pdf(bomb)
    assert refused.value.code is ErrorCode.TOO_LARGE and time.monotonic() - started < 30


def test_text_the_parser_judged_unusable_is_not_unread_text(monkeypatch) -> None:
    """A text layer the extractor rejects (glyphs that map to nothing, so the
    page is OCR'd) was read: the independent reader's text there is no sign
    of damage, so no repair is tried."""
    real = pipeline.analyse_page

    def unusable(page):
        layout, _ = real(page)
        layout.unusable_text = "the text layer maps its glyphs to nothing"
        layout.page = replace(layout.page, text_layer=False)
        return layout, []

    monkeypatch.setattr(pipeline, "analyse_page", unusable)
    with pytest.raises(InputError) as refused:
        read_pdf(FIXTURES / "external/pdfplumber-issue-842/document.pdf", ocr="off")
    assert refused.value.code is ErrorCode.NO_TEXT_LAYER and "repaired" not in str(refused.value)
