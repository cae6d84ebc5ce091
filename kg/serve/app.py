"""Stage serve, app: the Starlette application of ``kg serve``.

:func:`create_app` takes a graph source and :class:`~kg.serve.settings.Settings` and returns an
ASGI app with the SPARQL 1.1 Protocol endpoint at ``/sparql`` (queries by GET and POST,
updates only with ``allow_update``, the service description on a plain GET), the YASGUI
query page at ``/`` (served from package data, no CDN), the explorer pages of ``kg viz``
under ``/explorer/`` when there are any, and ``/health``. Every error leaves through one
boundary with one JSON shape: ``{"error": {"status", "code", "message", "hint"}}``.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from ..errors import KGError, QueryError, UnsafeInputError
from .settings import Settings

__all__ = ["create_app", "error_response", "service_description"]

_HERE = Path(__file__).parent
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]
_PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
             "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def error_response(status: int, code: str, message: str, hint: str | None = None,
                   headers: dict[str, str] | None = None):
    """The one JSON error shape of the HTTP layer."""
    from starlette.responses import JSONResponse

    return JSONResponse({"error": {"status": status, "code": code, "message": message,
                                   "hint": hint}}, status_code=status, headers=headers)


def service_description(endpoint: str, settings: Settings, fmt: str = "turtle") -> str:
    """The SPARQL 1.1 Service Description of the endpoint, serialised as ``fmt``."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF

    from ..query import QueryResult

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    g = Graph()
    g.bind("sd", sd)
    g.bind("formats", formats)
    svc = URIRef(endpoint)
    g.add((svc, RDF.type, sd.Service))
    g.add((svc, sd.endpoint, svc))
    g.add((svc, sd.supportedLanguage, sd.SPARQL11Query))
    if settings.allow_update:
        g.add((svc, sd.supportedLanguage, sd.SPARQL11Update))
    for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
              "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples"):
        g.add((svc, sd.resultFormat, formats[f]))
    g.add((svc, sd.feature, sd.UnionDefaultGraph))
    ds, dg = BNode(), BNode()
    g.add((svc, sd.defaultDataset, ds))
    g.add((ds, RDF.type, sd.Dataset))
    g.add((ds, sd.defaultGraph, dg))
    g.add((dg, RDF.type, sd.Graph))
    g.add((svc, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
           Literal(f"chainkg SPARQL endpoint: read-only={not settings.allow_update}, "
                   f"timeout={settings.timeout}s, max rows={settings.max_rows}", lang="en")))
    return QueryResult("GRAPH", graph=g).serialize(fmt)


def _query_page(endpoint: str) -> str:
    from html import escape

    from ..query import list_stored_queries

    examples = [{"name": q.name, "title": q.title_zh or q.name, "title_en": q.title_en,
                 "query": q.text} for q in list_stored_queries()]
    data = json.dumps(examples, ensure_ascii=False)
    # JSON inside <script>: no character sequence of it may close or open a tag
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    items = "\n".join(f'<li><a href="#" data-query="{escape(e["name"])}">{escape(e["title"])}'
                      f'</a><small>{escape(e["title_en"])}</small></li>' for e in examples)
    page = (_HERE / "templates" / "query.html").read_text(encoding="utf-8")
    return (page.replace("{{ENDPOINT}}", escape(endpoint)).replace("{{EXAMPLES}}", data)
            .replace("{{ITEMS}}", items))


