"""Files and names (issue #13 items 6 and 7): one writer per dataset, temp
files that are only jixiao's own, file names that are not UTF-8, a GBK
manifest, manifest values that cannot be right, entries that cannot be
read, a full disk, and readers that one odd document or folder cannot
break."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pikepdf
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLE

from jixiao.cli import main
from jixiao.corpus.discovery import discover
from jixiao.corpus.lock import DatasetLock
from jixiao.corpus.manifest import ManifestError, read_manifest
from jixiao.dataset import load_document, open_dataset
from jixiao.output.duckdb_export import export_duckdb

A = FIXTURES / "external/pdfplumber-issue-842/document.pdf"
B = FIXTURES / "external/row_span_1/document.pdf"


def run(*args: object):
    return CliRunner().invoke(main, ["run", *(str(a) for a in args), "--quiet", "--workers", "1"])


def documents(dataset: Path, columns: str) -> list[tuple]:
    return duckdb.connect().execute(f"SELECT {columns} FROM read_parquet('{dataset}/documents/*/*.parquet', "
                                    "hive_partitioning = true) ORDER BY ALL").fetchall()


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(A, corpus / "a.pdf")
    dataset = tmp_path / "ds"
    with DatasetLock(dataset):  # as a run in progress holds it
        result = run(corpus, "-o", dataset)
    assert result.exit_code == 2
    assert "another jixiao run is writing this dataset (pid " in result.output and str(dataset) in result.output
    assert not (dataset / "documents").exists()


@pytest.mark.slow
def test_a_second_run_cannot_disturb_the_first(tmp_path: Path) -> None:
    """A real first run, busy; the second is refused and deletes nothing of
    the first's, which completes."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf", corpus / "a.pdf")
    shutil.copy(SAMPLE / "hebei-hengshui-city-wjw-2024.pdf", corpus / "b.pdf")
    dataset = tmp_path / "ds"
    first = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "run", str(corpus), "-o", str(dataset), "--quiet",
                              "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (dataset / ".jixiao" / "tmp").is_dir() or not any((dataset / ".jixiao" / "tmp").iterdir()):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    second = run(corpus, "-o", dataset)
    assert second.exit_code == 2 and "another jixiao run" in second.output
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err
    assert [status for (status,) in documents(dataset, "status")] == ["ok", "ok"]


