"""Every stored query parses, runs on rdflib and on Oxigraph with identical rows, and gives the
expected rows on the hand-written fixture; the seed build is checked where extraction allows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

from kg.derive import ensure_derived
from kg.query import list_stored_queries, run_query
from kg.store_oxigraph import materialize_union

DATA = Path(__file__).parent / "data" / "query"
ROOT = Path(__file__).resolve().parent.parent

#: Parameters used to run each stored query on the fixture (every query must appear here).
#: The stored queries of issue 4 (other stored queries are checked for equal rows only).
MINE = {"projects-in-place", "investment-by-chain", "investment-by-zone", "investment-by-region",
        "chain-links-in-region", "projects-by-stage", "stage-counts", "three-unfinished",
        "product-chain", "provenance", "entities-by-type", "zone-ranking", "chain-leaders",
        "group-companies", "entity-facts", "entity-graph", "conflicting-quantities",
        "regional-indicators", "projects-by-chain", "chain-gaps", "investor-ranking"}

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


def _example_params(name: str) -> dict[str, list[str]]:
    """The parameters of the first ``# example:`` line of a stored query."""
    import shlex

    from kg.query import load_stored_query

    q = load_stored_query(name)
    params: dict[str, list[str]] = {}
    words = shlex.split(q.examples[0]) if q.examples else []
    for i, w in enumerate(words[:-1]):
        if w in ("--param", "-p"):
            k, _, v = words[i + 1].partition("=")
            params.setdefault(k, []).append(v)
    return params


def _params(name: str, table: dict) -> dict:
    return table[name] if name in table else _example_params(name)


def _fixture_dataset() -> Dataset:
    from kg.mapping import load_chains, load_ontology

    ds = Dataset()
    ds.parse(DATA / "fixture.trig", format="trig")
    for g in (load_ontology(), load_chains()):
        ctx = ds.graph(g.identifier)
        for t in g:
            ctx.add(t)
    from kg.checks import add_conflicts

    add_conflicts(ds)  # as kg build does: conflicting figures are found in the analysis graph
    ensure_derived(ds)  # as kg build does: the derived graph is part of every store it writes
    return ds


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    import pyoxigraph as ox

    ds = _fixture_dataset()
    path = tmp_path_factory.mktemp("ox") / "store"
    st = ox.Store(str(path))
    st.bulk_load(ds.serialize(format="trig").encode("utf-8"), format=ox.RdfFormat.TRIG)
    materialize_union(st)  # as kg build --store does: queries read the default graph
    st.flush()
    del st
    return ds, f"oxigraph:{path}"


@pytest.fixture(scope="module")
def union_view_store(tmp_path_factory):
    """The fixture in a store WITHOUT a materialised union (Oxigraph's union view)."""
    import pyoxigraph as ox

    ds = _fixture_dataset()
    path = tmp_path_factory.mktemp("oxu") / "store"
    st = ox.Store(str(path))
    st.bulk_load(ds.serialize(format="trig").encode("utf-8"), format=ox.RdfFormat.TRIG)
    st.flush()
    del st
    return f"oxigraph:{path}"


def test_materialize_union_copies_each_triple_once_and_marks_the_store(tmp_path):
    import pyoxigraph as ox

    from kg.store_oxigraph import is_union_materialized, unmark_union

    st = ox.Store(str(tmp_path / "s"))
    a, b, c = (ox.NamedNode(f"https://w3id.org/chainkg/id/x/{i}") for i in "abc")
    g1, g2 = (ox.NamedNode(f"https://w3id.org/chainkg/doc/{i}") for i in "12")
    st.extend([ox.Quad(a, b, c, g1), ox.Quad(a, b, c, g2), ox.Quad(b, b, c, g2),
               ox.Quad(c, c, c)])  # a stale default-graph triple: replaced, not kept
    assert not is_union_materialized(st)
    assert len(list(st.query("SELECT * { ?s ?p ?o }", use_default_graph_as_union=True))) == 4
    assert materialize_union(st) == 2
    assert is_union_materialized(st)
    assert run_query(st, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s").rows == [
        (URIRef(str(a.value)), URIRef(str(b.value)), URIRef(str(c.value))),
        (URIRef(str(b.value)), URIRef(str(b.value)), URIRef(str(c.value)))]
    # the mark is an empty graph: no pattern sees it
    assert run_query(st, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g").rows == [
        (URIRef(g1.value),), (URIRef(g2.value),)]
    st.remove(ox.Quad(b, b, c, g2))
    unmark_union(st)  # a writer that changed a graph and does not re-materialise
    assert not is_union_materialized(st)
    assert not list(st.quads_for_pattern(None, None, None, ox.DefaultGraph()))  # copy dropped
    assert len(run_query(st, "SELECT * WHERE { ?s ?p ?o }").rows) == 2  # union view: a copy per graph


