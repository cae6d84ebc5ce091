"""Labelled project records of bulletins and lists (公示, 项目清单).

Official lists often give each project as a block of labelled lines::

    一、项目名称：年产5万吨高纯石英砂项目
    建设单位：某某石英股份有限公司
    建设地点：某某县经济开发区
    总投资：25.6亿元

A record starts at a ``项目名称：`` line and runs to the line before the next one (or to a
line that is not a labelled field). :func:`find_records` returns where its name and its
fields are; the relation, quantity and status rules use them to tie the owner, the place,
the figures and the stage of the record's lines to its project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Record", "find_records", "record_at"]

#: the label of a field (what the line states) → the role the rules give it
_LABELS = {
    "项目名称": "name",
    "建设单位": "owner", "业主单位": "owner", "项目单位": "owner", "实施单位": "owner",
    "责任单位": "owner", "项目业主": "owner", "投资主体": "owner", "投资方": "owner",
    "申报单位": "owner", "承办单位": "owner",
    "建设地点": "place", "项目地点": "place", "建设地址": "place", "项目选址": "place",
    "选址": "place", "所在地": "place", "项目所在地": "place", "所在园区": "place",
    "总投资": "figures", "计划总投资": "figures", "项目总投资": "figures", "投资总额": "figures",
    "年度计划投资": "figures", "投资规模": "figures", "建设规模": "figures",
    "建设内容": "figures", "建设内容及规模": "figures", "主要建设内容": "figures",
    "建设进度": "stage", "项目进展": "stage", "进展情况": "stage", "建设阶段": "stage",
    "形象进度": "stage", "建设性质": "stage", "建设起止年限": "stage",
}
_FIELD = re.compile(
    r"^[ \t]*(?:[（(]?[一二三四五六七八九十\d]+[）)、.．]\s*)?("
    + "|".join(sorted(map(re.escape, _LABELS), key=lambda s: (-len(s), s)))
    + r")\s*[：:]\s*", re.M)


@dataclass(frozen=True)
class Record:
    """One labelled record: its span, the span of the project's name, and the fields'
    value spans by role (``owner``, ``place``, ``figures``, ``stage``)."""

    start: int
    end: int
    name: tuple[int, int]
    fields: tuple[tuple[str, int, int], ...]


@lru_cache(maxsize=8)
def find_records(text: str) -> tuple[Record, ...]:
    """The labelled project records of ``text`` (empty when it has none).

    >>> rs = find_records("项目名称：甲乙项目\\n建设单位：丙丁有限公司\\n总投资：5亿元\\n")
    >>> [(r.name, [f[0] for f in r.fields]) for r in rs]
    [((5, 9), ['owner', 'figures'])]
    """
    if "项目名称" not in text:
        return ()
    out: list[Record] = []
    cur: list | None = None  # [start, name span, fields, end]
    for m in _FIELD.finditer(text):
        role = _LABELS[m.group(1)]
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        if role == "name":
            if cur is not None:
                out.append(Record(cur[0], cur[3], cur[1], tuple(cur[2])))
            cur = [m.start(), (m.end(), line_end), [], line_end]
            continue
        if cur is None:
            continue
        # a field belongs to the open record when only labelled lines lie between
        gap = text[cur[3]:m.start()]
        if gap.strip("\n \t"):
            out.append(Record(cur[0], cur[3], cur[1], tuple(cur[2])))
            cur = None
            continue
        cur[2].append((role, m.end(), line_end))
        cur[3] = line_end
    if cur is not None:
        out.append(Record(cur[0], cur[3], cur[1], tuple(cur[2])))
    return tuple(out)


def record_at(text: str, pos: int) -> Record | None:
    """The record whose lines hold offset ``pos``, if any."""
    for r in find_records(text):
        if r.start <= pos < r.end:
            return r
    return None
