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
``gsp`` (and no ``server`` preset) graphs are written with SPARQL Update. A whole build is
loaded in bulk (:meth:`RemoteStore.load_graphs`): where the server takes a dataset in one
Graph Store Protocol ``POST`` of N-Quads (the Oxigraph server; ``quads=1`` for another such
server) many document graphs go in each request, otherwise one ``PUT`` per graph; several
requests are in flight at once (``concurrency=N``, default 2, for Virtuoso 1; ``batch=MB``
per request, default 16). ``atomic=0`` (Oxigraph server only) has the server load those
requests with its bulk loader, outside transactions (measured: about 3.5 times less server
CPU and 6 times less wall time than one ``PUT`` per graph), but a reader may then see part
of a request, so it suits a first load into a server that nobody queries yet. Credentials never
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
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

from rdflib.term import Node

from .errors import QueryError, StoreError

__all__ = ["RemoteStore", "RemoteEndpoints", "parse_remote_spec", "is_remote_spec",
           "load_remote", "load_remote_from_oxigraph", "load_remote_from_file"]

_SCHEMES = ("sparql+http://", "sparql+https://")
#: Endpoint paths of the server presets, relative to the spec's path.
_PRESETS: dict[str, dict[str, str | None]] = {
    "oxigraph": {"query": "query", "update": "update", "gsp": "store"},
    "virtuoso": {"query": "sparql", "update": "sparql", "gsp": "sparql-graph-crud"},
    "fuseki": {"query": "query", "update": "update", "gsp": "data"},
    "generic": {"query": "", "update": "", "gsp": None},
}
#: Servers that add a whole dataset sent as N-Quads in one GSP ``POST`` without ``graph=``.
_QUADS_POST = {"oxigraph"}
_KNOWN_PARAMS = {"query", "update", "gsp", "server", "timeout", "concurrency", "batch", "quads",
                 "atomic"}
