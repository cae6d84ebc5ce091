"""kg.derive: the derived graph (closures and per-project summaries) is exactly what the former
query-time expressions gave, is recomputed from scratch, reaches every store a build writes, and
is added to graphs that lack it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

from kg.derive import DERIVED_PROPERTIES, add_derived, ensure_derived, has_derived, needs_derived
from kg.ns import DERIVED_GRAPH, KG, SCHEMA, SKOS, STATUS
from kg.query import run_query

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/chainkg/id/"
DOC = "https://w3id.org/chainkg/doc/"
XSD = "http://www.w3.org/2001/XMLSchema#"

TRIG = f"""
@prefix kg: <{KG}> . @prefix schema: <{SCHEMA}> . @prefix skos: <{SKOS}> .
@prefix st: <{STATUS}> . @prefix xsd: <{XSD}> .
<https://w3id.org/chainkg/graph/regions> {{
  <{ID}region/p> a kg:Region .
  <{ID}region/c> a kg:Region ; kg:locatedIn <{ID}region/p> .
}}
<https://w3id.org/chainkg/graph/ontology> {{
  st:started kg:stageOrder 6 ; skos:prefLabel "开工"@zh .
  st:under_construction kg:stageOrder 6 ; skos:prefLabel "在建"@zh .
  st:planned kg:stageOrder 1 ; skos:prefLabel "谋划"@zh .
}}
<{DOC}aaaa0001> {{
  <{ID}zone/z> a kg:DevelopmentZone ; kg:locatedIn <{ID}region/c> .
  <{ID}project/x> a kg:Project ; kg:locatedIn <{ID}zone/z> ;
      kg:hasStatus st:planned, st:started ;
      kg:hasQuantity <{DOC}aaaa0001/q1>, <{DOC}aaaa0001/q2>, <{DOC}aaaa0001/q3> .
  <{DOC}aaaa0001/q1> kg:kind "investment" ; schema:value 2000000000.0 .
  <{DOC}aaaa0001/q2> kg:kind "capacity" ; schema:value 100000.0 ; schema:unitCode "t" .
  <{DOC}aaaa0001/q3> kg:kind "capacity" ; schema:value 5.0 ; schema:unitCode "GW" .
  <{ID}product/a> kg:upstreamOf <{ID}product/b> ; kg:atLink <{ID}link/1> .
  <{ID}product/b> kg:upstreamOf <{ID}product/c> ; kg:productType <{ID}type/t> .
  <{ID}type/t> skos:broader <{ID}link/2> .
  <{ID}link/1> kg:feeds <{ID}link/2> . <{ID}link/2> kg:feeds <{ID}link/3> .
  <{ID}zone/loop1> kg:locatedIn <{ID}zone/loop2> . <{ID}zone/loop2> kg:locatedIn <{ID}zone/loop1> .
}}
<{DOC}bbbb0002> {{
  <{ID}project/x> kg:hasStatus st:under_construction ;
      kg:hasQuantity <{DOC}bbbb0002/q1> .
  <{DOC}bbbb0002/q1> kg:kind "investment" ; schema:value 1500000000.0 .
  <{ID}company/k> a kg:Company ; kg:hasQuantity <{DOC}bbbb0002/q2> .
  <{DOC}bbbb0002/q2> kg:kind "investment" ; schema:value 9.0 .
}}
"""


def _store():
    import pyoxigraph as ox

    st = ox.Store()
    st.load(TRIG.encode("utf-8"), format=ox.RdfFormat.TRIG)
    return st


def _derived(st) -> set[tuple[str, str, str]]:
    import pyoxigraph as ox

    return {(q.subject.value, q.predicate.value.rsplit("#", 1)[1], q.object.value)
            for q in st.quads_for_pattern(None, None, None, ox.NamedNode(str(DERIVED_GRAPH)))}


def test_closures_are_the_plus_paths():
    st = _store()
    add_derived(st)
    d = _derived(st)
    within = {(s, o) for s, p, o in d if p == "within"}
    x, z, c, p = (f"{ID}project/x", f"{ID}zone/z", f"{ID}region/c", f"{ID}region/p")
    assert {(x, z), (x, c), (x, p), (z, c), (z, p), (c, p)} <= within
    assert (x, x) not in within and (p, p) not in within  # not reflexive ...
    l1, l2 = f"{ID}zone/loop1", f"{ID}zone/loop2"
    assert {(l1, l1), (l1, l2), (l2, l1), (l2, l2)} <= within  # ... except through a cycle
    # every pair is exactly what kg:locatedIn+ gives
    plus = {(r["a"].value, r["b"].value) for r in st.query(
        f"SELECT ?a ?b WHERE {{ ?a <{KG}locatedIn>+ ?b }}", use_default_graph_as_union=True)}
    assert within == plus
    up = {(s, o) for s, p, o in d if p == "upstreamOfTransitive"}
    assert (f"{ID}product/a", f"{ID}product/c") in up and len(up) == 3
    feeds = {(s, o) for s, p, o in d if p == "feedsTransitive"}
    assert (f"{ID}link/1", f"{ID}link/3") in feeds and len(feeds) == 3
    links = {(s, o) for s, p, o in d if p == "productLink"}
    assert {(f"{ID}product/a", f"{ID}link/1"), (f"{ID}product/b", f"{ID}link/2"),
            (f"{ID}type/t", f"{ID}link/2")} == links


def test_project_summaries_across_documents():
    st = _store()
    add_derived(st)
    d = {(s, p): o for s, p, o in _derived(st)}
    x = f"{ID}project/x"
    assert Decimal(d[x, "maxInvestment"]) == Decimal("2000000000")  # the larger of two documents
    assert Decimal(d[x, "maxCapacity"]) == Decimal("100000")
    assert d[x, "capacityUnit"] == "GW"  # the smallest unit code, as the query had it
    # two stages of order 6: latestStatus breaks the tie by IRI, the stage name by its label
    assert d[x, "latestStatus"] == str(STATUS["under_construction"])
    assert d[x, "latestStageName"] == "开工"
    assert (f"{ID}company/k", "maxInvestment") not in d  # projects only


def test_add_derived_replaces_the_graph():
    import pyoxigraph as ox

    st = _store()
    n = add_derived(st)
    assert add_derived(st) == n == len(_derived(st))
    st.remove(ox.Quad(ox.NamedNode(f"{ID}zone/z"), ox.NamedNode(str(KG.locatedIn)),
                      ox.NamedNode(f"{ID}region/c"), ox.NamedNode(f"{DOC}aaaa0001")))
    add_derived(st)
    assert (f"{ID}project/x", "within", f"{ID}region/p") not in _derived(st)  # no stale facts
    assert (f"{ID}project/x", "within", f"{ID}zone/z") in _derived(st)


def test_add_derived_on_a_materialised_union_writes_part_by_part_the_same_graph():
    """A build derives on a store whose default graph is the union copy: each closure and
    summary is written as soon as it is computed, and the graph must equal the one derived
    from the union view (and computed whole) on the same data."""
    from kg.store_oxigraph import materialize_union

    whole = _store()
    n = add_derived(whole)
    st = _store()
    materialize_union(st)
    assert add_derived(st) == n == len(_derived(st))
    assert _derived(st) == _derived(whole)
    # run again (the graph is dropped first): nothing stale, nothing twice
    assert add_derived(st) == n and _derived(st) == _derived(whole)


def test_ensure_derived_on_a_dataset_matches_the_store():
    ds = Dataset()
    ds.parse(data=TRIG, format="trig")
    assert not has_derived(ds)
    assert ensure_derived(ds) is True
    assert has_derived(ds) and ensure_derived(ds) is False
    got = {(str(s), str(p).rsplit("#", 1)[1], str(o)) for s, p, o in ds.graph(DERIVED_GRAPH)}
    st = _store()
    add_derived(st)
    assert got == _derived(st)
    lit = ds.graph(DERIVED_GRAPH).value(URIRef(f"{ID}project/x"), KG.latestStageName)
    assert lit == Literal("开工")  # a plain literal, as STRAFTER gave it


def test_needs_derived():
    assert needs_derived("SELECT * WHERE { ?p kg:within ?z }")
    assert needs_derived(f"SELECT * WHERE {{ ?p <{KG}maxInvestment> ?z }}")
    assert not needs_derived("SELECT * WHERE { ?p kg:locatedIn ?z }")
    assert set(DERIVED_PROPERTIES) <= {str(t).rsplit("#", 1)[1] for t in KG_TERMS()}


def KG_TERMS():  # noqa: N802 - the ontology's declared kg: properties
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF

    g = Graph().parse(ROOT / "ontology" / "chainkg.ttl")
    return {s for t in (OWL.ObjectProperty, OWL.DatatypeProperty) for s in g.subjects(RDF.type, t)}


def test_read_only_store_without_derived_graph_still_answers(tmp_path):
    import pyoxigraph as ox

    st = ox.Store(str(tmp_path / "s"))
    st.load(TRIG.encode("utf-8"), format=ox.RdfFormat.TRIG)
    st.flush()
    del st
    ds = Dataset()
    ds.parse(data=TRIG, format="trig")
    q = "zone-ranking"
    with pytest.warns(UserWarning, match="no derived graph"):
        rows = run_query(f"oxigraph:{tmp_path / 's'}", q).rows
    assert rows == run_query(ds, q).rows and rows


def test_a_build_writes_the_derived_graph_into_every_store(tmp_path):
    """graph.trig (rdflib path) and the Oxigraph store both carry graph/derived."""
    import subprocess
    import sys

    import pyoxigraph as ox

    from kg.pipeline import build_graph
    from kg.store import load_graph

    docs = tmp_path / "docs"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(docs),
                    "--docs", "3", "--seed", "5"], check=True, capture_output=True)
    build_graph(docs, tmp_path / "out", store=f"oxigraph:{tmp_path / 'ox'}", validate=False)
    ds = load_graph(tmp_path / "out" / "graph.trig")
    in_file = {(s, p, o) for s, p, o in ds.graph(DERIVED_GRAPH)}
    assert {p for _s, p, _o in in_file} >= {KG.within, KG.maxInvestment, KG.latestStatus}
    st = ox.Store.read_only(str(tmp_path / "ox"))
    in_store = {(q.subject.value, q.predicate.value, q.object.value) for q in
                st.quads_for_pattern(None, None, None, ox.NamedNode(str(DERIVED_GRAPH)))}
    assert {(str(s), str(p), str(o)) for s, p, o in in_file} == in_store
    # the file's derived graph is what kg.derive computes from the file's other graphs
    recomputed = Dataset()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g != DERIVED_GRAPH:
            recomputed.graph(g).add((s, p, o))
    assert ensure_derived(recomputed)
    assert set(recomputed.graph(DERIVED_GRAPH)) == in_file


def _closure_store(edges):
    import pyoxigraph as ox

    from kg.store_oxigraph import mark_union

    st = ox.Store()
    g = ox.NamedNode("https://w3id.org/chainkg/graph/regions")
    loc = ox.NamedNode(str(KG.locatedIn))
    node = [ox.NamedNode(f"https://w3id.org/chainkg/id/region/{i}") for i in range(8)]
    for a, b in edges:
        for graph in (g, ox.DefaultGraph()):
            st.add(ox.Quad(node[a], loc, node[b], graph))
    mark_union(st)
    return st, g, loc, node


@pytest.mark.parametrize("seed", range(40))
def test_derived_changes_of_edited_edges_equal_a_full_derivation(seed):
    """Closures brought up to date from the changed edges alone (cycles, chains, fans,
    removals) equal the closures derived from scratch."""
    import random

    import pyoxigraph as ox

    from kg.derive import derived_changes

    rnd = random.Random(seed)
    pairs = [(a, b) for a in range(8) for b in range(8)]
    before = set(rnd.sample(pairs, rnd.randint(0, 14)))
    after = (before - set(rnd.sample(sorted(before), min(len(before), rnd.randint(0, 3))))) | \
        set(rnd.sample(pairs, rnd.randint(0, 3)))
    st, g, loc, node = _closure_store(before)
    add_derived(st)
    for a, b in before - after:
        for graph in (g, ox.DefaultGraph()):
            st.remove(ox.Quad(node[a], loc, node[b], graph))
    for a, b in after - before:
        for graph in (g, ox.DefaultGraph()):
            st.add(ox.Quad(node[a], loc, node[b], graph))
    changed = {node[a] for a, _b in before ^ after}
    removed, added = derived_changes(st, set(), {"locatedIn": changed})
    for q in removed:
        st.remove(q)
    st.extend(added)
    derived = ox.NamedNode(str(DERIVED_GRAPH))
    fresh, _g, _l, _n = _closure_store(after)
    add_derived(fresh)
    assert set(st.quads_for_pattern(None, None, None, derived)) == \
        set(fresh.quads_for_pattern(None, None, None, derived))


def test_place_figures_count_sum_and_average_the_projects_within():
    import pyoxigraph as ox

    st = _store()
    st.load(f"""@prefix kg: <{KG}> . @prefix schema: <{SCHEMA}> .
    <{DOC}cccc0003> {{
      <{ID}project/y> a kg:Project ; kg:locatedIn <{ID}region/c> ; kg:hasQuantity <{DOC}cccc0003/q1> .
      <{DOC}cccc0003/q1> kg:kind "investment" ; schema:value 3.0 .
      <{ID}project/w> a kg:Project ; kg:locatedIn <{ID}region/c> .
      <{ID}company/k> kg:locatedIn <{ID}region/c> .
    }}""".encode(), format=ox.RdfFormat.TRIG)
    add_derived(st)
    d = {(s, p): o for s, p, o in _derived(st)}
    z, c = f"{ID}zone/z", f"{ID}region/c"
    assert d[z, "projectCount"] == "1" and d[z, "totalInvestment"] == "2000000000"
    # x (2,000,000,000 yuan, through the zone), y (3 yuan), w (none); the company is no project
    assert (d[c, "projectCount"], d[c, "investedProjectCount"]) == ("3", "2")
    assert d[c, "totalInvestment"] == "2000000003"
    assert d[c, "averageInvestment"] == "1000000002"  # 1,000,000,001.5 rounded up, as ROUND does
    assert d[f"{ID}region/p", "totalInvestment"] == "2000000003"  # the province above the city
    assert (f"{ID}company/k", "projectCount") not in d


@pytest.mark.parametrize("from_stored", [False, True])
@pytest.mark.parametrize("seed", range(30))
def test_derived_changes_keep_the_place_figures_of_moved_and_refigured_projects(seed, from_stored):
    """Projects that move between places, gain or lose an investment, appear or go: the place
    figures brought up to date from what changed equal those derived from scratch."""
    import random

    import pyoxigraph as ox

    from kg.derive import derived_changes

    rnd = random.Random(seed)
    g = ox.NamedNode(f"{DOC}dddd0004")
    kg = {n: ox.NamedNode(str(KG[n])) for n in ("locatedIn", "hasQuantity", "kind", "Project")}
    value, rdf_type = ox.NamedNode(str(SCHEMA.value)), ox.NamedNode(str(RDF_TYPE))
    region = [ox.NamedNode(f"{ID}region/r{i}") for i in range(5)]
    proj = [ox.NamedNode(f"{ID}project/p{i}") for i in range(6)]
    dec = ox.NamedNode(XSD + "decimal")

    def world(version):
        edges = {(a, b) for a in range(5) for b in range(5) if a != b and rnd.random() < 0.2}
        placed = {p: rnd.randrange(5) for p in range(6) if rnd.random() < 0.8}
        inv = {p: rnd.choice([None, "1", "2.5", "10", "7"]) for p in range(6)}
        typed = {p for p in range(6) if rnd.random() < 0.9}
        return edges, placed, inv, typed, version

    def triples(w):
        edges, placed, inv, typed, version = w
        out = [(region[a], kg["locatedIn"], region[b]) for a, b in edges]
        out += [(proj[p], kg["locatedIn"], region[r]) for p, r in placed.items()]
        out += [(proj[p], rdf_type, kg["Project"]) for p in typed]
        for p, v in inv.items():
            if v is not None:
                # a new text, a new quantity node (its project is then a changed subject)
                q = ox.NamedNode(f"{DOC}dddd0004/q{p}v{version}")
                out += [(proj[p], kg["hasQuantity"], q), (q, kg["kind"], ox.Literal("investment")),
                        (q, value, ox.Literal(v, datatype=dec))]
        return set(out)

    def load(st, ts):
        for s, p, o in ts:
            for graph in (g, ox.DefaultGraph()):
                st.add(ox.Quad(s, p, o, graph))

    before, after = world(1), world(2)
    old, new = triples(before), triples(after)
    st = ox.Store()
    from kg.store_oxigraph import mark_union

    load(st, old)
    mark_union(st)
    add_derived(st)
    for s, p, o in old - new:
        for graph in (g, ox.DefaultGraph()):
            st.remove(ox.Quad(s, p, o, graph))
    load(st, new - old)
    changed = old ^ new
    subjects = {s for s, _p, _o in changed}
    moved = {s for s, p, _o in changed if p == kg["locatedIn"]}
    # with the retyped projects the figures are brought up to date from the stored ones,
    # without them counted again
    retyped = {s for s, p, o in changed if p == rdf_type and o == kg["Project"]}
    removed, added = derived_changes(st, subjects, {"locatedIn": moved},
                                     retyped if from_stored else None)
    for q in removed:
        st.remove(q)
    st.extend(added)
    fresh = ox.Store()
    load(fresh, new)
    mark_union(fresh)
    add_derived(fresh)
    derived = ox.NamedNode(str(DERIVED_GRAPH))
    assert set(st.quads_for_pattern(None, None, None, derived)) == \
        set(fresh.quads_for_pattern(None, None, None, derived))


def test_derived_changes_of_everything_compare_part_by_part_and_drop_unknown_properties():
    """Without the list of what changed every part is derived again and compared with the
    stored one: the result equals a derivation from scratch, and a property the derived graph
    no longer writes goes."""
    import pyoxigraph as ox

    from kg.derive import derived_changes

    st = _store()
    add_derived(st)
    derived = ox.NamedNode(str(DERIVED_GRAPH))
    stale = ox.Quad(ox.NamedNode(f"{ID}zone/z"), ox.NamedNode(f"{KG}retiredProperty"),
                    ox.Literal("x"), derived)
    st.add(stale)
    st.remove(ox.Quad(ox.NamedNode(f"{ID}zone/z"), ox.NamedNode(str(KG.locatedIn)),
                      ox.NamedNode(f"{ID}region/c"), ox.NamedNode(f"{DOC}aaaa0001")))
    gone, added = derived_changes(st)
    assert stale in gone and not added  # only losses: the zone left the city
    for q in gone:
        st.remove(q)
    fresh = _store()
    fresh.remove(ox.Quad(ox.NamedNode(f"{ID}zone/z"), ox.NamedNode(str(KG.locatedIn)),
                         ox.NamedNode(f"{ID}region/c"), ox.NamedNode(f"{DOC}aaaa0001")))
    add_derived(fresh)
    assert set(st.quads_for_pattern(None, None, None, derived)) == \
        set(fresh.quads_for_pattern(None, None, None, derived))
