"""Tables against the truth files, scored with TEDS (whitespace-insensitive)."""

from __future__ import annotations

import pytest
from conftest import PARSERS, Fixture, corpus_fixtures, external_fixtures, read_cached
from teds import tables_from_html, teds

BORN_DIGITAL = corpus_fixtures()
#: The old external cases; the peers' test-suite cases (peer-*) are scored
#: in their own conventions by test_peer_cases.py.
EXTERNAL = [f for f in external_fixtures() if not f.name.startswith("peer-")]


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


# -- page breaks, on hand-made table parts ------------------------------------

def _part(page: int, xs: list[float], rows: list[list[tuple[int, int, int, str]]], *, open_top: bool = False,
          open_bottom: bool = False):
    """A table part: ``rows[r]`` lists (col, rowspan, colspan, text) of the
    cells starting in row r; rows 20 pt high."""
    from jixiao.extract.page_layout import PageTable

    from jixiao.model import BBox, Cell

    ys = [100.0 + 20 * r for r in range(len(rows) + 1)]
    cells = [
        Cell(row=r, col=c, rowspan=rs, colspan=cs, text=t, page=page,
             bbox=BBox.rounded(xs[c], ys[r], xs[c + cs], ys[r + rs]))
        for r, row in enumerate(rows)
        for c, rs, cs, t in row
    ]
    return PageTable(page=page, xs=xs, ys=ys, cells=cells, open_top=open_top, open_bottom=open_bottom)


def _stitch(*parts):
    from jixiao.extract.stitching import stitch_tables

    tables, _ = stitch_tables([[p] for p in parts], [True] * len(parts), [True] * len(parts), engine="pdfplumber")
    return [sorted((c.row, c.col, c.rowspan, c.colspan, c.text) for c in t.cells) for t in tables]


def test_a_row_split_by_the_page_break_is_put_back_together() -> None:
    """No rule at the break on either page (Chromium lets a row split): the
    continuation's first row goes on in the last row, cell by cell; the
    rowspan of a merged cell crossing the break grows by the rows it covers
    on the next page."""
    xs = [0.0, 50.0, 100.0, 200.0]
    a = _part(1, xs, [[(0, 2, 1, "Group"), (1, 1, 1, "k1"), (2, 1, 1, "v1")], [(1, 1, 1, "k2"), (2, 1, 1, "long text")]],
              open_bottom=True)
    b = _part(2, xs, [[(0, 2, 1, ""), (1, 1, 1, ""), (2, 1, 1, "goes on")], [(1, 1, 1, "k3"), (2, 1, 1, "v3")]],
              open_top=True)
    assert _stitch(a, b) == [[
        (0, 0, 3, 1, "Group"), (0, 1, 1, 1, "k1"), (0, 2, 1, 1, "v1"),
        (1, 1, 1, 1, "k2"), (1, 2, 1, 1, "long text goes on"),
        (2, 1, 1, 1, "k3"), (2, 2, 1, 1, "v3"),
    ]]


def test_a_clean_break_joins_no_cells() -> None:
    """Both parts ruled at the break, and the next page's first row drawn on
    other columns than the last row: a new row, even when the cell above
    filled its width."""
    xs = [0.0, 50.0, 100.0, 200.0]
    a = _part(1, xs, [[(0, 2, 1, "Group"), (1, 1, 2, "a")], [(1, 1, 2, "b")]])
    a.full_cells = {(0, 0), (1, 1)}  # both filled their width
    b = _part(2, xs, [[(0, 1, 1, "Label"), (1, 1, 1, "c"), (2, 1, 1, "d")]])
    assert _stitch(a, b) == [[
        (0, 0, 2, 1, "Group"), (0, 1, 1, 2, "a"), (1, 1, 1, 2, "b"),
        (2, 0, 1, 1, "Label"), (2, 1, 1, 1, "c"), (2, 2, 1, 1, "d"),
    ]]
