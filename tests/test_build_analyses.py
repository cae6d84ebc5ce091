"""The corpus analyses of a build (current stages and 三未 flags, consistency checks, value
conflicts) equal those computed on the whole rdflib dataset.

``kg build`` no longer parses the analysis part of every document into an rdflib Dataset:
the mapping workers extract each document's stage evidence, consistency checks and
quantities, and the parent merges them. The reference here is the former way — the rdflib
mapping of :func:`kg.mapping.assemble_dataset` and the analysis functions run on that whole
dataset — so the test fails if the per-document records miss or change anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.ns import ANALYSIS_GRAPH, KG, RDF
from kg.pipeline import build_graph
from kg.store_oxigraph import canonical_term

ROOT = Path(__file__).resolve().parents[1]


def _reference_analysis(src: Path) -> tuple[Graph, int]:
    """The analysis graph as computed before: rdflib mapping, analyses on the whole dataset."""
    from kg.checks import add_conflicts, find_conflicts
    from kg.consistency import consistency_graph
    from kg.ingest import iter_documents
    from kg.lifecycle import derive_flags
    from kg.mapping import assemble_dataset
    from kg.pipeline import _extract_one
    from kg.resolve import resolve_corpus

    files, _skipped = iter_documents(src)
    extractions = [_extract_one(str(f))[1] for f in files]
    ds = assemble_dataset(resolve_corpus(extractions))
    out = Graph()
    for g in (derive_flags(ds), consistency_graph(ds)):
        for t in g:
            out.add(t)
    conflicts = find_conflicts(ds)
    cds = Dataset()
    add_conflicts(cds, conflicts)
    for t in cds.graph(ANALYSIS_GRAPH):
        out.add(t)
    return out, len(conflicts)


def _canonical(g) -> Graph:
    # graph.trig is written by Oxigraph, which gives decimals their canonical lexical form
    out = Graph()
    for s, p, o in g:
        out.add((canonical_term(s), p, canonical_term(o)))
    return out


def _built_analysis(out: Path) -> Graph:
    ds = Dataset()
    ds.parse(out / "graph.trig", format="trig")
    return _canonical(ds.graph(ANALYSIS_GRAPH))


def test_seed_analysis_graph_equals_the_whole_dataset_analyses(tmp_path):
    src = ROOT / "data" / "corpus"
    report = build_graph(src, tmp_path / "out", validate=False, workers=2)
    built = _built_analysis(tmp_path / "out")
    ref, n_conflicts = _reference_analysis(src)
    assert len(built) > 0
    assert set(built.subjects(RDF.type, KG.SanweiFlag))
    assert isomorphic(built, _canonical(ref))
    assert report.counts["conflicts"] == n_conflicts


@pytest.mark.slow
def test_generated_corpus_analysis_graph_equals_the_whole_dataset_analyses(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from make_corpus import make_corpus
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    src = tmp_path / "docs"
    make_corpus(src, 50, seed=7)
    report = build_graph(src, tmp_path / "out", store=f"oxigraph:{tmp_path}/out/store",
                         validate=False, workers=2)
    built = _built_analysis(tmp_path / "out")
    ref, n_conflicts = _reference_analysis(src)
    # every kind of finding is there, so that the comparison covers all three analyses
    for cls in (KG.SanweiFlag, KG.ConsistencyCheck, KG.ValueConflict):
        assert set(built.subjects(RDF.type, cls)), cls
    assert set(built.subjects(KG.currentStatus, None))
    assert isomorphic(built, _canonical(ref))
    assert report.counts["conflicts"] == n_conflicts > 0


def test_entities_graph_text_is_the_graph_nquads_of_the_triples():
    from rdflib import Literal, URIRef

    from kg.mapping import graph_nquads
    from kg.ns import ENTITIES_GRAPH, SKOS
    from kg.pipeline import _entities_parts, _in_parts

    labels = {"https://w3id.org/chainkg/id/company/x": ("Company", '某"某\\公司', {"某某", '某"某\\公司'}),
              "https://w3id.org/chainkg/id/zone/y": ("DevelopmentZone", "某开发区", set())}
    triples = []
    for iri, (type_, lab, aliases) in labels.items():
        s = URIRef(iri)
        triples.append((s, RDF.type, KG[type_]))
        triples.append((s, SKOS.prefLabel, Literal(lab, lang="zh")))
        triples.extend((s, SKOS.altLabel, Literal(a, lang="zh")) for a in aliases - {lab})
    assert "".join(t for _k, t in _entities_parts(labels)) == _in_parts(graph_nquads(triples, ENTITIES_GRAPH))
