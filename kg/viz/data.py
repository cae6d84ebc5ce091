"""Stage viz, data: the RDF graph → the plain data the explorer draws, by SPARQL.

The explorer's nodes, edges, facets (class, chain, zone, region, project stage) and side-panel
contents (aliases, quantities with units, source sentences with the mention highlighted) are
all read from the RDF graph with the SPARQL queries of this module, so RDF stays the one
source of truth. Queries run on an in-memory Oxigraph store over the union of all named
graphs (an rdflib Dataset is copied into one first): rdflib's own SPARQL engine is far too slow
for the 5,000-node graphs the explorer must handle.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..ns import CHAIN, is_chain_iri

__all__ = ["CLASSES", "PREDICATE_LABELS", "ExplorerData", "NodeInfo", "EdgeInfo",
           "to_store", "explorer_data", "select"]

#: Entity classes drawn by the explorer: key → (Chinese label, English, colour, vis shape).
#: Order is the legend order and the priority when a node carries several classes.
CLASSES: dict[str, tuple[str, str, str, str]] = {
    "Project": ("项目", "Project", "#f28e2b", "triangle"),
    "Company": ("企业", "Company", "#4e79a7", "dot"),
    "EnterpriseGroup": ("企业集团", "Enterprise group", "#1f4e79", "diamond"),
    "DevelopmentZone": ("园区/开发区", "Development zone", "#59a14f", "square"),
    "GovernmentBody": ("政府部门", "Government body", "#76b7b2", "hexagon"),
    "Region": ("行政区", "Region", "#edc948", "triangleDown"),
    "Product": ("产品", "Product", "#e15759", "diamond"),
    "IndustryChain": ("产业链", "Industry chain", "#ff9da7", "star"),
    "ChainLink": ("产业链环节", "Chain link", "#d37295", "hexagon"),
    "Person": ("人物", "Person", "#b07aa1", "dot"),
    "Meeting": ("会议/活动", "Meeting", "#9c755f", "dot"),
}

#: Relation predicates drawn as edges (local name → Chinese label).
PREDICATE_LABELS: dict[str, str] = {
    "locatedIn": "位于",
    "investor": "投资",
    "produces": "生产",
    "partOfChain": "属于产业链",
    "upstreamOf": "上游",
    "memberOf": "隶属",
    "chainLeaderOf": "链主",
    "jointVentureWith": "合资",
    "executiveOf": "任职",
    "atLink": "所属环节",
}

_KG = "https://w3id.org/chainkg/ontology#"
_PREFIXES = """\
PREFIX kg: <https://w3id.org/chainkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

Q_TYPES = _PREFIXES + """
SELECT ?s ?type WHERE {
  VALUES ?type { %s }
  ?s a ?type .
}""".replace("%s", " ".join(f"kg:{c}" for c in CLASSES))

Q_LABELS = _PREFIXES + """
SELECT ?s ?p ?l WHERE {
  VALUES ?p { skos:prefLabel rdfs:label skos:altLabel }
  ?s ?p ?l .
}"""

Q_EDGES = _PREFIXES + """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { %s }
  ?s ?p ?o .
  FILTER(isIRI(?o))
}""".replace("%s", " ".join(f"kg:{p}" for p in PREDICATE_LABELS))

Q_STATUS = _PREFIXES + """
SELECT ?s ?st ?label WHERE {
  ?s kg:hasStatus ?st .
  OPTIONAL { ?st skos:prefLabel ?label FILTER(langMatches(lang(?label), "zh")) }
}"""

Q_CHAINS = _PREFIXES + """
SELECT DISTINCT ?s ?scheme WHERE {
  { ?s kg:chainScheme ?scheme }
  UNION { ?s kg:partOfChain ?c . ?c kg:chainScheme ?scheme }
  UNION { ?s kg:partOfChain ?scheme . ?scheme a skos:ConceptScheme }
  UNION { ?s kg:atLink ?l . ?l skos:inScheme ?scheme }
  UNION { ?s kg:produces ?x . ?x kg:atLink ?l . ?l skos:inScheme ?scheme }
  UNION { ?s kg:produces ?x . ?x kg:chainScheme ?scheme }
  UNION { ?s kg:investor ?p . ?p kg:produces ?x . ?x kg:atLink ?l . ?l skos:inScheme ?scheme }
  UNION { ?s kg:investor ?p . ?p kg:partOfChain ?c . ?c kg:chainScheme ?scheme }
  UNION { ?s skos:inScheme ?scheme . ?s a kg:ChainLink }
}"""

