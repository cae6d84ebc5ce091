"""Number parsing: Chinese and Arabic numerals, magnitudes, hedges, ranges, ordinals."""

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.extract.numbers import find_numbers, parse_chinese_numeral, parse_number


@pytest.mark.parametrize(
    ("text", "value", "approximate", "bound"),
    [
        ("3926.9亿", 392_690_000_000, False, ""),
        ("65.6亿", 6_560_000_000, False, ""),
        ("1.3万亿", 1_300_000_000_000, False, ""),
        ("近10亿", 1_000_000_000, True, "upper"),
        ("约300万", 3_000_000, True, ""),
        ("超过1200万", 12_000_000, True, "lower"),
        ("两百多", 200, True, "lower"),
        ("10多", 10, True, "lower"),
        ("4700多亿", 470_000_000_000, True, "lower"),
        ("11万余", 110_000, True, "lower"),
        ("5000亿左右", 500_000_000_000, True, ""),
        ("6-8亿", 600_000_000, True, ""),
        ("百亿", 10_000_000_000, False, ""),
        ("八", 8, False, ""),
        ("一千零五十万", 10_500_000, False, ""),
        ("1,200", 1200, False, ""),
        ("四点五亿", 450_000_000, False, ""),
        ("十二点五万", 125_000, False, ""),
        ("约一点零五亿", 105_000_000, True, ""),
    ],
)
def test_parse_number(text, value, approximate, bound):
    n = parse_number(text)
    assert n is not None
    assert n.value == pytest.approx(value)
    assert n.approximate is approximate
    assert n.bound == bound


def test_not_a_number():
    assert parse_number("项目") is None
    assert parse_chinese_numeral("项目") is None


def test_find_numbers_skips_ordinals_and_unit_prefixes():
    text = "第8次调度会，第二批项目，装机容量达4450万千瓦，新建项目24个"
    assert [n.value for n in find_numbers(text)] == [44_500_000, 24]


def test_find_numbers_offsets_and_range():
    text = "仍然有26%―30%的风电没有并网"
    (n,) = find_numbers(text)
    assert n.value == 26 and n.approximate
    assert text[n.start:n.end].startswith("26")


def test_find_numbers_hedge_after():
    (n,) = find_numbers("占据了整个水泥市场的48以上")
    assert (n.value, n.approximate, n.bound) == (48, True, "lower")


@given(st.integers(min_value=0, max_value=10**12))
def test_chinese_numerals_round_trip(n):
    assert parse_chinese_numeral(cn2an.an2cn(n)) == n


@given(st.integers(min_value=1, max_value=99_999), st.sampled_from(["", "万", "亿", "万亿"]))
def test_arabic_with_magnitude(n, scale):
    factor = {"": 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}[scale]
    parsed = parse_number(f"{n}{scale}")
    assert parsed is not None and parsed.value == n * factor
