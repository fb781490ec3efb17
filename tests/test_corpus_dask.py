"""Dask for real (issue #13 item 4): a `dask scheduler` and two `dask
worker` processes started here on 127.0.0.1, each in a working folder of
its own; `jixiao run -o dataset --dask-scheduler` from a third folder
writes the dataset where the user said, the same as a local run, with the
deadline applied on the workers; a cluster that cannot see the dataset is
refused before anything runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pikepdf
import pytest
from conftest import FIXTURES, SAMPLE

from jixiao.corpus.dask_exec import ClusterError, check_visible
from jixiao.corpus.job import Job
from jixiao.corpus.runner import run_corpus
from jixiao.schema import TABLES
from jixiao.settings import Settings

pytest.importorskip("distributed")

VOLATILE = ("extracted_at", "seconds")
START_S = 120


def _rows(dataset: Path, table: str) -> list[tuple]:
    con = duckdb.connect()
    source = f"read_parquet('{dataset}/{table}/*/*.parquet', hive_partitioning = true)"
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall() if r[0] not in VOLATILE]
    return con.execute(f"SELECT {', '.join(repr(c).replace(chr(39), chr(34)) for c in columns)} FROM {source} "
                       "ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """(scheduler address, the workers' working folders)."""
    base = tmp_path_factory.mktemp("cluster")
    scheduler_file = base / "scheduler.json"
    folders = [base / name for name in ("scheduler", "worker-1", "worker-2")]
    for folder in folders:
        folder.mkdir()
    log = open(base / "cluster.log", "w")  # noqa: SIM115 - closed at teardown
    processes = [subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(scheduler_file)], cwd=folders[0], stdout=log, stderr=log)]
    try:
        deadline = time.monotonic() + START_S
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, (base / "cluster.log").read_text()
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        for folder in folders[1:]:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-dashboard",
                 "--local-directory", str(folder / "scratch"), "--host", "127.0.0.1"],
                cwd=folder, stdout=log, stderr=log))
        from distributed import Client

        with Client(address, timeout=START_S) as client:
            client.wait_for_workers(2, timeout=START_S)
        yield address, folders[1:]
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "dataset"
    run_corpus(SAMPLE, out, workers=1)
    return out


def jixiao_run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jixiao.cli", "run", *args, "--quiet"], cwd=cwd, capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.mark.slow
def test_a_real_cluster_writes_the_dataset_where_the_user_said(cluster, reference: Path, tmp_path: Path) -> None:
    address, worker_folders = cluster
    client_folder = tmp_path / "client"
    client_folder.mkdir()
    result = jixiao_run(client_folder, str(SAMPLE), "-o", "dataset", "--dask-scheduler", address)
    assert result.returncode == 0, result.stdout + result.stderr
    dataset = client_folder / "dataset"
    assert f"dataset: {dataset}" in result.stdout and "in the dataset: ok              3" in result.stdout
    for folder in worker_folders:  # nothing written where the workers run
        assert not (folder / "dataset").exists()
    for table in TABLES:
        assert _rows(dataset, table) == _rows(reference, table), table


@pytest.mark.slow
def test_the_deadline_applies_on_the_workers(cluster, tmp_path: Path) -> None:
    address, _ = cluster
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "external/pdfplumber-issue-842/document.pdf", corpus / "small.pdf")
    with pikepdf.open(SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf") as source:
        long = pikepdf.new()
        for _ in range(1500):
            long.pages.append(source.pages[2])
        long.save(corpus / "long.pdf")
    started = time.monotonic()
    result = jixiao_run(tmp_path, str(corpus), "-o", str(tmp_path / "ds"), "--dask-scheduler", address,
                        "--timeout-per-doc", "3")
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAILED TIMEOUT: {corpus / 'long.pdf'}: took longer than 3 s" in result.stdout
    assert "in the dataset: ok              1" in result.stdout
    assert elapsed < 90, f"{elapsed:.0f} s: the deadline did not stop the document on its worker"


class _BlindWorkerClient:
    """A cluster of two workers, the second on a machine that does not
    share the dataset's file system."""

    def run(self, function, probe: str, *args):
        return {"tcp://10.0.0.1:40000": function(probe, *args),
                "tcp://10.0.0.2:40000": function(os.path.join("/nonexistent", os.path.basename(probe)), *args)}


def test_a_cluster_that_cannot_see_the_dataset_is_refused(tmp_path: Path) -> None:
    job = Job(dataset=tmp_path / "ds", corpus_root=SAMPLE, settings=Settings(), pipeline_version="test",
              run_id="r1")
    with pytest.raises(ClusterError, match=r"tcp://10\.0\.0\.2:40000: cannot see the dataset folder") as refused:
        check_visible(_BlindWorkerClient(), job, [])
    assert "10.0.0.1" not in str(refused.value)
    assert not list(job.tmp_dir.iterdir())  # the probe is removed
