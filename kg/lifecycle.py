"""Project pipelines: dated stages, meetings (调度会), milestones, indicators and 三未 flags.

Two stages use this module. In **extract**, :func:`extract_events` reads a document with
the mentions, quantities and relation candidates already extracted and returns
:class:`~kg.model.Event` objects:

- ``stage`` — every ``hasStatus`` candidate, dated by the time expression of its sentence
  (``去年12月 … 顺利投产`` → 2023-12) or else by the document's date, so that a project can be
  tracked across documents over time;
- ``meeting`` — numbered meetings (``长治市…领导小组第8次调度会``) with date, organizer,
  decision and the projects they concern, and chaired recurring meetings
  (``市政府主要领导…主持召开…调度会22次``);
- ``milestone`` — a dated step (``6月12日完成土地出让``, ``去年12月…投产``); the milestone types
  and their cue words are the ``kg:MilestoneType`` concepts of ``ontology/lifecycle.ttl``;
- ``indicator`` — regional indicator observations (:mod:`kg.indicators`).

A meeting or milestone that names no project concerns the project the passage is about: the
one named or concerned most recently within the last few sentences (a short name such as
甲乙项目 also concerns the full name it abbreviates, 甲乙新材料产业园建设项目).

In **map**, :func:`map_events` writes them into the document graph (``kg:StageStatement``,
``kg:Meeting``, ``kg:Milestone``, and ``qb:Observation`` of ``kg:IndicatorDataSet``). After the
dataset is assembled, :func:`derive_flags` computes each project's current stage and its
三未 category into the analysis graph, and :func:`add_lifecycle_analysis` adds those and the
consistency checks of :mod:`kg.consistency` to the dataset.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from . import dates
from .diskcache import disk_cached
from .extract._textindex import sentence_at
from .extract.records import in_schedule
from .model import Document, Event, Mention, Quantity, RelationCandidate, Resolved

if TYPE_CHECKING:
    import rdflib

__all__ = [
    "extract_events",
    "map_events",
    "derive_flags",
    "stage_items",
    "merge_stage_items",
    "flag_triples",
    "flags_graph",
    "add_lifecycle_analysis",
    "milestone_types",
    "sanwei_categories",
]

_MEETING_TYPES = r"(?:调度会议?|攻坚会议?|推进会议?|联席会议|常务会议|办公会议?|专题会议?|现场会|观摩会|例会)"
_NUMBERED_MEETING = re.compile(
    r"(?P<org>[^，。；：、“”]{2,40}?)第(?P<num>\d+|[一二三四五六七八九十百]+)次"
    rf"(?P<type>[^，。；\d]{{0,12}}?{_MEETING_TYPES})(?P<rest>[^。；]*)"
)
_CHAIRED_MEETING = re.compile(
    r"(?P<chair>[^，。；：]{2,30}?)主持(?:召开)?"
    rf"(?P<type>[^，。；\d]{{0,24}}?{_MEETING_TYPES})(?:(?P<count>\d+)次)?(?P<rest>[^。；]*)"
)
_PLANNED = re.compile(r"将|计划|预计|拟|准备|力争|争取|确保")
#: plan markers before a date (将 only as a verb's: 将乐 is a county)
_PLANNED_BEFORE = re.compile(r"计划|预计|拟|准备|力争|争取|确保|将(?:于|在|要|会)|(?:即|并|还|也|均|都)将")
#: words with 计划 that plan no date (计划总投资, 年度计划投资)
_PLAN_NOT_DATE = re.compile(r"计划(?:总)?投资|年度计划|计划内|按计划|按照计划")
#: a fact marker: what follows it happened (已于2024年3月开工, 开工了)
_DONE = re.compile(r"已|了")


def _planned_date(text: str, s0: int, date_start: int) -> bool:
    """Whether the date at ``date_start`` is a plan's, by the words of its sentence before it
    (from ``s0``): the nearest plan marker (计划于2025年3月开工，2026年底建成投产) with no fact
    marker after it (已于…开工，计划…建成 plans only the second)."""
    prefix = _PLAN_NOT_DATE.sub(lambda m: "#" * len(m.group()), text[s0:date_start])
    plan = max((m.end() for m in _PLANNED_BEFORE.finditer(prefix)), default=-1)
    return plan >= 0 and plan > max((m.end() for m in _DONE.finditer(prefix)), default=-1)
_PROJECT_SUFFIX = re.compile(r"(?:项目|工程)$")
_TOPIC_WINDOW = 6  # sentences a passage's project stays its topic


# --------------------------------------------------------------------------- vocabularies


@lru_cache(maxsize=1)
def _lifecycle_graph():
    from rdflib import Graph

    from .resources import ontology_dir

    g = Graph()
    g.parse(ontology_dir() / "lifecycle.ttl", format="turtle")
    status = ontology_dir() / "status.ttl"
    if status.is_file():
        g.parse(status, format="turtle")
    return g


def _vocabulary_files() -> list:
    from .resources import lifecycle_vocabulary_files

    return lifecycle_vocabulary_files()


@lru_cache(maxsize=1)
@disk_cached(_vocabulary_files)
def _vocabulary() -> tuple:
    """``(milestone types, 三未 categories, stage orders)`` read from the life-cycle graph:
    plain values, kept on disk (:func:`kg.diskcache.disk_cached`) — importing rdflib and
    parsing the vocabulary took ~0.1 s of every process that extracts a document."""
    from rdflib import Literal

    from .ns import KG, RDF, SKOS, STATUS

    g = _lifecycle_graph()

    def zh(c, p) -> list[str]:
        return [str(x) for x in g.objects(c, p) if isinstance(x, Literal) and x.language == "zh"]

    milestones = []
    for c in sorted(set(g.subjects(RDF.type, KG.MilestoneType))):
        label = next(iter(zh(c, SKOS.prefLabel)), "")
        cues = {label} | set(zh(c, SKOS.altLabel))
        st = g.value(c, KG.impliesStatus)
        code = str(st).rsplit("/", 1)[-1] if st is not None else ""
        milestones.append((str(c), label, code, tuple(sorted(cues, key=lambda s: (-len(s), s)))))
    sanwei = []
    for c in sorted(set(g.subjects(RDF.type, KG.SanweiCategory))):
        sanwei.append({
            "iri": str(c),
            "label": next(iter(zh(c, SKOS.prefLabel)), ""),
            "statuses": frozenset(str(x).rsplit("/", 1)[-1] for x in g.objects(c, KG.qualifyingStatus)),
            "cleared_by_cue": tuple(sorted(str(x) for x in g.objects(c, KG.clearedByCue))),
            "cleared_by_milestone": frozenset(str(x) for x in g.objects(c, KG.clearedByMilestone)),
            "fallback": str(g.value(c, KG.fallbackCategory) or ""),
        })
    orders = {}
    for s, o in g.subject_objects(KG.stageOrder):
        if str(s).startswith(str(STATUS)):
            orders[str(s).rsplit("/", 1)[-1]] = int(o)
    return tuple(milestones), tuple(sanwei), orders


def milestone_types() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """The milestone types of ``ontology/lifecycle.ttl``: ``(iri, label, status code, cues)``.

    ``status code`` is the life-cycle stage the milestone implies ("" for none, e.g. 土地出让).
    """
    return _vocabulary()[0]


def sanwei_categories() -> tuple[dict, ...]:
    """The 三未 categories of ``ontology/lifecycle.ttl`` with their rules.

    Each is a dict: ``iri``, ``label``, ``statuses`` (qualifying status codes),
    ``cleared_by_cue``, ``cleared_by_milestone`` (IRIs), ``fallback`` (IRI or "").
    """
    return _vocabulary()[1]


def _stage_orders() -> dict[str, int]:
    return _vocabulary()[2]


# --------------------------------------------------------------------------- extract


@lru_cache(maxsize=1)
def _milestone_cue_patterns():
    """:func:`milestone_types` with each cue paired with its compiled literal pattern."""
    return tuple((iri, label, code, tuple((cue, re.compile(re.escape(cue))) for cue in cues))
                 for iri, label, code, cues in milestone_types())


class _Topics:
    """Projects named or concerned so far, to resolve "项目" in a passage that names none."""

    def __init__(self, doc: Document, projects: Sequence[Mention]):
        self.doc = doc
        self.items: list[tuple[int, int, tuple[str, str]]] = []  # (offset, sentence, key)
        names: dict[tuple[str, str], str] = {}
        for m in projects:
            if len(m.text) > len(names.get((m.type, m.key), "")):
                names[(m.type, m.key)] = m.text
        self.names = names
        self.first = {}
        for m in sorted(projects, key=lambda m: m.start):
            self.first.setdefault((m.type, m.key), m.start)

    def add(self, offset: int, key: tuple[str, str]) -> None:
        s = sentence_at(self.doc, offset)
        self.items.append((offset, s.index if s else -1, key))

    def expand(self, key: tuple[str, str], before: int) -> list[tuple[str, str]]:
        """The key plus the full-named project a short name abbreviates (甲乙项目)."""
        out = [key]
        core = _PROJECT_SUFFIX.sub("", self.names.get(key, ""))
        if len(core) >= 2:
            longer = [k for k, n in self.names.items()
                      if k != key and n.startswith(core) and len(n) > len(self.names[key])
                      and self.first.get(k, 1 << 30) < before]
            if longer:
                out.append(max(longer, key=lambda k: self.first[k]))
        return out

    def current(self, offset: int) -> list[tuple[str, str]]:
        s = sentence_at(self.doc, offset)
        idx = s.index if s else -1
        before = [it for it in self.items if it[0] < offset and idx - it[1] <= _TOPIC_WINDOW]
        if not before:
            return []
        last = max(before, key=lambda it: it[0])
        same = [it[2] for it in before if it[0] == last[0]]
        return sorted(set(same))


def _mentions_in(mentions: Sequence[Mention], start: int, end: int, types=("Project",)) -> list[Mention]:
    return [m for m in mentions if m.type in types and start <= m.start and m.end <= end]


def _time_before(doc: Document, sent, offset: int, *, need_month: bool = False):
    """The last time expression of ``sent`` that ends by ``offset`` (with 月 if asked)."""
    for t in reversed(dates.find_time_expressions(doc.text, doc.date, sent.start, sent.end)):
        if t.end <= offset and (not need_month or "月" in t.text):
            return t
    return None


def extract_events(doc: Document, mentions: Sequence[Mention], quantities: Sequence[Quantity] = (),
                   relations: Sequence[RelationCandidate] = ()) -> list[Event]:
    """Stages, meetings, milestones and indicators of one document.

    Parameters
    ----------
    doc : Document
        The ingested document; ``doc.date`` resolves relative dates.
    mentions, quantities, relations
        What the earlier extract steps produced for ``doc``.

    Returns
    -------
    list of Event
        In text order.

    Examples
    --------
    >>> from kg.ingest import ingest_text
    >>> doc = ingest_text("3月4日，市领导小组第8次调度会明确提出按“零排放”标准规划设计。")
    >>> ev = extract_events(doc, [])[0]
    >>> ev.kind, ev.label, dict(ev.props)["number"]
    ('meeting', '市领导小组第8次调度会', '8')
    """
    from .indicators import extract_indicators, may_match

    events: list[Event] = []
    project_mentions = [m for m in mentions if m.type == "Project"]  # in the given order
    projects = sorted(project_mentions, key=lambda m: m.start)
    excluded: list[tuple[int, int]] = []  # meeting organizer spans: "长治市项目建设…小组" is no project
    found_meetings: list[tuple[re.Match[str], object, bool]] = []
    # the literal pre-checks (第…次, 主持) skip the many sentences these cannot match, and the
    # whole document when it lacks them (a sentence's text is a part of the document's)
    any_numbered = may_match(_NUMBERED_MEETING, doc.text)
    any_chaired = may_match(_CHAIRED_MEETING, doc.text)
    for sent in doc.sentences if any_numbered or any_chaired else ():
        if any_numbered and may_match(_NUMBERED_MEETING, sent.text):
            for m in _NUMBERED_MEETING.finditer(sent.text):
                found_meetings.append((m, sent, True))
                excluded.append((sent.start + m.start("org"), sent.start + m.end("type")))
        if any_chaired and may_match(_CHAIRED_MEETING, sent.text):
            for m in _CHAIRED_MEETING.finditer(sent.text):
                if "第" in m.group("type") or _NUMBERED_MEETING.search(m.group(0)):
                    continue
                found_meetings.append((m, sent, False))
                excluded.append((sent.start + m.start("chair"), sent.start + m.end("type")))

    def usable(m: Mention) -> bool:
        return not any(a <= m.start < b for a, b in excluded)

    topics = _Topics(doc, [m for m in projects if usable(m)])
    for m in projects:
        if usable(m):
            topics.add(m.start, (m.type, m.key))
    staged: list[tuple[int, Event]] = []

    def concerned(start: int, end: int, anchor: int) -> list[tuple[str, str]]:
        named = [m for m in _mentions_in(project_mentions, start, end) if usable(m)]
        keys: list[tuple[str, str]] = []
        for m in named:
            for k in topics.expand((m.type, m.key), m.start):
                if k not in keys:
                    keys.append(k)
        if not keys:
            for k in topics.current(anchor):
                for k2 in topics.expand(k, anchor):
                    if k2 not in keys:
                        keys.append(k2)
        return keys

    # meetings
    for m, sent, numbered in sorted(found_meetings, key=lambda t: t[1].start + t[0].start()):
        s0 = sent.start
        rest_start, rest_end = s0 + m.start("rest"), s0 + m.end("rest")
        props: list[tuple[str, str]] = []
        if numbered:
            org = m.group("org").strip()
            num = m.group("num")
            if not num.isdigit():
                from .extract.numbers import parse_chinese_numeral

                num = str(int(parse_chinese_numeral(num) or 0))
            label = f"{org}第{m.group('num')}次{m.group('type')}"
            props += [("number", num), ("organizer", org)]
            bodies = _mentions_in(mentions, s0 + m.start("org"), s0 + m.end("org"), ("GovernmentBody",))
            start = s0 + m.start("org")
        else:
            chair = m.group("chair").strip()
            label = m.group("type")
            props.append(("chair", chair))
            if m.group("count"):
                props.append(("count", m.group("count")))
            bodies = _mentions_in(mentions, s0 + m.start("chair"), s0 + m.end("chair"),
                                  ("GovernmentBody", "Person"))
            start = s0 + m.start("chair")
        decision = m.group("rest").strip("，, ")
        if decision:
            props.append(("decision", decision))
        t = _time_before(doc, sent, start)
        keys = concerned(rest_start, rest_end, start) if numbered else \
            [(p.type, p.key) for p in _mentions_in(project_mentions, rest_start, rest_end) if usable(p)]
        for k in keys:
            topics.add(start, k)
        concerns = tuple(keys) + tuple((b.type, b.key) for b in bodies)
        staged.append((start, Event("meeting", label, doc.text[start:rest_end], start, rest_end,
                                    concerns=concerns, date=t.iso if t else None,
                                    date_text=t.text if t else "", props=tuple(props),
                                    rule="meeting:numbered" if numbered else "meeting:chaired")))

    # milestones
    # a cue missing from the document is missing from each of its sentences
    kinds = [(iri, label, code, present) for iri, label, code, cues in _milestone_cue_patterns()
             if (present := tuple(c for c in cues if c[0] in doc.text))]
    for sent in doc.sentences if kinds else ():
        claimed: list[tuple[int, int]] = []
        stext = sent.text
        for iri, label, code, cues in kinds:
            for cue, cue_re in cues:
                if cue not in stext:
                    continue
                for cm in cue_re.finditer(stext):
                    a, b = sent.start + cm.start(), sent.start + cm.end()
                    if any(x < b and a < y for x, y in claimed):
                        continue
                    t = _time_before(doc, sent, a, need_month=True)
                    if t is None:
                        continue
                    claimed.append((a, b))
                    between = doc.text[t.end:a]
                    props = [("type", iri)]
                    if code:
                        props.append(("status", code))
                    if (_PLANNED.search(between) or _planned_date(doc.text, sent.start, t.start)
                            or in_schedule(doc.text, a) and not _DONE.search(doc.text, t.start, b)):
                        props.append(("planned", "true"))
                    keys = concerned(t.end, a, a)
                    if not keys:
                        continue
                    for k in keys:
                        topics.add(a, k)
                    staged.append((t.start, Event("milestone", label, doc.text[t.start:b], t.start, b,
                                                  concerns=tuple(keys), date=t.iso, date_text=t.text,
                                                  props=tuple(props), rule=f"milestone:{cue}")))

    # stages, dated
    for rc in relations:
        if rc.predicate != "hasStatus":
            continue
        sent = sentence_at(doc, rc.start)
        t = _time_before(doc, sent, rc.start) if sent is not None else None
        cue = rc.rule.split(":", 1)[-1].split("/", 1)[0] if rc.rule else ""
        props = [("status", rc.object[1])]
        if cue:
            props.append(("cue", cue))
        staged.append((rc.start, Event(
            "stage", rc.object[1], doc.text[rc.start:rc.end], rc.start, rc.end,
            concerns=(rc.subject,), date=t.iso if t else doc.date,
            date_text=t.text if t else "", props=tuple(props),
            rule=f"stage:{rc.rule}" if rc.rule else "stage")))

    events = [e for _, e in sorted(staged, key=lambda x: (x[0], x[1].kind, x[1].label))]
    events.extend(extract_indicators(doc, mentions, quantities))
    events.sort(key=lambda e: (e.start, e.kind, e.label))
    return events


# --------------------------------------------------------------------------- map


def _date_literals(iso: str | None):
    """(start, end) typed literals of an ISO date or interval (None where open/unknown)."""
    from rdflib import Literal

    from .ns import XSD

    def lit(s: str):
        if not s or s == "..":
            return None
        dt = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(s))
        return Literal(s, datatype=dt) if dt else None

    if not iso:
        return None, None
    a, sep, b = iso.partition("/")
    return lit(a), lit(b) if sep else lit(a)


def map_events(g, resolved: Resolved) -> list[int]:
    """Add the events of ``resolved`` to its document graph ``g``.

    Returns the character offsets of the evidence sentences, for ``map_document`` to add as
    ``kg:Sentence`` nodes.
    """
    from rdflib import Literal, URIRef

    from .mapping import _decimal
    from .ns import (
        KG,
        PROV,
        QB,
        RDF,
        RDFS,
        SCHEMA,
        XSD,
        document_iri,
        entity_iri,
        fact_iri,
        sentence_iri,
        status_iri,
    )

    doc = resolved.document
    d = document_iri(doc.id)
    types = {e.iri: e.type for e in resolved.entities}
    offsets: list[int] = []

    def zh(s: str):
        return Literal(s, lang="zh")

    def common(node, ev: Event) -> None:
        g.add((node, KG.text, zh(ev.text)))
        g.add((node, KG.start, Literal(ev.start, datatype=XSD.integer)))
        g.add((node, KG.end, Literal(ev.end, datatype=XSD.integer)))
        g.add((node, PROV.wasDerivedFrom, d))
        if ev.rule:
            g.add((node, KG.rule, Literal(ev.rule)))
        s = doc.sentence_at(ev.start)
        if s is not None:
            g.add((node, KG.sentence, sentence_iri(doc.id, s.index)))
            offsets.append(ev.start)

    def dated(node, ev: Event, with_schema: bool = True) -> None:
        if ev.date:
            g.add((node, KG.when, Literal(ev.date)))
            if with_schema:
                a, b = _date_literals(ev.date)
                if a is not None:
                    g.add((node, SCHEMA.startDate, a))
                if b is not None:
                    g.add((node, SCHEMA.endDate, b))
        if ev.date_text:
            g.add((node, KG.whenText, zh(ev.date_text)))

    for iris, ev in resolved.events:
        props = dict(ev.props)
        if ev.kind == "indicator":
            areas = [i for i in iris if types.get(i) in ("Region", "DevelopmentZone")]
            if not areas:
                continue
            area = areas[0]
            node = fact_iri(doc.id, "obs", props.get("indicator"), area, ev.date, props.get("scope", ""),
                            props.get("of_text", ""), ev.start)
            g.add((node, RDF.type, QB.Observation))
            g.add((node, RDF.type, KG.IndicatorObservation))
            g.add((node, QB.dataSet, KG.IndicatorDataSet))
            g.add((node, KG.indicator, URIRef(props["indicator"])))
            g.add((node, KG.refArea, URIRef(area)))
            if ev.date:
                g.add((node, KG.refPeriod, Literal(ev.date)))
            elif ev.date_text:
                g.add((node, KG.refPeriod, Literal(ev.date_text)))
            g.add((node, KG.obsValue, _decimal(float(props["value"]))))
            g.add((node, KG.unit, Literal(props.get("unit", "unit"))))
            g.add((node, RDFS.label, zh(ev.label)))
            if props.get("scope"):
                g.add((node, KG.scope, zh(props["scope"])))
            if ev.date_text:
                g.add((node, KG.periodText, zh(ev.date_text)))
            if props.get("approximate") == "true":
                g.add((node, KG.approximateValue, Literal(True)))
            if props.get("of"):
                g.add((node, KG.ofIndicator, URIRef(props["of"])))
            if props.get("among"):
                g.add((node, KG.rankAmong, zh(props["among"])))
            common(node, ev)
            continue
        projects = [URIRef(i) for i in iris if types.get(i) == "Project"]
        if ev.kind == "stage":
            if not projects:
                continue
            try:
                st = status_iri(props.get("status", ""))
            except ValueError:
                continue
            node = fact_iri(doc.id, "stage", str(projects[0]), props.get("status"), ev.start)
            g.add((node, RDF.type, KG.StageStatement))
            g.add((node, KG.status, st))
            if props.get("cue"):
                g.add((node, KG.cue, zh(props["cue"])))
            dated(node, ev, with_schema=False)
        elif ev.kind == "meeting":
            if props.get("number"):
                node = entity_iri("Meeting", ev.label + (ev.date or ""))
                g.add((node, KG.meetingNumber, Literal(int(props["number"]), datatype=XSD.integer)))
            else:
                node = fact_iri(doc.id, "meeting", ev.label, ev.start)
            g.add((node, RDF.type, KG.Meeting))
            g.add((node, RDFS.label, zh(ev.label)))
            if props.get("organizer"):
                g.add((node, KG.organizerText, zh(props["organizer"])))
            for i in iris:
                if types.get(i) == "GovernmentBody":
                    g.add((node, KG.organizer, URIRef(i)))
            if props.get("chair"):
                g.add((node, KG.chair, zh(props["chair"])))
            if props.get("count"):
                g.add((node, KG.occurrences, Literal(int(props["count"]), datatype=XSD.integer)))
            if props.get("decision"):
                g.add((node, KG.decision, zh(props["decision"])))
            dated(node, ev)
        elif ev.kind == "milestone":
            if not projects:
                continue
            node = fact_iri(doc.id, "milestone", props.get("type"), ev.date, ev.start)
            g.add((node, RDF.type, KG.Milestone))
            g.add((node, RDFS.label, zh(ev.label)))
            g.add((node, KG.milestoneType, URIRef(props["type"])))
            if props.get("planned") == "true":
                g.add((node, KG.planned, Literal(True)))
            dated(node, ev)
        else:
            continue
        for p in projects:
            g.add((node, KG.concerns, p))
        common(node, ev)
    return offsets


# --------------------------------------------------------------------------- 三未


def _objects(dataset, s, p):
    return [o for _s, _p, o, _g in dataset.quads((s, p, None, None))]


def _one(dataset, s, p):
    objs = _objects(dataset, s, p)
    return objs[0] if objs else None


def derive_flags(dataset) -> rdflib.Graph:
    """Each project's current stage and its 三未 category, as an analysis graph.

    The current stage is the stage of the latest-dated stage statement or (not planned)
    milestone of the project across all documents — dates of different precision are ordered
    by the day they end (2023-12 before 2024), undated ones take their document's date — and
    among equally dated ones the most advanced. The project is then flagged with the 三未
    category whose ``kg:qualifyingStatus`` includes that stage, unless a ``kg:clearedByCue``
    word was stated or a ``kg:clearedByMilestone`` reached (a signed project the text says has
    落地, or whose land was transferred, is landed: its ``kg:fallbackCategory`` applies).

    Parameters
    ----------
    dataset : rdflib.Dataset
        The assembled dataset (document graphs with ``kg:StageStatement`` and ``kg:Milestone``).

    Returns
    -------
    rdflib.Graph
        Identifier :data:`kg.ns.ANALYSIS_GRAPH`: ``?p kg:currentStatus ?st ;
        kg:currentStatusWhen "…"`` and ``?f a kg:SanweiFlag ; kg:flagged ?p ; kg:category ?c ;
        kg:since "…" ; kg:basedOn ?statement``.
    """
    return flags_graph(stage_items(dataset))


def stage_items(dataset) -> dict:
    """The dated stage evidence of every project in ``dataset``, what :func:`derive_flags`
    ranks: ``{project: [(when, status code, node, cue, milestone type), …]}``.

    The evidence of one document graph does not depend on any other, so a build collects
    it per document (in its workers) and merges the lists (:func:`merge_stage_items`)
    before :func:`flags_graph`; the result is the same as on the whole dataset.
    """
    from .ns import DCTERMS, KG, PROV, RDF

    ms_status = {iri: code for iri, _l, code, _c in milestone_types() if code}
    doc_dates: dict = {}

    def doc_date(node):
        d = _one(dataset, node, PROV.wasDerivedFrom)
        if d not in doc_dates:
            lit = _one(dataset, d, DCTERMS.date) if d is not None else None
            doc_dates[d] = str(lit) if lit is not None else None
        return doc_dates[d]

    per_project: dict = {}
    seen = set()
    for node, _p, _o, _g in dataset.quads((None, RDF.type, KG.StageStatement, None)):
        if node in seen:
            continue
        seen.add(node)
        st = _one(dataset, node, KG.status)
        if st is None:
            continue
        code = str(st).rsplit("/", 1)[-1]
        when = _one(dataset, node, KG.when)
        cue = _one(dataset, node, KG.cue)
        for proj in _objects(dataset, node, KG.concerns):
            per_project.setdefault(proj, []).append(
                (str(when) if when is not None else doc_date(node), code, node, str(cue or ""), ""))
    for node, _p, _o, _g in dataset.quads((None, RDF.type, KG.Milestone, None)):
        if node in seen:
            continue
        seen.add(node)
        mtype = _one(dataset, node, KG.milestoneType)
        planned = _one(dataset, node, KG.planned)
        if planned is not None and str(planned).lower() == "true":
            continue
        when = _one(dataset, node, KG.when)
        code = ms_status.get(str(mtype), "")
        for proj in _objects(dataset, node, KG.concerns):
            per_project.setdefault(proj, []).append(
                (str(when) if when is not None else doc_date(node), code, node, "", str(mtype)))
    return per_project


def merge_stage_items(parts) -> dict:
    """One :func:`stage_items` mapping from those of several document graphs."""
    out: dict = {}
    for part in parts:
        for proj, items in part.items():
            out.setdefault(proj, []).extend(items)
    return out


def flags_graph(per_project: dict) -> rdflib.Graph:
    """The analysis graph of :func:`derive_flags` from :func:`stage_items` evidence."""
    from rdflib import Graph

    from .ns import ANALYSIS_GRAPH, bind_prefixes

    out = Graph(identifier=ANALYSIS_GRAPH)
    bind_prefixes(out)
    for t in flag_triples(per_project):
        out.add(t)
    return out


def flag_triples(per_project: dict) -> list[tuple]:
    """The triples of :func:`flags_graph` (no graph is built: a build writes them as text)."""
    from rdflib import Literal, URIRef

    from .dates import interval_bounds
    from .ns import KG, RDF, STATUS, analysis_iri

    orders = _stage_orders()
    cats = sanwei_categories()
    by_iri = {c["iri"]: c for c in cats}
    current, current_when, a, sanwei = KG.currentStatus, KG.currentStatusWhen, RDF.type, KG.SanweiFlag
    flagged, category, since, based_on = KG.flagged, KG.category, KG.since, KG.basedOn
    # terms repeat across projects (a few stages, dates): each one made once
    status = {code: STATUS[code] for code in orders}
    cat_iri = {c["iri"]: URIRef(c["iri"]) for c in cats}
    dates: dict = {}
    ends: dict = {}

    def end(when: str) -> str:
        if when not in ends:
            ends[when] = interval_bounds(when)[1]
        return ends[when]

    out: list[tuple] = []
    for proj in sorted(per_project):
        items = per_project[proj]
        staged = [it for it in items if it[1] in orders]
        if not staged:
            continue
        latest = max(staged, key=lambda it: (end(it[0]) if it[0] else "", orders[it[1]],
                                             it[1], str(it[2])))
        when, code = latest[0], latest[1]
        when_lit = (dates.get(when) or dates.setdefault(when, Literal(when))) if when else None
        out.append((proj, current, status[code]))
        if when:
            out.append((proj, current_when, when_lit))
        cat = next((c for c in cats if code in c["statuses"]), None)
        if cat is None:
            continue
        cues = {it[3] for it in items}
        milestones = {it[4] for it in items if it[4]}
        if any(any(w in c for c in cues) for w in cat["cleared_by_cue"]) or \
                milestones & cat["cleared_by_milestone"]:
            cat = by_iri.get(cat["fallback"])
            if cat is None:
                continue
        # one flag per project: an IRI from the project, the same in every build, so that
        # ``kg build --update`` replaces the analysis graph by difference
        flag = analysis_iri("flag", proj)
        out += [(flag, a, sanwei), (flag, flagged, proj), (flag, category, cat_iri[cat["iri"]])]
        if when:
            out.append((flag, since, when_lit))
        out.append((flag, based_on, latest[2]))
    return out


def add_lifecycle_analysis(dataset) -> int:
    """Add :func:`derive_flags` and the consistency checks to ``dataset``'s analysis graph.

    Mutates ``dataset``; returns the number of triples added.
    """
    from .consistency import consistency_graph
    from .ns import ANALYSIS_GRAPH

    ctx = dataset.graph(ANALYSIS_GRAPH)
    before = len(ctx)
    for g in (derive_flags(dataset), consistency_graph(dataset)):
        for t in g:
            ctx.add(t)
    return len(ctx) - before

