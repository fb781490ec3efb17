"""Review tools: the page overlay, the HTML review report and the analysts'
notebook, each checked the way a person would use it (the PNG's content,
the report in a real browser, the notebook run by a Jupyter kernel)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SAMPLE
from lxml import html as lxml_html
from PIL import Image
from review_data import copy_dataset, edit_rows, sample_run

from jixiao.cli import main
from jixiao.corpus.runner import run_corpus
from jixiao.dataset import load_document, open_dataset
from jixiao.model import BlockKind
from jixiao.output.overlay import render_overlay
from jixiao.output.page_image import PageImageError, render_page
from jixiao.output.report import STATE_FILE, write_report
from jixiao.output.report_page import CROP_MARGIN, IMAGE_SCALE, MAX_IMAGE_SIDE_PX
from jixiao.schema import document_files

PDF_2023 = SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf"
PDF_2022 = SAMPLE / "hebei-huyang-county-jyj-2022.pdf"
TRUTH_2023 = FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023/truth/tables.json"
RECORDS_2023 = FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023/truth/records.json"
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


def _with_boxes(source: Path, target: Path, boxes: dict[int, list[float]]) -> Path:
    """``source`` with the MediaBox of some pages (1-based) replaced."""
    with pikepdf.open(source) as pdf:
        for number, box in boxes.items():
            page = pdf.pages[number - 1]
            page.MediaBox = pikepdf.Array(box)
            for other in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox"):
                if other in page.obj:
                    del page.obj[other]
        pdf.save(target)
    return target


def test_page_images_are_bounded_in_pixels(tmp_path: Path) -> None:
    pdf_file = _with_boxes(PDF_2022, tmp_path / "odd.pdf", {1: [0, 0, 14400, 14400], 2: [0, 0, 14400, 20]})
    pdf = pdfium.PdfDocument(pdf_file)
    try:
        huge = render_page(pdf, 1, scale=2.0, max_side_px=1000)
        assert huge.size == (1000, 1000)
        strip = render_page(pdf, 2, scale=2.0, max_side_px=1000)
        assert strip.width == 1000 and 1 <= strip.height <= 2
        normal = render_page(pdf, 3, scale=1.0, max_side_px=1000)  # within the bound: not scaled down
        assert normal.size == (596, 842)  # A4 is 595.28 × 841.89 pt; pdfium rounds up
        with pytest.raises(PageImageError, match="no page 99"):
            render_page(pdf, 99, scale=1.0, max_side_px=1000)
    finally:
        pdf.close()


# --- the report -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """A copy of the sample dataset (three documents and an empty file that
    failed) whose 2022 document says its PDF was at a path that no longer
    exists, and the report written from it. Returns the dataset, the index
    and file stem → doc_id."""
    base = tmp_path_factory.mktemp("review")
    dataset = copy_dataset(base / "dataset")
    ids = sample_run().ids

    def moved(rows: list[dict]) -> None:
        for row in rows:
            row["source_path"] = str(base / "gone" / "hebei-huyang-county-jyj-2022.pdf")
            row["source_paths"] = [row["source_path"]]
            row["corpus_root"] = str(base / "gone")  # the corpus moved away too

    edit_rows(dataset, "documents", ids["hebei-huyang-county-jyj-2022"], moved)
    index = base / "report" / "report.html"
    stats = write_report(dataset, index)
    ds = open_dataset(dataset)
    assert (stats.documents, stats.built, stats.unchanged, stats.problems) == (4, 4, 0, [])
    assert (stats.tables, stats.flags) == (len(ds.tables), len(ds.flags))
    return dataset, index, ids


def _page_html(index: Path, doc_id: str) -> str:
    return (index.parent / "report_files" / f"{doc_id}.html").read_text(encoding="utf-8")


def test_report_says_why_a_document_failed_or_has_no_page_image(reported) -> None:
    _, index, ids = reported
    assert "EMPTY_FILE" in _page_html(index, ids["empty"])
    missing = _page_html(index, ids["hebei-huyang-county-jyj-2022"])
    assert "the source PDF is not at any recorded place" in missing and "<img" not in missing
    files = index.parent / "report_files"
    assert sorted(p.stem for p in files.glob("*.html")) == sorted([*ids.values(), "flags"])
    assert not (files / ids["hebei-huyang-county-jyj-2022"]).exists()  # no images for it


def test_report_shows_the_normalised_values_beside_each_table(reported) -> None:
    dataset, index, ids = reported
    doc_id = ids["hebei-chengde-gxq-zrzy-2023"]
    page = lxml_html.fromstring(_page_html(index, doc_id))
    ds = open_dataset(dataset)
    for name in ("projects", "spending_plan", "indicators"):
        rows = ds[name].query("doc_id == @doc_id")
        for table_id, group in rows.groupby("table_id"):
            (section,) = page.xpath(f"//section[@id='sec-{table_id}']")
            (shown,) = section.xpath(f".//div[@class='records']/div[@data-records='{name}']//table")
            header = [th.text_content() for th in shown.xpath("./thead/tr/th")]
            assert "table_id" not in header and "doc_id" not in header
            assert set(header) <= set(group.columns)
            assert len(shown.xpath("./tbody/tr")) == len(group)
    # hand-checked in records.json: t1 is 2023 年度规划业务经费 with 40.00 万元, its indicators' standard names
    truth = json.loads(RECORDS_2023.read_text(encoding="utf-8"))
    (t1,) = page.xpath("//section[@id='sec-t1']")
    text = t1.text_content()
    assert "40.00" in text and "2023 年度规划业务经费".replace(" ", "") in text.replace(" ", "")
    for indicator in (i for i in truth["indicators"] if i["table_id"] == "t1"):
        assert indicator["level1_std"] in text and indicator["level2_std"] in text


def test_every_flag_has_a_mark_on_its_page_image(reported) -> None:
    dataset, index, ids = reported
    doc_id = ids["hebei-chengde-gxq-zrzy-2023"]
    flags = open_dataset(dataset).flags.query("doc_id == @doc_id")
    page = lxml_html.fromstring(_page_html(index, doc_id))
    marks = page.xpath("//div[@class='sheet']/a[contains(@class, 'mark')]")
    assert len(marks) == len(flags) > 0
    for i, (table_id, row) in enumerate(zip(flags["table_id"], flags["row"])):
        (mark,) = page.xpath(f"//*[@id='m{i}']")
        assert mark.get("href") == f"#flag-{i}"
        section = mark.xpath("ancestor::section")[0]
        assert section.get("id") == f"sec-{table_id}"  # on the crop beside the flagged table
        assert row is not None


def test_flags_not_tied_to_a_table_link_to_their_page(tmp_path: Path) -> None:
    """An extraction note names its page; a document-level flag names none
    and points at the cover. Both get a mark on a whole-page image."""
    dataset = copy_dataset(tmp_path / "dataset")
    doc_id = sample_run().ids["hebei-hengshui-city-wjw-2024"]
    note = {"doc_id": doc_id, "table_id": None, "row": None, "code": "EXTRACTION_NOTE", "severity": "info",
            "message": "[TEXT_LAYER_HIDDEN] page 3: a line drawn outside the page"}
    whole = {"doc_id": doc_id, "table_id": None, "row": None, "code": "MISSING_FIELD", "severity": "warning",
             "message": "no budget year printed"}
    edit_rows(dataset, "flags", doc_id, lambda rows: rows.extend([note, whole]))
    write_report(dataset, tmp_path / "report.html")
    page = lxml_html.fromstring((tmp_path / "report_files" / f"{doc_id}.html").read_text(encoding="utf-8"))
    flags = page.xpath("//table[contains(@class, 'flags')]/tbody/tr")
    assert len(flags) == 2
    for i, expected_page in enumerate((3, 1)):
        (link,) = flags[i].xpath(".//a[@class='to-image']")
        assert link.get("href") == f"#m{i}" and f"页 {expected_page} 图" in link.text_content()
        (mark,) = page.xpath(f"//*[@id='m{i}']")
        figure = mark.xpath("ancestor::figure")[0]
        assert figure.get("id") == f"page-{expected_page}"
        (image,) = figure.xpath(".//img")
        assert (tmp_path / "report_files" / image.get("src")).is_file()


def test_report_is_incremental(reported, tmp_path: Path) -> None:
    dataset = copy_dataset(tmp_path / "dataset")
    ids = sample_run().ids
    index = tmp_path / "report.html"
    first = write_report(dataset, index)
    assert (first.built, first.unchanged) == (4, 0)
    page_2024 = index.parent / "report_files" / f"{ids['hebei-hengshui-city-wjw-2024']}.html"
    before = page_2024.stat().st_mtime_ns
    again = write_report(dataset, index)
    assert (again.built, again.unchanged, again.images) == (0, 4, 0)
    assert page_2024.stat().st_mtime_ns == before

    # a re-run rewrites one document's rows: only its page is rebuilt
    def retitle(rows: list[dict]) -> None:
        rows[0]["title"] = "改过的标题"

    edit_rows(dataset, "documents", ids["hebei-chengde-gxq-zrzy-2023"], retitle)
    third = write_report(dataset, index)
    assert (third.built, third.unchanged) == (1, 3)
    assert "改过的标题" in index.read_text(encoding="utf-8")

    # a document gone from the dataset: its page and page images go too
    gone = ids["hebei-hengshui-city-wjw-2024"]
    for file in dataset.glob(f"*/year=*/{gone}.parquet"):
        file.unlink()
    fourth = write_report(dataset, index)
    assert (fourth.documents, fourth.built, fourth.unchanged) == (3, 0, 3)
    assert not page_2024.exists() and not (index.parent / "report_files" / gone).exists()
    state = json.loads((index.parent / "report_files" / STATE_FILE).read_text(encoding="utf-8"))
    assert gone not in state["documents"]


def test_report_command_builds_one_document_named_by_file(reported, tmp_path: Path) -> None:
    run = sample_run()
    index = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(run.dataset), "-o", str(index),
                                       "--doc", "hebei-hengshui-city-wjw-2024.pdf"])
    assert result.exit_code == 0, result.output
    assert "1 built, 0 unchanged" in result.output
    assert sorted(p.stem for p in (tmp_path / "r_files").glob("*.html")) == sorted(
        [run.ids["hebei-hengshui-city-wjw-2024"], "flags"])


@pytest.mark.slow
def test_report_and_readers_survive_odd_page_boxes_and_values(tmp_path: Path) -> None:
    """One document with a zero, an inverted and a 14,400-pt MediaBox on
    pages that hold tables, filed under a year no 32-bit integer holds:
    report, list and export still work for the whole dataset, the huge page
    is drawn within the pixel bound, the zero and inverted pages are read and
    drawn as a viewer shows them (the default page size for a box of no
    area, the inverted box put right)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _with_boxes(PDF_2022, corpus / "odd.pdf", {3: [0, 0, 0, 0], 4: [595, 842, 0, 0], 5: [0, 0, 14400, 14400]})
    shutil.copy(PDF_2023, corpus / "normal.pdf")
    dataset = tmp_path / "dataset"
    summary = run_corpus(corpus, dataset, workers=1)
    assert summary.ok == 2
    odd = next(d for d in open_dataset(dataset).documents.itertuples() if d.source_path.endswith("odd.pdf"))
    pages = open_dataset(dataset).pages.query("doc_id == @odd.doc_id").set_index("page")
    sizes = [(pages.loc[n, "width"], pages.loc[n, "height"]) for n in (3, 4, 5)]
    assert sizes == [(612, 792), (595, 842), (14400, 14400)]  # what the dataset holds for them
    for file in dataset.glob(f"*/year=*/{odd.doc_id}.parquet"):
        target = file.parent.parent / "year=99999999999" / file.name
        target.parent.mkdir(exist_ok=True)
        file.rename(target)

    runner = CliRunner()
    result = runner.invoke(main, ["report", str(dataset), "-o", str(tmp_path / "report.html")])
    assert result.exit_code == 0, result.output
    images = tmp_path / "report_files" / odd.doc_id
    assert all(max(Image.open(p).size) <= MAX_IMAGE_SIDE_PX for p in images.glob("*.png"))
    fragments = {(t.id, i): f for t in load_document(dataset, odd.doc_id).tables for i, f in enumerate(t.fragments)}
    on_page = {n: [(key, images / f"{key[0]}-{key[1]}.png") for key, f in fragments.items() if f.page == n]
               for n in (3, 4, 5)}
    assert all(on_page.values())  # every odd page holds a table
    assert all(file.exists() for n in (3, 4) for _, file in on_page[n])
    for key, file in on_page[5]:  # the 14,400-pt page: its tables drawn alone, at full resolution
        width = fragments[key].bbox.width + 2 * CROP_MARGIN
        assert Image.open(file).width == pytest.approx(width * IMAGE_SCALE, abs=2)
    page = (tmp_path / "report_files" / f"{odd.doc_id}.html").read_text(encoding="utf-8")
    assert "99999999999" in page

    listed = runner.invoke(main, ["list", str(dataset), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert {row["file"]: row["year"] for row in json.loads(listed.output)} == {"odd.pdf": "99999999999",
                                                                                "normal.pdf": "2023"}
    db = tmp_path / "bi.duckdb"
    exported = runner.invoke(main, ["export", str(dataset), "--duckdb", str(db)])
    assert exported.exit_code == 0, exported.output
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    assert sorted(con.execute("SELECT year FROM documents").fetchall(), key=str) == [(2023,), (None,)]
    assert con.execute("SELECT count(DISTINCT doc_id) FROM cells").fetchone() == (2,)
    con.close()


def test_a_document_whose_page_cannot_be_built_is_reported_not_fatal(tmp_path: Path) -> None:
    dataset = copy_dataset(tmp_path / "dataset")
    broken = sample_run().ids["hebei-hengshui-city-wjw-2024"]
    (cells,) = document_files(dataset, "cells", broken)
    cells.write_bytes(b"PAR1 not parquet")
    result = CliRunner().invoke(main, ["report", str(dataset), "-o", str(tmp_path / "report.html")])
    assert result.exit_code == 1
    assert f"{broken}: report page not built" in result.output
    assert "3 built" in result.output  # the other documents' pages are there
    page = (tmp_path / "report_files" / f"{broken}.html").read_text(encoding="utf-8")
    assert "This page could not be built" in page


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed; .ci/run installs Debian's chromium")
def test_report_search_filters_and_flag_links_work_in_chromium(reported) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (dev extra)")
    dataset, index, ids = reported
    doc_id = ids["hebei-chengde-gxq-zrzy-2023"]
    flags = open_dataset(dataset).flags
    n_doc_flags = int((flags["doc_id"] == doc_id).sum())
    problems: list[str] = []

    def on_request(request) -> None:
        if not request.url.startswith(("file:", "data:")):
            problems.append(f"fetched {request.url}: the report must open offline")

    def visible_rows(page, table: str) -> int:
        return page.locator(f"{table} tbody tr:visible").count()

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("request", on_request)

        # the index: search, filter, sort
        page.goto(index.as_uri())
        assert visible_rows(page, "table.index") == 4
        page.fill("input.search", "衡水")
        assert visible_rows(page, "table.index") == 1
        assert "衡水" in page.locator("table.index tbody tr:visible").inner_text()
        page.fill("input.search", "")
        page.select_option("select[name=status]", "failed")
        assert visible_rows(page, "table.index") == 1 and page.inner_text(".count") == "1 / 4"
        page.select_option("select[name=status]", "")
        page.click("table.index th:has-text('页数 pages')")
        shown = page.eval_on_selector_all("table.index tbody tr td:nth-child(6)", "tds => tds.map(t => t.innerText)")
        numbers = [int(v) for v in shown if v.isdigit()]
        assert numbers == sorted(numbers) and len(numbers) == 3

        # all flags: filter by document and code, then follow a flag to its page image
        page.click("nav.top a[href$='flags.html']")
        page.wait_for_load_state("load")
        assert visible_rows(page, "table.flags") == len(flags)
        code = flags.query("doc_id == @doc_id")["code"].iloc[0]
        page.select_option("select[name=code]", code)
        assert visible_rows(page, "table.flags") == int((flags["code"] == code).sum())
        page.select_option("select[name=code]", "")
        label = page.eval_on_selector(f"table.flags tr[data-document*='{doc_id[:8]}']", "r => r.dataset.document")
        page.select_option("select[name=document]", label)
        assert visible_rows(page, "table.flags") == n_doc_flags
        page.locator("table.flags tbody tr:visible a.to-image").first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/report_files/{doc_id}.html#m0")
        target = page.locator(":target")
        assert target.evaluate("el => el.matches('.sheet > a.mark')")
        page.wait_for_function("() => { const i = document.querySelector(':target').parentElement.querySelector('img');"
                               " return i.complete && i.naturalWidth > 0; }")
        box, viewport = target.bounding_box(), page.viewport_size
        assert box is not None and 0 <= box["y"] < viewport["height"] and box["width"] > 50

        # on the document page: the flag table's own filter and every flag's image link
        assert visible_rows(page, "table.flags") == n_doc_flags
        page.select_option("table.flags >> xpath=preceding-sibling::div[1] >> select[name=severity]", "warning")
        links = page.eval_on_selector_all("table.flags a.to-image", "as => as.map(a => a.getAttribute('href'))")
        assert len(links) == n_doc_flags
        assert [h for h in links if page.locator(f"[id='{h[1:]}'].mark").count() != 1] == []
        page.locator("table.flags a.to-image").nth(n_doc_flags - 1).click()
        assert page.evaluate("location.hash") == links[-1]
        browser.close()
    assert problems == []


def test_notebook_is_saved_without_outputs() -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code and all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code)


@pytest.mark.slow
def test_notebook_runs_on_the_dataset(monkeypatch: pytest.MonkeyPatch) -> None:
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (dev extra)")
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (dev extra)")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (dev extra): no python3 kernel")
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (dev extra)")
    dataset = sample_run().dataset
    monkeypatch.setenv("JIXIAO_DATASET", str(dataset))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    beside = sorted(os.listdir(NOTEBOOK.parent))
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert f"dataset: {dataset.resolve()}" in text  # not built anew
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2  # both charts drawn
    assert "| value type: Decimal |" in text  # the budgets stay exact decimals
    described = [o for cell in notebook.cells if cell.get("id") == "floats" for o in cell.outputs]
    assert "budget_wan_yuan" in described[0]["data"]["text/plain"]  # describe() on the float copy
    assert sorted(os.listdir(NOTEBOOK.parent)) == beside  # running it leaves nothing beside it
