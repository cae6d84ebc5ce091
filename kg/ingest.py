"""Stage 1, ingest: files → :class:`kg.model.Document`.

Reads ``.txt``, ``.md`` and ``.html`` files (and Word, Excel and PDF files through
:mod:`kg.formats`), detects the encoding (UTF-8 with or without a
BOM, UTF-16/32 with a BOM, GB18030/GBK, Big5), folds full-width ASCII and odd spaces to their
plain forms (a length-preserving subset of NFKC, so offsets stay meaningful), repairs line
breaks that a page layout put inside a sentence or a word, splits sentences on Chinese
punctuation and names the document by the hash of its text. An optional sidecar
``NAME.meta.json`` gives title, source and date.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import json
import os
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from .errors import IngestError
from .model import Document, Sentence

__all__ = [
    "SUPPORTED_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "MAX_BYTES_ENV",
    "max_bytes_limit",
    "ingest_file",
    "ingest_text",
    "decode_bytes",
    "fold_width",
    "repair_line_breaks",
    "split_sentences",
    "iter_documents",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".xlsx", ".pdf", ".csv")
#: Kinds whose lines are blocks a layout did not break (no line repair, no aligned tables).
_BLOCK_KINDS = (".html", ".htm", ".docx", ".xlsx", ".csv")
#: Documents larger than this are refused (override with ``max_bytes`` / ``--max-bytes`` or
#: the environment variable :data:`MAX_BYTES_ENV`). The limit keeps memory bounded: a
#: document is held in memory whole (its text, sentences and offsets), so the size is
#: checked before a single byte is read.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Environment variable that sets the size limit (bytes, or with a K/M/G suffix: ``50M``).
MAX_BYTES_ENV = "CHAINKG_MAX_BYTES"

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"%PDF", "a PDF file"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7z archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.doc/.xls)"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x00asm", "a WebAssembly module"),
    (b"\xca\xfe\xba\xbe", "a Java class or Mach-O file"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg media file"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)

# Full-width ASCII and the spaces that layouts use, folded one-for-one (length-preserving).
_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20,
                     0x200B: 0x20, 0xFEFF: 0x20, 0x202F: 0x20})
# Keep Chinese punctuation that NFKC would fold but that reads better full-width.
for _cp in (0xFF0C, 0xFF1B, 0xFF1A, 0xFF01, 0xFF1F, 0xFF08, 0xFF09):  # ，；：！？（）
    _WIDTH_TABLE.pop(_cp, None)
# Radicals for characters: fonts of PDFs often map a glyph to a Kangxi radical (⽬ U+2F6C for
# 目, ⼯ for 工) or a simplified radical (⻋ U+2ECB for 车), and text copied or extracted from them
# keeps those code points, which no word or name matches. The Kangxi radicals fold as NFKC does;
# the simplified radicals that are whole characters fold to them (Unicode's
# EquivalentUnifiedIdeograph.txt); radicals that only occur as components stay.
_WIDTH_TABLE.update({cp: ord(unicodedata.normalize("NFKC", chr(cp))) for cp in range(0x2F00, 0x2FD6)})
_WIDTH_TABLE.update({ord(k): ord(v) for k, v in zip(
    "⺟⺠⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
    "母民西见角贝车长门青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟", strict=True)})

# Line and page separators that PDFs and word processors leave, as plain line breaks (a
# form feed between two pages often falls inside a sentence, which the repair then joins).
_NEWLINES = {0x0D: "\n", 0x0B: "\n", 0x0C: "\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n\n"}
_SURROGATE = re.compile("[\ud800-\udfff]")

_TERMINAL = "。！？!?；;…”\"』」）)】"
_CLAUSE_INTERNAL = "，,、"
#: a space between a Han character and a digit or Latin letter (投资 20 亿元, 年产 10GWh 储能):
#: web pages and typesetting put them there; the words around it belong together
_HAN_ASCII_SPACE = re.compile(r"(?<=[\u4e00-\u9fff]) +(?=[0-9A-Za-z])|(?<=[0-9A-Za-z%]) +(?=[\u4e00-\u9fff])")
_SENT_END = re.compile(r"[。！？!?；;]+[”’」』\"]?|…{2,}[”’」』\"]?|\n+")


def fold_width(text: str) -> str:
    """Fold full-width letters, digits and signs and layout spaces to ASCII, and radicals
    that stand for characters to those characters, one for one.

    >>> fold_width("总投资２０亿元，增长６４.８％")
    '总投资20亿元，增长64.8%'
    >>> fold_width(fold_width("ＭＬＥＤ")) == fold_width("ＭＬＥＤ")
    True
    >>> fold_width("主体⼯程已完⼯，汽⻋零部件")
    '主体工程已完工，汽车零部件'
    """
    return text.translate(_WIDTH_TABLE)


def decode_bytes(data: bytes, *, path: str = "<bytes>") -> tuple[str, str]:
    """Decode document bytes; return ``(text, encoding)``.

    Raises :class:`IngestError` for binary data or an undecodable file.
    """
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"not a text document: it is {what}", path=path,
                              hint="convert it to .txt, .md or .html first")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc).lstrip("\ufeff"), enc.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise IngestError(f"has a {enc} byte-order mark but does not decode: {exc}",
                                  path=path) from None
    if b"\x00" in data[:4096]:
        raise IngestError("not a text document: it contains NUL bytes (binary data)", path=path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # lazy: only for non-UTF-8 input

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16", "utf_8"]).best()
    candidates = ([best.encoding] if best is not None else []) + ["gb18030", "big5"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            return text, "gb18030" if enc in ("gbk", "gb2312") else enc
    raise IngestError("could not decode the file as UTF-8, GB18030/GBK or Big5", path=path,
                      hint="re-save it as UTF-8")


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad <= max(2, len(text) // 200)


class _HTMLText(HTMLParser):
    """The text of an HTML page: block elements on lines of their own, scripts and styles
    dropped, and tables read row by row (:func:`_table_lines`)."""

    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
              "article", "table", "ul", "ol", "title", "header", "footer"}
    _SKIP = {"script", "style", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False
        # open tables, innermost last: their finished rows, the open row and the open cell
        self._tables: list[dict] = []

    def _emit(self, s: str) -> None:
        t = self._tables[-1] if self._tables else None
        if t is not None and t["cell"] is not None:
            t["cell"].append(s)
        elif t is None or s.strip():
            self.parts.append(s)  # (white space between a table's cells is dropped)

    def _end_cell(self, t: dict) -> None:
        if t["cell"] is not None:
            if t["row"] is None:
                t["row"] = []
            t["row"].append(("".join(t["cell"]), t["th"]))
            t["cell"] = None

    def _end_row(self, t: dict) -> None:
        self._end_cell(t)
        if t["row"]:
            t["rows"].append(t["row"])
        t["row"] = None

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag == "table":
            self._emit("\n")
            self._tables.append({"rows": [], "row": None, "cell": None, "th": False})
            return
        if self._tables and tag in ("tr", "td", "th"):
            t = self._tables[-1]
            if tag == "tr":
                self._end_row(t)
                t["row"] = []
            else:
                self._end_cell(t)
                t["cell"] = []
                t["th"] = tag == "th"
            return
        if tag in self._BLOCK:
            self._emit("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag == "table" and self._tables:
            t = self._tables.pop()
            self._end_row(t)
            self._emit("\n" + "\n".join(_table_lines(t["rows"])) + "\n")
            return
        if self._tables and tag in ("tr", "td", "th"):
            t = self._tables[-1]
            if tag == "tr":
                self._end_row(t)
            else:
                self._end_cell(t)
            return
        if tag in self._BLOCK:
            self._emit("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if not self._skip:
            self._emit(data)


#: a figure alone in a cell (25.6, 1,200, -3.5)
_HAN_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
_BARE_NUMBER = re.compile(r"[-+]?[0-9][0-9,]*(?:\.[0-9]+)?")
#: a column header with its unit (总投资（亿元）, 用地面积(亩))
_HEADER_UNIT = re.compile(r"(.+?)\s*[（(]\s*([^（）()]{1,6})\s*[)）]")
_SERIAL_HEADERS = {"序号", "编号", "排序", "No", "No.", "NO"}
_LINE_END = "。！？!?；;…"


def _table_lines(rows: list[list[tuple[str, bool]]]) -> list[str]:
    """The lines a table reads as, from its rows of (cell text, is a ``<th>``).

    With a header row (``<th>`` cells, or three or more short labels), each row is a labelled
    record on one line (``项目名称：P；建设单位：C；总投资：25.6亿元。``: a unit in a header,
    总投资（亿元）, goes with each bare figure of its column; a serial number column is dropped),
    which is how bulletins state projects and what the extractors read. A table of two columns
    without one pairs each row's label with its value (``联系人：张某。``); other rows' cells are
    joined by ``；``; a row of one cell (a layout table) is that cell's text.

    >>> _table_lines([[("序号", True), ("项目名称", True), ("总投资（亿元）", True)],
    ...               [("1", False), ("甲乙项目", False), ("25.6", False)]])
    ['项目名称：甲乙项目；总投资：25.6亿元。']
    """
    ths = [[th for _c, th in r] for r in rows]
    # (a cell's line breaks are spaces, none between two Han characters: 零部件<br>产业园)
    rows = [[_HAN_GAP.sub("", " ".join(c.split())) if len(r) > 1 else c.strip() for c, _th in r] for r in rows]
    keep = [i for i, r in enumerate(rows) if any(r)]
    rows, ths = [rows[i] for i in keep], [ths[i] for i in keep]
    if not rows:
        return []
    head = rows[0]
    labels = len(head) >= 2 and all(h and len(h) <= 16 and not _BARE_NUMBER.fullmatch(h) for h in head)
    labelled = len(rows) > 1 and labels and (all(ths[0]) or len(head) >= 3)
    cols: list[tuple[str, str]] = []
    body = rows
    if labelled:
        for h in head:
            m = _HEADER_UNIT.fullmatch(h)
            cols.append((m.group(1), m.group(2)) if m else (h, ""))
        body = rows[1:]
    lines = []
    for r in body:
        if any(c in _TOTAL_CELLS for c in r):
            continue  # a 合计/小计 row: the column's sum, no record
        if len(r) == 1:
            lines.append(r[0])
            continue
        if cols:
            fields = [f"{label}：{v + unit if unit and _BARE_NUMBER.fullmatch(v) else v}"
                      # (a row may be short or long of the header: spans, merged cells)
                      for (label, unit), v in zip(cols, r, strict=False) if v and label not in _SERIAL_HEADERS]
        elif len(r) == 2 and r[0] and r[1] and len(r[0]) <= 16 and _HAN.search(r[0]):
            fields = [f"{r[0].rstrip('：:')}：{r[1]}"]
        else:
            fields = [v for v in r if v]
        if fields:
            line = "；".join(fields)
            lines.append(line if line[-1] in _LINE_END else line + "。")
    return lines


def _html_to_text(raw: str) -> tuple[str, str]:
    parser = _HTMLText()
    parser.feed(raw)
    parser.close()
    text = "".join(parser.parts)
    text = "\n".join(line.strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", _page_title(html.unescape(parser.title.strip()))


#: a site's name after a page title (…开工_某某市人民政府网, …开工 - 某某日报, …|新华网)
_SITE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s)[^_|｜]{2,30}$")


def _page_title(title: str) -> str:
    """A page's ``<title>`` without the site's and section's names after it (kept when
    nothing else is left).

    >>> _page_title("甲乙锂电项目在某某高新区开工_政务要闻_某某市人民政府网")
    '甲乙锂电项目在某某高新区开工'
    """
    while (m := _SITE_SUFFIX.search(title)) is not None and m.start() >= 6:
        title = title[:m.start()]
    return title


#: a Markdown table's delimiter row (| --- | :---: |)
_MD_DELIMITER = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$", re.M)


def _tables_in_lines(lines: list[str], table_at) -> str:
    """``lines`` joined, each run of lines that ``table_at(i)`` reads as a table (it returns the
    index after the run and the run's rows, or None) replaced by :func:`_table_lines` of it."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        found = table_at(i)
        if found is None:
            out.append(lines[i])
            i += 1
            continue
        i, rows = found
        out.extend(_table_lines(rows))
    return "\n".join(out)


def _markdown_tables(text: str) -> str:
    """Markdown pipe tables as the lines :func:`_table_lines` makes of them (header row first)."""
    lines = text.split("\n")

    def cells(line: str, th: bool) -> list[tuple[str, bool]]:
        return [(c.strip(), th) for c in line.strip().strip("|").split("|")]

    def table_at(i: int):
        if "|" not in lines[i] or i + 1 >= len(lines) or not _MD_DELIMITER.match(lines[i + 1]):
            return None
        j = i + 2
        while j < len(lines) and "|" in lines[j] and lines[j].strip():
            j += 1
        return j, [cells(lines[i], True)] + [cells(ln, False) for ln in lines[i + 2:j]]

    return _tables_in_lines(lines, table_at)


def _tab_tables(text: str) -> str:
    """Runs of two or more lines of tab-separated cells (a table copied from a spreadsheet or a
    word processor) as the lines :func:`_table_lines` makes of them."""
    if "\t" not in text:
        return text
    lines = text.split("\n")
    # (tabs at a line's ends indent it: they separate no cells)
    cells = [re.split(r"\t+", ln.strip(" \t\r\u3000")) for ln in lines]

    def table_at(i: int):
        width = len(cells[i])
        j = i
        rows = []
        while j < len(lines) and width >= 2:
            if len(cells[j]) == width:
                rows.append([(c.strip(), False) for c in cells[j]])
            elif (j > i and len(cells[j]) < min(width, 3) and j + 1 < len(lines) and len(cells[j + 1]) == width
                  and _SECTION_ROW.match(lines[j].strip(" \t\r\u3000"))):
                # a row that heads a group of the table's rows (一\t续建项目（12个）): a line of its own
                head = [c.strip() for c in cells[j] if c.strip()]
                joined = (f"{head[0]}、{''.join(head[1:])}" if len(head) > 1 and _BARE_ORDINAL.fullmatch(head[0])
                          else "".join(head))
                rows.append([(joined, False)])
            else:
                break
            j += 1
        return (j, rows) if sum(len(r) > 1 for r in rows) >= 2 else None

    return _tables_in_lines(lines, table_at)


#: a row heading a group of a table's rows (一\t续建项目, （二）新开工项目)
_SECTION_ROW = re.compile(r"(?:[一二三四五六七八九十]+[、.．\t ]|[（(][一二三四五六七八九十]+[)）])")
_BARE_ORDINAL = re.compile(r"[一二三四五六七八九十]+")


#: a line that is only a page's number (— 3 —, -12-, 第3页 共10页, 3/10): a printed page's footer
_PAGE_MARK = re.compile(r"^[ \t]*(?:[-—–－]{1,2}[ \t]*\d{1,4}[ \t]*[-—–－]{1,2}|第[ \t]*\d{1,4}[ \t]*页"
                        r"(?:[ \t]*[，,/]?[ \t]*共[ \t]*\d{1,4}[ \t]*页)?|\d{1,4}[ \t]*/[ \t]*\d{1,4})[ \t]*$", re.M)

#: pictographs and their joiners (💰总投资：, 📍甲乙有限公司…): no text of the document
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u20E3]")
#: the heading of a page's links to other articles (往期回顾, 推荐阅读…)
_NAV_HEAD = re.compile(r"^\W*(?:往期回顾|往期推荐|往期精彩|推荐阅读|相关阅读|延伸阅读|相关新闻|相关文章|相关链接|"
                       r"热点推荐|精彩推荐|猜你喜欢|更多阅读)\W*$")


