"""Labelled project records of bulletins and lists (公示, 项目清单).

Official lists often give each project as a block of labelled lines::

    一、项目名称：年产5万吨高纯石英砂项目
    建设单位：某某石英股份有限公司
    建设地点：某某县经济开发区
    总投资：25.6亿元

A record starts at a ``项目名称：`` line and runs to the line before the next one (or to a
line that is not a labelled field). Plans also write a record on one line, its name first and
its fields after it, separated by ``；``::

    1．某某电池项目。建设单位：某某有限公司；建设地点：某某开发区；总投资：50亿元。
 :func:`find_records` returns where its name and its
fields are; the relation, quantity and status rules use them to tie the owner, the place,
the figures and the stage of the record's lines to its project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Record", "find_records", "in_schedule", "project_record_at", "record_at"]

#: the label of a field (what the line states) → the role the rules give it
_LABELS = {
    "项目名称": "name", "签约项目": "name", "签约项目名称": "name",
    "建设单位": "owner", "业主单位": "owner", "项目单位": "owner", "实施单位": "owner",
    "责任单位": "owner", "项目业主": "owner", "投资主体": "owner", "投资方": "owner",
    "申报单位": "owner", "承办单位": "owner", "主管单位": "owner", "牵头单位": "owner",
    "签约企业": "owner", "投资企业": "owner", "投资单位": "owner",
    "建设地点": "place", "项目地点": "place", "建设地址": "place", "项目选址": "place",
    "选址": "place", "所在地": "place", "项目所在地": "place", "所在园区": "place",
    "落户地": "place", "落户地点": "place", "落户园区": "place", "落地园区": "place", "所属园区": "place",
    "实施地点": "place", "建设区域": "place", "所在县区": "place", "所在区县": "place", "所属县区": "place",
    "所属区县": "place", "县区": "place", "所在县市区": "place", "所在地区": "place",
    "总投资": "figures", "计划总投资": "figures", "项目总投资": "figures", "投资总额": "figures",
    "年度计划投资": "figures", "计划投资": "figures", "投资规模": "figures", "建设规模": "figures",
    "投资金额": "figures", "签约金额": "figures", "投资额": "figures",
    "建设内容": "figures", "建设内容及规模": "figures", "主要建设内容": "figures",
    "建设规模及内容": "figures", "建设规模及主要建设内容": "figures", "主要建设内容及规模": "figures",
    "项目简介": "figures", "项目概况": "figures", "基本情况": "figures", "项目内容": "figures",
    "建设进度": "stage", "项目进展": "stage", "进展情况": "stage", "建设阶段": "stage", "进展": "stage", "进度": "stage",
    "形象进度": "stage", "建设性质": "stage",
    # a schedule: what it says will happen (2025年3月开工) is a plan unless it says 已/续建
    "进度安排": "schedule", "进度计划": "schedule", "建设起止年限": "schedule", "建设年限": "schedule",
    "建设期限": "schedule", "建设周期": "schedule", "计划开工时间": "schedule", "计划竣工时间": "schedule",
    "计划开竣工时间": "schedule", "年度建设目标": "schedule", "年度目标": "schedule",
    # what surrounds the project (the county's resources, a firm already there): not its facts
    "项目背景": "context", "建设背景": "context", "背景": "context", "区位优势": "context",
    "资源优势": "context", "产业基础": "context", "资源条件": "context", "配套条件": "context",
    "市场前景": "context", "市场分析": "context", "建设条件": "context",
}
_NUMBER = r"[（(]?[一二三四五六七八九十\d]+[）)、.．]\s*"
#: a field: a label at a line's start (after the item's number) or after ；/。/，/（ within a line
#: (signing lists: 1. P，投资方：C，投资金额：50亿元，建设内容：…; 1.P（建设单位：C，总投资…）)
_FIELD = re.compile(
    rf"(?:^[ \t]*(?:{_NUMBER})?|(?<=[；;。，,（(]))[ \t]*(?:(?:截至|截止|至)[^：:；;。\n]{{1,8}}?|\d{{4}}年度?)?("
    + "|".join(sorted(map(re.escape, _LABELS), key=lambda s: (-len(s), s)))
    + r")\s*[：:]\s*", re.M)
_LEADING_NUMBER = re.compile(rf"[ \t]*(?:{_NUMBER})?")
#: a labelled line of a label the rules do not read (项目类别：新材料, 合作方式：独资): it keeps a
#: record open
_OTHER_FIELD = re.compile(rf"[ \t]*(?:{_NUMBER})?(?:\d{{4}}年)?[\u4e00-\u9fff]{{2,8}}\s*[：:]")
#: a heading line that is a project's name (一、甲乙年产5万吨电池项目; a tag before it is not:
#: 【项目】甲乙…项目)
_HEADING = re.compile(rf"[ \t]*(?:{_NUMBER})?(?:【[^】\n]{{1,8}}】[ \t]*)?(?P<name>[^，,；;。：:\s]{{2,40}}?(?:项目|工程|基地|产业园|生产线|电站))[ \t]*$")
#: labels that make a text worth reading for records (a record has a name and an owner or a place)
_RECORD_HINTS = ("项目名称", "建设单位", "建设地点", "项目单位", "业主单位", "实施单位", "项目业主", "项目地点",
                 "项目简介", "项目概况", "项目进展", "投资方：", "签约企业：")
_SEPARATORS = "；;。，,（( \t"


@dataclass(frozen=True)
class Record:
    """One labelled record: its span, the span of the project's name, and the fields'
    value spans by role (``owner``, ``place``, ``figures``, ``stage``, ``schedule``,
    ``context``)."""

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
    if not any(h in text for h in _RECORD_HINTS):
        return ()
    out: list[Record] = []
    cur: list | None = None  # [start, name span, fields, end]

    def close() -> None:
        if cur is not None:
            out.append(Record(cur[0], cur[3], cur[1], tuple(cur[2])))
    matches = list(_FIELD.finditer(text))
    for i, m in enumerate(matches):
        role = _LABELS[m.group(1)]
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        # a value runs to the next field of its line (without the separator) or to the line's end
        vend = line_end
        if i + 1 < len(matches) and matches[i + 1].start() < line_end:
            vend = matches[i + 1].start()
        while vend > m.end() and text[vend - 1] in _SEPARATORS:
            vend -= 1
        if role == "name":
            semi = text.find("；", m.end(), vend)
            if semi > 0 and _OTHER_FIELD.match(text, semi + 1):
                vend = semi  # 项目名称：P；建设规模及主要建设内容：… — a label the rules do not read ends it
            # fields written before the name on its line (总投资：68亿元；项目名称：P；…: a table
            # whose columns put the name later) are this record's, not the one before
            moved = []
            for k in range(i - 1, -1, -1):
                pm = matches[k]
                if pm.start() < line_start:
                    break
                b = matches[k + 1].start()
                while b > pm.end() and text[b - 1] in _SEPARATORS:
                    b -= 1
                moved.insert(0, (_LABELS[pm.group(1)], pm.end(), b))
            if cur is not None and moved:
                cur[2] = [f for f in cur[2] if f[1] < line_start]
                cur[3] = min(cur[3], line_start - 1)
            close()
            cur = [line_start if moved else m.start(), (m.end(), vend), moved, vend]
            continue
        if m.start() > line_start and text[m.start() - 1] in "；;。，,（(" and (cur is None or cur[3] < line_start):
            # the first field of a line that opens with the project's name (1．P。建设单位：…)
            a = _LEADING_NUMBER.match(text, line_start).end()
            b = m.start()
            while b > a and text[b - 1] in _SEPARATORS:
                b -= 1
            head = text[a:b]
            if 2 <= len(head) <= 60 and not any(c in head for c in "，,；;。：:"):
                close()
                cur = [line_start, (a, b), [], m.start()]
        elif _LEADING_NUMBER.match(text, line_start).end() >= m.start() and line_start > 0:
            # the first labelled line under a heading that names the project (一、P项目\n项目简介：…,
            # also with blank lines between)
            h_end = line_start - 1
            while h_end > 0 and text[h_end - 1] == "\n":
                h_end -= 1
            p_start = text.rfind("\n", 0, h_end) + 1
            h = _HEADING.match(text, p_start, h_end)
            if h is not None and (cur is None or cur[3] < p_start):
                close()
                cur = [p_start, (h.start("name"), h.end("name")), [], h_end]
        if cur is None:
            continue
        # a field belongs to the open record when only labelled lines (or fields) lie between
        gap = text[cur[3]:m.start()]
        if gap.strip("\n" + _SEPARATORS) and not all(
                _OTHER_FIELD.match(ln) for ln in gap.split("\n") if ln.strip(_SEPARATORS)):
            close()
            cur = None
            continue
        cur[2].append((role, m.end(), vend))
        cur[3] = vend
    close()
    return tuple(out)


def record_at(text: str, pos: int) -> Record | None:
    """The record whose lines hold offset ``pos``, if any."""
    for r in find_records(text):
        if r.start <= pos < r.end:
            return r
    return None


def project_record_at(text: str, pos: int) -> Record | None:
    """The record whose lines hold ``pos`` when what is there speaks of the record's project:
    not its name, and not a field about its surroundings (项目背景：县内已建成…)."""
    rec = record_at(text, pos)
    if rec is None or rec.name[0] <= pos < rec.name[1] or any(
            role == "context" and a <= pos < b for role, a, b in rec.fields):
        return None
    return rec


def in_schedule(text: str, pos: int) -> bool:
    """Whether ``pos`` is in a record's schedule field (进度安排：2025年3月开工，2026年底建成):
    what it says is planned, unless it says it happened (已开工, 续建)."""
    rec = record_at(text, pos)
    return rec is not None and any(role == "schedule" and a <= pos < b for role, a, b in rec.fields)
