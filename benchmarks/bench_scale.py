"""Scaling-out benchmark: bulk load into SPARQL servers, and distributed extraction.

Measurements (issue 12), each against a baseline measured in the same run:

``load``  — a build's ``graph.trig`` (or an N-Quads file) streamed into a real Oxigraph
server and a real Virtuoso 7 on loopback by :func:`kg.store_remote.load_remote_from_file`
(the bulk path of ``kg build --store sparql+http://…``), once per *variant* (store spec
options such as ``quads=0&concurrency=1``, the old one-PUT-per-graph path), each into a
fresh server. Wall, client CPU and server CPU time (the server's CPU is the figure that
survives a shared machine), quads per second, the server's peak RSS, and a count query
checked against the quads sent; ``--reload`` loads the same graph a second time (the
replacement path of a rebuild); ``--embedded`` first bulk-loads the file into an embedded
Oxigraph store as a baseline. ``--virtuoso-bulk`` also measures Virtuoso's own bulk loader
(``ld_dir`` + ``rdf_loader_run`` through ``isql``; it needs the N-Quads on the server's file
system, so it is not what ``kg build`` does).

``build`` — ingest + extraction of N generated documents (``make_corpus.py``) on a local
Dask cluster of two worker processes (one thread each) versus the local process pool of two
workers that ``kg build --workers 2`` uses; the extraction results are checked to be equal.
Cluster start-up is not counted (a team's cluster is already running).

``dask-build`` — a whole ``kg build`` of a corpus with ``--engine dask`` on a fresh local
cluster of two workers (one thread each), in a child process: total and per-stage seconds,
peak RSS of the build and of the workers; compared with a pool build's record (``--pool``,
a JSON file with ``timings``) when given.

Usage::

    python benchmarks/bench_scale.py load --graph OUT/graph.trig [--reload] \
        [--variant 'oxigraph:quads=0&concurrency=1'] [--virtuoso-bulk]
    python benchmarks/bench_scale.py build --docs 10000 [--skip doc050.txt]
    python benchmarks/bench_scale.py dask-build --corpus DOCS --out OUT [--pool POOL.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Variants measured by default: store spec options per server ("" = the defaults).
DEFAULT_VARIANTS = {
    "oxigraph": ["quads=0&concurrency=1", "concurrency=1", ""],
    "virtuoso": ["concurrency=1", ""],
}


def _peak_rss_mb(pid: int) -> float | None:
    """Peak resident set size of a live process (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process (the server's work, whatever the load)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _progress_log(kind: str, what: str, start: float, every: int = 500):
    """A progress callback that prints a line every ``every`` graphs (partial figures of a
    load that is stopped before it ends)."""
    def progress(done: int, _total, _name) -> None:
        if done % every == 0:
            print(json.dumps({"server": kind, "pass": what, "graphs_done": done,
                              "elapsed_s": round(time.perf_counter() - start, 1),
                              "load": _load_avg()}), file=sys.stderr, flush=True)
    return progress


def _load_avg() -> str:
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _staged_store(graph: Path, work: Path):
    import pyoxigraph as ox

    fmt = ox.RdfFormat.N_QUADS if graph.suffix in (".nq", ".nquads") else ox.RdfFormat.TRIG
    st = ox.Store(str(work / "staged"))
    t = time.perf_counter()
    st.bulk_load(path=str(graph), format=fmt)
    st.flush()
    return st, time.perf_counter() - t


def _count_under(st, prefix: str) -> int:
    q = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
         f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}')
    return int(next(iter(st.query(q)))["n"].value)


def bench_load(graph: Path, servers: list[str], variants: dict[str, list[str]], *,
               work: Path | None = None, reload: bool = False, embedded: bool = False,
               virtuoso_bulk: bool = False, buffers: int = 680000) -> dict:
    from kg.ns import BASE
    from kg.store_remote import RemoteStore, load_remote_from_file
    from tests.scale.servers import VIRTUOSO_ENV, oxigraph_server, virtuoso_server

    work = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=work))
    out: dict = {"graph": str(graph), "bytes": graph.stat().st_size, "runs": []}
    staged = None
    if embedded:
        st, staged = _staged_store(graph, work)
        out["quads"] = _count_under(st, BASE)
        out["embedded_bulk_load_s"] = round(staged, 2)
        out["embedded_quads_per_s"] = round(out["quads"] / staged)
        print(json.dumps(out), file=sys.stderr, flush=True)
    for kind in servers:
        env = VIRTUOSO_ENV if kind == "virtuoso" else {}
        for i, opts in enumerate(variants.get(kind, [""])):
            folder = work / f"{kind}-{i}"
            ctx = oxigraph_server(folder) if kind == "oxigraph" else \
                virtuoso_server(folder, buffers=buffers)
            with ctx as spec:
                full = spec + ("&" + opts if opts else "")
                run = {"server": kind, "options": opts or "(defaults)",
                       "load_before": _load_avg()}
                passes = ["load", "reload"] if reload else ["load"]
                for what in passes:
                    t, c = time.perf_counter(), time.process_time()
                    server_cpu = _cpu_s(spec.pid)
                    info = load_remote_from_file(full, graph, env=env,
                                                 progress=_progress_log(kind, what, t))
                    secs = time.perf_counter() - t
                    run[f"{what}_server_cpu_s"] = round(_cpu_s(spec.pid) - server_cpu, 2)
                    run[f"{what}_s"] = round(secs, 2)
                    run[f"{what}_client_cpu_s"] = round(time.process_time() - c, 2)
                    run[f"{what}_quads_per_s"] = round(info["triples"] / secs)
                    run[f"{what}_requests"] = info["requests"]
                    run["graphs"], run["quads_sent"] = info["graphs"], info["triples"]
                run["load_after"] = _load_avg()
                t = time.perf_counter()
                with RemoteStore(spec, env=env) as rs:
                    run["count"] = rs.count(BASE)
                run["count_query_s"] = round(time.perf_counter() - t, 2)
                run["count_ok"] = run["count"] == out.setdefault("quads", info["triples"])
                run["server_peak_rss_mb"] = _peak_rss_mb(spec.pid)
                if staged:
                    run["vs_embedded"] = round(run["load_s"] / staged, 2)
            out["runs"].append(run)
            print(json.dumps(run), file=sys.stderr, flush=True)  # partial results as they come
    if virtuoso_bulk and "virtuoso" in servers:
        out["runs"].append(_virtuoso_bulk(graph, work, out.get("quads"), buffers))
        print(json.dumps(out["runs"][-1]), file=sys.stderr, flush=True)
    return out


