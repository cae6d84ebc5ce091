"""Bulk loading a whole build into a SPARQL server (kg.store_remote.load_graphs and
load_remote_from_oxigraph): batched N-Quads POSTs where the server takes a dataset (the
Oxigraph server), concurrent per-graph PUTs elsewhere (Virtuoso), replacement of graphs the
server already has, pruning, errors; against a recording HTTP server and real servers."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.store_remote import (
    RemoteStore,
    _batches,
    _graph_parts,
    _nquads_body,
    load_remote_from_file,
    load_remote_from_oxigraph,
    parse_remote_spec,
)

from .servers import VIRTUOSO_ENV, oxigraph_server, virtuoso_server

BASE = "https://w3id.org/chainkg/"
P = ox.NamedNode(BASE + "ontology#text")


def _doc(i: int) -> str:
    return f"{BASE}doc/{i:04x}"


def _store(n_graphs: int, per_graph: int, *, tag: str = "v1") -> ox.Store:
    """An embedded store of ``n_graphs`` document graphs with awkward literals."""
    st = ox.Store()
    for i in range(n_graphs):
        g = ox.NamedNode(_doc(i))
        for j in range(per_graph):
            st.add(ox.Quad(ox.NamedNode(f"{BASE}id/x/{i}-{j}"), P,
                           ox.Literal(f"长治 {tag} .\n{i} <{j}> \"q\" .", language="zh"), g))
        st.add(ox.Quad(ox.BlankNode(), P, ox.Literal(tag), g))
    return st


def _graph_sets(spec: str, env: dict, names: list[str]) -> dict[str, set]:
    """Each named graph on the server as a set of (s, p, o) strings (blank nodes as '_')."""
    out = {}
    with RemoteStore(spec, env=env) as rs:
        for name in names:
            rows = rs.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
            out[name] = {("_" if type(s).__name__ == "BNode" else str(s), str(p), o.n3())
                         for s, p, o in rows}
    return out


def _expected_sets(st: ox.Store) -> dict[str, set]:
    from kg.store_oxigraph import to_rdflib

    out: dict[str, set] = {}
    for q in st:
        s = "_" if isinstance(q.subject, ox.BlankNode) else q.subject.value
        out.setdefault(q.graph_name.value, set()).add(
            (s, q.predicate.value, to_rdflib(q.object).n3()))
    return out


# --------------------------------------------------------------------------- pure helpers


def test_nquads_body_appends_the_graph_to_every_statement_and_nothing_else():
    st = _store(3, 4)
    batch = [(_doc(i), st.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(_doc(i))))
             for i in range(3)]
    body = b"".join(_nquads_body(batch))
    back = ox.Store()
    back.load(body, format=ox.RdfFormat.N_QUADS)
    assert _masked(back) == _masked(st)  # same quads, same graphs, literals intact
    assert len(back) == 3 * 5


def _masked(quads) -> set:
    return {("_" if isinstance(q.subject, ox.BlankNode) else q.subject, q.predicate, q.object,
             q.graph_name) for q in quads}


def test_batches_keep_order_and_size_limit():
    items = [(f"g{i}", b"x" * size) for i, size in enumerate([5, 5, 5, 12, 1, 1])]
    batches = list(_batches(items, 10))
    assert [[n for n, _ in b] for b in batches] == [["g0", "g1"], ["g2"], ["g3"], ["g4", "g5"]]
    assert list(_batches([], 10)) == []


def _chained(n_plain: int, n_chains: int) -> bytes:
    """N-Triples: ``n_plain`` plain triples, then ``n_chains`` chains <x> q _:b r _:c s "z"
    (each chain's three triples scattered over the document)."""
    plain = [f'<{BASE}id/x/{i}> <{BASE}p> "长治 {i} ." .\n' for i in range(n_plain)]
    a = [f"<{BASE}id/y/{i}> <{BASE}q> _:b{i} .\n" for i in range(n_chains)]
    b = [f"_:b{i} <{BASE}r> _:c{i} .\n" for i in range(n_chains)]
    c = [f'_:c{i} <{BASE}s> "z{i}" .\n' for i in range(n_chains)]
    return "".join(a + plain + b + c).encode("utf-8")


def test_graph_parts_cut_at_line_ends_and_keep_blank_node_groups_together():
    plain = b"".join(f'<urn:x:{i}> <urn:p> "v {i} ." .\n'.encode() for i in range(500))
    parts = _graph_parts(plain, 1000)
    assert len(parts) > 10 and b"".join(parts) == plain  # cut at line ends, nothing lost
    assert all(len(p) <= 1000 and p.endswith(b"\n") for p in parts)
    assert _graph_parts(plain, len(plain)) == [plain]
    data = _chained(300, 200)
    parts = _graph_parts(data, 2000)
    assert len(parts) > 5
    whole = {(q.subject, q.predicate, q.object) for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
    seen: dict[str, int] = {}
    got = set()
    for k, part in enumerate(parts):
        for q in ox.parse(part, format=ox.RdfFormat.N_TRIPLES):
            got.add((q.subject, q.predicate, q.object))
            for t in (q.subject, q.object):
                if isinstance(t, ox.BlankNode):
                    assert seen.setdefault(t.value, k) == k, "a blank node split over parts"
    assert got == whole
    assert len(seen) == 400


def test_spec_options_for_bulk_loading():
    e = parse_remote_spec("sparql+http://h:7878?server=oxigraph")
    assert (e.quads, e.concurrency, e.batch_bytes) == (True, 2, 16_000_000)
    e = parse_remote_spec("sparql+http://h:7878?server=oxigraph&quads=0&concurrency=4&batch=0.5")
    assert (e.quads, e.concurrency, e.batch_bytes) == (False, 4, 500_000)
    e = parse_remote_spec("sparql+http://h:8890?server=virtuoso")
    assert (e.quads, e.concurrency) == (False, 1)
    assert parse_remote_spec("sparql+http://h:8890?server=virtuoso&concurrency=3").concurrency == 3
    e = parse_remote_spec("sparql+http://h/ds?gsp=/ds/data&quads=1")
    assert e.quads is True
    assert parse_remote_spec("sparql+http://h/sparql?quads=1").quads is False  # no GSP: no POST
    assert parse_remote_spec("sparql+http://h:7878?server=oxigraph").atomic is True
    assert parse_remote_spec("sparql+http://h:7878?server=oxigraph&atomic=0").atomic is False
    with pytest.raises(StoreError, match="Oxigraph server only"):
        parse_remote_spec("sparql+http://h:8890?server=virtuoso&atomic=0")
    for bad in ("concurrency=0", "concurrency=two", "batch=-1", "quads=yes", "timeout=0",
                "atomic=no"):
        with pytest.raises(StoreError, match=bad.split("=")[0]):
            parse_remote_spec(f"sparql+http://h:7878?server=oxigraph&{bad}")


# --------------------------------------------------------------------------- recording server


class _Recorder(BaseHTTPRequestHandler):
    """Answers graph listings with ``graphs``, records every request; POSTs of N-Quads get
    ``post_status``."""

    seen: list = []
    graphs: list[str] = []
    post_status = 204
    lock = threading.Lock()

    def _reply(self, code: int, body: bytes = b"", ctype: str = "text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_POST(self):  # noqa: N802
        body = self._body()
        path = urlsplit(self.path)
        with self.lock:
            type(self).seen.append((self.command, path.path,
                                    parse_qs(path.query, keep_blank_values=True),
                                    self.headers.get("Content-Type"), body))
        if path.path == "/query":
            rows = [{"g": {"type": "uri", "value": g}} for g in type(self).graphs]
            data = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": rows}}).encode()
            return self._reply(200, data, "application/sparql-results+json")
        if path.path == "/store" and self.command == "POST":
            return self._reply(type(self).post_status, b"bad quads" if
                               type(self).post_status >= 400 else b"")
        return self._reply(204)

    do_PUT = do_POST  # noqa: N815

    def log_message(self, *a):
        pass


@pytest.fixture()
def recorder():
    _Recorder.seen, _Recorder.graphs, _Recorder.post_status = [], [], 204
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"sparql+http://127.0.0.1:{srv.server_address[1]}?server=oxigraph", _Recorder
    srv.shutdown()
    srv.server_close()


def test_quads_path_drops_existing_graphs_then_posts_many_graphs_per_request(recorder):
    spec, rec = recorder
    st = _store(6, 3)
    rec.graphs = [_doc(1), _doc(4), BASE + "doc/gone", "urn:other:graph"]
    info = load_remote_from_oxigraph(spec + "&batch=0.0012&concurrency=3", st, env={})
    assert info["graphs"] == 6 and info["triples"] == 6 * 4
    posts = [r for r in rec.seen if r[0] == "POST" and r[1] == "/store"]
    assert 1 < len(posts) < 6 == info["graphs"]  # batched: fewer requests than graphs
    assert info["requests"] == len(posts)
    # no graph=, and in a transaction (no no_transaction)
    assert all(r[3] == "application/n-quads" and not r[2] for r in posts)
    sent = ox.Store()
    for r in posts:
        sent.load(r[4], format=ox.RdfFormat.N_QUADS)
    assert len(sent) == len(st)
    assert {g.value for g in sent.named_graphs()} == {_doc(i) for i in range(6)}
    updates = [r[4].decode() for r in rec.seen if r[1] == "/update"]
    dropped = {u.split("<")[1].split(">")[0] for text in updates for u in text.split(" ;\n")}
    # the graphs the server had are dropped before being written; a chainkg graph that the
    # build no longer has is pruned; a graph outside the chainkg prefix is left alone
    assert dropped == {_doc(1), _doc(4), BASE + "doc/gone"}
    assert info["dropped"] == 1
    order = [(r[1], r[4]) for r in rec.seen if r[1] in ("/update", "/store")]
    for name in (_doc(1), _doc(4)):
        drop_at = next(i for i, (p, b) in enumerate(order)
                       if p == "/update" and name.encode() in b)
        post_at = next(i for i, (p, b) in enumerate(order)
                       if p == "/store" and name.encode() in b)
        assert drop_at < post_at


def test_non_atomic_option_asks_the_oxigraph_bulk_loader(recorder):
    spec, rec = recorder
    load_remote_from_oxigraph(spec + "&atomic=0", _store(3, 2), env={})
    posts = [r for r in rec.seen if r[1] == "/store"]
    assert posts and all(r[2] == {"no_transaction": [""]} for r in posts)


def test_put_path_sends_one_put_per_graph(recorder):
    spec, rec = recorder
    st = _store(5, 2)
    info = load_remote_from_oxigraph(spec + "&quads=0&concurrency=2", st, env={},
                                     prune=False)
    puts = [r for r in rec.seen if r[0] == "PUT"]
    assert sorted(r[2]["graph"][0] for r in puts) == [_doc(i) for i in range(5)]
    assert all(r[3] == "application/n-triples" for r in puts)
    assert info == {"graphs": 5, "triples": 15, "requests": 5, "dropped": 0}
    assert not [r for r in rec.seen if r[1] == "/update"]


def test_put_path_sends_a_large_graph_in_parts(recorder):
    spec, rec = recorder
    data = _chained(400, 100)
    info = RemoteStore(spec + "&quads=0&batch=0.004", env={}).load_graphs(
        [(_doc(1), data), (_doc(2), b"<urn:a> <urn:b> <urn:c> .\n")])
    writes = [r for r in rec.seen if r[0] in ("PUT", "POST") and r[1] == "/store"]
    first = [r for r in writes if r[2]["graph"][0] == _doc(1)]
    # the first part replaces the graph, the others add to it, each within the batch size
    assert first[0][0] == "PUT" and len(first) > 3
    assert all(r[0] == "POST" for r in first[1:])
    assert all(len(r[4]) <= 4000 for r in first)
    sent = ox.Store()
    for r in first:
        sent.load(r[4], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(_doc(1)))
    assert len(sent) == len(list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES)))
    assert info["graphs"] == 2 and info["triples"] == 400 + 300 + 1


def test_a_refused_batch_is_a_store_error(recorder):
    spec, rec = recorder
    rec.post_status = 400
    with pytest.raises(StoreError, match="HTTP 400 to a dataset POST"):
        load_remote_from_oxigraph(spec + "&batch=0.0005", _store(8, 3), env={})
    assert len([r for r in rec.seen if r[1] == "/store"]) <= 8  # stopped, did not loop


# --------------------------------------------------------------------------- real servers


@pytest.fixture(params=["oxigraph", "virtuoso"])
def live(request, tmp_path):
    kind = request.param
    ctx = oxigraph_server(tmp_path / kind) if kind == "oxigraph" else \
        virtuoso_server(tmp_path / kind)
    with ctx as spec:
        yield kind, spec, (VIRTUOSO_ENV if kind == "virtuoso" else {})


def test_bulk_load_and_rebuild_on_a_real_server(live):
    kind, spec, env = live
    first = _store(12, 30, tag="v1")
    opts = "&batch=0.01&concurrency=3"
    info = load_remote_from_oxigraph(spec + opts, first, env=env)
    assert info["graphs"] == 12 and info["triples"] == 12 * 31
    names = [_doc(i) for i in range(12)]
    assert _graph_sets(spec, env, names) == _expected_sets(first)
    with RemoteStore(spec, env=env) as rs:
        rs.update("INSERT DATA { GRAPH <urn:x-other:keep> { <urn:a> <urn:b> \"c\" } }")
    # rebuild: one document deleted, the others changed
    second = _store(11, 20, tag="v2")
    info = load_remote_from_oxigraph(spec + opts, second, env=env)
    assert info["dropped"] == 1
    with RemoteStore(spec, env=env) as rs:
        assert rs.graph_names(BASE) == names[:11]
        assert rs.count(BASE) == len(second)
        assert rs.count("urn:x-other:") == 1  # not ours: untouched
    assert _graph_sets(spec, env, names[:11]) == _expected_sets(second)


def test_a_graph_larger_than_a_request_is_loaded_in_parts(live):
    """A large graph (a 10,000-document build's entities graph is ~100 MB, which Virtuoso
    never answered in one PUT) goes in parts; blank nodes stay joined to their triples."""
    kind, spec, env = live
    data = _chained(2000, 300)
    opts = "&batch=0.02" + ("&quads=0" if kind == "oxigraph" else "")
    with RemoteStore(spec + opts, env=env) as rs:
        rs.update(f"INSERT DATA {{ GRAPH <{_doc(7)}> {{ <urn:old> <urn:p> \"stale\" }} }}")
        info = rs.load_graphs([(_doc(7), data)])
        assert info["requests"] > 5 and info["triples"] == 2000 + 900
        assert rs.count(BASE) == 2000 + 900  # the stale triple was replaced
        rows = rs.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_doc(7)}> {{ "
                        f"?x <{BASE}q> ?b . ?b <{BASE}r> ?c . ?c <{BASE}s> ?z }} }}")
        assert int(rows[0][0]) == 300  # every chain whole


def test_load_a_build_file(tmp_path, live):
    kind, spec, env = live
    st = _store(4, 5)
    path = tmp_path / "graph.trig"
    st.dump(str(path), format=ox.RdfFormat.TRIG)
    info = load_remote_from_file(spec + "&batch=0.001", path, env=env)
    assert (info["graphs"], info["triples"]) == (4, 24)
    assert _graph_sets(spec, env, [_doc(i) for i in range(4)]) == _expected_sets(st)
    # a file that does not keep a graph together: its parts add up, none replaces another,
    # and what the server had in that graph before is replaced
    nq = st.dump(format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    nq.sort(key=lambda line: line.split(b" ")[-2] + line[:20])  # each graph together …
    parts = [nq[0::2], nq[1::2]]  # … then split in two interleaved halves
    scattered = tmp_path / "scattered.nq"
    scattered.write_bytes(b"".join(parts[0] + parts[1]))
    with RemoteStore(spec, env=env) as rs:
        rs.update(f"INSERT DATA {{ GRAPH <{_doc(2)}> {{ <urn:old> <urn:p> \"stale\" }} }}")
    info = load_remote_from_file(spec + "&concurrency=3", scattered, env=env)
    assert (info["graphs"], info["triples"]) == (4, 24)
    assert _graph_sets(spec, env, [_doc(i) for i in range(4)]) == _expected_sets(st)
    bad = tmp_path / "default.nq"
    bad.write_bytes(b"<urn:a> <urn:b> <urn:c> .\n")
    with pytest.raises(StoreError, match="named graphs only"):
        load_remote_from_file(spec, bad, env=env)


def test_readers_never_see_half_a_document_during_a_bulk_load(tmp_path):
    """Each graph goes in whole: a reader polling during a load sees a document's graph
    empty, or complete (old or new), never part of it."""
    with oxigraph_server(tmp_path / "ox") as spec:
        per_graph = 400
        old, new = _store(40, per_graph, tag="old"), _store(40, per_graph, tag="new")
        load_remote_from_oxigraph(spec + "&batch=0.05", old, env={})
        seen: list[int] = []
        stop = threading.Event()

        def reader():
            with RemoteStore(spec, env={}) as rs:
                end = time.monotonic() + 120
                while not stop.is_set() and time.monotonic() < end:
                    rows = rs.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                    "} GROUP BY ?g")
                    seen.extend(int(n) for _g, n in rows)

        t = threading.Thread(target=reader)
        t.start()
        try:
            load_remote_from_oxigraph(spec + "&batch=0.05&concurrency=2", new, env={})
        finally:
            stop.set()
            t.join()
        assert seen and set(seen) <= {per_graph + 1}
        assert _graph_sets(spec, {}, [_doc(i) for i in range(40)]) == _expected_sets(new)
