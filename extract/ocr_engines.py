"""OCR engines behind one small interface, for pages without a text layer.

The scanned-page pipeline needs two reads from an engine: every text line
of a region (prose, headings, page furniture) with its box, and the whole
text of one table-cell crop. :class:`OcrEngine` is exactly that, so the
pipeline does not care which engine is installed, and engines can be
compared on the same crops (``benchmarks/ocr_engines.py``).

Two engines, each optional:

* ``rapidocr`` — PaddleOCR's PP-OCRv6 small models run by onnxruntime in
  process (the ``rapidocr`` package ships the ``.onnx`` files inside its
  wheel). It is the default: on the scanned fixture it makes far fewer
  errors than Tesseract and reads the whole document faster (docs/OCR.md
  has the figures).
* ``tesseract`` — the Tesseract CLI with Debian's ``chi_sim`` data, for
  machines where the Python wheels cannot be installed.

Nothing is ever downloaded at run time: RapidOCR is given the paths of the
model files bundled in its wheel (without a path it would fetch the default
models from the network when they are missing), and Tesseract reads the
system's tessdata.

Engines are stateless per call; their heavy parts (onnxruntime sessions,
the Tesseract language check) are created on first use and shared by the
whole process.

Speed comes from doing only the work a region needs (docs/OCR.md):

* a table cell is read by recognition alone: its text lines are cut by
  the ink's row profile (a cell holds one block of text, so no detector is
  needed to find it), and every line of every cell of a page goes to the
  recogniser in one batch (:meth:`OcrEngine.read_cells`);
* text detection runs on a copy at :data:`DET_DPI`, and the caller hands it
  only the bands of the page that hold ink;
* onnxruntime runs one thread per process (no thread pool, so nothing spins
  waiting for work): a process is one core's worth of work, and more cores
  are used by OCR-ing pages or documents in more processes. Its default
  pool bought at most 1.3x for 1.5x the CPU and lost 1.4x whenever the
  other core was busy.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import math
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np


class OcrUnavailable(Exception):
    """The requested OCR engine is not installed; the message says what to install."""


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: its ``text``, its ``box`` as (x0, top, x1,
    bottom) in the input image's pixels, and the engine's ``confidence``
    in 0..1."""

    text: str
    box: tuple[int, int, int, int]
    confidence: float


class OcrEngine(Protocol):
    """What the scanned-page pipeline needs from an OCR engine.

    Images are uint8 arrays, grayscale (H, W) or colour (H, W, 3 or 4, in
    OpenCV's BGR order). Colour is read as grey: the documents are printed
    in black, and a red seal is best removed by the caller before (docs/OCR.md).
    """

    name: str

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        """Detect and recognise every text line of a region, top to bottom
        (left to right within a row)."""

    def read_cell(self, image: np.ndarray) -> OcrLine:
        """The whole text of one table cell crop as one string (its lines
        joined, no space between CJK characters) with one confidence (that
        of its least certain line); ``""`` with confidence 1.0 when blank."""

    def read_cells(self, images: list[np.ndarray]) -> list[OcrLine]:
        """:meth:`read_cell` for many crops at once (an engine may batch them)."""


# --- shared helpers ---------------------------------------------------------------------------------------

#: White margin (as a share of the crop height, at least _MIN_PAD px) put
#: around a cell crop: both engines find text touching the image edge badly.
_PAD_SHARE = 0.25
_MIN_PAD = 8
#: A dark blob smaller than this (px) is scanner speckle, not a glyph part.
_MIN_INK_PIXELS = 10
#: A blob touching the crop's edge no thicker than this (px) is what is left
#: of a cell's rule after cropping, not a glyph.
_RULE_STUB = 4


def _gray(image: np.ndarray) -> np.ndarray:
    """Grayscale uint8 view of the input (alpha dropped)."""
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        image = image[:, :, :3]
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2GRAY)


