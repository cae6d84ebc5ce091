"""Tests of kg.evaluate: the scorer of extraction output against gold annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.evaluate import (
    ENTITY_TYPES,
    SCORED_RELATIONS,
    Report,
    combine,
    error_analysis,
    evaluate,
    format_table,
    load_gold,
    normalize_form,
    pair_gold_and_texts,
    parse_gold,
    score_document,
    status_code,
)

DATA = Path(__file__).parent / "data" / "eval"
SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
STATUS = "https://w3id.org/chainkg/status/"


# ---------------------------------------------------------------------------- helpers


def ent(eid, etype, label, aliases=(), mentions=()):
    return {
        "id": f"urn:x:{eid}",
        "type": etype,
        "label": label,
        "aliases": list(aliases),
        "mentions": [{"text": m, "start": 0, "end": len(m)} for m in mentions],
    }


def rel(s, p, o):
    obj = o if p == "hasStatus" else f"urn:x:{o}"
    return {
        "subject": f"urn:x:{s}",
        "predicate": p,
        "object": obj,
        "evidence": {"text": "", "start": 0, "end": 0},
    }


def qty(s, kind, value, unit, text="q"):
    return {
        "subject": f"urn:x:{s}",
        "kind": kind,
        "value": value,
        "unit": unit,
        "text": text,
        "start": 0,
        "end": len(text),
    }


def pred(entities=(), relations=(), quantities=()):
    return {
        "document": {"id": "t", "chars": 0},
        "entities": list(entities),
        "relations": list(relations),
        "quantities": list(quantities),
    }


def counts(report, bucket):
    c = report[bucket]
    return c.tp, c.fp, c.fn


@pytest.fixture
def gold():
    return load_gold(DATA / "new_layout.json")


def perfect_from_raw(raw):
    """A prediction that states exactly what a dev-layout gold file states."""
    ids = {}
    entities = []
    for i, e in enumerate(raw["entities"]):
        eid = f"e{i}"
        ids.setdefault(e["canonical"], eid)
        entities.append(ent(eid, e["type"], e["canonical"], e.get("aliases", []), [e["text"]]))
    relations = []
    for r in raw["relations"]:
        if r["relation"] == "hasStatus":
            relations.append(rel(ids[r["head"]], "hasStatus", STATUS + r["tail"]))
        else:
            relations.append(rel(ids[r["head"]], r["relation"], ids[r["tail"]]))
    quantities = [
        qty(ids[q["subject"]], q["kind"], q["value"], q["unit"], q["text"])
        for q in raw["quantities"]
    ]
    return pred(entities, relations, quantities)


def perfect_from_gold(g):
    ids = {}
    entities = []
    for i, e in enumerate(g.entities):
        ids.setdefault(e.canonical, f"e{i}")
        entities.append(ent(f"e{i}", e.type, e.canonical, e.forms))
    relations = []
    for r in g.relations:
        if r.relation == "hasStatus":
            relations.append(rel(f"e{r.head_ids[0]}", "hasStatus", r.tail))
        else:
            relations.append(rel(f"e{r.head_ids[0]}", r.relation, f"e{r.tail_ids[0]}"))
    quantities = [
        qty(f"e{q.subject_ids[0]}", q.kind, q.value, q.unit, q.text) for q in g.quantities
    ]
    return pred(entities, relations, quantities)


# ---------------------------------------------------------------------------- strings


def test_normalize_form():
    assert normalize_form(" 江川 高新区\n") == "江川高新区"
    assert normalize_form("“星河”「集团」『x』‘y’\"z'") == "星河集团xyz"
    assert normalize_form("ＡＢＣ（中国）") == "abc(中国)"  # NFKC + lower
    assert normalize_form("") == normalize_form(None) == ""


def test_status_code_mapping():
    assert status_code(STATUS + "under_construction") == "under_construction"
    assert status_code("https://w3id.org/chainkg/ontology#signed") == "planned"
    for fine, scored in [
        ("signed", "planned"),
        ("preliminary", "planned"),
        ("resumed", "under_construction"),
        ("continued", "under_construction"),
        ("reached_capacity", "in_production"),
        ("completed", "completed"),
    ]:
        assert status_code(STATUS + fine) == scored
        assert status_code(fine) == scored


# ---------------------------------------------------------------------------- gold loading


def test_load_new_layout(gold):
    assert gold.name == "new_layout"
    zone = next(e for e in gold.entities if e.type == "DevelopmentZone")
    assert zone.canonical == "江川高新技术产业开发区"
    assert set(zone.forms) == {"江川高新技术产业开发区", "江川高新区"}
    assert [e.canonical for e in gold.entities if e.optional] == ["月湖"]
    assert len(gold.relations) == 8
    assert [r.optional for r in gold.relations].count(True) == 1  # the one to 月湖
    assert [q.optional for q in gold.quantities] == [False, False, False, True]


def test_load_seed_layout_merges_surface_forms():
    g = load_gold(DATA / "seed_layout.json")
    by = {(e.canonical, e.type): e for e in g.entities}
    assert len(g.entities) == 6
    zone = by["江川高新技术产业开发区", "DevelopmentZone"]
    # an optional surface form stays a form; the entity is firm because not all entries are
    assert set(zone.forms) == {"江川高新技术产业开发区", "高新区", "开发区"}
    assert not zone.optional
    assert set(by["江川市", "Region"].forms) == {"江川市", "江川"}
    assert by["星河", "Company"].optional
    assert by["锂电", "IndustryChain"].optional  # all entries optional
    assert set(by["锂电", "IndustryChain"].forms) == {"锂电", "锂离子"}
    # unscored relation kinds are dropped; optional relations kept but marked
    assert {r.relation for r in g.relations} == {
        "locatedIn",
        "investor",
        "produces",
        "partOfChain",
        "hasStatus",
    }
    assert {(r.relation, r.optional) for r in g.relations if r.head == "星河"} == {
        ("investor", True)
    }
    assert next(r for r in g.relations if r.relation == "partOfChain").optional  # tail 锂电
    # a quantity subject given as a surface form resolves to its entity
    q = next(q for q in g.quantities if q.subject == "江川")
    assert q.subject_ids == (g.entities.index(by["江川市", "Region"]),)
    assert [q.optional for q in g.quantities] == [False, False, True]


def test_seed_layout_scoring():
    g = load_gold(DATA / "seed_layout.json")
    p = pred(
        [
            ent("z", "DevelopmentZone", "开发区"),  # optional form of a firm entity: a match
            ent("c", "Region", "江川"),
            ent("p", "Project", "负极项目"),
            ent("x", "Company", "星河"),  # optional entity: neutral
            ent("m", "Product", "负极材料"),
            ent("l", "IndustryChain", "锂离子"),
        ],  # optional entity: neutral
        [
            rel("p", "locatedIn", "z"),
            rel("z", "locatedIn", "c"),
            rel("x", "investor", "p"),  # optional relation: neutral
            rel("m", "partOfChain", "l"),  # mentions an optional entity: neutral
            rel("p", "hasStatus", STATUS + "reached_capacity"),
        ],
        [qty("c", "count", 12, "company"), qty("p", "duration", 62, "day")],
    )
    r = score_document(p, g)
    assert counts(r, "entities") == (4, 0, 0)
    assert counts(r, "relations") == (3, 0, 1)  # produces missing
    assert counts(r, "quantities.value") == (1, 0, 1)
    assert counts(r, "quantities.with_subject") == (1, 0, 1)


# ---------------------------------------------------------------------------- entities


def test_exact_match_after_normalisation(gold):
    p = pred(
        [
            ent("a", "DevelopmentZone", "“江川 高新区”"),
            ent("b", "Company", "ｘ", aliases=["星河新材料"]),
            ent("c", "Region", "江 川", mentions=["江川市"]),
        ]
    )
    r = score_document(p, gold)
    assert counts(r, "entities.DevelopmentZone") == (1, 0, 0)
    assert counts(r, "entities.Company") == (1, 0, 1)
    assert counts(r, "entities.Region") == (1, 0, 0)  # 月湖 optional: no FN
    assert counts(r, "entities") == (3, 0, 4)


def test_type_must_agree(gold):
    r = score_document(pred([ent("a", "Company", "江川高新区")]), gold)
    assert counts(r, "entities.Company") == (0, 1, 2)
    assert counts(r, "entities.DevelopmentZone") == (0, 0, 1)


def test_containment_75_percent_boundary():
    long_name = "星河年产五万吨负极材料项目"  # 13 characters
    g = parse_gold(
        {
            "entities": [
                {
                    "text": "甲乙丙丁戊己庚辛壬癸子",
                    "type": "Product",
                    "canonical": "甲乙丙丁戊己庚辛壬癸子",
                },
                {
                    "text": long_name[:-2] + "项目",
                    "type": "Project",
                    "canonical": long_name[:-2] + "项目",
                },
            ]
        }
    )
    eleven = "甲乙丙丁戊己庚辛壬癸子"
    # 11 / 15 = 0.733: no match; 15 / 20 = 0.75 and 3 / 4 = 0.75: match
    below = eleven + "丑寅卯辰"
    assert len(eleven) / len(below) < 0.75
    r = score_document(pred([ent("a", "Product", below)]), g)
    assert counts(r, "entities.Product") == (0, 1, 1)

    g2 = parse_gold(
        {
            "entities": [
                {"text": "负极材料", "type": "Product", "canonical": "负极材料"},
                {"text": "丁" * 15, "type": "Company", "canonical": "丁" * 15},
            ]
        }
    )
    r = score_document(
        pred(
            [
                ent("a", "Product", "负极材"),  # 3/4, pred shorter
                ent("b", "Company", "丁" * 20),
            ]
        ),
        g2,
    )  # 15/20, gold shorter
    assert counts(r, "entities") == (2, 0, 0)
    r = score_document(
        pred(
            [
                ent("a", "Product", "极材"),  # 2/4
                ent("b", "Company", "丁" * 21),
            ]
        ),
        g2,
    )  # 15/21
    assert counts(r, "entities") == (0, 2, 2)
    # containment must be a substring, not just a length ratio
    r = score_document(pred([ent("a", "Product", "负极材x")]), g2)
    assert counts(r, "entities.Product") == (0, 1, 1)


def test_duplicate_prediction_is_false_positive(gold):
    p = pred(
        [
            ent("a", "Company", "江川星河新材料有限公司"),
            ent("b", "Company", "星河新材料"),
            ent("c", "Company", "星河新材料有限公司"),
        ]
    )
    r = score_document(p, gold)
    assert counts(r, "entities.Company") == (1, 2, 1)  # 星河集团 missing


def test_assignment_is_maximal_and_prefers_exact():
    g = parse_gold(
        {
            "entities": [
                {"text": "负极材料", "type": "Product", "canonical": "负极材料"},
                {"text": "负极材料x", "type": "Product", "canonical": "负极材料x"},
            ]
        }
    )
    # a matches both (exact with the first), b only the first by containment: the greedy exact
    # pair a-first would leave b out; the maximal assignment matches both.
    p = pred(
        [ent("a", "Product", "负极材料", aliases=["负极材料x"]), ent("b", "Product", "负极材")]
    )
    r = score_document(p, g)
    assert counts(r, "entities.Product") == (2, 0, 0)
    # and the result does not depend on the order of the predicted entities
    p["entities"].reverse()
    assert counts(score_document(p, g), "entities.Product") == (2, 0, 0)


def test_optional_entity_counts_neither_way(gold):
    with_optional = pred(
        [ent("p", "Project", "星河负极材料项目"), ent("y", "Region", "月湖")],
        [rel("p", "locatedIn", "y")],
        [qty("y", "area", 3e6, "m2")],
    )
    without = pred([ent("p", "Project", "星河负极材料项目")])
    for p in (with_optional, without):
        r = score_document(p, gold)
        assert counts(r, "entities.Region") == (0, 0, 1)  # only 江川市 missing
        assert r["relations.locatedIn"].fp == 0
        assert r["relations.locatedIn"].fn == 2  # the two firm locatedIn facts
        assert r["quantities.value"].fp == 0
        assert r["quantities.value"].fn == 3


def test_unknown_entity_types_are_ignored(gold):
    r = score_document(pred([ent("d", "Date", "今年")]), gold)
    assert r["entities"].fp == 0


# ---------------------------------------------------------------------------- relations


def test_relations_with_aliases_and_duplicates(gold):
    p = pred(
        [
            ent("z", "DevelopmentZone", "江川高新区"),
            ent("c", "Region", "江川"),
            ent("k", "Company", "星河新材料"),
            ent("k2", "Company", "江川星河新材料有限公司"),  # duplicate entity (FP) ...
            ent("p", "Project", "负极材料项目"),
        ],
        [
            rel("z", "locatedIn", "c"),
            rel("z", "locatedIn", "c"),  # same fact twice: counted once
            rel("k2", "investor", "p"),  # ... whose relation still matches by its forms
            rel("k", "investor", "p"),  # and maps to the same key: deduplicated
            rel("c", "locatedIn", "z"),  # wrong direction
            rel("k", "partOfChain", "z"),
        ],
    )
    r = score_document(p, gold)
    assert counts(r, "entities.Company") == (1, 1, 1)
    assert counts(r, "relations.locatedIn") == (1, 1, 1)
    assert counts(r, "relations.investor") == (1, 0, 0)
    assert counts(r, "relations.partOfChain") == (0, 1, 1)
    assert counts(r, "relations") == (2, 2, 5)


def test_relations_are_type_agnostic(gold):
    # a project mistyped as a company: an entity FP/FN, but its relation still counts
    p = pred(
        [ent("p", "Company", "星河负极材料项目"), ent("m", "Product", "负极材料")],
        [rel("p", "produces", "m")],
    )
    r = score_document(p, gold)
    assert r["entities.Company"].fp == 1
    assert counts(r, "relations.produces") == (1, 0, 0)


def test_has_status_with_fine_codes(gold):
    project = ent("p", "Project", "星河负极材料项目")
    for obj, expected in [
        (STATUS + "continued", (1, 0, 0)),
        (STATUS + "resumed", (1, 0, 0)),
        ("under_construction", (1, 0, 0)),  # plain code accepted
        (STATUS + "signed", (0, 1, 1)),  # → planned: wrong
        (STATUS + "in_production", (0, 1, 1)),
    ]:
        r = score_document(pred([project], [rel("p", "hasStatus", obj)]), gold)
        assert counts(r, "relations.hasStatus") == expected, obj


def test_unscored_predicates_ignored(gold):
    p = pred(
        [ent("c", "Region", "江川市"), ent("z", "DevelopmentZone", "江川高新区")],
        [rel("c", "administers", "z")],
    )
    assert score_document(p, gold)["relations"].fp == 0


# ---------------------------------------------------------------------------- quantities


def test_quantity_value_tolerance(gold):
    p = pred([ent("p", "Project", "星河负极材料项目")])
    for value, ok in [(1.004e9, True), (0.996e9, True), (1.006e9, False), (0.994e9, False)]:
        p["quantities"] = [qty("p", "investment", value, "CNY")]
        r = score_document(p, gold)
        assert counts(r, "quantities.value") == ((1, 0, 2) if ok else (0, 1, 3)), value


def test_quantity_unit_and_kind_must_agree(gold):
    p = pred(
        [ent("p", "Project", "星河负极材料项目")],
        quantities=[qty("p", "investment", 1e9, "USD"), qty("p", "output_value", 1e9, "CNY")],
    )
    r = score_document(p, gold)
    assert counts(r, "quantities.value") == (0, 2, 3)


def test_quantity_with_subject_vs_value_only(gold):
    p = pred(
        [ent("p", "Project", "星河负极材料项目"), ent("c", "Region", "江川")],
        quantities=[
            qty("c", "investment", 1e9, "CNY"),  # wrong subject
            qty("p", "capacity", 50000, "t"),  # right subject
            qty("urn:none", "ratio", 20, "percent"),
        ],
    )  # subject unknown
    r = score_document(p, gold)
    assert counts(r, "quantities.value") == (3, 0, 0)
    assert counts(r, "quantities.with_subject") == (1, 2, 2)
    assert counts(r, "overall") == (5, 0, 12)  # fn: 5 entities + 7 relations


def test_quantity_matching_is_one_to_one(gold):
    p = pred(
        [ent("p", "Project", "星河负极材料项目")],
        quantities=[
            qty("p", "capacity", 50000, "t", "年产5万吨"),
            qty("p", "capacity", 50000, "t", "5万吨"),
        ],
    )
    r = score_document(p, gold)
    assert counts(r, "quantities.value") == (1, 1, 2)


# ---------------------------------------------------------------------------- reports


def test_empty_prediction(gold):
    for p in ({}, pred()):
        r = score_document(p, gold)
        assert r["overall"].tp == 0
        assert r["overall"].fn == 7 + 7 + 3
        assert r["overall"].recall == 0.0
        assert r["entities"].recall == 0.0
        assert r["overall"].f1 == 0.0
    assert r["relations.upstreamOf"].f1 is None  # nothing either side
    format_table(r, "empty")
    json.dumps(r.to_dict())


def test_report_dict_table_and_combine(gold):
    p = pred([ent("p", "Project", "星河负极材料项目"), ent("x", "Product", "钢材")])
    r = score_document(p, gold)
    d = r.to_dict()
    assert set(d) >= {
        "entities",
        "relations",
        "quantities.value",
        "quantities.with_subject",
        "overall",
    }
    assert {f"entities.{t}" for t in ENTITY_TYPES} <= set(d)
    assert {f"relations.{x}" for x in SCORED_RELATIONS} <= set(d)
    assert d["entities.Project"] == {"tp": 1, "fp": 0, "fn": 0, "p": 1.0, "r": 1.0, "f1": 1.0}
    assert d["entities"]["tp"] == 1 and d["entities"]["fp"] == 1
    json.loads(json.dumps(d))

    table = format_table(r, "doc")
    lines = table.splitlines()
    assert lines[0] == "doc"
    assert lines[1].split() == ["bucket", "P", "R", "F1", "tp", "fp", "fn"]
    assert len({len(line) for line in lines[1:]}) <= 2  # aligned (rstrip of empty cells aside)
    assert any(line.startswith("entities.Project") and "1.000" in line for line in lines)

    total = combine([r, r, Report()])
    assert counts(total, "entities.Project") == (2, 0, 0)
    assert counts(total, "entities") == (2, 2, 12)
    assert total["entities"].precision == 0.5


def test_error_analysis(gold):
    p = pred(
        [
            ent("k", "Company", "星河新材料"),
            ent("k2", "Company", "星河新材料有限公司"),
            ent("z", "Region", "江川高新区"),
            ent("p", "Project", "负极材料项目"),
        ],
        [rel("k", "investor", "p"), rel("k", "memberOf", "z")],
        [qty("p", "investment", 2e9, "CNY", "总投资20亿元")],
    )
    errors = error_analysis(p, gold)
    fp = {e["label"]: e["reason"] for e in errors["entities"]["fp"]}
    assert fp == {"星河新材料有限公司": "duplicate", "江川高新区": "type (gold DevelopmentZone)"}
    assert "星河集团" in {e["canonical"] for e in errors["entities"]["fn"]}
    assert {"head": "江川星河新材料有限公司", "relation": "memberOf", "tail": "星河集团"} in errors[
        "relations"
    ]["fn"]
    assert [(e["subject"], e["predicate"], e["object"]) for e in errors["relations"]["fp"]] == [
        ("星河新材料", "memberOf", "江川高新技术产业开发区")
    ]
    assert [e["text"] for e in errors["quantities"]["fp"]] == ["总投资20亿元"]
    assert "总投资10亿元" in {e["text"] for e in errors["quantities"]["fn"]}
    json.dumps(errors, ensure_ascii=False)


# ---------------------------------------------------------------------------- batch


def test_pair_and_evaluate(tmp_path):
    gold_dir, text_dir = tmp_path / "gold", tmp_path / "texts"
    gold_dir.mkdir()
    text_dir.mkdir()
    raw = json.loads((DATA / "new_layout.json").read_text(encoding="utf-8"))
    for name in ("02", "01"):
        (gold_dir / f"{name}.json").write_text(json.dumps(raw), encoding="utf-8")
        (text_dir / f"{name}.txt").write_text("text", encoding="utf-8")
    pairs = pair_gold_and_texts(gold_dir, text_dir)
    assert [(n, g.name, t.name) for n, g, t in pairs] == [
        ("01", "01.json", "01.txt"),
        ("02", "02.json", "02.txt"),
    ]

    seen = []

    def extract(path):
        seen.append(path.name)
        return perfect_from_raw(raw) if path.stem == "01" else {}

    per_doc, total = evaluate(pairs, extract)
    assert seen == ["01.txt", "02.txt"]
    assert per_doc["01"]["overall"].f1 == 1.0
    assert per_doc["02"]["overall"].recall == 0.0
    assert total["overall"].recall == 0.5

    single = pair_gold_and_texts(DATA / "new_layout.json", text_dir / "01.txt")
    assert single == [("01", DATA / "new_layout.json", text_dir / "01.txt")]
    (text_dir / "02.txt").unlink()
    with pytest.raises(FileNotFoundError):
        pair_gold_and_texts(gold_dir, text_dir)


# ---------------------------------------------------------------------------- real gold


DEV_GOLD = sorted((SHARED_EVAL / "dev" / "gold").glob("*.json")) if SHARED_EVAL.is_dir() else []


@pytest.mark.skipif(not DEV_GOLD, reason="../shared/eval/dev/gold not available")
@pytest.mark.parametrize("path", DEV_GOLD, ids=lambda p: p.stem)
def test_perfect_prediction_on_dev_gold(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    r = score_document(perfect_from_raw(raw), load_gold(path))
    for bucket in (
        "entities",
        "relations",
        "quantities.value",
        "quantities.with_subject",
        "overall",
    ):
        c = r[bucket]
        assert c.fp == c.fn == 0, bucket
        assert c.f1 in (1.0, None), bucket
    assert r["overall"].f1 == 1.0
    # dropping everything instead gives recall 0
    assert score_document({}, load_gold(path))["overall"].recall == 0.0


@pytest.mark.skipif(
    not (SHARED_EVAL / "seed" / "gold.json").is_file(),
    reason="../shared/eval/seed/gold.json not available",
)
def test_perfect_prediction_on_seed_gold():
    g = load_gold(SHARED_EVAL / "seed" / "gold.json")
    r = score_document(perfect_from_gold(g), g)
    assert r["overall"].f1 == 1.0
    assert r["quantities.with_subject"].f1 == 1.0