Q_SCHEMES = _PREFIXES + """
SELECT ?scheme ?label WHERE {
  ?scheme a kg:IndustryChain .
  OPTIONAL { ?scheme skos:prefLabel ?label FILTER(langMatches(lang(?label), "zh")) }
}"""

Q_PLACES = _PREFIXES + """
SELECT DISTINCT ?s ?place ?kind WHERE {
  { ?s kg:locatedIn ?place . ?place a kg:DevelopmentZone . BIND("zone" AS ?kind) }
  UNION { ?s kg:locatedIn+ ?place . ?place a kg:Region . BIND("region" AS ?kind) }
}"""

Q_LEADERS = _PREFIXES + """
SELECT DISTINCT ?s WHERE {
  { ?s kg:chainLeaderFlag true } UNION { ?s kg:chainLeaderOf ?x }
}"""

Q_QUANTITIES = _PREFIXES + """
SELECT ?s ?q ?kind ?value ?unit ?text ?sent ?start ?end ?prodLabel WHERE {
  ?s kg:hasQuantity ?q .
  ?q kg:kind ?kind ; schema:value ?value .
  OPTIONAL { ?q schema:unitCode ?unit }
  OPTIONAL { ?q kg:text ?text }
  OPTIONAL { ?q kg:sentence ?sent }
  OPTIONAL { ?q kg:start ?start }
  OPTIONAL { ?q kg:end ?end }
  OPTIONAL { ?q kg:product ?prod . ?prod rdfs:label|skos:prefLabel ?prodLabel }
}"""

Q_MENTIONS = _PREFIXES + """
SELECT ?e ?sent ?start ?end WHERE {
  ?m a kg:Mention ; kg:denotes ?e ; kg:sentence ?sent ; kg:start ?start ; kg:end ?end .
}"""

Q_ASSERTIONS = _PREFIXES + """
SELECT ?s ?p ?o ?sent ?start ?end ?rule WHERE {
  ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:sentence ?sent .
  OPTIONAL { ?a kg:start ?start }
  OPTIONAL { ?a kg:end ?end }
  OPTIONAL { ?a kg:rule ?rule }
}"""

Q_SENTENCES = _PREFIXES + """
SELECT ?sent ?text ?start ?doc ?title ?source WHERE {
  ?sent a kg:Sentence ; kg:text ?text ; dcterms:isPartOf ?doc .
  OPTIONAL { ?sent kg:start ?start }
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:source ?source }
}"""

#: Cap on source sentences kept per node or edge (keeps the page small; the rest is counted).
MAX_SOURCES = 12


@dataclass
class NodeInfo:
    """One explorer node: everything its side panel shows."""

    iri: str
    cls: str
    label: str = ""
    aliases: list[str] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    status: str | None = None
    status_label: str | None = None
    leader: bool = False
    investment: float | None = None
    quantities: list[dict[str, Any]] = field(default_factory=list)
    sources: list[list] = field(default_factory=list)  # [sentence index, hl start, hl end]
    source_count: int = 0
    degree: int = 0


@dataclass
class EdgeInfo:
    """One explorer edge (a relation triple) with its source sentences."""

    source: str
    target: str
    pred: str
    sources: list[list] = field(default_factory=list)
    source_count: int = 0


@dataclass
class ExplorerData:
    """What :func:`explorer_data` reads from the graph."""

    nodes: dict[str, NodeInfo]
    edges: list[EdgeInfo]
    sentences: list[list[str]]  # [document title, sentence text]
    labels: dict[str, str]  # any IRI (chains, zones, regions) → display label
    chain_labels: dict[str, str]  # scheme IRI → label


def to_store(graph):
    """An Oxigraph store holding ``graph`` (a store, rdflib Graph/Dataset, or a file path).

    Returns a ``pyoxigraph.Store`` (the input itself when it already is one).
    """
    import pyoxigraph as ox

    if isinstance(graph, ox.Store):
        return graph
    if isinstance(graph, str) or hasattr(graph, "__fspath__"):
        from ..store import load_graph  # safe parse: no remote fetch, no entity expansion

        graph = load_graph(graph)
    store = ox.Store()
    data = graph.serialize(format="nquads" if hasattr(graph, "contexts") else "nt")
    if isinstance(data, str):
        data = data.encode("utf-8")
    fmt = ox.RdfFormat.N_QUADS if hasattr(graph, "contexts") else ox.RdfFormat.N_TRIPLES
    store.bulk_load(data, format=fmt)
    return store


