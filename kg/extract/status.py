"""Stage 2c of extract: project life-cycle stages (``hasStatus``).

Consumes a :class:`~kg.model.Document` and its mentions; produces
:class:`~kg.model.RelationCandidate` objects ``(Project) hasStatus ("Status", code)``
following GUIDELINES §5. Cue phrases (开工, 在建, 加快推进, 试运转, 建成投产, 稳产达产…) come
from ``data/lexicon/status_cues.tsv`` with a code and a priority; the finer codes (signed,
preliminary, continued, resumed, suspended, reached_capacity) are kept and mapped to the scored ones by
``ontology/status.ttl``. A cue applies to every Project mention of its clause (list-level
status is distributed to each member); a clause without a project name inherits the nearest
project of its sentence, or, with a pronoun (该项目, 项目, 工程), of its paragraph. A plan
marker (力争, 计划, 将…) or a plan paragraph turns "开工" into ``planned`` and "建成/投产"
into ``under_construction``; a phrase that leaves the stage open (落地或投产, 建成后) yields no
status. Several stages of one project in one text are each kept.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ..model import Document, Mention, RelationCandidate
from ._textindex import sentence_at
from .quantities import _alternation, _read_tsv, figure_headed, paragraph_bounds
from .records import find_records, in_schedule, project_record_at

__all__ = ["extract_status", "status_cues"]

_CLAUSE_SPLIT = re.compile(r"[，,。；;：:！？!?\n]")
_DEICTIC_RE = re.compile(r"该项目|该工程|项目|工程|该高铁|该线|该道路|该基地|全线")
# adverbs and time words that may precede a cue in a clause without a subject of its own
_ADVERBS_RE = re.compile(
    r"目前|眼下|当前|日前|近日|现已|已经|已|正在|正|均|也|将|并|都|相继|先后|顺利|全面|同步|"
    r"陆续|加紧|抓紧|有序|稳步|持续|继续|全力|今年|年内|年底前|本月初|计划|预计|力争|"
    r"上半年|下半年|\d+月(底|初|中旬)?|\s"
)
_COUNTED_RE = re.compile(r"[\d一二两三四五六七八九十百千万]+(多|余)?\s?(个|条|座|项|处|家|批|台|套|大)|一批|多个|各地|各类")
_GENERIC_RE = re.compile(r"一批|一系列|若干|多个|多项|各类|各地")
_OPEN_OR_RE = re.compile(r"或(投产|开工|建成|落地)")
#: cues too weak to stand beside a stronger stage of the same project (landed / settled)
_WEAK_CUES = frozenset({"落地", "落户"})
_PLAN_PARAGRAPH_RE = re.compile(r"力争|要加快|着力|计划")
_PAST_RE = re.compile(r"一年来|过去一年|回顾|已经|取得")
#: a date the clause states with 于 (项目于2023年11月开工建设): a fact, also in a paragraph
#: that speaks of plans elsewhere (plans say 计划于, 将于: markers of the clause itself)
_STATED_DATE_RE = re.compile(r"于(?:\d{4}年|(?:今年|去年|上年)?\d{1,2}月)")
#: a share right after a completion cue (完工80%) is progress
_SHARE_DONE_RE = re.compile(r"了?(?:约|近|超过)?\d+(?:\.\d+)?\s*[%％]")

#: a date a clause may open with (于2024年3月, 2025年)
_DATE_WORDS_RE = re.compile(r"于|\d{4}年|\s")

#: a building or part of a project site (a clause about it says how far the project is built)
#: a planned scope after 规划建设 (风电300万千瓦, 用地500亩): the works' size, no stage
_SCOPE_AFTER_RE = re.compile(r"[^，。；\d]{0,8}\d")
_SPACES_RE = re.compile(r"[ \t]*")
#: the words of a clause that names what a signing builds (…签订投资协议，将建设P); the
#: relation rules read the same clause for the signing's investor and place
BUILD_NEXT = r"(?:双方)?(?:将|拟|计划)?(?:投资)?(?:新建|建设|兴建|打造|落地|实施)的?"
_BUILD_NEXT_RE = re.compile(r"\s*" + BUILD_NEXT)
_BUILDING_PART_RE = re.compile(r"厂房|车间|主体|办公楼|综合楼|宿舍楼|仓库|库房")

#: the label of an item's stage in a progress bulletin (形象进度：…)
_STAGE_LABEL_RE = re.compile(r"(?:形象进度|建设进度|工程进度|项目进展|进展情况)[：:]$")

#: the order of the stages: a list goes on to a later stage, never back to an earlier one
_STAGE_ORDER = {"not_started": 1, "started": 2, "continued": 3, "under_construction": 3, "resumed": 3,
                "trial_production": 4, "completed": 5, "in_production": 6, "reached_capacity": 7}

#: a start still to come, in the clause before (计划2027年3月开工，…)
_PLANNED_START_RE = re.compile(r"(?:计划|拟|预计|将|力争)[^，,。；;]{0,12}开工[^，,。；;]{0,4}[，,]$")
#: plan-section shift: what a stage cue means when the clause or paragraph is a plan
_PLAN_SHIFT = {
    "started": "planned",
    "completed": "under_construction",
    "trial_production": "under_construction",
    "in_production": "under_construction",
}


@dataclass(frozen=True)
class _Cues:
    status: dict[str, tuple[str, int]]
    modal: dict[str, dict[str, str]]
    open: frozenset[str]
    cue_re: re.Pattern[str]
    modal_re: re.Pattern[str]
    break_free: bool = True  # no cue holds a clause break (_CLAUSE_SPLIT)
    open_re: re.Pattern[str] | None = None  # the open cues: a clause holds one iff it matches


@lru_cache(maxsize=1)
def status_cues() -> _Cues:
    """The cue table of ``data/lexicon/status_cues.tsv``, compiled (cached)."""
    status: dict[str, tuple[str, int]] = {}
    modal: dict[str, dict[str, str]] = {}
    open_: set[str] = set()
    for row in _read_tsv("status_cues.tsv"):
        role, cue = row[0], row[1]
        code = row[2] if len(row) > 2 else ""
        prio = int(row[3]) if len(row) > 3 and row[3] else 0
        if role == "status":
            status[cue] = (code, prio)
        elif role == "modal":
            src, _, dst = code.partition(">")
            modal.setdefault(cue, {})[src] = dst
        elif role == "open":
            open_.add(cue)
    return _Cues(
        status=status,
        modal=modal,
        open=frozenset(open_),
        cue_re=re.compile(_alternation(list(status) + list(open_))),
        modal_re=re.compile(_alternation(modal)),
        break_free=not any(_CLAUSE_SPLIT.search(c) for c in list(status) + list(open_)),
        open_re=re.compile(_alternation(open_)) if open_ else None,
    )


def _cue_hits(cues: _Cues, text: str) -> list[tuple[int, int, str]]:
    """``(start, end, cue)`` of the status and open cues of each clause of ``text``."""
    if cues.break_free:  # no hit can straddle a clause break: one search of the text
        return [(m.start(), m.end(), m.group(0)) for m in cues.cue_re.finditer(text)]
    out: list[tuple[int, int, str]] = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(text + "\n"):
        a, b = pos, m.start()
        pos = m.end()
        out += [(a + h.start(), a + h.end(), h.group(0)) for h in cues.cue_re.finditer(text[a:b])]
    return out


@lru_cache(maxsize=1)
def _project_heads() -> re.Pattern[str] | None:
    """Head nouns of project names (``data/lexicon/project_heads.tsv``), or None if absent."""
    try:
        rows = _read_tsv("project_heads.tsv")
    except OSError:
        return None
    heads = [r[0] for r in rows if len(r) > 1 and r[1] in ("head", "facility") and len(r[0]) > 1]
    return re.compile(_alternation(heads)) if heads else None


#: 计划 of a figure's label (年度计划投资185亿元, 计划总投资): no plan of what the paragraph says
_PLAN_FIGURE_RE = re.compile(r"计划(?:总)?投资|年度计划|计划内|(?:比|较)(?:预期|原定?)?计划")  # (比预期计划提前了68天: done)


#: a year and month right before a stage cue (2025.1开工, 2025年3月中旬竣工, 于3月中旬开工)
_CUE_DATE_RE = re.compile(r"(?:(\d{4})[.．年](\d{1,2})月?|(\d{1,2})月)(?:上旬|中旬|下旬|初|底|末)?$")


def _dated_before(lead: str, doc_date: str | None) -> bool:
    """Whether the cue after ``lead`` is dated by it before the document's month: a fact,
    also in a paragraph that speaks of plans (2025.1开工 in a bulletin of April 2025)."""
    m = _CUE_DATE_RE.search(lead)
    if m is None or not doc_date or len(doc_date) < 7:
        return False
    year = int(m.group(1)) if m.group(1) else int(doc_date[:4])  # (3月中旬: of the document's year)
    month = int(m.group(2) or m.group(3))
    return (year, month) < (int(doc_date[:4]), int(doc_date[5:7]))


def _is_plan_paragraph(par: str) -> bool:
    par = _PLAN_FIGURE_RE.sub("", par)
    return bool(_PLAN_PARAGRAPH_RE.search(par)) and not _PAST_RE.search(par)


def extract_status(doc: Document, mentions: list[Mention]) -> list[RelationCandidate]:
    """Project life-cycle stages stated in a document.

    Parameters
    ----------
    doc : Document
        The ingested document.
    mentions : list of Mention
        Its typed mentions; only ``Project`` mentions receive a status.

    Returns
    -------
    list of RelationCandidate
        ``hasStatus`` candidates with object ``("Status", code)``, the clause as evidence
        span, one per (project, code), in text order.

    Examples
    --------
    >>> from kg.ingest import ingest_text
    >>> from kg.model import Mention
    >>> doc = ingest_text("甲乙项目开工建设，丙丁工程建成投产。")
    >>> ms = [Mention("Project", "甲乙项目", 0, 4, "a"), Mention("Project", "丙丁工程", 9, 13, "b")]
    >>> [(r.subject[1], r.object[1]) for r in extract_status(doc, ms)]
    [('a', 'started'), ('b', 'in_production')]
    """
    cues = status_cues()
    text = doc.text
    projects = sorted((m for m in mentions if m.type == "Project"
                       and not figure_headed(m.text)),
                      key=lambda m: (m.start, m.end, m.key))
    starts = [m.start for m in projects]
    others = sorted((m for m in mentions if m.type in ("Company", "DevelopmentZone")
                     and m.attr("nested") != "1"), key=lambda m: m.start)
    out: list[RelationCandidate] = []
    seen: set[tuple] = set()
    weak: set[RelationCandidate] = set()
    plan_cache: dict[int, bool] = {}
    prev: tuple[int, list[Mention], int] | None = None  # (clause end, projects, first out index)
    cue_hits = _cue_hits(cues, text)
    if "测试" in text or "修复工" in text:
        # 封装测试生产线: 试生产 read across the word 测试 is no trial run; 生态修复工程: 复工
        # read across 修复 is no resumption
        cue_hits = [h for h in cue_hits if not (h[0] and (h[2][0] == "试" and text[h[0] - 1] == "测"
                                                          or h[2] == "复工" and text[h[0] - 1] == "修"))]
    cue_starts = [h[0] for h in cue_hits]
    listed: set[str] = set()  # projects of a list its intro gave a stage (签约项目包括：…)
    plan_starts: set[tuple[str, int]] = set()  # (project, sentence) of a planned start
    has_records = bool(find_records(text))
    nl = text.find("\n")
    # (a plan's record: 建设性质：新开工 says the project is to be started)
    plan_doc = has_records and _plan_title(text[:nl if nl >= 0 else len(text)])
    plan_ends: list = []  # (relation, project, sentence) of a completion shifted by a plan
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(text + "\n"):
        cstart, cend = pos, m.start()
        pos = m.end()
        if cend <= cstart:
            continue
        i = bisect.bisect_left(cue_starts, cstart)
        j = bisect.bisect_left(cue_starts, cend, i)
        if i == j:
            continue
        clause = text[cstart:cend]
        opened = (cues.open_re.search(clause) if cues.open_re is not None
                  else any(o in clause for o in cues.open))
        if opened or _OPEN_OR_RE.search(clause):
            continue
        best = None
        for h in cue_hits[i:j]:
            code, prio = cues.status[h[2]]
            if best is None or prio > best[1] or (prio == best[1] and h[0] > best[2][0]):
                best = (code, prio, h)
        code, _prio, (h0, h1, cue) = best
        cue_code = code
        h0, h1 = h0 - cstart, h1 - cstart  # offsets in the clause
        if cue.startswith("规划") and _SCOPE_AFTER_RE.match(clause, h1):
            continue  # 该基地规划建设风电300万千瓦: what it is to hold, not its stage
        # plan markers in the clause before the cue
        for mm in cues.modal_re.finditer(clause, 0, h0):
            code = cues.modal[mm.group(0)].get(code, code)
        p0, p1 = paragraph_bounds(text, cstart)
        if p0 not in plan_cache:
            plan_cache[p0] = _is_plan_paragraph(text[p0:p1])
        if (code in _PLAN_SHIFT and (plan_cache[p0] or has_records and in_schedule(text, cstart)
                                     or plan_doc and text.endswith(("建设性质：", "建设性质:"), 0, cstart))
                and not re.search(r"已|了", clause) and not _STATED_DATE_RE.search(clause, 0, h0)
                and not _dated_before(clause[:h0], doc.date)):
            code = _PLAN_SHIFT[code]
        if code == "under_construction" and cue_code in ("completed", "in_production", "trial_production") and any(
                cues.status[h[2]][0] == "started" and h[0] < h0 + cstart for h in cue_hits[i:j]):
            code = "planned"  # 计划2025年5月开工、2027年6月竣工: a plan to start, not started yet
        elif code == "under_construction" and cue_code in ("completed", "in_production", "trial_production") and \
                _PLANNED_START_RE.search(text, max(p0, cstart - 30), cstart) and not re.search(r"已|了", clause):
            code = "planned"  # 计划2027年3月开工，2028年底建成: the clause before plans the start
        if code == "completed" and _SHARE_DONE_RE.match(clause, h1):
            code = "under_construction"  # 主体工程已完工80%: progress, not completion
        targets = _clause_projects(projects, starts, cstart, cend)
        if not targets and _LIST_INTRO_RE.search(clause, h1) and (
                text.startswith(("：", ":"), cend) or (clause.endswith("中") and text.startswith(
                    ("有", "包括", "主要有", "主要包括"), cend + 1))):
            # 签约项目包括：A，投资…；B，…。, 集中开工的项目中，有A、B…。 — every project of the list
            # that follows
            stop = text.find("。", cend)
            stop = len(text) if stop < 0 else stop
            if text.startswith("\n", cend + 1):
                # 主要签约项目如下：\n1. A…\n2. B…: the numbered lines that follow
                stop = _numbered_lines_end(text, cend + 1)
            targets = _clause_projects(projects, starts, cend, stop)
            listed.update(p.key for p in targets)
        elif listed and _inside_project(projects, starts, h0 + cstart, h1 + cstart):
            # a cue inside the name of a listed project (…铜箔扩建项目) adds no stage to the list's
            targets = [p for p in targets if p.key not in listed]
        g = _GENERIC_RE.search(clause)
        if g is not None:
            # "一批光伏玻璃生产线及…等项目落地": unnamed undertakings get no status
            targets = [p for p in targets if p.start < cstart + g.start()]
        rule = f"status:{cue}"
        lead = clause[:h0]
        if (not targets and prev is not None and prev[0] + 1 >= cstart and code == cue_code
                and len(_ADVERBS_RE.sub("", lead)) == 0 and len(clause) <= 8
                and all(_STAGE_ORDER.get(code, 0) > _STAGE_ORDER.get(r.object[1], 0) for r in out[prev[2]:])):
            # "…等项目相继开工建设，投产达产": the list goes on to a later stage
            targets = prev[1]
            drop = {id(r) for r in out[prev[2]:] if r.subject[1] in {p.key for p in targets}}
            out = [r for r in out if id(r) not in drop]
            seen = {(r.subject[1], r.object[1]) for r in out}
            rule += "/continued-list"
        if not targets:
            rec = project_record_at(text, cstart)
            if rec is not None:
                # 建设进度：主体完工 in a labelled record: its project's stage
                targets = [p for p in projects if rec.name[0] <= p.start < rec.name[1]][:1]
                if targets:
                    rule += "/record"
                    if code in ("completed", "in_production", "trial_production") and _BUILDING_PART_RE.search(lead):
                        code = "under_construction"  # 进展情况：焊装车间主体完工 — a building is done, not the project
        if not targets and _STAGE_LABEL_RE.search(text, max(0, cstart - 6), cstart) and (
                code == "suspended" or not clause.startswith(("因", "由于", "受"))):
            # 1．P：总投资…。形象进度：主体施工 — the stage of the project the line opens with (not a
            # cause: 形象进度：因环评手续未办结，项目暂停施工)
            p0, _ = paragraph_bounds(text, cstart)
            targets = [p for p in _clause_projects(projects, starts, p0, cstart)
                       if p.attr("nested") != "1"][:1]
            if targets:
                rule += "/stage-label"
                if code == "completed" and _ADVERBS_RE.sub("", lead) and not _DEICTIC_RE.match(_ADVERBS_RE.sub("", lead)):
                    code = "under_construction"  # 形象进度：焊装车间主体完工 — a part is done, the project is not
        if not targets and cue_code == "signed":
            # 某区与C签订投资协议，将建设P: the project of the clause after the signing
            nxt = _BUILD_NEXT_RE.match(text, cend + 1)
            if nxt is not None:
                targets = [p for p in projects if p.start == nxt.end()][:1]
                if targets:
                    rule += "/next-clause"
        if not targets:
            t = _fallback_project(doc, projects, starts, others, cstart, h0 + cstart,
                                  clause[:h0], clause[h1:], cause_ok=code == "suspended")
            if t is not None:
                targets = [t[0]]
                rule += f"/{t[1]}"
                if t[1] == "item-line" and code == "completed" and _ADVERBS_RE.sub("", lead):
                    code = "under_construction"  # (…。焊装车间主体完工: a part is done, not the project)
                elif code in ("completed", "in_production", "trial_production") and _BUILDING_PART_RE.search(lead):
                    code = "under_construction"  # P…，1号、2号厂房已投入使用: a building is in use, the project is being built
        first_index = len(out)
        for p in targets:
            key = (p.key, code)
            if key in seen:
                continue
            if code != cue_code and (p.key, "completed") in seen and cue_code in ("in_production", "trial_production"):
                continue  # 已完工，预计8月投产: the expected start of production adds no stage
            seen.add(key)
            rel = RelationCandidate(("Project", p.key), "hasStatus", ("Status", code),
                                    cstart, cend, rule)
            if cue in _WEAK_CUES:
                weak.add(rel)
            out.append(rel)
            if code == "planned" and cue_code == "started":
                plan_starts.add((p.key, max(text.rfind(c, 0, cstart) for c in "。；;\n")))
            elif code == "under_construction" and cue_code in ("completed", "in_production", "trial_production"):
                plan_ends.append((rel, p.key, max(text.rfind(c, 0, cstart) for c in "。；;\n")))
        prev = (cend, targets, first_index) if targets else None
    # 计划2025年3月开工，2026年12月建成: the planned completion of a project planned to start
    # is no sign that it is being built
    drop = {id(rel) for rel, key, sentence in plan_ends if (key, sentence) in plan_starts}
    out = [r for r in out if id(r) not in drop]
    # a project that landed (落地) and is reported at a later stage keeps only the later one
    strong = {r.subject for r in out if r not in weak}
    out = [r for r in out if r not in weak or r.subject not in strong]
    out += _section_stages(text, projects, {r.subject for r in out})
    return out + _event_stages(text, projects, {r.subject for r in out})


#: a report of one event (its headline or opening paragraph): 集中开工活动, 签约仪式…
_EVENT_RE = re.compile(r"(?P<started>集中开工|开工仪式|开工活动|开工奠基|奠基仪式|集中开工仪式)|"
                       r"(?P<signed>集中签约|签约仪式|签约活动|签约大会|签约会|项目签约)|"
                       r"(?P<completed>集中竣工|竣工仪式)|(?P<in_production>投产仪式|集中投产)")


#: time gone by since a signing or a start (签约两年后, 开工以来): a past step, no event reported
_LAPSE_AFTER_RE = re.compile(r"(?:[一二两三四五六七八九十半多\d]+(?:年|个月|天|周))?(?:后|以来|至今)")


def _event_stages(text: str, projects: list[Mention], stated: set) -> list[RelationCandidate]:
    """The stage of an event the text reports (its headline or first paragraph names one
    kind: 集中开工活动, 签约仪式) for the projects it names without a stage of their own.

    >>> from kg.model import Mention
    >>> t = "某区重大项目集中开工\\n本次开工项目3个。甲乙碳酸锂项目总投资48亿元。"
    >>> m = Mention("Project", "甲乙碳酸锂项目", t.index("甲乙"), t.index("甲乙") + 7, "甲乙碳酸锂项目")
    >>> [r.object[1] for r in _event_stages(t, [m], set())]
    ['started']
    """
    lines = [ln for ln in text.split("\n") if ln.strip()]
    opening = "\n".join(lines[:2])
    kinds = {m.lastgroup for m in _EVENT_RE.finditer(opening) if not _LAPSE_AFTER_RE.match(opening, m.end())}
    if len(kinds) != 1:
        return []  # no event, or several (签约并开工): each project's own words decide
    code = kinds.pop()
    m = next(e for e in _EVENT_RE.finditer(text) if not _LAPSE_AFTER_RE.match(text, e.end()))
    out, seen = [], set()
    for p in projects:
        subject = ("Project", p.key)
        if subject in stated or subject in seen:
            continue
        seen.add(subject)
        out.append(RelationCandidate(subject, "hasStatus", ("Status", code), m.start(), m.end(), "status:event"))
    return out


#: a heading that sorts a plan's projects by stage (（一）续建项目, 二、新开工项目（12个）)
_SECTION_RE = re.compile(
    r"^[ \t]*(?:[（(][一二三四五六七八九十0-9]+[)）]|[一二三四五六七八九十]+[、.．]|[0-9]+[、.．])?[ \t]*"
    r"(?:[0-9]{4}年)?(?P<kind>续建|在建|新开工|开工|竣工投产|建成投产|竣工|建成|投产|前期|储备|预备|谋划|签约)(?:的)?(?:重点|重大)?"
    r"(?:建设)?项目(?:[（(][^）)\n]{0,12}[)）])?[：:]?[ \t]*$", re.M)
_SECTION_CODE = {"续建": "continued", "在建": "under_construction", "新开工": "started", "开工": "started",
                 "竣工": "completed", "建成": "completed", "投产": "in_production",
                 "竣工投产": "in_production", "建成投产": "in_production", "前期": "preliminary",
                 "储备": "preliminary", "预备": "preliminary", "谋划": "preliminary", "签约": "signed"}
#: the title of a plan (2025年重点建设项目计划, 投资计划表, 项目安排) and of a report on one
_PLAN_TITLE_RE = re.compile(r"计划|安排")
_REPORT_TITLE_RE = re.compile(r"完成|进展|进度|情况|通报|执行")


def _plan_title(title: str) -> bool:
    """Whether a document's title names a plan (not a report on one)."""
    return bool(_PLAN_TITLE_RE.search(title)) and not _REPORT_TITLE_RE.search(title)

