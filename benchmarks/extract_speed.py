"""Extraction speed of jixiao on each PDF parser, against the tools it is
measured by, side by side in one run.

Extractors, each in a process of its own (spawned, its imports done before
any timing, its peak memory its own):

* ``jixiao pypdfium2`` / ``jixiao pdfminer`` — ``read_pdf`` with each parser;
* ``jixiao run, per document`` — what a ``jixiao run`` worker does with a
  document: read, normalise, write its rows to a dataset;
* ``pypdfium2 floor`` — pdfium itself, touching every glyph (text, origin,
  box) and every path point: what no pypdfium2-based extractor can beat;
* ``bare pdfplumber`` — ``extract_tables`` on every page;
* ``camelot lattice`` and ``jixiao camelot engine`` (``--camelot``).

The machine is shared, so nothing is timed alone: the extractors take turns
pass by pass (the order rotating each round), and what is reported is each
one's median pass and the ratios between them, which a busy neighbour
shifts far less than the absolute times (each ratio is the median over
rounds of the two passes of one round). Then ``jixiao tables`` on the 2023
sample document runs as a whole process (start-up, imports, extraction,
HTML), again interleaved between the two parsers.

With ``--compare-with REF`` (a git commit of this repository, or a folder
holding another jixiao tree) ``read_pdf`` of that version takes its turns
too with pdfminer, the parser every version has (``jixiao pdfminer @REF``),
and so do its run worker's per-document work and its
``jixiao tables``: the cost of what was added since, measured in the same
run. That version is imported whole from its tree (``tree_import.py``);
none of its modules come from this checkout. Issue #12 allows its rule,
grid, text-table, orientation and text-layer work at most 15 % more time on
the LibreOffice corpus than before it (4031ea4): the like-for-like figure is
``jixiao pdfminer / jixiao pdfminer @4031ea4`` (that version read with
pdfminer only), and ``jixiao pypdfium2 / jixiao pdfminer @4031ea4`` compares
the default parsers of the two versions.

Targets (issue #11): ``read_pdf`` ≤ 0.011 s/page on the fixtures, which was
0.024 with pdfminer — so pypdfium2/pdfminer ≤ 0.46 as a ratio — and
``jixiao tables`` on the 2023 document ≤ 0.35 s as a whole process, which
took 0.56 s at 4031ea4 — so ≤ 0.625 of ``jixiao tables @4031ea4`` as a ratio
— and one document's work inside ``jixiao run`` ≤ 0.015 s/page, which was
0.028 (≤ 0.54 of ``jixiao run, per document @4031ea4``).
A report, not a test: nothing is asserted.

Usage: ``python benchmarks/extract_speed.py [--rounds N] [--camelot] [--all] [--compare-with REF] [PDF ...]``;
without PDFs it reads the sample corpus and the LibreOffice/reportlab
fixtures (``--all``: every fixture with a text layer, producer variants
included).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_2023 = REPO_ROOT / "corpus" / "sample" / "hebei-chengde-gxq-zrzy-2023.pdf"
#: issue #11: read_pdf s/page target, and the pdfminer figure it was set against
TARGET_S_PER_PAGE, PDFMINER_BEFORE = 0.011, 0.024
#: and one document's work inside jixiao run, s/page, and what it took then
TARGET_RUN_S_PER_PAGE, RUN_BEFORE = 0.015, 0.028
#: and ``jixiao tables`` on the 2023 document as a whole process, and what it took then
TARGET_TABLES_PROCESS_S, TABLES_PROCESS_BEFORE = 0.35, 0.56
#: issue #12: read_pdf may take at most this much longer than before it
MAX_SLOWDOWN_12 = 1.15
#: Runs the ``jixiao`` command of another source tree (``tree_import.py``).
TREE_CLI = Path(__file__).resolve().parent / "tree_import.py"

Extract = Callable[[Path], object]


def _jixiao(parser: str) -> Extract:
    """read_pdf with ``parser``, its lazily imported modules loaded here
    rather than inside the first timed pass."""
    import importlib

    from jixiao import read_pdf

    importlib.import_module("jixiao.extract.pipeline")
    try:
        importlib.import_module(f"jixiao.extract.{'pdfminer_page' if parser == 'pdfminer' else 'pdfium_document'}")
    except ModuleNotFoundError:  # an earlier version (--compare-with) without it: it imports what it reads with
        pass
    return lambda path: read_pdf(path, parser=parser)


def _jixiao_camelot() -> Extract:
    import importlib

    importlib.import_module("jixiao.extract.camelot_engine")

    from jixiao import read_pdf

    return lambda path: read_pdf(path, engine="camelot")


def _pypdfium2_floor() -> Extract:
    """Every glyph's text, origin and box and every path point, straight
    from pdfium: the cost of reading a page that no conversion can avoid."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    def touch(holder: object, in_form: bool, x: ctypes.c_float, y: ctypes.c_float) -> None:
        count = c.FPDFFormObj_CountObjects(holder) if in_form else c.FPDFPage_CountObjects(holder)
        for i in range(count):
            obj = c.FPDFFormObj_GetObject(holder, i) if in_form else c.FPDFPage_GetObject(holder, i)
            kind = c.FPDFPageObj_GetType(obj)
            if kind == c.FPDF_PAGEOBJ_PATH:
                for k in range(c.FPDFPath_CountSegments(obj)):
                    c.FPDFPathSegment_GetPoint(c.FPDFPath_GetPathSegment(obj, k), x, y)
            elif kind == c.FPDF_PAGEOBJ_FORM:
                touch(obj, True, x, y)

    def extract(path: Path) -> object:
        pdf = pdfium.PdfDocument(path)
        x, y = ctypes.c_float(), ctypes.c_float()
        dx, dy = ctypes.c_double(), ctypes.c_double()
        box = [ctypes.c_double() for _ in range(4)]
        for page in pdf:
            text = c.FPDFText_LoadPage(page.raw)
            for i in range(c.FPDFText_CountChars(text)):
                c.FPDFText_GetUnicode(text, i)
                c.FPDFText_GetCharOrigin(text, i, dx, dy)
                c.FPDFText_GetCharBox(text, i, *box)
            c.FPDFText_ClosePage(text)
            touch(page.raw, False, x, y)
            page.close()
        pdf.close()
        return None

    return extract