def glyph_mask(gray: np.ndarray) -> np.ndarray:
    """Boolean mask of the crop's glyph pixels. Ink is what is much darker
    than the paper (the crop's median), so the test holds on grey paper as
    well as on binarised input; speckle and the rule stubs left at the edge
    of a cell crop are not glyphs. Blob sizes are absolute, not relative to
    the crop: a tall merged cell holds glyphs as small as a one-line cell's."""
    if gray.size == 0:
        return np.zeros(gray.shape, dtype=bool)
    height, width = gray.shape
    paper = float(np.median(gray))
    ink = (gray < min(paper - 60.0, 160.0)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(n, dtype=bool)
    for i, (x, y, w, h, area) in enumerate(stats[1:n], start=1):
        at_edge = x == 0 or y == 0 or x + w == width or y + h == height
        keep[i] = area >= _MIN_INK_PIXELS and not (at_edge and min(w, h) <= _RULE_STUB)
    return keep[labels]


def _is_blank(gray: np.ndarray) -> bool:
    """True when the crop holds no glyph. Judged before OCR because engines
    hallucinate characters in paper noise rather than return nothing."""
    return not glyph_mask(gray).any()


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a 1-D array."""
    padded = np.concatenate(([False], flags.astype(bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


#: Rows of ink closer than this share of the tallest row band belong to one
#: text line (the strokes of 二 or 三 on their own leave blank rows between).
_LINE_MERGE_SHARE = 1.15
#: White margin around a line cut for recognition, as a share of its height
#: (the recogniser was trained on detector boxes, which have such a margin).
_LINE_MARGIN_SHARE = 0.3


def cut_lines(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Text lines of a single block of text (a table cell) as (x0, top, x1,
    bottom) boxes, found from the glyph mask's row profile: lines are
    separated by blank rows. A band shorter than a line (a row of 一, the
    dots of a colon) is joined to its neighbour while the two together are
    no taller than the block's tallest band, i.e. one line."""
    bands = _runs(mask.any(axis=1))
    if not bands:
        return []
    tallest = max(b - a for a, b in bands)
    lines: list[list[int]] = []
    for top, bottom in bands:
        if lines and bottom - lines[-1][0] <= _LINE_MERGE_SHARE * tallest:
            lines[-1][1] = bottom
        else:
            lines.append([top, bottom])
    boxes = []
    for top, bottom in lines:
        cols = np.flatnonzero(mask[top:bottom].any(axis=0))
        boxes.append((int(cols[0]), top, int(cols[-1]) + 1, bottom))
    return boxes


def _line_crop(gray: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """A line's pixels with a white margin around them."""
    x0, top, x1, bottom = box
    margin = max(2, round(_LINE_MARGIN_SHARE * (bottom - top)))
    crop = gray[top:bottom, x0:x1]
    return cv2.copyMakeBorder(crop, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=255)


def _pad(gray: np.ndarray) -> tuple[np.ndarray, int]:
    """The crop on a white margin, and the margin's width."""
    pad = max(_MIN_PAD, int(gray.shape[0] * _PAD_SHARE))
    return cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255), pad


def _is_cjk(ch: str) -> bool:
    """CJK ideographs and fullwidth forms/punctuation: no space is written next to them."""
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF  # radicals, CJK punctuation, kana, ideographs
        or 0xF900 <= o <= 0xFAFF
        or 0xFF00 <= o <= 0xFFEF  # fullwidth forms （）：，
        or 0x2010 <= o <= 0x206F  # dashes, quotes “”, ellipsis used in Chinese text
    )


