"""Chinese administrative divisions, from the gazetteer the ``cpca`` package
ships (its ``resources/adcodes.csv``: every province, prefecture and county
with its 12-digit 行政区划代码).

Only the data is used: importing ``cpca`` itself builds its matcher at import
time through ``pkg_resources`` (slow, and gone from recent setuptools), and
its matcher strips suffixes (省/市) so that short words match places (县 is a
"city" of 重庆). Here a place matches only by its full printed name, and a
name shared by several places (鼓楼区) is resolved by the places printed
around it or left unresolved.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: Gazetteer rows that are groupings, not places (市辖区, 省直辖县级行政区划).
_NOT_PLACES = ("辖区", "直辖", "行政区划")
_LONGEST = 20


class GazetteerMissing(RuntimeError):
    """The cpca package (which ships the gazetteer) is not installed."""


@dataclass(frozen=True)
class Place:
    name: str
    code: str  # 6-digit 行政区划代码

    @property
    def rank(self) -> int:
        """0 province, 1 prefecture (city), 2 county."""
        if self.code.endswith("0000"):
            return 0
        return 1 if self.code.endswith("00") else 2

    def parent_code(self) -> str | None:
        if self.rank == 2:
            return self.code[:4] + "00"
        if self.rank == 1:
            return self.code[:2] + "0000"
        return None

    def within(self, other: Place) -> bool:
        return self.code.startswith(other.code[: 2 * (other.rank + 1)])


def _gazetteer_file() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerMissing("the cpca package is not installed: pip install 'cpca>=0.5.5'")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, tuple[Place, ...]], dict[str, Place]]:
    """(places by name, places by code), read once."""
    by_name: dict[str, list[Place]] = {}
    by_code: dict[str, Place] = {}
    with _gazetteer_file().open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["name"]
            if len(name) < 2 or any(word in name for word in _NOT_PLACES):
                continue
            place = Place(name, row["adcode"][:6])
            by_code[place.code] = place
            by_name.setdefault(name, []).append(place)
    return {k: tuple(v) for k, v in by_name.items()}, by_code


def find_names(text: str) -> list[tuple[int, str]]:
    """Every gazetteer name printed in ``text`` as (position, name), longest
    first at a position, overlapping names at later positions skipped."""
    by_name, _ = gazetteer()
    out = []
    i = 0
    while i < len(text):
        hit = next((text[i:i + n] for n in range(min(_LONGEST, len(text) - i), 1, -1) if text[i:i + n] in by_name), None)
        if hit:
            out.append((i, hit))
            i += len(hit)
        else:
            i += 1
    return out


def ancestors(place: Place) -> list[Place]:
    """The place and the divisions above it, province first."""
    _, by_code = gazetteer()
    chain = [place]
    while (code := chain[0].parent_code()) is not None:
        parent = by_code.get(code)
        if parent is None:
            break
        chain.insert(0, parent)
    return chain


def resolve(names: list[str], context: list[str]) -> Place | None:
    """The most specific place ``names`` (in printed order) agree on. A name
    shared by several places is kept only when one of them lies within a
    place named before it or in ``context``."""
    by_name, _ = gazetteer()
    anchors = [p for name in context for p in by_name.get(name, ()) if len(by_name[name]) == 1]
    chosen: Place | None = None
    for name in names:
        candidates = by_name.get(name, ())
        if chosen is not None:
            candidates = tuple(p for p in candidates if p.within(chosen) or chosen.within(p))
        if len(candidates) > 1:
            candidates = tuple(p for p in candidates if any(p.within(a) for a in anchors)) or candidates
        if len(candidates) == 1 and (chosen is None or candidates[0].rank >= chosen.rank):
            chosen = candidates[0]
    return chosen
