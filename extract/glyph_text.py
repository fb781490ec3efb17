"""What a glyph says: its text-layer string made into the characters printed.

Three things in a text layer are not the printed characters:

* Fonts that map CJK glyphs to radical or compatibility code points. Embedded
  CJK subsets (Chromium's, some Office exports) give ordinary ideographs the
  Kangxi Radicals, CJK Radicals Supplement or CJK Compatibility Ideographs
  code point of the same glyph: ⽬ (U+2F6C) for 目, ⻔ (U+2ED4) for 门. These
  are mapped to the unified ideograph the Unicode Character Database names as
  the same glyph — the compatibility ideographs by their canonical
  decomposition, the radicals by ``EquivalentUnifiedIdeograph.txt`` (Unicode
  data, shipped in ``data/``). Nothing else is touched: full-width
  punctuation and every other character stay as printed.
* A glyph that maps to several characters (a ligature, an Arabic lam-alef):
  it is several characters, which split the glyph's box between them.
* A glyph without a Unicode mapping, which pdfminer reports as ``(cid:N)``:
  one glyph of unknown text, U+FFFD.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_EQUIVALENTS_FILE = Path(__file__).parent / "data" / "EquivalentUnifiedIdeograph.txt"
#: The blocks whose code points are mapped (inclusive ranges).
_RADICAL_BLOCKS = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF))  # CJK Radicals Supplement, Kangxi Radicals
_COMPATIBILITY_BLOCKS = ((0xF900, 0xFAFF), (0x2F800, 0x2FA1F))  # CJK Compatibility Ideographs (+ Supplement)
_UNMAPPED = re.compile(r"\(cid:\d+\)")
REPLACEMENT = "\ufffd"


def _in(blocks: tuple[tuple[int, int], ...], code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in blocks)


@lru_cache(maxsize=1)
def _radical_equivalents() -> dict[str, str]:
    """Radical code point → its equivalent unified ideograph, for the two
    radical blocks only."""
    mapping: dict[str, str] = {}
    for line in _EQUIVALENTS_FILE.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        source, target = (field.strip() for field in entry.split(";"))
        first, _, last = source.partition("..")
        for code in range(int(first, 16), int(last or first, 16) + 1):
            if _in(_RADICAL_BLOCKS, code):
                mapping[chr(code)] = chr(int(target, 16))
    return mapping


def unified(ch: str) -> str:
    """The unified ideograph for a radical or compatibility code point with
    the same glyph; any other character unchanged."""
    code = ord(ch)
    if _in(_RADICAL_BLOCKS, code):
        return _radical_equivalents().get(ch, ch)
    if _in(_COMPATIBILITY_BLOCKS, code):
        return unicodedata.normalize("NFC", ch)
    return ch


@lru_cache(maxsize=4096)
def printed_characters(text: str) -> tuple[str, ...]:
    """The characters one glyph prints, in reading order (left to right as
    jixiao reads a line): one per character of its text-layer string, a
    right-to-left ligature's reversed; ``(cid:N)`` is one unknown character."""
    if _UNMAPPED.fullmatch(text):
        return (REPLACEMENT,)
    chars = tuple(unified(ch) for ch in text)
    if len(chars) > 1 and unicodedata.bidirectional(chars[0]) in ("R", "AL"):
        return chars[::-1]
    return chars


__all__ = ["REPLACEMENT", "printed_characters", "unified"]
