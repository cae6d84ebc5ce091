"""The administrative-region gazetteer used by the ``extract`` stage.

It reads the province → city → county → town hierarchy of China from the data file that
ships with jionlp (``jionlp/dictionary/china_location.zip``, located with
``importlib.util.find_spec`` without importing jionlp, which is slow), the countries of
``world_location.txt`` beside it, and the named areas and stop list of ``data/lexicon``.
:func:`find_regions` scans a text and returns region matches with their administrative
codes; short forms (``长治``, ``朔州``, ``重庆``) are recognised, while short forms that are
common words, words that straddle a short form's boundary (jieba's dictionary as a signal)
and rank words after a suffix (``长治县处级`` → ``长治``) are guarded against. Towns and
streets (镇/乡/街道) are matched only with their suffix, or by their short form when the
text also names their county. Everything is built lazily on first use and cached.
"""

from __future__ import annotations

import importlib.util
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from operator import add
from pathlib import Path

from .diskcache import disk_cached
from .lexicon import column_map, words
from .resources import jionlp_dictionary_dir, place_name_files

__all__ = ["Place", "RegionMatch", "MUNICIPALITIES", "places", "gazetteer", "find_regions", "place_by_code"]

LEVELS = ("province", "city", "county", "town", "country", "area")
#: the four municipalities directly under the central government: province-level codes that
#: are cities (天津经济技术开发区 lies in 天津, as a zone of a city lies in that city)
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})
_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}


@dataclass(frozen=True, slots=True)
class Place:
    """One region: ``code`` is the 6-digit admin code ("" for towns, countries, areas)."""

    name: str
    code: str
    level: str
    parent: str = ""  # parent code ("" for provinces, countries and areas)
    short: str = ""

    def __reduce__(self):
        # rebuilt from its fields: half the time of the default for a slotted class when
        # every process that extracts reads ~50,000 of them back from the dictionary cache
        return (Place, (self.name, self.code, self.level, self.parent, self.short))


@dataclass(frozen=True, slots=True)
class RegionMatch:
    """A region mention found in a text; ``short`` is True when written without suffix."""

    start: int
    end: int
    text: str
    place: Place
    short: bool


_jionlp_dir = jionlp_dictionary_dir
_places_inputs = place_name_files


@lru_cache(maxsize=1)
@disk_cached(_places_inputs)
def places() -> tuple[Place, ...]:
    """Every province, city, county and town of the jionlp file, plus countries and areas.

    Returns an empty tuple when jionlp's data file is not installed.
    """
    out: list[Place] = []
    d = _jionlp_dir()
    if d is not None and (d / "china_location.zip").exists():
        with zipfile.ZipFile(d / "china_location.zip") as zf:
            name = zf.namelist()[0]
            text = io.TextIOWrapper(zf.open(name), encoding="utf-8").read()
        stack: list[str] = ["", "", ""]
        for line in text.split("\n"):
            if not line or line.startswith("\t\t\t\t"):
                continue  # villages are not used
            depth = len(line) - len(line.lstrip("\t"))
            cells = line.strip("\t").split("\t")
            if depth == 3:  # town / street: no code of its own
                if stack[2]:
                    out.append(Place(cells[0], "", "town", stack[2]))
                continue
            if len(cells) < 2:
                continue
            nm, code = cells[0], cells[1]
            short = cells[2] if len(cells) > 2 else ""
            if depth == 0:
                stack = [code, "", ""]
                out.append(Place(nm, code, "province", "", short))
            elif depth == 1:
                stack[1], stack[2] = code, ""
                if code != stack[0]:  # municipalities repeat themselves as a city
                    out.append(Place(nm, code, "city", stack[0], short))
            elif depth == 2:
                stack[2] = code
                parent = stack[1] or stack[0]
                out.append(Place(nm, code, "county", parent, short))
        wl = d / "world_location.txt"
        if wl.exists():
            for line in wl.read_text(encoding="utf-8").splitlines():
                cells = line.split("\t")
                if len(cells) >= 2 and cells[0] and not cells[0].endswith(":") and cells[0] != "中国":
                    out.append(Place(cells[0], "", "country", "", ""))
    out.append(Place("中国", "", "country", "", ""))
    for nm, canon in sorted(column_map("areas").items()):
        if not canon:
            out.append(Place(nm, "", "area", "", ""))
    return tuple(out)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Place]:
    return {p.code: p for p in places() if p.code}


