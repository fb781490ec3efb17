"""The pypdfium2 parser backend: a page's objects → :class:`PageContent`.

pdfium interprets the content stream in C++ and parses each font once per
document; this module only reads the results through pypdfium2's raw API and
turns them into exactly what the pdfminer path delivers (pdfplumber's
coordinates and conventions), so every later stage runs unchanged on either
parser:

* chars: pdfminer's box convention — from the glyph origin along the
  advance, from ``descent × size`` below the baseline to one em above it, in
  the text matrix's scale (pdfium's own char boxes are the glyph's ink box);
  ``size`` is that box's height (its width for vertical writing). The spaces
  and line breaks pdfium's text page generates are skipped; a glyph pdfium
  splits into several characters (a ligature) is one char again, with the
  multi-character text pdfminer gives it; a glyph without a Unicode mapping
  reads ``(cid:N)`` as in pdfminer.
* chars come in paint order (pdfium's text page orders them by line), and
  the text objects its text page drops because they are printed again at
  the same spot (fake bold by overprinting, 2× or 4×) are restored, so the
  glyph stage still sees the overprint, marks the text bold and keeps it once.
* paths are split into subpaths and classified line / rect / curve by
  pdfminer's rules, with their points through every matrix (Form XObjects
  composed), fill and stroke flags, colours as RGB in 0–1.
* page rotation and MediaBox offsets as pdfminer and pdfplumber apply them
  (:mod:`.pdfium_geometry`).

Additive keys the pdfminer path lacks: ``z`` (paint order) on chars and
shapes, ``clip`` (the :class:`~.pdfium_clip.ClipRegion` in force, or None)
on chars, ``fill_alpha`` / ``stroke_alpha`` on shapes. With the opaque
fills painted over text, :mod:`.pdfium_visibility` uses them to keep only
the glyphs one can see.
"""

from __future__ import annotations

import ctypes
import math
from ctypes import byref, c_double, c_float, c_int, c_uint
from dataclasses import dataclass, field
from typing import Any

import pypdfium2.raw as pdfium_c

from .bidi import MIRROR, RTL_SCRIPTS
from .font_descriptors import UNNAMED, DescriptorNames
from .pdf_open import PageContent
from .pdfium_clip import ClipRegion, combine, read_clip
from .pdfium_geometry import IDENTITY, Box, Matrix, PageGeometry, apply, mul, transform_box
from .pdfium_handles import pdfium
from .pdfium_visibility import Occluder, may_occlude, occluder, visible_chars

_TEXT, _PATH, _IMAGE, _FORM = (
    pdfium_c.FPDF_PAGEOBJ_TEXT,
    pdfium_c.FPDF_PAGEOBJ_PATH,
    pdfium_c.FPDF_PAGEOBJ_IMAGE,
    pdfium_c.FPDF_PAGEOBJ_FORM,
)
_MOVETO, _BEZIERTO = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
_RGB = "DeviceRGB"
#: The Unicode value pdfium's text page gives a hyphen it judged to end a line.
_LINE_END_HYPHEN = 0x2
#: What pdfium's text page generates between objects: spaces and line breaks.
_GENERATED = frozenset((0x20, 0x0D, 0x0A))
#: pdfium's text page skips text objects narrower than this (kSizeEpsilon).
_EMPTY_WIDTH = 0.01
#: Byte length of an empty UTF-16 string with its terminator, as pdfium reports it.
_EMPTY_UTF16 = 2
#: Two glyph origins this close (points) are the same point (float32 storage).
_SAME_POINT = 0.01
#: Characters of the right-to-left scripts, whose letters take several
#: glyph forms by context (a font maps each form to the one letter).
_CONTEXTUAL = RTL_SCRIPTS
#: Form XObjects nest a few levels at most; deeper is a broken or hostile file.
_MAX_FORM_DEPTH = 32


