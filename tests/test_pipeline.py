"""The pipeline end to end: the bundled corpus builds, conforms, and builds deterministically."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.pipeline import build_graph, extract_file, resolved_to_json

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
SEED = CORPUS / "000_e439af9d8f037c90.txt"
GOOD = "山西某某新材料科技有限公司在长治高新区建设年产5万吨负极材料项目，总投资12亿元，已开工建设。\n"
BRIEF = "# 简报\n\n平鲁经济技术开发区新签约项目12个，总投资30亿元。\n"  # a third document: a zone's new projects


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-out")
    report = build_graph(CORPUS, out)
    return report, out


def test_seed_builds_and_conforms(seed_build):
    report, out = seed_build
    assert report.problems == []
    assert len(report.documents) == 1
    assert report.conforms is True
    for name in ("graph.trig", "graph.ttl", "shacl-report.ttl"):
        assert (out / name).stat().st_size > 0


def test_build_validation_of_nquads_equals_that_of_the_dataset(seed_build):
    """A build validates its N-Quads as one union graph: the findings are those
    kg.validate gives on the dataset, violations included (a quantity left without its
    value, a company without a name, a blank node shared between graphs)."""
    from kg.pipeline import _validate
    from kg.validate import validate_graph

    _, out = seed_build
    st = ox.Store()
    st.bulk_load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    text = ox.serialize(st, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    lines = text.splitlines(keepends=True)
    doc = next(line.rsplit(" ", 2)[1] for line in lines if "/doc/" in line.rsplit(" ", 2)[1])
    qty = next(line.split(" ", 1)[0] for line in lines if "schema.org/value>" in line)
    text = "".join(line for line in lines if not (line.startswith(qty) and "schema.org/value>" in line))
    text += (f"<https://w3id.org/chainkg/id/company/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
             f"<https://w3id.org/chainkg/ontology#Company> {doc} .\n"
             f"_:b1 <https://w3id.org/chainkg/ontology#p> \"一\" {doc} .\n"
             f"_:b1 <https://w3id.org/chainkg/ontology#q> \"二\" <https://w3id.org/chainkg/graph/analysis> .\n")
    mine, _secs = _validate(text)
    ds = Dataset()
    ds.parse(data=text, format="nquads")
    theirs = validate_graph(ds)
    assert not mine.conforms and mine.results == theirs.results
    focus = {r["focus"] for r in mine.results}
    assert "https://w3id.org/chainkg/id/company/x" in focus and qty.strip("<>") in focus


def test_shacl_prepared_apart_reports_what_the_whole_text_does(seed_build):
    """An update's SHACL child parses the vocabulary graphs before the sample exists
    (_shacl_prepare) and the sample after (_shacl_finish): the findings are those of
    validating both at once, a violation that needs the vocabularies to be seen
    included (a product whose link is no chain link)."""
    from kg.pipeline import _shacl_finish, _shacl_prepare, _validate

    _, out = seed_build
    st = ox.Store()
    st.bulk_load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    lines = ox.serialize(st, format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines(keepends=True)
    vocab_graphs = ("<https://w3id.org/chainkg/graph/ontology> .\n",
                    "<https://w3id.org/chainkg/graph/chains> .\n")
    vocab = ["".join(x for x in lines if x.endswith(g)) for g in vocab_graphs]
    rest = "".join(x for x in lines if not x.endswith(vocab_graphs))
    assert all(vocab) and rest
    kg_ = "https://w3id.org/chainkg/ontology#"
    stage = next(x.split(" ", 1)[0] for x in lines if x.endswith(vocab_graphs[1])
                 and f"<{kg_}stage>" in x)  # a chain link of the chains graph
    doc = next(x.rsplit(" ", 2)[1] for x in lines if "/doc/" in x.rsplit(" ", 2)[1])
    product = "<https://w3id.org/chainkg/id/product/x>"
    ok = (f"{product} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{kg_}Product> {doc} .\n"
          f'{product} <http://www.w3.org/2000/01/rdf-schema#label> "甲乙"@zh {doc} .\n'
          f"{product} <{kg_}atLink> {stage} {doc} .\n")
    bad = ok.replace(f"<{kg_}atLink> {stage}", f"<{kg_}atLink> {product}")
    for extra, conforms in ((ok, True), (bad, False)):
        whole, _s = _validate("".join(vocab) + rest + extra)
        apart, _s = _shacl_finish(_shacl_prepare(vocab), rest + extra)
        assert whole.conforms is conforms and apart.conforms is conforms
        assert apart.results == whole.results
    assert any(r["focus"].endswith("/product/x") for r in apart.results)


def _fed_prepare(arg):
    return (arg, os.getpid())


def _fed_fail(arg):
    raise ValueError(arg)


def _fed_finish(prepared, more):
    return (*prepared, more, os.getpid())


def test_fed_fork_prepares_beside_and_finishes_with_what_it_is_fed():
    """The forked child of _FedFork runs prepare(arg) at once, then finish with what the
    parent feeds it later; cancelled, it ends without finishing (and nothing hangs)."""
    from kg.pipeline import _FedFork

    fork = _FedFork.start(_fed_prepare, _fed_finish, "甲")
    if fork is None:
        pytest.skip("no fork on this platform")
    fork.feed(["乙"])
    arg, pid, more, pid2 = fork.wait()
    assert (arg, more) == ("甲", ["乙"]) and pid == pid2 != os.getpid()
    fork = _FedFork.start(_fed_prepare, _fed_finish, "甲")
    fork.cancel()
    assert fork.wait() is None
    # a child that failed is cancelled without raising (the caller has its own error);
    # fed, its error is the caller's
    fork = _FedFork.start(_fed_fail, _fed_finish, "甲")
    fork.cancel()
    fork = _FedFork.start(_fed_fail, _fed_finish, "甲")
    fork.feed("乙")
    with pytest.raises(ValueError, match="甲"):
        fork.wait()


def test_outputs_parse_with_rdflib_and_pyoxigraph(seed_build):
    _, out = seed_build
    ds = Dataset()
    ds.parse(out / "graph.trig", format="trig")
    union = Graph().parse(out / "graph.ttl", format="turtle")
    assert len(union) > 0
    n_quads = sum(1 for _ in ox.parse(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG))
    n_triples = sum(1 for _ in ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE))
    assert n_quads >= n_triples == len(union)
    doc_graphs = [c for c in ds.graphs() if "/doc/" in str(c.identifier)]
    assert len(doc_graphs) == 1


def _copy_corpus(dst: Path, names: list[str]) -> Path:
    dst.mkdir()
    texts = {
        "a.txt": SEED.read_text(encoding="utf-8"),
        "b.txt": GOOD,
        "c.md": BRIEF,
        "d.txt": "某某园区年产5万吨负极材料项目已开工建设。\n",  # no amount of money
    }
    for i, name in enumerate(names):
        (dst / f"{i}-{name}").write_text(texts[name], encoding="utf-8")
    return dst


def test_build_is_deterministic_in_any_file_order(tmp_path):
    a = _copy_corpus(tmp_path / "one", ["a.txt", "b.txt", "c.md"])
    b = _copy_corpus(tmp_path / "two", ["c.md", "b.txt", "a.txt"])
    build_graph(a, tmp_path / "out1", validate=False)
    build_graph(b, tmp_path / "out2", validate=False)
    g1 = Graph().parse(tmp_path / "out1" / "graph.ttl")
    g2 = Graph().parse(tmp_path / "out2" / "graph.ttl")
    # Same IRIs for everything except the document's source file name
    iris1 = {str(t) for trip in g1 for t in trip if str(t).startswith("https://w3id.org/chainkg/")}
    iris2 = {str(t) for trip in g2 for t in trip if str(t).startswith("https://w3id.org/chainkg/")}
    assert iris1 == iris2
    strip = "http://purl.org/dc/terms/source"
    g1.remove((None, __import__("rdflib").URIRef(strip), None))
    g2.remove((None, __import__("rdflib").URIRef(strip), None))
    assert isomorphic(g1, g2)


def test_bad_documents_are_reported_and_the_rest_is_built(tmp_path):
    src = tmp_path / "docs"
    src.mkdir()
    (src / "good.txt").write_text(GOOD, encoding="utf-8")
    (src / "gbk.txt").write_bytes(GOOD.replace("负极", "正极").encode("gbk"))
    (src / "bom.txt").write_bytes(b"\xef\xbb\xbf" + GOOD.replace("负极", "隔膜").encode("utf-8"))
    (src / "empty.txt").write_bytes(b"")
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    report = build_graph(src, tmp_path / "out")
    problems = dict(report.problems)
    assert set(map(lambda p: Path(p).name, problems)) == {"empty.txt", "image.txt"}
    assert "PNG" in problems[str(src / "image.txt")]
    assert len(report.documents) == 3


def test_cli_build_exit_codes(tmp_path, capsys):
    src = tmp_path / "docs"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    assert main(["build", str(src), "-o", str(tmp_path / "o"), "-q"]) == 2
    assert "empty.txt" in capsys.readouterr().err
    (src / "good.txt").write_text(GOOD, encoding="utf-8")
    assert main(["build", str(src), "-o", str(tmp_path / "o"), "-q"]) == 0
    assert main(["build", str(src), "-o", str(tmp_path / "o2"), "-q", "--strict"]) == 2


def test_cli_validate_exit_codes(seed_build, tmp_path):
    _, out = seed_build
    assert main(["validate", str(out / "graph.trig")]) == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix kg: <https://w3id.org/chainkg/ontology#> .\n"
                   "<https://w3id.org/chainkg/id/project/x> a kg:Project ;\n"
                   "  kg:locatedIn <https://w3id.org/chainkg/id/company/y> .\n"
                   "<https://w3id.org/chainkg/id/company/y> a kg:Company .\n", encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    assert main(["validate", str(broken)]) == 2


def test_cli_extract_json_contract(capsys):
    import json

    assert main(["extract", str(SEED), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"document", "entities", "relations", "quantities"}
    assert data["document"]["chars"] > 4000
    text = extract_file(SEED).document.text
    for e in data["entities"]:
        assert e["type"] in {"Company", "DevelopmentZone", "Project", "GovernmentBody", "Person",
                             "Region", "Product", "IndustryChain"}
        assert e["id"].isascii()
        for m in e["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
    for q in data["quantities"]:
        assert text[q["start"]:q["end"]] == q["text"]
        assert isinstance(q["value"], (int, float))


def test_cli_stats(seed_build, capsys):
    _, out = seed_build
    assert main(["stats", str(out / "graph.trig"), "--format", "json"]) == 0
    import json

    s = json.loads(capsys.readouterr().out)
    assert s["documents"] == 1 and s["triples"] > 0


def test_json_is_stable_between_runs():
    assert resolved_to_json(extract_file(SEED)) == resolved_to_json(extract_file(SEED))


def test_missing_input_is_a_clean_error(tmp_path, capsys):
    assert main(["build", str(tmp_path / "nope"), "-o", str(tmp_path / "o"), "-q"]) == 2
    assert "nope" in capsys.readouterr().err
    shutil.rmtree(tmp_path / "o", ignore_errors=True)


def test_parallel_and_incremental_builds_equal_a_full_build(tmp_path):
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    full = tmp_path / "full"
    build_graph(src, full, validate=False)
    par = tmp_path / "par"
    build_graph(src, par, validate=False, workers=2)
    g_full = Graph().parse(full / "graph.ttl")
    assert isomorphic(g_full, Graph().parse(par / "graph.ttl"))

    # incremental: add a document, change nothing else, then delete it again
    inc = tmp_path / "inc"
    build_graph(src, inc, validate=False)
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    rep = build_graph(src, inc, validate=False, update=True)
    assert len(rep.documents) == 3
    full2 = tmp_path / "full2"
    build_graph(src, full2, validate=False)
    assert isomorphic(Graph().parse(inc / "graph.ttl"), Graph().parse(full2 / "graph.ttl"))
    (src / "9-c.md").unlink()
    build_graph(src, inc, validate=False, update=True)
    assert isomorphic(Graph().parse(inc / "graph.ttl"), g_full)
    assert len(list((inc / ".cache" / "extractions").glob("*.pickle"))) == 2


def _build(src: Path, out: Path, **kwargs):
    """A build of ``src`` into ``out`` with its Oxigraph store in ``out/store``, no SHACL."""
    return build_graph(src, out, store=f"oxigraph:{out}/store", validate=False, **kwargs)


def _store_quads(path: Path) -> dict[str, Graph]:
    """Each named graph of an Oxigraph store as an rdflib Graph (for isomorphism checks)."""
    from kg.store_oxigraph import to_rdflib

    st = ox.Store.read_only(str(path))
    graphs: dict[str, Graph] = {}
    for q in st:
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name.value)
        g = graphs.setdefault(name, Graph())
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    del st
    return graphs


def _assert_same_store(a: Path, b: Path) -> None:
    ga, gb = _store_quads(a), _store_quads(b)
    assert sorted(ga) == sorted(gb)
    for name in ga:
        assert isomorphic(ga[name], gb[name]), name


def test_store_is_the_same_for_any_number_of_workers(tmp_path):
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "c.md"])
    for w in (1, 2):
        build_graph(src, tmp_path / f"w{w}", store=f"oxigraph:{tmp_path}/w{w}/store",
                    validate=False, workers=w)
    _assert_same_store(tmp_path / "w1" / "store", tmp_path / "w2" / "store")
    assert isomorphic(Graph().parse(tmp_path / "w1" / "graph.ttl"),
                      Graph().parse(tmp_path / "w2" / "graph.ttl"))


def test_incremental_store_equals_a_full_rebuild(tmp_path):
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc)
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    (src / "0-a.txt").unlink()  # one added, one removed
    rep = _build(src, inc, update=True)
    assert len(rep.documents) == 2
    assert rep.counts["in_place"] == 1  # the store was changed, not rebuilt
    assert rep.counts["remapped"] == 1
    full = tmp_path / "full"
    full_rep = _build(src, full)
    _assert_same_store(inc / "store", full / "store")
    docs = [g for g in _store_quads(inc / "store") if "/doc/" in g]
    assert len(docs) == 2
    # graph.trig (copied with the replaced graphs swapped) and the counts match too
    ga, gb = _trig_graphs(inc / "graph.trig"), _trig_graphs(full / "graph.trig")
    assert sorted(ga) == sorted(gb)
    for name in ga:
        assert isomorphic(ga[name], gb[name]), name
    assert {k: v for k, v in rep.counts.items() if k not in ("in_place", "remapped")} == \
        {k: v for k, v in full_rep.counts.items() if k != "remapped"}

    # and a second update that changes nothing keeps it so
    again = _build(src, inc, update=True)
    assert again.counts["in_place"] == 1 and again.counts["remapped"] == 0
    _assert_same_store(inc / "store", full / "store")


def _assert_same_build(inc: Path, full: Path, inc_rep, full_rep) -> None:
    """An updated build equals a full one: store graph by graph, graph.trig, counts."""
    _assert_same_store(inc / "store", full / "store")
    ga, gb = _trig_graphs(inc / "graph.trig"), _trig_graphs(full / "graph.trig")
    assert sorted(ga) == sorted(gb)
    for name in ga:
        assert isomorphic(ga[name], gb[name]), name
    drop = ("in_place", "remapped")
    assert {k: v for k, v in inc_rep.counts.items() if k not in drop} == \
        {k: v for k, v in full_rep.counts.items() if k not in drop}


def _derived_value(store: Path, prop: str) -> set[str]:
    st = ox.Store.read_only(str(store))
    kg = "https://w3id.org/chainkg/ontology#"
    out = {q.object.value for q in st.quads_for_pattern(
        None, ox.NamedNode(kg + prop), None, ox.NamedNode("https://w3id.org/chainkg/graph/derived"))}
    del st
    return out


def test_update_of_a_changed_figure_recomputes_what_is_derived_from_it(tmp_path):
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "c.md"])
    inc = tmp_path / "inc"
    _build(src, inc)
    assert "1200000000" in _derived_value(inc / "store", "maxInvestment")
    # the same project, a new figure and a later stage
    (src / "1-b.txt").write_text(GOOD.replace("12亿元", "15亿元").replace("已开工建设", "已竣工投产"),
                                 encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert rep.counts["in_place"] == 1 and rep.counts["remapped"] == 1
    values = _derived_value(inc / "store", "maxInvestment")
    assert "1500000000" in values and "1200000000" not in values
    full = tmp_path / "full"
    full_rep = _build(src, full)
    _assert_same_build(inc, full, rep, full_rep)
    # the analysis graph, replaced by difference, has no node of the old figure or stage
    ga = _trig_graphs(inc / "graph.trig")["https://w3id.org/chainkg/graph/analysis"]
    assert not [n for n in ga.all_nodes() if getattr(n, "n3", None) and n.n3().startswith("_:")]


def _clear_vocabulary_caches() -> None:
    """Forget what kg's modules cached of the ontology folder (they read it once)."""
    import sys

    for name, mod in list(sys.modules.items()):
        if name == "kg" or name.startswith("kg."):
            for obj in list(vars(mod).values()):
                if callable(getattr(type(obj), "cache_clear", None)):
                    obj.cache_clear()


