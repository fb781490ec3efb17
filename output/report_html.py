"""HTML pieces every page of the review report shares.

Each page carries its CSS and script inline (``report_assets/``), so a page
opened on its own, from an archive or a mail attachment, still looks and
works the same; page images are the only separate files, next to the pages.
Values are shown as the dataset holds them: NULL visibly so (a blank
printed cell and a missing value are not the same), decimals digit for
digit, floats without rounding them into something else.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

import pyarrow as pa

Row = dict[str, Any]


@cache
def asset(name: str) -> str:
    """A file of ``report_assets/`` (the report's CSS and script)."""
    return files("jixiao.output").joinpath("report_assets", name).read_text(encoding="utf-8")


def e(value: object) -> str:
    return html.escape(str(value))


def value_html(value: object) -> str:
    """A value as it reads in a cell."""
    if value is None:
        return '<span class="null">NULL</span>'
    if isinstance(value, list):
        return "<br>".join(value_html(v) for v in value)
    if isinstance(value, dict):
        return e(", ".join(f"{k}: {v}" for k, v in value.items()))
    if isinstance(value, datetime):
        return e(value.isoformat(sep=" ", timespec="seconds"))
    if isinstance(value, float):
        return e(f"{value:.15g}")
    if isinstance(value, Decimal):
        return e(format(value, "f"))
    return e(value).replace("\n", "<br>")


def is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def html_page(title: str, body: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{asset('report.css')}</style>",
        "</head>",
        "<body>",
        *body,
        f"<script>{asset('report.js')}</script>",
        "</body>",
        "</html>",
        "",
    ])


def meaning_of(schema: pa.Schema | None, name: str) -> str:
    """The column's meaning from the schema's field metadata (Chinese ·
    English), or "" for a column this version does not know."""
    if schema is None or name not in schema.names:
        return ""
    metadata = schema.field(name).metadata or {}
    parts = [metadata.get(key, b"").decode() for key in (b"zh", b"en")]
    return " · ".join(p for p in parts if p)


def rows_table(
    rows: list[Row],
    columns: Iterable[str],
    schema: pa.Schema | None = None,
    *,
    searchable: bool = False,
    cell: Callable[[Row, str], str] | None = None,
) -> str:
    """``rows`` as a sortable (and with ``searchable`` searchable) table of
    ``columns``; each header
    says the column's meaning on hover. ``cell`` may render a column
    specially (e.g. a row number as a link); by default values are shown
    with :func:`value_html`, numbers right-aligned."""
    columns = list(columns)
    head = "".join(f'<th title="{e(meaning_of(schema, c))}"><code>{e(c)}</code></th>' for c in columns)
    body = []
    for row in rows:
        tds = []
        for c in columns:
            value = row.get(c)
            content = cell(row, c) if cell is not None else None
            number = ' class="n"' if is_number(value) else ' data-sort=""' if value is None else ""
            tds.append(f"<td{number}>{content if content is not None else value_html(value)}</td>")
        body.append(f"<tr>{''.join(tds)}</tr>")
    kind = "filterable" if searchable else "sortable"
    return (f'<div class="wide"><table class="{kind}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")
