"""Entity mentions: the first step of the ``extract`` stage.

Consumes a :class:`~kg.model.Document` and produces typed :class:`~kg.model.Mention` spans
(Company, DevelopmentZone, Project, GovernmentBody, Person, Region, Product,
IndustryChain) with offsets into ``doc.text``, grouped within the document by
``(type, key)``, plus a canonical name per group. Rules are head-driven: a name ends in a
known head (a legal-form suffix, a zone suffix, a project head, an organ suffix, an
industry suffix) and extends to the left over name characters until a stop word, a
punctuation mark or a region-adverbial ends it. Regions come from the gazetteer of
:mod:`kg.regions`, products and industries from :mod:`kg.lexicon`. All domain words live
in ``data/lexicon`` and ``ontology/chains``; only structural patterns are in code.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from ..lexicon import (
    chain_vocabulary,
    column_map,
    industry_vocabulary,
    product_vocabulary,
    read_table,
    words,
)
from ..model import Document, Mention
from ..regions import (
    MUNICIPALITIES,
    FormGroup,
    FormIndex,
    _common_word,
    _gazetteer_index,
    _jieba_words,
    _straddles,
    find_regions,
    gazetteer,
)
from .quantities import LAND_PROJECT_RE

__all__ = ["extract_mentions"]

_HAN = "\u4e00-\u9fff"
_HAN_RE = re.compile(rf"[{_HAN}]")
_HANS_RE = re.compile(rf"[{_HAN}]+")
# Characters a name may be built of (Han, ASCII letters and digits, a few joiners).
# (Greek letters name chemicals: α-烯烃, β-胡萝卜素)
# (and + of 光伏+储能项目)
_NAME_CHAR = re.compile(rf"[{_HAN}A-Za-z0-9·\-()（）/\.αβγδωΩ+×]")
_MAX_LEFT = 24
#: the window of a name whose run of name characters is longer than _MAX_LEFT but ends
#: within this many characters
_MAX_LEFT_LONG = 40
# the non-Han characters of _NAME_CHAR
_NAME_OTHER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789·-()（）/.αβγδωΩ+×")  # (2×66万千瓦)
# a run of _NAME_CHAR characters
_NAME_RUN = re.compile("[" + _HAN + "".join(re.escape(c) for c in sorted(_NAME_OTHER)) + "]*")

# Type priority when spans overlap exactly.
_PRIORITY = {"Project": 0, "Company": 1, "DevelopmentZone": 2, "GovernmentBody": 3,
             "Person": 4, "IndustryChain": 5, "Product": 6, "Region": 7}


class _Cand(NamedTuple):
    """A candidate mention (a named tuple: cheap to build; equal and hashed as its fields,
    like the frozen dataclass it replaces)."""

    type: str
    start: int
    end: int
    rule: str
    attrs: tuple[tuple[str, str], ...] = ()
    key: str = ""
    canonical: str = ""

    @property
    def attr_full(self) -> str:
        for k, v in self.attrs:
            if k == "full":
                return v
        return ""


@lru_cache(maxsize=16384)
def _name_regions(name: str) -> tuple:
    """Cached :func:`find_regions` for short names (candidate checks repeat them)."""
    return tuple(find_regions(name))


def _with(c: _Cand, **kw) -> _Cand:
    """``dataclasses.replace`` without its per-call introspection (hot in selection)."""
    return _Cand(kw.get("type", c.type), kw.get("start", c.start), kw.get("end", c.end),
                 kw.get("rule", c.rule), kw.get("attrs", c.attrs), kw.get("key", c.key),
                 kw.get("canonical", c.canonical))


@lru_cache(maxsize=65536)
def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s).replace(" ", "")


# --------------------------------------------------------------------------- matchers


class _Trie(FormIndex):
    """Longest-match dictionary scanner (leftmost form first, then the next after its end)."""

    def finditer(self, text: str):
        free = 0
        for i, lens in self.starts(text):
            if i >= free:
                ln = lens[0]
                yield i, i + ln, text[i : i + ln]
                free = i + ln


def _alternation(ws) -> re.Pattern:
    ws = sorted({w for w in ws if w}, key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in ws) or "(?!)")


@lru_cache(maxsize=1)
def _patterns() -> dict:
    pat = _build_patterns()
    # documents are read once for the gazetteer and the three vocabularies together
    FormGroup([_gazetteer_index(), pat["gov_national"], pat["products"], pat["industries"]])
    return pat


def _firm_list_tail() -> str:
    """What follows the items of a list of companies: 等, a count of firms (group 2), a
    modifier (group 3) and a cue of company_list_cues.tsv (企业, 巨头, 为代表…)."""
    count = r"(?:[0-9一二三四五六七八九十百]+(?:余|多)?家|一批|多家|数家)"
    return rf"等({count}?)([{_HAN}]{{0,4}}?)(?:{_alternation(words('company_list_cues')).pattern})"


def _build_patterns() -> dict:
    comp = column_map("company_suffixes")
    zones = column_map("zone_suffixes")
    heads = column_map("project_heads")
    gov = words("gov_patterns")
    ind = words("industry_suffixes")
    titles = words("person_titles")
    sur = words("surnames")
    return {
        "company": _alternation(comp),
        "company_kind": comp,
        "zone": _alternation(zones),
        "zone_kind": zones,
        # the last characters of zone names (产业集聚区: a stop word can be inside one only when
        # one of these follows it closely)
        "zone_ends": frozenset(z[-1] for z in zones),
        "project": _alternation(heads),
        "project_kind": heads,
        "gov": _alternation(gov),
        "gov_national": _Trie(words("gov_national")),
        "industry_suffix": _alternation(ind),
        "stop": _alternation(words("name_stopwords")),
        "generic": words("generic_prefixes"),
        "titles": _alternation(titles),
        "surnames1": frozenset(s for s in sur if len(s) == 1),
        "surnames2": frozenset(s for s in sur if len(s) == 2),
        "products": _Trie(product_vocabulary()),
        "industries": _Trie(industry_vocabulary()),
        "shortheads": _alternation(words("company_shortheads")),
        # a capacity cue (年产, 年处理, 产能 …: quantity_cues.tsv) is never part of a company's
        # short name: 建成后年产10万吨 names no brand 后年产
        "capacity_cue_rx": _alternation(r[1] for r in read_table("quantity_cues")
                                        if r[0] == "capacity" and len(r[1]) >= 2),
        "project_cues": tuple(sorted(words("project_cues"))),
        "project_cue_rx": _alternation(r[0] for r in read_table("project_cues") if (r[1:] or [""])[0] != "weak"),
        # (weak cues: a category word, 景区 or 物流, that names a project only beside a name of
        # its own: 江布拉克景区提质升级项目, not 旅游项目)
        "project_weak_cue_rx": _alternation(r[0] for r in read_table("project_cues") if r[1:2] == ("weak",)),
        "product_stop": words("product_stop"),
        "company_verbs": _alternation(words("company_verbs")),
        # "A、B等企业", also with a trade between (A、B等电池企业: checked by _company_lists)
        # (and with a count of firms: A、B等12家绿色制造企业, A、B等一批行业龙头企业)
        "company_list": re.compile(rf"((?:[{_HAN}]{{2,12}}、)+[{_HAN}]{{2,12}}){_firm_list_tail()}"),
        # one company before 等 after a partner word (与A等企业合作)
        "company_single": re.compile(rf"(?:与|和|同|携手|联合)([{_HAN}]{{2,5}}?){_firm_list_tail()}"),
        # the characters a company_list match is made of (Han, 、, digits and those of the cues)
        "company_list_run": re.compile("[" + _HAN + "、0-9" + "".join(sorted(
            {re.escape(ch) for w in words("company_list_cues") for ch in w if not "\u4e00" <= ch <= "\u9fff"}))
            + "]+"),
    }


# --------------------------------------------------------------------------- helpers


#: undertakings joined by a conjunction inside one project name (搬迁与升级改造项目,
#: 研发与产业化基地): the conjunction does not end the name there
_ACTION_WORDS = ("搬迁", "研发", "研究", "生产", "制造", "改造", "升级", "技改", "建设", "开发", "应用",
                 "示范", "加工", "扩建", "产业化", "转型", "仓储", "物流", "检测", "销售", "服务", "运营")
_BARRIER = re.compile(r"(?:项目|工程|生产线|改造|铁路|高铁|公路|煤矿|机场|水库|枢纽|航道|码头|有限公司|集团|公司|开发区|高新区|园区|[省市县区](?=和))(?:和|及|与|、|以及)")
_HEAD_VERBS = frozenset({"建设", "改造", "扩建", "新建", "续建", "扩产"})


def _left_extend(text: str, head_start: int, floor: int, adjacent_ok: bool = False) -> int:
    """Start of the name that ends with the head at ``head_start``.

    Walks left over name characters (not past ``floor``), then cuts after the rightmost
    stop word inside the window; a stop word directly before the head (建设项目) does not
    cut.
    """
    lo = max(floor, head_start - _MAX_LEFT)
    # the run of name characters before the head, read off the reversed window by one
    # regex match; the character walk below is only needed when the run holds an opening
    # parenthesis (which may end the name)
    run = text[lo:head_start][::-1]
    n = _NAME_RUN.match(run).end()
    if n == head_start - lo and lo > floor:
        # the run goes past the window: a long name bounded by punctuation a little further
        # (开工的中国石化岳阳地区100万吨乙烯炼化一体化及炼油配套改造项目) is read whole
        lo2 = max(floor, head_start - _MAX_LEFT_LONG)
        run2 = text[lo2:head_start][::-1]
        n2 = _NAME_RUN.match(run2).end()
        if n2 < head_start - lo2 or lo2 == floor:
            lo, run, n = lo2, run2, n2
    i = head_start - n
    while i - 2 >= lo and text[i - 1] == " " and text[i - 2].isascii() and text[i - 2].isalnum() \
            and i < head_start and text[i].isascii() and text[i].isalnum():
        # 年产10GW TOPCon电池片项目: a space between two Latin words is inside the name
        i -= 1 + _NAME_RUN.match(text[lo:i - 1][::-1]).end()
    if "(" in run[:n] or "（" in run[:n]:
        i = head_start
        depth = 0
        while i > lo:
            c = text[i - 1]
            if c in ")）":
                depth += 1
            elif c in "(（":
                if depth == 0:
                    break
                depth -= 1
            if not ("\u4e00" <= c <= "\u9fff" or c in _NAME_OTHER):  # _NAME_CHAR, per character
                break
            i -= 1
    start = i
    # a run cut by the window's limit may begin inside a stop word (重点推|进…): read a few
    # characters more so that the word is seen, and cut after it
    scan = max(floor, start - 3) if start == lo and lo > floor else start
    window = text[scan:head_start]
    cut = start
    for m in _patterns()["stop"].finditer(window):
        if scan + m.end() <= start:
            continue
        if adjacent_ok and scan + m.end() == head_start and m.group() in _HEAD_VERBS:
            continue
        if m.group() in ("与", "以及") and window.endswith(_ACTION_WORDS, 0, m.start()) and \
                window.startswith(_ACTION_WORDS, m.end()):
            continue  # 搬迁与升级…: two undertakings of one name
        if m.group() in _stops_in_products() and any(
                a <= m.start() and m.end() <= b and b - a > len(m.group())
                for a, b in _product_spans(window)):
            continue  # a stop word inside a product's name (等 of 等静压石墨) does not cut it
        if len(m.group()) == 1 and _in_full_place_name(window, m.start()):
            continue  # 都 of 商都县: a stop character inside a county's full name
        if not _patterns()["zone_ends"].isdisjoint(window[m.end():m.end() + 4]) and any(
                z.start() <= m.start() and m.end() < z.end()
                for z in _patterns()["zone"].finditer(window, max(0, m.start() - 4), m.end() + 4)):
            continue  # 集聚 of 产业集聚区: a stop word inside a zone's suffix
        if m.group() == "等" and window.startswith("级", m.end()):
            continue  # 高等级公路建设开发有限责任公司: 等级 is no list's end
        if m.group() in ("提升", "完善") and text.startswith(("改造", "工程", "项目", "提质", "改建"), scan + m.end()):
            continue  # 人民大道提升改造工程: the works' kind, not a verb before the name
        cut = max(cut, scan + m.end())
    for m in _BARRIER.finditer(window):
        cut = max(cut, scan + m.end())
    # an unmatched closing parenthesis at the start is not part of the name
    while cut < head_start and text[cut] in ")）、":
        cut += 1
    return cut


def _in_full_place_name(s: str, i: int) -> bool:
    """Whether ``s[i]`` lies inside the full name of a place of the gazetteer (商都县, 中沙群岛的
    岛礁及其海域) or its short name (如皋, 成都) that ``s`` holds whole."""
    index = _full_place_names()
    for key in (s[i - 1:i + 1] if i > 0 else "", s[i:i + 2]):
        for off, name in index.get(key, ()):
            if i >= off and s.startswith(name, i - off):
                return True
    return False


@lru_cache(maxsize=1)
def _full_place_names() -> dict[str, tuple[tuple[int, str], ...]]:
    """The stop character of a gazetteer name with a neighbour (its first two characters from
    it, or the one before and it) → ``(offset, name)`` of the names that hold it: 都 of 商都县
    under 商都, 如 of 如皋 under 如皋, 都 of 成都 under 成都."""
    from ..regions import places

    stops = {w for w in words("name_stopwords") if len(w) == 1}
    out: dict[str, set[tuple[int, str]]] = {}

    def add(name: str, last_too: bool) -> None:
        for k, ch in enumerate(name if last_too else name[:-1]):
            if ch in stops:
                key = name[k - 1:k + 1] if k > 0 else name[k:k + 2]
                out.setdefault(key, set()).add((k, name))

    for p in places():
        if len(p.name) >= 3:
            add(p.name, False)
        if p.short and len(p.short) >= 2 and p.level in ("city", "county"):
            add(p.short, True)  # 如皋至海安…, 成都…
    return {k: tuple(sorted(v)) for k, v in out.items()}


@lru_cache(maxsize=1)
def _stops_in_products() -> frozenset[str]:
    """The name stop words found inside a longer product of the vocabulary (等 of 等静压石墨)."""
    forms = product_vocabulary()
    joined = "\n".join(forms)
    return frozenset(w for w in words("name_stopwords")
                     if w and w in joined and any(w in f and f != w for f in forms))


@lru_cache(maxsize=4096)
def _product_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of the product vocabulary's hits in ``text``."""
    return tuple((a, b) for a, b, _f in _patterns()["products"].finditer(text))


@lru_cache(maxsize=16384)
def _first_vocab_hits(name: str) -> tuple[int | None, int | None]:
    """Start of the first product and of the first industry word in ``name`` (or None)."""
    return tuple(None if h is None else h[0] for h in _first_vocab_spans(name))