def _drop_navigation(text: str) -> str:
    """``text`` without a page's navigation: a 往期回顾/相关链接 heading and the headlines listed
    after it (short lines without a full stop, blank lines between them or not: they name other
    projects and places), and a 当前位置：首页 > … breadcrumb."""
    if not any(w in text for w in ("往期", "阅读", "相关", "推荐", "猜你喜欢", "位置")):
        return text
    out: list[str] = []
    skipping = False
    for ln in text.split("\n"):
        if _NAV_HEAD.match(ln):
            skipping = True
            continue
        if _BREADCRUMB.match(ln):
            continue
        if skipping and (not ln.strip() or (len(ln.strip()) <= 40 and not ln.rstrip().endswith("。"))):
            continue
        skipping = False
        out.append(ln)
    return "\n".join(out)


#: a page's breadcrumb (当前位置：首页 > 项目建设 > 正文)
_BREADCRUMB = re.compile(r"\s*(?:当前位置|您的位置|你的位置|您现在的位置|所在位置)[：:].*(?:>|＞|»|/).*$")


#: a cell of a line laid out in columns: text whose words are apart by one space at most
_SEGMENT = re.compile(r"\S+(?: \S+)*")
_HAN = re.compile(r"[\u4e00-\u9fff]")
#: a unit under a column's label, on the header's next line (（亿元）)
_UNIT_CELL = re.compile(r"[（(][^（）()]{1,6}[)）]")
_TOTAL_CELLS = {"小计", "合计", "总计"}


