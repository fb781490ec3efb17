"""Table cells as CSV that a spreadsheet opens as data, never as formulas.

Excel, LibreOffice Calc and Google Sheets evaluate a cell that starts with
``=``, ``+``, ``-`` or ``@`` as a formula (``=1+1`` shows 2; ``=HYPERLINK``
or DDE payloads do worse), and a leading TAB or carriage return can smuggle
one past a naive check. A PDF is untrusted input, so by default every field
that starts with one of those characters is prefixed with a single quote, as
OWASP's "CSV Injection" guidance recommends: the spreadsheet shows the text
as printed, after the quote it hides. Pipelines that read the CSV as data
(pandas, DuckDB) turn the escaping off to get the cells byte for byte.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from jixiao.model import Table

#: Leading characters a spreadsheet takes as the start of a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: What OWASP prefixes to such a field.
ESCAPE = "'"

HEADER = ("table", "row", "col", "rowspan", "colspan", "page", "text")


def escape_formula(value: str) -> str:
    """``value`` with a single quote in front when a spreadsheet would
    evaluate it; any other value unchanged."""
    return ESCAPE + value if value.startswith(FORMULA_TRIGGERS) else value


def write_cells_csv(tables: Iterable[Table], out: TextIO, *, escape_formulas: bool = True) -> None:
    """One CSV row per cell (``HEADER``), merged cells once with their
    spans; every text field escaped unless ``escape_formulas`` is False."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for table in tables:
        for cell in table.cells:
            fields: list[object] = [table.id, cell.row, cell.col, cell.rowspan, cell.colspan, cell.page, cell.text]
            if escape_formulas:
                fields = [escape_formula(f) if isinstance(f, str) else f for f in fields]
            writer.writerow(fields)