@dataclass(slots=True)
class FontInfo:
    """What the backend needs of one font, read once per document."""

    name: str
    #: below the baseline, in ems (≤ 0): the descriptor's /Descent, or pdfium's
    #: measure of the font when the descriptor gives none (LibreOffice writes 0)
    descent: float
    vertical: bool  # vertical writing (a CID font with a -V CMap)
    advances: dict[int, float] = field(default_factory=dict)  # unicode → advance in ems (< 0: vertical)


class FontCache:
    """Fonts by pdfium handle. pdfium keeps one font object per font resource
    for the whole document, so each font is read once per document.
    ``descriptors`` names the fonts pdfium cannot (Type 3)."""

    def __init__(self, descriptors: DescriptorNames | None = None) -> None:
        self._fonts: dict[int, FontInfo] = {}
        self._value = c_float()
        self.descriptors = descriptors

    def get(self, font: Any) -> FontInfo:
        key = font or 0
        info = self._fonts.get(key)
        if info is None:
            # pdfium answers a vertical font's width query with its (negative) vertical advance
            vertical = self.advance(font, 0x20) < 0
            info = self._fonts[key] = FontInfo(name=_font_name(font), descent=self._descent(font), vertical=vertical)
        return info

    def _descent(self, font: Any) -> float:
        if not pdfium.FPDFFont_GetDescent(font, 1.0, byref(self._value)):
            return 0.0
        return min(0.0, self._value.value)

    def advance(self, font: Any, unicode: int) -> float:
        """The advance in ems of the font's glyph for ``unicode``, looked up
        by reverse mapping (pdfium has no per-char advance); negative for
        vertical writing, where pdfium reports the vertical advance."""
        ok = pdfium.FPDFFont_GetGlyphWidth(font, unicode, 1.0, byref(self._value))
        return self._value.value if ok else 0.0


def _font_name(font: Any) -> str:
    size = pdfium.FPDFFont_GetBaseFontName(font, None, 0)
    if size <= 1:
        return UNNAMED
    buffer = ctypes.create_string_buffer(size)
    pdfium.FPDFFont_GetBaseFontName(font, buffer, size)
    raw = buffer.raw[: size - 1]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # GBK-encoded names: decode them as pdfplumber does
        from pdfplumber.page import fix_fontname_bytes

        return fix_fontname_bytes(raw)


@dataclass(slots=True)
class TextObject:
    """A text object as painted, with what its glyphs need."""

    handle: Any
    z: int
    matrix: Matrix  # object space → page user space (form matrices composed)
    forms: tuple[Any, ...]  # enclosing form objects, outermost first
    font_size: float
    render_mode: int
    font: Any
    info: FontInfo
    clip: ClipRegion | None
    axes: tuple[float, float, float, float]  # the text space's x and y axes in device space
    miner_axes: tuple[float, float, float, float]  # ... in pdfminer's page space (unflipped)
    x: float = 0.0  # its origin (the pen position at its first glyph), page space
    y: float = 0.0
    found: bool = False  # pdfium's text page holds glyphs of it
    at_origin: bool = False  # ... one of them at its origin


@dataclass(slots=True)
class PathObject:
    handle: Any
    z: int
    holder_to_device: Matrix  # the holder's space (a form's or the page's) → device
    inherited_clip: ClipRegion | None  # the enclosing forms' clip


@dataclass(slots=True)
class PageObjects:
    """Everything painted on a page, in paint order."""

    texts: list[TextObject] = field(default_factory=list)
    text_by_address: dict[int, TextObject] = field(default_factory=dict)
    paths: list[PathObject] = field(default_factory=list)
    images: list[Box] = field(default_factory=list)
    forms: list[Any] = field(default_factory=list)
    first_text_z: int | None = None  # paint order of the first text object


