"""The document model: JSON round trip and table views on a hand-made table."""

from __future__ import annotations

from teds import tables_from_html

from jixiao.model import BBox, Cell, Document, Table, TableFragment

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
