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


PLAN = """某某省2024年重点项目投资计划（节选）
一、新兴产业项目
1．甲乙汽车第二制造基地项目。建设单位：甲乙汽车（某某）有限公司；建设地点：合肥某某智能汽车产业园；建设内容：建设年产50万辆智能电动汽车生产线；总投资：138亿元；年度计划投资：40亿元。
2．丙丁晶圆制造四厂项目。建设单位：丙丁集成电路股份有限公司；建设地点：庐江高新技术产业开发区；总投资：210亿元。
"""


def test_records_written_on_one_line_each():
    """A plan's item: the name first, then its fields separated by ；."""
    doc = ingest_text(PLAN)
    rs = find_records(doc.text)
    assert [doc.text[slice(*r.name)] for r in rs] == ["甲乙汽车第二制造基地项目", "丙丁晶圆制造四厂项目"]
    assert [f[0] for f in rs[0].fields] == ["owner", "place", "figures", "figures", "figures"]
    assert [doc.text[a:b] for _r, a, b in rs[1].fields] == [
        "丙丁集成电路股份有限公司", "庐江高新技术产业开发区", "210亿元"]
    rels, qs, projects = _facts(PLAN)
    assert ("甲乙汽车(某某)有限公司", "investor", "甲乙汽车第二制造基地项目") in rels
    assert ("丙丁集成电路股份有限公司", "investor", "丙丁晶圆制造四厂项目") in rels
    assert ("甲乙汽车第二制造基地项目", "locatedIn", "合肥某某智能汽车产业园") in rels
    assert ("丙丁晶圆制造四厂项目", "locatedIn", "庐江|高新区") in rels
    assert {("investment", 1.38e10, "甲乙汽车第二制造基地项目"), ("capacity", 5e5, "甲乙汽车第二制造基地项目"),
            ("investment", 2.1e10, "丙丁晶圆制造四厂项目")} <= qs
    # the park of the place field is a zone, not a project
    assert "合肥某某智能汽车产业园" not in projects


HEADED = """一、甲乙新能源年产20GWh锂电池储能项目
项目简介：项目由甲乙新能源科技有限公司投资建设，位于某某高新区储能产业园，总投资80亿元，规划用地1200亩，主要建设电芯、模组及PACK生产线。
项目进展：一期厂房已完成主体施工，预计2024年10月投产。
二、丙丁氢能装备制造基地项目
项目简介：项目总投资30亿元，建设年产500套电解水制氢设备生产线，达产后年产值50亿元。
"""


def test_a_heading_that_names_the_project_opens_a_record():
    doc = ingest_text(HEADED)
    rs = find_records(doc.text)
    assert [doc.text[slice(*r.name)] for r in rs] == ["甲乙新能源年产20GWh锂电池储能项目", "丙丁氢能装备制造基地项目"]
    _rels, qs, _projects = _facts(HEADED)
    assert {("investment", 8e9, "甲乙新能源年产20GWh锂电池储能项目"), ("area", 1200, "甲乙新能源年产20GWh锂电池储能项目"),
            ("investment", 3e9, "丙丁氢能装备制造基地项目"), ("output_value", 5e9, "丙丁氢能装备制造基地项目")} <= qs, qs


def test_a_line_of_a_label_the_rules_do_not_read_keeps_the_record_open():
    text = ("项目名称：年产10万吨可降解材料项目\n项目类别：新材料\n建设地点：某某县化工园区\n总投资：15亿元\n"
            "合作方式：独资、合资\n投资回报：项目建成后，预计年销售收入20亿元。\n")
    rels, qs, _projects = _facts(text)
    assert ("investment", 1.5e9, "年产10万吨可降解材料项目") in qs
    assert any(s == "年产10万吨可降解材料项目" and p == "locatedIn" for s, p, _o in rels), rels


PROMOTION_SHEET = """某市2025年重点招商引资项目推介
项目一
项目名称：年产10万吨甲乙碳化硅微粉项目
项目所在地：内乡县产业集聚区
项目背景：县内已建成丙丁碳材有限公司年产3万吨碳化硅冶炼生产线，现有配套企业60余家。
建设内容：新建生产线5条，年产碳化硅微粉10万吨。
投资估算：项目总投资6亿元。
合作方式：独资、合资
"""