@lru_cache(maxsize=16384)
def _first_vocab_spans(name: str) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(start, end) of the first product and of the first industry word in ``name`` (or None)."""
    pat = _patterns()
    out = []
    for tr in ("products", "industries"):
        out.append(next(((a, b) for a, b, _f in pat[tr].finditer(name)), None))
    return tuple(out)


@lru_cache(maxsize=1)
def _generic_sorted() -> tuple[str, ...]:
    return tuple(sorted(_patterns()["generic"], key=lambda g: (-len(g), g)))


@lru_cache(maxsize=16384)
def _strip_generic(name: str) -> str:
    generic = _generic_sorted()
    changed = True
    while changed and name:
        changed = False
        for g in generic:
            if name.startswith(g):
                name = name[len(g):]
                changed = True
                break
    return name


_MEASURED = re.compile(r"[0-9.]+[万亿]?余?(?:平方米|平米|亩|平方公里)")
_QUANTIFIED = re.compile(r"(?:[一两几多数][批些]|[0-9一二三四五六七八九十两几多]+[个条座家处项])$")
_COUNTED = re.compile(r"[0-9一二三四五六七八九十两几多]+[个项条座家批处]$")  # 4条生产线: a count, not a name
_AGGREGATE = re.compile(r"^[0-9一二三四五六七八九十百千两几多]+[个项批处条家座]")
_COUNT_IN_NAME = re.compile(r"[0-9]+[个项]")
#: a park used as a place (GUIDELINES §2): after 在/于/入驻…, or before 已集聚/内…
_PLACE_BEFORE = re.compile(r"(?:在|于|入驻|进驻|落户|落地|位于)$")
#: a place field of a labelled record (建设地点：X产业园)
_PLACE_LABEL = re.compile(r"(?:地点|地址|选址|所在地|所在园区)\s*[：:]\s*$")
#: words that make the base or park after them a place, whatever its head (位于X能源化工基地,
#: 落户X石化园区); 在 alone does not (在X基地举行开工仪式: the base may be the project)
_STRONG_PLACE_BEFORE = re.compile(r"(?:位于|地处|坐落于?|落户于?|落地于?|选址于?|入驻|进驻|依托)$")
#: a base or park that holds the project named right after it (宁东能源化工基地的X项目)
_HOSTS_PROJECT = re.compile(r"(?:内|里)?的[^，。；、\n“”]{2,30}?(?:项目|工程)(?![\u4e00-\u9fff]{0,2}(?:建设|开工))")
#: a base or park a policy works through (以X石化基地为主阵地): a place
_PLATFORM_AFTER = re.compile(r"为(?:主阵地|主战场|主平台|主载体|核心区|重要载体|载体|平台|依托)")
_PLACE_HEADS = re.compile(r"基地|园区")
#: any word of the two patterns above (a cheap test before a name is read back from a head)
_PLACE_WORD = re.compile(r"位于|地处|坐落|落户|落地|选址|入驻|进驻|地点|地址|所在|依托|以")
_PLACE_AFTER = re.compile(r"(?:已|现已|目前已|新增|累计|共)?(?:集聚|聚集|入驻|引进|拥有|内|里)")
_DEMONSTRATIVE = re.compile(r"(?:这个|这一|这些|那个|该|此次|本次|这次)$")
_COUNT_AFTER = re.compile(r"(?:共|达|有)?[0-9.]+万?(?:多|余)?[个项处条座]")
#: a batch of a list (2024年第三批省重点建设项目): the list's title, not a project
#: a batch or round of a list or an event (第三批省重点建设项目, 2019年第四次工业项目集中开工,
#: 第二季度重大项目集中开工): the list's or the event's title, not a project
_BATCH = re.compile(r"第[一二三四五六七八九十0-9]+(?:批|次)|第?[一二三四1-4]季度")
_ASCII_DIGIT = re.compile(r"[0-9]")
#: a list item's number before a name (1. / 2、 / (3) / 一、); used with ``match(text, pos)``, so
#: no ``^`` (which would only match at the text's start)
_LEADING_JUNK = re.compile(r"(?:[（(][一二三四五六七八九十0-9]+[)）]|[0-9]+[.、]|[一二三四五六七八九十]+、)")


def _clean_start(text: str, start: int, end: int) -> int:
    m = _LEADING_JUNK.match(text, start, end)
    return m.end() if m else start


# --------------------------------------------------------------------------- rules


def _province(p) -> str:
    """The two-digit province prefix of a place's code ("" without one)."""
    return (p.code or p.parent)[:2]


_NAME_BREAK = re.compile(r"[，。；、：,;:！？!?\s“”\"（）()]")


def _opens_project_name(text: str, pos: int) -> bool:
    """True when a project head follows ``pos`` within a name's length, nothing breaking it."""
    m = _patterns()["project"].search(text, pos, pos + _MAX_LEFT)
    return m is not None and _NAME_BREAK.search(text, pos, m.start()) is None


def _regions(text: str) -> list[_Cand]:
    out = []
    found = find_regions(text)
    # a county's short form (三江, 江北) opening a zone's or a firm's name (三江新区, 兴海储能) in a
    # text whose other places all lie in other provinces is a word of that name, not the county
    # (alone, as in 学习昆山经验, it stays the place)
    pat = _patterns()
    provinces = {_province(m.place) for m in found
                 if not (m.short and m.place.level == "county") and m.place.level in ("province", "city", "county")}
    provinces.discard("")
    for m in found:
        p = m.place
        if provinces and m.short and p.level == "county" and _province(p) not in provinces and (
                pat["zone"].match(text, m.end) or pat["shortheads"].match(text, m.end)
                or _opens_project_name(text, m.end)):
            continue
        attrs = [("level", p.level)]
        if p.code:
            attrs.append(("code", p.code))
        if p.parent:
            attrs.append(("parent", p.parent))
        key = p.code or p.name
        out.append(_Cand("Region", m.start, m.end, "region.gazetteer" + (".short" if m.short else ""),
                         tuple(sorted(attrs)), key, p.name))
    return out


#: a limited partnership's name: the fund or firm and its form in brackets
_PARTNERSHIP = re.compile(r"([\u4e00-\u9fff]{2,24}?(?:基金|合伙企业|中心|企业))([（(]有限合伙[)）])")
_JIANCHENG = re.compile(r"[（(]?(?:以下)?简称[“\"「]?([^”\"」）)，,。]{2,8})[”\"」]?[）)]?")


#: business words that may end the name part of a legal company name (see :func:`_companies`)
_BUSINESS_TAIL = re.compile(r"(?:建设|投资|开发)+(?:工程|发展|运营|经营|管理|控股)?$")


def _companies(text: str) -> list[_Cand]:
    pat = _patterns()
    out = []
    for m in pat["company"].finditer(text):
        s = _left_extend(text, m.start(), 0)
        kind = pat["company_kind"].get(m.group(), "")
        bt = _BUSINESS_TAIL.search(text, max(0, m.start() - 8), m.start())
        if bt is not None and s >= bt.start() and kind in ("legal", "group"):
            # 建设/投资/开发 end many legal names (<city>建设投资集团有限公司, <brand>投资有限公司):
            # there they are not the verbs that cut a name
            s2 = _clean_start(text, _left_extend(text, bt.start(), 0), bt.start())
            if bt.start() - s2 >= 2:
                s = s2
        s = _clean_start(text, s, m.start())
        if kind in ("legal", "group"):
            s = _after_place_prefix(text, s, m.start())
        ym = _YEAR_OPENING.match(text, s + (text[s:s + 1] in "继于在从自"), m.start())
        if ym is not None:
            s = ym.end()  # 继2009年甲乙高路公司实施…: the year is no part of the name
        name = text[s:m.start()]
        if len(name) < 2 or _strip_generic(name) == "" or _AGGREGATE.match(name):
            continue
        if m.group() == "分公司" and (name.endswith(("下属", "所属", "旗下", "其", "该", "各", "家", "公司", "集团"))
                                     or len(name) < 3):
            continue  # 下属分公司, 该分公司: a reference, not a branch's name
        if kind == "short" and (name.endswith(("子", "分", "本", "该", "母", "合资", "各", "等", "性", "化", "资", "上市", "运营", "投资"))
                                or "国有" in name or _common_word(name)):
            continue
        out.append(_Cand("Company", s, m.end(), f"company.suffix.{kind}"))
    # a limited partnership (某某产业投资基金（有限合伙）): a company, its legal form in brackets
    if "有限合伙" in text:
        for m in _PARTNERSHIP.finditer(text):
            s = m.start(1)
            for sm in pat["stop"].finditer(text, s, m.start(2)):
                if sm.group() not in ("投资", "建设", "开发", "企业"):  # (产业投资基金: part of the name)
                    s = sm.end()
            k = max(text.rfind("和", s, m.start(2) - 4), text.rfind("及", s, m.start(2) - 4))
            if k >= 0 and re.search(r"(?:基金|公司|集团|企业)$", text[s:k]):
                s = k + 1  # 某某产业投资基金和某某合伙企业（有限合伙）: the second of two investors
            s = _clean_start(text, s, m.start(2))
            if m.start(2) - s >= 4:
                out.append(_Cand("Company", s, m.end(), "company.partnership"))
    # "（以下简称“X”）" / "简称X": a short name of the company just before
    for m in (_JIANCHENG.finditer(text) if "简称" in text else ()):  # every match holds 简称
        out.append(_Cand("Company", m.start(1), m.end(1), "company.alias.jiancheng",
                         (("alias_of_prev", "1"),)))
    return out


def _after_place_prefix(text: str, s: int, e: int) -> int:
    """Where a legal name starts when a place runs into it (马龙产业园区云南德盛…有限公司,
    富源县云南华滇…有限公司): at the province that opens the legal name, when all before it
    is a county, a city or a zone."""
    name = text[s:e]
    if _province_forms().search(name, 1) is None:
        return s
    for r in _name_regions(name):
        if r.start == 0 or r.place.level != "province":
            continue
        before = name[:r.start]
        regs = _name_regions(before)
        if _PLACE_PREFIX.search(before) or (regs and regs[0].start == 0 and regs[-1].end == len(before)) \
                or before == "据":
            return s + r.start  # (据内蒙古…有限责任公司介绍: 据 is "according to")
        break
    return s


def _zone_own_names(text: str, chosen: list[_Cand]) -> list[_Cand]:
    """丙区甲乙科学城: a zone named after the city or county written in full before its own name
    is also called by that own name (甲乙科学城); a nested form that joins the zone."""
    out = []
    for c in chosen:
        if c.type == "DevelopmentZone" and not c.attrs:
            name = text[c.start:c.end]
            suffix = max((x for x in _patterns()["zone_kind"] if name.endswith(x)), key=len, default="")
            cut = _after_district(name[:len(name) - len(suffix)])
            if cut:
                out.append(_Cand("DevelopmentZone", c.start + cut, c.end, "zone.own_name", (("nested", "1"),),
                                 canonical=name))
    return out


def _after_district(name: str) -> int:
    """Where a zone's own name starts after the city or county written in full before it
    (海淀区X科学城, 甲县乙工业园: the zone X科学城 lies in 海淀区); 0 when the name has no part
    of its own after the places (甲县经济开发区, 乙市高新区: the place is the name)."""
    end, last = 0, None
    for r in _name_regions(name):  # the places written in full that open the name (甲市乙区…)
        if r.start != end or r.short or r.place.level not in ("province", "city", "county"):
            break
        end, last = r.end, r
    if last is None or last.place.level == "province" or last.text[-1] not in "市区县旗":
        return 0
    return end if len(_strip_generic(name[end:])) >= 2 else 0


@lru_cache(maxsize=1)
def _province_forms() -> re.Pattern[str]:
    """The names of the provinces, full and short (a cheap test before a name is searched for
    places)."""
    from ..regions import places

    return _alternation({f for p in places() if p.level == "province" for f in (p.name, p.short) if f and len(f) >= 2})

#: what ends the name of a place (a zone, an area of one) run into a company's legal name
_PLACE_PREFIX = re.compile(r"(?:园区|开发区|高新区|经开区|新区|片区|工业园|产业园|工业区|集聚区|示范区)$")
_REGION_ABBR = set("京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川蜀黔贵滇云陕秦甘陇青宁新藏桂蒙港澳台")
_SHORT_NEXT = set("的与和及等已将也是为对以从把被并则还又均都所旗子在、，。；：,;:)）”\"")


def _short_companies(text: str) -> list[_Cand]:
    """Informal company names: a 2–4 character brand before a trade word (<brand>水泥)."""
    pat = _patterns()
    out = []
    for m in pat["shortheads"].finditer(text):
        e = m.end()
        nxt = text[e:e + 1]
        cued = bool(pat["company_verbs"].match(text, e))
        if nxt and nxt not in _SHORT_NEXT and _HAN_RE.match(nxt) and not cued:
            continue
        s = _left_extend(text, m.start(), max(0, m.start() - 6))
        k = max(text.rfind(ch, s, m.start()) for ch in "和与及")
        if k >= 0:
            s = k + 1  # 研究院和<brand>钒钛: the brand starts after the conjunction
        name = text[s:m.start()]
        if not 2 <= len(name) <= 4 or not _HANS_RE.fullmatch(name):
            continue
        if _INDUSTRY_LIST_AFTER.match(text, e):
            continue  # 风光氢储、硅基新材料、数字经济三大产业集群: sectors, not firms
        if len(name) >= 3 and (_is_vocab(name[-1] + m.group()) or _is_vocab(name[-2:] + m.group())) \
                and _is_vocab(name[:-1] if _is_vocab(name[-1] + m.group()) else name[:-2]):
            continue  # 煤电|煤化工: two industry terms, not a brand and a trade word
        if s > 0 and _HAN_RE.match(text[s - 1]) and not _patterns()["stop"].search(text[max(0, s - 4):s]):
            continue
        if _bad_brand(name, lenient=cued):
            continue
        out.append(_Cand("Company", s, e, "company.short_trade"))
    return out


def _company_list_matches(text: str):
    """``company_list`` matches, searched only in the character runs that hold 等 and 、
    (every match does, and none crosses a run)."""
    pat = _patterns()
    if "等" not in text or "、" not in text:
        return
    for r in pat["company_list_run"].finditer(text):
        a, b = r.start(), r.end()
        if text.find("等", a, b) >= 0 and text.find("、", a, b) >= 0:
            yield from pat["company_list"].finditer(text, a, b)


#: words between 等 and a company cue that keep a list a list of companies (A、B等知名企业);
#: a product or industry word does too (A、B等电池企业)
_LIST_MODIFIERS = frozenset({"知名", "头部", "重点", "骨干", "优质", "大型", "上市", "行业", "领军",
                             "链主", "央企", "国内", "国际", "全球", "世界", "外资", "民营", "国有",
                             "配套", "上下游", "龙头", "核心", "关键", "品牌", "知名品牌"})


