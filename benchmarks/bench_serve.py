"""Benchmark of ``kg serve``: N concurrent clients running the stored queries for D seconds.

Starts a real ``kg serve`` on a free port of 127.0.0.1 (nothing else is contacted), runs the
stored queries of kg/queries/ from N client threads in a bounded loop, and prints latency
percentiles, throughput and errors as JSON. Baselines measured in the same run: the same
queries run in-process with kg.query.run_query on an Oxigraph store (no HTTP, no worker), and
over HTTP from one client.

    python benchmarks/bench_serve.py [--graph GRAPH] [--clients 8] [--seconds 30]

Without --graph the seed corpus (data/corpus) is built first into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def _summary(lat: list[float]) -> dict:
    return {"n": len(lat), "p50_ms": round(_pct(lat, 50) * 1000, 2),
            "p95_ms": round(_pct(lat, 95) * 1000, 2), "p99_ms": round(_pct(lat, 99) * 1000, 2),
            "max_ms": round(max(lat) * 1000, 2) if lat else None}


def build_seed(out: Path) -> Path:
    from kg.pipeline import build_graph

    build_graph([ROOT / "data" / "corpus"], out, validate=False)
    return out / "graph.trig"


def run_clients(endpoint: str, queries: list[str], clients: int, seconds: float) -> dict:
    import httpx

    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(k: int) -> None:
        with httpx.Client(timeout=60) as http:
            i = k
            while time.monotonic() < stop_at:
                q = queries[i % len(queries)]
                i += 1
                t0 = time.perf_counter()
                r = http.post(endpoint, data={"query": q},
                              headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
                dt = time.perf_counter() - t0
                with lock:
                    lat.append(dt)
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text[:120]}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    return {**_summary(lat), "clients": clients, "seconds": round(wall, 1),
            "throughput_rps": round(len(lat) / wall, 1), "errors": len(errors),
            "error_samples": errors[:3]}


def bound_queries(graph: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each stored query with the parameters of its first ``# example:`` bound, as a client
    would send it (names looked up among the labels, as ``kg query`` does).

    Returns ``(queries, skipped)``: name → SPARQL text, and name → why it was left out.
    """
    import re

    import pyoxigraph as ox

    # kg.query's own binding path, so the texts are what `kg query --param` would run
    from kg.query import _collect_bindings, _open_source, bind_values, list_stored_queries

    store = ox.Store()
    store.bulk_load(path=str(graph), format=ox.RdfFormat.TRIG)
    src = _open_source(store)
    out, skipped = {}, {}
    for q in list_stored_queries():
        params: dict[str, str] = {}
        if q.examples:
            params = dict(re.findall(r"--param\s+(\w+)=(\S+)", q.examples[0]))
        try:
            bindings = _collect_bindings(src, q.text, q, params)
        except Exception as exc:  # the seed may not name the example's entity
            skipped[q.name] = f"example parameters do not resolve on this graph: {exc}"
            continue
        out[q.name] = bind_values(q.text, bindings) if bindings else q.text
    return out, skipped


def direct_baseline(graph: Path, queries: list[str], rounds: int = 5) -> dict:
    import pyoxigraph as ox

    from kg.query import run_query

    store = ox.Store()
    store.bulk_load(path=str(graph), format=ox.RdfFormat.TRIG)
    lat = []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            res = run_query(store, q, limit=10_000)
            res.serialize("turtle" if res.form == "GRAPH" else "json")
            lat.append(time.perf_counter() - t0)
    return _summary(lat)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", type=Path)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args(argv)

    import httpx
    import pyoxigraph
    import starlette
    import uvicorn
    from serve.helpers import start_server

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        graph = args.graph or build_seed(Path(tmp) / "seed")
        build_s = time.monotonic() - t0
        named, skipped = bound_queries(graph)
        results = {}
        for label, extra in (("no_cache", ["--cache-mb", "0"]), ("cache", [])):
            server = start_server("--workers", "2", *extra, graph=graph)
            try:
                per_query = {}
                if label == "no_cache":
                    # per-query latency, one client, to show where time goes; a query the
                    # engine fails on is left out of the load and reported
                    with httpx.Client(timeout=60) as http:
                        for name, text in named.items():
                            times, r = [], None
                            for _ in range(3):
                                t1 = time.perf_counter()
                                r = http.post(server.endpoint, data={"query": text})
                                times.append(time.perf_counter() - t1)
                                if r.status_code != 200:
                                    break
                            per_query[name] = {"status": r.status_code,
                                               "median_ms": round(statistics.median(times) * 1000, 1),
                                               "capped": r.headers.get("X-KG-Result-Capped") == "true"}
                            if r.status_code != 200:
                                skipped[name] = f"HTTP {r.status_code}: {r.text[:200]}"
                    results["per_query"] = per_query
                queries = [t for n, t in named.items() if n not in skipped]
                one = run_clients(server.endpoint, queries, 1, min(10.0, args.seconds))
                many = run_clients(server.endpoint, queries, args.clients, args.seconds)
                health = httpx.get(server.base + "/health").json()
            finally:
                code = server.stop()
            results[label] = {"http_1_client": one, f"http_{args.clients}_clients": many,
                              "server_health_after": {k: health[k] for k in
                                                      ("queries", "timeouts", "restarts", "errors",
                                                       "cache")},
                              "server_exit_code": code}
        base = direct_baseline(graph, queries)
    import rdflib

    report = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}",
        "versions": {"pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__,
                     "starlette": starlette.__version__, "uvicorn": uvicorn.__version__,
                     "httpx": httpx.__version__},
        "graph": str(graph) if args.graph else "seed (data/corpus, built in this run)",
        "build_seconds": round(build_s, 1), "stored_queries_run": len(queries),
        "stored_queries_left_out": skipped,
        "direct_in_process": base,
        **{k: results[k] for k in ("no_cache", "cache")},
    }
    n = f"http_{args.clients}_clients"
    nc, c = results["no_cache"], results["cache"]
    report["ratios"] = {
        "p50_http1_no_cache_vs_direct": round(nc["http_1_client"]["p50_ms"] / base["p50_ms"], 2),
        f"p95_{n}_no_cache_vs_http1_no_cache": round(nc[n]["p95_ms"] / nc["http_1_client"]["p95_ms"], 2),
        f"p95_{n}_cache_vs_no_cache": round(c[n]["p95_ms"] / nc[n]["p95_ms"], 3),
    }
    report["per_query_no_cache"] = results["per_query"]
    print(json.dumps(report, ensure_ascii=False, indent=1))
    ok = all(results[k][n]["errors"] == 0 and results[k]["server_exit_code"] == 0
             for k in ("no_cache", "cache"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
