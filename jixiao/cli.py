"""The ``jixiao`` command.

Exit codes: 0 success, 1 some documents failed (batch commands), 2 unusable
input or a usage error. Errors are one line on stderr naming the file, the
page where it applies, and the cause.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click

from jixiao.errors import JixiaoError

EXIT_FAILED = 1
EXIT_UNUSABLE = 2

_engine_option = click.option(
    "--engine",
    type=click.Choice(["pdfplumber", "camelot"]),
    default="pdfplumber",
    show_default=True,
    help="Table engine: jixiao's own ruled-grid finder on pdfplumber, or camelot lattice (the baseline).",
)


def _fail(error: JixiaoError) -> None:
    click.echo(f"jixiao: error: {error}", err=True)
    sys.exit(EXIT_UNUSABLE)


def _read(pdf: Path, engine: str):
    from jixiao.extract import read_pdf

    try:
        return read_pdf(pdf, engine=engine)  # type: ignore[arg-type]
    except JixiaoError as e:
        _fail(e)


@click.group()
@click.version_option(package_name="jixiao")
def main() -> None:
    """Digitise Chinese budget performance texts (绩效文本): PDF → layout → dataset."""


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("-o", "--out-dir", type=click.Path(path_type=Path), required=True, help="Directory for DOC_ID.layout.json")
@_engine_option
def extract(pdf: Path, out_dir: Path, engine: str) -> None:
    """Read PDF into the layout document and write OUT_DIR/<doc-id>.layout.json."""
    from jixiao.atomic import write_text_atomic

    document = _read(pdf, engine)
    target = out_dir / f"{document.doc_id}.layout.json"
    write_text_atomic(target, document.to_json(indent=1))
    click.echo(
        f"{target}  ({len(document.pages)} pages, {len(document.blocks)} blocks, {len(document.tables)} tables)"
    )


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["html", "json", "csv"]), default="html", show_default=True)
@_engine_option
def tables(pdf: Path, fmt: str, engine: str) -> None:
    """Print the tables of PDF: HTML (one <table> per logical table, with
    rowspan/colspan), JSON (the model's tables), or CSV (one row per cell)."""
    document = _read(pdf, engine)
    if fmt == "html":
        click.echo(
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="utf-8">'
            f"<title>{document.doc_id}</title></head>\n<body>\n{document.tables_html()}\n</body>\n</html>"
        )
    elif fmt == "json":
        import json

        click.echo(json.dumps([t.model_dump(mode="json") for t in document.tables], ensure_ascii=False, indent=1))
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["table", "row", "col", "rowspan", "colspan", "page", "text"])
        for t in document.tables:
            for c in t.cells:
                writer.writerow([t.id, c.row, c.col, c.rowspan, c.colspan, c.page, c.text])
        click.echo(buffer.getvalue(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
