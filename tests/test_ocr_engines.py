"""OCR engines: each installed engine reads real scan crops; the registry
picks the default and says what to install when an engine is missing.

Crops come from the scanned fixture rendered at its own 200 dpi (no
deskew: a single line's 0.7° skew is within what both engines read).
Engines that are not installed are skipped with the reason.
"""

from __future__ import annotations

import json
import socket
from functools import cache

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


@cache
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


# --- the parts of the fast path, on hand-made inputs ------------------------------------------------------


def _mask(height: int, width: int, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    mask = np.zeros((height, width), dtype=bool)
    for x0, top, x1, bottom in boxes:
        mask[top:bottom, x0:x1] = True
    return mask


def test_lines_are_cut_at_blank_rows() -> None:
    """Two text lines 30 px tall, 12 px apart; the strokes of a lone 二
    (two bars with blank rows between) stay one line."""
    mask = _mask(140, 300, [(10, 5, 200, 35), (10, 47, 120, 77), (20, 95, 50, 101), (18, 115, 52, 122)])
    assert ocr_engines.cut_lines(mask) == [(10, 5, 200, 35), (10, 47, 120, 77), (18, 95, 52, 122)]


def test_cells_are_read_in_one_batch() -> None:
    """Every line of every cell goes to the recogniser in one call; a blank
    cell is not read; a cell's lines are joined without a space between CJK."""
    calls: list[int] = []

    def recognize(crops: list[np.ndarray]) -> list[tuple[str, float]]:
        calls.append(len(crops))
        return [("第一行", 0.9), ("第二行", 0.8), ("40.00", 0.99)][: len(crops)]

    white = np.full((120, 400), 255, dtype=np.uint8)
    two_lines, blank, one_line = white.copy(), white.copy(), white.copy()
    two_lines[10:40, 20:300] = 0
    two_lines[60:90, 20:200] = 0
    one_line[40:70, 50:150] = 0
    cells = ocr_engines.read_cells_by_lines([two_lines, blank, one_line], recognize)
    assert calls == [3]
    assert [(c.text, c.confidence) for c in cells] == [("第一行第二行", 0.8), ("", 1.0), ("40.00", 0.99)]


@pytest.mark.parametrize(
    ("text", "positions", "expected"),
    [
        # fullwidth brackets: each fills an em cell (em = 5 frames)
        ("目标(一)土地", [2.5, 7.5, 13.75, 17.5, 21.25, 27.5, 32.5], "目标（一）土地"),
        # ASCII brackets: the neighbours stand 1.3 em apart
        ("目标（一）土地", [2.5, 7.5, 11.0, 14.2, 17.5, 20.8, 25.8], "目标(一)土地"),
        # a line-start bracket takes the width its partner was measured at
        ("(三）地籍科", [3.75, 7.5, 11.25, 17.5, 22.5, 27.5], "（三）地籍科"),
        # a digit neighbour is a quarter em closer
        ("总体规划(2021", [2.5, 7.5, 12.5, 17.5, 23.75, 26.25, 28.75, 31.25, 33.75], "总体规划（2021"),
        ("总体规划（2021", [2.5, 7.5, 12.5, 17.5, 21.0, 23.3, 25.8, 28.3, 30.8], "总体规划(2021"),
        ("绩效目标:有效", [2.5, 7.5, 12.5, 17.5, 21.0, 27.5, 32.5], "绩效目标：有效"),
        # no em to measure (one ideograph pair): left as read
        ("40.00(万元)", [1, 2, 3, 4, 5, 6, 8, 13, 15], "40.00(万元)"),
        # spaces are kept where they were
        ("Total 目标 (一) 土地", [1, 2, 3, 4, 5, 10, 15, 21.25, 25, 28.75, 35, 40], "Total 目标 （一） 土地"),
    ],
)
def test_punctuation_width_is_read_from_the_print(text: str, positions: list[float], expected: str) -> None:
    assert ocr_engines.settle_punctuation_width(text, positions) == expected


def test_onnxruntime_runs_one_thread_per_process() -> None:
    if "rapidocr" not in available_engines():
        pytest.skip("OCR engine 'rapidocr' is not installed (see docs/OCR.md)")
    for stage in ocr_engines._rapidocr_stages():
        options = stage.session.session.get_session_options()
        assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)


def test_page_text_is_detected_on_the_bands_that_hold_ink() -> None:
    """Two paragraphs far apart are two bands, each cut to its ink's columns
    with a margin; the lines of a paragraph are one band; specks are not text."""
    from jixiao.extract.scan_image import PageImage, ink_bands

    ink = np.zeros((1000, 800), dtype=np.uint8)
    ink[100:130, 100:700] = 255  # paragraph 1, line 1
    ink[150:180, 100:500] = 255  # paragraph 1, line 2 (20 px below: same band)
    ink[600:630, 300:400] = 255  # a heading far below
    ink[900:902, 50:52] = 255  # a speck
    image = PageImage(gray=255 - ink, ink=ink, scale=200 / 72, skew_degrees=0.0)
    margin = int(8 * 200 / 72)
    assert ink_bands(image, ink) == [
        (100 - margin, 100 - margin, 700 + margin, 180 + margin),
        (300 - margin, 600 - margin, 400 + margin, 630 + margin),
    ]


def test_recognition_batches_bound_the_columns_of_a_call() -> None:
    """Narrow cells share a call twelve at a time; page-wide prose lines two at a time
    (a call's memory grows with lines x the widest); every line is in one
    batch, batches in order of width."""
    from jixiao.extract.ocr_engines import recognition_batches

    cells = [(40, 120)] * 30  # 48 x 120/40 = 144 columns, padded to the recogniser's 320: twelve in 4,096
    assert [len(b) for b in recognition_batches(cells)] == [12, 12, 6]
    prose = [(40, 1200)] * 5  # 1,440 columns each: two fit in 4,096
    assert [len(b) for b in recognition_batches(prose)] == [2, 2, 1]
    mixed = [(40, 1200), (40, 120), (40, 5000)]  # a line wider than the budget is read alone
    batches = recognition_batches(mixed)
    assert sorted(i for b in batches for i in b) == [0, 1, 2]
    assert batches == [[1, 0], [2]]
    assert recognition_batches([]) == []
