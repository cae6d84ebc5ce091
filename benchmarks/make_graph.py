"""Generate a large graph shaped like chainkg's mapping, for the query benchmarks.

Seeded and deterministic. It writes N-Quads with the same named graphs and the same RDF shape
as ``kg.mapping`` (see its module docstring): one graph per document holding typed, labelled
entities, relation triples, reified ``kg:Assertion`` nodes with sentence and offsets,
``kg:Quantity`` nodes, sentences and mentions; corpus graphs with the real ontology, status
scheme and chain vocabularies, a region hierarchy (provinces → cities → counties), the
entities graph (``skos:prefLabel`` / ``skos:altLabel``) and, as in a build, the derived graph
of :mod:`kg.derive` (computed in an Oxigraph store and appended). IRIs are minted with ``kg.ns``.

Usage::

    python benchmarks/make_graph.py --triples 1000000 --seed 7 -o /tmp/bench-1m.nq

The names are invented (random syllables + genre suffixes); the benchmark's parameters
(a city, a zone, a product, a chain) are written next to the file as ``*.params.json``.
"""

from __future__ import annotations

# ruff: noqa: B023  (the per-document helpers close over that document on purpose)
import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rdflib import Literal, URIRef  # noqa: E402

from kg.ns import (  # noqa: E402
    CHAINS_GRAPH,
    DCTERMS,
    ENTITIES_GRAPH,
    KG,
    ONTOLOGY_GRAPH,
    PROV,
    RDF,
    RDFS,
    REGIONS_GRAPH,
    SCHEMA,
    SKOS,
    XSD,
    document_iri,
    entity_iri,
    fact_iri,
    mention_iri,
    region_iri,
    sentence_iri,
    status_iri,
)

SYL = list("华新瑞泰鑫源达隆盛兴恒宏金丰博远中天科创和安昌晋潞阳泽康立诚信德嘉辉通海汇聚合力")
CO_SUFFIX = ["科技有限公司", "新材料有限公司", "能源股份有限公司", "集团有限公司", "电子有限公司"]
PROJ_SUFFIX = ["产业化项目", "生产线项目", "扩建项目", "产业园项目", "基地项目"]
ZONE_SUFFIX = ["经济技术开发区", "高新技术产业开发区", "工业园区", "经济开发区"]
STATUSES = ["planned", "signed", "preliminary", "not_started", "started", "under_construction",
            "completed", "trial_production", "in_production", "reached_capacity"]


def _name(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.choice(SYL) for _ in range(n))


class Writer:
    """Collects quads as N-Quads lines (terms written by rdflib, so escaping is right)."""

    def __init__(self, fh):
        self.fh = fh
        self.count = 0

    def add(self, s, p, o, g) -> None:
        self.fh.write(f"{s.n3()} {p.n3()} {o.n3()} {g.n3()} .\n")
        self.count += 1


def _zh(s: str) -> Literal:
    return Literal(s, lang="zh")


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


def _dec(v: int) -> Literal:
    return Literal(str(v), datatype=XSD.decimal)


