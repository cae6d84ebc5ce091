"""Stage 2d of extract: relation candidates between mention groups.

Consumes the :class:`~kg.model.Document` and the mentions of
:func:`kg.extract.entities.extract_mentions` and produces
:class:`~kg.model.RelationCandidate` objects for ``locatedIn``, ``investor``, ``memberOf``
(this module) and ``produces``, ``partOfChain``, ``upstreamOf``
(:mod:`kg.extract.relations_chain`). Rules read only what the text states or directly
implies, per the annotation guidelines: cue words around mentions in one sentence, names
that embed another name (a company or region fused into a project name), the region
hierarchy carried by Region mentions (``code``/``parent`` attrs) and the main region of the
document for projects that name no more specific place. Cue words live in
``data/lexicon/relation_cues.tsv`` (kinds ``place_cue``, ``build_verb``, ``contractor``,
``partner``, ``joint``, ``subsidiary``, ``acquire``, ``title``, …).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache

from ..model import Document, Mention, RelationCandidate, Sentence
from ..regions import MUNICIPALITIES
from ..resources import lexicon_dir
from ._textindex import bounds as _bounds
from ._textindex import sentence_at as _sentence_at
from .quantities import AGENT_BEFORE_RE, at_venue
from .status import BUILD_NEXT

__all__ = ["extract_relations", "relation_cues"]

Key = tuple[str, str]

PLACE_TYPES = ("DevelopmentZone", "Region")
ORG_TYPES = ("Company", "GovernmentBody")
_CLAUSE_BREAK = re.compile(r"[，,；;。！？!?：:]")
# local administrative units (towns, streets, villages) that a document's region contains
_LOCAL_UNIT = re.compile(r"(镇|乡|街道|村|社区|新城|片区)$")
# what may stand between a company and its project: 的, "一头"项目——, 全国最大的
_OWNER_GAP = re.compile(r"(的|投资的|建设的|实施的)?|(“[^”]{1,6}”)?项目?(——|－－|:|：)|[^，。；、“”]{1,8}的")
# "向北，某某开发区同样是火热的建设场景，…项目": a zone opening the sentence is its topic
_TOPIC_LEAD = re.compile(r"[^，。；：]{0,4}[，,]?")
_TOPIC_TAIL = re.compile(r"(同样|也|则|正|已经?|今年|近年来)?(是|成为|呈现)")
#: a zone opening a sentence as the place of what follows (X开发区内，P…)
_ZONE_INSIDE = re.compile(r"(?:内|里)[，,]")
# "某某集团成功落户某市": a company settling in a place
_SETTLES = re.compile(r"(成功|正式|已经?|先后)?(落户|落地|入驻|扎根|签约落户)(于|在|到)?")
_LOCAL_LIST = re.compile(r"(、[^，。；、]{1,6}){0,8}等(乡镇|街道|镇|乡|村)")
# hot patterns, compiled once (module-level re calls look each up in re's cache)
_SUBSIDIARY_GAP_RE = re.compile(r"(的)?(全资|控股)?(子公司|旗下|下属(的)?(企业|公司)?)(的)?")
_UNDER_GAP_RE = re.compile(r"旗下(的)?")
#: relations that say nothing between a product and the industry of the same name
_SAME_NAME_VOID = frozenset({"partOfChain", "upstreamOf"})
# "A是…企业，其全资子公司B" / "A…，旗下B": the clause after A names its subsidiary
_BACK_SUBSIDIARY_GAP_RE = re.compile(
    r"[^。；]{0,60}，(其|该公司|公司)?(的)?(全资|控股)?(子公司|旗下(的)?(企业|公司)?|下属(的)?(企业|公司)?)(的)?(有)?")
_ACQUIRE_GAP_RE = re.compile(r"(收购|并购|兼并|控股|入股)了?[^，。；]{0,12}$")
_IS_GAP_RE = re.compile(r"(是|为|系|作为)")
_SUBSIDIARY_AFTER_RE = re.compile(r"的?(全资|控股)?(下属|旗下|子公司)")
_COUNTED_WORKS_RE = re.compile(r"(?:项目|工程)[^，。；]{0,4}(\d+)(?:项|个)|(\d+)(?:项|个)[^，。；]{0,10}(?:项目|工程)")


@lru_cache(maxsize=1)
def relation_cues() -> dict[str, tuple[str, ...]]:
    """Cue words per kind from ``data/lexicon/relation_cues.tsv``, longest first.

    Returns
    -------
    dict of str to tuple of str
        ``kind`` → cues sorted by decreasing length (so the longest cue wins).
    """
    out: dict[str, list[str]] = defaultdict(list)
    path = lexicon_dir() / "relation_cues.tsv"
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        for line in lines[1:]:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1]:
                out[parts[0].strip()].append(parts[1].strip())
    return {k: tuple(sorted(set(v), key=lambda s: (-len(s), s))) for k, v in out.items()}


@cache
def _cue_regex(kind: str) -> re.Pattern[str] | None:
    cues = relation_cues().get(kind, ())
    if not cues:
        return None
    return re.compile("|".join(re.escape(c) for c in cues))


def _has_cue(kind: str, text: str) -> bool:
    rx = _cue_regex(kind)
    return bool(rx and rx.search(text))


@cache
def _end_cue_regex(kind: str) -> re.Pattern[str] | None:
    cues = relation_cues().get(kind, ())
    return re.compile("(?:" + "|".join(re.escape(c) for c in cues) + ")$") if cues else None


@cache
def _ends_with_label(label_pattern: str) -> re.Pattern[str]:
    """An owner label (its cue pattern) ending the text, with an optional 为/是/colon."""
    return re.compile("(" + label_pattern + r")[：:为是]?$")


def _ends_with_cue(kind: str, text: str) -> str | None:
    rx = _end_cue_regex(kind)
    if rx is None:
        return None
    # the longest cue ending the text: the leftmost start (within the longest cue's reach) where
    # one matches, found by one search instead of a match per start
    m = rx.search(text, max(0, len(text) - len(relation_cues()[kind][0])))
    return m.group(0) if m else None


@dataclass
class Context:
    """Everything the relation rules share for one document."""

    doc: Document
    mentions: list[Mention]
    groups: dict[Key, list[Mention]] = field(default_factory=dict)
    forms: dict[Key, tuple[str, ...]] = field(default_factory=dict)
    by_sentence: dict[int, list[Mention]] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)
    out: dict[tuple[Key, str, Key], RelationCandidate] = field(default_factory=dict)
    sections: list[tuple[int, int, int]] | None = None
    sent_cache: dict[int, Sentence | None] = field(default_factory=dict)
    subj_pred: set[tuple[Key, str]] = field(default_factory=set)

    def key(self, m: Mention) -> Key:
        return (m.type, m.key)

    def _sentence(self, offset: int) -> Sentence | None:
        if offset not in self.sent_cache:
            self.sent_cache[offset] = _sentence_at(self.doc, offset)
        return self.sent_cache[offset]

    def sentence_span(self, m: Mention) -> tuple[int, int]:
        s = self._sentence(m.start)
        return (s.start, s.end) if s is not None else (0, len(self.doc.text))

    def sentence_index(self, m: Mention) -> int:
        s = self._sentence(m.start)
        return s.index if s is not None else -1

    def emit(self, subj: Key, pred: str, obj: Key, start: int, end: int, rule: str) -> None:
        if subj == obj or (subj[1] == obj[1] and pred in _SAME_NAME_VOID):
            return  # (稀土 the product is not part of 稀土 the industry)
        k = (subj, pred, obj)
        old = self.out.get(k)
        if old is None or start < old.start:
            self.out[k] = RelationCandidate(subj, pred, obj, start, end, rule)
            self.subj_pred.add((subj, pred))

    def span(self, lo: int, hi: int) -> list[Mention]:
        """Mentions starting in ``[lo, hi)``, in document order."""
        return self.mentions[bisect.bisect_left(self.starts, lo) : bisect.bisect_left(self.starts, hi)]

    def has(self, subj: Key, pred: str) -> bool:
        return (subj, pred) in self.subj_pred


def _build_context(doc: Document, mentions: list[Mention]) -> Context:
    ms = sorted(mentions, key=lambda m: (m.start, -m.end, m.type, m.key))
    ctx = Context(doc=doc, mentions=ms)
    groups: dict[Key, list[Mention]] = defaultdict(list)
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in ms:
        groups[(m.type, m.key)].append(m)
        by_sentence[ctx.sentence_index(m)].append(m)
    ctx.groups = dict(groups)
    ctx.by_sentence = dict(by_sentence)
    ctx.forms = {
        k: tuple(sorted({m.text for m in v if m.attr("deictic") != "1"}, key=lambda s: (-len(s), s)))
        for k, v in groups.items()
    }
    ctx.starts = [m.start for m in ms]
    return ctx


def _top_level(m: Mention) -> bool:
    for k, v in m.attrs:  # m.attr("nested") != "1", without the method call (a hot test)
        if k == "nested":
            return v != "1"
    return True


def _inside(inner: Mention, outer: Mention) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end and (inner.end - inner.start) < (
        outer.end - outer.start
    )


# --------------------------------------------------------------------------- regions


def _ancestors(code: str, parent: str | None) -> list[str]:
    """Codes of the administrative ancestors of ``code``, nearest first."""
    out: list[str] = []
    if parent:
        out.append(parent)
    if len(code) == 6 and code.isdigit():
        if code[4:] != "00":
            out.append(code[:4] + "00")
        if code[2:] != "0000":
            out.append(code[:2] + "0000")
    elif len(code) > 6 and code[:6].isdigit():
        out += [code[:6]] + _ancestors(code[:6], None)
    seen: list[str] = []
    for c in out:
        if c != code and c not in seen:
            seen.append(c)
    return seen


@lru_cache(maxsize=2)
def _prefix_places(county_shorts: bool = False) -> dict[str, tuple[str, ...]]:
    """Coded cities and counties by full and short name (``招远`` → ``370685``).

    Short county names (延长, 岚皋) too often open company or route names; they are
    only used for zone names (``某某经济技术开发区``), which are named after their county.
    """
    from ..regions import places

    out: dict[str, list[str]] = defaultdict(list)
    for pl in places():
        if pl.level not in ("city", "county") or not pl.code:
            continue
        for n in (pl.name, pl.short) if (pl.level == "city" or county_shorts) else (pl.name,):
            if len(n) >= 2:
                out[n].append(pl.code)
    return {k: tuple(sorted(set(v))) for k, v in out.items()}


@lru_cache(maxsize=4096)
def _name_place_codes(name: str, zone: bool = False) -> tuple[str, ...]:
    """Admin codes of the places a name embeds (at its start, or found by the gazetteer)."""
    from ..regions import find_regions

    codes: set[str] = set()
    table = _prefix_places(zone)
    for n in (4, 3, 2):
        if len(name) > n + 1 and name[:n] in table:
            codes.update(table[name[:n]])
            break
    route = "至" in name[:8]
    if route:
        codes = set()  # a route (甲地至乙地…) is not located at either end
    for r in find_regions(name):
        if not r.place.code or r.end >= len(name):
            continue
        if route:
            # …甲地至乙地…工程某某换流站: a place after the route is the facility's place
            if name[r.end : r.end + 1] != "至" and name[r.start - 1 : r.start] != "至" and r.start > 4:
                codes.add(r.place.code)
        elif r.start in (0, 2):
            # a place opening the name, or after a two-character owner short name (某煤榆林化学)
            codes.add(r.place.code)
    return tuple(sorted(codes))


def _names_more_specific(name: str, code: str) -> bool:
    """Whether ``name`` embeds a place strictly inside the region ``code``."""
    if not code:
        return False
    return any(c != code and code in _ancestors(c, None) for c in _name_place_codes(name))


def _region_codes(ctx: Context) -> dict[Key, tuple[str, str | None]]:
    out: dict[Key, tuple[str, str | None]] = {}
    for k, ms in ctx.groups.items():
        if k[0] != "Region":
            continue
        for m in ms:
            code = m.attr("code")
            if code:
                out[k] = (code, m.attr("parent"))
                break
    return out


def _main_region(ctx: Context, lo: int = 0, hi: int | None = None) -> Key | None:
    """The region a document (or its span ``lo:hi``) is about, if one clearly dominates.

    Mentions in the title count three times; nested mentions (inside a longer name) count
    as well, since a report about a city names its companies and zones after it.
    """
    counts: Counter[Key] = Counter()
    title_end = ctx.doc.sentences[0].end if ctx.doc.sentences else 0
    codes = _region_codes(ctx)
    hi = len(ctx.doc.text) if hi is None else hi
    for k, ms in ctx.groups.items():
        if k[0] != "Region" or k not in codes:
            continue
        for m in ms:
            if lo <= m.start < hi and not at_venue(ctx.doc.text, m):
                counts[k] += 3 if m.start < title_end else 1
    # a mention of a city also speaks for its province
    totals: Counter[Key] = Counter(counts)
    by_code = {c: k for k, (c, _) in codes.items()}
    for k, n in counts.items():
        code, parent = codes[k]
        for anc in _ancestors(code, parent):
            if anc in by_code:
                totals[by_code[anc]] += n
                break
    # a place written only inside other names speaks for its ancestors, it is no topic itself
    for k in list(totals):
        if not any(_top_level(m) for m in ctx.groups[k]):
            del totals[k]
    if not totals:
        return None
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    best, n = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    best_code = codes[best][0]
    # the runner-up may be a place inside the best one: that does not compete
    for k, v in ranked[1:]:
        if best_code in _ancestors(*codes[k]):
            continue
        second = v
        break
    else:
        second = 0
    if n >= 3 and n >= 2 * second:
        # a report about a city names its province too: prefer a child that carries the text
        children = [(v, k) for k, v in totals.items() if k != best and best_code in _ancestors(*codes[k])]
        if children:
            v, k = max(children, key=lambda vk: (vk[0], vk[1]))
            if v >= 0.45 * n:
                return k
        return best
    return None


def _rule_adjacent_regions(ctx: Context) -> None:
    """``城关街道东山村``: a region written right after another one lies inside it."""
    codes = _region_codes(ctx)
    regs = [m for m in ctx.mentions if m.type == "Region" and m.attr("deictic") != "1"]
    for a, b in zip(regs, regs[1:], strict=False):
        if a.end != b.start or ctx.key(a) == ctx.key(b):
            continue
        ca, cb = codes.get(ctx.key(a)), codes.get(ctx.key(b))
        if cb is None or (ca is not None and ca[0] in _ancestors(*cb)):
            ctx.emit(ctx.key(b), "locatedIn", ctx.key(a), a.start, b.end, "adjacent-regions")


def _rule_region_hierarchy(ctx: Context, main: Key | None = None) -> None:
    """A coded region lies in the nearest ancestor the text names near it.

    An intermediate ancestor named only far away (a county of a provincial report whose city
    turns up in another paragraph) is skipped for the document's main region.
    """
    codes = _region_codes(ctx)
    by_code: dict[str, Key] = {}
    for k, (c, _) in sorted(codes.items()):
        by_code.setdefault(c, k)
    main_code = codes[main][0] if main in codes else ""
    for k, (code, parent) in sorted(codes.items()):
        ancestors = _ancestors(code, parent)
        near = {ctx.sentence_index(m) for m in ctx.groups[k]}
        for anc in ancestors:
            target = by_code.get(anc)
            if target is None or target == k:
                continue
            if main_code and anc != main_code and main_code in ancestors:
                close = any(abs(ctx.sentence_index(m) - i) <= 2 for m in ctx.groups[target] for i in near)
                if not close:
                    continue
            m = ctx.groups[k][0]
            ctx.emit(k, "locatedIn", target, m.start, m.end, "region-hierarchy")
            break


# --------------------------------------------------------------------------- locatedIn


def _place_prefix(ctx: Context, m: Mention, places: list[tuple[str, Key]]) -> Key | None:
    """A zone or region whose name opens the name of ``m`` (``安平`` in 宏达安平化工 no, 安平地铁)."""
    for form, k in places:
        if k == ctx.key(m):
            continue
        if m.text.startswith(form) and len(m.text) > len(form):
            return k
    return None


def _drop_idle_nested_regions(ctx: Context) -> None:
    """Drop the hierarchy of regions written only inside other names and anchoring nothing.

    ``崂山`` in 某山实验室 or ``垦利`` in a zone name is no place the text speaks of; its own
    ``locatedIn`` would be noise (a nested place is kept when something is located in it).
    """
    anchors = {k[2] for k in ctx.out if k[1] == "locatedIn"}
    for k in sorted(ctx.out):
        subj, pred, _ = k
        if pred != "locatedIn" or subj[0] != "Region" or subj in anchors:
            continue
        if all(not _top_level(m) for m in ctx.groups.get(subj, ())):
            del ctx.out[k]


def _route_end(text: str, n: Mention, m: Mention) -> bool:
    """Whether the place ``n`` inside the name ``m`` is an end of a route (``甲地至乙地…``)."""
    return text[n.end : n.end + 1] == "至" or (n.start > m.start and text[n.start - 1 : n.start] == "至")


def _not_place(text: str) -> bool:
    return text in relation_cues().get("not_place", ())


def _district_before_own_name(ctx: Context, n: Mention, m: Mention) -> bool:
    """海淀区甲乙科学城: the county ``n`` is written in full before the zone ``m``'s own name
    (a form of the zone starts where the county ends): the zone lies in that county."""
    return n.text[-1] in "市区县旗" and any(
        x.start == n.end and x.end == m.end and ctx.key(x) == ctx.key(m) for x in ctx.span(n.end, n.end + 1))


def _rule_name_location(ctx: Context, types: tuple[str, ...], main: Key | None = None) -> None:
    """A region or zone fused at the start of a name locates the named thing."""
    places: list[tuple[str, Key]] = []
    for k, forms in ctx.forms.items():
        if k[0] in PLACE_TYPES:
            for f in forms:
                if len(f) >= 2 and not _not_place(f):
                    places.append((f, k))
    places.sort(key=lambda fk: (-len(fk[0]), fk))
    for m in ctx.mentions:
        if m.type not in types or m.attr("deictic") == "1":
            continue
        if m.type == "Company" and ctx.has(ctx.key(m), "locatedIn"):
            continue
        target = None
        reach = -1
        # the last place nested in the name (宏达安平化工二期, 甲地至乙地…安平换流站); of a zone
        # and the city its name opens with (长沙经开区…项目), the zone
        for n in ctx.span(m.start, m.end):
            if n.type in PLACE_TYPES and _inside(n, m) and n.attr("deictic") != "1" and not _not_place(n.text):
                if m.type != "Project" and n.start != m.start and not (
                        m.type == "DevelopmentZone" and _district_before_own_name(ctx, n, m)):
                    continue
                if _route_end(ctx.doc.text, n, m):
                    continue  # 甲地至乙地公路: a route is not located at either end
                if m.type == "DevelopmentZone" and n.type == "Region" and n.attr("level") == "county" and not any(
                    _top_level(x) for x in ctx.groups.get(ctx.key(n), ())
                ) and not _district_before_own_name(ctx, n, m):
                    continue  # a county named only inside zone names: the zone goes to a named ancestor
                if n.end < reach:
                    continue  # (a place inside the zone's own name chosen before)
                target, reach = ctx.key(n), n.end
        if target is None and "至" not in m.text[:8]:
            target = _place_prefix(ctx, m, places)
            if target is not None and m.type == "DevelopmentZone" and target[0] == "Region":
                g = ctx.groups.get(target, ())
                if g and g[0].attr("level") == "county" and not any(_top_level(x) for x in g):
                    target = None
        if target is not None and target[0] == "Region" and m.type in ("Company", "Project"):
            # a province opening a registered name (山西某某科技有限公司) is no location, unless
            # the document is about that province and names no more specific place for it
            if target[1] not in MUNICIPALITIES and any(
                    x.attr("level") == "province" for x in ctx.groups.get(target, ())[:1]):
                if not (m.type == "Company" and target == main):
                    continue
        if target is not None and not (m.type == "DevelopmentZone" and target[0] == "DevelopmentZone"):
            ctx.emit(ctx.key(m), "locatedIn", target, m.start, m.end, "name-prefix-place")


#: a place's own intake before what it brought in (西华县引进的X项目, 临港开发区签约的X项目)
_PLACE_INTAKE = re.compile(r"(?:新)?(?:引进|招引|引入|签约|落地|开工)的")


def _rule_intake_location(ctx: Context) -> None:
    """``西华县引进的P已建成投产，项城市…``: the place a clause opens with, before 引进的 and the
    like, is where the projects (and companies) of that clause are."""
    text = ctx.doc.text
    if "的" not in text:
        return
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        for p in ms:
            if p.type not in PLACE_TYPES or not _top_level(p) or p.attr("deictic") == "1":
                continue
            im = _PLACE_INTAKE.match(text, p.end)
            if im is None:
                continue
            c0, c1 = _clause_bounds(text, p.start, s0, s1)
            if text[c0:p.start].strip(_OPENING_JUNK + "，,"):
                continue  # (the place opens its clause)
            for m in ctx.span(im.end(), c1):
                if m.type in ("Project", "Company") and _top_level(m):
                    ctx.emit(ctx.key(m), "locatedIn", ctx.key(p), m.start, m.end, "intake-place")


def _rule_sentence_location(ctx: Context) -> None:
    """Projects (and companies founded there) located by a cued place in their sentence."""
    text = ctx.doc.text
    for _, ms in sorted(ctx.by_sentence.items()):
        # a deictic zone (在高新区落地) stands for its group within the document
        places = [
            m
            for m in ms
            if m.type in PLACE_TYPES and _top_level(m) and not _not_place(m.text)
            and (m.attr("deictic") != "1" or m.type == "DevelopmentZone")
        ]
        if not places:
            continue
        s0, _ = ctx.sentence_span(ms[0])
        cued: list[Mention] = []
        for p in places:
            before = text[max(s0, p.start - 4) : p.start]
            if at_venue(text, p):
                continue  # 在北京签署…协议: where the parties signed, not where the works are
            if (
                _ends_with_cue("place_cue", before)
                or (p.type == "DevelopmentZone" and p.attr("deictic") != "1" and _TOPIC_LEAD.fullmatch(text[s0 : p.start])
                    and (_TOPIC_TAIL.match(text, p.end) or _ZONE_INSIDE.match(text, p.end)))

                or (cued and cued[-1].end == p.start)
                or (not text[s0:p.start].strip(_OPENING_JUNK) and any(
                    n.type == "Company" and n.start == p.end and _top_level(n) for n in ms))
            ):
                # (马龙产业园区云南甲乙有限公司…项目: a place opening the sentence right before a company
                # is where its project is)
                cued.append(p)
        if not cued:
            continue
        named = {k[0] for k, _ in ctx.out.items() if k[1] == "locatedIn"}
        for m in ms:
            if m.type not in ("Project", "Company", "DevelopmentZone") or not _top_level(m):
                continue
            if m.attr("deictic") == "1":
                continue
            cands = []
            for p in cued:
                if p is m or _inside(p, m):
                    continue
                if m.type == "Project" and p.type == "Region" and ctx.key(m) in named:
                    continue  # a place in the project's own name is more specific
                if p.type == "Region" and m.type != "Company" and _names_more_specific(m.text, p.attr("code") or ""):
                    continue  # 在省…盘锦某某工程: the city named in the name is the place
                if m.type == "DevelopmentZone":
                    gap = text[p.end : m.start] if p.end <= m.start else None
                    before = text[max(s0, p.start - 4) : p.start]
                    if gap is None or not (before.endswith("位于") and re.fullmatch(r"的?", gap)):
                        continue
                if m.type == "Company":
                    # only "位于P的C", "在P…兴建/成立…C" or "C(成功)落户P"
                    gap = text[p.end : m.start] if p.end <= m.start else None
                    if gap is None:
                        run = p.start  # (the start of the places written together: 江苏常州)
                        while any(q.end == run for q in cued):
                            run = next(q.start for q in cued if q.end == run)
                        if _HEADQUARTERS.search(text, max(m.end, run - 6), run) and m is next(
                                n for n in ms if n.type in ("Company", "Project") and _top_level(n)) and not any(
                                n.type in ("Company", "Project") and _top_level(n)
                                and max(m.end, _clause_bounds(text, run, s0, run + 1)[0]) <= n.start < run for n in ms):
                            # C是…子公司，总部位于P: where the firm the sentence is about is seated
                            # (the last of the places written together: 常州 of 江苏常州)
                            cands.append((1, -p.start, p.start, p))
                            continue
                        if not _SETTLES.fullmatch(text[m.end : p.start]):
                            continue
                        gap = ""
                        cands.append((1, 0, p.start, p))
                        continue
                    before = text[max(s0, p.start - 4) : p.start]
                    if not (
                        (before.endswith("位于") and re.fullmatch(r"的?", gap))
                        or (_has_cue("build_verb", gap) and len(gap) <= 10)
                    ):
                        continue
                dist = m.start - p.end if p.end <= m.start else p.start - m.end
                # zones beat regions; then the nearest place
                cands.append((0 if p.type == "DevelopmentZone" else 1, dist, p.start, p))
            if not cands:
                continue
            p = min(cands, key=lambda c: c[:3])[3]
            ctx.emit(ctx.key(m), "locatedIn", ctx.key(p), m.start, m.end, "sentence-place")


#: a firm's seat right before a place (总部位于P, 总部设在P, 注册地位于P)
_HEADQUARTERS = re.compile(r"(?:总部|注册地)(?:位于|设在|设于|在)$")
#: what may precede the first word of a sentence (a list number, spaces)
_OPENING_JUNK = " \t\u30000123456789.．、（）()一二三四五六七八九十"
_FIRM_PRONOUN = re.compile(r"(?:^|[，。；、])(?:该|这家|此)?(?:企业|公司)的?(?:“[^”]{1,6}”)?项目?(?:——|－－|：)$")
_HAS_FIRMS = re.compile(r"(还|共|现|目前|已)?(有|拥有)")
_LOCAL_WORD = re.compile(r"(本地|当地|本土|本省|本市)(的)?(龙头|企业|骨干企业|龙头企业)?(的)?$")


def _rule_local_companies(ctx: Context, main: Key | None) -> None:
    """``云南还有甲水泥有限公司等10多家水泥企业`` and ``本地龙头甲水泥``: companies of a place.

    A region followed by 有/拥有 and a company list in the same clause locates the listed
    companies; 本地/当地 before a company means the document's main region.
    """
    text = ctx.doc.text
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        for r in ms:
            if r.type != "Region" or not _top_level(r):
                continue
            h = _HAS_FIRMS.match(text, r.end)
            if h is None:
                continue
            _, c1 = _clause_bounds(text, h.end(), s0, s1)
            pos = h.end()
            for c in ctx.span(h.end(), c1):
                if c.type != "Company" or not _top_level(c):
                    continue
                if c.start != pos and not re.fullmatch(r"[、和及与]", text[pos : c.start]):
                    break
                if not ctx.has(ctx.key(c), "locatedIn"):
                    ctx.emit(ctx.key(c), "locatedIn", ctx.key(r), c.start, c.end, "region-has-companies")
                pos = c.end
        if main is None:
            continue
        for c in ms:
            if c.type == "Company" and _top_level(c) and _LOCAL_WORD.search(text, max(s0, c.start - 8), c.start):
                if not ctx.has(ctx.key(c), "locatedIn"):
                    ctx.emit(ctx.key(c), "locatedIn", main, c.start, c.end, "local-company")


def _local_region(ctx: Context, m: Mention, before: int = 12, after: int = 2) -> Key | None:
    s = ctx.doc.sentence_at(m.start)
    if s is None or not ctx.doc.sentences:
        return None
    sents = ctx.doc.sentences
    lo = sents[max(0, s.index - before)].start
    hi = sents[min(len(sents) - 1, s.index + after)].end
    return _main_region(ctx, lo, hi)


_SUBTITLE = re.compile(r"^[ \t\u3000]*(——|--)[^\n。；;]{2,40}$", re.M)


def _sections(ctx: Context) -> list[tuple[int, int, int]]:
    """``(start, end, heading_end)`` of the parts of a document opened by a ``——…`` subtitle."""
    if ctx.sections is not None:
        return ctx.sections
    text = ctx.doc.text
    heads = [(m.start(), m.end()) for m in _SUBTITLE.finditer(text)]
    out = []
    for i, (a, b) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        out.append((a, end, b))
    ctx.sections = out
    return out


def _section_anchor(ctx: Context, m: Mention) -> Key | None:
    """The zone a subtitle names (``——某某经济技术开发区…见闻``) for things in its part."""
    for a, end, head_end in _sections(ctx):
        if not a <= m.start < end:
            continue
        zones = [n for n in ctx.span(a, head_end) if n.type == "DevelopmentZone" and n.attr("deictic") != "1"]
        return ctx.key(zones[0]) if zones else None
    return None


#: a paragraph opened by a numbered heading that is a place (（三）马龙区。…)
_PLACE_HEADING = re.compile(r"[^\S\n]*[（(][一二三四五六七八九十\d]+[)）][^\S\n]*([^。\n]{2,30})。")


def _heading_place(ctx: Context, m: Mention) -> Key | None:
    """The one zone or region the heading of ``m``'s paragraph consists of: a numbered one
    (（三）马龙区。…), or a line of its own above a list of labelled records (### 玉门市, then
    the rows of a table)."""
    text = ctx.doc.text
    p0 = text.rfind("\n", 0, m.start) + 1
    h = _PLACE_HEADING.match(text, p0)
    if h is not None and h.end() <= m.start:
        return _only_place(ctx, h.start(1), h.end(1))
    if _NUMBERED_ITEM.match(text, p0):
        # 二、榆林市 / 3. P。总投资…: an item under a heading line that is a place, above the
        # items (and the lines that go on about them) of its section
        end = p0 - 1
        for _ in range(200):
            if end <= 0:
                return None
            start = text.rfind("\n", 0, end) + 1
            line = text[start:end]
            hm = _SECTION_HEADING.match(line)
            if hm is not None:
                # (a heading that is no place, （一）产业项目, may sit under one that is)
                place = _only_place(ctx, start + hm.end(), start + len(line.rstrip("：: \t")))
                if place is not None or not line.lstrip(" \t#").startswith(("（", "(")):
                    return place  # (三、其他: a section of its own, in no place)
            end = start - 1
        return None
    if not _RECORD_LINE.match(text, p0):
        return None
    end = p0 - 1
    for _ in range(60):  # the lines above, back to the heading
        if end <= 0:
            return None
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if line.strip() and not _RECORD_LINE.match(line):
            a = start + _HEADING_NUMBER.match(line).end()
            return _only_place(ctx, a, start + len(line.rstrip("：:。 \t")))
        end = start - 1
    return None


#: an item of a list numbered in Arabic figures (3. , 3、, （3）)
_NUMBERED_ITEM = re.compile(r"[ \t]*(?:[0-9]+[、.．]|[（(][0-9]+[)）])")
#: a section heading numbered in Chinese (二、, （二）) that is short, a line of its own
_SECTION_HEADING = re.compile(r"[ \t#]*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])[ \t]*(?=[^。；;，,]{2,20}$)")
#: what opens a heading before its words (### , （一）, 二、)
_HEADING_NUMBER = re.compile(r"[ \t#]*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])?[ \t]*")
#: a labelled record's line (项目名称：…；建设单位：…)
_RECORD_LINE = re.compile(r"[ \t]*[\u4e00-\u9fff（）()]{2,12}[：:]")


def _only_place(ctx: Context, a: int, b: int) -> Key | None:
    """The zone or region that ``text[a:b]`` is, if it is one place and nothing more."""
    places = [n for n in ctx.span(a, b) if n.type in ("DevelopmentZone", "Region") and _top_level(n)]
    if len(places) != 1 or len(places[0].text) < b - a - 1:
        return None  # (a heading naming two places, or more than a place: 一、重点项目进展)
    return ctx.key(places[0])


#: what follows the place a headline opens with as its topic (德阳经开区：…, 某某高新区 | …)
_HEADLINE_TOPIC_END = re.compile(r"[ \t]*[：:|｜—–-]")


def _rule_headline_zone(ctx: Context) -> None:
    """A report headed by a zone (德阳经开区：X项目完成主体结构施工) is about that zone: its
    projects with no place stated lie there."""
    text = ctx.doc.text
    line_end = text.find("\n")
    line_end = len(text) if line_end < 0 else line_end
    first = next((m for m in ctx.mentions if m.start < line_end and _top_level(m)
                  and m.type in ("DevelopmentZone", "Region", "Project", "Company")), None)
    if first is None or first.type != "DevelopmentZone" or first.attr("deictic") == "1" \
            or text[:first.start].strip() or not _HEADLINE_TOPIC_END.match(text, first.end):
        return
    zone = ctx.key(first)
    if any(k[0] == "DevelopmentZone" and k != zone and any(_top_level(m) and m.attr("deictic") != "1" for m in ms)
           for k, ms in ctx.groups.items()):
        return  # (other zones named: a project may lie in one of those)
    for k, ms in sorted(ctx.groups.items()):
        if k[0] == "Project" and not ctx.has(k, "locatedIn"):
            m = ms[0]
            ctx.emit(k, "locatedIn", zone, m.start, m.end, "headline-zone")


#: a zone holding a signing (X开发区举行…集中签约仪式): what it signs is what it hosts
_HOLDS_SIGNING = re.compile(r"(?:举行|举办|召开)[^。；\n]{0,30}?签约")


def _rule_signing_host(ctx: Context) -> None:
    """A zone that holds a signing ceremony (银川经济技术开发区举行…项目集中签约仪式，…签约项目
    包括：A、B、C) hosts the projects signed there: those of the paragraph with no place stated
    lie in it."""
    text = ctx.doc.text
    if "签约" not in text:
        return
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        zones = [m for m in ms if m.type == "DevelopmentZone" and _top_level(m) and m.attr("deictic") != "1"]
        host = next((z for z in zones if _HOLDS_SIGNING.match(text, z.end, s1)), None)
        if host is None:
            continue
        p1 = text.find("\n", s1)
        p1 = len(text) if p1 < 0 else p1
        for k, gms in sorted(ctx.groups.items()):
            if k[0] != "Project" or ctx.has(k, "locatedIn"):
                continue
            m = gms[0]
            if s0 <= m.start < p1:
                ctx.emit(k, "locatedIn", ctx.key(host), m.start, m.end, "signing-host")


def _rule_default_location(ctx: Context, main: Key | None) -> None:
    """Projects, zones and sub-regions with no stated place fall to the document's region.

    Without one dominant region (a document joining reports on several cities), the region
    dominating the sentences around the first mention is used for projects and zones.
    """
    codes = _region_codes(ctx)
    main_code = codes.get(main, ("", None))[0] if main is not None else ""
    for k, ms in sorted(ctx.groups.items()):
        if k == main or k[0] not in ("Project", "DevelopmentZone", "Region"):
            continue
        if ctx.has(k, "locatedIn"):
            continue
        real = [m for m in ms if m.attr("deictic") != "1"]
        if not real:
            continue
        if k[0] == "Region":
            code = codes.get(k)
            if code is not None:
                # coded regions are placed by the hierarchy only; a province never sits in a city
                continue
            if not main_code or not any(_LOCAL_UNIT.search(m.text) or _LOCAL_LIST.match(ctx.doc.text, m.end) for m in real):
                continue
        m = real[0]
        if k[0] in ("Project", "DevelopmentZone"):
            anchor = _section_anchor(ctx, m)
            if anchor is not None and anchor != k:
                ctx.emit(k, "locatedIn", anchor, m.start, m.end, "section-zone")
                continue
            anchor = _heading_place(ctx, m)
            if anchor is not None and anchor != k:
                ctx.emit(k, "locatedIn", anchor, m.start, m.end, "heading-place")
                continue
            embedded = sorted({c for x in real for c in _name_place_codes(x.text, k[0] == "DevelopmentZone")})
            related = [c for c in embedded if c == main_code or c in _ancestors(main_code, None)]
            if embedded and not related:
                if k[0] == "DevelopmentZone":
                    # 某某经济技术开发区 named after a county: the nearest ancestor the text names
                    by_code = {c: kk for kk, (c, _) in sorted(codes.items())}
                    for c in embedded:
                        hit = next((by_code[a] for a in _ancestors(c, None) if a in by_code), None)
                        if hit is not None:
                            ctx.emit(k, "locatedIn", hit, m.start, m.end, "name-place-ancestor")
                            break
                continue
        if main is not None:
            ctx.emit(k, "locatedIn", main, m.start, m.end, "document-region")
        elif k[0] in ("Project", "DevelopmentZone"):
            local = _local_region(ctx, m)
            if local is not None and local != k:
                ctx.emit(k, "locatedIn", local, m.start, m.end, "local-region")


# --------------------------------------------------------------------------- investor / memberOf


_CLAUSE_BREAK_CHARS = "，,；;。！？!?：:"  # the characters of _CLAUSE_BREAK


def _clause_bounds(text: str, pos: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause around ``pos`` within ``[lo, hi]`` (bisection over the text's breaks)."""
    return _bounds(text, _CLAUSE_BREAK_CHARS, pos, lo, hi)


