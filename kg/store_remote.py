"""A remote store: a SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki, …) over HTTP.

``kg build --store sparql+http://HOST:PORT/PATH`` loads each document's named graph into a
team's SPARQL server, and ``kg query --store`` (or :func:`kg.query.run_query`) runs every
query there. The spec is the endpoint URL with ``sparql+`` in front; optional URL parameters
name the other endpoints a server needs and how it behaves::

    sparql+http://127.0.0.1:7878?server=oxigraph           # /query, /update, /store
    sparql+http://127.0.0.1:8890?server=virtuoso           # /sparql, /sparql-graph-crud[-auth]
    sparql+http://127.0.0.1:3030/kg?server=fuseki          # /kg/query, /kg/update, /kg/data
    sparql+https://kg.example.org/sparql?update=/sparql/update&gsp=/sparql/data

``query=``, ``update=`` and ``gsp=`` take a path on the same host or a full URL; without
``gsp`` (and no ``server`` preset) graphs are written with SPARQL Update. Credentials never
appear in the spec: they come from the environment — ``CHAINKG_SPARQL_TOKEN`` (sent as
``Authorization: Bearer …``), or ``CHAINKG_SPARQL_USER`` and ``CHAINKG_SPARQL_PASSWORD``
(HTTP basic auth; ``CHAINKG_SPARQL_AUTH=digest`` for servers that want digest, such as
Virtuoso's ``-auth`` endpoints).

Every query's default graph is the union of the named graphs, as on the embedded stores:
for Oxigraph the ``union-default-graph`` parameter is sent, Virtuoso already answers from
all its graphs, and for Fuseki the query names ``urn:x-arq:UnionGraph`` as default graph.
Results come back as rdflib terms in the canonical forms of :mod:`kg.store_oxigraph`, so
rows compare equal with those of the embedded stores.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

from rdflib.term import Node

from .errors import QueryError, StoreError

__all__ = ["RemoteStore", "RemoteEndpoints", "parse_remote_spec", "is_remote_spec",
           "load_remote"]

_SCHEMES = ("sparql+http://", "sparql+https://")
#: Endpoint paths of the server presets, relative to the spec's path.
_PRESETS: dict[str, dict[str, str | None]] = {
    "oxigraph": {"query": "query", "update": "update", "gsp": "store"},
    "virtuoso": {"query": "sparql", "update": "sparql", "gsp": "sparql-graph-crud"},
    "fuseki": {"query": "query", "update": "update", "gsp": "data"},
    "generic": {"query": "", "update": "", "gsp": None},
}
_KNOWN_PARAMS = {"query", "update", "gsp", "server", "timeout"}
#: Triples per INSERT DATA operation when graphs are written with SPARQL Update.
_INSERT_CHUNK = 2000


def is_remote_spec(spec: Any) -> bool:
    """Whether ``spec`` is a ``sparql+http(s)://`` store spec."""
    return isinstance(spec, str) and spec.startswith(_SCHEMES)


@dataclass(frozen=True)
class RemoteEndpoints:
    """The URLs of one SPARQL server, and how to reach its union default graph."""

    query: str
    update: str
    gsp: str | None
    server: str = "generic"
    timeout: float = 600.0
    spec: str = field(default="", compare=False)


def parse_remote_spec(spec: str) -> RemoteEndpoints:
    """Turn ``sparql+http(s)://HOST:PORT/PATH?…`` into :class:`RemoteEndpoints`.

    Raises
    ------
    StoreError
        For another scheme, credentials in the URL, or an unknown parameter or preset.
    """
    if not is_remote_spec(spec):
        raise StoreError(f"not a remote store spec: {spec!r}",
                         hint="write sparql+http://HOST:PORT/PATH")
    parts = urlsplit(spec[len("sparql+"):])
    if parts.username or parts.password:
        raise StoreError("credentials do not belong in the store spec (they would show in "
                         "process lists and shell history)",
                         hint="set CHAINKG_SPARQL_USER and CHAINKG_SPARQL_PASSWORD, or "
                              "CHAINKG_SPARQL_TOKEN, in the environment")
    if not parts.hostname:
        raise StoreError(f"no host in the store spec {spec!r}")
    params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = sorted(set(params) - _KNOWN_PARAMS)
    if unknown:
        raise StoreError(f"unknown store option {', '.join(unknown)} in {spec!r}",
                         hint="options: " + ", ".join(sorted(_KNOWN_PARAMS)))
    server = params.get("server", "generic").lower()
    if server not in _PRESETS:
        raise StoreError(f"unknown server preset {server!r}",
                         hint="use one of " + ", ".join(sorted(_PRESETS)))
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    folder = base if base.endswith("/") else base + "/"
    preset = _PRESETS[server]

    def endpoint(role: str) -> str | None:
        given = params.get(role)
        if given:
            return urljoin(folder, given)
        rel = preset[role]
        if rel is None:
            return None
        return urljoin(folder, rel) if rel else base

    try:
        timeout = float(params.get("timeout", 600))
    except ValueError:
        raise StoreError(f"timeout must be a number of seconds, got {params['timeout']!r}") from None
    return RemoteEndpoints(query=endpoint("query"), update=endpoint("update"),
                           gsp=endpoint("gsp"), server=server, timeout=timeout, spec=spec)


