"""Adding one document to a built store (issue 10: ≤ 2 s at 10,000 documents).

Each run copies the next unused document of ``--new`` into the built corpus and runs
``kg build CORPUS -o OUT --store oxigraph:OUT/store -j WORKERS --update -q`` in a new
process, timing it end to end (wall) with its peak memory; the store, ``graph.trig`` and
the caches are those of the last run, as for a user adding documents one at a time.

With ``--baseline TREE`` (another checkout's root, e.g. made by ``git worktree add``) runs
go in blocks of ``--block`` runs, this tree's and the baseline's in turn, each tree's
process with ``PYTHONPATH`` at its root and its own dictionary cache (trees with different
code would otherwise replace each other's entries on every run). The first run of a block
is reported but left out of the medians: when the two trees keep their indexes in
different formats, it pays for reading the other's. With ``--block 1`` (trees keeping
their indexes alike) the trees take turns run by run, none is left out, and the median of
the pairs' ratios is printed too: the closest comparison on a machine whose speed drifts.
The machine's load changes over a run: compare the two trees' medians, not figures of
different runs.

Make the built store first (about 16 minutes at 10,000 documents on 2 cores)::

    python benchmarks/make_corpus.py --docs 10000 --seed 7 CORPUS
    kg build CORPUS -o OUT --store oxigraph:OUT/store -j 2

Usage::

    python benchmarks/bench_update.py CORPUS OUT --new NEWDOCS [--runs 5] [--workers 2]
                                      [--baseline TREE [--block 4]]

``NEWDOCS`` is a folder of documents to add (e.g. ``make_corpus.py --docs 40 --seed 99``);
they are copied in as ``zz_new_<name>`` and stay in the corpus afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _kg() -> str:
    exe = Path(sys.executable).with_name("kg")
    return str(exe) if exe.is_file() else shutil.which("kg") or "kg"


def _next_doc(new: Path, corpus: Path) -> Path:
    for doc in sorted(p for p in new.rglob("*") if p.is_file() and p.suffix in (".txt", ".md")):
        if not (corpus / f"zz_new_{doc.name}").exists():
            return doc
    raise SystemExit(f"bench_update: every document of {new} was added already; give more")


def run_once(tree: Path, corpus: Path, out: Path, new: Path, workers: int) -> dict:
    """Add the next document with ``tree``'s code: ``{"wall": s, "rss_mb": peak, "doc": name}``."""
    doc = _next_doc(new, corpus)
    shutil.copyfile(doc, corpus / f"zz_new_{doc.name}")
    env = dict(os.environ, PYTHONPATH=str(tree),
               CHAINKG_CACHE_DIR=str(Path(os.environ.get("TMPDIR", "/tmp")) / f"chainkg-cache-{tree.name}"))
    cmd = [_kg(), "build", str(corpus), "-o", str(out), "--store", f"oxigraph:{out}/store",
           "-j", str(workers), "-u", "-q"]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench_update: {' '.join(cmd)} failed:\n{err}")
    return {"wall": wall, "rss_mb": usage.ru_maxrss / 1024, "doc": doc.name}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--new", type=Path, required=True, help="folder of documents to add")
    ap.add_argument("--runs", type=int, default=5, help="runs per tree (per block with --baseline)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--baseline", type=Path, help="another tree's root, run in turn")
    ap.add_argument("--block", type=int, default=4, help="runs in a row per tree with --baseline")
    a = ap.parse_args()
    trees = [ROOT] + ([a.baseline.resolve()] if a.baseline else [])
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {platform.node()} · "
          f"{os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f} · Python {platform.python_version()}")
    kept: dict[str, list[float]] = {str(t): [] for t in trees}
    rounds = max(1, a.runs // (a.block if a.baseline else a.runs))
    for _r in range(rounds):
        for tree in trees:
            n = a.block if a.baseline else a.runs
            for i in range(n):
                res = run_once(tree, a.corpus, a.out, a.new, a.workers)
                first = a.baseline is not None and i == 0 and a.block > 1
                if not first:
                    kept[str(tree)].append(res["wall"])
                print(f"{tree.name:>12}  {res['wall']:6.2f} s  {res['rss_mb']:7.0f} MB  {res['doc']}"
                      + ("  (first of its block: left out)" if first else ""), flush=True)
    for tree, walls in kept.items():
        if walls:
            print(f"{Path(tree).name}: median {statistics.median(walls):.2f} s of {len(walls)} "
                  f"({min(walls):.2f}–{max(walls):.2f})")
    if a.baseline and a.block == 1:
        mine, theirs = kept[str(trees[0])], kept[str(trees[1])]
        ratios = [x / y for x, y in zip(mine, theirs, strict=True)]
        print(f"paired: median ratio {statistics.median(ratios):.2f} of {len(ratios)} "
              f"({trees[0].name} / {trees[1].name})")


if __name__ == "__main__":
    main()