class _Scratch:
    """ctypes out-parameters reused across calls, so the hot loops allocate
    nothing."""

    def __init__(self) -> None:
        self.matrix = pdfium_c.FS_MATRIX()
        self.f = c_float()
        self.x, self.y = c_float(), c_float()
        self.dx, self.dy = c_double(), c_double()
        self.rgba = (c_uint(), c_uint(), c_uint(), c_uint())
        self.i = c_int()
        self.flag = c_int()
        self.bounds = (c_float(), c_float(), c_float(), c_float())
        self.loose = pdfium_c.FS_RECTF()
        self.tight = (c_double(), c_double(), c_double(), c_double())
        # Pointers to them, made once: a page of a browser's print can hold
        # thousands of paths, each read through a dozen calls with pointers.
        self.ref_f, self.ref_i, self.ref_flag = byref(self.f), byref(self.i), byref(self.flag)
        self.ref_x, self.ref_y = byref(self.x), byref(self.y)
        self.ref_rgba = tuple(byref(v) for v in self.rgba)
        self.ref_bounds = tuple(byref(v) for v in self.bounds)

    def object_matrix(self, obj: Any) -> Matrix:
        m = self.matrix
        if not pdfium.FPDFPageObj_GetMatrix(obj, byref(m)):
            return IDENTITY
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def color(self, getter: Any, obj: Any) -> tuple[tuple[float, float, float], float]:
        if not getter(obj, *self.ref_rgba):
            return (0.0, 0.0, 0.0), 1.0
        r, g, b, a = self.rgba
        return (r.value / 255, g.value / 255, b.value / 255), a.value / 255

    def width(self, obj: Any) -> float:
        bounds = self.object_bounds(obj)
        return 0.0 if bounds is None else bounds[2] - bounds[0]

    def object_bounds(self, obj: Any) -> Box | None:
        """The object's box (x0, y0, x1, y1) in its holder's space (the
        page's, or its form's), its matrix applied; pdfium widens a stroked
        path's box by half its line width."""
        if not pdfium.FPDFPageObj_GetBounds(obj, *self.ref_bounds):
            return None
        left, bottom, right, top = self.bounds
        return (left.value, bottom.value, right.value, top.value)


def collect_objects(page: Any, scratch: _Scratch, geometry: PageGeometry, fonts: FontCache) -> PageObjects:
    """Walk the page's objects, descending into Form XObjects, in paint order."""
    found = PageObjects()
    z = 0

    def walk(holder: Any, in_form: bool, to_page: Matrix, forms: tuple[Any, ...], clip: ClipRegion | None) -> None:
        nonlocal z
        count = pdfium.FPDFFormObj_CountObjects(holder) if in_form else pdfium.FPDFPage_CountObjects(holder)
        get = pdfium.FPDFFormObj_GetObject if in_form else pdfium.FPDFPage_GetObject
        to_device = mul(to_page, geometry.device)
        for index in range(count):
            obj = get(holder, index)
            kind = pdfium.FPDFPageObj_GetType(obj)
            z += 1
            if kind == _TEXT:
                pdfium.FPDFTextObj_GetFontSize(obj, byref(scratch.f))
                matrix = mul(scratch.object_matrix(obj), to_page)
                font = pdfium.FPDFTextObj_GetFont(obj)
                a, b, c, d, _, _ = mul(matrix, geometry.device)
                ma, mb, mc, md, _, _ = mul(matrix, geometry.ctm)
                text = TextObject(
                    handle=obj,
                    z=z,
                    matrix=matrix,
                    forms=forms,
                    font_size=scratch.f.value,
                    render_mode=pdfium.FPDFTextObj_GetTextRenderMode(obj),
                    font=font,
                    info=fonts.get(font),
                    clip=combine(read_clip(obj, to_device), clip),
                    axes=(a, b, c, d),
                    miner_axes=(ma, mb, mc, md),
                    x=matrix[4],
                    y=matrix[5],
                )
                found.texts.append(text)
                found.text_by_address[obj] = text
                if found.first_text_z is None:
                    found.first_text_z = z
            elif kind == _PATH:
                found.paths.append(PathObject(obj, z, to_device, clip))
            elif kind == _IMAGE:
                found.images.append(transform_box(mul(scratch.object_matrix(obj), to_device), (0.0, 0.0, 1.0, 1.0)))
            elif kind == _FORM and len(forms) < _MAX_FORM_DEPTH:
                found.forms.append(obj)
                inner = mul(scratch.object_matrix(obj), to_page)
                walk(obj, True, inner, (*forms, obj), combine(read_clip(obj, to_device), clip))

    walk(page, False, IDENTITY, (), None)
    return found