def _join(parts: list[str]) -> str:
    """Join words or wrapped lines: a space only between two non-CJK
    neighbours (``"40.00 万元"`` stays readable, ``"资 金"`` becomes ``"资金"``)."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not _is_cjk(out[-1]) and not _is_cjk(part[0]):
            out += " "
        out += part
    return out


def _reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Top to bottom; lines whose vertical centres lie within half a line
    height of each other form one row, read left to right."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2):
        if rows:
            last = rows[-1][-1]
            half_height = min(line.box[3] - line.box[1], last.box[3] - last.box[1]) / 2
            if abs((line.box[1] + line.box[3]) / 2 - (last.box[1] + last.box[3]) / 2) < half_height:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda ln: ln.box[0])]


def _cell_line(lines: list[OcrLine], height: int, width: int) -> OcrLine:
    """Lines of one cell → one OcrLine (blank when nothing was read)."""
    lines = [ln for ln in _reading_order(lines) if ln.text.strip()]
    if not lines:
        return OcrLine("", (0, 0, width, height), 1.0)
    box = (
        min(ln.box[0] for ln in lines),
        min(ln.box[1] for ln in lines),
        max(ln.box[2] for ln in lines),
        max(ln.box[3] for ln in lines),
    )
    return OcrLine(_join([ln.text for ln in lines]), box, min(ln.confidence for ln in lines))


def _unpad(line: OcrLine, pad: int, height: int, width: int) -> OcrLine:
    """A line found on a padded crop, in the crop's own pixels."""
    x0, top, x1, bottom = line.box
    box = (
        min(max(x0 - pad, 0), width),
        min(max(top - pad, 0), height),
        min(max(x1 - pad, 0), width),
        min(max(bottom - pad, 0), height),
    )
    return OcrLine(line.text, box, line.confidence)


def _read_cell(gray: np.ndarray, read: Callable[[np.ndarray], list[OcrLine]]) -> OcrLine:
    """A cell crop read by ``read`` on a white margin (engines find text
    touching the image edge badly); blank crops are not read at all."""
    height, width = gray.shape
    if _is_blank(gray):
        return OcrLine("", (0, 0, width, height), 1.0)
    padded, pad = _pad(gray)
    return _cell_line([_unpad(ln, pad, height, width) for ln in read(padded)], height, width)


#: Punctuation printed in two widths (ASCII and its fullwidth form), which a
#: recogniser tells apart badly: the glyphs are the same shape.
_TWO_WIDTHS = {ascii_: chr(ord(ascii_) + 0xFEE0) for ascii_ in "(),:;!?"}
_TWO_WIDTHS_BACK = {full: ascii_ for ascii_, full in _TWO_WIDTHS.items()}
#: Distance (in ems) between the centres of the characters either side of a
#: punctuation mark: a fullwidth mark takes a whole em cell, so its (wide)
#: neighbours stand 2–2.4 em apart; an ASCII one, 1.3–1.6 em. A narrow
#: neighbour (a digit) stands a quarter em closer; the span is corrected
#: for that before it is judged.
_FULLWIDTH_SPAN = 1.78
_HALFWIDTH_SPAN = 1.6
_NARROW_NEIGHBOUR_EM = 0.25
#: Ideograph pairs a line needs before its em can be measured.
_MIN_EM_PAIRS = 2
_OPENING, _CLOSING = "(（", ")）"


def _is_ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _width_of_pair(chars: list[str], i: int, measured: dict[int, bool]) -> bool | None:
    """The measured width of the bracket paired with bracket ``i`` in the
    line (True = fullwidth), if any: a pair is printed in one width."""
    step, mine, partner = (1, _OPENING, _CLOSING) if chars[i] in _OPENING else (-1, _CLOSING, _OPENING)
    depth, j = 0, i + step
    while 0 <= j < len(chars):
        if chars[j] in mine:
            depth += 1
        elif chars[j] in partner:
            if depth == 0:
                return measured.get(j)
            depth -= 1
        j += step
    return None


