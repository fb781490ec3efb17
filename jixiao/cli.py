"""The ``jixiao`` command.

Exit codes: 0 success, 1 some documents failed (batch commands), 2 unusable
input or a usage error, 3 an internal error (a bug in jixiao: one line on
stderr, the traceback in the log — ``--log-file`` — or with ``--verbose``),
130 / 143 stopped by Ctrl-C / SIGTERM. Errors are one line on stderr naming
the file, the page where it applies, and the cause.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from pathlib import Path

import click

from jixiao.errors import JixiaoError
from jixiao.settings import DEFAULT_MEMORY_MB

EXIT_FAILED = 1
EXIT_UNUSABLE = 2
EXIT_INTERNAL = 3

log = logging.getLogger("jixiao.cli")

_engine_option = click.option(
    "--engine",
    type=click.Choice(["pdfplumber", "camelot"]),
    default="pdfplumber",
    show_default=True,
    help="Table engine: jixiao's own ruled-grid finder on pdfplumber, or camelot lattice (the baseline).",
)


_ocr_option = click.option(
    "--ocr",
    type=click.Choice(["auto", "off", "force"]),
    default="auto",
    show_default=True,
    help="OCR pages without a text layer (auto), never (off: such a page is an error), or every page (force).",
)


_parser_option = click.option(
    "--parser",
    type=click.Choice(["pypdfium2", "pdfminer"]),
    default="pypdfium2",
    show_default=True,
    help="PDF parser whose objects become the page content (pdfminer: the previous parser, for comparison).",
)


def _fail(error: JixiaoError) -> None:
    click.echo(f"jixiao: error: {error}", err=True)
    sys.exit(EXIT_UNUSABLE)


def _read(pdf: Path, engine: str, ocr: str, parser: str = "pypdfium2"):
    """One document on its own: its scanned pages are OCR'd a page per
    available core (OCR runs one thread per process)."""
    import os

    from jixiao.extract import read_pdf
    from jixiao.filenames import readable
    from jixiao.log import current_document

    current_document.set(readable(pdf))  # log records name the file
    try:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return read_pdf(pdf, engine=engine, ocr=ocr, parser=parser, ocr_workers=cores)  # type: ignore[arg-type]
    except JixiaoError as e:
        _fail(e)


class _Group(click.Group):
    """Any exception that is not a usage or input error is a bug of ours:
    one line and exit code 3, the traceback in the log (DEBUG)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("jixiao: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # the reader of our output went away (| head): nothing to say to it
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python's own advice for this case
            sys.exit(EXIT_FAILED)
        except Exception as error:
            log.debug("traceback", exc_info=True)
            where = "--verbose, or in the --log-file" if not ctx.meta.get("jixiao.log_file") else ctx.meta[
                "jixiao.log_file"]
            click.echo(f"jixiao: internal error (a bug in jixiao): {type(error).__name__}: {error} "
                       f"[traceback: {where}]", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=_Group)
@click.version_option(package_name="jixiao")
@click.option("-v", "--verbose", is_flag=True, help="Log everything (every library's warnings, tracebacks) to stderr.")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Append the full log (DEBUG, with the file each record is about) to this file.")
@click.pass_context
def main(ctx: click.Context, verbose: bool, log_file: Path | None) -> None:
    """Digitise Chinese budget performance texts (绩效文本): PDF → layout → dataset."""
    from jixiao.log import configure

    configure(verbose=verbose, log_file=log_file)
    ctx.meta["jixiao.log_file"] = str(log_file) if log_file else None


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("-o", "--out-dir", type=click.Path(path_type=Path), required=True, help="Directory for DOC_ID.layout.json")
@_engine_option
@_ocr_option
@_parser_option
def extract(pdf: Path, out_dir: Path, engine: str, ocr: str, parser: str) -> None:
    """Read PDF into the layout document and write OUT_DIR/<doc-id>.layout.json."""
    from jixiao.atomic import write_text_atomic

    document = _read(pdf, engine, ocr, parser)
    target = out_dir / f"{document.doc_id}.layout.json"
    write_text_atomic(target, document.to_json(indent=1))
    click.echo(
        f"{target}  ({len(document.pages)} pages, {len(document.blocks)} blocks, {len(document.tables)} tables)"
    )


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["html", "json", "csv"]), default="html", show_default=True)
@click.option("--escape-formulas/--no-escape-formulas", default=True, show_default=True,
              help="CSV: prefix a ' to cells starting with = + - @ TAB or CR, so a spreadsheet shows them as text "
                   "instead of running them as formulas (OWASP); turn off to get cells byte for byte in a pipeline.")
