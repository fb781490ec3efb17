"""Review tools: the page overlay, the HTML review report and the analysts'
notebook, each checked the way a person would use it (the PNG's content,
the report in a real browser, the notebook run by a Jupyter kernel)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import FIXTURES, ROOT, SAMPLE
from PIL import Image

from jixiao.corpus.discovery import discover
from jixiao.corpus.runner import run_corpus
from jixiao.dataset import open_dataset
from jixiao.model import BlockKind
from jixiao.output.overlay import render_overlay
from jixiao.output.report import ReportStats, write_report

PDF_2023 = SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf"
TRUTH_2023 = FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023/truth/tables.json"
NOTEBOOK = ROOT / "notebooks/analyst_quickstart.ipynb"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def test_overlay_of_page_10_draws_every_cell_of_its_table(tmp_path: Path, doc2023) -> None:
    # t1 is the one table printed on page 10
    truth = {t["id"]: t for t in json.loads(TRUTH_2023.read_text(encoding="utf-8"))}["t1"]
    out = tmp_path / "overlay.png"
    stats = render_overlay(PDF_2023, 10, out)  # reads the PDF itself
    assert stats.page == 10
    assert stats.cells_drawn == len(truth["cells"])
    assert stats.merged_cells_drawn == sum(c["rowspan"] > 1 or c["colspan"] > 1 for c in truth["cells"])
    assert stats.blocks_drawn == sum(b.page == 10 and b.kind != BlockKind.TABLE for b in doc2023.blocks) > 0

    pdf = pdfium.PdfDocument(PDF_2023)
    width, height = pdf[9].get_size()
    pdf.close()
    image = Image.open(out).convert("RGB")
    assert image.width == pytest.approx(width * 2, abs=1)
    assert image.width / image.height == pytest.approx(width / height, abs=0.002)
    # a merged cell is shaded (orange over white), a single cell is not
    t1 = next(t for t in doc2023.tables if t.page_start == 10)
    merged = next(c for c in t1.cells if c.colspan > 1 and c.text)
    single = next(c for c in t1.cells if c.rowspan == c.colspan == 1 and c.text)
    for cell, shaded in ((merged, True), (single, False)):
        r, g, b = image.getpixel((round((cell.bbox.x0 + 4) * 2), round((cell.bbox.top + 4) * 2)))
        assert (r - b > 40) is shaded, (cell.text, (r, g, b))


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """The sample corpus plus an empty file (a failed document) run into a
    dataset, the 2022 PDF then deleted (its crops must say so), and the
    report written. Returns the dataset, the index and file stem → doc_id."""
    base = tmp_path_factory.mktemp("review")
    corpus = base / "corpus"
    corpus.mkdir()
    for pdf in SAMPLE.glob("*.pdf"):
        shutil.copy(pdf, corpus / pdf.name)
    (corpus / "empty.pdf").write_bytes(b"")
    ids = {item.path.stem: item.doc_id for item in discover(corpus)}
    dataset = base / "dataset"
    summary = run_corpus(corpus, dataset, workers=1)
    assert (summary.ok, len(summary.failed)) == (3, 1)
    (corpus / "hebei-huyang-county-jyj-2022.pdf").unlink()
    index = base / "report" / "report.html"
    stats = write_report(dataset, index)
    ds = open_dataset(dataset)
    assert stats == ReportStats(documents=4, tables=len(ds.tables), flags=len(ds.flags))
    return dataset, index, ids


def _page_html(index: Path, doc_id: str) -> str:
    return (index.parent / "report_files" / f"{doc_id}.html").read_text(encoding="utf-8")


def test_report_says_why_a_document_failed_or_has_no_crop(reported) -> None:
    _, index, ids = reported
    assert "EMPTY_FILE" in _page_html(index, ids["empty"])
    missing = _page_html(index, ids["hebei-huyang-county-jyj-2022"])
    assert "the source PDF is no longer at" in missing and "data:image/png" not in missing
    assert sorted(p.stem for p in (index.parent / "report_files").iterdir()) == sorted(ids.values())


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed; .ci/run installs Debian's chromium")
def test_report_opens_in_chromium_with_working_links(reported) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (dev extra)")
    dataset, index, ids = reported
    doc_id = ids["hebei-chengde-gxq-zrzy-2023"]
    ds = open_dataset(dataset)
    tables = ds.tables.query("doc_id == @doc_id")
    n_flags = int((ds.flags["doc_id"] == doc_id).sum())
    assert len(tables) == 7 and n_flags > 0
    n_fragments = sum(len(f) for f in tables["fragments"])
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text}")

    def on_request(request) -> None:
        if not request.url.startswith(("file:", "data:")):
            problems.append(f"fetched {request.url}: the report must open offline")

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("request", on_request)

        page.goto(index.as_uri())
        assert page.locator("table.index tbody tr").count() == 4
        page.click(f'table.index a[href$="{doc_id}.html"] >> nth=0')
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/report_files/{doc_id}.html")

        assert page.locator("table.extracted").count() == len(tables)
        assert page.locator("table.flags tbody tr").count() == n_flags
        links = page.eval_on_selector_all("table.flags a[href^='#']",
                                          "as => as.map(a => a.getAttribute('href'))")
        assert len(links) == n_flags  # every flag of this document names a table row
        assert [h for h in links if page.locator(f"[id='{h[1:]}']").count() != 1] == []
        loaded = "[...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
        assert page.evaluate(loaded) == n_fragments
        page.click(f"table.flags a[href='{links[0]}']")
        assert page.evaluate("location.hash") == links[0]
        browser.close()
    assert problems == []


def test_notebook_is_saved_without_outputs() -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code and all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code)


def test_notebook_runs_on_the_dataset(reported, monkeypatch: pytest.MonkeyPatch) -> None:
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (dev extra)")
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (dev extra)")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (dev extra): no python3 kernel")
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (dev extra)")
    dataset, _, _ = reported
    monkeypatch.setenv("JIXIAO_DATASET", str(dataset))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert f"dataset: {dataset.resolve()}" in "".join(o.get("text", "") for o in outputs)  # not built anew
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2  # both charts drawn
