"""Tests of kg.extract.relations: rules over hand-built mentions in short sentences of the genre.

The mentions are written by hand (not produced by the entity extractor) so that each test
pins one relation rule: what users rely on is that the right (subject, predicate, object)
triples come out, with the guideline directions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.relations import extract_relations, relation_cues
from kg.ingest import ingest_text
from kg.model import Mention

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def mentions(text: str, spec: list[tuple]) -> list[Mention]:
    """Mentions from (type, surface, key[, attrs]) tuples; each surface's n-th occurrence in order."""
    out = []
    pos: dict[str, int] = {}
    for item in spec:
        typ, surface, key = item[:3]
        attrs = item[3] if len(item) > 3 else ()
        i = text.find(surface, pos.get(surface, 0))
        assert i >= 0, surface
        pos[surface] = i + 1
        out.append(Mention(typ, surface, i, i + len(surface), key, "test", tuple(attrs)))
    # mark mentions inside longer ones as nested, as the entity extractor does
    marked = []
    for m in out:
        nested = any(o is not m and o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                     for o in out)
        marked.append(Mention(m.type, m.text, m.start, m.end, m.key, m.rule,
                              m.attrs + ((("nested", "1"),) if nested else ())))
    return marked


def triples(text: str, spec: list[tuple]) -> set[tuple[str, str, str]]:
    doc = ingest_text(text)
    return {(r.subject[1], r.predicate, r.object[1]) for r in extract_relations(doc, mentions(doc.text, spec))}


def extracted(text: str):
    """The whole extraction of ``text``: its entities, then every relation rule on them."""
    from kg.extract import extract_document

    return extract_document(ingest_text(text))


def related(ex, predicate: str) -> set[tuple[str, str]]:
    """(subject key, object key) of the ``predicate`` relations of an extraction."""
    return {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == predicate}


def labels(ex) -> dict:
    """The label of each entity key: its longest form, as the resolver names it."""
    out: dict = {}
    for m in sorted(ex.mentions, key=lambda m: (len(m.text), m.text)):
        out[(m.type, m.key)] = m.text
    return out


PROV = (("code", "610000"), ("level", "province"), ("parent", ""))
CITY = (("code", "610800"), ("level", "city"), ("parent", "610000"))
CITY2 = (("code", "610100"), ("level", "city"), ("parent", "610000"))


def test_cue_table_loads_kinds():
    cues = relation_cues()
    for kind in ("place_cue", "build_verb", "contractor", "subsidiary", "acquire", "title", "produce_verb"):
        assert cues.get(kind), kind
    assert "施工" in cues["contractor"]


def test_region_hierarchy_links_city_to_province_in_text():
    text = "陕西省今年推进重点项目。榆林加快能源化工基地建设。"
    got = triples(text, [("Region", "陕西省", "sx", PROV), ("Region", "榆林", "yl", CITY)])
    assert ("yl", "locatedIn", "sx") in got
    assert ("sx", "locatedIn", "yl") not in got


def test_project_in_zone_from_place_cue_and_investor_from_owner():
    text = "某某新能源科技股份有限公司在榆林高新区落地年产10万吨正极材料项目。"
    got = triples(text, [
        ("Company", "某某新能源科技股份有限公司", "co"),
        ("DevelopmentZone", "榆林高新区", "zone"),
        ("Region", "榆林", "yl", CITY),
        ("Project", "年产10万吨正极材料项目", "proj"),
        ("Product", "正极材料", "cathode"),
    ])
    assert ("proj", "locatedIn", "zone") in got
    assert ("zone", "locatedIn", "yl") in got  # zone named after its city
    assert ("co", "investor", "proj") in got
    assert ("proj", "produces", "cathode") in got


def test_contractor_is_not_investor():
    text = "由某某路桥集团负责施工的环城公路隧道工程已经开挖。"
    got = triples(text, [("Company", "某某路桥集团", "builder"), ("Project", "环城公路隧道工程", "p")])
    assert not any(p == "investor" for _, p, _ in got)


def test_company_fused_in_project_name_invests():
    text = "推进某某石化一期项目建设。"
    got = triples(text, [("Project", "某某石化一期项目", "p"), ("Company", "某某石化", "c")])
    assert ("c", "investor", "p") in got


def test_provincial_report_projects_default_to_province_unless_specific():
    text = ("陕西省2026年政府工作报告。陕西省推进重点项目。陕西省加快建设。"
            "某某煤炭综合利用项目开工，西安地铁3号线建成通车。")
    got = triples(text, [
        ("Region", "陕西省", "sx", PROV), ("Region", "陕西省", "sx", PROV), ("Region", "陕西省", "sx", PROV),
        ("Project", "某某煤炭综合利用项目", "coal"),
        ("Project", "西安地铁3号线", "metro"), ("Region", "西安", "xa", CITY2),
    ])
    assert ("coal", "locatedIn", "sx") in got
    assert ("metro", "locatedIn", "xa") in got
    assert ("metro", "locatedIn", "sx") not in got
    assert ("xa", "locatedIn", "sx") in got


def test_subsidiary_and_acquisition_give_investor_and_member():
    text = "甲集团子公司甲钒业拥有年产钒制品3万吨的产线。乙水泥去年收购了丙水泥公司。"
    got = triples(text, [
        ("Company", "甲集团", "a"), ("Company", "甲钒业", "a_sub"), ("Product", "钒制品", "v"),
        ("Company", "乙水泥", "b"), ("Company", "丙水泥公司", "c"),
    ])
    assert {("a", "investor", "a_sub"), ("a_sub", "memberOf", "a")} <= got
    assert {("b", "investor", "c"), ("c", "memberOf", "b")} <= got
    assert ("a_sub", "produces", "v") in got
    assert ("a", "memberOf", "a_sub") not in got


def test_person_titles_distribute_over_a_list():
    text = "某某电器董事长张三、总裁李四出席开工仪式。"
    got = triples(text, [("Company", "某某电器", "c"), ("Person", "张三", "p1"), ("Person", "李四", "p2")])
    assert ("p1", "memberOf", "c") in got
    assert ("p2", "memberOf", "c") in got


def test_producer_noun_list_and_chain_list():
    text = "以甲钢、乙钢等为代表的钒制品生产企业扩大产能。新型储能发展迅速，储能包括铅酸蓄电池、钒电池等。"
    got = triples(text, [
        ("Company", "甲钢", "a"), ("Company", "乙钢", "b"), ("Product", "钒制品", "v"),
        ("IndustryChain", "储能", "es"), ("IndustryChain", "储能", "es"),
        ("Product", "铅酸蓄电池", "lead"), ("Product", "钒电池", "vrb"),
    ])
    assert {("a", "produces", "v"), ("b", "produces", "v")} <= got
    assert {("lead", "partOfChain", "es"), ("vrb", "partOfChain", "es")} <= got


def test_upstream_from_wording():
    text = "建设风光制绿氢合成绿氨一体化项目，煤制烯烃产量居前，煤炭产能稳定。"
    got = triples(text, [
        ("Product", "绿氢", "h2"), ("Product", "绿氨", "nh3"),
        ("Product", "煤制烯烃", "olefin"), ("Product", "煤炭", "coal"),
    ])
    assert ("h2", "upstreamOf", "nh3") in got
    assert ("coal", "upstreamOf", "olefin") in got
    assert ("nh3", "upstreamOf", "h2") not in got


def test_no_mentions_no_relations():
    assert extract_relations(ingest_text("今天天气很好。"), []) == []


