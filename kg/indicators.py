"""Regional indicators (开工率, 完成投资, 入驻企业数, 排名…) extracted as events of kind ``indicator``.

Part of the extract stage, called by :func:`kg.lifecycle.extract_events`. It reads the
indicator catalogue of ``ontology/lifecycle.ttl`` (``kg:Indicator`` concepts, each with its
``kg:cuePattern`` regular expressions, default unit and flags), matches the patterns against
every sentence, and attributes each number to

- a **region or development zone** — the nearest one named before it in the sentence, else
  the region or zone the quantities extractor attached a quantity of that sentence to, else
  the one of the previous indicator of the paragraph, else the nearest named before it in the
  paragraph;
- a **period** — one stated by the pattern itself (成立初期), else the nearest time
  expression before the number in the sentence (``截至目前``, ``1月—7月``), else the period
  of the overlapping quantity, else the last one stated earlier in the paragraph; resolved
  against the document date by :mod:`kg.dates`. A figure stated with no period is read as
  "as of the document date";
- a **scope** — what the number counts within: ``其中，63个省级重点工程建设项目中，…`` gives
  the rest of the sentence the scope 省级重点工程建设项目; a pattern's ``s`` group gives its
  number and the numbers after it in the sentence the scope it names (制造业).

Produces :class:`~kg.model.Event` objects (``kind="indicator"``) whose ``concerns`` is the
area's mention group and whose ``props`` hold ``indicator`` (IRI), ``value`` (decimal text,
base units), ``unit``, ``scope``, ``period_text``, ``approximate``, ``of`` and ``among``
(rankings).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .dates import CN_DIGITS
from .diskcache import disk_cached
from .model import Document, Event, Mention, Quantity

__all__ = ["IndicatorDef", "indicator_catalogue", "extract_indicators"]

_AREA_TYPES = ("Region", "DevelopmentZone")
_NUM = r"(?P<n>(?:约|近|超过?|逾)?\d+(?:\.\d+)?(?:万亿|亿|千万|百万|万)?(?:多|余)?)"
_MONEY = (r"(?P<n>(?:约|近|超过?|逾)?\d+(?:\.\d+)?(?:多|余)?(?:万亿|亿|千万|百万|万)?(?:多|余)?)"
          r"(?P<u>元|美元)")
_SCOPE_RE = re.compile(r"其中[，,]?(?:\d+(?:\.\d+)?个)?(?P<s>[^，。；、\d]{2,24}?)中[，,]")
_RANK_SPLIT = re.compile(r"[、和及与]")
_DEICTIC_ZONE = re.compile(r"(?:开发区|高新区|园区|本区)")


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator of the catalogue: its IRI, labels, unit and compiled cue patterns."""

    iri: str
    label_zh: str
    labels: tuple[str, ...]
    unit: str
    patterns: tuple[re.Pattern[str], ...]
    project_level_too: bool = False


@lru_cache(maxsize=4)
def indicator_catalogue(path: str | None = None) -> tuple[IndicatorDef, ...]:
    """The indicators of ``ontology/lifecycle.ttl`` (or ``path``), sorted by IRI.

    Raises
    ------
    kg.errors.ExtractError
        If a ``kg:cuePattern`` is not a valid regular expression.
    """
    from .errors import ExtractError

    out = []
    for iri, label, labels, unit, patterns, plt in (_catalogue_rows(path) if path
                                                    else _default_catalogue_rows()):
        pats = []
        for p in patterns:
            try:
                pats.append(re.compile(p.replace("{N}", _NUM).replace("{M}", _MONEY)))
            except re.error as exc:
                raise ExtractError(f"bad kg:cuePattern {p!r} of {iri}: {exc}",
                                   hint="fix the pattern in ontology/lifecycle.ttl") from None
        out.append(IndicatorDef(iri, label, labels, unit, tuple(pats), plt))
    return tuple(out)


def _catalogue_rows(path) -> list[tuple]:
    """``(iri, label, labels, unit, cue patterns, project level too)`` of each indicator of
    the vocabulary at ``path``, sorted by IRI (plain values: the patterns uncompiled)."""
    from rdflib import Graph, Literal

    from .ns import KG, RDF, SKOS

    g = Graph()
    g.parse(path, format="turtle")
    out = []
    for c in sorted(set(g.subjects(RDF.type, KG.Indicator))):
        pref = [str(x) for x in g.objects(c, SKOS.prefLabel) if isinstance(x, Literal) and x.language == "zh"]
        alts = sorted(str(x) for x in g.objects(c, SKOS.altLabel) if isinstance(x, Literal) and x.language == "zh")
        patterns = tuple(sorted(str(x) for x in g.objects(c, KG.cuePattern)))
        unit = str(g.value(c, KG.defaultUnit) or "unit")
        plt = str(g.value(c, KG.projectLevelToo) or "").lower() == "true"
        label = pref[0] if pref else str(c).rsplit("#", 1)[-1]
        out.append((str(c), label, (label, *alts), unit, patterns, plt))
    return out


