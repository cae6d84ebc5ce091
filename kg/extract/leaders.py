"""Chain leaders (链主) named in the text: ``chainLeaderOf`` from a company to a chain.

Reports call a company the leader of a chain in these shapes: "<chain>产业链“链主”企业<company>"
(the chain before the cue, the company right after it), "<company>是<chain>…链主" (the
company first), "<chain>…，A、B担任链主企业" (a list of companies before the cue, the chain
before them) and "链主企业<company>" alone (the chain named as one — …产业链 — within the 200
characters before, in an earlier sentence). The cue words live in
``data/lexicon/leader_cues.tsv``. The relation is not one of the scored seven; it feeds chain
analysis (``kg chains``: leaders named in the text rank first).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon import read_table
from ..model import Document, Mention, RelationCandidate

__all__ = ["extract_leaders"]

#: How far (characters) a chain may stand before the cue and a company after it.
CHAIN_WINDOW = 24
COMPANY_WINDOW = 8
#: How far before the cue a chain of an earlier sentence may stand ("链主企业X" alone).
NEAR_WINDOW = 200
#: a chain mention followed by the word for a chain (稀土新材料及应用产业链, 汽车产业链)
_CHAIN_AFTER_RE = re.compile(r"(?:及[^，。；、\s]{1,4})?(?:产业)?链")
#: a chain named before, pointed at (C是该产业链的链主)
_THIS_CHAIN = re.compile(r"(?:该|本|这一|这条)(?:产业)?链")
#: what may stand between a list of companies and the cue (A、B担任链主企业)
_LIST_ROLE_RE = re.compile(r"(?:等)?(?:企业)?(?:分别)?(?:担任|作为|为|是|成为)(?:产业链)?[“\"]?")


@lru_cache(maxsize=1)
def _cue_pattern() -> re.Pattern[str] | None:
    cues = sorted({row[0] for row in read_table("leader_cues")}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, cues))) if cues else None


def _near_chains(text: str, chains: list[Mention], cue_start: int, *, named_only: bool = False) -> list[Mention]:
    """The chains within :data:`NEAR_WINDOW` characters before the cue; those named as a chain
    (…产业链) rather than by a word that names an industry, when there are any (only those
    with ``named_only``)."""
    near = [c for c in chains if c.end <= cue_start and cue_start - c.end <= NEAR_WINDOW]
    named = [c for c in near if text.endswith("链", c.start, c.end) or _CHAIN_AFTER_RE.match(text, c.end)]
    return named if named or named_only else near


def extract_leaders(doc: Document, mentions: list[Mention]) -> list[RelationCandidate]:
    """``chainLeaderOf`` candidates: (Company, key) → (IndustryChain, key).

    Examples
    --------
    >>> from kg.ingest import ingest_text
    >>> text = "全省新能源汽车产业链“链主”企业甲乙集团扩建项目。"
    >>> doc = ingest_text(text)
    >>> ms = [Mention("IndustryChain", "新能源汽车", 2, 7, "c", "t"),
    ...       Mention("Company", "甲乙集团", 16, 20, "g", "t")]
    >>> [(r.subject[1], r.predicate, r.object[1]) for r in extract_leaders(doc, ms)]
    [('g', 'chainLeaderOf', 'c')]
    """
    pat = _cue_pattern()
    if pat is None:
        return []
    chains = sorted((m for m in mentions if m.type == "IndustryChain"), key=lambda m: m.start)
    companies = sorted((m for m in mentions if m.type == "Company"), key=lambda m: m.start)
    out: set[RelationCandidate] = set()
    for sent in doc.sentences:
        for match in pat.finditer(doc.text, sent.start, sent.end):
            cue_start, cue_end = match.start(), match.end()
            before = [c for c in chains if sent.start <= c.start and c.end <= cue_start
                      and cue_start - c.end <= CHAIN_WINDOW]
            after = [m for m in companies if cue_end <= m.start <= cue_end + COMPANY_WINDOW
                     and m.end <= sent.end]
            company = after[0] if after else None
            leaders = [company] if company is not None else []
            if company is not None:
                # 链主企业为A、B: every company of the list after the cue
                for m in companies:
                    if m.start > leaders[-1].end and m.end <= sent.end and re.fullmatch(
                            r"[、和及与]", doc.text[leaders[-1].end:m.start]):
                        leaders.append(m)
            rule = "leader.cue"
            if company is None:  # "<company>是…<chain>…链主"
                prior = [m for m in companies if sent.start <= m.start and m.end <= cue_start]
                company = prior[-1] if prior else None
                before = [c for c in before if company is None or c.start > company.end]
                if company is not None:
                    leaders = [company]
                    # "<chain>…，A、B担任链主企业": the companies listed right before the cue,
                    # leaders of the chain named before them in the sentence
                    if _LIST_ROLE_RE.fullmatch(doc.text, company.end, cue_start):
                        k = prior.index(company)
                        while k > 0 and re.fullmatch(r"[、和及与]", doc.text[prior[k - 1].end:prior[k].start]):
                            k -= 1
                        leaders = prior[k:]
                        if not before:
                            before = [c for c in chains if sent.start <= c.start and c.end <= leaders[0].start]
                            rule = "leader.list"
                        if not before:
                            # "C作为链主企业，带动…" in a text about one chain named as one before
                            before = _near_chains(doc.text, chains, cue_start, named_only=True)
                            rule = "leader.near"
                    elif not before and _THIS_CHAIN.search(doc.text, company.end, cue_start):
                        # "C是该产业链的链主企业": the chain the text named before
                        before = _near_chains(doc.text, [c for c in chains if c.end <= sent.start], cue_start)
                        rule = "leader.near"
            elif not before:
                # "链主企业X…" in a text about one chain named shortly before (an earlier
                # sentence or paragraph)
                before = _near_chains(doc.text, chains, cue_start)
                rule = "leader.near"
            if not leaders or not before:
                continue
            chain = before[-1]
            for company in leaders:
                out.add(RelationCandidate((company.type, company.key), "chainLeaderOf",
                                          (chain.type, chain.key), sent.start, sent.end, rule))
    return sorted(out, key=lambda r: (r.start, r.subject, r.object))
