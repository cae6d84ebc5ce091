"""Entity mentions: behaviour users rely on, on hand-written sentences of the genre."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kg.errors import IngestError
from kg.extract.entities import extract_mentions
from kg.ingest import ingest_text


def _mentions(text: str):
    ms, canon = extract_mentions(ingest_text(text))
    return ms, canon


def _pairs(text: str, type_: str | None = None) -> set[tuple[str, str]]:
    ms, _ = _mentions(text)
    return {(m.type, m.text) for m in ms if type_ is None or m.type == type_}


def test_company_full_name_stops_at_verb():
    got = _pairs("会议期间，市政府指导河东新材料科技有限公司与本地企业成立合资公司。", "Company")
    assert ("Company", "河东新材料科技有限公司") in got


def test_project_does_not_swallow_location_adverbial():
    got = _pairs("东方能源科技股份有限公司在晋城经济技术开发区落地碳化硅衬底材料项目。")
    assert ("Project", "碳化硅衬底材料项目") in got
    assert ("DevelopmentZone", "晋城经济技术开发区") in got
    assert ("Company", "东方能源科技股份有限公司") in got


def test_signing_verbs_do_not_start_a_project_name():
    """签订 (to sign) before the project is the sentence's verb, not part of the name."""
    text = "11月18日，某某经济技术开发区管委会与甲乙动力科技有限公司签订年产20GWh动力电池项目投资协议。"
    got = _pairs(text, "Project")
    assert got == {("Project", "年产20GWh动力电池项目")}


def test_a_headline_about_a_new_project_names_no_project():
    """A news headline (<zone><chain>再添新项目) reports that there is a new project; it is
    not the project's name, and the zone in it is no company."""
    text = "曲靖经开区新能源汽车产业链再添新项目\n该区与甲乙动力科技有限公司签约年产20GWh动力电池项目。"
    got = _pairs(text)
    assert not any(t == "Project" and "再添" in s for t, s in got)
    assert ("DevelopmentZone", "曲靖经开区") in got
    assert not any(t == "Company" and s == "经开区" for t, s in got)


@pytest.mark.parametrize("name, zone_word", [
    ("曲靖高新区锂电材料产业园", "高新区"),
    ("曲靖麒麟新区动力电池产业园二期", "麒麟新区"),
])
def test_a_zone_that_starts_a_project_name_is_not_taken_for_its_company(name, zone_word):
    """A project named after its zone (<city><zone>X产业园) has no owner in its name: the
    zone word is not a company's short name (nor the investor of the project)."""
    got = _pairs(f"加快推进{name}建设，确保三季度投用。")
    assert ("Project", name) in got
    assert not any(t == "Company" and zone_word in s for t, s in got)


@pytest.mark.parametrize("company", ["恒川锂业", "丰原钴业", "岳峰电气", "川江股份", "北辰光子"])
def test_a_brand_with_a_trade_word_before_a_project_is_a_company(company):
    """<brand><trade word> (锂业, 钴业, 电气, 股份…) opening a project name is its owner."""
    got = _pairs(f"加快推进{company}年产5万吨电池级氢氧化锂项目建设。")
    assert ("Company", company) in got


def test_a_product_ending_in_a_trade_word_is_not_a_company():
    """功率半导体 (power semiconductors) ends with the trade word 半导体 but is a product
    of the vocabulary: a project named after it has no company in its name."""
    got = _pairs("甲乙研究所投资12亿元的功率半导体二期项目进入设备调试阶段。")
    assert ("Project", "功率半导体二期项目") in got
    assert not any(t == "Company" and "功率" in s for t, s in got)


def test_an_enterprise_research_institute_is_a_company():
    """GUIDELINES: enterprise research institutes are companies (研究院, 设计院, 研究所)."""
    got = _pairs("甲乙电力机车研究所投资12亿元建设功率器件二期项目。", "Company")
    assert ("Company", "甲乙电力机车研究所") in got


@pytest.mark.parametrize("name", ["某某建设投资集团有限公司", "甲乙置地投资有限公司", "甲乙建工建设有限公司",
                                  "甲乙新区开发建设有限公司", "甲乙（中国）投资有限公司"])
def test_business_words_before_a_legal_suffix_stay_in_the_company_name(name):
    """建设, 投资 and 开发 are verbs that cut names, except where they end the name part of
    a legal company name (城投, 建投, investment holdings: common builders of projects)."""
    got = _pairs(f"{name}负责实施该项目。要加大建设投资力度。", "Company")
    assert got == {("Company", name)}


def test_a_list_of_companies_with_a_trade_before_the_cue():
    """A、B等动力电池企业 / A、B等知名企业 list companies as A、B等企业 does; a list
    followed by another phrase (A、B等能源企业 of products) does not make the items companies."""
    got = _pairs("园区引进恒川科技、岳峰智造等动力电池企业。", "Company")
    assert {("Company", "恒川科技"), ("Company", "岳峰智造")} <= got
    got = _pairs("吸引了恒川科技、岳峰智造等知名企业入驻。", "Company")
    assert {("Company", "恒川科技"), ("Company", "岳峰智造")} <= got
    assert not _pairs("煤炭、电力等能源企业用电增长。", "Company")


def test_a_listed_company_may_hold_a_one_character_stop_word():
    """为 is a preposition, but 恒为 in a list of companies is a brand."""
    got = _pairs("与恒川科技、恒为智造等企业合作。", "Company")
    assert {("Company", "恒川科技"), ("Company", "恒为智造")} <= got


def test_the_customer_word_before_a_company_is_not_part_of_its_name():
    got = _pairs("其下游客户甲乙新锂能源科技有限责任公司，主要生产磷酸铁锂正极材料。", "Company")
    assert got == {("Company", "甲乙新锂能源科技有限责任公司")}


def test_a_counted_class_of_projects_is_not_a_project():
    """新能源及新型储能项目112个 counts the projects of a class; the named ones follow."""
    got = _pairs("新能源及新型储能项目112个，包括甲乙风光储一体化项目、丙丁绿电铝一体化项目等。", "Project")
    assert not any("新型储能项目" in s for _t, s in got)
    assert ("Project", "甲乙风光储一体化项目") in got


def test_a_phase_opening_a_clause_with_its_stage_is_a_project_of_its_own():
    """"P一期已投产，二期正在进行设备安装": 二期 is P's second phase (canonical P + 二期)."""
    ms, _ = _mentions("甲乙电池材料产业园项目一期已投产，二期正在进行设备安装。")
    keys = {(m.text, m.key) for m in ms if m.type == "Project"}
    assert ("二期", "甲乙电池材料产业园项目二期") in keys


@pytest.mark.parametrize("text", ["投资50亿！这个储能项目落户某某市", "该储能项目开工建设。",
                                  "甲乙储能项目总投资83亿元，建成后年产32万吨换流站。"])
def test_references_and_predicates_are_not_project_names(text):
    """这个/该 + 项目 refers to a project named elsewhere; after 建成后 comes what the
    project will make, not another project."""
    got = _pairs(text, "Project")
    assert not any(s.startswith(("这个", "该", "后")) or s in ("储能项目", "年产32万吨换流站")
                   for _t, s in got), got


def test_a_park_used_as_a_place_is_a_zone_throughout_the_text():
    """在X产业园投资 / X产业园已集聚…企业: the park is a place (GUIDELINES §2), also in the
    headline that names it alone; a park listed among projects stays a project."""
    text = ("某某零碳产业园 再迎新项目\n甲乙科技集团将在某某零碳产业园投资20亿元，建设储能电池工厂。"
            "某某零碳产业园已集聚甲乙动力、丙丁绿能等12家绿色制造企业。")
    got = _pairs(text)
    assert ("DevelopmentZone", "某某零碳产业园") in got
    assert ("Project", "某某零碳产业园") not in got
    assert {("Company", "甲乙动力"), ("Company", "丙丁绿能")} <= got


@pytest.mark.parametrize("text, place", [
    ("其中，甲乙岛炼化一体化项目一期已全面投产。", "甲乙岛"),
    ("甲乙能源集团渤中海上风电项目累计并网容量突破200万千瓦。", "渤中海上"),
])
def test_a_place_of_nature_opening_a_project_name_is_no_company(text, place):
    """<island>/<sea area> before a project's head is where it is, not who owns it."""
    got = _pairs(text, "Company")
    assert not any(s == place for _t, s in got)


def test_a_slogan_about_projects_names_no_project():
    got = _pairs("今年以来，曲靖市坚持项目为王，全市新建项目已开工1282个。", "Project")
    assert not got


def test_departments_with_long_names_are_government_bodies():
    """省工业和信息化厅 (和 is a stop word inside the suffix), 投资促进局 and the like."""
    got = _pairs("省工业和信息化厅、曲靖市投资促进局与甲乙科技有限公司签订合作协议，省自然资源厅保障用地。",
                 "GovernmentBody")
    assert {("GovernmentBody", "省工业和信息化厅"), ("GovernmentBody", "曲靖市投资促进局"),
            ("GovernmentBody", "省自然资源厅")} <= got


def test_a_long_project_name_in_a_list_does_not_start_inside_a_verb():
    """The name window stops 24 characters before the head; a verb it cuts in two (推进)
    still ends before the name."""
    text = "重点推进甲乙（中国）半导体有限公司闪存芯片封装测试项目、丙丁新能源汽车零部件产业园等项目建设。"
    got = _pairs(text, "Project")
    assert ("Project", "甲乙（中国）半导体有限公司闪存芯片封装测试项目") in got
    assert not any(s.startswith("进") for _t, s in got)


def test_a_stop_word_inside_a_product_name_does_not_cut_the_project_name():
    """等 ends a list (A、B等项目), but inside a product of the vocabulary (等静压石墨,
    isostatic graphite) it is part of the name: cut there, every such project of every
    document became one 静压石墨项目."""
    got = _pairs("河东炭素科技有限公司在长治高新区落地河东炭素年产3万吨等静压石墨项目，总投资12亿元。",
                 "Project")
    assert got == {("Project", "河东炭素年产3万吨等静压石墨项目")}
    # a list's 等 still ends the name before the head
    got = _pairs("推进华峰新能源电池、宏远8英寸晶圆等项目建设。", "Project")
    assert ("Project", "宏远8英寸晶圆") in got and not any(t.startswith("等") for _ty, t in got)


def test_list_items_are_projects_with_shared_head_in_canonical():
    ms, canon = _mentions("推进华峰新能源电池、宏远8英寸晶圆等项目建设。")
    items = {m.text: m for m in ms if m.type == "Project"}
    assert "宏远8英寸晶圆" in items
    assert canon[("Project", items["宏远8英寸晶圆"].key)] == "宏远8英寸晶圆项目"


def test_aggregate_is_not_a_project():
    got = _pairs("全市63个省级重点工程建设项目中，33个续建项目全部复工。", "Project")
    assert got == set()