def _lifecycle_ttl() -> list:
    from .resources import ontology_dir

    return [ontology_dir() / "lifecycle.ttl"]


@disk_cached(_lifecycle_ttl)
def _default_catalogue_rows() -> list[tuple]:
    """:func:`_catalogue_rows` of ``ontology/lifecycle.ttl``, kept on disk (importing rdflib
    and parsing the vocabulary took ~0.1 s of every process that extracts a document)."""
    return _catalogue_rows(_lifecycle_ttl()[0])


@dataclass
class _Match:
    ind: IndicatorDef
    start: int  # match span in the document
    end: int
    nstart: int  # number span
    nend: int
    groups: dict


def _paragraph_spans(text: str) -> list[int]:
    """Start offsets of the paragraphs (runs of text between line breaks)."""
    starts = [0]
    for m in re.finditer(r"\n+", text):
        starts.append(m.end())
    return starts


@lru_cache(maxsize=4096)
def _parse_number(text: str):
    """:func:`kg.extract.numbers.parse_number`, memoised (its result is immutable; the same
    figures recur)."""
    from .extract.numbers import parse_number

    return parse_number(text)


def _parse_value(groups: dict, ind: IndicatorDef) -> tuple[float, str, bool] | None:
    n = groups.get("n") or ""
    unit = ind.unit
    if ind.unit == "rank":
        if n.isdigit():
            return float(n), unit, False
        from .extract.numbers import parse_chinese_numeral

        v = CN_DIGITS.get(n) or parse_chinese_numeral(n)
        return (float(v), unit, False) if v else None
    parsed = _parse_number(n)
    if parsed is None:
        return None
    u = groups.get("u")
    if u:
        unit = "USD" if u == "美元" else "CNY"
    return parsed.value, unit, parsed.approximate


def _rank_targets(of_text: str, catalogue: tuple[IndicatorDef, ...]) -> list[tuple[str, str]]:
    """(indicator IRI or "", words) for each thing a ranking ranks (开工率、投资完成率)."""
    out = []
    for part in _RANK_SPLIT.split(of_text):
        words = part.strip(" “”\"'均都")
        if not words:
            continue
        best = ""
        for d in catalogue:
            if d.unit == "rank":
                continue
            if words in d.labels:
                best = d.iri
                break
        if not best:
            cands = [d for d in catalogue if d.unit != "rank" and any(words.endswith(lab) for lab in d.labels)]
            if cands:
                best = max(cands, key=lambda d: max(len(lab) for lab in d.labels if words.endswith(lab))).iri
        out.append((best, words))
    return out


_DIGIT = re.compile(r"\d")


def _required(items) -> tuple[set[str], bool]:
    """Literal strings every match of a parsed pattern consumes, and whether it consumes a digit.

    Only what is certain is collected (runs of consecutive literals, inside groups and repeats
    of at least one too); alternatives and character sets other than ``\\d`` are skipped, so
    the result is a necessary condition: a text lacking one of the strings (or any digit)
    has no match.
    """
    from re import _constants as c

    runs: set[str] = set()
    run = ""
    digit = False
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if run:
            runs.add(run)
            run = ""
        sub = None
        if op is c.SUBPATTERN:
            if av[1] & c.SRE_FLAG_IGNORECASE:
                continue  # (?i:…): its literals may match in another case
            sub = av[-1]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = av[2]
        elif op is c.ATOMIC_GROUP:
            sub = av
        elif op is c.IN and list(av) == [(c.CATEGORY, c.CATEGORY_DIGIT)]:
            digit = True
        if sub is not None:
            more, d = _required(sub)
            runs |= more
            digit = digit or d
    if run:
        runs.add(run)
    return runs, digit


@lru_cache(maxsize=256)
def literal_prefilter(pat: re.Pattern[str]) -> tuple[tuple[str, ...], bool]:
    """(literal strings every match of ``pat`` consumes, longest first; whether it consumes a
    digit) — a text lacking any of them cannot match, so the search can be skipped."""
    from re import _parser

    if pat.flags & re.IGNORECASE:
        return (), False
    runs, digit = _required(_parser.parse(pat.pattern, pat.flags))
    return tuple(sorted(runs, key=lambda r: (-len(r), r))), digit