# ---------------------------------------------------------------- text


def _text(unicode: int, unmapped: bool) -> str:
    if unmapped:
        return f"(cid:{unicode})"  # pdfminer's notation for a glyph without a Unicode mapping
    if unicode == _LINE_END_HYPHEN:
        return "-"
    return chr(unicode) if unicode else "\ufffd"


def measured_advance(text_page: Any, index: int, obj: TextObject, x: float, y: float,
                     scratch: _Scratch, ink_ends_it: bool = False) -> float | None:
    """The advance in ems of the glyph at ``index``, read off pdfium's loose
    char box, which spans exactly the glyph's advance along the baseline
    (from its own char code) unless the glyph's ink reaches past it — then
    the loose box ends where the ink does, and None says so (with
    ``ink_ends_it``, where that ink end is the better guess, it is taken).
    Also None for text not set along an axis."""
    a, b = obj.matrix[0], obj.matrix[1]
    size = obj.font_size
    if not size or (a != 0) == (b != 0):
        return None
    loose, tight = scratch.loose, scratch.tight
    if not pdfium.FPDFText_GetLooseCharBox(text_page, index, byref(loose)):
        return None
    left, right, bottom, top = tight
    pdfium.FPDFText_GetCharBox(text_page, index, byref(left), byref(right), byref(bottom), byref(top))
    if a:
        edge, ink, start, scale = (loose.right, right.value, x, a) if a > 0 else (loose.left, left.value, x, a)
    else:
        edge, ink, start, scale = (loose.top, top.value, y, b) if b > 0 else (loose.bottom, bottom.value, y, b)
    if abs(edge - ink) < _SAME_POINT and not ink_ends_it:
        return None
    return (edge - start) / scale / size


def char_dict(obj: TextObject, geometry: PageGeometry, x: float, y: float, advance: float, text: str
              ) -> dict[str, Any]:
    """One glyph in pdfminer's convention: its box spans the advance (ems)
    along the baseline and one em up from the font's descent, mapped through
    the text matrix; in vertical writing (negative advance) one em across
    and the vertical advance down from the top of the em square."""
    font = obj.info
    size = obj.font_size
    advance *= size
    if advance < 0:  # vertical writing: pdfium's origin is the em square's lower left
        u1, v0, v1 = size, size + advance, size
    else:
        u1, v0, v1 = advance, font.descent * size, (font.descent + 1) * size
    ma, mb, mc, md = obj.axes
    da, db, dc, dd, de, df = geometry.device
    ca, cb, cc, cd, ce, cf = geometry.ctm
    ox, oy = x * da + y * dc + de, x * db + y * dd + df
    if mb == 0 and mc == 0:  # text along the device's axes: two corners suffice
        xa, xb = ox, ox + u1 * ma
        ya, yb = oy + v0 * md, oy + v1 * md
        x0, x1 = (xa, xb) if xa <= xb else (xb, xa)
        top, bottom = (ya, yb) if ya <= yb else (yb, ya)
    else:
        xs = (ox + v0 * mc, ox + u1 * ma + v0 * mc, ox + v1 * mc, ox + u1 * ma + v1 * mc)
        ys = (oy + v0 * md, oy + u1 * mb + v0 * md, oy + v1 * md, oy + u1 * mb + v1 * md)
        x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "text": text,
        "size": (x1 - x0) if advance < 0 else (bottom - top),
        "fontname": font.name,
        # pdfminer's test on its (unflipped) matrix: a·d > 0 and b·c ≤ 0
        "upright": ma * md < 0 and mb * mc <= 0,
        "render_mode": obj.render_mode,
        "matrix": (*obj.miner_axes, x * ca + y * cc + ce, x * cb + y * cd + cf),
        "seq": obj.z,
        "clip": obj.clip,
    }


