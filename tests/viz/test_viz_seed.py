"""kg viz on the real seed build (data/corpus): every page loads offline in Chromium.

Which chains have local players in 平鲁 depends on extraction, which colleagues are still
improving; that expectation is marked as such, the page mechanics are not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._browser import ARGS, CHROMIUM, browser_or_skip, open_offline

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    from kg.cli import main

    corpus = ROOT / "data" / "corpus"
    if not corpus.is_dir():
        pytest.skip("data/corpus is not in this checkout")
    build = tmp_path_factory.mktemp("seed")
    assert main(["build", str(corpus), "-o", str(build), "-q", "--no-validate"]) == 0
    out = tmp_path_factory.mktemp("seedviz")
    # The seed names 平鲁 only as its development zone (平鲁经济技术开发区 / 平鲁开发区).
    assert main(["viz", str(build / "graph.trig"), "-o", str(out), "-q", "--zone", "平鲁开发区"]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    sync_playwright = browser_or_skip()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_seed_pages_load_offline(browser, seed_site):
    pages = sorted(seed_site.rglob("*.html"))
    assert (seed_site / "explorer.html") in pages and (seed_site / "index.html") in pages
    for p in pages:
        ready = {"explorer.html": "() => window.kgExplorer && kgExplorer.state.settled",
                 "index.html": "() => document.readyState === 'complete'"}.get(
            p.name, "() => window.kgPanorama && kgPanorama.state.settled")
        loaded = open_offline(browser, p, settled_js=ready)
        assert loaded.blocked == [] and loaded.console_errors == [] and loaded.dialogs == [], p
        if p.name == "explorer.html":
            n = loaded.page.evaluate("kgExplorer.nodes.length")
            assert n == len(loaded.page.evaluate("kgExplorer.data.nodes")) > 0
        loaded.page.context.close()


def test_seed_pinglu_photovoltaics_shows_cell_gap(browser, seed_site):
    pages = sorted((seed_site / "chains").glob("photovoltaics.*.html"))
    assert pages, "no photovoltaics page scoped to 平鲁"
    loaded = open_offline(browser, pages[0],
                          settled_js="() => window.kgPanorama && kgPanorama.state.settled")
    labels = loaded.page.evaluate("kgPanorama.nodes.get().map(n => n.label)")
    assert "电池片\n【补链】" in labels
    loaded.page.context.close()