def test_region_short_name_and_rank_false_join():
    got = _pairs("长治县处级以上领导干部深入一线。", "Region")
    assert got == {("Region", "长治")}


def test_region_codes_and_levels():
    ms, _ = _mentions("山西省朔州市平鲁区")
    regs = {m.text: dict(m.attrs) for m in ms if m.type == "Region"}
    assert regs["山西省"]["level"] == "province"
    assert regs["朔州市"]["code"] == "140600"
    assert regs["朔州市"]["parent"] == "140000"


def test_deictic_zone_joins_the_unique_zone():
    ms, canon = _mentions("晋城经济技术开发区今年新签项目20个。全年，开发区税收增长12%。")
    zones = [m for m in ms if m.type == "DevelopmentZone"]
    assert len({m.key for m in zones}) == 1
    deictic = [m for m in zones if m.text == "开发区"]
    assert deictic and deictic[0].attr("deictic") == "1"
    assert canon[("DevelopmentZone", zones[0].key)] == "晋城经济技术开发区"


def test_short_and_full_zone_name_share_a_group():
    ms, _ = _mentions("晋城经济技术开发区成立于2006年。晋城开发区聚焦新材料产业。")
    keys = {m.key for m in ms if m.type == "DevelopmentZone"}
    assert len(keys) == 1


def test_group_base_name_is_an_alias():
    ms, canon = _mentions("华峰集团旗下企业投产。华峰还将扩建基地。")
    comp = [m for m in ms if m.type == "Company"]
    assert {m.text for m in comp} == {"华峰集团", "华峰"}
    assert len({m.key for m in comp}) == 1


def test_person_after_title():
    got = _pairs("公司董事长王建国表示，项目年内投产。", "Person")
    assert got == {("Person", "王建国")}


def test_products_and_industries_from_vocabulary():
    got = _pairs("企业主要生产光伏玻璃和磷酸锰铁锂，推动光伏产业发展。")
    assert ("Product", "光伏玻璃") in got
    assert ("Product", "磷酸锰铁锂") in got
    assert ("IndustryChain", "光伏产业") in got


def test_government_body_with_region_prefix():
    got = _pairs("记者从晋城市交通局了解到，市交通局今年安排项目16项。", "GovernmentBody")
    assert ("GovernmentBody", "晋城市交通局") in got


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="长治高新区项目公司集团有限在落地的、等产业光伏水泥市委123", max_size=60))
def test_mentions_are_well_formed_and_deterministic(text):
    try:
        doc = ingest_text(text)
    except IngestError:
        assume(False)
    ms1, c1 = extract_mentions(doc)
    ms2, c2 = extract_mentions(doc)
    assert ms1 == ms2 and c1 == c2
    for m in ms1:
        assert doc.text[m.start:m.end] == m.text
        assert (m.type, m.key) in c1


SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"


@pytest.mark.skipif(not (SHARED / "seed" / "gold.json").exists(), reason="shared eval set absent")
def test_seed_key_entities_found():
    text = (SHARED.parent / "seeds" / "000_e439af9d8f037c90.txt").read_text(encoding="utf-8")
    got = _pairs(text)
    assert ("DevelopmentZone", "长治高新区") in got
    assert ("Project", "磷酸锰铁锂正极材料项目") in got
    assert ("Company", "山西特瓦时能源科技股份有限公司") in got
    assert ("Region", "长治") in got and ("Region", "长治县") not in got


# --------------------------------------------------------------------------- round 2


def _canon_of(text: str, type_: str, mention: str) -> str:
    ms, canon = _mentions(text)
    for m in ms:
        if m.type == type_ and m.text == mention:
            return canon[(m.type, m.key)]
    raise AssertionError(f"no {type_} mention {mention!r} in {[(m.type, m.text) for m in ms]}")


def test_phase_with_section_takes_parent_name():
    text = "青岭线拓宽改造工程一期石桥至东岭段路基已完成；二期东岭至南湾段将随即跟上。"
    assert _canon_of(text, "Project", "一期石桥至东岭段") == "青岭线拓宽改造工程一期石桥至东岭段"
    assert _canon_of(text, "Project", "二期东岭至南湾段") == "青岭线拓宽改造工程二期东岭至南湾段"
    assert ("Project", "青岭线拓宽改造工程") in _pairs(text, "Project")


def test_standalone_phase_with_investment_takes_preceding_project():
    text = "东岭燃气综合利用项目总投资5亿元，一期投资2亿元，二期投资3亿元。"
    assert _canon_of(text, "Project", "一期") == "东岭燃气综合利用项目一期"
    assert _canon_of(text, "Project", "二期") == "东岭燃气综合利用项目二期"


def test_list_item_that_is_a_bare_brand_is_a_company():
    got = _pairs("加快华腾、宏远汽车零部件等项目建设。")
    assert ("Company", "华腾") in got
    assert ("Project", "宏远汽车零部件") in got


def test_list_head_with_category_word_goes_to_canonical():
    text = "开工750千伏青岭、330千伏东湾等输变电工程。"
    assert _canon_of(text, "Project", "750千伏青岭") == "750千伏青岭输变电工程"


@pytest.mark.parametrize("text,bad", [
    ("该高铁桥梁工程已完工。", "该高铁桥梁工程"),
    ("承接航空航天重大项目。", "航空航天重大项目"),
    ("一批光伏玻璃生产线落地。", "光伏玻璃生产线"),
    ("该公司已有4条生产线。", "4条生产线"),
])
def test_generic_or_aggregate_projects_are_dropped(text, bad):
    assert not any(t == bad or t.endswith(bad) for _ty, t in _pairs(text, "Project"))


def test_a_project_head_that_starts_a_product_name_is_not_a_project():
    """建成后年产21万吨工程机械: 工程 begins the product 工程机械; no project 后年产21万吨工程,
    no company 后年产 owning it, and the figures stay with the named project."""
    text = ("某某科技有限公司在某某经济技术开发区落地某某年产21万吨工程机械项目，总投资7.3亿元，"
            "建成后年产21万吨工程机械，年产值可达37亿元。")
    got = _pairs(text)
    assert ("Product", "工程机械") in got
    assert {t for ty, t in got if ty == "Project"} == {"某某年产21万吨工程机械项目"}
    assert not any(t.startswith("后") for _ty, t in got)
    got = _pairs("某某公司投资建设的年产5万吨工程塑料项目开工。")
    assert {t for ty, t in got if ty == "Project"} == {"年产5万吨工程塑料项目"}
    # a name that ends in the head is still a project
    assert ("Project", "太原至晋城高速公路改扩建工程") in _pairs("太原至晋城高速公路改扩建工程已完工。")


def test_apposition_head_before_name_is_cut():
    got = _pairs("外送工程的控制性工程青石枢纽下闸蓄水。", "Project")
    assert ("Project", "青石枢纽") in got


def test_person_variants():
    got = _pairs("市领导王建明、李秋农出席，公司总裁张丽华致辞。省长 刘强表示，分析师周阳告诉记者。")
    for name in ("王建明", "李秋农", "张丽华", "刘强", "周阳"):
        assert ("Person", name) in got
    assert ("Person", "周阳告") not in got


def test_utility_words_are_not_products_and_chain_term_is_trimmed():
    got = _pairs("全省电力装机增长，储能技术快速发展，储能产业规模扩大。")
    assert ("Product", "电力") not in got
    assert ("IndustryChain", "储能") in got
    assert ("IndustryChain", "储能技术") not in got


def test_company_short_name_before_company_verb():
    got = _pairs("华腾电器投资50亿元建设西南基地。", "Company")
    assert ("Company", "华腾电器") in got


def test_company_list_with_cue():
    got = _pairs("华泰、海鸥、红石等巨头纷纷布局西南市场。", "Company")
    assert {("Company", "海鸥"), ("Company", "红石")} <= got


def test_nested_region_anchor_is_marked_nested():
    ms, _ = _mentions("推进榆林煤化工二期项目建设。")
    regs = [m for m in ms if m.type == "Region" and m.text == "榆林"]
    assert regs and ("nested", "1") in regs[0].attrs


def test_a_capacity_phrase_is_no_company_short_name():
    # 建成后年产…换流站 reads like <brand>年产…站 to the project-prefix rule; 后年产 is no
    # brand, and it must not become a company that every 建成后年产 of the text then names
    text = ("东方储能科技有限公司在河东经济技术开发区落地东方储能年产8万吨换流阀项目，总投资3亿元，"
            "建成后年产24万吨换流站，年产值可达5亿元。西岭新材料有限公司投资建设西岭新材年产5万吨"
            "负极材料项目，建成后年产5万吨负极材料。")
    companies = {m.text for m in _mentions(text)[0] if m.type == "Company"}
    assert not any("年产" in c for c in companies), companies
    assert {"东方储能科技有限公司", "西岭新材料有限公司"} <= companies


def test_a_list_number_is_no_part_of_a_project_name():
    # items of a plan numbered 1. / 2、 / (3): the number is the list's, not the project's
    text = ("一、新兴产业项目\n1．甲乙汽车第二制造基地项目。建设单位：甲乙汽车有限公司。\n"
            "2、丙丁新材料年产5万吨正极材料项目。\n（3）戊己电子智能终端产业园项目。")
    projects = {m.text for m in _mentions(text)[0] if m.type == "Project"}
    assert {"甲乙汽车第二制造基地项目", "丙丁新材料年产5万吨正极材料项目", "戊己电子智能终端产业园项目"} <= projects, projects
    assert not any(p[0] in "0123456789（(" for p in projects), projects


def test_a_project_named_after_its_owner_and_undertakings_joined_by_yu():
    # 搬迁与升级: two undertakings of one name, not the parties of 与; the owner's legal name
    # opening it marks a named project though no product of the vocabulary is in it
    text = "12月26日，甲乙化工股份有限公司己二腈搬迁与升级转型发展项目全面投产。"
    ms = _mentions(text)[0]
    projects = {m.text for m in ms if m.type == "Project"}
    assert "己二腈搬迁与升级转型发展项目" in projects, projects
    # a conjunction between parties still ends a name
    ms = _mentions("丙丁集团与甲乙化工股份有限公司签订年产5万吨己二腈项目合作协议。")[0]
    assert {m.text for m in ms if m.type == "Project"} == {"年产5万吨己二腈项目"}


def test_a_list_of_companies_with_yipi_before_the_cue():
    got = _pairs("全年新签约项目31个，引进了甲乙精密、丙丁电子等一批行业龙头企业。", "Company")
    assert {("Company", "甲乙精密"), ("Company", "丙丁电子")} <= got


def test_an_official_announcing_a_start_names_no_project():
    got = _pairs("三明市副市长张某某宣布项目开工。同日开工的还有甲乙竹木加工项目。", "Project")
    assert got == {("Project", "甲乙竹木加工项目")}


