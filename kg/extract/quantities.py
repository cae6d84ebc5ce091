"""Stage 2b of extract: quantities (numbers with units) and the entity each is about.

Consumes a :class:`~kg.model.Document` and the mentions of :func:`kg.extract.entities.extract_mentions`;
produces :class:`~kg.model.Quantity` objects following GUIDELINES §6: investment, capacity,
output value, counts, ratios, areas, tax and GDP, as plain numbers in base units (yuan,
tonnes, watts, watt-hours, m³, m², 亩, percent, plain counts), each attached to its subject
— the Project, Company, DevelopmentZone or Region the figure is about. Numbers are read by
:mod:`kg.extract.numbers`; units, cue words and the figures that are *not* annotated
(profits, loans, per-capita figures, production volumes, technical performance…) come from
``data/lexicon/units.tsv`` and ``data/lexicon/quantity_cues.tsv``.

Subject attribution works on clause and sentence structure: a figure inside or right before
a project name belongs to that project; list-level counts and sums (``X等11处煤矿``),
counts of projects, companies and zones, and region-wide indicators (growth rates, 全省,
新增…) go to the enclosing zone or region; other figures go to the nearest governing
project or company of the clause, then of the sentence, then of the paragraph, with
pronouns (它, 该公司, 该项目, 该区) resolved to the nearest entity of their type.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..dates import first_char_guard
from ..model import Document, Mention, Quantity, Sentence
from ..resources import lexicon_dir
from ._textindex import bounds as _bounds
from ._textindex import sentence_at as _sentence_at
from .numbers import ParsedNumber, find_numbers, parse_number
from .records import find_records, project_record_at

__all__ = ["extract_quantities", "clause_bounds", "paragraph_bounds"]

_CLAUSE_PUNCT = "，,。；;：:！？!?\n"
_SUBJECT_TYPES = ("Project", "Company", "DevelopmentZone", "Region", "Product", "IndustryChain")
_ORG_TYPES = ("Project", "Company")
_PLACE_TYPES = ("DevelopmentZone", "Region")

# Pronouns and deictic nouns at the head of a clause, and the type they refer to.
_PRONOUN_RE = re.compile(
    r"(?:^|(?<=[，,。；;：:！？!?\n“”\"]))\s*(?:[^，,。；;：:！？!?\n]{0,3}?(?=该|它|其))?"
    r"(?:(?P<co>它|其(?![中他余实])|该公司|该企业|该集团|公司|企业)|(?P<pr>该项目|该工程|这一项目|这个项目|此项目|这一工程|这个工程|项目|工程|该高铁|该道路|该线路|该基地|该电站)"
    r"|(?P<zo>该区|园区|全区|区内|该园区|开发区|高新区)|(?P<rg>全省|省内|我省|全市|市内|我市|本市|全县))"
)
#: units of a rated power counted right after it (6.25兆瓦风机32台, 60万千瓦超超临界机组2台)
_UNITS_AFTER_RE = re.compile(r"的?[\u4e00-\u9fff]{0,8}?(?:风机|机组)(\d{1,4})台")
#: a sentence opened by the project pronoun (项目拟选址…, 该项目…)
_PROJECT_OPENS_RE = re.compile(r"\s*(?:该|此|这一)?(?:项目|工程)(?![名建])")
#: building right after a sum (…投资20亿元建设, 兴建, 打造)
_BUILT_AFTER_RE = re.compile(r"(?:投资)?(?:建设|兴建|新建|打造)")
#: a money cue right before a number in 万/亿 without a unit (投资50亿, 总投资约20亿)
_BARE_MONEY_LEAD_RE = re.compile(r"(?:投资|投入|斥资|出资|注资|总额|金额|签约额)(?:约|近|超|逾|达|为|了)?$")
#: after such a number, a character that makes it a count of something else (50亿方, 1亿人)
_HAN_UNIT_NEXT_RE = re.compile(r"[人户个家只头辆台套件株片块张方吨度斤元]")
#: a project pronoun with the agent marker right before an organisation (该项目由C投资建设), or
#: the marker opening a clause after the project's (…项目，总投资26亿元，由C投资建设; P项目：由C…);
#: the relation rules use it too
AGENT_BEFORE_RE = re.compile(r"(?:该项目|该工程|项目|工程|[，,：:])(?:主要|将|拟)?由$|"
                             r"(?:项目|工程|的)?(?:业主|业主单位|建设单位|投资主体|实施主体|投资方)(?:为|是)$")
_SAME_TOPIC_RE = re.compile(r"\s*(同比|增长|下降|比上年|较上年|分别)")
_LIST_END_RE = re.compile(r"等\s*$")
#: 这个/这一/该 opening a figure that qualifies 的项目 after it (这个总投资约320亿元的项目)
_THIS_PROJECT_RE = re.compile(r"(?:这个|这一|该|此)[^，。；]{0,8}$")
_OF_PROJECT_RE = re.compile(r"的(?:项目|工程)")
#: after a company, a list of what it makes (…有限公司年产汽车水泵、排气歧管等产品1200万件): its
#: own figure, not one of a list of companies
_OWN_LIST_RE = re.compile(r"(?:年产|年生产|生产|主要生产|主要产品有?|产品有)[^，。；]*等")
_DIGIT_RE = re.compile(r"[\d]")
_ANY_DIGIT_RE = re.compile(r"[\d０-９]")
_BRANCH_CO_RE = re.compile(r"(子|分)公司")
_STAKE_RE = re.compile(r"股权|股份")
_PROGRESS_RE = re.compile(r"进度|完成率|设计总量|完工|工程量|施工完成|(?:主体|结构|土建|安装|基础|厂房)[^，。；|]{0,4}完成")
_MARKET_SHARE_RE = re.compile(r"占有率|市场份额")
#: a count of identical units before a capacity (2×66万千瓦, 4*35万千瓦)
_UNITS_OF_RE = re.compile(r"(?<![\d.])([1-9]\d?|[两二三四五六七八九十])\s*(?:[×*]|台)\s*$")
#: a rated power right after a number of units (两台|三万千瓦)
_POWER_AFTER_RE = re.compile(r"[\d一二两三四五六七八九十百][\d.一二两三四五六七八九十百千万]*(?:千瓦|兆瓦|万千瓦|MW|GW|kW)")
#: a share of the year's plan or of the total (完成投资3亿元，占年度计划的30%, 占总投资的55%): the
#: completion rate of what the sentence reports on
_PLAN_SHARE_RE = re.compile(r"(?:占|完成)(?:年度|全年|年)?(?:计划|目标)|占(?:项目)?总投资")
#: the capacity an upgrade or an expansion adds (技改完成后将新增, 扩建后新增)
_TECH_UPGRADE_ADDS_RE = re.compile(r"(?:技改|改造|扩建|扩产)(?:项目)?(?:完成|建成|投产)?后(?:将|可)?新增")
#: a change on an earlier period right before a sum (较上年提高, 比上年增加, 同比增加)
_DELTA_LEAD_RE = re.compile(r"(?:(?:较|比)(?:上年|去年|上年同期|去年同期|年初)|同比)(?:提高|增加|增长|减少|下降|多|少)了?$")
_GROWTH_LEAD_RE = re.compile(r"\s*(?:总?产值|营收|营业收入|销售收入|销售额|税收|产量|出口额|增加值)?(同比|增长|下降)")
_PERIOD_RE = first_char_guard(re.compile(
    r"(截至|截止|到)\s?(目前|\d{4}年(底|末|\d{1,2}月(底|末)?)?)|\d{1,2}月\s?[—\-–~至到]+\s?\d{1,2}月"
    r"|(上|下)半年|\d{4}年(上半年|全年|前三季度)?|今年|去年|全年|\d{4}-\d{4}年"
))
_PER_YEAR_RE = re.compile(r"\s?/\s?年")
_PER_DAY_RE = re.compile(r"\s?/\s?(日|天)")
# a "project" that opens with an area or an amount is a description, not a name
_FIGURE_HEAD_RE = re.compile(r"[\d.]+\s?(万|亿)?(多|余)?\s?(平方米|平米|亩|元|万元|亿元|美元)")
#: land of a farming or forestry undertaking named by its size (20万亩生态茶园提质增效项目): a
#: project's name, though it opens with a figure
LAND_PROJECT_RE = re.compile(r"[0-9.]+[万亿]?余?亩[\u4e00-\u9fff]{2,}项目$")


def figure_headed(name: str) -> bool:
    """True for a "project" that is a figure and a description (11万平方米厂房项目), not a name."""
    return _FIGURE_HEAD_RE.match(name) is not None and LAND_PROJECT_RE.match(name) is None
_RANK_RE = re.compile(r"的?(省份|城市|大省|大市|县区|县市|强县|俱乐部)")
_HEDGE_AFTER_RE = re.compile(r"(以上|左右|上下|多|余)")
#: thresholds: "2000万元以上的重点交通项目", "10亿元以上项目4个" (a class of projects), "日产3000吨以下"
_THRESHOLD_RE = re.compile(r"(以上|以下|以内)(?:的|(?:重大|重点|产业|工业)?(?:项目|企业|工程))|以下|以内|"
                           r"(?:重大|重点|产业|工业)?项目[\d一二三四五六七八九十]+个")  # (投资超10亿元项目9个)
#: after X吨级: what a vessel class qualifies (30万吨级进港航道, 20万吨级散货泊位, 1000吨级通航设施)
_VESSEL_AFTER_RE = re.compile(r"[^，。；、\n]{0,4}?(?:航道|泊位|码头|船|港|通航|船闸|散货|油轮)")
#: "引进投资超10亿元重大项目14个": a bound before the sum and a class of projects after it
_BOUND_BEFORE_RE = re.compile(r"(?:超过|超|逾|过)$")
_CLASS_AFTER_RE = re.compile(r"的?(?:重大|重点|产业|工业|制造业)?(?:项目|企业|工程)")
_CLASS_COUNT_AFTER_RE = re.compile(r"的?(?:重大|重点|产业|工业|制造业)?(?:项目|企业)[0-9一二三四五六七八九十]+[个项家]")


@dataclass(frozen=True)
class _Unit:
    surface: str
    factor: float
    unit: str
    cls: str


@dataclass(frozen=True)
class _Lexicon:
    units: dict[str, _Unit]
    unit_re: re.Pattern[str]
    cue_re: re.Pattern[str]  # money, exclude, capacity, growth, share, wide cues
    cue_roles: dict[str, list[tuple[str, str]]]  # cue -> [(role, value)]
    noun_re: re.Pattern[str]  # count nouns and count exclusions
    nouns: dict[str, str]  # noun -> unit code or "" (excluded)
    bar_cue: bool = False  # some cue contains "|" (the lead|tail join of _excluded_classes)
    veto_re: re.Pattern[str] | None = None  # the veto cues (a text without one has no veto hit)


def _read_tsv(name: str) -> list[list[str]]:
    path = lexicon_dir() / name
    rows: list[list[str]] = []
    with path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)  # header
        for row in reader:
            if not row or row[0].startswith("#"):
                continue
            rows.append([c.strip() for c in row])
    return rows


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    units: dict[str, _Unit] = {}
    for row in _read_tsv("units.tsv"):
        surface, factor, unit, cls = row[0], float(row[1]), row[2], row[3]
        units[surface] = _Unit(surface, factor, unit, cls)
    cue_roles: dict[str, list[tuple[str, str]]] = {}
    nouns: dict[str, str] = {}
    for row in _read_tsv("quantity_cues.tsv"):
        role, cue = row[0], row[1]
        value = row[2] if len(row) > 2 else ""
        if role == "count_noun":
            nouns[cue] = value
        elif role == "count_exclude":
            nouns[cue] = ""
        else:
            cue_roles.setdefault(cue, []).append((role, value))
    return _Lexicon(
        units=units,
        unit_re=re.compile(rf"\s?({_alternation(units)})"),
        cue_re=re.compile(_alternation(cue_roles)),
        cue_roles=cue_roles,
        noun_re=re.compile(_alternation(nouns)),
        nouns=nouns,
        bar_cue=any("|" in c for c in cue_roles),
        veto_re=re.compile(_alternation(c for c, rs in cue_roles.items() if any(r == "veto" for r, _ in rs)) or "(?!)"),
    )


# --------------------------------------------------------------------------------------------
# Text structure


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    """The clause (between ，。；：！？ or line breaks) around offset ``pos``.

    Examples
    --------
    >>> clause_bounds("甲项目开工，总投资5亿元。", 8)
    (6, 12)
    """
    return _bounds(text, _CLAUSE_PUNCT, pos)


def paragraph_bounds(text: str, pos: int) -> tuple[int, int]:
    """The paragraph (line) around offset ``pos``."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


