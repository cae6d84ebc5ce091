"""The pipeline end to end: a folder of documents → an RDF dataset on disk.

:func:`extract_file` runs ingest → extract → resolve on one file and
:func:`extraction_to_json` renders the JSON contract of ``kg extract --format json``
(DESIGN.md). :func:`build_graph` runs every stage over a folder, collecting per-document
problems instead of stopping at the first bad file, and writes its outputs atomically.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

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
    validated_documents: int = 0  # document graphs SHACL checked (a sample in big builds)
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)  # seconds per stage of the last build
    notes: list[str] = field(default_factory=list)  # what the user should know of how it built


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


def _file_index_path(out: Path) -> Path:
    return out / ".cache" / "files.index"


@contextlib.contextmanager
def _gc_paused():
    """No garbage collection while a large structure of new objects, all of them kept, is
    built from a file: the collector would walk it again and again for nothing (loading the
    file index of 10,000 documents took 0.6 s with it, 0.2 s without)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _FileIndex(dict):
    """``{path: (size, mtime_ns, _DocSummary)}`` as read by :func:`_load_file_index`, with
    what :func:`_save_file_index` needs to write only what changed: the token of the full
    index on disk, its size, and the changes recorded beside it since (``None``: gone)."""

    token: str | None = None
    base_size: int = 0
    changes: dict | None = None
    version: int = 0  # of the full index on disk


def _file_changes_path(out: Path) -> Path:
    return out / ".cache" / "files.changes"


def _load_file_index(out: Path) -> _FileIndex:
    """``{path: (size, mtime_ns, _DocSummary)}`` of the last build into ``out`` ({} if none):
    what ``--update`` needs of an unchanged file without reading it or its extraction. The
    index on disk is a full index and the changes of the builds since it was written, which
    carry its token (changes of another index are ignored)."""
    import marshal

    out_index = _FileIndex()
    try:
        # read whole: marshal.load on a file object reads it in small pieces (3x slower)
        with _gc_paused():
            head = marshal.loads(_file_index_path(out).read_bytes())
            if head[0] == 2 and len(head) == 2:  # the earlier format: no changes beside it
                version, token, index = 2, None, head[1]
            else:
                version, token, index = head
            if version not in (2, 3, _FILE_INDEX_VERSION) or not isinstance(index, dict):
                return out_index
            out_index.update(_index_entries(version, index))
            out_index.token, out_index.base_size, out_index.changes = token, len(index), {}
            out_index.version = version
    except Exception:  # missing, stale or foreign: every file is read again
        return _FileIndex()
    try:
        with _gc_paused():
            version, token, changes = marshal.loads(_file_changes_path(out).read_bytes())
        if version != _FILE_INDEX_VERSION or token != out_index.token or token is None:
            return out_index
        gone = [path for path, entry in changes.items() if entry is None]
        entries = _index_entries(version, {path: e for path, e in changes.items() if e is not None})
        for path in gone:
            out_index.pop(path, None)
            out_index.changes[path] = None
        out_index.update(entries)
        out_index.changes.update(entries)
    except Exception:  # none, torn or foreign: the full index alone
        pass
    return out_index


#: Format of the file index: ``marshal`` of plain tuples (four times faster to write than a
#: pickle of named tuples, ~0.7 s at 10,000 documents, on every update), the summaries
#: encoded (:class:`_StoredSummary`; format 3 had them as tuples, format 2 had no token).
_FILE_INDEX_VERSION = 4


def _index_entries(version: int, index: dict) -> dict:
    """``{path: (size, mtime_ns, summary)}`` of the entries of a file index of ``version``."""
    if version >= 4:
        return {path: (size, mtime, _StoredSummary(doc_id, made_for, blob, key))
                for path, (size, mtime, doc_id, made_for, blob, key) in index.items()}
    return {path: (size, mtime, _DocSummary(*summary)) for path, (size, mtime, summary) in index.items()}


def _record_changes(before: dict, now: dict, into: dict) -> dict:
    """Record in ``into`` what turns ``before`` into ``now``: new and changed entries, and
    ``None`` for those gone (the changes the file and mapped indexes keep beside them)."""
    for k, v in now.items():
        if before.get(k) != v:
            into[k] = v
    for k in before.keys() - now.keys():
        into[k] = None
    return into


def _plain_entries(index: dict) -> dict:
    return {path: None if entry is None else (entry[0], entry[1], *_encoded(entry[2]))
            for path, entry in index.items()}


