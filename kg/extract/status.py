"""Project status (placeholder until the rule set lands)."""
from __future__ import annotations

from ..model import Document, Mention, RelationCandidate


def extract_status(doc: Document, mentions: list[Mention]) -> list[RelationCandidate]:
    return []
