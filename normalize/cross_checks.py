"""Checks across the projects of one document.

INDICATOR_FROM_OTHER_PROJECT: authors copy indicator rows from one project's
table into another and forget to edit them: a land-acquisition project
that asks for the satisfaction of the people living near 地质灾害点 has
taken, word for word, an indicator of a hazard-monitoring project of the
same department. An indicator of project
P is flagged when its 三级 name is also an indicator of another project Q
and names a term distinctive of Q (a run of at least four characters of Q's
name found in no other project's name) that P's own name and goal never
mention. Both conditions matter: shared generic indicators (服务对象满意度)
name no project, and an indicator may legitimately mention a neighbouring
programme (免疫规划 in a public-health project) without being a copy.
"""

from __future__ import annotations

import re

from .records import Flag, FlagCode, Indicator, Project, Severity

_MIN_TERM = 4
_NON_WORD = re.compile(r"[\s、，,。；;：:（）()“”\"'·\-—]+")


def _squash(*texts: str | None) -> str:
    return _NON_WORD.sub("", "".join(t for t in texts if t))


def _terms(name: str) -> set[str]:
    text = _squash(name)
    return {text[i : i + n] for n in range(_MIN_TERM, len(text) + 1) for i in range(len(text) - n + 1)}


def other_project_flags(projects: list[Project], indicators: list[Indicator]) -> list[Flag]:
    by_seq = {p.project_seq: p for p in projects}
    terms = {seq: _terms(p.project_name or "") for seq, p in by_seq.items()}
    distinctive = {
        seq: own - set().union(set(), *(t for s, t in terms.items() if s != seq)) for seq, own in terms.items()
    }
    level3_of: dict[int, set[str]] = {}
    for ind in indicators:
        if ind.project_seq is not None and ind.level3:
            level3_of.setdefault(ind.project_seq, set()).add(_squash(ind.level3))
    flags = []
    for ind in indicators:
        own = by_seq.get(ind.project_seq) if ind.project_seq is not None else None
        if own is None or not ind.level3:
            continue
        name = _squash(ind.level3)
        own_text = _squash(own.project_name, own.overall_goal)
        for seq, candidates in distinctive.items():
            if seq == own.project_seq or name not in level3_of.get(seq, set()):
                continue
            hit = next((t for t in sorted(candidates, key=len, reverse=True) if t in name and t not in own_text), None)
            if hit:
                flags.append(
                    Flag(ind.table_id, ind.row, FlagCode.INDICATOR_FROM_OTHER_PROJECT, Severity.WARNING,
                         f"indicator {ind.level3!r} names {hit!r}, the subject of project "
                         f"{by_seq[seq].project_name!r}, where the same indicator appears")
                )
                break
    return flags
