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
* U+FFFD, a surrogate or a noncharacter.

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: A glyph text that says the parser found no Unicode for the glyph:
#: pdfminer's ``(cid:N)``; control characters other than whitespace (C0
#: and C1); private use outside the symbol-font range U+F020–U+F0FF (BMP
#: and the supplementary planes); surrogates; U+FFFD and the noncharacters.
_UNMAPPED = re.compile(
    "\\(cid:\\d+\\)|[\x00-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf01f\uf100-\uf8ff\ud800-\udfff"
    "\ufffd\ufffe\uffff\U000f0000-\U0010ffff]"
)
#: Glyph texts not judged: whitespace (a parser may generate it; not the
#: separators U+001C–U+001F, which are codes a broken font left raw) and
#: symbol-font code points (Symbol, Wingdings bullets and check boxes map
#: to U+F020–U+F0FF in healthy documents: symbols, not text).
_NOT_JUDGED = re.compile("[\t-\r \u00a0\u2000-\u200b\u3000\uf020-\uf0ff]*")
#: A character every font draws well under an em wide: printable ASCII,
#: halfwidth forms, Latin-1 letters.
_NARROW = re.compile("[!-~\uff61-\uffdc\u00c0-\u00ff]")

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
    return _UNMAPPED.search(text) is not None


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
    """Per font name, how many of its glyphs are unmapped or contradicted.
    Runs on every page of every document, so it stays lean: one regex test
    per glyph, the box only for the few narrow ones."""
    fonts: dict[str, FontTally] = {}
    for char in chars:
        text = char.get("text") or ""
        if _NOT_JUDGED.fullmatch(text):
            continue
        tally = fonts.get(char.get("fontname", ""))
        if tally is None:
            tally = fonts[char.get("fontname", "")] = FontTally()
        tally.glyphs += 1
        if glyph_unmapped(text):
            tally.unmapped += 1
        elif _NARROW.fullmatch(text):
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
