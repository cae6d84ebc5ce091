"""The ``kg serve`` command: a SPARQL 1.1 endpoint and query page over HTTP."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app


@app.command()
def serve(
    source: str = typer.Argument(..., help="Graph file (TriG, Turtle, N-Quads, …) or oxigraph:PATH."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: this machine only)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    timeout: float = typer.Option(30.0, "--timeout", help="Time budget of one query, seconds."),
    max_rows: int = typer.Option(10_000, "--max-rows", help="Row (or triple) cap of one result."),
    max_body: int = typer.Option(1_000_000, "--max-body", help="Largest request body, bytes."),
    cors: list[str] = typer.Option(None, "--cors", help="Allow this origin by CORS; repeatable."),
    allow_update: bool = typer.Option(False, "--allow-update",
                                      help="Accept SPARQL Update (kept in memory, lost on restart)."),
    allow_remote: bool = typer.Option(False, "--allow-remote",
                                      help="Allow SERVICE, LOAD and remote FROM graphs."),
    workers: int = typer.Option(0, "--workers", help="Query worker processes (0: one per core, ≥ 2)."),
    cache_mb: int = typer.Option(64, "--cache-mb",
                                 help="Memory for results of repeated queries, MB (0: no cache)."),
    pages: Path = typer.Option(None, "--pages",
                               help="Folder of kg viz pages to serve under /explorer/ "
                                    "(default: viz/ beside the graph file, if it exists)."),
) -> None:
    """Serve GRAPH over HTTP: SPARQL 1.1 Protocol endpoint at /sparql, query page at /,
    /health. Read-only, bound to 127.0.0.1, 30 s and 10,000 rows per query by default.
    Stops cleanly on Ctrl-C or SIGTERM.
    """
    from ..serve import Settings, serve_graph

    if pages is None and not source.startswith("oxigraph:"):
        guess = Path(source).resolve().parent / "viz"
        pages = guess if (guess / "index.html").is_file() else None
    settings = Settings(host=host, port=port, timeout=timeout, max_rows=max_rows,
                        max_body=max_body, cors=tuple(cors or ()), allow_update=allow_update,
                        allow_remote=allow_remote, workers=workers, cache_mb=cache_mb,
                        pages=str(pages) if pages else None)
    serve_graph(source, settings)
