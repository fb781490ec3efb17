"""The Parquet dataset: write a real document, read it back every way users
will (pandas via open_dataset, DuckDB, polars), rebuild the layout document,
and keep docs/DATASET.md in step with jixiao.schema."""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import fields, replace
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

import jixiao
from jixiao.dataset import load_document, open_dataset
from jixiao.errors import ErrorCode
from jixiao.model import Diagnostic, Document
from jixiao.normalize.records import (
    DocumentMeta,
    Flag,
    FlagCode,
    Indicator,
    NormalizedDocument,
    Project,
    Severity,
    SpendingPeriod,
    TableInfo,
    TableTemplate,
    ValueKind,
)
from jixiao.output.dataset import DocumentRecord, document_record, failed_record, write_document, write_failed
from jixiao.output.duckdb_export import export_duckdb
from jixiao.schema import EXTRACTION_NOTE, SCHEMA_VERSION, TABLES, YEAR, meaning

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "corpus" / "sample"
DOC_2023 = SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf"
WHEN = datetime(2024, 5, 1, 8, 30, 15, 123456, tzinfo=timezone.utc)
HEADER_CELLS = {(0, 0), (0, 3), (1, 0)}


@pytest.fixture(scope="module")
def layout() -> Document:
    """The 2023 sample with two diagnostics (the sample has none; one without
    a page, one with a line break) and one OCR confidence, so the round trip
    covers those fields too."""
    document = deepcopy(jixiao.read_pdf(DOC_2023))
    document.diagnostics = [
        Diagnostic(code="IRREGULAR_MERGE", page=10, message="table at y=266: merged region is not a rectangle"),
        Diagnostic(code="NOTE", page=None, message="two\nlines"),
    ]
    document.tables[0].cells[1].confidence = 0.873
    return document


def normalized(layout: Document, year: int | None = 2023) -> NormalizedDocument:
    """Hand-made records in the shapes normalisation produces for table t1."""
    return NormalizedDocument(
        document=layout,
        meta=DocumentMeta(title="承德市自然资源和规划局高新技术产业开发区分局2023年绩效文本", province="河北省",
                          city="承德市", department="承德市自然资源和规划局高新技术产业开发区分局", year=year),
        tables=[
            TableInfo("t1", TableTemplate.PROJECT, "（一）土地利用科", "2023 年度规划业务经费", set(HEADER_CELLS)),
            TableInfo("t2", TableTemplate.UNRECOGNIZED, None, None),
        ],
        projects=[
            Project(table_id="t1", project_seq=1, project_name="2023 年度规划业务经费",
                    implementing_unit="高新区自然资源和规划分局", competent_department=None,
                    budget_wan_yuan=Decimal("40.00"), budget_text="40.00", fiscal_funds_wan_yuan=Decimal(40),
                    carryover_funds_wan_yuan=None, other_funds_wan_yuan=None,
                    overall_goal="完成本年度规划相关业务的实施和推进。", section="（一）土地利用科", page=10),
        ],
        spending=[
            SpendingPeriod("t1", 1, 1, "3月底", 3, Decimal("50.00"), None, "50%", 10),
            SpendingPeriod("t1", 1, 2, "6月底", 6, None, None, "", 10),
        ],
        indicators=[
            Indicator(table_id="t1", project_seq=1, indicator_seq=1, level1="产出指标", level2="数量指标",
                      level3="项目完成率", name_extra=None, level1_std="产出", level2_std="数量",
                      value_text="完成进度", value_op=None, value_num=None, value_unit=None,
                      value_kind=ValueKind.QUALITATIVE, basis="完成进度情况", row=7, page=10),
            Indicator(table_id="t1", project_seq=1, indicator_seq=7, level1="满意度指标",
                      level2="服务对象满意度指标", level3="服务对象满意度", name_extra=None, level1_std="满意度",
                      level2_std="服务对象满意度", value_text="90%", value_op="≥", value_num=90.0,
                      value_unit="%", value_kind=ValueKind.QUANTITATIVE, basis="达到大部分服务对象的满意",
                      row=13, page=10),
        ],
        flags=[Flag("t1", 3, FlagCode.SCHEDULE_SUM_NOT_100, Severity.WARNING, "计划合计 50%")],
    )


def record_of(nd: NormalizedDocument) -> DocumentRecord:
    return document_record(nd, source_paths=[nd.document.source.path, "mirror/copy.pdf"],
                           pipeline_version=jixiao.__version__, extracted_at=WHEN, seconds=1.25)