#: Requests in flight during a bulk load (:meth:`RemoteStore.load_graphs`), by server
#: preset. Virtuoso 7.2 does more work, not more throughput, with two PUTs at once
#: (benchmarks/RESULTS.md, "Scaling out").
CONCURRENCY = 2
_PRESET_CONCURRENCY = {"virtuoso": 1}
#: Size of one N-Quads request body in a bulk load (bytes); well below the minute in which
#: the Oxigraph server must have answered a request.
BATCH_BYTES = 16_000_000
#: Size of one SPARQL Update request that drops graphs (the Oxigraph server takes 1 MiB).
_UPDATE_BYTES = 512_000
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
    #: The GSP endpoint takes N-Quads of many graphs in one ``POST`` (no ``graph=``).
    quads: bool = False
    #: ``False``: the Oxigraph server loads dataset POSTs with its bulk loader, outside any
    #: transaction (faster; a reader may see part of a request).
    atomic: bool = True
    concurrency: int = CONCURRENCY
    batch_bytes: int = BATCH_BYTES


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

    def number(name: str, default: float, kind=float, low: float = 0.0):
        try:
            value = kind(params.get(name, default))
        except ValueError:
            value = None
        if value is None or value <= low:
            raise StoreError(f"{name} must be a number above {low:g}, got {params[name]!r}")
        return value

    timeout = number("timeout", 600)
    concurrency = number("concurrency", _PRESET_CONCURRENCY.get(server, CONCURRENCY), int)
    batch = number("batch", BATCH_BYTES / 1e6)
    quads = params.get("quads", "1" if server in _QUADS_POST else "0")
    atomic = params.get("atomic", "1")
    for name, value in (("quads", quads), ("atomic", atomic)):
        if value not in ("0", "1"):
            raise StoreError(f"{name} must be 0 or 1, got {value!r}")
    if atomic == "0" and server != "oxigraph":
        raise StoreError("atomic=0 is an option of the Oxigraph server only",
                         hint="add server=oxigraph, or leave atomic out")
    gsp = endpoint("gsp")
    return RemoteEndpoints(query=endpoint("query"), update=endpoint("update"),
                           gsp=gsp, server=server, timeout=timeout, spec=spec,
                           quads=quads == "1" and gsp is not None, atomic=atomic == "1",
                           concurrency=concurrency,
                           batch_bytes=int(batch * 1e6))


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
            self.endpoints = replace(
                self.endpoints, update=self.endpoints.update.rstrip("/") + "-auth",
                gsp=gsp + "-auth" if gsp else None)
        self._env = env
        self._local = threading.local()
        self._clients: list = []
        self._lock = threading.Lock()

    # -- HTTP ---------------------------------------------------------------------------

    def _http(self):
        # One client (connection pool, auth state) per thread: a bulk load sends requests
        # from several threads, and digest auth counts its nonces per client.
        client = getattr(self._local, "client", None)
        if client is None:
            import httpx

            auth = self._auth
            if isinstance(auth, httpx.DigestAuth) and self._clients:
                auth, _ = _auth_from_env(self._env)
            client = httpx.Client(auth=auth, headers=self._headers,
                                  timeout=httpx.Timeout(self.endpoints.timeout, connect=10),
                                  follow_redirects=False, trust_env=False)
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def close(self) -> None:
        """Close the HTTP connections."""
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()
        self._local = threading.local()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _send(self, method: str, url: str, *, what: str, **kw):
        # Writes are idempotent here (a PUT replaces a graph; adding triples twice leaves one
        # copy), so a write the server refused for a race of its own is sent again.
        for delay in _RETRY_DELAYS if what != "query" else ():
            resp = self._request(method, url, what=what, **kw)
            if not _transient(resp):
                break
            time.sleep(delay)
        else:
            resp = self._request(method, url, what=what, **kw)
        return self._check(resp, url, what)

    def _request(self, method: str, url: str, *, what: str, **kw):
        import httpx

        try:
            resp = self._http().request(method, url, **kw)
        except httpx.TimeoutException:
            raise StoreError(f"the SPARQL server did not answer in time ({what})", path=url,
                             hint="raise ?timeout=SECONDS in the store spec") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL server ({what}): {exc}", path=url,
                             hint="is the server running, and is the URL right?") from None
        return resp

    def _check(self, resp, url: str, what: str):
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
            self.replace_graph_data(name, ("\n".join(lines) + "\n").encode("utf-8"))
        else:
            self.update(_replace_update(name, lines))

    def replace_graph_data(self, name: str, data: bytes) -> None:
        """Replace the named graph ``name`` by an N-Triples document ``data`` in one request
        (a GSP ``PUT``, or one SPARQL Update request without a GSP endpoint)."""
        if self.endpoints.gsp:
            self._send("PUT", self.endpoints.gsp, what="a graph store PUT",
                       params={"graph": _check_iri(name)}, content=data,
                       headers={"Content-Type": "application/n-triples"})
        else:
            lines = [ln for ln in data.decode("utf-8").split("\n") if ln.strip()]
            self.update(_replace_update(name, lines))

    def add_graph_data(self, name: str, data: bytes) -> None:
        """Add an N-Triples document ``data`` to the named graph ``name`` (a GSP ``POST``,
        or SPARQL ``INSERT DATA``)."""
        if self.endpoints.gsp:
            self._send("POST", self.endpoints.gsp, what="a graph store POST",
                       params={"graph": _check_iri(name)}, content=data,
                       headers={"Content-Type": "application/n-triples"})
        else:
            lines = [ln for ln in data.decode("utf-8").split("\n") if ln.strip()]
            self.update(_replace_update(name, lines).split(" ;\n", 1)[1])

    def drop_graphs(self, names: Iterable[str]) -> int:
        """Remove the named graphs ``names``, many per SPARQL Update request; returns how
        many were named."""
        n = 0
        for ops in _chunked_ops(f"DROP SILENT GRAPH <{_check_iri(g)}>" for g in names):
            self.update(" ;\n".join(ops))
            n += len(ops)
        return n

    def _named_graphs(self) -> set[str]:
        """Every named graph the server has, also empty ones, where the server lists them
        cheaply (``GRAPH ?g {}``: Oxigraph); otherwise the non-empty ones."""
        if self.endpoints.server == "oxigraph":
            _f, _v, rows = self.execute("SELECT ?g WHERE { GRAPH ?g { } }", union=False)
            return {str(r[0]) for r in rows if r and r[0] is not None}
        return set(self.graph_names())

    def load_graphs(self, graphs: Iterable[tuple[str, bytes]], *, prune: str | None = None,
                    progress: Callable[[int, int | None, str], None] | None = None,
                    total: int | None = None) -> dict[str, int]:
        """Load many named graphs in bulk, each replacing the server's graph of that name.

        ``graphs`` yields ``(name, N-Triples bytes)`` (lazily: it is read as requests go
        out, so at most a few requests' worth is held in memory); a name that comes again
        adds to what this load already wrote for it. Where the server takes a
        dataset in one GSP ``POST`` (``quads``), graphs are sent as N-Quads, many per
        request up to ``batch_bytes``; the graphs of a request that the server already has
        are dropped by one SPARQL Update just before it. Otherwise each graph is one GSP
        ``PUT`` (or one SPARQL Update request). ``concurrency`` requests are in flight.

        Atomicity: a document graph is written whole by one request, so a reader never
        sees half a document; on the one-graph-per-request path a graph larger than
        ``batch_bytes`` (a corpus graph of a big build) is sent in parts, the first
        replacing the server's graph and the others adding to it. Where a graph is replaced, the Oxigraph server removes the old one
        in a step of its own (its own GSP ``PUT`` also clears, then loads), so a reader may
        see the graph missing for that moment; Virtuoso replaces a graph within one ``PUT``.

        With ``prune`` (an IRI prefix), named graphs under it that were not loaded are
        dropped afterwards. Returns ``{"graphs", "triples", "dropped", "requests"}``.
        """
        ep = self.endpoints
        existing = self._named_graphs() if ep.quads else set()
        keep: set[str] = set()
        counts = {"graphs": 0, "triples": 0, "requests": 0}

        def noted(items):
            # (name, data, again): ``again`` when this load already sent part of the graph
            for name, data in items:
                _check_iri(name)
                again = name in keep
                keep.add(name)
                yield name, data, again

        if ep.quads:
            batches: Iterable[list[tuple[str, bytes, bool]]] = _batches(noted(graphs),
                                                                        ep.batch_bytes)

            def send(batch):
                stale = [n for n, _d, again in batch if n in existing and not again]
                if stale:
                    self.drop_graphs(stale)
                self._send("POST", ep.gsp, what="a dataset POST",
                           params=None if ep.atomic else {"no_transaction": ""},
                           content=_nquads_body(batch),
                           headers={"Content-Type": "application/n-quads"})
                return batch
        else:
            # one graph a request; a graph larger than a batch goes in parts (a PUT, then
            # POSTs): Virtuoso 7.2 never answered a PUT of ~100 MB (the entities graph of a
            # 10,000-document build)
            batches = ([item] for item in noted(
                (name, part) for name, data in graphs
                for part in _graph_parts(data, ep.batch_bytes)))

            def send(batch):
                name, data, again = batch[0]
                if again:
                    self.add_graph_data(name, data)
                else:
                    self.replace_graph_data(name, data)
                return batch

        def done(batch):
            counts["requests"] += 1
            for name, data, again in batch:
                counts["graphs"] += not again
                counts["triples"] += data.count(b"\n")
                if progress:
                    progress(counts["graphs"], total, name)

        # A graph that comes again waits until every earlier request is done: its first part
        # (which replaces the server's graph) must be in before the rest is added.
        _run_bounded(batches, send, done, ep.concurrency,
                     barrier=lambda batch: any(item[2] for item in batch))
        dropped = 0
        if prune:
            if not ep.quads:  # graphs listed before the load may be stale: list again
                existing = set(self.graph_names(prune))
            dropped = self.drop_graphs(sorted(
                g for g in existing if g.startswith(prune) and g not in keep))
        counts["dropped"] = dropped
        return counts

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

        Sent in bulk as :meth:`load_graphs` sends (each graph written whole by one
        request). With ``prune`` (an IRI prefix, such as the chainkg
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

        def graphs():
            for ctx in contexts:
                yield str(ctx.identifier), "".join(
                    line + "\n" for line in _ntriples_lines(ctx)).encode("utf-8")

        info = self.load_graphs(graphs(), prune=prune, progress=progress, total=len(contexts))
        return {k: info[k] for k in ("graphs", "triples", "dropped")}

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


def load_remote_from_oxigraph(spec: str, ox_store, *, prune: bool = True,
                              progress: Callable[[int, int | None, str], None] | None = None,
                              env: dict[str, str] | None = None) -> dict[str, int]:
    """Load every named graph of a pyoxigraph ``Store`` into the remote store ``spec``.

    The build writes its graphs into an Oxigraph store first; this streams them to the
    server in bulk (:meth:`RemoteStore.load_graphs`: each graph replacing the server's graph
    of the same name; Oxigraph writes each graph's N-Triples natively, one graph at a time)
    and drops the chainkg graphs the build no longer has. Triples in the default graph are
    not sent (a chainkg build has none).
    """
    import pyoxigraph as ox

    from .ns import BASE

    names = sorted(g.value for g in ox_store.named_graphs()
                   if isinstance(g, ox.NamedNode))

    def graphs():
        for name in names:
            data = ox_store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
            if data:
                yield name, data

    with RemoteStore(spec, env=env) as store:
        return store.load_graphs(graphs(), prune=BASE if prune else None, progress=progress,
                                 total=len(names))


def load_remote_from_file(spec: str, path: str | os.PathLike, *, prune: bool = True,
                          progress: Callable[[int, int | None, str], None] | None = None,
                          env: dict[str, str] | None = None) -> dict[str, int]:
    """Load a TriG or N-Quads file (a build's ``graph.trig``) into the remote store ``spec``.

    The file is streamed: Oxigraph parses it and writes each run of quads of one graph back
    as N-Quads natively, and the runs go to :meth:`RemoteStore.load_graphs` (a graph's
    first run replaces the server's graph, later runs of the same graph, in a file that
    does not keep a graph together, are added to it). Nothing is staged on disk and at most
    a few requests' worth is in memory. Triples in the default graph are refused.
    """
    import itertools
    import operator

    import pyoxigraph as ox

    from .ns import BASE

    src = os.fspath(path)
    fmt = ox.RdfFormat.N_QUADS if src.endswith((".nq", ".nquads")) else ox.RdfFormat.TRIG

    def graphs():
        quads = ox.parse(path=src, format=fmt)
        for g, run in itertools.groupby(quads, key=operator.attrgetter("graph_name")):
            if not isinstance(g, ox.NamedNode):
                raise StoreError("a remote store takes named graphs only; this file has "
                                 "triples in its default graph or in a blank-node graph",
                                 path=src)
            data = ox.serialize(run, format=ox.RdfFormat.N_QUADS)
            # back to N-Triples: the graph term ends every line (see _nquads_body)
            yield g.value, data.replace(b" <" + g.value.encode("utf-8") + b"> .\n", b" .\n")

    with RemoteStore(spec, env=env) as store:
        return store.load_graphs(graphs(), prune=BASE if prune else None, progress=progress)


# --------------------------------------------------------------------------- helpers


# Pauses before sending a refused write again (seconds; then the last answer stands).
_RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0)
# Answers a server gives when concurrent writes race inside it, not because of the request:
# Virtuoso registers a new language tag or datatype in a table of its own, and two requests
# bringing the same new tag collide on its key (SR197); 40001 is its deadlock answer.
_TRANSIENT = ("SR197", "40001")