@_engine_option
@_ocr_option
@_parser_option
def tables(pdf: Path, fmt: str, escape_formulas: bool, engine: str, ocr: str, parser: str) -> None:
    """Print the tables of PDF: HTML (one <table> per logical table, with
    rowspan/colspan), JSON (the model's tables), or CSV (one row per cell)."""
    document = _read(pdf, engine, ocr, parser)
    if fmt == "html":
        click.echo(
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="utf-8">'
            f"<title>{document.doc_id}</title></head>\n<body>\n{document.tables_html()}\n</body>\n</html>"
        )
    elif fmt == "json":
        import json

        from jixiao.model import to_plain

        click.echo(json.dumps([to_plain(t) for t in document.tables], ensure_ascii=False, indent=1))
    else:
        from jixiao.output.tables_csv import write_cells_csv

        buffer = io.StringIO()
        write_cells_csv(document.tables, buffer, escape_formulas=escape_formulas)
        click.echo(buffer.getvalue(), nl=False)


@main.command()
@click.argument("corpus", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "dataset", type=click.Path(path_type=Path), default=Path("dataset"), show_default=True,
              help="Dataset directory.")
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes [default: CPU count].")
@click.option("--dask-local", type=click.IntRange(min=1), metavar="N", help="Run on a local Dask cluster of N workers.")
@click.option("--dask-scheduler", metavar="ADDRESS",
              help="Run on an existing Dask cluster (tcp://host:8786); its workers must see the corpus and -o "
                   "at the same absolute paths.")
@click.option("--force", is_flag=True, help="Redo documents that are already in the dataset, unchanged.")
@click.option("--prune", is_flag=True, help="Remove the documents whose files are gone from the corpus.")
@click.option("--timeout-per-doc", type=click.FloatRange(min=0, min_open=True), metavar="S",
              help="Stop reading a document after S seconds (it is recorded as failed: TIMEOUT).")
@click.option("--max-memory-per-doc", type=click.IntRange(min=64), metavar="MB", default=DEFAULT_MEMORY_MB,
              show_default=True,
              help="Memory a worker may use for one document beyond its imports (more: failed, TOO_LARGE).")
