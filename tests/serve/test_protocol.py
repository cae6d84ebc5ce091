"""SPARQL 1.1 Protocol on a live ``kg serve``: the 14 negative cases of the W3C protocol test
suite (https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/), the positive ways
to send a query, dataset parameters, content negotiation and the service description.
"""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from kg.serve.protocol import ProtocolError, negotiate, parse_operation

from .helpers import assert_error_shape, running_server

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT_Q = {"Content-Type": "application/sparql-query"}
DIRECT_U = {"Content-Type": "application/sparql-update"}
USING_CONFLICT = ("PREFIX dc: <http://purl.org/dc/elements/1.1/> "
                  "WITH <urn:g1> DELETE { ?b dc:title ?t } INSERT { ?b dc:title 'x' } "
                  "USING <urn:g2> WHERE { ?b dc:title ?t }")

# name → (method, URL query params, headers, body); every case must answer 4xx.
NEGATIVE = {
    "bad_query_method": ("PUT", {"query": "ASK {}"}, {}, b""),
    "bad_multiple_queries": ("GET", [("query", "ASK {}"), ("query", "SELECT * {}")], {}, b""),
    "bad_query_wrong_media_type": ("POST", {}, {"Content-Type": "text/plain"}, b"ASK {}"),
    "bad_query_missing_form_type": ("POST", {}, {}, b"query=ASK%20%7B%7D"),
    "bad_query_missing_direct_type": ("POST", {}, {}, b"ASK {}"),
    "bad_query_non_utf8": ("POST", {}, {"Content-Type": "application/sparql-query; charset=UTF-16"},
                           "ASK {}".encode("utf-16")),
    "bad_query_syntax": ("GET", {"query": "ASK {XXX"}, {}, b""),
    "bad_update_get": ("GET", {"update": "CLEAR ALL"}, {}, b""),
    "bad_multiple_updates": ("POST", {}, FORM, b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT"),
    "bad_update_wrong_media_type": ("POST", {}, {"Content-Type": "text/plain"}, b"CLEAR NAMED"),
    "bad_update_missing_form_type": ("POST", {}, {}, b"update=CLEAR%20NAMED"),
    "bad_update_non_utf8": ("POST", {}, {"Content-Type": "application/sparql-update; charset=UTF-16"},
                            "CLEAR NAMED".encode("utf-16")),
    "bad_update_syntax": ("POST", {}, FORM, b"update=CLEAR%20XYZ"),
    "bad_update_dataset_conflict": ("POST", {"using-named-graph-uri": "urn:g3"}, DIRECT_U,
                                    USING_CONFLICT.encode()),
}

# The statuses we answer with updates allowed (read-only, updates may also get 403).
EXPECTED = {
    "bad_query_method": 405, "bad_multiple_queries": 400, "bad_query_wrong_media_type": 415,
    "bad_query_missing_form_type": 400, "bad_query_missing_direct_type": 400,
    "bad_query_non_utf8": 415, "bad_query_syntax": 400, "bad_update_get": 405,
    "bad_multiple_updates": 400, "bad_update_wrong_media_type": 415,
    "bad_update_missing_form_type": 400, "bad_update_non_utf8": 415, "bad_update_syntax": 400,
    "bad_update_dataset_conflict": 400,
}


@pytest.fixture(scope="module")
def server():
    with running_server() as s:
        yield s


@pytest.fixture(scope="module")
def rw_server():
    with running_server("--allow-update") as s:
        yield s


def _send(server, case):
    method, params, headers, body = NEGATIVE[case]
    return httpx.request(method, server.endpoint, params=params, headers=headers, content=body,
                         timeout=30)


def test_the_suite_has_fourteen_negative_cases():
    assert len(NEGATIVE) == 14 == len(EXPECTED)


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_negative_case_read_only(server, case):
    assert_error_shape(_send(server, case), (EXPECTED[case], 403))


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_negative_case_with_updates_allowed(rw_server, case):
    assert_error_shape(_send(rw_server, case), EXPECTED[case])


def test_non_utf8_bytes_without_charset_are_refused(server):
    r = httpx.post(server.endpoint, headers=DIRECT_Q, content="ASK { ?s ?p '云' }".encode("gb18030"))
    assert assert_error_shape(r, 400)["code"] == "not_utf8"


def _count(resp) -> int:
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_three_ways_to_send_a_query_agree(server):
    get = httpx.get(server.endpoint, params={"query": COUNT})
    form = httpx.post(server.endpoint, data={"query": COUNT})
    direct = httpx.post(server.endpoint, headers=DIRECT_Q, content=COUNT.encode())
    assert _count(get) == _count(form) == _count(direct) == 39  # all triples of graph.trig


def test_default_graph_is_the_union_and_dataset_parameters_narrow_it(server):
    doc = "https://w3id.org/chainkg/doc/bbbb0001"
    ents = "https://w3id.org/chainkg/graph/entities"
    only_doc = httpx.get(server.endpoint, params={"query": COUNT, "default-graph-uri": doc})
    both = httpx.get(server.endpoint, params=[("query", COUNT), ("default-graph-uri", doc),
                                              ("default-graph-uri", ents)])
    assert _count(only_doc) == 16 and _count(both) == 36
    named = httpx.get(server.endpoint, params={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": ents})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [ents]
    # only named graphs given: the default graph is empty (SPARQL 1.1 Protocol §2.1.4)
    assert _count(httpx.get(server.endpoint, params={"query": COUNT, "named-graph-uri": ents})) == 0


SELECT_NAMES = ("PREFIX kg: <https://w3id.org/chainkg/ontology#> "
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                "SELECT ?c ?name WHERE { ?c a kg:Company ; skos:prefLabel ?name } ORDER BY ?c")


@pytest.mark.parametrize("accept,media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html;q=0.9, text/csv", "text/csv"),
    (None, "application/sparql-results+json"),
])
def test_select_content_negotiation(server, accept, media):
    headers = {"Accept": accept} if accept else {}
    r = httpx.get(server.endpoint, params={"query": SELECT_NAMES}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["c", "name"] and rows[1][1] == "和兴精密制造有限公司"
    if media == "text/tab-separated-values":
        assert r.text.splitlines()[1].endswith('"和兴精密制造有限公司"@zh')


CONSTRUCT = ("PREFIX kg: <https://w3id.org/chainkg/ontology#> "
             "CONSTRUCT { ?p kg:locatedIn ?z } WHERE { ?p a kg:Project ; kg:locatedIn ?z }")


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/n-triples", "nt"), ("*/*", "turtle")])
def test_construct_content_negotiation(server, accept, fmt):
    from rdflib import Graph

    r = httpx.get(server.endpoint, params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    g = Graph().parse(data=r.text, format=fmt)
    assert len(g) == 2


def test_unacceptable_format_is_406(server):
    r = httpx.get(server.endpoint, params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert_error_shape(r, 406)
    r = httpx.get(server.endpoint, params={"query": CONSTRUCT},
                  headers={"Accept": "application/sparql-results+json"})
    assert_error_shape(r, 406)


def test_service_description_at_the_endpoint(server):
    from rdflib import Graph, URIRef

    r = httpx.get(server.endpoint, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    svc = URIRef(server.endpoint)
    assert (svc, URIRef(sd + "endpoint"), svc) in g
    langs = set(g.objects(svc, URIRef(sd + "supportedLanguage")))
    assert langs == {URIRef(sd + "SPARQL11Query")}  # read-only: no SPARQL11Update


def test_body_size_limit(server):
    big = "ASK { FILTER(" + " || ".join(["true"] * 300_000) + ") }"
    assert_error_shape(httpx.post(server.endpoint, headers=DIRECT_Q, content=big.encode()), 413)


# ---------------------------------------------------------------- parse_operation, no server


def test_parse_operation_reads_dataset_and_using_parameters():
    op = parse_operation("GET", b"query=ASK%7B%7D&default-graph-uri=urn%3Aa&named-graph-uri=urn%3Ab",
                         None, b"")
    assert (op.kind, op.text, op.default_graphs, op.named_graphs) == ("query", "ASK{}", ("urn:a",), ("urn:b",))
    op = parse_operation("POST", b"using-graph-uri=urn%3Ag", "application/sparql-update", b"CLEAR ALL")
    assert (op.kind, op.default_graphs) == ("update", ("urn:g",))
    assert parse_operation("GET", b"", None, b"").kind == "description"


def test_parse_operation_refuses_query_and_update_together():
    with pytest.raises(ProtocolError) as e:
        parse_operation("POST", b"", "application/x-www-form-urlencoded",
                        b"query=ASK%7B%7D&update=CLEAR%20ALL")
    assert e.value.status == 400


def test_negotiate_honours_q_values():
    assert negotiate("text/csv;q=0.1, application/sparql-results+xml;q=0.9", "SELECT") == "xml"
    assert negotiate("application/sparql-results+json;q=0, text/csv", "ASK") == "csv"
    assert negotiate("application/json", "GRAPH") == "json-ld"


def test_error_json_is_parseable_everywhere(server):
    r = httpx.get(server.base + "/nope")
    assert_error_shape(r, 404)
    assert json.loads(r.text)["error"]["code"] == "http_error"