def write(dataset: Path, nd: NormalizedDocument) -> None:
    write_document(dataset, nd, record_of(nd))


@pytest.fixture
def dataset(tmp_path: Path, layout: Document) -> Path:
    out = tmp_path / "dataset"
    write(out, normalized(layout))
    return out


def expected_counts(nd: NormalizedDocument) -> dict[str, int]:
    doc = nd.document
    return {
        "documents": 1, "pages": len(doc.pages), "blocks": len(doc.blocks), "tables": len(doc.tables),
        "cells": sum(len(t.cells) for t in doc.tables), "projects": len(nd.projects),
        "spending_plan": len(nd.spending), "indicators": len(nd.indicators),
        "flags": len(nd.flags) + len(doc.diagnostics),
    }


# --- the schema --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table, record", [("projects", Project), ("spending_plan", SpendingPeriod),
                                           ("indicators", Indicator), ("flags", Flag)])
def test_record_tables_mirror_the_dataclasses(table, record):
    assert TABLES[table].names == ["doc_id", *(f.name for f in fields(record))]


def test_documents_table_mirrors_document_record():
    assert TABLES["documents"].names == [f.name for f in fields(DocumentRecord) if f.name != "year"]


def test_every_field_has_a_meaning_and_doc_id_comes_first():
    def all_fields(schema_fields):
        for field in schema_fields:
            yield field
            value_type = field.type.value_type if pa.types.is_list(field.type) else field.type
            if pa.types.is_struct(value_type):
                yield from all_fields(value_type.fields)

    for name, schema in TABLES.items():
        assert schema.names[0] == "doc_id", name
        assert YEAR.name not in schema.names, name
        for field in all_fields(schema):
            zh, en = meaning(field)
            assert zh and en, f"{name}.{field.name}"
    assert EXTRACTION_NOTE == FlagCode.EXTRACTION_NOTE.value


# --- writing -----------------------------------------------------------------------------------------------


def test_files_are_partitioned_by_year(dataset: Path, layout: Document):
    for table in TABLES:
        assert [p.relative_to(dataset).as_posix() for p in (dataset / table).rglob("*.parquet")] == [
            f"{table}/year=2023/{layout.doc_id}.parquet"
        ]


def test_unknown_year_is_partition_zero(tmp_path: Path, layout: Document):
    write(tmp_path, normalized(layout, year=None))
    assert (tmp_path / "projects" / "year=0" / f"{layout.doc_id}.parquet").exists()
    assert open_dataset(tmp_path).projects["year"].tolist() == [0]


def test_files_are_zstd_with_schema_metadata(dataset: Path):
    for table, schema in TABLES.items():
        (path,) = (dataset / table).rglob("*.parquet")
        metadata = pq.read_metadata(path)
        assert metadata.metadata[b"jixiao.schema_version"] == SCHEMA_VERSION.encode()
        assert metadata.metadata[b"jixiao.table"] == table.encode()
        assert pq.read_schema(path).remove_metadata() == schema.remove_metadata()
        if metadata.num_row_groups:
            row_group = metadata.row_group(0)
            assert {row_group.column(i).compression for i in range(row_group.num_columns)} == {"ZSTD"}


def test_rewrite_replaces_rows(dataset: Path, layout: Document):
    nd = normalized(layout)
    nd.flags = []
    write(dataset, nd)
    write(dataset, nd)
    ds = open_dataset(dataset)
    for table, n in expected_counts(nd).items():
        assert len(ds[table]) == n, table
    assert len(ds.flags) == len(layout.diagnostics)  # the dropped flag is gone, not kept from the first run


def test_year_change_removes_the_old_partition(dataset: Path, layout: Document):
    write(dataset, normalized(layout, year=2024))
    for table in TABLES:
        assert not list((dataset / table / "year=2023").glob("*.parquet")), table
        assert (dataset / table / "year=2024" / f"{layout.doc_id}.parquet").exists(), table
    assert open_dataset(dataset).documents["year"].tolist() == [2024]


def test_failed_record_replaces_the_document(dataset: Path, layout: Document):
    record = failed_record(DOC_2023, layout.source.sha256, layout.source.size_bytes, ErrorCode.MALFORMED,
                           "page 3: cannot read page", pipeline_version="0.1.0", extracted_at=WHEN, seconds=0.5)
    assert record.doc_id == layout.doc_id
    write_failed(dataset, record)
    assert not [p for p in dataset.rglob("*.parquet") if p.parts[-3] != "documents"]
    documents = open_dataset(dataset).documents
    assert len(documents) == 1
    row = documents.iloc[0]
    assert (row["status"], row["error_code"], row["year"]) == ("failed", "MALFORMED", 0)
    assert pd.isna(row["pages"]) and pd.isna(row["n_tables"])
    with pytest.raises(ValueError, match="failed"):
        load_document(dataset, layout.doc_id)