def test_update_after_an_ontology_change_derives_everything_again(tmp_path, monkeypatch):
    import re
    import shutil

    from kg.resources import ontology_dir

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc)
    stage = _derived_value(inc / "store", "latestStageName")
    assert stage
    # every stage now ranks below 谋划 (planning): the latest stage of each project changes
    onto = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), onto)
    status = onto / "status.ttl"
    text = status.read_text(encoding="utf-8")
    reordered = re.sub(r"kg:stageOrder (\d+)", r"kg:stageOrder -\1", text)
    assert reordered != text
    status.write_text(reordered, encoding="utf-8")
    monkeypatch.setenv("CHAINKG_ONTOLOGY", str(onto))
    _clear_vocabulary_caches()
    try:
        rep = _build(src, inc, update=True)
        assert rep.counts["in_place"] == 1 and rep.counts["remapped"] == 0
        st = ox.Store.read_only(str(inc / "store"))
        orders = {int(q.object.value) for q in st.quads_for_pattern(
            None, ox.NamedNode("https://w3id.org/chainkg/ontology#stageOrder"), None,
            ox.NamedNode("https://w3id.org/chainkg/graph/ontology"))}
        del st
        assert orders and max(orders) < 0  # the store has the new vocabulary
        full = tmp_path / "full"
        full_rep = _build(src, full)
        _assert_same_build(inc, full, rep, full_rep)
    finally:
        monkeypatch.delenv("CHAINKG_ONTOLOGY")
        _clear_vocabulary_caches()


def _money_not_read(tmp_path: Path, monkeypatch) -> None:
    """Extraction with a lexicon copy in which 元 amounts are no longer money."""
    import re

    from kg.resources import lexicon_dir

    lex = tmp_path / "lexicon"
    shutil.copytree(lexicon_dir(), lex)
    units = lex / "units.tsv"
    text = units.read_text(encoding="utf-8")
    changed = re.sub(r"^元\t1\tCNY\tmoney", "元\t1\tCNY\tignore", text, count=1, flags=re.M)
    assert changed != text
    units.write_text(changed, encoding="utf-8")
    monkeypatch.setenv("CHAINKG_LEXICON", str(lex))
    _clear_vocabulary_caches()


def _count_reads(monkeypatch) -> list[str]:
    import kg.ingest

    read: list[str] = []
    real = kg.ingest.ingest_file

    def counting(path, *args, **kwargs):
        read.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(kg.ingest, "ingest_file", counting)
    return read


def test_an_update_after_an_extraction_vocabulary_change_maps_what_changed_again(
        tmp_path, monkeypatch, capsys):
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "d.txt"])
    out = tmp_path / "out"
    _build(src, out)
    before = _trig_graphs(out / "graph.trig")
    # the extractions are cached by the documents' text: a changed lexicon must not be
    # answered with what the old one made of them (元 amounts no longer read as money:
    # two of the three documents state one)
    _money_not_read(tmp_path, monkeypatch)
    read = _count_reads(monkeypatch)
    try:
        rep = _build(src, out, update=True)
        assert sorted(read) == sorted(p.name for p in src.iterdir())
        assert rep.counts["in_place"] == 1 and rep.counts["remapped"] == 2
        assert any("2 of 3 changed" in n for n in rep.notes)
        full = tmp_path / "full"
        full_rep = _build(src, full)
        _assert_same_build(out, full, rep, full_rep)
        after = _trig_graphs(out / "graph.trig")
        assert any(not isomorphic(after[g], before[g]) for g in before)
        # with nothing changed since, an update reads nothing again and says nothing
        read.clear()
        rep = _build(src, out, update=True)
        assert read == [] and rep.notes == [] and rep.counts.get("in_place") == 1
    finally:
        monkeypatch.delenv("CHAINKG_LEXICON")
        _clear_vocabulary_caches()
    # back to the bundled lexicon: the command line says so, and the graph is the first one
    store = f"oxigraph:{out}/store"
    assert main(["build", str(src), "-o", str(out), "--store", store, "--no-validate", "-q", "-u"]) == 0
    assert "kg: note:" in capsys.readouterr().err
    after = _trig_graphs(out / "graph.trig")
    assert sorted(after) == sorted(before)
    assert all(isomorphic(after[g], before[g]) for g in before)


def test_an_update_after_an_unfinished_extraction_change_maps_what_changed_again(
        tmp_path, monkeypatch):
    import kg.pipeline

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "d.txt"])
    out = tmp_path / "out"
    _build(src, out)
    _money_not_read(tmp_path, monkeypatch)
    try:
        # stopped once every document is extracted again, before anything is mapped: the
        # next update must still map the changed ones again (their new extractions are in
        # the cache by then, as if nothing had changed)
        def stop(*args, **kwargs):
            raise KeyboardInterrupt

        with monkeypatch.context() as m:
            m.setattr(kg.pipeline, "_map_and_store", stop)
            with pytest.raises(KeyboardInterrupt):
                _build(src, out, update=True)
        rep = _build(src, out, update=True)
        assert rep.counts["in_place"] == 1 and rep.counts["remapped"] == 2
        full = tmp_path / "full"
        _assert_same_build(out, full, rep, _build(src, full))
    finally:
        monkeypatch.delenv("CHAINKG_LEXICON")
        _clear_vocabulary_caches()


def test_the_extraction_key_covers_every_module_extraction_runs():
    """The extraction cache's key is taken over a list of modules: it must hold all that an
    extraction loads (kg.pipeline only lends the disk cache its code-shape helper)."""
    import subprocess
    import sys

    from kg.pipeline import _extraction_inputs

    probe = ("import sys\n"
             "from kg.ingest import ingest_text\n"
             "from kg.extract import extract_document\n"
             f"extract_document(ingest_text({GOOD!r} + '2024年3月签约，计划2025年建成投产。'))\n"
             "print('\\n'.join(m.__file__ for n, m in sys.modules.items()\n"
             "                 if n.startswith('kg.') and getattr(m, '__file__', None)))\n")
    # (with the disk cache off, as on a first run: what the cache spares, such as parsing the
    # vocabularies with kg.ns, is loaded too)
    env = {**os.environ, "CHAINKG_CACHE_DIR": "off"}
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, cwd=ROOT, env=env).stdout.split()
    keyed = {Path(f).resolve() for f in _extraction_inputs()[0]}
    assert len(loaded) > 10
    missing = {Path(f).resolve() for f in loaded} - keyed - {ROOT / "kg" / "pipeline.py"}
    assert not missing


def test_an_update_after_a_failed_full_build_checks_every_extraction(tmp_path):
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    (src / "8-empty.txt").write_bytes(b"")
    with pytest.raises(Exception, match="8-empty.txt"):
        _build(src, out, strict=True)
    (src / "8-empty.txt").unlink()
    rep = _build(src, out, update=True)
    assert any("0 of 2 changed" in n for n in rep.notes) and rep.counts["remapped"] == 0
    full = tmp_path / "full"
    _assert_same_build(out, full, rep, _build(src, full))


def _assert_update_rebuilds(src: Path, out: Path, full: Path) -> None:
    """A document added, the update of ``out`` rebuilds in full and equals a full build."""
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    rep = _build(src, out, update=True)
    assert "in_place" not in rep.counts
    full_rep = _build(src, full)
    _assert_same_build(out, full, rep, full_rep)


def test_a_build_record_without_the_corpus_graphs_it_names_is_rebuilt(tmp_path):
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    kept = sorted((out / ".cache" / "corpus").glob("*.nq"))
    # the small corpus graphs are kept as text (entities and analysis by key, in the state)
    assert {p.stem for p in kept} == {"ontology", "chains", "regions"}
    # a kept graph that is not what the build wrote (a torn write, an edit) is not trusted
    kept[0].write_text(kept[0].read_text(encoding="utf-8")[:-100], encoding="utf-8")
    _assert_update_rebuilds(src, out, tmp_path / "full")


@pytest.mark.parametrize("damage", ["garbage", "other-fingerprint", "missing"])
def test_an_update_without_a_usable_corpus_state_rebuilds_in_full(tmp_path, damage):
    import sqlite3

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    state = out / ".cache" / "state.sqlite"
    assert state.is_file()
    if damage == "garbage":
        state.write_bytes(b"not a database" * 100)
    elif damage == "missing":
        state.unlink()
    else:
        with sqlite3.connect(state) as db:
            db.execute("UPDATE meta SET v = 'made by other code' WHERE k = 'fingerprint'")
    _assert_update_rebuilds(src, out, tmp_path / "full")
    # the rebuild wrote a state again: the next update is in place
    (src / "9-c.md").unlink()
    assert _build(src, out, update=True).counts.get("in_place") == 1


def _trig_graphs(path: Path) -> dict[str, Graph]:
    ds = Dataset()
    ds.parse(path, format="trig")
    return {str(c.identifier): Graph() + c for c in ds.graphs() if len(c)}


