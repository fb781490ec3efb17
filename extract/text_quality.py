"""Is a page's text layer usable? Judged on the parser's chars, per font.

A PDF can print perfectly and still carry no usable text: a font without a
ToUnicode map and with a custom encoding (what a PostScript round trip —
"print to PDF" — leaves) gives the parser nothing but glyph codes. pdfminer
then reports ``(cid:N)``; pdfium reports the raw code as a character,
so the codes below 32 and from 127 to 159 come out as control characters
and the others as Latin letters and punctuation that the glyphs, drawn a
full em wide, plainly are not. Such a page must be read from its image.

The judgement uses nothing but what every parser gives in its char dicts
(``text``, ``fontname``, the box and ``size``), so it holds whichever
parser produced the page. It is made per font, because a font's mapping is
one table: when a good share of a font's glyphs have no mapping, the rest
of that font's text comes from the same broken table and is garbage too
("hijklm" next to ``(cid:13)``). A glyph has no usable mapping when its
text is

* ``(cid:N)`` — pdfminer's mark for a code it could not map;
* a control character (other than the whitespace a parser may generate);
* a private-use code point, except the U+F020–U+F0FF range that symbol
  fonts (Symbol, Wingdings bullets and check boxes) map to in healthy
  documents: those are symbols, not text, and neither count for nor
  against the font;
* U+FFFD, a surrogate or an unassigned code point.

And a glyph's text is contradicted by its shape when a narrow character
(Latin letters, digits, ASCII punctuation) is drawn a full em wide, as a
CJK glyph is: a proportional or half-width font draws them at well under
an em. That one test catches a garbage layer whose codes all happen to be
printable. Healthy text never trips it for a whole font: only a few wide
capitals (W, M) come near an em.

A page is sent to OCR when the glyphs of the fonts judged broken are a
real part of its text (:data:`PAGE_BROKEN_SHARE`, and more than a stray
symbol); one unmapped bullet does not cost a page its exact text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: pdfminer's text for a glyph code it could not map to Unicode.
_CID = re.compile(r"\(cid:\d+\)")
#: Whitespace a parser may generate or a font may map to: not a glyph to judge.
_PARSER_WHITESPACE = frozenset("\t\n\r\x0b\x0c ")
#: Private-use code points that symbol fonts map their glyphs to (Microsoft's
#: symbol cmap: Symbol, Wingdings, used for bullets and check boxes).
_SYMBOL_PUA = range(0xF020, 0xF100)
#: Unicode general categories of a code point that cannot be a mapped glyph:
#: control, private use (outside the symbol range), surrogate, unassigned.
_UNMAPPED_CATEGORIES = frozenset({"Cc", "Co", "Cs", "Cn"})

#: A narrow character drawn at least this share of an em wide is drawn as
#: a CJK glyph is: its text contradicts its shape. Times' W is 0.94 em.
_FULL_EM = 0.97
#: A font is broken when this share of its judged glyphs have no mapping...
FONT_UNMAPPED_SHARE = 0.2
#: ... or this share of them (unmapped or contradicted by their shape) is wrong.
FONT_WRONG_SHARE = 0.5
#: The shape test needs this many narrow glyphs of a font on the page before
#: it can condemn the font (a page number in a CJK font is not evidence).
_MIN_SHAPE_EVIDENCE = 8
#: A page's text layer is unusable when broken fonts hold this share of its
#: glyphs and at least _MIN_BROKEN_GLYPHS of them.
PAGE_BROKEN_SHARE = 0.1
_MIN_BROKEN_GLYPHS = 5


def glyph_unmapped(text: str) -> bool:
    """True when a glyph's text says the parser found no Unicode for it."""
    if _CID.search(text):
        return True
    for ch in text:
        if ch in _PARSER_WHITESPACE or ord(ch) in _SYMBOL_PUA:
            continue
        if ch == "\ufffd" or unicodedata.category(ch) in _UNMAPPED_CATEGORIES:
            return True
    return False