def test_the_background_of_a_promoted_project_is_not_its_facts():
    """A 招商 sheet's 项目背景 speaks of what is already there: its figures belong to what it
    names, not to the promoted project; the sheet's title is no project."""
    rels, qs, projects = _facts(PROMOTION_SHEET)
    assert ("capacity", 3e4, "年产3万吨碳化硅冶炼生产线") in qs
    assert ("capacity", 1e5, "年产10万吨甲乙碳化硅微粉项目") in qs
    assert not any(subject == "年产10万吨甲乙碳化硅微粉项目" and value in (3e4, 60) for _k, value, subject in qs), qs
    assert "某市2025年重点招商引资项目" not in projects


def test_a_records_name_is_a_project_and_its_progress_column_its_stage():
    text = ("项目名称：某某农产品冷链物流中心；业主单位：丙丁冷链物流有限公司；总投资：22000万元；"
            "建设内容：对现有冷库进行智能化改造；截至9月底进展：已竣工。\n")
    rels, qs, projects = _facts(text)
    assert "某某农产品冷链物流中心" in projects and len(projects) == 1, projects
    assert ("某某农产品冷链物流中心", "hasStatus", "completed") in rels
    assert ("丙丁冷链物流有限公司", "investor", "某某农产品冷链物流中心") in rels


GROUPED_TABLE = """二、重点项目明细
（一）玉门市

总投资：68.0亿元；项目名称：10万千瓦光热+90万千瓦光伏一体化项目；建设单位：甲乙新能源有限公司；进展情况：主体完工。
总投资：12.5亿元；项目名称：年产2万吨绿氢制备及储运项目；建设单位：丙丁氢能科技有限公司；进展情况：已开工。
（二）金塔县

总投资：30.2亿元；项目名称：金塔县50万千瓦光伏+储能项目；建设单位：戊己能源有限公司；进展情况：因送出工程未落地，暂停施工。
三、下一步工作
1. 推动金塔县光伏+储能项目尽快复工。
"""


def test_a_tables_rows_under_place_headings_with_the_sum_before_the_name():
    """Columns in another order (总投资 before 项目名称) still give each row its own sum; rows
    under a heading that is a place (（一）玉门市) lie in that place; the same project named
    later without its capacity is the same project."""
    rels, qs, _projects = _facts(GROUPED_TABLE)
    assert ("investment", 6.8e9, "10万千瓦光热+90万千瓦光伏一体化项目") in qs
    assert ("investment", 1.25e9, "年产2万吨绿氢制备及储运项目") in qs
    assert ("investment", 3.02e9, "金塔县50万千瓦光伏+储能项目") in qs
    yumen, jinta = "620981", "620921"  # the gazetteer's codes of 玉门市 and 金塔县
    assert ("10万千瓦光热+90万千瓦光伏一体化项目", "locatedIn", yumen) in rels
    assert ("年产2万吨绿氢制备及储运项目", "locatedIn", yumen) in rels
    assert ("金塔县50万千瓦光伏+储能项目", "locatedIn", jinta) in rels
    ex = extract_document(ingest_text(GROUPED_TABLE))
    keys = {m.text: m.key for m in ex.mentions if m.type == "Project"}
    assert keys["金塔县光伏+储能项目"] == keys["金塔县50万千瓦光伏+储能项目"]
    assert not any(t.startswith("因") for t in keys)


EIA_NOTICE = """某市生态环境局关于2025年11月受理建设项目环境影响评价文件的公示

一、甲乙稀贵金属有限公司年产500吨高纯铋项目

建设地点：永兴县湖南永兴经济开发区
建设单位：甲乙稀贵金属有限公司
环评单位：丙丁环境科技有限公司
项目概况：项目为新建项目，总投资3.8亿元，其中环保投资2600万元。建成后年产高纯铋500吨。

联系地址：某市北湖区青年大道XX号
"""


def test_a_headed_record_with_a_blank_line_and_a_consultancy_line():
    """A blank line between the heading and its fields keeps them one record; the EIA
    consultancy is nobody's investor and its line does not take the project's figures; a class
    of projects (新建项目, 受理建设项目) and an address are no projects; the zone's name opens at
    the province, not at the county before it."""
    rels, qs, projects = _facts(EIA_NOTICE)
    full = "甲乙稀贵金属有限公司年产500吨高纯铋项目"
    assert ("investment", 2.6e7, full) in qs and ("investment", 3.8e8, full) in qs
    assert not any(s == "丙丁环境科技有限公司" and p == "investor" for s, p, _o in rels)
    assert projects == {full}, projects
    ex = extract_document(ingest_text(EIA_NOTICE))
    assert "湖南永兴经济开发区" in {m.text for m in ex.mentions if m.type == "DevelopmentZone"}


