"""Benchmark of chain analysis (kg.analyze) on a generated graph of ~100,000 entities.

Generates a deterministic synthetic graph in the project's RDF shape — a region hierarchy
(province → cities → counties), development zones with parks inside, companies (some in
groups, some flagged 链主), projects with investors, products at chain links (stated with
kg:atLink, through kg:productType, or only by name), investment and capacity quantities —
with the real chain vocabularies of ``ontology/chains``, loads it into an in-memory
pyoxigraph store, and times:

* the projection (all stored queries of ``kg/analyze/queries``) on pyoxigraph;
* the full analysis of one region (cold: projection included; and warm: on the projection);
* the analysis of every region and zone (projection included);
* baselines in the same run: the projection with rdflib on a 10k-entity graph vs pyoxigraph
  on the same graph, and exact betweenness vs degree on a 10k-entity entity graph (why the
  leader score uses degree).

Usage: ``python benchmarks/bench_chains.py [--entities 100000] [--seed 7]``
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time

from kg.ns import CHAINS_GRAPH, ENTITIES_GRAPH, ID, KG, RDF, REGIONS_GRAPH, SCHEMA, SKOS

DOC = "https://w3id.org/chainkg/doc/"


def _lit(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"@zh'


def generate(n_entities: int, seed: int = 7) -> tuple[bytes, dict]:
    """N-Quads of a synthetic graph with about ``n_entities`` entities (plus vocabularies)."""
    from rdflib import Graph

    from kg.resources import chain_files

    rng = random.Random(seed)
    vocab = Graph()
    for p in chain_files():
        vocab.parse(p, format="turtle")
    links = sorted(str(s) for s in vocab.subjects(RDF.type, KG.ChainLink))
    ptypes = sorted(str(s) for s in vocab.subjects(RDF.type, KG.ProductType))
    ptype_label = {str(s): str(o) for s, o in vocab.subject_objects(SKOS.prefLabel)
                   if getattr(o, "language", None) == "zh"}
    schemes = sorted({str(o) for o in vocab.objects(None, SKOS.inScheme)})
    out: list[str] = []
    g_ch = f"<{CHAINS_GRAPH}>"
    for s, p, o in vocab:
        out.append(f"{s.n3()} {p.n3()} {o.n3()} {g_ch} .")
    t = f"<{RDF.type}>"
    pref = f"<{SKOS.prefLabel}>"
    loc = f"<{KG.locatedIn}>"
    g_reg, g_ent = f"<{REGIONS_GRAPH}>", f"<{ENTITIES_GRAPH}>"

    def ent(kind: str, key: str, cls: str, label: str, graph: str) -> str:
        iri = f"<{ID}{kind}/bench-{key}>"
        out.append(f"{iri} {t} <{KG[cls]}> {graph} .")
        out.append(f"{iri} {pref} {_lit(label)} {graph} .")
        return iri

    counts = {"regions": 0, "zones": 0, "companies": 0, "projects": 0, "products": 0}
    prov = ent("region", "p0", "Region", "基准省", g_reg)
    places, regions = [prov], [prov]
    n_cities, per_city = 15, 6
    for c in range(n_cities):
        city = ent("region", f"c{c}", "Region", f"基准{c}市", g_reg)
        out.append(f"{city} {loc} {prov} {g_reg} .")
        regions.append(city)
        for k in range(per_city):
            county = ent("region", f"c{c}k{k}", "Region", f"基准{c}市第{k}县", g_reg)
            out.append(f"{county} {loc} {city} {g_reg} .")
            regions.append(county)
            places.append(county)
            for z in range(2):
                zone = ent("zone", f"c{c}k{k}z{z}", "DevelopmentZone", f"基准{c}-{k}-{z}经济开发区", g_ent)
                out.append(f"{zone} {loc} {county} {g_ent} .")
                park = ent("zone", f"c{c}k{k}z{z}p", "DevelopmentZone", f"基准{c}-{k}-{z}产业园", g_ent)
                out.append(f"{park} {loc} {zone} {g_ent} .")
                places += [zone, park]
                counts["zones"] += 2
    counts["regions"] = len(regions)
    budget = n_entities - len(places) - 1
    n_products = budget // 20
    n_companies = int(budget * 0.4)
    n_projects = budget - n_products - n_companies
    products = []
    for i in range(n_products):
        pt = rng.choice(ptypes)
        prod = ent("product", f"{i}", "Product", ptype_label.get(pt, f"产品{i}"), g_ent)
        r = rng.random()
        if r < 0.6:
            out.append(f"{prod} <{KG.atLink}> <{rng.choice(links)}> {g_ent} .")
        elif r < 0.9:
            out.append(f"{prod} <{KG.productType}> <{pt}> {g_ent} .")
        products.append(prod)
    counts["products"] = n_products
    industries = []
    for i, sch in enumerate(schemes):
        ind = ent("industry", f"{i}", "IndustryChain", f"基准产业{i}", g_ent)
        out.append(f"{ind} <{KG.chainScheme}> <{sch}> {g_ent} .")
        industries.append(ind)
    companies = []
    groups = []
    doc_i = 0
    for i in range(n_companies):
        g = f"<{DOC}{doc_i:016x}>"
        c = ent("company", f"{i}", "Company", f"基准企业{i}有限公司", g_ent)
        out.append(f"{c} {loc} {rng.choice(places)} {g} .")
        if rng.random() < 0.3:
            out.append(f"{c} <{KG.produces}> {rng.choice(products)} {g} .")
        if i < n_companies // 100:
            groups.append(c)
        elif groups and rng.random() < 0.1:
            out.append(f"{c} <{KG.memberOf}> {rng.choice(groups)} {g} .")
        if rng.random() < 0.001:
            out.append(f"{c} <{KG.chainLeaderOf}> {rng.choice(industries)} {g} .")
            out.append(f'{c} <{KG.chainLeaderFlag}> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> {g} .')
        companies.append(c)
        if i % 500 == 499:
            doc_i += 1
    counts["companies"] = n_companies
    value = f"<{SCHEMA.value}>"
    unit = f"<{SCHEMA.unitCode}>"
    kind = f"<{KG.kind}>"
    for i in range(n_projects):
        g = f"<{DOC}{doc_i:016x}>"
        pr = ent("project", f"{i}", "Project", f"基准{i}号项目", g_ent)
        out.append(f"{pr} {loc} {rng.choice(places)} {g} .")
        r = rng.random()
        if r < 0.85:
            for prod in rng.sample(products, rng.choice((1, 1, 2))):
                out.append(f"{pr} <{KG.produces}> {prod} {g} .")
        else:  # placed by its name only
            lab = ptype_label.get(rng.choice(ptypes), "")
            out.append(f"{pr} <{SKOS.altLabel}> {_lit(f'基准{lab}项目')} {g} .")
        out.append(f"{rng.choice(companies)} <{KG.investor}> {pr} {g} .")
        q = f"<{DOC}{doc_i:016x}/q{i}>"
        out.append(f"{pr} <{KG.hasQuantity}> {q} {g} .")
        out.append(f"{q} {t} <{KG.Quantity}> {g} .")
        out.append(f'{q} {kind} "investment" {g} .')
        out.append(f'{q} {value} "{rng.randint(1, 500) * 10**7}"^^<http://www.w3.org/2001/XMLSchema#decimal> {g} .')
        out.append(f'{q} {unit} "CNY" {g} .')
        if i % 500 == 499:
            doc_i += 1
    counts["projects"] = n_projects
    counts["entities"] = (counts["regions"] + counts["zones"] + n_products + n_companies
                          + n_projects + len(industries))
    counts["quads"] = len(out)
    return ("\n".join(out) + "\n").encode("utf-8"), {**counts, "region_iris": regions}


def load_store(nq: bytes):
    import pyoxigraph as ox

    st = ox.Store()
    st.bulk_load(nq, format=ox.RdfFormat.N_QUADS)
    return st


CPU: dict[str, float] = {}


def timed(fn, *a, **k):
    """Wall-clock seconds (returned) and CPU seconds of this process (in ``CPU["last"]``):
    on a shared machine the CPU time is the steadier figure."""
    t0, c0 = time.perf_counter(), time.process_time()
    r = fn(*a, **k)
    CPU["last"] = time.process_time() - c0
    return r, time.perf_counter() - t0


def cpu() -> str:
    return f"cpu {CPU['last']:.2f}s"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline-entities", type=int, default=10_000)
    args = ap.parse_args(argv)

    import os

    import networkx as nx
    import pyoxigraph as ox
    import rdflib

    from kg.analyze.chains import Analyzer, analyze_chains, analyze_regions
    from kg.analyze.projection import project_graph

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"python {platform.python_version()}, networkx {nx.__version__}, rdflib {rdflib.__version__}, "
          f"pyoxigraph {ox.__version__}, {platform.machine()}")
    (nq, info), t_gen = timed(generate, args.entities, args.seed)
    print(f"generated {info['entities']} entities, {info['quads']} quads in {t_gen:.1f}s "
          f"({info['companies']} companies, {info['projects']} projects, {info['products']} products, "
          f"{info['regions']} regions, {info['zones']} zones)")
    st, t_load = timed(load_store, nq)
    print(f"pyoxigraph bulk load: {t_load:.2f}s")

    proj, t_proj = timed(project_graph, st)
    print(f"projection (all stored queries, pyoxigraph): {t_proj:.2f}s ({cpu()}); "
          f"{len(proj.types)} typed entities, {len(proj.edges)} edges, {len(proj.links)} links")
    city = info["region_iris"][1].strip("<>")
    an = Analyzer(proj)
    reps, t_one_warm = timed(analyze_chains, None, region=city, analyzer=an)
    print(f"one region (a city, all {len(reps)} chains) on the projection: {t_one_warm:.2f}s ({cpu()})")

    def cold_one():
        return analyze_chains(st, region=city)

    _r, t_one_cold = timed(cold_one)
    print(f"one region cold (projection + analysis): {t_one_cold:.2f}s ({cpu()})   [budget 5 s]")

    out, t_all = timed(analyze_regions, st)
    print(f"all {len(out)} regions and zones, cold (projection + analysis): {t_all:.2f}s ({cpu()})   [budget 60 s]")

    # -- baselines in the same run ------------------------------------------------------
    nq_small, info_small = generate(args.baseline_entities, args.seed)
    ds = rdflib.Dataset()
    ds.parse(data=nq_small.decode("utf-8"), format="nquads")
    st_small = load_store(nq_small)
    _p, t_rdflib = timed(project_graph, ds)
    p_small, t_ox_small = timed(project_graph, st_small)
    print(f"baseline projection on {info_small['entities']} entities: rdflib {t_rdflib:.2f}s, "
          f"pyoxigraph {t_ox_small:.2f}s (ratio {t_rdflib / t_ox_small:.1f}x)")
    g = nx.Graph(p_small.entity_graph().to_undirected())
    _d, t_deg = timed(nx.degree_centrality, g)
    _b, t_bet = timed(nx.betweenness_centrality, g)
    print(f"baseline centrality on the {g.number_of_nodes()}-node entity graph: degree {t_deg:.3f}s, "
          f"exact betweenness {t_bet:.1f}s (ratio {t_bet / max(t_deg, 1e-6):.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
