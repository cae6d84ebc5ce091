# ruff: noqa: F811  (pytest fixtures imported from _rel_util and requested by name)
"""Reliability battery, RDF and SPARQL input (issue 11 items 11–14): user-supplied graphs
and queries are refused before they can expand entities, reach the network or run forever;
malformed input gets a message with line and column and exit 2, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import StoreError, UnsafeInputError
from kg.store import load_graph

from ._rel_util import cli, cli_has, no_network, recording_server  # noqa: F401 - fixtures

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

_BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:name>&lol9;</ex:name></rdf:Description>
</rdf:RDF>
"""

_EXTERNAL_ENTITY = f"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:name>&xxe;</ex:name></rdf:Description>
</rdf:RDF>
"""

_GOOD_TTL = """@prefix ex: <http://example.org/> .
ex:a ex:name "长治高新区" .
"""


@pytest.fixture
def parsers_forbidden(monkeypatch):
    """Make every RDF/XML parser entry point fail: a refusal must come before parsing."""
    from xml.parsers import expat

    import pyoxigraph
    import rdflib

    def forbidden(*args, **kwargs):
        raise AssertionError("a parser was called on input that should have been refused")

    monkeypatch.setattr(pyoxigraph, "parse", forbidden)
    monkeypatch.setattr(rdflib.Graph, "parse", forbidden)
    monkeypatch.setattr(rdflib.Dataset, "parse", forbidden)
    monkeypatch.setattr(expat, "ParserCreate", forbidden)


# --- 11. entity declarations ---------------------------------------------------------

@pytest.mark.parametrize("name,data", [
    ("bomb.rdf", _BILLION_LAUGHS.encode()),
    ("bomb.owl", _BILLION_LAUGHS.encode()),
    ("bomb.xml", _BILLION_LAUGHS.encode()),
    ("xxe.rdf", _EXTERNAL_ENTITY.encode()),
    ("disguised.ttl", _BILLION_LAUGHS.encode()),  # XML under a Turtle name
    ("utf16.rdf", b"\xff\xfe" + _BILLION_LAUGHS.encode("utf-16-le")),
    ("bom-less-utf16.rdf", _BILLION_LAUGHS.encode("utf-16-le")),
    ("lowercase.rdf", _BILLION_LAUGHS.replace("<!DOCTYPE", "<!doctype").encode()),
    ("late.rdf", (_BILLION_LAUGHS.replace("<!DOCTYPE", "<!-- " + "x" * 70000 + " -->\n<!DOCTYPE"))
     .encode()),
])
def test_entity_declarations_are_refused_before_parsing(tmp_path, parsers_forbidden, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(UnsafeInputError, match="DOCTYPE or ENTITY"):
        load_graph(p)


def test_kg_validate_refuses_an_entity_bomb_with_exit_2(tmp_path, capsys):
    p = tmp_path / "bomb.rdf"
    p.write_text(_BILLION_LAUGHS, encoding="utf-8")
    rc, _out, err = cli(capsys, "validate", p)
    assert rc == 2
    assert "bomb.rdf" in err and "DOCTYPE" in err


def test_doctype_inside_a_turtle_literal_is_not_a_false_alarm(tmp_path):
    p = tmp_path / "page.ttl"
    p.write_text('@prefix ex: <http://example.org/> .\n'
                 'ex:a ex:text "<!DOCTYPE html><html>网页原文</html>" .\n', encoding="utf-8")
    ds = load_graph(p)
    assert any("<!DOCTYPE html>" in str(o) for _s, _p, o, _g in ds.quads())


def test_kg_query_graph_refuses_an_entity_bomb(tmp_path, capsys):
    pytest.importorskip("kg.query")
    from kg.query import run_query

    p = tmp_path / "bomb.rdf"
    p.write_text(_BILLION_LAUGHS, encoding="utf-8")
    with pytest.raises(UnsafeInputError):
        run_query(str(p), "SELECT * WHERE { ?s ?p ?o }")
    if not cli_has("query"):
        pytest.skip("kg query is not registered on the command line yet")
    rc, _out, err = cli(capsys, "query", "SELECT * WHERE { ?s ?p ?o }", "--graph", p)
    assert rc == 2 and "DOCTYPE" in err


# --- 12. no network access -----------------------------------------------------------

def _jsonld(ctx) -> str:
    return json.dumps({"@context": ctx, "@id": "http://example.org/a", "name": "长治高新区"},
                      ensure_ascii=False)


@pytest.mark.parametrize("shape", ["string", "list", "scoped", "import", "nested-node"])
def test_jsonld_remote_context_is_refused_without_any_connection(
        tmp_path, no_network, recording_server, shape):
    base, hits = recording_server
    url = f"{base}/context.jsonld"
    doc = {
        "string": _jsonld(url),
        "list": _jsonld([{"ex": "http://example.org/"}, url]),
        "scoped": _jsonld({"name": {"@id": "http://example.org/name", "@context": url}}),
        "import": _jsonld({"@import": url, "name": "http://example.org/name"}),
        "nested-node": json.dumps({"@context": {"ex": "http://example.org/"}, "@id": "ex:a",
                                   "ex:knows": {"@context": url, "@id": "ex:b"}}),
    }[shape]
    p = tmp_path / "remote.jsonld"
    p.write_text(doc, encoding="utf-8")
    with pytest.raises(UnsafeInputError, match="remote JSON-LD|@import"):
        load_graph(p)
    assert hits == []


def test_jsonld_with_inline_context_loads_without_network(tmp_path, no_network, recording_server):
    base, hits = recording_server
    p = tmp_path / "inline.jsonld"
    p.write_text(_jsonld({"@base": f"{base}/", "name": "http://example.org/name"}), encoding="utf-8")
    ds = load_graph(p)
    assert any(str(o) == "长治高新区" for _s, _p, o, _g in ds.quads())
    assert hits == []


@pytest.mark.parametrize("name,text", [
    ("base.ttl", "@base <{base}/> .\n<a> <b> <c> .\n<x> <{base}/y> \"长治\" .\n"),
    ("sparql-base.ttl", "BASE <{base}/>\nPREFIX ex: <{base}/ns#>\n<a> ex:p ex:o .\n"),
    ("imports.ttl", "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                    "<{base}/onto> owl:imports <{base}/other.ttl> .\n"),
    ("base.trig", "@base <{base}/> .\n<g> {{ <a> <b> <c> . }}\n"),
    ("base.rdf", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="' + RDF_NS + '" xml:base="{base}/" '
                 'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="a">'
                 '<ex:p rdf:resource="b"/></rdf:Description>\n</rdf:RDF>\n'),
])
def test_remote_base_tricks_never_fetch(tmp_path, no_network, recording_server, name, text):
    base, hits = recording_server
    p = tmp_path / name
    p.write_text(text.format(base=base), encoding="utf-8")
    ds = load_graph(p)
    assert len(ds) > 0 or sum(1 for _ in ds.quads()) > 0
    assert hits == []


def test_kg_validate_makes_no_connection(tmp_path, capsys, no_network, recording_server):
    base, hits = recording_server
    p = tmp_path / "g.ttl"
    p.write_text(f"@base <{base}/> .\n<a> <b> <c> .\n", encoding="utf-8")
    rc, _out, err = cli(capsys, "validate", p)
    assert rc in (0, 1), err
    assert hits == []


# --- 13. malformed RDF ---------------------------------------------------------------

_MALFORMED = {
    "bad.ttl": ('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', 3),
    "bad.trig": ("<http://example.org/g> {\n  <http://example.org/a> <http://example.org/b> .\n}\n",
                 2),
    "bad.nq": ("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
               "<http://example.org/a> <http://example.org/b> \"x\"@ .\n", 2),
    "bad.nt": ("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n\n"
               "<http://example.org/a> <b> <c> .\n", 3),
    "bad.jsonld": ('{\n  "@id": "http://example.org/a",\n  "http://example.org/b": \n}\n', 4),
    "bad.rdf": (f'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://ex/">\n'
                '<rdf:Description rdf:about="http://ex/a"><ex:b>x</ex:c>\n</rdf:RDF>\n', 3),
}


@pytest.mark.parametrize("name", sorted(_MALFORMED))
def test_malformed_rdf_gives_line_and_column_exit_2_and_writes_nothing(tmp_path, capsys, name):
    text, line = _MALFORMED[name]
    folder = tmp_path / "work"
    folder.mkdir()
    p = folder / name
    p.write_text(text, encoding="utf-8")
    before = sorted(x.name for x in folder.iterdir())
    with pytest.raises(StoreError) as info:
        load_graph(p)
    msg = str(info.value)
    assert f"line {line}" in msg, msg
    assert "column" in msg, msg
    rc, out, err = cli(capsys, "validate", p)
    assert rc == 2
    assert name in err and f"line {line}" in err
    assert "conforms" not in out
    assert sorted(x.name for x in folder.iterdir()) == before


def test_malformed_graph_file_does_not_touch_an_existing_store(tmp_path, capsys):
    pytest.importorskip("kg.query")
    p = tmp_path / "bad.ttl"
    p.write_text(_MALFORMED["bad.ttl"][0], encoding="utf-8")
    if not cli_has("query"):
        pytest.skip("kg query is not registered on the command line yet")
    rc, _out, err = cli(capsys, "query", "SELECT * WHERE { ?s ?p ?o }", "--graph", p)
    assert rc == 2 and "line 3" in err
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bad.ttl"]


# --- 14. SPARQL safety ---------------------------------------------------------------

@pytest.fixture
def small_graph(tmp_path) -> Path:
    p = tmp_path / "g.ttl"
    lines = ["@prefix ex: <http://example.org/> ."]
    for i in range(60):
        lines.append(f"ex:n{i} ex:next ex:n{i + 1} ; ex:label \"节点{i}\" .")
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{base}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SERVICE SILENT <{base}/sparql> { ?s ?q ?r } }",
    "PREFIX r: <{base}/> SELECT * WHERE { SERVICE r:sparql { ?s ?p ?o } }",
    "LOAD <{base}/data.ttl>",
    "LOAD SILENT <{base}/data.ttl> INTO GRAPH <urn:x>",
    "SELECT * FROM <{base}/data.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <{base}/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX r: <{base}/> SELECT * FROM r:data WHERE { ?s ?p ?o }",
    "select * where { service <{base}/sparql> { ?s ?p ?o } }",
])
def test_remote_sparql_is_refused(small_graph, no_network, recording_server, query):
    kq = pytest.importorskip("kg.query")
    base, hits = recording_server
    with pytest.raises(UnsafeInputError):
        kq.run_query(str(small_graph), query.replace("{base}", base))
    assert hits == []


class MissingTimeLimit(AssertionError):
    """kg.query.run_query does not take a time limit yet."""


def _time_limit_kwarg(run_query) -> str:
    import inspect

    params = inspect.signature(run_query).parameters
    for name in ("timeout", "time_limit", "timeout_s", "max_seconds"):
        if name in params:
            return name
    raise MissingTimeLimit("kg.query.run_query has no time-limit parameter "
                         f"(parameters: {list(params)})")


# Runs for real as soon as run_query takes a time limit; until then it is an expected
# failure for exactly that reason (any other failure still fails).
@pytest.mark.parametrize("query", [
    # cross join of everything with everything, five times over
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }",
    # unbounded property paths from every node
    "SELECT * WHERE { ?s (<http://example.org/next>|^<http://example.org/next>)* ?o . "
    "?o (<http://example.org/next>|^<http://example.org/next>)* ?x . ?x ?p ?y }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?s2 ?p2 ?o2 . ?s3 (!<urn:x>)* ?o3 . ?o3 ?q ?r }",
])
def test_pathological_query_is_stopped_by_the_time_limit(small_graph, query):
    import time

    kq = pytest.importorskip("kg.query")
    from kg.errors import QueryError

    kwarg = _time_limit_kwarg(kq.run_query)
    started = time.monotonic()
    with pytest.raises(QueryError, match="(?i)time"):
        kq.run_query(str(small_graph), query, **{kwarg: 1.0})
    # Not a timing assertion on speed: only that the limit, not the query, ended it.
    assert time.monotonic() - started < 60
