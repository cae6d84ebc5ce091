"""Stage viz, panorama: one 产业链全景图 page per chain, drawn from the chain analysis.

Consumes the ``networkx.DiGraph`` of :func:`kg.analyze.chain_graph` (nodes = chain links with
``label``, ``stage``, ``order``, ``present``, ``players``, ``investment``, ``capacity``,
``gap``; edges = ``kg:feeds``; graph attributes ``coverage``, ``leaders``, ``scope_label``…)
and produces one self-contained HTML page: the links laid out left to right by stage
(上游 → 中游 → 下游) with their feeds edges, the local companies and projects hanging under each
link, gaps drawn dashed and labelled 补链 / 延链, chain leaders (链主) starred, coverage in the
heading. The layout is fixed (no physics), computed here so it is the same in every browser.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_panorama", "panorama_payload", "STAGES", "GAP_STYLES"]

#: Stage keys (as ``chain_graph`` gives them, or as kg: IRIs / Chinese) → (rank, label).
STAGES: dict[str, tuple[int, str]] = {
    "Upstream": (0, "上游 Upstream"),
    "Midstream": (1, "中游 Midstream"),
    "Downstream": (2, "下游 Downstream"),
    "上游": (0, "上游 Upstream"),
    "中游": (1, "中游 Midstream"),
    "下游": (2, "下游 Downstream"),
}

#: How each gap kind is drawn: (background, border, dashed, legend text).
GAP_STYLES: dict[str, tuple[str, str, bool, str]] = {
    "present": ("#cfe8cf", "#3b7d3b", False, "本地已有 present"),
    "补链": ("#ffffff", "#d62728", True, "补链 missing between present links"),
    "延链": ("#ffffff", "#ff7f0e", True, "延链 could extend the chain"),
    "weak": ("#fff3b0", "#b59b00", False, "weak 仅一家 single actor"),
    "配套": ("#f4f4f4", "#8c8c8c", True, "配套 auxiliary missing"),
    "建链": ("#f4f4f4", "#8c8c8c", True, "建链 chain absent"),
    "missing": ("#f4f4f4", "#8c8c8c", True, "缺失 missing"),
}

_TYPE_ZH = {"Company": "企业", "EnterpriseGroup": "企业集团", "Project": "项目"}
_COL_W = 190
_ROW_H = 42
_MAX_PLAYERS = 12


def _stage_of(value: Any) -> tuple[int, str]:
    key = str(value or "").rsplit("#", 1)[-1]
    return STAGES.get(key, (3, "其他 Other"))


def _money(v: float | None) -> str:
    if not v:
        return ""
    return f"{v / 1e8:,.2f} 亿元" if v >= 1e8 else f"{v / 1e4:,.0f} 万元"


def panorama_payload(chain_graph, *, title: str | None = None) -> dict[str, Any]:
    """The vis nodes/edges (fixed positions) and panel data of one chain page."""
    g = chain_graph
    meta = g.graph
    leaders = {d.get("iri") for d in meta.get("leaders", []) or [] if d.get("from_text", True)}
    leaders_all = {d.get("iri"): d for d in meta.get("leaders", []) or []}

    def sort_key(n):
        d = g.nodes[n]
        rank, _ = _stage_of(d.get("stage"))
        order = d.get("order")
        return (rank, order if order is not None else 10**6, d.get("position") or 0,
                str(d.get("label", n)))

    links = sorted(g.nodes, key=sort_key)
    nodes, edges, info, stages = [], [], [], {}
    index: dict[str, int] = {}
    for col, n in enumerate(links):
        d = g.nodes[n]
        rank, stage_label = _stage_of(d.get("stage"))
        x = col * _COL_W
        lo, hi = stages.get(rank, (stage_label, x, x))[1:]
        stages[rank] = (stage_label, min(lo, x), max(hi, x))
        gap = d.get("gap") or None
        present = bool(d.get("present"))
        style_key = gap if gap in GAP_STYLES else ("present" if present else "missing")
        bg, border, dashed, _legend = GAP_STYLES[style_key]
        label = str(d.get("label", n))
        if gap in ("补链", "延链", "配套", "建链"):
            label += f"\n【{gap}】"
        elif gap == "weak":
            label += "\n【薄弱 weak】"
        idx = len(info)
        index[n] = idx
        nodes.append({
            "id": idx, "label": label, "x": x, "y": 0, "shape": "box",
            "color": {"background": bg, "border": border},
            "borderWidth": 3 if gap in ("补链", "延链") else 2,
            "shapeProperties": {"borderDashes": [6, 4] if dashed else False},
            "font": {"size": 16, "multi": False}, "margin": 10,
            "widthConstraint": {"maximum": _COL_W - 30},
        })
        players = list(d.get("players") or [])
        info.append({
            "kind": "link", "iri": n, "label": str(d.get("label", n)), "stage": stage_label,
            "order": d.get("order"), "present": present, "gap": gap,
            "auxiliary": bool(d.get("auxiliary")),
            "investment": _money(d.get("investment")),
            "capacity": [[u, v] for u, v in sorted((d.get("capacity") or {}).items())],
            "players": [[p.get("label", ""), _TYPE_ZH.get(p.get("type"), p.get("type", "")),
                         p.get("role", "")] for p in players],
        })
        players.sort(key=lambda p: (p.get("iri") not in leaders_all, p.get("type") != "Company",
                                    str(p.get("label", ""))))
        for j, p in enumerate(players[:_MAX_PLAYERS]):
            is_leader = p.get("iri") in leaders_all
            plabel = str(p.get("label", p.get("iri", "")))
            if len(plabel) > 16:
                plabel = plabel[:15] + "…"
            pid = len(info)
            nodes.append({
                "id": pid, "label": ("★ " if is_leader else "") + plabel,
                "x": x, "y": 90 + j * _ROW_H,
                "shape": "box" if p.get("type") != "Project" else "ellipse",
                "color": {"background": "#fdf1c7" if is_leader else
                          ("#e8eef7" if p.get("type") != "Project" else "#fde7d3"),
                          "border": "#b8860b" if is_leader else "#9aa5b1"},
                "borderWidth": 3 if is_leader else 1, "font": {"size": 12},
                "widthConstraint": {"maximum": _COL_W - 20},
            })
            ld = leaders_all.get(p.get("iri"), {})
            info.append({
                "kind": "player", "iri": p.get("iri", ""), "label": str(p.get("label", "")),
                "type": _TYPE_ZH.get(p.get("type"), p.get("type", "")), "role": p.get("role", ""),
                "via": p.get("via", ""), "leader": is_leader,
                "leaderNote": ("文中称为链主" if ld.get("from_text") else
                               (f"按得分排名 score {ld.get('score', 0):.2f}" if ld else "")),
                "link": str(d.get("label", n)),
            })
            edges.append({"from": idx if j == 0 else pid - 1, "to": pid, "arrows": "",
                          "color": {"color": "#c8ccd0"}, "width": 1, "kind": "hang"})
        if len(players) > _MAX_PLAYERS:
            more = len(info)
            nodes.append({"id": more, "label": f"… 另有 {len(players) - _MAX_PLAYERS} 家",
                          "x": x, "y": 90 + _MAX_PLAYERS * _ROW_H, "shape": "text",
                          "font": {"size": 12, "color": "#666"}})
            info.append({"kind": "more", "label": f"另有 {len(players) - _MAX_PLAYERS} 家",
                         "link": str(d.get("label", n))})
    for a, b in g.edges:
        if a in index and b in index:
            edges.append({"from": index[a], "to": index[b], "arrows": "to", "kind": "feeds",
                          "label": "供给", "width": 2, "color": {"color": "#4e79a7"},
                          "smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.25}
                          if abs(links.index(a) - links.index(b)) > 1 else False})
    for k, e in enumerate(edges):
        e["id"] = k
    gaps = {}
    for n in links:
        gap = g.nodes[n].get("gap")
        if gap:
            gaps.setdefault(gap, []).append(str(g.nodes[n].get("label", n)))
    present = sum(1 for n in links if g.nodes[n].get("present"))
    core = [n for n in links if not g.nodes[n].get("auxiliary")]
    core_present = sum(1 for n in core if g.nodes[n].get("present"))
    coverage = meta.get("coverage")
    if coverage is None:
        coverage = core_present / len(core) if core else 0.0
    chain_label = str(meta.get("label") or meta.get("chain") or "产业链")
    scope_label = str(meta.get("scope_label") or "")
    return {
        "title": title or (chain_label + ("全景图" if chain_label.endswith("产业链") else " 产业链全景图")
                           + (f" · {scope_label}" if scope_label else "")),
        "chain": str(meta.get("chain") or ""),
        "chainLabel": chain_label,
        "scopeLabel": scope_label,
        "coverage": float(coverage),
        "weightedCoverage": meta.get("weighted_coverage"),
        "present": core_present,
        "total": len(core),
        "presentAll": present,
        "gaps": [[k, v] for k, v in sorted(gaps.items(), key=lambda kv: _gap_rank(kv[0]))],
        "leaders": [[d.get("label", ""), bool(d.get("from_text")), d.get("score")]
                    for d in meta.get("leaders", []) or []],
        "stages": [[lab, lo - _COL_W / 2 + 8, hi + _COL_W / 2 - 8]
                   for _r, (lab, lo, hi) in sorted(stages.items())],
        "styles": [[k, *v] for k, v in GAP_STYLES.items() if k != "missing"],
        "nodes": nodes,
        "edges": edges,
        "info": info,
        "leaderIris": sorted(x for x in leaders if x),
    }


def _gap_rank(kind: str) -> int:
    order = ("补链", "延链", "weak", "配套", "建链")
    return order.index(kind) if kind in order else len(order)


def build_panorama(chain_graph, *, title: str | None = None) -> str:
    """The 产业链全景图 page of one chain as a self-contained HTML string.

    Parameters
    ----------
    chain_graph : networkx.DiGraph
        As returned by :func:`kg.analyze.chain_graph` (or built by hand in that shape).
    title : str, optional
        Page heading; default "<chain> 产业链全景图 · <scope>".

    Returns
    -------
    str
        The HTML page; it loads nothing from the network.
    """
    from ._html import render

    payload = panorama_payload(chain_graph, title=title)
    return render("panorama.html.j2", scripts=["vis", "panorama.js"], data=payload,
                  title=payload["title"], p=payload)
