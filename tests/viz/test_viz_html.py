"""kg.viz HTML plumbing and page contents, without a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.viz._html import json_for_script, script_hash
from kg.viz.data import explorer_data
from kg.viz.explorer import build_explorer, explorer_payload
from kg.viz.panorama import build_panorama, panorama_payload

DATA = Path(__file__).resolve().parents[1] / "data" / "viz"
SMALL = DATA / "small.trig"
HOSTILE = ["<script>alert(1)</script>科技有限公司", "<img src=x onerror=alert(2)>新材料有限公司"]


@pytest.fixture(scope="module")
def data():
    return explorer_data(SMALL)


@pytest.fixture(scope="module")
def html(data):
    return build_explorer(data)


def _json_block(page: str) -> dict:
    m = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', page, re.S)
    assert m, "no JSON data block"
    return json.loads(m.group(1))


@given(st.recursive(st.text() | st.integers(), lambda c: st.lists(c) | st.dictionaries(st.text(), c),
                    max_leaves=20))
def test_json_for_script_round_trips_and_cannot_close_the_block(obj):
    text = json_for_script(obj)
    assert json.loads(text) == obj
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text


def test_csp_hash_matches_the_inline_scripts(html):
    import html as _html

    csp = _html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"',
                                   html).group(1))
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 2  # vis-network and the explorer
    for code in scripts:
        assert script_hash(code) in csp
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp


def test_explorer_is_self_contained(html):
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html, re.I)
    assert "cdn" not in html.lower().replace("cdnjs", "") or "cdn.jsdelivr" not in html
    # No remote reference outside the JSON data and the vendored licence comments.
    body = re.sub(r'<script id="kg-data".*?</script>', "", html, flags=re.S)
    body = re.sub(r"<script>.*?</script>", "", body, flags=re.S)
    body = re.sub(r"<style>.*?</style>", "", body, flags=re.S)
    assert "http://" not in body and "https://" not in body


def test_document_strings_never_appear_raw(html):
    for s in HOSTILE + ["<b>恶意</b>"]:
        assert s not in html
    assert "alert(1)" in html  # present, but escaped inside the JSON block


def test_explorer_json_holds_nodes_edges_and_provenance(html, data):
    d = _json_block(html)
    assert len(d["nodes"]) == len(data.nodes) == 13
    assert len(d["edges"]) == len(data.edges) == 13
    labels = [i["label"] for i in d["info"]]
    assert set(HOSTILE) <= set(labels)
    p1 = d["info"][labels.index("年产10GW光伏组件项目")]
    assert p1["cls"] == "Project" and "10GW组件项目" in p1["aliases"]
    assert {q["unit"] for q in p1["quantities"]} == {"CNY", "W"}
    assert any(q["kind"] == "investment" and q["value"] == 5_000_000_000 for q in p1["quantities"])
    sent, a, b = p1["sources"][0]
    title, text = d["sentences"][sent]
    assert title == "平鲁区重点项目建设简报" and text[a:b] == "年产10GW光伏组件项目"
    assert d["facets"]["status"] == [["signed", "签约"], ["under_construction", "在建"]]
    assert d["info"][labels.index("山西晶耀光伏科技有限公司")]["leader"] is True
    # every edge's endpoints are nodes; investor edge carries its sentence
    inv = [k for k, e in enumerate(d["edgeInfo"]) if e["pred"] == "investor" and e["sources"]]
    assert inv and d["sentences"][d["edgeInfo"][inv[0]]["sources"][0][0]][1].startswith("山西晶耀")


def test_large_graphs_open_aggregated(data):
    assert explorer_payload(data)["aggregate"] is False
    p = explorer_payload(data, budget=5)
    assert p["aggregate"] is True and p["aggregateBy"] == "class"
    with pytest.raises(ValueError):
        explorer_payload(data, aggregate_by="colour")


def test_size_by_investment_makes_the_funded_project_biggest(data):
    p = explorer_payload(data, size_by="investment")
    big = max(range(len(p["nodes"])), key=lambda i: p["nodes"][i]["value"])
    assert p["info"][big]["label"] == "年产10GW光伏组件项目"


def pv_chain_graph() -> nx.DiGraph:
    """A 产业链全景 in the shape of kg.analyze.chain_graph, built by hand."""
    g = nx.DiGraph(chain="https://w3id.org/chainkg/chain/photovoltaics", label="光伏产业链",
                   scope_label="平鲁区", coverage=4 / 6,
                   leaders=[{"iri": "c1", "label": "晶耀光伏", "from_text": True, "score": 1.0}])
    links = [("poly", "多晶硅", "Upstream", 2, True, ""), ("wafer", "切片", "Midstream", 4, True, "weak"),
             ("cell", "电池片", "Midstream", 5, False, "补链"), ("module", "组件", "Midstream", 6, True, ""),
             ("plant", "光伏电站", "Downstream", 8, False, "延链"), ("ingot", "拉晶", "Upstream", 3, True, "")]
    for iri, label, stage, order, present, gap in links:
        players = [{"iri": "c1", "label": "晶耀光伏", "type": "Company", "role": "produces"},
                   {"iri": "x" + iri, "label": HOSTILE[0], "type": "Project", "role": ""}] if present else []
        g.add_node(iri, label=label, stage=stage, order=order, present=present, gap=gap,
                   players=players, investment=2e9 if present else 0.0, capacity={})
    for a, b in [("poly", "ingot"), ("ingot", "wafer"), ("wafer", "cell"), ("cell", "module"),
                 ("module", "plant")]:
        g.add_edge(a, b)
    return g


def test_panorama_lays_links_out_by_stage_and_labels_gaps():
    p = panorama_payload(pv_chain_graph())
    links = [(n, i) for n, i in zip(p["nodes"], p["info"], strict=True) if i["kind"] == "link"]
    assert [i["label"] for _n, i in links] == ["多晶硅", "拉晶", "切片", "电池片", "组件", "光伏电站"]
    xs = [n["x"] for n, _i in links]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    cell = next(n for n, i in links if i["label"] == "电池片")
    assert "补链" in cell["label"] and cell["shapeProperties"]["borderDashes"]
    plant = next(n for n, i in links if i["label"] == "光伏电站")
    assert "延链" in plant["label"]
    present = next(n for n, i in links if i["label"] == "组件")
    assert not present["shapeProperties"]["borderDashes"]
    # players hang under their link, leaders starred
    players = [(n, i) for n, i in zip(p["nodes"], p["info"], strict=True) if i["kind"] == "player"]
    assert all(n["y"] > 0 for n, _ in players)
    assert any(n["label"].startswith("★") and i["label"] == "晶耀光伏" for n, i in players)
    feeds = [e for e in p["edges"] if e["kind"] == "feeds"]
    assert len(feeds) == 5
    assert [s[0] for s in p["stages"]] == ["上游 Upstream", "中游 Midstream", "下游 Downstream"]
    assert p["present"] == 4 and p["total"] == 6 and p["gaps"][0] == ["补链", ["电池片"]]


def test_panorama_page_escapes_and_shows_coverage():
    page = build_panorama(pv_chain_graph())
    assert HOSTILE[0] not in page
    assert "4/6 环节 (67%)" in page
    assert re.search(r'class="gap-kind gap-补链">补链</span>：电池片', page)


def test_show_renders_inline_in_jupyter(data):
    pytest.importorskip("IPython")
    from kg.viz import show

    out = show(SMALL, height=400)._repr_html_()
    assert out.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and "height:400px" in out
    assert "<script" not in out.split('srcdoc="', 1)[1].split('"', 1)[0]
    pano = show(pv_chain_graph())._repr_html_()
    assert "电池片" in pano and "补链" in pano
