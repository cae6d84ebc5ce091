"""Stage 6b, derive: helper triples computed from the whole graph at build time.

Consumes a store holding every other graph of a build (document graphs, corpus graphs,
analysis) and writes into one corpus graph, :data:`kg.ns.DERIVED_GRAPH`, the facts that the
stored queries would otherwise recompute on every call with property paths and OPTIONAL
groups — the slow parts on large graphs, and the parts remote servers (Virtuoso 7) get wrong:

* ``kg:within`` — the transitive closure of ``kg:locatedIn`` (``?x kg:locatedIn+ ?y``);
* ``kg:upstreamOfTransitive`` and ``kg:feedsTransitive`` — the closures of ``kg:upstreamOf``
  (products) and ``kg:feeds`` (chain links);
* ``kg:productLink`` — the chain link of a product or product type: its ``kg:atLink``, the
  ``skos:broader`` link of its ``kg:productType``, or its own ``skos:broader``;
* per project (``kg:Project``): ``kg:maxInvestment`` (the largest stated investment, yuan),
  ``kg:maxCapacity`` and ``kg:capacityUnit`` (the largest stated capacity and the smallest
  unit code among the capacities), ``kg:latestStatus`` (the status concept with the highest
  ``kg:stageOrder``, ties broken by the larger IRI) and ``kg:latestStageName`` (the zh label
  of the latest stage, ties broken by the larger label);
* per place (every node a project is ``kg:within``: zones, parks, counties, cities,
  provinces): ``kg:projectCount`` (projects within it), and when at least one of them states
  an investment ``kg:investedProjectCount``, ``kg:totalInvestment`` (the sum of their
  ``kg:maxInvestment``, yuan) and ``kg:averageInvestment`` (that sum over their number,
  rounded to the yuan, halves up, as SPARQL's ``ROUND``) — the figures of the investment and
  zone-ranking queries, which otherwise group every (project, place) pair on each call.

Every per-project value is exactly what the former query-time expression gave (those
aggregates are computed by Oxigraph's SPARQL engine over the union of the other graphs); the
per-place figures are exact decimal arithmetic (Python's :mod:`decimal`), written in
Oxigraph's canonical form. The graph is a pure function of the other graphs:
:func:`add_derived` drops and recomputes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = [
    "DERIVED_PROPERTIES",
    "add_derived",
    "derived_changes",
    "derived_quads",
    "has_derived",
    "ensure_derived",
    "needs_derived",
]

_KG = "https://w3id.org/chainkg/ontology#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: The properties written by :func:`add_derived` (local names in the ``kg:`` namespace).
DERIVED_PROPERTIES: tuple[str, ...] = (
    "within",
    "upstreamOfTransitive",
    "feedsTransitive",
    "productLink",
    "maxInvestment",
    "maxCapacity",
    "capacityUnit",
    "latestStatus",
    "latestStageName",
    "projectCount",
    "investedProjectCount",
    "totalInvestment",
    "averageInvestment",
)

#: The per-place aggregates (:func:`_place_quads`), a subset of :data:`DERIVED_PROPERTIES`.
_PLACE_PROPERTIES = ("projectCount", "investedProjectCount", "totalInvestment", "averageInvestment")

#: (derived property, base property): transitive closures computed in Python.
_CLOSURES = (("within", "locatedIn"), ("upstreamOfTransitive", "upstreamOf"),
             ("feedsTransitive", "feeds"))

_PREFIXES = """PREFIX kg: <https://w3id.org/chainkg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

