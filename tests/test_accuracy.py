"""Extraction accuracy on the annotated gold sets stays at or above the goals.

Reads ``../shared/eval`` (the gold sets are not copied into the repository); skipped when
that folder is absent. Extraction is deterministic, so these are exact regressions guards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import evaluate as ev
from kg.pipeline import extract_file, resolved_to_json

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EVAL = SHARED / "eval"

pytestmark = pytest.mark.skipif(not EVAL.is_dir(), reason="../shared/eval is not available")


@pytest.fixture(scope="module")
def scores():
    pairs = ev.pair_gold_and_texts(EVAL / "dev" / "gold", EVAL / "dev" / "texts")
    pairs += ev.pair_gold_and_texts(EVAL / "seed" / "gold.json",
                                    SHARED / "seeds" / "000_e439af9d8f037c90.txt")
    per, total = ev.evaluate(pairs, lambda p: resolved_to_json(extract_file(p)))
    return per, total


@pytest.mark.parametrize("bucket,goal", [
    ("entities.Company", 0.90),
    ("entities.DevelopmentZone", 0.90),
    ("entities.Project", 0.90),
    ("entities", 0.80),
    ("quantities.value", 0.90),
    ("quantities.with_subject", 0.75),
    ("relations", 0.70),
    ("relations.hasStatus", 0.75),
])
def test_seed_and_dev_reach_the_goals(scores, bucket, goal):
    _, total = scores
    assert total[bucket].f1 >= goal, ev.format_table(total, "seed + dev")


@pytest.mark.parametrize("bucket,goal", [
    ("entities.Company", 0.80),
    ("entities.DevelopmentZone", 0.80),
    ("entities.Project", 0.80),
    ("quantities.value", 0.80),
])
def test_seed_alone_reaches_the_pipeline_goals(scores, bucket, goal):
    per, _ = scores
    assert per["000_e439af9d8f037c90"][bucket].f1 >= goal


def test_explain_names_a_rule_and_the_sentence_for_every_fact(capsys):
    from kg.cli import main

    seed = SHARED / "seeds" / "000_e439af9d8f037c90.txt"
    from kg.pipeline import explain_resolved

    rows = explain_resolved(extract_file(seed))
    assert rows and all(r["rule"] for r in rows)
    assert all(r["sentence"] for r in rows)
    assert main(["extract", str(seed), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "hasStatus" in out and "investment" in out
