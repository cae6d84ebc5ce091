"""``kg viz --png``: a PNG of each chain page, made with the Debian Chromium.

Its own module: Playwright's sync API cannot start while another module's browser runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._browser import browser_or_skip

pytestmark = pytest.mark.browser
SMALL = Path(__file__).resolve().parents[1] / "data" / "viz" / "small.trig"


def test_kg_viz_png_saves_a_png_per_chain_page(tmp_path):
    browser_or_skip()
    from kg.cli import main

    assert main(["viz", str(SMALL), "-o", str(tmp_path), "--png", "-q"]) == 0
    pngs = sorted((tmp_path / "chains").glob("*.png"))
    assert [p.name for p in pngs] == ["photovoltaics.png"]
    data = pngs[0].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_png_without_a_browser_says_what_to_install(monkeypatch, tmp_path):
    from kg.errors import KGError
    from kg.viz import png

    monkeypatch.setattr(png, "chromium_path", lambda: None)
    with pytest.raises(KGError, match="Chromium"):
        png.save_pngs([tmp_path / "x.html"])
