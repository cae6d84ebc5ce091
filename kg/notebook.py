"""Helpers for Jupyter: query results and chain analyses as pandas tables and charts.

The notebooks in ``notebooks/`` only call these functions (and the rest of :mod:`kg`); no
logic lives only in a notebook. :func:`to_dataframe` turns a :class:`~kg.query.QueryResult`
into a ``pandas.DataFrame``; :func:`chain_table`, :func:`gap_table`, :func:`leader_table`
and :func:`match_table` tabulate :class:`~kg.analyze.ChainReport` lists;
:func:`chain_bar_chart` draws their coverage with matplotlib, using the CJK font that
:func:`cjk_font` finds among the installed fonts (Debian's ``fonts-noto-cjk``, installed by
``.ci/install-browser.sh``), so Chinese labels are not drawn as empty boxes.
:func:`build_changes` says what an incremental rebuild changed. pandas and matplotlib
(the ``dev`` extra) are imported inside the functions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import KGError

__all__ = [
    "CJK_FONT_FILES",
    "to_dataframe",
    "query_frame",
    "counts_frame",
    "chain_table",
    "gap_table",
    "leader_table",
    "match_table",
    "explain_table",
    "build_changes",
    "cjk_font",
    "chain_bar_chart",
]

#: Where Debian and other distributions put a CJK sans font (first found wins).
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
_CJK_NAME_HINTS = ("CJK", "WenQuanYi", "Hei", "Ming", "Song", "Kai", "Source Han")


def _pd():
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise KGError("pandas is not installed", hint="pip install 'chainkg[dev]'") from None
    return pd


def to_dataframe(result, *, compact: bool = True, python: bool = True):
    """A SELECT result as a ``pandas.DataFrame``, one column per variable.

    Parameters
    ----------
    result : kg.query.QueryResult
        The result of :func:`kg.query.run_query`. An ASK result gives one column ``ask``;
        a CONSTRUCT/DESCRIBE result gives the columns ``subject``, ``predicate``, ``object``.
    compact : bool
        Write IRIs with the project's prefixes (``id:company/…``), as ``kg query`` does.
    python : bool
        Numbers become ``int`` / ``float`` columns (decimals as float), strings stay strings.

    Returns
    -------
    pandas.DataFrame
    """
    pd = _pd()
    from rdflib import BNode, Literal, URIRef

    from .query import _to_python, compact_iri

    def cell(t):
        if t is None:
            return None
        if isinstance(t, URIRef):
            return compact_iri(str(t)) if compact else str(t)
        if isinstance(t, BNode):
            return f"_:{t}"
        if python and isinstance(t, Literal):
            v = _to_python(t)
            if type(v).__name__ == "Decimal":
                return float(v)
            return v
        return str(t)

    if result.form == "ASK":
        return pd.DataFrame({"ask": [bool(result.boolean)]})
    if result.form == "GRAPH":
        rows = [tuple(cell(x) for x in t) for t in sorted(result.graph or ())]
        return pd.DataFrame(rows, columns=["subject", "predicate", "object"])
    rows = [tuple(cell(x) for x in r) for r in result.rows]
    return pd.DataFrame(rows, columns=list(result.variables))


def query_frame(source: Any, query: str | os.PathLike, params: Mapping[str, Any] | None = None,
                *, limit: int | None = None, compact: bool = True):
    """:func:`kg.query.run_query` then :func:`to_dataframe` (a stored query's name works)."""
    from .query import run_query

    return to_dataframe(run_query(source, query, params=params, limit=limit), compact=compact)


def counts_frame(counts: Mapping[str, Any]):
    """The counts of a build (``BuildReport.counts`` or :func:`kg.stats.graph_stats`) as a
    two-column table ``what`` / ``count``: documents, triples, entities per class, relations
    per predicate, quantities."""
    pd = _pd()
    rows: list[tuple[str, int]] = []
    for key in ("documents", "triples", "graphs", "quantities", "conflicts"):
        if key in counts:
            rows.append((key, int(counts[key])))
    for group in ("entities", "relations"):
        for name, n in (counts.get(group) or {}).items():
            rows.append((f"{group}: {name}", int(n)))
    return pd.DataFrame(rows, columns=["what", "count"])


def chain_table(reports: Sequence[Any]):
    """One row per chain report: scope, chain, links present / total, coverage, gap counts
    by kind, leaders and supply matches, investment (CNY)."""
    pd = _pd()
    rows = []
    for r in reports:
        kinds: dict[str, int] = {}
        for g in r.gaps:
            kinds[g.kind] = kinds.get(g.kind, 0) + 1
        rows.append({
            "scope": r.scope_label,
            "chain": r.label,
            "present": r.present,
            "total": r.total,
            "coverage": round(r.coverage, 3),
            "weighted_coverage": round(r.weighted_coverage, 3),
            "补链": kinds.get("补链", 0),
            "延链": kinds.get("延链", 0),
            "gaps": len(r.gaps),
            "leaders": "、".join(x.label for x in r.leaders),
            "supply_matches": len(r.supply_matches),
            "investment_cny": float(r.investment),
        })
    cols = ["scope", "chain", "present", "total", "coverage", "weighted_coverage", "补链", "延链",
            "gaps", "leaders", "supply_matches", "investment_cny"]
    return pd.DataFrame(rows, columns=cols)


def gap_table(reports: Sequence[Any], kinds: Iterable[str] | None = None):
    """One row per gap (补链 / 延链 / …) of each report, with its stage, direction and the
    present links it borders; ``kinds`` keeps only those kinds."""
    pd = _pd()
    keep = set(kinds) if kinds is not None else None
    rows = []
    for r in reports:
        label_of = {s.iri: s.label for s in r.links}
        for g in r.gaps:
            if keep is not None and g.kind not in keep:
                continue
            rows.append({"scope": r.scope_label, "chain": r.label, "link": g.label,
                         "kind": g.kind, "stage": g.stage, "direction": g.direction,
                         "neighbours": "、".join(label_of.get(n, n) for n in g.neighbours)})
    return pd.DataFrame(rows, columns=["scope", "chain", "link", "kind", "stage", "direction",
                                       "neighbours"])


def leader_table(reports: Sequence[Any]):
    """One row per chain-leader candidate (链主) of each report."""
    pd = _pd()
    rows = []
    for r in reports:
        for x in r.leaders:
            d = x.to_dict()
            rows.append({"scope": r.scope_label, "chain": r.label, "leader": d.get("label"),
                         "score": d.get("score"), "from_text": d.get("from_text"),
                         "iri": d.get("iri")})
    return pd.DataFrame(rows, columns=["scope", "chain", "leader", "score", "from_text", "iri"])


def match_table(reports: Sequence[Any]):
    """One row per local supply match (本地配套): who could supply whom, at which links."""
    pd = _pd()
    rows = []
    for r in reports:
        label_of = {s.iri: s.label for s in r.links}
        for m in r.supply_matches:
            rows.append({"scope": r.scope_label, "chain": r.label,
                         "supplier": m.supplier_label,
                         "supplier_link": label_of.get(m.supplier_link, m.supplier_link),
                         "customer": m.customer_label,
                         "customer_link": label_of.get(m.customer_link, m.customer_link)})
    return pd.DataFrame(rows, columns=["scope", "chain", "supplier", "supplier_link", "customer",
                                       "customer_link"])


def explain_table(path: str | os.PathLike):
    """``kg extract FILE --explain`` as a table: per fact the rule and the sentence."""
    pd = _pd()
    from .pipeline import explain_resolved, extract_file

    rows = explain_resolved(extract_file(path))
    return pd.DataFrame(rows, columns=["start", "fact", "rule", "sentence"])


def build_changes(before: Any, after: Any):
    """What changed between two builds (two :class:`~kg.pipeline.BuildReport`).

    Returns
    -------
    dict
        ``added`` and ``removed``: document paths; ``counts``: a ``pandas.DataFrame`` with
        the columns ``what``, ``before``, ``after``, ``change`` for every count that differs.
    """
    pd = _pd()
    old, new = set(before.documents), set(after.documents)
    a = counts_frame(before.counts).set_index("what")["count"]
    b = counts_frame(after.counts).set_index("what")["count"]
    both = pd.concat([a.rename("before"), b.rename("after")], axis=1).fillna(0).astype(int)
    both["change"] = both["after"] - both["before"]
    both = both[both["change"] != 0].reset_index().rename(columns={"index": "what"})
    return {"added": sorted(new - old), "removed": sorted(old - new), "counts": both}


def cjk_font(path: str | os.PathLike | None = None, *, apply: bool = True) -> str:
    """Find an installed CJK font, register it with matplotlib and make it the default.

    Parameters
    ----------
    path : path-like, optional
        A font file to use; default the first of :data:`CJK_FONT_FILES` that exists, then
        any font matplotlib knows whose name says CJK.
    apply : bool
        Set ``rcParams['font.family']`` to it (and keep the minus sign drawable).

    Returns
    -------
    str
        The family name matplotlib knows the font by.

    Raises
    ------
    KGError
        No CJK font is installed (the hint names the Debian package).
    """
    import matplotlib
    from matplotlib import font_manager

    candidates = [Path(path)] if path else [Path(p) for p in CJK_FONT_FILES]
    name = None
    for p in candidates:
        if p.is_file():
            font_manager.fontManager.addfont(str(p))
            name = font_manager.FontProperties(fname=str(p)).get_name()
            break
    if name is None and path is None:
        for f in font_manager.fontManager.ttflist:
            if any(h.lower() in f.name.lower() for h in _CJK_NAME_HINTS):
                name = f.name
                break
    if name is None:
        raise KGError("no CJK font found for charts" + (f" at {path}" if path else ""),
                      hint="apt-get install fonts-noto-cjk (bash .ci/install-browser.sh does)")
    if apply:
        matplotlib.rcParams["font.family"] = "sans-serif"
        rest = [n for n in matplotlib.rcParams["font.sans-serif"] if n != name]
        matplotlib.rcParams["font.sans-serif"] = [name, *rest]
        matplotlib.rcParams["axes.unicode_minus"] = False
    return name


def chain_bar_chart(reports: Sequence[Any], *, ax=None, title: str | None = None,
                    only_present: bool = True):
    """A horizontal bar chart of chain coverage: links present vs. missing per chain.

    Parameters
    ----------
    reports : list of ChainReport
        From :func:`kg.analyze.analyze_chains`.
    ax : matplotlib.axes.Axes, optional
        Draw here; default a new figure.
    title : str, optional
        Default ``产业链覆盖 chain coverage — <scope>``.
    only_present : bool
        Leave out chains with no link present.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    cjk_font()
    rs = [r for r in reports if r.present or not only_present]
    if ax is None:
        _fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(rs), 2) + 1.2))
    scopes = {r.scope_label for r in rs}
    labels = [r.label + (f" · {r.scope_label}" if len(scopes) > 1 else "") for r in rs][::-1]
    present = [r.present for r in rs][::-1]
    missing = [r.total - r.present for r in rs][::-1]
    y = list(range(len(rs)))
    ax.barh(y, present, color="#2a7ab9", label="在地 present")
    ax.barh(y, missing, left=present, color="#e8b4a0", label="缺口 missing")
    ax.set_yticks(y, labels)
    for i, (p, m) in enumerate(zip(present, missing, strict=True)):
        ax.text(p + m + 0.1, i, f"{p}/{p + m}", va="center", fontsize=9)
    scope = "、".join(sorted(scopes))
    ax.set_title(title or f"产业链覆盖 chain coverage — {scope}")
    ax.set_xlabel("环节数 links")
    ax.set_xlim(0, max([p + m for p, m in zip(present, missing, strict=True)], default=1) * 1.15 + 0.5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    ax.figure.tight_layout()
    return ax
