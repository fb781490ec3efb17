"""Extraction settings: one validated object passed down every stage.

Like pdfplumber's ``TableSettings``, every choice that changes what jixiao
makes of a PDF lives here, so a caller sets it once (CLI flags, the corpus
runner, a notebook) and every stage reads the same value. A document's
dataset rows depend on these values; :meth:`Settings.identity` is what the
corpus runner records per document so that a changed setting re-processes it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Engine = Literal["pdfplumber", "camelot"]
Parser = Literal["pdfminer", "pypdfium2"]
OcrMode = Literal["auto", "off", "force"]

ENGINES: tuple[str, ...] = ("pdfplumber", "camelot")
PARSERS: tuple[str, ...] = ("pdfminer", "pypdfium2")
OCR_MODES: tuple[str, ...] = ("auto", "off", "force")

#: Address space a corpus worker may add to what its imports took, by
#: default: a decompression bomb (a stream that inflates to gigabytes) fails
#: with TOO_LARGE instead of taking the machine's memory. A run's limit, not
#: an extraction setting: it changes whether a document is read, never what
#: is read from it, so it is not part of :class:`Settings`.
DEFAULT_MEMORY_MB = 4096

#: Each field's allowed values, checked when a Settings is made.
_CHOICES: dict[str, tuple[str, ...]] = {"engine": ENGINES, "parser": PARSERS, "ocr": OCR_MODES}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What to extract with.

    ``engine``: jixiao's ruled-grid finder (``pdfplumber``) or camelot lattice
    (the baseline). ``parser``: the PDF parser whose objects become jixiao's
    page content: pypdfium2 (default; faster, and its text layer keeps only
    visible glyphs) or pdfminer (the previous parser, kept for comparison).
    ``ocr``: OCR the pages without a usable text layer (``auto``), never
    (``off``: such a page is an error), or every page (``force``).

    A value outside a field's choices raises ``ValueError``, an unknown
    field ``TypeError`` (also through :meth:`with_changes`).
    """

    engine: Engine = "pdfplumber"
    parser: Parser = "pypdfium2"
    ocr: OcrMode = "auto"

    def __post_init__(self) -> None:
        for name, choices in _CHOICES.items():
            value = getattr(self, name)
            if value not in choices:
                raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")

    def with_changes(self, **changes: Any) -> Settings:
        """These settings with some fields changed, validated again."""
        return Settings(**{**asdict(self), **changes})

    def identity(self) -> dict[str, Any]:
        """The values a document's output depends on, as plain JSON data."""
        return asdict(self)


__all__ = ["DEFAULT_MEMORY_MB", "ENGINES", "OCR_MODES", "PARSERS", "Engine", "OcrMode", "Parser", "Settings"]
