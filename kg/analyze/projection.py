"""Stage analyze, projection: the RDF graph → plain Python tables and networkx graphs.

The networkx graphs that chain analysis works on are *projections* of the RDF graph, never a
second source of truth: each table of :class:`Projection` is the result of one stored SPARQL
query (``kg/analyze/queries/*.rq``), run with rdflib (on a ``Dataset`` viewed with
``default_union=True``, so every named graph counts) or with pyoxigraph (with
``use_default_graph_as_union``). The projection is built once and then serves any number of
regions, zones and chains; :meth:`Projection.entity_graph` is the networkx ``MultiDiGraph`` of
entities whose edges carry the predicate that links them. For one region or zone,
``project_graph(graph, scope=[iri])`` runs the ``scoped_*`` variants of the entity queries
instead (``?scope`` bound), which read only the scope's neighbourhood; chain analysis gives
the same results on either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ..errors import QueryError
from ..ns import KG

__all__ = [
    "QUERY_NAMES",
    "SCOPED_QUERY_NAMES",
    "load_query",
    "run_query",
    "query_rows",
    "Projection",
    "project_graph",
    "LinkInfo",
]

QUERY_DIR = Path(__file__).resolve().parent / "queries"

#: The stored queries the projection is made of (file stems under ``kg/analyze/queries``).
QUERY_NAMES = (
    "chain_links",
    "chain_feeds",
    "chain_labels",
    "vocab_labels",
    "entity_types",
    "entity_labels",
    "entity_edges",
    "product_links",
    "quantities",
    "leaders",
    "industry_schemes",
    "industries",
    "places",
)

#: The scoped variants of the entity queries (``?scope`` bound to a region or zone IRI).
SCOPED_QUERY_NAMES = (
    "scoped_entity_types",
    "scoped_entity_labels",
    "scoped_entity_edges",
    "scoped_quantities",
)

_KG = str(KG)


@cache
def load_query(name: str) -> str:
    """The text of the stored projection query ``name`` (see :data:`QUERY_NAMES`)."""
    p = QUERY_DIR / f"{name}.rq"
    if not p.is_file():
        raise QueryError(f"unknown projection query {name!r}",
                         hint=f"one of {', '.join(QUERY_NAMES + SCOPED_QUERY_NAMES)}")
    return p.read_text(encoding="utf-8")


def _py(term: Any) -> Any:
    """An rdflib or pyoxigraph term as a plain Python value (IRIs as ``str``)."""
    if term is None:
        return None
    mod = type(term).__module__
    if mod.startswith("pyoxigraph"):
        name = type(term).__name__
        if name == "Literal":
            dt = term.datatype.value if term.datatype is not None else ""
            v = term.value
            if dt.endswith(("#integer", "#int", "#long", "#short", "#nonNegativeInteger")):
                return int(v)
            if dt.endswith(("#decimal", "#double", "#float")):
                return float(v)
            if dt.endswith("#boolean"):
                return v in ("true", "1")
            return v
        return term.value  # NamedNode / BlankNode
    from rdflib import Literal

    if isinstance(term, Literal):
        v = term.toPython()
        if isinstance(v, Decimal):
            return float(v)
        if isinstance(v, bool | int | float):
            return v
        return str(term)
    return str(term)


_ESC = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_NUMERIC = ("#integer", "#int", "#long", "#short", "#byte", "#nonNegativeInteger",
            "#positiveInteger", "#unsignedInt", "#unsignedLong")


def _unescape(body: str) -> str:
    out, i, n = [], 0, len(body)
    while i < n:
        c = body[i]
        if c == "\\" and i + 1 < n:
            e = body[i + 1]
            if e == "u":
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            if e == "U":
                out.append(chr(int(body[i + 2:i + 10], 16)))
                i += 10
                continue
            out.append(_ESC.get(e, e))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _tsv_term(s: str) -> Any:
    """One cell of SPARQL 1.1 TSV results as a plain Python value."""
    if not s:
        return None
    c = s[0]
    if c == "<":
        return s[1:-1]
    if c == '"':
        j = s.rfind('"')
        body = s[1:j]
        if "\\" in body:
            body = _unescape(body)
        rest = s[j + 1:]
        if rest.startswith("^^<"):
            dt = rest[3:-1]
            if dt.endswith(_NUMERIC):
                return int(body)
            if dt.endswith(("#decimal", "#double", "#float")):
                return float(body)
            if dt.endswith("#boolean"):
                return body in ("true", "1")
        return body
    if c == "_":
        return s[2:]
    if s in ("true", "false"):
        return s == "true"
    try:
        return int(s)
    except ValueError:
        return float(s)


def run_query(graph: Any, name: str, scope: str | None = None) -> list[dict[str, Any]]:
    """Run the stored query ``name`` on ``graph`` and return its rows as dicts of plain values.

    Parameters
    ----------
    graph : rdflib.Dataset, rdflib.Graph or pyoxigraph.Store
        A Dataset is queried over the union of its graphs (without being modified).
    name : str
        One of :data:`QUERY_NAMES` or :data:`SCOPED_QUERY_NAMES`.
    scope : str, optional
        IRI bound to ``?scope`` (the scoped queries need it).
    """
    variables, rows = query_rows(graph, name, scope)
    return [dict(zip(variables, row, strict=False)) for row in rows]


def _drop_scope(variables: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    if variables and variables[-1] == "scope":
        return variables[:-1], [r[:-1] for r in rows]
    return variables, rows


def query_rows(graph: Any, name: str, scope: str | None = None) -> tuple[list[str], list[tuple]]:
    """Like :func:`run_query`, as ``(variables, rows as tuples)`` (faster on big results)."""
    text = load_query(name)
    if name.startswith("scoped_") and not scope:
        raise QueryError(f"projection query {name!r} needs a scope IRI")
    try:
        if type(graph).__module__.startswith("pyoxigraph"):
            import pyoxigraph as ox

            subst = {ox.Variable("scope"): ox.NamedNode(scope)} if scope else None
            from ..store_oxigraph import union_query_kwargs

            res = graph.query(text, substitutions=subst, **union_query_kwargs(graph))
            # Serialising to TSV in Rust and splitting lines is several times faster than
            # touching every solution and term object from Python.
            data = res.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
            lines = data.split("\n")
            variables = [v.lstrip("?") for v in lines[0].split("\t")]
            conv = _tsv_term
            rows = [tuple([x[1:-1] if x[:1] == "<" else conv(x) for x in line.split("\t")])
                    for line in lines[1:] if line]
            return _drop_scope(variables, rows)
        from rdflib import Dataset

        target = graph
        if isinstance(graph, Dataset) and not graph.default_union:
            target = Dataset(store=graph.store, default_union=True)
        if scope:
            from rdflib import URIRef

            res = target.query(text, initBindings={"scope": URIRef(scope)})
        else:
            res = target.query(text)
        variables = [str(v) for v in res.vars]
        return _drop_scope(variables, [tuple(_py(x) for x in row) for row in res])
    except QueryError:
        raise
    except Exception as exc:  # engines raise many types
        raise QueryError(f"projection query {name!r} failed: {exc}") from None


@dataclass
class LinkInfo:
    """One link of a chain vocabulary, as projected."""

    iri: str
    chain: str
    label: str
    stage: str = ""
    order: int | None = None
    auxiliary: bool = False


def _local(iri: str) -> str:
    return iri[len(_KG):] if iri.startswith(_KG) else iri


class _LocalNames(dict):
    """Memoised :func:`_local` (a few distinct predicates, hundreds of thousands of rows)."""

    def __call__(self, iri: str) -> str:
        v = self.get(iri)
        if v is None:
            v = self[iri] = _local(iri)
        return v


@dataclass
class Projection:
    """The projected tables of one RDF graph; built by :func:`project_graph`.

    Attributes hold IRIs as plain strings. ``edges`` is the entity graph as
    ``(source, predicate local name, target)`` triples.
    """

    links: dict[str, LinkInfo] = field(default_factory=dict)
    chains: dict[str, list[str]] = field(default_factory=dict)  # chain → link IRIs
    chain_names: dict[str, list[str]] = field(default_factory=dict)  # chain → labels (pref first)
    feeds: list[tuple[str, str]] = field(default_factory=list)
    vocab: dict[str, set[str]] = field(default_factory=dict)  # label → links
    types: dict[str, set[str]] = field(default_factory=dict)  # entity → local type names
    labels: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # entity → (rank, label)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    product_links: dict[str, set[str]] = field(default_factory=dict)
    quantities: dict[str, list[dict]] = field(default_factory=dict)  # entity → rows
    leaders: dict[str, set[str]] = field(default_factory=dict)  # entity → industries ("" = flag only)
    industry_schemes: dict[str, set[str]] = field(default_factory=dict)
    industry_names: dict[str, list[str]] = field(default_factory=dict)  # canonical first
    places: dict[str, tuple[set[str], list[str]]] = field(default_factory=dict)  # types, names
    scope: tuple[str, ...] = ()  # the roots of a scoped projection; () = the whole graph

    # -- names ---------------------------------------------------------------------------
    def label(self, iri: str) -> str:
        """The best name of an entity or link: canonical, else as documents name it."""
        memo = self._label_memo
        v = memo.get(iri)
        if v is None:
            if iri in self.links:
                v = self.links[iri].label
            else:
                ls = self.labels.get(iri)
                v = min(ls)[1] if ls else iri.rsplit("/", 1)[-1]
            memo[iri] = v
        return v

    @cached_property
    def _label_memo(self) -> dict[str, str]:
        return {}

    @cached_property
    def _main_type(self) -> dict[str, str]:
        order = ("Project", "EnterpriseGroup", "Company", "DevelopmentZone", "Region",
                 "GovernmentBody", "Product", "IndustryChain", "Person")
        out = {}
        for e, ts in self.types.items():
            out[e] = next((t for t in order if t in ts), None) or min(ts)
        return out

    def names(self, iri: str) -> list[str]:
        """All names of an entity, canonical first."""
        return [lab for _r, lab in sorted(self.labels.get(iri, ()))]

    def type_of(self, iri: str) -> str:
        """The main entity type (local name), ``""`` when untyped."""
        return self._main_type.get(iri, "")

    # -- indexes -------------------------------------------------------------------------
    @cached_property
    def out_edges(self) -> dict[str, dict[str, set[str]]]:
        """predicate → source → targets."""
        return self._indexes[0]

    @cached_property
    def in_edges(self) -> dict[str, dict[str, set[str]]]:
        """predicate → target → sources."""
        return self._indexes[1]

    @cached_property
    def _indexes(self) -> tuple[dict, dict]:
        out: dict[str, dict[str, set[str]]] = {}
        inn: dict[str, dict[str, set[str]]] = {}
        for s, p, o in self.edges:
            po = out.get(p)
            if po is None:
                po = out[p] = {}
                inn[p] = {}
            pi = inn[p]
            x = po.get(s)
            if x is None:
                po[s] = {o}
            else:
                x.add(o)
            y = pi.get(o)
            if y is None:
                pi[o] = {s}
            else:
                y.add(s)
        return out, inn

    def degree(self, e: str) -> int:
        """Number of distinct neighbours of ``e`` in the entity graph (either direction)."""
        nb: set[str] = set()
        for d in self.out_edges.values():
            nb |= d.get(e, set())
        for d in self.in_edges.values():
            nb |= d.get(e, set())
        nb.discard(e)
        return len(nb)

    @cached_property
    def label_index(self) -> dict[str, set[str]]:
        """Every name of every entity (and the IRI itself) → entities."""
        idx: dict[str, set[str]] = defaultdict(set)
        for e, ls in self.labels.items():
            for _r, lab in ls:
                idx[lab].add(e)
        return idx

    @cached_property
    def vocab_max_len(self) -> int:
        return max((len(k) for k in self.vocab), default=0)

    def entity_graph(self):
        """The projected entity graph: a ``networkx.MultiDiGraph`` whose edges carry
        ``predicate`` (``locatedIn``, ``investor``, ``produces``, …) and whose nodes carry
        ``label`` and ``type``. Built on first use and cached."""
        return self._entity_graph

    @cached_property
    def _entity_graph(self):
        import networkx as nx

        g = nx.MultiDiGraph()
        for e in self.types:
            g.add_node(e, label=self.label(e), type=self.type_of(e))
        for s, p, o in self.edges:
            for n in (s, o):
                if n not in g:
                    g.add_node(n, label=self.label(n), type=self.type_of(n))
            g.add_edge(s, o, key=p, predicate=p)
        return g


def project_graph(graph: Any, scope: Iterable[str] | None = None) -> Projection:
    """Run the projection queries on ``graph`` and assemble a :class:`Projection`.

    Parameters
    ----------
    graph : rdflib.Dataset, rdflib.Graph, pyoxigraph.Store or Projection
        A Projection is returned as is.
    scope : iterable of str, optional
        Region or zone IRIs: project only their neighbourhood (everything located in them,
        what is one relation away, and groups), with the ``scoped_*`` queries. The chain
        vocabularies, the places, the 链主 and the industries are always projected whole.
        Analyses of that scope give the same results as on the whole projection.
    """
    if isinstance(graph, Projection):
        return graph
    roots = tuple(sorted(set(scope or ())))
    p = Projection(scope=roots)
    for r in run_query(graph, "chain_links"):
        link = r["link"]
        if link in p.links:
            continue
        order = r.get("order")
        p.links[link] = LinkInfo(
            iri=link,
            chain=r["chain"],
            label=r.get("label") or link.rsplit("/", 1)[-1],
            stage=_local(r["stage"]) if r.get("stage") else "",
            order=int(order) if isinstance(order, int | float) else None,
            auxiliary=bool(r.get("aux")) and r.get("aux") not in ("false", "0"),
        )
        p.chains.setdefault(r["chain"], []).append(link)
    for links in p.chains.values():
        links.sort(key=lambda iri: (p.links[iri].order is None, p.links[iri].order or 0, iri))
    names: dict[str, list[tuple[int, bool, str]]] = defaultdict(list)
    for r in run_query(graph, "chain_labels"):
        names[r["chain"]].append((0 if r.get("pref") else 1, r.get("lang") != "zh", r["label"]))
    p.chain_names = {c: list(dict.fromkeys(lab for *_k, lab in sorted(set(v))))
                     for c, v in names.items()}
    p.feeds = sorted({(r["source"], r["target"]) for r in run_query(graph, "chain_feeds")})
    vocab: dict[str, set[str]] = defaultdict(set)
    for r in run_query(graph, "vocab_labels"):
        lab = (r.get("label") or "").strip()
        if len(lab) >= 2:
            vocab[lab].add(r["link"])
    p.vocab = dict(vocab)
    local = _LocalNames()

    def rows(name: str) -> Iterable[tuple]:
        if not roots:
            return query_rows(graph, name)[1]
        return [r for root in roots for r in query_rows(graph, "scoped_" + name, root)[1]]

    types: dict[str, set[str]] = defaultdict(set)
    for e, t in rows("entity_types"):
        types[e].add(local(t))
    p.types = dict(types)
    labels: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for e, lab, rank in rows("entity_labels"):
        if e in types:
            labels[e].add((int(rank), str(lab)))
    p.labels = {e: list(v) for e, v in labels.items()}
    p.edges = list({(s_, local(pr), o) for s_, pr, o in rows("entity_edges")})
    pl: dict[str, set[str]] = defaultdict(set)
    for r in run_query(graph, "product_links"):
        if r["link"] in p.links:
            pl[r["product"]].add(r["link"])
    p.product_links = dict(pl)
    qs: dict[str, dict[str, dict]] = defaultdict(dict)
    variables = query_rows(graph, "quantities" if not roots else "scoped_quantities",
                           roots[0] if roots else None)[0]
    for row in rows("quantities"):
        r = dict(zip(variables, row, strict=False))
        if isinstance(r.get("value"), int | float):
            qs[r["entity"]][r["quantity"]] = r
    p.quantities = {e: list(v.values()) for e, v in qs.items()}
    ld: dict[str, set[str]] = defaultdict(set)
    for r in run_query(graph, "leaders"):
        ld[r["entity"]].add(r.get("industry") or "")
    p.leaders = dict(ld)
    ind: dict[str, set[str]] = defaultdict(set)
    for r in run_query(graph, "industry_schemes"):
        ind[r["industry"]].add(r["scheme"])
    p.industry_schemes = dict(ind)
    inames: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for r in run_query(graph, "industries"):
        inames[r["industry"]].add((int(r["rank"]), str(r["label"])))
    p.industry_names = {i: list(dict.fromkeys(lab for _r, lab in sorted(v))) for i, v in inames.items()}
    places: dict[str, tuple[set[str], set[tuple[int, str]]]] = {}
    for r in run_query(graph, "places"):
        ts, ns = places.setdefault(r["entity"], (set(), set()))
        ts.add(local(r["type"]))
        ns.add((int(r["rank"]), str(r["label"])))
    p.places = {e: (ts, list(dict.fromkeys(lab for _r, lab in sorted(ns))))
                for e, (ts, ns) in places.items()}
    return p
