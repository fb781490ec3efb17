"""Names of the fonts pdfium cannot name, from their font descriptors.

pdfium names a font by its /BaseFont. A Type 3 font has none — Chromium's
Skia prints every embedded font as Type 3 glyph procedures — and pdfium reads
nothing of a Type 3 font's /FontDescriptor, so the face's name is lost, and
with it the bold of a bold face (the glyph stage tells bold from the name,
as it does for every other font). The descriptor's /FontName, which pdfminer
reports for such a font, is read here from the PDF's objects with pikepdf.

pdfium's API does not say which font dictionary a text object uses, so the
page's content is walked the way pdfium builds text objects: one per
text-showing operator with something to show (``Tj``, ``'`` and ``"`` with a
non-empty string, ``TJ`` with a non-empty string in its array), in paint
order, Form XObjects entered where they are painted, the font set by ``Tf``
(looked up in the form's resources, or the page's when the form has no fonts) and restored by ``Q``.
The n-th text object pdfium lists is then the n-th such operator. The walk
is trusted only when it agrees with pdfium: as many operators as text
objects, and every pdfium font paired with one font dictionary and back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

#: What the walk needs of a content stream: the operators that set or
#: restore the font, show text or paint a form.
_OPERATORS = "q Q Tf Tj TJ ' \" Do"
#: Forms nested deeper than this are not entered (pdfium's own limit is
#: about as deep; the paint order walk of the backend stops at the same depth).
MAX_FORM_DEPTH = 32
#: What pdfium and pdfminer call a font without a name.
UNNAMED = "unknown"


def _shows_text(operands: Sequence[Any], operator: str) -> bool:
    import pikepdf

    if operator in ("Tj", "'", '"'):
        return bool(operands) and isinstance(operands[-1], pikepdf.String) and len(bytes(operands[-1])) > 0
    array = operands[0] if operands else None
    return isinstance(array, pikepdf.Array) and any(
        isinstance(item, pikepdf.String) and len(bytes(item)) > 0 for item in array
    )


def _lookup(kind: str, name: Any, resources: Any, page_resources: Any) -> Any:
    """A named resource as pdfium looks it up: in the stream's resources of
    that kind, or the page's when the stream has none of that kind."""
    for where in (resources, page_resources):
        group = where.get(kind) if where is not None else None
        if group is not None:
            return group.get(name)
    return None


def _shown_fonts(stream: Any, resources: Any, page_resources: Any, font: Any, depth: int,
                 active: set[tuple[int, int]]) -> Iterator[Any]:
    """The font dictionary (None when unknown) of every text object the
    content of ``stream`` paints, in paint order."""
    import pikepdf

    saved: list[Any] = []
    for operands, op in pikepdf.parse_content_stream(stream, _OPERATORS):
        operator = str(op)
        if operator == "q":
            saved.append(font)
        elif operator == "Q":
            font = saved.pop() if saved else font
        elif operator == "Tf":
            if operands:
                found = _lookup("/Font", operands[0], resources, page_resources)
                font = found if isinstance(found, pikepdf.Dictionary) else None
        elif operator == "Do":
            form = _lookup("/XObject", operands[0], resources, page_resources) if operands else None
            if (
                isinstance(form, pikepdf.Stream)
                and form.get("/Subtype") == pikepdf.Name.Form
                and depth < MAX_FORM_DEPTH
                and form.objgen not in active
            ):
                key = form.objgen
                if key != (0, 0):
                    active.add(key)
                yield from _shown_fonts(form, form.get("/Resources"), page_resources, font, depth + 1, active)
                active.discard(key)
        elif _shows_text(operands, operator):
            yield font


def _page_resources(page: Any) -> Any:
    """/Resources of a page, inherited through the page tree."""
    node, seen = page.obj, 0
    while node is not None and seen < MAX_FORM_DEPTH:
        if "/Resources" in node:
            return node["/Resources"]
        node, seen = node.get("/Parent"), seen + 1
    return None


def _descriptor_name(font: Any) -> str | None:
    descriptor = font.get("/FontDescriptor") if font is not None else None
    name = descriptor.get("/FontName") if descriptor is not None else None
    if name is None:
        return None
    return str(name).lstrip("/") or None


def _identity(font: Any) -> Any:
    """A font dictionary's identity: its object number (a direct one has none)."""
    if font is None:
        return None
    return font.objgen if font.objgen != (0, 0) else id(font)


def pair_fonts(handles: Sequence[int], dictionaries: Sequence[Any]) -> dict[int, Any] | None:
    """Each pdfium font handle's font dictionary, when the two sequences (one
    entry per text object, in paint order) pair one to one; else None."""
    if len(handles) != len(dictionaries):
        return None
    by_handle: dict[int, Any] = {}
    by_font: dict[Any, int] = {}
    for handle, font in zip(handles, dictionaries):
        key = _identity(font)
        if by_handle.setdefault(handle, key) != key:
            return None
        if key is not None and by_font.setdefault(key, handle) != handle:
            return None
    fonts = {_identity(f): f for f in dictionaries}
    return {handle: fonts[key] for handle, key in by_handle.items()}


class DescriptorNames:
    """Font names from the descriptors of one document, opened with pikepdf
    on first need (most documents never need it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pdf: Any = None
        self._failed = False

    def names(self, page_index: int, handles: Sequence[int]) -> dict[int, str]:
        """Names for the fonts of a page's text objects (``handles``: the
        pdfium font of each, in paint order), where the walk agrees with
        pdfium and the descriptor names the font."""
        pdf = self._open()
        if pdf is None:
            return {}
        import pikepdf

        try:
            page = pdf.pages[page_index]
            resources = _page_resources(page)
            fonts = list(_shown_fonts(page, resources, resources, None, 0, set()))
        except (pikepdf.PdfError, ValueError, TypeError, KeyError, IndexError):
            return {}  # content pikepdf cannot parse (pdfium repaired it): the names stay unknown
        paired = pair_fonts(handles, fonts)
        if paired is None:
            return {}
        return {handle: name for handle, font in paired.items() if (name := _descriptor_name(font))}

    def _open(self) -> Any:
        if self._pdf is None and not self._failed:
            import pikepdf

            try:
                self._pdf = pikepdf.open(self.path)
            except (pikepdf.PdfError, OSError):  # pdfium opened what pikepdf cannot: names stay unknown
                self._failed = True
        return self._pdf

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