def place_by_code(code: str) -> Place | None:
    """The place with administrative ``code``, or None."""
    return _by_code().get(code)


_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
             "街道", "地区", "省", "市", "县", "区", "镇", "乡", "旗", "盟")


#: last character → the suffixes ending with it, in the order of :data:`_SUFFIXES`
_SUFFIXES_BY_LAST: dict[str, tuple[str, ...]] = {}
for _s in _SUFFIXES:
    _SUFFIXES_BY_LAST[_s[-1]] = _SUFFIXES_BY_LAST.get(_s[-1], ()) + (_s,)
del _s


def _strip_suffix(name: str) -> str:
    # only the suffixes ending with the name's last character can match (called for every
    # place name when a process builds its gazetteer: ~40,000 times)
    for s in _SUFFIXES_BY_LAST.get(name[-1:], ()):
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


def _jieba_dict() -> list[Path]:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(list(spec.submodule_search_locations)[0]) / "dict.txt"]


@lru_cache(maxsize=1)
@disk_cached(_jieba_dict)
def _jieba_words() -> dict[str, tuple[int, str]]:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / "dict.txt"
    out: dict[str, tuple[int, str]] = {}
    # one tuple per (frequency, tag) pair, shared by the words that have it: the cache's
    # pickle then holds 17,000 of them, not 340,000 (a third less time to read it back)
    shared: dict[tuple[int, str], tuple[int, str]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split(" ")
            if len(cells) == 3 and len(cells[0]) <= 4:
                v = (int(cells[1]), cells[2])
                out[cells[0]] = shared.setdefault(v, v)
    return out


_PLACE_TAGS = ("ns", "nr", "nrt", "nz")
#: Names that keep no short form (a district named after a zone or a generic area).
_NO_SHORT = ("新区", "城区", "矿区", "郊区", "园区", "开发区", "示范区", "管理区", "试验区")


def _common_word(s: str) -> bool:
    """True when jieba's dictionary knows ``s`` as an ordinary (non-name) word."""
    f, tag = _jieba_words().get(s, (0, ""))
    return f >= 20 and tag not in _PLACE_TAGS


_COMMON_TAGS = frozenset({"v", "vn", "vd", "a", "ad", "an", "d", "m", "q", "p", "c", "u", "t", "r"})


@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, tuple[tuple[Place, bool], ...]], dict[str, tuple[int, ...]]]:
    """``form → ((place, is_short), …)`` and ``first char → form lengths (descending)``.

    Full names always enter; short forms (jionlp's short column or the name without its
    suffix) enter unless listed in ``region_stop.tsv`` or a common non-place word in
    jieba's dictionary. Town short forms are kept apart (see :func:`find_regions`).
    """
    stop = words("region_stop")
    jw = _jieba_words()
    forms: dict[str, list[tuple[Place, bool]]] = defaultdict(list)
    for p in places():
        if p.level == "town":
            if p.name.endswith(("镇", "乡", "街道")) and len(p.name) >= 3:
                forms[p.name].append((p, False))
            continue
        if not (len(p.name) == 2 and p.name in stop):
            forms[p.name].append((p, False))
        if p.level in ("country", "area"):
            continue
        if p.name.endswith(_NO_SHORT):
            continue
        for s in sorted({p.short, _strip_suffix(p.name)}):
            if not s or s == p.name or len(s) < 2 or s in stop:
                continue
            f, tag = jw.get(s, (0, ""))
            if tag in _COMMON_TAGS and f >= 100:
                continue
            if p.level == "county" and _common_word(s):
                continue
            forms[s].append((p, True))
    for nm, canon in column_map("areas").items():
        if canon:
            for p in places():
                if p.name == canon and p.level in ("country", "area"):
                    forms[nm].append((p, True))
                    break
    # the whole place in the key: towns share names and have no code of their own, and the
    # order of a set of places changes from one process to the next (string hashing)
    frozen = {f: tuple(v) if len(v) == 1 else
              tuple(sorted(set(v), key=lambda x: (x[1], _RANK[x[0].level], x[0].code, x[0].name,
                                                   x[0].parent, x[0].short)))
              for f, v in forms.items()}
    firsts: dict[str, set[int]] = defaultdict(set)
    for f in frozen:
        firsts[f[0]].add(len(f))
    return frozen, {c: tuple(sorted(ls, reverse=True)) for c, ls in firsts.items()}


