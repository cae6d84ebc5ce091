"""Namespaces and IRI minting: the one module that builds IRIs from strings.

Every IRI chainkg writes is ASCII and deterministic: the same input gives the same IRI on
every machine and in every document order. Chinese names are labels, never path segments;
an entity key is the toneless pinyin of its canonical name (a readable hint, truncated)
plus a short hash of the NFKC-normalised name (the identity).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "BASE",
    "KG",
    "ID",
    "DOC",
    "CHAIN",
    "STATUS",
    "GRAPH",
    "SCHEMA",
    "ORG",
    "QB",
    "PROV",
    "SKOS",
    "RDF",
    "RDFS",
    "OWL",
    "XSD",
    "DCTERMS",
    "ONTOLOGY_GRAPH",
    "CHAINS_GRAPH",
    "REGIONS_GRAPH",
    "ENTITIES_GRAPH",
    "ANALYSIS_GRAPH",
    "DERIVED_GRAPH",
    "STATUS_CODES",
    "slug",
    "entity_key",
    "entity_iri",
    "region_iri",
    "document_iri",
    "sentence_iri",
    "mention_iri",
    "fact_iri",
    "status_iri",
    "analysis_iri",
    "chain_iri",
    "is_chain_iri",
    "bind_prefixes",
]



#: Terms each namespace keeps (the vocabulary's all, a document's IRIs while it is mapped).
_TERMS_KEPT = 1 << 14


class _Namespace(Namespace):
    """rdflib's ``Namespace`` whose terms are made once each (``KG.start``, ``KG["index"]``):
    rdflib makes and checks a new ``URIRef`` on every access, and mapping one document asks
    for thousands."""

    def __new__(cls, value: str):
        ns = super().__new__(cls, value)
        ns.__dict__["_terms"] = {}
        return ns

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term  # found without __getattr__ from now on
        return term

    def __getitem__(self, key: str) -> URIRef:
        try:
            return self._terms[key]
        except (KeyError, TypeError):
            term = self.term(key)
            if isinstance(key, str):
                terms = self._terms
                if len(terms) >= _TERMS_KEPT:
                    # bounded: a worker mapping thousands of documents met millions of
                    # document and mention IRIs (2.35 GB for the build of 10,000 documents)
                    terms.clear()
                terms[key] = term
            return term


BASE = "https://w3id.org/chainkg/"
KG = _Namespace(BASE + "ontology#")
ID = _Namespace(BASE + "id/")
DOC = _Namespace(BASE + "doc/")
CHAIN = _Namespace(BASE + "chain/")
STATUS = _Namespace(BASE + "status/")
GRAPH = _Namespace(BASE + "graph/")
SCHEMA = _Namespace("https://schema.org/")
ORG = _Namespace("http://www.w3.org/ns/org#")
QB = _Namespace("http://purl.org/linked-data/cube#")

ONTOLOGY_GRAPH = GRAPH["ontology"]
CHAINS_GRAPH = GRAPH["chains"]
REGIONS_GRAPH = GRAPH["regions"]
ENTITIES_GRAPH = GRAPH["entities"]
ANALYSIS_GRAPH = GRAPH["analysis"]
#: Helper triples computed from all the other graphs at build time (kg.derive): closures and
#: per-project summaries that let the stored queries avoid property paths and OPTIONAL groups.
DERIVED_GRAPH = GRAPH["derived"]

#: Project life-cycle status codes (the scored ones first), see ontology/status.ttl.
STATUS_CODES: tuple[str, ...] = (
    "planned",
    "not_started",
    "started",
    "under_construction",
    "trial_production",
    "in_production",
    "completed",
    "signed",
    "preliminary",
    "continued",
    "resumed",
    "suspended",
    "reached_capacity",
)

_KIND_SEGMENT = {
    "Company": "company",
    "DevelopmentZone": "zone",
    "Project": "project",
    "GovernmentBody": "gov",
    "Person": "person",
    "Region": "region",
    "Product": "product",
    "IndustryChain": "industry",
    "Meeting": "meeting",
}

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def _norm(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


@lru_cache(maxsize=65536)
def slug(name: str, max_len: int = 40) -> str:
    """A readable ASCII slug of ``name``: toneless pinyin for Han characters.

    >>> slug("光伏组件")
    'guang-fu-zu-jian'
    >>> slug("MLED显示")
    'mled-xian-shi'
    """
    from pypinyin import Style, lazy_pinyin  # lazy: pypinyin loads its dictionary on import

    parts = lazy_pinyin(_norm(name).lower(), style=Style.NORMAL, errors="default")
    text = "-".join(p for p in parts if p)
    s = _NON_SLUG.sub("-", text.lower()).strip("-")
    if len(s) > max_len:
        s = s[:max_len].rstrip("-")
    return s or "x"


def entity_key(name: str) -> str:
    """Deterministic ASCII key of a canonical name: ``slug-hash8``.

    >>> entity_key("甲乙高新区") == entity_key("甲乙高新区")
    True
    >>> entity_key("甲乙高新区").isascii()
    True
    """
    n = _norm(name)
    digest = hashlib.sha1(n.encode("utf-8")).hexdigest()[:8]
    return f"{slug(n)}-{digest}"


def entity_iri(type_: str, name: str):
    """IRI of an entity of ``type_`` with canonical ``name``."""
    try:
        seg = _KIND_SEGMENT[type_]
    except KeyError:
        raise ValueError(f"unknown entity type {type_!r}; expected one of {sorted(_KIND_SEGMENT)}") from None
    return ID[f"{seg}/{entity_key(name)}"]


def region_iri(code: str):
    """IRI of an administrative region by its 6-digit code (GB/T 2260), or a named area."""
    if code.isdigit():
        return ID[f"region/{code}"]
    return entity_iri("Region", code)


def document_iri(doc_id: str):
    """IRI (and named-graph name) of a document by its content hash."""
    if not re.fullmatch(r"[0-9a-f]{8,64}", doc_id):
        raise ValueError(f"document id must be a hex content hash, got {doc_id!r}")
    return DOC[doc_id]


def sentence_iri(doc_id: str, index: int):
    return DOC[f"{doc_id}/s{index}"]


def mention_iri(doc_id: str, start: int, end: int):
    return DOC[f"{doc_id}/m{start}-{end}"]


def fact_iri(doc_id: str, *parts: object):
    """IRI of a reified fact (assertion, quantity) of a document, from its identifying parts."""
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:12]
    return DOC[f"{doc_id}/f{digest}"]


def analysis_iri(kind: str, *parts: object):
    """IRI of an analysis finding (a conflict, a gap, a flag) from its identifying parts.

    >>> str(analysis_iri("conflict", "a", "b")).startswith("https://w3id.org/chainkg/analysis/conflict/")
    True
    """
    if not re.fullmatch(r"[a-z][a-z0-9-]*", kind):
        raise ValueError(f"analysis kind must be a lowercase ASCII word, got {kind!r}")
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]
    return Namespace(BASE + "analysis/")[f"{kind}/{digest}"]


def status_iri(code: str):
    if code not in STATUS_CODES:
        raise ValueError(f"unknown status code {code!r}; expected one of {STATUS_CODES}")
    return STATUS[code]


def chain_iri(chain: str, link: str | None = None):
    return CHAIN[chain if link is None else f"{chain}/{link}"]


def is_chain_iri(iri: str) -> bool:
    return str(iri).startswith(str(CHAIN))


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib Graph or Dataset."""
    for prefix, ns in (
        ("kg", KG),
        ("id", ID),
        ("doc", DOC),
        ("chain", CHAIN),
        ("status", STATUS),
        ("schema", SCHEMA),
        ("org", ORG),
        ("qb", QB),
        ("prov", PROV),
        ("skos", SKOS),
        ("dcterms", DCTERMS),
        ("owl", OWL),
        ("xsd", XSD),
    ):
        graph.bind(prefix, ns, override=True)
