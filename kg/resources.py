"""Where the ontology, chain vocabularies and lexicon tables live.

They are data files a user can extend without touching Python. By default they are read
from the project tree (``ontology/`` and ``data/lexicon/`` beside the ``kg`` package); the
environment variables ``CHAINKG_ONTOLOGY`` and ``CHAINKG_LEXICON`` point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "ontology_dir", "lexicon_dir", "chain_files", "queries_dir",
           "lifecycle_vocabulary_files", "place_name_files"]


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def ontology_dir() -> Path:
    return Path(os.environ.get("CHAINKG_ONTOLOGY") or project_root() / "ontology")


def lexicon_dir() -> Path:
    return Path(os.environ.get("CHAINKG_LEXICON") or project_root() / "data" / "lexicon")


def chain_files() -> list[Path]:
    return sorted((ontology_dir() / "chains").glob("*.ttl"))


def queries_dir() -> Path:
    return Path(__file__).resolve().parent / "queries"


def lifecycle_vocabulary_files() -> list[Path]:
    """The life-cycle vocabularies: milestone types, 三未 rules and stages."""
    return [ontology_dir() / "lifecycle.ttl", ontology_dir() / "status.ttl"]


def jionlp_dictionary_dir() -> Path | None:
    """The dictionary folder of the installed jionlp package (found, not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "dictionary"


def place_name_files() -> list[Path]:
    """The files the gazetteer of place names is built from."""
    d = jionlp_dictionary_dir()
    files = [d / "china_location.zip", d / "world_location.txt"] if d is not None else []
    return [*files, lexicon_dir() / "areas.tsv"]
