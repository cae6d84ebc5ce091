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


def _extract_one(path: str, max_bytes: int | None = None) -> tuple[str, Extraction | None, str | None]:
    """Worker: ingest and extract one file; errors come back as messages (picklable)."""
    from .extract import extract_document
    from .ingest import ingest_file

    try:
        return path, extract_document(ingest_file(path, max_bytes=max_bytes)), None
    except IngestError as exc:
        return path, None, str(exc)
    except KGError as exc:
        return path, None, str(exc)


def _cache_dir(out: Path) -> Path:
    return out / ".cache" / "extractions"


def _load_cached(out: Path, text_hash: str) -> Extraction | None:
    import pickle

    p = _cache_dir(out) / f"{text_hash}.pickle"
    if not p.is_file():
        return None
    try:
        with p.open("rb") as fh:
            value = pickle.load(fh)
    except Exception:  # a stale or foreign cache entry is simply recomputed
        return None
    return value if isinstance(value, Extraction) else None


def _save_cached(out: Path, extraction: Extraction) -> None:
    import pickle

    from .store import atomic_write

    atomic_write(_cache_dir(out) / f"{extraction.document.id}.pickle",
                 pickle.dumps(extraction, protocol=pickle.HIGHEST_PROTOCOL))


def build_graph(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    out: str | os.PathLike,
    *,
    store: str | None = None,
    strict: bool = False,
    validate: bool = True,
    workers: int = 1,
    update: bool = False,
    max_bytes: int | str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> BuildReport:
    """Build the knowledge graph of a folder (or list) of documents.

    Writes ``OUT/graph.trig`` (one named graph per document plus ontology, chains, regions
    and entities graphs), ``OUT/graph.ttl`` (the union) and ``OUT/shacl-report.ttl``;
    with ``store="oxigraph:PATH"`` also loads an Oxigraph store on disk.

    Parameters
    ----------
    workers : int
        Processes for ingest and extraction (documents are independent until resolution);
        the result is the same for any number of workers.
    update : bool
        Reuse the extractions of unchanged documents from the previous build in ``out``
        (``OUT/.cache``); new and changed documents are extracted, deleted ones dropped, and
        resolution and mapping run over the whole corpus again, so the result is the same
        as a full rebuild.
    max_bytes : int or str, optional
        Size limit per document (``"50M"``; default 20 MB or ``$CHAINKG_MAX_BYTES``).

    Bad documents are reported in :attr:`BuildReport.problems` and skipped; with
    ``strict=True`` the first one raises.
    """
    from functools import partial

    from .ingest import ingest_file, iter_documents, max_bytes_limit
    from .mapping import assemble_dataset
    from .resolve import resolve_corpus
    from .store import write_outputs

    limit = max_bytes_limit(max_bytes)  # one clear error for a bad value, not one per file
    extract_one = partial(_extract_one, max_bytes=limit)
    out_dir = Path(out)
    report = BuildReport()
    files: list[Path] = []
    sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    for src in sources:
        found, skipped = iter_documents(src)
        files.extend(found)
        report.skipped.extend(skipped)

    results: list[tuple[str, Extraction | None, str | None]] = []
    todo: list[str] = []
    if update:
        for path in files:
            try:
                doc = ingest_file(path, max_bytes=limit)
            except KGError as exc:
                if strict:
                    raise
                results.append((str(path), None, str(exc)))
                continue
            cached = _load_cached(out_dir, doc.id)
            if cached is not None and cached.document.path == doc.path:
                results.append((str(path), cached, None))
            else:
                todo.append(str(path))
    else:
        todo = [str(p) for p in files]

    total = len(todo)
    if progress:
        progress(0, total, "")
    if workers > 1 and total > 1:
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, min(64, total // (workers * 8) or 1))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, res in enumerate(pool.map(extract_one, todo, chunksize=chunk), 1):
                results.append(res)
                if strict and res[2]:
                    pool.shutdown(cancel_futures=True)
                    raise IngestError(res[2])
                if progress:
                    progress(i, total, res[0])
    else:
        for i, path in enumerate(todo, 1):
            res = extract_one(path)
            if strict and res[2]:
                raise IngestError(res[2])
            results.append(res)
            if progress:
                progress(i, total, path)

    extractions: list[Extraction] = []
    seen: dict[str, str] = {}
    for path, extraction, error in sorted(results, key=lambda r: r[0]):
        if error is not None or extraction is None:
            report.problems.append((path, error or "no extraction"))
            continue
        doc_id = extraction.document.id
        if doc_id in seen:
            report.skipped.append((path, f"same text as {seen[doc_id]} (one document graph)"))
            continue
        seen[doc_id] = path
        extractions.append(extraction)
    extractions.sort(key=lambda ex: ex.document.id)
    resolved = resolve_corpus(extractions)
    report.documents = sorted(r.document.path for r in resolved)
    dataset = assemble_dataset(resolved)
    from .lifecycle import add_lifecycle_analysis

    add_lifecycle_analysis(dataset)  # current stages, 三未 flags, consistency checks → analysis graph
    from .checks import add_conflicts

    n_conflicts = add_conflicts(dataset)  # disagreeing figures across documents, both kept
    shacl = None
    if validate:
        from .validate import validate_graph

        shacl = validate_graph(dataset)
        report.conforms = shacl.conforms
    report.outputs = write_outputs(dataset, out_dir, shacl=shacl, store=store)
    # Refresh the extraction cache last, so an interrupted build leaves the old one usable.
    cache = _cache_dir(out_dir)
    keep = {ex.document.id for ex in extractions}
    for ex in extractions:
        if not (cache / f"{ex.document.id}.pickle").is_file():
            _save_cached(out_dir, ex)
    if cache.is_dir():
        for stale in cache.glob("*.pickle"):
            if stale.stem not in keep:
                stale.unlink(missing_ok=True)
    from .stats import graph_stats

    report.counts = graph_stats(dataset)
    report.counts["conflicts"] = n_conflicts
    return report