def _firms_listed(m: re.Match[str]) -> bool:
    """Whether a company_list(_single) match lists companies: no modifier before the cue, a
    count of firms, a modifier of _LIST_MODIFIERS or a product or industry word."""
    mod = m.group(3)
    return not mod or bool(m.group(2)) or mod in _LIST_MODIFIERS or _is_vocab(mod) or _is_vocab(mod + "产业")


def _company_lists(text: str) -> list[_Cand]:
    """Items of "A、B、C等巨头/企业/为代表": company short names (GUIDELINES §7)."""
    out = []
    for m in _company_list_matches(text):
        if not _firms_listed(m):
            continue  # "A、B等项目落地企业": not a list of companies
        if any(_is_vocab(item) for item in m.group(1).split("、")):
            continue  # "引进汽车座椅、车灯、线束等配套企业": kinds of firms named by their products
        pos = m.start(1)
        for item in m.group(1).split("、"):
            s = pos
            pos += len(item) + 1
            if s == m.start(1):
                e = s + len(item)
                s = _left_extend(text, e, max(0, e - 12))
                item = text[s:e]
            if 2 <= len(item) <= 5 and not _is_region(item) and not _bad_brand(item, lenient=True):
                out.append(_Cand("Company", s, s + len(item), "company.list_item"))
            elif 6 <= len(item) <= 12 and _HANS_RE.fullmatch(item) and _ends_with_trade_word(item):
                # 安徽甲鸣新材料科技, 乙枫再生资源科技: a firm's informal name ending with its trade
                out.append(_Cand("Company", s, s + len(item), "company.list_item"))
    if "等" in text:
        for m in _patterns()["company_single"].finditer(text):
            item = m.group(1)
            if _firms_listed(m) and not _is_region(item) and not _is_vocab(item) and not _bad_brand(item):
                out.append(_Cand("Company", m.start(1), m.end(1), "company.list_item"))
    return out


def _ends_with_trade_word(name: str) -> bool:
    """True when ``name`` ends with a trade word of informal company names (…科技, …铝业) after
    at least two other characters that are not all a place."""
    m = _trade_word_at_end(name, max(0, len(name) - 4))
    return m is not None and m.start() >= 2 and not _is_region(name[:m.start()])


def _trade_word_at_end(name: str, lo: int):
    """The trade word (科技, 铝业…) that ends ``name``, searched from ``lo``, or None."""
    m = _patterns()["shortheads"].search(name, lo)
    while m is not None and m.end() != len(name):
        m = _patterns()["shortheads"].search(name, m.start() + 1)
    return m


def _is_vocab(name: str) -> bool:
    return name in product_vocabulary() or name in industry_vocabulary()


def _is_region(name: str) -> bool:
    if name in gazetteer()[0]:
        return True
    ms = _name_regions(name)
    return bool(ms) and ms[0].start == 0 and ms[0].end == len(name)


@lru_cache(maxsize=16384)
def _bad_brand(brand: str, lenient: bool = False) -> bool:
    """True when ``brand`` cannot be a company short name.

    ``lenient`` (a strong company cue follows: 投资, 董事长, a company list) accepts
    dictionary words and place names as brands (<place>证券 is a common firm name), and
    one-character stop words after the first character (华为, 以岭: 为 and 以 are prepositions).
    """
    pat = _patterns()
    lead = _jieba_words().get(brand[:2], (0, ""))
    if lead[0] >= 1000 and lead[1] in _CLAUSE_TAGS:
        return True  # 坚决稳住…: a clause, not a brand
    return (_strip_generic(brand) != brand and not (lenient and _new_brand(brand)) or _is_vocab(brand)
            or (not lenient and (_is_region(brand) or _common_word(brand)
                                 or any(r.start > 0 for r in _name_regions(brand))))
            or any(not lenient or len(m.group()) > 1 or m.start() == 0
                   for m in pat["stop"].finditer(brand))
            or bool(pat["project_cue_rx"].search(brand)) or bool(pat["project"].search(brand))
            or bool(pat["capacity_cue_rx"].search(brand))
            or _zone_word(brand) or bool(_GEO_FEATURE.search(brand))
            or all(ch in _REGION_ABBR for ch in brand)
            or all(ch in "十百千万亿" for ch in brand)  # “千亿石化”: a scale, a slogan
            or brand[-1] in "及和与、")  # 模组及|PACK生产线: a list of products, not a brand


def _new_brand(brand: str) -> bool:
    """新甲乙: a firm's name opening with 新 ("new", a generic prefix elsewhere), when
    the rest is no word of its own (not 新引进, 新落户)."""
    rest = brand[1:]
    return brand[0] == "新" and 2 <= len(rest) <= 3 and _strip_generic(brand) == rest and not _common_word(rest) \
        and not _jieba_words().get(rest[:2], (0, ""))[0]


#: a brand ending like a place of nature (<name>岛, <name>半岛, <sea area>海上): a location that opens a
#: project name, not a company
_GEO_FEATURE = re.compile(r"(?:岛|半岛|群岛|海上|海域|海湾|湾区|滩涂|沙漠|戈壁|草原|流域)$")


def _zone_word(brand: str) -> bool:
    """True when ``brand`` ends with a zone suffix that is always a zone (<place>新区,
    高新区, 经开区): the start of a project name in a zone, not a company's short name."""
    pat = _patterns()
    return any(m.end() == len(brand) and pat["zone_kind"].get(m.group()) == "zone"
               for m in pat["zone"].finditer(brand))


def _brand_prefix(text: str, c: _Cand) -> _Cand | None:
    """A company short name that starts a project name (<brand>5GW拉晶项目)."""
    pat = _patterns()
    if text.endswith(_LEGAL_ENDS, 0, c.start):
        return None  # 某某机器人有限公司激光焊接机器人…项目: its owner is named, no brand opens it
    name = text[c.start:c.end]
    s = 0
    regs = [m for m in _name_regions(name)]
    if regs and regs[0].start == 0:
        s = regs[0].end
        for r in regs[1:]:
            if r.start == s:
                s = r.end  # 某县|某镇|新材料产业园项目: a town after its county opens the name too
        if name[s:s + 1] in ("市", "县", "区", "州", "旗", "盟"):
            return None  # 吉安|市井开区…: the level of the place read short, no brand after it
    split = None
    mm = _ASCII_DIGIT.search(name, s)
    if mm and regs and regs[0].start == 0 and regs[0].place.level == "county" and _POWER_FIGURE.match(name, mm.start()):
        return None  # 某县北塔山50万千瓦风电项目: a place in the county names a power plant, not a brand
    if mm:
        split = mm.start()
        if name.endswith("第", 0, split):
            split -= 1  # <brand>第8.6代…生产线: the ordinal is not part of the brand
        # <brand>年产10GW…项目: the capacity cue before the figure is not part of the brand
        # (not after a place opening the name: 海兴半导年产… would give the fragment 半导)
        cue = pat["capacity_cue_rx"].search(name, s + 2, split) if s == 0 or not regs[0].short else None
        if cue is not None and cue.end() == split:
            split = cue.start()
    vocab_at: dict[int, int] = {}
    for h in _first_vocab_spans(name[s:]):
        a = None if h is None else h[0]
        if h is not None:
            vocab_at[s + h[0]] = max(vocab_at.get(s + h[0], 0), s + h[1])
        if a is not None and a >= 2 and (split is None or s + a < split):
            split = s + a
    by_vocab = split is not None
    for r in regs:
        if r.start >= s + 2 and (split is None or r.start < split):
            split = r.start
            break
    mm = pat["shortheads"].search(name, s)
    if mm and any(b > mm.end() if a == mm.start() else a < mm.start() and b >= mm.end()
                  for a, b in vocab_at.items()):
        # the trade word begins a product term (<brand>|汽车零部件) or ends one (功率半导体):
        # not part of a brand
        mm = None
    if mm and mm.start() >= s + 2 and (split is None or mm.start() <= split):
        split = mm.end()
        by_vocab = False
    if split is None:
        heads = list(pat["project"].finditer(name, s))
        if c.rule.endswith("phase") and len(heads) == 1 and not pat["project_cue_rx"].search(name, s, heads[0].start()):
            split = heads[0].start()
        else:
            return None
    zm = pat["zone"].search(name, s)
    if zm is not None and zm.start() < split:
        return None  # <X>化工园区…项目: the name opens with a zone, not a brand
    while split - s > 2 and name.endswith(_MODIFIER_WORDS, s, split):
        # <brand>绿色船舶修造基地项目: the modifier describes the project, not the brand
        split -= next(len(w) for w in _MODIFIER_WORDS if name.endswith(w, s, split))
    brand = name[s:split]
    if brand.endswith(("区", "县", "州", "旗", "镇", "乡")):
        return None  # 芜湖三山区|通用航空…, 伊犁州|煤制…: a place the gazetteer lacks, not a brand
    if "至" in name[:split]:
        return None  # 集宁至丰镇一级公路…: a road from one place to another, no brand
    if not (mm and mm.end() == split) and name.startswith(_SITE_NAMED_WORKS, split):
        return None  # 甲乙核电一期, 丙丁山抽水蓄能电站, 丙丁灌区: works named after their site, no brand
    if split - s == 4 and any(_is_region(name[s:s + 2] + suf) for suf in ("", "市", "州")) and any(
            _is_region(name[s + 2:split] + suf) for suf in "区县市"):
        return None  # 遵义汇川智能终端产业园: a city's and a district's short names, no brand
    core_len = len(brand) - (mm.end() - mm.start() if mm and mm.end() == split else 0)
    if not 2 <= core_len <= 4 or not _HANS_RE.fullmatch(brand) or "号" in brand:
        return None  # 国和一号: a model name, not a brand
    # a brand right before a product term of a listed project (<brand>煤炭综合利用) may be a
    # dictionary word
    if by_vocab and c.rule == "project.list_item":
        bad = (_bad_brand(brand, lenient=True) or _is_region(brand)
               or (_jieba_words().get(brand, (0, ""))[0] >= 100
                   and _jieba_words()[brand][1] not in _NAME_TAGS))
    else:
        bad = _bad_brand(brand)
    if brand == name or (bad and not (mm and mm.end() == split)):
        return None
    if core_len in (2, 3) and brand[core_len - 1] in _LOCALITY_ENDS and regs and regs[0].start == 0 \
            and regs[0].place.level == "county":
        return None  # 某县|北城|光伏电站项目, 某县|汉江|水泥…项目: a locality of the county, not a brand
    if mm and mm.end() == split and (_is_vocab(brand[:mm.start() - s]) or (
            mm.start() - s == 2 and brand[0] in _ELEMENTS and brand[1] in _ELEMENTS + "基系")):
        return None  # 尼龙|新材料项目, 铝基|新材料, 镍钴|新材料: the material before a trade word names the trade
    if core_len > 2 and mm and mm.end() == split:
        lead = _jieba_words().get(brand[:2], (0, ""))
        if lead[0] >= 100 and lead[1] not in _NAME_TAGS:
            return None  # 有色高|新材料: an ordinary word opens it, not a brand
    return _Cand("Company", c.start + s, c.start + split, "company.project_prefix")


#: how a power plant is laid out (分布式光伏电站): no part of a name
_PLANT_KIND = re.compile(r"^(?:分布式|集中式|屋顶|户用|地面)")
#: the same words anywhere in a name (我省集中式光伏电站: after a deictic place)
_PLANT_KIND_IN = re.compile(r"分布式|集中式|户用")

#: characters that go on a compound's name (丙烯|酸酯, 丙烯|腈, 聚乙烯|醇)
_CHEMICAL_TAILS = frozenset("酸酯醇醛酮腈胺酐酰")

#: a year opening a name (after its place): 2025年外资项目 is a class of a year's projects
_YEAR_LED = re.compile(r"(?:19|20)\d{2}年")

#: chemical elements a material is named by (铝基, 镍钴: no brand)
_ELEMENTS = "铝铜锂镍钴钛锌镁铁锰钒钨钼锡硅碳氢氟磷硼锆铬铅铂"

#: the last character of a locality's name (a town, a village, a river, a hill): two or three
#: characters so ending after a county that opens a project's name are a place in the county
_LOCALITY_ENDS = frozenset("城镇乡村江河湖山岭湾坪坝沟洲岗桥庄寨塘堡屯铺")


#: works that take the name of their site (X核电, X水电站, X灌区…): what opens them is a place
_SITE_NAMED_WORKS = ("核电", "水电站", "电站", "抽水蓄能", "水库", "灌区", "机场", "港口", "航道", "枢纽",
                     "水利", "大桥", "隧道", "通航", "输变电", "变电站", "换流站", "铁路", "高速", "光伏发电",
                     "风电场", "水资源")
#: an installed power (50万千瓦, 200MW): what names a plant before it is its site
_POWER_FIGURE = re.compile(r"[\d.]+\s*(?:万千瓦|千瓦|兆瓦|MW|GW|mw|gw)(?!时|h)")

#: the end of a company's legal name
_LEGAL_ENDS = ("股份有限公司", "集团有限公司", "有限责任公司", "有限公司", "股份公司", "集团公司", "株式会社")
#: where one of them is (longest first)
_LEGAL_SUFFIX_RE = re.compile("|".join(_LEGAL_ENDS))
#: the characters a legal form has after its first (a name window starting on one may have cut it)
_LEGAL_INNER = frozenset(ch for f in _LEGAL_ENDS for ch in f[1:])

#: words that describe a project (绿色船舶, 高端装备, 新型建材) and end no brand (a brand may end
#: with 智能 or 数字: 某某智能年产…项目)
_MODIFIER_WORDS = ("绿色", "高端", "新型", "现代", "低碳", "零碳", "循环")
_SCALE_QUALIFIER = re.compile(r"^[千百万亿]+级")
_DESCRIPTIVE_ZONE = re.compile(r"和|及|资源|^(?:国家级|省级|市级)")


#: what a site is for, when that is all its name says (生产基地, 研发制造中心, 总部基地)
_FUNCTION_ONLY = re.compile(r"(?:生产|研发|制造|加工|总部|产业|研发生产|生产制造|智能制造|物流|仓储|配套|区域|运营|结算|销售)+")


def _group_of_zones(name: str) -> bool:
    """乐亭经济开发区两大临港产业集聚区: the name counts zones (not 五大连池, a place)."""
    g = _GROUP_OF_ZONES.search(name)
    return g is not None and not any(r.start <= g.start() < r.end for r in _name_regions(name))


