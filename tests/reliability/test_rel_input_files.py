"""Reliability battery, input files (issue 11 items 1–10): bad, odd and hostile documents
never stop a build, never lose data and never produce an invalid graph."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from kg.errors import IngestError
from kg.ingest import MAX_BYTES_ENV, ingest_file, ingest_text, max_bytes_limit

from ._rel_util import (
    CLEAN,
    OTHER,
    TRADITIONAL,
    cli,
    document_graphs,
    extract_summary,
    quads,
    quads_of_graph,
)


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    p.write_bytes(data)
    return p


def _build(capsys, src: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return cli(capsys, "build", src, "-o", out, "--quiet", "--no-validate", *extra)


# --- 1. empty, white space only, punctuation only -------------------------------------

@pytest.mark.parametrize("name,data", [
    ("empty.txt", b""),
    ("spaces.txt", " \n\t\r\n"),
    ("ideographic-spaces.txt", "\u3000\u3000\n\u00a0\n"),
    ("punctuation.txt", "，。！？……——“”《》、；：\n"),
    ("markup-only.html", "<html><body><p> </p><script>var x = 1;</script></body></html>"),
])
def test_empty_like_file_is_skipped_with_a_warning_and_build_goes_on(tmp_path, capsys, name, data):
    src = tmp_path / "docs"
    _write(src, name, data)
    _write(src, "good.txt", CLEAN)
    rc, _out, err = _build(capsys, src, tmp_path / "out")
    assert rc == 0
    assert "warning" in err and name in err
    assert len(document_graphs(tmp_path / "out" / "graph.trig")) == 1


def test_empty_like_file_alone_is_a_clear_error(tmp_path, capsys):
    src = tmp_path / "docs"
    _write(src, "empty.txt", b"")
    rc, _out, err = _build(capsys, src, tmp_path / "out")
    assert rc == 2
    assert "empty.txt" in err and "no document could be built" in err


# --- 2. binary files with a .txt name --------------------------------------------------

def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document>长治高新区</w:document>")
    return buf.getvalue()


_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
        b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
        b"\x00\x00IEND\xaeB`\x82")


@pytest.mark.parametrize("name,data,reason", [
    ("image.txt", _PNG, "PNG"),
    ("archive.txt", _zip_bytes(), "ZIP"),
    ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    ("blob.txt", bytes(range(256)) * 8, "binary"),
])
def test_binary_file_named_txt_is_refused_with_the_reason_and_others_built(
        tmp_path, capsys, name, data, reason):
    src = tmp_path / "docs"
    _write(src, name, data)
    _write(src, "good.txt", CLEAN)
    rc, _out, err = _build(capsys, src, tmp_path / "out")
    assert rc == 0
    line = next(ln for ln in err.splitlines() if name in ln)
    assert "not a text document" in line and reason in line
    assert len(document_graphs(tmp_path / "out" / "graph.trig")) == 1


# --- 3. encodings ----------------------------------------------------------------------

@pytest.mark.parametrize("encoding,bom", [
    ("gbk", b""),
    ("gb18030", b""),
    ("utf-8", b"\xef\xbb\xbf"),
    ("utf-16-le", b"\xff\xfe"),
    ("utf-16-be", b"\xfe\xff"),
])
def test_simplified_chinese_encodings_decode_to_the_same_document(tmp_path, encoding, bom):
    clean = ingest_text(CLEAN)
    p = _write(tmp_path, f"doc-{encoding}.txt", bom + CLEAN.encode(encoding))
    doc = ingest_file(p)
    assert doc.text == clean.text
    assert doc.id == clean.id  # the content hash does not depend on the encoding
    found = extract_summary(p)["entities"]
    assert ("DevelopmentZone", "长治高新区") in found
    assert ("Company", "山西特瓦时能源科技股份有限公司") in found


def test_gb18030_characters_outside_gbk_decode(tmp_path):
    text = "䶮和𠀀是GB18030才有的字。" + CLEAN  # U+4DAE (ext. A) and U+20000 (ext. B)
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    p = _write(tmp_path, "gb18030.txt", text.encode("gb18030"))
    doc = ingest_file(p)
    assert doc.text.startswith("䶮和𠀀")
    assert ("DevelopmentZone", "长治高新区") in extract_summary(p)["entities"]


def test_big5_traditional_text_decodes(tmp_path):
    p = _write(tmp_path, "big5.txt", TRADITIONAL.encode("big5"))
    doc = ingest_file(p)
    assert doc.encoding == "big5"
    assert doc.text == TRADITIONAL
    assert ("Company", "山西特瓦時能源科技股份有限公司") in extract_summary(p)["entities"]


def test_short_gbk_file_decodes(tmp_path):
    # Detection has little to go on in a short file; a single line of a bulletin must work.
    line = "长治高新区重点项目建设推进会召开。\n"
    p = _write(tmp_path, "short.txt", line.encode("gbk"))
    assert ingest_file(p).text == line


# --- 4. messy layout -------------------------------------------------------------------

def _messy(text: str) -> str:
    """The clean text as a PDF or an old office machine would give it: hard-wrapped at 32
    characters (breaks fall inside words: 磷酸锰铁锂正极材料项 / 目), CR LF and lone CR line
    ends, full-width digits, ideographic-space indents."""
    full = str.maketrans("0123456789%", "０１２３４５６７８９％")
    lines = [ln for ln in text.split("\n") if ln]
    first = lines[0].translate(full)
    wrapped = "\r\n".join(first[i:i + 32] for i in range(0, len(first), 32))
    rest = "\r".join("\u3000\u3000" + ln.replace("70", "７０") for ln in lines[1:])
    return "\u3000\u3000" + wrapped + "\r" + rest + "\n"


def test_messy_layout_gives_the_same_entities_as_the_clean_text():
    clean = extract_summary(CLEAN, is_text=True)
    assert clean["entities"], "the clean text must yield entities for this test to mean anything"
    messy_text = _messy(CLEAN)
    assert "\r" in messy_text and "０" in messy_text and "\u3000" in messy_text
    messy = extract_summary(messy_text, is_text=True)
    assert messy["entities"] == clean["entities"]
    assert messy["quantities"] == clean["quantities"]


@pytest.mark.parametrize("sep", ["\u00a0", "\u3000", "\u2002", "\u200b", "\ufeff"])
def test_odd_spaces_around_numbers_give_the_same_quantities(sep):
    clean = extract_summary(CLEAN, is_text=True)
    odd = CLEAN.replace("总投资20亿元", f"总投资{sep}20{sep}亿元")
    assert odd != CLEAN
    got = extract_summary(odd, is_text=True)
    assert got["entities"] == clean["entities"]
    assert ("investment", 2_000_000_000.0, "CNY") in got["quantities"]


@pytest.mark.parametrize("sep", ["\r\n", "\r", "\u2028", "\x0c", "\x85"])
def test_page_and_line_separators_inside_a_word_are_repaired(sep):
    clean = ingest_text(CLEAN)
    cut = CLEAN.index("项目，总投资") + 1  # a page break inside 项目, after a full line
    broken = ingest_text(CLEAN[:cut] + sep + CLEAN[cut:])
    assert broken.text == clean.text


def test_full_width_letters_and_digits_fold():
    doc = ingest_text("ＭＬＥＤ显示项目总投资２０亿元，ＡＢＣ公司。")
    assert doc.text.startswith("MLED显示项目总投资20亿元，ABC公司。")


# --- 5. a 50 MB document ---------------------------------------------------------------

@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("big") / "docs" / "huge.txt"
    p.parent.mkdir()
    para = (CLEAN * 4).encode("utf-8")
    with p.open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(para) + 1):
            fh.write(para)
    assert p.stat().st_size >= 50 * 1024 * 1024
    return p


def test_50mb_document_is_refused_before_it_is_read(big_file, monkeypatch):
    monkeypatch.delenv(MAX_BYTES_ENV, raising=False)
    tracemalloc.start()
    try:
        with pytest.raises(IngestError) as info:
            ingest_file(big_file)
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024  # not read: memory stays bounded
    msg = str(info.value)
    assert "huge.txt" in msg and "size limit" in msg and "--max-bytes" in msg
    assert MAX_BYTES_ENV in msg


def test_50mb_document_is_reported_and_the_others_built(big_file, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(MAX_BYTES_ENV, raising=False)
    _write(big_file.parent, "good.txt", CLEAN)
    rc, _out, err = _build(capsys, big_file.parent, tmp_path / "out")
    assert rc == 0
    assert "huge.txt" in err and "size limit" in err
    assert len(document_graphs(tmp_path / "out" / "graph.trig")) == 1


def test_size_limit_is_configurable_by_environment(tmp_path, capsys, monkeypatch):
    src = tmp_path / "docs"
    _write(src, "small.txt", CLEAN)
    _write(src, "long.txt", CLEAN * 40)  # ~6 KB
    monkeypatch.setenv(MAX_BYTES_ENV, "4K")
    assert max_bytes_limit() == 4096
    rc, _out, err = _build(capsys, src, tmp_path / "out")
    assert rc == 0
    assert "long.txt" in err and "4,096" in err
    assert "small.txt" not in err
    # An explicit argument wins over the environment.
    assert ingest_file(src / "long.txt", max_bytes=1_000_000).text


@pytest.mark.parametrize("value", ["lots", "-5", "0", "12Q"])
def test_bad_size_limit_is_a_clear_error(monkeypatch, tmp_path, value):
    p = _write(tmp_path, "a.txt", CLEAN)
    monkeypatch.setenv(MAX_BYTES_ENV, value)
    with pytest.raises(IngestError, match=MAX_BYTES_ENV):
        ingest_file(p)


# --- 6. hostile names in the graph -----------------------------------------------------

HOSTILE = [
    'quote"d', "apos'trophe", "back\\slash", "trailing\\", "<script>alert(1)</script>",
    "new\nline", "carriage\rreturn", 'triple"""quotes', "'''single", "tab\there",
    "ctl\x01\x07\x1b\x7f", "emoji😀🏭", "pua\ue000\U000f0001", "\u2028\u2029sep",
    "rtl\u202eevil", "zero\u200bwidth", "@prefix x: <http://evil/> .", "} GRAPH <x> {",
]


