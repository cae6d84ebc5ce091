"""Quantities: kinds, units, exclusions and subjects (GUIDELINES §6)."""

from pathlib import Path

import pytest

from kg.ingest import ingest_text
from kg.model import Mention
from kg.extract.quantities import extract_quantities

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
    text = "长治高新区落地甲乙正极材料项目。该项目总投资20亿元，占地11万余平方米，年产10万吨磷酸锰铁锂。"
    facts = _facts(text, [("DevelopmentZone", "长治高新区", "zone"),
                          ("Project", "甲乙正极材料项目", "proj")])
    assert ("investment", 2e9, "CNY", "proj") in facts
    assert ("area", 110000, "m2", "proj") in facts
    assert ("capacity", 1e5, "t", "proj") in facts


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
        ("地区生产总值增长5.5%、达到10.3万亿元。", ("gdp", 1.03e13, "CNY")),
        ("入境游客增长1倍。", ("ratio", 100, "percent")),
        ("日产3000吨以下的生产线几乎占了整个市场份额的六成。", ("ratio", 60, "percent")),
        ("工业增加值下降0.5%。", ("ratio", -0.5, "percent")),
        ("每年可向重庆输送电力超360亿千瓦时。", ("capacity", 3.6e13, "Wh")),
        ("新增可再生能源装机1004万千瓦。", ("capacity", 1.004e10, "W")),
        ("建设一座日处理能力为30万立方米的母站。", ("capacity", 3e5, "m3/d")),
        ("新增天然气产能150亿方/年。", ("capacity", 1.5e10, "m3")),
        ("当年就为地方创造3000个就业岗位。", ("count", 3000, "person")),
        ("全线13座桥梁正在抓紧建设。", ("count", 13, "unit")),
        ("云南省共有水泥生产企业154家。", ("count", 154, "company")),
        ("格力电器目前拥有八大生产基地。", ("count", 8, "unit")),
        ("实际利用外资5588万美元。", ("investment", 5.588e7, "USD")),
        ("累计纳税20多亿元。", ("tax", 2e9, "CNY")),
        ("占地面积约1000亩。", ("area", 1000, "mu")),
        ("C919的产能预计将达到50架。", ("capacity", 50, "unit")),
    ],
)
def test_kinds_and_units(text, fact):
    assert fact in [f[:3] for f in _facts(text)]


@pytest.mark.parametrize(
    "text",
    [
        "净利润22.08亿元，同比增长40.37%。",
        "人均产能约1.9吨。",
        "云南省已经淘汰了近800万吨立窑。",
        "累计生产家用空调近4000万套。",
        "外送电量1116亿千瓦时。",
        "高于全国1.7个百分点。",
        "全长10.9公里，跨径13米。",
        "钒电池市场规模将达1.6万亿元。",
        "其储能效率达到70%的先进水平。",
        "人民币存贷款余额分别增长6.9%、6.6%。",
        "新增院士6人，建成高价值专利培育中心15家。",
        "安排了2000万元以上的重点交通项目。",
        "首期100亿元省级科技创新母基金投运。",
        "第8次调度会，2024年1月。",
        "PM2.5平均浓度降到32.4微克/立方米。",
        "落实资金280多亿元。",
    ],
)
def test_not_annotated(text):
    assert _facts(text) == []


def test_region_wide_figures_go_to_the_region():
    text = "陕西省2026年政府工作报告\n甲乙项目开工建设，工业投资增长9.4%，新增规模以上企业1000家。"
    facts = _facts(text, [("Region", "陕西省", "sx"), ("Project", "甲乙项目", "p")])
    assert ("ratio", 9.4, "percent", "sx") in facts
    assert ("count", 1000, "company", "sx") in facts


def test_list_level_count_goes_to_the_region():
    text = "陕西省可可盖等11处煤矿建成试运转、新增产能3095万吨/年。"
    facts = _facts(text, [("Region", "陕西省", "sx"), ("Project", "可可盖", "k")])
    assert ("count", 11, "project", "sx") in facts
    assert ("capacity", 3.095e7, "t", "sx") in facts


def test_pronoun_goes_to_the_sentence_topic():
    text = "海螺水泥今年又收购云南壮乡水泥100%的股权，它在云南拥有2条生产线，产能200万吨/年。"
    facts = _facts(text, [("Company", "海螺水泥", "hl"), ("Company", "云南壮乡水泥", "zx"),
                          ("Region", "云南", "yn")])
    assert ("ratio", 100, "percent", "hl") in facts
    assert ("count", 2, "unit", "hl") in facts
    assert ("capacity", 2e6, "t", "hl") in facts


def test_dedupe_and_exact_over_rounded():
    text = "华润水泥斥资近13亿元收购甲公司。华润水泥宣布斥资12.87亿元收购甲公司。项目投资5亿元，总投资5亿元。"
    facts = _facts(text, [("Company", "华润水泥", "cr")])
    money = [f for f in facts if f[0] == "investment"]
    assert ("investment", 1.287e9, "CNY", "cr") in money
    assert ("investment", 1.3e9, "CNY", "cr") not in money
    assert len([f for f in money if f[1] == 5e8]) == 1


def test_title_headline_not_repeated():
    text = "格力电器投资50亿元在渝建设基地\n格力电器正式宣布投资50亿元。"
    doc = ingest_text(text)
    (q,) = extract_quantities(doc, [])
    assert q.start > doc.text.index("\n")


def test_deterministic():
    text = "该区新签合同项目17个，投资规模67.81亿元；落地项目21个，总投资81.69亿元。"
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
