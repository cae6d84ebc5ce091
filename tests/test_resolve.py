"""Resolution: one entity per group, stable IRIs, cross-document merging independent of order."""

from __future__ import annotations

import itertools

from kg.ingest import ingest_text
from kg.model import Extraction, Mention, Quantity, RelationCandidate
from kg.resolve import resolve_corpus, resolve_entities


def _ex(text, mentions, relations=(), quantities=(), canonical=()):
    return Extraction(document=ingest_text(text), mentions=tuple(mentions),
                      relations=tuple(relations), quantities=tuple(quantities),
                      canonical=tuple(canonical))


def M(type_, text, start, key, **attrs):
    return Mention(type_, text, start, start + len(text), key, "test", tuple(sorted(attrs.items())))


def test_groups_become_entities_with_canonical_and_aliases():
    text = "甲乙经济技术开发区（简称甲乙开发区）引进项目。开发区内企业增多。"
    ms = [M("DevelopmentZone", "甲乙经济技术开发区", 0, "z"),
          M("DevelopmentZone", "甲乙开发区", 12, "z"),
          M("DevelopmentZone", "开发区", 23, "z", deictic="1")]
    r = resolve_entities(_ex(text, ms))
    assert len(r.entities) == 1
    e = r.entities[0]
    assert e.label == "甲乙经济技术开发区"
    assert set(e.aliases) == {"甲乙开发区", "开发区"}
    assert len(e.mentions) == 3


def test_relations_and_quantities_get_iris():
    text = "丙丁项目落户甲乙开发区，总投资20亿元，目前在建。"
    ms = [M("Project", "丙丁项目", 0, "p"), M("DevelopmentZone", "甲乙开发区", 6, "z")]
    rels = [RelationCandidate(("Project", "p"), "locatedIn", ("DevelopmentZone", "z"), 0, 12, "t"),
            RelationCandidate(("Project", "p"), "hasStatus", ("Status", "under_construction"), 0, 24, "t"),
            RelationCandidate(("Project", "p"), "hasStatus", ("Status", "bogus"), 0, 24, "t")]
    qs = [Quantity("investment", 2e9, "CNY", "总投资20亿元", 12, 19, ("Project", "p"))]
    r = resolve_entities(_ex(text, ms, rels, qs))
    iris = {e.label: e.iri for e in r.entities}
    preds = {(x.predicate, x.object.rsplit("/", 1)[-1]) for x in r.relations}
    assert ("hasStatus", "under_construction") in preds
    assert not any(o == "bogus" for _, o in preds)
    assert r.quantities[0][0] == iris["丙丁项目"]


def test_cross_document_merge_is_order_independent():
    a = _ex("甲乙经济技术开发区，简称甲乙开发区。", [M("DevelopmentZone", "甲乙经济技术开发区", 0, "z"),
                                         M("DevelopmentZone", "甲乙开发区", 12, "z")])
    b = _ex("甲乙开发区新签项目。", [M("DevelopmentZone", "甲乙开发区", 0, "z")])
    c = _ex("开发区新签项目。", [M("DevelopmentZone", "开发区", 0, "z", deictic="1")])
    results = []
    for perm in itertools.permutations([a, b, c]):
        rs = resolve_corpus(list(perm))
        results.append(sorted((r.document.id, e.iri, e.label) for r in rs for e in r.entities))
    assert all(x == results[0] for x in results)
    by_doc = {d: (iri, label) for d, iri, label in results[0]}
    # the short name in b resolves to the full name of a; the deictic alias in c does not
    assert by_doc[b.document.id] == by_doc[a.document.id]
    assert by_doc[c.document.id] != by_doc[a.document.id]


def _company_doc(text, *names):
    """A document naming one company by ``names`` (one group: a legal name and its brand)."""
    return _ex(text, [M("Company", n, text.index(n), "c") for n in names])


def test_a_brand_of_firms_in_two_cities_joins_neither_of_them():
    a = _company_doc("宣城甲乙新能源股份有限公司（简称甲乙新能）投产。", "宣城甲乙新能源股份有限公司", "甲乙新能")
    b = _company_doc("景德镇甲乙新能源股份有限公司（甲乙新能）签约。", "景德镇甲乙新能源股份有限公司", "甲乙新能")
    c = _company_doc("甲乙新能再投10亿元。", "甲乙新能")
    results = []
    for perm in itertools.permutations([a, b, c]):
        rs = resolve_corpus(list(perm))
        results.append(sorted((r.document.id, e.iri, e.label) for r in rs for e in r.entities))
    assert all(x == results[0] for x in results)
    labels = {d: label for d, _iri, label in results[0]}
    # two firms (a group's subsidiaries in two cities), and the brand alone stands for neither
    assert labels[a.document.id] == "宣城甲乙新能源股份有限公司"
    assert labels[b.document.id] == "景德镇甲乙新能源股份有限公司"
    assert labels[c.document.id] == "甲乙新能"


def test_a_brand_of_one_firm_and_legal_forms_of_one_name_join():
    a = _company_doc("丙丁材料科技股份有限公司（丙丁材料）投产。", "丙丁材料科技股份有限公司", "丙丁材料")
    b = _company_doc("丙丁材料再投10亿元。", "丙丁材料")
    c = _company_doc("丙丁材料科技有限公司签约。", "丙丁材料科技有限公司")
    rs = resolve_corpus([a, b, c])
    iris = {r.entities[0].iri for r in rs}
    assert len(iris) == 1
    assert {r.entities[0].label for r in rs} == {"丙丁材料科技股份有限公司"}