#: Product links and per-project summaries: (SPARQL SELECT ?s ?o …, derived property). A
#: summary query gives at most one row per project; the expressions are those the stored queries used at query time.
_SUMMARIES = (
    ("""SELECT DISTINCT ?s ?o WHERE {
          ?s kg:atLink|kg:productType/skos:broader|skos:broader ?o }""", "productLink"),
    ("""SELECT ?s (MAX(?v) AS ?o) WHERE {
          ?s kg:hasQuantity ?q . ?q kg:kind "investment" ; schema:value ?v .
          FILTER EXISTS { ?s a kg:Project } } GROUP BY ?s""", "maxInvestment"),
    ("""SELECT ?s (MAX(?v) AS ?o) WHERE {
          ?s kg:hasQuantity ?q . ?q kg:kind "capacity" ; schema:value ?v ; schema:unitCode ?u .
          FILTER EXISTS { ?s a kg:Project } } GROUP BY ?s""", "maxCapacity"),
    ("""SELECT ?s (MIN(?u) AS ?o) WHERE {
          ?s kg:hasQuantity ?q . ?q kg:kind "capacity" ; schema:value ?v ; schema:unitCode ?u .
          FILTER EXISTS { ?s a kg:Project } } GROUP BY ?s""", "capacityUnit"),
    ("""SELECT ?s (?st AS ?o) WHERE {
          ?s a kg:Project ; kg:hasStatus ?st . ?st kg:stageOrder ?ord .
          FILTER NOT EXISTS {
            ?s kg:hasStatus ?s2 . ?s2 kg:stageOrder ?o2 .
            FILTER(?o2 > ?ord || (?o2 = ?ord && STR(?s2) > STR(?st)))
          } }""", "latestStatus"),
    ("""SELECT ?s (STRAFTER(MAX(?key), "|") AS ?o) WHERE {
          ?s kg:hasStatus ?st . ?st kg:stageOrder ?ord ; skos:prefLabel ?name .
          FILTER(LANG(?name) = "zh") FILTER EXISTS { ?s a kg:Project }
          BIND(CONCAT(IF(?ord < 10, "0", ""), STR(?ord), "|", STR(?name)) AS ?key)
        } GROUP BY ?s""", "latestStageName"),
)


def _closure(edges: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """Every pair ``(a, b)`` with a path of one or more edges from a to b (``p+``)."""
    succ: dict[Any, set] = {}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)
    for start in succ:
        seen: set = set()
        todo = list(succ[start])
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo.extend(succ.get(n, ()))
        for n in seen:
            yield start, n


