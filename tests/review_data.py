"""One dataset of the sample corpus for the review-tool tests, built once per test session.

Running the corpus is the slow part of these tests, and the export, verify,
list and report tests only read the dataset, so :func:`sample_run` builds it
once per process (the sample's three PDFs plus an empty file, which fails)
in a temporary folder removed at exit; a test that changes the dataset works
on :func:`copy_dataset`.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow.parquet as pq
from conftest import SAMPLE

from jixiao.corpus.discovery import discover
from jixiao.corpus.runner import run_corpus
from jixiao.schema import document_files


@dataclass(frozen=True)
class SampleRun:
    corpus: Path
    dataset: Path
    ids: dict[str, str]  # file stem -> doc_id


@cache
def sample_run() -> SampleRun:
    base = Path(tempfile.mkdtemp(prefix="jixiao-review-"))
    atexit.register(shutil.rmtree, base, True)
    corpus = base / "corpus"
    corpus.mkdir()
    for pdf in SAMPLE.glob("*.pdf"):
        shutil.copy(pdf, corpus / pdf.name)
    (corpus / "empty.pdf").write_bytes(b"")
    ids = {item.path.stem: item.doc_id for item in discover(corpus)}
    dataset = base / "dataset"
    summary = run_corpus(corpus, dataset, workers=1)
    assert (summary.ok, len(summary.failed)) == (3, 1)
    return SampleRun(corpus, dataset, ids)


def copy_dataset(target: Path) -> Path:
    """A copy of the sample dataset at ``target`` (its rows still name the
    shared corpus's PDFs)."""
    shutil.copytree(sample_run().dataset, target)
    return target


def edit_rows(dataset: Path, table: str, doc_id: str, edit) -> None:
    """Rewrite one document's file of ``table`` with ``edit(rows)``
    applied, keeping its schema: a dataset damaged or changed on purpose."""
    (file,) = document_files(dataset, table, doc_id)
    data = pq.read_table(file)
    rows = data.to_pylist()
    edit(rows)
    pq.write_table(data.from_pylist(rows, schema=data.schema), file)