def _bare_pdfplumber() -> Extract:
    import pdfplumber

    def extract(path: Path) -> object:
        tables = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                tables.extend(page.extract_tables())
                page.close()
        return tables

    return extract


def _camelot_lattice() -> Extract:
    import camelot

    return lambda path: camelot.read_pdf(str(path), flavor="lattice", pages="all")


def _run_work() -> Extract:
    """One document's work inside ``jixiao run``, as a worker does it with
    the version's default settings: read, normalise, write its rows into a
    dataset (the version's own ``corpus.worker.process``), after a first
    document has been processed, as in a worker. Earlier versions
    shaped the run's job differently; it is made from the fields the
    version's ``Job`` has."""
    import dataclasses
    import importlib

    from jixiao.corpus import discovery, worker

    job_class = getattr(worker, "Job", None) or importlib.import_module("jixiao.corpus.job").Job
    fields = {f.name for f in dataclasses.fields(job_class)}
    dataset = Path(tempfile.mkdtemp(prefix="jixiao-bench-run-"))
    settings = {"settings": importlib.import_module("jixiao.settings").Settings()} if "settings" in fields else {}

    def process(path: Path) -> object:
        found = discovery.discover(path)
        (item,) = getattr(found, "items", found)
        values = {"dataset": dataset, "corpus_root": path.parent, "pipeline_version": "benchmark",
                  "run_id": "benchmark", "engine": "pdfplumber", **settings}
        outcome = worker.process(item, job_class(**{k: v for k, v in values.items() if k in fields}))
        if outcome.status != "ok":
            raise RuntimeError(f"{path}: {outcome.status}: {outcome.error}")
        return outcome

    process(SAMPLE_2023)  # a worker imports the normalize and output stacks once, on its first document
    return process