@dataclass
class _Context:
    doc: Document
    text: str
    mentions: list[Mention]  # candidate subjects, sorted by start, not nested
    starts: list[int]
    main_place: tuple[str, str] | None
    title_end: int
    all_mentions: list[Mention] = field(default_factory=list)
    level_main: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    sentences: dict[int, Sentence | None] = field(default_factory=dict)
    periods: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    openings: dict[int, list[Mention]] = field(default_factory=dict)
    has_records: bool = False

    def main_at(self, pos: int) -> tuple[str, str] | None:
        """The place a paragraph opens with (在山东烟台，…: 烟台), else the document's main place:
        what a region-wide figure of the paragraph is about."""
        ps = _opening_places(self, pos)
        return (ps[-1].type, ps[-1].key) if ps else self.main_place

    def level_at(self, pos: int, level: str) -> tuple[str, str] | None:
        """The region of ``level`` the paragraph opens with (在山东烟台，… → 山东 for 全省)."""
        for m in _opening_places(self, pos):
            if m.type == "Region" and m.attr("level") == level:
                return (m.type, m.key)
        return None

    def sentence_at(self, pos: int) -> Sentence | None:
        """``doc.sentence_at(pos)``, memoised (several rules ask for the same offset)."""
        try:
            return self.sentences[pos]
        except KeyError:
            s = self.sentences[pos] = _sentence_at(self.doc, pos)
            return s


def _opening_places(ctx: _Context, pos: int) -> list[Mention]:
    """The places a paragraph opens with as its topic (在山东烟台，…, 在海南，…), if any."""
    text = ctx.text
    p0 = text.rfind("\n", 0, pos) + 1
    got = ctx.openings.get(p0)
    if got is None:
        got = []
        if text.startswith("在", p0):
            at = p0 + 1
            i = bisect.bisect_left(ctx.starts, at)
            while i < len(ctx.mentions) and ctx.mentions[i].start == at and ctx.mentions[i].type in _PLACE_TYPES:
                got.append(ctx.mentions[i])
                at = ctx.mentions[i].end
                i += 1
            if not got or not text.startswith(("，", ","), at):
                got = []
        ctx.openings[p0] = got
    return got


#: the place an event is held in (开工活动在某市举行, 签约仪式在某区举办)
_VENUE_VERB_RE = re.compile(r"举行|举办|召开|开幕|会场")
#: where a ceremony's (main) hall is (主会场设在某市某区): a venue too
_HALL_BEFORE_RE = re.compile(r"会场(?:设在|位于|在)[^，,。；;]{0,8}$")
#: a meeting held or an agreement signed right after a place (在某市举行, 在北京签署): a venue
VENUE_AFTER_RE = re.compile(r"(?:主会场|分会场|会场)?(?:隆重|顺利|正式|成功|共同)?(?:举行|举办|召开|开幕|签署|签订|签约)")


def at_venue(text: str, m: Mention) -> bool:
    """在X举行…, 在X签署…: the place ``m`` is where a meeting was held or an agreement signed."""
    return m.start > 0 and text[m.start - 1] == "在" and VENUE_AFTER_RE.match(text, m.end) is not None


def _is_venue(text: str, m: Mention) -> bool:
    """True for a place that only says where an event was held (…集中开工活动在某市举行，全省
    共有…): the venue, not what the figures of the sentence are about."""
    return m.type in _PLACE_TYPES and (
        at_venue(text, m)
        or _HALL_BEFORE_RE.search(text, max(0, m.start - 14), m.start) is not None)


def _unnamed_province_sentence(ctx: _Context, s0: int, pos: int) -> bool:
    """True when the sentence before ``pos`` opens with the whole province as its topic (2024年，
    自治区安排…; 1—6月，全省…) and the text names cities but no province (not 是我省X产业链
    链主企业: there the province only qualifies a chain)."""
    lm = _LEVEL_WORD_RE.search(ctx.text, s0, min(pos, s0 + 16))
    if lm is None or _level_of_word(lm.group()) != "province":
        return False
    if _first_in(ctx, s0, lm.start(), _SUBJECT_TYPES) is not None:
        return False
    return _main_of_level(ctx, "province") is None and _main_of_level(ctx, "city") is not None


def _main_of_level(ctx: _Context, level: str) -> tuple[str, str] | None:
    """The region of ``level`` (province, city, county) the document is mainly about."""
    if level not in ctx.level_main:
        ctx.level_main[level] = _main_place(
            [m for m in ctx.all_mentions if m.type == "Region" and m.attr("level") == level], ctx.text)
    return ctx.level_main[level]


def _outermost(mentions: list[Mention]) -> list[Mention]:
    """Mentions not inside a longer mention (and not flagged nested)."""
    ms = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start), m.type, m.key))
    out: list[Mention] = []
    reach = -1
    for m in ms:
        if m.attr("nested") == "1":
            continue
        if m.end <= reach:
            continue
        out.append(m)
        reach = max(reach, m.end)
    return out


#: depth of a place: a zone lies inside a county, a county inside a city, a city in a province
_PLACE_DEPTH = {"province": 1, "city": 2, "county": 3}


def _title_end(text: str) -> int:
    """End of a document's title: its first line when that reads as a headline (short, not a
    sentence), and a subtitle line (——某市加快重点项目建设纪略) right after it; 0 if none."""
    nl = text.find("\n")
    first = text if nl < 0 else text[:nl]
    if nl < 0 or not 0 < len(first) <= 60 or "。" in first:
        return 0
    end = nl
    m = re.match(r"\n+——[^\n。]{2,60}(?=\n)", text[end:])
    if m is not None:
        end += m.end()
    return end


