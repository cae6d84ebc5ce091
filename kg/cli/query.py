"""Query commands: ``kg query`` (SPARQL text, a .rq file or a stored query) and ``kg queries``.

Thin wrappers over :func:`kg.query.run_query` and :func:`kg.query.list_stored_queries`.
Results go to stdout (or ``--output``); notes such as "rows were cut by --limit" go to
stderr so that CSV or JSON output stays clean.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ..errors import QueryError
from . import app

_DEFAULT_GRAPH = Path("out") / "graph.trig"


def _parse_params(items: list[str] | None) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"bad --param {item!r}", hint="write --param name=value")
        params.setdefault(name.strip(), []).append(value)
    return params


def _source(graph: Path | None, store: str | None):
    if graph is not None and store:
        raise QueryError("give either --graph or --store, not both")
    if store:
        if store.startswith(("oxigraph:", "memory:", "sparql+http://", "sparql+https://")):
            return store
        return f"oxigraph:{store}"
    if graph is not None:
        return graph
    if _DEFAULT_GRAPH.is_file():
        return _DEFAULT_GRAPH
    raise QueryError("no graph to query", hint="give --graph FILE (e.g. out/graph.trig) or "
                     "--store oxigraph:PATH")


def _render_table(result) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..query import display_term

    console = Console(highlight=False)
    if result.form == "ASK":
        console.print("true" if result.boolean else "false")
        return
    if result.form == "GRAPH":
        sys.stdout.write(result.serialize("turtle"))
        return
    t = Table(show_lines=False, header_style="bold")
    for v in result.variables:
        t.add_column(v, overflow="fold")
    for row in result.rows:
        t.add_row(*(display_term(x) for x in row))
    console.print(t)
    console.print(f"{len(result.rows)} rows / 行", style="dim")


@app.command()
def query(
    query_: str = typer.Argument(..., metavar="QUERY",
                                 help="SPARQL text, a .rq file, or a stored query name (see kg queries)."),
    graph: Path = typer.Option(None, "--graph", "-g", help="Graph file (.trig .ttl .nq …); "
                               "default out/graph.trig."),
    store: str = typer.Option(None, "--store", "-s", help="Store: oxigraph:PATH or sparql+http://HOST:PORT/PATH"),
    param: list[str] = typer.Option(None, "--param", "-p", help="name=value (repeatable)."),
    format: str = typer.Option("table", "--format", "-f",
                               help="table, csv, tsv, json, xml; turtle, json-ld, nt for CONSTRUCT/DESCRIBE."),
    limit: int = typer.Option(None, "--limit", "-n", help="Show at most N rows (a note says if rows were cut)."),
    output: Path = typer.Option(None, "--output", "-o", help="Write the result to this file."),
    allow_remote: bool = typer.Option(False, "--allow-remote",
                                      help="Allow SERVICE and FROM <remote IRI> (off by default)."),
) -> None:
    """Run a SPARQL query, a .rq file or a stored query on the graph.

    Malformed queries exit 2 with the parser's line and column; remote SERVICE/FROM are refused
    unless --allow-remote.
    """
    from ..query import run_query

    src = _source(graph, store)
    result = run_query(src, query_, params=_parse_params(param), limit=limit,
                       allow_remote=allow_remote)
    fmt = format.lower()
    if fmt == "table" and output is None:
        _render_table(result)
    else:
        if fmt == "table":
            fmt = "turtle" if result.form == "GRAPH" else "csv"
        text = result.serialize(fmt)
        if output is not None:
            from ..store import atomic_write

            atomic_write(output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
    note = result.note()
    if note:
        typer.echo(f"kg: note: {note}", err=True)


@app.command()
def queries(
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """List the stored queries with their Chinese and English titles and parameters."""
    from ..query import list_stored_queries

    items = list_stored_queries()
    if format == "json":
        payload = [{"name": q.name, "title_zh": q.title_zh, "title_en": q.title_en,
                    "description": q.description,
                    "params": [{"name": p.name, "type": p.type, "doc": p.doc,
                                "required": p.required, "default": p.default} for p in q.params],
                    "examples": list(q.examples)} for q in items]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title="stored queries / 预置查询 (kg query NAME --param name=value)", show_lines=True)
    t.add_column("name", no_wrap=True)
    t.add_column("标题 / title", overflow="fold")
    t.add_column("parameters 参数", overflow="fold")
    for q in items:
        ps = "\n".join(f"{p.name} ({p.type}{'' if p.required else ', optional'}"
                       f"{'' if p.default is None else ', default ' + p.default}) {p.doc}"
                       for p in q.params) or "—"
        t.add_row(q.name, f"{q.title_zh}\n{q.title_en}", ps)
    Console(highlight=False).print(t)
