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