_NAMES = st.sampled_from(["甲公司", "乙集团", "丙项目", "丁高新区", "戊市"])


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(range(5))))
def test_output_does_not_depend_on_mention_order(order):
    """Deterministic: the same mentions in any order give the same sorted candidates."""
    text = "乙集团子公司甲公司在丁高新区投资建设丙项目，戊市领导出席。"
    spec = [("Company", "乙集团", "g"), ("Company", "甲公司", "c"), ("DevelopmentZone", "丁高新区", "z"),
            ("Project", "丙项目", "p"), ("Region", "戊市", "r", CITY)]
    doc = ingest_text(text)
    ms = mentions(doc.text, spec)
    base = extract_relations(doc, ms)
    shuffled = [ms[i] for i in order]
    assert extract_relations(doc, shuffled) == base
    # no self loops, only the scored predicates
    for r in base:
        assert r.subject != r.object
        assert r.predicate in {"locatedIn", "investor", "produces", "partOfChain", "upstreamOf", "memberOf"}


@pytest.mark.skipif(not (SHARED / "eval" / "dev" / "gold").is_dir(), reason="shared eval data absent")
def test_dev_gold_relations_use_known_predicates():
    """Guard: the predicates this module emits are the ones the gold scores."""
    preds = set()
    for path in sorted((SHARED / "eval" / "dev" / "gold").glob("*.json")):
        preds |= {r["relation"] for r in json.loads(path.read_text(encoding="utf-8"))["relations"]}
    assert {"locatedIn", "investor", "produces", "partOfChain", "upstreamOf", "memberOf"} <= preds


def test_joint_venture_partners_invest():
    text = "甲能源有限公司与乙投资集团共同出资设立丙城燃气有限公司。"
    got = triples(text, [("Company", "甲能源有限公司", "a"), ("Company", "乙投资集团", "b"),
                         ("Company", "丙城燃气有限公司", "c")])
    assert ("a", "investor", "c") in got and ("b", "investor", "c") in got


@pytest.mark.parametrize("verb", ["合资建设的", "共同投资建设", "合作建设"])
def test_partners_building_a_project_together_both_invest(verb):
    text = f"某某汽车集团有限公司与甲乙新能源科技股份有限公司{verb}某某动力电池项目一期已投产。"
    got = triples(text, [("Company", "某某汽车集团有限公司", "a"), ("Company", "甲乙新能源科技股份有限公司", "b"),
                         ("Project", "某某动力电池项目一期", "p")])
    assert ("a", "investor", "p") in got and ("b", "investor", "p") in got


def test_a_company_signing_with_another_and_building_alone():
    text = "甲乙科技有限公司与丙丁集团有限公司签约，甲乙科技有限公司投资建设年产5万吨电池项目。"
    got = triples(text, [("Company", "甲乙科技有限公司", "a"), ("Company", "丙丁集团有限公司", "b"),
                         ("Company", "甲乙科技有限公司", "a"), ("Project", "年产5万吨电池项目", "p")])
    assert ("a", "investor", "p") in got and ("b", "investor", "p") not in got


def test_company_stem_names_project_and_phase_inherits():
    text = "丙城燃气有限公司负责运营。丙城燃气天然气综合利用项目开工，丙城燃气天然气综合利用项目一期投资2亿元。"
    got = triples(text, [("Company", "丙城燃气有限公司", "c"),
                         ("Project", "丙城燃气天然气综合利用项目", "p"),
                         ("Project", "丙城燃气天然气综合利用项目一期", "p1")])
    assert ("c", "investor", "p") in got
    assert ("c", "investor", "p1") in got


def test_department_arranging_works_invests_but_not_in_parts():
    text = "某区住建局年内安排市政工程12个。东环大道工程加快建设，东环大道工程一期东段已完工。"
    got = triples(text, [("GovernmentBody", "某区住建局", "g"), ("Project", "东环大道工程", "p"),
                         ("Project", "东环大道工程一期东段", "p1")])
    assert ("g", "investor", "p") in got
    assert ("g", "investor", "p1") not in got


@pytest.mark.parametrize("label", ["责任单位", "主管单位", "牵头单位"])
def test_owner_label_in_bulletin(label):
    """GUIDELINES: the responsible unit of a project (责任单位/主管单位) is its investor."""
    text = f"北环路改造工程，{label}：某区住建局。"
    got = triples(text, [("Project", "北环路改造工程", "p"), ("GovernmentBody", "某区住建局", "g")])
    assert ("g", "investor", "p") in got
    # and in a record of a plan's table (项目名称：…；主管单位：…)
    text = f"项目名称：北环路改造工程；总投资：3亿元；{label}：某区住建局。"
    got = triples(text, [("Project", "北环路改造工程", "p"), ("GovernmentBody", "某区住建局", "g")])
    assert ("g", "investor", "p") in got


def test_subtitle_zone_anchors_projects_of_its_part():
    text = ("甲市加快项目建设。甲市项目多。甲市开工率高。\n——乙经济技术开发区发展见闻\n"
            "某某10GW光伏组件项目相继开工建设。")
    got = triples(text, [("Region", "甲市", "a", CITY), ("Region", "甲市", "a", CITY), ("Region", "甲市", "a", CITY),
                         ("DevelopmentZone", "乙经济技术开发区", "z"), ("Project", "某某10GW光伏组件项目", "p")])
    assert ("p", "locatedIn", "z") in got
    assert ("p", "locatedIn", "a") not in got


def test_city_opening_project_name_blocks_province_default():
    text = "陕西省政府工作报告。陕西省推进项目。陕西省加快建设。西安地铁3号线建成通车，某某储气库投运。"
    got = triples(text, [("Region", "陕西省", "sx", PROV)] * 3 + [
        ("Project", "西安地铁3号线", "metro"), ("Project", "某某储气库", "gas")])
    assert ("metro", "locatedIn", "sx") not in got
    assert ("gas", "locatedIn", "sx") in got


def test_registered_province_prefix_is_no_company_location():
    text = "山西某某科技有限公司年产正极材料2万吨。"
    got = triples(text, [("Region", "山西", "sx", (("code", "140000"), ("level", "province"))),
                         ("Company", "山西某某科技有限公司", "c")])
    assert ("c", "locatedIn", "sx") not in got


def test_chain_after_purpose_verb_takes_products_of_the_sentence():
    text = "某某电子OLED显示面板项目继续扩建，有力地引领甲市新型显示产业发展壮大。"
    got = triples(text, [("Project", "某某电子OLED显示面板项目", "p"), ("Product", "OLED显示面板", "panel"),
                         ("IndustryChain", "新型显示产业", "display")])
    assert ("panel", "partOfChain", "display") in got
    assert ("p", "partOfChain", "display") not in got


def test_holding_company_restating_short_name_is_not_a_subsidiary():
    text = "甲钢水泥是甲钢控股公司下属的全资公司。"
    got = triples(text, [("Company", "甲钢水泥", "cement"), ("Company", "甲钢控股公司", "holding"),
                         ("Company", "甲钢", "holding")])
    assert ("holding", "memberOf", "holding") not in got
    assert ("cement", "memberOf", "holding") in got


def test_project_consuming_a_product_does_not_produce_it():
    text = "推进某能煤炭综合利用项目和某某负极材料项目建设。"
    got = triples(text, [("Project", "某能煤炭综合利用项目", "coal_use"), ("Product", "煤炭", "coal"),
                         ("Project", "某某负极材料项目", "anode_p"), ("Product", "负极材料", "anode")])
    assert ("coal_use", "produces", "coal") not in got
    assert ("anode_p", "produces", "anode") in got


