"""The ``kg chains`` command: chain analysis of a region or zone (thin wrapper over kg.analyze)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer

from ..errors import EXIT_NONCONFORMANT
from . import app

__all__ = ["chains", "open_graph"]


def open_graph(spec: str):
    """A graph file (any RDF format :func:`kg.store.load_graph` reads) or ``oxigraph:PATH``."""
    if spec.startswith("oxigraph:"):
        from ..errors import StoreError

        loc = spec.split(":", 1)[1]
        if not Path(loc).exists():
            raise StoreError("no Oxigraph store here", path=loc)
        import pyoxigraph as ox

        try:
            return ox.Store.read_only(loc)
        except OSError as exc:
            raise StoreError(f"cannot open the Oxigraph store: {exc}", path=loc) from None
    from ..store import load_graph

    return load_graph(spec)


def _money(x: float) -> str:
    return f"{x / 1e8:,.2f}亿" if x else ""


def _csv_rows(reports) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["scope", "chain", "chain_label", "link", "link_label", "stage", "position",
                "auxiliary", "present", "players", "investment_cny", "gap", "direction"])
    for r in reports:
        gaps = {}
        for g in r.gaps:
            gaps.setdefault(g.link, g)
        for s in r.links:
            g = gaps.get(s.iri)
            w.writerow([r.scope_label, r.chain, r.label, s.iri, s.label, s.stage, s.position,
                        s.auxiliary, s.present, "、".join(p.label for p in s.players),
                        s.investment, g.kind if g else "", g.direction if g else ""])
    return buf.getvalue()


def _print_tables(reports, text_leaders) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False)
    for r in reports:
        t = Table(title=f"{r.label} @ {r.scope_label} — 覆盖 coverage {r.present}/{r.total} "
                        f"({r.coverage:.0%}, weighted {r.weighted_coverage:.0%})",
                  show_lines=False)
        for col in ("#", "环节 link", "位置 stage", "在地 present", "企业/项目 players",
                    "投资 investment", "缺口 gap"):
            t.add_column(col, overflow="fold")
        kinds: dict[str, list[str]] = {}
        for g in r.gaps:
            kinds.setdefault(g.link, []).append(g.kind + (f"·{g.direction}" if g.direction else ""))
        for s in r.links:
            t.add_row(str(s.position), s.label + ("（配套）" if s.auxiliary else ""), s.stage,
                      "✔" if s.present else "✘", "、".join(p.label for p in s.players),
                      _money(s.investment), " ".join(kinds.get(s.iri, [])))
        con.print(t)
        if r.leaders:
            con.print("  链主 leaders: " + "；".join(
                f"{x.label}{'（文中称链主）' if x.from_text else f' {x.score:.2f}'}" for x in r.leaders))
        if r.supply_matches:
            con.print("  本地配套 supply matches: " + "；".join(
                f"{m.supplier_label} → {m.customer_label}" for m in r.supply_matches[:20])
                + (" …" if len(r.supply_matches) > 20 else ""))
    if text_leaders:
        con.print("文中链主 leaders named in the text: " + "；".join(
            f"{x['label']}（{'、'.join(i['label'] for i in x['industries']) or '链主'}）"
            for x in text_leaders))


@app.command()
def chains(
    graph: str = typer.Argument(..., help="A graph file (.trig .ttl .nq …) or oxigraph:PATH."),
    region: str = typer.Option(None, "--region", "-r", help="Region (name, alias or IRI); includes its zones and sub-regions."),
    zone: str = typer.Option(None, "--zone", "-z", help="Development zone (name, alias or IRI)."),
    chain: str = typer.Option(None, "--chain", "-c", help="One chain (key, name or IRI); default all."),
    format: str = typer.Option("table", "--format", "-f", help="table, json or csv"),
    path: list[str] = typer.Option(None, "--path", help="Give twice: show how two entities are connected."),
    write_analysis: Path = typer.Option(None, "--write-analysis", help="Write the results as RDF (TriG, graph/analysis) here."),
    graphml: Path = typer.Option(None, "--graphml", help="Export the chain graph (needs --chain) as GraphML."),
    gexf: Path = typer.Option(None, "--gexf", help="Export the chain graph (needs --chain) as GEXF."),
) -> None:
    """产业链分析 Chain analysis: coverage, gaps (补链/延链/weak), leaders (链主), supply matches.

    Exit 1 when the graph holds no chain vocabulary (nothing to analyse).
    """
    from ..analyze.chains import (
        Analyzer,
        analyze_chains,
        chain_graph,
        entity_paths,
        find_chain_leaders,
    )
    from ..errors import KGError

    if format not in ("table", "json", "csv"):
        raise KGError(f"unknown format {format!r}", hint="use table, json or csv")
    if (graphml or gexf) and not chain:
        raise KGError("--graphml/--gexf export one chain graph", hint="add --chain")
    if path and len(path) != 2:
        raise KGError("--path needs exactly two entities", hint="--path A --path B")
    an = Analyzer(open_graph(graph))
    if path:
        paths = entity_paths(None, path[0], path[1], analyzer=an)
        if format == "json":
            typer.echo(json.dumps(paths, ensure_ascii=False, indent=2))
        else:
            for steps in paths:
                line = steps[0]["from_label"] if steps else ""
                for s in steps:
                    line += (f" —{s['predicate']}→ " if s["forward"] else f" ←{s['predicate']}— ") + s["to_label"]
                typer.echo(line)
        if not paths:
            typer.echo("kg: no path between them", err=True)
            raise typer.Exit(EXIT_NONCONFORMANT)
        return
    if not an.p.chains:
        typer.echo("kg: the graph holds no chain vocabulary (graph/chains is empty)", err=True)
        raise typer.Exit(EXIT_NONCONFORMANT)
    reports = analyze_chains(None, region=region, zone=zone, chain=chain, analyzer=an)
    roots, key, _label = an.scope(region, zone)
    text_leaders = find_chain_leaders(an.p, region=region, zone=zone)
    if format == "json":
        typer.echo(json.dumps({"reports": [r.to_dict() for r in reports],
                               "text_leaders": text_leaders}, ensure_ascii=False, indent=2))
    elif format == "csv":
        typer.echo(_csv_rows(reports), nl=False)
    else:
        _print_tables(reports, text_leaders)
    if write_analysis:
        from rdflib import Dataset

        from ..analyze.rdf import write_analysis as put
        from ..ns import bind_prefixes
        from ..store import atomic_write

        ds = Dataset()
        bind_prefixes(ds)
        put(ds, reports)
        atomic_write(write_analysis, ds.serialize(format="trig").encode("utf-8"))
    if graphml or gexf:
        from ..analyze.export import export_gexf, export_graphml

        g = chain_graph(None, chain, region=region, zone=zone, analyzer=an)
        if graphml:
            export_graphml(g, graphml)
        if gexf:
            export_gexf(g, gexf)
