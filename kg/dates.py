"""Time expressions of Chinese reports, resolved against the document's date.

Used by the extract stage (:mod:`kg.lifecycle`, :mod:`kg.indicators`): it finds the dates
and periods a sentence states — absolute (``2023年底``, ``6月12日``, ``十四五``), relative
(``今年``, ``去年12月``, ``截至目前``, ``四年来``) and partial-year (``1月—7月``, ``一季度``,
``上半年``) — and turns them into ISO 8601 dates or intervals (``2024-06-12``, ``2023-12``,
``2024-01/2024-07``, ``../2023-12-31`` for "up to"). A relative expression is resolved only
when the document's date (``Document.date``: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) is
known; otherwise it is kept as stated (``iso`` is None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["TimeExpr", "find_time_expressions", "resolve_time", "interval_bounds", "CN_DIGITS"]

CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9, "十": 10, "十一": 11, "十二": 12}
_FIVE_YEAR_PLANS = {"十一五": 2006, "十二五": 2011, "十三五": 2016, "十四五": 2021, "十五五": 2026}
_QUARTERS = {"一": 1, "1": 1, "二": 2, "2": 2, "三": 3, "3": 3, "四": 4, "4": 4}
_DASH = "-—–~～至到"

_M = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_D = r"(?:3[01]|[12]\d|0?[1-9])"
_Y = r"(?:19|20)\d{2}"

#: One pattern, tried left to right; the named group tells the resolver which form it is.
_TIME_RE = re.compile(
    rf"""(?P<asof>截至|截止到?|到)?(?:
      (?P<plan>十[一二三四五]五)(?:期间|时期|以来)?
    | (?P<range_y>{_Y})年?[{_DASH}](?P<range_y2>{_Y})年
    | (?:(?P<rm_rel>今年|去年|上年|明年)|(?P<rm_y>{_Y})年)?(?P<m1>{_M})月?[{_DASH}](?P<m2>{_M})月(?:份)?
    | (?:(?P<q_rel>今年|去年|上年|明年)|(?P<q_y>{_Y})年)?(?P<q_pre>前)?(?P<q>[一二三四1234])季度
    | (?:(?P<h_rel>今年|去年|上年|明年)|(?P<h_y>{_Y})年)?(?P<half>上半年|下半年)
    | (?:(?P<md_rel>今年|去年|上年|明年)|(?P<md_y>{_Y})年)?(?P<md_m>{_M})月(?:(?P<md_d>{_D})日|(?P<md_part>上旬|中旬|下旬|底|末|初))?
    | (?P<y>{_Y})年(?P<y_part>底|末|初|上半年|全年)?
    | (?P<rel>今年|去年|上年|明年|前年)(?P<rel_part>以来|底|末|初|全年)?
    | (?P<nyears>[一二两三四五六七八九十\d]+)年(?:来|以来)
    | (?P<now>目前|当前|现在)
    | (?P<full>全年|年度|年计划)
    )""",
    re.VERBOSE,
)


def _first_chars(items) -> tuple[set[str], bool, bool] | None:
    """(characters a match of the parsed sequence can start with, whether a digit can start
    it, whether it can match empty), or None when the pattern uses a construct not analysed."""
    from re import _constants as c

    chars: set[str] = set()
    digit = False
    for op, av in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue  # zero-width: the next item consumes the first character
        if op is c.LITERAL:
            chars.add(chr(av))
            return chars, digit, False
        if op is c.IN:
            for iop, iav in av:
                if iop is c.LITERAL:
                    chars.add(chr(iav))
                elif iop is c.RANGE:
                    chars.update(chr(x) for x in range(iav[0], iav[1] + 1))
                elif iop is c.CATEGORY and iav is c.CATEGORY_DIGIT:
                    digit = True
                else:
                    return None
            return chars, digit, False
        if op is c.SUBPATTERN:
            if av[1] & c.SRE_FLAG_IGNORECASE:
                return None  # (?i:…): its literals may match in another case
            sub = _first_chars(av[-1])
            nullable_min = False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            sub = _first_chars(av[2])
            nullable_min = av[0] == 0
        elif op is c.BRANCH:
            alts = [_first_chars(a) for a in av[1]]
            if any(a is None for a in alts):
                return None
            sub = (set().union(*(a[0] for a in alts)), any(a[1] for a in alts), any(a[2] for a in alts))
            nullable_min = False
        else:
            return None
        if sub is None:
            return None
        chars |= sub[0]
        digit = digit or sub[1]
        if not (sub[2] or nullable_min):
            return chars, digit, False
    return chars, digit, True


def first_char_guard(pat: re.Pattern[str]) -> re.Pattern[str]:
    """``pat`` behind a lookahead on the characters a match can start with.

    Equivalent (same matches, groups and offsets) and faster to search with when ``pat``
    opens with optional parts or a lookbehind (the regex engine then has no first character
    to skip ahead by): positions that cannot start a match fail on one character class
    instead of trying every alternative. ``pat`` itself is returned when the set cannot be
    worked out or a match may be empty.
    """
    from re import _parser

    if pat.flags & re.IGNORECASE or re.match(r"\(\?[aiLmsux]+\)", pat.pattern):
        return pat  # (global inline flags must open the pattern)
    first = _first_chars(_parser.parse(pat.pattern, pat.flags))
    if first is None or first[2]:
        return pat
    chars, digit, _ = first
    cls = "".join(re.escape(ch) for ch in sorted(chars)) + (r"\d" if digit else "")
    # the group keeps a top-level alternation whole; the line break ends a verbose comment
    return re.compile(f"(?=[{cls}])(?:{pat.pattern}\n)" if pat.flags & re.VERBOSE
                      else f"(?=[{cls}])(?:{pat.pattern})", pat.flags)


#: How a match of :data:`_TIME_RE` can begin, form by form: a digit run that ends in 年, 月,
#: 季 or a dash (years, months, quarters, ranges, N年来), a Chinese numeral, 截/到 (as of), or
#: the words that open the other forms. A necessary condition, cheap to test first: most
#: digits of a report start amounts (12.5亿元), where it fails at once.
_TIME_START = (rf"(?=\d[\d一二两三四五六七八九十]*[{_DASH}年月季]|[一二三四五六七八九十两截到]"
               r"|今年|去年|上[年半]|明年|前[年一二三四1234]|下半|目前|当前|现在|全年|年[度计])")


@lru_cache(maxsize=1)
def _time_re() -> re.Pattern[str]:
    """:data:`_TIME_RE` behind :data:`_TIME_START` and :func:`first_char_guard` (same
    matches, several times faster)."""
    return first_char_guard(re.compile(_TIME_START + "(?:" + _TIME_RE.pattern + "\n)", _TIME_RE.flags))


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """A time expression found in a text: its words, offsets and ISO resolution (or None)."""

    text: str
    start: int
    end: int
    iso: str | None
    as_of: bool = False  # 截至 / 目前: a stock at a point in time, not a flow over a period


def _month(s: str) -> int:
    return int(s) if s.isdigit() else CN_DIGITS[s]


@lru_cache(maxsize=64)
def _doc_year(doc_date: str | None) -> int | None:
    if doc_date and re.match(r"^\d{4}", doc_date):
        return int(doc_date[:4])
    return None


def _rel_year(word: str | None, year: int | None) -> int | None:
    if year is None:
        return None
    return {"今年": year, "去年": year - 1, "上年": year - 1, "明年": year + 1, "前年": year - 2}[word]


def _last_day(y: int, m: int) -> int:
    if m == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if m in (4, 6, 9, 11) else 31


def _resolve(m: re.Match[str], doc_date: str | None) -> tuple[str | None, bool]:
    g = m.groupdict()
    dy = _doc_year(doc_date)
    asof = bool(g["asof"])
    if g["plan"]:
        y0 = _FIVE_YEAR_PLANS[g["plan"]]
        return f"{y0}/{y0 + 4}", asof
    if g["range_y"]:
        return f"{g['range_y']}/{g['range_y2']}", asof
    if g["m1"]:
        y = int(g["rm_y"]) if g["rm_y"] else _rel_year(g["rm_rel"] or "今年", dy)
        if y is None:
            return None, asof
        return f"{y}-{_month(g['m1']):02d}/{y}-{_month(g['m2']):02d}", asof
    if g["q"]:
        y = int(g["q_y"]) if g["q_y"] else _rel_year(g["q_rel"] or "今年", dy)
        if y is None:
            return None, asof
        q = _QUARTERS[g["q"]]
        first = 1 if g["q_pre"] else 3 * q - 2
        return f"{y}-{first:02d}/{y}-{3 * q:02d}", asof
    if g["half"]:
        y = int(g["h_y"]) if g["h_y"] else _rel_year(g["h_rel"] or "今年", dy)
        if y is None:
            return None, asof
        return (f"{y}-01/{y}-06" if g["half"] == "上半年" else f"{y}-07/{y}-12"), asof
    if g["md_m"]:
        y = int(g["md_y"]) if g["md_y"] else _rel_year(g["md_rel"] or "今年", dy)
        if y is None:
            return None, asof
        mo = _month(g["md_m"])
        if g["md_d"]:
            iso = f"{y}-{mo:02d}-{int(g['md_d']):02d}"
        elif g["md_part"] in ("底", "末"):
            iso = f"{y}-{mo:02d}-{_last_day(y, mo):02d}"
        else:
            iso = f"{y}-{mo:02d}"
        return (f"../{iso}" if asof else iso), asof
    if g["y"]:
        y = int(g["y"])
        part = g["y_part"]
        if part in ("底", "末"):
            return (f"../{y}-12-31" if asof else f"{y}-12-31"), True if asof else False
        if part == "上半年":
            return f"{y}-01/{y}-06", asof
        return (f"../{y}" if asof else str(y)), asof
    if g["rel"]:
        y = _rel_year(g["rel"], dy)
        if y is None:
            return None, asof
        part = g["rel_part"]
        if part in ("底", "末"):
            return (f"../{y}-12-31" if asof else f"{y}-12-31"), asof
        if part == "以来":
            return f"{y}/{doc_date}" if doc_date and doc_date != str(y) else str(y), asof
        return str(y), asof
    if g["nyears"]:
        n = g["nyears"]
        n_years = int(n) if n.isdigit() else CN_DIGITS.get(n)
        if dy is None or n_years is None:
            return None, asof
        return f"{dy - n_years}/{dy}", asof
    if g["now"]:
        if doc_date is None:
            return None, True
        return f"../{doc_date}", True
    if g["full"]:
        return (str(dy) if dy is not None else None), asof
    if asof and doc_date:  # a bare 截至 is never matched on its own
        return f"../{doc_date}", True
    return None, asof


def find_time_expressions(text: str, doc_date: str | None = None, start: int = 0,
                          end: int | None = None) -> list[TimeExpr]:
    """Every time expression in ``text[start:end]``, resolved against ``doc_date``.

    Parameters
    ----------
    text : str
        The text searched (offsets of the result index it).
    doc_date : str, optional
        The document's date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``); relative expressions
        stay unresolved without it.

    Examples
    --------
    >>> [(t.text, t.iso) for t in find_time_expressions("去年12月投产，1月—7月完成投资", "2024")]
    [('去年12月', '2023-12'), ('1月—7月', '2024-01/2024-07')]
    >>> find_time_expressions("截至2023年底，入驻企业54家")[0].iso
    '../2023-12-31'
    """
    end = len(text) if end is None else end
    # Memo of the last text searched (the extract stage asks for the same sentence many
    # times). The identity test is safe because the memo holds a reference to the text; the
    # memo is replaced as a whole, so threads never share a half-updated one.
    memo = _MEMO[0]
    if memo[0] is not text or memo[1] != doc_date:
        if len(text) < 256:  # a phrase checked in between does not evict the document
            return _find(text, doc_date, start, end)
        memo = _MEMO[0] = (text, doc_date, {})
    key = (start, end)
    hit = memo[2].get(key)
    if hit is None:
        hit = memo[2][key] = tuple(_find(text, doc_date, start, end))
    return list(hit)


#: [(text, doc_date, {(start, end): results})] of the last text searched.
_MEMO: list = [(None, None, {})]


def _find(text: str, doc_date: str | None, start: int, end: int) -> list[TimeExpr]:
    out: list[TimeExpr] = []
    for m in _time_re().finditer(text, start, end):
        if m.end() == m.start():
            continue
        if m.group("asof") and m.end() == m.end("asof"):
            continue
        # "20多个" / "3家" are not dates: a month must be followed by 月 (the pattern ensures it)
        iso, as_of = _resolve(m, doc_date)
        out.append(TimeExpr(m.group(0), m.start(), m.end(), iso, as_of or bool(m.group("asof"))))
    return out


def resolve_time(text: str, doc_date: str | None = None) -> str | None:
    """The ISO date or interval of one time expression (the whole of ``text``), or None.

    Examples
    --------
    >>> resolve_time("3月4日", "2024")
    '2024-03-04'
    >>> resolve_time("十四五")
    '2021/2025'
    >>> resolve_time("今年") is None
    True
    >>> resolve_time("截至目前", "2024")
    '../2024'
    """
    found = find_time_expressions(text, doc_date)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(text.strip()):
        return found[0].iso
    return None


def interval_bounds(iso: str | None) -> tuple[str, str]:
    """The first and last day (``YYYY-MM-DD``) an ISO date or interval covers.

    An open start (``../2024``) gives ``""`` as first day. Useful to order dates of different
    precision: ``2023-12`` ends before ``2024``.

    >>> interval_bounds("2024-01/2024-07")
    ('2024-01-01', '2024-07-31')
    >>> interval_bounds("2023-12")
    ('2023-12-01', '2023-12-31')
    """
    if not iso:
        return "", ""
    a, _, b = iso.partition("/")
    b = b or a

    def first(s: str) -> str:
        if s in ("", ".."):
            return ""
        parts = s.split("-")
        return "-".join([parts[0], parts[1] if len(parts) > 1 else "01",
                         parts[2] if len(parts) > 2 else "01"])

    def last(s: str) -> str:
        if s in ("", ".."):
            return "9999-12-31"
        parts = s.split("-")
        y = int(parts[0])
        mo = int(parts[1]) if len(parts) > 1 else 12
        d = int(parts[2]) if len(parts) > 2 else _last_day(y, mo)
        return f"{y:04d}-{mo:02d}-{d:02d}"

    return first(a), last(b)
