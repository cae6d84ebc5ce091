"""Shared test helpers for kg.analyze: the hand-written fixture graph."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from kg.ns import CHAINS_GRAPH, bind_prefixes

DATA = Path(__file__).resolve().parents[1] / "data" / "analyze"
TPV = "https://w3id.org/chainkg/chain/tpv"
TLI = "https://w3id.org/chainkg/chain/tli"
ID = "https://w3id.org/chainkg/id/"


def fixture_dataset() -> Dataset:
    """The fixture facts (fixture.trig) with the test chain vocabularies in graph/chains."""
    ds = Dataset()
    ds.parse(DATA / "fixture.trig", format="trig")
    ds.graph(CHAINS_GRAPH).parse(DATA / "chains.ttl", format="turtle")
    bind_prefixes(ds)
    return ds


def fixture_store():
    """The same fixture in an in-memory pyoxigraph store."""
    import pyoxigraph as ox

    st = ox.Store()
    st.load(fixture_dataset().serialize(format="nquads").encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return st
