"""The remote store against real servers on loopback: the Oxigraph server and Virtuoso 7.

Every stored query must give the same rows on the remote store as on the embedded rdflib
store, on the hand-written query fixture and on a small generated corpus built by the real
pipeline; rebuilding replaces a document's graph and drops graphs of deleted documents.
"""

from __future__ import annotations

import shlex
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from kg.derive import ensure_derived
from kg.errors import QueryError, StoreError
from kg.query import _Source, bind_values, list_stored_queries, load_stored_query, run_query
from kg.store_remote import RemoteStore, is_remote_spec, parse_remote_spec

from .servers import VIRTUOSO_ENV, oxigraph_server, virtuoso_server

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "query" / "fixture.trig"

#: Parameters for the stored queries on the query fixture (as in tests/test_queries_stored.py);
#: queries not listed here run with the parameters of their first ``# example:`` line.
FIXTURE_PARAMS = {
    "projects-in-place": {"place": "长治市"},
    "chain-links-in-region": {"chain": "锂电池产业链", "region": "山西省"},
    "product-chain": {"product": "磷酸锰铁锂"},
    "provenance": {"subject": "磷酸锰铁锂正极材料项目"},
    "group-companies": {"group": "特瓦时集团"},
    "entity-facts": {"entity": "长治高新区"},
    "entity-graph": {"entity": "长治高新区"},
    "projects-by-chain": {"chain": "锂电池产业链"},
    "chain-gaps": {"chain": "锂电池产业链", "region": "长治市"},
}
STORED = [q.name for q in list_stored_queries()]


class RemoteSource(_Source):
    """kg.query's store hook for a remote store (what run_query will do once wired)."""

    def __init__(self, store: RemoteStore):
        super().__init__("remote", store)

    def execute(self, query, bindings=None):
        if bindings:
            query = bind_values(query, bindings)
        return self.obj.execute(query)


def _example_params(name: str) -> dict[str, list[str]]:
    q = load_stored_query(name)
    params: dict[str, list[str]] = {}
    words = shlex.split(q.examples[0]) if q.examples else []
    for i, w in enumerate(words[:-1]):
        if w in ("--param", "-p"):
            k, _, v = words[i + 1].partition("=")
            params.setdefault(k, []).append(v)
    return params


def fixture_dataset() -> Dataset:
    from kg.mapping import load_chains, load_ontology

    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    for g in (load_ontology(), load_chains()):
        ctx = ds.graph(g.identifier)
        for t in g:
            ctx.add(t)
    ensure_derived(ds)  # as kg build does: the derived graph goes to every store
    return ds


def _rows(result):
    if result.form == "GRAPH":
        return Counter(result.graph)
    return result.rows


def compare_all(ds: Dataset, store: RemoteStore, params_of, *, ordered: bool = True,
                skip: set[str] = frozenset()) -> dict:
    """Run every stored query on ``ds`` and on ``store``; return {name: rows on ds}.

    Rows must be equal (in order when ``ordered``, else as multisets)."""
    out = {}
    src = RemoteSource(store)
    for name in STORED:
        if name in skip:
            continue
        params = params_of(name)
        try:
            a = run_query(ds, name, params)
        except QueryError as exc:
            if "no entity is named" in str(exc):
                with pytest.raises(QueryError, match="no entity is named"):
                    run_query(src, name, params)
                continue
            raise
        b = run_query(src, name, params)
        assert (a.form, a.variables) == (b.form, b.variables), name
        if a.form == "SELECT" and ordered:
            assert a.rows == b.rows, name
        elif a.form == "SELECT":
            assert Counter(a.rows) == Counter(b.rows), name
        elif a.form == "ASK":
            assert a.boolean == b.boolean, name
        else:
            assert _rows(a) == _rows(b), name
        out[name] = a
    return out


# --------------------------------------------------------------------------- specs and auth