def _main_place(mentions: list[Mention], text: str) -> tuple[str, str] | None:
    """The region or zone a document is mainly about (region-wide figures fall back to it).

    A headline that names places names the topic: the most specific of them (江西赣州…开工 →
    赣州; 2026年某某自治区政府工作报告 → the region, however often the report names its
    cities). Otherwise the place named most often (title mentions count twice), provinces and
    cities ahead of lesser places on ties.
    """
    title_end = _title_end(text)
    titled = [m for m in mentions if m.type in _PLACE_TYPES and m.start < title_end
              and m.attr("nested") != "1"]
    if titled:
        depth = {(m.type, m.key): 4 if m.type == "DevelopmentZone" else _PLACE_DEPTH.get(m.attr("level") or "", 0)
                 for m in titled}
        deepest = max(depth.values())
        if deepest > 0:
            mentions = [m for m in mentions if depth.get((m.type, m.key)) == deepest]
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], int] = {}
    level_bonus = {"province": 3, "city": 2, "county": 1}
    for m in mentions:
        if m.type not in _PLACE_TYPES:
            continue
        key = (m.type, m.key)
        weight = 2 if m.start < text.find("\n") + 1 or m.start < 40 else 1
        if m.attr("nested") == "1":
            weight /= 2  # the city inside a zone's name (南昌经开区): the zone is the topic
        counts[key] += weight
        first.setdefault(key, m.start)
        first[key] = min(first[key], m.start)
    if not counts:
        return None
    levels: dict[tuple[str, str], int] = {}
    for m in mentions:
        if m.type == "Region":
            levels[(m.type, m.key)] = level_bonus.get(m.attr("level") or "", 0)
    return max(counts, key=lambda k: (counts[k] + 0.5 * levels.get(k, 0), -first[k], k))


# --------------------------------------------------------------------------------------------
# Entry point


def extract_quantities(doc: Document, mentions: list[Mention]) -> list[Quantity]:
    """Find the quantities of a document and attach each to its subject.

    Parameters
    ----------
    doc : Document
        The ingested document; every offset indexes ``doc.text``.
    mentions : list of Mention
        The typed mentions of the document (subjects are ``(type, key)`` of these).

    Returns
    -------
    list of Quantity
        One per fact, in text order: kind, value in base units, unit code, the verbatim
        span, subject, product (for capacities), hedge flags, period and the rule used.
        Identical ``(subject, kind, value, unit)`` facts are kept once; a rounded figure is
        dropped when the exact one is stated for the same subject; a figure of the title
        line that the body repeats is not kept twice.

    Examples
    --------
    >>> from kg.ingest import ingest_text
    >>> doc = ingest_text("该项目总投资20亿元，建成后年产10万吨磷酸锰铁锂。")
    >>> [(q.kind, q.value, q.unit) for q in extract_quantities(doc, [])]
    [('investment', 2000000000.0, 'CNY'), ('capacity', 100000.0, 't')]
    """
    lex = _lexicon()
    text = doc.text
    cands = [m for m in _outermost(list(mentions)) if m.type in _SUBJECT_TYPES
             and not (m.type == "Project" and figure_headed(m.text))]
    places = list(mentions)
    if _VENUE_VERB_RE.search(text):
        cands = [m for m in cands if not _is_venue(text, m)]
        # (a venue is not what the text is about either: 集中开工活动在X主会场举行，全市…)
        places = [m for m in places if not _is_venue(text, m)]
    nl = text.find("\n")
    ctx = _Context(
        doc=doc,
        text=text,
        mentions=cands,
        starts=[m.start for m in cands],
        main_place=_main_place(places, text),
        title_end=nl if nl >= 0 else 0,
        all_mentions=list(mentions),
        has_records=bool(find_records(text)),
    )
    projects = sorted((m for m in mentions if m.type == "Project"), key=lambda m: (m.start, m.end))
    products = sorted((m for m in mentions if m.type == "Product"), key=lambda m: (m.start, m.end))
    found: list[Quantity] = []
    for num in find_numbers(text):
        q = _read_quantity(ctx, lex, num, projects, products)
        if q is not None:
            found.append(q)
    if "分别" in text:
        found = _respectively(ctx, found)
    return _dedupe(found, ctx)


#: the start of a list item (1．, （一）, a line's start) before a project's name
_ITEM_START_RE = re.compile(r"(?:^|\n)[^\S\n]*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．][^\S\n]*)?$")
#: the subjects a list before 分别 may hand figures to
_RESPECTIVE_TYPES = ("Project", "Company", "DevelopmentZone", "Region")
#: what joins the members of a list (A、B和C)
_LIST_JOIN_RE = re.compile(r"[、和及与]")


def _respectively(ctx: _Context, found: list[Quantity]) -> list[Quantity]:
    """Figures listed after 分别 go in order to the subjects listed before it (贵阳市、遵义市、
    毕节市分别完成投资862亿元、598亿元、421亿元)."""
    text = ctx.text
    ends = sorted((q.end, i) for i, q in enumerate(found))
    out = list(found)
    listed = None
    for hit in re.finditer("分别", text):
        at = hit.start()
        sent = ctx.sentence_at(at)
        s0 = sent.start if sent else clause_bounds(text, at)[0]
        # the list before 分别: names of one type joined by 、/和, the last one close to 分别 (or
        # the list of an earlier 分别 of the sentence: …分别完成投资A、B，完成率分别为C、D)
        last = _near_before(ctx, at, s0, _SUBJECT_TYPES)
        if last is not None and last.type not in _RESPECTIVE_TYPES:
            last = None  # (a list of sectors or goods: their figures are the region's, GUIDELINES §6)
        subjects = []
        between = text[last.end:at] if last is not None else ""
        if last is not None and (not re.search(r"[，,。；;：:]", between) and len(between) <= 10 or (
                # 榆林市、延安市工业投资增速位居前列，分别增长18.2%和15.6%: one clause between
                len(between) <= 20 and len(re.findall(r"[，,]", between)) == 1 and not re.search(r"[。；;：:]", between))):
            subjects = [last]
            while True:
                prev = _near_before(ctx, subjects[0].start, s0, (last.type,))
                if prev is None or not _LIST_JOIN_RE.fullmatch(text[prev.end:subjects[0].start]):
                    break
                subjects.insert(0, prev)
        if len(subjects) < 2:
            if listed is None or listed[0] != s0 or _near_before(ctx, at, listed[1][-1].end + 1, _SUBJECT_TYPES):
                continue
            subjects = listed[1]
        listed = (s0, subjects)
        # the figures after it: the first run of quantities joined by 、/和
        j = bisect.bisect_left(ends, (hit.end(), -1))
        if j >= len(ends):
            continue
        first = found[ends[j][1]]
        if first.end - hit.end() > 16 or re.search(r"[，,。；;]", text[hit.end():first.start]):
            continue
        run = [ends[j][1]]
        while len(run) <= len(subjects):
            q = found[run[-1]]
            k = bisect.bisect_right(ends, (q.end, len(found)))
            nxt = next((i for _e, i in ends[k:k + 3] if found[i].kind == q.kind and found[i].unit == q.unit), None)
            gap = text[q.end:found[nxt].end] if nxt is not None else ""
            if not gap or not _LIST_JOIN_RE.match(gap) or len(gap) > 14 or re.search(r"[，,。；;、]", gap[1:]):
                break
            run.append(nxt)
        if len(run) != len(subjects):
            continue  # (as many figures as names, or the lists do not pair)
        for i, m in zip(run, subjects, strict=True):
            out[i] = replace(out[i], subject=(m.type, m.key), rule=out[i].rule.split("/")[0] + "/subj:respectively")
    return out


# --------------------------------------------------------------------------------------------
# One number