def test_group_stem_makes_member():
    text = "某一集团成功落户甲市，某一硅能拉晶项目投产。"
    got = triples(text, [("Company", "某一集团", "group"), ("Company", "某一硅能", "sub")])
    assert ("sub", "memberOf", "group") in got
    assert ("group", "memberOf", "sub") not in got


SD = (("code", "370000"), ("level", "province"), ("parent", ""))


def test_route_is_not_located_at_its_end_and_far_city_is_skipped():
    text = ("山东省政府工作报告。山东省推进项目。山东省加快建设。山东省扩大开放。山东省保障民生。"
            "莱阳至栖霞高速公路建成通车，海阳核电二期开工。全省工作。全省推进。全省发展。烟台港扩建。")
    county = (("code", "370682"), ("level", "county"), ("parent", "370600"), ("nested", "1"))
    zy = (("code", "370687"), ("level", "county"), ("parent", "370600"), ("nested", "1"))
    city = (("code", "370600"), ("level", "city"), ("parent", "370000"))
    got = triples(text, [("Region", "山东省", "sd", SD)] * 5 + [
        ("Project", "莱阳至栖霞高速公路", "road"), ("Region", "莱阳", "ly", county),
        ("Project", "海阳核电二期", "npp"), ("Region", "海阳", "zy", zy), ("Region", "烟台", "yt", city)])
    assert ("road", "locatedIn", "ly") not in got
    assert ("road", "locatedIn", "sd") in got
    assert ("npp", "locatedIn", "zy") in got
    assert ("zy", "locatedIn", "sd") in got
    assert ("zy", "locatedIn", "yt") not in got


def test_zone_named_after_county_goes_to_named_ancestor_and_county_is_dropped():
    text = "阳城经济技术开发区在晋城市委支持下发展。"
    county = (("code", "140522"), ("level", "county"), ("parent", "140500"), ("nested", "1"))
    city = (("code", "140500"), ("level", "city"), ("parent", "140000"))
    got = triples(text, [
        ("DevelopmentZone", "阳城经济技术开发区", "z"), ("Region", "阳城", "pl", county),
        ("Region", "晋城市", "sz", city)])
    assert ("z", "locatedIn", "sz") in got
    assert not any(s == "pl" for s, _, _ in got)


def test_company_described_as_chain_firm():
    text = "甲能源有限公司是本省规模最大的城市燃气供应企业。"
    got = triples(text, [("Company", "甲能源有限公司", "c"), ("IndustryChain", "城市燃气", "gas")])
    assert ("c", "partOfChain", "gas") in got


def test_department_without_counted_works_invests_in_nothing():
    text = "某县交通局今年安排资金用于道路养护。东环大道工程加快建设。"
    got = triples(text, [("GovernmentBody", "某县交通局", "g"), ("Project", "东环大道工程", "p")])
    assert ("g", "investor", "p") not in got


def test_mine_produces_coal_and_company_amount_of_product():
    text = "甲山煤矿建成试运转，煤炭产量增长。促进乙油集团千万吨原油稳产。"
    got = triples(text, [("Project", "甲山煤矿", "mine"), ("Product", "煤炭", "coal"),
                         ("Company", "乙油集团", "oil_co"), ("Product", "原油", "crude")])
    assert ("mine", "produces", "coal") in got
    assert ("oil_co", "produces", "crude") in got


def test_mine_without_the_product_named_produces_nothing():
    text = "甲山煤矿建成试运转。"
    got = triples(text, [("Project", "甲山煤矿", "mine")])
    assert not got


YN = (("code", "530000"), ("level", "province"), ("parent", ""))


def test_region_has_companies_and_local_company():
    text = ("云南目前拥有乙塔水泥有限公司等20余家建材企业。"
            "云南省水泥行业。云南省产能。云南省企业多。当地龙头甲钢水泥规模居首。")
    got = triples(text, [("Region", "云南", "yn", YN), ("Company", "乙塔水泥有限公司", "b")] + [
        ("Region", "云南省", "yn", YN)] * 3 + [("Company", "甲钢水泥", "a")])
    assert ("a", "locatedIn", "yn") in got
    assert ("b", "locatedIn", "yn") in got


def test_second_build_verb_of_the_same_subject():
    text = "甲钢计划新建300吨钒电解液中试生产线，同时与乙能联合打造某某储能示范基地。"
    got = triples(text, [("Company", "甲钢", "a"), ("Project", "300吨钒电解液中试生产线", "line"),
                         ("Project", "某某储能示范基地", "base")])
    assert ("a", "investor", "line") in got
    assert ("a", "investor", "base") in got


def test_longer_chain_term_wins_over_its_prefix():
    text = "新能源产业加快发展，新能源汽车电池产量增长。"
    got = triples(text, [("IndustryChain", "新能源产业", "ne"), ("Product", "新能源汽车电池", "bat")])
    assert ("bat", "partOfChain", "ne") not in got


def test_facility_after_a_route_is_not_placed_in_the_wider_region():
    text = "在四川，甲地至成都特高压直流输电工程郫都换流站建设加快。"
    sc = (("code", "510000"), ("level", "province"), ("parent", ""))
    got = triples(text, [("Region", "四川", "sc", sc), ("Project", "甲地至成都特高压直流输电工程郫都换流站", "st")])
    assert ("st", "locatedIn", "sc") not in got


def test_planning_commission_listing_key_projects_invests_in_nothing():
    text = "省发改委安排省重点建设项目320个。东环大道工程加快建设。"
    got = triples(text, [("GovernmentBody", "省发改委", "g"), ("Project", "东环大道工程", "p")])
    assert ("g", "investor", "p") not in got


def test_representatives_of_a_chain():
    text = "以锂电池、光伏组件等为代表的新能源产业已成为支柱产业。"
    got = triples(text, [("Product", "锂电池", "li"), ("Product", "光伏组件", "pv"),
                         ("IndustryChain", "新能源产业", "ne")])
    assert ("li", "partOfChain", "ne") in got and ("pv", "partOfChain", "ne") in got


def test_firm_pronoun_project_belongs_to_the_company_of_the_previous_sentence():
    text = "去年，甲机械股份有限公司铸造车间投产。今年，企业“二期”项目——表面处理车间建设项目准备开工。"
    got = triples(text, [("Company", "甲机械股份有限公司", "c"), ("Project", "铸造车间", "p1"),
                         ("Project", "表面处理车间建设项目", "p2")])
    assert ("c", "investor", "p2") in got


def test_whole_chain_project_closing_a_capacity_list_produces_the_items():
    text = "3GW电池片、4GW光伏组件、8GW光伏一体化项目相继开工。"
    got = triples(text, [("Product", "电池片", "cell"), ("Product", "光伏组件", "mod"),
                         ("Project", "8GW光伏一体化项目", "p")])
    assert ("p", "produces", "mod") in got and ("p", "produces", "cell") in got


def test_the_agent_of_a_project_pronoun_invests_in_the_project():
    """"P建设进展。该项目由C投资建设": C invests in P; "由D承建" (a contractor) does not."""
    text = "市领导了解了甲乙年产10万吨颗粒硅项目建设进展。该项目由丙丁控股有限公司投资建设，由戊己建设集团承建。"
    got = triples(text, [("Project", "甲乙年产10万吨颗粒硅项目", "p"),
                         ("Company", "丙丁控股有限公司", "c"), ("Company", "戊己建设集团", "k")])
    assert ("c", "investor", "p") in got
    assert ("k", "investor", "p") not in got


