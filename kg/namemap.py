"""The corpus name map: which names of documents stand for one thing across a corpus.

:func:`name_map` makes it from every document's links (:func:`kg.resolve.document_links`);
:func:`extend` extends a map in place with the links of added documents. A document is
mapped with the part of the map its names need, so the code here decides names, never how
a document is mapped: a change to it makes the map again, and maps again only the documents
whose names changed (it is not part of the mapping's code key, :mod:`kg.resolve` is).

Besides the names, a map holds pseudo-nodes (:func:`is_pseudo`, never a label):

- ``CORE`` + the core of a company's legal name (甲乙新能源 for 甲乙新能源股份有限公司), which
  joins the legal names of one core;
- ``AMBIGUOUS`` + a canonical name: the set of short names of that name stands for several
  firms and joins none;
- ``SHORTSET`` + set + ``SHORTSET`` + a short name: the short name belongs to the set of
  short names named by ``set`` (its least member), which joined a firm. When that set is
  then written beside a second firm, an update takes it out of the first firm in place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from .resolve import best_name as _longest_name

__all__ = ["name_map", "extend", "legal_core", "is_full_name", "is_pseudo", "best_name",
           "CORE", "AMBIGUOUS", "SHORTSET"]

Key = tuple[str, str]

#: The legal form closing a company's name (有限公司, 股份有限公司, 集团, 控股集团有限公司…).
_LEGAL_FORM = re.compile(r"(?:控股|集团|股份|有限|责任|公司)+$")
CORE, AMBIGUOUS, SHORTSET = "\x00", "\x01", "\x02"


def legal_core(type_: str, name: str) -> str | None:
    """The name of a company without its legal form (甲乙新能源 of 甲乙新能源股份有限公司
    and of 甲乙新能源有限公司), or ``None`` for a short name or another type's name."""
    if type_ != "Company":
        return None
    core = _LEGAL_FORM.sub("", name)
    return core if core != name and len(core) >= 2 else None


def is_full_name(type_: str, name: str) -> bool:
    """Whether ``name`` names one thing on its own across documents: any name of a type but
    Company; of a company, a legal name (with its legal form)."""
    return type_ != "Company" or legal_core(type_, name) is not None


def is_pseudo(name: str) -> bool:
    """Whether a key's name in a :func:`name_map` is one of its pseudo-nodes."""
    return name[:1] in (CORE, AMBIGUOUS, SHORTSET)


def best_name(names: Iterable[str]) -> str:
    """The canonical name of a group of linked names (:func:`kg.resolve.best_name`);
    pseudo-nodes are no names."""
    return _longest_name(n for n in names if not is_pseudo(n))


def _set_node(type_: str, set_id: str, short: str) -> Key:
    return (type_, f"{SHORTSET}{set_id}{SHORTSET}{short}")


def _set_parts(name: str) -> tuple[str, str]:
    """``(set, short name)`` of a ``SHORTSET`` node's name."""
    set_id, short = name[1:].split(SHORTSET, 1)
    return set_id, short