def _read_quantity(ctx: _Context, lex: _Lexicon, num: ParsedNumber, projects, products):
    text = ctx.text
    um = lex.unit_re.match(text, num.end)
    # "10多家" / "两百多家": numbers.py already took 多/余 ; "48%以上": hedge after the unit
    if um is None:
        if (num.text.rstrip("多余").endswith(("亿", "万")) and _ANY_DIGIT_RE.search(num.text)
                and _BARE_MONEY_LEAD_RE.search(text, max(0, num.start - 5), num.start)
                and not _HAN_UNIT_NEXT_RE.match(text, num.end)):
            # "投资50亿！", "总投资20亿建设…": yuan left out after a money cue
            unit, end = lex.units["元"], num.end
        else:
            return _big_n(ctx, lex, num, products)
    else:
        unit = lex.units[um.group(1)]
        end = um.end()
    if unit.cls == "ignore":
        return None
    approximate, bound = num.approximate, num.bound
    hm = _HEDGE_AFTER_RE.match(text, end)
    if hm:
        approximate = True
        bound = bound or ("lower" if hm.group(1) in ("以上", "多", "余") else "")
    cstart, cend = clause_bounds(text, num.start)
    lead = text[cstart:num.start]
    tail = text[end:cend]
    if _THRESHOLD_RE.match(text, end) and not (unit.cls == "percent" and text.startswith("以上", end)
                                               and not text.startswith("以上的", end)):
        return None  # "2000万元以上的重点交通项目", "日产3000吨以下": thresholds
    if lead.endswith("在") and text.startswith(("以上", "以下"), end):
        return None  # "大多投资在5亿元以上": a range many things fall in, no one's figure
    value = num.value
    kind: str | None = None
    unit_code = unit.unit
    rule = ""
    in_project = _containing(projects, num.start, end)
    mult_start = None
    excluded_for = _excluded_classes(lex, lead, tail, ctx, cstart, unit.cls)

    if unit.cls == "money":
        if "*" in excluded_for or "money" in excluded_for or text.startswith("/", end):
            return None  # excluded, or a price ("元/吨")
        if _RANK_RE.match(text, end):
            return None  # "过10万亿元省份": a class of regions, not a figure
        if _DELTA_LEAD_RE.search(lead):
            return None  # "较上年提高4.1万元": a change on the year before, not a figure (as 个百分点)
        if ((_BOUND_BEFORE_RE.search(lead) or num.text.startswith(("超", "逾", "过")))
                and _CLASS_AFTER_RE.match(text, end)) or _CLASS_COUNT_AFTER_RE.match(text, end):
            return None  # "投资超10亿元重大项目14个", "30亿元项目8个": a class of projects
        kind = _money_kind(lex, lead, ctx, cstart, num.start)
        if kind is None or kind == "exclude":
            return None
        value *= unit.factor
        rule = f"money:{kind}"
    elif unit.cls in ("percent", "tenth", "multiple"):
        if "*" in excluded_for or "percent" in excluded_for:
            return None
        if unit.cls == "multiple":
            if not re.search(r"(增长|增加|提高|翻)\s?$", lead):
                return None
        if unit.cls == "tenth" and not re.search(r"[一二两三四五六七八九十\d]$", num.text):
            return None
        value *= unit.factor
        if _growth_sign(lex, lead) < 0:
            value = -value
        kind, rule = "ratio", f"ratio:{unit.cls}"
    elif unit.cls in ("area", "land"):
        if "*" in excluded_for:
            return None
        cap = _rightmost_role(lex, lead, ("capacity",))
        if _PER_YEAR_RE.match(text, end) or cap is not None and (
                len(lead) - cap[0] <= 8 or not _ANY_DIGIT_RE.search(lead, cap[0])):
            # 年产量320万平方米; 可年产光学薄膜和功能性薄膜1亿平方米 (only the products between)
            kind, value, rule = "capacity", value * unit.factor, "capacity:area"
        else:
            kind, value, rule = "area", value * unit.factor, "area"
    elif unit.cls in ("mass", "power", "energy", "volume"):
        if "*" in excluded_for or unit.cls in excluded_for:
            return None
        if text.startswith("级", end) and (unit.cls == "power" or _VESSEL_AFTER_RE.match(text, end + 1)):
            return None  # 30万吨级进港航道, 百万千瓦级光伏基地: a class, not a capacity (年产10万吨级… stays)
        per_year = bool(_PER_YEAR_RE.match(text, end))
        per_day = bool(_PER_DAY_RE.match(text, end)) or _has_role(lex, lead[-12:], "per_day")
        cap_lead = _rightmost_role(lex, lead, ("capacity",))
        cap_tail = _has_role(lex, tail[:8], "capacity")
        if not (per_year or per_day or cap_lead or cap_tail or in_project
                or unit.cls == "power"):
            return None
        if unit.cls == "energy" and not (cap_lead or cap_tail or in_project or per_year):
            return None
        kind, value, rule = "capacity", value * unit.factor, "capacity"
        mult = _UNITS_OF_RE.search(text, max(0, num.start - 6), num.start) if num.start else None
        if mult is not None:
            # 2×66万千瓦机组: two units of 66万千瓦 each (GUIDELINES §6: multiplied out)
            value *= int(parse_number(mult.group(1)).value)  # (两台三万千瓦机组: 2 units)
            mult_start = mult.start()
        elif unit.cls == "power":
            units = _UNITS_AFTER_RE.match(text, end)
            if units is not None:
                # 安装6.25兆瓦风机32台: 32 units of 6.25 MW each (multiplied out, as above)
                value *= int(units.group(1))
                end = units.end()
        if per_day:
            unit_code += "/d"
        if per_year:
            end = _PER_YEAR_RE.match(text, end).end()
    elif unit.cls == "classifier":
        res = _count(ctx, lex, num, unit, end, lead, cend)
        if res is None:
            return None
        kind, unit_code, value, rule = res
        if kind == "capacity":
            pass
        elif "*" in excluded_for:
            return None
    else:
        return None

    subject, srule = _subject(ctx, kind, unit_code, num.start, end, lead, cstart, cend, in_project,
                              rule)
    product = _product(products, num.start, end, cstart, cend) if kind == "capacity" else None
    span_start = _span_start(lex, text, cstart, num.start, lead)
    if mult_start is not None:
        span_start = min(span_start, mult_start)
    period = _period(text, cstart, num.start, ctx)
    return Quantity(
        kind=kind,
        value=float(value),
        unit=unit_code,
        text=text[span_start:end],
        start=span_start,
        end=end,
        subject=subject,
        product=product,
        approximate=approximate,
        bound=bound,
        period=period,
        rule=f"{rule}/{srule}",
    )


def _big_n(ctx: _Context, lex: _Lexicon, num: ParsedNumber, products) -> Quantity | None:
    """"八大生产基地": a count written as a Chinese numeral + 大 + a facility noun."""
    text = ctx.text
    if not text.startswith("大", num.end) or num.text[0] not in "一二两三四五六七八九十":
        return None
    nm = lex.noun_re.match(text, num.end + 1)
    if nm is None:
        # allow one modifier character before the noun ("八大生产基地")
        nm = re.compile(lex.noun_re.pattern).search(text, num.end + 1, num.end + 4)
    if nm is None or lex.nouns.get(nm.group(0)) != "unit":
        return None
    end = nm.end()
    cstart, cend = clause_bounds(text, num.start)
    lead = text[cstart:num.start]
    subject, srule = _subject(ctx, "count", "unit", num.start, end, lead, cstart, cend, None,
                              "count")
    return Quantity(kind="count", value=num.value, unit="unit", text=text[num.start:end],
                    start=num.start, end=end, subject=subject, rule=f"count:big-n/{srule}")


def _cue_hits(lex: _Lexicon, s: str) -> list[tuple[int, str]]:
    """``(offset, cue)`` of the cues of ``s``, left to right (callers must not change it).

    The rules of one number ask several times about the same lead and about its last few
    characters, so the hits of recent strings are kept, by value (equal strings have equal
    hits). The hits of a suffix of the last string scanned are read off that string's hits
    unless a hit straddles the cut: the pattern is an alternation of literal cues, so the
    hit at an offset does not depend on where the search started. The memo is replaced as a
    whole, so threads never share a half-built one; at worst a thread scans again."""
    memo = _CUE_MEMO[0]
    if memo[0] is lex:
        hits = memo[1].get(s)
        if hits is not None:
            return hits
    else:
        memo = _CUE_MEMO[0] = (lex, {}, "", [])
    last, last_hits = memo[2], memo[3]
    hits = None
    if len(s) < len(last) and last.endswith(s):
        cut = len(last) - len(s)
        hits = []
        for pos, cue in last_hits:
            if pos >= cut:
                hits.append((pos - cut, cue))
            elif pos + len(cue) > cut:
                hits = None  # straddles the cut: scan the suffix itself
                break
    if hits is None:
        hits = [(m.start(), m.group(0)) for m in lex.cue_re.finditer(s)]
        memo = (lex, memo[1] if len(memo[1]) < 64 else {}, s, hits)
    memo[1][s] = hits
    _CUE_MEMO[0] = memo
    return hits


#: [(lexicon, {string: its cue hits}, last string scanned, its hits)].
_CUE_MEMO: list = [(None, {}, "", [])]


def _rightmost_role(lex: _Lexicon, s: str, roles: tuple[str, ...]) -> tuple[int, str, str] | None:
    best = None
    for pos, cue in _cue_hits(lex, s):
        for role, value in lex.cue_roles[cue]:
            if role in roles:
                best = (pos, role, value)
    return best


def _has_role(lex: _Lexicon, s: str, role: str) -> bool:
    return any(r == role for _, cue in _cue_hits(lex, s) for r, _v in lex.cue_roles[cue])


#: the kind cues that end the walk back for an exclusion cue, per unit class
_STOP_ROLES = {"money": ("money",), "percent": ("share",), "tenth": ("share",), "multiple": ("share",)}


def _excluded_classes(lex: _Lexicon, lead: str, tail: str, ctx: _Context, cstart: int,
                      cls: str = "") -> set[str]:
    """Unit classes vetoed by an exclusion cue governing the number.

    A veto cue anywhere in the clause excludes the figure. Otherwise the nearest cue of the
    lead decides between an exclusion and a kind cue of the unit's class (money cues for
    amounts, capacity cues for physical units, share cues for percentages); a clause that
    starts with 同比/增长 (no topic of its own) inherits the topic of the clause before.
    """
    out: set[str] = set()
    # when no cue contains "|", the cues of lead + "|" + tail are those of tail and of lead
    # (lead last: the memo of _cue_hits keeps it for the look-ups below)
    for part in ((lead + "|" + tail,) if lex.bar_cue else (tail, lead)):
        if lex.veto_re is not None and not lex.veto_re.search(part):
            continue  # a veto hit is an occurrence of a veto cue
        for _pos, cue in _cue_hits(lex, part):
            for r, _v in lex.cue_roles[cue]:
                if r == "veto":
                    out.add("*")
    if out:
        return out
    stop_roles = _STOP_ROLES.get(cls, ("money", "capacity", "share"))
    scope = lead
    if _SAME_TOPIC_RE.match(lead) and cstart > 0:
        pstart, _ = clause_bounds(ctx.text, cstart - 1)
        scope = ctx.text[pstart:cstart - 1] + "，" + lead
    hits = _cue_hits(lex, scope)
    # the nearest topical cue wins: walk back from the number
    for _pos, cue in reversed(hits):
        roles = lex.cue_roles[cue]
        excl = [v for r, v in roles if r == "exclude"]
        if excl:
            for v in excl:
                out.update(x.strip() for x in v.split(","))
            break
        if any(r in stop_roles for r, _ in roles):
            break
    return out


