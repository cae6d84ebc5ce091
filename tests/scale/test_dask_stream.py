"""Streaming extraction from a real local Dask cluster (kg.distributed.iter_extract_with_dask):
every document once, a bounded number in flight on the cluster, nothing left behind."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from .servers import dask_cluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with dask_cluster(tmp_path_factory.mktemp("dask-stream")) as address:
        yield address


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from kg.ingest import iter_documents

    root = tmp_path_factory.mktemp("stream-corpus")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"),
                    str(root / "docs"), "--docs", "12", "--seed", "3"],
                   check=True, capture_output=True)
    found, _ = iter_documents(root / "docs")
    return [str(f) for f in found]


def _tasks_on_scheduler(address: str) -> int:
    from distributed import Client

    with Client(address, set_as_default=False) as c:
        return c.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))


def test_stream_yields_every_document_once_with_a_small_window(cluster, files):
    from kg.distributed import extract_with_dask, iter_extract_with_dask

    seen = []
    got = list(iter_extract_with_dask(files, cluster, window=3,
                                      progress=lambda i, n, p: seen.append((i, n))))
    assert sorted(r[0] for r in got) == sorted(files)
    assert all(e is not None and err is None for _p, e, err in got)
    assert seen == [(i, len(files)) for i in range(1, len(files) + 1)]
    # the same extractions as the sorted list
    listed = extract_with_dask(files, cluster)
    assert [(p, e.document.id) for p, e, _ in sorted(got, key=lambda r: r[0])] == \
        [(p, e.document.id) for p, e, _ in listed]


def test_at_most_a_window_of_documents_is_on_the_cluster(cluster, files):
    from kg.distributed import iter_extract_with_dask

    stream = iter_extract_with_dask(files, cluster, window=4)
    first = next(stream)
    time.sleep(1.0)  # workers finish what they were given; nothing more is submitted
    assert first[1] is not None
    assert _tasks_on_scheduler(cluster) <= 4
    rest = list(stream)
    assert len(rest) == len(files) - 1


def test_closing_the_stream_early_leaves_nothing_on_the_cluster(cluster, files):
    from kg.distributed import iter_extract_with_dask

    stream = iter_extract_with_dask(files, cluster, window=6)
    next(stream)
    stream.close()
    end = time.monotonic() + 30
    while _tasks_on_scheduler(cluster) and time.monotonic() < end:
        time.sleep(0.2)
    assert _tasks_on_scheduler(cluster) == 0