@click.option("--summary-json", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the summary as JSON to this file.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_engine_option
@_ocr_option
@_parser_option
@click.pass_context
def run(ctx: click.Context, corpus: Path | None, dataset: Path, workers: int | None, dask_local: int | None,
        dask_scheduler: str | None, force: bool, prune: bool, timeout_per_doc: float | None, max_memory_per_doc: int,
        summary_json: Path | None, quiet: bool, engine: str, ocr: str, parser: str) -> None:
    """Digitise every PDF under CORPUS (default: the bundled sample corpus)
    into the Parquet dataset. Documents whose bytes, settings, manifest
    values and jixiao version are unchanged are skipped, except failures that
    may pass now (a timeout, a worker that died). Exit 0 when every
    document of the corpus is in the dataset (ok, or partial: pages named
    as unread), 1 when some are failed or could not
    be written, 2 for unusable input or a dataset another run is writing, 3
    for an internal error, 130 / 143 when stopped by Ctrl-C / SIGTERM."""
    import json

    from jixiao.corpus import SAMPLE
    from jixiao.corpus.dask_exec import ClusterError
    from jixiao.corpus.lock import DatasetBusy, DatasetUnwritable
    from jixiao.corpus.manifest import ManifestError
    from jixiao.corpus.runner import run_corpus
    from jixiao.corpus.supervisor import WorkerError
    from jixiao.settings import Settings

    if dask_local and dask_scheduler:
        raise click.UsageError("--dask-local and --dask-scheduler exclude each other")

    def bar(total: int):
        from tqdm import tqdm

        return tqdm(total=total, unit="doc", desc="jixiao run", disable=quiet)

    try:
        summary = run_corpus(
            corpus or SAMPLE, dataset, Settings(engine=engine, ocr=ocr, parser=parser), workers=workers, dask_local=dask_local,
            dask_scheduler=dask_scheduler, force=force, prune=prune, timeout_s=timeout_per_doc,
            memory_mb=max_memory_per_doc, log_to_dataset=not ctx.meta.get("jixiao.log_file"),
            log_level=logging.DEBUG, progress=bar)  # the run always has a log: tracebacks go into it
    except (ManifestError, DatasetBusy, DatasetUnwritable, ClusterError) as e:
        click.echo(f"jixiao: error: {e}", err=True)
        sys.exit(EXIT_UNUSABLE)
    except WorkerError as e:
        click.echo(f"jixiao: internal error: {e}", err=True)
        sys.exit(EXIT_INTERNAL)
    click.echo(summary.table())
    click.echo(f"dataset: {summary.dataset}")
    if summary_json is not None:
        from jixiao.atomic import write_text_atomic

        write_text_atomic(summary_json, json.dumps(summary.to_json(), ensure_ascii=False, indent=1))
    sys.exit(summary.exit_code)


def _dataset(path: Path) -> Path:
    """``path`` if it holds a dataset; otherwise exit 2 saying what is wrong
    (an empty or mistyped folder must not "succeed" with nothing in it)."""
    from jixiao.output.catalog import NotADatasetError, require_dataset

    try:
        return require_dataset(path)
    except NotADatasetError as e:
        click.echo(f"jixiao: error: {e}", err=True)
        sys.exit(EXIT_UNUSABLE)


_dataset_argument = click.argument("dataset", type=click.Path(file_okay=False, path_type=Path))
_DOC_HELP = "The document: its id or a unique id prefix, its PDF's file name, or its title (see `jixiao list`)."


def _resolve(dataset: Path, doc: str) -> dict:
    """The ``documents`` row ``--doc`` names; a usage error when it names
    none or several."""
    from jixiao.output.catalog import DocumentNotFound, read_documents, resolve_doc

    try:
        return resolve_doc(read_documents(dataset), doc)
    except DocumentNotFound as e:
        raise click.UsageError(str(e)) from e


def _load(dataset: Path, doc: str):
    """The layout document ``--doc`` names, rebuilt from the dataset alone."""
    from jixiao.dataset import load_document

    row = _resolve(dataset, doc)
    try:
        return load_document(dataset, row["doc_id"])
    except (ValueError, KeyError, FileNotFoundError) as e:
        raise click.ClickException(str(e)) from e


@main.command(name="list")
@_dataset_argument
@click.option("--format", "fmt", type=click.Choice(["text", "tsv", "json"]), default="text", show_default=True)
def list_documents(dataset: Path, fmt: str) -> None:
    """List the documents of DATASET: id, file, title, department, year and
    status (ok, partial or failed). Any of id prefix, file name or title
    names a document in `--doc`."""
    from jixiao.output.catalog import LIST_COLUMNS, aligned, listing, read_documents

    rows = listing(read_documents(_dataset(dataset)))
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "tsv":
        for row in [dict(zip(LIST_COLUMNS, LIST_COLUMNS)), *rows]:
            click.echo("\t".join(row[c].replace("\t", " ") for c in LIST_COLUMNS))
    else:
        click.echo(aligned(rows))


@main.command()
@_dataset_argument
@click.option("--duckdb", "db_file", type=click.Path(path_type=Path), required=True,
              help="DuckDB database file to write (one view per dataset table).")
@click.option("--relative", is_flag=True,
              help="Name the dataset by its path relative to FILE's folder, so FILE and the dataset can move "
                   "together; readers then set DuckDB's file_search_path to FILE's folder (or start in it).")
def export(dataset: Path, db_file: Path, relative: bool) -> None:
    """Write a DuckDB database with one view per table over DATASET's Parquet
    files; BI tools (Superset, Metabase) connect to it directly. The file is
    readable by DuckDB 1.0 and every later version."""
    from jixiao.output.duckdb_export import STORAGE_COMPATIBILITY, export_duckdb

    views = export_duckdb(_dataset(dataset), db_file, relative=relative)
    paths = "relative to its folder" if relative else "absolute"
    click.echo(f"{db_file}: views {', '.join(views)} (storage {STORAGE_COMPATIBILITY}, {paths} paths)")


_FORMATS = ("text", "markdown", "html", "docx")


@main.command()
@_dataset_argument
@click.option("--doc", required=True, help=_DOC_HELP)
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True)
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), help="Output file [default: stdout; required for docx].")
def rebuild(dataset: Path, doc: str, fmt: str, out: Path | None) -> None:
    """Rebuild a document from the Parquet DATASET alone (the PDF is not
    needed): cover, 目录, headings, paragraphs with bold runs, captions and
    tables with their merged cells, in the original order."""
    from jixiao.atomic import write_text_atomic

    document = _load(_dataset(dataset), doc)
    if fmt == "docx":
        if out is None:
            raise click.UsageError("--format docx needs -o FILE")
        from jixiao.output.render_docx import render_docx

        render_docx(document, out)
        click.echo(str(out))
        return
    if fmt == "text":
        from jixiao.output.render_text import render_text as render
    elif fmt == "markdown":
        from jixiao.output.render_markdown import render_markdown as render
    else:
        from jixiao.output.render_html import render_html as render
    text = render(document)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
        click.echo(str(out))


def _is_pdf(path: Path) -> bool:
    with path.open("rb") as f:
        return b"%PDF-" in f.read(1024)


