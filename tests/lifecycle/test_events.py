"""kg.lifecycle.extract_events and kg.indicators on short invented texts with hand-made mentions."""

from kg.ingest import ingest_text
from kg.lifecycle import extract_events
from kg.model import Mention, Quantity, RelationCandidate


def _doc(text, date="2024"):
    from dataclasses import replace

    return replace(ingest_text(text), date=date)


def _m(doc, type_, name, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(name, start + 1)
    return Mention(type_, name, start, start + len(name), key=name)


def _props(ev):
    return dict(ev.props)


def test_numbered_meeting_with_date_decision_and_project():
    doc = _doc("3月4日，示例市项目建设领导小组第8次调度会明确提出甲乙新材料项目按“零排放”标准规划设计。")
    ms = [_m(doc, "Project", "甲乙新材料项目")]
    meetings = [e for e in extract_events(doc, ms) if e.kind == "meeting"]
    assert len(meetings) == 1
    ev = meetings[0]
    assert ev.label == "示例市项目建设领导小组第8次调度会"
    assert ev.date == "2024-03-04" and ev.date_text == "3月4日"
    assert _props(ev)["number"] == "8"
    assert "零排放" in _props(ev)["decision"]
    assert ("Project", "甲乙新材料项目") in ev.concerns


def test_meeting_without_project_concerns_the_passage_topic():
    doc = _doc("今年，甲乙新材料产业园建设项目准备开工。3月4日，示例市领导小组第8次调度会明确提出甲乙新材料项目高标准设计；"
               "5月8日，示例市领导小组第13次调度会对项目前期土地做出安排。6月12日完成土地出让。")
    ms = [_m(doc, "Project", "甲乙新材料产业园建设项目"), _m(doc, "Project", "甲乙新材料项目")]
    evs = extract_events(doc, ms)
    full = ("Project", "甲乙新材料产业园建设项目")
    meetings = [e for e in evs if e.kind == "meeting"]
    assert [e.date for e in meetings] == ["2024-03-04", "2024-05-08"]
    # the short name also concerns the full name it abbreviates; the second meeting names none
    assert all(full in e.concerns for e in meetings)
    (land,) = [e for e in evs if e.kind == "milestone"]
    assert land.label == "土地出让" and land.date == "2024-06-12" and full in land.concerns


def test_milestone_dated_relative_and_planned():
    doc = _doc("去年12月，甲乙热处理生产线顺利投产。明年3月，丙丁装备项目计划开工。")
    ms = [_m(doc, "Project", "甲乙热处理生产线"), _m(doc, "Project", "丙丁装备项目")]
    evs = {e.label: e for e in extract_events(doc, ms) if e.kind == "milestone"}
    assert evs["投产"].date == "2023-12" and _props(evs["投产"])["status"] == "in_production"
    assert "planned" not in _props(evs["投产"])
    assert evs["开工"].date == "2025-03" and _props(evs["开工"])["planned"] == "true"


def test_a_plan_marker_before_the_date_plans_the_milestones_after_it():
    """计划于<date>开工 was an accomplished start (only a marker between the date and the cue
    counted); the plan runs on to the next clause's date, not past a fact marker (已于)."""
    doc = _doc("甲乙碳纤维项目计划于2025年3月开工，2026年12月建成投产。丙丁装备项目已于2024年5月开工，预计明年6月竣工。"
               "将乐县管委会对戊己项目做出安排，11月10日完成土地出让。")
    ms = [_m(doc, "Project", "甲乙碳纤维项目"), _m(doc, "Project", "丙丁装备项目"), _m(doc, "Project", "戊己项目")]
    evs = {(e.concerns[0][1], e.label): _props(e) for e in extract_events(doc, ms) if e.kind == "milestone"}
    assert evs[("甲乙碳纤维项目", "开工")]["planned"] == "true"
    assert evs[("甲乙碳纤维项目", "投产")]["planned"] == "true"
    assert "planned" not in evs[("丙丁装备项目", "开工")]
    assert evs[("丙丁装备项目", "建成")]["planned"] == "true"
    assert "planned" not in evs[("戊己项目", "土地出让")]  # 将乐 is a county, not 将


def test_a_record_schedule_is_a_plan_unless_it_says_done():
    """进度安排：2025年3月开工，2026年12月建成 in a project list states a plan; 已开工 a fact."""
    from kg.extract import extract_document

    text = ("项目名称：年产5万吨甲乙负极材料项目；建设单位：甲乙新材料有限公司；进度安排：2025年3月开工，2026年12月建成。\n"
            "项目名称：年产2万台丙丁驱动电机项目；建设单位：丙丁动力科技有限公司；进度安排：2025年1月已开工，2025年11月投产。\n")
    ex = extract_document(ingest_text(text))
    stages = {(r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "hasStatus"}
    assert ("年产5万吨甲乙负极材料项目", "planned") in stages
    assert ("年产5万吨甲乙负极材料项目", "started") not in stages
    assert ("年产5万吨甲乙负极材料项目", "completed") not in stages
    assert ("年产2万台丙丁驱动电机项目", "started") in stages
    miles = {(e.concerns[0][1], e.label): _props(e) for e in ex.events if e.kind == "milestone"}
    assert miles[("年产5万吨甲乙负极材料项目", "开工")]["planned"] == "true"
    assert "planned" not in miles[("年产2万台丙丁驱动电机项目", "开工")]
    assert miles[("年产2万台丙丁驱动电机项目", "投产")]["planned"] == "true"


def test_no_milestone_without_a_month():
    doc = _doc("甲乙热处理生产线建成投产后可成为新星。")
    assert [e for e in extract_events(doc, [_m(doc, "Project", "甲乙热处理生产线")]) if e.kind == "milestone"] == []


def test_stage_statements_are_dated_by_their_sentence_or_document():
    doc = _doc("去年12月，甲乙生产线顺利投产。丙丁项目已开工。")
    ms = [_m(doc, "Project", "甲乙生产线"), _m(doc, "Project", "丙丁项目")]
    rels = [RelationCandidate(("Project", "甲乙生产线"), "hasStatus", ("Status", "in_production"),
                              doc.text.index("顺利投产"), doc.text.index("顺利投产") + 4, "status:顺利投产"),
            RelationCandidate(("Project", "丙丁项目"), "hasStatus", ("Status", "started"),
                              doc.text.index("已开工"), doc.text.index("已开工") + 3, "status:开工")]
    stages = {e.concerns[0][1]: e for e in extract_events(doc, ms, (), rels) if e.kind == "stage"}
    assert stages["甲乙生产线"].date == "2023-12" and stages["甲乙生产线"].date_text == "去年12月"
    assert _props(stages["甲乙生产线"])["cue"] == "顺利投产"
    assert stages["丙丁项目"].date == "2024" and stages["丙丁项目"].date_text == ""


def _indicators(doc, mentions, quantities=()):
    return [e for e in extract_events(doc, mentions, quantities) if e.kind == "indicator"]


def _by_indicator(evs):
    out = {}
    for e in evs:
        p = _props(e)
        out.setdefault(p["indicator"].rsplit("#", 1)[-1], []).append(e)
    return out


def test_indicators_with_period_scope_and_area():
    doc = _doc("截至目前，示例市200个新建项目已开工150个，开工率75%。"
               "其中，40个省级重点工程建设项目中，10个续建项目全部复工，30个新建项目开工24个，开工率80%。"
               "1月—6月完成投资55亿元，完成率60%，开工率、投资完成率均排名全省第三。")
    ms = [_m(doc, "Region", "示例市")]
    got = _by_indicator(_indicators(doc, ms))
    new = sorted((float(_props(e)["value"]), _props(e).get("scope", "")) for e in got["ind_new_projects"])
    assert new == [(30.0, "省级重点工程建设项目"), (200.0, "")]
    assert [float(_props(e)["value"]) for e in got["ind_started_projects"]] == [150.0, 24.0]
    rate = got["ind_start_rate"][0]
    assert rate.date == "../2024" and rate.date_text == "截至目前" and rate.concerns == (("Region", "示例市"),)
    # a later sentence of the paragraph keeps the period (截至目前)
    assert got["ind_start_rate"][1].date == "../2024"
    inv = got["ind_investment_completed"][0]
    assert float(_props(inv)["value"]) == 5.5e9 and _props(inv)["unit"] == "CNY"
    assert inv.date == "2024-01/2024-06"
    ranks = got["ind_rank"]
    assert sorted(_props(r)["of"].rsplit("#", 1)[-1] for r in ranks) == ["ind_investment_completion_rate",
                                                                         "ind_start_rate"]
    assert all(float(_props(r)["value"]) == 3.0 and _props(r)["among"] == "全省" for r in ranks)


def test_zone_indicators_money_units_and_deictic_subject():
    doc = _doc("示例高新区发展迅速。截至2023年底，开发区入驻企业30家，生产总值达到了12.5亿元，"
               "实际利用外资800万美元；开发区从事科研的山西省创新领军人才3人。", date=None)
    ms = [_m(doc, "DevelopmentZone", "示例高新区"), _m(doc, "Region", "山西省")]
    got = _by_indicator(_indicators(doc, ms))
    gdp = got["ind_gdp"][0]
    assert float(_props(gdp)["value"]) == 1.25e9 and gdp.date == "../2023-12-31"
    assert _props(got["ind_fdi"][0])["unit"] == "USD" and float(_props(got["ind_fdi"][0])["value"]) == 8e6
    # "开发区…的山西省创新领军人才": the zone, not the province
    assert got["ind_leading_talents"][0].concerns == (("DevelopmentZone", "示例高新区"),)


def test_project_amounts_are_not_regional_indicators():
    doc = _doc("甲乙新材料项目总投资20亿元。示例市谋划实施项目100个，总投资300亿元。")
    ms = [_m(doc, "Project", "甲乙新材料项目"), _m(doc, "Region", "示例市")]
    qs = [Quantity("investment", 2e9, "CNY", "总投资20亿元", doc.text.index("总投资20"),
                   doc.text.index("总投资20") + 7, subject=("Project", "甲乙新材料项目"))]
    got = _by_indicator(_indicators(doc, ms, qs))
    assert [float(_props(e)["value"]) for e in got["ind_total_investment"]] == [3e10]


def test_approximate_values_are_marked():
    doc = _doc("截至目前，示例市重点调了20多个重点项目。")
    (ev,) = _indicators(doc, [_m(doc, "Region", "示例市")])
    assert _props(ev)["approximate"] == "true" and float(_props(ev)["value"]) == 20.0