def _save_file_index(out: Path, index: dict, last: _FileIndex | None = None) -> None:
    """Write the file index of a build. After a build that read ``last`` (the index on disk)
    only the entries that differ from the full index go to disk, beside it (writing the
    whole index of 10,000 documents took ~0.25 s of every update); when they add up to more
    than a twentieth of it, or when the full index is of an earlier format, the full index
    is written again."""
    import marshal
    import uuid

    if (last is not None and last.token is not None and last.changes is not None
            and last.version == _FILE_INDEX_VERSION):  # (an index of an earlier format: whole)
        changes = _record_changes(last, index, dict(last.changes))
        if len(changes) <= max(64, last.base_size // 20):
            _write_cache_file(_file_changes_path(out), marshal.dumps(
                (_FILE_INDEX_VERSION, last.token, _plain_entries(changes))))
            return
    token = uuid.uuid4().hex
    _write_cache_file(_file_index_path(out), marshal.dumps(
        (_FILE_INDEX_VERSION, token, _plain_entries(index))))
    _file_changes_path(out).unlink(missing_ok=True)  # changes of the index just replaced
    (out / ".cache" / "files.pickle").unlink(missing_ok=True)  # the earlier format


def _extract_all(*args, **kwargs) -> tuple:
    """:func:`_extract_stage`; a freeze it took (:func:`_freeze`) is released if it fails
    (else the caller releases it at the end of the build)."""
    held = _FROZEN[0]
    try:
        return _extract_stage(*args, **kwargs)
    except BaseException:
        while _FROZEN[0] > held:
            _thaw()
        raise


def _extract_stage(files: list[Path], out_dir: Path, extract_one, limit: int,
                   warm: _WarmExtractor | None, *, strict: bool, workers: int, update: bool,
                   engine: str, scheduler: str | None, progress, started=None,
                   reextract: bool = False) -> tuple:
    """The extraction stage of :func:`build_graph`: ``(results, todo, stats, mapped_index,
    known)`` — ``(path, summary or None, error or None)`` of every file, the paths extracted
    now, ``{path: (size, mtime_ns)}`` taken before any file was read, the last build's mapped
    index when it was read beside the extraction (else ``None``), and the last build's file
    index read by an update (else ``None``). ``started()``, if given, is called once the
    documents are handed to the warm process, or before they are extracted otherwise. With
    ``reextract`` an update extracts every document again (nothing cached is reused)."""
    from .ingest import ingest_file

    results: list[tuple[str, _DocSummary | None, str | None]] = []
    mapped_index = None
    known: _FileIndex | None = None
    todo: list[str] = []
    stats = {}
    for path in files:  # before any file is read: a file changed later fails the check next time
        try:
            st_ = os.stat(path)
            stats[str(path)] = (st_.st_size, st_.st_mtime_ns)
        except OSError:
            pass
    if update:
        with _gc_paused():  # frozen before the collector runs again: it never walks the index
            known = _load_file_index(out_dir)
            _freeze()  # kept to the end of the build: thawed by build_graph
        present = {str(p) for p in files}

        def reusable(own: str, made_for: str) -> bool:
            # an extraction made for a file of the same text serves a twin that is skipped
            # (one document graph, from the first file by path): that file is still there
            return made_for == own or (made_for in present and made_for < own)

        extracted = _listing(_cache_dir(out_dir)) if not reextract else set()
        for path in files:
            if reextract:
                todo.append(str(path))
                continue
            hit = known.get(str(path))
            if (hit is not None and stats.get(str(path)) == hit[:2]
                    and reusable(str(path), hit[2].path)
                    and f"{hit[2].doc_id}.pickle" in extracted):
                # same size and modification time as when it was built: not read again
                results.append((str(path), hit[2], None))
                continue
            try:
                doc = ingest_file(path, max_bytes=limit)
            except KGError as exc:
                if strict:
                    raise
                results.append((str(path), None, str(exc)))
                continue
            cached = _load_cached(out_dir, doc.id)
            if cached is not None and reusable(doc.path, cached.document.path):
                results.append((str(path), _summarise(cached), None))
            else:
                todo.append(str(path))
    else:
        todo = [str(p) for p in files]

    total = len(todo)
    if warm is not None and not 0 < total <= _WARM_MAX_DOCS:
        warm.stop()  # nothing for it, or work for a pool
        warm = None
    if progress:
        progress(0, total, "")
    if started is not None and warm is None:
        started()
    if engine == "dask" and total:
        from .distributed import iter_extract_with_dask

        for path, ex, error in iter_extract_with_dask(todo, scheduler, strict=strict,
                                                      progress=progress, max_bytes=limit):
            if ex is not None:
                _save_cached(out_dir, ex)
            results.append((path, _summarise(ex) if ex is not None else None, error))
    elif warm is not None:
        from concurrent.futures.process import BrokenProcessPool

        futures = [warm.submit(extract_one, path) for path in todo]
        if started is not None:
            started()
        # while it extracts: what mapping them needs next (imports, the mapped index)
        mapped_index = _prepare_mapping(out_dir)
        for i, (path, fut) in enumerate(zip(todo, futures, strict=True), 1):
            try:
                res = fut.result()
            except BrokenProcessPool:  # the process died (killed, out of memory): done here
                res = extract_one(path)
            results.append(res)
            if strict and res[2]:
                raise IngestError(res[2])
            if progress:
                progress(i, total, res[0])
    elif workers > 1 and total > 1:
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

    return results, todo, stats, mapped_index, known


#: An update extracting at most this many documents extracts them in the one process forked
#: at its start (:class:`_WarmExtractor`; ~20 ms a document once its dictionaries are loaded);
#: more go to a pool of ``workers`` processes.
_WARM_MAX_DOCS = 32


def _warm_up_extraction() -> None:
    """Load extraction's dictionaries (:func:`kg.extract.warm_up`) in this process, then
    keep them out of the garbage collector's way: built with it paused (it would walk the
    growing heap again and again: ~0.3 s of 1.0), frozen before it runs again (they stay for
    the life of the process; frozen after, the first collection walked all of them once)."""
    import gc

    from .extract import warm_up

    with _gc_paused():
        warm_up()
        gc.freeze()


class _WarmExtractor:
    """One process, forked at the start of an update, that loads extraction's dictionaries
    while the parent reads the last build's indexes and finds what changed, then extracts
    the new and changed documents (:func:`_extract_summary`) while the parent prepares their
    mapping. Stopped (killed if still loading) when there is nothing for it to do."""

    def __init__(self, pool, warming) -> None:
        self.pool = pool
        self.futures = [warming]

    @classmethod
    def start(cls) -> _WarmExtractor | None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        if "fork" not in mp.get_all_start_methods():
            return None
        pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"))
        try:
            return cls(pool, pool.submit(_warm_up_extraction))  # the process is forked here
        except (OSError, RuntimeError):  # no process to be had: the update extracts itself
            pool.shutdown(wait=False, cancel_futures=True)
            return None

    def submit(self, fn, *args):
        fut = self.pool.submit(fn, *args)
        self.futures.append(fut)
        return fut

    def stop(self) -> None:
        """End the process, killed if it is still at work (nothing of it is needed then)."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if not all(f.done() for f in self.futures):
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.terminate()
        # the pool's own thread reaps the process (joining it here too raced with it, and
        # the loser of that race left the process listed as running)
        pool.shutdown(wait=True, cancel_futures=True)


def _prepare_mapping(out_dir: Path) -> tuple:
    """What mapping the documents of an update needs first, done while they are extracted:
    the imports of the mapping stack (pypinyin loads its dictionary on import) and the last
    build's mapped index (:func:`_load_mapped_index`), which is returned."""
    with _gc_paused():  # all of it is kept: the collector would walk it for nothing
        import pyoxigraph  # noqa: F401
        import pypinyin  # noqa: F401

        from . import mapping, resolve  # noqa: F401

        index = _load_mapped_index(_map_cache_dir(out_dir))
        # it and pypinyin's tables are kept to the end of the build: out of reach too (the
        # build holds the freeze taken when it read the file index)
        _freeze()
        _thaw()
    return index


def _extract_summary(path: str, max_bytes: int | None = None, cache: str | None = None
                     ) -> tuple[str, _DocSummary | None, str | None]:
    """Worker: :func:`_extract_one`, the extraction written to the cache folder ``cache``,
    its :class:`_DocSummary` returned instead (small to send back and to keep)."""
    path, extraction, error = _extract_one(path, max_bytes)
    if extraction is None:
        return path, None, error
    if cache is not None:
        _save_cached(Path(cache).parent.parent, extraction)
    return path, _summarise(extraction), error


def _listing(folder: Path) -> set[str]:
    """The names in ``folder`` (none if it cannot be listed): one listing where a build
    would otherwise look up 10,000 cache entries one by one."""
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def _remove_stale(folder: Path, keep: set[str], names: set[str] | None = None) -> None:
    """Remove the cache entries (``*.pickle``) of ``folder`` not named in ``keep``, and the
    temporaries (``.*.part``) of interrupted writes. ``names`` is a listing of the folder
    taken earlier in the build (entries written since are kept anyway): one listing, not
    a glob building 10,000 paths."""
    for name in _listing(folder) if names is None else names:
        if (name.endswith(".pickle") and name not in keep) or (name[:1] == "." and name.endswith(".part")):
            (folder / name).unlink(missing_ok=True)


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

    _write_cache_file(_cache_dir(out) / f"{extraction.document.id}.pickle",
                      pickle.dumps(extraction, protocol=pickle.HIGHEST_PROTOCOL))


def _copy_cache_file(src: Path, path: Path) -> None:
    """:func:`_write_cache_file` with the content of the file ``src``."""
    import shutil
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_cache_file(path: Path, data: bytes) -> None:
    """Write a cache entry: no fsync (a torn entry fails to load and is recomputed), only
    a rename so that readers never see half a file; temporaries end in ".part"."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    union: bool | None = None,
) -> BuildReport:
    """Build the knowledge graph of a folder (or list) of documents.

    Writes ``OUT/graph.trig`` (one named graph per document plus ontology, chains, regions
    and entities graphs), ``OUT/graph.ttl`` (the union; by default only for builds of at
    most :data:`UNION_TURTLE_MAX_DOCS` documents, see ``union``) and
    ``OUT/shacl-report.ttl``; with ``store="oxigraph:PATH"`` also loads an Oxigraph store
    on disk. Both files are written by Oxigraph straight to disk.

    Parameters
    ----------
    workers : int
        Processes for ingest and extraction (documents are independent until resolution);
        the result is the same for any number of workers.
    update : bool
        Reuse the extractions of unchanged documents from the previous build in ``out``
        (``OUT/.cache/extractions``) and their mapped N-Quads (``OUT/.cache/mapped``); new
        and changed documents are extracted, deleted ones dropped, names are resolved over
        the whole corpus again, and a document is mapped again when it is new or when the
        canonical names it uses changed (another document can rename an entity it
        mentions). Analyses, validation and the outputs are then redone, so the result is
        the same as a full rebuild. After the extraction code or what it reads changed
        (:func:`_extraction_key`) every document is extracted again and those whose
        extraction changed are mapped again (noted in :attr:`BuildReport.notes`).
    union : bool, optional
        Write the union ``graph.ttl``: ``None`` (default) writes it for builds of at most
        :data:`UNION_TURTLE_MAX_DOCS` documents and removes a stale one above that;
        ``True``/``False`` force it.
    max_bytes : int or str, optional
        Size limit per document (``"50M"``; default 20 MB or ``$CHAINKG_MAX_BYTES``).
    engine, scheduler : str
        ``engine="dask"`` runs ingest and extraction on the workers of the Dask cluster at
        ``scheduler`` (``tcp://HOST:PORT``); resolution, mapping and storing stay here, so
        the graph is the same as a local build.
    store : str, optional
        ``oxigraph:PATH`` (an Oxigraph store on disk) or ``sparql+http(s)://HOST:PORT/PATH``
        (a SPARQL 1.1 server: each named graph replaced through the Graph Store Protocol).

    Bad documents are reported in :attr:`BuildReport.problems` and skipped; with
    ``strict=True`` the first one raises.
    """
    import time
    from functools import partial

    from .ingest import iter_documents, max_bytes_limit

    _TIMINGS.clear()
    t0 = time.perf_counter()

    if engine not in ("local", "dask"):
        raise KGError(f"unknown engine {engine!r}", hint="use local or dask")
    if engine == "dask" and not scheduler:
        raise KGError("--engine dask needs --scheduler tcp://HOST:PORT")
    if store:
        from .store import parse_store_spec

        parse_store_spec(store)  # a bad store spec fails before any work
    limit = max_bytes_limit(max_bytes)  # one clear error for a bad value, not one per file
    out_dir = Path(out)
    # Workers write each extraction to the cache and send back only a summary: the parent
    # never holds all extractions (1.5 GB at 10,000 documents); mapping reads them back.
    extract_one = partial(_extract_summary, max_bytes=limit, cache=str(_cache_dir(out_dir)))
    report = BuildReport()
    # An update of a built corpus usually extracts a few documents: a process forked now
    # loads extraction's dictionaries (~0.65 s) while this one reads the last build's indexes
    warm = _WarmExtractor.start() if (update and engine == "local" and workers > 1
                                      and _file_index_path(out_dir).is_file()) else None
    # the extractions the last build was made from, when they may not be what this code
    # makes of the same texts (they are cached by text): every document is extracted again
    # and those whose extraction changed are mapped again
    reference: Path | None = None
    key_current = update and _extractions_current(out_dir)
    if not key_current:
        _extraction_key_path(out_dir).unlink(missing_ok=True)  # recorded again at the end
        if update:
            reference = _extraction_reference(out_dir)
            update = reference is not None
            if warm is not None and not update:
                warm.stop()
                warm = None
    # and graph.trig's document graphs are copied meanwhile (the update rewrites the file):
    # started once the documents are handed over (its prefixes import rdflib, which the
    # mapping needs next anyway), before any pool forks for them
    trig_copy = None

    def start_trig_copy() -> None:
        nonlocal trig_copy
        if update and trig_copy is None:
            trig_copy = _start_trig_copy(out_dir, store)

    try:
        files: list[Path] = []
        sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
        for src in sources:
            found, skipped = iter_documents(src)
            files.extend(found)
            report.skipped.extend(skipped)
        results, todo, stats, mapped_index, known = _extract_all(
            files, out_dir, extract_one, limit, warm, strict=strict, workers=workers,
            update=update, engine=engine, scheduler=scheduler, progress=progress,
            started=start_trig_copy, reextract=reference is not None)
    except BaseException:
        if trig_copy is not None:
            trig_copy.discard()
        raise
    finally:
        if warm is not None:
            warm.stop()
    _TIMINGS["extract"] = time.perf_counter() - t0
    try:
        summaries: list[_DocSummary] = []
        seen: dict[str, str] = {}
        twins: set[str] = set()
        twin_of: dict[str, str] = {}  # path of a skipped file → the document it repeats
        for path, summary, error in sorted(results, key=lambda r: r[0]):
            if error is not None or summary is None:
                report.problems.append((path, error or "no extraction"))
                continue
            doc_id = summary.doc_id
            if doc_id in seen:
                report.skipped.append((path, f"same text as {seen[doc_id]} (one document graph)"))
                twins.add(doc_id)
                twin_of[path] = doc_id
                continue
            seen[doc_id] = path
            summaries.append(summary)
        fresh = set(todo)
        extracted = {x.doc_id for path, x, _e in results if x is not None and path in fresh}
        del results, fresh
        for doc_id in sorted(twins & extracted):
            # files with the same text share one cache entry, written by whichever worker came
            # last: put back the extraction of the file that was kept (path, encoding); an entry
            # no worker wrote in this build is already that one
            _path, ex, _error = _extract_one(seen[doc_id], limit)
            if ex is not None:
                _save_cached(out_dir, ex)
        summaries.sort(key=lambda x: x.doc_id)
        report.documents = sorted(x.path for x in summaries)
        reextracted = None
        if reference is not None:
            reextracted = _changed_extractions(reference, _cache_dir(out_dir),
                                               [x.doc_id for x in summaries])
            # a text read differently now (another document id) has no extraction to compare
            # with: it is mapped as a new document, its old graph removed
            fresh = sum(1 for x in summaries if not (reference / f"{x.doc_id}.pickle").is_file())
            report.notes.append(
                f"the cached extractions were not made by this extraction code and its "
                f"vocabularies (or the build that made them did not finish): every document "
                f"was extracted again; {len(reextracted)} of {len(summaries)} changed and are "
                f"mapped again" + (f", {fresh} {'is' if fresh == 1 else 'are'} new to the last build" if fresh else ""))
        shacl, n_conflicts, counts = _map_and_store(summaries, out_dir, report, store=store,
                                                    validate=validate, workers=workers,
                                                    update=update, union=union,
                                                    mapped_index=mapped_index,
                                                    trig_copy=trig_copy,
                                                    reextracted=reextracted)
        # Drop the extractions of deleted documents last, so an interrupted build leaves the
        # old cache usable (entries are keyed by the text's hash: new ones never clash).
        cache = _cache_dir(out_dir)
        _remove_stale(cache, {f"{x.doc_id}.pickle" for x in summaries})
        by_id = {x.doc_id: x for x in summaries}
        index = {seen[x.doc_id]: (*stats[seen[x.doc_id]], x) for x in summaries
                 if seen[x.doc_id] in stats}
        # a skipped twin too, with the kept file's summary: not read again while that file is
        index.update({path: (*stats[path], by_id[doc_id]) for path, doc_id in twin_of.items()
                      if path in stats and doc_id in by_id})
        _save_file_index(out_dir, index, known)
        _save_label_index(out_dir, summaries)
        if not key_current:  # every extraction cached now is this code's, and so is the rest
            import shutil

            _write_cache_file(_extraction_key_path(out_dir), _extraction_key().encode("ascii"))
            shutil.rmtree(_reference_dir(out_dir), ignore_errors=True)
        report.counts = counts
        report.counts["conflicts"] = n_conflicts
        _join_background()
        report.timings = dict(_TIMINGS)
        return report
    finally:
        if known is not None:  # frozen when the file index was read
            _thaw()
        if trig_copy is not None and not trig_copy.claimed:  # no in-place update used it
            trig_copy.discard()


#: Seconds per stage of the last :func:`build_graph` in this process (for benchmarks).
_TIMINGS: dict[str, float] = {}

#: Builds with more documents than this validate a deterministic sample of document graphs.
SHACL_SAMPLE = 20

#: An update that maps more documents than this and than a quarter of the corpus again, or
#: removes them (the two counted together), rebuilds the store instead of changing it in place.
UPDATE_MAX_DOCS = 100

#: Builds with more documents than this write no union ``graph.ttl`` by default (the union
#: of 10,000 documents is millions of triples and minutes of Turtle writing; ``graph.trig``
#: and the store hold the same data). ``build_graph(union=True)`` forces it.
UNION_TURTLE_MAX_DOCS = 2000


class _DocSummary(NamedTuple):
    """What the build keeps of one extraction between extraction and mapping (the
    extraction itself waits in ``OUT/.cache/extractions``): its id and path, and the names
    that corpus-level resolution reads."""

    doc_id: str
    path: str
    links: tuple  # ((type, sorted linkable names), …) of the groups that can be joined
    labels: tuple  # ((type, canonical name), …) of every group


class _StoredSummary:
    """A :class:`_DocSummary` as the file index keeps it: its links and labels stay encoded
    (``blob``) until they are asked for, with ``key``, a digest of the labels. An update
    that adds a document reads the index of 10,000 without decoding their ~450,000 labels;
    which of them hold a name the update changed, the label index says
    (:func:`_touching`)."""

    __slots__ = ("doc_id", "path", "blob", "key", "_value")

    def __init__(self, doc_id: str, path: str, blob: bytes, key: bytes) -> None:
        self.doc_id, self.path, self.blob, self.key = doc_id, path, blob, key
        self._value: tuple | None = None

    def _decoded(self) -> tuple:
        value = self._value
        if value is None:
            import marshal

            value = self._value = marshal.loads(self.blob)
        return value

    @property
    def links(self) -> tuple:
        return self._decoded()[0]

    @property
    def labels(self) -> tuple:
        return self._decoded()[1]

    def plain(self) -> _DocSummary:
        return _DocSummary(self.doc_id, self.path, *self._decoded())

    def __eq__(self, other) -> bool:
        if isinstance(other, _StoredSummary):
            other = other.plain()
        if isinstance(other, _DocSummary):
            return self.plain() == other
        return NotImplemented

    __hash__ = None  # equal to a _DocSummary of the same content: unhashable as well

    def __repr__(self) -> str:
        return f"_StoredSummary{tuple(self.plain())!r}"


#: What a summary of an extraction can be: made by this build, or read from the file index.
_SUMMARIES = (_DocSummary, _StoredSummary)


def _labels_key(labels: tuple) -> bytes:
    """A digest of a summary's labels, from their text (equal labels, equal digests; each
    part with its length, so that no two label sets give the same text)."""
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    for type_, name in labels:
        h.update(f"{len(type_)}:{type_}{len(name)}:{name}".encode("utf-8", "surrogatepass"))
    return h.digest()


def _encoded(summary) -> tuple:
    """``(doc_id, path, blob, key)`` of a summary, as the file index keeps it."""
    import marshal

    if isinstance(summary, _StoredSummary):
        return summary.doc_id, summary.path, summary.blob, summary.key
    return (summary.doc_id, summary.path, marshal.dumps((summary.links, summary.labels)),
            _labels_key(summary.labels))


def _summarise(extraction: Extraction) -> _DocSummary:
    from .resolve import _canonical_names, document_links

    canonical = _canonical_names(extraction)
    labels = tuple(sorted({(k[0], lab) for k, lab in canonical.items()}))
    doc = extraction.document
    return _DocSummary(doc.id, doc.path, tuple(document_links(extraction)), labels)


def corpus_names(extractions: Sequence[Extraction]) -> dict[tuple[str, str], str]:
    """The corpus-level canonical names of :func:`kg.resolve.resolve_corpus`, only the map
    (:func:`kg.namemap.name_map`).

    ``resolve_entities(ex, names=corpus_names(all))`` equals ``resolve_corpus(all)[i]``.
    The items may also be the build's per-document summaries of extractions.
    """
    from .namemap import name_map

    return name_map(link for ex in extractions
                    for link in (ex if isinstance(ex, _SUMMARIES) else _summarise(ex)).links)


def _names_for(extraction: Extraction | _DocSummary, names: dict) -> dict:
    """The part of the corpus name map one document needs (what workers are sent)."""
    summary = extraction if isinstance(extraction, _SUMMARIES) else _summarise(extraction)
    return {key: names[key] for key in summary.labels if key in names}


class _DocView:
    """A read-only, indexed view of one document's mapped triples with the small part of
    the rdflib ``Dataset``/``Graph`` API that the corpus analyses use (``quads``,
    ``graphs``, ``subjects``, ``value``), so that :func:`kg.lifecycle.stage_items`,
    :func:`kg.consistency.consistency_graph` and :func:`kg.checks.quantity_rows` run on a
    document in a mapping worker without building an rdflib graph.

    Objects of one subject are kept in N-Quads line order, the order in which a Dataset
    parsed from :func:`kg.mapping.graph_nquads` text returns them.
    """

    def __init__(self, triples, graph_iri, nt: dict | None = None):
        from .mapping import _NtText

        nt = _NtText() if nt is None else nt
        self.identifier = graph_iri
        by_s: dict = {}
        for t in triples:
            by_s.setdefault(t[0], set()).add((t[1], t[2]))
        self._spo = {s: sorted(po, key=lambda x: f"{nt[x[0]]} {nt[x[1]]}") for s, po in by_s.items()}
        self._pos: dict = {}
        for s in sorted(self._spo, key=nt.__getitem__):
            for p, o in self._spo[s]:
                self._pos.setdefault((p, o), []).append(s)

    def triples(self, pattern):
        s, p, o = pattern
        if s is not None:
            for p2, o2 in self._spo.get(s, ()):
                if (p is None or p2 == p) and (o is None or o2 == o):
                    yield s, p2, o2
        elif p is not None and o is not None:
            for s2 in self._pos.get((p, o), ()):
                yield s2, p, o
        else:
            for s2, po in self._spo.items():
                for p2, o2 in po:
                    if (p is None or p2 == p) and (o is None or o2 == o):
                        yield s2, p2, o2

    def quads(self, pattern):
        for s, p, o in self.triples(pattern[:3]):
            yield s, p, o, self

    def graphs(self):
        return [self]

    def subjects(self, predicate, object):
        return (s for s, _p, _o in self.triples((None, predicate, object)))

    def value(self, subject, predicate):
        return next((o for _s, _p, o in self.triples((subject, predicate, None))), None)


def _analysis_records(triples, doc_iri, nt: dict | None = None) -> tuple:
    """What the corpus analyses need from one mapped document (computed in the worker):
    ``(stage evidence, consistency-check N-Quads, quantity rows)``.

    The consistency checks relate figures of one document only, so they are complete here;
    the stage evidence (:func:`kg.lifecycle.stage_items`) and the quantities
    (:func:`kg.checks.quantity_rows`, without the sentence and quantity text, which only
    messages use) are merged over the corpus by :func:`_corpus_analysis_parts`.
    """
    import dataclasses

    from .checks import quantity_rows
    from .consistency import consistency_graph
    from .lifecycle import stage_items
    from .mapping import graph_nquads
    from .ns import ANALYSIS_GRAPH

    view = _DocView(triples, doc_iri, nt)
    rows = [(s, k, u, p, per, dataclasses.replace(cv, sentence="", text=""))
            for s, k, u, p, per, cv in quantity_rows(view)]
    checks = consistency_graph(view)
    return stage_items(view), (graph_nquads(checks, ANALYSIS_GRAPH) if len(checks) else ""), rows


def _entities_parts(labels: dict):
    """The corpus entities graph's N-Quads, part by part: ``(part, text)`` in part order,
    each part's lines sorted (:func:`_in_parts`). Written as text, never as rdflib terms:
    at 10,000 documents those took most of the parent's memory."""
    from .corpus_state import entity_lines

    buckets: dict[int, list] = {}
    for iri in labels:
        buckets.setdefault(_part(f"<{iri}>"), []).append(iri)
    for k in sorted(buckets):
        lines = set()
        for iri in buckets.pop(k):
            lines.update(entity_lines(iri, *labels[iri]))
        yield k, "".join(sorted(lines))


def _in_parts(text: str) -> str:
    """N-Quads ``text`` in the order the build keeps corpus graphs in: lines grouped by the
    TriG part of their subject (:func:`_part`), parts in order, each part's lines sorted
    and without duplicates. A graph in this order is written to ``graph.trig`` and to the
    store a part (or a slice) at a time, from a file."""
    parts: dict[int, set] = {}
    for line in text.splitlines(keepends=True):
        parts.setdefault(_part(line[:line.index(" ")]), set()).add(line)
    return "".join("".join(sorted(parts[k])) for k in sorted(parts))


def _corpus_analysis_parts(stage_parts, check_nquads, quantity_rows_, labels):
    """The analysis graph of a build from its documents' :func:`_analysis_records` — the
    same graph as :func:`kg.lifecycle.derive_flags`, :func:`kg.consistency.consistency_graph`
    and :func:`kg.checks.add_conflicts` give on the whole dataset — a part at a time
    (:func:`_in_parts`): ``(iterator of (part, N-Quads text), number of conflicts)``.
    ``check_nquads`` is an iterable of N-Quads texts (read once). Only one part's lines
    exist as text at a time: the whole graph's (~2M lines at 10,000 documents) as a set,
    sorted and joined took ~0.7 GB."""
    from .checks import conflict_triples, conflicts_from_rows
    from .corpus_state import analysis_lines
    from .lifecycle import flag_triples, merge_stage_items
    from .mapping import _nt

    triples = flag_triples(merge_stage_items(stage_parts))
    conflicts = conflicts_from_rows(quantity_rows_, lambda s: labels[s][1] if s in labels else "")
    triples += conflict_triples(conflicts)
    buckets: dict[int, list] = {}
    for t in triples:
        buckets.setdefault(_part(_nt(t[0])), []).append(t)
    del triples
    checks: dict[int, list] = {}
    for text in check_nquads:
        for line in text.splitlines(keepends=True):
            checks.setdefault(_part(line[:line.index(" ")]), []).append(line)

    def parts():
        for k in sorted(buckets.keys() | checks.keys()):
            lines = set(analysis_lines(buckets.pop(k, ())))
            lines.update(checks.pop(k, ()))
            yield k, "".join(sorted(lines))

    return parts(), len(conflicts)


def _map_one(args):
    """Worker: resolve one extraction (or the pickle file of one) with the corpus names and
    map it to N-Quads.

    Returns ``(doc_id, nquads, records, entities, codes)``; ``records`` are the document's
    :func:`_analysis_records`, ``entities`` are ``(iri, type, label, aliases)`` for the
    corpus entities graph. With a cache path the result is also written there (with the
    names it was mapped with), so ``--update`` can reuse it while those names stay the same.
    """
    extraction, names = args[0], args[1]
    cache_path = args[2] if len(args) > 2 else None
    if isinstance(extraction, str):
        import pickle

        with open(extraction, "rb") as fh:
            extraction = pickle.load(fh)
    from .mapping import _map_into, _NtText, _Sink, graph_nquads
    from .ns import document_iri
    from .resolve import resolve_entities

    r = resolve_entities(extraction, names=names)
    d = document_iri(r.document.id)
    sink = _Sink()
    _map_into(sink, r)
    ents = [(e.iri, e.type, e.label, e.aliases) for e in r.entities]
    codes = sorted({v for e in r.entities if e.type == "Region" for k, v in e.attrs if k == "code"})
    nt = _NtText()  # the N-Triples text of each term, for both
    result = (r.document.id, graph_nquads(sink, d, nt), _analysis_records(sink, d, nt), ents, codes)
    if cache_path is not None:
        _save_mapped(Path(cache_path), names, result, r.document.path)
    return result


def _map_cache_dir(out: Path) -> Path:
    return out / ".cache" / "mapped"


_CODE_KEY: str | None = None


def _code_key() -> str:
    """A fingerprint of the code that maps a document (a changed mapper invalidates the cache).

    Taken over the syntax trees without docstrings (:func:`_code_shape`): an edited comment
    or docstring does not send 10,000 cached documents through the mapper again."""
    global _CODE_KEY
    if _CODE_KEY is None:
        from .diskcache import memo_by_files

        _CODE_KEY = memo_by_files("code key", _fingerprinted_files(), _compute_code_key)
    return _CODE_KEY


#: The modules :func:`_code_key` is taken over (besides this one's mapping part).
_MAPPING_MODULES = ("mapping.py", "resolve.py", "ns.py", "model.py", "lifecycle.py",
                    "consistency.py", "checks.py")


def _fingerprinted_files() -> list[Path]:
    """The source files the fingerprints of the build's code are taken from (they are kept
    on disk while these files stay as they were: see :func:`kg.diskcache.memo_by_files`)."""
    here = Path(__file__).resolve().parent
    return [here / "pipeline.py", here / "corpus_state.py", _NAMEMAP_FILE,
            *(here / n for n in _MAPPING_MODULES)]


#: The code of the corpus name map: part of the mapped index's key (:func:`_index_key`), not
#: of the mapping's (a document is mapped with the names it is given).
_NAMEMAP_FILE = Path(__file__).resolve().parent / "namemap.py"


def _compute_code_key() -> str:
    import hashlib
    import inspect

    h = hashlib.sha1()
    # this module's mapping part only: the rest of the build can change without
    # invalidating 10,000 cached documents
    for fn in (_map_one, _analysis_records, _DocView):
        h.update(_code_shape(inspect.getsource(fn)).encode("utf-8"))
    here = Path(__file__).resolve().parent
    for name in _MAPPING_MODULES:
        f = here / name
        h.update(_code_shape(f.read_text(encoding="utf-8")).encode("utf-8") if f.is_file() else b"")
    return h.hexdigest()


def _code_shape(source: str) -> str:
    """What of Python ``source`` the program runs: its syntax tree without docstrings,
    comments, layout or line numbers."""
    import ast
    import textwrap

    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and node.body and isinstance(node.body[0], ast.Expr)
                and isinstance(node.body[0].value, ast.Constant)
                and isinstance(node.body[0].value.value, str)):
            node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _save_mapped(path: Path, names: dict, result: tuple, source: str) -> None:
    """Cache one document's mapping, written atomically as three pickles in a row: the
    code key, names and source file (:func:`_source_of`) it was mapped with, then (zlib-compressed) everything but the
    N-Quads, then the N-Quads — so that a check, or an update that needs only the
    analysis records, reads no more than it needs."""
    import pickle
    import tempfile
    import zlib

    doc_id, nq, records, ents, codes = result
    # A cache entry needs no fsync (a torn one fails to load and is recomputed), only a
    # rename so that readers never see half a file; temporaries end in ".part".
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((_code_key(), names, source), fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(zlib.compress(pickle.dumps((doc_id, records, ents, codes),
                                                   protocol=pickle.HIGHEST_PROTOCOL), 1), fh)
            pickle.dump(zlib.compress(nq.encode("utf-8"), 1), fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _names_digest(names: dict) -> bytes:
    """A digest of the part of the name map one document is mapped with: of its text, so
    that equal maps have equal digests (a pickle of them did not: it writes a string seen
    twice as a reference to the first only when it is the same object, and then an update
    checked the cache file of nearly every document whose digest it recomputed)."""
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    for (type_, name), canonical in sorted(names.items()):
        h.update(f"{type_}\x1f{name}\x1f{canonical}\x1e".encode("utf-8", "surrogatepass"))
    return h.digest()


def _mapped_index_path(mcache: Path) -> Path:
    return mcache.parent / "mapped.index"


class _MappedIndex(tuple):
    """``(digests, names, sources)`` as read by :func:`_load_mapped_index`, with what
    :func:`_save_mapped_index` needs to write only what changed: the token of the full
    index on disk, its size, and the changes recorded beside it since."""

    token: str | None = None
    base_size: int = 0
    changes: tuple | None = None  # ({doc: digest or None}, {node: name or None}, {doc: path or None})


def _mapped_changes_path(mcache: Path) -> Path:
    return mcache.parent / "mapped.changes"


def _load_mapped_index(mcache: Path) -> _MappedIndex:
    """``({document id: digest of the names it was mapped with}, corpus name map,
    {document id: source file it was mapped from})`` of the last build that mapped
    documents, written after it had finished: an update tells which cached mappings are
    current without opening 10,000 files, and extends that name map with the links of added
    documents instead of resolving the whole corpus again. ``({}, None, {})`` if there is
    none, or it was made by other code. On disk: a full index, and the changes of the
    builds since it was written (carrying its token)."""
    import pickle

    empty = _MappedIndex(({}, None, {}))
    try:
        with _mapped_index_path(mcache).open("rb") as fh, _gc_paused():
            head = pickle.load(fh)
        if len(head) == 4:  # the earlier format: no changes beside it
            (key, digests, names, sources), token = head, None
        else:
            key, token, digests, names, sources = head
    except Exception:  # missing, torn or foreign: every entry is checked in its file
        return empty
    if key != _index_key() or not all(isinstance(x, dict) for x in (digests, names, sources)):
        return empty
    out = _MappedIndex((digests, names, sources))
    out.token, out.base_size = token, len(digests) + len(names) + len(sources)
    out.changes = ({}, {}, {})
    if token is None:
        return out
    try:
        with _mapped_changes_path(mcache).open("rb") as fh, _gc_paused():
            key2, token2, *changes = pickle.load(fh)
    except Exception:  # none, torn or foreign: the full index alone
        return out
    if key2 != key or token2 != token or len(changes) != 3:
        return out
    for whole, delta, kept in zip(out, changes, out.changes, strict=True):
        for k, v in delta.items():
            if v is None:
                whole.pop(k, None)
            else:
                whole[k] = v
            kept[k] = v
    return out


@lru_cache(maxsize=1)
def _index_key() -> str:
    """The mapping code (:func:`_code_key`) and the code that resolves names over the
    corpus: a name map kept by other code is not extended."""
    from .diskcache import memo_by_files

    def compute() -> str:
        import hashlib
        import inspect

        h = hashlib.sha1(_code_key().encode("ascii"))
        for fn in (corpus_names, _extend_names, _summarise, _names_for, _names_digest):
            h.update(_code_shape(inspect.getsource(fn)).encode("utf-8"))
        h.update(_code_shape(_NAMEMAP_FILE.read_text(encoding="utf-8")).encode("utf-8"))
        return h.hexdigest()

    return memo_by_files("index key", _fingerprinted_files(), compute)


def _save_mapped_index(mcache: Path, digests: dict[str, bytes], names: dict,
                       sources: dict[str, str], last: _MappedIndex | None = None,
                       changed_names: set | None = None) -> None:
    """Write the mapped index of a build. After a build that read ``last`` (the index on
    disk) only what differs from the full index goes to disk, beside it (the whole index of
    10,000 documents, ~240,000 names, took ~0.2 s to write on every update); when that adds
    up to more than a twentieth of it, the full index is written again. ``names`` may be
    ``last``'s name map extended in place: ``changed_names`` then says which of its keys
    changed (without it, the full index is written)."""
    import pickle
    import uuid

    if last is not None and last.token is not None and last.changes is not None:
        d_digests = _record_changes(last[0], digests, dict(last.changes[0]))
        d_sources = _record_changes(last[2], sources, dict(last.changes[2]))
        d_names = dict(last.changes[1])
        ok = True
        if names is last[1]:  # extended in place: only the caller knows what changed
            if changed_names is None:
                ok = False
            else:
                d_names.update((k, names.get(k)) for k in changed_names)  # None: gone
        elif last[1] is not None:
            _record_changes(last[1], names, d_names)
        else:
            ok = False
        if ok and len(d_digests) + len(d_names) + len(d_sources) <= max(64, last.base_size // 20):
            _write_cache_file(_mapped_changes_path(mcache), pickle.dumps(
                (_index_key(), last.token, d_digests, d_names, d_sources),
                protocol=pickle.HIGHEST_PROTOCOL))
            return
    _write_cache_file(_mapped_index_path(mcache), pickle.dumps(
        (_index_key(), uuid.uuid4().hex, digests, names, sources), protocol=pickle.HIGHEST_PROTOCOL))
    _mapped_changes_path(mcache).unlink(missing_ok=True)  # changes of the index just replaced


def _forget_mapped(mcache: Path, last: _MappedIndex | None, doc_ids) -> None:
    """Before the cache entries of ``doc_ids`` are written again: the index on disk no
    longer vouches for them (an interrupted build must not leave it naming the names they
    were mapped with before). Recorded as changes beside the full index when there is one,
    else the index is removed."""
    import pickle

    if last is not None and last.token is not None and last.changes is not None:
        d_digests, d_names, d_sources = last.changes
        _write_cache_file(_mapped_changes_path(mcache), pickle.dumps(
            (_index_key(), last.token, {**d_digests, **dict.fromkeys(doc_ids)}, d_names, d_sources),
            protocol=pickle.HIGHEST_PROTOCOL))
    else:
        _mapped_index_path(mcache).unlink(missing_ok=True)
        _mapped_changes_path(mcache).unlink(missing_ok=True)


def _source_of(x) -> str:
    """The file an extraction or :class:`_DocSummary` was read from (a document graph names
    it: of two files with one text, the one kept)."""
    return x.path if isinstance(x, _SUMMARIES) else x.document.path


def _label_index_path(out: Path) -> Path:
    return out / ".cache" / "labels.sqlite"


def _touching(out: Path, summaries, names: set) -> set[str]:
    """The ids of the ``summaries`` whose labels hold one of ``names`` (``(type, name)``).

    The label sets of summaries read from the file index are looked up in the label index
    (``OUT/.cache/labels.sqlite``, one row per label of each set, by the set's
    :attr:`_StoredSummary.key`; :func:`_save_label_index`) instead of being decoded: a
    document added to 10,000 changes a few dozen names, and their rows are found by key.
    Summaries it lacks, and those made by this build, are checked one by one."""
    import sqlite3

    if not names:
        return set()
    found: set[bytes] = set()
    covered: set[bytes] = set()
    stored = [x for x in summaries if isinstance(x, _StoredSummary)]
    path = _label_index_path(out)
    if stored and names and path.is_file():
        try:
            con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
            try:
                covered = {k for (k,) in con.execute("SELECT key FROM sets")}
                for type_, name in names:
                    found.update(k for (k,) in con.execute(
                        "SELECT sets.key FROM labels JOIN sets ON sets.id = labels.set_id"
                        " WHERE labels.type = ? AND labels.name = ?", (type_, name)))
            finally:
                con.close()
        except sqlite3.Error:  # unreadable: every set is checked here
            found, covered = set(), set()
    out_ids = set()
    for x in summaries:
        key = x.key if isinstance(x, _StoredSummary) else None
        if key in covered:
            if key in found:
                out_ids.add(x.doc_id)
        elif not names.isdisjoint(x.labels):
            out_ids.add(x.doc_id)
    return out_ids


def _save_label_index(out: Path, summaries) -> None:
    """Add the label sets of ``summaries`` that the label index lacks (:func:`_touching`);
    sets no summary has any more are dropped when they outnumber half of those kept. A
    label index that cannot be written is removed (it is only a faster way to an answer
    :func:`_touching` also finds without it)."""
    import sqlite3

    path = _label_index_path(out)
    by_key = {}
    for x in summaries:
        _doc_id, _path, _blob, key = _encoded(x)
        by_key.setdefault(key, x)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path)
        try:
            # a cache: a torn write (power loss) is caught as an error and the index made again
            con.execute("PRAGMA synchronous = OFF")
            con.execute("PRAGMA journal_mode = MEMORY")
            with con:
                con.execute("CREATE TABLE IF NOT EXISTS sets (id INTEGER PRIMARY KEY, key BLOB UNIQUE NOT NULL)")
                con.execute("CREATE TABLE IF NOT EXISTS labels (type TEXT NOT NULL, name TEXT NOT NULL,"
                            " set_id INTEGER NOT NULL)")
                con.execute("CREATE INDEX IF NOT EXISTS labels_by_name ON labels (type, name)")
                con.execute("CREATE INDEX IF NOT EXISTS labels_by_set ON labels (set_id)")
            have = dict(con.execute("SELECT key, id FROM sets"))
            with con:
                for key in sorted(by_key.keys() - have.keys()):
                    set_id = con.execute("INSERT INTO sets (key) VALUES (?)", (key,)).lastrowid
                    con.executemany("INSERT INTO labels VALUES (?, ?, ?)",
                                    [(t, n, set_id) for t, n in by_key[key].labels])
                stale = [(i,) for k, i in have.items() if k not in by_key]
                if len(stale) > len(by_key) // 2:
                    con.executemany("DELETE FROM labels WHERE set_id = ?", stale)
                    con.executemany("DELETE FROM sets WHERE id = ?", stale)
        finally:
            con.close()
    except sqlite3.Error:
        path.unlink(missing_ok=True)


def _extend_names(names: dict, added, everything=None) -> set:
    """Extend ``names`` (:func:`corpus_names` of some documents) in place to the map of those
    documents and the ``added`` ones (extractions or summaries); return the keys whose name
    is new, changed or gone. The result equals :func:`corpus_names` of all.

    In the few cases :func:`kg.namemap.extend` cannot extend the map in place (two
    companies' legal names join, or short names of several firms do), the map of the whole
    corpus is made again, from ``everything`` (extractions or summaries of all documents,
    the added ones included); without it, ``ValueError`` is raised."""
    from .namemap import extend

    changed = extend(names, (link for x in added
                             for link in (x if isinstance(x, _SUMMARIES) else _summarise(x)).links))
    if changed is not None:
        return changed
    if everything is None:
        raise ValueError("these added documents need the name map of the whole corpus")
    new = corpus_names(list(everything))
    changed = {k for k in names.keys() | new.keys() if names.get(k) != new.get(k)}
    names.clear()
    names.update(new)
    return changed


def _mapped_is_current(path: Path, names: dict, source: str) -> bool:
    """Whether the cached mapping at ``path`` was made with exactly ``names``, from the file
    ``source``, by this code (``False`` for a new document, one whose canonical names
    changed, or one now read from another file of the same text)."""
    import pickle

    try:
        with path.open("rb") as fh:
            key, cached_names, cached_source = pickle.load(fh)
    except Exception:  # a missing, stale or foreign cache entry is simply recomputed
        return False
    return key == _code_key() and cached_names == names and cached_source == source


def _load_mapped(path: Path, names: dict | None = None, *, nquads: bool = True) -> tuple | None:
    """The cached mapping of one document, ``(doc_id, nquads, records, entities, codes)``
    (``nquads`` ``None`` unless asked for); ``None`` if it is missing or unreadable, or
    when ``names`` are given and differ from those it was mapped with."""
    import pickle
    import zlib

    try:
        with path.open("rb") as fh:
            key, cached_names, _source = pickle.load(fh)
            if key != _code_key() or (names is not None and cached_names != names):
                return None
            doc_id, records, ents, codes = pickle.loads(zlib.decompress(pickle.load(fh)))
            nq = zlib.decompress(pickle.load(fh)).decode("utf-8") if nquads else None
    except Exception:  # a stale or foreign cache entry is simply recomputed
        return None
    return doc_id, nq, records, ents, codes


def _prefixes() -> dict[str, str]:
    from rdflib import Graph

    from .ns import bind_prefixes

    g = Graph()
    bind_prefixes(g)
    return {p: str(n) for p, n in g.namespaces() if p}


def _store_stats(st) -> dict:
    """:func:`kg.stats.graph_stats` counts, computed by SPARQL on an Oxigraph store.

    On a store whose default graph holds the union (:func:`kg.store_oxigraph.mark_union`)
    the distinct triples are that graph's triples: no DISTINCT over millions of rows.
    """
    from .store_oxigraph import is_union_materialized, union_query_kwargs

    union = union_query_kwargs(st)

    def rows(q):
        return list(st.query(q, **union))

    if is_union_materialized(st):
        distinct = "{ ?s ?p ?o }"
        triples = int(rows("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[0][0].value)
        quads = len(st) - triples
    else:
        distinct = "{ SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
        triples = int(rows(f"SELECT (COUNT(*) AS ?n) {distinct}")[0][0].value)
        quads = len(st)
    classes = {r[0].value: int(r[1].value) for r in rows(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c")}
    predicates = {r[0].value: int(r[1].value) for r in rows(
        f"SELECT ?p (COUNT(*) AS ?n) {distinct} GROUP BY ?p")}
    return _counts(triples, quads, _nonempty_graphs(st), classes, predicates)


def _nonempty_graphs(st) -> int:
    """The named graphs of an Oxigraph store that hold a quad (the union mark does not)."""
    import pyoxigraph as ox

    from .ns import GRAPH
    from .store_oxigraph import UNION_MARK

    mark = ox.NamedNode(str(GRAPH[UNION_MARK]))
    return sum(1 for g in st.named_graphs() if g != mark
               and next(iter(st.quads_for_pattern(None, None, None, g)), None) is not None)


def _counts(triples: int, quads: int, graphs: int, classes: dict, predicates: dict) -> dict:
    """The counts of a build from its union's size, its named graphs' quads and graphs, and
    the union's subjects per class and triples per predicate (IRI strings)."""
    from .ns import KG
    from .stats import ENTITY_CLASSES, RELATION_PREDICATES

    return {
        "triples": triples,
        "quads": quads,
        "graphs": graphs,
        "documents": classes.get(str(KG.Document), 0),
        "entities": {c: classes.get(str(KG[c]), 0) for c in ENTITY_CLASSES},
        "relations": {p: predicates.get(str(KG[p]), 0) for p in RELATION_PREDICATES},
        "quantities": classes.get(str(KG.Quantity), 0),
        "classes": dict(sorted(classes.items())),
        "predicates": dict(sorted(predicates.items())),
    }


class _CorpusRecords:
    """What the corpus graphs and analyses of a full build need of every mapped document,
    gathered as the documents stream by. The build holds them for every document until the
    end, so each document's stage items, check N-Quads and quantity rows are kept pickled and
    compressed: at 10,000 documents 0.78 GB of objects become 43 MB, for ~6 s more of
    unpacking in :meth:`analysis`. (An update does not gather every document's records: it
    reads those of the keys it changes from :mod:`kg.corpus_state`.)"""

    def __init__(self) -> None:
        self.labels: dict = {}  # iri -> (type, first label, every name seen)
        self.codes: set = set()  # region codes
        self.stage_parts: list = []  # per document: stage items, a zlib'd pickle
        self.check_nq: list = []  # per document: check N-Quads, UTF-8, zlib'd
        self.qrows: list = []  # per document: quantity rows, a zlib'd pickle
        self.qkeys: dict = {}  # hash of a quantity group's key -> rows in it

    def add(self, records, ents, codes) -> None:
        """One document's analysis ``records`` (stage items, consistency N-Quads, quantity
        rows), entities ``(iri, type, label, aliases)`` and region ``codes``."""
        import pickle

        items, cnq, rows = records
        self.stage_parts.append(zlib.compress(_dumps_terms(items), 1))
        if cnq:
            self.check_nq.append(zlib.compress(cnq.encode("utf-8"), 1))
        if rows:
            # Counted by group: the rows of a group with one value, which can conflict with
            # nothing (80 % of them at 10,000 documents), are not rebuilt; stored as plain
            # tuples after their group's hash (unpickling dataclasses is slow).
            qkeys, fields = self.qkeys, _cv_fields()
            flat = []
            for row in rows:
                h = hash(row[:5])
                qkeys[h] = qkeys.get(h, 0) + 1
                flat.append((h, *row[:5], *(getattr(row[5], f) for f in fields)))
            self.qrows.append(zlib.compress(pickle.dumps(flat, protocol=pickle.HIGHEST_PROTOCOL), 1))
        self.codes.update(codes)
        for iri, type_, label, aliases in ents:
            if iri in self.labels:
                self.labels[iri][2].update(aliases)
                self.labels[iri][2].add(label)
            else:
                self.labels[iri] = (type_, label, set(aliases))

    def analysis(self) -> tuple[str, int]:
        """The analysis graph of the documents added as N-Quads text, and the number of
        conflicts (:func:`_corpus_analysis_parts`); the records are released."""
        parts, n = self.analysis_parts()
        return "".join(text for _k, text in parts), n

    def analysis_parts(self):
        """:func:`_corpus_analysis_parts` of the documents added; the records are released."""
        import pickle

        checks = (zlib.decompress(chunk).decode("utf-8") for chunk in self.check_nq)
        parts = (pickle.loads(zlib.decompress(chunk)) for chunk in self.stage_parts)
        out = _corpus_analysis_parts(parts, checks, self._rows(), self.labels)
        self.stage_parts, self.check_nq, self.qrows, self.qkeys = [], [], [], {}
        return out

    def _rows(self) -> list:
        """The quantity rows of the groups holding more than one (a hash collision
        only keeps a few rows more: :func:`kg.checks.conflicts_from_rows` skips single ones)."""
        import pickle

        from .checks import ConflictValue

        qkeys = self.qkeys
        out = []
        for chunk in self.qrows:
            out.extend((*row[1:6], ConflictValue(*row[6:])) for row in pickle.loads(zlib.decompress(chunk))
                       if qkeys[row[0]] > 1)
        return out


def _dumps_terms(obj) -> bytes:
    """``pickle.dumps(obj)``, with rdflib IRIs stored so that loading them skips the
    validation of ``URIRef()`` (it made reading back 10,000 documents' records take seconds;
    they were valid IRIs when written)."""
    import io
    import pickle

    buf = io.BytesIO()
    _terms_pickler()(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


@lru_cache(maxsize=1)
def _terms_pickler():
    import pickle

    from rdflib import URIRef

    class _Pickler(pickle.Pickler):
        def reducer_override(self, o):
            if type(o) is URIRef:
                return _uriref, (str(o),)
            return NotImplemented

    return _Pickler


def _uriref(value: str):
    """The ``URIRef`` of an IRI already validated (see :func:`_dumps_terms`)."""
    if not _URIREF:
        from rdflib import URIRef

        _URIREF.append(URIRef)
    return str.__new__(_URIREF[0], value)


_URIREF: list = []


@lru_cache(maxsize=1)
def _cv_fields() -> tuple[str, ...]:
    """The fields of :class:`kg.checks.ConflictValue`, in the order its constructor takes them."""
    import dataclasses

    from .checks import ConflictValue

    return tuple(f.name for f in dataclasses.fields(ConflictValue))


def _map_and_store(extractions, out_dir: Path, report: BuildReport, *, store, validate, workers,
                   update=False, union=None, mapped_index=None, trig_copy=None,
                   reextracted: set[str] | None = None):
    """Resolve, map (in workers), analyse, validate and write one build's outputs.

    Resolution is global (one name map over all extractions, computed here); mapping runs
    per document in ``workers`` processes and yields N-Quads text plus the document's
    analysis records. Mapped documents stream, in document order and in bounded batches,
    into an Oxigraph store (each triple also into its default graph, which thus holds the
    de-duplicated union: see :func:`kg.store_oxigraph.mark_union`) and into ``graph.trig``
    (written by Oxigraph from the same text); nothing holds all documents at once. The
    corpus analyses are computed from the records. ``mapped_index`` is the last build's
    :func:`_load_mapped_index` when the caller has read it already (an update reads it while
    its documents are extracted); ``trig_copy``, a :func:`_start_trig_copy`, goes to an
    in-place update; ``reextracted``: the documents of the last build whose extraction
    changed (the extraction code did), mapped again. Returns ``(shacl report or None,
    conflicts, counts)``.
    """
    import shutil
    import time
    from functools import partial

    import pyoxigraph as ox

    from .mapping import graph_nquads, load_chains, load_ontology, map_regions
    from .ns import ANALYSIS_GRAPH, ENTITIES_GRAPH
    from .store import _commit_staged, _stage, parse_store_spec, remove_stale_temporaries

    t = time.perf_counter()
    # Each document's mapping is cached with the part of the name map it used; an update
    # reuses it unless those names changed (a new document can change the canonical name
    # of an entity that other documents mention: those documents are mapped again).
    mcache = _map_cache_dir(out_dir)
    plan = []  # (doc_id, job or None); None: the cached mapping is current
    if not update:
        mapped_index = ({}, None, {})
    elif mapped_index is None:  # else read while the documents were extracted
        mapped_index = _load_mapped_index(mcache)
    known, last_names, known_sources = mapped_index
    last = mapped_index if isinstance(mapped_index, _MappedIndex) else None
    changed: set | None = None  # the names that changed since the last build, if known
    reextracted = reextracted or set()
    if (last_names is not None and not reextracted
            and known.keys() <= {x.doc_id for x in extractions}):
        # documents were only added: the last build's name map is extended with their links
        names = last_names
        changed = _extend_names(names, [x for x in extractions if x.doc_id not in known],
                                 extractions)
    else:
        names = corpus_names(extractions)
    digests: dict[str, bytes] = {}
    sources = {x.doc_id: _source_of(x) for x in extractions}
    mapped_files = _listing(mcache) if update else set()
    # the documents of the last build that name what changed
    touched = (_touching(out_dir, [x for x in extractions if x.doc_id in known], changed)
               if changed is not None else set())
    for x in extractions:
        same_file = known_sources.get(x.doc_id) == sources[x.doc_id] and x.doc_id not in reextracted
        if (changed is not None and x.doc_id in known and same_file
                and x.doc_id not in touched and f"{x.doc_id}.pickle" in mapped_files):
            # neither its names nor its mapping changed since the last build
            digests[x.doc_id] = known[x.doc_id]
            plan.append((x.doc_id, None))
            continue
        doc_names = _names_for(x, names)
        path = mcache / f"{x.doc_id}.pickle"
        digests[x.doc_id] = digest = _names_digest(doc_names)
        if update and x.doc_id not in reextracted and (
                (known.get(x.doc_id) == digest and same_file and path.name in mapped_files)
                or _mapped_is_current(path, doc_names, sources[x.doc_id])):
            plan.append((x.doc_id, None))
        else:
            # a summary's extraction is read back from the cache by the worker
            ex = str(_cache_dir(out_dir) / f"{x.doc_id}.pickle") if isinstance(x, _SUMMARIES) else x
            plan.append((x.doc_id, (ex, doc_names, str(path))))
    _TIMINGS["resolve"] = time.perf_counter() - t
    remapped = sum(1 for _d, job in plan if job is not None)
    if remapped:  # cache entries are rewritten: the index is valid again once they all are
        _forget_mapped(mcache, mapped_index if update else None,
                       [d for d, job in plan if job is not None])
    doc_ids = [d for d, _j in plan]
    sample_ids = set(sorted(doc_ids)[:SHACL_SAMPLE]) if validate else set()

    t = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir, ("graph.trig", "graph.ttl", "shacl-report.ttl"),
                             keep=[trig_copy.tmp] if trig_copy is not None else [])
    _remove_stale(mcache, {f"{d}.pickle" for d in doc_ids}, mapped_files if update else None)
    target = None
    if store:
        kind, loc = parse_store_spec(store)
        if kind == "oxigraph":
            target = Path(loc)
    manifest = _read_manifest(out_dir, target) if update and target is not None else None
    if manifest is not None and (remapped + len(set(manifest["documents"]) - set(doc_ids))
                                 > max(UPDATE_MAX_DOCS, len(plan) // 4)):
        # removing and loading that many documents' triples one by one takes longer than
        # building the store again (from the cached extractions and mappings)
        manifest = None
    if manifest is not None:
        from .corpus_state import CorpusState, state_path

        state = CorpusState.open(state_path(out_dir), _state_fingerprint())
        if state is not None:
            try:
                result = _update_in_place(plan, mcache, out_dir, report, target, manifest, state,
                                          validate=validate, workers=workers, union=union,
                                          trig_copy=trig_copy)
            finally:
                state.close()
            _save_mapped_index(mcache, digests, names, sources, last, changed)
            return result
    if trig_copy is not None:  # not in place: graph.trig is written whole
        trig_copy.discard()
    _manifest_path(out_dir).unlink(missing_ok=True)
    tmp_root = _make_build_dir(target.parent if target else out_dir)
    shacl = None
    trig_fh = None
    loader = None
    pending_union = None  # the union graph.ttl being written (_stage_path_beside)
    state = None
    staged: list = []
    try:
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
        st = ox.Store(str(tmp_root / "store"))
        prefixes = _prefixes()
        trig_tmp, trig_fh = _open_staged(out_dir / "graph.trig")
        staged.append((trig_tmp, out_dir / "graph.trig"))
        loader = _StreamLoader(st, trig_fh, prefixes, track_blocks=True)
        loader.tmp_dir = tmp_root
        ontology, chains = load_ontology(), load_chains()
        corpus_nq = [graph_nquads(ontology, ontology.identifier), graph_nquads(chains, chains.identifier)]
        del ontology, chains
        for nq in corpus_nq:
            loader.add(nq)

        acc = _CorpusRecords()
        if target is not None:  # the records by key, for in-place updates of this store
            from .corpus_state import CorpusState, state_path

            state = CorpusState.create(state_path(out_dir).with_suffix(".new"))
        sample_nq: list = []
        for doc_id, nq, records, ents, cs in _mapped_in_order(plan, mcache, workers):
            loader.add(nq)
            if doc_id in sample_ids:
                sample_nq.append(nq)
            del nq
            acc.add(records, ents, cs)
            if state is not None:
                state.add(doc_id, records, ents, cs)
        _release_memory()

        # The entities and analysis graphs (hundreds of megabytes of text at 10,000
        # documents) are written to files a part at a time, and read back from them.
        corpus_nq.append(_PartedFile.write(tmp_root / "entities.nq", str(ENTITIES_GRAPH),
                                           _entities_parts(acc.labels)))
        regions = map_regions(acc.codes)
        regions_made = _regions_record(acc.codes)
        corpus_nq.append(graph_nquads(regions, regions.identifier))
        del regions
        _TIMINGS["map"] = time.perf_counter() - t  # mapping and loading overlap

        # The corpus analyses (current stages, 三未, consistency, conflicts) from the
        # records the workers extracted from each document; the records are released
        # before the corpus graphs are loaded.
        t = time.perf_counter()
        parts, n_conflicts = acc.analysis_parts()
        del acc
        corpus_nq.append(_PartedFile.write(tmp_root / "analysis.nq", str(ANALYSIS_GRAPH), parts))
        del parts
        _release_memory()
        _TIMINGS["analyse"] = time.perf_counter() - t
        t = time.perf_counter()
        for nq in corpus_nq[2:]:
            loader.add(nq)
        loader.flush()  # the entities, regions and analysis graphs are in the store from here on
        _release_memory()
        _TIMINGS["load"] = loader.seconds
        # What validation needs of the corpus graphs is taken now, and their text kept on
        # disk: the derivation below then runs without ~0.7 GB of it (10,000 documents).
        vdata = None
        if validate:
            # SHACL runs on every document graph of builds up to SHACL_SAMPLE documents and
            # on a deterministic sample (the SHACL_SAMPLE smallest document hashes) of larger
            # ones, always with the corpus graphs: pySHACL over millions of triples takes hours.
            if len(doc_ids) > SHACL_SAMPLE:
                # corpus graphs of big builds are millions of triples: only their part about
                # the sampled documents' nodes (ontology and chains in full)
                vdata = _shacl_sample(sample_nq, corpus_nq[:2], corpus_nq[2:3] + corpus_nq[4:],
                                      corpus_nq[3:4])
            else:
                vdata = "".join(sample_nq) + "".join(
                    nq.text() if isinstance(nq, _PartedFile) else nq for nq in corpus_nq)
            report.validated_documents = len(sample_nq)
        del sample_nq
        # kept as text for an update to compare: the small corpus graphs (the entities and
        # analysis graphs are compared key by key, from the state)
        corpus_sums = _save_corpus(out_dir, corpus_nq[:2] + corpus_nq[3:4]) if target is not None else {}
        kept = {_corpus_cache(out_dir, g) for g in corpus_sums}
        for f in _corpus_cache(out_dir, "x").parent.glob("*.nq"):
            if f not in kept:  # a graph this build keeps no text of (or no longer has)
                f.unlink(missing_ok=True)
        del corpus_nq
        _release_memory()
        from .derive import add_derived
        from .store_oxigraph import mark_union

        # Every graph so far went into the union copy as it was loaded: marked now, the
        # derivation reads that copy instead of Oxigraph's union view (half the triples).
        mark_union(st)
        t_derive = time.perf_counter()
        add_derived(st)  # kg.derive: closures and per-project summaries for the stored queries
        _TIMINGS["derive"] = time.perf_counter() - t_derive
        # Graphs added to the store by other means than the loader (derived helper graphs)
        # still go into graph.trig and the union.
        loader.sync_extra_graphs()
        _finish_staged(trig_tmp, trig_fh, out_dir / "graph.trig")
        from .store_oxigraph import mark_union

        mark_union(st)
        st.flush()

        pending_shacl = None
        if vdata is not None:
            pending_shacl = _in_fork(_validate, vdata) if workers > 1 else None
            if pending_shacl is None:
                shacl, secs = _validate(vdata)
                _TIMINGS["validate"] = secs
            del vdata
        write_union = union if union is not None else len(report.documents) <= UNION_TURTLE_MAX_DOCS
        file_names = {"trig": "graph.trig", "turtle": "graph.ttl", "shacl": "shacl-report.ttl"}
        if target is not None:
            # A kept store is compacted (beside the SHACL child): bulk loads leave RocksDB
            # files that overlap, so every look-up of a query read several of them. At
            # 10,000 documents: 110 s, 11 -> 7.8 GB, queries reading many rows 1.2-1.6x faster.
            t_compact = time.perf_counter()
            st.optimize()
            _TIMINGS["compact"] = time.perf_counter() - t_compact
        if write_union:
            # Oxigraph writes the union beside the counts below (it releases the GIL). Not
            # beside the compaction: files it replaced while the union was read from them
            # were at times left on disk (RocksDB deletes them lazily, here after closing).
            pending_union = _stage_path_beside(out_dir / "graph.ttl", partial(
                _write_union_turtle, st, prefixes, out_dir / "graph.ttl", None, ()))
        counts = _store_stats(st)
        if pending_union is not None:
            staged.append(pending_union())
            pending_union = None
        if pending_shacl is not None:
            shacl, secs = pending_shacl()
            _TIMINGS["validate"] = secs
        if shacl is not None:
            report.conforms = shacl.conforms
            staged.append(_stage(out_dir / "shacl-report.ttl", shacl.report_turtle.encode("utf-8")))
        _commit_staged(staged)
        _save_trig_blocks(out_dir / "graph.trig", [loader.header_end, loader.blocks])
        if not write_union:
            # a union from an earlier, smaller build would no longer match graph.trig
            (out_dir / "graph.ttl").unlink(missing_ok=True)
        report.outputs = {role: str(out_dir / file_names[role]) for role in file_names
                          if (role != "shacl" or shacl is not None)
                          and (role != "turtle" or write_union)}
        if store and parse_store_spec(store)[0] == "sparql":
            from .store_remote import load_remote_from_file

            # graph.trig holds exactly the named graphs: streaming it (parse + N-Quads
            # writing, ~1.3 us a quad) is several times faster than dumping each graph back
            # out of the store (~8.6 us a quad at 10,000 documents)
            load_remote_from_file(store, out_dir / "graph.trig")
            report.outputs["sparql"] = store
        del st
        if target is not None:
            _swap_in(tmp_root / "store", target)
            report.outputs["oxigraph"] = str(target)
            state.commit_to(state_path(out_dir), _state_fingerprint(), _vocabulary_key(), n_conflicts)
            state = None
            _write_manifest(out_dir, target, doc_ids, corpus_sums, counts, regions_made,
                            _union_record(out_dir / "graph.ttl", prefixes) if write_union else None)
    finally:
        if state is not None:  # the build failed: no state, no build record
            state.close()
            state.path.unlink(missing_ok=True)
        if loader is not None:
            loader.abandon()  # no load may still write into the store removed below
        if pending_union is not None:  # nor the union's writer read it
            with contextlib.suppress(Exception):
                Path(pending_union()[0]).unlink(missing_ok=True)
        if trig_fh is not None and not trig_fh.closed:
            trig_fh.close()
        for tmp, _p in staged:  # left over only when the build failed before the renames
            Path(tmp).unlink(missing_ok=True)
        shutil.rmtree(tmp_root, ignore_errors=True)
    # With workers > 1 validation overlaps this stage ("store" is the wall time from the
    # end of the analyses to the end of the build).
    _TIMINGS["store"] = time.perf_counter() - t
    counts["remapped"] = remapped
    _save_mapped_index(mcache, digests, names, sources, last, changed)
    return shacl, n_conflicts, counts


#: Bytes of document N-Quads per bulk load (each sent twice: named graph and default graph).
#: The loader holds ~4x what it is given, and LOAD_THREADS loads run at once. Loads of
#: 8-16 MB went in as fast as loads of 32 MB, or faster (3M quads: 23 s against 30 s).
LOAD_BATCH_BYTES = 16_000_000
#: Bulk loads in flight at once in a build (:class:`_StreamLoader`). One load keeps one core
#: busy; two loads of 3M quads beside each other took 50-58 s against 76-80 s in turn.
LOAD_THREADS = 2
#: Loads of at most this many bytes of N-Quads go into the store of an in-place update in
#: one transaction rather than through the bulk loader (:class:`_StreamLoader`).
SMALL_LOAD_BYTES = 16_000_000
#: Bytes of a corpus graph kept in a file (entities, analysis) per bulk load. Oxigraph's
#: bulk loader holds several times what one load is given: at 10,000 documents these
#: graphs in 32 MB loads took the build's memory up by ~1.1 GB, in 8 MB loads by ~0.35 GB,
#: in about the same time.
FILE_SLICE_BYTES = 8_000_000


class _StreamLoader:
    """Loads N-Quads text of whole named graphs into an Oxigraph store in bounded batches,
    each triple also into the default graph (so that it holds the union of the named
    graphs, duplicates collapsing), and appends the same graphs to an open TriG file
    (serialised by Oxigraph, one prefix header at the top).

    A batch's bulk load runs in a background thread (pyoxigraph releases the GIL while it
    loads) while this thread writes the batch's TriG and takes in the next documents; at
    most :data:`LOAD_THREADS` loads are in flight. :meth:`flush` returns once the store holds everything
    queued; call :meth:`abandon` on the way out of a failed build. With
    ``background=False`` every load runs in the calling thread."""

    def __init__(self, store, trig_fh, prefixes: dict[str, str], *, background: bool = True,
                 small_loads: bool = False, track_blocks: bool = False):
        import pyoxigraph as ox

        self.store, self.fh, self.prefixes = store, trig_fh, prefixes
        self.small_loads = small_loads
        self.graphs: set[str] = set()
        self.seconds = 0.0
        self.background = background
        self._pending: list = []  # a wait function (_in_thread) per bulk load in flight, oldest first
        self._named: list[str] = []
        self._mirrored: list[str] = []
        self._trig: list[str] = []  # named graphs for the TriG file, written whole
        self._parted: list = []  # graphs written to the TriG file in parts (text or files)
        self.tmp_dir: Path | None = None  # for the files of graphs in parts (default: TMPDIR)
        self._size = 0
        probe = ox.serialize([ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"),
                                      ox.NamedNode("urn:x:o"), ox.NamedNode("urn:x:g"))],
                             format=ox.RdfFormat.TRIG, prefixes=prefixes)
        self._header = b"".join(line for line in probe.splitlines(keepends=True)
                                if line.startswith(b"@prefix"))
        trig_fh.write(self._header)
        # with track_blocks, where each graph block goes in the TriG file (for
        # _save_trig_blocks: the first update then need not scan the file for them)
        self.header_end = trig_fh.tell() if track_blocks else 0
        self.blocks: list | None = [] if track_blocks else None

    @staticmethod
    def _graph_of(nq: str) -> str:
        first = nq[:nq.index("\n")]
        return first[first.rindex(" <") + 2:-3]

    def add(self, nq: str, *, named: bool = True) -> None:
        """Queue the N-Quads of one named graph (every line in that graph) for the store,
        its default graph and the TriG file; with ``named=False`` for the TriG file only.

        A graph's two copies go into the same bulk load: Oxigraph scopes blank node labels
        to one load, so that is what keeps them the same nodes in both."""
        if not nq:
            return
        if isinstance(nq, _PartedFile):
            self._add_file(nq)
            return
        g = self._graph_of(nq)
        self.graphs.add(g)
        if g in _parted_graphs():
            self._parted.append(nq)
        elif named:
            self._trig.append(nq)
        else:
            self._mirrored.append(nq)
        if not named:
            self._size += len(nq)
        elif len(nq) <= LOAD_BATCH_BYTES or "_:" in nq:
            self._named.append((nq, g))
            self._size += len(nq)
        else:
            # A corpus graph of hundreds of megabytes goes in in batches of the usual size
            # (Oxigraph's loader holds several times what one load is given); without blank
            # nodes nothing ties its lines to one load.
            for piece in _Payload.slices(nq, LOAD_BATCH_BYTES):
                self._named.append((piece, g))
                self._size += len(piece)
                if self._size >= LOAD_BATCH_BYTES:
                    self.flush(wait=False)
        if self._size >= LOAD_BATCH_BYTES:
            self.flush(wait=False)

    def _add_file(self, pf: _PartedFile) -> None:
        # a graph in parts: to the TriG file a part at a time, to the store in slices of
        # FILE_SLICE_BYTES (whole if it has blank nodes: their labels are scoped to one load)
        self.graphs.add(pf.graph)
        self._parted.append(pf)
        for piece in ([pf.text()] if pf.blank else pf.slices(FILE_SLICE_BYTES)):
            self._named.append((piece, pf.graph))
            self._size += len(piece)
            self.flush(wait=False)

    def _load(self, graphs: list) -> None:
        import pyoxigraph as ox

        def load() -> None:
            if self.small_loads and sum(len(text) for text, _g in graphs) <= SMALL_LOAD_BYTES:
                # one transaction: the bulk loader writes and syncs files of its own
                self.store.load(_Payload(graphs), format=ox.RdfFormat.N_QUADS, lenient=True)
            else:
                self.store.bulk_load(_Payload(graphs), format=ox.RdfFormat.N_QUADS, lenient=True)

        if not self.background:
            self._wait_load()
            load()
            return
        # Oxigraph's bulk loader keeps one core busy per load; a build's mapping workers wait
        # on it, so a second load runs beside (the store takes loads in any order). At most
        # LOAD_THREADS in flight: memory stays bounded.
        while len(self._pending) >= LOAD_THREADS:
            self._wait_oldest()
        self._pending.append(_in_thread(load, "chainkg-bulk-load"))

    def _wait_oldest(self) -> None:
        self._pending.pop(0)()

    def _wait_load(self) -> None:
        while self._pending:
            self._wait_oldest()

    def abandon(self) -> None:
        """Wait for the loads in flight and drop their outcome (a failed build is cleaning up)."""
        for wait in self._pending:
            with contextlib.suppress(BaseException):
                wait()
        self._pending = []

    def flush(self, wait: bool = True) -> None:
        """Send the queued graphs to the store and the TriG file; with ``wait`` (the
        default) return only when the store holds them."""
        import time

        import pyoxigraph as ox

        if not self._size:
            if wait:
                t = time.perf_counter()
                self._wait_load()
                self.seconds += time.perf_counter() - t
            return
        t = time.perf_counter()
        parted = self._parted
        if self._named:
            self._load(self._named)
        named = "".join(self._trig).encode("utf-8")
        self._named, self._trig, self._parted = [], [], []
        if self._mirrored:
            named += "".join(self._mirrored).encode("utf-8")
            self._mirrored = []
        # Re-parsed (strictly) and written by Oxigraph: several times faster than dumping
        # the store afterwards, and the default graph (the union copy) stays out of the file.
        chunk = ox.serialize(ox.parse(named, format=ox.RdfFormat.N_QUADS),
                             format=ox.RdfFormat.TRIG, prefixes=self.prefixes)
        del named
        self._write(chunk[len(self._header):] if chunk.startswith(self._header) else chunk)
        for nq in parted:
            if isinstance(nq, _PartedFile):
                blocks = (_part_block(k, text, self.prefixes) for k, text in nq.parts())
            else:
                blocks = _iter_trig_parts(nq, self.prefixes)
            for block in blocks:
                self._write(block)
        self._size = 0
        if wait:
            self._wait_load()
        self.seconds += time.perf_counter() - t

    def _write(self, data: bytes) -> None:
        """Append whole graph blocks of TriG (no prefix lines) to the file."""
        if self.blocks is not None:
            at = self.fh.tell()
            self.blocks.extend((at + a, at + b, head, k) for a, b, head, k in _trig_blocks(data)[1])
        self.fh.write(data)

    def sync_extra_graphs(self) -> None:
        """Add the named graphs of the store that did not come through :meth:`add` (a
        helper graph computed in the store) to the union copy and the TriG file."""
        import tempfile

        import pyoxigraph as ox

        from .ns import GRAPH
        from .store_oxigraph import UNION_MARK, bulk_extend_chunked

        self.flush()
        mark = str(GRAPH[UNION_MARK])
        for g in sorted(x.value for x in self.store.named_graphs() if isinstance(x, ox.NamedNode)):
            if g in self.graphs or g == mark:
                continue
            node = ox.NamedNode(g)
            # the same terms (blank nodes too) into the default graph, as materialize_union;
            # the graph is read twice rather than held as quad objects (millions at scale)
            bulk_extend_chunked(self.store, (
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in self.store.quads_for_pattern(None, None, None, node)))
            if g not in _parted_graphs():
                self.add(ox.serialize(self.store.quads_for_pattern(None, None, None, node),
                                      format=ox.RdfFormat.N_QUADS).decode("utf-8"), named=False)
                continue
            # a graph written in parts goes through a file beside the TriG file
            with tempfile.TemporaryDirectory(prefix=".parts.", dir=self.tmp_dir) as tmp:
                pf = _PartedFile.from_quads(self.store.quads_for_pattern(None, None, None, node),
                                            Path(tmp) / "graph.nq", g)
                if pf:
                    self.graphs.add(g)
                    self._parted.append(pf)
                    self._size += pf.starts[-1]
                    self.flush()
        self.flush()


class _Payload:
    """A readable binary file over the N-Quads of whole named graphs ``[(text, graph IRI)]``
    for one bulk load: the graphs as they are, then each again in the default graph (the
    union copy). Encoded a slice at a time as Oxigraph reads, so a batch (or a corpus graph
    of hundreds of megabytes) is never joined, copied for its union lines and encoded whole."""

    SLICE = 1 << 22  # characters encoded at a time, cut at a line end

    def __init__(self, graphs: list) -> None:
        self._chunks = self._encode(graphs)
        self._buf = b""
        self._at = 0

    @classmethod
    def slices(cls, text: str, size: int = 0):
        """``text`` in pieces of about ``size`` characters (default :attr:`SLICE`), each
        ending at a line end."""
        size = size or cls.SLICE
        i, n = 0, len(text)
        while i < n:
            j = text.find("\n", min(i + size, n) - 1)
            j = n if j < 0 else j + 1
            yield text[i:j]
            i = j

    @classmethod
    def _encode(cls, graphs: list):
        for text, _g in graphs:
            for part in cls.slices(text):
                yield part.encode("utf-8")
        for text, g in graphs:
            tail = f" <{g}> .\n"
            for part in cls.slices(text):
                yield part.replace(tail, " .\n").encode("utf-8")

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            rest = self._buf[self._at:] + b"".join(self._chunks)
            self._buf, self._at = b"", 0
            return rest
        while self._at >= len(self._buf):
            nxt = next(self._chunks, None)
            if nxt is None:
                return b""
            self._buf, self._at = nxt, 0
        out = self._buf[self._at:self._at + size]
        self._at += len(out)
        return out


class _PartedFile:
    """The N-Quads of one corpus graph in a file, in part order (:func:`_in_parts`), with
    where each part starts: a graph of hundreds of megabytes goes to the store a slice at
    a time and to ``graph.trig`` a part at a time without being held as text."""

    def __init__(self, path: Path, graph: str, starts: list[int], blank: bool) -> None:
        self.path, self.graph, self.starts, self.blank = path, graph, starts, blank

    @classmethod
    def write(cls, path: Path, graph: str, parts) -> _PartedFile:
        """Write ``parts`` (``(part, text)`` in part order) to ``path``."""
        sizes = [0] * TRIG_PARTS
        blank = False
        with open(path, "wb") as fh:
            for k, text in parts:
                blank = blank or "_:" in text
                data = text.encode("utf-8")
                fh.write(data)
                sizes[k] += len(data)
        starts = [0]
        for n in sizes:
            starts.append(starts[-1] + n)
        return cls(path, graph, starts, blank)

    @classmethod
    def from_quads(cls, quads, path: Path, graph: str) -> _PartedFile:
        """The pyoxigraph ``quads`` of ``graph`` written to ``path`` grouped by part (within a
        part in the order they come; not sorted): a graph in the store goes to ``graph.trig``
        a part at a time, never held as text (the derived graph of 10,000 documents is 227M
        characters of N-Quads)."""
        from array import array

        import pyoxigraph as ox

        raw = path.with_name(path.name + ".raw")
        ox.serialize(quads, output=str(raw), format=ox.RdfFormat.N_QUADS)
        try:
            # where each part's lines are: (offset, length) runs, consecutive lines merged
            offs = [array("q") for _ in range(TRIG_PARTS)]
            lens = [array("q") for _ in range(TRIG_PARTS)]
            pos = 0
            with open(raw, "rb") as fh:
                for line in fh:
                    k = zlib.crc32(line[:line.index(b" ")]) % TRIG_PARTS  # as _part()
                    o, n = offs[k], lens[k]
                    if o and o[-1] + n[-1] == pos:
                        n[-1] += len(line)
                    else:
                        o.append(pos)
                        n.append(len(line))
                    pos += len(line)
            blank = False
            starts = [0]
            with open(raw, "rb") as src, open(path, "wb") as out:
                for k in range(TRIG_PARTS):
                    for o, n in zip(offs[k], lens[k], strict=True):
                        src.seek(o)
                        data = src.read(n)
                        blank = blank or b"_:" in data
                        out.write(data)
                    starts.append(starts[-1] + sum(lens[k]))
        finally:
            raw.unlink(missing_ok=True)
        return cls(path, graph, starts, blank)

    def __bool__(self) -> bool:
        return self.starts[-1] > 0

    def slices(self, size: int):
        """The text in pieces of about ``size`` bytes, each ending at a line end."""
        with open(self.path, "rb") as fh:
            rest = b""
            while True:
                data = fh.read(size)
                if not data:
                    break
                data = rest + data
                cut = data.rfind(b"\n") + 1
                rest = data[cut:]
                if cut:
                    yield data[:cut].decode("utf-8")
            if rest:
                yield rest.decode("utf-8")

    def parts(self):
        """``(part, text)`` for every part that holds lines, in part order."""
        with open(self.path, "rb") as fh:
            for k in range(TRIG_PARTS):
                a, b = self.starts[k], self.starts[k + 1]
                if b > a:
                    fh.seek(a)
                    yield k, fh.read(b - a).decode("utf-8")

    def lines(self):
        with open(self.path, encoding="utf-8", newline="\n") as fh:
            yield from fh

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _open_staged(p: Path):
    """A temporary file beside ``p`` opened for binary writing: ``(path, file)``; commit it
    with :func:`kg.store._commit_staged` after closing (:func:`_finish_staged`). Where an
    earlier update left a spare (:func:`_retire`), the temporary file is that spare, written
    over from its start: its blocks are reused, not allocated again."""
    import tempfile

    from .store import _TMP_SUFFIX

    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=_TMP_SUFFIX, dir=p.parent)
    spare = _spare_path(p)
    if _spares_on() and spare.is_file():
        try:
            os.replace(spare, tmp)  # now a staged file: one left by a failed build is removed
            os.close(fd)
            fd = os.open(tmp, os.O_WRONLY)
        except OSError:
            pass  # the empty temporary file, as without a spare
    return tmp, os.fdopen(fd, "wb")


def _finish_staged(tmp: str, fh, p: Path) -> None:
    """Flush, cut at what was written (a spare written over may be longer), fsync and close
    a file from :func:`_open_staged` and give it ``p``'s mode."""
    from .store import _target_mode

    fh.flush()
    fh.truncate()
    os.fsync(fh.fileno())
    fh.close()
    os.chmod(tmp, _target_mode(p))


#: A replaced ``graph.trig`` at least this big is kept as a spare (``.graph.trig.spare``)
#: that the next build writes over instead of a new file (see :func:`_retire`).
SPARE_MIN_BYTES = 64 * 2**20


def _spare_path(p: Path) -> Path:
    return p.parent / f".{p.name}.spare"


def _spares_on() -> bool:
    """Spares are kept unless ``CHAINKG_SPARE=off`` (then a spare left is removed)."""
    return os.environ.get("CHAINKG_SPARE", "").strip().lower() not in ("off", "0", "no", "false")


def _retire(old: str | None, p: Path) -> None:
    """The second name of the file ``p`` replaced (:func:`_link_aside`): kept as ``p``'s
    spare when it is big, else removed in a thread (:func:`_unlink_later`).

    An update of a 10,000-document store rewrites ``graph.trig`` (1.4 GB): freeing the old
    file's blocks took ~0.25 s, and allocating the new file's blocks made every other write
    of the update (the store's, the state's) wait behind it when they synced. Written over,
    the spare's blocks are neither freed nor allocated: the update took 2.7-2.8 s without a
    spare, 2.2-2.3 s with one. The price is the spare's disk space, one more ``graph.trig``;
    deleting it is always safe, and ``CHAINKG_SPARE=off`` keeps none."""
    if old is None:
        return
    spare = _spare_path(p)
    if not _spares_on():
        _unlink_later(str(spare) if spare.exists() else None)
        _unlink_later(old)
        return
    try:
        big = os.stat(old).st_size >= SPARE_MIN_BYTES
        if big:
            os.replace(old, spare)
    except OSError:
        big = False
    if not big:
        _unlink_later(old)


def _mapped_in_order(plan, mcache: Path, workers: int, nquads: bool | set = True):
    """The mapped documents of ``plan`` (``(doc_id, job or None)``), in plan order: jobs
    are mapped by :func:`_map_one` in ``workers`` processes, ``None`` entries read from the
    cache. At most a bounded window of results is pending at any time, so memory does not
    grow with the corpus. With ``nquads=False`` cached entries come without their N-Quads
    (``None``); with a set of document ids, only those come with them."""
    from collections import deque

    def cached(doc_id: str) -> tuple:
        want = doc_id in nquads if isinstance(nquads, set) else nquads
        return _cached(mcache, doc_id, want)

    if workers <= 1 or sum(1 for _d, j in plan if j is not None) <= 1:
        for doc_id, job in plan:
            yield _map_one(job) if job is not None else cached(doc_id)
        return
    from concurrent.futures import ProcessPoolExecutor

    window = max(8, 24 * workers)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        todo = iter(plan)

        def submit_next() -> bool:
            nxt = next(todo, None)
            if nxt is None:
                return False
            doc_id, job = nxt
            pending.append((doc_id, pool.submit(_map_one, job) if job is not None else None))
            return True

        while len(pending) < window and submit_next():
            pass
        while pending:
            doc_id, fut = pending.popleft()
            submit_next()
            yield fut.result() if fut is not None else cached(doc_id)


def _cached(mcache: Path, doc_id: str, nquads: bool = True) -> tuple:
    hit = _load_mapped(mcache / f"{doc_id}.pickle", nquads=nquads)
    if hit is None:  # pragma: no cover - removed between the check and the read
        raise KGError(f"the mapping cache of document {doc_id} vanished during the build",
                      hint="run the build again without --update")
    return hit


def _shacl_sample(sample: list[str], full: list[str], restricted: list[str],
                  upward: list[str] = (), *, full_apart: bool = False) -> str:
    """The SHACL input of a big build or an update: the sampled document graphs, the
    ``full`` graphs, of each ``restricted`` graph the nodes that are subjects in the sample
    plus the nodes (analysis findings) that point at one of them, with all their triples,
    and of each ``upward`` graph (the regions) the nodes named in all that, with the nodes
    they are ``kg:locatedIn`` (transitively) and all their triples: validating every
    region of the corpus took most of an update's SHACL time. With ``full_apart`` the
    ``full`` graphs are left out of the text returned (given to SHACL apart, see
    :func:`_shacl_prepare`); the rest is the same."""
    import re

    from .ns import KG

    def split(line: str) -> tuple[str, str]:
        s, _p, rest = line.split(" ", 2)
        return s, rest[:rest.rindex(" <")]  # the object (the graph name comes last)

    nodes = {line.split(" ", 1)[0] for nq in sample for line in nq.splitlines()}
    parts = [*sample, *full]
    for nq in restricted:  # N-Quads text, or a _PartedFile (read twice, never held)
        keep = set(nodes)
        keep.update(s for s, o in map(split, _lines(nq)) if o in nodes)
        parts.append("".join(line for line in _lines(nq) if line.split(" ", 1)[0] in keep))
    if upward:
        within = f"<{KG.locatedIn}>"
        text = "".join(parts)
        for nq in upward:
            lines = nq.splitlines(keepends=True)
            # the IRIs named in all that which could be nodes of this graph: those under the
            # folders of its subjects' IRIs (a scan for every IRI of the ontology and chain
            # graphs took 0.15 s of an update)
            folders = sorted({line[:line.index(" ")].rsplit("/", 1)[0] + "/" for line in lines})
            named = set(re.findall("(?:" + "|".join(map(re.escape, folders)) + r")[^>\s]*>", text)) \
                if folders else set()
            up: dict[str, list[str]] = {}
            for line in lines:
                s, p, rest = line.split(" ", 2)
                if p == within:
                    up.setdefault(s, []).append(rest[:rest.rindex(" <")])
            keep = {line.split(" ", 1)[0] for line in lines} & named
            todo = list(keep)
            while todo:
                for o in up.get(todo.pop(), ()):
                    if o not in keep:
                        keep.add(o)
                        todo.append(o)
            parts.append("".join(line for line in lines if line.split(" ", 1)[0] in keep))
    if full_apart:
        del parts[len(sample):len(sample) + len(full)]
    return "".join(parts)


def _graph_difference(st, graph: str, lines) -> tuple[list, str]:
    """What turns the named graph ``graph`` of store ``st`` into the N-Quads ``lines``:
    ``(quads to remove, N-Quads to load)``. Both sides are compared as the store holds
    them (literals in canonical form)."""
    import pyoxigraph as ox

    mem = ox.Store()
    mem.bulk_load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    g = ox.NamedNode(graph)
    new = set(mem.quads_for_pattern(None, None, None, g))
    del mem
    now = set(st.quads_for_pattern(None, None, None, g))
    added = sorted(new - now, key=str)
    return sorted(now - new, key=str), (
        ox.serialize(added, format=ox.RdfFormat.N_QUADS).decode("utf-8") if added else "")


def _release_memory() -> None:
    """Hand the heap pages freed so far back to the system. glibc's malloc keeps them for
    reuse otherwise (per thread, and the store's bulk loads run in threads), so the
    resident size of a big build only ever grew; a no-op elsewhere."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        pass


def _lines(nq):
    """The lines (line ends kept) of N-Quads text or of a :class:`_PartedFile`."""
    return nq.lines() if isinstance(nq, _PartedFile) else iter(nq.splitlines(keepends=True))


def _validate(nquads: str):
    """SHACL validation of an N-Quads dataset: ``(ValidationReport, seconds)``.

    What :func:`kg.validate.validate_graph` checks of a dataset is the union of its graphs
    (the ontology and chain graphs included), so the lines are parsed into one graph
    without their graph names: an rdflib Dataset and its copy as that union took twice
    the memory (~0.9 GB for the sample of a 10,000-document build)."""
    import time

    from .validate import validate_graph

    t = time.perf_counter()
    return validate_graph(_union_graph(nquads), scratch=True), time.perf_counter() - t


def _union_graph(nquads: str, into=None):
    """The triples of N-Quads text added to ``into`` (a new rdflib Graph by default), their
    graph names dropped: parsed by Oxigraph and converted (rdflib's own N-Triples parser
    took ~1.6x as long)."""
    import pyoxigraph as ox
    from rdflib import Graph

    from .store_oxigraph import to_rdflib

    data = Graph() if into is None else into
    data.addN((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), data)
              for q in ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    return data


def _shacl_prepare(vocabularies: list[str]) -> tuple:
    """The part of an update's SHACL that needs nothing of the update: pySHACL imported, the
    shapes read and the vocabulary graphs (ontology, chains) parsed into the data graph."""
    import time

    import pyshacl  # noqa: F401 - imported now, not when the sample comes

    from .validate import load_shapes

    t = time.perf_counter()
    return _union_graph("".join(vocabularies)), load_shapes(), time.perf_counter() - t


def _shacl_finish(prepared: tuple, rest: str):
    """:func:`_validate` of the vocabulary graphs :func:`_shacl_prepare` parsed and ``rest``
    (the same report); the seconds count both parts."""
    import time

    from .validate import validate_graph

    data, shapes, seconds = prepared
    t = time.perf_counter()
    report = validate_graph(_union_graph(rest, into=data), shapes, scratch=True)
    return report, seconds + time.perf_counter() - t


_FORK_INPUT: list = []


def _fork_entry():
    fn, arg = _FORK_INPUT[0]
    return fn(arg)


#: Holders of :func:`_freeze` in this process.
_FROZEN = [0]


def _freeze() -> None:
    """Move every object this process holds out of the garbage collector's reach (see
    :func:`gc.freeze`) until the matching :func:`_thaw`. Big structures a build reads and
    keeps (the file and mapped indexes of 10,000 documents: millions of objects) are
    otherwise walked by the next collections, whatever code they fall in (a loop over the
    files took 0.11 s instead of 0.02)."""
    import gc

    gc.freeze()
    _FROZEN[0] += 1


def _thaw() -> None:
    import gc

    _FROZEN[0] = max(0, _FROZEN[0] - 1)
    if not _FROZEN[0]:
        gc.unfreeze()


def _in_fork(fn, arg):
    """Run ``fn(arg)`` in a forked process (the argument is inherited, not pickled); return a
    function that waits for and returns the result, or ``None`` where fork is unavailable."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in mp.get_all_start_methods():
        return None
    _FORK_INPUT[:] = [(fn, arg)]
    # Frozen until the child is done, the objects of the time of the fork are outside the
    # garbage collections of both processes, which would otherwise write to (and so copy)
    # every page holding one (a fork of a 3M-object heap: 580 MB of the child's pages
    # copied without, 26 MB with).
    _freeze()
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"))
        future = pool.submit(_fork_entry)  # the child is forked here and inherits the input
    except BaseException:
        _thaw()
        raise
    finally:
        _FORK_INPUT.clear()

    def wait():
        try:
            return future.result()
        finally:
            pool.shutdown()
            _thaw()

    return wait


class _FedFork:
    """A forked process that runs ``prepare(arg)`` at once and ``finish(prepared, more)``
    when :meth:`feed` hands it ``more``: work that needs nothing of ``more`` is done beside
    the parent's. :meth:`cancel` instead ends it without finishing (``wait`` returns None);
    one of the two must be called, then ``wait``."""

    def __init__(self, wait, conn) -> None:
        self.wait = wait
        self._conn = conn

    @classmethod
    def start(cls, prepare, finish, arg) -> _FedFork | None:
        import multiprocessing as mp

        receiver, sender = mp.get_context("fork").Pipe(duplex=False)
        wait = _in_fork(_fed_entry, (prepare, finish, arg, receiver, sender))
        receiver.close()  # the child's copy stays open
        if wait is None:
            sender.close()
            return None
        return cls(wait, sender)

    @staticmethod
    def _send(conn, message: tuple) -> None:
        try:
            conn.send(message)
        except OSError:  # the child is gone: wait() says why
            pass
        finally:
            conn.close()

    def feed(self, more) -> None:
        """Hand ``more`` to the child, from a thread: the pipe takes 64 KB at a time, and a
        child still preparing would hold this process up until it reads."""
        import threading

        conn, self._conn = self._conn, None
        if conn is not None:
            threading.Thread(target=self._send, args=(conn, ("feed", more)), daemon=True,
                             name="chainkg-feed").start()

    def cancel(self) -> None:
        # said, not signalled by closing the pipe: other processes forked meanwhile hold a
        # copy of its end, and the child would never read the end of it
        conn, self._conn = self._conn, None
        if conn is not None:
            self._send(conn, ("cancel", None))
            with contextlib.suppress(Exception):  # its result or failure is not wanted
                self.wait()


def _fed_entry(args):
    prepare, finish, arg, conn, parent_end = args
    parent_end.close()
    prepared = prepare(arg)
    try:
        what, more = conn.recv()
    except EOFError:  # the parent ended without a word
        return None
    finally:
        conn.close()
    return finish(prepared, more) if what == "feed" else None


def _stage_path(p: Path, write: Callable[[str], None]) -> tuple[str, Path]:
    """Like :func:`kg.store._stage`, but ``write(path)`` writes the temporary file itself."""
    import tempfile

    from .store import _TMP_SUFFIX, _target_mode

    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=_TMP_SUFFIX, dir=p.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _target_mode(p))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp, p


def _in_thread(fn: Callable[[], Any], name: str) -> Callable[[], Any]:
    """Run ``fn`` in a daemon thread (for work that releases the GIL: Oxigraph's loads and
    dumps); return a function that waits for it and returns its result, or raises its error."""
    import threading

    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - raised again by wait()
            outcome["error"] = exc

    th = threading.Thread(target=run, name=name, daemon=True)
    th.start()

    def wait() -> Any:
        th.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

    return wait


def _stage_path_beside(p: Path, write: Callable[[str], None]) -> Callable[[], tuple[str, Path]]:
    """:func:`_stage_path` in a thread (:func:`_in_thread`), for a ``write`` that releases
    the GIL (Oxigraph's ``Store.dump``)."""
    return _in_thread(partial(_stage_path, p, write), f"chainkg-write-{p.name}")


def _manifest_path(out: Path) -> Path:
    return out / ".cache" / "build.json"


def _read_manifest(out_dir: Path, target: Path) -> dict | None:
    """The record of the last build into ``out_dir`` if it wrote the store ``target`` and
    left ``graph.trig`` (what an in-place update needs); ``None`` otherwise."""
    import json

    try:
        m = json.loads(_manifest_path(out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(m, dict) or m.get("version") != MANIFEST_VERSION
            or m.get("store") != str(target.resolve()) or not target.is_dir()
            or not (out_dir / "graph.trig").is_file() or not isinstance(m.get("documents"), list)
            or not isinstance(m.get("corpus"), dict) or not isinstance(m.get("counts"), dict)):
        return None
    m["corpus_nq"] = _load_corpus(out_dir, m["corpus"])
    return m if m["corpus_nq"] is not None else None


def _write_manifest(out_dir: Path, target: Path, doc_ids, corpus: dict[str, str],
                    counts: dict, regions: dict | None = None, union: dict | None = None) -> None:
    """The build record an in-place update starts from: the store, the documents, the
    checksums of the corpus graphs kept in the cache (:func:`_save_corpus`), the counts,
    what the regions graph was made from (:func:`_regions_record`) and which ``graph.ttl``
    the build wrote (:func:`_union_record`)."""
    import json

    _write_cache_file(_manifest_path(out_dir), json.dumps(
        {"version": MANIFEST_VERSION, "store": str(target.resolve()), "documents": sorted(doc_ids),
         "corpus": corpus, "counts": counts, "regions": regions, "union": union}).encode("utf-8"))


def _union_record(path: Path, prefixes: dict[str, str]) -> dict | None:
    """What identifies the union ``graph.ttl`` a build has just written: its size and time
    of change, the prefixes and the Oxigraph that wrote it. An update patches the file only
    while all of them are the same (:func:`_write_union_turtle`)."""
    import pyoxigraph as ox

    try:
        info = path.stat()
    except OSError:
        return None
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "prefixes": prefixes,
            "writer": ox.__version__}


def _write_union_turtle(st, prefixes: dict[str, str], path: Path, record: dict | None,
                        subjects: set, tmp: str) -> None:
    """Write the union of ``st`` as Turtle to ``tmp`` (the one writer of ``graph.ttl``): by
    patching ``path``, the union the last build wrote, when ``record`` (:func:`_union_record`,
    ``None`` for a full build) says it is still that file
    (only the blocks of ``subjects``, those of the triples that entered or left the union,
    are written again: :func:`kg.store_oxigraph.patch_turtle_dump`); else the whole union
    out of the store (9.5 s of a 10.8 s update at 500 documents)."""
    import pyoxigraph as ox

    from .store_oxigraph import patch_turtle_dump

    if record is not None and record == _union_record(path, prefixes) \
            and patch_turtle_dump(path, tmp, st, subjects, prefixes):
        return
    st.dump(tmp, format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes)


def _regions_record(codes) -> dict:
    """What the regions graph (:func:`kg.mapping.map_regions`) is made from besides the
    mapping code: the documents' region codes and (a checksum of) the gazetteer's data
    files. An update keeps the graph the last build wrote while they are the same, and adds
    only the new codes' part when codes were only added (making it whole again took
    0.3-0.9 s at 10,000 documents)."""
    from .diskcache import _key
    from .regions import _places_inputs, places

    return {"data": _key(places, _places_inputs()), "codes": sorted(map(str, codes))}


#: Version of the build record; an update finding another one rebuilds in full.
MANIFEST_VERSION = 4


@lru_cache(maxsize=1)
def _state_fingerprint() -> str:
    """What the records of the corpus state (:mod:`kg.corpus_state`) of a build depend on
    besides the documents: the mapping code (:func:`_code_key`) and the code that makes the
    corpus graphs from the records. An update finding a state made with another one
    rebuilds in full."""
    from .diskcache import memo_by_files

    def compute() -> str:
        import hashlib
        import inspect

        from . import corpus_state

        h = hashlib.sha1(_code_key().encode("ascii"))
        for obj in (corpus_state, _entities_parts, _corpus_analysis_parts, _CorpusRecords):
            h.update(_code_shape(inspect.getsource(obj)).encode("utf-8"))
        return h.hexdigest()

    return memo_by_files("state fingerprint", _fingerprinted_files(), compute)


def _vocabulary_key() -> str:
    """A checksum of the ontology and chain vocabularies (every file of the ontology
    folder): the ontology and chains graphs and the 三未 rules come from them. An update
    after they changed makes those graphs again and every key's analysis. Kept while the
    files keep their size and modification time (:func:`kg.diskcache.memo_by_files`)."""
    import hashlib

    from .diskcache import memo_by_files
    from .resources import ontology_dir

    root = ontology_dir()
    files = sorted(f for f in root.rglob("*") if f.is_file())

    def compute() -> str:
        h = hashlib.sha1()
        for f in files:
            h.update(str(f.relative_to(root)).encode("utf-8") + b"\0" + f.read_bytes())
        return h.hexdigest()

    return memo_by_files("vocabulary key", files, compute)


#: The modules of the package that extraction runs (besides ``kg/extract/``); a test checks
#: that these are all it imports.
_EXTRACTION_MODULES = ("ingest.py", "formats.py", "lexicon.py", "model.py", "dates.py", "regions.py",
                       "lifecycle.py", "indicators.py", "resources.py", "diskcache.py", "errors.py",
                       "ns.py")  # (ns: the vocabularies' terms, read when their cache is cold)


def _extraction_inputs() -> tuple[list[Path], list[Path], list[Path]]:
    """``(code, data, vocabularies)``: the source files of extraction, the data files it
    reads whole (the lexicon tables, the chain vocabularies, the place names) and those
    it reads a part of (the life-cycle vocabularies: their milestone types)."""
    from .resources import chain_files, lexicon_dir, lifecycle_vocabulary_files, place_name_files

    here = Path(__file__).resolve().parent
    code = sorted((here / "extract").glob("*.py")) + [here / n for n in _EXTRACTION_MODULES]
    lexicon = Path(lexicon_dir())
    data = [*sorted(f for f in lexicon.rglob("*") if f.is_file()), *chain_files(), *place_name_files()]
    return code, [f for f in data if f.is_file()], [f for f in lifecycle_vocabulary_files() if f.is_file()]


def _extraction_key() -> str:
    """A fingerprint of what an extraction is made with: the code (its syntax trees, see
    :func:`_code_shape`), the data files and the milestone types of
    :func:`_extraction_inputs` (a changed stage order or 三未 rule is the mapping's and the
    analysis's business). The extractions cached by a build are reused by an update only
    while it stays the same: the cache is keyed by the documents' text. Kept while the
    files keep their size and modification time (:func:`kg.diskcache.memo_by_files`)."""
    import hashlib

    from .diskcache import memo_by_files

    code, data, vocabularies = _extraction_inputs()

    def compute() -> str:
        from .lifecycle import milestone_types

        h = hashlib.sha1()
        for f in code:
            h.update(f.name.encode("utf-8") + b"\0")
            h.update(_code_shape(f.read_text(encoding="utf-8")).encode("utf-8") if f.is_file() else b"")
        for f in data:
            h.update(b"\0" + f.name.encode("utf-8") + b"\0" + f.read_bytes())
        h.update(repr(milestone_types()).encode("utf-8"))
        return h.hexdigest()

    return memo_by_files("extraction key", [*code, *data, *vocabularies], compute)


def _extraction_key_path(out: Path) -> Path:
    return out / ".cache" / "extractions.key"


def _extractions_current(out: Path) -> bool:
    """Whether the extractions cached in ``out`` were made with this extraction code and
    data (:func:`_extraction_key`); not when no key was recorded."""
    try:
        return _extraction_key_path(out).read_text(encoding="ascii").strip() == _extraction_key()
    except (OSError, ValueError):
        return False


def _reference_dir(out: Path) -> Path:
    return out / ".cache" / "extractions.before"


def _extraction_reference(out: Path) -> Path | None:
    """The folder of the extractions the last build in ``out`` was made from, set aside
    for an update that extracts every document again (:func:`_changed_extractions`), or
    ``None`` when there are none. The folder of one that did not finish stays the reference
    (the mappings and the store are still those of the extractions in it)."""
    import shutil

    cache, before = _cache_dir(out), _reference_dir(out)
    if before.is_dir():
        shutil.rmtree(cache, ignore_errors=True)
        return before
    if not cache.is_dir():
        return None
    os.replace(cache, before)
    return before


def _changed_extractions(before: Path, now: Path, doc_ids) -> set[str]:
    """The documents of ``doc_ids`` with an extraction in ``before`` that differs from the
    one in ``now`` (the same bytes, or equal once read, are the same extraction)."""
    import pickle

    changed = set()
    for doc_id in doc_ids:
        name = f"{doc_id}.pickle"
        try:
            old = (before / name).read_bytes()
        except OSError:
            continue  # not in the last build: new, mapped anyway
        try:
            new = (now / name).read_bytes()
            if old != new and pickle.loads(old) != pickle.loads(new):
                changed.add(doc_id)
        except Exception:  # unreadable: mapped again
            changed.add(doc_id)
    return changed


#: Parts of a big corpus graph in ``graph.trig`` (entities, analysis, derived): the triples
#: of a subject go to the block of part ``crc32(subject) % TRIG_PARTS``, marked by a comment
#: line after the block's header, so that an update rewrites only the parts it changes.
TRIG_PARTS = 1024
_PART_MARK = b"# part "


def _parted_graphs() -> frozenset[str]:
    from .ns import ANALYSIS_GRAPH, DERIVED_GRAPH, ENTITIES_GRAPH

    return frozenset(str(g) for g in (ENTITIES_GRAPH, ANALYSIS_GRAPH, DERIVED_GRAPH))


def _part(subject: str) -> int:
    """The part of a subject, given in N-Triples (``<iri>`` or ``_:label``)."""
    import zlib

    return zlib.crc32(subject.encode("utf-8")) % TRIG_PARTS


def _trig_parts(quads, prefixes: dict[str, str]) -> bytes:
    """TriG of one graph's ``quads`` (N-Quads text, or pyoxigraph quads) in parts (see
    :data:`TRIG_PARTS`), in part order, without the prefix header."""
    return b"".join(_iter_trig_parts(quads, prefixes))


def _iter_trig_parts(quads, prefixes: dict[str, str]):
    """The blocks of :func:`_trig_parts`, one part at a time."""
    if isinstance(quads, str):
        # N-Quads text is split by its lines' first term (the subject as N-Triples writes
        # it, which is what str() of a parsed subject gives): no quad objects for the
        # millions of quads of a big corpus graph, each part parsed only when written
        spans = _nquads_parts(quads)
        for k in sorted(spans):
            yield _part_block(k, "".join(quads[a:b] for a, b in spans.pop(k)), prefixes)
        return
    parts: dict[int, list] = {}
    for q in quads:
        parts.setdefault(_part(str(q.subject)), []).append(q)
    for k in sorted(parts):
        yield _part_block(k, parts.pop(k), prefixes)


def _part_block(k: int, quads, prefixes: dict[str, str]) -> bytes:
    head, _, body = _trig_chunk(quads, prefixes).partition(b"\n")
    return b"%s\n%s%d\n%s" % (head, _PART_MARK, k, body)


def _nquads_parts(text: str) -> dict[int, list[tuple[int, int]]]:
    """``{part: [(start, end), ...]}``: the character ranges of the lines of the N-Quads
    ``text`` whose subject falls in that part (:func:`_part`), in text order; ranges of
    consecutive lines of one part are merged (sorted text keeps a subject's lines together)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    n = len(text)
    pos = 0
    subject, part = None, 0
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl + 1
        sp = text.find(" ", pos, end)
        if sp > pos:
            s = text[pos:sp]
            if s != subject:
                subject, part = s, _part(s)
            got = spans.get(part)
            if got is not None and got[-1][1] == pos:
                got[-1] = (got[-1][0], end)
            elif got is None:
                spans[part] = [(pos, end)]
            else:
                got.append((pos, end))
        pos = end
    return spans


def _trig_chunk(quads, prefixes: dict[str, str]) -> bytes:
    """TriG of ``quads`` (N-Quads text or pyoxigraph quads) without the prefix header, to
    append to a ``graph.trig`` written with the same ``prefixes``."""
    import pyoxigraph as ox

    if isinstance(quads, str):
        quads = ox.parse(quads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    chunk = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes)
    end = 0
    while chunk.startswith(b"@prefix", end):
        end = chunk.index(b"\n", end) + 1
    return chunk[end:]


def _graph_header(iri: str, prefixes: dict[str, str]) -> bytes:
    """The header line of the graph ``iri``'s blocks in a TriG file written with ``prefixes``."""
    import pyoxigraph as ox

    probe = ox.serialize([ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"),
                                  ox.NamedNode("urn:x:o"), ox.NamedNode(iri))],
                         format=ox.RdfFormat.TRIG, prefixes=prefixes)
    return next(line for line in probe.splitlines(keepends=True) if line.endswith(b" {\n"))


class _TrigCopy:
    """The first part of rewriting ``graph.trig`` in an update (:func:`_rewrite_trig`): the
    prefix lines and the blocks of the document graphs that stay (all but those named in
    ``drop``) copied into a staged file and flushed to disk — with ``background``, in a
    thread while the update works out the rest (the copy is ~1.3 GB at 10,000 documents,
    its flush to disk as long again). The corpus graphs' blocks are left to
    :func:`_rewrite_trig`: the update may still change them. With ``docs=False`` only the
    prefix lines are written. A copy may start before the update knows which documents it
    replaces (:func:`_start_trig_copy`): :meth:`result` takes those out afterwards.

    Without ``drop``, unless blanked space makes up more than :data:`TRIG_COMPACT_SHARE`
    of the file, the whole file is staged as it is instead (``mode == "keep"``): the update
    then blanks the blocks it replaces and appends the new ones (:func:`_rewrite_trig`), and
    records what it did. Where the staged file is the spare (:func:`_retire`) — the file as
    the last update found it — redoing that record makes it the current file: a few
    megabytes written instead of 1.3 GB copied."""

    def __init__(self, path: Path, prefixes: dict[str, str], drop: set[str], *,
                 docs: bool = True, background: bool = False):
        # what the thread needs, imported here: a pool may fork while it runs
        import mmap  # noqa: F401
        import pickle  # noqa: F401
        import threading

        from . import ns  # noqa: F401

        self.path = path
        self.tmp, self.fh = _open_staged(path)
        self._prefixes, self._drop, self._docs = prefixes, drop, docs
        self.mode = "compact"  # or "keep"
        self.stamp: tuple | None = None  # (size, mtime, inode) of the file copied
        self.spare_used = False  # kept: made from the spare, not copied whole
        self._out: tuple | None = None
        self._copied: list = []  # the old file's blocks copied, in the order of the copy
        self._error: BaseException | None = None
        self._thread = None
        self.claimed = False  # taken by an update, which finishes or discards it
        if background:
            self._thread = threading.Thread(target=self._run, name="graph.trig copy", daemon=True)
            self._thread.start()
        else:
            self._run()

    def _run(self) -> None:
        import mmap
        from contextlib import nullcontext

        try:
            from .ns import document_iri

            prefixes = self._prefixes
            skip = {_graph_header(g, prefixes) for g in self._drop}
            head = None
            if self._docs:
                probe = _graph_header(str(document_iri("0" * 8)), prefixes)
                head = probe[:probe.index(b"0" * 8)]
            with self.path.open("rb") as src:
                st = os.fstat(src.fileno())
                size = st.st_size
                self.stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
                with (mmap.mmap(src.fileno(), 0, access=mmap.ACCESS_READ) if size else
                      nullcontext(b"")) as mm:
                    index = _load_trig_index(self.path)
                    header_end, blocks, journal = index or (*_trig_blocks(mm), None)
                    blank = size - header_end - sum(b[1] - b[0] for b in blocks)
                    if head is not None and not skip and blank <= TRIG_COMPACT_SHARE * size:
                        self.mode = "keep"
                        with memoryview(mm) as view:
                            self._keep(src, view, size, journal)
                        self._out = (header_end, blocks, None, None)
                        return
                    self.fh.write(mm[:header_end])
                    docs = [] if head is None else [
                        b for b in blocks if b[3] < 0 and b[2].startswith(head) and b[2] not in skip]
                    new_blocks: list = []
                    with memoryview(mm) as view:
                        _copy_blocks(src, self.fh, view, docs, new_blocks)
            self.fh.flush()
            if docs:  # the bulk goes to disk now, not all of it at the end
                os.fsync(self.fh.fileno())
            self._copied = docs
            self._out = (header_end, blocks, {b[0] for b in docs}, new_blocks)
        except BaseException as exc:  # raised again by result()
            self._error = exc

    def _keep(self, src, view, size: int, journal) -> None:
        """Stage the whole file ``src`` (``size`` bytes): from the spare and ``journal``
        (``(stamp, blanks, tail)`` of the last update) where the staged file is that spare,
        else copied."""
        fd = self.fh.fileno()
        have = os.fstat(fd)
        if (journal is not None and have.st_size
                and (have.st_size, have.st_mtime_ns, have.st_ino) == journal[0]
                and journal[2] == have.st_size <= size):
            _stamp, blanks, tail = journal
            for start, end in blanks:
                _blank(fd, start, end)
            _copy_at(src, fd, view, tail, size)
            self.spare_used = True
        else:
            self.fh.seek(0)
            _copy_range(src, self.fh, view, 0, size)
            os.fsync(fd)  # the bulk goes to disk now, not all of it at the end
        os.ftruncate(fd, size)
        self.fh.seek(size)

    def result(self, drop=frozenset()) -> tuple:
        """``(end of the prefix lines, the old file's blocks, starts of those copied, their
        blocks in the staged file)``, once the copy is done; its error, if it failed. A copy
        kept whole answers ``None`` for the last two.

        Copied blocks whose header line (:func:`_graph_header`) is in ``drop`` are
        overwritten with spaces in the staged file and left out of the answer: whitespace
        between blocks is valid TriG, and the next update's copy leaves it behind (it copies
        blocks only)."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        header_end, blocks, done, new_blocks = self._out
        if done is None:  # kept whole ("keep"): the update blanks what it replaces
            return self._out
        if drop and any(b[2] in drop for b in self._copied):
            self.fh.flush()
            kept = []
            for old, new in zip(self._copied, new_blocks, strict=True):
                if old[2] in drop:
                    _blank(self.fh.fileno(), new[0], new[1])
                else:
                    kept.append((old, new))
            self._copied = [old for old, _new in kept]
            self._out = (header_end, blocks, {old[0] for old, _new in kept},
                         [new for _old, new in kept])
        return self._out

    def discard(self) -> None:
        """Wait for the copy and remove the staged file (an update that failed)."""
        if self._thread is not None:
            self._thread.join()
        self.fh.close()
        Path(self.tmp).unlink(missing_ok=True)


#: An update that finds more than this share of ``graph.trig`` blanked (the blocks that
#: earlier updates replaced) writes it again without the blanks.
TRIG_COMPACT_SHARE = 0.25


def _kernel_copy(src_fd: int, dst_fd: int, start: int, end: int, same_place: bool) -> int:
    """Copy bytes ``start:end`` of ``src_fd`` with ``os.copy_file_range``: to ``dst_fd``'s
    position, or with ``same_place`` to the same offsets. Returns where it stopped: ``end``,
    or less where the kernel cannot copy (another file system, an older kernel)."""
    copy = getattr(os, "copy_file_range", None)
    if copy is None:
        return start
    try:
        while start < end:
            n = (copy(src_fd, dst_fd, end - start, start, start) if same_place
                 else copy(src_fd, dst_fd, end - start, start))
            if n <= 0:
                break
            start += n
    except OSError:
        pass
    return start


def _copy_at(src, fd: int, view, start: int, end: int) -> None:
    """Copy bytes ``start:end`` of the file ``src`` to the same place in the open file
    ``fd``: in the kernel where it can, else from ``view``, a memory map of ``src``."""
    start = _kernel_copy(src.fileno(), fd, start, end, True)
    while start < end:
        start += os.pwrite(fd, view[start:min(end, start + (1 << 24))], start)


def _blank(fd: int, start: int, end: int) -> None:
    """Overwrite bytes ``start:end`` of the open file ``fd`` with spaces ending in a line
    break (the block there had one)."""
    chunk = 1 << 20
    at = start
    while at < end:
        n = min(chunk, end - at)
        data = b" " * n if at + n < end else b" " * (n - 1) + b"\n"
        at += os.pwrite(fd, data, at)


def _start_trig_copy(out_dir: Path, store: str | None) -> _TrigCopy | None:
    """For an update of an Oxigraph store built before: the copy of ``graph.trig``'s
    document graphs (:class:`_TrigCopy`; 1.3 GB, and as long again to flush to disk, at
    10,000 documents), started in a thread before the documents are extracted and resolved.
    The update blanks the blocks of the documents it replaces; any other build discards it.
    ``None`` if no in-place update can follow."""
    from .store import parse_store_spec

    trig = out_dir / "graph.trig"
    if (not store or parse_store_spec(store)[0] != "oxigraph"
            or not _manifest_path(out_dir).is_file() or not trig.is_file()):
        return None
    # the prefixes are worked out here: a pool may fork while the copy runs, and its thread
    # is then in the kernel's copy, not half-way through importing modules
    return _TrigCopy(trig, _prefixes(), set(), background=True)


def _copy_blocks(src, fh, view, blocks: list, out: list) -> None:
    """Append the ``blocks`` of the file ``src`` (in file order) to ``fh``, adjacent ones
    in one copy; their places in ``fh`` go to ``out``."""
    fh.flush()
    at = fh.tell()
    run: list | None = None
    for start, end, head, k in blocks:
        out.append((at, at + end - start, head, k))
        at += end - start
        if run is not None and run[1] == start:
            run[1] = end
            continue
        if run is not None:
            _copy_range(src, fh, view, *run)
        run = [start, end]
    if run is not None:
        _copy_range(src, fh, view, *run)


def _rewrite_trig(path: Path, drop: set[str], add: list, prefixes: dict[str, str],
                  patch: dict | None = None, blocks_out: list | None = None,
                  early: _TrigCopy | None = None):
    """Stage a copy of the TriG file ``path`` (as written by a build) without the graphs
    named in ``drop`` and with the graphs ``add`` appended (N-Quads text, or TriG bytes
    from :func:`_trig_chunk`); ``(tmp, path)``. The blocks to leave out are found by their
    header lines (:func:`_trig_blocks`) and everything else is copied as is, not parsed.

    ``patch`` maps a graph written in parts (:func:`_trig_parts`) to ``(gone, added)``,
    pyoxigraph quads of that graph: only the parts holding the subjects of ``gone`` are
    read, changed and written again (at the end of the file); the ``added`` triples of
    other parts go to new blocks of those parts, also at the end. ``early``, a
    :class:`_TrigCopy` of the same file, has copied the document graphs already (they come
    first in the copy; those of ``drop`` it copied are blanked); it is finished here, or
    discarded on an error.
    ``blocks_out``, if given, receives the blocks of the staged copy, for
    :func:`_save_trig_blocks` once it is in place."""
    import mmap
    from contextlib import nullcontext

    import pyoxigraph as ox

    patch = patch or {}
    heads = {_graph_header(g, prefixes): None for g in drop}
    # the parts that lose triples are read, changed and written again whole; a part that
    # only gains some keeps its block(s) and gets one more with the new triples (a graph's
    # triples may be spread over any number of blocks): of the 91 parts one added document
    # touched at 10,000 documents, 9 lost triples, and parsing the others took 0.16 s
    touched: dict[str, set[int]] = {}
    for g, (gone, _added) in patch.items():
        touched[g] = {_part(str(q.subject)) for q in gone}
        if touched[g]:
            heads[_graph_header(g, prefixes)] = g
    if early is None:
        early = _TrigCopy(path, prefixes, set(), docs=False)
    tmp, fh = early.tmp, early.fh
    journal = None
    try:
        header_end, blocks, done, new_blocks = early.result(set(heads))
        old_parts: dict[tuple[str, int], list] = {}

        def replaced(block, mm) -> bool:
            """Whether ``block`` goes (its text kept in ``old_parts`` if it is a part)."""
            start, end, head, k = block
            g = heads.get(head, False)
            if g is False:
                return False
            if g is not None:  # a graph in parts: only the parts to patch
                if k < 0:
                    raise KGError(f"{path}: graph {g} is not written in parts",
                                  hint="run the build again without --update")
                if k not in touched[g]:
                    return False
                old_parts.setdefault((g, k), []).append(mm[:header_end] + mm[start:end])
            return True

        with path.open("rb") as src:
            size = os.fstat(src.fileno()).st_size
            with (mmap.mmap(src.fileno(), 0, access=mmap.ACCESS_READ) if size else
                  nullcontext(b"")) as mm:
                if done is None:  # the whole file is staged: the blocks replaced are blanked
                    blanks = [b[:2] for b in blocks if replaced(b, mm)]
                    gone_at = {start for start, _end in blanks}
                    new_blocks = [b for b in blocks if b[0] not in gone_at]
                    fh.flush()
                    for start, end in blanks:
                        _blank(fh.fileno(), start, end)
                    # what the next update redoes to this file's spare to stage the new one
                    journal = (early.stamp, blanks, fh.tell())
                else:  # the blocks neither copied already nor replaced (not the blanks)
                    rest = [b for b in blocks if b[0] not in done and not replaced(b, mm)]
                    with memoryview(mm) as view:
                        _copy_blocks(src, fh, view, rest, new_blocks)

        def append(data: bytes) -> None:
            at = fh.tell()
            new_blocks.extend((at + a, at + b, head, k) for a, b, head, k in _trig_blocks(data)[1])
            fh.write(data)

        for block in add:
            append(block if isinstance(block, bytes) else _trig_chunk(block, prefixes))
        for g, (gone, added) in sorted(patch.items()):
            by_part: dict[int, set] = {k: set() for k in touched[g]}
            for (pg, k), texts in old_parts.items():
                if pg == g:
                    for text in texts:
                        by_part[k].update(ox.parse(text, format=ox.RdfFormat.TRIG))
            gone_set = set(gone)
            quads = [q for k in sorted(by_part) for q in by_part[k] if q not in gone_set]
            append(_trig_parts(list(dict.fromkeys([*quads, *added])), prefixes))
        _finish_staged(tmp, fh, path)
    except BaseException:
        early.discard()
        raise
    if blocks_out is not None:
        blocks_out[:] = [header_end, new_blocks, journal]
    return tmp, path


def _trig_blocks(data) -> tuple[int, list]:
    """The graph blocks of TriG text written by a build (bytes or a memory map):
    ``(end of the prefix lines, [(start, end, header line, part or -1), …])``, a block
    running from its header line to its closing ``}`` line included. In such a file only
    block headers end a line in `` {`` (literals are written with line breaks escaped)."""
    header_end = 0
    while data[header_end:header_end + 7] == b"@prefix":
        header_end = data.find(b"\n", header_end) + 1
    size = len(data)
    blocks = []
    at = header_end
    while (i := data.find(b" {\n", at)) >= 0:
        start = data.rfind(b"\n", 0, i) + 1
        head = bytes(data[start:i + 3])
        end = data.find(b"\n}\n", i + 2)
        end = size if end < 0 else end + 3
        line_end = data.find(b"\n", i + 3)
        mark = data[i + 3:line_end]
        k = int(mark[len(_PART_MARK):]) if mark.startswith(_PART_MARK) else -1
        blocks.append((start, end, head, k))
        at = end
    return header_end, blocks


def _trig_blocks_path(path: Path) -> Path:
    return path.parent / ".cache" / f"{path.name}.blocks"


def _load_trig_index(path: Path) -> tuple[int, list, tuple | None] | None:
    """``(end of the prefix lines, blocks, journal)`` of ``path`` kept by the last update
    (:func:`_save_trig_blocks`), if the file is still the one they describe (size,
    modification time, inode); else ``None``. The journal (or ``None``) says how that update
    made the file from the one before: ``((size, modification time, inode) of the one
    before, [(start, end) of the blocks it blanked], its size)``; the rest was appended."""
    import pickle

    try:
        with _trig_blocks_path(path).open("rb") as fh:
            stamp, header_end, blocks, *rest = pickle.load(fh)
        st = os.stat(path)
    except Exception:  # missing, torn or foreign: the file is scanned
        return None
    if stamp != (st.st_size, st.st_mtime_ns, st.st_ino):
        return None
    return header_end, blocks, (rest[0] if rest else None)


def _load_trig_blocks(path: Path) -> tuple[int, list] | None:
    """The blocks of ``path`` kept by the last update: :func:`_load_trig_index` without the
    journal."""
    index = _load_trig_index(path)
    return None if index is None else index[:2]


def _save_trig_blocks(path: Path, blocks: list) -> None:
    """Keep the blocks of ``path`` (just put in place) for the next update, which then
    finds the blocks it replaces without scanning the file (1.3 GB at 10,000 documents):
    ``blocks`` is ``[end of the prefix lines, blocks]`` or, from :func:`_rewrite_trig`,
    ``[end of the prefix lines, blocks, journal]``."""
    import pickle

    st = os.stat(path)
    _write_cache_file(_trig_blocks_path(path), pickle.dumps(
        ((st.st_size, st.st_mtime_ns, st.st_ino), *blocks), protocol=pickle.HIGHEST_PROTOCOL))


def _link_aside(p: Path) -> str | None:
    """A second, temporary name for the file ``p`` (``.NAME.XXXX.tmp``: a build removes
    such files left behind), so that replacing ``p`` does not free its blocks there and
    then — for a 1.3 GB ``graph.trig`` that took ~0.3 s of an update; see :func:`_retire`.
    ``None`` where no link can be made."""
    import secrets

    from .store import _TMP_SUFFIX

    aside = p.parent / f".{p.name}.{secrets.token_hex(6)}{_TMP_SUFFIX}"
    try:
        os.link(p, aside)
    except OSError:
        return None
    return str(aside)


#: Threads of work left to finish before :func:`build_graph` returns.
_BACKGROUND: list = []


def _unlink_later(path: str | None) -> None:
    """Remove ``path`` in a thread, while the build finishes its other work."""
    import threading

    if path is None:
        return

    def unlink() -> None:
        with contextlib.suppress(OSError):
            os.unlink(path)

    thread = threading.Thread(target=unlink, name="unlink", daemon=True)
    thread.start()
    _BACKGROUND.append(thread)


def _join_background() -> None:
    while _BACKGROUND:
        _BACKGROUND.pop().join()


def _copy_range(src, fh, view, start: int, end: int) -> None:
    """Append bytes ``start:end`` of the file ``src`` to the open file ``fh``: in the kernel
    (``os.copy_file_range``) where it can, else from ``view``, a memory map of ``src``."""
    if end <= start:
        return
    fh.flush()
    start = _kernel_copy(src.fileno(), fh.fileno(), start, end, False)
    if start < end:
        fh.write(view[start:end])


def _update_in_place(plan, mcache: Path, out_dir: Path, report: BuildReport, target: Path,
                     manifest: dict, state, *, validate, workers, union, trig_copy=None):
    """``kg build --update`` on a store built before: only what changed is written.

    The graphs of deleted and re-mapped documents are dropped from the store (and their
    triples from its union default graph unless another graph states them), new ones
    loaded; the entities and analysis graphs are changed key by key (:mod:`kg.corpus_state`:
    only the entities, projects, quantity groups and checks the added and removed documents
    touch are made again, as they were and as they are now, and the difference replaced);
    the small corpus graphs (ontology, chains, regions) are made again and replaced by
    difference with the text the last build kept; the derived graph is recomputed only for
    the subjects and closures whose triples changed (in full when the ontology or the
    chains changed), and the counts are brought up to date from the same changes
    (:class:`_UnionDelta`). ``graph.trig`` is copied without the replaced graphs and the new
    ones appended (``trig_copy``, a :func:`_start_trig_copy`, has copied the document graphs
    already). SHACL checks the new document graphs (and the corpus graphs' part about
    them). The result equals a full rebuild. An interrupted update leaves no build record,
    so the next one rebuilds in full.
    """
    import time
    from functools import partial

    import pyoxigraph as ox

    from .corpus_state import keys_in
    from .derive import _CLOSURES, derived_changes
    from .mapping import graph_nquads, load_chains, load_ontology, map_regions
    from .ns import (
        ANALYSIS_GRAPH,
        CHAINS_GRAPH,
        DERIVED_GRAPH,
        ENTITIES_GRAPH,
        GRAPH,
        KG,
        ONTOLOGY_GRAPH,
        REGIONS_GRAPH,
        document_iri,
    )
    from .store import _commit_staged, _stage
    from .store_oxigraph import UNION_MARK, mark_union

    t = time.perf_counter()
    _manifest_path(out_dir).unlink(missing_ok=True)
    doc_ids = [d for d, _j in plan]
    old = set(manifest["documents"])
    # documents to load: those mapped now, and any whose mapping is cached but which the
    # build record does not list (its N-Quads are read from the cache)
    new = {d for d, job in plan if job is not None or d not in old}
    gone_docs = (old - set(doc_ids)) | (new & old)
    drop = {str(document_iri(d)) for d in gone_docs}
    st = ox.Store(str(target))
    mark = ox.NamedNode(str(GRAPH[UNION_MARK]))
    if st.contains_named_graph(mark):
        st.remove_graph(mark)  # not a complete union until the end
    delta = _UnionDelta(st)
    delta.watch(drop | {str(document_iri(d)) for d in new}
                | {str(g) for g in (ONTOLOGY_GRAPH, CHAINS_GRAPH, ENTITIES_GRAPH, REGIONS_GRAPH,
                                    ANALYSIS_GRAPH, DERIVED_GRAPH)})
    prefixes = _prefixes()
    # the document graphs that stay are copied to the new graph.trig beside the rest
    if trig_copy is None:
        trig_copy = _TrigCopy(out_dir / "graph.trig", prefixes, drop, background=True)
    trig_copy.claimed = True
    # SHACL of the update runs in a child forked now: it imports pySHACL and parses the
    # vocabulary graphs of the last build (~0.8 s) while this process maps the documents,
    # then gets the sample (see below). Vocabularies changed since: it is not used.
    vocabularies = [manifest["corpus_nq"].get(str(g), "") for g in (ONTOLOGY_GRAPH, CHAINS_GRAPH)]
    warm_shacl = _FedFork.start(_shacl_prepare, _shacl_finish, vocabularies) \
        if validate and workers > 1 else None
    try:
        for g in sorted(drop):
            node = ox.NamedNode(g)
            delta.remove(list(st.quads_for_pattern(None, None, None, node)))
            st.remove_graph(node)
        # loads in this thread: an update that fails half-way must not leave a load running
        # into the user's store
        loader = _StreamLoader(st, _NullFile(), prefixes, background=False, small_loads=True)
        blocks: list[str] = []
        mapped: list = []  # (doc_id, records, entities, codes) of the documents loaded now
        sample_ids = set(sorted(new)[:SHACL_SAMPLE]) if validate else set()
        sample_nq: list = []
        for doc_id, nq, records, ents, cs in _mapped_in_order([x for x in plan if x[0] in new],
                                                             mcache, workers):
            delta.note(nq)
            loader.add(nq)
            blocks.append(nq)
            if doc_id in sample_ids:
                sample_nq.append(nq)
            mapped.append((doc_id, records, ents, cs))
        _TIMINGS["map"] = time.perf_counter() - t
        t = time.perf_counter()

        # The entities and analysis graphs: the keys the documents in and out touch, before
        # and after
        state.begin()
        before: dict[str, str] = manifest["corpus_nq"]
        vocabulary = _vocabulary_key()
        if state.vocabulary == vocabulary:
            keys = state.keys_of(sorted(gone_docs))
            for _d, records, ents, cs in mapped:
                keys |= keys_in(records, ents, cs)
            ents_before, analysis_before, conflicts_before = state.lines(keys)
        else:  # new vocabularies: every key is made again, compared with what the store holds
            keys = None
            ents_before, analysis_before, conflicts_before = None, None, state.n_conflicts
        state.remove(sorted(gone_docs))
        for item in mapped:
            state.add(*item)
        del mapped
        ents_after, analysis_after, conflicts_after = state.lines(keys if keys is not None else state.all_keys())
        n_conflicts = state.n_conflicts - conflicts_before + conflicts_after
        codes = state.codes()
        regions_made = _regions_record(codes)
        if keys is not None:
            # the ontology and chain vocabularies are those of the last build: their text is
            # the one it kept, not parsed again
            corpus_nq = [before.get(str(ONTOLOGY_GRAPH), ""), before.get(str(CHAINS_GRAPH), "")]
        else:
            ontology, chains = load_ontology(), load_chains()
            corpus_nq = [graph_nquads(ontology, ontology.identifier), graph_nquads(chains, chains.identifier)]
            del ontology, chains
        last = manifest.get("regions")
        if (keys is not None and isinstance(last, dict) and last.get("data") == regions_made["data"]
                and isinstance(last.get("codes"), list) and str(REGIONS_GRAPH) in before):
            # the regions graph of a set of codes is the union of each code's (the region and
            # those above it): with codes only added, the last one and the new codes' part
            added = set(regions_made["codes"]) - set(last["codes"])
            if len(added) + len(last["codes"]) > len(regions_made["codes"]):
                regions_text = None  # a code is gone: made again whole
            elif added:
                part = map_regions(added)
                regions_text = "".join(sorted(
                    set(before[str(REGIONS_GRAPH)].splitlines(keepends=True))
                    | set(graph_nquads(part, part.identifier).splitlines(keepends=True))))
                del part
            else:
                regions_text = before[str(REGIONS_GRAPH)]
        else:
            regions_text = None
        if regions_text is None:
            regions = map_regions(codes)
            regions_text = graph_nquads(regions, regions.identifier)
            del regions
        corpus_nq.append(regions_text)
        del codes, regions_text
        _TIMINGS["analyse"] = time.perf_counter() - t
        shacl = None
        pending_shacl = None
        if validate:
            # SHACL of the sampled new documents with the ontology and chains graphs, the
            # entities and analysis graphs' part about the sample's nodes — all of it among
            # the triples of the keys those documents touch — and the regions they name; with
            # workers it runs in a child beside the rest of the update
            apart = warm_shacl is not None and corpus_nq[:2] == vocabularies
            vdata = _shacl_sample(sample_nq, corpus_nq[:2], ["".join(sorted(ents_after)),
                                                             "".join(sorted(analysis_after))],
                                  corpus_nq[2:], full_apart=apart)
            report.validated_documents = len(sample_nq)
            if apart:
                warm_shacl.feed(vdata)
                pending_shacl = warm_shacl.wait
            else:
                if warm_shacl is not None:
                    warm_shacl.cancel()
                pending_shacl = _in_fork(_validate, vdata) if workers > 1 else None
                if pending_shacl is None:
                    shacl, _TIMINGS["validate"] = _validate(vdata)
            warm_shacl = None
            del vdata
        del sample_nq
    except BaseException:
        if warm_shacl is not None:
            warm_shacl.cancel()
        trig_copy.discard()
        raise
    staged: list = []
    old_trig = None
    try:
        t = time.perf_counter()
        after = {_StreamLoader._graph_of(nq): nq for nq in corpus_nq if nq}
        sums = dict(manifest["corpus"])
        changed: set[str] = set()
        patch: dict[str, tuple] = {}  # graphs written in parts: (quads gone, quads added)
        for g in sorted(set(before) | set(after)):
            if before.get(g, "") == after.get(g, ""):
                continue
            gone, fresh = _replace_corpus_graph(st, delta, before.get(g, ""), after.get(g, ""))
            if not fresh and not gone:
                continue  # the same graph up to blank node labels
            changed.add(g)
            delta.note(fresh)
            loader.add(fresh)
            drop.add(g)
            if g in after:
                blocks.append(after[g])
                sums.update(_save_corpus(out_dir, [after[g]]))
            else:
                sums.pop(g, None)
                _corpus_cache(out_dir, g).unlink(missing_ok=True)
        for g, lines_before, lines_after in ((str(ENTITIES_GRAPH), ents_before, ents_after),
                                             (str(ANALYSIS_GRAPH), analysis_before, analysis_after)):
            if lines_before is None:  # the whole graph, compared as quads with the store's
                gone, fresh = _graph_difference(st, g, lines_after)
            else:
                gone = list(ox.parse("".join(sorted(lines_before - lines_after)).encode("utf-8"),
                                     format=ox.RdfFormat.N_QUADS))
                fresh = "".join(sorted(lines_after - lines_before))
            if not gone and not fresh:
                continue
            changed.add(g)
            if gone:
                delta.remove(gone)
            if fresh:
                delta.note(fresh)
                loader.add(fresh)
            patch[g] = (gone, list(ox.parse(fresh.encode("utf-8"), format=ox.RdfFormat.N_QUADS)))
        del ents_before, ents_after, analysis_before, analysis_after
        loader.flush()
        _TIMINGS["drop"] = time.perf_counter() - t

        # The union copy is complete again: marked, the derivation reads it instead of
        # Oxigraph's union view (named graphs and copy, twice the triples)
        mark_union(st)
        t_derive = time.perf_counter()
        derived = ox.NamedNode(str(DERIVED_GRAPH))
        if changed & {str(ONTOLOGY_GRAPH), str(CHAINS_GRAPH)}:
            gone, added = derived_changes(st)  # every value depends on them
        else:
            gone, added = derived_changes(st, delta.subjects(),
                                          {b: delta.sources(str(KG[b])) for _d, b in _CLOSURES},
                                          delta.retyped(str(KG.Project)))
        delta.remove(gone)
        if added:
            fresh = ox.serialize(added, format=ox.RdfFormat.N_QUADS).decode("utf-8")
            delta.note(fresh)
            loader.add(fresh)
            loader.flush()
        if gone or added:
            patch[derived.value] = (gone, added)
        _TIMINGS["derive"] = time.perf_counter() - t_derive
        mark_union(st)
        st.flush()
        _TIMINGS["load"] = loader.seconds

        del corpus_nq
        t_trig = time.perf_counter()
        trig_blocks: list = []
        staged.append(_rewrite_trig(out_dir / "graph.trig", drop, blocks, prefixes, patch,
                                    trig_blocks, early=trig_copy))
        trig_copy = None
        _TIMINGS["trig"] = time.perf_counter() - t_trig
        del blocks, patch, gone, added
        write_union = union if union is not None else len(doc_ids) <= UNION_TURTLE_MAX_DOCS
        if write_union:
            staged.append(_stage_path(out_dir / "graph.ttl", partial(
                _write_union_turtle, st, prefixes, out_dir / "graph.ttl", manifest.get("union"),
                {t[0] for t in delta.added | delta.removed} | {b[1] for b in delta.blank})))
        t_stats = time.perf_counter()
        counts = delta.counts(manifest["counts"])
        _TIMINGS["stats"] = time.perf_counter() - t_stats
        if pending_shacl is not None:
            shacl, _TIMINGS["validate"] = pending_shacl()
            pending_shacl = None
        if shacl is not None:
            report.conforms = shacl.conforms
            staged.append(_stage(out_dir / "shacl-report.ttl", shacl.report_turtle.encode("utf-8")))
        old_trig = _link_aside(out_dir / "graph.trig")
        _commit_staged(staged)
    except BaseException:
        if pending_shacl is not None:
            with contextlib.suppress(Exception):  # the child ends before the error goes on
                pending_shacl()
        if trig_copy is not None:
            trig_copy.discard()
        for tmp, _p in staged:
            Path(tmp).unlink(missing_ok=True)
        if old_trig is not None:
            Path(old_trig).unlink(missing_ok=True)
        raise
    _retire(old_trig, out_dir / "graph.trig")
    if not write_union:
        (out_dir / "graph.ttl").unlink(missing_ok=True)
    _save_trig_blocks(out_dir / "graph.trig", trig_blocks)
    del st
    state.commit(_state_fingerprint(), _vocabulary_key(), n_conflicts)
    file_names = {"trig": "graph.trig", "turtle": "graph.ttl", "shacl": "shacl-report.ttl"}
    report.outputs = {role: str(out_dir / file_names[role]) for role in file_names
                      if (role != "shacl" or shacl is not None) and (role != "turtle" or write_union)}
    report.outputs["oxigraph"] = str(target)
    _write_manifest(out_dir, target, doc_ids, sums, counts, regions_made,
                    _union_record(out_dir / "graph.ttl", prefixes) if write_union else None)
    _TIMINGS["store"] = time.perf_counter() - t
    counts["remapped"] = sum(1 for _d, job in plan if job is not None)
    counts["in_place"] = 1
    return shacl, n_conflicts, counts


class _UnionDelta:
    """The changes of an in-place update to an Oxigraph store whose default graph holds the
    union of its named graphs (:func:`kg.store_oxigraph.mark_union`).

    Quads leave named graphs through :meth:`remove`, which keeps the union copy in step;
    N-Quads about to be loaded are noted by :meth:`note` (the loader writes both copies).
    Both record which triples left or entered the union — what the derived graph and the
    build's counts depend on, so that neither has to be recomputed from the whole store.
    """

    def __init__(self, st) -> None:
        self.st = st
        self.added: set = set()  # (s, p, o) new in the union
        self.removed: set = set()  # (s, p, o) gone from it
        self.blank: list = []  # (+1 or -1, s, p, o): a blank node belongs to one graph
        self.named = 0  # change in the number of named-graph quads
        self._noted: set = set()

    @staticmethod
    def _has_blank(q) -> bool:
        import pyoxigraph as ox

        return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)

    def remove(self, quads) -> None:
        """Remove named-graph ``quads`` from the store, and their triples from the union
        unless another named graph still states them."""
        import pyoxigraph as ox

        st, dflt = self.st, ox.DefaultGraph()
        for q in quads:
            st.remove(q)
            self.named -= 1
            t = (q.subject, q.predicate, q.object)
            if self._has_blank(q):
                st.remove(ox.Quad(*t, dflt))
                self.blank.append((-1, *t))
                continue
            if any(not isinstance(x.graph_name, ox.DefaultGraph)
                   for x in st.quads_for_pattern(*t, None)):
                continue
            st.remove(ox.Quad(*t, dflt))
            if t in self.added:
                self.added.discard(t)
            else:
                self.removed.add(t)

    def note(self, nq: str) -> None:
        """Account for the N-Quads text ``nq`` (quads not in the store yet) before it is
        loaded."""
        import pyoxigraph as ox

        st, dflt = self.st, ox.DefaultGraph()
        # whether the union states anything about a subject: the triples of a subject it does
        # not know (most of a new document's) need no look-up each
        known: dict = {}
        for q in ox.parse(nq.encode("utf-8"), format=ox.RdfFormat.N_QUADS):
            self.named += 1
            t = (q.subject, q.predicate, q.object)
            if self._has_blank(q):
                self.blank.append((1, *t))
                continue
            if t in self._noted:
                continue
            self._noted.add(t)
            there = known.get(t[0])
            if there is None:
                there = known[t[0]] = next(iter(st.quads_for_pattern(t[0], None, None, dflt)), None) is not None
            if there and ox.Quad(*t, dflt) in st:
                continue
            if t in self.removed:
                self.removed.discard(t)
            else:
                self.added.add(t)

    def subjects(self) -> set:
        """The subjects of the triples that entered or left the union, and the subjects
        that state a ``kg:hasQuantity`` of one of them (a project whose quantity changed)."""
        import pyoxigraph as ox

        from .ns import KG

        subs = {t[0] for t in self.added | self.removed} | {b[1] for b in self.blank}
        has_q = ox.NamedNode(str(KG.hasQuantity))
        for x in list(subs):
            if isinstance(x, (ox.NamedNode, ox.BlankNode)):
                subs.update(q.subject for q in self.st.quads_for_pattern(
                    None, has_q, x, ox.DefaultGraph()))
        return subs

    def retyped(self, cls: str) -> set:
        """The nodes whose ``rdf:type`` triple with the class ``cls`` (an IRI) entered or left
        the union."""
        rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        return ({t[0] for t in self.added | self.removed
                 if t[1].value == rdf_type and getattr(t[2], "value", None) == cls}
                | {b[1] for b in self.blank
                   if b[2].value == rdf_type and getattr(b[3], "value", None) == cls})

    def sources(self, predicate: str) -> set:
        """The subjects of the triples with ``predicate`` (an IRI) that entered or left the
        union."""
        return ({t[0] for t in self.added | self.removed if t[1].value == predicate}
                | {b[1] for b in self.blank if b[2].value == predicate})

    def watch(self, graphs) -> None:
        """Note which of the named ``graphs`` (IRIs) hold a quad now: the update may change
        them, and the count of non-empty graphs follows from theirs (:meth:`counts`)."""
        self._watched = {g: self._nonempty(g) for g in graphs}

    def _nonempty(self, g: str) -> bool:
        import pyoxigraph as ox

        return next(iter(self.st.quads_for_pattern(None, None, None, ox.NamedNode(g))), None) is not None

    def counts(self, before: dict) -> dict:
        """The build's counts (:func:`_store_stats`) from those ``before`` the update; only
        the graphs passed to :meth:`watch` may have changed."""
        from .ns import RDF

        rdf_type = str(RDF.type)
        classes, predicates = dict(before["classes"]), dict(before["predicates"])
        changes = [(-1, t) for t in self.removed] + [(1, t) for t in self.added] + \
                  [(b[0], b[1:]) for b in self.blank]
        for sign, (_s, p, o) in changes:
            predicates[p.value] = predicates.get(p.value, 0) + sign
            if p.value == rdf_type:
                classes[o.value] = classes.get(o.value, 0) + sign
        return _counts(before["triples"] + sum(sign for sign, _t in changes),
                       before["quads"] + self.named,
                       before["graphs"] + sum(self._nonempty(g) - was for g, was in self._watched.items()),
                       {k: v for k, v in classes.items() if v},
                       {k: v for k, v in predicates.items() if v})


def _corpus_cache(out: Path, graph_iri: str) -> Path:
    """Where a build keeps the N-Quads of the corpus graph ``graph_iri`` for the next update."""
    return out / ".cache" / "corpus" / f"{graph_iri.rsplit('/', 1)[-1]}.nq"


def _save_corpus(out: Path, corpus_nq: list[str]) -> dict[str, str]:
    """Keep the corpus graphs' N-Quads; ``{graph IRI: SHA-1 of the text}`` for the build record."""
    import hashlib

    sums = {}
    for nq in corpus_nq:
        if not nq:
            continue
        if isinstance(nq, _PartedFile):
            digest = hashlib.sha1()
            with open(nq.path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 22), b""):  # noqa: B023 - same fh
                    digest.update(block)
            _copy_cache_file(nq.path, _corpus_cache(out, nq.graph))
            sums[nq.graph] = digest.hexdigest()
            continue
        g = _StreamLoader._graph_of(nq)
        data = nq.encode("utf-8")
        _write_cache_file(_corpus_cache(out, g), data)
        sums[g] = hashlib.sha1(data).hexdigest()
    return sums


def _load_corpus(out: Path, sums: dict[str, str]) -> dict[str, str] | None:
    """The corpus graphs' N-Quads kept by the last build, ``None`` if one is missing or
    is not what that build wrote."""
    import hashlib

    texts = {}
    for g, digest in sums.items():
        try:
            data = _corpus_cache(out, g).read_bytes()
        except OSError:
            return None
        if hashlib.sha1(data).hexdigest() != digest:
            return None
        texts[g] = data.decode("utf-8")
    return texts


def _split_blank(lines) -> tuple[set[str], list[str]]:
    """N-Quads lines without and with a blank node."""
    import pyoxigraph as ox

    plain, blank = set(), []
    for line in lines:
        if "_:" in line and any(
                isinstance(t, ox.BlankNode) for q in ox.parse(line.encode("utf-8"),
                                                              format=ox.RdfFormat.N_QUADS)
                for t in (q.subject, q.object)):
            blank.append(line)
        else:
            plain.add(line)
    return plain, blank


def _replace_corpus_graph(st, delta: _UnionDelta, old: str, new: str) -> tuple[list, str]:
    """Replace a corpus graph of the store (N-Quads ``old``, as the last build loaded it) by
    ``new``, touching only the triples that differ: ``(quads removed, N-Quads still to
    load)``. Triples with blank nodes (the ontology's OWL lists) are compared as a graph, up
    to the blank nodes' labels, and replaced together when they differ."""
    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.compare import isomorphic

    old_plain, old_blank = _split_blank(old.splitlines(keepends=True))
    new_plain, new_blank = _split_blank(new.splitlines(keepends=True))
    gone = list(ox.parse("".join(sorted(old_plain - new_plain)).encode("utf-8"),
                         format=ox.RdfFormat.N_QUADS))
    added = new_plain - old_plain
    fresh = [line for line in new.splitlines(keepends=True) if line in added]
    if gone:
        delta.remove(gone)
    if old_blank or new_blank:
        suffix = f" <{_StreamLoader._graph_of(old or new)}> .\n"

        def graph(lines):
            return Graph().parse(data="".join(line.replace(suffix, " .\n") for line in lines),
                                 format="nt")

        if not (old_blank and new_blank and isomorphic(graph(old_blank), graph(new_blank))):
            g = ox.NamedNode(suffix[2:-4])
            blank = [q for q in st.quads_for_pattern(None, None, None, g) if delta._has_blank(q)]
            delta.remove(blank)
            gone.extend(blank)
            fresh.extend(new_blank)
    return gone, "".join(fresh)


class _NullFile:
    """A write-only sink (a loader that feeds no TriG file)."""

    def write(self, data) -> int:
        return len(data)


def _make_build_dir(parent: Path) -> Path:
    """A new working folder ``parent/.build.XXXX`` for a build's store and corpus graphs,
    holding an ``owner`` file (host name and process id). The folders that killed builds
    left in ``parent`` (gigabytes at 10,000 documents) are removed first: those whose owner
    is a process of this host that no longer runs. Others are left alone (a build running
    beside this one, or a folder of unknown origin)."""
    import shutil
    import socket
    import tempfile

    host = socket.gethostname()
    for old in parent.glob(".build.*"):
        try:
            owner_host, pid = (old / "owner").read_text(encoding="utf-8").split()
            pid = int(pid)
        except (OSError, ValueError):
            continue
        if owner_host == host and pid != os.getpid() and not _process_runs(pid):
            shutil.rmtree(old, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build.", dir=parent))
    (tmp / "owner").write_text(f"{host} {os.getpid()}\n", encoding="utf-8")
    return tmp


def _process_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: it runs
        return True
    return True


def _swap_in(staging: Path, target: Path) -> None:
    """Replace the store folder ``target`` with ``staging`` (two renames, as
    :func:`kg.store.load_oxigraph` does)."""
    import shutil
    import uuid

    from .errors import StoreError

    if target.exists() and not target.is_dir():
        raise StoreError("exists and is not an Oxigraph store folder", path=str(target))
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.old")
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
