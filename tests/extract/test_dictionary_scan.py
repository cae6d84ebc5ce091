"""Dictionary scans: the Aho–Corasick path and the bigram fallback find the same forms."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.entities import extract_mentions
from kg.ingest import ingest_text
from kg.regions import FormGroup, FormIndex, _gazetteer_index, find_regions

pytest.importorskip("ahocorasick_rs")

_FORMS = ("长治", "长治市", "治市", "市", "新材料", "新材料科技", "料科", "A", "AB")
_SEED = Path(__file__).resolve().parents[2] / "data" / "corpus"


def _fallback(forms) -> FormIndex:
    idx = FormIndex(forms, automaton_after=sys.maxsize)  # the bigram filter, always
    return idx


def _eager(forms) -> FormIndex:
    return FormIndex(forms, automaton_after=0)


def test_starts_lists_every_form_start_longest_first():
    idx = _eager(_FORMS)
    assert idx._ac is not None
    got = idx.starts("在长治市新材料科技AB")
    assert got == [(1, (3, 2)), (2, (2,)), (3, (1,)), (4, (5, 3)), (6, (2,)), (9, (2, 1))]
    assert got == _fallback(_FORMS).starts("在长治市新材料科技AB")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="长治市新材料科技AB在，", max_size=40))
def test_automaton_and_bigram_fallback_agree(text):
    assert _eager(_FORMS).starts(text) == _fallback(_FORMS).starts(text)


def test_gazetteer_scan_agrees_with_fallback_on_seed_text():
    text = next(_SEED.glob("*.txt")).read_text(encoding="utf-8")
    idx = _eager(_gazetteer_index().forms)
    assert idx._ac is not None
    assert idx.starts(text) == _fallback(idx.forms).starts(text)


def test_mentions_do_not_depend_on_the_scanner(monkeypatch):
    text = ("山西河东新材料科技有限公司在晋城高新区落地石墨负极材料项目，"
            "长治市和朔州的煤化工产业链企业签约光伏组件项目。")
    before = extract_mentions(ingest_text(text))
    assert any(m.type == "Region" for m in before[0])
    monkeypatch.setattr("kg.regions._automaton", lambda forms: None)
    import kg.extract.entities as ent
    import kg.regions as reg

    reg._gazetteer_index.cache_clear()
    ent._patterns.cache_clear()
    ent._first_vocab_spans.cache_clear()
    ent._first_vocab_hits.cache_clear()
    ent._name_regions.cache_clear()
    try:
        assert _gazetteer_index()._ac is None
        assert extract_mentions(ingest_text(text)) == before
        assert [m.text for m in find_regions("长治市和朔州的项目")] == ["长治市", "朔州"]
    finally:
        monkeypatch.undo()
        reg._gazetteer_index.cache_clear()
        ent._patterns.cache_clear()
        ent._first_vocab_spans.cache_clear()
        ent._first_vocab_hits.cache_clear()
        ent._name_regions.cache_clear()


def test_group_scan_gives_each_member_its_own_starts():
    a, b = FormIndex(("长治", "长治市", "材料")), FormIndex(("新材料", "材料", "市"))
    alone = _eager(a.forms), _eager(b.forms)
    FormGroup([a, b], automaton_after=0)
    text = "在长治市落地新材料项目，" * 30  # long enough for the shared scan
    assert a._group is not None and len(text) >= 256
    assert a.starts(text) == alone[0].starts(text) and (2, (2,)) not in a.starts(text)
    assert b.starts(text) == alone[1].starts(text) and (3, (1,)) in b.starts(text)
    assert a.starts("长治市") == alone[0].starts("长治市")  # short texts: the member's own automaton


def test_the_automaton_is_built_once_enough_text_was_scanned():
    idx = FormIndex(_FORMS, automaton_after=100)
    text = "在长治市新材料科技AB，"  # 12 characters
    want = _eager(_FORMS).starts(text)
    for _ in range(8):  # 96 characters: not yet
        assert idx.starts(text) == want
    assert idx._ac is None
    assert idx.starts(text) == want  # 108: built for this scan
    assert idx._ac is not None
    assert idx.starts(text) == want


def test_a_group_counts_each_document_once_and_builds_its_automaton_when_due():
    a, b = FormIndex(("长治", "长治市", "材料")), FormIndex(("新材料", "材料", "市"))
    group = FormGroup([a, b], automaton_after=1000)
    alone = _eager(a.forms), _eager(b.forms)
    texts = [f"第{i}条：在长治市落地新材料项目，" + "推进建设。" * 60 for i in range(5)]  # ~316 each
    for i, text in enumerate(texts):
        assert a.starts(text) == alone[0].starts(text)  # both members asked: counted once
        assert b.starts(text) == alone[1].starts(text)
        assert (group._ac is not None) == (i >= 3), i  # 4 × ~316 ≥ 1000
    assert a._ac is None and b._ac is None  # the group scanned for them: their own not built


def test_extracting_one_document_builds_no_automaton():
    # what an update that adds a document does: the dictionaries scan it without automata
    code = (
        "from pathlib import Path\n"
        "from kg.extract import extract_document\n"
        "from kg.ingest import ingest_file\n"
        "from kg.regions import _gazetteer_index\n"
        "from kg.extract.entities import _patterns\n"
        f"ex = extract_document(ingest_file(next(Path({str(_SEED)!r}).glob('*.txt'))))\n"
        "assert any(m.type == 'Region' for m in ex.mentions), 'no region found'\n"
        "print(_gazetteer_index()._ac is None, _patterns()['products']._ac is None,\n"
        "      _gazetteer_index()._group[0]._ac is None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"]
