"""The CLI as analysts and reviewers meet it: `python -m jixiao`, `--version`,
`jixiao list`, `--doc` by what a person has at hand, CSV a spreadsheet
cannot execute."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pikepdf import Dictionary, Name
from review_data import sample_run

import jixiao
from jixiao.cli import main
from jixiao.output.catalog import DocumentNotFound, resolve_doc
from jixiao.output.tables_csv import escape_formula


def _cli(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_python_dash_m_jixiao_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "jixiao", "--version"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"jixiao, version {jixiao.__version__}"
    helped = subprocess.run([sys.executable, "-m", "jixiao", "--help"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert helped.stdout.startswith("Usage: jixiao ") and " list " in helped.stdout


def test_list_shows_id_file_title_department_year_status() -> None:
    run = sample_run()
    result = _cli("list", run.dataset, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["file"]: row for row in json.loads(result.output)}
    assert set(rows) == {"empty.pdf", "hebei-chengde-gxq-zrzy-2023.pdf", "hebei-hengshui-city-wjw-2024.pdf",
                         "hebei-huyang-county-jyj-2022.pdf"}
    row = rows["hebei-hengshui-city-wjw-2024.pdf"]
    assert row["id"] == run.ids["hebei-hengshui-city-wjw-2024"]
    # hand-checked against the PDF's cover
    assert (row["department"], row["year"], row["status"]) == ("衡水市卫生健康委员会", "2024", "ok")
    assert "2024年绩效文本" in row["title"]
    assert (rows["empty.pdf"]["status"], rows["empty.pdf"]["year"]) == ("failed", "-")

    text = _cli("list", run.dataset)
    lines = text.output.splitlines()
    assert lines[0].split() == ["id", "file", "title", "department", "year", "status"]
    assert len(lines) == 5
    # columns line up in a terminal although titles are Chinese (two columns per character)
    from jixiao.output.catalog import display_width

    status_starts = {display_width(line[: line.rindex(" ") + 1]) for line in lines}
    assert len(status_starts) == 1
    tsv = _cli("list", run.dataset, "--format", "tsv").output.splitlines()
    assert all(line.count("\t") == 5 for line in tsv)


def test_doc_accepts_an_id_prefix_a_file_name_or_a_title() -> None:
    run = sample_run()
    doc_id = run.ids["hebei-huyang-county-jyj-2022"]
    for name in (doc_id, doc_id[:5], "hebei-huyang-county-jyj-2022.pdf", "hebei-huyang-county-jyj-2022"):
        result = _cli("rebuild", run.dataset, "--doc", name)
        assert result.exit_code == 0, (name, result.output)
        assert "滹阳县教育局" in result.output


def _doc(doc_id: str, path: str, title: str | None = None) -> dict:
    return {"doc_id": doc_id, "source_path": path, "source_paths": [path], "title": title}


def test_an_ambiguous_or_unknown_doc_is_a_clear_error() -> None:
    documents = [_doc("ab12", "/a/2023/report.pdf", "甲"), _doc("ab34", "/b/2024/report.pdf", "乙"),
                 _doc("cd56", "/c/other.pdf", "甲")]
    assert resolve_doc(documents, "ab3")["doc_id"] == "ab34"
    assert resolve_doc(documents, "other.pdf")["doc_id"] == "cd56"
    assert resolve_doc(documents, "乙")["doc_id"] == "ab34"
    with pytest.raises(DocumentNotFound, match=r"'ab' is ambiguous: 2 documents match \(ab12 report.pdf; ab34"):
        resolve_doc(documents, "ab")
    with pytest.raises(DocumentNotFound, match="'report.pdf' is ambiguous: 2 documents"):
        resolve_doc(documents, "report.pdf")
    with pytest.raises(DocumentNotFound, match="'甲' is ambiguous"):
        resolve_doc(documents, "甲")
    with pytest.raises(DocumentNotFound, match="no document has that id"):
        resolve_doc(documents, "zz")

    result = _cli("rebuild", sample_run().dataset, "--doc", "hebei")  # a prefix of file names is not a name
    assert result.exit_code == 2 and "no document has that id, id prefix, file name or title" in result.output


@pytest.mark.parametrize(("cell", "escaped"), [
    ("=1+1", "'=1+1"), ("+86 10 1234", "'+86 10 1234"), ("-5", "'-5"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=cmd", "'\t=cmd"), ("\r=cmd", "'\r=cmd"), ("≥90%", "≥90%"), ("1,850.00", "1,850.00"), ("", ""),
    ("a=b", "a=b"), ("＝1+1", "＝1+1"),
])
def test_formula_cells_are_escaped_as_owasp_recommends(cell: str, escaped: str) -> None:
    assert escape_formula(cell) == escaped


def _ruled_table_pdf(path: Path, rows: list[list[str]]) -> Path:
    """A one-page PDF with a ruled table of ``rows`` (Helvetica, ASCII)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    x0, top, width, height = 72, 720, 140, 28
    ops = ["0.8 w"]
    ops += [f"{x0} {top - r * height} m {x0 + len(rows[0]) * width} {top - r * height} l S" for r in range(len(rows) + 1)]
    ops += [f"{x0 + c * width} {top} m {x0 + c * width} {top - len(rows) * height} l S" for c in range(len(rows[0]) + 1)]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            literal = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /F1 11 Tf {x0 + c * width + 6} {top - (r + 1) * height + 9} Td ({literal}) Tj ET")
    page = pdf.add_blank_page(page_size=(612, 792))
    page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream("\n".join(ops).encode("latin-1"))
    pdf.save(path)
    return path