def _hostile_dataset():
    from kg.mapping import assemble_dataset
    from kg.model import Entity, Mention, Resolved
    from kg.ns import entity_iri

    text = "".join(f"{i}:{name}。\n" for i, name in enumerate(HOSTILE))
    doc = ingest_text(text, path='dir/"odd" <name>\n.txt')
    entities = []
    for i, name in enumerate(HOSTILE):
        start = doc.text.index(f"{i}:") + len(f"{i}:")
        m = Mention("Company", doc.text[start:start + 3], start, start + 3, key=str(i), rule=name)
        entities.append(Entity(str(entity_iri("Company", name)), "Company", name,
                               aliases=(name + "集团",), mentions=(m,)))
    return assemble_dataset([Resolved(doc, entities=tuple(entities))], include_vocabularies=False)


def test_hostile_names_round_trip_through_pyoxigraph_in_every_output_format(tmp_path):
    from kg.store import write_outputs

    ds = _hostile_dataset()
    outputs = write_outputs(ds, tmp_path / "out")
    nq = tmp_path / "out" / "graph.nq"
    nq.write_bytes(ds.serialize(format="nquads").encode("utf-8"))
    for path, fmt in ((outputs["trig"], "trig"), (outputs["turtle"], "turtle"), (nq, "nquads")):
        labels = {q.object.value for q in quads(Path(path), fmt)
                  if q.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"}
        for name in HOSTILE:
            assert name in labels, (fmt, name)
    # and the library's own reader accepts what it wrote
    from kg.store import load_graph

    assert len(load_graph(outputs["trig"])) > 0


def test_hostile_text_in_a_document_builds_a_valid_graph(tmp_path, capsys):
    src = tmp_path / "docs"
    body = CLEAN + "".join(f"{name}有限公司在长治高新区投资。\n" for name in HOSTILE)
    _write(src, "hostile.txt", body)
    rc, _out, err = _build(capsys, src, tmp_path / "out")
    assert rc == 0, err
    for name, fmt in (("graph.trig", "trig"), ("graph.ttl", "turtle")):
        assert quads(tmp_path / "out" / name, fmt)


# --- 7. one document under two names ---------------------------------------------------

def test_same_document_twice_gives_one_document_graph_and_no_duplicate_facts(tmp_path, capsys):
    one, two = tmp_path / "one", tmp_path / "two"
    _write(one, "a.txt", CLEAN)
    _write(two, "a.txt", CLEAN)
    _write(two, "nested/copy of a.txt", CLEAN)
    _write(two, "z-gbk.txt", CLEAN.encode("gbk"))  # same text, other encoding
    assert _build(capsys, one, tmp_path / "out1")[0] == 0
    rc, _out, err = _build(capsys, two, tmp_path / "out2")
    assert rc == 0
    assert err.count("same text as") == 2
    g1 = document_graphs(tmp_path / "out1" / "graph.trig")
    g2 = document_graphs(tmp_path / "out2" / "graph.trig")
    assert len(g2) == 1 and g1 == g2
    (graph,) = g2
    assert (quads_of_graph(tmp_path / "out2" / "graph.trig", graph)
            == quads_of_graph(tmp_path / "out1" / "graph.trig", graph))


# --- 8. documents that disagree --------------------------------------------------------

DATA = Path(__file__).resolve().parent.parent / "data" / "reliability"


def test_conflicting_investments_are_both_kept_and_flagged_fixture():
    from kg.checks import find_conflicts
    from kg.store import load_graph

    conflicts = find_conflicts(load_graph(DATA / "conflict.trig"))
    assert len(conflicts) == 1
    (c,) = conflicts
    assert c.kind == "investment" and c.label == "磷酸锰铁锂正极材料项目"
    assert [v.value for v in c.values] == [2_000_000_000, 2_500_000_000]
    assert len(c.documents) == 2
    assert {v.sentence for v in c.values} == {
        "项目总投资20亿元，年产10万吨磷酸锰铁锂。", "该项目总投资25亿元，已完成70%的建设进度。"}


def test_conflicts_are_reported_by_kg_validate(capsys):
    rc, out, _err = cli(capsys, "validate", DATA / "conflict.trig")
    assert rc in (0, 1)
    assert "conflict" in out and "2500000000 CNY" in out and "2000000000 CNY" in out


def test_conflicting_documents_keep_both_values_end_to_end(tmp_path, capsys):
    from kg.checks import add_conflicts, find_conflicts
    from kg.ns import ANALYSIS_GRAPH, KG
    from kg.store import load_graph

    src = tmp_path / "docs"
    _write(src, "report-a.txt", CLEAN)
    _write(src, "report-b.txt", CLEAN.replace("总投资20亿元", "总投资25亿元"))
    rc, _out, err = _build(capsys, src, tmp_path / "out")
    assert rc == 0, err
    trig = tmp_path / "out" / "graph.trig"
    assert len(document_graphs(trig)) == 2
    ds = load_graph(trig)
    conflicts = [c for c in find_conflicts(ds) if c.kind == "investment"]
    assert len(conflicts) == 1
    values = sorted(v.value for v in conflicts[0].values)
    assert values == [2_000_000_000, 2_500_000_000]  # never silently merged
    assert all(v.sentence for v in conflicts[0].values)
    assert add_conflicts(ds, conflicts) == 1
    assert len(list(ds.graph(ANALYSIS_GRAPH).subjects(predicate=None, object=KG.ValueConflict))) == 1


def test_agreeing_documents_are_not_a_conflict(tmp_path):
    from kg.checks import find_conflicts
    from kg.pipeline import build_graph
    from kg.store import load_graph

    src = tmp_path / "docs"
    _write(src, "a.txt", CLEAN)
    _write(src, "b.txt", "据报道，" + CLEAN)  # same facts, other document
    build_graph(src, tmp_path / "out", validate=False)
    assert find_conflicts(load_graph(tmp_path / "out" / "graph.trig")) == []


# --- 9. awkward folders ----------------------------------------------------------------

def test_awkward_folder_is_handled_and_reported(tmp_path, capsys, monkeypatch):
    src = tmp_path / "docs"
    _write(src, "good.txt", CLEAN)
    _write(src, "deeply/nested/folder/other.txt", OTHER)
    _write(src, "picture.png", _PNG)
    _write(src, "table.xls", b"\xd0\xcf\x11\xe0old Excel")  # (.csv is a document now)
    _write(src, "locked.txt", "长治市召开重点项目调度会。\n")
    (src / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (src / "loop").symlink_to(src, target_is_directory=True)  # a symlink cycle
    bad_name = os.fsencode(str(src)) + b"/name-\xff\xfe-not-utf8.txt"
    Path(os.fsdecode(bad_name)).write_bytes("潞城区召开重点项目推进会。\n".encode())
    locked = src / "locked.txt"
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the file unreadable for the test
        real_open = Path.open

        def guarded_open(self, *args, **kwargs):
            if self == locked:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", guarded_open)
    try:
        rc, _out, err = _build(capsys, src, tmp_path / "out")
    finally:
        locked.chmod(0o644)
    assert rc == 0, err
    assert "locked.txt" in err and "permission denied" in err
    assert "dangling.txt" in err and "broken symbolic link" in err
    assert "picture.png" in err and "table.xls" in err and "save it as .xlsx" in err
    graphs = document_graphs(tmp_path / "out" / "graph.trig")
    assert len(graphs) == 3  # good, nested/other and the file with the odd name


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable folders")
def test_unreadable_subfolder_is_reported(tmp_path, capsys):
    src = tmp_path / "docs"
    _write(src, "good.txt", CLEAN)
    _write(src, "secret/x.txt", OTHER)
    (src / "secret").chmod(0)
    try:
        rc, _out, err = _build(capsys, src, tmp_path / "out")
    finally:
        (src / "secret").chmod(0o755)
    assert rc == 0 and "secret" in err
    assert len(document_graphs(tmp_path / "out" / "graph.trig")) == 1


@pytest.mark.parametrize("sidecar", ['{"title": "broken', '["a", "list"]', '"just text"', "null"])
def test_bad_metadata_sidecar_is_reported_and_others_built(tmp_path, capsys, sidecar):
    src = tmp_path / "docs"
    _write(src, "a.txt", CLEAN)
    _write(src, "a.txt.meta.json", sidecar)
    _write(src, "b.txt", OTHER)
    rc, _out, err = _build(capsys, src, tmp_path / "out")
    assert rc == 0, err
    assert "a.txt.meta.json" in err and "internal error" not in err
    assert len(document_graphs(tmp_path / "out" / "graph.trig")) == 1


# --- 10. interrupted builds ------------------------------------------------------------

_CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    src, out, marker, phase = sys.argv[1:5]
    import kg.store
    from kg.pipeline import build_graph

    def hang():
        Path(marker).write_text("ready")
        time.sleep(120)

    if phase == "write":          # killed while the output files are being written
        real = kg.store._stage
        def slow_stage(p, data):
            staged = real(p, data)
            hang()
            return staged
        kg.store._stage = slow_stage
        build_graph(src, out, validate=True)
    else:                         # killed while documents are being extracted
        def progress(i, n, path):
            if i == 1:
                hang()
        build_graph(src, out, validate=True, progress=progress)
""")


def test_outputs_get_ordinary_file_modes_not_private_temporaries(tmp_path):
    from kg.store import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.ttl", b"")
        (tmp_path / "kept.ttl").write_bytes(b"")
        (tmp_path / "kept.ttl").chmod(0o640)
        atomic_write(tmp_path / "kept.ttl", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "new.ttl").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "kept.ttl").stat().st_mode & 0o777 == 0o640


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["extract", "write"])
def test_killed_build_leaves_previous_output_intact_and_rerun_completes(tmp_path, phase):
    from kg.pipeline import build_graph

    src, out = tmp_path / "docs", tmp_path / "out"
    _write(src, "a.txt", CLEAN)
    first = build_graph(src, out)
    assert first.documents
    before = _snapshot(out)
    assert set(before) == {"graph.trig", "graph.ttl", "shacl-report.ttl"}
    _write(src, "b.txt", OTHER)
    _write(src, "c.txt", "潞城区召开重点项目推进会。\n")
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(src), str(out), str(marker), phase],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.communicate()[1].decode()
            assert time.monotonic() < deadline, "the child build never reached the kill point"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    after_kill = _snapshot(out)
    for name, data in before.items():
        assert after_kill[name] == data, f"{name} changed by the killed build"
    quads(out / "graph.trig", "trig")
    if phase == "write":
        assert any(n.endswith(".tmp") for n in after_kill), "the kill point was not mid-write"
    # a re-run completes, includes the new documents and tidies what the kill left
    report = build_graph(src, out)
    assert len(report.documents) == 3
    assert len(document_graphs(out / "graph.trig")) == 3
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


_TERM_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import kg.pipeline as P
    src, out, marker = sys.argv[1:4]
    real = P._entities_parts

    def hang(*args, **kwargs):  # the build's store stage, its working folder made
        Path(marker).write_text("ready")
        time.sleep(120)
        return real(*args, **kwargs)

    P._entities_parts = hang
    from kg.cli import main
    sys.exit(main(["build", src, "-o", out, "--store", f"oxigraph:{out}/store", "-q"]))
""")


@pytest.mark.slow
def test_a_terminated_build_removes_its_working_files_and_keeps_the_last_build(tmp_path):
    """SIGTERM ends kg build as Ctrl-C does (exit 143): no working folder (a store of
    gigabytes at scale) or staged file is left, and the last build's outputs and store are
    as they were."""
    import pyoxigraph as ox

    from kg.errors import EXIT_TERMINATED
    from kg.pipeline import build_graph

    src, out = tmp_path / "docs", tmp_path / "out"
    _write(src, "a.txt", CLEAN)
    build_graph(src, out, validate=False, store=f"oxigraph:{out}/store")
    before = _snapshot(out)
    st = ox.Store.read_only(str(out / "store"))
    quads_before = len(st)
    del st
    _write(src, "b.txt", OTHER)
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", _TERM_CHILD, str(src), str(out), str(marker)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.communicate()[1].decode()
            assert time.monotonic() < deadline, "the child build never reached its store stage"
            time.sleep(0.05)
        assert [p.name for p in out.iterdir() if p.name.startswith(".build.")]
        child.send_signal(signal.SIGTERM)
        _stdout, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == EXIT_TERMINATED, stderr.decode()
    assert "terminated" in stderr.decode()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".build.") or p.name.endswith(".tmp")]
    assert _snapshot(out) == before
    st = ox.Store.read_only(str(out / "store"))
    assert len(st) == quads_before
    del st