def test_update_reads_only_new_and_changed_files(tmp_path, monkeypatch):
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    build_graph(src, out, validate=False)
    read = _count_reads(monkeypatch)
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    rep = build_graph(src, out, validate=False, update=True)
    assert set(read) == {"9-c.md"} and len(rep.documents) == 3
    read.clear()
    (src / "1-b.txt").write_text(GOOD.replace("12亿元", "15亿元"), encoding="utf-8")
    build_graph(src, out, validate=False, update=True)
    assert set(read) == {"1-b.txt"}
    full = tmp_path / "full"
    build_graph(src, full, validate=False)
    assert isomorphic(Graph().parse(out / "graph.ttl"), Graph().parse(full / "graph.ttl"))
    assert "15亿元" in (out / "graph.trig").read_text(encoding="utf-8")


def test_a_store_without_a_build_record_is_rebuilt_not_patched(tmp_path):
    src = _copy_corpus(tmp_path / "docs", ["b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    (out / ".cache" / "build.json").unlink()  # as after an interrupted update
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    rep = _build(src, out, update=True)
    assert "in_place" not in rep.counts
    full = tmp_path / "full"
    _build(src, full)
    _assert_same_store(out / "store", full / "store")


def test_document_nquads_is_the_mapped_graph():
    from kg.mapping import document_nquads, map_document

    resolved = extract_file(SEED)
    ds = Dataset()
    ds.parse(data=document_nquads(resolved), format="nquads")
    g = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    assert len(g) > 100
    assert isomorphic(g, map_document(resolved))


def test_cli_start_up_does_not_import_the_extraction_stack():
    import subprocess
    import sys

    code = ("import sys, kg.cli, kg.cli.query\n"
            "heavy = [m for m in ('kg.extract', 'kg.pipeline', 'kg.regions', 'kg.lexicon', 'jieba',"
            " 'pyshacl') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_update_maps_only_new_documents_and_those_whose_names_changed(tmp_path, monkeypatch):
    import kg.pipeline as pl

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    first = _build(src, inc)
    assert first.counts["remapped"] == 2
    assert len(list((inc / ".cache" / "mapped").glob("*.pickle"))) == 2
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert rep.counts["remapped"] == 1  # only the new document
    same = _build(src, inc, update=True)
    assert same.counts["remapped"] == 0

    # A corpus-level canonical name changes (as when a new document names an entity more
    # fully): every document using that name must be mapped again, and the result must
    # equal a full build with the same names.
    real = pl.corpus_names

    def renamed(extractions):
        names = real(extractions)
        key = next(k for k in sorted(names) if k[0] == "Company")
        return {k: (v + "集团" if v == names[key] else v) for k, v in names.items()}

    monkeypatch.setattr(pl, "corpus_names", renamed)
    # without the index of the last build's names the whole corpus is resolved again
    (inc / ".cache" / "mapped.index").unlink()
    rep = _build(src, inc, update=True)
    assert 1 <= rep.counts["remapped"] < 3
    full = tmp_path / "full"
    _build(src, full)
    _assert_same_store(inc / "store", full / "store")
    assert isomorphic(Graph().parse(inc / "graph.ttl"), Graph().parse(full / "graph.ttl"))
    assert "集团" in (inc / "graph.trig").read_text(encoding="utf-8")

    # with it, a document added extends the last build's names; those that change (here a
    # second renaming) send the documents using them through the mapper again
    real_extend = pl._extend_names

    def extend_and_rename(names, added, everything=None):
        changed = real_extend(names, added, everything)
        key = next(k for k in sorted(names) if k[0] == "Company")
        old = names[key]
        for k, v in list(names.items()):
            if v == old:
                names[k] = v + "控股"
                changed.add(k)
        return changed

    monkeypatch.setattr(pl, "_extend_names", extend_and_rename)
    monkeypatch.setattr(pl, "corpus_names", lambda xs: {
        k: (v + "控股" if v == renamed(xs)[next(k2 for k2 in sorted(renamed(xs)) if k2[0] == "Company")] else v)
        for k, v in renamed(xs).items()})
    (src / "8-d.md").write_text(GOOD.replace("12亿元", "13亿元"), encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert rep.counts.get("in_place") == 1 and 2 <= rep.counts["remapped"] < 4
    full2 = tmp_path / "full2"
    _build(src, full2)
    _assert_same_store(inc / "store", full2 / "store")
    assert "控股" in (inc / "graph.trig").read_text(encoding="utf-8")


def test_union_turtle_is_optional_and_a_stale_one_removed(tmp_path):
    src = _copy_corpus(tmp_path / "docs", ["b.txt"])
    out = tmp_path / "out"
    rep = build_graph(src, out, validate=False)
    assert "turtle" in rep.outputs and (out / "graph.ttl").is_file()
    rep = build_graph(src, out, validate=False, union=False)
    assert "turtle" not in rep.outputs
    assert not (out / "graph.ttl").exists()
    assert (out / "graph.trig").stat().st_size > 0
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_union_turtle_written_beside_the_counts_fails_the_build_cleanly(tmp_path, monkeypatch):
    import kg.pipeline

    src = _copy_corpus(tmp_path / "docs", ["b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (src / "c.md").write_text(BRIEF, encoding="utf-8")
    written = []

    def failing(p, write):  # the union writer runs beside the counts, and fails there
        def broken(path):
            written.append(path)
            Path(path).write_bytes(b"@prefix")
            raise OSError(28, "No space left on device")
        return kg.pipeline.__dict__["_real_stage_path_beside"](p, broken)

    monkeypatch.setitem(kg.pipeline.__dict__, "_real_stage_path_beside", kg.pipeline._stage_path_beside)
    monkeypatch.setattr(kg.pipeline, "_stage_path_beside", failing)
    with pytest.raises(OSError, match="No space left"):
        _build(src, out)
    assert written  # it was called, in a full build
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".graph.ttl")]

    # a failure of the build while the union is still being written: the writer is waited
    # for (it reads the store about to be removed) and its file removed
    def slow(p, write):
        def late(path):
            import time

            time.sleep(1.0)
            write(path)
            written.append(path)
        return kg.pipeline.__dict__["_real_stage_path_beside"](p, late)

    def no_counts(st):
        raise RuntimeError("counting failed")

    written.clear()
    monkeypatch.setattr(kg.pipeline, "_stage_path_beside", slow)
    monkeypatch.setattr(kg.pipeline, "_store_stats", no_counts)
    with pytest.raises(RuntimeError, match="counting failed"):
        _build(src, out)
    assert written and not Path(written[0]).exists()
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    monkeypatch.undo()
    rep = _build(src, out)  # and the next build writes it
    assert "turtle" in rep.outputs
    assert len(Graph().parse(out / "graph.ttl", format="turtle")) > 0


def test_the_oxigraph_store_gets_the_materialised_union(tmp_path):
    from kg.store_oxigraph import materialize_union  # noqa: F401  (the query layer's hook)

    src = _copy_corpus(tmp_path / "docs", ["b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    graphs = _store_quads(out / "store")
    assert "" in graphs
    union = Graph()
    for name, g in graphs.items():
        if name:
            for t in g:
                union.add(t)
    assert isomorphic(graphs[""], union)
    # graph.trig holds the named graphs only, not the copy
    ds = Dataset()
    ds.parse(out / "graph.trig", format="trig")
    assert len(ds.default_context) == 0


def test_loads_in_many_batches_give_the_same_store_and_trig(tmp_path, monkeypatch):
    """Batches are bulk-loaded in a background thread while the next ones are written to
    graph.trig: with a batch per document the store and graph.trig equal a one-batch build."""
    import kg.pipeline as pipeline

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "c.md"])
    build_graph(src, tmp_path / "one", store=f"oxigraph:{tmp_path}/one/store", validate=False)
    loads = []
    real = pipeline._StreamLoader._load

    def counted(self, graphs):
        loads.append({g for _text, g in graphs})
        return real(self, graphs)

    # smaller than any document graph: a batch per document, and the corpus graphs
    # without blank nodes (entities, analysis) are loaded a slice at a time
    monkeypatch.setattr(pipeline, "LOAD_BATCH_BYTES", 2_000)
    monkeypatch.setattr(pipeline, "FILE_SLICE_BYTES", 2_000)
    monkeypatch.setattr(pipeline._StreamLoader, "_load", counted)
    build_graph(src, tmp_path / "many", store=f"oxigraph:{tmp_path}/many/store",
                validate=False)
    assert len(loads) >= 6  # ontology, chains, three documents, corpus graphs, analysis
    entities = "https://w3id.org/chainkg/graph/entities"
    assert sum(1 for gs in loads if entities in gs) > 1
    _assert_same_store(tmp_path / "one" / "store", tmp_path / "many" / "store")
    one, many = Dataset(), Dataset()
    one.parse(tmp_path / "one" / "graph.trig", format="trig")
    many.parse(tmp_path / "many" / "graph.trig", format="trig")
    assert sorted(str(c.identifier) for c in one.graphs()) == \
        sorted(str(c.identifier) for c in many.graphs())
    for c in one.graphs():
        assert isomorphic(c, many.graph(c.identifier)), c.identifier


def test_a_failed_load_fails_the_build_and_leaves_no_store(tmp_path, monkeypatch):
    import kg.pipeline as pipeline

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    calls = []
    real = pipeline._StreamLoader._load

    def failing(self, payload):
        calls.append(1)
        if len(calls) == 2:  # a load in the background thread, mid-build
            payload = [("<not n-quads\n", "urn:x:g")]
        return real(self, payload)

    monkeypatch.setattr(pipeline, "LOAD_BATCH_BYTES", 1)
    monkeypatch.setattr(pipeline._StreamLoader, "_load", failing)
    with pytest.raises(SyntaxError):
        build_graph(src, tmp_path / "out", store=f"oxigraph:{tmp_path}/out/store",
                    validate=False)
    assert not (tmp_path / "out" / "store").exists()
    assert not (tmp_path / "out" / "graph.trig").exists()


def test_update_loads_a_cached_mapping_the_build_record_does_not_list(tmp_path):
    # a document whose mapping is in the cache (as after an earlier build that had it) but
    # which is not in the store: its graph is loaded from the cached N-Quads
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    other = tmp_path / "other"
    build_graph(src, other, validate=False)
    for p in (other / ".cache" / "mapped").glob("*.pickle"):
        shutil.copy(p, out / ".cache" / "mapped" / p.name)
    rep = _build(src, out, update=True)
    assert rep.counts["in_place"] == 1 and rep.counts["remapped"] == 0
    full = tmp_path / "full"
    full_rep = _build(src, full)
    _assert_same_build(out, full, rep, full_rep)


def _refuse_kernel_copy(monkeypatch) -> None:
    """As on another file system, or a platform without copy_file_range."""
    import os

    def refuse(*args):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refuse, raising=False)


def test_the_loader_runs_loads_side_by_side_and_the_store_takes_them_all(tmp_path, monkeypatch):
    import threading
    import time

    import kg.pipeline as pipeline

    class Slow:
        """A store whose bulk loads take a while, counting how many run at once."""

        def __init__(self) -> None:
            self.st, self.now, self.most, self.lock = ox.Store(), 0, 0, threading.Lock()

        def bulk_load(self, data, **kw):
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            time.sleep(0.2)
            try:
                self.st.bulk_load(data, **kw)
            finally:
                with self.lock:
                    self.now -= 1

    base = "https://w3id.org/chainkg/doc/"
    docs = [f"<{base}d{i}/s> <http://www.w3.org/2000/01/rdf-schema#label> \"{i}\" <{base}d{i}> .\n"
            for i in range(6)]
    monkeypatch.setattr(pipeline, "LOAD_BATCH_BYTES", 1)  # a load per document
    store = Slow()
    with (tmp_path / "graph.trig").open("wb") as fh:
        loader = pipeline._StreamLoader(store, fh, pipeline._prefixes())
        for nq in docs:
            loader.add(nq)
        loader.flush()
    assert store.most == pipeline.LOAD_THREADS == 2
    assert store.now == 0  # flush returned with every load done
    named = {(q.graph_name.value, q.object.value) for q in store.st
             if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert named == {(f"{base}d{i}", str(i)) for i in range(6)}
    assert len(list(store.st.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 6


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_rewrite_trig_swaps_whole_graph_blocks_only(tmp_path, monkeypatch, kernel_copy):

    from kg.pipeline import _prefixes, _rewrite_trig, _StreamLoader
    from kg.store import _commit_staged

    if not kernel_copy:
        _refuse_kernel_copy(monkeypatch)

    prefixes = _prefixes()
    base = "https://w3id.org/chainkg/doc/"

    def nq(doc: str, text: str) -> str:
        return (f"<{base}{doc}/s> <http://www.w3.org/2000/01/rdf-schema#label> "
                f"{text} <{base}{doc}> .\n")

    trig = tmp_path / "graph.trig"
    with trig.open("wb") as fh:
        loader = _StreamLoader(ox.Store(), fh, prefixes, background=False)
        for doc, text in [("a", '"first {\\n}\\n block"'), ("b", '"b {"'), ("c", '"}"'),
                          ("d", '"last"')]:
            loader.add(nq(doc, text))
        loader.flush()
    staged = _rewrite_trig(trig, {base + "a", base + "c", base + "d"}, [nq("e", '"new"')], prefixes)
    _commit_staged([staged])
    got = {(str(q.graph_name.value), q.object.value)
           for q in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG)}
    assert got == {(base + "b", "b {"), (base + "e", "new")}


@pytest.mark.parametrize("background", [True, False])
def test_rewrite_trig_after_an_early_copy_of_the_documents(tmp_path, background):
    """An update copies the document graphs before it knows which it replaces, and blanks
    those: the file it stages holds the same graphs as one copied in one go, and the block index it
    leaves lets the next update find every block (checked by a second rewrite)."""
    from kg.pipeline import (
        _load_trig_blocks,
        _prefixes,
        _rewrite_trig,
        _save_trig_blocks,
        _StreamLoader,
        _trig_blocks,
        _trig_parts,
        _TrigCopy,
    )
    from kg.store import _commit_staged

    prefixes = _prefixes()
    base = "https://w3id.org/chainkg/doc/"
    g = ox.NamedNode("https://w3id.org/chainkg/graph/derived")
    p = ox.NamedNode("https://w3id.org/chainkg/ontology#maxInvestment")

    def nq(doc: str, text: str) -> str:
        return (f"<{base}{doc}/s> <http://www.w3.org/2000/01/rdf-schema#label> "
                f"{text} <{base}{doc}> .\n")

    def q(i: int) -> ox.Quad:
        return ox.Quad(ox.NamedNode(f"https://w3id.org/chainkg/id/project/p{i}"), p,
                       ox.Literal(str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), g)

    trig = tmp_path / "graph.trig"
    with trig.open("wb") as fh:
        loader = _StreamLoader(ox.Store(), fh, prefixes, background=False)
        for doc in ("a", "b", "c", "d"):
            loader.add(nq(doc, f'"{doc} {{\\n}}"'))
        loader.flush()
        fh.write(_trig_parts([q(i) for i in range(50)], prefixes))

    def graphs() -> set:
        return {(q.graph_name.value, q.object.value)
                for q in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG)}

    before = graphs()
    # a document the update drops only once the early copy has it ("c") is blanked in the
    # copy; the graphs dropped later also include corpus graphs (parts of the derived graph)
    early = _TrigCopy(trig, prefixes, {base + "a"}, background=background)
    blocks: list = []
    staged = _rewrite_trig(trig, {base + "a", base + "c"}, [nq("e", '"e"')], prefixes,
                           {g.value: ([q(3)], [q(70)])}, blocks, early=early)
    _commit_staged([staged])
    text = trig.read_bytes()
    assert b"c {" not in text and b" " * 40 + b"\n" in text  # c's block is spaces now
    assert (blocks[0], blocks[1]) == _trig_blocks(text)  # where each block is
    _save_trig_blocks(trig, blocks)
    want = {x for x in before if x[0] not in (base + "a", base + "c") and x[1] != "3"}
    assert graphs() == want | {(base + "e", "e"), (g.value, "70")}
    assert _load_trig_blocks(trig) is not None  # the index describes the new file
    # the next update reads that index: each of its blocks must be where it says
    again = _TrigCopy(trig, prefixes, {base + "b"}, background=background)
    _commit_staged([_rewrite_trig(trig, {base + "b"}, [], prefixes,
                                  {g.value: ([q(70), q(10)], [])}, blocks, early=again)])
    assert (blocks[0], blocks[1]) == _trig_blocks(trig.read_bytes())
    assert graphs() == {x for x in want if x[0] != base + "b" and x[1] != "10"} | {(base + "e", "e")}
    assert not list(tmp_path.glob(".graph.trig.*"))  # no staged file left behind


def test_an_early_trig_copy_that_fails_leaves_no_staged_file(tmp_path):
    from kg.pipeline import _prefixes, _rewrite_trig, _TrigCopy

    trig = tmp_path / "graph.trig"  # missing: the copy fails in its thread
    early = _TrigCopy(trig, _prefixes(), set(), background=True)
    with pytest.raises(FileNotFoundError):
        _rewrite_trig(trig, set(), [], _prefixes(), early=early)
    assert list(tmp_path.iterdir()) == []
    early.discard()  # again: nothing to do
    assert list(tmp_path.iterdir()) == []


def _parts(trig: Path, one: bool = True) -> dict[tuple[str, int], bytes]:
    """The blocks of the graphs written in parts: (graph, part) -> block text (the blocks
    of a part in file order, joined; with ``one``, a part must have one block, as a build
    writes them)."""
    from kg.pipeline import _PART_MARK, _graph_header, _parted_graphs, _prefixes

    heads = {_graph_header(g, _prefixes()): g for g in _parted_graphs()}
    lines = trig.read_bytes().splitlines(keepends=True)
    out: dict[tuple[str, int], bytes] = {}
    for i, line in enumerate(lines):
        if line in heads:
            assert lines[i + 1].startswith(_PART_MARK), lines[i + 1]
            k = int(lines[i + 1][len(_PART_MARK):])
            end = lines.index(b"}\n", i)
            assert not one or (heads[line], k) not in out  # one block a part
            out[(heads[line], k)] = out.get((heads[line], k), b"") + b"".join(lines[i:end + 1])
    return out


def test_big_corpus_graphs_are_written_in_parts_and_an_update_rewrites_few(tmp_path):
    from kg.pipeline import TRIG_PARTS, _part

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    parts = _parts(out / "graph.trig")
    assert {g.rsplit("/", 1)[1] for g, _k in parts} == {"entities", "analysis", "derived"}
    header = b"".join(line for line in (out / "graph.trig").read_bytes().splitlines(keepends=True)
                      if line.startswith(b"@prefix"))
    for (g, k), block in parts.items():  # each subject is in the block of its part
        for q in ox.parse(header + block, format=ox.RdfFormat.TRIG):
            assert str(q.graph_name.value) == g and _part(str(q.subject)) == k < TRIG_PARTS
    (src / "1-b.txt").write_text(GOOD.replace("12亿元", "15亿元"), encoding="utf-8")
    rep = _build(src, out, update=True)
    assert rep.counts["in_place"] == 1
    after = _parts(out / "graph.trig", one=False)
    changed = {key for key in set(parts) | set(after) if after.get(key) != parts.get(key)}
    # the project's new figure is in its derived part; the parts of everything else in the
    # corpus are copied as they were
    assert any(g.endswith("/derived") and b"1500000000" in after[(g, k)] for g, k in changed)
    assert 0 < len(changed) < len(parts) / 10
    full = tmp_path / "full"
    full_rep = _build(src, full)
    _assert_same_build(out, full, rep, full_rep)
    assert set(_parts(full / "graph.trig")) == set(after)


def test_trig_parts_of_nquads_text_equal_those_of_its_parsed_quads():
    """Big corpus graphs are split into parts from their N-Quads text (no quad objects):
    the bytes must be those the parsed quads give, whatever the lines' order, with blank
    nodes, non-ASCII IRIs and literals holding spaces or quotes."""
    import random

    from kg.pipeline import _prefixes, _trig_parts

    g = "https://w3id.org/chainkg/graph/analysis"
    lines = []
    for i in range(300):
        s = f"<https://w3id.org/chainkg/id/project/项目{i % 97}>" if i % 5 else f"_:b{i % 13}"
        o = (f'"第 {i} 条 \\"说明\\" text"@zh' if i % 3 == 0
             else f"<https://w3id.org/chainkg/id/company/c{i}>" if i % 3 == 1 else f"_:b{i % 7}")
        lines.append(f"{s} <https://w3id.org/chainkg/ontology#p{i % 4}> {o} <{g}> .\n")
    random.Random(3).shuffle(lines)
    text = "".join(lines)
    prefixes = _prefixes()
    parsed = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert _trig_parts(text, prefixes) == _trig_parts(parsed, prefixes)
    # sorted text (as the build writes it): a subject's lines are merged into one range
    srt = "".join(sorted(lines))
    assert _trig_parts(srt, prefixes) == _trig_parts(
        list(ox.parse(srt.encode("utf-8"), format=ox.RdfFormat.N_QUADS)), prefixes)


def _sample_nquads_lines():
    g = "https://w3id.org/chainkg/graph/analysis"
    lines = []
    for i in range(400):
        s = f"<https://w3id.org/chainkg/id/project/项目{i % 97}>"
        o = (f'"第 {i} 条 \\"说明\\" 长治高新区"@zh' if i % 3 == 0
             else f"<https://w3id.org/chainkg/id/company/c{i}>" if i % 3 == 1 else f'"{i}"')
        lines.append(f"{s} <https://w3id.org/chainkg/ontology#p{i % 4}> {o} <{g}> .\n")
    return g, lines


def test_corpus_graph_in_parts_is_read_back_whole_in_slices_and_by_part(tmp_path):
    """The entities and analysis graphs of a build go through a file in part order: read in
    slices of any size (cut inside a multi-byte character or not) the text is the same, its
    parts are those the text gives, and the TriG written from the file equals the TriG of
    the text."""
    import random

    from kg.pipeline import _in_parts, _part, _PartedFile, _prefixes, _trig_parts

    g, lines = _sample_nquads_lines()
    random.Random(5).shuffle(lines)
    text = _in_parts("".join(lines + lines[:50]))  # duplicates go
    assert sorted(text.splitlines()) == sorted(set("".join(lines).splitlines()))
    keys = [(_part(line.split(" ", 1)[0]), line) for line in text.splitlines()]
    assert keys == sorted(keys)  # grouped by part, parts in order, sorted within a part
    assert _in_parts(text) == text

    by_part: dict[int, list] = {}
    for k, line in keys:
        by_part.setdefault(k, []).append(line + "\n")
    pf = _PartedFile.write(tmp_path / "g.nq", g, ((k, "".join(v)) for k, v in sorted(by_part.items())))
    assert pf and not pf.blank and pf.text() == text and "".join(pf.lines()) == text
    assert [(k, t) for k, t in pf.parts()] == [(k, "".join(v)) for k, v in sorted(by_part.items())]
    for size in (1, 7, 100, 1000, 10**6):
        pieces = list(pf.slices(size))
        assert "".join(pieces) == text and all(p.endswith("\n") for p in pieces)
    prefixes = _prefixes()
    from kg.pipeline import _part_block

    assert b"".join(_part_block(k, t, prefixes) for k, t in pf.parts()) == _trig_parts(text, prefixes)
    empty = _PartedFile.write(tmp_path / "e.nq", g, iter(()))
    assert not empty and list(empty.slices(10)) == [] and list(empty.parts()) == []


def test_a_store_graph_written_in_parts_from_a_file_gives_the_trig_of_its_text(tmp_path):
    """The derived graph goes from the store to graph.trig through a file grouped by part:
    the TriG is that of its N-Quads text, blank nodes and non-ASCII IRIs included."""
    from kg.pipeline import _part_block, _PartedFile, _prefixes, _trig_parts

    g, lines = _sample_nquads_lines()
    lines += [f"_:b{i} <https://w3id.org/chainkg/ontology#p> \"{i}\" <{g}> .\n" for i in range(30)]
    st = ox.Store()
    st.bulk_load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    node = ox.NamedNode(g)
    text = ox.serialize(st.quads_for_pattern(None, None, None, node),
                        format=ox.RdfFormat.N_QUADS).decode("utf-8")
    pf = _PartedFile.from_quads(st.quads_for_pattern(None, None, None, node), tmp_path / "d.nq", g)
    assert pf.blank and sorted(pf.text().splitlines()) == sorted(text.splitlines())
    assert [p.name for p in tmp_path.iterdir()] == ["d.nq"]  # the unordered copy is gone
    prefixes = _prefixes()
    assert b"".join(_part_block(k, t, prefixes) for k, t in pf.parts()) == _trig_parts(text, prefixes)


def test_entities_text_is_in_part_order_with_every_name():
    """The entities graph text of many entities: the lines of its triples, in part order."""
    from rdflib import Literal, URIRef

    from kg.mapping import graph_nquads
    from kg.ns import ENTITIES_GRAPH, KG, RDF, SKOS
    from kg.pipeline import _entities_parts, _in_parts

    labels = {f"https://w3id.org/chainkg/id/company/c{i}": ("Company", f"某{i}公司", {f"某{i}", f"某{i}公司"})
              for i in range(300)}
    triples = []
    for iri, (type_, lab, aliases) in labels.items():
        s = URIRef(iri)
        triples += [(s, RDF.type, KG[type_]), (s, SKOS.prefLabel, Literal(lab, lang="zh"))]
        triples += [(s, SKOS.altLabel, Literal(a, lang="zh")) for a in aliases - {lab}]
    ref = graph_nquads(triples, ENTITIES_GRAPH)
    text = "".join(t for _k, t in _entities_parts(labels))
    assert text == _in_parts(ref) != ref  # the same lines, not in plain sorted order
    assert [k for k, _t in _entities_parts(labels)] == sorted({k for k, _t in _entities_parts(labels)})


def test_rewrite_trig_patches_only_the_parts_of_changed_subjects(tmp_path):
    from kg.pipeline import _part, _prefixes, _rewrite_trig, _trig_parts
    from kg.store import _commit_staged

    prefixes = _prefixes()
    g = ox.NamedNode("https://w3id.org/chainkg/graph/derived")
    p = ox.NamedNode("https://w3id.org/chainkg/ontology#maxInvestment")

    def q(i: int, v: int) -> ox.Quad:
        return ox.Quad(ox.NamedNode(f"https://w3id.org/chainkg/id/project/p{i}"), p,
                       ox.Literal(str(v), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), g)

    quads = [q(i, i) for i in range(200)]
    trig = tmp_path / "graph.trig"
    header = "".join(f"@prefix {k}: <{v}> .\n" for k, v in prefixes.items()).encode("utf-8")
    trig.write_bytes(header + _trig_parts(quads, prefixes))
    before = trig.read_bytes()
    gone, added = [q(3, 3), q(7, 7)], [q(3, 30), q(500, 500)]
    _commit_staged([_rewrite_trig(trig, set(), [], prefixes, {g.value: (gone, added)})])
    got = set(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG))
    assert got == (set(quads) - set(gone)) | set(added)
    touched = {_part(str(x.subject)) for x in gone + added}
    # every block of an untouched part is still in the file, byte for byte
    blocks = before[len(header):].split(b"}\n")
    untouched = [b for b in blocks if b and int(b.split(b"\n")[1].split()[-1]) not in touched]
    assert untouched and all(b + b"}\n" in trig.read_bytes() for b in untouched)


def test_compact_corpus_records_give_the_same_analysis(tmp_path):
    """A full build keeps each document's analysis records compressed (quantity rows as
    plain tuples, IRIs unpickled without re-validation); an update makes the analysis of
    each key from the records kept by key (kg.corpus_state). Both must give the same
    analysis graph, conflicts included, from the same records."""
    import pickle
    import zlib

    from rdflib import URIRef

    from kg.corpus_state import CorpusState
    from kg.pipeline import _cached, _CorpusRecords, _in_parts, _map_cache_dir

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "c.md"])
    out = tmp_path / "out"
    _build(src, out)
    mcache = _map_cache_dir(out)
    compact = _CorpusRecords()
    by_key = CorpusState.create(tmp_path / "state.sqlite")
    for doc in sorted(p.stem for p in mcache.glob("*.pickle")):
        _d, _nq, records, ents, codes = _cached(mcache, doc, nquads=False)
        compact.add(records, ents, codes)
        by_key.add(doc, records, ents, codes)
    assert compact.qrows and all(isinstance(c, bytes) for c in compact.qrows)
    items = pickle.loads(zlib.decompress(compact.stage_parts[0]))
    iris = [x for its in items.values() for it in its for x in it if isinstance(x, URIRef)]
    assert iris and all(type(x) is URIRef for x in iris)  # IRIs come back as IRIs
    text, n = compact.analysis()
    _ents, lines, n_by_key = by_key.lines(by_key.all_keys())
    by_key.close()
    assert set(text.splitlines(keepends=True)) == lines and n == n_by_key
    assert _in_parts(text) == text  # kept and written a part at a time
    assert text and n > 0  # the three documents disagree on some figures


def test_mapping_cache_key_ignores_docstrings_and_comments_not_code():
    """An edited docstring or comment must not send every cached document through the
    mapper again; a changed statement must."""
    from kg.pipeline import _code_shape

    base = 'def f(x):\n    """Doc."""\n    return x + 1\n'
    assert _code_shape(base) == _code_shape('def f(x):\n    """Other words."""\n    # note\n\n    return x + 1  # why\n')
    assert _code_shape(base) == _code_shape('def f(x):\n    return x + 1\n')
    assert _code_shape(base) != _code_shape('def f(x):\n    """Doc."""\n    return x + 2\n')
    assert _code_shape(base) != _code_shape('def f(x):\n    """Doc."""\n    return "x + 1"\n')
    # a string that is not the first statement is code, not a docstring
    assert _code_shape('def f():\n    y = 1\n    "a"\n') != _code_shape('def f():\n    y = 1\n    "b"\n')


def test_corpus_state_makes_the_entities_and_analysis_graphs_of_the_build(tmp_path):
    """The state a build keeps for updates, key by key, gives back exactly the entities and
    analysis graphs that build stored, and its number of conflicts."""
    from kg.corpus_state import CorpusState, state_path
    from kg.pipeline import _state_fingerprint

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "c.md"])
    out = tmp_path / "out"
    rep = _build(src, out)
    state = CorpusState.open(state_path(out), _state_fingerprint())
    assert state is not None
    keys = set(state.db.execute("SELECT kind, key FROM rec"))
    ents, analysis, n = state.lines(keys)
    state.close()
    assert n == rep.counts["conflicts"] > 0

    def quads(lines):  # through a store: literals in the store's canonical form
        mem = ox.Store()
        mem.load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        return set(mem)

    st = ox.Store.read_only(str(out / "store"))
    for graph, lines in (("entities", ents), ("analysis", analysis)):
        stored = set(st.quads_for_pattern(
            None, None, None, ox.NamedNode(f"https://w3id.org/chainkg/graph/{graph}")))
        assert stored and quads(lines) == stored, graph
    del st
    assert CorpusState.open(state_path(out), "another fingerprint") is None