def settle_punctuation_width(text: str, positions: list[int] | list[float]) -> str:
    """Each two-width punctuation mark of a recognised line put in the width
    it was printed in, measured from where the recogniser saw each character.

    ``positions`` are the characters' positions along the line (any unit;
    one per non-space character, in order), e.g. the CTC frame each was
    decoded at. The line's em is the median step between adjacent
    ideographs (they advance one em each); a mark whose neighbours stand
    two ems apart fills a cell of its own and is fullwidth, one whose
    neighbours stand closer is ASCII. A bracket at a line end, which has
    one neighbour only, takes the width of its partner when that was
    measured. Lines with too few ideographs to measure an em, and spans in
    between, are left as read. The recogniser reads the shape right and the
    width by guess (its only prose errors on the scanned fixture,
    docs/OCR.md); the print tells."""
    chars = [ch for ch in text if not ch.isspace()]
    marks = [i for i, ch in enumerate(chars) if ch in _TWO_WIDTHS or ch in _TWO_WIDTHS_BACK]
    if not marks or len(chars) != len(positions):
        return text
    steps = [b - a for a, b, x, y in zip(positions, positions[1:], chars, chars[1:]) if _is_ideograph(x) and _is_ideograph(y)]
    em = float(np.median(steps)) if len(steps) >= _MIN_EM_PAIRS else 0.0
    if em <= 0:
        return text
    measured: dict[int, bool] = {}
    for i in marks:
        if 0 < i < len(chars) - 1:
            narrow = sum(not _is_wide(chars[j]) for j in (i - 1, i + 1))
            span = (positions[i + 1] - positions[i - 1]) / em + _NARROW_NEIGHBOUR_EM * narrow
            if span >= _FULLWIDTH_SPAN or span <= _HALFWIDTH_SPAN:
                measured[i] = span >= _FULLWIDTH_SPAN
    for i in marks:
        if i not in measured and chars[i] in _OPENING + _CLOSING:
            paired = _width_of_pair(chars, i, measured)
            if paired is not None:
                measured[i] = paired
    settled = list(chars)
    for i, full in measured.items():
        settled[i] = _TWO_WIDTHS.get(chars[i], chars[i]) if full else _TWO_WIDTHS_BACK.get(chars[i], chars[i])
    out = iter(settled)
    return "".join(ch if ch.isspace() else next(out) for ch in text)


Recognize = Callable[[list[np.ndarray]], list[tuple[str, float]]]


def read_cells_by_lines(images: list[np.ndarray], recognize: Recognize) -> list[OcrLine]:
    """Cell crops read by recognition alone: each crop's lines are cut by
    :func:`cut_lines`, and the lines of all crops go to ``recognize`` (one
    line image → its text and confidence) in one call, so an engine can
    batch them. Blank crops are not read."""
    grays = [_gray(image) for image in images]
    boxes = [cut_lines(glyph_mask(gray)) for gray in grays]
    crops = [_line_crop(gray, box) for gray, cell_boxes in zip(grays, boxes) for box in cell_boxes]
    read = iter(recognize(crops) if crops else [])
    cells = []
    for gray, cell_boxes in zip(grays, boxes):
        lines = [OcrLine(text.strip(), box, confidence) for box, (text, confidence) in zip(cell_boxes, read)]
        cells.append(_cell_line(lines, *gray.shape))
    return cells


# --- RapidOCR ---------------------------------------------------------------------------------------------

_RAPIDOCR_HINT = (
    "install the 'ocr' extra: pip install 'jixiao[ocr]' (rapidocr>=3.10, which bundles the PP-OCRv6 models, "
    "and onnxruntime)"
)
#: Model files shipped inside the rapidocr wheel (3.10 and later: PP-OCRv6 small).
_RAPIDOCR_MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}

#: Resolution text detection works at (relative to the image's, taken to
#: be the 200 dpi scans are rendered at: 0.75 of it). 10.5 pt text is then
#: 22 px tall, which the detector finds as well as at full size, for half
#: the CPU; lines are still recognised from the full-resolution image.
DET_DPI = 150
_IMAGE_DPI = 200
#: The detector needs this many pixels around text (a one-line band is
#: padded up to it, as RapidOCR pads thin images).
_DET_PAD = 16
#: The detector's threshold on a pixel's text probability (rapidocr's
#: default), also the least mean probability of a region it keeps.
_DET_PIXEL_THRESH = 0.3
#: onnxruntime threads per session (intra- and inter-op): see the module docstring.
_ORT_THREADS = 1
#: Lines recognised per onnxruntime call. Lines of similar width are batched
#: together (sorted by width before batching), so padding costs little.
_REC_BATCH = 16
#: Height lines are scaled to for recognition, and the narrowest input
#: (PP-OCR's recogniser input shape 3 x 48 x 320).
_REC_HEIGHT_PX = 48
_REC_MIN_WIDTH_PX = 320
#: Pixel columns (lines in a call x the widest of them, at the recogniser's
#: height) in one onnxruntime call. Its working memory grows with that
#: product, about 65 MB per page-wide line: sixteen prose lines in one call
#: took a worker past 1 GB. Two page-wide lines, or twelve table cells, fit;
#: wide lines gain nothing from batching (measured: 0.15 s a line alone,
#: 0.21 s a line sixteen at a time).
_REC_BATCH_COLUMNS = 4096


