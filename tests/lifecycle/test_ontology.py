"""ontology/lifecycle.ttl declares every term kg.lifecycle, kg.indicators, kg.consistency and the
lifecycle-*.rq queries use, with Chinese and English labels; the Data Cube structure is whole."""

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.indicators import indicator_catalogue
from kg.ns import KG, QB, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def onto():
    g = Graph()
    for name in ("chainkg.ttl", "status.ttl", "lifecycle.ttl"):
        g.parse(ROOT / "ontology" / name, format="turtle")
    return g


def _used_terms():
    terms = set()
    for name in ("lifecycle.py", "indicators.py", "consistency.py"):
        text = (ROOT / "kg" / name).read_text(encoding="utf-8")
        terms |= set(re.findall(r"\bKG\.([A-Za-z_]\w*)", text))
        terms |= set(re.findall(r"\bKG\[\"(\w+)\"\]", text))
    for q in (ROOT / "kg" / "queries").glob("lifecycle-*.rq"):
        body = "\n".join(line for line in q.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
        terms |= set(re.findall(r"\bkg:([A-Za-z_]\w*)", body))
    return sorted(terms)


@pytest.mark.parametrize("term", _used_terms())
def test_used_terms_are_declared(onto, term):
    s = KG[term]
    assert (s, None, None) in onto, f"kg:{term} is used but not declared"
    if term == "index":  # kg:index is declared in chainkg.ttl
        return
    if (s, RDF.type, KG.Indicator) in onto or (s, RDF.type, QB.DataSet) in onto:
        return
    langs = {o.language for o in onto.objects(s, RDFS.label) if isinstance(o, Literal)} | \
            {o.language for o in onto.objects(s, SKOS.prefLabel) if isinstance(o, Literal)}
    assert {"zh", "en"} <= langs, f"kg:{term} lacks a zh or en label"


def test_data_cube_structure(onto):
    dsd = KG.IndicatorDSD
    assert (KG.IndicatorDataSet, QB.structure, dsd) in onto
    comps = list(onto.objects(dsd, QB.component))
    dims = {onto.value(c, QB.dimension) for c in comps} - {None}
    measures = {onto.value(c, QB.measure) for c in comps} - {None}
    attrs = {onto.value(c, QB.attribute) for c in comps} - {None}
    assert dims == {KG.indicator, KG.refArea, KG.refPeriod}
    assert measures == {KG.obsValue}
    assert KG.unit in attrs
    for p in dims:
        assert (p, RDF.type, QB.DimensionProperty) in onto
    for p in attrs:
        assert (p, RDF.type, QB.AttributeProperty) in onto


def test_indicators_have_labels_units_and_patterns(onto):
    cat = indicator_catalogue()
    assert len(cat) >= 30
    for d in cat:
        s = URIRef(d.iri)
        assert {o.language for o in onto.objects(s, SKOS.prefLabel)} >= {"zh", "en"}, d.iri
        assert d.unit in {"unit", "percent", "CNY", "USD", "rank", "times", "person", "person-time"}
        assert d.patterns, d.iri


def test_rules_relate_declared_indicators(onto):
    from kg.consistency import consistency_rules

    inds = set(onto.subjects(RDF.type, KG.Indicator))
    for r in consistency_rules():
        for key in ("rate", "numerator", "denominator", "total", "lesser", "greater"):
            if key in r:
                assert URIRef(r[key]) in inds, (r["iri"], key)
        for p in r.get("parts", ()):
            assert URIRef(p) in inds


def test_bad_cue_pattern_is_a_typed_error(tmp_path):
    from kg.errors import ExtractError

    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix kg: <https://w3id.org/chainkg/ontology#> .\n'
                   '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
                   'kg:ind_x a kg:Indicator ; skos:prefLabel "坏"@zh ; kg:cuePattern "(?P<n>[" .\n',
                   encoding="utf-8")
    with pytest.raises(ExtractError, match="cuePattern"):
        indicator_catalogue(str(bad))
