"""The YASGUI query page of ``kg serve`` in headless Chromium: it loads only from the local
server (every other request is aborted and recorded), shows no error under its Content
Security Policy, and runs a stored query against the endpoint.
"""

from __future__ import annotations

import pytest

from .helpers import running_server

pytestmark = pytest.mark.browser


def test_query_page_runs_a_stored_query_offline():
    from tests.viz._browser import ARGS, CHROMIUM, browser_or_skip

    sync_playwright = browser_or_skip()
    with running_server() as s, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            blocked, errors = [], []

            def route(r):
                if r.request.url.startswith(s.base + "/"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.goto(s.base + "/")
            page.wait_for_selector(".yasqe .CodeMirror", timeout=30000)
            page.click('a[data-query="entities-by-type"]')
            page.wait_for_function(
                "() => document.querySelector('.yasqe .CodeMirror').CodeMirror"
                ".getValue().includes('按类型列出实体')", timeout=10000)
            page.click(".yasqe_queryButton")
            page.wait_for_function(
                "() => document.querySelector('.yasr') && "
                "document.querySelector('.yasr').innerText.includes('和兴精密制造有限公司')",
                timeout=30000)
            assert blocked == [], blocked
            assert errors == [], errors
        finally:
            browser.close()
