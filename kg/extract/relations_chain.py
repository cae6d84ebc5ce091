"""Stage 2d of extract, chain relations: ``produces``, ``partOfChain`` and ``upstreamOf``.

Called by :func:`kg.extract.relations.extract_relations` with its shared context. The rules
tie companies and projects to the products named in their own names or after a production
cue (年产, 生产, 主营, "P生产企业"), products and sub-industries to the industry chains
named as such in the text (lists "A、B等C产业", "C包括A、B", names that embed a chain
term), and products to the products they feed — from the chain vocabularies in
``ontology/chains/*.ttl`` (``kg:feeds`` between chain links) and from the wording itself
(制A合成B, 以A为原料, 煤制B, ``<P>液`` is an input of P). Cue words come from
``data/lexicon/relation_cues.tsv``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ..diskcache import disk_cached
from ..resources import chain_files
from . import relations as _relations
from .quantities import AGENT_BEFORE_RE

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Mention
    from .relations import Context, Key

__all__ = ["chain_relations", "chain_feeds"]

# hot patterns, compiled once (module-level re calls look each up in re's cache)
_RAW_GAP_RE = re.compile(r"为(主要)?原(材)?料[^，。；]{0,12}")
_RAW_CUE_RE = re.compile(r"为(主要)?原(材)?料")
_USED_TO_MAKE_RE = re.compile(r"(主要|全部|均|大多|广泛)?(用于|应用于|供)(生产|制造|制备|加工)")
# "A是(生产)B的(关键)原料/材料/部件"
_IS_INPUT_GAP_RE = re.compile(r"(是|为|作为)(生产|制造|制备|拉制)?")
_INPUT_ROLE_RE = re.compile(r"的(关键|核心|主要|重要|基础|上游)?(原料|原材料|材料|部件|零部件|耗材|辅材|组件|中间体)")
_MADE_FROM_RE = re.compile(r"(.{1,3})制(.{2,})")
# a product named as an input of the subject, not its output: "原料碳酸锂主要来自…", "面粉采购自…"
_INPUT_BEFORE_RE = re.compile(r"(原料|原材料|所需|采购|购进|上游的?)$")
# "P由C供应/生产": C makes P
_BY_RE = re.compile(r"(主要|全部|均|大多)?由")
_BY_VERB_RE = re.compile(r"(生产|供应|提供|制造|供货)")
_INPUT_AFTER_RE = re.compile(r"(主要|全部|均|大多|大部分|多)?(来自|来源于|采购自|购自|取自)")
# a product named after a supply or use word is the customer's: "年产P，主要供应Q企业",
# "产品广泛应用于Q", "金刚线主要用于硅片切割" (but "生产用于储能的Q": Q heads the phrase and is made)
_CUSTOMER_RE = re.compile(r"供应|供给|销往|提供给|用于|服务于")
#: a supplier's clause after its name: 为D供应 / 向D提供 / 为D配套供应 (D up to 20 characters)
_SUPPLIES_RE = re.compile(r"(?:主要|长期|稳定)?(?:为|向)[^，。；]{1,20}?(?:配套)?(?:供应|提供|供货)")
#: what stands between products listed after one verb (A、B和C)
_LIST_GAP_RE = re.compile(r"(?:[^，。；、和及与]{2,12}[、和及与])+")
_FIRM_AFTER_RE = re.compile(r"(等)?(生产)?(企业|厂商|厂家|用户|客户)")


# --------------------------------------------------------------------------- vocabulary

# the head that ends a project name right after a chain term (…储能项目, …精细化工及新材料工程)
_PROJECT_HEAD = re.compile(r"(及|产业)?(项目|工程|基地|产业园|示范项目|一体化)")


@lru_cache(maxsize=1)
@disk_cached(lambda: chain_files())
def chain_feeds() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """The ``kg:feeds`` graph of the chain vocabularies and each concept's link.

    Returns
    -------
    feeds : dict of str to frozenset of str
        Chain-link IRI → the links it feeds directly.
    link_of : dict of str to str
        Product-concept IRI → its chain-link IRI (``skos:broader``), links map to themselves.
    """
    files = chain_files()
    if not files:
        return {}, {}
    from rdflib import RDF, Graph, Namespace
    from rdflib.namespace import SKOS

    kg = Namespace("https://w3id.org/chainkg/ontology#")
    g = Graph()
    for f in files:
        try:
            g.parse(f, format="turtle")
        except Exception:  # a broken vocabulary file must not stop extraction
            continue
    feeds: dict[str, set[str]] = {}
    for a, b in g.subject_objects(kg.feeds):
        feeds.setdefault(str(a), set()).add(str(b))
    links = {str(s) for s in g.subjects(RDF.type, kg.ChainLink)}
    link_of = {lk: lk for lk in links}
    for s, o in g.subject_objects(SKOS.broader):
        if str(o) in links:
            link_of.setdefault(str(s), str(o))
    return {k: frozenset(v) for k, v in feeds.items()}, link_of


def _ends_with_cue(kind: str, text: str) -> str | None:
    return _relations._ends_with_cue(kind, text)


@lru_cache(maxsize=1)
@disk_cached(lambda: chain_files())
def chain_labels() -> frozenset[str]:
    """Chinese labels (and their cores) of the chain schemes in ``ontology/chains/*.ttl``
    (kept on disk: parsing every chain vocabulary took ~0.3 s of a process that extracts a
    document naming a chain)."""
    files = chain_files()
    if not files:
        return frozenset()
    from rdflib import RDF, Graph
    from rdflib.namespace import SKOS

    g = Graph()
    for f in files:
        try:
            g.parse(f, format="turtle")
        except Exception:  # a broken vocabulary file must not stop extraction
            continue
    out: set[str] = set()
    for s in g.subjects(RDF.type, SKOS.ConceptScheme):
        for pred in (SKOS.prefLabel, SKOS.altLabel):
            for lab in g.objects(s, pred):
                if getattr(lab, "language", None) == "zh":
                    out.add(str(lab))
                    out.add(_chain_core(str(lab)))
    return frozenset(out)


def _longer_chain_prefix(core: str, c: str, extra: set[str]) -> bool:
    """Whether a longer chain term than ``c`` opens ``core`` (新能源汽车 in 新能源汽车电池 vs 新能源)."""
    for n in range(len(core) - 1, len(c), -1):
        head = core[:n]
        if head in extra or head in chain_labels():
            return True
    return False


def _chain_core(name: str) -> str:
    sufs = _relations.relation_cues().get("chain_suffix", ())
    memo = _CORE_MEMO[0]
    if memo[0] is not sufs or len(memo[1]) > 65536:  # cues reloaded, or the memo is full
        memo = _CORE_MEMO[0] = (sufs, {})
    core = memo[1].get(name)
    if core is None:
        core = name
        for suf in sufs:
            if name.endswith(suf) and len(name) - len(suf) >= 2:
                core = name[: -len(suf)]
                break
        memo[1][name] = core
    return core


#: [(the chain suffixes, {name: core})]: names repeat across rules and documents.
_CORE_MEMO: list = [((), {})]


# --------------------------------------------------------------------------- produces


def _cue_regex(kind: str) -> re.Pattern[str] | None:
    return _relations._cue_regex(kind)


def _rule_project_named_product(ctx: Context) -> None:
    """``X负极材料项目`` produces the product named inside it (not ``X综合利用项目``)."""
    products = [(f, k) for k, fs in ctx.forms.items() if k[0] == "Product" for f in fs if len(f) >= 2]
    products.sort(key=lambda fk: (-len(fk[0]), fk))
    for p in ctx.mentions:
        if p.type != "Project":
            continue
        found: list[Key] = []
        inner = [n for n in ctx.span(p.start, p.end) if n.type == "Product" and n.end <= p.end]
        if inner:
            # longest non-overlapping nested products
            inner.sort(key=lambda n: (-(n.end - n.start), n.start))
            taken: list[tuple[int, int]] = []
            for n in inner:
                if all(n.end <= a or n.start >= b for a, b in taken):
                    taken.append((n.start, n.end))
                    found.append(ctx.key(n))
        else:
            taken_s: list[tuple[int, int]] = []
            for f, k in products:
                i = p.text.find(f)
                if i >= 0 and all(i + len(f) <= a or i >= b for a, b in taken_s):
                    taken_s.append((i, i + len(f)))
                    found.append(k)
        use_rx = _cue_regex("input_use")
        for k in found:
            # "煤炭综合利用项目", "天然气输气管道工程": the product is what the project consumes
            tail = [p.text[i + len(f) :] for f in ctx.forms.get(k, ()) for i in [p.text.find(f)] if i >= 0]
            if use_rx is not None and any(use_rx.match(x) for x in tail):
                continue
            if any(x.startswith(_FOR_PRODUCT) for x in tail):
                continue  # 酒类包装材料产业园项目: packaging for liquor, not liquor
            ctx.emit(ctx.key(p), "produces", k, p.start, p.end, "project-named-product")


_LIST_SEP_RE = re.compile(r"[、和及与]")
_ENUM_COMMA_RE = re.compile(r"、")
_LIST_TAIL_RE = re.compile(r"等(\d+家|[一二两三四五六七八九十几数多]+家)?(重点|龙头|骨干|规上)?(企业|公司)?")


def _company_list_before(text: str, subjects: list[Mention], last: Mention) -> list[Mention]:
    """``last`` and the companies listed before it: ``A、B、last等企业`` (joined by 、/和/及/与)
    or ``A、last`` (joined by 、 only)."""
    # without 等 only an enumeration comma joins (A与B合作 is a partnership, not a list)
    sep = _LIST_SEP_RE if _LIST_TAIL_RE.match(text, last.end) else _ENUM_COMMA_RE
    out = [last]
    comps = [c for c in subjects if c.type == "Company" and c.end <= last.start]
    pos = last.start
    for c in reversed(comps):
        if c.end == pos - 1 and sep.fullmatch(text, c.end, pos):
            out.append(c)
            pos = c.start
        elif c.end <= pos - 1:
            break
    return out


#: what follows a product a project serves rather than makes (酒类包装, 汽车配套, 重卡换电站)
_FOR_PRODUCT = ("包装", "配套", "专用", "换电", "充电", "加氢", "加气", "维修", "检测")
#: a sentence about the project named before (该项目…, 项目…)
_PROJECT_PRONOUN_RE = re.compile(r"[ \t]*(?:该|此|这一|本)?(?:项目|工程)")
#: what joins the links of a chain written as a path (整车制造—关键零部件—汽车电子)
_LINK_DASHES = ("—", "→", "－", "―", "-", "➝", "⇒")


def _rule_production_cue(ctx: Context) -> None:
    """``S年产P`` / ``S生产P`` / ``P年产能…`` / ``P生产企业C`` / ``C是…P企业``."""
    text = ctx.doc.text
    from .relations import BELONGS_GAP_RE, _clause_bounds, _cue_regex, _top_level

    verb_rx = _cue_regex("produce_verb")
    noun_rx = _cue_regex("producer_noun")
    cap_rx = _cue_regex("produce_capacity")
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        prods = [m for m in ms if m.type == "Product" and _top_level(m)]
        if not prods:
            continue
        subjects = [m for m in ms if m.type in ("Company", "Project") and _top_level(m)]
        # S … verb … P (P after the verb, S the nearest subject before the verb)
        if verb_rx is not None:
            for v in verb_rx.finditer(text, s0, s1):
                before = [s for s in subjects if s.end <= v.start()]
                by_pronoun = not before and _PROJECT_PRONOUN_RE.match(text, s0) is not None
                if by_pronoun:
                    # 该项目…，主要生产P: the project named last before, close by
                    named = [m for m in ctx.mentions if m.type == "Project" and _top_level(m)
                             and s0 - 300 <= m.start and m.end <= s0]
                    before = named[-1:]
                if not before or text.startswith(_LINK_DASHES, v.end()):
                    continue  # (整车制造—关键零部件—汽车电子: the links of a chain, not what S makes)
                subj = before[-1]
                if len(before) >= 2 and before[0].type == subj.type == "Company" and BELONGS_GAP_RE.fullmatch(
                        text[before[-2].end:subj.start]):
                    subj = before[-2]  # C隶属于G，主要产品为P: C makes P, not its group
                c0, _ = _clause_bounds(text, v.start(), s0, s1)
                if subj.end < c0 - 60 and not by_pronoun:
                    continue
                # "A、B等企业具备年产P": every company of the list before the verb
                listed = _company_list_before(text, subjects, subj) if subj.type == "Company" else [subj]
                if subj.type == "Company" and AGENT_BEFORE_RE.search(text, max(s0, subj.start - 7), subj.start):
                    # "该项目由C投资建设，…，主要生产P": the project makes P, C is its agent
                    p0 = text.rfind("\n", 0, subj.start) + 1
                    topic = [m for m in ctx.mentions if m.type == "Project" and _top_level(m)
                             and p0 <= m.start and m.end <= subj.start]
                    if topic:
                        subj = topic[-1]
                stop = min([s.start for s in subjects if s.start >= v.end()] + [s1])
                for p in prods:
                    if v.end() <= p.start < stop and p.start - v.end() <= 40:
                        if _INPUT_BEFORE_RE.search(text, max(s0, p.start - 4), p.start) or \
                                _INPUT_AFTER_RE.match(text, p.end):
                            continue  # "年产P，原料Q主要来自…": Q is an input
                        if _FIRM_AFTER_RE.match(text, p.end) and re.search(r"[，,；;]", text[v.end():p.start]):
                            continue  # "生产P，已进入多家整车企业供应链": Q企业 in a later clause are customers
                        # (the last supply or use word between the verb and P)
                        cue = max(_CUSTOMER_RE.finditer(text, v.end(), p.start), key=lambda x: x.start(),
                                  default=None)
                        if cue is not None and ("的" not in text[cue.end() : p.start]
                                                or _FIRM_AFTER_RE.match(text, p.end)):
                            continue  # "年产P，主要供应Q企业": Q is the customer's product
                        for s in (listed if subj.type == "Company" else [subj]):
                            ctx.emit(ctx.key(s), "produces", ctx.key(p), p.start, p.end, "production-verb")
        # "P由C供应": the company after 由 makes P
        for p in prods:
            by = _BY_RE.match(text, p.end)
            if by is None:
                continue
            for c in subjects:
                if c.type == "Company" and c.start == by.end() and _BY_VERB_RE.match(text, c.end):
                    ctx.emit(ctx.key(c), "produces", ctx.key(p), p.start, p.end, "made-by")
        # "C为D供应P(等原料)": C, the supplier, makes P (D is the customer)
        for c in subjects:
            if c.type != "Company":
                continue
            sm = _SUPPLIES_RE.match(text, c.end, s1)
            if sm is None:
                continue
            for p in prods:
                if p.start == sm.end() or (p.start > sm.end() and _LIST_GAP_RE.fullmatch(text, sm.end(), p.start)):
                    ctx.emit(ctx.key(c), "produces", ctx.key(p), p.start, p.end, "supplies")
        # P年产能 …: the sentence's company
        if cap_rx is not None:
            for p in prods:
                after = text[p.end : p.end + 4]
                m = cap_rx.match(after)
                if m and m.group(0) in ("年产能", "年产量", "产能"):
                    before = [s for s in subjects if s.type == "Company" and s.end <= p.start]
                    if before:
                        ctx.emit(ctx.key(before[-1]), "produces", ctx.key(p), p.start, p.end, "capacity-of")
        # P(生产)企业 with its companies
        if noun_rx is not None:
            for p in prods:
                m = noun_rx.match(text, p.end)
                if not m:
                    continue
                comps = [s for s in ms if s.type == "Company" and _top_level(s)]
                # "以A、B等为代表的P生产企业"
                head = text[max(s0, p.start - 40) : p.start]
                rep = re.search(r"以([^，。；]*)为代表的$", head)
                members: list[Mention] = []
                if rep:
                    a = p.start - len(head) + rep.start(1)
                    members = [c for c in comps if a <= c.start and c.end <= p.start]
                elif text[p.start - 1 : p.start] == "等":
                    # "A、B等P企业"
                    before = [c for c in comps if c.end == p.start - 1]
                    if before:
                        members = _company_list_before(text, comps, before[0])
                else:
                    # "P企业A、B等企业"
                    pos = m.end()
                    for c in comps:
                        if c.start < pos:
                            continue
                        if c.start == pos or re.fullmatch(r"[、和及与]", text[pos : c.start]):
                            members.append(c)
                            pos = c.end
                        else:
                            break
                    if not members:
                        # "C是…P企业" / "C…的P企业" within the clause
                        c0, _ = _clause_bounds(text, p.start, s0, s1)
                        before = [c for c in comps if c.end <= p.start]
                        if before:
                            c = before[-1]
                            between = text[c.end : p.start]
                            if re.search(r"(是|为|成为|作为)", between) and len(between) <= 24:
                                members = [c]
                # "A、B、P供应商": the products listed before P too
                plist, pos = [p], p.start
                for q in reversed([q for q in prods if q.end < p.start]):
                    if _LIST_SEP_RE.fullmatch(text, q.end, pos):
                        plist.append(q)
                        pos = q.start
                    else:
                        break
                for c in members:
                    for q in plist:
                        ctx.emit(ctx.key(c), "produces", ctx.key(q), q.start, q.end, "producer-noun")


_PRODUCT_LIST_END_RE = re.compile(r"(等|、)")
_QTY = re.compile(r"[\d.一二三四五六七八九十百千万亿]+(万|千万|亿)?(吨|方|立方米|千瓦|台|辆|件|套|片)")


def _rule_facility_product(ctx: Context) -> None:
    """``某某煤矿`` produces 煤炭, ``某某油田`` 原油 — when the text names that product."""
    from .relations import relation_cues

    table = []
    for cue in relation_cues().get("facility_product", ()):
        if ">" in cue:
            fac, prod = cue.split(">", 1)
            table.append((fac, prod))
    if not table:
        return
    table.sort(key=lambda fp: (-len(fp[0]), fp))
    prod_by_form: dict[str, Key] = {}
    for k, fs in sorted(ctx.forms.items()):
        if k[0] == "Product":
            for f in fs:
                prod_by_form.setdefault(f, k)
    table = [(fac, prod) for fac, prod in table if prod in prod_by_form]  # products of this text
    if not table:
        return
    for k, fs in sorted(ctx.forms.items()):
        if k[0] not in ("Project", "Company"):
            continue
        names = set(fs) | {k[1]}
        for fac, prod in table:
            if any(n.endswith(fac) and len(n) > len(fac) for n in names):
                m = ctx.groups[k][0]
                ctx.emit(k, "produces", prod_by_form[prod], m.start, m.end, "facility-product")
                break


def _rule_company_quantity_product(ctx: Context) -> None:
    """``C千万吨原油稳产`` / ``C300万吨水泥``: a company followed by an amount of a product."""
    text = ctx.doc.text
    for m in ctx.mentions:
        if m.type != "Company" or m.attr("nested") == "1":
            continue
        q = _QTY.match(text, m.end)
        if q is None:
            # "一拖集团拖拉机等产品": the company's name right before its product
            for p in ctx.span(m.end, m.end + 1):
                if p.type == "Product" and p.attr("nested") != "1" and _PRODUCT_LIST_END_RE.match(text, p.end):
                    ctx.emit(ctx.key(m), "produces", ctx.key(p), p.start, p.end, "company-product")
            continue
        for p in ctx.span(q.end(), q.end() + 1):
            if p.type == "Product":
                ctx.emit(ctx.key(m), "produces", ctx.key(p), p.start, p.end, "company-quantity-product")


_CAPACITY = re.compile(r"[\d.]+(GW|MW|吉瓦|兆瓦|万吨|吨|万台|万套|万片|亿片)$")
_WHOLE_CHAIN = re.compile(r"(全产业链|一体化)")


def _rule_capacity_list_project(ctx: Context) -> None:
    """``3GW电池片、4GW光伏组件、8GW光伏一体化项目``: the whole-chain project
    closing a list of capacities produces the listed products."""
    text = ctx.doc.text
    for p in ctx.mentions:
        if p.type != "Project" or not _WHOLE_CHAIN.search(p.text):
            continue
        pos = p.start
        # walk back over "、<capacity><product>" items
        for _ in range(8):
            prev_sep = text[pos - 1 : pos]
            if prev_sep != "、":
                break
            cands = [m for m in ctx.span(pos - 30, pos - 1) if m.type == "Product" and m.end == pos - 1]
            if not cands:
                break
            m = cands[0]
            if not _CAPACITY.search(text, max(0, m.start - 10), m.start):
                break
            ctx.emit(ctx.key(p), "produces", ctx.key(m), m.start, m.end, "capacity-list-project")
            cap = _CAPACITY.search(text, max(0, m.start - 10), m.start)
            pos = cap.start()


def _rule_company_named_product(ctx: Context) -> None:
    """``恒达水泥`` produces 水泥 when 水泥 is a product of the document and ends the name."""
    products = [(f, k) for k, fs in ctx.forms.items() if k[0] == "Product" for f in fs if len(f) >= 2]
    for k, fs in sorted(ctx.forms.items()):
        if k[0] != "Company":
            continue
        for f in fs:
            hit = next((pk for pf, pk in products if f.endswith(pf) and len(f) > len(pf)), None)
            if hit is not None:
                m = ctx.groups[k][0]
                ctx.emit(k, "produces", hit, m.start, m.end, "company-named-product")
                break


# --------------------------------------------------------------------------- partOfChain


def _rule_named_chain(ctx: Context) -> None:
    """A product, project, company or sub-industry whose name embeds a chain term."""
    chains: list[tuple[str, Key]] = []
    for k, fs in ctx.forms.items():
        if k[0] != "IndustryChain":
            continue
        for f in fs:
            for c in {f, _chain_core(f)}:
                if len(c) >= 2:
                    chains.append((c, k))
    if not chains:
        return  # no chain term: nothing can embed one
    chains.sort(key=lambda ck: (-len(ck[0]), ck))
    chain_terms = {c for c, _ in chains}
    for k, fs in sorted(ctx.forms.items()):
        if k[0] not in ("Product", "Project", "Company", "IndustryChain"):
            continue
        own = {_chain_core(f) for f in fs} | set(fs)
        for f in fs:
            core = _chain_core(f) if k[0] == "IndustryChain" else f
            if k[0] == "Company":
                # the name without its legal suffix (the same for every chain term)
                suf = _ends_with_cue("legal_suffix", core) or ""
                bare = core[: len(core) - len(suf)]
            for c, ck in chains:
                if ck == k or c in own:
                    continue
                if k[0] == "IndustryChain":
                    ok = core.endswith(c) and len(core) - len(c) >= 2
                elif k[0] == "Product":
                    # 光伏组件, 新能源汽车传动系统: the chain term qualifies the product
                    ok = core.startswith(c) and len(core) > len(c) and not _longer_chain_prefix(core, c, chain_terms)
                elif k[0] == "Company":
                    # 恒达水泥(公司) in 水泥行业: the chain's product heads the company name
                    ok = bare.endswith(c) and len(bare) > len(c)
                else:
                    # 储能项目, 精细化工及新材料工程: the chain term heads the project name
                    i = core.find(c)
                    ok = i >= 0 and _PROJECT_HEAD.match(core, i + len(c)) is not None
                if ok:
                    m = ctx.groups[k][0]
                    ctx.emit(k, "partOfChain", ck, m.start, m.end, "name-embeds-chain")
                    break


def _rule_chain_lists(ctx: Context) -> None:
    """``A、B等C产业`` and ``C包括A、B`` and ``作为C之一的A``: A, B are part of chain C."""
    text = ctx.doc.text
    from .relations import _cue_regex, _top_level

    inc_rx = _cue_regex("chain_include")
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        items = [m for m in ms if m.type in ("Product", "IndustryChain", "Company", "Project") and _top_level(m)]
        chains = [m for m in ms if m.type == "IndustryChain" and _top_level(m)]
        for c in chains:
            # backwards: "A、B、C等<chain>"
            pre = text[max(s0, c.start - 3) : c.start]
            if re.search(r"等(新兴|重点|优势|传统)?$", pre):
                pos = c.start - len(re.search(r"等(新兴|重点|优势|传统)?$", pre).group(0))
                for m in reversed([x for x in items if x.end <= pos]):
                    if m.end == pos or re.fullmatch(r"[、和及与,，]", text[m.end : pos]):
                        ctx.emit(ctx.key(m), "partOfChain", ctx.key(c), m.start, m.end, "chain-list")
                        pos = m.start
                    else:
                        break
            # forwards: "<chain>…包括A、B"
            if inc_rx is not None:
                after = text[c.end : min(s1, c.end + 12)]
                mm = inc_rx.search(after)
                if mm:
                    pos = c.end + mm.end()
                    for m in [x for x in items if x.start >= pos and x is not c]:
                        gap = text[pos : m.start]
                        if re.fullmatch(r"[、和及与,，:：]?", gap):
                            ctx.emit(ctx.key(m), "partOfChain", ctx.key(c), m.start, m.end, "chain-includes")
                            pos = m.end
                        else:
                            break
            # "<chain>上游为A、B，中游为C，下游为D": the links of the chain's stages
            if _STAGE_AFTER_CHAIN_RE.match(text, c.end):
                # the stages run on over 「；」 to the end of the paragraph's sentence (。 or a new line)
                ends = [i for i in (text.find("。", c.end), text.find("\n", c.end)) if i >= 0]
                end = min(ends + [len(text), c.end + 400])
                staged = [x for x in ctx.span(c.end, end) if x.end <= end and x.type in _STAGE_TYPES and _top_level(x)]
                for cue in _STAGE_CUE_RE.finditer(text, c.end, end):
                    pos = cue.end()
                    for m in [x for x in staged if x.start >= pos and x is not c]:
                        if _STAGE_GAP_RE.fullmatch(text, pos, m.start):
                            ctx.emit(ctx.key(m), "partOfChain", ctx.key(c), m.start, m.end, "chain-stages")
                            pos = m.end
                        else:
                            break
            # "A是<chain>(产业链)的关键环节" / "A属于<chain>"
            for m in items:
                if m.end <= c.start and m is not c and m.type in ("Product", "IndustryChain", "Company"):
                    g = _MEMBER_GAP_RE.fullmatch(text, m.end, c.start)
                    if g and (g.group(1) == "属于" or _MEMBER_AFTER_RE.match(text, c.end)):
                        ctx.emit(ctx.key(m), "partOfChain", ctx.key(c), m.start, m.end, "chain-member-is")
            # "以A、B(等)为代表的<chain>"
            pre = text[max(s0, c.start - 60) : c.start]
            rep = re.search(r"以([^，。；]{1,50}?)(等)?为代表的(新兴|重点|优势|传统)?$", pre)
            if rep:
                a0 = c.start - len(pre) + rep.start(1)
                a1 = c.start - len(pre) + rep.end(1)
                for m in items:
                    if a0 <= m.start and m.end <= a1 and m is not c and m.type in ("Product", "IndustryChain"):
                        ctx.emit(ctx.key(m), "partOfChain", ctx.key(c), m.start, m.end, "chain-representatives")
            # "作为<chain>…之一的A"
            after = text[c.end : min(s1, c.end + 8)]
            mm = re.match(r"[^，。；]{0,4}之一的", after)
            if mm:
                pos = c.end + mm.end()
                for m in items:
                    if m.start == pos:
                        ctx.emit(ctx.key(m), "partOfChain", ctx.key(c), m.start, m.end, "chain-one-of")


def _rule_chain_purpose(ctx: Context) -> None:
    """Products of a sentence that names a chain after a purpose verb belong to that chain.

    ``…A面板项目继续扩建，有力地引领某市LED产业发展`` and ``大力发展C，…构建A、B等产品矩阵``.
    Only products (top-level or inside a project name) that have no chain yet.
    """
    text = ctx.doc.text
    from .relations import _cue_regex

    rx = _cue_regex("chain_purpose")
    if rx is None:
        return
    has_chain = {k[0] for k in ctx.out if k[1] == "partOfChain"}
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        chains = []
        for c in ms:
            if c.type != "IndustryChain" or c.attr("nested") == "1":
                continue
            before = text[max(s0, c.start - 12) : c.start]
            hits = list(rx.finditer(before))
            mm = hits[-1] if hits else None
            if mm is None or re.search(r"[，。；、]", before[mm.end() :]):
                continue
            if mm.group(0) == "为" and (
                re.search(r"[作认以因称]$", before[: mm.start()]) or before[mm.end() :].startswith("代表")
            ):
                continue  # 作为/认为/以…为: no purpose (成为…领域 is)
            chains.append(c)
        if len({ctx.key(c) for c in chains}) != 1:
            continue
        c = chains[-1]  # one chain, maybe named twice ("推动铝产业…，打造铝产业集群"): the last
        prods = [m for m in ms if m.type == "Product"]
        for p in prods:
            if ctx.key(p) in has_chain or c.start - p.end > 70:
                continue
            if p.start > c.start:
                # after the chain: only in a list of products (A、B等…)
                if not (re.match(r"[、和及]", text[p.end : p.end + 1]) or re.search(r"[、和及]$", text[max(s0, p.start - 1) : p.start])):
                    continue
            ctx.emit(ctx.key(p), "partOfChain", ctx.key(c), p.start, p.end, "chain-purpose")


_IS = re.compile(r"(是|为|系|作为)")
_STAGE_CUE_RE = re.compile(r"(上游|中游|下游)(环节|领域|产业)?(主要)?(为|是|包括|涵盖|有)[:：]?")
_STAGE_AFTER_CHAIN_RE = re.compile(r"(产业链|产业|行业)?的?(上游|中游|下游)")
_STAGE_GAP_RE = re.compile(r"[、和及与]?|以及")
_STAGE_TYPES = frozenset({"Product", "IndustryChain", "Company", "Project"})
_MEMBER_GAP_RE = re.compile(r"(是|属于|作为|为)(整个)?")
_MEMBER_AFTER_RE = re.compile(r"(产业链|产业|行业)?(的|中的)(上游|中游|下游)?(关键|核心|重要|主要|基础)?(环节|材料|产品|原料|部件|辅材|耗材|企业|领域)")


def _rule_company_is_chain_firm(ctx: Context) -> None:
    """``C是本省规模最大的<chain>供应企业``: the company belongs to the chain."""
    text = ctx.doc.text
    from .relations import _clause_bounds, _top_level

    firm_rx = _cue_regex("firm_noun")
    if firm_rx is None:
        return
    for _, ms in sorted(ctx.by_sentence.items()):
        s0, s1 = ctx.sentence_span(ms[0])
        for c in ms:
            if c.type != "Company" or not _top_level(c):
                continue
            m = _IS.match(text, c.end)
            if m is None:
                continue
            _, c1 = _clause_bounds(text, m.end(), s0, s1)
            for ch in ctx.span(m.end(), c1):
                if ch.type != "IndustryChain" or not _top_level(ch):
                    continue
                if firm_rx.search(text, ch.end, min(c1, ch.end + 8)):
                    ctx.emit(ctx.key(c), "partOfChain", ctx.key(ch), c.start, c.end, "company-is-chain-firm")
                    break


def _rule_industry_companies(ctx: Context) -> None:
    """Companies producing a chain's core product belong to the chain (水泥企业 → 水泥行业)."""
    chains = {}
    for k, fs in ctx.forms.items():
        if k[0] == "IndustryChain":
            for f in fs:
                chains.setdefault(_chain_core(f), k)
    if not chains:
        return
    prod_forms = {k: fs for k, fs in ctx.forms.items() if k[0] == "Product"}
    for (subj, pred, obj), r in sorted(ctx.out.items()):
        if pred != "produces" or subj[0] != "Company":
            continue
        for f in prod_forms.get(obj, ()):
            ck = chains.get(f)
            if ck is not None:
                ctx.emit(subj, "partOfChain", ck, r.start, r.end, "industry-company")
                break


# --------------------------------------------------------------------------- upstreamOf


def _rule_vocabulary_feeds(ctx: Context) -> None:
    """Products whose chain links are joined by ``kg:feeds`` in the vocabularies."""
    feeds, link_of = chain_feeds()
    if not feeds:
        return
    links: dict[Key, str] = {}
    for k, ms in ctx.groups.items():
        if k[0] != "Product":
            continue
        for m in ms:
            lk = m.attr("link") or link_of.get(m.attr("concept") or "", "")
            if lk:
                links[k] = lk
                break
    # only products that the text brings together in one sentence, and not as siblings of
    # one enumeration ("洗衣机、电机生产", "甲醇、烯烃产能")
    text = ctx.doc.text
    for _, ms in sorted(ctx.by_sentence.items()):
        here = [m for m in ms if m.type == "Product" and ctx.key(m) in links]
        for a in here:
            la = links[ctx.key(a)]
            for b in here:
                lb = links[ctx.key(b)]
                lo, hi = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
                between = text[lo:hi] if lo <= hi else ""
                if "、" in between and not re.search(r"[，。；：]", between) and len(between) <= 30:
                    continue
                if a.end <= b.start and between.endswith("等") and not re.search(r"[，。；：]", between):
                    continue  # "碳酸锂、氢氧化锂等锂盐": the class the list belongs to, not its output
                if ctx.key(a) != ctx.key(b) and la != lb and lb in feeds.get(la, ()):
                    ctx.emit(ctx.key(a), "upstreamOf", ctx.key(b), a.start, a.end, "vocabulary-feeds")


def _rule_upstream_wording(ctx: Context) -> None:
    """``制A合成B``, ``A→B``, ``以A为原料…B``, ``煤制B`` and ``<P>液`` / ``压缩<P>`` names."""
    text = ctx.doc.text
    from .relations import _cue_regex, relation_cues

    verb_rx = _cue_regex("upstream_verb")
    prods = [m for m in ctx.mentions if m.type == "Product"]
    for i, a in enumerate(prods):
        for b in prods[i + 1 : i + 4]:
            if ctx.key(a) == ctx.key(b) or b.start < a.end:
                continue
            gap = text[a.end : b.start]
            if verb_rx is not None and verb_rx.fullmatch(gap):
                ctx.emit(ctx.key(a), "upstreamOf", ctx.key(b), a.start, b.end, "upstream-verb")
            elif _RAW_GAP_RE.fullmatch(gap) and text[max(0, a.start - 1) : a.start] == "以":
                ctx.emit(ctx.key(a), "upstreamOf", ctx.key(b), a.start, b.end, "raw-material")
            elif _USED_TO_MAKE_RE.fullmatch(gap):
                # "碳酸锂主要用于生产正极材料": A goes into B
                ctx.emit(ctx.key(a), "upstreamOf", ctx.key(b), a.start, b.end, "used-to-make")
            elif _IS_INPUT_GAP_RE.fullmatch(gap) and _INPUT_ROLE_RE.match(text, b.end):
                # "六氟磷酸锂是电解液的核心原料": A is an input of B
                ctx.emit(ctx.key(a), "upstreamOf", ctx.key(b), a.start, b.end, "input-role")
    # "以A为原料，（C）年产/生产B": the products made after the raw-material clause
    prod_rx = _cue_regex("produce_verb")
    for a in prods:
        raw = _RAW_CUE_RE.match(text, a.end)
        if raw is None or prod_rx is None or text[max(0, a.start - 1) : a.start] != "以":
            continue
        _, s1 = ctx.sentence_span(a)
        v = prod_rx.search(text, raw.end(), min(s1, raw.end() + 40))
        if v is None:
            continue
        for b in ctx.span(v.end(), min(s1, v.end() + 30)):
            if b.type == "Product" and ctx.key(b) != ctx.key(a) and not re.search(r"[，。；]", text[v.end() : b.start]):
                ctx.emit(ctx.key(a), "upstreamOf", ctx.key(b), a.start, b.end, "raw-material-produced")
    # names: "煤制烯烃" ← a product starting with 煤; "钒电池液" → 钒电池; "压缩天然气" ← 天然气
    forms = [(f, k) for k, fs in ctx.forms.items() if k[0] == "Product" for f in fs if len(f) >= 1]
    forms.sort(key=lambda fk: (-len(fk[0]), fk))
    input_suffix = relation_cues().get("input_suffix", ())
    processed = relation_cues().get("processed_prefix", ())
    for k, fs in sorted(ctx.forms.items()):
        if k[0] != "Product":
            continue
        m0 = ctx.groups[k][0]
        for f in fs:
            mm = _MADE_FROM_RE.fullmatch(f)
            if mm:
                src = mm.group(1)
                hit = next((pk for pf, pk in forms if pk != k and pf.startswith(src) and "制" not in pf), None)
                if hit is not None:
                    ctx.emit(hit, "upstreamOf", k, m0.start, m0.end, "made-from-name")
            for pf, pk in forms:
                if pk == k or len(pf) < 2:
                    continue
                if f.startswith(pf) and f[len(pf) :] in input_suffix:
                    ctx.emit(k, "upstreamOf", pk, m0.start, m0.end, "input-name")
                elif f.endswith(pf) and f[: -len(pf)] in processed:
                    ctx.emit(pk, "upstreamOf", k, m0.start, m0.end, "processed-name")


def chain_relations(ctx: Context) -> None:
    """Add ``produces``, ``partOfChain`` and ``upstreamOf`` candidates to ``ctx``.

    Parameters
    ----------
    ctx : Context
        The shared context of :func:`kg.extract.relations.extract_relations`; candidates
        are added to ``ctx.out``.
    """
    _rule_project_named_product(ctx)
    _rule_production_cue(ctx)
    _rule_company_named_product(ctx)
    _rule_facility_product(ctx)
    _rule_capacity_list_project(ctx)
    _rule_company_quantity_product(ctx)
    _rule_named_chain(ctx)
    _rule_chain_lists(ctx)
    _rule_industry_companies(ctx)
    _rule_chain_purpose(ctx)
    _rule_company_is_chain_firm(ctx)
    _rule_vocabulary_feeds(ctx)
    _rule_upstream_wording(ctx)
