"""The standard performance-indicator framework (绩效指标体系).

一级指标: 产出 / 效益 / 满意度 / 成本 (成本 became a 一级 of its own in the
2021 framework). 二级指标 under them, each with one parent. A printed name is
matched after removing whitespace and a trailing 指标, so 产出指标, 产出 and
“产出 指标” are one name.

成本指标 is the one ambiguous name: a 二级 under 产出 in the older framework,
a 一级 in the newer one. It is read as 一级 only when a cost 二级 (经济成本 /
社会成本 / 生态环境成本) follows it.

Older and provincial names of the same 二级 are harmonised (:data:`ALIASES`),
so one query finds every benefit or satisfaction indicator whatever year's
framework printed it; docs/DATASET.md shows the mapping as a table.
"""

from __future__ import annotations

import re

LEVEL1: tuple[str, ...] = ("产出", "效益", "满意度", "成本")

#: 二级 → its 一级.
LEVEL2_PARENT: dict[str, str] = {
    "数量": "产出",
    "质量": "产出",
    "时效": "产出",
    "成本": "产出",
    "经济效益": "效益",
    "社会效益": "效益",
    "生态效益": "效益",
    "可持续影响": "效益",
    "服务对象满意度": "满意度",
    "经济成本": "成本",
    "社会成本": "成本",
    "生态环境成本": "成本",
}
COST_LEVEL2 = frozenset({"经济成本", "社会成本", "生态环境成本"})

#: Printed names (after :func:`canonical`) → the standard name they mean.
ALIASES: dict[str, str] = {
    "环境效益": "生态效益",
    "生态环境效益": "生态效益",
    "社会公众或服务对象满意度": "服务对象满意度",
    "社会公众满意度": "服务对象满意度",
    "服务对象或社会公众满意度": "服务对象满意度",
    "可持续发展影响": "可持续影响",
    "可持续影响力": "可持续影响",
    "生态成本": "生态环境成本",
    "环境成本": "生态环境成本",
}

_SUFFIX = re.compile(r"(指标|类指标)$")
_WS = re.compile(r"\s+")


def canonical(name: str | None) -> str:
    """'产出 指标' → '产出'; '' for None."""
    if not name:
        return ""
    key = _SUFFIX.sub("", _WS.sub("", name))
    return ALIASES.get(key, key)


def level1_of(name: str | None, next_name: str | None = None) -> str | None:
    """The standard 一级 this printed name denotes, or None."""
    key = canonical(name)
    if key == "成本":
        return "成本" if canonical(next_name) in COST_LEVEL2 else None
    return key if key in LEVEL1 else None


def level2_of(name: str | None) -> str | None:
    """The standard 二级 this printed name denotes, or None."""
    key = canonical(name)
    return key if key in LEVEL2_PARENT else None


def is_known(name: str | None) -> bool:
    """A name of the framework at any level (成本指标 included)."""
    key = canonical(name)
    return key in LEVEL1 or key in LEVEL2_PARENT


def parent_of(level2: str | None) -> str | None:
    return LEVEL2_PARENT.get(level2 or "")