@pytest.mark.parametrize("sentence, zone", [
    ("项目位于某某能源化工基地，总投资20亿元。", "某某能源化工基地"),
    ("项目选址某某石化园区。", "某某石化园区"),
    ("项目落户某某物流园区。", "某某物流园区"),
    ("建设地点：某某智能制造产业园；总投资：8亿元。", "某某智能制造产业园"),
    ("项目位于某某空港经济区。", "某某空港经济区"),
    ("项目落户某某航空港经济综合实验区。", "某某航空港经济综合实验区"),
    ("项目落户某某特别合作区。", "某某特别合作区"),
    ("项目位于某某化工园区。", "某某化工园区"),
])
def test_a_base_or_park_used_as_a_place_is_a_zone(sentence, zone):
    got = _pairs(sentence)
    assert ("DevelopmentZone", zone) in got
    assert ("Project", zone) not in got


def test_a_base_where_a_ceremony_is_held_may_be_the_project():
    # 在 alone does not make a place of a base: 在X基地举行开工仪式 starts the base
    got = _pairs("某某新能源产业基地在某某基地举行开工仪式。某某新能源产业基地项目总投资30亿元。")
    assert ("DevelopmentZone", "某某基地") not in got


@pytest.mark.parametrize("zone, region", [("天津经济技术开发区", "天津市"), ("重庆两江新区", "重庆市")])
def test_a_municipality_opening_a_zone_name_is_its_place(zone, region):
    from kg.extract import extract_document
    ex = extract_document(ingest_text(f"项目位于{zone}。"))
    labels = {m.key: m.text for m in ex.mentions}
    assert any(r.predicate == "locatedIn" and r.subject[0] == "DevelopmentZone" and r.object[0] == "Region"
               for r in ex.relations), ex.relations
    assert region[:2] in {m.text for m in ex.mentions if m.type == "Region"}, labels


def test_a_park_with_firms_newly_entering_is_a_place():
    got = _pairs("某某新区动力电池产业园新增入驻企业15家。")
    assert ("DevelopmentZone", "某某新区动力电池产业园") in got
    assert ("Project", "某某新区动力电池产业园") not in got


def test_a_county_short_form_of_another_province_is_no_place():
    # 三江 is the short form of a county of Guangxi; in a text about Sichuan places, 三江新区 is a zone
    from kg.extract import extract_document
    ex = extract_document(ingest_text("宜宾市加快建设三江新区，宜宾临港经济技术开发区新增企业10家。"))
    regions = {m.text for m in ex.mentions if m.type == "Region"}
    assert "三江" not in regions and "宜宾市" in regions
    # among places of its own province, or alone (学习昆山经验), the short form is still that county
    ex = extract_document(ingest_text("柳州市三江县和融水县加快发展。三江茶产业园开工。"))
    assert any(m.text.startswith("三江") for m in ex.mentions if m.type == "Region")
    ex = extract_document(ingest_text("宜宾市落地兴海储能年产13万吨电池项目。"))
    assert "兴海" not in {m.text for m in ex.mentions if m.type == "Region"}
    ex = extract_document(ingest_text("宜宾市组织企业赴昆山学习招商经验。"))
    assert "昆山" in {m.text for m in ex.mentions if m.type == "Region"}


def test_a_brand_before_a_capacity_opens_a_listed_project():
    text = "加快推进甲隆绿能年产10GW高效单晶电池、丙升年产10GW组件、福莱奇年产150万吨光伏玻璃等项目建设。"
    got = _pairs(text, "Company")
    assert {("Company", "甲隆绿能"), ("Company", "丙升"), ("Company", "福莱奇")} <= got
    # a verb before the capacity is no brand
    got = _pairs("加快建设年产10GW高效单晶电池项目，新建年产5万吨正极材料项目。", "Company")
    assert not got, got


def test_one_company_before_deng_after_a_partner_word():
    got = _pairs("链主企业甲乙集团有限公司与丙丁磁材等企业合作，推动上下游协同。", "Company")
    assert ("Company", "丙丁磁材") in got
    got = _pairs("公司与上下游等企业合作，与省内外等企业对接。", "Company")
    assert not got, got


def test_a_park_built_in_phases_is_a_project():
    got = _pairs("总投资12亿元的新型建材产业园一期主体完工。")
    assert ("DevelopmentZone", "新型建材产业园") not in got


def test_works_and_their_supporting_facilities_are_one_project():
    got = _pairs("甲乙钴业将投资建设年产50万吨镍中间品冶炼及配套项目，总投资约300亿元。", "Project")
    assert ("Project", "年产50万吨镍中间品冶炼及配套项目") in got


def test_a_branch_company_is_a_company():
    got = _pairs("签约项目包括：甲乙石化某某分公司芳烃一体化项目，投资25亿元。公司下属分公司5家，该分公司已投产。")
    assert ("Company", "甲乙石化某某分公司") in got
    assert not [g for g in got if g[0] == "Company" and g[1] != "甲乙石化某某分公司"], got


def test_a_phase_opening_a_clause_with_its_main_works():
    got = _pairs("甲乙正极材料项目一期已建成投产，二期主体工程完工，正在进行设备安装调试。", "Project")
    assert ("Project", "二期") in got or any(g[1].endswith("二期") for g in got), got


def test_a_brand_after_a_full_city_name_before_a_capacity():
    got = _pairs("温州市瑞丰兰钧年产12GWh储能电池项目于今年3月开工。", "Company")
    assert ("Company", "瑞丰兰钧") in got


def test_a_municipality_inside_a_project_name_is_its_place():
    from kg.extract import extract_document
    ex = extract_document(ingest_text("甲乙上海超级工厂年产能突破95万辆。"))
    assert any(r.predicate == "locatedIn" and r.object == ("Region", "310000") for r in ex.relations), ex.relations


def test_the_main_works_of_a_named_project_are_no_project_of_their_own():
    got = _pairs("甲乙盐湖工业股份有限公司4万吨/年基础锂盐一体化项目主体工程已全面完工。", "Project")
    assert got == {("Project", "4万吨/年基础锂盐一体化项目")}, got


def test_a_new_area_of_a_free_trade_zone_is_a_zone():
    got = _pairs("甲乙储能超级工厂项目在临港新片区签约。")
    assert ("DevelopmentZone", "临港新片区") in got


def test_a_farming_project_named_by_its_land_is_a_project():
    text = "近年来，某某县实施20万亩生态茶园提质增效项目，总投资3.5亿元。新建11万平方米厂房项目。"
    got = _pairs(text, "Project")
    assert got == {("Project", "20万亩生态茶园提质增效项目")}, got


def test_a_builders_legal_name_with_jianshe_gongcheng():
    got = _pairs("丙丁储能电站项目由庚辛建设工程有限公司承建。", "Company")
    assert ("Company", "庚辛建设工程有限公司") in got


def test_a_zone_opening_a_project_name_is_no_brand():
    got = _pairs("壬癸公司负责子丑化工园区污水处理厂项目的投资建设和运营。")
    assert ("Company", "子丑化工") not in got
    assert ("DevelopmentZone", "子丑化工园区") in got
    assert ("Project", "子丑化工园区污水处理厂项目") in got


def test_a_modifier_after_a_brand_is_the_projects_not_the_brands():
    got = _pairs("钦州子丑绿色船舶修造基地项目总投资23亿元。", "Company")
    assert got == {("Company", "子丑")}, got


def test_a_latin_product_term_inside_a_longer_word_is_no_product():
    got = _pairs("版权所有：某某市人民政府办公室 ICP备案号。", "Product")
    assert not got, got
    # standing alone the term is found
    assert ("Product", "IC") in _pairs("新建IC芯片封装线。", "Product")


def test_a_declared_short_name_is_the_company_wherever_it_occurs():
    text = ("甲乙钴业股份有限公司（以下简称“甲乙钴业”）与某某市人民政府签署投资协议，甲乙钴业将投资建设"
            "年产5万吨镍冶炼项目。甲乙钴业表示，此次投资有助于完善产业链布局。")
    ms = _mentions(text)[0]
    keys = {m.key for m in ms if m.type == "Company"}
    assert len(keys) == 1, [(m.text, m.key) for m in ms if m.type == "Company"]


def test_a_phase_after_the_project_pronoun_is_the_named_projects_phase():
    text = ("走进甲乙年产3万吨铜箔项目建设现场。\n“目前项目一期厂房主体已封顶，正在进行设备安装。”负责人介绍，"
            "项目由丙丁有色金属股份有限公司投资建设。")
    from kg.extract import extract_document
    ex = extract_document(ingest_text(text))
    projects = {m.text: m.key for m in ex.mentions if m.type == "Project"}
    assert "项目一期" not in projects, projects
    assert "甲乙年产3万吨铜箔项目一期" in set(projects.values()), projects
    inv = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "investor"}
    assert ("丙丁有色金属股份有限公司", "甲乙年产3万吨铜箔项目") in inv, inv


def test_a_list_of_supplier_companies_and_one_of_a_class_of_plants():
    text = "某某区以甲乙汽车为链主，引进了丙丁电气、戊己动力等配套企业120余家。甲乙汽车某某工厂是全国规模最大的乘用车工厂之一。"
    got = _pairs(text)
    assert {("Company", "丙丁电气"), ("Company", "戊己动力")} <= got
    assert ("Project", "乘用车工厂") not in got


def test_a_title_a_zone_is_awarded_is_no_project():
    got = _pairs("开发区先后获评国家新型工业化产业示范基地、国家级绿色园区等称号。甲乙新材料产业化示范基地开工建设。", "Project")
    assert got == {("Project", "甲乙新材料产业化示范基地")}, got


def test_project_names_in_quotes():
    text = "现场签约“甲乙智能制造产业园”项目、“丙丁光伏组件”项目等12个项目。“十四五”期间将建设“某某科创大走廊”。"
    ms = _mentions(text)[0]
    projects = {m.text for m in ms if m.type == "Project"}
    assert {"甲乙智能制造产业园", "丙丁光伏组件"} <= projects, projects
    assert "项目" not in projects and "十四五" not in projects


def test_a_slogan_in_quotes_is_no_project_name():
    got = _pairs("破解“两新”项目难题，推动“双碳”项目落地。", "Project")
    assert not got, got


def test_a_list_of_products_before_a_line_names_no_brand():
    got = _pairs("主要建设电芯、模组及PACK生产线。", "Company")
    assert not got, got


@pytest.mark.parametrize("name", ["某某产业投资基金（有限合伙）", "甲乙新能源产业投资基金合伙企业（有限合伙）",
                                  "丁戊股权投资中心（有限合伙）"])
def test_a_limited_partnership_is_a_company(name):
    got = _pairs(f"2023年，由{name}出资10亿元参与丙丁储能项目。", "Company")
    assert ("Company", name) in got, got