def test_a_company_signing_with_a_government_invests_not_the_government():
    """"A集团与某市人民政府签署协议，将投资…建设P": A invests in P."""
    text = "甲乙科技集团与某某市人民政府签署协议，将在某某零碳产业园投资20亿元，建设储能电池工厂。"
    got = triples(text, [("Company", "甲乙科技集团", "co"), ("GovernmentBody", "某某市人民政府", "gov"),
                         ("DevelopmentZone", "某某零碳产业园", "z"), ("Project", "储能电池工厂", "p")])
    assert ("co", "investor", "p") in got
    assert ("gov", "investor", "p") not in got


@pytest.mark.parametrize("label", ["项目业主为", "建设单位是", "投资主体为"])
def test_the_owner_named_by_a_label_after_the_project_invests(label):
    text = f"年产10万吨磷酸铁锂项目位于某某经济开发区，{label}甲乙新能源科技有限公司，总投资30亿元。"
    got = triples(text, [("Project", "年产10万吨磷酸铁锂项目", "p"), ("DevelopmentZone", "某某经济开发区", "z"),
                         ("Company", "甲乙新能源科技有限公司", "c")])
    assert ("c", "investor", "p") in got


def test_what_a_project_built_by_an_agent_makes_is_the_projects():
    text = "甲乙零部件产业园项目开工。该项目由甲乙股份有限公司投资建设，总投资120亿元，主要生产动力电池、电机等零部件。"
    got = triples(text, [("Project", "甲乙零部件产业园项目", "p"), ("Company", "甲乙股份有限公司", "c"),
                         ("Product", "动力电池", "b"), ("Product", "电机", "m")])
    assert {("p", "produces", "b"), ("p", "produces", "m")} <= got
    assert ("c", "produces", "b") not in got


def test_the_company_after_a_plan_items_project_invests_in_it():
    """1.P，C，总投资…: a plan's item gives the owner right after the project, between commas."""
    from kg.extract import extract_document
    from kg.ingest import ingest_text

    text = ("一、新开工项目（2项）\n"
            "1.年产5万吨甲乙弹性体项目，甲乙化工新材料有限公司，总投资26.0亿元，建设地点龙凤区，计划2025年6月开工、2027年10月竣工。\n"
            "2.丙丁年产20万吨α-烯烃项目，丙丁新材料科技有限公司，总投资38.6亿元，建设年产1500吨乳粉生产线。\n")
    ex = extract_document(ingest_text(text))
    inv = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "investor"}
    assert ("甲乙化工新材料有限公司", "年产5万吨甲乙弹性体项目") in inv
    assert ("丙丁新材料科技有限公司", "丙丁年产20万吨α-烯烃项目") in inv
    projects = {m.text for m in ex.mentions if m.type == "Project"}
    assert not any(p.endswith("生产线") for p in projects), projects
    stages = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "hasStatus"}
    assert ("年产5万吨甲乙弹性体项目", "planned") in stages
    assert ("年产5万吨甲乙弹性体项目", "under_construction") not in stages
    zones_or_places = {m.text for m in ex.mentions if m.type in ("DevelopmentZone", "Region")}
    assert not any(z.startswith("地点") for z in zones_or_places), zones_or_places


def test_a_place_heading_or_a_place_opening_the_sentence_locates_the_projects_under_it():
    from kg.extract import extract_document
    from kg.ingest import ingest_text

    text = ("一、重点项目进展\n（一）曲靖经济技术开发区。云南甲乙光能科技有限公司年产10GW电池片项目总投资12.5亿元。\n"
            "（二）马龙区。马龙产业园区云南丙丁铜箔有限公司年产1.5万吨锂电铜箔项目已于3月竣工。\n")
    ex = extract_document(ingest_text(text))
    lab = labels(ex)
    loc = {(lab.get(r.subject, r.subject[1]), lab.get(r.object, r.object[1])) for r in ex.relations if r.predicate == "locatedIn"}
    assert ("年产10GW电池片项目", "曲靖经济技术开发区") in loc
    assert ("年产1.5万吨锂电铜箔项目", "马龙产业园区") in loc


def test_a_place_in_brackets_after_a_project_and_its_figures_in_the_next_sentence():
    from kg.extract import extract_document
    from kg.ingest import ingest_text

    text = ("某市重点项目建设进展情况的通报\n"
            "（一）甲乙钢联新材料有限公司年产30万吨高端冷轧硅钢项目（海城市腾鳌经济开发区）。总投资42亿元，完成投资12.6亿元。\n"
            "（二）丙丁机器人有限公司激光焊接机器人产业化项目（鞍山高新区）。总投资6亿元。\n")
    ex = extract_document(ingest_text(text))
    lab = labels(ex)
    loc = {(lab.get(r.subject), lab.get(r.object)) for r in ex.relations if r.predicate == "locatedIn"}
    assert ("年产30万吨高端冷轧硅钢项目", "海城市腾鳌经济开发区") in loc
    assert ("激光焊接机器人产业化项目", "鞍山高新区") in loc
    sums = {(lab.get(q.subject), q.value) for q in ex.quantities if q.kind == "investment"}
    assert ("年产30万吨高端冷轧硅钢项目", 4.2e9) in sums and ("激光焊接机器人产业化项目", 6e8) in sums
    assert {m.text for m in ex.mentions if m.type == "Company"} == {"甲乙钢联新材料有限公司", "丙丁机器人有限公司"}


def test_the_company_a_government_signs_a_project_with_invests_in_it():
    """政府与C签约P: C invests, the government signs; 政府与A所属B签约P: B does."""
    from kg.extract import extract_document
    from kg.ingest import ingest_text

    text = ("海南藏族自治州人民政府与甲乙青海新能源有限公司签约共和县300万千瓦光伏光热一体化项目，计划总投资约156亿元。"
            "海西蒙古族藏族自治州人民政府与中国丙丁矿产集团有限公司所属戊己盐湖资源开发有限公司签约大柴旦年产4万吨电池级碳酸锂项目。")
    ex = extract_document(ingest_text(text))
    inv = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "investor"}
    assert ("甲乙青海新能源有限公司", "共和县300万千瓦光伏光热一体化项目") in inv
    assert ("戊己盐湖资源开发有限公司", "大柴旦年产4万吨电池级碳酸锂项目") in inv
    assert not any(s.startswith(("海南藏族", "海西")) for s, _o in inv), inv
    assert not any(s == "中国丙丁矿产集团有限公司" and o.startswith("大柴旦") for s, o in inv), inv


def test_an_agent_after_a_park_builds_the_park_not_the_project_before():
    from kg.extract import extract_document
    from kg.ingest import ingest_text

    text = ("甲乙水泥股份有限公司在新厂址建设新型干法熟料生产线。如今，这片老厂区已经变身为甲乙智造产业园，"
            "由丙丁投资集团有限公司负责开发建设，总投资26亿元。")
    ex = extract_document(ingest_text(text))
    inv = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "investor"}
    assert not any(s == "丙丁投资集团有限公司" and o.endswith("生产线") for s, o in inv), inv