def _money_kind(lex: _Lexicon, lead: str, ctx: _Context, cstart: int, pos: int) -> str | None:
    hit = _rightmost_role(lex, lead, ("money", "exclude"))
    if hit is None:
        # "地区生产总值增长5.5%、达到10.3万亿元" / "…投资分别达到845亿元、486.3亿元"
        sent = ctx.sentence_at(pos)
        s0 = sent.start if sent else max(0, cstart - 40)
        hit = _rightmost_role(lex, ctx.text[s0:cstart], ("money", "exclude"))
        if hit is not None and cstart - (s0 + hit[0]) > 30:
            hit = None
    if hit is None:
        return None
    _pos, role, value = hit
    return "exclude" if role == "exclude" else value


def _growth_sign(lex: _Lexicon, lead: str) -> int:
    hit = _rightmost_role(lex, lead[-8:], ("growth",))
    if hit is None:
        return 1
    return -1 if hit[2] == "-1" else 1


def _count(ctx: _Context, lex: _Lexicon, num: ParsedNumber, unit: _Unit, end: int, lead: str,
           cend: int):
    """Kind, unit code, value and rule of a number + classifier, or None."""
    text = ctx.text
    cls_char = unit.surface
    chinese = not _DIGIT_RE.match(num.text.lstrip("约近超逾大将接不突破"))
    # "年旅客吞吐量3000万人次": a capacity in persons
    cap = _rightmost_role(lex, lead, ("capacity", "exclude", "money"))
    if cap is not None and cap[1] == "capacity" and len(lead) - cap[0] <= 14:
        # "年产家用空调700万套", "年旅客吞吐量3000万人次", "产能预计将达到50架"
        if cls_char in ("人次", "人"):
            return "capacity", "person", num.value, "capacity:persons"
        if cls_char == "台" and _POWER_AFTER_RE.match(text, end):
            return None  # 装机规模两台三万千瓦机组: the number of units of the power after it
        if cls_char in ("台", "套", "台套", "辆", "架", "片", "件"):
            return "capacity", unit.unit if unit.unit == "piece" else "unit", num.value, "capacity:units"
    window_end = min(cend, end + 14)
    m = _ANY_DIGIT_RE.search(text[end:window_end])
    if m:
        window_end = end + m.start()
    after = text[end:window_end]
    noun = None
    nm = lex.noun_re.search(after)
    if nm:
        noun = nm.group(0)
    if noun is None:
        # noun before: "新建项目24个", "入驻企业54家", "智能工厂达16个"
        best = None
        for m2 in lex.noun_re.finditer(lead):
            best = m2
        if best is not None:
            gap = lead[best.end():]
            if (len(gap) <= 6 and not _DIGIT_RE.search(gap)) or _LIST_GAP_RE.fullmatch(gap):
                noun = best.group(0)
    if noun is None:
        if cls_char in ("个", "项") and re.search(r"(开工|竣工|投产|签约|落地|建成)$", lead):
            return "count", "project", num.value, "count:status-verb"
        return None
    code = lex.nouns[noun]
    if not code:
        return None
    if cls_char in ("人", "名", "人次") and code != "person":
        return None
    if code == "person" and cls_char not in ("个", "人", "名"):
        return None
    if chinese and num.value < 10:
        # "两家水泥企业", "一座母站": descriptive, not a statistic; "八大生产基地" is
        return None
    if cls_char == "家" and code == "unit" and noun not in ("工厂",):
        code = "unit"
    return "count", code, num.value, f"count:{noun}"


_LIST_GAP_RE = re.compile(r"(分别)?(达到|达|为|是|有|增长|新增)?([\d.]+(多|余)?[家个项条座处]?、)+")


def _containing(ms: list[Mention], start: int, end: int) -> Mention | None:
    best = None
    for m in ms:
        if m.start > start:
            break
        if m.start <= start and m.end >= end:
            if best is None or (m.end - m.start) > (best.end - best.start):
                best = m
    return best


def _product(products: list[Mention], start: int, end: int, cstart: int, cend: int):
    """A Product mention adjacent to a capacity: right after the unit, or between cue and number."""
    for m in products:
        if end <= m.start <= end + 2 and m.end <= cend:
            return (m.type, m.key)
    for m in reversed(products):
        if cstart <= m.start and m.end <= start and start - m.end <= 4:
            return (m.type, m.key)
    return None


def _span_start(lex: _Lexicon, text: str, cstart: int, pos: int, clause_lead: str = "") -> int:
    """Start the quantity text at its cue word when the cue is close to the number.

    ``clause_lead`` is ``text[cstart:pos]`` when the caller has it (its cue hits are
    memoised)."""
    base = max(cstart, pos - 10)
    lead = clause_lead if base == cstart and clause_lead else text[base:pos]
    hits = [h for h in _cue_hits(lex, lead) if not lead.startswith(_LEGAL_FORMS, h[0])]
    if hits:
        return base + hits[-1][0]
    return pos


#: a company's legal form, whose 股份 is no share cue (…股份有限公司4万吨/年…)
_LEGAL_FORMS = ("股份有限公司", "股份公司", "股份合作")


def _period(text: str, cstart: int, pos: int, ctx: _Context) -> str | None:
    """The last period expression of ``text[s0:pos]`` (``s0``: the sentence start)."""
    sent = ctx.sentence_at(pos)
    best = None
    if sent is None:
        for m in _PERIOD_RE.finditer(text, cstart, pos):
            best = m.group(0)
        return best
    # The matches of the whole sentence, found once, are those of text[s0:pos] up to the first
    # one that reaches past pos (the pattern has no anchor or lookaround, so cutting the text
    # short cannot change an earlier match); from that one on, search the cut text.
    ms = ctx.periods.get(sent.start)
    if ms is None:
        ms = ctx.periods[sent.start] = [(m.start(), m.end(), m.group(0))
                                        for m in _PERIOD_RE.finditer(text, sent.start, sent.end)]
    for a, b, g in ms:
        if b <= pos:
            best = g
            continue
        if a < pos:
            for m in _PERIOD_RE.finditer(text, a, pos):
                best = m.group(0)
        break
    return best


# --------------------------------------------------------------------------------------------
# Subjects


def _near_before(ctx: _Context, pos: int, lo: int, types: tuple[str, ...]) -> Mention | None:
    """The nearest candidate mention of one of ``types`` ending at or before ``pos``, starting at ``lo`` or later."""
    i = bisect.bisect_right(ctx.starts, pos) - 1
    while i >= 0:
        m = ctx.mentions[i]
        if m.start < lo:
            return None
        if m.end <= pos and m.type in types:
            return m
        i -= 1
    return None


def _project_antecedent(ctx: _Context, pos: int, word: str) -> Mention | None:
    """The project a pronoun (该项目, 项目, 该工程…) at ``pos`` points back to: the nearest
    project; but 项目 after a project's own line or phase (P项目…一期建设X生产线。项目全部
    达产后…) points past them, at most two, to the 项目 they belong to."""
    near = _near_before(ctx, pos, 0, ("Project",))
    if near is None or word[-2:] != "项目" or near.text.endswith(("项目", "工程")):
        return near
    skipped = 0
    i = bisect.bisect_right(ctx.starts, pos) - 1
    while i >= 0 and ctx.mentions[i].start >= pos - 300:
        m = ctx.mentions[i]
        if m.type == "Project" and m.end <= pos:
            if m.text.endswith("项目"):
                # (only within the paragraph: a project of an earlier one is another's)
                return m if "\n" not in ctx.text[m.end:near.start] else near
            if m.text.endswith("工程") or skipped == 2:
                return near
            skipped += 1
        i -= 1
    return near


def _first_in(ctx: _Context, lo: int, hi: int, types: tuple[str, ...]) -> Mention | None:
    i = bisect.bisect_left(ctx.starts, lo)
    while i < len(ctx.mentions) and ctx.mentions[i].start < hi:
        m = ctx.mentions[i]
        if m.type in types and m.end <= hi:
            return m
        i += 1
    return None


def _key(m: Mention | None) -> tuple[str, str] | None:
    return (m.type, m.key) if m is not None else None


