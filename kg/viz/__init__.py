"""Stage viz: interactive, offline HTML views of the knowledge graph (pyvis / vis-network).

Consumes the RDF graph and the chain analysis; produces self-contained pages — the whole-graph
explorer (:func:`build_explorer`), one 产业链全景图 per chain (:func:`build_panorama`), the
folder ``kg viz`` writes (:func:`write_site`) — and renders the same views inline in Jupyter
(:func:`show`). Heavy imports happen inside the functions.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_explorer", "build_panorama", "write_site", "show", "save_pngs"]


def build_explorer(graph, **kwargs: Any) -> str:
    """See :func:`kg.viz.explorer.build_explorer`."""
    from .explorer import build_explorer as f

    return f(graph, **kwargs)


def build_panorama(chain_graph, **kwargs: Any) -> str:
    """See :func:`kg.viz.panorama.build_panorama`."""
    from .panorama import build_panorama as f

    return f(chain_graph, **kwargs)


def write_site(graph, out, **kwargs: Any):
    """See :func:`kg.viz.site.write_site`."""
    from .site import write_site as f

    return f(graph, out, **kwargs)


def save_pngs(pages, **kwargs: Any) -> list[str]:
    """See :func:`kg.viz.png.save_pngs`."""
    from .png import save_pngs as f

    return f(pages, **kwargs)


def show(obj, *, chain: str | None = None, region: str | None = None, zone: str | None = None,
         height: int = 650, **kwargs: Any):
    """Render a view inline in Jupyter (an ``<iframe srcdoc>`` holding the whole page).

    Parameters
    ----------
    obj
        The graph (rdflib Dataset/Graph, pyoxigraph Store or path): the explorer, or with
        ``chain`` the chain's 产业链全景图 (scoped by ``region``/``zone``); a
        ``networkx.DiGraph`` from :func:`kg.analyze.chain_graph`: its panorama; or an HTML
        string already built.
    height
        Frame height in pixels.

    Returns
    -------
    IPython.display.HTML
    """
    import html as _html

    from IPython.display import HTML

    if isinstance(obj, str) and obj.lstrip().startswith("<!DOCTYPE html"):
        page = obj
    elif hasattr(obj, "nodes") and hasattr(obj, "graph") and hasattr(obj, "edges"):
        page = build_panorama(obj, **kwargs)
    elif chain is not None:
        from ..analyze import chain_graph

        page = build_panorama(chain_graph(obj, chain, region=region, zone=zone), **kwargs)
    else:
        page = build_explorer(obj, **kwargs)
    return HTML(
        f'<iframe srcdoc="{_html.escape(page, quote=True)}" style="width:100%;'
        f'height:{int(height)}px;border:1px solid #ddd" sandbox="allow-scripts"></iframe>'
    )
