"""Tables against the truth files, scored with TEDS (whitespace-insensitive)."""

from __future__ import annotations

import pytest
from conftest import PARSERS, Fixture, corpus_fixtures, external_fixtures, read_cached
from teds import tables_from_html, teds

BORN_DIGITAL = corpus_fixtures()
EXTERNAL = external_fixtures()


def _scores(fx: Fixture, engine: str = "pdfplumber", parser: str = "pypdfium2"
            ) -> tuple[int, int, list[float], list[float]]:
    doc = read_cached(fx.pdf, engine, parser)
    predicted = tables_from_html(f"<html><body>{doc.tables_html()}</body></html>") if doc.tables else []
    truth_file = fx.truth / "tables.html"
    truth = tables_from_html(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else []
    full = [teds(p, t) for p, t in zip(predicted, truth)]
    structure = [teds(p, t, structure_only=True) for p, t in zip(predicted, truth)]
    return len(predicted), len(truth), full, structure


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("fx", BORN_DIGITAL, ids=lambda f: f.name)
def test_born_digital_tables_are_exact(fx: Fixture, parser: str) -> None:
    n_pred, n_truth, full, _ = _scores(fx, parser=parser)
    assert n_pred == n_truth
    assert full == [1.0] * n_truth


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("fx", EXTERNAL, ids=lambda f: f.name)
def test_external_tables(fx: Fixture, parser: str) -> None:
    """Real PDFs from other producers: no table missed or invented, TEDS ≥ 0.98.
    The fake-bold résumé and annual-report cover have no table at all."""
    n_pred, n_truth, full, _ = _scores(fx, parser=parser)
    assert n_pred == n_truth
    assert all(score >= 0.98 for score in full), full


@pytest.mark.parametrize("parser", PARSERS)
def test_page_break_rejoins_merged_cells(parser: str) -> None:
    """-narrow breaks every table across pages; 绩效指标 and 产出指标 cut by the
    break must come back as single cells with their full rowspans, and the
    blank 二级指标 cell at the top of page 14 must stay its own cell."""
    fx = next(f for f in BORN_DIGITAL if f.name.endswith("-narrow"))
    doc = read_cached(fx.pdf, parser=parser)
    t5 = doc.tables[4]
    assert (t5.page_start, t5.page_end) == (13, 14)
    cells = {(c.row, c.col): c for c in t5.cells}
    assert (cells[(6, 0)].text, cells[(6, 0)].rowspan) == ("绩效指标", 7)
    assert (cells[(7, 1)].text, cells[(7, 1)].rowspan) == ("产出指标", 3)
    assert (cells[(9, 2)].text, cells[(9, 2)].rowspan) == ("", 1)
    # the repeated 项目名称 header row on page 12 is dropped: 14 rows, not 15
    assert doc.tables[2].n_rows == 14


@pytest.mark.parametrize("parser", PARSERS)
def test_table_pages_match_truth(parser: str) -> None:
    for fx in BORN_DIGITAL:
        doc = read_cached(fx.pdf, parser=parser)
        truth = [b for b in fx.truth_document()["blocks"] if b["type"] == "table"]
        for table, expected in zip(doc.tables, truth, strict=True):
            rows = [f.page for f in table.fragments for _ in range(f.n_rows)]
            assert (table.page_start, table.page_end, rows) == (
                expected["page_start"],
                expected["page_end"],
                expected["row_pages"],
            ), (fx.name, table.id)


def test_to_pandas_expands_merged_cells(doc2023) -> None:
    """Hand-checked against page 10: 资金支出计划 (%) spans two rows, 12 月底
    spans three columns."""
    frame = doc2023.tables[0].to_pandas()
    assert frame.shape == (14, 7)
    assert frame.iloc[2, 0] == frame.iloc[3, 0] == "资金支出计划 (%)"
    assert list(frame.iloc[2, 4:7]) == ["12 月底"] * 3
    assert frame.iloc[3, 2] == ""
