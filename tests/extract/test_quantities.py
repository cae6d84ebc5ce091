"""Quantities: kinds, units, exclusions and subjects (GUIDELINES §6)."""

from pathlib import Path

import pytest

from kg.extract.quantities import extract_quantities
from kg.ingest import ingest_text
from kg.model import Mention

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def _mentions(text, spec):
    """Mentions for (type, surface, key) triples at their first occurrence."""
    out = []
    for type_, surface, key in spec:
        i = text.index(surface)
        out.append(Mention(type_, surface, i, i + len(surface), key))
    return out


def _facts(text, spec=()):
    doc = ingest_text(text)
    return [(q.kind, q.value, q.unit, q.subject[1] if q.subject else None)
            for q in extract_quantities(doc, _mentions(doc.text, spec))]


def test_project_figures_go_to_the_project():
    text = "东湖高新区落地甲乙正极材料项目。该项目总投资20亿元，占地11万余平方米，年产10万吨磷酸锰铁锂。"
    facts = _facts(text, [("DevelopmentZone", "东湖高新区", "zone"),
                          ("Project", "甲乙正极材料项目", "proj")])
    assert ("investment", 2e9, "CNY", "proj") in facts
    assert ("area", 110000, "m2", "proj") in facts
    assert ("capacity", 1e5, "t", "proj") in facts


def test_an_investment_that_builds_the_named_project_goes_to_the_project():
    """GUIDELINES: a project's figures go to the project, also when a company's clause
    states them (某公司投资50亿元建设…项目); a company's sum without a project stays its own."""
    text = "甲乙新能源科技有限公司投资50亿元建设10GW异质结电池及组件项目。丙丁科技有限公司去年投资8亿元，营收增长。"
    facts = _facts(text, [("Company", "甲乙新能源科技有限公司", "co"),
                          ("Project", "10GW异质结电池及组件项目", "proj"),
                          ("Company", "丙丁科技有限公司", "co2")])
    assert ("investment", 5e9, "CNY", "proj") in facts
    assert ("investment", 5e9, "CNY", "co") not in facts
    assert ("investment", 8e8, "CNY", "co2") in facts


def test_an_investment_in_a_relative_clause_goes_to_the_project_it_builds():
    """"C投资60亿元建设的P": the sum is P's, as without 的."""
    text = "其中，投资额最大的是甲乙磁材科技股份有限公司投资60亿元建设的高性能永磁材料基地项目，项目达产后年产值约120亿元。"
    facts = _facts(text, [("Company", "甲乙磁材科技股份有限公司", "co"),
                          ("Project", "高性能永磁材料基地项目", "proj")])
    assert ("investment", 6e9, "CNY", "proj") in facts
    assert ("investment", 6e9, "CNY", "co") not in facts


def test_an_agent_clause_leaves_the_project_the_topic_of_later_figures():
    """"P，总投资26亿元，由C投资建设，…建成后预计年产值50亿元": C is the agent; the figures
    after it are still P's."""
    text = ("主项目为年产20万吨高端型材项目，总投资26亿元，由甲乙铝业股份有限公司投资建设，"
            "主要建设型材生产线12条，建成后预计年产值50亿元。")
    facts = _facts(text, [("Project", "年产20万吨高端型材项目", "proj"),
                          ("Company", "甲乙铝业股份有限公司", "co")])
    assert ("output_value", 5e9, "CNY", "proj") in facts
    assert not [f for f in facts if f[3] == "co"], facts


def test_a_figure_before_a_long_project_name_goes_to_that_project():
    """"投资12亿元的<project>": the figure modifies the name after it, however long."""
    text = "甲乙研究所投资12亿元的功率半导体模块封装二期项目进入设备调试阶段。"
    facts = _facts(text, [("Company", "甲乙研究所", "co"),
                          ("Project", "功率半导体模块封装二期项目", "proj")])
    assert ("investment", 1.2e9, "CNY", "proj") in facts


@pytest.mark.parametrize("clause, value", [
    ("新增就业1500人", 1500), ("可带动就业2000余人", 2000), ("新增就业岗位3000个", 3000)])
def test_jobs_a_project_creates_are_counted(clause, value):
    text = f"甲乙科技有限公司年产5GW电池项目开工，项目达产后{clause}。"
    facts = _facts(text, [("Company", "甲乙科技有限公司", "co"),
                          ("Project", "年产5GW电池项目", "proj")])
    assert any(f[:3] == ("count", value, "person") and f[3] in ("co", "proj") for f in facts)


def test_new_jobs_after_the_project_pronoun_are_the_projects():
    """新增 marks no whole region when the sentence is about a project (项目达产后…新增就业岗位)."""
    text = ("某某市化工园区的甲乙化工股份有限公司年产30万吨己二腈项目全面投产。\n"
            "项目全面达产后，可实现年产值约150亿元，新增就业岗位1200个。")
    facts = _facts(text, [("Region", "某某市", "city"), ("Company", "甲乙化工股份有限公司", "co"),
                          ("Project", "年产30万吨己二腈项目", "proj")])
    assert ("count", 1200, "person", "proj") in facts


def test_jobs_of_a_whole_city_go_to_the_city():
    text = "2024年，某某市经济稳中有进。甲乙科技有限公司投产。全市城镇新增就业5.2万人。"
    facts = _facts(text, [("Region", "某某市", "city"), ("Company", "甲乙科技有限公司", "co")])
    assert ("count", 52000, "person", "city") in facts


def test_a_completed_share_is_the_project_progress():
    text = "某某县重点项目推进会召开。甲乙项目总投资9800万元，目前主体工程已完工80%。"
    facts = _facts(text, [("Region", "某某县", "county"), ("Project", "甲乙项目", "proj")])
    assert ("ratio", 80, "percent", "proj") in facts


def test_the_figures_after_the_agent_of_a_project_pronoun_are_the_projects():
    """"该项目由C投资建设，总投资120亿元": C is the agent; the figures are the project's."""
    text = "市领导了解了甲乙颗粒硅项目建设进展。该项目由丙丁控股有限公司投资建设，总投资120亿元，目前已完成投资65亿元。"
    facts = _facts(text, [("Project", "甲乙颗粒硅项目", "p"), ("Company", "丙丁控股有限公司", "c")])
    assert ("investment", 1.2e10, "CNY", "p") in facts
    assert ("investment", 6.5e9, "CNY", "p") in facts


def test_signed_agreement_sums_and_class_thresholds():
    """协议总金额 is an investment (as 签约额); 10亿元以上项目4个 is a threshold of a class of
    projects, not an amount; a hedged sum (总投资10亿元以上) is kept."""
    text = "某某市今年新签约亿元以上项目58个，协议总金额1260亿元，其中10亿元以上项目4个。甲乙项目总投资12亿元以上。"
    facts = _facts(text, [("Region", "某某市", "city"), ("Project", "甲乙项目", "p")])
    assert ("investment", 1.26e11, "CNY", "city") in facts
    assert not any(f[0] == "investment" and f[1] == 1e9 for f in facts)
    assert ("investment", 1.2e9, "CNY", "p") in facts


