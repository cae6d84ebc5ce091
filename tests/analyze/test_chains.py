"""Chain analysis on the hand-written fixture graph (tests/data/analyze)."""

from __future__ import annotations

import pytest

from kg.analyze import (
    analyze_chains,
    analyze_regions,
    chain_graph,
    entity_paths,
    find_chain_leaders,
)
from kg.analyze.chains import Analyzer, ScopeError

from .helpers import ID, TLI, TPV, fixture_dataset, fixture_store


@pytest.fixture(scope="module")
def ds():
    return fixture_dataset()


@pytest.fixture(scope="module")
def an(ds):
    return Analyzer(ds)


def _pv(an, **scope):
    return analyze_chains(None, chain="tpv", analyzer=an, **scope)[0]


def _present(rep):
    return {s.iri.rsplit("/", 1)[-1] for s in rep.links if s.present}


def _gaps(rep, kind):
    return {g.link.rsplit("/", 1)[-1] for g in rep.gaps if g.kind == kind}


def test_pv_in_region_present_links_and_cell_is_buchain(an):
    rep = _pv(an, region="朔州")
    assert rep.scope == ID + "region/140600"
    # 拉晶 comes from a park inside the zone inside the region (locatedIn+);
    # 高纯硅 from the project's own name, 硅片 from a product name without kg:atLink.
    assert _present(rep) == {"polysilicon", "ingot", "wafer", "module", "mounting"}
    cell = next(g for g in rep.gaps if g.link == TPV + "/cell")
    assert (cell.kind, cell.direction) == ("补链", "between")
    assert set(cell.neighbours) == {TPV + "/wafer", TPV + "/module"}
    assert _gaps(rep, "延链") == {"station"}
    assert _gaps(rep, "配套") == {"glass"}  # auxiliary links are reported apart
    assert (rep.present, rep.total) == (5, 7)
    assert rep.coverage == pytest.approx(5 / 7, abs=1e-4)
    # weights = feeds degree: poly 1, ingot 2, wafer 2, cell 2, module 3, mounting 1, station 2
    assert rep.weighted_coverage == pytest.approx(9 / 13, abs=1e-4)


def test_weak_links_count_actors_not_entities(an):
    rep = _pv(an, region="朔州")
    # the group, its subsidiary and their projects are one actor; mounting has two
    assert _gaps(rep, "weak") == {"polysilicon", "ingot", "wafer", "module"}
    mounting = next(s for s in rep.links if s.iri == TPV + "/mounting")
    assert mounting.actors == sorted([ID + "company/jingyuan-group", ID + "company/beiling-steel"])


def test_scope_excludes_other_regions_and_whole_graph_includes_them(an):
    whole = _pv(an)
    assert "cell" in _present(whole)
    assert "cell" not in _gaps(whole, "补链")
    taiyuan = _pv(an, region="太原市")
    assert _present(taiyuan) == {"cell"}
    assert {"polysilicon", "ingot", "wafer"} <= _gaps(taiyuan, "延链")


def test_zone_by_alias_includes_its_parks(an):
    rep = _pv(an, zone="北岭开发区")
    assert rep.scope == ID + "zone/beiling"
    assert "ingot" in _present(rep)
    park = _pv(an, zone="低碳硅谷产业园")
    assert _present(park) == {"ingot"}


def test_lithium_in_changzhi_gap_kinds(an):
    rep = analyze_chains(None, region="长治", chain="锂电池", analyzer=an)[0]
    assert rep.chain == TLI
    # cathode through productType → skos:broader → skos:broader; anode through a product name
    assert _present(rep) == {"cathode", "anode"}
    assert _gaps(rep, "补链") == {"electrolyte", "separator"}
    assert {g.direction for g in rep.gaps if g.kind == "补链"} == {"parallel"}
    ext = {g.link.rsplit("/", 1)[-1]: g.direction for g in rep.gaps if g.kind == "延链"}
    assert ext == {"salt": "upstream", "cell": "downstream", "pack": "downstream", "ev": "downstream"}
    cathode = next(s for s in rep.links if s.iri == TLI + "/cathode")
    assert cathode.investment == pytest.approx(2e9)
    assert cathode.capacity == {"t": pytest.approx(1e5)}


def test_chain_with_nothing_present_is_jianlian(an):
    rep = analyze_chains(None, region="朔州", chain="tli", analyzer=an)[0]
    assert rep.present == 0 and rep.coverage == 0.0
    assert _gaps(rep, "建链") == {s.iri.rsplit("/", 1)[-1] for s in rep.links}


