"""Does a rebuilt document say what its source says?

Both texts are compared with all whitespace removed: line breaks, the page-
break splits of the published text and the spacing a PDF producer puts
around Latin runs are layout, not content. The similarity is the normalised
Indel similarity (rapidfuzz); the differences are reported as the first few
edit spans with some context on each side, so a failing regression check
says where the rebuild went wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Indel, Levenshtein

_WS = re.compile(r"\s+")
_CONTEXT = 20


def squash(text: str) -> str:
    return _WS.sub("", text)


@dataclass(frozen=True)
class Difference:
    offset: int  # position in the whitespace-free source
    source: str  # the source's text around the difference
    rebuilt: str  # the rebuild's text around it


@dataclass(frozen=True)
class Verification:
    similarity: float
    differences: list[Difference]
    source_chars: int
    rebuilt_chars: int

    @property
    def identical(self) -> bool:
        return not self.differences

    def report(self, limit: int = 5) -> str:
        lines = [
            f"similarity {self.similarity:.6f} ({self.source_chars} source chars, {self.rebuilt_chars} rebuilt chars, "
            "whitespace removed)"
        ]
        if self.identical:
            lines.append("identical after whitespace removal")
        for d in self.differences[:limit]:
            lines += [f"@@ char {d.offset} @@", f"- {d.source}", f"+ {d.rebuilt}"]
        if len(self.differences) > limit:
            lines.append(f"... {len(self.differences) - limit} more differences")
        return "\n".join(lines)


def verify_text(rebuilt: str, source: str) -> Verification:
    """Compare two texts with whitespace removed; ``**`` bold markers count,
    so a bold run lost in the rebuild is a difference."""
    a, b = squash(source), squash(rebuilt)
    differences = []
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        differences.append(
            Difference(
                offset=op.src_start,
                source=_window(a, op.src_start, op.src_end),
                rebuilt=_window(b, op.dest_start, op.dest_end),
            )
        )
    return Verification(
        similarity=Indel.normalized_similarity(a, b),
        differences=differences,
        source_chars=len(a),
        rebuilt_chars=len(b),
    )


def _window(text: str, start: int, end: int) -> str:
    left = text[max(0, start - _CONTEXT) : start]
    right = text[end : end + _CONTEXT]
    return f"…{left}[{text[start:end]}]{right}…"