Glyph = tuple[int, int, dict[str, Any]]  # (paint order of its object, text page index, char)


def read_chars(text_page: Any, objects: PageObjects, fonts: FontCache, geometry: PageGeometry, scratch: _Scratch,
               only: TextObject | None = None) -> list[Glyph]:
    """The text page's glyphs; marks on each text object whether the text
    page holds glyphs of it (``found``) and one at its origin
    (``at_origin``). With ``only``, the text page holds that one object
    (see :func:`restore_text_objects`)."""
    page = text_page
    count = pdfium.FPDFText_CountChars(text_page)
    by_address = objects.text_by_address
    dx, dy = scratch.dx, scratch.dy
    px, py = byref(dx), byref(dy)
    out: list[Glyph] = []
    last: tuple[int, float, float] | None = None
    right_to_left = False
    for i in range(count):
        unicode = pdfium.FPDFText_GetUnicode(page, i)
        if unicode in _GENERATED and pdfium.FPDFText_IsGenerated(page, i) == 1:
            continue
        obj = only if only is not None else by_address.get(pdfium.FPDFText_GetTextObject(page, i) or 0)
        if obj is None:
            continue
        pdfium.FPDFText_GetCharOrigin(page, i, px, py)
        x, y = dx.value, dy.value
        text = _text(unicode, pdfium.FPDFText_HasUnicodeMapError(page, i) == 1)
        key = (obj.z, x, y)
        if key == last:  # one glyph mapped to several characters: pdfium gives each the glyph's origin
            first, char = out[-1][1], out[-1][2]
            if len(char["text"]) == 1 and not obj.info.vertical:  # not the first character's advance
                advance = measured_advance(text_page, first, obj, x, y, scratch, ink_ends_it=True)
                if advance is not None:
                    char.update(char_dict(obj, geometry, x, y, advance, char["text"]))
            # pdfium's text page lists a right-to-left run backwards: a ligature's characters too
            char["text"] = text + char["text"] if _CONTEXTUAL.match(text) else char["text"] + text
            continue
        last = key
        obj.found = True
        if not obj.at_origin and abs(x - obj.x) < _SAME_POINT and abs(y - obj.y) < _SAME_POINT:
            obj.at_origin = True
        advances = obj.info.advances
        advance = advances.get(unicode)
        if advance is None and _CONTEXTUAL.match(text):
            # one letter, several glyphs (initial, medial, final forms): each measured, none cached
            right_to_left = True
            advance = measured_advance(text_page, i, obj, x, y, scratch, ink_ends_it=True)
            if advance is None:
                advance = fonts.advance(obj.font, unicode)
        elif advance is None:
            advance = None if obj.info.vertical else measured_advance(text_page, i, obj, x, y, scratch)
            if advance is None:
                advance = fonts.advance(obj.font, unicode)
            advances[unicode] = advance
        out.append((obj.z, i, char_dict(obj, geometry, x, y, advance, text)))
    if right_to_left:
        _unmirror(out)
    return out


def _baseline_position(char: dict[str, Any]) -> tuple[float, float]:
    """(along, across) the glyph's baseline, of its origin."""
    a, b, _, _, e, f = char["matrix"]
    norm = math.hypot(a, b) or 1.0
    return (e * a + f * b) / norm, (f * a - e * b) / norm


