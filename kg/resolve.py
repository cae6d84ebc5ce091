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
(:func:`name_map`). Deictic aliases (a bare
``高新区`` or ``开发区``) never link documents: they only mean something inside their own.
Regions take the IRI of their administrative code when the gazetteer knows them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from .model import Entity, Extraction, Mention, Relation, Resolved
from .ns import entity_iri, region_iri, status_iri

__all__ = ["resolve_entities", "resolve_corpus", "name_map", "DEICTIC_ATTR"]

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
    (:func:`name_map`); each joined set takes its longest name as canonical. The result is
    independent of the order of ``extractions`` (it is returned in the input order).
    """
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


#: The legal form closing a company's name (有限公司, 股份有限公司, 集团, 控股集团有限公司…).
_LEGAL_FORM = re.compile(r"(?:控股|集团|股份|有限|责任|公司)+$")
#: Names of the pseudo-nodes :func:`name_map` keeps beside the names (never a label): the
#: core of a legal name (``CORE`` + 甲乙新能源 for 甲乙新能源股份有限公司) and the mark of a
#: set of short names that stand for several firms (``AMBIGUOUS`` + its canonical name).
CORE, AMBIGUOUS = "\x00", "\x01"


def legal_core(type_: str, name: str) -> str | None:
    """The name of a company without its legal form (甲乙新能源 of 甲乙新能源股份有限公司
    and of 甲乙新能源有限公司), or ``None`` for a short name or another type's name."""
    if type_ != "Company":
        return None
    core = _LEGAL_FORM.sub("", name)
    return core if core != name and len(core) >= 2 else None


def is_full_name(type_: str, name: str) -> bool:
    """Whether ``name`` names one thing on its own across documents: any name of a type but
    Company; of a company, a legal name (with its legal form)."""
    return type_ != "Company" or legal_core(type_, name) is not None


def is_pseudo(name: str) -> bool:
    """Whether a key's name in a :func:`name_map` is one of its pseudo-nodes."""
    return name[:1] in (CORE, AMBIGUOUS)


def best_name(names: Iterable[str]) -> str:
    """The canonical name of a group of linked names: the longest, then the first in
    code-point order (pseudo-nodes are no names)."""
    real = [n for n in names if n[:1] not in (CORE, AMBIGUOUS)]
    longest = max(map(len, real))
    return min(n for n in real if len(n) == longest)


def name_map(links: Iterable[tuple[str, Sequence[str]]]) -> dict[Key, str]:
    """Corpus-level canonical names ``{(type, name): canonical name}`` from the ``links`` of
    every document (:func:`document_links`), independent of their order.

    1. The full names of one group join (:func:`is_full_name`), and so do companies' legal
       names with one core (甲乙新能源有限公司 and 甲乙新能源股份有限公司).
    2. The short names of one group without a full name join.
    3. A set of short names so joined joins the full names it was written beside when they
       are all of one set; beside several (a brand of firms in two cities), it joins none
       and is marked (an ``AMBIGUOUS`` key). A short name thus never joins two legal names.
    The map also holds the pseudo-nodes (:func:`is_pseudo`) an update extends it with."""
    parent: dict[Key, Key] = {}

    def find(x: Key) -> Key:
        up = parent.get(x)
        if up is None:
            parent[x] = x
            return x
        if up == x:
            return x
        root = up
        while parent[root] != root:
            root = parent[root]
        while x != root:  # the path now points at its root
            parent[x], x = root, parent[x]
        return root

    def union(a: Key, b: Key) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    cores: dict[str, str | None] = {}  # legal_core of each company name seen

    def core(name: str) -> str | None:
        try:
            return cores[name]
        except KeyError:
            c = cores[name] = legal_core("Company", name)
            return c

    beside: list[tuple[Key, Key]] = []  # (short name, a full name of its group)
    for type_, names_ in links:
        if type_ != "Company":
            nodes, short = [(type_, n) for n in names_], []
        else:
            nodes = [(type_, n) for n in names_ if core(n) is not None]
            short = [(type_, n) for n in names_ if core(n) is None]
            nodes += [(type_, CORE + c) for _t, n in nodes if (c := core(n))]
        if nodes:
            find(nodes[0])
            for node in nodes[1:]:
                union(nodes[0], node)
            for s in short:
                find(s)
                beside.append((s, nodes[0]))
        else:
            for node in short[1:]:
                union(short[0], node)
            find(short[0])
    # full and short names have only joined their own kind so far
    attached: dict[Key, set[Key]] = defaultdict(set)
    for s, f in beside:
        attached[find(s)].add(find(f))
    ambiguous = []
    for root, fulls in attached.items():
        if len(fulls) == 1:
            union(root, next(iter(fulls)))
        else:
            ambiguous.append(root)
    members: dict[Key, list[str]] = defaultdict(list)
    for node in list(parent):
        members[find(node)].append(node[1])
    names: dict[Key, str] = {}
    for root, ns_ in members.items():
        best = best_name(ns_)
        for n in ns_:
            names[(root[0], n)] = best
    for root in ambiguous:
        best = names[root]
        names[(root[0], AMBIGUOUS + best)] = best
    return names
