"""Printed values → typed values, on hand-written examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.normalize import framework
from jixiao.normalize.records import ValueKind
from jixiao.normalize.values import parse_amount, parse_indicator_value, parse_percent, period_end_month


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40.00", Decimal("40.00")),
        ("1,250.00", Decimal("1250.00")),
        (" 0.5 ", Decimal("0.50")),
        ("", None),
        ("四十万", None),
        ("50%", None),
    ],
)
def test_amounts(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text) == expected


def test_percent_blank_is_null_not_zero() -> None:
    assert parse_percent("89%") == Decimal("89.00")
    assert parse_percent("") is None
    assert parse_percent(None) is None


@pytest.mark.parametrize(
    ("text", "op", "num", "unit", "kind"),
    [
        ("≥90%", "≥", 90.0, "%", ValueKind.QUANTITATIVE),
        ("90%以上", "≥", 90.0, "%", ValueKind.QUANTITATIVE),
        ("95%", "=", 95.0, "%", ValueKind.QUANTITATIVE),
        ("不低于98%", "≥", 98.0, "%", ValueKind.QUANTITATIVE),
        ("不超过12分钟", "≤", 12.0, "分钟", ValueKind.QUANTITATIVE),
        ("=650元/生·年", "=", 650.0, "元/生·年", ValueKind.QUANTITATIVE),
        ("≤4.5‰", "≤", 4.5, "‰", ValueKind.QUANTITATIVE),
        ("≥4.2万人次", "≥", 4.2, "万人次", ValueKind.QUANTITATIVE),
        ("≤10/10万", "≤", 10.0, "/10万", ValueKind.QUANTITATIVE),
        ("达到 1,200 人", "≥", 1200.0, "人", ValueKind.QUANTITATIVE),
        ("有力支撑", None, None, None, ValueKind.QUALITATIVE),
        ("2024年6月30日前", None, None, None, ValueKind.QUALITATIVE),
        ("较上年减少5%以上", None, None, None, ValueKind.QUALITATIVE),
        ("", None, None, None, ValueKind.BLANK),
    ],
)
def test_indicator_values(text: str, op, num, unit, kind) -> None:
    parsed = parse_indicator_value(text)
    assert (parsed.op, parsed.num, parsed.unit, parsed.kind) == (op, num, unit, kind)
    assert not parsed.not_a_value


def test_unit_word_is_not_a_value() -> None:
    parsed = parse_indicator_value("百分比")
    assert parsed.not_a_value and parsed.num is None


@pytest.mark.parametrize(
    ("label", "month"),
    [("3月底", 3), ("12 月底", 12), ("第一季度", 3), ("二季度", 6), ("第4季度", 12), ("1月", 1), ("上半年", 6), ("其他", None)],
)
def test_period_end_month(label: str, month: int | None) -> None:
    assert period_end_month(label) == month


def test_framework_names() -> None:
    assert framework.level1_of("产出 指标") == "产出"
    assert framework.level2_of("服务对象满意度指标") == "服务对象满意度"
    assert framework.parent_of("可持续影响") == "效益"
    # 成本指标 is a 一级 only when cost 二级 names follow it (2021 framework)
    assert framework.level1_of("成本指标", "经济成本指标") == "成本"
    assert framework.level1_of("成本指标", "项目成本") is None
    assert framework.level2_of("成本指标") == "成本"
    assert framework.level2_of("工作效率") is None
