"""Time ``kg query NAME --store oxigraph:PATH`` end to end for every stored query.

Usage::

    python benchmarks/bench_kg_query.py STORE [--reps 3] [--only a,b] [--timeout 120]

Each run is a new ``kg`` process (interpreter start, imports, store opening, the query, the
default table of 50 rows; output discarded), as a user types it. Parameters are picked from
the store once: the chain with the most projects, the province (region) with the most
projects, the product with the most downstream links, a member company of a group and its
group, a project with a stated stage, a smaller region with 20–60 things in it. A query that
takes longer than 5 s is run once; otherwise the median of ``--reps`` runs is printed.
Prints one line per query and, at the end, a Markdown table for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

_P = ("PREFIX kg: <https://w3id.org/chainkg/ontology#>\n"
      "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")

_PICK = {
    "chain": "SELECT ?x (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p kg:partOfChain ?x } } "
             "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1",
    "region": "SELECT ?x (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Project ; kg:within ?x . "
              "?x a kg:Region } GROUP BY ?x ORDER BY DESC(?n) LIMIT 1",
    "product": "SELECT ?x (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?x kg:upstreamOf ?y } } "
               "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1",
    "company": "SELECT ?x WHERE { ?x kg:memberOf ?g } ORDER BY ?x LIMIT 1",
    "group": "SELECT ?x WHERE { ?c kg:memberOf ?x } ORDER BY ?c LIMIT 1",
    "project": "SELECT ?x WHERE { ?x a kg:Project ; kg:latestStatus ?s } ORDER BY ?x LIMIT 1",
    "small_region": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?y kg:within ?x . ?x a kg:Region } "
                    "GROUP BY ?x HAVING (COUNT(*) > 20 && COUNT(*) < 60) ORDER BY ?x LIMIT 1",
}


def pick_parameters(store_path: str) -> dict[str, str]:
    """IRIs to bind the stored queries' parameters to, read from the store."""
    import pyoxigraph as ox

    st = ox.Store.read_only(store_path)
    out = {}
    for key, q in _PICK.items():
        rows = list(st.query(_P + q))
        if rows:
            out[key] = rows[0][0].value
    return out


def arguments(p: dict[str, str]) -> dict[str, list[str]]:
    """``--param`` values per stored query (those without parameters run with none)."""
    a = {
        "chain-gaps": [f"chain={p.get('chain')}", f"region={p.get('region')}"],
        "chain-links-in-region": [f"chain={p.get('chain')}", f"region={p.get('region')}"],
        "entity-facts": [f"entity={p.get('company')}"],
        "entity-graph": [f"entity={p.get('company')}"],
        "group-companies": [f"group={p.get('group')}"],
        "lifecycle-indicators": [f"region={p.get('region')}"],
        "lifecycle-timeline": [f"project={p.get('project')}"],
        "product-chain": [f"product={p.get('product')}"],
        "projects-by-chain": [f"chain={p.get('chain')}"],
        "projects-in-place": [f"place={p.get('region')}"],
        "provenance": [f"subject={p.get('company')}"],
    }
    return {k: v for k, v in a.items() if all("=None" not in x for x in v)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", help="path of an Oxigraph store written by kg build --store")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated stored query names")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    kg = shutil.which("kg") or str(Path(sys.executable).with_name("kg"))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kg.query import list_stored_queries

    params = pick_parameters(args.store)
    print("parameters:", params, flush=True)
    bound = arguments(params)
    names = [n for n in args.only.split(",") if n] or [q.name for q in list_stored_queries()]
    results = []
    for name in names:
        cmd = [kg, "query", name, "--store", f"oxigraph:{args.store}",
               "--timeout", f"{args.timeout:g}"]
        for a in bound.get(name, []):
            cmd += ["--param", a]
        times = []
        for _ in range(max(1, args.reps)):
            t = time.perf_counter()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            times.append(time.perf_counter() - t)
            if times[-1] > 5:
                break
        note = "" if r.returncode == 0 else f"exit {r.returncode}: {r.stderr.strip()[-100:]}"
        results.append((name, statistics.median(times), len(times), note))
        print(f"{name:28s} {statistics.median(times):7.2f} s  ({len(times)} runs) {note}",
              flush=True)
    print("\n| stored query | s (median) | runs |\n|---|---:|---:|")
    for name, s, n, note in results:
        print(f"| {name} | {s:.2f}{' — ' + note if note else ''} | {n} |")


if __name__ == "__main__":
    main()
