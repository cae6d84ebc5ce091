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
#: Rows the table format prints when no --limit is given: about a terminal page (rows of
#: long names fold over several lines), not 7,000 rows. More: --limit N, or --format tsv.
TABLE_PAGE = 50
#: Default time limit of ``kg query`` in seconds.
DEFAULT_TIMEOUT = 60.0


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
    rows = result.rows  # a page of them when the query ran with page=
    t = Table(show_lines=False, header_style="bold")
    for v in result.variables:
        t.add_column(v, overflow="fold")
    for row in rows:
        t.add_row(*(display_term(x) for x in row))
    console.print(t)
    if len(rows) < result.total and not result.truncated:
        typer.echo(f"kg: note: the table shows the first {len(rows)} of {result.total} rows "
                   f"/ 表格仅显示前 {len(rows)} 行，共 {result.total} 行; all rows: --limit 0, "
                   "or --format tsv / csv", err=True)
    else:
        console.print(f"{len(rows)} rows / 行", style="dim")


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
    limit: int = typer.Option(None, "--limit", "-n", help="Show at most N rows (a note says if rows "
                              f"were cut); 0: all. The table shows {TABLE_PAGE} unless a limit is given."),
    output: Path = typer.Option(None, "--output", "-o", help="Write the result to this file."),
    allow_remote: bool = typer.Option(False, "--allow-remote",
                                      help="Allow SERVICE and FROM <remote IRI> (off by default)."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", "-t", metavar="SECONDS",
                                  help="Stop the query after this many seconds (0: no limit)."),
) -> None:
    """Run a SPARQL query, a .rq file or a stored query on the graph.

    Malformed queries exit 2 with the parser's line and column; remote SERVICE/FROM are refused
    unless --allow-remote; a query still running after --timeout seconds is stopped (exit 2).
    """
    from ..query import run_query

    if timeout < 0:
        raise QueryError(f"--timeout must be ≥ 0 seconds, got {timeout:g}")
    src = _source(graph, store)
    fmt = format.lower()
    paged = fmt == "table" and output is None and limit is None
    result = run_query(src, query_, params=_parse_params(param),
                       limit=None if limit == 0 else limit, allow_remote=allow_remote,
                       timeout=timeout or None, page=TABLE_PAGE if paged else None)
    if fmt == "table" and output is None:
        _render_table(result)
    else:
        if fmt == "table":
            fmt = "turtle" if result.form == "GRAPH" else "csv"
        if output is not None:
            from ..store import atomic_write

            atomic_write(output, result.serialize(fmt).encode("utf-8"))
        else:
            result.write(sys.stdout, fmt)
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
