"""The corpus name map (kg.namemap): made whole, and extended in place by added documents."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.namemap import AMBIGUOUS, extend, is_pseudo, name_map

C = "Company"
FIRM_A, FIRM_B = "宣城甲乙新能源股份有限公司", "景德镇甲乙新能源股份有限公司"

_NAMES = ["甲", "乙方", "丙丁公司", "丁", "戊己集团", "己", "戊己集团有限公司", "庚戊己公司",
          "辛", "壬癸", "壬癸有限公司", "子丑公司", "丑"]
_link = st.tuples(st.sampled_from([C, C, "DevelopmentZone"]),
                  st.lists(st.sampled_from(_NAMES), min_size=1, max_size=3, unique=True)
                  .map(lambda ns: tuple(sorted(ns))))
_docs = st.lists(st.lists(_link, max_size=3), min_size=1, max_size=7)


def _flat(docs):
    return [link for doc in docs for link in doc]


def test_a_brand_written_beside_a_second_firm_leaves_the_first_in_place():
    docs = [[(C, ("甲乙新能", FIRM_A))],  # the brand joins the firm of 宣城
            [(C, ("甲乙", "甲乙新能"))],  # a short form of it, with no legal name
            [(C, ("丙丁", FIRM_A))]]  # another short name of the same firm
    names = name_map(_flat(docs))
    assert names[(C, "甲乙")] == names[(C, "丙丁")] == FIRM_A
    added = [(C, ("甲乙", FIRM_B))]  # the brand now stands beside the firm of 景德镇
    changed = extend(names, added)
    assert changed is not None  # no need for the whole corpus
    assert names == name_map(_flat(docs) + added)
    # the brand and its short form stand for several firms: they join neither, and are marked
    assert names[(C, "甲乙")] == names[(C, "甲乙新能")] == "甲乙新能"
    assert (C, AMBIGUOUS + "甲乙新能") in names
    # the firm of 宣城 keeps its other short name; the one of 景德镇 is a firm of its own
    assert names[(C, FIRM_A)] == names[(C, "丙丁")] == FIRM_A
    assert names[(C, FIRM_B)] == FIRM_B
    assert {(C, "甲乙"), (C, "甲乙新能"), (C, FIRM_B)} <= changed
    assert (C, "丙丁") not in changed and (C, FIRM_A) not in changed


def test_a_brand_longer_than_its_firm_s_legal_name_gives_the_firm_its_name_back():
    long_brand = "甲乙丙丁戊己庚辛"  # longer than the legal name: the firm's canonical name
    docs = [[(C, (long_brand, "壬癸有限公司"))]]
    names = name_map(_flat(docs))
    assert names[(C, "壬癸有限公司")] == long_brand
    added = [(C, (long_brand, "子丑有限公司"))]
    assert extend(names, added) is not None
    assert names == name_map(_flat(docs) + added)
    assert names[(C, "壬癸有限公司")] == "壬癸有限公司"


def test_short_names_joining_two_sets_of_one_firm_make_one_set_in_place():
    docs = [[(C, ("甲", FIRM_A))], [(C, ("乙", FIRM_A))]]
    names = name_map(_flat(docs))
    added = [(C, ("乙", "甲"))]  # now one set: written beside a second firm, both leave
    assert extend(names, added) is not None
    assert names == name_map(_flat(docs) + added)
    later = [(C, ("甲", FIRM_B))]
    assert extend(names, later) is not None
    assert names == name_map(_flat(docs) + added + later)
    assert names[(C, "乙")] == names[(C, "甲")] != FIRM_A


def test_where_the_whole_corpus_is_needed_the_map_is_left_as_it_was():
    docs = [[(C, ("甲", FIRM_A))], [(C, ("乙", FIRM_B))]]
    names = name_map(_flat(docs))
    given_map = dict(names)
    # two firms' short names join: which firm each set stands for is the whole corpus's call
    assert extend(names, [(C, ("丙", "丁")), (C, ("甲", "乙"))]) is None
    assert names == given_map


@settings(max_examples=300, deadline=None)
@given(_docs, st.integers(min_value=0, max_value=7))
def test_adding_documents_one_by_one_equals_the_whole_map(docs, cut):
    cut = min(cut, len(docs))
    names = name_map(_flat(docs[:cut]))
    for i in range(cut, len(docs)):
        given_map = dict(names)
        changed = extend(names, docs[i])
        whole = name_map(_flat(docs[:i + 1]))
        if changed is None:
            assert names == given_map
            names = whole
            continue
        assert names == whole
        assert changed == {k for k in whole.keys() | given_map.keys()
                           if given_map.get(k) != whole.get(k)}


@settings(max_examples=200, deadline=None)
@given(_docs, st.randoms(use_true_random=False))
def test_the_map_does_not_depend_on_the_order_of_documents(docs, rnd):
    links = _flat(docs)
    shuffled = list(links)
    rnd.shuffle(shuffled)
    assert name_map(links) == name_map(shuffled)


@settings(max_examples=100, deadline=None)
@given(_docs)
def test_pseudo_nodes_never_are_canonical_names(docs):
    names = name_map(_flat(docs))
    assert not any(is_pseudo(v) for v in names.values())
    real = {k for k in names if not is_pseudo(k[1])}
    assert {(k[0], v) for k, v in names.items()} <= real
