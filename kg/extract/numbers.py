"""Number parsing for the extract stage: Chinese and Arabic numerals with their hedges.

Used by :mod:`kg.extract.quantities`. It reads the numbers of the genre — Arabic digits
(``3926.9``, ``1,200``), Chinese numerals (``两百``, ``十二``, ``八``), mixed forms with a
magnitude (``3926.9亿``, ``1.3万亿``, ``百亿``), hedges (约/近/余/多/超/以上/突破/左右),
ranges (``6–8亿``, ``26%―30%``: the lower end is kept) and multiples (``1倍`` as 100 %,
``六成`` as 60 %) — and returns the stated number with flags. Ordinals (``第8次``, ``第二``)
are not numbers of anything and are rejected by :func:`find_numbers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..dates import first_char_guard

__all__ = ["ParsedNumber", "parse_chinese_numeral", "parse_number", "find_numbers"]

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}

# Hedge words before and after a number, and what they say about it.
_PREFIX_HEDGE = {
    "约": ("approx", ""), "大约": ("approx", ""), "近": ("approx", "upper"),
    "将近": ("approx", "upper"), "接近": ("approx", "upper"), "不到": ("approx", "upper"),
    "超": ("approx", "lower"), "超过": ("approx", "lower"), "逾": ("approx", "lower"),
    "突破": ("approx", "lower"), "达": ("", ""), "上": ("approx", "lower"),
}
_SUFFIX_HEDGE = {
    "多": ("approx", "lower"), "余": ("approx", "lower"), "以上": ("approx", "lower"),
    "左右": ("approx", ""), "上下": ("approx", ""), "以下": ("approx", "upper"),
    "以内": ("approx", "upper"),
}

_CN_CHARS = "零〇○一二两三四五六七八九十拾百佰千仟万亿"
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
# (a decimal point in characters: 四点五亿, 十二点五万)
_CN = rf"[{_CN_CHARS}]+(?:点[零〇一二两三四五六七八九]+[万亿]*)?"
# Magnitudes after Arabic digits: only 万/亿 (and 万亿, 千万, 百万): "750千伏" is 750 kV.
_ARABIC_SCALE = r"(?:万亿|千万|百万|亿|万)?"
_ONE = rf"(?:{_ARABIC}\s?{_ARABIC_SCALE}|{_CN})"
_RANGE_SEP = r"(?:-|–|—|―|~|～|至|到)"

#: One number expression: hedge prefix, a number or a range, hedge suffix (多/余 may sit
#: between the digits and the magnitude: "4700多亿", "11万余").
NUMBER_PATTERN = (
    r"(?P<pre>大约|将近|接近|不到|超过|突破|约|近|超|逾)?"
    rf"(?P<num>{_ARABIC}(?P<mid>多|余)?\s?{_ARABIC_SCALE}|{_CN})"
    rf"(?:(?:%|％)?{_RANGE_SEP}(?P<num2>{_ONE}))?"
    r"(?P<post>多|余)?"
)
_NUMBER_RE = re.compile(NUMBER_PATTERN)
_ARABIC_RE = re.compile(rf"^({_ARABIC})\s?(万亿|千万|百万|亿|万)?$")


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """A number as stated in the text.

    ``value`` is the stated number (the lower end of a range); ``approximate`` is True for
    hedged numbers and ranges; ``bound`` is ``"lower"`` (多/余/以上/超/突破), ``"upper"``
    (近/不到/以下) or ``""``. ``start``/``end`` delimit the number in the string searched
    (hedges included).
    """

    value: float
    approximate: bool = False
    bound: str = ""
    start: int = 0
    end: int = 0
    text: str = ""


def parse_chinese_numeral(text: str) -> float | None:
    """Read a Chinese numeral written with characters.

    Parameters
    ----------
    text : str
        Characters from 零一二两三四五六七八九十百千万亿 (and their financial forms).

    Returns
    -------
    float or None
        The number, or None when ``text`` is not a well-formed numeral.

    Examples
    --------
    >>> parse_chinese_numeral("两百")
    200.0
    >>> parse_chinese_numeral("十二")
    12.0
    >>> parse_chinese_numeral("一千零五十万")
    10500000.0
    >>> parse_chinese_numeral("二〇二四") is None  # a year written digit by digit
    False
    """
    if not text or any(ch not in _CN_CHARS for ch in text):
        return None
    if all(ch in _DIGITS for ch in text):
        # digit-by-digit form ("二〇二四") or a single digit
        value = 0
        for ch in text:
            value = value * 10 + _DIGITS[ch]
        return float(value)
    total = 0  # completed 亿 sections
    section = 0  # completed 万 part within the current 亿 section
    chunk = 0  # the part below 万
    digit: int | None = None
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and _DIGITS[ch] != 0:
                return None  # two digits in a row in positional form
            digit = _DIGITS[ch] if _DIGITS[ch] else None
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            chunk += (1 if digit is None else digit) * unit
            digit = None
        elif ch == "万":
            chunk += digit or 0
            digit = None
            section = (section + chunk) * 10_000 if (section + chunk) else 10_000
            chunk = 0
        elif ch == "亿":
            chunk += digit or 0
            digit = None
            amount = section + chunk
            total = (total + amount) * 100_000_000 if (total + amount) else 100_000_000
            section = chunk = 0
    chunk += digit or 0
    return float(total + section + chunk)


@lru_cache(maxsize=8192)
def _parse_core(text: str) -> float | None:
    m = _ARABIC_RE.match(text)
    if m:
        # Decimal keeps "65.6亿" exact (float would give 6559999999.999999)
        value = Decimal(m.group(1).replace(",", ""))
        scale = m.group(2)
        if scale:
            value *= Decimal(int(_scale_value(scale)))
        return float(value)
    if "点" in text:
        return _decimal_chinese(text)
    value = parse_chinese_numeral(text)
    if value is None:
        return _cn2an_fallback(text)
    return value


_DECIMAL_CN_RE = re.compile(r"(.+?)点([零〇一二两三四五六七八九]+)([万亿]*)")


def _decimal_chinese(text: str) -> float | None:
    """四点五亿 → 450000000.0: a numeral, the digits after 点 one by one, then the magnitude."""
    m = _DECIMAL_CN_RE.fullmatch(text)
    whole = parse_chinese_numeral(m.group(1)) if m else None
    if whole is None:
        return None
    digits = "".join(str(_DIGITS[ch]) for ch in m.group(2))
    value = (Decimal(int(whole)) + Decimal("0." + digits)) * Decimal(int(_scale_value(m.group(3))))
    return float(value)


def _scale_value(scale: str) -> float:
    out = 1.0
    for ch in scale:
        out *= _BIG_UNITS.get(ch) or _SMALL_UNITS.get(ch, 1)
    return out


@lru_cache(maxsize=1024)
def _cn2an_fallback(text: str) -> float | None:
    try:
        import cn2an  # lazy: only for forms the fast path does not read

        return float(cn2an.cn2an(text, "smart"))
    except Exception:  # noqa: BLE001 - cn2an raises bare ValueError/KeyError on odd input
        return None


def parse_number(text: str) -> ParsedNumber | None:
    """Parse one number expression (the whole string).

    Parameters
    ----------
    text : str
        E.g. ``"3926.9亿"``, ``"近10亿"``, ``"两百多"``, ``"11万余"``, ``"6-8亿"``.

    Returns
    -------
    ParsedNumber or None
        The stated value with hedge flags, or None if ``text`` is not one number.

    Examples
    --------
    >>> parse_number("3926.9亿").value
    392690000000.0
    >>> n = parse_number("近10亿"); (n.value, n.approximate, n.bound)
    (1000000000.0, True, 'upper')
    >>> parse_number("11万余").value, parse_number("11万余").bound
    (110000.0, 'lower')
    >>> parse_number("6-8亿").value
    600000000.0
    """
    text = text.strip()
    m = _NUMBER_RE.fullmatch(text)
    if not m:
        # trailing hedge words such as 左右/以上
        for suffix in sorted(_SUFFIX_HEDGE, key=len, reverse=True):
            if text.endswith(suffix) and len(text) > len(suffix):
                inner = parse_number(text[: -len(suffix)])
                if inner is None:
                    return None
                approx, bound = _SUFFIX_HEDGE[suffix]
                return ParsedNumber(inner.value, True, inner.bound or bound, 0, len(text), text)
        return None
    return _from_match(m, 0)


def _from_match(m: re.Match[str], base: int) -> ParsedNumber | None:
    num = m.group("num").replace(" ", "")
    mid = m.group("mid")
    if mid:
        num = num.replace(mid, "", 1)
    value = _parse_core(num)
    if value is None:
        return None
    approximate = False
    bound = ""
    num2 = m.group("num2")
    if num2:
        second = _parse_core(num2)
        if second is None:
            return None
        # "6-8亿": the magnitude of the upper end applies to the lower end too
        scale = re.search(r"(万亿|千万|百万|亿|万)$", num2)
        if scale and not re.search(r"(万亿|千万|百万|亿|万)$", num):
            value = float(Decimal(str(value)) * Decimal(int(_scale_value(scale.group(1)))))
        approximate = True
    pre = m.group("pre")
    if pre:
        a, b = _PREFIX_HEDGE[pre]
        approximate = approximate or bool(a)
        bound = b
    post = mid or m.group("post")
    if post:
        approximate = True
        bound = "lower"
    return ParsedNumber(value, approximate, bound, base + m.start(), base + m.end(), m.group(0))


# guarded by the characters a number can start with (the lookbehind leaves the engine none)
_FIND_RE = first_char_guard(
    re.compile(rf"(?<![A-Za-z0-9.\-_/]){NUMBER_PATTERN}(?P<suf>左右|以上|以下|以内|上下)?"))
_ORDINAL_BEFORE = ("第", "初", "星期", "周")


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[ParsedNumber]:
    """Every number expression in ``text[start:end]``, with offsets into ``text``.

    Ordinals (``第8``, ``第二``) are skipped; so are Chinese numerals that are part of a
    word rather than a number (a lone ``一`` or ``万``).

    Examples
    --------
    >>> [n.value for n in find_numbers("第8次会议，新增项目24个，总投资65.6亿元")]
    [24.0, 6560000000.0]
    """
    out: list[ParsedNumber] = []
    end = len(text) if end is None else end
    for m in _FIND_RE.finditer(text, start, end):
        s = m.start("num")
        if s > 0 and text[s - 1] in "第" or text[max(0, s - 2):s] == "星期":
            continue
        num = m.group("num")
        if num[0] in _CN_CHARS:
            if s > 0 and (text[s - 1] in _CN_CHARS or text[s - 1].isdigit()):
                continue  # the tail of a longer number ("4450万千瓦": 千 belongs to 千瓦)
            # a Chinese numeral needs a digit character or two magnitudes ("百亿"); "万",
            # "千" alone are words or unit prefixes
            if not any(ch in _DIGITS for ch in num) and len(num) < 2:
                continue
        parsed = _from_match(m, 0)
        if parsed is None:
            continue
        if num[0] in _CN_CHARS and num.endswith("千") and len(num) > 1 and text[m.end("num"):m.end("num") + 1] in ("瓦", "伏", "克", "米"):
            # 百万千瓦: 千 belongs to the unit (千瓦), the number is 百万
            short = parse_number(num[:-1])
            if short is None:
                continue
            out.append(ParsedNumber(short.value, short.approximate, short.bound, s, s + len(num) - 1, num[:-1]))
            continue
        suf = m.group("suf")
        if suf:
            a, b = _SUFFIX_HEDGE[suf]
            parsed = ParsedNumber(parsed.value, True, parsed.bound or b, parsed.start,
                                  m.end(), text[parsed.start:m.end()])
        out.append(parsed)
    return out
