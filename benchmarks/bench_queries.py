"""Benchmark the stored queries on Oxigraph and on rdflib's memory store, side by side.

Generates (or reuses) a graph of about 1M triples with ``benchmarks/make_graph.py``, then in
two fresh child processes (so that each one's peak resident memory is its own):

* Oxigraph: ``bulk_load`` of the N-Quads (in chunks of ``--chunk-lines``) into a new store on
  disk, each chunk's triples also into the default graph in the same load, as ``kg build``
  loads its store (the default graph then holds the union; :func:`kg.store_oxigraph.mark_union`),
  timed with its CPU time; then ``Store.optimize()`` (RocksDB compaction, timed apart), then
  each stored query through :func:`kg.query.run_query` on the open store (reading the default
  graph); ``--union-view`` loads the named graphs only and queries Oxigraph's union view,
  ``--no-optimize`` skips the compaction;
* rdflib: parse into a ``Dataset`` (timed), then the same queries, same parameters.

Each query runs once to warm up, then ``--reps`` times (rdflib: fewer when one run is slow);
the median wall time is reported (and the median CPU time of the process, steadier on a shared
machine), with the ratio rdflib / Oxigraph. Rows must be equal on both stores. The generated
graph carries the derived graph of :mod:`kg.derive`, as a build does.

Usage::

    python benchmarks/bench_queries.py --triples 1000000 [--write-results]
"""

from __future__ import annotations

import argparse
import atexit
import itertools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: (issue item, stored query, target median ms on Oxigraph)
QUERIES = [
    ("1", "projects-in-place", 20),
    ("3", "chain-links-in-region", 20),
    ("6", "product-chain", 20),
    ("12", "entity-facts", 20),
    ("2", "investment-by-chain", 150),
    ("2", "investment-by-zone", 150),
    ("2", "investment-by-region", 150),
    ("9", "zone-ranking", 150),
]


