"""Stage serve, protocol: turn an HTTP request into a SPARQL operation, per SPARQL 1.1 Protocol.

Pure functions, no I/O: :func:`parse_operation` takes the method, the raw query string, the
Content-Type and the body of a request to the endpoint and returns an :class:`Operation`
(a query or an update with its RDF dataset), or raises :class:`ProtocolError` with the HTTP
status the W3C protocol test suite expects (bad method, several queries, wrong or missing
media type, a body that is not UTF-8, an update by GET, a dataset given twice, …).
:func:`negotiate` picks the result format from the Accept header once the query form is
known. :func:`check_update_safety` refuses LOAD, SERVICE and remote graphs in an update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

__all__ = [
    "Operation",
    "ProtocolError",
    "parse_operation",
    "negotiate",
    "acceptable",
    "check_update_safety",
    "RESULT_MEDIA",
    "GRAPH_MEDIA",
]

#: Result format of SELECT / ASK (as named by :meth:`kg.query.QueryResult.serialize`) → media type.
RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: Result format of CONSTRUCT / DESCRIBE → media type.
GRAPH_MEDIA = {
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
}
# Other media types clients send for the same formats.
_RESULT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}
_GRAPH_ALIASES = {"application/json": "json-ld", "text/plain": "nt", "application/x-turtle": "turtle",
                  "application/turtle": "turtle"}

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
_USING_PARAMS = ("using-graph-uri", "using-named-graph-uri")


class ProtocolError(Exception):
    """A request the SPARQL 1.1 Protocol does not allow; ``status`` is the HTTP answer."""

    def __init__(self, status: int, code: str, message: str, hint: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        self.headers = headers or {}


@dataclass(frozen=True)
class Operation:
    """A SPARQL operation read from a request.

    ``kind`` is ``query``, ``update`` or ``description`` (a GET of the endpoint without an
    operation: the service description). ``default_graphs`` / ``named_graphs`` hold
    ``default-graph-uri`` / ``named-graph-uri`` (queries) or ``using-graph-uri`` /
    ``using-named-graph-uri`` (updates).
    """

    kind: str
    text: str = ""
    default_graphs: tuple[str, ...] = field(default_factory=tuple)
    named_graphs: tuple[str, ...] = field(default_factory=tuple)


def _media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    if not content_type:
        return "", {}
    main, *params = content_type.split(";")
    opts = {}
    for p in params:
        k, _, v = p.partition("=")
        opts[k.strip().lower()] = v.strip().strip('"')
    return main.strip().lower(), opts


def _require_utf8(opts: dict[str, str]) -> None:
    charset = opts.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, "unsupported_charset",
                            f"the request body must be UTF-8, not {charset}",
                            hint="send charset=utf-8 (SPARQL 1.1 Protocol §2.1)")


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, "not_utf8", f"the {what} is not valid UTF-8 (byte {exc.start})",
                            hint="encode the query as UTF-8") from None


def _form(data: bytes, what: str) -> list[tuple[str, str]]:
    text = _decode(data, what)
    try:
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False,
                         encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, "not_utf8", f"the {what} holds percent-encoded bytes that are "
                            "not UTF-8", hint="encode the query as UTF-8") from None


def _all(pairs: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in pairs if k == name]


def _one(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = _all(pairs, name)
    if len(values) > 1:
        raise ProtocolError(400, "multiple_operations",
                            f"the request holds {len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def _graphs(pairs: list[tuple[str, str]], names: tuple[str, str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_all(pairs, n)) for n in names)


def parse_operation(method: str, query_string: bytes | str, content_type: str | None,
                    body: bytes) -> Operation:
    """Read the SPARQL operation of a request to the endpoint.

    Parameters
    ----------
    method
        The HTTP method.
    query_string
        The raw URL query string (still percent-encoded).
    content_type
        The Content-Type header, or None.
    body
        The request body.

    Raises
    ------
    ProtocolError
        With status 405 (method), 415 (media type or charset) or 400 (anything else malformed).

    Examples
    --------
    >>> parse_operation("GET", "query=ASK%7B%7D", None, b"").text
    'ASK{}'
    >>> try:
    ...     parse_operation("PUT", "", None, b"")
    ... except ProtocolError as exc:
    ...     print(exc.status)
    405
    """
    method = method.upper()
    qs = query_string.encode("latin-1") if isinstance(query_string, str) else query_string
    url_pairs = _form(qs, "URL query string")
    if method not in ("GET", "POST", "HEAD"):
        raise ProtocolError(405, "method_not_allowed",
                            f"method {method} is not allowed on the SPARQL endpoint",
                            hint="use GET or POST", headers={"Allow": "GET, POST"})
    if method in ("GET", "HEAD"):
        if _all(url_pairs, "update"):
            raise ProtocolError(405, "update_by_get", "SPARQL Update cannot be sent with GET",
                                hint="POST it as application/sparql-update or as a form",
                                headers={"Allow": "POST"})
        query = _one(url_pairs, "query")
        if query is None:
            return Operation("description")
        return Operation("query", query, *_graphs(url_pairs, _DATASET_PARAMS))
    mtype, opts = _media_type(content_type)
    if mtype == _FORM:
        _require_utf8(opts)
        pairs = _form(body, "form body")
        query, update = _one(pairs, "query"), _one(pairs, "update")
        if query is not None and update is not None:
            raise ProtocolError(400, "multiple_operations",
                                "the form holds both a query and an update; send one")
        if query is not None:
            return Operation("query", query, *_graphs(pairs, _DATASET_PARAMS))
        if update is not None:
            return _update(update, _graphs(pairs, _USING_PARAMS))
        raise ProtocolError(400, "missing_operation",
                            "the form holds neither a 'query' nor an 'update' parameter")
    if mtype == _QUERY:
        _require_utf8(opts)
        return Operation("query", _decode(body, "query"), *_graphs(url_pairs, _DATASET_PARAMS))
    if mtype == _UPDATE:
        _require_utf8(opts)
        return _update(_decode(body, "update"), _graphs(url_pairs, _USING_PARAMS))
    if not mtype:
        raise ProtocolError(400, "missing_media_type",
                            "a POST to the SPARQL endpoint needs a Content-Type",
                            hint=f"use {_FORM}, {_QUERY} or {_UPDATE}")
    raise ProtocolError(415, "unsupported_media_type",
                        f"media type {mtype} is not a SPARQL operation",
                        hint=f"use {_FORM}, {_QUERY} or {_UPDATE}")


def _update(text: str, graphs: tuple[tuple[str, ...], ...]) -> Operation:
    using, using_named = graphs
    if (using or using_named) and _has_dataset_clause(text):
        raise ProtocolError(400, "dataset_conflict",
                            "the update names its graphs with USING/USING NAMED/WITH and the "
                            "request with using-graph-uri/using-named-graph-uri; give one",
                            hint="SPARQL 1.1 Protocol §2.2.3")
    return Operation("update", text, using, using_named)


def _words(text: str):
    from ..query import _tokens  # kg.query's SPARQL lexer (strings, IRIs and comments aware)

    toks = _tokens(text)
    return [t for t in toks if t.kind == "word"], toks


def _has_dataset_clause(text: str) -> bool:
    words, _ = _words(text)
    return any(w.text.upper() in ("USING", "WITH") for w in words)


def check_update_safety(text: str, graphs: tuple[str, ...] = (), allow_remote: bool = False) -> None:
    """Refuse an update that would reach outside the store: LOAD, SERVICE, remote graphs.

    Raises
    ------
    kg.errors.UnsafeInputError
    """
    from ..errors import UnsafeInputError
    from ..query import _expand, _is_local_iri

    if allow_remote:
        return
    words, toks = _words(text)
    for w in words:
        if w.text.upper() == "LOAD":
            raise UnsafeInputError("refused: LOAD fetches a remote document",
                                   hint="start the server with --allow-remote to allow it")
        if w.text.upper() == "SERVICE":
            raise UnsafeInputError("refused: the update calls a SERVICE (a remote endpoint)",
                                   hint="start the server with --allow-remote to allow it")
    check_graph_iris(graphs)
    prefixes: dict[str, str] = {}
    for i, t in enumerate(toks):
        if t.kind == "word" and t.text.upper() == "PREFIX" and i + 2 < len(toks):
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
        if t.kind == "word" and t.text.upper() in ("USING", "WITH") and i + 1 < len(toks):
            j = i + 2 if toks[i + 1].text.upper() == "NAMED" else i + 1
            iri = _expand(toks[j], prefixes) if j < len(toks) else None
            if iri is not None and not _is_local_iri(iri):
                raise UnsafeInputError(f"refused: <{iri}> names a graph outside this store")


def check_graph_iris(graphs) -> None:
    """Refuse ``default-graph-uri`` / ``named-graph-uri`` values outside the local store."""
    from ..errors import UnsafeInputError
    from ..query import _is_local_iri

    for iri in graphs:
        if not _is_local_iri(iri):
            raise UnsafeInputError(f"refused: graph <{iri}> is outside this store",
                                   hint="name a local graph (https://w3id.org/chainkg/…)")


def _accept(accept: str | None) -> list[str]:
    """Media ranges of an Accept header, best first (q=0 dropped, ties in header order)."""
    if not accept:
        return ["*/*"]
    ranges = []
    for i, part in enumerate(accept.split(",")):
        mtype, opts = _media_type(part)
        if not mtype:
            continue
        try:
            q = float(opts.get("q", "1"))
        except ValueError:
            q = 1.0
        if q > 0:
            ranges.append((-q, i, mtype))
    return [m for _, _, m in sorted(ranges)]


def negotiate(accept: str | None, form: str) -> str | None:
    """The format of a ``form`` result (``SELECT``, ``ASK``, ``GRAPH``) the Accept header wants.

    Returns a key of :data:`RESULT_MEDIA` or :data:`GRAPH_MEDIA`, or None when nothing fits.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "SELECT")
    'xml'
    >>> negotiate("text/turtle", "SELECT") is None
    True
    """
    media, aliases, default = ((GRAPH_MEDIA, _GRAPH_ALIASES, "turtle") if form == "GRAPH"
                               else (RESULT_MEDIA, _RESULT_ALIASES, "json"))
    by_type = {v: k for k, v in media.items()}
    for m in _accept(accept):
        if m in by_type:
            return by_type[m]
        if m in aliases:
            return aliases[m]
        if m in ("*/*", "application/*", "text/*"):
            return default
    return None


def acceptable(accept: str | None) -> bool:
    """Whether some result of some form could satisfy ``accept`` (checked before running)."""
    return any(negotiate(accept, f) for f in ("SELECT", "GRAPH"))
