"""TEDS (Zhong et al. 2020, PubTabNet's table metric) on apted's tree edit distance.

The tree is table → tr → td; a td's label is its rowspan, colspan and text.
Insert/delete cost 1; renaming a td costs 1 when the spans differ, else the
normalised Levenshtein distance of the texts (rapidfuzz). Texts are compared
with all whitespace removed, as the truth files' README asks. TEDS-S
(``structure_only=True``) ignores text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apted import APTED, Config
from lxml import html as lxml_html
from rapidfuzz.distance import Levenshtein

_WS = re.compile(r"\s+")


@dataclass
class Node:
    tag: str
    rowspan: int = 1
    colspan: int = 1
    text: str = ""
    children: list[Node] = field(default_factory=list)


class _TedsConfig(Config):
    def __init__(self, structure_only: bool) -> None:
        self.structure_only = structure_only

    def rename(self, a: Node, b: Node) -> float:
        if a.tag != b.tag or (a.rowspan, a.colspan) != (b.rowspan, b.colspan):
            return 1.0
        if a.tag == "td" and not self.structure_only:
            return Levenshtein.normalized_distance(a.text, b.text)
        return 0.0

    def children(self, node: Node) -> list[Node]:
        return node.children


def _count(node: Node) -> int:
    return 1 + sum(_count(c) for c in node.children)


def tables_from_html(markup: str) -> list[Node]:
    """Every <table> in the markup as a TEDS tree, in document order."""
    root = lxml_html.fromstring(markup)
    trees = []
    for table in root.iter("table"):
        tree = Node("table")
        for tr in table.iter("tr"):
            row = Node("tr")
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                text = _WS.sub("", td.text_content())
                row.children.append(
                    Node("td", int(td.get("rowspan", 1)), int(td.get("colspan", 1)), text)
                )
            tree.children.append(row)
        trees.append(tree)
    return trees


def teds(pred: Node, truth: Node, structure_only: bool = False) -> float:
    distance = APTED(pred, truth, _TedsConfig(structure_only)).compute_edit_distance()
    return 1.0 - float(distance) / max(_count(pred), _count(truth))
