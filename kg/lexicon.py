"""Domain knowledge for extraction: lexicon tables and chain vocabularies.

This module serves the ``extract`` stage. It reads the user-extensible TSV tables under
``data/lexicon/`` (company suffixes, zone patterns, project heads, government-body patterns,
person cues, stop words, product and sector vocabularies) and the SKOS chain vocabularies
under ``ontology/chains/*.ttl`` (product and chain surface forms with their concept, link
and scheme IRIs). Everything is loaded lazily on first use and cached; nothing happens at
import time.

A table has one header line, then any number of comment lines starting with ``#``, then
tab-separated rows; the first column is the key.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from .diskcache import disk_cached
from .resources import chain_files, lexicon_dir

__all__ = [
    "read_table",
    "words",
    "column_map",
    "VocabEntry",
    "chain_vocabulary",
    "product_vocabulary",
    "industry_vocabulary",
]


@cache
def read_table(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of the lexicon table ``data/lexicon/<name>.tsv`` (header and comments skipped).

    Parameters
    ----------
    name : str
        File stem of the table, e.g. ``"company_suffixes"``.

    Returns
    -------
    tuple of tuple of str
        One tuple of stripped cells per data row; a missing file gives ``()``.
    """
    path = Path(lexicon_dir()) / f"{name}.tsv"
    if not path.exists():
        return ()
    rows: list[tuple[str, ...]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = tuple(unicodedata.normalize("NFKC", c).strip() for c in line.split("\t"))
        if cells[0]:
            rows.append(cells)
    return tuple(rows)


@cache
def words(name: str) -> frozenset[str]:
    """The first column of table ``name`` as a set."""
    return frozenset(r[0] for r in read_table(name))


@cache
def column_map(name: str, column: int = 1) -> dict[str, str]:
    """``first column → column`` of table ``name`` (empty cells map to ``""``)."""
    return {r[0]: (r[column] if len(r) > column else "") for r in read_table(name)}


@dataclass(frozen=True, slots=True)
class VocabEntry:
    """One surface form of a chain vocabulary term.

    ``kind`` is ``"product"``, ``"link"`` or ``"chain"``; ``concept`` the IRI of the term,
    ``link`` the chain link it belongs to (products) and ``chain`` the scheme IRI.
    """

    form: str
    kind: str
    concept: str
    link: str = ""
    chain: str = ""
    label: str = ""


_SKOS = "http://www.w3.org/2004/02/skos/core#"
_KG = "https://w3id.org/chainkg/ontology#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _load_chain_graph():
    """Parse every chain file into one pyoxigraph store (None when nothing parses)."""
    files = chain_files()
    if not files:
        return None
    import pyoxigraph as ox

    store = ox.Store()
    for f in files:
        try:
            store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE)
        except Exception:  # a broken file under edit must not stop extraction
            continue
    return store


@lru_cache(maxsize=1)
@disk_cached(lambda: chain_files())
def chain_vocabulary() -> tuple[VocabEntry, ...]:
    """All surface forms of the chain vocabularies (``ontology/chains/*.ttl``).

    Products (``kg:ProductType``) carry their link (``skos:broader`` that is a
    ``kg:ChainLink``) and scheme (``skos:inScheme`` or the link's scheme); schemes give
    chain forms. Sorted by form, then concept, for determinism.
    """
    store = _load_chain_graph()
    if store is None:
        return ()
    q = f"""
    PREFIX skos: <{_SKOS}> PREFIX kg: <{_KG}>
    SELECT ?c ?kind ?form ?pref ?link ?scheme WHERE {{
      {{ ?c a kg:ProductType . BIND("product" AS ?kind) }}
      UNION {{ ?c a kg:ChainLink . BIND("link" AS ?kind) }}
      UNION {{ ?c a skos:ConceptScheme . BIND("chain" AS ?kind) }}
      ?c skos:prefLabel|skos:altLabel ?form .
      FILTER(lang(?form) = "" || langMatches(lang(?form), "zh"))
      OPTIONAL {{ ?c skos:prefLabel ?pref . FILTER(lang(?pref) = "" || langMatches(lang(?pref), "zh")) }}
      OPTIONAL {{ ?c skos:broader+ ?link . ?link a kg:ChainLink . }}
      OPTIONAL {{ {{ ?c skos:inScheme ?scheme }} UNION {{ ?c skos:broader+/skos:inScheme ?scheme }}
                 UNION {{ ?c skos:topConceptOf ?scheme }} }}
    }}"""
    seen: dict[tuple[str, str, str], VocabEntry] = {}
    try:
        rows = list(store.query(q))
    except Exception:
        return ()
    for row in rows:
        c = row["c"].value
        kind = row["kind"].value
        form = unicodedata.normalize("NFKC", row["form"].value).strip()
        pref = row["pref"].value if row["pref"] is not None else form
        link = row["link"].value if row["link"] is not None else ""
        scheme = row["scheme"].value if row["scheme"] is not None else ""
        if kind == "chain":
            scheme = c
        if not form:
            continue
        k = (form, kind, c)
        old = seen.get(k)
        if old is None or (not old.link and link) or (not old.chain and scheme):
            seen[k] = VocabEntry(form, kind, c, link or (old.link if old else ""),
                                 scheme or (old.chain if old else ""), pref)
    return tuple(sorted(seen.values(), key=lambda e: (e.form, e.kind, e.concept)))


@lru_cache(maxsize=1)
def product_vocabulary() -> dict[str, VocabEntry | None]:
    """Product surface forms: chain-vocabulary products plus ``products.tsv``.

    Values carry the concept/link/chain IRIs when the form comes from a chain file, else
    None.
    """
    out: dict[str, VocabEntry | None] = {w: None for w in words("products")}
    for e in chain_vocabulary():
        if e.kind == "product" and len(e.form) >= 2:
            out[e.form] = e
    return out


@lru_cache(maxsize=1)
def industry_vocabulary() -> dict[str, VocabEntry | None]:
    """Industry / chain surface forms: scheme and link labels plus ``industries.tsv``."""
    out: dict[str, VocabEntry | None] = {w: None for w in words("industries")}
    for e in chain_vocabulary():
        if e.kind == "chain" and len(e.form) >= 2:
            out[e.form] = e
    return out