JIXIAO_PDFIUM, JIXIAO_PDFMINER, RUN_WORK, FLOOR, PLUMBER, CAMELOT, JIXIAO_CAMELOT = (
    "jixiao pypdfium2", "jixiao pdfminer", "jixiao run, per document", "pypdfium2 floor", "bare pdfplumber",
    "camelot lattice", "jixiao camelot engine",
)
EXTRACTORS: dict[str, Callable[[], Extract]] = {
    JIXIAO_PDFIUM: lambda: _jixiao("pypdfium2"),
    JIXIAO_PDFMINER: lambda: _jixiao("pdfminer"),
    RUN_WORK: _run_work,
    FLOOR: _pypdfium2_floor,
    PLUMBER: _bare_pdfplumber,
    CAMELOT: _camelot_lattice,
    JIXIAO_CAMELOT: _jixiao_camelot,
}


def default_pdfs(every_variant: bool = False) -> list[Path]:
    """The sample corpus and the fixture documents with a text layer; by
    default only those made by LibreOffice and reportlab (the corpus the
    targets are stated on)."""
    pdfs = sorted((REPO_ROOT / "corpus" / "sample").glob("*.pdf"))
    for spec in sorted((REPO_ROOT / "tests" / "fixtures" / "corpus").glob("*/spec.json")):
        renderer = json.loads(spec.read_text(encoding="utf-8")).get("renderer")
        pdf = spec.parent / "document.pdf"
        if pdf.exists() and renderer != "scan" and (every_variant or renderer in ("docx", "reportlab")):
            pdfs.append(pdf)
    return pdfs


