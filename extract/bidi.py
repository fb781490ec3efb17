"""Right-to-left text: a printed line's characters from visual to logical order.

A PDF places glyphs where they are seen; Arabic and Hebrew are read from
right to left, so a line read left to right comes out backwards
(``2014 ةيعيشرتلا`` for ``التشريعية 2014``). The Unicode Bidirectional
Algorithm says how a logical string is laid out: each character gets an
embedding level (even left-to-right, odd right-to-left; numbers inside
right-to-left text one level up), and from the highest level down, every run
at that level or above is reversed. Undoing it on a visual line reverses the
same runs from the lowest odd level up. The levels are resolved here by the
algorithm's main rules on the visual sequence (a line has no explicit
embeddings):

* the line's base direction is that of most of its strong characters;
* European and Arabic numbers count as right-to-left for the neutrals
  around them, and sit one level above right-to-left text;
* a neutral (space, punctuation, a combining mark) between two characters
  of one direction takes that direction, else the base direction;
* a bracket read right to left is printed mirrored (the glyph of "(" closes
  what ")" opened): its text is mirrored back.

Lines with no right-to-left character are left alone (the common case costs
one regular-expression search).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

#: Blocks of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo,
#: Samaritan, Mandaic, their presentation forms, and the historic RTL planes).
RTL_SCRIPTS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")
_RTL = frozenset(("R", "AL"))
_NUMBER = frozenset(("EN", "AN"))
_LTR, _RTL_LEVEL, _NUMBER_IN_RTL = "L", "R", "N"
#: Paired brackets and their mirror images (Unicode BidiMirroring.txt, the
#: pairs a text sets).
_PAIRS = "()[]{}<>«»‹›⁅⁆⁽⁾₍₎〈〉《》「」『』【】〔〕〖〗〘〙〚〛（）［］｛｝｢｣"
MIRROR = {a: b for a, b in zip(_PAIRS[0::2], _PAIRS[1::2])} | {b: a for a, b in zip(_PAIRS[0::2], _PAIRS[1::2])}


def _strong(text: str) -> str | None:
    """'L', 'R', 'N' (a number) or None (neutral) for one token's text."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return _LTR
        if kind in _RTL:
            return _RTL_LEVEL
        if kind in _NUMBER:
            return _NUMBER_IN_RTL
    return None


def _levels(kinds: Sequence[str | None], rtl_base: bool) -> list[int]:
    base_kind = _RTL_LEVEL if rtl_base else _LTR
    # neutrals: the direction on both sides when it agrees (numbers count as RTL), else the base
    as_direction = [_RTL_LEVEL if k == _NUMBER_IN_RTL else k for k in kinds]
    resolved = list(kinds)
    i = 0
    while i < len(kinds):
        if kinds[i] is not None:
            i += 1
            continue
        j = i
        while j < len(kinds) and kinds[j] is None:
            j += 1
        before = as_direction[i - 1] if i > 0 else base_kind
        after = as_direction[j] if j < len(kinds) else base_kind
        resolved[i:j] = [before if before == after else base_kind] * (j - i)
        i = j
    levels = []
    for k, kind in enumerate(resolved):
        if kind == _RTL_LEVEL:
            levels.append(1)
        elif kind == _NUMBER_IN_RTL:
            # a number in right-to-left text is read left to right inside it
            levels.append(2 if rtl_base or _beside_rtl(kinds, k) else 0)
        else:
            levels.append(2 if rtl_base else 0)
    return levels


def _beside_rtl(kinds: Sequence[str | None], k: int) -> bool:
    """Is the nearest letter on either side of position k right-to-left?"""
    for step in (-1, 1):
        j = k + step
        while 0 <= j < len(kinds) and kinds[j] in (None, _NUMBER_IN_RTL):
            j += step
        if 0 <= j < len(kinds) and kinds[j] == _RTL_LEVEL:
            return True
    return False


def logical_order(tokens: Sequence[str]) -> list[tuple[int, str]]:
    """``tokens`` (a line's pieces of text, left to right as printed) in
    reading order: each token's index and its text (a bracket read right to
    left mirrored back). The tokens as they are when none is right-to-left."""
    order = list(range(len(tokens)))
    if not RTL_SCRIPTS.search("".join(tokens)):
        return [(i, tokens[i]) for i in order]
    kinds = [_strong(t) for t in tokens]
    rtl_base = sum(k == _RTL_LEVEL for k in kinds) > sum(k == _LTR for k in kinds)
    levels = _levels(kinds, rtl_base)
    for level in range(1, max(levels) + 1):
        i = 0
        while i < len(order):
            if levels[order[i]] < level:
                i += 1
                continue
            j = i
            while j < len(order) and levels[order[j]] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    return [(i, "".join(MIRROR.get(ch, ch) for ch in tokens[i]) if levels[i] % 2 else tokens[i]) for i in order]


__all__ = ["RTL_SCRIPTS", "logical_order"]