def test_update_tells_current_mappings_from_the_index_without_opening_them(tmp_path, monkeypatch):
    import kg.pipeline

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "c.md"])
    out = tmp_path / "out"
    build_graph(src, out, validate=False)
    opened: list = []
    real = kg.pipeline._mapped_is_current

    def counting(path, names, source):
        opened.append(path)
        return real(path, names, source)

    monkeypatch.setattr(kg.pipeline, "_mapped_is_current", counting)
    rep = build_graph(src, out, validate=False, update=True)
    assert rep.counts["remapped"] == 0 and opened == []
    # a torn index is not trusted: every entry is checked in its file, and still current
    index = out / ".cache" / "mapped.index"
    index.write_bytes(index.read_bytes()[:20])
    rep = build_graph(src, out, validate=False, update=True)
    assert rep.counts["remapped"] == 0 and len(opened) == 3
    # after a removal the whole corpus is resolved again: an entry the index does not
    # vouch for is checked in its file
    opened.clear()
    mcache = out / ".cache" / "mapped"
    digests, names, sources = kg.pipeline._load_mapped_index(mcache)
    assert len(digests) == 3 and names and sorted(sources) == sorted(digests)
    doc = sorted(digests)[0]
    kg.pipeline._save_mapped_index(mcache, {**digests, doc: b"other names"}, names, sources)
    removed = sorted(src.iterdir())[-1]
    removed.unlink()
    rep = build_graph(src, out, validate=False, update=True)
    if (mcache / f"{doc}.pickle").is_file():  # (unless it was the removed document's)
        assert mcache / f"{doc}.pickle" in opened


