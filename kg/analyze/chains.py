"""Stage analyze, chains: 产业链全景 for a region or zone — coverage, gaps, leaders, matches.

Consumes a :class:`~kg.analyze.projection.Projection` of the RDF graph (or anything
:func:`~kg.analyze.projection.project_graph` accepts) and produces one :class:`ChainReport`
per chain vocabulary. How the facts are read:

* **Scope.** A region or zone (by IRI, name or alias) together with everything
  ``kg:locatedIn``\\ + it: its zones, parks and sub-regions, and the companies and projects
  in them. No scope means the whole graph.
* **Presence.** A link is present when a company or project in scope produces a product whose
  link is that link (``kg:atLink``, or ``kg:productType`` → ``skos:broader*``, or the
  product's name is a name of the link or of one of its product types), or — for a project
  of which nothing it produces is known — when its own name contains such a name
  (``…高纯硅项目`` → polysilicon; general words such as chain names or 材料 are skipped).
  Companies investing in such a project are players at its links too.
* **Actors.** Players are grouped into actors for counting: a company stands for itself (or
  for its group, through ``kg:memberOf``), a project for its investors, or for itself when it
  has none. A present link with a single actor is *weak*.
* **Gaps.** A missing (non-auxiliary) link is **补链** when it lies between present links —
  on a ``kg:feeds`` path from one present link to another (``between``), or beside present
  links at a position inside the span they cover (``parallel``); it is **延链** when it lies
  upstream of the most upstream present link or downstream of the most downstream one.
  Missing auxiliary links are **配套**; when no link of a chain is present at all, its links
  are **建链** (build the chain). Positions are ``kg:order``, else the topological depth.
* **Coverage.** Present / total core (non-auxiliary) links, unweighted and weighted by each
  link's number of ``kg:feeds`` edges (hubs such as cells weigh more; minimum 1).
* **Leaders (链主).** First those the text calls so (``kg:chainLeaderOf`` an industry mapped
  to the chain, or ``kg:chainLeaderFlag``), then actors ranked by a score: 0.5 × links covered
  + 0.3 × investment + 0.2 × degree in the projected entity graph (within a scope, only
  relations with an end in the scope count), each relative to the best in the chain.
  Degree, not betweenness: exact betweenness is O(V·E) on the entity graph.
* **Supply matches.** Pairs of different local actors where one's link feeds the other's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from ..errors import KGError
from .projection import Projection, project_graph, run_query

__all__ = [
    "GAP_KINDS",
    "Player",
    "LinkStatus",
    "Gap",
    "Leader",
    "SupplyMatch",
    "ChainReport",
    "ScopeError",
    "Analyzer",
    "analyze_chains",
    "analyze_regions",
    "chain_graph",
    "find_chain_leaders",
    "entity_paths",
    "resolve_scope",
]

#: Gap kinds, in the order reports list them.
GAP_KINDS = ("补链", "延链", "weak", "配套", "建链")

_ACTOR_TYPES = {"Company", "EnterpriseGroup", "Project"}
_COMPANY_TYPES = {"Company", "EnterpriseGroup"}
_PLACE_TYPES = {"Region", "DevelopmentZone"}


class ScopeError(KGError):
    """A region, zone, chain or entity name could not be resolved in the graph."""


@dataclass(frozen=True)
class Player:
    """A local company or project at a link. ``role``: ``produces`` (through a product it
    produces), ``name`` (its own name names the link) or ``investor`` (invests in ``via``)."""

    iri: str
    label: str
    type: str
    role: str
    via: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LinkStatus:
    """One link of a chain in scope."""

    iri: str
    label: str
    stage: str
    order: int | None
    position: int
    auxiliary: bool
    present: bool
    players: list[Player] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    investment: float = 0.0
    capacity: dict[str, float] = field(default_factory=dict)
    weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["players"] = [p.to_dict() for p in self.players]
        return d


@dataclass(frozen=True)
class Gap:
    """A gap finding: ``kind`` is one of :data:`GAP_KINDS`; ``direction`` is ``between``,
    ``parallel``, ``upstream``, ``downstream`` or ``""``; ``neighbours`` are the present
    links it connects to (for 补链) or borders (for 延链)."""

    link: str
    label: str
    kind: str
    direction: str = ""
    stage: str = ""
    neighbours: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["neighbours"] = list(self.neighbours)
        return d


@dataclass(frozen=True)
class Leader:
    """A chain-leader candidate. ``from_text`` when the text calls it 链主."""

    iri: str
    label: str
    type: str
    from_text: bool
    score: float
    links: tuple[str, ...] = ()
    investment: float = 0.0
    degree: int = 0
    industries: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["links"] = list(self.links)
        d["industries"] = list(self.industries)
        return d


@dataclass(frozen=True)
class SupplyMatch:
    """``supplier`` (at ``supplier_link``) can supply ``customer`` (at ``customer_link``)."""

    supplier: str
    supplier_label: str
    supplier_link: str
    customer: str
    customer_label: str
    customer_link: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ChainReport:
    """The analysis of one chain in one scope. ``to_dict()`` gives plain JSON data."""

    chain: str
    label: str
    scope: str | None
    scope_label: str
    present: int
    total: int
    coverage: float
    weighted_coverage: float
    auxiliary_present: int
    auxiliary_total: int
    investment: float
    links: list[LinkStatus] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    leaders: list[Leader] = field(default_factory=list)
    supply_matches: list[SupplyMatch] = field(default_factory=list)

    def gaps_of(self, kind: str) -> list[Gap]:
        return [g for g in self.gaps if g.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "label": self.label,
            "scope": self.scope,
            "scope_label": self.scope_label,
            "present": self.present,
            "total": self.total,
            "coverage": self.coverage,
            "weighted_coverage": self.weighted_coverage,
            "auxiliary_present": self.auxiliary_present,
            "auxiliary_total": self.auxiliary_total,
            "investment": self.investment,
            "links": [x.to_dict() for x in self.links],
            "gaps": [x.to_dict() for x in self.gaps],
            "leaders": [x.to_dict() for x in self.leaders],
            "supply_matches": [x.to_dict() for x in self.supply_matches],
        }


def _money(rows: list[dict]) -> float:
    vals = [float(r["value"]) for r in rows
            if r.get("kind") == "investment" and (r.get("unit") in (None, "", "CNY"))]
    return max(vals, default=0.0)


class Analyzer:
    """Chain analysis over one projection; reuse it across scopes and chains.

    Parameters
    ----------
    graph : rdflib.Dataset, rdflib.Graph, pyoxigraph.Store or Projection
    region, zone : str, optional
        With ``scoped=True``: project only this scope's neighbourhood.
    scoped : bool
        Use the scoped projection queries (default False: project the whole graph).
    """

    def __init__(self, graph: Any, *, region: str | None = None, zone: str | None = None,
                 scoped: bool = False):
        self._links_of: dict[str, dict[str, str]] = {}
        self._cache: dict[tuple[str, str], Any] = {}
        # scoped=True projects only the neighbourhood of the region or zone (the scoped_*
        # queries). Same results; on pyoxigraph the whole projection is faster today (its
        # property paths dominate), so the default is the whole graph.
        if not scoped or (region is None and zone is None) or isinstance(graph, Projection):
            self.p: Projection = project_graph(graph)
        else:
            # Only the scope's neighbourhood: resolve the place on the (small) place table
            # first, then project with the scoped queries.
            places = Projection(places=project_places(graph))
            roots, _key, _label = _scope_of(places, region, zone)
            self.p = project_graph(graph, scope=roots)

    # -- resolution ----------------------------------------------------------------------
    def resolve(self, name: str, prefer: tuple[str, ...] = ()) -> set[str]:
        """Entities named ``name`` (IRI, canonical name, document name or alias)."""
        p = self.p
        if name in p.types:
            return {name}
        hits = set(p.label_index.get(name, ()))
        if not hits:
            # A short form the graph does not list (朔州 for 朔州市): unique prefix matches.
            cands = {e for lab, es in p.label_index.items() if lab.startswith(name)
                     and len(lab) - len(name) <= 2 for e in es}
            hits = cands
        if prefer and hits:
            best = {e for e in hits if p.types.get(e, set()) & set(prefer)}
            hits = best or hits
        return hits

    def resolve_chain(self, chain: str) -> str:
        p = self.p
        if chain in p.chains:
            return chain
        for c in p.chains:
            if c.rstrip("/").rsplit("/", 1)[-1] == chain or chain in p.chain_names.get(c, ()):
                return c
        raise ScopeError(f"unknown chain {chain!r}",
                         hint="known chains: " + ", ".join(
                             f"{c.rsplit('/', 1)[-1]} ({self.chain_label(c)})" for c in sorted(p.chains)))

    def chain_label(self, chain: str) -> str:
        names = self.p.chain_names.get(chain)
        return names[0] if names else chain.rstrip("/").rsplit("/", 1)[-1]

    def scope(self, region: str | None = None, zone: str | None = None) -> tuple[set[str], str | None, str]:
        """Roots of the scope, its key IRI (or None for the whole graph) and its label."""
        roots, key, label = _scope_of(self.p, region, zone)
        if self.p.scope and not roots <= set(self.p.scope):
            raise ScopeError(f"this analyzer was projected for {', '.join(self.p.scope)}, "
                             f"not for {region or zone!r}", hint="use Analyzer(graph) for many scopes")
        return roots, key, label

    def members(self, roots: set[str]) -> set[str]:
        """Everything located (transitively) in the roots, and the roots (memoised: the
        same set object per scope, which per-scope memos rely on)."""
        key = frozenset(roots)
        got = self._members_memo.get(key)
        if got is None:
            got = self._members_memo[key] = self._members(roots)
        return got

    @cached_property
    def _members_memo(self) -> dict[frozenset, set[str]]:
        return {}

    def _members(self, roots: set[str]) -> set[str]:
        inside = self.p.in_edges.get("locatedIn", {})
        seen = set(roots)
        todo = list(roots)
        while todo:
            n = todo.pop()
            for m in inside.get(n, ()):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        return seen

    # -- links of entities ---------------------------------------------------------------
    @cached_property
    def _chain_name_set(self) -> set[str]:
        return {n for names in self.p.chain_names.values() for n in names}

    @cached_property
    def _labels_by_chain(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for lab, links in self.p.vocab.items():
            for link in links:
                out[self.p.links[link].chain].append(lab)
        return out

    def _generic(self, label: str) -> bool:
        """A vocabulary name too general to place an entity by a substring of its name: a
        chain's own name (光伏), or a part of names in three or more chains (材料, 制造)."""
        hit = self._generic_memo.get(label)
        if hit is None:
            if label in self._chain_name_set:
                hit = True
            else:
                n = sum(1 for labs in self._labels_by_chain.values()
                        if any(label in x for x in labs))
                hit = n >= 3
            self._generic_memo[label] = hit
        return hit

    @cached_property
    def _generic_memo(self) -> dict[str, bool]:
        return {}

    def match_text(self, text: str) -> set[str]:
        """Links one of whose names (or product-type names) is ``text`` or, failing that,
        occurs in ``text`` (longest match first; general words such as chain names skipped)."""
        vocab = self.p.vocab
        if text in vocab:
            return set(vocab[text])
        out: set[str] = set()
        n = len(text)
        mx = self.p.vocab_max_len
        i = 0
        while i < n - 1:
            for j in range(min(n, i + mx), i + 1, -1):
                hit = vocab.get(text[i:j])
                if hit and not self._generic(text[i:j]):
                    out |= hit
                    i = j - 1
                    break
            i += 1
        return out

    def links_of(self, e: str) -> dict[str, str]:
        """Links of a company or project → how it is known (``produces`` or ``name``)."""
        got = self._links_of.get(e)
        if got is not None:
            return got
        p = self.p
        got = {}
        for prod in p.out_edges.get("produces", {}).get(e, ()):
            # Stated links, and the links the product's own names are names of (a product
            # may sit in two chains: 半导体级高纯硅); a part of its name only when neither.
            links = set(p.product_links.get(prod) or ())
            for lab in p.names(prod):
                links |= p.vocab.get(lab, set())
            if not links:
                for lab in p.names(prod):
                    links = self.match_text(lab)
                    if links:
                        break
            for link in links:
                got[link] = "produces"
        if not got and p.type_of(e) == "Project":
            # A company's name is a brand (大陆石墨科技), a project's name says what it makes.
            for lab in p.names(e)[:3]:
                for link in self.match_text(lab):
                    got.setdefault(link, "name")
        self._links_of[e] = got
        return got

    @cached_property
    def _group_of(self) -> dict[str, str]:
        p = self.p
        member = p.out_edges.get("memberOf", {})
        out: dict[str, str] = {}
        for c in member:
            if p.type_of(c) not in _COMPANY_TYPES:
                continue
            cur, seen = c, {c}
            while True:
                parents = sorted(x for x in member.get(cur, ()) if p.type_of(x) in _COMPANY_TYPES)
                if not parents or parents[0] in seen:
                    break
                cur = parents[0]
                seen.add(cur)
            out[c] = cur
        return out

    def actor_of(self, e: str) -> list[str]:
        """Who a player stands for: its group, or a project's investors (or itself)."""
        got = self._actor_memo.get(e)
        if got is None:
            got = self._actor_memo[e] = self._actor_of(e)
        return got

    @cached_property
    def _actor_memo(self) -> dict[str, list[str]]:
        return {}

    def money(self, e: str) -> float:
        """The investment stated for an entity (CNY; the largest when stated several times)."""
        got = self._money_memo.get(e)
        if got is None:
            got = self._money_memo[e] = _money(self.p.quantities.get(e, []))
        return got

    @cached_property
    def _money_memo(self) -> dict[str, float]:
        return {}

    def _actor_of(self, e: str) -> list[str]:
        p = self.p
        if p.type_of(e) == "Project":
            inv = sorted(c for c in p.in_edges.get("investor", {}).get(e, ())
                         if p.type_of(c) in _COMPANY_TYPES)
            if inv:
                return sorted({self._group_of.get(c, c) for c in inv})
            return [e]
        return [self._group_of.get(e, e)]

    def degree(self, e: str, members: set[str] | None = None) -> int:
        """Degree of ``e`` in the projected entity graph: distinct neighbours, counting, when
        a scope's ``members`` are given, only the relations with an end in the scope (the
        local network; it is also what a scoped projection can see). Memoised per scope."""
        key = (id(members) if members is not None else 0, e)
        got = self._degree_memo.get(key)
        if got is None:
            nb: set[str] = set()
            p = self.p
            for d in p.out_edges.values():
                nb |= d.get(e, set())
            for d in p.in_edges.values():
                nb |= d.get(e, set())
            nb.discard(e)
            if members is not None and e not in members:
                nb &= members
            got = self._degree_memo[key] = len(nb)
        return got

    @cached_property
    def _degree_memo(self) -> dict[tuple[int, str], int]:
        return {}

    # -- the chain graph -----------------------------------------------------------------
    def chain_digraph(self, chain: str):
        """The chain graph: links as nodes, ``kg:feeds`` edges (a fresh copy per call)."""
        return self._chain_digraph(chain).copy()

    def _chain_digraph(self, chain: str):
        g = self._cache.get(("graph", chain))
        if g is None:
            g = self._cache[("graph", chain)] = self._build_chain_digraph(chain)
        return g

    def _closure(self, chain: str) -> dict[str, tuple[set[str], set[str]]]:
        """link → (ancestors, descendants) in the chain graph."""
        import networkx as nx

        c = self._cache.get(("closure", chain))
        if c is None:
            g = self._chain_digraph(chain)
            c = self._cache[("closure", chain)] = {
                x: (nx.ancestors(g, x), nx.descendants(g, x)) for x in g}
        return c

    def _build_chain_digraph(self, chain: str):
        import networkx as nx

        p = self.p
        links = p.chains[chain]
        g = nx.DiGraph()
        for link in links:
            g.add_node(link)
        inside = set(links)
        for a, b in p.feeds:
            if a in inside and b in inside:
                g.add_edge(a, b)
        return g

    def _positions(self, chain: str, g) -> dict[str, int]:
        pos = self._cache.get(("pos", chain))
        if pos is None:
            pos = self._cache[("pos", chain)] = self._compute_positions(chain, g)
        return pos

    def _compute_positions(self, chain: str, g) -> dict[str, int]:
        import networkx as nx

        p = self.p
        links = p.chains[chain]
        if all(p.links[x].order is not None for x in links):
            return {x: int(p.links[x].order) for x in links}
        pos: dict[str, int] = {}
        if nx.is_directed_acyclic_graph(g):
            for depth, gen in enumerate(nx.topological_generations(g), start=1):
                for x in gen:
                    pos[x] = depth
        return {x: int(p.links[x].order) if p.links[x].order is not None else pos.get(x, i + 1)
                for i, x in enumerate(links)}

    # -- the analysis --------------------------------------------------------------------
    def entity_players(self, e: str) -> tuple[tuple[str, Player], ...]:
        """``(link, player)`` pairs an entity brings to a scope it is in: itself at its links,
        and, for a project, its investing companies at the same links."""
        got = self._players_memo.get(e)
        if got is not None:
            return got
        p = self.p
        t = p.type_of(e)
        out: list[tuple[str, Player]] = []
        if t in _ACTOR_TYPES:
            links = self.links_of(e)
            if links:
                me = {how: Player(e, p.label(e), t, how) for how in set(links.values())}
                out = [(link, me[how]) for link, how in sorted(links.items())]
                if t == "Project":
                    for c in sorted(p.in_edges.get("investor", {}).get(e, ())):
                        ct = p.type_of(c)
                        if ct in _COMPANY_TYPES:
                            inv = Player(c, p.label(c), ct, "investor", e)
                            out += [(link, inv) for link in sorted(links)]
        got = self._players_memo[e] = tuple(out)
        return got

    @cached_property
    def _players_memo(self) -> dict[str, tuple[tuple[str, Player], ...]]:
        return {}

    def local_players(self, members: set[str] | None) -> dict[str, list[Player]]:
        """link → players in scope (all links of all chains). A company is listed once per
        link: for what it produces itself if so, else as investor of the first project."""
        out: dict[str, dict[str, Player]] = defaultdict(dict)
        pool = members if members is not None else self.p.types.keys()
        for e in pool:
            for link, pl in self.entity_players(e):
                here = out[link]
                cur = here.get(pl.iri)
                if cur is None or (cur.role == "investor" and
                                   (pl.role != "investor" or pl.via < cur.via)):
                    here[pl.iri] = pl
        return {k: sorted(v.values(), key=lambda x: (x.type != "Project", x.label, x.iri, x.via))
                for k, v in out.items()}

    def analyze(self, chain: str, *, members: set[str] | None, scope: str | None,
                scope_label: str, players: dict[str, list[Player]] | None = None) -> ChainReport:
        p = self.p
        if players is None:
            players = self.local_players(members)
        g = self._chain_digraph(chain)
        pos = self._positions(chain, g)
        statuses: list[LinkStatus] = []
        by_link: dict[str, LinkStatus] = {}
        for link in p.chains[chain]:
            info = p.links[link]
            pl = players.get(link, [])
            actors = sorted({a for x in pl for a in self.actor_of(x.iri)})
            inv_entities = {x.iri for x in pl if x.type == "Project"}
            # A company's own figures count only when it has no project at this link (a
            # project's investment is usually its investor's, stated twice).
            backed = {c for x in pl if x.type == "Project"
                      for c in self.p.in_edges.get("investor", {}).get(x.iri, ())}
            inv_entities |= {x.iri for x in pl if x.type in _COMPANY_TYPES and x.iri not in backed}
            investment = sum((self.money(e) for e in inv_entities), 0.0)
            cap: dict[str, float] = defaultdict(float)
            for e in sorted(inv_entities):
                best: dict[str, float] = {}
                for q in p.quantities.get(e, []):
                    if q.get("kind") != "capacity":
                        continue
                    prod = q.get("product")
                    if prod and link not in (p.product_links.get(prod) or self.match_text(p.label(prod))):
                        continue
                    unit = q.get("unit") or ""
                    best[unit] = max(best.get(unit, 0.0), float(q["value"]))
                for unit, v in best.items():
                    cap[unit] += v
            st = LinkStatus(
                iri=link, label=info.label, stage=info.stage, order=info.order,
                position=pos[link], auxiliary=info.auxiliary, present=bool(pl),
                players=pl, actors=actors, investment=investment, capacity=dict(cap),
                weight=float(max(1, g.degree(link))),
            )
            statuses.append(st)
            by_link[link] = st
        core = [s for s in statuses if not s.auxiliary]
        present = [s for s in core if s.present]
        total_w = sum(s.weight for s in core)
        report = ChainReport(
            chain=chain, label=self.chain_label(chain), scope=scope, scope_label=scope_label,
            present=len(present), total=len(core),
            coverage=round(len(present) / len(core), 4) if core else 0.0,
            weighted_coverage=round(sum(s.weight for s in present) / total_w, 4) if total_w else 0.0,
            auxiliary_present=sum(1 for s in statuses if s.auxiliary and s.present),
            auxiliary_total=sum(1 for s in statuses if s.auxiliary),
            investment=sum((self.money(e)
                            for e in {x.iri for s in statuses for x in s.players
                                      if x.type == "Project"}), 0.0),
            links=statuses,
        )
        report.gaps = self._gaps(g, by_link, pos, self._closure(chain))
        report.leaders = self._leaders(chain, statuses, members)
        report.supply_matches = self._matches(g, by_link)
        return report

    def _gaps(self, g, by_link: dict[str, LinkStatus], pos: dict[str, int],
              closure: dict[str, tuple[set[str], set[str]]]) -> list[Gap]:
        present = {k for k, s in by_link.items() if s.present and not s.auxiliary}
        gaps: list[Gap] = []
        lo = min((pos[k] for k in present), default=0)
        hi = max((pos[k] for k in present), default=0)
        for link, s in by_link.items():
            if s.present:
                if len(s.actors) == 1:
                    gaps.append(Gap(link, s.label, "weak", "", s.stage, tuple(s.actors)))
                continue
            if s.auxiliary:
                fed = tuple(sorted(x for x in g.successors(link) if by_link[x].present))
                gaps.append(Gap(link, s.label, "配套", "", s.stage, fed))
                continue
            if not present:
                gaps.append(Gap(link, s.label, "建链", "", s.stage))
                continue
            up = present & closure[link][0]
            down = present & closure[link][1]
            if up and down:
                near = tuple(sorted(x for x in up | down
                                    if x in g.predecessors(link) or x in g.successors(link))
                             or sorted(up | down))
                gaps.append(Gap(link, s.label, "补链", "between", s.stage, near))
            elif pos[link] < lo:
                edge = tuple(sorted(k for k in (down or present) if pos[k] == lo)) or tuple(sorted(down))
                gaps.append(Gap(link, s.label, "延链", "upstream", s.stage, edge))
            elif pos[link] > hi:
                edge = tuple(sorted(k for k in (up or present) if pos[k] == hi)) or tuple(sorted(up))
                gaps.append(Gap(link, s.label, "延链", "downstream", s.stage, edge))
            else:
                near = tuple(sorted(k for k in present if pos[k] == pos[link])) or tuple(sorted(up | down))
                gaps.append(Gap(link, s.label, "补链", "parallel", s.stage, near))
        order = {k: i for i, k in enumerate(GAP_KINDS)}
        gaps.sort(key=lambda x: (order[x.kind], pos.get(x.link, 0), x.link))
        return gaps

    def _chain_industry_match(self, chain: str, industry: str) -> bool:
        p = self.p
        if industry == chain or chain in p.industry_schemes.get(industry, ()):
            return True
        if industry in p.industry_schemes:
            return False
        names = [n for n in p.chain_names.get(chain, ()) if len(n) >= 2]
        for lab in p.industry_names.get(industry) or p.names(industry):
            if any(n == lab or n in lab for n in names):
                return True
        return False

    def text_leaders(self, members: set[str] | None) -> list[tuple[str, list[str]]]:
        """Entities the text calls 链主 (in scope when a scope is given), with industries."""
        p = self.p
        out = []
        invests = p.out_edges.get("investor", {})
        for e, inds in sorted(p.leaders.items()):
            if members is not None and e not in members and not (invests.get(e, set()) & members):
                continue
            out.append((e, sorted(i for i in inds if i)))
        return out

    def _leaders(self, chain: str, statuses: list[LinkStatus], members: set[str] | None,
                 top: int = 5) -> list[Leader]:
        p = self.p
        chain_actors: dict[str, set[str]] = defaultdict(set)
        for s in statuses:
            for a in s.actors:
                chain_actors[a].add(s.iri)
        inv: dict[str, float] = defaultdict(float)
        seen_projects: set[str] = set()
        for s in statuses:
            for x in s.players:
                if x.type == "Project" and x.iri not in seen_projects:
                    seen_projects.add(x.iri)
                    for a in self.actor_of(x.iri):
                        inv[a] += self.money(x.iri)
        leaders: list[Leader] = []
        flagged: set[str] = set()
        for e, inds in self.text_leaders(members):
            group = self._group_of.get(e, e)
            mapped = [i for i in inds if self._chain_industry_match(chain, i)]
            if mapped or (not inds and (e in chain_actors or group in chain_actors)):
                flagged.add(e)
                leaders.append(Leader(
                    e, p.label(e), p.type_of(e), True, 1.0,
                    tuple(sorted(chain_actors.get(e, set()) | chain_actors.get(group, set()))),
                    inv.get(e, 0.0), self.degree(e, members),
                    tuple((p.industry_names.get(i) or [p.label(i)])[0] for i in mapped)))
        mx_l = max((len(v) for v in chain_actors.values()), default=0) or 1
        mx_i = max(inv.values(), default=0.0) or 1.0
        mx_d = max((self.degree(a, members) for a in chain_actors), default=0) or 1
        scored = []
        for a, links in chain_actors.items():
            if a in flagged or p.type_of(a) not in _ACTOR_TYPES:
                continue
            score = (0.5 * len(links) / mx_l + 0.3 * inv.get(a, 0.0) / mx_i
                     + 0.2 * self.degree(a, members) / mx_d)
            scored.append(Leader(a, p.label(a), p.type_of(a), False, round(score, 4),
                                 tuple(sorted(links)), inv.get(a, 0.0), self.degree(a, members)))
        scored.sort(key=lambda x: (-x.score, x.label, x.iri))
        return leaders + scored[:top]

    def _matches(self, g, by_link: dict[str, LinkStatus], cap: int = 500) -> list[SupplyMatch]:
        p = self.p
        out: list[SupplyMatch] = []
        seen: set[tuple[str, str, str, str]] = set()
        for a, b in sorted(g.edges()):
            sa, sb = by_link[a], by_link[b]
            if not (sa.present and sb.present):
                continue
            for u in sa.actors:
                for v in sb.actors:
                    key = (u, a, v, b)
                    if u == v or key in seen:
                        continue
                    seen.add(key)
                    out.append(SupplyMatch(u, p.label(u), a, v, p.label(v), b))
                    if len(out) >= cap:
                        return out
        return out


