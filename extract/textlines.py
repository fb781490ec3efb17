"""Glyphs → printed lines → text, without ever putting a space inside a CJK run.

Chinese text is data: a space is written only where the PDF encodes one
(U+0020 between two printed glyphs) or where a visible gap separates two
non-CJK words or two fields on one line. Word's CJK/Latin auto-spacing
(≈0.25 em between 年 and 2023, no space encoded) stays without a space, and
two lines of one paragraph or cell are joined without a space when either
side of the break is CJK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from jixiao.model import BBox, Run

from .glyphs import Glyph

# A gap without an encoded space becomes a space above this many ems: next to
# CJK the auto-spacing (0.25 em) must stay unspaced, between Latin glyphs
# letter spacing is ~0 and a word space is ~0.25 em.
_GAP_EM_NEAR_WIDE = 0.45
_GAP_EM_LATIN = 0.15
_OPENING = "（(《「『“‘[【〔"
_CLOSING = "，。、；：？！）》」』”’】〕,.;:?!)%"


def is_wide(ch: str) -> bool:
    """CJK ideographs, kana, hangul, CJK and full-width punctuation, and the
    general punctuation a Chinese text sets full width (“ ” ‘ ’ — …)."""
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xAC00 <= o <= 0xD7AF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x3FFFF
        or ch in "\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u2030\u203b\u00b7"
    )


#: A run before it becomes a model object: (text, bold, font, size).
Piece = tuple[str, bool, str, float]


@dataclass
class TextLine:
    """One printed line: glyphs left to right on a shared baseline band.

    Its styled runs are kept as plain tuples (:data:`Piece`) and made into
    :class:`~jixiao.model.Run` objects only when asked for: most lines are
    read for their text alone (table cells, headers, footers)."""

    glyphs: list[Glyph]
    page: int
    pieces: list[Piece] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.glyphs.sort(key=lambda g: (g.x0, g.order))
        ink = [g for g in self.glyphs if not g.text.isspace()] or self.glyphs
        self.x0 = min(g.x0 for g in ink)
        self.x1 = max(g.x1 for g in ink)
        self.top = min(g.top for g in ink)
        self.bottom = max(g.bottom for g in ink)
        sizes = [g.size for g in ink]
        self.size = max(set(sizes), key=sizes.count)
        self.bold = all(g.bold for g in ink)
        confidences = [g.confidence for g in ink if g.confidence is not None]
        self.confidence = min(confidences) if confidences else None  # OCR lines only
        self._style()
        # spaces the PDF encodes at a line's ends are kept when lines are joined
        self.leading_space = self.glyphs[0].text.isspace()
        self.trailing_space = self.glyphs[-1].text.isspace()

    def _style(self) -> None:
        self.pieces = _line_pieces(self.glyphs)
        self.text = "".join(p[0] for p in self.pieces)

    @property
    def runs(self) -> list[Run]:
        return [_run(p) for p in self.pieces]

    def restyle(self, bold: bool) -> None:
        """Set every glyph's weight (OCR judges bold per line, after the fact)."""
        for g in self.glyphs:
            g.bold = bold
        self.bold = bold
        self._style()

    @property
    def bbox(self) -> BBox:
        return BBox.rounded(self.x0, self.top, self.x1, self.bottom)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    def first_token_width(self) -> float:
        """Width of what cannot be separated from the line's first glyph:
        opening brackets with what follows, then one CJK character or one
        Latin word, then closing punctuation. If that would have fitted at
        the end of the previous line, the line was broken on purpose."""
        ink = [g for g in self.glyphs if not g.text.isspace()]
        if not ink:
            return 0.0
        end = 0
        while end < len(ink) - 1 and ink[end].text in _OPENING:
            end += 1
        if is_wide(ink[end].text):
            end += 1
        else:
            end += 1
            while end < len(ink) and not is_wide(ink[end].text) and ink[end].x0 - ink[end - 1].x1 < 1.0:
                end += 1
        while end < len(ink) and ink[end].text in _CLOSING:
            end += 1
        return ink[end - 1].x1 - ink[0].x0