def _auth_from_env(env: dict[str, str] | None = None):
    """The httpx auth (or headers) that the CHAINKG_SPARQL_* variables ask for."""
    import httpx

    env = dict(os.environ if env is None else env)
    token = env.get("CHAINKG_SPARQL_TOKEN")
    user, password = env.get("CHAINKG_SPARQL_USER"), env.get("CHAINKG_SPARQL_PASSWORD")
    if token:
        return None, {"Authorization": f"Bearer {token}"}
    if user:
        if password is None:
            raise StoreError("CHAINKG_SPARQL_USER is set but CHAINKG_SPARQL_PASSWORD is not")
        scheme = env.get("CHAINKG_SPARQL_AUTH", "basic").lower()
        if scheme == "digest":
            return httpx.DigestAuth(user, password), {}
        if scheme != "basic":
            raise StoreError(f"CHAINKG_SPARQL_AUTH must be basic or digest, got {scheme!r}")
        return httpx.BasicAuth(user, password), {}
    return None, {}


def _ntriples_lines(graph) -> list[str]:
    """The triples of an rdflib graph as sorted N-Triples lines."""
    data = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line for line in data.splitlines() if line.strip())


class RemoteStore:
    """A SPARQL 1.1 server reached over HTTP (see the module docstring for specs and auth).

    Parameters
    ----------
    spec
        ``sparql+http(s)://…`` (or ready :class:`RemoteEndpoints`).
    env
        Environment to read credentials from (default: ``os.environ``).

    Examples
    --------
    >>> RemoteStore("sparql+http://127.0.0.1:7878?server=oxigraph").endpoints.gsp
    'http://127.0.0.1:7878/store'
    """

    def __init__(self, spec: str | RemoteEndpoints, *, env: dict[str, str] | None = None):
        self.endpoints = spec if isinstance(spec, RemoteEndpoints) else parse_remote_spec(spec)
        self._auth, self._headers = _auth_from_env(env)
        if (self.endpoints.server == "virtuoso" and self._auth is not None
                and "gsp=" not in self.endpoints.spec):
            # Virtuoso answers writes from authenticated users on its -auth endpoints only.
            gsp = self.endpoints.gsp
            self.endpoints = RemoteEndpoints(
                query=self.endpoints.query, update=self.endpoints.update.rstrip("/") + "-auth",
                gsp=gsp + "-auth" if gsp else None, server="virtuoso",
                timeout=self.endpoints.timeout, spec=self.endpoints.spec)
        self._client = None

    # -- HTTP ---------------------------------------------------------------------------

    def _http(self):
        if self._client is None:
            import httpx

            self._client = httpx.Client(auth=self._auth, headers=self._headers,
                                        timeout=httpx.Timeout(self.endpoints.timeout, connect=10),
                                        follow_redirects=False, trust_env=False)
        return self._client

    def close(self) -> None:
        """Close the HTTP connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _send(self, method: str, url: str, *, what: str, **kw):
        import httpx

        try:
            resp = self._http().request(method, url, **kw)
        except httpx.TimeoutException:
            raise StoreError(f"the SPARQL server did not answer in time ({what})", path=url,
                             hint="raise ?timeout=SECONDS in the store spec") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL server ({what}): {exc}", path=url,
                             hint="is the server running, and is the URL right?") from None
        if resp.status_code in (401, 403):
            raise StoreError(f"the SPARQL server refused {what} (HTTP {resp.status_code})",
                             path=url, hint="set CHAINKG_SPARQL_TOKEN, or CHAINKG_SPARQL_USER "
                                            "and CHAINKG_SPARQL_PASSWORD")
        if resp.status_code >= 400:
            body = _short(resp.text)
            err = QueryError if what == "query" else StoreError
            raise err(f"the SPARQL server answered HTTP {resp.status_code} to {what}: {body}",
                      path=url)
        return resp

    # -- writing ------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update request (one request: one transaction on most servers)."""
        self._send("POST", self.endpoints.update, what="update",
                   content=sparql.encode("utf-8"),
                   headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    def replace_graph(self, name: str, graph) -> int:
        """Replace the named graph ``name`` by the triples of ``graph`` in one request.

        With a Graph Store Protocol endpoint this is one ``PUT``; otherwise one SPARQL
        Update request ``DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> { … } }`` (in chunks
        of INSERT DATA operations within the same request). Returns the triples sent.
        """
        lines = _ntriples_lines(graph)
        self.replace_graph_ntriples(name, lines)
        return len(lines)

    def replace_graph_ntriples(self, name: str, lines: list[str]) -> None:
        """Replace the named graph ``name`` by N-Triples ``lines`` in one request (a GSP
        ``PUT``, or one SPARQL Update request without a GSP endpoint)."""
        if self.endpoints.gsp:
            self._send("PUT", self.endpoints.gsp, what="a graph store PUT",
                       params={"graph": _check_iri(name)},
                       content=("\n".join(lines) + "\n").encode("utf-8"),
                       headers={"Content-Type": "application/n-triples"})
        else:
            self.update(_replace_update(name, lines))

    def drop_graph(self, name: str) -> None:
        """Remove the named graph ``name`` (nothing happens when it is not there)."""
        self.update(f"DROP SILENT GRAPH <{_check_iri(name)}>")

    def graph_names(self, prefix: str | None = None) -> list[str]:
        """Names of the non-empty named graphs on the server (those under ``prefix``)."""
        flt = f'FILTER(STRSTARTS(STR(?g), "{_check_iri(prefix)}"))' if prefix else ""
        form, _vars, rows = self.execute(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {flt} }}", union=False)
        return sorted(str(r[0]) for r in rows if r and r[0] is not None)

    def load_dataset(self, dataset, *, prune: str | None = None,
                     progress=None) -> dict[str, int]:
        """Load every named graph of an rdflib Dataset, each replacing the server's graph.

        Each graph is replaced atomically on its own (a reader sees a document's old graph
        or its new one, never a mix). With ``prune`` (an IRI prefix, such as the chainkg
        base), named graphs under that prefix that the dataset no longer has — documents
        deleted since the last build — are dropped afterwards.

        Returns ``{"graphs": …, "triples": …, "dropped": …}``.
        """
        from rdflib import Dataset, URIRef

        contexts = []
        for ctx in dataset.graphs() if isinstance(dataset, Dataset) else [dataset]:
            if len(ctx) == 0:
                continue
            ident = ctx.identifier
            if not isinstance(ident, URIRef) or str(ident).startswith("urn:x-rdflib:"):
                raise StoreError("a remote store takes named graphs only; this dataset has "
                                 "triples in its default graph")
            contexts.append(ctx)
        contexts.sort(key=lambda c: str(c.identifier))
        triples = 0
        for i, ctx in enumerate(contexts, 1):
            triples += self.replace_graph(str(ctx.identifier), ctx)
            if progress:
                progress(i, len(contexts), str(ctx.identifier))
        dropped = 0
        if prune:
            keep = {str(c.identifier) for c in contexts}
            for name in self.graph_names(prune):
                if name not in keep:
                    self.drop_graph(name)
                    dropped += 1
        return {"graphs": len(contexts), "triples": triples, "dropped": dropped}

    # -- reading ------------------------------------------------------------------------

    def execute(self, sparql: str, *, union: bool = True) -> tuple[str, list[str], Any]:
        """Run a query; return ``(form, variables, payload)`` like
        :func:`kg.store_oxigraph.run_oxigraph` (rows or triples of rdflib terms, or a bool).
        """
        data: list[tuple[str, str]] = [("query", sparql)]
        server = self.endpoints.server
        if union and server == "oxigraph":
            data.append(("union-default-graph", ""))
        elif union and server == "fuseki":
            data.append(("default-graph-uri", "urn:x-arq:UnionGraph"))
        graph_form = _query_form(sparql) == "GRAPH"
        # Ask for the one format the form has: some servers (Virtuoso) would otherwise send
        # CONSTRUCT results as a JSON table of ?s ?p ?o.
        accept = ("application/n-triples, text/plain;q=0.5" if graph_form
                  else "application/sparql-results+json")
        resp = self._send(
            "POST", self.endpoints.query, what="query", content=_form(data),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        if graph_form:
            return "GRAPH", [], iter(_parse_ntriples(resp.content))
        return _parse_json_results(resp.content)

    def query(self, sparql: str) -> list[tuple[Node | None, ...]] | bool | list[tuple]:
        """Run a query: SELECT rows (tuples of rdflib terms), an ASK boolean, or the
        triples of a CONSTRUCT/DESCRIBE."""
        form, _vars, payload = self.execute(sparql)
        return payload if form == "ASK" else list(payload)

    def count(self, prefix: str | None = None) -> int:
        """Quads in the named graphs (those whose name starts with ``prefix``); servers may
        hold graphs of their own (Virtuoso's system graphs), hence the prefix."""
        flt = f'FILTER(STRSTARTS(STR(?g), "{_check_iri(prefix)}"))' if prefix else ""
        form, _v, rows = self.execute(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {flt} }}", union=False)
        return int(next(iter(rows))[0])

    def __len__(self) -> int:
        return self.count()


