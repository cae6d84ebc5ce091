"""Mapping: model objects → RDF, compared with a golden graph by isomorphism."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from kg.ingest import ingest_text
from kg.mapping import assemble_dataset, map_document
from kg.model import Entity, Mention, Quantity, Relation, Resolved
from kg.ns import KG, SCHEMA, entity_iri, status_iri

GOLDEN = Path(__file__).parent / "data" / "golden" / "small-document.ttl"
TEXT = "丙丁新材料有限公司在甲乙开发区建设丙丁正极材料项目，总投资20亿元。项目已建成投产。"


def small_resolved() -> Resolved:
    doc = ingest_text(TEXT, path="small.txt", metadata={"title": "样例", "date": "2024-01-02"})
    co = str(entity_iri("Company", "丙丁新材料有限公司"))
    zone = str(entity_iri("DevelopmentZone", "甲乙开发区"))
    proj = str(entity_iri("Project", "丙丁正极材料项目"))

    def m(type_, text):
        start = TEXT.index(text)
        return Mention(type_, text, start, start + len(text), text, "rule:test")

    ents = (
        Entity(co, "Company", "丙丁新材料有限公司", (), (m("Company", "丙丁新材料有限公司"),)),
        Entity(zone, "DevelopmentZone", "甲乙开发区", (), (m("DevelopmentZone", "甲乙开发区"),)),
        Entity(proj, "Project", "丙丁正极材料项目", (), (m("Project", "丙丁正极材料项目"),)),
    )
    rels = (
        Relation(co, "investor", proj, 0, 26, "rule:investor"),
        Relation(proj, "locatedIn", zone, 10, 26, "rule:loc"),
        Relation(proj, "hasStatus", str(status_iri("in_production")), 35, 43, "rule:status"),
    )
    q = Quantity("investment", 2e9, "CNY", "总投资20亿元", 27, 34, ("Project", "x"), rule="rule:money")
    return Resolved(document=doc, entities=ents, relations=rels, quantities=((proj, None, q),))


def test_document_graph_matches_golden():
    g = map_document(small_resolved())
    golden = Graph().parse(GOLDEN, format="turtle")
    if not isomorphic(g, golden):  # pragma: no cover - diagnostic output on failure
        from rdflib.compare import graph_diff

        _, only_new, only_golden = graph_diff(to_isomorphic(g), to_isomorphic(golden))
        raise AssertionError(f"only in mapped:\n{only_new.serialize(format='nt')}\n"
                             f"only in golden:\n{only_golden.serialize(format='nt')}")


def test_mapping_is_pure_and_repeatable():
    r = small_resolved()
    assert isomorphic(map_document(r), map_document(r))


def test_quantity_value_is_decimal_and_traceable():
    g = map_document(small_resolved())
    (q,) = list(g.subjects(KG.kind, Literal("investment")))
    value = g.value(q, SCHEMA.value)
    assert str(value.datatype).endswith("#decimal") and value.toPython() == 2000000000
    sentence = g.value(q, KG.sentence)
    assert "总投资20亿元" in str(g.value(sentence, KG.text))


def test_every_relation_has_an_assertion_with_its_sentence():
    g = map_document(small_resolved())
    for _s, _p, o in g.triples((None, KG.locatedIn, None)):
        a = next(g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#object"), o))
        assert g.value(g.value(a, KG.sentence), KG.text) is not None


def test_dataset_has_one_graph_per_document_plus_corpus_graphs():
    ds = assemble_dataset([small_resolved()])
    names = {str(c.identifier) for c in ds.graphs() if len(c)}
    assert any("/doc/" in n for n in names)
    assert {"https://w3id.org/chainkg/graph/ontology", "https://w3id.org/chainkg/graph/entities"} <= names


def test_region_hierarchy_graph_includes_ancestors():
    from kg.mapping import map_regions
    from kg.ns import region_iri

    g = map_regions(["140400"])  # 长治市 → 山西省
    assert (region_iri("140400"), KG.locatedIn, region_iri("140000")) in g
    assert str(g.value(region_iri("140000"), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))) == "山西省"


def test_the_project_namespaces_give_the_terms_rdflib_gives():
    from rdflib import Namespace, URIRef

    from kg.ns import GRAPH, KG

    plain = Namespace(str(KG))
    for name in ("start", "Company", "title"):
        term = getattr(KG, name)
        assert term == getattr(plain, name) and type(term) is URIRef
    assert KG.start is KG.start  # made once
    assert KG["index"] == plain["index"] and KG["index"] is KG["index"]
    assert callable(KG.index) and KG.index("#") > 0  # str's own methods stay methods
    assert GRAPH["ontology"] == URIRef("https://w3id.org/chainkg/graph/ontology")
    with pytest.raises(AttributeError):
        KG.__wrapped__  # noqa: B018


def test_a_namespace_keeps_a_bounded_number_of_terms():
    """Mapping thousands of documents asks for millions of document and mention IRIs; a
    namespace keeps at most ``_TERMS_KEPT`` of them and still gives the same terms."""
    from rdflib import URIRef

    from kg import ns

    n = ns._TERMS_KEPT * 3 + 7
    for i in range(n):
        assert ns.DOC[f"d{i}/m{i}"] == URIRef(f"{ns.DOC}d{i}/m{i}")
    assert 0 < len(ns.DOC._terms) <= ns._TERMS_KEPT
    assert ns.DOC["d5/m5"] == URIRef(f"{ns.DOC}d5/m5")
