"""The camelot engine against the truth of two PDFs from camelot's own test
files: with the merged cells rebuilt from its drawn edges, every table
scores TEDS ≥ 0.95 (1.0 in practice)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from teds import tables_from_html, teds  # tests/ is on sys.path (conftest.py)

import jixiao
from jixiao.errors import ErrorCode, InputError
from jixiao.extract import camelot_engine
from jixiao.extract.grids import merged_regions

pytest.importorskip("camelot")

EXTERNAL = Path(__file__).parent / "fixtures" / "external"


@pytest.mark.parametrize("name", ["twotables_2", "row_span_1"])
def test_camelot_tables_match_truth(name: str) -> None:
    doc = jixiao.read_pdf(EXTERNAL / name / "document.pdf", engine="camelot")
    predicted = tables_from_html(f"<html><body>{doc.tables_html()}</body></html>")
    truth = tables_from_html((EXTERNAL / name / "truth" / "tables.html").read_text(encoding="utf-8"))
    assert len(predicted) == len(truth)
    scores = [teds(p, t) for p, t in zip(predicted, truth)]
    assert all(score >= 0.95 for score in scores), scores
    assert all(table.engine == "camelot" for table in doc.tables)


def _unavailable() -> InputError:
    with pytest.raises(InputError) as caught:
        jixiao.read_pdf(EXTERNAL / "row_span_1" / "document.pdf", engine="camelot")
    assert caught.value.code == ErrorCode.ENGINE_UNAVAILABLE
    return caught.value


def test_missing_camelot_is_engine_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "camelot", None)  # makes `import camelot` fail
    assert "camelot engine unavailable" in str(_unavailable())


def test_missing_renderer_is_engine_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    from camelot.backends.image_conversion import BACKENDS

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("renderer not installed")

    for backend in BACKENDS.values():
        monkeypatch.setattr(backend, "convert", fail)
        monkeypatch.setattr(backend, "to_array", fail, raising=False)
    assert "renderer not installed" in str(_unavailable())


def test_spans_from_undrawn_edges() -> None:
    """Both engines rebuild merged cells with grids.merged_regions. 3x3 grid:
    (0,0) spans two rows, (0,1) two columns; (1,1), (1,2) and (2,2) have no
    rule between them, an L that is split into its rows and noted."""
    open_right = {(0, 1), (1, 1)}
    open_down = {(0, 0), (1, 2)}
    spans, notes = merged_regions(
        3, 3, open_right=lambda r, c: (r, c) in open_right, open_down=lambda r, c: (r, c) in open_down
    )
    assert spans == [(0, 0, 2, 1), (0, 1, 1, 2), (1, 1, 1, 2), (2, 0, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1)]
    assert len(notes) == 1 and "not a rectangle" in notes[0]


def test_line_breaks_join_without_space_next_to_cjk() -> None:
    join = camelot_engine._join_lines
    assert join(["Read & \nWrite\n", ""]) == "Read & Write"
    assert join(["年度申请资\n金额度(万元)\n"]) == "年度申请资金额度(万元)"
    assert join(["2023 \n年度规划业务经费\n", "", "  \n"]) == "2023年度规划业务经费"
