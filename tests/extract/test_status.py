"""Project status: cues, list distribution, plan shifts, open stages (GUIDELINES §5)."""

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SKOS

from kg.extract.status import extract_status
from kg.ingest import ingest_text
from kg.model import Mention

ROOT = Path(__file__).resolve().parents[2]
SCORED = {"planned", "not_started", "started", "under_construction", "trial_production",
          "in_production", "completed"}


def _status(text, names):
    doc = ingest_text(text)
    ms = []
    for name in names:
        start = 0
        while (i := doc.text.find(name, start)) >= 0:
            ms.append(Mention("Project", name, i, i + len(name), name))
            start = i + len(name)
    return sorted((r.subject[1], r.object[1]) for r in extract_status(doc, ms))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("甲项目开工建设。", "started"),
        ("甲项目已完成70%的建设进度。", "under_construction"),
        ("甲项目已进入试生产阶段。", "trial_production"),
        ("甲项目顺利投产。", "in_production"),
        ("甲项目准备开工建设。", "planned"),
        ("甲项目正在立项报批。", "planned"),
        ("甲项目建成。", "completed"),
        ("甲项目稳产达产。", "reached_capacity"),
        ("甲项目续建。", "continued"),
        ("甲项目尚未开工。", "not_started"),
        ("甲项目建成通车。", "in_production"),
    ],
)
def test_cues(text, code):
    assert _status(text, ["甲项目"]) == [("甲项目", code)]


def test_list_level_status_is_distributed():
    got = _status("甲乙、丙丁等4条高铁加快建设。", ["甲乙", "丙丁"])
    assert got == [("丙丁", "under_construction"), ("甲乙", "under_construction")]


def test_plan_marker_shifts_the_stage():
    assert _status("力争甲煤矿建成试运转。", ["甲煤矿"]) == [("甲煤矿", "under_construction")]
    assert _status("乙工程计划今年建成投运。", ["乙工程"]) == [("乙工程", "under_construction")]


def test_several_stages_of_one_project():
    text = "丙项目开工。\n推进丙项目建设。"
    assert _status(text, ["丙项目"]) == [("丙项目", "started"), ("丙项目", "under_construction")]


def test_open_stage_gives_no_status():
    assert _status("丁项目先后在园区落地或投产。", ["丁项目"]) == []
    assert _status("戊项目建成后，将完善交通网络。", ["戊项目"]) == []


def test_pronoun_clause_inherits_the_project():
    text = "己大道是重中之重。今年需完成投资6.7亿元，项目于本月初开工。"
    assert _status(text, ["己大道"]) == [("己大道", "started")]


def test_clause_with_its_own_subject_does_not_inherit():
    text = "庚铁路等项目开工，9条高速公路建成通车。"
    assert _status(text, ["庚铁路"]) == [("庚铁路", "started")]


def test_list_continues_to_a_later_stage():
    text = "甲项目和乙项目相继开工建设，投产达产。"
    got = _status(text, ["甲项目", "乙项目"])
    assert got == [("乙项目", "reached_capacity"), ("甲项目", "reached_capacity")]


def test_status_scheme_maps_fine_codes_to_scored_ones():
    g = rdflib.Graph().parse(ROOT / "ontology" / "status.ttl")
    base = "https://w3id.org/chainkg/status/"
    broader = {str(s)[len(base):]: str(o)[len(base):] for s, o in g.subject_objects(SKOS.broader)}
    assert broader == {"signed": "planned", "preliminary": "planned",
                       "continued": "under_construction", "resumed": "under_construction",
                       "suspended": "under_construction",
                       "reached_capacity": "in_production"}
    notations = {str(o) for o in g.objects(None, SKOS.notation)}
    assert SCORED | set(broader) <= notations


def test_every_cue_code_is_in_the_scheme():
    from kg.extract.status import status_cues

    g = rdflib.Graph().parse(ROOT / "ontology" / "status.ttl")
    notations = {str(o) for o in g.objects(None, SKOS.notation)}
    cues = status_cues()
    assert {code for code, _ in cues.status.values()} <= notations
    for mapping in cues.modal.values():
        assert set(mapping) | set(mapping.values()) <= notations


def test_unnamed_undertakings_get_no_status():
    text = "甲改造持续推进，一批乙生产线等项目落地。"
    assert _status(text, ["甲改造", "乙生产线"]) == [("甲改造", "under_construction")]