def _rule_nested_owner(ctx: Context) -> None:
    """A company inside or right before a project name invests in the project."""
    text = ctx.doc.text
    company_forms = [(f, k) for k, fs in ctx.forms.items() if k[0] == "Company" for f in fs if len(f) >= 2]
    company_forms.sort(key=lambda fk: (-len(fk[0]), fk))
    stems = company_stems(ctx)
    for p in ctx.mentions:
        if p.type != "Project":
            continue
        owner: Key | None = None
        inner = ctx.span(p.start, p.end)
        # (a company after the zone or region that opens the name: 某某经济技术开发区|远航电气|…项目)
        opening = max((n.end for n in inner if n.type in PLACE_TYPES and n.start == p.start and _inside(n, p)),
                      default=p.start)
        for n in inner:
            if n.type == "Company" and _inside(n, p) and (n.start - p.start <= 6 or n.start == opening):
                owner = ctx.key(n)
                break
        if owner is None:
            for f, k in company_forms:
                if p.text.startswith(f) and len(p.text) > len(f):
                    owner = k
                    break
        if owner is None:
            # "某某燃气有限公司" → "某某燃气天然气综合利用项目": the name without its legal suffix
            for f, k in stems:
                if p.text.startswith(f) and len(p.text) > len(f):
                    owner = k
                    break
        if owner is None:
            # "山西某某有限公司石墨…项目": company mention directly before the project
            for n in ctx.span(p.start - 80, p.start):
                if n.type == "Company" and _top_level(n) and n.end <= p.start:
                    gap = text[n.end : p.start]
                    if _OWNER_GAP.fullmatch(gap) and not _has_cue("contractor", gap):
                        owner = ctx.key(n)
        if owner is None and _FIRM_PRONOUN.search(text, max(0, p.start - 14), p.start):
            # "今年，企业“二期”项目——P": the company the previous sentences are about
            prev = [n for n in ctx.span(p.start - 300, p.start) if n.type == "Company" and _top_level(n)]
            if prev:
                owner = ctx.key(prev[-1])
        if owner is not None:
            ctx.emit(owner, "investor", ctx.key(p), p.start, p.end, "nested-owner")