def project_places(graph: Any) -> dict[str, tuple[set[str], list[str]]]:
    """The regions and zones of ``graph``: IRI → (types, names canonical first)."""
    if isinstance(graph, Projection):
        return graph.places
    from .projection import _LocalNames

    local = _LocalNames()
    places: dict[str, tuple[set[str], set[tuple[int, str]]]] = {}
    for r in run_query(graph, "places"):
        ts, ns = places.setdefault(r["entity"], (set(), set()))
        ts.add(local(r["type"]))
        ns.add((int(r["rank"]), str(r["label"])))
    return {e: (ts, list(dict.fromkeys(lab for _r, lab in sorted(ns))))
            for e, (ts, ns) in places.items()}


def _scope_of(p: Projection, region: str | None, zone: str | None) -> tuple[set[str], str | None, str]:
    """Resolve a region or zone on the place table of ``p`` (IRI, name, alias, or a short
    form that is a prefix of one name, as 朔州 of 朔州市)."""
    if region is not None and zone is not None:
        raise ScopeError("give --region or --zone, not both")
    name = region if region is not None else zone
    if name is None:
        return set(), None, "全部 / all"
    prefer = ("Region", "DevelopmentZone") if region is not None else ("DevelopmentZone", "Region")
    places = p.places
    if name in places:
        roots = {name}
    else:
        roots = {e for e, (_ts, names) in places.items() if name in names}
        if not roots:
            roots = {e for e, (_ts, names) in places.items()
                     if any(n.startswith(name) and len(n) - len(name) <= 2 for n in names)}
    if not roots:
        raise ScopeError(f"no region or zone named {name!r} in the graph",
                         hint="give its name, an alias or its IRI")
    best = {e for e in roots if prefer[0] in places[e][0]}
    roots = best or roots
    key = sorted(roots)[0]
    return roots, key, places[key][1][0] if places[key][1] else key