def may_match(pat: re.Pattern[str], text: str) -> bool:
    """False when ``pat`` certainly has no match in ``text`` (see :func:`literal_prefilter`)."""
    runs, digit = literal_prefilter(pat)
    if digit and _DIGIT.search(text) is None:
        return False
    return all(r in text for r in runs)


_PREFILTERS: dict[int, tuple] = {}


def _prefilters(catalogue: tuple[IndicatorDef, ...]) -> tuple[tuple[IndicatorDef, re.Pattern[str], tuple[str, ...], bool], ...]:
    """Every (indicator, pattern, literal strings a match needs, whether it needs a digit),
    in catalogue order (memoised per catalogue object)."""
    hit = _PREFILTERS.get(id(catalogue))
    if hit is not None and hit[0] is catalogue:
        return hit[1]
    out = tuple((ind, pat, *literal_prefilter(pat)) for ind in catalogue for pat in ind.patterns)
    _PREFILTERS[id(catalogue)] = (catalogue, out)
    return out


def _frame(times: list, sent_start: int):
    """The time expression that frames a sentence for the ones after it: a sentence-initial
    one (``今年，…``), else the last one."""
    return times[0] if times[0].start - sent_start <= 2 else times[-1]


def extract_indicators(doc: Document, mentions: list[Mention] | tuple[Mention, ...],
                       quantities: list[Quantity] | tuple[Quantity, ...] = ()) -> list[Event]:
    """Regional indicator observations of one document, as ``indicator`` events.

    Parameters
    ----------
    doc : Document
        The ingested document (its ``date`` resolves relative periods).
    mentions : sequence of Mention
        The document's mentions (regions and zones are the areas observations are about).
    quantities : sequence of Quantity
        The quantities extractor's output; their region/zone subjects and periods are used
        when the sentence does not name them.

    Returns
    -------
    list of Event
        One event per observation, in text order.
    """
    from .dates import find_time_expressions, resolve_time

    catalogue = indicator_catalogue()
    text = doc.text
    # a literal string missing from the document is missing from each of its sentences
    doc_digit = _DIGIT.search(text) is not None
    prefilters = [f for f in _prefilters(catalogue)
                  if all(r in text for r in f[2]) and (doc_digit or not f[3])]
    prefilters_no_digit = [f for f in prefilters if not f[3]]  # (same order)
    areas = sorted((m for m in mentions if m.type in _AREA_TYPES), key=lambda m: (m.start, m.end))
    area_starts = [m.start for m in areas]
    projects = [m for m in mentions if m.type in ("Project", "Company")]
    para_starts = _paragraph_spans(text)
    events: list[Event] = []
    carry_para = -1
    carry_area: tuple[str, str] | None = None
    carry_period = None  # TimeExpr
    for sent in doc.sentences:
        para = bisect_right(para_starts, sent.start) - 1
        if para != carry_para:
            carry_para, carry_area, carry_period = para, None, None
        stext = sent.text
        matches: list[_Match] = []
        # skip a pattern that cannot match: a digit or a literal string it needs is absent
        for ind, pat, req_runs, _req_digit in (prefilters if _DIGIT.search(stext) is not None
                                              else prefilters_no_digit):
            if req_runs and (req_runs[0] not in stext
                             or (len(req_runs) > 1 and not all(r in stext for r in req_runs[1:]))):
                continue
            for m in pat.finditer(stext):
                if "n" not in m.groupdict() or m.group("n") is None:
                    continue
                matches.append(_Match(ind, sent.start + m.start(), sent.start + m.end(),
                                      sent.start + m.start("n"), sent.start + m.end("n"),
                                      {k: v for k, v in m.groupdict().items() if v}))
        times = find_time_expressions(text, doc.date, sent.start, sent.end)
        if not matches:
            if times:
                carry_period = _frame(times, sent.start)
            continue
        # one reading per number: the longest (most specific) match wins, then catalogue order
        matches.sort(key=lambda x: (-(x.end - x.start), x.ind.iri))
        taken: list[_Match] = []
        for x in matches:
            if any(x.nstart < y.nend and y.nstart < x.nend for y in taken):
                continue
            taken.append(x)
        taken.sort(key=lambda x: (x.nstart, x.ind.iri))
        sent_qty = [q for q in quantities if sent.start <= q.start < sent.end]
        scope_m = _SCOPE_RE.search(stext)
        sent_scope = (scope_m.group("s"), sent.start + scope_m.start()) if scope_m else None
        inherited_scope = ""
        for x in taken:
            overlap = [q for q in sent_qty if q.start < x.nend and x.nstart < q.end]
            # wording also used of single projects: keep only when a region/zone is the subject
            if x.ind.project_level_too:
                if any(q.subject and q.subject[0] in ("Project", "Company") for q in overlap):
                    continue
                if not any(q.subject and q.subject[0] in _AREA_TYPES for q in overlap) and any(
                        sent.start <= p.start and p.end <= x.nstart for p in projects):
                    continue
            parsed = _parse_value(x.groups, x.ind)
            if parsed is None:
                continue
            value, unit, approx = parsed
            # area
            area = None
            i = bisect_right(area_starts, x.nstart) - 1
            while i >= 0 and areas[i].start >= sent.start:
                if areas[i].end <= x.nstart:
                    area = (areas[i].type, areas[i].key)
                    break
                i -= 1
            if area is not None and any(sent.start + d.start() < areas[i].start
                                        and not any(a.start <= sent.start + d.start() < a.end for a in areas)
                                        for d in _DEICTIC_ZONE.finditer(stext)):
                # "开发区…的山西省创新领军人才": a bare 开发区 before the name is the subject;
                # the name only qualifies the noun. The paragraph's zone is meant.
                area = carry_area or next((
                    (a.type, a.key) for a in reversed(areas[:i])
                    if a.type == "DevelopmentZone" and a.start >= para_starts[para]), None)
            if area is None:
                cands = [q for q in sent_qty if q.subject and q.subject[0] in _AREA_TYPES]
                if cands:
                    q = min(cands, key=lambda q: (0 if q in overlap else 1, abs(q.start - x.nstart)))
                    area = q.subject
            if area is None:
                area = carry_area
            if area is None:
                i = bisect_right(area_starts, x.nstart) - 1
                while i >= 0 and areas[i].start >= para_starts[para]:
                    if areas[i].end <= x.nstart:
                        area = (areas[i].type, areas[i].key)
                        break
                    i -= 1
            if area is None:
                continue
            carry_area = area
            # period
            period_text, period_iso = "", None
            if x.groups.get("p"):
                period_text = x.groups["p"]
                period_iso = resolve_time(period_text, doc.date)
                if period_iso is None and period_text == "成立初期":
                    period_iso = None  # kept as stated
            else:
                before = [t for t in times if t.start < x.nstart and not (x.nstart <= t.start < x.nend)]
                t = before[-1] if before else None
                if t is None:
                    qp = next((q.period for q in overlap if q.period), None)
                    if qp:
                        found = find_time_expressions(qp, doc.date)
                        period_text = qp
                        period_iso = found[0].iso if found else None
                    elif carry_period is not None:
                        t = carry_period
                if t is not None:
                    period_text, period_iso = t.text, t.iso
            if not period_text and doc.date:
                period_iso = f"../{doc.date}"
            # scope
            scope = ""
            if sent_scope and x.nstart >= sent_scope[1]:
                scope = sent_scope[0]
            elif x.groups.get("s"):
                scope = inherited_scope = x.groups["s"]
            elif inherited_scope and unit in ("CNY", "USD"):
                # "制造业项目238个，总投资1061亿元": the money is of the projects just counted
                scope = inherited_scope
            props = [("indicator", x.ind.iri), ("value", repr(float(value))), ("unit", unit)]
            if scope:
                props.append(("scope", scope))
            if period_text:
                props.append(("period_text", period_text))
            if approx:
                props.append(("approximate", "true"))
            if x.ind.unit == "rank":
                props.append(("among", x.groups.get("among", "")))
                for target, words in _rank_targets(x.groups.get("of", ""), catalogue):
                    p = list(props) + [("of_text", words)] + ([("of", target)] if target else [])
                    events.append(Event("indicator", f"{words}排名", text[x.start:x.end], x.start, x.end,
                                        concerns=(area,), date=period_iso, date_text=period_text,
                                        props=tuple(p), rule="indicator:rank"))
                continue
            events.append(Event("indicator", x.ind.label_zh, text[x.start:x.end], x.start, x.end,
                                concerns=(area,), date=period_iso, date_text=period_text,
                                props=tuple(props), rule=f"indicator:{x.ind.iri.rsplit('#', 1)[-1]}"))
        if times:
            carry_period = _frame(times, sent.start)
    return events