def company_stems(ctx: Context) -> list[tuple[str, Key]]:
    """``(stem, company)`` for company names that end with a legal suffix, longest first."""
    out = []
    for k, fs in ctx.forms.items():
        if k[0] != "Company":
            continue
        for f in fs:
            suf = _ends_with_cue("legal_suffix", f)
            if suf and len(f) - len(suf) >= 4:
                out.append((f[: len(f) - len(suf)], k))
    return sorted(set(out), key=lambda fk: (-len(fk[0]), fk))


_GOV_DEPT = re.compile(r"(局|厅|委|委员会|办公室|办|指挥部|管委会|管理委员会)$")


def _rule_joint_venture(ctx: Context) -> None:
    """``由A和B合资(成立)的C``: every partner named before the cue invests in C."""
    text = ctx.doc.text
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        cs = [m for m in ms if m.type in ORG_TYPES and _top_level(m)]
        for i, c in enumerate(cs):
            if c.type != "Company" or i == 0:
                continue
            prev = cs[i - 1]
            gap = text[prev.end : c.start]
            rx = _cue_regex("jv_verb")
            if rx is None or len(gap) > 12 or not re.fullmatch(r"(共同|联合)?(" + rx.pattern + r")(成立|组建|设立|创办|兴建)?了?的?", gap):
                continue
            partners = [prev]
            for a in reversed(cs[: i - 1]):
                link = text[a.end : partners[-1].start]
                if re.fullmatch(r"[和与、及同]", link):
                    partners.append(a)
                else:
                    break
            if len(partners) < 2 and not text[max(s0, partners[-1].start - 1) : partners[-1].start] == "由":
                continue
            for a in partners:
                if ctx.key(a) != ctx.key(c):
                    ctx.emit(ctx.key(a), "investor", ctx.key(c), c.start, c.end, "joint-venture")


