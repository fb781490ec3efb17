"""`jixiao verify` sees structure, not only text: spans, grid coverage, TAB fields.

Unit tests on small hand-made tables, then the CLI on a copy of the sample
dataset with two spans changed the way a damaged or hand-edited dataset
would have them (hand-checked in truth/tables.json: t1's 40.00 spans six
columns from row 1 col 1; t2's 资金支出计划 spans rows 2–3 of column 0).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLE
from review_data import copy_dataset, edit_rows, sample_run

from jixiao.cli import main
from jixiao.model import BBox, Block, BlockKind, Cell, Document, SourceInfo, Table, TableFragment
from jixiao.output.verify import compare_table_lines, compare_tables, grid_problems

TRUTH_TEXT_2023 = FIXTURES / "corpus/hebei-chengde-gxq-zrzy-2023/truth/text.txt"
BOX = BBox(x0=0, top=0, x1=10, bottom=10)


def _table(cells: list[tuple[int, int, int, int, str]], n_rows: int, n_cols: int, id: str = "t1") -> Table:
    return Table(id=id, n_rows=n_rows, n_cols=n_cols,
                 cells=[Cell(row=r, col=c, rowspan=rs, colspan=cs, text=t, page=1, bbox=BOX) for r, c, rs, cs, t in cells],
                 fragments=[TableFragment(page=1, bbox=BOX, first_row=0, n_rows=n_rows)])


def _document(*tables: Table) -> Document:
    blocks = [Block(kind=BlockKind.TABLE, table_id=t.id, page=1, bbox=BOX) for t in tables]
    return Document(schema_version="1.0", doc_id="x", source=SourceInfo(path="x.pdf", sha256="0" * 64, size_bytes=1),
                    engine="pdfplumber", pages=[], blocks=blocks, tables=list(tables))


# A 2 × 3 table: a title across the row, then a label spanning... a plain row.
GOOD = [(0, 0, 1, 3, "项目名称"), (1, 0, 1, 1, "a"), (1, 1, 1, 1, "b"), (1, 2, 1, 1, "c")]


def test_a_full_grid_has_no_problems() -> None:
    assert grid_problems(_table(GOOD, 2, 3)) == []


def test_a_span_cut_short_leaves_positions_no_cell_covers() -> None:
    cut = [(0, 0, 1, 1, "项目名称"), *GOOD[1:]]
    problems = grid_problems(_table(cut, 2, 3))
    assert [p.where for p in problems] == ["table t1 row 0 col 1", "table t1 row 0 col 2"]
    assert "left: the cell at row 0 col 0, rowspan 1 colspan 1 '项目名称'" in problems[0].dataset


def test_a_span_made_longer_covers_positions_twice_or_leaves_the_grid() -> None:
    taller = [(0, 0, 2, 3, "项目名称"), *GOOD[1:]]
    problems = grid_problems(_table(taller, 2, 3))
    assert [p.where for p in problems] == ["table t1 row 1 col 0", "table t1 row 1 col 1", "table t1 row 1 col 2"]
    assert all("covered by (0, 0)" in p.dataset for p in problems)
    wider = [(0, 0, 1, 4, "项目名称"), *GOOD[1:]]
    (problem,) = grid_problems(_table(wider, 2, 3))
    assert problem.where == "table t1 row 0 col 0" and "reaches past" in problem.dataset


def test_compare_tables_names_the_first_cell_whose_span_differs() -> None:
    source = _document(_table(GOOD, 2, 3))
    changed = _document(_table([(0, 0, 1, 1, "项目名称"), *GOOD[1:]], 2, 3))
    check = compare_tables(source, changed)
    assert not check.identical
    assert check.differences[0].where == "table t1 row 0 col 0"
    assert check.differences[0].source == "rowspan 1 colspan 3 '项目名称'"
    assert check.differences[0].dataset == "rowspan 1 colspan 1 '项目名称'"
    assert "first differing cell: table t1 row 0 col 0" in check.report()
    assert compare_tables(source, source).identical


def test_compare_tables_ignores_whitespace_inside_cells_but_not_text() -> None:
    source = _document(_table(GOOD, 2, 3))
    spaced = _document(_table([(0, 0, 1, 3, "项目 名称\n"), *GOOD[1:]], 2, 3))
    assert compare_tables(source, spaced).identical
    other = _document(_table([(0, 0, 1, 3, "项目名"), *GOOD[1:]], 2, 3))
    assert compare_tables(source, other).differences[0].where == "table t1 row 0 col 0"


def test_tab_lines_compare_field_by_field() -> None:
    document = _document(_table(GOOD, 2, 3))
    assert compare_table_lines(document, "项目名称\t\t\na\tb\tc\n").identical
    moved = compare_table_lines(document, "项目名称\t\t\na\t\tb\tc\n")  # a field shifted right
    assert moved.differences[0].where == "table t1 row 1 col 1"
    assert "4 fields" in moved.differences[0].source and "3 fields" in moved.differences[0].dataset


def test_without_text_only_the_layout_counts() -> None:
    document = _document(_table(GOOD, 2, 3))
    misread = "项目名\t\t\na\tb\tx\n"  # two cells read differently, the layout the same
    assert not compare_table_lines(document, misread).identical
    assert compare_table_lines(document, misread, text=False).identical
    emptied = compare_table_lines(document, "项目名称\t\t\na\t\tc\n", text=False)
    assert emptied.differences[0].where == "table t1 row 1 col 1"
    other = _document(_table([(0, 0, 1, 3, "项目"), *GOOD[1:]], 2, 3))
    assert compare_tables(document, other, text=False).identical
    cut = _document(_table([(0, 0, 1, 1, "项目名称"), *GOOD[1:]], 2, 3))
    assert compare_tables(document, cut, text=False).differences[0].where == "table t1 row 0 col 0"


def _cli(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The sample dataset with t1 (row 1, col 1) cut from six columns to one
    and t2 (row 2, col 0) from two rows to one."""
    dataset = copy_dataset(tmp_path_factory.mktemp("verify") / "dataset")
    doc_id = sample_run().ids["hebei-chengde-gxq-zrzy-2023"]

    def cut(rows: list[dict]) -> None:
        for row in rows:
            if (row["table_id"], row["row"], row["col"]) == ("t1", 1, 1):
                assert (row["colspan"], row["text"]) == (6, "40.00")
                row["colspan"] = 1
            if (row["table_id"], row["row"], row["col"]) == ("t2", 2, 0):
                assert row["rowspan"] == 2
                row["rowspan"] = 1

    edit_rows(dataset, "cells", doc_id, cut)
    return dataset, doc_id


