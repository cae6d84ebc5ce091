"""kg.lifecycle.map_events through kg.mapping.map_document: the RDF shape of events."""

from dataclasses import replace

from rdflib import Literal, URIRef

from kg.ingest import ingest_text
from kg.lifecycle import extract_events
from kg.mapping import map_document
from kg.model import Extraction, Mention, RelationCandidate
from kg.ns import KG, QB, RDF, SCHEMA, XSD
from kg.resolve import resolve_entities

TEXT = ("截至目前，示例市100个新建项目已开工91个，开工率91%。甲乙新材料项目已开工。"
        "3月4日，示例市领导小组第8次调度会明确提出甲乙新材料项目按高标准规划设计。")


def _graph(date):
    doc = replace(ingest_text(TEXT), date=date)
    ms = []
    for type_, name in (("Region", "示例市"), ("Project", "甲乙新材料项目")):
        i = -1
        while (i := doc.text.find(name, i + 1)) >= 0:
            ms.append(Mention(type_, name, i, i + len(name), key=name))
    k = doc.text.index("已开工。")
    rels = [RelationCandidate(("Project", "甲乙新材料项目"), "hasStatus", ("Status", "started"), k, k + 3,
                              "status:开工")]
    events = extract_events(doc, ms, (), rels)
    return doc, map_document(resolve_entities(Extraction(doc, tuple(ms), (), tuple(rels), tuple(events))))


def test_observation_shape():
    doc, g = _graph("2024")
    obs = list(g.subjects(KG.indicator, KG.ind_start_rate))
    assert len(obs) == 1
    o = obs[0]
    assert (o, RDF.type, QB.Observation) in g and (o, QB.dataSet, KG.IndicatorDataSet) in g
    assert g.value(o, KG.obsValue) == Literal("91.0", datatype=XSD.decimal)
    assert str(g.value(o, KG.refPeriod)) == "../2024" and str(g.value(o, KG.periodText)) == "截至目前"
    assert str(g.value(o, KG.unit)) == "percent"
    # the evidence sentence is added as a kg:Sentence of the document
    s = g.value(o, KG.sentence)
    assert (s, RDF.type, KG.Sentence) in g and "开工率91%" in str(g.value(s, KG.text))


def test_meeting_and_stage_shape():
    doc, g = _graph("2024")
    (m,) = list(g.subjects(RDF.type, KG.Meeting))
    assert g.value(m, KG.meetingNumber).toPython() == 8
    assert g.value(m, SCHEMA.startDate) == Literal("2024-03-04", datatype=XSD.date)
    project = g.value(m, KG.concerns)
    assert isinstance(project, URIRef) and (project, RDF.type, KG.Project) in g
    (st,) = list(g.subjects(RDF.type, KG.StageStatement))
    assert g.value(st, KG.concerns) == project and str(g.value(st, KG.when)) == "2024"


def test_without_document_date_relative_dates_are_kept_as_stated():
    doc, g = _graph(None)
    (m,) = list(g.subjects(RDF.type, KG.Meeting))
    assert g.value(m, KG.when) is None and str(g.value(m, KG.whenText)) == "3月4日"
    (o,) = list(g.subjects(KG.indicator, KG.ind_start_rate))
    assert str(g.value(o, KG.refPeriod)) == "截至目前"
