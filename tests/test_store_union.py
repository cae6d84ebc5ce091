"""A built Oxigraph store (with its union copied into the default graph) answers the analysis
and the explorer like the graph file."""

from __future__ import annotations

from pathlib import Path

import pytest

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
