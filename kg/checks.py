"""Checks beyond SHACL on a built dataset, run by ``kg validate``: conflicting facts.

SHACL checks one graph's shape; it cannot see that two documents disagree. This module reads
the quantities of every document graph (``kg:Quantity`` nodes with ``kg:about``, ``kg:kind``,
``schema:value`` and ``schema:unitCode``) and finds the subjects for which different
documents state different values of the same kind — say one report gives a project's total
investment as 20亿元 and another as 25亿元. Both values are kept, each with its document and
sentence; they are reported as a :class:`Conflict`, never merged. :func:`add_conflicts`
records them in the analysis graph so that they can be queried in SPARQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import Dataset, Literal, URIRef

from .ns import ANALYSIS_GRAPH, DCTERMS, DOC, KG, PROV, RDF, RDFS, SCHEMA, SKOS, analysis_iri

__all__ = ["Conflict", "ConflictValue", "find_conflicts", "quantity_rows", "conflicts_from_rows",
           "add_conflicts", "conflict_triples", "run_checks"]

#: Relative difference under which two approximate values (约, 近, 余) are not a conflict.
APPROXIMATE_TOLERANCE = Decimal("0.1")


@dataclass(frozen=True)
class ConflictValue:
    """One of the disagreeing values, with where it was read."""

    value: Decimal
    unit: str
    document: str  # document IRI (its named graph)
    sentence: str  # the sentence text ("" when unknown)
    text: str  # the quantity as written (总投资20亿元)
    quantity: str  # the kg:Quantity node
    approximate: bool = False
    bound: str = ""


@dataclass(frozen=True)
class Conflict:
    """Different documents state different values of one kind for one subject."""

    subject: str
    label: str
    kind: str
    values: tuple[ConflictValue, ...]

    @property
    def documents(self) -> tuple[str, ...]:
        return tuple(sorted({v.document for v in self.values}))

    def describe(self) -> str:
        """One line for people: what disagrees, the values and their sources."""
        parts = []
        for v in self.values:
            doc = v.document.rsplit("/", 1)[-1]
            where = f"«{v.sentence}»" if v.sentence else f"«{v.text}»"
            parts.append(f"{v.value.normalize():f} {v.unit} in doc {doc} {where}")
        return f"conflict 数值冲突: {self.label or self.subject} {self.kind}: " + " ≠ ".join(parts)


def _decimal(lit) -> Decimal | None:
    try:
        return Decimal(str(lit))
    except (InvalidOperation, ValueError):
        return None


def _quantities(dataset: Dataset) -> list[tuple[str, str, str, str, str, ConflictValue]]:
    """(subject, kind, unit, product, period, value) for every quantity of a document graph."""
    doc_prefix = str(DOC)
    rows = []
    for ctx in dataset.graphs():
        gid = str(ctx.identifier)
        if not gid.startswith(doc_prefix):
            continue
        for q in ctx.subjects(RDF.type, KG.Quantity):
            subject = ctx.value(q, KG.about)
            kind = ctx.value(q, KG.kind)
            value = _decimal(ctx.value(q, SCHEMA.value))
            if subject is None or kind is None or value is None:
                continue
            sentence = ctx.value(q, KG.sentence)
            stext = ctx.value(sentence, KG.text) if sentence is not None else None
            doc = ctx.value(q, PROV.wasDerivedFrom) or ctx.identifier
            cv = ConflictValue(
                value=value,
                unit=str(ctx.value(q, SCHEMA.unitCode) or ""),
                document=str(doc),
                sentence=str(stext or ""),
                text=str(ctx.value(q, KG.text) or ""),
                quantity=str(q),
                approximate=bool(ctx.value(q, KG.approximate)),
                bound=str(ctx.value(q, KG.bound) or ""),
            )
            rows.append((str(subject), str(kind), cv.unit, str(ctx.value(q, KG.product) or ""),
                         str(ctx.value(q, KG.period) or ""), cv))
    return rows


def _compatible(a: ConflictValue, b: ConflictValue) -> bool:
    """Whether two statements of one quantity can both be true."""
    if a.value == b.value:
        return True
    for x, y in ((a, b), (b, a)):
        if x.bound == "lower" and y.value >= x.value:
            return True
        if x.bound == "upper" and y.value <= x.value:
            return True
    if a.approximate or b.approximate:
        scale = max(abs(a.value), abs(b.value))
        return scale == 0 or abs(a.value - b.value) / scale <= APPROXIMATE_TOLERANCE
    return False


def _label(dataset: Dataset, subject: str) -> str:
    s = URIRef(subject)
    for pred in (SKOS.prefLabel, RDFS.label):  # the canonical name first, then any label
        for _s, _p, o, _g in dataset.quads((s, pred, None, None)):
            return str(o)
    return ""


def find_conflicts(dataset: Dataset) -> list[Conflict]:
    """Quantities of one subject and kind on which different documents disagree.

    Values are grouped by subject, kind, unit, product and period (a capacity of two
    products, or the output of two years, is not a conflict); a group is a conflict when
    two of its values come from different documents and cannot both be true (equal
    values agree; a lower or upper bound such as 超20亿元 agrees with any value beyond it;
    approximate values agree within 10 %).

    Returns
    -------
    list of Conflict
        Sorted by subject and kind; each lists every value of the group with its document
        and sentence, ordered by value then document.
    """
    return conflicts_from_rows(_quantities(dataset), lambda subject: _label(dataset, subject))


def quantity_rows(dataset: Dataset) -> list[tuple[str, str, str, str, str, ConflictValue]]:
    """The quantities :func:`find_conflicts` compares: ``(subject, kind, unit, product,
    period, ConflictValue)`` for every ``kg:Quantity`` of a document graph of ``dataset``.

    Rows of one document graph do not depend on the others: a build collects them per
    document and hands them all to :func:`conflicts_from_rows`.
    """
    return _quantities(dataset)


def conflicts_from_rows(rows, label: Callable[[str], str] | None = None) -> list[Conflict]:
    """:func:`find_conflicts` over :func:`quantity_rows` of any number of document graphs.

    ``label(subject)`` gives :attr:`Conflict.label` (empty without it).
    """
    groups: dict[tuple, list[ConflictValue]] = defaultdict(list)
    for subject, kind, unit, product, period, cv in rows:
        groups[(subject, kind, unit, product, period)].append(cv)
    conflicts = []
    # a conflict needs two values: only those groups are sorted and compared
    for key in sorted(k for k, v in groups.items() if len(v) > 1):
        subject, kind, _unit, _product, _period = key
        values = groups[key]
        clash = any(
            a.document != b.document and not _compatible(a, b)
            for i, a in enumerate(values) for b in values[i + 1:]
        )
        if clash:
            ordered = tuple(sorted(set(values), key=lambda v: (v.value, v.document, v.quantity)))
            conflicts.append(Conflict(subject, label(subject) if label else "", kind, ordered))
    return conflicts


def add_conflicts(dataset: Dataset, conflicts: list[Conflict] | None = None) -> int:
    """Record conflicts in the analysis graph; return how many were added (mutates ``dataset``).

    Each conflict is a node ``a kg:ValueConflict`` with ``kg:about`` (the subject),
    ``kg:kind`` and one ``kg:conflictingQuantity`` per value (the quantity nodes of the
    document graphs, which keep value, unit, sentence and document).
    """
    if conflicts is None:
        conflicts = find_conflicts(dataset)
    g = dataset.graph(ANALYSIS_GRAPH)
    for t in conflict_triples(conflicts):
        g.add(t)
    return len(conflicts)


def conflict_triples(conflicts: list[Conflict]) -> list[tuple]:
    """The triples :func:`add_conflicts` adds for ``conflicts`` (no graph is built)."""
    a, about, kind, quantity, source = RDF.type, KG.about, KG.kind, KG.conflictingQuantity, DCTERMS.source
    conflict = KG.ValueConflict
    out: list[tuple] = []
    for c in conflicts:
        # An IRI minted from the conflict's content: stable across runs and re-adds.
        node = analysis_iri("conflict", c.subject, c.kind, *sorted(v.quantity for v in c.values))
        out += [(node, a, conflict), (node, about, URIRef(c.subject)), (node, kind, Literal(c.kind))]
        for v in c.values:
            out += [(node, quantity, URIRef(v.quantity)), (node, source, URIRef(v.document))]
    return out


def run_checks(dataset: Dataset) -> list[str]:
    """The extra checks of ``kg validate``: one line per finding (empty when all is well).

    Reports facts on which documents disagree (:func:`find_conflicts`). Findings are
    information for the analyst; they do not change the exit code.
    """
    conflicts = find_conflicts(dataset)
    lines = [c.describe() for c in conflicts]
    if conflicts:
        lines.insert(0, f"{len(conflicts)} conflicting fact(s) between documents "
                        "(both values kept with their sources):")
    return lines
