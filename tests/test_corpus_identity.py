"""A document's identity and one current row per document (issue #13 items
2 and 3): a changed setting, manifest value or jixiao version re-processes
it; a plain re-run retries what failed and the exit code says what the
dataset holds; a replaced file's old rows go, a deleted one's are counted
and pruned on request; renderings of one document are marked so that a
query filtering on ``duplicate_of`` counts it once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, SAMPLE

from jixiao.corpus.runner import run_corpus
from jixiao.output.dataset import document_key
from jixiao.schema import TABLES
from jixiao.settings import Settings
from jixiao.workdirs import PRIVATE

A = FIXTURES / "external/pdfplumber-issue-842/document.pdf"  # one page, no tables: quick
B = FIXTURES / "external/row_span_1/document.pdf"
C = FIXTURES / "external/column_span_2/document.pdf"


def sql(dataset: Path, query: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute(f"CREATE VIEW documents AS SELECT * FROM read_parquet('{dataset}/documents/*/*.parquet', "
                "hive_partitioning = true, union_by_name = true)")
    return con.execute(query).fetchall()


def files_of(dataset: Path, doc_id: str) -> list[Path]:
    return [p for p in dataset.rglob(f"{doc_id}.parquet") if PRIVATE not in p.parts]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(A, root / "a.pdf")
    shutil.copy(B, root / "b.pdf")
    return root


@pytest.mark.slow
def test_a_changed_setting_manifest_value_or_version_reprocesses(corpus: Path, tmp_path: Path) -> None:
    dataset = tmp_path / "ds"
    first = run_corpus(corpus, dataset, workers=1)
    assert (first.processed, first.unchanged, first.exit_code) == (2, 0, 0)
    keys = dict(sql(dataset, "SELECT source_relpath, input_key FROM documents"))
    again = run_corpus(corpus, dataset, workers=1)
    assert (again.processed, again.unchanged) == (0, 2)
    off = run_corpus(corpus, dataset, Settings(ocr="off"), workers=1)
    assert (off.processed, off.unchanged) == (2, 0)
    assert [json.loads(s)["ocr"] for (s,) in sql(dataset, "SELECT DISTINCT settings FROM documents")] == ["off"]
    (corpus / "manifest.csv").write_text("path,department\na.pdf,某某局\n", encoding="utf-8")
    manifest = run_corpus(corpus, dataset, Settings(ocr="off"), workers=1)
    assert (manifest.processed, manifest.unchanged) == (1, 1)  # only a.pdf has a manifest value
    assert sql(dataset, "SELECT department FROM documents WHERE source_relpath = 'a.pdf'") == [("某某局",)]
    newer = run_corpus(corpus, dataset, Settings(ocr="off"), workers=1, pipeline_version="99.0")
    assert (newer.processed, newer.unchanged) == (2, 0)
    assert set(dict(sql(dataset, "SELECT source_relpath, input_key FROM documents")).values()).isdisjoint(keys.values())


@pytest.mark.slow
def test_a_plain_rerun_retries_what_may_pass_now_and_the_exit_code_follows_the_dataset(corpus: Path, tmp_path: Path) -> None:
    dataset = tmp_path / "ds"
    timed_out = run_corpus(corpus, dataset, workers=1, timeout_s=0.01)
    assert (timed_out.ok, [code for _, code, _ in timed_out.failed], timed_out.exit_code) == (0, ["TIMEOUT"] * 2, 1)
    rerun = run_corpus(corpus, dataset, workers=1)  # no --retry-failed needed
    assert (rerun.processed, rerun.ok, rerun.failed, rerun.exit_code) == (2, 2, [], 0)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really\n%%EOF\n")
    broken = run_corpus(corpus, dataset, workers=1)
    assert (broken.processed, broken.unchanged, broken.exit_code) == (1, 2, 1)
    # a failure of the file's own is not retried while nothing changed, and still fails the run
    still = run_corpus(corpus, dataset, workers=1)
    assert (still.processed, len(still.failed), still.exit_code) == (0, 1, 1)
    assert "in the dataset: failed          1" in still.table()
    assert (run_corpus(corpus, dataset, workers=1, force=True).processed) == 3


@pytest.mark.slow
def test_a_replaced_file_replaces_its_rows_and_a_deleted_one_is_pruned_on_request(corpus: Path,
                                                                                   tmp_path: Path) -> None:
    dataset = tmp_path / "ds"
    run_corpus(corpus, dataset, workers=1)
    old_a, old_b = (dict(sql(dataset, "SELECT source_relpath, doc_id FROM documents"))[name] for name in ("a.pdf", "b.pdf"))
    shutil.copy(C, corpus / "a.pdf")  # same path, other bytes
    (corpus / "b.pdf").unlink()
    summary = run_corpus(corpus, dataset, workers=1)
    assert (summary.processed, summary.removed, summary.gone) == (1, 1, 1)
    assert not files_of(dataset, old_a), "the replaced file's old rows are still there"
    assert len(files_of(dataset, old_b)) == len(TABLES), "a deleted file's rows go only with --prune"
    rows = sql(dataset, "SELECT source_relpath, doc_id FROM documents ORDER BY 1")
    assert [r[0] for r in rows] == ["a.pdf", "b.pdf"] and rows[0][1] != old_a
    pruned = run_corpus(corpus, dataset, workers=1, prune=True)
    assert (pruned.processed, pruned.removed, pruned.gone) == (0, 1, 0)
    assert not files_of(dataset, old_b)
    assert [r[0] for r in sql(dataset, "SELECT source_relpath FROM documents")] == ["a.pdf"]


@pytest.mark.slow
def test_a_moved_file_is_not_redone_but_its_paths_follow(corpus: Path, tmp_path: Path) -> None:
    dataset = tmp_path / "ds"
    run_corpus(corpus, dataset, workers=1)
    (corpus / "2024").mkdir()
    (corpus / "b.pdf").rename(corpus / "2024" / "b-renamed.pdf")
    summary = run_corpus(corpus, dataset, workers=1)
    assert (summary.processed, summary.unchanged, summary.gone, summary.removed) == (0, 2, 0, 0)
    assert sorted(r[0] for r in sql(dataset, "SELECT source_relpath FROM documents")) == ["2024/b-renamed.pdf", "a.pdf"]
    assert sql(dataset, "SELECT source_path FROM documents WHERE source_relpath LIKE '2024/%'") == [
        (str(corpus / "2024" / "b-renamed.pdf"),)]


@pytest.mark.slow
def test_renderings_of_one_document_are_counted_once(tmp_path: Path) -> None:
    """The 2023 document as LibreOffice printed it and as a browser printed
    its HTML (other bytes, other producer, Kangxi radicals for some
    ideographs): one key, one of them marked as the other's duplicate."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf", corpus / "libreoffice.pdf")
    shutil.copy(FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023-html/document.pdf", corpus / "browser.pdf")
    shutil.copy(SAMPLE / "hebei-hengshui-city-wjw-2024.pdf", corpus / "other.pdf")
    dataset = tmp_path / "ds"
    summary = run_corpus(corpus, dataset, workers=2)
    assert (summary.ok, summary.duplicates) == (3, 1)
    rows = {r[0]: r[1:] for r in sql(dataset, "SELECT source_relpath, doc_id, doc_key, duplicate_of FROM documents")}
    (lo_id, lo_key, lo_dup), (br_id, br_key, br_dup) = rows["libreoffice.pdf"], rows["browser.pdf"]
    assert lo_key == br_key == "承德市自然资源和规划局高新技术产业开发区分局/2023/承德市自然资源和规划局高新技术产业开发区分局2023年绩效文本"
    assert rows["other.pdf"][2] is None and rows["other.pdf"][1] != lo_key
    # the smaller doc_id counts (both complete, neither OCR'd); the other points to it
    counted, duplicate = sorted([lo_id, br_id])
    assert {lo_id: lo_dup, br_id: br_dup} == {counted: None, duplicate: counted}
    assert sql(dataset, "SELECT count(*) FROM documents WHERE duplicate_of IS NULL") == [(2,)]


@pytest.mark.parametrize(("department", "year", "title", "key"), [
    ("承德市 自然资源局", 2023, "２０２３年 绩效文本。", "承德市自然资源局/2023/2023年绩效文本"),
    ("⾃然资源局", 2023, "绩效⽂本", "自然资源局/2023/绩效文本"),  # Kangxi radicals → unified ideographs
    (None, 2023, "绩效文本", None),
    ("自然资源局", None, "绩效文本", None),
    ("自然资源局", 2023, None, None),
])
def test_document_key(department, year, title, key) -> None:
    assert document_key(department, year, title) == key