def _longest_body(ctx: Context, k: Key) -> Key:
    """``区住建局`` → ``某某区住建局`` when the document names the body in full too."""
    forms = ctx.forms.get(k, ())
    best = k
    for k2, fs in sorted(ctx.forms.items()):
        if k2[0] == "GovernmentBody" and k2 != k and any(f2.endswith(f) and len(f2) > len(f) for f in forms for f2 in fs):
            best = k2
    return best


def _rule_government_owner(ctx: Context) -> None:
    """Responsible government departments invest in the works they arrange.

    ``责任单位：G`` next to a project (bulletins), and ``G今年安排了…项目`` by a department
    (局/委/办/指挥部…): every later project of the document with no investor yet.
    """
    text = ctx.doc.text
    projects = sorted(((ms[0].start, k) for k, ms in ctx.groups.items() if k[0] == "Project"), key=lambda x: x)
    label_rx = _cue_regex("owner_label")
    arrange_rx = _cue_regex("arrange_verb")
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        for g in ms:
            if g.type != "GovernmentBody" or not _top_level(g):
                continue
            before = text[max(s0, g.start - 6) : g.start]
            if label_rx is not None and _ends_with_label(label_rx.pattern).search(before):
                ps = [m for m in ms if m.type == "Project" and _top_level(m)]
                for p in ps:
                    ctx.emit(ctx.key(g), "investor", ctx.key(p), p.start, p.end, "owner-label")
                continue
            if arrange_rx is None or not _GOV_DEPT.search(g.text) or _has_cue("planning_body", g.text):
                continue
            _, c1 = _clause_bounds(text, g.end, s0, s1)
            clause = text[g.end : c1 + 40 if c1 < s1 else c1]
            mm = arrange_rx.search(clause)
            # a counted (small) set of works: "安排了…市政工程12个" / "安排…8个项目"
            cnt = None if mm is None else _COUNTED_WORKS_RE.search(clause[mm.end() :])
            if mm is None or mm.start() > 8 or cnt is None or int(cnt.group(1) or cnt.group(2)) > 60:
                continue
            owner = _longest_body(ctx, ctx.key(g))
            names = {k: ctx.forms.get(k, ()) + (k[1],) for _, k in projects}
            for start, k in projects:
                if any(kk[1] == "investor" and kk[2] == k for kk in ctx.out):
                    continue
                if ctx.has(k, "produces"):
                    continue  # a department arranges public works, not plants making products
                # parts and phases (某公路工程一期…段, …隧道) belong to their whole
                if any(k2 != k and any(f.startswith(f2) and len(f) > len(f2) for f in names[k] for f2 in fs2)
                       for k2, fs2 in names.items()):
                    continue
                ctx.emit(owner, "investor", k, start, start, "department-arranges")