def candidate_positions(text: str, pre2: frozenset[str], singles: frozenset[str] = frozenset()) -> list[int]:
    """Positions where a dictionary form may start: its first two characters are in ``pre2``
    (or the character itself is a one-character form in ``singles``).

    A C-level bigram filter, so dictionary scanners visit a few positions instead of all.
    """
    if len(text) < 2:
        return [0] if text and text in singles else []
    memo = _BIGRAMS[0]
    if memo[0] is text:  # several scanners read the same document: its bigrams are built once
        bigrams = memo[1]
    else:
        bigrams = list(map(add, text, text[1:]))
        if len(text) >= 256:  # short names checked in between do not evict the document
            _BIGRAMS[0] = (text, bigrams)
    pos = list(compress(range(len(text) - 1), map(pre2.__contains__, bigrams)))
    if singles:
        pos = sorted(set(pos) | set(compress(range(len(text)), map(singles.__contains__, text))))
    return pos


#: [(text, its bigrams)] of the last text scanned (replaced as a whole, so thread-safe).
_BIGRAMS: list = [(None, [])]


def _automaton(forms):
    """An Aho–Corasick automaton over ``forms`` (ahocorasick-rs), or None when the package
    is not installed or there are no forms."""
    try:
        import ahocorasick_rs
    except ImportError:  # pragma: no cover - the bigram filter gives the same answer, slower
        return None
    forms = sorted(forms)
    if not forms:
        return None
    return ahocorasick_rs.AhoCorasick(forms, implementation=ahocorasick_rs.Implementation.ContiguousNFA)


#: Characters a dictionary scans with the bigram filter before it builds its Aho–Corasick
#: automaton (:class:`FormIndex`, :class:`FormGroup`). The gazetteer's and the group's
#: automata take ~0.15 s to build, the filter ~0.3 µs a character more than they do: an
#: update that extracts a document or two is faster without them, a build of thousands of
#: documents builds them after its first sixty or so.
AUTOMATON_AFTER = 100_000


class _Lazy:
    """Counts the characters a scanner reads and builds its automaton over ``forms`` once
    they reach ``after`` (``None``: :data:`AUTOMATON_AFTER`, read then)."""

    def __init__(self, forms, after: int | None) -> None:
        self.forms = forms
        self.after = after
        self.count = 0
        self.done = False

    def scanned(self, text: str):
        """Count ``text``; the automaton once it is due (None before, and when there is no
        automaton to be had)."""
        after = AUTOMATON_AFTER if self.after is None else self.after
        self.count += len(text)
        if self.count < after:
            return None
        self.done = True
        return _automaton(self.forms)


