"""OCR engines: each installed engine reads real scan crops; the registry
picks the default and says what to install when an engine is missing.

Crops come from the scanned fixture rendered at its own 200 dpi (no
deskew: a single line's 0.7° skew is within what both engines read).
Engines that are not installed are skipped with the reason.
"""

from __future__ import annotations

import json
import socket
from functools import lru_cache

import numpy as np
import pytest
from conftest import FIXTURES
from rapidfuzz.distance import Levenshtein

from jixiao.extract import ocr_engines
from jixiao.extract.ocr_engines import OcrUnavailable, available_engines, get_engine

SCAN = FIXTURES / "corpus" / "hebei-chengde-gxq-zrzy-2023-scan"
ENGINES = ["rapidocr", "tesseract"]
#: Page 3, first line of the first paragraph (2-character indent, 25 characters).
LINE_CROP = (3, slice(645, 735), slice(200, 1480))
#: Page 10, the blank cell under "6 月底", inside its rules (at x 569/758, y 989/1052).
BLANK_CELL_CROP = (10, slice(996, 1046), slice(576, 752))


@lru_cache(maxsize=None)
def _page(number: int) -> np.ndarray:
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(SCAN / "document.pdf")[number - 1]
    image = page.render(scale=200 / 72, grayscale=True).to_numpy()
    return image if image.ndim == 2 else image[:, :, 0]


def _crop(spec: tuple[int, slice, slice]) -> np.ndarray:
    page, rows, cols = spec
    return _page(page)[rows, cols]


def _first_line_truth() -> str:
    document = json.loads((SCAN / "truth" / "document.json").read_text(encoding="utf-8"))
    first = next(b for b in document["blocks"] if b["type"] == "paragraph" and b["page"] == 3)
    return "".join(run["text"] for run in first["runs"])[:25]


def _cer(text: str, truth: str) -> float:
    text, truth = "".join(text.split()), "".join(truth.split())
    return Levenshtein.distance(text, truth) / len(truth)


@pytest.fixture(params=ENGINES)
def engine(request):
    if request.param not in available_engines():
        pytest.skip(f"OCR engine {request.param!r} is not installed (see docs/OCR.md)")
    return get_engine(request.param)


def test_reads_a_prose_line(engine):
    truth = _first_line_truth()
    assert truth == "积极主动适应新形势、新常态，紧紧围绕年初确定的重点"
    lines = engine.read_lines(_crop(LINE_CROP))
    text = "".join(line.text for line in lines)
    assert _cer(text, truth) <= 0.05, text
    assert all(0.0 <= line.confidence <= 1.0 for line in lines)
    height, width = _crop(LINE_CROP).shape
    for line in lines:
        x0, top, x1, bottom = line.box
        assert all(isinstance(v, int) for v in line.box)
        assert 0 <= x0 < x1 <= width and 0 <= top < bottom <= height


def test_reads_the_line_as_a_cell(engine):
    read = engine.read_cell(_crop(LINE_CROP))
    assert _cer(read.text, _first_line_truth()) <= 0.05, read.text
    assert " " not in read.text  # CJK text is joined without spaces
    assert 0.0 < read.confidence <= 1.0


def test_blank_cell_reads_empty(engine):
    read = engine.read_cell(_crop(BLANK_CELL_CROP))
    assert read.text == ""
    assert read.confidence == 1.0


def test_default_engine_is_the_best_installed():
    installed = available_engines()
    if not installed:
        with pytest.raises(OcrUnavailable, match="install"):
            get_engine()
        return
    assert get_engine().name == installed[0]
    if "rapidocr" in installed:
        assert installed[0] == "rapidocr"


def test_unknown_engine_names_what_to_install():
    with pytest.raises(OcrUnavailable) as raised:
        get_engine("nonexistent")
    message = str(raised.value)
    assert "nonexistent" in message
    assert "pip install 'jixiao[ocr]'" in message
    assert "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in message


def test_rapidocr_loads_only_bundled_models(monkeypatch):
    """Creating the RapidOCR models must not touch the network: every model
    path is one inside the installed rapidocr package."""
    if "rapidocr" not in available_engines():
        pytest.skip("OCR engine 'rapidocr' is not installed (see docs/OCR.md)")
    import rapidocr

    def no_network(*args, **kwargs):
        raise AssertionError("RapidOCR tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    ocr_engines._rapidocr.cache_clear()
    try:
        instance = ocr_engines._rapidocr()
        get_engine("rapidocr").read_cell(_crop(LINE_CROP))  # the models load lazily, on first use
    finally:
        ocr_engines._rapidocr.cache_clear()  # drop the instance made under the patch
    bundled = (rapidocr.__path__[0] + "/models/").replace("\\", "/")
    for stage in ("Det", "Rec"):
        assert str(instance.cfg[stage].model_path).replace("\\", "/").startswith(bundled)