def _zones(text: str) -> list[_Cand]:
    pat = _patterns()
    out = []
    slogans = "“" in text and any(w in text for w in ("之都", "之城", "之乡", "名城"))
    for m in pat["zone"].finditer(text):
        s = _left_extend(text, m.start(), 0)
        s = _clean_start(text, s, m.start())
        name = text[s:m.start()]
        suffix = m.group()
        kind = pat["zone_kind"].get(suffix, "zone")
        if _COUNTED_ZONES.search(name) or _group_of_zones(name):
            continue  # 武汉东湖、襄阳、宜昌3家高新区, 两大临港产业集聚区: a count of zones, not one
        if name and suffix in ("高新区", "开发区", "经开区") and _common_word(name) and not _name_regions(name):
            name = ""  # 进一步提升开发区…, 这是继开发区…: a verb before the deictic zone, no name
        if not name or _strip_generic(name) == "":
            if suffix in ("高新区", "开发区", "经开区", "经济开发区", "经济技术开发区") and (
                m.start() == 0 or not _HAN_RE.match(text[m.start() - 1])
                or text[m.start() - 1] in "该在和与及、"):
                out.append(_Cand("DevelopmentZone", m.start(), m.end(), "zone.deictic",
                                 (("deictic", "1"),)))
            continue
        cut = _after_place_prefix(text, s, m.start())
        if cut > s:
            s, name = cut, text[cut:m.start()]  # 永兴县湖南永兴经济开发区: the zone's name opens at the province
        q = _SCALE_QUALIFIER.match(name)
        if q:
            s, name = s + q.end(), name[q.end():]  # 千亿级X产业园: the target scale is not the name
        if not name or (kind != "zone" and _DESCRIPTIVE_ZONE.search(name) and not _name_regions(name)):
            continue  # 石化和精细化工产业基地, 国家级农业产业园区: a kind of base, not a named place
        if slogans and (_IN_SLOGAN.match(text, m.end()) or _IN_SLOGAN_BEFORE.search(text, max(0, s - 12), s)):
            continue  # “光伏之都、锂电新城”: a city's slogan, not a zone
        if kind == "base" and _AIM_NAME.match(name) and _AIM_BEFORE.search(text, max(0, s - 6), s):
            continue  # 打造成为世界一流能源化工基地: an aim, not a place (GUIDELINES §3)
        if kind == "base":
            tail = text[m.end():m.end() + 6]
            if re.match(r"(?:建设)?(?:等)?(?:[0-9一二三四五六七八九十]+个)?(?:重点|重大)?项目|[一二三四五六七八九十]期", tail):
                continue  # a park listed among projects, or built in phases (X产业园一期), is a Project
        out.append(_Cand("DevelopmentZone", s, m.end(), f"zone.suffix.{kind}"))
    # a base or park of any name used as a place (位于X能源化工基地, 建设地点：X园区)
    ends = {c.end for c in out}
    for m in _PLACE_HEADS.finditer(text):
        if m.end() in ends or not (_PLACE_WORD.search(text, max(0, m.start() - _MAX_LEFT - 8), m.start())
                                   or text.startswith(("的", "内的"), m.end())):
            continue
        s = _clean_start(text, _left_extend(text, m.start(), 0), m.start())
        name = text[s:m.start()]
        if len(_strip_generic(name)) < 2 or _DESCRIPTIVE_ZONE.search(name) and not _name_regions(name):
            continue
        if _STRONG_PLACE_BEFORE.search(text, max(0, s - 3), s) or _PLACE_LABEL.search(text, max(0, s - 8), s) or (
                text.startswith("以", s - 1) and _PLATFORM_AFTER.match(text, m.end())) or _HOSTS_PROJECT.match(text, m.end()):
            out.append(_Cand("DevelopmentZone", s, m.end(), "zone.place_use"))
    return out


#: the sector a list's shared head may name (A、B等煤电项目, 等4个在建铁路项目, 等制造业项目92个)
_LIST_SECTOR = ("输变电|输电|水利|交通|能源|产业|制造业|工业|煤电|电力|火电|水电|风电|光伏|新能源|储能|"
                "港航|航道|水运|港口|航运|基础设施|民生|社会事业|文旅|旅游|农业|物流|市政|城建|生态环保|环保|技改|产业化")
#: an office held in an organ, right after the organ's name (市委书记, 管委会主任, 市委常委):
#: the organ is part of a title there
_OFFICE_AFTER = re.compile(r"(?:常务)?副?(?:书记|常委|主任|省长|市长|县长|区长|主席|局长|厅长|部长|秘书长|州长|旗长|盟长)")
#: what stands between 等 and a list's shared head (等4个在建铁路项目)
_COUNTED_ZONES = re.compile(r"[0-9一二三四五六七八九十两]+[家个]$")
#: zones named by their number (A、B两大临港产业集聚区): a group, not one zone
_GROUP_OF_ZONES = re.compile(r"[两三四五六七八九十几]大(?!道|街|路|桥|湖|山|河)")
#: what may stand between 等 and the head a list shares: a count, a sum or a threshold, stages
#: (等1.22万个亿元以上新建续建项目, 等35个总投资253亿元项目, 等4个在建铁路项目)
_LIST_MIDDLE = (r"(?:[0-9.一二三四五六七八九十]+万?[个项条处座])?(?:总投资(?:约|近|超)?[0-9.]+(?:亿|万)元的?|[0-9.]*[亿万]元以上的?)?"
                r"(?:在建|续建|新建|新开工|拟建|重点|重大|省级|市级){0,3}")
_LIST_HEAD_BEFORE = re.compile(rf"等{_LIST_MIDDLE}$")
#: a shared head's name part: a sector or nothing (等煤电项目, 等项目)
_LIST_HEAD_NAME = re.compile(rf"(?:{_LIST_SECTOR})?(?:铁路|高速公路|高铁|公路|煤矿)?")
_PROJECT_LIST = re.compile(rf"((?:[{_HAN}A-Za-z0-9·\-/()（）.]+、)*[{_HAN}A-Za-z0-9·\-/()（）.]+)等{_LIST_MIDDLE}((?:{_LIST_SECTOR})?(?:项目|工程|煤矿|高速公路|高铁|铁路|公路))")


# A match of _PROJECT_LIST lies inside a run of these characters (its tail words are Han).
_PROJECT_LIST_RUN = re.compile(rf"[{_HAN}A-Za-z0-9·\-/()（）、.]+")


def _project_list_matches(text: str):
    """``_PROJECT_LIST.finditer(text)``, searching only the character runs that contain 等
    (the pattern backtracks over every position of a run; matches never cross a run)."""
    for r in _PROJECT_LIST_RUN.finditer(text):
        if text.find("等", r.start(), r.end()) >= 0:
            yield from _PROJECT_LIST.finditer(text, r.start(), r.end())


@lru_cache(maxsize=16384)
def _project_evidence(name: str) -> bool:
    """True when a candidate name looks like a concrete undertaking (not 达产项目)."""
    pat = _patterns()
    if re.search(r"[A-Za-z0-9]", name):
        return True
    if pat["project_cue_rx"].search(name):
        return True
    weak = pat["project_weak_cue_rx"].search(name)
    if weak is not None and len(name) - (weak.end() - weak.start()) >= 3:
        return True
    if any(a is not None for a in _first_vocab_hits(name)):
        return True
    if _name_regions(name):
        return True
    return False


# A generic or aggregate reference, not one named undertaking: determiners and quantifiers
# (该/各/我国/三大, 我区…项目), or a "major/key" qualifier right before the head (重大项目, 重点工程).
_GENERIC_PROJECT = re.compile(r"该|各[项地类]?|我国|^(?:我|本|全)[省市县区州旗盟镇乡](?!域)|全线|多个|首条|[两三四五六七八九十几]大|^(?:配套|示范性|[一二三四]级)|^(?:项目|工程)$|"
                              r"(?:重大|重点|大|配套|骨干|基础设施|控制性|交通|隧道|路基|桥梁|输变电|示范性)$|"
                              r"(?:重大|重点)(?:建设|产业|工业|园区|技改|技术改造)$|(?:招商引资|招商|引资|签约|储备|谋划|续建|新开工)$|(?:补链|延链|强链|固链|建链)$|"
                              r"\d{4}年(?:度|第.批)?(?:[省市县区]级)?(?:重大|重点)")
#: a kind of works with no name of its own (项目为新建项目); after its owner's legal name it is
#: the owner's project (某某水泥有限责任公司技改项目)
_BARE_KIND = re.compile(r"(?:新建|改建|扩建|改扩建|技改|迁建|续建|建设)")
_PHASE = re.compile(rf"[一二三四五六七八九十]期(?:工程|项目)?(?:[{_HAN}]{{1,6}}至[{_HAN}]{{1,6}}?段|[{_HAN}]{{2,5}}?段)?")
_ROAD_SECTION = re.compile(rf"[{_HAN}]{{2,4}}线[{_HAN}]{{2,5}}?段")


def _is_industry_term(s: str) -> bool:
    """Whether ``s`` is exactly a sector of the industry vocabulary (新能源, 文化旅游)."""
    return any(a == 0 and b == len(s) for a, b, _f in _patterns()["industries"].finditer(s))


#: a park word ending a project's name (…产业园项目)
_SECTOR_PARK = re.compile(r"(?:产业园区?|工业园区?|园区|产业基地|产业链|产业)$")


def _generic_project(name: str) -> bool:
    """True for 该高铁桥梁工程, 航空航天重大项目, 长治市项目 (no name of its own)."""
    if name.endswith(("及配套", "和配套")) and len(name) > 5:
        name = name[:-3]  # 年产50万吨X冶炼及配套项目: the works and what serves them
    if _GENERIC_PROJECT.search(name):
        return True
    if len(name) <= 4 and _is_industry_term(name):
        return True  # 单体规模最大光伏项目 → 光伏项目: a sector's projects, no name
    park = _SECTOR_PARK.search(name)
    if park is not None and _is_industry_term(name[:park.start()]):
        return True  # 精细化工产业园项目建设跑出加速度: a sector's park projects, no name
    if _YEAR_INSIDE.search(name):
        name = _YEAR_INSIDE.sub("", name)  # 湖南桃江2025年产业项目: a year's projects of a place
        if not _strip_generic(name):
            return True
    regs = _name_regions(name)
    if regs and regs[0].start == 0:
        end = regs[0].end
        for r in regs[1:]:
            if r.start == end:
                end = r.end  # 湖南桃江…: a province and its county
        rest = name[end:]
        if rest == "国际":
            return False  # 甲乙国际机场: a place's international airport is named after it
        if len(rest) < 2 or not _strip_generic(rest) or _is_industry_term(rest):
            return True  # 凉城县新能源项目: a county's projects of a sector, not one project
    return False


#: where an item of a list of projects starts, and the sum that follows its name
_ITEM_START = re.compile(r"(?:^|[：:；;\n])$")
_ITEM_SUM_AFTER = re.compile(r"[，,](?:项目)?(?:总|计划|拟)?投资(?:额)?(?:约|近|超)?[0-9]")
#: a figure alone before a head (253亿元项目) and a sum inside a name (银川20亿单晶硅)
_FIGURE_NAME = re.compile(r"(?:总投资|投资)?[0-9.]+(?:万|亿)?元?")
_MONEY_IN_NAME = re.compile(r"[0-9.]+(?:亿元?|万元)(?![吨千瓦])")
#: a year opening a phrase (2024年首部枢纽…)
_YEAR_OPENING = re.compile(r"(?:19|20)[0-9]{2}年")
#: a year inside a name (…2025年产业项目, 2024年度重点项目)
_YEAR_INSIDE = re.compile(r"(?:19|20)[0-9]{2}年度?")
#: a programme named by its numbers (“十百千万”工程, “双百双新”项目, “千企技改”项目, “三个一批”):
#: a class of projects, not one undertaking
_NUMBERED_PROGRAMME = re.compile(r"[一二三四五六七八九十百千万双两][^“”]{0,5}$")
#: a project's name in quotes right before its head
_QUOTED_PROJECT = re.compile(r"“([^“”\n，。！？；：,!?;:]{2,30})”(项目|工程)(?!负责人|经理|部|方)")

#: verbs that award a title (获评X示范基地, 入选X试点项目): what follows is a designation
_DESIGNATION_BEFORE = re.compile(r"(?:获评|荣获|获批|评为|认定为|授予|入选|命名为|列为|获得)(?:了)?(?:为)?(?:首批|第[一二三四五六七八九十]批)?$")

#: a line or a record's field stating what a project builds (建设内容：…, 主要建设内容及规模：…)
_CONTENT_LINE = re.compile(r"[^\S\n]*(?:[（(]?[一二三四五六七八九十\d]+[）)、.．])?[^\S\n]*(?:主要)?(?:建设|项目)(?:内容|规模)(?:及(?:规模|内容))?[：:]")

#: a capacity that opens a project's name (年产40亿立方米煤制天然气项目 is 煤制天然气项目 again)
_CAPACITY_PREFIX = re.compile(r"(?:年产|年处理|年加工|日产|日处理|年产能)?[\d.]+(?:万|亿|千)?(?:吨|立方米|千瓦|兆瓦|千瓦时|"
                              r"GW|MW|GWh|MWh|台|套|辆|片|件|平方米|条)(?:/年)?")

def _builds_for_named(text: str, s: int) -> bool:
    """Whether the clause before ``s`` says what a project named earlier in its sentence
    builds (1.某县年产60万吨玉米深加工项目，某公司，总投资18.2亿元，建设玉米淀粉…生产线)."""
    c0 = max(text.rfind(c, 0, s) for c in "，,。；;\n") + 1
    s0 = max(text.rfind(c, 0, s) for c in "。；;\n") + 1
    return bool(_BUILDS_CLAUSE.match(text, c0, s)) and "项目" in text[s0:c0]


#: a clause that says what is built (建设…, 新建…, 主要建设…)
_BUILDS_CLAUSE = re.compile(r"(?:主要|配套|同时|并)?(?:新建|建设|扩建|建成)")

#: what a place is to become (打造成为…, 建设成…): what follows names an aim
_AIM_BEFORE = re.compile(r"(?:打造成?为?|建设成为?|建成为?|成为|培育成为?|发展成为?)$")
#: the rank or size of an aim (世界一流, 千亿级)
_AIM_NAME = re.compile(r"(?:世界|全球|国际|全国|国内|全省|区域性?)(?:一流|领先|知名|级|重要)|[千百万]亿级?|一流|国家"
                       r"|[0-9百千万亿]+(?:千瓦|吨|瓦|GW|MW)级")  # 打造百万千瓦级光伏基地: a scale aimed at

#: a slogan in quotes that names what a city is to be (光伏之都、锂电新城)
_IN_SLOGAN = re.compile(r"[^“”\n]{0,12}?(?:之都|之城|之乡|名城)[^“”\n]{0,12}”")
_IN_SLOGAN_BEFORE = re.compile(r"“[^“”\n]{0,10}?(?:之都|之城|之乡|名城)、[^“”\n]*$")

#: a street number after a road's name (青年大道XX号, 中山路18号)
_ADDRESS_AFTER = re.compile(r"[\dXx×０-９]+号")

#: a date or time before a phase (2023年9月一期, 12月底前一期)
_TIME_PREFIX = re.compile(r"(?:\d{4}年)?(?:\d{1,2}月)?(?:底|初|中旬|上旬|下旬|末)?(?:前|后|以来)?")

