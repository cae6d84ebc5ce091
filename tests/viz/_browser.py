"""Headless Chromium for the viz tests: the Debian binary driven by Playwright, offline.

Browser tests skip with a reason when /usr/bin/chromium or the playwright package is
missing, unless CHAINKG_REQUIRE_BROWSER=1 (then they fail: CI must have the browser).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browser_or_skip():
    """Return ``playwright.sync_api.sync_playwright`` or skip/fail with the reason."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        reason = "the playwright package is not installed (pip install playwright)"
    if reason is None and not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = f"{CHROMIUM} is missing (run .ci/install-browser.sh)"
    if reason:
        if os.environ.get("CHAINKG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CHAINKG_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return sync_playwright


@dataclass
class Loaded:
    """A page opened offline, with what it tried to fetch and what it complained about."""

    page: object
    blocked: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def open_offline(browser, path: Path, *, settled_js: str, width: int = 1400,
                 height: int = 850, timeout_ms: int = 30000) -> Loaded:
    """Open ``path`` from file:// with every other request aborted; wait until settled."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    out = Loaded(page=page)

    def route(r):
        url = r.request.url
        out.requests.append(url)
        if url.startswith("file://"):
            r.continue_()
        else:
            out.blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: out.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: out.console_errors.append(f"pageerror: {e}"))

    def on_dialog(d):
        out.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.resolve().as_uri())
    page.wait_for_function(settled_js, timeout=timeout_ms)
    return out
