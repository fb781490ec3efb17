"""Who published the document, where, and for which year, from its own text.

The cover of a 绩效文本 names the department (…编制), often the reviewing
finance office (河北省财政厅审核) and the year (2023 年绩效文本). The place is
read from the department's name and the cover with the gazetteer of
:mod:`jixiao.normalize.places`: 德阳市教育局 gives 德阳市, and the
gazetteer gives its province (四川省), which the document may never print —
``printed`` says, for each field, whether the document prints it or it was
inferred. A county the gazetteer does not know (a name changed since its
data was made) is still read from the head of the department's name.
A corpus manifest can override any of these (see ``jixiao.corpus``).
"""

from __future__ import annotations

import re

from jixiao.model import BlockKind, Document

from . import places
from .records import DocumentMeta

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_COMPILED_BY = re.compile(r"^(.+?)\s*编制$")
#: A county-level name at the head of a department's name (某县教育局).
_LEADING_COUNTY = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:自治县|自治旗|县|旗))")
#: Township-level words in a department's name.
_TOWNSHIP = re.compile(r"^[\u4e00-\u9fff]{1,5}?(?:乡|镇|街道)(?:人民政府|政府|办事处|财政所)")
_WS = re.compile(r"\s+")
_COMPILER_WORDS = ("编制", "审核", "编印", "印发", "制")
_DATE_LINE = re.compile(r"^(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d〇零一二三四五六七八九十]{1,3}月(?:\d{1,2}日)?$")
_LEVELS = ("province", "city", "county")


def _squash(text: str) -> str:
    return _WS.sub("", text)


def _ends_title(line: str, before: list[str]) -> bool:
    """The cover's title ends at the compiler's line (…编制, …审核, …编印),
    the date line (二〇二三年二月) or the department's name printed again."""
    return line.endswith(_COMPILER_WORDS) or bool(_DATE_LINE.match(line)) or line in before


def document_meta(document: Document) -> DocumentMeta:
    cover = [_squash(b.text) for b in document.blocks_of(BlockKind.COVER)]
    headings = [_squash(b.text) for b in document.blocks_of(BlockKind.HEADING)]
    everything = "".join(_squash(b.text) for b in document.blocks) + "".join(
        _squash(c.text) for t in document.tables for c in t.cells)
    department = next((m.group(1) for line in cover if (m := _COMPILED_BY.match(line))), None)
    if department is None and cover:
        department = cover[0]
    end = next((i for i, line in enumerate(cover) if _ends_title(line, cover[:i])), len(cover))
    title = "".join(cover[:end]) or document.source.title
    year = next((int(m.group(1)) for text in cover + headings[:5] if (m := _YEAR.search(text))), None)
    meta = DocumentMeta(title=title, department=department, year=year)
    if department:
        meta.printed["department"] = True
    if year is not None:
        meta.printed["year"] = True
    _place(meta, department or "", "".join(cover), everything)
    return meta


def _place(meta: DocumentMeta, department: str, cover: str, everything: str) -> None:
    """Province, city, county and level from the department's name (else the
    cover), each marked printed when its name appears in the document."""
    try:
        own = [name for _, name in places.find_names(department)]
        context = [name for _, name in places.find_names(cover)]
    except places.GazetteerMissing:
        own, context = [], []
    place = places.resolve(own, context) or places.resolve(context, [])
    chain = places.ancestors(place) if place is not None else []
    for found in chain:
        setattr(meta, _LEVELS[found.rank], found.name)
        meta.printed[_LEVELS[found.rank]] = found.name in everything
    county = _LEADING_COUNTY.match(department.removeprefix(meta.city or "").removeprefix(meta.province or ""))
    if meta.county is None and county:
        meta.county = county.group(1)
        meta.printed["county"] = True
    if meta.county is not None:
        meta.level = "township" if _TOWNSHIP.match(department.split(meta.county, 1)[-1]) else "county"
    elif meta.city is not None:
        meta.level = "city"
    elif meta.province is not None:
        meta.level = "province"
