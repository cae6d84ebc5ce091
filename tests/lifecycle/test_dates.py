"""kg.dates: time expressions resolved against the document date."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.dates import find_time_expressions, interval_bounds, resolve_time


@pytest.mark.parametrize("text,doc_date,iso", [
    ("今年", "2024", "2024"),
    ("去年12月", "2024", "2023-12"),
    ("1月—7月", "2024", "2024-01/2024-07"),
    ("1-7月份", "2024", "2024-01/2024-07"),
    ("截至目前", "2024", "../2024"),
    ("截至2023年底", None, "../2023-12-31"),
    ("3月4日", "2024", "2024-03-04"),
    ("6月12日", "2024-08-01", "2024-06-12"),
    ("十四五", None, "2021/2025"),
    ("一季度", "2024", "2024-01/2024-03"),
    ("前三季度", "2024", "2024-01/2024-09"),
    ("上半年", "2024", "2024-01/2024-06"),
    ("2023年", None, "2023"),
    ("四年来", "2024", "2020/2024"),
])
def test_resolves(text, doc_date, iso):
    assert resolve_time(text, doc_date) == iso


@pytest.mark.parametrize("text", ["今年", "去年12月", "1月—7月", "截至目前", "3月4日", "四年来"])
def test_relative_kept_as_stated_without_document_date(text):
    found = find_time_expressions(text, None)
    assert [t.text for t in found] == [text]
    assert found[0].iso is None


def test_numbers_are_not_dates():
    assert find_time_expressions("20多个重点项目，62天完成建设，5GW", "2024") == []


def test_offsets_index_the_text():
    text = "截至目前，长治市1141个新建项目；去年12月投产。"
    for t in find_time_expressions(text, "2024"):
        assert text[t.start:t.end] == t.text


@given(st.integers(2000, 2030), st.integers(1, 12), st.integers(1, 28))
def test_month_day_uses_document_year(year, month, day):
    assert resolve_time(f"{month}月{day}日", str(year)) == f"{year}-{month:02d}-{day:02d}"


def test_interval_bounds_order_precisions():
    assert interval_bounds("2023-12")[1] < interval_bounds("2024")[1]
    assert interval_bounds("2024-01/2024-07") == ("2024-01-01", "2024-07-31")
    assert interval_bounds("../2023-12-31") == ("", "2023-12-31")
