"""Stage 4, map: resolved documents → an rdflib Dataset. Pure functions.

Each document gets one named graph (its IRI ``…/doc/{hash}``) holding everything extracted
from it: the document and its evidence sentences, the entities it mentions (typed and
labelled as that document names them), mentions with offsets, relation triples, a reified
:class:`kg:Assertion` per relation (subject, predicate, object, sentence, offsets, rule), and
quantities as ``kg:Quantity`` nodes (``schema:value``, ``schema:unitCode``, ``kg:kind``).
Corpus-wide graphs hold what no single document owns: the ontology, the chain
vocabularies, the region hierarchy and the resolved entity names.

RDF shape in short (``kg:`` = ``https://w3id.org/chainkg/ontology#``)::

    ?e a kg:Project ; rdfs:label "…"@zh .                        # per document graph
    ?e skos:prefLabel "…"@zh ; skos:altLabel "…"@zh .           # graph/entities
    ?p kg:locatedIn ?zone ; kg:hasStatus status:in_production .
    ?a a kg:Assertion ; rdf:subject ?p ; rdf:predicate kg:locatedIn ; rdf:object ?zone ;
       kg:sentence ?s ; kg:start 12 ; kg:end 40 ; kg:rule "…" ; prov:wasDerivedFrom ?doc .
    ?p kg:hasQuantity ?q . ?q kg:kind "investment" ; schema:value 2000000000.0 ;
       schema:unitCode "CNY" ; kg:text "总投资20亿元" ; kg:sentence ?s .
    ?m a kg:Mention ; kg:denotes ?e ; kg:text "…" ; kg:start 3 ; kg:end 9 ; kg:sentence ?s .
    ?s a kg:Sentence ; kg:text "…" ; kg:index 7 ; dcterms:isPartOf ?doc .
    ?x a kg:Product ; kg:productType ?concept ; kg:atLink ?link .  # from ontology/chains
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from rdflib import Dataset, Graph, Literal, URIRef

from .model import Entity, Resolved
from .ns import (
    CHAINS_GRAPH,
    DCTERMS,
    ENTITIES_GRAPH,
    KG,
    ONTOLOGY_GRAPH,
    PROV,
    RDF,
    RDFS,
    REGIONS_GRAPH,
    SCHEMA,
    SKOS,
    XSD,
    bind_prefixes,
    document_iri,
    fact_iri,
    mention_iri,
    region_iri,
    sentence_iri,
)

__all__ = [
    "map_document",
    "map_entities",
    "map_regions",
    "load_ontology",
    "load_chains",
    "assemble_dataset",
    "document_nquads",
    "graph_nquads",
    "PREDICATES",
]

#: Relation predicate names of the JSON contract → ontology properties.
PREDICATES = {
    "locatedIn": KG.locatedIn,
    "investor": KG.investor,
    "produces": KG.produces,
    "partOfChain": KG.partOfChain,
    "upstreamOf": KG.upstreamOf,
    "memberOf": KG.memberOf,
    "hasStatus": KG.hasStatus,
    "chainLeaderOf": KG.chainLeaderOf,
    "jointVentureWith": KG.jointVentureWith,
    "executiveOf": KG.executiveOf,
}

_MONEY = {"CNY", "USD", "EUR", "HKD", "JPY"}


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


# Literals are immutable: the frequent ones (offsets, rules, kinds, units) are made once.
# rdflib takes ~15 us to make a typed literal.
@lru_cache(maxsize=1 << 16, typed=True)
def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


@lru_cache(maxsize=1 << 12)
def _plain(text: str) -> Literal:
    return Literal(text)


@lru_cache(maxsize=1 << 14)
def _decimal(value: float) -> Literal:
    """An xsd:decimal in canonical lexical form (always a point, never an exponent)."""
    text = format(Decimal(repr(float(value))), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def _entity_triples(g: Graph, e: Entity, label_pred=RDFS.label) -> None:
    s = URIRef(e.iri)
    g.add((s, RDF.type, KG[e.type]))
    g.add((s, label_pred, _zh(e.label)))
    for k, v in e.attrs:
        if k == "concept":
            g.add((s, KG.productType, URIRef(v)))
        elif k == "link":
            g.add((s, KG.atLink, URIRef(v)))
        elif k == "chain":
            g.add((s, KG.chainScheme, URIRef(v)))
        elif k == "code" and e.type == "Region":
            g.add((s, KG.adminCode, Literal(v)))
        elif k == "level" and e.type == "Region":
            g.add((s, KG.adminLevel, Literal(v)))
        elif k == "leader":
            g.add((s, KG.chainLeaderFlag, Literal(True)))


def map_document(resolved: Resolved) -> Graph:
    """Map one resolved document to its named graph (returned as a plain Graph).

    Examples
    --------
    >>> from kg.ingest import ingest_text
    >>> from kg.model import Resolved
    >>> g = map_document(Resolved(document=ingest_text("长治市1141个新建项目已开工。")))
    >>> len(g) > 0
    True
    """
    g = Graph(identifier=document_iri(resolved.document.id))
    bind_prefixes(g)
    _map_into(g, resolved)
    return g


class _Sink(list):
    """A list of triples with a ``Graph.add``-like method (mapping without indexing)."""

    __slots__ = ()

    def add(self, triple) -> None:
        self.append(triple)


def _map_into(g, resolved: Resolved) -> None:
    """Add the triples of one resolved document to ``g`` (anything with ``add``)."""
    doc = resolved.document
    d = document_iri(doc.id)
    g.add((d, RDF.type, KG.Document))
    g.add((d, DCTERMS.identifier, Literal(doc.id)))
    if doc.title:
        g.add((d, DCTERMS.title, _zh(doc.title)))
    if doc.source:
        g.add((d, DCTERMS.source, Literal(doc.source)))
    if doc.date:
        dt = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(doc.date), XSD.string)
        g.add((d, DCTERMS.date, Literal(doc.date, datatype=dt)))
    g.add((d, KG.chars, _int(len(doc.text))))
    g.add((d, KG.encoding, _plain(doc.encoding)))

    used_sentences: set[int] = set()

    def sentence_of(offset: int) -> URIRef | None:
        s = doc.sentence_at(offset)
        if s is None:
            return None
        used_sentences.add(s.index)
        return sentence_iri(doc.id, s.index)

    for e in resolved.entities:
        _entity_triples(g, e)
        for alias in e.aliases:
            g.add((URIRef(e.iri), SKOS.altLabel, _zh(alias)))
        for m in e.mentions:
            mi = mention_iri(doc.id, m.start, m.end)
            g.add((mi, RDF.type, KG.Mention))
            g.add((mi, KG.denotes, URIRef(e.iri)))
            g.add((mi, KG.text, _zh(m.text)))
            g.add((mi, KG.start, _int(m.start)))
            g.add((mi, KG.end, _int(m.end)))
            if m.rule:
                g.add((mi, KG.rule, _plain(m.rule)))
            si = sentence_of(m.start)
            if si is not None:
                g.add((mi, KG.sentence, si))
            g.add((URIRef(e.iri), PROV.wasDerivedFrom, d))

    for r in resolved.relations:
        pred = PREDICATES.get(r.predicate, KG[r.predicate])
        s, o = URIRef(r.subject), URIRef(r.object)
        g.add((s, pred, o))
        a = fact_iri(doc.id, "rel", r.subject, r.predicate, r.object, r.start)
        g.add((a, RDF.type, KG.Assertion))
        g.add((a, RDF.subject, s))
        g.add((a, RDF.predicate, pred))
        g.add((a, RDF.object, o))
        g.add((a, KG.start, _int(r.start)))
        g.add((a, KG.end, _int(r.end)))
        g.add((a, PROV.wasDerivedFrom, d))
        if r.rule:
            g.add((a, KG.rule, _plain(r.rule)))
        si = sentence_of(r.start)
        if si is not None:
            g.add((a, KG.sentence, si))
        if r.predicate == "hasStatus" and doc.date:
            g.add((a, KG.statedOn, Literal(doc.date)))

    for subj, prod, q in resolved.quantities:
        qi = fact_iri(doc.id, "qty", subj, q.kind, q.value, q.unit, q.start)
        g.add((qi, RDF.type, KG.Quantity))
        g.add((qi, RDF.type, SCHEMA.MonetaryAmount if q.unit in _MONEY else SCHEMA.QuantitativeValue))
        g.add((qi, KG.kind, _plain(q.kind)))
        g.add((qi, SCHEMA.value, _decimal(q.value)))
        g.add((qi, SCHEMA.unitCode, _plain(q.unit)))
        g.add((qi, KG.text, _zh(q.text)))
        g.add((qi, KG.start, _int(q.start)))
        g.add((qi, KG.end, _int(q.end)))
        g.add((qi, PROV.wasDerivedFrom, d))
        if q.approximate:
            g.add((qi, KG.approximate, Literal(True)))
        if q.bound:
            g.add((qi, KG.bound, Literal(q.bound)))
        if q.period:
            g.add((qi, KG.period, _zh(q.period)))
        if q.rule:
            g.add((qi, KG.rule, _plain(q.rule)))
        if subj:
            g.add((URIRef(subj), KG.hasQuantity, qi))
            g.add((qi, KG.about, URIRef(subj)))
        if prod:
            g.add((qi, KG.product, URIRef(prod)))
        si = sentence_of(q.start)
        if si is not None:
            g.add((qi, KG.sentence, si))

    if resolved.events:
        from .lifecycle import map_events  # lazy: only documents with events need it

        for offset in map_events(g, resolved):
            sentence_of(offset)

    for idx in sorted(used_sentences):
        sent = doc.sentences[idx]
        si = sentence_iri(doc.id, idx)
        g.add((si, RDF.type, KG.Sentence))
        g.add((si, DCTERMS.isPartOf, d))
        g.add((si, KG["index"], _int(idx)))
        g.add((si, KG.start, _int(sent.start)))
        g.add((si, KG.end, _int(sent.end)))
        g.add((si, KG.text, _zh(sent.text)))


def _escape(text: str) -> str:
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                .replace("\r", "\\r"))
    return text


_XSD_STRING = str(XSD.string)


def _nt(term) -> str:
    if type(term) is URIRef or isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        lex = _escape(str(term))
        if term.language:
            return f'"{lex}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f'"{lex}"^^<{term.datatype}>'
        return f'"{lex}"'
    return f"_:{term}"


class _NtText(dict):
    """``{term: its N-Triples text}``, each term formatted once (a document's triples repeat
    their subjects, predicates and many objects)."""

    __slots__ = ()

    def __missing__(self, term) -> str:
        text = self[term] = _nt(term)
        return text


def graph_nquads(triples, graph_iri, nt: dict | None = None) -> str:
    """N-Quads text of ``triples`` in the named graph ``graph_iri`` (duplicates removed).
    ``nt``: an :class:`_NtText` to share with other writers of the same terms."""
    g = f"<{graph_iri}> .\n"
    nt = _NtText() if nt is None else nt
    lines = {f"{nt[s]} {nt[p]} {nt[o]} {g}" for s, p, o in triples}
    return "".join(sorted(lines))


def document_nquads(resolved: Resolved) -> str:
    """The document's named graph (:func:`map_document`) as N-Quads text, fast.

    Builds no rdflib graph: the triples are collected in a list and written directly, which
    is what parallel builds do in their workers. Parsed, the text is isomorphic to
    :func:`map_document`'s graph.
    """
    sink = _Sink()
    _map_into(sink, resolved)
    return graph_nquads(sink, document_iri(resolved.document.id))


def map_entities(resolved: Iterable[Resolved]) -> Graph:
    """The corpus-wide entities graph: canonical names and all aliases of every entity."""
    g = Graph(identifier=ENTITIES_GRAPH)
    labels: dict[str, tuple[str, str, set[str]]] = {}
    for r in resolved:
        for e in r.entities:
            if e.iri in labels:
                t, lab, al = labels[e.iri]
                al |= set(e.aliases) | {e.label}
            else:
                labels[e.iri] = (e.type, e.label, set(e.aliases))
    for iri, (t, lab, al) in sorted(labels.items()):
        s = URIRef(iri)
        g.add((s, RDF.type, KG[t]))
        g.add((s, SKOS.prefLabel, _zh(lab)))
        for a in sorted(al - {lab}):
            g.add((s, SKOS.altLabel, _zh(a)))
    return g


def map_regions(codes: Iterable[str]) -> Graph:
    """The region hierarchy graph for the given admin codes and all their ancestors."""
    from .regions import place_by_code  # lazy: loads the gazetteer

    g = Graph(identifier=REGIONS_GRAPH)
    todo = sorted(set(codes))
    seen: set[str] = set()
    while todo:
        code = todo.pop()
        if code in seen:
            continue
        seen.add(code)
        place = place_by_code(code)
        if place is None:
            continue
        s = region_iri(code)
        g.add((s, RDF.type, KG.Region))
        g.add((s, SKOS.prefLabel, _zh(place.name)))
        g.add((s, KG.adminCode, Literal(code)))
        g.add((s, KG.adminLevel, Literal(place.level)))
        if place.short and place.short != place.name:
            g.add((s, SKOS.altLabel, _zh(place.short)))
        if place.parent and place.parent != code:  # some entries are their own parent
            g.add((s, KG.locatedIn, region_iri(place.parent)))
            todo.append(place.parent)
    return g


@lru_cache(maxsize=1)
def _ontology_ntriples() -> str:
    from .resources import ontology_dir

    g = Graph()
    for name in ("chainkg.ttl", "status.ttl", "lifecycle.ttl", "analysis.ttl"):
        p = ontology_dir() / name
        if p.is_file():
            g.parse(p, format="turtle")
    return g.serialize(format="nt")


@lru_cache(maxsize=1)
def _chains_ntriples() -> str:
    from .resources import chain_files

    g = Graph()
    for p in chain_files():
        g.parse(p, format="turtle")
    return g.serialize(format="nt")


def load_ontology() -> Graph:
    """The ontology graph (ontology/chainkg.ttl, status.ttl and lifecycle.ttl)."""
    g = Graph(identifier=ONTOLOGY_GRAPH)
    g.parse(data=_ontology_ntriples(), format="nt")
    return g


def load_chains() -> Graph:
    """The chain vocabularies graph (ontology/chains/*.ttl)."""
    g = Graph(identifier=CHAINS_GRAPH)
    g.parse(data=_chains_ntriples(), format="nt")
    return g


def assemble_dataset(resolved: Iterable[Resolved], *, include_vocabularies: bool = True) -> Dataset:
    """Assemble the whole dataset: one graph per document plus the corpus-wide graphs."""
    resolved = list(resolved)
    ds = Dataset()
    bind_prefixes(ds)
    if include_vocabularies:
        for src in (load_ontology(), load_chains()):
            ctx = ds.graph(src.identifier)
            for t in src:
                ctx.add(t)
    codes: set[str] = set()
    for r in resolved:
        g = map_document(r)
        ctx = ds.graph(g.identifier)
        for t in g:
            ctx.add(t)
        for e in r.entities:
            for k, v in e.attrs:
                if k == "code" and e.type == "Region":
                    codes.add(v)
    for g in (map_entities(resolved), map_regions(codes)):
        ctx = ds.graph(g.identifier)
        for t in g:
            ctx.add(t)
    return ds


