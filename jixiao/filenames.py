"""File names as text: readable everywhere, exact where it matters.

POSIX file names are bytes. Python gives a name that is not valid UTF-8 (a
GBK name, as unzip leaves the archives made on Chinese Windows) as a ``str``
with lone surrogates, which is lossless but cannot be written to Parquet,
JSON or a terminal. :func:`readable` turns such a name into text a person can
read — each path component decoded on its own as UTF-8, else as GB18030 (the
superset of GBK), else with ``\\xNN`` escapes — and :func:`exact_bytes` keeps
the bytes the file system holds, for the rare reader that must open it again.
"""

from __future__ import annotations

import os
from pathlib import PurePath

#: Tried in order on a path component that is not UTF-8.
FALLBACK_ENCODING = "gb18030"


def _component(raw: bytes) -> str:
    for encoding in ("utf-8", FALLBACK_ENCODING):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "backslashreplace")


def readable(path: str | os.PathLike[str] | bytes) -> str:
    """``path`` as valid Unicode text; unchanged when it already is."""
    raw = path if isinstance(path, bytes) else os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "/".join(_component(part) for part in raw.split(b"/"))


def exact_bytes(path: str | PurePath) -> bytes | None:
    """The name's bytes when :func:`readable` shows it changed; None when the
    text is the name itself."""
    raw = os.fsencode(path)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    return None


def safe_text(text: str) -> str:
    """Any text (an error message quoting a file name, say) without lone
    surrogates, so that it can be written to Parquet or printed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return readable(text.encode("utf-8", "surrogateescape"))
    return text