@main.command()
@_dataset_argument
@click.option("--doc", required=True, help=_DOC_HELP)
@click.option("--source", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="What to compare with: a PDF (read again; tables compared cell by cell), a layout JSON from "
                   "`jixiao extract`, or a text in the format of truth/text.txt (TAB-separated table rows) "
                   "[default: the document's source PDF, found from its recorded paths].")
@click.option("--min-similarity", type=click.FloatRange(0, 1), default=None,
              help="Pass the text when its similarity reaches this value [default: require identical]; tables "
                   "are then compared by layout only (spans, which fields are filled), their text being the "
                   "text comparison's.")
def verify(dataset: Path, doc: str, source: Path | None, min_similarity: float | None) -> None:
    """Rebuild a document from DATASET and compare it with SOURCE: the text
    with all whitespace removed, and the structure — every table's cells with
    their spans (against a PDF or layout JSON), or the TAB-separated fields of
    each table row (against a text), and every grid covered once. Exit 0
    when both match, 1 otherwise; the first differing cell is printed."""
    from jixiao.model import Document
    from jixiao.output.catalog import find_source_pdf
    from jixiao.output.render_text import render_text
    from jixiao.output.verify import compare_table_lines, compare_tables, verify_text

    dataset = _dataset(dataset)
    row = _resolve(dataset, doc)
    rebuilt = _load(dataset, row["doc_id"])
    if source is None:
        source, problem = find_source_pdf(row, dataset)
        if source is None:
            raise click.UsageError(f"no --source given and {problem}")
    if _is_pdf(source):
        original: Document | None = _read(source, rebuilt.engine or "pdfplumber", "auto")
    elif source.suffix == ".json":
        original = Document.from_json(source.read_bytes())
    else:
        original = None
    if original is not None:
        text = verify_text(render_text(rebuilt), render_text(original))
        structure = compare_tables(original, rebuilt, text=min_similarity is None)
    else:
        source_text = source.read_text(encoding="utf-8")
        text = verify_text(render_text(rebuilt), source_text)
        structure = compare_table_lines(rebuilt, source_text, text=min_similarity is None)
    click.echo(f"source: {source}")
    click.echo(text.report())
    click.echo(structure.report())
    text_passed = text.identical if min_similarity is None else text.similarity >= min_similarity
    if not (text_passed and structure.identical):
        sys.exit(EXIT_FAILED)


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("--page", type=click.IntRange(min=1), required=True, help="1-based page number.")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="PNG file to write.")
@_engine_option
@_ocr_option
@_parser_option
def inspect(pdf: Path, page: int, out: Path, engine: str, ocr: str, parser: str) -> None:
    """Draw what was extracted on top of a page: each table cell outlined,
    merged cells shaded, text blocks outlined with their kind."""
    from jixiao.output.overlay import render_overlay
    from jixiao.output.page_image import PageImageError

    document = _read(pdf, engine, ocr, parser)
    if page > len(document.pages):
        raise click.UsageError(f"--page {page}: {pdf} has {len(document.pages)} pages")
    try:
        stats = render_overlay(pdf, page, out, document=document)
    except PageImageError as e:
        click.echo(f"jixiao: error: {e}", err=True)
        sys.exit(EXIT_UNUSABLE)
    click.echo(f"{out}  (page {stats.page}: {stats.cells_drawn} cells, {stats.merged_cells_drawn} merged, "
               f"{stats.blocks_drawn} text blocks)")


@main.command()
@_dataset_argument
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("report.html"), show_default=True,
              help="Index page; each document gets its own page (and page images) in <name>_files/.")
@click.option("--doc", "docs", multiple=True, help=_DOC_HELP + " Repeat to rebuild only these documents' pages.")
def report(dataset: Path, out: Path, docs: tuple[str, ...]) -> None:
    """Write an offline HTML review report of DATASET: an index of the
    documents and of every flag (search, filter by document, table, code and
    severity, sort), and per document its metadata, flags, every table beside
    the page it came from with the normalised values read from it. Each flag
    links to its place on the page image. Documents whose rows did not change
    since the last report are not rebuilt."""
    from jixiao.output.report import write_report

    dataset = _dataset(dataset)
    only = {_resolve(dataset, d)["doc_id"] for d in docs} if docs else None
    stats = write_report(dataset, out, only=only)
    click.echo(f"{out}  ({stats.documents} documents: {stats.built} built, {stats.unchanged} unchanged; "
               f"{stats.tables} tables, {stats.flags} flags, {stats.images} page images)")
    for doc_id, problem in stats.problems:
        click.echo(f"jixiao: error: {doc_id}: report page not built: {problem}", err=True)
    if stats.problems:
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":  # pragma: no cover
    main()
