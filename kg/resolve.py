"""Stage 3, resolve: :class:`~kg.model.Extraction` → :class:`~kg.model.Resolved`.

Within a document, mentions grouped by the extractor under one ``(type, key)`` become one
entity with a canonical name, its aliases and a stable IRI. Across documents,
:func:`resolve_corpus` merges entities of the same type whose names coincide (a short name
in one document, the full name in another) so that each real thing has one IRI; the
canonical name of a merged entity is its longest name (ties: the smallest in code-point
order), so the result does not depend on document order. A company's short name joins the
legal name it stands for only when it stands for one: a brand written for the legal names
of several firms (甲乙新能 for 宣城甲乙新能源股份有限公司 and 景德镇甲乙新能源股份有限公司, a
group's subsidiaries in two cities) joins none of them, and they stay distinct companies
(:func:`kg.namemap.name_map`). Deictic aliases (a bare
``高新区`` or ``开发区``) never link documents: they only mean something inside their own.
Regions take the IRI of their administrative code when the gazetteer knows them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from .model import Entity, Extraction, Mention, Relation, Resolved
from .ns import entity_iri, region_iri, status_iri

__all__ = ["resolve_entities", "resolve_corpus", "document_links", "best_name", "DEICTIC_ATTR"]

#: Mention attribute marking a context-dependent alias (``("deictic", "1")``).
DEICTIC_ATTR = "deictic"

Key = tuple[str, str]


def _groups(extraction: Extraction) -> dict[Key, list[Mention]]:
    groups: dict[Key, list[Mention]] = defaultdict(list)
    for m in extraction.mentions:
        groups[(m.type, m.key)].append(m)
    return groups


def _canonical_names(extraction: Extraction) -> dict[Key, str]:
    canonical = dict(extraction.canonical)
    for key, ms in _groups(extraction).items():
        if key not in canonical:
            names = [m.text for m in ms if m.attr(DEICTIC_ATTR) != "1"] or [m.text for m in ms]
            canonical[key] = best_name(names)
    return canonical


def _linkable_names(canonical: str, ms: Sequence[Mention]) -> set[str]:
    return {canonical} | {m.text for m in ms if m.attr(DEICTIC_ATTR) != "1"}


def _region_code(ms: Sequence[Mention]) -> str | None:
    for m in ms:
        code = m.attr("code")
        if code:
            return code
    return None


def resolve_entities(extraction: Extraction, *, names: dict[Key, str] | None = None) -> Resolved:
    """Resolve one document's mentions into entities and relations with IRIs.

    Parameters
    ----------
    extraction : Extraction
        What ``extract`` produced for one document.
    names : dict, optional
        Corpus-level canonical names by ``(type, name)``, from :func:`resolve_corpus`; a
        group whose canonical name is listed takes the corpus name (and so its IRI).

    Returns
    -------
    Resolved
    """
    groups = _groups(extraction)
    canonical = _canonical_names(extraction)
    iris: dict[Key, str] = {}
    entities: list[Entity] = []
    for key in sorted(groups):
        ms = sorted(groups[key], key=lambda m: (m.start, m.end))
        type_ = key[0]
        label = canonical[key]
        if names:
            label = names.get((type_, label), label)
        code = _region_code(ms) if type_ == "Region" else None
        iri = str(region_iri(code) if code else entity_iri(type_, label))
        iris[key] = iri
        aliases = sorted({m.text for m in ms} - {label})
        attrs = tuple(sorted({(k, v) for m in ms for k, v in m.attrs if k != DEICTIC_ATTR}))
        entities.append(Entity(iri=iri, type=type_, label=label, aliases=tuple(aliases),
                               mentions=tuple(ms), attrs=attrs))
    # Entities that resolve to the same IRI (two groups, one name) are merged.
    merged: dict[str, Entity] = {}
    for e in entities:
        if e.iri in merged:
            o = merged[e.iri]
            ms = tuple(sorted(o.mentions + e.mentions, key=lambda m: (m.start, m.end)))
            aliases = tuple(sorted((set(o.aliases) | set(e.aliases) | {e.label}) - {o.label}))
            merged[e.iri] = Entity(o.iri, o.type, o.label, aliases, ms,
                                   tuple(sorted(set(o.attrs) | set(e.attrs))))
        else:
            merged[e.iri] = e
    relations: set[Relation] = set()
    for rc in extraction.relations:
        s = iris.get(rc.subject)
        if s is None:
            continue
        if rc.predicate == "hasStatus":
            try:
                o = str(status_iri(rc.object[1]))
            except ValueError:
                continue
        else:
            o = iris.get(rc.object)
            if o is None or o == s:
                continue
        relations.add(Relation(s, rc.predicate, o, rc.start, rc.end, rc.rule))
    quantities = []
    for q in extraction.quantities:
        subj = iris.get(q.subject) if q.subject else None
        prod = iris.get(q.product) if q.product else None
        quantities.append((subj, prod, q))
    events = []
    for ev in extraction.events:
        concerned = tuple(sorted({iris[k] for k in ev.concerns if k in iris}))
        events.append((concerned, ev))
    return Resolved(
        document=extraction.document,
        entities=tuple(sorted(merged.values(), key=lambda e: e.iri)),
        relations=tuple(sorted(relations, key=lambda r: (r.start, r.subject, r.predicate, r.object))),
        quantities=tuple(quantities),
        events=tuple(events),
    )


def resolve_corpus(extractions: Iterable[Extraction]) -> list[Resolved]:
    """Resolve several documents so that one real thing gets one IRI across all of them.

    The names each document uses for one entity are joined over the corpus
    (:func:`kg.namemap.name_map`); each joined set takes its longest name as canonical. The result is
    independent of the order of ``extractions`` (it is returned in the input order).
    """
    from .namemap import name_map

    extractions = list(extractions)
    names = name_map(link for ex in extractions for link in document_links(ex))
    return [resolve_entities(ex, names=names) for ex in extractions]


def document_links(extraction: Extraction) -> list[tuple[str, tuple[str, ...]]]:
    """``(type, sorted names)`` of each of a document's groups that can join other documents'
    (regions with an administrative code already share one IRI; deictic aliases join none)."""
    canonical = _canonical_names(extraction)
    links = []
    for key, ms in _groups(extraction).items():
        if key[0] == "Region" and _region_code(ms):
            continue
        links.append((key[0], tuple(sorted(_linkable_names(canonical[key], ms)))))
    return links


def best_name(names: Iterable[str]) -> str:
    """The canonical name of a group of linked names: the longest, then the first in
    code-point order."""
    names = list(names)
    longest = max(map(len, names))
    return min(n for n in names if len(n) == longest)