def _place(ctx: _Context, pos: int, cstart: int, lead: str, *, wide: bool = False,
           counted: bool = False) -> tuple[tuple[str, str] | None, str]:
    """The zone or region a region-wide figure at ``pos`` belongs to."""
    text = ctx.text
    sent = ctx.sentence_at(pos)
    s0 = sent.start if sent else cstart
    pm = None
    for m in _PRONOUN_RE.finditer(text, s0, pos):
        pm = m
    if pm is not None and pm.group("zo"):
        z = _near_before(ctx, pm.start(), 0, ("DevelopmentZone",))
        main = ctx.main_place
        if (pm.group("zo") in ("全区", "该区") and main is not None and main[0] == "Region"
                and _region_name(ctx, main).endswith("区")):
            # 全区 in a text about a district (袁州区): the district, not a park named in it
            if _near_before(ctx, pos, pm.end(), _PLACE_TYPES) is None:
                return main, "place:deictic-district"
        elif z is not None and _near_before(ctx, pos, pm.end(), _PLACE_TYPES) is None:
            return _key(z), "place:deictic-zone"
    dm = None
    for hit in _DEICTIC_REGION_RE.finditer(text, s0, pos):
        dm = hit  # the last 该市/该县/该省 before the figure
    if dm is not None and _near_before(ctx, pos, dm.end(), _PLACE_TYPES) is None:
        # 该市/该县/该省: the nearest region of that level named before
        level = _LEVEL_OF[dm.group(1)]
        i = bisect.bisect_right(ctx.starts, dm.start()) - 1
        while i >= 0:
            r = ctx.mentions[i]
            if r.type == "Region" and r.end <= dm.start() and ("level", level) in r.attrs:
                return _key(r), "place:deictic-region"
            i -= 1
    m = _near_before(ctx, pos, cstart, _PLACE_TYPES)
    if m is not None and counted and pos - m.end <= 3:
        # "新增国家级农业产业园区1个": the counted noun, not the place counted in
        m = _near_before(ctx, m.start, cstart, _PLACE_TYPES)
    if m is not None:
        return _key(m), "place:clause"
    lm = _LEVEL_WORD_RE.search(lead)
    if lm is not None:
        # 全市/全省/全县: the document's main region of that level (the city, not a zone in it)
        level = _level_of_word(lm.group())
        region = _region_of_word(ctx, lm.group(), pos)
        if region is not None:
            return region, "place:wide-level"
        if level == "province" and _main_of_level(ctx, "city") is not None:
            # 全省 in a text that names cities of the province but not the province: not any
            # of those cities' figure
            return None, "place:wide-level-unnamed"
        if _zone_main(ctx, pos):
            # 全县新签约项目42个 in a text that names no county, only a zone of it: not the zone's
            return None, "place:wide-level-unnamed"
    if _unnamed_province_sentence(ctx, s0, pos):
        # 自治区安排重大项目1200个，年度计划投资3500亿元: the sentence speaks of a province the
        # text does not name
        return None, "place:wide-level-unnamed"
    if wide and ctx.main_at(pos) is not None:
        return ctx.main_at(pos), "place:wide-main"
    lm = _LEVEL_WORD_RE.search(text, s0, pos)
    if lm is not None:
        # 全省重大项目集中开工仪式在A市、B市同步举行，11个重大项目集中开工: the sentence is about
        # the province, the cities it names are its venues
        region = _region_of_word(ctx, lm.group(), pos)
        if region is not None:
            return region, "place:wide-level-sentence"
        if _zone_main(ctx, pos) and _near_before(ctx, pos, s0, _PLACE_TYPES) is None:
            return None, "place:wide-level-unnamed"
    m = _near_before(ctx, pos, s0, _PLACE_TYPES)
    if m is not None:
        return _key(m), "place:sentence"
    # the zone a paragraph is about: its first name
    p0, _ = paragraph_bounds(text, pos)
    first = _first_in(ctx, p0, pos, _SUBJECT_TYPES)
    if first is not None and first.type == "DevelopmentZone":
        return _key(first), "place:paragraph-topic"
    return ctx.main_at(pos), "place:main"


def _zone_main(ctx: _Context, pos: int) -> bool:
    """Whether the place the text is about at ``pos`` is a development zone."""
    main = ctx.main_at(pos)
    return main is not None and main[0] == "DevelopmentZone"


#: words for the whole of a region of one level (全市: the city the document is about)
_LEVEL_WORD_RE = re.compile(r"全省|我省|本省|全市|我市|本市|全县|我县|本县|(?<![\u4e00-\u9fff])自治区|全自治区")
_LEVEL_OF = {"省": "province", "市": "city", "县": "county"}
def _region_name(ctx: _Context, key: tuple[str, str]) -> str:
    """The text of the longest mention of region ``key``."""
    return max((m.text for m in ctx.all_mentions if (m.type, m.key) == key), key=len, default="")


def _region_of_word(ctx: _Context, word: str, pos: int) -> tuple[str, str] | None:
    """The region a level word (全市, 全省, 全县) at ``pos`` speaks of: the one of that level
    the paragraph opens with, else the document's main one of that level; 全市 in a text about
    a county-level city (南安市政府工作报告) is that city, not the prefecture above it."""
    from ..regions import place_by_code

    level = _level_of_word(word)
    main = ctx.main_place
    if word.endswith("市") and level == "city" and main is not None and main[0] == "Region":
        place = place_by_code(main[1])
        if place is not None and place.level == "county" and place.name.endswith("市"):
            return main
    return ctx.level_at(pos, level) or _main_of_level(ctx, level)


def _level_of_word(word: str) -> str:
    """The level of a region a word of _LEVEL_WORD_RE speaks of (全省 → province, 自治区 → province)."""
    return "province" if word.endswith("自治区") else _LEVEL_OF[word[-1]]


#: a region named before by its level (该市稀土产业链已集聚…)
_DEICTIC_REGION_RE = re.compile(r"该(市|县|省)")
#: (电力装机规模达1.1亿千瓦: the installed power of a region, not of a project named before)
_WIDE_RE = re.compile(r"全省|全市|全区|全县|全年|省内|市内|我省|我市|新增|全国|全球|电力装机|发电装机|装机规模")
#: a whole region: its jobs (全市城镇新增就业5.2万人) and the sentences about it are not a company's or a project's
_WHOLE_REGION_RE = re.compile(r"全省|全市|全区|全县|全州|全国|我省|我市|我区|我县|城镇")
_BUILD_RE = re.compile(r"(开建|兴建|建设|新建|实施|打造|建)")
#: where a thing the sentence opens with lies (X位于Y，…)
_SITED_RE = re.compile(r"(?:项目|园区)?(?:位于|坐落于|地处|选址于?|落户于?)")
#: a number of projects (项目242个, 45个重大项目): the figures after it are the aggregate's
_PROJECT_COUNT_RE = re.compile(r"项目(?:共|总数)?[0-9]+[个项]|[0-9]+[个项](?:重大|重点|产业|工业)?项目")
#: only a building verb between an investment and the project after it (投资50亿元建设…项目,
#: 投资60亿元建设的…项目, 投资2亿美元在某高新区建设…项目)
_BUILDS_RE = re.compile(r"[，,]?(?:在[^，,。；;\d]{2,16}?)?(?:用于|用来|来)?(?:开建|兴建|建设|新建|扩建|实施|打造|建)了?的?")


