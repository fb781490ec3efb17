"""`jixiao run` over folders: bad inputs in one corpus, incremental re-runs,
a run killed with SIGKILL and resumed, and the same result on a local Dask
cluster. (Damaged files, bounded workers, identity, files and names, a real
Dask cluster: the other test_corpus_*.py.)"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pikepdf
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLE

from jixiao.cli import main
from jixiao.corpus.runner import run_corpus
from jixiao.schema import TABLES

PDF_2023 = SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf"
SCAN = FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023-scan/document.pdf"
VOLATILE = ("extracted_at", "seconds")  # differ between any two runs
PATHS = ("source_path", "source_paths", "corpus_root")  # differ when the corpus is copied


def query(dataset: Path, sql: str) -> list[tuple]:
    con = duckdb.connect()
    for table in ("documents", "blocks", "cells", "indicators", "projects", "document_meta"):
        if not list(dataset.glob(f"{table}/*/*.parquet")):
            continue
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{dataset}/{table}/*/*.parquet', "
                    "hive_partitioning=true, union_by_name=true)")
    return con.execute(sql).fetchall()


def build_bad_corpus(root: Path) -> dict[str, str]:
    """The issue's bad inputs in one folder; returns file name → expected status."""
    root.mkdir(parents=True)
    good = PDF_2023.read_bytes()
    expected: dict[str, str] = {}
    (root / "zero.pdf").write_bytes(b"")
    expected["zero.pdf"] = "EMPTY_FILE"
    (root / "random.PDF").write_bytes(os.urandom(5000))
    expected["random.PDF"] = "NOT_PDF"
    (root / "half.pdf").write_bytes(good[: len(good) // 2])
    expected["half.pdf"] = "TRUNCATED"
    with pikepdf.open(PDF_2023) as pdf:
        pdf.save(root / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    expected["locked.pdf"] = "ENCRYPTED"
    shutil.copy(FIXTURES / "external/pdfplumber-issue-842/document.pdf", root / "no-tables.pdf")
    expected["no-tables.pdf"] = "ok"
    with pikepdf.open(PDF_2023) as pdf, pikepdf.open(SCAN) as scan:
        del pdf.pages[2:]
        pdf.pages.append(scan.pages[0])
        pdf.save(root / "mixed.pdf")
    expected["mixed.pdf"] = "ok"  # its image-only page 3 is OCR'd
    with pikepdf.open(PDF_2023) as src:
        big = pikepdf.new()
        for _ in range(300):
            big.pages.append(src.pages[2])  # a page of prose
        big.save(root / "long-300.pdf")
    expected["long-300.pdf"] = "ok"
    sub = root / "2023 归档"
    sub.mkdir()
    shutil.copy(PDF_2023, sub / "承德 高新区 绩效文本.pdf")
    shutil.copy(PDF_2023, root / "same-bytes-other-name.pdf")
    expected["2023 归档/承德 高新区 绩效文本.pdf"] = "ok"
    (root / "readme.txt").write_text("not a PDF, ignored", encoding="utf-8")
    return expected


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str], object]:
    base = tmp_path_factory.mktemp("bad")
    corpus, dataset = base / "corpus", base / "dataset"
    expected = build_bad_corpus(corpus)
    result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(dataset), "--workers", "2", "--quiet"])
    return corpus, dataset, expected, result


def test_bad_inputs_are_recorded_and_the_run_goes_on(bad_run) -> None:
    corpus, dataset, expected, result = bad_run
    assert result.exit_code == 1, result.output
    failed = sum(1 for want in expected.values() if want != "ok")
    assert re.search(r"in the dataset: failed\s+(\d+)", result.output).group(1) == str(failed)
    rows = query(dataset, "SELECT source_path, source_paths, status, error_code, error, pages FROM documents")
    by_name: dict[str, tuple] = {}
    for source, paths, status, code, error, pages in rows:
        by_name[str(Path(source).relative_to(corpus))] = (status, code, error, pages, paths)
    # same bytes under two names: one document, both paths recorded
    assert len(rows) == len(expected)
    twin = by_name["2023 归档/承德 高新区 绩效文本.pdf"]
    assert sorted(Path(p).name for p in twin[4]) == ["same-bytes-other-name.pdf", "承德 高新区 绩效文本.pdf"]
    for name, want in expected.items():
        status, code, error, pages, _ = by_name[name]
        if want == "ok":
            assert status == "ok", (name, error)
        else:
            assert (status, code) == ("failed", want), (name, error)
            assert name.split("/")[-1] in error
    assert query(dataset, "SELECT p.page, p.text_layer FROM read_parquet('" + str(dataset) + "/pages/*/*.parquet') p "
                          "JOIN documents d USING (doc_id) WHERE d.source_path LIKE '%mixed.pdf'") == [
        (1, True), (2, True), (3, False)]
    assert by_name["long-300.pdf"][3] == 300
    assert "FAILED" in result.output


