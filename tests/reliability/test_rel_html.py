"""Reliability battery, HTML (issue 11 item 15): every string from a document that reaches
an HTML page is escaped — a hypothesis property over arbitrary Unicode on the explorer page,
and a real headless browser on the pages ``kg viz`` writes: no dialog, no injected element."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ._rel_util import CLEAN, cli

pytest.importorskip("kg.viz.explorer")

#: Hypothesis examples of the page property (each renders a full page).
PAGE_EXAMPLES = 60

MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "</script><script>alert(3)",
          "<!--", "]]>", "<svg onload=alert(4)>", "&lt;b&gt;", "\"'><iframe src=javascript:alert(5)>",
          "\u2028\u2029", "{{7*7}}", "${alert(6)}", "</style><style>", "<base href=//evil>"]


class _Tags(HTMLParser):
    """Element structure of a page: (tag, attribute names) in order, and the text outside
    script and style elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in: list[str] = []
        self._attrs: dict = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted(a for a, _v in attrs))))
        self._in.append(tag)
        self._attrs = dict(attrs)
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            attrs, prev = self.scripts[-1]
            self.scripts[-1] = (attrs, prev + data)
        elif not (self._in and self._in[-1] == "style"):
            self.text.append(data)


def _parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    p.close()
    return p


def _page_for(name: str) -> str:
    """The explorer page of a one-document graph whose company, sentence, title and source
    file name all carry ``name``."""
    from kg.ingest import ingest_text
    from kg.mapping import assemble_dataset
    from kg.model import Entity, Mention, Relation, Resolved
    from kg.ns import entity_iri
    from kg.viz.explorer import build_explorer

    text = f"{name}有限公司在长治高新区投资。\n"
    doc = ingest_text(text, path=f"{name}.txt", metadata={"title": f"《{name}》"})
    start = doc.text.index("有限公司") + 4
    comp = Entity(str(entity_iri("Company", name + "有限公司")), "Company", name + "有限公司",
                  aliases=(name,), mentions=(Mention("Company", doc.text[:start], 0, start, "c"),))
    z0 = doc.text.index("长治高新区")
    zone = Entity(str(entity_iri("DevelopmentZone", "长治高新区")), "DevelopmentZone", "长治高新区",
                  mentions=(Mention("DevelopmentZone", "长治高新区", z0, z0 + 5, "z"),))
    rel = Relation(comp.iri, "locatedIn", zone.iri, 0, len(doc.text.rstrip()), rule=name)
    ds = assemble_dataset([Resolved(doc, entities=(comp, zone), relations=(rel,))],
                          include_vocabularies=False)
    return build_explorer(ds)


def _data_strings(obj) -> set[str]:
    out: set[str] = set()
    if isinstance(obj, str):
        out.add(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out |= _data_strings(k) | _data_strings(v)
    elif isinstance(obj, list):
        for v in obj:
            out |= _data_strings(v)
    return out


@pytest.fixture(scope="module")
def baseline():
    return _parse(_page_for("基线科技"))


def _assert_escaped(name: str, baseline: _Tags) -> None:
    page = _page_for(name)
    parsed = _parse(page)
    # no injected element or attribute: the structure is that of a harmless name
    assert parsed.tags == baseline.tags
    # the name travels as data: the JSON block decodes back to it, whole
    blocks = [code for attrs, code in parsed.scripts if attrs.get("type") == "application/json"]
    assert blocks, "no JSON data block"
    strings = set().union(*(_data_strings(json.loads(b)) for b in blocks))
    assert name + "有限公司" in strings  # the company label, exactly as the graph holds it
    # and no inline script can be closed early by it
    for _attrs, code in parsed.scripts:
        assert "</script" not in code.lower()


@pytest.mark.parametrize("name", MARKUP)
def test_markup_in_a_document_stays_text_in_the_page(name, baseline):
    _assert_escaped(name, baseline)


_NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40) | st.lists(
    st.sampled_from(MARKUP + ["长治", "<", ">", "&", '"', "'", "/", "\\", "\x00", "\ufeff"]),
    min_size=1, max_size=6).map("".join)


@settings(max_examples=PAGE_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=_NAMES)
def test_any_unicode_from_a_document_is_escaped_in_the_page(name, baseline):
    from hypothesis import assume

    from kg.errors import IngestError
    from kg.ingest import ingest_text

    try:
        ingest_text(name + "有限公司在长治高新区投资。")
    except IngestError:
        assume(False)
    _assert_escaped(name, baseline)


# --- the real browser ------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


def _browser_or_skip():
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright, reason = None, "the playwright package is not installed"
    if reason is None and not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = f"{CHROMIUM} is missing"
    if reason:
        if os.environ.get("CHAINKG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CHAINKG_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return sync_playwright


@pytest.mark.browser
def test_hostile_document_in_a_real_browser_raises_no_dialog_and_injects_nothing(tmp_path, capsys):
    sync_playwright = _browser_or_skip()
    src = tmp_path / "docs"
    src.mkdir()
    hostile = "".join(f"{m}有限公司在长治高新区投资建设{m}项目。\n" for m in MARKUP)
    (src / "<img src=x onerror=alert(9)>.txt").write_text(CLEAN + hostile, encoding="utf-8")
    assert cli(capsys, "build", src, "-o", tmp_path / "out", "--quiet", "--no-validate")[0] == 0
    rc, _out, err = cli(capsys, "viz", tmp_path / "out" / "graph.trig", "-o", tmp_path / "site",
                        "--quiet")
    assert rc == 0, err
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert pages
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking"])
        try:
            for path in pages:
                page = browser.new_page()
                dialogs: list[str] = []
                page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                           else r.abort())
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                page.wait_for_timeout(300)
                if page.evaluate("!!window.kgExplorer"):
                    # open the side panel of every node: names and sentences go into the DOM
                    page.evaluate("""() => { const k = window.kgExplorer;
                        for (const id of k.nodes.getIds()) { try { k.selectNode(id); } catch (e) {} } }""")
                injected = page.evaluate("""() => ({
                    img: document.querySelectorAll('img, iframe, object, embed, svg, base').length,
                    handlers: [...document.querySelectorAll('*')].filter(e =>
                        [...e.attributes].some(a => a.name.startsWith('on'))).length,
                    scripts: [...document.scripts].filter(s => !s.type || s.type.includes('javascript')).length,
                })""")
                assert dialogs == [], (path.name, dialogs)
                assert injected["img"] == 0 and injected["handlers"] == 0, (path.name, injected)
                html = path.read_text(encoding="utf-8")
                expected = [a for a, _c in _parse(html).scripts if "json" not in a.get("type", "")]
                assert injected["scripts"] == len(expected), path.name
                page.close()
        finally:
            browser.close()
