"""The dataset of the bundled sample corpus, queried as analysts do: DuckDB SQL
over the written directory, pandas through ``jixiao.open_dataset``, polars.

Expected values were read off the printed tables (truth/text.txt of each
fixture), not taken from the code's output.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import FIXTURES, SAMPLE

import jixiao
from jixiao.corpus.runner import run_corpus

ID_2023 = "4eee5c8530dc061c"  # sha256 prefix of hebei-chengde-gxq-zrzy-2023.pdf


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dataset")
    summary = run_corpus(SAMPLE, out, workers=1)
    assert (summary.ok, len(summary.failed)) == (3, 0)
    return out


def sql(dataset: Path, query: str) -> list[tuple]:
    con = duckdb.connect()
    for table in ("documents", "projects", "spending_plan", "indicators", "flags", "tables", "cells", "blocks"):
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{dataset}/{table}/*/*.parquet', hive_partitioning=true)"
        )
    return con.execute(query).fetchall()


def test_2023_projects_and_budgets(dataset: Path) -> None:
    rows = sql(dataset, f"SELECT project_name, budget_wan_yuan, typeof(budget_wan_yuan) FROM projects "
                        f"WHERE doc_id = '{ID_2023}' ORDER BY project_seq")
    assert [r[1] for r in rows] == [Decimal(x) for x in ("40.00", "20.00", "40.00", "20.00", "30.00", "39.50", "0.50")]
    assert {r[2] for r in rows} == {"DECIMAL(18,6)"}
    assert rows[3][0] == "征地前期费"
    (total,) = sql(dataset, f"SELECT sum(budget_wan_yuan) FROM projects WHERE doc_id = '{ID_2023}'")
    assert total[0] == Decimal("190.00")
    (year,) = sql(dataset, f"SELECT year, department FROM documents WHERE doc_id = '{ID_2023}'")
    assert year == (2023, "承德市自然资源和规划局高新技术产业开发区分局")


def _plan(dataset: Path, doc_id: str, project: str) -> list[tuple]:
    return sql(dataset, f"""
        SELECT s.period_label, s.period_end_month, s.share_percent, s.amount_wan_yuan FROM spending_plan s
        JOIN projects p USING (doc_id, project_seq)
        WHERE s.doc_id = '{doc_id}' AND p.project_name LIKE '{project}%' ORDER BY s.period_seq""")


def test_2023_spending_plans(dataset: Path) -> None:
    pct = Decimal
    assert _plan(dataset, ID_2023, "2023 年度规划业务经费") == [
        ("3月底", 3, pct("50"), None), ("6月底", 6, None, None), ("10月底", 10, None, None), ("12月底", 12, pct("50"), None),
    ]
    assert [r[2] for r in _plan(dataset, ID_2023, "耕地保护")] == [pct("89"), None, None, pct("11")]
    assert [r[2] for r in _plan(dataset, ID_2023, "群测群防")] == [None, None, None, pct("100")]
    sums = sql(dataset, f"SELECT project_seq, sum(share_percent) FROM spending_plan WHERE doc_id = '{ID_2023}' "
                        "GROUP BY project_seq")
    assert {s for _, s in sums} == {Decimal(100)}
    assert sql(dataset, f"SELECT count(*) FROM flags WHERE doc_id = '{ID_2023}' AND code = 'SCHEDULE_SUM_NOT_100'") == [(0,)]


def test_2023_indicators(dataset: Path) -> None:
    per_project = sql(dataset, f"SELECT project_seq, count(*) FROM indicators WHERE doc_id = '{ID_2023}' "
                               "GROUP BY project_seq ORDER BY project_seq")
    assert [n for _, n in per_project] == [7, 7, 7, 7, 6, 7, 7]
    assert {r[0] for r in sql(dataset, f"SELECT DISTINCT level1_std FROM indicators WHERE doc_id = '{ID_2023}'")} == {
        "产出", "效益", "满意度"}
    first = sql(dataset, f"""SELECT level1_std, level2_std, level3, value_text, basis FROM indicators
                             WHERE doc_id = '{ID_2023}' AND project_seq = 1 ORDER BY indicator_seq LIMIT 1""")
    assert first == [("产出", "数量", "项目完成率", "完成进度", "完成进度情况")]


@pytest.mark.parametrize(
    ("value_text", "op", "num", "unit"),
    [("≥90%", "≥", 90.0, "%"), ("90%以上", "≥", 90.0, "%"), ("95%", "=", 95.0, "%")],
)
def test_2023_value_parsing(dataset: Path, value_text: str, op: str, num: float, unit: str) -> None:
    rows = sql(dataset, f"SELECT DISTINCT value_op, value_num, value_unit, value_kind FROM indicators "
                        f"WHERE doc_id = '{ID_2023}' AND value_text = '{value_text}'")
    assert rows == [(op, num, unit, "quantitative")]


def test_2023_flags(dataset: Path) -> None:
    def tables_with(code: str) -> set[str]:
        return {r[0] for r in sql(dataset, f"SELECT table_id FROM flags WHERE doc_id = '{ID_2023}' AND code = '{code}'")}

    assert {"t4", "t7"} <= tables_with("LEVEL_SHIFT_REPAIRED")
    (other,) = sql(dataset, f"""SELECT f.table_id, i.level3 FROM flags f JOIN indicators i
                               ON f.doc_id = i.doc_id AND f.table_id = i.table_id AND f.row = i.row
                               WHERE f.doc_id = '{ID_2023}' AND f.code = 'INDICATOR_FROM_OTHER_PROJECT'""")
    assert other == ("t4", "地质灾害点附近居住人员的满意度")
    unknown = " ".join(r[0] for r in sql(dataset, f"SELECT message FROM flags WHERE doc_id = '{ID_2023}' "
                                                   "AND code = 'UNKNOWN_INDICATOR_NAME'"))
    assert "附近居住人员满意度" in unknown and "工作效率" in unknown
    not_values = sql(dataset, f"""SELECT i.value_text FROM flags f JOIN indicators i
                                  ON f.doc_id = i.doc_id AND f.table_id = i.table_id AND f.row = i.row
                                  WHERE f.doc_id = '{ID_2023}' AND f.code = 'VALUE_NOT_A_VALUE'""")
    assert {r[0] for r in not_values} == {"百分比"}


def test_hengshui_thousand_separators_and_funding(dataset: Path) -> None:
    rows = sql(dataset, """SELECT p.budget_text, p.budget_wan_yuan, p.fiscal_funds_wan_yuan, p.other_funds_wan_yuan,
                                  p.carryover_funds_wan_yuan
                           FROM projects p JOIN documents d USING (doc_id)
                           WHERE d.year = 2024 ORDER BY p.project_seq""")
    assert rows[0] == ("1,250.00", Decimal("1250.00"), Decimal("1200.00"), Decimal("50.00"), None)
    assert rows[7][1:3] == (Decimal("3650.00"), Decimal("3500.00"))
    shares = sql(dataset, """SELECT s.period_label, s.share_percent FROM spending_plan s JOIN documents d USING (doc_id)
                             WHERE d.year = 2024 AND s.project_seq = 1 ORDER BY s.period_seq""")
    # the printed 全年 100% column totals the quarters; it is not a period
    assert shares == [("第一季度", Decimal(20)), ("第二季度", Decimal(30)), ("第三季度", Decimal(30)), ("第四季度", Decimal(20))]


def test_huyang_quarterly_amounts_and_department_table(dataset: Path) -> None:
    rows = sql(dataset, """SELECT p.budget_wan_yuan, p.fiscal_funds_wan_yuan, p.carryover_funds_wan_yuan,
                                  p.other_funds_wan_yuan, p.implementing_unit
                           FROM projects p JOIN documents d USING (doc_id) WHERE d.year = 2022 ORDER BY p.project_seq""")
    assert len(rows) == 5
    assert rows[0] == (Decimal("2968.50"), Decimal("2968.50"), Decimal("0.00"), Decimal("0.00"), "全县义务教育阶段学校")
    assert rows[3][:3] == (Decimal("1860.00"), Decimal("1560.00"), Decimal("300.00"))
    plan = sql(dataset, """SELECT s.period_end_month, s.amount_wan_yuan, s.share_percent FROM spending_plan s
                           JOIN documents d USING (doc_id) WHERE d.year = 2022 AND s.project_seq = 1 ORDER BY s.period_seq""")
    assert plan == [(3, Decimal("890.55"), None), (6, Decimal("742.12"), None), (9, Decimal("593.70"), None),
                    (12, Decimal("742.13"), None)]
    # 部门整体支出绩效目标表: 18 indicators of the department as a whole, no project
    dept = sql(dataset, """SELECT count(*), count(project_seq) FROM indicators i JOIN documents d USING (doc_id)
                           WHERE d.year = 2022 AND i.table_id = 't1'""")
    assert dept == [(18, 0)]


def test_unrecognized_table_is_kept_and_flagged(dataset: Path) -> None:
    """分项绩效目标表 is not a template this version reads: its cells are all
    written, no project comes from it, and a flag names caption and page."""
    (flag,) = sql(dataset, """SELECT f.table_id, f.message FROM flags f JOIN documents d USING (doc_id)
                              WHERE d.year = 2022 AND f.code = 'UNRECOGNIZED_TABLE'""")
    assert flag[0] == "t2" and "分项绩效目标表" in flag[1] and "page 5" in flag[1]
    import json

    truth = json.loads((FIXTURES / "corpus/hebei-huyang-county-jyj-2022/truth/tables.json").read_text())[1]
    cells = sql(dataset, """SELECT c.row, c.col, c.rowspan, c.colspan FROM cells c JOIN documents d USING (doc_id)
                            WHERE d.year = 2022 AND c.table_id = 't2' ORDER BY c.row, c.col""")
    assert cells == [(c["row"], c["col"], c["rowspan"], c["colspan"]) for c in truth["cells"]]
    assert sql(dataset, "SELECT count(*) FROM projects WHERE table_id = 't2' AND doc_id IN "
                        "(SELECT doc_id FROM documents WHERE year = 2022)") == [(0,)]


def test_pandas_and_polars_read_the_dataset_as_is(dataset: Path) -> None:
    ds = jixiao.open_dataset(dataset)
    projects = ds.projects
    assert len(projects) == 7 + 5 + 8
    assert str(projects["budget_wan_yuan"].dtype).startswith("decimal128(18, 6)")
    blank = ds.spending_plan
    assert blank["share_percent"].isna().sum() > 0  # blank cells are NULL, never 0
    frame = pl.read_parquet(f"{dataset}/indicators/*/*.parquet", hive_partitioning=True)
    assert frame.filter(pl.col("doc_id") == ID_2023).height == 48
    assert frame.schema["year"] in (pl.Int64, pl.Int32)


def test_rerun_replaces_rows(dataset: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(dataset, copy)
    again = run_corpus(SAMPLE, copy, workers=1, force=True)
    assert again.ok == 3
    assert sql(copy, "SELECT count(*) FROM indicators") == sql(dataset, "SELECT count(*) FROM indicators")
    assert sql(copy, "SELECT count(*) FROM documents") == [(3,)]


def test_document_without_tables_has_documents_and_blocks(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "external/pdfplumber-issue-842/document.pdf", corpus / "annual-report.pdf")
    out = tmp_path / "ds"
    summary = run_corpus(corpus, out, workers=1)
    assert summary.ok == 1
    assert sql(out, "SELECT status, n_tables FROM documents") == [("ok", 0)]
    assert sql(out, "SELECT count(*) > 0 FROM blocks") == [(True,)]
    assert sql(out, "SELECT count(*) FROM projects") == [(0,)]