def test_a_zone_opening_a_project_name_locates_it_rather_than_the_zones_city():
    """榆林某某工业园区年产…项目: the zone is the project's place (the city locates the zone)."""
    text = "榆林某某工业园区年产10万吨铜箔项目正式开工。"
    got = triples(text, [
        ("Project", "榆林某某工业园区年产10万吨铜箔项目", "proj"),
        ("DevelopmentZone", "榆林某某工业园区", "zone"),
        ("Region", "榆林", "yl", CITY),
    ])
    assert ("proj", "locatedIn", "zone") in got
    assert ("proj", "locatedIn", "yl") not in got


def test_a_company_after_the_zone_opening_a_project_name_invests_in_it():
    """某某经济技术开发区远航电气…项目: the company after the zone that opens the name owns it."""
    text = "榆林经济技术开发区远航电气智能电网装备项目竣工。"
    got = triples(text, [
        ("Project", "榆林经济技术开发区远航电气智能电网装备项目", "proj"),
        ("DevelopmentZone", "榆林经济技术开发区", "zone"),
        ("Company", "远航电气", "co"),
    ])
    assert ("co", "investor", "proj") in got


def test_a_county_or_zone_that_signs_with_a_company_hosts_its_project():
    """某县与C签约P: C invests in P, which lies in the county that signs."""
    text = "榆林市举行签约仪式。佳县与甲乙铝业有限公司签约年产50万吨再生铝项目，总投资45亿元。"
    got = triples(text, [
        ("Region", "榆林市", "yl", CITY),
        ("Region", "佳县", "jx", (("code", "610828"), ("level", "county"), ("parent", "610800"))),
        ("Company", "甲乙铝业有限公司", "co"),
        ("Project", "年产50万吨再生铝项目", "proj"),
    ])
    assert ("co", "investor", "proj") in got
    assert ("proj", "locatedIn", "jx") in got
    assert ("proj", "locatedIn", "yl") not in got


def test_a_company_that_signs_with_a_district_builds_there():
    """C与某区签约建设P: C invests in P, which lies in the district that signs."""
    text = "榆林市举行签约仪式。甲乙集团与榆阳区签约建设粮油食品综合产业园项目，总投资3.5亿美元。"
    got = triples(text, [
        ("Region", "榆林市", "yl", CITY),
        ("Company", "甲乙集团", "co"),
        ("Region", "榆阳区", "yy", (("code", "610802"), ("level", "county"), ("parent", "610800"))),
        ("Project", "粮油食品综合产业园项目", "proj"),
    ])
    assert ("co", "investor", "proj") in got
    assert ("proj", "locatedIn", "yy") in got
    assert ("proj", "locatedIn", "yl") not in got


def test_responsible_units_in_brackets_after_an_item_invest_in_its_projects():
    """（1）加快推进P建设。（责任单位：县发改局、县工信局）: GUIDELINES §4, the responsible unit
    of a project is its investor."""
    text = "重点工作任务\n（1）加快推进丰县甲乙碳纤维项目建设，确保年底投产。（责任单位：县发改局、县工信局）\n"
    got = triples(text, [
        ("Project", "丰县甲乙碳纤维项目", "proj"),
        ("GovernmentBody", "县发改局", "fgj"),
        ("GovernmentBody", "县工信局", "gxj"),
    ])
    assert ("fgj", "investor", "proj") in got
    assert ("gxj", "investor", "proj") in got
def test_input_named_after_a_production_verb_is_not_produced():
    text = "甲丙新材料公司年产磷酸铁锂2万吨，原料碳酸锂主要来自省外。乙丁食品公司主营米粉，大米全部来自本地。"
    got = triples(text, [
        ("Company", "甲丙新材料公司", "a"), ("Product", "磷酸铁锂", "lfp"), ("Product", "碳酸锂", "li2co3"),
        ("Company", "乙丁食品公司", "b"), ("Product", "米粉", "noodle"), ("Product", "大米", "rice"),
    ])
    assert ("a", "produces", "lfp") in got
    assert ("a", "produces", "li2co3") not in got
    assert ("b", "produces", "noodle") in got
    assert ("b", "produces", "rice") not in got


def test_companies_listed_before_a_producer_noun_or_verb_produce():
    text = "甲丁汽车、乙戊汽车等整车企业加快扩能。丙己锂业、丁庚材料等企业具备年产碳酸锂5万吨的能力。"
    got = triples(text, [
        ("Company", "甲丁汽车", "a"), ("Company", "乙戊汽车", "b"), ("Product", "整车", "car"),
        ("Company", "丙己锂业", "c"), ("Company", "丁庚材料", "d"), ("Product", "碳酸锂", "li"),
    ])
    assert {("a", "produces", "car"), ("b", "produces", "car")} <= got
    assert {("c", "produces", "li"), ("d", "produces", "li")} <= got


def test_products_named_as_stages_of_a_chain_belong_to_it():
    text = "该市氟化工产业链上游为萤石、氢氟酸，中游为制冷剂，下游为空调等应用。"
    got = triples(text, [
        ("IndustryChain", "氟化工产业链", "f"), ("Product", "萤石", "a"), ("Product", "氢氟酸", "b"),
        ("Product", "制冷剂", "c"), ("Product", "空调", "d"),
    ])
    assert {("a", "partOfChain", "f"), ("b", "partOfChain", "f"), ("c", "partOfChain", "f"),
            ("d", "partOfChain", "f")} <= got


def test_dash_sequence_of_products_gives_upstream_links():
    text = "该县已形成“萤石—氢氟酸—制冷剂”产业链。"
    got = triples(text, [
        ("Product", "萤石", "a"), ("Product", "氢氟酸", "b"), ("Product", "制冷剂", "c"),
    ])
    assert {("a", "upstreamOf", "b"), ("b", "upstreamOf", "c")} <= got
    assert ("b", "upstreamOf", "a") not in got


def test_subsidiary_named_in_the_clause_after_its_parent():
    text = "甲辰集团是本省最大的铝材企业，其全资子公司乙巳铝业投资建设新产线。丙午化工以磷矿为原料，生产磷酸，旗下丁未材料年产磷酸铁5万吨。"
    got = triples(text, [
        ("Company", "甲辰集团", "a"), ("Company", "乙巳铝业", "a_sub"),
        ("Company", "丙午化工", "b"), ("Company", "丁未材料", "b_sub"),
    ])
    assert {("a", "investor", "a_sub"), ("a_sub", "memberOf", "a")} <= got
    assert {("b", "investor", "b_sub"), ("b_sub", "memberOf", "b")} <= got
    assert ("a_sub", "memberOf", "b") not in got


def test_product_after_a_supply_word_is_the_customers():
    text = "甲申矿业年产萤石20万吨，所产萤石主要供应本地氢氟酸企业。"
    got = triples(text, [
        ("Company", "甲申矿业", "a"), ("Product", "萤石", "f"), ("Product", "萤石", "f"),
        ("Product", "氢氟酸", "hf"),
    ])
    assert ("a", "produces", "f") in got
    assert ("a", "produces", "hf") not in got


def test_raw_material_clause_feeds_the_products_made_after_it():
    text = "乙酉化工以萤石为主要原料，年产氢氟酸8万吨、无水氟化铝3万吨。"
    got = triples(text, [
        ("Company", "乙酉化工", "c"), ("Product", "萤石", "f"),
        ("Product", "氢氟酸", "hf"), ("Product", "无水氟化铝", "alf"),
    ])
    assert ("f", "upstreamOf", "hf") in got
    assert ("hf", "upstreamOf", "f") not in got