#: an ordinal that opens a phrase (第二个生产基地)
_ORDINAL_NAME = re.compile(r"第[一二三四五六七八九十\d]+[个座家条]")

#: the end of a list of sectors (、数字经济三大产业集群, 等主导产业)
_INDUSTRY_LIST_AFTER = re.compile(r"(?:、[^，。；、\n]{1,10})*等?(?:[一二三四五六七八九十两\d]+大)?(?:主导|优势|特色|新兴|重点|支柱)?"
                                  r"(?:产业集群|产业链|产业|集群|行业|领域|板块)")

#: a capacity right after a place opening a project's name (金塔县|50万千瓦|光伏+储能项目)
_CAPACITY_INSIDE = re.compile(r"(?<=[县市区旗州])(?:年产|年处理)?[\d.]+(?:万|亿|千)?(?:吨|千瓦|兆瓦|GW|MW|GWh|MWh|台|套|辆)(?:/年)?")

#: a section's number at a line's start ((一), 二、)
_SECTION_OPENING = re.compile(r"(?:^|\n)[^\S\n]*(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、.．])[^\S\n]*$")

#: a place said to be a base of a whole country or region (是全国重要的…基地, 是我国最大的…基地)
_SCOPE_DESIGNATION = re.compile(r"(?:是|为|成为)(?:全国|全省|全球|世界|国家|我国|中国|国内|亚洲|区域|西南|西北|东北|华北|华东|华南|华中)"
                                r"[^，。；、\n]{0,6}?的?$")

#: a reference to the project named before (项目一期, 该项目二期: that project's phase)
_PROJECT_PRONOUN = re.compile(r"(?:^|(?<=[，；。、：,;:\n “]))(?:目前)?(?:该|本|此)?项目$")

#: what may follow a phase that opens a clause as its subject: its figures (一期投资…) or
#: its stage (二期正在进行设备安装, 二期预计年底投产)
_PHASE_SUBJECT_NEXT = ("投资", "总投资", "工程", "项目", "主体", "正在", "正加紧", "已", "预计", "计划", "将于",
                       "力争", "目前", "于", "厂房", "车间", "设备", "生产线")


def _phases(text: str, projects: list[_Cand]) -> list[_Cand]:
    """Phase mentions: 一期/二期 (with a section) attached to a project or standing alone.

    A phase right after a project name with a section (…工程一期X至Y段) is a project of its own;
    a phase at clause start that carries an investment or a section (一期投资…, 二期X至Y段) takes
    the nearest preceding project as its parent (GUIDELINES §3.3: canonical = parent + phase).
    """
    out = []
    ends = sorted((c.end, c.start, c) for c in projects if c.rule != "project.list_item")
    for m in _PHASE.finditer(text):
        s, e = m.start(), m.end()
        section = e - s > 2 and text[e - 1] == "段"
        prev = text[s - 1:s]
        owner = None
        for pe, _ps, c in ends:
            if pe == s:
                owner = c
        if owner is not None:
            if section:
                pname = owner.canonical or text[owner.start:owner.end]
                out.append(_Cand("Project", s, e, "project.phase_section", canonical=pname + text[s:e]))
            continue
        if text.startswith("分", s - 1) or text.startswith("共分", s - 2):
            continue  # 项目共分三期建设: how a project is built, no phase named
        pronoun = _PROJECT_PRONOUN.search(text, max(0, s - 5), s) is not None
        if prev and prev not in "，；。、：,;:\n " and not pronoun and not text.endswith("其中", 0, s):
            continue  # (其中一期投资25亿元: the phase after 其中 opens its clause)
        if not (section or pronoun or text.startswith(_PHASE_SUBJECT_NEXT, e)):
            continue
        parent = None
        for pe, ps, c in ends:
            if pe <= s and (parent is None or pe > parent.end or (pe == parent.end and ps < parent.start)) \
                    and not _PHASE.match(text, ps):  # (一期3万吨生产线已投产，二期…: 二期 is the project's)
                parent = c
        if parent is None:
            continue
        pname = parent.canonical or text[parent.start:parent.end]
        pname = re.sub(r"[一二三四五六七八九十]期.*$", "", pname) or pname
        out.append(_Cand("Project", s, e, "project.phase_alone", canonical=pname + text[s:e]))
    for m in (_ROAD_SECTION.finditer(text) if "段" in text else ()):  # every match ends in 段
        out.append(_Cand("Project", m.start(), m.end(), "project.road_section"))
    return out


#: what ends the name of a site or works (a name joined to another by 和 ends with one)
_SITE_HEADS = ("中心", "基地", "项目", "工程", "生产线", "产业园", "工厂", "园区")


def _phase_led(text: str, chosen: list[_Cand]) -> list[_Cand]:
    """A project named by its phase first (一期3万吨生产线已投产) is that phase of the project
    named before it in the paragraph: its canonical name is the parent's name and the mention
    (GUIDELINES §3.3)."""
    led = [c for c in chosen if c.type == "Project" and not c.canonical and _PHASE.match(text, c.start)]
    if not led:
        return chosen
    parents = sorted((c.end, c.start, c) for c in chosen if c.type == "Project" and not _PHASE.match(text, c.start))
    out = []
    for c in chosen:
        if c in led:
            p0 = text.rfind("\n\n", 0, c.start)
            before = [p for pe, ps, p in parents if pe <= c.start and ps > p0 and c.start - pe <= 300]
            if before:
                par = before[-1]
                pname = par.canonical or text[par.start:par.end]
                c = _with(c, canonical=pname + text[c.start:c.end])
        out.append(c)
    return out


def _inside_product(product_starts: dict[int, tuple[int, ...]], start: int, end: int) -> bool:
    """True when a product of the vocabulary starts at ``start`` and runs past ``end``
    (a project head that begins a product name: 工程机械, 工程塑料), within 16 characters.

    ``product_starts`` is ``dict(products.starts(text))``: the document is scanned once, not
    a window per head."""
    return any(end - start < ln <= 16 for ln in product_starts.get(start, ()))


#: jieba tags of common descriptive words (环保, 绿色, 智能, 高端) that open a phrase, not a brand
_DESCRIPTOR_TAGS = frozenset({"n", "vn", "a", "an", "b", "j", "d", "v"})


@lru_cache(maxsize=1)
def _link_labels() -> frozenset[str]:
    """Names of chain links (印染, 封装测试): steps of a chain, not brands."""
    return frozenset(e.form for e in chain_vocabulary() if e.kind == "link")


def _descriptor_then_vocab(item: str) -> bool:
    """Whether ``item`` is a common descriptive word followed by a sector, link or product
    word (环保印染, 绿色建材): a kind of undertaking, not <brand><sector>."""
    jw = _jieba_words()
    for i in range(2, len(item) - 1):
        hit = jw.get(item[:i])
        rest = item[i:]
        if hit and hit[0] >= 300 and hit[1] in _DESCRIPTOR_TAGS and (_is_vocab(rest) or rest in _link_labels()):
            return True
    return False


def _metonymy_company(item: str, bare_ok: bool = True) -> bool:
    """True when a list item is a bare company name (<brand>, <brand>半导体), not a project phrase.

    ``bare_ok`` False: a brand alone (甲乙) does not count, only a brand with a trade word
    (where the list's head names a sector, 甲湾、乙南等煤电项目, a bare word labels the project).
    """
    if not 2 <= len(item) <= 6 or not _HANS_RE.fullmatch(item):
        return False
    if _descriptor_then_vocab(item):
        return False  # 引进功能性面料、环保印染等项目: kinds of projects
    if _PHASE.search(item) or _patterns()["project"].search(item):
        return False
    m = _patterns()["shortheads"].search(item)
    if m and m.end() == len(item) and 2 <= m.start() <= 4:
        return not _bad_brand(item[:m.start()])
    if item.endswith(_SITE_NAMED_WORKS + ("灌区", "港", "码头", "泊位", "船闸")):
        return False  # 丙丁灌区, 长塘水库: works named after their site
    # (a bare brand is short: 精密光学镜头 is a product phrase)
    return bare_ok and len(item) <= 4 and not _project_evidence(item) and not _bad_brand(item)


def _projects(text: str) -> list[_Cand]:
    pat = _patterns()
    out = []
    product_starts = None
    for m in pat["project"].finditer(text):
        head = m.group()
        kind = pat["project_kind"].get(head, "head")
        if product_starts is None:
            product_starts = dict(pat["products"].starts(text))
        if _inside_product(product_starts, m.start(), m.end()):
            continue  # 年产21万吨工程机械: the head is the start of a product's name
        s = _left_extend(text, m.start(), 0, adjacent_ok=kind != "facility")
        # (建设项目 is a name's head; 在X开发区建设铁路专用线: 建设 is the verb before a facility)
        # a full legal company name before the project is its owner, not part of it
        owned = False
        if text[s:s + 1] in _LEGAL_INNER:
            for lm in _LEGAL_SUFFIX_RE.finditer(text, max(0, s - 6), m.start()):
                if lm.start() < s < lm.end():
                    s, owned = lm.end(), True  # (the window began inside the owner's legal form)
        for cm in pat["company"].finditer(text, s, m.start()):
            if pat["company_kind"].get(cm.group()) in ("legal", "group") and cm.end() < m.start():
                s = cm.end()
                owned = True
        if kind == "phase":
            # a phase of a company or institute (X研究院二期): the whole name is the parent
            for cm in pat["company"].finditer(text, max(0, m.start() - 8), m.start()):
                if cm.end() == m.start():
                    s = min(s, _clean_start(text, _left_extend(text, cm.start(), 0), cm.start()))
        s = _clean_start(text, s, m.start())
        j = max(text.rfind(c, s, m.start()) for c in "和及与")
        if j > s and text.endswith(_SITE_HEADS, s, j):
            s = j + 1  # 建设华东研发中心和智能制造基地: two sites joined, the name starts after 和
        if text.startswith("在建", s - 1) and not any(r.start == 0 for r in _name_regions(text[s:m.start()])):
            s += 1  # 在建抽水蓄能电站 (not 在建安高新区…: there 建 opens a place's name)
        name = text[s:m.start()]
        if kind != "phase":
            # a generic head phrase in apposition before the name (控制性工程X枢纽, 首条高铁X高铁,
            # 建设项目X工程): the name starts after it
            for hm in pat["project"].finditer(name):
                if hm.end() < len(name) and pat["project_kind"].get(hm.group()) != "phase" and (
                        hm.start() == 0 or _GENERIC_PROJECT.search(name[:hm.start()])):
                    s += hm.end()
                    name = name[hm.end():]
                    break
        core = _strip_generic(name)
        if len(core) < 2 or _AGGREGATE.match(name) or _COUNT_IN_NAME.search(name) or _COUNTED.search(name):
            continue
        if _FIGURE_NAME.fullmatch(name):
            continue  # 等35个总投资253亿元项目: a sum, not a name
        if kind != "phase" and _YEAR_OPENING.match(name):
            continue  # 计划2024年首部枢纽…完成: a dated clause, not a name
        if (_MEASURED.match(name) and not LAND_PROJECT_RE.match(text, s, m.end())) or \
                _QUANTIFIED.search(text, max(0, s - 3), s):
            continue  # 11万平方米…工厂, 一批…生产线: a description or an aggregate, not a name
        if text.startswith(("建成后", "投产后", "达产后", "竣工后"), s - 3):
            continue  # 建成后年产32万吨…: what it will make, a predicate, not a name
        if _DEMONSTRATIVE.search(text, max(0, s - 2), s) or text.startswith(("此次", "本次", "这次"), s - 2):
            continue  # 这个储能项目, 该项目: a reference to a project named elsewhere
        if _BATCH.search(name):
            continue  # 第三批省重点建设项目: a list's title
        if head.endswith("电站") and (not (pk := _PLANT_KIND.sub("", _strip_generic(_PLANT_KIND_IN.sub("", name)))) or _is_vocab(pk)):
            continue  # 新增光伏电站装机, 分布式光伏电站, 我省集中式光伏电站: a kind of plant, not a named one
        if "年" in name and _YEAR_LED.match(name, next((r.end for r in _name_regions(name)[:1] if r.start == 0), 0)):
            continue  # 厦门市2025年外资项目: a year's class of projects, not one undertaking
        if _DESIGNATION_BEFORE.search(text, max(0, s - 6), s):
            continue  # 获评国家新型工业化产业示范基地: a title awarded, not an undertaking
        if head in ("基地", "工厂", "产业园", "园区", "中心") and _FUNCTION_ONLY.fullmatch(name):
            continue  # 在常州布局生产基地, 建设研发中心: a kind of site, no name of its own
        if head == "工程" and name.endswith("公用") or (
                head in ("生产线", "中试线", "改造", "基地", "产业园", "工厂") or head == "工程" and name.endswith(("配套", "辅助"))) and (
                _CONTENT_LINE.match(text, max(text.rfind(c, 0, s) for c in "\n；;") + 1)
                or head != "工程" and _builds_for_named(text, s)):
            continue  # 建设内容：建设…沉锂生产线及配套设施, …装置及公用工程, X项目，总投资…，建设…生产基地: what a project builds
        if head == "项目" and _SECTION_OPENING.search(text, max(0, s - 8), s) and (
                _is_vocab(name) or _is_vocab(_strip_generic(name))):
            continue  # （一）煤化工项目加速推进, （一）能源化工项目: a section on a sector's projects, not one project
        if _ADDRESS_AFTER.match(text, m.end()):
            continue  # 地址：某市某区青年大道XX号: an address, not a road project
        if _ORDINAL_NAME.match(name):
            continue  # 在亚洲设立的第二个生产基地: one of a company's bases counted, not a name
        if head == "基地" and _SCOPE_DESIGNATION.search(text, max(0, s - 14), s):
            continue  # 西峡县是全国重要的汽车零部件生产基地: what a place is, not an undertaking
        if _AIM_NAME.match(name) and _AIM_BEFORE.search(text, max(0, s - 6), s):
            continue  # 把古雷打造成为世界一流石化基地, 打造千亿级…产业园: an aim (GUIDELINES §3)
        if text.startswith("之一", m.end()):
            continue  # 最大的乘用车工厂之一: one of a class, not a name
        if _LIST_HEAD_BEFORE.search(text, max(0, s - 12), s) and _LIST_HEAD_NAME.fullmatch(name):
            continue  # A、B等4个在建铁路项目: the head the list's items share, not a project
        if kind != "phase" and _COUNT_AFTER.match(text, m.end()):
            continue  # 新能源及新型储能项目112个: a class of projects counted, not a name
        if kind == "phase" and text.startswith("分", m.start() - 1):
            continue  # 项目共分三期建设: how a project is built, no phase named
        if kind == "phase" and _TIME_PREFIX.fullmatch(name):
            continue  # 2023年9月一期建成投产: a date before the phase, no name
        if kind == "phase" and (len(name) < 2 or _PROJECT_PRONOUN.fullmatch(name)):
            continue  # 项目一期: the phase of the project named before (_phases)
        if kind == "phase" and (pm := _PHASE.match(text, m.start())) and text[pm.end() - 1] == "段":
            continue  # …工程一期X至Y段: the phase with its section is the project (_phases)
        if head == "工程" and name.endswith(("项目主体", "项目配套", "项目土建", "项目基础")):
            continue  # …一体化项目主体工程: a part of the project named before it
        if head == "基地" and name.endswith(("产业", "产业化", "零部件")):
            continue  # a base named as a place: a zone (zone_suffixes)
        if head in ("基地", "园区", "产业园") and (_STRONG_PLACE_BEFORE.search(text, max(0, s - 3), s)
                                              or text.startswith("以", s - 1) and _PLATFORM_AFTER.match(text, m.end())
                                              or _HOSTS_PROJECT.match(text, m.end())
                                              or _PLACE_LABEL.search(text, max(0, s - 8), s)):
            continue  # 位于X能源化工基地, 建设地点：X园区: a place, a zone (_zones)
        if head == "产业园" and (_PLACE_BEFORE.search(text, max(0, s - 2), s)
                                  or _PLACE_AFTER.match(text, m.end())
                                  or _PLACE_LABEL.search(text, max(0, s - 8), s)):
            continue  # 在X产业园投资, X产业园已集聚…企业: the park as a place, a zone
        # an item of a list of projects with their sums (附项目概况：X基地，计划投资5亿元；Y项目，总投资…)
        # is a project whatever its words
        item = bool(_ITEM_START.search(text, max(0, s - 1), s) and _ITEM_SUM_AFTER.match(text, m.end()))
        if kind == "head" and head not in ("生产线", "中试线", "示范基地") and not _project_evidence(core) \
                and not (owned and len(core) >= 4 and _clean_start(text, s, m.start()) == s) and not item:
            continue  # (a name its owner's legal name opens is one: 某某化工股份有限公司X搬迁项目)
        if _generic_project(name) and not (item and len(name) >= 4 and _strip_generic(name) == name) \
                or (not owned and _BARE_KIND.fullmatch(name)):
            continue
        # do not swallow the next word after the head (项目建设 is fine: head ends here)
        out.append(_Cand("Project", s, m.end(), f"project.head.{kind}"))
    # a name in quotes before its head (签约“甲乙智能制造产业园”项目): the quoted name and the head
    if "”" in text:
        for m in _QUOTED_PROJECT.finditer(text):
            inner = m.group(1)
            if (len(inner) >= 4 or _project_evidence(inner)) and not _generic_project(inner) \
                    and not _NUMBERED_PROGRAMME.match(inner):
                # (not a slogan, “两新”项目, “双碳”项目: a class of projects; nor a programme
                # named by its numbers, “十百千万”工程, “双百双新”项目, “千企技改”项目)
                # (the mention is the name inside the quotes; the canonical name adds the head)
                out.append(_Cand("Project", m.start(1), m.end(1), "project.quoted", canonical=inner + m.group(2)))
    # list items "A、B等项目": each item is a project (canonical gets the shared head)
    for m in _project_list_matches(text):
        if _QUANTIFIED.search(text, max(0, m.start(1) - 3), m.start(1)):
            continue  # 一批A、B等项目: an aggregate
        items_text = m.group(1)
        head = m.group(2)
        base = m.start(1)
        pos = 0
        for item in items_text.split("、"):
            s = base + pos
            e = s + len(item)
            pos += len(item) + 1
            for conj in ("和", "及", "与"):
                k = item.rfind(conj)
                if k > 0 and text[s:s + k].endswith(("高铁", "公路", "项目", "工程", "铁路", "线", "码头", "机场",
                                                      "水库", "枢纽", "航道", "船闸")):
                    f0 = _clean_start(text, _left_extend(text, s + k, s), s + k)
                    if s + k - f0 >= 4 and text.endswith(("码头", "机场", "水库", "枢纽", "航道", "船闸"), f0, s + k):
                        # …戊己矶码头和庚辛湖三期工程: the works before 和 are an item too (a head
                        # the project rule does not know)
                        out.append(_Cand("Project", f0, s + k, "project.list_item"))
                    s = s + k + 1
                    item = text[s:e]
            s2 = _left_extend(text, e, s) if item else s
            s2 = _clean_start(text, s2, e)
            cm = next((c for c in pat["company"].finditer(text, s2, e)
                       if pat["company_kind"].get(c.group()) in ("legal", "group")), None) if (
                text.find("公司", s2, e) >= 0 or text.find("集团", s2, e) >= 0) else None
            if cm is not None and s2 > s:
                # the window cut the owner's legal name that opens the item (安徽甲乙科技有限公司年产
                # 800万台…项目、…等): the item starts where that name does
                cs = _clean_start(text, _left_extend(text, cm.start(), s), cm.start())
                if s <= cs < s2:
                    s2 = cs
            it = text[s2:e]
            if len(it) < 2 or _strip_generic(it) == "" or it == head or it in ("项目", "工程"):
                continue  # (an item that is the head alone: what a quoted name left, “A”项目、“B”项目等)
            if _generic_project(it) or _MONEY_IN_NAME.search(it):
                continue  # (银川20亿单晶硅等新能源项目: a headline's sum, not an item's name)
            if text.startswith("在建", s2 - 1):
                continue  # 以及在建抽水蓄能电站等项目: the works under way of a kind, no name
            if head.endswith("项目") and (_metonymy_company(it, bare_ok=head == "项目") or it.endswith(_LEGAL_ENDS)):
                # a company name as the label of a project in a list (GUIDELINES §2)
                out.append(_Cand("Company", s2, e, "company.list_metonymy"))
                continue
            canon = it if it.endswith(head) else it + ("项目" if head == "项目" else head)
            out.append(_Cand("Project", s2, e, "project.list_item", canonical=canon))
    return out