def test_a_stated_start_date_is_a_fact_in_a_paragraph_that_also_plans():
    """"于2023年11月开工建设，计划2024年9月竣工投产": the start is reported, the completion
    is planned (under construction); 计划 in one clause does not make the other a plan."""
    text = "甲乙项目位于某某开发区，于2023年11月开工建设，计划2024年9月竣工投产。"
    assert _status(text, ["甲乙项目"]) == [("甲乙项目", "started"), ("甲乙项目", "under_construction")]


def test_a_completed_share_is_progress_not_completion():
    """主体工程已完工80%: the project is under construction."""
    assert _status("丙丁项目总投资9800万元，目前主体工程已完工80%。", ["丙丁项目"]) == [
        ("丙丁项目", "under_construction")]


def test_a_list_introduced_by_its_stage():
    """签约项目包括：A，投资…；B，…。 — each listed project is signed; 扩建 inside a listed
    project's name adds no stage of its own."""
    text = ("共签约项目3个。签约项目包括：甲乙一体化项目，投资25亿元；丙丁年产15万吨电解液项目，投资8.5亿元；"
            "戊己年产5万吨铜箔扩建项目，投资7.3亿元。")
    got = _status(text, ["甲乙一体化项目", "丙丁年产15万吨电解液项目", "戊己年产5万吨铜箔扩建项目"])
    assert set(got) == {("甲乙一体化项目", "signed"), ("丙丁年产15万吨电解液项目", "signed"),
                   ("戊己年产5万吨铜箔扩建项目", "signed")}, got


def test_a_list_introduced_by_its_stage_on_numbered_lines():
    """主要签约项目如下：then one numbered line per project — each listed project is signed,
    up to the first line that is not an item."""
    text = ("推介会现场签约项目12个。主要签约项目如下：\n\n1. 甲乙新材料一体化项目，投资金额：15亿元。\n"
            "2. 丙丁电子信息产业园项目，投资金额：3亿元。\n\n下一步，将加快戊己项目前期工作。\n")
    got = _status(text, ["甲乙新材料一体化项目", "丙丁电子信息产业园项目", "戊己项目"])
    assert ("甲乙新材料一体化项目", "signed") in got
    assert ("丙丁电子信息产业园项目", "signed") in got
    assert ("戊己项目", "signed") not in got


def test_a_plans_section_heading_gives_its_projects_a_stage():
    text = ("（一）续建项目\n（1）甲乙正极材料项目：总投资30亿元。\n（2）丙丁光伏玻璃二期项目：总投资18亿元，预计年底投产。\n"
            "（二）新开工项目（2个）\n（3）戊己封测基地项目：总投资25亿元。\n（三）保障措施\n加快庚辛项目审批。\n")
    got = _status(text, ["甲乙正极材料项目", "丙丁光伏玻璃二期项目", "戊己封测基地项目", "庚辛项目"])
    assert ("甲乙正极材料项目", "continued") in got
    assert ("戊己封测基地项目", "started") in got
    assert ("丙丁光伏玻璃二期项目", "continued") not in got  # its own line states its stage
    assert ("庚辛项目", "started") not in got  # another section


def test_the_projects_a_clause_of_a_stage_introduces_with_you():
    text = "此次集中开工的项目中，有总投资50亿元的甲乙正极材料项目、总投资32亿元的丙丁零部件项目等一批大项目。"
    got = _status(text, ["甲乙正极材料项目", "丙丁零部件项目"])
    assert set(got) == {("甲乙正极材料项目", "started"), ("丙丁零部件项目", "started")}, got


def test_the_event_a_report_is_about_gives_its_projects_their_stage():
    """A report of a 集中开工 event lists its projects by name and figures only: they started;
    a project the text gives a stage of its own keeps it."""
    text = ("某区2025年第一季度重大项目集中开工\n"
            "3月6日上午，某区重大项目集中开工活动举行。本次集中开工项目共15个。\n"
            "甲乙新材料有限公司年产5万吨电池级碳酸锂项目\n总投资：48亿元\n"
            "去年建成的丙丁新材料有限公司尾渣综合利用项目已于今年1月正式投产。\n")
    stages = _status(text, ["甲乙新材料有限公司年产5万吨电池级碳酸锂项目", "尾渣综合利用项目"])
    assert ("甲乙新材料有限公司年产5万吨电池级碳酸锂项目", "started") in stages
    assert ("尾渣综合利用项目", "in_production") in stages
    assert ("尾渣综合利用项目", "started") not in stages