def test_class_noun_closing_a_list_is_not_fed_by_its_members():
    li = "https://w3id.org/chainkg/chain/lithium-battery/"
    text = "推动碳酸锂、氢氧化锂等锂盐产品向正极材料延伸。"
    got = triples(text, [
        ("Product", "碳酸锂", "lc", (("link", li + "raw-materials"),)),
        ("Product", "氢氧化锂", "lh", (("link", li + "raw-materials"),)),
        ("Product", "锂盐", "salt", (("link", li + "electrolyte"),)),
        ("Product", "正极材料", "cath", (("link", li + "cathode"),)),
    ])
    assert ("lh", "upstreamOf", "salt") not in got
    assert ("lh", "upstreamOf", "cath") in got


def test_product_after_a_use_word_is_an_application_not_an_output():
    text = "丙戌光电公司主要生产光模块，产品广泛应用于数据中心。丁亥材料公司生产应用于储能的磷酸铁锂。"
    got = triples(text, [
        ("Company", "丙戌光电公司", "a"), ("Product", "光模块", "om"), ("Product", "数据中心", "dc"),
        ("Company", "丁亥材料公司", "b"), ("Product", "磷酸铁锂", "lfp"),
    ])
    assert ("a", "produces", "om") in got
    assert ("a", "produces", "dc") not in got
    assert ("b", "produces", "lfp") in got


def test_upstream_input_and_supplier_after_by():
    text = "戊子激光公司主营光纤激光器，其上游的特种光纤由己丑光纤公司供应。"
    got = triples(text, [
        ("Company", "戊子激光公司", "a"), ("Product", "光纤激光器", "laser"),
        ("Product", "特种光纤", "fiber"), ("Company", "己丑光纤公司", "b"),
    ])
    assert ("a", "produces", "laser") in got
    assert ("a", "produces", "fiber") not in got
    assert ("b", "produces", "fiber") in got


def test_producer_noun_after_a_list_of_products_covers_each():
    text = "庚寅通信公司是全球领先的预制棒、光纤、光缆供应商。"
    got = triples(text, [
        ("Company", "庚寅通信公司", "a"), ("Product", "预制棒", "pre"),
        ("Product", "光纤", "fib"), ("Product", "光缆", "cab"),
    ])
    assert {("a", "produces", "pre"), ("a", "produces", "fib"), ("a", "produces", "cab")} <= got


def test_companies_joined_by_enumeration_comma_share_a_production_verb():
    text = "癸巳鞋业、甲午体育主要生产运动鞋。乙未纺织与丙申集团合作生产面料。"
    got = triples(text, [
        ("Company", "癸巳鞋业", "a"), ("Company", "甲午体育", "b"), ("Product", "运动鞋", "shoe"),
        ("Company", "乙未纺织", "c"), ("Company", "丙申集团", "d"), ("Product", "面料", "fab"),
    ])
    assert {("a", "produces", "shoe"), ("b", "produces", "shoe")} <= got
    assert ("c", "produces", "fab") not in got


def test_livestock_raised_by_a_farm_company():
    text = "丁酉养殖公司年出栏生猪60万头。"
    got = triples(text, [("Company", "丁酉养殖公司", "a"), ("Product", "生猪", "pig")])
    assert ("a", "produces", "pig") in got


def test_chain_stages_run_on_over_semicolons():
    text = "光伏产业链上游包括多晶硅和硅片；中游包括电池片、组件以及光伏玻璃等辅材；下游为电站。"
    got = triples(text, [
        ("IndustryChain", "光伏", "pv"), ("Product", "多晶硅", "a"), ("Product", "硅片", "b"),
        ("Product", "电池片", "c"), ("Product", "组件", "d"), ("Product", "光伏玻璃", "e"),
    ])
    assert {(x, "partOfChain", "pv") for x in "abcde"} <= got


def test_company_that_completed_a_line_invests_in_it():
    text = "戊戌电池有限公司建成年产10GWh动力电池生产线。"
    got = triples(text, [("Company", "戊戌电池有限公司", "c"), ("Project", "年产10GWh动力电池生产线", "p")])
    assert ("c", "investor", "p") in got


def test_product_is_not_part_of_the_industry_of_the_same_name():
    text = "稀土、稀土永磁材料等稀土行业加快发展。"
    got = triples(text, [
        ("Product", "稀土", "稀土"), ("Product", "稀土永磁材料", "magnet"), ("IndustryChain", "稀土行业", "稀土"),
    ])
    assert ("magnet", "partOfChain", "稀土") in got
    assert ("稀土", "partOfChain", "稀土") not in got


def test_product_after_used_for_is_not_made():
    text = "己亥新材料公司生产的金刚线主要用于硅片切割。"
    got = triples(text, [
        ("Company", "己亥新材料公司", "a"), ("Product", "金刚线", "wire"), ("Product", "硅片", "wafer"),
    ])
    assert ("a", "produces", "wire") in got
    assert ("a", "produces", "wafer") not in got


def test_product_named_as_the_input_of_another():
    text = "六氟磷酸锂是电解液的核心原料，石英坩埚是拉制单晶硅棒的关键耗材。"
    got = triples(text, [
        ("Product", "六氟磷酸锂", "a"), ("Product", "电解液", "b"),
        ("Product", "石英坩埚", "c"), ("Product", "单晶硅棒", "d"),
    ])
    assert {("a", "upstreamOf", "b"), ("c", "upstreamOf", "d")} <= got
    assert ("b", "upstreamOf", "a") not in got


def test_product_used_to_make_another_is_upstream():
    text = "当地碳酸锂主要用于生产正极材料。"
    got = triples(text, [("Product", "碳酸锂", "a"), ("Product", "正极材料", "b")])
    assert ("a", "upstreamOf", "b") in got


def test_product_said_to_be_a_link_of_a_chain_belongs_to_it():
    text = "石英坩埚是光伏产业链的关键辅材，钕铁硼属于稀土新材料。"
    got = triples(text, [
        ("Product", "石英坩埚", "a"), ("IndustryChain", "光伏", "pv"),
        ("Product", "钕铁硼", "b"), ("IndustryChain", "稀土新材料", "re"),
    ])
    assert {("a", "partOfChain", "pv"), ("b", "partOfChain", "re")} <= got


def test_purpose_chain_named_twice_still_takes_the_products():
    text = "推动铝产业向精深加工延伸，重点发展铝合金、铝型材等产品，打造千亿级铝产业集群。"
    got = triples(text, [
        ("IndustryChain", "铝产业", "al"), ("Product", "铝合金", "a"), ("Product", "铝型材", "b"),
        ("IndustryChain", "铝产业", "al"),
    ])
    assert {("a", "partOfChain", "al"), ("b", "partOfChain", "al")} <= got


def test_company_named_right_before_its_product_in_a_list():
    text = "辛酉重工矿山装备、壬戌集团拖拉机等产品市场占有率保持前列。"
    got = triples(text, [
        ("Company", "辛酉重工", "a"), ("Product", "矿山装备", "mine"),
        ("Company", "壬戌集团", "b"), ("Product", "拖拉机", "tractor"),
    ])
    assert {("a", "produces", "mine"), ("b", "produces", "tractor")} <= got
