"""Labelled project records of bulletins (项目名称：… / 建设单位：… / 建设地点：… / 总投资：…)."""

from __future__ import annotations

from kg.extract import extract_document
from kg.extract.records import find_records
from kg.ingest import ingest_text

BULLETIN = """2024年第三批省重点建设项目公示
一、项目名称：年产5万吨高纯石英砂项目
建设单位：甲乙石英股份有限公司
建设地点：连云港市东海县经济开发区
总投资：25.6亿元
建设内容：新建石英砂提纯生产线6条及配套设施
二、项目名称：智能网联汽车零部件产业园
建设单位：丙丁投资股份有限公司
建设地点：盐城经济技术开发区
总投资：18亿元
建设进度：设备正在安装
"""


def _facts(text: str):
    ex = extract_document(ingest_text(text))
    rels = {(r.subject[1], r.predicate, r.object[1]) for r in ex.relations}
    qs = {(q.kind, q.value, q.subject[1] if q.subject else None) for q in ex.quantities}
    projects = {m.text for m in ex.mentions if m.type == "Project"}
    return rels, qs, projects


def test_records_are_found_with_their_fields():
    doc = ingest_text(BULLETIN)
    rs = find_records(doc.text)
    assert [doc.text[slice(*r.name)] for r in rs] == ["年产5万吨高纯石英砂项目", "智能网联汽车零部件产业园"]
    assert [f[0] for f in rs[0].fields] == ["owner", "place", "figures", "figures"]
    assert [f[0] for f in rs[1].fields] == ["owner", "place", "figures", "stage"]


def test_a_record_gives_its_project_an_owner_a_place_figures_and_a_stage():
    rels, qs, projects = _facts(BULLETIN)
    assert ("甲乙石英股份有限公司", "investor", "年产5万吨高纯石英砂项目") in rels
    assert ("丙丁投资股份有限公司", "investor", "智能网联汽车零部件产业园") in rels
    assert any(s == "年产5万吨高纯石英砂项目" and p == "locatedIn" and "东海" in o for s, p, o in rels)
    assert any(s == "智能网联汽车零部件产业园" and p == "locatedIn" and "盐城" in o for s, p, o in rels)
    assert ("investment", 2.56e9, "年产5万吨高纯石英砂项目") in qs
    assert ("investment", 1.8e9, "智能网联汽车零部件产业园") in qs
    assert ("智能网联汽车零部件产业园", "hasStatus", "under_construction") in rels
    # the list's title and the lines counted in the content are no projects
    assert projects == {"年产5万吨高纯石英砂项目", "智能网联汽车零部件产业园"}


def test_a_record_ends_at_a_line_that_is_not_a_field():
    text = BULLETIN.replace("总投资：18亿元\n", "总投资：18亿元\n另据了解，全省计划总投资3000亿元。\n")
    doc = ingest_text(text)
    second = find_records(doc.text)[1]
    assert doc.text[second.end:].lstrip("\n").startswith("另据了解")


def test_text_without_records():
    assert find_records("甲乙项目总投资5亿元。") == ()