#: any heading of a plan's sections (a new section ends the one before)
_ANY_SECTION_RE = re.compile(r"^[ \t]*(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)[^\n]{0,20}$", re.M)


def _heading_level(heading: str) -> int:
    """1 for 一、 headings, 2 for （一）, 3 for 1. or 1、 (and unnumbered ones)."""
    h = heading.lstrip()
    if h[:1] in "（(":
        return 2
    if h[:1] in "一二三四五六七八九十":
        return 1
    return 3


def _section_stages(text: str, projects: list[Mention], stated: set) -> list[RelationCandidate]:
    """The stage a plan's section heading gives the projects listed under it (（一）续建项目 …
    （二）新开工项目 …), for projects whose own lines state none."""
    if "项目" not in text:
        return []
    heads = [(m.start(), m.end(), _SECTION_CODE[m.group("kind")]) for m in _SECTION_RE.finditer(text)]
    if not heads:
        return []
    # a section runs to the next heading of its level or a higher one (一、新开工项目 holds
    # （一）石化及新材料 and its items)
    bounds = sorted({(m.start(), _heading_level(m.group())) for m in _ANY_SECTION_RE.finditer(text)}
                    | {(h[0], _heading_level(text[h[0]:h[1]])) for h in heads})
    out: list[RelationCandidate] = []
    seen = set(stated)
    nl = text.find("\n")
    plan = _plan_title(text[:nl if nl >= 0 else len(text)])
    for start, end, code in heads:
        if plan:
            code = _PLAN_SHIFT.get(code, code)  # 某省2025年重点项目计划 … 二、新开工项目: to be started
        level = _heading_level(text[start:end])
        stop = next((b for b, lv in bounds if b > start and lv <= level), len(text))
        for p in projects:
            subject = ("Project", p.key)
            if end <= p.start < stop and p.attr("nested") != "1" and subject not in seen:
                seen.add(subject)
                out.append(RelationCandidate(subject, "hasStatus", ("Status", code), start, end, "status:section"))
    return out