def test_verbs_of_a_list_or_a_goal_open_no_name():
    got = _pairs("另有甲乙精密模具有限公司压铸模具项目同场签约，将进一步补齐新区汽车产业链。")
    assert ("Company", "甲乙精密模具有限公司") in got
    assert not any(t == "DevelopmentZone" for t, _n in got), got


def test_what_a_place_is_and_a_threshold_are_no_names():
    got = _pairs("西峡县是全国重要的汽车零部件生产基地，全市现有省级以上开发区13个。")
    assert not any(t in ("Project", "DevelopmentZone") for t, _n in got), got


def test_a_product_phrase_in_a_list_of_projects_is_no_company():
    got = _pairs("重点引进红外热成像模组、激光雷达光学组件、精密光学镜头等项目。", "Company")
    assert not got, got


def test_what_a_project_builds_is_not_a_project_of_its_own():
    text = ("甲乙新材料有限公司年产5万吨碳酸锂项目\n建设内容：建设焙烧、浸出、沉锂生产线及配套设施。\n"
            "项目名称：丙丁双氧水项目；建设内容及规模：建设20万吨/年双氧水装置及公用工程。\n")
    got = {n for t, n in _pairs(text) if t == "Project"}
    assert any(n.endswith("年产5万吨碳酸锂项目") for n in got), got  # (with its owner: GUIDELINES §3)
    assert not any(n.endswith(("生产线", "公用工程")) for n in got), got


def test_a_site_in_a_county_names_a_power_plant_not_a_company():
    got = _pairs("奇台县北塔山50万千瓦风电项目6月开工。", "Company")
    assert not got, got


def test_two_industry_terms_are_no_brand_and_trade_word():
    got = _pairs("围绕煤电煤化工、新能源、农产品精深加工和文化旅游四大产业集群。", "Company")
    assert not got, got


def test_a_section_on_a_sectors_projects_is_no_project():
    got = _pairs("（一）煤化工项目加速推进。甲乙煤化有限公司年产40亿立方米煤制天然气项目总投资260亿元。", "Project")
    assert ("Project", "煤化工项目") not in got


def test_a_capacity_opening_a_project_name_names_the_same_project_without_it():
    from kg.extract import extract_document

    text = ("甲乙煤化有限公司年产40亿立方米煤制天然气项目总投资260亿元。"
            "明年加快甲乙煤化有限公司煤制天然气项目建设。")
    ex = extract_document(ingest_text(text))
    assert len({m.key for m in ex.mentions if m.type == "Project"}) == 1


def test_a_name_of_its_own_before_a_category_word_makes_a_project():
    assert ("Project", "江布拉克景区提质升级项目") in _pairs("力争江布拉克景区提质升级项目完成前期工作。", "Project")
    assert not _pairs("加快推进文旅项目和物流项目建设。", "Project")


def test_a_years_list_of_key_projects_is_no_project():
    got = _pairs("大庆市2025年市级重点产业项目计划（第二批）。经研究，确定2025年市级重点产业项目共20项。", "Project")
    assert not got, got


def test_a_slogan_an_aim_and_a_platform_are_no_company_or_project():
    text = ("锚定“千亿石化” 做强链主引领\n今年以来，某市以甲乙石化基地为主阵地，加快延链补链。"
            "明年，把甲乙打造成为世界一流石化基地。")
    got = _pairs(text)
    assert not any(t in ("Company", "Project") for t, _n in got), got
    assert ("DevelopmentZone", "甲乙石化基地") in got


def test_a_place_run_into_a_legal_name_is_cut_at_its_province():
    text = "马龙产业园区云南甲乙电子铜箔有限公司年产1.5万吨锂电铜箔项目已竣工。富源县云南丙丁焦化有限公司焦炉煤气制LNG项目正在编制可研报告。"
    got = {n for t, n in _pairs(text) if t == "Company"}
    assert got == {"云南甲乙电子铜箔有限公司", "云南丙丁焦化有限公司"}, got


def test_a_citys_slogan_is_no_zone():
    got = _pairs("全市紧盯“光伏之都、锂电新城”定位，推进重点项目。", "DevelopmentZone")
    assert not got, got


def test_a_brand_opening_a_project_name_is_the_legal_company_it_begins():
    text = ("四川甲乙正极材料有限公司产能20万吨/年。重点项目：甲乙正极年产10万吨磷酸锰铁锂项目，总投资28亿元；"
            "丙丁锂业年产3万吨氢氧化锂项目已建成投产。四川丙丁锂业股份有限公司是链主企业。")
    ms = _mentions(text)[0]
    keys = {}
    for m in ms:
        if m.type == "Company":
            keys.setdefault(m.key, set()).add(m.text)
    assert len(keys) == 2, keys


def test_foreign_parents_subsidiaries_and_set_up_companies_are_named_whole():
    text = ("甲国乙丙精密技术集团与某某经开区签订投资协议，将设立乙丙精密部件（滁州）有限公司。"
            "韩国丁戊化学株式会社全资子公司丁戊新材料（滁州）有限公司年产1.5亿平方米光伏封装胶膜项目同场签约。"
            "这是乙丙集团在亚洲设立的第二个生产基地。")
    got = _pairs(text)
    companies = {n for t, n in got if t == "Company"}
    assert {"乙丙精密部件（滁州）有限公司", "韩国丁戊化学株式会社", "丁戊新材料（滁州）有限公司"} <= companies, companies
    assert ("Project", "第二个生产基地") not in got


def test_a_listed_project_keeps_its_owners_whole_legal_name_and_latin_words():
    text = ("在开工现场，安徽甲乙科技有限公司年产800万台智能家电电机项目、某某经开区新能源产业园标准化厂房三期项目等18个项目集中开工。"
            "丙丁光能科技有限公司年产10GW TOPCon高效电池片项目总投资50亿元。")
    got = _pairs(text)
    assert ("Company", "安徽甲乙科技有限公司") in got
    assert ("Project", "安徽甲乙科技有限公司年产800万台智能家电电机项目") in got  # (GUIDELINES §3: the owner stays)
    assert ("Project", "年产10GW TOPCon高效电池片项目") in got


def test_a_stop_character_inside_a_county_name_does_not_cut_a_project_name():
    got = _pairs("商都县50万千瓦风光储一体化项目全容量并网。", "Project")
    assert ("Project", "商都县50万千瓦风光储一体化项目") in got, got


def test_a_road_between_places_a_sector_list_and_a_countys_sector_are_no_names():
    text = ("集宁至丰镇一级公路改扩建工程完成年度投资计划。围绕风光氢储、硅基新材料、数字经济三大产业集群开展招商。"
            "加快卓资县、凉城县新能源项目前期工作。")
    got = _pairs(text)
    assert not any(t == "Company" for t, _n in got), got
    assert ("Project", "凉城县新能源项目") not in got
    assert ("Project", "集宁至丰镇一级公路改扩建工程") in got


def test_a_citys_and_a_districts_short_names_are_no_brand():
    got = _pairs("项目名称：遵义汇川智能终端产业园（二期）；业主单位：甲乙产业发展有限公司。", "Company")
    assert got == {("Company", "甲乙产业发展有限公司")}, got


def test_an_owners_works_of_a_kind_are_its_project_and_its_brand_takes_its_legal_name():
    from kg.extract import extract_document

    text = ("加快推进甲乙水泥有限责任公司技改项目建设，确保丙丁汽车新能源整车项目投产。"
            "合肥戊己集成电路股份有限公司投资建设的戊己集成12英寸晶圆制造项目开工。")
    ex = extract_document(ingest_text(text))
    projects = {m.text for m in ex.mentions if m.type == "Project"}
    assert any(p.endswith("技改项目") for p in projects), projects
    inv = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "investor"}
    assert not any(s.startswith("甲乙") and o.startswith("丙丁") for s, o in inv), inv
    _ms, canonical = _mentions(text)
    assert canonical[("Company", "合肥戊己集成电路股份有限公司")] == "合肥戊己集成电路股份有限公司"


def test_a_base_holding_the_project_named_after_it_is_a_place():
    got = _pairs("在宁夏灵武，宁东能源化工基地的甲乙光伏制氢一体化示范项目已全部安装完毕。一季度洋浦经济开发区完成投资。")
    assert ("DevelopmentZone", "宁东能源化工基地") in got and ("Project", "宁东能源化工基地") not in got
    assert ("DevelopmentZone", "洋浦经济开发区") in got, got


def test_a_groups_short_name_is_the_group_of_the_text():
    text = ("唐山甲乙钢铁集团有限公司、承德丙丁钢铁集团有限公司跻身行业前列。甲乙集团以增资扩股方式控股迁安戊己特钢有限公司。"
            "丙丁集团旗下沧州丙丁海洋精品钢有限公司投产。承德丙丁钢铁集团是链主企业。")
    keys: dict[str, set[str]] = {}
    for m in _mentions(text)[0]:
        if m.type == "Company":
            keys.setdefault(m.key, set()).add(m.text)
    assert {"甲乙集团", "唐山甲乙钢铁集团有限公司"} in keys.values(), keys
    assert {"丙丁集团", "承德丙丁钢铁集团有限公司", "承德丙丁钢铁集团"} in keys.values(), keys
    assert "迁安戊己特钢有限公司" in {t for ts in keys.values() for t in ts}


def test_a_stop_character_inside_a_places_short_name_does_not_cut_a_name():
    text = "如皋至海安高速公路扩建工程开工。成都甲乙半导体有限公司落户于田经济开发区。"
    got = _pairs(text)
    assert ("Project", "如皋至海安高速公路扩建工程") in got, got
    assert ("Company", "成都甲乙半导体有限公司") in got, got
    assert ("DevelopmentZone", "于田经济开发区") in got, got


def test_verbs_labels_and_dates_before_names_are_no_part_of_them():
    text = ("推动山西甲乙焦化集团有限公司焦炉煤气制30万吨LNG联产10万吨合成氨项目开工。可满足丙丁电器集团约七成的采购需求。"
            "扩建完成后其天津工厂总产能将达到60万件。老厂2021年整体搬迁至黄石新港（物流）工业园区。"
            "云阳县工业投资发展集团有限公司出资49%。项目建设单位宁夏戊己数据科技有限公司。因投资方江苏庚辛光伏科技有限公司资金链断裂。"
            "2023年9月一期建成投产。")
    got = _pairs(text)
    companies = {n for t, n in got if t == "Company"}
    assert {"山西甲乙焦化集团有限公司", "云阳县工业投资发展集团有限公司", "宁夏戊己数据科技有限公司",
            "江苏庚辛光伏科技有限公司"} <= companies, companies
    assert not any(n.startswith(("可满足", "限公司", "单位", "方")) for n in companies), companies
    zones = {n for t, n in got if t == "DevelopmentZone"}
    assert "黄石新港（物流）工业园区" in zones, zones
    projects = {n for t, n in got if t == "Project"}
    assert "焦炉煤气制30万吨LNG联产10万吨合成氨项目" in projects and not any(p.startswith(("后其", "2023")) for p in projects), projects