@pytest.mark.parametrize("name", ["projects-in-place", "zone-ranking", "investment-by-zone",
                                  "chain-links-in-region", "entity-facts", "product-chain"])
def test_union_view_and_materialised_union_give_the_same_rows(stores, union_view_store, name):
    _, spec = stores
    params = _params(name, FIXTURE_PARAMS)
    assert run_query(spec, name, params).rows == run_query(union_view_store, name, params).rows


def _rows(result):
    if result.form == "GRAPH":
        return sorted(map(tuple, result.graph))
    return result.rows


def test_every_stored_query_has_a_header_and_fixture_params():
    names = {q.name for q in list_stored_queries()}
    assert len(names) >= 14
    for q in list_stored_queries():
        assert q.title_zh and q.title_en and q.description, q.name
        required = {p.name for p in q.params if p.required}
        assert required <= set(_params(q.name, FIXTURE_PARAMS)), q.name
        if q.params and q.name in MINE:
            assert q.examples and q.examples[0].startswith(f"kg query {q.name}"), q.name


@pytest.mark.parametrize("name", [q.name for q in list_stored_queries()])
def test_stored_query_same_rows_on_both_stores(stores, name):
    ds, spec = stores
    from kg.errors import QueryError

    params = _params(name, FIXTURE_PARAMS)
    try:
        a = run_query(ds, name, params)
    except QueryError as exc:
        if name not in MINE and "no entity is named" in str(exc):
            pytest.skip(f"example values of {name} are not in this fixture: {exc}")
        raise
    b = run_query(spec, name, params)
    assert a.form == b.form
    if a.form == "GRAPH":
        from rdflib.compare import isomorphic

        assert isomorphic(a.graph, b.graph)
        assert len(a.graph) > 0
    else:
        assert a.variables == b.variables
        assert a.rows == b.rows
        if name in MINE:
            assert a.rows, f"{name} gives no row on the fixture"


def _py(ds, name, params=None):
    return run_query(ds, name, params).as_python()


def test_projects_in_place_region_includes_zones_and_subregions(stores):
    ds, _ = stores
    rows = _py(ds, "projects-in-place", {"place": "长治市"})
    names = [r["projectName"] for r in rows]
    # 长治市 ⊃ 长治高新区 (p1, p3) and 潞城区 ⊃ 潞城经济开发区 (p2, p5) and p6 (directly in 潞城区)
    assert names == ["MLED新型显示面板生产项目", "磷酸锰铁锂正极材料项目", "锂电石墨负极材料产业化项目",
                     "碳基新材料循环经济项目", "表面处理产业园区建设项目"]
    p1 = rows[1]
    assert p1["investorName"] == "山西特瓦时能源科技股份有限公司"
    assert p1["investment"] == Decimal("2000000000") and p1["capacity"] == Decimal("100000")
    assert p1["capacityUnit"] == "t" and p1["stage"] == "在建" and p1["locatedIn"] == "长治高新区"
    # the largest of two disagreeing amounts
    assert rows[2]["investment"] == Decimal("1500000000")
    zone = _py(ds, "projects-in-place", {"place": "潞城开发区"})  # an alias
    assert {r["projectName"] for r in zone} == {"锂电石墨负极材料产业化项目", "表面处理产业园区建设项目"}


def test_investment_aggregates(stores):
    ds, _ = stores
    chain = {r["chainName"]: r for r in _py(ds, "investment-by-chain")}
    lb = chain["锂电池产业链"]
    assert (lb["projects"], lb["totalInvestment"], lb["averageInvestment"]) == (
        4, Decimal("4400000000"), Decimal("1100000000"))
    region = {r["regionName"]: r for r in _py(ds, "investment-by-region")}
    assert region["山西省"]["projects"] == 6
    assert region["长治市"]["totalInvestment"] == Decimal("8800000000")
    assert region["晋中市"]["level"] == "city"
    zone = [r["zoneName"] for r in _py(ds, "investment-by-zone")]
    assert zone == ["长治高新区", "潞城经济开发区", "晋中开发区"]