def _is_symbol(text: str) -> bool:
    return all(ord(ch) in _SYMBOL_PUA for ch in text)


def _narrow(text: str) -> bool:
    """A single character that every font draws well under an em wide:
    East Asian width narrow (ASCII) or half-width, or a Latin-1 letter."""
    if len(text) != 1:
        return False
    ch = text
    if unicodedata.east_asian_width(ch) in ("Na", "H"):
        return ch.isalnum() or unicodedata.category(ch).startswith("P")
    return "\u00c0" <= ch <= "\u00ff" and ch.isalpha()


def _advance_em(char: Mapping[str, Any]) -> float | None:
    """A glyph's advance in ems along its line, for upright glyphs only
    (a rotated glyph's box does not show its advance)."""
    size = float(char.get("size") or 0.0)
    if size <= 0 or not char.get("upright", True):
        return None
    return (float(char["x1"]) - float(char["x0"])) / size


@dataclass
class FontTally:
    """What one font's glyphs on a page say about its mapping."""

    glyphs: int = 0
    unmapped: int = 0
    narrow: int = 0
    contradicted: int = 0

    @property
    def broken(self) -> bool:
        if not self.glyphs:
            return False
        if self.unmapped >= FONT_UNMAPPED_SHARE * self.glyphs:
            return True
        shape_wrong = self.contradicted if self.narrow >= _MIN_SHAPE_EVIDENCE else 0
        return self.unmapped + shape_wrong >= FONT_WRONG_SHARE * self.glyphs

    def describe(self) -> str:
        parts = []
        if self.unmapped:
            parts.append(f"{self.unmapped} without a Unicode mapping")
        if self.contradicted and self.narrow >= _MIN_SHAPE_EVIDENCE:
            parts.append(f"{self.contradicted} narrow characters drawn a full em wide")
        return f"{' and '.join(parts)} of {self.glyphs} glyphs"


@dataclass(frozen=True)
class TextLayerVerdict:
    """The judgement on one page's text layer. ``reason`` names the broken
    fonts and what is wrong with them ("" when the layer is usable)."""

    usable: bool
    glyphs: int
    broken_glyphs: int
    reason: str = ""


def tally_fonts(chars: Iterable[Mapping[str, Any]]) -> dict[str, FontTally]:
    """Per font name, how many of its glyphs are unmapped or contradicted."""
    fonts: dict[str, FontTally] = {}
    for char in chars:
        text = str(char.get("text") or "")
        if not text or all(ch in _PARSER_WHITESPACE for ch in text) or _is_symbol(text):
            continue
        tally = fonts.setdefault(str(char.get("fontname", "")), FontTally())
        tally.glyphs += 1
        if glyph_unmapped(text):
            tally.unmapped += 1
        elif _narrow(text):
            tally.narrow += 1
            advance = _advance_em(char)
            if advance is not None and advance >= _FULL_EM:
                tally.contradicted += 1
    return fonts


def assess_text_layer(chars: Iterable[Mapping[str, Any]]) -> TextLayerVerdict:
    """Whether a page's chars (a parser's char dicts: ``text``, ``fontname``,
    ``x0``, ``x1``, ``size``, ``upright``) can be used as its text."""
    fonts = tally_fonts(chars)
    total = sum(t.glyphs for t in fonts.values())
    broken = {name: t for name, t in fonts.items() if t.broken}
    broken_glyphs = sum(t.glyphs for t in broken.values())
    if broken_glyphs < max(_MIN_BROKEN_GLYPHS, PAGE_BROKEN_SHARE * total):
        return TextLayerVerdict(True, total, broken_glyphs)
    named = "; ".join(f"font {name or '(unnamed)'}: {t.describe()}" for name, t in broken.items())
    reason = f"text layer unusable ({broken_glyphs} of {total} glyphs in fonts without usable Unicode: {named})"
    return TextLayerVerdict(False, total, broken_glyphs, reason)