def _subject(ctx: _Context, kind: str, unit: str, start: int, end: int, lead: str, cstart: int,
             cend: int, in_project: Mention | None, rule: str):
    """The ``(type, key)`` a figure is about, and the name of the rule that chose it."""
    text = ctx.text
    rec = project_record_at(text, start) if ctx.has_records else None
    if rec is not None:
        # a labelled record's lines (总投资：25.6亿元, 建设内容：年产50万辆…生产线) are about
        # its project
        p = _first_in(ctx, rec.name[0], rec.name[1], ("Project",))
        if p is not None:
            return _key(p), "subj:record"
    if in_project is not None and (kind == "capacity" or kind == "area" and LAND_PROJECT_RE.match(in_project.text)):
        # "某某5GW拉晶项目", "年产2万吨某材料项目", "20万亩茶园提质增效项目": a capacity or the
        # land written into the name
        return (in_project.type, in_project.key), "subj:in-name"
    # "年产值100亿元的某产业基地", "20兆瓦的储能项目": the figure modifies the name after it
    after = _first_in(ctx, end, cend, ("Project",))
    if after is not None and re.fullmatch(r"的?", text[end:after.start]):
        return _key(after), "subj:modifies"
    if _THIS_PROJECT_RE.search(lead) and _OF_PROJECT_RE.match(text, end):
        # 这个总投资约320亿元的项目: the figure of the project named before
        p = _project_antecedent(ctx, start, "项目")
        if p is not None:
            return _key(p), "subj:this-project"
    sent = ctx.sentence_at(start)
    s0 = sent.start if sent else cstart
    s1 = sent.end if sent else cend
    clause_org = _near_before(ctx, start, cstart, _ORG_TYPES)
    pron = None
    for m in _PRONOUN_RE.finditer(lead):
        pron = m
    # list-level: "甲等11处煤矿", "…等400万千瓦机组"
    if _LIST_END_RE.search(lead) or (clause_org is not None and "等" in text[clause_org.end:start]
                                      and kind in ("count", "capacity", "investment")
                                      and not _OWN_LIST_RE.match(text, clause_org.end, start)):
        return _place(ctx, start, cstart, lead)[0], "subj:list-level"
    if clause_org is None:
        # "5GW切片、2GW组件、8GW光伏一体化项目": a list headed by the project after it
        fwd = _first_in(ctx, end, cend, ("Project",))
        if fwd is not None and "、" in text[end:fwd.start] and kind == "capacity":
            return _key(fwd), "subj:list-head-after"
        # "投资50亿元，开建…产业基地": the investment of the project built next
        if kind in ("investment", "output_value", "area") and not lead.strip().startswith("累计"):
            fwd = _first_in(ctx, end, min(s1, end + 30), ("Project",))
            if fwd is not None and _BUILD_RE.search(text[end:fwd.start]) and not _near_before(
                    ctx, start, s0, ("Project",)) and not (pron is not None and pron.group("pr")) and not (
                    _PROJECT_OPENS_RE.match(text, s0)):
                # (not after a project pronoun: 项目总投资140亿元，规划建设…生产线 is the project's;
                # nor in a sentence the pronoun opens: 项目拟选址…，总投资80亿元，分两期建设，一期…)
                return _key(fwd), "subj:builds-next"
    elif kind == "investment":
        # "某公司投资50亿元建设10GW电池项目": the sum builds the project named right after it
        fwd = _first_in(ctx, end, s1, ("Project",))
        if fwd is not None and _BUILDS_RE.fullmatch(text[end:fwd.start]):
            return _key(fwd), "subj:builds-named"
        by = text[cstart:clause_org.start].strip()
        if by.endswith("由") and _BUILT_AFTER_RE.match(text, end):
            # 项目由C投资20亿元建设 / P，由C投资18亿元建设: the money builds the project the pronoun
            # or the clause before names, not C's figure
            m = None
            if by == "由":
                # (a sentence opening with 由 has the item's project before it: （一）P。由C投资…)
                m = _near_before(ctx, cstart, s0 if cstart > s0 else paragraph_bounds(text, cstart)[0], ("Project",))
            elif pron is not None and pron.group("pr") and by == pron.group(0).strip() + "由":
                m = _pronoun_target(ctx, pron, cstart, s0)
            if m is not None:
                return _key(m), "subj:built-by"
    if kind == "count" and unit == "company" and "带动" in lead:
        # 链主企业C…，带动上下游企业22家: the firms a company draws along are its figure
        co = _near_before(ctx, start, s0, ("Company",))
        if co is not None:
            return _key(co), "subj:drawn-firms"
    if kind == "count" and unit in ("project", "company", "zone") and not _BRANCH_CO_RE.search(
            text[end:end + 8]):
        return _place(ctx, start, cstart, lead, counted=True)
    sector = _near_before(ctx, start, cstart, ("IndustryChain",))
    if kind == "ratio":
        return _ratio_subject(ctx, start, end, lead, cstart, s0, clause_org, pron)
    if kind == "count" and unit == "person" and _WHOLE_REGION_RE.search(lead):
        return _place(ctx, start, cstart, lead, wide=True)[0], "subj:wide-jobs"
    if kind == "count" and unit == "person":
        # (项目全面达产后，…，新增就业岗位1200个: the project the sentence's pronoun names)
        # (P由C投资建设，总投资…，新增就业岗位3000个: the project the sentence reports on)
        m = clause_org or _pronoun_target(ctx, pron, cstart, s0) or _sentence_pronoun(
            ctx, s0, start) or _sentence_org(ctx, start, s0, cstart) or _near_before(
            ctx, start, paragraph_bounds(text, start)[0], ("Company",))
        if m is not None:
            return _key(m), "subj:jobs-company"
    wide = bool(_WIDE_RE.search(lead))
    if wide and kind == "capacity" and set(_WIDE_RE.findall(lead)) == {"新增"}:
        # "…建设P项目，新增年产30万辆…产能": the capacity the project adds, not a region's
        # (also after the project's own investment: P完成投资2.3亿元，新增年产…的生产能力)
        m = _near_before(ctx, start, s0, ("Project",))
        if m is not None and re.fullmatch(r"(?:项目|工程)?(?:(?:总|计划|累计)?(?:完成)?投资[^，。；]{0,12}?元[，,])?(?:已?于\d{1,2}月(?:份|底|初)?(?:竣工|建成|投产)(?:投产)?"
                                          r"|已?(?:实现|全面)?(?:满产|达产|投产|建成投产|竣工投产|建成))?[，,]?"
                                          r"(?:并|可|将|预计)?新增(?:[^，。；\d]{0,10}?(?:年产能?|产能|年产)|年产能?|产能|年产)?"
                                          r"(?:[^，。；\d]{0,8})",
                                          text[m.end:start]):
            return _key(m), "subj:adds-capacity"
        if m is None and _TECH_UPGRADE_ADDS_RE.search(lead) and _near_before(ctx, start, s0, _PLACE_TYPES) is None:
            # C…，现有产能3.5万吨/年，技改完成后将新增产能2万吨/年: what the firm's upgrade adds
            m = _sentence_org(ctx, start, s0, cstart)
            if m is not None and m.type == "Company":
                return _key(m), "subj:upgrade-adds"
    if wide and kind == "capacity" and set(_WIDE_RE.findall(lead)) == {"装机规模"} and _near_before(
            ctx, start, s0, _PLACE_TYPES) is None:
        # P总投资4.5亿元，装机规模2台3万千瓦机组: the installed size of the project the sentence is about
        m = clause_org or _sentence_org(ctx, start, s0, cstart)
        if m is not None and m.type == "Project":
            return _key(m), "subj:installed-size"
    if clause_org is not None:
        return _key(clause_org), "subj:clause-org"
    if pron is not None:
        m = _pronoun_target(ctx, pron, cstart, s0)
        if m is not None:
            return _key(m), "subj:pronoun"
    if wide or sector is not None:
        return _place(ctx, start, cstart, lead, wide=True)[0], "subj:wide"
    if kind == "capacity":
        # "某型飞机的产能预计将达到50架": the product owns the capacity
        prod = _near_before(ctx, start, cstart, ("Product",))
        if prod is not None and re.match(r"的(年?产能|生产能力)", text[prod.end:start]):
            return _key(prod), "subj:product-owner"
    m = _near_before(ctx, start, cstart, ("DevelopmentZone",))
    if m is not None:
        return _key(m), "subj:clause-zone"
    m = _sentence_org(ctx, start, s0, cstart)
    if m is not None:
        return _key(m), "subj:sentence-org"
    m = _near_before(ctx, start, s0, _PLACE_TYPES)
    opener = _first_in(ctx, s0, start, _SUBJECT_TYPES)
    if (m is not None and opener is not None and opener is not m and opener.type in ("Project", "DevelopmentZone")
            and not text[s0:opener.start].strip() and _SITED_RE.match(text, opener.end)):
        # X产业园区位于本市某区某工业区，占地面积约1100亩，规划总投资25亿元: the park the sentence
        # opens with, not where it lies
        return _key(opener), "subj:sited-opener"
    if m is not None and (lm := _LEVEL_WORD_RE.search(text, s0, m.start)) is not None:
        # 全省重大项目集中开工仪式在A市、B市同步举行，…，总投资达872亿元: the province's (the
        # cities are venues)
        region = _region_of_word(ctx, lm.group(), start)
        if region is not None:
            return region, "subj:wide-level-sentence"
    if m is not None:
        opening = _PRONOUN_RE.match(text, s0)
        if opening is not None and opening.group("pr") and opening.end() <= m.start:
            # 项目位于X高新区，总投资25亿元: the project the sentence opens with, not its place
            target = _project_antecedent(ctx, opening.start(), opening.group("pr"))
            if target is not None:
                return _key(target), "subj:sentence-pronoun"
        return _key(m), "subj:sentence-place"
    p0, _ = paragraph_bounds(text, start)
    m = _sentence_pronoun(ctx, s0, start)
    if m is not None:
        return _key(m), "subj:sentence-pronoun"
    if kind in ("investment", "capacity", "output_value", "area", "tax") or (
            kind == "count" and unit == "unit"):
        m = _previous_topic(ctx, s0, p0)
        if m is not None and kind != "count" and start - m.end <= 80 and not _WHOLE_REGION_RE.search(text, s0, start) \
                and not _PROJECT_COUNT_RE.search(text, s0, start):
            # (not when the sentence speaks of the whole region: 今年全区共安排重大项目126个，年度计划投资…;
            # nor of a number of projects: 联合开工项目242个，总投资1609亿元 is their sum)
            return _key(m), "subj:previous-sentence-topic"
        if _first_in(ctx, p0, start, _SUBJECT_TYPES) is None and p0 > 1 and not _PROJECT_COUNT_RE.search(text, s0, start):
            # a paragraph continuing the one that just named the project (not a sum of a
            # number of projects: （二）基础设施项目62个，总投资685亿元)
            q0, _ = paragraph_bounds(text, max(0, len(text[:p0].rstrip("\n")) - 1))
            last = _near_before(ctx, p0, q0, _SUBJECT_TYPES)
            tail_text = text[last.end:p0] if last is not None else ""
            if last is not None and last.type in _ORG_TYPES and len(tail_text.strip()) <= 3:
                return _key(last), "subj:previous-paragraph-org"
    place, prule = _place(ctx, start, cstart, lead)
    return place, "subj:" + prule