def test_good_documents_are_complete_beside_bad_ones(bad_run) -> None:
    _, dataset, _, _ = bad_run
    assert query(dataset, "SELECT count(*) FROM projects") == [(7,)]
    assert query(dataset, "SELECT count(*) FROM indicators") == [(48,)]
    assert not list(dataset.rglob("*.tmp"))


def test_rerun_of_unchanged_corpus_skips_everything(bad_run) -> None:
    corpus, dataset, expected, _ = bad_run
    started = time.perf_counter()
    again = run_corpus(corpus, dataset)
    failed = sum(1 for want in expected.values() if want != "ok")
    # these failures are the files' own (not a timeout, say): they would fail again
    assert (again.processed, again.unchanged) == (0, len(expected))
    # the summary and the exit code say what the dataset holds
    assert (again.ok, len(again.failed), again.exit_code) == (len(expected) - failed, failed, 1)
    assert time.perf_counter() - started < 30


def _rows(dataset: Path, table: str, also_ignore: tuple[str, ...] = ()) -> list[tuple]:
    con = duckdb.connect()
    columns = [
        r[0]
        for r in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet('{dataset}/{table}/*/*.parquet', hive_partitioning=true)"
        ).fetchall()
        if r[0] not in VOLATILE + also_ignore
    ]
    cols = ", ".join(f'"{c}"' for c in columns)
    return con.execute(
        f"SELECT {cols} FROM read_parquet('{dataset}/{table}/*/*.parquet', hive_partitioning=true) ORDER BY ALL"
    ).fetchall()




@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    run_corpus(SAMPLE, out, workers=1)
    return out