def _rapidocr_models() -> dict[str, str] | None:
    """RapidOCR config key → path of the model bundled in the installed
    rapidocr wheel; None when rapidocr, onnxruntime or a model file is
    missing (an older rapidocr ships other models). Found without importing
    rapidocr, so asking what is installed stays cheap."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations or importlib.util.find_spec("onnxruntime") is None:
        return None
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    paths = {key: models / filename for key, filename in _RAPIDOCR_MODELS.items()}
    if not all(path.is_file() for path in paths.values()):
        return None
    return {key: str(path) for key, path in paths.items()}


def _rapidocr_installed() -> bool:
    return _rapidocr_models() is not None


@functools.cache
def _rapidocr() -> Any:
    """The process's one RapidOCR instance (onnxruntime sessions are costly
    to create and safe to share between threads).

    Every model path is given explicitly: rapidocr resolves a missing path
    to a download URL, and jixiao must never touch the network. The text
    direction classifier is off: scans of these documents are upright, and
    it would cost time on every line. jixiao calls the detector and the
    recogniser itself (:class:`RapidOcrEngine`), so it chooses the
    resolution detection sees and batches recognition across regions.
    """
    models = _rapidocr_models()
    if models is None:
        raise OcrUnavailable(f"RapidOCR is not installed: {_RAPIDOCR_HINT}")
    import rapidocr

    params: dict[str, Any] = {
        "Global.log_level": "error",  # not a warning per blank region
        "Global.use_cls": False,
        # Detection never rescales the copy it is given (DET_DPI is applied
        # before); the defaults would upscale a small image until its short
        # side is 736 px (a 40 px crop 18x: 1.5 s and a fifth of its text lost).
        "Det.limit_type": "max",
        "Det.limit_side_len": 1 << 15,
        # A region is kept when its pixels pass the detector's own text threshold;
        # the recogniser's score then judges it. The default box score (0.5)
        # drops short isolated items the recogniser reads at 0.99: a table of
        # contents' numbering (二、) and page numbers beyond dot leaders.
        "Det.box_thresh": _DET_PIXEL_THRESH,
        "Det.thresh": _DET_PIXEL_THRESH,
        "Rec.rec_batch_num": _REC_BATCH,
        "EngineConfig.onnxruntime.intra_op_num_threads": _ORT_THREADS,
        "EngineConfig.onnxruntime.inter_op_num_threads": _ORT_THREADS,
        # onnxruntime's own arena: without it every call's buffers go through malloc and are faulted in
        # afresh (measured on the scan: 4x the system time, the same peak memory)
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
        **models,
    }
    return rapidocr.RapidOCR(params=params)


def _rapidocr_stages() -> tuple[Any, Any]:
    """RapidOCR's detector and recogniser, loaded on first use. RapidOCR's
    own ``__call__`` runs both on one image; jixiao needs them apart (a
    detector copy at another resolution, recognition batched over many
    regions), which its lazy loaders give (rapidocr is pinned < 4)."""
    engine = _rapidocr()
    return engine._load_det_model(), engine._load_rec_model()


def recognition_batches(shapes: list[tuple[int, int]]) -> list[list[int]]:
    """Indices of line images (``shapes``: height, width) grouped for the
    recogniser: in order of width at the recogniser's height, each group at
    most :data:`_REC_BATCH` lines and, where it holds more than one,
    at most :data:`_REC_BATCH_COLUMNS` columns (lines x the widest), which
    bounds the call's working memory."""

    def columns(shape: tuple[int, int]) -> int:
        height, width = shape
        return max(_REC_MIN_WIDTH_PX, math.ceil(_REC_HEIGHT_PX * width / max(height, 1)))

    batches: list[list[int]] = []
    current: list[int] = []
    widest = 0
    for i in sorted(range(len(shapes)), key=lambda i: columns(shapes[i])):
        width = columns(shapes[i])
        if current and (len(current) == _REC_BATCH or (len(current) + 1) * max(widest, width) > _REC_BATCH_COLUMNS):
            batches.append(current)
            current, widest = [], 0
        current.append(i)
        widest = max(widest, width)
    if current:
        batches.append(current)
    return batches


