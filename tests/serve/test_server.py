"""``kg serve`` as users meet it: SPARQLWrapper as a real client running stored queries,
timeouts that stop a runaway query without blocking others, the safe defaults (read-only,
no remote access, no CORS, capped results), updates when allowed, the query page, and a
clean exit on SIGINT / SIGTERM.
"""

from __future__ import annotations

import signal
import threading
import time

import httpx
import pytest

from kg.query import load_stored_query, run_query

from .helpers import GRAPH, assert_error_shape, running_server, start_server

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
ROWS_100K = ("SELECT ?a ?b ?c ?d ?e WHERE { VALUES ?a {0 1 2 3 4 5 6 7 8 9} "
             "VALUES ?b {0 1 2 3 4 5 6 7 8 9} VALUES ?c {0 1 2 3 4 5 6 7 8 9} "
             "VALUES ?d {0 1 2 3 4 5 6 7 8 9} VALUES ?e {0 1 2 3 4 5 6 7 8 9} }")
ID = "https://w3id.org/chainkg/id/"


@pytest.fixture(scope="module")
def server():
    with running_server("--timeout", "4") as s:
        yield s


# ---------------------------------------------------------------- SPARQLWrapper


def _wrapper(server, query: str, fmt: str):
    from SPARQLWrapper import JSON, XML, SPARQLWrapper

    sw = SPARQLWrapper(server.endpoint)
    sw.setQuery(query)
    sw.setReturnFormat({"json": JSON, "xml": XML}[fmt])
    return sw.query().convert()


def _rows_json(res) -> set[tuple]:
    vars_ = res["head"]["vars"]
    return {tuple(b.get(v, {}).get("value") for v in vars_) for b in res["results"]["bindings"]}


def _rows_xml(doc) -> set[tuple]:
    ns = "http://www.w3.org/2005/sparql-results#"
    vars_ = [v.getAttribute("name") for v in doc.getElementsByTagNameNS(ns, "variable")]
    rows = set()
    for r in doc.getElementsByTagNameNS(ns, "result"):
        got = {}
        for b in r.getElementsByTagNameNS(ns, "binding"):
            node = [c for c in b.childNodes if c.nodeType == c.ELEMENT_NODE][0]
            got[b.getAttribute("name")] = "".join(t.data for t in node.childNodes)
        rows.add(tuple(got.get(v) for v in vars_))
    return rows


def _rows_library(name: str) -> set[tuple]:
    # kg.query on Oxigraph, the server's engine; parameters unbound, as over HTTP
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(GRAPH), format=ox.RdfFormat.TRIG)
    res = run_query(store, load_stored_query(name).text)
    return {tuple(None if t is None else str(t) for t in row) for row in res.rows}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_sparqlwrapper_entities_by_type(server, fmt):
    res = _wrapper(server, load_stored_query("entities-by-type").text, fmt)
    rows = _rows_json(res) if fmt == "json" else _rows_xml(res)
    by_entity = {r[1]: r for r in rows}
    assert set(by_entity) == {ID + k for k in ("zone/yunhe-gxq", "zone/beishan-kfq", "company/lanfeng",
                                               "company/jinshi", "company/hexing", "project/q1",
                                               "project/q2")}
    assert by_entity[ID + "company/hexing"][2] == "和兴精密制造有限公司"
    assert rows == _rows_library("entities-by-type")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_sparqlwrapper_investor_ranking(server, fmt):
    res = _wrapper(server, load_stored_query("investor-ranking").text, fmt)
    rows = _rows_json(res) if fmt == "json" else _rows_xml(res)
    assert rows == _rows_library("investor-ranking")
    lanfeng = next(r for r in rows if r[0] == ID + "company/lanfeng")
    assert "1200000000" in lanfeng


@pytest.mark.parametrize("name", ["projects-in-place", "investment-by-zone", "stage-counts"])
def test_sparqlwrapper_more_stored_queries_match_the_library(server, name):
    # the parameters of a stored query stay unbound over HTTP: every place, zone, stage
    assert _rows_json(_wrapper(server, load_stored_query(name).text, "json")) == _rows_library(name)


# ---------------------------------------------------------------- time budget


def test_slow_query_times_out_cleanly_while_ask_answers(server):
    done: dict[str, object] = {}

    def slow():
        done["slow"] = httpx.get(server.endpoint, params={"query": CROSS_JOIN}, timeout=60)
        done["slow_at"] = time.monotonic()

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.5)  # the cross join is running in its worker now
    start = time.monotonic()
    ask = httpx.get(server.endpoint, params={"query": "ASK {}"}, timeout=60)
    ask_at = time.monotonic()
    t.join(60)
    assert ask.status_code == 200 and ask.json()["boolean"] is True
    assert ask_at < done["slow_at"], "ASK waited for the slow query"
    print(f"ASK latency during a slow query: {ask_at - start:.3f} s")
    err = assert_error_shape(done["slow"], 503)
    assert err["code"] == "timeout"
    # the killed worker is replaced: the server keeps answering and reports the timeout
    health = httpx.get(server.base + "/health").json()
    assert health["timeouts"] >= 1 and health["restarts"] >= 1
    assert httpx.get(server.endpoint, params={"query": "ASK {}"}).status_code == 200


