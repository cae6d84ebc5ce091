"""What the corpus graphs of a build are made from, kept by key for ``kg build --update``.

The entities graph and the analysis graph (current stages, 三未 flags, consistency checks,
conflicts) are made from every document's records: a document adds aliases to an entity,
stage evidence to a project, values to a quantity group. A full build gathers those records
in memory; it also writes them here, one row per document and key, into
``OUT/.cache/state.sqlite``. An update then reads back only the rows of the keys that the
added and removed documents touch, makes those keys' triples as they were and as they are
now, and replaces the difference — instead of re-reading 10,000 documents' records and
comparing hundreds of megabytes of text.

Keys and what one key's rows make (the same functions a full build uses):

- an entity IRI: its ``rdf:type``, ``skos:prefLabel`` and ``skos:altLabel`` triples
  (:func:`entity_lines`); the first document in document order gives type and label;
- a project IRI: its current stage and its 三未 flag (:func:`kg.lifecycle.flag_triples`);
- a quantity group (subject, kind, unit, product, period): its ``kg:ValueConflict``, if any
  (:func:`kg.checks.conflicts_from_rows`);
- a consistency-check line: in the graph while at least one document states it;
- a region code: the regions graph is made from the codes of all documents.

The triples of different keys never coincide (each key's triples have subjects minted from
the key), so the graphs are the union of the keys' triples.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from pathlib import Path

ENTITY, STAGE, QUANTITY, CHECK, CODE = range(5)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rec (
    doc TEXT NOT NULL,   -- document id
    kind INTEGER NOT NULL,
    h INTEGER NOT NULL,  -- 64-bit hash of (kind, key)
    seq INTEGER NOT NULL,  -- order within the document
    key TEXT NOT NULL,
    data BLOB
);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS rec_h ON rec (h);
CREATE INDEX IF NOT EXISTS rec_doc ON rec (doc);
CREATE INDEX IF NOT EXISTS rec_code ON rec (key) WHERE kind = 4;
"""


def _h(kind: int, key: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{kind}\x00{key}".encode(), digest_size=8).digest(),
                          "big", signed=True)


def _gkey(row) -> str:
    return "\x1f".join(row[:5])


def _rows(doc_id: str, records, ents, codes):
    """The state rows ``(doc, kind, h, seq, key, data)`` of one mapped document."""
    items, check_nq, qrows = records
    seq = 0
    for e in ents:
        iri, type_, label, aliases = e
        yield doc_id, ENTITY, _h(ENTITY, iri), seq, iri, pickle.dumps(
            (type_, label, tuple(aliases)), protocol=pickle.HIGHEST_PROTOCOL)
        seq += 1
    for proj, its in items.items():
        key = str(proj)
        yield doc_id, STAGE, _h(STAGE, key), seq, key, pickle.dumps(
            (proj, its), protocol=pickle.HIGHEST_PROTOCOL)
        seq += 1
    groups: dict[str, list] = {}
    for row in qrows:
        groups.setdefault(_gkey(row), []).append(row)
    for key, rows in groups.items():
        yield doc_id, QUANTITY, _h(QUANTITY, key), seq, key, pickle.dumps(
            rows, protocol=pickle.HIGHEST_PROTOCOL)
        seq += 1
    for line in dict.fromkeys(check_nq.splitlines(keepends=True)) if check_nq else ():
        yield doc_id, CHECK, _h(CHECK, line), seq, line, None
        seq += 1
    for code in codes:
        yield doc_id, CODE, _h(CODE, code), seq, code, None
        seq += 1


def keys_in(records, ents, codes) -> set[tuple[int, str]]:
    """The ``(kind, key)`` pairs of one mapped document's records."""
    return {(kind, key) for _d, kind, _h, _s, key, _data in _rows("", records, ents, codes)}


def entity_lines(iri: str, type_: str, label: str, aliases) -> list[str]:
    """The entities graph's N-Quads lines of one entity (unsorted)."""
    from .mapping import _escape
    from .ns import ENTITIES_GRAPH, KG, RDF, SKOS

    g = f" <{ENTITIES_GRAPH}> .\n"
    s = f"<{iri}> "
    lines = [f"{s}<{RDF.type}> <{KG[type_]}>{g}", f'{s}<{SKOS.prefLabel}> "{_escape(label)}"@zh{g}']
    lines += [f'{s}<{SKOS.altLabel}> "{_escape(a)}"@zh{g}' for a in aliases if a != label]
    return lines


def merge_entity(rows) -> tuple[str, str, set]:
    """``(type, label, names)`` of an entity from its ``(type, label, aliases)`` rows in
    document order: type and label of the first, the aliases and labels of all."""
    type_, label, aliases = rows[0]
    names = set(aliases)
    for _t, lab, al in rows[1:]:
        names.update(al)
        names.add(lab)
    return type_, label, names


def analysis_lines(triples) -> list[str]:
    """N-Quads lines of the analysis graph for rdflib ``triples``."""
    from .mapping import _nt
    from .ns import ANALYSIS_GRAPH

    g = f"<{ANALYSIS_GRAPH}> .\n"
    return [f"{_nt(s)} {_nt(p)} {_nt(o)} {g}" for s, p, o in triples]


