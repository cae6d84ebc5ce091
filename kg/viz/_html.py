"""Stage viz, HTML plumbing shared by the explorer, the chain pages and the index.

Every page is one self-contained file: the vendored vis-network JS and CSS are inlined, data
travels as JSON in a ``<script type="application/json">`` block (with ``<``, ``>``, ``&`` and
U+2028/2029 escaped so no document string can close the block), templates autoescape, and a
Content-Security-Policy allows only the page's own inline scripts (by hash) and no network at
all, so even a string that slipped through could neither run nor phone home.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["json_for_script", "vis_assets", "render", "script_hash", "TEMPLATES_DIR", "STATIC_DIR"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

_REPLACEMENTS = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def json_for_script(obj: Any) -> str:
    """JSON text safe to place inside ``<script type="application/json">``.

    >>> json_for_script({"a": "</script><b>&"})
    '{"a":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # str.replace per character is far faster than str.translate on long non-ASCII text.
    for ch, esc in _REPLACEMENTS:
        if ch in text:
            text = text.replace(ch, esc)
    return text


def script_hash(code: str) -> str:
    """The CSP source expression (``'sha256-…'``) that allows exactly this inline script."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """The vendored vis-network 9.1.2 standalone build: ``(js, css)``."""
    js = (STATIC_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    css = (STATIC_DIR / "vis-network.css").read_text(encoding="utf-8")
    # The source map is not shipped: drop the comment that would point devtools at it.
    js = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)
    # Inlined verbatim: they must not be able to end their own element early.
    if "</script" in js.lower() or "</style" in css.lower():  # pragma: no cover - vendored file
        raise RuntimeError("vendored vis-network assets contain a closing tag; cannot inline")
    return js, css


@lru_cache(maxsize=1)
def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=8)
def _app_js(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def render(template: str, *, scripts: list[str], data: Any | None = None, **context: Any) -> str:
    """Render ``template`` with the given inline ``scripts`` (names under static/, or "vis").

    The page's CSP lists the hash of each inline script; ``data`` goes into the JSON block.
    """
    from markupsafe import Markup

    js, css = vis_assets()
    codes = [js if s == "vis" else _app_js(s) for s in scripts]
    csp = ("default-src 'none'; script-src " + (" ".join(script_hash(c) for c in codes) or "'none'")
           + "; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
           "form-action 'none'")
    return _env().get_template(template).render(
        csp=csp,
        vis_css=Markup(css),
        scripts=[Markup(c) for c in codes],
        data_json=Markup(json_for_script(data)) if data is not None else None,
        **context,
    )