def load_remote(spec: str, dataset, *, prune: bool = True) -> dict[str, int]:
    """Load ``dataset`` into the remote store ``spec`` (the ``write_outputs`` hook): each
    named graph replaced atomically, and chainkg graphs the dataset lacks dropped."""
    from .ns import BASE

    with RemoteStore(spec) as store:
        return store.load_dataset(dataset, prune=BASE if prune else None)


def load_remote_from_oxigraph(spec: str, ox_store, *, prune: bool = True) -> dict[str, int]:
    """Load every named graph of a pyoxigraph ``Store`` into the remote store ``spec``.

    The build writes its graphs into an Oxigraph store first; this sends each of them with
    one request (replacing the server's graph of the same name) and drops the chainkg graphs
    the build no longer has.
    """
    import pyoxigraph as ox

    from .ns import BASE

    names = sorted(g.value for g in ox_store.named_graphs())
    triples = 0
    with RemoteStore(spec) as store:
        for name in names:
            lines = [
                f"{q.subject} {q.predicate} {q.object} ."
                for q in ox_store.quads_for_pattern(None, None, None, ox.NamedNode(name))
            ]
            store.replace_graph_ntriples(name, lines)
            triples += len(lines)
        dropped = 0
        if prune:
            keep = set(names)
            for name in store.graph_names(BASE):
                if name not in keep:
                    store.drop_graph(name)
                    dropped += 1
    return {"graphs": len(names), "triples": triples, "dropped": dropped}


