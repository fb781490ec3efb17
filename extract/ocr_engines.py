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
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import os
import shutil
import subprocess
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


def _is_blank(gray: np.ndarray) -> bool:
    """True when the crop holds no glyph. Judged before OCR because engines
    hallucinate characters in paper noise rather than return nothing. Ink is
    what is much darker than the paper (the crop's median), so the test holds
    on grey paper as well as on binarised input; speckle and rule stubs at
    the edge do not count. Blob sizes are absolute, not relative to the crop:
    a tall merged cell holds glyphs as small as a one-line cell's."""
    if gray.size == 0:
        return True
    height, width = gray.shape
    paper = float(np.median(gray))
    ink = (gray < min(paper - 60.0, 160.0)).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    for x, y, w, h, area in stats[1:n]:
        at_edge = x == 0 or y == 0 or x + w == width or y + h == height
        if area >= _MIN_INK_PIXELS and not (at_edge and min(w, h) <= _RULE_STUB):
            return False
    return True


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

#: Longest side (px) of an image RapidOCR works on; larger ones are shrunk.
#: An A4 page at 300 dpi is 3508 px.
_MAX_SIDE = 4000
#: Longest side (px) of the copy text detection runs on.
_DET_MAX_SIDE = 2000


def _rapidocr_models() -> dict[str, str] | None:
    """RapidOCR config key → path of the model bundled in the installed
    rapidocr wheel; None when rapidocr, onnxruntime or a model file is
    missing (an older rapidocr ships other models). Found without importing
    rapidocr, so asking what is installed stays cheap."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations or importlib.util.find_spec("onnxruntime") is None:
        return None
    models = Path(list(spec.submodule_search_locations)[0]) / "models"
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
    it would cost time on every line.
    """
    models = _rapidocr_models()
    if models is None:
        raise OcrUnavailable(f"RapidOCR is not installed: {_RAPIDOCR_HINT}")
    import rapidocr

    params: dict[str, Any] = {
        "Global.log_level": "error",  # not a warning per blank region
        "Global.use_cls": False,
        # The defaults upscale an image until its short side is 736 px before
        # detection (a 40 px cell crop 18x: 1.5 s a cell and a fifth of the
        # characters lost) and shrink every image to 2000 px before anything.
        # Here detection never upscales and sees at most _DET_MAX_SIDE px (as
        # accurate on a page as full size, in half the time), while lines are
        # recognised from the image at full resolution.
        "Global.max_side_len": _MAX_SIDE,
        "Det.limit_type": "max",
        "Det.limit_side_len": _DET_MAX_SIDE,
        **models,
    }
    return rapidocr.RapidOCR(params=params)


class RapidOcrEngine:
    """PP-OCRv6 (small) detection + recognition via RapidOCR and onnxruntime."""

    name = "rapidocr"

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        gray = _gray(image)
        return _reading_order(self._read(gray))

    def read_cell(self, image: np.ndarray) -> OcrLine:
        return _read_cell(_gray(image), self._read)

    @staticmethod
    def _read(gray: np.ndarray) -> list[OcrLine]:
        result = _rapidocr()(gray)
        if result.boxes is None or result.txts is None:
            return []
        height, width = gray.shape
        lines = []
        for quad, text, score in zip(result.boxes, result.txts, result.scores):
            xs, ys = quad[:, 0], quad[:, 1]
            box = (
                int(max(0, np.floor(xs.min()))),
                int(max(0, np.floor(ys.min()))),
                int(min(width, np.ceil(xs.max()))),
                int(min(height, np.ceil(ys.max()))),
            )
            lines.append(OcrLine(text.strip(), box, float(score)))
        return [ln for ln in lines if ln.text]


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