def test_spec_presets_and_overrides():
    e = parse_remote_spec("sparql+http://127.0.0.1:7878?server=oxigraph")
    assert (e.query, e.update, e.gsp) == ("http://127.0.0.1:7878/query",
                                          "http://127.0.0.1:7878/update",
                                          "http://127.0.0.1:7878/store")
    e = parse_remote_spec("sparql+http://h:8890?server=virtuoso")
    assert (e.query, e.gsp) == ("http://h:8890/sparql", "http://h:8890/sparql-graph-crud")
    e = parse_remote_spec("sparql+http://h:3030/kg?server=fuseki")
    assert (e.query, e.update, e.gsp) == ("http://h:3030/kg/query", "http://h:3030/kg/update",
                                          "http://h:3030/kg/data")
    e = parse_remote_spec("sparql+https://h/sparql?update=/sparql/update&gsp=https://g/data")
    assert (e.query, e.update, e.gsp) == ("https://h/sparql", "https://h/sparql/update",
                                          "https://g/data")
    e = parse_remote_spec("sparql+http://h/sparql")  # generic: one endpoint, SPARQL Update
    assert (e.query, e.update, e.gsp) == ("http://h/sparql", "http://h/sparql", None)
    assert is_remote_spec("sparql+http://h/") and not is_remote_spec("oxigraph:/tmp/x")


@pytest.mark.parametrize("bad", ["sparql+http://u:secret@h/sparql", "sparql+http://h/?foo=1",
                                 "sparql+http://h/?server=blazegraph", "http://h/sparql",
                                 "sparql+http:///sparql"])
def test_bad_specs_are_refused(bad):
    with pytest.raises(StoreError) as err:
        parse_remote_spec(bad)
    if "@" in bad:
        assert "secret" not in str(err.value) and "CHAINKG_SPARQL_USER" in (err.value.hint or "")


class _Recorder(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append((self.path, dict(self.headers), body))
        data = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_PUT = do_POST  # noqa: N815

    def log_message(self, *a):
        pass


@pytest.fixture()
def recorder():
    _Recorder.seen = []
    srv = HTTPServer(("127.0.0.1", 0), _Recorder)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"127.0.0.1:{srv.server_address[1]}", _Recorder.seen
    srv.shutdown()
    srv.server_close()


def test_auth_comes_from_the_environment(recorder):
    host, seen = recorder
    spec = f"sparql+http://{host}/sparql"
    with RemoteStore(spec, env={"CHAINKG_SPARQL_TOKEN": "t0k"}) as st:
        assert st.query("SELECT ?x WHERE {}") == [(Literal(1),)]
    with RemoteStore(spec, env={"CHAINKG_SPARQL_USER": "ann", "CHAINKG_SPARQL_PASSWORD": "pw"}) as st:
        st.query("SELECT ?x WHERE {}")
    with RemoteStore(spec, env={}) as st:
        st.query("SELECT ?x WHERE {}")
    auth = [h.get("Authorization") for _p, h, _b in seen]
    assert auth == ["Bearer t0k", "Basic YW5uOnB3", None]
    with pytest.raises(StoreError, match="PASSWORD"):
        RemoteStore(spec, env={"CHAINKG_SPARQL_USER": "ann"})


def test_without_gsp_a_graph_is_replaced_by_one_update_request(recorder):
    host, seen = recorder
    g = Graph()
    g.add((URIRef("urn:s"), URIRef("urn:p"), Literal("长治", lang="zh")))
    with RemoteStore(f"sparql+http://{host}/sparql", env={}) as st:
        assert st.replace_graph("https://w3id.org/chainkg/doc/abc", g) == 1
    (path, headers, body), = seen
    text = body.decode("utf-8")
    assert headers["Content-Type"].startswith("application/sparql-update")
    assert text.startswith("DROP SILENT GRAPH <https://w3id.org/chainkg/doc/abc> ;")
    assert 'INSERT DATA { GRAPH <https://w3id.org/chainkg/doc/abc> {\n<urn:s> <urn:p> "长治"@zh .' in text
    with RemoteStore(f"sparql+http://{host}/sparql", env={}) as st, \
            pytest.raises(StoreError, match="safe IRI"):
        st.drop_graph("urn:x> } ; DROP ALL ; <urn:y")


class _Racy(BaseHTTPRequestHandler):
    answers: list = []
    seen: list = []

    def do_PUT(self):  # noqa: N802
        type(self).seen.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        status, text = type(self).answers.pop(0) if type(self).answers else (201, "")
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


_VIRTUOSO_RACE = ("SPARQL Graph Protocol request failed HTTP/1.1 500 Request Failed Error 23000 "
                  "SR197: Non unique primary key on DB.DBA.RDF_LANGUAGE.")


@pytest.mark.parametrize("answers, sent, ok", [
    # the server's own race on a new language tag: sent again until it goes in
    ([(500, _VIRTUOSO_RACE), (500, _VIRTUOSO_RACE)], 3, True),
    # a refusal about the request itself is not sent again
    ([(500, "SP030: SPARQL compiler: syntax error")], 1, False),
    ([(400, "bad request")], 1, False),
    # a race that never ends: given up after a few tries, with the server's words
    ([(500, _VIRTUOSO_RACE)] * 10, 5, False),
])
def test_a_write_refused_by_a_server_race_is_sent_again(answers, sent, ok):
    _Racy.answers, _Racy.seen = list(answers), []
    srv = HTTPServer(("127.0.0.1", 0), _Racy)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    spec = f"sparql+http://127.0.0.1:{srv.server_address[1]}?server=virtuoso"
    try:
        with RemoteStore(spec, env={}) as st:
            if ok:
                st.replace_graph_data("https://w3id.org/chainkg/doc/abc", b"<urn:s> <urn:p> 1 .\n")
            else:
                with pytest.raises(StoreError, match="HTTP (500|400)") as err:
                    st.replace_graph_data("https://w3id.org/chainkg/doc/abc",
                                          b"<urn:s> <urn:p> 1 .\n")
                assert answers[0][1].split(":")[0] in str(err.value)
    finally:
        srv.shutdown()
        srv.server_close()
    assert len(_Racy.seen) == sent
    assert set(_Racy.seen) == {b"<urn:s> <urn:p> 1 .\n"}


def test_unreachable_server_is_a_store_error():
    from .servers import free_port

    with RemoteStore(f"sparql+http://127.0.0.1:{free_port()}/sparql", env={}) as st, \
            pytest.raises(StoreError, match="cannot reach"):
        st.query("ASK {}")


# --------------------------------------------------------------------------- real servers


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as spec:
        yield spec


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as spec:
        yield spec


@pytest.fixture(scope="module")
def small_build(tmp_path_factory):
    """A real build of a small generated corpus (the benchmark generator), single process."""
    import subprocess
    import sys

    from kg.pipeline import build_graph
    from kg.store import load_graph

    root = tmp_path_factory.mktemp("small-corpus")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"),
                    str(root / "docs"), "--docs", "8"], check=True, capture_output=True)
    build_graph(root / "docs", root / "out", validate=False)
    return root / "docs", load_graph(root / "out" / "graph.trig")