def select(store, query: str) -> list[dict[str, Any]]:
    """Run a SELECT on the union of all graphs; rows of plain Python values (str/int/float).

    Results are serialised to SPARQL TSV inside Oxigraph and parsed here: building a Python
    object per term through the solution iterator costs three times as much on large graphs.
    """
    import pyoxigraph as ox

    from ..store_oxigraph import union_query_kwargs

    result = store.query(query, **union_query_kwargs(store))
    names = [v.value for v in result.variables]
    text = result.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
    lines = text.split("\n")
    out = []
    term = _term
    for line in lines[1:]:
        if not line:
            continue
        cells = line.split("\t")
        out.append(dict(zip(names, map(term, cells), strict=False)))
    return out


_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#int",
    "http://www.w3.org/2001/XMLSchema#long",
    "http://www.w3.org/2001/XMLSchema#decimal",
    "http://www.w3.org/2001/XMLSchema#double",
    "http://www.w3.org/2001/XMLSchema#float",
}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'",
            "\\": "\\"}


def _unescape(m: re.Match) -> str:
    e = m.group(1)
    if e[0] in "uU" and len(e) > 1:
        return chr(int(e[1:], 16))
    return _ESCAPES.get(e, e)


def _number(text: str):
    try:
        f = float(text)
    except ValueError:
        return text
    return int(f) if f.is_integer() and abs(f) < 2**53 else f