class FormIndex:
    """Where the forms of a dictionary start in a text, with the lengths that match there.

    One Aho–Corasick pass (ahocorasick-rs) finds every occurrence of every form; without
    the package a bigram filter (:func:`candidate_positions`) and set look-ups give the
    same answer. The automaton is built once the dictionary has scanned
    ``automaton_after`` characters (the bigram filter scans until then): building the
    gazetteer's takes as long as scanning a few hundred thousand characters without it,
    and a process that reads a document or two never needs it.

    Parameters
    ----------
    forms : iterable of str
        The dictionary forms (empty strings are ignored).
    automaton_after : int, optional
        Characters to scan before the automaton is built (default
        :data:`AUTOMATON_AFTER`; 0 builds it at once).
    """

    def __init__(self, forms, *, automaton_after: int | None = None):
        self.forms = frozenset(forms) - {""}
        lens2: dict[str, set[int]] = defaultdict(set)
        ones = []
        for f in self.forms:
            if len(f) >= 2:
                lens2[f[:2]].add(len(f))
            else:
                ones.append(f)
        self.singles = singles = frozenset(ones)
        self.pre2 = frozenset(lens2)
        # first two characters → lengths of the forms with that prefix (longest first), plus
        # 1 where the first character alone is a form
        self.lens2 = {b: (tuple(v) if len(v) == 1 else tuple(sorted(v, reverse=True)))
                      + ((1,) if singles and b[0] in singles else ())
                      for b, v in lens2.items()}
        self._ac = None
        self._lazy: _Lazy | None = _Lazy(self.forms, automaton_after)
        if automaton_after == 0:
            self._ac, self._lazy = _automaton(self.forms), None
        self._group: tuple[FormGroup, int] | None = None  # set by FormGroup

    def starts(self, text: str) -> list[tuple[int, tuple[int, ...]]]:
        """``(position, lengths)`` for every position of ``text`` where a form starts, in
        ascending order; ``lengths`` are those of the forms found there, longest first."""
        group = self._group
        if group is not None and len(text) >= _GROUP_MIN:
            return group[0].starts(group[1], text)
        return self._own_starts(text)

    def _own_starts(self, text: str, count: bool = True) -> list[tuple[int, tuple[int, ...]]]:
        """:meth:`starts` without the group; ``count``: the text counts toward building this
        dictionary's automaton (not when its group scans for it)."""
        ac = self._ac
        if ac is None and count and self._lazy is not None:
            ac = self._ac = self._lazy.scanned(text)
            if self._lazy.done:
                self._lazy = None
        if ac is not None:
            return _starts(ac.find_matches_as_indexes(text, overlapping=True))
        forms, lens2, singles = self.forms, self.lens2, self.singles
        n = len(text)
        out = []
        for i in candidate_positions(text, self.pre2, singles):
            lens = lens2.get(text[i : i + 2])
            if lens is None:
                lens = (1,) if text[i] in singles else ()
            hit = tuple(ln for ln in lens if i + ln <= n and text[i : i + ln] in forms)
            if hit:
                out.append((i, hit))
        return out


def _starts(matches) -> list[tuple[int, tuple[int, ...]]]:
    """Group ``(pattern, start, end)`` matches by start: ``[(start, lengths longest first)]``
    in ascending order."""
    by: dict[int, list[int]] = {}
    for _ix, s, e in matches:
        got = by.get(s)
        if got is None:
            by[s] = [e - s]
        else:
            got.append(e - s)
    return [(s, tuple(sorted(v, reverse=True)) if len(v) > 1 else tuple(v))
            for s, v in sorted(by.items())]


#: Texts at least this long (documents, not names) are scanned by the group's automaton.
_GROUP_MIN = 256


class FormGroup:
    """Several :class:`FormIndex` dictionaries scanned by one automaton over all their forms.

    A document is read once for all of them (not once per dictionary); each member then gets
    exactly the starts its own automaton would give. The scan of the last document is kept
    (replaced as a whole, so threads never share a half-built one). Short texts (names
    checked in between) use the members' own automata and leave it alone. Like a member's,
    the group's automaton is built once it has been asked about ``automaton_after``
    characters of documents; until then each member scans with its bigram filter.

    Parameters
    ----------
    members : sequence of FormIndex
        The dictionaries; each is attached to this group (replacing an earlier group).
    automaton_after : int, optional
        As for :class:`FormIndex`.
    """

    def __init__(self, members, *, automaton_after: int | None = None):
        self.members = tuple(members)
        self._forms = sorted(set().union(*(m.forms for m in self.members)))
        self._ac = None
        self._owners: list[tuple[int, ...]] = []
        self._lazy: _Lazy | None = _Lazy(self._forms, automaton_after)
        self._last = None  # the last text counted toward the automaton
        self._memo: tuple = (None, [])
        if automaton_after == 0:
            self._automaton("")
        for i, m in enumerate(self.members):
            m._group = (self, i)

    def _automaton(self, text: str):
        """The group's automaton, built when due (None before, or when there is none)."""
        lazy = self._lazy
        if lazy is None or self._last is text:
            return self._ac
        self._last = text
        ac = lazy.scanned(text)
        if lazy.done:
            self._lazy = None
            if ac is not None:
                # pattern index → the members it is a form of
                self._owners = [tuple(j for j, m in enumerate(self.members) if f in m.forms)
                                for f in self._forms]
                self._ac = ac
        return self._ac

    def starts(self, member: int, text: str) -> list[tuple[int, tuple[int, ...]]]:
        """:meth:`FormIndex.starts` of member number ``member``."""
        memo = self._memo
        if memo[0] is not text:
            ac = self._ac if self._ac is not None else self._automaton(text)
            if ac is None:  # not built yet (or no automaton to be had)
                return self.members[member]._own_starts(text, count=False)
            owners = self._owners
            per: list[dict[int, list[int]]] = [{} for _ in self.members]
            for ix, s, e in ac.find_matches_as_indexes(text, overlapping=True):
                for j in owners[ix]:
                    got = per[j].get(s)
                    if got is None:
                        per[j][s] = [e - s]
                    else:
                        got.append(e - s)
            memo = self._memo = (text, [
                [(s, tuple(sorted(v, reverse=True)) if len(v) > 1 else tuple(v)) for s, v in sorted(by.items())]
                for by in per])
        return memo[1][member]