def resolve_scope(graph: Any, region: str | None = None, zone: str | None = None) -> tuple[str | None, str]:
    """The IRI and label a region or zone name resolves to (``(None, "全部 / all")`` for none)."""
    p = graph if isinstance(graph, Projection) else Projection(places=project_places(graph))
    _roots, key, label = _scope_of(p, region, zone)
    return key, label


def analyze_chains(graph: Any, region: str | None = None, zone: str | None = None,
                   chain: str | None = None, *, analyzer: Analyzer | None = None) -> list[ChainReport]:
    """Analyse every chain (or one) in a region, a zone or the whole graph.

    Parameters
    ----------
    graph : rdflib.Dataset, rdflib.Graph, pyoxigraph.Store or Projection
        The knowledge graph, with the chain vocabularies (``graph/chains``) in it.
    region, zone : str, optional
        IRI, name or alias of the scope; a region includes its zones and sub-regions.
    chain : str, optional
        IRI, key (``photovoltaic``) or name of one chain; default all chains.
    analyzer : Analyzer, optional
        Reuse a prepared analyzer (its projection) across calls.

    Returns
    -------
    list of ChainReport
        One per chain, ordered by coverage (highest first), then chain IRI.
    """
    an = analyzer or Analyzer(graph)
    roots, key, label = an.scope(region, zone)
    members = an.members(roots) if key is not None else None
    chains = [an.resolve_chain(chain)] if chain else sorted(an.p.chains)
    players = an.local_players(members)
    reports = [an.analyze(c, members=members, scope=key, scope_label=label, players=players)
               for c in chains]
    reports.sort(key=lambda r: (-r.coverage, r.chain))
    return reports