class RapidOcrEngine:
    """PP-OCRv6 (small) detection + recognition via RapidOCR and onnxruntime."""

    name = "rapidocr"

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        gray = _gray(image)
        boxes = self._detect(gray)
        crops = [gray[top:bottom, x0:x1] for x0, top, x1, bottom in boxes]
        lines = [OcrLine(text.strip(), box, score)
                 for box, (text, score) in zip(boxes, self.recognize(crops) if crops else [])]
        return _reading_order([ln for ln in lines if ln.text and ln.confidence >= _rapidocr().text_score])

    def read_cell(self, image: np.ndarray) -> OcrLine:
        return self.read_cells([image])[0]

    def read_cells(self, images: list[np.ndarray]) -> list[OcrLine]:
        return read_cells_by_lines(images, self.recognize)

    @staticmethod
    def recognize(crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence of each line image, in batches of lines of
        similar width bounded by :data:`_REC_BATCH_COLUMNS`."""
        from rapidocr.ch_ppocr_rec import TextRecInput

        _, recognizer = _rapidocr_stages()
        lines: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for batch in recognition_batches([crop.shape[:2] for crop in crops]):
            bgr = [cv2.cvtColor(_gray(crops[i]), cv2.COLOR_GRAY2BGR) for i in batch]
            result = recognizer(TextRecInput(img=bgr, return_word_box=True))
            for i, text, score, words in zip(batch, result.txts, result.scores, result.word_results):
                columns = [col for cols in (words.word_cols if words else []) for col in cols]
                lines[i] = (settle_punctuation_width(text, columns), float(score))
        return lines

    @staticmethod
    def _detect(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Text line boxes (x0, top, x1, bottom) in the image's pixels, found
        on a white-padded copy at DET_DPI."""
        detector, _ = _rapidocr_stages()
        height, width = gray.shape
        scale = DET_DPI / _IMAGE_DPI
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        small = cv2.copyMakeBorder(small, _DET_PAD, _DET_PAD, _DET_PAD, _DET_PAD, cv2.BORDER_CONSTANT, value=255)
        found = detector(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
        if found.boxes is None:
            return []
        boxes = []
        for quad in found.boxes:
            xs, ys = (quad[:, 0] - _DET_PAD) / scale, (quad[:, 1] - _DET_PAD) / scale
            box = (int(max(0, np.floor(xs.min()))), int(max(0, np.floor(ys.min()))),
                   int(min(width, np.ceil(xs.max()))), int(min(height, np.ceil(ys.max()))))
            if box[2] > box[0] and box[3] > box[1]:
                boxes.append(box)
        return boxes


# --- Tesseract --------------------------------------------------------------------------------------------

_TESSERACT_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"
#: Page segmentation modes: a region may hold lines of different sizes
#: (headings, body), so it is read as one column of variable-size text; a
#: cell is one uniform block.
_PSM_REGION = 4
_PSM_CELL = 6
#: Tesseract's TSV level of a word row.
_WORD_LEVEL = 5


@functools.cache
def _tesseract_languages() -> frozenset[str]:
    """Installed Tesseract languages (empty when Tesseract is missing)."""
    exe = shutil.which("tesseract")
    if exe is None:
        return frozenset()
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False).stdout
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def _tesseract_installed() -> bool:
    return "chi_sim" in _tesseract_languages()


class TesseractEngine:
    """Tesseract 5 (LSTM) with ``chi_sim``, run as a subprocess per call."""

    name = "tesseract"

    def __init__(self) -> None:
        if not _tesseract_installed():
            found = "without chi_sim" if shutil.which("tesseract") else "not installed"
            raise OcrUnavailable(f"Tesseract is {found}: {_TESSERACT_HINT}")

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        return _reading_order(self._read(_gray(image), _PSM_REGION))

    def read_cell(self, image: np.ndarray) -> OcrLine:
        return _read_cell(_gray(image), lambda padded: self._read(padded, _PSM_CELL))

    def read_cells(self, images: list[np.ndarray]) -> list[OcrLine]:
        """One Tesseract run per cell (psm 6 reads a cell's lines itself)."""
        return [self.read_cell(image) for image in images]

    @staticmethod
    def _read(gray: np.ndarray, psm: int) -> list[OcrLine]:
        """Run the CLI on the image (PNG through stdin, TSV on stdout) and
        gather its words into lines. One OpenMP thread: with its default
        threads Tesseract took 2x the time on cells and 5x on pages here."""
        ok, png = cv2.imencode(".png", gray)
        if not ok:
            raise ValueError("image could not be encoded for Tesseract")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        proc = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", str(psm), "tsv"],
            input=png.tobytes(), capture_output=True, env=env, check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"tesseract failed: {proc.stderr.decode(errors='replace').strip()}")
        words: dict[tuple[int, int, int], list[dict[str, str]]] = {}
        tsv = io.StringIO(proc.stdout.decode("utf-8"))
        for row in csv.DictReader(tsv, delimiter="\t", quoting=csv.QUOTE_NONE):
            if int(row["level"]) == _WORD_LEVEL and float(row["conf"]) >= 0 and (row["text"] or "").strip():
                line_id = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
                words.setdefault(line_id, []).append(row)
        lines = []
        for group in words.values():
            x0 = min(int(w["left"]) for w in group)
            top = min(int(w["top"]) for w in group)
            x1 = max(int(w["left"]) + int(w["width"]) for w in group)
            bottom = max(int(w["top"]) + int(w["height"]) for w in group)
            chars = sum(len(w["text"].strip()) for w in group)
            confidence = sum(float(w["conf"]) * len(w["text"].strip()) for w in group) / chars / 100.0
            text = _join([w["text"] for w in group])
            lines.append(OcrLine(text, (x0, top, x1, bottom), round(confidence, 4)))
        return lines