def test_a_planned_investment_figure_does_not_make_a_paragraph_a_plan():
    text = "此次开工的甲乙碳酸锂项目将延伸产业链条。今年全区共安排重大项目126个，年度计划投资185亿元。"
    assert _status(text, ["甲乙碳酸锂项目"]) == [("甲乙碳酸锂项目", "started")]


def test_a_stage_section_holds_its_subsections():
    text = ("一、续建项目（3项）\n（一）石化及新材料（2项）\n1.甲乙乙烯改造项目，总投资68亿元。\n"
            "（二）装备制造（1项）\n2.丙丁装备项目，总投资5亿元。\n二、前期项目（1项）\n1.戊己航煤项目，总投资40亿元。\n")
    got = _status(text, ["甲乙乙烯改造项目", "丙丁装备项目", "戊己航煤项目"])
    assert got == [("丙丁装备项目", "continued"), ("戊己航煤项目", "preliminary"), ("甲乙乙烯改造项目", "continued")]


def test_a_planned_start_and_completion_is_a_plan_not_construction():
    got = _status("甲乙项目计划2025年5月开工、2027年6月竣工。丙丁项目进度安排：2025年3月开工，2026年12月建成。",
                  ["甲乙项目", "丙丁项目"])
    assert got == [("丙丁项目", "planned"), ("甲乙项目", "planned")], got


def test_a_start_dated_before_the_bulletin_is_a_fact_in_a_paragraph_with_plans():
    text = ("某市工业和信息化局办公室编  2025年4月2日\n\n"
            "甲乙电池片项目总投资12.5亿元，2025.1开工，目前厂房钢结构吊装完成，计划6月下旬设备进场。"
            "丙丁正极材料项目于3月中旬开工。戊己铜箔项目计划8月开工。\n")
    got = _status(text, ["甲乙电池片项目", "丙丁正极材料项目", "戊己铜箔项目"])
    assert ("甲乙电池片项目", "started") in got and ("丙丁正极材料项目", "started") in got
    assert ("戊己铜箔项目", "planned") in got


def test_a_stopped_project_is_suspended_and_not_resumed_or_landed():
    text = ("甲乙菱镁矿项目自6月起停工整改，目前尚未复工。丙丁冷链物流园项目已向县政府申请缓建。"
            "因戊己送出工程未落地，庚辛光伏项目于7月暂停施工。")
    got = _status(text, ["甲乙菱镁矿项目", "丙丁冷链物流园项目", "戊己送出工程", "庚辛光伏项目"])
    assert ("甲乙菱镁矿项目", "suspended") in got and ("甲乙菱镁矿项目", "resumed") not in got
    assert ("丙丁冷链物流园项目", "suspended") in got
    assert ("庚辛光伏项目", "suspended") in got
    assert not any(p == "戊己送出工程" for p, _c in got), got


def test_a_planned_trial_run_a_failed_start_and_a_deferral():
    got = _status("甲乙微粉项目预计9月底建成试生产。丙丁硅锰合金项目始终未能开工。戊己光伏组件项目暂缓实施。",
                  ["甲乙微粉项目", "丙丁硅锰合金项目", "戊己光伏组件项目"])
    assert ("甲乙微粉项目", "trial_production") not in got
    assert ("丙丁硅锰合金项目", "not_started") in got
    assert ("戊己光伏组件项目", "suspended") in got


def test_a_testing_line_is_no_trial_run():
    """测试生产线 (a line for testing chips) holds 试生产 only across the word 测试."""
    got = _status("甲乙电子元器件产业园项目主要建设封装测试生产线，总投资16.8亿元。", ["甲乙电子元器件产业园项目"])
    assert ("甲乙电子元器件产业园项目", "trial_production") not in got
    assert _status("丙丁电池项目已进入试生产阶段。", ["丙丁电池项目"]) == [("丙丁电池项目", "trial_production")]


def test_a_completed_project_keeps_its_stage_after_a_later_plan_or_an_earlier_stage():
    """已完工，正在进行设备调试，预计8月投产: completion is stated; the expected start of
    production (a plan) and the work going on do not replace it (a list goes on to a later stage
    only: …相继开工建设，投产达产)."""
    got = _status("甲乙光电产业园一期项目已完工，正在进行设备调试，预计8月投产。", ["甲乙光电产业园一期项目"])
    assert ("甲乙光电产业园一期项目", "completed") in got


