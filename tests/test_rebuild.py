"""Rebuilding documents from the dataset alone, and proving the rebuild right.

The corpus is copied, run, and its PDFs deleted before anything is rebuilt:
every rebuild here reads nothing but Parquet.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, corpus_fixtures
from teds import tables_from_html, teds

from jixiao.cli import main
from jixiao.corpus.discovery import discover
from jixiao.corpus.runner import run_corpus
from jixiao.dataset import load_document
from jixiao.model import BlockKind

BORN_DIGITAL = corpus_fixtures()
_WS = re.compile(r"\s+")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Dataset of all born-digital fixtures; returns it and fixture name → doc_id."""
    base = tmp_path_factory.mktemp("rebuild")
    corpus = base / "corpus"
    corpus.mkdir()
    for fx in BORN_DIGITAL:
        shutil.copy(fx.pdf, corpus / f"{fx.name}.pdf")
    ids = {item.path.stem: item.doc_id for item in discover(corpus)}
    dataset = base / "dataset"
    summary = run_corpus(corpus, dataset, workers=1)
    assert summary.ok == len(BORN_DIGITAL)
    shutil.rmtree(corpus)  # from here on only the dataset exists
    return dataset, ids


def cli(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_verify_2023_against_the_published_text(built) -> None:
    dataset, ids = built
    source = FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023/source.txt"
    assert "**六是**" in source.read_text(encoding="utf-8")
    result = cli("verify", dataset, "--doc", ids["hebei-chengde-gxq-zrzy-2023"], "--source", source)
    assert result.exit_code == 0, result.output
    assert "identical" in result.output and "similarity 1.000000" in result.output


@pytest.mark.parametrize("fx", BORN_DIGITAL, ids=lambda f: f.name)
def test_verify_every_born_digital_document(built, fx) -> None:
    dataset, ids = built
    result = cli("verify", dataset, "--doc", ids[fx.name], "--source", fx.truth / "text.txt")
    assert result.exit_code == 0, result.output


def test_verify_reports_differences_and_fails(built, tmp_path: Path) -> None:
    dataset, ids = built
    source = (FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023/source.txt").read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(source.replace("**六是**", "六是").replace("40.00", "41.00"), encoding="utf-8")
    result = cli("verify", dataset, "--doc", ids["hebei-chengde-gxq-zrzy-2023"], "--source", wrong)
    assert result.exit_code == 1
    assert "[40.00]" in result.output or "[0]" in result.output or "41.00" in result.output
    assert "**" in result.output
    lenient = cli("verify", dataset, "--doc", ids["hebei-chengde-gxq-zrzy-2023"], "--source", wrong,
                  "--min-similarity", "0.99")
    assert lenient.exit_code == 0


def test_rebuild_text_matches_truth_text_format(built) -> None:
    dataset, ids = built
    result = cli("rebuild", dataset, "--doc", ids["hebei-chengde-gxq-zrzy-2023"], "--format", "text")
    truth = (FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023/truth/text.txt").read_text(encoding="utf-8")
    # same blocks, same table rows (TAB-separated, empty fields for covered positions)
    assert [ln.count("\t") for ln in result.output.splitlines()] == [ln.count("\t") for ln in truth.splitlines()]


def test_rebuild_markdown_and_html_keep_spans(built, tmp_path: Path) -> None:
    dataset, ids = built
    truth = tables_from_html((FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023/truth/tables.html").read_text())
    for fmt in ("markdown", "html"):
        out = tmp_path / f"doc.{fmt}"
        assert cli("rebuild", dataset, "--doc", ids["hebei-chengde-gxq-zrzy-2023"], "--format", fmt, "-o", out).exit_code == 0
        text = out.read_text(encoding="utf-8")
        tables = tables_from_html(text if fmt == "html" else f"<html><body>{text}</body></html>")
        assert [teds(p, t) for p, t in zip(tables, truth, strict=True)] == [1.0] * 7
    assert text.startswith("<!DOCTYPE html>")


def test_unknown_doc_is_a_usage_error(built) -> None:
    dataset, _ = built
    assert cli("rebuild", dataset, "--doc", "ffffffff").exit_code == 2


def _soffice_to_pdf(docx: Path, out_dir: Path) -> Path:
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{out_dir / 'profile'}", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(docx)],
        check=True, capture_output=True, timeout=240,
    )
    return out_dir / f"{docx.stem}.pdf"


def _content(document) -> tuple[list[tuple], list[str]]:
    cells = [
        [(c.row, c.col, c.rowspan, c.colspan, _WS.sub("", c.text)) for c in t.cells] for t in document.tables
    ]
    texts = [_WS.sub("", b.text) for b in document.blocks if b.kind in (BlockKind.HEADING, BlockKind.PARAGRAPH)]
    return cells, texts


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed; .ci/run installs it")
@pytest.mark.parametrize("name", ["hebei-chengde-gxq-zrzy-2023", "hebei-hengshui-city-wjw-2024"])
def test_docx_round_trip(built, tmp_path: Path, name: str) -> None:
    """dataset → DOCX (jixiao rebuild) → PDF (LibreOffice) → jixiao extract:
    the same cells (text, spans) and the same heading and paragraph texts."""
    dataset, ids = built
    docx = tmp_path / f"{name}.docx"
    assert cli("rebuild", dataset, "--doc", ids[name], "--format", "docx", "-o", docx).exit_code == 0
    pdf = _soffice_to_pdf(docx, tmp_path)
    out = tmp_path / "layout"
    assert cli("extract", pdf, "-o", out).exit_code == 0
    from jixiao.model import Document

    again = Document.from_json(next(out.glob("*.layout.json")).read_bytes())
    assert _content(again) == _content(load_document(dataset, ids[name]))


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed; .ci/run installs Debian's chromium")
def test_html_opens_in_chromium_without_errors(built, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    dataset, ids = built
    html = tmp_path / "doc.html"
    assert cli("rebuild", dataset, "--doc", ids["hebei-chengde-gxq-zrzy-2023"], "--format", "html", "-o", html).exit_code == 0
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("document.querySelectorAll('table').length") == 7
        shot = tmp_path / "rebuild.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert problems == []
    assert shot.stat().st_size > 10_000
