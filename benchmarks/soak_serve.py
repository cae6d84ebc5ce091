"""Soak test of ``kg serve``: N clients running the stored queries for D seconds, memory sampled.

Starts a real ``kg serve`` on a free port of 127.0.0.1 (nothing else is contacted) serving the
seed graph (data/corpus, built into a temporary folder first unless ``--graph`` is given), then
runs the stored queries of kg/queries/ (parameters bound from their first ``# example:``, as
``kg query`` would) from N client threads in a loop bounded by time and by a request cap.
Every few seconds the resident memory of the server process and its worker processes is
sampled (psutil if installed, else /proc). The report (JSON) gives the error count with
samples, latency percentiles overall and per query, throughput, memory at start, end and
maximum with the drift between the first and the last minute, and /health after the run.
The exit code is 0 only with zero errors and a clean server exit.

With ``--mix`` the request stream also carries, in a fixed rotation, an ASK, a 100,000-row
result (must come back capped and flagged), malformed SPARQL (400), SERVICE and update
(403) and now and then a cross join that must be stopped (503 timeout); each kind counts as
an error only when its answer differs from the one expected.

    python benchmarks/soak_serve.py [--graph GRAPH] [--clients 8] [--seconds 600]
                                    [--requests N] [--timeout 30] [--cache-mb 0] [--mix]

The issue-5 soak (600 requests of the mix, 4 clients, budget 5 s) is
``--mix --clients 4 --requests 600 --timeout 5``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
MAX_REQUESTS = 5_000_000  # hard cap of the request loop, whatever the duration


def _rss_kb_proc(pid: int) -> int:
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


def rss_mb(pid: int) -> tuple[float, float]:
    """``(server, server + workers)`` resident memory in MB."""
    try:
        import psutil
    except ImportError:
        own = _rss_kb_proc_single(pid)
        return own / 1024, _rss_kb_proc(pid) / 1024
    try:
        proc = psutil.Process(pid)
        own = proc.memory_info().rss
        total = own
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                continue
    except psutil.Error:
        return float("nan"), float("nan")
    return own / 2**20, total / 2**20


def _rss_kb_proc_single(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def _summary(lat: list[float]) -> dict:
    return {"n": len(lat), "p50_ms": round(_pct(lat, 50) * 1000, 1),
            "p90_ms": round(_pct(lat, 90) * 1000, 1), "p99_ms": round(_pct(lat, 99) * 1000, 1),
            "max_ms": round(max(lat) * 1000, 1) if lat else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", type=Path, help="graph to serve (default: build the seed corpus)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=600.0, help="duration of the load")
    ap.add_argument("--requests", type=int, default=MAX_REQUESTS,
                    help="stop after this many requests too (the issue-5 soak: 600)")
    ap.add_argument("--timeout", type=float, default=30.0, help="the server's --timeout")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache-mb", type=int, default=0,
                    help="the server's result cache (0: every request runs the engine)")
    ap.add_argument("--sample", type=float, default=5.0, help="memory sampling period, s")
    ap.add_argument("--mix", action="store_true",
                    help="add capped, malformed, refused and runaway requests to the stream")
    args = ap.parse_args(argv)

    import tempfile

    import httpx
    from bench_serve import bound_queries, build_seed
    from serve.helpers import start_server

    with tempfile.TemporaryDirectory() as tmp:
        t_build = time.monotonic()
        graph = args.graph or build_seed(Path(tmp) / "seed")
        build_s = time.monotonic() - t_build
        named, left_out = bound_queries(graph)
        names = sorted(named)
        if not names:
            print("no stored query binds on this graph", file=sys.stderr)
            return 1
        # (kind, request kwargs, expected statuses)
        mix = [("stored", None, {200})] * 12
        if args.mix:
            mix += [
                ("ask", {"params": {"query": "ASK {}"}}, {200}),
                ("capped", {"params": {"query": ROWS_100K}}, {200}),
                ("syntax", {"params": {"query": "SELECT * WHERE {"}}, {400}),
                ("service", {"params": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> "
                                                 "{ ?s ?p ?o } }"}}, {403}),
                ("update", {"data": {"update": "CLEAR ALL"}}, {403}),
            ]
        server = start_server("--timeout", str(args.timeout), "--workers", str(args.workers),
                              "--cache-mb", str(args.cache_mb), graph=graph)
        pid = server.proc.pid
        samples: list[tuple[float, float, float]] = []  # (t, server MB, server+workers MB)
        lat: dict[str, list[float]] = {}
        counts: dict[str, int] = {}
        statuses: dict[str, int] = {}
        bad: list[str] = []
        lock = threading.Lock()
        next_i = [0]
        done = threading.Event()
        t0 = time.monotonic()
        stop_at = t0 + args.seconds
        samples.append((0.0, *rss_mb(pid)))

        def sampler() -> None:
            while not done.wait(args.sample):
                samples.append((time.monotonic() - t0, *rss_mb(pid)))

        def client() -> None:
            with httpx.Client(timeout=args.timeout + 30) as http:
                while time.monotonic() < stop_at:
                    with lock:
                        i = next_i[0]
                        next_i[0] += 1
                    if i >= min(args.requests, MAX_REQUESTS):
                        return
                    if args.mix and i % 50 == 49:
                        kind, req, ok = "runaway", {"params": {"query": CROSS_JOIN}}, {503}
                    else:
                        kind, req, ok = mix[i % len(mix)]
                    if kind == "stored":
                        kind = "stored:" + names[i % len(names)]
                        req = {"data": {"query": named[names[i % len(names)]]}}
                    problem, status = None, "exception"
                    t1 = time.perf_counter()
                    try:
                        r = (http.post(server.endpoint, **req) if "data" in req
                             else http.get(server.endpoint, **req))
                        status = str(r.status_code)
                        if r.status_code not in ok:
                            problem = f"{kind}: HTTP {r.status_code} {r.text[:150]}"
                        elif r.status_code == 200 and "json" in r.headers.get("content-type", ""):
                            body = r.json()  # a complete document, never a cut one
                            if kind == "capped" and (
                                    len(body["results"]["bindings"]) != 10_000
                                    or r.headers.get("X-KG-Result-Capped") != "true"):
                                problem = "capped: not capped and flagged"
                        elif r.status_code != 200 and set(r.json()) != {"error"}:
                            problem = f"{kind}: error not in the JSON error shape"
                    except (httpx.HTTPError, ValueError) as exc:
                        problem = f"{kind}: {type(exc).__name__}: {exc}"
                    dt = time.perf_counter() - t1
                    with lock:
                        counts[kind] = counts.get(kind, 0) + 1
                        statuses[status] = statuses.get(status, 0) + 1
                        lat.setdefault(kind, []).append(dt)
                        if problem:
                            bad.append(problem)

        sam = threading.Thread(target=sampler, daemon=True)
        sam.start()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        done.set()
        sam.join()
        time.sleep(3)  # let a replacement worker (after a runaway) start
        samples.append((time.monotonic() - t0, *rss_mb(pid)))
        try:
            health = httpx.get(server.base + "/health", timeout=10).json()
        except (httpx.HTTPError, ValueError) as exc:
            health = {"unreachable": str(exc)}
            bad.append(f"/health after the run: {exc}")
        alive = server.proc.poll() is None
        code = server.stop()

    import pyoxigraph
    import starlette
    import uvicorn

    def window(lo: float, hi: float, col: int) -> float | None:
        vals = [s[col] for s in samples if lo <= s[0] < hi]
        return round(sum(vals) / len(vals), 1) if vals else None

    stored_lat = [x for k, v in lat.items() if k.startswith("stored:") for x in v]
    total_n = sum(counts.values())
    report = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}",
        "versions": {"pyoxigraph": pyoxigraph.__version__, "starlette": starlette.__version__,
                     "uvicorn": uvicorn.__version__, "httpx": httpx.__version__},
        "graph": str(args.graph) if args.graph else "seed (data/corpus, built in this run)",
        "build_seconds": round(build_s, 1),
        "server": {"workers": args.workers, "timeout_s": args.timeout, "cache_mb": args.cache_mb},
        "clients": args.clients, "seconds": round(wall, 1), "mix": args.mix,
        "stored_queries": len(names), "stored_queries_left_out": left_out,
        "requests": total_n, "requests_per_s": round(total_n / wall, 1) if wall else None,
        "statuses": statuses, "errors": len(bad), "error_samples": bad[:5],
        "latency_stored": _summary(stored_lat),
        "latency_by_kind": {k: _summary(v) for k, v in sorted(lat.items())},
        "memory_mb": {
            "sampler": "psutil" if _has_psutil() else "/proc",
            "samples": len(samples), "period_s": args.sample,
            "server_start": round(samples[0][1], 1), "server_end": round(samples[-1][1], 1),
            "server_max": round(max(s[1] for s in samples), 1),
            "total_start": round(samples[0][2], 1), "total_end": round(samples[-1][2], 1),
            "total_max": round(max(s[2] for s in samples), 1),
            "total_first_minute_mean": window(0, 60, 2),
            "total_last_minute_mean": window(wall - 60, wall + 10, 2),
            "total_mean_by_minute": [window(m * 60, (m + 1) * 60, 2)
                                     for m in range(int(wall // 60) + 1)
                                     if window(m * 60, (m + 1) * 60, 2) is not None],
        },
        "health_after": {k: health.get(k) for k in ("status", "workers", "queries", "timeouts",
                                                     "restarts", "errors")},
        "server_alive_after": alive, "server_exit_code": code,
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if not bad and alive and code == 0 else 1


def _has_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