class _SecurityHeaders:
    """Adds nosniff / frame headers to every response (pure ASGI: no body buffering)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in names:
                    headers.append((b"referrer-policy", b"no-referrer"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)


def create_app(source: Any, settings: Settings | None = None):
    """Build the ASGI app serving ``source`` (a graph file or ``oxigraph:PATH``).

    The graph is checked here, once; the worker processes start with the app's lifespan
    (uvicorn, or ``starlette.testclient.TestClient`` used as a context manager).

    Raises
    ------
    KGError
        If the source cannot be read, or starlette is not installed.
    """
    try:
        from starlette.applications import Starlette
        from starlette.exceptions import HTTPException
        from starlette.middleware import Middleware
        from starlette.requests import ClientDisconnect
        from starlette.responses import HTMLResponse, JSONResponse, Response
        from starlette.routing import Mount, Route
        from starlette.staticfiles import StaticFiles
    except ImportError:  # pragma: no cover
        raise KGError("kg serve needs starlette and uvicorn",
                      hint="pip install 'chainkg[serve]'") from None

    from ..query import _check_syntax, check_query_safety
    from .protocol import (
        GRAPH_MEDIA,
        ProtocolError,
        acceptable,
        check_graph_iris,
        check_update_safety,
        negotiate,
        parse_operation,
    )
    from .worker import WorkerBusy, WorkerDied, WorkerPool, WorkerTimeout, prepare_source

    settings = settings or Settings()
    spec = prepare_source(source, settings)
    pool = WorkerPool(spec, settings)
    pages = Path(settings.pages) if settings.pages else None

    # the body of a refused or unfinished request is left unread: the connection must close
    _close = {"Connection": "close"}

    def too_large() -> ProtocolError:
        return ProtocolError(413, "body_too_large",
                             f"the request body is larger than {settings.max_body} bytes",
                             "send a smaller request, or start the server with a larger "
                             "--max-body", _close)

    async def read_body(request) -> bytes:
        """The request body, at most ``max_body`` bytes, complete within the time budget.

        The declared Content-Length is checked first, and the bytes are counted as they
        arrive whatever was declared (chunked bodies declare nothing).
        """
        import asyncio

        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_body:
            raise too_large()
        chunks, size = [], 0

        async def collect() -> None:
            nonlocal size
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.max_body:
                    raise too_large()
                chunks.append(chunk)

        try:
            await asyncio.wait_for(collect(), settings.timeout)
        except TimeoutError:
            raise ProtocolError(408, "body_timeout",
                                f"the request body did not arrive within {settings.timeout:g} s "
                                f"({size} bytes received)",
                                "send the whole body at once", _close) from None
        return b"".join(chunks)

    def from_reply(reply) -> Response:
        if reply[0] == "ok":
            _, status, media, body, headers = reply
            if status == 204:
                return Response(status_code=204, headers=headers)
            return Response(body, status_code=status, media_type=media, headers=headers)
        _, status, code, message, hint = reply
        if status >= 500:
            pool.stats["errors"] += 1
        return error_response(status, code, message, hint)

    async def sparql(request):
        try:
            body = await read_body(request) if request.method == "POST" else b""
            op = parse_operation(request.method, request.scope.get("query_string", b""),
                                 request.headers.get("content-type"), body)
            accept = request.headers.get("accept")
            endpoint = str(request.url.replace(query=""))
            if op.kind == "description":
                fmt = negotiate(accept, "GRAPH") or "turtle"
                return Response(service_description(endpoint, settings, fmt),
                                media_type=GRAPH_MEDIA[fmt] + "; charset=utf-8")
            if op.kind == "update":
                if not settings.allow_update:
                    return error_response(403, "read_only", "this endpoint is read-only: "
                                          "SPARQL Update is not accepted",
                                          "start the server with --allow-update to accept updates")
                check_update_safety(op.text, op.default_graphs + op.named_graphs,
                                    settings.allow_remote)
                if op.default_graphs or op.named_graphs:
                    return error_response(501, "not_implemented",
                                          "using-graph-uri / using-named-graph-uri are not "
                                          "supported", "write USING clauses in the update")
                return from_reply(await pool.update(op.text))
            if not acceptable(accept):
                return error_response(406, "not_acceptable",
                                      f"no result format fits the Accept header {accept!r}",
                                      "accept application/sparql-results+json, …+xml, text/csv, "
                                      "text/tab-separated-values, text/turtle, "
                                      "application/ld+json or application/n-triples")
            # refuse early, without taking a worker: remote access and malformed SPARQL
            check_query_safety(op.text, settings.allow_remote)
            if not settings.allow_remote:
                check_graph_iris(op.default_graphs + op.named_graphs)
            _check_syntax(op.text)
            job = {"text": op.text, "default_graphs": op.default_graphs,
                   "named_graphs": op.named_graphs, "accept": accept}
            return from_reply(await pool.query(job))
        except ProtocolError as exc:
            return error_response(exc.status, exc.code, exc.message, exc.hint, exc.headers)
        except UnsafeInputError as exc:
            return error_response(403, "refused", str(exc))
        except QueryError as exc:
            return error_response(400, "bad_syntax", str(exc),
                                  "check the SPARQL 1.1 syntax at the position given")
        except WorkerTimeout:
            pool.stats["errors"] += 1
            return error_response(503, "timeout",
                                  f"the query did not finish within {settings.timeout:g} s "
                                  "and was stopped",
                                  "narrow the query (more patterns, a LIMIT) or raise --timeout",
                                  {"Retry-After": "1"})
        except WorkerBusy:
            pool.stats["errors"] += 1
            return error_response(503, "busy",
                                  f"every query worker stayed busy for {settings.timeout:g} s",
                                  "retry later, or start the server with more --workers",
                                  {"Retry-After": "2"})
        except WorkerDied as exc:
            pool.stats["errors"] += 1
            return error_response(500, "worker_died",
                                  f"the query engine crashed on this query (worker exit code "
                                  f"{exc.exitcode}); the worker was replaced",
                                  "this is a bug of the query engine or an out-of-memory: "
                                  "please report the query")
        except ClientDisconnect:
            return Response(status_code=499)

    async def page(request):
        resp = HTMLResponse(_query_page("sparql"))
        resp.headers["Content-Security-Policy"] = _PAGE_CSP
        return resp

    async def health(request):
        ok = pool.alive > 0
        return JSONResponse({"status": "ok" if ok else "degraded", "workers": pool.alive,
                             "idle": pool.idle, **pool.stats,
                             "cache": {"entries": len(pool.cache), "hits": pool.cache.hits},
                             "settings": settings.as_dict()}, status_code=200 if ok else 503)

    async def http_error(request, exc):
        return error_response(exc.status_code, "http_error", str(exc.detail))

    async def internal_error(request, exc):
        return error_response(500, "internal_error", f"{type(exc).__name__}: {exc}",
                              "please report this with the query that caused it")

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await pool.start()
        try:
            yield
        finally:
            pool.close()

    routes = [
        Route("/", page, methods=["GET", "HEAD"]),
        Route("/sparql", sparql, methods=_ALL_METHODS),
        Route("/health", health, methods=["GET", "HEAD"]),
        Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
    ]
    if pages is not None and pages.is_dir():
        routes.append(Mount("/explorer", StaticFiles(directory=str(pages), html=True),
                            name="explorer"))
    middleware = [Middleware(_SecurityHeaders)]
    if settings.cors:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors),
                                     allow_methods=["GET", "POST"],
                                     allow_headers=["Content-Type", "Accept"],
                                     expose_headers=["X-KG-Result-Capped", "X-KG-Note",
                                                     "X-KG-Row-Limit"]))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, Exception: internal_error})
    app.state.pool = pool
    app.state.settings = settings
    return app
