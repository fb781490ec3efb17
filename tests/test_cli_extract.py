"""`jixiao extract` / `jixiao tables` end to end, and every kind of bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLE
from teds import tables_from_html, teds

from jixiao.cli import main
from jixiao.model import Document

PDF_2023 = SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf"
SCAN = FIXTURES / "corpus" / "hebei-chengde-gxq-zrzy-2023-scan" / "document.pdf"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_extract_writes_layout_json(tmp_path: Path) -> None:
    result = run("extract", PDF_2023, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    (out,) = tmp_path.glob("*.layout.json")
    doc = Document.from_json(out.read_bytes())
    assert out.name == f"{doc.doc_id}.layout.json"
    assert doc.source.sha256.startswith(doc.doc_id)
    assert (len(doc.pages), len(doc.tables)) == (16, 7)
    assert not list(tmp_path.glob(".*.tmp"))


def test_tables_html_matches_truth() -> None:
    result = run("tables", PDF_2023, "--format", "html")
    assert result.exit_code == 0
    predicted = tables_from_html(result.stdout)
    truth = tables_from_html((FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023/truth/tables.html").read_text())
    assert [teds(p, t) for p, t in zip(predicted, truth, strict=True)] == [1.0] * 7
    assert 'data-page-start="10" data-page-end="10"' in result.stdout


def test_tables_json_and_csv() -> None:
    tables = json.loads(run("tables", PDF_2023, "--format", "json").stdout)
    assert [t["id"] for t in tables] == [f"t{i}" for i in range(1, 8)]
    csv_lines = run("tables", PDF_2023, "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "table,row,col,rowspan,colspan,page,text"
    # hand-checked on page 10: 绩效指标 starts at row 6, spans 7 rows
    assert "t1,6,0,7,1,10,绩效指标" in csv_lines


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str, int | None]]:
    """name -> (file, expected words in the message, page the error names)."""
    good = PDF_2023.read_bytes()
    files = {}
    (tmp / "zero.pdf").write_bytes(b"")
    files["zero"] = (tmp / "zero.pdf", "empty file", None)
    (tmp / "random.pdf").write_bytes(os.urandom(4096))
    files["random"] = (tmp / "random.pdf", "not a PDF", None)
    (tmp / "notes.pdf").write_text("这不是PDF文件", encoding="utf-8")
    files["text"] = (tmp / "notes.pdf", "not a PDF", None)
    (tmp / "half.pdf").write_bytes(good[: len(good) // 2])
    files["truncated"] = (tmp / "half.pdf", "truncated", None)
    with pikepdf.open(PDF_2023) as pdf:
        pdf.save(tmp / "locked.pdf", encryption=pikepdf.Encryption(owner="owner", user="secret"))
    files["encrypted"] = (tmp / "locked.pdf", "password-protected", None)
    with pikepdf.open(PDF_2023) as pdf, pikepdf.open(SCAN) as scan:
        del pdf.pages[3:]
        pdf.pages.append(scan.pages[0])  # page 4: an image, no text layer
        pdf.save(tmp / "mixed.pdf")
    files["scanned page"] = (tmp / "mixed.pdf", "no text layer (scanned?)", 4)
    return files


@pytest.mark.parametrize("case", ["zero", "random", "text", "truncated", "encrypted", "scanned page"])
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path: Path, case: str) -> None:
    path, words, page = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    result = run("extract", path, "-o", out, "--ocr", "off")
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert str(path) in message and words in message
    if page is not None:
        assert f"page {page}" in message
    assert not out.exists() or not any(out.iterdir())


def test_engine_choice_is_validated() -> None:
    result = run("extract", PDF_2023, "-o", "/tmp/x", "--engine", "tabula")
    assert result.exit_code == 2