_PHASE = re.compile(r"[一二三四五六七八九十\d]+期")


def _rule_phase_investor(ctx: Context) -> None:
    """A company investing in a project invests in its phases (``某某项目一期``)."""
    inv = sorted((k[0], k[2]) for k in ctx.out if k[1] == "investor" and k[0][0] == "Company")
    if not inv:
        return
    projects = [(k, fs) for k, fs in sorted(ctx.forms.items()) if k[0] == "Project"]
    # name f → the projects with a form (or key) "f + phase": the same test as
    # any(f2.startswith(f) and _PHASE.fullmatch(f2[len(f):]) for f2 in fs + (k[1],))
    phased: dict[str, set[Key]] = defaultdict(set)
    for k, fs in projects:
        for f2 in fs + (k[1],):
            if f2.endswith("期"):
                for j in range(len(f2)):
                    if _PHASE.fullmatch(f2, j):
                        phased[f2[:j]].add(k)
    for owner, p in inv:
        for f in ctx.forms.get(p, ()):
            hits = phased.get(f)
            if not hits:
                continue
            for k, _fs in projects:
                if k != p and k in hits:
                    m = ctx.groups[k][0]
                    ctx.emit(owner, "investor", k, m.start, m.end, "phase-investor")


#: what a speaker's name is followed by (某市发改委介绍，…; 某公司相关负责人表示，…)
_SPEAKS = re.compile(r"\s*(?:相关|有关)?(?:负责人|同志)?(?:介绍|表示|指出|透露|强调|称|说)[，,：:]")


