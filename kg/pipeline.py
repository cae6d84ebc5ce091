"""The pipeline end to end: a folder of documents → an RDF dataset on disk.

:func:`extract_file` runs ingest → extract → resolve on one file and
:func:`extraction_to_json` renders the JSON contract of ``kg extract --format json``
(DESIGN.md). :func:`build_graph` runs every stage over a folder, collecting per-document
problems instead of stopping at the first bad file, and writes its outputs atomically.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IngestError, KGError
from .model import Extraction, Resolved

__all__ = [
    "extract_file",
    "extraction_to_json",
    "resolved_to_json",
    "explain_resolved",
    "BuildReport",
    "build_graph",
]


def extract_file(path: str | os.PathLike) -> Resolved:
    """Ingest, extract and resolve one document file."""
    from .extract import extract_document
    from .ingest import ingest_file
    from .resolve import resolve_entities

    return resolve_entities(extract_document(ingest_file(path)))


def resolved_to_json(resolved: Resolved) -> dict:
    """The JSON contract of ``kg extract --format json`` for one resolved document."""
    doc = resolved.document
    entities = []
    for e in resolved.entities:
        entities.append({
            "id": e.iri,
            "type": e.type,
            "label": e.label,
            "aliases": list(e.aliases),
            "mentions": [{"text": m.text, "start": m.start, "end": m.end} for m in e.mentions],
        })
    relations = []
    for r in resolved.relations:
        s = doc.sentence_at(r.start)
        ev = ({"text": s.text, "start": s.start, "end": s.end} if s is not None
              else {"text": doc.text[r.start:r.end], "start": r.start, "end": r.end})
        relations.append({"subject": r.subject, "predicate": r.predicate, "object": r.object,
                          "evidence": ev})
    quantities = []
    for subj, prod, q in resolved.quantities:
        item = {"subject": subj, "kind": q.kind, "value": q.value, "unit": q.unit,
                "text": q.text, "start": q.start, "end": q.end}
        if prod:
            item["product"] = prod
        if q.approximate:
            item["approximate"] = True
        if q.bound:
            item["bound"] = q.bound
        if q.period:
            item["period"] = q.period
        quantities.append(item)
    return {
        "document": {"id": doc.id, "chars": len(doc.text), "path": doc.path,
                     "title": doc.title, "date": doc.date},
        "entities": entities,
        "relations": relations,
        "quantities": quantities,
    }


def extraction_to_json(extraction: Extraction) -> dict:
    """Resolve one extraction and render it in the JSON contract."""
    from .resolve import resolve_entities

    return resolved_to_json(resolve_entities(extraction))


def explain_resolved(resolved: Resolved) -> list[dict]:
    """Per fact: what it is, the rule that produced it and the sentence it came from."""
    doc = resolved.document
    label = {e.iri: e.label for e in resolved.entities}
    rows: list[dict] = []

    def sentence(offset: int) -> str:
        s = doc.sentence_at(offset)
        return s.text if s else ""

    for e in resolved.entities:
        for m in e.mentions:
            rows.append({"fact": f"{e.type} {m.text}" + (f" → {e.label}" if m.text != e.label else ""),
                         "rule": m.rule, "start": m.start, "sentence": sentence(m.start)})
    for r in resolved.relations:
        obj = label.get(r.object, r.object.rsplit("/", 1)[-1])
        rows.append({"fact": f"{label.get(r.subject, r.subject)} {r.predicate} {obj}",
                     "rule": r.rule, "start": r.start, "sentence": sentence(r.start)})
    for subj, _prod, q in resolved.quantities:
        rows.append({"fact": f"{label.get(subj, '?')} {q.kind} = {q.value:g} {q.unit}  «{q.text}»",
                     "rule": q.rule, "start": q.start, "sentence": sentence(q.start)})
    rows.sort(key=lambda r: r["start"])
    return rows


@dataclass
class BuildReport:
    """What a build did: documents built, problems per file, outputs written."""

    documents: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    conforms: bool | None = None
    counts: dict = field(default_factory=dict)


def build_graph(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    out: str | os.PathLike,
    *,
    store: str | None = None,
    strict: bool = False,
    validate: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> BuildReport:
    """Build the knowledge graph of a folder (or list) of documents.

    Writes ``OUT/graph.trig`` (one named graph per document plus ontology, chains, regions
    and entities graphs), ``OUT/graph.ttl`` (the union) and ``OUT/shacl-report.ttl``;
    with ``store="oxigraph:PATH"`` also loads an Oxigraph store on disk.

    Bad documents are reported in :attr:`BuildReport.problems` and skipped; with
    ``strict=True`` the first one raises.
    """
    from .extract import extract_document
    from .ingest import ingest_file, iter_documents
    from .mapping import assemble_dataset
    from .resolve import resolve_corpus
    from .store import write_outputs

    report = BuildReport()
    files: list[Path] = []
    sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    for src in sources:
        found, skipped = iter_documents(src)
        files.extend(found)
        report.skipped.extend(skipped)
    extractions: list[Extraction] = []
    seen: dict[str, str] = {}
    for i, path in enumerate(files):
        if progress:
            progress(i, len(files), str(path))
        try:
            doc = ingest_file(path)
            if doc.id in seen:
                report.skipped.append((str(path), f"same text as {seen[doc.id]} (one document graph)"))
                continue
            seen[doc.id] = str(path)
            extractions.append(extract_document(doc))
        except IngestError as exc:
            if strict:
                raise
            report.problems.append((str(path), str(exc)))
        except KGError as exc:
            if strict:
                raise
            report.problems.append((str(path), str(exc)))
    if progress:
        progress(len(files), len(files), "")
    extractions.sort(key=lambda ex: ex.document.id)
    resolved = resolve_corpus(extractions)
    report.documents = [r.document.path for r in resolved]
    dataset = assemble_dataset(resolved)
    shacl = None
    if validate:
        from .validate import validate_graph

        shacl = validate_graph(dataset)
        report.conforms = shacl.conforms
    report.outputs = write_outputs(dataset, out, shacl=shacl, store=store)
    from .stats import graph_stats

    report.counts = graph_stats(dataset)
    return report