def analyze_regions(graph: Any, regions: list[str] | None = None, chain: str | None = None,
                    ) -> dict[str, list[ChainReport]]:
    """:func:`analyze_chains` for many regions sharing one projection.

    ``regions`` default: every region and zone that something is located in.
    """
    an = Analyzer(graph)
    if regions is None:
        inside = an.p.in_edges.get("locatedIn", {})
        regions = sorted(e for e in inside if an.p.types.get(e, set()) & _PLACE_TYPES)
    out: dict[str, list[ChainReport]] = {}
    for r in regions:
        out[r] = analyze_chains(graph, region=r, chain=chain, analyzer=an)
    return out


def chain_graph(graph: Any, chain: str, region: str | None = None, zone: str | None = None,
                *, analyzer: Analyzer | None = None):
    """The 产业链全景 of one chain in a scope, as a ``networkx.DiGraph`` (stable API).

    Nodes are the chain's links (IRI) with attributes ``label``, ``stage`` (``Upstream`` /
    ``Midstream`` / ``Downstream`` or ``""``), ``order`` (int or None), ``position`` (int),
    ``auxiliary`` (bool), ``present`` (bool), ``players`` (list of ``{iri, label, type, role,
    via}``), ``investment`` (float, CNY), ``capacity`` (``{unit: value}``), ``gap`` (a gap
    kind of :data:`GAP_KINDS` or ``""``). Edges are ``kg:feeds`` (upstream → downstream).
    Graph attributes: ``chain``, ``label``, ``scope``, ``scope_label``, ``coverage``,
    ``weighted_coverage``, ``leaders`` (list of dicts).
    """
    an = analyzer or Analyzer(graph)
    rep = analyze_chains(graph, region=region, zone=zone, chain=chain, analyzer=an)[0]
    g = an.chain_digraph(rep.chain)
    gap_of = {}
    for gp in rep.gaps:
        gap_of.setdefault(gp.link, gp.kind)
    for s in rep.links:
        g.add_node(s.iri, label=s.label, stage=s.stage, order=s.order, position=s.position,
                   auxiliary=s.auxiliary, present=s.present,
                   players=[{k: v for k, v in x.to_dict().items()} for x in s.players],
                   investment=s.investment, capacity=dict(s.capacity), gap=gap_of.get(s.iri, ""))
    for a, b in g.edges():
        g.edges[a, b]["predicate"] = "feeds"
    g.graph.update(chain=rep.chain, label=rep.label, scope=rep.scope, scope_label=rep.scope_label,
                   coverage=rep.coverage, weighted_coverage=rep.weighted_coverage,
                   leaders=[x.to_dict() for x in rep.leaders])
    return g