def _server_store(kind, spec):
    return RemoteStore(spec, env=VIRTUOSO_ENV if kind == "virtuoso" else {})


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request):
    return request.param, request.getfixturevalue(request.param)


#: Stored queries that Virtuoso 7.2.5 (Debian 12's virtuoso-opensource-7) answers wrongly or
#: refuses, measured on the query fixture; strict xfails, so a fix (of the query or of the
#: server) shows up. Oxigraph gives the embedded rows for every stored query.
VIRTUOSO_DEVIATIONS: dict[str, str] = {
    # Empty since the stored queries read the derived graph (kg.derive: no property paths) and
    # avoid what Virtuoso 7.2.5 got wrong: a UNION followed by an OPTIONAL under a VALUES block
    # of several rows (product-chain), an IRI equality FILTER beside a BIND (provenance, SP031).
}


@pytest.fixture(scope="module")
def loaded_fixture(request):
    """Each server loaded once with the query fixture: ``{kind: (dataset, store)}``."""
    ds = fixture_dataset()
    stores = {}
    yield ds, stores
    for st in stores.values():
        st.close()


def _fixture_store(loaded_fixture, request, kind):
    ds, stores = loaded_fixture
    if kind not in stores:
        st = _server_store(kind, request.getfixturevalue(kind))
        info = st.load_dataset(ds, prune="https://w3id.org/chainkg/")
        assert info["graphs"] == len([c for c in ds.graphs() if len(c)])
        assert st.count("https://w3id.org/chainkg/") == len(list(ds.quads()))
        stores[kind] = st
    return ds, stores[kind]


def _cases():
    for kind in ("oxigraph", "virtuoso"):
        for name in STORED:
            marks = []
            if kind == "virtuoso" and name in VIRTUOSO_DEVIATIONS:
                marks.append(pytest.mark.xfail(strict=True, reason="Virtuoso 7.2.5: "
                                               + VIRTUOSO_DEVIATIONS[name]))
            yield pytest.param(kind, name, marks=marks, id=f"{kind}-{name}")


