"""Distributed extraction on a real local Dask cluster (a scheduler and two worker processes
on 127.0.0.1) gives the same graph as the single-process build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import IngestError, StoreError

from .servers import dask_cluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with dask_cluster(tmp_path_factory.mktemp("dask")) as address:
        yield address


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("dist-corpus")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"),
                    str(root / "docs"), "--docs", "6", "--seed", "11"],
                   check=True, capture_output=True)
    (root / "docs" / "broken.txt").write_bytes(b"\x00\x01\x02" * 50)  # not text: a problem
    return root


def _quads(ds):
    return {(s, p, o, g.identifier if hasattr(g, "identifier") else g)
            for s, p, o, g in ds.quads((None, None, None, None))}


def test_dask_build_is_the_single_process_build(cluster, corpus):
    from rdflib.compare import isomorphic

    from kg.distributed import extract_with_dask
    from kg.ingest import iter_documents
    from kg.pipeline import build_graph
    from kg.store import load_graph

    files, _skipped = iter_documents(corpus / "docs")
    seen = []
    results = extract_with_dask(list(reversed(files)), cluster,
                                progress=lambda i, n, p: seen.append((i, n)))
    assert [r[0] for r in results] == sorted(str(f) for f in files)  # sorted, whatever order
    assert seen == [(i, len(files)) for i in range(1, len(files) + 1)]
    problems = [r for r in results if r[2]]
    assert [Path(r[0]).name for r in problems] == ["broken.txt"]

    report = build_graph(corpus / "docs", corpus / "out", validate=False)
    assert len(report.documents) == len(files) - 1
    single = load_graph(corpus / "out" / "graph.trig")
    report = build_graph(corpus / "docs", corpus / "out-dask", validate=False, engine="dask",
                         scheduler=cluster)
    assert [Path(p).name for p, _msg in report.problems] == ["broken.txt"]
    dist = load_graph(corpus / "out-dask" / "graph.trig")
    a, b = _quads(single), _quads(dist)
    assert len(a) > 1000
    if a != b:  # only blank-node labels may differ: compare graph by graph
        names = {q[3] for q in a} | {q[3] for q in b}
        for g in names:
            assert isomorphic(single.graph(g), dist.graph(g)), g


def test_results_are_deterministic_across_runs(cluster, corpus):
    from kg.distributed import extract_with_dask
    from kg.ingest import iter_documents
    from kg.pipeline import _extract_one

    files, _ = iter_documents(corpus / "docs")
    first = extract_with_dask(files, cluster)
    local = sorted((_extract_one(str(f)) for f in files), key=lambda r: r[0])
    assert [(p, e is None, err) for p, e, err in first] == \
        [(p, e is None, err) for p, e, err in local]
    for (_p, e1, _), (_q, e2, _) in zip(first, local, strict=True):
        if e1 is not None:
            assert e1.document.id == e2.document.id
            assert e1 == e2


def test_size_limit_reaches_the_workers(cluster, corpus):
    from kg.distributed import extract_with_dask
    from kg.ingest import iter_documents

    files, _ = iter_documents(corpus / "docs")
    res = extract_with_dask(files, cluster, max_bytes=64)
    assert all(e is None and "limit" in err for _p, e, err in res if not _p.endswith("broken.txt"))


def test_strict_stops_at_the_first_bad_document(cluster, corpus):
    from kg.distributed import extract_with_dask
    from kg.ingest import iter_documents

    files, _ = iter_documents(corpus / "docs")
    with pytest.raises(IngestError):
        extract_with_dask(files, cluster, strict=True)


@pytest.mark.parametrize("bad", ["127.0.0.1:8786", "http://127.0.0.1:8786", "tcp://host"])
def test_bad_scheduler_address(bad):
    from kg.distributed import extract_with_dask

    with pytest.raises(StoreError, match="scheduler address"):
        extract_with_dask(["x.txt"], bad)


def test_unreachable_scheduler_is_a_store_error():
    from kg.distributed import extract_with_dask

    from .servers import free_port

    with pytest.raises(StoreError, match="cannot reach the Dask scheduler"):
        extract_with_dask(["x.txt"], f"tcp://127.0.0.1:{free_port()}", connect_timeout=2)


def test_cli_build_with_the_dask_engine(cluster, corpus, capsys):
    from kg.cli import main

    out = corpus / "out-cli"
    assert main(["build", str(corpus / "docs"), "-o", str(out), "-q", "--no-validate",
                 "--engine", "dask", "--scheduler", cluster]) == 0
    assert (out / "graph.trig").stat().st_size > 0
    assert main(["build", str(corpus / "docs"), "-o", str(out), "-q", "--engine", "dask"]) == 2
    assert "--scheduler" in capsys.readouterr().err
