"""Acceptance examples of issue 6 on the real seed build (data/corpus + ontology/chains).

These depend on extraction quality: they build the seed and assert the acceptance
examples on what extraction found. The same logic is tested on a hand-written graph where
the facts are present (test_chains.py).
"""

from __future__ import annotations

import pytest

from kg.analyze import analyze_chains, find_chain_leaders
from kg.analyze.chains import Analyzer
from kg.resources import project_root


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    from kg.pipeline import build_graph
    from kg.store import load_graph

    out = tmp_path_factory.mktemp("seed")
    build_graph([project_root() / "data" / "corpus"], out, validate=False)
    return Analyzer(load_graph(out / "graph.trig"))


def _chain(an: Analyzer, name: str) -> str:
    return an.resolve_chain(name)


def _link(an: Analyzer, chain: str, word: str) -> str:
    """The link of ``chain`` one of whose names (or product types' names) is ``word``."""
    links = {link for link in an.p.vocab.get(word, ()) if an.p.links[link].chain == chain}
    assert len(links) == 1, f"{word}: {links}"
    return links.pop()


def _report(an, chain, **scope):
    return analyze_chains(None, chain=chain, analyzer=an, **scope)[0]


def test_vocabulary_has_what_the_acceptance_names(seed):
    """Precondition of the seed acceptance tests below, so that they can only fail on the analysis."""
    pv, li = _chain(seed, "photovoltaics"), _chain(seed, "lithium-battery")
    for w in ("高纯硅", "拉晶", "切片", "电池片", "组件", "支架"):
        _link(seed, pv, w)
    for w in ("磷酸锰铁锂", "负极材料", "电解液", "隔膜", "电芯"):
        _link(seed, li, w)
    assert _link(seed, pv, "电池片") in {b for a, b in seed.p.feeds if a == _link(seed, pv, "切片")}




@pytest.mark.parametrize("scope", [{"zone": "平鲁经济技术开发区"}, {"region": "朔州"}])
def test_pv_in_pinglu_present_links_and_cell_gap(seed, scope):
    pv = _chain(seed, "photovoltaics")
    rep = _report(seed, pv, **scope)
    present = {s.iri for s in rep.links if s.present}
    wanted = {_link(seed, pv, w) for w in ("高纯硅", "拉晶", "切片", "组件", "支架")}
    assert wanted <= present
    cell = next(g for g in rep.gaps if g.link == _link(seed, pv, "电池片"))
    assert cell.kind == "补链" and cell.direction == "between"
    assert _link(seed, pv, "切片") in cell.neighbours and _link(seed, pv, "组件") in cell.neighbours


def test_lithium_materials_in_changzhi(seed):
    li = _chain(seed, "lithium-battery")
    rep = _report(seed, li, region="长治")
    present = {s.iri for s in rep.links if s.present}
    assert {_link(seed, li, "磷酸锰铁锂"), _link(seed, li, "负极材料")} <= present
    kinds = {g.link: g.kind for g in rep.gaps if g.kind in ("补链", "延链")}
    assert kinds[_link(seed, li, "电解液")] == "补链"
    assert kinds[_link(seed, li, "隔膜")] == "补链"
    assert kinds[_link(seed, li, "电芯")] == "延链"
    cells = next(g for g in rep.gaps if g.link == _link(seed, li, "电芯"))
    assert cells.direction == "downstream"


def test_silicon_anode_maps_to_the_anode_link(seed):
    li = _chain(seed, "lithium-battery")
    assert _link(seed, li, "硅基负极材料") == _link(seed, li, "负极材料")




def test_gaokehuashuo_is_chain_leader(seed):
    named = [x for x in find_chain_leaders(seed.p, region="长治") if x["label"].startswith("高科华烁")]
    assert named, "高科华烁 not among the text's chain leaders"
    inds = named[0]["industries"]
    assert any("半导体" in i["label"] for i in inds)
    chains = {c for i in inds for c in i["chains"]}
    assert chains, "its industry maps to no chain vocabulary"
    rep = _report(seed, sorted(chains)[0], region="长治")
    assert rep.leaders[0].label.startswith("高科华烁") and rep.leaders[0].from_text
