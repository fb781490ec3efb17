"""Printed values → typed values: amounts, shares, indicator targets, periods.

Everything here takes the printed text and returns ``None`` when the text
does not say what is asked; a blank is never 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .records import ValueKind

_WS = re.compile(r"\s+")
_NUMBER = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?"
_AMOUNT = re.compile(rf"^(?:{_NUMBER})$")
_PERCENT = re.compile(rf"^({_NUMBER})\s*[%％]$")
_CENT = Decimal("0.01")

# Comparators, as symbols or words, before or after the number.
_OP_PREFIX = [
    ("≥", ("≥", "≧", ">=", "＞＝", "不低于", "不少于", "不小于", "至少", "达到", "大于等于", "大于或等于")),
    ("≤", ("≤", "≦", "<=", "＜＝", "不超过", "不高于", "不多于", "不大于", "小于等于", "小于或等于", "控制在")),
    (">", (">", "＞", "大于", "高于", "超过", "多于")),
    ("<", ("<", "＜", "小于", "低于", "少于")),
    ("=", ("=", "＝", "等于")),
]
_OP_SUFFIX = [
    ("≥", ("以上", "及以上", "或以上")),
    ("≤", ("以下", "以内", "及以下", "或以下")),
]
#: Words that name a unit or a quantity rather than give a value (百分比 in
#: the 指标值 column is a template left unfilled).
_NOT_A_VALUE = frozenset(
    {"百分比", "百分率", "比例", "比率", "数量", "数值", "个数", "人数", "次数", "金额", "万元", "元", "%", "％", "天", "个", "人", "次"}
)
_DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日")
_MAX_UNIT_CHARS = 10
#: A rate's unit carries its base: 10/10万 (per 100,000), 4.5/1000.
_RATE = re.compile(r"^/\d+[万千百]?[\u4e00-\u9fff]*$")


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def squash(text: str | None) -> str:
    return _WS.sub("", text or "")


def parse_amount(text: str | None) -> Decimal | None:
    """'1,250.00' → Decimal('1250.00'); anything else (blank, words) → None."""
    s = squash(text)
    if not _AMOUNT.match(s):
        return None
    try:
        return Decimal(s.replace(",", "")).quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None


def parse_percent(text: str | None) -> Decimal | None:
    """'50%' → Decimal('50.00'); blank → None."""
    m = _PERCENT.match(squash(text))
    if not m:
        return None
    return Decimal(m.group(1).replace(",", "")).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ParsedValue:
    op: str | None
    num: float | None
    unit: str | None
    kind: ValueKind
    not_a_value: bool = False


def _strip_prefix(s: str) -> tuple[str | None, str]:
    for op, words in _OP_PREFIX:
        for w in sorted(words, key=len, reverse=True):
            if s.startswith(w):
                return op, s[len(w) :]
    return None, s


def _strip_suffix(s: str) -> tuple[str | None, str]:
    for op, words in _OP_SUFFIX:
        for w in sorted(words, key=len, reverse=True):
            if s.endswith(w):
                return op, s[: -len(w)]
    return None, s


def parse_indicator_value(text: str | None) -> ParsedValue:
    """Split a 指标值 into comparator, number and unit.

    '≥90%' → (≥, 90, %); '90%以上' → (≥, 90, %); '95%' → (=, 95, %);
    '=650元/生·年' → (=, 650, 元/生·年); '≤10/10万' → (≤, 10, /10万).
    A text that is not one comparison with one number (有力支撑, dates,
    '较上年减少5%以上') is qualitative; a unit word alone is flagged."""
    s = squash(text)
    if not s:
        return ParsedValue(None, None, None, ValueKind.BLANK)
    if s in _NOT_A_VALUE:
        return ParsedValue(None, None, None, ValueKind.QUALITATIVE, not_a_value=True)
    if _DATE.search(s):
        return ParsedValue(None, None, None, ValueKind.QUALITATIVE)
    op_pre, rest = _strip_prefix(s)
    op_post, rest = _strip_suffix(rest)
    if op_pre and op_post and op_pre != op_post:
        return ParsedValue(None, None, None, ValueKind.QUALITATIVE)
    m = re.match(rf"^({_NUMBER})(.*)$", rest)
    if not m:
        return ParsedValue(None, None, None, ValueKind.QUALITATIVE)
    number, unit = m.group(1), m.group(2)
    if len(unit) > _MAX_UNIT_CHARS or re.search(r"[，,；;、]", unit) or (_has_digit(unit) and not _RATE.match(unit)):
        return ParsedValue(None, None, None, ValueKind.QUALITATIVE)
    return ParsedValue(
        op=op_pre or op_post or "=",
        num=float(number.replace(",", "")),
        unit=unit.replace("％", "%") or None,
        kind=ValueKind.QUANTITATIVE,
    )


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
_MONTH_END = re.compile(r"^(\d{1,2})月(?:底|末|份)?$")
_QUARTER = re.compile(r"^第?([一二三四1-4])季度?(?:末|底)?$")
_HALF = {"上半年": 6, "下半年": 12, "全年": 12, "年底": 12, "年末": 12}


def period_end_month(label: str) -> int | None:
    """'3月底' → 3, '第二季度' → 6, '一季度' → 3, '上半年' → 6; unknown → None."""
    s = squash(label)
    m = _MONTH_END.match(s)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    m = _QUARTER.match(s)
    if m:
        q = m.group(1)
        return 3 * (_CN_DIGITS.get(q) or int(q))
    return _HALF.get(s)


def is_total_label(label: str) -> bool:
    """A 全年 / 合计 column sums the periods; it is not a period."""
    return squash(label) in ("全年", "合计", "总计", "小计")