def _gov(text: str, regions: list[_Cand], zones: list[_Cand]) -> list[_Cand]:
    pat = _patterns()
    ends: dict[int, int] = {}
    for c in regions + zones:
        ends[c.end] = min(ends.get(c.end, c.start), c.start)
    # 朔州市 + 市委: the region's level character is the organ's first character
    shared: dict[int, int] = {c.end - 1: c.start for c in regions if text[c.end - 1:c.end] in "市省县区"}
    reg_starts = sorted(c.start for c in regions)
    out = []
    for m in pat["gov"].finditer(text):
        s = m.start()
        if text.startswith("工作报告", m.end()):
            continue  # 2026年某某省政府工作报告: the report's name, no organ acting
        # optional level char (市/省/县/区) before an organ name: 市某某局
        j = s
        if j > 0 and text[j - 1] in "市省县区" and not m.group().startswith(("市", "省", "县", "区")):
            j -= 1
        if s in ends:
            out.append(_Cand("GovernmentBody", ends[s], m.end(), "gov.region_prefix"))
        elif s in shared and m.group()[0] == text[s]:
            out.append(_Cand("GovernmentBody", shared[s], m.end(), "gov.region_prefix"))
        elif j in ends:
            out.append(_Cand("GovernmentBody", ends[j], m.end(), "gov.region_prefix"))
        elif j < s and (j == 0 or not _HAN_RE.match(text[j - 1]) or text[j - 1] in "由经与和及、在向据同"):
            out.append(_Cand("GovernmentBody", j, m.end(), "gov.level_prefix"))
        elif m.group() in ("市委", "省委", "县委", "区委", "市政府", "省政府", "县政府", "区政府") and (
                s == 0 or not _HAN_RE.match(text[s - 1]) or text[s - 1] in "由经与和及、在向据同"):
            out.append(_Cand("GovernmentBody", s, m.end(), "gov.bare"))
        else:
            st = _left_extend(text, s, 0)
            if m.group() in ("领导小组", "管委会", "管理委员会", "党工委"):
                # a named organ may contain verbs (项目建设攻坚行动领导小组): start at the region
                # that opens it when only name characters lie between
                k = bisect.bisect_left(reg_starts, max(0, s - 16))
                for rs in reg_starts[k:]:
                    if rs < st and all(_NAME_CHAR.match(ch) for ch in text[rs:s]):
                        st = rs
                        break
            name = text[st:s]
            if 2 <= len(name) <= 16 and _strip_generic(name) and m.group() in ("领导小组", "管委会", "管理委员会", "党工委"):
                out.append(_Cand("GovernmentBody", st, m.end(), "gov.named"))
    for s, e, _f in pat["gov_national"].finditer(text):
        out.append(_Cand("GovernmentBody", s, e, "gov.national"))
    return out


_NAME_STOP_CHARS = set("在等和与及的是了也都就将对向从为以被把、")


_PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})
_CLAUSE_TAGS = frozenset({"v", "d", "ad", "a", "p", "c", "r", "m"})
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz"})
_LIST_SEP = re.compile(r"[、和及与]")


#: verbs of speech that follow a person's name (董事长周立华表示)
_SPEECH_VERBS = ("表示", "介绍", "指出", "强调", "告诉", "透露", "认为", "坦言", "说")


def _name_at(text: str, i: int) -> int:
    """Length of a 2–3 character personal name starting at ``i`` (0 when none)."""
    pat = _patterns()
    if text[i:i + 1] in _NAME_STOP_CHARS and text[i:i + 1] != "向" or _common_word(text[i:i + 2]) or _common_word(text[i:i + 3]):
        return 0  # 领导干部, 领导和常务…: a word, not a name
    sur = 2 if text[i:i + 2] in pat["surnames2"] else (1 if text[i:i + 1] in pat["surnames1"] else 0)
    if not sur:
        return 0
    given = 0
    for k in range(2):
        c = text[i + sur + k:i + sur + k + 1]
        if not c or not _HAN_RE.match(c) or c in _NAME_STOP_CHARS:
            break
        given += 1
    if given == 2 and (_common_word(text[i + sur + 1:i + sur + 3]) or _common_word(text[i + sur + 1:i + sur + 4])) \
            and not text.startswith(_SPEECH_VERBS, i + sur + 2):
        given = 1  # 张阳告诉: the second character starts the next word (not 周立华表示: 表示 follows the name)
    if given == 2 and _patterns()["titles"].match(text, i + sur + 1):
        given = 1
    return sur + given if given else 0


def _persons(text: str) -> list[_Cand]:
    """People: a name after a title (总裁X, 省长 X, 领导X、Y), or a dictionary name before one (X总书记)."""
    pat = _patterns()
    jw = _jieba_words()
    out = []
    for m in pat["titles"].finditer(text):
        i = m.end()
        while i < len(text) and text[i] in " \u3000\t":
            i += 1
        ln = _name_at(text, i)
        while ln >= 2:
            out.append(_Cand("Person", i, i + ln, "person.title_before"))
            j = i + ln
            if j < len(text) and _LIST_SEP.match(text, j) and text[j + 1:j + 2] not in ("", "、"):
                i = j + 1
                ln = _name_at(text, i)
                # a list continuation must end at a boundary
                if ln and _HAN_RE.match(text[i + ln:i + ln + 1] or " ") and not _LIST_SEP.match(text, i + ln) \
                        and not pat["titles"].match(text, i + ln) and text[i + ln] not in "参出等":
                    break
            else:
                break
        # a known personal name right before the title: <name>总书记
        for ln in (3, 2):
            st = m.start() - ln
            w = text[st:m.start()] if st >= 0 else ""
            if w and jw.get(w, (0, ""))[1] in _PERSON_TAGS:
                out.append(_Cand("Person", st, m.start(), "person.title_after"))
                break
    return out


# Vocabulary forms that denote facilities, works, resources, activities or services, not goods
# (储能项目, 风电场, 钒资源; 电池回收, 梯次利用, 运维服务, 石墨化加工).
_NOT_PRODUCT = re.compile(r"(?:项目|设施|工程|电站|站|场|资源|产品|基地|回收|利用|服务|运维|加工)$")
#: facilities a sector word may qualify (智能制造生产线): the word describes the facility there
_FACILITY_AFTER_SECTOR = ("生产线", "车间", "工厂")
# A technique/activity word after a chain term (储能技术, 光伏发电): the chain term is the mention.
_CHAIN_TAIL = re.compile(r"(?:技术|发电|应用)$")


_CHAIN_NEXT_OK = re.compile(rf"(?:[^{_HAN}]|产业|行业|领域|等|和|与|及|发展|企业|装备|基地|集群|项目|方面|是|已|在|将|为|的|也|都|上|中)")


_NOUN_TAGS = frozenset({"n", "vn", "nz", "ng", "an"})


def _modifier_use(text: str, end: int) -> bool:
    """True when a short sector word only modifies the next noun (钒钛资源, 电网公司).

    The next word decides: a noun (jieba tag) or the start of a vocabulary term makes the
    sector word a modifier; a verb or adverb (新能源再度成为…) leaves it a mention.
    """
    if end >= len(text) or _CHAIN_NEXT_OK.match(text, end):
        return False
    jw = _jieba_words()
    for ln in (3, 2):
        hit = jw.get(text[end:end + ln])
        if hit:
            return hit[1] in _NOUN_TAGS
    return any(h is not None and h[0] == 0 for h in _first_vocab_spans(text[end:end + 6])) or \
        not _HAN_RE.match(text[end])


@lru_cache(maxsize=8192)
def _product_attrs(form: str) -> tuple:
    """Concept, link, chain (and the preferred label, for grouping) of a product form."""
    ve = product_vocabulary().get(form)
    if ve is None:
        return ()
    attrs = tuple(sorted((k, v) for k, v in (("concept", ve.concept), ("link", ve.link),
                                              ("chain", ve.chain)) if v))
    if ve.label and ve.label != form:
        attrs += (("plabel", _norm(ve.label)),)
    return attrs


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _inside_latin_word(text: str, s: int, e: int) -> bool:
    """True when a term that starts or ends with a Latin letter or digit runs on into more of them."""
    return (_latin(text[s]) and s > 0 and _latin(text[s - 1])) or (
        _latin(text[e - 1]) and e < len(text) and _latin(text[e]))


#: generic heads that a sector word turns into a sector of its own (光伏材料, 氢能装备, 汽车零部件)
_SECTOR_HEADS = frozenset({"材料", "装备", "设备", "零部件", "器件", "部件"})


@lru_cache(maxsize=8192)
def _two_sector_words(name: str) -> bool:
    """Whether ``name`` is a sector or product word followed by a sector word (新能源装备制造,
    氢能装备制造) or by a generic head (光伏材料, 氢能装备): together they name one industry
    before 产业/产业链/集群."""
    pv, iv = product_vocabulary(), industry_vocabulary()
    return any((name[:i] in iv or name[:i] in pv) and (name[i:] in iv or (name[:i] in iv and name[i:] in _SECTOR_HEADS))
               for i in range(2, len(name) - 1))


