"""Shared fixtures: the test documents, copied into the repository from the
project's shared test data (a clone must not depend on anything outside it).

``tests/fixtures/corpus/<doc-id>/`` holds each document's truth (and its PDF,
except for the three documents that ship as the bundled sample corpus in
``corpus/sample/<doc-id>.pdf``). ``tests/fixtures/external/<name>/`` holds
real PDFs from other producers with hand-made truth.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
SAMPLE = ROOT / "corpus" / "sample"

sys.path.insert(0, str(TESTS))  # tests/teds.py


@dataclass(frozen=True)
class Fixture:
    name: str
    dir: Path

    @property
    def pdf(self) -> Path:
        own = self.dir / "document.pdf"
        return own if own.exists() else SAMPLE / f"{self.name}.pdf"

    @property
    def truth(self) -> Path:
        return self.dir / "truth"

    def spec(self) -> dict:
        return json.loads((self.dir / "spec.json").read_text(encoding="utf-8"))

    def truth_document(self) -> dict:
        return json.loads((self.truth / "document.json").read_text(encoding="utf-8"))


def corpus_fixtures(renderers: tuple[str, ...] = ("docx", "reportlab")) -> list[Fixture]:
    out = []
    for d in sorted((FIXTURES / "corpus").iterdir()):
        fx = Fixture(d.name, d)
        if fx.spec()["renderer"] in renderers:
            out.append(fx)
    return out


def external_fixtures() -> list[Fixture]:
    return [Fixture(d.name, d) for d in sorted((FIXTURES / "external").iterdir())]


#: Both PDF parsers; extraction tests run on each (pypdfium2 is the default).
PARSERS = ("pypdfium2", "pdfminer")


@cache
def read_cached(pdf: Path, engine: str = "pdfplumber", parser: str = "pypdfium2"):
    """Extraction is the slow part of the suite; read each PDF once per
    engine and parser."""
    import jixiao

    return jixiao.read_pdf(pdf, engine=engine, parser=parser)


@pytest.fixture(scope="session")
def doc2023():
    return read_cached(SAMPLE / "hebei-chengde-gxq-zrzy-2023.pdf")