def _rule_builder(ctx: Context) -> None:
    """``C … 投资/建设/拟建 … P`` in one sentence: C invests in P (never a contractor)."""
    text = ctx.doc.text
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        orgs = [m for m in ms if m.type in ORG_TYPES and _top_level(m)]
        if not orgs:
            continue
        for p in ms:
            if p.type not in ("Project", "Company") or not _top_level(p):
                continue
            before = [o for o in orgs if o.end <= p.start and ctx.key(o) != ctx.key(p)]
            if not before:
                continue
            o = before[-1]
            if o.type == "GovernmentBody":
                # "A公司与某市人民政府签署协议，将…建设P": the company invests, the government signs
                partner = [c for c in before if c.type == "Company" and re.fullmatch(r"\s*(与|和|同)\s*", text[c.end : o.start])]
                if partner:
                    o = partner[-1]
            gap = text[o.end : p.start]
            if not _has_cue("build_verb", gap) or _has_cue("contractor", gap) or _SPEAKS.match(gap):
                continue  # (某市发改委介绍，…开工项目…包括P: the body speaks, it does not build)
            if p.type == "Company" and not re.search(r"(兴建|组建|设立|成立|创办)了?$", gap.rstrip("的")):
                continue
            # another project between the investor and this one takes the verb
            between = [q for q in ms if q.type == "Project" and _top_level(q) and o.end <= q.start and q.end <= p.start]
            if between:
                # "A拟建P1，并(与B共同)打造P2": a second verb of the same subject
                tail = text[between[-1].end : p.start]
                second = re.match(r"[，,]?(并|同时|还|也|并且)[^。；，]{0,20}$", tail) and _has_cue("build_verb", tail)
                if not second and not re.search(r"[、和及与]$", text[max(s0, p.start - 1) : p.start]):
                    continue
            ctx.emit(ctx.key(o), "investor", ctx.key(p), p.start, p.end, "builder-verb")
            if p.type == "Company":
                ctx.emit(ctx.key(p), "memberOf", ctx.key(o), p.start, p.end, "builder-verb")
            # "A与B合资建设的P", "A和B共同投资P": A co-invests with o
            if _has_cue("joint", gap):
                k = orgs.index(o)
                while k > 0 and orgs[k - 1].type == "Company" and re.fullmatch(
                        r"\s*(与|和|同|、)\s*", text[orgs[k - 1].end : orgs[k].start]):
                    k -= 1
                    ctx.emit(ctx.key(orgs[k]), "investor", ctx.key(p), p.start, p.end, "joint-builders")
            # "A … 与 B 共同打造 P": B co-invests
            for q in orgs:
                if o.end <= q.start and q.end <= p.start and q is not o:
                    pre = text[max(s0, q.start - 2) : q.start]
                    post = text[q.end : p.start]
                    if re.search(r"(与|和|同)$", pre) and _has_cue("joint", post):
                        ctx.emit(ctx.key(q), "investor", ctx.key(p), p.start, p.end, "partner")
        # list of projects after one verb: "推进A、B、C等项目" is handled by the gap test above


def _rule_records(ctx: Context, roles: tuple[str, ...] = ("owner", "place")) -> None:
    """Labelled records (项目名称：P / 建设单位：C / 建设地点：Z): C invests in P, P lies in
    Z (the zone named there, else its most specific region); only the fields of ``roles``."""
    from .records import find_records

    text = ctx.doc.text
    records = find_records(text)
    if not records:
        return
    for r in records:
        project = next((m for m in ctx.span(*r.name) if m.type == "Project" and _top_level(m)), None)
        if project is None:
            continue
        for role, a, b in r.fields:
            if role not in roles:
                continue
            inside = [m for m in ctx.span(a, b) if m.end <= b]
            if role == "owner":
                for o in inside:
                    if o.type in ORG_TYPES and _top_level(o):
                        ctx.emit(ctx.key(o), "investor", ctx.key(project), o.start, o.end, "record-owner")
            elif role == "place":
                zones = [m for m in inside if m.type == "DevelopmentZone" and _top_level(m)]
                regions = [m for m in inside if m.type == "Region"]
                places = zones[-1:] if zones else regions[-1:]
                if not zones and len(regions) > 1 and all(
                        re.fullmatch(r"[、和及与,，]", text[x.end:y.start]) for x, y in zip(regions, regions[1:], strict=False)):
                    places = regions  # 建设地点：咸安区、通山县 — works that run through both
                for place in places:
                    ctx.emit(ctx.key(project), "locatedIn", ctx.key(place), place.start, place.end,
                             "record-place")


_CLAUSE_END_RE = re.compile(r"[，,。；;！？!?\n]")
#: a plan's item opening a line: its number, then the project's name (1.P，C，总投资…)
_ITEM_START_RE = re.compile(r"(?:^|\n)[^\S\n]*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．][^\S\n]*)?$")


def _rule_bracketed_place(ctx: Context) -> None:
    """``P（铁西区）``, ``P（海城市腾鳌经济开发区）``: the place in brackets right after a project's
    name is where it lies (the zone if one is named)."""
    text = ctx.doc.text
    for k, ms in sorted(ctx.groups.items()):
        if k[0] != "Project":
            continue
        for m in ms:
            if not _top_level(m) or text[m.end:m.end + 1] not in "（(":
                continue
            close = text.find("）" if text[m.end] == "（" else ")", m.end, m.end + 24)
            if close < 0:
                continue
            inside = [n for n in ctx.span(m.end + 1, close) if n.type in PLACE_TYPES and _top_level(n)]
            if not inside or sum(len(n.text) for n in inside) < close - m.end - 2:
                continue  # (more than places in the brackets: an abbreviation, a phase)
            zones = [n for n in inside if n.type == "DevelopmentZone"]
            place = zones[-1] if zones else inside[-1]
            ctx.emit(k, "locatedIn", ctx.key(place), place.start, place.end, "bracketed-place")
            break


#: what joins the two parties of a signing (A与B签约P)
_PARTY_JOIN = re.compile(r"\s*(?:与|和|同)\s*")
#: the verb of a signing between the parties and the project (签约, 签订…协议, 签署)
_SIGNS = re.compile(r"^\s*(?:正式|现场|成功)?(?:签约|签订|签署|签下)(?:[^，。；]{0,10}?|[^，。；]{0,8}?(?:协议|合同)[，,]\s*"
                    + BUILD_NEXT + r")$")
#: a company's unit named after it (C所属D, C旗下D): D acts
_UNIT_OF = re.compile(r"\s*(?:所属|旗下|下属|的)\s*")


