"""Compare what jixiao wrote with a document's truth/records.json, field by field.

The reading conventions of tests/fixtures/RECORDS.md: texts compared with all
whitespace removed, numbers as numbers (amounts as exact decimals: '325.68'
equals Decimal('325.680000')), a blank printed cell is null, and any
alternative a record lists under ``alt`` is accepted.

Records are matched by their keys (projects by table and project number,
plan periods by table, project and period number, indicators by table and
grid row, departments by table). Every field the truth record has counts
once; a truth record jixiao did not produce counts all its fields as wrong,
and a record jixiao produced that the truth does not have (a footer read as
an indicator) counts as many wrong fields as a truth record of its kind has.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any

Record = dict[str, Any]
#: Flags about how the PDF was read (the extractor's diagnostics, OCR
#: confidence), not statements normalisation makes about the document: a
#: records.json cannot list them (a scan shares its source's records).
NOT_RAISED = frozenset({"EXTRACTION_NOTE", "LOW_OCR_CONFIDENCE"})
KEYS = {
    "projects": ("table_id", "project_seq"),
    "spending_plan": ("table_id", "project_seq", "period_seq"),
    "indicators": ("table_id", "row"),
    "departments": ("table_id",),
}
#: The record kinds the Done-when accuracy is measured over.
SCORED = ("projects", "spending_plan", "indicators")
_WS = re.compile(r"\s+")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    try:
        return Decimal(str(value).replace(",", "")) if re.fullmatch(r"[-+]?[\d,]*\.?\d+", str(value)) else None
    except InvalidOperation:
        return None


def same(truth: Any, ours: Any) -> bool:
    """Equal under the reading conventions."""
    if isinstance(truth, Enum):
        truth = truth.value
    if isinstance(ours, Enum):
        ours = ours.value
    if truth is None or ours is None:
        return truth is None and ours is None
    if isinstance(truth, bool) or isinstance(ours, bool):
        return truth == ours
    if isinstance(truth, (list, tuple)):
        return isinstance(ours, (list, tuple)) and len(truth) == len(ours) and all(map(same, truth, ours))
    if isinstance(truth, dict):
        return isinstance(ours, dict) and all(same(v, ours.get(k)) for k, v in truth.items())
    a, b = _number(truth), _number(ours)
    if a is not None and b is not None:
        return a == b
    return _WS.sub("", str(truth)) == _WS.sub("", str(ours))


def field_ok(truth: Record, name: str, ours: Record) -> bool:
    value = ours.get(name)
    return same(truth[name], value) or any(same(alt, value) for alt in truth.get("alt", {}).get(name, []))


@dataclass
class Tally:
    fields: int = 0
    correct: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.fields if self.fields else 1.0


@dataclass
class Comparison:
    doc: str
    tallies: dict[str, Tally]
    budgets: int
    budgets_exact: int
    anomalies: int
    anomalies_raised: int
    raised: int
    raised_expected: int
    missed: list[str]
    unexpected: list[str]

    def accuracy(self, kinds: tuple[str, ...] = SCORED) -> float:
        fields = sum(self.tallies[k].fields for k in kinds)
        return sum(self.tallies[k].correct for k in kinds) / fields if fields else 1.0

    @property
    def precision(self) -> float:
        return self.raised_expected / self.raised if self.raised else 1.0

    def summary(self) -> str:
        wrong = [w for k in self.tallies for w in self.tallies[k].wrong]
        return (f"{self.doc}: accuracy {self.accuracy():.4f}, budgets {self.budgets_exact}/{self.budgets}, "
                f"anomalies {self.anomalies_raised}/{self.anomalies}, flag precision {self.raised_expected}/{self.raised}"
                + "".join(f"\n  {w}" for w in wrong[:40]) + "".join(f"\n  missed flag {m}" for m in self.missed)
                + "".join(f"\n  unexpected flag {u}" for u in self.unexpected[:20]))


def _key(kind: str, record: Record) -> tuple:
    return tuple(record.get(k) for k in KEYS[kind])


def _tally(kind: str, truth: list[Record], ours: list[Record]) -> Tally:
    tally = Tally()
    by_key = {_key(kind, r): r for r in ours}
    truth_keys = set()
    width = max((len(r) for r in truth), default=10)
    for record in truth:
        key = _key(kind, record)
        truth_keys.add(key)
        mine = by_key.get(key)
        names = [n for n in record if n not in ("alt", *KEYS[kind])]
        tally.fields += len(names)
        if mine is None:
            tally.wrong.append(f"{kind} {key}: missing")
            continue
        for name in names:
            if field_ok(record, name, mine):
                tally.correct += 1
            else:
                tally.wrong.append(f"{kind} {key} {name}: truth {record[name]!r}, ours {mine.get(name)!r}")
    for key in by_key.keys() - truth_keys:
        tally.fields += width
        tally.wrong.append(f"{kind} {key}: not in the truth")
    return tally


def _flag_matches(expected: Record, flag: Record) -> bool:
    if expected["table_id"] != flag["table_id"]:
        return False
    if expected["row"] is not None and expected["row"] != flag["row"]:
        return False
    return "*" in expected["codes"] or flag["code"] in expected["codes"]


def compare(truth: dict, ours: dict[str, list[Record]]) -> Comparison:
    """``ours``: records by kind (projects with ``funding_detail``,
    departments with ``funding_detail`` and ``tasks``) and ``flags``."""
    tallies = {kind: _tally(kind, truth.get(kind, []), ours.get(kind, [])) for kind in KEYS}
    projects = {_key("projects", p): p for p in ours.get("projects", [])}
    printed = [p for p in truth["projects"] if p.get("budget_wan_yuan") is not None]
    exact = sum(1 for p in printed
                if (mine := projects.get(_key("projects", p))) is not None
                and _number(mine.get("budget_wan_yuan")) == Decimal(p["budget_wan_yuan"]))
    expected = truth.get("expected_flags", [])
    anomalies = [e for e in expected if e["kind"] == "anomaly"]
    raised = [f for f in ours.get("flags", []) if f["code"] not in NOT_RAISED]
    missed = [f"{e['table_id']} row {e['row']} {e['codes']}: {e['what']}" for e in anomalies
              if not any(_flag_matches(e, f) for f in raised)]
    unexpected = [f"{f['table_id']} row {f['row']} {f['code']}: {f['message']}" for f in raised
                  if not any(_flag_matches(e, f) for e in expected)]
    return Comparison(doc=truth.get("doc", "?"), tallies=tallies, budgets=len(printed), budgets_exact=exact,
                      anomalies=len(anomalies), anomalies_raised=len(anomalies) - len(missed), raised=len(raised),
                      raised_expected=len(raised) - len(unexpected), missed=missed, unexpected=unexpected)


def _plain(record: Any) -> Record:
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in (asdict(record) if not isinstance(record, dict)
                                                                    else record).items()}


def _with_funding(records: list[Record], lines: list[Record], owner: str) -> list[Record]:
    detail: dict[tuple, list] = defaultdict(list)
    for line in sorted(lines, key=lambda r: (r["table_id"], r["line_seq"])):
        detail[(line["table_id"], line[owner] if owner else None)].append([line["label"], line["amount_wan_yuan"]])
    return [{**r, "funding_detail": detail.get((r["table_id"], r[owner] if owner else None), [])} for r in records]


def assemble(projects: list[Record], spending: list[Record], indicators: list[Record], departments: list[Record],
             tasks: list[Record], funding: list[Record], flags: list[Record]) -> dict[str, list[Record]]:
    """Records by kind in the truth's shape, from rows of the dataset tables."""
    project_lines = [f for f in funding if f["project_seq"] is not None]
    department_lines = [{**f, "owner": None} for f in funding if f["project_seq"] is None]
    by_table: dict[str, list] = defaultdict(list)
    for task in sorted(tasks, key=lambda t: t["task_seq"]):
        by_table[task["table_id"]].append(task)
    departments = [{**d, "tasks": by_table.get(d["table_id"], [])}
                   for d in _with_funding(departments, department_lines, "")]
    return {"projects": _with_funding(projects, project_lines, "project_seq"), "spending_plan": spending,
            "indicators": indicators, "departments": departments, "flags": flags}


def from_normalized(nd: Any) -> dict[str, list[Record]]:
    """The records of a :class:`NormalizedDocument`, as :func:`assemble` gives them."""
    return assemble(*([_plain(r) for r in rows] for rows in (nd.projects, nd.spending, nd.indicators, nd.departments,
                                                             nd.tasks, nd.funding, nd.flags)))


def from_dataset(dataset: Path, doc_id: str) -> dict[str, list[Record]]:
    """The records of one document of a written dataset."""
    import jixiao

    ds = jixiao.open_dataset(dataset)

    def rows(table: str) -> list[Record]:
        frame = ds.arrow(table).to_table().to_pylist()
        return [{k: v for k, v in r.items() if k not in ("doc_id", "year")} for r in frame if r["doc_id"] == doc_id]

    return assemble(rows("projects"), rows("spending_plan"), rows("indicators"), rows("departments"),
                    rows("department_tasks"), rows("funding"), rows("flags"))