def _column_label(cell: str) -> bool:
    """Whether a cell reads as a column's (or a row's) label: short, with a Han character, no
    figure of its own and no sentence punctuation."""
    return (len(cell) <= 16 and _HAN.search(cell) is not None and not _BARE_NUMBER.search(cell)
            and not any(ch in cell for ch in "。，；！？!?、：:"))


def _segments(line: str) -> list[tuple[int, str]]:
    """``(column, text)`` of the cells of a line whose cells are apart by two spaces or more;
    the column counts display cells (a Han character takes two), as the layout aligned them."""
    line = line.replace("\u3000", "  ").replace("\u00a0", " ")
    out = []
    col, at = 0, 0
    for m in _SEGMENT.finditer(line):
        col += _width(line[at:m.start()])
        at = m.start()
        out.append((col, m.group()))
    return out


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _aligned_tables(text: str) -> str:
    """Tables laid out in columns with spaces (text taken from a PDF or a word processor) as
    the lines :func:`_table_lines` makes of them.

    A table opens with a header of three or more labels apart by two spaces or more (a unit
    under a label, （亿元）, is its unit). Each cell below goes to the column it starts under;
    a row begins with a serial number when the first column is one (序号), else with a cell in
    the first column, and the lines after it continue its cells (a cell wrapped over lines,
    even over a page's footer and the header printed again); 小计 rows are dropped, a line
    with only a first cell (一、新材料产业) is kept as a line. The table ends at a line of prose
    (a note, a paragraph). Two columns of a short label and a value, two lines or more
    (``建设单位    甲乙股份有限公司``), pair up. Prose with a double space is no table."""
    if "  " not in text and "\u3000\u3000" not in text:
        return text
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        segs = _segments(lines[i])
        if len(segs) >= 3 and all(_column_label(c) for _p, c in segs):
            found = _layout_table(lines, i, segs)
            if found is not None:
                i, rows = found
                out.extend(rows)
                continue
        j = i
        while j < len(lines):
            pair = _segments(lines[j])
            if not (len(pair) == 2 and len(pair[0][1]) <= 8 and _column_label(pair[0][1])):
                break
            j += 1
        if j - i >= 2:
            out.extend(_table_lines([[(c, False) for _p, c in _segments(ln)] for ln in lines[i:j]]))
            i = j
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _layout_table(lines: list[str], i: int, head: list[tuple[int, str]]):
    """The table whose header ``head`` is line ``i``: the index after it and its lines, or None
    when no row follows."""
    starts = [p for p, _c in head]
    head_texts = [c for _p, c in head]
    labels = list(head_texts)
    serial = labels[0] in _SERIAL_HEADERS

    def column(pos: int) -> int:
        return max(0, bisect.bisect_right(starts, pos + 2) - 1)

    out: list[str] = []
    row: list[str] | None = None

    def flush():
        if row is not None:
            out.extend(_table_lines([[(c, True) for c in labels], [(c, False) for c in row]]))

    j = i + 1
    rows = 0
    while j < len(lines):
        segs = _segments(lines[j])
        texts = [c for _p, c in segs]
        if not segs or _PAGE_MARK.match(lines[j]) or texts == head_texts:
            j += 1
            continue
        if all(_UNIT_CELL.fullmatch(c) for c in texts):
            if rows == 0:  # the header's units
                for p, c in segs:
                    k = column(p)
                    if not _UNIT_CELL.search(labels[k]):
                        labels[k] += c
            j += 1
            continue
        if any(c in _TOTAL_CELLS for c in texts):
            flush()
            row = None
            j += 1
            continue
        first = column(segs[0][0]) == 0
        if first and (len(texts[0]) > 24 or any(ch in texts[0] for ch in "。；！？!?") or texts[0].startswith("注")):
            break  # prose after the table
        if first and len(segs) >= 2 and (_BARE_NUMBER.fullmatch(texts[0]) if serial else True):
            flush()
            row = [""] * len(labels)
            rows += 1
        elif first and len(segs) == 1:
            flush()
            row = None
            out.append(texts[0])  # a section of the table (一、新材料产业（3项）)
            j += 1
            continue
        if row is None:
            break
        for p, c in segs:
            k = column(p)
            row[k] += c
        j += 1
    if rows == 0:
        return None
    flush()
    return j, out


