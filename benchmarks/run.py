"""Build benchmark: whole build and its stages, 1 worker (baseline) against N, and start-up.

Generates a corpus with ``make_corpus.py`` (seeded), then measures in subprocesses (so
peak memory is per build): full builds into an Oxigraph store with 1 worker (the
baseline of the same run) and with ``--workers`` workers, the median of ``--runs`` runs
each with the stage breakdown (extract = ingest+extract, resolve, map, analyse,
validate, store); single-document extraction throughput (dictionaries loaded first);
adding one document with ``kg build --update``; ``kg --help``; ``kg query`` of a stored
query on the built store. Appends a section to ``benchmarks/RESULTS.md`` with ``--write``.

Stages (``BuildReport.timings``): mapped documents stream into the store as they come, so
``map`` is mapping and loading together and ``load`` the parent's share of it (bulk loads
and ``graph.trig`` writing); ``derive`` is ``kg.derive``; with workers > 1 ``validate``
runs in a forked process during ``store``.

``--no-baseline`` skips the 1-worker builds (for 10,000 documents on a slow machine).
The ``kg query`` figure is split: end to end with the table (a page of rows shown), end to end
with ``--format csv`` (all rows), and the query alone in-process (store open + run + read
all rows), so start-up, query and rendering can be told apart.

Usage::

    python benchmarks/run.py --docs 200 --runs 3 [--workers 2] [--no-baseline] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
KG = str(Path(PY).with_name("kg"))

_BUILD = r"""
import json, resource, sys, time
from kg.pipeline import build_graph
src, out, w = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.perf_counter()
r = build_graph(src, out, store="oxigraph:" + out + "/store", workers=w, update=sys.argv[4] == "1")
wall = time.perf_counter() - t
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
print(json.dumps({"wall": wall, "stages": r.timings, "rss_mb": rss, "quads": r.counts.get("quads"),
                  "remapped": r.counts.get("remapped"), "in_place": r.counts.get("in_place"),
                  "docs": len(r.documents), "conforms": r.conforms,
                  "validated": r.validated_documents}))
"""

_EXTRACT = r"""
import json, sys, time
from pathlib import Path
from kg.extract import extract_document
from kg.ingest import ingest_file
files = sorted(Path(sys.argv[1]).glob("*.txt"))[: int(sys.argv[2])]
docs = [ingest_file(f) for f in files]
extract_document(docs[0])  # one-off dictionary loading
t = time.perf_counter()
for d in docs[1:]:
    extract_document(d)