@pytest.mark.parametrize(("kind", "name"), list(_cases()))
def test_stored_query_same_rows_on_remote_store(loaded_fixture, request, kind, name):
    ds, st = _fixture_store(loaded_fixture, request, kind)
    params = FIXTURE_PARAMS.get(name) or _example_params(name)
    src = RemoteSource(st)
    try:
        a = run_query(ds, name, params)
    except QueryError as exc:
        assert "no entity is named" in str(exc)
        with pytest.raises(QueryError, match="no entity is named"):
            run_query(src, name, params)
        return
    b = run_query(src, name, params)
    assert (a.form, a.variables) == (b.form, b.variables)
    if a.form == "SELECT":
        assert a.rows == b.rows
    elif a.form == "ASK":
        assert a.boolean == b.boolean
    else:
        assert _rows(a) == _rows(b) and len(a.graph) > 0


def test_every_stored_query_same_rows_on_a_real_build(server, small_build):
    kind, spec = server
    _docs, ds = small_build
    skip = set(VIRTUOSO_DEVIATIONS) if kind == "virtuoso" else set()
    with _server_store(kind, spec) as st:
        st.load_dataset(ds, prune="https://w3id.org/chainkg/")
        assert st.count("https://w3id.org/chainkg/") == len(list(ds.quads()))
        done = compare_all(ds, st, _example_params, skip=skip)
    assert len(done) >= (len(STORED) - len(skip)) // 2
    assert any(len(r) for r in done.values())


def test_rebuild_replaces_graphs_and_drops_deleted_documents(server):
    kind, spec = server
    doc_a = URIRef("https://w3id.org/chainkg/doc/aaaa")
    doc_b = URIRef("https://w3id.org/chainkg/doc/bbbb")
    p = URIRef("https://w3id.org/chainkg/ontology#text")
    first = Dataset()
    first.graph(doc_a).add((doc_a, p, Literal("旧文本", lang="zh")))
    first.graph(doc_b).add((doc_b, p, Literal("乙", lang="zh")))
    second = Dataset()
    second.graph(doc_a).add((doc_a, p, Literal("新文本", lang="zh")))
    with _server_store(kind, spec) as st:
        st.load_dataset(first, prune="https://w3id.org/chainkg/")
        assert st.graph_names("https://w3id.org/chainkg/doc/") == [str(doc_a), str(doc_b)]
        info = st.load_dataset(second, prune="https://w3id.org/chainkg/")
        assert info == {"graphs": 1, "triples": 1, "dropped": 1}
        assert st.graph_names("https://w3id.org/chainkg/") == [str(doc_a)]
        rows = st.query("SELECT ?t WHERE { GRAPH ?g { ?d <https://w3id.org/chainkg/ontology#text> ?t } }")
        assert rows == [(Literal("新文本", lang="zh"),)]


def test_kg_query_runs_a_stored_query_on_a_remote_store(oxigraph, capsys):
    """`kg query NAME --store sparql+http://…` answers like the embedded store."""
    from kg.cli import main
    from kg.query import run_query

    ds = fixture_dataset()
    st = _server_store("oxigraph", oxigraph)
    st.load_dataset(ds, prune="https://w3id.org/chainkg/")
    remote = run_query(oxigraph, "entities-by-type")
    local = run_query(ds, "entities-by-type")
    assert _rows(remote) == _rows(local) and _rows(local)
    assert main(["query", "entities-by-type", "--store", oxigraph, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == len(_rows(local)) + 1


def test_kg_build_loads_a_remote_store_and_prunes_deleted_documents(oxigraph, tmp_path):
    """`kg build --store sparql+http://…` replaces each named graph on the server."""
    import subprocess
    import sys

    from kg.cli import main
    from kg.store import load_graph

    docs = tmp_path / "docs"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(docs),
                    "--docs", "3", "--seed", "5"], check=True, capture_output=True)
    assert main(["build", str(docs), "-o", str(tmp_path / "out"), "-q", "--no-validate",
                 "--store", oxigraph]) == 0
    local = load_graph(tmp_path / "out" / "graph.trig")
    st = _server_store("oxigraph", oxigraph)
    names = {str(c.identifier) for c in local.graphs() if len(c)}
    assert set(st.graph_names("https://w3id.org/chainkg/")) == names
    assert st.count("https://w3id.org/chainkg/") == len(set(local.quads()))
    victim = sorted(docs.iterdir())[0]
    victim.unlink()
    assert main(["build", str(docs), "-o", str(tmp_path / "out"), "-q", "--no-validate",
                 "--store", oxigraph]) == 0
    after = load_graph(tmp_path / "out" / "graph.trig")
    assert set(st.graph_names("https://w3id.org/chainkg/")) == {
        str(c.identifier) for c in after.graphs() if len(c)}
    st.close()
