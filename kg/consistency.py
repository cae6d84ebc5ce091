"""Consistency of stated figures: rates and sums that the text's own numbers must satisfy.

Run by ``kg validate`` and at build time (:func:`kg.lifecycle.add_lifecycle_analysis`), on
the indicator observations of an assembled dataset (``qb:Observation`` with ``kg:indicator``,
``kg:refArea``, ``kg:refPeriod``, ``kg:obsValue``, ``kg:scope``, ``kg:sentence``). The rules
are data — the ``kg:RateRule``, ``kg:SumRule`` and ``kg:BoundRule`` resources of
``ontology/lifecycle.ttl``:

- rate: ``开工率 = 开工项目数 / 新建项目数 × 100``; a stated rate passes if it is the computed
  rate rounded *or truncated* to the precision it is stated with (1038/1141 = 90.97…, stated
  90.9: truncated, pass);
- sum: ``重点项目数 = 续建项目数 + 新建项目数``;
- bound: ``开工项目数 ≤ 新建项目数``.

A rule applies to observations of one document, one area, one period and one scope that are
stated close together (within two sentences): that is how a text states a rate with the
numbers it derives from. Approximate figures (多, 余) are not checked. The outcome is a list
of :class:`Finding` (pass and fail), printable with :func:`consistency_lines` and recordable
in the analysis graph with :func:`consistency_graph`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from .diskcache import disk_cached

__all__ = ["Finding", "consistency_rules", "check_consistency", "consistency_lines", "consistency_graph"]

#: Observations further apart than this many sentences are not read as stated together.
MAX_SENTENCE_GAP = 2


@dataclass(frozen=True)
class Finding:
    """The outcome of one consistency rule on one set of observations."""

    rule: str  # rule IRI
    rule_label: str
    status: str  # "pass" or "fail"
    expected: Decimal
    stated: Decimal
    observations: tuple[str, ...]  # observation IRIs (the stated one first)
    area: str
    area_label: str
    period: str
    scope: str
    document: str
    sentence: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "pass"


@dataclass(frozen=True)
class _Obs:
    iri: str
    indicator: str
    area: str
    period: str
    scope: str
    value: Decimal
    text: str
    approximate: bool
    document: str
    sentence_index: int
    sentence: str
    start: int


def _rules_files() -> list:
    from .resources import ontology_dir

    return [ontology_dir() / "lifecycle.ttl"]


@lru_cache(maxsize=1)
@disk_cached(_rules_files)
def consistency_rules() -> tuple[dict, ...]:
    """The rules of ``ontology/lifecycle.ttl``: dicts with ``iri``, ``kind`` (rate, sum,
    bound), ``label`` and the indicator IRIs they relate. Kept on disk
    (:func:`kg.diskcache.disk_cached`): parsing the vocabulary took ~0.05 s of every process
    that maps a document."""
    from rdflib import Graph, Literal

    from .ns import KG, RDF, RDFS
    from .resources import ontology_dir

    g = Graph()
    g.parse(ontology_dir() / "lifecycle.ttl", format="turtle")

    def label(r):
        return next((str(x) for x in g.objects(r, RDFS.label) if isinstance(x, Literal) and x.language == "zh"), str(r))

    out = []
    for r in sorted(set(g.subjects(RDF.type, KG.RateRule))):
        out.append({"iri": str(r), "kind": "rate", "label": label(r), "rate": str(g.value(r, KG.rate)),
                    "numerator": str(g.value(r, KG.numerator)), "denominator": str(g.value(r, KG.denominator))})
    for r in sorted(set(g.subjects(RDF.type, KG.SumRule))):
        out.append({"iri": str(r), "kind": "sum", "label": label(r), "total": str(g.value(r, KG.total)),
                    "parts": tuple(sorted(str(x) for x in g.objects(r, KG.part)))})
    for r in sorted(set(g.subjects(RDF.type, KG.BoundRule))):
        out.append({"iri": str(r), "kind": "bound", "label": label(r), "lesser": str(g.value(r, KG.lesser)),
                    "greater": str(g.value(r, KG.greater))})
    return tuple(out)


def _observations(dataset) -> list[_Obs]:
    from .ns import KG, PROV, QB, RDF

    out = []
    seen = set()
    for node, _p, _o, ctx in dataset.quads((None, RDF.type, QB.Observation, None)):
        if node in seen:
            continue
        seen.add(node)
        props: dict = {}
        for _s, p, o, _g in dataset.quads((node, None, None, None)):
            props.setdefault(p, o)
        try:
            value = Decimal(str(props.get(KG.obsValue)))
        except (InvalidOperation, TypeError):
            continue
        sent = props.get(KG.sentence)
        idx, stext = -1, ""
        if sent is not None:
            for _s, p, o, _g in dataset.quads((sent, None, None, None)):
                if p == KG["index"]:
                    idx = int(o)
                elif p == KG.text:
                    stext = str(o)
        approx = props.get(KG.approximateValue)
        out.append(_Obs(str(node), str(props.get(KG.indicator, "")), str(props.get(KG.refArea, "")),
                        str(props.get(KG.refPeriod, "")), str(props.get(KG.scope, "")), value,
                        str(props.get(KG.text, "")), approx is not None and str(approx).lower() == "true",
                        str(props.get(PROV.wasDerivedFrom, getattr(ctx, "identifier", ctx) or "")),
                        idx, stext, int(props.get(KG.start, 0) or 0)))
    out.sort(key=lambda o: (o.document, o.start, o.iri))
    return out


def _labels(dataset, iris: set[str]) -> dict[str, str]:
    from rdflib import URIRef

    from .ns import RDFS, SKOS

    out = {}
    for i in iris:
        for p in (SKOS.prefLabel, RDFS.label):
            lab = next((str(o) for _s, _p, o, _g in dataset.quads((URIRef(i), p, None, None))), None)
            if lab:
                out[i] = lab
                break
    return out


def _rate_matches(stated: Decimal, computed: Decimal) -> bool:
    exp = stated.as_tuple().exponent
    q = Decimal(1).scaleb(exp if isinstance(exp, int) else 0)
    return computed.quantize(q, ROUND_HALF_UP) == stated or computed.quantize(q, ROUND_DOWN) == stated


def _nearest(cands: list[_Obs], anchor: _Obs) -> _Obs | None:
    cands = [c for c in cands if abs(c.sentence_index - anchor.sentence_index) <= MAX_SENTENCE_GAP]
    if not cands:
        return None
    # prefer what the text states just before the anchor (the rate follows its numbers)
    return min(cands, key=lambda c: (c.start > anchor.start, abs(anchor.start - c.start)))


def check_consistency(dataset) -> list[Finding]:
    """Check every rate, sum and bound rule on the indicator observations of ``dataset``.

    Parameters
    ----------
    dataset : rdflib.Dataset
        The assembled dataset.

    Returns
    -------
    list of Finding
        One per rule application, passed and failed, in document order.
    """
    obs = [o for o in _observations(dataset) if not o.approximate]
    groups: dict[tuple, list[_Obs]] = {}
    for o in obs:
        groups.setdefault((o.document, o.area, o.period, o.scope), []).append(o)
    findings: list[Finding] = []
    labels = _labels(dataset, {o.area for o in obs})
    for _key, items in sorted(groups.items()):
        by_ind: dict[str, list[_Obs]] = {}
        for o in items:
            by_ind.setdefault(o.indicator, []).append(o)

        def finding(rule, ok, expected, stated, involved, msg):
            anchor = involved[0]
            findings.append(Finding(rule["iri"], rule["label"], "pass" if ok else "fail", expected, stated,
                                    tuple(o.iri for o in involved), anchor.area,
                                    labels.get(anchor.area, anchor.area), anchor.period, anchor.scope,
                                    anchor.document, anchor.sentence, msg))

        for rule in consistency_rules():
            if rule["kind"] == "rate":
                for r in by_ind.get(rule["rate"], []):
                    n = _nearest(by_ind.get(rule["numerator"], []), r)
                    d = _nearest(by_ind.get(rule["denominator"], []), r)
                    if n is None or d is None or d.value == 0:
                        continue
                    computed = n.value / d.value * 100
                    ok = _rate_matches(r.value, computed)
                    shown = computed.quantize(Decimal("0.001"), ROUND_HALF_UP)
                    finding(rule, ok, shown, r.value, [r, n, d],
                            f"{n.value.normalize():f}/{d.value.normalize():f} = {shown:f}%，"
                            f"文中 {r.value.normalize():f}%")
            elif rule["kind"] == "sum":
                for t in by_ind.get(rule["total"], []):
                    parts = [_nearest(by_ind.get(p, []), t) for p in rule["parts"]]
                    if any(p is None for p in parts):
                        continue
                    total = sum((p.value for p in parts), Decimal(0))
                    finding(rule, total == t.value, total, t.value, [t, *parts],
                            " + ".join(f"{p.value.normalize():f}" for p in parts)
                            + f" = {total.normalize():f}，文中 {t.value.normalize():f}")
            else:
                for lo in by_ind.get(rule["lesser"], []):
                    hi = _nearest(by_ind.get(rule["greater"], []), lo)
                    if hi is None:
                        continue
                    finding(rule, lo.value <= hi.value, hi.value, lo.value, [lo, hi],
                            f"{lo.value.normalize():f} ≤ {hi.value.normalize():f}")
    findings.sort(key=lambda f: (f.document, f.observations[0]))
    return findings


def consistency_lines(dataset) -> list[str]:
    """One line per finding, failures first, for ``kg validate``.

    Examples of lines::

        FAIL 开工率 = 开工项目数 / 新建项目数 — 长治市 ../2024: 1038/1141 = 90.973%，文中 95%
        pass 重点项目数 = 续建项目数 + 新建项目数 — 长治市 ../2024 [省级重点工程建设项目]: 33 + 30 = 63，文中 63
    """
    lines = []
    for f in sorted(check_consistency(dataset), key=lambda f: (f.ok, f.document, f.observations[0])):
        scope = f" [{f.scope}]" if f.scope else ""
        lines.append(f"{'pass' if f.ok else 'FAIL'} {f.rule_label} — {f.area_label} {f.period}{scope}: {f.message}")
    return lines


def consistency_graph(dataset, findings: list[Finding] | None = None):
    """The findings as ``kg:ConsistencyCheck`` nodes of the analysis graph.

    Each has ``kg:checkRule``, ``kg:checkStatus`` ("pass"/"fail"), ``kg:expected``,
    ``kg:stated``, ``kg:checks`` (the observations), ``kg:message``, ``kg:refArea``,
    ``kg:refPeriod`` and ``prov:wasDerivedFrom`` (the document).
    """
    from rdflib import Graph, Literal, URIRef

    from .ns import ANALYSIS_GRAPH, KG, PROV, RDF, XSD, analysis_iri, bind_prefixes

    g = Graph(identifier=ANALYSIS_GRAPH)
    bind_prefixes(g)
    for f in check_consistency(dataset) if findings is None else findings:
        # an IRI from the finding's content: the same in every build (see kg.ns.analysis_iri)
        n = analysis_iri("check", f.rule, f.status, f.expected, f.stated, f.message, f.area,
                         f.period, f.document, *f.observations)
        g.add((n, RDF.type, KG.ConsistencyCheck))
        g.add((n, KG.checkRule, URIRef(f.rule)))
        g.add((n, KG.checkStatus, Literal(f.status)))
        g.add((n, KG.expected, Literal(format(f.expected, "f"), datatype=XSD.decimal)))
        g.add((n, KG.stated, Literal(format(f.stated, "f"), datatype=XSD.decimal)))
        g.add((n, KG.message, Literal(f.message, lang="zh")))
        for o in f.observations:
            g.add((n, KG.checks, URIRef(o)))
        if f.area:
            g.add((n, KG.refArea, URIRef(f.area)))
        if f.period:
            g.add((n, KG.refPeriod, Literal(f.period)))
        if f.document:
            g.add((n, PROV.wasDerivedFrom, URIRef(f.document)))
    return g
