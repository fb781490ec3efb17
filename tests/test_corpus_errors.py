"""Errors, logs and the machine-readable summary (issue #13 item 8): a bug
of jixiao's is one line and exit code 3 with the traceback in the log; a
parser's warnings go to the log and name the file; `--summary-json` says
what the summary says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from jixiao.cli import main
from jixiao.corpus.runner import run_corpus
from jixiao.extract import pipeline
from jixiao.settings import Settings

#: pdfminer warns about this file's fonts ("Could not get FontBBox …"): a
#: library's warnings, read with the pdfminer parser.
WARNS = FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023-html/document.pdf"
SMALL = FIXTURES / "external/pdfplumber-issue-842/document.pdf"


def test_a_bug_of_ours_is_one_line_exit_3_and_a_traceback_in_the_log(monkeypatch, tmp_path: Path) -> None:
    def broken(page):
        raise KeyError("a bug in jixiao")

    monkeypatch.setattr(pipeline, "analyse_page", broken)
    log = tmp_path / "jixiao.log"
    result = CliRunner().invoke(main, ["--log-file", str(log), "extract", str(SMALL), "-o", str(tmp_path)])
    assert result.exit_code == 3
    assert result.output.strip().splitlines() == [
        f"jixiao: internal error (a bug in jixiao): KeyError: 'a bug in jixiao' [traceback: {log}]"]
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "in broken" in text


def test_an_input_error_is_exit_2_not_internal(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["tables", str(empty)])
    assert result.exit_code == 2 and f"{empty}: empty file (0 bytes)" in result.output


@pytest.mark.slow
def test_parser_warnings_go_to_the_log_and_name_the_file(tmp_path: Path) -> None:
    log = tmp_path / "jixiao.log"
    result = CliRunner().invoke(main, ["--log-file", str(log), "tables", str(WARNS), "--format", "json",
                                       "--parser", "pdfminer"])
    assert result.exit_code == 0
    assert "FontBBox" not in result.output  # not on the terminal without --verbose
    warnings = [line for line in log.read_text(encoding="utf-8").splitlines() if "FontBBox" in line]
    assert warnings and all("WARNING pdfminer" in line and f": {WARNS}: Could not get FontBBox" in line
                            for line in warnings)


@pytest.mark.slow
def test_workers_warnings_reach_the_run_log_with_the_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(WARNS, corpus / "browser.pdf")
    summary = run_corpus(corpus, tmp_path / "ds", Settings(parser="pdfminer"), workers=1, log_to_dataset=True)
    assert summary.log_file is not None and summary.exit_code == 0
    lines = Path(summary.log_file).read_text(encoding="utf-8").splitlines()
    warnings = [line for line in lines if "FontBBox" in line]
    assert warnings and all(f"{corpus / 'browser.pdf'}: Could not get FontBBox" in line for line in warnings)


@pytest.mark.slow
def test_summary_json(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SMALL, corpus / "a.pdf")
    (corpus / "empty.pdf").write_bytes(b"")
    summary = tmp_path / "summary.json"
    result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(tmp_path / "ds"), "--quiet", "--workers", "1",
                                       "--summary-json", str(summary)])
    assert result.exit_code == 1
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert (data["processed"], data["dataset_ok"], data["exit_code"], data["dataset"]) == (
        2, 1, 1, str(tmp_path / "ds"))
    assert data["dataset_failed"] == [{"path": str(corpus / "empty.pdf"), "error_code": "EMPTY_FILE",
                                       "error": f"{corpus / 'empty.pdf'}: empty file (0 bytes)"}]
    assert "in the dataset: failed          1" in result.output