def _inside_project(projects, starts, a: int, b: int) -> bool:
    """True when ``[a, b)`` lies inside a project's name and does not end it."""
    i = bisect.bisect_right(starts, a) - 1
    while i >= 0 and a - starts[i] < 64:
        p = projects[i]
        if p.start < a and b < p.end:
            return True
        i -= 1
    return False


#: what ends a clause that introduces a list of projects at one stage (签约项目包括：…)
_LIST_INTRO_RE = re.compile(r"(?:的)?(?:重点|重大)?项目(?:(?:主要)?(?:包括|有|为|分别为|分别是|如下)|中)$")


#: a numbered list item's line (1. / 1、 / （1） / 一、)
_ITEM_LINE_RE = re.compile(r"[ \t]*(?:[（(][一二三四五六七八九十0-9]+[)）]|[一二三四五六七八九十]+、|[0-9]+[、.．])")


def _numbered_lines_end(text: str, pos: int) -> int:
    """The end of the run of numbered lines (blank lines between them) starting at ``pos``."""
    end = pos
    while end < len(text):
        if text.startswith("\n", end):
            end += 1
            continue
        if not _ITEM_LINE_RE.match(text, end) or _SECTION_RE.match(text, end):
            break  # (a heading of another stage, 二、新开工项目, ends the list)
        nl = text.find("\n", end)
        if nl < 0:
            return len(text)
        end = nl + 1
    return end