@pytest.mark.slow
def test_temporary_files_are_only_jixiaos_own(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(A, corpus / "a.pdf")
    dataset = tmp_path / "ds"
    mine = [dataset / "notes" / ".draft.tmp", dataset / "projects" / ".keep.tmp", dataset / "x.parquet.tmp"]
    for path in mine:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the user's own")
    left = dataset / ".jixiao" / "tmp" / "20240101-000000-1" / "pages.1.abcd.parquet.tmp"  # a killed run's
    left.parent.mkdir(parents=True)
    left.write_bytes(b"half")
    assert run(corpus, "-o", dataset).exit_code == 0
    assert all(path.read_text() == "the user's own" for path in mine)
    assert not left.exists() and not list((dataset / ".jixiao" / "tmp").iterdir())


@pytest.mark.slow
def test_names_that_are_not_utf8_and_a_gbk_manifest(tmp_path: Path) -> None:
    """A folder and a file named in GBK (as unzip leaves an archive made on
    Chinese Windows) and a manifest saved by Excel as GBK."""
    corpus = tmp_path / "corpus"
    folder = os.fsdecode(str(corpus).encode() + b"/" + "二〇二三年".encode("gbk"))
    os.makedirs(folder)
    name = os.fsdecode("绩效文本.pdf".encode("gbk"))
    shutil.copy(A, os.path.join(folder, name))
    shutil.copy(B, corpus / "plain.pdf")
    (corpus / "manifest.csv").write_bytes(
        "path,province,department,year,source_url\n二〇二三年/绩效文本.pdf,河北省,某某局,2023,https://example.org/a.pdf\n"
        .encode("gbk"))
    dataset = tmp_path / "ds"
    result = run(corpus, "-o", dataset)
    assert result.exit_code == 0, result.output
    rows = {r[0]: r[1:] for r in documents(dataset, "source_relpath, source_path, source_path_bytes, department, "
                                                    "year, source_url, status")}
    relpath, path, raw, department, year, url, status = "二〇二三年/绩效文本.pdf", *rows["二〇二三年/绩效文本.pdf"]
    assert (department, year, url, status) == ("某某局", 2023, "https://example.org/a.pdf", "ok")
    assert path == f"{corpus}/{relpath}"
    assert raw == os.fsencode(os.path.join(folder, name))  # lossless: the file opens from it
    assert Path(os.fsdecode(raw)).read_bytes() == A.read_bytes()
    assert rows["plain.pdf"][1] is None  # a UTF-8 name is its own text
    assert open_dataset(dataset).documents["source_relpath"].tolist().count(relpath) == 1


@pytest.mark.parametrize(("content", "message"), [
    ("path,yaer\na.pdf,2023\n", "line 1: unknown column(s) 'yaer'"),
    ("file,year\na.pdf,2023\n", "line 1: needs a 'path' column"),
    ("path,year\na.pdf,2023\nb.pdf,99999999999\n", "line 3: year 99999999999 is not a budget year"),
    ("path,year\na.pdf,-5\n", "line 2: year -5 is not a budget year"),
    ("path,year\na.pdf,二〇二三\n", "line 2: year '二〇二三' is not a number"),
    ("path,year\na.pdf,2023\n./a.pdf,2024\n", "line 3: ./a.pdf is listed twice (also on line 2)"),
    ("path,year\na.pdf,2023,extra\n", "line 2: more values than the 2 columns"),
])
def test_bad_manifest_values_are_errors_naming_the_line(content: str, message: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(A, corpus / "a.pdf")
    (corpus / "manifest.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_manifest(corpus)
    result = run(corpus, "-o", tmp_path / "ds")
    assert result.exit_code == 2 and message in result.output and "manifest.csv" in result.output
    assert not (tmp_path / "ds").exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_manifest_encodings(encoding: str, tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_bytes("path,city,year\n绩效/a.pdf,承德市,2023\n".encode(encoding))
    entry = read_manifest(tmp_path)["绩效/a.pdf"]
    assert (entry.city, entry.year) == ("承德市", 2023)


@pytest.mark.slow
def test_entries_that_cannot_be_read_are_listed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    shutil.copy(A, corpus / "sub" / "a.pdf")
    os.mkfifo(corpus / "pipe.pdf")
    (corpus / "sub" / "loop").symlink_to(corpus)  # a folder inside itself
    (corpus / "gone.pdf").symlink_to(corpus / "nowhere.pdf")
    (corpus / "self.pdf").symlink_to(corpus / "self.pdf")
    found = discover(corpus)
    assert [item.relpath for item in found] == ["sub/a.pdf"]
    assert sorted((Path(s.path).name, s.reason) for s in found.skipped) == [
        ("gone.pdf", "broken symbolic link"), ("loop", "symbolic link loop (a folder inside itself)"),
        ("pipe.pdf", "a FIFO"), ("self.pdf", "symbolic link loop")]
    result = run(corpus, "-o", tmp_path / "ds")
    assert result.exit_code == 0, result.output
    assert "entries not read                4" in result.output
    assert f"NOT READ {corpus / 'pipe.pdf'}: a FIFO" in result.output


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None and sys.platform.startswith("linux")


@pytest.mark.slow
@pytest.mark.skipif(not _can_mount(), reason="needs root to mount a small tmpfs")
def test_a_full_disk_ends_with_a_clear_message_and_a_rerun_completes(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(disk)], capture_output=True,
                             check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        dataset = disk / "dataset"
        full = run(SAMPLE, "-o", dataset)
        assert full.exit_code == 1, full.output
        assert "No space left on device" in full.output and "make room and run again" in full.output
        assert "NOT WRITTEN" in full.output
        done = documents(dataset, "status") if list(dataset.glob("documents/*/*.parquet")) else []
        assert len(done) < 3 and all(status == "ok" for (status,) in done)  # nothing recorded as failed
        subprocess.run(["mount", "-o", "remount,size=20m", str(disk)], check=True)
        again = run(SAMPLE, "-o", dataset)
        assert again.exit_code == 0, again.output
        assert documents(dataset, "status") == [("ok",)] * 3
        assert not [p for p in dataset.rglob("*.tmp")]
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _odd_box(path: Path, box: list[float]) -> Path:
    with pikepdf.open(A) as pdf:
        for page in pdf.pages:
            page.MediaBox = box
            if "/CropBox" in page:
                del page.CropBox
        pdf.save(path)
    return path


@pytest.mark.slow
def test_odd_page_boxes_and_partitions_do_not_break_the_readers(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _odd_box(corpus / "zero.pdf", [0, 0, 0, 0])
    _odd_box(corpus / "inverted.pdf", [612, 792, 0, 0])
    _odd_box(corpus / "huge.pdf", [0, 0, 14400, 14400])
    dataset = tmp_path / "ds"
    assert run(corpus, "-o", dataset).exit_code == 0
    # a folder an older jixiao could have written from a manifest year of 99999999999, and one that is no year
    for odd in ("year=99999999999", "year=abc"):
        (dataset / "documents" / odd).mkdir()
        shutil.copy(next(dataset.glob("documents/*/*.parquet")), dataset / "documents" / odd / "x.parquet")
    ds = open_dataset(dataset)
    # as a viewer shows them: a box of no area is the default Letter page, an inverted one is put in order
    assert sorted(ds.pages["width"].tolist()) == [612.0, 612.0, 14400.0]
    assert len(ds.documents) == 3
    for doc_id in ds.documents["doc_id"]:
        assert load_document(dataset, doc_id).pages
    export_duckdb(dataset, tmp_path / "bi.duckdb")
    con = duckdb.connect(str(tmp_path / "bi.duckdb"), read_only=True)
    years = sorted(ds.documents["year"].tolist())
    assert sorted(y for (y,) in con.execute("SELECT year FROM documents WHERE year IS NOT NULL").fetchall()) == years


def test_unchanged_files_are_not_read_again_to_hash_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from jixiao.corpus import discovery

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(A, corpus / "a.pdf")
    shutil.copy(B, corpus / "b.pdf")
    cache = tmp_path / "hashes.json"
    hashes = discovery.HashCache(cache)
    first = discover(corpus, hashes)
    hashes.save()  # the run saves it, holding the dataset's lock
    read: list[Path] = []
    real = discovery._file_sha256
    monkeypatch.setattr(discovery, "_file_sha256", lambda path: read.append(path) or real(path))
    again = discover(corpus, discovery.HashCache(cache))
    assert read == [] and [i.sha256 for i in again] == [i.sha256 for i in first]
    # same size, modification time put back: the change time still moved
    stat = (corpus / "a.pdf").stat()
    data = bytearray((corpus / "a.pdf").read_bytes())
    data[-20] ^= 0x01
    (corpus / "a.pdf").write_bytes(bytes(data))
    os.utime(corpus / "a.pdf", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = discover(corpus, discovery.HashCache(cache))
    assert read == [corpus / "a.pdf"]
    assert changed.items[0].sha256 != first.items[0].sha256 or changed.items[1].sha256 != first.items[1].sha256