def _unmirror(glyphs: list[Glyph]) -> None:
    """Brackets as the text layer maps them. pdfium's text page lists a
    right-to-left run backwards and mirrors the brackets in it (reading
    order); jixiao reads glyphs as printed and puts runs in reading order
    itself (:mod:`.bidi`). A bracket listed between neighbours of its line
    that lie on the wrong side of it was listed backwards: mirrored back."""
    for k, (_, _, char) in enumerate(glyphs):
        if char["text"] not in MIRROR:
            continue
        along, across = _baseline_position(char)
        for step in (-1, 1):
            if not 0 <= k + step < len(glyphs):
                continue
            other_along, other_across = _baseline_position(glyphs[k + step][2])
            if abs(other_across - across) > char["size"] / 2:
                continue  # another line
            if (other_along - along) * step < 0:
                char["text"] = MIRROR[char["text"]]
            break


def _has_actual_text(obj: Any) -> bool:
    """Marked content with a non-empty /ActualText: pdfium's text page reads
    the replacement text once for the first object of such a span and skips
    the others, which are then not missing text. (Word marks its fake-bold
    copies with an *empty* ActualText: those are overprints to restore.)"""
    key = ctypes.create_string_buffer(b"ActualText")
    length = ctypes.c_ulong()
    for m in range(pdfium.FPDFPageObj_CountMarks(obj)):
        mark = pdfium.FPDFPageObj_GetMark(obj, m)
        if not mark or not pdfium.FPDFPageObjMark_GetParamStringValue(mark, key, None, 0, byref(length)):
            continue
        if length.value > _EMPTY_UTF16:
            return True
    return False


def _blank(obj: TextObject, fonts: FontCache, geometry: PageGeometry) -> Glyph:
    """A text object whose glyphs have no ink (a space, U+3000): pdfium's
    text page skips objects of zero width and may put a generated space in
    their place. It stands for an encoded space: one space at its origin."""
    font = obj.info
    advance = font.advances.get(0x20)
    if advance is None:
        advance = font.advances[0x20] = fonts.advance(obj.font, 0x20)
    return (obj.z, -1, char_dict(obj, geometry, obj.x, obj.y, advance, " "))


def restore_text_objects(page: Any, objects: PageObjects, fonts: FontCache, geometry: PageGeometry,
                         scratch: _Scratch) -> tuple[list[Glyph], set[int]]:
    """Glyphs pdfium's text page left out, and the objects whose text page
    glyphs they replace.

    The text page drops a text object that repeats one of the five before
    it at nearly the same spot (``IsSameAsPreTextObject``: the overprint that
    fakes bold), skips objects of zero width (blank glyphs), and deletes the
    second of two consecutive spaces, which can be an object's first glyph.
    Blank objects become a space here; each other object with missing
    glyphs is read again on its own: every other text object and form is
    deactivated, and a text page of the page then holds that object alone
    (its glyphs are compared with no other object's)."""
    blanks: list[Glyph] = []
    reread: list[TextObject] = []
    for t in objects.texts:
        if not t.found:
            if scratch.width(t.handle) < _EMPTY_WIDTH:
                blanks.append(_blank(t, fonts, geometry))
            elif not _has_actual_text(t.handle):
                reread.append(t)
        elif not t.at_origin and not t.info.vertical:
            reread.append(t)
    if not reread:
        return blanks, set()
    switchable = [t.handle for t in objects.texts] + objects.forms
    restored = blanks
    set_active = pdfium.FPDFPageObj_SetIsActive
    for handle in switchable:
        set_active(handle, False)
    try:
        for t in reread:
            for handle in (*t.forms, t.handle):
                set_active(handle, True)
            text_page = pdfium.FPDFText_LoadPage(page)
            try:
                restored += read_chars(text_page, objects, fonts, geometry, scratch, only=t)
            finally:
                pdfium.FPDFText_ClosePage(text_page)
            for handle in (*t.forms, t.handle):
                set_active(handle, False)
    finally:
        for handle in switchable:
            set_active(handle, True)
    return restored, {t.z for t in reread}