def test_a_place_and_what_it_brought_in():
    """西华县引进的P已建成投产，项城市…: the place opening a clause before 引进的 locates the
    projects of that clause only."""
    county = (("code", "411622"), ("level", "county"), ("parent", "411600"))
    county2 = (("code", "411681"), ("level", "county"), ("parent", "411600"))
    text = "西华县引进的甲乙智能机器人生产建设项目已建成投产，项城市共签约丙丁项目。"
    got = triples(text, [("Region", "西华县", "xh", county), ("Project", "甲乙智能机器人生产建设项目", "p1"),
                         ("Region", "项城市", "xc", county2), ("Project", "丙丁项目", "p2")])
    assert ("p1", "locatedIn", "xh") in got, got
    assert ("p2", "locatedIn", "xh") not in got, got


def test_a_title_after_another_organs_title_is_not_the_companys():
    """甲乙电力集团党组书记、副总经理孙保平，自治区党委常委、自治区副主席钱逸阳: 孙保平 is the group's,
    钱逸阳 (a title of the region's organs) is not."""
    text = "甲乙电力集团党组书记、副总经理孙保平，自治区党委常委、自治区副主席钱逸阳出席仪式。"
    got = triples(text, [("Company", "甲乙电力集团", "gd"), ("Person", "孙保平", "q"), ("Person", "钱逸阳", "p")])
    assert ("q", "memberOf", "gd") in got, got
    assert ("p", "memberOf", "gd") not in got, got


def test_links_of_a_chain_written_as_a_path_are_not_the_leaders_products():
    """以C为链主，形成了整车制造—关键零部件—汽车电子的链条: the path names the chain's links;
    制造 in it is no verb of C's production. A plain 制造 still is."""
    text = "该区以甲乙汽车为链主企业，形成了整车制造—关键零部件—汽车电子的完整链条。丙丁电子主要制造汽车电子。"
    got = triples(text, [
        ("Company", "甲乙汽车", "c"), ("Product", "整车", "car"), ("Product", "汽车电子", "ae"),
        ("Company", "丙丁电子", "d"), ("Product", "汽车电子", "ae"),
    ])
    assert ("c", "produces", "ae") not in got
    assert ("d", "produces", "ae") in got


def test_numbered_items_under_a_heading_that_is_a_place_lie_there():
    """二、某市 / 2. P。… : the items of a section headed by a place lie in it (also under a
    sub-heading that is no place); a heading that is no place locates nothing."""
    text = ("陕西省重点项目进展\n\n一、西安市\n（一）产业项目\n1. 甲乙汽车零部件扩能项目。总投资120亿元。\n"
            "二、榆林市\n2. 丙丁煤制烯烃项目。总投资198亿元。\n三、其他\n3. 戊己光伏项目。\n")
    ex = extracted(text)
    got = related(ex, "locatedIn")
    assert ("甲乙汽车零部件扩能项目", "610100") in got
    assert ("丙丁煤制烯烃项目", "610800") in got
    assert ("戊己光伏项目", "610800") not in got


def test_a_report_headed_by_a_zone_puts_its_unplaced_projects_there():
    """甲乙经开区：X项目完成主体结构施工 — the report is about the zone; its project lies there."""
    text = ("德阳经开区：甲乙清洁能源装备产业园项目完成主体结构施工\n\n记者从德阳经济技术开发区获悉，"
            "由甲乙有限公司投资建设的清洁能源装备产业园项目已完成主体结构施工。")
    ex = extracted(text)
    got = {(r.subject[0], r.object[0]) for r in ex.relations
           if r.predicate == "locatedIn" and r.subject[0] == "Project"}
    assert got == {("Project", "DevelopmentZone")}, ex.relations


def test_a_sentence_about_the_project_named_before_says_what_it_makes():
    """P…。\\n\\n该项目于…开工建设，总投资…，主要生产A和B: the project makes A and B."""
    text = ("由甲乙有限公司投资建设的清洁能源装备产业园项目已完成主体结构施工。\n\n"
            "该项目于2025年3月开工建设，计划2026年12月竣工投产，总投资36.8亿元，占地约800亩，主要生产燃气轮机和储能装备。")
    ex = extracted(text)
    got = related(ex, "produces")
    assert {("清洁能源装备产业园项目", "燃气轮机"), ("清洁能源装备产业园项目", "储能装备")} <= got, got


def test_a_zone_signing_an_agreement_to_build_a_project_hosts_it():
    """某高新区与C签订投资协议，将建设P: C invests in P, which lies in the zone and is signed."""
    text = "12月1日，赣州高新技术产业开发区与甲乙磁材科技有限公司签订投资协议，将建设年产2万吨高性能钕铁硼永磁材料项目。"
    ex = extracted(text)
    got = {(r.subject[1], r.predicate, r.object[1]) for r in ex.relations}
    p = "年产2万吨高性能钕铁硼永磁材料项目"
    assert ("甲乙磁材科技有限公司", "investor", p) in got
    assert any(s == p and pr == "locatedIn" and o.endswith("高新区") for s, pr, o in got), got
    assert (p, "hasStatus", "signed") in got


def test_a_zone_opening_a_sentence_with_inside_places_its_project():
    """X开发区内，C年产…项目已完成设备采购: the project lies in the zone."""
    text = "甲乙高新技术产业开发区内，丙丁股份有限公司年产10万吨聚乳酸项目已完成设备采购，正在进行厂房建设。"
    ex = extracted(text)
    got = {(r.subject[0], r.object[0]) for r in ex.relations
           if r.predicate == "locatedIn" and r.subject[0] == "Project"}
    assert ("Project", "DevelopmentZone") in got, ex.relations


def test_a_supplier_makes_what_it_supplies_to_its_customer():
    """C为D供应P等原料 / C长期为D提供A和B: C makes them; D, the customer, does not."""
    ex = extracted("其中，甲乙石化有限公司为丙丁化学供应丙烯等原料。")
    got = related(ex, "produces")
    assert got == {("甲乙石化有限公司", "丙烯")}, got
    ex = extracted("甲乙材料有限公司长期为丙丁汽车提供轮胎和汽车座椅。")
    got = related(ex, "produces")
    assert got == {("甲乙材料有限公司", "轮胎"), ("甲乙材料有限公司", "汽车座椅")}, got


def test_polyurethane_chain_products_are_read():
    """中游为MDI、TDI、聚醚多元醇等化工新材料: the polyurethane chain's products are products."""
    ex = extracted("甲乙化学集团股份有限公司是全球最大的MDI生产企业。中游为MDI、TDI、聚醚多元醇等化工新材料。")
    assert {"MDI", "TDI", "聚醚多元醇"} <= {m.text for m in ex.mentions if m.type == "Product"}
    assert ("甲乙化学集团股份有限公司", "MDI") in related(ex, "produces")


def test_a_zone_holding_a_signing_hosts_the_projects_signed():
    """X开发区举行…集中签约仪式，…签约项目包括：A、B等: the signed projects lie in the zone."""
    text = ("12月2日，甲乙经济技术开发区举行第四季度项目集中签约仪式，共签约项目7个，总投资86亿元。签约项目包括："
            "丙丁新材料有限公司年产5万吨单晶硅棒项目（投资30亿元）、戊己生物科技有限公司年产2000吨维生素项目（投资8亿元）等。")
    ex = extracted(text)
    got = {(r.subject[1], r.object[0]) for r in ex.relations if r.predicate == "locatedIn" and r.subject[0] == "Project"}
    assert sorted(o for _s, o in got) == ["DevelopmentZone", "DevelopmentZone"], got
    assert {s.endswith("单晶硅棒项目") or s.endswith("维生素项目") for s, _o in got} == {True}, got