def test_tables_csv_escapes_formulas_unless_told_not_to(tmp_path: Path) -> None:
    rows = [["name", "value", "note"], ["=1+1", "+8610", "-5"], ["@SUM(A1)", "plain", "a=b"]]
    pdf = _ruled_table_pdf(tmp_path / "formulas.pdf", rows)
    result = _cli("tables", pdf, "--format", "csv")
    assert result.exit_code == 0, result.output
    cells = {(r["row"], r["col"]): r["text"] for r in csv.DictReader(io.StringIO(result.output))}
    assert cells == {("0", "0"): "name", ("0", "1"): "value", ("0", "2"): "note",
                     ("1", "0"): "'=1+1", ("1", "1"): "'+8610", ("1", "2"): "'-5",
                     ("2", "0"): "'@SUM(A1)", ("2", "1"): "plain", ("2", "2"): "a=b"}
    raw = _cli("tables", pdf, "--format", "csv", "--no-escape-formulas")
    cells = {(r["row"], r["col"]): r["text"] for r in csv.DictReader(io.StringIO(raw.output))}
    assert [cells[("1", c)] for c in "012"] == ["=1+1", "+8610", "-5"] and cells[("2", "0")] == "@SUM(A1)"


def test_the_source_pdf_is_found_from_provenance_after_moves(tmp_path: Path) -> None:
    """The report (and verify) look for a document's PDF where it was read,
    then at corpus_root/source_relpath, then with the corpus and dataset
    moved together: the relative path under the dataset's parent, or under
    a folder named like the old corpus root next to the dataset."""
    from conftest import SAMPLE

    from jixiao.extract.pdf_open import sha256_of
    from jixiao.output.catalog import find_source_pdf

    original = SAMPLE / "hebei-huyang-county-jyj-2022.pdf"
    sha = sha256_of(original)
    row = {"doc_id": sha[:16], "sha256": sha, "source_path": "archive/2022/教育局.pdf", "source_paths": None,
           "source_relpath": "2022/教育局.pdf", "corpus_root": str(tmp_path / "old" / "archive")}
    dataset = tmp_path / "new" / "dataset"

    def place(path: Path, data: bytes = original.read_bytes()) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    found, why = find_source_pdf(row, dataset)
    assert found is None and "not at any recorded place" in why and "old/archive/2022" in why
    sibling = place(tmp_path / "new" / "archive" / "2022" / "教育局.pdf")  # moved next to the dataset
    assert find_source_pdf(row, dataset) == (sibling, "")
    inside = place(tmp_path / "new" / "2022" / "教育局.pdf")  # the dataset inside the corpus root
    assert find_source_pdf(row, dataset)[0] in (sibling, inside)
    recorded = place(Path(row["corpus_root"]) / "2022" / "教育局.pdf")
    assert find_source_pdf(row, dataset) == (recorded, "")
    place(recorded, b"%PDF-1.7 other bytes")
    assert find_source_pdf(row, dataset)[0] in (sibling, inside)  # the changed file is passed over
    for path in (sibling, inside):
        path.unlink()
    found, why = find_source_pdf(row, dataset)
    assert found is None and "has changed since it was extracted" in why

    older = {"doc_id": sha[:16], "sha256": sha, "source_path": str(original), "source_paths": [str(original)]}
    assert find_source_pdf(older, dataset) == (original, "")  # a dataset written before the provenance columns