def _markdown_to_text(raw: str) -> str:
    text = _markdown_tables(raw)
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)  # headings
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return text


#: how a news paragraph opens (a date, 记者…, 本报讯): the line before it is a headline, however
#: long, and not a line a page layout broke
_DATELINE = re.compile(r"(?:(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:上午|下午|晚间?|早间?)?[，,]|近日[，,]|日前[，,]|"
                       r"今年以来[，,]|近年来[，,]|本报讯|新华社|记者)")


#: the end of a sentence in English (a bilingual release's paragraph): no line goes on after it
_LATIN_SENTENCE_END = re.compile(r"[A-Za-z0-9)\"'’”][.:]$")

#: a line that opens with a field's label (项目名称：…, 建设单位：…): a line of its own
_LABEL_START = re.compile(r"[ \t]*[\u4e00-\u9fff]{2,8}[：:]")

#: a line that opens with a list's number (一、, （二）, 3.): an item of its own
_LIST_START = re.compile(r"[ \t]*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d{1,2}[、．](?!\d)|\d{1,2}\.(?!\d))")

#: characters a headline does not end with but a broken sentence may (计划于|12月8日…)
_LEADS_ON = "于在至到从自止和与及的了为是将"


def repair_line_breaks(text: str, *, min_line: int = 30) -> str:
    """Join lines that a page layout broke inside a sentence or a word.

    A run of line breaks is removed when the line before it is long (a paragraph, not a
    heading) or ends with a comma or an enumeration comma (no paragraph ends so), does not
    end with sentence-final punctuation, and the next line starts with a Han character, a
    digit or a letter — but not the way a news paragraph opens (a date and a comma, 记者,
    本报讯…) after a line without a comma: that line is a headline.

    >>> repair_line_breaks("建成投产后可成为航空领域、新一代半导体等高端制造领域一颗新星，也将成为航\\n\\n空领域的骨干。")
    '建成投产后可成为航空领域、新一代半导体等高端制造领域一颗新星，也将成为航空领域的骨干。'
    >>> repair_line_breaks("千帆竞发势如虹\\n\\n——长治市")
    '千帆竞发势如虹\\n\\n——长治市'
    """
    text = text.replace("\r\n", "\n").translate(_NEWLINES)
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        stripped = line.rstrip()
        if (
            j < len(lines)
            and not _LATIN_SENTENCE_END.search(stripped)
            and (len(stripped.lstrip()) >= min_line or (stripped and stripped[-1] in _CLAUSE_INTERNAL))
            and stripped[-1] not in _TERMINAL
            and not stripped.endswith("——")
            and _starts_inline(lines[j].lstrip())
            and not _LABEL_START.match(lines[j])
            and not (_LIST_START.match(lines[j]) and stripped[-1] not in _CLAUSE_INTERNAL)
            and not (stripped[-1] not in _CLAUSE_INTERNAL + _LEADS_ON and _DATELINE.match(lines[j].lstrip()))
        ):
            lines[j] = stripped + lines[j].lstrip()
            i = j
            continue
        out.append(line)
        out.extend(lines[i + 1 : j])
        i = j
    return "\n".join(out)