dt = time.perf_counter() - t
print(json.dumps({"chars": sum(len(d.text) for d in docs[1:]), "seconds": dt}))
"""


_QUERY = r"""
import json, sys, time
t = time.perf_counter()
from kg.query import resolve_query
from kg.store_oxigraph import open_store, run_oxigraph
st = open_store(sys.argv[1])
t1 = time.perf_counter()
form, cols, rows = run_oxigraph(st, resolve_query(sys.argv[2])[0])
n = sum(1 for _ in rows)
print(json.dumps({"open": t1 - t, "query": time.perf_counter() - t1, "rows": n}))
"""


def _run(args: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    if p.returncode:
        raise SystemExit(f"failed: {args}\n{p.stderr[-2000:]}")
    return time.perf_counter() - t, p.stdout


def build(src: Path, out: Path, workers: int, update: bool = False) -> dict:
    if not update:
        shutil.rmtree(out, ignore_errors=True)
    _t, stdout = _run([PY, "-c", _BUILD, str(src), str(out), str(workers), "1" if update else "0"])
    return json.loads(stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tmp", type=Path, default=Path("/tmp/chainkg-bench"))
    ap.add_argument("--write", action="store_true", help="append the section to RESULTS.md")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the 1-worker builds (ratios are then not measured)")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from make_corpus import make_corpus

    src = a.tmp / f"corpus-{a.docs}"
    shutil.rmtree(a.tmp, ignore_errors=True)
    chars = make_corpus(src, a.docs)
    res: dict = {}
    for w in ((a.workers,) if a.no_baseline else (1, a.workers)):
        runs = [build(src, a.tmp / f"out-{w}", w) for _ in range(a.runs)]
        res[w] = runs
        print(w, [round(r["wall"], 1) for r in runs], flush=True)
    med = {w: statistics.median(r["wall"] for r in runs) for w, runs in res.items()}
    stages = {w: {k: statistics.median(r["stages"].get(k, 0) for r in runs)
                  for k in runs[0]["stages"]} for w, runs in res.items()}
    _t, out = _run([PY, "-c", _EXTRACT, str(src), str(min(a.docs, 100))])
    ex = json.loads(out)
    # add one document to the built store
    out_dir = a.tmp / f"out-{a.workers}"
    extra = a.tmp / "extra"
    make_corpus(extra, 1, seed=99)
    new = src / "zz-added.txt"
    shutil.copy(next(extra.glob("*.txt")), new)
    upd = build(src, out_dir, a.workers, update=True)
    new.unlink()
    helps = [_run([KG, "--help"])[0] for _ in range(3)]
    queries = [_run([KG, "query", "entities-by-type", "--store", f"oxigraph:{out_dir}/store"])[0]
               for _ in range(3)]
    queries_csv = [_run([KG, "query", "entities-by-type", "--format", "csv", "--store",
                         f"oxigraph:{out_dir}/store"])[0] for _ in range(3)]
    inproc = [json.loads(_run([PY, "-c", _QUERY, f"{out_dir}/store", "entities-by-type"])[1])
              for _ in range(3)]
    import pyoxigraph
    import rdflib

    ws = sorted(res)
    base = 1 if 1 in res else None
    first = res[ws[0]][0]
    lines = [
        f"\n## Build at scale (benchmarks/run.py, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, pyoxigraph "
        f"{pyoxigraph.__version__}, rdflib {rdflib.__version__}. Corpus: make_corpus.py seed 7, "
        f"{a.docs} documents, {chars:,} characters; {first['quads']:,} quads. "
        f"Medians of {a.runs} runs"
        + ("; baseline = 1 worker in the same run.\n" if base else "; no 1-worker baseline run.\n"),
        "| measure | " + " | ".join(f"{w} worker(s)" for w in ws) + (" | ratio |" if base else " |"),
        "|---|" + "---|" * len(ws) + ("---|" if base else ""),
    ]

    def row(name, vals, fmt):
        cells = " | ".join(fmt.format(v) for v in vals)
        ratio = (f" | {vals[0] / vals[-1]:.2f}× |" if base and len(vals) > 1 and vals[-1]
                 else (" | |" if base else " |"))
        return f"| {name} | {cells}{ratio}"

    lines.append(row("full build (s)", [med[w] for w in ws], "{:.1f}"))
    for k in stages[ws[0]]:
        lines.append(row(f"· {k} (s)", [stages[w].get(k, 0) for w in ws], "{:.2f}"))
    peak = {w: max(r["rss_mb"] for r in runs) for w, runs in res.items()}
    lines += [
        "| peak memory, max process (MB) | " + " | ".join(f"{peak[w]:.0f}" for w in ws)
        + (" | |" if base else " |"),
        "",
        f"- Extraction throughput, one core, dictionaries loaded: "
        f"{ex['chars'] / ex['seconds']:,.0f} characters/s.",
        f"- Add 1 document (`build --update`, {a.workers} workers): {upd['wall']:.2f} s, "
        f"{upd.get('remapped')} document(s) mapped again, "
        f"{'store changed in place' if upd.get('in_place') else 'store rebuilt'} "
        f"(stages: {', '.join(f'{k} {v:.2f}' for k, v in upd['stages'].items())}).",
        f"- `kg --help`: median {statistics.median(helps):.2f} s.",
        f"- `kg query entities-by-type --store` ({inproc[0]['rows']:,} rows): median "
        f"{statistics.median(queries):.2f} s end to end as a table, "
        f"{statistics.median(queries_csv):.2f} s as CSV; in-process, store open "
        f"{statistics.median(q['open'] for q in inproc):.2f} s (with imports) + query and "
        f"reading all rows {statistics.median(q['query'] for q in inproc):.2f} s.",
        f"- SHACL: {first['validated']} document graphs validated (conforms: "
        f"{first['conforms']}).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.write:
        with (ROOT / "benchmarks" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