SIGNING = """青川省2025年招商推介会签约项目清单
1. 临河绿色化工新材料一体化项目，投资方：青川华禾新材料集团有限公司，投资金额：150亿元，建设内容：建设年产60万吨聚碳酸酯及配套装置，项目落户临河港经济技术开发区。
2. 丰河电子信息产业园项目，投资方：甲乙科技股份有限公司，投资金额：35亿元，建设内容：建设智能终端生产线20条。
"""


def test_a_signing_lists_fields_separated_by_commas():
    """A signing list writes each item on one line with its fields after ，(投资方：C，投资金额：X)."""
    doc = ingest_text(SIGNING)
    rs = find_records(doc.text)
    assert [doc.text[slice(*r.name)] for r in rs] == ["临河绿色化工新材料一体化项目", "丰河电子信息产业园项目"]
    assert [f[0] for f in rs[1].fields] == ["owner", "figures", "figures"]
    rels, qs, _projects = _facts(SIGNING)
    assert ("甲乙科技股份有限公司", "investor", "丰河电子信息产业园项目") in rels
    assert ("investment", 1.5e10, "临河绿色化工新材料一体化项目") in qs
    assert ("capacity", 6e5, "临河绿色化工新材料一体化项目") in qs
    assert ("investment", 3.5e9, "丰河电子信息产业园项目") in qs


PAREN = """一、续建项目
1.青川新区航空零部件智能制造项目（建设单位：青川翔宇航空装备有限公司，总投资18亿元，年度计划投资6亿元）
2.丰河经济技术开发区玉米深加工产业园项目（建设单位：丰河金玉生物科技有限公司，总投资35亿元），建设年产60万吨玉米淀粉生产线。
"""


def test_a_records_fields_in_brackets_after_its_name():
    """1.P（建设单位：C，总投资X亿元，年度计划投资Y亿元）: the fields in brackets are the item's."""
    doc = ingest_text(PAREN)
    rs = find_records(doc.text)
    assert [doc.text[slice(*r.name)] for r in rs] == [
        "青川新区航空零部件智能制造项目", "丰河经济技术开发区玉米深加工产业园项目"]
    rels, qs, _projects = _facts(PAREN)
    assert ("青川翔宇航空装备有限公司", "investor", "青川新区航空零部件智能制造项目") in rels
    assert ("investment", 1.8e9, "青川新区航空零部件智能制造项目") in qs
    assert ("investment", 6e8, "青川新区航空零部件智能制造项目") in qs
    assert ("investment", 3.5e9, "丰河经济技术开发区玉米深加工产业园项目") in qs


YEARLY = """项目名称：丰河新能源汽车三期项目
项目单位：甲乙新能源汽车股份有限公司
总投资：110亿元
建设起止年限：2024-2026
2025年计划投资：40亿元
年度建设目标：完成主体厂房建设
"""


def test_a_label_opened_by_a_year_is_a_field_of_the_record():
    """2025年计划投资：40亿元 is the record's annual figure and keeps the record open."""
    doc = ingest_text(YEARLY)
    rs = find_records(doc.text)
    assert [f[0] for f in rs[0].fields] == ["owner", "figures", "schedule", "figures", "schedule"]
    _rels, qs, _projects = _facts(YEARLY)
    assert ("investment", 4e9, "丰河新能源汽车三期项目") in qs


def test_a_records_name_ends_before_a_label_the_rules_do_not_read():
    """项目名称：P；建设规模及主要内容：… — the name is P, whatever the next label."""
    text = "项目名称：丰河绿色化工产业园己内酰胺产业链搬迁与升级转型发展项目；项目类别：化工；总投资：2600000万元；责任单位：甲乙石化。\n"
    doc = ingest_text(text)
    rs = find_records(doc.text)
    assert doc.text[slice(*rs[0].name)] == "丰河绿色化工产业园己内酰胺产业链搬迁与升级转型发展项目"
    _rels, _qs, projects = _facts(text)
    assert "丰河绿色化工产业园己内酰胺产业链搬迁与升级转型发展项目" in projects


