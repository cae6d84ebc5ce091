"""IRI minting: deterministic, ASCII, distinct for distinct names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import ns


@given(st.text(min_size=1, max_size=60))
@settings(max_examples=300, deadline=None)
def test_entity_iris_are_ascii_and_deterministic(name):
    iri = ns.entity_iri("Company", name)
    assert str(iri).isascii()
    assert iri == ns.entity_iri("Company", name)
    assert str(iri).startswith(ns.BASE + "id/company/")
    assert " " not in str(iri)


@given(st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_distinct_names_give_distinct_iris(a, b):
    import unicodedata

    if unicodedata.normalize("NFKC", a).strip() != unicodedata.normalize("NFKC", b).strip():
        assert ns.entity_iri("Project", a) != ns.entity_iri("Project", b)


def test_full_width_variants_share_an_iri():
    assert ns.entity_iri("Project", "５GW拉晶项目") == ns.entity_iri("Project", "5GW拉晶项目")


def test_types_are_separate_namespaces_and_unknown_types_fail():
    assert ns.entity_iri("Company", "光伏") != ns.entity_iri("IndustryChain", "光伏")
    with pytest.raises(ValueError, match="unknown entity type"):
        ns.entity_iri("Thing", "x")


def test_region_document_status_iris():
    assert str(ns.region_iri("140400")).endswith("/id/region/140400")
    assert str(ns.document_iri("a0019991a0d2c581")).endswith("/doc/a0019991a0d2c581")
    with pytest.raises(ValueError):
        ns.document_iri("not a hash")
    assert str(ns.status_iri("in_production")).endswith("/status/in_production")
    with pytest.raises(ValueError):
        ns.status_iri("finished")


def test_terms_used_by_the_code_are_declared_in_the_ontology():
    """Every kg: term the mapping writes is declared in ontology/chainkg.ttl."""
    import re
    from pathlib import Path

    import rdflib

    root = Path(__file__).resolve().parents[1]
    onto = rdflib.Graph()
    for name in ("chainkg.ttl", "status.ttl", "lifecycle.ttl", "analysis.ttl"):
        onto.parse(root / "ontology" / name)
    declared = {str(s) for s in onto.subjects()}
    used = set()
    for path in (root / "kg").rglob("*.py"):
        used |= set(re.findall(r"\bKG\.([A-Za-z]+)\b", path.read_text(encoding="utf-8")))
    missing = sorted(t for t in used if str(ns.KG[t]) not in declared)
    assert not missing, f"kg: terms used in code but not declared in the ontology: {missing}"