def test_yuan_left_out_after_a_money_cue():
    """投资50亿 / 一期投资20亿: 元 is often left out after 投资; 50亿方 is gas, not money."""
    text = "甲乙锂科股份有限公司拟投资50亿建设年产10GWh储能电池项目，一期投资20亿。丙丁项目投资后年供气50亿方。"
    facts = _facts(text, [("Company", "甲乙锂科股份有限公司", "co"),
                          ("Project", "年产10GWh储能电池项目", "p"), ("Project", "丙丁项目", "p2")])
    assert ("investment", 5e9, "CNY", "p") in facts
    assert any(f[:3] == ("investment", 2e9, "CNY") for f in facts)
    assert not any(f[0] == "investment" and f[1] == 5e9 and f[3] == "p2" for f in facts)
    # a round headline figure in Chinese numerals (总投资超百亿！) is no stated sum
    assert not any(f[1] == 1e10 for f in _facts("总投资超百亿！又一新能源大项目落地某某市\n正文。"))


def test_a_project_pronoun_points_back_to_the_project_not_its_line():
    """"项目全部达产后…" after "P项目…一期建设3GWh生产线": the figures are P's."""
    text = ("甲乙公司投资50亿元建设年产10GWh储能电池项目，一期建设3GWh储能电池生产线。\n"
            "项目全部达产后，预计年销售收入100亿元，年纳税5亿元。")
    facts = _facts(text, [("Company", "甲乙公司", "co"), ("Project", "年产10GWh储能电池项目", "p"),
                          ("Project", "3GWh储能电池生产线", "line")])
    assert ("output_value", 1e10, "CNY", "p") in facts
    assert ("tax", 5e8, "CNY", "p") in facts


def test_a_refining_capacity_is_a_capacity():
    text = "甲乙炼化一体化项目一期已全面投产，年加工原油2000万吨。"
    facts = _facts(text, [("Project", "甲乙炼化一体化项目一期", "p")])
    assert ("capacity", 2e7, "t", "p") in facts


def test_a_zone_report_is_about_the_zone_and_whole_city_figures_about_the_city():
    """A zone's work report (the city only inside the zone's name) puts its growth figures
    on the zone; 全市 … figures go to the city the text names; 税收收入 is tax."""
    text = ("某某经开区2023年工作总结\n2023年，某某经济技术开发区实现地区生产总值680亿元，同比增长6.5%；"
            "完成税收收入95亿元。\n今年以来，某某市全市1803个新建项目已开工1282个，开工率71.1%。")
    spec = [("DevelopmentZone", "某某经开区", "zone"), ("DevelopmentZone", "某某经济技术开发区", "zone"),
            ("Region", "某某市", "city")]
    doc = ingest_text(text)
    ms = _mentions(doc.text, spec)
    ms = [Mention(m.type, m.text, m.start, m.end, m.key, "test",
                  (("level", "city"),) if m.type == "Region" else ()) for m in ms]
    ms.append(Mention("Region", "某某", 0, 2, "city", "test", (("level", "city"), ("nested", "1"))))
    facts = [(q.kind, q.value, q.unit, q.subject[1] if q.subject else None)
             for q in extract_quantities(doc, ms)]
    assert ("ratio", 6.5, "percent", "zone") in facts
    assert ("tax", 9.5e9, "CNY", "zone") in facts
    assert ("count", 1803, "project", "city") in facts
    assert ("ratio", 71.1, "percent", "city") in facts


def test_a_pronoun_does_not_jump_over_another_project_to_a_like_named_one():
    """"…甲乙精细化工工程建设现场…丙丁输电工程渝北换流站的施工现场，工程计划今年建成投运，届时
    每年可输送电力超360亿千瓦时": the converter station's line, not the chemical works."""
    text = ("在辽宁，甲乙精细化工及原料工程建设现场，工程已完成总体进度近60%。"
            "在重庆，丙丁特高压直流输电工程渝北换流站的施工现场，电气安装全面推进，"
            "工程计划今年建成投运，届时每年可输送电力超360亿千瓦时。")
    facts = _facts(text, [("Project", "甲乙精细化工及原料工程", "chem"),
                          ("Project", "丙丁特高压直流输电工程渝北换流站", "line")])
    assert ("capacity", 3.6e13, "Wh", "line") in facts


def test_capacity_product():
    text = "该项目年产10万吨磷酸锰铁锂。"
    doc = ingest_text(text)
    ms = _mentions(doc.text, [("Product", "磷酸锰铁锂", "p")])
    (q,) = extract_quantities(doc, ms)
    assert q.product == ("Product", "p")
    assert q.text.startswith("年产")


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("地区生产总值增长4.8%、达到6.2万亿元。", ("gdp", 6.2e12, "CNY")),
        ("跨境电商交易额增长1倍。", ("ratio", 100, "percent")),
        ("小型生产线约占全省市场份额的六成。", ("ratio", 60, "percent")),
        ("工业增加值下降0.5%。", ("ratio", -0.5, "percent")),
        ("建成后每年可向华中输送电力超200亿千瓦时。", ("capacity", 2e13, "Wh")),
        ("新增风电光伏装机620万千瓦。", ("capacity", 6.2e9, "W")),
        ("新建一座日处理能力为20万立方米的净水厂。", ("capacity", 2e5, "m3/d")),
        ("新增天然气产能80亿方/年。", ("capacity", 8e9, "m3")),
        ("项目投产后可提供1200个就业岗位。", ("count", 1200, "person")),
        ("全线9座桥梁正在施工。", ("count", 9, "unit")),
        ("全省共有钢铁生产企业86家。", ("count", 86, "company")),
        ("该集团在全球拥有六大生产基地。", ("count", 6, "unit")),
        ("实际利用外资3200万美元。", ("investment", 3.2e7, "USD")),
        ("累计纳税30多亿元。", ("tax", 3e9, "CNY")),
        ("占地面积约800亩。", ("area", 800, "mu")),
        ("新型客机的产能预计将达到30架。", ("capacity", 30, "unit")),
    ],
)
def test_kinds_and_units(text, fact):
    assert fact in [f[:3] for f in _facts(text)]


@pytest.mark.parametrize(
    "text",
    [
        "净利润12.5亿元，同比增长18.2%。",
        "人均产能约2.3吨。",
        "该省已经淘汰了近500万吨落后产能。",
        "累计生产洗衣机近2000万台。",
        "全年外送电量900亿千瓦时。",
        "高于全国2.1个百分点。",
        "全长8.5公里，跨径20米。",
        "储能市场规模将达2万亿元。",
        "其转换效率达到85%的先进水平。",
        "人民币存贷款余额分别增长7.1%、8.2%。",
        "新增院士3人，建成专利培育中心12家。",
        "安排了5000万元以上的重点水利项目。",
        "首期50亿元产业母基金投运。",
        "第5次调度会，2023年3月。",
        "PM2.5平均浓度降到28微克/立方米。",
        "落实资金120多亿元。",
    ],
)
def test_not_annotated(text):
    assert _facts(text) == []


