"""Plain data passed between pipeline stages.

``ingest`` produces :class:`Document`; ``extract`` produces :class:`Extraction` (mentions,
quantities and relation candidates with character offsets); ``resolve`` produces
:class:`Resolved` (entities with canonical names and stable IRIs, relations between them).
All classes are frozen dataclasses: stages never mutate what they are given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ENTITY_TYPES",
    "Sentence",
    "Document",
    "Mention",
    "Quantity",
    "RelationCandidate",
    "Event",
    "Extraction",
    "Entity",
    "Relation",
    "Resolved",
]

#: The entity types of the JSON contract, in display order.
ENTITY_TYPES: tuple[str, ...] = (
    "Company",
    "DevelopmentZone",
    "Project",
    "GovernmentBody",
    "Person",
    "Region",
    "Product",
    "IndustryChain",
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a document; offsets index :attr:`Document.text`."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded, normalised document.

    ``text`` is the repaired text that every offset refers to (layout line breaks inside a
    sentence joined, full-width ASCII folded to half-width; nothing else changed).
    ``raw`` is the decoded original. ``id`` is the SHA-256 of ``text`` (hex, first 16 chars).
    """

    id: str
    path: str
    text: str
    raw: str
    sentences: tuple[Sentence, ...]
    encoding: str = "utf-8"
    title: str = ""
    date: str | None = None  # ISO date (YYYY, YYYY-MM or YYYY-MM-DD) when known
    source: str = ""
    metadata: tuple[tuple[str, str], ...] = ()

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence containing character ``offset``, or None."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.start:
                hi = mid - 1
            elif offset >= s.end:
                lo = mid + 1
            else:
                return s
        return None


@dataclass(frozen=True, slots=True)
class Mention:
    """A typed span of text naming an entity.

    ``key`` is the extractor's grouping hint: mentions with the same ``(type, key)`` denote
    the same thing within the document (e.g. a short name and its full name). ``rule`` names
    the rule that produced the mention (shown by ``kg extract --explain``).
    """

    type: str
    text: str
    start: int
    end: int
    key: str
    rule: str = ""
    attrs: tuple[tuple[str, str], ...] = ()

    def attr(self, name: str, default: str | None = None) -> str | None:
        for k, v in self.attrs:
            if k == name:
                return v
        return default


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with a unit, in base units, attached to the mention it is about.

    ``subject`` is a ``(type, key)`` pair of the mention group it is about (None when no
    subject was found). ``approximate`` is True for 约/近/多/余/超 and ranges; ``bound`` says
    which bound the value is ("lower" for 多/余/以上/超, "upper" for 近/不到, "" otherwise).
    """

    kind: str
    value: float
    unit: str
    text: str
    start: int
    end: int
    subject: tuple[str, str] | None = None
    product: tuple[str, str] | None = None
    approximate: bool = False
    bound: str = ""
    period: str | None = None
    rule: str = ""


@dataclass(frozen=True, slots=True)
class RelationCandidate:
    """A relation between two mention groups, with the span of its evidence.

    ``subject`` and ``object`` are ``(type, key)`` pairs; for ``hasStatus`` the object is
    ``("Status", code)``.
    """

    subject: tuple[str, str]
    predicate: str
    object: tuple[str, str]
    start: int
    end: int
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """A dated happening of a document: a meeting (调度会), a milestone (土地出让, 投产), a stage
    statement, or a regional indicator observation.

    ``kind`` is one of ``meeting``, ``milestone``, ``stage``, ``indicator``; ``concerns`` are the
    ``(type, key)`` groups it is about; ``date`` is an ISO date or interval (``2024-06-12``,
    ``2024-01/2024-07``) when it could be resolved, ``date_text`` the words as stated;
    ``props`` holds kind-specific fields (number, chair, decision, indicator, value, unit).
    """

    kind: str
    label: str
    text: str
    start: int
    end: int
    concerns: tuple[tuple[str, str], ...] = ()
    date: str | None = None
    date_text: str = ""
    props: tuple[tuple[str, str], ...] = ()
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one document."""

    document: Document
    mentions: tuple[Mention, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    relations: tuple[RelationCandidate, ...] = ()
    events: tuple[Event, ...] = ()
    canonical: tuple[tuple[tuple[str, str], str], ...] = ()  # (type,key) -> canonical name


@dataclass(frozen=True, slots=True)
class Entity:
    """A resolved entity: one per real thing."""

    iri: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()  # e.g. ("regionCode", "140400"), ("chain", IRI)


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation between two resolved entities (object may be a concept IRI)."""

    subject: str
    predicate: str
    object: str
    start: int
    end: int
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Resolved:
    """The output of ``resolve``: entities, relations and quantities with IRIs."""

    document: Document
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    quantities: tuple[tuple[str | None, str | None, Quantity], ...] = ()  # (subject, product, q)
    events: tuple[tuple[tuple[str, ...], Event], ...] = ()  # (concerned IRIs, event)
    extras: dict = field(default_factory=dict, hash=False, compare=False)