# ---------------------------------------------------------------- safe defaults


def test_update_is_forbidden_by_default(server):
    for req in (dict(data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
                dict(headers={"Content-Type": "application/sparql-update"},
                     content=b"DELETE WHERE { ?s ?p ?o }")):
        assert assert_error_shape(httpx.post(server.endpoint, **req), 403)["code"] == "read_only"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = httpx.get(server.endpoint, params={"query": count})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "39"


@pytest.mark.parametrize("params", [
    {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
    {"query": "SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }"},
    {"query": "SELECT * FROM NAMED <https://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }"},
    {"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://example.org/remote.ttl"},
    {"query": "ASK { ?s ?p ?o }", "named-graph-uri": "http://example.org/remote.ttl"},
])
def test_remote_access_is_refused(server, params):
    assert assert_error_shape(httpx.get(server.endpoint, params=params), 403)["code"] == "refused"


def test_load_is_refused_even_with_updates_allowed():
    with running_server("--allow-update") as s:
        r = httpx.post(s.endpoint, data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"})
        assert assert_error_shape(r, 403)["code"] == "refused"
        r = httpx.post(s.endpoint, data={"update": "INSERT { ?s ?p ?o } WHERE { SERVICE "
                                                    "<http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
        assert_error_shape(r, 403)


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv",
                                    "application/sparql-results+xml"])
def test_large_result_is_capped_and_flagged(server, accept):
    r = httpx.get(server.endpoint, params={"query": ROWS_100K}, headers={"Accept": accept},
                  timeout=60)
    assert r.status_code == 200
    assert r.headers["X-KG-Result-Capped"] == "true" and r.headers["X-KG-Row-Limit"] == "10000"
    if accept.endswith("json"):
        body = r.json()
        assert len(body["results"]["bindings"]) == 10_000
        assert "10000" in body["note"]
    elif accept == "text/csv":
        assert len(r.text.splitlines()) == 10_001
    else:
        assert r.text.count("<result>") == 10_000 and "<!-- result capped at 10000" in r.text


def test_small_result_is_not_flagged(server):
    r = httpx.get(server.endpoint, params={"query": "SELECT ?x WHERE { VALUES ?x {1 2} }"})
    assert "X-KG-Result-Capped" not in r.headers and "note" not in r.json()


def test_no_cors_by_default(server):
    r = httpx.get(server.endpoint, params={"query": "ASK {}"}, headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in r.headers
    pre = httpx.options(server.endpoint, headers={"Origin": "http://evil.test",
                                                  "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers


# ---------------------------------------------------------------- updates, CORS, page


def test_allowed_update_is_applied_and_seen_by_every_worker():
    with running_server("--allow-update", "--workers", "2", "--cors", "http://notebook.test") as s:
        ins = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 'c' } }"
        assert httpx.post(s.endpoint, data={"update": ins}).status_code == 204
        # a failing update changes nothing (one transaction): the valid first part is not kept
        bad = ("INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 'd' } } ; "
               "INSERT { ?s ?p ?o } WHERE { BIND(1 AS ?s) BIND(<urn:p> AS ?p) BIND(2 AS ?o) } ; "
               "CLEAR GRAPH <urn:x:missing>")
        httpx.post(s.endpoint, data={"update": bad})
        # many queries in parallel reach both workers: each one sees the acknowledged update
        def ask(_):
            return httpx.get(s.endpoint, params={"query": "SELECT ?o WHERE { <urn:x:a> <urn:x:b> ?o }"},
                             timeout=30).json()["results"]["bindings"]

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(4) as ex:
            results = list(ex.map(ask, range(12)))
        assert all({b["o"]["value"] for b in r} == {"c"} for r in results), results
        r = httpx.get(s.endpoint, params={"query": "ASK {}"}, headers={"Origin": "http://notebook.test"})
        assert r.headers["access-control-allow-origin"] == "http://notebook.test"
        assert "X-KG-Row-Limit" in r.headers["access-control-expose-headers"]
        r = httpx.get(s.endpoint, headers={"Accept": "text/turtle"})
        assert "SPARQL11Update" in r.text


def test_query_page_is_offline_and_lists_stored_queries(server):
    import re

    r = httpx.get(server.base + "/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert re.findall(r'(?:src|href)="(https?:)?//', r.text) == []
    assert "entities-by-type" in r.text and "按类型列出实体及其别名" in r.text
    for asset in ("static/yasgui/yasgui.min.js", "static/yasgui/yasgui.min.css", "static/query.js",
                  "static/yasgui/LICENSE.txt"):
        assert httpx.get(f"{server.base}/{asset}").status_code == 200, asset
    js = httpx.get(server.base + "/static/query.js").text
    assert 'autocompleters: ["prefixes", "variables"]' in js  # no remote vocabulary look-ups


def test_query_page_escapes_stored_query_text():
    from kg.serve.app import _query_page

    html = _query_page("sparql")
    script = html.split('id="stored-queries">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script


def test_explorer_pages_are_served_when_given(tmp_path):
    pages = tmp_path / "viz"
    pages.mkdir()
    (pages / "index.html").write_text("<!DOCTYPE html><title>图谱</title>", encoding="utf-8")
    with running_server("--pages", str(pages)) as s:
        r = httpx.get(s.base + "/explorer/")
        assert r.status_code == 200 and "图谱" in r.text


# ---------------------------------------------------------------- process life


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_server_exits_cleanly_on_signal(sig):
    s = start_server("--workers", "2")
    assert httpx.get(s.endpoint, params={"query": "ASK {}"}).status_code == 200
    assert s.stop(sig) == 0
    _, err = s.proc.communicate()
    assert b"Traceback" not in err, err.decode()


def test_server_exits_cleanly_during_a_slow_query():
    s = start_server("--timeout", "60")
    t = threading.Thread(target=lambda: httpx.get(s.endpoint, params={"query": CROSS_JOIN},
                                                  timeout=90))
    t.start()
    time.sleep(0.5)
    assert s.stop(signal.SIGTERM) == 0
    t.join(30)


def test_bad_graph_file_exits_with_code_2(tmp_path):
    import subprocess

    from .helpers import KG

    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix : <urn:x> . :a :b", encoding="utf-8")
    p = subprocess.run([KG, "serve", str(bad), "--port", "1"], capture_output=True, timeout=60)
    assert p.returncode == 2 and b"kg: error" in p.stderr


# ---------------------------------------------------------------- result cache


def test_repeated_query_is_answered_from_the_cache_and_updates_empty_it():
    q = "SELECT ?o WHERE { <urn:x:a> <urn:x:b> ?o }"
    with running_server("--allow-update") as s:
        first = httpx.get(s.endpoint, params={"query": q})
        again = httpx.get(s.endpoint, params={"query": q})
        assert first.content == again.content and first.json()["results"]["bindings"] == []
        assert httpx.get(s.base + "/health").json()["cache"]["hits"] == 1
        ins = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 'new' } }"
        assert httpx.post(s.endpoint, data={"update": ins}).status_code == 204
        after = httpx.get(s.endpoint, params={"query": q}).json()["results"]["bindings"]
        assert [b["o"]["value"] for b in after] == ["new"]


def test_volatile_queries_are_not_cached(server):
    q = "SELECT (STRUUID() AS ?u) WHERE {}"
    a = httpx.get(server.endpoint, params={"query": q}).json()["results"]["bindings"][0]["u"]["value"]
    b = httpx.get(server.endpoint, params={"query": q}).json()["results"]["bindings"][0]["u"]["value"]
    assert a != b


def test_cache_can_be_turned_off():
    with running_server("--cache-mb", "0") as s:
        for _ in range(2):
            httpx.get(s.endpoint, params={"query": "ASK {}"})
        assert httpx.get(s.base + "/health").json()["cache"] == {"entries": 0, "hits": 0}


# ---------------------------------------------------------------- an Oxigraph store on disk


def test_serves_an_oxigraph_store_read_only(tmp_path):
    import gc

    import pyoxigraph as ox

    loc = tmp_path / "store"
    st = ox.Store(str(loc))
    st.load(path=str(GRAPH), format=ox.RdfFormat.TRIG)
    st.flush()
    del st
    gc.collect()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with running_server(graph=f"oxigraph:{loc}") as s:
        r = httpx.get(s.endpoint, params={"query": count})
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "39"
        assert_error_shape(httpx.post(s.endpoint, data={"update": "CLEAR ALL"}), 403)
    with running_server("--allow-update", graph=f"oxigraph:{loc}") as s:
        assert httpx.post(s.endpoint, data={"update": "CLEAR ALL"}).status_code == 204
        r = httpx.get(s.endpoint, params={"query": count})
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "0"
    # updates live in the workers' memory: the store on disk is unchanged
    assert len(ox.Store.read_only(str(loc))) == 39


def test_updates_to_a_built_store_are_seen_through_its_materialised_union(tmp_path):
    import gc

    import pyoxigraph as ox

    from kg.store_oxigraph import is_union_materialized, materialize_union

    loc = tmp_path / "store"
    st = ox.Store(str(loc))
    st.load(path=str(GRAPH), format=ox.RdfFormat.TRIG)
    materialize_union(st)
    assert is_union_materialized(st)
    st.flush()
    del st
    gc.collect()
    ask = "ASK { <urn:x:a> <urn:x:b> 'c' }"
    with running_server("--allow-update", "--cache-mb", "0", graph=f"oxigraph:{loc}") as s:
        assert httpx.get(s.endpoint, params={"query": ask}).json()["boolean"] is False
        ins = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 'c' } }"
        assert httpx.post(s.endpoint, data={"update": ins}).status_code == 204
        assert httpx.get(s.endpoint, params={"query": ask}).json()["boolean"] is True
        # the documents' triples are still answered once each, from the union view
        r = httpx.get(s.endpoint, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "40"