def test_failed_record_without_hash(tmp_path: Path):
    record = failed_record("missing.pdf", None, None, ErrorCode.NOT_FOUND, "no such file",
                           pipeline_version="0.1.0", extracted_at=WHEN)
    write_failed(tmp_path, record)
    assert record.doc_id.startswith("path-")
    assert (tmp_path / "documents" / "year=0" / f"{record.doc_id}.parquet").exists()


def test_records_must_match_the_call(tmp_path: Path, layout: Document):
    nd = normalized(layout)
    with pytest.raises(ValueError):
        write_document(tmp_path, nd, replace(record_of(nd), doc_id="other"))
    with pytest.raises(ValueError):
        write_failed(tmp_path, record_of(nd))


def test_a_value_the_schema_cannot_hold_changes_nothing(dataset: Path, layout: Document):
    nd = normalized(layout, year=2024)
    nd.projects[0].budget_wan_yuan = Decimal("40.0000005")  # decimal128(18, 6) would have to round
    with pytest.raises(pa.ArrowInvalid):
        write(dataset, nd)
    assert sorted(p.parent.name for p in dataset.rglob("*.parquet")) == ["year=2023"] * len(TABLES)
    assert load_document(dataset, layout.doc_id) == layout


def test_no_temporary_files_are_left(dataset: Path, layout: Document, tmp_path: Path):
    write(dataset, normalized(layout, year=2022))
    export_duckdb(dataset, tmp_path / "bi.duckdb")
    # the dataset's private folder (.jixiao/, where temporary files are made) may stay, empty
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and (p.name.startswith(".") or p.suffix in (".tmp", ".wal"))]


# --- reading -----------------------------------------------------------------------------------------------


def test_open_dataset_keeps_types_and_nulls(dataset: Path, layout: Document):
    ds = open_dataset(dataset)
    projects = ds["projects"]
    assert projects.equals(ds.projects)
    assert isinstance(ds.arrow("projects"), pads.Dataset)
    assert projects["budget_wan_yuan"].dtype == pd.ArrowDtype(pa.decimal128(18, 6))
    assert projects["budget_wan_yuan"].tolist() == [Decimal("40.00")]
    assert projects["carryover_funds_wan_yuan"].isna().all()
    assert projects["year"].dtype == pd.ArrowDtype(pa.int32())

    spending = ds.spending_plan
    assert spending["share_percent"].dtype == pd.ArrowDtype(pa.decimal128(7, 2))
    assert spending["share_percent"].isna().tolist() == [False, True]
    assert spending["period_end_month"].dtype == pd.ArrowDtype(pa.int16())

    indicators = ds.indicators.sort_values("indicator_seq")
    assert indicators["value_num"].isna().tolist() == [True, False]  # NULL, not NaN-from-float
    assert indicators["value_kind"].tolist() == ["qualitative", "quantitative"]

    documents = ds.documents
    assert documents["extracted_at"].tolist() == [pd.Timestamp(WHEN)]
    assert documents["source_paths"].tolist()[0] == [layout.source.path, "mirror/copy.pdf"]
    assert documents[["n_tables", "n_projects", "n_indicators", "n_flags"]].iloc[0].tolist() == [7, 1, 2, 3]

    cells = ds.cells
    t1 = cells[cells["table_id"] == "t1"]
    assert {(r, c) for r, c, h in zip(t1["row"], t1["col"], t1["is_header"]) if h} == HEADER_CELLS
    assert not cells[cells["table_id"] != "t1"]["is_header"].any()

    tables = ds.tables.set_index("table_id")
    assert tables.loc["t1", "template"] == "project" and pd.isna(tables.loc["t3", "template"])
    table_blocks = ds.blocks.query("kind == 'table'").set_index("table_id")["seq"]
    assert tables["seq"].to_dict() == table_blocks.to_dict()

    notes = ds.flags[ds.flags["code"] == EXTRACTION_NOTE]
    assert notes["message"].tolist()[0] == "[IRREGULAR_MERGE] page 10: table at y=266: merged region is not a rectangle"
    assert set(notes["severity"]) == {"info"}