def _virtuoso_bulk(graph: Path, work: Path, n: int | None, buffers: int) -> dict:
    """Virtuoso's bulk loader on N-Quads files in a folder the server may read."""
    import pyoxigraph as ox

    from kg.ns import BASE
    from kg.store_remote import RemoteStore
    from tests.scale.servers import VIRTUOSO_ENV, virtuoso_server

    files = work / "nq"
    files.mkdir()
    t = time.perf_counter()
    fmt = ox.RdfFormat.N_QUADS if graph.suffix in (".nq", ".nquads") else ox.RdfFormat.TRIG
    ox.serialize(ox.parse(path=str(graph), format=fmt), str(files / "graph.nq"),
                 format=ox.RdfFormat.N_QUADS)
    if n is None:
        with (files / "graph.nq").open("rb") as fh:
            n = sum(1 for _ in fh)
    run = {"server": "virtuoso", "options": "isql ld_dir + rdf_loader_run (server file system)",
           "dump_nquads_s": round(time.perf_counter() - t, 2), "load_before": _load_avg()}
    with virtuoso_server(work / "virtuoso-bulk", buffers=buffers, dirs_allowed=(files,)) as spec:
        sql = (f"ld_dir('{files}', '*.nq', 'urn:x-chainkg:bulk'); rdf_loader_run(); "
               "checkpoint;")
        t = time.perf_counter()
        server_cpu = _cpu_s(spec.pid)
        subprocess.run(["isql-vt", f"127.0.0.1:{spec.sql_port}", "dba", "dba",
                        f"exec={sql}"], check=True, capture_output=True, timeout=7200)
        secs = time.perf_counter() - t
        run["load_s"] = round(secs, 2)
        run["load_server_cpu_s"] = round(_cpu_s(spec.pid) - server_cpu, 2)
        run["load_quads_per_s"] = round(n / secs)
        run["load_after"] = _load_avg()
        with RemoteStore(spec, env=VIRTUOSO_ENV) as rs:
            run["count"] = rs.count(BASE)
        run["count_ok"] = run["count"] == n
        run["server_peak_rss_mb"] = _peak_rss_mb(spec.pid)
    return run