def test_a_signing_table_names_the_project_its_investor_its_sum_and_where_it_settles():
    """签约项目 | 投资方 | 投资额（亿元） | 落户地: each row is the signed project's record."""
    table = ("序号\t签约项目\t投资方\t投资额（亿元）\t落户地\n"
             "1\t年产20GW异质结电池项目\t甲乙光能科技有限公司\t60\t丙丁高新区\n"
             "2\t生物基材料产业园项目\t壬癸生物科技股份有限公司\t35\t丙丁经济开发区\n")
    rels, qs, projects = _facts(table)
    assert ("甲乙光能科技有限公司", "investor", "年产20GW异质结电池项目") in rels
    assert ("壬癸生物科技股份有限公司", "investor", "生物基材料产业园项目") in rels
    assert any(s == "年产20GW异质结电池项目" and p == "locatedIn" and "丙丁" in o and "高新区" in o
               for s, p, o in rels), rels
    assert ("investment", 6e9, "年产20GW异质结电池项目") in qs
    assert ("investment", 3.5e9, "生物基材料产业园项目") in qs


def test_a_records_place_is_where_the_project_lies_not_the_documents_region_too():
    """建设地点：X开发区 in a province's list: the project lies in the zone, and is not put in
    the province besides."""
    text = ("吉林省2026年第一批省级重大项目名单\n\n项目名称：甲乙新能源商用车智能工厂项目\n建设单位：甲乙汽车有限公司\n"
            "建设地点：长春汽车经济技术开发区\n总投资：85亿元\n")
    ex = extract_document(ingest_text(text))
    places = {r.object[1] for r in ex.relations if r.predicate == "locatedIn" and r.subject[1] == "甲乙新能源商用车智能工厂项目"}
    assert len(places) == 1 and "开发区" in next(iter(places)), places


def test_works_through_several_counties_lie_in_each_the_record_names():
    """建设地点：咸安区、通山县 — a road through both lies in both."""
    text = "咸宁市重大项目清单\n项目名称：咸宁至九江高速公路\n建设地点：咸安区、通山县\n总投资：210亿元\n"
    rels, _qs, _projects = _facts(text)
    places = {o for s, p, o in rels if s == "咸宁至九江高速公路" and p == "locatedIn"}
    assert places == {"421202", "421224"}, places


def test_a_tag_before_a_heading_is_not_part_of_the_projects_name_and_works_done_are_progress():
    """【项目】P / 当前进度：一期厂房主体结构完成70%: the project is P (no tag), and 70 % is the
    progress of its first phase, not a rate of the city."""
    from kg.extract import extract_document

    text = ("【项目】甲乙储能科技年产20GWh储能电池项目\n\n项目业主：甲乙储能科技（湖北）有限公司\n"
            "所在地：湖北省荆门市高新区\n总投资：120亿元\n当前进度：一期厂房主体结构完成70%，二期土地已摘牌。\n")
    ex = extract_document(ingest_text(text))
    projects = {m.text for m in ex.mentions if m.type == "Project"}
    assert "甲乙储能科技年产20GWh储能电池项目" in projects and not any("【" in p for p in projects), projects
    ratio = [q.subject for q in ex.quantities if q.kind == "ratio"]
    assert len(ratio) == 1 and ratio[0][0] == "Project", ratio


def test_a_county_column_places_each_row_and_its_figures_and_stage_are_the_rows():
    """项目名称：P；所在县区：X；总投资：25.0亿元；建设阶段：在建 (a table's row): P lies in X, the
    investment and the stage are P's, not the first county's."""
    text = ("项目名称：甲乙年产5万吨锂电隔膜项目；所在县区：东港区；总投资：25.0亿元；建设阶段：在建。\n"
            "项目名称：丙丁海洋牧场综合体项目；所在县区：岚山区；总投资：8.3亿元；建设阶段：竣工。\n")
    ex = extract_document(ingest_text(text))
    lab = {(m.type, m.key): m.text for m in ex.mentions}
    loc = {(lab.get(r.subject), lab.get(r.object)) for r in ex.relations if r.predicate == "locatedIn"}
    assert {("甲乙年产5万吨锂电隔膜项目", "东港区"), ("丙丁海洋牧场综合体项目", "岚山区")} <= loc, loc
    inv = {lab.get(q.subject): q.value for q in ex.quantities if q.kind == "investment"}
    assert inv == {"甲乙年产5万吨锂电隔膜项目": 25e8, "丙丁海洋牧场综合体项目": 8.3e8}, inv