@pytest.mark.parametrize("workers", [1, 2])
def test_update_validates_the_new_document_with_shacl(tmp_path, workers):
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    build_graph(src, out, store=f"oxigraph:{out}/store", workers=workers)
    report = out / "shacl-report.ttl"
    report.unlink()
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    rep = build_graph(src, out, store=f"oxigraph:{out}/store", workers=workers, update=True)
    assert rep.counts["in_place"] == 1
    assert rep.validated_documents == 1 and rep.conforms is True
    assert report.is_file() and rep.outputs["shacl"] == str(report)
    assert "sh:conforms true" in report.read_text(encoding="utf-8")



def _summary(i: int, links):
    from kg.pipeline import _DocSummary

    labels = tuple(sorted({(t, n) for t, ns in links for n in ns}))
    return _DocSummary(f"d{i:03d}", f"/x/{i}.txt", tuple(links), labels)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["Company", "Zone"]),
                                   st.lists(st.sampled_from(["甲", "乙方", "丙丁公司", "丁", "戊己集团", "己",
                                                             "戊己集团有限公司", "庚戊己公司"]),
                                            min_size=1, max_size=3, unique=True)),
                         max_size=3), min_size=1, max_size=6),
       st.integers(min_value=0, max_value=6))
def test_extending_the_name_map_with_added_documents_equals_resolving_them_all(docs, cut):
    from kg.pipeline import _extend_names, corpus_names

    summaries = [_summary(i, [(t, tuple(sorted(ns))) for t, ns in links]) for i, links in enumerate(docs)]
    cut = min(cut, len(summaries))
    before = corpus_names(summaries[:cut])
    names = dict(before)
    changed = _extend_names(names, summaries[cut:], summaries)
    full = corpus_names(summaries)
    assert names == full
    assert changed == {k for k in full.keys() | before.keys() if before.get(k) != full.get(k)}


def test_an_update_changing_much_of_the_corpus_rebuilds_instead(tmp_path, monkeypatch):
    import kg.pipeline

    monkeypatch.setattr(kg.pipeline, "UPDATE_MAX_DOCS", 0)  # only the quarter counts
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "c.md"])
    for i in range(5):
        (src / f"8-d{i}.md").write_text(GOOD.replace("12亿元", f"{20 + i}亿元"), encoding="utf-8")
    out = tmp_path / "out"
    _build(src, out)
    (src / "8-d0.md").unlink()  # one change, 7 documents left (a quarter: 1): in place
    assert _build(src, out, update=True).counts.get("in_place") == 1
    (src / "8-d1.md").unlink()  # one removed and one added of 7: rebuilt
    (src / "8-d9.md").write_text(GOOD.replace("12亿元", "29亿元"), encoding="utf-8")
    rep = _build(src, out, update=True)
    assert "in_place" not in rep.counts
    full = tmp_path / "full"
    _assert_same_build(out, full, rep, _build(src, full))


def test_update_finds_the_blocks_of_graph_trig_without_scanning_it(tmp_path, monkeypatch):
    import mmap
    import os

    import kg.pipeline as pl

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    trig = out / "graph.trig"
    real = pl._trig_blocks
    scans: list = []

    def counting(data):
        if isinstance(data, mmap.mmap):  # the whole file, not a block being appended
            scans.append(len(data))
        return real(data)

    # a full build keeps the blocks it wrote: the first update does not scan the file
    assert pl._load_trig_blocks(trig) == real(trig.read_bytes())
    monkeypatch.setattr(pl, "_trig_blocks", counting)
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    assert _build(src, out, update=True).counts["in_place"] == 1
    assert scans == []
    assert pl._load_trig_blocks(trig) == real(trig.read_bytes())
    (src / "1-b.txt").write_text(GOOD.replace("12亿元", "15亿元"), encoding="utf-8")
    rep = _build(src, out, update=True)
    assert rep.counts["in_place"] == 1 and scans == []
    assert pl._load_trig_blocks(trig) == real(trig.read_bytes())
    full = tmp_path / "full"
    _assert_same_build(out, full, rep, _build(src, full))
    # a graph.trig changed since (here only its time) is not trusted to the kept blocks
    st_ = trig.stat()
    os.utime(trig, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000_000))
    assert pl._load_trig_blocks(trig) is None
    (src / "2-c.md").write_text(BRIEF.replace("12个", "13个"), encoding="utf-8")
    rep = _build(src, out, update=True)
    assert rep.counts["in_place"] == 1 and len(scans) == 1
    _assert_same_build(out, tmp_path / "full2", rep, _build(src, tmp_path / "full2"))


def _assert_union_turtle_is_the_store(out: Path) -> None:
    """``out/graph.ttl`` states each triple of the store's union once, and nothing else."""
    from kg.store_oxigraph import to_rdflib

    in_file = list(ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE))
    assert len(in_file) == len(set(in_file))
    st = ox.Store.read_only(str(out / "store"))
    union = Graph()
    for q in st.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        union.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    assert len(in_file) == len(union)
    assert isomorphic(Graph().parse(out / "graph.ttl", format="turtle"), union)