def _ratio_subject(ctx: _Context, start: int, end: int, lead: str, cstart: int, s0: int,
                   clause_org: Mention | None, pron):
    text = ctx.text
    around = lead[-8:] + "|" + text[end:end + 8]
    if _STAKE_RE.search(around):
        co = _first_in(ctx, s0, start, ("Company",))
        if co is not None:
            return _key(co), "subj:stake-buyer"
    if _PROGRESS_RE.search(around) and "开工率" not in lead:
        m = clause_org or _pronoun_target(ctx, pron, cstart, s0) or _near_before(
            ctx, start, s0, ("Project",)) or _line_item_project(ctx, start)
        if m is None:
            # 该项目由C投资建设，…，目前整体工程进度已达到78%: the project the sentence opens with
            sp = _sentence_pronoun(ctx, s0, start)
            m = sp if sp is not None and sp.type == "Project" else None
        if m is not None:
            return _key(m), "subj:progress"
    if _PLAN_SHARE_RE.search(lead[-12:]):
        m = clause_org or _sentence_org(ctx, start, s0, cstart)
        if m is not None and m.type == "Project":
            return _key(m), "subj:plan-share"
    if _MARKET_SHARE_RE.search(text[end:end + 8]):
        m = clause_org or _near_before(ctx, start, paragraph_bounds(text, start)[0], ("Company",))
        if m is not None:
            return _key(m), "subj:market-share"
    if clause_org is not None and clause_org.type == "Company":
        return _key(clause_org), "subj:clause-company"
    if pron is not None and pron.group("co"):
        m = _pronoun_target(ctx, pron, cstart, s0)
        if m is not None:
            return _key(m), "subj:pronoun"
    if _GROWTH_LEAD_RE.match(lead) and cstart > s0:
        prev = _near_before(ctx, cstart, s0, ("Company",))
        pstart, _ = clause_bounds(text, cstart - 1)
        if prev is not None and prev.start >= pstart:
            return _key(prev), "subj:prev-clause-company"
        pp = None
        for m in _PRONOUN_RE.finditer(text[pstart:cstart]):
            pp = m
        if pp is not None and pp.group("co"):
            m = _near_before(ctx, pstart + pp.start(), 0, ("Company",))
            if m is not None:
                return _key(m), "subj:prev-clause-pronoun"
        place = _near_before(ctx, cstart, s0, _PLACE_TYPES)
        if place is not None and place.start >= pstart and not _is_venue(text, place) \
                and _near_before(ctx, start, cstart, _PLACE_TYPES) is None:
            # 洋浦经济开发区完成固定资产投资312亿元，同比增长18.6%: the growth of the place the
            # clause before spoke of
            return _key(place), "subj:prev-clause-place"
    m = _near_before(ctx, start, cstart, _PLACE_TYPES)
    if m is not None:
        return _key(m), "subj:ratio-clause-place"
    if "占" in lead:
        m = _near_before(ctx, start, s0, _PLACE_TYPES)
        if m is not None:
            return _key(m), "subj:share-sentence-place"
    lm = _LEVEL_WORD_RE.search(ctx.text, s0, start)
    if lm is not None:
        # "全市1803个新建项目已开工1282个，开工率71.1%": the sentence speaks of the city
        region = _region_of_word(ctx, lm.group(), start)
        if region is not None:
            return region, "subj:ratio-sentence-level"
        if _unnamed_province_sentence(ctx, s0, start) or (
                _level_of_word(lm.group()) == "province" and _main_of_level(ctx, "city") is not None) or (
                _zone_main(ctx, start) and _near_before(ctx, start, s0, _PLACE_TYPES) is None):
            # (全省…增长5.6% in a text naming cities of the province but not the province, or
            # 全县 in one naming only a zone: not the city's or the zone's rate)
            return None, "subj:ratio-level-unnamed"
    return ctx.main_at(start), "subj:ratio-main"


def _line_item_project(ctx: _Context, pos: int) -> Mention | None:
    """The project a list item's line opens with (P：总投资…。目前…施工完成80%), when no other
    project or company is named before ``pos`` in the line."""
    text = ctx.text
    p0 = text.rfind("\n", 0, pos) + 1
    first = _first_in(ctx, p0, pos, _ORG_TYPES)
    if (first is None or first.type != "Project" or not text.startswith(("：", ":"), first.end)
            or not _ITEM_START_RE.search(text, max(0, first.start - 8), first.start)
            or _near_before(ctx, pos, p0, _ORG_TYPES) is not first):
        return None
    return first


def _previous_topic(ctx: _Context, s0: int, p0: int) -> Mention | None:
    """The project or company the previous sentence of the paragraph opens with, if any."""
    if s0 <= p0:
        return None
    prev = ctx.sentence_at(s0 - 1)
    if prev is None or prev.start < p0:
        return None
    first = _first_in(ctx, prev.start, prev.end, _SUBJECT_TYPES)
    if first is not None and first.type == "Company":
        # （一）某某有限公司年产30万吨…项目（铁西区）。总投资42亿元…: the owner's project
        nxt = _first_in(ctx, first.end, prev.end, ("Project",))
        if nxt is not None and nxt.start == first.end:
            return nxt
    if first is not None and first.type in _ORG_TYPES:
        return first
    return None


def _sentence_org(ctx: _Context, start: int, s0: int, cstart: int) -> Mention | None:
    """The project or company governing a clause without its own subject.

    The nearest one of the sentence, except: a list member ("X、Y等项目开工") does not govern
    the clauses after it; in "A是B下属的公司" A, the topic, does; a pronoun (它, 该公司,
    项目) after the nearest name points back to its own antecedent.
    """
    text = ctx.text
    m = _near_before(ctx, start, s0, _ORG_TYPES)
    if m is None:
        return None
    if m.type == "Company" and text[m.end:m.end + 1] in ("，", ",", "；", ";", "）", ")"):
        # 1．P，C，总投资80亿元 / 1.P（C）：总投资15亿元: an item's owner written after its name;
        # the figures are P's
        p = _near_before(ctx, m.start, s0, ("Project",))
        if p is not None and (text[p.end:m.start] in ("，", ",") or text[p.end:m.start] in ("（", "(")
                              and text[m.end:m.end + 1] in ("）", ")")) and _ITEM_START_RE.search(
                text, max(0, p.start - 8), p.start):
            return p
    if AGENT_BEFORE_RE.search(text, max(s0, m.start - 7), m.start):
        # "该项目由C投资建设，总投资120亿元": C is the agent, the project the topic
        pr = _sentence_pronoun(ctx, s0, m.start) or _near_before(ctx, m.start, s0, ("Project",))
        if pr is not None and pr.type == "Project":
            return pr
    pr = _sentence_pronoun(ctx, m.end, start)
    if pr is not None:
        return pr
    mc0, mc1 = clause_bounds(text, m.start)
    if mc1 < cstart and "等" in text[m.end:mc1]:
        return None
    if _PROJECT_COUNT_RE.search(text, m.end, cstart):
        return None  # "P已建成投产，某市共签约7个项目，总投资11.9亿元": the sum of the projects counted
    first = _first_in(ctx, s0, m.start, _ORG_TYPES)
    if first is not None and first is not m and text.startswith("是", first.end):
        return first
    return m


def _sentence_pronoun(ctx: _Context, lo: int, hi: int) -> Mention | None:
    pm = None
    for m in _PRONOUN_RE.finditer(ctx.text, lo, hi):
        if m.group("co") or m.group("pr"):
            pm = m
    if pm is None:
        return None
    sent = ctx.sentence_at(pm.start())
    s0 = sent.start if sent else lo
    if pm.group("co"):
        if pm.group(0) in ("它", "其"):
            first = _first_in(ctx, s0, pm.start(), ("Company",))
            if first is not None:
                return first
        return _near_before(ctx, pm.start(), 0, ("Company",))
    return _project_antecedent(ctx, pm.start(), pm.group("pr"))


def _pronoun_target(ctx: _Context, pron: re.Match[str] | None, cstart: int, s0: int):
    if pron is None:
        return None
    pos = cstart + pron.start()
    if pron.group("co"):
        if pron.group(0) in ("它", "其"):
            first = _first_in(ctx, s0, pos, ("Company",))
            if first is not None:
                return first
        return _near_before(ctx, pos, 0, ("Company",))
    if pron.group("pr"):
        return _project_antecedent(ctx, pos, pron.group("pr"))
    if pron.group("zo"):
        return _near_before(ctx, pos, 0, ("DevelopmentZone",))
    return None


# --------------------------------------------------------------------------------------------
# Dedupe


def _dedupe(found: list[Quantity], ctx: _Context) -> list[Quantity]:
    out: list[Quantity] = []
    seen: set[tuple] = set()
    rounded = [round(q.value, 6) for q in found]  # (round with digits is slow: once each)
    body_facts = {(q.kind, v, q.unit) for q, v in zip(found, rounded, strict=True)
                  if q.start > ctx.title_end}
    for q, v in zip(found, rounded, strict=True):
        if q.start < ctx.title_end and (q.kind, v, q.unit) in body_facts:
            continue  # headline repeated in the title
        key = (q.subject, q.kind, v, q.unit)
        if key in seen:
            continue
        seen.add(key)
        out.append(q)
    # exact over rounded: "斥资近13亿元" and "斥资12.87亿元" for the same subject
    exact: dict[tuple, list[float]] = {}
    for q in out:
        if not q.approximate and q.kind != "ratio":
            exact.setdefault((q.subject, q.kind, q.unit), []).append(q.value)
    final: list[Quantity] = []
    for q in out:
        if q.approximate and q.kind != "ratio":
            twins = exact.get((q.subject, q.kind, q.unit), ())
            if any(v and v != q.value and abs(v - q.value) / abs(v) <= 0.05 for v in twins):
                continue
        final.append(q)
    return final