def test_missing_tables_read_as_empty_frames(tmp_path: Path):
    ds = open_dataset(tmp_path)
    for table, schema in TABLES.items():
        frame = ds[table]
        assert frame.empty and list(frame.columns) == [*schema.names, "year"], table
    with pytest.raises(KeyError):
        ds["nope"]
    with pytest.raises(AttributeError):
        ds.nope  # noqa: B018 - the attribute access is the test


def test_duckdb_sql_over_the_directory(dataset: Path):
    rows = duckdb.sql(
        f"""SELECT year, sum(budget_wan_yuan) AS budget, count(*) AS n
            FROM read_parquet('{dataset.as_posix()}/projects/*/*.parquet', hive_partitioning = true)
            GROUP BY year"""
    ).fetchall()
    assert rows == [(2023, Decimal("40.00"), 1)]


def test_polars_reads_the_directory(dataset: Path):
    frame = pl.read_parquet(dataset / "indicators" / "**" / "*.parquet", hive_partitioning=True)
    assert frame.height == 2
    assert frame["year"].to_list() == [2023, 2023]
    assert frame["value_num"].null_count() == 1


# --- rebuilding the layout document ------------------------------------------------------------------------


def test_load_document_equals_the_written_document(dataset: Path, layout: Document):
    assert load_document(dataset, layout.doc_id) == layout  # diagnostics included: the encoding is exact


@pytest.mark.parametrize("name", ["hebei-hengshui-city-wjw-2024", "hebei-huyang-county-jyj-2022"])
def test_load_document_with_tables_across_pages(tmp_path: Path, name: str):
    document = jixiao.read_pdf(SAMPLE / f"{name}.pdf")
    assert any(len(t.fragments) > 1 for t in document.tables)
    write(tmp_path, NormalizedDocument(document, DocumentMeta(), [], [], [], [], []))
    assert load_document(tmp_path, document.doc_id) == document


def test_load_document_unknown(dataset: Path):
    with pytest.raises(KeyError):
        load_document(dataset, "0123456789abcdef")


def test_load_document_refuses_a_damaged_dataset(dataset: Path, layout: Document):
    (dataset / "cells" / "year=2023" / f"{layout.doc_id}.parquet").unlink()
    with pytest.raises(FileNotFoundError):
        load_document(dataset, layout.doc_id)


# --- DuckDB export -----------------------------------------------------------------------------------------


def test_export_duckdb_views(dataset: Path, layout: Document, tmp_path: Path):
    db_file = tmp_path / "bi" / "jixiao.duckdb"
    assert export_duckdb(dataset, db_file) == list(TABLES)
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        views = {name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        assert views == set(TABLES)
        for table, n in expected_counts(normalized(layout)).items():
            assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (n,), table
        assert con.execute("SELECT DISTINCT year FROM cells").fetchall() == [(2023,)]
        assert con.execute("SELECT budget_wan_yuan FROM projects").fetchall() == [(Decimal("40.00"),)]
    finally:
        con.close()


def test_export_duckdb_with_empty_tables(tmp_path: Path):
    dataset = tmp_path / "dataset"
    write_failed(dataset, failed_record("x.pdf", "ab" * 32, 10, ErrorCode.NOT_PDF, "not a PDF",
                                        pipeline_version="0.1.0", extracted_at=WHEN))
    db_file = tmp_path / "jixiao.duckdb"
    export_duckdb(dataset, db_file)
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        assert con.execute("SELECT status FROM documents").fetchall() == [("failed",)]
        projects = con.execute("SELECT * FROM projects")
        assert projects.fetchall() == []
        assert [d[0] for d in projects.description] == [*TABLES["projects"].names, "year"]
    finally:
        con.close()


# --- the data dictionary -----------------------------------------------------------------------------------


def dictionary_rows(text: str, table: str) -> list[list[str]]:
    """The column rows of the table's section in DATASET.md."""
    section = re.search(rf"^### `{table}`\n(.*?)(?=^#{{1,3}} |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section, f"DATASET.md has no section for {table}"
    rows = [line.strip("|").split("|") for line in section[1].splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row] for row in rows]


@pytest.mark.parametrize("table", list(TABLES))
def test_data_dictionary_lists_every_column(table: str):
    text = (ROOT / "docs" / "DATASET.md").read_text(encoding="utf-8")
    documented = dictionary_rows(text, table)
    schema = TABLES[table]
    assert [row[0].strip("`") for row in documented] == schema.names
    for row, field in zip(documented, schema):
        zh, en = meaning(field)
        assert row[1:4] == [f"`{field.type}`", zh, en], f"{table}.{field.name}"
