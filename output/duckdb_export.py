"""A DuckDB database file for BI tools (Superset, Metabase) over the dataset.

The file holds no data: one VIEW per dataset table reads the Parquet files
where they are, so the database stays small and is always as fresh as the
dataset (a new document shows up without re-exporting). Export again when a
table that had no file at export time gets one (its view is an empty SELECT).

Two things decide whether a BI tool can open the file at all:

* **Storage version.** The newest DuckDB writes a storage format older
  DuckDBs refuse ("can only read version 64"), and the DuckDB inside a BI
  tool's driver lags years behind. The file is therefore attached with an
  explicit ``STORAGE_VERSION`` (:data:`STORAGE_COMPATIBILITY`), which every
  DuckDB from 1.0 to the newest reads.
* **Paths.** By default the views name the dataset by its absolute path, so
  the file can be copied anywhere but breaks when the dataset moves. With
  ``relative=True`` they name it relative to the database file's folder, so
  the file and the dataset move together; DuckDB resolves a relative path
  against its working directory and then against the ``file_search_path``
  setting, so a reader sets ``file_search_path`` to the file's folder (or
  starts in it).

One document with an odd partition (a year a 32-bit integer cannot hold)
must not make every query fail, so ``year`` is read as text and cast with
``TRY_CAST``: that document's year is NULL, the rest of the table reads.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from jixiao.atomic import atomic_path
from jixiao.schema import TABLES, YEAR

#: The DuckDB storage format the file is written in: storage version 64,
#: readable by DuckDB 0.10 through the newest (DuckDB 2.x would otherwise
#: write a version only DuckDB 2.x reads).
STORAGE_COMPATIBILITY = "v1.0.0"
#: The number DuckDB writes in the file header for that format.
STORAGE_VERSION_NUMBER = 64


def export_duckdb(dataset_dir: Path, db_file: Path, *, relative: bool = False) -> list[str]:
    """Write ``db_file`` with one view per table of the dataset at
    ``dataset_dir`` and return the view names. With ``relative`` the views'
    paths are relative to ``db_file``'s folder (see the module docstring).
    The file is built under a temporary name and renamed, so a BI tool never
    opens half a database."""
    root = Path(dataset_dir).resolve()
    db_file = Path(db_file)
    base = db_file.resolve().parent
    with atomic_path(db_file) as tmp:
        con = duckdb.connect()
        try:
            escaped = str(tmp).replace("'", "''")
            con.execute(f"ATTACH '{escaped}' AS export (STORAGE_VERSION '{STORAGE_COMPATIBILITY}')")
            if relative:  # the views are bound now, from the file's folder as a reader will
                con.execute(f"SET file_search_path = '{_quote(base.as_posix())}'")
            for table in TABLES:
                location = Path(os.path.relpath(root / table, base)) if relative else root / table
                con.execute(f'CREATE VIEW export."{table}" AS {_select(con, root / table, location, table)}')
            con.execute("DETACH export")
        finally:
            con.close()
    return list(TABLES)


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _select(con: duckdb.DuckDBPyConnection, directory: Path, location: Path, table: str) -> str:
    """The view's query: the table's Parquet files at ``location`` with
    ``year`` from the directory names; with no file yet (e.g. only failed
    documents), an empty query with the schema's columns, since read_parquet
    fails on no files."""
    if any(directory.glob("*/*.parquet")):
        pattern = _quote(location.as_posix() + "/*/*.parquet")
        return (f"SELECT * REPLACE (TRY_CAST(\"{YEAR.name}\" AS INTEGER) AS \"{YEAR.name}\") "
                f"FROM read_parquet('{pattern}', hive_partitioning = true, union_by_name = true, "
                f"hive_types = {{'{YEAR.name}': VARCHAR}})")
    empty = con.from_arrow(TABLES[table].append(YEAR).empty_table())
    columns = ", ".join(f'CAST(NULL AS {type_}) AS "{name}"' for name, type_ in zip(empty.columns, empty.types))
    return f"SELECT {columns} WHERE false"


def storage_version(db_file: Path) -> int:
    """The storage version number in a DuckDB file's header (the number an
    older DuckDB compares with the versions it can read): 8 bytes of
    checksum, the magic ``DUCK``, then the version as a little-endian uint64."""
    with Path(db_file).open("rb") as f:
        header = f.read(20)
    if header[8:12] != b"DUCK":
        raise ValueError(f"{db_file}: not a DuckDB database file")
    return int.from_bytes(header[12:20], "little")
