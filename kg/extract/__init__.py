"""Stage 2, extract: :class:`~kg.model.Document` → :class:`~kg.model.Extraction`.

Rules and gazetteers, transparent and deterministic. The stage runs in this order, each
step reading only the document and what the steps before it produced:

1. :func:`kg.extract.entities.extract_mentions` — typed mentions (companies, zones,
   projects, government bodies, people, regions, products, industry chains) with offsets,
   grouped within the document by ``(type, key)`` with a canonical name per group;
2. :func:`kg.extract.quantities.extract_quantities` — investment, capacity, output value,
   area, counts, ratios, tax, GDP as numbers in base units, attached to their subject;
3. :func:`kg.extract.status.extract_status` — project life-cycle stages (``hasStatus``);
4. :func:`kg.extract.relations.extract_relations` — locatedIn, investor, produces,
   partOfChain, memberOf, upstreamOf;
5. :func:`kg.extract.leaders.extract_leaders` — chain leaders (链主) named in the text;
6. :func:`kg.lifecycle.extract_events` — meetings, milestones, dated stages and regional
   indicators.

Domain knowledge (suffixes, patterns, vocabularies) lives in ``data/lexicon/`` and
``ontology/chains/``; nothing here downloads anything.
"""

from __future__ import annotations

from ..model import Document, Extraction

__all__ = ["extract_document", "warm_up"]


def extract_document(doc: Document) -> Extraction:
    """Run every extraction step on one document.

    Parameters
    ----------
    doc : Document
        The ingested document.

    Returns
    -------
    Extraction
        Mentions, quantities and relation candidates, all with offsets into ``doc.text``.
    """
    from .entities import extract_mentions
    from .leaders import extract_leaders
    from .quantities import extract_quantities
    from .relations import extract_relations
    from .status import extract_status

    mentions, canonical = extract_mentions(doc)
    quantities = extract_quantities(doc, mentions)
    relations = (list(extract_status(doc, mentions)) + list(extract_relations(doc, mentions))
                 + list(extract_leaders(doc, mentions)))
    events = _extract_events(doc, mentions, quantities, relations)
    return Extraction(
        document=doc,
        mentions=tuple(mentions),
        quantities=tuple(quantities),
        relations=tuple(relations),
        events=tuple(events),
        canonical=tuple(sorted(canonical.items())),
    )


def _extract_events(doc, mentions, quantities, relations):
    """Meetings, milestones, dated stages and indicators (kg.lifecycle), when installed."""
    import importlib.util

    if importlib.util.find_spec("kg.lifecycle") is None:
        return []
    from ..lifecycle import extract_events

    return extract_events(doc, mentions, quantities, relations)


#: A short text of the genre that takes extraction through its usual paths (places at every
#: level, a zone, a company, a project with its amount, capacity, stage and dates, a chain):
#: :func:`warm_up` extracts it so that the dictionaries those paths load are loaded.
_WARM_TEXT = (
    "湖北省襄阳市谷城县人民政府2025年3月12日召开重点项目推进会。"
    "某某新材料科技有限公司投资12.5亿元建设的年产5万吨锂电池正极材料项目"
    "在襄阳高新技术产业开发区开工建设，预计2026年底建成投产，达产后年产值30亿元，"
    "将补齐新能源汽车产业链关键环节，带动就业800人。"
)


def warm_up() -> None:
    """Load what extraction loads on first use (the gazetteer and its automata, jieba's word
    list, vocabularies, compiled patterns) by extracting a short built-in text. A process
    that will extract documents soon can pay for that ahead, beside other work; extraction
    gives the same results with or without it."""
    from ..ingest import ingest_text

    extract_document(ingest_text(_WARM_TEXT, path="<warm-up>"))