def test_region_wide_figures_go_to_the_region():
    text = "某省政府工作报告\n甲乙项目开工建设，工业投资增长7.4%，新增规模以上企业800家。"
    facts = _facts(text, [("Region", "某省", "sx"), ("Project", "甲乙项目", "p")])
    assert ("ratio", 7.4, "percent", "sx") in facts
    assert ("count", 800, "company", "sx") in facts


def test_list_level_count_goes_to_the_region():
    text = "某省丙丁等7处煤矿建成试运转、新增产能2100万吨/年。"
    facts = _facts(text, [("Region", "某省", "sx"), ("Project", "丙丁", "k")])
    assert ("count", 7, "project", "sx") in facts
    assert ("capacity", 2.1e7, "t", "sx") in facts


def test_pronoun_goes_to_the_sentence_topic():
    text = "甲水泥今年又收购乙建材100%的股权，它在某省拥有3条生产线，产能300万吨/年。"
    facts = _facts(text, [("Company", "甲水泥", "hl"), ("Company", "乙建材", "zx"),
                          ("Region", "某省", "yn")])
    assert ("ratio", 100, "percent", "hl") in facts
    assert ("count", 3, "unit", "hl") in facts
    assert ("capacity", 3e6, "t", "hl") in facts


def test_dedupe_and_exact_over_rounded():
    text = "丙集团斥资近9亿元收购甲公司。丙集团宣布斥资8.96亿元收购甲公司。项目投资5亿元，总投资5亿元。"
    facts = _facts(text, [("Company", "丙集团", "cr")])
    money = [f for f in facts if f[0] == "investment"]
    assert ("investment", 8.96e8, "CNY", "cr") in money
    assert ("investment", 9e8, "CNY", "cr") not in money
    assert len([f for f in money if f[1] == 5e8]) == 1


def test_title_headline_not_repeated():
    text = "丁电器投资30亿元建设产业基地\n丁电器正式宣布投资30亿元。"
    doc = ingest_text(text)
    (q,) = extract_quantities(doc, [])
    assert q.start > doc.text.index("\n")


def test_deterministic():
    text = "该区新签合同项目12个，投资规模45.2亿元；落地项目9个，总投资30.1亿元。"
    doc = ingest_text(text)
    assert extract_quantities(doc, []) == extract_quantities(doc, [])


@pytest.mark.skipif(not (SHARED / "eval" / "dev" / "texts" / "06.txt").exists(),
                    reason="shared eval set not available")
def test_dev_report_values():
    from kg.ingest import ingest_file

    doc = ingest_file(SHARED / "eval" / "dev" / "texts" / "06.txt")
    values = {(q.kind, q.value, q.unit) for q in extract_quantities(doc, [])}
    assert ("investment", 8.45e10, "CNY") in values
    assert ("capacity", 1.5e10, "m3") in values
    assert ("count", 989, "project") in values


@pytest.mark.parametrize("figure, value, unit", [
    ("总投资约16亿港元", 1.6e9, "HKD"), ("总投资2亿欧元", 2e8, "EUR"), ("投资50亿日元", 5e9, "JPY")])
def test_money_in_other_currencies_keeps_its_currency(figure, value, unit):
    facts = _facts(f"甲乙风电场项目{figure}。", [("Project", "甲乙风电场项目", "proj")])
    assert ("investment", value, unit, "proj") in facts


def test_coal_saved_is_no_capacity():
    facts = _facts("甲乙风电场项目装机容量为20万千瓦，每年可节约标准煤约13.6万吨，替代标准煤5万吨。",
                   [("Project", "甲乙风电场项目", "proj")])
    assert ("capacity", 2e8, "W", "proj") in facts
    assert not [f for f in facts if f[2] == "t"], facts


def test_a_project_pronoun_keeps_the_sum_when_a_line_is_built_next():
    """——P。项目总投资140亿元，规划建设年产60GWh…生产线: the sum is P's, not the line's."""
    text = "——甲乙动力某某基地项目。项目总投资140亿元，规划建设年产60GWh动力电池生产线。"
    facts = _facts(text, [("Project", "甲乙动力某某基地项目", "proj"),
                          ("Project", "年产60GWh动力电池生产线", "line")])
    assert ("investment", 1.4e10, "CNY", "proj") in facts


def test_a_sentence_opening_with_the_project_pronoun_is_about_it_not_its_place():
    """项目位于X高新区，总投资25亿元: the project's figures, not the zone's."""
    text = "——甲乙农机装备产业园项目。项目位于某某高新技术产业开发区，总投资25亿元，已完成投资12亿元。"
    facts = _facts(text, [("Project", "甲乙农机装备产业园项目", "proj"),
                          ("DevelopmentZone", "某某高新技术产业开发区", "zone")])
    assert ("investment", 2.5e9, "CNY", "proj") in facts
    assert ("investment", 1.2e9, "CNY", "proj") in facts
    assert not [f for f in facts if f[3] == "zone"], facts


def test_a_sum_and_a_capacity_added_by_the_project_built_next():
    """C拟在Z投资80亿元，建设P，新增年产30万辆…产能: both are P's."""
    text = "甲乙汽车有限公司拟在某某新区投资80亿元，建设智慧工厂二期项目，新增年产30万辆新能源汽车产能。"
    facts = _facts(text, [("Company", "甲乙汽车有限公司", "co"), ("DevelopmentZone", "某某新区", "zone"),
                          ("Project", "智慧工厂二期项目", "proj")])
    assert ("investment", 8e9, "CNY", "proj") in facts
    assert ("capacity", 3e5, "unit", "proj") in facts


def test_gaishi_names_the_city_before_it():
    """该市: the city named before, not the province that opens the text."""
    from kg.extract import extract_document
    ex = extract_document(ingest_text("江西省赣州市全力打造链长制升级版。目前，该市稀土新材料及应用产业链已集聚规上企业210家。"))
    counts = [q for q in ex.quantities if q.kind == "count" and q.value == 210]
    assert counts and counts[0].subject == ("Region", "360700"), counts


def test_the_legal_form_of_a_company_is_not_part_of_a_figure():
    from kg.extract import extract_document
    ex = extract_document(ingest_text("甲乙盐湖工业股份有限公司4万吨/年基础锂盐一体化项目主体工程已全面完工。"))
    assert [q.text for q in ex.quantities] == ["4万吨/年"]


def test_a_province_wide_figure_is_no_citys_when_the_province_is_not_named():
    from kg.extract import extract_document
    ex = extract_document(ingest_text("1—6月，全省510个省重点项目完成投资2856亿元。宁波市、温州市完成率位居前列。"))
    subjects = {q.subject for q in ex.quantities if q.value in (510, 2.856e11)}
    assert subjects == {None}, subjects
    # named, the province gets it
    ex = extract_document(ingest_text("浙江省：1—6月，全省510个省重点项目开工。宁波市、温州市完成率位居前列。"))
    assert {q.subject for q in ex.quantities if q.value == 510} == {("Region", "330000")}


