"""Reliability battery, fuzzing: hypothesis over ingest → extract → resolve → map with
arbitrary text. No exception escapes but the documented ones (:class:`~kg.errors.IngestError`
for input with nothing to read); offsets always index the text; the output always parses;
SHACL either conforms or reports why not."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg.errors import IngestError

#: Hypothesis examples per property (reported in the issue's figures).
CHEAP_EXAMPLES = 200
PIPELINE_EXAMPLES = 30

# Fragments of the genre, so that the fuzzer reaches the extractors' rules, mixed with
# arbitrary Unicode (minus lone surrogates, which no decoder produces).
_FRAGMENTS = [
    "山西", "长治市", "潞城区", "长治高新区", "经济技术开发区", "产业园", "有限公司", "股份有限公司",
    "集团", "项目", "年产", "10万吨", "20亿元", "总投资", "约", "超", "多", "亿元", "万元", "GW",
    "光伏组件", "磷酸锰铁锂", "正极材料", "已开工", "建成投产", "签约", "投资建设", "落地",
    "。", "，", "；", "、", "（", "）", "“", "”", "\n", "\r\n", "\u3000", "\u00a0", "２０", "％",
    "1-7月", "同比增长", "64.8%", "——", "…", "<b>", "&amp;", '"', "\\", "\x0c", "\ufeff",
]
_ANY = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
TEXTS = st.lists(st.sampled_from(_FRAGMENTS) | _ANY, max_size=40).map("".join)


def _ingest(text: str):
    from kg.ingest import ingest_text

    try:
        return ingest_text(text)
    except IngestError:
        return None


# --- cheap properties (ingest) ---------------------------------------------------------

@settings(max_examples=CHEAP_EXAMPLES, deadline=None)
@given(TEXTS)
def test_ingest_raises_only_ingest_error_and_offsets_index_the_text(text):
    doc = _ingest(text)
    if doc is None:
        return
    assert doc.text.endswith("\n") and any(ch.isalnum() for ch in doc.text)
    for s in doc.sentences:
        assert doc.text[s.start:s.end] == s.text and s.text.strip() == s.text
    assert [s.index for s in doc.sentences] == list(range(len(doc.sentences)))
    doc.text.encode("utf-8")  # no lone surrogate survives


@settings(max_examples=CHEAP_EXAMPLES, deadline=None)
@given(TEXTS)
def test_ingest_is_idempotent(text):
    from kg.ingest import ingest_text

    doc = _ingest(text)
    if doc is None:
        return
    again = ingest_text(doc.text)
    assert again.text == doc.text and again.id == doc.id


@settings(max_examples=CHEAP_EXAMPLES, deadline=None)
@given(TEXTS, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]))
def test_decoding_the_encoded_text_gives_it_back(text, encoding):
    from kg.ingest import decode_bytes

    assume(text.strip() and "\x00" not in text)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    try:
        decoded, _enc = decode_bytes(data)
    except IngestError:
        # refusing is allowed only for text a person would not call text
        assert encoding == "gb18030" or any(ord(c) < 32 and c not in "\t\n\r\f" for c in text) \
            or text.startswith(("%PDF", "GIF8", "BZh", "ID3", "OggS", "PK\x03\x04"))
        return
    if encoding in ("utf-8", "utf-8-sig", "utf-16"):
        assert decoded == text.lstrip("\ufeff") or decoded == text


@settings(max_examples=CHEAP_EXAMPLES, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_decoded_or_refused_with_ingest_error(data):
    from kg.ingest import decode_bytes

    try:
        text, _enc = decode_bytes(data)
    except IngestError:
        return
    text.encode("utf-8")


# --- the whole pipeline ----------------------------------------------------------------

@pytest.fixture(scope="module")
def shapes():
    from kg.validate import load_shapes

    return load_shapes()


@settings(max_examples=PIPELINE_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXTS, min_size=1, max_size=3))
def test_pipeline_on_arbitrary_text_gives_a_graph_that_parses_and_validates(texts, shapes):
    import pyoxigraph as ox

    from kg.extract import extract_document
    from kg.mapping import assemble_dataset
    from kg.resolve import resolve_corpus
    from kg.validate import validate_graph

    docs = {}
    for t in texts:
        d = _ingest(t)
        if d is not None:
            docs[d.id] = d
    assume(docs)
    extractions = [extract_document(d) for _id, d in sorted(docs.items())]
    for ex in extractions:
        text = ex.document.text
        for m in ex.mentions:
            assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.text
        for q in ex.quantities:
            assert 0 <= q.start <= q.end <= len(text)
    resolved = resolve_corpus(extractions)
    ds = assemble_dataset(resolved, include_vocabularies=False)
    for fmt, oxf in (("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS)):
        data = ds.serialize(format=fmt).encode("utf-8")
        n = sum(1 for _ in ox.parse(data, format=oxf))
        assert n == len(list(ds.quads()))
    report = validate_graph(ds, shapes)
    assert isinstance(report.conforms, bool)
    if not report.conforms:
        assert report.results, "non-conformant without a reason"
        assert all(r["message"] or r["path"] for r in report.results)