def test_a_plans_reserve_section_gives_its_projects_a_preliminary_stage():
    """三、预备项目: projects prepared for a later start are planned (GUIDELINES §5)."""
    text = "二、新开工项目\n4．甲乙锂云母综合利用项目。总投资：62亿元。\n三、预备项目\n5．丙丁工业陶瓷产业园项目。总投资：18亿元。\n"
    got = _status(text, ["甲乙锂云母综合利用项目", "丙丁工业陶瓷产业园项目"])
    assert ("丙丁工业陶瓷产业园项目", "preliminary") in got


def test_a_progress_bulletins_stage_label_gives_the_items_project_its_stage():
    """1．P：总投资…。形象进度：… — the stage field is about the project the item opens with; a
    part that is done (车间主体完工) leaves the project under construction; a cause is no stage."""
    text = ("1．甲乙新能源汽车整车项目：总投资120亿元，1-7月完成投资21.6亿元。形象进度：焊装车间主体完工。\n"
            "2．丙丁锂电隔膜项目：总投资25亿元。形象进度：一期厂房主体施工。\n"
            "3．戊己再生铝项目：总投资9.6亿元。形象进度：因环评手续未办结，项目暂停施工。\n")
    got = _status(text, ["甲乙新能源汽车整车项目", "丙丁锂电隔膜项目", "戊己再生铝项目"])
    assert ("甲乙新能源汽车整车项目", "under_construction") in got
    assert ("甲乙新能源汽车整车项目", "completed") not in got
    assert ("丙丁锂电隔膜项目", "under_construction") in got
    assert ("戊己再生铝项目", "preliminary") not in got
    assert ("戊己再生铝项目", "suspended") in got


def test_a_dated_clause_of_a_sentence_opened_by_the_project_pronoun():
    """该项目总投资12亿元，今年8月建成投产: the clause has no subject of its own; the sentence's
    pronoun names the project of the sentence before."""
    text = "活动主会场设在甲乙纤维项目现场。该项目总投资12亿元，于2025年8月建成投产，达产后可实现年产值30亿元。"
    assert ("甲乙纤维项目", "in_production") in _status(text, ["甲乙纤维项目"])


def test_a_list_items_line_is_about_the_project_it_opens_with():
    """1.P：总投资…。主体厂房已封顶 / P：总投资…。目前…已封顶: a later sentence of the item's
    line without a project of its own is about the item's project; a cause clause is no stage."""
    text = ("1.甲乙半导体三期项目：总投资111亿元，累计完成投资62亿元。主体厂房已封顶，正在进行洁净室装修。\n"
            "丙丁综合交通枢纽项目：总投资152亿元。目前航站楼主体结构已封顶。\n"
            "2.戊己再生铝项目：总投资9.6亿元。因环评手续未办结，暂停施工。\n")
    got = _status(text, ["甲乙半导体三期项目", "丙丁综合交通枢纽项目", "戊己再生铝项目"])
    assert ("甲乙半导体三期项目", "under_construction") in got
    assert ("丙丁综合交通枢纽项目", "under_construction") in got
    assert ("戊己再生铝项目", "preliminary") not in got


def test_an_items_line_after_a_spaced_number_or_the_owners_name_is_about_its_project():
    """3. 某某有限公司P。总投资…，目前…: the space after the item's number and the owner's legal
    name before the project's name still open the item's line."""
    text = ("2. 甲乙石化有限公司年产50万吨烯烃项目。总投资198亿元，目前处于前期手续办理阶段。\n"
            "3. 丙丁铜箔项目。总投资12亿元，目前主体厂房已封顶。\n")
    doc = ingest_text(text)
    ms = [Mention("Company", "甲乙石化有限公司", 3, 11, "甲乙石化有限公司")]
    for name in ("年产50万吨烯烃项目", "丙丁铜箔项目"):
        i = doc.text.find(name)
        ms.append(Mention("Project", name, i, i + len(name), name))
    got = sorted((r.subject[1], r.object[1]) for r in extract_status(doc, ms))
    assert got == [("丙丁铜箔项目", "under_construction"), ("年产50万吨烯烃项目", "preliminary")], got