def _term(cell: str):
    """One SPARQL-TSV cell (an N-Triples term, or a bare number) → str / int / float / None."""
    if not cell:
        return None
    c = cell[0]
    if c == "<":
        return cell[1:-1]
    if c == '"':
        end = cell.rfind('"')
        body = cell[1:end]
        if "\\" in body:
            body = _ESCAPE.sub(_unescape, body)
        rest = cell[end + 1:]
        if rest.startswith("^^<") and rest[3:-1] in _NUMERIC:
            return _number(body)
        return body
    if c == "_":
        return cell
    if cell in ("true", "false"):
        return cell == "true"
    return _number(cell)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def explorer_data(graph) -> ExplorerData:
    """Read the explorer's nodes, edges, facets and provenance from ``graph`` by SPARQL.

    Parameters
    ----------
    graph
        An rdflib ``Dataset``/``Graph``, a ``pyoxigraph.Store``, or the path of an RDF file.

    Returns
    -------
    ExplorerData
        Entity nodes (chain-vocabulary nodes only when an entity points at them), relation
        edges, the sentence table the sources index into, and display labels.
    """
    store = to_store(graph)
    prio = {c: i for i, c in enumerate(CLASSES)}
    cls_of: dict[str, str] = {}
    for r in select(store, Q_TYPES):
        c = _local(r["type"])
        s = r["s"]
        if s not in cls_of or prio[c] < prio[cls_of[s]]:
            cls_of[s] = c

    pref: dict[str, str] = {}
    rlabel: dict[str, str] = {}
    alts: dict[str, set[str]] = defaultdict(set)
    for r in select(store, Q_LABELS):
        p = _local(r["p"])
        if p == "prefLabel":
            pref.setdefault(r["s"], r["l"])
        elif p == "label":
            rlabel.setdefault(r["s"], r["l"])
        else:
            alts[r["s"]].add(r["l"])

    def label_of(iri: str) -> str:
        return pref.get(iri) or rlabel.get(iri) or _local(iri)

    # Entities first; chain-vocabulary concepts only when an entity edge reaches them.
    entity_iris = {s for s in cls_of if not is_chain_iri(s) and not s.startswith("_:")}
    raw_edges = []
    vocab_used: set[str] = set()
    for r in select(store, Q_EDGES):
        s, o, p = r["s"], r["o"], _local(r["p"])
        if s not in entity_iris:
            continue
        if o not in entity_iris:
            if is_chain_iri(o) and o in cls_of:
                vocab_used.add(o)
            elif is_chain_iri(o) and p == "atLink":
                cls_of[o] = "ChainLink"
                vocab_used.add(o)
            else:
                continue
        raw_edges.append((s, p, o))

    nodes: dict[str, NodeInfo] = {}
    for iri in sorted(entity_iris | vocab_used):
        labels_all = set(alts.get(iri, ()))
        if iri in rlabel:
            labels_all.add(rlabel[iri])
        lab = label_of(iri)
        nodes[iri] = NodeInfo(iri=iri, cls=cls_of[iri], label=lab,
                              aliases=sorted(labels_all - {lab}))

    edges: dict[tuple[str, str, str], EdgeInfo] = {}
    for s, p, o in sorted(set(raw_edges)):
        edges[(s, p, o)] = EdgeInfo(source=s, target=o, pred=p)
        nodes[s].degree += 1
        nodes[o].degree += 1

    for r in select(store, Q_STATUS):
        n = nodes.get(r["s"])
        if n is not None:
            n.status = _local(r["st"])
            n.status_label = r["label"] or n.status

    chain_labels: dict[str, str] = {}
    for r in select(store, Q_SCHEMES):
        chain_labels.setdefault(r["scheme"], r["label"] or _local(r["scheme"]))
    chains_of: dict[str, set[str]] = defaultdict(set)
    for r in select(store, Q_CHAINS):
        if r["s"] in nodes and str(r["scheme"]).startswith(str(CHAIN)):
            chains_of[r["s"]].add(r["scheme"])
            chain_labels.setdefault(r["scheme"], label_of(r["scheme"]))
    for iri, cs in chains_of.items():
        nodes[iri].chains = sorted(cs)
    for iri, n in nodes.items():
        if n.cls == "IndustryChain" and iri in chain_labels and iri not in n.chains:
            n.chains.append(iri)

    places: dict[str, str] = {}
    for r in select(store, Q_PLACES):
        n = nodes.get(r["s"])
        if n is None:
            continue
        (n.zones if r["kind"] == "zone" else n.regions).append(r["place"])
        places[r["place"]] = label_of(r["place"])
    for iri, n in nodes.items():
        if n.cls == "DevelopmentZone":
            n.zones.append(iri)
            places[iri] = n.label
        elif n.cls == "Region":
            n.regions.append(iri)
            places[iri] = n.label
        n.zones = sorted(set(n.zones))
        n.regions = sorted(set(n.regions))

    for r in select(store, Q_LEADERS):
        if r["s"] in nodes:
            nodes[r["s"]].leader = True

    # Sentences: one table, referenced by index from nodes, edges and quantities.
    sent_index: dict[str, int] = {}
    sentences: list[list[str]] = []
    sent_start: dict[str, int] = {}
    for r in select(store, Q_SENTENCES):
        if r["sent"] in sent_index:
            continue
        sent_index[r["sent"]] = len(sentences)
        sent_start[r["sent"]] = int(r["start"] or 0)
        title = r["title"] or r["source"] or _local(r["doc"])
        sentences.append([str(title), str(r["text"])])

    def ref(sent: str | None, start, end) -> list | None:
        if sent is None or sent not in sent_index:
            return None
        base = sent_start[sent]
        text_len = len(sentences[sent_index[sent]][1])
        if start is None or end is None:
            return [sent_index[sent], 0, 0]
        a = max(0, min(text_len, int(start) - base))
        b = max(a, min(text_len, int(end) - base))
        return [sent_index[sent], a, b]

    for r in select(store, Q_QUANTITIES):
        n = nodes.get(r["s"])
        if n is None:
            continue
        value = r["value"]
        q = {"kind": r["kind"], "value": value, "unit": r["unit"] or "",
             "text": r["text"] or "", "product": r["prodLabel"] or ""}
        src = ref(r["sent"], r["start"], r["end"])
        if src is not None:
            q["source"] = src
        if q not in n.quantities:
            n.quantities.append(q)
        if r["kind"] == "investment" and isinstance(value, (int, float)):
            n.investment = max(n.investment or 0.0, float(value))
    for n in nodes.values():
        n.quantities.sort(key=lambda q: (q["kind"], str(q["value"])))

    seen_src: dict[str, set] = defaultdict(set)
    for r in select(store, Q_MENTIONS):
        n = nodes.get(r["e"])
        if n is None:
            continue
        src = ref(r["sent"], r["start"], r["end"])
        if src is None or tuple(src) in seen_src[r["e"]]:
            continue
        seen_src[r["e"]].add(tuple(src))
        n.source_count += 1
        if len(n.sources) < MAX_SOURCES:
            n.sources.append(src)

    seen_edge_src: dict[tuple, set] = defaultdict(set)
    for r in select(store, Q_ASSERTIONS):
        key = (r["s"], _local(r["p"]), r["o"])
        e = edges.get(key)
        if e is None:
            continue
        src = ref(r["sent"], r["start"], r["end"])
        if src is None or tuple(src) in seen_edge_src[key]:
            continue
        seen_edge_src[key].add(tuple(src))
        e.source_count += 1
        if len(e.sources) < MAX_SOURCES:
            e.sources.append(src)
    for n in nodes.values():
        n.sources.sort()
    for e in edges.values():
        e.sources.sort()

    labels = dict(places)
    labels.update(chain_labels)
    return ExplorerData(nodes=nodes, edges=list(edges.values()), sentences=sentences,
                        labels=labels, chain_labels=chain_labels)


def node_value(n: NodeInfo, size_by: str) -> float:
    """The number a node is sized by: its degree, or log-scaled investment (yuan)."""
    if size_by == "investment":
        return 1.0 + (math.log10(n.investment) if n.investment and n.investment > 1 else 0.0)
    return 1.0 + n.degree
