"""kg viz pages in a real headless Chromium (Debian's), offline: the acceptance tests.

Skips with a reason when /usr/bin/chromium or playwright is absent, unless
CHAINKG_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ._browser import ARGS, CHROMIUM, browser_or_skip, open_offline

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "viz" / "small.trig"
HOSTILE = ["<script>alert(1)</script>科技有限公司", "<img src=x onerror=alert(2)>新材料有限公司"]
EXPLORER_READY = "() => window.kgExplorer && window.kgExplorer.state.settled"
PANORAMA_READY = "() => window.kgPanorama && window.kgPanorama.state.settled"


@pytest.fixture(scope="module")
def browser():
    sync_playwright = browser_or_skip()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """``kg viz`` on the fixture graph, through the real command line."""
    out = tmp_path_factory.mktemp("site")
    r = subprocess.run([sys.executable, "-m", "kg.cli", "viz", str(SMALL), "-o", str(out),
                        "--region", "平鲁"], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:  # `python -m kg.cli` may not be runnable: call the entry point
        from kg.cli import main

        assert main(["viz", str(SMALL), "-o", str(out), "--region", "平鲁", "-q"]) == 0, r.stderr
    return out


def _assert_clean(loaded):
    assert loaded.blocked == [], f"page tried the network: {loaded.blocked}"
    assert all(u.startswith("file://") for u in loaded.requests)
    assert loaded.console_errors == []
    assert loaded.dialogs == []


def test_every_page_loads_offline_without_errors(browser, site):
    pages = sorted(site.rglob("*.html"))
    names = {p.relative_to(site).as_posix() for p in pages}
    assert {"index.html", "explorer.html", "chains/photovoltaics.html",
            "chains/photovoltaics.region-ping-lu.html"} <= names
    for p in pages:
        if p.name == "index.html":
            ready = "() => document.readyState === 'complete'"
        elif p.name == "explorer.html":
            ready = EXPLORER_READY
        else:
            ready = PANORAMA_READY
        loaded = open_offline(browser, p, settled_js=ready)
        _assert_clean(loaded)
        if p.name == "explorer.html":
            counts = loaded.page.evaluate("[kgExplorer.nodes.length, kgExplorer.edges.length]")
            assert counts == [13, 13]
            # physics has stopped once settled
            assert loaded.page.evaluate("kgExplorer.network.physics.physicsEnabled") is False
        elif p.parent.name == "chains":
            n = loaded.page.evaluate("kgPanorama.nodes.length")
            assert n == len(loaded.page.evaluate("kgPanorama.data.info"))
        loaded.page.context.close()


def test_index_links_the_pages(browser, site):
    loaded = open_offline(browser, site / "index.html", settled_js="() => document.readyState === 'complete'")
    hrefs = loaded.page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    assert "explorer.html" in hrefs and "chains/photovoltaics.region-ping-lu.html" in hrefs
    assert "平鲁区" in loaded.page.inner_text("#chains")
    loaded.page.context.close()


@pytest.fixture
def explorer(browser, site):
    loaded = open_offline(browser, site / "explorer.html", settled_js=EXPLORER_READY)
    yield loaded
    _assert_clean(loaded)
    loaded.page.context.close()


def _node_id(page, label: str) -> int:
    return page.evaluate("l => kgExplorer.data.info.findIndex(i => i.label === l)", label)


def test_search_by_name_or_alias_selects_the_node(explorer):
    page = explorer.page
    for query, label in [("晶耀光伏", "山西晶耀光伏科技有限公司"), ("平鲁开发区", "平鲁经济技术开发区")]:
        page.fill("#search", query)
        page.press("#search", "Enter")
        assert page.evaluate("kgExplorer.network.getSelectedNodes()") == [_node_id(page, label)]
        assert page.inner_text("#panel h2") == label


def test_clicking_a_project_shows_its_source_sentence(explorer):
    page = explorer.page
    nid = _node_id(page, "年产10GW光伏组件项目")
    page.evaluate("id => kgExplorer.network.focus(id, {scale: 1.5, animation: false})", nid)
    xy = page.evaluate("""id => { const p = kgExplorer.network.getPositions([id])[id];
                                  return kgExplorer.network.canvasToDOM(p); }""", nid)
    box = page.locator("#network canvas").bounding_box()
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])  # a real click on the canvas
    panel = page.locator("#panel")
    assert panel.locator("h2").inner_text() == "年产10GW光伏组件项目"
    src = panel.locator(".source").first
    assert "平鲁区重点项目建设简报" in src.locator(".doc").inner_text()
    assert src.locator("p").inner_text().startswith("山西晶耀光伏科技有限公司投资的年产10GW光伏组件项目")
    assert src.locator("mark").inner_text() == "年产10GW光伏组件项目"
    text = panel.inner_text()
    assert "50 亿元" in text and "10 GW" in text and "在建" in text and "10GW组件项目" in text


def test_clicking_an_edge_shows_its_sentence(explorer):
    page = explorer.page
    k = page.evaluate("kgExplorer.data.edgeInfo.findIndex(e => e.pred === 'investor' && e.sources.length)")
    page.evaluate("k => kgExplorer.network.selectEdges([k])", k)
    page.evaluate("""k => kgExplorer.network.body.emitter.emit('click',
                      {nodes: [], edges: [k], pointer: {DOM: {x: 0, y: 0}}})""", k)
    assert "投资" in page.inner_text("#panel")
    assert page.locator("#panel mark").first.inner_text() == "山西晶耀光伏科技有限公司投资的年产10GW光伏组件项目"


def test_filters_hide_what_they_should(explorer):
    page = explorer.page
    shown = "kgExplorer.nodes.get({filter: n => !n.hidden}).map(n => kgExplorer.data.info[n.id].label).sort()"
    everything = page.evaluate(shown)
    assert len(everything) == 13
    page.uncheck("#legend input[data-class=Company]")
    after = page.evaluate(shown)
    assert "山西晶耀光伏科技有限公司" not in after and "平鲁经济技术开发区" in after
    assert len(after) == 13 - 4
    # edges of hidden nodes are hidden too
    assert page.evaluate("""kgExplorer.edges.get({filter: e => !e.hidden}).every(e =>
        !kgExplorer.nodes.get(e.from).hidden && !kgExplorer.nodes.get(e.to).hidden)""")
    page.check("#legend input[data-class=Company]")
    page.select_option("#f-status", label="签约")
    assert page.evaluate(shown) == ["储能电站项目"]
    page.select_option("#f-status", label="全部 all")
    page.select_option("#f-chain", label="光伏产业链")
    chain = page.evaluate(shown)
    assert "年产10GW光伏组件项目" in chain and "储能电站项目" not in chain


def test_hostile_names_stay_text(explorer):
    page = explorer.page
    for name in HOSTILE:
        page.fill("#search", name)
        page.press("#search", "Enter")
        assert page.inner_text("#panel h2") == name
        # the source sentence shows the markup literally, and highlights the mention
        assert name in page.locator("#panel .source p").inner_text()
        assert page.locator("#panel .source mark").inner_text() == name
        assert page.locator("#panel .source .doc").inner_text() == "《<b>恶意</b>标题<script>alert(3)</script>》"
    assert page.locator("#panel img").count() == 0 and page.locator("#panel script").count() == 0
    assert page.locator("body img").count() == 0
    assert explorer.dialogs == []


def test_aggregated_view_expands_on_demand(browser, tmp_path):
    from kg.viz.explorer import build_explorer

    p = tmp_path / "agg.html"
    p.write_text(build_explorer(SMALL, budget=5), encoding="utf-8")
    loaded = open_offline(browser, p, settled_js=EXPLORER_READY)
    page = loaded.page
    ids = page.evaluate("kgExplorer.nodes.getIds()")
    assert all(isinstance(i, str) and i.startswith("g:cls:") for i in ids)
    assert len(ids) == len(page.evaluate("kgExplorer.data.classes"))
    assert page.is_visible("#agg-note")
    page.evaluate("kgExplorer.expandGroup('g:cls:Company')")
    labels = page.evaluate("kgExplorer.nodes.get().map(n => n.label)")
    assert "★山西晶耀光伏科技有限公司" in labels and "g:cls:Company" not in page.evaluate("kgExplorer.nodes.getIds()")
    # search expands the group that hides the node
    page.fill("#search", "平鲁开发区")
    page.press("#search", "Enter")
    assert page.inner_text("#panel h2") == "平鲁经济技术开发区"
    _assert_clean(loaded)
    loaded.page.context.close()


def test_pinglu_photovoltaics_page_shows_the_cell_gap_as_buliang(browser, site):
    loaded = open_offline(browser, site / "chains" / "photovoltaics.region-ping-lu.html",
                          settled_js=PANORAMA_READY)
    page = loaded.page
    labels = page.evaluate("kgPanorama.nodes.get().map(n => n.label)")
    assert "电池片\n【补链】" in labels
    assert "补链：电池片" in page.inner_text("#gaps").replace(" ", "")
    # links run left to right in stage order, wafer → cell → module
    xs = page.evaluate("""['切片','电池片','组件'].map(l => kgPanorama.network.getPositions()[
        kgPanorama.data.info.findIndex(i => i.kind === 'link' && i.label === l)].x)""")
    assert xs == sorted(xs)
    # clicking the gap explains it
    page.evaluate("kgPanorama.show(kgPanorama.data.info.findIndex(i => i.label === '电池片'))")
    assert "补链" in page.inner_text("#panel")
    _assert_clean(loaded)
    loaded.page.context.close()