def make_graph(out: Path, triples: int = 1_000_000, seed: int = 7) -> dict:
    """Write about ``triples`` quads to ``out`` (N-Quads); return the benchmark parameters."""
    from kg.mapping import load_chains, load_ontology

    rng = random.Random(seed)
    fh = out.open("w", encoding="utf-8")
    w = Writer(fh)
    for t in load_ontology():
        w.add(*t, ONTOLOGY_GRAPH)
    chains_g = load_chains()
    for t in chains_g:
        w.add(*t, CHAINS_GRAPH)
    chains: dict[URIRef, list[URIRef]] = {}
    types_at: dict[URIRef, list[URIRef]] = {}
    for link in chains_g.subjects(RDF.type, KG.ChainLink):
        scheme = chains_g.value(link, SKOS.inScheme)
        chains.setdefault(scheme, []).append(link)
    for pt in chains_g.subjects(RDF.type, KG.ProductType):
        link = chains_g.value(pt, SKOS.broader)
        if link is not None:
            types_at.setdefault(link, []).append(pt)
    feeds = sorted(set(chains_g.subject_objects(KG.feeds)))  # sorted: set order varies per process
    chain_list = sorted(chains)
    for c in chain_list:
        chains[c].sort()

    # Regions: 10 provinces × 10 cities × 6 counties (codes shaped like GB/T 2260).
    regions, cities, counties = [], [], []
    for pi in range(10):
        pcode = f"{11 + pi}0000"
        p = region_iri(pcode)
        w.add(p, RDF.type, KG.Region, REGIONS_GRAPH)
        w.add(p, SKOS.prefLabel, _zh(_name(rng) + "省"), REGIONS_GRAPH)
        w.add(p, KG.adminLevel, Literal("province"), REGIONS_GRAPH)
        regions.append(p)
        for ci in range(10):
            ccode = f"{11 + pi}{ci + 1:02d}00"
            c = region_iri(ccode)
            w.add(c, RDF.type, KG.Region, REGIONS_GRAPH)
            w.add(c, SKOS.prefLabel, _zh(_name(rng) + "市"), REGIONS_GRAPH)
            w.add(c, KG.adminLevel, Literal("city"), REGIONS_GRAPH)
            w.add(c, KG.locatedIn, p, REGIONS_GRAPH)
            cities.append(c)
            for ki in range(6):
                k = region_iri(f"{11 + pi}{ci + 1:02d}{ki + 1:02d}")
                w.add(k, RDF.type, KG.Region, REGIONS_GRAPH)
                w.add(k, SKOS.prefLabel, _zh(_name(rng) + "区"), REGIONS_GRAPH)
                w.add(k, KG.adminLevel, Literal("county"), REGIONS_GRAPH)
                w.add(k, KG.locatedIn, c, REGIONS_GRAPH)
                counties.append((k, c))

    # Entities (names unique by construction).
    names: set[str] = set()

    def uniq(make) -> str:
        while True:
            n = make()
            if n not in names:
                names.add(n)
                return n

    n_projects_target = max(200, triples // 160)
    zones = []
    for _ in range(max(20, n_projects_target // 40)):
        county, city = rng.choice(counties)
        nm = uniq(lambda: _name(rng) + rng.choice(ZONE_SUFFIX))
        zones.append((entity_iri("DevelopmentZone", nm), nm, county, city))
    groups = []
    for _ in range(max(10, n_projects_target // 100)):
        nm = uniq(lambda: _name(rng, 3) + "集团")
        groups.append((entity_iri("Company", nm), nm))
    companies = []
    for _ in range(max(50, n_projects_target // 3)):
        nm = uniq(lambda: _name(rng, 3) + rng.choice(CO_SUFFIX))
        companies.append((entity_iri("Company", nm), nm, rng.choice(zones),
                          rng.choice(groups) if rng.random() < 0.3 else None))
    products = []  # (iri, name, link, chain)
    for c in chain_list:
        for link in chains[c]:
            for pt in sorted(types_at.get(link, []))[:6]:
                label = min(str(x) for x in chains_g.objects(pt, SKOS.prefLabel)
                            if getattr(x, "language", None) == "zh")
                nm = uniq(lambda: str(label) + _name(rng, 1))
                products.append((entity_iri("Product", nm), nm, link, c, pt))
    by_link: dict[URIRef, list] = {}
    for pr in products:
        by_link.setdefault(pr[2], []).append(pr)

    labels: dict[URIRef, tuple[str, str, list[str]]] = {}
    for z in zones:
        labels[z[0]] = ("DevelopmentZone", z[1], [z[1][:2] + "开发区"])
    for g in groups:
        labels[g[0]] = ("Company", g[1], [])
    for co in companies:
        labels[co[0]] = ("Company", co[1], [co[1][:3]])
    for pr in products:
        labels[pr[0]] = ("Product", pr[1], [])
    leaders = rng.sample(companies, min(len(companies), 40))
    chain_of_leader = {co[0]: rng.choice(chain_list) for co in leaders[:25]}

    used_products: set = set()
    doc_no = 0
    written_company: set[tuple] = set()
    projects_seen = 0
    while w.count < triples:
        doc_no += 1
        doc_id = f"{doc_no:016x}"
        d = document_iri(doc_id)
        g = d
        w.add(d, RDF.type, KG.Document, g)
        w.add(d, DCTERMS.identifier, Literal(doc_id), g)
        w.add(d, DCTERMS.title, _zh(_name(rng, 4) + "重点项目建设通报"), g)
        w.add(d, KG.chars, _int(12000), g)
        offset = 0
        sent_no = 0

        def sentence(text: str) -> URIRef:
            nonlocal offset, sent_no
            sent_no += 1
            si = sentence_iri(doc_id, sent_no)
            w.add(si, RDF.type, KG.Sentence, g)
            w.add(si, DCTERMS.isPartOf, d, g)
            w.add(si, KG["index"], _int(sent_no), g)
            w.add(si, KG.start, _int(offset), g)
            w.add(si, KG.end, _int(offset + len(text)), g)
            w.add(si, KG.text, _zh(text), g)
            offset += len(text) + 1
            return si

        def entity(iri, type_, label, si, start) -> None:
            w.add(iri, RDF.type, KG[type_], g)
            w.add(iri, RDFS.label, _zh(label), g)
            w.add(iri, PROV.wasDerivedFrom, d, g)
            mi = mention_iri(doc_id, start, start + len(label))
            w.add(mi, RDF.type, KG.Mention, g)
            w.add(mi, KG.denotes, iri, g)
            w.add(mi, KG.text, _zh(label), g)
            w.add(mi, KG.start, _int(start), g)
            w.add(mi, KG.end, _int(start + len(label)), g)
            w.add(mi, KG.sentence, si, g)

        def relation(s, p, o, si, start, rule) -> None:
            w.add(s, p, o, g)
            a = fact_iri(doc_id, "rel", s, p, o, start)
            w.add(a, RDF.type, KG.Assertion, g)
            w.add(a, RDF.subject, s, g)
            w.add(a, RDF.predicate, p, g)
            w.add(a, RDF.object, o, g)
            w.add(a, KG.start, _int(start), g)
            w.add(a, KG.end, _int(start + 20), g)
            w.add(a, KG.rule, Literal(rule), g)
            w.add(a, KG.sentence, si, g)
            w.add(a, PROV.wasDerivedFrom, d, g)

        def quantity(subj, kind, value, unit, text, si, start, prod=None, period=None) -> None:
            q = fact_iri(doc_id, "qty", subj, kind, value, unit, start)
            w.add(q, RDF.type, KG.Quantity, g)
            w.add(q, RDF.type, SCHEMA.MonetaryAmount if unit == "CNY" else SCHEMA.QuantitativeValue, g)
            w.add(q, KG.kind, Literal(kind), g)
            w.add(q, SCHEMA.value, _dec(value), g)
            w.add(q, SCHEMA.unitCode, Literal(unit), g)
            w.add(q, KG.text, _zh(text), g)
            w.add(q, KG.start, _int(start), g)
            w.add(q, KG.end, _int(start + len(text)), g)
            w.add(q, KG.sentence, si, g)
            w.add(q, PROV.wasDerivedFrom, d, g)
            w.add(q, KG.about, subj, g)
            w.add(subj, KG.hasQuantity, q, g)
            if prod is not None:
                w.add(q, KG.product, prod, g)
            if period:
                w.add(q, KG.period, _zh(period), g)

        # A regional indicator sentence per document.
        city = rng.choice(cities)
        si = sentence("截至目前，全市新建项目开工率稳步提升。")
        n_new = rng.randint(100, 2000)
        quantity(city, "count", n_new, "unit", f"{n_new}个新建项目", si, 5, period="截至目前")
        quantity(city, "ratio", rng.randint(60, 99), "percent",
                 "开工率", si, 20, period="1月—7月")

        for _ in range(rng.randint(3, 5)):
            projects_seen += 1
            # Re-mention an earlier project now and then (several documents per project).
            pidx = rng.randint(1, projects_seen) if rng.random() < 0.2 else projects_seen
            pname = f"{_name(random.Random(pidx), 3)}{PROJ_SUFFIX[pidx % len(PROJ_SUFFIX)]}{pidx}"
            p = entity_iri("Project", pname)
            prng = random.Random(pidx * 7919)
            zone = zones[prng.randrange(len(zones))]
            company = companies[prng.randrange(len(companies))]
            chain = chain_list[prng.randrange(len(chain_list))]
            link = chains[chain][prng.randrange(len(chains[chain]))]
            prods = by_link.get(link) or products
            product = prods[prng.randrange(len(prods))]
            used_products.add(product[0])
            labels[p] = ("Project", pname, [])
            si = sentence(f"{company[1]}在{zone[1]}投资建设{pname}，总投资若干亿元。")
            entity(p, "Project", pname, si, offset - 30)
            entity(zone[0], "DevelopmentZone", zone[1], si, offset - 40)
            entity(company[0], "Company", company[1], si, offset - 50)
            entity(product[0], "Product", product[1], si, offset - 20)
            w.add(product[0], KG.atLink, product[2], g)
            w.add(product[0], KG.productType, product[4], g)
            relation(p, KG.locatedIn, zone[0] if prng.random() < 0.9 else zone[2], si, offset - 30, "located_in")
            relation(company[0], KG.investor, p, si, offset - 50, "investor")
            relation(p, KG.produces, product[0], si, offset - 30, "produces")
            relation(p, KG.partOfChain, chain, si, offset - 30, "part_of_chain")
            relation(p, KG.hasStatus, status_iri(STATUSES[prng.randrange(len(STATUSES))]), si,
                     offset - 10, "status")
            inv = prng.randint(1, 500) * 10_000_000
            if rng.random() < 0.05:  # a disagreeing amount in another document
                inv += 10_000_000
            quantity(p, "investment", inv, "CNY", f"总投资{inv // 100_000_000}亿元", si, offset - 12)
            if rng.random() < 0.5:
                cap = prng.randint(1, 100) * 10_000
                quantity(p, "capacity", cap, "t", f"年产{cap // 10_000}万吨", si, offset - 8,
                         prod=product[0])
            key = (company[0], zone[0])
            if key not in written_company:
                written_company.add(key)
                relation(company[0], KG.locatedIn, zone[0], si, offset - 50, "company_in_zone")
                relation(company[0], KG.produces, product[0], si, offset - 50, "company_produces")
                if company[3] is not None:
                    relation(company[0], KG.memberOf, company[3][0], si, offset - 50, "member_of")
                if company[0] in chain_of_leader:
                    relation(company[0], KG.chainLeaderOf, chain_of_leader[company[0]], si,
                             offset - 50, "chain_leader")
                elif company in leaders:
                    w.add(company[0], KG.chainLeaderFlag, Literal(True), g)
            # Zones sit in counties (once per document graph that mentions them).
            w.add(zone[0], KG.locatedIn, zone[2], g)
            # Explicit product → product upstream facts, along the chain's feeds.
            for a, b in feeds:
                if a == product[2] and rng.random() < 0.3 and by_link.get(b):
                    down = rng.choice(by_link[b])
                    relation(product[0], KG.upstreamOf, down[0], si, offset - 20, "upstream")
                    break

    for iri, (t, label, aliases) in sorted(labels.items()):
        w.add(iri, RDF.type, KG[t], ENTITIES_GRAPH)
        w.add(iri, SKOS.prefLabel, _zh(label), ENTITIES_GRAPH)
        for a in aliases:
            w.add(iri, SKOS.altLabel, _zh(a), ENTITIES_GRAPH)
    fh.close()
    derived = _append_derived(out)

    city_counts: dict = {}
    for z in zones:
        city_counts[z[3]] = city_counts.get(z[3], 0) + 1
    busy_city = max(sorted(city_counts), key=lambda c: city_counts[c])
    zone_counts: dict = {}
    for co in companies:
        zone_counts[co[2][0]] = zone_counts.get(co[2][0], 0) + 1
    zone = max(sorted(zone_counts), key=lambda z: zone_counts[z])
    lb = next(c for c in chain_list if str(c).endswith("lithium-battery"))
    used = [p for p in products if p[0] in used_products]
    mid = next((p for p in used if p[3] == lb and "cathode" in str(p[2])), used[0])
    params = {
        "triples": w.count + derived, "derived": derived, "documents": doc_no, "projects": projects_seen, "seed": seed,
        "projects-in-place": {"place": str(busy_city)},
        "chain-links-in-region": {"chain": str(lb), "region": str(busy_city)},
        "product-chain": {"product": str(mid[0])},
        "entity-facts": {"entity": str(zone)},
    }
    out.with_suffix(".params.json").write_text(json.dumps(params, ensure_ascii=False, indent=1))
    return params


def _append_derived(out: Path) -> int:
    """Append the derived graph of a build (:func:`kg.derive.add_derived`) to the N-Quads file
    ``out``, computed the way ``kg build`` does (in an Oxigraph store holding every other graph);
    return its number of quads."""
    import pyoxigraph as ox

    from kg.derive import add_derived
    from kg.ns import DERIVED_GRAPH

    st = ox.Store()
    st.bulk_load(path=str(out), format=ox.RdfFormat.N_QUADS)
    n = add_derived(st)
    with out.open("ab") as fh:
        ox.serialize(st.quads_for_pattern(None, None, None, ox.NamedNode(str(DERIVED_GRAPH))),
                     fh, format=ox.RdfFormat.N_QUADS)
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-o", "--out", type=Path, default=Path("/tmp/chainkg-bench.nq"))
    a = ap.parse_args()
    t = time.perf_counter()
    params = make_graph(a.out, a.triples, a.seed)
    print(json.dumps({k: v for k, v in params.items() if not isinstance(v, dict)}),
          f"in {time.perf_counter() - t:.1f}s → {a.out}")


if __name__ == "__main__":
    main()