# ---------------------------------------------------------------- paths


def _subpaths(obj: Any, to_device: Matrix, scratch: _Scratch) -> list[tuple[str, list[tuple[float, float]]]]:
    """The path's subpaths as pdfminer sees them: a shape string of
    ``m``/``l``/``c``/``h`` and one point per operator (a Bézier's end
    point; ``h`` is the subpath's start). pdfium stores a closing ``h`` as a
    line back to the start flagged closed, which is pdfminer's ``...lh``
    with the redundant ``l`` dropped."""
    x, y, ref_x, ref_y = scratch.x, scratch.y, scratch.ref_x, scratch.ref_y
    get_segment, get_point = pdfium.FPDFPath_GetPathSegment, pdfium.FPDFPathSegment_GetPoint
    get_type, get_close = pdfium.FPDFPathSegment_GetType, pdfium.FPDFPathSegment_GetClose
    subpaths: list[tuple[list[str], list[tuple[float, float]]]] = []
    bezier = 0
    for k in range(pdfium.FPDFPath_CountSegments(obj)):
        segment = get_segment(obj, k)
        get_point(segment, ref_x, ref_y)
        kind = get_type(segment)
        point = apply(to_device, x.value, y.value)
        if kind == _MOVETO or not subpaths:
            subpaths.append((["m"], [point]))
            bezier = 0
        elif kind == _BEZIERTO:
            bezier += 1
            if bezier % 3:
                continue  # a control point
            subpaths[-1][0].append("c")
            subpaths[-1][1].append(point)
        else:
            subpaths[-1][0].append("l")
            subpaths[-1][1].append(point)
        if get_close(segment):
            ops, pts = subpaths[-1]
            if ops[-1] == "l" and pts[-1] == pts[0]:
                ops[-1] = "h"
            else:
                ops.append("h")
                pts.append(pts[0])
    return [("".join(ops), pts) for ops, pts in subpaths]


def _kind(shape: str, pts: list[tuple[float, float]]) -> str:
    """pdfminer's ``paint_path`` classification of one subpath."""
    if shape in ("ml", "mlh"):
        return "line"
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        closed = pts[0] == pts[4]
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if closed and square:
            return "rect"
    return "curve"


def _off_page(bounds: Box | None, to_device: Matrix, page_box: Box) -> bool:
    """Whether an object's box (in its holder's space) lies wholly outside
    the page's box (x0, top, x1, bottom in device space): it paints nothing
    there. Touching the page counts as on it, as for the rule finder."""
    if bounds is None:
        return False
    x0, top, x1, bottom = transform_box(to_device, bounds)
    return x1 < page_box[0] or x0 > page_box[2] or bottom < page_box[1] or top > page_box[3]