def test_a_month_end_deadline_is_a_plan():
    """已完成设备安装，10月底前投产: production is due, not begun."""
    got = _status("甲乙窑炉技改项目总投资8.5亿元，已完成设备安装，10月底前投产。", ["甲乙窑炉技改项目"])
    assert ("甲乙窑炉技改项目", "in_production") not in got
    assert ("甲乙窑炉技改项目", "under_construction") in got


@pytest.mark.parametrize("clause, code", [
    ("未按期开工", "not_started"), ("未按计划开工", "not_started"), ("延期开工", "not_started"),
    ("开工滞后", "not_started"), ("处于停滞状态", "suspended")])
def test_a_delayed_or_stalled_project_is_not_started_or_suspended(clause, code):
    """A start that was due and did not happen is no start (未按期开工, 开工滞后)."""
    got = _status(f"甲乙新材料项目{clause}。", ["甲乙新材料项目"])
    assert got == [("甲乙新材料项目", code)], got


def test_a_building_in_use_leaves_the_project_under_construction():
    """P，总投资…，1号、2号厂房已投入使用，设备正在安装调试: a building is in use, the project is
    still being built."""
    got = _status("甲乙汽车零部件产业园项目总投资42亿元，1号、2号厂房已投入使用，设备正在安装调试。",
                  ["甲乙汽车零部件产业园项目"])
    assert ("甲乙汽车零部件产业园项目", "in_production") not in got
    assert ("甲乙汽车零部件产业园项目", "under_construction") in got


def test_a_section_of_projects_completed_and_producing():
    """（一）竣工投产项目: the projects under it are in production."""
    text = "（一）竣工投产项目\n1．甲乙差别化纤维项目：总投资12亿元。\n（二）新开工项目\n2．丙丁铜箔项目：总投资28亿元。\n"
    got = _status(text, ["甲乙差别化纤维项目", "丙丁铜箔项目"])
    assert ("甲乙差别化纤维项目", "in_production") in got
    assert ("丙丁铜箔项目", "started") in got


@pytest.mark.parametrize("clause, code", [
    ("正在开展开工前准备", "planned"), ("正在办理施工许可", "preliminary"),
    ("已完成主体建设", "under_construction"), ("完成总工程量的60%", "under_construction")])
def test_preparations_and_progress_of_works(clause, code):
    """Preparing the start or a permit is no start and no works; the main structure or a share
    of the works done is construction under way."""
    got = _status(f"甲乙新材料项目{clause}。", ["甲乙新材料项目"])
    assert got == [("甲乙新材料项目", code)], got


def test_a_new_start_section_of_a_plan_is_planned():
    """In a year's plan (…重点建设项目计划) the 新开工项目 are to be started: planned; in a
    report on the plan's progress they have started."""
    body = "一、续建项目\n1．甲乙正极材料项目。总投资：45亿元。\n二、新开工项目\n2．丙丁锂云母综合利用项目。总投资：62亿元。\n"
    got = _status("青川省2025年省重点建设项目计划\n" + body, ["甲乙正极材料项目", "丙丁锂云母综合利用项目"])
    assert ("丙丁锂云母综合利用项目", "planned") in got
    assert ("甲乙正极材料项目", "continued") in got
    got = _status("青川省2025年重点项目进展情况\n" + body, ["甲乙正极材料项目", "丙丁锂云母综合利用项目"])
    assert ("丙丁锂云母综合利用项目", "started") in got


def test_a_plans_record_to_be_started_is_planned():
    """建设性质：新开工 in a year's plan: the project is to be started."""
    text = ("丰河市2025年重大项目建设计划\n项目名称：甲乙光伏治沙项目\n建设单位：丙丁新能源有限公司\n"
            "总投资：96亿元\n建设性质：新开工\n")
    assert _status(text, ["甲乙光伏治沙项目"]) == [("甲乙光伏治沙项目", "planned")]
def test_ahead_of_plan_and_a_months_start_are_facts():
    """于今年2月开工建设 (a stated date), 实现全容量并网发电，比预期计划提前了68天 (ahead of plan):
    started and in production, not a plan (计划 in 比…计划提前 plans nothing)."""
    got = _status("甲乙光伏发电项目位于某镇，总投资2.9亿元，于今年2月开工建设。6月22日，甲乙光伏发电项目"
                  "实现全容量并网发电，比预期计划提前了68天。", ["甲乙光伏发电项目"])
    assert got == [("甲乙光伏发电项目", "in_production"), ("甲乙光伏发电项目", "started")], got