def test_a_quote_a_nations_base_as_an_aim_a_counted_park_and_a_livestock_figure_are_no_names():
    text = ("“在高海拔地区建光伏，最大的难题是缺氧和大风。”项目负责人介绍。把西藏打造成国家清洁能源接续基地。"
            "张江：一座高科技园区的突围。甲乙牧业集团有限公司投资6.5亿元建设的年出栏30万头生猪养殖基地二期项目开工。"
            "丙丁产业投资基金和上海戊己创业投资合伙企业（有限合伙）参股。")
    got = _pairs(text)
    assert not any(t == "Project" and ("缺氧" in n or "国家" in n) for t, n in got), got
    assert not any(t == "DevelopmentZone" and n.startswith("一座") for t, n in got), got
    companies = {n for t, n in got if t == "Company"}
    assert "年出栏" not in companies and "成国家" not in companies, companies
    assert "上海戊己创业投资合伙企业（有限合伙）" in companies, companies


def test_a_zone_whose_suffix_holds_a_stop_word_opens_the_project_name():
    """集聚 (a verb, 园区已集聚…企业) inside 产业集聚区 does not cut the project name after it."""
    got = _pairs("丰河新材料产业集聚区年产20万吨己二酸项目进入试生产阶段。", "Project")
    assert ("Project", "丰河新材料产业集聚区年产20万吨己二酸项目") in got


@pytest.mark.parametrize("name", ["长丰县北城光伏电站项目", "庐江县矾山新材料产业园项目", "枣阳市汉江水泥熟料技改项目",
                                  "华容县芙蓉山风电场项目"])
def test_a_locality_after_the_county_opening_a_project_name_is_no_company(name):
    """A town, river or quarter of the county (北城, 矾山, 汉江) after the county that opens a
    project's name is where the project lies, not the short name of its owner."""
    got = _pairs(f"{name}正式开工。", "Company")
    assert got == set(), got


def test_a_brand_after_a_county_opening_a_project_name_is_still_a_company():
    got = _pairs("丰县宏达光伏电站项目正式开工。", "Company")
    assert ("Company", "宏达") in got


def test_a_product_before_a_trade_word_is_no_brand():
    """尼龙新材料 opening a project name names a trade (a product + 新材料), not a company."""
    got = _pairs("岳阳尼龙新材料项目正式开工。", "Company")
    assert got == set(), got


def test_a_line_a_records_content_field_builds_is_no_project():
    """建设规模及内容：建设…生产线 says what the record's project builds, not another project."""
    text = "项目名称：甲乙电子元器件产业园项目；建设单位：丙丁微电子股份有限公司；建设规模及内容：建设芯片封装生产线；总投资：16.8亿元。"
    got = _pairs(text, "Project")
    assert ("Project", "甲乙电子元器件产业园项目") in got
    assert not any(t.endswith("生产线") for _, t in got), got


def test_a_base_a_records_content_field_builds_is_no_project():
    """项目内容：建设…育种基地 says what the record's project builds."""
    text = "项目名称：丰河蔬菜种业创新中心项目；签约企业：甲乙种业股份有限公司；投资额：6.5亿元；项目内容：建设种业研发中心及育种基地。"
    got = _pairs(text, "Project")
    assert got == {("Project", "丰河蔬菜种业创新中心项目")}, got


def test_a_base_a_place_is_to_become_is_no_zone():
    """打造成为世界一流产业基地: an aim (GUIDELINES §3), not a named place."""
    got = _pairs("要把丰河打造成为世界一流产业基地。", "DevelopmentZone")
    assert got == set(), got


def test_an_energy_and_chemical_base_opening_a_project_name_is_a_zone():
    """X能源化工基地50万吨/年…项目: the base is the place the project lies in, not a company."""
    ms, _ = _mentions("丰河能源化工基地50万吨/年煤制烯烃项目完成投资42亿元。")
    got = {(m.type, m.text) for m in ms}
    assert ("DevelopmentZone", "丰河能源化工基地") in got
    assert not any(t == "Company" for t, _ in got), got


def test_a_section_heading_of_a_qualified_sector_is_no_project():
    """（一）能源化工项目 heads a plan's section on a sector's projects (a generic word before it)."""
    got = _pairs("丰河市2025年重大项目建设计划\n（一）能源化工项目\n1.甲乙煤制烯烃升级示范项目\n", "Project")
    assert ("Project", "能源化工项目") not in got, got


def test_a_project_written_after_its_owners_legal_name_keeps_the_owner_in_its_canonical():
    """GUIDELINES §3: 某某有限公司X项目 — the Company is its own entity, the Project's canonical
    keeps the owner; a later bare mention of the project is the same project."""
    text = "活动主会场设在丰河恒达纺织科技有限公司年产5万吨差别化纤维项目现场。年产5万吨差别化纤维项目总投资12亿元。"
    ms, canon = _mentions(text)
    projects = [m for m in ms if m.type == "Project"]
    assert [m.text for m in projects] == ["年产5万吨差别化纤维项目", "年产5万吨差别化纤维项目"]
    assert len({m.key for m in projects}) == 1
    assert canon[("Project", projects[0].key)] == "丰河恒达纺织科技有限公司年产5万吨差别化纤维项目"
    assert ("Company", "丰河恒达纺织科技有限公司") in {(m.type, m.text) for m in ms}


def test_the_level_of_a_place_read_short_is_no_brand():
    """吉安市井开区…项目: the city is 吉安市 (read short before 市井); 市井开区 is no company."""
    got = _pairs("吉安市井开区新型显示模组产业园项目正式开工。", "Company")
    assert got == set(), got


@pytest.mark.parametrize("text", ["芜湖丰山区通用航空产业园项目正式开工。", "青川州煤制天然气项目加快前期工作。"])
def test_a_place_name_the_gazetteer_lacks_is_no_brand(text):
    """<city>丰山区…项目, 青川州…项目: a name ending like a district or prefecture opens the project
    as its place, not as its owner."""
    got = _pairs(text, "Company")
    assert got == set(), got


@pytest.mark.parametrize("text", ["桃源县铝基新材料产业园一期投资15亿元。", "金昌镍钴新材料项目正式开工。"])
def test_elements_before_a_trade_word_are_no_brand(text):
    """铝基新材料, 镍钴新材料 opening a project name name a material trade, not a company."""
    got = _pairs(text, "Company")
    assert got == set(), got


def test_a_long_project_name_is_read_whole():
    """A project name of more than 24 characters (搬迁与升级转型发展项目…) is not cut inside a word."""
    got = _pairs("加快推进丰河绿色化工产业园己内酰胺产业链搬迁与升级转型发展项目建设。", "Project")
    assert ("Project", "丰河绿色化工产业园己内酰胺产业链搬迁与升级转型发展项目") in got, got


@pytest.mark.parametrize("text", ["厦门市2025年外资项目集中签约活动举行。", "2025年外资项目集中签约。"])
def test_a_years_class_of_projects_is_no_project(text):
    """<city>2025年外资项目集中签约: the year's foreign-funded projects, not one undertaking."""
    got = _pairs(text, "Project")
    assert got == set(), got


def test_a_printed_circuit_board_project_is_a_project():
    """印刷电路板 is a product: 建设高端印刷电路板项目 names a project."""
    got = _pairs("甲乙电子股份有限公司在火炬高新区建设高端印刷电路板项目。", "Project")
    assert ("Project", "高端印刷电路板项目") in got, got


def test_a_named_power_station_is_a_project_and_a_kind_of_plant_is_not():
    """修水县抽水蓄能电站 names one plant; 光伏电站 in 新增光伏电站装机 is a kind of plant."""
    assert ("Project", "修水县抽水蓄能电站") in _pairs("加快修水县抽水蓄能电站建设。", "Project")
    assert ("Project", "白鹤滩水电站") in _pairs("白鹤滩水电站全面投产。", "Project")
    assert not _pairs("全省新增光伏电站装机500万千瓦，加快抽水蓄能电站建设。", "Project")


def test_a_phase_after_of_which_is_a_project_of_its_own():
    """P总投资60亿元，其中一期投资25亿元…；二期投资35亿元: both phases are projects."""
    ms, canon = _mentions("丰河甲乙新能源电池项目总投资60亿元，分两期建设，其中一期投资25亿元；二期投资35亿元。")
    phases = {canon[("Project", m.key)] for m in ms if m.type == "Project" and m.text in ("一期", "二期")}
    assert phases == {"丰河甲乙新能源电池项目一期", "丰河甲乙新能源电池项目二期"}, phases


@pytest.mark.parametrize("text", ["年产20万吨丙烯酸酯项目投产。", "年产30万吨丙烯腈项目开工。"])
def test_an_olefin_that_opens_another_compounds_name_is_not_that_product(text):
    """丙烯 of 丙烯酸酯 / 丙烯腈: the start of another compound, not propylene."""
    assert ("Product", "丙烯") not in _pairs(text, "Product")


def test_an_olefin_on_its_own_is_a_product():
    assert ("Product", "丙烯") in _pairs("年产20万吨丙烯项目投产。", "Product")


@pytest.mark.parametrize("text, organ", [
    ("根据省发展改革委安排，全省共安排重点项目426个。", "省发展改革委"),
    ("会同市自然资源局办理用地手续。", "市自然资源局")])
def test_an_organ_with_its_level_after_a_preposition(text, organ):
    """根据省发展改革委安排 / 会同市自然资源局: the organ acts; 省/市 is its level."""
    assert ("GovernmentBody", organ) in _pairs(text, "GovernmentBody")
def test_product_word_before_a_grade_is_no_product():
    got = _pairs("甲乙化工公司主要生产饲料级磷酸氢钙和食品级添加剂，配套建设饲料生产线。", "Product")
    assert ("Product", "饲料") in got  # the later 饲料生产线
    ms, _ = _mentions("甲乙化工公司主要生产饲料级磷酸氢钙。")
    assert not any(m.type == "Product" and m.text == "饲料" for m in ms)


def test_supply_wording_before_a_company_name_is_not_part_of_it():
    got = _pairs("甲乙铝业有限公司年产氧化铝80万吨，氧化铝主要供应丙丁集团有限公司，面粉来自戊己面业有限公司。", "Company")
    assert ("Company", "丙丁集团有限公司") in got
    assert ("Company", "戊己面业有限公司") in got
    assert not any("供应" in n or "来自" in n for _, n in got)


def test_altlabels_listed_side_by_side_stay_distinct_products():
    ms, _ = _mentions("该县铝材加工能力达到50万吨，重点发展铝型材、铝板带箔等产品。")
    keys = {m.text: m.key for m in ms if m.type == "Product"}
    assert keys["铝型材"] != keys["铝板带箔"]
    ms, _ = _mentions("该县磷酸铁锂产能扩大，甲公司年产磷酸铁锂正极材料5万吨。")
    keys = {m.text: m.key for m in ms if m.type == "Product"}
    assert keys["磷酸铁锂正极材料"] == keys["磷酸铁锂"]  # a synonym still joins its label