def name_map(links: Iterable[tuple[str, Sequence[str]]]) -> dict[Key, str]:
    """Corpus-level canonical names ``{(type, name): canonical name}`` from the ``links`` of
    every document (:func:`kg.resolve.document_links`), independent of their order.

    1. The full names of one group join (:func:`is_full_name`), and so do companies' legal
       names with one core (甲乙新能源有限公司 and 甲乙新能源股份有限公司).
    2. The short names of one group without a full name join.
    3. A set of short names so joined joins the full names it was written beside when they
       are all of one set; beside several (a brand of firms in two cities), it joins none
       and is marked (an ``AMBIGUOUS`` key). A short name thus never joins two legal names.
    The map also holds the pseudo-nodes (:func:`is_pseudo`) an update extends it with."""
    parent: dict[Key, Key] = {}

    def find(x: Key) -> Key:
        up = parent.get(x)
        if up is None:
            parent[x] = x
            return x
        if up == x:
            return x
        root = up
        while parent[root] != root:
            root = parent[root]
        while x != root:  # the path now points at its root
            parent[x], x = root, parent[x]
        return root

    def union(a: Key, b: Key) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    cores: dict[str, str | None] = {}  # legal_core of each company name seen

    def core(name: str) -> str | None:
        try:
            return cores[name]
        except KeyError:
            c = cores[name] = legal_core("Company", name)
            return c

    beside: list[tuple[Key, Key]] = []  # (short name, a full name of its group)
    for type_, names_ in links:
        if type_ != "Company":
            nodes, short = [(type_, n) for n in names_], []
        else:
            nodes = [(type_, n) for n in names_ if core(n) is not None]
            short = [(type_, n) for n in names_ if core(n) is None]
            nodes += [(type_, CORE + c) for _t, n in nodes if (c := core(n))]
        if nodes:
            find(nodes[0])
            for node in nodes[1:]:
                union(nodes[0], node)
            for s in short:
                find(s)
                beside.append((s, nodes[0]))
        else:
            for node in short[1:]:
                union(short[0], node)
            find(short[0])
    # full and short names have only joined their own kind so far
    attached: dict[Key, set[Key]] = defaultdict(set)
    for s, f in beside:
        attached[find(s)].add(find(f))
    sets: dict[Key, list[str]] = defaultdict(list)  # short names of each set that joins a firm
    for node in list(parent):
        root = find(node)
        if len(attached.get(root, ())) == 1:
            sets[root].append(node[1])
    ambiguous = [root for root, fulls in attached.items() if len(fulls) > 1]
    for root, fulls in attached.items():
        if len(fulls) == 1:
            union(root, next(iter(fulls)))
    members: dict[Key, list[str]] = defaultdict(list)
    for node in list(parent):
        members[find(node)].append(node[1])
    names: dict[Key, str] = {}
    for root, ns_ in members.items():
        best = best_name(ns_)
        for n in ns_:
            names[(root[0], n)] = best
    for root, shorts in sets.items():
        set_id, firm = min(shorts), names[root]
        for s in shorts:
            names[_set_node(root[0], set_id, s)] = firm
    for root in ambiguous:
        best = names[root]
        names[(root[0], AMBIGUOUS + best)] = best
    return names


