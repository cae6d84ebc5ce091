"""Benchmark of kg.viz: the 5,000-node explorer, against pyvis's default output.

Builds a synthetic graph in the RDF shape of kg.mapping (entities with labels and aliases,
relations with reified assertions and source sentences, quantities, statuses, chain links),
then measures:

* generation of explorer.html (SPARQL read + pyvis network + render), from an Oxigraph store
  and from an rdflib Dataset (which is first copied into Oxigraph);
* the page size;
* in headless Chromium (Debian's, offline): time until drawn and settled (physics stopped),
  for the default page (aggregated above the 3,000-node budget) and for the full view;
* the same graph through pyvis's defaults (``Network().from_nx(G)``, ``generate_html``), its
  size and time to stabilise (pyvis keeps physics on; we time its stabilisation).

Usage: ``python benchmarks/bench_viz.py [--nodes 5000] [--no-browser]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

KG = "https://w3id.org/chainkg/ontology#"
ID = "https://w3id.org/chainkg/id/"
DOC = "https://w3id.org/chainkg/doc/"
CH = "https://w3id.org/chainkg/chain/"
ST = "https://w3id.org/chainkg/status/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "https://schema.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
STATUSES = ["signed", "under_construction", "in_production", "planned", "started"]


def synth_nquads(n_nodes: int, seed: int = 1) -> tuple[str, int]:
    """N-Quads of a synthetic graph with about ``n_nodes`` explorer nodes."""
    rnd = random.Random(seed)
    out: list[str] = []
    g_chains, g_ent = f"<{CH[:-6]}graph/chains>", f"<{CH[:-6]}graph/entities>"

    def lit(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"@zh'

    def q(s, p, o, g):
        out.append(f"{s} {p} {o} {g} .")

    chains, links = [f"c{i}" for i in range(5)], []
    for c in chains:
        q(f"<{CH}{c}>", f"<{RDF_TYPE}>", f"<{KG}IndustryChain>", g_chains)
        q(f"<{CH}{c}>", f"<{SKOS}prefLabel>", lit(f"产业链{c}"), g_chains)
        for k in range(8):
            ln = f"<{CH}{c}/l{k}>"
            links.append(ln)
            q(ln, f"<{RDF_TYPE}>", f"<{KG}ChainLink>", g_chains)
            q(ln, f"<{SKOS}inScheme>", f"<{CH}{c}>", g_chains)
            q(ln, f"<{SKOS}prefLabel>", lit(f"环节{c}-{k}"), g_chains)
    n_ent = n_nodes - len(links)
    kinds = [("region", "Region", 0.01), ("zone", "DevelopmentZone", 0.03), ("gov", "GovernmentBody", 0.02),
             ("product", "Product", 0.1), ("company", "Company", 0.46), ("project", "Project", 0.38)]
    ents: dict[str, list[str]] = {}
    i = 0
    for seg, cls, share in kinds:
        ents[seg] = []
        for _ in range(max(1, int(n_ent * share))):
            iri = f"<{ID}{seg}/e{i}>"
            i += 1
            ents[seg].append(iri)
            label = {"region": "某某区", "zone": "经济技术开发区", "gov": "发展和改革局", "product": "新材料",
                     "company": "科技有限公司", "project": "年产项目"}[seg] + str(i)
            q(iri, f"<{RDF_TYPE}>", f"<{KG}{cls}>", g_ent)
            q(iri, f"<{SKOS}prefLabel>", lit(label), g_ent)
            if seg in ("company", "zone"):
                q(iri, f"<{SKOS}altLabel>", lit(label[:4] + str(i)), g_ent)
    total = len(links) + sum(len(v) for v in ents.values())
    for d in range(max(1, total // 20)):
        doc = f"<{DOC}{d:08x}>"
        q(doc, f"<{RDF_TYPE}>", f"<{KG}Document>", doc)
        q(doc, f"<{DCT}title>", lit(f"重点项目建设简报第{d}期"), doc)
    docs = max(1, total // 20)
    sent_no = 0

    def sentence(d: int, text: str) -> str:
        nonlocal sent_no
        s = f"<{DOC}{d:08x}/s{sent_no}>"
        g = f"<{DOC}{d:08x}>"
        q(s, f"<{RDF_TYPE}>", f"<{KG}Sentence>", g)
        q(s, f"<{DCT}isPartOf>", g, g)
        q(s, f"<{KG}text>", lit(text), g)
        q(s, f"<{KG}start>", f'"{sent_no * 50}"^^<{XSD}integer>', g)
        sent_no += 1
        return s

    def relation(s, p, o, d):
        g = f"<{DOC}{d:08x}>"
        q(s, f"<{KG}{p}>", o, g)
        sent = sentence(d, f"{s[-8:-1]}与{o[-8:-1]}的关系句子，用于溯源。")
        a = f"<{DOC}{d:08x}/a{len(out)}>"
        q(a, f"<{RDF_TYPE}>", f"<{KG}Assertion>", g)
        q(a, f"<{RDF}subject>", s, g)
        q(a, f"<{RDF}predicate>", f"<{KG}{p}>", g)
        q(a, f"<{RDF}object>", o, g)
        q(a, f"<{KG}sentence>", sent, g)
        base = (sent_no - 1) * 50
        q(a, f"<{KG}start>", f'"{base}"^^<{XSD}integer>', g)
        q(a, f"<{KG}end>", f'"{base + 7}"^^<{XSD}integer>', g)

    for r in ents["region"][1:]:
        relation(r, "locatedIn", ents["region"][0], rnd.randrange(docs))
    for z in ents["zone"]:
        relation(z, "locatedIn", rnd.choice(ents["region"]), rnd.randrange(docs))
    for p in ents["product"]:
        q(p, f"<{KG}atLink>", rnd.choice(links), g_ent)
    for c in ents["company"]:
        d = rnd.randrange(docs)
        relation(c, "locatedIn", rnd.choice(ents["zone"]), d)
        relation(c, "produces", rnd.choice(ents["product"]), d)
        m = f"<{DOC}{d:08x}/m{len(out)}>"
        sent = sentence(d, f"{c[-8:-1]}是一家企业。")
        for t in (f"{m} <{RDF_TYPE}> <{KG}Mention>", f"{m} <{KG}denotes> {c}", f"{m} <{KG}sentence> {sent}",
                  f'{m} <{KG}start> "{(sent_no - 1) * 50}"^^<{XSD}integer>',
                  f'{m} <{KG}end> "{(sent_no - 1) * 50 + 7}"^^<{XSD}integer>'):
            out.append(f"{t} <{DOC}{d:08x}> .")
    for p in ents["project"]:
        d = rnd.randrange(docs)
        g = f"<{DOC}{d:08x}>"
        relation(p, "locatedIn", rnd.choice(ents["zone"]), d)
        relation(rnd.choice(ents["company"]), "investor", p, d)
        q(p, f"<{KG}hasStatus>", f"<{ST}{rnd.choice(STATUSES)}>", g)
        qi = f"<{DOC}{d:08x}/q{len(out)}>"
        q(p, f"<{KG}hasQuantity>", qi, g)
        q(qi, f"<{KG}kind>", '"investment"', g)
        q(qi, f"<{SCHEMA}value>", f'"{rnd.randrange(1, 500) * 10**7}"^^<{XSD}decimal>', g)
        q(qi, f"<{SCHEMA}unitCode>", '"CNY"', g)
    return "\n".join(out) + "\n", total


def bench(n_nodes: int, browser: bool) -> dict:
    import pyoxigraph as ox
    from rdflib import Dataset

    from kg.viz._html import render
    from kg.viz.data import explorer_data, to_store
    from kg.viz.explorer import explorer_payload

    nq, total = synth_nquads(n_nodes)
    store = ox.Store()
    store.bulk_load(nq.encode(), format=ox.RdfFormat.N_QUADS)
    res: dict = {"nodes_requested": n_nodes, "quads": len(store)}

    def generate(src, budget=3000):
        t0 = time.perf_counter()
        data = explorer_data(src)
        t1 = time.perf_counter()
        payload = explorer_payload(data, budget=budget)
        html = render("explorer.html.j2", scripts=["vis", "explorer.js"], data=payload,
                      title="bench", n_nodes=len(payload["nodes"]), n_edges=len(payload["edges"]))
        t2 = time.perf_counter()
        return html, t1 - t0, t2 - t1, len(payload["nodes"]), len(payload["edges"])

    generate(store)  # warm caches (template, assets, imports)
    best = min((generate(store) for _ in range(3)), key=lambda r: r[1] + r[2])
    html, t_sparql, t_render, nn, ne = best
    res.update(nodes=nn, edges=ne, gen_store_s=t_sparql + t_render, sparql_s=t_sparql,
               render_s=t_render, html_mb=len(html.encode()) / 1e6)
    ds = Dataset()
    ds.parse(data=nq, format="nquads")
    t0 = time.perf_counter()
    to_store(ds)
    res["rdflib_copy_s"] = time.perf_counter() - t0
    full_html = generate(store, budget=10**9)[0]

    # pyvis defaults on the same nodes and edges
    import networkx as nx
    from pyvis.network import Network

    data = explorer_data(store)
    G = nx.DiGraph()
    for iri, n in data.nodes.items():
        G.add_node(iri, label=n.label, title=n.label)
    for e in data.edges:
        G.add_edge(e.source, e.target)
    t0 = time.perf_counter()
    net = Network(cdn_resources="in_line")
    net.from_nx(G)
    pyvis_html = net.generate_html()
    res["pyvis_gen_s"] = time.perf_counter() - t0
    res["pyvis_html_mb"] = len(pyvis_html.encode()) / 1e6
    res["pyvis_remote_refs"] = pyvis_html.count("https://cdn")
    print(res, file=sys.stderr)
    if browser:
        res.update(browser_times(html, full_html, pyvis_html))
    return res


def browser_times(html: str, full_html: str, pyvis_html: str) -> dict:
    from playwright.sync_api import sync_playwright

    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    out = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        pages = {"explorer": (html, "() => window.kgExplorer && kgExplorer.state.settled"),
                 "explorer_full": (full_html, "() => window.kgExplorer && kgExplorer.state.settled"),
                 "pyvis": (pyvis_html, "() => typeof network !== 'undefined' && network.physics && "
                                       "network.physics.stabilizationIterations !== undefined && "
                                       "document.getElementById('loadingBar') !== null && "
                                       "document.getElementById('loadingBar').style.display === 'none'")}
        for name, (page_html, ready) in pages.items():
            path = Path(tmp) / f"{name}.html"
            path.write_text(page_html, encoding="utf-8")
            page = b.new_page(viewport={"width": 1400, "height": 850})
            blocked = []

            def route(r, blocked=blocked):
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", lambda r: route(r))
            t0 = time.perf_counter()
            try:
                page.goto(path.as_uri(), wait_until="commit", timeout=180_000)
                page.wait_for_function(ready, timeout=120_000)
                out[f"{name}_settled_s"] = time.perf_counter() - t0
                print(f"{name}_settled_s: {out[f'{name}_settled_s']:.2f}", file=sys.stderr)
            except Exception as exc:  # noqa: BLE001 - record, do not die
                out[f"{name}_settled_s"] = f"not settled: {type(exc).__name__}: {str(exc)[:300]}"
            out[f"{name}_blocked_requests"] = len(blocked)
            if name.startswith("explorer"):
                out[f"{name}_drawn_nodes"] = page.evaluate("kgExplorer.nodes.length")
            page.close()
        b.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args(argv)
    res = bench(a.nodes, not a.no_browser)
    for k, v in res.items():
        print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
