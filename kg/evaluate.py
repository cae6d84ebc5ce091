"""Score ``kg extract --format json`` predictions against hand-annotated gold files.

The rules are those of ``../shared/eval/README.md`` ("How a prediction is scored"): strings are
compared after :func:`normalize_form`; entities match per type by an equal form or by containment
when the shorter form is at least 75 % of the longer one, one-to-one; relations match on predicate
and on both ends (type-agnostic, via the entity alignment), ``hasStatus`` on the status code;
quantities match on kind, unit and a value within 0.5 %, once ignoring and once requiring the
subject; ``optional`` gold entities, and every relation or quantity that mentions them, count
neither way. Both gold layouts are read (the older seed layout with one entry per surface form and
the per-entity dev layout), :func:`score_document` and :func:`combine` produce :class:`Report`
objects with true/false positive and false negative counts per bucket, :func:`error_analysis`
lists the misses for debugging, and :func:`pair_gold_and_texts` with :func:`evaluate` drive a
whole gold folder through an extraction function. The module uses the standard library only and
does nothing at import time.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ENTITY_TYPES",
    "SCORED_RELATIONS",
    "STATUS_CODES",
    "STATUS_MAP",
    "Counts",
    "GoldDoc",
    "GoldEntity",
    "GoldQuantity",
    "GoldRelation",
    "Report",
    "combine",
    "error_analysis",
    "evaluate",
    "format_table",
    "load_gold",
    "normalize_form",
    "pair_gold_and_texts",
    "parse_gold",
    "score_document",
    "status_code",
]

#: Entity types that are scored (others, on either side, are ignored).
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

#: Relation predicates that are scored (others, on either side, are ignored).
SCORED_RELATIONS: tuple[str, ...] = (
    "locatedIn",
    "investor",
    "produces",
    "partOfChain",
    "upstreamOf",
    "memberOf",
    "hasStatus",
)

#: The closed, scored status vocabulary of the gold files.
STATUS_CODES: tuple[str, ...] = (
    "planned",
    "not_started",
    "started",
    "under_construction",
    "trial_production",
    "in_production",
    "completed",
)

#: Finer status codes the extractor may emit, mapped to the scored vocabulary.
STATUS_MAP: dict[str, str] = {
    **{code: code for code in STATUS_CODES},
    "signed": "planned",
    "preliminary": "planned",
    "resumed": "under_construction",
    "suspended": "under_construction",
    "continued": "under_construction",
    "reached_capacity": "in_production",
}

#: Relative tolerance for quantity values.
VALUE_TOLERANCE = 0.005

_QUOTES = "\"'“”‘’「」『』"
_STRIP_RE = re.compile(r"[\s" + re.escape(_QUOTES) + r"]+")


def normalize_form(s: str) -> str:
    """Normalise a surface form for comparison.

    Parameters
    ----------
    s : str
        Any string (``None`` is treated as empty).

    Returns
    -------
    str
        The NFKC form of `s` without white space and without ASCII or Chinese quotes
        (``" ' “ ” ‘ ’ 「 」 『 』``), lower-cased.
    """
    if not s:
        return ""
    return _STRIP_RE.sub("", unicodedata.normalize("NFKC", str(s))).lower()


def status_code(value: str) -> str:
    """Map a status IRI or code to the scored status vocabulary.

    Parameters
    ----------
    value : str
        A status concept IRI (the code is its last path segment, after the last ``/`` or
        ``#``) or a plain code.

    Returns
    -------
    str
        The scored code (``signed`` becomes ``planned`` and so on, see :data:`STATUS_MAP`);
        an unknown code is returned unchanged and so never matches.
    """
    code = _last_segment(str(value or "")).strip()
    return STATUS_MAP.get(code, code)


def _last_segment(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


# --------------------------------------------------------------------------------------------
# Gold


@dataclass(frozen=True)
class GoldEntity:
    """One gold entity: every surface form of one referent of one type.

    Attributes
    ----------
    canonical : str
        The name used by relations and quantities.
    type : str
        Entity type.
    forms : tuple of str
        Normalised forms (canonical, every ``text``, every alias), without duplicates.
    optional : bool
        Whether the entity counts neither way.
    """

    canonical: str
    type: str
    forms: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True)
class GoldRelation:
    """One scored gold relation.

    Attributes
    ----------
    head, relation, tail : str
        As in the gold file (canonical names; for ``hasStatus`` the tail is a scored status code).
    head_ids, tail_ids : tuple of int
        Indices into :attr:`GoldDoc.entities` the ends refer to (empty ``tail_ids`` for
        ``hasStatus``; empty ``head_ids`` if the name resolves to no entity).
    optional : bool
        Flagged optional in the file, or an end refers only to optional entities.
    """

    head: str
    relation: str
    tail: str
    head_ids: tuple[int, ...]
    tail_ids: tuple[int, ...]
    optional: bool = False


@dataclass(frozen=True)
class GoldQuantity:
    """One gold quantity.

    Attributes
    ----------
    text, subject, kind, unit : str
        As in the gold file.
    value : float
        Value in base units.
    subject_ids : tuple of int
        Indices into :attr:`GoldDoc.entities` the subject refers to.
    optional : bool
        Flagged optional in the file, or the subject refers only to optional entities.
    """

    text: str
    subject: str
    kind: str
    value: float
    unit: str
    subject_ids: tuple[int, ...]
    optional: bool = False


@dataclass
class GoldDoc:
    """A parsed gold file.

    Attributes
    ----------
    name : str
        A label for reports (the file stem by default).
    entities : list of GoldEntity
    relations : list of GoldRelation
        Scored relations only, without duplicates.
    quantities : list of GoldQuantity
    """

    name: str = ""
    entities: list[GoldEntity] = field(default_factory=list)
    relations: list[GoldRelation] = field(default_factory=list)
    quantities: list[GoldQuantity] = field(default_factory=list)


def load_gold(path: str | Path) -> GoldDoc:
    """Read a gold file in either layout.

    Parameters
    ----------
    path : str or Path
        A gold JSON file (dev layout ``dev/gold/NN.json`` or the older ``seed/gold.json``).

    Returns
    -------
    GoldDoc
        The parsed gold, named after the file stem.

    See Also
    --------
    parse_gold : the same from an already-decoded dict.
    """
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return parse_gold(data, name=path.stem)


def parse_gold(data: Mapping[str, Any], name: str = "") -> GoldDoc:
    """Parse a decoded gold file in either layout.

    Both layouts go through the same path: entries are merged by (``canonical``, ``type``), which
    is the identity for the dev layout (one entry per entity) and groups the surface-form entries
    of the seed layout. The forms of an entity are every ``text``, the canonical name and every
    alias. An entity is optional only if *all* its entries are optional: in the seed layout the
    flag marks borderline surface forms (a bare ``开发区`` for a zone also named in full), so a
    referent with at least one firm form must be found, and its optional forms simply stay
    acceptable alternatives. Extra keys (``nested``, ``evidence``, ``note`` …) are ignored, and
    only the relations of :data:`SCORED_RELATIONS` are kept; relations and quantities flagged
    ``optional`` (seed layout) or referring to optional entities only are kept but marked
    optional.

    Parameters
    ----------
    data : mapping
        The decoded JSON object with ``entities``, ``relations`` and ``quantities``.
    name : str, optional
        Label for reports.

    Returns
    -------
    GoldDoc
    """
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for entry in data.get("entities") or []:
        canonical = str(entry.get("canonical") or entry.get("text") or "")
        groups.setdefault((canonical, str(entry.get("type") or "")), []).append(entry)

    entities: list[GoldEntity] = []
    for (canonical, etype), entries in groups.items():
        raw = [canonical]
        for entry in entries:
            raw.append(entry.get("text") or "")
            raw.extend(entry.get("aliases") or [])
        forms = tuple(dict.fromkeys(f for f in map(normalize_form, raw) if f))
        optional = all(bool(entry.get("optional")) for entry in entries)
        entities.append(GoldEntity(canonical, etype, forms, optional))

    by_canonical: dict[str, list[int]] = {}
    by_form: dict[str, list[int]] = {}
    for i, ent in enumerate(entities):
        by_canonical.setdefault(ent.canonical, []).append(i)
        for form in ent.forms:
            by_form.setdefault(form, []).append(i)

    def resolve(name_: str) -> tuple[int, ...]:
        # canonical names first; a name that is only a surface form (seed: "长治") second
        ids = by_canonical.get(name_) or by_form.get(normalize_form(name_)) or []
        return tuple(ids)

    def all_optional(ids: tuple[int, ...]) -> bool:
        return bool(ids) and all(entities[i].optional for i in ids)

    relations: list[GoldRelation] = []
    seen: set[tuple[str, str, str]] = set()
    for entry in data.get("relations") or []:
        rel = str(entry.get("relation") or "")
        if rel not in SCORED_RELATIONS:
            continue
        head = str(entry.get("head") or "")
        tail = str(entry.get("tail") or "")
        if rel == "hasStatus":
            tail = status_code(tail)
        key = (head, rel, tail)
        if key in seen:
            continue
        seen.add(key)
        head_ids = resolve(head)
        tail_ids = () if rel == "hasStatus" else resolve(tail)
        optional = bool(entry.get("optional")) or all_optional(head_ids) or all_optional(tail_ids)
        relations.append(GoldRelation(head, rel, tail, head_ids, tail_ids, optional))

    quantities: list[GoldQuantity] = []
    for entry in data.get("quantities") or []:
        subject = str(entry.get("subject") or "")
        subject_ids = resolve(subject)
        value = _as_float(entry.get("value"))
        quantities.append(
            GoldQuantity(
                text=str(entry.get("text") or ""),
                subject=subject,
                kind=str(entry.get("kind") or ""),
                value=value if value is not None else math.nan,
                unit=str(entry.get("unit") or ""),
                subject_ids=subject_ids,
                optional=bool(entry.get("optional")) or all_optional(subject_ids),
            )
        )
    return GoldDoc(name, entities, relations, quantities)


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


# --------------------------------------------------------------------------------------------
# Matching helpers


def _pair_quality(a: str, b: str) -> tuple[int, float] | None:
    """Quality of matching two normalised forms: (2, 1.0) equal, (1, ratio) containment."""
    if not a or not b:
        return None
    if a == b:
        return (2, 1.0)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if short in long_ and 4 * len(short) >= 3 * len(long_):
        return (1, len(short) / len(long_))
    return None


def _forms_quality(
    pred_forms: Sequence[str], gold_forms: Sequence[str]
) -> tuple[int, float] | None:
    best: tuple[int, float] | None = None
    for p in pred_forms:
        for g in gold_forms:
            q = _pair_quality(p, g)
            if q is not None and (best is None or q > best):
                best = q
    return best


def _assign(n_left: int, edges: Iterable[tuple[Any, int, int]]) -> dict[int, int]:
    """One-to-one assignment, deterministic and of maximum cardinality.

    ``edges`` are ``(sort_key, left, right)``; smaller keys are better. Pairs are taken greedily
    in key order, then augmenting paths (trying each left node's edges in key order) raise the
    matching to maximum cardinality without unmatching anybody.

    Returns
    -------
    dict
        left index -> right index.
    """
    ordered = sorted(edges, key=lambda e: e[0])
    adjacency: dict[int, list[int]] = {}
    for _, left, right in ordered:
        adjacency.setdefault(left, []).append(right)
    match_left: dict[int, int] = {}
    match_right: dict[int, int] = {}
    for _, left, right in ordered:
        if left not in match_left and right not in match_right:
            match_left[left] = right
            match_right[right] = left

    def augment(left: int, visited: set[int]) -> bool:
        for right in adjacency.get(left, ()):
            if right in visited:
                continue
            visited.add(right)
            if right not in match_right or augment(match_right[right], visited):
                match_left[left] = right
                match_right[right] = left
                return True
        return False

    for left in range(n_left):
        if left not in match_left and left in adjacency:
            augment(left, set())
    return match_left


# --------------------------------------------------------------------------------------------
# Core comparison


@dataclass
class _PredEntity:
    index: int
    id: str
    type: str
    label: str
    forms: tuple[str, ...]


@dataclass
class _Comparison:
    """Everything both :func:`score_document` and :func:`error_analysis` need."""

    gold: GoldDoc
    pred_entities: list[_PredEntity]
    # entity level
    aligned: dict[int, int]  # pred entity -> gold entity
    dropped: set[int]  # pred entities that only match optional gold entities
    # relation level: (pred key, representative raw relation) and gold indices
    pred_relations: list[tuple[tuple[Any, str, Any], Mapping[str, Any]]]
    rel_matches: dict[int, int]  # pred relation -> gold relation
    rel_dropped: set[int]
    # quantity level
    pred_quantities: list[Mapping[str, Any]]
    q_subject: list[int | None]  # resolved gold entity of each pred quantity's subject
    q_dropped: set[int]
    q_value_matches: dict[int, int]
    q_subject_matches: dict[int, int]


def _pred_entities(pred: Mapping[str, Any]) -> list[_PredEntity]:
    out = []
    for i, ent in enumerate(pred.get("entities") or []):
        raw = [ent.get("label") or ""]
        raw.extend(ent.get("aliases") or [])
        raw.extend((m or {}).get("text") or "" for m in ent.get("mentions") or [])
        forms = tuple(dict.fromkeys(f for f in map(normalize_form, raw) if f))
        out.append(
            _PredEntity(
                i,
                str(ent.get("id") or ""),
                str(ent.get("type") or ""),
                str(ent.get("label") or ""),
                forms,
            )
        )
    return out


def _quantity_delta(pv: float | None, gv: float) -> float | None:
    """Relative difference if within tolerance, else None."""
    if pv is None or math.isnan(gv):
        return None
    if gv == 0:
        return 0.0 if pv == 0 else None
    delta = abs(pv - gv) / abs(gv)
    return delta if delta <= VALUE_TOLERANCE + 1e-12 else None


def _compare(pred: Mapping[str, Any], gold: GoldDoc) -> _Comparison:
    gents = gold.entities
    pents = _pred_entities(pred)

    # ---- entities: per type, one-to-one, exact before containment, then by ratio;
    # on ties non-optional gold entities first, then file order.
    edges = []
    for p in pents:
        if p.type not in ENTITY_TYPES:
            continue
        for g_idx, g in enumerate(gents):
            if g.type != p.type:
                continue
            q = _forms_quality(p.forms, g.forms)
            if q is not None:
                edges.append(((-q[0], -q[1], g.optional, g_idx, p.index), p.index, g_idx))
    aligned = _assign(len(pents), edges)
    dropped = {p for p, g in aligned.items() if gents[g].optional}
    # an unaligned prediction that matches an optional gold entity of its type is neutral too
    for _, p, g in edges:
        if p not in aligned and gents[g].optional:
            dropped.add(p)

    # resolution of a predicted entity to one gold entity, for relation ends and quantity
    # subjects: its aligned gold entity, else (unaligned, e.g. a duplicate or another type) the
    # best form match among all gold entities of any type.
    resolved: dict[int, int] = {}
    for p in pents:
        if p.index in dropped:
            continue
        if p.index in aligned:
            resolved[p.index] = aligned[p.index]
            continue
        best = None
        for g_idx, g in enumerate(gents):
            q = _forms_quality(p.forms, g.forms)
            if q is None:
                continue
            key = (-q[0], -q[1], g.type != p.type, g.optional, g_idx)
            if best is None or key < best[0]:
                best = (key, g_idx)
        if best is not None:
            resolved[p.index] = best[1]
    by_id: dict[str, int] = {}
    for p in pents:
        by_id.setdefault(p.id, p.index)

    def end_key(iri: Any) -> tuple[str, Any] | None:
        """('g', gold index) | ('p', iri) for unresolved; None if the end is dropped."""
        p_idx = by_id.get(str(iri))
        if p_idx is not None and p_idx in dropped:
            return None
        if p_idx is not None and p_idx in resolved:
            g_idx = resolved[p_idx]
            if gents[g_idx].optional:
                return None
            return ("g", g_idx)
        return ("p", str(iri))

    # ---- relations: dedupe predicted relations by mapped key, then one-to-one
    pred_relations: list[tuple[tuple[Any, str, Any], Mapping[str, Any]]] = []
    seen_keys: set[tuple[Any, str, Any]] = set()
    for rel in pred.get("relations") or []:
        predicate = _last_segment(str(rel.get("predicate") or ""))
        if predicate not in SCORED_RELATIONS:
            continue
        subj = end_key(rel.get("subject"))
        if subj is None:
            continue
        if predicate == "hasStatus":
            obj: Any = ("s", status_code(str(rel.get("object") or "")))
        else:
            obj = end_key(rel.get("object"))
            if obj is None:
                continue
        key = (subj, predicate, obj)
        if key in seen_keys:
            continue
        seen_keys.add(key)
        pred_relations.append((key, rel))

    rel_edges = []
    for r_idx, ((subj, predicate, obj), _) in enumerate(pred_relations):
        if subj[0] != "g":
            continue
        for g_idx, grel in enumerate(gold.relations):
            if grel.relation != predicate or subj[1] not in grel.head_ids:
                continue
            if predicate == "hasStatus":
                ok = obj[1] == grel.tail
            else:
                ok = obj[0] == "g" and obj[1] in grel.tail_ids
            if ok:
                rel_edges.append(((grel.optional, g_idx, r_idx), r_idx, g_idx))
    rel_matches = _assign(len(pred_relations), rel_edges)
    rel_dropped = {r for r, g in rel_matches.items() if gold.relations[g].optional}

    # ---- quantities
    pred_quantities: list[Mapping[str, Any]] = []
    seen_q: set[tuple[Any, ...]] = set()
    q_subject: list[int | None] = []
    q_dropped: set[int] = set()
    for q in pred.get("quantities") or []:
        ident = tuple(
            str(q.get(k)) for k in ("subject", "kind", "value", "unit", "text", "start", "end")
        )
        if ident in seen_q:
            continue
        seen_q.add(ident)
        idx = len(pred_quantities)
        pred_quantities.append(q)
        subj = end_key(q.get("subject"))
        if subj is None:
            q_dropped.add(idx)
            q_subject.append(None)
        else:
            q_subject.append(subj[1] if subj[0] == "g" else None)

    value_edges = []
    subject_edges = []
    for q_idx, q in enumerate(pred_quantities):
        if q_idx in q_dropped:
            continue
        kind = normalize_form(str(q.get("kind") or ""))
        unit = normalize_form(str(q.get("unit") or ""))
        pv = _as_float(q.get("value"))
        for g_idx, gq in enumerate(gold.quantities):
            if normalize_form(gq.kind) != kind or normalize_form(gq.unit) != unit:
                continue
            delta = _quantity_delta(pv, gq.value)
            if delta is None:
                continue
            subject_ok = q_subject[q_idx] is not None and q_subject[q_idx] in gq.subject_ids
            value_edges.append(((gq.optional, not subject_ok, delta, g_idx, q_idx), q_idx, g_idx))
            if subject_ok:
                subject_edges.append(((gq.optional, delta, g_idx, q_idx), q_idx, g_idx))
    q_value_matches = _assign(len(pred_quantities), value_edges)
    q_dropped |= {q for q, g in q_value_matches.items() if gold.quantities[g].optional}
    q_subject_matches = _assign(
        len(pred_quantities), [e for e in subject_edges if e[1] not in q_dropped]
    )
    return _Comparison(
        gold,
        pents,
        aligned,
        dropped,
        pred_relations,
        rel_matches,
        rel_dropped,
        pred_quantities,
        q_subject,
        q_dropped,
        q_value_matches,
        q_subject_matches,
    )


# --------------------------------------------------------------------------------------------
# Reports


@dataclass
class Counts:
    """True positives, false positives and false negatives of one bucket."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def empty(self) -> bool:
        """True when the bucket has neither gold nor predicted items."""
        return self.tp + self.fp + self.fn == 0

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); 0.0 without predictions; None for an empty bucket."""
        if self.empty:
            return None
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float | None:
        """tp / (tp + fn); 0.0 without gold items; None for an empty bucket."""
        if self.empty:
            return None
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; None for an empty bucket."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, Any]:
        """Counts and scores as a JSON-serialisable dict."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "p": self.precision,
            "r": self.recall,
            "f1": self.f1,
        }


def _bucket_names() -> list[str]:
    return (
        ["entities"]
        + [f"entities.{t}" for t in ENTITY_TYPES]
        + ["relations"]
        + [f"relations.{r}" for r in SCORED_RELATIONS]
        + ["quantities.value", "quantities.with_subject", "overall"]
    )


@dataclass
class Report:
    """Counts per bucket.

    Buckets: ``entities`` (micro over types) and ``entities.<Type>``, ``relations`` (micro over
    the scored predicates) and ``relations.<predicate>``, ``quantities.value``,
    ``quantities.with_subject`` and ``overall`` (micro over entities, relations and
    ``quantities.value``). Every bucket is always present.

    Attributes
    ----------
    buckets : dict of str to Counts
    """

    buckets: dict[str, Counts] = field(
        default_factory=lambda: {name: Counts() for name in _bucket_names()}
    )

    def __getitem__(self, bucket: str) -> Counts:
        return self.buckets[bucket]

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Bucket name -> ``{"tp", "fp", "fn", "p", "r", "f1"}`` (scores None when empty)."""
        return {name: counts.to_dict() for name, counts in self.buckets.items()}


def _finish(report: Report) -> Report:
    b = report.buckets
    b["entities"] = sum((b[f"entities.{t}"] for t in ENTITY_TYPES), Counts())
    b["relations"] = sum((b[f"relations.{r}"] for r in SCORED_RELATIONS), Counts())
    b["overall"] = b["entities"] + b["relations"] + b["quantities.value"]
    return report


def score_document(pred: Mapping[str, Any], gold: GoldDoc) -> Report:
    """Score one prediction against its gold file.

    Parameters
    ----------
    pred : mapping
        The dict produced by ``kg extract --format json``.
    gold : GoldDoc
        The gold, from :func:`load_gold`.

    Returns
    -------
    Report
        tp/fp/fn per bucket.

    Notes
    -----
    Predicted entities of types outside :data:`ENTITY_TYPES` and relations outside
    :data:`SCORED_RELATIONS` are ignored. Predicted relations are deduplicated by their mapped key
    (gold entity of each end, predicate, status code) before counting, so the same fact extracted
    twice is one prediction; a relation end that is not aligned to a gold entity (a duplicate, or
    a prediction of another type) still counts when its forms match a gold entity.
    """
    c = _compare(pred, gold)
    report = Report()
    b = report.buckets
    gents = gold.entities
    aligned_gold = set(c.aligned.values())
    for g_idx, g in enumerate(gents):
        if g.optional or g.type not in ENTITY_TYPES:
            continue
        bucket = b[f"entities.{g.type}"]
        if g_idx in aligned_gold:
            bucket.tp += 1
        else:
            bucket.fn += 1
    for p in c.pred_entities:
        if p.type in ENTITY_TYPES and p.index not in c.aligned and p.index not in c.dropped:
            b[f"entities.{p.type}"].fp += 1

    matched_gold_rel = set(c.rel_matches.values())
    for g_idx, grel in enumerate(gold.relations):
        if grel.optional:
            continue
        bucket = b[f"relations.{grel.relation}"]
        if g_idx in matched_gold_rel:
            bucket.tp += 1
        else:
            bucket.fn += 1
    for r_idx, ((_, predicate, _), _) in enumerate(c.pred_relations):
        if r_idx not in c.rel_matches and r_idx not in c.rel_dropped:
            b[f"relations.{predicate}"].fp += 1

    for bucket_name, matches in (
        ("quantities.value", c.q_value_matches),
        ("quantities.with_subject", c.q_subject_matches),
    ):
        bucket = b[bucket_name]
        matched = set(matches.values())
        for g_idx, gq in enumerate(gold.quantities):
            if not gq.optional:
                if g_idx in matched:
                    bucket.tp += 1
                else:
                    bucket.fn += 1
        for q_idx in range(len(c.pred_quantities)):
            if q_idx not in matches and q_idx not in c.q_dropped:
                bucket.fp += 1
    return _finish(report)


def combine(reports: Iterable[Report]) -> Report:
    """Micro-average reports by summing their counts.

    Parameters
    ----------
    reports : iterable of Report

    Returns
    -------
    Report
    """
    total = Report()
    for report in reports:
        for name, counts in report.buckets.items():
            total.buckets[name] = total.buckets.get(name, Counts()) + counts
    return _finish(total)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def format_table(report: Report, title: str = "") -> str:
    """Render a report as an aligned plain-text table.

    Parameters
    ----------
    report : Report
    title : str, optional
        A first line above the table.

    Returns
    -------
    str
        Columns bucket, P, R, F1, tp, fp, fn; empty buckets show ``-`` scores.
    """
    header = ("bucket", "P", "R", "F1", "tp", "fp", "fn")
    rows = [header]
    for name, c in report.buckets.items():
        rows.append(
            (name, _fmt(c.precision), _fmt(c.recall), _fmt(c.f1), str(c.tp), str(c.fp), str(c.fn))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [title] if title else []
    for k, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def error_analysis(pred: Mapping[str, Any], gold: GoldDoc) -> dict[str, Any]:
    """List the false negatives and false positives of one prediction.

    Parameters
    ----------
    pred : mapping
        The dict produced by ``kg extract --format json``.
    gold : GoldDoc

    Returns
    -------
    dict
        ``{"entities": {"fn": [...], "fp": [...]}, "relations": {...}, "quantities": {...},
        "quantities_with_subject": {...}}``; items carry their strings (canonical names, labels,
        quantity texts). Entity false positives say whether they are a ``duplicate`` of an
        already matched gold entity, a ``type`` confusion, or ``unmatched``.
    """
    c = _compare(pred, gold)
    gents = gold.entities
    pents = c.pred_entities
    label_of = {p.id: p.label for p in pents}
    aligned_gold = set(c.aligned.values())

    ent_fn = [
        {"type": g.type, "canonical": g.canonical, "forms": list(g.forms)}
        for i, g in enumerate(gents)
        if not g.optional and g.type in ENTITY_TYPES and i not in aligned_gold
    ]
    ent_fp = []
    for p in pents:
        if p.type not in ENTITY_TYPES or p.index in c.aligned or p.index in c.dropped:
            continue
        reason, near = "unmatched", None
        for g in gents:
            if g.optional or _forms_quality(p.forms, g.forms) is None:
                continue
            if g.type == p.type:
                reason, near = "duplicate", g.canonical
                break
            if reason == "unmatched":
                reason, near = f"type (gold {g.type})", g.canonical
        ent_fp.append(
            {"type": p.type, "label": p.label, "id": p.id, "reason": reason, "gold": near}
        )

    def end_name(key: tuple[str, Any]) -> str:
        if key[0] == "g":
            return gents[key[1]].canonical
        if key[0] == "s":
            return key[1]
        return label_of.get(key[1], key[1])

    matched_rel = set(c.rel_matches.values())
    rel_fn = [
        {"head": r.head, "relation": r.relation, "tail": r.tail}
        for i, r in enumerate(gold.relations)
        if not r.optional and i not in matched_rel
    ]
    rel_fp = []
    for r_idx, ((subj, predicate, obj), raw) in enumerate(c.pred_relations):
        if r_idx in c.rel_matches or r_idx in c.rel_dropped:
            continue
        item = {
            "subject": label_of.get(str(raw.get("subject")), str(raw.get("subject"))),
            "predicate": predicate,
            "object": end_name(obj),
            "subject_gold": gents[subj[1]].canonical if subj[0] == "g" else None,
            "object_gold": gents[obj[1]].canonical if obj[0] == "g" else None,
        }
        evidence = raw.get("evidence")
        if isinstance(evidence, Mapping) and evidence.get("text"):
            item["evidence"] = evidence.get("text")
        rel_fp.append(item)

    def quantity_lists(matches: dict[int, int]) -> dict[str, list[dict[str, Any]]]:
        matched = set(matches.values())
        fn = [
            {"text": q.text, "subject": q.subject, "kind": q.kind, "value": q.value, "unit": q.unit}
            for i, q in enumerate(gold.quantities)
            if not q.optional and i not in matched
        ]
        fp = []
        for q_idx, q in enumerate(c.pred_quantities):
            if q_idx in matches or q_idx in c.q_dropped:
                continue
            subj_gold = c.q_subject[q_idx]
            fp.append(
                {
                    "text": q.get("text"),
                    "subject": label_of.get(str(q.get("subject")), q.get("subject")),
                    "subject_gold": gents[subj_gold].canonical if subj_gold is not None else None,
                    "kind": q.get("kind"),
                    "value": q.get("value"),
                    "unit": q.get("unit"),
                }
            )
        return {"fn": fn, "fp": fp}

    return {
        "entities": {"fn": ent_fn, "fp": ent_fp},
        "relations": {"fn": rel_fn, "fp": rel_fp},
        "quantities": quantity_lists(c.q_value_matches),
        "quantities_with_subject": quantity_lists(c.q_subject_matches),
    }


# --------------------------------------------------------------------------------------------
# Batch


def pair_gold_and_texts(gold: str | Path, texts: str | Path) -> list[tuple[str, Path, Path]]:
    """Pair gold files with their texts.

    Parameters
    ----------
    gold : str or Path
        A folder of gold ``NN.json`` files, or one gold file.
    texts : str or Path
        A folder holding ``NN.txt`` for each gold ``NN.json``; or, with a single gold file,
        the text file itself (a folder is searched for the gold file's stem + ``.txt``).

    Returns
    -------
    list of (name, gold_path, text_path)
        Sorted by name. The name is the shared stem for a folder, the text file's stem for a
        single pair (``seed/gold.json`` + ``000_e439af9d8f037c90.txt`` → ``000_e439af9d8f037c90``).

    Raises
    ------
    FileNotFoundError
        If a gold path, a text or a gold folder's file is missing.
    """
    gold, texts = Path(gold), Path(texts)
    if gold.is_dir():
        if not texts.is_dir():
            raise FileNotFoundError(f"{texts}: expected a folder of texts for gold folder {gold}")
        pairs = []
        missing = []
        for gold_path in sorted(gold.glob("*.json")):
            text_path = texts / f"{gold_path.stem}.txt"
            if not text_path.is_file():
                missing.append(str(text_path))
            pairs.append((gold_path.stem, gold_path, text_path))
        if missing:
            raise FileNotFoundError("missing texts: " + ", ".join(missing))
        if not pairs:
            raise FileNotFoundError(f"{gold}: no gold *.json files")
        return pairs
    if not gold.is_file():
        raise FileNotFoundError(str(gold))
    text_path = texts / f"{gold.stem}.txt" if texts.is_dir() else texts
    if not text_path.is_file():
        raise FileNotFoundError(str(text_path))
    return [(text_path.stem, gold, text_path)]


def evaluate(
    pairs: Iterable[tuple[str, str | Path, str | Path]],
    extract_fn: Callable[[Path], Mapping[str, Any]],
) -> tuple[dict[str, Report], Report]:
    """Extract and score every pair.

    Parameters
    ----------
    pairs : iterable of (name, gold_path, text_path)
        As returned by :func:`pair_gold_and_texts`.
    extract_fn : callable
        ``extract_fn(text_path) -> prediction dict`` (the ``kg extract --format json`` dict).

    Returns
    -------
    per_doc : dict of str to Report
        One report per name, in input order.
    total : Report
        The micro-average (:func:`combine`) of all documents.
    """
    per_doc: dict[str, Report] = {}
    for name, gold_path, text_path in pairs:
        gold = load_gold(gold_path)
        per_doc[name] = score_document(extract_fn(Path(text_path)), gold)
    return per_doc, combine(per_doc.values())