class CorpusState:
    """The per-key records of one build (see the module's docstring), in SQLite."""

    FILE = "state.sqlite"

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    # -- a new state, written by a full build -------------------------------------------

    @classmethod
    def create(cls, path: Path) -> CorpusState:
        """A new, empty state at ``path`` (replacing any file there; a full build writes it
        beside the old one and renames it in place at the end, :meth:`commit_to`)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.executescript(_SCHEMA)
        db.execute("BEGIN")
        return cls(db, path)

    def add(self, doc_id: str, records, ents, codes) -> None:
        """The records of one mapped document (those :func:`kg.pipeline._map_one` returns)."""
        self.db.executemany("INSERT INTO rec VALUES (?, ?, ?, ?, ?, ?)",
                            _rows(doc_id, records, ents, codes))

    def commit_to(self, path: Path, fingerprint: str, vocabulary: str, n_conflicts: int) -> None:
        """Index, record what the state was made with, and move it to ``path``."""
        import os

        for stmt in filter(str.strip, _INDEXES.split(";")):
            self.db.execute(stmt)  # (executescript would commit first)
        self._set_meta(fingerprint, vocabulary, n_conflicts)
        self.db.execute("COMMIT")
        self.db.close()
        os.replace(self.path, path)
        self.path = path

    def _set_meta(self, fingerprint: str, vocabulary: str, n_conflicts: int) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            [("fingerprint", fingerprint), ("vocabulary", vocabulary),
                             ("conflicts", str(n_conflicts))])

    # -- an existing state, changed by an update -----------------------------------------

    @classmethod
    def open(cls, path: Path, fingerprint: str) -> CorpusState | None:
        """The state at ``path`` if its records were made with ``fingerprint`` (the code);
        ``None`` otherwise. :attr:`vocabulary` is the key of the vocabularies its graphs
        were last made with."""
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(path, isolation_level=None)
            meta = dict(db.execute("SELECT k, v FROM meta"))
        except sqlite3.Error:
            return None
        if meta.get("fingerprint") != fingerprint or "conflicts" not in meta or "vocabulary" not in meta:
            db.close()
            return None
        self = cls(db, path)
        self.n_conflicts = int(meta["conflicts"])
        self.vocabulary = meta["vocabulary"]
        return self

    def begin(self) -> None:
        self.db.execute("BEGIN")

    def keys_of(self, doc_ids) -> set[tuple[int, str]]:
        """The ``(kind, key)`` pairs the documents ``doc_ids`` hold."""
        out: set = set()
        for doc in doc_ids:
            out.update(self.db.execute("SELECT kind, key FROM rec WHERE doc = ?", (doc,)))
        return out

    def remove(self, doc_ids) -> None:
        self.db.executemany("DELETE FROM rec WHERE doc = ?", [(d,) for d in doc_ids])

    def _rows_of(self, kind: int, key: str) -> list:
        return [data for data, k in self.db.execute(
            "SELECT data, key FROM rec WHERE h = ? ORDER BY doc, seq", (_h(kind, key),)) if k == key]

    def _count(self, kind: int, key: str) -> int:
        return sum(1 for (k,) in self.db.execute("SELECT key FROM rec WHERE h = ?", (_h(kind, key),))
                   if k == key)

    def lines(self, keys) -> tuple[set[str], set[str], int]:
        """The entities graph's and the analysis graph's lines of ``keys`` (``(kind, key)``
        pairs) as the state holds them now, and the number of conflicts among them."""
        from .checks import conflict_triples, conflicts_from_rows
        from .lifecycle import flag_triples

        ents: set[str] = set()
        analysis: list = []
        per_project: dict = {}
        qrows: list = []
        checks: set[str] = set()
        for kind, key in keys:
            if kind == ENTITY:
                rows = [pickle.loads(d) for d in self._rows_of(ENTITY, key)]
                if rows:
                    ents.update(entity_lines(key, *merge_entity(rows)))
            elif kind == STAGE:
                for d in self._rows_of(STAGE, key):
                    proj, its = pickle.loads(d)
                    per_project.setdefault(proj, []).extend(its)
            elif kind == QUANTITY:
                for d in self._rows_of(QUANTITY, key):
                    qrows.extend(pickle.loads(d))
            elif kind == CHECK:
                if self._count(CHECK, key):
                    checks.add(key)
        analysis = analysis_lines(flag_triples(per_project))
        conflicts = conflicts_from_rows(qrows)
        analysis += analysis_lines(conflict_triples(conflicts))
        return ents, set(analysis) | checks, len(conflicts)

    def codes(self) -> set[str]:
        """The region codes of every document."""
        # the constant in the query lets SQLite use the partial index rec_code
        return {k for (k,) in self.db.execute(f"SELECT DISTINCT key FROM rec WHERE kind = {CODE}")}

    def all_keys(self) -> set[tuple[int, str]]:
        return set(self.db.execute("SELECT DISTINCT kind, key FROM rec"))

    def commit(self, fingerprint: str, vocabulary: str, n_conflicts: int) -> None:
        self._set_meta(fingerprint, vocabulary, n_conflicts)
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def close(self) -> None:
        self.db.close()


def state_path(out: Path) -> Path:
    return out / ".cache" / CorpusState.FILE
