"""The ``kg viz`` command: write the explorer, the chain panoramas and the index."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app


@app.command()
def viz(
    graph: Path = typer.Argument(..., help="The graph file (graph.trig from kg build)."),
    out: Path = typer.Option(Path("viz"), "--out", "-o", help="Output folder."),
    region: list[str] = typer.Option(None, "--region", help="Also draw each chain scoped to this region (name, alias or IRI); repeatable."),
    zone: list[str] = typer.Option(None, "--zone", help="Also draw each chain scoped to this zone; repeatable."),
    size_by: str = typer.Option("degree", "--size-by", help="degree or investment"),
    budget: int = typer.Option(3000, "--budget", help="Above this many nodes the explorer opens aggregated."),
    aggregate_by: str = typer.Option("class", "--aggregate-by", help="class, chain or zone"),
    png: bool = typer.Option(False, "--png", help="Also save a PNG of each chain page (needs Chromium)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Draw GRAPH as offline HTML into OUT: explorer.html, chains/<chain>.html, index.html.

    Every page is one self-contained file that works from file:// with the network off.
    """
    from ..errors import KGError
    from ..viz.site import write_site

    if size_by not in ("degree", "investment"):
        raise KGError(f"--size-by must be degree or investment, got {size_by!r}")
    if aggregate_by not in ("class", "chain", "zone"):
        raise KGError(f"--aggregate-by must be class, chain or zone, got {aggregate_by!r}")
    rep = write_site(graph, out, regions=region or [], zones=zone or [], size_by=size_by,
                     budget=budget, aggregate_by=aggregate_by)
    if png:
        from ..viz.png import save_pngs

        rep.pngs = save_pngs([Path(rep.out) / c["file"] for c in rep.chains])
    if not quiet:
        typer.echo(f"explorer: {rep.explorer} ({rep.nodes} nodes, {rep.edges} edges"
                   + (", aggregated view" if rep.aggregated else "") + ")")
        for c in rep.chains:
            typer.echo(f"chain: {Path(rep.out) / c['file']}  {c['label']} [{c['scope']}] "
                       f"{c['present']}/{c['total']}")
        for p in rep.pngs:
            typer.echo(f"png: {p}")
        typer.echo(f"index: {rep.index}")
