"""kg.query and the ``kg query`` / ``kg queries`` commands: binding, safety, errors, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

from kg.errors import QueryError, UnsafeInputError
from kg.query import bind_values, check_query_safety, run_query

DATA = Path(__file__).parent / "data" / "query"


@pytest.fixture(scope="module")
def ds() -> Dataset:
    d = Dataset()
    d.parse(DATA / "fixture.trig", format="trig")
    return d


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory, ds) -> Path:
    p = tmp_path_factory.mktemp("g") / "graph.trig"
    p.write_text(ds.serialize(format="trig"), encoding="utf-8")
    return p


SEL = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
       "SELECT ?e ?l WHERE { ?e skos:prefLabel ?l } ORDER BY ?e")


def test_union_of_named_graphs_is_the_default_graph(ds):
    r = run_query(ds, SEL)
    assert len(r.rows) > 20  # prefLabels live in graph/entities and graph/regions


def test_injection_through_a_param_stays_a_literal(ds):
    evil = '长治" } ?x ?y ?z . { "'
    q = bind_values("SELECT ?e WHERE { ?e ?p ?l }", {"l": [Literal(evil, lang="zh")]})
    r = run_query(ds, q)
    assert r.rows == []
    with pytest.raises(QueryError, match="no entity"):
        run_query(ds, "projects-in-place", {"place": evil})
    with pytest.raises(QueryError, match="not a valid IRI"):
        run_query(ds, "projects-in-place", {"place": "<https://x/> } ?a ?b ?c {"})


def test_entity_param_by_name_alias_or_iri(ds):
    by_name = run_query(ds, "projects-in-place", {"place": "长治高新区"}).rows
    by_alias = run_query(ds, "projects-in-place", {"place": "长治高新技术产业开发区"}).rows
    by_iri = run_query(ds, "projects-in-place", {"place": "id:zone/changzhi-hz"}).rows
    assert by_name == by_alias == by_iri and len(by_name) == 2


def test_param_errors(ds):
    with pytest.raises(QueryError, match="needs --param place"):
        run_query(ds, "projects-in-place")
    with pytest.raises(QueryError, match="has no parameter"):
        run_query(ds, "projects-in-place", {"place": "长治市", "zone": "x"})
    with pytest.raises(QueryError, match="no variable"):
        run_query(ds, SEL, {"nothere": "1"})


def test_adhoc_params_are_typed(ds):
    r = run_query(ds, "SELECT ?q WHERE { ?q <https://schema.org/value> ?v }", {"v": "1141.0"})
    assert len(r.rows) == 1
    r = run_query(ds, SEL, {"e": "id:zone/changzhi-hz"})
    assert [str(x[1]) for x in r.rows] == ["长治高新区"]


def test_malformed_query_reports_line_and_column(ds):
    with pytest.raises(QueryError) as ei:
        run_query(ds, "SELECT ?x WHERE {\n  ?x ?p \n}")
    assert "line 3, column" in str(ei.value)
    assert ei.value.exit_code == 2


def test_unknown_stored_query_lists_known(ds):
    with pytest.raises(QueryError) as ei:
        run_query(ds, "no-such-query")
    assert "projects-in-place" in str(ei.value) and "zone-ranking" in str(ei.value)


@pytest.mark.parametrize("q", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
    "PREFIX ex: <https://example.org/> SELECT * FROM NAMED ex:g WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
])
def test_remote_and_update_refused(ds, q):
    with pytest.raises(UnsafeInputError):
        run_query(ds, q)


def test_allow_remote_and_local_from():
    check_query_safety("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", True)
    check_query_safety("SELECT * FROM <https://w3id.org/chainkg/graph/entities> WHERE { ?s ?p ?o }")
    # keywords inside strings, IRIs and comments are not keywords
    check_query_safety('SELECT * WHERE { ?s ?p "SERVICE <http://x/>" } # SERVICE <http://y/>')


def test_local_from_reads_that_graph_only(ds):
    q = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?e "
         "FROM <https://w3id.org/chainkg/graph/regions> WHERE { ?e skos:prefLabel ?l }")
    assert len(run_query(ds, q).rows) == 4


def test_limit_cuts_and_notes(ds):
    r = run_query(ds, SEL, limit=3)
    assert len(r.rows) == 3 and r.truncated and r.total > 3
    assert "showing 3 of" in r.note()
    assert run_query(ds, SEL).note() is None


def _roundtrip_results(text: str, fmt: str):
    import pyoxigraph as ox

    return list(ox.parse_query_results(text.encode("utf-8"), format=getattr(ox.QueryResultsFormat, fmt)))


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_result_formats_round_trip_through_pyoxigraph(ds, fmt):
    r = run_query(ds, "regional-indicators")
    sols = _roundtrip_results(r.serialize(fmt), fmt.upper())
    assert len(sols) == len(r.rows)
    first = sols[0]
    assert first["value"].value == str(r.rows[0][r.variables.index("value")])
    assert first["text"].language == "zh"


def test_csv_and_ask(ds):
    r = run_query(ds, "zone-ranking")
    lines = r.serialize("csv").splitlines()
    assert lines[0] == "zone,zoneName,projects,totalInvestment" and len(lines) == 4
    ask = run_query(ds, "ASK { ?s a <https://w3id.org/chainkg/ontology#Project> }")
    assert ask.boolean is True
    assert json.loads(ask.serialize("json"))["boolean"] is True
    import pyoxigraph as ox

    parsed = ox.parse_query_results(ask.serialize("xml").encode(), format=ox.QueryResultsFormat.XML)
    assert bool(parsed) is True


@pytest.mark.parametrize("fmt,ox_fmt", [("turtle", "TURTLE"), ("nt", "N_TRIPLES"), ("json-ld", "JSON_LD")])
def test_graph_formats_round_trip(ds, fmt, ox_fmt):
    import pyoxigraph as ox

    r = run_query(ds, "entity-graph", {"entity": "长治高新区"})
    assert r.form == "GRAPH" and len(r.graph) > 5
    text = r.serialize(fmt)
    triples = list(ox.parse(text.encode("utf-8"), format=getattr(ox.RdfFormat, ox_fmt)))
    assert len(triples) == len(r.graph)
    with pytest.raises(QueryError):
        r.serialize("csv")


def test_cli_query_and_queries(graph_file, tmp_path, capsys):
    from kg.cli import main

    assert main(["queries", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    pip = next(q for q in listed if q["name"] == "projects-in-place")
    assert pip["title_zh"] and pip["title_en"] and pip["params"][0]["name"] == "place"

    out = tmp_path / "r.srj"
    assert main(["query", "projects-in-place", "--graph", str(graph_file), "--param", "place=长治市",
                 "--format", "json", "--output", str(out)]) == 0
    assert len(_roundtrip_results(out.read_text(encoding="utf-8"), "JSON")) == 5

    assert main(["query", "zone-ranking", "-g", str(graph_file), "-f", "csv", "--limit", "1"]) == 0
    cap = capsys.readouterr()
    assert len(cap.out.splitlines()) == 2 and "cut by --limit 1" in cap.err

    assert main(["query", "SELECT ?x WHERE { ?x ?p }", "-g", str(graph_file)]) == 2
    assert "line 1, column" in capsys.readouterr().err
    assert main(["query", "nope-query", "-g", str(graph_file)]) == 2
    assert "projects-in-place" in capsys.readouterr().err
    assert main(["query", "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "-g",
                 str(graph_file)]) == 2
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/chainkg/ontology#Project> }")
    assert main(["query", str(rq), "-g", str(graph_file), "-f", "tsv"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith('"7"')


def test_cli_query_oxigraph_store(graph_file, tmp_path, capsys):
    import pyoxigraph as ox

    from kg.cli import main

    path = tmp_path / "store"
    st = ox.Store(str(path))
    st.bulk_load(graph_file.read_bytes(), format=ox.RdfFormat.TRIG)
    st.flush()
    del st
    assert main(["query", "zone-ranking", "--store", f"oxigraph:{path}", "-f", "csv"]) == 0
    ox_out = capsys.readouterr().out
    assert main(["query", "zone-ranking", "--graph", str(graph_file), "-f", "csv"]) == 0
    assert capsys.readouterr().out == ox_out


# --------------------------------------------------------------------------- time limit

CROSS_JOIN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_time_limit_gives_the_same_answers_as_no_limit(ds, graph_file):
    for source in (ds, graph_file):
        for q, params in ((SEL, None), ("zone-ranking", None),
                          ("projects-in-place", {"place": "长治市"}),
                          ("ASK { ?s ?p ?o }", None),
                          ("CONSTRUCT { ?e ?p ?l } WHERE { ?e ?p ?l } LIMIT 5", None)):
            a = run_query(source, q, params, limit=3)
            b = run_query(source, q, params, limit=3, timeout=60)
            assert (a.form, a.variables, a.rows, a.boolean, a.total, a.truncated) == \
                   (b.form, b.variables, b.rows, b.boolean, b.total, b.truncated)
            if a.form == "GRAPH":
                assert set(a.graph) == set(b.graph) and len(b.graph) > 0


def test_time_limit_stops_a_cross_join_and_kills_its_process(ds):
    import multiprocessing

    with pytest.raises(QueryError, match="time limit of 0.5 s") as info:
        run_query(ds, CROSS_JOIN, timeout=0.5)
    assert "--timeout" in str(info.value)
    assert multiprocessing.active_children() == []  # the child was killed and reaped


def test_time_limit_on_an_oxigraph_store(graph_file, tmp_path):
    import pyoxigraph as ox

    path = tmp_path / "store"
    st = ox.Store(str(path))
    st.bulk_load(graph_file.read_bytes(), format=ox.RdfFormat.TRIG)
    st.flush()
    assert run_query(st, SEL, timeout=30).rows == run_query(st, SEL).rows  # an open store
    del st
    with pytest.raises(QueryError, match="time limit"):
        run_query(f"oxigraph:{path}", CROSS_JOIN.replace("}", ". ?m ?n ?o }"), timeout=0.5)


def test_a_page_keeps_the_first_rows_and_counts_them_all(ds, graph_file, tmp_path, monkeypatch):
    import pyoxigraph as ox

    import kg.store_oxigraph as so

    path = tmp_path / "store"
    st = ox.Store(str(path))
    st.bulk_load(graph_file.read_bytes(), format=ox.RdfFormat.TRIG)
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    whole = run_query(st, everything)
    assert whole.total > 20
    converted = []
    real = so.to_rdflib
    monkeypatch.setattr(so, "to_rdflib", lambda t: converted.append(t) or real(t))
    for timeout in (None, 30):
        converted.clear()
        r = run_query(st, everything, page=5, timeout=timeout)
        assert r.rows == whole.rows[:5] and r.total == whole.total and not r.truncated
        if timeout is None:  # the rows past the page are counted, not converted
            assert len(converted) <= 15
    # a limit wins over a page; other results are not paged
    r = run_query(st, everything, limit=3, page=5)
    assert len(r.rows) == 3 and r.truncated and r.total == whole.total
    g = run_query(st, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", page=5)
    assert len(g.graph) > 5
    del st


def test_time_limit_keeps_error_types_and_messages(ds):
    with pytest.raises(QueryError, match="no entity is named") as info:
        run_query(ds, "projects-in-place", {"place": "不存在的地方"}, timeout=30)
    assert info.value.hint  # the hint survives the trip from the child
    with pytest.raises(QueryError, match="line 1, column"):  # checked before any child starts
        run_query(ds, "SELECT ?x WHERE { ?x ?p }", timeout=30)
    with pytest.raises(UnsafeInputError):
        run_query(ds, "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", timeout=30)
    for bad in (0, -1, float("nan"), "soon"):
        with pytest.raises(QueryError, match="time limit must be"):
            run_query(ds, SEL, timeout=bad)


def test_cli_timeout_and_table_page(graph_file, capsys, monkeypatch):
    from kg.cli import main
    from kg.cli import query as cli_query

    assert main(["query", CROSS_JOIN, "-g", str(graph_file), "--timeout", "0.5"]) == 2
    assert "time limit of 0.5 s" in capsys.readouterr().err
    assert main(["query", SEL, "-g", str(graph_file), "--timeout", "-1"]) == 2
    capsys.readouterr()

    n = len(run_query(graph_file, SEL).rows)
    monkeypatch.setattr(cli_query, "TABLE_PAGE", 3)
    assert main(["query", SEL, "-g", str(graph_file), "--timeout", "0"]) == 0
    cap = capsys.readouterr()
    assert f"first 3 of {n} rows" in cap.err and "--limit 0" in cap.err
    assert main(["query", SEL, "-g", str(graph_file), "--limit", "0"]) == 0
    cap = capsys.readouterr()
    assert "first 3" not in cap.err and f"{n} rows" in cap.out
    # csv and tsv are not cut by the table page, and stream the same text serialize() gives
    for fmt in ("csv", "tsv"):
        assert main(["query", SEL, "-g", str(graph_file), "-f", fmt]) == 0
        assert capsys.readouterr().out == run_query(graph_file, SEL).serialize(fmt)


# ---------------------------------------------------------------- single values written in


def _ox_store(ds):
    import pyoxigraph as ox

    st = ox.Store()
    st.load(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    return st


def _ox_rows(st, query):
    from kg.store_oxigraph import run_oxigraph

    return sorted(map(str, run_oxigraph(st, query)[2]))


P = ("PREFIX kg: <https://w3id.org/chainkg/ontology#> "
     "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")
ZONE = URIRef("https://w3id.org/chainkg/id/zone/changzhi-hz")


@pytest.mark.parametrize("query", [
    # UNION and OPTIONAL groups, the projection, GROUP BY and ORDER BY use the variable
    P + "SELECT ?place ?x WHERE { { ?x kg:locatedIn ?place } UNION { ?place kg:locatedIn ?x } "
        "OPTIONAL { ?place skos:prefLabel ?l } } ORDER BY ?place ?x",
    P + "SELECT ?place (COUNT(?x) AS ?n) WHERE { ?x kg:locatedIn ?place } GROUP BY ?place",
    # FILTER, EXISTS and an optional parameter's BOUND()
    P + "SELECT ?x WHERE { ?x kg:locatedIn ?y FILTER(!BOUND(?place) || ?y = ?place "
        "|| EXISTS { ?y kg:locatedIn ?place }) }",
    P + "SELECT * WHERE { ?x kg:locatedIn ?place }",
])
def test_single_values_written_in_give_the_rows_of_a_values_block(ds, query):
    from kg.query import inline_bindings

    st = _ox_store(ds)
    inlined, rest = inline_bindings(query, {"place": [ZONE]})
    assert rest == {} and "?place" not in inlined.split("WHERE", 1)[1].rsplit("BIND", 1)[0]
    expected = _ox_rows(st, bind_values(query, {"place": [ZONE]}))
    assert expected and _ox_rows(st, inlined) == expected


@pytest.mark.parametrize("query", [
    # a subquery has its own scope: ?place inside it is another variable unless projected
    P + "SELECT ?x WHERE { ?x kg:locatedIn ?y { SELECT ?place WHERE { ?place a ?t } LIMIT 1 } }",
    # MINUS matches on shared variables only
    P + "SELECT ?x WHERE { ?x kg:locatedIn ?place MINUS { ?place skos:prefLabel ?l } }",
    # bound by the query itself
    P + "SELECT ?x WHERE { ?x kg:locatedIn ?y BIND(?y AS ?place) }",
    P + "SELECT ?x WHERE { ?x kg:locatedIn ?y VALUES ?place { <urn:a> } }",
    # a WHERE clause that is itself a subquery
    P + "SELECT ?x WHERE { SELECT ?x ?place WHERE { ?x kg:locatedIn ?place } }",
])
def test_values_kept_where_writing_in_would_change_the_meaning(query):
    from kg.query import inline_bindings

    assert inline_bindings(query, {"place": [ZONE]}) == (query, {"place": [ZONE]})


def test_several_values_and_literals():
    import pyoxigraph as ox

    from kg.query import inline_bindings

    q = "SELECT ?s ?l WHERE { ?s ?p ?o ; ?q ?l }"
    two = {"o": [ZONE, URIRef("urn:b")]}
    assert inline_bindings(q, two) == (q, two)  # several values: a VALUES block
    evil = Literal('长治" } ?x ?y ?z . { "', lang="zh")
    inlined, rest = inline_bindings("SELECT ?s ?l WHERE { ?s ?p ?l }", {"l": [evil]})
    assert rest == {}
    st = ox.Store()
    s, p = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    st.add(ox.Quad(s, p, ox.Literal(str(evil), language="zh")))
    st.add(ox.Quad(s, p, ox.Literal("长治", language="zh")))
    rows = [(r["s"], r["l"]) for r in st.query(inlined)]
    assert rows == [(s, ox.Literal(str(evil), language="zh"))]  # it stayed one literal


def test_a_literal_where_sparql_takes_none_falls_back_to_values():
    import pyoxigraph as ox

    st = ox.Store()
    st.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o")))
    q = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    assert run_query(st, q, {"p": "<urn:p>"}).rows == [(URIRef("urn:s"), Literal("o"))]
    assert run_query(st, q, {"p": "text"}).rows == []  # a literal predicate matches nothing
