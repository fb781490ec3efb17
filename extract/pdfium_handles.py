"""pdfium's raw functions with its handles as plain ints.

pypdfium2's typed prototypes (``pypdfium2.raw``) wrap every handle a
function returns — a page object, a text object, a path segment — in a new
ctypes pointer object, and that costs more than the call itself in the
backend's per-glyph and per-object loops. :data:`pdfium` offers the same C
functions with every handle parameter and return value a ``void*`` (an int,
or None for NULL): ``pdfium.FPDFText_GetUnicode`` is
``pypdfium2.raw.FPDFText_GetUnicode``, untyped handles aside. Typed handles
(a page from pypdfium2) are accepted as arguments too.
"""

from __future__ import annotations

import ctypes
from typing import Any

import pypdfium2.raw as pdfium_c


def address(handle: Any) -> int:
    """A typed pypdfium2 handle as an int (0 for NULL)."""
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


def _is_handle(ctype: Any) -> bool:
    return isinstance(ctype, type) and issubclass(ctype, ctypes._Pointer) and ctype._type_.__name__.startswith(
        "struct_fpdf_")


class _PlainHandles:
    """Each ``pypdfium2.raw`` function, re-declared on first use with its
    handle types replaced by ``void*``."""

    def __getattr__(self, name: str) -> Any:
        typed = getattr(pdfium_c, name)
        argtypes = [ctypes.c_void_p if _is_handle(t) else t for t in typed.argtypes]
        restype = ctypes.c_void_p if _is_handle(typed.restype) else typed.restype
        function = ctypes.CFUNCTYPE(restype, *argtypes)(address(typed))
        setattr(self, name, function)
        return function


pdfium = _PlainHandles()

__all__ = ["address", "pdfium"]
