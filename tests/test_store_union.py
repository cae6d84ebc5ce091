"""A built Oxigraph store (with its union copied into the default graph) answers the analysis
and the explorer like the graph file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.pipeline import build_graph

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("union")
    build_graph(ROOT / "data" / "corpus", out, store=f"oxigraph:{out / 'store'}", validate=False)
    return out


def test_store_is_materialized_and_counts_agree(built):
    import pyoxigraph as ox

    from kg.store_oxigraph import is_union_materialized, union_query_kwargs

    st = ox.Store.read_only(str(built / "store"))
    assert is_union_materialized(st)
    q = "SELECT (COUNT(*) AS ?n) { ?p a <https://w3id.org/chainkg/ontology#Project> }"
    n_store = int(next(iter(st.query(q, **union_query_kwargs(st))))[0].value)
    from kg.store import load_graph

    ds = load_graph(built / "graph.trig")
    ds.default_union = True
    n_file = int(next(iter(ds.query(q)))[0])
    assert n_store == n_file > 0


def test_chain_analysis_same_on_store_and_file(built):
    import pyoxigraph as ox

    from kg.analyze import analyze_chains
    from kg.store import load_graph

    st = ox.Store.read_only(str(built / "store"))
    a = [r.to_dict() for r in analyze_chains(st, region="长治")]
    b = [r.to_dict() for r in analyze_chains(load_graph(built / "graph.trig"), region="长治")]
    assert a == b and a


_IDS = "https://w3id.org/chainkg/id/"


def _node(i: int):
    import pyoxigraph as ox

    # IRIs that print as prefixed names (some with characters Turtle escapes) and blank nodes
    return ox.BlankNode(f"b{i}") if i % 5 == 0 else ox.NamedNode(f"{_IDS}company/x{i}.a/b")


def _object(j: int):
    import pyoxigraph as ox

    if j % 3 == 0:
        return _node(j)
    return ox.Literal(f"第{j}行\n\t\"引号\" \\ 结束", language="zh") if j % 3 == 1 else ox.Literal(str(j))


_TRIPLE = st.tuples(st.integers(0, 12), st.integers(0, 3), st.integers(0, 20))


@settings(max_examples=60, deadline=None)
@given(before=st.sets(_TRIPLE, max_size=40), removed=st.sets(_TRIPLE, max_size=15),
       added=st.sets(_TRIPLE, max_size=15))
def test_a_patched_union_turtle_holds_the_store_s_triples_once(tmp_path_factory, before,
                                                               removed, added):
    """Patching the dump with the blocks of the changed subjects gives what a new dump
    would state, each triple once, whatever changed."""
    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from kg.store_oxigraph import patch_turtle_dump

    def triple(t):
        return ox.Triple(_node(t[0]), ox.NamedNode(f"https://w3id.org/chainkg/ontology#p{t[1]}"),
                         _object(t[2]))

    prefixes = {"id": _IDS, "kg": "https://w3id.org/chainkg/ontology#"}
    store = ox.Store()
    for t in before:
        store.add(ox.Quad(*triple(t), ox.DefaultGraph()))
    d = tmp_path_factory.mktemp("patch")
    store.dump(str(d / "old.ttl"), format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(),
               prefixes=prefixes)
    for t in removed:
        store.remove(ox.Quad(*triple(t), ox.DefaultGraph()))
    for t in added:
        store.add(ox.Quad(*triple(t), ox.DefaultGraph()))
    changed = {_node(t[0]) for t in removed | added}
    assert patch_turtle_dump(d / "old.ttl", d / "new.ttl", store, changed, prefixes)
    store.dump(str(d / "dump.ttl"), format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(),
               prefixes=prefixes)
    patched = list(ox.parse(path=str(d / "new.ttl"), format=ox.RdfFormat.TURTLE))
    assert len(patched) == len(set(patched)) == len(store)
    assert isomorphic(Graph().parse(d / "new.ttl", format="turtle"),
                      Graph().parse(d / "dump.ttl", format="turtle"))