def _child(kind: str, nq: str, params_file: str, reps: int, slow_s: float,
           budget_s: float = 120.0) -> dict:
    from kg.query import run_query

    params = json.loads(Path(params_file).read_text())
    out: dict = {"kind": kind}
    t, c = time.perf_counter(), time.process_time()
    if kind == "oxigraph":
        import pyoxigraph as ox

        from kg.store_oxigraph import mark_union

        if not UNION_VIEW:
            # the load target: the 1M quads alone into a new store on disk (then dropped);
            # lenient (no IRI re-validation, ~20 % less CPU) as kg build loads its own output
            tmp = tempfile.mkdtemp(prefix="chainkg-bench-ox-")
            store = ox.Store(tmp)
            with open(nq, "rb") as fh:
                while chunk := b"".join(itertools.islice(fh, CHUNK_LINES or None)):
                    store.bulk_load(chunk, format=ox.RdfFormat.N_QUADS, lenient=True)
                    del chunk
            store.flush()
            out["named_load_s"] = time.perf_counter() - t
            out["named_load_cpu_s"] = time.process_time() - c
            del store
            shutil.rmtree(tmp, True)
            t, c = time.perf_counter(), time.process_time()
        tmp = tempfile.mkdtemp(prefix="chainkg-bench-ox-")
        atexit.register(shutil.rmtree, tmp, True)
        store = ox.Store(tmp)
        # the bulk loader holds a whole input in memory: in chunks RSS stays ~0.4 GB instead
        # of ~1 GB for 1M quads, in the same time
        with open(nq, "rb") as fh:
            while lines := list(itertools.islice(fh, CHUNK_LINES or None)):
                chunk = b"".join(lines)
                if not UNION_VIEW:  # the union copy: the same lines without their graph name
                    chunk += b"".join(_in_default_graph(x) for x in lines)
                del lines
                # one load for both copies: blank node labels are scoped to one load
                store.bulk_load(chunk, format=ox.RdfFormat.N_QUADS, lenient=True)
                del chunk
        if not UNION_VIEW:
            mark_union(store)
        store.flush()
        out["load_s"] = time.perf_counter() - t
        out["load_cpu_s"] = time.process_time() - c
        out["quads"] = len(store)
        out["rss_after_load_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if not UNION_VIEW:
            out["union_triples"] = next(iter(store.query(
                "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value
        if OPTIMIZE:
            t = time.perf_counter()
            store.optimize()
            store.flush()
            out["optimize_s"] = time.perf_counter() - t
        source = store
    else:
        from rdflib import Dataset

        source = Dataset()
        source.parse(nq, format="nquads")
        out["load_s"] = time.perf_counter() - t
        out["quads"] = len(list(source.quads((None, None, None, None))))
    out.setdefault("rss_after_load_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    import signal

    class _Timeout(BaseException):  # not caught by run_query's error wrapping
        pass

    def _alarm(signum, frame):
        raise _Timeout()

    signal.signal(signal.SIGALRM, _alarm)
    res = {}
    out["loadavg_start"] = os.getloadavg()[0]
    for _item, name, _target in QUERIES:
        p = params.get(name)
        t = time.perf_counter()
        signal.alarm(int(budget_s))
        try:
            r = run_query(source, name, p)
        except _Timeout:
            res[name] = {"timeout_s": budget_s, "median_ms": None, "runs": 0, "rows": None,
                         "digest": None}
            continue
        finally:
            signal.alarm(0)
        first = time.perf_counter() - t
        times, cpu = [], []
        if first >= slow_s:
            times = cpu = [first]  # too slow to repeat: the warm-up run is the measurement
        else:
            for _ in range(reps):
                t, c = time.perf_counter(), time.process_time()
                r = run_query(source, name, p)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
        res[name] = {"median_ms": statistics.median(times) * 1000, "runs": len(times),
                     "cpu_ms": statistics.median(cpu) * 1000,
                     "first_ms": first * 1000, "rows": len(r.rows),
                     "digest": hash(tuple(map(tuple, ((str(x) for x in row) for row in r.rows))))}
    out["queries"] = res
    out["loadavg_end"] = os.getloadavg()[0]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _in_default_graph(line: bytes) -> bytes:
    """An N-Quads line of a named graph as the same triple in the default graph."""
    if not line.rstrip().endswith(b"> ."):
        return line  # a comment, a blank line or already a triple
    return line[:line.rindex(b" <", 0, len(line.rstrip()) - 2)] + b" .\n"


BUDGET_S = 120.0
UNION_VIEW = False
OPTIMIZE = True
CHUNK_LINES = 250_000


def _run_child(kind: str, nq: Path, params: Path, reps: int, slow_s: float) -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--nq", str(nq),
                           "--params", str(params), "--reps", str(reps), "--slow", str(slow_s),
                           "--budget", str(BUDGET_S)] + (["--union-view"] if UNION_VIEW else [])
                          + ([] if OPTIMIZE else ["--no-optimize"])
                          + ["--chunk-lines", str(CHUNK_LINES)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} child failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _versions() -> str:
    import pyoxigraph
    import rdflib

    return (f"Python {platform.python_version()}, rdflib {rdflib.__version__}, "
            f"pyoxigraph {pyoxigraph.__version__}, {platform.machine()}, {os.cpu_count()} cores")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--nq", type=Path, default=None)
    ap.add_argument("--params", type=Path, default=None)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--rdflib-reps", type=int, default=3)
    ap.add_argument("--slow", type=float, default=30.0, help="rdflib: one run only past this (s)")
    ap.add_argument("--budget", type=float, default=120.0,
                    help="rdflib: give up on a query after this many seconds")
    ap.add_argument("--child", choices=["oxigraph", "rdflib"])
    ap.add_argument("--skip-rdflib", action="store_true")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--union-view", action="store_true",
                    help="Oxigraph: query the union view, do not materialise the union")
    ap.add_argument("--no-optimize", action="store_true",
                    help="Oxigraph: do not compact the store (Store.optimize) before the queries")
    ap.add_argument("--chunk-lines", type=int, default=250_000,
                    help="Oxigraph: bulk-load the N-Quads in chunks of this many lines (0: "
                         "one bulk_load of the whole file)")
    a = ap.parse_args()
    global BUDGET_S, UNION_VIEW, OPTIMIZE, CHUNK_LINES
    UNION_VIEW = a.union_view
    OPTIMIZE = not a.no_optimize
    CHUNK_LINES = a.chunk_lines
    if a.child:
        print(json.dumps(_child(a.child, str(a.nq), str(a.params), a.reps, a.slow, a.budget)))
        return
    BUDGET_S = a.budget

    nq = a.nq or Path(tempfile.gettempdir()) / f"chainkg-bench-{a.triples}-{a.seed}.nq"
    params = nq.with_suffix(".params.json")
    if not nq.is_file() or not params.is_file():
        from benchmarks.make_graph import make_graph

        t = time.perf_counter()
        make_graph(nq, a.triples, a.seed)
        print(f"generated {nq} in {time.perf_counter() - t:.0f}s", file=sys.stderr)
    meta = json.loads(params.read_text())
    ox_res = _run_child("oxigraph", nq, params, a.reps, a.slow)
    rd_res = None if a.skip_rdflib else _run_child("rdflib", nq, params, a.rdflib_reps, a.slow)

    lines = []
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines.append(f"Run {when}; {_versions()}.")
    lines.append(f"Graph: `benchmarks/make_graph.py --triples {a.triples} --seed {a.seed}` → "
                 f"{meta['triples']:,} quads ({meta.get('derived', 0):,} of them in the derived "
                 f"graph), {meta['documents']} documents, {meta['projects']} project mentions. "
                 f"Load average (1 min): Oxigraph run {ox_res['loadavg_start']:.1f} → "
                 f"{ox_res['loadavg_end']:.1f}"
                 + ("" if rd_res is None else f", rdflib run {rd_res['loadavg_start']:.1f} → "
                    f"{rd_res['loadavg_end']:.1f}") + ".")
    lines.append("")
    mat = ("Oxigraph queries read the union view (named graphs only loaded)" if UNION_VIEW else
           f"the load writes each triple into its named graph and into the default graph "
           f"(the union, {int(ox_res['union_triples']):,} distinct triples), as kg build does")
    opt = (f"; optimize {ox_res['optimize_s']:.1f} s" if "optimize_s" in ox_res else
           "; not optimized")
    how = ((f"bulk_load in chunks of {CHUNK_LINES:,} lines" if CHUNK_LINES else "one bulk_load")
           + ("" if UNION_VIEW else ", union copy included"))
    named = ("" if "named_load_s" not in ox_res else
             f"Load of the quads alone (named graphs, chunks of {CHUNK_LINES:,} lines, new store "
             f"on disk): {ox_res['named_load_s']:.1f} s (CPU {ox_res['named_load_cpu_s']:.1f} s; "
             "target ≤ 10 s). Then the query store: ")
    lines.append(f"{named}Load: Oxigraph {how} {ox_res['load_s']:.1f} s (CPU "
                 f"{ox_res['load_cpu_s']:.1f} s{'' if named else '; target ≤ 10 s'}), "
                 f"RSS after load {ox_res['rss_after_load_mb']:.0f} MB; {mat}{opt}; peak RSS "
                 f"{ox_res['peak_rss_mb']:.0f} MB (target ≤ 1024 MB, load + all queries)"
                 + ("" if rd_res is None else
                    f"; rdflib Dataset parse {rd_res['load_s']:.1f} s, peak RSS "
                    f"{rd_res['peak_rss_mb']:.0f} MB") + ".")
    lines.append("")
    lines.append("| # | stored query | rows | Oxigraph median ms | Oxigraph CPU ms | target | "
                 "rdflib median ms | rdflib / Oxigraph | same rows |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for item, name, target in QUERIES:
        o = ox_res["queries"][name]
        if rd_res is not None:
            r = rd_res["queries"][name]
            if r["median_ms"] is None:
                rd = f"> {r['timeout_s'] * 1000:.0f} (gave up)"
                rt = f"> {r['timeout_s'] * 1000 / o['median_ms']:.0f}×"
                same = "—"
            else:
                ratio = r["median_ms"] / o["median_ms"] if o["median_ms"] else float("inf")
                same = "yes" if r["digest"] == o["digest"] and r["rows"] == o["rows"] else "NO"
                rd = f"{r['median_ms']:.0f} ({r['runs']} runs)"
                rt = f"{ratio:.0f}×"
        else:
            rd, rt, same = "—", "—", "—"
        ok = "✓" if o["median_ms"] <= target else "✗"
        cpu_ok = "✓" if o["cpu_ms"] <= target else "✗"
        lines.append(f"| {item} | {name} | {o['rows']} | {o['median_ms']:.1f} ({o['runs']} runs) | "
                     f"{o['cpu_ms']:.1f} {cpu_ok} | ≤ {target} {ok} | {rd} | {rt} | {same} |")
    text = "\n".join(lines)
    print(text)
    if a.write_results:
        _write_results(text)


def _write_results(body: str) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    head = "## Stored SPARQL queries: Oxigraph vs rdflib (issue 4, `bench_queries.py`)"
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmark results\n"
    if head in old:
        start = old.index(head)
        nxt = old.find("\n## ", start + len(head))
        old = old[:start] + (old[nxt + 1:] if nxt != -1 else "")
    new = old.rstrip("\n") + "\n\n" + head + "\n\n" + body + "\n"
    from kg.store import atomic_write

    atomic_write(path, new.encode("utf-8"))


if __name__ == "__main__":
    main()