@pytest.mark.slow
def test_sigkill_midway_then_resume_gives_the_complete_dataset(tmp_path: Path, reference: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    dataset = tmp_path / "dataset"
    cmd = [sys.executable, "-m", "jixiao.cli", "run", str(corpus), "-o", str(dataset), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not list(dataset.glob("documents/*/*.parquet")):
        time.sleep(0.05)
    time.sleep(0.3)  # the first document is complete; the second is being written
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(list(dataset.glob("documents/*/*.parquet"))) < 3, "the run finished before it could be killed"
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert not list(dataset.rglob("*.tmp"))
    for table in TABLES:
        assert _rows(dataset, table, PATHS) == _rows(reference, table, PATHS), table


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_dataset(tmp_path: Path, reference: Path) -> None:
    pytest.importorskip("distributed")
    dataset = tmp_path / "dask"
    result = CliRunner().invoke(main, ["run", str(SAMPLE), "-o", str(dataset), "--dask-local", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    for table in TABLES:
        assert _rows(dataset, table) == _rows(reference, table), table


def test_workers_are_recycled_without_stalling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More documents than workers × documents-per-worker: every worker
    retires mid-run and must be replaced (ProcessPoolExecutor on Python
    < 3.12.3 would stall here, CPython gh-115634)."""
    from jixiao.corpus import supervisor

    monkeypatch.setattr(supervisor, "DOCS_PER_WORKER", 1)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for fx in ("external/pdfplumber-issue-842", "external/pdfplumber-issue-71", "external/column_span_2",
               "external/row_span_1", "external/twotables_2"):
        shutil.copy(FIXTURES / fx / "document.pdf", corpus / f"{Path(fx).name}.pdf")
    done: list = []
    thread = threading.Thread(target=lambda: done.append(run_corpus(corpus, tmp_path / "ds", workers=2)),
                              daemon=True)
    thread.start()
    thread.join(timeout=180)
    assert done, "the run stalled when its workers retired"
    assert (done[0].ok, len(done[0].failed), done[0].processed) == (5, 0, 5)


def test_manifest_overrides_and_year_from_path(tmp_path: Path) -> None:
    """manifest.csv wins over the document's own text; a document whose text
    gives no year takes it from its path (archives are filed by year)."""
    corpus = tmp_path / "corpus"
    (corpus / "2019").mkdir(parents=True)
    shutil.copy(PDF_2023, corpus / "chengde.pdf")
    shutil.copy(FIXTURES / "external/pdfplumber-issue-336/document.pdf", corpus / "2019" / "standard.pdf")
    (corpus / "manifest.csv").write_text(
        "path,province,city,department,year,source_url\n"
        "chengde.pdf,河北省,承德市,承德高新区自然资源分局,2024,https://example.org/a.pdf\n",
        encoding="utf-8",
    )
    dataset = tmp_path / "ds"
    result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(dataset), "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    rows = {Path(r[0]).name: r[1:]
            for r in query(dataset, "SELECT source_path, year, province, city, department FROM documents")}
    assert rows["chengde.pdf"] == (2024, "河北省", "承德市", "承德高新区自然资源分局")
    assert rows["standard.pdf"][0] == 2019
    printed = {Path(r[0]).name: r[1:] for r in query(
        dataset, "SELECT d.source_path, m.department, m.department_printed, m.city_printed, m.year_printed "
                 "FROM documents d JOIN document_meta m USING (doc_id)")}
    # the manifest's values are not the document's print
    assert printed["chengde.pdf"] == ("承德高新区自然资源分局", False, False, False)
    assert printed["standard.pdf"][3] is False  # the year came from the path


def test_a_bad_manifest_is_a_usage_error(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.csv").write_text("file,year\nx.pdf,2020\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(tmp_path / "ds"), "--quiet"])
    assert result.exit_code == 2 and "path" in result.output


def test_dask_options_exclude_each_other(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(SAMPLE), "-o", str(tmp_path / "ds"), "--dask-local", "2",
                                       "--dask-scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2


def test_timeout_per_document_records_a_failure(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PDF_2023, corpus / "slow.pdf")
    dataset = tmp_path / "ds"
    result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(dataset), "--workers", "1",
                                       "--timeout-per-doc", "0.05", "--quiet"])
    assert result.exit_code == 1
    (row,) = query(dataset, "SELECT status, error_code, error FROM documents")
    assert row[:2] == ("failed", "TIMEOUT") and "slow.pdf" in row[2]


def test_export_inspect_and_report_commands(bad_run, tmp_path: Path) -> None:
    _, dataset, _, _ = bad_run
    db = tmp_path / "jixiao.duckdb"
    assert CliRunner().invoke(main, ["export", str(dataset), "--duckdb", str(db)]).exit_code == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM projects").fetchone() == (7,)
    png = tmp_path / "p10.png"
    result = CliRunner().invoke(main, ["inspect", str(PDF_2023), "--page", "10", "-o", str(png)])
    assert result.exit_code == 0 and png.stat().st_size > 10_000 and "61 cells" in result.output
    report = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(dataset), "-o", str(report)])
    assert result.exit_code == 0 and report.exists()


def imported_after(script: str, packages: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> list[str]:
    """Modules of ``packages`` (or starting with ``prefixes``) that a fresh
    interpreter holds after running ``script``."""
    probe = (f"{script}\nimport sys\n"
             f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {packages!r} "
             f"or m.startswith({prefixes!r}))))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def cli_script(args: list[str], check: str) -> str:
    """A script that runs the ``jixiao`` command with ``args`` in-process
    and asserts ``check`` (an expression over ``result``)."""
    return ("from click.testing import CliRunner\n"
            "from jixiao.cli import main\n"
            f"result = CliRunner().invoke(main, {args!r})\n"
            f"assert {check}, result.output\n")


@pytest.mark.slow
def test_the_runs_parent_imports_no_extraction_stack(tmp_path: Path) -> None:
    """The parent only discovers, supervises and summarises (issue #11: no
    pandas, pyarrow or extraction stack in it); the workers do the rest."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "external/pdfplumber-issue-842/document.pdf", corpus / "a.pdf")
    script = cli_script(["run", str(corpus), "-o", str(tmp_path / "ds"), "--quiet"], "result.exit_code == 0")
    assert imported_after(script, ("pandas", "pyarrow", "pdfminer", "pdfplumber", "pypdfium2", "pikepdf", "numpy",
                                   "duckdb", "cv2", "camelot"),
                          ("jixiao.extract", "jixiao.normalize", "jixiao.output")) == []


def test_a_born_digital_read_imports_no_ocr_or_repair_stack() -> None:
    """A whole-process command on a born-digital PDF pays only for what it
    reads (issue #11: ``jixiao tables`` as a process): no OpenCV, numpy or
    onnxruntime (OCR), no pandas or pyarrow (the dataset), no pydantic (it
    only (de)serialises the model), no multiprocessing (OCR's page pool).
    pikepdf is read: it is the independent reader a document is
    cross-checked with."""
    script = cli_script(["tables", str(SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf")],
                        "result.exit_code == 0 and result.output.count('<table') == 7")
    assert imported_after(script, ("cv2", "numpy", "pandas", "pyarrow", "onnxruntime", "rapidocr", "pydantic",
                                   "multiprocessing")) == []