# --- registry ---------------------------------------------------------------------------------------------

#: name → (is it installed, engine factory, what to install); best first
#: (by CER on the scanned fixture, see docs/OCR.md).
_ENGINES: dict[str, tuple[Callable[[], bool], Callable[[], OcrEngine], str]] = {
    "rapidocr": (_rapidocr_installed, RapidOcrEngine, _RAPIDOCR_HINT),
    "tesseract": (_tesseract_installed, TesseractEngine, _TESSERACT_HINT),
}


def available_engines() -> list[str]:
    """Names of the installed engines, best first."""
    return [name for name, (installed, _, _) in _ENGINES.items() if installed()]


def get_engine(name: str | None = None) -> OcrEngine:
    """The named engine, or the best installed one when ``name`` is None.

    Raises :class:`OcrUnavailable` naming what to install when the engine
    (or, for None, every engine) is missing, or the name is unknown.
    """
    hints = "; or ".join(f"{n}: {hint}" for n, (_, _, hint) in _ENGINES.items())
    if name is None:
        installed = available_engines()
        if not installed:
            raise OcrUnavailable(f"no OCR engine is installed — {hints}")
        name = installed[0]
    if name not in _ENGINES:
        raise OcrUnavailable(f"unknown OCR engine {name!r} (known: {', '.join(_ENGINES)}) — {hints}")
    installed_fn, cls, hint = _ENGINES[name]
    if not installed_fn():
        raise OcrUnavailable(f"OCR engine {name!r} is not installed: {hint}")
    return cls()