def _starts_inline(s: str) -> bool:
    if not s:
        return False
    ch = s[0]
    return "\u4e00" <= ch <= "\u9fff" or ch.isalnum() or ch in "“‘「『《(（"


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Split on Chinese sentence punctuation and line breaks; offsets index ``text``.

    >>> [s.text for s in split_sentences("开工率90.9%。其中，续建项目全部复工！\\n下一句")]
    ['开工率90.9%。', '其中，续建项目全部复工！', '下一句']
    """
    sentences: list[Sentence] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end() if not m.group().startswith("\n") else m.start()
        _add_sentence(sentences, text, start, end)
        start = m.end()
    _add_sentence(sentences, text, start, len(text))
    return tuple(sentences)


def _add_sentence(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(len(out), start, end, text[start:end]))


def _read_sidecar(path: Path) -> dict:
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")):
        if candidate.is_file():
            try:
                meta = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise IngestError(f"metadata sidecar is not valid JSON: {exc}",
                                  path=str(candidate)) from None
            if not isinstance(meta, dict):
                raise IngestError("metadata sidecar must be a JSON object "
                                  f"(got {type(meta).__name__})", path=str(candidate),
                                  hint='e.g. {"title": "…", "date": "2023-08-01"}')
            return meta
    return {}


_DATE_PATTERNS = (
    re.compile(r"(?:发布时间|发布日期|日期|时间)[:：]\s*(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})"),
    re.compile(r"[(（《\s](20\d{2})(\d{2})(\d{2})[)）》\s]"),
    re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$", re.M),
    # a header line that ends with the date (…办公室编  2025年4月2日, 原创 某某发布 2025年03月06日 18:30)
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日[ \t]*(?:\d{1,2}:\d{2}[ \t]*)?(?:[\u4e00-\u9fff]{2,3}[ \t]*)?$", re.M),
)


def _guess_date(text: str) -> str | None:
    head = text[:400]
    for pat in _DATE_PATTERNS:
        m = pat.search(head)
        if m:
            y, mo, d = (int(x) for x in m.groups())
            if 1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


#: an official document's title (GB/T 9704): 关于…的通报 / 报告 / 通知 / 意见 / 方案 …
_OFFICIAL_TITLE = re.compile(r"关于.{2,60}的(?:通报|报告|通知|意见|方案|决定|批复|函|公告|请示|纪要|说明)")


def _guess_title(text: str) -> str:
    """The first line, or an official document's title below its masthead and number.

    >>> _guess_title("某某市人民政府办公室\\n\\n某政办发〔2025〕12号\\n\\n关于全市重点项目建设情况的通报\\n各县：")
    '关于全市重点项目建设情况的通报'
    """
    lines = [ln.strip().lstrip("#").strip() for ln in text.splitlines()[:20]]
    lines = [ln for ln in lines if ln][:6]
    for line in lines[1:]:
        if _OFFICIAL_TITLE.fullmatch(line):
            return line
    return lines[0][:80] if lines else ""


def _scrub(s: str) -> str:
    """Replace lone surrogates (from a non-UTF-8 file name or a bad ``str``) with U+FFFD:
    they cannot be written as UTF-8 and would break every serialisation downstream."""
    return _SURROGATE.sub("\ufffd", s) if _SURROGATE.search(s) else s


_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)(?:i?b)?\s*$", re.I)


def max_bytes_limit(max_bytes: int | str | None = None) -> int:
    """The document size limit in bytes: ``max_bytes`` if given, else the environment
    variable ``CHAINKG_MAX_BYTES``, else :data:`DEFAULT_MAX_BYTES`.

    A string may carry a binary K/M/G suffix.

    >>> max_bytes_limit("50M")
    52428800
    >>> max_bytes_limit(1000)
    1000
    """
    source = "max_bytes"
    if max_bytes is None:
        max_bytes = os.environ.get(MAX_BYTES_ENV) or None
        source = MAX_BYTES_ENV
    if max_bytes is None:
        return DEFAULT_MAX_BYTES
    if isinstance(max_bytes, str):
        m = _SIZE.match(max_bytes)
        if not m:
            raise IngestError(f"{source}={max_bytes!r} is not a size",
                              hint="give a number of bytes, or one with K, M or G: 50M")
        max_bytes = int(m.group(1)) * 1024 ** " kmg".index((m.group(2) or " ").lower())
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise IngestError(f"{source}={max_bytes!r} must be a positive number of bytes")
    return max_bytes


def ingest_text(text: str, *, path: str = "<text>", encoding: str = "utf-8",
                metadata: dict | None = None, kind: str = ".txt", title: str = "") -> Document:
    """Build a :class:`Document` from decoded text.

    ``kind`` is the suffix of the file it came from (it says how lines were made);
    ``title`` the file's own title, used when the metadata give none.

    Raises :class:`IngestError` when nothing readable is left (empty, whitespace or
    punctuation only).
    """
    text = _scrub(text)
    path = _scrub(path)
    raw = text
    if kind in (".html", ".htm"):
        text, title = _html_to_text(text)
    elif kind in (".md", ".markdown"):
        text = _markdown_to_text(text)
    elif "|" in text and _MD_DELIMITER.search(text):
        text = _markdown_tables(text)  # a pipe table pasted into a plain text (| 项目名称 | … |)
    # (line ends first: tables are read by lines, and a second reading must see the same ones)
    text = _tab_tables(text.replace("\r\n", "\n").translate(_NEWLINES))
    if kind not in _BLOCK_KINDS:
        text = _aligned_tables(text)
    text = _drop_navigation(_EMOJI.sub("", fold_width(text)))
    text = _PAGE_MARK.sub("", _HAN_ASCII_SPACE.sub("", text))
    # (a page's or a Word file's lines are its blocks, and a PDF's were joined by their
    # place on the page: no layout broke them)
    if kind not in _BLOCK_KINDS and kind != ".pdf":
        text = repair_line_breaks(text)
    text = text.strip("\n") + "\n" if text.strip() else ""
    if not any(ch.isalnum() for ch in text):
        raise IngestError("has no readable text (empty, white space or punctuation only)",
                          path=path, hint="skipped")
    meta = dict(metadata or {})
    doc_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return Document(
        id=doc_id,
        path=path,
        text=text,
        raw=raw,
        sentences=split_sentences(text),
        encoding=encoding,
        title=str(meta.get("title") or title or _guess_title(text)),
        date=str(meta["date"]) if meta.get("date") else _guess_date(text),
        source=str(meta.get("source") or os.path.basename(path)),
        metadata=tuple(sorted((str(k), str(v)) for k, v in meta.items())),
    )


def ingest_file(path: str | os.PathLike, *, max_bytes: int | str | None = None) -> Document:
    """Read, decode and normalise one document file.

    ``max_bytes`` limits the file size (default: :func:`max_bytes_limit`); a larger file is
    refused before it is read, so memory stays bounded whatever the input.

    Raises :class:`IngestError` naming the file when it is missing, unreadable, empty,
    binary, too large or undecodable.
    """
    p = Path(path)
    name = _scrub(str(p))
    limit = max_bytes_limit(max_bytes)
    try:
        if not p.is_file():
            raise IngestError("is not a file (missing, a directory or a broken link)", path=name)
        size = p.stat().st_size
        if size > limit:
            mib = f" = {limit / 1048576:g} MiB" if limit >= 1048576 else ""
            raise IngestError(
                f"is {size:,} bytes, over the limit of {limit:,} bytes{mib} per document "
                "(size limit); not read",
                path=name,
                hint=f"raise the limit with --max-bytes or {MAX_BYTES_ENV}=SIZE (e.g. 100M), "
                     "or split the document")
        with p.open("rb") as fh:  # read at most limit + 1 bytes: the file may grow meanwhile
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise IngestError(f"grew past the size limit of {limit:,} bytes while being read",
                              path=name, hint="try again once the file is complete")
    except PermissionError:
        raise IngestError("cannot be read: permission denied", path=name) from None
    except OSError as exc:
        raise IngestError(f"cannot be read: {exc.strerror or exc}", path=name) from None
    if not data.strip():
        raise IngestError("is empty", path=name, hint="skipped")
    kind = p.suffix.lower()
    if kind in (".docx", ".xlsx", ".pdf"):
        from . import formats

        reader = {".docx": formats.read_docx, ".xlsx": formats.read_xlsx, ".pdf": formats.read_pdf}[kind]
        text, title = reader(data, name, limit)
        # (a file's own title is often a template's or a file name: kept only when it reads
        # as one, 某某市重点项目清单, not "Microsoft Word - 1.docx")
        if not _HAN.search(title) or re.search(r"\.(?:docx?|xlsx?|pdf|wps)\s*$", title, re.I):
            title = ""
        return ingest_text(text, path=name, encoding=kind[1:], metadata=_read_sidecar(p),
                           kind=kind, title=title)
    text, encoding = decode_bytes(data, path=name)
    if kind == ".csv":
        from .formats import read_csv

        text = read_csv(text)
    return ingest_text(text, path=name, encoding=encoding, metadata=_read_sidecar(p),
                       kind=kind)


#: old binary Office and WPS formats, and what to save them as
_OLD_OFFICE = {".doc": ".docx", ".wps": ".docx", ".rtf": ".docx", ".xls": ".xlsx", ".et": ".xlsx"}


def iter_documents(folder: str | os.PathLike) -> tuple[list[Path], list[tuple[str, str]]]:
    """List the document files below ``folder`` in a stable order.

    Returns ``(files, skipped)`` where ``skipped`` holds ``(path, reason)`` for entries that
    are not documents (other suffixes, broken links, unreadable folders).
    """
    root = Path(folder)
    if root.is_file():
        return [root], []
    if not root.is_dir():
        raise IngestError("is not a file or a folder", path=str(root))
    skipped: list[tuple[str, str]] = []
    found: list[tuple[str, str]] = []  # (path relative to the root, as posix; the path)
    suffixes = frozenset(SUPPORTED_SUFFIXES)

    def walk(folder: str, rel: str) -> None:
        # os.scandir's entries know whether they are folders or links without a system
        # call each (10,000 files: half the time of os.walk with a check per file)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped.append((str(exc.filename or folder), f"cannot be listed: {exc.strerror}"))
            return
        below = []
        for e in entries:
            name = e.name
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if is_dir:  # linked folders are not followed
                if not name.startswith(".") and not e.is_symlink():
                    below.append(e)
                continue
            if name.startswith(".") or name.endswith(".meta.json"):
                continue
            suffix = os.path.splitext(name)[1]
            if suffix.lower() not in suffixes:
                old = _OLD_OFFICE.get(suffix.lower())
                skipped.append((e.path, f"not a supported document type ({suffix or 'no suffix'})"
                                + (f"; save it as {old}" if old else "")))
                continue
            if e.is_symlink() and not os.path.exists(e.path):
                skipped.append((e.path, "broken symbolic link"))
                continue
            found.append((rel + name, e.path))
        for e in below:
            walk(e.path, rel + e.name + "/")

    walk(str(root), "")
    found.sort(key=lambda x: x[0])
    return [Path(p) for _rel, p in found], skipped