def test_zone_ranking_by_param(stores):
    ds, _ = stores
    by_inv = [r["zoneName"] for r in _py(ds, "zone-ranking")]
    assert by_inv == ["长治高新区", "潞城经济开发区", "晋中开发区"]
    rows = _py(ds, "zone-ranking", {"by": "projects"})
    assert [r["projects"] for r in rows] == [2, 2, 2]


def test_stages_and_three_unfinished(stores):
    ds, _ = stores
    stage = {r["projectName"]: (r["poolName"], r["stageName"]) for r in _py(ds, "projects-by-stage")}
    assert stage["锂矿选矿项目"] == ("投产达产项目库", "达产")
    assert stage["表面处理产业园区建设项目"] == ("谋划项目库", "谋划")
    assert stage["磷酸锰铁锂正极材料项目"][0] == "建设项目库"
    three = {r["projectName"]: r["category"] for r in _py(ds, "three-unfinished")}
    assert three == {"表面处理产业园区建设项目": "签约未开工", "锂电池电芯项目": "签约未开工",
                     "碳基新材料循环经济项目": "签约未开工", "磷酸锰铁锂正极材料项目": "开工未投产",
                     "锂电石墨负极材料产业化项目": "开工未投产", "MLED新型显示面板生产项目": "投产未达产"}
    local = {r["projectName"] for r in _py(ds, "three-unfinished", {"place": "晋中市"})}
    assert local == {"锂电池电芯项目"}


def test_chain_links_products_and_gaps(stores):
    ds, _ = stores
    rows = _py(ds, "chain-links-in-region", {"chain": "锂电池产业链", "region": "长治市"})
    assert {(r["linkName"], r["actorName"]) for r in rows} == {
        ("正极材料", "山西特瓦时能源科技股份有限公司"), ("正极材料", "磷酸锰铁锂正极材料项目"),
        ("负极材料", "山西瑞新新材料科技有限公司"), ("负极材料", "锂电石墨负极材料产业化项目")}
    gaps = {r["linkName"] for r in _py(ds, "chain-gaps", {"chain": "锂电池产业链", "region": "长治市"})}
    assert "正极材料" not in gaps and "电芯与电池" in gaps
    pc = _py(ds, "product-chain", {"product": "磷酸锰铁锂"})
    graph_up = {r["otherName"] for r in pc if r["direction"].startswith("上游") and r["source"] == "图谱"}
    graph_down = {r["otherName"] for r in pc if r["direction"].startswith("下游") and r["source"] == "图谱"}
    assert graph_up == {"锂矿"} and graph_down == {"锂电池电芯"}
    assert any(r["source"] == "词表" and r["otherName"] == "碳酸锂" for r in pc)


def test_provenance_leaders_groups_conflicts_indicators(stores):
    ds, _ = stores
    prov = _py(ds, "provenance", {"subject": "磷酸锰铁锂正极材料项目",
                                  "predicate": "kg:locatedIn"})
    assert len(prov) == 1 and "长治高新区" in prov[0]["text"] and prov[0]["start"] == 47
    leaders = {(r["companyName"], r["chainName"]) for r in _py(ds, "chain-leaders")}
    assert leaders == {("高科华烁电子集团", "新型显示产业链"), ("山西龙星碳基新材料公司", None)}
    group = {(r["companyName"], r["projectName"]) for r in _py(ds, "group-companies", {"group": "特瓦时集团"})}
    assert ("特瓦时新材料有限公司", "锂电池电芯项目") in group
    assert ("山西特瓦时能源科技股份有限公司", "锂矿选矿项目") in group
    conf = _py(ds, "conflicting-quantities")
    assert [(r["subjectName"], r["value"], r["values"]) for r in conf] == [
        ("锂电石墨负极材料产业化项目", Decimal("1500000000"), 2),
        ("锂电石墨负极材料产业化项目", Decimal("1200000000"), 2)]
    assert len({r["document"] for r in conf}) == 2
    ind = {(r["kind"], r["value"], r["period"]) for r in _py(ds, "regional-indicators", {"place": "山西省"})}
    assert ind == {("count", Decimal("1141"), "截至目前"), ("ratio", Decimal("90.9"), "截至目前")}


