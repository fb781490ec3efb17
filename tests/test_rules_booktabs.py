"""Tables ruled with horizontal rules only (booktabs), on pages made here
with reportlab: columns from how the text lines up, a group header centred
over its columns, a merged cell where a rule is interrupted; and section
rules over lists, which are not a table."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

import jixiao

LEFT, RIGHT = 80.0, 480.0
#: Column left edges of the three value columns and the label column.
COLS = [86.0, 220.0, 320.0, 400.0]


def _booktabs(path: Path) -> Path:
    """Header: 'Item' and 'Owner' over two rows, 'Budget' centred over the
    two amount columns; rows ruled thinly; the rule under row 1 stops short
    of the Owner column, whose cell runs on into row 2."""
    c = Canvas(str(path), pagesize=(595, 842))
    c.setFont("Helvetica", 10)
    c.setLineWidth(1.2)
    c.line(LEFT, 760, RIGHT, 760)  # top rule
    c.setLineWidth(0.4)
    c.line(300, 740, RIGHT, 740)  # under the group header, amounts only
    c.setLineWidth(0.8)
    c.line(LEFT, 720, RIGHT, 720)  # under the header
    c.setLineWidth(0.3)
    c.line(LEFT, 700, 210, 700)  # interrupted: Owner runs on
    c.line(300, 700, RIGHT, 700)
    c.line(LEFT, 680, RIGHT, 680)
    c.setLineWidth(1.2)
    c.line(LEFT, 660, RIGHT, 660)  # bottom rule
    c.drawString(COLS[0], 736, "Item")
    c.drawString(COLS[1], 736, "Owner")
    c.drawCentredString(390, 746, "Budget")
    c.drawString(COLS[2], 726, "Plan")
    c.drawString(COLS[3], 726, "Done")
    rows = [(706, "Roads", "12.0", "10.5"), (686, "Bridges", "3.0", "3.0"), (666, "Tunnels", "7.5", "1.0")]
    for y, item, plan, done in rows:
        c.drawString(COLS[0], y, item)
        c.drawString(COLS[2], y, plan)
        c.drawString(COLS[3], y, done)
    c.drawString(COLS[1], 696, "Transport office")
    c.drawString(COLS[1], 666, "City")
    c.showPage()
    c.save()
    return path


def test_a_rules_only_table_is_read_from_its_text_alignment(tmp_path: Path) -> None:
    doc = jixiao.read_pdf(_booktabs(tmp_path / "b.pdf"))
    assert len(doc.tables) == 1
    cells = sorted((c.row, c.col, c.rowspan, c.colspan, c.text) for c in doc.tables[0].cells)
    assert cells == [
        (0, 0, 2, 1, "Item"),
        (0, 1, 2, 1, "Owner"),
        (0, 2, 1, 2, "Budget"),
        (1, 2, 1, 1, "Plan"),
        (1, 3, 1, 1, "Done"),
        (2, 0, 1, 1, "Roads"),
        (2, 1, 2, 1, "Transport office"),
        (2, 2, 1, 1, "12.0"),
        (2, 3, 1, 1, "10.5"),
        (3, 0, 1, 1, "Bridges"),
        (3, 2, 1, 1, "3.0"),
        (3, 3, 1, 1, "3.0"),
        (4, 0, 1, 1, "Tunnels"),
        (4, 1, 1, 1, "City"),
        (4, 2, 1, 1, "7.5"),
        (4, 3, 1, 1, "1.0"),
    ]
    # nothing of the table is left as a paragraph
    assert not any("Roads" in b.text for b in doc.blocks if b.kind.value != "table")


def test_section_rules_over_lists_are_not_a_table(tmp_path: Path) -> None:
    """A résumé: a rule under each section heading, entries with a date on
    the right set a line apart."""
    path = tmp_path / "r.pdf"
    c = Canvas(str(path), pagesize=(595, 842))
    c.setFont("Helvetica", 10)
    y = 780.0
    for section in ("Certificates", "Languages", "Skills"):
        c.drawString(LEFT, y, section)
        c.line(LEFT, y - 6, RIGHT, y - 6)
        y -= 26
        for k in range(3):
            c.drawString(LEFT, y, f"{section} entry {k}")
            c.drawString(RIGHT - 60, y, f"2019-0{k + 1}")
            y -= 22
        y -= 10
    c.showPage()
    c.save()
    assert jixiao.read_pdf(path).tables == []
