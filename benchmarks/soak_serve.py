"""Soak test of ``kg serve``: a bounded mix of good, capped, malformed and runaway queries.

Starts a real ``kg serve`` on a free port of 127.0.0.1 with a short time budget, then sends
a fixed number of requests from N client threads: stored queries, ASK, a 100,000-row result
(capped), malformed SPARQL, refused SERVICE/update, and now and then a cross join that must
time out. Every answer must be either a complete 200 (parsed) or the JSON error expected for
that request; the memory of the server and its workers is sampled before and after.

    python benchmarks/soak_serve.py [--graph GRAPH] [--clients 4] [--requests 600]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
ROWS_100K = ("SELECT * WHERE { VALUES ?a {0 1 2 3 4 5 6 7 8 9} VALUES ?b {0 1 2 3 4 5 6 7 8 9} "
             "VALUES ?c {0 1 2 3 4 5 6 7 8 9} VALUES ?d {0 1 2 3 4 5 6 7 8 9} "
             "VALUES ?e {0 1 2 3 4 5 6 7 8 9} }")


def _rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants, kB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                todo.extend(int(k) for k in kids)
        except OSError:
            continue
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", type=Path)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args(argv)

    import tempfile

    import httpx
    from bench_serve import bound_queries, build_seed
    from serve.helpers import start_server

    with tempfile.TemporaryDirectory() as tmp:
        graph = args.graph or build_seed(Path(tmp) / "seed")
        named, _ = bound_queries(graph)
        stored = list(named.values())
        # (kind, request kwargs, expected statuses)
        mix = [("stored", None, {200})] * 12 + [
            ("ask", {"params": {"query": "ASK {}"}}, {200}),
            ("capped", {"params": {"query": ROWS_100K}}, {200}),
            ("syntax", {"params": {"query": "SELECT * WHERE {"}}, {400}),
            ("service", {"params": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}, {403}),
            ("update", {"data": {"update": "CLEAR ALL"}}, {403}),
        ]
        server = start_server("--timeout", str(args.timeout), "--workers", "2", "--cache-mb", "0",
                              graph=graph)
        rss_before = _rss_kb(server.proc.pid)
        counts: dict[str, int] = {}
        bad: list[str] = []
        lat: dict[str, list[float]] = {}
        lock = threading.Lock()
        next_i = [0]

        def client() -> None:
            with httpx.Client(timeout=60) as http:
                while True:
                    with lock:
                        i = next_i[0]
                        next_i[0] += 1
                    if i >= args.requests:
                        return
                    if i % 50 == 49:
                        kind, req, ok = "runaway", {"params": {"query": CROSS_JOIN}}, {503}
                    else:
                        kind, req, ok = mix[i % len(mix)]
                    if kind == "stored":
                        req = {"data": {"query": stored[i % len(stored)]}}
                    t0 = time.perf_counter()
                    r = (http.post(server.endpoint, **req) if "data" in req
                         else http.get(server.endpoint, **req))
                    dt = time.perf_counter() - t0
                    problem = None
                    if r.status_code not in ok:
                        problem = f"{kind}: HTTP {r.status_code} {r.text[:150]}"
                    elif r.status_code == 200 and "json" in r.headers.get("content-type", ""):
                        body = r.json()  # a complete document, never a cut one
                        if kind == "capped" and (len(body["results"]["bindings"]) != 10_000
                                                 or r.headers.get("X-KG-Result-Capped") != "true"):
                            problem = "capped: not capped and flagged"
                    elif r.status_code != 200 and set(r.json()) != {"error"}:
                        problem = f"{kind}: error not in the JSON error shape"
                    with lock:
                        counts[kind] = counts.get(kind, 0) + 1
                        lat.setdefault(kind, []).append(dt)
                        if problem:
                            bad.append(problem)

        t0 = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        time.sleep(3)  # let the last replacement worker start
        health = httpx.get(server.base + "/health").json()
        rss_after = _rss_kb(server.proc.pid)
        code = server.stop()
    report = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "requests": args.requests, "clients": args.clients, "seconds": round(wall, 1),
        "by_kind": counts, "unexpected": len(bad), "unexpected_samples": bad[:5],
        "median_ms_by_kind": {k: round(sorted(v)[len(v) // 2] * 1000, 1) for k, v in lat.items()},
        "health_after": {k: health[k] for k in ("workers", "queries", "timeouts", "restarts", "errors")},
        "rss_mb_before": round(rss_before / 1024, 1), "rss_mb_after": round(rss_after / 1024, 1),
        "exit_code": code,
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if not bad and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
