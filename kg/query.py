"""Stage 7, query: SPARQL over the graph, a library of stored questions, every result format.

:func:`run_query` takes a graph source — an rdflib Dataset or Graph, a graph file, or an
Oxigraph store ``oxigraph:PATH`` — and a query — SPARQL text, a ``.rq`` file or the name of a
stored query in ``kg/queries/`` — and returns a :class:`QueryResult` that serialises to a
table, CSV, TSV, SPARQL Results JSON and XML, or (for CONSTRUCT and DESCRIBE) Turtle,
JSON-LD and N-Triples. The default graph of every query is the union of all named graphs.

Parameters are bound safely: each value becomes a typed RDF term (an IRI, a language-tagged
or typed literal) that is checked and written into a ``VALUES`` block at the top of the
query's WHERE clause; no user text is ever pasted into the query. A query that names a
remote ``SERVICE``, ``LOAD``s, or reads ``FROM`` a non-local IRI is refused unless
``allow_remote`` is set; rdflib never fetches a graph named in ``FROM``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import QueryError, StoreError, UnsafeInputError

__all__ = [
    "QueryResult",
    "StoredQuery",
    "QueryParam",
    "run_query",
    "list_stored_queries",
    "load_stored_query",
    "resolve_query",
    "bind_values",
    "inline_bindings",
    "check_query_safety",
    "parse_param_value",
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "PREFIXES",
]

#: Prefixes known to parameters (``--param type=kg:Company``) and to compact table output.
PREFIXES: dict[str, str] = {
    "kg": "https://w3id.org/chainkg/ontology#",
    "id": "https://w3id.org/chainkg/id/",
    "doc": "https://w3id.org/chainkg/doc/",
    "chain": "https://w3id.org/chainkg/chain/",
    "status": "https://w3id.org/chainkg/status/",
    "graph": "https://w3id.org/chainkg/graph/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "qb": "http://purl.org/linked-data/cube#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_LOCAL_IRI_BASES = ("https://w3id.org/chainkg/", "urn:")

#: Result formats of SELECT and ASK queries.
RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
#: Result formats of CONSTRUCT and DESCRIBE queries.
GRAPH_FORMATS = ("table", "turtle", "json-ld", "nt")
_FORMAT_ALIASES = {"ttl": "turtle", "jsonld": "json-ld", "ntriples": "nt", "n-triples": "nt",
                   "srj": "json", "srx": "xml", "sparql-json": "json", "sparql-xml": "xml"}

_XSD = PREFIXES["xsd"]
_PARAM_TYPES = ("entity", "iri", "string", "zh", "integer", "decimal", "boolean", "date")
_STORED_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class QueryParam:
    """A declared parameter of a stored query.

    ``type`` is one of ``entity`` (an IRI, or a name looked up among the labels and aliases
    of the graph — all matching entities are used), ``iri``, ``string``, ``zh`` (a Chinese
    language-tagged literal), ``integer``, ``decimal``, ``boolean``, ``date``.
    """

    name: str
    type: str
    doc: str = ""
    default: str | None = None
    required: bool = True


@dataclass(frozen=True)
class StoredQuery:
    """A stored query: its SPARQL text and the header that documents it."""

    name: str
    path: Path
    text: str
    title_zh: str = ""
    title_en: str = ""
    description: str = ""
    params: tuple[QueryParam, ...] = ()
    examples: tuple[str, ...] = ()

    def param(self, name: str) -> QueryParam | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass
class QueryResult:
    """The answer to a query.

    ``form`` is ``SELECT``, ``ASK`` or ``GRAPH`` (CONSTRUCT and DESCRIBE). For SELECT,
    ``variables`` and ``rows`` (tuples of rdflib terms, ``None`` where unbound); for ASK,
    ``boolean``; for GRAPH, ``graph`` (an rdflib Graph). ``total`` counts the rows (or
    triples) before ``limit`` cut them; ``truncated`` says whether it did.
    """

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    total: int = 0
    truncated: bool = False
    limit: int | None = None

    def __len__(self) -> int:
        if self.form == "GRAPH":
            return len(self.graph) if self.graph is not None else 0
        return len(self.rows) if self.form == "SELECT" else int(bool(self.boolean))

    def as_dicts(self) -> list[dict[str, Node | None]]:
        """Rows as dicts, variable name → term."""
        return [dict(zip(self.variables, r, strict=True)) for r in self.rows]

    def as_python(self) -> list[dict[str, Any]]:
        """Rows as dicts of plain Python values (str for IRIs, numbers for numbers)."""
        return [{k: _to_python(v) for k, v in d.items()} for d in self.as_dicts()]

    def note(self) -> str | None:
        """A one-line note for the user when ``limit`` cut the result, else None."""
        if not self.truncated:
            return None
        unit = "triples" if self.form == "GRAPH" else "rows"
        return (f"showing {self.limit} of {self.total} {unit} (cut by --limit {self.limit}) / "
                f"仅显示前 {self.limit} 行，共 {self.total} 行")

    def serialize(self, format: str = "csv") -> str:
        """Serialise the result in ``format`` (see RESULT_FORMATS and GRAPH_FORMATS)."""
        fmt = _FORMAT_ALIASES.get(format.lower(), format.lower())
        if self.form == "GRAPH":
            if fmt not in GRAPH_FORMATS or fmt == "table":
                raise QueryError(f"format {format!r} is not available for a CONSTRUCT or DESCRIBE "
                                 "result", hint=f"use one of {', '.join(GRAPH_FORMATS)}")
            return _serialize_graph(self.graph, fmt)
        if fmt not in RESULT_FORMATS or fmt == "table":
            raise QueryError(f"format {format!r} is not available for a {self.form} result",
                             hint=f"use one of {', '.join(RESULT_FORMATS)}")
        return {"csv": _to_csv, "tsv": _to_tsv, "json": _to_json, "xml": _to_xml}[fmt](self)

    def write(self, out, format: str = "csv") -> None:
        """Write the result to the text stream ``out``; CSV and TSV are written row by row."""
        fmt = _FORMAT_ALIASES.get(format.lower(), format.lower())
        if self.form == "SELECT" and fmt in ("csv", "tsv"):
            for chunk in (_csv_lines if fmt == "csv" else _tsv_lines)(self):
                out.write(chunk)
        else:
            out.write(self.serialize(format))


def _to_python(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = str(term.datatype) if term.datatype else ""
        if dt == _XSD + "decimal":
            return Decimal(str(term))
        if dt in (_XSD + "integer", _XSD + "int", _XSD + "long"):
            return int(str(term))
        if dt == _XSD + "boolean":
            return str(term) in ("true", "1")
        return str(term)
    return str(term)


# --------------------------------------------------------------------------- stored queries


def _queries_dir() -> Path:
    from .resources import queries_dir

    return queries_dir()


_HEADER = re.compile(r"^#\s*(title@zh|title@en|description|param|example)\s*:\s*(.*)$")
_PARAM_LINE = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<type>\w+)\)\s*(?:[—–-]+\s*(?P<doc>.*))?$")
_DEFAULT = re.compile(r",\s*default\s+(?P<value>.+?)\s*$")


def _parse_header(name: str, path: Path, text: str) -> StoredQuery:
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if m:
            fields.setdefault(m.group(1), []).append(m.group(2).strip())
        elif fields.get("description") and line.startswith("#  "):
            fields["description"][-1] += " " + line[1:].strip()
    params = []
    for raw in fields.get("param", []):
        m = _PARAM_LINE.match(raw)
        if not m or m.group("type") not in _PARAM_TYPES:
            raise QueryError(f"bad '# param:' line in stored query {name!r}: {raw!r}", path=str(path),
                             hint="write: # param: NAME (TYPE) — doc[, default VALUE | default none]"
                                  f"; TYPE one of {', '.join(_PARAM_TYPES)}")
        doc = (m.group("doc") or "").strip()
        default, required = None, True
        d = _DEFAULT.search(doc)
        if d:
            doc = doc[: d.start()].strip()
            required = False
            if d.group("value").lower() != "none":
                default = d.group("value")
        params.append(QueryParam(m.group("name"), m.group("type"), doc, default, required))
    return StoredQuery(
        name=name, path=path, text=text,
        title_zh=(fields.get("title@zh") or [""])[0],
        title_en=(fields.get("title@en") or [""])[0],
        description=" ".join(fields.get("description", [])),
        params=tuple(params),
        examples=tuple(fields.get("example", [])),
    )


def list_stored_queries() -> list[StoredQuery]:
    """All stored queries of ``kg/queries/*.rq``, sorted by name."""
    return [load_stored_query(p.stem) for p in sorted(_queries_dir().glob("*.rq"))]


def load_stored_query(name: str) -> StoredQuery:
    """The stored query ``name`` with its parsed header.

    Raises
    ------
    QueryError
        If there is no stored query of that name; the message lists the known ones.
    """
    path = _queries_dir() / f"{name}.rq"
    if not _STORED_NAME.match(name) or not path.is_file():
        known = sorted(p.stem for p in _queries_dir().glob("*.rq"))
        raise QueryError(f"unknown stored query {name!r}",
                         hint="known stored queries: " + ", ".join(known) + " (see: kg queries)")
    return _parse_header(name, path, path.read_text(encoding="utf-8"))


def resolve_query(query: str | os.PathLike) -> tuple[str, StoredQuery | None]:
    """Turn QUERY (SPARQL text, a .rq file, or a stored query name) into SPARQL text.

    Returns ``(text, stored)`` where ``stored`` is the StoredQuery when a name was given.
    """
    if isinstance(query, Path):
        return _read_rq(query), None
    q = str(query)
    stripped = q.strip()
    if _STORED_NAME.match(stripped) and not (Path(stripped).is_file() and stripped.endswith(".rq")):
        sq = load_stored_query(stripped)
        return sq.text, sq
    if stripped.endswith(".rq") and "\n" not in stripped and "{" not in stripped:
        return _read_rq(Path(stripped)), None
    return q, None


def _read_rq(path: Path) -> str:
    if not path.is_file():
        raise QueryError("no such query file", path=str(path))
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read the query file: {exc}", path=str(path)) from None


# --------------------------------------------------------------------------- lexing and safety

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<comment>\#[^\n]*)
      | (?P<lstring>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
      | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
      | (?P<word>[A-Za-z_\u00c0-\uffff][\w\-.\u00b7\u00c0-\uffff]*(?::[\w\-.%\u00b7\u00c0-\uffff]*)?|:[\w\-.%\u00c0-\uffff]*)
      | (?P<open>\{)
      | (?P<close>\})
      | (?P<other>.)""",
    re.X | re.S,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int
    end: int
    depth: int


def _tokens(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    depth = 0
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth -= 1
        toks.append(_Tok(kind, m.group(), m.start(), m.end(), depth))
        if kind == "open":
            depth += 1
    return toks


def _expand(tok: _Tok, prefixes: Mapping[str, str]) -> str | None:
    if tok.kind == "iri":
        return tok.text[1:-1]
    if tok.kind == "word" and ":" in tok.text:
        pfx, _, local = tok.text.partition(":")
        if pfx in prefixes:
            return prefixes[pfx] + local
    return None


def _is_local_iri(iri: str) -> bool:
    return iri.startswith(_LOCAL_IRI_BASES) or ":" not in iri


@lru_cache(maxsize=512)
def check_query_safety(query: str, allow_remote: bool = False) -> None:
    """Refuse a query that could reach outside the local graph.

    Refused unless ``allow_remote``: ``SERVICE`` (federated query), ``LOAD`` and other
    update operations are always refused here (``kg query`` is read-only), and
    ``FROM`` / ``FROM NAMED`` with an IRI outside the chainkg namespace or ``urn:``.

    Raises
    ------
    UnsafeInputError
    """
    toks = _tokens(query)
    prefixes: dict[str, str] = {}
    for i, t in enumerate(toks):
        word = t.text.upper() if t.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
        elif word in {"LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD"} \
                and t.depth == 0:
            raise UnsafeInputError(f"refused: {word} — kg query only reads; updates are not allowed")
        elif word == "SERVICE" and not allow_remote:
            raise UnsafeInputError("refused: the query calls a SERVICE (federated query to a remote "
                                   "endpoint)", hint="pass --allow-remote to allow it")
        elif word == "FROM" and t.depth == 0:
            j = i + 1
            if j < len(toks) and toks[j].text.upper() == "NAMED":
                j += 1
            iri = _expand(toks[j], prefixes) if j < len(toks) else None
            if iri is not None and not _is_local_iri(iri) and not allow_remote:
                raise UnsafeInputError(f"refused: FROM <{iri}> names a graph outside this store",
                                       hint="name a local graph (https://w3id.org/chainkg/…) or "
                                            "pass --allow-remote")


@lru_cache(maxsize=512)
def _values_insert_point(query: str) -> int:
    toks = _tokens(query)
    for i, t in enumerate(toks):
        if t.kind == "word" and t.text.upper() == "WHERE" and t.depth == 0:
            for u in toks[i + 1:]:
                if u.kind == "open":
                    return u.end
    seen_form = False
    for t in toks:
        if t.kind == "word" and t.text.upper() in {"SELECT", "ASK"} and t.depth == 0:
            seen_form = True
        elif seen_form and t.kind == "open" and t.depth == 0:
            return t.end
    raise QueryError("cannot bind parameters: the query has no WHERE clause")


# --------------------------------------------------------------------------- parameters

_IRI_OK = re.compile(r"^[^<>\"{}|^`\\\x00-\x20]+$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _iri(value: str) -> URIRef:
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    pfx, sep, local = v.partition(":")
    if sep and pfx in PREFIXES and not local.startswith("//"):
        v = PREFIXES[pfx] + local
    if not _SCHEME.match(v) or not _IRI_OK.match(v):
        raise QueryError(f"not a valid IRI: {value!r}",
                         hint="give a full IRI (https://…) or a known prefix such as kg:, id:, chain:")
    return URIRef(v)


def _looks_like_iri(value: str) -> bool:
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        return True
    pfx, sep, local = v.partition(":")
    return bool(sep) and (pfx in PREFIXES or local.startswith("//") or pfx == "urn")


def parse_param_value(value: str, type_: str | None = None) -> Node:
    """Turn the text of ``--param name=value`` into a typed RDF term.

    With a declared ``type_`` the value must fit it. Without one (an ad-hoc query), the type is
    guessed: ``<…>``, ``https://…`` or a known prefix → IRI; ``"…"@lang`` or ``"…"^^xsd:T`` → that
    literal; an integer or decimal number → that number; ``true``/``false`` → boolean; anything
    else → a plain string. ``entity`` values that are not IRIs are returned as ``"…"@zh`` literals
    (the caller looks them up by label).

    >>> parse_param_value("42", "integer")
    rdflib.term.Literal('42', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> parse_param_value("kg:Company", "iri")
    rdflib.term.URIRef('https://w3id.org/chainkg/ontology#Company')
    """
    v = value.strip()
    t = type_
    try:
        if t is None:
            m = re.fullmatch(r'"(.*)"(?:@([A-Za-z0-9-]+)|\^\^(\S+))?', v, re.S)
            if m:
                if m.group(2):
                    t, v = "lang:" + m.group(2), m.group(1)
                elif m.group(3):
                    return Literal(m.group(1), datatype=_iri(m.group(3)))
                else:
                    return Literal(m.group(1))
            elif _looks_like_iri(v):
                t = "iri"
            elif re.fullmatch(r"[+-]?\d+", v):
                t = "integer"
            elif re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+)", v):
                t = "decimal"
            elif v in ("true", "false"):
                t = "boolean"
            else:
                return Literal(value)
        if t.startswith("lang:"):
            lang = t[5:]
            if not _LANG.match(lang):
                raise QueryError(f"bad language tag {lang!r}")
            return Literal(v, lang=lang)
        if t == "iri":
            return _iri(v)
        if t == "entity":
            return _iri(v) if _looks_like_iri(v) else Literal(v, lang="zh")
        if t == "string":
            return Literal(value)
        if t == "zh":
            return Literal(value, lang="zh")
        if t == "integer":
            return Literal(str(int(v)), datatype=URIRef(_XSD + "integer"))
        if t == "decimal":
            d = Decimal(v)
            if not d.is_finite():
                raise ValueError(v)
            return Literal(format(d, "f"), datatype=URIRef(_XSD + "decimal"))
        if t == "boolean":
            if v.lower() not in ("true", "false", "1", "0"):
                raise ValueError(v)
            return Literal("true" if v.lower() in ("true", "1") else "false",
                           datatype=URIRef(_XSD + "boolean"))
        if t == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                raise ValueError(v)
            return Literal(v, datatype=URIRef(_XSD + "date"))
    except (ValueError, InvalidOperation):
        raise QueryError(f"parameter value {value!r} is not a valid {t}") from None
    raise QueryError(f"unknown parameter type {t!r}", hint=f"use one of {', '.join(_PARAM_TYPES)}")


def _escape_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _term_sparql(term: Node) -> str:
    """A term as SPARQL syntax, each part checked: this is the only way values enter a query."""
    if isinstance(term, URIRef):
        if not _IRI_OK.match(str(term)):
            raise QueryError(f"not a valid IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = _escape_string(str(term))
        if term.language:
            if not _LANG.match(term.language):
                raise QueryError(f"bad language tag {term.language!r}")
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{_term_sparql(URIRef(term.datatype))}"
        return text
    raise QueryError(f"cannot bind a {type(term).__name__} as a parameter")


def bind_values(query: str, bindings: Mapping[str, Iterable[Node]]) -> str:
    """Bind variables to RDF terms with ``VALUES`` blocks at the top of the WHERE clause.

    Every value is a typed term written by :func:`_term_sparql`; several values for one
    variable give several rows (an entity name that matches several entities).

    >>> bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"o": [Literal('a"b')]})
    'SELECT ?x WHERE { VALUES ?o { "a\\\\"b" } ?x ?p ?o }'
    """
    if not bindings:
        return query
    parts = []
    for name, terms in bindings.items():
        if not _VARNAME.match(name):
            raise QueryError(f"bad parameter name {name!r}", hint="use letters, digits and _")
        values = " ".join(_term_sparql(t) for t in terms)
        parts.append(f"VALUES ?{name} {{ {values} }}")
    at = _values_insert_point(query)
    return query[:at] + " " + " ".join(parts) + query[at:]


def inline_bindings(query: str, bindings: Mapping[str, list[Node]]
                    ) -> tuple[str, dict[str, list[Node]]]:
    """Write variables bound to one term into the WHERE clause as constants, for Oxigraph.

    Returns ``(query, rest)``: the query with each such variable replaced by its term in the
    WHERE clause (``BOUND(?v)`` becomes ``true``) and bound once more at the end of that
    clause, ``BIND(term AS ?v)``, for the projection, ``GROUP BY`` and ``ORDER BY``; ``rest``
    holds the bindings left to a ``VALUES`` block (:func:`bind_values`): several terms, or a
    variable that a subquery, a ``MINUS``, a ``VALUES`` or an ``AS`` of the query also uses.

    This is substitution, the meaning rdflib gives its ``initBindings`` (and SEP-0007):
    every pattern starts from the bound term. Oxigraph joins a ``VALUES`` block at the top
    with a ``UNION`` or ``OPTIONAL`` group only after evaluating that group for every value —
    on a 10,000-document store a provenance query for one subject read every triple (15 s);
    with the subject written in, 2 ms.

    >>> inline_bindings("SELECT ?s ?o WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } }",
    ...                 {"s": [URIRef("urn:x")]})[0]
    'SELECT ?s ?o WHERE { { <urn:x> ?p ?o } UNION { ?o ?p <urn:x> }  BIND(<urn:x> AS ?s) }'
    """
    single = {k: v[0] for k, v in bindings.items() if len(v) == 1}
    rest = {k: list(v) for k, v in bindings.items() if len(v) != 1}
    if not single:
        return query, rest
    toks = _tokens(query)
    try:
        at = _values_insert_point(query)
    except QueryError:
        return query, {**rest, **{k: [v] for k, v in single.items()}}
    i_open = next(i for i, t in enumerate(toks) if t.kind == "open" and t.end == at)
    d = toks[i_open].depth
    i_close = next((i for i in range(i_open + 1, len(toks))
                    if toks[i].kind == "close" and toks[i].depth == d), None)
    body = toks[i_open + 1:i_close] if i_close is not None else []
    upper = [t.text.upper() if t.kind == "word" else "" for t in body]
    if i_close is None or not body or upper[0] == "SELECT":
        return query, {**rest, **{k: [v] for k, v in single.items()}}
    # variables that must keep VALUES: used inside a subquery (its own scope), in MINUS
    # (which matches on shared variables only), in an inner VALUES, or bound by AS
    keep: set[str] = set()
    if "MINUS" in upper:
        keep.update(single)
    for j, t in enumerate(body):
        if upper[j] == "SELECT":  # the subquery runs to the close of the group before it
            depth = t.depth
            for u in body[j:]:
                if u.kind == "close" and u.depth < depth:
                    break
                if u.kind == "var":
                    keep.add(u.text[1:])
        elif upper[j] == "VALUES" or upper[j] == "AS":
            for u in body[j + 1:j + 20]:
                if u.kind == "var":
                    keep.add(u.text[1:])
                if u.kind == "open" or u.text == ")" or upper[j] == "AS":
                    break
    inline = {k: v for k, v in single.items() if k not in keep}
    rest.update({k: [v] for k, v in single.items() if k in keep})
    if not inline:
        return query, rest
    out: list[str] = []
    pos = toks[i_open].end
    j = 0
    while j < len(body):
        t = body[j]
        name = t.text[1:] if t.kind == "var" else None
        if (upper[j] == "BOUND" and j + 3 < len(body) and body[j + 1].text == "("
                and body[j + 2].kind == "var" and body[j + 2].text[1:] in inline
                and body[j + 3].text == ")"):
            out.append(query[pos:t.start] + "true")
            pos = body[j + 3].end
            j += 4
            continue
        if name in inline:
            out.append(query[pos:t.start] + _term_sparql(inline[name]))
            pos = t.end
        j += 1
    close = toks[i_close].start
    binds = " ".join(f"BIND({_term_sparql(v)} AS ?{k})" for k, v in inline.items())
    return query[:toks[i_open].end] + "".join(out) + query[pos:close] + " " + binds + " " + \
        query[close:], rest


def _query_variables(query: str) -> set[str]:
    return {t.text[1:] for t in _tokens(query) if t.kind == "var"}


# --------------------------------------------------------------------------- sources


class _Source:
    """A queryable store: rdflib (Dataset/Graph), Oxigraph, or a remote SPARQL endpoint."""

    def __init__(self, kind: str, obj: Any):
        self.kind = kind
        self.obj = obj

    def execute(self, query: str, bindings: Mapping[str, list[Node]] | None = None
                ) -> tuple[str, list[str], Any]:
        """Run ``query`` with ``bindings`` (variable → terms).

        rdflib takes single values as ``initBindings`` (bound before evaluation, so property
        paths start from them); Oxigraph gets single values written into the query
        (:func:`inline_bindings`, the same meaning); the rest get a VALUES block.
        """
        bindings = dict(bindings or {})
        if self.kind == "remote":
            return self.obj.execute(bind_values(query, bindings) if bindings else query)
        if self.kind == "rdflib" and all(len(v) == 1 for v in bindings.values()):
            return _run_rdflib(self.obj, query, {k: v[0] for k, v in bindings.items()})
        if self.kind == "oxigraph":
            if bindings:
                written, rest = inline_bindings(query, bindings)
                if written != query:  # parsed first: entity look-ups write nothing in
                    try:
                        _check_syntax(written)
                        query, bindings = written, rest
                    except QueryError:
                        pass  # a term where SPARQL takes none (a literal as predicate): VALUES
                query = bind_values(query, bindings)
            return self._oxigraph(query)
        if bindings:
            query = bind_values(query, bindings)
        return _run_rdflib(self.obj, query)

    def _oxigraph(self, query: str) -> tuple[str, list[str], Any]:
        from .store_oxigraph import run_oxigraph

        try:
            plan = _python_order(query)
            if plan is not None:
                from .store_oxigraph import _Rows

                form, names, rows = run_oxigraph(self.obj, plan[0])
                # sorted as Oxigraph's terms: only the rows a caller keeps are converted
                ordered = _sort_rows(rows.raw(), names, plan[1], _order_class_ox)
                if ordered is not None:
                    names, kept = _drop_hidden(names, ordered, plan[2], query)
                    return form, names, _Rows(kept)
            return run_oxigraph(self.obj, query)
        except SyntaxError as exc:
            raise _syntax_error(str(exc)) from None
        except OSError as exc:
            raise QueryError(f"the query failed: {exc}") from None


_ORDER_KEY = re.compile(r"^(?:(ASC|DESC)\(\s*)?[?$]([A-Za-z_][A-Za-z0-9_]*)(?:\s*\))?$", re.I)


@lru_cache(maxsize=512)
def _python_order(query: str) -> tuple[str, tuple[tuple[str, bool], ...], tuple[str, ...]] | None:
    """``(query without its ORDER BY, ((variable, descending), …), hidden)`` when a SELECT
    query ends with ``ORDER BY`` plain variables (no LIMIT, OFFSET or trailing VALUES), else
    None. ``hidden`` names the sort variables the query does not project: they are added at
    the end of its projection (not under GROUP BY, where they could not be), and the caller
    removes them after sorting (and, for ``SELECT DISTINCT``, the rows that then repeat one
    before them: what DISTINCT after ORDER BY keeps).

    Oxigraph decodes IRIs and strings from its dictionary at every comparison of a sort: on
    stores of millions of triples sorting a few hundred rows by IRIs took longer than finding
    them (110,767 projects by stage: 14 s). The rows it returns are already decoded, so they
    are sorted here instead, with the same order (:func:`_sort_rows`).
    """
    toks = _tokens(query)
    top = [t for t in toks if t.depth == 0]
    words = [t.text.upper() if t.kind == "word" else "" for t in top]
    if "SELECT" not in words or any(w in ("LIMIT", "OFFSET", "VALUES") for w in
                                    words[words.index("SELECT"):]):
        return None
    try:
        at = next(i for i in range(len(top) - 1) if words[i] == "ORDER" and words[i + 1] == "BY")
    except StopIteration:
        return None
    keys = []
    for part in re.split(r"\s+(?![^(]*\))", query[top[at + 1].end:].strip()):
        m = _ORDER_KEY.match(part.strip())
        if not m:
            return None
        keys.append((m.group(2), (m.group(1) or "").upper() == "DESC"))
    head = query[:top[at].start]
    i_sel = words.index("SELECT")
    try:  # the projection runs from SELECT to the WHERE (or the first brace) at the top
        i_end = next(i for i in range(i_sel + 1, len(top))
                     if words[i] == "WHERE" or top[i].kind == "open")
    except StopIteration:
        return None
    projection = top[i_sel + 1:i_end]
    if any(t.text == "*" for t in projection):
        return head, tuple(keys), ()
    projected = {t.text[1:] for t in projection if t.kind == "var"}
    hidden = tuple(dict.fromkeys(k for k, _d in keys if k not in projected))
    if not hidden:
        return head, tuple(keys), ()
    if "GROUP" in words or "HAVING" in words:
        return None  # a grouped query can project no other variable
    at_end = top[i_end].start
    extra = " ".join("?" + h for h in hidden)
    return head[:at_end] + extra + " " + head[at_end:], tuple(keys), hidden


def _drop_hidden(names: list[str], rows: list, hidden: tuple[str, ...], query: str
                 ) -> tuple[list[str], Any]:
    """The sorted ``rows`` without the ``hidden`` sort columns :func:`_python_order` added
    (the last ones); for ``SELECT DISTINCT`` a row equal to one before it is dropped."""
    if not hidden:
        return names, iter(rows)
    n = len(names) - len(hidden)
    top = [t.text.upper() for t in _tokens(query) if t.depth == 0 and t.kind == "word"]
    if top[top.index("SELECT") + 1:top.index("SELECT") + 2] not in (["DISTINCT"], ["REDUCED"]):
        return names[:n], (r[:n] for r in rows)
    return names[:n], iter(dict.fromkeys(tuple(r[:n]) for r in rows))


_NUMERIC = {_XSD + t for t in ("integer", "decimal", "float", "double", "int", "long", "short",
                               "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
                               "nonPositiveInteger", "unsignedLong", "unsignedInt",
                               "unsignedShort", "unsignedByte")}


def _order_class(t: Node | None) -> tuple:
    """(rank, comparability class, value) of a term in SPARQL ORDER BY (Oxigraph's order):
    unbound < blank node < IRI < literal; literals compare within a class only."""
    if t is None:
        return (0, "", "")
    if isinstance(t, BNode):
        return (1, "bnode", str(t))
    if isinstance(t, URIRef):
        return (2, "iri", str(t))
    return _literal_class(str(t), t.language,
                          str(t.datatype) if t.datatype is not None else _XSD + "string")


def _order_class_ox(t: Any) -> tuple:
    """:func:`_order_class` of a pyoxigraph term (the same tuple as for its rdflib twin)."""
    import pyoxigraph as ox

    if t is None:
        return (0, "", "")
    if isinstance(t, ox.BlankNode):
        return (1, "bnode", t.value)
    if isinstance(t, ox.NamedNode):
        return (2, "iri", t.value)
    return _literal_class(t.value, t.language, t.datatype.value)


def _literal_class(value: str, language: str | None, datatype: str) -> tuple:
    """:func:`_order_class` of a literal, from its lexical value, language tag and datatype."""
    if language:
        return (3, "lang:" + language.lower(), value)
    if datatype == _XSD + "string":
        return (3, "string", value)
    if datatype in _NUMERIC:
        try:
            return (3, "number", Decimal(value.strip()))
        except InvalidOperation:
            return (3, "other", value)
    if datatype == _XSD + "boolean":
        return (3, "boolean", value.strip() in ("true", "1"))
    return (3, "other", value)


def _sort_rows(rows: list, names: list[str], keys: tuple[tuple[str, bool], ...],
               classify: Callable[[Any], tuple] = _order_class) -> list | None:
    """``rows`` in the order of ``keys``, or None where Python cannot reproduce the engine's
    order: a key that is not a result column, several blank nodes, or literals of classes that
    SPARQL does not compare (a number and a string, two language tags, other datatypes).
    ``classify`` gives a term's sort class: :func:`_order_class` (rdflib terms) or
    :func:`_order_class_ox` (pyoxigraph terms)."""
    try:
        cols = [names.index(k) for k, _desc in keys]
    except ValueError:
        return None
    classes = []
    for c in cols:
        vals = [classify(r[c]) for r in rows]
        lits = {v[1] for v in vals if v[0] == 3}
        if len(lits) > 1 or "other" in lits or sum(v[0] == 1 for v in vals) > 1:
            return None
        classes.append(vals)

    # one stable sort per key, the last key first: the same order as comparing key by key
    # (ties in every key keep the engine's order), without a comparison function per pair
    order = list(range(len(rows)))
    try:
        for (_k, desc), vals in reversed(list(zip(keys, classes, strict=True))):
            # a term's sort key: its rank, then (IRIs and literals only) its value; unbound
            # and blank nodes compare equal within their rank, as in the engine's order
            column = [(v[0], v[2]) if v[0] >= 2 else (v[0], "") for v in vals]
            order.sort(key=column.__getitem__, reverse=desc)
    except (ArithmeticError, TypeError):  # NaN, or values Python does not order
        return None
    return [rows[i] for i in order]


def _open_source(source: Any) -> _Source:
    from rdflib import Dataset

    if isinstance(source, _Source):
        return source
    if isinstance(source, (Dataset, Graph)):
        return _Source("rdflib", source)
    try:
        import pyoxigraph as ox

        if isinstance(source, ox.Store):
            return _Source("oxigraph", source)
    except ImportError:  # pragma: no cover
        pass
    from .store_remote import RemoteStore, is_remote_spec

    if isinstance(source, RemoteStore):
        return _Source("remote", source)
    text = str(source)
    if is_remote_spec(text):
        return _Source("remote", RemoteStore(text))
    if text.startswith("oxigraph:"):
        from .store import parse_store_spec
        from .store_oxigraph import open_store

        _, loc = parse_store_spec(text)
        return _Source("oxigraph", open_store(loc))
    if text.startswith("memory:"):
        raise StoreError("a memory: store holds nothing to query here", hint="give a graph file")
    from .store import load_graph

    return _Source("rdflib", load_graph(source))


def _run_rdflib(graph, query: str, init: Mapping[str, Node] | None = None
                ) -> tuple[str, list[str], Any]:
    import rdflib.plugins.sparql as rsparql
    from rdflib import Dataset

    from .store_oxigraph import canonical_term

    old_union = graph.default_union if isinstance(graph, Dataset) else None
    old_load = rsparql.SPARQL_LOAD_GRAPHS
    try:
        # FROM never fetches: graphs are only taken from the dataset itself.
        rsparql.SPARQL_LOAD_GRAPHS = False
        if isinstance(graph, Dataset):
            graph.default_union = True
        res = graph.query(query, initBindings=dict(init or {}))
        if res.type == "ASK":
            return "ASK", [], bool(res.askAnswer)
        if res.type == "SELECT":
            names = [str(v) for v in res.vars]
            rows = [tuple(canonical_term(t) for t in row) for row in res]
            return "SELECT", names, iter(rows)
        triples = [tuple(canonical_term(t) for t in tr) for tr in res.graph]
        return "GRAPH", [], iter(triples)
    except QueryError:
        raise
    except Exception as exc:
        if type(exc).__name__ == "ParseException":
            raise _syntax_error(f"{exc.msg} (line:{exc.lineno}, col:{exc.col})",
                                (exc.lineno, exc.col)) from None
        raise QueryError(f"the query failed: {type(exc).__name__}: {exc}") from None
    finally:
        rsparql.SPARQL_LOAD_GRAPHS = old_load
        if old_union is not None:
            graph.default_union = old_union


def _syntax_error(message: str, pos: tuple[int, int] | None = None) -> QueryError:
    from .store_oxigraph import parse_error_position

    pos = pos or parse_error_position(message)
    where = f" at line {pos[0]}, column {pos[1]}" if pos else ""
    err = QueryError(f"malformed SPARQL{where}: {message}")
    err.line, err.column = pos if pos else (None, None)
    return err


@lru_cache(maxsize=512)
def _check_syntax(query: str) -> None:
    """Parse with Oxigraph's strict parser (on an empty store: nothing is evaluated)."""
    import pyoxigraph as ox

    try:
        ox.Store().query(query)
    except SyntaxError as exc:
        raise _syntax_error(str(exc)) from None


# --------------------------------------------------------------------------- running


def _resolve_entities(src: _Source, name: str, label: Literal) -> list[URIRef]:
    q = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
         "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
         "SELECT DISTINCT ?e WHERE { ?e rdfs:label|skos:prefLabel|skos:altLabel ?l } ORDER BY ?e")
    _, _, rows = src.execute(q, {"l": [label, Literal(str(label))]})
    found = [r[0] for r in rows if isinstance(r[0], URIRef)]
    if not found:
        raise QueryError(f"no entity is named {str(label)!r} (parameter {name})",
                         hint="give its IRI, or a name or alias as it appears in the graph")
    return found


def _ensure_derived(src: _Source, text: str) -> None:
    """Give a graph without the derived graph (made by hand, or by a build before it existed)
    its derived graph when the query reads derived properties (see :mod:`kg.derive`)."""
    if src.kind == "remote":
        return
    from .derive import ensure_derived, needs_derived

    if not needs_derived(text):
        return
    try:
        ensure_derived(src.obj)
    except (OSError, RuntimeError):
        # A read-only Oxigraph store from a build before kg.derive: query an in-memory copy of
        # its named graphs with the derived graph added (slow on a large store: rebuild it).
        import warnings

        import pyoxigraph as ox

        warnings.warn("this Oxigraph store has no derived graph (kg.derive): querying an "
                      "in-memory copy; rebuild it with kg build --store oxigraph:PATH",
                      stacklevel=3)
        copy = ox.Store()
        copy.bulk_extend(q for q in src.obj.quads_for_pattern(None, None, None, None)
                         if not isinstance(q.graph_name, ox.DefaultGraph))
        ensure_derived(copy)
        src.obj = copy


def _collect_bindings(src: _Source, text: str, stored: StoredQuery | None,
                      params: Mapping[str, Any] | None) -> dict[str, list[Node]]:
    params = dict(params or {})
    bindings: dict[str, list[Node]] = {}
    if stored is not None:
        declared = {p.name: p for p in stored.params}
        unknown = sorted(set(params) - set(declared))
        if unknown:
            raise QueryError(f"stored query {stored.name!r} has no parameter {', '.join(unknown)}",
                             hint="its parameters: " + (", ".join(declared) or "none"))
        for p in stored.params:
            raw = params.get(p.name, p.default)
            if raw is None:
                if p.required:
                    raise QueryError(f"stored query {stored.name!r} needs --param {p.name}=…",
                                     hint=f"{p.name} ({p.type}): {p.doc}")
                continue
            values = raw if isinstance(raw, (list, tuple)) else [raw]
            terms: list[Node] = []
            for v in values:
                term = v if isinstance(v, Node) else parse_param_value(str(v), p.type)
                if p.type == "entity" and isinstance(term, Literal):
                    terms.extend(_resolve_entities(src, p.name, term))
                else:
                    terms.append(term)
            bindings[p.name] = list(dict.fromkeys(terms))
        return bindings
    used = _query_variables(text)
    for name, raw in params.items():
        if not _VARNAME.match(name):
            raise QueryError(f"bad parameter name {name!r}")
        if name not in used:
            raise QueryError(f"the query has no variable ?{name} to bind")
        values = raw if isinstance(raw, (list, tuple)) else [raw]
        bindings[name] = [v if isinstance(v, Node) else parse_param_value(str(v)) for v in values]
    return bindings


def run_query(source: Any, query: str | os.PathLike, params: Mapping[str, Any] | None = None,
              limit: int | None = None, allow_remote: bool = False,
              timeout: float | None = None, page: int | None = None) -> QueryResult:
    """Run a query on a graph source and return its result.

    Parameters
    ----------
    source
        An rdflib ``Dataset`` or ``Graph``; a graph file path (TriG, Turtle, N-Quads, …);
        ``oxigraph:PATH`` (a store built by ``kg build --store``); or an open
        ``pyoxigraph.Store``. The default graph is the union of all named graphs. A stored
        query that reads the derived graph (:mod:`kg.derive`) on a Dataset or writable store
        without one adds it there first (``graph:derived``); a read-only store without one
        is queried through an in-memory copy (with a warning: rebuild it).
    query
        SPARQL text, the path of a ``.rq`` file, or the name of a stored query.
    params
        Parameter name → value (a string, an rdflib term, or a list of them). For a stored
        query the values are checked against its declared types; ``entity`` names are looked
        up among labels and aliases.
    limit
        Keep at most this many rows (or triples); :attr:`QueryResult.truncated` says if any
        were cut and :attr:`QueryResult.total` how many there were.
    allow_remote
        Allow SERVICE and FROM of non-local IRIs.
    timeout
        Stop the query after this many seconds (``None``: no limit). Neither Oxigraph nor
        rdflib can interrupt a running query, so with a limit the query runs in a child
        process that is killed when the time is up; without one it runs in this process.
    page
        Without ``limit``: keep only the first ``page`` rows of a SELECT result but count
        them all (:attr:`QueryResult.total`), the rest neither converted nor carried back
        from the time-limited process — what a table of one page needs. Not a cut
        (``truncated`` stays false); other results are kept whole.

    Raises
    ------
    QueryError
        Malformed query (message with line and column), unknown stored query or parameter;
        the time limit ran out (the message says so).
    UnsafeInputError
        The query names a remote SERVICE, LOADs, or reads FROM a remote IRI.

    Examples
    --------
    >>> from rdflib import Dataset
    >>> run_query(Dataset(), "ASK { ?s ?p ?o }").boolean
    False
    """
    if limit is not None and limit < 0:
        raise QueryError(f"--limit must be ≥ 0, got {limit}")
    text, stored = resolve_query(query)
    check_query_safety(text, allow_remote)
    _check_syntax(text)
    if timeout is not None:
        # the child resolves QUERY again: a stored query's parameters are typed by its header
        return _run_with_time_limit(source, query, params, limit, allow_remote, timeout, page)
    src = _open_source(source)
    _ensure_derived(src, text)
    bindings = _collect_bindings(src, text, stored, params)
    if bindings:
        _values_insert_point(text)  # fail early, the same way on every store
    form, variables, payload = src.execute(text, bindings)
    if form == "ASK":
        return QueryResult("ASK", boolean=payload, total=1)
    kept: list = []
    total = 0
    keep = limit if limit is not None else (page if form == "SELECT" else None)
    for item in payload:
        if keep is None or total < keep:
            kept.append(item)
            total += 1
        else:  # the rest is only counted
            count = getattr(payload, "count_rest", None)
            total += 1 + (count() if count is not None else sum(1 for _ in payload))
            break
    truncated = limit is not None and total > limit
    if form == "GRAPH":
        g = Graph()
        from .ns import bind_prefixes

        bind_prefixes(g)
        for t in kept:
            g.add(t)
        return QueryResult("GRAPH", graph=g, total=total, truncated=truncated, limit=limit)
    return QueryResult("SELECT", variables=variables, rows=kept, total=total,
                       truncated=truncated, limit=limit)


def _run_with_time_limit(source: Any, query: str | os.PathLike, params: Mapping[str, Any] | None,
                         limit: int | None, allow_remote: bool, timeout: float,
                         page: int | None = None) -> QueryResult:
    """Run :func:`run_query` in a child process and kill it when ``timeout`` seconds pass.

    The child is forked where the platform allows it (so an in-memory rdflib Dataset or
    Oxigraph store is shared, not copied up front); elsewhere it is spawned and the source
    must be a path or store spec. Errors raised in the child are raised here, same type and
    message. The time counts from the start of the child to the first byte of its answer.
    """
    import math
    import multiprocessing as mp

    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        raise QueryError(f"the time limit must be a number of seconds, got {timeout!r}") from None
    if not seconds > 0 or math.isinf(seconds) or math.isnan(seconds):
        raise QueryError(f"the time limit must be > 0 seconds, got {timeout!r}",
                         hint="give no limit at all instead (kg query --timeout 0)")
    if isinstance(source, _Source):
        source = source.obj
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_time_limited_child, daemon=True,
                       args=(sender, source, query, dict(params or {}), limit, allow_remote, page))
    proc.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise QueryError(f"the query was stopped by the time limit of {seconds:g} s "
                             "(查询超时，已中止)",
                             hint="narrow the query (bind a parameter, add LIMIT) or raise the "
                                  "limit: kg query --timeout SECONDS (0: no limit)")
        try:
            status, payload = receiver.recv()
        except EOFError:
            raise QueryError(f"the query process ended without an answer (exit code "
                             f"{proc.exitcode if proc.exitcode is not None else '?'})") from None
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    if status == "ok":
        return _result_from_wire(payload)
    etype, text, attrs = payload
    from . import errors

    cls = getattr(errors, etype, None)
    if not (isinstance(cls, type) and issubclass(cls, errors.KGError)):
        cls = QueryError
    err = cls(text)  # the text already names the path and hint
    err.__dict__.update(attrs)
    raise err


def _time_limited_child(conn, source, query, params, limit, allow_remote, page=None) -> None:
    from .errors import KGError

    try:
        try:
            r = run_query(source, query, params, limit=limit, allow_remote=allow_remote, page=page)
            conn.send(("ok", _result_to_wire(r)))
        except KGError as exc:
            attrs = {k: v for k, v in vars(exc).items() if isinstance(v, (str, int, type(None)))}
            conn.send(("error", (type(exc).__name__, str(exc), attrs)))
        except Exception as exc:  # noqa: BLE001 - reported in the parent as a QueryError
            conn.send(("error", ("QueryError", f"the query failed: {type(exc).__name__}: {exc}",
                                 {})))
    finally:
        conn.close()


def _result_to_wire(r: QueryResult) -> tuple:
    triples = list(r.graph) if r.graph is not None else None
    return (r.form, r.variables, r.rows, r.boolean, triples, r.total, r.truncated, r.limit)


def _result_from_wire(w: tuple) -> QueryResult:
    form, variables, rows, boolean, triples, total, truncated, limit = w
    graph = None
    if triples is not None:
        from .ns import bind_prefixes

        graph = Graph()
        bind_prefixes(graph)
        for t in triples:
            graph.add(t)
    return QueryResult(form, variables=variables, rows=rows, boolean=boolean, graph=graph,
                       total=total, truncated=truncated, limit=limit)


# --------------------------------------------------------------------------- serialisers


def _ntriples_term(t: Node) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, BNode):
        return f"_:{t}"
    text = _escape_string(str(t))
    if t.language:
        return f"{text}@{t.language}"
    if t.datatype is not None and str(t.datatype) != _XSD + "string":
        return f"{text}^^<{t.datatype}>"
    return text


def _csv_lines(r: QueryResult, every: int = 500):
    """CSV text in chunks of ``every`` rows (SPARQL 1.1 CSV results)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if r.form == "ASK":
        w.writerow(["_askResult"])
        w.writerow(["true" if r.boolean else "false"])
        yield buf.getvalue()
        return
    w.writerow(r.variables)
    for i, row in enumerate(r.rows, 1):
        w.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row])
        if i % every == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _tsv_lines(r: QueryResult):
    """TSV text line by line (SPARQL 1.1 TSV results)."""
    if r.form == "ASK":
        yield "?_askResult\n" + ("true" if r.boolean else "false") + "\n"
        return
    yield "\t".join("?" + v for v in r.variables) + "\n"
    for row in r.rows:
        yield "\t".join("" if t is None else _ntriples_term(t) for t in row) + "\n"


def _to_csv(r: QueryResult) -> str:
    return "".join(_csv_lines(r))


def _to_tsv(r: QueryResult) -> str:
    return "".join(_tsv_lines(r))


def _json_term(t: Node) -> dict[str, str]:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    d = {"type": "literal", "value": str(t)}
    if t.language:
        d["xml:lang"] = t.language
    elif t.datatype is not None and str(t.datatype) != _XSD + "string":
        d["datatype"] = str(t.datatype)
    return d


def _to_json(r: QueryResult) -> str:
    if r.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(r.boolean)}) + "\n"
    bindings = [{v: _json_term(t) for v, t in zip(r.variables, row, strict=True) if t is not None}
                for row in r.rows]
    return json.dumps({"head": {"vars": r.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"


def _xml_escape(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _xml_text(s: str) -> str:
    # XML 1.0 cannot carry most control characters at all: write them as U+FFFD.
    return _xml_escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", s))


def _to_xml(r: QueryResult) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    for v in r.variables:
        out.append(f'<variable name="{_xml_escape(v)}"/>')
    out.append("</head>")
    if r.form == "ASK":
        out.append(f"<boolean>{'true' if r.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in r.rows:
            out.append("<result>")
            for v, t in zip(r.variables, row, strict=True):
                if t is None:
                    continue
                if isinstance(t, URIRef):
                    inner = f"<uri>{_xml_text(str(t))}</uri>"
                elif isinstance(t, BNode):
                    inner = f"<bnode>{_xml_text(str(t))}</bnode>"
                elif t.language:
                    inner = f'<literal xml:lang="{_xml_escape(t.language)}">{_xml_text(str(t))}</literal>'
                elif t.datatype is not None and str(t.datatype) != _XSD + "string":
                    inner = (f'<literal datatype="{_xml_escape(str(t.datatype))}">'
                             f"{_xml_text(str(t))}</literal>")
                else:
                    inner = f"<literal>{_xml_text(str(t))}</literal>"
                out.append(f'<binding name="{_xml_escape(v)}">{inner}</binding>')
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


def _serialize_graph(g: Graph, fmt: str) -> str:
    if fmt == "nt":
        lines = sorted(f"{_ntriples_term(s)} {_ntriples_term(p)} {_ntriples_term(o)} ."
                       for s, p, o in g)
        return "\n".join(lines) + ("\n" if lines else "")
    if fmt == "json-ld":
        ctx = {k: v for k, v in PREFIXES.items()}
        return g.serialize(format="json-ld", context=ctx, indent=1, ensure_ascii=False)
    return g.serialize(format="turtle")


def compact_iri(iri: str) -> str:
    """``https://w3id.org/chainkg/id/zone/x`` → ``id:zone/x`` for display."""
    best = ""
    for pfx, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, pfx
    if best:
        return f"{name}:{iri[len(best):]}"
    return iri


def display_term(t: Node | None) -> str:
    """A term as a person reads it in a table: compact IRIs, literal values."""
    if t is None:
        return ""
    if isinstance(t, URIRef):
        return compact_iri(str(t))
    if isinstance(t, BNode):
        return f"_:{t}"
    return str(t)
