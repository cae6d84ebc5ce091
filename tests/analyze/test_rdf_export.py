"""Analysis results as RDF (graph/analysis) and GraphML/GEXF export."""

from __future__ import annotations

import networkx as nx
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from kg.analyze import (
    analyze_chains,
    chain_graph,
    export_gexf,
    export_graphml,
    reports_to_graph,
    write_analysis,
)
from kg.analyze.export import sanitize_graph
from kg.analyze.projection import QUERY_NAMES, load_query, run_query
from kg.ns import ANALYSIS_GRAPH

from .helpers import ID, TPV, fixture_dataset, fixture_store


@pytest.fixture(scope="module")
def ds():
    return fixture_dataset()


def test_analysis_graph_answers_sparql(ds):
    reports = analyze_chains(ds, region="朔州")
    out = Dataset()
    write_analysis(out, reports)
    assert {g.identifier for g in out.graphs() if len(g)} == {ANALYSIS_GRAPH}
    rows = {(str(r.kind), str(r.link)) for r in out.query("""
        PREFIX kg: <https://w3id.org/chainkg/ontology#>
        SELECT ?kind ?link WHERE { GRAPH ?g {
          ?f a kg:GapFinding ; kg:gapKind ?kind ; kg:link ?link ;
             kg:chain <https://w3id.org/chainkg/chain/tpv> ;
             kg:scope <https://w3id.org/chainkg/id/region/140600> } }""")}
    assert ("补链", TPV + "/cell") in rows
    assert ("延链", TPV + "/station") in rows
    assert ("weak", TPV + "/polysilicon") in rows
    cov = list(out.query("""
        PREFIX kg: <https://w3id.org/chainkg/ontology#>
        SELECT ?c ?n WHERE { GRAPH ?g { ?x a kg:ChainCoverage ; kg:chain <https://w3id.org/chainkg/chain/tpv> ;
          kg:coverage ?c ; kg:linksPresent ?n } }"""))
    assert [(float(c), int(n)) for c, n in cov] == [(pytest.approx(0.7143), 5)]
    leaders = list(out.query("""
        PREFIX kg: <https://w3id.org/chainkg/ontology#>
        SELECT ?e WHERE { GRAPH ?g { ?e kg:chainLeaderCandidateOf <https://w3id.org/chainkg/chain/tpv> } }"""))
    assert [str(r.e) for r in leaders] == [ID + "company/jingyuan-group"]


def test_analysis_graph_is_deterministic_and_replaced(ds):
    a = reports_to_graph(analyze_chains(ds, region="朔州"))
    b = reports_to_graph(analyze_chains(fixture_dataset(), region="朔州"))
    assert isomorphic(a, b)
    assert sorted(a.serialize(format="nt").splitlines()) == sorted(b.serialize(format="nt").splitlines())
    out = Dataset()
    write_analysis(out, analyze_chains(ds, region="朔州"))
    n = len(out.graph(ANALYSIS_GRAPH))
    write_analysis(out, analyze_chains(ds, region="朔州"))
    assert len(out.graph(ANALYSIS_GRAPH)) == n


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_reads_back(ds, tmp_path, fmt):
    g = chain_graph(ds, "tpv", region="朔州")
    g.nodes[TPV + "/cell"]["note"] = "bad\x00\x07控制字符\x1f"
    g.nodes[TPV + "/cell"]["nothing"] = None
    path = tmp_path / f"chain.{fmt}"
    (export_graphml if fmt == "graphml" else export_gexf)(g, path)
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert set(back.nodes) == set(g.nodes)
    assert set(back.edges) == set(g.edges)
    cell = back.nodes[TPV + "/cell"]
    assert cell["note"] == "bad控制字符"
    assert "nothing" not in cell
    assert cell["present"] in (False, "false")
    import json

    players = json.loads(back.nodes[TPV + "/ingot"]["players"])
    assert {p["label"] for p in players} == {"晶源5GW拉晶项目", "晶源硅能"}


def test_export_entity_multigraph(ds, tmp_path):
    from kg.analyze.projection import project_graph

    g = project_graph(ds).entity_graph()
    export_graphml(g, tmp_path / "e.graphml")
    export_gexf(g, tmp_path / "e.gexf")
    back = nx.read_graphml(tmp_path / "e.graphml")
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.number_of_edges() == g.number_of_edges()
    assert nx.read_gexf(tmp_path / "e.gexf").number_of_nodes() == g.number_of_nodes()


def test_sanitize_mixed_types_become_text():
    g = nx.DiGraph()
    g.add_node("a", x=1, y=[1, 2])
    g.add_node("b", x="one", y=None)
    s = sanitize_graph(g)
    assert s.nodes["a"] == {"x": "1", "y": "[1, 2]"}
    assert s.nodes["b"] == {"x": "one"}


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_projection_query_runs_on_both_engines(ds, name):
    assert load_query(name).lstrip().startswith("#")
    a = run_query(ds, name)
    b = run_query(fixture_store(), name)
    # rows may repeat once per named graph (the projection keeps one): compare as sets
    key = lambda r: tuple(sorted((k, str(v)) for k, v in r.items()))  # noqa: E731
    assert set(map(key, a)) == set(map(key, b))
    assert a, f"{name} returned nothing on the fixture"


@pytest.mark.parametrize("name", ["scoped_entity_types", "scoped_entity_labels",
                                  "scoped_entity_edges", "scoped_quantities"])
def test_every_scoped_query_runs_on_both_engines(ds, name):
    scope = ID + "region/140600"
    a = run_query(ds, name, scope)
    b = run_query(fixture_store(), name, scope)
    key = lambda r: tuple(sorted((k, str(v)) for k, v in r.items()))  # noqa: E731
    assert set(map(key, a)) == set(map(key, b))
    assert a and "scope" not in a[0]