def test_the_land_and_the_sum_of_a_farming_project_named_by_its_land():
    from kg.extract import extract_document
    ex = extract_document(ingest_text("近年来，某某县实施20万亩生态茶园提质增效项目，总投资3.5亿元。"))
    subj = {(q.kind, q.subject) for q in ex.quantities}
    assert subj == {("area", ("Project", "20万亩生态茶园提质增效项目")),
                    ("investment", ("Project", "20万亩生态茶园提质增效项目"))}, subj


def test_a_sum_after_the_owner_named_by_a_label_is_the_projects():
    text = "年产10万吨磷酸铁锂项目位于某某经济开发区，项目业主为甲乙新能源科技有限公司，总投资30亿元。"
    facts = _facts(text, [("Project", "年产10万吨磷酸铁锂项目", "p"), ("DevelopmentZone", "某某经济开发区", "z"),
                          ("Company", "甲乙新能源科技有限公司", "c")])
    assert ("investment", 3e9, "CNY", "p") in facts


def test_the_autonomous_regions_figures_are_no_citys_when_it_is_not_named():
    from kg.extract import extract_document
    text = ("2024年，自治区安排重大项目1200个，年度计划投资3500亿元，完成年度计划的90.3%。\n"
            "分盟市看，鄂尔多斯市完成投资780亿元，包头市完成投资520亿元。")
    ex = extract_document(ingest_text(text))
    by_value = {q.value: q.subject for q in ex.quantities}
    assert by_value[1200] is None and by_value[3.5e11] is None and by_value[90.3] is None, by_value
    assert by_value[7.8e10] == ("Region", "150600")


def test_a_province_qualifying_a_chain_does_not_make_the_sentence_the_provinces():
    from kg.extract import extract_document
    text = "宁波市加快发展集成电路产业。甲乙电子科技有限公司是我省集成电路重点产业链链主企业，带动上下游企业30家。"
    ex = extract_document(ingest_text(text))
    assert [q.subject for q in ex.quantities if q.value == 30] != [None]


def test_a_companys_figure_after_a_list_of_its_products_is_its_own():
    text = "县内链主企业甲乙汽车零部件有限公司年产汽车水泵、排气歧管等产品1200万件。"
    facts = _facts(text, [("Region", "县", "county"), ("Company", "甲乙汽车零部件有限公司", "co")])
    assert [f for f in facts if f[1] == 1.2e7] == [("capacity", 1.2e7, "piece", "co")], facts


def test_the_whole_district_is_the_district_not_a_park_named_in_it():
    text = "袁州区聚焦锂电产业，甲乙医药工业园建成投用。目前，全区已集聚锂电企业58家。"
    facts = _facts(text, [("Region", "袁州区", "district"), ("DevelopmentZone", "甲乙医药工业园", "park")])
    assert [f for f in facts if f[1] == 58] == [("count", 58, "company", "district")], facts


def test_a_sentence_about_the_whole_region_is_not_the_previous_projects():
    from kg.extract import extract_document

    text = ("袁州区重大项目集中开工。\n“此次开工的碳酸锂和储能电池项目，将进一步延伸我区锂电产业链条。”"
            "区发改委相关负责人介绍，今年全区共安排重大项目126个，年度计划投资185亿元。\n")
    qs = extract_document(ingest_text(text)).quantities
    assert [q.subject[0] for q in qs if q.value == 1.85e10] == ["Region"], qs


def test_a_capacity_a_completed_project_adds_is_the_projects():
    text = "甲乙精工机床有限公司投资3.2亿元实施的数控机床智能化技改项目已于9月竣工，新增五轴联动加工中心产能120台/年。"
    facts = _facts(text, [("Company", "甲乙精工机床有限公司", "co"), ("Project", "数控机床智能化技改项目", "proj")])
    assert [f for f in facts if f[1] == 120] == [("capacity", 120, "unit", "proj")], facts


TOUR = ("【新闻联播】各地重大项目建设跑出加速度\n"
        "在山东烟台，位于甲乙石化产业园的甲乙化学高端聚烯烃一体化项目现场热火朝天。这一项目由烟台甲乙化学有限公司投资建设，"
        "总投资186亿元。今年，山东省级重点项目612个，开工率达到67.5%。\n"
        "在湖北宜昌，丙丁新能源年产20万吨磷酸铁锂项目二期日前正式投产。一季度湖北全省新开工亿元以上项目1263个，同比增长14.2%。\n"
        "在广东茂名，戊己石化120万吨/年乙烯项目进入设备安装高峰期。这个总投资约320亿元的项目是今年的省重点建设项目之一。\n")


def test_a_news_tours_paragraphs_keep_their_own_places():
    """A television tour opens each paragraph with its place (在湖北宜昌，…): the paragraph's
    region-wide figures are that place's, not the first province's; 这一项目由C投资建设，总投资… and
    这个总投资…的项目 are the project's."""
    from kg.extract import extract_document

    ex = extract_document(ingest_text(TOUR))
    lab = {(m.type, m.key): m.text for m in ex.mentions}
    got = {(q.value, lab.get(q.subject, q.subject[1] if q.subject else None)) for q in ex.quantities}
    assert (1.86e10, "甲乙化学高端聚烯烃一体化项目") in got
    assert (3.2e10, "戊己石化120万吨/年乙烯项目") in got
    assert (14.2, "湖北") in got or (14.2, "湖北省") in got, got
    assert not any(v in (67.5, 14.2) and s and s.startswith("广东") for v, s in got), got


def test_a_share_of_the_annual_plan_goes_to_the_project_the_sentence_reports_on():
    """GUIDELINES §6: a project's completion rate (完成投资X亿元，占年度计划的Y%) is the
    project's, though a region is named in the same sentence; the region's own rate stays its."""
    text = ("全县重点项目完成投资80亿元，占年度计划的40%。"
            "（一）丰河县甲乙新材料项目，总投资20亿元，一季度完成投资3亿元，占年度计划的30%，主体厂房已封顶。")
    facts = _facts(text, [("Region", "丰河县", "county"),
                          ("Project", "丰河县甲乙新材料项目", "proj")])
    assert ("ratio", 30, "percent", "proj") in facts
    assert ("ratio", 40, "percent", "proj") not in facts


def test_the_venue_of_an_event_is_not_the_subject_of_its_figures():
    """GUIDELINES §6: a bulletin's totals belong to the region it reports on, not to the city
    the ceremony was held in (…集中开工活动在某市举行，共有N个项目…，总投资X亿元)."""
    text = "5月8日，青川省第二批重大项目集中开工活动在临河市举行，现场开工项目120个，总投资860亿元。"
    facts = _facts(text, [("Region", "青川省", "prov"), ("Region", "临河市", "city")])
    assert ("investment", 8.6e10, "CNY", "prov") in facts
    assert ("count", 120, "project", "prov") in facts