def test_kg_build_puts_the_sigterm_handler_back(tmp_path):
    """kg.cli.main may run inside a longer-lived process (a notebook): once the build is
    done, SIGTERM does what it did before."""
    from kg.cli import main

    src = tmp_path / "docs"
    _write(src, "a.txt", CLEAN)
    before = signal.getsignal(signal.SIGTERM)
    assert main(["build", str(src), "-o", str(tmp_path / "out"), "-q", "--no-validate"]) == 0
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_build_removes_the_working_folders_of_killed_builds_only(tmp_path):
    """A killed build (SIGKILL) cannot clean up: the next build in that place removes its
    working folder, known by an owner file naming a process of this host that has ended;
    a running build's, another host's and a folder without owner stay."""
    import socket

    from kg.pipeline import build_graph

    src, out = tmp_path / "docs", tmp_path / "out"
    _write(src, "a.txt", CLEAN)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead, host = int(ended.stdout), socket.gethostname()
    for name, owner in [("killed", f"{host} {dead}\n"), ("running", f"{host} {os.getppid()}\n"),
                        ("elsewhere", f"another-host {dead}\n"), ("unknown", None)]:
        folder = out / f".build.{name}"
        (folder / "store").mkdir(parents=True)
        if owner is not None:
            (folder / "owner").write_text(owner, encoding="utf-8")
    build_graph(src, out, validate=False, store=f"oxigraph:{out}/store")
    left = sorted(p.name for p in out.iterdir() if p.name.startswith(".build."))
    assert left == [".build.elsewhere", ".build.running", ".build.unknown"]


def test_failed_store_load_leaves_the_previous_oxigraph_store_whole(tmp_path, monkeypatch):
    import pyoxigraph as ox

    from kg.pipeline import build_graph

    src, store = tmp_path / "docs", tmp_path / "store"
    _write(src, "a.txt", CLEAN)
    build_graph(src, tmp_path / "out", validate=False, store=f"oxigraph:{store}")

    def count() -> int:
        st = ox.Store.read_only(str(store))
        n = len(list(st.quads_for_pattern(None, None, None, None)))
        del st
        return n

    before = count()
    assert before > 0
    _write(src, "b.txt", OTHER)

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C while the store loads

    monkeypatch.setattr(ox.Store, "bulk_load", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_graph(src, tmp_path / "out", validate=False, store=f"oxigraph:{store}")
    monkeypatch.undo()
    assert count() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".store.")]
    build_graph(src, tmp_path / "out", validate=False, store=f"oxigraph:{store}")
    assert count() > before