def test_update_patches_the_union_turtle_and_each_triple_stays_once(tmp_path, monkeypatch):
    import os

    import kg.store_oxigraph as so

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    patched: list = []
    real = so.patch_turtle_dump

    def spy(*args, **kwargs):
        patched.append(real(*args, **kwargs))
        return patched[-1]

    monkeypatch.setattr(so, "patch_turtle_dump", spy)
    steps = [
        lambda: (src / "9-c.md").write_text(BRIEF, encoding="utf-8"),  # a new document
        lambda: (src / "1-b.txt").write_text(GOOD.replace("12亿元", "15亿元"), encoding="utf-8"),
        lambda: (src / "0-a.txt").unlink(),  # a document removed
    ]
    for i, step in enumerate(steps):
        before = (out / "graph.ttl").read_bytes()
        step()
        rep = _build(src, out, update=True)
        assert rep.counts["in_place"] == 1
        assert patched == [True] * (i + 1)
        assert (out / "graph.ttl").read_bytes() != before
        _assert_union_turtle_is_the_store(out)
        full = tmp_path / f"full{i}"
        _build(src, full)
        assert isomorphic(Graph().parse(out / "graph.ttl"), Graph().parse(full / "graph.ttl"))
    # a graph.ttl changed since the build wrote it (here only its time) is written whole
    info = (out / "graph.ttl").stat()
    os.utime(out / "graph.ttl", ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    (src / "2-d.txt").write_text("某某园区年产5万吨负极材料项目已开工建设。\n", encoding="utf-8")
    _build(src, out, update=True)
    assert len(patched) == len(steps)
    _assert_union_turtle_is_the_store(out)
    # and the next update patches the file that one wrote
    (src / "2-d.txt").unlink()
    _build(src, out, update=True)
    assert patched[-1] is True and len(patched) == len(steps) + 1
    _assert_union_turtle_is_the_store(out)


def test_a_kept_store_is_compacted(tmp_path, monkeypatch):
    """Bulk loads leave overlapping RocksDB files that every query look-up reads; the build
    compacts the store it keeps, so compacting it again leaves as many files."""
    import pyoxigraph as ox

    import kg.pipeline as pipeline

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "c.md"])
    monkeypatch.setattr(pipeline, "LOAD_BATCH_BYTES", 2_000)  # a bulk load per document
    report = _build(src, tmp_path / "out")
    assert "compact" in report.timings

    def ssts(path):
        return sorted(p.name for p in path.glob("*.sst"))

    store = tmp_path / "out" / "store"
    ox.Store.read_only(str(store)).backup(str(tmp_path / "again"))
    again = ox.Store(str(tmp_path / "again"))
    again.optimize()
    again.flush()
    del again
    assert len(ssts(tmp_path / "again")) == len(ssts(store))
    assert "compact" not in build_graph(src, tmp_path / "nostore", validate=False).timings


def test_update_extracts_no_unchanged_twin_again_and_keeps_its_source(tmp_path, monkeypatch):
    """Two files with one text make one document graph, sourced from the first file. An
    update that adds another document reads neither twin again (their shared cache entry
    was put right by the build that wrote it) and still equals a full build."""
    import kg.pipeline as pipeline

    src = _copy_corpus(tmp_path / "docs", ["b.txt", "c.md"])
    (src / "9-copy-of-b.txt").write_text(GOOD, encoding="utf-8")
    inc = tmp_path / "inc"
    _build(src, inc)
    (src / "2-new.txt").write_text(GOOD.replace("负极材料", "正极材料").replace("12亿元", "8亿元"),
                                   encoding="utf-8")
    read: list = []
    real = pipeline._extract_one
    monkeypatch.setattr(pipeline, "_extract_one",
                        lambda path, *a, **k: read.append(Path(path).name) or real(path, *a, **k))
    rep = _build(src, inc, update=True)
    assert read == ["2-new.txt"]
    assert any("9-copy-of-b.txt" in p and "same text as" in why for p, why in rep.skipped)
    # the document graph names the first file, in the store and in graph.trig
    named = {str(o) for g in _trig_graphs(inc / "graph.trig").values() for o in g.objects()
             if "b.txt" in str(o)}
    assert any(n.endswith("0-b.txt") for n in named) and not any("copy-of-b" in n for n in named)
    full = tmp_path / "full"
    _assert_same_build(inc, full, rep, _build(src, full))


def test_update_after_the_kept_twin_is_deleted_sources_the_other_file(tmp_path):
    src = _copy_corpus(tmp_path / "docs", ["b.txt", "c.md"])
    (src / "9-copy-of-b.txt").write_text(GOOD, encoding="utf-8")
    inc = tmp_path / "inc"
    _build(src, inc)
    (src / "0-b.txt").unlink()
    rep = _build(src, inc, update=True)
    assert not rep.skipped
    named = {str(o) for g in _trig_graphs(inc / "graph.trig").values() for o in g.objects()
             if "b.txt" in str(o)}
    assert any("copy-of-b" in n for n in named) and not any(n.endswith("0-b.txt") for n in named)
    full = tmp_path / "full"
    _assert_same_build(inc, full, rep, _build(src, full))


def test_shacl_sample_keeps_the_regions_the_sample_names_and_what_they_are_within():
    """The SHACL input of an update or a big build carries of the regions graph only the
    regions the checked nodes name, with every region above them: enough for the shapes
    (a region's kg:locatedIn must be a kg:Region), and a broken one is still reported."""
    from kg.pipeline import _shacl_sample, _validate

    reg = "<https://w3id.org/chainkg/graph/regions>"
    doc = "<https://w3id.org/chainkg/doc/00000001>"
    kg_, rdf = "https://w3id.org/chainkg/ontology#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    label = "<http://www.w3.org/2004/02/skos/core#prefLabel>"

    def region(code: str, name: str, within: str | None) -> str:
        iri = f"<https://w3id.org/chainkg/id/region/{code}>"
        text = (f"{iri} <{rdf}type> <{kg_}Region> {reg} .\n"
                f'{iri} {label} "{name}"@zh {reg} .\n'
                f'{iri} <{kg_}adminCode> "{code}" {reg} .\n')
        if within:
            text += f"{iri} <{kg_}locatedIn> <https://w3id.org/chainkg/id/region/{within}> {reg} .\n"
        return text

    regions = (region("140000", "甲省", None) + region("140400", "乙市", "140000")
               + region("140403", "丙区", "140400") + region("130000", "丁省", None))
    project = "<https://w3id.org/chainkg/id/project/p>"
    sample = (f"{project} <{rdf}type> <{kg_}Project> {doc} .\n"
              f'{project} {label} "某项目"@zh {doc} .\n'
              f"{project} <{kg_}locatedIn> <https://w3id.org/chainkg/id/region/140400> {doc} .\n")
    data = _shacl_sample([sample], [], [], [regions])
    kept = {line.split(" ", 1)[0].rsplit("/", 1)[-1] for line in data.splitlines() if line.endswith(reg + " .")}
    assert kept == {"140400>", "140000>"}  # the named city and its province; not below, not beside
    report, _secs = _validate(data)
    assert report.conforms, report.summary()
    # a region the sample names whose parent is not a region is reported
    broken = regions.replace(f"<{kg_}locatedIn> <https://w3id.org/chainkg/id/region/140000>",
                             f"<{kg_}locatedIn> {project}")
    report, _secs = _validate(_shacl_sample([sample], [], [], [broken]))
    assert not report.conforms and any(r["focus"].endswith("/region/140400") for r in report.results)


def test_update_keeps_the_regions_graph_while_no_new_region_is_named(tmp_path, monkeypatch):
    """The regions graph depends on the documents' region codes only: an update adding a
    document that names no new region keeps the graph the last build wrote, one naming a
    new region adds that region's part, one removing the only document naming a region
    makes it again whole; each equals a full rebuild."""
    import kg.mapping

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc)
    calls: list[int] = []
    real = kg.mapping.map_regions

    def counting(codes):
        calls.append(len(codes))
        return real(codes)

    monkeypatch.setattr(kg.mapping, "map_regions", counting)
    # a figure changed, no place added
    (src / "1-b.txt").write_text(GOOD.replace("12亿元", "13亿元"), encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert rep.counts["in_place"] == 1 and calls == []
    full_rep = _build(src, tmp_path / "full1")
    calls.clear()
    _assert_same_build(inc, tmp_path / "full1", rep, full_rep)
    # a region the corpus did not name before
    (src / "2-new.txt").write_text("# 简报\n\n河北省石家庄市新签约重点项目5个，总投资20亿元。\n",
                                   encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert rep.counts["in_place"] == 1 and len(calls) == 1
    full_rep = _build(src, tmp_path / "full2")
    _assert_same_build(inc, tmp_path / "full2", rep, full_rep)
    regions = _trig_graphs(inc / "graph.trig")["https://w3id.org/chainkg/graph/regions"]
    assert "石家庄市" in {str(o) for o in regions.objects()}
    added = calls[0]
    # the document goes: its regions go with it, the graph is made again from every code
    calls.clear()
    (src / "2-new.txt").unlink()
    rep = _build(src, inc, update=True)
    assert rep.counts["in_place"] == 1 and len(calls) == 1 and calls[0] > added
    full_rep = _build(src, tmp_path / "full3")
    _assert_same_build(inc, tmp_path / "full3", rep, full_rep)
    regions = _trig_graphs(inc / "graph.trig")["https://w3id.org/chainkg/graph/regions"]
    assert "石家庄市" not in {str(o) for o in regions.objects()}


@pytest.mark.parametrize("links", [True, False])
def test_update_replaces_graph_trig_and_leaves_no_second_name(tmp_path, monkeypatch, links):
    """The replaced graph.trig is given a temporary second name before the new one takes
    its place (its blocks are freed in a thread); none is left once the update returns,
    and where no link can be made the update works the same."""
    import os

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc)
    old_inode = os.stat(inc / "graph.trig").st_ino
    if not links:
        def refuse(*args, **kwargs):
            raise OSError(1, "Operation not permitted")

        monkeypatch.setattr(os, "link", refuse)
    (src / "2-c.md").write_text(BRIEF, encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert rep.counts["in_place"] == 1
    assert os.stat(inc / "graph.trig").st_ino != old_inode
    assert not [p.name for p in inc.iterdir() if p.name.startswith(".graph.trig.")]
    full_rep = _build(src, tmp_path / "full")
    _assert_same_build(inc, tmp_path / "full", rep, full_rep)


@pytest.mark.parametrize("spare", [False, True])
def test_an_update_that_fails_half_way_leaves_graph_trig_and_no_staged_copy(tmp_path, monkeypatch, spare):
    """The copy of graph.trig an update starts at once (into a new file, or over the spare
    an earlier update kept) is thrown away when the update fails later; the file stays as
    it was, and the next update equals a full rebuild."""
    import kg.derive
    from kg import pipeline

    monkeypatch.delenv("CHAINKG_SPARE", raising=False)
    if spare:
        monkeypatch.setattr(pipeline, "SPARE_MIN_BYTES", 0)
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc)
    if spare:
        (src / "3-d.txt").write_text(GOOD.replace("负极", "隔膜"), encoding="utf-8")
        _build(src, inc, update=True)
        assert (inc / ".graph.trig.spare").is_file()
    before = (inc / "graph.trig").read_bytes()
    (src / "2-c.md").write_text(BRIEF, encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("derivation failed")

    with monkeypatch.context() as m:
        m.setattr(kg.derive, "derived_changes", broken)
        with pytest.raises(RuntimeError, match="derivation failed"):
            _build(src, inc, update=True)
    assert (inc / "graph.trig").read_bytes() == before
    assert not [p.name for p in inc.iterdir()
                if p.name.startswith(".graph.trig.") and p.name != ".graph.trig.spare"]
    rep = _build(src, inc, update=True)
    full_rep = _build(src, tmp_path / "full")
    _assert_same_build(inc, tmp_path / "full", rep, full_rep)


_PID_LOG: list = []  # [(log file, the real extraction)] while a test logs extractions


def _logged_extraction(path, *args, **kwargs):
    import os

    log, real = _PID_LOG[0]
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    return real(path, *args, **kwargs)


def _extractions_by_pid(monkeypatch, log: Path) -> None:
    """Make every extraction of a build append its process id to ``log`` (children too:
    they are forked with the patch in place, and the function is found by name)."""
    import sys

    from kg import pipeline

    monkeypatch.setattr(sys.modules[__name__], "_PID_LOG", [(log, pipeline._extract_summary)])
    monkeypatch.setattr(pipeline, "_extract_summary", _logged_extraction)


def test_an_update_extracts_in_a_process_forked_at_its_start(tmp_path, monkeypatch):
    import multiprocessing as mp
    import os

    from kg import pipeline

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc, workers=2)
    log = tmp_path / "pids"
    _extractions_by_pid(monkeypatch, log)
    prepared = []
    real_prepare = pipeline._prepare_mapping
    monkeypatch.setattr(pipeline, "_prepare_mapping",
                        lambda out: prepared.append(out) or real_prepare(out))
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    (src / "1-b.txt").write_text(GOOD.replace("12亿元", "15亿元"), encoding="utf-8")
    rep = _build(src, inc, workers=2, update=True)
    pids = log.read_text(encoding="utf-8").split()
    assert len(pids) == 2 and len(set(pids)) == 1 and pids[0] != str(os.getpid())
    assert prepared == [inc]  # the mapped index was read while the child extracted
    assert rep.counts["in_place"] == 1 and rep.counts["remapped"] == 2
    assert not mp.active_children()
    full = tmp_path / "full"
    full_rep = _build(src, full)
    _assert_same_build(inc, full, rep, full_rep)


def test_an_update_with_nothing_to_extract_stops_the_forked_process(tmp_path, monkeypatch):
    import multiprocessing as mp

    from kg import pipeline

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out, workers=2)
    stopped = []
    real_stop = pipeline._WarmExtractor.stop

    def stop(self):
        if self.pool is not None:
            stopped.append(all(f.done() for f in self.futures))
        real_stop(self)

    monkeypatch.setattr(pipeline._WarmExtractor, "stop", stop)
    log = tmp_path / "pids"
    _extractions_by_pid(monkeypatch, log)
    (src / "0-a.txt").unlink()  # a removed document: nothing to extract
    # a process forked from this one has its dictionaries to load only if this one has not
    # loaded them (an earlier test may have extracted here)
    _clear_vocabulary_caches()
    rep = _build(src, out, workers=2, update=True)
    assert stopped == [False]  # stopped while it was still loading
    assert not log.exists() and not mp.active_children()
    assert rep.counts["in_place"] == 1 and len(rep.documents) == 1
    full = tmp_path / "full"
    _assert_same_build(out, full, rep, _build(src, full))