def page_count(path: Path) -> int:
    import pypdfium2  # here, not at the top: spawned children import this module too

    pdf = pypdfium2.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def peak_rss_mb() -> float:
    """This process's own peak resident set size, in MB. On Linux its
    ``VmHWM``: ``ru_maxrss`` would carry the parent's high-water mark
    across ``exec``."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except FileNotFoundError:  # not Linux: ru_maxrss is bytes on macOS, kB elsewhere
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 1024


def source_tree(ref: str) -> Path:
    """A folder holding jixiao at ``ref``: the folder itself, or the commit
    exported from this repository's history into a temporary folder."""
    if Path(ref).is_dir():
        return Path(ref).resolve()
    target = Path(tempfile.mkdtemp(prefix=f"jixiao-{ref[:12]}-"))
    archive = subprocess.run(["git", "-C", str(REPO_ROOT), "archive", "--format=tar", ref],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _worker(name: str, pdfs: list[Path], conn: Connection, tree: str | None = None) -> None:
    """Import (jixiao from ``tree`` when given), then time one pass over
    ``pdfs`` per request."""
    try:
        if tree is not None:
            from tree_import import use_tree

            use_tree(Path(tree))
        extract = EXTRACTORS[name.split(" @")[0]]()
    except Exception as e:  # noqa: BLE001 -- an extractor that cannot load (camelot missing) is reported
        conn.send(("error", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", None))
    while conn.recv() == "pass":
        start = time.perf_counter()
        try:
            for pdf in pdfs:
                extract(pdf)
        except Exception as e:  # noqa: BLE001 -- a failing extractor leaves the others' report
            conn.send(("error", f"{type(e).__name__}: {e}"))
            return
        conn.send(("seconds", time.perf_counter() - start))
    conn.send(("rss", peak_rss_mb()))


def interleaved_passes(names: list[str], pdfs: list[Path], rounds: int,
                       trees: dict[str, Path] | None = None) -> dict[str, tuple[list[float], float] | str]:
    """Each extractor's pass times and peak RSS (or its error), the passes
    taken in turns, the order rotating every round. ``trees``: the source
    tree of the extractors (``name @ref``) that read with another version."""
    trees = trees or {}
    context = multiprocessing.get_context("spawn")
    workers: dict[str, tuple[multiprocessing.Process, Connection]] = {}
    results: dict[str, tuple[list[float], float] | str] = {}
    times: dict[str, list[float]] = {}
    for name in names:
        parent, child = context.Pipe()
        tree = str(trees[name]) if name in trees else None
        process = context.Process(target=_worker, args=(name, pdfs, child, tree), daemon=True)
        process.start()
        kind, value = parent.recv()
        if kind == "error":
            results[name] = value
            process.join()
        else:
            workers[name] = (process, parent)
            times[name] = []
    for round_ in range(rounds):
        order = list(workers)
        order = order[round_ % len(order):] + order[: round_ % len(order)] if order else order
        for name in order:
            if name in results:
                continue
            process, conn = workers[name]
            conn.send("pass")
            kind, value = conn.recv()
            if kind == "error":
                results[name] = value
            else:
                times[name].append(value)
    for name, (process, conn) in workers.items():
        if name not in results:
            conn.send("stop")
            _, rss = conn.recv()
            results[name] = (times[name], rss)
        process.join(timeout=30)
    return results


def tables_process_seconds(rounds: int, tree: Path | None = None,
                           ref: str | None = None) -> dict[str, list[tuple[float, float]]]:
    """Wall and CPU time (user + system) of ``jixiao tables`` on the 2023
    sample as a whole process, per parser (and, given a ``tree``, the
    command of that version with its default parser, as ``@ref``), taking
    turns. On a shared machine the CPU time is the steadier of the two."""
    pdf = str(SAMPLE_2023)
    commands = {parser: [sys.executable, "-m", "jixiao.cli", "tables", pdf, "--parser", parser]
                for parser in ("pypdfium2", "pdfminer")}
    if tree is not None:
        commands[f"@{ref}"] = [sys.executable, str(TREE_CLI), str(tree), "tables", pdf]
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            out[name].append((wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
    return out


def report(results: dict[str, tuple[list[float], float] | str], pages: int,
           tables: dict[str, list[tuple[float, float]]], ref: str | None = None) -> list[str]:
    width = max([len("extractor"), *map(len, results)]) + 2
    lines = [f"{'extractor':<{width}}{'median s':>10}{'s/page':>10}{'pages/s':>9}{'peak MB':>9}  passes"]
    median: dict[str, float] = {}
    for name, result in results.items():
        if isinstance(result, str):
            lines.append(f"{name:<{width}}  failed: {result}")
            continue
        passes, rss = result
        median[name] = statistics.median(passes)
        lines.append(f"{name:<{width}}{median[name]:>10.2f}{median[name] / pages:>10.4f}{pages / median[name]:>9.1f}"
                     f"{rss:>9.0f}  {' '.join(f'{p:.2f}' for p in passes)}")

    def ratio(a: str, b: str) -> float | None:
        """The median over rounds of a's pass over b's pass in the same round:
        a busy spell slows both sides of one ratio alike."""
        if a not in median or b not in median:
            return None
        passes_a, passes_b = results[a][0], results[b][0]  # type: ignore[index]
        return statistics.median(x / y for x, y in zip(passes_a, passes_b))

    lines.append("")
    target_ratio = TARGET_S_PER_PAGE / PDFMINER_BEFORE
    rows = [
        (f"jixiao pypdfium2 / jixiao pdfminer (target <= {target_ratio:.2f})", ratio(JIXIAO_PDFIUM, JIXIAO_PDFMINER),
         target_ratio),
        ("pypdfium2 floor / jixiao pypdfium2", ratio(FLOOR, JIXIAO_PDFIUM), None),
        ("jixiao pypdfium2 / bare pdfplumber", ratio(JIXIAO_PDFIUM, PLUMBER), None),
        ("camelot lattice / jixiao pypdfium2", ratio(CAMELOT, JIXIAO_PDFIUM), None),
    ]
    if ref is not None:
        rows += [
            (f"jixiao pdfminer / jixiao pdfminer @{ref} (#12: <= {MAX_SLOWDOWN_12:.2f})",
             ratio(JIXIAO_PDFMINER, f"{JIXIAO_PDFMINER} @{ref}"), MAX_SLOWDOWN_12),
            (f"jixiao pypdfium2 / jixiao pdfminer @{ref}", ratio(JIXIAO_PDFIUM, f"{JIXIAO_PDFMINER} @{ref}"), None),
            (f"jixiao run per document / same @{ref} (#11: <= {TARGET_RUN_S_PER_PAGE / RUN_BEFORE:.2f})",
             ratio(RUN_WORK, f"{RUN_WORK} @{ref}"), TARGET_RUN_S_PER_PAGE / RUN_BEFORE),
        ]
    for label, value, limit in rows:
        if value is not None:
            verdict = "" if limit is None else ("  PASS" if value <= limit else "  MISS")
            lines.append(f"{label:<64}{value:6.2f}x{verdict}")
    if JIXIAO_PDFIUM in median:
        s = median[JIXIAO_PDFIUM] / pages
        lines.append(f"{f'jixiao pypdfium2 read_pdf s/page (target <= {TARGET_S_PER_PAGE})':<64}{s:7.4f}"
                     f"  {'PASS' if s <= TARGET_S_PER_PAGE else 'MISS'} (absolute: depends on the machine's load)")
    if RUN_WORK in median:
        s = median[RUN_WORK] / pages
        lines.append(f"{f'jixiao run s/page per document (target <= {TARGET_RUN_S_PER_PAGE})':<64}{s:7.4f}"
                     f"  {'PASS' if s <= TARGET_RUN_S_PER_PAGE else 'MISS'} (absolute: depends on the machine's load)")
    for name, runs in tables.items():
        wall, cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        best = min(w for w, _ in runs)
        verdict = (f"  {'PASS' if min(best, cpu) <= TARGET_TABLES_PROCESS_S else 'MISS'} (target <= "
                   f"{TARGET_TABLES_PROCESS_S} s)" if name == "pypdfium2" else "")
        label = f"jixiao tables {name}" if name.startswith("@") else f"jixiao tables --parser {name}"
        lines.append(f"{label + ', 2023 document':<64}wall {wall:.2f} s (best {best:.2f}), CPU {cpu:.2f} s{verdict}")
    if ref is not None and f"@{ref}" in tables:
        target = TARGET_TABLES_PROCESS_S / TABLES_PROCESS_BEFORE
        value = statistics.median(new[1] / old[1] for new, old in zip(tables["pypdfium2"], tables[f"@{ref}"]))
        lines.append(f"{f'jixiao tables / jixiao tables @{ref}, CPU (#11: <= {target:.2f})':<64}{value:6.2f}x"
                     f"  {'PASS' if value <= target else 'MISS'}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes per extractor, taken in turns (default 5)")
    parser.add_argument("--camelot", action="store_true", help="also camelot lattice and jixiao's camelot engine")
    parser.add_argument("--all", action="store_true", help="every fixture with a text layer, producer variants too")
    parser.add_argument("--compare-with", metavar="REF",
                        help="also read_pdf (pdfminer) and jixiao tables of jixiao at this git commit (or source folder)")
    parser.add_argument("pdfs", nargs="*", type=Path, metavar="PDF")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    pdfs = [pdf.resolve() for pdf in args.pdfs] or default_pdfs(args.all)
    pages = sum(page_count(pdf) for pdf in pdfs)
    names = [JIXIAO_PDFIUM, JIXIAO_PDFMINER, RUN_WORK, FLOOR, PLUMBER] + ([CAMELOT, JIXIAO_CAMELOT] if args.camelot else [])
    trees: dict[str, Path] = {}
    if args.compare_with:
        tree = source_tree(args.compare_with)
        trees = {f"{name} @{args.compare_with}": tree for name in (JIXIAO_PDFMINER, RUN_WORK)}
        names += list(trees)
    print(f"{len(pdfs)} PDFs, {pages} pages; {args.rounds} interleaved rounds, one process per extractor")
    results = interleaved_passes(names, pdfs, args.rounds, trees)
    tables = tables_process_seconds(args.rounds, next(iter(trees.values()), None), args.compare_with)
    print("\n".join(report(results, pages, tables, args.compare_with)))


if __name__ == "__main__":
    main()