def test_two_sector_words_before_an_industry_suffix_name_one_chain():
    got = _pairs("某市加快构建新能源装备制造产业链，推动氢能装备制造产业集群发展。", "IndustryChain")
    assert ("IndustryChain", "新能源装备制造产业链") in got
    assert ("IndustryChain", "氢能装备制造产业集群") in got
    assert ("IndustryChain", "装备制造产业链") not in got


def test_phosphate_chain_and_its_products_are_read():
    got = _pairs("某县磷化工产业形成“磷矿—磷酸—磷酸铁”产业链，甲乙公司年产黄磷3万吨。")
    assert ("IndustryChain", "磷化工产业") in got
    assert ("IndustryChain", "化工产业") not in got
    assert {("Product", "磷矿"), ("Product", "磷酸"), ("Product", "黄磷")} <= got


def test_altlabel_listed_beside_its_preferred_label_stays_distinct():
    ms, _ = _mentions("辛卯通信公司年产光纤预制棒、光纤、光缆等产品。")
    keys = {m.text: m.key for m in ms if m.type == "Product"}
    assert len({keys["光纤预制棒"], keys["光纤"], keys["光缆"]}) == 3


def test_optoelectronics_and_footwear_chains_are_read_whole():
    got = _pairs("壬辰市光电子信息产业集群规模扩大，纺织鞋服产业链加快延伸，光通信、激光等领域增长较快。", "IndustryChain")
    assert ("IndustryChain", "光电子信息产业集群") in got
    assert ("IndustryChain", "纺织鞋服产业链") in got
    assert {("IndustryChain", "光通信"), ("IndustryChain", "激光")} <= got


def test_descriptive_word_plus_chain_step_in_a_project_list_is_no_company():
    got = _pairs("该市将引进功能性面料、环保印染等项目。")
    assert ("Company", "环保印染") not in got
    assert ("Project", "环保印染") in got


def test_firm_list_naming_products_gives_no_companies():
    got = _pairs("园区将引进汽车座椅、车灯、线束等配套企业20家。", "Company")
    assert not got
    got = _pairs("甲乙智造、丙丁动力等配套企业加快入驻。", "Company")
    assert {("Company", "甲乙智造"), ("Company", "丙丁动力")} <= got


def test_kinds_of_food_are_not_synonyms_of_their_class():
    ms, _ = _mentions("甲乙食品公司生产冷鲜肉，年产肉制品10万吨，另有休闲食品和预制菜生产线。")
    keys = {m.text: m.key for m in ms if m.type == "Product"}
    assert keys["冷鲜肉"] != keys["肉制品"]
    assert keys["休闲食品"] != keys["预制菜"]


def test_parts_and_kinds_of_equipment_are_not_synonyms_of_the_class():
    ms, _ = _mentions("该市重点发展风电装备。甲公司生产风力发电机组，乙公司生产风电叶片；丙公司以锂云母为原料，年产锂矿5万吨。")
    keys = {m.text: m.key for m in ms if m.type == "Product"}
    assert len({keys["风电装备"], keys["风力发电机组"], keys["风电叶片"]}) == 3, keys
    assert keys["锂云母"] != keys["锂矿"]


def test_pv_siting_mode_is_no_product():
    got = _pairs("甲县建设200MW渔光互补光伏电站项目，乙县推进农光互补项目。", "Product")
    assert not any(t in ("渔光互补", "农光互补") for _, t in got)


def test_activities_and_services_of_a_chain_are_no_products():
    got = _pairs("园区布局锂电池回收、电池梯次利用和运维服务，配套石墨化加工产能。", "Product")
    assert not got, got


def test_chain_filling_projects_as_a_class_are_no_project():
    got = _pairs("今年以来，甲乙开发区加快推进化工新材料补链项目和光伏延链项目。", "Project")
    assert not got, got


def test_sector_word_with_a_generic_head_names_one_chain():
    got = _pairs("某市聚焦光伏材料产业链，培育氢能装备产业集群。", "IndustryChain")
    assert ("IndustryChain", "光伏材料产业链") in got
    assert ("IndustryChain", "氢能装备产业集群") in got


def test_brand_firms_listed_before_a_firm_cue_are_companies():
    got = _pairs("公司客户包括昂途、特跃等品牌企业。", "Company")
    assert {("Company", "昂途"), ("Company", "特跃")} <= got, got


def test_gaoke_short_name_is_a_company_but_gaokeji_is_not():
    got = _pairs("甲乙高科投资建设的年产20GWh动力电池项目已建成投产，全市高科技企业达到300家。", "Company")
    assert ("Company", "甲乙高科") in got
    assert not any("高科技" in n for _, n in got)
def test_a_work_reports_task_verbs_do_not_open_names():
    """做强X集团, 建好X中试基地, 做好X机场转场投运, 全区首座X机场: the verbs of a task list and a
    first-of-its-kind designation stand before the name, not in it."""
    got = _pairs("做强省纺织集团，纺织产业增加值增长15%左右。高质量建设甲乙现代煤化工产业示范区，"
                 "建好现代煤化工中试基地。做好丙丁国际机场转场投运工作。")
    assert ("Company", "省纺织集团") in got, got
    assert ("Project", "现代煤化工中试基地") in got, got
    assert ("Project", "丙丁国际机场") in got, got
    assert not any(n.startswith(("做强", "建好", "做好")) for _, n in got), got


def test_a_programme_named_by_its_numbers_is_no_project():
    """“双百双新”项目, “十百千万”工程, “千企技改”项目: classes of projects (GUIDELINES §2: programmes
    are not annotated); a quoted name is still one (签约“甲乙智能制造产业园”项目)."""
    got = _pairs("推进“双百双新”项目634个、“千企技改”项目1026个，滚动实施“十百千万”工程。"
                 "现场签约“甲乙智能制造产业园”项目。", "Project")
    names = {n for _, n in got}
    assert not names & {"双百双新", "千企技改", "十百千万"}, names
    assert "甲乙智能制造产业园" in names, names


def test_a_lists_shared_head_may_name_a_sector_and_a_stage():
    """A、B等煤电项目, A等4个在建铁路项目, 包括A、B等制造业项目92个: each item is a project (a bare
    word labels the project when the head names a sector), the shared head is none; a legal
    company name in the list is the company (GUIDELINES §2, metonymy)."""
    ms, canon = _mentions("建成投产甲湾、乙南等煤电项目，推动丙百等4个在建铁路项目加快建设。"
                          "包括甲乙丙丁经济开发区戊己智能制造、庚辛磁材等制造业项目92个。"
                          "甲乙陶瓷扩建项目、壬癸瓷泥有限公司等15个工业项目集中开工。")
    projects = {canon[(m.type, m.key)] for m in ms if m.type == "Project"}
    assert {"甲湾煤电项目", "乙南煤电项目", "丙百铁路"} <= projects, projects
    assert not projects & {"煤电项目", "铁路项目", "建铁路项目", "制造业项目", "工业项目"}, projects
    companies = {m.text for m in ms if m.type == "Company"}
    assert "壬癸瓷泥有限公司" in companies and "乙南" not in companies, companies


def test_a_work_reports_title_names_no_acting_government():
    """2026年某某省政府工作报告: the report's name; the province is named, no organ acts."""
    got = _pairs("2026年山东省政府工作报告\n全省地区生产总值增长5.5%。\n")
    assert ("Region", "山东省") in got, got
    assert not any(t == "GovernmentBody" for t, _ in got), got


def test_an_organ_named_only_in_titles_is_no_government_body():
    """市委书记X出席, 市委常委、常务副市长Y, 甲乙经开区管委会主任Z: titles (GUIDELINES §2 gives the
    person only); an organ that also acts (市委、市政府印发…) stays."""
    got = _pairs("12月30日，弋阳县举行集中开工活动。市委书记张明远出席并下达开工令，"
                 "市委常委、常务副市长陆国宾，甲乙经开区管委会主任吴孝水出席。")
    assert not any(t == "GovernmentBody" for t, _ in got), got
    assert ("Person", "张明远") in got, got
    got = _pairs("市委书记张明远出席。会前，市委、市政府印发了实施方案。")
    assert ("GovernmentBody", "市委") in got, got


def test_a_visit_lists_firms_by_their_informal_names():
    """走进A新材料科技、B再生资源科技、C铝业等企业: firms named without their legal form (a trade
    word ends each), longer than the brands of other lists."""
    got = _pairs("赵志伟一行走进安徽甲鸣新材料科技、乙枫再生资源科技、安徽丙兰丁盈铝业等企业，与企业负责人深入交流。",
                 "Company")
    assert {("Company", "安徽甲鸣新材料科技"), ("Company", "乙枫再生资源科技"), ("Company", "安徽丙兰丁盈铝业")} <= got, got


def test_an_events_round_and_a_scene_are_no_projects():
    """2019年第四次工业项目集中开工 (a round of an event), 第二季度重大项目集中开工, and a scene
    (一片片…硅片源源不断走下自动化生产线) name no project."""
    got = _pairs("12月30日，弋阳县举行2019年第四次工业项目集中开工活动。甲县举行第二季度重大项目集中开工仪式。"
                 "一片片超高效单晶太阳能大硅片源源不断走下自动化生产线。", "Project")
    assert not got, got


def test_ceremony_reports_verbs_conjunctions_and_phasing_do_not_make_names():
    """刘建军出席丙丁经开区…仪式, 设戊己县和丙丁经开区6个现场, 而且整产业园项目多, 项目共分三期建设,
    湖南桃江2025年产业项目占比…: no name starts with 出席 or a county and 和, no phase or year's
    projects are a project; a two-character county after a preposition is a place (为睢县…)."""
    got = _pairs("刘建军出席丙丁经开区集中开工仪式，设戊己县和丙丁经开区6个现场。签约项目科技含量高，"
                 "而且整产业园项目多，其中50亿元以上项目1个，为睢县总投资50亿元的绿色包装新材料产业园项目。"
                 "该公司负责人介绍，项目共分三期建设。湖南桃江2025年产业项目占比达七成。")
    zones = {n for t, n in got if t == "DevelopmentZone"}
    assert zones == {"丙丁经开区"}, zones
    projects = {n for t, n in got if t == "Project"}
    assert projects == {"绿色包装新材料产业园项目"}, projects
    assert ("Region", "睢县") in got, got


def test_a_three_character_name_before_a_speech_verb():
    """董事长周立华表示: 华表 is a word, but 表示 follows the name."""
    assert ("Person", "周立华") in _pairs("公司董事长周立华表示，核心产品行业领先。", "Person")