def group_lines(glyphs: list[Glyph], page: int) -> list[TextLine]:
    """Cluster glyphs into lines by vertical centre, top to bottom.

    A glyph joins the current line when its centre lies inside the line's
    vertical band; mixed fonts on one baseline (16 pt CJK beside 14 pt
    Latin) share a band because their centres nearly coincide. Spaces are
    placed afterwards, in the line whose band and extent hold them: a Latin
    font's space has other vertical metrics than the CJK glyphs around it."""
    bands: list[list[Glyph]] = []
    band_top = band_bottom = 0.0
    for g in sorted((g for g in glyphs if not g.text.isspace()), key=lambda g: (g.cy, g.x0)):
        if bands and band_top <= g.cy <= band_bottom:
            bands[-1].append(g)
            continue
        bands.append([g])
        band_top, band_bottom = g.top, g.bottom
    for space in (g for g in glyphs if g.text.isspace()):
        for band in bands:
            if band[0].top <= space.cy <= band[0].bottom and _within_x(space, band):
                band.append(space)
                break
    return [TextLine(band, page) for band in bands]


def _within_x(g: Glyph, band: list[Glyph]) -> bool:
    return min(b.x0 for b in band) - 2 * g.width <= g.x0 <= max(b.x1 for b in band) + 2 * g.width


def _line_pieces(glyphs: list[Glyph]) -> list[Piece]:
    pieces: list[tuple[str, Glyph]] = []
    prev: Glyph | None = None
    pending_space = False
    for g in glyphs:
        if g.text.isspace():
            pending_space = prev is not None
            continue
        if prev is not None:
            gap = g.x0 - prev.x1
            em = max(prev.size, g.size, 1.0)
            wide = is_wide(prev.text[-1]) or is_wide(g.text[0])
            both_wide = is_wide(prev.text[-1]) and is_wide(g.text[0])
            threshold = _GAP_EM_NEAR_WIDE if wide else _GAP_EM_LATIN
            if pending_space or (not both_wide and gap > threshold * em) or gap > 3 * em:
                pieces.append((" ", prev))
        pieces.append((g.text, g))
        prev = g
        pending_space = False
    return [
        ("".join(t for t, _ in group), bold, font, size)
        for (bold, font, size), group in groupby(pieces, key=lambda p: (p[1].bold, p[1].font, round(p[1].size, 1)))
    ]


def _run(piece: Piece) -> Run:
    text, bold, font, size = piece
    return Run(text=text, bold=bold, font=font, size=size)


def join_lines(lines: list[TextLine], right_limit: float | None = None) -> list[Run]:
    """Runs of lines read as one text. Between two lines: nothing when either
    side is CJK, else one space. With ``right_limit`` (where a cell's text
    area ends), a line that ends although the next line's first token and
    two more ems would still have fitted was broken on purpose: the break
    is kept as ``\n`` (a forced line break typed in a cell)."""
    pieces: list[Piece] = []
    for i, line in enumerate(lines):
        if i > 0:
            sep = _line_separator(lines[i - 1], line, right_limit)
            if sep:
                pieces.append((sep, pieces[-1][1] if pieces else False, "", line.size))
        pieces.extend(line.pieces)
    return [_run(p) for p in _merge(pieces)]


def _line_separator(prev: TextLine, line: TextLine, right_limit: float | None) -> str:
    if right_limit is not None and prev.x1 + line.first_token_width() + 2 * prev.size < right_limit:
        return "\n"
    if prev.trailing_space or line.leading_space:
        return " "
    a, b = prev.text.rstrip(), line.text.lstrip()
    if not a or not b or is_wide(a[-1]) or is_wide(b[0]):
        return ""
    return " "


def _merge(pieces: list[Piece]) -> list[Piece]:
    """Merge neighbours with the same style; separators (font "") join the
    piece before them."""
    out: list[Piece] = []
    for piece in pieces:
        text, bold, font, size = piece
        if not text:
            continue
        if out and ((out[-1][1], out[-1][2], out[-1][3]) == (bold, font, size) or (font == "" and text.isspace())):
            last = out[-1]
            out[-1] = (last[0] + text, last[1], last[2], last[3])
        else:
            out.append(piece)
    return out


def merge_runs(runs: list[Run]) -> list[Run]:
    """Merge neighbours with the same style; separators (font "") join the
    run before them."""
    return [_run(p) for p in _merge([(r.text, r.bold, r.font, r.size) for r in runs])]


def plain_text(runs: list[Run]) -> str:
    return "".join(r.text for r in runs)
