"""kg.consistency and kg.lifecycle.derive_flags on the hand-written fixture graph, and the
stored lifecycle-*.rq queries on it."""

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef

from kg.consistency import check_consistency, consistency_graph, consistency_lines
from kg.lifecycle import add_lifecycle_analysis, derive_flags
from kg.ns import ANALYSIS_GRAPH, KG, ONTOLOGY_GRAPH, RDF, STATUS

DATA = Path(__file__).resolve().parent.parent / "data" / "lifecycle"
ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology"
PROJ = "https://w3id.org/chainkg/id/project/"


def _dataset() -> Dataset:
    ds = Dataset()
    ds.parse(DATA / "pipeline.trig", format="trig")
    onto = ds.graph(ONTOLOGY_GRAPH)
    for name in ("chainkg.ttl", "status.ttl", "lifecycle.ttl"):
        onto.parse(ONTOLOGY / name, format="turtle")
    return ds


@pytest.fixture(scope="module")
def ds():
    d = _dataset()
    add_lifecycle_analysis(d)
    return d


def _findings():
    return check_consistency(_dataset())


def test_rate_checks_pass_and_fail():
    rates = [f for f in _findings() if f.rule.endswith("rule_start_rate")]
    by_stated = {f.stated: f for f in rates}
    assert by_stated[Decimal("91.0")].status == "pass"
    bad = by_stated[Decimal("80.0")]
    assert bad.status == "fail" and bad.expected == Decimal("75.000") and bad.scope == "省级重点项目"
    assert "30/40" in bad.message


def test_sum_that_does_not_add_up_is_flagged():
    (s,) = [f for f in _findings() if f.rule.endswith("rule_key_projects_sum")]
    assert s.status == "fail" and s.expected == 45 and s.stated == 50


def test_approximate_and_other_documents_are_not_mixed_in():
    findings = _findings()
    bounds = [f for f in findings if f.rule.endswith("rule_started_le_new")]
    # 60多 (approximate) would break the bound; the 120 of another document is another period
    assert all(f.status == "pass" for f in bounds)
    assert not any("120" in f.message for f in findings)


def test_consistency_lines_put_failures_first():
    lines = consistency_lines(_dataset())
    assert lines[0].startswith("FAIL") and lines[-1].startswith("pass")
    assert sum(line.startswith("FAIL") for line in lines) == 2


def test_consistency_graph_records_checks():
    g = consistency_graph(_dataset())
    assert g.identifier == ANALYSIS_GRAPH
    statuses = sorted(str(o) for o in g.objects(None, KG.checkStatus))
    assert statuses.count("fail") == 2 and "pass" in statuses


def test_current_stage_is_the_latest_statement_across_documents():
    g = derive_flags(_dataset())
    assert g.value(URIRef(PROJ + "jia-yi"), KG.currentStatus) == STATUS.started
    assert str(g.value(URIRef(PROJ + "jia-yi"), KG.currentStatusWhen)) == "2024-03"
    assert g.value(URIRef(PROJ + "wu-ji"), KG.currentStatus) == STATUS.reached_capacity


def _categories(g):
    out = {}
    for f in g.subjects(RDF.type, KG.SanweiFlag):
        out[str(g.value(f, KG.flagged)).rsplit("/", 1)[-1]] = str(g.value(f, KG.category)).rsplit("#", 1)[-1]
    return out


def test_sanwei_flags():
    cats = _categories(derive_flags(_dataset()))
    assert cats["jia-yi"] == "LandedNotInProduction"  # started in 2024, not producing
    assert cats["bing-ding"] == "SignedNotLanded"  # signed only
    assert "wu-ji" not in cats  # reached capacity


def test_signed_but_said_landed_is_landed():
    ds = _dataset()
    # drop the 2024 document: 甲乙 is then only "签约落地" (signed, cue 落地)
    ds.remove_graph(ds.graph(URIRef("https://w3id.org/chainkg/doc/bbbbbbbbbbbbbbb2")))
    cats = _categories(derive_flags(ds))
    assert cats["jia-yi"] == "LandedNotInProduction"


def test_planned_milestones_do_not_count():
    # the planned 投产 of 2024-12 is later than the 2024-03 start, but it has not happened
    g = derive_flags(_dataset())
    assert g.value(URIRef(PROJ + "jia-yi"), KG.currentStatus) != STATUS.in_production


QUERIES = ["lifecycle-projects-by-pool", "lifecycle-sanwei", "lifecycle-timeline",
           "lifecycle-indicators", "lifecycle-failed-checks"]


@pytest.mark.parametrize("name", QUERIES)
def test_stored_queries_parse_and_document_themselves(name):
    from kg.query import load_stored_query

    q = load_stored_query(name)
    assert q.title_zh and q.title_en and q.description and q.examples


def test_timeline_query(ds):
    from kg.query import run_query

    rows = run_query(ds, "lifecycle-timeline", {"project": "甲乙新材料项目"}).as_python()
    assert [(r["when"], r["kind"]) for r in rows] == [
        ("2023", "阶段"), ("2024-02-01", "会议"), ("2024-02-20", "里程碑"), ("2024-03", "阶段"),
        ("2024-12", "里程碑")]
    assert rows[-1]["detail"] == "计划"


def test_indicators_query_includes_zones_of_the_region(ds):
    from kg.query import run_query

    rows = run_query(ds, "lifecycle-indicators", {"region": "示例市"}).as_python()
    areas = {r["areaName"] for r in rows}
    assert areas == {"示例市", "示例高新区"}
    new = [(r["period"], r["value"]) for r in rows if r["indicatorName"] == "新建项目数" and r["areaName"] == "示例市"
           and not r["scope"]]
    assert new == [("../2023", Decimal("100")), ("../2024", Decimal("120"))]


def test_failed_checks_query(ds):
    from kg.query import run_query

    rows = run_query(ds, "lifecycle-failed-checks").as_python()
    assert {r["ruleName"] for r in rows} == {"开工率 = 开工项目数 / 新建项目数", "重点项目数 = 续建项目数 + 新建项目数"}
    assert all(r["status"] == "fail" for r in rows)


def test_pool_and_sanwei_queries(ds):
    from kg.query import run_query

    pool = run_query(ds, "lifecycle-projects-by-pool", {"pool": "建设项目库"}).as_python()
    assert [r["projectName"] for r in pool] == ["甲乙新材料项目"]
    sanwei = run_query(ds, "lifecycle-sanwei", {"category": "签而未落"}).as_python()
    assert [r["projectName"] for r in sanwei] == ["丙丁装备项目"]