def _vocab(text: str) -> list[_Cand]:
    pat = _patterns()
    pv, iv = product_vocabulary(), industry_vocabulary()
    out = []
    for s, e, f in pat["industries"].finditer(text):
        if len(f) <= 3 and _modifier_use(text, e):
            continue
        if len(f) == 2 and _straddles(text, s, e):
            continue  # 国家电力 (国家|电力) is not 家电, 多元化工 is not 化工
        if text.startswith(("+", "＋"), e):
            continue  # “人工智能+”行动: a programme name
        if f.endswith("产业") and text.startswith("化", e):
            continue  # 数字产业化: a process
        if text.startswith(_FACILITY_AFTER_SECTOR, e):
            continue  # 智能制造生产线, 光伏车间: the kind of a facility, not an industry named
        m = _CHAIN_TAIL.search(f)
        if m and f[:m.start()] in iv:
            e, f = s + m.start(), f[:m.start()]  # 储能技术 -> 储能 (the chain term itself)
        ve = iv.get(f)
        attrs = (("chain", ve.chain),) if ve is not None and ve.chain else ()
        out.append(_Cand("IndustryChain", s, e, "industry.vocab", attrs))
    pstop = pat["product_stop"]
    for s, e, f in pat["products"].finditer(text):
        if f in pstop or _NOT_PRODUCT.search(f) or (len(f) == 2 and _straddles(text, s, e)):
            continue
        if _inside_latin_word(text, s, e):
            continue  # IC of ICP备案号, SiC of SiCOI: a Latin term cut out of a longer word
        if text[e:e + 1] in _CHEMICAL_TAILS and f.endswith(("烯", "烷", "苯", "酚")):
            continue  # 丙烯 of 丙烯酸酯, 丙烯腈: the start of another compound's name
        if text.startswith("级", e):
            continue  # 饲料级磷酸氢钙, 食品级: a grade of another product, not the product
        if f.startswith("制") and f[1:] in pv:
            s, f = s + 1, f[1:]  # 制绿氢 -> 绿氢
        out.append(_Cand("Product", s, e, "product.vocab", _product_attrs(f)))
    # suffix rules: X产业 / X产业链 / X行业 / X集群 / X工业, X a known sector or product word
    for m in pat["industry_suffix"].finditer(text):
        if m.group() == "制造业" or text.startswith("化", m.end()):
            continue  # 数字产业化 is a process, not a sector
        lo = max(0, m.start() - 8)
        for st in range(lo, m.start() - 1):
            name = text[st:m.start()]
            tail = _PROCESSING_TAIL.search(name)
            if name in pv or name in iv or _two_sector_words(name) or (
                    tail is not None and (name[:tail.start()] in pv or name[:tail.start()] in iv
                                          or name[:tail.start()] in _METALS)):
                # (铝精深加工产业链, 农产品加工产业: a product and its processing)
                out.append(_Cand("IndustryChain", st, m.end(), "industry.suffix"))
                break
    return out


#: the processing of a product, ending a sector's name before 产业/产业链 (铝精深加工产业链)
_PROCESSING_TAIL = re.compile(r"(?:精深加工|深加工|精加工|加工|冶炼)$")
#: metals named by one character before their processing (铝精深加工, 铜冶炼)
_METALS = frozenset("铝铜锌铅镁钛钒锂镍钴锰钼钨锡锑钢铁稀金银")


# --------------------------------------------------------------------------- assembly


_LEGAL_TAIL = re.compile(r"(?:股份有限公司|有限责任公司|集团有限公司|有限公司|集团公司|控股公司|控股集团|集团|公司)$")


def _record_names(text: str) -> list[_Cand]:
    """The name of a labelled record (项目名称：黔北农产品冷链物流中心) is a project's, whatever
    its head: the label says so."""
    from .records import find_records

    out = []
    for r in find_records(text):
        a, b = r.name
        name = text[a:b]
        if 2 <= len(name) <= 40 and _HAN_RE.search(name) and not any(ch in name for ch in "，。；："):
            out.append(_Cand("Project", a, b, "project.record_name"))
    return out


@lru_cache(maxsize=8192)
def _legal_stem(nm: str) -> str:
    """A legal name without its legal form and the place that opens it (四川蜀能正极材料有限公司
    → 蜀能正极材料); "" for a name with no legal form or with a place in brackets."""
    base = _LEGAL_TAIL.sub("", nm)
    if "(" in base or "（" in base or base == nm:
        return ""
    regs = _name_regions(base)
    return base[regs[0].end:] if regs and regs[0].start == 0 else base


#: what ends the words before a base or park that is being built (…投资建设的X产业基地)
_BUILT_BY = ("建设的", "兴建的", "新建的", "扩建的", "投建的")


def _zones_after_brands(text: str, zones: list[_Cand], companies: list[_Cand],
                        brands: list[_Cand]) -> tuple[list[_Cand], list[_Cand]]:
    """Zones whose name a company's brand runs into (甲乙西安高新区…项目, 丙丁绿能泾河新城…项目:
    the firm's project in the zone) start after the brand. A development zone, a new area or
    a high-tech zone is no company's (a base or a park may be: see
    :func:`extract_mentions`), so the brand is cut off when a name of two characters or more
    stays before the zone's suffix and it either opens with a place (西安高新区) or the brand is
    the whole brand of a legal name of the text (丙丁绿能 of 丙丁绿能科技股份有限公司). Returns
    the zones and the brands found this way, as company mentions."""
    if not zones or not (companies or brands):
        return zones, []
    pat = _patterns()
    at_start = {b.start: b.end for b in brands}
    stems = []
    for c in companies:
        nm = text[c.start:c.end]
        if nm.endswith(_LEGAL_ENDS):
            st = _legal_stem(nm)
            if len(st) >= 2:
                stems.append(st)
    out, found = [], []
    for z in zones:
        if z.rule != "zone.suffix.zone" or z.attrs:
            out.append(z)
            continue
        name = text[z.start:z.end]
        suffix = min((m.start() for m in pat["zone"].finditer(name) if m.end() == len(name)), default=len(name))
        cut, whole = 0, False
        if z.start in at_start:
            cut = at_start[z.start] - z.start
        else:
            for st in stems:
                k = _brand_of_stem(st, name)
                if k > cut:
                    cut, whole = k, True
        if cut < 2 or suffix - cut < 2:
            out.append(z)
            continue
        rest = name[cut:suffix]
        regs = _name_regions(rest)
        if not (regs and regs[0].start == 0) and not whole:
            out.append(z)
            continue
        out.append(z._replace(start=z.start + cut))
        if whole:
            found.append(_Cand("Company", z.start, z.start + cut, "company.project_prefix"))
    return out, found


def _brand_of_stem(stem: str, name: str) -> int:
    """The length of the brand of a legal name's ``stem`` (丙丁绿能科技 → 丙丁绿能: the stem
    without the trade words that end it) when ``name`` opens with it, else 0."""
    m = _trade_word_at_end(stem, 2)
    brand = stem[:m.start()] if m is not None and m.start() >= 2 else stem
    return len(brand) if name.startswith(brand) else 0


def _brands_of_legal_names(text: str, chosen: list[_Cand]) -> list[_Cand]:
    """A brand that opens a project's name (蜀能正极年产10万吨…项目) names the one company of
    the text whose legal name it begins after the place (四川蜀能正极材料有限公司): the same
    company, not a second one. (A legal name with a place in brackets, 甲乙电器(重庆)有限公司,
    is a subsidiary's: no brand joins it.)"""
    if not any(c.type == "Company" and (c.rule in ("company.project_prefix", "company.short_trade", "company.reuse")
                                        and not _LEGAL_TAIL.search(text, c.start, c.end)
                                        or text.endswith("集团", c.start, c.end)) for c in chosen):
        return chosen
    stems: dict[str, set[str]] = {}
    for c in chosen:
        if c.type != "Company":
            continue
        nm = text[c.start:c.end]
        base = _legal_stem(nm)
        if base:
            stems.setdefault(base, set()).add(nm)
    if not stems:
        return chosen
    out = []
    names = {text[c.start:c.end] for c in chosen if c.type == "Company"}
    decided: dict[tuple[str, str], str] = {}  # (name, rule) → the legal name it joins, or ""
    for c in chosen:
        if c.type != "Company":
            out.append(c)
            continue
        brand = text[c.start:c.end]
        if c.attr_full not in ("", brand):
            out.append(c)
            continue
        key = (brand, c.rule)
        full = decided.get(key)
        if full is None:
            full = decided[key] = _legal_name_of(brand, c.rule, stems, names)
        if full:
            c = _with(c, attrs=tuple(sorted({a for a in c.attrs if a[0] != "full"} | {("full", full)})))
        out.append(c)
    return out


def _legal_name_of(brand: str, rule: str, stems: dict[str, set[str]], names: set[str]) -> str:
    """The legal name of the text that a short name ``brand`` (found by ``rule``) stands for,
    or "" (see :func:`_brands_of_legal_names`)."""
    if brand + "有限公司" in names:
        return brand + "有限公司"  # 承德北润钢铁集团 and 承德北润钢铁集团有限公司: one company
    if brand.endswith("集团") and 4 <= len(brand) <= 6:
        # 燕冶集团, the short name of 唐山燕冶钢铁集团有限公司: the one group of the text whose name
        # holds it after its place
        core = brand[:-2]
        groups = {full for stem, fs in stems.items() if stem.startswith(core) for full in fs
                  if full != brand and full.endswith(("集团有限公司", "集团股份有限公司", "集团"))}
        groups = {g for g in groups if g + "有限公司" not in groups}  # (X集团 and X集团有限公司: one)
        return groups.pop() if len(groups) == 1 else ""
    if rule in ("company.project_prefix", "company.short_trade", "company.reuse") and len(brand) >= 2 \
            and not _LEGAL_TAIL.search(brand):
        fulls = {full for stem, fs in stems.items() if stem.startswith(brand) for full in fs}
        if len(fulls) > 1:
            # (a group and its listed company, 比亚迪集团 and 比亚迪股份有限公司: the brand names
            # the group, GUIDELINES §2)
            groups = {f for f in fulls if re.search(r"集团(?:有限公司)?$|控股", f)}
            fulls = groups if len(groups) == 1 else fulls
        return fulls.pop() if len(fulls) == 1 else ""
    return ""


def _company_reuse(text: str, chosen: list[_Cand]) -> list[_Cand]:
    """Other occurrences of a company's name or of its base name (<brand>集团 → <brand>)."""
    forms: dict[str, str] = {}
    # legal and group names first: a short group name resolves to the group (<brand> → <brand>控股公司,
    # not to the subsidiary <brand>水泥; GUIDELINES §2)
    companies = sorted((c for c in chosen if c.type == "Company"),
                       key=lambda c: (c.rule == "company.short_trade", c.start))
    for c in companies:
        nm = text[c.start:c.end]
        base = _LEGAL_TAIL.sub("", nm)
        if c.rule == "company.short_trade":
            base = _patterns()["shortheads"].sub("", nm) if len(nm) > 3 else nm
        if "(" in base or "（" in base:
            continue  # <brand>电器(<city>)有限公司 is a subsidiary, not its parent
        regs = _name_regions(base)
        if regs and regs[0].start == 0 and len(base) - regs[0].end >= 2:
            base = base[regs[0].end:]
        if _BUSINESS_TAIL.fullmatch(base):
            continue  # <city>建设投资集团: 建设投资 elsewhere is no short name of it
        if 2 <= len(base) < len(nm) and not _is_vocab(base) and not _is_region(base):
            forms.setdefault(base, nm)
    # "X有限公司（以下简称“X”）": the short name names that company wherever it occurs
    prev = None
    declared: set[str] = set()
    for c in sorted(companies, key=lambda c: c.start):
        if ("alias_of_prev", "1") in c.attrs:
            if prev is not None:
                forms[text[c.start:c.end]] = text[prev.start:prev.end]
                declared.add(text[c.start:c.end])
        else:
            prev = c
    for c in companies:
        nm = text[c.start:c.end]
        forms.setdefault(nm, nm)
    out = []
    # a known brand before a trade word names a subsidiary of its own (<brand>集团 … <brand>钒钛)
    heads = _patterns()["shortheads"]
    for f, full in sorted(forms.items()):
        if f == full or not 2 <= len(f) <= 4:
            continue
        start = text.find(f)
        while start >= 0:
            hm = heads.match(text, start + len(f))
            if hm and text[start:hm.end()] not in forms:
                out.append(_Cand("Company", start, hm.end(), "company.brand_trade"))
            start = text.find(f, start + len(f))
    for f, full in sorted(forms.items()):
        start = text.find(f)
        while start >= 0:
            end = start + len(f)
            nxt = text[end:end + 1]
            ok_next = not nxt or nxt in _SHORT_NEXT or not _HAN_RE.match(nxt) or f == full or f in declared
            if ok_next:
                out.append(_Cand("Company", start, end, "company.reuse", (("full", full),)))
            start = text.find(f, end)
    return out


def _anchor_level(c: _Cand) -> bool:
    """True for a city or county mention (the usual location anchor inside a name)."""
    return ("level", "city") in c.attrs or ("level", "county") in c.attrs or c.key in MUNICIPALITIES


#: the sort key (start, end, type) of a _Cand, by field position
_START_END_TYPE = itemgetter(1, 2, 0)