def test_items_of_a_project_list_with_their_sums_and_what_they_build():
    """附项目概况：X基地，计划投资5亿元，…；Y项目，总投资…，建设…生产基地；: each item's name is a
    project whatever its words; the base it builds (建设…生产基地) is its content, not a project."""
    ms, canon = _mentions("附项目概况：甲乙特产学研合作基地，计划投资5亿元，规划用地78亩；丙丁节能环保项目，总投资20亿元，"
                          "用地300亩，建设10万吨/年废矿物油再生加工循环利用生产基地；戊己塑板建设项目，总投资1.2亿元，"
                          "建设标准厂房、PVC木塑板生产线；庚辛筑工项目，总投资3000万元，建设装配式建筑生产基地。")
    projects = {m.text for m in ms if m.type == "Project"}
    assert projects == {"甲乙特产学研合作基地", "丙丁节能环保项目", "戊己塑板建设项目", "庚辛筑工项目"}, projects


def test_site_named_works_sums_and_sector_words_make_no_names():
    """甲乙核电一期, 丙丁山抽水蓄能电站项目, 丙丁灌区 (works named after their site: no company);
    等35个总投资253亿元项目 (a sum is no name; the listed item is the project); 银川20亿单晶硅等
    新能源项目 (a headline's sum); 打造百万千瓦级光伏基地 (an aim); 单体规模最大光伏项目 (a sector's)."""
    ms, canon = _mentions("推进甲乙核电一期、红沙核电三期建设。开建的丙丁山抽水蓄能电站项目建成后，可提升电网稳定。"
                          "甲乙铁路增建二线、丙丁灌区等项目顺利开工。戊己新能源200兆瓦平价光伏等35个总投资253亿元项目集中开工。"
                          "银川20亿单晶硅等新能源项目奠基。打造百万千瓦级光伏基地。也是灵武市首个单体规模最大光伏项目。")
    companies = {m.text for m in ms if m.type == "Company"}
    assert companies == {"戊己新能源"}, companies
    projects = {canon[(m.type, m.key)] for m in ms if m.type == "Project"}
    assert "戊己新能源200兆瓦平价光伏项目" in projects, projects
    assert not any(p.startswith(("253亿元", "银川20亿", "百万千瓦")) or p == "光伏项目" for p in projects), projects


def test_a_dated_clause_is_no_project_name():
    """新疆甲乙古吐水电站工程：计划2024年首部枢纽左岸闸坝段…完成: no project opens with a year."""
    got = _pairs("新疆甲乙古吐水电站工程：计划2024年首部枢纽左岸闸坝段基础砼浇筑完成。", "Project")
    assert got == {("Project", "新疆甲乙古吐水电站工程")}, got


def test_a_work_reports_lists_with_thresholds_counts_in_wan_and_works_joined_by_he():
    """…、丙丁高铁宜涪段、戊己存储三期等1.22万个亿元以上新建续建项目; A、B等1.1万个重大产业项目;
    …戊己矶码头和庚辛湖三期工程等5个水运项目; 甲乙国际机场和丙丁国际机场; 武汉东湖、襄阳、宜昌3家
    高新区 (a count of zones); 江汉平原 (a plain, no 平原县)."""
    ms, canon = _mentions("大力推进甲乙水运新通道、丙丁高铁宜涪段、戊己存储三期等1.22万个亿元以上新建续建项目建设。"
                          "戊己存储二期、庚辛岚图、壬癸时代等1.1万个重大产业项目投产达效。"
                          "包括湘阴县甲乙港铁路专用线、岳阳港丙丁矶现代化港口群戊己矶码头和庚辛湖三期工程等5个水运项目。"
                          "推动甲乙国际机场和丙丁国际机场联动发展。武汉东湖、襄阳、宜昌3家高新区位列全国50强。"
                          "推动江汉平原水资源配置工程纳入国家盘子。")
    projects = {m.text for m in ms if m.type == "Project"}
    assert {"甲乙水运新通道", "丙丁高铁宜涪段", "戊己存储三期", "庚辛岚图", "壬癸时代", "湘阴县甲乙港铁路专用线",
            "岳阳港丙丁矶现代化港口群戊己矶码头", "庚辛湖三期工程", "甲乙国际机场", "丙丁国际机场"} <= projects, projects
    assert not any(m.type == "DevelopmentZone" for m in ms), [m.text for m in ms if m.type == "DevelopmentZone"]
    assert not any(m.type == "Region" and m.text == "平原" for m in ms)


def test_a_visit_report_s_verbs_and_a_siding():
    """详细了解X集团Y项目 (了解 is a verb), 甲乙铁路局在X开发区建设铁路专用线项目 (建设 is the
    verb before a facility; the siding is named whole)."""
    got = _pairs("并来到乌兰浩特市工业园区，详细了解鄂尔多斯甲乙集团羊绒衫项目规划建设情况，听取了甲乙铁路局在"
                 "乌兰浩特经济技术开发区建设铁路专用线项目情况介绍。")
    assert ("Company", "鄂尔多斯甲乙集团") in got, got
    assert ("Project", "铁路专用线项目") in got, got
    assert not any(n.startswith(("解", "乌兰浩特经济技术开发区建设")) for _, n in got), got


def test_a_highway_operators_report_names_its_works_not_its_verbs():
    """据青海甲乙高等级公路建设开发有限责任公司介绍 (等级 is no list's end; 据 opens no name), 继2009年X
    公司实施 (no year in a firm's name), 减轻/挖掘出/进行/此次/新一轮 before a road, and 厦门甲乙路改造
    (a headline) beside 厦门甲乙路改造工程: one project."""
    ms, canon = _mentions("八面开工 厦门甲乙路改造\n近日，厦门甲乙路改造工程正式开工。据青海甲乙高等级公路建设开发有限"
                          "责任公司介绍，新一轮丙丁高速公路扩能改造工程，是继2009年甲乙高路公司实施改造后又一次"
                          "缓解拥堵的重要扩能改造工程。投资5亿多对丙丁高速重点路段进行扩能改造，减轻丙丁高速公路通行"
                          "压力，挖掘出丙丁高速公路潜能，此次扩能改造力争9月底完工。")
    companies = {m.text for m in ms if m.type == "Company"}
    assert companies == {"青海甲乙高等级公路建设开发有限责任公司", "甲乙高路公司"}, companies
    projects = {canon[(m.type, m.key)] for m in ms if m.type == "Project"}
    assert not any(p.startswith(("减轻", "挖掘", "出", "此次", "新一轮", "重要", "扩能")) for p in projects), projects
    assert len({m.key for m in ms if m.type == "Project" and "甲乙路" in m.text}) == 1


def test_upgrade_works_keep_their_kind_and_a_verb_zone_is_deictic():
    """人民大道提升改造工程, 东湖景区提升工程: 提升 names the works' kind there; 进一步提升开发区…,
    这是继开发区…: a verb before 开发区 names no zone."""
    got = _pairs("实施人民大道提升改造工程，推进东湖景区提升工程。这是继开发区今年前四批项目集中开工后，"
                 "甲乙经济技术开发区迎来的又一热潮，将进一步提升开发区整体水平。")
    assert {("Project", "人民大道提升改造工程"), ("Project", "东湖景区提升工程")} <= got, got
    zones = {n for t, n in got if t == "DevelopmentZone"}
    assert not any(z.startswith(("继", "提升")) for z in zones), zones


def test_a_sector_word_before_a_production_line_describes_the_line():
    """年产18万台服务器的智能制造生产线: the line is of a kind, the text names no industry."""
    got = _pairs("甲乙科技公司年产10万台服务器的智能制造生产线完成初步建设。", "IndustryChain")
    assert ("IndustryChain", "智能制造") not in got
    # (the sector named on its own stays a mention)
    got = _pairs("某市大力发展智能制造，培育壮大新材料产业。", "IndustryChain")
    assert ("IndustryChain", "智能制造") in got


def test_a_plant_kind_alone_before_a_plant_head_names_no_project():
    """我省集中式光伏电站: a deictic place and a kind of plant, no named plant."""
    got = _pairs("某某科技有限公司是我省集中式光伏电站重点产业链“链主”企业。", "Project")
    assert not any("电站" in n for _, n in got), got


@pytest.mark.parametrize("line, brand, zone", [
    ("甲乙达西安高新区汽车零部件扩能项目。建设单位：甲乙达汽车有限公司。", "甲乙达", "西安高新区"),
    ("丙丁绿能泾河新城年产15GW单晶硅片项目。建设单位：丙丁绿能科技股份有限公司。", "丙丁绿能", "泾河新城"),
])
def test_a_brand_running_into_a_zone_name_is_the_company_not_part_of_the_zone(line, brand, zone):
    """<brand><zone>X项目: the firm's project in the zone. A development zone or new area is no
    company's: the zone's name starts after the brand, which names the company."""
    got = _pairs(line)
    assert ("DevelopmentZone", zone) in got
    assert not any(t == "DevelopmentZone" and s.startswith(brand) for t, s in got)
    assert ("Company", brand) in got


def test_a_zone_named_like_a_firm_of_the_text_keeps_its_name():
    """A zone whose whole name is the brand (甲乙新区 and 甲乙控股有限公司) is not cut."""
    got = _pairs("甲乙控股有限公司在甲乙新区投资建设年产5万吨铜箔项目。")
    assert ("DevelopmentZone", "甲乙新区") in got


@pytest.mark.parametrize("before, typ", [
    ("甲乙集团股份有限公司投资50亿元建设的", "Project"),
    ("甲乙集团股份有限公司新建的", "Project"),
    ("项目位于", "DevelopmentZone"),
])
def test_a_base_being_built_is_a_project_and_a_base_as_a_place_a_zone(before, typ):
    """…投资建设的X产业基地已竣工投产: the base is the undertaking built (GUIDELINES §3); a base
    named as where something lies stays a zone."""
    got = _pairs(f"{before}丙丁智能底盘产业基地已于今年7月竣工投产。")
    assert (typ, "丙丁智能底盘产业基地") in got, got


def test_chassis_parts_are_products():
    """主要生产轻量化底盘系统和空气悬架: common vehicle parts are in the vocabularies."""
    got = _pairs("甲乙汽车部件有限公司主要生产轻量化底盘系统和空气悬架。", "Product")
    assert {("Product", "底盘系统"), ("Product", "空气悬架")} <= got


def test_a_petrochemical_area_is_a_zone():
    """建设地点位于X石化区: a petrochemical area is a zone like a chemical park."""
    got = _pairs("甲乙乙烯项目建设地点位于丙丁石化区，总投资530亿元。", "DevelopmentZone")
    assert ("DevelopmentZone", "丙丁石化区") in got