def bench_build(docs: int, skip: list[str], dask_first: bool = False) -> dict:
    from concurrent.futures import ProcessPoolExecutor

    from kg.distributed import extract_with_dask
    from kg.ingest import iter_documents
    from kg.pipeline import _extract_one
    from tests.scale.servers import dask_cluster

    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"),
                    str(tmp / "docs"), "--docs", str(docs)], check=True, capture_output=True)
    for name in skip:  # documents that trip a slow path of extraction (reported separately)
        (tmp / "docs" / name).unlink(missing_ok=True)
    files, _ = iter_documents(tmp / "docs")
    todo = [str(f) for f in files]
    out = {"documents": len(todo), "skipped": skip}
    def pool_run():
        t = time.perf_counter()
        chunk = max(1, min(64, len(todo) // (2 * 8) or 1))  # as kg.pipeline.build_graph
        with ProcessPoolExecutor(max_workers=2) as pool:
            res = sorted(pool.map(_extract_one, todo, chunksize=chunk), key=lambda r: r[0])
        out["process_pool_2_s"] = round(time.perf_counter() - t, 2)
        return res

    def dask_run():
        with dask_cluster(tmp, workers=2) as address:
            t = time.perf_counter()
            res = extract_with_dask(todo, address)
            out["dask_2_workers_s"] = round(time.perf_counter() - t, 2)
        return res

    out["first"] = "dask" if dask_first else "pool"
    if dask_first:
        dist, local = dask_run(), pool_run()
    else:
        local, dist = pool_run(), dask_run()
    assert [(p, e.document.id if e else None, err) for p, e, err in dist] == \
        [(p, e.document.id if e else None, err) for p, e, err in local]
    out["dask_vs_pool"] = round(out["dask_2_workers_s"] / out["process_pool_2_s"], 3)
    out["docs_per_s_pool"] = round(len(todo) / out["process_pool_2_s"], 2)
    out["docs_per_s_dask"] = round(len(todo) / out["dask_2_workers_s"], 2)
    return out


_CHILD_BUILD = """
import json, resource, sys, time
from kg.pipeline import build_graph
a = json.loads(sys.argv[1])
t = time.perf_counter()
last = [0.0]
def progress(i, n, path):  # extraction progress on stderr: figures of a run stopped early
    now = time.perf_counter() - t
    if i == n or now - last[0] > 30:
        last[0] = now
        print(f"{now:8.1f}s extract {i}/{n}", file=sys.stderr, flush=True)
store = "oxigraph:" + a["out"] + "/store" if a["store"] else None
r = build_graph(a["corpus"], a["out"], engine=a["engine"], scheduler=a["scheduler"],
                workers=a["workers"], validate=a["validate"], store=store, progress=progress)
print(json.dumps({"total_s": round(time.perf_counter() - t, 2),
                  "timings": {k: round(v, 2) for k, v in r.timings.items()},
                  "documents": len(r.documents), "problems": len(r.problems),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "peak_rss_children_mb": round(
                      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}))
"""


def bench_dask_build(corpus: Path, out_dir: Path, workers: int, validate: bool,
                     pool: Path | None, engine: str = "dask", store: bool = False) -> dict:
    """``build_graph(engine="dask")`` in a child process against a fresh 2-worker cluster
    (``engine="local"``: the same harness for the process-pool baseline, no cluster)."""
    import contextlib

    import psutil

    from tests.scale.servers import dask_cluster

    work = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    res: dict = {"engine": engine, "corpus": str(corpus), "out": str(out_dir),
                 "workers": workers, "validate": validate, "commit": _commit()}
    cluster = dask_cluster(work, workers=2) if engine == "dask" else contextlib.nullcontext()
    with cluster as address:
        me = psutil.Process()
        procs = [p for p in me.children(recursive=True)]
        res["load_before"] = _load_avg()
        args = json.dumps({"corpus": str(corpus), "out": str(out_dir), "scheduler": address,
                           "workers": workers, "validate": validate, "engine": engine,
                           "store": store})
        t = time.perf_counter()
        child = subprocess.run([sys.executable, "-c", _CHILD_BUILD, args], check=True,
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
        res["wall_s"] = round(time.perf_counter() - t, 2)
        res["load_after"] = _load_avg()
        res.update(json.loads(child.stdout.strip().splitlines()[-1]))
        # scheduler, and per worker its nanny and the worker process it spawned
        res["cluster_peak_rss_mb"] = {
            f"{p.pid} {' '.join(p.cmdline()[1:3])}": _peak_rss_mb(p.pid)
            for p in procs if p.is_running()}
    if pool and pool.exists():
        ref = json.loads(pool.read_text())
        res["pool"] = ref
        pt = ref.get("timings") or ref.get("stages") or ref.get("stages_s") or {}
        res["dask_vs_pool"] = {k: round(v / pt[k], 3) for k, v in res["timings"].items()
                               if pt.get(k)}
        total = ref.get("total_s") or ref.get("wall_s") or ref.get("wall")
        if total:
            res["dask_vs_pool"]["total"] = round(res["total_s"] / total, 3)
    return res


def _commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip()


def main() -> None:
    import signal

    # SIGTERM unwinds like Ctrl-C, so the servers and clusters started here are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    lo = sub.add_parser("load")
    lo.add_argument("--graph", type=Path, required=True,
                    help="a build's graph.trig, or an N-Quads file")
    lo.add_argument("--servers", default="oxigraph,virtuoso")
    lo.add_argument("--variant", action="append", default=[],
                    help="SERVER:OPTIONS, e.g. 'oxigraph:quads=0&concurrency=1' "
                         f"(repeatable; default: {DEFAULT_VARIANTS})")
    lo.add_argument("--reload", action="store_true", help="load a second time (replacing)")
    lo.add_argument("--embedded", action="store_true",
                    help="baseline: bulk-load the file into an embedded Oxigraph store first")
    lo.add_argument("--virtuoso-bulk", action="store_true")
    lo.add_argument("--work", type=Path, help="folder for the staged store and servers")
    db = sub.add_parser("dask-build")
    db.add_argument("--corpus", type=Path, required=True)
    db.add_argument("--out", type=Path, required=True)
    db.add_argument("--workers", type=int, default=2, help="local processes for mapping")
    db.add_argument("--no-validate", action="store_true")
    db.add_argument("--pool", type=Path, help="the pool build's JSON record")
    db.add_argument("--oxigraph-store", action="store_true",
                    help="also build the Oxigraph store OUT/store (as kg build --store)")
    db.add_argument("--engine", default="dask", choices=["dask", "local"],
                    help="local: the same measurement of the process-pool build")
    bu = sub.add_parser("build")
    bu.add_argument("--docs", type=int, default=10000)
    bu.add_argument("--skip", action="append", default=[],
                    help="leave out this generated document (a file name), repeatable")
    bu.add_argument("--dask-first", action="store_true",
                    help="run the Dask cluster before the process pool (order effects)")
    a = ap.parse_args()
    if a.what == "load":
        variants: dict[str, list[str]] = {}
        for v in a.variant:
            kind, _, opts = v.partition(":")
            variants.setdefault(kind, []).append(opts)
        res = bench_load(a.graph, a.servers.split(","), variants or DEFAULT_VARIANTS,
                         work=a.work, reload=a.reload, embedded=a.embedded,
                         virtuoso_bulk=a.virtuoso_bulk)
    elif a.what == "dask-build":
        res = bench_dask_build(a.corpus, a.out, a.workers, not a.no_validate, a.pool,
                               a.engine, a.oxigraph_store)
    else:
        res = bench_build(a.docs, a.skip, a.dask_first)
    print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    main()