def _clause_projects(projects, starts, cstart: int, cend: int) -> list[Mention]:
    i = bisect.bisect_left(starts, cstart)
    out = []
    while i < len(projects) and projects[i].start < cend:
        if projects[i].end <= cend:
            out.append(projects[i])
        i += 1
    return out


def _fallback_project(doc: Document, projects, starts, others, cstart: int, cue_pos: int,
                      lead: str, rest: str = "", cause_ok: bool = False):
    """The project a clause without a project name talks about, or None.

    Only a clause without a subject of its own inherits a project: its words before the cue
    are adverbs or a pronoun heading the clause (项目/该工程/全线), and a verb-first cue
    (加快…建设) has no object of its own after it.
    """
    if _COUNTED_RE.search(lead + rest):
        return None  # "15条高速公路建成通车", "加快6个抽水蓄能电站建设": a subject of its own
    if lead.startswith(("因", "由于")) and not cause_ok:
        # 因环评手续未办结，项目暂停施工: a cause, not a stage (but 因市场原因暂停建设: the cause of
        # the halt, which is the stage; cause_ok)
        return None
    heads = _project_heads()
    if heads is not None and heads.search(rest):
        return None  # "开工…等输变电工程": the cue governs a project phrase of its own
    # a company or zone heads this clause: the cue is about it, not about a project
    j = bisect.bisect_left([o.start for o in others], cstart)
    if j < len(others) and others[j].start < cue_pos:
        return None
    sent = sentence_at(doc, cstart)
    s0 = sent.start if sent else cstart
    i = bisect.bisect_right(starts, cstart) - 1
    bare = _ADVERBS_RE.sub("", lead)
    deictic = _DEICTIC_RE.match(bare)
    if not deictic and not _DATE_WORDS_RE.sub("", bare) and s0 < cstart:
        # 该项目总投资12亿元，于2024年3月开工建设，今年8月建成投产: a clause of a sentence about
        # the project its pronoun names
        deictic = _DEICTIC_RE.match(doc.text, s0)
    p0, _ = paragraph_bounds(doc.text, cstart)
    if deictic and p0 > 1:
        # a paragraph that goes on about the project the previous paragraph named
        pp = len(doc.text[:p0].rstrip("\n"))
        if not any(p0 <= p.start < cstart for p in projects):
            p0, _ = paragraph_bounds(doc.text, max(0, pp - 1))
    while i >= 0:
        p = projects[i]
        if p.end <= cstart:
            if p.start >= s0:
                return p, "sentence-project"
            if deictic and p.start >= p0:
                return p, "deictic"
            item = _ITEM_LINE_RE.match(doc.text, p0) if p.start >= p0 else None
            at = _SPACES_RE.match(doc.text, item.end()).end() if item is not None else -1  # (3. P: spaces after it)
            if item is not None and (at == p.start or any(
                    o.start == at and o.end == p.start and o.type == "Company" for o in others)) \
                    or p.start == p0 and doc.text.startswith(("：", ":"), p.end):
                # 1.P：总投资…。主体厂房已封顶 / P：总投资…。目前…: the line is the item's, about the
                # project it opens with (also after its owner: 1.某某有限公司P。目前…)
                return p, "item-line"
            return None
        i -= 1
    return None
