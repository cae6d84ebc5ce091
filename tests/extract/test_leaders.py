"""Chain leaders (链主) named in the text."""

from __future__ import annotations

from kg.extract.leaders import extract_leaders
from kg.ingest import ingest_text
from kg.model import Mention


def _m(text, type_, surface, key):
    start = text.index(surface)
    return Mention(type_, surface, start, start + len(surface), key, "t")


def test_chain_before_cue_company_after():
    text = "我市储能重点产业链“链主”企业丙丁能源集团新建项目开工。"
    ms = [_m(text, "IndustryChain", "储能", "c"), _m(text, "Company", "丙丁能源集团", "g")]
    (r,) = extract_leaders(ingest_text(text), ms)
    assert (r.subject, r.predicate, r.object) == (("Company", "g"), "chainLeaderOf", ("IndustryChain", "c"))


def test_company_first_shape():
    text = "丙丁能源集团是全省光伏产业链的链主企业。"
    ms = [_m(text, "Company", "丙丁能源集团", "g"), _m(text, "IndustryChain", "光伏", "c")]
    assert [(r.subject[1], r.object[1]) for r in extract_leaders(ingest_text(text), ms)] == [("g", "c")]


def test_no_cue_or_no_chain_gives_nothing():
    text = "丙丁能源集团是全省光伏龙头。储能链主正在招引。"
    ms = [_m(text, "Company", "丙丁能源集团", "g"), _m(text, "IndustryChain", "光伏", "c")]
    assert extract_leaders(ingest_text(text), ms) == []


def test_companies_listed_before_the_cue_lead_the_chain_named_before_them():
    text = "某某市围绕汽车产业链实施链长制，由市委书记担任链长，甲乙汽车股份有限公司、丙丁汽车有限公司担任链主企业。"
    ms = [_m(text, "IndustryChain", "汽车", "c"), _m(text, "Company", "甲乙汽车股份有限公司", "a"),
          _m(text, "Company", "丙丁汽车有限公司", "b")]
    got = {(r.subject[1], r.object[1]) for r in extract_leaders(ingest_text(text), ms)}
    assert got == {("a", "c"), ("b", "c")}


def test_a_leader_named_after_the_chain_paragraph_leads_the_chain_named_as_one():
    text = ("某某市稀土新材料及应用产业链已集聚规上企业210家，需要引进新能源汽车驱动电机等下游项目。\n"
            "链主企业甲乙稀土集团有限公司与丙丁磁材等企业合作。")
    ms = [_m(text, "IndustryChain", "稀土新材料", "re"), _m(text, "IndustryChain", "新能源汽车", "ev"),
          _m(text, "Company", "甲乙稀土集团有限公司", "g")]
    got = {(r.subject[1], r.object[1]) for r in extract_leaders(ingest_text(text), ms)}
    assert got == {("g", "re")}


def test_a_company_acting_as_leader_leads_the_chain_named_before_its_sentence():
    """<chain>产业链推进会召开。C作为链主企业，带动…: C leads the chain the text is about; with
    no chain named as one before, no chain is guessed."""
    text = "某某光电子信息产业链推进会召开。甲乙光纤光缆股份有限公司作为链主企业，带动上下游企业协同发展。"
    ms = [_m(text, "IndustryChain", "光电子信息产业链", "oe"), _m(text, "Company", "甲乙光纤光缆股份有限公司", "g")]
    got = {(r.subject[1], r.object[1]) for r in extract_leaders(ingest_text(text), ms)}
    assert got == {("g", "oe")}
    text = "某某市光伏发展迅速。甲乙光纤光缆股份有限公司作为链主企业，带动上下游企业协同发展。"
    ms = [_m(text, "IndustryChain", "光伏", "pv"), _m(text, "Company", "甲乙光纤光缆股份有限公司", "g")]
    assert extract_leaders(ingest_text(text), ms) == []


def test_a_company_that_is_this_chains_leader_leads_the_chain_named_before():
    """株洲轨道交通装备产业集群已集聚企业400余家。C是该产业链的链主企业: C leads that chain."""
    text = "某某轨道交通装备产业集群已集聚企业400余家。甲乙电力机车有限公司是该产业链的链主企业。"
    ms = [_m(text, "IndustryChain", "轨道交通装备产业集群", "rail"), _m(text, "Company", "甲乙电力机车有限公司", "g")]
    got = {(r.subject[1], r.object[1]) for r in extract_leaders(ingest_text(text), ms)}
    assert got == {("g", "rail")}


def test_every_company_listed_after_the_cue_leads_the_chain():
    """先进装备制造产业链链主企业为A、B: both lead the chain."""
    text = "其中，先进装备制造产业链链主企业为甲乙重工机械股份有限公司、丙丁集团有限公司。"
    ms = [_m(text, "IndustryChain", "先进装备制造", "eq"), _m(text, "Company", "甲乙重工机械股份有限公司", "a"),
          _m(text, "Company", "丙丁集团有限公司", "b")]
    got = {(r.subject[1], r.object[1]) for r in extract_leaders(ingest_text(text), ms)}
    assert got == {("a", "eq"), ("b", "eq")}