def test_leaders_text_first_then_score(an):
    rep = _pv(an, region="朔州")
    first = rep.leaders[0]
    assert (first.iri, first.from_text) == (ID + "company/jingyuan-group", True)
    assert first.industries == ("光伏",)
    scored = [x for x in rep.leaders if not x.from_text]
    assert scored and all(not x.from_text for x in scored)
    assert [x.score for x in scored] == sorted((x.score for x in scored), reverse=True)
    # the mounting maker covers one link, invests nothing stated and has 2 neighbours
    assert scored[0].iri == ID + "company/beiling-steel"


def test_text_leader_of_an_industry_without_vocabulary(an):
    got = find_chain_leaders(an.p, region="长治")
    assert [(x["label"], [i["label"] for i in x["industries"]]) for x in got] == [
        ("华光电子集团", ["第三代半导体"])]
    assert got[0]["industries"][0]["chains"] == []
    assert find_chain_leaders(an.p, region="太原") == []


def test_supply_matches(an):
    rep = _pv(an, region="朔州")
    pairs = {(m.supplier, m.supplier_link, m.customer, m.customer_link) for m in rep.supply_matches}
    assert pairs == {(ID + "company/jinshi", TPV + "/polysilicon",
                      ID + "company/jingyuan-group", TPV + "/ingot")}


def test_paths_name_predicates(an):
    paths = entity_paths(None, "金石硅业", "北岭钢构有限公司", analyzer=an)
    assert paths
    steps = paths[0]
    assert [s["predicate"] for s in steps] == ["investor", "locatedIn", "locatedIn"]
    assert [s["forward"] for s in steps] == [True, True, False]
    assert steps[-1]["to_label"] == "北岭钢构有限公司"


def test_chain_graph_api(ds):
    g = chain_graph(ds, "tpv", region="朔州")
    assert set(g.nodes) == {TPV + "/" + k for k in
                            ("polysilicon", "ingot", "wafer", "cell", "module", "mounting", "station", "glass")}
    assert (TPV + "/wafer", TPV + "/cell") in g.edges
    cell = g.nodes[TPV + "/cell"]
    assert cell["present"] is False and cell["gap"] == "补链" and cell["players"] == []
    ingot = g.nodes[TPV + "/ingot"]
    assert {"label", "stage", "order", "present", "players", "investment", "capacity"} <= set(ingot)
    assert ingot["stage"] == "Upstream" and ingot["order"] == 2
    assert {p["label"] for p in ingot["players"]} == {"晶源5GW拉晶项目", "晶源硅能"}
    assert ingot["capacity"] == {"W": pytest.approx(5e9)}
    assert g.graph["coverage"] == pytest.approx(5 / 7, abs=1e-4)


def test_unknown_scope_and_chain_raise(an):
    with pytest.raises(ScopeError):
        analyze_chains(None, region="火星市", analyzer=an)
    with pytest.raises(ScopeError):
        analyze_chains(None, chain="nonexistent", analyzer=an)
    with pytest.raises(ScopeError):
        analyze_chains(None, region="朔州", zone="北岭开发区", analyzer=an)


def test_to_dict_is_json(an):
    import json

    d = _pv(an, region="朔州").to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False))["gaps"][0]["kind"] == "补链"


def test_rdflib_and_oxigraph_give_the_same_report(ds):
    a = [r.to_dict() for r in analyze_chains(ds, region="朔州")]
    b = [r.to_dict() for r in analyze_chains(fixture_store(), region="朔州")]
    assert a == b


def test_analyze_regions_covers_every_place(ds):
    out = analyze_regions(ds, chain="tpv")
    assert ID + "region/140600" in out and ID + "zone/beiling" in out
    assert out[ID + "region/140600"][0].present == 5


def test_input_dataset_is_not_modified(ds):
    n = len(ds)
    analyze_chains(ds, region="朔州")
    assert len(ds) == n and not ds.default_union


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_scoped_projection_gives_the_same_reports_as_the_whole(ds, engine):
    from kg.analyze.chains import project_places

    graph = ds if engine == "rdflib" else fixture_store()
    whole = Analyzer(graph)
    for place in sorted(project_places(graph)):
        kind = "region" if "/region/" in place else "zone"
        a = [r.to_dict() for r in analyze_chains(None, analyzer=whole, **{kind: place})]
        scoped = Analyzer(graph, scoped=True, **{kind: place})
        assert scoped.p.scope and len(scoped.p.types) < len(whole.p.types) or place.endswith("140000")
        b = [r.to_dict() for r in analyze_chains(None, analyzer=scoped, **{kind: place})]
        assert a == b, place


def test_scoped_analyzer_refuses_another_scope(ds):
    an = Analyzer(ds, region="朔州", scoped=True)
    with pytest.raises(ScopeError):
        analyze_chains(None, region="长治", analyzer=an)