def test_a_department_that_speaks_of_projects_does_not_invest_in_them():
    """某市发展和改革委员会介绍，…开工项目52个，…其中包括C的P: the department speaks; C invests."""
    text = "南昌市发展和改革委员会介绍，主会场共开工项目52个，总投资416亿元，其中包括丙丁汽车新能源乘用车扩能项目等。"
    ex = extracted(text)
    assert not [r for r in ex.relations if r.predicate == "investor" and r.subject[0] == "GovernmentBody"]


def test_a_project_for_a_products_packaging_does_not_make_the_product():
    """甲乙酒类包装材料产业园项目: it makes packaging for liquor, not liquor."""
    ex = extracted("1. 甲乙酒业园区酒类包装材料产业园项目：拟投资15亿元，建设包装材料生产线。")
    assert "酒类" not in {r.object[1] for r in ex.relations if r.predicate == "produces"}


def test_partners_listed_after_by_invest_together_and_the_base_pronoun_takes_the_figures():
    """P开工。该基地规划建设风电300万千瓦…，由A、B联合投资建设: both invest; the base's capacity."""
    text = ("10月30日，甲乙风光储一体化基地项目在某县集中开工。该基地规划建设风电300万千瓦、光伏200万千瓦，"
            "总投资约420亿元，由丙丁能源集团有限公司、戊己电力股份有限公司联合投资建设。")
    ex = extracted(text)
    investors = {r.subject[1] for r in ex.relations if r.predicate == "investor"}
    assert investors == {"丙丁能源集团有限公司", "戊己电力股份有限公司"}, investors
    assert {q.subject[1] for q in ex.quantities if q.kind == "capacity"} == {"甲乙风光储一体化基地项目"}


def test_a_zone_heading_the_report_places_nothing_when_other_zones_are_named():
    """甲乙新区：…项目… 位于丙丁经济技术开发区: with other zones named, the headline's zone is no
    default place of the projects."""
    text = ("天津滨海新区：集成电路项目加速落地\n\n甲乙晶圆代工生产线项目二期项目正在开展厂房建设。"
            "该项目总投资75亿美元，位于天津西青经济技术开发区。")
    ex = extracted(text)
    assert not [r for r in ex.relations if r.predicate == "locatedIn" and r.subject[0] == "Project"
                and "滨海新区" in r.object[1]], ex.relations


@pytest.mark.parametrize("name, served", [
    ("新能源重卡换电站项目", "新能源重卡"), ("甲乙氢燃料电池汽车加氢站项目", "氢燃料电池汽车"),
    ("甲乙动力电池检测中心项目", "动力电池")])
def test_a_project_that_serves_a_product_does_not_make_it(name, served):
    """重卡换电站, 汽车加氢站, 电池检测中心: the station or centre serves the product."""
    ex = extracted(f"1. {name}：拟投资12亿元。")
    assert served not in {o for _s, o in related(ex, "produces")}


@pytest.mark.parametrize("text, zone, district", [
    ("甲乙科技有限公司落户海淀区丙丁科学城，建设人形机器人关节模组生产线项目。", "海淀区丙丁科学城", "海淀区"),
    ("甲乙钢联有限公司年产30万吨冷轧硅钢项目（海城市丙丁经济开发区）。", "海城市丙丁经济开发区", "海城市"),
    ("项目名称：年产30万吨可降解塑料项目\n建设地点：福建省漳州市丙丁港经济开发区\n",
     "福建省漳州市丙丁港经济开发区", "漳州市"),
])
def test_a_zone_lies_in_the_district_written_before_it(text, zone, district):
    """海淀区X科学城: the district in full before the zone's own name locates the zone (not only
    its city, as for a county that is itself the zone's name)."""
    ex = extracted(text)
    lab = labels(ex)
    loc = {(lab.get(r.subject), lab.get(r.object)) for r in ex.relations if r.predicate == "locatedIn"}
    assert (zone, district) in loc, loc


def test_a_product_naming_customers_in_a_later_clause_is_not_made():
    """C生产铝合金车身结构件，已进入多家整车企业供应链: C makes the parts, not vehicles."""
    ex = extracted("庚辛汽车部件有限公司生产铝合金车身结构件，已进入多家整车企业供应链。")
    lab = labels(ex)
    made = {lab.get(o) for s, o in ((r.subject, r.object) for r in ex.relations if r.predicate == "produces")}
    assert "铝合金车身" in made and not made & {"整车", "汽车"}, made


@pytest.mark.parametrize("text", [
    "丙丁新能源有限公司总部位于江苏常州。",
    "丙丁新能源有限公司是甲乙控股集团的全资子公司，总部位于江苏常州。",
])
def test_a_firm_lies_where_its_headquarters_are(text):
    """C…，总部位于江苏常州: the firm the sentence is about lies in 常州 (the last of the places
    written together), and the group named in between does not."""
    ex = extracted(text)
    lab = labels(ex)
    loc = {(lab.get(r.subject), r.object[1]) for r in ex.relations if r.predicate == "locatedIn"}
    assert ("丙丁新能源有限公司", "320400") in loc, loc
    assert not any(s == "甲乙控股集团" for s, _ in loc), loc


def test_a_firm_that_belongs_to_a_group_is_its_member_and_makes_its_own_products():
    """C隶属于G，主要产品为P: C is a member of G, and C (not G) makes P."""
    ex = extracted("甲乙新材料科技有限公司隶属于丙丁控股集团，主要产品为碳纤维原丝和碳纤维复合材料。")
    lab = labels(ex)
    rel = {(lab.get(r.subject), r.predicate, lab.get(r.object)) for r in ex.relations}
    assert ("甲乙新材料科技有限公司", "memberOf", "丙丁控股集团") in rel, rel
    assert ("甲乙新材料科技有限公司", "produces", "碳纤维原丝") in rel, rel
    assert not any(s == "丙丁控股集团" and p == "produces" for s, p, _ in rel), rel


def test_the_city_where_an_agreement_was_signed_is_no_projects_place_and_the_project_is_signed():
    """某市政府与C在北京签署P投资协议: P is signed, and Beijing is only where the parties met."""
    ex = extracted("11月28日，某市人民政府与丙丁集团有限公司在北京签署年产50万吨绿色甲醇项目投资协议。")
    lab = labels(ex)
    rel = {(lab.get(r.subject), r.predicate, lab.get(r.object) or r.object[1]) for r in ex.relations}
    assert ("年产50万吨绿色甲醇项目", "hasStatus", "signed") in rel, rel
    assert not any(p == "locatedIn" and s == "年产50万吨绿色甲醇项目" for s, p, _ in rel), rel


@pytest.mark.parametrize("sentence", ["该项目位于戊己化工园区，总投资约80亿元。", "项目拟选址某市戊己化工园区，总投资约80亿元。"])
def test_the_project_a_pronoun_points_back_to_lies_where_its_sentence_says(sentence):
    """P…。该项目位于Z / 项目拟选址某市Z: P lies in Z (the park, the last of the places)."""
    ex = extracted("丙丁集团有限公司签署年产50万吨绿色甲醇项目投资协议。" + sentence)
    lab = labels(ex)
    loc = {(lab.get(r.subject), lab.get(r.object)) for r in ex.relations if r.predicate == "locatedIn"}
    assert any(s == "年产50万吨绿色甲醇项目" and o.endswith("戊己化工园区") for s, o in loc), loc