def test_zones_named_by_their_number_are_a_group_not_a_zone():
    """加快建设A、B两大临港产业集聚区: the group is no zone; B stays one (五大连池 is a place)."""
    got = _pairs("加快建设甲乙区、丙丁经济开发区两大临港产业集聚区。五大连池经济开发区新增企业5家。",
                 "DevelopmentZone")
    assert ("DevelopmentZone", "丙丁经济开发区") in got
    assert not any("两大" in s for _t, s in got)
    assert ("DevelopmentZone", "五大连池经济开发区") in got


@pytest.mark.parametrize("sentence", ["甲乙等龙头企业在本市布局生产基地。", "丙丁集团将建设研发中心。"])
def test_a_site_named_only_by_its_function_is_no_project(sentence):
    """布局生产基地, 建设研发中心: a kind of site, not a named undertaking."""
    assert not _pairs(sentence, "Project")


def test_an_ordinal_after_a_brand_is_not_part_of_the_brand():
    """<brand>第8.6代…生产线项目: the brand ends before 第."""
    got = _pairs("加快甲乙第8.6代氧化物半导体显示器件生产线项目建设。", "Company")
    assert got == {("Company", "甲乙")}, got


def test_a_new_technology_development_zone_is_its_high_tech_zone():
    """X新技术开发区 is the official name of X高新区: one zone."""
    ms, _ = _mentions("甲乙高新区召开会议。甲乙新技术开发区今年营收386亿元。")
    keys = {m.key for m in ms if m.type == "DevelopmentZone"}
    assert len(keys) == 1, keys


def test_a_listed_firm_whose_name_opens_with_new_is_a_company():
    """甲乙新能源、丙丁科技、新宙邦等企业: 新 opens some firms' names; 新引进 is a verb."""
    got = _pairs("带动了甲乙新能源、丙丁科技、新宙邦等一批配套企业落户。全市新引进、新落户等一批企业。", "Company")
    assert ("Company", "新宙邦") in got
    assert not any(s.startswith(("新引", "新落")) for _t, s in got), got


def test_a_project_named_by_its_phase_first_is_that_phase_of_the_project_before():
    """进展情况：一期3万吨生产线已投产，二期…施工中: both phases are the record's project's
    (GUIDELINES §3.3), not 二期 of the first phase's line."""
    ms, _ = _mentions("项目名称：甲乙化纤年产5万吨碳纤维及复合材料项目\n建设单位：甲乙化纤集团有限责任公司\n"
                      "进展情况：一期3万吨生产线已投产，二期主体厂房施工中\n")
    keys = {m.key for m in ms if m.type == "Project"}
    assert "甲乙化纤年产5万吨碳纤维及复合材料项目二期" in keys, keys
    assert "甲乙化纤年产5万吨碳纤维及复合材料项目一期3万吨生产线" in keys, keys


def test_a_brand_with_the_trade_word_chemical_fibres_names_no_product():
    """甲乙化纤年产5万吨碳纤维项目: 化纤 is the firm's trade word, not what the project makes."""
    from kg.extract import extract_document

    ex = extract_document(ingest_text("加快甲乙化纤年产5万吨碳纤维项目建设。"))
    produced = {r.object[1] for r in ex.relations if r.predicate == "produces"}
    assert "化纤" not in produced and "碳纤维" in produced, produced


def test_a_zone_named_with_its_province_first_is_the_same_zone():
    """江苏无锡高新区 and 无锡高新区: one zone."""
    ms, _ = _mentions("江苏无锡高新区新签约项目12个。今年以来，无锡高新区吸引外资持续发力。")
    keys = {m.key for m in ms if m.type == "DevelopmentZone"}
    assert len(keys) == 1, keys


def test_passive_components_are_products_and_their_project_is_one():
    """村田制作所投资的高端电子元器件项目…，年产多层陶瓷电容器（MLCC）: a firm, a project, products."""
    got = _pairs("此外，甲乙制作所投资的高端电子元器件项目已于3月正式投产，年产多层陶瓷电容器（MLCC）1000亿只。")
    assert ("Project", "高端电子元器件项目") in got
    assert ("Company", "甲乙制作所") in got
    assert {("Product", "多层陶瓷电容器"), ("Product", "MLCC")} <= got
    assert ("Product", "陶瓷") not in got


def test_coated_steel_sheets_are_products():
    """建成后可年产高端硅钢50万吨、镀锌板80万吨: both are steel products."""
    got = _pairs("甲乙新材料产业园项目建成后可年产高端硅钢50万吨、镀锌板80万吨。", "Product")
    assert {("Product", "硅钢"), ("Product", "镀锌板")} <= got, got


def test_a_sectors_park_projects_are_no_project_but_a_places_is():
    """精细化工产业园项目建设跑出加速度: a sector's park projects; 某市精细化工产业园项目 is one."""
    assert not _pairs("辽宁某地：精细化工产业园项目建设跑出加速度。", "Project")
    assert ("Project", "盘锦精细化工产业园项目") in _pairs("盘锦精细化工产业园项目开工。", "Project")
    assert ("Product", "SEBS") in _pairs("甲乙新材料有限公司年产3万吨SEBS项目正在进行设备调试。", "Product")


def test_a_site_visits_projects_and_their_short_names():
    """调研甲乙半导体年产…项目; 在甲乙半导体项目现场; 项目生产线…; 一期…，二期厂房…: the verb is no
    part of the name, the short name and the phases are the project's, 项目生产线 is no project."""
    ms, _ = _mentions("11月25日，市长先后深入高新区，调研甲乙半导体年产36万片碳化硅衬底项目建设进展情况。"
                      "在甲乙半导体项目现场，据介绍，该项目总投资28亿元，一期已于今年6月投产，二期厂房正在进行主体施工。"
                      "企业负责人介绍，项目生产线已完成安装调试。")
    projects = {(m.text, m.key) for m in ms if m.type == "Project"}
    full = "甲乙半导体年产36万片碳化硅衬底项目"
    assert {k for _t, k in projects} == {full, full + "一期", full + "二期"}, projects


def test_key_parks_projects_are_no_project():
    """自贸港重点园区项目建设提速: the projects of key parks, no one project."""
    assert not _pairs("海南洋浦：自贸港重点园区项目建设提速", "Project")


def test_a_sectors_chain_projects_are_no_project():
    """天津滨海新区：集成电路产业链项目加速落地 — a sector's projects, no one project."""
    assert not _pairs("天津滨海新区：集成电路产业链项目加速落地", "Project")


def test_two_sites_joined_by_and_are_not_one_project():
    """建设华东研发中心和丙丁电池基地: the name after 和 is the project's, not the pair."""
    got = _pairs("甲乙集团建设华东研发中心和丙丁电池基地。", "Project")
    assert not any("和" in s for _t, s in got), got
    assert ("Project", "庚辛铜及铜合金深加工项目") in _pairs("庚辛铜及铜合金深加工项目开工。", "Project")


@pytest.mark.parametrize("text, zone, own", [
    ("甲乙科技有限公司落户海淀区丙丁科学城。", "海淀区丙丁科学城", "丙丁科学城"),
    ("甲乙生物有限公司落户昌平区丙丁生命科学园。", "昌平区丙丁生命科学园", "丙丁生命科学园"),
    ("甲乙光电有限公司落户余杭区丙丁科技城。", "余杭区丙丁科技城", "丙丁科技城"),
    ("建设地点：福建省漳州市丙丁港经济开发区", "福建省漳州市丙丁港经济开发区", "丙丁港经济开发区"),
])
def test_a_science_city_is_a_zone_also_called_by_its_own_name(text, zone, own):
    """X科学城, X科技城, X科学园 are named platforms like 新城. Written after its district in
    full, the zone keeps the longest name and is also called by its own name (one zone)."""
    ms, _ = _mentions(text)
    zones = [m for m in ms if m.type == "DevelopmentZone"]
    assert {m.text for m in zones} == {zone, own}, zones
    assert len({m.key for m in zones}) == 1, zones


@pytest.mark.parametrize("zone", ["昆山市高新区", "平遥县经济开发区"])
def test_a_zone_named_after_its_place_has_no_shorter_name(zone):
    """乙市高新区, 甲县经济开发区: the place is the zone's whole name; no other form is made."""
    got = _pairs(f"甲乙科技有限公司落户{zone}。", "DevelopmentZone")
    assert got == {("DevelopmentZone", zone)}, got


@pytest.mark.parametrize("text, company", [
    ("市政府印发工作方案，确定甲乙汽车集团有限公司为链主企业。", "甲乙汽车集团有限公司"),
    ("动力电池环节集聚了丙丁科技有限公司等企业；电机电控环节有戊己电驱动系统有限公司等12家企业。",
     "戊己电驱动系统有限公司"),
    ("在随后召开的座谈会上，双方就甲乙集团在我县投资建设负极材料项目进行了深入交流。", "甲乙集团"),
])
def test_a_verb_or_a_chain_link_before_a_legal_name_is_not_part_of_it(text, company):
    """确定C为链主企业, X环节有C等企业, 双方就C…: the name starts after the verb, the link or
    the parties."""
    got = _pairs(text, "Company")
    assert ("Company", company) in got, got


@pytest.mark.parametrize("headline", ["我区新能源项目建设按下“快进键”", "全市重点产业项目建设提速"])
def test_a_places_projects_named_by_we_or_whole_are_no_project(headline):
    """我区新能源项目, 全市…项目: the projects of the place the text speaks for, not one named
    project (and no company 我区新能源 owning it)."""
    ms, _ = _mentions(headline + "\n甲乙风电场项目由丙丁新能源有限公司投资建设。")
    names = {(m.type, m.text) for m in ms}
    assert not any(n.startswith(("我区", "全市")) for _, n in names), names
    assert ("Project", "甲乙风电场项目") in names


def test_key_upgrade_projects_in_a_headline_are_no_project():
    """…中小企业及重点技改项目: a class of projects in a list's title, not one project."""
    got = _pairs("2026年第一批专精特新中小企业及重点技改项目\n甲乙铜箔智能化改造项目入选。", "Project")
    assert got == {("Project", "甲乙铜箔智能化改造项目")}, got


@pytest.mark.parametrize("text, chain", [
    ("甲乙市着力打造千亿级铝精深加工产业链。", "铝精深加工产业链"),
    ("大力发展农产品加工产业。", "农产品加工产业"),
])
def test_the_processing_of_a_product_is_a_sector(text, chain):
    """铝精深加工产业链, 农产品加工产业: a product (or a metal) and its processing name a chain."""
    got = _pairs(text, "IndustryChain")
    assert ("IndustryChain", chain) in got, got


def test_upstream_or_downstream_before_a_legal_name_is_not_part_of_it():
    """为下游C、D等企业提供铝液: the name starts after 下游."""
    got = _pairs("丙丁铝业有限公司为下游戊己铝箔有限公司、庚辛汽车部件有限公司等企业提供铝液。", "Company")
    assert ("Company", "戊己铝箔有限公司") in got, got
