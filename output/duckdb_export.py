"""A DuckDB database file for BI tools (Superset, Metabase) over the dataset.

The file holds no data: one VIEW per dataset table reads the Parquet files
where they are, so the database stays small and is always as fresh as the
dataset (a new document shows up without re-exporting). Export again when
the dataset moves (the views name it by its absolute path) or when a table
that had no file at export time gets one (its view is an empty SELECT).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from jixiao.atomic import atomic_path
from jixiao.schema import TABLES, YEAR


def export_duckdb(dataset_dir: Path, db_file: Path) -> list[str]:
    """Write ``db_file`` with one view per table of the dataset at
    ``dataset_dir`` and return the view names. The file is built under a
    temporary name and renamed, so a BI tool never opens half a database."""
    root = Path(dataset_dir).resolve()
    with atomic_path(db_file) as tmp:
        con = duckdb.connect(str(tmp))
        try:
            for table in TABLES:
                con.execute(f'CREATE VIEW "{table}" AS {_select(con, root, table)}')
        finally:
            con.close()
    return list(TABLES)


def _select(con: duckdb.DuckDBPyConnection, root: Path, table: str) -> str:
    """The view's query: the table's Parquet files with ``year`` from the
    directory names; with no file yet (e.g. only failed documents), an empty
    query with the schema's columns, since read_parquet fails on no files."""
    directory = root / table
    if any(directory.glob("*/*.parquet")):
        pattern = (directory.as_posix() + "/*/*.parquet").replace("'", "''")
        # the partition is read as text and only year=<int32> folders are kept (as jixiao.dataset
        # does): one odd folder must not make the whole view fail
        year = f'"{YEAR.name}"'
        return (f"SELECT * REPLACE (CAST({year} AS INTEGER) AS {year}) FROM read_parquet('{pattern}', "
                f"hive_partitioning = true, union_by_name = true, hive_types = {{'{YEAR.name}': VARCHAR}}) "
                f"WHERE TRY_CAST({year} AS INTEGER) IS NOT NULL")
    empty = con.from_arrow(TABLES[table].append(YEAR).empty_table())
    columns = ", ".join(f'CAST(NULL AS {type_}) AS "{name}"' for name, type_ in zip(empty.columns, empty.types))
    return f"SELECT {columns} WHERE false"