@pytest.mark.parametrize("sentence", [
    "丰河经开区甲乙电机项目由丰河甲乙电机有限公司投资建设，总投资20亿元，建成后新增就业岗位1500个。",
    "丰河经开区甲乙电机项目竣工，总投资20亿元，达产后年产值30亿元，可新增就业1500人。"])
def test_jobs_in_a_projects_sentence_go_to_the_project(sentence):
    """GUIDELINES §6: the jobs a project creates are the project's, also when its builder is
    named as the agent (P由C投资建设) or no company is named; not the region's."""
    text = "青川省重点项目建设情况。\n" + sentence
    spec = [("Region", "青川省", "prov"), ("DevelopmentZone", "丰河经开区", "zone"),
            ("Project", "丰河经开区甲乙电机项目", "proj")]
    if "有限公司" in sentence:
        spec.append(("Company", "丰河甲乙电机有限公司", "co"))
    assert ("count", 1500, "person", "proj") in _facts(text, spec)


def test_a_capacity_of_identical_units_is_multiplied_out():
    """GUIDELINES §6: compound capacities are multiplied out (2×66万千瓦 → 1.32e9 W)."""
    text = "甲乙煤电一体化项目建设2×66万千瓦超超临界燃煤发电机组。"
    facts = _facts(text, [("Project", "甲乙煤电一体化项目", "proj")])
    assert ("capacity", 1.32e9, "W", "proj") in facts
    assert ("capacity", 6.6e8, "W", "proj") not in facts


def test_a_share_of_the_total_investment_goes_to_the_project():
    """累计完成投资62亿元，占总投资的55.9%: the project's completion rate."""
    text = "1.丰河甲乙半导体三期项目：总投资111亿元，累计完成投资62亿元，占总投资的55.9%。"
    facts = _facts(text, [("Region", "丰河", "city"), ("Project", "丰河甲乙半导体三期项目", "proj")])
    assert ("ratio", 55.9, "percent", "proj") in facts


def test_figures_after_respectively_go_in_order_to_the_names_before_it():
    """甲市、乙市、丙市分别完成投资A、B、C，完成率分别为X、Y、Z: each figure to its city; a
    list of sectors (零售额分别增长…) keeps its figures with the region."""
    text = ("分市州看，临河市、丰河市、青川市分别完成投资862亿元、598亿元、421亿元，完成率分别为80.2%、78.5%、75.1%。"
            "临河市通讯器材、家用电器零售额分别增长40.9%、27.1%。")
    facts = _facts(text, [("Region", "临河市", "a"), ("Region", "丰河市", "b"), ("Region", "青川市", "c"),
                          ("Product", "家用电器", "p")])
    assert {("investment", 8.62e10, "CNY", "a"), ("investment", 5.98e10, "CNY", "b"),
            ("investment", 4.21e10, "CNY", "c"), ("ratio", 80.2, "percent", "a"),
            ("ratio", 78.5, "percent", "b"), ("ratio", 75.1, "percent", "c")} <= set(facts)
    assert ("ratio", 27.1, "percent", "p") not in facts


def test_an_investment_that_builds_the_project_in_a_place_goes_to_the_project():
    """C投资2亿美元在某高新区建设P: the sum builds P, wherever it is built."""
    text = "甲乙电子股份有限公司投资2亿美元在火炬高新区建设高端印刷电路板项目。"
    facts = _facts(text, [("Company", "甲乙电子股份有限公司", "co"), ("DevelopmentZone", "火炬高新区", "zone"),
                          ("Project", "高端印刷电路板项目", "proj")])
    assert ("investment", 2e8, "USD", "proj") in facts


def test_a_sum_that_classes_the_projects_counted_is_a_threshold():
    """其中投资超10亿元项目9个: 10亿元 says which projects are counted, no investment."""
    facts = _facts("丰河市共开工项目52个，总投资316亿元，其中投资超10亿元项目9个。", [("Region", "丰河市", "city")])
    assert ("investment", 1e9, "CNY", "city") not in facts
    assert ("count", 9, "project", "city") in facts


def test_an_items_figures_after_its_owner_go_to_its_project():
    """1．P，C，总投资80亿元，装机容量120万千瓦: the owner is written after the name; the figures
    are the project's."""
    text = "丰河市重大项目。\n1．丰河抽水蓄能电站，甲乙抽水蓄能有限公司，总投资80亿元，装机容量120万千瓦。"
    facts = _facts(text, [("Region", "丰河市", "city"), ("Project", "丰河抽水蓄能电站", "proj"),
                          ("Company", "甲乙抽水蓄能有限公司", "co")])
    assert ("investment", 8e9, "CNY", "proj") in facts
    assert ("capacity", 1.2e9, "W", "proj") in facts


def test_progress_in_a_later_sentence_of_an_items_line_goes_to_its_project():
    """P：总投资152亿元。目前…主体结构已封顶，高架桥桩基施工完成80%: the item's progress."""
    text = "丰河市十大项目。\n丰河国际空港综合交通枢纽项目：总投资152亿元。目前航站楼主体结构已封顶，高架桥桩基施工完成80%。"
    facts = _facts(text, [("Region", "丰河市", "city"), ("Project", "丰河国际空港综合交通枢纽项目", "proj")])
    assert ("ratio", 80, "percent", "proj") in facts

def _extracted(text):
    """(kind, value, unit, subject label) with the mentions the entity extractor finds."""
    from kg.extract.entities import extract_mentions

    doc = ingest_text(text)
    ms, canon = extract_mentions(doc)
    return [(q.kind, q.value, q.unit, canon.get(q.subject) if q.subject else None)
            for q in extract_quantities(doc, ms)]


def test_a_headline_place_is_the_topic_of_region_wide_figures():
    """A report whose headline names its region gives it the region-wide figures, however
    often the body names one of its cities (2026年某某自治区政府工作报告 naming 南宁 in one
    project after another); a headline naming a province and a city is about the city."""
    facts = _extracted(
        "2026年广西壮族自治区政府工作报告\n"
        "南宁甲乙机场改扩建工程投入使用。南宁至贵港一级航道加快建设。推进南宁、百色先进制造基地建设。"
        "推进甲乙国际通信业务出入口局投产运营。争取中央各类建设发展资金超900亿元，新签约项目208个。\n")
    assert ("investment", 9e10, "CNY", "广西壮族自治区") in facts
    assert ("count", 208, "project", "广西壮族自治区") in facts
    facts = _extracted("江西赣州242个重大项目联动开工\n"
                       "江西省赣州市3日举行重大项目联合开工会，联合开工项目242个，总投资1609亿元。江西各地加快推进。\n")
    assert ("investment", 1609e8, "CNY", "赣州市") in facts


