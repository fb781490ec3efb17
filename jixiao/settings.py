"""Extraction settings: one validated object passed down every stage.

Like pdfplumber's ``TableSettings``, every choice that changes what jixiao
makes of a PDF lives here, so a caller sets it once (CLI flags, the corpus
runner, a notebook) and every stage reads the same value. A document's
dataset rows depend on these values; :meth:`Settings.identity` is what the
corpus runner records per document so that a changed setting re-processes it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Engine = Literal["pdfplumber", "camelot"]
Parser = Literal["pdfminer", "pypdfium2"]
OcrMode = Literal["auto", "off", "force"]

ENGINES: tuple[str, ...] = ("pdfplumber", "camelot")
PARSERS: tuple[str, ...] = ("pdfminer", "pypdfium2")
OCR_MODES: tuple[str, ...] = ("auto", "off", "force")


class Settings(BaseModel):
    """What to extract with.

    ``engine``: jixiao's ruled-grid finder (``pdfplumber``) or camelot lattice
    (the baseline). ``parser``: the PDF parser whose objects become jixiao's
    page content: pypdfium2 (default; faster, and its text layer keeps only
    visible glyphs) or pdfminer (the previous parser, kept for comparison). ``ocr``: OCR the pages without a usable text layer
    (``auto``), never (``off``: such a page is an error), or every page
    (``force``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    engine: Engine = "pdfplumber"
    parser: Parser = "pypdfium2"
    ocr: OcrMode = "auto"

    def identity(self) -> dict[str, Any]:
        """The values a document's output depends on, as plain JSON data."""
        return self.model_dump(mode="json")


__all__ = ["ENGINES", "OCR_MODES", "PARSERS", "Engine", "OcrMode", "Parser", "Settings"]