def extend(names: dict[Key, str], links: Iterable[tuple[str, Sequence[str]]]) -> set[Key] | None:
    """Extend ``names`` (a :func:`name_map`) in place to the map of its documents and those
    of ``links``; return the keys whose name is new, changed or gone. The result equals
    :func:`name_map` of all the links.

    Components only merge when documents are added, and a component's name depends only on
    its members; a set of short names that joined a firm and is now written beside another
    leaves the first (its ``SHORTSET`` nodes say which short names go). Where two
    companies' legal names join, or short names of a marked set or of two firms join, the
    sets of short names beside them may change in ways only the whole corpus tells: then
    ``names`` is left as it was and ``None`` is returned (make the whole map again)."""
    added = []  # (type, full names and their cores, short names) of each added group
    for type_, names_ in links:
        full = [(type_, n) for n in names_ if is_full_name(type_, n)]
        full += [(type_, CORE + c) for _t, n in full if (c := legal_core(type_, n))]
        added.append((type_, full, [(type_, n) for n in names_ if not is_full_name(type_, n)]))
    before: dict = {}  # the first value of each key changed here (None: a new key)

    def put(node, name) -> None:
        if names.get(node) != name:
            before.setdefault(node, names.get(node))
            if name is None:
                del names[node]
            else:
                names[node] = name

    # the members of the components the links reach (only those: one pass over the map)
    members: dict = {(node[0], names.get(node, node[1])): [] for _type, full, short in added
                     for node in (*full, *short)}
    for node, name in names.items():
        got = members.get((node[0], name))
        if got is not None:
            got.append(node)

    def comp(node):
        return (node[0], names.get(node, node[1]))

    def has_full(c) -> bool:
        return any(not is_pseudo(n) and is_full_name(t, n) for t, n in members.get(c, ()))

    def set_of(c) -> dict[str, str]:
        """``{short name: its set}`` of the short names that joined component ``c``."""
        return dict(reversed(_set_parts(n)) for _t, n in members.get(c, ()) if n[:1] == SHORTSET)

    def rename(c, nodes) -> tuple:
        """Give ``nodes`` (members of ``c`` and new ones) their best name as one component."""
        name = best_name(n for _t, n in nodes)
        for node in nodes:
            put(node, name)
        members.pop(c, None)
        members[(c[0], name)] = list(nodes)
        return (c[0], name)

    def merge(type_, nodes, comps) -> tuple:
        every = set(nodes)
        for c in comps:
            every.update(members.pop(c, ()))
        return rename((type_, None), every)

    def join_sets(c, shorts) -> None:
        """Make ``shorts`` (short names now of component ``c``, a firm) one set of it."""
        of = set_of(c)
        ids = {of[n] for _t, n in shorts if n in of}
        group = {n for _t, n in shorts} | {n for n, i in of.items() if i in ids}
        set_id = min(group)
        if len(ids) == 1 and set_id in ids and group <= of.keys():
            return
        kept = [m for m in members[c]
                if not (m[1][:1] == SHORTSET and _set_parts(m[1])[1] in group)]
        for n in group:
            if n in of and of[n] != set_id:
                put(_set_node(c[0], of[n], n), None)
        new = [_set_node(c[0], set_id, n) for n in sorted(group)]
        for node in new:
            put(node, c[1])
        members[c] = kept + new

    def detach(c, short) -> None:
        """Take the set of ``short`` out of firm ``c``: it now stands for two firms."""
        type_ = c[0]
        set_id = set_of(c)[short]
        group, rest = [], []
        for m in members[c]:
            if m[1][:1] == SHORTSET:
                sid, n = _set_parts(m[1])
                if sid == set_id:
                    put(m, None)
                    group.append((type_, n))
                    continue
            rest.append(m)
        gone = set(group)
        rename(c, [m for m in rest if m not in gone])
        mark = rename((type_, None), group)
        put((type_, AMBIGUOUS + mark[1]), mark[1])
        members[mark].append((type_, AMBIGUOUS + mark[1]))

    whole = False  # the whole corpus is needed
    for type_, full, short in added:
        if full:
            known = {comp(n) for n in full if n in names}
            if len(known) > 1 and type_ == "Company":
                whole = True  # two firms join: short names beside both may now stand for one
                break
            nodes = list(full)
            comps = set(known)
            sets = []  # the short names joining this firm, a set each
            for s in short:
                if s not in names:
                    nodes.append(s)  # a new short name: it joins the firm it is written beside
                    sets.append([s])
                    continue
                c = comp(s)
                if c in known or (type_, AMBIGUOUS + c[1]) in names:
                    continue  # of this firm already, or standing for several
                if has_full(c):
                    detach(c, s[1])  # it joined another firm: it stands for two now
                    continue
                comps.add(c)  # short names of no firm yet: they join this one
                sets.append(list(members.get(c, ())))
            if len(comps) > 1 or not all(n in names for n in nodes):
                firm = merge(type_, nodes, comps)
                for group in sets:
                    join_sets(firm, group)
        else:
            comps = {comp(n) for n in short if n in names}
            firm = next((c for c in comps if has_full(c)), None)
            if len(comps) == 1 and all(n in names for n in short):
                if firm is not None:
                    join_sets(firm, short)  # two sets of one firm may join
                continue  # one component already
            if any((type_, AMBIGUOUS + c[1]) in names for c in comps) or sum(map(has_full, comps)) > 1:
                whole = True  # short names of several firms, or marked ones, join: a set changes
                break
            # short names of no firm join it with the link's: one set of short names
            extra = [m for c in comps if c != firm for m in members.get(c, ())]
            grown = merge(type_, short, comps)
            if firm is not None:
                join_sets(grown, [*short, *extra])
    if not whole:
        return {k for k, v in before.items() if names.get(k) != v}
    for node, name in before.items():  # back to the map given
        if name is None:
            names.pop(node, None)
        else:
            names[node] = name
    return None