@lru_cache(maxsize=1)
def _gazetteer_index() -> FormIndex:
    return FormIndex(gazetteer()[0])


@lru_cache(maxsize=1)
def _town_shorts() -> dict[str, tuple[tuple[str, Place], ...]]:
    """``county code → ((short form, town), …)`` for towns with a usable short form."""
    out: dict[str, list[tuple[str, Place]]] = defaultdict(list)
    stop = words("region_stop")
    for p in places():
        if p.level == "town":
            s = p.name[:-2] if p.name.endswith("街道") else _strip_suffix(p.name)
            if len(s) >= 2 and s != p.name and s not in stop:
                out[p.parent].append((s, p))
    return {k: tuple(sorted(v, key=lambda x: (x[0], x[1].name))) for k, v in out.items()}


_RANK_AFTER = ("处级", "级", "长", "委书记")


def _false_join(text: str, start: int, end: int, form: str, short: bool) -> bool:
    """Suffix or boundary joins that make a region name out of something else."""
    jw = _jieba_words()
    if not short:
        if form[-1] in "县市区省" and end < len(text):
            nxt = form[-1] + text[end]
            if nxt in jw and jw[nxt][1] not in _PLACE_TAGS and nxt not in ("市委", "省委", "县委", "区委") \
                    and not text.startswith(("政府", "位于"), end):  # (长治市政府, 河口区位于…)
                return True  # 西安区域, 重庆市场: the suffix starts another word
        if len(form) == 2 and start > 0 and "\u4e00" <= text[start - 1] <= "\u9fff" \
                and not (form[-1] in "县区市旗" and text[start - 1] in "在为于到赴至从"):
            return True  # two-character full names (和县) only stand alone, a county also after a preposition (为睢县)
        return False
    for extra in (1, 2):
        w = text[start : end + extra]
        if w[len(form):len(form) + 1] in ("县", "市", "区", "省", "镇", "乡"):
            continue
        if len(w) == end + extra - start and jw.get(w, (0, ""))[1] == "ns":
            return True  # 杭州湾, 东平湖: a longer place word that is not a region
    return False


def _straddles(text: str, start: int, end: int) -> bool:
    """True when a dictionary word crosses the boundary of the short form [start, end)."""
    jw = _jieba_words()
    dated = start >= 2 and text[start - 1] in "年月日" and text[start - 2].isdigit()
    for a, b in ((start - 1, start + 1), (start - 2, start + 1), (end - 1, end + 1), (end - 1, end + 2)):
        if a < 0 or b > len(text) or b - a < 2:
            continue
        if dated and a < start:
            continue  # 2026年长治…: the date's 年 joins no word with the name (年长)
        w = text[a:b]
        hit = jw.get(w)
        if hit and hit[0] >= 50 and hit[1] not in ("ns", "nr", "nt", "nz"):
            return True
    return False


def _ancestors(p: Place) -> list[str]:
    """Codes of the places above ``p``, nearest first.

    Some gazetteer entries are their own parent (cities without counties such as 中山市 and
    东莞市, and the special administrative regions): the walk stops at any repeated code.
    """
    out: list[str] = []
    seen = {p.code}
    code = p.parent
    while code and code not in seen:
        seen.add(code)
        out.append(code)
        q = place_by_code(code)
        code = q.parent if q else ""
    return out