@lru_cache(maxsize=4096)
def _nested_attrs(attrs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """``attrs`` with ("nested", "1"), as a sorted set (the few distinct tuples recur)."""
    return tuple(sorted(set(attrs) | {("nested", "1")}))


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Resolve overlaps: longer spans win; nested Company/Product/Industry inside a Project
    (and Company inside a Zone name? no) are kept with ("nested", "1")."""
    # decorated sort (the index keeps it stable, as a key sort is)
    order = sorted([(c.start - c.end, _PRIORITY[c.type], c.start, not c.attr_full, c.rule, i, c)
                    for i, c in enumerate(set(cands))])
    kept: list[_Cand] = []
    # the starts of the kept spans, sorted (plain ints: cheap to bisect), and beside each the
    # index of its span in kept (a span goes after those starting at or before it)
    starts: list[int] = []
    where: list[int] = []
    maxlen = 0
    bisect_left, bisect_right = bisect.bisect_left, bisect.bisect_right
    for c in [t[-1] for t in order]:
        lo = bisect_left(starts, c.start - maxlen)
        hi = bisect_left(starts, c.end)
        if lo == hi:  # nothing kept starts close enough to overlap
            at = bisect_right(starts, c.start)
            starts.insert(at, c.start)
            where.insert(at, len(kept))
            kept.append(c)
            if c.end - c.start > maxlen:
                maxlen = c.end - c.start
            continue
        clash = False
        nested_in = None
        # The outcome does not depend on the order the nearby kept spans are visited in: a
        # clash with any of them drops the candidate, and it is nested when one contains it.
        for ix in where[lo:hi]:
            k = kept[ix]
            if c.start < k.end and k.start < c.end:
                if k.start <= c.start and c.end <= k.end:
                    nested_in = nested_in or k
                    if (k.start, k.end) == (c.start, c.end):
                        clash = True
                        break
                    if k.type == "Project" and c.type in ("Company", "Product", "IndustryChain", "DevelopmentZone"):
                        continue
                    if c.type == "Region" and k.type in ("Project", "DevelopmentZone") and _anchor_level(c) and (
                            c.start == k.start or ("level", "city") in c.attrs or c.key in MUNICIPALITIES):
                        continue  # a city/county inside a project or zone name: a location anchor
                    if k.type in ("Company", "DevelopmentZone", "GovernmentBody") and c.type == "Company" and k.type != "Company":
                        continue
                    clash = True
                    break
                clash = True
                break
        if clash:
            continue
        if nested_in is not None:
            attrs = _nested_attrs(c.attrs)
            if attrs != c.attrs:  # (already marked by an earlier selection: kept as it is)
                c = _Cand(c.type, c.start, c.end, c.rule, attrs, c.key, c.canonical)
        at = bisect_right(starts, c.start)
        starts.insert(at, c.start)
        where.insert(at, len(kept))
        kept.append(c)
        maxlen = max(maxlen, c.end - c.start)
    return sorted(kept, key=_START_END_TYPE)


_CHAIN_SUFFIX = re.compile(r"(?:产业链|产业集群|集群|产业|行业|(?<=制造|加工)业)$")

_ZONE_CLASS = (("经济技术开发区", "开发区"), ("经济开发区", "开发区"), ("经开区", "开发区"),
               ("高新技术产业开发区", "高新区"), ("高新技术开发区", "高新区"), ("高新区", "高新区"),
               ("新技术产业开发区", "高新区"), ("新技术开发区", "高新区"),
               ("开发区", "开发区"))


def _zone_key(name: str) -> str:
    if _province_forms().match(name):
        regs = _name_regions(name)
        if len(regs) >= 2 and regs[0].start == 0 and regs[0].place.level == "province" and regs[1].start == regs[0].end:
            name = name[regs[0].end:]  # 江苏无锡高新区 is 无锡高新区: the province before the city adds nothing
    for suf, cls in _ZONE_CLASS:
        if name.endswith(suf):
            return name[: -len(suf)] + "|" + cls
    return name


def extract_mentions(doc: Document) -> tuple[list[Mention], dict[tuple[str, str], str]]:
    """Find the entity mentions of a document and group them.

    Parameters
    ----------
    doc : Document
        The ingested document; offsets index ``doc.text``.

    Returns
    -------
    mentions : list of Mention
        Sorted by offset; ``key`` groups mentions of one entity within the document.
    canonical : dict
        ``(type, key)`` → canonical name of the group.

    Examples
    --------
    >>> from kg.ingest import ingest_text
    >>> ms, _ = extract_mentions(ingest_text("山西河东新材料科技有限公司在晋城高新区落地石墨负极材料项目。"))
    >>> sorted((m.type, m.text) for m in ms if m.type in ("Company", "DevelopmentZone", "Project"))
    [('Company', '山西河东新材料科技有限公司'), ('DevelopmentZone', '晋城高新区'), ('Project', '石墨负极材料项目')]
    """
    text = doc.text
    regions = _regions(text)
    zones = _zones(text)
    projects = _projects(text)
    companies = _companies(text)
    brands = [b for b in (_brand_prefix(text, p) for p in projects) if b is not None]
    zones, zone_brands = _zones_after_brands(text, zones, companies, brands)
    cands = regions + zones + companies + _short_companies(text) + projects + zone_brands
    # a base or park whose name starts with a company is that company's project (GUIDELINES §2)
    comp_starts = {c.start for c in cands if c.type == "Company"}
    zones_typed = []
    for z in zones:
        if z.start in comp_starts and not z.attrs:
            zones_typed.append(_Cand("Project", z.start, z.end, "project.company_base"))
        elif z.rule == "zone.suffix.base" and text.endswith(_BUILT_BY, 0, z.start):
            # 投资50亿元建设的X产业基地已竣工投产: the base being built is an undertaking (GUIDELINES §3)
            zones_typed.append(_Cand("Project", z.start, z.end, "project.built_base"))
        else:
            zones_typed.append(z)
    cands = [c for c in cands if c.type != "DevelopmentZone"] + zones_typed
    cands += _gov(text, regions, zones)
    cands += _phases(text, projects) + _company_lists(text)
    cands += brands
    cands += _persons(text) + _vocab(text) + _record_names(text)
    chosen = _select(cands)
    chosen = _select(chosen + _company_reuse(text, chosen))
    chosen = _brands_of_legal_names(text, chosen)
    chosen += _zone_own_names(text, chosen)
    # a project written right after its owner's legal name (某某科技有限公司年产5万吨…项目) keeps
    # the owner in its canonical name (GUIDELINES §3); the bare name is a form of it
    owners = {c.end: c for c in chosen if c.type == "Company" and text.endswith(_LEGAL_ENDS, c.start, c.end)}
    if owners:
        chosen = [_with(c, canonical=text[owners[c.start].start:c.end], attrs=c.attrs + (("owner_named", "1"),))
                  if c.type == "Project" and not c.canonical and c.start in owners else c for c in chosen]
    chosen = _phase_led(text, chosen)
    comp_starts = {c.start for c in chosen if c.type == "Company"}
    chosen = [_with(c, type="Project", rule="project.company_base")
              if c.type == "DevelopmentZone" and not c.attrs and c.start in comp_starts
              and text[c.end - 2:c.end] in ("基地", "产业园") else c for c in chosen]
    # a park named as a place somewhere in the text is that place everywhere in it
    parks = {text[c.start:c.end] for c in chosen if c.type == "DevelopmentZone"
             and text.endswith("产业园", c.start, c.end)}
    if parks:
        chosen = [_with(c, type="DevelopmentZone", rule="zone.suffix.base")
                  if c.type == "Project" and text[c.start:c.end] in parks else c for c in chosen]
    # Regions inside longer names survive _select only as location anchors (a city, or a county
    # at the start of a project or zone name; GUIDELINES §2); they carry ("nested", "1").

    # keys and canonical names
    keyed: list[_Cand] = []
    zone_names = [text[c.start:c.end] for c in chosen if c.type == "DevelopmentZone" and ("deictic", "1") not in c.attrs]
    prev_company: _Cand | None = None
    product_texts = {_norm(text[c.start:c.end]) for c in chosen if c.type == "Product"}
    # products of one concept with different head nouns listed side by side (铝型材、铝板带箔
    # of 铝材; 光纤、光缆 of 光纤) are sibling products there: an altLabel does not join
    # its preferred label
    distinct_alts: set[str] = set()
    prev_p: tuple[_Cand, str] | None = None
    for c in chosen:
        if c.type != "Product":
            continue
        label = next((v for k, v in c.attrs if k == "plabel"), "") or _norm(text[c.start:c.end])
        if prev_p is not None and prev_p[1] == label and _LIST_SEP.fullmatch(text, prev_p[0].end, c.start) \
                and text[c.end - 2:c.end] != text[prev_p[0].end - 2:prev_p[0].end]:
            distinct_alts.add(label)
        prev_p = (c, label)
    for c in chosen:
        t = _norm(text[c.start:c.end])
        # (the name as written: a space between two Latin words stays, 10GW TOPCon)
        key, canon = t, c.canonical or (unicodedata.normalize("NFKC", text[c.start:c.end]) if " " in text[c.start:c.end] else t)
        if c.type == "Region":
            key = c.key
        elif c.type == "DevelopmentZone":
            if ("deictic", "1") in c.attrs:
                cls = _zone_key(t).split("|")[-1]
                same = sorted({_zone_key(_norm(z)) for z in zone_names if _zone_key(_norm(z)).endswith("|" + cls)})
                if len(same) != 1:
                    continue
                key = same[0]
                canon = ""
            else:
                key = _zone_key(_norm(c.canonical) if c.canonical else t)  # (an own name: its zone's)
        elif c.type == "Company" and ("alias_of_prev", "1") in c.attrs and prev_company is not None:
            key = prev_company.key
            canon = ""
            c = _with(c, attrs=tuple(a for a in c.attrs if a[0] != "alias_of_prev"))
        elif c.type == "Company" and c.attr_full:
            key = _norm(c.attr_full)
            # (a short name's company is labelled with its legal name when the text gives it)
            canon = c.attr_full if (c.attr_full.endswith(_LEGAL_ENDS) and t != _norm(c.attr_full)
                                    and t and c.attr_full.find(text[c.start:c.end]) > 0) else ""
        elif c.type == "Project" and c.canonical and ("owner_named", "1") not in c.attrs:
            key = _norm(c.canonical)
        elif c.type == "IndustryChain":
            stem = _CHAIN_SUFFIX.sub("", t)
            key = stem if len(stem) >= 2 else t
            canon = key  # 现代煤化工产业 -> 现代煤化工 (the chain term itself)
        elif c.type == "Product":
            # an altLabel joins its concept's preferred label when the text also uses it
            pl = next((v for k, v in c.attrs if k == "plabel"), "")
            if pl and pl in product_texts and pl not in distinct_alts:
                key, canon = pl, pl
        c = _Cand(c.type, c.start, c.end, c.rule, c.attrs, key, canon)
        if c.type == "Company" and not any(a[0] == "nested" for a in c.attrs):
            prev_company = c
        keyed.append(c)

    # a name that is another mention's name minus a region/company prefix joins it
    by_type: dict[str, dict[str, str]] = {}
    for c in keyed:
        by_type.setdefault(c.type, {})
        if c.canonical:
            # (a project named after its owner joins others by its name as written)
            by_type[c.type].setdefault(c.key, c.key if ("owner_named", "1") in c.attrs else c.canonical)
    prefixes = {_norm(text[c.start:c.end]) for c in keyed if c.type in ("Region", "Company")}
    remap: dict[tuple[str, str], str] = {}
    for typ in ("DevelopmentZone", "Project", "Company", "GovernmentBody"):
        items = sorted(by_type.get(typ, {}).items())
        # proper suffixes (3+ characters) of every name → indexes of the names, in order, so
        # each name meets only the longer names that end with it (first in key order wins)
        # (only suffixes that are names themselves are kept)
        names = {nm for _k, nm in items if len(nm) >= 3}
        by_suffix: dict[str, list[int]] = {}
        for idx, (_k2, nm2) in enumerate(items):
            for j in range(1, len(nm2) - 2):
                if nm2[j:] in names:
                    by_suffix.setdefault(nm2[j:], []).append(idx)
        for k, nm in items:
            if len(nm) < 3:
                continue
            for idx in by_suffix.get(nm, ()):
                k2, nm2 = items[idx]
                if k2 != k and (nm2[: -len(nm)] in prefixes or nm2[: -len(nm)] + nm[0] in prefixes or (
                        typ == "Project" and len(nm) >= 5 and _CAPACITY_PREFIX.fullmatch(nm2[: -len(nm)]))):
                    remap[(typ, k)] = k2
                    break
    # a name that is another's without the capacity written after its place (金塔县光伏+储能项目,
    # 金塔县50万千瓦光伏+储能项目) is that project again
    projects_by_name = {nm: k for k, nm in sorted(by_type.get("Project", {}).items())}
    for k, nm in sorted(by_type.get("Project", {}).items()):
        # 厦门甲乙路改造 (a headline) and 厦门甲乙路改造工程: one project with and without its head
        for head in ("工程", "项目"):
            k2 = projects_by_name.get(nm + head)
            if k2 is not None and k2 != k and ("Project", k) not in remap and ("Project", k2) not in remap:
                remap[("Project", k)] = k2
                break
    for k, nm in sorted(by_type.get("Project", {}).items()):
        short = _CAPACITY_INSIDE.sub("", nm, count=1)
        if short != nm and len(short) >= 5:
            k2 = projects_by_name.get(short)
            if k2 is not None and k2 != k and ("Project", k2) not in remap:
                remap[("Project", k2)] = k
    # <brand>项目 after the one project the text named for that brand (甲乙半导体年产…衬底项目 …
    # 在甲乙半导体项目现场): that project again
    firms = {_norm(text[c.start:c.end]) for c in keyed if c.type == "Company"}
    for k, nm in sorted(by_type.get("Project", {}).items()):
        if nm.endswith("项目") and nm[:-2] in firms and ("Project", k) not in remap:
            fuller = {remap.get(("Project", k2), k2) for k2, nm2 in by_type["Project"].items()
                      if nm2.startswith(nm[:-2]) and len(nm2) > len(nm) + 1 and k2 != k
                      and nm2.endswith(("项目", "工程", "生产线", "基地"))}
            if len(fuller) == 1:
                remap[("Project", k)] = fuller.pop()
                # (its phases named after the short name are the fuller project's phases)
                full_name = by_type["Project"].get(remap[("Project", k)], remap[("Project", k)])
                keyed = [_with(c, canonical=full_name + c.canonical[len(nm):], key=_norm(full_name + c.canonical[len(nm):]))
                         if c.type == "Project" and c.rule == "project.phase_alone" and c.canonical.startswith(nm)
                         and _PHASE.fullmatch(c.canonical[len(nm):]) else c for c in keyed]
    # a sector word that only occurs inside other names is not an IndustryChain of the text
    # (GUIDELINES §2 lists nested companies, zones, organs, anchors and products, not sectors)
    free = {remap.get((c.type, c.key), c.key) for c in keyed
            if c.type == "IndustryChain" and ("nested", "1") not in c.attrs}
    keyed = [c for c in keyed if c.type != "IndustryChain" or remap.get((c.type, c.key), c.key) in free]
    mentions: list[Mention] = []
    canonical: dict[tuple[str, str], str] = {}
    for c in keyed:
        key = remap.get((c.type, c.key), c.key)
        mtext = text[c.start:c.end]
        attrs = c.attrs
        if attrs:
            attrs = tuple(a for a in attrs if a[0] not in ("alias_of_prev", "full", "plabel", "owner_named"))
        mentions.append(Mention(c.type, mtext, c.start, c.end, key, c.rule, attrs))
        name = c.canonical
        if name:
            old = canonical.get((c.type, key))
            if old is None or len(name) > len(old) or (len(name) == len(old) and name < old):
                canonical[(c.type, key)] = name
    # an organ named only in people's titles (市委书记X, 市委常委、常务副市长Y, X管委会主任Z) does
    # not act in the text: the person is annotated, not the organ (GUIDELINES §2)
    acting = {(m.type, m.key) for m in mentions if m.type == "GovernmentBody" and not _OFFICE_AFTER.match(text, m.end)}
    mentions = [m for m in mentions if m.type != "GovernmentBody" or (m.type, m.key) in acting]
    for m in mentions:
        canonical.setdefault((m.type, m.key), m.text)
    return mentions, canonical