def test_vessel_classes_thresholds_and_averages_are_no_figures():
    """30万吨级进港航道 (a vessel class), 引进投资超10亿元重大项目14个 (a threshold of a class of
    projects; the count stays), 平均投资6.6亿元 (an average): GUIDELINES §6 annotates none."""
    facts = _extracted("2026年广西壮族自治区政府工作报告\n"
                       "甲乙铁路增建二线、甲乙港30万吨级进港航道一期、丙丁水电站1000吨级通航设施等项目顺利开工。"
                       "组建甲乙关键金属产业发展集团，引进投资超10亿元重大项目14个。"
                       "联合开工项目242个，总投资1609亿元，平均投资6.6亿元。\n")
    assert not any(k == "capacity" for k, *_ in facts), facts
    assert not any(k == "investment" and v in (1e9, 6.6e8) for k, v, *_ in facts), facts
    assert ("count", 14, "project", "广西壮族自治区") in facts
    assert ("investment", 1609e8, "CNY", "广西壮族自治区") in facts


def test_a_regions_installed_power_is_the_regions():
    """电力装机规模达1.1亿千瓦 after a sentence naming projects: the region's installed power."""
    facts = _extracted("2026年贵州省政府工作报告\n加快推进甲乙煤矿建设。建成投产甲湾、乙南等煤电项目，"
                       "电力装机规模达1.1亿千瓦。\n")
    assert ("capacity", 1.1e11, "W", "贵州省") in facts, facts


def test_ranges_classes_and_induced_investment_are_no_figures():
    """大多投资在5亿元以上 (a range), 30亿元项目8个 (a class counted), 带动下游投资1500亿元 (what a
    project induces): none is annotated (GUIDELINES §6); the project's own sum stays."""
    facts = _extracted("新开工6个项目大多投资在5亿元以上，建成投产后年产值在10亿元以上。"
                       "其中50亿元以上项目1个，30亿元项目8个。甲乙化工100万吨乙烯项目总投资357亿元，"
                       "预计可带动下游投资1500亿元以上。\n")
    money = {v for k, v, *_ in facts if k in ("investment", "output_value")}
    assert money == {357e8}, facts


def test_a_province_wide_sentence_names_its_venues():
    """全省重大项目集中开工仪式在A市、B市同步举行，11个重大项目集中开工，总投资达872亿元: the
    province's figures, the cities are where the ceremony was held."""
    facts = _extracted("湖南11个重大项目集中开工\n1月3日上午，2024年全省重大项目集中开工仪式在岳阳市、益阳市、"
                       "长沙市同步举行，11个重大项目集中开工，总投资达872亿元，年度计划投资143亿元。\n")
    assert ("investment", 872e8, "CNY", "湖南省") in facts, facts
    assert ("investment", 143e8, "CNY", "湖南省") in facts, facts


def test_a_yearly_output_in_square_metres_after_its_products_is_a_capacity():
    """可年产光学薄膜和功能性薄膜1亿平方米: 年产 governs the figure over the products between."""
    facts = _extracted("甲乙光学薄膜涂布生产项目总投资2亿元。该项目全部建成后，可年产光学薄膜和功能性薄膜1亿平方米。\n")
    assert ("capacity", 1e8, "m2", "甲乙光学薄膜涂布生产项目") in facts, facts


def test_a_sum_after_a_count_of_projects_is_theirs():
    """P已建成投产，项城市共签约7个项目，总投资11.9亿元: the projects counted, the city's."""
    facts = _extracted("周口上半年新签约项目209个\n西华县引进的河南甲跃年产3000台智能机器人生产建设项目已建成投产，"
                       "项城市通过产业推介会共签约7个项目，总投资11.9亿元。\n")
    assert ("investment", 11.9e8, "CNY", "项城市") in facts, facts


def test_a_power_class_is_no_capacity_and_bai_wan_qian_wa_reads_right():
    """打造百万千瓦级光伏基地: a class (百万千瓦级), not a capacity; 百万千瓦 is 1e9 W (千 belongs
    to 千瓦)."""
    from kg.extract.numbers import find_numbers

    assert [n.value for n in find_numbers("装机百万千瓦")] == [1e6]
    facts = _extracted("兴庆区打造百万千瓦级光伏基地。甲乙光伏电站装机百万千瓦。\n")
    assert ("capacity", 1e9, "W", "甲乙光伏电站") in facts or ("capacity", 1e9, "W", "兴庆区") in facts, facts
    assert not any(k == "capacity" and v != 1e9 for k, v, *_ in facts), facts


def test_a_compound_capacity_is_multiplied_out():
    """甲煤汨罗2×100万千瓦燃煤发电工程项目: 2×100万千瓦 is 2e9 W (GUIDELINES §6), and the project's
    name keeps the multiplication."""
    facts = _extracted("以及甲煤汨罗2×100万千瓦燃煤发电工程项目。\n")
    assert ("capacity", 2e9, "W", "甲煤汨罗2×100万千瓦燃煤发电工程项目") in facts, facts


def test_qi_zhong_is_no_pronoun():
    """其中鄂尔多斯市援建项目25个、总投资333亿元: 其中 (among them) points at no company."""
    facts = _extracted("内蒙古45个投资亿元以上重点项目集中开工\n据统计，此次开工的项目有鄂尔多斯甲乙集团年产40万件羊绒衫"
                       "加工项目等，以及由北京合展集团捐资建设的乌兰浩特合展小学等基础设施项目。\n据悉，兴安盟今年将有86个"
                       "投资亿元以上项目陆续开工建设，总投资936亿元，其中鄂尔多斯市援建项目25个、总投资333亿元。\n")
    assert not any(s == "北京合展集团" for *_, s in facts), facts


def test_a_bare_sum_with_duo_is_yuan():
    """投资5亿多对…进行扩能改造: 亿多 without 元 after a money cue is a sum of yuan."""
    facts = _extracted("内蒙古自治区投资5亿多对丙丁高速重点路段进行扩能改造。\n")
    assert any(k == "investment" and v == 5e8 for k, v, *_ in facts), facts


def test_figures_after_where_the_sentences_park_lies_are_the_parks():
    """甲乙市场创新产业园区位于本市津南区八里台工业区，占地面积约1100亩，规划总投资25亿元: the park's."""
    facts = _extracted("甲乙产业园区本月开建\n甲乙市场创新产业园区位于本市津南区八里台工业区，占地面积约1100亩，规划总投资25亿元。\n")
    assert ("investment", 25e8, "CNY", "甲乙市场创新产业园区") in facts, facts
    assert ("area", 1100, "mu", "甲乙市场创新产业园区") in facts, facts


def test_the_firms_a_chain_leader_draws_along_are_its_count():
    """甲乙锂电科技股份有限公司是我省减速器重点产业链“链主”企业，带动上下游企业22家: the company's."""
    facts = _extracted("保山市加快重点项目建设纪实\n甲乙锂电科技股份有限公司是我省减速器重点产业链“链主”企业，"
                       "带动上下游企业22家。\n")
    assert ("count", 22, "company", "甲乙锂电科技股份有限公司") in facts, facts


