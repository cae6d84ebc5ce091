"""Stage 2c of extract: project life-cycle stages (``hasStatus``).

Consumes a :class:`~kg.model.Document` and its mentions; produces
:class:`~kg.model.RelationCandidate` objects ``(Project) hasStatus ("Status", code)``
following GUIDELINES §5. Cue phrases (开工, 在建, 加快推进, 试运转, 建成投产, 稳产达产…) come
from ``data/lexicon/status_cues.tsv`` with a code and a priority; the finer codes (signed,
preliminary, continued, resumed, reached_capacity) are kept and mapped to the scored ones by
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
from .quantities import _alternation, _read_tsv, paragraph_bounds

__all__ = ["extract_status", "status_cues"]

_CLAUSE_SPLIT = re.compile(r"[，,。；;：:！？!?\n]")
_DEICTIC_RE = re.compile(r"该项目|该工程|项目|工程|该高铁|该线|该道路|该基地|全线")
_PLAN_PARAGRAPH_RE = re.compile(r"力争|要加快|着力|计划")
_PAST_RE = re.compile(r"一年来|过去一年|回顾|已经|取得")

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
    )


def _is_plan_paragraph(par: str) -> bool:
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
    projects = sorted((m for m in mentions if m.type == "Project"),
                      key=lambda m: (m.start, m.end, m.key))
    starts = [m.start for m in projects]
    others = sorted((m for m in mentions if m.type in ("Company", "DevelopmentZone")
                     and m.attr("nested") != "1"), key=lambda m: m.start)
    out: list[RelationCandidate] = []
    seen: set[tuple] = set()
    plan_cache: dict[int, bool] = {}
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(text + "\n"):
        cstart, cend = pos, m.start()
        pos = m.end()
        if cend <= cstart:
            continue
        clause = text[cstart:cend]
        hits = list(cues.cue_re.finditer(clause))
        if not hits:
            continue
        if any(h.group(0) in cues.open for h in hits) or re.search(r"或(投产|开工|建成|落地)", clause):
            continue
        best = None
        for h in hits:
            code, prio = cues.status[h.group(0)]
            if best is None or prio > best[1] or (prio == best[1] and h.start() > best[2].start()):
                best = (code, prio, h)
        code, _prio, hit = best
        # plan markers in the clause before the cue
        for mm in cues.modal_re.finditer(clause, 0, hit.start()):
            code = cues.modal[mm.group(0)].get(code, code)
        p0, p1 = paragraph_bounds(text, cstart)
        if p0 not in plan_cache:
            plan_cache[p0] = _is_plan_paragraph(text[p0:p1])
        if plan_cache[p0] and code in _PLAN_SHIFT and not re.search(r"已|了", clause):
            code = _PLAN_SHIFT[code]
        targets = _clause_projects(projects, starts, cstart, cend)
        rule = f"status:{hit.group(0)}"
        if not targets:
            t = _fallback_project(doc, projects, starts, others, cstart, hit.start() + cstart,
                                  clause[:hit.start()])
            if t is not None:
                targets = [t[0]]
                rule += f"/{t[1]}"
        for p in targets:
            key = (p.key, code)
            if key in seen:
                continue
            seen.add(key)
            out.append(RelationCandidate(("Project", p.key), "hasStatus", ("Status", code),
                                         cstart, cend, rule))
    return out


def _clause_projects(projects, starts, cstart: int, cend: int) -> list[Mention]:
    i = bisect.bisect_left(starts, cstart)
    out = []
    while i < len(projects) and projects[i].start < cend:
        if projects[i].end <= cend:
            out.append(projects[i])
        i += 1
    return out


def _fallback_project(doc: Document, projects, starts, others, cstart: int, cue_pos: int,
                      lead: str):
    """The project a clause without a project name talks about, or None."""
    # a company or zone heads this clause: the cue is about it, not about a project
    j = bisect.bisect_left([o.start for o in others], cstart)
    if j < len(others) and others[j].start < cue_pos:
        return None
    sent = doc.sentence_at(cstart)
    s0 = sent.start if sent else cstart
    i = bisect.bisect_right(starts, cstart) - 1
    deictic = _DEICTIC_RE.search(lead)
    p0, _ = paragraph_bounds(doc.text, cstart)
    while i >= 0:
        p = projects[i]
        if p.end <= cstart:
            if p.start >= s0:
                return p, "sentence-project"
            if deictic and p.start >= p0:
                return p, "deictic"
            return None
        i -= 1
    return None