def _rule_signing_party(ctx: Context) -> None:
    """``政府与C签约P`` / ``C与政府签约P``: the company of the two parties invests in P (the
    government signs); ``政府与C所属D签约P``: D does."""
    text = ctx.doc.text
    for _, ms in sorted(ctx.by_sentence.items()):
        tops = [m for m in ms if _top_level(m)]
        for i, p in enumerate(tops):
            if p.type != "Project" or i < 2:
                continue
            last = tops[i - 1]
            if last.type not in ORG_TYPES + PLACE_TYPES or not _SIGNS.match(text[last.end:p.start]):
                continue
            party = [last]
            k = i - 2
            while k >= 0 and (tops[k].type in ORG_TYPES and (
                    _PARTY_JOIN.fullmatch(text[tops[k].end:party[0].start])
                    or _UNIT_OF.fullmatch(text[tops[k].end:party[0].start]))
                    or tops[k].type in PLACE_TYPES and _PARTY_JOIN.fullmatch(text[tops[k].end:party[0].start])):
                party.insert(0, tops[k])
                k -= 1
            places = [o for o in party if o.type in PLACE_TYPES]
            if len(party) < 2 or not any(o.type == "GovernmentBody" for o in party) and len(places) != 1:
                continue
            firms = [o for j, o in enumerate(party) if o.type == "Company"
                     and not (j + 1 < len(party) and _UNIT_OF.fullmatch(text[o.end:party[j + 1].start]))]
            for o in firms:
                ctx.emit(ctx.key(o), "investor", ctx.key(p), p.start, p.end, "signing-party")
            if len(places) == 1 and firms:
                # 某县与C签约P, C与某区签约建设P: the county (or zone) that signs hosts the project
                pk = ctx.key(p)
                for key in [key for key, r in ctx.out.items() if key[0] == pk and key[1] == "locatedIn"
                            and r.rule == "document-region"]:
                    del ctx.out[key]
                ctx.emit(pk, "locatedIn", ctx.key(places[0]), p.start, p.end, "signing-place")


#: the responsible units an item of a task list names in brackets after it (（责任单位：县发改局、县工信局）)
_RESPONSIBLE = re.compile(r"[（(](?:责任单位|牵头单位|实施单位|建设单位|责任主体)[：:]([^（）()\n]{2,60})[）)]")


def _rule_responsible_units(ctx: Context) -> None:
    """``（1）加快推进P建设。（责任单位：X、Y）``: X and Y are responsible for (invest in) the
    projects of the item's line."""
    text = ctx.doc.text
    if "单位" not in text and "责任主体" not in text:
        return
    for m in _RESPONSIBLE.finditer(text):
        p0 = text.rfind("\n", 0, m.start()) + 1
        units = [n for n in ctx.span(m.start(1), m.end(1)) if n.type in ("GovernmentBody", "Company") and _top_level(n)]
        projects = [n for n in ctx.span(p0, m.start()) if n.type == "Project" and _top_level(n)]
        for u in units:
            for p in projects:
                ctx.emit(ctx.key(u), "investor", ctx.key(p), u.start, u.end, "responsible-unit")


def _rule_listed_owner(ctx: Context) -> None:
    """A plan's item written with commas (``1.P，C，总投资38.6亿元，建设…``) or with the owner in
    brackets (``1.P（C）：总投资15亿元…``): the company that is the whole clause (or bracket)
    after the project's name invests in it."""
    text = ctx.doc.text
    for _, ms in sorted(ctx.by_sentence.items()):
        for i, p in enumerate(ms[:-1]):
            if p.type != "Project" or not _top_level(p) or not _ITEM_START_RE.search(text, max(0, p.start - 8), p.start):
                continue
            o = next((m for m in ms[i + 1:] if m.start >= p.end and _top_level(m)), None)
            if o is not None and o.type in ("Company", "GovernmentBody") and (
                    text[p.end:o.start] in ("，", ",") and text[o.end:o.end + 1] in ("，", ",", "；", ";", "。")
                    or text[p.end:o.start] in ("（", "(") and text[o.end:o.end + 1] in ("）", ")")):
                # (1.P（C）：总投资15亿元: the company in brackets after the name too)
                ctx.emit(ctx.key(o), "investor", ctx.key(p), o.start, o.end, "listed-owner")


_PHASE_END = re.compile(r"[一二三四五六七八九十]期$")


def _rule_pronoun_agent(ctx: Context) -> None:
    """``P … 。该项目由C投资建设``: C invests in P, the project the pronoun points back to
    (the nearest project named before it in the paragraph); never a contractor (由C承建)."""
    text = ctx.doc.text
    projects = [m for m in ctx.mentions if m.type == "Project" and _top_level(m)]
    if not projects:
        return
    orgs = sorted((m for m in ctx.mentions if m.type in ORG_TYPES and _top_level(m)), key=lambda m: m.start)

    def orgs_after(first):
        out, prev = [], first
        for q in orgs:
            if q.start > prev.end and re.fullmatch(r"[、和与及]", text[prev.end:q.start]):
                out.append(q)
                prev = q
        return out

    for o in ctx.mentions:
        if o.type not in ORG_TYPES or not _top_level(o):
            continue
        pm = AGENT_BEFORE_RE.search(text, max(0, o.start - 7), o.start)
        if pm is None:
            continue
        ce = _CLAUSE_END_RE.search(text, o.end)
        rest = text[o.end:ce.start() if ce else len(text)]
        owner = pm.group().endswith(("为", "是"))  # 项目业主为C: the owner, no verb needed
        if _has_cue("contractor", rest) or not (owner or _has_cue("build_verb", rest) or "投资" in rest):
            continue
        p0 = text.rfind("\n", 0, pm.start()) + 1
        before = [p for p in projects if p0 <= p.start and p.end <= pm.start()]
        if pm.group().endswith("项目由") and all(_PHASE_END.search(p.text) for p in before):
            # the pronoun 项目 names the project, not one of its phases named since, and in a
            # paragraph that goes on about it, the project the one before named
            whole = [p for p in projects if p.end <= pm.start() and pm.start() - p.end <= 300
                     and not _PHASE_END.search(p.text)]
            before = whole[-1:] or before
        if before:
            p = before[-1]
            s0 = max(text.rfind(c, 0, pm.start()) for c in "。！？\n") + 1
            if any(z.type == "DevelopmentZone" and max(p.end, s0) <= z.start and z.end <= pm.start()
                   and not _ends_with_cue("place_cue", text[max(0, z.start - 4):z.start])
                   for z in ctx.span(max(p.end, s0), pm.start())):
                continue  # 老厂区变身为X产业园，由C负责开发建设: C develops the park, not the project before
            ctx.emit(ctx.key(o), "investor", ctx.key(p), o.start, o.end, "pronoun-agent")
            # 由A、B联合投资建设: the partners listed after the first
            for q in orgs_after(o):
                ctx.emit(ctx.key(q), "investor", ctx.key(p), q.start, q.end, "pronoun-agent")


#: a sentence opened by the project pronoun saying where the project is (该项目位于, 项目拟选址)
_PRONOUN_PLACE_RE = re.compile(r"(?:^|[。！？\n；;])\s*(?:该|此|这一|这个|本)?(?:项目|工程)(?:拟|计划|将|已)?"
                               r"(?:选址于?|位于|落户于?|落地|建在|建于|坐落于|布局在)$")


def _rule_pronoun_place(ctx: Context) -> None:
    """``P … 。该项目位于Z`` / ``项目拟选址Z``: P, the project the pronoun points back to (the
    nearest project named before it, not one of its phases), lies in Z (the last of the places
    written together: 某市化工园区 → the park)."""
    text = ctx.doc.text
    projects = [m for m in ctx.mentions if m.type == "Project" and _top_level(m) and not _PHASE_END.search(m.text)]
    if not projects:
        return
    places = [m for m in ctx.mentions if m.type in PLACE_TYPES and _top_level(m) and m.attr("deictic") != "1"]
    for i, z in enumerate(places):
        pm = _PRONOUN_PLACE_RE.search(text, max(0, z.start - 12), z.start)
        if pm is None:
            continue
        while i + 1 < len(places) and places[i + 1].start == places[i].end:
            i += 1  # (某市|化工园区: the most specific of the places written together)
        z = places[i]
        before = [p for p in projects if p.end <= pm.start() and pm.start() - p.end <= 300]
        if before:
            ctx.emit(ctx.key(before[-1]), "locatedIn", ctx.key(z), z.start, z.end, "pronoun-place")


def _same_company_rest(rest: str) -> bool:
    """Whether what follows a short name only restates the company (控股公司, 集团, 有限公司)."""
    while rest:
        suf = _ends_with_cue("company_holding", rest) or _ends_with_cue("legal_suffix", rest)
        if not suf:
            return False
        rest = rest[: len(rest) - len(suf)]
    return True


