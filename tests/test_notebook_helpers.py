"""kg.notebook: query results and chain reports as DataFrames, the CJK font, the chart."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

pd = pytest.importorskip("pandas")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from kg import notebook as nb  # noqa: E402
from kg.analyze.chains import ChainReport, Gap, Leader, LinkStatus, SupplyMatch  # noqa: E402
from kg.errors import KGError  # noqa: E402
from kg.query import QueryResult, run_query  # noqa: E402

KG = "https://w3id.org/chainkg/ontology#"
ID = "https://w3id.org/chainkg/id/"


def test_select_result_to_dataframe_compacts_iris_and_converts_numbers():
    r = QueryResult(form="SELECT", variables=["p", "name", "inv", "n"], rows=[
        (URIRef(ID + "project/a-1"), Literal("甲项目", lang="zh"),
         Literal(Decimal("1.5e9"), datatype=XSD.decimal), Literal(3, datatype=XSD.integer)),
        (URIRef(ID + "project/b-2"), Literal("乙项目"), None, Literal(1)),
    ])
    df = nb.to_dataframe(r)
    assert list(df.columns) == ["p", "name", "inv", "n"]
    assert df["p"].tolist() == ["id:project/a-1", "id:project/b-2"]
    assert df["name"].tolist() == ["甲项目", "乙项目"]
    assert df.loc[0, "inv"] == 1.5e9 and isinstance(df.loc[0, "inv"], float)
    assert pd.isna(df.loc[1, "inv"])
    assert df["n"].tolist() == [3, 1]
    full = nb.to_dataframe(r, compact=False)
    assert full.loc[0, "p"] == ID + "project/a-1"


def test_ask_and_graph_results_to_dataframe():
    assert nb.to_dataframe(QueryResult(form="ASK", boolean=True))["ask"].tolist() == [True]
    g = Graph()
    g.add((URIRef(ID + "company/x"), URIRef(KG + "produces"), URIRef(ID + "product/y")))
    df = nb.to_dataframe(QueryResult(form="GRAPH", graph=g))
    assert df.to_dict("records") == [{"subject": "id:company/x", "predicate": "kg:produces",
                                      "object": "id:product/y"}]


def test_query_frame_runs_sparql_on_a_graph():
    g = Graph()
    for i, name in enumerate(["甲公司", "乙公司"]):
        s = URIRef(f"{ID}company/c{i}")
        g.add((s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(KG + "Company")))
        g.add((s, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal(name, lang="zh")))
    q = (f"PREFIX kg: <{KG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
         "SELECT ?c ?name WHERE { ?c a kg:Company ; rdfs:label ?name } ORDER BY ?name")
    df = nb.query_frame(g, q)
    assert df["name"].tolist() == ["乙公司", "甲公司"]  # ORDER BY code point: 乙 U+4E59 < 甲 U+7532
    assert len(df) == len(run_query(g, q))


def _report(scope="甲市", present=2):
    links = [LinkStatus(iri=f"urn:l{i}", label=f"环节{i}", stage="Midstream", order=i, position=i,
                        auxiliary=False, present=i < present) for i in range(4)]
    return ChainReport(
        chain="urn:chain", label="光伏产业链", scope="urn:scope", scope_label=scope,
        present=present, total=4, coverage=present / 4, weighted_coverage=present / 4,
        auxiliary_present=0, auxiliary_total=0, investment=2e9, links=links,
        gaps=[Gap(link="urn:l2", label="环节2", kind="延链", direction="downstream",
                  stage="Downstream", neighbours=("urn:l1",)),
              Gap(link="urn:l3", label="环节3", kind="weak")],
        leaders=[Leader(iri="urn:c", label="甲公司", type="Company", from_text=True, score=1.0)],
        supply_matches=[SupplyMatch("urn:c", "甲公司", "urn:l0", "urn:d", "乙公司", "urn:l1")])


def test_chain_tables():
    reps = [_report(), _report("乙区", present=0)]
    t = nb.chain_table(reps)
    assert t[["scope", "present", "total", "延链", "补链", "gaps"]].values.tolist() == [
        ["甲市", 2, 4, 1, 0, 2], ["乙区", 0, 4, 1, 0, 2]]
    assert t.loc[0, "leaders"] == "甲公司" and t.loc[0, "investment_cny"] == 2e9
    gaps = nb.gap_table(reps[:1], kinds=["延链"])
    assert gaps.to_dict("records") == [{"scope": "甲市", "chain": "光伏产业链", "link": "环节2",
                                        "kind": "延链", "stage": "Downstream",
                                        "direction": "downstream", "neighbours": "环节1"}]
    assert len(nb.gap_table(reps[:1])) == 2
    assert nb.leader_table(reps[:1])["leader"].tolist() == ["甲公司"]
    m = nb.match_table(reps[:1]).iloc[0]
    assert (m["supplier"], m["supplier_link"], m["customer"], m["customer_link"]) == (
        "甲公司", "环节0", "乙公司", "环节1")
    assert list(nb.match_table([]).columns)[:3] == ["scope", "chain", "supplier"]


def test_counts_frame_and_build_changes():
    before = SimpleNamespace(documents=["a.txt"], counts={
        "documents": 1, "triples": 100, "quantities": 2,
        "entities": {"Company": 3, "Project": 1}, "relations": {"investor": 1}})
    after = SimpleNamespace(documents=["a.txt", "b.txt"], counts={
        "documents": 2, "triples": 150, "quantities": 2,
        "entities": {"Company": 5, "Project": 1}, "relations": {"investor": 2}})
    c = nb.counts_frame(after.counts).set_index("what")["count"]
    assert c["entities: Company"] == 5 and c["documents"] == 2
    ch = nb.build_changes(before, after)
    assert ch["added"] == ["b.txt"] and ch["removed"] == []
    rows = {r["what"]: (r["before"], r["after"], r["change"]) for r in ch["counts"].to_dict("records")}
    assert rows == {"documents": (1, 2, 1), "triples": (100, 150, 50),
                    "entities: Company": (3, 5, 2), "relations: investor": (1, 2, 1)}


def _cjk_installed() -> bool:
    return any(Path(p).is_file() for p in nb.CJK_FONT_FILES)


@pytest.mark.skipif(not _cjk_installed(), reason="no CJK font installed (bash .ci/install-browser.sh)")
def test_cjk_font_is_found_and_draws_chinese_without_missing_glyphs(recwarn):
    from matplotlib import font_manager

    name = nb.cjk_font()
    assert matplotlib.rcParams["font.sans-serif"][0] == name
    font = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    assert "CJK" in font or "wqy" in font.lower() or "uming" in font
    ax = nb.chain_bar_chart([_report(), _report("乙区", present=1)])
    ax.figure.canvas.draw()
    assert not [w for w in recwarn if "missing from font" in str(w.message)]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["光伏产业链 · 乙区", "光伏产业链 · 甲市"]
    assert "甲市" in ax.get_title()


def test_cjk_font_error_names_the_package(tmp_path):
    with pytest.raises(KGError) as e:
        nb.cjk_font(tmp_path / "nope.ttc")
    assert "fonts-noto-cjk" in (e.value.hint or "")