def test_a_plants_tonnage_class_stays_a_capacity():
    """建设年产10万吨级锂电材料项目: 年产…吨级 of a plant is its capacity (a vessel class is not)."""
    facts = _extracted("建设年产10万吨级锂电材料项目。甲乙港30万吨级进港航道一期开工。\n")
    assert [(k, v) for k, v, *_ in facts if k == "capacity"] == [("capacity", 1e5)], facts


def test_the_total_sum_of_a_signing_is_an_investment():
    """共签约项目18个，总金额312.6亿元: the sum signed in the zone is an investment figure."""
    facts = _facts("9月26日，甲乙高新区重大项目集中签约活动举行，共签约项目18个，总金额312.6亿元。",
                   [("DevelopmentZone", "甲乙高新区", "zone")])
    assert ("investment", 31_260_000_000, "CNY", "zone") in facts


def test_a_project_pronoun_does_not_reach_back_into_an_earlier_paragraph():
    """项目总投资… after a base named in its own sentence is the base's, not that of a …项目 of
    the paragraph before."""
    text = ("甲乙风电项目正在进行风机吊装。\n\n与此同时，丙丁开发区引进戊己科技股份有限公司建设风电装备制造基地，"
            "项目总投资15亿元。")
    facts = _facts(text, [("Project", "甲乙风电项目", "wind"), ("Project", "风电装备制造基地", "base")])
    assert ("investment", 1.5e9, "CNY", "base") in facts, facts


def test_the_sum_of_a_number_of_projects_after_a_list_paragraph_is_not_its_last_projects():
    """（二）基础设施项目62个，总投资685亿元 after a paragraph ending with a project: the sum of
    the 62 projects is not that project's investment."""
    text = ("（一）产业项目108个，总投资926亿元。主要包括：甲乙装备制造产业园项目。\n"
            "（二）基础设施项目62个，总投资685亿元。")
    facts = _facts(text, [("Project", "甲乙装备制造产业园项目", "p")])
    assert not any(f[0] == "investment" and f[1] == 6.85e10 and f[3] == "p" for f in facts), facts


def test_the_whole_city_of_a_county_level_citys_report_is_that_city():
    """南安市政府工作报告: 全市 is 南安市 (a county-level city), not 泉州市 named in it."""
    from kg.extract import extract_document

    text = "2026年南安市政府工作报告\n\n2025年，全市完成地区生产总值1680亿元，增长6.5%。泉州市领导出席。"
    ex = extract_document(ingest_text(text))
    gdp = [q for q in ex.quantities if q.kind == "gdp"]
    assert [q.subject for q in gdp] == [("Region", "350583")], gdp


def test_capacity_after_can_produce_a_year_and_added_after_full_production():
    """年可生产城轨车辆1500辆; P已实现满产，新增年产36万片…的能力: both are the project's."""
    from kg.extract import extract_document

    ex = extract_document(ingest_text("甲乙城轨车辆项目建成后年可生产城轨车辆1500辆。"))
    assert [(q.kind, q.value, q.subject[1]) for q in ex.quantities] == [("capacity", 1500, "甲乙城轨车辆项目")]
    ex = extract_document(ingest_text("甲乙IGBT二期项目已实现满产，新增年产36万片8英寸IGBT芯片的能力。"))
    assert [(q.kind, q.value, q.subject[1]) for q in ex.quantities] == [("capacity", 360000, "甲乙IGBT二期项目")]
    assert [r.object[1] for r in ex.relations if r.predicate == "hasStatus"] == ["reached_capacity"]


def test_progress_in_a_sentence_opened_by_the_project_pronoun_is_the_projects():
    """该项目由C投资建设，…，目前整体工程进度已达到78%: the project's progress, not the park's."""
    from kg.extract import extract_document

    text = ("在甲乙精细化工产业园，丙丁精细化工及原料工程项目现场一派繁忙景象。该项目由丙丁石油化工有限公司投资建设，"
            "总投资837亿元，目前整体工程进度已达到78%，预计2026年底实现中交。")
    ex = extract_document(ingest_text(text))
    assert [(q.value, q.subject) for q in ex.quantities if q.kind == "ratio"] == [
        (78, ("Project", "丙丁精细化工及原料工程项目"))]


def test_the_district_of_a_ceremonys_main_hall_takes_no_figures():
    """主会场设在某市某区，全省同步开工重大项目456个，总投资2870亿元: the province's figures."""
    from kg.extract import extract_document

    text = "12月1日，江西省重大项目集中开工活动主会场设在南昌市新建区，全省同步开工重大项目456个，总投资2870亿元。"
    ex = extract_document(ingest_text(text))
    assert {q.subject for q in ex.quantities} == {("Region", "360000")}, ex.quantities


def test_growth_after_a_zones_figure_is_the_zones():
    """X开发区完成固定资产投资312亿元，同比增长18.6%: the zone's growth, not the province's."""
    from kg.extract import extract_document

    text = ("海南洋浦：重点园区项目建设提速\n\n今年1至10月，洋浦经济开发区完成固定资产投资312亿元，同比增长18.6%。"
            "海南省重点园区投资增长明显。")
    ex = extract_document(ingest_text(text))
    assert {q.subject[0] for q in ex.quantities} == {"DevelopmentZone"}, ex.quantities


@pytest.mark.parametrize("text", [
    "某市推进项目建设。甲乙制药有限公司片剂生产线技术改造项目完成投资2.3亿元，新增年产片剂20亿片的生产能力，已于8月投产。",
    "甲乙制药有限公司片剂生产线技术改造项目已于8月投产，新增年产片剂20亿片的生产能力。",
])
def test_capacity_a_project_adds_after_its_investment_is_the_projects(text):
    """P完成投资2.3亿元，新增年产X20亿片的生产能力: what the project adds, not the city's."""
    from kg.extract import extract_document

    ex = extract_document(ingest_text(text))
    cap = [(q.value, q.subject[0]) for q in ex.quantities if q.kind == "capacity"]
    assert cap == [(2e9, "Project")], cap


@pytest.mark.parametrize("text", [
    "同日，甲乙纺织服装产业园项目举行签约仪式。项目由丙丁控股集团有限公司投资20亿元建设，规划建设标准化厂房30万平方米。",
    "二、重点项目\n（一）甲乙纺织服装产业园项目。由丙丁控股集团有限公司投资20亿元建设，占地1200亩。",
])
def test_money_a_firm_puts_into_the_project_the_pronoun_names_is_the_projects(text):
    """项目由C投资20亿元建设, （一）P。由C投资…: the project's investment, not the company's."""
    from kg.extract import extract_document

    ex = extract_document(ingest_text(text))
    inv = [(q.value, q.subject) for q in ex.quantities if q.kind == "investment"]
    assert inv == [(2e9, ("Project", "甲乙纺织服装产业园项目"))], inv