def test_a_strict_update_stops_at_a_bad_new_document_and_leaves_no_process(tmp_path):
    import multiprocessing as mp

    from kg.errors import IngestError

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out, workers=2)
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    with pytest.raises(IngestError, match="empty.txt"):
        _build(src, out, workers=2, update=True, strict=True)
    assert not mp.active_children()
    rep = _build(src, out, workers=2, update=True)  # without --strict the rest is built
    assert [Path(p).name for p, _e in rep.problems] == ["empty.txt"] and len(rep.documents) == 3


def _summaries_index(n: int, tag: str = "") -> dict:
    from kg.pipeline import _DocSummary

    return {f"/c/{i:04d}.txt": (100 + i, 10**9 + i, _DocSummary(
        f"d{i:04d}{tag}", f"/c/{i:04d}.txt", (("Company", (f"甲{i}",)),), (("Company", f"甲{i}{tag}"),)))
        for i in range(n)}


def _saved_index(out: Path, n: int) -> tuple[dict, dict]:
    """``(index, what _load_file_index reads back)`` after a file index of ``n`` summaries
    was written into ``out``."""
    from kg.pipeline import _load_file_index, _save_file_index

    (out / ".cache").mkdir()
    index = _summaries_index(n)
    _save_file_index(out, index)
    return index, _load_file_index(out)


def test_the_file_index_writes_only_its_changes_until_they_grow(tmp_path):
    from kg.pipeline import _file_changes_path, _file_index_path, _load_file_index, _save_file_index

    index, last = _saved_index(tmp_path, 2000)
    full = _file_index_path(tmp_path).read_bytes()
    assert last == index and not _file_changes_path(tmp_path).exists()

    # a build that adds one file, changes one and loses one writes three entries beside it
    now = dict(last)
    now["/c/new.txt"] = _summaries_index(1, "new")["/c/0000.txt"]
    now["/c/0001.txt"] = _summaries_index(2, "x")["/c/0001.txt"]
    del now["/c/0002.txt"]
    _save_file_index(tmp_path, now, last)
    assert _file_index_path(tmp_path).read_bytes() == full
    last = _load_file_index(tmp_path)
    assert last == now and len(last.changes) == 3
    # the next one keeps them, and its own
    again = dict(last)
    del again["/c/0003.txt"]
    _save_file_index(tmp_path, again, last)
    last = _load_file_index(tmp_path)
    assert last == again and len(last.changes) == 4 and _file_index_path(tmp_path).read_bytes() == full

    # changes of more than a twentieth of the index: written whole again
    many = {path: (size + 1, mtime, s) for path, (size, mtime, s) in last.items()}
    _save_file_index(tmp_path, many, last)
    assert not _file_changes_path(tmp_path).exists()
    assert _file_index_path(tmp_path).read_bytes() != full
    assert _load_file_index(tmp_path) == many


def test_changes_beside_another_file_index_are_ignored(tmp_path):
    import marshal

    from kg.pipeline import _file_changes_path, _file_index_path, _load_file_index, _save_file_index

    index, last = _saved_index(tmp_path, 100)
    now = dict(last)
    del now["/c/0000.txt"]
    _save_file_index(tmp_path, now, last)
    changes = _file_changes_path(tmp_path).read_bytes()
    _save_file_index(tmp_path, index)  # a full index written again (a rebuild)
    _file_changes_path(tmp_path).write_bytes(changes)  # as if left by an interrupted build
    assert _load_file_index(tmp_path) == index
    # and an index in the earlier format (no token, no changes) is read as it is
    plain = {p: (a, b, tuple(s)) for p, (a, b, s) in index.items()}
    _file_index_path(tmp_path).write_bytes(marshal.dumps((2, plain)))
    earlier = _load_file_index(tmp_path)
    assert earlier == index and earlier.token is None
    _save_file_index(tmp_path, now, earlier)  # written whole, in the current format
    assert _load_file_index(tmp_path) == now and not _file_changes_path(tmp_path).exists()
    # so is one of format 3 (summaries as tuples, with a token), instead of changes beside it
    _file_index_path(tmp_path).write_bytes(marshal.dumps((3, "t3", plain)))
    earlier = _load_file_index(tmp_path)
    assert earlier == index and earlier.token == "t3"
    _save_file_index(tmp_path, now, earlier)
    assert not _file_changes_path(tmp_path).exists()
    assert marshal.loads(_file_index_path(tmp_path).read_bytes())[0] == 4
    assert _load_file_index(tmp_path) == now


def test_the_file_index_decodes_a_summary_only_when_asked(tmp_path):

    index, last = _saved_index(tmp_path, 50)
    assert all(s._value is None for _size, _mtime, s in last.values())
    entry = last["/c/0007.txt"][2]
    assert entry.labels == (("Company", "甲7"),) and entry.doc_id == "d0007"
    assert entry._value is not None
    assert sum(s._value is not None for _size, _mtime, s in last.values()) == 1
    assert last == index and index == last


def test_the_label_index_finds_the_documents_that_name_what_changed(tmp_path, monkeypatch):
    import sqlite3

    from kg.pipeline import _label_index_path, _load_file_index, _touching

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt", "c.md"])
    out = tmp_path / "out"
    build_graph(src, out, validate=False)
    summaries = [s for _size, _mtime, s in _load_file_index(out).values()]
    every = sorted({label for s in summaries for label in s.labels})
    shared = [lab for lab in every if sum(lab in s.labels for s in summaries) > 1]
    one = next(lab for lab in every if sum(lab in s.labels for s in summaries) == 1)
    asks = [{one}, set(shared), {one, *shared[:1]}, {("Company", "没有这家公司")}, set(every)]

    def brute(names):
        return {s.doc_id for s in summaries if not names.isdisjoint(s.labels)}

    fresh = [s for _size, _mtime, s in _load_file_index(out).values()]
    for names in asks:
        assert _touching(out, fresh, names) == brute(names)
    monkeypatch.chdir(tmp_path)  # an output folder given as a relative path
    assert _touching(Path("out"), fresh, set(shared)) == brute(set(shared))
    # the answer comes from the label index: summaries whose labels cannot be decoded
    for s in fresh:
        s.blob = b"not a summary"
    for names in asks:
        assert _touching(out, fresh, names) == brute(names)
    assert _touching(tmp_path / "elsewhere", fresh, set()) == set()  # nothing changed: none
    # without it (missing, or not a database) every summary is checked itself
    fresh = [s for _size, _mtime, s in _load_file_index(out).values()]
    _label_index_path(out).unlink()
    assert _touching(out, fresh, {one}) == brute({one})
    _label_index_path(out).write_bytes(b"garbage")
    assert _touching(out, fresh, set(shared)) == brute(set(shared))
    # the next build makes it again; an update adds the sets of its new documents
    build_graph(src, out, validate=False, update=True)
    (src / "9-d.md").write_text(GOOD.replace("12亿元", "14亿元") + "丙丁新能源有限公司投资建设储能项目。",
                                encoding="utf-8")
    build_graph(src, out, validate=False, update=True)
    with sqlite3.connect(_label_index_path(out)) as con:
        assert con.execute("SELECT count(*) FROM sets").fetchone()[0] == len(
            {s.key for _size, _mtime, s in _load_file_index(out).values()})
    index = _load_file_index(out)
    added = index[str(src / "9-d.md")][2].labels
    names = {added[0], added[-1]}
    want = {s.doc_id for _size, _mtime, s in index.values() if not names.isdisjoint(s.labels)}
    summaries = [s for _size, _mtime, s in _load_file_index(out).values()]
    for s in summaries:
        s.blob = b"not a summary"
    assert _touching(out, summaries, names) == want and len(want) >= 1


def test_an_update_records_its_file_changes_beside_the_index(tmp_path):
    from kg.pipeline import _file_changes_path, _file_index_path, _load_file_index

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    build_graph(src, out, validate=False)
    full = _file_index_path(out).read_bytes()
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    (src / "0-a.txt").unlink()
    build_graph(src, out, validate=False, update=True)
    assert _file_index_path(out).read_bytes() == full and _file_changes_path(out).is_file()
    index = _load_file_index(out)
    assert set(index.changes) == {str(src / "9-c.md"), str(src / "0-a.txt")}
    assert sorted(index) == sorted(str(p) for p in src.iterdir())
    # an update reading it reads only what changed since
    (src / "1-b.txt").write_text(GOOD.replace("12亿元", "15亿元"), encoding="utf-8")
    rep = build_graph(src, out, validate=False, update=True)
    assert rep.counts["remapped"] >= 1 and len(rep.documents) == 2
    full_out = tmp_path / "full"
    build_graph(src, full_out, validate=False)
    assert isomorphic(Graph().parse(out / "graph.ttl"), Graph().parse(full_out / "graph.ttl"))


