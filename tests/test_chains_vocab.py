"""Checks for the industry-chain vocabularies in ontology/chains/*.ttl.

Each file holds one SKOS concept scheme (an industry chain) with its links (kg:ChainLink)
and the products of each link (kg:ProductType); see ontology/chains/README.md.
"""

from pathlib import Path

import networkx as nx
import pytest
import rdflib
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SKOS

CHAINS_DIR = Path(__file__).resolve().parents[1] / "ontology" / "chains"
FILES = sorted(CHAINS_DIR.glob("*.ttl"))

KG = rdflib.Namespace("https://w3id.org/chainkg/ontology#")
CHAIN_BASE = "https://w3id.org/chainkg/chain/"
STAGES = {KG.Upstream, KG.Midstream, KG.Downstream}
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_BOOLEAN = URIRef("http://www.w3.org/2001/XMLSchema#boolean")

REQUIRED_CHAINS = {
    "lithium-battery", "photovoltaics", "semiconductors", "new-display", "carbon-graphite",
    "special-steel", "equipment", "computing", "coal-chemical", "hydrogen-storage",
    "cement-building-materials", "vanadium-titanium", "new-energy-vehicles", "petrochemical",
    "power-energy", "aerospace", "biomedicine",
}


def _parse(path: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def graphs() -> dict:
    return {p.stem: _parse(p) for p in FILES}


@pytest.fixture(scope="module")
def merged(graphs) -> rdflib.Graph:
    g = rdflib.Graph()
    for sub in graphs.values():
        for t in sub:
            g.add(t)
    return g


def _labels(g, node, prop=SKOS.prefLabel, lang=None):
    return [o for o in g.objects(node, prop)
            if isinstance(o, Literal) and (lang is None or o.language == lang)]


def _schemes(g):
    return set(g.subjects(RDF.type, SKOS.ConceptScheme))


def _links(g):
    return set(g.subjects(RDF.type, KG.ChainLink))


def _products(g):
    return set(g.subjects(RDF.type, KG.ProductType))


def _scheme_by_slug(g, slug):
    return URIRef(CHAIN_BASE + slug)


def _link_by_label(g, scheme, label):
    found = [lk for lk in _links(g) if (lk, SKOS.inScheme, scheme) in g
             and Literal(label, lang="zh") in set(g.objects(lk, SKOS.prefLabel))]
    assert len(found) == 1, f"{label}: {found}"
    return found[0]


def test_files_present():
    stems = {p.stem for p in FILES}
    assert REQUIRED_CHAINS <= stems, REQUIRED_CHAINS - stems


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_one_scheme_per_file_named_after_slug(path, graphs):
    g = graphs[path.stem]
    schemes = _schemes(g)
    assert schemes == {URIRef(CHAIN_BASE + path.stem)}
    scheme = next(iter(schemes))
    assert (scheme, RDF.type, KG.IndustryChain) in g


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scheme_labels(path, graphs):
    g = graphs[path.stem]
    for s in _schemes(g):
        assert len(_labels(g, s, lang="zh")) == 1, s
        assert len(_labels(g, s, lang="en")) == 1, s
        assert _labels(g, s, SKOS.definition, "zh") and _labels(g, s, SKOS.definition, "en"), s


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_links_well_formed(path, graphs):
    g = graphs[path.stem]
    schemes = _schemes(g)
    links = _links(g)
    assert len(links) >= 3, "a chain needs at least three links"
    for link in links:
        assert (link, RDF.type, SKOS.Concept) in g, link
        stages = set(g.objects(link, KG.stage))
        assert len(stages) == 1 and stages <= STAGES, (link, stages)
        orders = list(g.objects(link, KG.order))
        assert len(orders) == 1, (link, orders)
        assert isinstance(orders[0], Literal) and orders[0].datatype == XSD_INTEGER, (link, orders)
        assert isinstance(orders[0].toPython(), int)
        assert len(_labels(g, link, lang="zh")) == 1, link
        assert len(_labels(g, link, lang="en")) == 1, link
        in_schemes = set(g.objects(link, SKOS.inScheme))
        assert len(in_schemes) == 1 and in_schemes <= schemes, (link, in_schemes)
        aux = list(g.objects(link, KG.auxiliary))
        assert len(aux) == 1 and aux[0].datatype == XSD_BOOLEAN, (link, aux)
        assert not list(g.objects(link, SKOS.broader)), f"links have no skos:broader: {link}"


def test_links_in_exactly_one_scheme_overall(merged):
    for link in _links(merged):
        assert len(set(merged.objects(link, SKOS.inScheme))) == 1, link


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_feeds_within_scheme_and_dag(path, graphs):
    g = graphs[path.stem]
    links = _links(g)
    dag = nx.DiGraph()
    dag.add_nodes_from(links)
    for a, b in g.subject_objects(KG.feeds):
        assert a in links and b in links, (a, b)
        assert set(g.objects(a, SKOS.inScheme)) == set(g.objects(b, SKOS.inScheme)), (a, b)
        assert a != b
        dag.add_edge(a, b)
    assert nx.is_directed_acyclic_graph(dag), list(nx.simple_cycles(dag))
    # every non-auxiliary link takes part in the chain
    for link in links:
        if not g.value(link, KG.auxiliary).toPython():
            assert dag.degree(link) > 0 or len(links) == 1, f"isolated link {link}"
    # auxiliary links feed something
    for link in links:
        if g.value(link, KG.auxiliary).toPython():
            assert dag.out_degree(link) > 0, f"auxiliary link feeds nothing: {link}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_top_concepts(path, graphs):
    g = graphs[path.stem]
    scheme = next(iter(_schemes(g)))
    tops = set(g.objects(scheme, SKOS.hasTopConcept))
    assert tops, "scheme lists no top concepts"
    fed = set(g.objects(None, KG.feeds))
    links = _links(g)
    assert tops <= links
    for t in tops:
        assert t not in fed, f"top concept is fed by another link: {t}"
    for link in links:
        if link not in fed and not g.value(link, KG.auxiliary).toPython():
            assert link in tops, f"first link missing from hasTopConcept: {link}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_iris_ascii_and_namespaced(path, graphs):
    g = graphs[path.stem]
    base = CHAIN_BASE + path.stem
    for s in set(g.subjects()):
        assert isinstance(s, URIRef), s
        assert str(s).isascii(), s
        assert str(s).startswith(CHAIN_BASE), s
        assert str(s) == base or str(s).startswith(base + "/"), s
        local = str(s)[len(base) + 1:]
        assert local == "" or all(c.islower() or c.isdigit() or c == "-" for c in local), s
    for o in set(g.objects()):
        if isinstance(o, URIRef):
            assert str(o).isascii(), o


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_products(path, graphs):
    g = graphs[path.stem]
    links = _links(g)
    scheme = next(iter(_schemes(g)))
    products = _products(g)
    assert products, "a chain should name some products"
    for p in products:
        assert (p, RDF.type, SKOS.Concept) in g
        assert set(g.objects(p, SKOS.inScheme)) == {scheme}, p
        broader = set(g.objects(p, SKOS.broader))
        assert len(broader) == 1 and broader <= links, (p, broader)
        link = next(iter(broader))
        assert str(p).startswith(str(link) + "-"), f"product IRI must be {{link}}-{{product}}: {p}"
        assert len(_labels(g, p, lang="zh")) == 1, p
        assert len(_labels(g, p, lang="en")) == 1, p
        for alt in _labels(g, p, SKOS.altLabel):
            assert alt.language == "zh" and str(alt).strip() == str(alt) and str(alt), (p, alt)
    # every concept is either a link or a product
    for c in g.subjects(RDF.type, SKOS.Concept):
        assert (c in links) != (c in products), c


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_unique_link_labels(path, graphs):
    g = graphs[path.stem]
    seen = {}
    for link in _links(g):
        for lab in _labels(g, link):
            key = (lab.language, str(lab))
            assert key not in seen, f"{lab} used by {seen.get(key)} and {link}"
            seen[key] = link


def test_chain_surface_forms_unambiguous(graphs):
    """A surface form of a chain (scheme prefLabel/altLabel) names one chain only."""
    seen = {}
    for slug, g in graphs.items():
        for s in _schemes(g):
            for lab in _labels(g, s) + _labels(g, s, SKOS.altLabel):
                if lab.language != "zh":
                    continue
                assert seen.setdefault(str(lab), slug) == slug, f"{lab}: {seen[str(lab)]} and {slug}"


def test_no_leader_hints(merged):
    assert not list(merged.triples((None, KG.leaderHint, None)))


def test_pv_gap_semantics(graphs):
    g = graphs["photovoltaics"]
    scheme = _scheme_by_slug(g, "photovoltaics")
    wafer = _link_by_label(g, scheme, "切片")
    cell = _link_by_label(g, scheme, "电池片")
    module = _link_by_label(g, scheme, "组件")
    assert (wafer, KG.feeds, cell) in g
    assert (cell, KG.feeds, module) in g
    assert (wafer, KG.feeds, module) not in g
    # auxiliary inputs of the seed are modelled as auxiliary links
    for label in ("光伏玻璃", "金刚石线"):
        assert g.value(_link_by_label(g, scheme, label), KG.auxiliary).toPython() is True


def _product_by_label(g, label):
    return [p for p in _products(g)
            if Literal(label, lang="zh") in set(g.objects(p, SKOS.prefLabel))
            | set(g.objects(p, SKOS.altLabel))]


def test_lmfp_is_cathode_product(graphs):
    g = graphs["lithium-battery"]
    scheme = _scheme_by_slug(g, "lithium-battery")
    cathode = _link_by_label(g, scheme, "正极材料")
    hits = _product_by_label(g, "磷酸锰铁锂")
    assert hits and all((p, SKOS.broader, cathode) in g for p in hits)
    cell = _link_by_label(g, scheme, "电芯与电池")
    assert (cathode, KG.feeds, cell) in g
    assert _product_by_label(g, "锂电池")[0] in set(g.subjects(SKOS.broader, cell))


def _upstream(g, a_label, b_label):
    """True when a product labelled a_label sits in a link upstream of one labelled b_label."""
    dag = nx.DiGraph(list(g.subject_objects(KG.feeds)))
    for a in _product_by_label(g, a_label):
        for b in _product_by_label(g, b_label):
            la, lb = g.value(a, SKOS.broader), g.value(b, SKOS.broader)
            if la in dag and lb in dag and nx.has_path(dag, la, lb) and la != lb:
                return True
    return False


@pytest.mark.parametrize("chain,head,tail", [
    ("coal-chemical", "煤炭", "煤制烯烃"),
    ("coal-chemical", "煤炭", "煤制乙二醇"),
    ("hydrogen-storage", "绿氢", "绿氨"),
    ("cement-building-materials", "熟料", "水泥"),
    ("vanadium-titanium", "钒矿", "钒制品"),
    ("vanadium-titanium", "钒制品", "钒电池"),
    ("vanadium-titanium", "钒电池液", "钒电池"),
    ("photovoltaics", "半导体级高纯硅", "单晶硅棒"),
    ("photovoltaics", "单晶硅棒", "硅片"),
    ("photovoltaics", "硅片", "光伏组件"),
    ("lithium-battery", "磷酸锰铁锂", "锂电池"),
    ("lithium-battery", "硅基负极材料", "动力电池"),
    ("equipment", "热处理", "表面处理"),
    ("rare-earth", "稀土精矿", "钕铁硼"),
    ("rare-earth", "稀土氧化物", "稀土金属"),
    ("rare-earth", "钕铁硼", "永磁电机"),
])
def test_gold_upstream_conventions(graphs, chain, head, tail):
    assert _upstream(graphs[chain], head, tail)


def test_vanadium_battery_in_storage(graphs):
    g = graphs["hydrogen-storage"]
    assert _product_by_label(g, "钒电池")
    assert Literal("储能", lang="zh") in set(g.objects(_scheme_by_slug(g, "hydrogen-storage"), SKOS.altLabel))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_parses_with_pyoxigraph(path):
    pyoxigraph = pytest.importorskip("pyoxigraph")
    quads = set(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert quads
    assert len(quads) == len(_parse(path))