@pytest.mark.parametrize("clause", ["项目已完成桩基工程", "已完成基础工程，正在进行钢结构安装", "土建工程已完成60%"])
def test_foundation_and_civil_works_mean_the_project_is_being_built(clause):
    """桩基工程, 基础工程, 土建工程 done or under way: the works have begun, not ended."""
    got = _status(f"甲乙PTA项目总投资160亿元，{clause}。", ["甲乙PTA项目"])
    assert got == [("甲乙PTA项目", "under_construction")], got


def test_a_building_done_in_a_progress_table_means_the_project_is_being_built():
    """进展情况: 冲压、焊装车间主体完工 — a workshop is done, the project is being built."""
    text = ("序号\t项目名称\t建设单位\t总投资（亿元）\t进展情况\n"
            "1\t甲乙新能源汽车基地\t甲乙汽车股份有限公司\t150\t冲压、焊装车间主体完工，正在进行设备调试\n")
    got = _status(text, ["甲乙新能源汽车基地"])
    assert got == [("甲乙新能源汽车基地", "under_construction")], got


def test_a_restoration_works_name_is_no_resumption():
    """生态修复工程: 复工 read across 修复|工程 is no resumption of works."""
    got = _status("主要包括：甲乙高速公路、丙丁生态修复工程等。", ["甲乙高速公路", "丙丁生态修复工程"])
    assert not any(code == "resumed" for _p, code in got), got


def test_volume_production_is_production():
    """一期于今年9月实现量产: the phase produces."""
    got = _status("甲乙晶圆代工生产线项目一期于今年9月实现量产，月产能达到3万片。", ["甲乙晶圆代工生产线项目一期"])
    assert got == [("甲乙晶圆代工生产线项目一期", "in_production")], got


def test_a_planned_scope_is_no_planned_stage():
    """P集中开工。该基地规划建设风电300万千瓦: the size of the works, not a stage; 正在规划建设 is."""
    got = _status("甲乙风光储一体化基地项目集中开工。该项目规划建设风电300万千瓦、光伏200万千瓦。",
                  ["甲乙风光储一体化基地项目"])
    assert got == [("甲乙风光储一体化基地项目", "started")], got
    assert _status("丙丁新材料项目正在规划建设。", ["丙丁新材料项目"]) == [("丙丁新材料项目", "planned")]


def test_a_halt_for_a_reason_is_suspended_and_the_first_product_off_the_line_a_trial_run():
    """P：因市场原因暂停建设 — the reason opens the clause whose stage is the halt; 首件产品下线:
    the first product off the line is a trial run."""
    got = _status("重点项目进展一览\n庚辛化工新材料项目：因市场原因暂停建设。\n"
                  "丙丁汽车零部件项目：正在进行设备调试，今年6月实现首件产品下线。\n",
                  ["庚辛化工新材料项目", "丙丁汽车零部件项目"])
    assert ("庚辛化工新材料项目", "suspended") in got, got
    assert ("丙丁汽车零部件项目", "trial_production") in got, got


def test_completion_after_a_planned_start_in_the_clause_before_is_a_plan():
    """计划2027年3月开工，2028年底建成: the project is planned, not being built."""
    got = _status("2027年拟开工重大项目简介\n1.甲乙智能仓储物流基地项目：总投资15亿元，拟建设智能立体仓库及分拨中心，"
                  "计划2027年3月开工，2028年底建成。\n",
                  ["甲乙智能仓储物流基地项目"])
    assert got == [("甲乙智能仓储物流基地项目", "planned")], got


def test_a_signing_years_ago_is_no_signing_event_and_ended_or_halted_works_are_suspended():
    """P签约两年后仍未落地: no report of a signing (no project of the text is 'signed' by it);
    已终止建设 and 已停产 halt the works."""
    from kg.extract import extract_document

    text = ("甲乙锂电材料项目因投资方资金链断裂已终止建设。丙丁光伏组件项目签约两年后仍未落地，已被列入清理名单。"
            "戊己纸业技改项目已停产半年。")
    ex = extract_document(ingest_text(text))
    got = sorted((r.subject[1], r.object[1]) for r in ex.relations if r.predicate == "hasStatus")
    assert got == [("戊己纸业技改项目", "suspended"), ("甲乙锂电材料项目", "suspended")], got