def test_an_update_records_its_mapping_changes_beside_the_mapped_index(tmp_path, monkeypatch):
    from kg import pipeline

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc)
    mcache = pipeline._map_cache_dir(inc)
    full_index = pipeline._mapped_index_path(mcache).read_bytes()
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert rep.counts["in_place"] == 1 and rep.counts["remapped"] >= 1
    assert pipeline._mapped_index_path(mcache).read_bytes() == full_index
    assert pipeline._mapped_changes_path(mcache).is_file()
    full = tmp_path / "full"
    _build(src, full)
    assert tuple(pipeline._load_mapped_index(mcache)) == \
        tuple(pipeline._load_mapped_index(pipeline._map_cache_dir(full)))

    # an update that fails after re-mapping began leaves an index that no longer vouches
    # for the documents being mapped again; the next update is still a full build's equal
    (src / "1-b.txt").write_text(GOOD.replace("12亿元", "15亿元"), encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("stopped")
        yield  # pragma: no cover

    monkeypatch.setattr(pipeline, "_mapped_in_order", broken)
    with pytest.raises(RuntimeError, match="stopped"):
        _build(src, inc, update=True)
    monkeypatch.undo()
    digests, names, _sources = pipeline._load_mapped_index(mcache)
    fresh = pipeline.extract_file(src / "1-b.txt").document.id
    assert fresh not in digests and names is not None
    rep = _build(src, inc, update=True)
    full2 = tmp_path / "full2"
    _assert_same_build(inc, full2, rep, _build(src, full2))
    assert tuple(pipeline._load_mapped_index(mcache)) == \
        tuple(pipeline._load_mapped_index(pipeline._map_cache_dir(full2)))


def test_the_mapped_index_is_written_whole_when_its_changes_grow(tmp_path):
    from kg import pipeline

    mcache = tmp_path / "mapped"
    mcache.mkdir()
    names = {("Company", f"甲{i}"): f"甲{i}" for i in range(2000)}
    digests = {f"d{i}": bytes([i % 256]) for i in range(100)}
    sources = {f"d{i}": f"/c/{i}.txt" for i in range(100)}
    pipeline._save_mapped_index(mcache, digests, names, sources)
    full = pipeline._mapped_index_path(mcache).read_bytes()
    last = pipeline._load_mapped_index(mcache)
    last[1].update({("Company", "乙"): "乙", ("Company", "甲1"): "乙"})  # extended in place
    now = {**digests, "d100": b"x"}
    del now["d0"]
    pipeline._save_mapped_index(mcache, now, last[1], {**sources, "d100": "/c/100.txt"}, last,
                                {("Company", "乙"), ("Company", "甲1")})
    assert pipeline._mapped_index_path(mcache).read_bytes() == full
    got = pipeline._load_mapped_index(mcache)
    assert got[0] == now and got[1] == last[1] and got[2]["d100"] == "/c/100.txt"
    # without the keys that changed, a name map extended in place is written whole
    pipeline._save_mapped_index(mcache, now, got[1], got[2], got)
    assert pipeline._mapped_index_path(mcache).read_bytes() != full
    assert not pipeline._mapped_changes_path(mcache).exists()
    assert tuple(pipeline._load_mapped_index(mcache)) == tuple(got)
    # and changes of more than a twentieth of it too
    last = pipeline._load_mapped_index(mcache)
    renamed = {k: v + "集团" for k, v in last[1].items()}
    pipeline._save_mapped_index(mcache, last[0], renamed, last[2], last)
    assert not pipeline._mapped_changes_path(mcache).exists()
    assert pipeline._load_mapped_index(mcache)[1] == renamed


def test_equal_name_maps_have_equal_digests_whatever_their_objects():
    from kg.pipeline import _names_digest

    name = "".join(["甲乙", "科技有限公司"])  # built at run time: not the literal's object
    shared = {("Company", name): name}
    apart = {("Company", "甲乙科技有限公司"): "".join(["甲乙科技", "有限公司"])}
    assert shared == apart and _names_digest(shared) == _names_digest(apart)
    assert _names_digest(shared) != _names_digest({("Company", name): "甲乙"})
    assert _names_digest({("Company", "a"): "b"}) != _names_digest({("Zone", "a"): "b"})


def test_a_big_replaced_graph_trig_is_kept_as_the_spare_the_next_update_writes_over(tmp_path, monkeypatch):
    import os

    from kg import pipeline

    monkeypatch.setattr(pipeline, "SPARE_MIN_BYTES", 0)  # every graph.trig counts as big
    # below any share of blanks: each update writes graph.trig again, from the start of the
    # spare (updates that keep the file and blank what they replace: the test after this one)
    monkeypatch.setattr(pipeline, "TRIG_COMPACT_SHARE", -1.0)
    monkeypatch.delenv("CHAINKG_SPARE", raising=False)
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc)
    spare = inc / ".graph.trig.spare"
    first = (inc / "graph.trig").read_bytes()
    (src / "2-c.md").write_text(BRIEF, encoding="utf-8")
    _build(src, inc, update=True)
    assert spare.read_bytes() == first  # the replaced file, kept
    spare_inode, second = os.stat(spare).st_ino, (inc / "graph.trig").read_bytes()
    # the next update writes over the spare: a shorter graph this time (a document gone)
    (src / "0-a.txt").unlink()
    rep = _build(src, inc, update=True)
    assert os.stat(inc / "graph.trig").st_ino == spare_inode
    assert len((inc / "graph.trig").read_bytes()) < len(first)  # cut to what was written
    assert spare.read_bytes() == second
    assert not [p.name for p in inc.iterdir() if p.name.endswith(".tmp")]
    full_rep = _build(src, tmp_path / "full")
    _assert_same_build(inc, tmp_path / "full", rep, full_rep)

    # CHAINKG_SPARE=off: none is used or kept, and the one left is removed
    monkeypatch.setenv("CHAINKG_SPARE", "off")
    (src / "3-d.txt").write_text(GOOD.replace("负极", "隔膜"), encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert os.stat(inc / "graph.trig").st_ino != spare_inode and not spare.exists()
    full_rep = _build(src, tmp_path / "full2")
    _assert_same_build(inc, tmp_path / "full2", rep, full_rep)


def test_updates_stage_graph_trig_from_the_spare_and_what_the_last_update_did(tmp_path, monkeypatch):
    """An update blanks the blocks it replaces in a staged copy of graph.trig and appends
    the new ones, and records what it did; the next one stages its file by doing that again
    to the spare (the file before) instead of copying the current one. Each result is a
    full build's; past TRIG_COMPACT_SHARE of blanks the file is written without them."""

    from kg import pipeline

    monkeypatch.setattr(pipeline, "SPARE_MIN_BYTES", 0)  # every graph.trig counts as big
    monkeypatch.setattr(pipeline, "TRIG_COMPACT_SHARE", 0.9)
    monkeypatch.delenv("CHAINKG_SPARE", raising=False)
    copies = []

    class Recorded(pipeline._TrigCopy):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            copies.append(self)

    monkeypatch.setattr(pipeline, "_TrigCopy", Recorded)
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    trig = inc / "graph.trig"
    _build(src, inc)
    steps = [lambda: (src / "2-c.md").write_text(BRIEF, encoding="utf-8"),
             lambda: (src / "3-d.txt").write_text(GOOD.replace("负极", "隔膜"), encoding="utf-8"),
             lambda: (src / "0-a.txt").unlink(),
             lambda: (src / "3-d.txt").write_text(GOOD.replace("负极", "电解液"), encoding="utf-8")]
    for i, step in enumerate(steps):
        before = trig.read_bytes()
        step()
        rep = _build(src, inc, update=True)
        copy = copies[-1]
        assert rep.counts["in_place"] == 1 and copy.mode == "keep"
        assert copy.spare_used == (i > 0)  # the first update has no spare yet: copied
        _stamp, blanks, tail = pipeline._load_trig_index(trig)[2]
        assert tail == len(before)
        want = bytearray(before)  # the file before, with this update's blanks
        for start, end in blanks:
            want[start:end] = b" " * (end - start - 1) + b"\n"
        after = trig.read_bytes()
        assert after[:tail] == want and after[tail:]  # and the new blocks after it
        assert pipeline._load_trig_blocks(trig) == pipeline._trig_blocks(after)
        full = tmp_path / f"full{i}"
        _assert_same_build(inc, full, rep, _build(src, full))
    assert not [p.name for p in inc.iterdir() if p.name.endswith(".tmp")]
    # past the share of blanks allowed, the file is written again without them (but for
    # the blocks of documents found to be replaced after the copy began)
    def blank(data: bytes) -> int:
        header_end, blocks = pipeline._trig_blocks(data)
        return len(data) - header_end - sum(end - start for start, end, _h, _k in blocks)

    left = blank(after)
    assert left > 0
    monkeypatch.setattr(pipeline, "TRIG_COMPACT_SHARE", 0.0)
    (src / "4-e.md").write_text(BRIEF.replace("。", "!", 1), encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert copies[-1].mode == "compact" and pipeline._load_trig_index(trig)[2] is None
    assert blank(trig.read_bytes()) < left
    _assert_same_build(inc, tmp_path / "full9", rep, _build(src, tmp_path / "full9"))


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_a_range_copied_to_the_same_place_and_a_blanked_one(tmp_path, monkeypatch, kernel_copy):
    import mmap
    import os

    from kg.pipeline import _blank, _copy_at

    if not kernel_copy:
        _refuse_kernel_copy(monkeypatch)
    src = tmp_path / "src"
    src.write_bytes(bytes(range(256)) * 4096)  # 1 MB
    dst = tmp_path / "dst"
    dst.write_bytes(b"x" * 600_000)
    fd = os.open(dst, os.O_WRONLY)
    try:
        with src.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            with memoryview(mm) as view:
                _copy_at(fh, fd, view, 500_000, 1_048_576)
        _blank(fd, 10, 20)
    finally:
        os.close(fd)
    data = dst.read_bytes()
    want = src.read_bytes()
    assert data[500_000:] == want[500_000:] and len(data) == len(want)
    assert data[:500_000] == b"x" * 10 + b" " * 9 + b"\n" + b"x" * 499_980


def test_a_small_replaced_graph_trig_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("CHAINKG_SPARE", raising=False)
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc)
    (src / "2-c.md").write_text(BRIEF, encoding="utf-8")
    _build(src, inc, update=True)
    assert not (inc / ".graph.trig.spare").exists()  # below SPARE_MIN_BYTES: freed


@pytest.mark.parametrize("workers", [1, 2])
def test_an_update_leaves_the_garbage_collector_as_it_found_it(tmp_path, workers, monkeypatch):
    """The indexes an update reads are frozen out of the collector's way for the build
    only: afterwards (or after a failure) nothing stays frozen."""
    import gc

    from kg import pipeline
    from kg.errors import IngestError

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out, workers=workers)
    assert gc.get_freeze_count() == 0
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    frozen_during = []
    real = pipeline._map_and_store

    def watching(*args, **kwargs):
        frozen_during.append(gc.get_freeze_count())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_map_and_store", watching)
    _build(src, out, workers=workers, update=True)
    monkeypatch.undo()
    assert frozen_during and frozen_during[0] > 0  # the file index was out of reach
    assert gc.get_freeze_count() == 0 and pipeline._FROZEN[0] == 0
    (src / "empty.txt").write_bytes(b"")
    with pytest.raises(IngestError):
        _build(src, out, workers=workers, update=True, strict=True)
    assert gc.get_freeze_count() == 0 and pipeline._FROZEN[0] == 0


@pytest.mark.parametrize("small", [0, 16_000_000])
def test_an_update_loads_the_same_store_in_one_transaction_or_in_bulk(tmp_path, monkeypatch, small):
    """Small loads of an in-place update go into the store in one transaction, bigger ones
    through the bulk loader (blank nodes stay one node across the named graph and its copy
    in the default graph either way)."""
    from kg import pipeline

    monkeypatch.setattr(pipeline, "SMALL_LOAD_BYTES", small)
    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc)
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    (src / "1-b.txt").write_text(GOOD.replace("12亿元", "15亿元"), encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert rep.counts["in_place"] == 1
    full = tmp_path / "full"
    _assert_same_build(inc, full, rep, _build(src, full))


def test_a_part_that_only_gains_triples_keeps_its_block_and_gets_another(tmp_path):
    """An update rewrites the parts of graph.trig whose triples it removes; a part that only
    gains triples keeps its block as it was and gets a second one with the new triples
    (any TriG reader merges the blocks of a graph), until triples are removed from it."""
    import os

    from kg.pipeline import _prefixes, _rewrite_trig

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    out = tmp_path / "out"
    _build(src, out)
    trig = out / "graph.trig"
    before = _parts(trig)
    (g, k), block = max(before.items(), key=lambda kv: len(kv[1]))
    header = b"".join(line for line in trig.read_bytes().splitlines(keepends=True)
                      if line.startswith(b"@prefix"))
    old = list(ox.parse(header + block, format=ox.RdfFormat.TRIG))
    extra = ox.Quad(old[0].subject, ox.NamedNode("https://w3id.org/chainkg/ontology#note"),
                    ox.Literal("新增"), ox.NamedNode(g))
    tmp, _p = _rewrite_trig(trig, set(), [], _prefixes(), {g: ([], [extra])})
    os.replace(tmp, trig)
    after = _parts(trig, one=False)
    assert after[(g, k)].startswith(block) and after[(g, k)].count(b"# part ") == 2
    assert trig.read_bytes().count(block) == 1  # the old block, where it was
    assert all(after[key] == b for key, b in before.items() if key != (g, k))
    quads = set(ox.parse(trig.read_bytes(), format=ox.RdfFormat.TRIG))
    assert extra in quads and set(old) <= quads
    # a removal from that part: its blocks are read and written again as one
    tmp, _p = _rewrite_trig(trig, set(), [], _prefixes(), {g: ([old[0]], [])})
    os.replace(tmp, trig)
    merged = _parts(trig)  # one block a part again
    quads = set(ox.parse(trig.read_bytes(), format=ox.RdfFormat.TRIG))
    assert merged[(g, k)].count(b"# part ") == 1 and extra in quads and old[0] not in quads
    assert set(old[1:]) <= quads


_DYING: list = []  # [(pid of the build, the real extraction)] while a test kills children


def _dying_extraction(path, *args, **kwargs):
    import os

    parent, real = _DYING[0]
    if os.getpid() != parent:
        os._exit(9)  # as if the process were killed
    return real(path, *args, **kwargs)


def test_an_update_extracts_itself_when_the_forked_process_dies(tmp_path, monkeypatch):
    import multiprocessing as mp
    import os
    import sys

    from kg import pipeline

    src = _copy_corpus(tmp_path / "docs", ["a.txt", "b.txt"])
    inc = tmp_path / "inc"
    _build(src, inc, workers=2)
    monkeypatch.setattr(sys.modules[__name__], "_DYING", [(os.getpid(), pipeline._extract_summary)])
    monkeypatch.setattr(pipeline, "_extract_summary", _dying_extraction)
    (src / "9-c.md").write_text(BRIEF, encoding="utf-8")
    rep = _build(src, inc, workers=2, update=True)
    assert rep.counts["in_place"] == 1 and len(rep.documents) == 3
    assert not mp.active_children()
    monkeypatch.undo()
    full = tmp_path / "full"
    _assert_same_build(inc, full, rep, _build(src, full))


def test_an_update_that_makes_a_brand_stand_for_two_firms_equals_a_full_build(tmp_path):
    # the brand joined the firm of the first document; the second names another firm by it
    src = tmp_path / "docs"
    src.mkdir()
    (src / "a.txt").write_text("宣城甲乙新能源股份有限公司（以下简称“甲乙新能”）年产10GW电池片项目在宣城经济"
                               "技术开发区开工，总投资50亿元。甲乙新能表示，项目明年投产。\n", encoding="utf-8")
    inc = tmp_path / "inc"
    _build(src, inc)
    (src / "b.txt").write_text("景德镇甲乙新能源股份有限公司（以下简称“甲乙新能”）年产5GW组件项目在景德镇高新区"
                               "签约，总投资20亿元。\n", encoding="utf-8")
    rep = _build(src, inc, update=True)
    assert rep.counts.get("in_place") == 1
    full = tmp_path / "full"
    _build(src, full)
    _assert_same_store(inc / "store", full / "store")
    st_ = ox.Store.read_only(str(full / "store"))
    firms = {str(r["n"].value) for r in st_.query(
        "SELECT DISTINCT ?n WHERE { ?c a <https://w3id.org/chainkg/ontology#Company> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?n }")}
    assert {"宣城甲乙新能源股份有限公司", "景德镇甲乙新能源股份有限公司"} <= firms