def _rule_parent_subsidiary(ctx: Context) -> None:
    """``A子公司B`` / ``A旗下B`` / ``B是A下属`` / ``A收购B`` / ``A(某省)有限公司`` → investor + memberOf."""
    text = ctx.doc.text
    # name prefix: a company named after another company (海川电器(安平)有限公司)
    forms = [(f, k) for k, fs in ctx.forms.items() if k[0] == "Company" for f in fs if len(f) >= 2]
    forms.sort(key=lambda fk: (-len(fk[0]), fk))
    for k, fs in sorted(ctx.forms.items()):
        if k[0] != "Company":
            continue
        for f in fs:
            parent = next((pk for pf, pk in forms if pk != k and f.startswith(pf) and len(f) > len(pf)
                           and not _same_company_rest(f[len(pf):])), None)
            if parent is not None and not any(f2 for f2 in ctx.forms[parent] if f2.startswith(f)):
                m = ctx.groups[k][0]
                ctx.emit(k, "memberOf", parent, m.start, m.end, "name-prefix-parent")
                break
    # group stem: "某一集团" and "某一硅能" → the second is a member of the group
    for gk, gfs in sorted(ctx.forms.items()):
        if gk[0] != "Company":
            continue
        for gf in gfs:
            hold = _ends_with_cue("company_holding", gf)
            stem = gf[: len(gf) - len(hold)] if hold and hold.startswith("集团") else ""
            if len(stem) < 2 or _name_place_codes(stem + "某某"):
                continue
            for k, fs in sorted(ctx.forms.items()):
                if k[0] != "Company" or k == gk:
                    continue
                if any(f.startswith(stem) and len(f) >= len(stem) + 2 and not _same_company_rest(f[len(stem):])
                       for f in fs):
                    m = ctx.groups[k][0]
                    ctx.emit(k, "memberOf", gk, m.start, m.end, "group-stem")
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        cs = [m for m in ms if m.type == "Company"]
        if len(cs) < 2:
            continue
        objects: set[int] = set()
        for i, b in enumerate(cs):
            for a in reversed(cs[:i]):
                if ctx.key(a) == ctx.key(b) or id(a) in objects:
                    continue
                if _inside(b, a) or _inside(a, b):
                    continue
                gap = text[a.end : b.start]
                c0, _ = _clause_bounds(text, b.start, s0, s1)
                if _SUBSIDIARY_GAP_RE.fullmatch(gap) or _UNDER_GAP_RE.fullmatch(gap):
                    rule = "subsidiary-cue"
                elif a is cs[i - 1] and _BACK_SUBSIDIARY_GAP_RE.fullmatch(gap):
                    rule = "subsidiary-next-clause"
                elif len(gap) <= 20 and a.start >= c0 - 40 and _ACQUIRE_GAP_RE.search(gap) and not re.search(r"[，。；]", gap[: max(0, len(gap) - 14)]):
                    rule = "acquire-cue"
                else:
                    # "B是A下属的…公司"
                    rule = ""
                if rule:
                    ctx.emit(ctx.key(a), "investor", ctx.key(b), b.start, b.end, rule)
                    ctx.emit(ctx.key(b), "memberOf", ctx.key(a), b.start, b.end, rule)
                    objects.add(id(b))
                    break
        for i, b in enumerate(cs):
            for a in cs[i + 1 :]:
                gap = text[b.end : a.start]
                after = text[a.end : min(s1, a.end + 12)]
                if _IS_GAP_RE.fullmatch(gap) and _SUBSIDIARY_AFTER_RE.match(after):
                    ctx.emit(ctx.key(a), "investor", ctx.key(b), b.start, b.end, "subsidiary-is")
                    ctx.emit(ctx.key(b), "memberOf", ctx.key(a), b.start, b.end, "subsidiary-is")
                elif BELONGS_GAP_RE.fullmatch(gap) and ctx.key(a) != ctx.key(b):
                    # B隶属于A: B is a member of A (nothing said of who put money in)
                    ctx.emit(ctx.key(b), "memberOf", ctx.key(a), b.start, b.end, "belongs-to")


#: what joins a company to the group it belongs to (B隶属于A, B归属于A)
BELONGS_GAP_RE = re.compile(r"(?:现|目前)?(?:隶属于|隶属|归属于|从属于)")
#: words of party and government organs: a title after them is not a company's
_ORGAN_WORDS = re.compile(r"政府|人大|政协|自治区|省委|市委|县委|区委|管委会|厅|局长|省长|市长|县长")


def _rule_person_title(ctx: Context) -> None:
    """``海川电器董事长王立明、总裁李晓红``: a person with a title is a member of the organisation."""
    text = ctx.doc.text
    title_rx = _cue_regex("title")
    if title_rx is None:
        return
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, _ = ctx.sentence_span(ms[0])
        prev_org: Key | None = None
        prev_person_end = -1
        for m in ms:
            if m.type != "Person":
                continue
            before = text[max(s0, m.start - 8) : m.start]
            title = _ends_with_cue("title", before)
            if title is None:
                prev_person_end = m.end
                continue
            head = m.start - len(title)
            org: Key | None = None
            orgs = [o for o in ms if o.type in ORG_TYPES and o.end <= head and _top_level(o)]
            if orgs and re.fullmatch(r"的?", text[orgs[-1].end : head]):
                org = ctx.key(orgs[-1])
            elif prev_org is not None and prev_person_end >= 0 and re.fullmatch(r"[、，,和及]", text[prev_person_end:head]):
                org = prev_org
            elif orgs and orgs[-1].type == "Company" and not _ORGAN_WORDS.search(text, orgs[-1].end, head):
                # "在宏达钒业的股东大会上，总经理赵文涛" — the company the sentence is about (not
                # "甲乙电力集团副总经理孙保平，自治区副主席钱逸阳": another organ's title between)
                org = ctx.key(orgs[-1])
            if org is not None:
                ctx.emit(ctx.key(m), "memberOf", org, m.start, m.end, "person-title")
            prev_org = org
            prev_person_end = m.end


# --------------------------------------------------------------------------- entry point


def extract_relations(doc: Document, mentions: list[Mention]) -> list[RelationCandidate]:
    """Relation candidates between the mention groups of one document.

    Parameters
    ----------
    doc : Document
        The ingested document; every mention offset indexes ``doc.text``.
    mentions : list of Mention
        The mentions of :func:`kg.extract.entities.extract_mentions`.

    Returns
    -------
    list of RelationCandidate
        ``locatedIn``, ``investor``, ``memberOf``, ``produces``, ``partOfChain`` and
        ``upstreamOf`` candidates, one per ``(subject, predicate, object)``, sorted by
        evidence offset, then subject, predicate and object.

    Examples
    --------
    >>> from kg.model import Document, Sentence
    >>> text = "海川电器董事长王立明出席。"
    >>> doc = Document("x", "", text, text, (Sentence(0, 0, len(text), text),))
    >>> ms = [Mention("Company", "海川电器", 0, 4, "haichuan"), Mention("Person", "王立明", 7, 10, "wang")]
    >>> [(r.subject[1], r.predicate, r.object[1]) for r in extract_relations(doc, ms)]
    [('wang', 'memberOf', 'haichuan')]
    """
    from .relations_chain import chain_relations

    if not mentions:
        return []
    ctx = _build_context(doc, list(mentions))
    main = _main_region(ctx)
    _rule_region_hierarchy(ctx, main)
    _rule_adjacent_regions(ctx)
    _rule_name_location(ctx, ("Project", "DevelopmentZone"))
    _rule_bracketed_place(ctx)
    _rule_records(ctx, ("place",))  # (a record's place before the document's region)
    _rule_intake_location(ctx)
    _rule_sentence_location(ctx)
    _rule_pronoun_place(ctx)
    _rule_name_location(ctx, ("Company",), main)
    _rule_local_companies(ctx, main)
    _rule_headline_zone(ctx)
    _rule_signing_host(ctx)
    _rule_default_location(ctx, main)
    _rule_nested_owner(ctx)
    _rule_builder(ctx)
    _rule_pronoun_agent(ctx)
    _rule_records(ctx, ("owner",))
    _rule_listed_owner(ctx)
    _rule_responsible_units(ctx)
    _rule_signing_party(ctx)
    _rule_parent_subsidiary(ctx)
    _rule_joint_venture(ctx)
    _rule_phase_investor(ctx)
    _rule_person_title(ctx)
    chain_relations(ctx)
    _rule_government_owner(ctx)
    _drop_idle_nested_regions(ctx)
    return sorted(ctx.out.values(), key=lambda r: (r.start, r.subject, r.predicate, r.object))