def _transient(resp) -> bool:
    return resp.status_code == 500 and any(code in resp.text for code in _TRANSIENT)


def _short(text: str, n: int = 300) -> str:
    import re

    text = re.sub(r"<[^>]+>", " ", text or "")
    text = " ".join(text.split())
    return text[:n] + ("…" if len(text) > n else "")


def _form(pairs: Iterable[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(list(pairs)).encode("ascii")


def _graph_parts(data: bytes, limit: int) -> list[bytes]:
    """An N-Triples document cut into parts of about ``limit`` bytes at line ends.

    The triples of a blank node, and of every blank node linked to it, stay in one part
    (a server reads each request's blank node labels afresh); such a group larger than
    ``limit`` is a part of its own. A document within ``limit`` is returned whole.

    >>> _graph_parts(b"<a> <p> <b> .\n<c> <p> <d> .\n", 15)
    [b'<a> <p> <b> .\n', b'<c> <p> <d> .\n']
    """
    if len(data) <= limit:
        return [data]
    if b"_:" not in data:
        parts, start = [], 0
        while start < len(data):
            end = data.rfind(b"\n", start, start + limit) + 1 if len(data) - start > limit \
                else len(data)
            if end <= start:  # one line longer than the limit
                end = data.index(b"\n", start) + 1
            parts.append(data[start:end])
            start = end
        return parts
    import pyoxigraph as ox

    triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    parent: dict[str, str] = {}

    def root(b: str) -> str:
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    def blank(t) -> str | None:
        return t.value if isinstance(t, ox.BlankNode) else None

    for t in triples:
        a, b = blank(t.subject), blank(t.object)
        if a and b:
            parent[root(a)] = root(b)
        elif a or b:
            root(a or b)
    groups: dict = {}
    for i, t in enumerate(triples):
        key = blank(t.subject) or blank(t.object)
        groups.setdefault(root(key) if key else i, []).append(t)
    parts, part, size = [], [], 0
    for group in groups.values():
        text = ox.serialize(group, format=ox.RdfFormat.N_TRIPLES)
        if part and size + len(text) > limit:
            parts.append(b"".join(part))
            part, size = [], 0
        part.append(text)
        size += len(text)
    if part:
        parts.append(b"".join(part))
    return parts


def _batches(items: Iterable[tuple], limit: int) -> Iterator[list]:
    """Group ``(name, data, …)`` items into lists of at most ``limit`` bytes of data (a
    larger item alone), in order."""
    batch: list = []
    size = 0
    for item in items:
        if batch and size + len(item[1]) > limit:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item[1])
    if batch:
        yield batch


def _nquads_body(batch: list[tuple]) -> Iterator[bytes]:
    """N-Triples documents ``(name, data, …)`` as N-Quads of their graphs, streamed graph
    by graph.

    Each N-Triples statement ends with `` .`` and a newline, and no term contains a raw
    newline (N-Triples escapes it), so appending the graph name before each end is exact.
    """
    for name, data, *_ in batch:
        yield data.replace(b" .\n", b" <" + name.encode("utf-8") + b"> .\n")


def _chunked_ops(ops: Iterable[str], limit: int = _UPDATE_BYTES) -> Iterator[list[str]]:
    chunk: list[str] = []
    size = 0
    for op in ops:
        if chunk and size + len(op) > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(op)
        size += len(op) + 3
    if chunk:
        yield chunk


def _run_bounded(jobs: Iterable, send: Callable, done: Callable, concurrency: int,
                 barrier: Callable[[Any], bool] = lambda job: False) -> None:
    """Run ``send(job)`` for each job on ``concurrency`` threads with at most twice that
    many jobs taken from ``jobs`` at once; ``done(result)`` runs in the calling thread, in
    completion order; a job for which ``barrier(job)`` is true starts only after every
    earlier job is done. The first error stops taking jobs and is raised."""
    if concurrency <= 1:
        for job in jobs:
            done(send(job))
        return
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="kg-load") as pool:
        pending: set = set()
        try:
            for job in jobs:
                if pending and barrier(job):
                    finished, pending = wait(pending), set()
                    for f in finished.done:
                        done(f.result())
                pending.add(pool.submit(send, job))
                if len(pending) >= 2 * concurrency:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for f in finished:
                        done(f.result())
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    done(f.result())
        except BaseException:
            for f in pending:
                f.cancel()
            raise


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
