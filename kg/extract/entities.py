"""Entity mentions (placeholder until the rule set lands)."""
from __future__ import annotations

from ..model import Document, Mention


def extract_mentions(doc: Document) -> tuple[list[Mention], dict[tuple[str, str], str]]:
    """Return ``(mentions, canonical)`` where ``canonical`` maps ``(type, key)`` → name."""
    return [], {}
