"""Stage 5, validate: SHACL (pySHACL) over the union of a graph's document graphs.

Non-conformance is data, not an exception: :func:`validate_graph` returns a
:class:`ValidationReport`. Only when validation cannot run at all (unreadable shapes, a
pySHACL failure) does it raise :class:`~kg.errors.ValidationRunError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Dataset, Graph

from .errors import ValidationRunError
from .ns import CHAINS_GRAPH, ONTOLOGY_GRAPH

__all__ = ["ValidationReport", "validate_graph", "load_shapes"]


@dataclass
class ValidationReport:
    """The outcome of a SHACL validation."""

    conforms: bool
    report_turtle: str
    results: list[dict] = field(default_factory=list)  # focus, path, message, severity

    def summary(self, limit: int = 20) -> str:
        if self.conforms:
            return "conforms"
        lines = [f"does not conform: {len(self.results)} result(s)"]
        for r in self.results[:limit]:
            lines.append(f"  {r['severity']}: {r['focus']} {r['path']}: {r['message']}")
        return "\n".join(lines)


def load_shapes(path=None) -> Graph:
    from .resources import ontology_dir

    p = path or ontology_dir() / "shapes.ttl"
    g = Graph()
    try:
        g.parse(p, format="turtle")
    except Exception as exc:
        raise ValidationRunError(f"cannot read the SHACL shapes: {exc}", path=str(p)) from None
    return g


def _data_graph(graph: Graph | Dataset) -> Graph:
    if not isinstance(graph, Dataset):
        return graph
    data = Graph()
    skip = {ONTOLOGY_GRAPH, CHAINS_GRAPH}
    for s, p, o, g in graph.quads((None, None, None, None)):
        gid = getattr(g, "identifier", g)
        if gid not in skip:
            data.add((s, p, o))
    return data


def validate_graph(graph: Graph | Dataset, shapes: Graph | None = None, *,
                   scratch: bool = False) -> ValidationReport:
    """Validate a graph (the union of its data graphs) against ``ontology/shapes.ttl``.

    The chain vocabularies are given to pySHACL as the ontology graph so that shapes can
    check that, say, a product's link is a ``kg:ChainLink``. ``scratch=True`` says that
    ``graph`` (a :class:`~rdflib.Graph`) is the caller's to throw away: pySHACL may then
    change it (SHACL rules of ``shapes`` add triples) instead of working on a copy. The
    union of a Dataset is a new graph already, and never copied.
    """
    import pyshacl  # lazy: heavy import
    from rdflib.namespace import SH

    shapes = shapes if shapes is not None else load_shapes()
    data = _data_graph(graph)
    ont = Graph()
    if isinstance(graph, Dataset):
        for gid in (ONTOLOGY_GRAPH, CHAINS_GRAPH):
            for t in graph.graph(gid):
                ont.add(t)
        for t in ont:
            data.add(t)
    try:
        # advanced: SHACL rules and SPARQL-based targets of user shapes (kg validate
        # --shapes); pySHACL copies the data graph for them unless it may change it
        conforms, report_graph, _text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
            inplace=scratch or data is not graph)
    except Exception as exc:
        raise ValidationRunError(f"SHACL validation could not run: {exc}") from None
    results = []
    for r in report_graph.subjects(predicate=SH.resultSeverity):
        results.append({
            "focus": str(report_graph.value(r, SH.focusNode) or ""),
            "path": str(report_graph.value(r, SH.resultPath) or ""),
            "message": str(report_graph.value(r, SH.resultMessage) or ""),
            "severity": str(report_graph.value(r, SH.resultSeverity) or "").rsplit("#", 1)[-1],
        })
    results.sort(key=lambda r: (r["focus"], r["path"], r["message"]))
    return ValidationReport(bool(conforms), report_graph.serialize(format="turtle"), results)
