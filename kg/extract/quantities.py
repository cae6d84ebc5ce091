"""Quantities (placeholder until the rule set lands)."""
from __future__ import annotations

from ..model import Document, Mention, Quantity


def extract_quantities(doc: Document, mentions: list[Mention]) -> list[Quantity]:
    return []