# --------------------------------------------------------------------------- helpers


def _short(text: str, n: int = 300) -> str:
    import re

    text = re.sub(r"<[^>]+>", " ", text or "")
    text = " ".join(text.split())
    return text[:n] + ("…" if len(text) > n else "")


def _form(pairs: Iterable[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(list(pairs)).encode("ascii")


def _check_iri(iri: str) -> str:
    if any(c in iri for c in '<>"{}|^`\\ \n\r\t'):
        raise StoreError(f"not a safe IRI: {iri!r}")
    return iri


def _replace_update(name: str, lines: list[str]) -> str:
    g = _check_iri(name)
    ops = [f"DROP SILENT GRAPH <{g}>"]
    for i in range(0, len(lines), _INSERT_CHUNK):
        body = "\n".join(lines[i:i + _INSERT_CHUNK])
        ops.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{body}\n}} }}")
    return " ;\n".join(ops)


def _query_form(sparql: str) -> str:
    """``SELECT``, ``ASK`` or ``GRAPH`` (CONSTRUCT/DESCRIBE), by parsing the query with
    Oxigraph on an empty in-memory store (nothing is evaluated against data)."""
    import pyoxigraph as ox

    try:
        res = ox.Store().query(sparql)
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL: {exc}") from None
    if isinstance(res, ox.QueryBoolean):
        return "ASK"
    return "SELECT" if isinstance(res, ox.QuerySolutions) else "GRAPH"


def _json_term(b: dict | None) -> Node | None:
    from rdflib import BNode, Literal, URIRef

    from .store_oxigraph import canonical_term

    if b is None:
        return None
    kind, value = b.get("type"), b.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = b.get("xml:lang") or b.get("lang")
        if lang:
            return Literal(value, lang=lang)
        dt = b.get("datatype")
        if dt and dt != "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString":
            return canonical_term(Literal(value, datatype=URIRef(dt), normalize=False))
        return Literal(value)
    if kind == "triple":  # RDF-star: not part of chainkg's graphs
        raise StoreError("the server returned an RDF-star triple term, which chainkg does "
                         "not use")
    raise StoreError(f"unknown term type {kind!r} in the server's results")


def _parse_json_results(body: bytes) -> tuple[str, list[str], Any]:
    import json

    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise StoreError(f"the SPARQL server sent malformed JSON results: {exc}") from None
    if "boolean" in doc:
        return "ASK", [], bool(doc["boolean"])
    names = list(doc.get("head", {}).get("vars", []))
    bindings = doc.get("results", {}).get("bindings", [])

    def rows() -> Iterator[tuple]:
        for b in bindings:
            yield tuple(_json_term(b.get(v)) for v in names)

    return "SELECT", names, rows()


def _parse_ntriples(body: bytes) -> list[tuple]:
    import pyoxigraph as ox

    from .store_oxigraph import to_rdflib

    try:
        return [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as exc:
        raise StoreError(f"the SPARQL server sent malformed N-Triples: {exc}") from None