def test_verify_passes_the_intact_dataset_against_text_and_pdf() -> None:
    run = sample_run()
    result = _cli("verify", run.dataset, "--doc", "hebei-chengde-gxq-zrzy-2023.pdf", "--source", TRUTH_TEXT_2023)
    assert result.exit_code == 0, result.output
    assert "tables identical" in result.output and "identical after whitespace removal" in result.output
    result = _cli("verify", run.dataset, "--doc", "hebei-chengde-gxq-zrzy-2023")  # the source PDF, found
    assert result.exit_code == 0, result.output
    assert "against the source document's tables" in result.output and "tables identical" in result.output


def test_verify_against_text_fails_naming_the_cut_spans(damaged) -> None:
    dataset, doc_id = damaged
    result = _cli("verify", dataset, "--doc", doc_id[:6], "--source", TRUTH_TEXT_2023)
    assert result.exit_code == 1, result.output
    # the text itself is unchanged: only the structure check can see it
    assert "identical after whitespace removal" in result.output
    assert "first differing cell: table t1 row 1 col 2" in result.output
    assert "left: the cell at row 1 col 1, rowspan 1 colspan 1 '40.00'" in result.output
    assert "table t2 row 3 col 0" in result.output
    assert "above: the cell at row 2 col 0, rowspan 1 colspan 1" in result.output


def test_min_similarity_relaxes_the_text_not_the_structure(damaged, tmp_path: Path) -> None:
    misread = tmp_path / "misread.txt"
    misread.write_text(TRUTH_TEXT_2023.read_text(encoding="utf-8").replace("40.00", "41.00"), encoding="utf-8")
    intact = _cli("verify", sample_run().dataset, "--doc", "hebei-chengde-gxq-zrzy-2023", "--source", misread,
                  "--min-similarity", "0.99")
    assert intact.exit_code == 0, intact.output
    assert _cli("verify", sample_run().dataset, "--doc", "hebei-chengde-gxq-zrzy-2023", "--source",
                misread).exit_code == 1
    dataset, doc_id = damaged
    cut = _cli("verify", dataset, "--doc", doc_id, "--source", misread, "--min-similarity", "0.5")
    assert cut.exit_code == 1 and "first differing cell: table t1 row 1 col 2" in cut.output


def test_verify_against_the_pdf_fails_naming_the_changed_cells(damaged) -> None:
    dataset, doc_id = damaged
    result = _cli("verify", dataset, "--doc", doc_id, "--source", SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf")
    assert result.exit_code == 1, result.output
    assert "first differing cell: table t1 row 1 col 1" in result.output
    assert "- source:  rowspan 1 colspan 6 '40.00'" in result.output
    assert "+ dataset: rowspan 1 colspan 1 '40.00'" in result.output
    assert "table t2 row 2 col 0" in result.output


def test_verify_against_a_layout_json(damaged, tmp_path: Path) -> None:
    dataset, doc_id = damaged
    layout = tmp_path / "layout"
    assert _cli("extract", SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf", "-o", layout).exit_code == 0
    (source,) = layout.glob("*.layout.json")
    result = _cli("verify", dataset, "--doc", doc_id, "--source", source)
    assert result.exit_code == 1 and "first differing cell: table t1 row 1 col 1" in result.output
    intact = _cli("verify", sample_run().dataset, "--doc", doc_id, "--source", source)
    assert intact.exit_code == 0, intact.output