def test_entities_and_entity_views(stores):
    ds, _ = stores
    zones = {r["name"]: r["aliases"] for r in _py(ds, "entities-by-type", {"type": "kg:DevelopmentZone"})}
    assert zones == {"长治高新区": "长治高新技术产业开发区", "潞城经济开发区": "潞城开发区", "晋中开发区": ""}
    facts = _py(ds, "entity-facts", {"entity": "长治高新区"})
    assert {"in", "out"} <= {r["direction"] for r in facts}
    assert any(r["direction"] == "in" and r["valueName"] == "磷酸锰铁锂正极材料项目" for r in facts)


# ----------------------------------------------------------------------------- the seed build


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed")
    store = out / "ox"
    from kg.pipeline import build_graph

    try:
        build_graph([ROOT / "data" / "corpus"], out, store=f"oxigraph:{store}", validate=False)
    except Exception as exc:  # extraction is being reworked by others; report, do not hide
        pytest.skip(f"the seed does not build right now: {type(exc).__name__}: {exc}")
    if not (out / "graph.trig").is_file():
        pytest.skip("the seed build wrote no graph")
    return out / "graph.trig", f"oxigraph:{store}"


SEED_PARAMS = {
    "projects-in-place": {"place": "长治市"}, "chain-links-in-region": {"chain": "锂电池产业链", "region": "长治市"},
    "product-chain": {"product": "磷酸锰铁锂"}, "provenance": {"subject": "长治高新区"},
    "group-companies": {"group": "长治市"}, "entity-facts": {"entity": "长治高新区"},
    "entity-graph": {"entity": "长治高新区"}, "projects-by-chain": {"chain": "锂电池产业链"},
    "chain-gaps": {"chain": "锂电池产业链", "region": "长治市"},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", [q.name for q in list_stored_queries()])
def test_seed_same_rows_on_both_stores(seed, name):
    from kg.errors import QueryError

    trig, spec = seed
    ds = _seed_ds(trig)
    try:
        a = run_query(ds, name, _params(name, SEED_PARAMS))
    except QueryError as exc:  # an entity the extraction did not find (yet)
        if "no entity is named" in str(exc):
            pytest.skip(str(exc))
        raise
    b = run_query(spec, name, _params(name, SEED_PARAMS))
    same = _rows(a) == _rows(b) if a.form != "GRAPH" else len(a.graph) == len(b.graph)
    assert same, f"{name} gives different rows on rdflib and Oxigraph"


_SEED_CACHE: dict = {}


def _seed_ds(trig):
    from kg.store import load_graph

    if trig not in _SEED_CACHE:
        _SEED_CACHE[trig] = load_graph(trig)
    return _SEED_CACHE[trig]


@pytest.mark.slow
def test_seed_projects_in_changzhi(seed):
    """Depends on extraction: the seed's 长治高新区 hosts the 磷酸锰铁锂正极材料项目 (GUIDELINES §5)."""
    trig, _ = seed
    try:
        rows = run_query(_seed_ds(trig), "projects-in-place", {"place": "长治高新区"}).as_python()
    except Exception as exc:
        pytest.skip(f"extraction does not yield the zone yet: {exc}")
    names = " ".join(r["projectName"] or "" for r in rows)
    if "磷酸锰铁锂" not in names:
        pytest.xfail("extraction does not yet locate the 磷酸锰铁锂 project in 长治高新区")


@pytest.mark.parametrize("name", [q.name for q in list_stored_queries()])
def test_python_side_order_by_equals_oxigraphs_own(stores, name):
    """kg.query sorts Oxigraph's rows in Python for a query ending in ORDER BY plain variables;
    the order must be the one Oxigraph's own ORDER BY gives."""
    import pyoxigraph as ox

    from kg.errors import QueryError
    from kg.query import _collect_bindings, _open_source, _python_order, bind_values, resolve_query
    from kg.store_oxigraph import run_oxigraph

    ds, spec = stores
    st = ox.Store.read_only(spec.split(":", 1)[1])
    text, stored = resolve_query(name)
    try:
        bindings = _collect_bindings(_open_source(st), text, stored, _params(name, FIXTURE_PARAMS))
    except QueryError as exc:
        pytest.skip(str(exc))
    query = bind_values(text, bindings) if bindings else text
    if _python_order(query) is None:
        pytest.skip("no plain ORDER BY: Oxigraph sorts")
    engine = list(run_oxigraph(st, query)[2])  # Oxigraph's ORDER BY
    assert run_query(st, query).rows == engine
    assert len(engine) == len(run_query(ds, query).rows)


def test_python_side_order_by_mixed_literals_falls_back_to_the_engine():
    import pyoxigraph as ox

    from kg.query import _python_order, _sort_rows

    q = "SELECT ?x WHERE { VALUES ?x { 2 \"a\" 1 <urn:b> } } ORDER BY DESC(?x)"
    assert _python_order(q) == ("SELECT ?x WHERE { VALUES ?x { 2 \"a\" 1 <urn:b> } } ",
                                (("x", True),), ())
    assert _python_order(q + " LIMIT 2") is None
    assert _python_order(q.replace("DESC(?x)", "STR(?x)")) is None
    rows = [(Literal(2),), (Literal("a"),), (Literal(1),)]
    assert _sort_rows(rows, ["x"], (("x", False),)) is None  # a number and a string
    assert _sort_rows(rows[::2], ["x"], (("x", True),)) == [(Literal(2),), (Literal(1),)]
    st = ox.Store()
    r = run_query(st, "SELECT ?x WHERE { VALUES ?x { 2 10 <urn:b> } } ORDER BY ?x")
    assert [str(t[0]) for t in r.rows] == ["urn:b", "2", "10"]  # IRIs first, numbers by value


@pytest.mark.parametrize("select", ["SELECT", "SELECT DISTINCT"])
def test_python_side_order_by_a_variable_the_query_does_not_project(select):
    """Sorted here on a hidden column that is dropped afterwards; with DISTINCT, rows that
    differed only in it keep the first place, as DISTINCT after ORDER BY does."""
    import pyoxigraph as ox

    from kg.query import _python_order
    from kg.store_oxigraph import run_oxigraph

    st = ox.Store()
    q = (f"{select} ?x ?y WHERE {{ VALUES (?x ?y ?k) {{ (1 <urn:a> 3) (2 <urn:b> 1) "
         "(1 <urn:a> 2) (3 <urn:c> 2) (1 <urn:a> 2) } } ORDER BY ?k DESC(?x)")
    head, keys, hidden = _python_order(q)
    assert hidden == ("k",) and "?y ?k WHERE" in head and keys == (("k", False), ("x", True))
    engine = list(run_oxigraph(st, q)[2])
    assert run_query(st, q).rows == engine
    assert [int(r[0]) for r in engine] == ([2, 3, 1] if "DISTINCT" in select else [2, 3, 1, 1, 1])
    grouped = "SELECT ?x WHERE { VALUES (?x ?k) { (1 2) } } GROUP BY ?x ORDER BY ?k"
    assert _python_order(grouped) is None


def test_sort_classes_of_oxigraph_terms_equal_those_of_their_rdflib_twins():
    """Rows are sorted as pyoxigraph terms and converted afterwards: each term's sort class must
    be the one its rdflib conversion has, or the order would depend on when it is converted."""
    import pyoxigraph as ox

    from kg.query import _order_class, _order_class_ox
    from kg.store_oxigraph import to_rdflib

    xsd = "http://www.w3.org/2001/XMLSchema#"
    terms = [None, ox.BlankNode("b1"), ox.NamedNode("urn:a"), ox.Literal("名称"),
             ox.Literal("name", language="en"), ox.Literal("名", language="zh-Hans"),
             ox.Literal("2", datatype=ox.NamedNode(xsd + "integer")),
             ox.Literal("8800000000.5", datatype=ox.NamedNode(xsd + "decimal")),
             ox.Literal("1.5E3", datatype=ox.NamedNode(xsd + "double")),
             ox.Literal("abc", datatype=ox.NamedNode(xsd + "integer")),  # ill-typed
             ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean")),
             ox.Literal("2026-11", datatype=ox.NamedNode(xsd + "gYearMonth"))]
    for t in terms:
        assert _order_class_ox(t) == _order_class(to_rdflib(t)), t
