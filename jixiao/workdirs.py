"""The dataset's private folder, ``DATASET/.jixiao/``: jixiao's own temporary
files, run logs and the writers' lock.

Temporary files live here, not beside the Parquet files, so that cleaning up
after a killed run never touches a file jixiao did not make; each run writes
into a folder named by its run id, and only a run holding the dataset's lock
removes the folders of runs that are gone. The folder is on the dataset's
file system, so a finished file is renamed into place atomically, and its
name starts with a dot, so Parquet readers (pyarrow, DuckDB, polars, Spark)
never look inside.
"""

from __future__ import annotations

from pathlib import Path

PRIVATE = ".jixiao"


def private_dir(dataset: str | Path) -> Path:
    return Path(dataset) / PRIVATE


def tmp_root(dataset: str | Path) -> Path:
    """Where every temporary file of every writer of the dataset lives."""
    return private_dir(dataset) / "tmp"


def run_tmp_dir(dataset: str | Path, run_id: str) -> Path:
    """One run's temporary files."""
    return tmp_root(dataset) / run_id


def log_dir(dataset: str | Path) -> Path:
    return private_dir(dataset) / "logs"


def lock_file(dataset: str | Path) -> Path:
    return private_dir(dataset) / "lock"