def _decimal(term):
    """The finite decimal value of a numeric literal ``term``, or None."""
    from decimal import Decimal, InvalidOperation

    if term is None or not hasattr(term, "datatype"):
        return None
    try:
        d = Decimal(term.value)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _canonical(d) -> str:
    """``d`` (a Decimal) as Oxigraph writes an ``xsd:decimal``: no exponent, no trailing zero."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def _place_quads(members: dict, invest: dict, graph) -> list:
    """The per-place aggregates of :data:`_PLACE_PROPERTIES`.

    ``members`` maps a place to the set of projects within it, ``invest`` a project to its
    ``kg:maxInvestment`` literal (absent: none stated); a value that is not a finite number
    is left out of the sums.
    """
    import decimal

    figures = {}
    with decimal.localcontext() as ctx:
        ctx.prec = 80  # exact: amounts in yuan have at most ~20 digits
        for place, projects in members.items():
            values = [v for v in (_decimal(invest.get(p)) for p in projects) if v is not None]
            figures[place] = (len(projects), len(values), sum(values, decimal.Decimal(0)))
    return _figure_quads(figures, graph)


def _figure_quads(figures: dict, graph) -> list:
    """The quads of per-place ``figures``: place → (projects, invested projects, total)."""
    import decimal

    import pyoxigraph as ox

    dec, integer = ox.NamedNode(_XSD_DECIMAL), ox.NamedNode(_XSD_INTEGER)
    pred = {p: ox.NamedNode(_KG + p) for p in _PLACE_PROPERTIES}
    out = []
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        for place in sorted(figures, key=str):
            n, k, total = figures[place]
            if n <= 0:
                continue
            out.append(ox.Quad(place, pred["projectCount"],
                               ox.Literal(str(n), datatype=integer), graph))
            if k <= 0:
                continue
            average = (total / k + decimal.Decimal("0.5")).to_integral_value(
                rounding=decimal.ROUND_FLOOR)  # SPARQL ROUND: x.5 goes up
            out += [ox.Quad(place, pred["investedProjectCount"],
                            ox.Literal(str(k), datatype=integer), graph),
                    ox.Quad(place, pred["totalInvestment"],
                            ox.Literal(_canonical(total), datatype=dec), graph),
                    ox.Quad(place, pred["averageInvestment"],
                            ox.Literal(_canonical(average), datatype=dec), graph)]
    return out


def _projects(store, where) -> set:
    """The subjects typed ``kg:Project`` in ``store`` (``where``: the graph to read, None: all)."""
    import pyoxigraph as ox

    return {q.subject for q in store.quads_for_pattern(
        None, ox.NamedNode(_RDF_TYPE), ox.NamedNode(_KG + "Project"), where)}


def derived_quads(store) -> list:
    """The derived quads of a pyoxigraph ``store``, computed from all graphs but the derived one.

    Parameters
    ----------
    store
        A ``pyoxigraph.Store``; the default graph of the queries is the union of its graphs.
    """
    out = [q for _names, part in _derived_parts(store) for q in part]
    # Oxigraph's union view gives a row per graph that states a triple: keep each quad once
    return list(dict.fromkeys(out))


def _derived_parts(store):
    """The quads of :func:`derived_quads`, one closure or summary at a time, in order:
    ``(names of the properties the part writes, list of quads)``; the same quad may come
    more than once."""
    import pyoxigraph as ox

    from .store_oxigraph import is_union_materialized, union_query_kwargs

    graph = ox.NamedNode(_derived_graph())
    # On a store whose default graph holds the union (kg build marks it before deriving) that
    # graph alone is read: the union view would visit every triple twice, once per copy.
    where = ox.DefaultGraph() if is_union_materialized(store) else None
    projects = _projects(store, where)
    members: dict = {}  # place → the projects within it, for the per-place aggregates
    invest: dict = {}
    for derived, base in _CLOSURES:
        pred = ox.NamedNode(_KG + derived)
        edges = {(q.subject, q.object) for q in store.quads_for_pattern(
            None, ox.NamedNode(_KG + base), None, where)
            if q.graph_name != graph and isinstance(q.object, (ox.NamedNode, ox.BlankNode))}
        pairs = sorted(_closure(edges), key=str)
        del edges
        if derived == "within":
            for a, b in pairs:
                if a in projects:
                    members.setdefault(b, set()).add(a)
        yield (derived,), [ox.Quad(a, pred, b, graph) for a, b in pairs]
        del pairs
    union = union_query_kwargs(store)
    for query, derived in _SUMMARIES:
        pred = ox.NamedNode(_KG + derived)
        rows = store.query(_PREFIXES + query, **union)
        part = [ox.Quad(r["s"], pred, r["o"], graph) for r in rows
                if r["s"] is not None and r["o"] is not None]
        if derived == "maxInvestment":
            invest = {q.subject: q.object for q in part}
        yield (derived,), part
    yield _PLACE_PROPERTIES, _place_quads(members, invest, graph)


def derived_changes(store, subjects=None, bases=None, retyped=None) -> tuple[list, list]:
    """``(removed, added)``: the quads of the derived graph of a pyoxigraph ``store`` that no
    longer hold and those that are missing, after the other graphs changed.

    Nothing is written. With ``subjects`` (the IRIs whose summaries and product links may
    have changed) and ``bases`` (base property of a closure, ``"locatedIn"`` … → the
    subjects of its triples that changed) — what an in-place update knows it touched — only
    those summaries and the closures of the nodes that reach a changed edge are recomputed,
    by index look-ups; with ``None`` everything is (after a change to the ontology or the
    chain graphs, which every value depends on). ``retyped``, if given, holds the nodes whose
    ``rdf:type kg:Project`` triple entered or left the union: the per-place figures are then
    brought up to date from the stored ones and the changed projects alone; without it they
    are counted again over every project within each touched place. Applied to the store,
    the derived graph equals what :func:`add_derived` gives.
    """
    import pyoxigraph as ox

    from .store_oxigraph import is_union_materialized, union_query_kwargs

    graph = ox.NamedNode(_derived_graph())
    if subjects is None or bases is None:
        # compared a part at a time: the old and new graphs whole (a million quads each at
        # 10,000 documents) took an update's peak to 2.9 GB
        gone: list = []
        added: list = []
        for names, part in _derived_parts(store):
            new = set(part)
            del part
            old = {q for n in names
                   for q in store.quads_for_pattern(None, ox.NamedNode(_KG + n), None, graph)}
            gone += old - new
            added += new - old
            del old, new
        known = {_KG + n for n in DERIVED_PROPERTIES}  # and whatever else the graph holds
        gone += [q for q in store.quads_for_pattern(None, None, None, graph)
                 if q.predicate.value not in known]
        return sorted(gone, key=str), sorted(added, key=str)
    where = ox.DefaultGraph() if is_union_materialized(store) else None
    old: set = set()
    new: set = set()
    moved: set = set()  # the nodes whose kg:within may have changed
    for derived, base in _CLOSURES:
        if not bases.get(base):
            continue
        pred, bpred = ox.NamedNode(_KG + derived), ox.NamedNode(_KG + base)

        def targets(node, bpred=bpred):
            return [q.object for q in store.quads_for_pattern(node, bpred, None, where)
                    if q.graph_name != graph and isinstance(q.object, (ox.NamedNode, ox.BlankNode))]

        # the sources of the changed edges and every node with a path to one of them
        affected: set = set()
        todo = list(bases[base])
        while todo:
            n = todo.pop()
            if n not in affected:
                affected.add(n)
                todo.extend(q.subject for q in store.quads_for_pattern(None, bpred, n, where)
                            if q.graph_name != graph)
        for a in affected:
            seen: set = set()
            todo = targets(a)
            while todo:
                n = todo.pop()
                if n not in seen:
                    seen.add(n)
                    todo.extend(targets(n))
            new.update(ox.Quad(a, pred, b, graph) for b in seen)
            old.update(store.quads_for_pattern(a, pred, None, graph))
        if derived == "within":
            moved = affected
    subjects = sorted({s for s in subjects if isinstance(s, ox.NamedNode)}, key=str)
    union = union_query_kwargs(store)
    for query, derived in _SUMMARIES:
        pred = ox.NamedNode(_KG + derived)
        for i in range(0, len(subjects), 500):
            chunk = subjects[i:i + 500]
            values = "VALUES ?s { " + " ".join(str(s) for s in chunk) + " }"
            rows = store.query(_PREFIXES + query.replace("WHERE {", "WHERE { " + values, 1),
                               **union)
            new.update(ox.Quad(r["s"], pred, r["o"], graph) for r in rows
                       if r["s"] is not None and r["o"] is not None)
            for s in chunk:
                old.update(store.quads_for_pattern(s, pred, None, graph))
    if retyped is None:
        _place_changes(store, graph, where, moved, set(subjects), old, new)
    else:
        _place_deltas(store, graph, where, moved, set(subjects), set(retyped), old, new)
    return sorted(old - new, key=str), sorted(new - old, key=str)


def _new_facts(new: set, moved: set) -> tuple[dict, dict]:
    """``({moved node: the places it is within now}, {node: its new kg:maxInvestment})``
    from the ``new`` quads of :func:`derived_changes`."""
    import pyoxigraph as ox

    within, inv = ox.NamedNode(_KG + "within"), ox.NamedNode(_KG + "maxInvestment")
    new_within: dict = {a: set() for a in moved}
    new_inv: dict = {}
    for q in new:
        if q.predicate == within and q.subject in new_within:
            new_within[q.subject].add(q.object)
        elif q.predicate == inv:
            new_inv[q.subject] = q.object
    return new_within, new_inv


def _place_deltas(store, graph, where, moved: set, touched: set, retyped: set, old: set,
                  new: set) -> None:
    """:func:`_place_changes` from the stored figures: each place's count and sum lose what
    the changed projects gave them and gain what they give now. Only the changed nodes are
    looked up (a province's thousands of projects are not read again); a node was a project
    before the change if it is one now, unless its type changed (``retyped``)."""
    import decimal

    import pyoxigraph as ox

    within, inv = ox.NamedNode(_KG + "within"), ox.NamedNode(_KG + "maxInvestment")
    type_, project = ox.NamedNode(_RDF_TYPE), ox.NamedNode(_KG + "Project")
    new_within, new_inv = _new_facts(new, moved)
    # place → [projects, invested projects, total]: what the changed nodes take away, then add
    delta: dict = {}
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        for n in moved | touched | retyped:
            now = next(iter(store.quads_for_pattern(n, type_, project, where)), None) is not None
            was = now != (n in retyped)
            places = {q.object for q in store.quads_for_pattern(n, within, None, graph)}
            amount = _decimal(next((q.object for q in store.quads_for_pattern(n, inv, None, graph)),
                                   None))
            for sign, member, at, value in (
                    (-1, was, places, amount),
                    (1, now, new_within.get(n, places),
                     _decimal(new_inv.get(n)) if n in touched else amount)):
                if not member:
                    continue
                for place in at:
                    d = delta.setdefault(place, [0, 0, decimal.Decimal(0)])
                    d[0] += sign
                    if value is not None:
                        d[1] += sign
                        d[2] += sign * value
        figures: dict = {}
        for place, (dn, dk, dt) in delta.items():
            if not (dn or dk or dt):
                continue
            stored = {name: next((q for q in store.quads_for_pattern(
                place, ox.NamedNode(_KG + name), None, graph)), None) for name in _PLACE_PROPERTIES}
            old.update(q for q in stored.values() if q is not None)

            def number(name, zero, stored=stored):
                q = stored[name]
                return zero if q is None else type(zero)(q.object.value)

            figures[place] = (number("projectCount", 0) + dn, number("investedProjectCount", 0) + dk,
                              number("totalInvestment", decimal.Decimal(0)) + dt)
    new.update(_figure_quads(figures, graph))


def _place_changes(store, graph, where, moved: set, touched: set, old: set, new: set) -> None:
    """Add to ``old`` / ``new`` the per-place aggregates that change, for
    :func:`derived_changes`: the places any ``moved`` node (new ``kg:within``) or ``touched``
    subject (new summaries) was or is within, recounted from the derived graph as it will be
    once ``old`` is replaced by ``new`` (the rest of it read from the store)."""
    import pyoxigraph as ox

    from .store_oxigraph import union_query_kwargs

    within, inv = ox.NamedNode(_KG + "within"), ox.NamedNode(_KG + "maxInvestment")
    new_within, new_inv = _new_facts(new, moved)
    places: set = set()
    for n in moved | touched:
        places.update(q.object for q in store.quads_for_pattern(n, within, None, graph))
        places.update(new_within.get(n, ()))
    if not places:
        return
    type_, project = ox.NamedNode(_RDF_TYPE), ox.NamedNode(_KG + "Project")

    def is_project(n) -> bool:
        return next(iter(store.quads_for_pattern(n, type_, project, where)), None) is not None

    def stored_inv(n):
        return next((q.object for q in store.quads_for_pattern(n, inv, None, graph)), None)

    members: dict = {place: set() for place in places}
    invest: dict = {}
    # the projects within each place as stored (a province holds thousands: found by the
    # engine, not by a look-up per node in Python), but for the moved ones ...
    rows = store.query(
        _PREFIXES + "SELECT ?place ?p ?inv WHERE { VALUES ?place { "
        + " ".join(str(n) for n in sorted(places, key=str)) + " } "
        f"GRAPH {graph} {{ ?p kg:within ?place }} ?p a kg:Project . "
        f"OPTIONAL {{ GRAPH {graph} {{ ?p kg:maxInvestment ?inv }} }} }}",
        **union_query_kwargs(store))
    for r in rows:
        p = r["p"]
        if p not in new_within:
            members[r["place"]].add(p)
            invest[p] = r["inv"]
    # ... which are where their new kg:within puts them
    for a, ps in new_within.items():
        if ps and is_project(a):
            for place in ps:
                members[place].add(a)
            invest[a] = stored_inv(a)
    for p in touched & invest.keys():
        invest[p] = new_inv.get(p)
    new.update(_place_quads(members, {p: v for p, v in invest.items() if v is not None}, graph))
    for place in places:
        for name in _PLACE_PROPERTIES:
            old.update(store.quads_for_pattern(place, ox.NamedNode(_KG + name), None, graph))


def add_derived(store) -> int:
    """Drop and recompute the derived graph of a pyoxigraph ``store``; return its size.

    Call it after every other graph is loaded and before the union is materialised.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> st = ox.Store()
    >>> kg = "https://w3id.org/chainkg/ontology#"
    >>> a, b, c = (ox.NamedNode(f"https://w3id.org/chainkg/id/region/{i}") for i in "abc")
    >>> g = ox.NamedNode("https://w3id.org/chainkg/graph/regions")
    >>> st.extend([ox.Quad(a, ox.NamedNode(kg + "locatedIn"), b, g),
    ...            ox.Quad(b, ox.NamedNode(kg + "locatedIn"), c, g)])
    >>> add_derived(st)
    3
    """
    import pyoxigraph as ox

    from .store_oxigraph import bulk_extend_chunked, is_union_materialized

    graph = ox.NamedNode(_derived_graph())
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    if not is_union_materialized(store):
        # the union view would show the parts written so far to the queries of the next
        quads = derived_quads(store)
        store.add_graph(graph)
        bulk_extend_chunked(store, quads)
        return len(quads)
    # The queries read the union copy only: each part is written as soon as it is computed
    # (at 10,000 documents this took the derivation's peak from 2.3 to 1.9 GB).
    store.add_graph(graph)
    for _names, part in _derived_parts(store):
        bulk_extend_chunked(store, part)
    return sum(1 for _q in store.quads_for_pattern(None, None, None, graph))


def has_derived(source) -> bool:
    """Whether ``source`` (a pyoxigraph Store or an rdflib Dataset) holds a derived graph."""
    from rdflib import URIRef

    iri = _derived_graph()
    try:
        import pyoxigraph as ox

        if isinstance(source, ox.Store):
            g = ox.NamedNode(iri)
            return source.contains_named_graph(g)
    except ImportError:  # pragma: no cover
        pass
    graphs = source.graphs() if hasattr(source, "graphs") else source.contexts()
    return any(c.identifier == URIRef(iri) for c in graphs)


def needs_derived(query: str) -> bool:
    """Whether the SPARQL text ``query`` uses a derived property (by prefixed name or IRI)."""
    return any(f"kg:{p}" in query or f"{_KG}{p}>" in query for p in DERIVED_PROPERTIES)


def ensure_derived(source) -> bool:
    """Add the derived graph to ``source`` when it has none; return whether it was added.

    ``source`` is a writable pyoxigraph Store or an rdflib Dataset (the graph is computed
    with Oxigraph from an N-Quads copy and added as a named graph). Graphs written by
    ``kg build`` already hold it; this serves graphs made by hand or by older builds. A
    store with a materialised union gets the derived triples into its default graph too.
    """
    import pyoxigraph as ox
    from rdflib import BNode as RBNode
    from rdflib import Dataset, Literal, URIRef

    if has_derived(source):
        return False
    if isinstance(source, ox.Store):
        from .store_oxigraph import is_union_materialized

        add_derived(source)
        if is_union_materialized(source):
            g = ox.NamedNode(_derived_graph())
            source.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                          for q in list(source.quads_for_pattern(None, None, None, g)))
        return True
    if not isinstance(source, Dataset):
        return False
    tmp = ox.Store()
    tmp.load(source.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)

    def term(t):
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return RBNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == _XSD_STRING:
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))

    ctx = source.graph(URIRef(_derived_graph()))
    for q in derived_quads(tmp):
        ctx.add((term(q.subject), term(q.predicate), term(q.object)))
    return True


def _derived_graph() -> str:
    from .ns import DERIVED_GRAPH

    return str(DERIVED_GRAPH)