def test_a_county_wide_figure_is_no_zones_when_the_county_is_not_named():
    """全县新签约项目42个 in a report naming only the county's zone: the county's figure (unnamed
    here), not the zone's; a figure of the zone itself stays the zone's."""
    from kg.extract import extract_document

    text = ("今年1至9月，全县新签约亿元以上项目42个，协议总投资286.5亿元。\n"
            "9月26日，总投资35亿元的甲乙正极材料项目在县经济开发区正式开工。县经济开发区入驻企业54家。")
    ex = extract_document(ingest_text(text))
    by_value = {q.value: q.subject for q in ex.quantities}
    assert by_value[42] is None and by_value[286.5e8] is None, by_value
    assert by_value[54] is not None and by_value[54][0] == "DevelopmentZone", by_value


def test_province_rates_of_a_text_naming_only_its_cities_are_no_citys():
    """全省固定资产投资同比增长5.6% in a text that names two cities but not the province: the
    rate is the province's (unnamed), not the first city's; the cities' rates after 分别 across
    a clause go to each in order."""
    from kg.extract import extract_document

    text = ("前三季度，全省固定资产投资同比增长5.6%，其中工业投资增长9.8%。\n"
            "分市看，榆林市、延安市工业投资增速位居前列，分别增长18.2%和15.6%。")
    ex = extract_document(ingest_text(text))
    by_value = {q.value: q.subject for q in ex.quantities if q.kind == "ratio"}
    assert by_value[5.6] is None and by_value[9.8] is None, by_value
    assert by_value[18.2] == ("Region", "610800") and by_value[15.6] == ("Region", "610600"), by_value


def test_a_rated_power_with_its_number_of_units_after_is_multiplied_out():
    """安装6.25兆瓦风机32台: 32 turbines of 6.25 MW, 200 MW in all (GUIDELINES §6), not 6.25 MW."""
    from kg.extract import extract_document

    ex = extract_document(ingest_text("甲乙风电场项目安装6.25兆瓦风机32台，总投资13.6亿元。"))
    cap = [(q.value, q.unit) for q in ex.quantities if q.kind == "capacity"]
    assert cap == [(200e6, "W")], cap


def test_installed_size_of_units_written_in_characters_is_the_projects():
    """P总投资四点五亿元，装机规模两台三万千瓦机组: 450 million yuan and 2 × 30 MW for the
    project (no count of 2 units, no region's installed size)."""
    from kg.extract import extract_document

    ex = extract_document(ingest_text("甲乙生物质热电联产项目总投资四点五亿元，装机规模两台三万千瓦机组，目前处于前期阶段。"))
    got = sorted((q.kind, q.value, q.subject[1] if q.subject else None) for q in ex.quantities)
    assert got == [("capacity", 60e6, "甲乙生物质热电联产项目"), ("investment", 4.5e8, "甲乙生物质热电联产项目")], got


def test_per_mu_figures_and_changes_on_last_year_are_not_figures_and_a_firms_growth_is_its_own():
    """亩均税收达到32.6万元 (per mu), 较上年提高4.1万元 (a change) are not annotated (GUIDELINES §6);
    C新上生产线4条，产值同比增长36%: the growth of C's output, not the zone's."""
    from kg.extract import extract_document

    text = ("今年前三季度，甲乙经济开发区规上工业企业实现产值486亿元，同比增长14.2%；亩均税收达到32.6万元，较上年提高4.1万元。"
            "其中，丙丁电子科技有限公司前三季度实现税收1.9亿元，亩均税收超过100万元；戊己精密机械有限公司新上智能化生产线4条，产值同比增长36%。")
    ex = extract_document(ingest_text(text))
    got = {q.value: q.subject[0] for q in ex.quantities if q.subject}
    assert not {326000, 41000, 1000000} & set(got), got
    assert got[1.9e8] == "Company" and got[36] == "Company" and got[14.2] == "DevelopmentZone", got


def test_capacity_a_firms_upgrade_adds_is_the_firms():
    """C…，现有产能3.5万吨/年，技改完成后将新增产能2万吨/年: both are C's (no region in sight)."""
    from kg.extract import extract_document

    text = "丙丁新材料股份有限公司主要从事锂电铜箔的研发和生产，现有铜箔产能3.5万吨/年，技改完成后将新增产能2万吨/年。"
    ex = extract_document(ingest_text(text))
    cap = sorted((q.value, q.subject) for q in ex.quantities if q.kind == "capacity")
    assert cap == [(2e4, ("Company", "丙丁新材料股份有限公司")), (3.5e4, ("Company", "丙丁新材料股份有限公司"))], cap


def test_a_venue_with_its_main_hall_is_no_subject_and_a_firm_builds_the_project_before():
    """集中开工活动在Z主会场举行，全市…总投资326亿元: Z only hosts the event (no figure of the
    text is Z's); P，由C投资18亿元建设: the project's investment, not C's."""
    from kg.extract import extract_document

    text = ("12月1日，某市第四季度重大项目集中开工活动在丙丁经济技术开发区主会场举行，全市共有48个项目集中开工，总投资326亿元。\n"
            "主会场开工的戊己年产5万吨高端铜板带项目，由戊己铜业有限公司投资18亿元建设。此次集中开工的项目中，工业项目32个，总投资245亿元。")
    ex = extract_document(ingest_text(text))
    subj = {q.value: q.subject for q in ex.quantities}
    assert all(subj[v] is None for v in (48, 326e8, 32, 245e8)), subj
    assert subj[18e8] == ("Project", "戊己年产5万吨高端铜板带项目"), subj


def test_an_items_owner_in_brackets_leaves_the_figures_to_the_project():
    """1.P（C）：总投资15亿元: the project's investment (C is its owner)."""
    from kg.extract import extract_document

    ex = extract_document(ingest_text("重大项目简介\n1.甲乙智能仓储物流基地项目（甲乙供应链管理有限公司）：总投资15亿元，建设分拨中心。\n"))
    inv = [(q.value, q.subject) for q in ex.quantities if q.kind == "investment"]
    assert inv == [(15e8, ("Project", "甲乙智能仓储物流基地项目"))], inv
    assert (("Company", "甲乙供应链管理有限公司"), ("Project", "甲乙智能仓储物流基地项目")) in {
        (r.subject, r.object) for r in ex.relations if r.predicate == "investor"}


def test_the_total_of_a_project_built_in_phases_is_the_projects_not_the_first_phases():
    """项目拟选址Z，总投资约80亿元，分两期建设，一期投资35亿元: 80 is the project's, 35 the phase's."""
    from kg.extract import extract_document

    text = ("某市与丙丁集团有限公司签署年产50万吨绿色甲醇项目投资协议。"
            "项目拟选址某市化工园区，总投资约80亿元，分两期建设，一期投资35亿元，建设年产20万吨绿色甲醇装置。")
    ex = extract_document(ingest_text(text))
    inv = {q.value: q.subject[1] for q in ex.quantities if q.kind == "investment"}
    assert inv[80e8] == "年产50万吨绿色甲醇项目" and inv[35e8] == "年产50万吨绿色甲醇项目一期", inv