def _admissible(cand: tuple[Place, bool], named: set[str]) -> bool:
    """County short forms need their city/province named in the text, or to be a place word."""
    p, short = cand
    if not short or p.level != "county":
        return True
    if any(a in named for a in _ancestors(p)):
        return True
    return _jieba_words().get(p.short or "", (0, ""))[1] == "ns"


def find_regions(text: str) -> list[RegionMatch]:
    """Region mentions in ``text``, left to right, longest match first, non-overlapping.

    Ambiguous forms (``朝阳`` is a city and several districts) take the candidate whose
    province or city the text also names, then the higher level, then the smaller code.

    >>> [m.text for m in find_regions("长治市和朔州的项目")]
    ['长治市', '朔州']
    >>> [m.text for m in find_regions("全市县处级以上干部")]
    []
    """
    forms, _firsts = gazetteer()
    raw: list[tuple[int, int, str, tuple[tuple[Place, bool], ...]]] = []
    free = 0
    for i, lens in _gazetteer_index().starts(text):
        if i < free:
            continue
        # the lengths of the forms that start here, longest first
        found = None
        if lens:
            for ln in lens:
                f = text[i : i + ln]
                cands = forms[f]
                short = all(s for _, s in cands)
                if _false_join(text, i, i + ln, f, short):
                    continue
                if not short and f[-1] in "县市区" and text.startswith(_RANK_AFTER, i + ln):
                    # 长治县处级 / 长治市长: the suffix belongs to a rank word
                    continue
                if short and _straddles(text, i, i + ln):
                    continue
                found = (i, i + ln, f, cands)
                break
        if found:
            raw.append(found)
            free = found[1]
    # context: codes named in full or unambiguous form
    named: set[str] = set()
    for _, _, _, cands in raw:
        firm = [p for p, sh in cands if not sh or p.level in ("province", "city")]
        if len({p.code for p in firm}) == 1 and firm[0].code:
            named.add(firm[0].code)
            named.update(_ancestors(firm[0]))
    out: list[RegionMatch] = []

    def score(c: tuple[Place, bool]) -> tuple:
        p, sh = c
        anc = _ancestors(p)
        in_text = 0 if (not sh or p.name in text) else 1
        return (0 if any(a in named for a in anc) else 1, in_text, sh, _RANK[p.level], p.code, p.name,
                p.parent)

    for s, e, f, cands in raw:
        cands = tuple(c for c in cands if _admissible(c, named))
        if not cands:
            continue
        # most forms have one admissible place: nothing to score
        p, sh = cands[0] if len(cands) == 1 else min(cands, key=score)
        out.append(RegionMatch(s, e, f, p, sh))
    # a short form takes the place the text itself names in full (大理 … 大理市 → the
    # county-level city, not the prefecture 大理州)
    full = {m.text[:-1]: m.place for m in out if not m.short and m.text[-1:] in "市县区" and len(m.text) >= 3}
    if full:
        out = [RegionMatch(m.start, m.end, m.text, full[m.text], m.short)
               if m.short and m.text in full and full[m.text].code != m.place.code else m for m in out]
    # town short forms only next to their named county
    counties = sorted({m.place.code for m in out if m.place.level == "county"}
                      | {m.place.parent for m in out if m.place.level == "town"})
    towns = _town_shorts()
    if counties:
        taken = [(m.start, m.end) for m in out]
        extra: list[RegionMatch] = []
        by_form: dict[str, list[Place]] = defaultdict(list)
        for c in counties:
            for form, p in towns.get(c, ()):
                if not _common_word(form):
                    by_form[form].append(p)
        for form in sorted(by_form):
            cands = by_form[form]
            if len(cands) != 1:
                continue
            start = text.find(form)
            while start >= 0:
                end = start + len(form)
                if not any(a < end and start < b for a, b in taken) and not _straddles(text, start, end):
                    extra.append(RegionMatch(start, end, form, cands[0], True))
                    taken.append((start, end))
                start = text.find(form, end)
        out.extend(extra)
        out.sort(key=lambda m: (m.start, m.end))
    return out


def _clear_caches() -> None:  # for tests that point CHAINKG_LEXICON elsewhere
    for f in (places, _by_code, gazetteer, _town_shorts, _gazetteer_index):
        f.cache_clear()

