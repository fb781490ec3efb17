"""`jixiao export --duckdb`: a file the DuckDB inside a BI tool can open, that survives a move.

The DuckDB in Superset's and Metabase's drivers lags the newest by years, and
a file in the newest storage format is refused outright ("can only read
version 64"). The fast tests assert the storage version the file header
records; a slow test opens the file with DuckDB 1.1 itself, installed from
PyPI into a folder of its own (skipped when PyPI cannot be reached).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from review_data import sample_run

from jixiao.cli import main
from jixiao.dataset import open_dataset
from jixiao.output.duckdb_export import STORAGE_VERSION_NUMBER, storage_version
from jixiao.schema import TABLES

#: The storage version DuckDB 0.10 to 1.1 can read (their error message:
#: "we can only read version 64"); DuckDB 1.2 and later read it too.
READABLE_BY_DUCKDB_1_1 = 64
OLD_DUCKDB = ("duckdb==1.1.3", "pytz")  # DuckDB 1.1 needs pytz to return timestamps with a time zone


def _cli(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def _moved_export(tmp_path: Path) -> tuple[Path, Path]:
    """The sample dataset and a --relative export next to it, both moved to
    another folder after the export. Returns (new dataset, new db file)."""
    before = tmp_path / "before"
    before.mkdir()
    shutil.copytree(sample_run().dataset, before / "dataset")
    result = _cli("export", before / "dataset", "--duckdb", before / "jixiao.duckdb", "--relative")
    assert result.exit_code == 0, result.output
    after = tmp_path / "elsewhere" / "after"
    after.parent.mkdir()
    before.rename(after)
    return after / "dataset", after / "jixiao.duckdb"


def test_export_writes_a_storage_version_duckdb_1_1_reads(tmp_path: Path) -> None:
    db = tmp_path / "jixiao.duckdb"
    result = _cli("export", sample_run().dataset, "--duckdb", db)
    assert result.exit_code == 0, result.output
    assert storage_version(db) == STORAGE_VERSION_NUMBER == READABLE_BY_DUCKDB_1_1
    assert not list(tmp_path.glob("*.wal")) and not list(tmp_path.glob(".*.tmp"))
    con = duckdb.connect(str(db), read_only=True)
    views = {name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert views == set(TABLES)
    budget = con.execute("SELECT sum(budget_wan_yuan) FROM projects").fetchone()[0]
    con.close()
    expected = sum(v for v in open_dataset(sample_run().dataset).projects["budget_wan_yuan"] if v is not None)
    assert isinstance(budget, Decimal) and budget == expected  # exact, not float


def test_relative_export_survives_moving_the_dataset_with_it(tmp_path: Path) -> None:
    dataset, db = _moved_export(tmp_path)
    con = duckdb.connect(str(db), read_only=True)
    definitions = " ".join(sql for (sql,) in con.execute("SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall())
    assert str(tmp_path) not in definitions  # no absolute path in any view
    con.execute(f"SET file_search_path = '{db.parent.as_posix()}'")
    counts = dict(con.execute("SELECT status, count(*) FROM documents GROUP BY ALL").fetchall())
    assert counts == {"ok": 3, "failed": 1}
    assert con.execute("SELECT count(*) FROM cells").fetchone() == (len(open_dataset(dataset).cells),)
    con.close()


def test_absolute_export_names_the_dataset_where_it_was(tmp_path: Path) -> None:
    db = tmp_path / "abs.duckdb"
    assert _cli("export", sample_run().dataset, "--duckdb", db).exit_code == 0
    con = duckdb.connect(str(db), read_only=True)
    (definition,) = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'projects'").fetchone()
    assert str(sample_run().dataset.resolve()) in definition
    con.close()


@pytest.mark.parametrize("command", ["export", "report", "list"])
def test_a_folder_that_is_not_a_dataset_exits_2(tmp_path: Path, command: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a dataset", encoding="utf-8")
    extra = {"export": ["--duckdb", tmp_path / "x.duckdb"], "report": ["-o", tmp_path / "r.html"], "list": []}[command]
    for folder in (empty, tmp_path / "missing"):
        result = _cli(command, folder, *extra)
        assert result.exit_code == 2, result.output
        assert f"jixiao: error: {folder}" in result.output
    assert not (tmp_path / "x.duckdb").exists() and not (tmp_path / "r.html").exists()


@pytest.mark.slow
def test_duckdb_1_1_opens_the_moved_relative_export(tmp_path: Path) -> None:
    """DuckDB 1.1 (what BI drivers bundled through 2025) reads every view of
    the file after the dataset and the file moved together."""
    old = tmp_path / "old-duckdb"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "--target", str(old), *OLD_DUCKDB], capture_output=True, text=True, timeout=600,
                             check=False)
    if install.returncode != 0:
        pytest.skip(f"cannot install {OLD_DUCKDB[0]} from PyPI: {install.stderr.strip()[-300:]}")
    dataset, db = _moved_export(tmp_path)
    script = textwrap.dedent(f"""
        import duckdb
        assert duckdb.__version__.startswith("1.1."), duckdb.__version__
        con = duckdb.connect({str(db)!r}, read_only=True)
        con.execute("SET file_search_path = '{db.parent.as_posix()}'")
        for view in {list(TABLES)!r}:
            con.execute(f'SELECT * FROM "{{view}}"').fetchall()
        print(con.execute("SELECT count(*), sum(budget_wan_yuan) FROM projects").fetchone())
    """)
    env = {"PYTHONPATH": str(old), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    projects = open_dataset(dataset).projects
    total = sum(v for v in projects["budget_wan_yuan"] if v is not None)
    assert result.stdout.strip() == f"({len(projects)}, {Decimal(total)!r})"
