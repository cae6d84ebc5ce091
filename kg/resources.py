"""Where the ontology, chain vocabularies and lexicon tables live.

They are data files a user can extend without touching Python. By default they are read
from the project tree (``ontology/`` and ``data/lexicon/`` beside the ``kg`` package); the
environment variables ``CHAINKG_ONTOLOGY`` and ``CHAINKG_LEXICON`` point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "ontology_dir", "lexicon_dir", "chain_files", "queries_dir"]


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