def read_paths(objects: PageObjects, scratch: _Scratch, content: PageContent, page_box: Box) -> list[Occluder]:
    """The page's paths into ``content``'s lines, rects and curves; returns
    the opaque fills that can hide text painted before them (their clip is
    read only for those: Chromium clips every one of thousands of borders).
    A path wholly outside ``page_box`` is not read: a browser's print can
    carry thousands of them on every page (content laid out beyond the
    page), each costing a dozen calls per segment, and they paint nothing."""
    fill_mode, stroke = scratch.i, scratch.flag
    occluders: list[Occluder] = []
    for path in objects.paths:
        obj = path.handle
        if _off_page(scratch.object_bounds(obj), path.holder_to_device, page_box):
            continue
        pdfium.FPDFPath_GetDrawMode(obj, scratch.ref_i, scratch.ref_flag)
        fill_color, fill_alpha = scratch.color(pdfium.FPDFPageObj_GetFillColor, obj)
        stroke_color, stroke_alpha = scratch.color(pdfium.FPDFPageObj_GetStrokeColor, obj)
        pdfium.FPDFPageObj_GetStrokeWidth(obj, scratch.ref_f)
        filled = fill_mode.value != pdfium_c.FPDF_FILLMODE_NONE
        common = {
            "fill": filled,
            "stroke": bool(stroke.value),
            "stroking_color": stroke_color,
            "non_stroking_color": fill_color,
            "fill_alpha": fill_alpha,
            "stroke_alpha": stroke_alpha,
            "linewidth": scratch.f.value,
            "dash": _dash(obj),
            "seq": path.z,
            # pdfium paints every colour space as RGB (a spot colour through its alternate)
            "stroking_colorspace": _RGB,
            "non_stroking_colorspace": _RGB,
        }
        to_device = mul(scratch.object_matrix(obj), path.holder_to_device)
        for shape, pts in _subpaths(obj, to_device, scratch):
            if len(pts) < 2:
                continue
            kind = _kind(shape, pts)
            if kind == "line":
                pts = pts[:2]
            elif kind == "rect":  # pdfminer's LTRect: corners from the first and third point, in that order
                (ax, ay), (bx, by) = pts[0], pts[2]
                pts = [(ax, ay), (bx, ay), (bx, by), (ax, by)]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            box = (min(xs), min(ys), max(xs), max(ys))
            shape_dict = {"x0": box[0], "x1": box[2], "top": box[1], "bottom": box[3], "pts": pts, **common}
            (content.lines if kind == "line" else content.rects if kind == "rect" else content.curves).append(shape_dict)
            if kind == "rect" and filled and may_occlude(box, fill_alpha, path.z, objects.first_text_z):
                clip = combine(read_clip(obj, path.holder_to_device), path.inherited_clip)
                found = occluder(box, path.z, clip)
                if found is not None:
                    occluders.append(found)
    return occluders


def _dash(obj: Any) -> tuple[tuple[float, ...], float] | None:
    count = pdfium.FPDFPageObj_GetDashCount(obj)
    if count <= 0:
        return None
    array = (c_float * count)()
    phase = c_float()
    pdfium.FPDFPageObj_GetDashArray(obj, array, count)
    pdfium.FPDFPageObj_GetDashPhase(obj, byref(phase))
    return tuple(array), phase.value


# ---------------------------------------------------------------- the page


def name_fonts(objects: PageObjects, fonts: FontCache, page_index: int) -> None:
    """Give the page's unnamed fonts (Type 3) their descriptor's name."""
    if fonts.descriptors is None or all(t.info.name != UNNAMED for t in objects.texts):
        return
    names = fonts.descriptors.names(page_index, [t.font or 0 for t in objects.texts])
    for t in objects.texts:
        if t.info.name == UNNAMED and (t.font or 0) in names:
            t.info.name = names[t.font or 0]


def read_page(page: Any, geometry: PageGeometry, crop: Box | None, fonts: FontCache, page_index: int = 0
              ) -> PageContent:
    """``page``: a loaded FPDF_PAGE, the document's page ``page_index``.
    ``crop``: its crop box in device coordinates (glyphs outside it are not
    on the page), None when the page has no usable box."""
    scratch = _Scratch()
    objects = collect_objects(page, scratch, geometry, fonts)
    name_fonts(objects, fonts, page_index)
    text_page = pdfium.FPDFText_LoadPage(page)
    try:
        chars = read_chars(text_page, objects, fonts, geometry, scratch)
    finally:
        pdfium.FPDFText_ClosePage(text_page)
    restored, replaced = restore_text_objects(page, objects, fonts, geometry, scratch)
    if replaced:
        chars = [c for c in chars if c[0] not in replaced]
    chars += restored
    chars.sort(key=lambda item: (item[0], item[1]))
    content = PageContent(images=[{"x0": b[0], "top": b[1], "x1": b[2], "bottom": b[3]} for b in objects.images])
    occluders = read_paths(objects, scratch, content, geometry.bbox)
    content.chars = visible_chars([c for _, _, c in chars], occluders, crop)
    return content
