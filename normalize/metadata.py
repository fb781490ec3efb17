"""Who published the document and for which year, from its own text.

The cover of a 绩效文本 names the department (…编制), the reviewing finance
office (河北省财政厅审核) and the year (2023 年绩效文本). A corpus
manifest can override any of these (see ``jixiao.corpus``).
"""

from __future__ import annotations

import re

from jixiao.model import BlockKind, Document

from .records import DocumentMeta

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_PROVINCE = re.compile(r"([\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,5}自治区|北京市|天津市|上海市|重庆市)")
_CITY = re.compile(r"([\u4e00-\u9fff]{2,4}?市)")
_COMPILED_BY = re.compile(r"^(.+?)\s*编制$")
_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS.sub("", text)


def document_meta(document: Document) -> DocumentMeta:
    cover = [_squash(b.text) for b in document.blocks_of(BlockKind.COVER)]
    headings = [_squash(b.text) for b in document.blocks_of(BlockKind.HEADING)]
    department = next((m.group(1) for line in cover if (m := _COMPILED_BY.match(line))), None)
    if department is None and cover:
        department = cover[0]
    end = next((i for i, line in enumerate(cover) if line.endswith(("编制", "审核"))), len(cover))
    title_lines = cover[:end]
    title = " ".join(title_lines) or document.source.title
    year = next((int(m.group(1)) for text in cover + headings[:5] if (m := _YEAR.search(text))), None)
    province = next((m.group(1) for text in cover if (m := _PROVINCE.search(text))), None)
    city = None
    if department:
        m = _CITY.search(department)
        city = m.group(1) if m else None
    return DocumentMeta(title=title, province=province, city=city, department=department, year=year)
