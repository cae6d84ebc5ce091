"""Stage viz, png: screenshots of the generated pages with headless Chromium (for reports).

Consumes HTML files written by :mod:`kg.viz.site` and writes a PNG beside each, using the
Debian Chromium binary driven by Playwright (never Playwright's own browser download). The
browser is offline: every request that is not ``file://`` is aborted.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from ..errors import KGError

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium_path", "browser_available", "save_pngs"]

#: Where Debian's chromium package puts the browser (override with CHAINKG_CHROMIUM).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """The Chromium binary to use, or None when there is none."""
    p = os.environ.get("CHAINKG_CHROMIUM") or CHROMIUM
    if Path(p).is_file() and os.access(p, os.X_OK):
        return p
    return shutil.which("chromium")


def browser_available() -> tuple[bool, str]:
    """Whether PNGs can be made here, and if not, why (the reason names the fix)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False, "the playwright package is not installed (pip install 'chainkg[dev]')"
    if chromium_path() is None:
        return False, f"no Chromium at {CHROMIUM} (apt-get install chromium, or .ci/install-browser.sh)"
    return True, ""


def save_pngs(pages: Iterable[str | os.PathLike], *, width: int = 1600, height: int = 900,
              timeout: float = 30.0) -> list[str]:
    """Screenshot each HTML page (once drawn and settled) to ``<page>.png``.

    Returns the PNG paths. Raises :class:`~kg.errors.KGError` when no browser is available.
    """
    ok, why = browser_available()
    if not ok:
        raise KGError(f"cannot make PNGs: {why}")
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith("file://") else route.abort())
            for p in pages:
                path = Path(p).resolve()
                page.goto(path.as_uri())
                page.wait_for_selector("body[data-settled=true]", timeout=timeout * 1000)
                png = path.with_suffix(".png")
                page.screenshot(path=str(png), full_page=False)
                out.append(str(png))
        finally:
            browser.close()
    return out
