"""Printed values → typed values: amounts, shares, indicator targets, periods.

Everything here takes the printed text and returns ``None`` when the text
does not say what is asked; a blank is never 0. Amounts are converted to
万元 exactly: 元 ÷ 10000 keeps every decimal (``1,302,720.00`` 元 →
``130.272``), and a result never has fewer than two places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .records import ValueKind
from .vocabulary import NOT_A_VALUE, OP_SUFFIXES, OP_WORDS, UNIT_FACTORS

_WS = re.compile(r"\s+")
_NUMBER = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?"
_AMOUNT = re.compile(rf"^(?:{_NUMBER})$")
_UNIT_WORDS = "|".join(sorted(UNIT_FACTORS, key=len, reverse=True))
#: An amount that carries its unit: 486.30万元, 0万元, 3,256,800.00元.
_AMOUNT_WITH_UNIT = re.compile(rf"^({_NUMBER})({_UNIT_WORDS})?$")
#: A unit in a label's bracket: 项目资金（元）, 预算金额(单位：万元).
_BRACKET_UNIT = re.compile(rf"[（(]\s*(?:金额)?(?:单位[:：])?\s*({_UNIT_WORDS})\s*[）)]")
_BRACKET_PERCENT = re.compile(r"[（(]\s*[%％]\s*[）)]")
_PERCENT = re.compile(rf"^({_NUMBER})\s*[%％]$")
_CENT = Decimal("0.01")
#: 万元 to six places is 元 to the fen: finer digits are not money.
_FEN_IN_WAN = Decimal("0.000001")
_DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日")
_MAX_UNIT_CHARS = 10
#: A rate's unit carries its base: 10/10万 (per 100,000), 4.5/1000.
_RATE = re.compile(r"^/\d+[万千百]?[\u4e00-\u9fff]*$")

def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def squash(text: str | None) -> str:
    return _WS.sub("", text or "")


def wan_yuan(value: Decimal) -> Decimal:
    """An exact amount in 万元 with at least two decimal places and no
    trailing zeros beyond them: 325.680000 → 325.68, 130.2720 → 130.272."""
    value = value.quantize(_FEN_IN_WAN, rounding=ROUND_HALF_UP).normalize()
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        return value.quantize(_CENT)
    return value


def parse_amount(text: str | None) -> Decimal | None:
    """'1,250.00' → Decimal('1250.00'); anything else (blank, words) → None."""
    s = squash(text)
    if not _AMOUNT.match(s):
        return None
    try:
        return Decimal(s.replace(",", "")).quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Money:
    """A printed amount read in 万元. ``unit`` is the unit applied and
    ``unit_in_value`` says whether the cell itself printed it."""

    wan_yuan: Decimal | None
    unit: str | None
    unit_in_value: bool


def parse_money(text: str | None, unit: str | None) -> Money:
    """'3,256,800.00' in 元 → 325.68; '486.30万元' → 486.30 whatever
    ``unit`` says (a unit printed in the cell wins); blank or words → None."""
    m = _AMOUNT_WITH_UNIT.match(squash(text))
    if not m:
        return Money(None, None, False)
    printed = m.group(2)
    applied = printed or unit
    factor = UNIT_FACTORS.get(applied or "", Decimal(1))
    try:
        number = Decimal(m.group(1).replace(",", ""))
    except InvalidOperation:
        return Money(None, None, False)
    return Money(wan_yuan(number * factor), applied, printed is not None)


def label_unit(text: str | None) -> str | None:
    """The amount unit a label prints in brackets: 项目资金（元） → 元."""
    m = _BRACKET_UNIT.search(squash(text))
    return m.group(1) if m else None


def label_says_percent(text: str | None) -> bool:
    """资金支出计划（%）: the values are shares."""
    return bool(_BRACKET_PERCENT.search(squash(text)))


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


def strip_op(s: str) -> tuple[str | None, str]:
    """The comparator a text starts with (≥, 不低于, ＝…) and the rest."""
    for op, words in OP_WORDS:
        for w in sorted(words, key=len, reverse=True):
            if s.startswith(w):
                return op, s[len(w) :]
    return None, s


def _strip_suffix(s: str) -> tuple[str | None, str]:
    for op, words in OP_SUFFIXES:
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
    if s in NOT_A_VALUE:
        return ParsedValue(None, None, None, ValueKind.QUALITATIVE, not_a_value=True)
    if _DATE.search(s):
        return ParsedValue(None, None, None, ValueKind.QUALITATIVE)
    op_pre, rest = strip_op(s)
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
_PREFIX = r"(?:截至|截止到?|至|到)?"
_MONTH_END = re.compile(rf"^{_PREFIX}(?:\d{{4}}年)?(?:\d{{1,2}}[-—~至])?(\d{{1,2}})月(?:份|底|末|前|止|\d{{1,2}}日前?)?$")
_QUARTER = re.compile(rf"^{_PREFIX}第?([一二三四1-4])季度?(?:末|底)?$")
_HALF = {"上半年": 6, "下半年": 12, "全年": 12, "年底": 12, "年末": 12}
_TOTAL_LABELS = frozenset({"全年", "合计", "总计", "小计", "全年合计", "年度合计"})


def period_end_month(label: str) -> int | None:
    """'3月底' → 3, '截至9月底' → 9, '第二季度末' → 6, '一季度' → 3,
    '上半年' → 6; unknown → None."""
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
    return squash(label) in _TOTAL_LABELS


_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:年|[.\-/])\s*(?:(\d{1,2})\s*月?)?")


def parse_project_period(text: str | None) -> tuple[str | None, str | None]:
    """'2021年1月—2023年12月' → ('2021-01', '2023-12'). A year without a
    month starts in January and ends in December; one date is both ends
    only when the text names a single year."""
    found = _YEAR_MONTH.findall(squash(text))
    if not found:
        return None, None
    (y0, m0), (y1, m1) = found[0], found[-1]
    start = f"{y0}-{int(m0 or 1):02d}"
    end = f"{y1}-{int(m1 or 12):02d}"
    if len(found) == 1 and m0:
        end = start
    return start, end
