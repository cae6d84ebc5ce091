"""Oxigraph adapter for the query stage: open a store on disk, run SPARQL, return rdflib terms.

The query stage (:mod:`kg.query`) answers the same questions on two stores: rdflib's
in-memory Dataset (small graphs, files) and Oxigraph on disk (large graphs). This module
holds everything pyoxigraph-specific so that both stores hand back the same rows: pyoxigraph
terms are converted to rdflib terms here, with the same canonical forms the rdflib path uses
(plain strings for ``xsd:string``, canonical lexical forms of numbers). The default graph of
every query is the union of the named graphs, as for rdflib's ``Dataset(default_union=True)``.

Oxigraph's own union view (``use_default_graph_as_union=True``) is slow on large stores: it
returns a triple once per document graph that states it (joins multiply the copies) and scans
every graph. :func:`materialize_union` therefore writes the de-duplicated union of all named
graphs into the store's *default graph* once, at build time, and marks the store; queries on a
marked store then read the default graph directly (:func:`run_oxigraph` checks the mark).
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .errors import StoreError

__all__ = ["open_store", "to_rdflib", "canonical_term", "run_oxigraph", "parse_error_position",
           "materialize_union", "mark_union", "is_union_materialized", "unmark_union",
           "patch_turtle_dump"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_XSD_DECIMAL = _XSD + "decimal"
_XSD_INTEGER = _XSD + "integer"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGER_TYPES = {_XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte")}


def open_store(location: str | os.PathLike, *, read_only: bool = True):
    """Open the Oxigraph store at ``location`` (a folder made by ``kg build --store``).

    Raises
    ------
    StoreError
        If there is no store there or it cannot be opened.
    """
    import pyoxigraph as ox

    p = Path(location)
    if not p.is_dir():
        raise StoreError("no Oxigraph store here", path=str(p),
                         hint="build one with: kg build DOCS --store oxigraph:PATH")
    try:
        return ox.Store.read_only(str(p)) if read_only else ox.Store(str(p))
    except OSError as exc:
        raise StoreError(f"cannot open the Oxigraph store: {exc}", path=str(p)) from None


#: A decimal already in canonical form (no sign "+", no leading or trailing zeros, no exponent)
_CANONICAL_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")


def _canonical_decimal(lexical: str) -> str | None:
    if _CANONICAL_DECIMAL.fullmatch(lexical) and lexical != "-0":
        return lexical
    try:
        d = Decimal(lexical)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text


def canonical_term(term: Node | None) -> Node | None:
    """The canonical form of an rdflib term, so that both stores give identical rows.

    ``xsd:string`` literals become plain literals; ``xsd:decimal`` and integer literals get
    their canonical lexical form (``2000000000``, ``0.5``); anything else is returned as is.

    >>> canonical_term(Literal("2000000000.0", datatype=URIRef(_XSD + "decimal")))
    rdflib.term.Literal('2000000000', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    """
    if not isinstance(term, Literal) or term.datatype is None:
        return term
    dt = str(term.datatype)
    if dt == _XSD_STRING:
        return Literal(str(term))
    if dt == _XSD + "decimal":
        text = _canonical_decimal(str(term))
        if text is not None and text != str(term):
            return Literal(text, datatype=term.datatype, normalize=False)
    elif dt in _INTEGER_TYPES:
        try:
            text = str(int(str(term).strip()))
        except ValueError:
            return term
        if text != str(term):
            return Literal(text, datatype=term.datatype, normalize=False)
    return term


_new_str = str.__new__


@lru_cache(maxsize=256)
def _datatype_iri(iri: str) -> URIRef:
    return URIRef(iri)


@lru_cache(maxsize=64)
def _valid_lang(tag: str) -> bool:
    from rdflib.term import _is_valid_langtag

    return bool(_is_valid_langtag(tag))


def _string_literal(value: str, lang: str | None) -> Literal:
    """``Literal(value, lang=lang)`` built without rdflib's generic constructor.

    A plain or language-tagged string needs none of its datatype casting: the instance gets
    exactly the slots the constructor gives it (the value is the string itself), about 5x
    faster — what a result of a few thousand names spends most of its conversion on.
    """
    if lang is not None and not _valid_lang(lang):
        return Literal(value, lang=lang)
    inst = _new_str(Literal, value)
    inst._language = lang
    inst._datatype = None
    inst._value = value
    inst._ill_typed = None
    return inst


def to_rdflib(term: Any) -> Node | None:
    """Convert a pyoxigraph term (or ``None`` for unbound) to the canonical rdflib term."""
    if term is None:
        return None
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        # Oxigraph only holds valid IRIs: skip URIRef's re-validation (a regex per term)
        return _new_str(URIRef, term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if term.language:
            return _string_literal(term.value, term.language)
        if dt == _XSD_STRING:
            return _string_literal(term.value, None)
        # what canonical_term(Literal(value, datatype=dt)) gives, with one Literal built
        lexical = term.value
        if dt == _XSD_DECIMAL:
            lexical = _canonical_decimal(lexical) or lexical
        elif dt in _INTEGER_TYPES:
            try:
                lexical = str(int(lexical.strip()))
            except ValueError:
                pass
        if (dt == _XSD_DECIMAL or (dt == _XSD_INTEGER and "." not in lexical)) \
                and _CANONICAL_DECIMAL.fullmatch(lexical):
            # a canonical decimal or integer: the slots rdflib's constructor would fill
            inst = _new_str(Literal, lexical)
            inst._language = None
            inst._datatype = _datatype_iri(dt)
            inst._value = Decimal(lexical) if dt == _XSD_DECIMAL else int(lexical)
            inst._ill_typed = False
            return inst
        return Literal(lexical, datatype=_datatype_iri(dt), normalize=False)
    raise StoreError(f"unsupported term in a result: {term!r}")


def parse_error_position(message: str) -> tuple[int, int] | None:
    """Line and column (1-based) of an Oxigraph parse error message ``error at L:C: …``."""

    m = re.search(r"at (\d+):(\d+)", message)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


#: Local name (under ``https://w3id.org/chainkg/graph/``) of the empty named graph that marks
#: a store whose default graph holds the materialised union.
UNION_MARK = "union-materialized"


def _union_mark():
    import pyoxigraph as ox

    from .ns import GRAPH

    return ox.NamedNode(str(GRAPH[UNION_MARK]))


def is_union_materialized(store) -> bool:
    """Whether :func:`materialize_union` wrote the union into the default graph of ``store``."""
    try:
        return bool(store.contains_named_graph(_union_mark()))
    except OSError:  # pragma: no cover - a store that cannot be read answers no
        return False


def union_query_kwargs(store) -> dict:
    """Keyword arguments of ``Store.query`` that read the union of all document graphs.

    On a store where :func:`materialize_union` copied the union into the default graph, the
    default graph alone is read (fast, no duplicates); elsewhere Oxigraph's union view.
    """
    return {} if is_union_materialized(store) else {"use_default_graph_as_union": True}


def materialize_union(store) -> int:
    """Write the de-duplicated union of all named graphs into the default graph of ``store``.

    Call it once after the named graphs are loaded (``kg build --store oxigraph:…`` does, in
    :func:`kg.store.load_oxigraph`), and again after any named graph changes: the default
    graph is a copy, not a view. It is replaced, not added to. The store is then marked (by an
    empty named graph ``graph:union-materialized``, which no query pattern can match), and
    :func:`run_oxigraph` reads the default graph of a marked store instead of Oxigraph's
    union view — the same rows, each triple once, several times faster on large stores.
    Changing named graphs without calling this again would leave stale answers: a writer
    that cannot re-materialise must call :func:`unmark_union`. Cost: one pass over all quads
    through the bulk loader (about as long as loading the store again).

    Parameters
    ----------
    store
        An open, writable ``pyoxigraph.Store``.

    Returns
    -------
    int
        The number of distinct triples in the default graph afterwards.
    """
    import pyoxigraph as ox

    default = ox.DefaultGraph()
    mark = _union_mark()
    if store.contains_named_graph(mark):
        store.remove_graph(mark)
    store.clear_graph(default)
    # The bulk loader (no transaction) is ~30x faster than ``extend`` here; quads are read
    # from a snapshot, so writing the default graph while iterating is safe.
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, default)
                      for q in store.quads_for_pattern(None, None, None, None)
                      if not isinstance(q.graph_name, ox.DefaultGraph))
    store.add_graph(mark)
    store.flush()
    count = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0]
    return int(count.value)


#: Quads per bulk load by :func:`bulk_extend_chunked`. Oxigraph's bulk loader holds several
#: times what one load is given: the ~1M quads of a 10,000-document build's derived graph
#: copied into the union in one load were the build's memory peak.
BULK_CHUNK = 200_000


def bulk_extend_chunked(store, quads, size: int = BULK_CHUNK) -> int:
    """``store.bulk_extend(quads)`` in loads of at most ``size`` quads; return how many.
    (Quad objects keep their blank nodes across loads, unlike parsed text.)"""
    from itertools import islice

    it, n = iter(quads), 0
    while chunk := list(islice(it, size)):
        store.bulk_extend(chunk)
        n += len(chunk)
    return n


def mark_union(store) -> None:
    """Mark ``store`` as one whose default graph already holds the union of its named graphs.

    For writers that put every triple into the default graph as they load the named graphs
    (``kg build`` loads each document's N-Quads twice in the same bulk load, with and
    without the graph name; the store is a set, so a triple stated by several documents is
    kept once): the same state as :func:`materialize_union` leaves, without its second pass
    over all quads. The caller vouches for the copy being complete; otherwise queries on
    the store miss triples. :func:`unmark_union` undoes it.
    """
    store.add_graph(_union_mark())


def unmark_union(store) -> None:
    """Drop a materialised union: the default graph is emptied and the mark removed.

    Queries then go back to Oxigraph's union view (which also reads the default graph, so the
    copy must go). Writers that change named graphs and do not call :func:`materialize_union`
    again must call this.
    """
    import pyoxigraph as ox

    mark = _union_mark()
    if store.contains_named_graph(mark):
        store.remove_graph(mark)
        store.clear_graph(ox.DefaultGraph())


#: A line of Oxigraph's Turtle (``Store.dump``) that starts a subject's block: the subject,
#: then a space. Its other lines start with a tab; literals keep their line breaks escaped.
_BLOCK_START = re.compile(rb"([^\t\n@][^ \n]*) ")
_NEXT_BLOCK = re.compile(rb"\n([^\t\n@][^ \n]*) ")  # a search for "\n" first: 3x faster than ^


def _blocks(data, start: int):
    """(offset, subject as printed) of each block of Oxigraph's Turtle ``data`` from
    ``start``, the start of a line."""
    m = _BLOCK_START.match(data, start)
    if m is not None:
        yield m.start(1), m.group(1)
    for m in _NEXT_BLOCK.finditer(data, start):
        yield m.start(1), m.group(1)


def _turtle_body_start(data) -> int:
    """Where the triples of ``data`` (Oxigraph's Turtle, bytes or a map of a file) start:
    after its ``@prefix`` lines."""
    end = 0
    while data[end:end + 8] == b"@prefix ":
        nl = data.find(b"\n", end)
        if nl < 0:
            return len(data)
        end = nl + 1
    return end


def patch_turtle_dump(src: str | os.PathLike, dst: str | os.PathLike, store, subjects,
                      prefixes: dict[str, str]) -> bool:
    """Write to ``dst`` the Turtle of the default graph of ``store`` from ``src``, its dump
    (``Store.dump(format=TURTLE, from_graph=DefaultGraph(), prefixes=prefixes)``) before
    the triples of ``subjects`` (pyoxigraph terms) changed: their blocks are left out and
    written again from the store, at the end. Other blocks are copied as they are.

    A dump holds each subject's triples in one block (the store iterates them in subject
    order), and so does every patched file. Patching reads and writes the file (0.3 s for
    60 MB) instead of reading every triple back out of the store (9.5 s for the union of
    500 documents, 1.5 million triples). Returns ``False``, writing nothing, when a subject
    does not print as one token (an RDF-star triple): the caller dumps the store instead.
    """
    import mmap

    import pyoxigraph as ox

    turtle = ox.RdfFormat.TURTLE
    subjects = sorted(set(subjects), key=str)
    if any(not isinstance(s, (ox.NamedNode, ox.BlankNode)) for s in subjects):
        return False
    # each subject as the dump prints it: Oxigraph's own writer, same prefixes
    probe = ox.NamedNode("urn:x-chainkg:probe")
    printed = ox.serialize([ox.Triple(s, probe, probe) for s in subjects], format=turtle,
                           prefixes=prefixes) or b""
    keys = {key for _at, key in _blocks(printed, _turtle_body_start(printed))}
    if len(keys) != len(subjects):
        return False
    dflt = ox.DefaultGraph()
    fresh = [ox.Triple(q.subject, q.predicate, q.object)
             for s in subjects for q in store.quads_for_pattern(s, None, None, dflt)]
    with open(src, "rb") as fh, open(dst, "wb") as out:
        data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(fh.fileno()).st_size else b""
        try:
            start = _turtle_body_start(data)
            # the prefixes as the dump declares them (a dump of an empty graph declares none)
            out.write(data[:start] if start else printed[:_turtle_body_start(printed)])
            kept = start  # start of the run of blocks kept
            skipping = False
            for at, key in _blocks(data, start):
                drop = key in keys
                if drop and not skipping:
                    out.write(data[kept:at])
                elif skipping and not drop:
                    kept = at
                skipping = drop
            if not skipping:
                out.write(data[kept:])
            if len(data) > start and data[-1:] != b"\n":
                out.write(b"\n")
        finally:
            if isinstance(data, mmap.mmap):
                data.close()
        if fresh:
            text = ox.serialize(fresh, format=turtle, prefixes=prefixes)
            out.write(text[_turtle_body_start(text):])
    return True


class _Rows:
    """The rows of an Oxigraph SELECT result as tuples of rdflib terms, converted as they are
    taken; :meth:`count_rest` counts those not taken without converting them."""

    def __init__(self, solutions) -> None:
        self._it = iter(solutions)
        self._memo: dict = {}  # results repeat their terms: convert each one once

    def _term(self, t):
        if t is None:
            return None
        r = self._memo.get(t)
        if r is None:
            r = self._memo[t] = to_rdflib(t)
        return r

    def __iter__(self):
        return self

    def __next__(self) -> tuple:
        return tuple(map(self._term, next(self._it)))

    def count_rest(self) -> int:
        return sum(1 for _ in self._it)

    def raw(self) -> list[tuple]:
        """The rows not yet taken as tuples of pyoxigraph terms (None: unbound), unconverted:
        to sort them first and convert only those kept (``_Rows(sorted_raw)``)."""
        return [tuple(s) for s in self._it]


def run_oxigraph(store, query: str) -> tuple[str, list[str], Any]:
    """Run ``query`` on ``store`` with the union of named graphs as default graph.

    On a store prepared by :func:`materialize_union` that union is the stored default graph;
    otherwise Oxigraph's union view is used.

    Returns ``(form, variables, payload)`` where form is ``SELECT``, ``ASK`` or ``GRAPH``;
    payload is an iterator of rows (tuples of rdflib terms), a bool, or an iterator of
    rdflib triples. Raises ``SyntaxError`` (pyoxigraph's) for a malformed query.
    """
    import pyoxigraph as ox

    if is_union_materialized(store):
        res = store.query(query)
    else:
        res = store.query(query, use_default_graph_as_union=True)
    if isinstance(res, ox.QueryBoolean):
        return "ASK", [], bool(res)
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        return "SELECT", names, _Rows(res)

    def triples():
        for t in res:
            yield (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))

    return "GRAPH", [], triples()