def find_chain_leaders(graph: Any, region: str | None = None, zone: str | None = None,
                       ) -> list[dict[str, Any]]:
    """Every company the text calls 链主 (in scope), with the industries it leads, whether or
    not a chain vocabulary covers them: ``[{iri, label, type, industries: [{iri, label,
    chains}]}]``."""
    an = Analyzer(graph)
    roots, key, _label = an.scope(region, zone)
    members = an.members(roots) if key is not None else None
    p = an.p
    out = []
    for e, inds in an.text_leaders(members):
        out.append({
            "iri": e, "label": p.label(e), "type": p.type_of(e),
            "industries": [{"iri": i, "label": (p.industry_names.get(i) or [p.label(i)])[0],
                            "chains": sorted(c for c in p.chains if an._chain_industry_match(c, i))}
                           for i in inds],
        })
    return out


def entity_paths(graph: Any, source: str, target: str, *, max_paths: int = 5,
                 analyzer: Analyzer | None = None) -> list[list[dict[str, Any]]]:
    """Shortest paths between two entities in the projected entity graph, predicates named.

    Edges are followed in both directions; each step says which way the predicate points.
    Returns up to ``max_paths`` paths, each a list of steps ``{"from", "from_label",
    "predicate", "forward", "to", "to_label"}`` (``forward``: the triple reads from → to).
    """
    import networkx as nx

    an = analyzer or Analyzer(graph)
    ends = []
    for name in (source, target):
        hits = an.resolve(name)
        if not hits:
            raise ScopeError(f"no entity named {name!r} in the graph")
        ends.append(sorted(hits))
    g = an.p.entity_graph()
    u = nx.Graph()
    for s, o, data in g.edges(data=True):
        if s == o:
            continue
        if u.has_edge(s, o):
            u.edges[s, o]["triples"].add((s, data["predicate"], o))
        else:
            u.add_edge(s, o, triples={(s, data["predicate"], o)})
    paths: list[list[dict[str, Any]]] = []
    best = None
    for a in ends[0]:
        for b in ends[1]:
            if a not in u or b not in u or a == b:
                continue
            try:
                found = list(_limited(nx.all_shortest_paths(u, a, b), max_paths))
            except nx.NetworkXNoPath:
                continue
            if not found:
                continue
            if best is None or len(found[0]) < best:
                best, paths = len(found[0]), []
            if len(found[0]) == best:
                for nodes in found:
                    paths.append(_steps(an.p, u, nodes))
    return paths[:max_paths]


def _limited(it, n):
    for i, x in enumerate(it):
        if i >= n:
            return
        yield x


def _steps(p: Projection, u, nodes: list[str]) -> list[dict[str, Any]]:
    steps = []
    for a, b in zip(nodes, nodes[1:], strict=False):
        s, pred, o = sorted(u.edges[a, b]["triples"])[0]
        steps.append({"from": a, "from_label": p.label(a), "predicate": pred,
                      "forward": s == a, "to": b, "to_label": p.label(b)})
    return steps
