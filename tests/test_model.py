"""The document model: JSON round trip and table views on a hand-made table."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from teds import tables_from_html

from jixiao.model import BBox, BlockKind, Cell, Document, Table, TableFragment, to_plain
from jixiao.settings import Settings

BOX = BBox(x0=0, top=0, x1=10, bottom=10)


def _table() -> Table:
    # +------+-----------+
    # | 项目 |  名称(2)  |
    # +------+-----+-----+
    # | 指标 |  a  |  b  |
    # | (2)  +-----+-----+
    # |      |  c  |     |
    # +------+-----+-----+
    cells = [
        Cell(row=0, col=0, text="项目", page=1, bbox=BOX),
        Cell(row=0, col=1, colspan=2, text="名称", page=1, bbox=BOX),
        Cell(row=1, col=0, rowspan=2, text="指标", page=1, bbox=BOX),
        Cell(row=1, col=1, text="a", page=1, bbox=BOX),
        Cell(row=1, col=2, text="b & <c>", page=1, bbox=BOX),
        Cell(row=2, col=1, text="c", page=2, bbox=BOX),
        Cell(row=2, col=2, text="", page=2, bbox=BOX),
    ]
    fragments = [
        TableFragment(page=1, bbox=BOX, first_row=0, n_rows=2),
        TableFragment(page=2, bbox=BOX, first_row=2, n_rows=1),
    ]
    return Table(id="t1", n_rows=3, n_cols=3, cells=cells, fragments=fragments)


def test_to_pandas_copies_span_text() -> None:
    frame = _table().to_pandas()
    assert frame.values.tolist() == [
        ["项目", "名称", "名称"],
        ["指标", "a", "b & <c>"],
        ["指标", "c", ""],
    ]


def test_to_html_keeps_spans_and_escapes() -> None:
    markup = _table().to_html()
    assert 'data-page-start="1" data-page-end="2"' in markup
    assert '<td colspan="2">名称</td>' in markup
    assert '<td rowspan="2">指标</td>' in markup
    assert "b &amp; &lt;c&gt;" in markup
    (tree,) = tables_from_html(f"<html><body>{markup}</body></html>")
    assert [len(tr.children) for tr in tree.children] == [2, 3, 2]


def test_document_json_round_trip(doc2023) -> None:
    again = Document.from_json(doc2023.to_json())
    assert again == doc2023
    assert again.to_json() == doc2023.to_json()


def test_from_json_refuses_an_unknown_field_or_a_wrong_type(doc2023) -> None:
    """A layout file is validated when read back: a field the model does not
    have, or a value of the wrong type, is an error, not silently kept."""
    data = json.loads(doc2023.to_json())
    data["tables"][0]["cells"][0]["colour"] = "red"
    with pytest.raises(ValidationError, match="colour"):
        Document.from_json(json.dumps(data))
    data = json.loads(doc2023.to_json())
    data["blocks"][0]["kind"] = "sidebar"
    with pytest.raises(ValidationError, match="kind"):
        Document.from_json(json.dumps(data))


def test_from_json_gives_typed_values(doc2023) -> None:
    again = Document.from_json(doc2023.to_json())
    assert all(type(block.kind) is BlockKind for block in again.blocks)
    assert type(again.tables[0].cells[0].bbox) is BBox


def test_to_plain_is_json_data() -> None:
    cell = Cell(row=0, col=1, text="名称", page=1, bbox=BBox(x0=1, top=2, x1=3, bottom=4))
    assert to_plain(cell) == {"row": 0, "col": 1, "rowspan": 1, "colspan": 1, "text": "名称", "page": 1,
                              "bbox": {"x0": 1.0, "top": 2.0, "x1": 3.0, "bottom": 4.0}, "confidence": None}


def test_rounded_box_holds_plain_floats() -> None:
    class Wide(float):  # what numpy's float64 is to Python: a float subclass
        pass

    box = BBox.rounded(Wide(1.234), Wide(2), 3, Wide(4.567))
    assert box == BBox(x0=1.23, top=2.0, x1=3.0, bottom=4.57)
    assert {type(v) for v in (box.x0, box.top, box.x1, box.bottom)} == {float}


def test_settings_refuse_unknown_values_and_fields() -> None:
    assert Settings().with_changes(parser="pdfminer") == Settings(parser="pdfminer")
    with pytest.raises(ValueError, match="parser must be one of"):
        Settings(parser="mupdf")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="engine must be one of"):
        Settings().with_changes(engine="tabula")
    with pytest.raises(TypeError):
        Settings().with_changes(dpi=300)
    assert Settings(ocr="off").identity() == {"engine": "pdfplumber", "parser": "pypdfium2", "ocr": "off"}
