"""Per-document indexes of punctuation positions, shared by the extract rules.

Several rules look for the clause around an offset (between ，。；： …). Walking the text
character by character for every number or mention is the slow way; :func:`break_positions`
lists the break characters of a text once (memoised for the last few texts), and
:func:`bounds` finds the clause by bisection, with exactly the result of the walk.
:func:`sentence_at` finds the sentence around an offset the same way.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

__all__ = ["break_positions", "bounds", "sentence_at"]

_MEMO: dict[tuple[int, str], tuple[str, list[int]]] = {}
_PATTERNS: dict[str, re.Pattern[str]] = {}


def break_positions(text: str, chars: str) -> list[int]:
    """Sorted offsets of the characters of ``chars`` in ``text`` (memoised per text object)."""
    key = (id(text), chars)
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is text:
        return hit[1]
    pat = _PATTERNS.get(chars)
    if pat is None:
        pat = _PATTERNS[chars] = re.compile("[" + "".join(re.escape(c) for c in chars) + "]")
    pos = [m.start() for m in pat.finditer(text)]
    if len(_MEMO) >= 8:
        _MEMO.clear()
    _MEMO[key] = (text, pos)
    return pos


#: [(text, chars, break positions)] of the last call of :func:`bounds` (replaced as a whole).
_LAST: list = [(None, None, [])]


def bounds(text: str, chars: str, pos: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """``(a, b)``: walking left from ``pos`` while ``a > lo`` and ``text[a-1]`` is no break,
    and right while ``b < hi`` and ``text[b]`` is no break (``hi`` defaults to the length).

    >>> bounds("甲项目开工，总投资5亿元。", "，。", 8)
    (6, 12)
    """
    hi = len(text) if hi is None else hi
    last = _LAST[0]
    if last[0] is text and last[1] is chars:  # the common case: the same text and breaks again
        brk = last[2]
    else:
        brk = break_positions(text, chars)
        _LAST[0] = (text, chars, brk)
    i = bisect_left(brk, pos)
    a = pos
    if pos > lo:
        a = brk[i - 1] + 1 if i > 0 else 0
        if a < lo:
            a = lo
    b = pos
    if pos < hi:
        b = brk[i] if i < len(brk) else len(text)
        if b > hi:
            b = hi
    return a, b


#: [(sentences, their starts)] of the last document asked about (replaced as a whole).
_STARTS: list = [((), [])]


def sentence_at(doc, offset: int):
    """``doc.sentence_at(offset)`` by a C bisection over the sentence starts (listed once per
    document) instead of a Python-level binary search."""
    sentences = doc.sentences
    memo = _STARTS[0]
    if memo[0] is not sentences:
        memo = _STARTS[0] = (sentences, [s.start for s in sentences])
    i = bisect_right(memo[1], offset) - 1
    if i >= 0:
        s = sentences[i]
        if offset < s.end:
            return s
    return None
